//! Extractors whose rejections are the API's structured errors: a malformed
//! body, path or query gets `{"code","message","field"}` in Chinese, never
//! axum's plain-text default.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use yici_domain::{DomainError, ErrorKind};

use crate::error::ApiError;

pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(e) => Err(json_error(e).into()),
        }
    }
}

fn json_error(e: JsonRejection) -> DomainError {
    match e {
        JsonRejection::MissingJsonContentType(_) => DomainError::invalid(
            "invalid_body",
            "请求体须为JSON（Content-Type: application/json）",
        ),
        JsonRejection::JsonSyntaxError(e) => {
            DomainError::invalid("invalid_body", format!("JSON格式错误：{}", e.body_text()))
        }
        JsonRejection::JsonDataError(e) => {
            DomainError::invalid("invalid_body", format!("JSON字段有误：{}", e.body_text()))
        }
        // Over the router's body limit (`DefaultBodyLimit`): the client must
        // send less, which 413 says; retrying the same body cannot help.
        other if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => DomainError::new(
            ErrorKind::TooLarge,
            "body_too_large",
            format!("请求体不能超过{} MB", crate::MAX_BODY_BYTES / (1024 * 1024)),
        ),
        other => DomainError::invalid(
            "invalid_body",
            format!("请求体无法读取：{}", other.body_text()),
        ),
    }
}

pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|e: PathRejection| {
                DomainError::invalid("invalid_path", format!("路径参数有误：{}", e.body_text()))
                    .into()
            })
    }
}

pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e: QueryRejection| {
                DomainError::invalid("invalid_query", format!("查询参数有误：{}", e.body_text()))
                    .into()
            })
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}
