//! Frequency caps (DRAW-5, DRAW-6, DRAW-7): per enterprise and calendar year, a
//! unit (province bureau, city bureau, county branch) at most 2 capped tasks, a
//! department at most 1, all levels together at most 6. A task counts once, for
//! the unit and department that initiated it.

labelled_enum!(
    /// 任务来源. 日常检查 and 专项检查 are capped; the others are not, but must not
    /// "明显超过合理频次" (a configurable warning threshold).
    TaskSource {
        Routine = "routine" / "日常检查",
        Special = "special_campaign" / "专项检查",
        Complaint = "complaint" / "投诉举报",
        Referral = "referral" / "转办交办",
        DataMonitoring = "data_monitoring" / "数据监测",
        OnRequest = "on_request" / "应被检查人申请",
        MediaReport = "media_report" / "媒体曝光",
        Other = "other" / "其他",
    }
);

impl TaskSource {
    /// Whether tasks of this source count against the caps.
    pub fn is_capped(self) -> bool {
        matches!(self, TaskSource::Routine | TaskSource::Special)
    }
}

/// The caps in force (the plan's numbers by default; configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub per_unit: u32,
    pub per_department: u32,
    pub all_levels: u32,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            per_unit: 2,
            per_department: 1,
            all_levels: 6,
        }
    }
}

/// Capped tasks already on an enterprise this year, as the cap ledger counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Tasks initiated by the asking unit.
    pub unit: u32,
    /// Tasks initiated by the asking department.
    pub department: u32,
    /// Tasks of every unit at every level.
    pub all_levels: u32,
}

/// DRAW-6: how the extraction list marks an enterprise for the asking unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    None,
    /// 黄色: the unit already has one task on it this year.
    Yellow,
    /// 红色: the unit has reached its cap; no department of it may extract it.
    Red,
}

/// Why a capped extraction is refused: each reason says which cap, in Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Department,
    Unit,
    AllLevels,
}

impl Refusal {
    pub fn message(self, caps: &Caps) -> String {
        match self {
            Refusal::Department => format!(
                "本处室本年度已对该企业发起过{}次双随机抽查，不能再次抽取",
                caps.per_department
            ),
            Refusal::Unit => format!(
                "本单位本年度已对该企业检查{}次（红色），任何处室不得再次抽取",
                caps.per_unit
            ),
            Refusal::AllLevels => format!(
                "该企业本年度各层级检查已达{}次上限，不得再次抽取",
                caps.all_levels
            ),
        }
    }
}

impl Caps {
    pub fn mark(&self, usage: Usage) -> Mark {
        if usage.unit >= self.per_unit {
            Mark::Red
        } else if usage.unit > 0 {
            Mark::Yellow
        } else {
            Mark::None
        }
    }

    /// Whether the asking department may extract the enterprise once more.
    /// The department's own cap is checked first: a yellow enterprise is open
    /// only to departments that have not extracted it yet.
    pub fn check(&self, usage: Usage) -> Result<(), Refusal> {
        if usage.department >= self.per_department {
            Err(Refusal::Department)
        } else if usage.unit >= self.per_unit {
            Err(Refusal::Unit)
        } else if usage.all_levels >= self.all_levels {
            Err(Refusal::AllLevels)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn marks_follow_the_manual() {
        let caps = Caps::default();
        assert_eq!(caps.mark(Usage::default()), Mark::None);
        assert_eq!(
            caps.mark(Usage {
                unit: 1,
                department: 0,
                all_levels: 1
            }),
            Mark::Yellow
        );
        assert_eq!(
            caps.mark(Usage {
                unit: 2,
                department: 1,
                all_levels: 2
            }),
            Mark::Red
        );
    }

    #[test]
    fn yellow_is_open_only_to_another_department() {
        let caps = Caps::default();
        let other = Usage {
            unit: 1,
            department: 0,
            all_levels: 1,
        };
        let same = Usage {
            unit: 1,
            department: 1,
            all_levels: 1,
        };
        assert_eq!(caps.check(other), Ok(()));
        assert_eq!(caps.check(same), Err(Refusal::Department));
        assert_eq!(
            caps.check(Usage {
                unit: 2,
                department: 0,
                all_levels: 2
            }),
            Err(Refusal::Unit)
        );
        assert_eq!(
            caps.check(Usage {
                unit: 0,
                department: 0,
                all_levels: 6
            }),
            Err(Refusal::AllLevels)
        );
        assert!(Refusal::Unit.message(&caps).contains("红色"));
    }

    #[test]
    fn only_routine_and_special_are_capped() {
        let capped: Vec<_> = TaskSource::ALL.iter().filter(|s| s.is_capped()).collect();
        assert_eq!(capped, vec![&TaskSource::Routine, &TaskSource::Special]);
        assert_eq!(TaskSource::parse("投诉举报"), Some(TaskSource::Complaint));
    }

    proptest! {
        /// Whatever the usage, granting a task never takes any count past its cap.
        #[test]
        fn an_allowed_task_stays_within_every_cap(unit in 0u32..4, department in 0u32..3, all in 0u32..8) {
            let caps = Caps::default();
            let usage = Usage { unit, department: department.min(unit), all_levels: all.max(unit) };
            if caps.check(usage).is_ok() {
                prop_assert!(usage.unit < caps.per_unit);
                prop_assert!(usage.department < caps.per_department);
                prop_assert!(usage.all_levels < caps.all_levels);
            }
        }
    }

    #[test]
    fn with_a_larger_unit_cap_every_task_short_of_it_is_yellow() {
        // A bureau may configure a higher cap: red only at the cap, yellow
        // from the first task up to it.
        let caps = Caps {
            per_unit: 3,
            ..Caps::default()
        };
        let at = |unit| {
            caps.mark(Usage {
                unit,
                department: 0,
                all_levels: unit,
            })
        };
        assert_eq!(at(0), Mark::None);
        assert_eq!(at(1), Mark::Yellow);
        assert_eq!(at(2), Mark::Yellow);
        assert_eq!(at(3), Mark::Red);
        assert_eq!(at(4), Mark::Red);
    }

    #[test]
    fn each_refusal_names_its_cap() {
        let caps = Caps {
            per_unit: 3,
            per_department: 2,
            all_levels: 7,
        };
        assert_eq!(
            Refusal::Department.message(&caps),
            "本处室本年度已对该企业发起过2次双随机抽查，不能再次抽取"
        );
        assert_eq!(
            Refusal::Unit.message(&caps),
            "本单位本年度已对该企业检查3次（红色），任何处室不得再次抽取"
        );
        assert_eq!(
            Refusal::AllLevels.message(&caps),
            "该企业本年度各层级检查已达7次上限，不得再次抽取"
        );
        // Just under every cap is still allowed.
        assert_eq!(
            caps.check(Usage {
                unit: 2,
                department: 1,
                all_levels: 6
            }),
            Ok(())
        );
    }
}
