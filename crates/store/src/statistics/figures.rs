//! The figure groups: visits, participation answers, results, rectifications
//! and the item lists. Each is one aggregate statement over the scope's
//! tasks of the year, returning rows per (breakdown key, month).

use serde::Serialize;
use utoipa::ToSchema;

use super::{month_of_instant, Request, Tally};
use crate::db::{Db, Exec};
use crate::error::StoreResult;

/// The figures of a scope, a breakdown row or a month. Counts are exact;
/// rates are percentages rounded to 0.1 (`None` when nothing to divide by).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Figures {
    /// 检查次数 (入企次数): completed tasks, by visit day.
    pub visits: i64,
    /// 检查企业数: distinct enterprises visited.
    pub enterprises: i64,
    /// 户均检查次数: visits / enterprises.
    pub visits_per_enterprise: Option<f64>,
    /// Σ departments (and partners) in each visit's group.
    pub department_visits: i64,
    /// 每次检查参与部门数: department_visits / visits.
    pub departments_per_visit: Option<f64>,
    /// 联合检查次数: visits with two or more departments.
    pub joint_visits: i64,
    /// 未形成联合检查 (JOINT-5) and single-department visits.
    pub single_visits: i64,
    /// 联合检查率: joint_visits / visits, %.
    pub joint_percent: Option<f64>,
    /// 减少入企次数: Σ (group − 1), what the joining departments would have
    /// made going alone.
    pub visits_saved: i64,
    /// 减少比例: visits_saved / (visits + visits_saved), % (aim: 50).
    pub saved_percent: Option<f64>,
    /// Participation notices to other departments and partners (参与确认).
    pub notices: i64,
    pub joined: i64,
    pub declined: i64,
    /// Unanswered at the deadline (逾期未确认, counts as 不参与).
    pub lapsed: i64,
    /// Still open (deadline not reached).
    pub pending: i64,
    /// 按时确认率: (joined + declined) / (joined + declined + lapsed), %.
    pub answered_percent: Option<f64>,
    /// Original result submissions (each department's first).
    pub results: i64,
    pub results_on_time: i64,
    pub results_late: i64,
    /// 结果按时提交率, %.
    pub results_on_time_percent: Option<f64>,
    /// Rectifications, withdrawn ones left out.
    pub rectifications: i64,
    pub rectifications_closed: i64,
    /// 整改中 or 退回整改 past the deadline.
    pub rectifications_overdue: i64,
    /// 整改销号率: closed / rectifications, %.
    pub closure_percent: Option<f64>,
    /// Items of the departments' 行政检查事项清单 of the year (year figure).
    pub items_listed: i64,
    /// Of those, items ticked in at least one result of the year.
    pub items_used: i64,
    /// 事项使用率: items_used / items_listed, %.
    pub items_percent: Option<f64>,
}

/// `part / whole` as a percentage with one decimal.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 100.0 / whole as f64).round() / 100.0)
}

impl Figures {
    /// Adds the counts of `o` (the rates are made by [`Figures::finish`]).
    pub fn absorb(&mut self, o: &Figures) {
        self.visits += o.visits;
        self.enterprises += o.enterprises;
        self.department_visits += o.department_visits;
        self.joint_visits += o.joint_visits;
        self.notices += o.notices;
        self.joined += o.joined;
        self.declined += o.declined;
        self.lapsed += o.lapsed;
        self.pending += o.pending;
        self.results += o.results;
        self.results_on_time += o.results_on_time;
        self.results_late += o.results_late;
        self.rectifications += o.rectifications;
        self.rectifications_closed += o.rectifications_closed;
        self.rectifications_overdue += o.rectifications_overdue;
        self.items_listed += o.items_listed;
        self.items_used += o.items_used;
    }

    /// The rates from the counts.
    pub fn finish(&mut self) {
        self.visits_saved = self.department_visits - self.visits;
        self.single_visits = self.visits - self.joint_visits;
        self.visits_per_enterprise = ratio(self.visits, self.enterprises);
        self.departments_per_visit = ratio(self.department_visits, self.visits);
        self.joint_percent = percent(self.joint_visits, self.visits);
        self.saved_percent = percent(self.visits_saved, self.department_visits);
        self.answered_percent = percent(
            self.joined + self.declined,
            self.joined + self.declined + self.lapsed,
        );
        self.results_on_time_percent = percent(self.results_on_time, self.results);
        self.closure_percent = percent(self.rectifications_closed, self.rectifications);
        self.items_percent = percent(self.items_used, self.items_listed);
    }
}

/// Visits: counts per key and per month, with distinct enterprises per key
/// (in the month asked), per month and in total — not additive, so kept per
/// node ([`super::facts`], `statistics_node_counts`): a unit alone is
/// broken down by its departments and totalled by the unit's own node; a
/// roll-up by the unit's own node and the subtree of each unit directly
/// under it, totalled by the subtree of the unit. A few dozen rows.
pub(super) async fn visits(mut db: &Db, req: &Request, tally: &mut Tally) -> StoreResult<()> {
    let s = &req.scope;
    // The scope's total and months: this node.
    let whole = if s.rollup { "subtree" } else { "unit" };
    let mut groups: Vec<i64> = s.group_of.values().copied().collect();
    groups.sort();
    groups.dedup();
    groups.retain(|g| *g != s.unit_id);
    let ids: Vec<String> = groups.iter().map(i64::to_string).collect();
    let keys = if s.rollup {
        // The unit's own visits (本级) and each group's subtree.
        format!(
            "(kind = 'unit' AND unit_id = $2) OR (kind = 'subtree' AND unit_id IN ({}))",
            if ids.is_empty() {
                "NULL".to_string()
            } else {
                ids.join(",")
            }
        )
    } else {
        "kind = 'department' AND unit_id = $2".to_string()
    };
    let sql = format!(
        "SELECT kind, unit_id, department_id, month, n, group_sum, joint, enterprises
           FROM statistics_node_counts
          WHERE year = $1 AND fact = 'visit'
            AND (({keys}) OR (kind = '{whole}' AND unit_id = $2))"
    );
    let wanted = req.month.unwrap_or(0);
    for r in db
        .fetch_all(&sql, crate::args![req.year, s.unit_id])
        .await?
    {
        let kind: String = r.get("kind")?;
        let unit: i64 = r.get("unit_id")?;
        let month: i64 = r.get("month")?;
        let [n, group_sum, joint, enterprises]: [i64; 4] = [
            r.get("n")?,
            r.get("group_sum")?,
            r.get("joint")?,
            r.get("enterprises")?,
        ];
        let set = |f: &mut super::Figures| {
            f.visits += n;
            f.enterprises += enterprises;
            f.department_visits += group_sum;
            f.joint_visits += joint;
        };
        if kind == whole && unit == s.unit_id {
            if month > 0 {
                set(tally.by_month.entry(month).or_default());
            }
            if month == wanted {
                set(&mut tally.total);
            }
            // A roll-up's unit alone is a key too (its `unit` row), never
            // its subtree; a unit alone's total is not a department.
            continue;
        }
        if month != wanted {
            continue;
        }
        let key = if s.rollup {
            unit
        } else {
            r.get("department_id")?
        };
        set(tally.by_key.entry(key).or_default());
    }
    Ok(())
}

/// Participation answers of the departments and partners notified about
/// the scope's tasks (by the month of the notice), and each department's
/// original result submissions (by the month of the visit day): sums of the
/// tallies ([`super::facts`]), plus the notices still unanswered at their
/// deadline — lapsed by now, which only a read can tell.
pub(super) async fn answers_and_results(
    mut db: &Db,
    req: &Request,
    tally: &mut Tally,
) -> StoreResult<()> {
    let s = &req.scope;
    let key = s.key("c.unit_id", "c.department_id");
    let sql = format!(
        "SELECT {key} AS k, c.month AS m,
                CAST(SUM(c.notices) AS BIGINT) AS notices, CAST(SUM(c.joined) AS BIGINT) AS joined,
                CAST(SUM(c.declined) AS BIGINT) AS declined, CAST(SUM(c.lapsed) AS BIGINT) AS lapsed,
                CAST(SUM(c.results) AS BIGINT) AS results,
                CAST(SUM(c.results_late) AS BIGINT) AS late
           FROM statistics_tallies c
          WHERE c.year = $1 AND {units}
          GROUP BY {key}, c.month",
        units = s.units_in("c.unit_id"),
    );
    for r in db.fetch_all(&sql, crate::args![req.year]).await? {
        let (k, m): (i64, i64) = (r.get("k")?, r.get("m")?);
        let [notices, joined, declined, lapsed, results, late]: [i64; 6] = [
            r.get("notices")?,
            r.get("joined")?,
            r.get("declined")?,
            r.get("lapsed")?,
            r.get("results")?,
            r.get("late")?,
        ];
        tally.add(k, m, req.month, |f| {
            f.notices += notices;
            f.joined += joined;
            f.declined += declined;
            f.lapsed += lapsed;
            f.pending += notices - joined - declined - lapsed;
            f.results += results;
            f.results_late += late;
            f.results_on_time += results - late;
        });
    }
    // Unanswered and past the deadline: lapsed now, pending in the tallies.
    let month = month_of_instant(db.backend(), "p.notified_at");
    let key = s.key("t.unit_id", "p.department_id");
    // From the unanswered notices past their deadline (a partial index, few
    // rows) to their tasks. SQLite, left to choose, walked a province's
    // 100,000 tasks of the year probing each one's notices (265 ms), or for
    // a unit grouped by department, the 100,000 unanswered initiator rows of
    // the department index (180 ms): CROSS JOIN fixes its order and INDEXED
    // BY the index. PostgreSQL plans it as a join.
    let hint = match db.backend() {
        crate::db::Backend::Sqlite => "INDEXED BY task_participants_due",
        crate::db::Backend::Postgres => "",
    };
    let sql = format!(
        "SELECT {key} AS k, {month} AS m, COUNT(*) AS n
           FROM task_participants p {hint} CROSS JOIN tasks t
          WHERE t.id = p.task_id
            AND p.decision IS NULL AND p.decide_by <= $2 AND p.kind <> 'initiator'
            AND {units} AND t.year = $1
          GROUP BY {key}, {month}",
        units = s.units_in("t.unit_id"),
    );
    for r in db.fetch_all(&sql, crate::args![req.year, req.now]).await? {
        let (k, m): (i64, i64) = (r.get("k")?, r.get::<Option<i64>>("m")?.unwrap_or(0));
        let n: i64 = r.get("n")?;
        tally.add(k, m, req.month, |f| {
            f.lapsed += n;
            f.pending -= n;
        });
    }
    Ok(())
}

/// Rectifications raised from the scope's tasks (withdrawn ones left out),
/// by the month of the visit whose result found the problem: counted over
/// their kept rows ([`super::facts`]), overdue as of today.
pub(super) async fn rectifications(
    mut db: &Db,
    req: &Request,
    tally: &mut Tally,
) -> StoreResult<()> {
    let s = &req.scope;
    let key = s.key("c.unit_id", "c.department_id");
    let sql = format!(
        "SELECT {key} AS k, c.month AS m, COUNT(*) AS n,
                CAST(SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END) AS BIGINT) AS closed,
                CAST(SUM(CASE WHEN c.status IN ('issued', 'returned') AND c.deadline < $2
                              THEN 1 ELSE 0 END) AS BIGINT) AS overdue
           FROM statistics_rectifications c
          WHERE c.year = $1 AND {units}
          GROUP BY {key}, c.month",
        units = s.units_in("c.unit_id"),
    );
    for r in db
        .fetch_all(&sql, crate::args![req.year, req.today])
        .await?
    {
        let (k, m): (i64, i64) = (r.get("k")?, r.get("m")?);
        let n: i64 = r.get("n")?;
        let closed: i64 = r.get("closed")?;
        let overdue: i64 = r.get("overdue")?;
        tally.add(k, m, req.month, |f| {
            f.rectifications += n;
            f.rectifications_closed += closed;
            f.rectifications_overdue += overdue;
        });
    }
    Ok(())
}

/// Share of each department's item list of the year ticked in its results
/// of the year (a year figure: the month does not apply).
pub(super) async fn items(mut db: &Db, req: &Request, tally: &mut Tally) -> StoreResult<()> {
    let s = &req.scope;
    let key = s.key("d.unit_id", "i.department_id");
    let sql = format!(
        "SELECT {key} AS k, COUNT(*) AS listed,
                CAST(SUM(CASE WHEN EXISTS (
                       SELECT 1 FROM result_items ri
                         JOIN task_results r ON r.id = ri.result_id
                        WHERE ri.item_id = i.id AND r.department_id = i.department_id)
                     THEN 1 ELSE 0 END) AS BIGINT) AS used
           FROM plan_items i JOIN departments d ON d.id = i.department_id
          WHERE {units} AND i.year = $1 AND i.removed_at IS NULL
          GROUP BY {key}",
        units = s.units_in("d.unit_id"),
    );
    for r in db.fetch_all(&sql, crate::args![req.year]).await? {
        let k: i64 = r.get("k")?;
        let listed: i64 = r.get("listed")?;
        let used: i64 = r.get::<Option<i64>>("used")?.unwrap_or(0);
        for f in [tally.by_key.entry(k).or_default(), &mut tally.total] {
            f.items_listed += listed;
            f.items_used += used;
        }
    }
    Ok(())
}
