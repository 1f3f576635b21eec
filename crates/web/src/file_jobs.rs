//! Long imports and exports as jobs (issue 26 item 8), shared by the pages
//! and the API. The work runs in a task of its own; its counters are atomics
//! the work moves as it goes ([`Counters`]), and a ticker writes them to the
//! job's row once a second, so the page polling it — on any instance — sees
//! rows checked and written, and a page left and opened again finds the job
//! and its report (`yici_store::file_jobs`).

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use yici_domain::org::Principal;
use yici_interchange::FileKind;
use yici_store::file_jobs::{self, FileJob, FileJobKind, FileJobPhase, Progress};
use yici_store::registry::search::{EnterpriseQuery, Scope};

use crate::error::AppError;
use crate::state::AppState;

/// How often a running job's counters are written down.
const TICK: Duration = Duration::from_secs(1);

/// How long an export's file is kept.
pub const KEEP_OUTPUT: chrono::Duration = chrono::Duration::hours(24);

/// A running job's counters, moved by the work and read by the ticker.
#[derive(Debug)]
pub struct Counters {
    phase: AtomicU8,
    /// -1 while unknown.
    total: AtomicI64,
    checked: AtomicI64,
    written: AtomicI64,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            phase: AtomicU8::new(0),
            total: AtomicI64::new(-1),
            checked: AtomicI64::new(0),
            written: AtomicI64::new(0),
        }
    }
}

impl Counters {
    pub fn phase(&self, phase: FileJobPhase) {
        let n = match phase {
            FileJobPhase::Reading => 0,
            FileJobPhase::Checking => 1,
            FileJobPhase::Writing => 2,
            FileJobPhase::Done => 3,
        };
        self.phase.store(n, Ordering::Relaxed);
    }

    pub fn total(&self, rows: usize) {
        self.total.store(rows as i64, Ordering::Relaxed);
    }

    pub fn checked(&self, rows: usize) {
        self.checked.fetch_add(rows as i64, Ordering::Relaxed);
    }

    pub fn written(&self, rows: usize) {
        self.written.fetch_add(rows as i64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Progress {
        let total = self.total.load(Ordering::Relaxed);
        Progress {
            phase: match self.phase.load(Ordering::Relaxed) {
                0 => FileJobPhase::Reading,
                1 => FileJobPhase::Checking,
                2 => FileJobPhase::Writing,
                _ => FileJobPhase::Done,
            },
            rows_total: (total >= 0).then_some(total),
            rows_checked: self.checked.load(Ordering::Relaxed),
            rows_written: self.written.load(Ordering::Relaxed),
        }
    }
}

/// What a job leaves when it succeeds.
pub enum Outcome {
    /// An import's report, as JSON.
    Report(String),
    /// An export's file, stored in the jobs folder under this name.
    Output(String),
}

/// A started job: its id, and a receiver that answers when it has ended
/// (the page waits a moment on it, so that a small file lands straight on
/// its report).
pub struct Started {
    pub id: i64,
    pub ended: tokio::sync::oneshot::Receiver<()>,
}

impl Started {
    /// Waits up to `wait` for the job to end; true when it has.
    pub async fn ended_within(self, wait: Duration) -> bool {
        matches!(tokio::time::timeout(wait, self.ended).await, Ok(Ok(())))
    }
}

/// Starts `work` as a job of `principal`, with `counters` shared between the
/// work and the ticker.
async fn spawn<W>(
    state: &AppState,
    principal: &Principal,
    kind: FileJobKind,
    file_name: &str,
    counters: Arc<Counters>,
    work: W,
) -> Result<Started, AppError>
where
    W: Future<Output = Result<Outcome, AppError>> + Send + 'static,
{
    let id = file_jobs::start(
        &state.db,
        state.now(),
        principal.account_id,
        kind,
        file_name,
    )
    .await?;
    let (tx, ended) = tokio::sync::oneshot::channel();
    let state = state.clone();
    tokio::spawn(async move {
        let work = tokio::spawn(work);
        tokio::pin!(work);
        let mut tick = tokio::time::interval(TICK);
        let result = loop {
            tokio::select! {
                r = &mut work => break r,
                _ = tick.tick() => {
                    if let Err(e) = file_jobs::progress(&state.db, state.now(), id, counters.snapshot()).await {
                        tracing::warn!(job = id, error = %e, "file job progress not written");
                    }
                }
            }
        };
        let last = counters.snapshot();
        let written = match result {
            Ok(Ok(Outcome::Report(json))) => {
                file_jobs::finish(&state.db, state.now(), id, last, Some(&json), None).await
            }
            Ok(Ok(Outcome::Output(name))) => {
                file_jobs::finish(&state.db, state.now(), id, last, None, Some(&name)).await
            }
            Ok(Err(e)) => {
                let message = match e {
                    AppError::Domain(d) => d.message,
                    AppError::Internal(detail) => {
                        tracing::error!(job = id, %detail, "file job failed");
                        "服务器内部错误，请稍后重试或联系系统管理员".to_string()
                    }
                };
                file_jobs::fail(&state.db, state.now(), id, last, &message).await
            }
            Err(panicked) => {
                tracing::error!(job = id, error = %panicked, "file job panicked");
                file_jobs::fail(
                    &state.db,
                    state.now(),
                    id,
                    last,
                    "服务器内部错误，请稍后重试或联系系统管理员",
                )
                .await
            }
        };
        if let Err(e) = written {
            tracing::error!(job = id, error = %e, "file job end not written");
        }
        let _ = tx.send(());
    });
    Ok(Started { id, ended })
}

/// Starts a registry import of an uploaded file (ENT-4).
pub async fn start_import(
    state: &AppState,
    principal: &Principal,
    scope: Scope,
    bytes: axum::body::Bytes,
    file_name: String,
) -> Result<Started, AppError> {
    let counters = Arc::new(Counters::default());
    let work = {
        let (state, principal, counters, name) = (
            state.clone(),
            principal.clone(),
            counters.clone(),
            file_name.clone(),
        );
        async move {
            let report = crate::registry_files::import(
                &state,
                &principal,
                &scope,
                bytes,
                Some(&name),
                &counters,
            )
            .await?;
            let json =
                serde_json::to_string(&report).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(Outcome::Report(json))
        }
    };
    spawn(
        state,
        principal,
        FileJobKind::RegistryImport,
        &file_name,
        counters,
        work,
    )
    .await
}

/// Starts a registry export of the enterprises matching `q`, written to a
/// file in the jobs folder.
pub async fn start_export(
    state: &AppState,
    principal: &Principal,
    scope: Scope,
    q: EnterpriseQuery,
    kind: FileKind,
    may_edit: bool,
) -> Result<Started, AppError> {
    let file_name = crate::registry_files::export_name(state, kind);
    let counters = Arc::new(Counters::default());
    let work = {
        let (state, counters) = (state.clone(), counters.clone());
        async move {
            // The total, for the page's bar: the search's own count.
            let first = EnterpriseQuery {
                page: Some(1),
                per_page: Some(1),
                ..q.clone()
            };
            let found = yici_store::registry::search::search(&state.db, &scope, &first).await?;
            counters.total(usize::try_from(found.total).unwrap_or(0));
            let (bytes, _, _) =
                crate::registry_files::export(&state, &scope, &q, kind, may_edit, &counters)
                    .await?;
            // Unguessable, though a download is checked against its owner anyway.
            let stored = format!(
                "{:032x}.{}",
                rand::random::<u128>(),
                match kind {
                    FileKind::Csv => "csv",
                    FileKind::Xlsx => "xlsx",
                }
            );
            let dir = folder(&state);
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|e| AppError::Internal(format!("{}: {e}", dir.display())))?;
            // Written aside and renamed: a file under its final name is whole.
            let partial = dir.join(format!("{stored}.part"));
            tokio::fs::write(&partial, bytes)
                .await
                .map_err(|e| AppError::Internal(format!("{}: {e}", partial.display())))?;
            tokio::fs::rename(&partial, dir.join(&stored))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(Outcome::Output(stored))
        }
    };
    spawn(
        state,
        principal,
        FileJobKind::RegistryExport,
        &file_name,
        counters,
        work,
    )
    .await
}

/// The folder of exports' files: `jobs` in the evidence folder, which every
/// instance already shares.
pub fn folder(state: &AppState) -> PathBuf {
    folder_in(&state.config.evidence_dir)
}

/// The jobs folder inside an evidence folder.
pub fn folder_in(evidence_dir: &std::path::Path) -> PathBuf {
    evidence_dir.join("jobs")
}

/// A job of the signed-in account, or 404 (another's job is not found).
pub async fn owned(state: &AppState, principal: &Principal, id: i64) -> Result<FileJob, AppError> {
    file_jobs::get(&state.db, state.now(), principal.account_id, id)
        .await?
        .ok_or_else(|| {
            yici_domain::DomainError::new(
                yici_domain::ErrorKind::NotFound,
                "not_found",
                "导入导出任务不存在或无权查看",
            )
            .into()
        })
}

/// The export's file of a job of the signed-in account, as a download.
pub async fn download(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<axum::response::Response, AppError> {
    let job = owned(state, principal, id).await?;
    let gone = || {
        AppError::from(yici_domain::DomainError::new(
            yici_domain::ErrorKind::NotFound,
            "file_gone",
            "导出文件尚未生成或已过期（保留24小时），请重新导出",
        ))
    };
    let stored = job
        .output
        .as_deref()
        .filter(|_| job.has_file)
        .ok_or_else(gone)?;
    let bytes = tokio::fs::read(folder(state).join(stored))
        .await
        .map_err(|_| gone())?;
    let mime = if stored.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok(crate::registry_files::download(bytes, mime, &job.file_name))
}

/// Removes exports' files older than [`KEEP_OUTPUT`]; returns how many.
pub async fn remove_old_outputs(state: &AppState) -> yici_store::StoreResult<usize> {
    remove_outputs_before(
        &state.db,
        &folder(state),
        state.now() - KEEP_OUTPUT,
        state.now(),
    )
    .await
}

/// Removes from `folder` the files of exports finished before `before`,
/// and says so on their jobs (the download then answers 404).
pub async fn remove_outputs_before(
    db: &yici_store::Db,
    folder: &std::path::Path,
    before: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> yici_store::StoreResult<usize> {
    let old = file_jobs::outputs_before(db, before).await?;
    let mut removed = 0;
    for (id, stored) in &old {
        match tokio::fs::remove_file(folder.join(stored)).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(job = id, error = %e, "export file not removed");
                continue;
            }
        }
        file_jobs::expire_output(db, now, *id).await?;
        removed += 1;
    }
    Ok(removed)
}
