//! 行政检查事项清单: creating, editing and removing a department's items.
//! An item named by a live plan row can be edited but not removed.

use super::*;

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

pub(super) fn item_not_found() -> DomainError {
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
pub(super) async fn lock_item(
    tx: &mut Tx,
    item_id: i64,
    department_id: i64,
    year: i64,
) -> StoreResult<()> {
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
