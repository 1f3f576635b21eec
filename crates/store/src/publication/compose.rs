//! What a task's public record says, read from the live tables. Called when
//! a task is published and again whenever something it says may have
//! changed; the result is compared with the current version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::draw::caps::TaskSource;
use yici_domain::publication::{mask_numbers, outcome_of, Outcome, RectificationProgress};
use yici_domain::rectification::Status;
use yici_domain::registry::enterprise::EnterpriseStatus;

use crate::db::{Exec, Row, Sql};
use crate::error::StoreResult;
use crate::field::results::{self, IN_FORCE};
use crate::org::parse_code;

/// What the public learns of one completed inspection. Nothing here names a
/// person or carries a telephone number (RES-2).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Content {
    pub year: i64,
    /// The unit that ran the inspection (行政执法主体).
    pub unit_id: i64,
    pub unit_name: String,
    /// The enterprise's county (GB/T 2260).
    pub county_code: String,
    pub county_name: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// 统一社会信用代码.
    pub uscc: String,
    /// The departments whose results are in force, in order of submission.
    pub department_ids: Vec<i64>,
    /// Their names, `、`-joined; another unit's department carries its unit.
    pub departments: String,
    /// The items checked, `；`-joined.
    pub items: String,
    /// The visit day.
    pub inspected_on: NaiveDate,
    /// 检查类型.
    pub source: TaskSource,
    /// 检查结果, as 结果告知 words it: 通过行政检查 / 未通过行政检查 / 其他.
    pub outcome: Outcome,
    pub problem_count: i64,
    /// Each problem as `item：description`, `；`-joined, numbers masked.
    pub problems: String,
    /// 整改情况.
    pub rectification: RectificationProgress,
    /// The draw that selected the enterprise (its public record), if random.
    pub draw_id: Option<i64>,
}

/// The content of task `task_id` as of `today` (which decides 逾期).
pub(crate) async fn compose(
    e: &mut impl Exec,
    task_id: i64,
    today: NaiveDate,
) -> StoreResult<Content> {
    let t = e
        .fetch_one(
            "SELECT t.year, t.unit_id, u.name AS unit_name, t.enterprise_id, t.source, t.draw_id,
                    t.inspected_on, t.checked_in_at, t.completed_at,
                    e.name AS enterprise_name, e.uscc, e.region_code, e.county_name,
                    e.status AS enterprise_status
               FROM tasks t
               JOIN units u ON u.id = t.unit_id
               JOIN enterprises e ON e.id = t.enterprise_id
              WHERE t.id = $1",
            crate::args![task_id],
        )
        .await?;
    let unit_id: i64 = t.get("unit_id")?;
    let ids: Vec<i64> = e
        .fetch_all(
            &format!(
                "SELECT r.id FROM task_results r WHERE r.task_id = $1 AND {IN_FORCE} ORDER BY r.id"
            ),
            crate::args![task_id],
        )
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<StoreResult<_>>()?;
    let in_force = results::by_ids(e, &ids).await?;
    let department_ids: Vec<i64> = in_force.iter().map(|r| r.department_id).collect();
    let departments = department_labels(e, unit_id, &department_ids).await?;

    let mut items: Vec<String> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for result in &in_force {
        for item in &result.items {
            let label = item.label();
            if item.has_problem {
                let what = item.problem_description.as_deref().unwrap_or("");
                problems.push(mask_numbers(&format!("{label}：{what}")));
            }
            if !items.contains(&label) {
                items.push(label);
            }
        }
    }
    let rectifications = e
        .fetch_all(
            "SELECT status, deadline FROM rectifications WHERE task_id = $1",
            crate::args![task_id],
        )
        .await?
        .iter()
        .map(|r| -> StoreResult<(Status, NaiveDate)> {
            Ok((
                parse_code(&r.get::<String>("status")?, Status::parse)?,
                r.get("deadline")?,
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let operating = parse_code(
        &t.get::<String>("enterprise_status")?,
        EnterpriseStatus::parse,
    )? == EnterpriseStatus::Normal;
    let visit_day = in_force.iter().map(|r| r.due_on).min();
    Ok(Content {
        year: t.get("year")?,
        unit_id,
        unit_name: t.get("unit_name")?,
        county_code: t.get("region_code")?,
        county_name: t.get::<Option<String>>("county_name")?.unwrap_or_default(),
        enterprise_id: t.get("enterprise_id")?,
        enterprise_name: t.get("enterprise_name")?,
        uscc: t.get("uscc")?,
        department_ids,
        departments: departments.join("、"),
        items: mask_numbers(&items.join("；")),
        inspected_on: inspected_on(&t, visit_day)?,
        source: parse_code(&t.get::<String>("source")?, TaskSource::parse)?,
        outcome: outcome_of(problems.len(), operating),
        problem_count: problems.len() as i64,
        problems: problems.join("；"),
        rectification: RectificationProgress::of(&rectifications, today),
        draw_id: t.get("draw_id")?,
    })
}

/// The day of the visit: recorded on the task (补录), else the visit day the
/// results were due on, else the day the task completed.
fn inspected_on(t: &Row, visit_day: Option<NaiveDate>) -> StoreResult<NaiveDate> {
    if let Some(d) = t.get::<Option<NaiveDate>>("inspected_on")? {
        return Ok(d);
    }
    if let Some(d) = visit_day {
        return Ok(d);
    }
    let at = t
        .get::<Option<DateTime<Utc>>>("checked_in_at")?
        .or(t.get::<Option<DateTime<Utc>>>("completed_at")?)
        .ok_or_else(|| crate::error::StoreError::internal("published task without a date"))?;
    Ok(yici_domain::time::business_date(at))
}

/// Department names in the order given; a partner of another unit (市场监管,
/// another ecology unit) is named with its unit.
async fn department_labels(
    e: &mut impl Exec,
    unit_id: i64,
    ids: &[i64],
) -> StoreResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, args) = Sql::new(
        "SELECT d.id, d.name, d.unit_id, u.name AS unit_name
           FROM departments d JOIN units u ON u.id = d.unit_id WHERE d.id IN ",
    )
    .push_in(ids.iter().copied())
    .build();
    let rows = e.fetch_all(&sql, args).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(r) = rows.iter().find(|r| r.get::<i64>("id").ok() == Some(*id)) else {
            continue;
        };
        let name: String = r.get("name")?;
        let label = if r.get::<i64>("unit_id")? == unit_id {
            name
        } else {
            format!("{}{}", r.get::<String>("unit_name")?, name)
        };
        if !out.contains(&label) {
            out.push(label);
        }
    }
    Ok(out)
}
