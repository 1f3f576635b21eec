//! 一企一档 over the API: search, profile, create, edit (import and export in
//! `registry_files`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::registry::enterprise::EnterpriseInput;
use yici_domain::registry::facility::{FacilityInput, OutletInput};
use yici_store::registry::enterprises::{self, Enterprise};
use yici_store::registry::facilities::{self, Installations, NewInstallations};
use yici_store::registry::search::{self, EnterprisePage, EnterpriseQuery};
use yici_store::Actor;

use super::extract::{Json, Path, Query};
use crate::error::{ApiResult, ErrorBody};
use crate::registry_access::{
    as_seen, ensure_may_edit, may_accept_bad_uscc, may_edit, scope_of, visible_enterprise,
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
    let full = may_edit(&state, &session.principal).await?;
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
    let full = may_edit(&state, &session.principal).await?;
    let installations = facilities::of_enterprise(&mut state.db.clone(), id).await?;
    Ok(Json(Profile {
        enterprise: as_seen(enterprise, full),
        installations,
    }))
}

fn out_of_scope(message: &str) -> yici_domain::DomainError {
    yici_domain::DomainError::field("region_code", "out_of_scope", message)
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
    ensure_may_edit(&state, principal).await?;
    let scope = scope_of(principal)?;
    let valid = req.enterprise.validate(may_accept_bad_uscc(principal))?;
    if !scope.contains_region(&valid.province_code, &valid.city_code, &valid.region_code) {
        return Err(out_of_scope("只能登记本单位管辖范围内的企业").into());
    }
    let mut installations = NewInstallations {
        enterprise_id: 0,
        outlets: req.outlets,
        treatment_facilities: req.treatment_facilities,
        production_facilities: req.production_facilities,
    };
    installations.validate()?;
    let now = state.now();
    let actor = Actor::from(principal);
    let mut tx = state.db.begin().await?;
    let enterprise = enterprises::create(&mut tx, now, &actor, &valid).await?;
    installations.enterprise_id = enterprise.id;
    facilities::insert_many(&mut tx, now, &actor, std::slice::from_ref(&installations)).await?;
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
    responses((status = 200, body = Enterprise), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<EnterpriseInput>,
) -> ApiResult<Json<Enterprise>> {
    let principal = &session.principal;
    ensure_may_edit(&state, principal).await?;
    let scope = scope_of(principal)?;
    visible_enterprise(&state, &scope, id).await?;
    let valid = input.validate(may_accept_bad_uscc(principal))?;
    if !scope.contains_region(&valid.province_code, &valid.city_code, &valid.region_code) {
        return Err(out_of_scope("不能将企业移出本单位管辖范围").into());
    }
    let mut tx = state.db.begin().await?;
    let after =
        enterprises::update(&mut tx, state.now(), &Actor::from(principal), id, &valid).await?;
    tx.commit().await?;
    Ok(Json(after))
}

#[derive(Deserialize, utoipa::IntoParams)]
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
    ensure_may_edit(&state, &session.principal).await?;
    let scope = scope_of(&session.principal)?;
    let report = crate::registry_files::import(
        &state,
        &session.principal,
        &scope,
        body,
        p.filename.as_deref(),
    )
    .await?;
    Ok(Json(report))
}

#[derive(Deserialize, utoipa::IntoParams)]
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
    let full = may_edit(&state, &session.principal).await?;
    let (bytes, mime, name) = crate::registry_files::export(&state, &scope, &q, kind, full).await?;
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
