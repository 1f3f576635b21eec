//! Appending to and verifying the hash-chained audit log (AUDIT-1).
//!
//! [`record`] is called inside the transaction that makes the change, so the
//! change and its entry commit or roll back together. The chain head row is
//! locked first (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already
//! serialises writers), which numbers entries without gaps across instances.

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::audit::seal::{self, Seal, SealBody, SealKey, SealReport};
use yici_domain::audit::{json_text, AuditEntry, Finding, StoredEntry, Verifier};

use crate::db::{bulk_insert_verb, check_rows, insert_statement, Backend, Db, Exec, Row, Tx};
use crate::error::StoreResult;
use crate::{args, Actor};

/// One change to record: `before`/`after` are the record's JSON (`None` for
/// created / deleted records). Secrets (password hashes) are never passed here.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

pub async fn record<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    at: DateTime<Utc>,
    actor: &Actor,
    change: Change<'_, B, A>,
) -> StoreResult<i64> {
    let seqs = record_many(tx, at, actor, vec![Entry::of(change)]).await?;
    Ok(seqs.start)
}

/// A change already turned into JSON text, for [`record_many`].
pub struct Entry {
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: String,
    pub after: String,
}

impl Entry {
    /// An entry for a record whose JSON has a fixed field order (a struct of
    /// plain fields, no maps): written once as it serialises, without the
    /// key sorting of [`Entry::of`] (an import writes 200,000 of these).
    pub fn of_record<B: Serialize, A: Serialize>(change: Change<'_, B, A>) -> Entry {
        fn text<T: Serialize>(v: Option<&T>) -> String {
            v.and_then(|v| serde_json::to_string(v).ok())
                .unwrap_or_else(|| "null".into())
        }
        Entry {
            action: change.action.to_string(),
            entity: change.entity.to_string(),
            entity_id: change.entity_id,
            before: text(change.before),
            after: text(change.after),
        }
    }

    pub fn of<B: Serialize, A: Serialize>(change: Change<'_, B, A>) -> Entry {
        Entry {
            action: change.action.to_string(),
            entity: change.entity.to_string(),
            entity_id: change.entity_id,
            before: change
                .before
                .map(json_text)
                .unwrap_or_else(|| "null".into()),
            after: change.after.map(json_text).unwrap_or_else(|| "null".into()),
        }
    }
}

/// Rows per multi-row INSERT: 11 parameters each stays far below SQLite's
/// limit of 32766 bound parameters.
/// Entries in one insert statement (11 parameters each).
pub const CHUNK: usize = 200;

/// Appends many entries with one lock of the head and multi-row inserts (bulk
/// import writes one entry per enterprise). Returns the sequence numbers used.
pub async fn record_many(
    tx: &mut Tx,
    at: DateTime<Utc>,
    actor: &Actor,
    entries: Vec<Entry>,
) -> StoreResult<std::ops::Range<i64>> {
    let mut chain = Chain::lock(tx, at, actor).await?;
    let first = chain.next_seq;
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let (sql, args, n) = chain.insert(entries.by_ref().take(CHUNK));
        check_rows("audit_log", tx.execute(&sql, args).await?, n)?;
    }
    let range = first..chain.next_seq;
    chain.close(tx).await?;
    Ok(range)
}

/// The end of the chain, locked for one transaction: entries are numbered
/// and hashed here, in order, and the head is moved once at [`Chain::close`].
/// Building the statements needs no database, so a bulk writer can hash on
/// one thread while another runs the inserts.
pub struct Chain {
    backend: Backend,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor: String,
    first_seq: i64,
    next_seq: i64,
    last_hash: String,
}

impl Chain {
    /// Locks the head row (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN
    /// IMMEDIATE` already serialises writers) until the transaction ends.
    pub async fn lock(tx: &mut Tx, at: DateTime<Utc>, actor: &Actor) -> StoreResult<Chain> {
        let lock = match tx.backend() {
            Backend::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
            Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
        };
        let head = tx.fetch_one(lock, vec![]).await?;
        let next_seq = head.get::<i64>("seq")? + 1;
        Ok(Chain {
            backend: tx.backend(),
            at: yici_domain::time::truncate(at),
            actor_id: actor.account_id,
            actor: actor.login.clone(),
            first_seq: next_seq,
            next_seq,
            last_hash: head.get("hash")?,
        })
    }

    /// The audit log's columns, in the order of [`Chain::rows`].
    pub const COLUMNS: &'static [&'static str] = &[
        "seq",
        "at",
        "actor_id",
        "actor",
        "action",
        "entity",
        "entity_id",
        "before_json",
        "after_json",
        "prev_hash",
        "hash",
    ];

    /// Numbers and hashes `entries`: one row of [`Chain::COLUMNS`] each.
    pub fn rows(&mut self, entries: impl Iterator<Item = Entry>) -> Vec<Vec<crate::Arg>> {
        entries
            .map(|e| {
                let entry = AuditEntry {
                    seq: self.next_seq,
                    at: self.at,
                    actor_id: self.actor_id,
                    actor: self.actor.clone(),
                    action: e.action,
                    entity: e.entity,
                    entity_id: e.entity_id,
                    before: e.before,
                    after: e.after,
                };
                let hash = entry.hash(&self.last_hash);
                let prev = std::mem::replace(&mut self.last_hash, hash.clone());
                self.next_seq += 1;
                args![
                    entry.seq,
                    entry.at,
                    entry.actor_id,
                    entry.actor,
                    entry.action,
                    entry.entity,
                    entry.entity_id,
                    entry.before,
                    entry.after,
                    prev,
                    hash
                ]
            })
            .collect()
    }

    /// Numbers and hashes `entries` and returns the statement inserting them
    /// (at most [`CHUNK`] at a time keeps it under the parameter limits) and
    /// how many rows it must write (see [`check_rows`]).
    pub fn insert(
        &mut self,
        entries: impl Iterator<Item = Entry>,
    ) -> (String, Vec<crate::Arg>, usize) {
        let rows = self.rows(entries);
        let n = rows.len();
        let verb = bulk_insert_verb(self.backend);
        let (sql, args) = insert_statement(verb, "audit_log", Self::COLUMNS, rows, "");
        (sql, args, n)
    }

    /// Moves the head to the last entry appended (nothing when none was).
    pub async fn close(self, tx: &mut Tx) -> StoreResult<()> {
        if self.next_seq == self.first_seq {
            return Ok(());
        }
        tx.execute(
            "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
            args![self.next_seq - 1, self.last_hash],
        )
        .await?;
        Ok(())
    }
}

fn stored(row: &Row) -> StoreResult<StoredEntry> {
    Ok(StoredEntry {
        entry: AuditEntry {
            seq: row.get("seq")?,
            at: row.get("at")?,
            actor_id: row.get("actor_id")?,
            actor: row.get("actor")?,
            action: row.get("action")?,
            entity: row.get("entity")?,
            entity_id: row.get("entity_id")?,
            before: row.get("before_json")?,
            after: row.get("after_json")?,
        },
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
    })
}

const COLUMNS: &str =
    "seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash";

/// The result of walking the whole chain and checking its seals.
#[derive(Debug)]
pub struct Report {
    pub checked: i64,
    pub head_seq: i64,
    pub findings: Vec<Finding>,
    /// The seals (AUDIT-2), checked with the key given to [`verify`].
    pub seals: SealReport,
    /// The newest seal, if any: how far back the chain is sealed.
    pub last_seal: Option<Seal>,
}

impl Report {
    /// Nothing found wrong, in the chain or its seals.
    pub fn intact(&self) -> bool {
        self.findings.is_empty() && self.seals.findings.is_empty()
    }
}

/// Walks the whole log in order, a page at a time, compares it with the
/// head, and checks every seal against the log (their MACs with `key`).
pub async fn verify(mut db: &Db, key: Option<&SealKey>) -> StoreResult<Report> {
    let seals = all_seals(db).await?;
    // The hashes of the sealed entries, picked up during the walk.
    let mut sealed: std::collections::HashMap<i64, Option<String>> =
        seals.iter().map(|s| (s.body.head_seq, None)).collect();
    let mut verifier = Verifier::default();
    let mut after: i64 = i64::MIN;
    loop {
        let page = db
            .fetch_all(
                &format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"),
                args![after],
            )
            .await?;
        if page.is_empty() {
            break;
        }
        for row in &page {
            let entry = stored(row)?;
            after = entry.entry.seq;
            if let Some(hash) = sealed.get_mut(&after) {
                *hash = Some(entry.hash.clone());
            }
            verifier.push(&entry);
        }
    }
    let head = db
        .fetch_one("SELECT seq, hash FROM audit_head WHERE id = 1", vec![])
        .await?;
    let head_seq: i64 = head.get("seq")?;
    let head_hash: String = head.get("hash")?;
    let checked = verifier.checked;
    let seal_report = seal::check(&seals, key, |seq| sealed.get(&seq).cloned().flatten());
    Ok(Report {
        checked,
        head_seq,
        findings: verifier.finish(head_seq, &head_hash),
        seals: seal_report,
        last_seal: seals.last().cloned(),
    })
}

fn seal_of(row: &Row) -> StoreResult<Seal> {
    Ok(Seal {
        body: SealBody {
            no: row.get("no")?,
            sealed_at: row.get("sealed_at")?,
            head_seq: row.get("head_seq")?,
            head_hash: row.get("head_hash")?,
            key_id: row.get("key_id")?,
            prev_mac: row.get("prev_mac")?,
        },
        mac: row.get("mac")?,
    })
}

const SEAL_COLUMNS: &str = "no, sealed_at, head_seq, head_hash, key_id, prev_mac, mac";

/// Every seal, oldest first (one every few minutes: tens of thousands a year).
async fn all_seals(mut db: &Db) -> StoreResult<Vec<Seal>> {
    db.fetch_all(
        &format!("SELECT {SEAL_COLUMNS} FROM audit_seals ORDER BY no"),
        vec![],
    )
    .await?
    .iter()
    .map(seal_of)
    .collect()
}

/// The newest seals, newest first, for the administrator's page.
pub async fn recent_seals(mut db: &Db, limit: i64) -> StoreResult<Vec<Seal>> {
    db.fetch_all(
        &format!("SELECT {SEAL_COLUMNS} FROM audit_seals ORDER BY no DESC LIMIT $1"),
        args![limit],
    )
    .await?
    .iter()
    .map(seal_of)
    .collect()
}

/// Seals the chain head under `key`, unless the newest seal already covers
/// it. The head row is locked as by an append, so two instances sealing at
/// once number their seals in turn and the second finds nothing new.
pub async fn seal(db: &Db, now: DateTime<Utc>, key: &SealKey) -> StoreResult<Option<Seal>> {
    let mut tx = db.begin().await?;
    let lock = match tx.backend() {
        Backend::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
        Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
    };
    let head = tx.fetch_one(lock, vec![]).await?;
    let head_seq: i64 = head.get("seq")?;
    let last = tx
        .fetch_optional(
            &format!("SELECT {SEAL_COLUMNS} FROM audit_seals ORDER BY no DESC LIMIT 1"),
            vec![],
        )
        .await?
        .map(|r| seal_of(&r))
        .transpose()?;
    if last.as_ref().is_some_and(|s| s.body.head_seq == head_seq) {
        return Ok(None);
    }
    let body = Seal::next_body(last.as_ref(), key, now, head_seq, head.get("hash")?);
    let seal = key.seal(body);
    let b = &seal.body;
    tx.execute(
        &format!("INSERT INTO audit_seals ({SEAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
        args![
            b.no,
            b.sealed_at,
            b.head_seq,
            b.head_hash.as_str(),
            b.key_id.as_str(),
            b.prev_mac.as_str(),
            seal.mac.as_str()
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(Some(seal))
}

/// Takes the append-only guard off the audit tables, as their owner could
/// (PostgreSQL: disable the triggers; SQLite: drop them). Only for tests
/// that play someone with database access, to show `verify` still finds
/// what they did; the application never calls it.
#[doc(hidden)]
pub async fn lift_guard_as_attacker(mut db: &Db) -> StoreResult<()> {
    let sql = match db.backend() {
        Backend::Postgres => {
            "ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_seals DISABLE TRIGGER USER"
        }
        Backend::Sqlite => {
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
             DROP TRIGGER audit_seals_no_update; DROP TRIGGER audit_seals_no_delete"
        }
    };
    for statement in sql.split(';') {
        db.execute(statement.trim(), vec![]).await?;
    }
    Ok(())
}

/// Entries about one record, newest first (for a record's history on a page).
pub async fn history(mut db: &Db, entity: &str, entity_id: &str) -> StoreResult<Vec<AuditEntry>> {
    let rows = db
        .fetch_all(
            &format!(
                "SELECT {COLUMNS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq DESC"
            ),
            args![entity, entity_id],
        )
        .await?;
    rows.iter().map(|r| stored(r).map(|s| s.entry)).collect()
}

/// The newest entries of the whole log, for the administrator's page.
pub async fn recent(mut db: &Db, limit: i64) -> StoreResult<Vec<AuditEntry>> {
    let rows = db
        .fetch_all(
            &format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"),
            args![limit],
        )
        .await?;
    rows.iter().map(|r| stored(r).map(|s| s.entry)).collect()
}
