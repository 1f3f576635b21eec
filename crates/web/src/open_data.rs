//! The open dataset of published results (RES-2): CSV (UTF-8 with BOM,
//! Excel/WPS open it as it is) and JSON, now or as of a past day, streamed
//! batch by batch so that memory stays flat whatever the size.
//!
//! [`FIELDS`] is the one description of the columns: the CSV header, the
//! JSON keys and the field page (`/public/data`) all read it.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use chrono::NaiveDate;
use yici_domain::DomainError;
use yici_store::publication::dataset::{self, Moment, Slice};
use yici_store::publication::PublicResult;
use yici_store::{Db, StoreError};

/// One column of the dataset: JSON key, CSV header, meaning.
pub struct FieldDoc {
    pub key: &'static str,
    pub header: &'static str,
    pub meaning: &'static str,
}

macro_rules! fields {
    ($(($key:literal, $header:literal, $meaning:literal)),* $(,)?) => {
        pub const FIELDS: &[FieldDoc] = &[$(FieldDoc { key: $key, header: $header, meaning: $meaning }),*];
    };
}

fields![
    ("task_id", "任务编号", "检查任务的编号；结果页为 /public/results/{任务编号}"),
    ("version", "记录版本", "公开后内容每变化一次（整改情况、结果更正）加 1"),
    ("published_at", "公开时间", "首次公开的时间（北京时间）"),
    ("updated_at", "本版本时间", "本版本开始生效的时间"),
    ("year", "检查年度", "任务所属年度"),
    ("unit_id", "检查单位编号", "实施检查的行政执法主体编号"),
    ("unit_name", "检查单位", "实施检查的行政执法主体"),
    ("county_code", "区县代码", "企业所在县级行政区划代码（GB/T 2260）"),
    ("county_name", "所在区县", "企业所在区县"),
    ("enterprise_id", "企业编号", "平台内企业编号"),
    ("enterprise_name", "企业名称", "被检查企业（排污单位）名称"),
    ("uscc", "统一社会信用代码", "被检查企业的统一社会信用代码"),
    ("department_ids", "检查部门编号", "提交检查结果的部门编号，JSON 为数组，CSV 以 | 分隔"),
    ("departments", "检查部门", "提交检查结果的部门，以 、 分隔；其他单位的部门冠以单位名称"),
    ("items", "检查事项", "检查的事项，以 ； 分隔"),
    ("inspected_on", "检查日期", "现场检查日期"),
    ("source", "检查类型", "日常检查、专项检查、投诉举报等；JSON 为代码（routine 等）"),
    ("outcome", "检查结果", "通过行政检查（未发现问题）、未通过行政检查（发现问题）、其他（企业停产或关闭）；JSON 为 passed / not_passed / other"),
    ("problem_count", "发现问题数", "发现问题的检查事项数"),
    ("problems", "发现问题", "事项：问题描述，以 ； 分隔；其中7位以上的数字（电话、证件号）已隐去"),
    ("rectification", "整改情况", "无需整改、整改中、逾期未整改、已整改、已移送立案；JSON 为代码"),
    ("draw_id", "抽取记录编号", "随机抽取的任务所属抽取记录，可在 /public/draws/{编号} 复核"),
];

/// A record as CSV cells, in the order of [`FIELDS`].
fn csv_row(r: &PublicResult) -> Vec<String> {
    let c = &r.content;
    let ids: Vec<String> = c.department_ids.iter().map(i64::to_string).collect();
    vec![
        r.task_id.to_string(),
        r.version.to_string(),
        yici_domain::time::display(r.published_at),
        yici_domain::time::display(r.updated_at),
        c.year.to_string(),
        c.unit_id.to_string(),
        c.unit_name.clone(),
        c.county_code.clone(),
        c.county_name.clone(),
        c.enterprise_id.to_string(),
        c.enterprise_name.clone(),
        c.uscc.clone(),
        ids.join("|"),
        c.departments.clone(),
        c.items.clone(),
        c.inspected_on.to_string(),
        c.source.label().to_string(),
        c.outcome.label().to_string(),
        c.problem_count.to_string(),
        c.problems.clone(),
        c.rectification.label().to_string(),
        c.draw_id.map(|d| d.to_string()).unwrap_or_default(),
    ]
}

/// CSV or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn parse(ext: &str) -> Option<Format> {
        match ext {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// `2026-12-07.csv` → the snapshot of that day in that format.
pub fn parse_snapshot(file: &str) -> Result<(NaiveDate, Format), DomainError> {
    let bad = || DomainError::not_found("快照文件名应为 日期.csv 或 日期.json，如 2026-12-07.csv");
    let (day, ext) = file.rsplit_once('.').ok_or_else(bad)?;
    let format = Format::parse(ext).ok_or_else(bad)?;
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| bad())?;
    Ok((day, format))
}

/// Rows read per database round trip.
const BATCH: i64 = 5_000;

struct Cursor {
    db: Db,
    moment: Moment,
    slice: Slice,
    format: Format,
    after: i64,
    wrote_any: bool,
    state: Stage,
}

#[derive(PartialEq)]
enum Stage {
    Start,
    Rows,
    Done,
}

impl Cursor {
    /// The next chunk of the file, or None at its end.
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, StoreError> {
        let mut out = Vec::with_capacity(256 * 1024);
        match self.state {
            Stage::Done => return Ok(None),
            Stage::Start => {
                self.state = Stage::Rows;
                match self.format {
                    Format::Csv => {
                        out.extend_from_slice(yici_interchange::CSV_BOM);
                        let header = FIELDS.iter().map(|f| f.header.to_string()).collect();
                        yici_interchange::csv_records(&mut out, [header], FIELDS.len());
                    }
                    Format::Json => out.push(b'['),
                }
                return Ok(Some(Bytes::from(out)));
            }
            Stage::Rows => {}
        }
        let rows = dataset::batch(&self.db, self.moment, &self.slice, self.after, BATCH).await?;
        if let Some((last, _)) = rows.last() {
            self.after = *last;
        } else {
            self.state = Stage::Done;
            if self.format == Format::Json {
                out.extend_from_slice(b"]\n");
            }
            return Ok(Some(Bytes::from(out)));
        }
        match self.format {
            Format::Csv => yici_interchange::csv_records(
                &mut out,
                rows.iter().map(|(_, r)| csv_row(r)),
                FIELDS.len(),
            ),
            Format::Json => {
                for (_, r) in &rows {
                    if self.wrote_any {
                        out.push(b',');
                    }
                    out.push(b'\n');
                    serde_json::to_writer(&mut out, r)
                        .map_err(|e| StoreError::internal(e.to_string()))?;
                    self.wrote_any = true;
                }
            }
        }
        Ok(Some(Bytes::from(out)))
    }
}

/// The dataset as a streamed download named `name` (without extension);
/// `today` decides whether it may be cached (a past day's snapshot never
/// changes). A database failure midway ends the body with an error, so the
/// client sees a broken transfer rather than a short file that looks whole.
pub fn download(
    db: Db,
    moment: Moment,
    slice: Slice,
    format: Format,
    name: &str,
    today: NaiveDate,
) -> Response {
    let cursor = Cursor {
        db,
        moment,
        slice,
        format,
        after: 0,
        wrote_any: false,
        state: Stage::Start,
    };
    let stream = futures_util::stream::unfold(cursor, |mut c| async move {
        match c.next_chunk().await {
            Ok(Some(bytes)) => Some((Ok::<_, std::io::Error>(bytes), c)),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "open data download failed");
                c.state = Stage::Done;
                Some((Err(std::io::Error::other(e.to_string())), c))
            }
        }
    });
    let (mime, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    // The name is ASCII (dates and fixed words), so no RFC 5987 form needed.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    let cache = match moment {
        Moment::EndOf(day) if day < today => "public, max-age=86400",
        _ => "no-cache",
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names() {
        assert_eq!(
            parse_snapshot("2026-12-07.csv").unwrap(),
            (NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(), Format::Csv)
        );
        assert!(parse_snapshot("2026-12-07.json").is_ok());
        assert!(parse_snapshot("2026-13-07.csv").is_err());
        assert!(parse_snapshot("2026-12-07.xlsx").is_err());
        assert!(parse_snapshot("latest").is_err());
    }

    #[test]
    fn every_field_is_documented_once() {
        let mut keys: Vec<&str> = FIELDS.iter().map(|f| f.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), FIELDS.len());
    }
}
