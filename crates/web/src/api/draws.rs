//! 双随机抽查 over the API: the marked extraction list, directed and random
//! extraction, tasks (list, one, cancel), inspector draws, 回避 declarations,
//! and draw records (internal, and public without login).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_store::draw::draws::{self, Draw, Drawn, PublicDraw, RandomPreview, RandomRequest};
use yici_store::draw::inspectors::{self, InspectorDrawRequest, NewRecusal, Recusal};
use yici_store::draw::marks::{self, MarkedPage};
use yici_store::draw::tasks::{self, Task, TaskPage, TaskQuery};
use yici_store::joint::participants::{self, DecisionRequest, Notice, PartnerDepartment};
use yici_store::joint::settings::{self, BatchSettings, TaskSettings};
use yici_store::registry::search::EnterpriseQuery;

use super::extract::{Json, Path, Query};
use crate::draw_access::{initiator, DirectedRequest};
use crate::error::{ApiResult, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// Default: this year.
    pub year: Option<i64>,
}

/// The directed-extraction list: enterprises matching the conditions, each
/// marked yellow/red for the user's unit with whether their department may
/// still extract it (DRAW-6).
#[utoipa::path(get, path = "/api/v1/extraction/enterprises", tag = "draw", security(("bearer" = [])),
    params(EnterpriseQuery, YearParam),
    responses((status = 200, body = MarkedPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn extraction_list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<EnterpriseQuery>,
    Query(y): Query<YearParam>,
) -> ApiResult<Json<MarkedPage>> {
    let who = initiator(&session.principal, None)?;
    let year = this_or(y.year, &state);
    Ok(Json(
        marks::marked(&state.db, &state.config.draw, &who, year, &q).await?,
    ))
}

fn this_or(year: Option<i64>, state: &AppState) -> i64 {
    year.unwrap_or_else(|| i64::from(state.this_year()))
}

/// 定向抽取: one task per ticked enterprise for the user's department.
#[utoipa::path(post, path = "/api/v1/tasks/directed", tag = "draw", security(("bearer" = [])),
    request_body = DirectedRequest,
    responses((status = 201, body = [Task]), (status = 403, body = ErrorBody),
        (status = 409, description = "a frequency cap was reached (code cap_department, cap_unit, cap_all_levels or cap_reached) or the reasonable frequency needs an acknowledged reason (frequency_warning)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn directed(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<DirectedRequest>,
) -> ApiResult<(StatusCode, Json<Vec<Task>>)> {
    let who = initiator(&session.principal, req.options.department_id)?;
    let created = tasks::create_directed(
        &state.db,
        &state.config.draw,
        state.now(),
        &who,
        &req.options,
        &req.enterprise_ids,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// 非定向抽取: draws `count` (default 10) of the allowed enterprises matching
/// the conditions, weighted by credit, and records the draw.
#[utoipa::path(post, path = "/api/v1/tasks/random", tag = "draw", security(("bearer" = [])),
    request_body = RandomRequest,
    responses((status = 201, body = Drawn), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn random(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<RandomRequest>,
) -> ApiResult<(StatusCode, Json<Drawn>)> {
    let who = initiator(&session.principal, req.options.department_id)?;
    let drawn =
        draws::draw_enterprises(&state.db, &state.config.draw, state.now(), &who, &req).await?;
    Ok((StatusCode::CREATED, Json(drawn)))
}

/// The 确认 step of 非定向抽取: the same request as `/api/v1/tasks/random`,
/// checked the same way, answered with the number of candidates matching
/// now and the number to draw; nothing is written.
#[utoipa::path(post, path = "/api/v1/tasks/random/preview", tag = "draw", security(("bearer" = [])),
    request_body = RandomRequest,
    responses((status = 200, body = RandomPreview), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn random_preview(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<RandomRequest>,
) -> ApiResult<Json<RandomPreview>> {
    let who = initiator(&session.principal, req.options.department_id)?;
    Ok(Json(
        draws::preview(&state.db, &state.config.draw, state.now(), &who, &req).await?,
    ))
}

/// The task list (双随机任务) with the manual's filters.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "draw", security(("bearer" = [])),
    params(TaskQuery),
    responses((status = 200, body = TaskPage), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Json<TaskPage>> {
    Ok(Json(
        tasks::list(&state.db, &session.principal, state.now(), &q).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "draw", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Task), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Task>> {
    Ok(Json(
        tasks::get(&state.db, &session.principal, state.now(), id).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelRequest {
    /// Why the task is cancelled (required).
    pub reason: Option<String>,
}

/// DRAW-9: cancel before any result, with a reason; the cap slot is freed.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/cancel", tag = "draw", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CancelRequest,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<CancelRequest>,
) -> ApiResult<Json<Task>> {
    Ok(Json(
        tasks::cancel(
            &state.db,
            state.now(),
            &session.principal,
            id,
            req.reason.as_deref(),
        )
        .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectorsDrawn {
    pub draw: Draw,
    pub task: Task,
}

/// DRAW-4: draw a task's inspectors (initiating department).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/inspectors/draw", tag = "draw", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = InspectorDrawRequest,
    responses((status = 201, body = InspectorsDrawn), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draw_inspectors(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<InspectorDrawRequest>,
) -> ApiResult<(StatusCode, Json<InspectorsDrawn>)> {
    let who = initiator(&session.principal, None)?;
    let (draw, task) = inspectors::draw(&state.db, state.now(), &who, id, &req).await?;
    Ok((StatusCode::CREATED, Json(InspectorsDrawn { draw, task })))
}

/// 回避: a person declares a conflict of interest with an enterprise (they
/// themselves, or whoever manages their department's people).
#[utoipa::path(post, path = "/api/v1/recusals", tag = "draw", security(("bearer" = [])),
    request_body = NewRecusal,
    responses((status = 201, body = Recusal), (status = 403, body = ErrorBody),
        (status = 404, description = "the person or the enterprise does not exist or is not visible to the caller", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn declare_recusal(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<NewRecusal>,
) -> ApiResult<(StatusCode, Json<Recusal>)> {
    let r = inspectors::declare(&state.db, state.now(), &session.principal, &req).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A draw's full record with its re-run, for the drawing unit.
#[utoipa::path(get, path = "/api/v1/draws/{id}", tag = "draw", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = PublicDraw), (status = 404, body = ErrorBody)))]
pub async fn get_draw(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<PublicDraw>> {
    Ok(Json(
        draws::internal(&state.db, &session.principal, id).await?,
    ))
}

/// A draw as the public sees it, without login: its commitment at once; the
/// seed, the candidate list, the result and their re-run once every task of
/// the draw is inspected or cancelled.
#[utoipa::path(get, path = "/api/v1/public/draws/{id}", tag = "draw",
    params(("id" = i64, Path)),
    responses((status = 200, body = PublicDraw), (status = 404, body = ErrorBody)))]
pub async fn public_draw(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<PublicDraw>> {
    Ok(Json(draws::public(&state.db, id).await?))
}

/// 任务设置 (JOINT-1): the planned visit date (after today) and the
/// initiating department's inspectors (at least two of its own officers).
#[utoipa::path(put, path = "/api/v1/tasks/{id}/settings", tag = "joint", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = TaskSettings,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn task_settings(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<TaskSettings>,
) -> ApiResult<Json<Task>> {
    let who = initiator(&session.principal, None)?;
    Ok(Json(
        settings::set(&state.db, state.now(), &who, id, &req).await?,
    ))
}

/// 批量设置: the same planned date and inspectors for several tasks of the
/// user's department, each checked as if set alone; one refusal (its message
/// names the task) and none is changed.
#[utoipa::path(put, path = "/api/v1/tasks/settings", tag = "joint", security(("bearer" = [])),
    request_body = BatchSettings,
    responses((status = 200, body = [Task]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn batch_settings(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<BatchSettings>,
) -> ApiResult<Json<Vec<Task>>> {
    let who = initiator(&session.principal, None)?;
    Ok(Json(
        settings::set_many(&state.db, state.now(), &who, &req).await?,
    ))
}

/// 参与设置 (JOINT-3): a notified department answers 参加 (with its
/// inspectors) or 不参加 within 72 hours; its secretary or administrator.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/participation", tag = "joint", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DecisionRequest,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody),
        (status = 409, description = "the deadline passed (deadline_passed)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn participation(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<DecisionRequest>,
) -> ApiResult<Json<Task>> {
    Ok(Json(
        participants::decide(&state.db, state.now(), &session.principal, id, &req).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PartnerInvite {
    /// A department of a partner agency (市场监管、应急管理 …).
    pub department_id: i64,
}

/// JOINT-6: the initiating department invites a partner agency's department.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/partners", tag = "joint", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PartnerInvite,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite_partner(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<PartnerInvite>,
) -> ApiResult<Json<Task>> {
    let who = initiator(&session.principal, None)?;
    Ok(Json(
        participants::invite_partner(&state.db, state.now(), &who, id, req.department_id).await?,
    ))
}

/// Departments of partner agencies in the user's area that a task may invite.
#[utoipa::path(get, path = "/api/v1/partner-departments", tag = "joint", security(("bearer" = [])),
    responses((status = 200, body = [PartnerDepartment])))]
pub async fn partner_departments(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<Vec<PartnerDepartment>>> {
    let scope = crate::registry_access::scope_of(&session.principal)?;
    Ok(Json(
        participants::partner_departments(&state.db, &scope).await?,
    ))
}

/// The in-app notices of the user's department that still ask for an
/// answer, newest first.
#[utoipa::path(get, path = "/api/v1/notices", tag = "joint", security(("bearer" = [])),
    responses((status = 200, body = [Notice])))]
pub async fn notices(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<Vec<Notice>>> {
    let Some(department) = session.principal.department_id else {
        return Ok(Json(Vec::new()));
    };
    Ok(Json(
        participants::notices(&state.db, department, state.now(), 50).await?,
    ))
}
