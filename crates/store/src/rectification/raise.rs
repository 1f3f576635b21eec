//! Rectifications come from results (RES-1): a submitted result raises a
//! draft for each ticked item answered 是, inside the submission's
//! transaction; a correction (RESULT-3) makes them follow it.

use chrono::{DateTime, Utc};
use yici_domain::rectification::{self as rules, StepKind};
use yici_domain::time::business_date;

use crate::audit::{self, Change, Entry};
use crate::db::{Exec, Tx};
use crate::draw::tasks::Task;
use crate::error::StoreResult;
use crate::field::results::{ResultItem, SupervisionItem, TaskResult};
use crate::Actor;

/// What the department asks for until it writes its own requirement.
pub const DEFAULT_REQUIREMENT: &str =
    "针对检查发现的问题立即整改，并于整改期限内提交整改情况说明及佐证材料（整改前后照片、台账、合同或票据等）。";

/// Raises a draft for every problem of `result` (just stored).
pub async fn raise(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    task: &Task,
    result: &TaskResult,
    list: &[SupervisionItem],
) -> StoreResult<()> {
    let mut entries = Vec::new();
    for item in result.items.iter().filter(|i| i.has_problem) {
        let id = insert(tx, now, task, result, item, list).await?;
        step(
            tx,
            id,
            StepKind::Raised,
            "检查结果提交，生成整改任务（待下发）",
            &result.submitted_by_name,
            None,
            now,
        )
        .await?;
        entries.push(entry("rectification.raised", id, item));
    }
    audit::record_many(tx, now, actor, entries).await?;
    Ok(())
}

async fn insert(
    tx: &mut Tx,
    now: DateTime<Utc>,
    task: &Task,
    result: &TaskResult,
    item: &ResultItem,
    list: &[SupervisionItem],
) -> StoreResult<i64> {
    let listed = item.item_id.and_then(|i| list.iter().find(|l| l.id == i));
    let deadline = rules::default_deadline(
        business_date(result.submitted_at),
        listed.and_then(|l| l.rectify_days),
    );
    tx.fetch_one(
        "INSERT INTO rectifications (task_id, result_id, item_position, department_id, unit_id,
                enterprise_id, item_id, item_name, problem, legal_basis, requirement, deadline,
                status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $13, $13)
         RETURNING id",
        crate::args![
            task.id,
            result.id,
            item.position,
            result.department_id,
            task.unit_id,
            task.enterprise_id,
            item.item_id,
            item.label(),
            item.problem_description.clone().unwrap_or_default(),
            listed.map(|l| l.basis.clone()).unwrap_or_default(),
            DEFAULT_REQUIREMENT,
            deadline,
            now
        ],
    )
    .await?
    .get("id")
}

fn entry(action: &str, id: i64, item: &ResultItem) -> Entry {
    Entry::of(Change::<(), _> {
        action,
        entity: "rectification",
        entity_id: id.to_string(),
        before: None,
        after: Some(&serde_json::json!({
            "item": item.label(),
            "problem": item.problem_description,
        })),
    })
}

/// Appends a step to a rectification's history.
pub(crate) async fn step(
    e: &mut impl Exec,
    id: i64,
    kind: StepKind,
    note: &str,
    by_name: &str,
    by_person_id: Option<i64>,
    at: DateTime<Utc>,
) -> StoreResult<i64> {
    e.fetch_one(
        "INSERT INTO rectification_steps (rectification_id, kind, note, by_name, by_person_id, at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        crate::args![id, kind.as_str(), note, by_name, by_person_id, at],
    )
    .await?
    .get("id")
}

/// RESULT-3: after `old` was corrected by `new`, each problem still found
/// keeps its rectification (now naming the new result, its description
/// updated), each problem gone withdraws an open rectification, and each
/// new problem raises a draft. Closed and referred ones stay as they were:
/// they are history.
pub async fn follow(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    task: &Task,
    old: &TaskResult,
    new: &TaskResult,
    list: &[SupervisionItem],
) -> StoreResult<()> {
    let existing = tx
        .fetch_all(
            "SELECT id, item_id, item_name, problem, status FROM rectifications
              WHERE result_id = $1 ORDER BY id",
            crate::args![old.id],
        )
        .await?;
    let mut matched: Vec<i64> = Vec::new();
    let mut entries = Vec::new();
    let by = new.submitted_by_name.as_str();
    for item in new.items.iter().filter(|i| i.has_problem) {
        let mut found = None;
        for r in &existing {
            let same = match item.item_id {
                Some(i) => r.get::<Option<i64>>("item_id")? == Some(i),
                None => r.get::<String>("item_name")? == item.label(),
            };
            if same {
                found = Some((r.get::<i64>("id")?, r.get::<String>("problem")?));
                break;
            }
        }
        let problem = item.problem_description.clone().unwrap_or_default();
        match found {
            Some((id, was)) => {
                matched.push(id);
                tx.execute(
                    "UPDATE rectifications SET result_id = $2, item_position = $3, problem = $4,
                            updated_at = $5 WHERE id = $1",
                    crate::args![id, new.id, item.position, problem.as_str(), now],
                )
                .await?;
                let note = if was == problem {
                    "检查结果已更正，问题仍存在，整改任务继续".to_string()
                } else {
                    format!("检查结果已更正，问题描述改为：{problem}")
                };
                step(tx, id, StepKind::Followed, &note, by, None, now).await?;
                entries.push(entry("rectification.followed", id, item));
            }
            None => {
                let id = insert(tx, now, task, new, item, list).await?;
                step(
                    tx,
                    id,
                    StepKind::Raised,
                    "检查结果更正后发现该问题，生成整改任务（待下发）",
                    by,
                    None,
                    now,
                )
                .await?;
                entries.push(entry("rectification.raised", id, item));
            }
        }
    }
    let reason = new.correction_reason.as_deref().unwrap_or("");
    for r in &existing {
        let id: i64 = r.get("id")?;
        let status: String = r.get("status")?;
        let open = rules::Status::parse(&status).is_some_and(|s| s.is_open());
        if matched.contains(&id) || !open {
            continue;
        }
        tx.execute(
            "UPDATE rectifications SET status = 'withdrawn', updated_at = $2 WHERE id = $1",
            crate::args![id, now],
        )
        .await?;
        step(
            tx,
            id,
            StepKind::Withdrawn,
            &format!("检查结果更正后不再存在该问题，整改任务撤销。更正原因：{reason}"),
            by,
            None,
            now,
        )
        .await?;
        entries.push(Entry::of(Change {
            action: "rectification.withdrawn",
            entity: "rectification",
            entity_id: id.to_string(),
            before: Some(&serde_json::json!({ "status": status })),
            after: Some(&serde_json::json!({ "status": "withdrawn" })),
        }));
    }
    audit::record_many(tx, now, actor, entries).await?;
    Ok(())
}
