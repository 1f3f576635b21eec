//! 监督预警 over the API (STAT-2): the warnings in the reader's reach and
//! closing one with a note.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::warnings::{WarningKind, WarningState};
use yici_domain::DomainError;
use yici_store::warnings::{self, Filter, Warning};

use super::extract::{Json, Path, Query};
use crate::error::{ApiResult, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// repeat_visit, missing_approval, notice_not_served, no_check_in_code,
    /// participation_overdue, result_overdue, rectification_overdue (code or label).
    pub kind: Option<String>,
    /// open or closed (code or label); both by default, open ones first.
    pub state: Option<String>,
    pub task_id: Option<i64>,
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl ListParams {
    pub fn filter(&self) -> Result<Filter, DomainError> {
        let kind = given(self.kind.as_deref())
            .map(|k| {
                WarningKind::parse(k)
                    .ok_or_else(|| DomainError::field("kind", "invalid", "预警类型有误"))
            })
            .transpose()?;
        let state = given(self.state.as_deref())
            .map(|s| {
                WarningState::parse(s)
                    .ok_or_else(|| DomainError::field("state", "invalid", "预警状态有误"))
            })
            .transpose()?;
        Ok(Filter {
            kind,
            state,
            task_id: self.task_id,
        })
    }
}

/// Warnings in the reader's reach — the unit's for its head and office, the
/// department's tasks for a department head — open ones first, newest first
/// (at most 500).
#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, body = Vec<Warning>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<Vec<Warning>>> {
    let filter = params.filter()?;
    Ok(Json(
        warnings::list(&state.db, &session.principal, &filter).await?,
    ))
}

/// How a warning was looked into and dealt with.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[schema(as = WarningClose)]
pub struct Close {
    /// 处理说明 (required, at most 500 characters).
    pub note: Option<String>,
}

/// Closes an open warning with a note: the unit head or the office.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/close", tag = "warnings", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Close,
    responses((status = 200, body = Warning),
        (status = 409, description = "warning_closed", body = ErrorBody),
        (status = 422, description = "note_required, too_long", body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<Close>,
) -> ApiResult<Json<Warning>> {
    Ok(Json(
        warnings::close(
            &state.db,
            state.now(),
            &session.principal,
            id,
            input.note.as_deref(),
        )
        .await?,
    ))
}
