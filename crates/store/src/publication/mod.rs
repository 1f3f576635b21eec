//! 一公开 in storage (RES-2): the public record of every completed
//! inspection, versioned so that the open dataset of any past date can be
//! rebuilt exactly.
//!
//! - A task that completes gets a `publications` row in the same
//!   transaction ([`schedule`]); its due date is counted by the calendar.
//! - The unit's office may release it at once ([`release`]); the job
//!   publishes every row past its due date ([`job::publish_due`]).
//! - Publishing copies the record ([`compose::compose`]) into
//!   `published_results` as version 1; the job brings records up to date
//!   when a rectification or result changes ([`job::refresh`]), by closing
//!   the current version and adding the next.
//!
//! Readers: [`search`] and [`get`] for the public pages, [`dataset`] for the
//! open data files, [`waiting`] for the office.

pub mod compose;
pub mod dataset;
pub mod job;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yici_domain::draw::task::TaskStatus;
use yici_domain::org::{Principal, Role};
use yici_domain::publication::{Calendar, Outcome};
use yici_domain::registry::enterprise::CreditGrade;
use yici_domain::DomainError;

use crate::audit::{self, Change};
use crate::db::{Db, Exec, Row, Sql, Tx};
use crate::error::StoreResult;
use crate::org::parse_code;
use crate::Actor;

pub use compose::Content;

/// One published record: a version of a task's public content.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicResult {
    pub task_id: i64,
    /// 1 at publication, then one more each time the content changed.
    pub version: i64,
    /// When the result was first made public.
    pub published_at: DateTime<Utc>,
    /// When this version replaced the previous one (= `published_at` for 1).
    pub updated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub content: Content,
}

pub(crate) const COLUMNS: &str = "task_id, version, published_at, valid_from, year, unit_id,
    unit_name, county_code, county_name, enterprise_id, enterprise_name, uscc, department_ids,
    departments, items, inspected_on, source, outcome, problem_count, problems, rectification,
    draw_id";

pub(crate) fn from_row(r: &Row) -> StoreResult<PublicResult> {
    use yici_domain::draw::caps::TaskSource;
    use yici_domain::publication::RectificationProgress;
    let ids: String = r.get("department_ids")?;
    Ok(PublicResult {
        task_id: r.get("task_id")?,
        version: r.get("version")?,
        published_at: r.get("published_at")?,
        updated_at: r.get("valid_from")?,
        content: Content {
            year: r.get("year")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            enterprise_id: r.get("enterprise_id")?,
            enterprise_name: r.get("enterprise_name")?,
            uscc: r.get("uscc")?,
            department_ids: ids.split(',').filter_map(|s| s.parse().ok()).collect(),
            departments: r.get("departments")?,
            items: r.get("items")?,
            inspected_on: r.get("inspected_on")?,
            source: parse_code(&r.get::<String>("source")?, TaskSource::parse)?,
            outcome: parse_code(&r.get::<String>("outcome")?, Outcome::parse)?,
            problem_count: r.get("problem_count")?,
            problems: r.get("problems")?,
            rectification: parse_code(
                &r.get::<String>("rectification")?,
                RectificationProgress::parse,
            )?,
            draw_id: r.get("draw_id")?,
        },
    })
}

/// `,3,8,`: one text column the department filter finds `,3,` in.
fn id_list(ids: &[i64]) -> String {
    let mut s = String::from(",");
    for id in ids {
        s.push_str(&id.to_string());
        s.push(',');
    }
    s
}

/// Called in the transaction that completes task `task_id`: its result is
/// now due for publication. 整改复查 visits belong to their rectification
/// and are not published on their own. The due date is left to the job and
/// the readers, which hold the calendar.
pub(crate) async fn schedule(tx: &mut Tx, task_id: i64, unit_id: i64) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO publications (task_id, unit_id)
         SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM rectifications WHERE revisit_task_id = $1)
            AND NOT EXISTS (SELECT 1 FROM publications WHERE task_id = $1)",
        crate::args![task_id, unit_id],
    )
    .await?;
    Ok(())
}

/// Publishes task `task_id` now: marks its row published (only if it was
/// not, so two publishers never both write) and writes version 1.
pub(crate) async fn publish(tx: &mut Tx, now: DateTime<Utc>, task_id: i64) -> StoreResult<bool> {
    let marked = tx
        .execute(
            "UPDATE publications SET published_at = $2 WHERE task_id = $1 AND published_at IS NULL",
            crate::args![task_id, now],
        )
        .await?;
    if marked == 0 {
        return Ok(false);
    }
    let content = compose::compose(tx, task_id, yici_domain::time::business_date(now)).await?;
    insert_version(tx, task_id, 1, now, now, &content).await?;
    Ok(true)
}

pub(crate) async fn insert_version(
    tx: &mut Tx,
    task_id: i64,
    version: i64,
    published_at: DateTime<Utc>,
    valid_from: DateTime<Utc>,
    c: &Content,
) -> StoreResult<()> {
    let month = c.inspected_on.format("%Y-%m").to_string();
    tx.execute(
        &format!(
            "INSERT INTO published_results ({COLUMNS}, month)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20, $21, $22, $23)"
        ),
        crate::args![
            task_id,
            version,
            published_at,
            valid_from,
            c.year,
            c.unit_id,
            c.unit_name.as_str(),
            c.county_code.as_str(),
            c.county_name.as_str(),
            c.enterprise_id,
            c.enterprise_name.as_str(),
            c.uscc.as_str(),
            id_list(&c.department_ids),
            c.departments.as_str(),
            c.items.as_str(),
            c.inspected_on,
            c.source.as_str(),
            c.outcome.as_str(),
            c.problem_count,
            c.problems.as_str(),
            c.rectification.as_str(),
            c.draw_id,
            month
        ],
    )
    .await?;
    Ok(())
}

/// The public search (RES-2): every filter optional, `year` defaulting to
/// the caller's current year.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    pub year: Option<i64>,
    /// The inspecting unit.
    pub unit: Option<i64>,
    /// The enterprise's county (6-digit GB/T 2260 code).
    pub county: Option<String>,
    /// A department that took part.
    pub department: Option<i64>,
    /// `passed`, `not_passed` or `other` (or 通过行政检查 / 未通过行政检查 / 其他).
    pub outcome: Option<String>,
    /// `2026-12`: inspected in that month.
    pub month: Option<String>,
    /// Part of the enterprise's name, or the start of its USCC (6+ letters
    /// and digits).
    pub q: Option<String>,
    /// 1-based.
    pub page: Option<i64>,
}

pub const PAGE_SIZE: i64 = 20;

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The WHERE clause of a filter over the current versions (`valid_to IS
/// NULL`), every value bound. Bad values are refused with their field.
pub(crate) fn condition(f: &Filter, this_year: i64) -> StoreResult<Sql> {
    let year = f.year.unwrap_or(this_year);
    if !(2000..=2100).contains(&year) {
        return Err(DomainError::field("year", "invalid", "年度有误").into());
    }
    let mut sql = Sql::with("valid_to IS NULL AND year = $1", crate::args![year]);
    if let Some(unit) = f.unit {
        sql.push(" AND unit_id = ").push_bind(unit);
    }
    if let Some(c) = given(&f.county) {
        if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::field("county", "invalid", "区县代码应为6位数字").into());
        }
        sql.push(" AND county_code = ").push_bind(c);
    }
    if let Some(d) = f.department {
        sql.push(" AND instr(department_ids, ")
            .push_bind(format!(",{d},"))
            .push(") > 0");
    }
    if let Some(o) = given(&f.outcome) {
        let o = Outcome::parse(o).ok_or_else(|| {
            DomainError::field(
                "outcome",
                "invalid",
                "检查结果应为通过行政检查、未通过行政检查或其他",
            )
        })?;
        sql.push(" AND outcome = ").push_bind(o.as_str());
    }
    if let Some(m) = given(&f.month) {
        let ok = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_ok() && m.len() == 7;
        if !ok {
            return Err(DomainError::field("month", "invalid", "月份格式应为 2026-12").into());
        }
        sql.push(" AND month = ").push_bind(m);
    }
    if let Some(q) = given(&f.q) {
        if q.chars().count() > 60 {
            return Err(DomainError::field("q", "too_long", "关键词不超过60个字").into());
        }
        if q.len() >= 6 && q.bytes().all(|b| b.is_ascii_alphanumeric()) {
            // The start of a USCC: a range on its index.
            let start = q.to_ascii_uppercase();
            let mut end = start.clone();
            end.push('~');
            sql.push(" AND uscc >= ")
                .push_bind(start)
                .push(" AND uscc < ")
                .push_bind(end);
        } else {
            // A substring test on the index entries, in page order. (An index
            // of the names' characters, as the registry's, made PostgreSQL
            // slower here: the benchmark's keywords are of common characters.)
            sql.push(" AND instr(enterprise_name, ")
                .push_bind(q)
                .push(") > 0");
        }
    }
    Ok(sql)
}

/// Matches counted at most: beyond it the page says 1000+ (counting a
/// year's 170,000 results would cost more than the search itself).
pub const COUNT_LIMIT: i64 = 1_000;

/// A page of the search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page {
    /// Matching results, counted up to [`COUNT_LIMIT`]; see `more`.
    pub total: i64,
    /// More than `total` match (shown as 1000+).
    pub more: bool,
    pub page: i64,
    pub page_size: i64,
    pub rows: Vec<PublicResult>,
}

/// The public search: newest visits first. One walk of the index finds the
/// matches in page order, up to [`COUNT_LIMIT`] + 1 of them and their ids
/// only: their number is the count, and the page's 20 are then read by id.
/// (Counting and paging in two statements walked the index twice: for a
/// rare name keyword, the whole year's entries twice.)
pub async fn search(mut db: &Db, f: &Filter, this_year: i64) -> StoreResult<Page> {
    let cond = condition(f, this_year)?;
    let page = f.page.unwrap_or(1).clamp(1, COUNT_LIMIT / PAGE_SIZE);
    let (sql, args) = Sql::new("SELECT task_id FROM published_results WHERE ")
        .push_sql(&cond)
        .push(" ORDER BY inspected_on DESC, task_id DESC LIMIT ")
        .push_bind(COUNT_LIMIT + 1)
        .build();
    let matching: Vec<i64> = db
        .fetch_all(&sql, args)
        .await?
        .iter()
        .map(|r| r.get("task_id"))
        .collect::<StoreResult<_>>()?;
    let counted = matching.len() as i64;
    let shown: Vec<i64> = matching
        .into_iter()
        .skip(((page - 1) * PAGE_SIZE) as usize)
        .take(PAGE_SIZE as usize)
        .collect();
    let rows = if shown.is_empty() {
        Vec::new()
    } else {
        let mut sql = Sql::new(&format!(
            "SELECT {COLUMNS} FROM published_results WHERE valid_to IS NULL AND task_id IN ("
        ));
        for (i, id) in shown.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push_bind(*id);
        }
        let (sql, args) = sql
            .push(") ORDER BY inspected_on DESC, task_id DESC")
            .build();
        db.fetch_all(&sql, args)
            .await?
            .iter()
            .map(from_row)
            .collect::<StoreResult<_>>()?
    };
    Ok(Page {
        total: counted.min(COUNT_LIMIT),
        more: counted > COUNT_LIMIT,
        page,
        page_size: PAGE_SIZE,
        rows,
    })
}

/// The current public record of task `task_id`, and its earlier versions
/// (newest first); not found unless published.
pub async fn get(mut db: &Db, task_id: i64) -> StoreResult<(PublicResult, Vec<PublicResult>)> {
    let mut all = db
        .fetch_all(
            &format!(
                "SELECT {COLUMNS} FROM published_results WHERE task_id = $1 ORDER BY version DESC"
            ),
            crate::args![task_id],
        )
        .await?
        .iter()
        .map(from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    if all.is_empty() {
        return Err(DomainError::not_found("检查结果不存在或尚未公开").into());
    }
    let current = all.remove(0);
    Ok((current, all))
}

/// An enterprise's credit grade as the public sees it beside its results
/// (RES-3: anyone may see why a grade changed): the current grade and
/// 正面清单, and every change with its reason — without who made it, and
/// with long numbers in the reasons masked as in the results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCredit {
    /// 环境信用等级 A–E; null when not rated.
    pub grade: Option<CreditGrade>,
    /// As shown: `B级`, or 未评价.
    pub grade_label: String,
    /// 正面清单.
    pub positive_list: bool,
    /// Newest first.
    pub changes: Vec<PublicGradeChange>,
}

/// One change of an enterprise's grade or 正面清单.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicGradeChange {
    pub at: DateTime<Utc>,
    pub grade_from: Option<CreditGrade>,
    pub grade_from_label: String,
    pub grade_to: Option<CreditGrade>,
    pub grade_to_label: String,
    pub positive_list_from: bool,
    pub positive_list_to: bool,
    pub reason: String,
}

/// The public credit of enterprise `enterprise_id` (callers show it only
/// beside a published result).
pub async fn public_credit(mut db: &Db, enterprise_id: i64) -> StoreResult<PublicCredit> {
    let credit = crate::credit::of_enterprise(&mut db, enterprise_id).await?;
    Ok(PublicCredit {
        grade: credit.credit_grade,
        grade_label: credit.credit_grade_label,
        positive_list: credit.positive_list,
        changes: credit
            .history
            .into_iter()
            .map(|h| PublicGradeChange {
                at: h.at,
                grade_from: h.grade_from,
                grade_from_label: h.grade_from_label,
                grade_to: h.grade_to,
                grade_to_label: h.grade_to_label,
                positive_list_from: h.positive_list_from,
                positive_list_to: h.positive_list_to,
                reason: yici_domain::publication::mask_numbers(&h.reason),
            })
            .collect(),
    })
}

/// The units that have published results in `year`, for the unit filter.
pub async fn units_of_year(mut db: &Db, year: i64) -> StoreResult<Vec<(i64, String)>> {
    db.fetch_all(
        "SELECT u.id, u.name FROM units u
          WHERE EXISTS (SELECT 1 FROM published_results p
                         WHERE p.unit_id = u.id AND p.year = $1 AND p.valid_to IS NULL)
          ORDER BY u.region_code, u.id",
        crate::args![year],
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("id")?, r.get("name")?)))
    .collect()
}

/// A completed task of the office's unit and where its publication stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Waiting {
    pub task_id: i64,
    pub enterprise_name: String,
    pub department_name: String,
    pub completed_at: DateTime<Utc>,
    /// The latest day it is published by itself.
    pub due_on: NaiveDate,
}

/// Who may release results: the unit's office (办公室) and its head.
pub fn may_release(p: &Principal) -> bool {
    p.has(Role::OfficeClerk) || p.has(Role::UnitHead)
}

fn unit_of_releaser(p: &Principal) -> StoreResult<i64> {
    if !may_release(p) {
        return Err(DomainError::forbidden("只有本单位办公室或单位负责人可以公开检查结果").into());
    }
    p.unit_id
        .ok_or_else(|| DomainError::forbidden("未归属单位").into())
}

/// The unit's completed tasks not yet public, soonest due first.
pub async fn waiting(
    mut db: &Db,
    principal: &Principal,
    calendar: &Calendar,
) -> StoreResult<Vec<Waiting>> {
    let unit = unit_of_releaser(principal)?;
    let rows = db
        .fetch_all(
            "SELECT p.task_id, p.due_on, t.completed_at, e.name AS enterprise_name,
                    d.name AS department_name
               FROM publications p
               JOIN tasks t ON t.id = p.task_id
               JOIN enterprises e ON e.id = t.enterprise_id
               JOIN departments d ON d.id = t.department_id
              WHERE p.unit_id = $1 AND p.published_at IS NULL
              ORDER BY t.completed_at, p.task_id",
            crate::args![unit],
        )
        .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let completed_at: DateTime<Utc> = r.get("completed_at")?;
            let due_on = r
                .get::<Option<NaiveDate>>("due_on")?
                .unwrap_or_else(|| calendar.due_on(yici_domain::time::business_date(completed_at)));
            Ok(Waiting {
                task_id: r.get("task_id")?,
                enterprise_name: r.get("enterprise_name")?,
                department_name: r.get("department_name")?,
                completed_at,
                due_on,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    out.sort_by_key(|w| (w.due_on, w.task_id));
    Ok(out)
}

/// How many results [`waiting`] would list, and the soonest date one of
/// them is published by the job (the home page's 待办).
pub async fn waiting_summary(
    mut db: &Db,
    principal: &Principal,
    calendar: &Calendar,
) -> StoreResult<(i64, Option<NaiveDate>)> {
    let unit = unit_of_releaser(principal)?;
    // A row without a stored due date is due by the calendar from its
    // completion, which only grows with the completion: the earliest such
    // completion gives the earliest such date.
    let row = db
        .fetch_one(
            "SELECT COUNT(*) AS n, MIN(p.due_on) AS due_on,
                    MIN(CASE WHEN p.due_on IS NULL THEN t.completed_at END) AS completed_at
               FROM publications p JOIN tasks t ON t.id = p.task_id
              WHERE p.unit_id = $1 AND p.published_at IS NULL",
            crate::args![unit],
        )
        .await?;
    let stored: Option<NaiveDate> = row.get("due_on")?;
    let computed = row
        .get::<Option<DateTime<Utc>>>("completed_at")?
        .map(|at| calendar.due_on(yici_domain::time::business_date(at)));
    let soonest = [stored, computed].into_iter().flatten().min();
    Ok((row.get("n")?, soonest))
}

/// The office releases task `task_id`: published at once. Refused for a
/// task of another unit (as if missing), one not completed, or one already
/// public; nothing written then.
pub async fn release(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
) -> StoreResult<PublicResult> {
    let unit = unit_of_releaser(principal)?;
    let mut tx = db.begin().await?;
    let task = tx
        .fetch_optional(
            "SELECT status, unit_id FROM tasks WHERE id = $1",
            crate::args![task_id],
        )
        .await?
        .filter(|r| r.get::<i64>("unit_id").ok() == Some(unit))
        .ok_or_else(|| DomainError::not_found("任务不存在或无权查看"))?;
    if parse_code(&task.get::<String>("status")?, TaskStatus::parse)? != TaskStatus::Completed {
        return Err(DomainError::conflict(
            "not_completed",
            "检查尚未完成（各参与处室均提交检查结果后完成），不能公开",
        )
        .into());
    }
    let row = tx
        .fetch_optional(
            "SELECT published_at FROM publications WHERE task_id = $1",
            crate::args![task_id],
        )
        .await?
        .ok_or_else(|| {
            DomainError::conflict(
                "not_published_alone",
                "整改复查的结果随整改情况公开，不单独公开",
            )
        })?;
    if row.get::<Option<DateTime<Utc>>>("published_at")?.is_some() {
        return Err(DomainError::conflict("already_published", "该检查结果已公开").into());
    }
    tx.execute(
        "UPDATE publications SET released_at = $2, released_by = $3, released_by_name = $4
          WHERE task_id = $1",
        crate::args![
            task_id,
            now,
            principal.person_id,
            principal.display_name.as_str()
        ],
    )
    .await?;
    if !publish(&mut tx, now, task_id).await? {
        return Err(DomainError::conflict("already_published", "该检查结果已公开").into());
    }
    let record = current(&mut tx, task_id).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change::<(), PublicResult> {
            action: "result.published",
            entity: "task",
            entity_id: task_id.to_string(),
            before: None,
            after: Some(&record),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

pub(crate) async fn current(e: &mut impl Exec, task_id: i64) -> StoreResult<PublicResult> {
    let row = e
        .fetch_one(
            &format!(
                "SELECT {COLUMNS} FROM published_results WHERE task_id = $1 AND valid_to IS NULL"
            ),
            crate::args![task_id],
        )
        .await?;
    from_row(&row)
}

/// Whether task `task_id` is public (for the pages that link to it).
pub async fn is_published(mut db: &Db, task_id: i64) -> StoreResult<bool> {
    Ok(db
        .fetch_optional(
            "SELECT 1 AS x FROM published_results WHERE task_id = $1 AND valid_to IS NULL",
            crate::args![task_id],
        )
        .await?
        .is_some())
}
