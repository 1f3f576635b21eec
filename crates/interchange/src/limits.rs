//! Bounds on what one import may unpack and parse (SEC-4).
//!
//! An XLSX is a zip archive: a few kilobytes can unpack to gigabytes, and the
//! XLSX reader keeps every shared string in memory (400 MB of shared strings
//! took the server to 1.3 GB). So before the reader opens the archive, every
//! entry is checked against the limits twice: by the size its header declares
//! (cheap, catches the honest bomb before anything is inflated) and by the
//! bytes it actually inflates to, counted while streaming into nothing
//! (declared sizes can lie; nothing is kept). Cells are counted as they are
//! read, for CSV and XLSX alike.

use std::io::{Cursor, Read};

use crate::error::FileError;

const MB: u64 = 1024 * 1024;

/// What one import may unpack and parse. Measured: 20,000 rows of 21
/// columns, every cell a different text (the worst case), unpack to 1.7 kB a
/// row, half of it shared strings — 520 MB and 255 MB at the 300,000-row
/// limit. A registry's own data repeats most columns (category, region,
/// industry), which the shared strings hold once, so the defaults admit its
/// 300,000 rows and refuse only near-worst cases that large; the reader
/// holds shared strings at about three times their size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Non-blank data rows.
    pub max_rows: usize,
    /// Cells read, blank ones included (a CSV field, an XLSX `<c>`).
    pub max_cells: usize,
    /// Total uncompressed bytes of an XLSX's zip entries.
    pub max_unpacked_bytes: u64,
    /// Uncompressed bytes of the shared strings, which the reader holds in
    /// memory all at once.
    pub max_shared_strings_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 300_000,
            // 40 columns a row on average at the row limit.
            max_cells: 12_000_000,
            max_unpacked_bytes: 768 * MB,
            max_shared_strings_bytes: 192 * MB,
        }
    }
}

/// Whole megabytes for messages, rounded up so a limit never reads as 0.
fn megabytes(bytes: u64) -> u64 {
    bytes.div_ceil(MB)
}

/// `xl/sharedStrings.xml`, however it is spelt (the name is raw bytes: an
/// entry name that is not UTF-8 is no way round the check).
fn is_shared_strings(name: &[u8]) -> bool {
    name.to_ascii_lowercase().ends_with(b"sharedstrings.xml")
}

/// Parts (zip entries) an XLSX may have. Excel's own have a dozen, a few
/// hundred with pictures and charts. The zip reader keeps a record of every
/// entry of the central directory as it opens the archive, so a 96 MB upload
/// of a million empty entries would cost hundreds of MB before any check.
pub const MAX_PARTS: usize = 10_000;

/// Central directory entries can't be more than the times their signature
/// occurs in the file (each entry starts with it); counted before the zip
/// reader parses them. Compressed data may hold the 4 bytes by chance, which
/// only makes the count higher than the truth.
fn too_many_parts(bytes: &[u8]) -> bool {
    const CENTRAL_ENTRY: &[u8; 4] = b"PK\x01\x02";
    let mut seen = 0;
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&b| b == b'P') {
        if rest[at..].starts_with(CENTRAL_ENTRY) {
            seen += 1;
            if seen > MAX_PARTS {
                return true;
            }
        }
        rest = &rest[at + 1..];
    }
    false
}

/// Checks an XLSX archive against the limits without keeping what it
/// inflates. Archive errors are left to the XLSX reader to report.
pub(crate) fn check_archive(bytes: &[u8], limits: &Limits) -> Result<(), FileError> {
    if too_many_parts(bytes) {
        return Err(FileError::TooManyParts(MAX_PARTS));
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let unpacked = || FileError::Unpacked {
        limit_mb: megabytes(limits.max_unpacked_bytes),
    };
    let shared = || FileError::SharedStrings {
        limit_mb: megabytes(limits.max_shared_strings_bytes),
    };
    // Declared sizes first: an honest bomb is refused before any inflating.
    let mut declared = 0u64;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            continue;
        };
        declared = declared.saturating_add(entry.size());
        if is_shared_strings(entry.name_raw()) && entry.size() > limits.max_shared_strings_bytes {
            return Err(shared());
        }
    }
    if declared > limits.max_unpacked_bytes {
        return Err(unpacked());
    }
    // Then the bytes each entry really inflates to, against what is left.
    let mut left = limits.max_unpacked_bytes;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index(i) else {
            continue;
        };
        let cap = if is_shared_strings(entry.name_raw()) {
            left.min(limits.max_shared_strings_bytes)
        } else {
            left
        };
        match inflated_within(entry, cap) {
            Some(n) => left -= n,
            None if cap < left => return Err(shared()),
            None => return Err(unpacked()),
        }
    }
    Ok(())
}

/// How many bytes `reader` yields, or `None` once it yields more than `cap`.
/// Streams through a small buffer: nothing of the content is kept. A read
/// error ends the count (the XLSX reader will report the damage).
fn inflated_within(reader: impl Read, cap: u64) -> Option<u64> {
    let mut limited = reader.take(cap.saturating_add(1));
    let n = std::io::copy(&mut limited, &mut std::io::sink()).unwrap_or(0);
    (n <= cap).then_some(n)
}

/// Counts cells against [`Limits::max_cells`].
pub(crate) struct CellBudget {
    left: usize,
    max: usize,
}

impl CellBudget {
    pub(crate) fn new(limits: &Limits) -> Self {
        CellBudget {
            left: limits.max_cells,
            max: limits.max_cells,
        }
    }

    pub(crate) fn take(&mut self, cells: usize) -> Result<(), FileError> {
        self.left = self
            .left
            .checked_sub(cells)
            .ok_or(FileError::TooManyCells(self.max))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that yields more than it was said to: counted as read.
    #[test]
    fn actual_bytes_are_counted_not_trusted() {
        let endless = std::io::repeat(b'x');
        assert_eq!(inflated_within(endless, 1000), None);
        assert_eq!(inflated_within(&[0u8; 1000][..], 1000), Some(1000));
        assert_eq!(inflated_within(&[0u8; 1001][..], 1000), None);
    }

    #[test]
    fn parts_are_counted_by_their_central_directory_signature() {
        let entry = b"PK\x01\x02 rest of an entry ";
        let many: Vec<u8> = entry.repeat(MAX_PARTS + 1);
        assert!(too_many_parts(&many));
        assert!(!too_many_parts(&many[entry.len()..]));
        assert!(!too_many_parts(b"PPPK\x01"));
    }

    #[test]
    fn cells_are_counted_up_to_the_limit() {
        let mut budget = CellBudget::new(&Limits {
            max_cells: 10,
            ..Limits::default()
        });
        budget.take(6).unwrap();
        budget.take(4).unwrap();
        assert_eq!(budget.take(1), Err(FileError::TooManyCells(10)));
    }

    #[test]
    fn limits_read_in_whole_megabytes() {
        assert_eq!(megabytes(768 * MB), 768);
        assert_eq!(megabytes(1), 1);
    }
}
