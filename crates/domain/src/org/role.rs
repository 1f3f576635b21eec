//! Roles. Some are held by the kind of account (a secretary account, an
//! enterprise account); some follow from a person's record (管理员, 执法人员);
//! the rest are granted (承办机构负责人, 行政执法主体负责人, 办公室, 系统管理员).
//! Later capabilities check roles, never account kinds.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: the unit tree, departments, grants.
    SystemAdmin,
    /// 文秘账号: one per department; manages the department's people.
    Secretary,
    /// 管理员: at most one person per department; manages people, answers participation.
    DepartmentAdmin,
    /// 承办机构负责人: signs approval forms first.
    DepartmentHead,
    /// 行政执法主体负责人: the unit's principal or deputy head; approves.
    UnitHead,
    /// 办公室: numbers and stamps documents.
    OfficeClerk,
    /// 执法人员: an enabled law enforcement officer; can be put on inspections.
    Inspector,
    /// 企业用户: an inspected enterprise's account.
    EnterpriseUser,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::SystemAdmin,
        Role::Secretary,
        Role::DepartmentAdmin,
        Role::DepartmentHead,
        Role::UnitHead,
        Role::OfficeClerk,
        Role::Inspector,
        Role::EnterpriseUser,
    ];

    /// Roles that are granted explicitly (stored), as opposed to derived ones.
    pub const GRANTABLE: [Role; 4] = [
        Role::SystemAdmin,
        Role::DepartmentHead,
        Role::UnitHead,
        Role::OfficeClerk,
    ];

    /// Granted roles a unit's administrators may grant within their unit;
    /// 系统管理员 is granted by a system administrator only.
    pub const UNIT_GRANTABLE: [Role; 3] = [Role::DepartmentHead, Role::UnitHead, Role::OfficeClerk];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::Secretary => "secretary",
            Role::DepartmentAdmin => "department_admin",
            Role::DepartmentHead => "department_head",
            Role::UnitHead => "unit_head",
            Role::OfficeClerk => "office_clerk",
            Role::Inspector => "inspector",
            Role::EnterpriseUser => "enterprise_user",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::Secretary => "文秘账号",
            Role::DepartmentAdmin => "处室管理员",
            Role::DepartmentHead => "承办机构负责人",
            Role::UnitHead => "行政执法主体负责人",
            Role::OfficeClerk => "办公室",
            Role::Inspector => "执法人员",
            Role::EnterpriseUser => "企业用户",
        }
    }
}
