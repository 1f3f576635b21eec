//! 统计分析 over the API (STAT-1): the dashboard's figures and the tasks
//! behind one of them, for the unit's heads, office and department heads
//! and the system administrator; everyone else gets 403.

use axum::extract::State;
use serde::Deserialize;
use yici_domain::DomainError;
use yici_store::statistics::{self as stats, DrillRow, Figure, Statistics};

use super::extract::{Json, Query};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;
use crate::statistics_access::request;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// The tasks' year (default: this year).
    pub year: Option<i64>,
    /// 1–12: that month only (the monthly series stay whole).
    pub month: Option<i64>,
    /// The unit (default: the reader's; others only for the system administrator).
    pub unit: Option<i64>,
    /// Count the units under it too (province and city units).
    pub rollup: Option<bool>,
}

/// The figures of a unit (or a roll-up) for a year or a month.
#[utoipa::path(get, path = "/api/v1/statistics", tag = "statistics", security(("bearer" = [])),
    params(StatisticsParams),
    responses((status = 200, body = Statistics),
        (status = 403, description = "not a unit head, office, department head or system administrator; or another unit", body = ErrorBody),
        (status = 404, description = "unit names no unit", body = ErrorBody),
        (status = 422, description = "bad month or year", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<StatisticsParams>,
) -> ApiResult<Json<Statistics>> {
    let req = request(
        &state,
        &session.principal,
        q.unit,
        q.rollup.unwrap_or(false),
        q.year,
        q.month,
    )
    .await?;
    Ok(Json(stats::compute(&state.db, &req).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DrillParams {
    pub year: Option<i64>,
    pub month: Option<i64>,
    pub unit: Option<i64>,
    pub rollup: Option<bool>,
    /// The figure: visits, joint, single, lapsed, late, unclosed, overdue.
    #[param(inline)]
    pub figure: Figure,
    /// A breakdown row's `key` (department, or roll-up unit group).
    pub group: Option<i64>,
}

/// The tasks behind a figure (at most 1,000, in id order).
#[utoipa::path(get, path = "/api/v1/statistics/tasks", tag = "statistics", security(("bearer" = [])),
    params(DrillParams),
    responses((status = 200, body = [DrillRow]),
        (status = 403, description = "not allowed", body = ErrorBody),
        (status = 404, description = "unit names no unit", body = ErrorBody),
        (status = 422, description = "bad filter", body = ErrorBody)))]
pub async fn tasks(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<DrillParams>,
) -> ApiResult<Json<Vec<DrillRow>>> {
    let req = request(
        &state,
        &session.principal,
        q.unit,
        q.rollup.unwrap_or(false),
        q.year,
        q.month,
    )
    .await?;
    if q.group.is_some_and(|g| g <= 0) {
        return Err(AppError::from(DomainError::invalid("invalid_group", "分组不存在")).into());
    }
    Ok(Json(
        stats::drill(&state.db, &req, q.figure, q.group).await?,
    ))
}
