//! Indexes set aside during a bulk load and built again once it is done.
//!
//! Keeping a wide index up to date row by row costs a large load more than
//! building the index afresh from the finished table, which sorts once: on
//! this project's benchmark machine, copying 200,000 enterprises into
//! PostgreSQL took 5.0–5.7 s with the search index and 2.9–3.5 s without,
//! and building it afterwards 0.8 s (SQLite: 4.0 s against 1.1 + 0.7 s).
//!
//! The index's own definition, read from the database's catalogue, is saved
//! in `deferred_indexes` in the transaction that drops it, so nothing here
//! repeats what the migrations say about the index. A load that stops half
//! way (an error, a crash) leaves that row behind, and [`restore_all`], run
//! with the migrations whenever the database is opened, builds the index
//! again; searches meanwhile are slower, never wrong.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Backend, Db, Exec, Tx};
use crate::error::{StoreError, StoreResult};

/// Indexes this load set aside: hand them back to [`Deferred::restore`].
#[must_use = "a deferred index must be restored"]
#[derive(Debug)]
pub struct Deferred {
    names: &'static [&'static str],
}

/// The statement that creates `index`, or `None` when there is no such index.
async fn definition(e: &mut impl Exec, index: &str) -> StoreResult<Option<String>> {
    let sql = match e.backend() {
        Backend::Sqlite => {
            "SELECT sql AS definition FROM sqlite_master WHERE type = 'index' AND name = $1"
        }
        // Resolved on the search path, as the application's statements are.
        Backend::Postgres => "SELECT pg_get_indexdef(to_regclass($1)) AS definition",
    };
    Ok(match e.fetch_optional(sql, args![index]).await? {
        Some(row) => row.get::<Option<String>>("definition")?,
        None => None,
    })
}

/// Drops `indexes` (of one table) for the length of a bulk load, remembering
/// how to build them; all or none. `None` when one is not there (another load
/// has set them aside already: that load builds them again) or, on
/// PostgreSQL, when the table stayed busy.
pub async fn defer(
    db: &Db,
    indexes: &'static [&'static str],
    now: DateTime<Utc>,
) -> StoreResult<Option<Deferred>> {
    let mut tx = db.begin().await?;
    for &index in indexes {
        let Some(sql) = definition(&mut tx, index).await? else {
            return Ok(None);
        };
        let saved = tx
            .execute(
                "INSERT INTO deferred_indexes (name, definition, deferred_at) VALUES ($1, $2, $3)",
                args![index, sql, now],
            )
            .await;
        match saved {
            Ok(_) => {}
            // Another load, starting at the same moment, set it aside first.
            Err(e) if e.is_unique_violation() => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    if tx.backend() == Backend::Postgres {
        // DROP INDEX waits for every statement on the table, and every later
        // statement queues behind it: an export running meanwhile would stall
        // all searches. After a second the load goes on with the index kept.
        tx.execute("SET LOCAL lock_timeout = '1s'", vec![]).await?;
    }
    for &index in indexes {
        match tx.execute(&format!("DROP INDEX {index}"), vec![]).await {
            Ok(_) => {}
            Err(e) if e.is_lock_timeout() => {
                tracing::info!(index, "index kept for a bulk load: the table was busy");
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
    }
    tx.commit().await?;
    tracing::info!(?indexes, "indexes set aside for a bulk load");
    Ok(Some(Deferred { names: indexes }))
}

impl Deferred {
    /// Builds the indexes again. Call it whether or not the load succeeded.
    pub async fn restore(self, db: &Db) -> StoreResult<()> {
        rebuild_all(db, self.names.iter().map(|name| name.to_string()).collect()).await?;
        Ok(())
    }
}

/// Index builds run at once on PostgreSQL: one per core of the machines
/// this was measured on (a build is one process, and uses one core).
pub const BUILDS_AT_ONCE: usize = 2;

/// Builds `names` again, started in the order given (the longest first),
/// and returns how many were still set aside. On PostgreSQL
/// [`BUILDS_AT_ONCE`] run at once, each on its own connection: a build holds
/// a SHARE lock, which builds of the same table share, and sorts on a core
/// of its own. The registry's four after a 200,000-row load took 0.55 +
/// 0.38 + 0.40 + 1.3 s one after another, 2.2 s all four at once (they
/// fought over two cores), and 1.4 s two at a time. SQLite has one writer:
/// one at a time.
async fn rebuild_all(db: &Db, names: Vec<String>) -> StoreResult<usize> {
    let at_once = match db.backend() {
        Backend::Sqlite => 1,
        Backend::Postgres => BUILDS_AT_ONCE,
    };
    let mut names = names.into_iter();
    let mut builds = tokio::task::JoinSet::new();
    let (mut built, mut outcome) = (0, Ok(()));
    loop {
        while builds.len() < at_once {
            let Some(name) = names.next() else { break };
            let db = db.clone();
            builds.spawn(async move { rebuild_alone(&db, &name).await });
        }
        // Every build is waited for, failed or not, before an error is
        // returned: none is left running behind the caller.
        let Some(done) = builds.join_next().await else {
            break;
        };
        match done.map_err(|e| StoreError::Internal(e.to_string())) {
            Ok(Ok(true)) => built += 1,
            Ok(Ok(false)) => {}
            Ok(Err(e)) | Err(e) => outcome = outcome.and(Err(e)),
        }
    }
    outcome.map(|()| built)
}

/// [`rebuild`] in a transaction of its own.
async fn rebuild_alone(db: &Db, name: &str) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    let built = rebuild(&mut tx, name).await?;
    tx.commit().await?;
    Ok(built)
}

/// Builds `name` from its saved definition and forgets the definition. The
/// row is taken with `DELETE … RETURNING`, so of two callers at once (a load
/// ending while another instance starts) only one builds the index.
async fn rebuild(tx: &mut Tx, name: &str) -> StoreResult<bool> {
    let Some(row) = tx
        .fetch_optional(
            "DELETE FROM deferred_indexes WHERE name = $1 RETURNING definition",
            args![name],
        )
        .await?
    else {
        return Ok(false);
    };
    let sql: String = row.get("definition")?;
    // A migration may have created the index again under the same name since.
    if definition(tx, name).await?.is_none() {
        let started = std::time::Instant::now();
        tx.execute(&sql, vec![]).await?;
        tracing::info!(
            index = name,
            ms = started.elapsed().as_millis() as u64,
            "index built again after a bulk load"
        );
    }
    Ok(true)
}

/// Builds again every index that an interrupted bulk load left set aside;
/// returns how many. Run after the migrations whenever a database is opened.
pub async fn restore_all(mut db: &Db) -> StoreResult<usize> {
    let names: Vec<String> = db
        .fetch_all("SELECT name FROM deferred_indexes ORDER BY name", vec![])
        .await?
        .iter()
        .map(|r| r.get("name"))
        .collect::<StoreResult<_>>()?;
    let built = rebuild_all(db, names).await?;
    if built > 0 {
        tracing::warn!(
            built,
            "indexes left aside by an interrupted bulk load were built again"
        );
    }
    Ok(built)
}
