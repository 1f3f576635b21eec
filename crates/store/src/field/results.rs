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

/// An item of a department's 行政检查事项清单 of the year (DOC-1), as the
/// result form offers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupervisionItem {
    pub id: i64,
    /// The list's own code (编码).
    pub code: String,
    pub name: String,
    /// 检查依据.
    pub basis: String,
    /// 整改期限 in days a problem with this item gets by default (None: 30).
    pub rectify_days: Option<i64>,
}

/// The department's own list of the year, in order. Empty when the
/// department has not set one up: the form then says so (其他 stays possible).
pub async fn items_of_department(
    e: &mut impl Exec,
    department_id: i64,
    year: i64,
) -> StoreResult<Vec<SupervisionItem>> {
    e.fetch_all(
        "SELECT id, code, name, basis, rectify_days FROM plan_items
          WHERE department_id = $1 AND year = $2 AND removed_at IS NULL
          ORDER BY position, id",
        crate::args![department_id, year],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(SupervisionItem {
            id: r.get("id")?,
            code: r.get("code")?,
            name: r.get("name")?,
            basis: r.get("basis")?,
            rectify_days: r.get("rectify_days")?,
        })
    })
    .collect()
}

/// A ticked item of a stored result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultItem {
    /// The result's line number (1-based): rectifications name their item by it.
    pub position: i64,
    /// None for 其他.
    pub item_id: Option<i64>,
    /// The list's code as it was when ticked; None for 其他.
    pub code: Option<String>,
    /// The item's name as it was when ticked, or 其他.
    pub name: String,
    /// 其他: what was checked.
    pub other: Option<String>,
    pub has_problem: bool,
    pub problem_description: Option<String>,
}

impl ResultItem {
    /// How pages and rectifications name it: the list's name, or 其他 with
    /// what was checked.
    pub fn label(&self) -> String {
        match &self.other {
            Some(t) => format!("其他：{t}"),
            None => self.name.clone(),
        }
    }
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
    /// The result this one corrects (RESULT-3), and why.
    pub corrects_id: Option<i64>,
    pub correction_reason: Option<String>,
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
    /// The department's result in force: the latest correction, or the original.
    pub result: Option<TaskResult>,
    /// What it replaced, newest first (empty when never corrected).
    pub superseded: Vec<TaskResult>,
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

/// A correction (RESULT-3): the whole result as it should have been, the
/// result it replaces (the one in force) and why.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, ToSchema)]
pub struct CorrectionInput {
    /// The result being corrected: must be the department's result in force.
    pub corrects_id: Option<i64>,
    /// 更正原因 (required).
    pub reason: Option<String>,
    #[serde(flatten)]
    pub result: ResultInput,
}

/// The checked submission, ready to store.
struct Checked<'a> {
    task: &'a tasks::Task,
    who: &'a Reporter,
    client_id: &'a str,
    body: CheckedResult,
    hash: String,
    list: Vec<SupervisionItem>,
}

/// The task locked, its visibility and reporter checked, the body checked
/// against the department's list of the task's year.
async fn prepare(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    input: &ResultInput,
) -> StoreResult<(
    Visit,
    tasks::Task,
    Reporter,
    Vec<SupervisionItem>,
    CheckedResult,
)> {
    let visit = lock_task(tx, task_id).await?;
    // Only someone who may see the task learns whether it exists.
    let task = tasks::visible_in(tx, principal, now, task_id).await?;
    let who = reporter(tx, principal, &task, input.department_id).await?;
    let list = items_of_department(tx, who.department_id, task.year).await?;
    let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
    let checked = results::check(input, who.department_id, &ids)?;
    Ok((visit, task, who, list, checked))
}

/// RESULT-5: a submission under a client id already used is a retry when it
/// says the same and comes from the same person; anything else is refused.
async fn retried(
    tx: &mut Tx,
    client_id: &str,
    hash: &str,
    person_id: i64,
) -> StoreResult<Option<i64>> {
    let Some(row) = tx
        .fetch_optional(
            "SELECT id, body_hash, submitted_by FROM task_results WHERE client_id = $1",
            crate::args![client_id],
        )
        .await?
    else {
        return Ok(None);
    };
    if row.get::<String>("body_hash")? != hash || row.get::<i64>("submitted_by")? != person_id {
        return Err(DomainError::conflict(
            "client_id_conflict",
            "该提交编号已用于内容不同的一次提交；如需修改请刷新页面",
        )
        .on("client_id")
        .into());
    }
    Ok(Some(row.get("id")?))
}

/// RESULT-1…RESULT-4: stores a department's result, attaches its evidence,
/// raises a rectification draft for each problem found (RES-1), and completes
/// the task when every participating department has submitted.
pub async fn submit(
    mut db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    input: &ResultInput,
) -> StoreResult<Submitted> {
    let client_id = results::check_client_id(input.client_id.as_deref())?;
    let mut tx = db.begin().await?;
    let (visit, task, who, list, body) = prepare(&mut tx, now, principal, task_id, input).await?;
    let hash = body.body_hash();
    if let Some(id) = retried(&mut tx, &client_id, &hash, who.person_id).await? {
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
    let due_on = results::visit_day(checked_in_at);
    let late = results::is_late(now, due_on);
    let checked = Checked {
        task: &task,
        who: &who,
        client_id: &client_id,
        body,
        hash,
        list,
    };
    let id = insert(&mut tx, now, &checked, due_on, late, None).await?;
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
        crate::publication::schedule(&mut tx, task_id, task.unit_id).await?;
        crate::joint::participants::close_on_completion(&mut tx, now, task_id).await?;
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
    crate::rectification::raise(&mut tx, now, &who.actor, &task, &result, &checked.list).await?;
    crate::credit::reassess(&mut tx, task.enterprise_id, now).await?;
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
    crate::warnings::hook(&mut tx, task_id, now).await?;
    tx.commit().await?;
    Ok(Submitted {
        result,
        created: true,
        completed_task: complete,
    })
}

/// RESULT-3: corrects the department's result in force by a new, linked
/// result; the original is never changed. Only the same department's
/// inspectors on the task correct it, with a reason. Rectifications follow:
/// a problem still there keeps its rectification, a problem gone withdraws
/// it, a new problem raises a draft.
pub async fn correct(
    mut db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    input: &CorrectionInput,
) -> StoreResult<Submitted> {
    let client_id = results::check_client_id(input.result.client_id.as_deref())?;
    let reason = results::check_correction_reason(input.reason.as_deref())?;
    let mut tx = db.begin().await?;
    let (_, task, who, list, body) =
        prepare(&mut tx, now, principal, task_id, &input.result).await?;
    let hash = results::correction_hash(&body, &reason);
    if let Some(id) = retried(&mut tx, &client_id, &hash, who.person_id).await? {
        drop(tx);
        let result = by_ids(&mut db, &[id]).await?.remove(0);
        return Ok(Submitted {
            result,
            created: false,
            completed_task: false,
        });
    }
    let in_force = in_force_of(&mut tx, task_id, who.department_id)
        .await?
        .ok_or_else(|| {
            DomainError::conflict("not_submitted", "本处（科）室尚未提交检查结果，无需更正")
        })?;
    let corrected = by_ids(&mut tx, &[in_force]).await?.remove(0);
    if input.corrects_id.is_some_and(|c| c != in_force) {
        return Err(
            DomainError::conflict("superseded", "该结果已被更正，请在最新的结果上更正")
                .on("corrects_id")
                .into(),
        );
    }
    let checked = Checked {
        task: &task,
        who: &who,
        client_id: &client_id,
        body,
        hash,
        list,
    };
    let id = insert(
        &mut tx,
        now,
        &checked,
        corrected.due_on,
        corrected.late,
        Some((in_force, reason.as_str())),
    )
    .await?;
    let result = by_ids(&mut tx, &[id]).await?.remove(0);
    audit::record(
        &mut tx,
        now,
        &who.actor,
        Change {
            action: "task.result_corrected",
            entity: "task_result",
            entity_id: id.to_string(),
            before: Some(&corrected),
            after: Some(&result),
        },
    )
    .await?;
    crate::rectification::follow(
        &mut tx,
        now,
        &who.actor,
        &task,
        &corrected,
        &result,
        &checked.list,
    )
    .await?;
    crate::credit::reassess(&mut tx, task.enterprise_id, now).await?;
    tx.commit().await?;
    Ok(Submitted {
        result,
        created: true,
        completed_task: false,
    })
}

/// Writes the result row, its items (with the list's code and name as they
/// are now) and attaches its evidence; returns the new id.
async fn insert(
    tx: &mut Tx,
    now: DateTime<Utc>,
    c: &Checked<'_>,
    due_on: NaiveDate,
    late: bool,
    corrects: Option<(i64, &str)>,
) -> StoreResult<i64> {
    attachable(tx, c.task.id, c.who.department_id, &c.body).await?;
    let id = tx
        .fetch_one(
            "INSERT INTO task_results (task_id, department_id, client_id, body_hash,
                    enterprise_situation, onsite_findings, submitted_by, submitted_by_name,
                    submitted_at, due_on, late, corrects_id, correction_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            crate::args![
                c.task.id,
                c.who.department_id,
                c.client_id,
                c.hash.as_str(),
                c.body.enterprise_situation.as_str(),
                c.body.onsite_findings.as_str(),
                c.who.person_id,
                c.who.name.as_str(),
                now,
                due_on,
                late,
                corrects.map(|(id, _)| id),
                corrects.map(|(_, reason)| reason)
            ],
        )
        .await
        .map_err(|e| {
            if !e.is_unique_violation() {
                e
            } else if corrects.is_some() {
                DomainError::conflict("superseded", "该结果已被更正，请在最新的结果上更正").into()
            } else {
                already_submitted().into()
            }
        })?
        .get::<i64>("id")?;
    for (n, item) in c.body.items.iter().enumerate() {
        let listed = item.item_id.and_then(|i| c.list.iter().find(|l| l.id == i));
        tx.execute(
            "INSERT INTO result_items (result_id, position, item_id, item_code, item_name,
                    other_text, has_problem, problem_description)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            crate::args![
                id,
                n as i64 + 1,
                item.item_id,
                listed.map(|l| l.code.as_str()),
                listed.map(|l| l.name.as_str()),
                item.other.as_deref(),
                item.has_problem,
                item.problem_description.as_deref()
            ],
        )
        .await?;
    }
    for e in &c.body.evidence_ids {
        tx.execute(
            "UPDATE evidence SET result_id = $1 WHERE id = $2 AND result_id IS NULL",
            crate::args![id, *e],
        )
        .await?;
    }
    Ok(id)
}

/// The department's result in force on a task: the end of its correction chain.
pub(crate) async fn in_force_of(
    e: &mut impl Exec,
    task_id: i64,
    department_id: i64,
) -> StoreResult<Option<i64>> {
    e.fetch_optional(
        &format!("SELECT r.id FROM task_results r WHERE r.task_id = $1 AND r.department_id = $2 AND {IN_FORCE}"),
        crate::args![task_id, department_id],
    )
    .await?
    .map(|r| r.get("id"))
    .transpose()
}

/// STAT-3 (待办): tasks of department `department_id` — its own or joined —
/// whose visit has begun (checked in, or check-in skipped) and that still
/// wait for the department's result.
pub async fn due_of_department(mut db: &Db, department_id: i64) -> StoreResult<i64> {
    db.scalar_i64(
        "SELECT COUNT(*) FROM task_participants p JOIN tasks t ON t.id = p.task_id
          WHERE p.department_id = $1 AND (p.kind = 'initiator' OR p.decision = 'join')
            AND t.checked_in_at IS NOT NULL AND t.status NOT IN ('completed', 'cancelled')
            AND NOT EXISTS (SELECT 1 FROM task_results r
                             WHERE r.task_id = t.id AND r.department_id = $1)",
        crate::args![department_id],
    )
    .await
}

/// SQL condition on `task_results r`: the result is in force (nothing corrects it).
pub const IN_FORCE: &str = "NOT EXISTS (SELECT 1 FROM task_results c WHERE c.corrects_id = r.id)";

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
                r.submitted_at, r.due_on, r.late, r.corrects_id, r.correction_reason
           FROM task_results r JOIN departments d ON d.id = r.department_id
          WHERE r.id IN ",
    )
    .push_in(ids())
    .push(" ORDER BY r.id")
    .build();
    let rows = e.fetch_all(&sql, args).await?;
    let (sql, args) = crate::db::Sql::new(
        "SELECT ri.result_id, ri.position, ri.item_id, ri.item_code, ri.item_name,
                ri.other_text, ri.has_problem, ri.problem_description
           FROM result_items ri WHERE ri.result_id IN ",
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
                position: i.get("position")?,
                item_id: i.get("item_id")?,
                code: i.get("item_code")?,
                name: match other {
                    Some(_) => "其他".to_string(),
                    None => i.get::<Option<String>>("item_name")?.unwrap_or_default(),
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
            corrects_id: r.get("corrects_id")?,
            correction_reason: r.get("correction_reason")?,
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
            "SELECT id FROM task_results WHERE task_id = $1 ORDER BY id",
            crate::args![task_id],
        )
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<StoreResult<_>>()?;
    let stored = by_ids(&mut db, &ids).await?;
    let mut departments = Vec::new();
    for p in &task.participants {
        let joined = p.kind == ParticipantKind::Initiator || p.decision == Some(Decision::Join);
        // Newest first: ids grow along a correction chain.
        let mut chain: Vec<TaskResult> = stored
            .iter()
            .filter(|r| r.department_id == p.department_id)
            .rev()
            .cloned()
            .collect();
        if !joined && chain.is_empty() {
            continue;
        }
        let result = (!chain.is_empty()).then(|| chain.remove(0));
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
            superseded: chain,
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
    let items = items_of_department(&mut db, reporter.department_id, task.year).await?;
    let checked_in_at: Option<DateTime<Utc>> = db
        .fetch_one(
            "SELECT checked_in_at FROM tasks WHERE id = $1",
            crate::args![task_id],
        )
        .await?
        .get("checked_in_at")?;
    let submitted = match in_force_of(&mut db, task_id, reporter.department_id).await? {
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
