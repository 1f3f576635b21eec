//! 环境信用评价 (RES-3): results feed an enterprise's credit grade.
//!
//! A [`ScoringRule`] (configuration, `[credit]` in yici.toml) turns what the
//! results say about one enterprise — problems found, rectifications overdue,
//! referrals for a penalty case, rectifications closed — into a score on
//! Hebei's 100-point scale and the grade it falls in. The result is only a
//! *proposal*: an authorised person confirms or rejects it, and every grade
//! change is kept with its reason (storage, `yici_store::credit`).
//!
//! **Where the score starts.** Events are counted from the moment the current
//! grade was decided (confirmed, set by hand or imported): what happened
//! before is already in that grade. The start is the *top* of the current
//! grade's band (A 100, B 84, C 69, D 49, E 29): an enterprise keeps its grade
//! until the deductions since it was decided carry it out of its band, so one
//! small problem does not flip a grade at once. An unrated enterprise starts
//! like C (69), as its draw weight equals C's: starting it at Hebei's 100
//! would make its first problem found propose grade A, lowering its chance of
//! being drawn for having a problem.
//!
//! **Points (defaults).** −5 per problem found (each rectification raised and
//! not withdrawn by a correction), −5 more per rectification that went past
//! its deadline, −10 per referral for a penalty case (移送立案), +3 back per
//! rectification closed (销号). The score stays within 0–100.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, DomainResult};
use crate::registry::enterprise::CreditGrade;
use crate::time::business_date;

/// Longest reason a person gives for a grade change or a rejection.
pub const MAX_REASON_CHARS: usize = 500;

labelled_enum!(
    /// What the results say about an enterprise, as the credit rule counts it.
    EventKind {
        ProblemFound = "problem_found" / "检查发现问题",
        Overdue = "overdue" / "整改逾期",
        Referred = "referred" / "移送立案",
        Closed = "closed" / "整改销号",
    }
);

labelled_enum!(
    /// Where a proposed grade change stands. Withdrawn: the facts changed
    /// and it no longer applies (the score came back into the current
    /// grade's band, or the grade was set by hand meanwhile).
    ProposalStatus {
        Proposed = "proposed" / "待确认",
        Confirmed = "confirmed" / "已确认",
        Rejected = "rejected" / "已驳回",
        Withdrawn = "withdrawn" / "已撤回",
    }
);

labelled_enum!(
    /// How a grade (or the positive list) came to change.
    ChangeSource {
        Manual = "manual" / "人工调整",
        Proposal = "proposal" / "评价确认",
        Import = "import" / "名录导入",
    }
);

/// Score at which each grade begins (Hebei 2024: A ≥ 85, B 70–84, C 50–69,
/// D 30–49, E ≤ 29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    pub a: i64,
    pub b: i64,
    pub c: i64,
    pub d: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            a: 85,
            b: 70,
            c: 50,
            d: 30,
        }
    }
}

/// The score an assessment starts from, by the current grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StartScores {
    pub a: i64,
    pub b: i64,
    pub c: i64,
    pub d: i64,
    pub e: i64,
    pub unrated: i64,
}

impl Default for StartScores {
    /// The top of each grade's band; unrated as C.
    fn default() -> Self {
        StartScores {
            a: 100,
            b: 84,
            c: 69,
            d: 49,
            e: 29,
            unrated: 69,
        }
    }
}

impl StartScores {
    pub fn of(&self, grade: Option<CreditGrade>) -> i64 {
        match grade {
            Some(CreditGrade::A) => self.a,
            Some(CreditGrade::B) => self.b,
            Some(CreditGrade::C) => self.c,
            Some(CreditGrade::D) => self.d,
            Some(CreditGrade::E) => self.e,
            None => self.unrated,
        }
    }
}

/// How results change the score (`[credit]` in yici.toml). Points are
/// magnitudes: deductions are subtracted, the recovery added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoringRule {
    pub start: StartScores,
    pub thresholds: Thresholds,
    /// Deducted per problem found.
    pub problem_found: i64,
    /// Deducted per rectification past its deadline.
    pub overdue: i64,
    /// Deducted per referral for a penalty case.
    pub referred: i64,
    /// Recovered per rectification closed.
    pub closed_recovery: i64,
}

impl Default for ScoringRule {
    fn default() -> Self {
        ScoringRule {
            start: StartScores::default(),
            thresholds: Thresholds::default(),
            problem_found: 5,
            overdue: 5,
            referred: 10,
            closed_recovery: 3,
        }
    }
}

/// The full scale.
pub const MAX_SCORE: i64 = 100;

impl ScoringRule {
    /// A configuration mistake in words, or nothing.
    pub fn check(&self) -> Result<(), String> {
        let t = &self.thresholds;
        if !(MAX_SCORE >= t.a && t.a > t.b && t.b > t.c && t.c > t.d && t.d > 0) {
            return Err("credit.thresholds: expected 100 >= a > b > c > d > 0".into());
        }
        let s = &self.start;
        if [s.a, s.b, s.c, s.d, s.e, s.unrated]
            .iter()
            .any(|v| !(0..=MAX_SCORE).contains(v))
        {
            return Err("credit.start: every start score must be within 0..=100".into());
        }
        if [
            self.problem_found,
            self.overdue,
            self.referred,
            self.closed_recovery,
        ]
        .iter()
        .any(|p| !(0..=MAX_SCORE).contains(p))
        {
            return Err("credit points: each must be within 0..=100".into());
        }
        Ok(())
    }

    /// The grade a score falls in.
    pub fn grade_of(&self, score: i64) -> CreditGrade {
        let t = &self.thresholds;
        match score {
            s if s >= t.a => CreditGrade::A,
            s if s >= t.b => CreditGrade::B,
            s if s >= t.c => CreditGrade::C,
            s if s >= t.d => CreditGrade::D,
            _ => CreditGrade::E,
        }
    }

    /// Signed points of one event.
    pub fn points(&self, kind: EventKind) -> i64 {
        match kind {
            EventKind::ProblemFound => -self.problem_found,
            EventKind::Overdue => -self.overdue,
            EventKind::Referred => -self.referred,
            EventKind::Closed => self.closed_recovery,
        }
    }
}

/// One thing the results say, and when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
}

/// The moment a rectification with `deadline` becomes overdue: the start of
/// the next day in Asia/Shanghai (the deadline day itself is still in time).
pub fn overdue_from(deadline: NaiveDate) -> DateTime<Utc> {
    let next = deadline.succ_opt().unwrap_or(deadline);
    let midnight = next.and_hms_opt(0, 0, 0).expect("midnight exists");
    Shanghai
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// What a rule makes of an enterprise's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub start: i64,
    pub score: i64,
    pub grade: CreditGrade,
    /// Chinese, one line per day and kind of event, oldest first, after a
    /// first line naming the start: 「2026-12-01 检查发现问题2项 −10分」.
    pub reasons: Vec<String>,
    /// Events counted.
    pub counted: usize,
}

/// Signed points as people read them: 「−10分」, 「+3分」.
fn signed(points: i64) -> String {
    if points < 0 {
        format!("−{}分", -points)
    } else {
        format!("+{points}分")
    }
}

/// Assesses an enterprise graded `current` from `events`, counting only
/// those after `since` (when the current grade was decided; `None`: never).
pub fn assess(
    rule: &ScoringRule,
    current: Option<CreditGrade>,
    since: Option<DateTime<Utc>>,
    events: &[Event],
) -> Assessment {
    let start = rule.start.of(current);
    let mut counted: Vec<(NaiveDate, EventKind)> = events
        .iter()
        .filter(|e| since.is_none_or(|s| e.at > s))
        .map(|e| (business_date(e.at), e.kind))
        .collect();
    // By day, then in the order a rectification lives (found, overdue,
    // referred, closed).
    counted.sort_by_key(|(day, kind)| (*day, EventKind::ALL.iter().position(|k| k == kind)));
    let grade_label = current.map_or("未评价", |g| g.label());
    let mut reasons = vec![format!("原信用等级{grade_label}，起评{start}分")];
    let mut score = start;
    let mut i = 0;
    while i < counted.len() {
        let (day, kind) = counted[i];
        let n = counted[i..]
            .iter()
            .take_while(|c| **c == (day, kind))
            .count();
        let points = rule.points(kind) * n as i64;
        score += points;
        reasons.push(format!("{day} {}{n}项 {}", kind.label(), signed(points)));
        i += n;
    }
    let score = score.clamp(0, MAX_SCORE);
    let grade = rule.grade_of(score);
    reasons.push(format!("评价得分{score}分，对应{}", grade.label()));
    Assessment {
        start,
        score,
        grade,
        reasons,
        counted: counted.len(),
    }
}

/// A grade given by a person: A–E or empty for 未评价.
pub fn parse_grade(value: Option<&str>) -> DomainResult<Option<CreditGrade>> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => CreditGrade::parse(&s.to_ascii_uppercase())
            .or_else(|| CreditGrade::parse(s))
            .map(Some)
            .ok_or_else(|| {
                DomainError::field(
                    "credit_grade",
                    "invalid_grade",
                    format!("信用等级“{s}”无效，只能是A、B、C、D、E或留空（未评价）"),
                )
            }),
    }
}

/// A required reason of at most [`MAX_REASON_CHARS`], trimmed.
pub fn reason(value: Option<&str>, field: &'static str, label: &str) -> DomainResult<String> {
    let t = value.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return Err(DomainError::field(
            field,
            "reason_required",
            format!("请填写{label}"),
        ));
    }
    if t.chars().count() > MAX_REASON_CHARS {
        return Err(DomainError::field(
            field,
            "too_long",
            format!("{label}不能超过{MAX_REASON_CHARS}个字"),
        ));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str) -> DateTime<Utc> {
        // 10:00 in Shanghai on that day.
        let d: NaiveDate = day.parse().unwrap();
        Shanghai
            .from_local_datetime(&d.and_hms_opt(10, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    }

    fn ev(kind: EventKind, day: &str) -> Event {
        Event { kind, at: at(day) }
    }

    #[test]
    fn thresholds_follow_hebei() {
        let r = ScoringRule::default();
        assert!(r.check().is_ok());
        for (score, grade) in [
            (100, CreditGrade::A),
            (85, CreditGrade::A),
            (84, CreditGrade::B),
            (70, CreditGrade::B),
            (69, CreditGrade::C),
            (50, CreditGrade::C),
            (49, CreditGrade::D),
            (30, CreditGrade::D),
            (29, CreditGrade::E),
            (0, CreditGrade::E),
        ] {
            assert_eq!(r.grade_of(score), grade, "{score}");
        }
        // The start of each grade lies in its own band.
        for g in CreditGrade::ALL {
            assert_eq!(r.grade_of(r.start.of(Some(*g))), *g);
        }
        assert_eq!(r.grade_of(r.start.of(None)), CreditGrade::C);
    }

    #[test]
    fn problems_are_counted_per_day_with_chinese_reasons() {
        let r = ScoringRule::default();
        let events = [
            ev(EventKind::ProblemFound, "2026-12-01"),
            ev(EventKind::ProblemFound, "2026-12-01"),
            ev(EventKind::Closed, "2026-12-20"),
        ];
        let a = assess(&r, Some(CreditGrade::B), None, &events);
        assert_eq!(a.start, 84);
        assert_eq!(a.score, 84 - 10 + 3);
        assert_eq!(a.grade, CreditGrade::B);
        assert_eq!(
            a.reasons,
            vec![
                "原信用等级B级，起评84分",
                "2026-12-01 检查发现问题2项 −10分",
                "2026-12-20 整改销号1项 +3分",
                "评价得分77分，对应B级",
            ]
        );
        assert_eq!(a.counted, 3);
    }

    #[test]
    fn an_unrated_enterprise_with_a_problem_is_proposed_c_not_a() {
        let r = ScoringRule::default();
        let a = assess(&r, None, None, &[ev(EventKind::ProblemFound, "2026-12-01")]);
        assert_eq!(a.score, 64);
        assert_eq!(a.grade, CreditGrade::C);
        assert!(a.reasons[0].contains("未评价"));
    }

    #[test]
    fn overdue_and_referral_push_the_grade_down() {
        let r = ScoringRule::default();
        let events = [
            ev(EventKind::ProblemFound, "2026-12-01"),
            ev(EventKind::ProblemFound, "2026-12-01"),
            ev(EventKind::Overdue, "2027-01-01"),
            ev(EventKind::Referred, "2027-01-03"),
        ];
        let a = assess(&r, Some(CreditGrade::A), None, &events);
        assert_eq!(a.score, 100 - 10 - 5 - 10);
        assert_eq!(a.grade, CreditGrade::B);
        assert!(a
            .reasons
            .contains(&"2027-01-01 整改逾期1项 −5分".to_string()));
        assert!(a
            .reasons
            .contains(&"2027-01-03 移送立案1项 −10分".to_string()));
    }

    #[test]
    fn only_events_after_the_grade_was_decided_count() {
        let r = ScoringRule::default();
        let events = [
            ev(EventKind::ProblemFound, "2026-11-01"),
            ev(EventKind::ProblemFound, "2026-12-01"),
        ];
        let a = assess(&r, Some(CreditGrade::C), Some(at("2026-11-15")), &events);
        assert_eq!(a.counted, 1);
        assert_eq!(a.score, 64);
    }

    #[test]
    fn the_score_stays_on_the_scale() {
        let r = ScoringRule::default();
        let many: Vec<Event> = (0..40)
            .map(|_| ev(EventKind::Referred, "2026-12-01"))
            .collect();
        let a = assess(&r, Some(CreditGrade::E), None, &many);
        assert_eq!(a.score, 0);
        assert_eq!(a.grade, CreditGrade::E);
        let closed: Vec<Event> = (0..40)
            .map(|_| ev(EventKind::Closed, "2026-12-01"))
            .collect();
        assert_eq!(assess(&r, Some(CreditGrade::A), None, &closed).score, 100);
    }

    #[test]
    fn a_configured_rule_is_followed_and_a_bad_one_refused() {
        let r = ScoringRule {
            problem_found: 20,
            ..ScoringRule::default()
        };
        let a = assess(
            &r,
            Some(CreditGrade::A),
            None,
            &[ev(EventKind::ProblemFound, "2026-12-01")],
        );
        assert_eq!(a.grade, CreditGrade::B);
        let bad = ScoringRule {
            thresholds: Thresholds {
                b: 90,
                ..Thresholds::default()
            },
            ..ScoringRule::default()
        };
        assert!(bad.check().is_err());
        let negative = ScoringRule {
            overdue: -1,
            ..ScoringRule::default()
        };
        assert!(negative.check().is_err());
    }

    #[test]
    fn overdue_begins_the_day_after_the_deadline_in_shanghai() {
        let t = overdue_from("2026-12-31".parse().unwrap());
        assert_eq!(t.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert_eq!(business_date(t).to_string(), "2027-01-01");
    }

    #[test]
    fn grades_and_reasons_are_checked() {
        assert_eq!(parse_grade(Some(" b ")).unwrap(), Some(CreditGrade::B));
        assert_eq!(parse_grade(Some("C级")).unwrap(), Some(CreditGrade::C));
        assert_eq!(parse_grade(Some("")).unwrap(), None);
        let e = parse_grade(Some("F")).unwrap_err();
        assert_eq!(e.field, Some("credit_grade"));
        assert!(e.message.contains("只能是A、B、C、D、E"));
        assert_eq!(
            reason(Some("  "), "reason", "调整原因").unwrap_err().code,
            "reason_required"
        );
        assert_eq!(
            reason(Some(&"字".repeat(501)), "reason", "调整原因")
                .unwrap_err()
                .code,
            "too_long"
        );
        assert_eq!(
            reason(Some(" 复核 "), "reason", "调整原因").unwrap(),
            "复核"
        );
    }
}
