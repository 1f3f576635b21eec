//! One error type for HTTP, two renderings: pages get a Chinese message (the
//! form pages show it beside the field themselves), the API gets
//! `{"code","message","field"}`. Internals of 500s are logged, never shown.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use yici_domain::{DomainError, ErrorKind};
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

/// The status a domain error is answered with: decided by its kind, which
/// the code that built the error chose.
pub fn status_of(e: &DomainError) -> StatusCode {
    StatusCode::from_u16(e.kind.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

impl AppError {
    pub fn unauthenticated() -> AppError {
        DomainError::new(ErrorKind::Unauthenticated, "unauthenticated", "请先登录").into()
    }

    fn parts(&self) -> (StatusCode, ErrorBody) {
        match self {
            AppError::Domain(d) => (
                status_of(d),
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

    /// A domain error for a form page to show beside its field, or the error
    /// to render as a page of its own: a missing record (or one the person may
    /// not know of) is never shown as a remark on a form.
    pub fn for_form(self) -> Result<DomainError, AppError> {
        match self {
            AppError::Domain(d) if d.kind != ErrorKind::NotFound => Ok(d),
            other => Err(other),
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
