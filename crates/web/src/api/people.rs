use super::extract::{Json, Path, Query};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use yici_domain::org::mobile::mask;
use yici_domain::org::{PersonInput, PersonStatus, MISSING_DEPARTMENT, MISSING_PERSON};
use yici_domain::DomainError;
use yici_store::org::people::{self, PeopleFilter, Person, Saved};

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
    let list = people::list(&mut state.db.clone(), department_id, &filter).await?;
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
    Ok(people::get(&mut state.db.clone(), id)
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
