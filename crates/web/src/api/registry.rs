//! 一企一档 over the API: search, profile, create, edit, outlets and
//! facilities, edit history (import and export in `registry_files`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::registry::enterprise::EnterpriseInput;
use yici_domain::registry::facility::{FacilityInput, FacilityKind, OutletInput};
use yici_domain::registry::history::EditVia;
use yici_store::registry::edits::{self, EditPage, Editor};
use yici_store::registry::enterprises::{self, Enterprise};
use yici_store::registry::facilities::{self, Facility, Installations, NewInstallations, Outlet};
use yici_store::registry::search::{self, EnterprisePage, EnterpriseQuery};

use super::extract::{Json, Path, Query};
use crate::error::{ApiResult, ErrorBody};
use crate::registry_access::{
    as_seen, checked_input, edit_as_seen, editable_enterprise, ensure_may_edit, may_edit, scope_of,
    visible_enterprise,
};
use crate::session::ApiUser;
use crate::state::AppState;

/// Search the registry inside the user's scope.
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "registry", security(("bearer" = [])),
    params(EnterpriseQuery),
    responses((status = 200, body = EnterprisePage), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(q): Query<EnterpriseQuery>,
) -> ApiResult<Json<EnterprisePage>> {
    let scope = scope_of(&session.principal)?;
    let mut page = search::search(&state.db, &scope, &q).await?;
    let full = may_edit(&session.principal);
    page.items = page.items.into_iter().map(|e| as_seen(e, full)).collect();
    Ok(Json(page))
}

/// An enterprise with its outlets and facilities (一企一档).
#[derive(Serialize, ToSchema)]
pub struct Profile {
    pub enterprise: Enterprise,
    pub installations: Installations,
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Profile), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Profile>> {
    let scope = scope_of(&session.principal)?;
    let enterprise = visible_enterprise(&state, &scope, id).await?;
    let full = may_edit(&session.principal);
    let installations = facilities::of_enterprise(&mut &state.db, id).await?;
    Ok(Json(Profile {
        enterprise: as_seen(enterprise, full),
        installations,
    }))
}

/// A new enterprise, optionally with its installations.
#[derive(Deserialize, ToSchema)]
pub struct NewEnterprise {
    #[serde(flatten)]
    pub enterprise: EnterpriseInput,
    #[serde(default)]
    pub outlets: Vec<OutletInput>,
    #[serde(default)]
    pub treatment_facilities: Vec<FacilityInput>,
    #[serde(default)]
    pub production_facilities: Vec<FacilityInput>,
}

#[utoipa::path(post, path = "/api/v1/enterprises", tag = "registry", security(("bearer" = [])),
    request_body = NewEnterprise,
    responses((status = 201, body = Profile), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<NewEnterprise>,
) -> ApiResult<(StatusCode, Json<Profile>)> {
    let principal = &session.principal;
    ensure_may_edit(principal)?;
    let scope = scope_of(principal)?;
    let valid = checked_input(principal, &scope, req.enterprise, None)?;
    let mut installations = NewInstallations {
        enterprise_id: 0,
        outlets: req.outlets,
        treatment_facilities: req.treatment_facilities,
        production_facilities: req.production_facilities,
    };
    installations.validate()?;
    let now = state.now();
    let editor = Editor::of(principal, EditVia::Api);
    let mut tx = state.db.begin().await?;
    let enterprise = enterprises::create(&mut tx, now, &editor, &valid).await?;
    installations.enterprise_id = enterprise.id;
    let installations = std::slice::from_ref(&installations);
    facilities::insert_many(&mut tx, now, &editor.actor, installations).await?;
    let installations = facilities::of_enterprise(&mut tx, enterprise.id).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Profile {
            enterprise,
            installations,
        }),
    ))
}

#[utoipa::path(put, path = "/api/v1/enterprises/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = EnterpriseInput,
    responses((status = 200, body = Enterprise), (status = 403, body = ErrorBody),
        (status = 422, description = "invalid input, or a changed credit grade or 正面清单 (change those with a reason on `/api/v1/enterprises/{id}/credit`)", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<EnterpriseInput>,
) -> ApiResult<Json<Enterprise>> {
    let principal = &session.principal;
    let (scope, before) = editable_enterprise(&state, principal, id).await?;
    let valid = checked_input(principal, &scope, input, Some(&before))?;
    // RES-3: a grade or 正面清单 changes only with a reason, on the credit
    // endpoint; here they must stay as they are.
    if valid.credit_grade != before.credit_grade || valid.positive_list != before.positive_list {
        return Err(yici_domain::DomainError::field(
            "credit_grade",
            "credit_needs_reason",
            "信用等级和正面清单须在信用记录中调整并填写原因（POST /api/v1/enterprises/{id}/credit）；此处请保持原值",
        )
        .into());
    }
    let editor = Editor::of(principal, EditVia::Api);
    let mut tx = state.db.begin().await?;
    let after = enterprises::update(&mut tx, state.now(), &editor, id, &valid).await?;
    tx.commit().await?;
    Ok(Json(after))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// From 1 (default 1).
    pub page: Option<i64>,
    /// 1–100 (default 20).
    pub per_page: Option<i64>,
}

impl HistoryParams {
    /// Page and page size, checked.
    pub fn checked(&self) -> Result<(i64, i64), yici_domain::DomainError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if page < 1 {
            return Err(yici_domain::DomainError::field(
                "page",
                "invalid",
                "页码须从1开始",
            ));
        }
        if !(1..=100).contains(&per_page) {
            return Err(yici_domain::DomainError::field(
                "per_page",
                "invalid",
                "每页条数须在1到100之间",
            ));
        }
        Ok((page, per_page))
    }
}

/// The enterprise's edit history (变更记录), newest first: who changed
/// which fields, outlets or facilities, when and how (form, API, import).
/// Anyone who may see the enterprise may read it; contacts are masked as on
/// the profile.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/history", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path), HistoryParams),
    responses((status = 200, body = EditPage)))]
pub async fn history(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<HistoryParams>,
) -> ApiResult<Json<EditPage>> {
    let scope = scope_of(&session.principal)?;
    visible_enterprise(&state, &scope, id).await?;
    let (page, per_page) = p.checked()?;
    let full = may_edit(&session.principal);
    let mut edits = edits::page(&mut &state.db, id, page, per_page).await?;
    edits.items = edits
        .items
        .into_iter()
        .map(|e| edit_as_seen(e, full))
        .collect();
    Ok(Json(edits))
}

/// The editor and the transaction of an installation change to an
/// enterprise the user may edit; the change writes its audit and history
/// entries in it.
async fn begin_change(
    state: &AppState,
    session: &yici_store::auth::Session,
    id: i64,
) -> ApiResult<(Editor, yici_store::Tx)> {
    editable_enterprise(state, &session.principal, id).await?;
    let editor = Editor::of(&session.principal, EditVia::Api);
    Ok((editor, state.db.begin().await?))
}

/// Add an outlet (排口) to an enterprise.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/outlets", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = OutletInput,
    responses((status = 201, body = Outlet), (status = 409, body = ErrorBody, description = "排口编号已存在")))]
pub async fn add_outlet(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<OutletInput>,
) -> ApiResult<(StatusCode, Json<Outlet>)> {
    let (editor, mut tx) = begin_change(&state, &session, id).await?;
    let outlet = facilities::add_outlet(&mut tx, state.now(), &editor, id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(outlet)))
}

/// Change an outlet of an enterprise.
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/outlets/{outlet_id}", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path), ("outlet_id" = i64, Path)), request_body = OutletInput,
    responses((status = 200, body = Outlet), (status = 409, body = ErrorBody, description = "排口编号已存在")))]
pub async fn update_outlet(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, outlet_id)): Path<(i64, i64)>,
    Json(input): Json<OutletInput>,
) -> ApiResult<Json<Outlet>> {
    let (editor, mut tx) = begin_change(&state, &session, id).await?;
    let outlet =
        facilities::update_outlet(&mut tx, state.now(), &editor, id, outlet_id, &input).await?;
    tx.commit().await?;
    Ok(Json(outlet))
}

/// Remove an outlet of an enterprise.
#[utoipa::path(delete, path = "/api/v1/enterprises/{id}/outlets/{outlet_id}", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path), ("outlet_id" = i64, Path)),
    responses((status = 204, description = "已删除")))]
pub async fn remove_outlet(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, outlet_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let (editor, mut tx) = begin_change(&state, &session, id).await?;
    facilities::remove_outlet(&mut tx, state.now(), &editor, id, outlet_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new treatment (治理设施) or production (生产设施) facility.
#[derive(Deserialize, ToSchema)]
pub struct NewFacility {
    pub kind: FacilityKind,
    #[serde(flatten)]
    pub facility: FacilityInput,
}

/// Add a treatment or production facility to an enterprise.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/facilities", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = NewFacility,
    responses((status = 201, body = Facility), (status = 409, body = ErrorBody, description = "设施编号已存在")))]
pub async fn add_facility(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<NewFacility>,
) -> ApiResult<(StatusCode, Json<Facility>)> {
    let (editor, mut tx) = begin_change(&state, &session, id).await?;
    let facility =
        facilities::add_facility(&mut tx, state.now(), &editor, id, req.kind, &req.facility)
            .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(facility)))
}

/// Change a facility of an enterprise (its kind stays).
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/facilities/{facility_id}", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path), ("facility_id" = i64, Path)), request_body = FacilityInput,
    responses((status = 200, body = Facility), (status = 409, body = ErrorBody, description = "设施编号已存在")))]
pub async fn update_facility(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, facility_id)): Path<(i64, i64)>,
    Json(input): Json<FacilityInput>,
) -> ApiResult<Json<Facility>> {
    let (editor, mut tx) = begin_change(&state, &session, id).await?;
    let facility =
        facilities::update_facility(&mut tx, state.now(), &editor, id, facility_id, &input).await?;
    tx.commit().await?;
    Ok(Json(facility))
}

/// Remove a facility of an enterprise.
#[utoipa::path(delete, path = "/api/v1/enterprises/{id}/facilities/{facility_id}", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path), ("facility_id" = i64, Path)),
    responses((status = 204, description = "已删除")))]
pub async fn remove_facility(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, facility_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let (editor, mut tx) = begin_change(&state, &session, id).await?;
    facilities::remove_facility(&mut tx, state.now(), &editor, id, facility_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Original file name (its extension helps to tell CSV from XLSX).
    pub filename: Option<String>,
}

/// Import enterprises from a CSV (UTF-8 or GB18030) or XLSX file sent as the
/// request body. Good rows are written, bad rows reported; re-import updates by USCC.
#[utoipa::path(post, path = "/api/v1/enterprises/import", tag = "registry", security(("bearer" = [])),
    params(ImportParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = crate::registry_files::ImportReport), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(p): Query<ImportParams>,
    body: axum::body::Bytes,
) -> ApiResult<Json<crate::registry_files::ImportReport>> {
    ensure_may_edit(&session.principal)?;
    let scope = scope_of(&session.principal)?;
    let report = crate::registry_files::import(
        &state,
        &session.principal,
        &scope,
        body,
        p.filename.as_deref(),
        &Default::default(),
    )
    .await?;
    Ok(Json(report))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// csv (default) or xlsx
    pub format: Option<String>,
}

/// Export the enterprises matching the filter (same filters as the search).
#[utoipa::path(get, path = "/api/v1/enterprises/export", tag = "registry", security(("bearer" = [])),
    params(FormatParam, EnterpriseQuery),
    responses((status = 200, description = "CSV or XLSX file"), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Query(f): Query<FormatParam>,
    Query(q): Query<EnterpriseQuery>,
) -> ApiResult<axum::response::Response> {
    let scope = scope_of(&session.principal)?;
    let kind = crate::registry_files::kind_of(f.format.as_deref())?;
    let full = may_edit(&session.principal);
    let (bytes, mime, name) =
        crate::registry_files::export(&state, &scope, &q, kind, full, &Default::default()).await?;
    Ok(crate::registry_files::download(bytes, mime, &name))
}

/// The import template with one example row.
#[utoipa::path(get, path = "/api/v1/enterprises/template", tag = "registry", security(("bearer" = [])),
    params(FormatParam), responses((status = 200, description = "CSV or XLSX file")))]
pub async fn template(
    ApiUser(_): ApiUser,
    Query(f): Query<FormatParam>,
) -> ApiResult<axum::response::Response> {
    Ok(crate::registry_files::template(f.format.as_deref())?)
}
