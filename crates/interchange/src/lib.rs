//! Spreadsheet interchange of the enterprise registry (ENT-4): reading CSV
//! (UTF-8 or GB18030/GBK, as Excel saves it in China) and XLSX files into one
//! [`EnterpriseInput`](yici_domain::registry::enterprise::EnterpriseInput) per
//! row, and writing exports and templates. Parsing only: no database, and no
//! validation beyond what a cell itself can tell (the domain validates).
//!
//! A problem of the whole file is a [`FileError`]; a problem of one cell is a
//! [`RowIssue`] of its row, so a bad row never blocks the good ones.

mod columns;
mod error;
mod limits;
mod read;
mod write;

pub use columns::{columns, header_for_field, yes_no, Column, ExportRow, Field, COLUMNS};
pub use error::FileError;
pub use limits::{Limits, MAX_PARTS};
pub use read::{detect, read, FileKind, ParsedRow, RowIssue, Sheet};
pub use write::{
    csv_cell, csv_records, example_row, table_xlsx, tables_xlsx, template_csv, template_xlsx,
    write_csv, write_xlsx, Table, CSV_BOM,
};
