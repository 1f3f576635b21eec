//! How far each department's plan has got (抽查计划 against the tasks
//! drawn, checked and completed), and the unit's public plan page.

use super::*;

pub(super) const TASK_COUNTS: &str = "CAST(COALESCE(SUM(CASE WHEN t.status <> 'cancelled' THEN 1 ELSE 0 END), 0) AS BIGINT) AS drawn,
        CAST(COALESCE(SUM(CASE WHEN t.status = 'completed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS inspected,
        CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM publications p
              WHERE p.task_id = t.id AND p.published_at IS NOT NULL) THEN 1 ELSE 0 END), 0) AS BIGINT) AS published";

/// Progress of a department's plan of a year. No permission check.
pub async fn progress(mut db: &Db, department_id: i64, year: i64) -> StoreResult<Progress> {
    let planned = db
        .scalar_i64(
            "SELECT CAST(COALESCE(SUM(target_count), 0) AS BIGINT) FROM plan_rows
              WHERE department_id = $1 AND year = $2 AND removed_at IS NULL",
            args![department_id, year],
        )
        .await?;
    let r = db
        .fetch_one(
            &format!(
                "SELECT {TASK_COUNTS} FROM tasks t WHERE t.department_id = $1 AND t.year = $2"
            ),
            args![department_id, year],
        )
        .await?;
    Ok(Progress {
        department_id,
        year,
        planned,
        drawn: r.get("drawn")?,
        inspected: r.get("inspected")?,
        published: r.get("published")?,
    })
}

/// Progress of every department of a unit that has a plan row or a task in the year.
pub(super) async fn unit_progress(
    mut db: &Db,
    unit_id: i64,
    year: i64,
) -> StoreResult<HashMap<i64, Progress>> {
    let mut out: HashMap<i64, Progress> = HashMap::new();
    for r in db
        .fetch_all(
            "SELECT r.department_id, CAST(COALESCE(SUM(r.target_count), 0) AS BIGINT) AS planned
               FROM plan_rows r JOIN departments d ON d.id = r.department_id
              WHERE d.unit_id = $1 AND r.year = $2 AND r.removed_at IS NULL
              GROUP BY r.department_id",
            args![unit_id, year],
        )
        .await?
    {
        let d: i64 = r.get("department_id")?;
        out.entry(d).or_default().planned = r.get("planned")?;
    }
    for r in db
        .fetch_all(
            &format!(
                "SELECT t.department_id, {TASK_COUNTS} FROM tasks t
                  WHERE t.unit_id = $1 AND t.year = $2 GROUP BY t.department_id"
            ),
            args![unit_id, year],
        )
        .await?
    {
        let d: i64 = r.get("department_id")?;
        let p = out.entry(d).or_default();
        p.drawn = r.get("drawn")?;
        p.inspected = r.get("inspected")?;
        p.published = r.get("published")?;
    }
    for (d, p) in out.iter_mut() {
        p.department_id = *d;
        p.year = year;
    }
    Ok(out)
}

/// The units that have a live list item or plan row in `year` (what the
/// public page can show), in id order.
pub async fn units_with_plans(mut db: &Db, year: i64) -> StoreResult<Vec<i64>> {
    let year = plans::check_year(year)?;
    let rows = db
        .fetch_all(
            "SELECT DISTINCT d.unit_id FROM departments d
              WHERE EXISTS (SELECT 1 FROM plan_items i WHERE i.department_id = d.id
                              AND i.year = $1 AND i.removed_at IS NULL)
                 OR EXISTS (SELECT 1 FROM plan_rows r WHERE r.department_id = d.id
                              AND r.year = $1 AND r.removed_at IS NULL)
              ORDER BY d.unit_id",
            args![year],
        )
        .await?;
    rows.iter().map(|r| r.get("unit_id")).collect()
}

/// A unit's lists and plans of a year, without login (公示).
pub async fn public(mut db: &Db, unit_id: i64, year: i64) -> StoreResult<PublicPlans> {
    let year = plans::check_year(year)?;
    let unit = crate::org::units::get(&mut db, unit_id)
        .await?
        .ok_or_else(|| DomainError::not_found("单位不存在"))?;
    let mut items: HashMap<i64, Vec<PlanItem>> = HashMap::new();
    for r in db
        .fetch_all(
            &format!(
                "SELECT {ITEM_COLUMNS} FROM plan_items i JOIN departments d ON d.id = i.department_id
                  WHERE d.unit_id = $1 AND i.year = $2 AND i.removed_at IS NULL
                  ORDER BY i.department_id, i.position, i.id"
            ),
            args![unit_id, year],
        )
        .await?
    {
        let item = item_of(&r)?;
        items.entry(item.department_id).or_default().push(item);
    }
    let mut rows: HashMap<i64, Vec<PlanRow>> = HashMap::new();
    for r in db
        .fetch_all(
            &format!(
                "SELECT {ROW_COLUMNS} FROM plan_rows r JOIN plan_items i ON i.id = r.item_id
                   JOIN departments d ON d.id = r.department_id
                  WHERE d.unit_id = $1 AND r.year = $2 AND r.removed_at IS NULL
                  ORDER BY r.department_id, r.position, r.id"
            ),
            args![unit_id, year],
        )
        .await?
    {
        let row = row_of(&r)?;
        rows.entry(row.department_id).or_default().push(row);
    }
    let mut progress = unit_progress(db, unit_id, year).await?;
    let departments = departments::list_by_unit(&mut db, unit_id)
        .await?
        .iter()
        .map(|d| PlanSheet {
            department: PlanDepartment::from(d),
            year,
            items: items.remove(&d.id).unwrap_or_default(),
            rows: rows.remove(&d.id).unwrap_or_default(),
            progress: progress.remove(&d.id).unwrap_or(Progress {
                department_id: d.id,
                year,
                ..Progress::default()
            }),
            may_edit: false,
        })
        .collect();
    Ok(PublicPlans {
        unit_id,
        unit_name: unit.name,
        year,
        departments,
    })
}

// ───────────────────────── writing ─────────────────────────
