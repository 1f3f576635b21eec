//! The facts the dashboard reads (migration 0030): per completed task its
//! visit (`statistics_visits`), per task its share of the additive counts
//! (`statistics_task_counts`), and their sums per unit, department, year and
//! month (`statistics_tallies`). Migration 0035 adds per task not cancelled
//! what the caps count (`statistics_task_caps`), the tasks per enterprise
//! and department, unit or all levels (`statistics_cap_counts`), and per
//! node — a department, a unit alone, or a unit's subtree — year and month
//! the visits or capped tasks of each enterprise
//! (`statistics_node_enterprises`) with their sums and the number of those
//! enterprises (`statistics_node_counts`): distinct enterprises are read,
//! not counted; and per rectification not withdrawn its task's year and
//! unit, visit month, status and deadline (`statistics_rectifications`).
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
        "statistics_task_caps",
        "statistics_cap_counts",
        "statistics_node_enterprises",
        "statistics_node_counts",
        "statistics_rectifications",
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
    // The old shares per node and per enterprise's caps, read from the
    // batch's kept rows before they are replaced.
    node_and_cap_shares(tx, -1).await?;
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

    tx.execute(
        &format!("DELETE FROM statistics_task_caps WHERE task_id IN {BATCH}"),
        vec![],
    )
    .await?;
    tx.execute(
        &format!(
            "INSERT INTO statistics_task_caps
               (task_id, year, enterprise_id, unit_id, department_id, capped)
             SELECT t.id, t.year, t.enterprise_id, t.unit_id, t.department_id,
                    CASE WHEN t.capped THEN 1 ELSE 0 END
               FROM tasks t
              WHERE t.id IN {BATCH} AND t.status <> 'cancelled'"
        ),
        vec![],
    )
    .await?;
    node_and_cap_shares(tx, 1).await?;
    apply_node_and_cap_deltas(tx).await?;

    tx.execute(
        &format!("DELETE FROM statistics_rectifications WHERE task_id IN {BATCH}"),
        vec![],
    )
    .await?;
    tx.execute(
        &format!(
            "INSERT INTO statistics_rectifications
               (rectification_id, task_id, year, unit_id, department_id, month, status, deadline)
             SELECT c.id, t.id, t.year, t.unit_id, c.department_id, {visit_day}, c.status,
                    c.deadline
               FROM tasks t
               JOIN rectifications c ON c.task_id = t.id
               JOIN task_results r ON r.id = c.result_id
              WHERE t.id IN {BATCH} AND c.status <> 'withdrawn'"
        ),
        vec![],
    )
    .await?;
    tx.execute("DELETE FROM statistics_batch", vec![]).await?;
    Ok(())
}

/// A unit and every unit above it, itself included: the subtrees (roll-up
/// scopes, [`super::scope::resolve`]) its tasks count in.
const UP: &str = "up (unit_id, node) AS (
       SELECT id, id FROM units
       UNION
       SELECT up.unit_id, u.parent_id FROM up JOIN units u ON u.id = up.node
        WHERE u.parent_id IS NOT NULL)";

/// Writes the batch's kept visits and cap rows, times `sign` (-1: their old
/// shares, before they are replaced; 1: the new ones), into the drain's
/// delta tables: per node, month (0: the year) and enterprise, and per
/// enterprise and cap.
async fn node_and_cap_shares(tx: &mut Tx, sign: i64) -> StoreResult<()> {
    // A visit counts for its department, its unit alone, and the subtree of
    // its unit and of each unit above; in its month and in the year.
    tx.execute(
        &format!(
            "WITH RECURSIVE {UP},
             whole (whole) AS (VALUES (0), (1)),
             v AS (SELECT year, month, unit_id, department_id, enterprise_id, group_size AS g
                     FROM statistics_visits WHERE task_id IN {BATCH}),
             nodes AS (
               SELECT year, month, enterprise_id, g, 'department' AS kind,
                      unit_id AS nu, department_id AS nd FROM v
               UNION ALL
               SELECT year, month, enterprise_id, g, 'unit', unit_id, 0 FROM v
               UNION ALL
               SELECT v.year, v.month, v.enterprise_id, v.g, 'subtree', up.node, 0
                 FROM v JOIN up ON up.unit_id = v.unit_id),
             capped AS (SELECT year, unit_id, enterprise_id FROM statistics_task_caps
                         WHERE task_id IN {BATCH} AND capped = 1)
             INSERT INTO statistics_node_delta
               (year, fact, kind, unit_id, department_id, month, enterprise_id, n, group_sum, joint)
             SELECT year, 'visit', kind, nu, nd, m, enterprise_id, {sign} * COUNT(*),
                    CAST({sign} * SUM(g) AS BIGINT),
                    CAST({sign} * SUM(CASE WHEN g >= 2 THEN 1 ELSE 0 END) AS BIGINT)
               FROM (SELECT nodes.*, CASE WHEN w.whole = 1 THEN 0 ELSE month END AS m
                       FROM nodes CROSS JOIN whole w) AS x
              GROUP BY year, kind, nu, nd, m, enterprise_id
             UNION ALL
             SELECT year, 'capped', 'unit', unit_id, 0, 0, enterprise_id, {sign} * COUNT(*), 0, 0
               FROM capped GROUP BY year, unit_id, enterprise_id
             UNION ALL
             SELECT c.year, 'capped', 'subtree', up.node, 0, 0, c.enterprise_id,
                    {sign} * COUNT(*), 0, 0
               FROM capped c JOIN up ON up.unit_id = c.unit_id
              GROUP BY c.year, up.node, c.enterprise_id"
        ),
        vec![],
    )
    .await?;
    // A capped task counts for its department, its unit and all levels; an
    // exempt one for its unit's reasonable frequency (DRAW-7).
    tx.execute(
        &format!(
            "INSERT INTO statistics_cap_delta
               (year, kind, unit_id, department_id, enterprise_id, tasks)
             SELECT year, kind, u, d, enterprise_id, {sign} * COUNT(*)
               FROM (SELECT year, 'department' AS kind, unit_id AS u, department_id AS d,
                            enterprise_id
                       FROM statistics_task_caps WHERE task_id IN {BATCH} AND capped = 1
                     UNION ALL
                     SELECT year, 'unit', unit_id, 0, enterprise_id
                       FROM statistics_task_caps WHERE task_id IN {BATCH} AND capped = 1
                     UNION ALL
                     SELECT year, 'all', 0, 0, enterprise_id
                       FROM statistics_task_caps WHERE task_id IN {BATCH} AND capped = 1
                     UNION ALL
                     SELECT year, 'exempt', unit_id, 0, enterprise_id
                       FROM statistics_task_caps WHERE task_id IN {BATCH} AND capped = 0) AS x
              GROUP BY year, kind, u, d, enterprise_id"
        ),
        vec![],
    )
    .await?;
    Ok(())
}

/// Adds the deltas to the kept counts, drops the rows that fell to zero and
/// empties the delta tables. A node's number of enterprises moves by those
/// whose count leaves or reaches zero, seen against the count before.
async fn apply_node_and_cap_deltas(tx: &mut Tx) -> StoreResult<()> {
    const NODE: &str = "year, fact, kind, unit_id, department_id, month";
    tx.execute(
        &format!(
            "INSERT INTO statistics_node_counts
               ({NODE}, n, group_sum, joint, enterprises)
             SELECT d.year, d.fact, d.kind, d.unit_id, d.department_id, d.month,
                    CAST(SUM(d.n) AS BIGINT), CAST(SUM(d.group_sum) AS BIGINT),
                    CAST(SUM(d.joint) AS BIGINT),
                    CAST(SUM(CASE WHEN COALESCE(e.n, 0) + d.n > 0 THEN 1 ELSE 0 END
                             - CASE WHEN COALESCE(e.n, 0) > 0 THEN 1 ELSE 0 END) AS BIGINT)
               FROM (SELECT {NODE}, enterprise_id, SUM(n) AS n, SUM(group_sum) AS group_sum,
                            SUM(joint) AS joint
                       FROM statistics_node_delta
                      GROUP BY {NODE}, enterprise_id) AS d
               LEFT JOIN statistics_node_enterprises e
                 ON e.year = d.year AND e.fact = d.fact AND e.kind = d.kind
                AND e.unit_id = d.unit_id AND e.department_id = d.department_id
                AND e.month = d.month AND e.enterprise_id = d.enterprise_id
              WHERE d.n <> 0 OR d.group_sum <> 0 OR d.joint <> 0
              GROUP BY d.year, d.fact, d.kind, d.unit_id, d.department_id, d.month
             ON CONFLICT ({NODE}) DO UPDATE SET
                n = statistics_node_counts.n + excluded.n,
                group_sum = statistics_node_counts.group_sum + excluded.group_sum,
                joint = statistics_node_counts.joint + excluded.joint,
                enterprises = statistics_node_counts.enterprises + excluded.enterprises"
        ),
        vec![],
    )
    .await?;
    tx.execute(
        &format!(
            "INSERT INTO statistics_node_enterprises ({NODE}, enterprise_id, n)
             SELECT {NODE}, enterprise_id, CAST(SUM(n) AS BIGINT)
               FROM statistics_node_delta WHERE 1 = 1
              GROUP BY {NODE}, enterprise_id HAVING SUM(n) <> 0
             ON CONFLICT ({NODE}, enterprise_id) DO UPDATE SET
                n = statistics_node_enterprises.n + excluded.n"
        ),
        vec![],
    )
    .await?;
    tx.execute(
        "INSERT INTO statistics_cap_counts
           (year, kind, unit_id, department_id, enterprise_id, tasks)
         SELECT year, kind, unit_id, department_id, enterprise_id, CAST(SUM(tasks) AS BIGINT)
           FROM statistics_cap_delta WHERE 1 = 1
          GROUP BY year, kind, unit_id, department_id, enterprise_id HAVING SUM(tasks) <> 0
         ON CONFLICT (year, kind, unit_id, department_id, enterprise_id) DO UPDATE SET
            tasks = statistics_cap_counts.tasks + excluded.tasks",
        vec![],
    )
    .await?;
    // The per-enterprise rows through their partial indexes (only the rows
    // that just fell to zero); the node counts are a few thousand rows.
    for sql in [
        "DELETE FROM statistics_node_enterprises WHERE n = 0",
        "DELETE FROM statistics_cap_counts WHERE tasks = 0",
        "DELETE FROM statistics_node_counts
          WHERE n = 0 AND group_sum = 0 AND joint = 0 AND enterprises = 0",
        "DELETE FROM statistics_node_delta",
        "DELETE FROM statistics_cap_delta",
    ] {
        tx.execute(sql, vec![]).await?;
    }
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
