//! The error every domain rule returns: a stable machine code, a Chinese message
//! for people, and the form field it concerns (if any). The HTTP layer renders it
//! beside the field on pages and as `{"code","message","field"}` in the API.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, utoipa::ToSchema)]
#[error("{message}")]
pub struct DomainError {
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
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        DomainError {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// An invalid value of one input field.
    pub fn field(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        DomainError {
            code,
            message: message.into(),
            field: Some(field),
        }
    }

    pub fn required(field: &'static str, label: &str) -> Self {
        Self::field(field, "required", format!("请填写{label}"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new("forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new("conflict", message)
    }
}
