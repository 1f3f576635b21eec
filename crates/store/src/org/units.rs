//! Units (ORG-1, ORG-8).

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::org::account_name;
use yici_domain::org::{Sector, UnitLevel};
use yici_domain::{region, DomainError, ErrorKind};

use super::parse_code;
use crate::audit::{self, Change};
use crate::db::{Exec, Row, Tx};
use crate::error::StoreResult;
use crate::{args, Actor};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub short_name: String,
    pub level: UnitLevel,
    pub sector: Sector,
    pub region_code: String,
    /// Prefix of the unit's secretary accounts (ORG-3).
    pub account_prefix: String,
    pub created_at: DateTime<Utc>,
    /// Whether its 办公室 (departments of business line 综合) is invited to
    /// its joint inspections; by default it is not (it inspects nothing).
    pub joint_invites_general: bool,
    /// When the unit was disabled (停用): offered for no new work, its
    /// history kept. `None` while in use.
    pub disabled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub parent_id: Option<i64>,
    pub name: String,
    pub short_name: String,
    pub level: UnitLevel,
    pub sector: Sector,
    pub region_code: String,
}

const COLUMNS: &str = "id, parent_id, name, short_name, level, sector, region_code, account_prefix,
    created_at, joint_invites_general, disabled_at";

fn from_row(r: &Row) -> StoreResult<Unit> {
    Ok(Unit {
        id: r.get("id")?,
        parent_id: r.get("parent_id")?,
        name: r.get("name")?,
        short_name: r.get("short_name")?,
        level: parse_code(&r.get::<String>("level")?, UnitLevel::parse)?,
        sector: parse_code(&r.get::<String>("sector")?, Sector::parse)?,
        region_code: r.get("region_code")?,
        account_prefix: r.get("account_prefix")?,
        created_at: r.get("created_at")?,
        joint_invites_general: r.get("joint_invites_general")?,
        disabled_at: r.get("disabled_at")?,
    })
}

/// Who may choose whether a unit's 办公室 is invited: the system
/// administrator, and the unit's own head.
pub fn may_set_invitations(p: &yici_domain::org::Principal, unit_id: i64) -> bool {
    use yici_domain::org::Role;
    p.has(Role::SystemAdmin) || (p.has(Role::UnitHead) && p.unit_id == Some(unit_id))
}

/// Sets whether unit `id` invites its 办公室 to the joint inspections of
/// its later extractions (tasks already drawn keep their participants).
pub async fn set_joint_invites_general(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &yici_domain::org::Principal,
    id: i64,
    invite: bool,
) -> StoreResult<Unit> {
    if !may_set_invitations(principal, id) {
        return Err(DomainError::forbidden("只有系统管理员或本单位负责人可以设置").into());
    }
    let before = get(tx, id)
        .await?
        .ok_or_else(|| DomainError::not_found("单位不存在"))?;
    tx.execute(
        "UPDATE units SET joint_invites_general = $2 WHERE id = $1",
        args![id, invite],
    )
    .await?;
    let after = Unit {
        joint_invites_general: invite,
        ..before.clone()
    };
    audit::record(
        tx,
        now,
        &Actor::from(principal),
        Change {
            action: "unit.joint_invitations",
            entity: "unit",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

pub async fn create(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    new: NewUnit,
) -> StoreResult<Unit> {
    if new.name.trim().is_empty() {
        return Err(DomainError::required("name", "单位名称").into());
    }
    let account_prefix = account_name::unit_prefix(&new.region_code).ok_or_else(|| {
        DomainError::field(
            "region_code",
            "unknown_region",
            format!("行政区划代码“{}”不在GB/T 2260中", new.region_code),
        )
    })?;
    if let Some(parent_id) = new.parent_id {
        let parent = get(tx, parent_id).await?.ok_or_else(|| {
            DomainError::new(ErrorKind::NotFound, "not_found", "上级单位不存在").on("parent_id")
        })?;
        if parent.disabled_at.is_some() {
            return Err(DomainError::field(
                "parent_id",
                "disabled",
                format!("上级单位“{}”已停用", parent.name),
            )
            .into());
        }
        if new.sector == Sector::Ecology && parent.level.below() != Some(new.level) {
            return Err(DomainError::field(
                "level",
                "invalid_level",
                format!(
                    "{}的下级单位应为{}",
                    parent.level.label(),
                    level_below_label(parent.level)
                ),
            )
            .into());
        }
    }
    let row = tx
        .fetch_one(
            &format!(
                "INSERT INTO units (parent_id, name, short_name, level, sector, region_code, account_prefix, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
            ),
            args![
                new.parent_id,
                new.name.trim(),
                new.short_name.trim(),
                new.level.as_str(),
                new.sector.as_str(),
                &new.region_code,
                &account_prefix,
                now
            ],
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                DomainError::conflict("duplicate", "单位名称已存在").on("name").into()
            } else {
                e
            }
        })?;
    let unit = from_row(&row)?;
    audit::record(
        tx,
        now,
        actor,
        Change::<(), _> {
            action: "unit.create",
            entity: "unit",
            entity_id: unit.id.to_string(),
            before: None,
            after: Some(&unit),
        },
    )
    .await?;
    Ok(unit)
}

/// A unit's new name and state (重命名, 停用/启用), from the 单位与处室 page
/// or the API.
#[derive(Debug, Clone)]
pub struct UnitChange {
    pub name: String,
    pub short_name: String,
    pub disabled: bool,
}

/// Renames, disables or enables a unit (system administrator). A unit is
/// disabled only when nothing in it is still in use — no enabled
/// department, no enabled subordinate unit — so a disabled unit never has
/// live work hanging from it. Secretary logins keep their names (ORG-3).
pub async fn update(
    tx: &mut Tx,
    now: DateTime<Utc>,
    principal: &yici_domain::org::Principal,
    id: i64,
    change: UnitChange,
) -> StoreResult<Unit> {
    use yici_domain::org::Role;
    principal.ensure(Role::SystemAdmin)?;
    let before = get(tx, id)
        .await?
        .ok_or_else(|| DomainError::not_found("单位不存在"))?;
    let name = change.name.trim();
    if name.is_empty() {
        return Err(DomainError::required("name", "单位名称").into());
    }
    let short_name = Some(change.short_name.trim())
        .filter(|s| !s.is_empty())
        .unwrap_or(name);
    if change.disabled && before.disabled_at.is_none() {
        let live_departments = tx
            .scalar_i64(
                "SELECT COUNT(*) FROM departments WHERE unit_id = $1 AND disabled_at IS NULL",
                args![id],
            )
            .await?;
        let live_children = tx
            .scalar_i64(
                "SELECT COUNT(*) FROM units WHERE parent_id = $1 AND disabled_at IS NULL",
                args![id],
            )
            .await?;
        if live_departments > 0 || live_children > 0 {
            return Err(DomainError::conflict(
                "in_use",
                format!(
                    "{}尚有{}个启用的处室、{}个启用的下级单位，请先停用后再停用本单位",
                    before.name, live_departments, live_children
                ),
            )
            .on("disabled")
            .into());
        }
    }
    if !change.disabled && before.disabled_at.is_some() {
        if let Some(parent) = before.parent_id {
            let parent = get(tx, parent).await?.expect("parent exists");
            if parent.disabled_at.is_some() {
                return Err(DomainError::conflict(
                    "parent_disabled",
                    format!("上级单位“{}”已停用，请先启用上级单位", parent.name),
                )
                .on("disabled")
                .into());
            }
        }
    }
    let disabled_at = super::disabled_since(change.disabled, before.disabled_at, now);
    tx.execute(
        "UPDATE units SET name = $2, short_name = $3, disabled_at = $4 WHERE id = $1",
        args![id, name, short_name, disabled_at],
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            DomainError::conflict("duplicate", "单位名称已存在")
                .on("name")
                .into()
        } else {
            e
        }
    })?;
    let after = get(tx, id).await?.expect("unit exists");
    audit::record(
        tx,
        now,
        &Actor::from(principal),
        Change {
            action: "unit.update",
            entity: "unit",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

fn level_below_label(level: UnitLevel) -> &'static str {
    level.below().map(UnitLevel::label).unwrap_or("（无）")
}

pub async fn get(e: &mut impl Exec, id: i64) -> StoreResult<Option<Unit>> {
    e.fetch_optional(
        &format!("SELECT {COLUMNS} FROM units WHERE id = $1"),
        args![id],
    )
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Every unit, parents before children (the tree in display order).
pub async fn list(e: &mut impl Exec) -> StoreResult<Vec<Unit>> {
    let rows = e
        .fetch_all(
            &format!(
                "SELECT {COLUMNS} FROM units
                 ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1 ELSE 2 END,
                          sector, region_code, id"
            ),
            vec![],
        )
        .await?;
    rows.iter().map(from_row).collect()
}

/// Region name path for display: 河北省 / 唐山市 / 玉田县.
pub fn region_path(code: &str) -> String {
    [
        region::province_of(code),
        region::city_of(code),
        region::lookup(code),
    ]
    .into_iter()
    .flatten()
    .map(|r| r.name)
    .fold(Vec::<&str>::new(), |mut acc, n| {
        if acc.last() != Some(&n) {
            acc.push(n);
        }
        acc
    })
    .join(" / ")
}
