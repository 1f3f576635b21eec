//! The error every domain rule returns: what kind of refusal it is, a stable
//! machine code, a Chinese message for people, and the form field it concerns
//! (if any). The HTTP layer renders it beside the field on pages and as
//! `{"code","message","field"}` in the API; the HTTP status follows from the
//! kind alone, so the place that builds an error decides how it is answered.

use serde::Serialize;

/// What kind of "no" an error is. Chosen where the error is built, never
/// looked up from its code afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input itself is malformed or breaks a rule about its values.
    Invalid,
    /// Nobody is logged in, or the credentials are wrong.
    Unauthenticated,
    /// The person is known but may not do this.
    Forbidden,
    /// No such record — or one the person may not know exists.
    NotFound,
    /// The request is well formed, but the state of things says no: a cap,
    /// a workflow state, a closed task, a duplicate, a concurrent change.
    Conflict,
    /// The account is locked after failed logins.
    Locked,
    /// Too many attempts in a short time.
    RateLimited,
    /// An upload is larger than allowed.
    TooLarge,
}

impl ErrorKind {
    /// Every kind, for documentation and tests that walk them.
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::Invalid,
        ErrorKind::Unauthenticated,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Locked,
        ErrorKind::RateLimited,
        ErrorKind::TooLarge,
    ];

    /// The HTTP status this kind is answered with (a plain number: the domain
    /// knows nothing of HTTP crates).
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorKind::Invalid => 422,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Locked => 423,
            ErrorKind::RateLimited => 429,
            ErrorKind::TooLarge => 413,
        }
    }

    /// One line for the API documentation of this kind's status.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorKind::Invalid => "输入有误：格式或取值不符合规则（field 指出字段）",
            ErrorKind::Unauthenticated => "未登录、令牌无效或账号密码错误",
            ErrorKind::Forbidden => "无权进行此操作",
            ErrorKind::NotFound => "记录不存在或无权查看",
            ErrorKind::Conflict => "当前状态不允许：频次上限、文书或任务状态、重复记录、并发修改",
            ErrorKind::Locked => "账号已锁定",
            ErrorKind::RateLimited => "尝试过于频繁",
            ErrorKind::TooLarge => "上传内容超过大小限制",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, utoipa::ToSchema)]
#[error("{message}")]
pub struct DomainError {
    /// How the refusal is answered; not part of the body clients read.
    #[serde(skip)]
    pub kind: ErrorKind,
    /// Stable, English, snake_case: clients branch on it.
    pub code: &'static str,
    /// Simplified Chinese, shown to the user as is.
    pub message: String,
    /// Name of the offending input field, as spelled in forms and JSON bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        DomainError {
            kind,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Bad input not tied to one field.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, code, message)
    }

    /// An invalid value of one input field.
    pub fn field(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self::invalid(code, message).on(field)
    }

    /// The same error, shown beside `field` (whatever its kind).
    pub fn on(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub fn required(field: &'static str, label: &str) -> Self {
        Self::field(field, "required", format!("请填写{label}"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, "not_found", message)
    }

    /// The state of things says no; `code` tells clients which state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_invalid_input_and_name_their_field() {
        let e = DomainError::field("uscc", "uscc_check_failed", "校验位错误");
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.field, Some("uscc"));
        assert_eq!(e.kind.http_status(), 422);
    }

    #[test]
    fn a_conflict_keeps_its_kind_when_shown_beside_a_field() {
        let e = DomainError::conflict("duplicate_mobile", "手机号已被使用").on("mobile");
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(e.field, Some("mobile"));
        assert_eq!(e.kind.http_status(), 409);
    }

    #[test]
    fn every_kind_has_its_own_status_and_a_description() {
        let mut statuses: Vec<u16> = ErrorKind::ALL.iter().map(|k| k.http_status()).collect();
        statuses.sort_unstable();
        statuses.dedup();
        assert_eq!(statuses.len(), ErrorKind::ALL.len());
        assert!(ErrorKind::ALL.iter().all(|k| !k.description().is_empty()));
    }

    #[test]
    fn the_kind_is_not_part_of_the_serialised_body() {
        let body = serde_json::to_value(DomainError::not_found("无此任务")).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": "not_found", "message": "无此任务"})
        );
    }
}
