//! 一公开 (RES-2): when a completed spot check's result becomes public, what
//! the public record says, and what it must never say.
//!
//! A completed task is published when the unit's office releases it, and at
//! the latest on its due date: the [`Calendar::working_days`]th working day
//! after the day of completion (20 by default). Working days are Monday to
//! Friday, less the configured public holidays, plus the configured 调休
//! working weekend days — the State Council publishes both lists every
//! December, so they are configuration, not code.
//!
//! The public record carries no personal data: no inspector, no contact
//! person, no telephone. Free text written by inspectors (problems found) may
//! still contain a mobile or identity number typed by hand, so every run of
//! seven or more digits in it is masked before publication ([`mask_numbers`]).

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

pub use crate::documents::forms::Outcome;
use crate::rectification::Status;

/// The publication calendar of `[publication]` in yici.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Calendar {
    /// Working days after completion by which a result must be public.
    pub working_days: u32,
    /// Public holidays falling on weekdays (法定节假日), not working days.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    pub workdays: Vec<NaiveDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            working_days: 20,
            holidays: Vec::new(),
            workdays: Vec::new(),
        }
    }
}

impl Calendar {
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend && !self.holidays.contains(&day)
    }

    /// The day by which a result completed on `completed_on` is published:
    /// the `working_days`th working day after it (the day itself not counted).
    pub fn due_on(&self, completed_on: NaiveDate) -> NaiveDate {
        let mut day = completed_on;
        let mut left = self.working_days;
        while left > 0 {
            day = day.succ_opt().expect("dates stay far from chrono's end");
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// A calendar whose lists contradict themselves (a day both holiday and
    /// working day) or that never publishes is refused at start-up.
    pub fn check(&self) -> Result<(), String> {
        if self.working_days == 0 || self.working_days > 60 {
            return Err("publication.working_days: expected 1 to 60".into());
        }
        if let Some(d) = self.holidays.iter().find(|d| self.workdays.contains(d)) {
            return Err(format!(
                "publication: {d} is both in holidays and in workdays"
            ));
        }
        Ok(())
    }
}

/// The published result of a spot check (检查结果), in the words of the
/// 情况记录表's 结果告知 (DOC-7): 未通过行政检查 when any department found a
/// problem; 其他 when none did but the enterprise was not operating
/// (停产/关闭: nothing could be checked in production); 通过行政检查 otherwise.
pub fn outcome_of(problems_found: usize, enterprise_operating: bool) -> Outcome {
    if problems_found > 0 {
        Outcome::NotPassed
    } else if !enterprise_operating {
        Outcome::Other
    } else {
        Outcome::Passed
    }
}

labelled_enum!(
    /// Where the rectifications of a published result stand, as one word.
    RectificationProgress {
        NotNeeded = "not_needed" / "无需整改",
        InProgress = "in_progress" / "整改中",
        Overdue = "overdue" / "逾期未整改",
        Closed = "closed" / "已整改",
        Referred = "referred" / "已移送立案",
    }
);

impl RectificationProgress {
    /// The word for a task's rectifications, each given by status and
    /// deadline, on `today`. A referral outweighs everything (the case now
    /// decides); then any overdue one; then any still open; withdrawn ones
    /// (a correction removed the problem) do not count.
    pub fn of(rectifications: &[(Status, NaiveDate)], today: NaiveDate) -> RectificationProgress {
        let live: Vec<_> = rectifications
            .iter()
            .filter(|(s, _)| *s != Status::Withdrawn)
            .collect();
        if live.is_empty() {
            return RectificationProgress::NotNeeded;
        }
        if live.iter().any(|(s, _)| *s == Status::Referred) {
            return RectificationProgress::Referred;
        }
        let open = |s: &Status| !matches!(s, Status::Closed | Status::Referred);
        if live
            .iter()
            .any(|(s, d)| open(s) && is_overdue(*s, *d, today))
        {
            return RectificationProgress::Overdue;
        }
        if live.iter().any(|(s, _)| open(s)) {
            return RectificationProgress::InProgress;
        }
        RectificationProgress::Closed
    }
}

/// An issued or returned rectification past its deadline; one reported back
/// in time waits for the department, not for the enterprise.
fn is_overdue(status: Status, deadline: NaiveDate, today: NaiveDate) -> bool {
    matches!(status, Status::Issued | Status::Returned) && deadline < today
}

/// Masks every run of seven or more ASCII digits (mobile, landline, identity
/// numbers typed into free text), keeping its first three and last two:
/// `13812345678` → `138******78`. An identity number's final `X` goes with it.
pub fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i - start >= 7 && i < chars.len() && matches!(chars[i], 'X' | 'x') {
            i += 1;
        }
        let run = &chars[start..i];
        if run.len() < 7 {
            out.extend(run);
        } else {
            out.extend(&run[..3]);
            out.extend(std::iter::repeat_n('*', run.len() - 5));
            out.extend(&run[run.len() - 2..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn twenty_working_days_skip_weekends() {
        let c = Calendar::default();
        // Monday 2026-11-02 + 20 working days = Monday 2026-11-30.
        assert_eq!(c.due_on(d("2026-11-02")), d("2026-11-30"));
        // Completed on a Saturday: the count starts on Monday.
        assert_eq!(c.due_on(d("2026-11-07")), d("2026-12-04"));
    }

    #[test]
    fn holidays_are_skipped_and_workdays_counted() {
        let c = Calendar {
            working_days: 3,
            holidays: vec![d("2026-10-01"), d("2026-10-02")],
            workdays: vec![d("2026-10-10")],
        };
        // Wed 09-30 → Thu 10-01 and Fri 10-02 are holidays → Mon 10-05 …
        assert_eq!(c.due_on(d("2026-09-30")), d("2026-10-07"));
        // Fri 10-09 → Sat 10-10 is a working day.
        assert_eq!(c.due_on(d("2026-10-09")), d("2026-10-13"));
        assert!(c.check().is_ok());
    }

    #[test]
    fn contradicting_calendars_are_refused() {
        let c = Calendar {
            holidays: vec![d("2026-10-10")],
            workdays: vec![d("2026-10-10")],
            ..Calendar::default()
        };
        assert!(c.check().is_err());
        let never = Calendar {
            working_days: 0,
            ..Calendar::default()
        };
        assert!(never.check().is_err());
    }

    #[test]
    fn outcome_follows_problems_then_operation() {
        assert_eq!(outcome_of(2, true), Outcome::NotPassed);
        assert_eq!(outcome_of(1, false), Outcome::NotPassed);
        assert_eq!(outcome_of(0, false), Outcome::Other);
        assert_eq!(outcome_of(0, true), Outcome::Passed);
    }

    #[test]
    fn rectification_word() {
        let today = d("2026-12-07");
        let none: [(Status, NaiveDate); 0] = [];
        assert_eq!(
            RectificationProgress::of(&none, today),
            RectificationProgress::NotNeeded
        );
        let withdrawn = [(Status::Withdrawn, d("2026-12-01"))];
        assert_eq!(
            RectificationProgress::of(&withdrawn, today),
            RectificationProgress::NotNeeded
        );
        let late = [
            (Status::Closed, d("2026-11-01")),
            (Status::Issued, d("2026-12-06")),
        ];
        assert_eq!(
            RectificationProgress::of(&late, today),
            RectificationProgress::Overdue
        );
        let reported_late = [(Status::Reported, d("2026-12-01"))];
        assert_eq!(
            RectificationProgress::of(&reported_late, today),
            RectificationProgress::InProgress
        );
        let due_today = [(Status::Issued, today)];
        assert_eq!(
            RectificationProgress::of(&due_today, today),
            RectificationProgress::InProgress
        );
        let referred = [
            (Status::Issued, d("2026-11-01")),
            (Status::Referred, d("2026-11-01")),
        ];
        assert_eq!(
            RectificationProgress::of(&referred, today),
            RectificationProgress::Referred
        );
        let closed = [
            (Status::Closed, d("2026-11-01")),
            (Status::Withdrawn, d("2026-11-01")),
        ];
        assert_eq!(
            RectificationProgress::of(&closed, today),
            RectificationProgress::Closed
        );
    }

    #[test]
    fn numbers_in_free_text_are_masked() {
        assert_eq!(
            mask_numbers("联系人电话13812345678，身份证13028119800101123X。"),
            "联系人电话138******78，身份证130*************3X。"
        );
        // Short numbers (measurements, item counts, dates) stay.
        assert_eq!(
            mask_numbers("COD 125mg/L，2026年12月7日，3项"),
            "COD 125mg/L，2026年12月7日，3项"
        );
        assert_eq!(mask_numbers("0315-6112233"), "0315-611**33");
    }
}
