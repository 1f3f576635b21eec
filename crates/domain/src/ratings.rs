//! 检查评价 (RES-4): the inspected enterprise rates a completed inspection
//! once — the inspectors' conduct (执法人员行为规范), how much the visit
//! disturbed its business (对生产经营的干扰程度, 5 = 无干扰), whether the
//! 「五个严禁」「八个不得」 were kept (a description is required when they were
//! not), and an optional comment. The rating goes to the unit's office and
//! leaders; inspectors and their departments never read it, so that an
//! enterprise can answer without fearing the next visit.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, DomainResult};
use crate::org::{Principal, Role};

/// The scores run from 1 (worst) to 5 (best).
pub const SCORES: std::ops::RangeInclusive<i64> = 1..=5;
/// Longest comment kept.
pub const MAX_COMMENT_CHARS: usize = 500;
/// Longest description of a breach of the 五个严禁/八个不得 kept.
pub const MAX_BREACH_CHARS: usize = 500;

/// A rating as a client sends it, before checks.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// 执法人员行为规范: 1–5.
    pub conduct: Option<i64>,
    /// 对生产经营的干扰程度: 1–5, 5 = 无干扰.
    pub disturbance: Option<i64>,
    /// 是否遵守「五个严禁」「八个不得」.
    pub discipline_kept: Option<bool>,
    /// What was breached: required when `discipline_kept` is false.
    pub discipline_breach: Option<String>,
    /// 其他意见和建议 (optional, at most 500 characters).
    pub comment: Option<String>,
}

/// A rating that passed the rules, texts trimmed (empty ones dropped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedRating {
    pub conduct: i64,
    pub disturbance: i64,
    pub discipline_kept: bool,
    /// Only when the discipline was not kept.
    pub discipline_breach: Option<String>,
    pub comment: Option<String>,
}

fn score(value: Option<i64>, field: &'static str, label: &str) -> DomainResult<i64> {
    let v =
        value.ok_or_else(|| DomainError::field(field, "required", format!("请为“{label}”打分")))?;
    if SCORES.contains(&v) {
        Ok(v)
    } else {
        Err(DomainError::field(
            field,
            "out_of_range",
            format!("“{label}”应为1至5分"),
        ))
    }
}

fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The rules of one rating; the first broken one is reported with its field.
pub fn check(input: &RatingInput) -> DomainResult<CheckedRating> {
    let conduct = score(input.conduct, "conduct", "执法人员行为规范")?;
    let disturbance = score(input.disturbance, "disturbance", "对生产经营的干扰程度")?;
    let discipline_kept = input.discipline_kept.ok_or_else(|| {
        DomainError::field(
            "discipline_kept",
            "required",
            "请选择检查人员是否遵守“五个严禁”“八个不得”",
        )
    })?;
    let breach = text(input.discipline_breach.as_deref());
    let discipline_breach = if discipline_kept {
        // A description left over from a changed answer means nothing.
        None
    } else {
        let b = breach.ok_or_else(|| {
            DomainError::field(
                "discipline_breach",
                "required",
                "选择“否”时请说明违反“五个严禁”“八个不得”的具体情况",
            )
        })?;
        if b.chars().count() > MAX_BREACH_CHARS {
            return Err(DomainError::field(
                "discipline_breach",
                "too_long",
                format!("情况说明不能超过{MAX_BREACH_CHARS}字"),
            ));
        }
        Some(b)
    };
    let comment = text(input.comment.as_deref());
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
    {
        return Err(DomainError::field(
            "comment",
            "too_long",
            format!("意见和建议不能超过{MAX_COMMENT_CHARS}字"),
        ));
    }
    Ok(CheckedRating {
        conduct,
        disturbance,
        discipline_kept,
        discipline_breach,
        comment,
    })
}

/// Who reads the ratings of a unit: its office (办公室) and its leaders
/// (行政执法主体负责人), by those granted roles. Inspectors, secretary
/// accounts, department administrators and department heads never do; the
/// system administrator runs the platform, not the unit, and does not either.
/// A leader who also holds a 执法证 (and so the inspector's role) still reads
/// them: the grant says what the person is in the unit.
pub fn may_read(principal: &Principal) -> bool {
    principal.unit_id.is_some()
        && (principal.has(Role::OfficeClerk) || principal.has(Role::UnitHead))
}

/// The refusal for everyone else.
pub fn ensure_may_read(principal: &Principal) -> DomainResult<()> {
    if may_read(principal) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "检查评价仅供本单位办公室和行政执法主体负责人查看",
        ))
    }
}

/// Labels of a score as the pages print them.
pub fn score_label(score: i64) -> &'static str {
    match score {
        5 => "5分（很好）",
        4 => "4分（较好）",
        3 => "3分（一般）",
        2 => "2分（较差）",
        1 => "1分（很差）",
        _ => "—",
    }
}

/// Labels of the disturbance score: 5 is no disturbance at all.
pub fn disturbance_label(score: i64) -> &'static str {
    match score {
        5 => "5分（无干扰）",
        4 => "4分（轻微）",
        3 => "3分（一般）",
        2 => "2分（较大）",
        1 => "1分（严重）",
        _ => "—",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn good() -> RatingInput {
        RatingInput {
            conduct: Some(5),
            disturbance: Some(4),
            discipline_kept: Some(true),
            discipline_breach: None,
            comment: Some("  检查规范，效率高。 ".into()),
        }
    }

    fn field_of(input: RatingInput) -> (&'static str, &'static str) {
        let e = check(&input).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        (e.field.unwrap(), e.code)
    }

    #[test]
    fn a_complete_rating_is_kept_with_its_texts_trimmed() {
        let r = check(&good()).unwrap();
        assert_eq!(r.conduct, 5);
        assert_eq!(r.disturbance, 4);
        assert!(r.discipline_kept);
        assert_eq!(r.comment.as_deref(), Some("检查规范，效率高。"));
        let blank = check(&RatingInput {
            comment: Some("   ".into()),
            ..good()
        })
        .unwrap();
        assert_eq!(blank.comment, None);
    }

    #[test]
    fn both_scores_are_required_and_run_from_one_to_five() {
        for (conduct, disturbance, field, code) in [
            (None, Some(3), "conduct", "required"),
            (Some(0), Some(3), "conduct", "out_of_range"),
            (Some(6), Some(3), "conduct", "out_of_range"),
            (Some(3), None, "disturbance", "required"),
            (Some(3), Some(0), "disturbance", "out_of_range"),
            (Some(3), Some(6), "disturbance", "out_of_range"),
        ] {
            let input = RatingInput {
                conduct,
                disturbance,
                ..good()
            };
            assert_eq!(
                field_of(input),
                (field, code),
                "{conduct:?} {disturbance:?}"
            );
        }
        for s in [1, 5] {
            let r = check(&RatingInput {
                conduct: Some(s),
                disturbance: Some(s),
                ..good()
            })
            .unwrap();
            assert_eq!((r.conduct, r.disturbance), (s, s));
        }
    }

    #[test]
    fn a_breach_of_the_discipline_must_be_described() {
        let input = RatingInput {
            discipline_kept: None,
            ..good()
        };
        assert_eq!(field_of(input), ("discipline_kept", "required"));
        let no = RatingInput {
            discipline_kept: Some(false),
            discipline_breach: Some("  ".into()),
            ..good()
        };
        assert_eq!(field_of(no.clone()), ("discipline_breach", "required"));
        let described = check(&RatingInput {
            discipline_breach: Some(" 检查人员接受企业宴请 ".into()),
            ..no
        })
        .unwrap();
        assert!(!described.discipline_kept);
        assert_eq!(
            described.discipline_breach.as_deref(),
            Some("检查人员接受企业宴请")
        );
        // Answered 是: a description typed before the answer changed is dropped.
        let kept = check(&RatingInput {
            discipline_breach: Some("旧的说明".into()),
            ..good()
        })
        .unwrap();
        assert_eq!(kept.discipline_breach, None);
        let long = RatingInput {
            discipline_kept: Some(false),
            discipline_breach: Some("违".repeat(MAX_BREACH_CHARS + 1)),
            ..good()
        };
        assert_eq!(field_of(long), ("discipline_breach", "too_long"));
    }

    #[test]
    fn the_comment_is_at_most_500_characters() {
        let at_limit = RatingInput {
            comment: Some("好".repeat(MAX_COMMENT_CHARS)),
            ..good()
        };
        assert!(check(&at_limit).is_ok());
        let over = RatingInput {
            comment: Some("好".repeat(MAX_COMMENT_CHARS + 1)),
            ..good()
        };
        assert_eq!(field_of(over), ("comment", "too_long"));
    }

    fn principal(roles: &[Role]) -> Principal {
        Principal {
            account_id: 1,
            login: "x".into(),
            display_name: "x".into(),
            person_id: Some(1),
            unit_id: Some(1),
            department_id: Some(2),
            unit_name: None,
            unit_level: None,
            unit_region_code: None,
            unit_sector: None,
            department_name: None,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn only_the_office_and_the_unit_leaders_read_ratings() {
        assert!(may_read(&principal(&[Role::OfficeClerk])));
        assert!(may_read(&principal(&[Role::UnitHead])));
        for roles in [
            &[Role::Inspector][..],
            &[Role::Secretary],
            &[Role::DepartmentAdmin],
            &[Role::DepartmentHead],
            &[Role::SystemAdmin],
            &[Role::EnterpriseUser],
            &[Role::DepartmentHead, Role::Inspector, Role::DepartmentAdmin],
        ] {
            assert!(!may_read(&principal(roles)), "{roles:?}");
            assert_eq!(
                ensure_may_read(&principal(roles)).unwrap_err().kind,
                ErrorKind::Forbidden
            );
        }
        assert!(may_read(&principal(&[Role::UnitHead, Role::Inspector])));
        let mut unplaced = principal(&[Role::OfficeClerk]);
        unplaced.unit_id = None;
        assert!(!may_read(&unplaced));
    }

    #[test]
    fn scores_print_with_their_meaning() {
        assert_eq!(score_label(5), "5分（很好）");
        assert_eq!(disturbance_label(5), "5分（无干扰）");
        assert_eq!(disturbance_label(1), "1分（严重）");
        assert_eq!(score_label(0), "—");
    }
}
