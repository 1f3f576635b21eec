//! Granting and revoking roles on a person's account (issue 26 item 1):
//! 承办机构负责人, 行政执法主体负责人 and 办公室 by the system administrator
//! or the administrators of the person's unit; 系统管理员 by a system
//! administrator only. Roles that follow from the account or the person's
//! record (文秘账号, 管理员, 执法人员, 企业用户) are never granted.

use chrono::{DateTime, Utc};
use yici_domain::org::{Administration, PersonStatus, Principal, Role};
use yici_domain::DomainError;

use super::accounts::{self, PersonAccount};
use crate::audit::{self, Change};
use crate::db::{Exec, Tx};
use crate::error::StoreResult;
use crate::{args, Actor};

/// Whether `administration` may grant or revoke `role` in unit `unit_id`.
pub fn may_grant(administration: Administration, unit_id: i64, role: Role) -> bool {
    match role {
        Role::SystemAdmin => administration == Administration::All,
        r if Role::UNIT_GRANTABLE.contains(&r) => administration.covers(unit_id),
        _ => false,
    }
}

/// The roles `administration` may grant in unit `unit_id`, in display order.
pub fn grantable(administration: Administration, unit_id: i64) -> Vec<Role> {
    Role::GRANTABLE
        .into_iter()
        .filter(|r| may_grant(administration, unit_id, *r))
        .collect()
}

fn not_grantable(role: Role) -> DomainError {
    DomainError::field(
        "role",
        "not_grantable",
        format!("“{}”由账号类型或人员信息决定，不能授予或撤销", role.label()),
    )
}

/// Grants (`grant`) or revokes a role; granting one held, or revoking one
/// not held, changes nothing and writes nothing.
pub async fn set(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    person_id: i64,
    role: Role,
    grant: bool,
) -> StoreResult<PersonAccount> {
    if !Role::GRANTABLE.contains(&role) {
        return Err(not_grantable(role).into());
    }
    let refusal = if role == Role::SystemAdmin {
        "系统管理员角色只能由系统管理员授予或撤销"
    } else {
        "只能为本单位的人员授予或撤销角色"
    };
    let (person, before, _) = accounts::person_for(
        tx,
        now,
        principal,
        person_id,
        |a, p| may_grant(a, p.unit_id, role),
        refusal,
    )
    .await?;
    if grant && person.status == PersonStatus::Disabled {
        return Err(DomainError::conflict(
            "person_disabled",
            format!("{}已停用，不能授予角色", person.name),
        )
        .on("role")
        .into());
    }
    if before.granted_roles.contains(&role) == grant {
        return Ok(before);
    }
    if grant {
        tx.execute(
            "INSERT INTO role_grants (account_id, role, created_at) VALUES ($1, $2, $3)",
            args![before.account_id, role.as_str(), now],
        )
        .await?;
    } else {
        tx.execute(
            "DELETE FROM role_grants WHERE account_id = $1 AND role = $2",
            args![before.account_id, role.as_str()],
        )
        .await?;
    }
    let after = accounts::of_person(tx, now, person_id)
        .await?
        .expect("account exists");
    audit::record(
        tx,
        now,
        &Actor::from(principal),
        Change {
            action: if grant {
                "account.grant_role"
            } else {
                "account.revoke_role"
            },
            entity: "account",
            entity_id: before.account_id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_administrators_grant_the_unit_roles_in_their_unit_only() {
        let unit = Administration::Unit(7);
        assert!(may_grant(unit, 7, Role::UnitHead));
        assert!(may_grant(unit, 7, Role::DepartmentHead));
        assert!(may_grant(unit, 7, Role::OfficeClerk));
        assert!(!may_grant(unit, 8, Role::UnitHead));
        assert!(!may_grant(unit, 7, Role::SystemAdmin));
        assert!(may_grant(Administration::All, 8, Role::SystemAdmin));
        assert!(!may_grant(Administration::All, 8, Role::Inspector));
        assert!(!may_grant(Administration::Nothing, 7, Role::OfficeClerk));
        assert_eq!(grantable(unit, 7), Role::UNIT_GRANTABLE.to_vec());
        assert_eq!(grantable(Administration::All, 1), Role::GRANTABLE.to_vec());
        assert!(grantable(unit, 8).is_empty());
    }
}
