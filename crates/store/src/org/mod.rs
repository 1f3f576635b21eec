//! The organisation's records: units, departments (with their secretary
//! accounts) and people (with their accounts).

pub mod accounts;
pub mod admin;
pub mod departments;
pub mod people;
pub mod roles;
pub mod units;

use crate::error::{StoreError, StoreResult};

/// Parses a stored enum code, failing loudly on a value no migration allows.
pub(crate) fn parse_code<T>(value: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(value).ok_or_else(|| StoreError::internal(format!("unexpected stored code: {value}")))
}
