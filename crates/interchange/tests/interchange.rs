//! Reading and writing registry spreadsheets through the public API.

use yici_domain::registry::enterprise::EnterpriseInput;
use yici_interchange::{
    columns, read, template_csv, template_xlsx, write_csv, write_xlsx, ExportRow, FileError,
    Limits, RowIssue, Sheet,
};

const MAX: usize = 5000;

/// The default limits with at most `max_rows` rows.
fn at_most(max_rows: usize) -> Limits {
    Limits {
        max_rows,
        ..Limits::default()
    }
}

const HEADER: &str = "排污单位名称*,统一社会信用代码*,地址*,行业代码*,行政区划代码*,中心经度,中心纬度,邮政编码,正面清单";

fn csv(lines: &[&str]) -> Vec<u8> {
    let mut s = lines.join("\r\n");
    s.push_str("\r\n");
    s.into_bytes()
}

fn read_ok(bytes: &[u8], filename: &str) -> Sheet {
    match read(bytes, Some(filename), &at_most(MAX)) {
        Ok(s) => s,
        Err(e) => panic!("{e} ({})", e.code()),
    }
}

fn full_input(n: usize) -> EnterpriseInput {
    EnterpriseInput {
        name: Some(format!("唐山市玉田县宏达钢铁有限公司{n}分厂")),
        source_name: Some(format!("{n}号高炉")),
        uscc: Some("91130200699229617X".into()),
        uscc_exception_reason: None,
        permit_code: Some("91130200699229617X001P".into()),
        address: Some("河北省唐山市玉田县经济开发区钢城路8号".into()),
        industry_code: Some(if n.is_multiple_of(2) { "3110" } else { "0111" }.into()),
        postal_code: Some("064100".into()),
        longitude: Some(117.74),
        latitude: Some(39.89),
        region_code: Some("130229".into()),
        industrial_park: Some("玉田县经济开发区".into()),
        contact_name: Some("张建国".into()),
        contact_phone: Some("0315-6112345".into()),
        status: Some("停产".into()),
        category: Some("重点排污单位".into()),
        credit_grade: Some("B".into()),
        positive_list: Some(n.is_multiple_of(2)),
    }
}

#[test]
fn utf8_csv() {
    let bytes = csv(&[
        HEADER,
        "唐山市玉田县宏达钢铁有限公司,91130200699229617X,玉田县钢城路8号,3110,130229,117.74,39.89,64100,是",
        " 石家庄某化工有限公司 ,91130100MA0ABCDE1X,石家庄市长安区,2614,130102,,,,",
    ]);
    let sheet = read_ok(&bytes, "名录.csv");
    assert_eq!(sheet.encoding, "UTF-8");
    assert!(sheet.ignored_columns.is_empty());
    assert_eq!(sheet.rows.len(), 2);
    let first = &sheet.rows[0];
    assert_eq!(first.row, 2);
    assert!(first.issues.is_empty());
    assert_eq!(
        first.input.name.as_deref(),
        Some("唐山市玉田县宏达钢铁有限公司")
    );
    assert_eq!(first.input.industry_code.as_deref(), Some("3110"));
    assert_eq!(first.input.longitude, Some(117.74));
    assert_eq!(first.input.latitude, Some(39.89));
    assert_eq!(
        first.input.postal_code.as_deref(),
        Some("064100"),
        "Excel dropped the leading zero"
    );
    assert_eq!(first.input.positive_list, Some(true));
    first.input.validate(false).expect("the first row is valid");
    let second = &sheet.rows[1];
    assert_eq!(second.row, 3);
    assert_eq!(
        second.input.name.as_deref(),
        Some("石家庄某化工有限公司"),
        "cells are trimmed"
    );
    assert_eq!(second.input.longitude, None);
    assert_eq!(second.input.postal_code, None, "empty cells are None");
    assert_eq!(second.input.positive_list, None);
}

#[test]
fn utf8_csv_with_bom_and_loose_headers() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv(&[
        " 行政区划代码 ,地址＊,排污单位名称,备注,统一社会信用代码 * ,行业代码,行业名称,地址",
        "130229,玉田县钢城路8号,宏达钢铁,老厂区,91130200699229617x,3110,炼铁,另一个地址",
    ]));
    let sheet = read_ok(&bytes, "名录.csv");
    assert_eq!(sheet.encoding, "UTF-8");
    assert_eq!(
        sheet.ignored_columns,
        vec!["备注".to_string(), "地址".to_string()]
    );
    let input = &sheet.rows[0].input;
    assert_eq!(
        input.region_code.as_deref(),
        Some("130229"),
        "BOM is not part of the first header"
    );
    assert_eq!(
        input.address.as_deref(),
        Some("玉田县钢城路8号"),
        "the first of two 地址 columns counts"
    );
    assert_eq!(
        input.uscc.as_deref(),
        Some("91130200699229617x"),
        "case is the domain's business"
    );
    input.validate(false).expect("valid");
}

#[test]
fn gbk_csv() {
    let text = csv(&[
        HEADER,
        "唐山市玉田县宏达钢铁有限公司,91130200699229617X,河北省唐山市玉田县钢城路８号,3110,130229,117.74,39.89,064100,否",
    ]);
    let text = String::from_utf8(text).unwrap();
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test file must not be UTF-8"
    );
    let sheet = read_ok(&bytes, "名录.csv");
    assert_eq!(sheet.encoding, "GB18030");
    let input = &sheet.rows[0].input;
    assert_eq!(input.name.as_deref(), Some("唐山市玉田县宏达钢铁有限公司"));
    assert_eq!(
        input.address.as_deref(),
        Some("河北省唐山市玉田县钢城路８号")
    );
    assert_eq!(input.positive_list, Some(false));
}

#[test]
fn undecodable_csv_is_refused() {
    // Not UTF-8, and 0x80 0xFF is no GB18030 sequence either.
    let bytes = b"\xe5\x90\x8d,\x80\xff\r\n".to_vec();
    let err = read(&bytes, Some("x.csv"), &at_most(MAX)).unwrap_err();
    assert_eq!(err, FileError::Undecodable);
    assert_eq!(err.code(), "undecodable_csv");
}

#[test]
fn quoted_fields_with_commas_and_line_breaks() {
    let bytes = csv(&[
        HEADER,
        "\"宏达钢铁,有限公司\",91130200699229617X,\"玉田县\r\n钢城路8号\",3110,130229,,,,",
        "第二家,91130200699229617X,\"地址\"\"带引号\"\"\",3110,130229,abc,,,",
    ]);
    let sheet = read_ok(&bytes, "名录.csv");
    assert_eq!(sheet.rows.len(), 2);
    assert_eq!(
        sheet.rows[0].input.name.as_deref(),
        Some("宏达钢铁,有限公司")
    );
    assert_eq!(
        sheet.rows[0].input.address.as_deref(),
        Some("玉田县\r\n钢城路8号")
    );
    assert!(sheet.rows[0].issues.is_empty());
    assert_eq!(
        sheet.rows[1].input.address.as_deref(),
        Some("地址\"带引号\"")
    );
    // The line break inside the cell does not push the next row down.
    assert_eq!(sheet.rows[1].row, 3);
    assert_eq!(sheet.rows[1].issues[0].row, 3);
}

#[test]
fn an_unquoted_comma_is_reported() {
    let bytes = csv(&[
        HEADER,
        "宏达钢铁,91130200699229617X,玉田县,钢城路8号,3110,130229,117.74,39.89,064100,否",
    ]);
    let sheet = read_ok(&bytes, "名录.csv");
    let issues = &sheet.rows[0].issues;
    assert!(
        issues
            .iter()
            .any(|i| i.column == "（整行）" && i.reason.contains("多出1个单元格")),
        "{issues:?}"
    );
}

#[test]
fn missing_required_columns_are_listed() {
    let bytes = csv(&[
        "排污单位名称,行业代码,行政区划代码,备注",
        "宏达钢铁,3110,130229,",
    ]);
    let err = read(&bytes, Some("名录.csv"), &at_most(MAX)).unwrap_err();
    assert_eq!(
        err,
        FileError::MissingColumns(vec!["统一社会信用代码".into(), "地址".into()])
    );
    assert_eq!(err.to_string(), "缺少必填列：统一社会信用代码、地址");
    assert_eq!(err.code(), "missing_columns");
}

#[test]
fn a_file_without_any_known_header_lacks_every_required_column() {
    let bytes = csv(&["姓名,年龄", "张三,30"]);
    let err = read(&bytes, Some("x.csv"), &at_most(MAX)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "缺少必填列：排污单位名称、统一社会信用代码、地址、行业代码、行政区划代码"
    );
}

#[test]
fn a_title_row_above_the_header_is_skipped() {
    let bytes = csv(&[
        "唐山市污染源企业名录（2024年）,,,,,,,,",
        HEADER,
        "宏达钢铁,91130200699229617X,玉田县,3110,130229,,,,",
    ]);
    let sheet = read_ok(&bytes, "名录.csv");
    assert_eq!(sheet.rows.len(), 1);
    assert_eq!(sheet.rows[0].row, 3);
}

#[test]
fn a_bad_longitude_is_an_issue_of_its_row() {
    let bytes = csv(&[
        HEADER,
        "宏达钢铁,91130200699229617X,玉田县,3110,130229,117.74,39.89,,",
        "宏达钢铁二厂,91130200699229617X,玉田县,3110,130229,abc,39.89,,也许",
        "宏达钢铁三厂,91130200699229617X,玉田县,3110,130229,117.75°,39.9,,",
    ]);
    let sheet = read_ok(&bytes, "名录.csv");
    assert_eq!(sheet.rows.len(), 3, "a bad row does not block the others");
    assert!(sheet.rows[0].issues.is_empty());
    let bad = &sheet.rows[1];
    assert_eq!(bad.input.longitude, None);
    assert_eq!(bad.input.latitude, Some(39.89));
    assert_eq!(
        bad.issues,
        vec![
            RowIssue::new(3, "中心经度", "中心经度不是数字：abc"),
            RowIssue::new(3, "正面清单", "正面清单只能填写“是”或“否”：也许"),
        ]
    );
    assert!(sheet.rows[2].issues.is_empty());
    assert_eq!(sheet.rows[2].input.longitude, Some(117.75));
    let json = serde_json_like(&bad.issues[0]);
    assert!(json.contains("中心经度不是数字"));
}

/// RowIssue is Serialize; check it through the csv crate's serde support
/// rather than pulling serde_json into this crate.
fn serde_json_like(issue: &RowIssue) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(issue).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn blank_rows_are_skipped_but_counted() {
    let bytes = csv(&[
        HEADER,
        "",
        ",,,,,,,,",
        "宏达钢铁,91130200699229617X,玉田县,3110,130229,,,,",
        " , ,\t,,,,,,",
        "宏达钢铁二厂,91130200699229617X,玉田县,3110,130229,x,,,",
        "",
    ]);
    let sheet = read_ok(&bytes, "名录.csv");
    let rows: Vec<usize> = sheet.rows.iter().map(|r| r.row).collect();
    assert_eq!(
        rows,
        vec![4, 6],
        "rows are numbered as a spreadsheet shows them"
    );
    assert_eq!(sheet.rows[1].issues[0].row, 6);
}

#[test]
fn scientific_notation_is_explained() {
    let bytes = csv(&[
        HEADER,
        "宏达钢铁,9.1130200699229E+17,玉田县,3110,130229,,,,",
    ]);
    let sheet = read_ok(&bytes, "名录.csv");
    let row = &sheet.rows[0];
    assert_eq!(row.input.uscc, None);
    assert_eq!(row.issues[0].column, "统一社会信用代码");
    assert!(row.issues[0].reason.contains("科学计数法"));
}

fn cells_of(inputs: &[EnterpriseInput]) -> Vec<Vec<String>> {
    inputs
        .iter()
        .map(|i| ExportRow::from(i).into_cells())
        .collect()
}

#[test]
fn xlsx_round_trip() {
    let inputs: Vec<EnterpriseInput> = (0..5).map(full_input).collect();
    let bytes = write_xlsx(cells_of(&inputs), "企业名录").unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let sheet = read_ok(&bytes, "导出.xlsx");
    assert_eq!(sheet.encoding, "XLSX");
    assert!(sheet.ignored_columns.is_empty());
    assert_eq!(sheet.rows.len(), 5);
    for (n, (row, input)) in sheet.rows.iter().zip(&inputs).enumerate() {
        assert_eq!(row.row, n + 2);
        assert!(row.issues.is_empty(), "{:?}", row.issues);
        assert_eq!(format!("{:?}", row.input), format!("{input:?}"));
    }
    assert_eq!(
        sheet.rows[1].input.industry_code.as_deref(),
        Some("0111"),
        "leading zero kept"
    );
    assert_eq!(sheet.rows[1].input.postal_code.as_deref(), Some("064100"));
    // Without a file name too.
    assert_eq!(read(&bytes, None, &at_most(MAX)).unwrap().rows.len(), 5);
}

#[test]
fn csv_round_trip_defuses_formulas() {
    let mut input = full_input(1);
    input.name = Some("=HYPERLINK(\"http://example.com\",\"点击\")".into());
    input.contact_name = Some("-张三".into());
    let bytes = write_csv(cells_of(std::slice::from_ref(&input)));
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.contains("\"'=HYPERLINK("));
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches("\r\n").count(), 2);
    let sheet = read_ok(&bytes, "导出.csv");
    assert_eq!(format!("{:?}", sheet.rows[0].input), format!("{input:?}"));
}

#[test]
fn xlsx_number_cells_read_as_typed() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (i, h) in [
        "排污单位名称",
        "统一社会信用代码",
        "地址",
        "行业代码",
        "行政区划代码",
        "邮政编码",
        "中心经度",
        "中心纬度",
        "联系方式",
        "正面清单",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "宏达钢铁").unwrap();
    ws.write_string(1, 1, "91130200699229617X").unwrap();
    ws.write_string(1, 2, "玉田县").unwrap();
    ws.write_number(1, 3, 2710.0).unwrap();
    ws.write_number(1, 4, 130229.0).unwrap();
    ws.write_number(1, 5, 64100.0).unwrap();
    ws.write_number(1, 6, 117.74).unwrap();
    ws.write_number(1, 7, 39.89).unwrap();
    ws.write_number(1, 8, 13800138000.0).unwrap();
    ws.write_boolean(1, 9, true).unwrap();
    // Row 3 left blank; row 4 holds a formula error.
    ws.write_string(3, 0, "二厂").unwrap();
    ws.write_formula(3, 3, "=1/0").unwrap();
    ws.write_string(4, 0, "  ").unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let sheet = read_ok(&bytes, "x.xlsx");
    assert_eq!(sheet.rows.len(), 2, "{:?}", sheet.rows);
    let i = &sheet.rows[0].input;
    assert_eq!(i.industry_code.as_deref(), Some("2710"));
    assert_eq!(i.region_code.as_deref(), Some("130229"));
    assert_eq!(i.postal_code.as_deref(), Some("064100"));
    assert_eq!(i.longitude, Some(117.74));
    assert_eq!(i.latitude, Some(39.89));
    assert_eq!(i.contact_phone.as_deref(), Some("13800138000"));
    assert_eq!(i.positive_list, Some(true));
    assert_eq!(sheet.rows[1].row, 4);
}

#[test]
fn templates_parse_back_and_validate() {
    for (bytes, name) in [(template_csv(), "模板.csv"), (template_xlsx(), "模板.xlsx")] {
        let sheet = read_ok(&bytes, name);
        assert!(sheet.ignored_columns.is_empty(), "{name}");
        assert_eq!(sheet.rows.len(), 1, "{name}");
        let row = &sheet.rows[0];
        assert_eq!(row.row, 2);
        assert!(row.issues.is_empty(), "{name}: {:?}", row.issues);
        let valid = row
            .input
            .validate(false)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(valid.name, "唐山市玉田县宏达钢铁有限公司");
        assert_eq!(valid.industry.name, "炼铁");
        assert_eq!(valid.county_name, "玉田县");
        assert_eq!(row.input.postal_code.as_deref(), Some("064100"));
    }
    let csv = String::from_utf8(template_csv()).unwrap();
    let header = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(header.starts_with("排污单位名称*,固定源名称,统一社会信用代码*,"));
    assert_eq!(header.split(',').count(), columns().len());
}

#[test]
fn the_xlsx_template_has_an_explanation_sheet() {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(template_xlsx())).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["企业名录".to_string(), "填写说明".to_string()]
    );
    let help = book.worksheet_range("填写说明").unwrap();
    let text: String = help
        .rows()
        .flatten()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join("|");
    for needle in [
        "正常、停产、关闭",
        "重点排污单位",
        "A、B、C、D、E",
        "是或否",
        "校验位例外原因",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}

#[test]
fn other_files_are_refused() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let err = read(png, Some("logo.png"), &at_most(MAX)).unwrap_err();
    assert_eq!(err.to_string(), "仅支持CSV和XLSX文件");
    assert_eq!(err.code(), "unsupported_file");
    let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
    assert_eq!(
        read(&xls, Some("名录.xls"), &at_most(MAX)).unwrap_err(),
        FileError::Unsupported
    );
    assert_eq!(
        read(b"", Some("x.csv"), &at_most(MAX)).unwrap_err(),
        FileError::Empty
    );
    assert_eq!(
        read(b"\xEF\xBB\xBF\r\n", Some("x.csv"), &at_most(MAX)).unwrap_err(),
        FileError::Empty
    );
    let broken_zip = b"PK\x03\x04this is not really a zip";
    assert_eq!(
        read(broken_zip, Some("x.xlsx"), &at_most(MAX))
            .unwrap_err()
            .code(),
        "unreadable_xlsx"
    );
}

#[test]
fn too_many_rows_are_refused() {
    let row = "宏达钢铁,91130200699229617X,玉田县,3110,130229,,,,";
    let bytes = csv(&[HEADER, row, "", row, row]);
    assert_eq!(
        read(&bytes, Some("x.csv"), &at_most(3)).unwrap().rows.len(),
        3
    );
    let err = read(&bytes, Some("x.csv"), &at_most(2)).unwrap_err();
    assert_eq!(err, FileError::TooManyRows(2));
    assert_eq!(err.to_string(), "文件超过2行，请分批导入");
    let xlsx = write_xlsx(
        cells_of(&[full_input(1), full_input(2), full_input(3)]),
        "s",
    )
    .unwrap();
    assert_eq!(
        read(&xlsx, None, &at_most(2)).unwrap_err(),
        FileError::TooManyRows(2)
    );
}

// ---------------------------------------------------------------------------
// Bounds on what an import unpacks and parses (SEC-4).

/// Sets the uncompressed size an XLSX's zip entry declares, in its local
/// header and in the central directory, leaving its data as it is.
fn declare_size(zip: &mut [u8], entry: &str, size: u32) {
    let le16 = |b: &[u8], at: usize| u16::from_le_bytes([b[at], b[at + 1]]) as usize;
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let (name_at, size_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (at + 30, at + 22),
            b"PK\x01\x02" => (at + 46, at + 24),
            _ => continue,
        };
        let name_len = le16(zip, if name_at == at + 30 { at + 26 } else { at + 28 });
        if zip.get(name_at..name_at + name_len) == Some(entry.as_bytes()) {
            zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "{entry}: local header and central directory");
}

fn small_xlsx() -> Vec<u8> {
    write_xlsx(cells_of(&[full_input(1), full_input(2)]), "企业名录").unwrap()
}

/// A zip bomb as sent: a few kilobytes whose shared strings declare 400 MB.
/// Refused from the declared size, before anything is inflated or kept.
#[test]
fn shared_strings_declaring_hundreds_of_megabytes_are_refused() {
    let mut bomb = small_xlsx();
    assert!(bomb.len() < 16 * 1024, "{} bytes", bomb.len());
    declare_size(&mut bomb, "xl/sharedStrings.xml", 400 * 1024 * 1024);
    let err = read(&bomb, Some("名录.xlsx"), &Limits::default()).unwrap_err();
    assert_eq!(err, FileError::SharedStrings { limit_mb: 192 });
    assert_eq!(err.code(), "shared_strings_too_large");
    assert!(err.is_over_limit());
    assert_eq!(
        err.to_string(),
        "文件中的文字内容解压后超过192MB，请拆分后分批导入"
    );
}

/// Entries that together declare more than the total limit.
#[test]
fn an_archive_unpacking_past_the_limit_is_refused() {
    let mut bomb = small_xlsx();
    declare_size(&mut bomb, "xl/worksheets/sheet1.xml", 800 * 1024 * 1024);
    let err = read(&bomb, None, &Limits::default()).unwrap_err();
    assert_eq!(err, FileError::Unpacked { limit_mb: 768 });
    assert_eq!(err.to_string(), "文件解压后超过768MB，请拆分后分批导入");
    assert_eq!(err.code(), "unpacked_too_large");
}

/// Shared strings that really inflate to 8 MB, against a 1 MB limit: refused
/// whether the archive tells the truth about the size or claims 100 bytes.
#[test]
fn shared_strings_are_bounded_by_what_they_inflate_to() {
    use std::io::{Read, Write};
    let small = small_xlsx();
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(&small)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let big = 8 * 1024 * 1024;
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        out.start_file(name.as_str(), deflated).unwrap();
        if name == "xl/sharedStrings.xml" {
            out.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#).unwrap();
            out.write_all(&vec![b'A'; big]).unwrap();
            out.write_all(b"</t></si></sst>").unwrap();
        } else {
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            out.write_all(&content).unwrap();
        }
    }
    let mut bomb = out.finish().unwrap().into_inner();
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let limits = Limits {
        max_shared_strings_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let err = read(&bomb, None, &limits).unwrap_err();
    assert_eq!(err, FileError::SharedStrings { limit_mb: 1 });
    // A lying header is no way round: the file is refused all the same.
    declare_size(&mut bomb, "xl/sharedStrings.xml", 100);
    let err = read(&bomb, None, &limits).unwrap_err();
    assert!(
        matches!(
            err,
            FileError::SharedStrings { .. } | FileError::UnreadableXlsx { .. }
        ),
        "{err:?}"
    );
}

/// A zip of more central-directory entries than an XLSX ever has: refused
/// before the zip reader keeps a record of each.
#[test]
fn an_archive_of_too_many_parts_is_refused() {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..=yici_interchange::MAX_PARTS {
        out.start_file(format!("p{i}"), stored).unwrap();
        out.write_all(b"").unwrap();
    }
    let bytes = out.finish().unwrap().into_inner();
    let err = read(&bytes, Some("x.xlsx"), &Limits::default()).unwrap_err();
    assert_eq!(err, FileError::TooManyParts(10_000));
    assert_eq!(err.code(), "too_many_parts");
    assert!(err.is_over_limit());
}

#[test]
fn too_many_cells_are_refused_in_csv_and_xlsx() {
    let row = "宏达钢铁,91130200699229617X,玉田县,3110,130229,,,,";
    // 9 cells a line: the header and two rows are 27.
    let bytes = csv(&[HEADER, row, row]);
    let limits = |max_cells| Limits {
        max_cells,
        ..Limits::default()
    };
    assert_eq!(read(&bytes, None, &limits(27)).unwrap().rows.len(), 2);
    let err = read(&bytes, None, &limits(26)).unwrap_err();
    assert_eq!(err, FileError::TooManyCells(26));
    assert_eq!(err.code(), "too_many_cells");
    assert_eq!(
        err.to_string(),
        "文件超过26个单元格，请删去多余的列或拆分后分批导入"
    );
    // A line far wider than the header counts every field.
    let wide = format!("{HEADER}\r\n{}\r\n", ",".repeat(1000));
    assert_eq!(
        read(wide.as_bytes(), None, &limits(1000)).unwrap_err(),
        FileError::TooManyCells(1000)
    );
    let err = read(&small_xlsx(), None, &limits(10)).unwrap_err();
    assert_eq!(err, FileError::TooManyCells(10));
}

/// `cargo test --release -p yici-interchange -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn export_200k_rows() {
    let row = ExportRow::from(&full_input(1)).into_cells();
    let start = std::time::Instant::now();
    let bytes = write_csv(std::iter::repeat_n(row, 200_000));
    println!("CSV: {} bytes in {:?}", bytes.len(), start.elapsed());
    let start = std::time::Instant::now();
    let sheet = read(&bytes, None, &at_most(200_000)).unwrap();
    println!(
        "CSV read: {} rows in {:?}",
        sheet.rows.len(),
        start.elapsed()
    );
    let start = std::time::Instant::now();
    let rows = (0..200_000).map(|n| ExportRow::from(&full_input(n)).into_cells());
    let bytes = write_xlsx(rows, "企业名录").unwrap();
    println!("XLSX: {} bytes in {:?}", bytes.len(), start.elapsed());
    let start = std::time::Instant::now();
    let sheet = read(&bytes, None, &at_most(200_000)).unwrap();
    println!(
        "XLSX read: {} rows in {:?}",
        sheet.rows.len(),
        start.elapsed()
    );
}
