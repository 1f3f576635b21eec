//! Outlets, treatment facilities and production facilities of an enterprise
//! (the 排口信息 / 治理设施 / 生产设施 tabs).

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::registry::facility::{FacilityInput, OutletInput, PollutantLimit};
use yici_domain::DomainResult;

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
