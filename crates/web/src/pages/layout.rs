//! What every page shares: the top bar, the menu, the user's place.

use askama::Template;
use axum::http::StatusCode;
use yici_domain::org::Role;
use yici_store::auth::Session;

/// The frame around a page's content.
pub struct Chrome {
    pub display_name: String,
    pub org_line: String,
    pub csrf: String,
    /// Menu entry to highlight.
    pub active: &'static str,
    pub is_sysadmin: bool,
    /// 短信发件箱 in the menu: system administrator, secretary accounts and
    /// department administrators ([`yici_domain::org::Principal::sms_outbox_reach`]).
    pub sees_sms_outbox: bool,
    /// 整改跟踪 in the menu: the department's people, the unit's head and office.
    pub sees_rectifications: bool,
    /// 检查评价 in the menu: the unit's office and leaders only (RES-4).
    pub sees_ratings: bool,
    /// 结果公开 in the menu: the unit's office and head, who release (RES-2).
    pub sees_publication: bool,
    /// 企业导入 in the menu: those whose role edits the registry (SEC-3).
    pub sees_import: bool,
    /// 企业账号开通 in the menu: those whose role edits the registry (SEC-5).
    pub sees_enterprise_accounts: bool,
    /// 执法端（手机）: people only (it lists their own inspections; a
    /// secretary or system account has none and would be refused).
    pub sees_field_app: bool,
    /// 信用评价 in the menu: registry editors and leaders (RES-3).
    pub sees_credit: bool,
    /// 监督预警 in the menu: the unit's head and office, department heads (STAT-2).
    pub sees_warnings: bool,
    /// 统计分析 in the menu: unit heads, office, department heads, system admin (STAT-1).
    pub sees_statistics: bool,
}

impl Chrome {
    pub fn new(session: &Session, active: &'static str) -> Chrome {
        let p = &session.principal;
        let org_line = [p.unit_name.as_deref(), p.department_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        Chrome {
            display_name: p.display_name.clone(),
            org_line,
            csrf: session.csrf_token.clone(),
            active,
            is_sysadmin: p.has(Role::SystemAdmin),
            sees_sms_outbox: p.sms_outbox_reach().is_some(),
            sees_import: crate::registry_access::may_edit(p),
            sees_enterprise_accounts: crate::registry_access::may_edit(p),
            sees_field_app: p.person_id.is_some(),
            sees_credit: crate::registry_access::may_edit(p) || crate::credit_access::may_decide(p),
            sees_rectifications: yici_store::rectification::reach_of(p).is_some(),
            sees_ratings: yici_domain::ratings::may_read(p),
            sees_publication: yici_store::publication::may_release(p),
            sees_warnings: yici_domain::warnings::reach_of(p).is_some(),
            sees_statistics: yici_store::statistics::may_read(p),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'static str,
    message: &'a str,
}

/// The error page's heading: what kind of refusal it is, in words (people
/// read no status codes).
fn heading_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "输入有误",
        401 => "请先登录",
        403 => "无权进行此操作",
        404 => "页面或记录不存在",
        409 => "当前状态不允许此操作",
        413 => "内容超过大小限制",
        423 => "账号已锁定",
        429 => "请求过于频繁",
        s if s >= 500 => "系统出错，请稍后重试",
        _ => "操作未能完成",
    }
}

pub fn error_page(status: StatusCode, message: &str) -> String {
    ErrorPage {
        heading: heading_of(status),
        message,
    }
    .render()
    .unwrap_or_else(|_| message.to_string())
}
