//! 影像资料 files (RESULT-2) as both the result pages and the field API
//! handle them: reading an upload (multipart or raw bytes, bounded), and
//! serving a stored photo to whoever may see its task.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yici_domain::field::results as rules;
use yici_domain::DomainError;
use yici_store::field::evidence;

use crate::error::AppError;
use crate::state::AppState;

/// An upload as the evidence endpoints read it.
pub struct UploadForm {
    pub bytes: Vec<u8>,
    pub client_id: Option<String>,
    pub department_id: Option<i64>,
    pub csrf: Option<String>,
}

/// Reads an upload — `multipart/form-data` (a `file` part, optional
/// `client_id`, `department_id`, `_csrf`) or the raw bytes with
/// `client_id` / `department_id` in the query — refusing more than `max`
/// bytes without reading further.
pub async fn read_upload(
    state: &AppState,
    req: Request,
    max: usize,
) -> Result<UploadForm, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let q: DepartmentAndClient = serde_urlencoded::from_str(req.uri().query().unwrap_or(""))
            .map_err(|e| DomainError::invalid("invalid_query", format!("查询参数有误：{e}")))?;
        let bytes = axum::body::to_bytes(req.into_body(), max + 1)
            .await
            .map_err(|_| rules::too_large(max))?;
        return Ok(UploadForm {
            bytes: bytes.to_vec(),
            client_id: q.client_id,
            department_id: q.department_id,
            csrf: None,
        });
    }
    let mut form = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|e| DomainError::invalid("invalid_body", format!("上传内容无法读取：{e}")))?;
    let mut out = UploadForm {
        bytes: Vec::new(),
        client_id: None,
        department_id: None,
        csrf: None,
    };
    let bad = |e: axum::extract::multipart::MultipartError| -> AppError {
        DomainError::invalid("invalid_body", format!("上传内容无法读取：{e}")).into()
    };
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" || field.file_name().is_some() {
            out.bytes = bounded(&mut field, max)
                .await
                .map_err(bad)?
                .ok_or_else(|| rules::too_large(max))?;
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "client_id" => out.client_id = Some(text),
            "department_id" => {
                out.department_id = Some(text.trim().parse().map_err(|_| {
                    DomainError::field("department_id", "invalid", "处（科）室编号有误")
                })?)
            }
            "_csrf" => out.csrf = Some(text),
            _ => {}
        }
    }
    Ok(out)
}

/// A multipart part's bytes, read chunk by chunk and given up (None) as
/// soon as they pass `max`, so an oversized part is never held whole.
pub async fn bounded(
    field: &mut axum::extract::multipart::Field<'_>,
    max: usize,
) -> Result<Option<Vec<u8>>, axum::extract::multipart::MultipartError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        if bytes.len() + chunk.len() > max {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentAndClient {
    /// Upload id made by the client: a retried upload returns the first row.
    pub client_id: Option<String>,
    pub department_id: Option<i64>,
}

/// The bytes of an evidence file with its type; the name is its SHA-256, so
/// it never changes and may be cached privately.
pub async fn serve_evidence(
    state: &AppState,
    principal: &yici_domain::org::Principal,
    id: i64,
) -> Result<Response, AppError> {
    let (e, path) = evidence::file(
        &state.db,
        &state.config.evidence_dir,
        principal,
        state.now(),
        id,
    )
    .await?;
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|e| AppError::Internal(format!("evidence read: {e}")))?
        .map_err(|err| AppError::Internal(format!("evidence file {}: {err}", e.sha256)))?;
    Ok((
        [
            // Cache-Control (no-store) and nosniff: `security_headers`.
            (header::CONTENT_TYPE, e.content_type.clone()),
            (header::ETAG, format!("\"{}\"", e.sha256)),
        ],
        Body::from(bytes),
    )
        .into_response())
}
