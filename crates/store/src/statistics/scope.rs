//! Whose figures: one unit (broken down by its departments), or a unit with
//! every unit under it (broken down by the unit itself and each unit directly
//! under it, with its subtree) — and who may read them.

use std::collections::{BTreeMap, HashMap};

use yici_domain::org::{Principal, Role, UnitLevel};
use yici_domain::DomainError;

use crate::db::{Db, Exec};
use crate::error::StoreResult;

/// The units counted and how they are grouped.
#[derive(Debug, Clone)]
pub struct Scope {
    pub unit_id: i64,
    pub unit_name: String,
    pub level: UnitLevel,
    pub rollup: bool,
    /// Every unit counted (the unit alone, or its whole subtree).
    pub units: Vec<i64>,
    /// Roll-up: unit → its group (the unit itself, or the unit directly
    /// under the scope's unit whose subtree holds it).
    pub group_of: BTreeMap<i64, i64>,
}

impl Scope {
    /// `column IN (…)` over the counted units (ids are integers: inlined).
    pub fn units_in(&self, column: &str) -> String {
        let ids: Vec<String> = self.units.iter().map(i64::to_string).collect();
        format!("{column} IN ({})", ids.join(","))
    }

    /// The breakdown key of a row: its department, or (roll-up) the group
    /// of the unit in `unit_column`.
    pub fn key(&self, unit_column: &str, department_column: &str) -> String {
        if !self.rollup {
            return department_column.to_string();
        }
        // Literals are INTEGER on PostgreSQL: the key is read as BIGINT.
        let mut s = format!("CAST(CASE {unit_column}");
        for (unit, group) in &self.group_of {
            s.push_str(&format!(" WHEN {unit} THEN {group}"));
        }
        s.push_str(" ELSE 0 END AS BIGINT)");
        s
    }
}

/// The unit's heads, its office and department heads; the system
/// administrator for every unit.
pub fn may_read(p: &Principal) -> bool {
    p.has(Role::SystemAdmin)
        || (p.unit_id.is_some()
            && (p.has(Role::UnitHead) || p.has(Role::OfficeClerk) || p.has(Role::DepartmentHead)))
}

/// The scope a reader asked for: their own unit unless they are the system
/// administrator; `rollup` for a province or city unit.
pub async fn resolve(
    mut db: &Db,
    p: &Principal,
    unit: Option<i64>,
    rollup: bool,
) -> StoreResult<Scope> {
    if !may_read(p) {
        return Err(DomainError::forbidden(
            "统计分析仅供行政执法主体负责人、办公室、承办机构负责人和系统管理员查看",
        )
        .into());
    }
    let own = p.unit_id;
    let unit_id = match (unit, own) {
        (Some(u), Some(o)) if u != o && !p.has(Role::SystemAdmin) => {
            return Err(DomainError::forbidden("只能查看本单位的统计").into())
        }
        (Some(u), _) => u,
        (None, Some(o)) => o,
        (None, None) => {
            db.scalar_i64(
                "SELECT COALESCE(MIN(id), 0) FROM units WHERE parent_id IS NULL",
                vec![],
            )
            .await?
        }
    };
    let rows = db
        .fetch_all(
            "SELECT id, parent_id, name, level FROM units ORDER BY id",
            vec![],
        )
        .await?;
    let mut parent: HashMap<i64, Option<i64>> = HashMap::new();
    let mut name = None;
    let mut level = None;
    for r in &rows {
        let id: i64 = r.get("id")?;
        parent.insert(id, r.get("parent_id")?);
        if id == unit_id {
            name = Some(r.get::<String>("name")?);
            level = Some(r.get::<String>("level")?);
        }
    }
    let (Some(unit_name), Some(level)) = (name, level) else {
        return Err(DomainError::not_found("单位不存在").into());
    };
    let level = UnitLevel::parse(&level)
        .ok_or_else(|| crate::error::StoreError::Internal(format!("unit level {level}")))?;
    let rollup = rollup && level != UnitLevel::County;
    let mut group_of = BTreeMap::new();
    let mut units = vec![unit_id];
    if rollup {
        group_of.insert(unit_id, unit_id);
        for r in &rows {
            let id: i64 = r.get("id")?;
            // Walk up to the child of the scope's unit, if any.
            let mut at = id;
            let mut steps = 0;
            while let Some(Some(up)) = parent.get(&at) {
                if *up == unit_id {
                    group_of.insert(id, at);
                    units.push(id);
                    break;
                }
                at = *up;
                steps += 1;
                if steps > 16 {
                    break;
                }
            }
        }
    }
    Ok(Scope {
        unit_id,
        unit_name,
        level,
        rollup,
        units,
        group_of,
    })
}

/// The breakdown's rows in order with their names: every department of
/// the unit (and any other department with a figure, e.g. a partner
/// agency), or the roll-up's groups (the unit itself first, as 本级).
pub(super) async fn group_names(
    mut db: &Db,
    scope: &Scope,
    keys: impl Iterator<Item = i64>,
) -> StoreResult<Vec<(i64, String)>> {
    let mut out = Vec::new();
    if scope.rollup {
        let mut groups: Vec<i64> = scope.group_of.values().copied().collect();
        groups.sort();
        groups.dedup();
        groups.retain(|g| *g != scope.unit_id);
        groups.insert(0, scope.unit_id);
        let ids: Vec<String> = groups.iter().map(i64::to_string).collect();
        let names: HashMap<i64, String> = db
            .fetch_all(
                &format!(
                    "SELECT id, short_name FROM units WHERE id IN ({})",
                    ids.join(",")
                ),
                vec![],
            )
            .await?
            .iter()
            .map(|r| Ok((r.get("id")?, r.get("short_name")?)))
            .collect::<StoreResult<_>>()?;
        for g in groups {
            let n = names.get(&g).cloned().unwrap_or_default();
            let n = if g == scope.unit_id {
                format!("{n}（本级）")
            } else {
                n
            };
            out.push((g, n));
        }
        return Ok(out);
    }
    let mut wanted: Vec<i64> = keys.collect();
    for r in db
        .fetch_all(
            "SELECT id FROM departments WHERE unit_id = $1 ORDER BY id",
            crate::args![scope.unit_id],
        )
        .await?
    {
        wanted.push(r.get("id")?);
    }
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = wanted.iter().map(i64::to_string).collect();
    for r in db
        .fetch_all(
            &format!(
                "SELECT d.id, d.name, d.unit_id, u.short_name FROM departments d
                   JOIN units u ON u.id = d.unit_id
                  WHERE d.id IN ({}) ORDER BY (d.unit_id <> $1), d.id",
                ids.join(",")
            ),
            crate::args![scope.unit_id],
        )
        .await?
    {
        let unit: i64 = r.get("unit_id")?;
        let name: String = r.get("name")?;
        let name = if unit == scope.unit_id {
            name
        } else {
            format!("{}{}（协作）", r.get::<String>("short_name")?, name)
        };
        out.push((r.get("id")?, name));
    }
    Ok(out)
}

/// The name of one breakdown key (a drill-down's heading).
pub async fn group_name(db: &Db, scope: &Scope, key: i64) -> StoreResult<String> {
    Ok(group_names(db, scope, std::iter::once(key))
        .await?
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n)
        .unwrap_or_default())
}
