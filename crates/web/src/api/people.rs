use super::extract::{Json, Path, Query};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use yici_domain::org::mobile::mask;
use yici_domain::org::{PersonInput, PersonStatus, Role, MISSING_DEPARTMENT, MISSING_PERSON};
use yici_domain::DomainError;
use yici_store::org::accounts::{self, PasswordReset, PersonAccount};
use yici_store::org::people::{self, PeopleFilter, Person, Saved};
use yici_store::org::roles;

use crate::error::{ApiResult, ErrorBody};
use crate::session::ApiUser;
use crate::state::AppState;

#[derive(Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Part of a name.
    pub name: Option<String>,
    /// `enabled` or `disabled`.
    pub status: Option<String>,
}

/// The mobile number is shown whole only to those who manage the person.
fn masked(mut p: Person, can_manage: bool) -> Person {
    if !can_manage {
        p.mobile = mask(&p.mobile);
    }
    p
}

/// People of a department (its members, secretary and administrator).
#[utoipa::path(get, path = "/api/v1/departments/{id}/people", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path), PeopleQuery),
    responses((status = 200, body = [Person]), (status = 403, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(department_id): Path<i64>,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<Json<Vec<Person>>> {
    let principal = &session.principal;
    principal.ensure_view_people_of(department_id, MISSING_DEPARTMENT)?;
    let can_manage = principal.can_manage_people_of(department_id);
    let filter = PeopleFilter {
        name: q.name,
        status: q.status.as_deref().and_then(PersonStatus::parse),
    };
    let list = people::list(&mut &state.db, department_id, &filter).await?;
    Ok(Json(
        list.into_iter().map(|p| masked(p, can_manage)).collect(),
    ))
}

/// Add a person to a department; an account is opened with the mobile number
/// as login and the initial password. `is_admin: true` demotes the current
/// administrator (returned as `demoted`).
#[utoipa::path(post, path = "/api/v1/departments/{id}/people", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PersonInput,
    responses((status = 201, body = Saved), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(department_id): Path<i64>,
    Json(input): Json<PersonInput>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    session
        .principal
        .ensure_manage_people_of(department_id, MISSING_DEPARTMENT)?;
    let valid = input.validate(true)?;
    let hash = state.initial_password_hash().await?;
    let mut tx = state.db.begin().await?;
    let saved = people::create(
        &mut tx,
        state.now(),
        &session.principal,
        department_id,
        valid,
        &hash,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn load(state: &AppState, id: i64) -> ApiResult<Person> {
    Ok(people::get(&mut &state.db, id)
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_PERSON))?)
}

/// One person.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Person), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Person>> {
    let person = load(&state, id).await?;
    session
        .principal
        .ensure_view_people_of(person.department_id, MISSING_PERSON)?;
    let can_manage = session.principal.can_manage_people_of(person.department_id);
    Ok(Json(masked(person, can_manage)))
}

/// Edit a person. The mobile number can't change: sending a different one is an error.
#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PersonInput,
    responses((status = 200, body = Saved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_person(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<PersonInput>,
) -> ApiResult<Json<Saved>> {
    let person = load(&state, id).await?;
    session
        .principal
        .ensure_manage_people_of(person.department_id, MISSING_PERSON)?;
    if let Some(m) = input.mobile.as_deref().map(str::trim) {
        if !m.is_empty() && m != person.mobile {
            return Err(DomainError::field(
                "mobile",
                "mobile_immutable",
                "移动电话即登录账号，不允许修改",
            )
            .into());
        }
    }
    let valid = input.validate(false)?;
    let mut tx = state.db.begin().await?;
    let saved = people::update(&mut tx, state.now(), &session.principal, id, valid).await?;
    tx.commit().await?;
    Ok(Json(saved))
}

/// A person's account: granted roles, lock, whether the password must be
/// changed (the system administrator, the person's unit's administrators and
/// the managers of the person's department).
#[utoipa::path(get, path = "/api/v1/people/{id}/account", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path, description = "人员编号")),
    responses((status = 200, body = PersonAccount), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_account(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<PersonAccount>> {
    let mut tx = state.db.begin().await?;
    let (_, account, _) = accounts::person_for(
        &mut tx,
        state.now(),
        &session.principal,
        id,
        |a, p| accounts::may_administer(&session.principal, a, p),
        "只能查看本单位（本处室）人员的账号",
    )
    .await?;
    tx.commit().await?;
    Ok(Json(account))
}

/// Grant a role to a person: `department_head` (承办机构负责人), `unit_head`
/// (行政执法主体负责人) or `office_clerk` (办公室) by the system administrator
/// or the administrators of the person's unit (its 办公室's secretary account
/// and administrator); `system_admin` by a system administrator only.
/// Granting a role held changes nothing.
#[utoipa::path(put, path = "/api/v1/people/{id}/roles/{role}", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path, description = "人员编号"), ("role" = Role, Path, description = "角色")),
    responses((status = 200, body = PersonAccount), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the person is disabled (person_disabled)", body = ErrorBody),
        (status = 422, description = "a role that follows from the account or the person's record (not_grantable)", body = ErrorBody)))]
pub async fn grant_role(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, role)): Path<(i64, Role)>,
) -> ApiResult<Json<PersonAccount>> {
    set_role(&state, &session.principal, id, role, true).await
}

/// Revoke a role of a person (who may: as for granting). Revoking a role
/// not held changes nothing.
#[utoipa::path(delete, path = "/api/v1/people/{id}/roles/{role}", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path, description = "人员编号"), ("role" = Role, Path, description = "角色")),
    responses((status = 200, body = PersonAccount), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn revoke_role(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, role)): Path<(i64, Role)>,
) -> ApiResult<Json<PersonAccount>> {
    set_role(&state, &session.principal, id, role, false).await
}

async fn set_role(
    state: &AppState,
    principal: &yici_domain::org::Principal,
    id: i64,
    role: Role,
    grant: bool,
) -> ApiResult<Json<PersonAccount>> {
    let mut tx = state.db.begin().await?;
    let account = roles::set(&mut tx, state.now(), principal, id, role, grant).await?;
    tx.commit().await?;
    Ok(Json(account))
}

/// Unlock a person's login locked after failed logins (the system
/// administrator, the unit's administrators, the department's managers).
#[utoipa::path(post, path = "/api/v1/people/{id}/unlock", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path, description = "人员编号")),
    responses((status = 200, body = PersonAccount), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the login is not locked (not_locked)", body = ErrorBody)))]
pub async fn unlock(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<PersonAccount>> {
    let mut tx = state.db.begin().await?;
    let account = accounts::unlock(&mut tx, state.now(), &session.principal, id).await?;
    tx.commit().await?;
    Ok(Json(account))
}

/// Reset a person's password to a one-time initial password, returned once:
/// the person must change it at the next login; their sessions end and the
/// lock is lifted (who may: as for unlocking).
#[utoipa::path(post, path = "/api/v1/people/{id}/password-reset", tag = "people", security(("bearer" = [])),
    params(("id" = i64, Path, description = "人员编号")),
    responses((status = 200, body = PasswordReset), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<PasswordReset>> {
    Ok(Json(
        accounts::reset_to_one_time(&state.db, state.now(), &session.principal, id).await?,
    ))
}
