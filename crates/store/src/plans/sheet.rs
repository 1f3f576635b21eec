//! A whole year's list and plan at once: 复制上一年度, the template, and
//! the import of a filled sheet; each only into an empty year.

use super::*;

/// Refuses a year whose list or plan already has live rows.
pub(super) async fn ensure_empty(tx: &mut Tx, department_id: i64, year: i64) -> StoreResult<()> {
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
pub(super) async fn write_sheet(
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
