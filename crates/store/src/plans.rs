//! Supervision item lists and annual inspection plans in storage (DOC-1):
//! each department's 行政检查事项清单 ([`PlanItem`]) and 抽查计划
//! ([`PlanRow`]) per year, their progress against the department's tasks
//! ([`Progress`]), 复制上一年度, and the unit's public view.
//!
//! For other features: [`items_for`] returns a department's list of a year
//! with each item's 检查依据 (`PlanItem::basis`), from which documents fill
//! their 法律依据 (see `yici_domain::plans::joined_basis`).
//!
//! Every change runs in one transaction with its audit entry; a refused
//! change writes nothing. Rows are never deleted: removal sets `removed_at`.
//! An item named by a live plan row can be edited but not removed; the item
//! row is locked (PostgreSQL `FOR UPDATE`, SQLite's `BEGIN IMMEDIATE`) by
//! whoever removes it or points a plan row at it, so the two never cross.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::org::{BusinessLine, Principal};
use yici_domain::plans::{self, ItemInput, PlanRowInput, ValidItem, ValidPlanRow};
use yici_domain::DomainError;

use crate::audit::{self, Change, Entry};
use crate::db::{insert_rows, Arg, Backend, Db, Exec, Row, Tx};
use crate::error::StoreResult;
use crate::org::departments::{self, Department};
use crate::{args, Actor};

/// A row of a department's 行政检查事项清单.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanItem {
    pub id: i64,
    pub department_id: i64,
    pub year: i64,
    /// 编码, unique within the department's list of the year.
    pub code: String,
    /// 检查事项.
    pub name: String,
    /// 检查内容.
    pub content: String,
    /// 检查对象.
    pub objects: String,
    /// 检查依据: the legal basis (documents' 法律依据 are filled from it).
    pub basis: String,
    /// 序号.
    pub position: i64,
    /// 整改期限 (days) a problem with this item gets by default; None: 30.
    pub rectify_days: Option<i64>,
    /// Live plan rows naming this item: while above 0 it cannot be removed.
    pub plan_rows: i64,
    /// Results in force that ticked this item (the list and the results
    /// name the same items), and how many found a problem with it.
    pub checked: i64,
    pub problems: i64,
    /// The previous year's item this one was copied from.
    pub copied_from_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of a department's 抽查计划.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanRow {
    pub id: i64,
    /// 发起部门.
    pub department_id: i64,
    pub year: i64,
    /// 抽查事项: an item of the same department and year.
    pub item_id: i64,
    pub item_code: String,
    pub item_name: String,
    /// 检查内容.
    pub content: String,
    /// 检查对象.
    pub objects: String,
    /// 抽查比例, e.g. 不低于5%.
    pub ratio: String,
    /// 抽查频次, e.g. 每年1次.
    pub frequency: String,
    /// 抽取对象数量.
    pub count: i64,
    /// 实施时间, e.g. 2025年4月—11月.
    pub period: String,
    /// 序号.
    pub position: i64,
    pub copied_from_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Progress of a department's plan of a year, counted on the tasks it
/// initiated that year (whatever their source).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Progress {
    pub department_id: i64,
    pub year: i64,
    /// Sum of the plan rows' 抽取对象数量.
    pub planned: i64,
    /// Tasks not cancelled (已抽取).
    pub drawn: i64,
    /// Tasks completed (已检查).
    pub inspected: i64,
    /// Completed tasks whose result is public (已公示): released by the
    /// office or past their due date (`publication`).
    pub published: i64,
}

/// The department a list belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanDepartment {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub business_line: BusinessLine,
}

impl From<&Department> for PlanDepartment {
    fn from(d: &Department) -> PlanDepartment {
        PlanDepartment {
            id: d.id,
            name: d.name.clone(),
            unit_id: d.unit_id,
            unit_name: d.unit_name.clone(),
            business_line: d.business_line,
        }
    }
}

/// A department's list, plan and progress of one year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanSheet {
    pub department: PlanDepartment,
    pub year: i64,
    pub items: Vec<PlanItem>,
    pub rows: Vec<PlanRow>,
    pub progress: Progress,
    /// Whether the reader may change them (always false on the public view).
    pub may_edit: bool,
}

/// A unit's lists and plans of a year, as the public reads them (公示):
/// every department of the unit, in order, with or without rows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicPlans {
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub departments: Vec<PlanSheet>,
}

/// What 复制上一年度 wrote.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Copied {
    pub from_year: i64,
    pub year: i64,
    pub items: usize,
    pub rows: usize,
}

/// A whole list and plan written at once (the demo loader).
#[derive(Debug, Clone, Default)]
pub struct NewSheet {
    pub items: Vec<ValidItem>,
    /// Plan rows with the index in `items` of their 抽查事项 (their own
    /// `item_id` is ignored).
    pub rows: Vec<(usize, ValidPlanRow)>,
}

// ───────────────────────── reading ─────────────────────────

const ITEM_COLUMNS: &str = "i.id, i.department_id, i.year, i.code, i.name, i.content, i.objects,
        i.basis, i.position, i.rectify_days, i.copied_from_id, i.created_at, i.updated_at,
        (SELECT COUNT(*) FROM plan_rows r
          WHERE r.item_id = i.id AND r.removed_at IS NULL) AS plan_rows,
        (SELECT COUNT(*) FROM result_items ri JOIN task_results tr ON tr.id = ri.result_id
          WHERE ri.item_id = i.id
            AND NOT EXISTS (SELECT 1 FROM task_results c WHERE c.corrects_id = tr.id)) AS checked,
        (SELECT COUNT(*) FROM result_items ri JOIN task_results tr ON tr.id = ri.result_id
          WHERE ri.item_id = i.id AND ri.has_problem
            AND NOT EXISTS (SELECT 1 FROM task_results c WHERE c.corrects_id = tr.id)) AS problems";

const ROW_COLUMNS: &str = "r.id, r.department_id, r.year, r.item_id, i.code AS item_code,
        i.name AS item_name, r.content, r.objects, r.ratio, r.frequency, r.target_count,
        r.period, r.position, r.copied_from_id, r.created_at, r.updated_at";

fn item_of(r: &Row) -> StoreResult<PlanItem> {
    Ok(PlanItem {
        id: r.get("id")?,
        department_id: r.get("department_id")?,
        year: r.get("year")?,
        code: r.get("code")?,
        name: r.get("name")?,
        content: r.get("content")?,
        objects: r.get("objects")?,
        basis: r.get("basis")?,
        position: r.get("position")?,
        rectify_days: r.get("rectify_days")?,
        plan_rows: r.get("plan_rows")?,
        checked: r.get("checked")?,
        problems: r.get("problems")?,
        copied_from_id: r.get("copied_from_id")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

fn row_of(r: &Row) -> StoreResult<PlanRow> {
    Ok(PlanRow {
        id: r.get("id")?,
        department_id: r.get("department_id")?,
        year: r.get("year")?,
        item_id: r.get("item_id")?,
        item_code: r.get("item_code")?,
        item_name: r.get("item_name")?,
        content: r.get("content")?,
        objects: r.get("objects")?,
        ratio: r.get("ratio")?,
        frequency: r.get("frequency")?,
        count: r.get("target_count")?,
        period: r.get("period")?,
        position: r.get("position")?,
        copied_from_id: r.get("copied_from_id")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

async fn items_in(e: &mut impl Exec, department_id: i64, year: i64) -> StoreResult<Vec<PlanItem>> {
    e.fetch_all(
        &format!(
            "SELECT {ITEM_COLUMNS} FROM plan_items i
              WHERE i.department_id = $1 AND i.year = $2 AND i.removed_at IS NULL
              ORDER BY i.position, i.id"
        ),
        args![department_id, year],
    )
    .await?
    .iter()
    .map(item_of)
    .collect()
}

async fn rows_in(e: &mut impl Exec, department_id: i64, year: i64) -> StoreResult<Vec<PlanRow>> {
    e.fetch_all(
        &format!(
            "SELECT {ROW_COLUMNS} FROM plan_rows r JOIN plan_items i ON i.id = r.item_id
              WHERE r.department_id = $1 AND r.year = $2 AND r.removed_at IS NULL
              ORDER BY r.position, r.id"
        ),
        args![department_id, year],
    )
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// A live item by id.
async fn item_by_id(e: &mut impl Exec, id: i64) -> StoreResult<Option<PlanItem>> {
    e.fetch_optional(
        &format!(
            "SELECT {ITEM_COLUMNS} FROM plan_items i WHERE i.id = $1 AND i.removed_at IS NULL"
        ),
        args![id],
    )
    .await?
    .as_ref()
    .map(item_of)
    .transpose()
}

/// A live plan row by id.
async fn row_by_id(e: &mut impl Exec, id: i64) -> StoreResult<Option<PlanRow>> {
    e.fetch_optional(
        &format!(
            "SELECT {ROW_COLUMNS} FROM plan_rows r JOIN plan_items i ON i.id = r.item_id
              WHERE r.id = $1 AND r.removed_at IS NULL"
        ),
        args![id],
    )
    .await?
    .as_ref()
    .map(row_of)
    .transpose()
}

/// A department's 行政检查事项清单 of a year, in order, each item with its
/// 检查依据 (`basis`). No permission check: for other features (documents
/// fill their 法律依据 from it); the lists are public anyway.
pub async fn items_for(mut db: &Db, department_id: i64, year: i64) -> StoreResult<Vec<PlanItem>> {
    items_in(&mut db, department_id, year).await
}

/// A department's 抽查计划 of a year, in order. No permission check.
pub async fn rows_for(mut db: &Db, department_id: i64, year: i64) -> StoreResult<Vec<PlanRow>> {
    rows_in(&mut db, department_id, year).await
}

const TASK_COUNTS: &str = "CAST(COALESCE(SUM(CASE WHEN t.status <> 'cancelled' THEN 1 ELSE 0 END), 0) AS BIGINT) AS drawn,
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
async fn unit_progress(
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

async fn department(e: &mut impl Exec, id: i64) -> StoreResult<Department> {
    departments::get(e, id)
        .await?
        .ok_or_else(|| DomainError::not_found("处室不存在").into())
}

/// The department, after the reader's right to see its rows (its unit).
pub async fn readable(
    mut db: &Db,
    who: &Principal,
    department_id: i64,
) -> StoreResult<PlanDepartment> {
    let d = department(&mut db, department_id).await?;
    plans::ensure_read(who, d.unit_id)?;
    Ok(PlanDepartment::from(&d))
}

/// A department's list, plan and progress, for a reader of its unit.
pub async fn sheet(
    mut db: &Db,
    who: &Principal,
    department_id: i64,
    year: i64,
) -> StoreResult<PlanSheet> {
    let d = department(&mut db, department_id).await?;
    plans::ensure_read(who, d.unit_id)?;
    let year = plans::check_year(year)?;
    Ok(PlanSheet {
        department: PlanDepartment::from(&d),
        year,
        items: items_for(db, department_id, year).await?,
        rows: rows_for(db, department_id, year).await?,
        progress: progress(db, department_id, year).await?,
        may_edit: plans::may_edit(who, department_id),
    })
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

/// The department, after the editor's right to change its rows.
async fn editable(mut db: &Db, who: &Principal, department_id: i64) -> StoreResult<Department> {
    let d = department(&mut db, department_id).await?;
    plans::ensure_edit(who, d.id)?;
    Ok(d)
}

async fn next_position(
    tx: &mut Tx,
    table: &str,
    department_id: i64,
    year: i64,
) -> StoreResult<i64> {
    tx.scalar_i64(
        &format!(
            "SELECT CAST(COALESCE(MAX(position), 0) + 1 AS BIGINT) FROM {table}
              WHERE department_id = $1 AND year = $2 AND removed_at IS NULL"
        ),
        args![department_id, year],
    )
    .await
}

fn duplicate_code(code: &str, year: i64) -> DomainError {
    DomainError::conflict(
        "duplicate",
        format!("编码“{code}”在本处室{year}年度事项清单中已存在"),
    )
    .on("code")
}

/// Refuses a code already used by another live item of the list.
async fn check_code(
    tx: &mut Tx,
    department_id: i64,
    year: i64,
    code: &str,
    except: i64,
) -> StoreResult<()> {
    let taken = tx
        .fetch_optional(
            "SELECT id FROM plan_items
              WHERE department_id = $1 AND year = $2 AND code = $3 AND removed_at IS NULL
                AND id <> $4",
            args![department_id, year, code, except],
        )
        .await?
        .is_some();
    if taken {
        return Err(duplicate_code(code, year).into());
    }
    Ok(())
}

fn unique_as_duplicate(
    code: &str,
    year: i64,
) -> impl FnOnce(crate::StoreError) -> crate::StoreError + '_ {
    move |e| {
        if e.is_unique_violation() {
            duplicate_code(code, year).into()
        } else {
            e
        }
    }
}

/// 行政检查事项清单: adds a row to a department's list of a year.
pub async fn create_item(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    department_id: i64,
    year: i64,
    input: &ItemInput,
) -> StoreResult<PlanItem> {
    editable(db, who, department_id).await?;
    let year = plans::check_year(year)?;
    let v = input.validate()?;
    let mut tx = db.begin().await?;
    check_code(&mut tx, department_id, year, &v.code, 0).await?;
    let position = match v.position {
        Some(p) => p,
        None => next_position(&mut tx, "plan_items", department_id, year).await?,
    };
    let id: i64 = tx
        .fetch_one(
            "INSERT INTO plan_items (department_id, year, code, name, content, objects, basis,
                                     position, rectify_days, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            args![
                department_id,
                year,
                &v.code,
                &v.name,
                &v.content,
                &v.objects,
                &v.basis,
                position,
                v.rectify_days,
                now
            ],
        )
        .await
        .map_err(unique_as_duplicate(&v.code, year))?
        .get("id")?;
    let after = item_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| crate::StoreError::internal("inserted item not found"))?;
    commit_audited(
        tx,
        now,
        who,
        "plan_item.create",
        "plan_item",
        id,
        None::<&()>,
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// The last step of every write here: the change's audit entry, then the commit.
#[allow(clippy::too_many_arguments)]
async fn commit_audited<B: Serialize, A: Serialize>(
    mut tx: Tx,
    now: DateTime<Utc>,
    who: &Principal,
    action: &str,
    entity: &str,
    id: i64,
    before: Option<&B>,
    after: Option<&A>,
) -> StoreResult<()> {
    audit::record(
        &mut tx,
        now,
        &Actor::from(who),
        Change {
            action,
            entity,
            entity_id: id.to_string(),
            before,
            after,
        },
    )
    .await?;
    tx.commit().await
}

fn item_not_found() -> DomainError {
    DomainError::not_found("检查事项不存在或已删除")
}

/// Changes a list row (its department and year stay). Allowed while plan
/// rows name it: they follow the new text.
pub async fn update_item(
    mut db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    id: i64,
    input: &ItemInput,
) -> StoreResult<PlanItem> {
    let before = item_by_id(&mut db, id).await?.ok_or_else(item_not_found)?;
    plans::ensure_edit(who, before.department_id)?;
    let v = input.validate()?;
    let mut tx = db.begin().await?;
    check_code(&mut tx, before.department_id, before.year, &v.code, id).await?;
    let changed = tx
        .execute(
            "UPDATE plan_items SET code = $1, name = $2, content = $3, objects = $4, basis = $5,
                    position = $6, updated_at = $7, rectify_days = $9
              WHERE id = $8 AND removed_at IS NULL",
            args![
                &v.code,
                &v.name,
                &v.content,
                &v.objects,
                &v.basis,
                v.position.unwrap_or(before.position),
                now,
                id,
                v.rectify_days
            ],
        )
        .await
        .map_err(unique_as_duplicate(&v.code, before.year))?;
    if changed != 1 {
        return Err(item_not_found().into());
    }
    let after = item_by_id(&mut tx, id).await?.ok_or_else(item_not_found)?;
    commit_audited(
        tx,
        now,
        who,
        "plan_item.update",
        "plan_item",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Removes a list row; refused while a live plan row names it.
pub async fn remove_item(
    mut db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    id: i64,
) -> StoreResult<()> {
    let before = item_by_id(&mut db, id).await?.ok_or_else(item_not_found)?;
    plans::ensure_edit(who, before.department_id)?;
    let mut tx = db.begin().await?;
    // The update locks the item row first: a plan row pointed at it meanwhile
    // is either seen below or waits and then finds the item gone.
    let changed = tx
        .execute(
            "UPDATE plan_items SET removed_at = $1, updated_at = $1
              WHERE id = $2 AND removed_at IS NULL",
            args![now, id],
        )
        .await?;
    if changed != 1 {
        return Err(item_not_found().into());
    }
    let used = tx
        .fetch_all(
            "SELECT position FROM plan_rows WHERE item_id = $1 AND removed_at IS NULL
              ORDER BY position, id",
            args![id],
        )
        .await?;
    if !used.is_empty() {
        let positions = used
            .iter()
            .map(|r| r.get::<i64>("position").map(|p| format!("第{p}行")))
            .collect::<StoreResult<Vec<_>>>()?;
        return Err(DomainError::conflict(
            "item_in_use",
            format!(
                "检查事项“{}”已被{}条抽查计划引用（{}），不能删除；请先删除或改选这些抽查计划的抽查事项",
                before.name,
                used.len(),
                positions.join("、")
            ),
        )
        .into());
    }
    commit_audited(
        tx,
        now,
        who,
        "plan_item.remove",
        "plan_item",
        id,
        Some(&before),
        None::<&()>,
    )
    .await?;
    Ok(())
}

/// Locks the item a plan row names and checks it belongs to the row's
/// department and year.
async fn lock_item(tx: &mut Tx, item_id: i64, department_id: i64, year: i64) -> StoreResult<()> {
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let row = tx
        .fetch_optional(
            &format!(
                "SELECT department_id, year FROM plan_items
                  WHERE id = $1 AND removed_at IS NULL{lock}"
            ),
            args![item_id],
        )
        .await?
        .ok_or_else(|| {
            DomainError::field("item_id", "unknown_item", "所选抽查事项不存在或已删除")
        })?;
    let (d, y): (i64, i64) = (row.get("department_id")?, row.get("year")?);
    if d != department_id {
        return Err(DomainError::field(
            "item_id",
            "other_department",
            "抽查事项须为本处室事项清单中的事项，不能选用其他处室的事项",
        )
        .into());
    }
    if y != year {
        return Err(DomainError::field(
            "item_id",
            "other_year",
            format!("抽查事项须为{year}年度事项清单中的事项（所选事项属于{y}年度）"),
        )
        .into());
    }
    Ok(())
}

/// 抽查计划: adds a row to a department's plan of a year.
pub async fn create_row(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    department_id: i64,
    year: i64,
    input: &PlanRowInput,
) -> StoreResult<PlanRow> {
    editable(db, who, department_id).await?;
    let year = plans::check_year(year)?;
    let v = input.validate()?;
    let mut tx = db.begin().await?;
    lock_item(&mut tx, v.item_id, department_id, year).await?;
    let position = match v.position {
        Some(p) => p,
        None => next_position(&mut tx, "plan_rows", department_id, year).await?,
    };
    let id: i64 = tx
        .fetch_one(
            "INSERT INTO plan_rows (department_id, year, item_id, content, objects, ratio, frequency,
                                    target_count, period, position, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            args![
                department_id,
                year,
                v.item_id,
                &v.content,
                &v.objects,
                &v.ratio,
                &v.frequency,
                v.count,
                &v.period,
                position,
                now
            ],
        )
        .await?
        .get("id")?;
    let after = row_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| crate::StoreError::internal("inserted plan row not found"))?;
    commit_audited(
        tx,
        now,
        who,
        "plan_row.create",
        "plan_row",
        id,
        None::<&()>,
        Some(&after),
    )
    .await?;
    Ok(after)
}

fn row_not_found() -> DomainError {
    DomainError::not_found("抽查计划不存在或已删除")
}

/// Changes a plan row (its department and year stay).
pub async fn update_row(
    mut db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    id: i64,
    input: &PlanRowInput,
) -> StoreResult<PlanRow> {
    let before = row_by_id(&mut db, id).await?.ok_or_else(row_not_found)?;
    plans::ensure_edit(who, before.department_id)?;
    let v = input.validate()?;
    let mut tx = db.begin().await?;
    lock_item(&mut tx, v.item_id, before.department_id, before.year).await?;
    let changed = tx
        .execute(
            "UPDATE plan_rows SET item_id = $1, content = $2, objects = $3, ratio = $4,
                    frequency = $5, target_count = $6, period = $7, position = $8, updated_at = $9
              WHERE id = $10 AND removed_at IS NULL",
            args![
                v.item_id,
                &v.content,
                &v.objects,
                &v.ratio,
                &v.frequency,
                v.count,
                &v.period,
                v.position.unwrap_or(before.position),
                now,
                id
            ],
        )
        .await?;
    if changed != 1 {
        return Err(row_not_found().into());
    }
    let after = row_by_id(&mut tx, id).await?.ok_or_else(row_not_found)?;
    commit_audited(
        tx,
        now,
        who,
        "plan_row.update",
        "plan_row",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn remove_row(
    mut db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    id: i64,
) -> StoreResult<()> {
    let before = row_by_id(&mut db, id).await?.ok_or_else(row_not_found)?;
    plans::ensure_edit(who, before.department_id)?;
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            "UPDATE plan_rows SET removed_at = $1, updated_at = $1
              WHERE id = $2 AND removed_at IS NULL",
            args![now, id],
        )
        .await?;
    if changed != 1 {
        return Err(row_not_found().into());
    }
    commit_audited(
        tx,
        now,
        who,
        "plan_row.remove",
        "plan_row",
        id,
        Some(&before),
        None::<&()>,
    )
    .await?;
    Ok(())
}

/// Refuses a year whose list or plan already has live rows.
async fn ensure_empty(tx: &mut Tx, department_id: i64, year: i64) -> StoreResult<()> {
    let n = tx
        .scalar_i64(
            "SELECT (SELECT COUNT(*) FROM plan_items
                      WHERE department_id = $1 AND year = $2 AND removed_at IS NULL)
                  + (SELECT COUNT(*) FROM plan_rows
                      WHERE department_id = $1 AND year = $2 AND removed_at IS NULL)",
            args![department_id, year],
        )
        .await?;
    if n > 0 {
        return Err(DomainError::conflict(
            "conflict",
            format!("{year}年度已有事项清单或检查计划，不能再复制上一年度；请在现有基础上增删修改"),
        )
        .on("year")
        .into());
    }
    Ok(())
}

/// Writes a list and plan into an empty year, with one audit entry per row.
/// `items` carry the id they were copied from; `rows` the index of their item.
#[allow(clippy::too_many_arguments)]
async fn write_sheet(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    department_id: i64,
    year: i64,
    items: &[(ValidItem, Option<i64>)],
    rows: &[(usize, ValidPlanRow, Option<i64>)],
    action: &str,
) -> StoreResult<(usize, usize)> {
    let item_rows: Vec<Vec<Arg>> = items
        .iter()
        .enumerate()
        .map(|(i, (v, from))| {
            args![
                department_id,
                year,
                &v.code,
                &v.name,
                &v.content,
                &v.objects,
                &v.basis,
                v.position.unwrap_or(i as i64 + 1),
                v.rectify_days,
                *from,
                now,
                now
            ]
        })
        .collect();
    let ids: Vec<i64> = insert_rows(
        tx,
        "plan_items",
        &[
            "department_id",
            "year",
            "code",
            "name",
            "content",
            "objects",
            "basis",
            "position",
            "rectify_days",
            "copied_from_id",
            "created_at",
            "updated_at",
        ],
        item_rows,
        "id",
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            DomainError::conflict("duplicate", "事项清单中有重复的编码")
                .on("code")
                .into()
        } else {
            e
        }
    })?
    .iter()
    .map(|r| r.get::<i64>("id"))
    .collect::<StoreResult<_>>()?;
    if ids.len() != items.len() {
        return Err(crate::StoreError::internal("plan items not all inserted"));
    }
    let mut plan_rows: Vec<Vec<Arg>> = Vec::with_capacity(rows.len());
    for (i, (item, v, from)) in rows.iter().enumerate() {
        let item_id = *ids
            .get(*item)
            .ok_or_else(|| crate::StoreError::internal("plan row names no item"))?;
        plan_rows.push(args![
            department_id,
            year,
            item_id,
            &v.content,
            &v.objects,
            &v.ratio,
            &v.frequency,
            v.count,
            &v.period,
            v.position.unwrap_or(i as i64 + 1),
            *from,
            now,
            now
        ]);
    }
    if !plan_rows.is_empty() {
        insert_rows(
            tx,
            "plan_rows",
            &[
                "department_id",
                "year",
                "item_id",
                "content",
                "objects",
                "ratio",
                "frequency",
                "target_count",
                "period",
                "position",
                "copied_from_id",
                "created_at",
                "updated_at",
            ],
            plan_rows,
            "",
        )
        .await?;
    }
    let mut entries: Vec<Entry> = Vec::new();
    for item in items_in(tx, department_id, year).await? {
        entries.push(Entry::of(Change::<(), _> {
            action: &format!("plan_item.{action}"),
            entity: "plan_item",
            entity_id: item.id.to_string(),
            before: None,
            after: Some(&item),
        }));
    }
    for row in rows_in(tx, department_id, year).await? {
        entries.push(Entry::of(Change::<(), _> {
            action: &format!("plan_row.{action}"),
            entity: "plan_row",
            entity_id: row.id.to_string(),
            before: None,
            after: Some(&row),
        }));
    }
    audit::record_many(tx, now, actor, entries).await?;
    Ok((items.len(), rows.len()))
}

/// 复制上一年度: year `year`'s list and plan from `year - 1`'s, refused when
/// `year` already has rows or the year before has no list. 实施时间 moves
/// by a year (`2025年4月—11月` → `2026年4月—11月`).
pub async fn copy_previous(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    department_id: i64,
    year: i64,
) -> StoreResult<Copied> {
    editable(db, who, department_id).await?;
    let year = plans::check_year(year)?;
    let from = year - 1;
    let mut tx = db.begin().await?;
    ensure_empty(&mut tx, department_id, year).await?;
    let old_items = items_in(&mut tx, department_id, from).await?;
    if old_items.is_empty() {
        return Err(DomainError::field(
            "year",
            "nothing_to_copy",
            format!("{from}年度没有事项清单，无可复制；请逐项添加{year}年度的事项"),
        )
        .into());
    }
    let index: HashMap<i64, usize> = old_items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id, i))
        .collect();
    let items: Vec<(ValidItem, Option<i64>)> = old_items
        .iter()
        .map(|i| {
            (
                ValidItem {
                    code: i.code.clone(),
                    name: i.name.clone(),
                    content: i.content.clone(),
                    objects: i.objects.clone(),
                    basis: i.basis.clone(),
                    position: Some(i.position),
                    rectify_days: i.rectify_days,
                },
                Some(i.id),
            )
        })
        .collect();
    let mut rows: Vec<(usize, ValidPlanRow, Option<i64>)> = Vec::new();
    for r in rows_in(&mut tx, department_id, from).await? {
        let Some(&item) = index.get(&r.item_id) else {
            continue;
        };
        rows.push((
            item,
            ValidPlanRow {
                item_id: 0,
                content: r.content,
                objects: r.objects,
                ratio: r.ratio,
                frequency: r.frequency,
                count: r.count,
                period: plans::shift_period(&r.period, from, year),
                position: Some(r.position),
            },
            Some(r.id),
        ));
    }
    let (items, rows) = write_sheet(
        &mut tx,
        now,
        &Actor::from(who),
        department_id,
        year,
        &items,
        &rows,
        "copy",
    )
    .await?;
    tx.commit().await?;
    Ok(Copied {
        from_year: from,
        year,
        items,
        rows,
    })
}

/// 使用业务条线模板: a department with no list for the year starts one from
/// its business line's template items (codes, names, 检查对象, 检查依据), to
/// edit afterwards. Refused when the year already has rows.
pub async fn from_template(
    db: &Db,
    now: DateTime<Utc>,
    who: &Principal,
    department_id: i64,
    year: i64,
) -> StoreResult<usize> {
    editable(db, who, department_id).await?;
    let year = plans::check_year(year)?;
    let mut tx = db.begin().await?;
    ensure_empty(&mut tx, department_id, year).await?;
    let items: Vec<(ValidItem, Option<i64>)> = tx
        .fetch_all(
            "SELECT s.code, s.name, s.objects, s.basis, s.position FROM supervision_items s
               JOIN departments d ON d.business_line = s.business_line
              WHERE d.id = $1 ORDER BY s.position, s.id",
            args![department_id],
        )
        .await?
        .iter()
        .map(|r| {
            let name: String = r.get("name")?;
            Ok((
                ValidItem {
                    code: r.get("code")?,
                    content: name.clone(),
                    name,
                    objects: r.get("objects")?,
                    basis: r.get("basis")?,
                    position: Some(r.get("position")?),
                    rectify_days: None,
                },
                None,
            ))
        })
        .collect::<StoreResult<_>>()?;
    if items.is_empty() {
        return Err(DomainError::conflict(
            "no_template",
            "本处室所属业务条线没有事项模板，请逐项添加检查事项",
        )
        .into());
    }
    let (n, _) = write_sheet(
        &mut tx,
        now,
        &Actor::from(who),
        department_id,
        year,
        &items,
        &[],
        "template",
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Writes a whole list and plan into a department's empty year, inside the
/// caller's transaction (the demo loader). Refused when the year has rows.
pub async fn insert_sheet(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    department_id: i64,
    year: i64,
    sheet: &NewSheet,
) -> StoreResult<(usize, usize)> {
    let year = plans::check_year(year)?;
    ensure_empty(tx, department_id, year).await?;
    let items: Vec<(ValidItem, Option<i64>)> =
        sheet.items.iter().map(|v| (v.clone(), None)).collect();
    let rows: Vec<(usize, ValidPlanRow, Option<i64>)> = sheet
        .rows
        .iter()
        .map(|(i, v)| (*i, v.clone(), None))
        .collect();
    write_sheet(tx, now, actor, department_id, year, &items, &rows, "create").await
}
