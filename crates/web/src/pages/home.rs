use askama::Template;
use axum::extract::State;
use axum::response::Html;
use yici_domain::draw::task::TaskView;
use yici_domain::org::Role;
use yici_domain::time::display;
use yici_store::draw::tasks::{self, TaskQuery};
use yici_store::joint::participants;
use yici_store::rectification::{self, Waiting};

use super::layout::Chrome;
use crate::error::PageResult;
use crate::session::WebUser;
use crate::state::AppState;

/// A notice to the user's department (JOINT-2), with where it leads.
pub struct NoticeRow {
    pub body: String,
    pub at: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    roles: Vec<&'static str>,
    login: String,
    /// 待办提醒: shown to those who answer for a department.
    notices: Option<Vec<NoticeRow>>,
    /// Tasks the department may still decide on (我可参与的).
    may_join: i64,
    /// 整改: what waits for the department (or the unit's leaders and office).
    rectifications: Option<Waiting>,
    /// 一公开 and credit: what waits for the office and the leaders.
    followups: Followups,
}

/// Results the office may release (how many, the soonest latest day) and
/// credit proposals the leader may decide; None for those who do neither.
pub struct Followups {
    pub releases: Option<(usize, Option<chrono::NaiveDate>)>,
    pub proposals: Option<usize>,
}

impl Followups {
    async fn of(state: &AppState, p: &yici_domain::org::Principal) -> PageResult<Followups> {
        let releases = if yici_store::publication::may_release(p) {
            let waiting =
                yici_store::publication::waiting(&state.db, p, &state.config.publication).await?;
            Some((waiting.len(), waiting.first().map(|w| w.due_on)))
        } else {
            None
        };
        let proposals = if crate::credit_access::may_decide(state, p).await? {
            let scope = crate::registry_access::scope_of(p)?;
            Some(
                yici_store::credit::open_proposals(&state.db, &scope)
                    .await?
                    .len(),
            )
        } else {
            None
        };
        Ok(Followups {
            releases,
            proposals,
        })
    }

    fn any(&self) -> bool {
        self.releases.is_some() || self.proposals.is_some()
    }
}

/// How many notices the home page lists.
const SHOWN_NOTICES: i64 = 5;

pub async fn home(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let p = &session.principal;
    if p.has(Role::EnterpriseUser) {
        // Enterprise accounts have their own home (APP-7).
        return Ok(axum::response::Redirect::to("/e").into_response());
    }
    let answers = p.has(Role::Secretary) || p.has(Role::DepartmentAdmin);
    let (notices, may_join) = match p.department_id {
        Some(d) if answers => {
            let rows = participants::notices(&state.db, d, state.now(), SHOWN_NOTICES)
                .await?
                .into_iter()
                .map(|n| NoticeRow {
                    body: n.body,
                    at: display(n.created_at),
                    link: match n.task_id {
                        Some(t) => format!("/tasks/{t}#participate"),
                        None => format!("/tasks?view={}", TaskView::MayJoin.as_str()),
                    },
                })
                .collect();
            let open = tasks::list(
                &state.db,
                p,
                state.now(),
                &TaskQuery {
                    view: Some(TaskView::MayJoin.as_str().to_string()),
                    per_page: Some(1),
                    ..TaskQuery::default()
                },
            )
            .await?;
            (Some(rows), open.total)
        }
        _ => (None, 0),
    };
    let rectifications = match rectification::reach_of(p) {
        Some(reach) => Some(
            rectification::waiting(
                &state.db,
                reach,
                yici_domain::time::business_date(state.now()),
            )
            .await?,
        ),
        None => None,
    };
    let page = Home {
        followups: Followups::of(&state, p).await?,
        rectifications,
        chrome: Chrome::new(&session, "home"),
        roles: p.roles.iter().map(|r| r.label()).collect(),
        login: p.login.clone(),
        notices,
        may_join,
    };
    Ok(Html(page.render()?).into_response())
}
