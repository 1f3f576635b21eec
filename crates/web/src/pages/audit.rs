//! 审计日志: the newest entries and the chain's verification (system administrator).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Redirect};
use yici_domain::org::Role;

use super::layout::Chrome;
use crate::error::PageResult;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

pub struct EntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    /// The action in words; its code shows on hover.
    pub action: String,
    pub action_code: String,
    /// The record, e.g. 检查任务 #12.
    pub entity: String,
    /// Its name and the fields changed, in words.
    pub summary: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    checked: i64,
    findings: Vec<String>,
    entries: Vec<EntryView>,
    key_id: Option<String>,
    seal_minutes: u64,
    seal_count: i64,
    seals_checked: usize,
    seals_other_key: usize,
    seal_findings: Vec<String>,
    /// "最近一次封存…" or empty.
    last_seal: String,
    seals: Vec<SealView>,
}

pub struct SealView {
    pub no: i64,
    pub at: String,
    pub head_seq: i64,
    pub head_hash: String,
    pub key_id: String,
    pub mac: String,
}

/// The first 16 hex digits: enough to compare by eye, the rest is in the database.
fn short(hex: &str) -> String {
    format!("{}…", &hex[..hex.len().min(16)])
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Html<String>> {
    session.principal.ensure(Role::SystemAdmin)?;
    let sealing = state.config.audit_seal.as_ref();
    let report = yici_store::audit::verify(&state.db, sealing.map(|s| &s.key)).await?;
    let seals = yici_store::audit::recent_seals(&state.db, 20)
        .await?
        .into_iter()
        .map(|s| SealView {
            no: s.body.no,
            at: yici_domain::time::display(s.body.sealed_at),
            head_seq: s.body.head_seq,
            head_hash: short(&s.body.head_hash),
            key_id: s.body.key_id,
            mac: short(&s.mac),
        })
        .collect();
    let entries = yici_store::audit::recent(&state.db, 100)
        .await?
        .into_iter()
        .map(|e| EntryView {
            seq: e.seq,
            at: yici_domain::time::display(e.at),
            actor: e.actor,
            action: crate::audit_words::action_label(&e.action),
            action_code: e.action,
            entity: format!(
                "{} #{}",
                crate::audit_words::entity_label(&e.entity),
                e.entity_id
            ),
            summary: crate::audit_words::summary(&e.entity, &e.before, &e.after),
        })
        .collect();
    let page = AuditPage {
        chrome: Chrome::new(&session, "audit"),
        checked: report.checked,
        findings: report
            .findings
            .iter()
            .map(crate::audit_words::chain_finding)
            .collect(),
        entries,
        key_id: sealing.map(|s| s.key.id().to_string()),
        seal_minutes: sealing.map_or(0, |s| s.every.as_secs() / 60),
        seal_count: report.last_seal.as_ref().map_or(0, |s| s.body.no),
        seals_checked: report.seals.checked,
        seals_other_key: report.seals.other_key,
        seal_findings: report
            .seals
            .findings
            .iter()
            .map(crate::audit_words::seal_finding)
            .collect(),
        last_seal: report.last_seal.as_ref().map_or(String::new(), |s| {
            format!(
                "最近一次封存于 {}，覆盖至第 {} 条（当前共 {} 条）。",
                yici_domain::time::display(s.body.sealed_at),
                s.body.head_seq,
                report.head_seq
            )
        }),
        seals,
    };
    Ok(Html(page.render()?))
}

/// 立即封存: seals the head now (the job does it every few minutes).
pub async fn seal_now(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(_): CsrfForm<super::forms::Empty>,
) -> PageResult<Redirect> {
    session.principal.ensure(Role::SystemAdmin)?;
    if let Some(sealing) = state.config.audit_seal.as_ref() {
        yici_store::audit::seal(&state.db, state.now(), &sealing.key).await?;
    }
    Ok(Redirect::to("/audit"))
}

#[derive(Template)]
#[template(path = "audit_record.html")]
struct RecordPage {
    chrome: Chrome,
    trail: crate::audit_record::RecordTrail,
    /// Where the record's own page is, for the way back.
    back: String,
}

/// 操作记录 of one person, unit or department: each entry's changed fields
/// before and after, in words.
pub async fn record(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    axum::extract::Path((kind, id)): axum::extract::Path<(String, i64)>,
) -> PageResult<Html<String>> {
    use crate::audit_record::{trail, RecordKind};
    let kind = RecordKind::parse(&kind)
        .ok_or_else(|| yici_domain::DomainError::not_found("页面或记录不存在"))?;
    let trail = trail(&state.db, &session.principal, kind, id).await?;
    let (active, back) = match kind {
        RecordKind::Person => ("people", format!("/people/{id}")),
        RecordKind::Department => ("people", format!("/people?department_id={id}")),
        RecordKind::Unit => ("org", format!("/org/units/{id}")),
    };
    let page = RecordPage {
        chrome: Chrome::new(&session, active),
        trail,
        back,
    };
    Ok(Html(page.render()?))
}
