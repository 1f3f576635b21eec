//! The visit on site in storage (APP-1, APP-2, APP-7; RESULT-…): the field
//! app's task list and check-in, enterprise accounts and how they are
//! opened (SEC-5).

pub mod activation;
pub mod checkin;
pub mod enterprise_accounts;
pub mod enterprise_inspections;
pub mod enterprise_sign_up;
pub mod evidence;
pub mod results;

use crate::db::{Backend, Db, Exec};
use crate::error::StoreResult;

/// Whether the per-department results table (`task_results`, issue 6
/// RESULTS) exists in this database. Until its migration lands every task not
/// completed reads as 未办理, and no results are listed.
pub async fn results_table_exists(mut db: &Db) -> StoreResult<bool> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'task_results'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables
              WHERE table_name = 'task_results' AND table_schema = current_schema()"
        }
    };
    Ok(db.scalar_i64(sql, vec![]).await? > 0)
}
