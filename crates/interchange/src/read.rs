//! Reading a registry spreadsheet into one [`EnterpriseInput`] per row.
//!
//! A problem of the file as a whole (encoding, missing columns, too many rows)
//! is a [`FileError`]; a problem of one cell is a [`RowIssue`] of its row and
//! never stops the other rows. Validation of the values themselves is the
//! domain's (`EnterpriseInput::validate`), done by the caller.

use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use serde::{Deserialize, Serialize};
use yici_domain::registry::enterprise::EnterpriseInput;

use crate::columns::{column_of_header, Column, Field, COLUMNS};
use crate::error::FileError;
use crate::limits::{check_archive, CellBudget, Limits};

/// The two kinds of file that can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

/// The rows of an imported file.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Every non-blank data row, in file order.
    pub rows: Vec<ParsedRow>,
    /// Headers of columns that were not recognised (or repeated), as written.
    pub ignored_columns: Vec<String>,
    /// `"UTF-8"`, `"GB18030"` (CSV saved by Excel in China) or `"XLSX"`.
    pub encoding: &'static str,
}

/// One data row of the file.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    /// 1-based row number as a spreadsheet program shows it; the header is
    /// normally row 1, so the first data row is row 2.
    pub row: usize,
    pub input: EnterpriseInput,
    /// Cells that could not be read (e.g. a longitude that is not a number).
    /// A row with issues should be rejected; its other fields are still filled.
    pub issues: Vec<RowIssue>,
}

/// Why (part of) a row was rejected, for the row-by-row import report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    /// 1-based spreadsheet row number.
    pub row: usize,
    /// Chinese column header, e.g. `中心经度`.
    pub column: String,
    /// Chinese reason, shown as is.
    pub reason: String,
}

impl RowIssue {
    pub fn new(row: usize, column: impl Into<String>, reason: impl Into<String>) -> Self {
        RowIssue {
            row,
            column: column.into(),
            reason: reason.into(),
        }
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Compound File Binary: `.xls`, `.et`, `.doc`, and encrypted `.xlsx`.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn extension(filename: Option<&str>) -> Option<String> {
    let name = filename?.rsplit(['/', '\\']).next()?;
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.trim().to_ascii_lowercase())
}

/// Tells CSV from XLSX: an XLSX is a zip archive; anything else that looks like
/// text is taken for CSV. Legacy `.xls` and other binary files are refused.
pub fn detect(bytes: &[u8], filename: Option<&str>) -> Result<FileKind, FileError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::Empty);
    }
    let ext = extension(filename);
    let ext = ext.as_deref();
    if bytes.starts_with(ZIP_MAGIC) {
        return Ok(FileKind::Xlsx);
    }
    if matches!(ext, Some("xlsx" | "xlsm")) {
        // An XLSX that is not a zip archive: damaged, or encrypted with a password.
        return Err(FileError::UnreadableXlsx {
            detail: "not a zip archive".into(),
        });
    }
    if bytes.starts_with(OLE_MAGIC)
        || matches!(
            ext,
            Some(
                "xls"
                    | "xlsb"
                    | "et"
                    | "ods"
                    | "numbers"
                    | "doc"
                    | "docx"
                    | "wps"
                    | "pdf"
                    | "zip"
                    | "rar"
                    | "7z"
            )
        )
    {
        return Err(FileError::Unsupported);
    }
    // UTF-16 text (Excel's "Unicode text") goes on to fail decoding with a
    // message about the encoding; other bytes with NULs are not text at all.
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if !utf16 && bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(FileError::Unsupported);
    }
    Ok(FileKind::Csv)
}

/// Reads a CSV or XLSX file (see [`detect`]) within `limits` (rows, cells,
/// unpacked bytes). Headers are matched after trimming, so column order is
/// free and unknown columns are ignored (and listed in [`Sheet::ignored_columns`]).
pub fn read(bytes: &[u8], filename: Option<&str>, limits: &Limits) -> Result<Sheet, FileError> {
    match detect(bytes, filename)? {
        FileKind::Csv => read_csv(bytes, limits),
        FileKind::Xlsx => read_xlsx(bytes, limits),
    }
}

// ---------------------------------------------------------------------------
// Header and cells, shared by both formats.

/// Which column each position of the header row holds.
struct Header {
    by_position: Vec<Option<&'static Column>>,
    ignored: Vec<String>,
    seen: Vec<Field>,
}

impl Header {
    fn scan<'a>(cells: impl IntoIterator<Item = (usize, &'a str)>) -> Header {
        let mut h = Header {
            by_position: Vec::new(),
            ignored: Vec::new(),
            seen: Vec::new(),
        };
        for (pos, raw) in cells {
            if h.by_position.len() <= pos {
                h.by_position.resize(pos + 1, None);
            }
            let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            if trimmed.is_empty() {
                continue;
            }
            match column_of_header(trimmed) {
                Some(c) if !h.seen.contains(&c.field) => {
                    h.seen.push(c.field);
                    h.by_position[pos] = Some(c);
                }
                // Unknown, or the second column of the same name.
                _ => h.ignored.push(trimmed.to_string()),
            }
        }
        h
    }

    fn check(self) -> Result<Header, FileError> {
        let missing: Vec<String> = COLUMNS
            .iter()
            .filter(|c| c.required && !self.seen.contains(&c.field))
            .map(|c| c.header.to_string())
            .collect();
        if missing.is_empty() {
            Ok(self)
        } else {
            Err(FileError::MissingColumns(missing))
        }
    }

    fn column_at(&self, pos: usize) -> Option<&'static Column> {
        self.by_position.get(pos).copied().flatten()
    }
}

/// Title rows (a merged cell such as 企业名录) may stand above the header: the
/// header is the first non-blank row with at least one known column, looked
/// for among the first few non-blank rows.
#[derive(Default)]
struct HeaderFinder {
    header: Option<Header>,
    titles: usize,
}

impl HeaderFinder {
    const MAX_TITLE_ROWS: usize = 5;

    /// Offers a non-blank row read while no header has been found.
    fn offer<'a>(
        &mut self,
        cells: impl IntoIterator<Item = (usize, &'a str)>,
    ) -> Result<(), FileError> {
        let h = Header::scan(cells);
        if h.seen.is_empty() && self.titles < Self::MAX_TITLE_ROWS {
            self.titles += 1;
            return Ok(());
        }
        self.header = Some(h.check()?);
        Ok(())
    }

    fn finish(self) -> Result<Header, FileError> {
        match (self.header, self.titles) {
            (Some(h), _) => Ok(h),
            (None, 0) => Err(FileError::Empty),
            (None, _) => Header::scan(std::iter::empty()).check(),
        }
    }
}

/// A cell value before it is put into its field.
enum Cell {
    Text(String),
    /// An XLSX error value such as `#N/A`.
    Error(String),
}

/// Builds the input of one row from its non-empty cells.
struct RowBuilder {
    row: usize,
    input: EnterpriseInput,
    issues: Vec<RowIssue>,
    blank: bool,
}

impl RowBuilder {
    fn new(row: usize) -> Self {
        RowBuilder {
            row,
            input: EnterpriseInput::default(),
            issues: Vec::new(),
            blank: true,
        }
    }

    fn issue(&mut self, column: &str, reason: String) {
        self.issues.push(RowIssue::new(self.row, column, reason));
    }

    /// Puts one cell into the row; `column` is `None` for an ignored column.
    fn cell(&mut self, column: Option<&'static Column>, cell: Cell) {
        let text = match cell {
            Cell::Text(t) => {
                let t = t.trim();
                if t.is_empty() {
                    return;
                }
                self.blank = false;
                unescape_formula(t).to_string()
            }
            Cell::Error(e) => {
                self.blank = false;
                if let Some(c) = column {
                    self.issue(c.header, format!("{}单元格的值是错误值{e}", c.header));
                }
                return;
            }
        };
        let Some(column) = column else { return };
        let header = column.header;
        let i = &mut self.input;
        match column.field {
            Field::Name => i.name = Some(text),
            Field::SourceName => i.source_name = Some(text),
            Field::Address => i.address = Some(text),
            Field::IndustrialPark => i.industrial_park = Some(text),
            Field::ContactName => i.contact_name = Some(text),
            Field::Status => i.status = Some(text),
            Field::Category => i.category = Some(text),
            Field::CreditGrade => i.credit_grade = Some(text),
            Field::UsccExceptionReason => i.uscc_exception_reason = Some(text),
            Field::IndustryName | Field::CityName | Field::CountyName => {}
            Field::Uscc
            | Field::PermitCode
            | Field::IndustryCode
            | Field::RegionCode
            | Field::ContactPhone => {
                if is_scientific(&text) {
                    self.issue(
                        header,
                        format!("{header}被Excel显示成了科学计数法（{text}），请把该列设置为文本格式后重新填写"),
                    );
                    return;
                }
                let slot = match column.field {
                    Field::Uscc => &mut i.uscc,
                    Field::PermitCode => &mut i.permit_code,
                    Field::IndustryCode => &mut i.industry_code,
                    Field::RegionCode => &mut i.region_code,
                    _ => &mut i.contact_phone,
                };
                *slot = Some(text);
            }
            Field::PostalCode => {
                // Excel drops the leading zero of 064100 when the cell is a number.
                let padded = if !text.is_empty()
                    && text.len() < 6
                    && text.bytes().all(|b| b.is_ascii_digit())
                {
                    format!("{text:0>6}")
                } else {
                    text
                };
                i.postal_code = Some(padded);
            }
            Field::Longitude | Field::Latitude => match parse_degrees(&text) {
                Some(v) if column.field == Field::Longitude => i.longitude = Some(v),
                Some(v) => i.latitude = Some(v),
                None => self.issue(header, format!("{header}不是数字：{text}")),
            },
            Field::PositiveList => match parse_yes_no(&text) {
                Some(b) => i.positive_list = Some(b),
                None => self.issue(header, format!("正面清单只能填写“是”或“否”：{text}")),
            },
        }
    }

    fn finish(self) -> Option<ParsedRow> {
        (!self.blank).then_some(ParsedRow {
            row: self.row,
            input: self.input,
            issues: self.issues,
        })
    }
}

/// CSV exports prefix cells that Excel would run as a formula with `'`; a cell
/// read back loses that apostrophe again.
fn unescape_formula(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

/// `9.1130200699229E+17`: what Excel shows (and saves to CSV) for a long
/// number in a cell of the General format. The digits are lost.
fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && !exp.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().any(|b| b.is_ascii_digit())
        && exp.bytes().all(|b| b.is_ascii_digit())
}

fn parse_degrees(s: &str) -> Option<f64> {
    let s = s.strip_suffix('°').unwrap_or(s).trim();
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn parse_yes_no(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "是" | "true" | "1" | "y" | "yes" => Some(true),
        "否" | "false" | "0" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// Collects rows and enforces the row limit.
struct Rows {
    rows: Vec<ParsedRow>,
    max: usize,
}

impl Rows {
    fn push(&mut self, row: RowBuilder) -> Result<(), FileError> {
        if let Some(r) = row.finish() {
            if self.rows.len() >= self.max {
                return Err(FileError::TooManyRows(self.max));
            }
            self.rows.push(r);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// CSV

fn decode(bytes: &[u8]) -> Result<(String, &'static str), FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), "UTF-8")),
        Err(_) => {
            let bytes = bytes.strip_prefix(b"\x84\x31\x95\x33").unwrap_or(bytes);
            encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|s| (s.into_owned(), "GB18030"))
                .ok_or(FileError::Undecodable)
        }
    }
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Sheet, FileError> {
    let (text, encoding) = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // A spreadsheet program shows each line of the file as a row, blank lines
    // included (csv skips them), except that a quoted cell with line breaks
    // stays on one row. So a record's row is its line less the line breaks
    // inside the cells of the records before it.
    let raw = text.as_bytes();
    let mut scanned = 0usize;
    let mut lines_before = 0usize;
    let mut breaks_inside_cells = 0usize;
    let mut finder = HeaderFinder::default();
    let mut rows = Rows {
        rows: Vec::new(),
        max: limits.max_rows,
    };
    let mut cells = CellBudget::new(limits);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let row = e.position().map_or(0, |p| p.line() as usize);
                return Err(FileError::MalformedCsv {
                    row,
                    detail: e.to_string(),
                });
            }
        }
        cells.take(record.len())?;
        // The bytes read for this record: the end of the previous record's
        // terminator, any blank lines, then the record itself.
        let start = record
            .position()
            .map_or(scanned, |p| p.byte() as usize)
            .max(scanned);
        let end = (reader.position().byte() as usize).clamp(start, raw.len());
        let lead = raw[start..end]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        lines_before += count_newlines(&raw[scanned..start + lead]);
        scanned = start + lead;
        let row = (lines_before + 1)
            .saturating_sub(breaks_inside_cells)
            .max(1);
        breaks_inside_cells += record
            .iter()
            .map(|f| count_newlines(f.as_bytes()))
            .sum::<usize>();

        let Some(h) = &finder.header else {
            if !record.iter().all(|f| f.trim().is_empty()) {
                finder.offer(record.iter().enumerate())?;
            }
            continue;
        };
        let mut b = RowBuilder::new(row);
        let mut extra = 0;
        for (pos, field) in record.iter().enumerate() {
            if pos >= h.by_position.len() && !field.trim().is_empty() {
                extra += 1;
            }
            b.cell(h.column_at(pos), Cell::Text(field.to_string()));
        }
        if extra > 0 {
            b.issue(
                "（整行）",
                format!(
                    "该行比表头多出{extra}个单元格，可能是某个单元格含英文逗号却未加英文双引号，各列内容可能错位"
                ),
            );
        }
        rows.push(b)?;
    }
    let header = finder.finish()?;
    Ok(Sheet {
        rows: rows.rows,
        ignored_columns: header.ignored,
        encoding,
    })
}

// ---------------------------------------------------------------------------
// XLSX

fn unreadable(e: impl std::fmt::Display) -> FileError {
    FileError::UnreadableXlsx {
        detail: e.to_string(),
    }
}

/// The text of a number cell: integers without `.0`, so that 行业代码 2710
/// stored as a number reads as `2710`.
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn xlsx_cell(v: DataRef<'_>) -> Cell {
    Cell::Text(match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s,
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => number_text(d.as_f64()),
        DataRef::Error(e) => return Cell::Error(e.to_string()),
    })
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Sheet, FileError> {
    check_archive(bytes, limits)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let sheets = book.sheets_metadata();
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    let name = worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
        .ok_or(FileError::NoWorksheet)?;
    let mut cells = book.worksheet_cells_reader(&name).map_err(unreadable)?;

    let mut finder = HeaderFinder::default();
    let mut rows = Rows {
        rows: Vec::new(),
        max: limits.max_rows,
    };
    let mut budget = CellBudget::new(limits);
    // Cells come row by row; gather one row's cells, then use them.
    let mut current: Option<(u32, Vec<(usize, Cell)>)> = None;
    let mut flush = |row: u32, row_cells: Vec<(usize, Cell)>| -> Result<(), FileError> {
        match &finder.header {
            None => {
                let texts: Vec<(usize, &str)> = row_cells
                    .iter()
                    .filter_map(|(p, c)| match c {
                        Cell::Text(t) if !t.trim().is_empty() => Some((*p, t.as_str())),
                        _ => None,
                    })
                    .collect();
                if !texts.is_empty() {
                    finder.offer(texts)?;
                }
            }
            Some(h) => {
                let mut b = RowBuilder::new(row as usize + 1);
                for (pos, cell) in row_cells {
                    b.cell(h.column_at(pos), cell);
                }
                rows.push(b)?;
            }
        }
        Ok(())
    };
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        budget.take(1)?;
        let (r, c) = cell.get_position();
        let value = xlsx_cell(cell.get_value().clone());
        match &mut current {
            Some((row, list)) if *row == r => list.push((c as usize, value)),
            _ => {
                if let Some((row, list)) = current.take() {
                    flush(row, list)?;
                }
                current = Some((r, vec![(c as usize, value)]));
            }
        }
    }
    if let Some((row, list)) = current.take() {
        flush(row, list)?;
    }
    let header = finder.finish()?;
    Ok(Sheet {
        rows: rows.rows,
        ignored_columns: header.ignored,
        encoding: "XLSX",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_people_typed_them() {
        assert_eq!(number_text(2710.0), "2710");
        assert_eq!(number_text(130229.0), "130229");
        assert_eq!(number_text(117.74), "117.74");
        assert_eq!(number_text(-3.0), "-3");
    }

    #[test]
    fn scientific_notation_is_recognised() {
        assert!(is_scientific("9.1130200699229E+17"));
        assert!(is_scientific("1.30229E+11"));
        assert!(!is_scientific("91130200699229617X"));
        assert!(!is_scientific("E+"));
        assert!(!is_scientific("3110"));
    }

    #[test]
    fn detection() {
        assert_eq!(detect(b"a,b\n", Some("x.csv")), Ok(FileKind::Csv));
        assert_eq!(detect(b"PK\x03\x04rest", None), Ok(FileKind::Xlsx));
        assert_eq!(detect(b"  \n", None), Err(FileError::Empty));
        assert_eq!(
            detect(OLE_MAGIC, Some("名录.xls")),
            Err(FileError::Unsupported)
        );
        assert_eq!(
            detect(b"a,b", Some("名录.XLS")),
            Err(FileError::Unsupported)
        );
        assert_eq!(
            detect(OLE_MAGIC, Some("名录.xlsx")).unwrap_err().code(),
            "unreadable_xlsx"
        );
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None),
            Err(FileError::Unsupported)
        );
    }

    #[test]
    fn yes_no_values() {
        for y in ["是", "true", "TRUE", "1", "Y", "y"] {
            assert_eq!(parse_yes_no(y), Some(true), "{y}");
        }
        for n in ["否", "false", "0", "N"] {
            assert_eq!(parse_yes_no(n), Some(false), "{n}");
        }
        assert_eq!(parse_yes_no("可能"), None);
    }
}
