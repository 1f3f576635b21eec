//! The tasks behind a figure (穿透查询): the same conditions as the figure's
//! statement, listing tasks instead of counting them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{month_of_date, month_of_instant, Request};
use crate::db::{Db, Exec};
use crate::error::StoreResult;

/// At most this many tasks are listed.
pub const DRILL_MAX: i64 = 1000;

/// A figure that has tasks behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Visits (completed tasks).
    Visits,
    /// Visits with two or more departments.
    Joint,
    /// Visits of one department (未形成联合检查 among them).
    Single,
    /// Tasks with a participation notice unanswered at its deadline.
    Lapsed,
    /// Tasks with a result submitted late.
    Late,
    /// Tasks with a rectification not yet closed (withdrawn left out).
    Unclosed,
    /// Tasks with an overdue rectification.
    Overdue,
}

impl Figure {
    pub fn label(self) -> &'static str {
        match self {
            Figure::Visits => "检查次数",
            Figure::Joint => "联合检查",
            Figure::Single => "单部门检查（含未形成联合检查）",
            Figure::Lapsed => "逾期未确认参与",
            Figure::Late => "结果逾期提交",
            Figure::Unclosed => "整改未销号",
            Figure::Overdue => "整改逾期",
        }
    }
}

/// A task behind a figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrillRow {
    pub task_id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub unit_name: String,
    /// The initiating department.
    pub department_name: String,
    pub status: String,
    /// Visit day (completed tasks).
    pub visit_day: Option<NaiveDate>,
    /// Departments in the group (initiator and those who joined).
    pub group_size: i64,
}

/// The tasks behind `figure`, within a breakdown `group` (a department, or
/// a roll-up group) and the request's month, in id order.
pub async fn drill(
    mut db: &Db,
    req: &Request,
    figure: Figure,
    group: Option<i64>,
) -> StoreResult<Vec<DrillRow>> {
    let s = &req.scope;
    let backend = db.backend();
    let day = "(SELECT MIN(r0.due_on) FROM task_results r0
                 WHERE r0.task_id = t.id AND r0.department_id = t.department_id
                   AND r0.corrects_id IS NULL)";
    let group_size = "(SELECT COUNT(*) FROM task_participants p
      WHERE p.task_id = t.id AND (p.kind = 'initiator' OR p.decision = 'join'))";
    let month_cond = |m: String| {
        req.month
            .map(|w| format!(" AND {m} = {w}"))
            .unwrap_or_default()
    };
    let group_cond = |key: String| {
        group
            .map(|g| format!(" AND {key} = {g}"))
            .unwrap_or_default()
    };
    let visit = |extra: &str| {
        format!(
            "t.status = 'completed' AND EXISTS (SELECT 1 FROM task_results r
               WHERE r.task_id = t.id AND r.department_id = t.department_id
                 AND r.corrects_id IS NULL{m}){g}{extra}",
            m = month_cond(month_of_date(backend, "r.due_on")),
            g = group_cond(s.key("t.unit_id", "t.department_id")),
        )
    };
    let cond = match figure {
        Figure::Visits => visit(""),
        Figure::Joint => visit(&format!(" AND {group_size} >= 2")),
        Figure::Single => visit(&format!(" AND {group_size} < 2")),
        Figure::Lapsed => format!(
            "EXISTS (SELECT 1 FROM task_participants p WHERE p.task_id = t.id
               AND p.kind <> 'initiator'
               AND (p.decision = 'lapsed' OR (p.decision IS NULL AND p.decide_by <= $2)){m}{g})",
            m = month_cond(month_of_instant(backend, "p.notified_at")),
            g = group_cond(s.key("t.unit_id", "p.department_id")),
        ),
        Figure::Late => format!(
            "EXISTS (SELECT 1 FROM task_results r WHERE r.task_id = t.id
               AND r.corrects_id IS NULL AND r.late{m}{g})",
            m = month_cond(month_of_date(backend, "r.due_on")),
            g = group_cond(s.key("t.unit_id", "r.department_id")),
        ),
        Figure::Unclosed | Figure::Overdue => format!(
            "EXISTS (SELECT 1 FROM rectifications c JOIN task_results r ON r.id = c.result_id
               WHERE c.task_id = t.id AND {status}{m}{g})",
            status = if figure == Figure::Overdue {
                "c.status IN ('issued', 'returned') AND c.deadline < $2"
            } else {
                "c.status NOT IN ('closed', 'withdrawn')"
            },
            m = month_cond(month_of_date(backend, "r.due_on")),
            g = group_cond(s.key("t.unit_id", "c.department_id")),
        ),
    };
    let sql = format!(
        "SELECT t.id, t.enterprise_id, e.name AS enterprise_name, u.short_name AS unit_name,
                d.name AS department_name, t.status, {day} AS visit_day, {group_size} AS group_size
           FROM tasks t
           JOIN enterprises e ON e.id = t.enterprise_id
           JOIN units u ON u.id = t.unit_id
           JOIN departments d ON d.id = t.department_id
          WHERE {units} AND t.year = $1 AND {cond}
          ORDER BY t.id LIMIT {DRILL_MAX}",
        units = s.units_in("t.unit_id"),
    );
    let args = match figure {
        Figure::Lapsed => crate::args![req.year, req.now],
        Figure::Overdue => crate::args![req.year, req.today],
        _ => crate::args![req.year],
    };
    db.fetch_all(&sql, args)
        .await?
        .iter()
        .map(|r| {
            Ok(DrillRow {
                task_id: r.get("id")?,
                enterprise_id: r.get("enterprise_id")?,
                enterprise_name: r.get("enterprise_name")?,
                unit_name: r.get("unit_name")?,
                department_name: r.get("department_name")?,
                status: r.get("status")?,
                visit_day: r.get("visit_day")?,
                group_size: r.get("group_size")?,
            })
        })
        .collect()
}
