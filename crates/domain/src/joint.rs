//! The joint inspection (综合查一次, JOINT-1…JOINT-6): who takes part in a
//! task, by when they decide, and whether the task became a joint one.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::error::{DomainError, DomainResult};

/// Manual 3.2.3: other departments decide "在 3 日内" — 72 hours from the notice.
pub const DECISION_WINDOW_HOURS: i64 = 72;

pub fn decide_by(notified_at: DateTime<Utc>) -> DateTime<Utc> {
    notified_at + Duration::hours(DECISION_WINDOW_HOURS)
}

labelled_enum!(
    /// How a department is on a task.
    ParticipantKind {
        Initiator = "initiator" / "发起处室",
        Department = "department" / "本单位处室",
        Partner = "partner" / "协作部门",
    }
);

labelled_enum!(
    /// A notified department's answer. `Lapsed` is 不参与 recorded by the
    /// system when the deadline passed without an answer.
    Decision {
        Join = "join" / "参加",
        Decline = "decline" / "不参加",
        Lapsed = "lapsed" / "逾期未确认，视为不参与",
    }
);

/// The decision as of `now`: an unanswered notice past its deadline reads as
/// lapsed whether or not a job has written that down yet.
pub fn effective(
    decision: Option<Decision>,
    decide_by: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Decision> {
    match (decision, decide_by) {
        (Some(d), _) => Some(d),
        (None, Some(by)) if now >= by => Some(Decision::Lapsed),
        _ => None,
    }
}

labelled_enum!(
    /// JOINT-5: whether the task became a joint inspection.
    JointStatus {
        Pending = "pending" / "待其他处室确认",
        Joint = "joint" / "联合检查",
        Single = "single" / "未形成联合检查",
    }
);

/// From the effective decisions of the non-initiating participants.
pub fn joint_status(decisions: &[Option<Decision>]) -> JointStatus {
    if decisions.contains(&Some(Decision::Join)) {
        JointStatus::Joint
    } else if decisions.iter().any(Option::is_none) {
        JointStatus::Pending
    } else {
        JointStatus::Single
    }
}

/// JOINT-1: the planned visit date must be after today (Asia/Shanghai).
pub fn check_planned_date(
    planned_on: Option<NaiveDate>,
    today: NaiveDate,
) -> DomainResult<NaiveDate> {
    let d = planned_on
        .ok_or_else(|| DomainError::field("planned_on", "required", "请选择计划现场检查日期"))?;
    if d <= today {
        return Err(DomainError::field(
            "planned_on",
            "not_after_today",
            "计划现场检查日期只能选择今日之后的日期",
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_unanswered_notice_lapses_at_its_deadline() {
        let at = Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap();
        let by = decide_by(at);
        assert_eq!(by - at, Duration::hours(72));
        assert_eq!(effective(None, Some(by), by - Duration::seconds(1)), None);
        assert_eq!(effective(None, Some(by), by), Some(Decision::Lapsed));
        assert_eq!(
            effective(Some(Decision::Join), Some(by), by + Duration::days(9)),
            Some(Decision::Join)
        );
        assert_eq!(
            effective(None, None, by),
            None,
            "the initiator decides nothing"
        );
    }

    #[test]
    fn a_task_is_joint_once_another_department_joins() {
        use Decision::*;
        assert_eq!(
            joint_status(&[Some(Decline), Some(Join)]),
            JointStatus::Joint
        );
        assert_eq!(joint_status(&[Some(Decline), None]), JointStatus::Pending);
        assert_eq!(
            joint_status(&[Some(Decline), Some(Lapsed)]),
            JointStatus::Single
        );
        assert_eq!(joint_status(&[]), JointStatus::Single);
    }

    #[test]
    fn the_visit_is_planned_after_today() {
        let today = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
        assert!(check_planned_date(Some(today), today).is_err());
        assert!(check_planned_date(today.pred_opt(), today).is_err());
        assert!(check_planned_date(today.succ_opt(), today).is_ok());
        assert_eq!(
            check_planned_date(None, today).unwrap_err().code,
            "required"
        );
    }
}
