//! 整改 (RES-1): every problem found becomes a rectification task. The
//! department sets the requirement and deadline and sends it (下发); the
//! enterprise reports back (整改反馈); the department verifies — on file or on
//! a revisit (整改复查) — and closes it (销号) or returns it (退回). A problem
//! that needs a penalty is referred for a case (移送立案) instead and tracked
//! to 已立案 / 不予立案. These are the states, who moves them, and the checks
//! on what people type; storage applies them inside one transaction.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, DomainResult};

/// 整改期限 when the item list names none: 30 days after the result.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest deadline a department may set (a year).
pub const MAX_DAYS: i64 = 366;
/// Longest 整改要求, 反馈, 核查意见, 退回原因.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Photos one report-back may carry.
pub const MAX_REPORT_FILES: usize = 9;

labelled_enum!(
    /// Where a rectification stands.
    Status {
        Draft = "draft" / "待下发",
        Issued = "issued" / "整改中",
        Reported = "reported" / "待核查",
        Returned = "returned" / "退回整改",
        Closed = "closed" / "已销号",
        Referred = "referred" / "已移送立案",
        Withdrawn = "withdrawn" / "已撤销",
    }
);

labelled_enum!(
    /// A referral's outcome (移送立案 → 已立案 / 不予立案).
    Referral {
        Pending = "referred" / "已移送",
        Filed = "filed" / "已立案",
        Declined = "declined" / "不予立案",
    }
);

labelled_enum!(
    /// How the department verified before closing.
    Verification {
        OnFile = "on_file" / "书面核查",
        Revisit = "revisit" / "现场复查",
    }
);

labelled_enum!(
    /// What happened, as the step list of a rectification shows it.
    StepKind {
        Raised = "raised" / "生成",
        Edited = "edited" / "修改",
        Issued = "issued" / "下发",
        Reported = "reported" / "企业反馈",
        Returned = "returned" / "退回整改",
        Closed = "closed" / "核查销号",
        RevisitPlanned = "revisit" / "安排复查",
        Referred = "referred" / "移送立案",
        CaseFiled = "case_filed" / "已立案",
        CaseDeclined = "case_declined" / "不予立案",
        Withdrawn = "withdrawn" / "撤销",
        Followed = "followed" / "随结果更正",
    }
);

impl Status {
    /// Still waiting for someone: the department (draft, reported) or the
    /// enterprise (issued, returned).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Draft | Status::Issued | Status::Reported | Status::Returned
        )
    }

    /// The enterprise sees it (everything once sent; a draft is the
    /// department's own).
    pub fn enterprise_sees(self) -> bool {
        !matches!(self, Status::Draft | Status::Withdrawn)
    }

    /// Waiting on the enterprise, so a passed deadline makes it overdue.
    pub fn awaits_enterprise(self) -> bool {
        matches!(self, Status::Issued | Status::Returned)
    }
}

/// Overdue (逾期): waiting on the enterprise past its deadline.
pub fn is_overdue(status: Status, deadline: NaiveDate, today: NaiveDate) -> bool {
    status.awaits_enterprise() && deadline < today
}

/// The default deadline: the item's days (or 30) after the result's day.
pub fn default_deadline(result_day: NaiveDate, item_days: Option<i64>) -> NaiveDate {
    let days = item_days
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .unwrap_or(DEFAULT_DAYS);
    result_day + Duration::days(days)
}

/// A deadline the department sets: not in the past, not more than a year out.
pub fn check_deadline(deadline: Option<NaiveDate>, today: NaiveDate) -> DomainResult<NaiveDate> {
    let d = deadline.ok_or_else(|| DomainError::required("deadline", "整改期限"))?;
    if d < today {
        return Err(DomainError::field(
            "deadline",
            "deadline_past",
            format!("整改期限不能早于今天（{today}）"),
        ));
    }
    if d > today + Duration::days(MAX_DAYS) {
        return Err(DomainError::field(
            "deadline",
            "deadline_too_far",
            "整改期限不能超过一年",
        ));
    }
    Ok(d)
}

/// A required text of at most [`MAX_TEXT_CHARS`], trimmed.
pub fn required_text(
    value: Option<&str>,
    field: &'static str,
    label: &str,
) -> DomainResult<String> {
    let t = value.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return Err(DomainError::required(field, label));
    }
    if t.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::field(
            field,
            "too_long",
            format!("{label}不能超过{MAX_TEXT_CHARS}个字"),
        ));
    }
    Ok(t.to_string())
}

/// The actions on a rectification, each allowed from some states only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Edit,
    Issue,
    Report,
    Return,
    Close,
    PlanRevisit,
    Refer,
    DecideReferral,
}

impl Action {
    fn allowed_from(self) -> &'static [Status] {
        use Status::*;
        match self {
            Action::Edit | Action::Issue => &[Draft],
            Action::Report => &[Issued, Returned],
            Action::Return | Action::Close => &[Reported],
            Action::PlanRevisit => &[Issued, Reported, Returned],
            Action::Refer => &[Draft, Issued, Reported, Returned],
            Action::DecideReferral => &[Referred],
        }
    }

    /// Whether the action may be taken in `status`; the refusal says why in
    /// the terms of the state the person sees.
    pub fn check(self, status: Status) -> DomainResult<()> {
        if self.allowed_from().contains(&status) {
            return Ok(());
        }
        let why = match (self, status) {
            (Action::Report, Status::Draft) => "整改任务尚未下发，暂不能反馈".to_string(),
            (Action::Report, Status::Reported) => {
                "已提交整改反馈，正在等待核查，请勿重复提交".to_string()
            }
            (Action::Report, _) | (_, Status::Closed | Status::Withdrawn) => {
                format!("整改任务{}，不能再办理", status.label())
            }
            (Action::Return | Action::Close, _) => {
                "企业尚未提交整改反馈，不能核查销号或退回".to_string()
            }
            (Action::Edit | Action::Issue, _) => {
                "整改任务已下发，整改要求和期限不能再修改".to_string()
            }
            (Action::DecideReferral, _) => "该问题未移送立案".to_string(),
            _ => format!("整改任务{}，不能进行此操作", status.label()),
        };
        Err(DomainError::conflict("rectification_state", why))
    }
}

/// What the department may change before sending.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DraftInput {
    /// 违反的法律条款 (prefilled from the item's 检查依据).
    pub legal_basis: Option<String>,
    /// 整改要求.
    pub requirement: Option<String>,
    /// 整改期限 (YYYY-MM-DD).
    pub deadline: Option<NaiveDate>,
}

/// A checked draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub legal_basis: String,
    pub requirement: String,
    pub deadline: NaiveDate,
}

impl DraftInput {
    pub fn check(&self, today: NaiveDate) -> DomainResult<Draft> {
        Ok(Draft {
            legal_basis: required_text(
                self.legal_basis.as_deref(),
                "legal_basis",
                "违反的法律条款",
            )?,
            requirement: required_text(self.requirement.as_deref(), "requirement", "整改要求")?,
            deadline: check_deadline(self.deadline, today)?,
        })
    }
}

/// The department's verification: close (with how it verified and a note) or return.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct VerifyInput {
    /// `close` (核查销号) or `return` (退回整改).
    pub decision: Option<String>,
    /// 核查意见 (closing) or 退回原因 (returning): required.
    pub note: Option<String>,
    /// How it was verified when closing: `on_file` or `revisit`.
    pub verification: Option<String>,
    /// For a return: the new deadline (default: unchanged if still ahead).
    pub deadline: Option<NaiveDate>,
}

/// A checked verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Close {
        verification: Verification,
        note: String,
    },
    Return {
        reason: String,
        deadline: Option<NaiveDate>,
    },
}

impl VerifyInput {
    pub fn check(&self, today: NaiveDate) -> DomainResult<Verdict> {
        match self.decision.as_deref().map(str::trim) {
            Some("close") => {
                let verification = self
                    .verification
                    .as_deref()
                    .and_then(Verification::parse)
                    .ok_or_else(|| {
                        DomainError::field("verification", "required", "请选择核查方式")
                    })?;
                Ok(Verdict::Close {
                    verification,
                    note: required_text(self.note.as_deref(), "note", "核查意见")?,
                })
            }
            Some("return") => Ok(Verdict::Return {
                reason: required_text(self.note.as_deref(), "note", "退回原因")?,
                deadline: match self.deadline {
                    Some(d) => Some(check_deadline(Some(d), today)?),
                    None => None,
                },
            }),
            _ => Err(DomainError::field(
                "decision",
                "required",
                "请选择核查结论：销号或退回整改",
            )),
        }
    }
}

/// The referral's outcome as the department records it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReferralOutcomeInput {
    /// `filed` (已立案) or `declined` (不予立案).
    pub outcome: Option<String>,
    /// 立案号, required when filed.
    pub case_number: Option<String>,
    /// A note; the reason is required when declined.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralOutcome {
    pub outcome: Referral,
    pub case_number: Option<String>,
    pub note: String,
}

impl ReferralOutcomeInput {
    pub fn check(&self) -> DomainResult<ReferralOutcome> {
        match self.outcome.as_deref().and_then(Referral::parse) {
            Some(Referral::Filed) => {
                let number = required_text(self.case_number.as_deref(), "case_number", "立案号")?;
                if number.chars().count() > 60 {
                    return Err(DomainError::field(
                        "case_number",
                        "too_long",
                        "立案号不能超过60个字",
                    ));
                }
                let note = self.note.as_deref().map(str::trim).unwrap_or("");
                Ok(ReferralOutcome {
                    outcome: Referral::Filed,
                    note: if note.is_empty() {
                        format!("已立案，立案号{number}")
                    } else {
                        required_text(Some(note), "note", "说明")?
                    },
                    case_number: Some(number),
                })
            }
            Some(Referral::Declined) => Ok(ReferralOutcome {
                outcome: Referral::Declined,
                case_number: None,
                note: required_text(self.note.as_deref(), "note", "不予立案的理由")?,
            }),
            _ => Err(DomainError::field(
                "outcome",
                "required",
                "请选择立案结果：已立案或不予立案",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_default_from_the_item_and_are_never_in_the_past() {
        let d = day("2026-03-10");
        assert_eq!(default_deadline(d, None), day("2026-04-09"));
        assert_eq!(default_deadline(d, Some(15)), day("2026-03-25"));
        // A nonsensical item setting falls back to the default.
        assert_eq!(default_deadline(d, Some(0)), day("2026-04-09"));
        assert_eq!(check_deadline(Some(d), d), Ok(d));
        let past = check_deadline(Some(day("2026-03-09")), d).unwrap_err();
        assert_eq!((past.field, past.code), (Some("deadline"), "deadline_past"));
        assert_eq!(
            check_deadline(Some(day("2027-03-12")), d).unwrap_err().code,
            "deadline_too_far"
        );
        assert_eq!(check_deadline(None, d).unwrap_err().code, "required");
    }

    #[test]
    fn overdue_only_while_the_enterprise_owes_the_report() {
        let (deadline, after) = (day("2026-03-10"), day("2026-03-11"));
        assert!(is_overdue(Status::Issued, deadline, after));
        assert!(is_overdue(Status::Returned, deadline, after));
        assert!(!is_overdue(Status::Issued, deadline, deadline));
        for s in [
            Status::Draft,
            Status::Reported,
            Status::Closed,
            Status::Referred,
            Status::Withdrawn,
        ] {
            assert!(!is_overdue(s, deadline, after), "{s:?}");
        }
    }

    #[test]
    fn each_action_runs_from_its_states_only() {
        use Status::*;
        let table: &[(Action, &[Status])] = &[
            (Action::Edit, &[Draft]),
            (Action::Issue, &[Draft]),
            (Action::Report, &[Issued, Returned]),
            (Action::Return, &[Reported]),
            (Action::Close, &[Reported]),
            (Action::PlanRevisit, &[Issued, Reported, Returned]),
            (Action::Refer, &[Draft, Issued, Reported, Returned]),
            (Action::DecideReferral, &[Referred]),
        ];
        for (action, ok) in table {
            for s in Status::ALL {
                let r = action.check(*s);
                assert_eq!(r.is_ok(), ok.contains(s), "{action:?} from {s:?}");
                if let Err(e) = r {
                    assert_eq!(e.code, "rectification_state");
                    assert_eq!(e.kind, crate::ErrorKind::Conflict);
                }
            }
        }
        assert!(Action::Report
            .check(Closed)
            .unwrap_err()
            .message
            .contains("已销号"));
    }

    #[test]
    fn closing_needs_a_method_and_a_note_returning_a_reason() {
        let today = day("2026-03-10");
        let mut v = VerifyInput {
            decision: Some("close".into()),
            note: Some(" 已提交更换后的布袋照片，核查属实 ".into()),
            verification: Some("on_file".into()),
            deadline: None,
        };
        assert_eq!(
            v.check(today),
            Ok(Verdict::Close {
                verification: Verification::OnFile,
                note: "已提交更换后的布袋照片，核查属实".into()
            })
        );
        v.note = Some("  ".into());
        assert_eq!(v.check(today).unwrap_err().field, Some("note"));
        v.note = Some("x".into());
        v.verification = None;
        assert_eq!(v.check(today).unwrap_err().field, Some("verification"));
        v.decision = Some("return".into());
        v.note = None;
        assert_eq!(v.check(today).unwrap_err().field, Some("note"));
        v.note = Some("照片不清晰".into());
        v.deadline = Some(day("2026-03-01"));
        assert_eq!(v.check(today).unwrap_err().code, "deadline_past");
        v.deadline = None;
        assert!(matches!(
            v.check(today),
            Ok(Verdict::Return { deadline: None, .. })
        ));
        v.decision = None;
        assert_eq!(v.check(today).unwrap_err().field, Some("decision"));
    }

    #[test]
    fn a_referral_is_filed_with_its_number_or_declined_with_a_reason() {
        let filed = ReferralOutcomeInput {
            outcome: Some("filed".into()),
            case_number: Some("唐环罚立〔2026〕3号".into()),
            note: None,
        };
        let o = filed.check().unwrap();
        assert_eq!(o.outcome, Referral::Filed);
        assert!(o.note.contains("唐环罚立〔2026〕3号"));
        let no_number = ReferralOutcomeInput {
            case_number: None,
            ..filed.clone()
        };
        assert_eq!(no_number.check().unwrap_err().field, Some("case_number"));
        let declined = ReferralOutcomeInput {
            outcome: Some("declined".into()),
            case_number: None,
            note: None,
        };
        assert_eq!(declined.check().unwrap_err().field, Some("note"));
        assert_eq!(
            ReferralOutcomeInput::default().check().unwrap_err().field,
            Some("outcome")
        );
    }

    #[test]
    fn drafts_need_a_requirement_and_a_deadline_ahead() {
        let today = day("2026-03-10");
        let ok = DraftInput {
            legal_basis: Some("《中华人民共和国大气污染防治法》第四十八条".into()),
            requirement: Some("更换破损布袋，并提交更换记录".into()),
            deadline: Some(day("2026-04-01")),
        };
        assert_eq!(ok.check(today).unwrap().deadline, day("2026-04-01"));
        let long = DraftInput {
            requirement: Some("字".repeat(MAX_TEXT_CHARS + 1)),
            ..ok.clone()
        };
        assert_eq!(long.check(today).unwrap_err().code, "too_long");
        let none = DraftInput {
            requirement: None,
            ..ok
        };
        assert_eq!(none.check(today).unwrap_err().field, Some("requirement"));
    }
}
