//! Who extracts for which department (DRAW-1), shared by the API and pages.

use yici_domain::org::Principal;
use yici_store::draw::Initiator;

use crate::error::AppError;
use crate::registry_access::scope_of;

/// The principal as an initiator of tasks for their own department; a
/// requested department other than their own is refused.
pub fn initiator(principal: &Principal, requested: Option<i64>) -> Result<Initiator, AppError> {
    let scope = scope_of(principal)?;
    Ok(Initiator::of(principal, scope, requested)?)
}
