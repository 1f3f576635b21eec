//! The joint inspection in storage (JOINT-1…JOINT-6): the departments on a
//! task and their decisions, task settings, partner agencies, notices.

pub mod candidates;
pub mod participants;
pub mod settings;

use chrono::NaiveDate;
use yici_domain::DomainError;

use crate::db::Exec;
use crate::error::StoreResult;

/// Checks people proposed as inspectors for `department_id` on a task of an
/// enterprise: each an enabled law enforcement officer with an unexpired
/// certificate and no 回避 for the enterprise, of the department itself or
/// of a corresponding department (same business line) of a unit below its
/// own (province → city or county; city → county). Returns, per person,
/// whether they belong to the department itself.
pub(crate) async fn check_inspectors(
    e: &mut impl Exec,
    department_id: i64,
    enterprise_id: i64,
    people: &[i64],
    today: NaiveDate,
) -> StoreResult<Vec<(i64, bool)>> {
    let mut unique = people.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != people.len() {
        return Err(
            DomainError::field("inspector_ids", "duplicate_inspector", "检查人员重复选择").into(),
        );
    }
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, args) = crate::db::Sql::with(
        "SELECT p.id, p.name, p.status, p.is_officer, p.certificate_no,
                p.certificate_valid_until, p.department_id,
                (p.department_id = $1) AS own,
                (d.business_line = (SELECT business_line FROM departments WHERE id = $1)
                 AND (u.parent_id = (SELECT unit_id FROM departments WHERE id = $1)
                      OR u.parent_id IN (SELECT id FROM units WHERE parent_id =
                                           (SELECT unit_id FROM departments WHERE id = $1))))
                  AS counterpart,
                EXISTS (SELECT 1 FROM recusals r WHERE r.person_id = p.id
                                                  AND r.enterprise_id = $2) AS recused
           FROM people p
           JOIN departments d ON d.id = p.department_id
           JOIN units u ON u.id = d.unit_id
          WHERE p.id IN ",
        vec![department_id.into(), enterprise_id.into()],
    )
    .push_in(people.iter().copied())
    .build();
    let rows = e.fetch_all(&sql, args).await?;
    let mut out = Vec::with_capacity(people.len());
    for id in people {
        let row = rows
            .iter()
            .find(|r| r.get::<i64>("id").ok() == Some(*id))
            .ok_or_else(|| {
                DomainError::field(
                    "inspector_ids",
                    "unknown_person",
                    format!("人员（编号{id}）不存在"),
                )
            })?;
        let name: String = row.get("name")?;
        let bad = |why: &str| -> crate::error::StoreError {
            DomainError::field("inspector_ids", "invalid_inspector", format!("{name}{why}")).into()
        };
        if row.get::<String>("status")? != "enabled" {
            return Err(bad("已停用，不能担任检查人员"));
        }
        if !row.get::<bool>("is_officer")? || row.get::<Option<String>>("certificate_no")?.is_none()
        {
            return Err(bad("不是执法人员，不能担任检查人员"));
        }
        if row
            .get::<Option<NaiveDate>>("certificate_valid_until")?
            .is_some_and(|until| until < today)
        {
            return Err(bad("的执法证已过有效期"));
        }
        if row.get::<bool>("recused")? {
            return Err(bad("已声明对该企业回避"));
        }
        let own: bool = row.get("own")?;
        let counterpart: Option<bool> = row.get("counterpart")?;
        if !own && counterpart != Some(true) {
            return Err(bad("不属于本处室或下级单位对应处室"));
        }
        out.push((*id, own));
    }
    Ok(out)
}
