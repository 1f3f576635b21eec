//! The cap ledger (DRAW-5): a counter per (scope, year, enterprise) for the
//! initiating department, its unit and all levels together. A capped task
//! takes one slot of each by a conditional `UPDATE … WHERE used < cap` in the
//! transaction that inserts it; a cancellation gives them back in its own.
//! Counting tasks and then inserting would break a cap under concurrency on
//! either database (README, "Frequency caps that hold under concurrency");
//! the conditional update can't: PostgreSQL re-checks `used < cap` on the
//! row version it waited for, SQLite runs one writer at a time.
//!
//! Rows are taken in one order — department, unit, all levels — the order of
//! the refusal reasons, so a refusal names the narrowest cap reached.

use std::collections::HashMap;

use yici_domain::draw::caps::{Caps, Refusal, Usage};

use crate::db::{Arg, Exec, Sql, Tx};
use crate::error::StoreResult;

/// The three counters a task of this department moves, narrowest first.
pub fn scopes(unit_id: i64, department_id: i64) -> [(String, Refusal); 3] {
    [
        (format!("department:{department_id}"), Refusal::Department),
        (format!("unit:{unit_id}"), Refusal::Unit),
        ("all".to_string(), Refusal::AllLevels),
    ]
}

fn cap_of(caps: &Caps, which: Refusal) -> i64 {
    i64::from(match which {
        Refusal::Department => caps.per_department,
        Refusal::Unit => caps.per_unit,
        Refusal::AllLevels => caps.all_levels,
    })
}

/// Takes a slot of every cap for each enterprise. Returns the refused
/// enterprises with the narrowest cap each reached; when any is refused the
/// caller must drop the transaction (nothing else may be kept).
pub async fn take(
    tx: &mut Tx,
    caps: &Caps,
    year: i64,
    unit_id: i64,
    department_id: i64,
    enterprise_ids: &[i64],
) -> StoreResult<Vec<(i64, Refusal)>> {
    let mut ids = enterprise_ids.to_vec();
    ids.sort_unstable();
    let scopes = scopes(unit_id, department_id);
    // Counters appear on first use. Rows another transaction is inserting make
    // this wait for it, in the same order as the updates below.
    let mut sql =
        Sql::new("INSERT INTO cap_counters (scope, year, enterprise_id, used, cap) VALUES ");
    for (n, (scope, which)) in scopes.iter().enumerate() {
        for (i, id) in ids.iter().enumerate() {
            if n + i > 0 {
                sql.push(", ");
            }
            sql.push_with(
                "(?1, ?2, ?3, 0, ?4)",
                vec![
                    Arg::from(scope.as_str()),
                    year.into(),
                    (*id).into(),
                    cap_of(caps, *which).into(),
                ],
            );
        }
    }
    let (sql, args) = sql
        .push(" ON CONFLICT (scope, year, enterprise_id) DO NOTHING")
        .build();
    tx.execute(&sql, args).await?;

    let mut refused = Vec::new();
    let mut open = ids;
    for (scope, which) in &scopes {
        if open.is_empty() {
            break;
        }
        let (sql, args) = Sql::with(
            "UPDATE cap_counters SET used = used + 1
              WHERE scope = $1 AND year = $2 AND used < cap AND enterprise_id IN ",
            vec![scope.as_str().into(), year.into()],
        )
        .push_in(open.iter().copied())
        .push(" RETURNING enterprise_id")
        .build();
        let taken: Vec<i64> = tx
            .fetch_all(&sql, args)
            .await?
            .iter()
            .map(|r| r.get::<i64>("enterprise_id"))
            .collect::<StoreResult<_>>()?;
        let (ok, no): (Vec<i64>, Vec<i64>) = open.into_iter().partition(|id| taken.contains(id));
        refused.extend(no.into_iter().map(|id| (id, *which)));
        open = ok;
    }
    Ok(refused)
}

/// Gives back the slots of a cancelled capped task (same transaction).
pub async fn release(
    tx: &mut Tx,
    year: i64,
    unit_id: i64,
    department_id: i64,
    enterprise_id: i64,
) -> StoreResult<()> {
    for (scope, _) in scopes(unit_id, department_id) {
        tx.execute(
            "UPDATE cap_counters SET used = used - 1
              WHERE scope = $1 AND year = $2 AND enterprise_id = $3 AND used > 0",
            vec![scope.into(), year.into(), enterprise_id.into()],
        )
        .await?;
    }
    Ok(())
}

/// What the ledger says about each enterprise for this department: the
/// numbers behind the yellow and red marks (DRAW-6).
pub async fn usage(
    e: &mut impl Exec,
    year: i64,
    unit_id: i64,
    department_id: i64,
    enterprise_ids: &[i64],
) -> StoreResult<HashMap<i64, Usage>> {
    let mut out: HashMap<i64, Usage> = enterprise_ids
        .iter()
        .map(|id| (*id, Usage::default()))
        .collect();
    if enterprise_ids.is_empty() {
        return Ok(out);
    }
    let [(dept, _), (unit, _), (all, _)] = scopes(unit_id, department_id);
    let (sql, args) = Sql::with(
        "SELECT scope, enterprise_id, used FROM cap_counters
          WHERE year = $1 AND scope IN ($2, $3, $4) AND enterprise_id IN ",
        vec![
            year.into(),
            dept.as_str().into(),
            unit.as_str().into(),
            all.as_str().into(),
        ],
    )
    .push_in(enterprise_ids.iter().copied())
    .build();
    for r in e.fetch_all(&sql, args).await? {
        let scope: String = r.get("scope")?;
        let used = u32::try_from(r.get::<i64>("used")?).unwrap_or(0);
        let u = out.entry(r.get("enterprise_id")?).or_default();
        if scope == dept {
            u.department = used;
        } else if scope == unit {
            u.unit = used;
        } else {
            u.all_levels = used;
        }
    }
    Ok(out)
}

/// Enterprises this department may no longer extract this year (a cap of the
/// department, its unit or all levels is reached); read through the partial
/// index `cap_counters_full`, which holds only full counters.
pub async fn exhausted(
    e: &mut impl Exec,
    year: i64,
    unit_id: i64,
    department_id: i64,
) -> StoreResult<std::collections::HashSet<i64>> {
    let [(dept, _), (unit, _), (all, _)] = scopes(unit_id, department_id);
    e.fetch_all(
        "SELECT enterprise_id FROM cap_counters
          WHERE scope IN ($1, $2, $3) AND year = $4 AND used >= cap",
        vec![dept.into(), unit.into(), all.into(), year.into()],
    )
    .await?
    .iter()
    .map(|r| r.get::<i64>("enterprise_id"))
    .collect()
}
