//! Who is acting, and what they may do with the organisation's records (ORG-7).
//! Pure checks: storage loads the principal and the target, these decide.

use serde::Serialize;

use super::role::Role;
use crate::error::{DomainError, DomainResult};

/// Whose messages a reader of the 短信发件箱 sees (JOINT-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsOutboxReach {
    /// Every message, numbers in full (system administrator).
    All,
    /// Messages to the people of one department, numbers masked.
    Department(i64),
}

/// Whose organisation a principal administers (roles, units, departments,
/// unlocking and resetting accounts), issue 26 item 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Administration {
    /// The system administrator: every unit, and the 系统管理员 role itself.
    All,
    /// The secretary account or administrator of a unit's 办公室 (a department
    /// of business line 综合): that unit only.
    Unit(i64),
    Nothing,
}

impl Administration {
    pub fn covers(self, unit_id: i64) -> bool {
        match self {
            Administration::All => true,
            Administration::Unit(u) => u == unit_id,
            Administration::Nothing => false,
        }
    }
}

/// The logged-in account with its roles and place in the organisation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Principal {
    pub account_id: i64,
    pub login: String,
    /// Display name: the person's name, or the department name for a secretary account.
    pub display_name: String,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub department_id: Option<i64>,
    pub unit_name: Option<String>,
    /// Level and region of the unit: they decide the registry scope.
    pub unit_level: Option<super::UnitLevel>,
    pub unit_region_code: Option<String>,
    /// The unit's sector: partner agencies (other sectors) read the ecology
    /// registry but never write it (SEC-3).
    pub unit_sector: Option<super::Sector>,
    pub department_name: Option<String>,
    pub roles: Vec<Role>,
}

/// The answer for a person, or a department, that does not exist — and for
/// one the principal may not see (SEC-3): the same words, so the two can't be
/// told apart.
pub const MISSING_PERSON: &str = "人员不存在或无权查看";
pub const MISSING_DEPARTMENT: &str = "处室不存在或无权查看";

impl Principal {
    /// The system itself (demo loader, jobs): account id 0, every right.
    pub fn system() -> Principal {
        Principal {
            account_id: 0,
            login: "system".into(),
            display_name: "系统".into(),
            person_id: None,
            unit_id: None,
            department_id: None,
            unit_name: None,
            unit_level: None,
            unit_region_code: None,
            unit_sector: None,
            department_name: None,
            roles: vec![Role::SystemAdmin],
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The secretary account and the administrator of a department manage its
    /// people, and only its people; the system administrator manages all.
    pub fn can_manage_people_of(&self, department_id: i64) -> bool {
        self.has(Role::SystemAdmin)
            || (self.department_id == Some(department_id)
                && (self.has(Role::Secretary) || self.has(Role::DepartmentAdmin)))
    }

    /// "用户可以查看本部门人员信息": members of a department see its people.
    pub fn can_view_people_of(&self, department_id: i64) -> bool {
        self.has(Role::SystemAdmin) || self.department_id == Some(department_id)
    }

    /// Who sees the 短信发件箱 and how much of it: the system administrator
    /// every message; a secretary account (文秘账号) or a department
    /// administrator the messages to their own department's people; nobody
    /// else (`None`: no menu entry, no page).
    pub fn sms_outbox_reach(&self) -> Option<SmsOutboxReach> {
        if self.has(Role::SystemAdmin) {
            return Some(SmsOutboxReach::All);
        }
        match self.department_id {
            Some(d) if self.has(Role::Secretary) || self.has(Role::DepartmentAdmin) => {
                Some(SmsOutboxReach::Department(d))
            }
            _ => None,
        }
    }

    /// Managing a department's people: 403 when the principal may see them
    /// but not change them; a department (or person) they may not even see
    /// answers `missing`, the caller's 404 for an id that does not exist, so
    /// nobody learns what other units hold (SEC-3).
    pub fn ensure_manage_people_of(&self, department_id: i64, missing: &str) -> DomainResult<()> {
        self.ensure_view_people_of(department_id, missing)?;
        if self.can_manage_people_of(department_id) {
            Ok(())
        } else {
            Err(DomainError::forbidden("只能管理本处室的人员"))
        }
    }

    /// Seeing a department's people; anyone else gets `missing` (see
    /// [`Principal::ensure_manage_people_of`]).
    pub fn ensure_view_people_of(&self, department_id: i64, missing: &str) -> DomainResult<()> {
        if self.can_view_people_of(department_id) {
            Ok(())
        } else {
            Err(DomainError::not_found(missing))
        }
    }

    /// What this principal administers, given the business line of their
    /// own department (`None` when they have none, or it is disabled): the
    /// 办公室 handles a bureau's personnel, so its secretary account and
    /// administrator administer their unit.
    pub fn administration(&self, own_line: Option<super::BusinessLine>) -> Administration {
        if self.has(Role::SystemAdmin) {
            return Administration::All;
        }
        match (self.unit_id, own_line) {
            (Some(unit), Some(super::BusinessLine::General))
                if self.has(Role::Secretary) || self.has(Role::DepartmentAdmin) =>
            {
                Administration::Unit(unit)
            }
            _ => Administration::Nothing,
        }
    }

    pub fn ensure(&self, role: Role) -> DomainResult<()> {
        if self.has(role) {
            Ok(())
        } else {
            Err(DomainError::forbidden(format!(
                "需要“{}”权限",
                role.label()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(dept: i64, roles: &[Role]) -> Principal {
        Principal {
            account_id: 1,
            login: "x".into(),
            display_name: "x".into(),
            person_id: None,
            unit_id: Some(1),
            department_id: Some(dept),
            unit_name: None,
            unit_level: None,
            unit_region_code: None,
            unit_sector: None,
            department_name: None,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn only_own_department_is_managed() {
        assert!(p(3, &[Role::Secretary]).can_manage_people_of(3));
        assert!(!p(3, &[Role::Secretary]).can_manage_people_of(4));
        assert!(p(3, &[Role::DepartmentAdmin]).can_manage_people_of(3));
        assert!(!p(3, &[Role::Inspector]).can_manage_people_of(3));
        assert!(p(3, &[Role::Inspector]).can_view_people_of(3));
        assert!(!p(3, &[Role::Inspector]).can_view_people_of(4));
        assert!(p(9, &[Role::SystemAdmin]).can_manage_people_of(3));
    }

    #[test]
    fn the_office_administers_its_unit() {
        use super::super::BusinessLine as L;
        let office = Some(L::General);
        assert_eq!(
            p(3, &[Role::Secretary]).administration(office),
            Administration::Unit(1)
        );
        assert_eq!(
            p(3, &[Role::DepartmentAdmin]).administration(office),
            Administration::Unit(1)
        );
        // Not the office's plain members, not another department's managers.
        assert_eq!(
            p(3, &[Role::OfficeClerk, Role::UnitHead]).administration(office),
            Administration::Nothing
        );
        assert_eq!(
            p(3, &[Role::Secretary]).administration(Some(L::Air)),
            Administration::Nothing
        );
        assert_eq!(
            p(3, &[Role::Secretary]).administration(None),
            Administration::Nothing
        );
        assert_eq!(
            p(3, &[Role::SystemAdmin]).administration(None),
            Administration::All
        );
        assert!(Administration::Unit(1).covers(1));
        assert!(!Administration::Unit(1).covers(2));
        assert!(Administration::All.covers(2));
        assert!(!Administration::Nothing.covers(1));
    }

    #[test]
    fn sms_outbox_is_for_the_administrator_and_department_managers() {
        use SmsOutboxReach::*;
        assert_eq!(p(9, &[Role::SystemAdmin]).sms_outbox_reach(), Some(All));
        assert_eq!(
            p(3, &[Role::Secretary]).sms_outbox_reach(),
            Some(Department(3))
        );
        assert_eq!(
            p(3, &[Role::DepartmentAdmin]).sms_outbox_reach(),
            Some(Department(3))
        );
        assert_eq!(p(3, &[Role::Inspector]).sms_outbox_reach(), None);
        assert_eq!(p(3, &[Role::DepartmentHead]).sms_outbox_reach(), None);
        let mut unplaced = p(3, &[Role::Secretary]);
        unplaced.department_id = None;
        assert_eq!(unplaced.sms_outbox_reach(), None);
    }
}
