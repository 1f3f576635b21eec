//! Cap compliance (DRAW-5, DRAW-7), recounted from the tasks rather than
//! read from the ledger (`cap_counters` refuses to exceed a cap, so it would
//! always say 100 %): an enterprise is within the caps when its capped tasks
//! of the year (not cancelled) number at most the department cap per
//! department and the unit cap per unit of the scope, and at most the
//! all-levels cap in total. Uncapped sources beyond the reasonable frequency
//! per unit are listed apart: they are allowed, with a stated reason.

use std::collections::BTreeSet;

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
    let mut over = Vec::new();
    for r in db
        .fetch_all(
            &format!(
                "SELECT t.enterprise_id, e.name AS enterprise_name, 'department' AS scope,
                        d.name AS scope_name, COUNT(*) AS n, $2 AS cap
                   FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
                   JOIN departments d ON d.id = t.department_id
                  WHERE {capped}
                  GROUP BY t.enterprise_id, e.name, t.department_id, d.name HAVING COUNT(*) > $2
                 UNION ALL
                 SELECT t.enterprise_id, e.name, 'unit', u.name, COUNT(*), $3
                   FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
                   JOIN units u ON u.id = t.unit_id
                  WHERE {capped}
                  GROUP BY t.enterprise_id, e.name, t.unit_id, u.name HAVING COUNT(*) > $3
                 UNION ALL
                 SELECT t.enterprise_id, e.name, 'all', '', COUNT(*), $4
                   FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
                  WHERE t.year = $1 AND t.capped AND t.status <> 'cancelled'
                    AND t.enterprise_id IN (SELECT t.enterprise_id FROM tasks t WHERE {capped})
                  GROUP BY t.enterprise_id, e.name HAVING COUNT(*) > $4
                 ORDER BY 1 LIMIT {LIST_MAX}"
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
        over.push(CapExcess {
            enterprise_id: r.get("enterprise_id")?,
            enterprise_name: r.get("enterprise_name")?,
            scope: r.get("scope")?,
            scope_name: r.get("scope_name")?,
            tasks: r.get("n")?,
            cap: r.get("cap")?,
        });
    }
    let outside: BTreeSet<i64> = over.iter().map(|o| o.enterprise_id).collect();
    let within = enterprises - outside.len() as i64;
    let mut exempt_excess = Vec::new();
    for r in db
        .fetch_all(
            &format!(
                "SELECT t.enterprise_id, e.name AS enterprise_name, u.name AS unit_name,
                        COUNT(*) AS n
                   FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
                   JOIN units u ON u.id = t.unit_id
                  WHERE {units} AND t.year = $1 AND NOT t.capped AND t.status <> 'cancelled'
                  GROUP BY t.enterprise_id, e.name, t.unit_id, u.name HAVING COUNT(*) > $2
                  ORDER BY COUNT(*) DESC, t.enterprise_id LIMIT {LIST_MAX}"
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
