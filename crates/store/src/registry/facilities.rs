//! Outlets, treatment facilities and production facilities of an enterprise
//! (the 排口信息 / 治理设施 / 生产设施 tabs).

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::registry::facility::{FacilityInput, FacilityKind, OutletInput, PollutantLimit};
use yici_domain::registry::history::{self, EditAction};
use yici_domain::{DomainError, DomainResult};

use super::edits::{self, Editor, NewEdit};
use crate::audit::{self, Change, Entry};
use crate::db::{insert_rows, Exec, Tx};
use crate::error::{StoreError, StoreResult};
use crate::{args, Actor};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Outlet {
    pub id: i64,
    pub code: String,
    /// 废气 / 废水 / 固体废物 / 噪声
    pub kind: String,
    pub name: String,
    pub pollutants: Vec<PollutantLimit>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Facility {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub process: String,
}

/// Everything an enterprise has, for its profile.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Installations {
    pub outlets: Vec<Outlet>,
    pub treatment_facilities: Vec<Facility>,
    pub production_facilities: Vec<Facility>,
}

/// Installations to add to one enterprise.
#[derive(Debug, Clone, Default)]
pub struct NewInstallations {
    pub enterprise_id: i64,
    pub outlets: Vec<OutletInput>,
    pub treatment_facilities: Vec<FacilityInput>,
    pub production_facilities: Vec<FacilityInput>,
}

impl NewInstallations {
    pub fn validate(&self) -> DomainResult<()> {
        for o in &self.outlets {
            o.validate()?;
        }
        for f in &self.treatment_facilities {
            f.validate_treatment()?;
        }
        for f in &self.production_facilities {
            f.validate_named("production_facilities")?;
        }
        Ok(())
    }
}

pub async fn of_enterprise(e: &mut impl Exec, enterprise_id: i64) -> StoreResult<Installations> {
    let mut out = Installations::default();
    for r in e
        .fetch_all(
            "SELECT id, code, kind, name, pollutants FROM outlets WHERE enterprise_id = $1 ORDER BY code",
            args![enterprise_id],
        )
        .await?
    {
        let pollutants: String = r.get("pollutants")?;
        out.outlets.push(Outlet {
            id: r.get("id")?,
            code: r.get("code")?,
            kind: r.get("kind")?,
            name: r.get("name")?,
            pollutants: serde_json::from_str(&pollutants)
                .map_err(|e| StoreError::internal(format!("outlet pollutants: {e}")))?,
        });
    }
    for r in e
        .fetch_all(
            "SELECT id, kind, code, name, process FROM facilities WHERE enterprise_id = $1 ORDER BY kind, code",
            args![enterprise_id],
        )
        .await?
    {
        let f = Facility {
            id: r.get("id")?,
            code: r.get("code")?,
            name: r.get("name")?,
            process: r.get("process")?,
        };
        if r.get::<String>("kind")? == "treatment" {
            out.treatment_facilities.push(f);
        } else {
            out.production_facilities.push(f);
        }
    }
    Ok(out)
}

/// Adds installations to many enterprises with multi-row inserts and one audit
/// entry per enterprise. Inputs must have been validated.
pub async fn insert_many(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    items: &[NewInstallations],
) -> StoreResult<()> {
    let mut outlet_rows = Vec::new();
    let mut facility_rows = Vec::new();
    let mut entries = Vec::new();
    for item in items {
        for o in &item.outlets {
            let kind = o.validate()?.kind().label();
            outlet_rows.push(args![
                item.enterprise_id,
                &o.code,
                kind,
                &o.name,
                serde_json::to_string(&o.pollutants).unwrap_or_else(|_| "[]".into())
            ]);
        }
        for (kind, list) in [
            ("treatment", &item.treatment_facilities),
            ("production", &item.production_facilities),
        ] {
            for f in list {
                facility_rows.push(args![
                    item.enterprise_id,
                    kind,
                    &f.code,
                    &f.name,
                    &f.process
                ]);
            }
        }
        if !(item.outlets.is_empty()
            && item.treatment_facilities.is_empty()
            && item.production_facilities.is_empty())
        {
            entries.push(Entry::of(Change::<(), _> {
                action: "enterprise.installations.add",
                entity: "enterprise",
                entity_id: item.enterprise_id.to_string(),
                before: None,
                after: Some(&serde_json::json!({
                    "outlets": item.outlets,
                    "treatment_facilities": item.treatment_facilities,
                    "production_facilities": item.production_facilities,
                })),
            }));
        }
    }
    insert_rows(
        tx,
        "outlets",
        &["enterprise_id", "code", "kind", "name", "pollutants"],
        outlet_rows,
        "",
    )
    .await?;
    insert_rows(
        tx,
        "facilities",
        &["enterprise_id", "kind", "code", "name", "process"],
        facility_rows,
        "",
    )
    .await?;
    audit::record_many(tx, now, actor, entries).await?;
    Ok(())
}

// One installation at a time, from the edit page and the API (ENT-2). Each
// change writes its audit entry and its history entry in the caller's
// transaction. Installations created with a new enterprise (above) belong to
// its creation entry instead.

/// What the history and the audit log keep of an outlet.
fn outlet_view(code: &str, name: &str, pollutants: &[PollutantLimit]) -> serde_json::Value {
    serde_json::json!({
        "code": code,
        "name": name,
        "pollutants": PollutantLimit::format_list(pollutants),
    })
}

fn facility_view(code: &str, name: &str, process: &str) -> serde_json::Value {
    serde_json::json!({ "code": code, "name": name, "process": process })
}

/// Records an installation change: audit entry and history entry.
#[allow(clippy::too_many_arguments)]
async fn record_change(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    action: EditAction,
    subject: String,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> StoreResult<()> {
    let empty = serde_json::json!({});
    let changes = history::changes(before.unwrap_or(&empty), after.unwrap_or(&empty));
    audit::record(
        tx,
        now,
        &editor.actor,
        Change {
            action: &format!("enterprise.{}", action.as_str()),
            entity: "enterprise",
            entity_id: enterprise_id.to_string(),
            before,
            after,
        },
    )
    .await?;
    edits::record(
        tx,
        now,
        editor,
        NewEdit {
            enterprise_id,
            action,
            subject: Some(subject),
            changes: &changes,
        },
    )
    .await
}

async fn get_outlet(tx: &mut Tx, enterprise_id: i64, id: i64) -> StoreResult<Outlet> {
    let r = tx
        .fetch_optional(
            "SELECT id, code, kind, name, pollutants FROM outlets WHERE id = $1 AND enterprise_id = $2",
            args![id, enterprise_id],
        )
        .await?
        .ok_or_else(|| DomainError::not_found("排口不存在或已删除"))?;
    let pollutants: String = r.get("pollutants")?;
    Ok(Outlet {
        id: r.get("id")?,
        code: r.get("code")?,
        kind: r.get("kind")?,
        name: r.get("name")?,
        pollutants: serde_json::from_str(&pollutants)
            .map_err(|e| StoreError::internal(format!("outlet pollutants: {e}")))?,
    })
}

/// A code another installation of the enterprise already has: a clear
/// message rather than the unique index's error.
fn taken(what: &str, code: &str) -> StoreError {
    DomainError::conflict("duplicate_code", format!("{what}编号{code}已存在"))
        .on("code")
        .into()
}

/// Adds an outlet (validated here) to an enterprise.
pub async fn add_outlet(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    input: &OutletInput,
) -> StoreResult<Outlet> {
    let code = input.validate()?;
    write_outlet(tx, now, editor, enterprise_id, None, code, input).await
}

/// Changes an outlet of an enterprise.
pub async fn update_outlet(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    id: i64,
    input: &OutletInput,
) -> StoreResult<Outlet> {
    let code = input.validate()?;
    let before = get_outlet(tx, enterprise_id, id).await?;
    write_outlet(tx, now, editor, enterprise_id, Some(before), code, input).await
}

async fn write_outlet(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    before: Option<Outlet>,
    code: yici_domain::registry::OutletCode,
    input: &OutletInput,
) -> StoreResult<Outlet> {
    let (code, kind, name) = (code.as_str(), code.kind().label(), input.name.trim());
    let clash = tx
        .fetch_optional(
            "SELECT id FROM outlets WHERE enterprise_id = $1 AND code = $2 AND id <> $3",
            args![enterprise_id, code, before.as_ref().map_or(0, |b| b.id)],
        )
        .await?;
    if clash.is_some() {
        return Err(taken("排口", code));
    }
    let pollutants = serde_json::to_string(&input.pollutants)
        .map_err(|e| StoreError::internal(e.to_string()))?;
    let id = match &before {
        None => tx
            .fetch_one(
                "INSERT INTO outlets (enterprise_id, code, kind, name, pollutants)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                args![enterprise_id, code, kind, name, pollutants],
            )
            .await?
            .get("id")?,
        Some(b) => {
            tx.execute(
                "UPDATE outlets SET code = $1, kind = $2, name = $3, pollutants = $4 WHERE id = $5",
                args![code, kind, name, pollutants, b.id],
            )
            .await?;
            b.id
        }
    };
    let after = outlet_view(code, name, &input.pollutants);
    let was = before
        .as_ref()
        .map(|b| outlet_view(&b.code, &b.name, &b.pollutants));
    let action = if before.is_some() {
        EditAction::OutletUpdate
    } else {
        EditAction::OutletAdd
    };
    if was.as_ref() != Some(&after) {
        let subject = format!("{code} {name}");
        record_change(
            tx,
            now,
            editor,
            enterprise_id,
            action,
            subject,
            was.as_ref(),
            Some(&after),
        )
        .await?;
    }
    get_outlet(tx, enterprise_id, id).await
}

pub async fn remove_outlet(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    id: i64,
) -> StoreResult<()> {
    let before = get_outlet(tx, enterprise_id, id).await?;
    tx.execute("DELETE FROM outlets WHERE id = $1", args![id])
        .await?;
    let was = outlet_view(&before.code, &before.name, &before.pollutants);
    let subject = format!("{} {}", before.code, before.name);
    record_change(
        tx,
        now,
        editor,
        enterprise_id,
        EditAction::OutletRemove,
        subject,
        Some(&was),
        None,
    )
    .await
}

async fn get_facility(
    tx: &mut Tx,
    enterprise_id: i64,
    id: i64,
) -> StoreResult<(FacilityKind, Facility)> {
    let r = tx
        .fetch_optional(
            "SELECT id, kind, code, name, process FROM facilities WHERE id = $1 AND enterprise_id = $2",
            args![id, enterprise_id],
        )
        .await?
        .ok_or_else(|| DomainError::not_found("设施不存在或已删除"))?;
    let kind = crate::org::parse_code(&r.get::<String>("kind")?, FacilityKind::parse)?;
    Ok((
        kind,
        Facility {
            id: r.get("id")?,
            code: r.get("code")?,
            name: r.get("name")?,
            process: r.get("process")?,
        },
    ))
}

/// The history's actions for a kind of facility: added, changed, removed.
fn facility_actions(kind: FacilityKind) -> [EditAction; 3] {
    match kind {
        FacilityKind::Treatment => [
            EditAction::TreatmentAdd,
            EditAction::TreatmentUpdate,
            EditAction::TreatmentRemove,
        ],
        FacilityKind::Production => [
            EditAction::ProductionAdd,
            EditAction::ProductionUpdate,
            EditAction::ProductionRemove,
        ],
    }
}

/// Adds a treatment or production facility (validated here) to an enterprise.
pub async fn add_facility(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    kind: FacilityKind,
    input: &FacilityInput,
) -> StoreResult<Facility> {
    write_facility(tx, now, editor, enterprise_id, kind, None, input).await
}

/// Changes a facility; its kind stays.
pub async fn update_facility(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    id: i64,
    input: &FacilityInput,
) -> StoreResult<Facility> {
    let (kind, before) = get_facility(tx, enterprise_id, id).await?;
    write_facility(tx, now, editor, enterprise_id, kind, Some(before), input).await
}

async fn write_facility(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    kind: FacilityKind,
    before: Option<Facility>,
    input: &FacilityInput,
) -> StoreResult<Facility> {
    let code = input.validate_as(kind)?;
    let (name, process) = (input.name.trim(), input.process.trim());
    let clash = tx
        .fetch_optional(
            "SELECT id FROM facilities WHERE enterprise_id = $1 AND kind = $2 AND code = $3 AND id <> $4",
            args![enterprise_id, kind.as_str(), &code, before.as_ref().map_or(0, |b| b.id)],
        )
        .await?;
    if clash.is_some() {
        return Err(taken(kind.label(), &code));
    }
    let id = match &before {
        None => tx
            .fetch_one(
                "INSERT INTO facilities (enterprise_id, kind, code, name, process)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                args![enterprise_id, kind.as_str(), &code, name, process],
            )
            .await?
            .get("id")?,
        Some(b) => {
            tx.execute(
                "UPDATE facilities SET code = $1, name = $2, process = $3 WHERE id = $4",
                args![&code, name, process, b.id],
            )
            .await?;
            b.id
        }
    };
    let after = facility_view(&code, name, process);
    let was = before
        .as_ref()
        .map(|b| facility_view(&b.code, &b.name, &b.process));
    let [added, changed, _] = facility_actions(kind);
    let action = if before.is_some() { changed } else { added };
    if was.as_ref() != Some(&after) {
        let subject = format!("{code} {name}");
        record_change(
            tx,
            now,
            editor,
            enterprise_id,
            action,
            subject,
            was.as_ref(),
            Some(&after),
        )
        .await?;
    }
    Ok(get_facility(tx, enterprise_id, id).await?.1)
}

pub async fn remove_facility(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    enterprise_id: i64,
    id: i64,
) -> StoreResult<()> {
    let (kind, before) = get_facility(tx, enterprise_id, id).await?;
    tx.execute("DELETE FROM facilities WHERE id = $1", args![id])
        .await?;
    let was = facility_view(&before.code, &before.name, &before.process);
    let [_, _, removed] = facility_actions(kind);
    let subject = format!("{} {}", before.code, before.name);
    record_change(
        tx,
        now,
        editor,
        enterprise_id,
        removed,
        subject,
        Some(&was),
        None,
    )
    .await
}
