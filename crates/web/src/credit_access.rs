//! Who may do what with an enterprise's credit (RES-3), shared by the pages
//! and the API. Reading follows the registry: whoever sees the enterprise
//! sees its credit and history.
//!
//! - **Setting** the grade or the 正面清单 by hand (with a reason) is registry
//!   data entry: the ecology-environment editors of the registry inside their
//!   scope and the system administrator ([`registry_access::may_edit`]).
//! - **Confirming or rejecting** a proposal computed from results is a
//!   leader's decision: the 行政执法主体负责人 (unit head) or an 承办机构负责人
//!   (department head) of an ecology-environment unit whose scope holds the
//!   enterprise. Not the system administrator (a technical role), not the
//!   editors who enter data, and never a partner agency: the grade is the
//!   ecology bureau's record.

use yici_domain::org::{Principal, Role, Sector};
use yici_domain::DomainError;

use crate::error::AppError;
use crate::registry_access;
use crate::state::AppState;

pub fn may_set(principal: &Principal) -> bool {
    registry_access::may_edit(principal)
}

/// A leader of an ecology-environment unit; also what decides whether the
/// menu offers the list of proposals.
pub fn may_decide(principal: &Principal) -> bool {
    principal.unit_sector == Some(Sector::Ecology)
        && [Role::UnitHead, Role::DepartmentHead]
            .iter()
            .any(|r| principal.has(*r))
}

pub fn ensure_may_set(principal: &Principal) -> Result<(), AppError> {
    if may_set(principal) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有生态环境部门的处室文秘账号、处室管理员和系统管理员可以调整信用等级和正面清单",
        )
        .into())
    }
}

pub fn ensure_may_decide(principal: &Principal) -> Result<(), AppError> {
    if may_decide(principal) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有生态环境部门的行政执法主体负责人或承办机构负责人可以确认或驳回信用评价建议",
        )
        .into())
    }
}

/// A proposal the user may see: its enterprise lies in their scope;
/// otherwise it does not exist for them.
pub async fn visible_proposal(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<yici_store::credit::Proposal, AppError> {
    let scope = registry_access::scope_of(principal)?;
    let missing = || DomainError::not_found("信用评价建议不存在或不在本单位管辖范围内");
    let p = yici_store::credit::proposal(&mut &state.db, id)
        .await?
        .ok_or_else(missing)?;
    registry_access::visible_enterprise(state, &scope, p.enterprise_id)
        .await
        .map_err(|_| AppError::from(missing()))?;
    Ok(p)
}
