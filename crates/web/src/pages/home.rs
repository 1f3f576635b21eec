use askama::Template;
use axum::extract::State;
use axum::response::Html;
use yici_domain::draw::task::TaskView;
use yici_domain::org::Role;
use yici_domain::time::display;
use yici_store::draw::tasks::{self, TaskQuery};
use yici_store::joint::participants;

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
    /// 待办 (STAT-3), group by group.
    todo: Vec<super::todo::TodoGroup>,
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
    let page = Home {
        todo: super::todo::of(&state, p).await?,
        chrome: Chrome::new(&session, "home"),
        roles: p.roles.iter().map(|r| r.label()).collect(),
        login: p.login.clone(),
        notices,
        may_join,
    };
    Ok(Html(page.render()?).into_response())
}
