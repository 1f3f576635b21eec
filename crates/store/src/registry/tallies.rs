//! Counts of enterprises kept per county and filter value (migration 0013),
//! so that a search without a keyword is counted from the few hundred groups
//! of its region rather than from every index entry: 玉田县's 90,000
//! enterprises make about a thousand groups.
//!
//! Triggers write the counts in the transaction of every change to
//! `enterprises`, whichever code makes it, as delta rows that are only ever
//! inserted; [`compact`] folds them into one row per group. A count is the
//! sum of a group's rows, so it is exact whether or not they were folded.

use crate::db::{Backend, Db, Exec};
use crate::error::StoreResult;

use super::search::{given, EnterpriseQuery};

/// Tally rows are folded once this many have been added since the last fold.
pub const FOLD_AFTER_ROWS: i64 = 1_000;

/// Whether the tallies can count a search: they hold every column a filter
/// tests (region and city codes, category, division and class, credit grade,
/// status, positive list) but not the names and codes a keyword matches.
pub(crate) fn can_count(q: &EnterpriseQuery) -> bool {
    given(&q.keyword).is_none()
}

/// The count of a search's filter (a WHERE clause over `enterprises`' column
/// names, which the tallies share).
pub(crate) fn count_sql(filter: &str) -> String {
    format!("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM enterprise_tallies WHERE {filter}")
}

/// How many tally rows there are (groups, plus deltas not yet folded).
pub async fn rows(db: &Db) -> StoreResult<i64> {
    db.clone()
        .scalar_i64("SELECT COUNT(*) FROM enterprise_tallies", vec![])
        .await
}

/// Folds the delta rows into one row per group, dropping groups that sum to
/// nothing; returns the rows left.
pub async fn compact(db: &Db) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    match tx.backend() {
        // One statement, one snapshot: the rows it deletes are the rows it
        // sums. Deltas committed meanwhile are neither; of two folds at once,
        // the second skips the rows the first deleted and never sees the
        // sums the first wrote.
        Backend::Postgres => {
            tx.execute(
                "WITH folded AS (DELETE FROM enterprise_tallies RETURNING *)
                 INSERT INTO enterprise_tallies
                 SELECT region_code, city_code, category, industry_division, industry_code,
                     credit_grade, status, positive_list, SUM(n)
                 FROM folded
                 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
                 HAVING SUM(n) <> 0",
                vec![],
            )
            .await?;
        }
        // The write transaction (BEGIN IMMEDIATE) holds the database's only
        // write lock: nothing is added between the sum and the delete, and
        // new rows take rowids above the last one summed.
        Backend::Sqlite => {
            let last = tx
                .scalar_i64(
                    "SELECT COALESCE(MAX(rowid), 0) FROM enterprise_tallies",
                    vec![],
                )
                .await?;
            tx.execute(
                "INSERT INTO enterprise_tallies
                 SELECT region_code, city_code, category, industry_division, industry_code,
                     credit_grade, status, positive_list, SUM(n)
                 FROM enterprise_tallies
                 WHERE rowid <= $1
                 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
                 HAVING SUM(n) <> 0",
                crate::args![last],
            )
            .await?;
            tx.execute(
                "DELETE FROM enterprise_tallies WHERE rowid <= $1",
                crate::args![last],
            )
            .await?;
        }
    }
    let left = tx
        .scalar_i64("SELECT COUNT(*) FROM enterprise_tallies", vec![])
        .await?;
    tx.commit().await?;
    Ok(left)
}
