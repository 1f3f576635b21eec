//! Appending to and verifying the hash-chained audit log (AUDIT-1).
//!
//! [`record`] is called inside the transaction that makes the change, so the
//! change and its entry commit or roll back together. The chain head row is
//! locked first (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already
//! serialises writers), which numbers entries without gaps across instances.

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::audit::{json_text, AuditEntry, Finding, StoredEntry, Verifier};

use crate::db::{Backend, Db, Exec, Row, Tx};
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
    let lock = match tx.backend() {
        Backend::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
        Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
    };
    let head = tx.fetch_one(lock, vec![]).await?;
    let prev_seq: i64 = head.get("seq")?;
    let prev_hash: String = head.get("hash")?;
    let entry = AuditEntry {
        seq: prev_seq + 1,
        at: yici_domain::time::truncate(at),
        actor_id: actor.account_id,
        actor: actor.login.clone(),
        action: change.action.to_string(),
        entity: change.entity.to_string(),
        entity_id: change.entity_id,
        before: change
            .before
            .map(json_text)
            .unwrap_or_else(|| "null".into()),
        after: change.after.map(json_text).unwrap_or_else(|| "null".into()),
    };
    let hash = entry.hash(&prev_hash);
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id,
                                before_json, after_json, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        args![
            entry.seq,
            entry.at,
            entry.actor_id,
            &entry.actor,
            &entry.action,
            &entry.entity,
            &entry.entity_id,
            &entry.before,
            &entry.after,
            &prev_hash,
            &hash
        ],
    )
    .await?;
    tx.execute(
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        args![entry.seq, &hash],
    )
    .await?;
    Ok(entry.seq)
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

/// The result of walking the whole chain.
#[derive(Debug)]
pub struct Report {
    pub checked: i64,
    pub head_seq: i64,
    pub findings: Vec<Finding>,
}

/// Walks the whole log in order, a page at a time, and compares it with the head.
pub async fn verify(db: &Db) -> StoreResult<Report> {
    let mut db = db.clone();
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
            verifier.push(&entry);
        }
    }
    let head = db
        .fetch_one("SELECT seq, hash FROM audit_head WHERE id = 1", vec![])
        .await?;
    let head_seq: i64 = head.get("seq")?;
    let head_hash: String = head.get("hash")?;
    let checked = verifier.checked;
    Ok(Report {
        checked,
        head_seq,
        findings: verifier.finish(head_seq, &head_hash),
    })
}

/// Entries about one record, newest first (for a record's history on a page).
pub async fn history(db: &Db, entity: &str, entity_id: &str) -> StoreResult<Vec<AuditEntry>> {
    let rows = db
        .clone()
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
pub async fn recent(db: &Db, limit: i64) -> StoreResult<Vec<AuditEntry>> {
    let rows = db
        .clone()
        .fetch_all(
            &format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"),
            args![limit],
        )
        .await?;
    rows.iter().map(|r| stored(r).map(|s| s.entry)).collect()
}
