//! 行政检查事项清单 and 行政检查计划 over the API (DOC-1): a department's
//! list and plan of a year with its progress, adding, editing and removing
//! rows, 复制上一年度, and the unit's public view without login.
//!
//! `department_id` defaults to the caller's own department and `year` to
//! this year (Asia/Shanghai). Editing is for the department's secretary
//! account, administrator and 承办机构负责人 (and the system administrator);
//! reading for everyone logged in within the unit.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::org::Principal;
use yici_domain::plans::{ItemInput, PlanRowInput};
use yici_domain::DomainError;
use yici_store::plans::{self, Copied, PlanItem, PlanRow, PlanSheet, Progress, PublicPlans};

use super::extract::{Json, Path, Query};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;

/// Which department's list and which year.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetParams {
    /// Default: the caller's own department.
    pub department_id: Option<i64>,
    /// Default: this year.
    pub year: Option<i64>,
}

/// The department asked for, or the caller's own.
pub fn department_of(p: &Principal, requested: Option<i64>) -> Result<i64, AppError> {
    requested.or(p.department_id).ok_or_else(|| {
        DomainError::field("department_id", "required", "请指定处室（department_id）").into()
    })
}

/// A department's list, plan and progress of a year (清单、计划与进度).
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", security(("bearer" = [])),
    params(SheetParams),
    responses((status = 200, body = PlanSheet), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sheet(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<SheetParams>,
) -> ApiResult<Json<PlanSheet>> {
    let d = department_of(&session.principal, q.department_id)?;
    let year = q.year.unwrap_or_else(|| i64::from(state.this_year()));
    Ok(Json(
        plans::sheet(&state.db, &session.principal, d, year).await?,
    ))
}

/// The 行政检查事项清单 of a department and year, each item with its 检查依据.
#[utoipa::path(get, path = "/api/v1/plans/items", tag = "plans", security(("bearer" = [])),
    params(SheetParams),
    responses((status = 200, body = [PlanItem]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_items(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<SheetParams>,
) -> ApiResult<Json<Vec<PlanItem>>> {
    let d = department_of(&session.principal, q.department_id)?;
    plans::readable(&state.db, &session.principal, d).await?;
    let year =
        yici_domain::plans::check_year(q.year.unwrap_or_else(|| i64::from(state.this_year())))?;
    Ok(Json(plans::items_for(&state.db, d, year).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewItemRequest {
    /// Default: the caller's own department.
    pub department_id: Option<i64>,
    /// 2000–2100; default: this year.
    pub year: Option<i64>,
    #[serde(flatten)]
    pub item: ItemInput,
}

/// Adds a row to the 行政检查事项清单.
#[utoipa::path(post, path = "/api/v1/plans/items", tag = "plans", security(("bearer" = [])),
    request_body = NewItemRequest,
    responses((status = 201, body = PlanItem), (status = 403, body = ErrorBody),
        (status = 404, description = "department_id names no department", body = ErrorBody),
        (status = 409, description = "the code is already in the list (duplicate, field code)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_item(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<NewItemRequest>,
) -> ApiResult<(StatusCode, Json<PlanItem>)> {
    let d = department_of(&session.principal, req.department_id)?;
    let year = req.year.unwrap_or_else(|| i64::from(state.this_year()));
    let item = plans::create_item(
        &state.db,
        state.now(),
        &session.principal,
        d,
        year,
        &req.item,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// Edits a list row; allowed while plan rows name it (they show the new text).
#[utoipa::path(put, path = "/api/v1/plans/items/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ItemInput,
    responses((status = 200, body = PlanItem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_item(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<ItemInput>,
) -> ApiResult<Json<PlanItem>> {
    Ok(Json(
        plans::update_item(&state.db, state.now(), &session.principal, id, &req).await?,
    ))
}

/// Removes a list row; refused (item_in_use) while a plan row names it.
#[utoipa::path(delete, path = "/api/v1/plans/items/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "a plan row names the item (item_in_use)", body = ErrorBody)))]
pub async fn remove_item(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    plans::remove_item(&state.db, state.now(), &session.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The 抽查计划 of a department and year.
#[utoipa::path(get, path = "/api/v1/plans/rows", tag = "plans", security(("bearer" = [])),
    params(SheetParams),
    responses((status = 200, body = [PlanRow]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_rows(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<SheetParams>,
) -> ApiResult<Json<Vec<PlanRow>>> {
    let d = department_of(&session.principal, q.department_id)?;
    plans::readable(&state.db, &session.principal, d).await?;
    let year =
        yici_domain::plans::check_year(q.year.unwrap_or_else(|| i64::from(state.this_year())))?;
    Ok(Json(plans::rows_for(&state.db, d, year).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRowRequest {
    /// 发起部门. Default: the caller's own department.
    pub department_id: Option<i64>,
    /// 2000–2100; default: this year.
    pub year: Option<i64>,
    #[serde(flatten)]
    pub row: PlanRowInput,
}

/// Adds a row to the 抽查计划; its 抽查事项 must be an item of the same
/// department's list of the same year.
#[utoipa::path(post, path = "/api/v1/plans/rows", tag = "plans", security(("bearer" = [])),
    request_body = NewRowRequest,
    responses((status = 201, body = PlanRow), (status = 403, body = ErrorBody),
        (status = 404, description = "department_id names no department", body = ErrorBody),
        (status = 422, description = "a field is missing or wrong; item_id of another department (other_department) or year (other_year)", body = ErrorBody)))]
pub async fn create_row(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<NewRowRequest>,
) -> ApiResult<(StatusCode, Json<PlanRow>)> {
    let d = department_of(&session.principal, req.department_id)?;
    let year = req.year.unwrap_or_else(|| i64::from(state.this_year()));
    let row = plans::create_row(
        &state.db,
        state.now(),
        &session.principal,
        d,
        year,
        &req.row,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

#[utoipa::path(put, path = "/api/v1/plans/rows/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PlanRowInput,
    responses((status = 200, body = PlanRow), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_row(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<PlanRowInput>,
) -> ApiResult<Json<PlanRow>> {
    Ok(Json(
        plans::update_row(&state.db, state.now(), &session.principal, id, &req).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/plans/rows/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_row(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    plans::remove_row(&state.db, state.now(), &session.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CopyRequest {
    /// Default: the caller's own department.
    pub department_id: Option<i64>,
    /// The year to fill from the year before (2000–2100).
    pub year: Option<i64>,
}

/// 复制上一年度: the year's list and plan from the year before; refused when
/// the year already has rows (conflict) or the year before has none
/// (nothing_to_copy). 实施时间 moves by a year.
#[utoipa::path(post, path = "/api/v1/plans/copy", tag = "plans", security(("bearer" = [])),
    request_body = CopyRequest,
    responses((status = 201, body = Copied), (status = 403, body = ErrorBody),
        (status = 404, description = "department_id names no department", body = ErrorBody),
        (status = 409, description = "the year already has rows (conflict)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn copy_previous(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<CopyRequest>,
) -> ApiResult<(StatusCode, Json<Copied>)> {
    let d = department_of(&session.principal, req.department_id)?;
    let year = req
        .year
        .ok_or_else(|| DomainError::required("year", "年度"))?;
    let copied = plans::copy_previous(&state.db, state.now(), &session.principal, d, year).await?;
    Ok((StatusCode::CREATED, Json(copied)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Templated {
    /// Items written into the year's list.
    pub items: usize,
}

/// 使用业务条线模板: starts the year's empty list from the department's
/// business line template (codes, names, 检查对象, 检查依据), to edit after.
#[utoipa::path(post, path = "/api/v1/plans/template", tag = "plans", security(("bearer" = [])),
    request_body = CopyRequest,
    responses((status = 201, body = Templated), (status = 403, body = ErrorBody),
        (status = 404, description = "department_id names no department", body = ErrorBody),
        (status = 409, description = "the year already has rows (conflict), or no template (no_template)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn from_template(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<CopyRequest>,
) -> ApiResult<(StatusCode, Json<Templated>)> {
    let d = department_of(&session.principal, req.department_id)?;
    let year = req
        .year
        .ok_or_else(|| DomainError::required("year", "年度"))?;
    let items = plans::from_template(&state.db, state.now(), &session.principal, d, year).await?;
    Ok((StatusCode::CREATED, Json(Templated { items })))
}

/// Progress against the plan: 抽取对象数量 planned, tasks drawn (not
/// cancelled), inspected (completed) and published.
#[utoipa::path(get, path = "/api/v1/plans/progress", tag = "plans", security(("bearer" = [])),
    params(SheetParams),
    responses((status = 200, body = Progress), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn progress(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<SheetParams>,
) -> ApiResult<Json<Progress>> {
    let d = department_of(&session.principal, q.department_id)?;
    plans::readable(&state.db, &session.principal, d).await?;
    let year =
        yici_domain::plans::check_year(q.year.unwrap_or_else(|| i64::from(state.this_year())))?;
    Ok(Json(plans::progress(&state.db, d, year).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicParams {
    /// The unit (单位) id.
    pub unit: i64,
    /// Default: this year.
    pub year: Option<i64>,
}

/// 公示: a unit's item lists and plans of a year, per department, with
/// progress — without login.
#[utoipa::path(get, path = "/api/v1/public/plans", tag = "plans",
    params(PublicParams),
    responses((status = 200, body = PublicPlans), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn public(
    State(state): State<AppState>,
    Query(q): Query<PublicParams>,
) -> ApiResult<Json<PublicPlans>> {
    let year = q.year.unwrap_or_else(|| i64::from(state.this_year()));
    Ok(Json(plans::public(&state.db, q.unit, year).await?))
}
