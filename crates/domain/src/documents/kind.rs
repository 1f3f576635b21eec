//! The six kinds of document (DOC-2) and which of them the office numbers (DOC-3).

labelled_enum!(
    /// A template of 《生态环境行政检查文书基本格式文本（试行）》.
    DocumentKind {
        ApprovalForm = "approval_form" / "行政检查审批表",
        InspectionNotice = "inspection_notice" / "行政检查通知书",
        SamplingNotice = "sampling_notice" / "抽样（采样）通知书",
        OnsiteRecord = "onsite_record" / "现场检查（勘验）笔录",
        InquiryRecord = "inquiry_record" / "调查询问笔录",
        InspectionRecordSheet = "inspection_record_sheet" / "行政检查情况记录表",
    }
);

impl DocumentKind {
    /// The office numbers the 审批表, the two notices and the 情况记录表;
    /// the two 笔录 carry page numbers only.
    pub fn is_numbered(self) -> bool {
        !matches!(
            self,
            DocumentKind::OnsiteRecord | DocumentKind::InquiryRecord
        )
    }

    /// The kinds the office numbers, in the template's order.
    pub fn numbered() -> impl Iterator<Item = DocumentKind> {
        DocumentKind::ALL
            .iter()
            .copied()
            .filter(|k| k.is_numbered())
    }

    /// Kinds that carry the unit's seal once stamped (行政执法主体（印章）);
    /// the 审批表 is internal and is stamped too, as the office does on paper.
    pub fn is_stamped(self) -> bool {
        self.is_numbered()
    }

    /// The Yutian branch's number pattern for this kind (DOC-3):
    /// 唐环行检批〔2025〕11-1号. Other units start from their short name.
    pub fn yutian_pattern(self) -> Option<&'static str> {
        match self {
            DocumentKind::ApprovalForm => Some("唐环行检批〔{year}〕11-{n}号"),
            DocumentKind::InspectionNotice => Some("唐环行检通知〔{year}〕11-{n}号"),
            DocumentKind::SamplingNotice => Some("唐环抽（采）〔{year}〕11-{n}号"),
            DocumentKind::InspectionRecordSheet => Some("唐环行检记录〔{year}〕11-{n}号"),
            DocumentKind::OnsiteRecord | DocumentKind::InquiryRecord => None,
        }
    }

    /// The glossary's number word (行检批, 行检通知, 抽（采）, 行检记录).
    pub fn number_word(self) -> Option<&'static str> {
        match self {
            DocumentKind::ApprovalForm => Some("行检批"),
            DocumentKind::InspectionNotice => Some("行检通知"),
            DocumentKind::SamplingNotice => Some("抽（采）"),
            DocumentKind::InspectionRecordSheet => Some("行检记录"),
            DocumentKind::OnsiteRecord | DocumentKind::InquiryRecord => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_office_numbers_and_stamps_four_kinds_in_the_templates_order() {
        let numbered: Vec<_> = DocumentKind::numbered().collect();
        assert_eq!(
            numbered,
            vec![
                DocumentKind::ApprovalForm,
                DocumentKind::InspectionNotice,
                DocumentKind::SamplingNotice,
                DocumentKind::InspectionRecordSheet,
            ]
        );
        for &kind in DocumentKind::ALL {
            // What is numbered carries the seal; the two 笔录 carry neither.
            assert_eq!(kind.is_stamped(), numbered.contains(&kind), "{kind:?}");
            assert_eq!(kind.number_word().is_some(), kind.is_numbered());
            assert_eq!(kind.yutian_pattern().is_some(), kind.is_numbered());
        }
        assert!(!DocumentKind::InquiryRecord.is_stamped());
        assert!(DocumentKind::ApprovalForm.is_stamped());
    }

    #[test]
    fn number_words_are_the_glossarys() {
        assert_eq!(DocumentKind::ApprovalForm.number_word(), Some("行检批"));
        assert_eq!(
            DocumentKind::InspectionNotice.number_word(),
            Some("行检通知")
        );
        assert_eq!(DocumentKind::SamplingNotice.number_word(), Some("抽（采）"));
        assert_eq!(
            DocumentKind::InspectionRecordSheet.number_word(),
            Some("行检记录")
        );
        assert_eq!(DocumentKind::InquiryRecord.number_word(), None);
    }
}
