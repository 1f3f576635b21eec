//! 整改 over the API (RES-1): the department's list and actions on its
//! rectification tasks (edit and send, verify, revisit, refer for a case),
//! and the enterprise's own list and report-back.

use axum::extract::{Request, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::rectification::{DraftInput, ReferralOutcomeInput, Status, VerifyInput};
use yici_domain::time::business_date;
use yici_domain::DomainError;
use yici_store::rectification::flow::{self, Mover};
use yici_store::rectification::{self, Filter, Rectification};
use yici_store::Actor;

use super::extract::{Json, Path, Query};
use crate::check_in::enterprise_account;
use crate::draw_access::initiator;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::rectification_files::{read_report, serve};
use crate::session::ApiUser;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// draft, issued, reported, returned, closed, referred, withdrawn (code or label).
    pub status: Option<String>,
    /// Only those overdue today.
    #[serde(default)]
    pub overdue: bool,
    /// Only the open ones.
    #[serde(default)]
    pub open: bool,
    pub task_id: Option<i64>,
    pub enterprise_id: Option<i64>,
}

impl ListParams {
    pub fn filter(&self) -> Result<Filter, DomainError> {
        let status = match self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(
                Status::parse(s)
                    .ok_or_else(|| DomainError::field("status", "invalid", "整改状态有误"))?,
            ),
        };
        Ok(Filter {
            status,
            overdue: self.overdue,
            open: self.open,
            enterprise_id: self.enterprise_id,
            task_id: self.task_id,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RectificationList {
    /// Overdue ones within the reader's reach, whatever the filter.
    pub overdue: i64,
    pub items: Vec<Rectification>,
}

/// The rectifications of the reader's department (its people) or unit (its
/// head and office), overdue first, at most 500.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "rectification", security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, body = RectificationList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<ListParams>,
) -> ApiResult<Json<RectificationList>> {
    let reach = rectification::reach_of(&session.principal)
        .ok_or_else(|| DomainError::forbidden("您无权查看整改任务"))?;
    let today = business_date(state.now());
    Ok(Json(RectificationList {
        overdue: rectification::overdue_count(&state.db, reach, today).await?,
        items: rectification::list(&state.db, reach, today, &q.filter()?).await?,
    }))
}

/// One rectification with every step.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Rectification), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Rectification>> {
    let today = business_date(state.now());
    Ok(Json(
        rectification::get(&state.db, &session.principal, today, id).await?,
    ))
}

/// Saves a draft (待下发): 违反的法律条款, 整改要求, 整改期限 (not in the past).
#[utoipa::path(put, path = "/api/v1/rectifications/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DraftInput,
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "rectification_state: already sent", body = ErrorBody),
        (status = 422, description = "required, deadline_past, deadline_too_far, too_long", body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<DraftInput>,
) -> ApiResult<Json<Rectification>> {
    Ok(Json(
        flow::edit(&state.db, state.now(), &session.principal, id, &input).await?,
    ))
}

/// 下发: sends the draft (with the values given) to the enterprise.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/issue", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DraftInput,
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<DraftInput>,
) -> ApiResult<Json<Rectification>> {
    Ok(Json(
        flow::issue(&state.db, state.now(), &session.principal, id, &input).await?,
    ))
}

/// 核查: `close` (with `verification` on_file or revisit, and a note) or
/// `return` (with the reason; a new deadline when the old one has passed).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/verification", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = VerifyInput,
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "rectification_state: nothing reported yet, or already closed", body = ErrorBody),
        (status = 422, description = "required, no_revisit, revisit_open, deadline_past", body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<VerifyInput>,
) -> ApiResult<Json<Rectification>> {
    Ok(Json(
        flow::verify(&state.db, state.now(), &session.principal, id, &input).await?,
    ))
}

/// 安排复查: creates an uncapped 整改复查 task on the enterprise for the
/// department and links it.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/revisit", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "rectification_state, revisit_planned", body = ErrorBody)))]
pub async fn revisit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Rectification>> {
    let who = initiator(&session.principal, None)?;
    Ok(Json(
        flow::plan_revisit(&state.db, &state.config.draw, state.now(), &who, id).await?,
    ))
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ReferralInput {
    /// 移送理由及证据材料说明 (required).
    pub note: Option<String>,
}

/// 移送立案: the problem goes to a penalty case instead of (or after) rectification.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/referral", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReferralInput,
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refer(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<ReferralInput>,
) -> ApiResult<Json<Rectification>> {
    Ok(Json(
        flow::refer(
            &state.db,
            state.now(),
            &session.principal,
            id,
            input.note.as_deref(),
        )
        .await?,
    ))
}

/// The referral's outcome: `filed` with the case number, or `declined` with the reason.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/referral/outcome", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReferralOutcomeInput,
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "rectification_state, referral_decided", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn referral_outcome(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<ReferralOutcomeInput>,
) -> ApiResult<Json<Rectification>> {
    Ok(Json(
        flow::decide_referral(&state.db, state.now(), &session.principal, id, &input).await?,
    ))
}

/// A report-back photo, for the department side.
#[utoipa::path(get, path = "/api/v1/rectifications/photos/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the photo", content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
pub async fn photo(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(serve(&state, &session.principal, None, id).await?)
}

/// The enterprise's rectification tasks (those sent to it), open ones first.
#[utoipa::path(get, path = "/api/v1/enterprise/rectifications", tag = "rectification", security(("bearer" = [])),
    responses((status = 200, body = [Rectification]), (status = 403, body = ErrorBody)))]
pub async fn enterprise_list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<Vec<Rectification>>> {
    let e = enterprise_account(&state, &session.principal).await?;
    let today = business_date(state.now());
    Ok(Json(
        rectification::of_enterprise(&state.db, e.id, today).await?,
    ))
}

/// One of the enterprise's rectification tasks with its steps; another
/// enterprise's is not found.
#[utoipa::path(get, path = "/api/v1/enterprise/rectifications/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enterprise_get(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Rectification>> {
    let e = enterprise_account(&state, &session.principal).await?;
    let today = business_date(state.now());
    Ok(Json(
        rectification::get_for_enterprise(&state.db, e.id, today, id).await?,
    ))
}

/// 整改反馈: `multipart/form-data` with `note` (整改情况说明, required) and up
/// to nine `photos` (JPEG, PNG or WebP).
#[utoipa::path(post, path = "/api/v1/enterprise/rectifications/{id}/report", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = String, content_type = "multipart/form-data", description = "`note` and `photos` parts"),
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "rectification_state: not sent, already reported, closed", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enterprise_report(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    req: Request,
) -> ApiResult<Json<Rectification>> {
    let e = enterprise_account(&state, &session.principal).await?;
    let max = state.config.evidence_max_bytes;
    let form = read_report(&state, req, max).await?;
    let mover = Mover::Enterprise {
        enterprise_id: e.id,
        name: &e.name,
        actor: Actor::from(&session.principal),
    };
    Ok(Json(
        flow::report(
            &state.db,
            &state.config.evidence_dir,
            max,
            state.now(),
            &mover,
            id,
            form.report,
        )
        .await?,
    ))
}

/// A report-back photo of the enterprise's own rectification.
#[utoipa::path(get, path = "/api/v1/enterprise/rectifications/photos/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the photo", content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
pub async fn enterprise_photo(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let e = enterprise_account(&state, &session.principal).await?;
    Ok(serve(&state, &session.principal, Some(e.id), id).await?)
}
