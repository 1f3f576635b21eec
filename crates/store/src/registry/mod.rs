//! The enterprise registry (一企一档): enterprises with their outlets and
//! facilities, search, bulk upsert by USCC, the edit history.

pub mod edits;
pub mod enterprises;
pub mod facilities;
pub mod name_chars;
pub mod search;
pub mod tallies;
