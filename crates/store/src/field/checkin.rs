//! The field app's tasks (APP-1) and the check-in (APP-2): the tasks a person
//! inspects, grouped by the department they inspect for; the inspection plan
//! a check-in code shows; confirmation by the enterprise (method `qr`) or
//! 跳过 with a reason (method `skipped`). Either starts the visit: the task
//! moves to 检查中 (`in_progress`).
//!
//! Both writes are conditional updates (`… WHERE checked_in_at IS NULL`), so
//! a repeated or concurrent confirmation records one check-in.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::draw::task::TaskStatus;
use yici_domain::field::checkin;
use yici_domain::joint::{Decision, ParticipantKind};
use yici_domain::org::Principal;
use yici_domain::DomainError;

use crate::audit::{self, Change};
use crate::db::{Db, Exec, Sql};
use crate::draw::tasks::{self, Task};
use crate::error::StoreResult;
use crate::Actor;

/// An inspector as the plan shows them: 姓名 with 执法证号 to check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanInspector {
    pub person_id: i64,
    pub name: String,
    pub department_name: String,
    pub unit_name: String,
    /// 执法证号.
    pub certificate_no: Option<String>,
}

/// How the visit started.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckIn {
    /// `qr` (the enterprise confirmed the code) or `skipped` (跳过, with a reason).
    pub method: String,
    pub method_label: String,
    pub at: DateTime<Utc>,
    /// Who confirmed (the enterprise account) or skipped (the inspector).
    pub by_name: Option<String>,
    pub skip_reason: Option<String>,
}

/// The inspection plan (检查计划信息) the code shows, and the field app's task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldTask {
    pub id: i64,
    pub enterprise_id: i64,
    /// 企业名称.
    pub enterprise_name: String,
    pub enterprise_uscc: String,
    pub enterprise_address: String,
    /// 检查单位.
    pub unit_name: String,
    /// 发起处室.
    pub initiator_department: String,
    /// 参与处室: departments that joined (partner agencies with their unit).
    pub participating_departments: Vec<String>,
    /// 检查人员.
    pub inspectors: Vec<PlanInspector>,
    /// 抽取日期 (when the task was extracted).
    pub drawn_at: DateTime<Utc>,
    /// 计划日期.
    pub planned_on: Option<NaiveDate>,
    pub status: TaskStatus,
    pub status_label: String,
    pub check_in: Option<CheckIn>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// One of the caller's tasks in the field app: the department they inspect
/// for, and whether that department has submitted its result (已办理).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyTask {
    #[serde(flatten)]
    pub task: FieldTask,
    pub for_department_id: i64,
    pub for_department_name: String,
    /// 已办理: the department submitted its result, or the task is complete.
    pub done: bool,
}

/// Plans of tasks by id, in id order.
pub async fn plans(mut db: &Db, ids: &[i64], now: DateTime<Utc>) -> StoreResult<Vec<FieldTask>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let tasks = tasks::by_ids(&mut db, ids, now).await?;
    let (certs_sql, certs_args) = Sql::new(
        "SELECT DISTINCT p.id, p.certificate_no FROM task_inspectors ti
           JOIN people p ON p.id = ti.person_id WHERE ti.task_id IN ",
    )
    .push_in(ids.iter().copied())
    .build();
    let certs: HashMap<i64, Option<String>> = db
        .fetch_all(&certs_sql, certs_args)
        .await?
        .iter()
        .map(|r| Ok((r.get("id")?, r.get("certificate_no")?)))
        .collect::<StoreResult<_>>()?;
    let mut visits: HashMap<i64, (Option<CheckIn>, Option<DateTime<Utc>>)> = HashMap::new();
    let (visits_sql, visits_args) = Sql::new(
        "SELECT id, checked_in_at, check_in_method, check_in_skip_reason,
                checked_in_by_name, completed_at
           FROM tasks WHERE id IN ",
    )
    .push_in(ids.iter().copied())
    .build();
    for r in db.fetch_all(&visits_sql, visits_args).await? {
        let at: Option<DateTime<Utc>> = r.get("checked_in_at")?;
        let method: Option<String> = r.get("check_in_method")?;
        let check_in = match (at, method) {
            (Some(at), Some(method)) => Some(CheckIn {
                method_label: method_label(&method).to_string(),
                method,
                at,
                by_name: r.get("checked_in_by_name")?,
                skip_reason: r.get("check_in_skip_reason")?,
            }),
            _ => None,
        };
        visits.insert(r.get("id")?, (check_in, r.get("completed_at")?));
    }
    Ok(tasks
        .into_iter()
        .map(|t| {
            let (check_in, completed_at) = visits.remove(&t.id).unwrap_or_default();
            plan_of(t, &certs, check_in, completed_at)
        })
        .collect())
}

pub fn method_label(method: &str) -> &'static str {
    match method {
        "qr" => "企业扫码确认",
        "skipped" => "跳过扫码",
        _ => "—",
    }
}

fn plan_of(
    t: Task,
    certs: &HashMap<i64, Option<String>>,
    check_in: Option<CheckIn>,
    completed_at: Option<DateTime<Utc>>,
) -> FieldTask {
    let participating_departments = t
        .participants
        .iter()
        .filter(|p| p.kind != ParticipantKind::Initiator && p.decision == Some(Decision::Join))
        .map(|p| {
            if p.kind == ParticipantKind::Partner {
                format!("{}{}", p.unit_name, p.department_name)
            } else {
                p.department_name.clone()
            }
        })
        .collect();
    FieldTask {
        id: t.id,
        enterprise_id: t.enterprise_id,
        enterprise_name: t.enterprise_name,
        enterprise_uscc: t.enterprise_uscc,
        enterprise_address: t.enterprise_address,
        unit_name: t.unit_name,
        initiator_department: t.department_name,
        participating_departments,
        inspectors: t
            .inspectors
            .iter()
            .map(|i| PlanInspector {
                person_id: i.person_id,
                name: i.name.clone(),
                department_name: i.department_name.clone(),
                unit_name: i.unit_name.clone(),
                certificate_no: certs.get(&i.person_id).cloned().flatten(),
            })
            .collect(),
        drawn_at: t.created_at,
        planned_on: t.planned_on,
        status: t.status,
        status_label: t.status.label().to_string(),
        check_in,
        completed_at,
    }
}

/// The field app's task list: tasks (not cancelled) with `person_id` among
/// the inspectors, newest first.
pub async fn for_inspector(
    mut db: &Db,
    person_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<MyTask>> {
    let rows = db
        .fetch_all(
            "SELECT ti.task_id, COALESCE(ti.for_department_id, p.department_id) AS for_department_id,
                    d.name AS for_department_name
               FROM task_inspectors ti
               JOIN tasks t ON t.id = ti.task_id
               JOIN people p ON p.id = ti.person_id
               JOIN departments d ON d.id = COALESCE(ti.for_department_id, p.department_id)
              WHERE ti.person_id = $1 AND t.status <> 'cancelled'
              ORDER BY ti.task_id DESC
              LIMIT 500",
            crate::args![person_id],
        )
        .await?;
    let mut mine: Vec<(i64, i64, String)> = Vec::with_capacity(rows.len());
    for r in &rows {
        mine.push((
            r.get("task_id")?,
            r.get("for_department_id")?,
            r.get("for_department_name")?,
        ));
    }
    let ids: Vec<i64> = mine.iter().map(|m| m.0).collect();
    let submitted = submitted_departments(db, &ids).await?;
    let mut plans: HashMap<i64, FieldTask> = plans(db, &ids, now)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(mine
        .into_iter()
        .filter_map(|(id, dept, dept_name)| {
            let task = plans.remove(&id)?;
            let done = task.status == TaskStatus::Completed
                || submitted.get(&id).is_some_and(|s| s.contains(&dept));
            Some(MyTask {
                task,
                for_department_id: dept,
                for_department_name: dept_name,
                done,
            })
        })
        .collect())
}

/// Departments that submitted a result, by task (empty until the results
/// table exists).
pub async fn submitted_departments(
    mut db: &Db,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    if ids.is_empty() || !super::results_table_exists(db).await? {
        return Ok(out);
    }
    let (sql, args) =
        Sql::new("SELECT DISTINCT task_id, department_id FROM task_results WHERE task_id IN ")
            .push_in(ids.iter().copied())
            .build();
    for r in db.fetch_all(&sql, args).await? {
        out.entry(r.get("task_id")?)
            .or_default()
            .push(r.get("department_id")?);
    }
    Ok(out)
}

/// One of the person's tasks: 404 when there is no such task, 403 when the
/// person is not among its inspectors.
pub async fn for_inspector_one(
    mut db: &Db,
    person_id: i64,
    task_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<MyTask> {
    let exists = db
        .scalar_i64(
            "SELECT COUNT(*) FROM tasks WHERE id = $1",
            crate::args![task_id],
        )
        .await?;
    if exists == 0 {
        return Err(DomainError::not_found("任务不存在").into());
    }
    for_inspector(db, person_id, now)
        .await?
        .into_iter()
        .find(|t| t.task.id == task_id)
        .ok_or_else(|| DomainError::forbidden("您不是该任务的检查人员").into())
}

/// A code may be shown while the visit can still start or go on.
pub fn check_open(task: &FieldTask) -> Result<(), DomainError> {
    match task.status {
        TaskStatus::Cancelled | TaskStatus::Completed => Err(DomainError::conflict(
            "task_closed",
            format!("任务{}，不能再签到", task.status.label()),
        )),
        _ => Ok(()),
    }
}

/// The plan a verified claim shows, or why the code no longer holds although
/// it was signed by us: the task is gone or cancelled, or the inspector is
/// no longer on it.
pub async fn plan_of_claim(
    db: &Db,
    claim: &checkin::CheckInClaim,
    now: DateTime<Utc>,
) -> StoreResult<Result<FieldTask, String>> {
    let Some(plan) = plans(db, &[claim.task_id], now).await?.pop() else {
        return Ok(Err("任务不存在".into()));
    };
    if plan.status == TaskStatus::Cancelled {
        return Ok(Err("该检查任务已取消".into()));
    }
    if !plan
        .inspectors
        .iter()
        .any(|i| i.person_id == claim.person_id)
    {
        return Ok(Err("出示二维码的人员已不是该任务的检查人员".into()));
    }
    Ok(Ok(plan))
}

/// The enterprise confirms a genuine code (APP-2): the check-in is recorded
/// once (`qr`), and the task moves to 检查中. A repeated confirmation changes
/// nothing and returns the recorded check-in.
pub async fn confirm(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    enterprise_id: i64,
    confirmed_by_name: &str,
    claim: &checkin::CheckInClaim,
) -> StoreResult<FieldTask> {
    let plan = match plan_of_claim(db, claim, now).await? {
        Ok(p) => p,
        Err(why) => return Err(DomainError::invalid("invalid_token", why).into()),
    };
    if plan.enterprise_id != enterprise_id {
        return Err(DomainError::forbidden("该检查二维码不是出示给本企业的").into());
    }
    if plan.check_in.is_some() {
        return Ok(plan);
    }
    check_open(&plan)?;
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            "UPDATE tasks SET checked_in_at = $2, check_in_method = 'qr', checked_in_by_name = $3,
                    check_in_code_person_id = $4,
                    status = CASE WHEN status IN ('drawn', 'scheduled') THEN 'in_progress' ELSE status END
              WHERE id = $1 AND checked_in_at IS NULL AND status NOT IN ('cancelled', 'completed')",
            crate::args![claim.task_id, now, confirmed_by_name, claim.person_id],
        )
        .await?;
    if changed == 1 {
        audit::record(
            &mut tx,
            now,
            &Actor::from(who),
            Change::<(), _> {
                action: "task.check_in",
                entity: "task",
                entity_id: claim.task_id.to_string(),
                before: None,
                after: Some(&serde_json::json!({
                    "method": "qr", "at": now, "by": confirmed_by_name,
                    "inspector_person_id": claim.person_id,
                })),
            },
        )
        .await?;
        crate::warnings::hook(&mut tx, claim.task_id, now).await?;
    }
    tx.commit().await?;
    reread(db, claim.task_id, now).await
}

async fn reread(db: &Db, task_id: i64, now: DateTime<Utc>) -> StoreResult<FieldTask> {
    plans(db, &[task_id], now)
        .await?
        .pop()
        .ok_or_else(|| DomainError::not_found("任务不存在").into())
}

/// 跳过 (APP-2): an inspector on the task starts the visit without the scan,
/// giving a reason, which is recorded. A task already checked in keeps its
/// first check-in.
pub async fn skip(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    task_id: i64,
    reason: &str,
) -> StoreResult<FieldTask> {
    let person_id = who
        .person_id
        .ok_or_else(|| DomainError::forbidden("只有检查人员可以跳过扫码"))?;
    let mine = for_inspector_one(db, person_id, task_id, now).await?;
    let reason = checkin::skip_reason(reason)?;
    if mine.task.check_in.is_some() {
        return Ok(mine.task);
    }
    check_open(&mine.task)?;
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            "UPDATE tasks SET checked_in_at = $2, check_in_method = 'skipped', checked_in_by_name = $3,
                    check_in_skip_reason = $4,
                    status = CASE WHEN status IN ('drawn', 'scheduled') THEN 'in_progress' ELSE status END
              WHERE id = $1 AND checked_in_at IS NULL AND status NOT IN ('cancelled', 'completed')",
            crate::args![task_id, now, &who.display_name, &reason],
        )
        .await?;
    if changed == 1 {
        audit::record(
            &mut tx,
            now,
            &Actor::from(who),
            Change::<(), _> {
                action: "task.check_in",
                entity: "task",
                entity_id: task_id.to_string(),
                before: None,
                after: Some(&serde_json::json!({
                    "method": "skipped", "at": now, "by": who.display_name, "reason": reason,
                })),
            },
        )
        .await?;
        crate::warnings::hook(&mut tx, task_id, now).await?;
    }
    tx.commit().await?;
    reread(db, task_id, now).await
}
