//! 一公开 over the API (RES-2): the public search and record (no login), the
//! open dataset files, and the office's list of results awaiting release.

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;
use yici_store::publication::dataset::{Moment, Slice};
use yici_store::publication::{self, Filter, Page, PublicCredit, PublicResult, Waiting};

use super::extract::{Json, Path, Query};
use crate::error::{ApiResult, ErrorBody};
use crate::open_data::{self, Format};
use crate::session::ApiUser;
use crate::state::AppState;

/// Published results, newest visit first, 20 a page. No login.
#[utoipa::path(get, path = "/api/v1/public/results", tag = "publication",
    params(Filter),
    responses((status = 200, body = Page), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Query(f): Query<Filter>,
) -> ApiResult<Json<Page>> {
    let year = i64::from(state.this_year());
    Ok(Json(publication::search(&state.db, &f, year).await?))
}

/// A published result with its earlier versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicRecord {
    pub current: PublicResult,
    /// Earlier versions, newest first (empty when never changed).
    pub earlier: Vec<PublicResult>,
    /// The enterprise's credit grade and why it changed.
    pub credit: PublicCredit,
}

/// One published result. No login; 404 until it is public.
#[utoipa::path(get, path = "/api/v1/public/results/{task_id}", tag = "publication",
    params(("task_id" = i64, Path, description = "检查任务编号")),
    responses((status = 200, body = PublicRecord), (status = 404, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    Path(task_id): Path<i64>,
) -> ApiResult<Json<PublicRecord>> {
    let (current, earlier) = publication::get(&state.db, task_id).await?;
    let credit = publication::public_credit(&state.db, current.content.enterprise_id).await?;
    Ok(Json(PublicRecord {
        current,
        earlier,
        credit,
    }))
}

/// The open dataset as it stands now: every current record, optionally of
/// one year or unit, as CSV (UTF-8 with BOM) or JSON (an array). Streamed.
#[utoipa::path(get, path = "/public/data/{file}", tag = "publication",
    params(("file" = String, Path, description = "results.csv 或 results.json"), Slice),
    responses((status = 200, description = "CSV（带 BOM）或 JSON 数组", content((String = "text/csv"), ([PublicResult] = "application/json"))),
        (status = 404, body = ErrorBody)))]
pub async fn current_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(slice): Query<Slice>,
) -> ApiResult<Response> {
    let format = file
        .strip_prefix("results.")
        .and_then(Format::parse)
        .ok_or_else(|| {
            yici_domain::DomainError::not_found("数据文件为 results.csv 或 results.json")
        })?;
    let today = state.today();
    Ok(open_data::download(
        state.db.clone(),
        Moment::Now,
        slice,
        format,
        "results",
        today,
    ))
}

/// The dataset as it stood at the end of a day (`2026-12-07.csv`): the same
/// file whenever it is asked for once the day is over, whatever was
/// published or changed later.
#[utoipa::path(get, path = "/public/data/results/{file}", tag = "publication",
    params(("file" = String, Path, description = "日期.csv 或 日期.json，如 2026-12-07.csv"), Slice),
    responses((status = 200, description = "CSV（带 BOM）或 JSON 数组", content((String = "text/csv"), ([PublicResult] = "application/json"))),
        (status = 404, description = "bad name or a future day", body = ErrorBody)))]
pub async fn snapshot_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(slice): Query<Slice>,
) -> ApiResult<Response> {
    let (day, format) = open_data::parse_snapshot(&file)?;
    let today = state.today();
    let moment = Moment::snapshot(day, today)?;
    Ok(open_data::download(
        state.db.clone(),
        moment,
        slice,
        format,
        &format!("results-{day}"),
        today,
    ))
}

/// The office's completed tasks not yet public, soonest due first.
#[utoipa::path(get, path = "/api/v1/publications", tag = "publication", security(("bearer" = [])),
    responses((status = 200, body = [Waiting]), (status = 403, description = "not the unit's office or head", body = ErrorBody)))]
pub async fn waiting(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Json<Vec<Waiting>>> {
    Ok(Json(
        publication::waiting(&state.db, &session.principal, &state.config.publication).await?,
    ))
}

/// The office releases a completed task's result: public at once.
#[utoipa::path(post, path = "/api/v1/publications/{task_id}/release", tag = "publication", security(("bearer" = [])),
    params(("task_id" = i64, Path, description = "检查任务编号")),
    responses((status = 200, body = PublicResult),
        (status = 403, description = "not the unit's office or head", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not completed, or already public", body = ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(task_id): Path<i64>,
) -> ApiResult<Json<PublicResult>> {
    Ok(Json(
        publication::release(&state.db, state.now(), &session.principal, task_id).await?,
    ))
}
