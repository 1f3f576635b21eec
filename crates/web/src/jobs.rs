//! Background jobs of a server instance. Each is safe to run on every
//! instance at once: it works by conditional updates on the shared database.

use std::time::Duration;

use yici_store::registry::tallies;

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

/// How often the tally job looks at the enterprise tallies.
pub const TALLY_INTERVAL: Duration = Duration::from_secs(60);

/// Folds the enterprise tallies' delta rows (`registry::tallies`) once edits
/// have added [`tallies::FOLD_AFTER_ROWS`] of them, so that keyword-free
/// counts keep reading about one row per group. Counts are exact either way,
/// and two instances folding at once is safe.
pub async fn fold_tallies(state: AppState) {
    let mut tick = tokio::time::interval(TALLY_INTERVAL);
    // Rows after the last fold this instance saw. At start, the number of
    // groups: deltas an earlier instance or a load left are folded at the
    // first tick, and tallies already folded are not folded again.
    let mut folded = match tallies::groups(&state.db).await {
        Ok(groups) => groups,
        Err(e) => {
            tracing::warn!(error = %e, "tally job failed");
            0
        }
    };
    loop {
        tick.tick().await;
        match fold_if_grown(&state, &mut folded).await {
            Ok(Some((rows, left))) => tracing::info!(rows, left, "enterprise tallies folded"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "tally job failed"),
        }
    }
}

async fn fold_if_grown(
    state: &AppState,
    folded: &mut i64,
) -> yici_store::StoreResult<Option<(i64, i64)>> {
    let rows = tallies::rows(&state.db).await?;
    // Another instance (or an import) folded since: count from there.
    *folded = (*folded).min(rows);
    if rows - *folded < tallies::FOLD_AFTER_ROWS {
        return Ok(None);
    }
    *folded = tallies::compact(&state.db).await?;
    Ok(Some((rows, *folded)))
}

/// How often the statistics' facts are brought up to date.
pub const STATISTICS_INTERVAL: Duration = Duration::from_secs(10);

/// 统计分析 (STAT-1): folds the tasks marked since the last drain into the
/// dashboard's facts (`statistics::facts`), so that a dashboard read seldom
/// finds more than a few seconds' changes to fold first. One drain runs at
/// a time across instances; the others wait for it and find little left.
pub async fn drain_statistics(state: AppState) {
    let mut tick = tokio::time::interval(STATISTICS_INTERVAL);
    loop {
        tick.tick().await;
        match yici_store::statistics::facts::drain(&state.db).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(tasks = n, "statistics facts folded"),
            Err(e) => tracing::warn!(error = %e, "statistics job failed"),
        }
    }
}

/// How often results are published and public records brought up to date.
pub const PUBLICATION_INTERVAL: Duration = Duration::from_secs(60);

/// 一公开 (RES-2): publishes every result past its due date, then brings
/// published records up to date with what changed since the previous pass
/// of any instance (kept in the database, so a restart does not look at
/// every record again). A failed pass is retried whole.
pub async fn publish_results(state: AppState) {
    use yici_store::publication::job;
    let mut tick = tokio::time::interval(PUBLICATION_INTERVAL);
    loop {
        tick.tick().await;
        let now = state.now();
        let pass = async {
            let published = job::publish_due(&state.db, now, &state.config.publication).await?;
            let updated = job::refresh_since_last(&state.db, now).await?;
            yici_store::StoreResult::Ok((published, updated))
        };
        match pass.await {
            Ok((published, updated)) => {
                if published + updated > 0 {
                    tracing::info!(published, updated, "results published");
                }
            }
            Err(e) => tracing::warn!(error = %e, "publication job failed"),
        }
    }
}

/// How often rectifications past their deadline are looked for.
pub const OVERDUE_INTERVAL: Duration = Duration::from_secs(300);

/// RES-3: an enterprise whose rectification went past its deadline is
/// reassessed (a proposal may follow), and the lapse written down so that it
/// still counts after a late report. Reassessments on read and in every
/// rectification step see the same facts; this catches the enterprises no
/// one touches.
pub async fn credit_overdue(state: AppState) {
    let mut tick = tokio::time::interval(OVERDUE_INTERVAL);
    loop {
        tick.tick().await;
        match yici_store::credit::record_overdue(&state.db, state.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(enterprises = n, "overdue rectifications reassessed"),
            Err(e) => tracing::warn!(error = %e, "credit overdue job failed"),
        }
    }
}

/// How often the time-based supervision warnings are looked for.
pub const WARNINGS_INTERVAL: Duration = Duration::from_secs(300);

/// 监督预警 (STAT-2): raises the warnings a passing deadline turns on —
/// participation, results and rectifications overdue, an urgent visit's
/// papers past their grace. Changes raise theirs in their own transactions.
pub async fn raise_warnings(state: AppState) {
    let mut tick = tokio::time::interval(WARNINGS_INTERVAL);
    loop {
        tick.tick().await;
        let rules = state.config.warnings.clone();
        match yici_store::warnings::evaluate_due(&state.db, state.now(), &rules).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(raised = n, "supervision warnings raised"),
            Err(e) => tracing::warn!(error = %e, "supervision warning job failed"),
        }
    }
}

/// How often exports' files past their day are removed.
pub const EXPORT_FILES_INTERVAL: Duration = Duration::from_secs(3600);

/// Removes exports' files kept longer than a day (`file_jobs::KEEP_OUTPUT`);
/// their jobs stay listed, without the download.
pub async fn remove_old_exports(state: AppState) {
    let mut tick = tokio::time::interval(EXPORT_FILES_INTERVAL);
    loop {
        tick.tick().await;
        match crate::file_jobs::remove_old_outputs(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "old export files removed"),
            Err(e) => tracing::warn!(error = %e, "export file job failed"),
        }
    }
}

/// AUDIT-2: seals the audit chain's head every `[audit] seal_minutes` when it
/// moved (and once more at shutdown), under the key kept outside the
/// database. `yici serve` always has a key (it makes one at the first
/// start); an app built without `[audit]` (the tests) seals nothing. Two
/// instances sealing at once take turns on the head row.
pub async fn seal_audit(state: AppState) {
    let Some(every) = state.config.audit_seal.as_ref().map(|s| s.every) else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        seal_once(&state).await;
    }
}

/// One sealing pass; a failure is logged and the next pass tries again.
pub async fn seal_once(state: &AppState) {
    let Some(sealing) = state.config.audit_seal.as_ref() else {
        return;
    };
    match yici_store::audit::seal(&state.db, state.now(), &sealing.key).await {
        Ok(Some(seal)) => tracing::info!(
            seal = seal.body.no,
            head = seal.body.head_seq,
            "audit chain sealed"
        ),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "audit sealing failed"),
    }
}
