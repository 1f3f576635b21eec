//! Document numbers (DOC-3). A unit writes one pattern per kind, such as
//! 唐环行检批〔{year}〕11-{n}号; the office's allocation gives `n`, which runs
//! per unit, kind and year from 1 without gaps (the counter lives in storage).

use serde::{Deserialize, Serialize};

use super::kind::DocumentKind;
use crate::error::{DomainError, DomainResult};

/// A checked number pattern: `{year}` and `{n}` each exactly once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NumberPattern(String);

impl NumberPattern {
    pub fn parse(pattern: &str) -> DomainResult<NumberPattern> {
        let pattern = pattern.trim();
        for token in ["{year}", "{n}"] {
            match pattern.matches(token).count() {
                1 => {}
                0 => {
                    return Err(DomainError::field(
                        "pattern",
                        "invalid_pattern",
                        format!("编号格式必须包含 {token}（年份与序号）"),
                    ))
                }
                _ => {
                    return Err(DomainError::field(
                        "pattern",
                        "invalid_pattern",
                        format!("编号格式中 {token} 只能出现一次"),
                    ))
                }
            }
        }
        // Any other brace is a typo such as {yaer}: refuse it rather than print it.
        let rest = pattern.replace("{year}", "").replace("{n}", "");
        if rest.contains('{') || rest.contains('}') {
            return Err(DomainError::field(
                "pattern",
                "invalid_pattern",
                "编号格式只能使用 {year} 与 {n} 两个占位符",
            ));
        }
        if pattern.chars().count() > 60 {
            return Err(DomainError::field(
                "pattern",
                "invalid_pattern",
                "编号格式过长（最多 60 字）",
            ));
        }
        Ok(NumberPattern(pattern.to_string()))
    }

    /// The pattern a unit starts with: its short name, the kind's number word,
    /// the year in 〔〕 and the number — 玉田分局行检批〔2025〕1号. The Yutian
    /// branch's own patterns are set by the demo and by its administrator.
    pub fn default_for(unit_short_name: &str, kind: DocumentKind) -> Option<NumberPattern> {
        let word = kind.number_word()?;
        Some(NumberPattern(format!(
            "{unit_short_name}{word}〔{{year}}〕{{n}}号"
        )))
    }

    pub fn format(&self, year: i32, n: i64) -> String {
        self.0
            .replace("{year}", &year.to_string())
            .replace("{n}", &n.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NumberPattern {
    type Error = DomainError;
    fn try_from(s: String) -> DomainResult<Self> {
        NumberPattern::parse(&s)
    }
}

impl From<NumberPattern> for String {
    fn from(p: NumberPattern) -> String {
        p.0
    }
}

/// Gaps and duplicates in a register's numbers: what the register page proves
/// absent. `numbers` need not be sorted.
pub fn gaps(numbers: &[i64]) -> (Vec<i64>, Vec<i64>) {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    let mut missing = Vec::new();
    let mut duplicates = Vec::new();
    let mut expected = 1;
    for (i, &n) in sorted.iter().enumerate() {
        if i > 0 && sorted[i - 1] == n {
            duplicates.push(n);
            continue;
        }
        while expected < n {
            missing.push(expected);
            expected += 1;
        }
        expected = n + 1;
    }
    (missing, duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yutian_patterns_format_as_the_plan_writes_them() {
        let expect = [
            (DocumentKind::ApprovalForm, "唐环行检批〔2025〕11-1号"),
            (DocumentKind::InspectionNotice, "唐环行检通知〔2025〕11-1号"),
            (DocumentKind::SamplingNotice, "唐环抽（采）〔2025〕11-1号"),
            (
                DocumentKind::InspectionRecordSheet,
                "唐环行检记录〔2025〕11-1号",
            ),
        ];
        for (kind, text) in expect {
            let p = NumberPattern::parse(kind.yutian_pattern().unwrap()).unwrap();
            assert_eq!(p.format(2025, 1), text);
        }
        assert!(DocumentKind::OnsiteRecord.yutian_pattern().is_none());
    }

    #[test]
    fn bad_patterns_are_refused_with_a_reason() {
        for bad in [
            "唐环〔2025〕{n}号",
            "唐环〔{year}〕号",
            "{year}{n}{n}",
            "唐环〔{yaer}〕{n}号",
        ] {
            let err = NumberPattern::parse(bad).unwrap_err();
            assert!(err.to_string().contains("编号格式"), "{bad}: {err}");
        }
    }

    #[test]
    fn default_pattern_uses_the_short_name() {
        let p = NumberPattern::default_for("玉田分局", DocumentKind::ApprovalForm).unwrap();
        assert_eq!(p.format(2026, 12), "玉田分局行检批〔2026〕12号");
        assert!(NumberPattern::default_for("x", DocumentKind::InquiryRecord).is_none());
    }

    #[test]
    fn gaps_and_duplicates_are_found() {
        assert_eq!(gaps(&[3, 1, 2]), (vec![], vec![]));
        assert_eq!(gaps(&[1, 4, 4, 2]), (vec![3], vec![4]));
        assert_eq!(gaps(&[]), (vec![], vec![]));
        assert_eq!(gaps(&[2]), (vec![1], vec![]));
    }

    #[test]
    fn a_refusal_says_which_placeholder_is_missing_or_repeated() {
        let err = NumberPattern::parse("唐环行检批〔2025〕11-{n}号").unwrap_err();
        assert_eq!(err.field, Some("pattern"));
        assert_eq!(err.code, "invalid_pattern");
        assert!(err.message.contains("必须包含 {year}"), "{err}");
        let err = NumberPattern::parse("唐环行检批〔{year}〕11-号").unwrap_err();
        assert!(err.message.contains("必须包含 {n}"), "{err}");
        let err = NumberPattern::parse("{year}-{year}-{n}").unwrap_err();
        assert!(err.message.contains("{year} 只能出现一次"), "{err}");
    }

    #[test]
    fn a_stray_brace_of_either_kind_is_refused() {
        for bad in [
            "唐环行检批{〔{year}〕11-{n}号",
            "唐环行检批}〔{year}〕11-{n}号",
            "唐环行检批〔{year}〕11-{n}号{",
            "唐环行检批〔{year}〕11-{n}}号",
        ] {
            let err = NumberPattern::parse(bad).unwrap_err();
            assert!(err.message.contains("只能使用"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_pattern_may_run_to_sixty_characters() {
        // "{year}" and "{n}" count as written: 9 characters, plus 51 others.
        let sixty = format!("{}{{year}}{{n}}", "行".repeat(51));
        assert_eq!(sixty.chars().count(), 60);
        assert_eq!(NumberPattern::parse(&sixty).unwrap().as_str(), sixty);
        let err = NumberPattern::parse(&format!("行{sixty}")).unwrap_err();
        assert!(err.message.contains("过长"), "{err}");
        // Surrounding spaces are trimmed before counting and are not kept.
        let padded = NumberPattern::parse(&format!("  {sixty}  ")).unwrap();
        assert_eq!(padded.as_str(), sixty);
    }

    #[test]
    fn a_stored_pattern_is_checked_when_read_back() {
        let p: NumberPattern = serde_json::from_str("\"唐环行检批〔{year}〕11-{n}号\"").unwrap();
        assert_eq!(p.format(2026, 3), "唐环行检批〔2026〕11-3号");
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            "\"唐环行检批〔{year}〕11-{n}号\""
        );
        assert!(serde_json::from_str::<NumberPattern>("\"唐环〔{yaer}〕{n}号\"").is_err());
        assert_eq!(String::from(p), "唐环行检批〔{year}〕11-{n}号");
    }

    #[test]
    fn a_register_lists_every_missing_number_and_every_extra_copy() {
        assert_eq!(gaps(&[5, 1]), (vec![2, 3, 4], vec![]));
        assert_eq!(gaps(&[1, 2, 2, 2, 3]), (vec![], vec![2, 2]));
        assert_eq!(gaps(&[3, 3]), (vec![1, 2], vec![3]));
        assert_eq!(gaps(&[1, 1]), (vec![], vec![1]));
        assert_eq!(gaps(&[1, 2, 3]), (vec![], vec![]));
    }
}
