//! Who administers which unit's organisation (issue 26 item 1): the system
//! administrator every unit; the secretary account and the administrator of
//! a unit's 办公室 their own. The rule is
//! [`Principal::administration`]; this reads the one fact it needs, the
//! business line of the principal's department.

use yici_domain::org::{Administration, BusinessLine, Principal};
use yici_domain::DomainError;

use super::parse_code;
use crate::args;
use crate::db::Exec;
use crate::error::StoreResult;

/// The refusal of someone who does not administer the unit in question.
pub const NOT_ADMINISTRATOR: &str =
    "只有系统管理员或本单位办公室的文秘账号、管理员可以管理本单位的处室";

pub async fn administration(e: &mut impl Exec, p: &Principal) -> StoreResult<Administration> {
    let own_line = match p.department_id {
        Some(d) => e
            .fetch_optional(
                "SELECT business_line FROM departments WHERE id = $1 AND disabled_at IS NULL",
                args![d],
            )
            .await?
            .map(|r| parse_code(&r.get::<String>("business_line")?, BusinessLine::parse))
            .transpose()?,
        None => None,
    };
    Ok(p.administration(own_line))
}

/// The principal administers `unit_id`; otherwise 403 with `what` (a unit's
/// administrators reach their own unit only).
pub async fn ensure_administers(
    e: &mut impl Exec,
    p: &Principal,
    unit_id: i64,
    what: &str,
) -> StoreResult<()> {
    if administration(e, p).await?.covers(unit_id) {
        Ok(())
    } else {
        Err(DomainError::forbidden(what.to_string()).into())
    }
}
