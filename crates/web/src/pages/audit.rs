//! 审计日志: the newest entries and the chain's verification (system administrator).

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use yici_domain::org::Role;

use super::layout::Chrome;
use crate::error::PageResult;
use crate::session::WebUser;
use crate::state::AppState;

pub struct EntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    checked: i64,
    findings: Vec<String>,
    entries: Vec<EntryView>,
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Html<String>> {
    session.principal.ensure(Role::SystemAdmin)?;
    let report = yici_store::audit::verify(&state.db).await?;
    let entries = yici_store::audit::recent(&state.db, 100)
        .await?
        .into_iter()
        .map(|e| EntryView {
            seq: e.seq,
            at: yici_domain::time::display(e.at),
            actor: e.actor,
            action: e.action,
            entity: format!("{} #{}", e.entity, e.entity_id),
            before: e.before,
            after: e.after,
        })
        .collect();
    let page = AuditPage {
        chrome: Chrome::new(&session, "audit"),
        checked: report.checked,
        findings: report.findings.iter().map(ToString::to_string).collect(),
        entries,
    };
    Ok(Html(page.render()?))
}
