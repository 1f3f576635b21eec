//! Official documents over the API (DOC-2…DOC-7): drafting on a task, editing
//! a draft, workflow steps, files (HTML, DOCX, PDF), the approver's inbox,
//! number patterns, the register per kind and year, and the task's procedure
//! (非现场检查, 口头通知) with what it still owes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::documents::{DocumentKind, Form};
use yici_store::documents::numbering::{self, PatternInput, PatternView, Register};
use yici_store::documents::owed::{self, OwedTask, Procedure, ProcedureInput};
use yici_store::documents::workflow::{self, Step};
use yici_store::documents::{self, draft, Document};

use super::extract::{Json, Path, Query};
use crate::document_files::{self, Format};
use crate::error::{ApiResult, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftRequest {
    pub kind: DocumentKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDocuments {
    pub documents: Vec<Document>,
    pub procedure: Procedure,
}

/// The documents of a task and what its inspection still owes.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/documents", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = TaskDocuments), (status = 404, body = ErrorBody)))]
pub async fn of_task(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<TaskDocuments>> {
    let documents = documents::of_task(&state.db, &session.principal, state.now(), id).await?;
    let procedure = owed::procedure(&mut &state.db, id).await?;
    Ok(Json(TaskDocuments {
        documents,
        procedure,
    }))
}

/// Drafts a document on the task for the user's department, filled in from
/// the platform (enterprise, USCC, inspectors and 执法证号, time, place, items,
/// source, the frequency line for capped sources).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/documents", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DraftRequest,
    responses((status = 201, body = Document), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "a live 审批表/通知书 exists (conflict), the task is cancelled (task_closed) or remote (remote_inspection)", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<DraftRequest>,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let per_unit = state.config.draw.caps.per_unit;
    let doc = draft::draft(
        &state.db,
        state.now(),
        &session.principal,
        id,
        req.kind,
        per_unit,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// One document with its history.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Document), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Document>> {
    Ok(Json(
        documents::get(&state.db, &session.principal, state.now(), id).await?,
    ))
}

/// Replaces a draft's contents (the kind stays).
#[utoipa::path(put, path = "/api/v1/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Form,
    responses((status = 200, body = Document), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(form): Json<Form>,
) -> ApiResult<Json<Document>> {
    Ok(Json(
        workflow::edit(&state.db, state.now(), &session.principal, id, &form).await?,
    ))
}

/// One workflow step: submit, sign_department_head, approve_unit_head, return,
/// number (the office: numbered and stamped), serve, complete, void.
#[utoipa::path(post, path = "/api/v1/documents/{id}/actions", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Step,
    responses((status = 200, body = Document),
        (status = 403, description = "not this person's step — e.g. a department head approving as unit head", body = ErrorBody),
        (status = 409, description = "the document's state does not allow it (wrong_state, not_approved, approval_required, served_after_visit)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(step): Json<Step>,
) -> ApiResult<Json<Document>> {
    Ok(Json(
        state.document_step(&session.principal, id, &step).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// html, docx or pdf
    // Inline: a parameter's type is not added to the document's schemas, so a
    // reference to it would point nowhere.
    #[param(inline)]
    pub format: Format,
}

/// The document as a file: print HTML, DOCX or PDF (embedded CJK font).
#[utoipa::path(get, path = "/api/v1/documents/{id}/file", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path), FormatParam),
    responses((status = 200, description = "text/html, application/pdf or DOCX"), (status = 404, body = ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<FormatParam>,
) -> ApiResult<Response> {
    let doc = documents::get(&state.db, &session.principal, state.now(), id).await?;
    Ok(document_files::response(&doc, q.format).await?)
}

/// What waits on the user: 待签批 (department head), 待批准 (unit head), 待编号 (office).
#[utoipa::path(get, path = "/api/v1/documents/inbox", tag = "documents", security(("bearer" = [])),
    responses((status = 200, body = [Document])))]
pub async fn inbox(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<Vec<Document>>> {
    Ok(Json(documents::inbox(&state.db, &session.principal).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// Default: this year.
    pub year: Option<i32>,
}

fn this_or(year: Option<i32>, state: &AppState) -> i32 {
    year.unwrap_or_else(|| state.this_year())
}

/// A unit's number patterns, one per numbered kind.
#[utoipa::path(get, path = "/api/v1/units/{id}/document-patterns", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [PatternView])))]
pub async fn patterns(
    State(state): State<AppState>,
    ApiUser(_session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<PatternView>>> {
    Ok(Json(
        numbering::patterns(&state.db, id, this_or(None, &state)).await?,
    ))
}

/// Sets a unit's pattern for a kind: `{year}` and `{n}` each once (office or system administrator).
#[utoipa::path(put, path = "/api/v1/units/{id}/document-patterns", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PatternInput,
    responses((status = 200, body = PatternView), (status = 403, body = ErrorBody),
        (status = 409, description = "the kind is not numbered (not_numbered, field kind)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_pattern(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<PatternInput>,
) -> ApiResult<Json<PatternView>> {
    Ok(Json(
        numbering::set_pattern(&state.db, state.now(), &session.principal, id, &input).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterParams {
    pub kind: DocumentKind,
    /// Default: this year.
    pub year: Option<i32>,
}

/// 文书编号登记: every number of a kind and year, voided ones marked, with
/// the check that the numbers run 1…N without gap or duplicate.
#[utoipa::path(get, path = "/api/v1/units/{id}/document-register", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path), RegisterParams),
    responses((status = 200, body = Register), (status = 403, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<RegisterParams>,
) -> ApiResult<Json<Register>> {
    let year = this_or(q.year, &state);
    Ok(Json(
        numbering::register(&state.db, &session.principal, id, q.kind, year).await?,
    ))
}

/// Sets 非现场检查 or records an urgent 口头通知 (reported to the unit head).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/procedure", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ProcedureInput,
    responses((status = 200, body = Procedure), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_procedure(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<ProcedureInput>,
) -> ApiResult<Json<Procedure>> {
    Ok(Json(
        owed::set(&state.db, state.now(), &session.principal, id, &input).await?,
    ))
}

/// The unit's tasks that still owe an approved 审批表 or a served 通知书
/// (urgent ones awaiting 补办手续 first).
#[utoipa::path(get, path = "/api/v1/documents/owed", tag = "documents", security(("bearer" = [])),
    params(YearParam),
    responses((status = 200, body = [OwedTask])))]
pub async fn owed_tasks(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<YearParam>,
) -> ApiResult<Json<Vec<OwedTask>>> {
    let year = this_or(q.year, &state);
    Ok(Json(
        owed::owed_of_unit(&state.db, &session.principal, i64::from(year)).await?,
    ))
}
