//! Supervision item lists and annual inspection plans in storage (DOC-1):
//! each department's 行政检查事项清单 ([`PlanItem`]) and 抽查计划
//! ([`PlanRow`]) per year, their progress against the department's tasks
//! ([`Progress`]), 复制上一年度, and the unit's public view.
//!
//! For other features: [`items_for`] returns a department's list of a year
//! with each item's 检查依据 (`PlanItem::basis`), from which documents fill
//! their 法律依据 (see `yici_domain::legal_basis::merged`).
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

mod items;
mod progress;
mod rows;
mod sheet;

pub use items::{create_item, remove_item, update_item};
pub use progress::{progress, public, units_with_plans};
pub use rows::{create_row, remove_row, update_row};
pub use sheet::{copy_previous, from_template, insert_sheet};

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
