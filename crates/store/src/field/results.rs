//! 检查结果 in storage (RESULT-1…RESULT-5): each participating department's
//! result, written once.
//!
//! A submission runs in one write transaction that first locks the task row
//! (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises writers
//! anyway), so two departments submitting at the same moment see each other
//! and exactly one of them completes the task. The client's id comes first: a
//! retry of the same body returns the stored result, a different body under
//! the same id is refused, and nothing is ever written twice.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::draw::task::TaskStatus;
use yici_domain::field::results::{self, CheckedResult, ResultInput};
use yici_domain::joint::{Decision, ParticipantKind};
use yici_domain::org::Principal;
use yici_domain::{DomainError, ErrorKind};

use crate::audit::{self, Change};
use crate::db::{Backend, Db, Exec, Tx};
use crate::draw::tasks;
use crate::error::StoreResult;
use crate::org::parse_code;
use crate::Actor;

/// A supervision item (监管事项) of a department's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupervisionItem {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// The list of a department: the items of its business line, in order.
/// 其他 is always possible besides (a result item with free text).
pub async fn items_of_department(
    e: &mut impl Exec,
    department_id: i64,
) -> StoreResult<Vec<SupervisionItem>> {
    e.fetch_all(
        "SELECT s.id, s.code, s.name FROM supervision_items s
           JOIN departments d ON d.business_line = s.business_line
          WHERE d.id = $1 ORDER BY s.position, s.id",
        crate::args![department_id],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(SupervisionItem {
            id: r.get("id")?,
            code: r.get("code")?,
            name: r.get("name")?,
        })
    })
    .collect()
}

/// A ticked item of a stored result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultItem {
    /// None for 其他.
    pub item_id: Option<i64>,
    /// The item's name, or 其他.
    pub name: String,
    /// 其他: what was checked.
    pub other: Option<String>,
    pub has_problem: bool,
    pub problem_description: Option<String>,
}

/// An evidence file as results and the API list it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub id: i64,
    pub task_id: i64,
    pub department_id: i64,
    /// Set once the result is submitted.
    pub result_id: Option<i64>,
    pub sha256: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

/// One department's submitted result. Never changed after it is written.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskResult {
    pub id: i64,
    pub task_id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub client_id: String,
    pub items: Vec<ResultItem>,
    /// 企业基本情况.
    pub enterprise_situation: String,
    /// 现场检查情况.
    pub onsite_findings: String,
    pub evidence: Vec<Evidence>,
    pub submitted_by_name: String,
    pub submitted_at: DateTime<Utc>,
    /// The visit day (business day of the check-in) it was due on.
    pub due_on: NaiveDate,
    /// Submitted on a later day than the visit (RESULT-4).
    pub late: bool,
}

/// A participating department on a task and whether it has submitted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentResult {
    pub department_id: i64,
    pub department_name: String,
    pub unit_name: String,
    pub kind: ParticipantKind,
    /// `submitted` (已办理) or `pending` (未办理).
    pub state: String,
    pub state_label: String,
    pub result: Option<TaskResult>,
}

/// The results of a task: one line per participating department.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskResults {
    pub task_id: i64,
    pub status: TaskStatus,
    pub status_label: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub departments: Vec<DepartmentResult>,
}

/// Who is entering a result, for which department.
#[derive(Debug, Clone)]
pub struct Reporter {
    pub person_id: i64,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    pub actor: Actor,
}

/// The departments of the group: the initiator and those that joined
/// (declined and lapsed departments are not in it).
pub(crate) fn participating(task: &tasks::Task) -> Vec<(i64, String)> {
    task.participants
        .iter()
        .filter(|p| p.kind == ParticipantKind::Initiator || p.decision == Some(Decision::Join))
        .map(|p| (p.department_id, p.department_name.clone()))
        .collect()
}

/// RESULT-1: a result is entered by a person on the task, for the
/// participating department they inspect for (`requested`, when given, must
/// be that department).
pub async fn reporter(
    e: &mut impl Exec,
    principal: &Principal,
    task: &tasks::Task,
    requested: Option<i64>,
) -> StoreResult<Reporter> {
    let group = participating(task);
    if let Some(d) = requested {
        if !group.iter().any(|(id, _)| *id == d) {
            return Err(DomainError::new(
                ErrorKind::Forbidden,
                "not_participating",
                "该处（科）室未参加本次检查，不能填报结果",
            )
            .on("department_id")
            .into());
        }
    }
    let not_on_task = || {
        DomainError::new(
            ErrorKind::Forbidden,
            "not_on_task",
            "只有该任务的检查人员可以填报检查结果",
        )
    };
    let person = principal.person_id.ok_or_else(not_on_task)?;
    let row = e
        .fetch_optional(
            "SELECT ti.for_department_id, p.name FROM task_inspectors ti
               JOIN people p ON p.id = ti.person_id
              WHERE ti.task_id = $1 AND ti.person_id = $2",
            crate::args![task.id, person],
        )
        .await?
        .ok_or_else(not_on_task)?;
    let for_department: Option<i64> = row.get("for_department_id")?;
    let department = for_department.ok_or_else(not_on_task)?;
    if requested.is_some_and(|d| d != department) {
        return Err(DomainError::new(
            ErrorKind::Forbidden,
            "not_on_task",
            "您不是该处（科）室在本任务中的检查人员，不能填报其结果",
        )
        .into());
    }
    let department_name = group
        .iter()
        .find(|(id, _)| *id == department)
        .map(|(_, n)| n.clone())
        .ok_or_else(|| {
            DomainError::new(
                ErrorKind::Forbidden,
                "not_participating",
                "您所代表的处（科）室未参加本次检查，不能填报结果",
            )
        })?;
    Ok(Reporter {
        person_id: person,
        name: row.get("name")?,
        department_id: department,
        department_name,
        actor: Actor::from(principal),
    })
}

/// The task row locked for a write, with its visit state.
pub(crate) struct Visit {
    pub status: TaskStatus,
    pub checked_in_at: Option<DateTime<Utc>>,
}

pub(crate) async fn lock_task(tx: &mut Tx, task_id: i64) -> StoreResult<Visit> {
    let sql = match tx.backend() {
        Backend::Postgres => "SELECT status, checked_in_at FROM tasks WHERE id = $1 FOR UPDATE",
        Backend::Sqlite => "SELECT status, checked_in_at FROM tasks WHERE id = $1",
    };
    let row = tx
        .fetch_optional(sql, crate::args![task_id])
        .await?
        .ok_or_else(|| DomainError::not_found("任务不存在"))?;
    Ok(Visit {
        status: parse_code(&row.get::<String>("status")?, TaskStatus::parse)?,
        checked_in_at: row.get("checked_in_at")?,
    })
}

/// The visit must have started (checked in by code or skipped) and the task
/// be open; returns the check-in time.
pub(crate) fn check_open(visit: &Visit) -> StoreResult<DateTime<Utc>> {
    if visit.status == TaskStatus::Cancelled {
        return Err(DomainError::conflict("task_closed", "任务已取消，不能填报结果").into());
    }
    visit.checked_in_at.ok_or_else(|| {
        DomainError::conflict(
            "not_checked_in",
            "请先出示检查二维码由企业扫码确认（或跳过并说明原因），再填报检查结果",
        )
        .into()
    })
}

pub(crate) async fn submitted_id(
    e: &mut impl Exec,
    task_id: i64,
    department_id: i64,
) -> StoreResult<Option<i64>> {
    e.fetch_optional(
        "SELECT id FROM task_results WHERE task_id = $1 AND department_id = $2
                AND corrects_id IS NULL",
        crate::args![task_id, department_id],
    )
    .await?
    .map(|r| r.get("id"))
    .transpose()
}

pub(crate) fn already_submitted() -> DomainError {
    DomainError::conflict(
        "already_submitted",
        "本处（科）室已提交检查结果，提交后不能修改",
    )
}

/// What a submission did.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub result: TaskResult,
    /// False when this was a retry of a submission already stored.
    pub created: bool,
    /// The task became 已完成 with this submission.
    pub completed_task: bool,
}

/// RESULT-1…RESULT-4: stores a department's result, attaches its evidence,
/// and completes the task when every participating department has submitted.
pub async fn submit(
    mut db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    input: &ResultInput,
) -> StoreResult<Submitted> {
    let client_id = results::check_client_id(input.client_id.as_deref())?;
    let mut tx = db.begin().await?;
    let visit = lock_task(&mut tx, task_id).await?;
    // Only someone who may see the task learns whether it exists.
    let task = tasks::visible_in(&mut tx, principal, now, task_id).await?;
    let who = reporter(&mut tx, principal, &task, input.department_id).await?;
    let list: Vec<i64> = items_of_department(&mut tx, who.department_id)
        .await?
        .iter()
        .map(|i| i.id)
        .collect();
    let checked = results::check(input, who.department_id, &list)?;
    let hash = checked.body_hash();
    // RESULT-5: the same id again is a retry.
    if let Some(row) = tx
        .fetch_optional(
            "SELECT id, body_hash, submitted_by FROM task_results WHERE client_id = $1",
            crate::args![client_id.as_str()],
        )
        .await?
    {
        if row.get::<String>("body_hash")? != hash
            || row.get::<i64>("submitted_by")? != who.person_id
        {
            return Err(DomainError::conflict(
                "client_id_conflict",
                "该提交编号已用于内容不同的一次提交；如需修改请刷新页面",
            )
            .on("client_id")
            .into());
        }
        let id: i64 = row.get("id")?;
        drop(tx);
        let result = by_ids(&mut db, &[id]).await?.remove(0);
        return Ok(Submitted {
            result,
            created: false,
            completed_task: false,
        });
    }
    let checked_in_at = check_open(&visit)?;
    if submitted_id(&mut tx, task_id, who.department_id)
        .await?
        .is_some()
    {
        return Err(already_submitted().into());
    }
    attachable(&mut tx, task_id, who.department_id, &checked).await?;
    let due_on = results::visit_day(checked_in_at);
    let late = results::is_late(now, due_on);
    let id = tx
        .fetch_one(
            "INSERT INTO task_results (task_id, department_id, client_id, body_hash,
                    enterprise_situation, onsite_findings, submitted_by, submitted_by_name,
                    submitted_at, due_on, late)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            crate::args![
                task_id,
                who.department_id,
                client_id.as_str(),
                hash.as_str(),
                checked.enterprise_situation.as_str(),
                checked.onsite_findings.as_str(),
                who.person_id,
                who.name.as_str(),
                now,
                due_on,
                late
            ],
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                already_submitted().into()
            } else {
                e
            }
        })?
        .get::<i64>("id")?;
    for (n, item) in checked.items.iter().enumerate() {
        tx.execute(
            "INSERT INTO result_items (result_id, position, item_id, other_text, has_problem,
                    problem_description)
             VALUES ($1, $2, $3, $4, $5, $6)",
            crate::args![
                id,
                n as i64 + 1,
                item.item_id,
                item.other.as_deref(),
                item.has_problem,
                item.problem_description.as_deref()
            ],
        )
        .await?;
    }
    for e in &checked.evidence_ids {
        tx.execute(
            "UPDATE evidence SET result_id = $1 WHERE id = $2 AND result_id IS NULL",
            crate::args![id, *e],
        )
        .await?;
    }
    // RESULT-3: complete once every department of the group has submitted.
    let group = participating(&task);
    let submitted: Vec<i64> = tx
        .fetch_all(
            "SELECT department_id FROM task_results WHERE task_id = $1 AND corrects_id IS NULL",
            crate::args![task_id],
        )
        .await?
        .iter()
        .map(|r| r.get("department_id"))
        .collect::<StoreResult<_>>()?;
    let complete = group.iter().all(|(d, _)| submitted.contains(d));
    if complete {
        tx.execute(
            "UPDATE tasks SET status = 'completed', completed_at = $2 WHERE id = $1",
            crate::args![task_id, now],
        )
        .await?;
    } else {
        tx.execute(
            "UPDATE tasks SET status = 'in_progress'
              WHERE id = $1 AND status IN ('drawn', 'scheduled')",
            crate::args![task_id],
        )
        .await?;
    }
    let result = by_ids(&mut tx, &[id]).await?.remove(0);
    audit::record(
        &mut tx,
        now,
        &who.actor,
        Change::<(), TaskResult> {
            action: "task.result",
            entity: "task_result",
            entity_id: id.to_string(),
            before: None,
            after: Some(&result),
        },
    )
    .await?;
    if complete {
        audit::record(
            &mut tx,
            now,
            &who.actor,
            Change {
                action: "task.completed",
                entity: "task",
                entity_id: task_id.to_string(),
                before: Some(&serde_json::json!({"status": visit.status.as_str()})),
                after: Some(&serde_json::json!({"status": "completed", "completed_at": now})),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Submitted {
        result,
        created: true,
        completed_task: complete,
    })
}

/// Evidence named by a submission: uploaded for this task and department
/// and not yet part of a result.
async fn attachable(
    tx: &mut Tx,
    task_id: i64,
    department_id: i64,
    checked: &CheckedResult,
) -> StoreResult<()> {
    for e in &checked.evidence_ids {
        let ok = tx
            .fetch_optional(
                "SELECT id FROM evidence WHERE id = $1 AND task_id = $2 AND department_id = $3
                    AND result_id IS NULL",
                crate::args![*e, task_id, department_id],
            )
            .await?
            .is_some();
        if !ok {
            return Err(DomainError::field(
                "evidence_ids",
                "unknown_evidence",
                format!("影像资料（编号{e}）不是本处室为该任务上传的照片"),
            )
            .into());
        }
    }
    Ok(())
}

/// Results by id, with their items and evidence.
pub async fn by_ids(e: &mut impl Exec, ids: &[i64]) -> StoreResult<Vec<TaskResult>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = || ids.iter().copied();
    let (sql, args) = crate::db::Sql::new(
        "SELECT r.id, r.task_id, r.department_id, d.name AS department_name, r.client_id,
                r.enterprise_situation, r.onsite_findings, r.submitted_by_name,
                r.submitted_at, r.due_on, r.late
           FROM task_results r JOIN departments d ON d.id = r.department_id
          WHERE r.id IN ",
    )
    .push_in(ids())
    .push(" ORDER BY r.id")
    .build();
    let rows = e.fetch_all(&sql, args).await?;
    let (sql, args) = crate::db::Sql::new(
        "SELECT ri.result_id, ri.item_id, s.name, ri.other_text, ri.has_problem,
                ri.problem_description
           FROM result_items ri LEFT JOIN supervision_items s ON s.id = ri.item_id
          WHERE ri.result_id IN ",
    )
    .push_in(ids())
    .push(" ORDER BY ri.result_id, ri.position")
    .build();
    let items = e.fetch_all(&sql, args).await?;
    let (sql, args) = crate::db::Sql::new(&format!("{EVIDENCE_SELECT} WHERE result_id IN "))
        .push_in(ids())
        .push(" ORDER BY id")
        .build();
    let evidence = e.fetch_all(&sql, args).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.get("id")?;
        let mut its = Vec::new();
        for i in &items {
            if i.get::<i64>("result_id")? != id {
                continue;
            }
            let other: Option<String> = i.get("other_text")?;
            its.push(ResultItem {
                item_id: i.get("item_id")?,
                name: match other {
                    Some(_) => "其他".to_string(),
                    None => i.get::<Option<String>>("name")?.unwrap_or_default(),
                },
                other,
                has_problem: i.get("has_problem")?,
                problem_description: i.get("problem_description")?,
            });
        }
        let mut ev = Vec::new();
        for x in &evidence {
            if x.get::<Option<i64>>("result_id")? == Some(id) {
                ev.push(evidence_of(x)?);
            }
        }
        out.push(TaskResult {
            id,
            task_id: r.get("task_id")?,
            department_id: r.get("department_id")?,
            department_name: r.get("department_name")?,
            client_id: r.get("client_id")?,
            items: its,
            enterprise_situation: r.get("enterprise_situation")?,
            onsite_findings: r.get("onsite_findings")?,
            evidence: ev,
            submitted_by_name: r.get("submitted_by_name")?,
            submitted_at: r.get("submitted_at")?,
            due_on: r.get("due_on")?,
            late: r.get("late")?,
        });
    }
    Ok(out)
}

pub(crate) const EVIDENCE_SELECT: &str = "SELECT id, task_id, department_id, result_id, sha256,
        content_type, size_bytes, uploaded_by_name, uploaded_at FROM evidence";

pub(crate) fn evidence_of(r: &crate::db::Row) -> StoreResult<Evidence> {
    Ok(Evidence {
        id: r.get("id")?,
        task_id: r.get("task_id")?,
        department_id: r.get("department_id")?,
        result_id: r.get("result_id")?,
        sha256: r.get("sha256")?,
        content_type: r.get("content_type")?,
        size_bytes: r.get("size_bytes")?,
        uploaded_by_name: r.get("uploaded_by_name")?,
        uploaded_at: r.get("uploaded_at")?,
    })
}

/// The results of a task the principal may see: every participating
/// department with 已办理 / 未办理 and its result.
pub async fn of_task(
    mut db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    task_id: i64,
) -> StoreResult<TaskResults> {
    let task = tasks::get(db, principal, now, task_id).await?;
    let visit = db
        .fetch_one(
            "SELECT checked_in_at, completed_at FROM tasks WHERE id = $1",
            crate::args![task_id],
        )
        .await?;
    let ids: Vec<i64> = db
        .fetch_all(
            "SELECT id FROM task_results WHERE task_id = $1 AND corrects_id IS NULL ORDER BY id",
            crate::args![task_id],
        )
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<StoreResult<_>>()?;
    let mut stored = by_ids(&mut db, &ids).await?;
    let mut departments = Vec::new();
    for p in &task.participants {
        let joined = p.kind == ParticipantKind::Initiator || p.decision == Some(Decision::Join);
        let pos = stored
            .iter()
            .position(|r| r.department_id == p.department_id);
        if !joined && pos.is_none() {
            continue;
        }
        let result = pos.map(|i| stored.remove(i));
        let (state, label) = if result.is_some() {
            ("submitted", "已办理")
        } else {
            ("pending", "未办理")
        };
        departments.push(DepartmentResult {
            department_id: p.department_id,
            department_name: p.department_name.clone(),
            unit_name: p.unit_name.clone(),
            kind: p.kind,
            state: state.into(),
            state_label: label.into(),
            result,
        });
    }
    Ok(TaskResults {
        task_id,
        status: task.status,
        status_label: task.status.label().to_string(),
        checked_in_at: visit.get("checked_in_at")?,
        completed_at: visit.get("completed_at")?,
        departments,
    })
}

/// The entry form's context: the task, the reporter and their list, and the
/// result already submitted (then the form is read-only).
pub struct Entry {
    pub task: tasks::Task,
    pub reporter: Reporter,
    pub items: Vec<SupervisionItem>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub submitted: Option<TaskResult>,
    /// Evidence uploaded by the department and not yet in a result.
    pub pending_evidence: Vec<Evidence>,
}

pub async fn entry(
    mut db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    task_id: i64,
    department: Option<i64>,
) -> StoreResult<Entry> {
    let task = tasks::get(db, principal, now, task_id).await?;
    let reporter = reporter(&mut db, principal, &task, department).await?;
    let items = items_of_department(&mut db, reporter.department_id).await?;
    let checked_in_at: Option<DateTime<Utc>> = db
        .fetch_one(
            "SELECT checked_in_at FROM tasks WHERE id = $1",
            crate::args![task_id],
        )
        .await?
        .get("checked_in_at")?;
    let submitted = match submitted_id(&mut db, task_id, reporter.department_id).await? {
        Some(id) => by_ids(&mut db, &[id]).await?.pop(),
        None => None,
    };
    let pending_evidence = db
        .fetch_all(
            &format!(
                "{EVIDENCE_SELECT} WHERE task_id = $1 AND department_id = $2 AND result_id IS NULL
                  ORDER BY id"
            ),
            crate::args![task_id, reporter.department_id],
        )
        .await?
        .iter()
        .map(evidence_of)
        .collect::<StoreResult<_>>()?;
    Ok(Entry {
        task,
        reporter,
        items,
        checked_in_at,
        submitted,
        pending_evidence,
    })
}
