//! Who may see and change which enterprises: shared by the registry's pages and API.

use yici_domain::org::{Principal, Role};
use yici_domain::DomainError;
use yici_store::registry::enterprises::{self, Enterprise};
use yici_store::registry::search::Scope;

use crate::error::AppError;
use crate::state::AppState;

/// The user's scope: their unit's region (ENT-3); everything for the system administrator.
pub fn scope_of(principal: &Principal) -> Result<Scope, AppError> {
    if principal.has(Role::SystemAdmin) {
        return Ok(Scope::All);
    }
    match (principal.unit_level, principal.unit_region_code.as_deref()) {
        (Some(level), Some(region)) => Ok(Scope::of_unit(level, region)),
        // An account outside the organisation (an enterprise user) has no registry scope.
        _ => Err(DomainError::forbidden("无权查看企业名录").into()),
    }
}

/// Registry data entry: secretaries, department administrators, leaders and
/// the system administrator, inside their scope.
pub fn ensure_may_edit(principal: &Principal) -> Result<(), AppError> {
    let allowed = [
        Role::SystemAdmin,
        Role::Secretary,
        Role::DepartmentAdmin,
        Role::DepartmentHead,
        Role::UnitHead,
    ];
    if allowed.iter().any(|r| principal.has(*r)) {
        Ok(())
    } else {
        Err(DomainError::forbidden("只有处室文秘、管理员和负责人可以维护企业名录").into())
    }
}

/// Accepting a USCC that fails its check character needs a leader's or the
/// system administrator's authority (docs/domain.md, USCC: "a user with the right").
pub fn may_accept_bad_uscc(principal: &Principal) -> bool {
    [Role::SystemAdmin, Role::UnitHead, Role::DepartmentHead]
        .iter()
        .any(|r| principal.has(*r))
}

/// An enterprise the user may see; outside the scope it does not exist for them.
pub async fn visible_enterprise(
    state: &AppState,
    scope: &Scope,
    id: i64,
) -> Result<Enterprise, AppError> {
    enterprises::get(&mut state.db.clone(), id)
        .await?
        .filter(|e| scope.contains(e))
        .ok_or_else(|| DomainError::not_found("企业不存在或不在本单位管辖范围内").into())
}
