//! Background jobs of a server instance. Each is safe to run on every
//! instance at once: it works by conditional updates on the shared database.

use std::time::Duration;

use crate::state::AppState;

/// How often overdue participation notices are written down as 不参与.
pub const DEADLINE_INTERVAL: Duration = Duration::from_secs(60);

/// JOINT-3: records 不参与 for notices past their 72 hours. Reads already see
/// the lapse; this writes it down (with its audit entry) for statistics and
/// exports. A failed round is logged and retried at the next tick.
pub async fn lapse_deadlines(state: AppState) {
    let mut tick = tokio::time::interval(DEADLINE_INTERVAL);
    loop {
        tick.tick().await;
        match yici_store::joint::participants::lapse_due(&state.db, state.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(lapsed = n, "participation deadlines recorded"),
            Err(e) => tracing::warn!(error = %e, "participation deadline job failed"),
        }
    }
}
