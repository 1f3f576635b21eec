//! The organisation's records: units, departments (with their secretary
//! accounts) and people (with their accounts).

pub mod accounts;
pub mod admin;
pub mod departments;
pub mod people;
pub mod roles;
pub mod secretary_accounts;
pub mod units;

use chrono::{DateTime, Utc};

use crate::error::{StoreError, StoreResult};

/// `disabled_at` after an edit of a unit or department: kept when it stays
/// disabled (the first day it was switched off is what the history shows),
/// now when it is switched off, none when it is switched on.
pub(crate) fn disabled_since(
    disabled: bool,
    before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    disabled.then(|| before.unwrap_or(now))
}

/// Parses a stored enum code, failing loudly on a value no migration allows.
pub(crate) fn parse_code<T>(value: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(value).ok_or_else(|| StoreError::internal(format!("unexpected stored code: {value}")))
}
