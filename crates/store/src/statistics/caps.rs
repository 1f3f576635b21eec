//! Cap compliance (DRAW-5, DRAW-7), counted from the tasks (kept per
//! enterprise by the statistics drain, [`super::facts`]) rather than read
//! from the ledger (`cap_counters` refuses to exceed a cap, so it would
//! always say 100 %): an enterprise is within the caps when its capped tasks
//! of the year (not cancelled) number at most the department cap per
//! department and the unit cap per unit of the scope, and at most the
//! all-levels cap in total. Uncapped sources beyond the reasonable frequency
//! per unit are listed apart: they are allowed, with a stated reason.

use serde::Serialize;
use utoipa::ToSchema;

use super::figures::percent;
use super::Request;
use crate::db::{Db, Exec};
use crate::error::StoreResult;

/// At most this many rows of each list.
const LIST_MAX: i64 = 200;

/// An enterprise over a cap.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CapExcess {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// `department`, `unit` or `all`.
    pub scope: String,
    /// The department or unit (empty for `all`).
    pub scope_name: String,
    pub tasks: i64,
    pub cap: i64,
}

/// An enterprise with uncapped tasks of one unit beyond the reasonable
/// frequency (DRAW-7): allowed, with the reason kept on the task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExemptExcess {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub unit_name: String,
    pub tasks: i64,
    pub reasonable: i64,
}

/// 频次上限执行情况 of the scope's year.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CapCompliance {
    /// Enterprises with a capped task (日常、专项) of the scope in the year.
    pub enterprises: i64,
    /// Of those, within every cap.
    pub within: i64,
    /// within / enterprises, % (should be 100).
    pub percent: Option<f64>,
    pub over: Vec<CapExcess>,
    pub exempt_excess: Vec<ExemptExcess>,
}

pub(super) async fn compliance(mut db: &Db, req: &Request) -> StoreResult<CapCompliance> {
    let s = &req.scope;
    // The counts are kept per enterprise ([`super::facts`]): what is over a
    // cap is a range of the index on the count, a handful of rows where the
    // caps are kept. The enterprises with a capped task of the scope are
    // kept per node: the unit alone, or its subtree.
    let node = if s.rollup { "subtree" } else { "unit" };
    let units = s.units_in("unit_id");
    let enterprises = db
        .fetch_optional(
            &format!(
                "SELECT enterprises FROM statistics_node_counts
                  WHERE year = $1 AND fact = 'capped' AND kind = '{node}' AND unit_id = $2
                    AND department_id = 0 AND month = 0"
            ),
            crate::args![req.year, s.unit_id],
        )
        .await?
        .map(|r| r.get::<i64>("enterprises"))
        .transpose()?
        .unwrap_or(0);
    // Over first, named after: the names are joined to the rows over.
    let mut over = Vec::new();
    let mut outside = 0;
    for r in db
        .fetch_all(
            &format!(
                "WITH o AS MATERIALIZED (
                   SELECT enterprise_id, 'department' AS scope, department_id AS owner,
                          tasks AS n, $2 AS cap
                     FROM statistics_cap_counts
                    WHERE year = $1 AND kind = 'department' AND tasks > $2 AND {units}
                   UNION ALL
                   SELECT enterprise_id, 'unit', unit_id, tasks, $3
                     FROM statistics_cap_counts
                    WHERE year = $1 AND kind = 'unit' AND tasks > $3 AND {units}
                   UNION ALL
                   SELECT c.enterprise_id, 'all', 0, c.tasks, $4
                     FROM statistics_cap_counts c
                    WHERE c.year = $1 AND c.kind = 'all' AND c.tasks > $4
                      AND EXISTS (SELECT 1 FROM statistics_node_enterprises n
                                   WHERE n.year = $1 AND n.fact = 'capped' AND n.kind = '{node}'
                                     AND n.unit_id = $5 AND n.department_id = 0
                                     AND n.month = 0 AND n.enterprise_id = c.enterprise_id))
                 SELECT (SELECT COUNT(DISTINCT enterprise_id) FROM o) AS outside,
                        o.enterprise_id, e.name AS enterprise_name, o.scope,
                        COALESCE(d.name, u.name, '') AS scope_name, o.n, o.cap
                   FROM o JOIN enterprises e ON e.id = o.enterprise_id
                   LEFT JOIN departments d ON o.scope = 'department' AND d.id = o.owner
                   LEFT JOIN units u ON o.scope = 'unit' AND u.id = o.owner
                  ORDER BY o.enterprise_id, o.scope, o.owner LIMIT {LIST_MAX}"
            ),
            crate::args![
                req.year,
                i64::from(req.caps.per_department),
                i64::from(req.caps.per_unit),
                i64::from(req.caps.all_levels),
                s.unit_id
            ],
        )
        .await?
    {
        outside = r.get("outside")?;
        over.push(CapExcess {
            enterprise_id: r.get("enterprise_id")?,
            enterprise_name: r.get("enterprise_name")?,
            scope: r.get("scope")?,
            scope_name: r.get("scope_name")?,
            tasks: r.get("n")?,
            cap: r.get("cap")?,
        });
    }
    let within = enterprises - outside;
    let mut exempt_excess = Vec::new();
    for r in db
        .fetch_all(
            &format!(
                "SELECT x.enterprise_id, e.name AS enterprise_name, u.name AS unit_name, x.n
                   FROM (SELECT enterprise_id, unit_id, tasks AS n FROM statistics_cap_counts
                          WHERE year = $1 AND kind = 'exempt' AND tasks > $2 AND {units}) x
                   JOIN enterprises e ON e.id = x.enterprise_id
                   JOIN units u ON u.id = x.unit_id
                  ORDER BY x.n DESC, x.enterprise_id, x.unit_id LIMIT {LIST_MAX}"
            ),
            crate::args![req.year, req.reasonable_per_unit],
        )
        .await?
    {
        exempt_excess.push(ExemptExcess {
            enterprise_id: r.get("enterprise_id")?,
            enterprise_name: r.get("enterprise_name")?,
            unit_name: r.get("unit_name")?,
            tasks: r.get("n")?,
            reasonable: req.reasonable_per_unit,
        });
    }
    Ok(CapCompliance {
        enterprises,
        within,
        percent: percent(within, enterprises),
        over,
        exempt_excess,
    })
}
