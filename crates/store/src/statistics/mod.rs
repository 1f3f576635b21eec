//! 统计分析 (STAT-1): the plan's goals measured per unit — or rolled up over
//! the units under a city or province — per year and month.
//!
//! The counts come from facts kept per task ([`facts`], migrations 0030 and
//! 0035): the tasks' shares of the participation and result counts summed
//! per unit, department, year and month; the visits and the enterprises
//! visited per node (a department, a unit alone, a unit's subtree) and
//! month; the capped tasks per enterprise and department, unit or all
//! levels; a narrow row per rectification — folded from the base tables by
//! a drain that runs before each read and in a job. Answers past their
//! deadline (only a read knows the hour) and the item lists are read from
//! the tables. The definitions are in docs/decisions.md, "Statistics (STAT-1)";
//! in short:
//!
//! - a **visit** (检查, 入企次数) is a completed task; its day is the visit
//!   day of its results (the Asia/Shanghai day of the check-in, RESULT-4),
//!   its group the initiator and the departments or partners that joined;
//! - **visits saved** = Σ (group − 1): each joining department would
//!   otherwise have gone alone; **ratio saved** = saved / (visits + saved),
//!   against the plan's aim of 50 %;
//! - **joint rate** = visits with a group of two or more / visits
//!   (未形成联合检查, JOINT-5, counts against).
//!
//! [`drill`] lists the tasks behind a figure; [`caps`] reads the caps' excess.

mod caps;
mod drill;
pub mod facts;
mod figures;
mod scope;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::draw::caps::Caps;

use crate::db::{Backend, Db};
use crate::error::StoreResult;

pub use caps::{CapCompliance, CapExcess, ExemptExcess};
pub use drill::DRILL_MAX;
pub use drill::{drill, DrillRow, Figure};
pub use figures::Figures;
pub use scope::{group_name, may_read, resolve, Scope};

/// The plan's aim for the share of visits saved (减少入企 50% 以上).
pub const SAVED_AIM_PERCENT: f64 = 50.0;

/// What to count.
#[derive(Debug, Clone)]
pub struct Request {
    pub scope: Scope,
    pub year: i64,
    /// 1–12: figures of that month only (the monthly series stay whole).
    pub month: Option<i64>,
    pub caps: Caps,
    /// Uncapped tasks by one unit on one enterprise in a year above this are
    /// listed as exempt-source excess (DRAW-7).
    pub reasonable_per_unit: i64,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// One row of a breakdown: a department of the unit, or (roll-up) a unit
/// with the units under it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupFigures {
    /// Department id, or (roll-up) unit id: the `group` of the drill-down.
    pub key: i64,
    pub name: String,
    pub figures: Figures,
}

/// A month's figures (of the whole scope), for the charts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthFigures {
    pub month: i64,
    pub figures: Figures,
}

/// The dashboard's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statistics {
    pub unit_id: i64,
    pub unit_name: String,
    /// Counted over the unit and every unit under it.
    pub rollup: bool,
    /// `department` (the unit's departments) or `unit` (roll-up: the unit
    /// itself and each unit directly under it with its own subtree).
    pub grouping: String,
    pub year: i64,
    pub month: Option<i64>,
    /// The aim for `saved_percent` (50).
    pub saved_aim_percent: f64,
    pub total: Figures,
    pub groups: Vec<GroupFigures>,
    /// January to December of the year, whatever `month` is.
    pub months: Vec<MonthFigures>,
    pub caps: CapCompliance,
    /// 监督预警 (STAT-2) of the scope's units on the year's tasks, per kind.
    pub warnings: Vec<crate::warnings::KindCount>,
}

/// Month of a DATE column (`YYYY-MM-DD` text on SQLite).
pub(crate) fn month_of_date(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Postgres => format!("CAST(EXTRACT(MONTH FROM {column}) AS BIGINT)"),
        Backend::Sqlite => format!("CAST(substr({column}, 6, 2) AS INTEGER)"),
    }
}

/// Month of a timestamp in Asia/Shanghai (no daylight saving: UTC+8).
pub(crate) fn month_of_instant(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Postgres => {
            format!("CAST(EXTRACT(MONTH FROM ({column} AT TIME ZONE 'Asia/Shanghai')) AS BIGINT)")
        }
        Backend::Sqlite => format!("CAST(strftime('%m', {column}, '+8 hours') AS INTEGER)"),
    }
}

/// Counts accumulated per breakdown key and month (month 0: not dated).
#[derive(Default)]
pub(crate) struct Tally {
    pub by_key: BTreeMap<i64, Figures>,
    pub by_month: BTreeMap<i64, Figures>,
    pub total: Figures,
}

impl Tally {
    /// Adds another group's counts (each group fills its own fields).
    pub fn absorb(&mut self, other: Tally) {
        for (k, f) in other.by_key {
            self.by_key.entry(k).or_default().absorb(&f);
        }
        for (m, f) in other.by_month {
            self.by_month.entry(m).or_default().absorb(&f);
        }
        self.total.absorb(&other.total);
    }

    /// Adds what `f` does to a key's figures, the month's and the total —
    /// the key's and the total only when the month is the one asked (or
    /// none was asked).
    pub fn add(&mut self, key: i64, month: i64, wanted: Option<i64>, f: impl Fn(&mut Figures)) {
        if month > 0 {
            f(self.by_month.entry(month).or_default());
        }
        if wanted.is_none_or(|w| w == month) {
            f(self.by_key.entry(key).or_default());
            f(&mut self.total);
        }
    }
}

/// Every figure of the request. The caller checked the reader's right
/// ([`may_read`]) and resolved the scope ([`resolve`]).
pub async fn compute(db: &Db, req: &Request) -> StoreResult<Statistics> {
    // The figure groups are independent statements: they run at once, each
    // on its own connection of the pool (SQLite's WAL lets readers share).
    // Fold what changed since the last drain first: the figures are exact.
    facts::drain(db).await?;
    let (mut visits, answers, rectifications, items, caps, warnings) = tokio::try_join!(
        async {
            let mut t = Tally::default();
            figures::visits(db, req, &mut t).await.map(|_| t)
        },
        async {
            let mut t = Tally::default();
            figures::answers_and_results(db, req, &mut t)
                .await
                .map(|_| t)
        },
        async {
            let mut t = Tally::default();
            figures::rectifications(db, req, &mut t).await.map(|_| t)
        },
        async {
            let mut t = Tally::default();
            figures::items(db, req, &mut t).await.map(|_| t)
        },
        caps::compliance(db, req),
        crate::warnings::counts(db, &req.scope.units, req.year),
    )?;
    for other in [answers, rectifications, items] {
        visits.absorb(other);
    }
    let mut tally = visits;

    let mut groups = Vec::new();
    let names = scope::group_names(db, &req.scope, tally.by_key.keys().copied()).await?;
    for (key, name) in names {
        let mut figures = tally.by_key.remove(&key).unwrap_or_default();
        figures.finish();
        groups.push(GroupFigures { key, name, figures });
    }
    let months = (1..=12)
        .map(|m| {
            let mut figures = tally.by_month.remove(&m).unwrap_or_default();
            figures.finish();
            MonthFigures { month: m, figures }
        })
        .collect();
    let mut total = tally.total;
    total.finish();
    Ok(Statistics {
        unit_id: req.scope.unit_id,
        unit_name: req.scope.unit_name.clone(),
        rollup: req.scope.rollup,
        grouping: if req.scope.rollup {
            "unit"
        } else {
            "department"
        }
        .into(),
        year: req.year,
        month: req.month,
        saved_aim_percent: SAVED_AIM_PERCENT,
        total,
        groups,
        months,
        caps,
        warnings,
    })
}
