//! PDF through typst used as a library: the layout is printed as typst
//! markup (`markup.rs`, with `lib.typ` as its helpers) and compiled in an
//! in-memory [`World`] holding only those two files and the fonts, so no file,
//! package or network is ever reached.

pub mod fonts;
pub(crate) mod markup;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use yici_domain::documents::Sheet;

use crate::RenderError;

/// The helpers every generated document imports.
const LIB: &str = include_str!("lib.typ");

/// Compiles sheets to PDF. Build one at start-up and share it: it holds the
/// typst standard library and the font book, and typst's caches make the
/// second document of a kind much faster than the first.
pub struct PdfRenderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<FontSlot>,
    lib: Source,
    main_id: FileId,
}

/// A font known to the book, read from its file only when typst needs it
/// (a system font directory can hold hundreds of megabytes).
struct FontSlot {
    source: FontSource,
    index: u32,
    font: OnceLock<Option<Font>>,
}

enum FontSource {
    Static(&'static [u8]),
    File(PathBuf),
}

impl FontSlot {
    fn get(&self) -> Option<Font> {
        self.font
            .get_or_init(|| {
                let data = match &self.source {
                    FontSource::Static(data) => Bytes::new(*data),
                    FontSource::File(path) => Bytes::new(std::fs::read(path).ok()?),
                };
                Font::new(data, self.index)
            })
            .clone()
    }
}

impl PdfRenderer {
    /// A renderer with the vendored fonts only: the same PDF on every machine.
    pub fn new() -> Result<PdfRenderer, RenderError> {
        PdfRenderer::with_font_dirs(&[])
    }

    /// A renderer that falls back to the fonts under `dirs` (searched
    /// recursively, e.g. `/usr/share/fonts/opentype/noto`) for characters
    /// outside GB 2312, such as rare characters in people's names.
    pub fn with_font_dirs(dirs: &[PathBuf]) -> Result<PdfRenderer, RenderError> {
        let mut book = FontBook::new();
        let mut fonts = Vec::new();
        for data in [fonts::REGULAR, fonts::BOLD] {
            let mut found = false;
            for (index, info) in FontInfo::iter(data).enumerate() {
                book.push(info);
                fonts.push(FontSlot {
                    source: FontSource::Static(data),
                    index: index as u32,
                    font: OnceLock::new(),
                });
                found = true;
            }
            if !found {
                return Err(RenderError::Font("内置字体无法解析".into()));
            }
        }
        for dir in dirs {
            scan_dir(dir, &mut book, &mut fonts);
        }
        let main_id = file_id("/main.typ");
        Ok(PdfRenderer {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            lib: Source::new(file_id("/lib.typ"), LIB.to_owned()),
            main_id,
        })
    }

    /// The sheet as a PDF (A4, fonts subset-embedded).
    pub fn render(&self, sheet: &Sheet) -> Result<Vec<u8>, RenderError> {
        let source = markup::document(&crate::forms::layout(sheet));
        self.compile(source)
    }

    fn compile(&self, source: String) -> Result<Vec<u8>, RenderError> {
        let world = DocumentWorld {
            renderer: self,
            main: Source::new(self.main_id, source),
        };
        let result = typst::compile::<PagedDocument>(&world);
        // typst memoises across compilations; drop what a few documents have
        // not used so a long-running server does not grow without bound.
        typst::comemo::evict(30);
        let document = result
            .output
            .map_err(|errors| RenderError::Typeset(describe(&world, &errors)))?;
        let options = typst_pdf::PdfOptions {
            // No creation date: the same sheet gives the same bytes.
            timestamp: None,
            ..typst_pdf::PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options)
            .map(without_false_suspects)
            .map_err(|errors| RenderError::PdfExport(describe(&world, &errors)))
    }
}

/// The catalog's mark information as typst writes it.
const MARK_INFO: &[u8] = b"/MarkInfo<</Marked true/Suspects false>>";
/// The same without `/Suspects false`, padded with spaces to the same length.
const MARK_INFO_PLAIN: &[u8] = b"/MarkInfo<</Marked true>>               ";

/// Drops `/Suspects false` from the catalog's `/MarkInfo`.
///
/// typst marks its tagged PDFs `/MarkInfo << /Marked true /Suspects false >>`,
/// which is valid, but poppler up to 23.x (Debian 12's 22.12 among them)
/// reads a `false` Suspects as a wrong type: every viewer and tool built on it
/// (`pdftoppm`, `pdfinfo`, evince, okular) prints "Syntax Error: Suspects
/// object is wrong type (boolean)" on opening the file. `false` is the
/// default, so leaving the key out says the same thing. The bytes are replaced
/// by spaces of the same length so that every offset of the cross-reference
/// table stays right; only the catalog object, which typst writes
/// uncompressed, is touched.
fn without_false_suspects(mut pdf: Vec<u8>) -> Vec<u8> {
    debug_assert_eq!(MARK_INFO.len(), MARK_INFO_PLAIN.len());
    let Some(catalog) = find(&pdf, b"/Type/Catalog") else {
        return pdf;
    };
    let end = find(&pdf[catalog..], b"endobj").map_or(pdf.len(), |e| catalog + e);
    if let Some(at) = find(&pdf[catalog..end], MARK_INFO) {
        let at = catalog + at;
        pdf[at..at + MARK_INFO.len()].copy_from_slice(MARK_INFO_PLAIN);
    }
    pdf
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a valid virtual path");
    FileId::new(RootedPath::new(VirtualRoot::Project, vpath))
}

/// Adds every font file under `dir` to the book; unreadable files are skipped
/// (a fallback font is a nicety, not a requirement).
fn scan_dir(dir: &Path, book: &mut FontBook, fonts: &mut Vec<FontSlot>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    // A stable order, so the same machine always picks the same fallback.
    paths.sort();
    for path in paths {
        if path.is_dir() {
            scan_dir(&path, book, fonts);
            continue;
        }
        let is_font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        });
        if !is_font {
            continue;
        }
        let Ok(data) = std::fs::read(&path) else {
            continue;
        };
        for (index, info) in FontInfo::iter(&data).enumerate() {
            book.push(info);
            fonts.push(FontSlot {
                source: FontSource::File(path.clone()),
                index: index as u32,
                font: OnceLock::new(),
            });
        }
    }
}

/// The diagnostics with the line of the generated source they point at.
fn describe(world: &DocumentWorld, errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| {
            let line = e
                .span
                .id()
                .and_then(|id| world.source(id).ok())
                .and_then(|s| {
                    let range = world.range(e.span)?;
                    let line = s.lines().byte_to_line(range.start)?;
                    Some(format!(" (第 {} 行)", line + 1))
                })
                .unwrap_or_default();
            format!("{}{}", e.message, line)
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// One compilation's view: the shared library and fonts plus this document.
struct DocumentWorld<'a> {
    renderer: &'a PdfRenderer,
    main: Source,
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.renderer.lib.id() {
            Ok(self.renderer.lib.clone())
        } else {
            Err(FileError::NotFound(
                id.get().vpath().get_with_slash().into(),
            ))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.source(id)
            .map(|s| Bytes::from_string(s.text().to_owned()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index)?.get()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
