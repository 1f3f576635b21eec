//! Storage of yici: one data-access layer over SQLite and PostgreSQL.
//!
//! SQL is written once, with `$1` placeholders that both drivers accept, and
//! runs over [`db::Db`], an enum of the two pools (sqlx's `Any` driver has no
//! dates; its compile-time macros bind to one database). Every write runs in a
//! [`db::Tx`] that appends to the hash-chained audit log before it commits.

pub mod audit;
pub mod auth;
pub mod credit;
pub mod db;
pub mod deferred_index;
pub mod documents;
pub mod draw;
pub mod error;
pub mod field;
pub mod file_jobs;
pub mod joint;
pub mod migrate;
pub mod org;
pub mod outbox;
pub mod plans;
pub mod publication;
pub mod rate_limits;
pub mod ratings;
pub mod rectification;
pub mod registry;
pub mod second_factor;
pub mod statistics;
pub mod warnings;

pub use db::{Arg, Backend, Db, Durability, Exec, Row, Tx};
pub use error::{StoreError, StoreResult};

/// Who made a change, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub login: String,
}

impl Actor {
    /// The system itself: migrations, background jobs, the demo loader.
    pub fn system() -> Actor {
        Actor {
            account_id: None,
            login: "system".to_string(),
        }
    }
}

impl From<&yici_domain::org::Principal> for Actor {
    fn from(p: &yici_domain::org::Principal) -> Actor {
        Actor {
            account_id: (p.account_id != 0).then_some(p.account_id),
            login: p.login.clone(),
        }
    }
}
