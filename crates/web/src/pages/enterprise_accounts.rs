//! 企业账号开通 (SEC-5): `/enterprise-accounts`, the activation requests
//! (申请开通) in a registry editor's scope — pending ones first, each beside
//! what the registry holds for its USCC — with 开通 (the one-time initial
//! password is shown on the answer page, once) and 驳回 with a reason.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::field::sign_up::{ActivationStatus, MAX_NOTE_CHARS};
use yici_domain::time::display;
use yici_domain::ErrorKind;
use yici_store::auth::Session;
use yici_store::field::activation::{self, Activated, ActivationRequest};

use crate::error::{AppError, PageResult};
use crate::pages::layout::Chrome;
use crate::registry_access::editor_scope;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

pub struct Row {
    r: ActivationRequest,
    created: String,
    decided: String,
    pending: bool,
}

impl Row {
    fn of(r: ActivationRequest) -> Row {
        Row {
            created: display(r.created_at),
            decided: r.decided_at.map(display).unwrap_or_default(),
            pending: r.status == ActivationStatus::Pending,
            r,
        }
    }
}

pub struct Tab {
    label: &'static str,
    href: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "enterprise_accounts/list.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    pending: usize,
    /// Just opened: shown once, with its initial password.
    activated: Option<Activated>,
    rejected: Option<i64>,
    /// The row a refusal belongs to, why, and the reason as typed.
    refused: Option<(i64, String, String)>,
    max_reason: usize,
}

impl ListPage {
    fn refused_for(&self, id: &i64) -> Option<(&str, &str)> {
        self.refused
            .as_ref()
            .filter(|(r, _, _)| r == id)
            .map(|(_, m, n)| (m.as_str(), n.as_str()))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    rejected: String,
}

async fn page(
    state: &AppState,
    session: &Session,
    status: Option<ActivationStatus>,
    activated: Option<Activated>,
    rejected: Option<i64>,
    refused: Option<(i64, String, String)>,
) -> PageResult<ListPage> {
    let scope = editor_scope(&session.principal)?;
    let rows: Vec<Row> = activation::list(&state.db, &scope, status)
        .await?
        .into_iter()
        .map(Row::of)
        .collect();
    let pending = activation::pending_count(&state.db, &scope).await? as usize;
    let tab = |label, href, s: Option<ActivationStatus>| Tab {
        label,
        href,
        on: status == s,
    };
    Ok(ListPage {
        chrome: Chrome::new(session, "enterprise-accounts"),
        tabs: vec![
            tab("全部", "/enterprise-accounts", None),
            tab(
                "待处理",
                "/enterprise-accounts?status=pending",
                Some(ActivationStatus::Pending),
            ),
            tab(
                "已开通",
                "/enterprise-accounts?status=activated",
                Some(ActivationStatus::Activated),
            ),
            tab(
                "已驳回",
                "/enterprise-accounts?status=rejected",
                Some(ActivationStatus::Rejected),
            ),
        ],
        rows,
        pending,
        activated,
        rejected,
        refused,
        max_reason: MAX_NOTE_CHARS,
    })
}

/// The requests in the user's scope.
pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let status = ActivationStatus::parse(q.status.trim());
    let rejected = q.rejected.trim().parse().ok();
    Ok(Html(
        page(&state, &session, status, None, rejected, None)
            .await?
            .render()?,
    ))
}

/// A refusal shown beside its row (bad reason, already decided, not in the
/// registry …); anything else (403, 404) as an error page.
async fn refused(
    state: &AppState,
    session: &Session,
    id: i64,
    reason: String,
    e: AppError,
) -> PageResult<Response> {
    match e.domain() {
        Some(d) if matches!(d.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            let status = crate::error::status_of(d);
            let refused = Some((id, d.message.clone(), reason));
            let page = page(state, session, None, None, None, refused).await?;
            Ok((status, Html(page.render()?)).into_response())
        }
        _ => Err(e.into()),
    }
}

/// 开通: the answer page shows the initial password once; it is not kept
/// anywhere but as a hash, so a reload does not show it again.
pub async fn activate(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<RejectForm>,
) -> PageResult<Response> {
    let p = &session.principal;
    let scope = editor_scope(p)?;
    match activation::activate(&state.db, state.now(), p, &scope, id).await {
        Ok(done) => {
            let page = page(&state, &session, None, Some(done), None, None).await?;
            Ok((StatusCode::CREATED, Html(page.render()?)).into_response())
        }
        Err(e) => refused(&state, &session, id, String::new(), e.into()).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RejectForm {
    reason: String,
}

/// 驳回 with a reason.
pub async fn reject(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RejectForm>,
) -> PageResult<Response> {
    let p = &session.principal;
    let scope = editor_scope(p)?;
    match activation::reject(&state.db, state.now(), p, &scope, id, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/enterprise-accounts?rejected={id}")).into_response()),
        Err(e) => refused(&state, &session, id, f.reason, e.into()).await,
    }
}
