//! The publication job's passes. Each is safe on several instances at once:
//! every write is conditional (a row published only if it was not, a version
//! closed only if it is still current), and a lost race is skipped.

use chrono::{DateTime, NaiveDate, Utc};
use yici_domain::publication::Calendar;

use crate::db::{Db, Exec};
use crate::error::StoreResult;

use super::{compose, current, insert_version, publish};

/// Rows handled per transaction: a long backlog is published in steps that
/// each hold their locks briefly.
const BATCH: i64 = 200;

/// Gives a due date to every row that has none yet (completed before the
/// calendar was known: the migration's rows, and rows written by
/// [`super::schedule`]). Returns how many.
pub async fn date_due(db: &Db, calendar: &Calendar) -> StoreResult<usize> {
    let mut done = 0;
    loop {
        let mut tx = db.begin().await?;
        let rows = tx
            .fetch_all(
                "SELECT p.task_id, t.completed_at FROM publications p JOIN tasks t ON t.id = p.task_id
                  WHERE p.due_on IS NULL AND p.published_at IS NULL LIMIT $1",
                crate::args![BATCH],
            )
            .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        for r in &rows {
            let task_id: i64 = r.get("task_id")?;
            let completed_at: DateTime<Utc> = r.get("completed_at")?;
            let due = calendar.due_on(yici_domain::time::business_date(completed_at));
            tx.execute(
                "UPDATE publications SET due_on = $2 WHERE task_id = $1 AND due_on IS NULL",
                crate::args![task_id, due],
            )
            .await?;
        }
        tx.commit().await?;
        done += rows.len();
    }
}

/// Publishes every result due on or before today (RES-2: at the latest
/// the configured number of working days after completion). Returns how
/// many were published.
pub async fn publish_due(db: &Db, now: DateTime<Utc>, calendar: &Calendar) -> StoreResult<usize> {
    date_due(db, calendar).await?;
    let today = yici_domain::time::business_date(now);
    let mut published = 0;
    loop {
        let mut tx = db.begin().await?;
        let due: Vec<i64> = tx
            .fetch_all(
                "SELECT task_id FROM publications
                  WHERE published_at IS NULL AND due_on <= $1 ORDER BY due_on, task_id LIMIT $2",
                crate::args![today, BATCH],
            )
            .await?
            .iter()
            .map(|r| r.get("task_id"))
            .collect::<StoreResult<_>>()?;
        if due.is_empty() {
            return Ok(published);
        }
        for task_id in &due {
            if publish(&mut tx, now, *task_id).await? {
                published += 1;
            }
        }
        tx.commit().await?;
    }
}

/// Brings published records up to date: each task with a result submitted
/// or a rectification changed since `since` (every published task when
/// None), or with a rectification whose deadline passed since then, is
/// composed again; where the content differs, the current version is closed
/// at `now` and the next one begins. Returns how many records changed.
pub async fn refresh(
    db: &Db,
    now: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
) -> StoreResult<usize> {
    let today = yici_domain::time::business_date(now);
    let candidates = changed_since(db, since, today).await?;
    let mut changed = 0;
    for chunk in candidates.chunks(BATCH as usize) {
        let mut tx = db.begin().await?;
        for task_id in chunk {
            let Ok(now_public) = current(&mut tx, *task_id).await else {
                continue;
            };
            let content = compose::compose(&mut tx, *task_id, today).await?;
            if content == now_public.content {
                continue;
            }
            let closed = tx
                .execute(
                    "UPDATE published_results SET valid_to = $3
                      WHERE task_id = $1 AND version = $2 AND valid_to IS NULL",
                    crate::args![*task_id, now_public.version, now],
                )
                .await?;
            if closed == 0 {
                continue;
            }
            insert_version(
                &mut tx,
                *task_id,
                now_public.version + 1,
                now_public.published_at,
                now,
                &content,
            )
            .await?;
            changed += 1;
        }
        tx.commit().await?;
    }
    Ok(changed)
}

/// [`refresh`] from where the last pass of any instance left off (every
/// record the first time ever), then records how far it got: a restart
/// looks at what changed meanwhile, not at every record again. The next
/// pass starts a little before this one did, so a change committed during
/// the pass with an earlier timestamp is not missed.
pub async fn refresh_since_last(db: &Db, now: DateTime<Utc>) -> StoreResult<usize> {
    let mut conn = db.clone();
    let since: Option<DateTime<Utc>> = conn
        .fetch_optional(
            "SELECT refreshed_until FROM publication_progress WHERE id = 1",
            vec![],
        )
        .await?
        .map(|r| r.get("refreshed_until"))
        .transpose()?;
    let changed = refresh(db, now, since).await?;
    let until = now - chrono::Duration::minutes(5);
    let mut tx = db.begin().await?;
    let moved = tx
        .execute(
            "UPDATE publication_progress SET refreshed_until = $1
              WHERE id = 1 AND refreshed_until < $1",
            crate::args![until],
        )
        .await?;
    if moved == 0 && since.is_none() {
        // Another instance's first pass may insert it at the same moment.
        tx.execute(
            "INSERT INTO publication_progress (id, refreshed_until) VALUES (1, $1)
             ON CONFLICT (id) DO NOTHING",
            crate::args![until],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Published tasks whose record may have changed since `since`.
async fn changed_since(
    mut db: &Db,
    since: Option<DateTime<Utc>>,
    today: NaiveDate,
) -> StoreResult<Vec<i64>> {
    let rows = match since {
        None => {
            db.fetch_all(
                "SELECT task_id FROM published_results WHERE valid_to IS NULL ORDER BY task_id",
                vec![],
            )
            .await?
        }
        Some(since) => {
            let since_day = yici_domain::time::business_date(since);
            db.fetch_all(
                "SELECT task_id FROM rectifications WHERE updated_at >= $1
                 UNION SELECT task_id FROM task_results WHERE submitted_at >= $1
                 UNION SELECT task_id FROM rectifications
                        WHERE status IN ('issued', 'returned') AND deadline >= $2 AND deadline < $3
                 ORDER BY task_id",
                crate::args![since, since_day.pred_opt().unwrap_or(since_day), today],
            )
            .await?
        }
    };
    let mut ids: Vec<i64> = rows
        .iter()
        .map(|r| r.get("task_id"))
        .collect::<StoreResult<_>>()?;
    ids.dedup();
    Ok(ids)
}
