//! 企业账号开通 over the API (SEC-5): the registry editors' list of
//! activation requests (申请开通) in their scope, and 开通 or 驳回.
//! The anonymous request itself is `field::request_activation`.

use axum::extract::State;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use yici_domain::field::sign_up::ActivationStatus;
use yici_store::field::activation::{self, Activated, ActivationRequest};

use super::extract::{Json, Path, Query};
use crate::error::{ApiResult, ErrorBody};
use crate::registry_access::editor_scope;
use crate::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// pending / activated / rejected; none: pending ones, then the last 100 decided.
    pub status: Option<ActivationStatus>,
}

/// Activation requests in the caller's scope (registry editors only),
/// each with what the registry holds for its USCC now.
#[utoipa::path(get, path = "/api/v1/activation-requests", tag = "field", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = Vec<ActivationRequest>),
        (status = 403, description = "只有生态环境部门的处室文秘账号、处室管理员和系统管理员可以开通企业账号", body = ErrorBody)))]
pub async fn activation_requests(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ActivationRequest>>> {
    let scope = editor_scope(&session.principal)?;
    Ok(Json(activation::list(&state.db, &scope, q.status).await?))
}

/// 开通: opens the enterprise's account with the applicant's mobile and a
/// one-time initial password, returned here once (only its hash is kept);
/// the enterprise must change it at first login. The enterprise must be in
/// the registry and in the caller's scope.
#[utoipa::path(post, path = "/api/v1/activation-requests/{id}/activate", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = Activated),
        (status = 409, description = "already_decided, not_in_registry, out_of_scope, duplicate (the enterprise already has an account)", body = ErrorBody)))]
pub async fn activate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<(axum::http::StatusCode, Json<Activated>)> {
    let p = &session.principal;
    let scope = editor_scope(p)?;
    let done = activation::activate(&state.db, state.now(), p, &scope, id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(done)))
}

/// Why a request is refused (told to the applicant by the department).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Rejection {
    #[serde(default)]
    pub reason: String,
}

/// 驳回 with a reason (required, at most 500 characters).
#[utoipa::path(post, path = "/api/v1/activation-requests/{id}/reject", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Rejection,
    responses((status = 200, body = ActivationRequest),
        (status = 409, description = "already_decided", body = ErrorBody),
        (status = 422, description = "required, too_long", body = ErrorBody)))]
pub async fn reject_activation(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<Rejection>,
) -> ApiResult<Json<ActivationRequest>> {
    let p = &session.principal;
    let scope = editor_scope(p)?;
    Ok(Json(
        activation::reject(&state.db, state.now(), p, &scope, id, &r.reason).await?,
    ))
}
