//! 监督预警 (STAT-2): rules that flag an inspection for the unit's leaders and
//! office. Each rule is a pure predicate over the facts of one task
//! ([`TaskFacts`]); storage gathers the facts, raises a warning per rule that
//! holds, and people close it with a note.
//!
//! When each rule fires (a cancelled task fires none):
//!
//! * **repeat_visit** — the task was visited (checked in, or the inspection
//!   date of an emergency recorded afterwards) at most `repeat_days` days
//!   after an earlier visit of the same unit to the same enterprise (same
//!   day: the later task by id). A rectification revisit (整改复查), which the
//!   law requires, never fires, though it counts as an earlier visit.
//! * **missing_approval** — the task is completed, on site, and has no
//!   审批表 approved by the unit head (status approved or issued). On the
//!   urgent path (口头通知 recorded, or an emergency of DRAW-8) the papers
//!   follow afterwards (补办, DOC-5): the rule waits until `urgent_grace_days`
//!   business days after the oral notice (or the emergency's inspection day)
//!   have passed.
//! * **notice_not_served** — the same for a served 检查通知书.
//! * **no_check_in_code** — the visit started by 跳过扫码 (method `skipped`).
//! * **participation_overdue** — a notified department (of the unit or a
//!   partner agency) let its 72 hours pass without answering (JOINT-3).
//! * **result_overdue** — a result came in after its visit day (RESULT-4),
//!   or the check-in's day is over and the task is still waiting for a
//!   result (an emergency recorded afterwards is due from its check-in, not
//!   from its earlier inspection day).
//! * **rectification_overdue** — a rectification of the task waits on the
//!   enterprise past its deadline (RES-1).
//!
//! A warning is raised once per task and kind: closing it settles that fact,
//! and re-evaluating does not raise it again.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, DomainResult};
use crate::org::{Principal, Role};
use crate::time::business_date;

labelled_enum!(
    /// What a warning is about.
    WarningKind {
        RepeatVisit = "repeat_visit" / "同一企业短期内重复检查",
        MissingApproval = "missing_approval" / "未经审批即检查",
        NoticeNotServed = "notice_not_served" / "未送达检查通知书",
        NoCheckInCode = "no_check_in_code" / "未扫码签到",
        ParticipationOverdue = "participation_overdue" / "参与确认逾期",
        ResultOverdue = "result_overdue" / "检查结果逾期提交",
        RectificationOverdue = "rectification_overdue" / "整改逾期",
    }
);

labelled_enum!(
    /// Whether a warning still waits for someone.
    WarningState {
        Open = "open" / "待处理",
        Closed = "closed" / "已关闭",
    }
);

/// Default of `repeat_days`: the same enterprise within 60 days.
pub const DEFAULT_REPEAT_DAYS: i64 = 60;
/// Default of `urgent_grace_days`: papers of an urgent visit within 3 days.
pub const DEFAULT_URGENT_GRACE_DAYS: i64 = 3;
/// Longest close note kept.
pub const MAX_NOTE_CHARS: usize = 500;

/// `[warnings]` in the configuration: each rule on or off, and its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    pub repeat_visit: bool,
    pub missing_approval: bool,
    pub notice_not_served: bool,
    pub no_check_in_code: bool,
    pub participation_overdue: bool,
    pub result_overdue: bool,
    pub rectification_overdue: bool,
    /// A visit at most this many days after the previous one is a repeat.
    pub repeat_days: i64,
    /// Days after an oral notice (or an emergency's inspection day) the
    /// papers may follow before missing_approval / notice_not_served fire.
    pub urgent_grace_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            repeat_visit: true,
            missing_approval: true,
            notice_not_served: true,
            no_check_in_code: true,
            participation_overdue: true,
            result_overdue: true,
            rectification_overdue: true,
            repeat_days: DEFAULT_REPEAT_DAYS,
            urgent_grace_days: DEFAULT_URGENT_GRACE_DAYS,
        }
    }
}

impl Rules {
    /// Whether a rule is switched on.
    pub fn enabled(&self, kind: WarningKind) -> bool {
        match kind {
            WarningKind::RepeatVisit => self.repeat_visit,
            WarningKind::MissingApproval => self.missing_approval,
            WarningKind::NoticeNotServed => self.notice_not_served,
            WarningKind::NoCheckInCode => self.no_check_in_code,
            WarningKind::ParticipationOverdue => self.participation_overdue,
            WarningKind::ResultOverdue => self.result_overdue,
            WarningKind::RectificationOverdue => self.rectification_overdue,
        }
    }

    /// Numbers in range: 1–366 days for a repeat, 0–30 days of grace.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=366).contains(&self.repeat_days) {
            return Err("[warnings] repeat_days 应在 1 到 366 之间".into());
        }
        if !(0..=30).contains(&self.urgent_grace_days) {
            return Err("[warnings] urgent_grace_days 应在 0 到 30 之间".into());
        }
        Ok(())
    }
}

/// A notified department that let its deadline pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LapsedParticipant {
    pub department_name: String,
    pub decide_by: DateTime<Utc>,
}

/// A rectification of the task, as the overdue rule reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectificationFact {
    pub item_name: String,
    pub status: crate::rectification::Status,
    pub deadline: NaiveDate,
}

/// Everything the rules read about one task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFacts {
    pub cancelled: bool,
    pub completed: bool,
    /// 非现场检查: owes no papers.
    pub remote: bool,
    /// The business day of the check-in, or an emergency's inspection day.
    pub visit_day: Option<NaiveDate>,
    /// The business day of the check-in alone: results are due on it
    /// (RESULT-4), also for an emergency entered afterwards.
    pub checked_in_day: Option<NaiveDate>,
    pub check_in_skipped: bool,
    pub check_in_skip_reason: Option<String>,
    /// Start of the urgent path: the oral notice's business day, or an
    /// emergency's inspection day (DRAW-8).
    pub urgent_since: Option<NaiveDate>,
    /// A 审批表 approved by the unit head (approved or issued).
    pub approval_approved: bool,
    /// A served 检查通知书.
    pub notice_served: bool,
    /// The task is a rectification's revisit (整改复查).
    pub revisit: bool,
    /// The latest earlier visit of the same unit to the same enterprise
    /// (another live task), with its id.
    pub previous_visit: Option<(i64, NaiveDate)>,
    /// Notified departments whose answer lapsed (recorded, or past due).
    pub lapsed: Vec<LapsedParticipant>,
    /// Departments whose result came after its visit day.
    pub late_results: Vec<String>,
    pub rectifications: Vec<RectificationFact>,
}

/// A rule that holds, with a Chinese line saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: WarningKind,
    pub detail: String,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// repeat_visit: the visit at most `repeat_days` after the previous one.
pub fn repeat_visit(rules: &Rules, f: &TaskFacts) -> Option<String> {
    if f.revisit {
        return None;
    }
    let (visit, (other, previous)) = (f.visit_day?, f.previous_visit?);
    let days = (visit - previous).num_days();
    (0..=rules.repeat_days).contains(&days).then(|| {
        format!(
            "本单位 {} 已检查过该企业（任务 {other}），本次 {} 再次检查，相隔 {days} 日（预警阈值 {} 日）",
            day(previous),
            day(visit),
            rules.repeat_days
        )
    })
}

/// Still inside the 补办 grace of the urgent path.
fn in_grace(rules: &Rules, f: &TaskFacts, today: NaiveDate) -> bool {
    f.urgent_since
        .is_some_and(|since| (today - since).num_days() <= rules.urgent_grace_days)
}

fn papers_rule(
    rules: &Rules,
    f: &TaskFacts,
    today: NaiveDate,
    has: bool,
    what: &str,
) -> Option<String> {
    if f.cancelled || !f.completed || f.remote || has || in_grace(rules, f, today) {
        return None;
    }
    Some(match f.urgent_since {
        Some(since) => format!(
            "紧急检查（{}）后 {} 日补办期限已过，仍无{what}",
            day(since),
            rules.urgent_grace_days
        ),
        None => format!("检查已完成，无{what}"),
    })
}

/// missing_approval: completed on site without an approved 审批表.
pub fn missing_approval(rules: &Rules, f: &TaskFacts, today: NaiveDate) -> Option<String> {
    papers_rule(
        rules,
        f,
        today,
        f.approval_approved,
        "经行政执法主体负责人批准的检查审批表",
    )
}

/// notice_not_served: completed on site without a served 通知书.
pub fn notice_not_served(rules: &Rules, f: &TaskFacts, today: NaiveDate) -> Option<String> {
    papers_rule(rules, f, today, f.notice_served, "已送达的检查通知书")
}

/// no_check_in_code: the visit started without the enterprise's scan.
pub fn no_check_in_code(f: &TaskFacts) -> Option<String> {
    f.check_in_skipped.then(|| match &f.check_in_skip_reason {
        Some(r) => format!("检查人员跳过扫码签到，原因：{r}"),
        None => "检查人员跳过扫码签到".to_string(),
    })
}

/// participation_overdue: a notified department did not answer in time.
pub fn participation_overdue(f: &TaskFacts) -> Option<String> {
    (!f.lapsed.is_empty()).then(|| {
        let names = f
            .lapsed
            .iter()
            .map(|l| {
                format!(
                    "{}（截止 {}）",
                    l.department_name,
                    crate::time::display(l.decide_by)
                )
            })
            .collect::<Vec<_>>()
            .join("、");
        format!("逾期未确认是否参加联合检查：{names}")
    })
}

/// result_overdue: a result came late, or the visit day passed without all.
pub fn result_overdue(f: &TaskFacts, today: NaiveDate) -> Option<String> {
    if !f.late_results.is_empty() {
        return Some(format!(
            "检查结果未在检查当日提交：{}",
            f.late_results.join("、")
        ));
    }
    let visit = f.checked_in_day?;
    (!f.completed && today > visit).then(|| format!("{} 检查后，检查结果尚未全部提交", day(visit)))
}

/// rectification_overdue: waiting on the enterprise past the deadline.
pub fn rectification_overdue(f: &TaskFacts, today: NaiveDate) -> Option<String> {
    let late: Vec<String> = f
        .rectifications
        .iter()
        .filter(|r| crate::rectification::is_overdue(r.status, r.deadline, today))
        .map(|r| format!("{}（期限 {}）", r.item_name, day(r.deadline)))
        .collect();
    (!late.is_empty()).then(|| format!("整改超过期限，企业尚未反馈：{}", late.join("、")))
}

/// Every enabled rule that holds for the task at `now`.
pub fn evaluate(rules: &Rules, f: &TaskFacts, now: DateTime<Utc>) -> Vec<Finding> {
    if f.cancelled {
        return Vec::new();
    }
    let today = business_date(now);
    WarningKind::ALL
        .iter()
        .filter(|k| rules.enabled(**k))
        .filter_map(|&kind| {
            let detail = match kind {
                WarningKind::RepeatVisit => repeat_visit(rules, f),
                WarningKind::MissingApproval => missing_approval(rules, f, today),
                WarningKind::NoticeNotServed => notice_not_served(rules, f, today),
                WarningKind::NoCheckInCode => no_check_in_code(f),
                WarningKind::ParticipationOverdue => participation_overdue(f),
                WarningKind::ResultOverdue => result_overdue(f, today),
                WarningKind::RectificationOverdue => rectification_overdue(f, today),
            }?;
            Some(Finding { kind, detail })
        })
        .collect()
}

/// Whose warnings a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The unit head and the office: every task of the unit.
    Unit(i64),
    /// A department head: the tasks the department initiated.
    Department(i64),
}

/// The reach of a person's reading, if any (unit heads, office, department heads).
pub fn reach_of(p: &Principal) -> Option<Reach> {
    let unit = p.unit_id?;
    if p.has(Role::UnitHead) || p.has(Role::OfficeClerk) {
        return Some(Reach::Unit(unit));
    }
    if p.has(Role::DepartmentHead) {
        return p.department_id.map(Reach::Department);
    }
    None
}

/// Closing is the unit head's or the office's.
pub fn may_close(p: &Principal) -> bool {
    p.unit_id.is_some() && (p.has(Role::UnitHead) || p.has(Role::OfficeClerk))
}

/// The close note: required, at most [`MAX_NOTE_CHARS`] characters.
pub fn check_note(note: Option<&str>) -> DomainResult<String> {
    let note = note.map(str::trim).unwrap_or("");
    if note.is_empty() {
        return Err(DomainError::field(
            "note",
            "note_required",
            "请填写处理说明（关闭预警须说明核实和处理情况）",
        ));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(DomainError::field(
            "note",
            "too_long",
            format!("处理说明不能超过{MAX_NOTE_CHARS}字"),
        ));
    }
    Ok(note.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rectification::Status;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Noon in Shanghai of a day.
    fn noon(s: &str) -> DateTime<Utc> {
        crate::time::start_of(d(s)) + chrono::Duration::hours(12)
    }

    fn kinds(f: &TaskFacts, now: DateTime<Utc>) -> Vec<WarningKind> {
        evaluate(&Rules::default(), f, now)
            .into_iter()
            .map(|x| x.kind)
            .collect()
    }

    fn completed() -> TaskFacts {
        TaskFacts {
            completed: true,
            visit_day: Some(d("2026-05-10")),
            checked_in_day: Some(d("2026-05-10")),
            approval_approved: true,
            notice_served: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_clean_completed_task_fires_nothing() {
        assert!(kinds(&completed(), noon("2026-06-01")).is_empty());
        assert!(kinds(&TaskFacts::default(), noon("2026-06-01")).is_empty());
    }

    #[test]
    fn repeat_visit_fires_within_the_days_and_not_after() {
        let mut f = completed();
        f.previous_visit = Some((1, d("2026-03-11")));
        // 60 days after: still a repeat.
        assert_eq!(kinds(&f, noon("2026-05-10")), [WarningKind::RepeatVisit]);
        f.previous_visit = Some((1, d("2026-03-10")));
        assert!(kinds(&f, noon("2026-05-10")).is_empty());
        // Same day.
        f.previous_visit = Some((1, d("2026-05-10")));
        assert_eq!(kinds(&f, noon("2026-05-10")), [WarningKind::RepeatVisit]);
        // A revisit never fires; nor a task not yet visited.
        f.revisit = true;
        assert!(kinds(&f, noon("2026-05-10")).is_empty());
        f.revisit = false;
        f.visit_day = None;
        f.completed = false;
        assert!(kinds(&f, noon("2026-05-10")).is_empty());
    }

    #[test]
    fn repeat_days_is_configurable_and_rules_switch_off() {
        let mut f = completed();
        f.previous_visit = Some((1, d("2026-04-20")));
        let rules = Rules {
            repeat_days: 10,
            ..Rules::default()
        };
        assert!(evaluate(&rules, &f, noon("2026-05-10")).is_empty());
        let off = Rules {
            repeat_visit: false,
            ..Rules::default()
        };
        assert!(evaluate(&off, &f, noon("2026-05-10")).is_empty());
        assert_eq!(kinds(&f, noon("2026-05-10")), [WarningKind::RepeatVisit]);
    }

    #[test]
    fn papers_fire_on_completion_only_and_not_for_remote() {
        let mut f = completed();
        f.approval_approved = false;
        assert_eq!(
            kinds(&f, noon("2026-05-10")),
            [WarningKind::MissingApproval]
        );
        f.notice_served = false;
        assert_eq!(
            kinds(&f, noon("2026-05-10")),
            [WarningKind::MissingApproval, WarningKind::NoticeNotServed]
        );
        f.remote = true;
        assert!(kinds(&f, noon("2026-05-10")).is_empty());
        f.remote = false;
        f.completed = false;
        assert!(kinds(&f, noon("2026-05-10")).is_empty());
    }

    #[test]
    fn the_urgent_path_waits_for_its_grace() {
        let mut f = completed();
        f.approval_approved = false;
        f.notice_served = false;
        f.urgent_since = Some(d("2026-05-10"));
        // 3 days of grace: the 13th is the last day.
        assert!(kinds(&f, noon("2026-05-13")).is_empty());
        let late = evaluate(&Rules::default(), &f, noon("2026-05-14"));
        assert_eq!(late.len(), 2);
        assert!(
            late[0].detail.contains("补办期限已过"),
            "{}",
            late[0].detail
        );
    }

    #[test]
    fn a_skipped_check_in_fires_with_its_reason() {
        let mut f = completed();
        f.check_in_skipped = true;
        f.check_in_skip_reason = Some("企业无智能手机".into());
        let w = evaluate(&Rules::default(), &f, noon("2026-05-10"));
        assert_eq!(w[0].kind, WarningKind::NoCheckInCode);
        assert!(w[0].detail.contains("企业无智能手机"));
    }

    #[test]
    fn participation_fires_for_a_lapsed_department() {
        let mut f = TaskFacts::default();
        f.lapsed.push(LapsedParticipant {
            department_name: "执法二科".into(),
            decide_by: noon("2026-05-01"),
        });
        assert_eq!(
            kinds(&f, noon("2026-05-02")),
            [WarningKind::ParticipationOverdue]
        );
    }

    #[test]
    fn results_are_overdue_after_the_visit_day_or_when_late() {
        // An emergency inspected earlier, not yet checked in: not due yet.
        let mut f = TaskFacts {
            visit_day: Some(d("2026-05-01")),
            ..Default::default()
        };
        assert!(kinds(&f, noon("2026-05-11")).is_empty());
        f.checked_in_day = Some(d("2026-05-10"));
        assert!(kinds(&f, noon("2026-05-10")).is_empty());
        // The last minute of the visit day (Shanghai) is still in time.
        let last = crate::time::start_of(d("2026-05-11")) - chrono::Duration::minutes(1);
        assert!(kinds(&f, last).is_empty());
        assert_eq!(kinds(&f, noon("2026-05-11")), [WarningKind::ResultOverdue]);
        f.completed = true;
        f.approval_approved = true;
        f.notice_served = true;
        assert!(kinds(&f, noon("2026-05-11")).is_empty());
        f.late_results.push("执法一科".into());
        assert_eq!(kinds(&f, noon("2026-05-11")), [WarningKind::ResultOverdue]);
    }

    #[test]
    fn rectifications_are_overdue_past_the_deadline_while_with_the_enterprise() {
        let mut f = completed();
        f.rectifications.push(RectificationFact {
            item_name: "排污许可".into(),
            status: Status::Issued,
            deadline: d("2026-06-10"),
        });
        assert!(kinds(&f, noon("2026-06-10")).is_empty());
        assert_eq!(
            kinds(&f, noon("2026-06-11")),
            [WarningKind::RectificationOverdue]
        );
        f.rectifications[0].status = Status::Reported;
        assert!(kinds(&f, noon("2026-06-11")).is_empty());
    }

    #[test]
    fn a_cancelled_task_fires_nothing() {
        let mut f = completed();
        f.check_in_skipped = true;
        f.cancelled = true;
        assert!(kinds(&f, noon("2026-05-10")).is_empty());
    }

    #[test]
    fn a_close_note_is_required_and_bounded() {
        assert_eq!(check_note(Some("  ")).unwrap_err().code, "note_required");
        assert!(check_note(None).is_err());
        assert!(check_note(Some(&"字".repeat(501))).is_err());
        assert_eq!(check_note(Some(" 已核实 ")).unwrap(), "已核实");
    }

    #[test]
    fn rules_check_their_numbers() {
        assert!(Rules::default().check().is_ok());
        let bad = Rules {
            repeat_days: 0,
            ..Rules::default()
        };
        assert!(bad.check().is_err());
        let toml_like: Rules = serde_json::from_str(r#"{"repeat_days": 30}"#).unwrap();
        assert_eq!(toml_like.repeat_days, 30);
        assert!(toml_like.no_check_in_code);
    }

    #[test]
    fn codes_and_labels_parse() {
        for k in WarningKind::ALL {
            assert_eq!(WarningKind::parse(k.as_str()), Some(*k));
            assert_eq!(WarningKind::parse(k.label()), Some(*k));
        }
    }
}
