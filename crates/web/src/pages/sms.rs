//! 短信发件箱 (JOINT-2): every SMS the platform queued, with where it stands —
//! 待发送 / 发送中 / 已发送 / 失败, attempts, next attempt, the provider's
//! receipt and the last error. With the development outbox (the default) this
//! page is the record of what would have been sent.
//!
//! Who sees what: the system administrator sees every message with the full
//! number; a secretary account (文秘账号) and a department administrator see
//! the messages to the people of their own department (matched by mobile
//! number against the department's current people), numbers masked.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{DateTime, Timelike, Utc};
use serde::Deserialize;
use yici_domain::org::{Principal, Role, SmsOutboxReach};
use yici_domain::DomainError;
use yici_store::outbox::{self, OutboxEntry, Scope, Status};

use super::layout::Chrome;
use crate::error::PageResult;
use crate::session::WebUser;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

/// The messages a principal may read, or `None` when the page is not theirs
/// ([`Principal::sms_outbox_reach`]).
fn scope_of(p: &Principal) -> Option<Scope> {
    p.sms_outbox_reach().map(|reach| match reach {
        SmsOutboxReach::All => Scope::All,
        SmsOutboxReach::Department(d) => Scope::Department(d),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
}

pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub count: i64,
    pub active: bool,
}

pub struct RowView {
    pub id: i64,
    pub at: String,
    pub mobile: String,
    pub body: String,
    pub template: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub attempts: i64,
    pub next_attempt: String,
    pub receipt: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "sms/outbox.html")]
struct OutboxPageView {
    chrome: Chrome,
    gateway: &'static str,
    is_dev: bool,
    department_only: bool,
    tabs: Vec<Tab>,
    rows: Vec<RowView>,
    total: i64,
    first_index: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

/// `2025-06-02 09:00:30` in Shanghai (seconds matter for a 30 s backoff).
fn when(at: DateTime<Utc>) -> String {
    format!("{}:{:02}", yici_domain::time::display(at), at.second())
}

fn row(e: OutboxEntry, full_numbers: bool) -> RowView {
    let (status_class, next_attempt) = match e.status {
        // A fresh message goes out at the next round: only a retry has a time.
        Status::Pending if e.attempts == 0 => ("st-drawn", String::new()),
        Status::Pending => ("st-drawn", when(e.next_attempt_at)),
        Status::Sending => (
            "st-scheduled",
            e.lease_until
                .map(|u| format!("租约至 {}", when(u)))
                .unwrap_or_default(),
        ),
        Status::Sent => ("on", String::new()),
        Status::Failed => ("warn-tag", "不再重试".to_string()),
    };
    let receipt = match (e.provider.as_deref(), e.provider_message_id.as_deref()) {
        (Some(p), Some(id)) => format!("{} {id}", provider_label(p)),
        _ => String::new(),
    };
    let mut error = e.last_error.unwrap_or_default();
    let mobile = if full_numbers {
        e.mobile
    } else {
        // Providers may quote the number in their error text.
        let masked = yici_domain::org::mobile::mask(&e.mobile);
        error = error.replace(&e.mobile, &masked);
        masked
    };
    RowView {
        id: e.id,
        at: when(e.created_at),
        mobile,
        body: e.body,
        template: e.template,
        status: e.status.label(),
        status_class,
        attempts: e.attempts,
        next_attempt,
        receipt,
        error,
    }
}

fn provider_label(p: &str) -> &str {
    match p {
        "outbox" => "开发发件箱",
        "aliyun" => "阿里云",
        other => other,
    }
}

pub async fn outbox(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<OutboxQuery>,
) -> PageResult<Html<String>> {
    let p = &session.principal;
    let scope = scope_of(p).ok_or_else(|| {
        DomainError::forbidden("短信发件箱仅系统管理员、文秘账号和处室管理员可以查看")
    })?;
    let status = Status::parse(q.status.trim());
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let found = outbox::list(&state.db, scope, status, page, PER_PAGE).await?;
    let pages = ((found.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |page: i64| match status {
        Some(s) => format!("/sms/outbox?status={}&page={page}", s.as_str()),
        None => format!("/sms/outbox?page={page}"),
    };
    let mut tabs = vec![Tab {
        label: "全部",
        href: "/sms/outbox".into(),
        count: found.counts.iter().map(|c| c.1).sum(),
        active: status.is_none(),
    }];
    tabs.extend(found.counts.iter().map(|(s, n)| Tab {
        label: s.label(),
        href: format!("/sms/outbox?status={}", s.as_str()),
        count: *n,
        active: status == Some(*s),
    }));
    let full_numbers = p.has(Role::SystemAdmin);
    let gateway = &state.config.sms.gateway;
    let view = OutboxPageView {
        chrome: Chrome::new(&session, "sms"),
        gateway: gateway.label(),
        is_dev: gateway.provider() == "outbox",
        department_only: matches!(scope, Scope::Department(_)),
        tabs,
        rows: found
            .entries
            .into_iter()
            .map(|e| row(e, full_numbers))
            .collect(),
        total: found.total,
        first_index: (page - 1) * PER_PAGE,
        page,
        pages,
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    };
    Ok(Html(view.render()?))
}
