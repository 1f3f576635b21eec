//! Double-random extraction in storage (DRAW-1…DRAW-10): the cap ledger, tasks,
//! recorded draws of enterprises and of inspectors, and 回避 declarations.
//!
//! Every extraction runs in one write transaction: the cap ledger's counters
//! move by conditional updates, the tasks and the draw record are inserted and
//! the audit entry appended, or nothing is written at all. On PostgreSQL a
//! deadlock or serialization failure between batches retries the whole
//! transaction (see [`retrying`]).

pub mod draws;
pub mod inspectors;
pub mod ledger;
pub mod marks;
pub mod tasks;

use std::future::Future;

use yici_domain::org::Principal;
use yici_domain::{DomainError, DomainResult};

use crate::error::{StoreError, StoreResult};
use crate::registry::search::Scope;
use crate::Actor;

/// Who initiates a task: a department of a unit, and the account acting for it.
#[derive(Debug, Clone)]
pub struct Initiator {
    pub unit_id: i64,
    pub department_id: i64,
    pub actor: Actor,
    /// The acting person's (or secretary account's) name, shown on the task.
    pub name: String,
    /// Where the initiator may look for enterprises.
    pub scope: Scope,
    /// Who acts: operations on an existing task check that they may see it.
    pub principal: Principal,
}

impl Initiator {
    /// DRAW-1: a user extracts for their own department only; `requested`
    /// (from a form or request) must be that department when given.
    pub fn of(p: &Principal, scope: Scope, requested: Option<i64>) -> DomainResult<Initiator> {
        let (Some(unit_id), Some(department_id)) = (p.unit_id, p.department_id) else {
            return Err(DomainError::forbidden(
                "只有处（科）室的用户才能抽取双随机任务",
            ));
        };
        if requested.is_some_and(|d| d != department_id) {
            return Err(DomainError::forbidden("只能为本处（科）室抽取任务"));
        }
        Ok(Initiator {
            unit_id,
            department_id,
            actor: Actor::from(p),
            name: p.display_name.clone(),
            scope,
            principal: p.clone(),
        })
    }
}

/// Runs `attempt` again when PostgreSQL aborted it for a deadlock or a
/// serialization failure (two batches locking the same counters in different
/// orders); each attempt is a fresh transaction, so a retry starts clean.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if e.is_retryable() && tries < 8 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(5 * tries)).await;
            }
            other => return other,
        }
    }
}

impl StoreError {
    /// SQLSTATE 40001 (serialization failure) or 40P01 (deadlock detected).
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e))
            if matches!(e.code().as_deref(), Some("40001") | Some("40P01")))
    }
}
