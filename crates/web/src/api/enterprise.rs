//! The enterprise account's inspections over the API (企业端, RES-4): one
//! inspection with each department's findings, the 结果告知 and the
//! documents served, their PDFs, and the rating. The history list is
//! `GET /api/v1/enterprise/inspections` in [`super::field`]. Another
//! enterprise's inspection or document is 404, never 403.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use yici_domain::ratings::RatingInput;
use yici_store::field::enterprise_inspections::{self, EnterpriseInspection};
use yici_store::ratings::{self, Rating};

use super::extract::{Json, Path};
use crate::document_files::{self, Format};
use crate::error::{ApiResult, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;

/// One inspection of the enterprise: findings per department (without the
/// inspectors' contacts), 结果告知 (empty until the 情况记录表 is issued: 待告知),
/// the documents served with their PDF addresses, and its rating.
#[utoipa::path(get, path = "/api/v1/enterprise/inspections/{task_id}", tag = "field", security(("bearer" = [])),
    params(("task_id" = i64, Path)),
    responses((status = 200, body = EnterpriseInspection), (status = 403, description = "not an enterprise account", body = ErrorBody),
        (status = 404, description = "not this enterprise's visited inspection", body = ErrorBody)))]
pub async fn inspection(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(task_id): Path<i64>,
) -> ApiResult<Json<EnterpriseInspection>> {
    Ok(Json(
        enterprise_inspections::inspection(&state.db, &session.principal, state.now(), task_id)
            .await?,
    ))
}

/// Rates a completed inspection, once (RES-4): 执法人员行为规范 and
/// 对生产经营的干扰程度 1–5 (5 = 无干扰), whether the 五个严禁/八个不得 were kept
/// (a description when not), an optional comment of up to 500 characters.
/// The rating goes to the unit's office and leaders, not to the inspectors.
#[utoipa::path(post, path = "/api/v1/enterprise/inspections/{task_id}/rating", tag = "field", security(("bearer" = [])),
    params(("task_id" = i64, Path)), request_body = RatingInput,
    responses((status = 201, body = Rating), (status = 403, description = "not an enterprise account", body = ErrorBody),
        (status = 404, description = "not this enterprise's visited inspection", body = ErrorBody),
        (status = 409, description = "already_rated, not_completed", body = ErrorBody),
        (status = 422, description = "required, out_of_range, too_long", body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(task_id): Path<i64>,
    Json(input): Json<RatingInput>,
) -> ApiResult<(StatusCode, Json<Rating>)> {
    let r = ratings::rate(&state.db, state.now(), &session.principal, task_id, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A document served on the enterprise (or the issued 情况记录表), as PDF.
#[utoipa::path(get, path = "/api/v1/enterprise/documents/{id}/pdf", tag = "field", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the document", content_type = "application/pdf"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn document_pdf(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let d = enterprise_inspections::document(&state.db, &session.principal, id).await?;
    Ok(document_files::response(&d, Format::Pdf).await?)
}
