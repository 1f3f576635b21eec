//! Proposals computed from results (RES-3). [`reassess`] runs inside the
//! transaction of whatever changed the facts — a result submitted or
//! corrected, a rectification closed, referred or reported late — and by the
//! overdue job ([`record_overdue`]), so the open proposal always reflects the
//! facts as committed.

use chrono::{DateTime, NaiveDate, Utc};
use yici_domain::credit::{self as rules, Event, EventKind};
use yici_domain::rectification::Status;
use yici_domain::time::business_date;

use super::grade;
use crate::db::{Backend, Db, Exec};
use crate::error::StoreResult;
use crate::org::parse_code;

/// Recomputes the enterprise's proposal with the rule in force
/// ([`super::rule`]): opens or updates it when the score falls in another
/// grade than the current one, withdraws it when it no longer does. Returns
/// the open proposal's id.
///
/// A proposal the same as one rejected since the grade was decided (same
/// grade, same score) is not opened again: nothing new has happened.
pub async fn reassess(
    e: &mut impl Exec,
    enterprise_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    reassess_with(e, &super::rule(), enterprise_id, now).await
}

/// [`reassess`] under a given rule.
pub async fn reassess_with(
    e: &mut impl Exec,
    rule: &rules::ScoringRule,
    enterprise_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    // Reassessments of one enterprise take turns: two departments submitting
    // at once would otherwise both open a proposal, and the second would fail
    // its whole submission on the unique index. (Every writer that also
    // audits has locked the audit chain before this; the overdue job audits
    // nothing: the lock order stays chain, then enterprise.)
    let lock = match e.backend() {
        Backend::Postgres => "SELECT credit_grade FROM enterprises WHERE id = $1 FOR UPDATE",
        Backend::Sqlite => "SELECT credit_grade FROM enterprises WHERE id = $1",
    };
    let Some(row) = e.fetch_optional(lock, crate::args![enterprise_id]).await? else {
        return Ok(None);
    };
    let current = grade(&row, "credit_grade")?;
    let today = business_date(now);
    note_overdue(e, enterprise_id, today, now).await?;
    let since = decided_at(e, enterprise_id).await?;
    let events = events(e, enterprise_id).await?;
    let a = rules::assess(rule, current, since, &events);
    let open = e
        .fetch_optional(
            "SELECT id FROM credit_proposals WHERE enterprise_id = $1 AND status = 'proposed'",
            crate::args![enterprise_id],
        )
        .await?
        .map(|r| r.get::<i64>("id"))
        .transpose()?;
    // Nothing counted since the grade was decided, or still in its band: no
    // change to propose.
    if a.counted == 0 || Some(a.grade) == current {
        if let Some(id) = open {
            e.execute(
                "UPDATE credit_proposals SET status = 'withdrawn', updated_at = $2 WHERE id = $1",
                crate::args![id, now],
            )
            .await?;
        }
        return Ok(None);
    }
    let reasons = serde_json::to_string(&a.reasons)
        .map_err(|e| crate::StoreError::internal(e.to_string()))?;
    let grade_to = a.grade.as_str();
    let grade_from = current.map(|g| g.as_str());
    if let Some(id) = open {
        e.execute(
            "UPDATE credit_proposals SET grade_from = $2, grade_to = $3, score = $4, reasons = $5,
                    updated_at = $6 WHERE id = $1",
            crate::args![id, grade_from, grade_to, a.score, reasons, now],
        )
        .await?;
        return Ok(Some(id));
    }
    let already_rejected = e
        .fetch_optional(
            "SELECT id FROM credit_proposals
              WHERE enterprise_id = $1 AND status = 'rejected' AND grade_to = $2 AND score = $3
                AND ($4 IS NULL OR decided_at > $4)",
            crate::args![enterprise_id, grade_to, a.score, since],
        )
        .await?
        .is_some();
    if already_rejected {
        return Ok(None);
    }
    let id = e
        .fetch_one(
            "INSERT INTO credit_proposals (enterprise_id, grade_from, grade_to, score, reasons,
                    status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $6) RETURNING id",
            crate::args![enterprise_id, grade_from, grade_to, a.score, reasons, now],
        )
        .await?
        .get("id")?;
    Ok(Some(id))
}

/// When the current grade was decided: the last change of the grade itself
/// (a positive-list change alone leaves the grade's basis as it was).
async fn decided_at(e: &mut impl Exec, enterprise_id: i64) -> StoreResult<Option<DateTime<Utc>>> {
    e.fetch_one(
        "SELECT MAX(at) AS at FROM credit_grade_history
          WHERE enterprise_id = $1
            AND COALESCE(grade_from, '-') <> COALESCE(grade_to, '-')",
        crate::args![enterprise_id],
    )
    .await?
    .get("at")
}

/// Writes down the enterprise's rectifications overdue today (the rule of
/// `yici_domain::rectification::is_overdue`: waiting on the enterprise past
/// the deadline), so that the lapse still counts once the enterprise reports or the rectification is
/// closed.
async fn note_overdue(
    e: &mut impl Exec,
    enterprise_id: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    e.execute(
        "INSERT INTO credit_overdue (rectification_id, enterprise_id, seen_at)
         SELECT id, enterprise_id, $3 FROM rectifications
          WHERE enterprise_id = $1 AND status IN ('issued', 'returned') AND deadline < $2
         ON CONFLICT (rectification_id) DO NOTHING",
        crate::args![enterprise_id, today, now],
    )
    .await
}

/// What the enterprise's rectifications say: each one raised is a problem
/// found (unless a correction withdrew it), and may have gone overdue, been
/// referred and been closed.
async fn events(e: &mut impl Exec, enterprise_id: i64) -> StoreResult<Vec<Event>> {
    let rows = e
        .fetch_all(
            "SELECT r.status, r.deadline, r.created_at, r.closed_at,
                    o.rectification_id IS NOT NULL AS seen_overdue,
                    (SELECT MIN(s.at) FROM rectification_steps s
                      WHERE s.rectification_id = r.id AND s.kind = 'referred') AS referred_at
               FROM rectifications r
               LEFT JOIN credit_overdue o ON o.rectification_id = r.id
              WHERE r.enterprise_id = $1 AND r.status <> 'withdrawn'",
            crate::args![enterprise_id],
        )
        .await?;
    let mut events = Vec::with_capacity(rows.len() * 2);
    for r in &rows {
        let status = parse_code(&r.get::<String>("status")?, Status::parse)?;
        let deadline: NaiveDate = r.get("deadline")?;
        let at = |kind, at| Event { kind, at };
        events.push(at(EventKind::ProblemFound, r.get("created_at")?));
        // The overdue rows were just written for today's, so the flag covers
        // both; the deadline decides when it happened.
        if r.get::<bool>("seen_overdue")? {
            events.push(at(EventKind::Overdue, rules::overdue_from(deadline)));
        }
        if let Some(t) = r.get::<Option<DateTime<Utc>>>("referred_at")? {
            events.push(at(EventKind::Referred, t));
        }
        if status == Status::Closed {
            if let Some(t) = r.get::<Option<DateTime<Utc>>>("closed_at")? {
                events.push(at(EventKind::Closed, t));
            }
        }
    }
    Ok(events)
}

/// The overdue job's pass: enterprises with a rectification past its
/// deadline that credit has not yet seen are reassessed, each in its own
/// transaction. Returns how many were. Safe on several instances at once
/// (the overdue row is written once; a reassessment is idempotent).
pub async fn record_overdue(db: &Db, now: DateTime<Utc>) -> StoreResult<usize> {
    let today = business_date(now);
    let due: Vec<i64> = db
        .clone()
        .fetch_all(
            "SELECT DISTINCT r.enterprise_id FROM rectifications r
              WHERE r.status IN ('issued', 'returned') AND r.deadline < $1
                AND NOT EXISTS (SELECT 1 FROM credit_overdue o WHERE o.rectification_id = r.id)
              LIMIT 500",
            crate::args![today],
        )
        .await?
        .iter()
        .map(|r| r.get("enterprise_id"))
        .collect::<StoreResult<_>>()?;
    for enterprise_id in &due {
        let mut tx = db.begin().await?;
        reassess(&mut tx, *enterprise_id, now).await?;
        tx.commit().await?;
    }
    Ok(due.len())
}
