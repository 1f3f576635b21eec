use super::extract::{Json, Path};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use yici_domain::org::{BusinessLine, DepartmentKind, Role, Sector, UnitLevel, MISSING_DEPARTMENT};
use yici_domain::DomainError;
use yici_store::org::departments::{self, Department, NewDepartment};
use yici_store::org::secretary_accounts::{self, SecretaryAccount, SecretaryReset};
use yici_store::org::units::{self, NewUnit, Unit};
use yici_store::Actor;

use crate::error::{ApiResult, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;

/// Every unit (ecology-environment tree and partner agencies), parents first.
#[utoipa::path(get, path = "/api/v1/units", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = [Unit]), (status = 401, body = ErrorBody)))]
pub async fn list_units(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(units::list(&mut &state.db).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct UnitRequest {
    pub parent_id: Option<i64>,
    pub name: String,
    pub short_name: Option<String>,
    pub level: UnitLevel,
    #[serde(default = "ecology")]
    pub sector: Sector,
    /// GB/T 2260 code, e.g. `130229`.
    pub region_code: String,
}

fn ecology() -> Sector {
    Sector::Ecology
}

/// Create a unit (system administrator).
#[utoipa::path(post, path = "/api/v1/units", tag = "org", security(("bearer" = [])), request_body = UnitRequest,
    responses((status = 201, body = Unit), (status = 403, body = ErrorBody),
        (status = 404, description = "parent_id names no unit", body = ErrorBody),
        (status = 409, description = "the name is taken (duplicate, field name)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Json(req): Json<UnitRequest>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    session.principal.ensure(Role::SystemAdmin)?;
    let mut tx = state.db.begin().await?;
    let unit = units::create(
        &mut tx,
        state.now(),
        &Actor::from(&session.principal),
        NewUnit {
            parent_id: req.parent_id,
            short_name: req.short_name.unwrap_or_else(|| req.name.clone()),
            name: req.name,
            level: req.level,
            sector: req.sector,
            region_code: req.region_code,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

/// One department, for its own members and the system administrator.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Department), (status = 404, body = ErrorBody)))]
pub async fn get_department(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Department>> {
    session
        .principal
        .ensure_view_people_of(id, MISSING_DEPARTMENT)?;
    let d = departments::get(&mut &state.db, id)
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_DEPARTMENT))?;
    Ok(Json(d))
}

#[derive(Deserialize, ToSchema)]
pub struct DepartmentRequest {
    pub name: String,
    pub kind: DepartmentKind,
    pub business_line: BusinessLine,
}

/// Create a department and its secretary account (the system administrator,
/// or the unit's administrators: its 办公室's secretary account and
/// administrator).
#[utoipa::path(post, path = "/api/v1/units/{id}/departments", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DepartmentRequest,
    responses((status = 201, body = Department), (status = 403, body = ErrorBody),
        (status = 409, description = "the unit has a department of that name (duplicate, field name)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_department(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(unit_id): Path<i64>,
    Json(req): Json<DepartmentRequest>,
) -> ApiResult<(StatusCode, Json<Department>)> {
    let hash = state.initial_password_hash().await?;
    let mut tx = state.db.begin().await?;
    yici_store::org::admin::ensure_administers(
        &mut tx,
        &session.principal,
        unit_id,
        yici_store::org::admin::NOT_ADMINISTRATOR,
    )
    .await?;
    let d = departments::create(
        &mut tx,
        state.now(),
        &Actor::from(&session.principal),
        NewDepartment {
            unit_id,
            name: req.name,
            kind: req.kind,
            business_line: req.business_line,
        },
        &hash,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// Whether the unit's 办公室 is invited to its joint inspections.
#[derive(Deserialize, ToSchema)]
pub struct JointInvitations {
    /// Invite the departments of business line 综合 (办公室) on extraction.
    pub invite_general: bool,
}

/// Sets whether the unit invites its 办公室 to the joint inspections of its
/// later extractions (system administrator or the unit's head).
#[utoipa::path(put, path = "/api/v1/units/{id}/joint-invitations", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "单位编号")), request_body = JointInvitations,
    responses((status = 200, body = Unit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_joint_invitations(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<JointInvitations>,
) -> ApiResult<Json<Unit>> {
    let mut tx = state.db.begin().await?;
    let unit = units::set_joint_invites_general(
        &mut tx,
        state.now(),
        &session.principal,
        id,
        req.invite_general,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(unit))
}

/// A unit's name and state.
#[derive(Deserialize, ToSchema)]
pub struct UnitUpdate {
    pub name: String,
    /// 简称; the name when omitted or blank.
    pub short_name: Option<String>,
    /// `true` disables (停用) the unit: it is offered for no new work and
    /// keeps its history. Refused while it has an enabled department or
    /// subordinate unit. `false` enables it again.
    #[serde(default)]
    pub disabled: bool,
}

/// Rename, disable or enable a unit or partner agency (system administrator).
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "单位编号")), request_body = UnitUpdate,
    responses((status = 200, body = Unit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "name taken (duplicate), still in use (in_use), parent disabled (parent_disabled)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_unit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<UnitUpdate>,
) -> ApiResult<Json<Unit>> {
    let mut tx = state.db.begin().await?;
    let unit = units::update(
        &mut tx,
        state.now(),
        &session.principal,
        id,
        units::UnitChange {
            short_name: req.short_name.unwrap_or_default(),
            name: req.name,
            disabled: req.disabled,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(unit))
}

/// A department's name and state.
#[derive(Deserialize, ToSchema)]
pub struct DepartmentUpdate {
    pub name: String,
    /// `true` disables (停用) the department: refused while it has an
    /// enabled person; its secretary account then logs in no more and it is
    /// invited to no new joint inspection. `false` enables it again.
    #[serde(default)]
    pub disabled: bool,
}

/// Rename, disable or enable a department (the system administrator, or the
/// unit's administrators).
#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "处室编号")), request_body = DepartmentUpdate,
    responses((status = 200, body = Department), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "name taken (duplicate), enabled people (in_use), unit disabled (unit_disabled)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_department(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(req): Json<DepartmentUpdate>,
) -> ApiResult<Json<Department>> {
    let mut tx = state.db.begin().await?;
    let d = departments::update(
        &mut tx,
        state.now(),
        &session.principal,
        id,
        departments::DepartmentChange {
            name: req.name,
            disabled: req.disabled,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(d))
}

/// The audit trail of a person (with their account), a unit or a
/// department, field by field, newest first: for the system administrator,
/// the unit's administrators and the department's managers.
#[utoipa::path(get, path = "/api/v1/audit/{kind}/{id}", tag = "org", security(("bearer" = [])),
    params(("kind" = String, Path, description = "`person`, `unit` or `department`"), ("id" = i64, Path)),
    responses((status = 200, body = crate::audit_record::RecordTrail), (status = 404, body = ErrorBody)))]
pub async fn record_trail(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((kind, id)): Path<(String, i64)>,
) -> ApiResult<Json<crate::audit_record::RecordTrail>> {
    let kind = crate::audit_record::RecordKind::parse(&kind)
        .ok_or_else(|| DomainError::not_found("记录类型不存在"))?;
    Ok(Json(
        crate::audit_record::trail(&state.db, &session.principal, kind, id).await?,
    ))
}

/// Unlock a department's 文秘账号 locked after failed logins (the unit's
/// administrators and the system administrator).
#[utoipa::path(post, path = "/api/v1/departments/{id}/secretary/unlock", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "处室编号")),
    responses((status = 200, body = SecretaryAccount), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the login is not locked (not_locked)", body = ErrorBody)))]
pub async fn unlock_secretary(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<SecretaryAccount>> {
    let mut tx = state.db.begin().await?;
    let account = secretary_accounts::unlock(&mut tx, state.now(), &session.principal, id).await?;
    tx.commit().await?;
    Ok(Json(account))
}

/// Reset a department's 文秘账号 to a one-time initial password, returned
/// once: it must be changed at the next login; its sessions end and a lock
/// is lifted (who may: as for unlocking).
#[utoipa::path(post, path = "/api/v1/departments/{id}/secretary/password-reset", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "处室编号")),
    responses((status = 200, body = SecretaryReset), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_secretary(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<SecretaryReset>> {
    Ok(Json(
        secretary_accounts::reset_to_one_time(&state.db, state.now(), &session.principal, id)
            .await?,
    ))
}
