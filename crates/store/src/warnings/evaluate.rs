//! Raising warnings: [`evaluate_task`] reads one task's facts and raises
//! what the rules find, inside the transaction that changed them; the job's
//! [`evaluate_due`] finds the tasks a passing deadline may have changed.

use chrono::{DateTime, Utc};
use yici_domain::joint::{self, Decision};
use yici_domain::rectification::Status;
use yici_domain::time::{business_date, start_of};
use yici_domain::warnings::{
    self as rules, LapsedParticipant, RectificationFact, Rules, TaskFacts, WarningKind,
};

use crate::audit::{self, Change, Entry};
use crate::db::{Db, Exec, Tx};
use crate::error::StoreResult;
use crate::org::parse_code;
use crate::Actor;

/// The day a task was visited: its check-in's business day, or the
/// inspection day of an emergency recorded afterwards.
fn visit_day(
    checked_in_at: Option<DateTime<Utc>>,
    inspected_on: Option<chrono::NaiveDate>,
) -> Option<chrono::NaiveDate> {
    checked_in_at.map(business_date).or(inspected_on)
}

/// The facts the rules read about a task, and its unit; `None` when there
/// is no such task.
pub async fn facts(
    e: &mut impl Exec,
    task_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<(i64, TaskFacts)>> {
    let Some(t) = e
        .fetch_optional(
            "SELECT t.unit_id, t.enterprise_id, t.status, t.remote, t.checked_in_at, t.check_in_method,
                    t.check_in_skip_reason, t.oral_notice_at, t.emergency, t.inspected_on,
                    (SELECT COUNT(*) FROM documents d WHERE d.task_id = t.id
                        AND d.kind = 'approval_form' AND d.status IN ('approved', 'issued')) AS approvals,
                    (SELECT COUNT(*) FROM documents d WHERE d.task_id = t.id
                        AND d.kind = 'inspection_notice' AND d.status = 'served') AS notices,
                    (SELECT COUNT(*) FROM rectifications r WHERE r.revisit_task_id = t.id) AS revisits
               FROM tasks t WHERE t.id = $1",
            crate::args![task_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let unit_id: i64 = t.get("unit_id")?;
    let enterprise_id: i64 = t.get("enterprise_id")?;
    let status: String = t.get("status")?;
    let checked_in_at: Option<DateTime<Utc>> = t.get("checked_in_at")?;
    let visit = visit_day(checked_in_at, t.get("inspected_on")?);
    let emergency: Option<String> = t.get("emergency")?;
    let oral: Option<DateTime<Utc>> = t.get("oral_notice_at")?;
    let urgent_since = oral
        .map(business_date)
        .or_else(|| emergency.and(t.get("inspected_on").ok().flatten()));
    let mut f = TaskFacts {
        cancelled: status == "cancelled",
        completed: status == "completed",
        remote: t.get("remote")?,
        visit_day: visit,
        checked_in_day: checked_in_at.map(business_date),
        check_in_skipped: t.get::<Option<String>>("check_in_method")?.as_deref() == Some("skipped"),
        check_in_skip_reason: t.get("check_in_skip_reason")?,
        urgent_since,
        approval_approved: t.get::<i64>("approvals")? > 0,
        notice_served: t.get::<i64>("notices")? > 0,
        revisit: t.get::<i64>("revisits")? > 0,
        ..Default::default()
    };
    if let Some(visit) = visit {
        // The latest earlier visit of the unit to the enterprise.
        let others = e
            .fetch_all(
                "SELECT id, checked_in_at, inspected_on FROM tasks
                  WHERE enterprise_id = $1 AND unit_id = $2 AND id <> $3 AND status <> 'cancelled'
                    AND (checked_in_at IS NOT NULL OR inspected_on IS NOT NULL)",
                crate::args![enterprise_id, unit_id, task_id],
            )
            .await?;
        for r in others {
            let id: i64 = r.get("id")?;
            let Some(day) = visit_day(r.get("checked_in_at")?, r.get("inspected_on")?) else {
                continue;
            };
            let earlier = day < visit || (day == visit && id < task_id);
            if earlier && f.previous_visit.is_none_or(|(_, d)| day > d) {
                f.previous_visit = Some((id, day));
            }
        }
    }
    for r in e
        .fetch_all(
            "SELECT d.name, p.decide_by, p.decision, p.decided_at FROM task_participants p
               JOIN departments d ON d.id = p.department_id
              WHERE p.task_id = $1 AND p.kind <> 'initiator' ORDER BY d.id",
            crate::args![task_id],
        )
        .await?
    {
        let decision = r
            .get::<Option<String>>("decision")?
            .map(|d| parse_code(&d, Decision::parse))
            .transpose()?;
        let decide_by: Option<DateTime<Utc>> = r.get("decide_by")?;
        let decided_at: Option<DateTime<Utc>> = r.get("decided_at")?;
        // Closed by the task's completion before the 72 hours were up: the
        // department was never late (participants::close_on_completion).
        let closed_early = matches!((decided_at, decide_by), (Some(at), Some(by)) if at < by);
        if !closed_early && joint::effective(decision, decide_by, now) == Some(Decision::Lapsed) {
            f.lapsed.push(LapsedParticipant {
                department_name: r.get("name")?,
                decide_by: decide_by.unwrap_or(now),
            });
        }
    }
    for r in e
        .fetch_all(
            "SELECT d.name FROM task_results r JOIN departments d ON d.id = r.department_id
              WHERE r.task_id = $1 AND r.late AND r.corrects_id IS NULL ORDER BY d.id",
            crate::args![task_id],
        )
        .await?
    {
        f.late_results.push(r.get("name")?);
    }
    for r in e
        .fetch_all(
            "SELECT item_name, status, deadline FROM rectifications WHERE task_id = $1 ORDER BY id",
            crate::args![task_id],
        )
        .await?
    {
        f.rectifications.push(RectificationFact {
            item_name: r.get("item_name")?,
            status: parse_code(&r.get::<String>("status")?, Status::parse)?,
            deadline: r.get("deadline")?,
        });
    }
    Ok(Some((unit_id, f)))
}

/// Raises the warnings the rules find for one task and it never had (a
/// closed one settles its kind); returns how many were raised. Runs inside
/// the transaction that changed the facts, after its own audit entry (the
/// audit chain is locked first, as everywhere), or in the job's.
pub async fn evaluate_task(
    tx: &mut Tx,
    task_id: i64,
    now: DateTime<Utc>,
    rules: &Rules,
) -> StoreResult<usize> {
    let Some((unit_id, f)) = facts(tx, task_id, now).await? else {
        return Ok(0);
    };
    let findings = rules::evaluate(rules, &f, now);
    if findings.is_empty() {
        return Ok(0);
    }
    let had: Vec<String> = tx
        .fetch_all(
            "SELECT kind FROM warnings WHERE task_id = $1",
            crate::args![task_id],
        )
        .await?
        .iter()
        .map(|r| r.get("kind"))
        .collect::<StoreResult<_>>()?;
    let mut entries = Vec::new();
    for finding in findings {
        if had.iter().any(|k| k == finding.kind.as_str()) {
            continue;
        }
        // Another transaction may have raised it since: nothing then.
        let raised = tx
            .fetch_optional(
                "INSERT INTO warnings (unit_id, task_id, kind, detail, raised_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT DO NOTHING RETURNING id",
                crate::args![
                    unit_id,
                    task_id,
                    finding.kind.as_str(),
                    finding.detail.as_str(),
                    now
                ],
            )
            .await?;
        if let Some(r) = raised {
            let id: i64 = r.get("id")?;
            entries.push(Entry::of(Change::<(), serde_json::Value> {
                action: "warning.raise",
                entity: "warning",
                entity_id: id.to_string(),
                before: None,
                after: Some(&serde_json::json!({
                    "task_id": task_id, "kind": finding.kind.as_str(), "detail": finding.detail,
                })),
            }));
        }
    }
    let n = entries.len();
    if n > 0 {
        audit::record_many(tx, now, &Actor::system(), entries).await?;
    }
    Ok(n)
}

/// The job's pass: the tasks a deadline may have turned — participation
/// past its 72 hours, a visit day over without every result, a
/// rectification past its deadline, an urgent visit's grace over — that
/// have no warning of that kind yet, each evaluated in its own transaction.
/// Returns how many warnings were raised.
pub async fn evaluate_due(db: &Db, now: DateTime<Utc>, rules: &Rules) -> StoreResult<usize> {
    let today = business_date(now);
    let never = |kind: WarningKind| {
        format!(
            "NOT EXISTS (SELECT 1 FROM warnings w WHERE w.task_id = t.id AND w.kind = '{}')",
            kind.as_str()
        )
    };
    let mut queries: Vec<(String, Vec<crate::Arg>)> = Vec::new();
    if rules.participation_overdue {
        queries.push((
            format!(
                "SELECT DISTINCT t.id FROM task_participants p JOIN tasks t ON t.id = p.task_id
                  WHERE t.status <> 'cancelled' AND p.kind <> 'initiator'
                    AND ((p.decision IS NULL AND p.decide_by <= $1)
                         OR (p.decision = 'lapsed' AND p.decided_at >= p.decide_by))
                    AND {}",
                never(WarningKind::ParticipationOverdue)
            ),
            crate::args![now],
        ));
    }
    if rules.result_overdue {
        queries.push((
            format!(
                "SELECT t.id FROM tasks t
                  WHERE t.status IN ('drawn', 'scheduled', 'in_progress')
                    AND t.checked_in_at IS NOT NULL AND t.checked_in_at < $1 AND {}",
                never(WarningKind::ResultOverdue)
            ),
            crate::args![start_of(today)],
        ));
    }
    if rules.rectification_overdue {
        queries.push((
            format!(
                "SELECT DISTINCT t.id FROM rectifications r JOIN tasks t ON t.id = r.task_id
                  WHERE r.status IN ('issued', 'returned') AND r.deadline < $1
                    AND t.status <> 'cancelled' AND {}",
                never(WarningKind::RectificationOverdue)
            ),
            crate::args![today],
        ));
    }
    if rules.missing_approval || rules.notice_not_served {
        // Completed urgent visits whose papers are still owed; the rules
        // decide whether the grace is over.
        queries.push((
            format!(
                "SELECT t.id FROM tasks t
                  WHERE t.status = 'completed' AND NOT t.remote
                    AND (t.oral_notice_at IS NOT NULL OR t.emergency IS NOT NULL)
                    AND (({} AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.task_id = t.id
                            AND d.kind = 'approval_form' AND d.status IN ('approved', 'issued')))
                      OR ({} AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.task_id = t.id
                            AND d.kind = 'inspection_notice' AND d.status = 'served')))",
                never(WarningKind::MissingApproval),
                never(WarningKind::NoticeNotServed)
            ),
            vec![],
        ));
    }
    let mut ids = std::collections::BTreeSet::new();
    for (sql, args) in queries {
        for r in Exec::fetch_all(&mut &*db, &sql, args).await? {
            ids.insert(r.get::<i64>("id")?);
        }
    }
    let mut raised = 0;
    for id in ids {
        let mut tx = db.begin().await?;
        raised += evaluate_task(&mut tx, id, now, rules).await?;
        tx.commit().await?;
    }
    Ok(raised)
}
