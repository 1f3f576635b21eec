//! 检查评价 over the API (RES-4): the unit's ratings of a year, for its
//! office and leaders only; everyone else — inspectors, secretary accounts,
//! department heads — gets 403.

use axum::extract::State;
use serde::Deserialize;
use yici_store::ratings::{self, Rating};

use super::extract::{Json, Query};
use crate::error::{ApiResult, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// The inspections' year (default: this year).
    pub year: Option<i64>,
}

/// The enterprises' ratings of the unit's inspections of a year, newest first.
#[utoipa::path(get, path = "/api/v1/ratings", tag = "ratings", security(("bearer" = [])),
    params(YearParam),
    responses((status = 200, body = [Rating]), (status = 403, description = "not the unit's office or leader", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<YearParam>,
) -> ApiResult<Json<Vec<Rating>>> {
    let year = q.year.unwrap_or_else(|| i64::from(state.this_year()));
    Ok(Json(
        ratings::of_unit(&state.db, &session.principal, year).await?,
    ))
}
