//! 检查结果 over the API (RESULT-1…RESULT-5): a department's supervision
//! items, evidence uploads, submission (idempotent by `client_id`) and the
//! task's results per department.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::field::results::ResultInput;
use yici_store::field::evidence::{self, Upload};
use yici_store::field::results::{
    self, CorrectionInput, Evidence, SupervisionItem, TaskResult, TaskResults,
};

use super::extract::{Json, Path, Query};
use crate::error::{ApiResult, ErrorBody};
use crate::evidence_files::{read_upload, serve_evidence, DepartmentAndClient};
use crate::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentParam {
    /// The participating department (default: the one the inspector is on the task for).
    pub department_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentItems {
    pub department_id: i64,
    pub department_name: String,
    /// The department's supervision item list; 其他 (free text) is always possible too.
    pub items: Vec<SupervisionItem>,
}

/// The supervision items the inspector's department may tick on this task.
#[utoipa::path(get, path = "/api/v1/field/tasks/{id}/items", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path), DepartmentParam),
    responses((status = 200, body = DepartmentItems), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn items(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<DepartmentParam>,
) -> ApiResult<Json<DepartmentItems>> {
    let entry = results::entry(
        &state.db,
        &session.principal,
        state.now(),
        id,
        q.department_id,
    )
    .await?;
    Ok(Json(DepartmentItems {
        department_id: entry.reporter.department_id,
        department_name: entry.reporter.department_name,
        items: entry.items,
    }))
}

/// 影像资料: one photo (JPEG, PNG or WebP, told by its content; at most the
/// configured size, 10 MB by default), as `multipart/form-data` with a
/// `file` part (and optional `client_id`, `department_id` parts) or as the
/// raw bytes. Stored by its SHA-256; returns its id for the result.
#[utoipa::path(post, path = "/api/v1/field/tasks/{id}/evidence", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path), DepartmentAndClient),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "the photo's bytes, or multipart/form-data with a `file` part"),
    responses((status = 201, body = Evidence), (status = 200, description = "a retry with the same client_id", body = Evidence),
        (status = 403, body = ErrorBody), (status = 409, description = "not checked in (not_checked_in), already submitted (already_submitted), or the client_id names another photo (client_id_conflict)", body = ErrorBody),
        (status = 413, description = "too_large", body = ErrorBody), (status = 422, description = "not_image", body = ErrorBody)))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Evidence>)> {
    let max = state.config.evidence_max_bytes;
    let form = read_upload(&state, req, max).await?;
    let (e, created) = evidence::upload(
        &state.db,
        &state.config.evidence_dir,
        max,
        state.now(),
        &session.principal,
        id,
        Upload {
            bytes: form.bytes,
            client_id: form.client_id,
            department_id: form.department_id,
        },
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(e)))
}

/// Submits the department's result (RESULT-1…RESULT-4). `client_id` is made
/// by the client when the draft starts: the same id with the same body
/// returns the stored result (200), a different body under it is refused
/// (409 `client_id_conflict`). Once submitted a result never changes (409
/// `already_submitted`); the task completes when every participating
/// department has submitted.
#[utoipa::path(post, path = "/api/v1/field/tasks/{id}/results", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ResultInput,
    responses((status = 201, body = TaskResult), (status = 200, description = "a retry of the same submission", body = TaskResult),
        (status = 403, description = "not_on_task, not_participating", body = ErrorBody),
        (status = 409, description = "already_submitted, client_id_conflict, not_checked_in, task_closed", body = ErrorBody),
        (status = 422, description = "required, unknown_item, duplicate_item, unknown_evidence …", body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<ResultInput>,
) -> ApiResult<(StatusCode, Json<TaskResult>)> {
    let done = results::submit(&state.db, state.now(), &session.principal, id, &input).await?;
    let status = if done.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(done.result)))
}

/// Corrects the department's result in force (RESULT-3) by a new, linked
/// result: the whole result as it should have been, `corrects_id` (the
/// result in force) and `reason`. The original never changes. Only the same
/// department's inspectors on the task correct it. Rectifications follow:
/// a problem gone withdraws its open rectification, a new one raises a draft.
#[utoipa::path(post, path = "/api/v1/field/tasks/{id}/results/corrections", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CorrectionInput,
    responses((status = 201, body = TaskResult), (status = 200, description = "a retry of the same correction", body = TaskResult),
        (status = 403, description = "not_on_task, not_participating", body = ErrorBody),
        (status = 409, description = "not_submitted, superseded (corrects_id is not the result in force), client_id_conflict", body = ErrorBody),
        (status = 422, description = "reason required, and the checks of a submission", body = ErrorBody)))]
pub async fn correct(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<CorrectionInput>,
) -> ApiResult<(StatusCode, Json<TaskResult>)> {
    let done = results::correct(&state.db, state.now(), &session.principal, id, &input).await?;
    let status = if done.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(done.result)))
}

/// The task's results: every participating department, 已办理 or 未办理,
/// with its result.
#[utoipa::path(get, path = "/api/v1/field/tasks/{id}/results", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = TaskResults), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<TaskResults>> {
    Ok(Json(
        results::of_task(&state.db, &session.principal, state.now(), id).await?,
    ))
}

/// One evidence photo's bytes, for whoever may see its task.
#[utoipa::path(get, path = "/api/v1/field/evidence/{id}", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the photo", content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
pub async fn evidence_file(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, crate::error::ApiError> {
    Ok(serve_evidence(&state, &session.principal, id).await?)
}
