//! Rate limits (SEC-4): anonymous requests per client address, and searches
//! and exports per account and per address, answered 429 with a Chinese
//! message and `Retry-After`.
//!
//! Each limit is a token bucket holding a minute's allowance and refilled
//! continuously, so a burst up to the allowance passes and a steady flood is
//! held to the rate. Buckets live in this instance's memory: they protect
//! the instance (an anonymous search costs a database query, a login an
//! Argon2 hash) and no other instance needs them — behind a load balancer
//! with N instances a client gets at most N times the allowance, which the
//! proxy's own limits (nginx `limit_req`) can tighten. Failed logins are
//! limited separately and across instances, in the database (`auth`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use yici_domain::{DomainError, ErrorKind};

use crate::error::{ApiError, PageError};
use crate::session::CurrentSession;
use crate::state::AppState;

/// `[rate_limits]`: requests per minute; 0 turns a limit off.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Any request without a session, per client address (public pages and
    /// open data, login, sign-up, the scanned check-in code).
    pub anonymous_per_minute: u32,
    /// Registry and public-result searches and exports, per account and
    /// per client address.
    pub search_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            anonymous_per_minute: 300,
            search_per_minute: 120,
        }
    }
}

/// Buckets past this many are pruned of the full ones (a full bucket is
/// the same as none), so a flood of addresses can't grow memory for long.
const PRUNE_ABOVE: usize = 20_000;

#[derive(Default)]
pub struct Buckets {
    map: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
    per_minute: u32,
}

impl Bucket {
    fn refilled(&self, now: Instant) -> f64 {
        let capacity = f64::from(self.per_minute);
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        (self.tokens + elapsed * capacity / 60.0).min(capacity)
    }
}

impl Buckets {
    /// Takes one request from `key`'s bucket of `per_minute`; the wait until
    /// the next one would pass when the bucket is empty.
    pub fn take(&self, key: &str, per_minute: u32, now: Instant) -> Result<(), Duration> {
        if per_minute == 0 {
            return Ok(());
        }
        let per_second = f64::from(per_minute) / 60.0;
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, b| b.refilled(now) < f64::from(b.per_minute));
        }
        let bucket = map.entry(key.to_string()).or_insert(Bucket {
            tokens: f64::from(per_minute),
            at: now,
            per_minute,
        });
        bucket.per_minute = per_minute;
        bucket.tokens = bucket.refilled(now);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

/// Searches and exports: the requests that cost a query over many rows.
fn is_search(method: &Method, path: &str) -> bool {
    method == Method::GET
        && (matches!(
            path,
            "/enterprises"
                | "/enterprises/export"
                | "/api/v1/enterprises"
                | "/api/v1/enterprises/export"
                | "/public/results"
                | "/api/v1/public/results"
        ) || path.starts_with("/public/data/"))
}

/// Static files cost nothing and a page needs several of them.
fn is_static(path: &str) -> bool {
    path.starts_with("/assets/") || path == "/sw.js" || path == "/manifest.webmanifest"
}

/// The middleware: runs after the session is loaded (it limits by account).
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_static(path) || path == "/healthz" {
        return next.run(req).await;
    }
    let limits = state.config.rate_limits;
    let ip = crate::session::client_ip(&state, req.headers(), req.extensions());
    let account = req
        .extensions()
        .get::<CurrentSession>()
        .map(|c| c.session.principal.account_id);
    let now = Instant::now();
    let buckets = &state.rate_buckets;
    let mut verdict = match account {
        None => buckets.take(&format!("anon:{ip}"), limits.anonymous_per_minute, now),
        Some(_) => Ok(()),
    };
    if verdict.is_ok() && is_search(req.method(), path) {
        verdict = buckets
            .take(&format!("search:ip:{ip}"), limits.search_per_minute, now)
            .and_then(|()| match account {
                Some(id) => buckets.take(
                    &format!("search:account:{id}"),
                    limits.search_per_minute,
                    now,
                ),
                None => Ok(()),
            });
    }
    match verdict {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many(path, wait),
    }
}

fn too_many(path: &str, wait: Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let err = DomainError::new(
        ErrorKind::RateLimited,
        "rate_limited",
        format!("请求过于频繁，请{seconds}秒后再试"),
    );
    let mut response = if path.starts_with("/api/") {
        ApiError(err.into()).into_response()
    } else {
        PageError(err.into()).into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_a_minutes_allowance_through_then_refills_at_the_rate() {
        let b = Buckets::default();
        let t0 = Instant::now();
        for _ in 0..60 {
            assert!(b.take("k", 60, t0).is_ok());
        }
        let wait = b.take("k", 60, t0).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(900));
        // One per second comes back; other keys are untouched.
        assert!(b.take("k", 60, t0 + Duration::from_millis(1_000)).is_ok());
        assert!(b.take("k", 60, t0 + Duration::from_millis(1_100)).is_err());
        assert!(b.take("other", 60, t0).is_ok());
        // Never more than the allowance, however long the pause.
        let later = t0 + Duration::from_secs(3_600);
        for _ in 0..60 {
            assert!(b.take("k", 60, later).is_ok());
        }
        assert!(b.take("k", 60, later).is_err());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let b = Buckets::default();
        let t0 = Instant::now();
        assert!((0..1_000).all(|_| b.take("k", 0, t0).is_ok()));
    }

    #[test]
    fn full_buckets_are_pruned_and_spent_ones_kept() {
        let b = Buckets::default();
        let t0 = Instant::now();
        b.take("spent", 1, t0).unwrap();
        for i in 0..=PRUNE_ABOVE {
            b.take(&format!("k{i}"), 1_000, t0).unwrap();
        }
        // Much later every bucket has refilled but the spent one of 1 a minute.
        b.take("new", 1_000, t0 + Duration::from_secs(30)).unwrap();
        let map = b.map.lock().unwrap();
        assert!(map.len() < 10, "{}", map.len());
        assert!(map.contains_key("spent"));
    }

    #[test]
    fn searches_and_exports_are_told_apart() {
        assert!(is_search(&Method::GET, "/api/v1/enterprises"));
        assert!(is_search(&Method::GET, "/public/data/results.csv"));
        assert!(!is_search(&Method::POST, "/api/v1/enterprises"));
        assert!(!is_search(&Method::GET, "/api/v1/enterprises/12"));
        assert!(is_static("/assets/yici.css") && !is_static("/public/results"));
    }
}
