//! Who may see and change which enterprises: shared by the registry's pages and API.

use yici_domain::org::mobile::mask;
use yici_domain::org::person::mask_name;
use yici_domain::org::{Principal, Role, Sector};
use yici_domain::registry::enterprise::{EnterpriseInput, ValidEnterprise};
use yici_domain::DomainError;
use yici_store::registry::edits::Edit;
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
/// plain inspectors. The same rule decides whether the menu offers 企业导入
/// and 企业账号开通, so a partner agency's secretary is not shown entries
/// the pages would refuse.
pub fn may_edit(principal: &Principal) -> bool {
    principal.has(Role::SystemAdmin)
        || (principal.unit_sector == Some(Sector::Ecology)
            && [Role::Secretary, Role::DepartmentAdmin]
                .iter()
                .any(|r| principal.has(*r)))
}

pub fn ensure_may_edit(principal: &Principal) -> Result<(), AppError> {
    if may_edit(principal) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有生态环境部门的处室文秘账号、处室管理员和系统管理员可以维护企业名录",
        )
        .into())
    }
}

/// The scope a registry editor works in: 403 for anyone who may not edit
/// the registry, then their scope. Enterprise account activation (SEC-5)
/// is the registry editors' work: they keep the contacts it is checked
/// against, and a request outside the scope answers 404 like a missing one.
pub fn editor_scope(principal: &Principal) -> Result<Scope, AppError> {
    ensure_may_edit(principal)?;
    scope_of(principal)
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

/// An edit of the history as a reader may see it: the contact's old and new
/// values masked like the record's (SEC-3), so the history leaks nothing the
/// profile hides.
pub fn edit_as_seen(mut edit: Edit, may_edit: bool) -> Edit {
    if !may_edit {
        for c in &mut edit.changes {
            let mask_value: fn(&str) -> String = match c.field.as_str() {
                "contact_phone" => mask,
                "contact_name" => mask_name,
                _ => continue,
            };
            c.before = c.before.as_deref().map(mask_value);
            c.after = c.after.as_deref().map(mask_value);
        }
    }
    edit
}

/// An enterprise the user may change (ENT-1, SEC-3): only registry editors
/// ([`may_edit`]; partner agencies are refused with 403 whatever the
/// enterprise), and only inside their scope — an enterprise of another
/// county answers 404, as it does for reading.
pub async fn editable_enterprise(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(Scope, Enterprise), AppError> {
    ensure_may_edit(principal)?;
    let scope = scope_of(principal)?;
    let enterprise = visible_enterprise(state, &scope, id).await?;
    Ok((scope, enterprise))
}

/// Checks an enterprise as entered, to register it (`before` is `None`) or
/// to edit `before`, for the form and the API alike: every field rule, and
/// the region inside the user's scope. A USCC already accepted with a failing
/// check character keeps its acceptance and reason when it is not changed:
/// correcting an address must not take a leader each time.
pub fn checked_input(
    principal: &Principal,
    scope: &Scope,
    mut input: EnterpriseInput,
    before: Option<&Enterprise>,
) -> Result<ValidEnterprise, DomainError> {
    let mut may_accept = may_accept_bad_uscc(principal);
    if let Some(b) = before.filter(|b| !b.uscc_check_ok) {
        let same = input
            .uscc
            .as_deref()
            .is_some_and(|u| u.trim().eq_ignore_ascii_case(&b.uscc));
        if same {
            may_accept = true;
            let blank = input
                .uscc_exception_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty());
            if blank {
                input.uscc_exception_reason = b.uscc_exception_reason.clone();
            }
        }
    }
    let valid = input.validate(may_accept)?;
    if !scope.contains_region(&valid.province_code, &valid.city_code, &valid.region_code) {
        let message = match before {
            None => "只能登记本单位管辖范围内的企业",
            Some(_) => "不能将企业移出本单位管辖范围",
        };
        return Err(DomainError::field("region_code", "out_of_scope", message));
    }
    Ok(valid)
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
    enterprises::get(&mut &state.db, id)
        .await?
        .filter(|e| scope.contains(e))
        .ok_or_else(|| DomainError::not_found("企业不存在或不在本单位管辖范围内").into())
}
