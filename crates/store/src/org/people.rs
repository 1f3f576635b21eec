//! People (ORG-5…ORG-7) and their accounts.
//!
//! Creating a person opens an account whose login is the mobile number, with
//! the initial password. Making someone administrator demotes the previous one
//! in the same transaction (ORG-6); a partial unique index backs this up.
//! Disabling someone ends their sessions at once.

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::org::{
    Gender, PersonStatus, Principal, ValidPerson, MISSING_DEPARTMENT, MISSING_PERSON,
};
use yici_domain::DomainError;

use super::{departments, parse_code};
use crate::audit::{self, Change};
use crate::db::{Exec, Row, Tx};
use crate::error::StoreResult;
use crate::{args, Actor};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub gender: Gender,
    pub is_officer: bool,
    pub certificate_no: Option<String>,
    pub certificate_valid_until: Option<chrono::NaiveDate>,
    pub mobile: String,
    pub office_phone: Option<String>,
    pub status: PersonStatus,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a save did besides saving: the administrator it demoted, if any.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Saved {
    pub person: Person,
    pub demoted: Option<Person>,
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub name: Option<String>,
    pub status: Option<PersonStatus>,
}

const SELECT: &str = "SELECT p.id, p.department_id, d.name AS department_name, d.unit_id,
        u.name AS unit_name, p.name, p.gender, p.is_officer, p.certificate_no, p.certificate_valid_until, p.mobile,
        p.office_phone, p.status, p.is_admin, p.created_at, p.updated_at
   FROM people p
   JOIN departments d ON d.id = p.department_id
   JOIN units u ON u.id = d.unit_id";

fn from_row(r: &Row) -> StoreResult<Person> {
    Ok(Person {
        id: r.get("id")?,
        department_id: r.get("department_id")?,
        department_name: r.get("department_name")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        name: r.get("name")?,
        gender: parse_code(&r.get::<String>("gender")?, Gender::parse)?,
        is_officer: r.get("is_officer")?,
        certificate_no: r.get("certificate_no")?,
        certificate_valid_until: r.get("certificate_valid_until")?,
        mobile: r.get("mobile")?,
        office_phone: r.get("office_phone")?,
        status: parse_code(&r.get::<String>("status")?, PersonStatus::parse)?,
        is_admin: r.get("is_admin")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

pub async fn get(e: &mut impl Exec, id: i64) -> StoreResult<Option<Person>> {
    e.fetch_optional(&format!("{SELECT} WHERE p.id = $1"), args![id])
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn list(
    e: &mut impl Exec,
    department_id: i64,
    filter: &PeopleFilter,
) -> StoreResult<Vec<Person>> {
    let name = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{s}%"));
    let rows = e
        .fetch_all(
            &format!(
                "{SELECT} WHERE p.department_id = $1
                   AND ($2 IS NULL OR p.name LIKE $2)
                   AND ($3 IS NULL OR p.status = $3)
                 ORDER BY p.is_admin DESC, p.id"
            ),
            args![department_id, name, filter.status.map(PersonStatus::as_str)],
        )
        .await?;
    rows.iter().map(from_row).collect()
}

/// The department's administrator, if it has one.
pub async fn current_admin(e: &mut impl Exec, department_id: i64) -> StoreResult<Option<Person>> {
    e.fetch_optional(
        &format!("{SELECT} WHERE p.department_id = $1 AND p.is_admin"),
        args![department_id],
    )
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

fn mobile_taken() -> DomainError {
    DomainError::conflict("duplicate_mobile", "该手机号已被其他人员使用，请核对").on("mobile")
}

/// A unique index on the number (people or account logins) said no: the
/// number was taken between the check and the insert.
/// The unique indexes a person's save can hit, as the conflicts they are:
/// only the mobile's (or its login's) means the mobile is taken.
fn or_mobile_taken(e: crate::StoreError) -> crate::StoreError {
    if e.is_unique_violation_of("people_mobile", "people.mobile")
        || e.is_unique_violation_of("accounts_login", "accounts.login")
    {
        mobile_taken().into()
    } else if e.is_unique_violation_of("people_one_admin", "people.department_id") {
        // Not reached while the department row is locked first (see
        // `demote_admin`); kept a clear conflict rather than a wrong message.
        DomainError::conflict("admin_taken", "该处室已有管理员，请刷新后重试")
            .on("is_admin")
            .into()
    } else {
        e
    }
}

/// Demotes the department's administrator unless it is `keep`; returns them.
async fn demote_admin(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    department_id: i64,
    keep: Option<i64>,
) -> StoreResult<Option<Person>> {
    // Two people made administrator of one department at the same moment:
    // on PostgreSQL both read "no other administrator" and the second insert
    // hit the one-administrator index (a 500). Locking the department first
    // makes the second wait and then demote the first — the later save wins,
    // as it would one after the other. SQLite's writer lock already does this.
    if tx.backend() == crate::db::Backend::Postgres {
        tx.fetch_optional(
            "SELECT id FROM departments WHERE id = $1 FOR UPDATE",
            args![department_id],
        )
        .await?;
    }
    let Some(before) = current_admin(tx, department_id).await? else {
        return Ok(None);
    };
    if Some(before.id) == keep {
        return Ok(None);
    }
    tx.execute(
        "UPDATE people SET is_admin = FALSE, updated_at = $2 WHERE id = $1",
        args![before.id, now],
    )
    .await?;
    let after = get(tx, before.id).await?.expect("person exists");
    audit::record(
        tx,
        now,
        actor,
        Change {
            action: "person.demote_admin",
            entity: "person",
            entity_id: before.id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(Some(after))
}

/// A disabled department (停用) takes no enabled person: nobody can work
/// for it, as it is offered for no new work.
fn refuse_disabled_department(
    department: &departments::Department,
    status: PersonStatus,
) -> Result<(), DomainError> {
    if department.disabled_at.is_some() && status == PersonStatus::Enabled {
        return Err(DomainError::conflict(
            "department_disabled",
            format!("{}已停用，其人员只能为停用状态", department.name),
        )
        .on("status"));
    }
    Ok(())
}

pub async fn create(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    department_id: i64,
    person: ValidPerson,
    initial_password_hash: &str,
) -> StoreResult<Saved> {
    principal.ensure_manage_people_of(department_id, MISSING_DEPARTMENT)?;
    let actor = Actor::from(principal);
    let department = departments::get(tx, department_id)
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_DEPARTMENT))?;
    refuse_disabled_department(&department, person.status)?;
    let mobile = person
        .mobile
        .as_ref()
        .ok_or_else(|| DomainError::required("mobile", "移动电话"))?
        .as_str()
        .to_string();
    let in_use = tx
        .fetch_optional(
            "SELECT 1 AS x FROM people WHERE mobile = $1
             UNION ALL SELECT 1 AS x FROM accounts WHERE login = $1",
            args![&mobile],
        )
        .await?;
    if in_use.is_some() {
        return Err(mobile_taken().into());
    }
    let demoted = if person.is_admin {
        demote_admin(tx, now, &actor, department_id, None).await?
    } else {
        None
    };
    let id = tx
        .scalar_i64(
            "INSERT INTO people (department_id, name, gender, is_officer, certificate_no, mobile,
                                 office_phone, status, is_admin, created_at, updated_at,
                                 certificate_valid_until)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id",
            args![
                department_id,
                &person.name,
                person.gender.as_str(),
                person.is_officer,
                person.certificate_no.clone(),
                &mobile,
                person.office_phone.clone(),
                person.status.as_str(),
                person.is_admin,
                now,
                person.certificate_valid_until
            ],
        )
        .await
        .map_err(or_mobile_taken)?;
    crate::auth::open_account(
        tx,
        now,
        crate::auth::NewAccount {
            login: &mobile,
            kind: "person",
            person_id: Some(id),
            department_id: Some(department_id),
            unit_id: Some(department.unit_id),
        },
        initial_password_hash,
    )
    .await
    .map_err(or_mobile_taken)?;
    let saved = get(tx, id).await?.expect("person just inserted");
    audit::record(
        tx,
        now,
        &actor,
        Change::<(), _> {
            action: "person.create",
            entity: "person",
            entity_id: id.to_string(),
            before: None,
            after: Some(&saved),
        },
    )
    .await?;
    Ok(Saved {
        person: saved,
        demoted,
    })
}

/// Edits a person. The mobile number (the login) is never changed.
pub async fn update(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    person: ValidPerson,
) -> StoreResult<Saved> {
    let before = get(tx, id)
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_PERSON))?;
    principal.ensure_manage_people_of(before.department_id, MISSING_PERSON)?;
    let department = departments::get(tx, before.department_id)
        .await?
        .expect("a person's department exists");
    refuse_disabled_department(&department, person.status)?;
    let actor = Actor::from(principal);
    let demoted = if person.is_admin {
        demote_admin(tx, now, &actor, before.department_id, Some(id)).await?
    } else {
        None
    };
    tx.execute(
        "UPDATE people SET name = $2, gender = $3, is_officer = $4, certificate_no = $5,
                office_phone = $6, status = $7, is_admin = $8, updated_at = $9,
                certificate_valid_until = $10
          WHERE id = $1",
        args![
            id,
            &person.name,
            person.gender.as_str(),
            person.is_officer,
            person.certificate_no.clone(),
            person.office_phone.clone(),
            person.status.as_str(),
            person.is_admin,
            now,
            person.certificate_valid_until
        ],
    )
    .await?;
    if person.status == PersonStatus::Disabled {
        // 停用: no more logins, and the sessions already open end now.
        tx.execute(
            "DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE person_id = $1)",
            args![id],
        )
        .await?;
    }
    let after = get(tx, id).await?.expect("person exists");
    audit::record(
        tx,
        now,
        &actor,
        Change {
            action: "person.update",
            entity: "person",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(Saved {
        person: after,
        demoted,
    })
}
