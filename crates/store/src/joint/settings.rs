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
    tasks::mutate(
        db,
        now,
        &who.principal,
        task_id,
        "task.settings",
        allowed,
        change,
    )
    .await
}
