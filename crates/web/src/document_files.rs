//! A document as a file: print HTML, DOCX or PDF (DOC-6). Rendering is CPU
//! work, so DOCX and PDF run on the blocking pool; the PDF renderer (fonts
//! parsed once) is shared by every request of the process.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use yici_documents::PdfRenderer;
use yici_store::documents::Document;

use crate::error::AppError;

/// The three renderings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    Docx,
    Pdf,
}

/// Where Debian's fonts-noto-cjk lives. The vendored font covers GB 2312;
/// a name with a rarer character (喆, 堃) is set from these when installed,
/// read only when such a character occurs.
const SYSTEM_CJK_FONTS: &str = "/usr/share/fonts/opentype/noto";

fn pdf_renderer() -> Result<&'static PdfRenderer, AppError> {
    static RENDERER: OnceLock<Result<PdfRenderer, String>> = OnceLock::new();
    RENDERER
        .get_or_init(|| {
            PdfRenderer::with_font_dirs(&[SYSTEM_CJK_FONTS.into()]).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| AppError::Internal(format!("pdf renderer: {e}")))
}

/// The rendered bytes of a document in a format.
pub async fn render(doc: &Document, format: Format) -> Result<Vec<u8>, AppError> {
    let sheet = doc.sheet();
    match format {
        Format::Html => Ok(yici_documents::html(&sheet).into_bytes()),
        Format::Docx => tokio::task::spawn_blocking(move || yici_documents::docx(&sheet))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(format!("docx: {e}"))),
        Format::Pdf => {
            let renderer = pdf_renderer()?;
            tokio::task::spawn_blocking(move || renderer.render(&sheet))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Internal(format!("pdf: {e}")))
        }
    }
}

/// The file as an HTTP response: inline for HTML and PDF, a download for DOCX,
/// named after the document (唐环行检批〔2025〕11-1号 行政检查审批表.pdf).
pub async fn response(doc: &Document, format: Format) -> Result<Response, AppError> {
    let bytes = render(doc, format).await?;
    let (content_type, ext, disposition) = match format {
        Format::Html => ("text/html; charset=utf-8", "html", "inline"),
        Format::Pdf => ("application/pdf", "pdf", "inline"),
        Format::Docx => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            "attachment",
        ),
    };
    let name = format!("{}.{ext}", doc.title());
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "{disposition}; filename=\"document-{}.{ext}\"; filename*=UTF-8''{encoded}",
                    doc.id
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
