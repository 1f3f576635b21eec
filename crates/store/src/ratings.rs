//! 检查评价 in storage (RES-4): an enterprise rates each completed inspection
//! of its own once; the ratings are read by the office and the leaders of
//! the unit that ran the inspection, never by its inspectors or departments.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::draw::task::TaskStatus;
use yici_domain::org::Principal;
use yici_domain::ratings::{self as rules, RatingInput};
use yici_domain::DomainError;

use crate::audit::{self, Change};
use crate::db::{Db, Exec, Row};
use crate::error::StoreResult;
use crate::field::enterprise_inspections::{enterprise_of, visited};
use crate::org::parse_code;
use crate::Actor;

/// One rating, with the inspection it is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rating {
    pub id: i64,
    pub task_id: i64,
    /// The inspection's year (as the task list files it).
    pub year: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub enterprise_uscc: String,
    /// 发起处室 of the inspection.
    pub initiator_department: String,
    /// 执法人员行为规范, 1–5.
    pub conduct: i64,
    /// 对生产经营的干扰程度, 1–5 (5 = 无干扰).
    pub disturbance: i64,
    /// 是否遵守「五个严禁」「八个不得」.
    pub discipline_kept: bool,
    pub discipline_breach: Option<String>,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT r.id, r.task_id, t.year, r.enterprise_id, e.name AS enterprise_name,
        e.uscc AS enterprise_uscc, d.name AS initiator_department, r.conduct, r.disturbance,
        r.discipline_kept, r.discipline_breach, r.comment, r.rated_at
   FROM inspection_ratings r
   JOIN tasks t ON t.id = r.task_id
   JOIN enterprises e ON e.id = r.enterprise_id
   JOIN departments d ON d.id = t.department_id";

fn from_row(r: &Row) -> StoreResult<Rating> {
    Ok(Rating {
        id: r.get("id")?,
        task_id: r.get("task_id")?,
        year: r.get("year")?,
        enterprise_id: r.get("enterprise_id")?,
        enterprise_name: r.get("enterprise_name")?,
        enterprise_uscc: r.get("enterprise_uscc")?,
        initiator_department: r.get("initiator_department")?,
        conduct: r.get("conduct")?,
        disturbance: r.get("disturbance")?,
        discipline_kept: r.get("discipline_kept")?,
        discipline_breach: r.get("discipline_breach")?,
        comment: r.get("comment")?,
        rated_at: r.get("rated_at")?,
    })
}

/// Only a completed inspection is rated: the enterprise judges the whole
/// visit, results included.
pub fn may_be_rated(status: TaskStatus) -> bool {
    status == TaskStatus::Completed
}

fn already_rated() -> DomainError {
    DomainError::conflict(
        "already_rated",
        "本次检查已评价，每次检查只能评价一次，提交后不能修改",
    )
}

/// The rating of a task, if given (callers have checked who may read it).
pub(crate) async fn of_task(e: &mut impl Exec, task_id: i64) -> StoreResult<Option<Rating>> {
    e.fetch_optional(
        &format!("{SELECT} WHERE r.task_id = $1"),
        crate::args![task_id],
    )
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The principal's enterprise rates its inspection `task_id`, once. Bad
/// input is refused with its field; a second rating (even one arriving at
/// the same moment) with 409 `already_rated`, nothing written.
pub async fn rate(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    input: &RatingInput,
) -> StoreResult<Rating> {
    let enterprise = enterprise_of(db, principal).await?;
    let mut tx = db.begin().await?;
    visited(&mut tx, enterprise.id, task_id).await?;
    let row = tx
        .fetch_one(
            "SELECT status, unit_id FROM tasks WHERE id = $1",
            crate::args![task_id],
        )
        .await?;
    let status = parse_code(&row.get::<String>("status")?, TaskStatus::parse)?;
    let unit_id: i64 = row.get("unit_id")?;
    if of_task(&mut tx, task_id).await?.is_some() {
        return Err(already_rated().into());
    }
    if !may_be_rated(status) {
        return Err(DomainError::conflict(
            "not_completed",
            "检查尚未完成（各参与处室提交检查结果后完成），完成后才能评价",
        )
        .into());
    }
    let checked = rules::check(input)?;
    let id = tx
        .scalar_i64(
            "INSERT INTO inspection_ratings (task_id, enterprise_id, unit_id, account_id, conduct,
                    disturbance, discipline_kept, discipline_breach, comment, rated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            crate::args![
                task_id,
                enterprise.id,
                unit_id,
                principal.account_id,
                checked.conduct,
                checked.disturbance,
                checked.discipline_kept,
                checked.discipline_breach.as_deref(),
                checked.comment.as_deref(),
                now
            ],
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                already_rated().into()
            } else {
                e
            }
        })?;
    let rating = of_task(&mut tx, task_id)
        .await?
        .ok_or_else(|| DomainError::not_found("评价不存在"))?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change::<(), Rating> {
            action: "inspection.rated",
            entity: "inspection_rating",
            entity_id: id.to_string(),
            before: None,
            after: Some(&rating),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rating)
}

/// The ratings of the principal's unit for inspections of `year`, newest
/// first: for its office and leaders only (403 for everyone else).
pub async fn of_unit(mut db: &Db, principal: &Principal, year: i64) -> StoreResult<Vec<Rating>> {
    rules::ensure_may_read(principal)?;
    let unit = principal
        .unit_id
        .ok_or_else(|| DomainError::forbidden("未归属单位"))?;
    db.fetch_all(
        &format!(
            "{SELECT} WHERE r.unit_id = $1 AND t.year = $2 ORDER BY r.rated_at DESC, r.id DESC"
        ),
        crate::args![unit, year],
    )
    .await?
    .iter()
    .map(from_row)
    .collect()
}
