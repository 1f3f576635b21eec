//! 整改反馈 uploads and photos, as both the enterprise's pages and the API
//! handle them: one multipart form with the text (`note`), up to nine
//! `photos` and, from a page, `_csrf`; and serving a stored photo to whoever
//! may read its rectification.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use yici_domain::field::results as rules;
use yici_domain::rectification::MAX_REPORT_FILES;
use yici_domain::DomainError;
use yici_store::rectification::{self, flow::Report};

use crate::error::AppError;
use crate::evidence_files::bounded;
use crate::state::AppState;

/// The longest text part read (the note is at most 1,000 characters).
const MAX_TEXT_PART: usize = 64 * 1024;

/// A report-back as read from the request.
pub struct ReportForm {
    pub report: Report,
    pub csrf: Option<String>,
}

/// Reads the multipart report, refusing a photo over `max` bytes or more
/// than nine photos without reading further. Empty file parts (a form
/// posted with no photo chosen) are skipped.
pub async fn read_report(
    state: &AppState,
    req: Request,
    max: usize,
) -> Result<ReportForm, AppError> {
    let mut form = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|e| DomainError::invalid("invalid_body", format!("上传内容无法读取：{e}")))?;
    let bad = |e: axum::extract::multipart::MultipartError| -> AppError {
        DomainError::invalid("invalid_body", format!("上传内容无法读取：{e}")).into()
    };
    let mut out = ReportForm {
        report: Report {
            note: None,
            photos: Vec::new(),
        },
        csrf: None,
    };
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "photos" || field.file_name().is_some() {
            let bytes = bounded(&mut field, max)
                .await
                .map_err(bad)?
                .ok_or_else(|| rules::too_large(max))?;
            if bytes.is_empty() {
                continue;
            }
            if out.report.photos.len() == MAX_REPORT_FILES {
                return Err(DomainError::field(
                    "photos",
                    "too_many",
                    format!("整改照片最多{MAX_REPORT_FILES}张"),
                )
                .into());
            }
            out.report.photos.push(bytes);
            continue;
        }
        // Text parts are short; read them bounded like the photos.
        let bytes = bounded(&mut field, MAX_TEXT_PART)
            .await
            .map_err(bad)?
            .ok_or_else(|| DomainError::field("note", "too_long", "整改情况说明过长"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| DomainError::invalid("invalid_body", "表单文字不是UTF-8编码"))?;
        match name.as_str() {
            "note" => out.report.note = Some(text),
            "_csrf" => out.csrf = Some(text),
            _ => {}
        }
    }
    Ok(out)
}

/// A report photo's bytes: `enterprise` is the enterprise asking (it sees
/// only its own), None for the department side.
pub async fn serve(
    state: &AppState,
    principal: &yici_domain::org::Principal,
    enterprise: Option<i64>,
    id: i64,
) -> Result<Response, AppError> {
    let (f, path) = rectification::file(
        &state.db,
        &state.config.evidence_dir,
        principal,
        enterprise,
        yici_domain::time::business_date(state.now()),
        id,
    )
    .await?;
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|e| AppError::Internal(format!("rectification photo read: {e}")))?
        .map_err(|err| AppError::Internal(format!("rectification photo {}: {err}", f.sha256)))?;
    Ok((
        [
            // Caching and nosniff come from the security headers layer.
            (header::CONTENT_TYPE, f.content_type.clone()),
            (header::ETAG, format!("\"{}\"", f.sha256)),
        ],
        Body::from(bytes),
    )
        .into_response())
}
