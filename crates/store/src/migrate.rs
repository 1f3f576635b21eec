//! Schema migrations, written once for both databases.
//!
//! Each file under `migrations/` uses five type tokens that are replaced per
//! backend, everything else being SQL that both understand; the rare line that
//! only one backend has (an extension, a trigram index) is prefixed `{pg}` or
//! `{sqlite}`. Applied versions
//! are recorded in `schema_migrations`; each migration runs in its own
//! transaction, and on PostgreSQL under an advisory lock so that instances
//! starting together don't race. Migrations must be tolerated by the previous
//! release (add, don't rename or drop), so instances can roll one at a time.

use crate::db::{Backend, Db, Exec};
use crate::error::StoreResult;

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "organisation",
        include_str!("../migrations/0001_organisation.sql"),
    ),
    (
        2,
        "registry",
        include_str!("../migrations/0002_registry.sql"),
    ),
    (3, "draws", include_str!("../migrations/0003_draws.sql")),
    (4, "joint", include_str!("../migrations/0004_joint.sql")),
    (5, "checkin", include_str!("../migrations/0005_checkin.sql")),
    (6, "results", include_str!("../migrations/0006_results.sql")),
    (
        7,
        "documents",
        include_str!("../migrations/0007_documents.sql"),
    ),
    (8, "plans", include_str!("../migrations/0008_plans.sql")),
    (
        9,
        "draw_storage",
        include_str!("../migrations/0009_draw_storage.sql"),
    ),
    (
        10,
        "registry_collation",
        include_str!("../migrations/0010_registry_collation.sql"),
    ),
    (
        11,
        "registry_search",
        include_str!("../migrations/0011_registry_search.sql"),
    ),
    (
        12,
        "deferred_indexes",
        include_str!("../migrations/0012_deferred_indexes.sql"),
    ),
    (
        13,
        "enterprise_tallies",
        include_str!("../migrations/0013_enterprise_tallies.sql"),
    ),
    (
        14,
        "registry_recent",
        include_str!("../migrations/0014_registry_recent.sql"),
    ),
    (
        15,
        "registry_keyword_indexes",
        include_str!("../migrations/0015_registry_keyword_indexes.sql"),
    ),
    (
        16,
        "registry_statistics",
        include_str!("../migrations/0016_registry_statistics.sql"),
    ),
    (
        17,
        "results_onward",
        include_str!("../migrations/0017_results_onward.sql"),
    ),
    (
        18,
        "inspection_ratings",
        include_str!("../migrations/0018_inspection_ratings.sql"),
    ),
    (
        19,
        "login_failures",
        include_str!("../migrations/0019_login_failures.sql"),
    ),
    (
        20,
        "publication",
        include_str!("../migrations/0020_publication.sql"),
    ),
    (
        21,
        "registry_edits",
        include_str!("../migrations/0021_registry_edits.sql"),
    ),
    (22, "credit", include_str!("../migrations/0022_credit.sql")),
    (
        23,
        "publication_search",
        include_str!("../migrations/0023_publication_search.sql"),
    ),
    (
        24,
        "statistics",
        include_str!("../migrations/0024_statistics.sql"),
    ),
    (
        25,
        "warnings",
        include_str!("../migrations/0025_warnings.sql"),
    ),
    (
        26,
        "joint_invitations",
        include_str!("../migrations/0026_joint_invitations.sql"),
    ),
    (
        27,
        "audit_guard",
        include_str!("../migrations/0027_audit_guard.sql"),
    ),
    (
        28,
        "second_factor",
        include_str!("../migrations/0028_second_factor.sql"),
    ),
    (
        29,
        "enterprise_activation",
        include_str!("../migrations/0029_enterprise_activation.sql"),
    ),
    (
        30,
        "statistics_facts",
        include_str!("../migrations/0030_statistics_facts.sql"),
    ),
    (
        31,
        "publication_name_search",
        include_str!("../migrations/0031_publication_name_search.sql"),
    ),
    (
        32,
        "org_disable",
        include_str!("../migrations/0032_org_disable.sql"),
    ),
    (
        33,
        "submitted_documents",
        include_str!("../migrations/0033_submitted_documents.sql"),
    ),
    (
        34,
        "file_jobs",
        include_str!("../migrations/0034_file_jobs.sql"),
    ),
    (
        35,
        "statistics_rollup_facts",
        include_str!("../migrations/0035_statistics_rollup_facts.sql"),
    ),
];

fn render(sql: &str, backend: Backend) -> String {
    // SQLite: INTEGER PRIMARY KEY is the rowid itself (no extra b-tree, no
    // AUTOINCREMENT bookkeeping on every insert); rows are never deleted, so
    // ids are never reused.
    let (id, key, ts, date, code) = match backend {
        Backend::Sqlite => (
            "INTEGER PRIMARY KEY",
            "INTEGER PRIMARY KEY",
            "TEXT",
            "TEXT",
            "TEXT",
        ),
        Backend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BIGINT PRIMARY KEY",
            "TIMESTAMPTZ",
            "DATE",
            // Byte order, as SQLite's default: ranges over codes mean the same.
            "TEXT COLLATE \"C\"",
        ),
    };
    // Lines marked for one backend only (extensions, index kinds).
    let (mine, other) = match backend {
        Backend::Sqlite => ("{sqlite}", "{pg}"),
        Backend::Postgres => ("{pg}", "{sqlite}"),
    };
    sql.lines()
        .filter(|line| !line.starts_with(other))
        .map(|line| line.strip_prefix(mine).unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("{id}", id)
        .replace("{ts}", ts)
        .replace("{date}", date)
        .replace("{code}", code)
        .replace("{key}", key)
}

/// Applies every migration not yet applied; returns how many ran. Then
/// builds any index an interrupted bulk load left set aside
/// ([`crate::deferred_index`]): every command opens the database this way.
pub async fn run(db: &Db) -> StoreResult<usize> {
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS {
        let mut tx = db.begin().await?;
        if tx.backend() == Backend::Postgres {
            tx.execute("SELECT pg_advisory_xact_lock(7262617)", vec![])
                .await?;
        }
        tx.execute_script(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
        )
        .await?;
        let done = tx
            .fetch_optional(
                "SELECT version FROM schema_migrations WHERE version = $1",
                crate::args![*version],
            )
            .await?
            .is_some();
        if done {
            continue;
        }
        tx.execute_script(&render(sql, tx.backend())).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            crate::args![*version, *name],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version, name, "migration applied");
        applied += 1;
    }
    crate::deferred_index::restore_all(db).await?;
    Ok(applied)
}
