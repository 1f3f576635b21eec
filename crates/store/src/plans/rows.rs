//! 抽查计划 rows: creating, editing and removing them; each points at an
//! item of the same department and year.

use super::items::lock_item;
use super::*;

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

pub(super) fn row_not_found() -> DomainError {
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
