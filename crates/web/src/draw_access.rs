//! Who extracts for which department (DRAW-1), and what a 定向抽取 asks for:
//! shared by the API and pages.

use serde::Deserialize;
use utoipa::ToSchema;
use yici_domain::org::Principal;
use yici_store::draw::tasks::TaskOptions;
use yici_store::draw::Initiator;

use crate::error::AppError;
use crate::registry_access::scope_of;

/// The principal as an initiator of tasks for their own department; a
/// requested department other than their own is refused.
pub fn initiator(principal: &Principal, requested: Option<i64>) -> Result<Initiator, AppError> {
    let scope = scope_of(principal)?;
    Ok(Initiator::of(principal, scope, requested)?)
}

/// 定向抽取 as the API posts it and the page's form becomes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DirectedRequest {
    #[serde(flatten)]
    pub options: TaskOptions,
    /// The ticked enterprises: one task each, all or none.
    pub enterprise_ids: Vec<i64>,
}
