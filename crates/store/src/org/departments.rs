//! Departments (ORG-2) and their secretary accounts (ORG-3).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::org::account_name;
use yici_domain::org::{BusinessLine, DepartmentKind};
use yici_domain::{DomainError, ErrorKind};

use super::{parse_code, units};
use crate::audit::{self, Change};
use crate::db::{Exec, Row, Tx};
use crate::error::StoreResult;
use crate::{args, Actor};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub kind: DepartmentKind,
    pub business_line: BusinessLine,
    /// Login of the department's secretary account (文秘账号).
    pub secretary_login: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the department was disabled (停用); `None` while in use.
    pub disabled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewDepartment {
    pub unit_id: i64,
    pub name: String,
    pub kind: DepartmentKind,
    pub business_line: BusinessLine,
}

const SELECT: &str = "SELECT d.id, d.unit_id, u.name AS unit_name, d.name, d.kind, d.business_line,
        d.created_at, d.disabled_at, a.login AS secretary_login
   FROM departments d
   JOIN units u ON u.id = d.unit_id
   LEFT JOIN accounts a ON a.department_id = d.id AND a.kind = 'secretary'";

fn from_row(r: &Row) -> StoreResult<Department> {
    Ok(Department {
        id: r.get("id")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        name: r.get("name")?,
        kind: parse_code(&r.get::<String>("kind")?, DepartmentKind::parse)?,
        business_line: parse_code(&r.get::<String>("business_line")?, BusinessLine::parse)?,
        secretary_login: r.get("secretary_login")?,
        created_at: r.get("created_at")?,
        disabled_at: r.get("disabled_at")?,
    })
}

/// Creates a department and its secretary account, whose login follows ORG-3
/// and whose password is the initial one (to be changed at first login).
pub async fn create(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    new: NewDepartment,
    initial_password_hash: &str,
) -> StoreResult<Department> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(DomainError::required("name", "处室名称").into());
    }
    let unit = units::get(tx, new.unit_id).await?.ok_or_else(|| {
        DomainError::new(ErrorKind::NotFound, "not_found", "单位不存在").on("unit_id")
    })?;
    if unit.disabled_at.is_some() {
        return Err(DomainError::conflict(
            "unit_disabled",
            format!("{}已停用，不能新增处室", unit.name),
        )
        .on("unit_id")
        .into());
    }
    let row = tx
        .fetch_one(
            "INSERT INTO departments (unit_id, name, kind, business_line, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            args![
                unit.id,
                name,
                new.kind.as_str(),
                new.business_line.as_str(),
                now
            ],
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                DomainError::conflict("duplicate", format!("{}已有名为“{name}”的处室", unit.name))
                    .on("name")
                    .into()
            } else {
                e
            }
        })?;
    let id: i64 = row.get("id")?;

    let wanted = account_name::secretary_login(&unit.account_prefix, name);
    // Every login that could collide with `wanted` or its numbered variants.
    let taken: HashSet<String> = tx
        .fetch_all(
            "SELECT login FROM accounts WHERE login = $1 OR login LIKE $2",
            args![&wanted, format!("{wanted}%")],
        )
        .await?
        .iter()
        .map(|r| r.get::<String>("login"))
        .collect::<StoreResult<_>>()?;
    let login = account_name::first_free(&wanted, |c| taken.contains(c));
    crate::auth::open_account(
        tx,
        now,
        crate::auth::NewAccount {
            login: &login,
            kind: "secretary",
            person_id: None,
            department_id: Some(id),
            unit_id: Some(unit.id),
        },
        initial_password_hash,
    )
    .await?;

    let department = get(tx, id).await?.expect("department just inserted");
    audit::record(
        tx,
        now,
        actor,
        Change::<(), _> {
            action: "department.create",
            entity: "department",
            entity_id: id.to_string(),
            before: None,
            after: Some(&department),
        },
    )
    .await?;
    Ok(department)
}

/// A department's new name and state (重命名, 停用/启用).
#[derive(Debug, Clone)]
pub struct DepartmentChange {
    pub name: String,
    pub disabled: bool,
}

/// Renames, disables or enables a department (the system administrator, or
/// the unit's administrators). Disabling needs its people disabled first,
/// so no enabled person belongs to a disabled department; its secretary
/// account then logs in no more, and it is invited to no new joint
/// inspection. Its login keeps its name (ORG-3).
pub async fn update(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &yici_domain::org::Principal,
    id: i64,
    change: DepartmentChange,
) -> StoreResult<Department> {
    let before = get(tx, id)
        .await?
        .ok_or_else(|| DomainError::not_found(yici_domain::org::MISSING_DEPARTMENT))?;
    super::admin::ensure_administers(
        tx,
        principal,
        before.unit_id,
        super::admin::NOT_ADMINISTRATOR,
    )
    .await?;
    let name = change.name.trim();
    if name.is_empty() {
        return Err(DomainError::required("name", "处室名称").into());
    }
    if change.disabled && before.disabled_at.is_none() {
        let enabled = tx
            .scalar_i64(
                "SELECT COUNT(*) FROM people WHERE department_id = $1 AND status = 'enabled'",
                args![id],
            )
            .await?;
        if enabled > 0 {
            return Err(DomainError::conflict(
                "in_use",
                format!(
                    "{}尚有{enabled}名启用的人员，请先停用后再停用处室",
                    before.name
                ),
            )
            .on("disabled")
            .into());
        }
    }
    if !change.disabled && before.disabled_at.is_some() {
        let unit = units::get(tx, before.unit_id).await?.expect("unit exists");
        if unit.disabled_at.is_some() {
            return Err(DomainError::conflict(
                "unit_disabled",
                format!("{}已停用，请先启用单位", unit.name),
            )
            .on("disabled")
            .into());
        }
    }
    let disabled_at = super::disabled_since(change.disabled, before.disabled_at, now);
    tx.execute(
        "UPDATE departments SET name = $2, disabled_at = $3 WHERE id = $1",
        args![id, name, disabled_at],
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            DomainError::conflict(
                "duplicate",
                format!("{}已有名为“{name}”的处室", before.unit_name),
            )
            .on("name")
            .into()
        } else {
            e
        }
    })?;
    if change.disabled {
        // The secretary account's open sessions end with the department.
        tx.execute(
            "DELETE FROM sessions WHERE account_id IN
               (SELECT id FROM accounts WHERE department_id = $1 AND kind = 'secretary')",
            args![id],
        )
        .await?;
    }
    let after = get(tx, id).await?.expect("department exists");
    audit::record(
        tx,
        now,
        &Actor::from(principal),
        Change {
            action: "department.update",
            entity: "department",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

pub async fn get(e: &mut impl Exec, id: i64) -> StoreResult<Option<Department>> {
    e.fetch_optional(&format!("{SELECT} WHERE d.id = $1"), args![id])
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn list_by_unit(e: &mut impl Exec, unit_id: i64) -> StoreResult<Vec<Department>> {
    let rows = e
        .fetch_all(
            &format!("{SELECT} WHERE d.unit_id = $1 ORDER BY d.id"),
            args![unit_id],
        )
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn list_all(e: &mut impl Exec) -> StoreResult<Vec<Department>> {
    let rows = e
        .fetch_all(&format!("{SELECT} ORDER BY d.unit_id, d.id"), vec![])
        .await?;
    rows.iter().map(from_row).collect()
}
