//! One error type for HTTP, two renderings: pages get a Chinese message (the
//! form pages show it beside the field themselves), the API gets
//! `{"code","message","field"}`. Internals of 500s are logged, never shown.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use yici_domain::DomainError;
use yici_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    Domain(DomainError),
    Internal(String),
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Domain(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => AppError::Domain(d),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// The API's error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code, e.g. `required`, `duplicate_mobile`, `forbidden`.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
    /// The offending input field, if one.
    pub field: Option<String>,
}

pub fn status_of(code: &str) -> StatusCode {
    match code {
        "unauthenticated" | "invalid_credentials" => StatusCode::UNAUTHORIZED,
        "forbidden" | "account_disabled" | "password_change_required" | "csrf" => {
            StatusCode::FORBIDDEN
        }
        "not_found" => StatusCode::NOT_FOUND,
        "conflict" | "duplicate_mobile" | "duplicate" | "duplicate_uscc" => StatusCode::CONFLICT,
        // A cap or the state of a task says no: the request was well formed.
        "cap_department"
        | "cap_unit"
        | "cap_all_levels"
        | "cap_reached"
        | "frequency_warning"
        | "task_not_cancellable"
        | "task_closed"
        | "deadline_passed" => StatusCode::CONFLICT,
        // Documents (DOC-3…DOC-5): the workflow's state says no.
        "wrong_state" | "not_approved" | "approval_required" | "no_approval" | "not_numbered"
        | "not_served" | "numbered_kind" | "remote_inspection" | "has_approval"
        | "served_after_visit" => StatusCode::CONFLICT,
        // Results (RESULT-3, RESULT-5): written once; a client id names one body.
        "already_submitted" | "client_id_conflict" | "not_checked_in" => StatusCode::CONFLICT,
        "not_on_task" | "not_participating" => StatusCode::FORBIDDEN,
        "too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "account_locked" => StatusCode::LOCKED,
        "too_many_attempts" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl AppError {
    pub fn unauthenticated() -> AppError {
        DomainError::new("unauthenticated", "请先登录").into()
    }

    fn parts(&self) -> (StatusCode, ErrorBody) {
        match self {
            AppError::Domain(d) => (
                status_of(d.code),
                ErrorBody {
                    code: d.code.to_string(),
                    message: d.message.clone(),
                    field: d.field.map(str::to_string),
                },
            ),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorBody {
                        code: "internal".into(),
                        message: "系统内部错误，请稍后再试".into(),
                        field: None,
                    },
                )
            }
        }
    }

    /// The domain error inside, for form pages that show it beside a field.
    pub fn domain(&self) -> Option<&DomainError> {
        match self {
            AppError::Domain(d) => Some(d),
            AppError::Internal(_) => None,
        }
    }
}

/// API handlers return this: JSON errors.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.0.parts();
        (status, Json(body)).into_response()
    }
}

/// Page handlers return this: an HTML error page in Chinese.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, body) = self.0.parts();
        let page = crate::pages::layout::error_page(status, &body.message);
        (status, Html(page)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T> = Result<T, PageError>;
