//! The SMS worker (JOINT-2): every instance runs one. Each round it claims a
//! batch of due messages from the outbox under a lease with this instance's
//! owner id, hands them to the configured gateway (concurrently, so a slow
//! provider costs one timeout per round rather than one per message), and
//! marks each sent, pending again after a backoff, or failed.
//!
//! Instances share nothing but the database: the claim (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL, a conditional `UPDATE … RETURNING` in a
//! `BEGIN IMMEDIATE` transaction on SQLite) gives a message to one worker at
//! a time, and only the lease's holder may mark it. A worker that dies leaves
//! its messages `sending`; another takes them over when the lease runs out.
//! That is the one case where a message can reach a phone twice (sent, then
//! the instance died before marking it): the lease is long against the
//! gateway's timeout so that it takes a crash, not a slow answer.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use yici_domain::time::Clock;
use yici_sms::{DevOutbox, OutgoingSms, SmsGateway};
use yici_store::outbox::{self, Backoff, ClaimedSms};
use yici_store::{Db, StoreResult};

use crate::state::AppState;

/// How SMS leave this instance (`[sms]` in yici.toml).
#[derive(Clone)]
pub struct SmsSettings {
    /// The gateway: the development outbox unless configured otherwise.
    pub gateway: Arc<dyn SmsGateway>,
    /// Run the worker in this instance (`yici_web::serve` starts it).
    pub run_worker: bool,
    /// Pause between rounds when the outbox had nothing more to send.
    pub poll_interval: Duration,
    /// Messages claimed per round.
    pub batch: i64,
    /// How long a claim holds a message. Must exceed the gateway's timeout
    /// by far: past it, another instance may send the message again.
    pub lease: chrono::Duration,
    pub backoff: Backoff,
}

impl Default for SmsSettings {
    fn default() -> Self {
        SmsSettings {
            gateway: Arc::new(DevOutbox),
            run_worker: true,
            poll_interval: Duration::from_secs(5),
            batch: 20,
            lease: chrono::Duration::minutes(5),
            backoff: Backoff::default(),
        }
    }
}

impl fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsSettings")
            .field("gateway", &self.gateway.provider())
            .field("run_worker", &self.run_worker)
            .field("poll_interval", &self.poll_interval)
            .field("batch", &self.batch)
            .field("lease", &self.lease)
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    /// Failed and scheduled again.
    pub retrying: usize,
    /// Failed for good.
    pub failed: usize,
    /// Sent or failed, but the lease was no longer ours when marking.
    pub lost: usize,
}

/// One instance's worker.
pub struct SmsWorker {
    db: Db,
    clock: Arc<dyn Clock>,
    settings: SmsSettings,
    owner: String,
}

/// A process-unique owner id: host, process, a random per-process key and a
/// counter (two workers in one process, as in tests, differ too).
fn new_owner() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    format!(
        "{host}:{}:{:08x}:{n}",
        std::process::id(),
        h.finish() as u32
    )
}

impl SmsWorker {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: SmsSettings) -> SmsWorker {
        SmsWorker {
            db,
            clock,
            settings,
            owner: new_owner(),
        }
    }

    /// The worker of a server instance: its database, clock and settings.
    pub fn for_state(state: &AppState) -> SmsWorker {
        SmsWorker::new(
            state.db.clone(),
            state.clock.clone(),
            state.config.sms.clone(),
        )
    }

    /// The lease owner id of this worker.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Claims, sends and marks one batch.
    pub async fn run_once(&self) -> StoreResult<Round> {
        let s = &self.settings;
        let claimed =
            outbox::claim(&self.db, &self.owner, self.clock.now(), s.lease, s.batch).await?;
        let mut round = Round {
            claimed: claimed.len(),
            ..Round::default()
        };
        let mut sending: Vec<(
            ClaimedSms,
            JoinHandle<Result<yici_sms::Receipt, yici_sms::SmsError>>,
        )> = Vec::with_capacity(claimed.len());
        for c in claimed {
            if c.attempts > s.backoff.max_attempts {
                // Claimed again and again by workers that died before marking it.
                let error = format!("已尝试 {} 次仍未确认发送结果，不再重试", c.attempts - 1);
                self.mark_failed(&c, &error, None, &mut round).await;
                continue;
            }
            let gateway = s.gateway.clone();
            let msg = OutgoingSms {
                id: c.id,
                mobile: c.mobile.clone(),
                template: c.template.clone(),
                params_json: c.params_json.clone(),
                body: c.body.clone(),
            };
            sending.push((c, tokio::spawn(async move { gateway.send(&msg).await })));
        }
        for (c, handle) in sending {
            match handle.await {
                Ok(Ok(receipt)) => {
                    match outbox::mark_sent(
                        &self.db,
                        c.id,
                        &self.owner,
                        self.clock.now(),
                        &receipt.provider,
                        &receipt.message_id,
                    )
                    .await
                    {
                        Ok(true) => round.sent += 1,
                        Ok(false) => {
                            round.lost += 1;
                            tracing::warn!(id = c.id, "SMS sent after its lease was taken over");
                        }
                        Err(e) => {
                            // The lease runs out and the message is sent again:
                            // better twice than never.
                            tracing::error!(id = c.id, error = %e, "SMS sent but not marked");
                        }
                    }
                }
                Ok(Err(e)) => {
                    let retry_at = if e.is_retryable() {
                        s.backoff.retry_at(c.attempts, self.clock.now())
                    } else {
                        None
                    };
                    self.mark_failed(&c, &e.to_string(), retry_at, &mut round)
                        .await;
                }
                Err(join) => {
                    let retry_at = s.backoff.retry_at(c.attempts, self.clock.now());
                    let error = format!("发送时内部错误：{join}");
                    self.mark_failed(&c, &error, retry_at, &mut round).await;
                }
            }
        }
        Ok(round)
    }

    async fn mark_failed(
        &self,
        c: &ClaimedSms,
        error: &str,
        retry_at: Option<chrono::DateTime<chrono::Utc>>,
        round: &mut Round,
    ) {
        match outbox::mark_failed(&self.db, c.id, &self.owner, error, retry_at).await {
            Ok(true) if retry_at.is_some() => {
                round.retrying += 1;
                tracing::info!(
                    id = c.id,
                    attempts = c.attempts,
                    error,
                    "SMS will be retried"
                );
            }
            Ok(true) => {
                round.failed += 1;
                tracing::warn!(
                    id = c.id,
                    attempts = c.attempts,
                    error,
                    "SMS failed for good"
                );
            }
            Ok(false) => round.lost += 1,
            Err(e) => tracing::error!(id = c.id, error = %e, "SMS failure not recorded"),
        }
    }

    /// Runs rounds until stopped: at once again while a round filled its
    /// batch, else after the poll interval.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            tracing::info!(owner = %self.owner, gateway = self.settings.gateway.provider(), "SMS worker started");
            loop {
                let full = match self.run_once().await {
                    Ok(round) => round.claimed as i64 >= self.settings.batch,
                    Err(e) => {
                        tracing::warn!(error = %e, "SMS worker round failed");
                        false
                    }
                };
                if *stopped.borrow() || stopped.has_changed().is_err() {
                    break;
                }
                if full {
                    continue;
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.settings.poll_interval) => {}
                    // A stop, or the handle dropped.
                    _ = stopped.changed() => break,
                }
            }
        });
        WorkerHandle { stop, task }
    }
}

/// A running worker. Dropping it stops the loop after the current round.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    /// Stops after the current round (whose messages are all marked) and waits.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Ends the worker at once, as a crash would: messages it claimed and
    /// did not mark stay `sending` until their lease runs out.
    pub fn kill(self) {
        self.task.abort();
    }
}

/// Starts this instance's worker when configured to run one.
pub fn start(state: &AppState) -> Option<WorkerHandle> {
    state
        .config
        .sms
        .run_worker
        .then(|| SmsWorker::for_state(state).spawn())
}
