//! Counts of enterprises kept per county and filter value (migration 0013),
//! so that a search without a keyword is counted from the few hundred groups
//! of its region rather than from every index entry: 玉田县's 90,000
//! enterprises make about a thousand groups.
//!
//! Triggers write the counts in the transaction of every change to
//! `enterprises`, whichever code makes it, as delta rows that are only ever
//! inserted; [`compact`] folds them into one row per group. A count is the
//! sum of a group's rows, so it is exact whether or not they were folded.

use std::collections::HashMap;

use yici_domain::registry::enterprise::ValidEnterprise;

use crate::db::{copy_text, insert_statement, rows_per_statement, Arg, Backend, Db, Exec, Sql, Tx};
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
pub(crate) fn count_sql(filter: &Sql) -> (String, Vec<Arg>) {
    Sql::new("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM enterprise_tallies WHERE ")
        .push_sql(filter)
        .build()
}

/// Batches of new enterprises at least this large count their own tallies.
pub const COUNTED_BY_WRITER_ROWS: usize = 1_000;

/// The insert trigger of `enterprises` (migration 0013).
const INSERT_TRIGGER: &str = "enterprises_tally_insert";

/// A tally group: the counted columns of one enterprise.
type Group = (
    String,
    String,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    bool,
);

/// New enterprises that a bulk write tallies itself, in its transaction:
/// one grouped insert instead of the insert trigger, which on PostgreSQL
/// copies every row into a transition table (the batches of a 200,000-row
/// first import took about 0.8 s longer with it) and on SQLite fires per row.
/// The trigger is off only inside the writer's transaction, which ends with
/// it on again: other sessions never see it off (DDL is transactional on
/// both databases).
pub(crate) struct CountedByWriter {
    groups: HashMap<Group, i64>,
    /// SQLite: the trigger's definition, to create it again.
    definition: Option<String>,
}

impl CountedByWriter {
    /// Turns the insert trigger off for `tx`, which will insert `items` as
    /// new enterprises and nothing else into `enterprises`. Call it holding
    /// the audit chain's lock: on PostgreSQL it waits for the table's other
    /// writers, and every writer of enterprises takes that lock before its
    /// first write, so none of them is left holding the table while waiting
    /// for the chain (taken the other way round, a small import holding the
    /// chain and a large one holding the table deadlocked).
    pub(crate) async fn begin(tx: &mut Tx, items: &[ValidEnterprise]) -> StoreResult<Self> {
        let mut groups: HashMap<Group, i64> = HashMap::new();
        for v in items {
            let code = v.industry.code;
            let group = (
                v.region_code.clone(),
                v.city_code.clone(),
                v.category.as_str(),
                &code[..2],
                code,
                v.credit_grade.map(|g| g.as_str()),
                v.status.as_str(),
                v.positive_list,
            );
            *groups.entry(group).or_default() += 1;
        }
        let definition = match tx.backend() {
            Backend::Postgres => {
                tx.execute(
                    &format!("ALTER TABLE enterprises DISABLE TRIGGER {INSERT_TRIGGER}"),
                    vec![],
                )
                .await?;
                None
            }
            Backend::Sqlite => {
                let row = tx
                    .fetch_one(
                        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1",
                        crate::args![INSERT_TRIGGER],
                    )
                    .await?;
                tx.execute(&format!("DROP TRIGGER {INSERT_TRIGGER}"), vec![])
                    .await?;
                Some(row.get("sql")?)
            }
        };
        Ok(CountedByWriter { groups, definition })
    }

    /// Writes the tallies of the new enterprises and turns the trigger on
    /// again, before the transaction commits.
    pub(crate) async fn finish(self, tx: &mut Tx) -> StoreResult<()> {
        let rows: Vec<Vec<Arg>> = self
            .groups
            .into_iter()
            .map(
                |((region, city, category, division, class, grade, status, positive), n)| {
                    crate::args![
                        region, city, category, division, class, grade, status, positive, n
                    ]
                },
            )
            .collect();
        // Thousands of groups a batch (200,000 demo enterprises make 38,905
        // groups; a batch of 10,000 about 6,000): COPY on PostgreSQL, as for
        // the enterprises themselves.
        match tx.backend() {
            Backend::Postgres => {
                tx.copy_in("enterprise_tallies", &COLUMNS, &copy_text(rows))
                    .await?;
            }
            Backend::Sqlite => {
                let mut rows = rows.into_iter().peekable();
                while rows.peek().is_some() {
                    let chunk = rows.by_ref().take(rows_per_statement(COLUMNS.len()));
                    let (sql, args) = insert_statement(
                        "INSERT",
                        "enterprise_tallies",
                        &COLUMNS,
                        chunk.collect(),
                        "",
                    );
                    tx.execute(&sql, args).await?;
                }
            }
        }
        match self.definition {
            None => {
                tx.execute(
                    &format!("ALTER TABLE enterprises ENABLE TRIGGER {INSERT_TRIGGER}"),
                    vec![],
                )
                .await?
            }
            Some(sql) => tx.execute(&sql, vec![]).await?,
        };
        Ok(())
    }
}

/// The columns that make a group, as SQL.
const GROUP: &str = "region_code, city_code, category, industry_division, industry_code, \
                     credit_grade, status, positive_list";

/// The tallies' columns: the group's, then its count.
const COLUMNS: [&str; 9] = [
    "region_code",
    "city_code",
    "category",
    "industry_division",
    "industry_code",
    "credit_grade",
    "status",
    "positive_list",
    "n",
];

/// How many tally rows there are (groups, plus deltas not yet folded).
pub async fn rows(mut db: &Db) -> StoreResult<i64> {
    db.scalar_i64("SELECT COUNT(*) FROM enterprise_tallies", vec![])
        .await
}

/// How many groups there are: the tally rows left by a fold.
pub async fn groups(mut db: &Db) -> StoreResult<i64> {
    db.scalar_i64(
        &format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM enterprise_tallies
                 GROUP BY {GROUP} HAVING SUM(n) <> 0) AS g"
        ),
        vec![],
    )
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
                &format!(
                    "WITH folded AS (DELETE FROM enterprise_tallies RETURNING *)
                     INSERT INTO enterprise_tallies
                     SELECT {GROUP}, SUM(n) FROM folded GROUP BY {GROUP} HAVING SUM(n) <> 0"
                ),
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
                &format!(
                    "INSERT INTO enterprise_tallies
                     SELECT {GROUP}, SUM(n) FROM enterprise_tallies WHERE rowid <= $1
                     GROUP BY {GROUP} HAVING SUM(n) <> 0"
                ),
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
