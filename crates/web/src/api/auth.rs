use super::extract::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::org::Principal;
use yici_store::auth::{self, SessionKind};

use crate::error::{ApiResult, ErrorBody};
use crate::session::{AnyApiUser, ClientIp};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Mobile number, or a department's secretary account (e.g. `tssytx_dq`).
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub password: String,
    /// For an account with two-step verification (SEC-2): the 6-digit code
    /// its authenticator app shows now, or one of its recovery codes. Without
    /// it such an account is answered 401 `second_factor_required`; a wrong
    /// one is 401 `invalid_second_factor` and counts toward the lock like a
    /// wrong password.
    #[serde(default)]
    pub otp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// True while the account is on its initial password: every other call
    /// answers `password_change_required` until it is changed.
    pub must_change_password: bool,
    /// True for a system administrator without two-step verification while
    /// the server requires it: every call but `me`, the password change and
    /// logout answers `second_factor_enrolment_required` until it is enrolled
    /// on the account page.
    pub must_enrol_second_factor: bool,
}

/// Log in and get a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let outcome = auth::login(
        &state.db,
        &state.policy,
        state.now(),
        &req.login,
        &req.password,
        req.otp.as_deref(),
        &ip,
        SessionKind::Api,
    )
    .await?;
    let auth::LoginOutcome::Opened(new) = outcome else {
        // API logins take the code in the same request and are never deferred.
        return Err(yici_store::StoreError::internal("API login deferred to a second step").into());
    };
    Ok(Json(LoginResponse {
        token: new.token,
        must_change_password: new.session.must_change_password,
        must_enrol_second_factor: new.session.must_enrol_second_factor,
    }))
}

/// End this token's session on the server.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    AnyApiUser(session): AnyApiUser,
) -> ApiResult<StatusCode> {
    auth::logout(&state.db, &session.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordRequest {
    #[serde(default)]
    pub old_password: String,
    #[serde(default)]
    pub new_password: String,
    /// The new password typed again; defaults to `new_password`.
    pub repeat_password: Option<String>,
}

/// Change the password (required first on an initial password).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    AnyApiUser(session): AnyApiUser,
    Json(req): Json<PasswordRequest>,
) -> ApiResult<StatusCode> {
    let repeat = req
        .repeat_password
        .unwrap_or_else(|| req.new_password.clone());
    auth::change_password(
        &state.db,
        &state.policy,
        state.now(),
        &session,
        &req.old_password,
        &req.new_password,
        &repeat,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub principal: Principal,
    pub must_change_password: bool,
    /// See [`LoginResponse::must_enrol_second_factor`].
    pub must_enrol_second_factor: bool,
}

/// Who the token belongs to, with roles and place in the organisation.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(AnyApiUser(session): AnyApiUser) -> Json<Me> {
    Json(Me {
        must_change_password: session.must_change_password,
        must_enrol_second_factor: session.must_enrol_second_factor,
        principal: session.principal,
    })
}
