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
    created_at, joint_invites_general";

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
