//! The field app and the enterprise app over the API (APP-1, APP-2, APP-7):
//! the inspector's tasks, the 检查二维码 (a signed, expiring token and its
//! SVG), 跳过 with a reason, verification of a scanned code (no login) and
//! the enterprise's confirmation, enterprise sign-up (a code to the
//! registry's mobile, or a request the department activates: SEC-5) and
//! inspection history.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yici_domain::field::sign_up;
use yici_domain::DomainError;
use yici_store::field::activation::{self, ActivationRequestBody};
use yici_store::field::checkin::{self, FieldTask, MyTask};
use yici_store::field::enterprise_accounts::{self, EnterpriseRef, Inspection};
use yici_store::field::enterprise_sign_up::{self, CodeRequestBody, SignUp};

use super::extract::{Json, Path, Query};
use crate::check_in::{
    confirm_token, enterprise_account, issue, verification, CheckInCode, Verification,
};
use crate::error::{ApiResult, ErrorBody};
use crate::session::{ApiUser, ClientIp};
use crate::state::AppState;

fn person_of(p: &yici_domain::org::Principal) -> Result<i64, DomainError> {
    p.person_id
        .ok_or_else(|| DomainError::forbidden("只有检查人员可以使用执法端任务"))
}

/// 任务管理: the caller's tasks as an inspector (not cancelled), each with the
/// department they inspect for and whether it is 已办理.
#[utoipa::path(get, path = "/api/v1/field/tasks", tag = "field", security(("bearer" = [])),
    responses((status = 200, body = [MyTask]), (status = 403, body = ErrorBody)))]
pub async fn tasks(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<Vec<MyTask>>> {
    let person = person_of(&session.principal)?;
    Ok(Json(
        checkin::for_inspector(&state.db, person, state.now()).await?,
    ))
}

/// One of the caller's tasks (任务信息).
#[utoipa::path(get, path = "/api/v1/field/tasks/{id}", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = MyTask), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn task(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<MyTask>> {
    let person = person_of(&session.principal)?;
    Ok(Json(
        checkin::for_inspector_one(&state.db, person, id, state.now()).await?,
    ))
}

/// Issues a check-in code for the task: a token signed by the server,
/// carrying the task, the calling inspector and an expiry (30 minutes).
#[utoipa::path(post, path = "/api/v1/field/tasks/{id}/check-in-code", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = CheckInCode), (status = 403, description = "not an inspector on the task", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "task_closed", body = ErrorBody)))]
pub async fn check_in_code(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<CheckInCode>)> {
    let person = person_of(&session.principal)?;
    let mine = checkin::for_inspector_one(&state.db, person, id, state.now()).await?;
    checkin::check_open(&mine.task)?;
    Ok((
        StatusCode::CREATED,
        Json(issue(&state, &headers, id, person)),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SkipRequest {
    /// 跳过原因: required.
    #[serde(default)]
    pub reason: String,
}

/// 跳过: start the visit without the enterprise's scan, giving a reason.
#[utoipa::path(post, path = "/api/v1/field/tasks/{id}/skip-check-in", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SkipRequest,
    responses((status = 200, body = FieldTask), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, description = "reason missing", body = ErrorBody)))]
pub async fn skip_check_in(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<SkipRequest>,
) -> ApiResult<Json<FieldTask>> {
    Ok(Json(
        checkin::skip(&state.db, state.now(), &session.principal, id, &req.reason).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct TokenParam {
    #[serde(default)]
    pub token: String,
}

/// The enterprise side of a scan: genuine, expired or invalid, and the plan
/// of a genuine code. No login: whoever holds the code may check it.
#[utoipa::path(get, path = "/api/v1/check-in/verify", tag = "field",
    params(TokenParam),
    responses((status = 200, body = Verification)))]
pub async fn verify(
    State(state): State<AppState>,
    Query(q): Query<TokenParam>,
) -> ApiResult<Json<Verification>> {
    Ok(Json(verification(&state, &q.token).await?.1))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmRequest {
    #[serde(default)]
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/check-in/confirm", tag = "field", security(("bearer" = [])),
    request_body = ConfirmRequest,
    responses((status = 200, body = FieldTask),
        (status = 403, description = "not an enterprise account, or the code was shown to another enterprise", body = ErrorBody),
        (status = 422, description = "token_expired or invalid_token", body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<ConfirmRequest>,
) -> ApiResult<Json<FieldTask>> {
    Ok(Json(
        confirm_token(&state, &session.principal, &req.token).await?,
    ))
}

/// The answer of step 1 and of an activation request: the same words
/// whatever the registry holds (SEC-5).
#[derive(Debug, Serialize, ToSchema)]
pub struct SignUpAccepted {
    pub message: String,
}

/// 企业注册, step 1: the USCC and the enterprise's name. When the registry
/// has that enterprise under that name, with a contact mobile and no account
/// yet, a six-digit code valid 10 minutes goes to that mobile by SMS. The
/// answer is the same in every case, so that nobody learns from it what the
/// registry holds. Limited per client address and per USCC (429).
#[utoipa::path(post, path = "/api/v1/enterprise/sign-up/code", tag = "field",
    request_body = CodeRequestBody,
    responses((status = 202, body = SignUpAccepted),
        (status = 422, description = "required, uscc_length, uscc_illegal_char, too_long", body = ErrorBody),
        (status = 429, description = "rate_limited: 每个地址每小时、每家企业每小时的次数已用完", body = ErrorBody)))]
pub async fn request_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<CodeRequestBody>,
) -> ApiResult<(StatusCode, Json<SignUpAccepted>)> {
    enterprise_sign_up::request_code(&state.db, state.now(), &state.config.sign_up, &ip, &req)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SignUpAccepted {
            message: sign_up::CODE_SENT.to_string(),
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedUp {
    pub account_id: i64,
    /// The login: the USCC.
    pub login: String,
}

/// 企业注册, step 2: the USCC, the code from step 1 and a password open the
/// account; its login is the USCC and its contact mobile the registry's, to
/// which the code went. A wrong, expired or used code, or none, is refused
/// alike; the fifth try voids the code.
#[utoipa::path(post, path = "/api/v1/enterprise/sign-up", tag = "field",
    request_body = SignUp,
    responses((status = 201, body = SignedUp),
        (status = 409, description = "duplicate: 该企业已开通账号", body = ErrorBody),
        (status = 422, description = "wrong_code (验证码错误或已过期), weak_password, mismatch, …", body = ErrorBody)))]
pub async fn sign_up(
    State(state): State<AppState>,
    Json(req): Json<SignUp>,
) -> ApiResult<(StatusCode, Json<SignedUp>)> {
    let (id, login) = enterprise_sign_up::sign_up(&state.db, state.now(), &req).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignedUp {
            account_id: id,
            login,
        }),
    ))
}

/// 申请开通: for an enterprise that cannot receive the code (no mobile in
/// the registry, or an outdated one). The request goes to the registry
/// editors of the unit responsible; they verify the applicant and open the
/// account. Answered alike whatever the registry holds; limited like step 1.
#[utoipa::path(post, path = "/api/v1/enterprise/activation-requests", tag = "field",
    request_body = ActivationRequestBody,
    responses((status = 202, body = SignUpAccepted),
        (status = 422, description = "required, uscc_length, invalid_mobile, too_long", body = ErrorBody),
        (status = 429, description = "rate_limited", body = ErrorBody)))]
pub async fn request_activation(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<ActivationRequestBody>,
) -> ApiResult<(StatusCode, Json<SignUpAccepted>)> {
    activation::request(&state.db, state.now(), &state.config.sign_up, &ip, &req).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SignUpAccepted {
            message: sign_up::REQUEST_RECEIVED.to_string(),
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseHome {
    pub enterprise: EnterpriseRef,
    pub inspections: Vec<Inspection>,
}

/// The enterprise's own inspection history and submitted results.
#[utoipa::path(get, path = "/api/v1/enterprise/inspections", tag = "field", security(("bearer" = [])),
    responses((status = 200, body = EnterpriseHome), (status = 403, body = ErrorBody)))]
pub async fn inspections(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<EnterpriseHome>> {
    let enterprise = enterprise_account(&state, &session.principal).await?;
    let inspections = enterprise_accounts::history(&state.db, enterprise.id, state.now()).await?;
    Ok(Json(EnterpriseHome {
        enterprise,
        inspections,
    }))
}
