//! The second 随机 (DRAW-4): a task's inspectors drawn at random from the
//! enabled law enforcement officers of the initiating department — and, when
//! asked, of the corresponding departments (same business line) of its
//! subordinate units — leaving out lapsed certificates and anyone who
//! declared a conflict of interest (回避) with the enterprise. The draw is
//! recorded like an enterprise draw; a re-draw replaces the drawn inspectors
//! on the task and leaves the earlier record in place.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::draw::record;
use yici_domain::draw::sampler::Candidate;
use yici_domain::draw::task;
use yici_domain::org::Principal;
use yici_domain::{DomainError, ErrorKind};

use super::draws::{self, Draw};
use super::tasks::{self, Task};
use super::Initiator;
use crate::audit::{self, Change};
use crate::db::{Db, Exec};
use crate::error::StoreResult;

/// Manual 3.2.2: the initiating department sets at least two inspectors.
pub const MIN_INSPECTORS: i64 = 2;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct InspectorDrawRequest {
    /// How many to draw: at least 2 (default 2).
    pub count: Option<i64>,
    /// Also draw from the corresponding departments of subordinate units
    /// (province → cities and counties; city → counties).
    #[serde(default)]
    pub include_subordinate: bool,
}

/// The officers who may be drawn for a task, as candidates of weight 1.
pub async fn pool(
    e: &mut impl Exec,
    task: &Task,
    include_subordinate: bool,
    today: NaiveDate,
) -> StoreResult<Vec<Candidate>> {
    let rows = e
        .fetch_all(
            "SELECT p.id
               FROM people p
               JOIN departments d ON d.id = p.department_id
               JOIN units u ON u.id = d.unit_id
              WHERE p.status = 'enabled' AND p.is_officer AND p.certificate_no IS NOT NULL
                AND (p.certificate_valid_until IS NULL OR p.certificate_valid_until >= $1)
                AND (d.id = $2
                     OR ($3 AND d.business_line = (SELECT business_line FROM departments WHERE id = $2)
                         AND (u.parent_id = $4
                              OR u.parent_id IN (SELECT id FROM units WHERE parent_id = $4))))
                AND p.id NOT IN (SELECT person_id FROM recusals WHERE enterprise_id = $5)
                AND p.id NOT IN (SELECT person_id FROM task_inspectors
                                  WHERE task_id = $6
                                    AND (draw_id IS NULL OR for_department_id <> $2))",
            crate::args![
                today,
                task.department_id,
                include_subordinate,
                task.unit_id,
                task.enterprise_id,
                task.id
            ],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Candidate {
                id: r.get("id")?,
                weight: 1.0,
            })
        })
        .collect()
}

/// Draws a task's inspectors (initiating department only).
pub async fn draw(
    db: &Db,
    now: DateTime<Utc>,
    who: &Initiator,
    task_id: i64,
    request: &InspectorDrawRequest,
) -> StoreResult<(Draw, Task)> {
    let count = request.count.unwrap_or(MIN_INSPECTORS);
    if count < MIN_INSPECTORS {
        return Err(DomainError::field(
            "count",
            "invalid",
            format!("检查人员至少{MIN_INSPECTORS}名"),
        )
        .into());
    }
    if count > 20 {
        return Err(DomainError::field("count", "too_many", "一次最多抽取20名检查人员").into());
    }
    let today = yici_domain::time::business_date(now);
    let seed = draws::fresh_seed();
    let mut tx = db.begin().await?;
    let before = tasks::visible_in(&mut tx, &who.principal, now, task_id).await?;
    if before.department_id != who.department_id {
        return Err(DomainError::forbidden("只有发起处室可以抽取检查人员").into());
    }
    if !before.status.may_cancel() {
        return Err(DomainError::conflict(
            "task_closed",
            format!("任务{}，不能再抽取检查人员", before.status.label()),
        )
        .into());
    }
    let candidates = pool(&mut tx, &before, request.include_subordinate, today).await?;
    let rec = record::make(&seed, &candidates, count as usize).map_err(|e| {
        if e.code == "too_many" {
            DomainError::field(
                "count",
                "too_many",
                format!(
                    "可抽取的执法人员只有{}名（已排除停用、非执法人员、证件过期和声明回避的人员），不足{count}名",
                    candidates.len()
                ),
            )
        } else {
            e
        }
    })?;
    let filter = serde_json::json!({
        "task_id": task_id,
        "include_subordinate": request.include_subordinate,
        "date": today,
    })
    .to_string();
    let drawn = draws::insert(
        &mut tx,
        now,
        who,
        draws::NewDraw {
            kind: "inspectors",
            task_id: Some(task_id),
            year: before.year,
            filter_json: &filter,
            candidate_count: candidates.len(),
            record: &rec,
        },
    )
    .await?;
    let draw_id = drawn.id;
    tx.execute(
        "DELETE FROM task_inspectors
          WHERE task_id = $1 AND draw_id IS NOT NULL AND for_department_id = $2",
        vec![task_id.into(), before.department_id.into()],
    )
    .await?;
    for person in &rec.result {
        tx.execute(
            "INSERT INTO task_inspectors (task_id, person_id, draw_id, added_at, for_department_id)
             VALUES ($1, $2, $3, $4, $5)",
            crate::args![task_id, *person, draw_id, now, before.department_id],
        )
        .await?;
    }
    let after = tasks::by_ids(&mut tx, &[task_id], now).await?.remove(0);
    audit::record(
        &mut tx,
        now,
        &who.actor,
        Change {
            action: "task.draw_inspectors",
            entity: "task",
            entity_id: task_id.to_string(),
            before: Some(&before.inspectors),
            after: Some(&after.inspectors),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((drawn, after))
}

/// A 回避 declaration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recusal {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub reason: String,
    pub declared_by_name: String,
    pub declared_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewRecusal {
    pub person_id: i64,
    pub enterprise_id: i64,
    pub reason: Option<String>,
}

const RECUSALS: &str = "SELECT r.id, r.person_id, p.name AS person_name, r.enterprise_id,
        e.name AS enterprise_name, r.reason, r.declared_by_name, r.declared_at
   FROM recusals r
   JOIN people p ON p.id = r.person_id
   JOIN enterprises e ON e.id = r.enterprise_id";

fn recusal_of(r: &crate::db::Row) -> StoreResult<Recusal> {
    Ok(Recusal {
        id: r.get("id")?,
        person_id: r.get("person_id")?,
        person_name: r.get("person_name")?,
        enterprise_id: r.get("enterprise_id")?,
        enterprise_name: r.get("enterprise_name")?,
        reason: r.get("reason")?,
        declared_by_name: r.get("declared_by_name")?,
        declared_at: r.get("declared_at")?,
    })
}

/// Declares a conflict of interest: the person themselves, or whoever manages
/// the people of their department. The person leaves the enterprise's open
/// tasks in the same transaction.
pub async fn declare(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    new: &NewRecusal,
) -> StoreResult<Recusal> {
    let reason = task::reason("reason", new.reason.as_deref(), "回避理由")?;
    let mut tx = db.begin().await?;
    let person = crate::org::people::get(&mut tx, new.person_id)
        .await?
        .ok_or_else(|| {
            DomainError::new(ErrorKind::NotFound, "not_found", "人员不存在").on("person_id")
        })?;
    if principal.person_id != Some(person.id)
        && !principal.can_manage_people_of(person.department_id)
    {
        return Err(DomainError::forbidden("只能为本人或本处室人员声明回避").into());
    }
    let exists = tx
        .scalar_i64(
            "SELECT COUNT(*) FROM enterprises WHERE id = $1",
            vec![new.enterprise_id.into()],
        )
        .await?;
    if exists == 0 {
        return Err(
            DomainError::new(ErrorKind::NotFound, "not_found", "企业不存在")
                .on("enterprise_id")
                .into(),
        );
    }
    let inserted = tx
        .fetch_one(
            "INSERT INTO recusals (person_id, enterprise_id, reason, declared_by_name, declared_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            crate::args![
                person.id,
                new.enterprise_id,
                reason,
                principal.display_name.as_str(),
                now
            ],
        )
        .await;
    let id: i64 = match inserted {
        Ok(row) => row.get("id")?,
        Err(e) if e.is_unique_violation() => {
            return Err(DomainError::conflict(
                "duplicate",
                format!("{}已声明对该企业回避", person.name),
            )
            .into())
        }
        Err(e) => return Err(e),
    };
    tx.execute(
        "DELETE FROM task_inspectors
          WHERE person_id = $1
            AND task_id IN (SELECT id FROM tasks WHERE enterprise_id = $2
                                                   AND status IN ('drawn', 'scheduled'))",
        vec![person.id.into(), new.enterprise_id.into()],
    )
    .await?;
    let recusal = recusal_of(
        &tx.fetch_one(&format!("{RECUSALS} WHERE r.id = $1"), vec![id.into()])
            .await?,
    )?;
    audit::record(
        &mut tx,
        now,
        &crate::Actor::from(principal),
        Change::<(), Recusal> {
            action: "recusal.declare",
            entity: "recusal",
            entity_id: id.to_string(),
            before: None,
            after: Some(&recusal),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(recusal)
}

/// Declarations concerning an enterprise.
pub async fn of_enterprise(mut db: &Db, enterprise_id: i64) -> StoreResult<Vec<Recusal>> {
    db.fetch_all(
        &format!("{RECUSALS} WHERE r.enterprise_id = $1 ORDER BY r.id"),
        vec![enterprise_id.into()],
    )
    .await?
    .iter()
    .map(recusal_of)
    .collect()
}
