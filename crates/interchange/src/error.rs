//! Errors that reject a whole file. Problems of single rows are
//! [`RowIssue`](crate::RowIssue)s instead: a bad row never blocks the good ones.

/// Why a file as a whole cannot be imported (or an XLSX not written).
/// `Display` is Chinese, for people; [`FileError::code`] is stable, for clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("文件为空")]
    Empty,
    #[error("仅支持CSV和XLSX文件")]
    Unsupported,
    #[error("无法识别CSV文件的编码，请另存为UTF-8或GBK编码的CSV后重新导入")]
    Undecodable,
    #[error("CSV文件第{row}行格式错误，请检查引号是否成对")]
    MalformedCsv {
        /// 1-based line of the file.
        row: usize,
        /// The parser's own (English) words, for logs.
        detail: String,
    },
    #[error("缺少必填列：{}", .0.join("、"))]
    MissingColumns(Vec<String>),
    #[error("文件超过{0}行，请分批导入")]
    TooManyRows(usize),
    #[error("文件超过{0}个单元格，请删去多余的列或拆分后分批导入")]
    TooManyCells(usize),
    #[error("文件解压后超过{limit_mb}MB，请拆分后分批导入")]
    Unpacked { limit_mb: u64 },
    #[error("文件中的文字内容解压后超过{limit_mb}MB，请拆分后分批导入")]
    SharedStrings { limit_mb: u64 },
    #[error("XLSX文件包含的部件超过{0}个，请在Excel中另存为新的XLSX文件后重新导入")]
    TooManyParts(usize),
    #[error("无法读取XLSX文件，请确认文件未损坏、未加密")]
    UnreadableXlsx {
        /// The reader's own (English) words, for logs.
        detail: String,
    },
    #[error("XLSX文件中没有工作表")]
    NoWorksheet,
    #[error("生成XLSX文件失败")]
    WriteXlsx {
        /// The writer's own (English) words, for logs.
        detail: String,
    },
}

impl FileError {
    /// Stable, English, snake_case: clients branch on it.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::Empty => "empty_file",
            FileError::Unsupported => "unsupported_file",
            FileError::Undecodable => "undecodable_csv",
            FileError::MalformedCsv { .. } => "malformed_csv",
            FileError::MissingColumns(_) => "missing_columns",
            FileError::TooManyRows(_) => "too_many_rows",
            FileError::TooManyCells(_) => "too_many_cells",
            FileError::Unpacked { .. } => "unpacked_too_large",
            FileError::SharedStrings { .. } => "shared_strings_too_large",
            FileError::TooManyParts(_) => "too_many_parts",
            FileError::UnreadableXlsx { .. } => "unreadable_xlsx",
            FileError::NoWorksheet => "no_worksheet",
            FileError::WriteXlsx { .. } => "xlsx_write_failed",
        }
    }
}

impl FileError {
    /// The file is over a bound on what an import may unpack or parse
    /// ([`Limits`](crate::Limits)), rather than malformed: too large, not wrong.
    pub fn is_over_limit(&self) -> bool {
        matches!(
            self,
            FileError::TooManyCells(_)
                | FileError::Unpacked { .. }
                | FileError::SharedStrings { .. }
                | FileError::TooManyParts(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_chinese() {
        let e = FileError::MissingColumns(vec!["统一社会信用代码".into(), "地址".into()]);
        assert_eq!(e.to_string(), "缺少必填列：统一社会信用代码、地址");
        assert_eq!(e.code(), "missing_columns");
        assert_eq!(
            FileError::TooManyRows(5000).to_string(),
            "文件超过5000行，请分批导入"
        );
    }
}
