//! Spreadsheet import and export of the registry (ENT-4), shared by the page
//! and the API: a row-by-row report; good rows written, bad rows not; no
//! enterprise half-written (one transaction); re-import updates by USCC.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use yici_domain::org::Principal;
use yici_domain::registry::enterprise::ValidEnterprise;
use yici_domain::registry::history::EditVia;
use yici_domain::{DomainError, ErrorKind};
use yici_interchange::{header_for_field, ExportRow, FileKind, ParsedRow, RowIssue};
use yici_store::file_jobs::FileJobPhase;
use yici_store::registry::edits::Editor;
use yici_store::registry::enterprises::{self, Enterprise, Outcome, Registered};
use yici_store::registry::search::{self, EnterpriseQuery, Scope};

use crate::error::AppError;
use crate::file_jobs::Counters;
use crate::registry_access::may_accept_bad_uscc;
use crate::state::AppState;

/// Largest upload accepted (a 200,000-row CSV is about 55 MB).
pub const MAX_UPLOAD_BYTES: usize = 96 * 1024 * 1024;
/// Rows written per transaction.
const COMMIT_ROWS: usize = 10_000;
/// Imports changing at least this many enterprises refresh planner statistics.
const BULK: usize = 5_000;

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// Every reason a row was rejected: row, column, reason.
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<RowIssue>,
    /// UTF-8, GB18030 or XLSX.
    pub encoding: String,
    /// Columns present in the file that the registry does not know.
    pub ignored_columns: Vec<String>,
}

fn column_of(field: Option<&str>) -> String {
    field
        .and_then(header_for_field)
        .unwrap_or("（整行）")
        .to_string()
}

/// Reads, checks and writes a file. A file that can't be read at all is an
/// error; rows that can't be used are listed in the report. `progress`
/// follows the rows checked and written (a job's page shows them).
pub async fn import(
    state: &AppState,
    principal: &Principal,
    scope: &Scope,
    bytes: Bytes,
    filename: Option<&str>,
    progress: &Arc<Counters>,
) -> Result<ImportReport, AppError> {
    let started = std::time::Instant::now();
    let may_accept = may_accept_bad_uscc(principal);
    // Reading and checking 200,000 rows is seconds of work: on a blocking
    // thread, so that the async workers go on serving other requests.
    let (within, filename) = (scope.clone(), filename.map(str::to_string));
    let limits = state.config.import_limits.clone();
    let counters = progress.clone();
    let Checked {
        mut report,
        good,
        parsed,
    } = tokio::task::spawn_blocking(move || {
        check(
            &bytes,
            filename.as_deref(),
            &limits,
            &within,
            may_accept,
            &counters,
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let validated = started.elapsed();

    let now = state.now();
    let editor = Editor::of(principal, EditVia::Import);
    // Each enterprise is written whole with its audit entry; transactions of
    // COMMIT_ROWS keep SQLite's write-ahead log small (one transaction for a
    // 200,000-row file made it hundreds of MB, re-read on every page lookup)
    // and let other writers in between. Should a later transaction fail, the
    // file can simply be imported again: rows already written are unchanged.
    let bulk = state.db.bulk().await?;
    let registered = enterprises::count(&bulk.db).await?;
    let deferred = enterprises::defer_search_index(&bulk.db, good.len(), registered, now).await?;
    let lookups = match registered {
        0 => Registered::None,
        _ => Registered::Maybe,
    };
    progress.phase(FileJobPhase::Writing);
    let outcome = write(&bulk.db, now, &editor, good, lookups, &mut report, progress).await;
    // Built again whether or not every batch was written.
    if let Some(index) = deferred {
        enterprises::vacuum_loaded(&bulk.db).await?;
        index.restore(&bulk.db).await?;
    }
    bulk.finish().await;
    outcome?;
    let written = started.elapsed();
    if report.created + report.updated >= BULK {
        enterprises::refresh_statistics(&state.db).await?;
    }
    release_freed_memory();
    tracing::info!(
        rows = report.rows,
        created = report.created,
        updated = report.updated,
        rejected = report.rejected,
        parse_ms = parsed.as_millis() as u64,
        validate_ms = (validated - parsed).as_millis() as u64,
        write_ms = (written - validated).as_millis() as u64,
        statistics_ms = (started.elapsed() - written).as_millis() as u64,
        "registry import"
    );
    Ok(report)
}

/// A file that can't be imported as a whole. Over a bound on what an import
/// may unpack or parse (SEC-4) it is too large (413), otherwise invalid.
fn file_error(e: yici_interchange::FileError) -> DomainError {
    let kind = if e.is_over_limit() {
        ErrorKind::TooLarge
    } else {
        ErrorKind::Invalid
    };
    DomainError::new(kind, e.code(), e.to_string()).on("file")
}

/// A file read and checked: the report so far and the rows to write.
struct Checked {
    report: ImportReport,
    good: Vec<(usize, ValidEnterprise)>,
    /// Time spent reading the file.
    parsed: std::time::Duration,
}

/// Reads the file and checks every row: fields, jurisdiction, and USCCs
/// repeated in the file.
fn check(
    bytes: &[u8],
    filename: Option<&str>,
    limits: &yici_interchange::Limits,
    scope: &Scope,
    may_accept: bool,
    progress: &Counters,
) -> Result<Checked, AppError> {
    let started = std::time::Instant::now();
    let sheet = yici_interchange::read(bytes, filename, limits).map_err(file_error)?;
    let parsed = started.elapsed();
    progress.total(sheet.rows.len());
    progress.phase(FileJobPhase::Checking);
    let mut report = ImportReport {
        rows: sheet.rows.len(),
        encoding: sheet.encoding.to_string(),
        ignored_columns: sheet.ignored_columns.clone(),
        ..Default::default()
    };
    // Rows that passed every check, keyed by USCC to find duplicates in the file.
    let mut good: Vec<(usize, ValidEnterprise)> = Vec::new();
    let mut by_uscc: HashMap<String, Vec<usize>> = HashMap::new();
    let mut rejected_rows = std::collections::BTreeSet::new();
    for (row, verdict) in verdicts(sheet.rows, scope, may_accept, progress) {
        match verdict {
            Err(issues) => {
                rejected_rows.insert(row);
                report.issues.extend(issues);
            }
            Ok(v) => {
                by_uscc
                    .entry(v.uscc.as_str().to_string())
                    .or_default()
                    .push(row);
                good.push((row, v));
            }
        }
    }
    // A USCC twice in one file: which row is right can't be known, so none is taken.
    good.retain(|(row, v)| {
        let rows = &by_uscc[v.uscc.as_str()];
        if rows.len() == 1 {
            return true;
        }
        let others: Vec<String> = rows
            .iter()
            .filter(|r| *r != row)
            .map(|r| format!("第{r}行"))
            .collect();
        rejected_rows.insert(*row);
        report.issues.push(RowIssue::new(
            *row,
            column_of(Some("uscc")),
            format!(
                "统一社会信用代码{}在文件中重复（另见{}），请核对后只保留一行",
                v.uscc,
                others.join("、")
            ),
        ));
        false
    });
    report.issues.sort_by_key(|i| i.row);
    report.rejected = rejected_rows.len();
    Ok(Checked {
        report,
        good,
        parsed,
    })
}

/// Rows checked at a time: each block's raw rows are freed once checked.
const CHECK_BLOCK: usize = 8192;

/// Each row's number and verdict, in file order: the enterprise it holds,
/// or why it can't be used. A block of rows is split over the cores (one
/// core took 1.0–1.4 s for 200,000 rows).
fn verdicts(
    rows: Vec<ParsedRow>,
    scope: &Scope,
    may_accept: bool,
    progress: &Counters,
) -> Vec<(usize, Result<ValidEnterprise, Vec<RowIssue>>)> {
    let verdict = |row: &ParsedRow| -> (usize, Result<ValidEnterprise, Vec<RowIssue>>) {
        if !row.issues.is_empty() {
            return (row.row, Err(row.issues.clone()));
        }
        let issue = |field: Option<&str>, reason: String| {
            Err(vec![RowIssue::new(row.row, column_of(field), reason)])
        };
        let verdict = match row.input.validate(may_accept) {
            Err(e) => issue(e.field, e.message),
            Ok(v) if !scope.contains_region(&v.province_code, &v.city_code, &v.region_code) => {
                issue(
                    Some("region_code"),
                    format!("{}{}不在本单位管辖范围内", v.city_name, v.county_name),
                )
            }
            Ok(v) => Ok(v),
        };
        (row.row, verdict)
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let mut out = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter();
    loop {
        let block: Vec<ParsedRow> = rows.by_ref().take(CHECK_BLOCK).collect();
        if block.is_empty() {
            return out;
        }
        let share = block.len().div_ceil(cores);
        std::thread::scope(|s| {
            let verdict = &verdict;
            let parts: Vec<_> = block
                .chunks(share)
                .map(|part| s.spawn(move || part.iter().map(verdict).collect::<Vec<_>>()))
                .collect();
            for part in parts {
                out.extend(part.join().expect("checking rows does not panic"));
            }
        });
        progress.checked(block.len());
    }
}

/// Writes the checked rows in transactions of [`COMMIT_ROWS`], counting the
/// outcomes into `report`.
async fn write(
    db: &yici_store::Db,
    now: chrono::DateTime<chrono::Utc>,
    editor: &Editor,
    good: Vec<(usize, ValidEnterprise)>,
    registered: Registered,
    report: &mut ImportReport,
    progress: &Counters,
) -> Result<(), AppError> {
    let mut valid = good.into_iter().map(|(_, v)| v).peekable();
    while valid.peek().is_some() {
        let batch: Vec<ValidEnterprise> = valid.by_ref().take(COMMIT_ROWS).collect();
        let rows = batch.len();
        let mut tx = db.begin().await?;
        for (_, outcome) in
            enterprises::upsert_many(&mut tx, now, editor, batch, registered).await?
        {
            match outcome {
                Outcome::Created => report.created += 1,
                Outcome::Updated => report.updated += 1,
                Outcome::Unchanged => report.unchanged += 1,
            }
        }
        tx.commit().await?;
        progress.written(rows);
    }
    Ok(())
}

fn export_row(e: &Enterprise) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    ExportRow {
        name: e.name.clone(),
        source_name: e.source_name.clone(),
        uscc: e.uscc.clone(),
        permit_code: opt(&e.permit_code),
        address: e.address.clone(),
        industry_code: e.industry_code.clone(),
        industry_name: e.industry_name.clone(),
        postal_code: opt(&e.postal_code),
        longitude: e.longitude.map(|v| v.to_string()).unwrap_or_default(),
        latitude: e.latitude.map(|v| v.to_string()).unwrap_or_default(),
        region_code: e.region_code.clone(),
        city_name: e.city_name.clone(),
        county_name: e.county_name.clone(),
        industrial_park: opt(&e.industrial_park),
        contact_name: opt(&e.contact_name),
        contact_phone: opt(&e.contact_phone),
        status: e.status.label().to_string(),
        category: e.category.label().to_string(),
        credit_grade: e
            .credit_grade
            .map(|g| g.as_str().to_string())
            .unwrap_or_default(),
        positive_list: yici_interchange::yes_no(e.positive_list).to_string(),
        uscc_exception_reason: opt(&e.uscc_exception_reason),
    }
    .into_cells()
}

/// The export's file name, 企业名录-20261207.csv.
pub fn export_name(state: &AppState, kind: FileKind) -> String {
    let stamp = yici_domain::time::business_date(state.now()).format("%Y%m%d");
    match kind {
        FileKind::Csv => format!("企业名录-{stamp}.csv"),
        FileKind::Xlsx => format!("企业名录-{stamp}.xlsx"),
    }
}

/// The enterprises matching the filter as a file; returns bytes, MIME type and
/// file name. The contact's personal data is whole only when `may_edit`
/// ([`crate::registry_access::as_seen`]). `progress` counts the rows read.
pub async fn export(
    state: &AppState,
    scope: &Scope,
    q: &EnterpriseQuery,
    kind: FileKind,
    may_edit: bool,
    progress: &Counters,
) -> Result<(Vec<u8>, &'static str, String), AppError> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    search::for_each_batch(&mut &state.db, scope, q, 5000, |batch| {
        rows.extend(
            batch
                .iter()
                .map(|e| export_row(&crate::registry_access::as_seen(e.clone(), may_edit))),
        );
        progress.written(batch.len());
    })
    .await?;
    progress.phase(FileJobPhase::Writing);
    let name = export_name(state, kind);
    Ok(match kind {
        FileKind::Csv => (
            yici_interchange::write_csv(rows),
            "text/csv; charset=utf-8",
            name,
        ),
        FileKind::Xlsx => (
            yici_interchange::write_xlsx(rows, "企业名录")
                .map_err(|e| AppError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name,
        ),
    })
}

/// `format=csv|xlsx` of a request.
pub fn kind_of(format: Option<&str>) -> Result<FileKind, AppError> {
    match format.unwrap_or("csv") {
        "csv" => Ok(FileKind::Csv),
        "xlsx" => Ok(FileKind::Xlsx),
        _ => Err(DomainError::field("format", "invalid", "格式只能是csv或xlsx").into()),
    }
}

/// The import template with one example row, as CSV or XLSX.
pub fn template(format: Option<&str>) -> Result<axum::response::Response, AppError> {
    Ok(match kind_of(format)? {
        FileKind::Csv => download(
            yici_interchange::template_csv(),
            "text/csv; charset=utf-8",
            "企业名录导入模板.csv",
        ),
        FileKind::Xlsx => download(
            yici_interchange::template_xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "企业名录导入模板.xlsx",
        ),
    })
}

/// A download response with a Chinese file name (`企业名录-20261207.xlsx`).
pub fn download(bytes: Vec<u8>, mime: &'static str, filename: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, content_disposition(filename)),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment` with the name twice (RFC 6266): `filename*` in UTF-8,
/// percent-encoded (RFC 8187), which every current browser and WPS use, and
/// an ASCII `filename` for older clients: the name's ASCII characters, or
/// `download` with the extension when that leaves no stem.
pub fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .filter(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%'))
        .collect();
    let ascii = ascii.trim_start_matches(['-', '_']);
    let fallback = match ascii.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{ext}"),
        Some((_, ext)) => format!("download.{ext}"),
        None if !ascii.is_empty() => ascii.to_string(),
        None => "download".to_string(),
    };
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Hands memory freed after a large import back to the operating system.
/// glibc keeps freed heap in its arenas; after parsing a 200,000-row file the
/// process would otherwise stay hundreds of MB larger than it needs to be.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused memory; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn chinese_names_travel_percent_encoded_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("企业名录-20261207.xlsx"),
            "attachment; filename=\"20261207.xlsx\"; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95-20261207.xlsx"
        );
        assert_eq!(
            content_disposition("企业名录导入模板.csv"),
            "attachment; filename=\"download.csv\"; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.csv"
        );
        assert_eq!(
            content_disposition("a b\"c.pdf"),
            "attachment; filename=\"abc.pdf\"; filename*=UTF-8''a%20b%22c.pdf"
        );
    }
}
