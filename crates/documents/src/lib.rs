//! The six official inspection documents of 《生态环境行政检查文书基本格式文本（试行）》
//! rendered to print-faithful A4 HTML, DOCX and PDF.
//!
//! Each document is first turned into a small, format-neutral description of
//! the printed form ([`layout::Doc`]: paragraphs with blanks and check boxes,
//! bordered tables, the issuing block with its seal, notes), one module per
//! template under [`forms`]. Three back ends then print that description:
//! [`html()`], [`docx()`] and [`PdfRenderer`] (typst). So the wording of a
//! template lives in exactly one place, and the three formats cannot drift
//! apart.

mod docx;
mod fields;
mod forms;
mod html;
mod layout;
mod pdf;
mod seal;

use yici_domain::documents::Sheet;

pub use pdf::PdfRenderer;
pub use seal::seal_svg;

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The typst compiler rejected the generated document: a bug here, not
    /// bad input (user text is always passed as string literals).
    #[error("排版 PDF 失败：{0}")]
    Typeset(String),
    #[error("导出 PDF 失败：{0}")]
    PdfExport(String),
    #[error("生成 DOCX 失败：{0}")]
    Docx(String),
    #[error("绘制印章图片失败：{0}")]
    Seal(String),
    #[error("读取字体失败：{0}")]
    Font(String),
}

/// The document as a complete `<!doctype html>` page with inline CSS, one
/// `.page` per printed page where the form fixes it (the notice's front and
/// back, the 笔录's first page and 尾页).
pub fn html(sheet: &Sheet) -> String {
    html::render(&forms::layout(sheet))
}

/// The document as a Word file (A4, 仿宋_GB2312 body, the seal and the 作废 mark
/// as pictures, page fields in the 笔录's footers).
pub fn docx(sheet: &Sheet) -> Result<Vec<u8>, RenderError> {
    docx::render(&forms::layout(sheet))
}

/// The typst source a sheet's PDF is compiled from, for debugging layouts.
#[doc(hidden)]
pub fn typst_source(sheet: &Sheet) -> String {
    pdf::markup::document(&forms::layout(sheet))
}
