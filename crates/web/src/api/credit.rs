//! 环境信用 over the API (RES-3): an enterprise's grade, positive list, open
//! proposal and history; setting them by hand with a reason; the open
//! proposals in the user's scope and the decisions on them.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_store::credit::{self, Credit, CreditInput, Proposal};

use super::extract::{Json, Path};
use crate::credit_access::{ensure_may_decide, ensure_may_set, visible_proposal};
use crate::error::{ApiResult, ErrorBody};
use crate::registry_access::{scope_of, visible_enterprise};
use crate::session::ApiUser;
use crate::state::AppState;

/// An enterprise's credit grade, 正面清单, open proposal and history.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/credit", tag = "credit", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Credit)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Credit>> {
    let scope = scope_of(&session.principal)?;
    visible_enterprise(&state, &scope, id).await?;
    Ok(Json(credit::of_enterprise(&mut &state.db, id).await?))
}

/// Sets the credit grade and/or 正面清单 by hand, with a reason (required).
/// Registry editors of ecology-environment units in scope only.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/credit", tag = "credit", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CreditInput,
    responses((status = 200, body = Credit),
        (status = 422, description = "invalid_grade (not A–E), reason_required, too_long, no_change", body = ErrorBody)))]
pub async fn set(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<CreditInput>,
) -> ApiResult<Json<Credit>> {
    let p = &session.principal;
    let scope = scope_of(p)?;
    visible_enterprise(&state, &scope, id).await?;
    ensure_may_set(p)?;
    credit::set(&state.db, state.now(), p, id, &input).await?;
    Ok(Json(credit::of_enterprise(&mut &state.db, id).await?))
}

/// Open proposals of the enterprises in the user's scope, oldest first.
#[utoipa::path(get, path = "/api/v1/credit/proposals", tag = "credit", security(("bearer" = [])),
    responses((status = 200, body = Vec<Proposal>)))]
pub async fn proposals(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<Vec<Proposal>>> {
    let scope = scope_of(&session.principal)?;
    Ok(Json(credit::open_proposals(&state.db, &scope).await?))
}

/// A decision's note: optional to confirm, required to reject.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[schema(as = CreditDecision)]
pub struct Decision {
    pub note: Option<String>,
}

/// Confirms a proposal: the grade changes and the history records it.
/// Unit heads and department heads of ecology-environment units in scope.
#[utoipa::path(post, path = "/api/v1/credit/proposals/{id}/confirm", tag = "credit", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = Proposal),
        (status = 409, description = "proposal_decided, grade_changed", body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(d): Json<Decision>,
) -> ApiResult<Json<Proposal>> {
    let p = &session.principal;
    visible_proposal(&state, p, id).await?;
    ensure_may_decide(p)?;
    Ok(Json(
        credit::confirm(&state.db, state.now(), p, id, d.note.as_deref()).await?,
    ))
}

/// Rejects a proposal with a note (required): the grade stays.
#[utoipa::path(post, path = "/api/v1/credit/proposals/{id}/reject", tag = "credit", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = Proposal),
        (status = 409, description = "proposal_decided, grade_changed", body = ErrorBody),
        (status = 422, description = "reason_required", body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(d): Json<Decision>,
) -> ApiResult<Json<Proposal>> {
    let p = &session.principal;
    visible_proposal(&state, p, id).await?;
    ensure_may_decide(p)?;
    Ok(Json(
        credit::reject(&state.db, state.now(), p, id, d.note.as_deref()).await?,
    ))
}
