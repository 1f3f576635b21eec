//! Imports and exports that run as jobs (issue 26 item 8): the row that
//! outlives the page which started one. The instance running a job writes
//! its counters with [`progress`] about once a second and its end with
//! [`finish`] or [`fail`]; any instance reads them ([`get`], [`recent`]).
//!
//! A job still running whose heartbeat is older than [`STALE_AFTER`] lost its
//! instance (a restart or a crash): it reads as interrupted. What it had
//! written stays written — an import's rows are committed in batches and a
//! second import of the same file leaves them unchanged.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::args;
use crate::db::{Db, Exec, Row};
use crate::error::StoreResult;

/// A running job's heartbeat older than this means its instance is gone.
pub const STALE_AFTER: Duration = Duration::seconds(30);

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileJobKind {
    RegistryImport,
    RegistryExport,
}

impl FileJobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileJobKind::RegistryImport => "registry_import",
            FileJobKind::RegistryExport => "registry_export",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "registry_export" => FileJobKind::RegistryExport,
            _ => FileJobKind::RegistryImport,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileJobKind::RegistryImport => "企业名录导入",
            FileJobKind::RegistryExport => "企业名录导出",
        }
    }
}

/// Where a job stands, as read (interrupted is derived from the heartbeat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileJobStatus {
    Running,
    Done,
    Failed,
    /// Was running when its instance stopped.
    Interrupted,
}

impl FileJobStatus {
    pub fn label(self) -> &'static str {
        match self {
            FileJobStatus::Running => "进行中",
            FileJobStatus::Done => "已完成",
            FileJobStatus::Failed => "失败",
            FileJobStatus::Interrupted => "已中断",
        }
    }
}

/// The step a running job is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileJobPhase {
    /// Reading the file (import) or the registry (export).
    Reading,
    /// Checking rows (import).
    Checking,
    /// Writing rows to the registry (import) or the file (export).
    Writing,
    Done,
}

impl FileJobPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            FileJobPhase::Reading => "reading",
            FileJobPhase::Checking => "checking",
            FileJobPhase::Writing => "writing",
            FileJobPhase::Done => "done",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "checking" => FileJobPhase::Checking,
            "writing" => FileJobPhase::Writing,
            "done" => FileJobPhase::Done,
            _ => FileJobPhase::Reading,
        }
    }
}

/// The counters a running job reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: FileJobPhase,
    /// Rows in the file (import, once read) or matching the filter (export).
    pub rows_total: Option<i64>,
    pub rows_checked: i64,
    pub rows_written: i64,
}

/// A job as its owner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileJob {
    pub id: i64,
    pub kind: FileJobKind,
    pub status: FileJobStatus,
    pub phase: FileJobPhase,
    /// The uploaded file's name (import) or the file made (export).
    pub file_name: String,
    pub rows_total: Option<i64>,
    pub rows_checked: i64,
    pub rows_written: i64,
    /// The import's report (JSON, as `POST /api/v1/enterprises/import`
    /// answers it), once done.
    #[schema(value_type = Option<Object>)]
    pub report: Option<serde_json::Value>,
    /// Why it failed, in Chinese.
    pub error: Option<String>,
    /// The export's file is ready to download (and not yet removed).
    pub has_file: bool,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Stored name of the export's file; not shown.
    #[serde(skip)]
    #[schema(ignore)]
    pub output: Option<String>,
}

const SELECT: &str = "SELECT id, kind, status, phase, file_name, rows_total, rows_checked,
    rows_written, report, error, output, output_expired_at, created_at, heartbeat_at, finished_at
    FROM file_jobs";

fn job_of(row: &Row, now: DateTime<Utc>) -> StoreResult<FileJob> {
    let status: String = row.get("status")?;
    let heartbeat: DateTime<Utc> = row.get("heartbeat_at")?;
    let status = match status.as_str() {
        "done" => FileJobStatus::Done,
        "failed" => FileJobStatus::Failed,
        _ if now - heartbeat > STALE_AFTER => FileJobStatus::Interrupted,
        _ => FileJobStatus::Running,
    };
    let report: Option<String> = row.get("report")?;
    let output: Option<String> = row.get("output")?;
    let expired: Option<DateTime<Utc>> = row.get("output_expired_at")?;
    Ok(FileJob {
        id: row.get("id")?,
        kind: FileJobKind::parse(&row.get::<String>("kind")?),
        status,
        phase: FileJobPhase::parse(&row.get::<String>("phase")?),
        file_name: row.get("file_name")?,
        rows_total: row.get("rows_total")?,
        rows_checked: row.get("rows_checked")?,
        rows_written: row.get("rows_written")?,
        report: report.and_then(|r| serde_json::from_str(&r).ok()),
        error: row.get("error")?,
        has_file: status == FileJobStatus::Done && output.is_some() && expired.is_none(),
        created_at: row.get("created_at")?,
        finished_at: row.get("finished_at")?,
        output,
    })
}

/// Starts a job of `account`; returns its id.
pub async fn start(
    mut db: &Db,
    now: DateTime<Utc>,
    account: i64,
    kind: FileJobKind,
    file_name: &str,
) -> StoreResult<i64> {
    db.scalar_i64(
        "INSERT INTO file_jobs (kind, account_id, status, phase, file_name, created_at, heartbeat_at)
         VALUES ($1, $2, 'running', 'reading', $3, $4, $4) RETURNING id",
        args![kind.as_str(), account, file_name, now],
    )
    .await
}

/// Writes a running job's counters and heartbeat.
pub async fn progress(mut db: &Db, now: DateTime<Utc>, id: i64, p: Progress) -> StoreResult<()> {
    db.execute(
        "UPDATE file_jobs SET phase = $2, rows_total = $3, rows_checked = $4, rows_written = $5,
                heartbeat_at = $6
          WHERE id = $1 AND status = 'running'",
        args![
            id,
            p.phase.as_str(),
            p.rows_total,
            p.rows_checked,
            p.rows_written,
            now
        ],
    )
    .await?;
    Ok(())
}

/// Ends a job that succeeded, with its last counters, the import's report
/// (JSON) or the export's stored file name.
pub async fn finish(
    mut db: &Db,
    now: DateTime<Utc>,
    id: i64,
    p: Progress,
    report: Option<&str>,
    output: Option<&str>,
) -> StoreResult<()> {
    db.execute(
        "UPDATE file_jobs SET status = 'done', phase = 'done', rows_total = $2, rows_checked = $3,
                rows_written = $4, report = $5, output = $6, heartbeat_at = $7, finished_at = $7
          WHERE id = $1",
        args![
            id,
            p.rows_total,
            p.rows_checked,
            p.rows_written,
            report,
            output,
            now
        ],
    )
    .await?;
    Ok(())
}

/// Ends a job that failed, with the reason as its owner should read it.
pub async fn fail(
    mut db: &Db,
    now: DateTime<Utc>,
    id: i64,
    p: Progress,
    error: &str,
) -> StoreResult<()> {
    db.execute(
        "UPDATE file_jobs SET status = 'failed', phase = $2, rows_total = $3, rows_checked = $4,
                rows_written = $5, error = $6, heartbeat_at = $7, finished_at = $7
          WHERE id = $1",
        args![
            id,
            p.phase.as_str(),
            p.rows_total,
            p.rows_checked,
            p.rows_written,
            error,
            now
        ],
    )
    .await?;
    Ok(())
}

/// A job of `account` (another account's job is not found).
pub async fn get(
    mut db: &Db,
    now: DateTime<Utc>,
    account: i64,
    id: i64,
) -> StoreResult<Option<FileJob>> {
    db.fetch_optional(
        &format!("{SELECT} WHERE id = $1 AND account_id = $2"),
        args![id, account],
    )
    .await?
    .map(|r| job_of(&r, now))
    .transpose()
}

/// The account's latest jobs of a kind, newest first.
pub async fn recent(
    mut db: &Db,
    now: DateTime<Utc>,
    account: i64,
    kind: FileJobKind,
    limit: i64,
) -> StoreResult<Vec<FileJob>> {
    db.fetch_all(
        &format!("{SELECT} WHERE account_id = $1 AND kind = $2 ORDER BY id DESC LIMIT $3"),
        args![account, kind.as_str(), limit],
    )
    .await?
    .iter()
    .map(|r| job_of(r, now))
    .collect()
}

/// The account's latest jobs of every kind, `per_kind` of each, newest first.
pub async fn recent_all(
    db: &Db,
    now: DateTime<Utc>,
    account: i64,
    per_kind: i64,
) -> StoreResult<Vec<FileJob>> {
    let mut all = Vec::new();
    for kind in [FileJobKind::RegistryImport, FileJobKind::RegistryExport] {
        all.extend(recent(db, now, account, kind, per_kind).await?);
    }
    all.sort_by_key(|j| std::cmp::Reverse(j.id));
    Ok(all)
}

/// Export files made before `before` and not yet removed: (job id, stored name).
pub async fn outputs_before(mut db: &Db, before: DateTime<Utc>) -> StoreResult<Vec<(i64, String)>> {
    db.fetch_all(
        "SELECT id, output FROM file_jobs
          WHERE output IS NOT NULL AND output_expired_at IS NULL AND finished_at < $1",
        args![before],
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("id")?, r.get("output")?)))
    .collect()
}

/// Records that a job's file was removed.
pub async fn expire_output(mut db: &Db, now: DateTime<Utc>, id: i64) -> StoreResult<()> {
    db.execute(
        "UPDATE file_jobs SET output_expired_at = $2 WHERE id = $1",
        args![id, now],
    )
    .await?;
    Ok(())
}
