//! Who may see and change which enterprises: shared by the registry's pages and API.

use yici_domain::org::mobile::mask;
use yici_domain::org::person::mask_name;
use yici_domain::org::{Principal, Role, Sector};
use yici_domain::DomainError;
use yici_store::org::units;
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

/// Registry data entry (SEC-3): the secretary accounts and department
/// administrators of ecology-environment units, inside their scope, and the
/// system administrator. Partner agencies (协作部门, units of another sector)
/// share the region's scope to read the registry they inspect with, but the
/// registry is the ecology bureau's record, so they never write it; nor do
/// plain inspectors. The unit's sector is read here rather than carried in
/// every session: only registry operations need it.
pub async fn may_edit(state: &AppState, principal: &Principal) -> Result<bool, AppError> {
    if principal.has(Role::SystemAdmin) {
        return Ok(true);
    }
    if !holds_editing_role(principal) {
        return Ok(false);
    }
    let Some(unit_id) = principal.unit_id else {
        return Ok(false);
    };
    let unit = units::get(&mut state.db.clone(), unit_id).await?;
    Ok(unit.is_some_and(|u| u.sector == Sector::Ecology))
}

/// The roles that edit the registry, whatever the unit's sector: enough to
/// decide whether the menu offers 企业导入 (the import itself checks
/// [`may_edit`]).
pub fn holds_editing_role(principal: &Principal) -> bool {
    [Role::SystemAdmin, Role::Secretary, Role::DepartmentAdmin]
        .iter()
        .any(|r| principal.has(*r))
}

pub async fn ensure_may_edit(state: &AppState, principal: &Principal) -> Result<(), AppError> {
    if may_edit(state, principal).await? {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有生态环境部门的处室文秘账号、处室管理员和系统管理员可以维护企业名录",
        )
        .into())
    }
}

/// The contact's personal data as a reader may see it: whole for those who
/// may edit the record (they keep it up to date), masked for everyone else —
/// pages, API and exports alike (SEC-3). The number is masked as people's
/// mobiles are; the name keeps its first character.
pub fn as_seen(mut e: Enterprise, may_edit: bool) -> Enterprise {
    if !may_edit {
        e.contact_phone = e.contact_phone.as_deref().map(mask);
        e.contact_name = e.contact_name.as_deref().map(mask_name);
    }
    e
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
