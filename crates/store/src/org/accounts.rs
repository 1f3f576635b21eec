//! A person's account as its administrators see it (issue 26 item 1): its
//! granted roles, whether its login is locked, whether the password must be
//! changed; and the two things an administrator does for a person who is
//! stuck — unlock the login, and reset the password to a one-time initial
//! one that must be changed at the next login (ORG-4's initial-password
//! session: nothing but the password change until it is).

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::Serialize;
use yici_domain::org::{Administration, Principal, Role, MISSING_PERSON};
use yici_domain::DomainError;

use super::people::{self, Person};
use crate::audit::{self, Change};
use crate::db::{Exec, Tx};
use crate::error::StoreResult;
use crate::{args, Actor};

/// A person's account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonAccount {
    pub person_id: i64,
    pub account_id: i64,
    /// The login (the person's mobile number).
    pub login: String,
    /// Roles granted to the account (承办机构负责人, 行政执法主体负责人, 办公室,
    /// 系统管理员); the others follow from the person's record.
    pub granted_roles: Vec<Role>,
    /// Until when the login is locked after failed logins; `None` when it is not.
    pub locked_until: Option<DateTime<Utc>>,
    /// The password is an initial one and must be changed at the next login.
    pub must_change_password: bool,
}

/// The account of person `person_id`, its lock read at `now`.
pub async fn of_person(
    e: &mut impl Exec,
    now: DateTime<Utc>,
    person_id: i64,
) -> StoreResult<Option<PersonAccount>> {
    let Some(row) = e
        .fetch_optional(
            "SELECT a.id, a.login, a.must_change_password, l.locked_until
               FROM accounts a LEFT JOIN login_locks l ON l.login = a.login
              WHERE a.person_id = $1",
            args![person_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let account_id: i64 = row.get("id")?;
    let mut granted: Vec<Role> = e
        .fetch_all(
            "SELECT role FROM role_grants WHERE account_id = $1",
            args![account_id],
        )
        .await?
        .iter()
        .filter_map(|r| r.get::<String>("role").ok())
        .filter_map(|r| Role::parse(&r))
        .collect();
    granted.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
    let locked_until: Option<DateTime<Utc>> = row.get("locked_until")?;
    Ok(Some(PersonAccount {
        person_id,
        account_id,
        login: row.get("login")?,
        granted_roles: granted,
        locked_until: locked_until.filter(|u| *u > now),
        must_change_password: row.get("must_change_password")?,
    }))
}

/// The person and their account, for someone allowed to act on it by
/// `allowed`; anyone else gets 403 when they may see the person (or
/// administer some unit: they know ids exist), else the 404 of a missing
/// person (SEC-3).
pub async fn person_for(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    person_id: i64,
    allowed: impl FnOnce(Administration, &Person) -> bool,
    refusal: &str,
) -> StoreResult<(Person, PersonAccount, Administration)> {
    let person = people::get(tx, person_id)
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_PERSON))?;
    let administration = super::admin::administration(tx, principal).await?;
    if !allowed(administration, &person) {
        let sees = principal.can_view_people_of(person.department_id)
            || administration != Administration::Nothing;
        return Err(if sees {
            DomainError::forbidden(refusal.to_string())
        } else {
            DomainError::not_found(MISSING_PERSON)
        }
        .into());
    }
    let account = of_person(tx, now, person_id)
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_PERSON))?;
    Ok((person, account, administration))
}

/// Unlocking and resetting: the unit's administrators (and the system
/// administrator), and the managers of the person's own department, who
/// open the account in the first place.
pub fn may_administer(
    principal: &Principal,
    administration: Administration,
    person: &Person,
) -> bool {
    administration.covers(person.unit_id) || principal.can_manage_people_of(person.department_id)
}

const REFUSED: &str = "只能管理本单位（本处室）人员的账号";

/// Ends the lock of a person's login at once. The lock is moved to `now`
/// rather than removed, so failures before it no longer count (an expired
/// lock starts the count afresh, as at login).
pub async fn unlock(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    person_id: i64,
) -> StoreResult<PersonAccount> {
    let (_, before, _) = person_for(
        tx,
        now,
        principal,
        person_id,
        |a, p| may_administer(principal, a, p),
        REFUSED,
    )
    .await?;
    if before.locked_until.is_none() {
        return Err(DomainError::conflict("not_locked", "该账号未被锁定").into());
    }
    lift_lock(tx, &before.login, now).await?;
    let after = of_person(tx, now, person_id)
        .await?
        .expect("account exists");
    audit::record(
        tx,
        now,
        &Actor::from(principal),
        Change {
            action: "account.unlock",
            entity: "account",
            entity_id: before.account_id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

/// A random one-time initial password that passes the password rule: 12
/// characters of all four classes, without look-alikes (0/O, 1/l/I), so it
/// can be read out over the phone.
pub fn one_time_password() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SPECIAL: &[u8] = b"@#%&*+=?";
    let mut rng = rand::thread_rng();
    let mut pick = |set: &[u8], n: usize| -> Vec<u8> {
        (0..n).map(|_| set[rng.gen_range(0..set.len())]).collect()
    };
    let mut chars = [
        pick(UPPER, 4),
        pick(LOWER, 4),
        pick(DIGIT, 3),
        pick(SPECIAL, 1),
    ]
    .concat();
    chars.shuffle(&mut rand::thread_rng());
    String::from_utf8(chars).expect("ASCII")
}

/// A password reset: the account after it and the one-time password, shown
/// to the administrator once and never stored in clear.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub account: PersonAccount,
    /// The one-time initial password, to hand to the person; it must be
    /// changed at the next login.
    pub initial_password: String,
}

/// Resets a person's password to a fresh one-time initial password (hashed
/// by the caller as `hash`): the next login must change it, open sessions
/// and a pending second step end, and the lock ends too.
pub async fn reset_password(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    person_id: i64,
    hash: &str,
) -> StoreResult<PersonAccount> {
    let (_, before, _) = person_for(
        tx,
        now,
        principal,
        person_id,
        |a, p| may_administer(principal, a, p),
        REFUSED,
    )
    .await?;
    let id = before.account_id;
    set_one_time_password(tx, id, &before.login, hash, now).await?;
    let after = of_person(tx, now, person_id)
        .await?
        .expect("account exists");
    audit::record(
        tx,
        now,
        &Actor::from(principal),
        Change {
            action: "account.reset_password",
            entity: "account",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

/// Resets a person's password to a fresh one-time password in a transaction
/// of its own (hashing comes first, off the async runtime); the password is
/// returned once, to be handed to the person.
pub async fn reset_to_one_time(
    db: &crate::Db,
    now: DateTime<Utc>,
    principal: &Principal,
    person_id: i64,
) -> StoreResult<PasswordReset> {
    let initial_password = one_time_password();
    let hash = crate::auth::hash_password(initial_password.clone()).await?;
    let mut tx = db.begin().await?;
    let account = reset_password(&mut tx, now, principal, person_id, &hash).await?;
    tx.commit().await?;
    Ok(PasswordReset {
        account,
        initial_password,
    })
}

/// Gives an account a one-time initial password (hashed as `hash`): the
/// next login must change it, open sessions and a pending second step end,
/// and a lock ends too. A person's account and a department's 文秘账号 alike.
pub(super) async fn set_one_time_password(
    tx: &mut Tx,
    id: i64,
    login: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE accounts SET password_hash = $2, must_change_password = TRUE, password_changed_at = $3
          WHERE id = $1",
        args![id, hash, now],
    )
    .await?;
    crate::auth::remember_password(tx, id, hash, now).await?;
    tx.execute("DELETE FROM sessions WHERE account_id = $1", args![id])
        .await?;
    tx.execute(
        "DELETE FROM pending_logins WHERE account_id = $1",
        args![id],
    )
    .await?;
    lift_lock(tx, login, now).await
}

/// Ends a login's lock now. The lock row stays (its failures are not
/// counted again: deleting it re-locked the account at the next mistake).
pub(super) async fn lift_lock(tx: &mut Tx, login: &str, now: DateTime<Utc>) -> StoreResult<()> {
    tx.execute(
        "UPDATE login_locks SET locked_until = $2 WHERE login = $1 AND locked_until > $2",
        args![login, now],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_pass_the_rule_and_differ() {
        let a = one_time_password();
        assert_eq!(a.len(), 12);
        yici_domain::org::password::check_strength(&a, "p").unwrap();
        assert!(a.chars().all(|c| !"0O1lI".contains(c)));
        assert_ne!(a, one_time_password());
    }
}
