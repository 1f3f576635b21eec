//! Who may be chosen as a department's inspectors on a task (任务设置 and the
//! 参加 dialog, manual 3.2.2–3.2.3): the enabled law enforcement officers of
//! the department itself, with an unexpired certificate and no 回避 for the
//! enterprise, and — for province and city units — those of the
//! corresponding departments (same business line) of the units below
//! (province → city or county; city → county). The same rule as the check
//! that [`super::settings::set`] and [`super::participants::decide`] apply.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{Db, Exec};
use crate::error::StoreResult;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateInspector {
    pub person_id: i64,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    pub unit_name: String,
    pub certificate_no: String,
    /// Of the department itself (not of a subordinate unit's counterpart).
    pub own: bool,
}

/// The eligible people for `department_id` on a task of `enterprise_id`, the
/// department's own first, then by unit, department and person.
pub async fn for_department(
    mut db: &Db,
    department_id: i64,
    enterprise_id: i64,
    today: NaiveDate,
) -> StoreResult<Vec<CandidateInspector>> {
    db.fetch_all(
            "SELECT p.id, p.name, p.certificate_no, d.id AS department_id,
                    d.name AS department_name, u.name AS unit_name,
                    (p.department_id = $1) AS own
               FROM people p
               JOIN departments d ON d.id = p.department_id
               JOIN units u ON u.id = d.unit_id
              WHERE p.status = 'enabled' AND p.is_officer AND p.certificate_no IS NOT NULL
                AND (p.certificate_valid_until IS NULL OR p.certificate_valid_until >= $3)
                AND p.id NOT IN (SELECT person_id FROM recusals WHERE enterprise_id = $2)
                AND (p.department_id = $1
                     OR (d.business_line = (SELECT business_line FROM departments WHERE id = $1)
                         AND (u.parent_id = (SELECT unit_id FROM departments WHERE id = $1)
                              OR u.parent_id IN (SELECT id FROM units WHERE parent_id =
                                                   (SELECT unit_id FROM departments WHERE id = $1)))))
              ORDER BY own DESC, u.id, d.id, p.id",
            crate::args![department_id, enterprise_id, today],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(CandidateInspector {
                person_id: r.get("id")?,
                name: r.get("name")?,
                department_id: r.get("department_id")?,
                department_name: r.get("department_name")?,
                unit_name: r.get("unit_name")?,
                certificate_no: r.get::<Option<String>>("certificate_no")?.unwrap_or_default(),
                own: r.get("own")?,
            })
        })
        .collect()
}
