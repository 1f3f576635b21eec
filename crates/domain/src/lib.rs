//! Domain rules of yici: plain Rust with no I/O, so that storage and HTTP call
//! into them and every rule is unit- and property-tested on its own.
//!
//! Modules are named after the domain (see `docs/glossary.md`).

#[macro_use]
mod macros;

pub mod audit;
pub mod credit;
pub mod documents;
pub mod draw;
pub mod error;
pub mod field;
pub mod joint;
pub mod legal_basis;
pub mod org;
pub mod plans;
pub mod publication;
pub mod ratings;
pub mod rectification;
pub mod region;
pub mod time;
pub mod warnings;

pub use error::{DomainError, DomainResult, ErrorKind};
pub mod registry;
