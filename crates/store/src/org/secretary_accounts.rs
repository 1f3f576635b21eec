//! A department's 文秘账号 as its unit's administrators see it: locked or
//! not, and the same two remedies a person's account has (解除锁定, 重置密码
//! to a one-time initial password; `accounts`). A secretary account belongs
//! to no person, so the department's managers can't help it: the unit's
//! administrators (its 办公室) and the system administrator can.

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::org::{Administration, Principal, MISSING_DEPARTMENT};
use yici_domain::DomainError;

use super::accounts::{lift_lock, one_time_password, set_one_time_password};
use super::departments::{self, Department};
use crate::audit::{self, Change};
use crate::db::{Exec, Tx};
use crate::error::StoreResult;
use crate::{args, Actor};

/// A department's secretary account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SecretaryAccount {
    pub department_id: i64,
    pub account_id: i64,
    pub login: String,
    /// Until when the login is locked after failed logins; `None` when it is not.
    pub locked_until: Option<DateTime<Utc>>,
    /// The password is an initial one and must be changed at the next login.
    pub must_change_password: bool,
}

const SELECT: &str = "SELECT a.id, a.department_id, a.login, a.must_change_password, l.locked_until
       FROM accounts a LEFT JOIN login_locks l ON l.login = a.login
      WHERE a.kind = 'secretary'";

fn account_of(row: &crate::db::Row, now: DateTime<Utc>) -> StoreResult<SecretaryAccount> {
    let locked_until: Option<DateTime<Utc>> = row.get("locked_until")?;
    Ok(SecretaryAccount {
        department_id: row.get("department_id")?,
        account_id: row.get("id")?,
        login: row.get("login")?,
        locked_until: locked_until.filter(|u| *u > now),
        must_change_password: row.get("must_change_password")?,
    })
}

/// The secretary account of a department, its lock read at `now`.
pub async fn of_department(
    e: &mut impl Exec,
    now: DateTime<Utc>,
    department_id: i64,
) -> StoreResult<Option<SecretaryAccount>> {
    e.fetch_optional(
        &format!("{SELECT} AND a.department_id = $1"),
        args![department_id],
    )
    .await?
    .map(|r| account_of(&r, now))
    .transpose()
}

/// The secretary accounts of a unit's departments, in one statement (the
/// unit page lists them all).
pub async fn of_unit(
    e: &mut impl Exec,
    now: DateTime<Utc>,
    unit_id: i64,
) -> StoreResult<Vec<SecretaryAccount>> {
    e.fetch_all(
        &format!("{SELECT} AND a.department_id IN (SELECT id FROM departments WHERE unit_id = $1)"),
        args![unit_id],
    )
    .await?
    .iter()
    .map(|r| account_of(r, now))
    .collect()
}

const REFUSED: &str = "只有本单位管理员（办公室）和系统管理员可以管理处室的文秘账号";

/// The department and its secretary account, for its unit's administrators;
/// others get 403 when they administer something (they know ids exist),
/// else the 404 of a missing department (SEC-3).
async fn for_administrator(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    department_id: i64,
) -> StoreResult<(Department, SecretaryAccount)> {
    let missing = || DomainError::not_found(MISSING_DEPARTMENT);
    let department = departments::get(tx, department_id)
        .await?
        .ok_or_else(missing)?;
    let administration = super::admin::administration(tx, principal).await?;
    if !administration.covers(department.unit_id) {
        return Err(if administration == Administration::Nothing {
            missing()
        } else {
            DomainError::forbidden(REFUSED)
        }
        .into());
    }
    let account = of_department(tx, now, department_id)
        .await?
        .ok_or_else(|| DomainError::not_found("该处室没有文秘账号"))?;
    Ok((department, account))
}

async fn record(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    action: &str,
    before: &SecretaryAccount,
) -> StoreResult<SecretaryAccount> {
    let after = of_department(tx, now, before.department_id)
        .await?
        .expect("the account exists");
    audit::record(
        tx,
        now,
        &Actor::from(principal),
        Change {
            action,
            entity: "account",
            entity_id: before.account_id.to_string(),
            before: Some(before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

/// 解除锁定 of a department's secretary account.
pub async fn unlock(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    department_id: i64,
) -> StoreResult<SecretaryAccount> {
    let (_, before) = for_administrator(tx, now, principal, department_id).await?;
    if before.locked_until.is_none() {
        return Err(DomainError::conflict("not_locked", "该账号未被锁定").into());
    }
    lift_lock(tx, &before.login, now).await?;
    record(tx, now, principal, "account.unlock", &before).await
}

/// A secretary account's reset: the account after it and the one-time
/// password, shown to the administrator once and never stored in clear.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SecretaryReset {
    pub account: SecretaryAccount,
    /// The one-time initial password; it must be changed at the next login.
    pub initial_password: String,
}

/// 重置密码 of a department's secretary account to a fresh one-time
/// password, in a transaction of its own (hashed first, off the runtime).
pub async fn reset_to_one_time(
    db: &crate::Db,
    now: DateTime<Utc>,
    principal: &Principal,
    department_id: i64,
) -> StoreResult<SecretaryReset> {
    let initial_password = one_time_password();
    let hash = crate::auth::hash_password(initial_password.clone()).await?;
    let mut tx = db.begin().await?;
    let (_, before) = for_administrator(&mut tx, now, principal, department_id).await?;
    set_one_time_password(&mut tx, before.account_id, &before.login, &hash, now).await?;
    let account = record(&mut tx, now, principal, "account.reset_password", &before).await?;
    tx.commit().await?;
    Ok(SecretaryReset {
        account,
        initial_password,
    })
}
