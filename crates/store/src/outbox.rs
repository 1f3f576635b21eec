//! The SMS outbox (JOINT-2): messages are queued in the transaction of the
//! change they report and sent later by a worker, so sending never blocks or
//! fails the change, survives a restart, and is never done twice by two
//! instances.
//!
//! A worker [`claim`]s due rows with a lease (its owner id and a deadline),
//! sends them, and marks each [`mark_sent`] or [`mark_failed`]; marking
//! succeeds only for the lease's owner. A worker that dies leaves its rows
//! `sending` until the lease runs out, when another worker takes them over.
//! Failures back off exponentially ([`Backoff`]).

use chrono::{DateTime, Duration, Utc};

use crate::args;
use crate::db::{Arg, Backend, Db, Exec, Row, Sql, Tx};
use crate::error::{StoreError, StoreResult};

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewSms {
    /// One message per purpose and recipient, e.g. `task:12:notify:34`.
    pub dedupe_key: String,
    pub mobile: String,
    /// The provider's template (a key of the configuration's template table).
    pub template: String,
    /// Template parameters as a JSON object.
    pub params_json: String,
    /// The text as the recipient reads it.
    pub body: String,
}

/// Queues messages in the caller's transaction; a message whose dedupe key
/// is already queued is left as it is.
pub async fn enqueue(tx: &mut Tx, now: DateTime<Utc>, messages: &[NewSms]) -> StoreResult<()> {
    // One statement per 400 messages (6 parameters each), not one per message:
    // an extraction notifies every administrator of the unit at once.
    for chunk in messages.chunks(400) {
        let mut sql = Sql::new(
            "INSERT INTO sms_outbox (dedupe_key, mobile, template, params_json, body, status,
                                     attempts, next_attempt_at, created_at) VALUES ",
        );
        for (i, m) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push_with(
                "(?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6)",
                crate::args![
                    m.dedupe_key.as_str(),
                    m.mobile.as_str(),
                    m.template.as_str(),
                    m.params_json.as_str(),
                    m.body.as_str(),
                    now
                ],
            );
        }
        let (sql, args) = sql.push(" ON CONFLICT (dedupe_key) DO NOTHING").build();
        crate::db::Exec::execute(tx, &sql, args).await?;
    }
    Ok(())
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// Claimed by a worker until `lease_until`.
    Sending,
    /// Accepted by the gateway.
    Sent,
    /// Given up: refused for good, or out of attempts.
    Failed,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Pending,
        Status::Sending,
        Status::Sent,
        Status::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "待发送",
            Status::Sending => "发送中",
            Status::Sent => "已发送",
            Status::Failed => "失败",
        }
    }
}

/// Retry schedule: `base · 2^(attempts − 1)`, at most `cap`; after
/// `max_attempts` failed attempts the message is marked failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: i64,
}

impl Default for Backoff {
    /// 30 s, 1 min, 2 min … capped at 1 h; 8 attempts (about 1 h 4 min from
    /// the first failure to the last attempt).
    fn default() -> Self {
        Backoff {
            base: Duration::seconds(30),
            cap: Duration::hours(1),
            max_attempts: 8,
        }
    }
}

impl Backoff {
    /// Wait after the `attempts`-th failed attempt (1 for the first).
    pub fn delay(&self, attempts: i64) -> Duration {
        let exponent = (attempts.max(1) - 1).min(30) as u32;
        let delay = self
            .base
            .checked_mul(2_i32.saturating_pow(exponent))
            .unwrap_or(self.cap);
        delay.min(self.cap)
    }

    /// When to try again after the `attempts`-th failed attempt, or `None`
    /// when it was the last one.
    pub fn retry_at(&self, attempts: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (attempts < self.max_attempts).then(|| now + self.delay(attempts))
    }
}

/// A message a worker holds the lease of.
#[derive(Debug, Clone)]
pub struct ClaimedSms {
    pub id: i64,
    pub mobile: String,
    pub template: String,
    pub params_json: String,
    pub body: String,
    /// Attempts including this one.
    pub attempts: i64,
    pub lease_until: DateTime<Utc>,
}

const DUE: &str = "((status = 'pending' AND next_attempt_at <= $3)
                    OR (status = 'sending' AND lease_until <= $3))";

/// Claims up to `limit` due messages for `owner` until `now + lease`:
/// pending ones whose `next_attempt_at` has come, and ones another worker
/// claimed and did not mark before its lease ran out (it died, or hangs).
/// Each claim counts as an attempt.
///
/// No two workers hold one message: on PostgreSQL the candidates are locked
/// with `FOR UPDATE SKIP LOCKED` in a materialised CTE (a concurrent claimer
/// skips them; a row changed since the snapshot is re-checked on its newest
/// version before it is locked, and the `UPDATE` checks the condition
/// again); on SQLite the conditional `UPDATE … RETURNING` runs in a
/// `BEGIN IMMEDIATE` transaction, one writer at a time. A cheap read first
/// keeps an idle worker from taking SQLite's write lock.
pub async fn claim(
    mut db: &Db,
    owner: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> StoreResult<Vec<ClaimedSms>> {
    let probe = format!(
        "SELECT id FROM sms_outbox WHERE {} LIMIT 1",
        DUE.replace("$3", "$1")
    );
    if db.fetch_optional(&probe, args![now]).await?.is_none() {
        return Ok(Vec::new());
    }
    let sql = match db.backend() {
        // A materialised CTE runs the locking scan once: as an `IN (…)`
        // subquery PostgreSQL may re-scan it per row, and a re-scan skips
        // the rows this very statement just updated and returns more,
        // overrunning the LIMIT.
        Backend::Postgres => format!(
            "WITH due AS MATERIALIZED (
                 SELECT id FROM sms_outbox WHERE {DUE}
                  ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
             UPDATE sms_outbox o
                SET status = 'sending', lease_owner = $1, lease_until = $2,
                    attempts = o.attempts + 1
               FROM due
              WHERE o.id = due.id AND {}
             RETURNING o.id, o.mobile, o.template, o.params_json, o.body, o.attempts, o.lease_until",
            DUE.replace("status", "o.status")
                .replace("next_attempt_at", "o.next_attempt_at")
                .replace("lease_until", "o.lease_until")
        ),
        Backend::Sqlite => format!(
            "UPDATE sms_outbox
                SET status = 'sending', lease_owner = $1, lease_until = $2, attempts = attempts + 1
              WHERE id IN (SELECT id FROM sms_outbox WHERE {DUE}
                            ORDER BY next_attempt_at, id LIMIT $4)
                AND {DUE}
             RETURNING id, mobile, template, params_json, body, attempts, lease_until"
        ),
    };
    let mut tx = db.begin().await?;
    let rows = tx
        .fetch_all(&sql, args![owner, now + lease, now, limit])
        .await?;
    tx.commit().await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            Ok(ClaimedSms {
                id: r.get("id")?,
                mobile: r.get("mobile")?,
                template: r.get("template")?,
                params_json: r.get("params_json")?,
                body: r.get("body")?,
                attempts: r.get("attempts")?,
                lease_until: r.get("lease_until")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// Records that the gateway accepted a message. Only the worker holding the
/// claim may: returns false (and changes nothing) when `owner` no longer
/// holds it — its lease ran out and another worker took the message over.
pub async fn mark_sent(
    mut db: &Db,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
    provider: &str,
    provider_message_id: &str,
) -> StoreResult<bool> {
    let n = db
        .execute(
            "UPDATE sms_outbox
                SET status = 'sent', sent_at = $3, provider = $4, provider_message_id = $5,
                    lease_owner = NULL, lease_until = NULL
              WHERE id = $1 AND status = 'sending' AND lease_owner = $2",
            args![id, owner, now, provider, provider_message_id],
        )
        .await?;
    Ok(n == 1)
}

/// Records a failed attempt: back to pending until `retry_at`, or failed for
/// good when `retry_at` is `None`. Only the claim's holder may (see
/// [`mark_sent`]).
pub async fn mark_failed(
    mut db: &Db,
    id: i64,
    owner: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> StoreResult<bool> {
    let error: String = error.chars().take(1000).collect();
    let n = match retry_at {
        Some(at) => {
            db.execute(
                "UPDATE sms_outbox
                        SET status = 'pending', next_attempt_at = $3, last_error = $4,
                            lease_owner = NULL, lease_until = NULL
                      WHERE id = $1 AND status = 'sending' AND lease_owner = $2",
                args![id, owner, at, error],
            )
            .await?
        }
        None => {
            db.execute(
                "UPDATE sms_outbox
                        SET status = 'failed', last_error = $3,
                            lease_owner = NULL, lease_until = NULL
                      WHERE id = $1 AND status = 'sending' AND lease_owner = $2",
                args![id, owner, error],
            )
            .await?
        }
    };
    Ok(n == 1)
}

/// Whose messages a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every message (system administrator).
    All,
    /// Messages to the people of one department (matched by mobile number,
    /// the person's current department).
    Department(i64),
}

/// One message as the outbox page shows it.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub id: i64,
    pub mobile: String,
    pub template: String,
    pub body: String,
    pub status: Status,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub last_error: Option<String>,
}

/// A page of the outbox, newest first, with the count of each status.
#[derive(Debug, Clone)]
pub struct OutboxPage {
    pub entries: Vec<OutboxEntry>,
    /// Messages matching the filter (all pages).
    pub total: i64,
    /// Per status, within the scope (whatever the status filter).
    pub counts: Vec<(Status, i64)>,
}

const ENTRY_COLUMNS: &str = "o.id, o.mobile, o.template, o.body, o.status, o.attempts,
    o.next_attempt_at, o.lease_owner, o.lease_until, o.created_at, o.sent_at, o.provider,
    o.provider_message_id, o.last_error";

fn entry(r: &Row) -> StoreResult<OutboxEntry> {
    let status: String = r.get("status")?;
    Ok(OutboxEntry {
        id: r.get("id")?,
        mobile: r.get("mobile")?,
        template: r.get("template")?,
        body: r.get("body")?,
        status: Status::parse(&status)
            .ok_or_else(|| StoreError::internal(format!("sms_outbox status {status}")))?,
        attempts: r.get("attempts")?,
        next_attempt_at: r.get("next_attempt_at")?,
        lease_owner: r.get("lease_owner")?,
        lease_until: r.get("lease_until")?,
        created_at: r.get("created_at")?,
        sent_at: r.get("sent_at")?,
        provider: r.get("provider")?,
        provider_message_id: r.get("provider_message_id")?,
        last_error: r.get("last_error")?,
    })
}

/// `page` counts from 1.
pub async fn list(
    mut db: &Db,
    scope: Scope,
    status: Option<Status>,
    page: i64,
    per_page: i64,
) -> StoreResult<OutboxPage> {
    let (scope_sql, args): (&str, Vec<Arg>) = match scope {
        Scope::All => ("1 = 1", vec![]),
        Scope::Department(d) => (
            "EXISTS (SELECT 1 FROM people p WHERE p.mobile = o.mobile AND p.department_id = $1)",
            args![d],
        ),
    };
    let mut filter = Sql::with(scope_sql, args);
    let (sql, args) = Sql::new("SELECT o.status, COUNT(*) AS n FROM sms_outbox o WHERE ")
        .push_sql(&filter)
        .push(" GROUP BY o.status")
        .build();
    let count_rows = db.fetch_all(&sql, args).await?;
    let mut counts: Vec<(Status, i64)> = Status::ALL.iter().map(|s| (*s, 0)).collect();
    for r in &count_rows {
        let s: String = r.get("status")?;
        if let Some(c) = counts.iter_mut().find(|(x, _)| x.as_str() == s) {
            c.1 = r.get("n")?;
        }
    }
    let total = match status {
        Some(s) => counts.iter().find(|(x, _)| *x == s).map_or(0, |c| c.1),
        None => counts.iter().map(|c| c.1).sum(),
    };
    if let Some(s) = status {
        filter.push(" AND o.status = ").push_bind(s.as_str());
    }
    let per_page = per_page.clamp(1, 500);
    let offset = (page.max(1) - 1) * per_page;
    let (sql, args) = Sql::new(&format!("SELECT {ENTRY_COLUMNS} FROM sms_outbox o WHERE "))
        .push_sql(&filter)
        .push(" ORDER BY o.id DESC LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind(offset)
        .build();
    let rows = db.fetch_all(&sql, args).await?;
    Ok(OutboxPage {
        entries: rows.iter().map(entry).collect::<StoreResult<_>>()?,
        total,
        counts,
    })
}

/// One message by id.
pub async fn get(mut db: &Db, id: i64) -> StoreResult<Option<OutboxEntry>> {
    let row = db
        .fetch_optional(
            &format!("SELECT {ENTRY_COLUMNS} FROM sms_outbox o WHERE o.id = $1"),
            args![id],
        )
        .await?;
    row.as_ref().map(entry).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backoff_doubles_up_to_the_cap_then_gives_up() {
        let b = Backoff::default();
        let now = Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap();
        assert_eq!(b.delay(1), Duration::seconds(30));
        assert_eq!(b.delay(2), Duration::seconds(60));
        assert_eq!(b.delay(4), Duration::seconds(240));
        assert_eq!(b.delay(7), Duration::seconds(1920));
        assert_eq!(b.delay(8), Duration::hours(1));
        assert_eq!(b.delay(60), Duration::hours(1));
        assert_eq!(b.retry_at(1, now), Some(now + Duration::seconds(30)));
        assert_eq!(b.retry_at(7, now), Some(now + Duration::seconds(1920)));
        assert_eq!(b.retry_at(8, now), None);
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("x"), None);
    }
}
