//! Writing the registry spreadsheet: exports and the blank templates.

use std::borrow::Cow;

use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};
use yici_domain::registry::enterprise::{CreditGrade, EnterpriseStatus, SupervisionCategory};

use crate::columns::{display_header, Field, COLUMNS};
use crate::error::FileError;

fn write_error(e: XlsxError) -> FileError {
    FileError::WriteXlsx {
        detail: e.to_string(),
    }
}

/// Excel runs a CSV cell that starts with one of these as a formula; an
/// exported name such as `=HYPERLINK(…)` must stay text. The reader removes
/// the `'` again.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A CSV of the header row and `rows` (one string per column, in the order of
/// [`columns`](crate::columns())), in UTF-8 with a BOM so that Excel opens it
/// as such, with CRLF line ends. Short rows are padded with empty cells.
pub fn write_csv(rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(CSV_BOM);
    let header: Vec<String> = COLUMNS.iter().map(display_header).collect();
    csv_records(&mut out, std::iter::once(header).chain(rows), COLUMNS.len());
    out
}

/// The UTF-8 byte order mark: Excel and WPS read a CSV as UTF-8 only with it.
pub const CSV_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Appends `rows` to `out` as CSV records (CRLF line ends, formula-looking
/// cells neutralised), each padded with empty cells to `width`: a stream of
/// records is written chunk by chunk with the same rules as a whole file.
pub fn csv_records(out: &mut Vec<u8>, rows: impl IntoIterator<Item = Vec<String>>, width: usize) {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(out);
    // Writing into a Vec cannot fail.
    for row in rows {
        for cell in &row {
            w.write_field(csv_cell(cell).as_bytes())
                .expect("write to memory");
        }
        for _ in row.len()..width {
            w.write_field(b"").expect("write to memory");
        }
        w.write_record(None::<&[u8]>).expect("write to memory");
    }
    w.flush().expect("write to memory");
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not
/// starting or ending with `'`.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim();
    if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") {
        "企业名录".to_string()
    } else {
        cleaned.to_string()
    }
}

/// Lays out a data sheet: named, header row bold and frozen, the columns'
/// widths, every column formatted as text (so codes keep their leading zeros,
/// also in cells typed later), then the rows, with a filter on the header.
/// Returns the number of data rows.
fn data_sheet(
    sheet: &mut Worksheet,
    name: &str,
    columns: &[(String, f64)],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<u32, XlsxError> {
    sheet.set_name(sheet_name(name))?;
    let text = Format::new().set_num_format("@");
    let bold = Format::new()
        .set_num_format("@")
        .set_bold()
        .set_background_color(0xDDEBF7);
    for (i, (header, width)) in columns.iter().enumerate() {
        let i = i as u16;
        sheet.set_column_width(i, *width)?;
        sheet.set_column_format(i, &text)?;
        sheet.write_string_with_format(0, i, header, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut n = 0u32;
    for row in rows {
        n += 1;
        for (i, cell) in row.into_iter().enumerate().take(columns.len()) {
            if !cell.is_empty() {
                sheet.write_string(n, i as u16, cell)?;
            }
        }
    }
    sheet.autofilter(0, 0, n, columns.len() as u16 - 1)?;
    Ok(n)
}

/// The registry's columns as the sheet heads them.
fn registry_columns() -> Vec<(String, f64)> {
    COLUMNS
        .iter()
        .map(|c| (display_header(c), c.width))
        .collect()
}

/// A one-sheet XLSX of any table (task lists, statistics): `columns` are
/// the headers with their widths, every cell is text.
pub fn table_xlsx(
    sheet_name: &str,
    columns: &[(&str, f64)],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, FileError> {
    tables_xlsx(vec![Table {
        sheet_name,
        columns,
        rows: rows.into_iter().collect(),
    }])
}

/// One sheet of [`tables_xlsx`].
pub struct Table<'a> {
    pub sheet_name: &'a str,
    /// Headers with their widths.
    pub columns: &'a [(&'a str, f64)],
    pub rows: Vec<Vec<String>>,
}

/// An XLSX of several tables, one sheet each, in order (a plan's item list
/// and its rows); every cell is text. Sheet names must differ.
pub fn tables_xlsx(tables: Vec<Table>) -> Result<Vec<u8>, FileError> {
    let mut book = Workbook::new();
    for table in tables {
        let columns: Vec<(String, f64)> = table
            .columns
            .iter()
            .map(|(h, w)| (h.to_string(), *w))
            .collect();
        let sheet = book.add_worksheet_with_low_memory().map_err(write_error)?;
        data_sheet(sheet, table.sheet_name, &columns, table.rows).map_err(write_error)?;
    }
    book.save_to_buffer().map_err(write_error)
}

/// An XLSX of the header row and `rows` (one string per column, in the order
/// of [`columns`](crate::columns())), on one sheet named `sheet_name` (made
/// acceptable to Excel). All cells are text.
pub fn write_xlsx(
    rows: impl IntoIterator<Item = Vec<String>>,
    sheet_name: &str,
) -> Result<Vec<u8>, FileError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_low_memory().map_err(write_error)?;
    data_sheet(sheet, sheet_name, &registry_columns(), rows).map_err(write_error)?;
    book.save_to_buffer().map_err(write_error)
}

/// The example row of the templates: a steel works in Yutian County, Tangshan.
pub fn example_row() -> Vec<String> {
    [
        "唐山市玉田县宏达钢铁有限公司",
        "唐山市玉田县宏达钢铁有限公司",
        "91130200699229617X",
        "91130200699229617X001P",
        "河北省唐山市玉田县经济开发区钢城路8号",
        "3110",
        "炼铁",
        "064100",
        "117.74",
        "39.89",
        "130229",
        "唐山市",
        "玉田县",
        "玉田县经济开发区",
        "张建国",
        "0315-6112345",
        "正常",
        "重点排污单位",
        "B",
        "否",
        "",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// A CSV template: the header row and [`example_row`].
pub fn template_csv() -> Vec<u8> {
    write_csv([example_row()])
}

fn labels<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|&v| label(v)).collect()
}

/// What the 填写说明 sheet says of a column.
fn explanation(field: Field) -> String {
    let status = labels(EnterpriseStatus::ALL, EnterpriseStatus::label).join("、");
    let category = labels(SupervisionCategory::ALL, SupervisionCategory::label).join("、");
    let grades = labels(CreditGrade::ALL, CreditGrade::as_str).join("、");
    match field {
        Field::Name => "营业执照上的单位名称，不超过100字".into(),
        Field::SourceName => "不填时与排污单位名称相同，不超过100字".into(),
        Field::Uscc => "18位统一社会信用代码（GB 32100-2015），校验位须正确；请使用文本格式，以免显示为科学计数法".into(),
        Field::PermitCode => "《排污许可证申请与核发技术规范》（HJ 608-2017）的代码，前18位须与统一社会信用代码一致，如91130200699229617X001P".into(),
        Field::Address => "生产经营场所地址，不超过200字".into(),
        Field::IndustryCode => "《国民经济行业分类》（GB/T 4754-2017）的4位小类代码，如3110（炼铁）".into(),
        Field::IndustryName => "导入时不读取，由行业代码自动确定".into(),
        Field::PostalCode => "6位数字，如064100".into(),
        Field::Longitude => "十进制度数，如117.74；须与中心纬度同时填写，位于中国境内".into(),
        Field::Latitude => "十进制度数，如39.89；须与中心经度同时填写，位于中国境内".into(),
        Field::RegionCode => "GB/T 2260的6位区县代码，如130229（玉田县）；填写9位或12位乡镇代码时按前6位处理".into(),
        Field::CityName => "导入时不读取，由行政区划代码自动确定".into(),
        Field::CountyName => "导入时不读取，由行政区划代码自动确定".into(),
        Field::IndustrialPark => "所在工业园区名称，不超过100字".into(),
        Field::ContactName => "不超过30字".into(),
        Field::ContactPhone => "只能包含数字和“-”，如0315-6112345".into(),
        Field::Status => format!("{status}之一，不填为正常"),
        Field::Category => format!("{category}之一，不填为一般排污单位"),
        Field::CreditGrade => format!("{grades}之一，未评级的留空"),
        Field::PositiveList => "是或否，不填为否".into(),
        Field::UsccExceptionReason => {
            "仅当统一社会信用代码校验位不通过、但经核对确与营业执照一致时填写原因；只有具备相应权限的用户导入时才被接受".into()
        }
    }
}

fn template_workbook() -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();

    let sheet = book.add_worksheet();
    data_sheet(sheet, "企业名录", &registry_columns(), [example_row()])?;
    // Drop-down lists for the columns with fixed values, over the rows that
    // will be filled in.
    let lists: [(Field, Vec<&str>); 4] = [
        (
            Field::Status,
            labels(EnterpriseStatus::ALL, EnterpriseStatus::label),
        ),
        (
            Field::Category,
            labels(SupervisionCategory::ALL, SupervisionCategory::label),
        ),
        (
            Field::CreditGrade,
            labels(CreditGrade::ALL, CreditGrade::as_str),
        ),
        (Field::PositiveList, vec!["是", "否"]),
    ];
    for (field, values) in lists {
        let col = COLUMNS
            .iter()
            .position(|c| c.field == field)
            .unwrap_or_default() as u16;
        let v = DataValidation::new()
            .allow_list_strings(&values)?
            .set_error_title("填写有误")?
            .set_error_message(format!("请从下拉列表中选择：{}", values.join("、")))?;
        sheet.add_data_validation(1, col, 10_000, col, &v)?;
    }

    let help = book.add_worksheet();
    help.set_name("填写说明")?;
    let bold = Format::new().set_bold().set_background_color(0xDDEBF7);
    let wrap = Format::new().set_text_wrap();
    help.set_column_width(0, 18)?;
    help.set_column_width(1, 10)?;
    help.set_column_width(2, 80)?;
    let notes = [
        "1. 请在“企业名录”工作表中从第2行起每行填写一家企业，第2行为示例，导入前请删除或改为实际企业。",
        "2. 表头带*的列为必填列，缺少必填列时整个文件不能导入；列的顺序可以调整，无法识别的列将被忽略。",
        "3. 某一行有误时只拒绝该行，导入结果会逐行列出被拒绝的原因，其余行照常导入；空行将被跳过。",
        "4. 各列已设为文本格式，请勿改为数值格式，以免代码丢失前导零或显示为科学计数法。",
        "5. 也可另存为CSV文件（UTF-8或GBK编码）导入；行数较多时请分批导入。",
    ];
    for (i, note) in notes.iter().enumerate() {
        help.write_string(i as u32, 0, *note)?;
    }
    let top = notes.len() as u32 + 1;
    for (i, h) in ["列名", "是否必填", "填写要求"].iter().enumerate() {
        help.write_string_with_format(top, i as u16, *h, &bold)?;
    }
    for (i, c) in COLUMNS.iter().enumerate() {
        let r = top + 1 + i as u32;
        help.write_string(r, 0, c.header)?;
        help.write_string(r, 1, if c.required { "必填" } else { "选填" })?;
        help.write_string_with_format(r, 2, explanation(c.field), &wrap)?;
    }
    book.save_to_buffer()
}

/// An XLSX template: the header row and [`example_row`] on the sheet 企业名录
/// (with drop-down lists for 状态, 监管类别, 信用等级 and 正面清单), and a
/// second sheet 填写说明 that explains each column.
pub fn template_xlsx() -> Vec<u8> {
    template_workbook().expect("the template is fixed and always valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_made_valid() {
        assert_eq!(sheet_name("企业名录"), "企业名录");
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name(""), "企业名录");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("0315-6112345"), "0315-6112345");
    }

    #[test]
    fn every_column_is_explained() {
        for c in COLUMNS {
            assert!(!explanation(c.field).is_empty());
        }
        assert!(explanation(Field::Status).contains("正常、停产、关闭"));
        assert!(explanation(Field::CreditGrade).contains("A、B、C、D、E"));
    }
}
