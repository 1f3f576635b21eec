//! The enterprise's 整改任务 on its phone (RES-1, RES-4, APP-7): the tasks
//! sent to it with their deadlines, and the report-back form (text and
//! photos). Another enterprise's task is not found; a report on a task not
//! waiting for one is refused with the reason, nothing written.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use yici_domain::org::Role;
use yici_domain::rectification::{Action, MAX_REPORT_FILES};
use yici_domain::time::business_date;
use yici_domain::{DomainError, ErrorKind};
use yici_store::auth::Session;
use yici_store::field::enterprise_accounts::EnterpriseRef;
use yici_store::rectification::{self, flow};
use yici_store::Actor;

use super::RectView;
use crate::check_in::enterprise_account;
use crate::error::{AppError, PageResult};
use crate::pages::field::FieldChrome;
use crate::rectification_files::{read_report, serve};
use crate::session::WebUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "enterprise/rectifications.html")]
struct ListPage {
    chrome: FieldChrome,
    name: String,
    open: Vec<RectView>,
    done: Vec<RectView>,
}

#[derive(Template)]
#[template(path = "enterprise/rectification.html")]
struct ViewPage {
    chrome: FieldChrome,
    r: RectView,
    may_report: bool,
    note: String,
    error: Option<String>,
    reported: bool,
    max_files: usize,
    max_mb: String,
}

/// The enterprise behind the session, or a page saying this is for enterprises.
async fn enterprise(state: &AppState, session: &Session) -> PageResult<EnterpriseRef> {
    if !session.principal.has(Role::EnterpriseUser) {
        return Err(DomainError::forbidden("企业端仅供企业账号使用").into());
    }
    Ok(enterprise_account(state, &session.principal)
        .await
        .map_err(|e| e.0)?)
}

const PHOTOS: &str = "/e/rectifications/photos/";

/// 整改任务: open ones first.
pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Html<String>> {
    let e = enterprise(&state, &session).await?;
    let today = business_date(state.now());
    let all = rectification::of_enterprise(&state.db, e.id, today).await?;
    let (open, done): (Vec<_>, Vec<_>) = all.iter().partition(|r| r.status.is_open());
    Ok(Html(
        ListPage {
            chrome: FieldChrome::of(Some(&session)),
            name: e.name,
            open: open.iter().map(|r| RectView::of(r, PHOTOS)).collect(),
            done: done.iter().map(|r| RectView::of(r, PHOTOS)).collect(),
        }
        .render()?,
    ))
}

async fn page(
    state: &AppState,
    session: &Session,
    e: &EnterpriseRef,
    id: i64,
    note: String,
    error: Option<String>,
    reported: bool,
) -> PageResult<ViewPage> {
    let today = business_date(state.now());
    let r = rectification::get_for_enterprise(&state.db, e.id, today, id).await?;
    Ok(ViewPage {
        chrome: FieldChrome::of(Some(session)),
        may_report: Action::Report.check(r.status).is_ok(),
        r: RectView::of(&r, PHOTOS),
        note,
        error,
        reported,
        max_files: MAX_REPORT_FILES,
        max_mb: format!(
            "{:.0}",
            state.config.evidence_max_bytes as f64 / (1024.0 * 1024.0)
        ),
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Reported {
    #[serde(default)]
    reported: String,
}

/// One rectification with its history and, while it waits for one, the
/// report-back form.
pub async fn view(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<Reported>,
) -> PageResult<Html<String>> {
    let e = enterprise(&state, &session).await?;
    let p = page(
        &state,
        &session,
        &e,
        id,
        String::new(),
        None,
        q.reported == "1",
    )
    .await?;
    Ok(Html(p.render()?))
}

/// 提交整改反馈 (multipart: `note`, `photos`, `_csrf`). A refused report
/// comes back with its text (photos must be chosen again).
pub async fn report(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    req: Request,
) -> PageResult<Response> {
    let e = enterprise(&state, &session).await?;
    let max = state.config.evidence_max_bytes;
    let mut note = String::new();
    let outcome = async {
        let form = read_report(&state, req, max).await?;
        note = form.report.note.clone().unwrap_or_default();
        let given = form.csrf.clone().unwrap_or_default();
        if given.is_empty() || given != session.csrf_token {
            return Err(AppError::from(DomainError::new(
                ErrorKind::Forbidden,
                "csrf",
                "页面已过期或来源不明，请刷新页面后重试",
            )));
        }
        let mover = flow::Mover::Enterprise {
            enterprise_id: e.id,
            name: &e.name,
            actor: Actor::from(&session.principal),
        };
        flow::report(
            &state.db,
            &state.config.evidence_dir,
            max,
            state.now(),
            &mover,
            id,
            form.report,
        )
        .await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/e/rectifications/{id}?reported=1")).into_response()),
        // Someone else's or unknown: the plain not-found page.
        Err(AppError::Domain(err)) if err.kind != ErrorKind::NotFound => {
            let status = crate::error::status_of(&err);
            let p = page(&state, &session, &e, id, note, Some(err.message), false).await?;
            Ok((status, Html(p.render()?)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// A report photo of the enterprise's own rectification.
pub async fn photo(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let e = enterprise(&state, &session).await?;
    Ok(serve(&state, &session.principal, Some(e.id), id).await?)
}
