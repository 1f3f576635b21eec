//! The fonts the PDF embeds (subset by typst): Noto Serif SC, SIL OFL 1.1,
//! cut to GB 2312 by `scripts/fonts/subset.sh` (see `fonts/README.md`). They
//! are compiled in so a fresh machine without any font renders the same PDF.

pub const REGULAR: &[u8] = include_bytes!("../../fonts/NotoSerifSC-Regular-GB2312.ttf");
pub const BOLD: &[u8] = include_bytes!("../../fonts/NotoSerifSC-Bold-GB2312.ttf");

/// The family name inside both files.
pub const FAMILY: &str = "Noto Serif SC";
