//! Cap compliance (DRAW-5, DRAW-7), recounted from the tasks rather than
//! read from the ledger (`cap_counters` refuses to exceed a cap, so it would
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
    let units = s.units_in("t.unit_id");
    let capped = format!("{units} AND t.year = $1 AND t.capped AND t.status <> 'cancelled'");
    let enterprises = db
        .scalar_i64(
            &format!("SELECT COUNT(DISTINCT t.enterprise_id) FROM tasks t WHERE {capped}"),
            crate::args![req.year],
        )
        .await?;
    // Grouped first, named after: the names are joined to the few rows over.
    let mut over = Vec::new();
    let mut outside = 0;
    for r in db
        .fetch_all(
            &format!(
                "WITH c AS MATERIALIZED (
                   SELECT t.enterprise_id, t.department_id, t.unit_id FROM tasks t WHERE {capped}),
                 o AS MATERIALIZED (
                   SELECT enterprise_id, 'department' AS scope, department_id AS owner,
                          COUNT(*) AS n, $2 AS cap
                     FROM c GROUP BY enterprise_id, department_id HAVING COUNT(*) > $2
                   UNION ALL
                   SELECT enterprise_id, 'unit', unit_id, COUNT(*), $3
                     FROM c GROUP BY enterprise_id, unit_id HAVING COUNT(*) > $3
                   UNION ALL
                   SELECT t.enterprise_id, 'all', 0, COUNT(*), $4
                     FROM tasks t
                    WHERE t.year = $1 AND t.capped AND t.status <> 'cancelled'
                      AND t.enterprise_id IN (SELECT enterprise_id FROM c)
                    GROUP BY t.enterprise_id HAVING COUNT(*) > $4)
                 SELECT (SELECT COUNT(DISTINCT enterprise_id) FROM o) AS outside,
                        o.enterprise_id, e.name AS enterprise_name, o.scope,
                        COALESCE(d.name, u.name, '') AS scope_name, o.n, o.cap
                   FROM o JOIN enterprises e ON e.id = o.enterprise_id
                   LEFT JOIN departments d ON o.scope = 'department' AND d.id = o.owner
                   LEFT JOIN units u ON o.scope = 'unit' AND u.id = o.owner
                  ORDER BY o.enterprise_id, o.scope LIMIT {LIST_MAX}"
            ),
            crate::args![
                req.year,
                i64::from(req.caps.per_department),
                i64::from(req.caps.per_unit),
                i64::from(req.caps.all_levels)
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
                   FROM (SELECT t.enterprise_id, t.unit_id, COUNT(*) AS n FROM tasks t
                          WHERE {units} AND t.year = $1 AND NOT t.capped
                            AND t.status <> 'cancelled'
                          GROUP BY t.enterprise_id, t.unit_id HAVING COUNT(*) > $2) x
                   JOIN enterprises e ON e.id = x.enterprise_id
                   JOIN units u ON u.id = x.unit_id
                  ORDER BY x.n DESC, x.enterprise_id LIMIT {LIST_MAX}"
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
