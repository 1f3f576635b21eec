//! Tasks (双随机任务): creating them for ticked enterprises (定向抽取, DRAW-2)
//! or for a draw's result, cancelling them (DRAW-9), and the task list with the
//! manual's filters (JOINT-4).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::draw::caps::{Refusal, TaskSource};
use yici_domain::draw::policy::DrawPolicy;
use yici_domain::draw::task::{self, Emergency, Method, TaskStatus, TaskView};
use yici_domain::joint::{self, JointStatus, ParticipantKind};
use yici_domain::org::Principal;
use yici_domain::registry::enterprise::EnterpriseStatus;
use yici_domain::{DomainError, DomainResult};

use super::{ledger, retrying, Initiator};
use crate::audit::{self, Change, Entry};
use crate::db::{insert_rows, Arg, Db, Exec, Row, Tx};
use crate::error::{StoreError, StoreResult};
use crate::joint::participants::{self, Participant};
use crate::org::parse_code;
use crate::registry::search::like_escape;

/// An inspector on a task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskInspector {
    pub person_id: i64,
    pub name: String,
    pub department_name: String,
    pub unit_name: String,
    /// Chosen by an inspector draw (DRAW-4), not by hand.
    pub drawn: bool,
    /// The inspector draw that chose them.
    pub draw_id: Option<i64>,
    /// The participating department they inspect for.
    pub for_department_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Task {
    pub id: i64,
    pub year: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub enterprise_uscc: String,
    pub enterprise_address: String,
    pub region_code: String,
    pub city_name: String,
    pub county_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub source: TaskSource,
    /// Holds a slot of the frequency caps (日常检查, 专项检查).
    pub capped: bool,
    pub method: Method,
    pub draw_id: Option<i64>,
    pub status: TaskStatus,
    pub emergency: Option<Emergency>,
    pub inspected_on: Option<NaiveDate>,
    pub frequency_note: Option<String>,
    pub planned_on: Option<NaiveDate>,
    /// Who extracted the task, and when (shown on the task).
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by_name: Option<String>,
    pub cancel_reason: Option<String>,
    pub inspectors: Vec<TaskInspector>,
    /// The initiator, the notified departments and invited partner agencies,
    /// decisions as of the time of reading.
    pub participants: Vec<Participant>,
    /// JOINT-5: 联合检查 once another department joins; 未形成联合检查 when
    /// every other one declined or let the deadline pass.
    pub joint: JointStatus,
}

const SELECT: &str = "SELECT t.id, t.year, t.enterprise_id, e.name AS enterprise_name,
        e.uscc AS enterprise_uscc, e.address AS enterprise_address, e.region_code,
        e.city_name, e.county_name, t.unit_id, u.name AS unit_name, t.department_id,
        d.name AS department_name, t.source, t.capped, t.method, t.draw_id, t.status,
        t.emergency, t.inspected_on, t.frequency_note, t.planned_on, t.created_by_name,
        t.created_at, t.cancelled_at, t.cancelled_by_name, t.cancel_reason
   FROM tasks t
   JOIN enterprises e ON e.id = t.enterprise_id
   JOIN units u ON u.id = t.unit_id
   JOIN departments d ON d.id = t.department_id";

fn from_row(r: &Row) -> StoreResult<Task> {
    let emergency: Option<String> = r.get("emergency")?;
    Ok(Task {
        id: r.get("id")?,
        year: r.get("year")?,
        enterprise_id: r.get("enterprise_id")?,
        enterprise_name: r.get("enterprise_name")?,
        enterprise_uscc: r.get("enterprise_uscc")?,
        enterprise_address: r.get("enterprise_address")?,
        region_code: r.get("region_code")?,
        city_name: r.get("city_name")?,
        county_name: r.get("county_name")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        department_id: r.get("department_id")?,
        department_name: r.get("department_name")?,
        source: parse_code(&r.get::<String>("source")?, TaskSource::parse)?,
        capped: r.get("capped")?,
        method: parse_code(&r.get::<String>("method")?, Method::parse)?,
        draw_id: r.get("draw_id")?,
        status: parse_code(&r.get::<String>("status")?, TaskStatus::parse)?,
        emergency: emergency
            .map(|e| parse_code(&e, Emergency::parse))
            .transpose()?,
        inspected_on: r.get("inspected_on")?,
        frequency_note: r.get("frequency_note")?,
        planned_on: r.get("planned_on")?,
        created_by_name: r.get("created_by_name")?,
        created_at: r.get("created_at")?,
        cancelled_at: r.get("cancelled_at")?,
        cancelled_by_name: r.get("cancelled_by_name")?,
        cancel_reason: r.get("cancel_reason")?,
        inspectors: Vec::new(),
        participants: Vec::new(),
        joint: JointStatus::Pending,
    })
}

/// What a request to create tasks says besides the enterprises.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct TaskOptions {
    /// 任务来源: routine, special_campaign, complaint, referral,
    /// data_monitoring, on_request, media_report, other (code or label).
    pub source: Option<String>,
    /// Default: this year. A past year is refused.
    pub year: Option<i64>,
    /// The initiating department: only the user's own (default).
    pub department_id: Option<i64>,
    /// DRAW-8: environmental_emergency, urgent_complaint or public_opinion —
    /// an inspection already made, recorded afterwards (补录).
    pub emergency: Option<String>,
    /// The date of an emergency inspection.
    pub inspected_on: Option<NaiveDate>,
    /// The reason acknowledging the reasonable-frequency warning (DRAW-7).
    pub acknowledge_reason: Option<String>,
}

/// The checked options.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub year: i64,
    pub source: TaskSource,
    pub method: Method,
    pub draw_id: Option<i64>,
    pub emergency: Option<(Emergency, NaiveDate)>,
    pub acknowledged: Option<String>,
}

impl TaskOptions {
    pub(crate) fn check(&self, today: NaiveDate, method: Method) -> DomainResult<Spec> {
        let source = task::parse_source(self.source.as_deref())?;
        let this_year = i64::from(chrono::Datelike::year(&today));
        let year = task::check_year(
            i32::try_from(self.year.unwrap_or(this_year)).unwrap_or(i32::MIN),
            today,
        )?;
        let emergency = match self
            .emergency
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(e) => {
                let kind = Emergency::parse(e)
                    .ok_or_else(|| DomainError::field("emergency", "invalid", "紧急情形有误"))?;
                Some((
                    kind,
                    task::check_emergency_date(self.inspected_on, year, today)?,
                ))
            }
        };
        let acknowledged = self
            .acknowledge_reason
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| task::reason("acknowledge_reason", Some(s), "确认理由"))
            .transpose()?;
        Ok(Spec {
            year: i64::from(year),
            source,
            method,
            draw_id: None,
            emergency,
            acknowledged,
        })
    }
}

/// The refusal of an extraction that met a cap, naming each enterprise.
pub(crate) fn refusal_error(
    policy: &DrawPolicy,
    refused: &[(i64, Refusal)],
    names: &HashMap<i64, String>,
) -> DomainError {
    let text = |(id, why): &(i64, Refusal)| {
        format!(
            "{}：{}",
            names.get(id).map(String::as_str).unwrap_or("企业"),
            why.message(&policy.caps)
        )
    };
    match refused {
        [one] => DomainError::conflict(
            match one.1 {
                Refusal::Department => "cap_department",
                Refusal::Unit => "cap_unit",
                Refusal::AllLevels => "cap_all_levels",
            },
            text(one),
        ),
        many => DomainError::conflict(
            "cap_reached",
            format!(
                "以下企业已达检查频次上限，本次未抽取任何企业：{}",
                many.iter().map(text).collect::<Vec<_>>().join("；")
            ),
        ),
    }
}

/// Inserts one task per enterprise in the caller's transaction, taking the
/// cap slots first. `Ok(Err(refused))` when a cap said no: the caller drops
/// the transaction.
pub(crate) async fn insert(
    tx: &mut Tx,
    policy: &DrawPolicy,
    now: DateTime<Utc>,
    who: &Initiator,
    spec: &Spec,
    enterprises: &[(i64, String)],
) -> StoreResult<Result<Vec<i64>, Vec<(i64, Refusal)>>> {
    let ids: Vec<i64> = enterprises.iter().map(|(id, _)| *id).collect();
    let capped = spec.source.is_capped();
    let mut notes: HashMap<i64, String> = HashMap::new();
    if capped {
        let refused = ledger::take(
            tx,
            &policy.caps,
            spec.year,
            who.unit_id,
            who.department_id,
            &ids,
        )
        .await?;
        if !refused.is_empty() {
            return Ok(Err(refused));
        }
    } else {
        // DRAW-7: uncapped, but not "明显超过合理频次".
        let counts = unit_counts(tx, spec.year, who.unit_id, &ids).await?;
        for (id, name) in enterprises {
            let already = counts.get(id).copied().unwrap_or(0);
            if policy.needs_acknowledgement(already) {
                match &spec.acknowledged {
                    Some(reason) => {
                        notes.insert(*id, reason.clone());
                    }
                    None => {
                        return Err(DomainError::conflict(
                            "frequency_warning",
                            format!("{name}：{}", policy.frequency_warning(already)),
                        )
                        .on("acknowledge_reason")
                        .into())
                    }
                }
            }
        }
    }
    let rows: Vec<Vec<Arg>> = ids
        .iter()
        .map(|id| {
            vec![
                spec.year.into(),
                (*id).into(),
                who.unit_id.into(),
                who.department_id.into(),
                spec.source.as_str().into(),
                capped.into(),
                spec.method.as_str().into(),
                spec.draw_id.into(),
                TaskStatus::Drawn.as_str().into(),
                spec.emergency.map(|(e, _)| e.as_str()).into(),
                spec.emergency.map(|(_, d)| d).into(),
                notes.get(id).cloned().into(),
                who.actor.account_id.into(),
                who.name.as_str().into(),
                now.into(),
            ]
        })
        .collect();
    let created = insert_rows(
        tx,
        "tasks",
        &[
            "year",
            "enterprise_id",
            "unit_id",
            "department_id",
            "source",
            "capped",
            "method",
            "draw_id",
            "status",
            "emergency",
            "inspected_on",
            "frequency_note",
            "created_by",
            "created_by_name",
            "created_at",
        ],
        rows,
        "id",
    )
    .await?
    .iter()
    .map(|r| r.get::<i64>("id"))
    .collect::<StoreResult<Vec<i64>>>()?;
    participants::notify_on_extraction(tx, now, who, &created).await?;
    Ok(Ok(created))
}

/// Tasks (any source, not cancelled) of a unit on each enterprise this year.
async fn unit_counts(
    tx: &mut Tx,
    year: i64,
    unit_id: i64,
    ids: &[i64],
) -> StoreResult<HashMap<i64, u32>> {
    let (sql, args) = crate::db::Sql::with(
        "SELECT enterprise_id, COUNT(*) AS n FROM tasks
          WHERE year = $1 AND unit_id = $2 AND status <> 'cancelled' AND NOT capped
            AND enterprise_id IN ",
        vec![year.into(), unit_id.into()],
    )
    .push_in(ids.iter().copied())
    .push(" GROUP BY enterprise_id")
    .build();
    let rows = tx.fetch_all(&sql, args).await?;
    rows.iter()
        .map(|r| Ok((r.get("enterprise_id")?, r.get::<i64>("n")? as u32)))
        .collect()
}

/// Audit entries for new tasks (one per task, the task as created), after
/// `first` (the draw that made them, when one did): one append to the chain.
pub(crate) async fn audit_created(
    tx: &mut Tx,
    now: DateTime<Utc>,
    who: &Initiator,
    ids: &[i64],
    first: Option<Entry>,
) -> StoreResult<Vec<Task>> {
    let tasks = read(tx, ids, now, Inspectors::NoneYet).await?;
    let entries = first
        .into_iter()
        .chain(tasks.iter().map(|t| {
            Entry::of(Change::<(), Task> {
                action: "task.create",
                entity: "task",
                entity_id: t.id.to_string(),
                before: None,
                after: Some(t),
            })
        }))
        .collect();
    audit::record_many(tx, now, &who.actor, entries).await?;
    Ok(tasks)
}

/// The request's enterprises: each must exist, lie in the initiator's scope
/// and not be closed. Returns (id, name) in request order.
pub(crate) async fn checked_enterprises(
    e: &mut impl Exec,
    who: &Initiator,
    ids: &[i64],
) -> StoreResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Err(DomainError::field("enterprise_ids", "required", "请至少选择一家企业").into());
    }
    if ids.len() > 200 {
        return Err(
            DomainError::field("enterprise_ids", "too_many", "一次最多抽取200家企业").into(),
        );
    }
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(
            DomainError::field("enterprise_ids", "duplicate_enterprise", "企业重复选择").into(),
        );
    }
    let (sql, args) = crate::db::Sql::new(
        "SELECT id, name, status, province_code, city_code, region_code
           FROM enterprises WHERE id IN ",
    )
    .push_in(ids.iter().copied())
    .build();
    let rows = e.fetch_all(&sql, args).await?;
    let mut found: HashMap<i64, (String, String, bool)> = HashMap::new();
    for r in &rows {
        let inside = who.scope.contains_region(
            &r.get::<String>("province_code")?,
            &r.get::<String>("city_code")?,
            &r.get::<String>("region_code")?,
        );
        found.insert(r.get("id")?, (r.get("name")?, r.get("status")?, inside));
    }
    ids.iter()
        .map(|id| match found.get(id) {
            Some((name, status, true)) => {
                if status == EnterpriseStatus::Closed.as_str() {
                    Err(DomainError::field(
                        "enterprise_ids",
                        "enterprise_closed",
                        format!("{name}已关闭（注销），不能抽取"),
                    )
                    .into())
                } else {
                    Ok((*id, name.clone()))
                }
            }
            _ => Err(DomainError::field(
                "enterprise_ids",
                "unknown_enterprise",
                format!("企业（编号{id}）不存在或不在本单位管辖范围内"),
            )
            .into()),
        })
        .collect()
}

/// 定向抽取: one task per ticked enterprise, all or none.
pub async fn create_directed(
    mut db: &Db,
    policy: &DrawPolicy,
    now: DateTime<Utc>,
    who: &Initiator,
    options: &TaskOptions,
    enterprise_ids: &[i64],
) -> StoreResult<Vec<Task>> {
    let today = yici_domain::time::business_date(now);
    let spec = options.check(today, Method::Directed)?;
    let enterprises = checked_enterprises(&mut db, who, enterprise_ids).await?;
    let names: HashMap<i64, String> = enterprises.iter().cloned().collect();
    retrying(|| async {
        let mut tx = db.begin().await?;
        match insert(&mut tx, policy, now, who, &spec, &enterprises).await? {
            Err(refused) => Err(refusal_error(policy, &refused, &names).into()),
            Ok(ids) => {
                let tasks = audit_created(&mut tx, now, who, &ids, None).await?;
                tx.commit().await?;
                Ok(tasks)
            }
        }
    })
    .await
}

/// DRAW-9: cancel a task before any result, with a reason; its cap slots are
/// given back in the same transaction. The initiating department (its
/// members and secretary) and the system administrator may cancel.
pub async fn cancel(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    reason: Option<&str>,
) -> StoreResult<Task> {
    let reason = task::reason("reason", reason, "取消原因")?;
    let allowed = |before: &Task| {
        let owner = principal.has(yici_domain::org::Role::SystemAdmin)
            || principal.department_id == Some(before.department_id);
        if !owner {
            return Err(DomainError::forbidden("只有发起处室可以取消任务"));
        }
        if !before.status.may_cancel() {
            return Err(DomainError::conflict(
                "task_not_cancellable",
                format!(
                    "任务{}，不能取消（已录入检查结果的任务不能取消）",
                    before.status.label()
                ),
            ));
        }
        Ok(())
    };
    mutate(
        db,
        now,
        principal,
        id,
        "task.cancel",
        allowed,
        async |tx, before| {
            let changed = tx
            .execute(
                "UPDATE tasks SET status = 'cancelled', cancelled_at = $1, cancelled_by_name = $2,
                        cancel_reason = $3
                  WHERE id = $4 AND status IN ('drawn', 'scheduled')",
                vec![
                    now.into(),
                    principal.display_name.as_str().into(),
                    reason.into(),
                    id.into(),
                ],
            )
            .await?;
            if changed != 1 {
                return Err(
                    DomainError::conflict("conflict", "任务状态已变化，请刷新后重试").into(),
                );
            }
            if before.capped {
                ledger::release(
                    tx,
                    before.year,
                    before.unit_id,
                    before.department_id,
                    before.enterprise_id,
                )
                .await?;
            }
            Ok(())
        },
    )
    .await
}

async fn get_in(e: &mut impl Exec, id: i64, now: DateTime<Utc>) -> StoreResult<Task> {
    by_ids(e, &[id], now)
        .await?
        .pop()
        .ok_or_else(|| DomainError::not_found("任务不存在").into())
}

/// Tasks by id, with their inspectors and participants (decisions as of
/// `now`), in id order.
pub async fn by_ids(e: &mut impl Exec, ids: &[i64], now: DateTime<Utc>) -> StoreResult<Vec<Task>> {
    read(e, ids, now, Inspectors::Read).await
}

/// Whether reading tasks must look for their inspectors: tasks read back in
/// the transaction that created them have none yet (one statement less on
/// every extraction).
#[derive(PartialEq)]
enum Inspectors {
    Read,
    NoneYet,
}

async fn read(
    e: &mut impl Exec,
    ids: &[i64],
    now: DateTime<Utc>,
    inspectors: Inspectors,
) -> StoreResult<Vec<Task>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, args) = crate::db::Sql::new(&format!("{SELECT} WHERE t.id IN "))
        .push_in(ids.iter().copied())
        .push(" ORDER BY t.id")
        .build();
    let rows = e.fetch_all(&sql, args).await?;
    let mut tasks: Vec<Task> = rows.iter().map(from_row).collect::<StoreResult<_>>()?;
    if inspectors == Inspectors::Read {
        attach_inspectors(e, &mut tasks).await?;
    }
    let mut by_task = participants::of_tasks(e, ids, now).await?;
    for t in tasks.iter_mut() {
        t.participants = by_task.remove(&t.id).unwrap_or_default();
        let others: Vec<_> = t
            .participants
            .iter()
            .filter(|p| p.kind != ParticipantKind::Initiator)
            .map(|p| p.decision)
            .collect();
        t.joint = joint::joint_status(&others);
    }
    Ok(tasks)
}

async fn attach_inspectors(e: &mut impl Exec, tasks: &mut [Task]) -> StoreResult<()> {
    if tasks.is_empty() {
        return Ok(());
    }
    let (sql, args) = crate::db::Sql::new(
        "SELECT ti.task_id, p.id AS person_id, p.name, d.name AS department_name,
                u.name AS unit_name, ti.draw_id, ti.for_department_id
           FROM task_inspectors ti
           JOIN people p ON p.id = ti.person_id
           JOIN departments d ON d.id = p.department_id
           JOIN units u ON u.id = d.unit_id
          WHERE ti.task_id IN ",
    )
    .push_in(tasks.iter().map(|t| t.id))
    .push(" ORDER BY ti.task_id, ti.added_at, p.id")
    .build();
    let rows = e.fetch_all(&sql, args).await?;
    let mut by_task: HashMap<i64, Vec<TaskInspector>> = HashMap::new();
    for r in &rows {
        by_task
            .entry(r.get("task_id")?)
            .or_default()
            .push(TaskInspector {
                person_id: r.get("person_id")?,
                name: r.get("name")?,
                department_name: r.get("department_name")?,
                unit_name: r.get("unit_name")?,
                drawn: r.get::<Option<i64>>("draw_id")?.is_some(),
                draw_id: r.get("draw_id")?,
                for_department_id: r.get("for_department_id")?,
            });
    }
    for t in tasks.iter_mut() {
        t.inspectors = by_task.remove(&t.id).unwrap_or_default();
    }
    Ok(())
}

/// Whether the principal may see a task: the initiating unit's people, the
/// departments on it (invited partner agencies included) or whose people are
/// on it, and the system administrator. The list of drawn enterprises is
/// confidential until the visit (docs/domain.md).
pub fn may_view(principal: &Principal, task: &Task, on_it: bool) -> bool {
    principal.has(yici_domain::org::Role::SystemAdmin)
        || principal.unit_id == Some(task.unit_id)
        || task
            .participants
            .iter()
            .any(|p| Some(p.department_id) == principal.department_id)
        || on_it
}

/// One task, if the principal may see it.
pub async fn get(
    mut db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    id: i64,
) -> StoreResult<Task> {
    visible_in(&mut db, principal, now, id).await
}

/// The task as `principal` may see it, read with `e` (the write transaction
/// when the caller goes on to change it). A task the principal may not see is
/// "not found", the same answer as a task that doesn't exist, so an
/// operation that starts here never tells who may not see it that it exists.
pub async fn visible_in(
    e: &mut impl Exec,
    principal: &Principal,
    now: DateTime<Utc>,
    id: i64,
) -> StoreResult<Task> {
    // A missing task answers exactly as a hidden one.
    let Some(t) = by_ids(e, &[id], now).await?.pop() else {
        return Err(hidden_task());
    };
    let on_it = match principal.department_id {
        Some(d) => {
            e.scalar_i64(
                "SELECT COUNT(*) FROM task_inspectors ti JOIN people p ON p.id = ti.person_id
                  WHERE ti.task_id = $1 AND p.department_id = $2",
                vec![id.into(), d.into()],
            )
            .await?
                > 0
        }
        None => false,
    };
    if may_view(principal, &t, on_it) {
        Ok(t)
    } else {
        Err(hidden_task())
    }
}

/// A task that does not exist, or that the principal may not see (SEC-3).
fn hidden_task() -> StoreError {
    DomainError::not_found("任务不存在或无权查看").into()
}

/// Every change to one task has this shape, in one write transaction: the
/// task as the principal may see it (not found otherwise), `allowed` says
/// whether this principal may make this change to the task as it stands
/// (its owner, its status), `change` writes, and the task is read back and
/// the change audited under `action` with the whole task before and after.
/// Forgetting a step can't happen one operation at a time.
pub async fn mutate<F>(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    action: &'static str,
    allowed: impl FnOnce(&Task) -> DomainResult<()>,
    change: F,
) -> StoreResult<Task>
where
    F: AsyncFnOnce(&mut Tx, &Task) -> StoreResult<()>,
{
    let mut tx = db.begin().await?;
    let after = mutate_in(&mut tx, now, principal, id, action, allowed, change).await?;
    tx.commit().await?;
    Ok(after)
}

/// [`mutate`] inside a transaction the caller commits: several tasks changed
/// together (批量设置) stand or fall as one.
pub async fn mutate_in<F>(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    action: &'static str,
    allowed: impl FnOnce(&Task) -> DomainResult<()>,
    change: F,
) -> StoreResult<Task>
where
    F: AsyncFnOnce(&mut Tx, &Task) -> StoreResult<()>,
{
    let before = visible_in(tx, principal, now, id).await?;
    allowed(&before)?;
    change(tx, &before).await?;
    let after = get_in(tx, id, now).await?;
    audit::record(
        tx,
        now,
        &crate::Actor::from(principal),
        Change {
            action,
            entity: "task",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

/// The task list's filters (JOINT-4).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// Default: this year.
    pub year: Option<i64>,
    /// County (6 digits) or city code of the enterprise.
    pub region_code: Option<String>,
    /// Part of the initiating department's name or of the initiator's name.
    pub initiator: Option<String>,
    /// drawn, scheduled, in_progress, completed, cancelled
    pub status: Option<String>,
    /// initiated (我发起的), participating (我参与的), assisting (我协办的),
    /// may_join (我可参与的); empty: every task the user may see.
    pub view: Option<String>,
    /// Part of the enterprise name.
    pub keyword: Option<String>,
    pub page: Option<i64>,
    /// 1–200, default 20.
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<ListedTask>,
}

/// A task of the list with what its results found so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListedTask {
    #[serde(flatten)]
    pub task: Task,
    /// Departments' results submitted (检查结果).
    pub results: i64,
    /// 发现问题: ticked items answered 是 across the submitted results.
    pub problems_found: i64,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The task list.
pub async fn list(
    mut db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    q: &TaskQuery,
) -> StoreResult<TaskPage> {
    let year = q.year.unwrap_or_else(|| {
        i64::from(chrono::Datelike::year(&yici_domain::time::business_date(
            now,
        )))
    });
    let per_page = q.per_page.unwrap_or(20);
    if !(1..=200).contains(&per_page) {
        return Err(DomainError::field("per_page", "invalid", "每页条数应为1至200").into());
    }
    let page = q.page.unwrap_or(1).max(1);
    // The WHERE clause with its arguments.
    let mut args = crate::db::Sql::with("t.year = $1", vec![year.into()]);
    let add = |clause: &str, values: Vec<Arg>, args: &mut crate::db::Sql| {
        args.push(" AND ").push_with(clause, values);
    };
    let sysadmin = principal.has(yici_domain::org::Role::SystemAdmin);
    let unit = principal.unit_id.unwrap_or(-1);
    let dept = principal.department_id.unwrap_or(-1);
    // People of my department on the task.
    let mine_on_it = "EXISTS (SELECT 1 FROM task_inspectors ti JOIN people p ON p.id = ti.person_id
                               WHERE ti.task_id = t.id AND p.department_id = ?1)";
    match given(&q.view) {
        None => {
            if !sysadmin {
                add(
                    &format!(
                        "(t.unit_id = ?1 OR {} OR EXISTS (SELECT 1 FROM task_participants tp
                                                      WHERE tp.task_id = t.id AND tp.department_id = ?2))",
                        mine_on_it.replace("?1", "?2")
                    ),
                    vec![unit.into(), dept.into()],
                    &mut args,
                );
            }
        }
        Some(v) => match TaskView::parse(v) {
            Some(TaskView::Initiated) => add("t.department_id = ?1", vec![dept.into()], &mut args),
            Some(TaskView::Participating) => add(
                "EXISTS (SELECT 1 FROM task_participants tp
                          WHERE tp.task_id = t.id AND tp.department_id = ?1
                            AND tp.kind <> 'initiator' AND tp.decision = 'join')",
                vec![dept.into()],
                &mut args,
            ),
            Some(TaskView::Assisting) => add(
                &format!("t.unit_id <> ?2 AND {mine_on_it}"),
                vec![dept.into(), unit.into()],
                &mut args,
            ),
            // Undecided and not yet due (a lapse not yet written down is past).
            Some(TaskView::MayJoin) => add(
                "t.status IN ('drawn', 'scheduled') AND EXISTS (
                     SELECT 1 FROM task_participants tp
                      WHERE tp.task_id = t.id AND tp.department_id = ?1
                        AND tp.decision IS NULL AND tp.decide_by > ?2)",
                vec![dept.into(), now.into()],
                &mut args,
            ),
            None => return Err(DomainError::field("view", "invalid", "任务类型有误").into()),
        },
    }
    if let Some(r) = given(&q.region_code) {
        if r.len() != 6 || !r.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::field("region_code", "invalid", "地区代码应为6位数字").into());
        }
        if r.ends_with("00") {
            add("e.city_code = ?1", vec![r.into()], &mut args);
        } else {
            add("e.region_code = ?1", vec![r.into()], &mut args);
        }
    }
    if let Some(i) = given(&q.initiator) {
        let pattern = format!("%{}%", like_escape(i));
        add(
            "(d.name LIKE ?1 ESCAPE '\\' OR t.created_by_name LIKE ?1 ESCAPE '\\')",
            vec![pattern.into()],
            &mut args,
        );
    }
    if let Some(k) = given(&q.keyword) {
        let pattern = format!("%{}%", like_escape(k));
        add(
            "e.name LIKE ?1 ESCAPE '\\'",
            vec![pattern.into()],
            &mut args,
        );
    }
    if let Some(s) = given(&q.status) {
        let s = TaskStatus::parse(s)
            .ok_or_else(|| DomainError::field("status", "invalid", "任务状态有误"))?;
        add("t.status = ?1", vec![s.as_str().into()], &mut args);
    }
    let from = "FROM tasks t
           JOIN enterprises e ON e.id = t.enterprise_id
           JOIN departments d ON d.id = t.department_id";
    let filter = args;
    let (sql, args) = crate::db::Sql::new(&format!("SELECT COUNT(*) {from} WHERE "))
        .push_sql(&filter)
        .build();
    let total = db.scalar_i64(&sql, args).await?;
    // The page's ids with their results' tallies in the same statement:
    // departments that submitted (originals: a correction replaces, it does
    // not add) and problems in the results in force.
    let (sql, args) = crate::db::Sql::new(&format!(
        "SELECT t.id,
                (SELECT COUNT(*) FROM task_results r
                  WHERE r.task_id = t.id AND r.corrects_id IS NULL) AS results,
                (SELECT COUNT(*) FROM task_results r
                   JOIN result_items ri ON ri.result_id = r.id
                  WHERE r.task_id = t.id AND ri.has_problem
                    AND NOT EXISTS (SELECT 1 FROM task_results c WHERE c.corrects_id = r.id))
                  AS problems_found
           {from} WHERE "
    ))
    .push_sql(&filter)
    .push(" ORDER BY t.id DESC LIMIT ")
    .push_bind(per_page)
    .push(" OFFSET ")
    .push_bind((page - 1) * per_page)
    .build();
    let rows = db.fetch_all(&sql, args).await?;
    let mut tallies = HashMap::new();
    let mut ids = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.get("id")?;
        ids.push(id);
        tallies.insert(
            id,
            (r.get::<i64>("results")?, r.get::<i64>("problems_found")?),
        );
    }
    let mut items: Vec<ListedTask> = by_ids(&mut db, &ids, now)
        .await?
        .into_iter()
        .map(|task| {
            let (results, problems_found) = tallies.get(&task.id).copied().unwrap_or((0, 0));
            ListedTask {
                task,
                results,
                problems_found,
            }
        })
        .collect();
    items.reverse();
    Ok(TaskPage {
        total,
        page,
        per_page,
        items,
    })
}

/// The tasks a draw made, by enterprise id.
pub async fn task_ids_of_draw(mut db: &Db, draw_id: i64) -> StoreResult<HashMap<i64, i64>> {
    db.fetch_all(
        "SELECT enterprise_id, id FROM tasks WHERE draw_id = $1",
        vec![draw_id.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("enterprise_id")?, r.get("id")?)))
    .collect()
}

/// Tasks of an enterprise (the profile's 检查记录 tab), newest first.
pub async fn of_enterprise(
    mut db: &Db,
    enterprise_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Task>> {
    let ids: Vec<i64> = db
        .fetch_all(
            "SELECT id FROM tasks WHERE enterprise_id = $1 ORDER BY id DESC LIMIT 100",
            vec![enterprise_id.into()],
        )
        .await?
        .iter()
        .map(|r| r.get::<i64>("id"))
        .collect::<StoreResult<_>>()?;
    let mut tasks = by_ids(&mut db, &ids, now).await?;
    tasks.reverse();
    Ok(tasks)
}
