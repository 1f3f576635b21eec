//! Imports and exports of the registry as jobs (issue 26 item 8): start one,
//! follow its progress, read its report or download its file. The plain
//! `POST /api/v1/enterprises/import` and `GET /api/v1/enterprises/export`
//! still answer in one request, for scripts that prefer to wait.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use yici_store::file_jobs::{self, FileJob};
use yici_store::registry::search::EnterpriseQuery;

use super::extract::{Json, Path, Query};
use super::registry::{FormatParam, ImportParams};
use crate::error::{ApiResult, ErrorBody};
use crate::file_jobs as jobs;
use crate::registry_access::{ensure_may_edit, may_edit, scope_of};
use crate::session::ApiUser;
use crate::state::AppState;

/// Jobs listed per kind.
const RECENT: i64 = 20;

/// 202 with the job and where to follow it.
fn accepted(job: FileJob) -> Response {
    let location = format!("/api/v1/file-jobs/{}", job.id);
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(job),
    )
        .into_response()
}

/// Start an import of enterprises from a CSV (UTF-8 or GB18030) or XLSX file
/// sent as the request body; answers at once with the job, whose progress
/// and report `GET /api/v1/file-jobs/{id}` gives.
#[utoipa::path(post, path = "/api/v1/enterprises/import-jobs", tag = "registry", security(("bearer" = [])),
    params(ImportParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 202, body = FileJob), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start_import_job(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(p): Query<ImportParams>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    ensure_may_edit(&session.principal)?;
    let scope = scope_of(&session.principal)?;
    if body.is_empty() {
        return Err(yici_domain::DomainError::field(
            "file",
            "empty_file",
            "请选择要导入的CSV或Excel（.xlsx）文件",
        )
        .into());
    }
    let name = p.filename.unwrap_or_else(|| "导入文件".to_string());
    let started = jobs::start_import(&state, &session.principal, scope, body, name).await?;
    Ok(accepted(
        jobs::owned(&state, &session.principal, started.id).await?,
    ))
}

/// Start an export of the enterprises matching the filter (same filters as
/// the search); the file is downloaded from `GET /api/v1/file-jobs/{id}/file`
/// once the job is done, for 24 hours.
#[utoipa::path(post, path = "/api/v1/enterprises/export-jobs", tag = "registry", security(("bearer" = [])),
    params(FormatParam, EnterpriseQuery),
    responses((status = 202, body = FileJob), (status = 422, body = ErrorBody)))]
pub async fn start_export_job(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(f): Query<FormatParam>,
    Query(q): Query<EnterpriseQuery>,
) -> ApiResult<Response> {
    let scope = scope_of(&session.principal)?;
    let kind = crate::registry_files::kind_of(f.format.as_deref())?;
    // A bad filter is refused now, not as a failed job.
    yici_store::registry::search::build(&scope, &q).map_err(crate::error::AppError::from)?;
    let full = may_edit(&session.principal);
    let started = jobs::start_export(&state, &session.principal, scope, q, kind, full).await?;
    Ok(accepted(
        jobs::owned(&state, &session.principal, started.id).await?,
    ))
}

/// The caller's latest imports and exports (20 of each), newest first.
#[utoipa::path(get, path = "/api/v1/file-jobs", tag = "registry", security(("bearer" = [])),
    responses((status = 200, body = Vec<FileJob>)))]
pub async fn list_file_jobs(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<Vec<FileJob>>> {
    Ok(Json(
        file_jobs::recent_all(&state.db, state.now(), session.principal.account_id, RECENT).await?,
    ))
}

/// One of the caller's jobs: status, phase, rows checked and written, and
/// once done the import's report or whether the export's file is ready.
#[utoipa::path(get, path = "/api/v1/file-jobs/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = FileJob), (status = 404, body = ErrorBody)))]
pub async fn get_file_job(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<FileJob>> {
    Ok(Json(jobs::owned(&state, &session.principal, id).await?))
}

/// The file of one of the caller's finished exports.
#[utoipa::path(get, path = "/api/v1/file-jobs/{id}/file", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "CSV or XLSX file"), (status = 404, body = ErrorBody)))]
pub async fn file_job_file(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    Ok(jobs::download(&state, &session.principal, id).await?)
}
