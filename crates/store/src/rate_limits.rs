//! Rate limits of anonymous requests (SEC-4, SEC-5), kept in the database so
//! that every instance behind a load balancer counts against the same
//! numbers: one row per bucket and subject (a client address, a USCC) holds
//! the hits of a fixed window, moved by one atomic upsert.

use chrono::{DateTime, Duration, Utc};
use yici_domain::DomainError;

use crate::db::{Db, Exec};
use crate::error::StoreResult;

/// Counts one request of `subject` in `bucket`; refuses it (`refusal`) when
/// it is more than `limit` in the window that began with the first request
/// counted. A window that has run out starts afresh with this request.
/// Refused requests count too: hammering does not wear a limit down.
///
/// A fixed window lets through at most twice the limit across a window's
/// end; for throttling sign-up that is enough, and it needs no history.
pub async fn hit(
    mut db: &Db,
    now: DateTime<Utc>,
    bucket: &str,
    subject: &str,
    limit: u32,
    window: Duration,
    refusal: fn() -> DomainError,
) -> StoreResult<()> {
    // In an UPDATE's SET every expression reads the row as it was, on both
    // databases, so the window test sees the old window_start twice.
    let hits = db
        .scalar_i64(
            "INSERT INTO rate_limits (bucket, subject, window_start, hits) VALUES ($1, $2, $3, 1)
             ON CONFLICT (bucket, subject) DO UPDATE SET
                hits = CASE WHEN rate_limits.window_start <= $4 THEN 1
                            ELSE rate_limits.hits + 1 END,
                window_start = CASE WHEN rate_limits.window_start <= $4 THEN excluded.window_start
                                    ELSE rate_limits.window_start END
             RETURNING hits",
            crate::args![bucket, subject, now, now - window],
        )
        .await?;
    if hits > i64::from(limit) {
        return Err(refusal().into());
    }
    Ok(())
}
