//! The department's and the unit's 整改跟踪: the list (overdue first, with
//! tabs per state) and one rectification with its history and the forms its
//! state allows — 保存/下发 a draft, 核查销号 or 退回, 安排复查, 移送立案,
//! 立案结果. A refused form comes back with its values and the error beside it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::rectification::{Action, DraftInput, ReferralOutcomeInput, Status, VerifyInput};
use yici_domain::time::business_date;
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::rectification::{self, flow, Filter, Reach, Rectification};

use super::RectView;
use crate::draw_access::initiator;
use crate::error::{AppError, PageResult};
use crate::pages::forms::date;
use crate::pages::layout::Chrome;
use crate::rectification_files::serve;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

struct Tab {
    href: &'static str,
    label: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "rectifications/list.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<RectView>,
    overdue: i64,
    scope: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    overdue: String,
}

fn reach(session: &Session) -> Result<Reach, AppError> {
    rectification::reach_of(&session.principal)
        .ok_or_else(|| DomainError::forbidden("您无权查看整改任务").into())
}

/// 整改跟踪: the list.
pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let reach = reach(&session)?;
    let today = business_date(state.now());
    let status = Status::parse(&q.status);
    let overdue = q.overdue == "1";
    let filter = Filter {
        status,
        overdue,
        open: q.status == "open",
        ..Filter::default()
    };
    let rows = rectification::list(&state.db, reach, today, &filter).await?;
    let tab = |href: &'static str, label: &'static str, on: bool| Tab { href, label, on };
    let is = |s: Status| status == Some(s) && !overdue;
    let tabs = vec![
        tab(
            "/rectifications?status=open",
            "办理中",
            q.status == "open" && !overdue,
        ),
        tab("/rectifications?overdue=1", "已逾期", overdue),
        tab("/rectifications?status=draft", "待下发", is(Status::Draft)),
        tab(
            "/rectifications?status=issued",
            "整改中",
            is(Status::Issued),
        ),
        tab(
            "/rectifications?status=reported",
            "待核查",
            is(Status::Reported),
        ),
        tab(
            "/rectifications?status=returned",
            "退回整改",
            is(Status::Returned),
        ),
        tab(
            "/rectifications?status=closed",
            "已销号",
            is(Status::Closed),
        ),
        tab(
            "/rectifications?status=referred",
            "移送立案",
            is(Status::Referred),
        ),
        tab(
            "/rectifications",
            "全部",
            status.is_none() && q.status != "open" && !overdue,
        ),
    ];
    let p = &session.principal;
    let scope = match reach {
        Reach::All => "全部单位".to_string(),
        Reach::Unit(_) => p.unit_name.clone().unwrap_or_default(),
        Reach::Department(_) => p.department_name.clone().unwrap_or_default(),
    };
    Ok(Html(
        ListPage {
            chrome: Chrome::new(&session, "rectifications"),
            tabs,
            rows: rows
                .iter()
                .map(|r| RectView::of(r, "/rectifications/photos/"))
                .collect(),
            overdue: rectification::overdue_count(&state.db, reach, today).await?,
            scope,
        }
        .render()?,
    ))
}

/// The values of the detail page's forms (kept when one is refused).
#[derive(Debug, Default, Deserialize)]
pub struct Forms {
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    requirement: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    verification: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    case_number: String,
    /// `save` or `issue` on the draft form.
    #[serde(default)]
    action: String,
}

#[derive(Template)]
#[template(path = "rectifications/view.html")]
struct ViewPage {
    chrome: Chrome,
    r: RectView,
    may_handle: bool,
    /// Which forms the state allows.
    can_edit: bool,
    can_verify: bool,
    can_revisit: bool,
    can_refer: bool,
    can_decide: bool,
    values: Forms,
    today: String,
    notice: Option<String>,
    error_form: &'static str,
    error: Option<String>,
    /// The result's evidence photos (for a referral's evidence).
    evidence: Vec<String>,
}

impl ViewPage {
    fn err_of(&self, form: &str) -> Option<&str> {
        (self.error_form == form)
            .then_some(())
            .and(self.error.as_deref())
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

fn notice_of(done: &str) -> Option<String> {
    Some(
        match done {
            "saved" => "已保存整改要求和期限。",
            "issued" => "已下发整改任务，企业可在企业端查看并反馈。",
            "closed" => "已核查销号。",
            "returned" => "已退回整改，企业将重新反馈。",
            "revisit" => "已生成整改复查任务，请在任务中安排检查人员。",
            "referred" => "已移送立案。",
            "decided" => "已记录立案结果。",
            _ => return None,
        }
        .to_string(),
    )
}

async fn render(
    state: &AppState,
    session: &Session,
    r: &Rectification,
    values: Option<Forms>,
    notice: Option<String>,
    error: Option<(&'static str, String)>,
) -> PageResult<ViewPage> {
    let p = &session.principal;
    let may_handle = rectification::may_handle(p, r.department_id);
    let can = |a: Action| may_handle && a.check(r.status).is_ok();
    let values = values.unwrap_or_else(|| Forms {
        legal_basis: r.legal_basis.clone(),
        requirement: r.requirement.clone(),
        deadline: r.deadline.to_string(),
        ..Forms::default()
    });
    // The photos the inspectors took: the evidence a referral carries.
    let evidence = yici_store::field::results::by_ids(&mut &state.db, &[r.result_id])
        .await?
        .into_iter()
        .flat_map(|res| res.evidence)
        .map(|e| format!("/m/evidence/{}", e.id))
        .collect();
    let (error_form, error) = match error {
        Some((f, m)) => (f, Some(m)),
        None => ("", None),
    };
    Ok(ViewPage {
        chrome: Chrome::new(session, "rectifications"),
        r: RectView::of(r, "/rectifications/photos/"),
        may_handle,
        can_edit: can(Action::Edit),
        can_verify: can(Action::Close),
        can_revisit: can(Action::PlanRevisit) && r.revisit_task_id.is_none(),
        can_refer: can(Action::Refer),
        can_decide: can(Action::DecideReferral)
            && r.referral == Some(yici_domain::rectification::Referral::Pending),
        values,
        today: business_date(state.now()).to_string(),
        notice,
        error_form,
        error,
        evidence,
    })
}

/// One rectification.
pub async fn view(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> PageResult<Html<String>> {
    let today = business_date(state.now());
    let r = rectification::get(&state.db, &session.principal, today, id).await?;
    let page = render(&state, &session, &r, None, notice_of(&d.done), None).await?;
    Ok(Html(page.render()?))
}

/// After a form: back to the page with a notice, or the page again with the
/// error beside the form that was refused.
async fn after(
    state: &AppState,
    session: &Session,
    id: i64,
    form: &'static str,
    done: &str,
    outcome: Result<Rectification, AppError>,
    values: Forms,
) -> PageResult<Response> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/rectifications/{id}?done={done}")).into_response()),
        Err(AppError::Domain(e)) => {
            let status = crate::error::status_of(&e);
            // Not found stays not found: the error page, not the form.
            if status == StatusCode::NOT_FOUND {
                return Err(AppError::Domain(e).into());
            }
            let today = business_date(state.now());
            let r = rectification::get(&state.db, &session.principal, today, id).await?;
            let page = render(
                state,
                session,
                &r,
                Some(values),
                None,
                Some((form, e.message)),
            )
            .await?;
            Ok((status, Html(page.render()?)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// 保存 or 下发 the draft.
pub async fn draft(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult<Response> {
    let outcome = async {
        let input = DraftInput {
            legal_basis: Some(f.legal_basis.clone()),
            requirement: Some(f.requirement.clone()),
            deadline: date(&f.deadline, "deadline", "整改期限应为日期")?,
        };
        let now = state.now();
        Ok(if f.action == "issue" {
            flow::issue(&state.db, now, &session.principal, id, &input).await?
        } else {
            flow::edit(&state.db, now, &session.principal, id, &input).await?
        })
    }
    .await;
    let done = if f.action == "issue" {
        "issued"
    } else {
        "saved"
    };
    after(&state, &session, id, "draft", done, outcome, f).await
}

/// 核查: 销号 or 退回.
pub async fn verify(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult<Response> {
    let outcome = async {
        let input = VerifyInput {
            decision: Some(f.decision.clone()),
            note: Some(f.note.clone()),
            verification: Some(f.verification.clone()).filter(|v| !v.is_empty()),
            deadline: date(&f.deadline, "deadline", "整改期限应为日期")?,
        };
        Ok(flow::verify(&state.db, state.now(), &session.principal, id, &input).await?)
    }
    .await;
    let done = if f.decision == "close" {
        "closed"
    } else {
        "returned"
    };
    after(&state, &session, id, "verify", done, outcome, f).await
}

/// 安排复查.
pub async fn revisit(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult<Response> {
    let outcome = async {
        let who = initiator(&session.principal, None)?;
        Ok(flow::plan_revisit(&state.db, &state.config.draw, state.now(), &who, id).await?)
    }
    .await;
    after(&state, &session, id, "revisit", "revisit", outcome, f).await
}

/// 移送立案.
pub async fn refer(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult<Response> {
    let outcome = flow::refer(
        &state.db,
        state.now(),
        &session.principal,
        id,
        Some(f.note.as_str()),
    )
    .await
    .map_err(AppError::from);
    after(&state, &session, id, "refer", "referred", outcome, f).await
}

/// 立案结果.
pub async fn referral(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult<Response> {
    let input = ReferralOutcomeInput {
        outcome: Some(f.outcome.clone()),
        case_number: Some(f.case_number.clone()),
        note: Some(f.note.clone()),
    };
    let outcome = flow::decide_referral(&state.db, state.now(), &session.principal, id, &input)
        .await
        .map_err(AppError::from);
    after(&state, &session, id, "referral", "decided", outcome, f).await
}

/// A report-back photo for the department side.
pub async fn photo(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    Ok(serve(&state, &session.principal, None, id).await?)
}
