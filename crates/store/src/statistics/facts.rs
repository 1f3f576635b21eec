//! The facts the dashboard reads (migration 0030): per completed task its
//! visit (`statistics_visits`), per task its share of the additive counts
//! (`statistics_task_counts`), and their sums per unit, department, year and
//! month (`statistics_tallies`).
//!
//! Triggers mark a task in `statistics_dirty` whenever one of its rows in
//! `tasks`, `task_participants` or `task_results` changes; [`drain`] takes
//! the marked tasks and recomputes their facts from those tables: it takes
//! each task's old share out of the tallies, computes the share anew, and
//! adds it back. The statements are the only definition of the facts —
//! [`rebuild`] runs them over every task — so the tallies equal a recount
//! whenever nothing is marked (the test `statistics_facts_equal_a_recount`
//! checks it over a random history of both databases).
//!
//! One drain runs at a time: on PostgreSQL under an advisory lock taken
//! first in a READ COMMITTED transaction, so each later statement sees every
//! change whose mark it took; on SQLite inside the write lock. A mark added
//! while a drain runs is left for the next.

use super::{month_of_date, month_of_instant};
use crate::db::{Backend, Db, Exec, Tx};
use crate::error::StoreResult;

/// The advisory lock of the drain (the migrations use 7262617).
const DRAIN_LOCK: i64 = 7_262_618;

/// The tasks being folded.
const BATCH: &str = "(SELECT task_id FROM statistics_batch)";

/// The task's group: the initiator and everyone who joined.
pub(super) const GROUP_SIZE: &str = "(SELECT COUNT(*) FROM task_participants p
      WHERE p.task_id = t.id AND (p.kind = 'initiator' OR p.decision = 'join'))";

const COUNTS: [&str; 6] = [
    "notices",
    "joined",
    "declined",
    "lapsed",
    "results",
    "results_late",
];

/// Folds every marked task; returns how many tasks were folded. Cheap when
/// nothing is marked (one indexed probe, no lock).
pub async fn drain(db: &Db) -> StoreResult<u64> {
    let mut probe = db;
    if probe
        .fetch_optional("SELECT 1 AS marked FROM statistics_dirty LIMIT 1", vec![])
        .await?
        .is_none()
    {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let folded = match tx.backend() {
        Backend::Postgres => {
            tx.execute(
                &format!("SELECT pg_advisory_xact_lock({DRAIN_LOCK})"),
                vec![],
            )
            .await?;
            tx.execute(
                "WITH marked AS (DELETE FROM statistics_dirty RETURNING task_id)
                 INSERT INTO statistics_batch SELECT DISTINCT task_id FROM marked",
                vec![],
            )
            .await?
        }
        // BEGIN IMMEDIATE holds the only write lock: no mark is added
        // between the copy and the delete.
        Backend::Sqlite => {
            let last = tx
                .scalar_i64(
                    "SELECT COALESCE(MAX(rowid), 0) FROM statistics_dirty",
                    vec![],
                )
                .await?;
            let n = tx
                .execute(
                    "INSERT INTO statistics_batch
                     SELECT DISTINCT task_id FROM statistics_dirty WHERE rowid <= $1",
                    crate::args![last],
                )
                .await?;
            tx.execute(
                "DELETE FROM statistics_dirty WHERE rowid <= $1",
                crate::args![last],
            )
            .await?;
            n
        }
    };
    if folded > 0 {
        fold_batch(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(folded)
}

/// Drops every fact and folds every task again: the facts from nothing.
pub async fn rebuild(db: &Db) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    for table in [
        "statistics_visits",
        "statistics_task_counts",
        "statistics_tallies",
        "statistics_dirty",
    ] {
        tx.execute(&format!("DELETE FROM {table}"), vec![]).await?;
    }
    tx.execute("INSERT INTO statistics_dirty SELECT id FROM tasks", vec![])
        .await?;
    tx.commit().await?;
    drain(db).await
}

/// Recomputes the facts of the tasks in `statistics_batch`, then empties it.
async fn fold_batch(tx: &mut Tx) -> StoreResult<()> {
    let backend = tx.backend();
    // The batch's old shares out of the tallies, the new ones in.
    add_shares_to_tallies(tx, "-").await?;
    tx.execute(
        &format!("DELETE FROM statistics_task_counts WHERE task_id IN {BATCH}"),
        vec![],
    )
    .await?;
    let notified = month_of_instant(backend, "p.notified_at");
    let visit_day = month_of_date(backend, "r.due_on");
    let sums = COUNTS.map(|c| format!("SUM({c})")).join(", ");
    tx.execute(
        &format!(
            "INSERT INTO statistics_task_counts
               (task_id, unit_id, department_id, year, month, {columns})
             SELECT task_id, unit_id, department_id, year, month, {sums}
               FROM (SELECT t.id AS task_id, t.unit_id, p.department_id, t.year,
                            {notified} AS month, 1 AS notices,
                            CASE WHEN p.decision = 'join' THEN 1 ELSE 0 END AS joined,
                            CASE WHEN p.decision = 'decline' THEN 1 ELSE 0 END AS declined,
                            CASE WHEN p.decision = 'lapsed' THEN 1 ELSE 0 END AS lapsed,
                            0 AS results, 0 AS results_late
                       FROM tasks t JOIN task_participants p ON p.task_id = t.id
                      WHERE t.id IN {BATCH} AND p.kind <> 'initiator'
                     UNION ALL
                     SELECT t.id, t.unit_id, r.department_id, t.year, {visit_day}, 0, 0, 0, 0, 1,
                            CASE WHEN r.late THEN 1 ELSE 0 END
                       FROM tasks t JOIN task_results r ON r.task_id = t.id
                                                      AND r.corrects_id IS NULL
                      WHERE t.id IN {BATCH}) AS shares
              GROUP BY task_id, unit_id, department_id, year, month",
            columns = COUNTS.join(", "),
        ),
        vec![],
    )
    .await?;
    add_shares_to_tallies(tx, "").await?;
    let all_zero = COUNTS.map(|c| format!("{c} = 0")).join(" AND ");
    tx.execute(
        &format!("DELETE FROM statistics_tallies WHERE {all_zero}"),
        vec![],
    )
    .await?;

    tx.execute(
        &format!("DELETE FROM statistics_visits WHERE task_id IN {BATCH}"),
        vec![],
    )
    .await?;
    tx.execute(
        &format!(
            "INSERT INTO statistics_visits
               (task_id, unit_id, department_id, year, month, enterprise_id, group_size)
             SELECT t.id, t.unit_id, t.department_id, t.year, {visit_day}, t.enterprise_id,
                    {GROUP_SIZE}
               FROM tasks t
               JOIN task_results r ON r.task_id = t.id AND r.department_id = t.department_id
                                  AND r.corrects_id IS NULL
              WHERE t.id IN {BATCH} AND t.status = 'completed'"
        ),
        vec![],
    )
    .await?;
    tx.execute("DELETE FROM statistics_batch", vec![]).await?;
    Ok(())
}

/// Adds the batch's current shares (`sign` "-": takes them out) to the
/// tallies.
async fn add_shares_to_tallies(tx: &mut Tx, sign: &str) -> StoreResult<()> {
    let sums = COUNTS
        .map(|c| format!("CAST({sign}SUM({c}) AS BIGINT)"))
        .join(", ");
    let updates = COUNTS
        .map(|c| format!("{c} = statistics_tallies.{c} + excluded.{c}"))
        .join(", ");
    tx.execute(
        &format!(
            "INSERT INTO statistics_tallies (year, unit_id, department_id, month, {columns})
             SELECT year, unit_id, department_id, month, {sums}
               FROM statistics_task_counts WHERE task_id IN {BATCH}
              GROUP BY year, unit_id, department_id, month
             ON CONFLICT (year, unit_id, department_id, month) DO UPDATE SET {updates}",
            columns = COUNTS.join(", "),
        ),
        vec![],
    )
    .await?;
    Ok(())
}
