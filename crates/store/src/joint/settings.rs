//! 任务设置 (JOINT-1, manual 3.2.2): the initiating department sets the
//! planned visit date — after today — and its inspectors: at least two enabled
//! officers of its own, to whom people of the corresponding departments of
//! subordinate units may be added. A task with both is 已安排.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use yici_domain::draw::task::TaskStatus;
use yici_domain::joint;
use yici_domain::DomainError;

use crate::db::{Db, Exec, Tx};
use crate::draw::tasks::{self, Task};
use crate::draw::Initiator;
use crate::error::StoreResult;

/// At least two inspectors of the initiating department itself (manual
/// 3.2.2: 发起任务处室至少选择两位检查人员).
pub const MIN_OWN_INSPECTORS: usize = 2;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TaskSettings {
    /// 计划现场检查日期: after today.
    pub planned_on: Option<NaiveDate>,
    /// The initiating department's inspectors (replacing the current ones).
    #[serde(default)]
    pub inspector_ids: Vec<i64>,
}

pub async fn set(
    db: &Db,
    now: DateTime<Utc>,
    who: &Initiator,
    task_id: i64,
    settings: &TaskSettings,
) -> StoreResult<Task> {
    let mut tx = db.begin().await?;
    let task = set_in(&mut tx, now, who, task_id, settings).await?;
    tx.commit().await?;
    Ok(task)
}

/// The most tasks one 批量设置 takes (a page of the task list).
pub const MAX_BATCH: usize = 100;

/// 批量设置 for several tasks together (`task_ids`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BatchSettings {
    /// The tasks, each of the initiating department and still open.
    pub task_ids: Vec<i64>,
    #[serde(flatten)]
    pub settings: TaskSettings,
}

/// 批量设置: the same date and inspectors for each task, each checked as if
/// set alone, in one transaction — one refusal and nothing is written. The
/// refusal names the task (任务编号 and enterprise) it came from.
pub async fn set_many(
    db: &Db,
    now: DateTime<Utc>,
    who: &Initiator,
    batch: &BatchSettings,
) -> StoreResult<Vec<Task>> {
    let ids = &batch.task_ids;
    if ids.is_empty() {
        return Err(DomainError::field("task_ids", "required", "请至少选择一个任务").into());
    }
    if ids.len() > MAX_BATCH {
        return Err(DomainError::field(
            "task_ids",
            "too_many",
            format!("一次最多设置{MAX_BATCH}个任务"),
        )
        .into());
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(DomainError::field("task_ids", "duplicate", "任务重复选择").into());
    }
    // The date is the same for every task: refused once, not per task.
    joint::check_planned_date(
        batch.settings.planned_on,
        yici_domain::time::business_date(now),
    )?;
    let mut tx = db.begin().await?;
    let mut done = Vec::with_capacity(ids.len());
    for id in ids {
        match set_in(&mut tx, now, who, *id, &batch.settings).await {
            Ok(t) => done.push(t),
            // Dropping the transaction rolls back the tasks already set.
            Err(crate::error::StoreError::Domain(mut e)) => {
                let name = tasks::by_ids(&mut tx, &[*id], now)
                    .await?
                    .pop()
                    .filter(|t| tasks::may_view(&who.principal, t, false))
                    .map(|t| format!("（{}）", t.enterprise_name))
                    .unwrap_or_default();
                e.message = format!("任务编号{id}{name}：{}", e.message);
                return Err(e.into());
            }
            Err(other) => return Err(other),
        }
    }
    tx.commit().await?;
    Ok(done)
}

/// One task's settings inside the caller's transaction.
async fn set_in(
    tx: &mut Tx,
    now: DateTime<Utc>,
    who: &Initiator,
    task_id: i64,
    settings: &TaskSettings,
) -> StoreResult<Task> {
    let today = yici_domain::time::business_date(now);
    let planned = joint::check_planned_date(settings.planned_on, today)?;
    let allowed = |before: &Task| {
        if before.department_id != who.department_id {
            return Err(DomainError::forbidden("只有发起处室可以设置任务"));
        }
        if !before.status.may_cancel() {
            return Err(DomainError::conflict(
                "task_closed",
                format!("任务{}，不能再设置", before.status.label()),
            ));
        }
        Ok(())
    };
    let change = async |tx: &mut Tx, before: &Task| {
        let checked = super::check_inspectors(
            tx,
            who.department_id,
            before.enterprise_id,
            &settings.inspector_ids,
            today,
        )
        .await?;
        if checked.iter().filter(|(_, own)| *own).count() < MIN_OWN_INSPECTORS {
            return Err(DomainError::field(
                "inspector_ids",
                "too_few",
                format!("发起处室至少选择{MIN_OWN_INSPECTORS}名本处室的执法人员"),
            )
            .into());
        }
        // Inspectors drawn at random keep the record of their draw.
        let drawn: Vec<(i64, Option<i64>)> = before
            .inspectors
            .iter()
            .filter(|i| i.for_department_id == Some(who.department_id))
            .map(|i| (i.person_id, i.draw_id))
            .collect();
        tx.execute(
            "DELETE FROM task_inspectors WHERE task_id = $1 AND for_department_id = $2",
            vec![task_id.into(), who.department_id.into()],
        )
        .await?;
        for (person, _) in &checked {
            let draw = drawn
                .iter()
                .find(|(p, _)| p == person)
                .and_then(|(_, d)| *d);
            tx.execute(
                "INSERT INTO task_inspectors (task_id, person_id, draw_id, added_at, for_department_id)
                 VALUES ($1, $2, $3, $4, $5)",
                crate::args![task_id, *person, draw, now, who.department_id],
            )
            .await
            .map_err(|e| {
                if e.is_unique_violation() {
                    DomainError::field(
                        "inspector_ids",
                        "duplicate_inspector",
                        "所选人员已作为参与处室的检查人员在该任务中",
                    )
                    .into()
                } else {
                    e
                }
            })?;
        }
        tx.execute(
            "UPDATE tasks SET planned_on = $1, status = $2 WHERE id = $3",
            crate::args![planned, TaskStatus::Scheduled.as_str(), task_id],
        )
        .await?;
        Ok(())
    };
    tasks::mutate_in(
        tx,
        now,
        &who.principal,
        task_id,
        "task.settings",
        allowed,
        change,
    )
    .await
}
