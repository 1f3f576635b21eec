//! 导入导出任务 pages (issue 26 item 8): a job's progress and, once done, the
//! import's report or the export's download; and the list of one's own jobs,
//! so that a page left during a long import loses nothing.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_store::file_jobs::{self, FileJob, FileJobKind, FileJobPhase, FileJobStatus};
use yici_store::registry::search::EnterpriseQuery;

use super::layout::Chrome;
use crate::error::PageResult;
use crate::registry_access::{may_edit, scope_of};
use crate::registry_files::ImportReport;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// How long a request that started a job waits for it before showing its
/// progress page: a small file lands straight on its report.
pub const WAIT_FOR_END: std::time::Duration = std::time::Duration::from_secs(3);

/// A list's export of more enterprises than this is made by a job (a
/// province's million rows take a minute); fewer download at once.
pub const EXPORT_IN_BACKGROUND: i64 = 10_000;

/// A job as its page shows it.
pub struct JobView {
    pub id: i64,
    pub kind: &'static str,
    pub is_import: bool,
    pub status: &'static str,
    pub running: bool,
    pub done: bool,
    pub file_name: String,
    pub started: String,
    pub finished: String,
    /// The step reached, 1–4 (读取, 检查, 写入, 完成), for the step bar.
    pub step: u8,
    pub total: Option<i64>,
    pub checked: i64,
    pub written: i64,
    /// Share of the current step done, 0–100, when it can be told.
    pub percent: Option<i64>,
    pub report: Option<ImportReport>,
    pub error: Option<String>,
    pub has_file: bool,
    /// One line on what the job did, for the list.
    pub summary: String,
}

pub fn view(job: FileJob) -> JobView {
    let is_import = job.kind == FileJobKind::RegistryImport;
    let step = match job.phase {
        FileJobPhase::Reading => 1,
        FileJobPhase::Checking => 2,
        FileJobPhase::Writing => 3,
        FileJobPhase::Done => 4,
    };
    let of = |n: i64| {
        job.rows_total
            .filter(|t| *t > 0)
            .map(|t| (n * 100 / t).clamp(0, 100))
    };
    let percent = match job.phase {
        FileJobPhase::Checking => of(job.rows_checked),
        // An import writes the rows that passed; an export reads them all.
        FileJobPhase::Writing if is_import => None,
        FileJobPhase::Reading if !is_import => of(job.rows_written),
        FileJobPhase::Done => Some(100),
        _ => None,
    };
    // The report was written by this version: a row from an older one that
    // doesn't read is shown without it rather than failing the page.
    let report: Option<ImportReport> = job
        .report
        .clone()
        .and_then(|r| serde_json::from_value(r).ok());
    let summary = match (job.status, &report) {
        (FileJobStatus::Done, Some(r)) => format!(
            "共{}行：新增{}家，更新{}家，无变化{}家，未导入{}行",
            r.rows, r.created, r.updated, r.unchanged, r.rejected
        ),
        (FileJobStatus::Done, None) => format!("共导出{}家", job.rows_written),
        (FileJobStatus::Failed, _) => job.error.clone().unwrap_or_default(),
        (FileJobStatus::Interrupted, _) => format!(
            "服务重启，任务已中断（已写入{}行，可重新{}）",
            job.rows_written,
            if is_import {
                "导入同一文件"
            } else {
                "导出"
            }
        ),
        (FileJobStatus::Running, _) => "进行中".to_string(),
    };
    JobView {
        id: job.id,
        kind: job.kind.label(),
        is_import,
        status: job.status.label(),
        running: job.status == FileJobStatus::Running,
        done: job.status == FileJobStatus::Done,
        file_name: job.file_name,
        started: yici_domain::time::display(job.created_at),
        finished: job
            .finished_at
            .map(yici_domain::time::display)
            .unwrap_or_default(),
        step,
        total: job.rows_total,
        checked: job.rows_checked,
        written: job.rows_written,
        percent,
        report,
        error: job.error,
        has_file: job.has_file,
        summary,
    }
}

#[derive(Template)]
#[template(path = "file_jobs/job.html")]
struct JobPage {
    chrome: Chrome,
    job: JobView,
}

/// A job's page: progress while it runs (the page refreshes itself), then
/// the report or the download.
pub async fn show(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let job = crate::file_jobs::owned(&state, &session.principal, id).await?;
    let active = match job.kind {
        FileJobKind::RegistryImport => "import",
        FileJobKind::RegistryExport => "enterprises",
    };
    Ok(Html(
        JobPage {
            chrome: Chrome::new(&session, active),
            job: view(job),
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "file_jobs/list.html")]
struct ListPage {
    chrome: Chrome,
    jobs: Vec<JobView>,
}

/// 我的导入导出: the signed-in account's latest jobs.
pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Html<String>> {
    let jobs =
        file_jobs::recent_all(&state.db, state.now(), session.principal.account_id, 20).await?;
    Ok(Html(
        ListPage {
            chrome: Chrome::new(&session, "enterprises"),
            jobs: jobs.into_iter().map(view).collect(),
        }
        .render()?,
    ))
}

/// The export's file of a finished job.
pub async fn file(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    Ok(crate::file_jobs::download(&state, &session.principal, id).await?)
}

#[derive(Deserialize)]
pub struct FormatField {
    pub format: Option<String>,
}

/// 导出 of a large result: the file is made by a job, and the page follows it.
pub async fn start_export(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(f): Query<FormatField>,
    Query(q): Query<EnterpriseQuery>,
    CsrfForm(_): CsrfForm<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    let scope = scope_of(&session.principal)?;
    let kind = crate::registry_files::kind_of(f.format.as_deref())?;
    yici_store::registry::search::build(&scope, &q).map_err(crate::error::AppError::from)?;
    let full = may_edit(&session.principal);
    let started =
        crate::file_jobs::start_export(&state, &session.principal, scope, q, kind, full).await?;
    Ok(to_job(started).await)
}

/// Waits a moment for a job just started, then goes to its page.
pub async fn to_job(started: crate::file_jobs::Started) -> Response {
    let id = started.id;
    started.ended_within(WAIT_FOR_END).await;
    Redirect::to(&format!("/file-jobs/{id}")).into_response()
}
