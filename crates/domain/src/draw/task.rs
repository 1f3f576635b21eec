//! A task (双随机任务 / 检查任务): one enterprise, one joint inspection,
//! initiated by one department. Its states, how it came about, and the checks
//! on a request to create or cancel one.

use chrono::{Datelike, NaiveDate};

use super::caps::TaskSource;
use crate::error::{DomainError, DomainResult};

labelled_enum!(
    /// Where a task is in its life. Results (issue "field app") move it on;
    /// until then it may be cancelled (DRAW-9).
    TaskStatus {
        Drawn = "drawn" / "待安排",
        Scheduled = "scheduled" / "已安排",
        InProgress = "in_progress" / "检查中",
        Completed = "completed" / "已完成",
        Cancelled = "cancelled" / "已取消",
    }
);

impl TaskStatus {
    /// No result has been entered yet, so the task may still be cancelled.
    pub fn may_cancel(self) -> bool {
        matches!(self, TaskStatus::Drawn | TaskStatus::Scheduled)
    }

    /// The visit is over (or will not happen): a draw's record may be shown.
    pub fn is_settled(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Cancelled)
    }
}

labelled_enum!(
    /// 定向抽取 (ticked by hand) or 非定向抽取 (drawn at random).
    Method {
        Directed = "directed" / "定向抽取",
        Random = "random" / "非定向抽取",
    }
);

labelled_enum!(
    /// DRAW-8: situations inspected at once and recorded afterwards (补录).
    Emergency {
        EnvironmentalEmergency = "environmental_emergency" / "环境安全突发事件",
        UrgentComplaint = "urgent_complaint" / "群众紧急投诉",
        PublicOpinion = "public_opinion" / "舆情核查",
    }
);

labelled_enum!(
    /// The task list's 任务类型 filter (JOINT-4).
    TaskView {
        Initiated = "initiated" / "我发起的",
        Participating = "participating" / "我参与的",
        Assisting = "assisting" / "我协办的",
        MayJoin = "may_join" / "我可参与的",
    }
);

/// The year a new task is for: this year, or next year once planning for it
/// starts (December). A past year is refused.
pub fn check_year(year: i32, today: NaiveDate) -> DomainResult<i32> {
    let this = today.year();
    if year < this {
        return Err(DomainError::field(
            "year",
            "past_year",
            format!("不能为以往年度（{year}年）抽取任务"),
        ));
    }
    if year > this + 1 || (year == this + 1 && today.month() < 12) {
        return Err(DomainError::field(
            "year",
            "future_year",
            format!("{year}年的任务尚不能抽取"),
        ));
    }
    Ok(year)
}

/// A source from a form or JSON: required, and one of DRAW-7's.
pub fn parse_source(s: Option<&str>) -> DomainResult<TaskSource> {
    let s = s
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| DomainError::field("source", "required", "请选择任务来源"))?;
    TaskSource::parse(s)
        .ok_or_else(|| DomainError::field("source", "invalid", format!("任务来源“{s}”有误")))
}

/// A reason given by a person (cancellation, acknowledgement, 回避): required,
/// at most 200 characters.
pub fn reason(field: &'static str, text: Option<&str>, what: &str) -> DomainResult<String> {
    let t = text.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return Err(DomainError::field(
            field,
            "required",
            format!("请填写{what}"),
        ));
    }
    if t.chars().count() > 200 {
        return Err(DomainError::field(
            field,
            "too_long",
            format!("{what}不能超过200个字"),
        ));
    }
    Ok(t.to_string())
}

/// An emergency record (补录) names the date of the visit: in the task's year
/// and not after today.
pub fn check_emergency_date(
    inspected_on: Option<NaiveDate>,
    year: i32,
    today: NaiveDate,
) -> DomainResult<NaiveDate> {
    let d = inspected_on
        .ok_or_else(|| DomainError::field("inspected_on", "required", "补录须填写实际检查日期"))?;
    if d > today || d.year() != year {
        return Err(DomainError::field(
            "inspected_on",
            "invalid",
            "实际检查日期应在本年度且不晚于今天",
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn years_are_this_one_or_next_in_december() {
        assert_eq!(check_year(2025, day(2025, 6, 2)), Ok(2025));
        assert_eq!(
            check_year(2024, day(2025, 6, 2)).unwrap_err().code,
            "past_year"
        );
        assert_eq!(
            check_year(2026, day(2025, 6, 2)).unwrap_err().code,
            "future_year"
        );
        assert_eq!(check_year(2026, day(2025, 12, 1)), Ok(2026));
    }

    #[test]
    fn sources_and_reasons_are_required() {
        assert_eq!(parse_source(None).unwrap_err().code, "required");
        assert_eq!(parse_source(Some("检查")).unwrap_err().code, "invalid");
        assert_eq!(parse_source(Some("日常检查")), Ok(TaskSource::Routine));
        assert_eq!(
            reason("reason", Some("  "), "取消原因").unwrap_err().code,
            "required"
        );
        assert_eq!(
            reason("reason", Some(&"长".repeat(201)), "取消原因")
                .unwrap_err()
                .code,
            "too_long"
        );
    }

    #[test]
    fn an_emergency_names_a_past_date_of_its_year() {
        let today = day(2025, 6, 2);
        assert!(check_emergency_date(Some(day(2025, 6, 1)), 2025, today).is_ok());
        assert!(check_emergency_date(Some(day(2025, 6, 3)), 2025, today).is_err());
        assert!(check_emergency_date(None, 2025, today).is_err());
    }

    #[test]
    fn only_tasks_without_results_may_be_cancelled() {
        assert!(TaskStatus::Drawn.may_cancel());
        assert!(!TaskStatus::InProgress.may_cancel());
        assert!(TaskStatus::Cancelled.is_settled());
    }

    #[test]
    fn two_years_ahead_is_never_drawn() {
        assert_eq!(
            check_year(2027, day(2025, 12, 31)).unwrap_err().code,
            "future_year"
        );
        assert_eq!(
            check_year(2027, day(2025, 6, 2)).unwrap_err().code,
            "future_year"
        );
        assert_eq!(check_year(2025, day(2025, 12, 31)), Ok(2025));
        assert_eq!(check_year(2025, day(2025, 1, 1)), Ok(2025));
        assert_eq!(
            check_year(2026, day(2025, 11, 30)).unwrap_err().code,
            "future_year"
        );
        let err = check_year(2024, day(2025, 1, 1)).unwrap_err();
        assert_eq!(err.field, Some("year"));
        assert!(err.message.contains("2024年"), "{err}");
    }

    #[test]
    fn a_reason_runs_to_two_hundred_characters_and_is_trimmed() {
        let full = "长".repeat(200);
        assert_eq!(reason("reason", Some(&full), "取消原因"), Ok(full.clone()));
        assert_eq!(
            reason("reason", Some("  企业已关闭 "), "取消原因"),
            Ok("企业已关闭".to_string())
        );
        let err = reason("ack", None, "确认理由").unwrap_err();
        assert_eq!(err.field, Some("ack"));
        assert_eq!(err.message, "请填写确认理由");
        let err = reason("ack", Some(&format!("{full}长")), "确认理由").unwrap_err();
        assert_eq!(err.message, "确认理由不能超过200个字");
    }

    #[test]
    fn an_emergency_date_is_today_or_earlier_in_the_tasks_year() {
        let today = day(2025, 6, 2);
        assert_eq!(check_emergency_date(Some(today), 2025, today), Ok(today));
        assert_eq!(
            check_emergency_date(Some(day(2025, 1, 1)), 2025, today),
            Ok(day(2025, 1, 1))
        );
        // Last year's visit is not recorded on this year's task.
        let err = check_emergency_date(Some(day(2024, 12, 31)), 2025, today).unwrap_err();
        assert_eq!(err.field, Some("inspected_on"));
        assert_eq!(err.code, "invalid");
        assert_eq!(
            check_emergency_date(None, 2025, today).unwrap_err().code,
            "required"
        );
    }

    #[test]
    fn sources_are_read_by_code_or_label_with_spaces_trimmed() {
        assert_eq!(
            parse_source(Some(" special_campaign ")),
            Ok(TaskSource::Special)
        );
        assert_eq!(parse_source(Some("投诉举报")), Ok(TaskSource::Complaint));
        assert_eq!(parse_source(Some("  ")).unwrap_err().code, "required");
        let err = parse_source(Some("巡查")).unwrap_err();
        assert_eq!(err.field, Some("source"));
        assert!(err.message.contains("巡查"), "{err}");
    }

    #[test]
    fn only_completed_or_cancelled_tasks_are_settled() {
        let settled: Vec<_> = TaskStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_settled())
            .collect();
        assert_eq!(settled, vec![TaskStatus::Completed, TaskStatus::Cancelled]);
        let cancellable: Vec<_> = TaskStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.may_cancel())
            .collect();
        assert_eq!(cancellable, vec![TaskStatus::Drawn, TaskStatus::Scheduled]);
    }
}
