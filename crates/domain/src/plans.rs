//! Supervision item lists and annual inspection plans (DOC-1): each
//! department's public 行政检查事项清单 and its 行政检查计划 (the 抽查计划
//! table) per year, revised at the start of each year.
//!
//! Pure rules: the fields of a list row and of a plan row, the ratio text
//! (抽查比例 such as `5%` or `不低于5%`), the year range, who edits and who
//! reads, and the 实施时间 text carried over by 复制上一年度.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, DomainResult};
use crate::org::{Principal, Role};

/// Years a list or plan may be kept for.
pub const YEAR_MIN: i64 = 2000;
pub const YEAR_MAX: i64 = 2100;

/// Longest texts accepted, in characters.
pub const CODE_MAX: usize = 32;
pub const NAME_MAX: usize = 200;
pub const TEXT_MAX: usize = 2000;
pub const SHORT_MAX: usize = 100;
/// Largest 抽取对象数量 of one plan row.
pub const COUNT_MAX: i64 = 100_000;

/// A year of a list or plan: 2000–2100.
pub fn check_year(year: i64) -> DomainResult<i64> {
    if (YEAR_MIN..=YEAR_MAX).contains(&year) {
        Ok(year)
    } else {
        Err(DomainError::field(
            "year",
            "invalid_year",
            format!("年度应在{YEAR_MIN}年至{YEAR_MAX}年之间"),
        ))
    }
}

/// A year typed as text (forms, query strings).
pub fn parse_year(text: &str) -> DomainResult<i64> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DomainError::required("year", "年度"));
    }
    let digits = t.strip_suffix('年').unwrap_or(t);
    digits
        .parse::<i64>()
        .map_err(|_| DomainError::field("year", "invalid_year", "年度应为四位数字，如2025"))
        .and_then(check_year)
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn required(
    v: &Option<String>,
    field: &'static str,
    label: &str,
    max: usize,
) -> DomainResult<String> {
    let s = trimmed(v).ok_or_else(|| DomainError::required(field, label))?;
    if s.chars().count() > max {
        return Err(DomainError::field(
            field,
            "too_long",
            format!("{label}不能超过{max}个字"),
        ));
    }
    Ok(s)
}

fn position(v: Option<i64>) -> DomainResult<Option<i64>> {
    match v {
        Some(p) if !(1..=100_000).contains(&p) => Err(DomainError::field(
            "position",
            "invalid",
            "序号应为1至100000之间的整数",
        )),
        other => Ok(other),
    }
}

/// A row of the 行政检查事项清单 as typed (form or API body); everything is
/// optional so that a missing field becomes a Chinese message.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PlanItemInput)] // a schema name of its own (a result has an `ItemInput`)
pub struct ItemInput {
    /// 编码: unique within the department's list of the year, e.g. `air-01-01`.
    pub code: Option<String>,
    /// 检查事项, e.g. 排污许可执行情况.
    pub name: Option<String>,
    /// 检查内容.
    pub content: Option<String>,
    /// 检查对象.
    pub objects: Option<String>,
    /// 检查依据: the legal basis, e.g. 《中华人民共和国大气污染防治法》第二十九条.
    pub basis: Option<String>,
    /// 序号 in the list; by default after the last row.
    pub position: Option<i64>,
    /// 整改期限 (days) a problem with this item gets by default (RES-1);
    /// empty: 30 days.
    pub rectify_days: Option<i64>,
}

/// A list row after every rule has passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidItem {
    pub code: String,
    pub name: String,
    pub content: String,
    pub objects: String,
    pub basis: String,
    pub position: Option<i64>,
    pub rectify_days: Option<i64>,
}

impl ItemInput {
    /// The first error in the order of the form, beside its field.
    pub fn validate(&self) -> DomainResult<ValidItem> {
        let code = required(&self.code, "code", "编码", CODE_MAX)?;
        if code.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(DomainError::field("code", "invalid", "编码不能含有空格"));
        }
        Ok(ValidItem {
            code,
            name: required(&self.name, "name", "检查事项", NAME_MAX)?,
            content: required(&self.content, "content", "检查内容", TEXT_MAX)?,
            objects: required(&self.objects, "objects", "检查对象", TEXT_MAX)?,
            basis: required(&self.basis, "basis", "检查依据", TEXT_MAX)?,
            position: position(self.position)?,
            rectify_days: match self.rectify_days {
                None => None,
                Some(d) if (1..=crate::rectification::MAX_DAYS).contains(&d) => Some(d),
                Some(_) => {
                    return Err(DomainError::field(
                        "rectify_days",
                        "invalid",
                        format!("整改期限应为1至{}天", crate::rectification::MAX_DAYS),
                    ))
                }
            },
        })
    }
}

/// A row of the 抽查计划 as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanRowInput {
    /// 抽查事项: an item of the same department's list of the same year.
    pub item_id: Option<i64>,
    /// 检查内容.
    pub content: Option<String>,
    /// 检查对象.
    pub objects: Option<String>,
    /// 抽查比例: a percentage, e.g. `5%`, `不低于5%`, `5%—10%`.
    pub ratio: Option<String>,
    /// 抽查频次, e.g. 每年1次.
    pub frequency: Option<String>,
    /// 抽取对象数量: at least 1.
    pub count: Option<i64>,
    /// 实施时间, e.g. 2025年4月—11月.
    pub period: Option<String>,
    /// 序号 in the plan; by default after the last row.
    pub position: Option<i64>,
}

/// A plan row after every rule has passed (the item still to be checked
/// against the department and year by storage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidPlanRow {
    pub item_id: i64,
    pub content: String,
    pub objects: String,
    pub ratio: String,
    pub frequency: String,
    pub count: i64,
    pub period: String,
    pub position: Option<i64>,
}

impl PlanRowInput {
    pub fn validate(&self) -> DomainResult<ValidPlanRow> {
        let item_id = self
            .item_id
            .filter(|id| *id > 0)
            .ok_or_else(|| DomainError::field("item_id", "required", "请选择抽查事项"))?;
        let content = required(&self.content, "content", "检查内容", TEXT_MAX)?;
        let objects = required(&self.objects, "objects", "检查对象", TEXT_MAX)?;
        let ratio = check_ratio(self.ratio.as_deref())?;
        let frequency = required(&self.frequency, "frequency", "抽查频次", SHORT_MAX)?;
        let count = check_count(self.count)?;
        let period = required(&self.period, "period", "实施时间", SHORT_MAX)?;
        Ok(ValidPlanRow {
            item_id,
            content,
            objects,
            ratio,
            frequency,
            count,
            period,
            position: position(self.position)?,
        })
    }
}

/// 抽取对象数量: a whole number from 1.
pub fn check_count(count: Option<i64>) -> DomainResult<i64> {
    match count {
        None => Err(DomainError::required("count", "抽取对象数量")),
        Some(n) if n < 1 => Err(DomainError::field(
            "count",
            "invalid_count",
            "抽取对象数量应为大于0的整数",
        )),
        Some(n) if n > COUNT_MAX => Err(DomainError::field(
            "count",
            "invalid_count",
            format!("抽取对象数量不能超过{COUNT_MAX}"),
        )),
        Some(n) => Ok(n),
    }
}

/// 抽取对象数量 typed in a form: digits only.
pub fn parse_count(text: &str) -> DomainResult<i64> {
    let t = text.trim();
    if t.is_empty() {
        return check_count(None);
    }
    match t.parse::<i64>() {
        Ok(n) => check_count(Some(n)),
        Err(_) => Err(DomainError::field(
            "count",
            "invalid_count",
            "抽取对象数量应为大于0的整数",
        )),
    }
}

/// Words that may stand before a percentage: 不低于5%, 不少于5%, ≥5%, 约5% …
const QUALIFIERS: &[&str] = &[
    "不低于",
    "不少于",
    "不超过",
    "不高于",
    "不多于",
    "至少",
    "最多",
    "最低",
    "原则上",
    "约",
    "≥",
    "≤",
    ">=",
    "<=",
    ">",
    "<",
];

/// Characters joining the two ends of a range: 5%—10%, 5%-10%, 5%~10%, 5%至10%.
const RANGE_JOINS: &[&str] = &["——", "—", "－", "-", "～", "~", "至", "到"];

/// Full-width digits, point and percent sign as their ASCII forms.
fn ascii_forms(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '％' => '%',
            '＞' => '>',
            '＜' => '<',
            '＝' => '=',
            other => other,
        })
        .collect()
}

/// A number then `%`, at the start of `s`: the value and the rest.
fn percent(s: &str) -> Option<(f64, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let number = &s[..end];
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let rest = s[end..].trim_start().strip_prefix('%')?;
    (value > 0.0 && value <= 100.0).then_some((value, rest))
}

/// 抽查比例: a percentage-like text — an optional qualifier (不低于, 不少于,
/// ≥ …), a number above 0 and at most 100 followed by `%`, optionally a range
/// to a second, not smaller, percentage. Returned trimmed, with full-width
/// digits and `％` written in ASCII.
pub fn check_ratio(ratio: Option<&str>) -> DomainResult<String> {
    let text = ratio.map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Err(DomainError::required("ratio", "抽查比例"));
    }
    let normal = ascii_forms(text);
    let bad = || {
        DomainError::field(
            "ratio",
            "invalid_ratio",
            "抽查比例应为百分比，如“5%”“不低于5%”或“5%—10%”，数值大于0且不超过100",
        )
    };
    if normal.chars().count() > 30 {
        return Err(bad());
    }
    let mut rest = normal.as_str();
    if let Some(q) = QUALIFIERS.iter().find(|q| rest.starts_with(**q)) {
        rest = rest[q.len()..].trim_start();
    }
    let (low, after) = percent(rest).ok_or_else(bad)?;
    let after = after.trim();
    if after.is_empty() {
        return Ok(normal);
    }
    let join = RANGE_JOINS
        .iter()
        .find(|j| after.starts_with(**j))
        .ok_or_else(bad)?;
    let (high, tail) = percent(after[join.len()..].trim_start()).ok_or_else(bad)?;
    if !tail.trim().is_empty() || high < low {
        return Err(bad());
    }
    Ok(normal)
}

/// 实施时间 carried from one year's plan to the next by 复制上一年度: every
/// four-digit year written before 年 moves by the same number of years, so
/// `2025年4月—11月` becomes `2026年4月—11月`; other text stays as it was.
pub fn shift_period(period: &str, from_year: i64, to_year: i64) -> String {
    let delta = to_year - from_year;
    let chars: Vec<char> = period.chars().collect();
    let mut out = String::with_capacity(period.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 0 {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let digits: String = chars[i..i + run].iter().collect();
        match (run, chars.get(i + run)) {
            (4, Some('年')) => {
                let year: i64 = digits.parse().unwrap_or(0);
                out.push_str(&(year + delta).to_string());
            }
            _ => out.push_str(&digits),
        }
        i += run;
    }
    out
}

/// The department's secretary account, its administrator or its 承办机构负责人
/// edit its list and plan; the system administrator edits every department's.
pub fn may_edit(p: &Principal, department_id: i64) -> bool {
    p.has(Role::SystemAdmin)
        || (p.department_id == Some(department_id)
            && (p.has(Role::Secretary)
                || p.has(Role::DepartmentAdmin)
                || p.has(Role::DepartmentHead)))
}

pub fn ensure_edit(p: &Principal, department_id: i64) -> DomainResult<()> {
    if may_edit(p, department_id) {
        Ok(())
    } else if p.department_id == Some(department_id) {
        Err(DomainError::forbidden(
            "只有本处室的文秘账号、管理员或承办机构负责人可以修改事项清单和检查计划",
        ))
    } else {
        Err(DomainError::forbidden("只能修改本处室的事项清单和检查计划"))
    }
}

/// Everyone logged in within the department's unit reads its list and plan
/// (the public reads them on the public page); the system administrator too.
pub fn may_read(p: &Principal, unit_id: i64) -> bool {
    p.has(Role::SystemAdmin) || p.unit_id == Some(unit_id)
}

pub fn ensure_read(p: &Principal, unit_id: i64) -> DomainResult<()> {
    if may_read(p, unit_id) {
        Ok(())
    } else {
        Err(DomainError::forbidden("只能查看本单位的事项清单和检查计划"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> ItemInput {
        ItemInput {
            code: Some(" air-01-01 ".into()),
            name: Some("排污许可执行情况".into()),
            content: Some("持证排污、按证排污情况".into()),
            objects: Some("排污许可重点管理单位".into()),
            basis: Some("《中华人民共和国大气污染防治法》第十九条".into()),
            position: None,
            rectify_days: None,
        }
    }

    #[test]
    fn an_items_default_rectification_deadline_is_a_day_count_up_to_a_year() {
        let mut i = item();
        i.rectify_days = Some(15);
        assert_eq!(i.validate().unwrap().rectify_days, Some(15));
        for bad in [0, -3, 367] {
            i.rectify_days = Some(bad);
            let e = i.validate().unwrap_err();
            assert_eq!(
                (e.field, e.code),
                (Some("rectify_days"), "invalid"),
                "{bad}"
            );
        }
    }

    fn row() -> PlanRowInput {
        PlanRowInput {
            item_id: Some(7),
            content: Some("持证排污情况".into()),
            objects: Some("重点排污单位".into()),
            ratio: Some("不低于5%".into()),
            frequency: Some("每年1次".into()),
            count: Some(8),
            period: Some("2025年4月—11月".into()),
            position: Some(2),
        }
    }

    #[test]
    fn a_complete_item_is_trimmed() {
        let v = item().validate().unwrap();
        assert_eq!(v.code, "air-01-01");
        assert_eq!(v.position, None);
    }

    #[test]
    fn each_missing_item_field_is_named() {
        type Clear = fn(&mut ItemInput);
        let cases: [(&str, Clear); 5] = [
            ("code", |i| i.code = None),
            ("name", |i| i.name = Some("  ".into())),
            ("content", |i| i.content = None),
            ("objects", |i| i.objects = None),
            ("basis", |i| i.basis = Some(String::new())),
        ];
        for (field, clear) in cases {
            let mut i = item();
            clear(&mut i);
            let e = i.validate().unwrap_err();
            assert_eq!((e.field, e.code), (Some(field), "required"), "{field}");
            assert!(e.message.starts_with("请填写"), "{}", e.message);
        }
    }

    #[test]
    fn codes_have_no_spaces_and_a_length() {
        let mut i = item();
        i.code = Some("air 01".into());
        assert_eq!(i.validate().unwrap_err().field, Some("code"));
        i.code = Some("x".repeat(CODE_MAX + 1));
        assert_eq!(i.validate().unwrap_err().code, "too_long");
        i.code = Some("冀环检-001".into());
        assert!(i.validate().is_ok());
    }

    #[test]
    fn a_complete_plan_row_passes() {
        let v = row().validate().unwrap();
        assert_eq!((v.item_id, v.count, v.ratio.as_str()), (7, 8, "不低于5%"));
    }

    #[test]
    fn plan_row_fields_are_checked_in_form_order() {
        let mut r = row();
        r.item_id = None;
        assert_eq!(r.validate().unwrap_err().field, Some("item_id"));
        let mut r = row();
        r.ratio = Some("五个".into());
        assert_eq!(r.validate().unwrap_err().field, Some("ratio"));
        let mut r = row();
        r.frequency = None;
        assert_eq!(r.validate().unwrap_err().field, Some("frequency"));
        let mut r = row();
        r.period = Some(" ".into());
        assert_eq!(r.validate().unwrap_err().field, Some("period"));
        let mut r = row();
        r.position = Some(0);
        assert_eq!(r.validate().unwrap_err().field, Some("position"));
    }

    #[test]
    fn counts_start_at_one() {
        for bad in [Some(0), Some(-3), None, Some(COUNT_MAX + 1)] {
            let e = check_count(bad).unwrap_err();
            assert_eq!(e.field, Some("count"), "{bad:?}");
        }
        assert_eq!(check_count(Some(1)), Ok(1));
        assert_eq!(parse_count(" 12 "), Ok(12));
        assert_eq!(parse_count("3.5").unwrap_err().field, Some("count"));
        assert_eq!(parse_count("").unwrap_err().code, "required");
    }

    #[test]
    fn percentage_like_ratios_pass() {
        for ok in [
            "5%",
            "不低于5%",
            "不少于 5 %",
            "0.5%",
            "100%",
            "≥3%",
            ">=3%",
            "5%—10%",
            "5%-10%",
            "5%至10%",
            "约10%",
        ] {
            assert!(check_ratio(Some(ok)).is_ok(), "{ok}");
        }
        assert_eq!(check_ratio(Some(" ５％ ")).unwrap(), "5%");
        assert_eq!(check_ratio(Some("不低于５％")).unwrap(), "不低于5%");
    }

    #[test]
    fn other_ratios_are_refused() {
        for bad in [
            "5",
            "五",
            "百分之五",
            "0%",
            "101%",
            "5%%",
            "%5",
            "abc%",
            "5.%",
            ".5%",
            "10%—5%",
            "5%—",
            "5%左右多",
            "不低于",
            "1/20",
        ] {
            let e = check_ratio(Some(bad)).unwrap_err();
            assert_eq!((e.field, e.code), (Some("ratio"), "invalid_ratio"), "{bad}");
        }
        assert_eq!(check_ratio(None).unwrap_err().code, "required");
        assert_eq!(check_ratio(Some("  ")).unwrap_err().code, "required");
    }

    #[test]
    fn years_are_bounded() {
        assert!(check_year(2000).is_ok());
        assert!(check_year(2100).is_ok());
        for bad in [1999, 2101, 0, -2025] {
            assert_eq!(check_year(bad).unwrap_err().field, Some("year"));
        }
        assert_eq!(parse_year("2025年"), Ok(2025));
        assert_eq!(parse_year("二〇二五").unwrap_err().field, Some("year"));
        assert_eq!(parse_year("").unwrap_err().code, "required");
    }

    #[test]
    fn periods_move_to_the_new_year() {
        assert_eq!(shift_period("2025年4月—11月", 2025, 2026), "2026年4月—11月");
        assert_eq!(
            shift_period("2024年12月至2025年3月", 2025, 2026),
            "2025年12月至2026年3月"
        );
        assert_eq!(shift_period("全年", 2025, 2026), "全年");
        assert_eq!(
            shift_period("每年4月至11月，20250年", 2025, 2026),
            "每年4月至11月，20250年"
        );
    }

    fn p(dept: Option<i64>, unit: Option<i64>, roles: &[Role]) -> Principal {
        Principal {
            account_id: 1,
            login: "x".into(),
            display_name: "x".into(),
            person_id: None,
            unit_id: unit,
            department_id: dept,
            unit_name: None,
            unit_level: None,
            unit_region_code: None,
            unit_sector: None,
            department_name: None,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn editors_are_the_departments_secretary_admin_and_head() {
        for r in [Role::Secretary, Role::DepartmentAdmin, Role::DepartmentHead] {
            assert!(may_edit(&p(Some(3), Some(1), &[r]), 3), "{r:?}");
            assert!(!may_edit(&p(Some(3), Some(1), &[r]), 4), "{r:?}");
        }
        assert!(!may_edit(&p(Some(3), Some(1), &[Role::Inspector]), 3));
        assert!(!may_edit(&p(Some(3), Some(1), &[Role::UnitHead]), 3));
        assert!(may_edit(&p(None, None, &[Role::SystemAdmin]), 3));
        let e = ensure_edit(&p(Some(3), Some(1), &[Role::Inspector]), 3).unwrap_err();
        assert_eq!(e.code, "forbidden");
        assert!(e.message.contains("文秘账号"));
        let e = ensure_edit(&p(Some(4), Some(1), &[Role::Secretary]), 3).unwrap_err();
        assert!(e.message.contains("本处室"));
    }

    #[test]
    fn readers_are_the_unit() {
        assert!(may_read(&p(Some(3), Some(1), &[Role::Inspector]), 1));
        assert!(!may_read(&p(Some(3), Some(1), &[Role::Secretary]), 2));
        assert!(may_read(&p(None, None, &[Role::SystemAdmin]), 2));
        assert_eq!(
            ensure_read(&p(None, Some(2), &[]), 1).unwrap_err().code,
            "forbidden"
        );
    }
}
