//! The columns of the registry spreadsheet: their Chinese headers, which are
//! required on import, and how each maps onto [`EnterpriseInput`].

use yici_domain::registry::enterprise::EnterpriseInput;

/// What a column carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    SourceName,
    Uscc,
    PermitCode,
    Address,
    IndustryCode,
    /// Derived from 行业代码 by the domain: read and ignored.
    IndustryName,
    PostalCode,
    Longitude,
    Latitude,
    RegionCode,
    /// Derived from 行政区划代码 by the domain: read and ignored.
    CityName,
    /// Derived from 行政区划代码 by the domain: read and ignored.
    CountyName,
    IndustrialPark,
    ContactName,
    ContactPhone,
    Status,
    Category,
    CreditGrade,
    PositiveList,
    UsccExceptionReason,
}

/// One column of the spreadsheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// Chinese header, without the `*` that marks a required column.
    pub header: &'static str,
    /// Must be present in the header row of an imported file.
    pub required: bool,
    pub field: Field,
    /// Column width in the XLSX files (Excel character units).
    pub width: f64,
}

const fn col(header: &'static str, required: bool, field: Field, width: f64) -> Column {
    Column {
        header,
        required,
        field,
        width,
    }
}

/// Every column, in the order of templates and exports.
pub const COLUMNS: &[Column] = &[
    col("排污单位名称", true, Field::Name, 34.0),
    col("固定源名称", false, Field::SourceName, 34.0),
    col("统一社会信用代码", true, Field::Uscc, 22.0),
    col("排污许可证代码", false, Field::PermitCode, 26.0),
    col("地址", true, Field::Address, 40.0),
    col("行业代码", true, Field::IndustryCode, 10.0),
    col("行业名称", false, Field::IndustryName, 20.0),
    col("邮政编码", false, Field::PostalCode, 10.0),
    col("中心经度", false, Field::Longitude, 12.0),
    col("中心纬度", false, Field::Latitude, 12.0),
    col("行政区划代码", true, Field::RegionCode, 14.0),
    col("城市名称", false, Field::CityName, 12.0),
    col("行政区划名称", false, Field::CountyName, 14.0),
    col("工业园区", false, Field::IndustrialPark, 24.0),
    col("环保联系人", false, Field::ContactName, 12.0),
    col("联系方式", false, Field::ContactPhone, 16.0),
    col("状态", false, Field::Status, 8.0),
    col("监管类别", false, Field::Category, 16.0),
    col("信用等级", false, Field::CreditGrade, 10.0),
    col("正面清单", false, Field::PositiveList, 10.0),
    col("校验位例外原因", false, Field::UsccExceptionReason, 30.0),
];

const HEADERS: [&str; 21] = {
    let mut out = [""; 21];
    let mut i = 0;
    while i < COLUMNS.len() {
        out[i] = COLUMNS[i].header;
        i += 1;
    }
    out
};

/// The Chinese headers of every column, in the order of templates and exports
/// (without the `*` of required columns).
pub fn columns() -> &'static [&'static str] {
    &HEADERS
}

/// The header as written into templates and exports: required columns carry
/// a `*`, which the reader strips again.
pub(crate) fn display_header(c: &Column) -> String {
    if c.required {
        format!("{}*", c.header)
    } else {
        c.header.to_string()
    }
}

/// The column header for a field name of [`EnterpriseInput`] as reported in
/// `DomainError::field` (`"uscc"` → `"统一社会信用代码"`), so that a caller can
/// turn a validation error of a row into a [`RowIssue`](crate::RowIssue).
pub fn header_for_field(field: &str) -> Option<&'static str> {
    let f = match field {
        "name" => Field::Name,
        "source_name" => Field::SourceName,
        "uscc" => Field::Uscc,
        "uscc_exception_reason" => Field::UsccExceptionReason,
        "permit_code" => Field::PermitCode,
        "address" => Field::Address,
        "industry_code" => Field::IndustryCode,
        "postal_code" => Field::PostalCode,
        "longitude" => Field::Longitude,
        "latitude" => Field::Latitude,
        "region_code" => Field::RegionCode,
        "industrial_park" => Field::IndustrialPark,
        "contact_name" => Field::ContactName,
        "contact_phone" => Field::ContactPhone,
        "status" => Field::Status,
        "category" => Field::Category,
        "credit_grade" => Field::CreditGrade,
        "positive_list" => Field::PositiveList,
        _ => return None,
    };
    COLUMNS.iter().find(|c| c.field == f).map(|c| c.header)
}

/// A header cell as typed by people: trimmed, without a BOM and without the
/// trailing `*` (or full-width `＊`) of required columns.
pub(crate) fn normalize_header(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .trim_end_matches(['*', '＊'])
        .trim_end()
}

pub(crate) fn column_of_header(raw: &str) -> Option<&'static Column> {
    let h = normalize_header(raw);
    COLUMNS.iter().find(|c| c.header == h)
}

/// One row of an export: one string per column, in the order of [`COLUMNS`].
/// The writers take plain `Vec<String>`s; this struct names the cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportRow {
    pub name: String,
    pub source_name: String,
    pub uscc: String,
    pub permit_code: String,
    pub address: String,
    pub industry_code: String,
    pub industry_name: String,
    pub postal_code: String,
    pub longitude: String,
    pub latitude: String,
    pub region_code: String,
    pub city_name: String,
    pub county_name: String,
    pub industrial_park: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// Chinese label: 正常 / 停产 / 关闭.
    pub status: String,
    /// Chinese label, e.g. 重点排污单位.
    pub category: String,
    /// A–E or empty.
    pub credit_grade: String,
    /// 是 / 否.
    pub positive_list: String,
    pub uscc_exception_reason: String,
}

impl ExportRow {
    /// The cells in column order.
    pub fn into_cells(self) -> Vec<String> {
        vec![
            self.name,
            self.source_name,
            self.uscc,
            self.permit_code,
            self.address,
            self.industry_code,
            self.industry_name,
            self.postal_code,
            self.longitude,
            self.latitude,
            self.region_code,
            self.city_name,
            self.county_name,
            self.industrial_park,
            self.contact_name,
            self.contact_phone,
            self.status,
            self.category,
            self.credit_grade,
            self.positive_list,
            self.uscc_exception_reason,
        ]
    }
}

impl From<ExportRow> for Vec<String> {
    fn from(row: ExportRow) -> Self {
        row.into_cells()
    }
}

/// 是 / 否, as exported and as the templates ask for.
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

impl From<&EnterpriseInput> for ExportRow {
    /// The cells of an input as it stands (the derived names stay empty).
    fn from(i: &EnterpriseInput) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        ExportRow {
            name: s(&i.name),
            source_name: s(&i.source_name),
            uscc: s(&i.uscc),
            permit_code: s(&i.permit_code),
            address: s(&i.address),
            industry_code: s(&i.industry_code),
            industry_name: String::new(),
            postal_code: s(&i.postal_code),
            longitude: f(i.longitude),
            latitude: f(i.latitude),
            region_code: s(&i.region_code),
            city_name: String::new(),
            county_name: String::new(),
            industrial_park: s(&i.industrial_park),
            contact_name: s(&i.contact_name),
            contact_phone: s(&i.contact_phone),
            status: s(&i.status),
            category: s(&i.category),
            credit_grade: s(&i.credit_grade),
            positive_list: i.positive_list.map(yes_no).unwrap_or_default().to_string(),
            uscc_exception_reason: s(&i.uscc_exception_reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_normalised() {
        assert_eq!(normalize_header("\u{feff} 地址* "), "地址");
        assert_eq!(normalize_header("地址＊"), "地址");
        assert_eq!(normalize_header("\u{3000}地址 *"), "地址");
        assert_eq!(
            column_of_header("行业代码*").map(|c| c.field),
            Some(Field::IndustryCode)
        );
        assert!(column_of_header("备注").is_none());
    }

    #[test]
    fn columns_and_export_rows_agree() {
        assert_eq!(columns().len(), COLUMNS.len());
        assert_eq!(ExportRow::default().into_cells().len(), COLUMNS.len());
        assert_eq!(header_for_field("uscc"), Some("统一社会信用代码"));
        assert_eq!(header_for_field("nope"), None);
    }
}
