//! Enterprises: reading one, and creating or updating many by USCC in one
//! transaction with one audit entry each (bulk import, demo, the API).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::registry::enterprise::{
    CreditGrade, EnterpriseStatus, SupervisionCategory, ValidEnterprise,
};
use yici_domain::DomainError;

use crate::audit::{self, Change, Entry};
use crate::db::{insert_rows, Arg, Exec, Row, Tx};
use crate::error::StoreResult;
use crate::org::parse_code;
use crate::{args, Actor};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Enterprise {
    pub id: i64,
    /// 排污单位名称
    pub name: String,
    /// 固定源名称
    pub source_name: String,
    /// 统一社会信用代码
    pub uscc: String,
    /// False when the code fails its check character and was accepted with a reason.
    pub uscc_check_ok: bool,
    pub uscc_exception_reason: Option<String>,
    /// 排污许可证代码
    pub permit_code: Option<String>,
    pub address: String,
    /// GB/T 4754-2017 class, e.g. 3110
    pub industry_code: String,
    pub industry_name: String,
    pub industry_section: String,
    pub industry_division: String,
    pub postal_code: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// County-level GB/T 2260 code
    pub region_code: String,
    pub province_code: String,
    pub city_code: String,
    pub city_name: String,
    pub county_name: String,
    pub industrial_park: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub status: EnterpriseStatus,
    pub category: SupervisionCategory,
    pub credit_grade: Option<CreditGrade>,
    /// 正面清单
    pub positive_list: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Columns written from a [`ValidEnterprise`], in [`values`] order.
const DATA_COLUMNS: &[&str] = &[
    "name",
    "source_name",
    "uscc",
    "uscc_check_ok",
    "uscc_exception_reason",
    "permit_code",
    "address",
    "industry_code",
    "industry_name",
    "industry_section",
    "industry_division",
    "postal_code",
    "longitude",
    "latitude",
    "region_code",
    "province_code",
    "city_code",
    "city_name",
    "county_name",
    "industrial_park",
    "contact_name",
    "contact_phone",
    "status",
    "category",
    "credit_grade",
    "positive_list",
];

pub const COLUMNS: &str =
    "id, name, source_name, uscc, uscc_check_ok, uscc_exception_reason, permit_code,
    address, industry_code, industry_name, industry_section, industry_division, postal_code,
    longitude, latitude, region_code, province_code, city_code, city_name, county_name,
    industrial_park, contact_name, contact_phone, status, category, credit_grade, positive_list,
    created_at, updated_at";

pub fn from_row(r: &Row) -> StoreResult<Enterprise> {
    Ok(Enterprise {
        id: r.get("id")?,
        name: r.get("name")?,
        source_name: r.get("source_name")?,
        uscc: r.get("uscc")?,
        uscc_check_ok: r.get("uscc_check_ok")?,
        uscc_exception_reason: r.get("uscc_exception_reason")?,
        permit_code: r.get("permit_code")?,
        address: r.get("address")?,
        industry_code: r.get("industry_code")?,
        industry_name: r.get("industry_name")?,
        industry_section: r.get("industry_section")?,
        industry_division: r.get("industry_division")?,
        postal_code: r.get("postal_code")?,
        longitude: r.get("longitude")?,
        latitude: r.get("latitude")?,
        region_code: r.get("region_code")?,
        province_code: r.get("province_code")?,
        city_code: r.get("city_code")?,
        city_name: r.get("city_name")?,
        county_name: r.get("county_name")?,
        industrial_park: r.get("industrial_park")?,
        contact_name: r.get("contact_name")?,
        contact_phone: r.get("contact_phone")?,
        status: parse_code(&r.get::<String>("status")?, EnterpriseStatus::parse)?,
        category: parse_code(&r.get::<String>("category")?, SupervisionCategory::parse)?,
        credit_grade: r
            .get::<Option<String>>("credit_grade")?
            .map(|g| parse_code(&g, CreditGrade::parse))
            .transpose()?,
        positive_list: r.get("positive_list")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// What the audit trail keeps of an enterprise: every field that was entered,
/// without those derived from codes (names of the industry and the regions,
/// section, division, province and city codes) or absent. Halving the entry
/// halves the write volume of a 200,000-row import, which the log dominates.
#[derive(Serialize)]
struct AuditView<'a> {
    id: i64,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_name: Option<&'a str>,
    uscc: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    uscc_exception_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permit_code: Option<&'a str>,
    address: &'a str,
    industry_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    longitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latitude: Option<f64>,
    region_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    industrial_park: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_phone: Option<&'a str>,
    status: &'a str,
    category: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit_grade: Option<&'a str>,
    positive_list: bool,
}

impl Enterprise {
    fn audit_view(&self) -> AuditView<'_> {
        AuditView {
            id: self.id,
            name: &self.name,
            // Usually the same as the name: kept only when it differs.
            source_name: (self.source_name != self.name).then_some(self.source_name.as_str()),
            uscc: &self.uscc,
            uscc_exception_reason: self.uscc_exception_reason.as_deref(),
            permit_code: self.permit_code.as_deref(),
            address: &self.address,
            industry_code: &self.industry_code,
            postal_code: self.postal_code.as_deref(),
            longitude: self.longitude,
            latitude: self.latitude,
            region_code: &self.region_code,
            industrial_park: self.industrial_park.as_deref(),
            contact_name: self.contact_name.as_deref(),
            contact_phone: self.contact_phone.as_deref(),
            status: self.status.as_str(),
            category: self.category.as_str(),
            credit_grade: self.credit_grade.map(|g| g.as_str()),
            positive_list: self.positive_list,
        }
    }

    /// The record a valid input becomes.
    fn from_valid(
        id: i64,
        v: &ValidEnterprise,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    ) -> Enterprise {
        Enterprise {
            id,
            name: v.name.clone(),
            source_name: v.source_name.clone(),
            uscc: v.uscc.as_str().to_string(),
            uscc_check_ok: v.uscc_exception.is_none(),
            uscc_exception_reason: v.uscc_exception.as_ref().map(|(_, r)| r.clone()),
            permit_code: v.permit_code.as_ref().map(|p| p.as_str().to_string()),
            address: v.address.clone(),
            industry_code: v.industry.code.to_string(),
            industry_name: v.industry.name.to_string(),
            industry_section: v.industry.section.to_string(),
            industry_division: v.industry.code[..2].to_string(),
            postal_code: v.postal_code.as_ref().map(|p| p.as_str().to_string()),
            longitude: v.coordinates.map(|c| c.longitude()),
            latitude: v.coordinates.map(|c| c.latitude()),
            region_code: v.region_code.clone(),
            province_code: v.province_code.clone(),
            city_code: v.city_code.clone(),
            city_name: v.city_name.clone(),
            county_name: v.county_name.clone(),
            industrial_park: v.industrial_park.clone(),
            contact_name: v.contact_name.clone(),
            contact_phone: v.contact_phone.clone(),
            status: v.status,
            category: v.category,
            credit_grade: v.credit_grade,
            positive_list: v.positive_list,
            created_at,
            updated_at,
        }
    }

    /// Same data, ignoring id and timestamps: an import that changes nothing writes nothing.
    fn same_data(&self, other: &Enterprise) -> bool {
        let strip = |e: &Enterprise| Enterprise {
            id: 0,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
            ..e.clone()
        };
        strip(self) == strip(other)
    }

    fn values(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.source_name,
            &self.uscc,
            self.uscc_check_ok,
            self.uscc_exception_reason.clone(),
            self.permit_code.clone(),
            &self.address,
            &self.industry_code,
            &self.industry_name,
            &self.industry_section,
            &self.industry_division,
            self.postal_code.clone(),
            self.longitude,
            self.latitude,
            &self.region_code,
            &self.province_code,
            &self.city_code,
            &self.city_name,
            &self.county_name,
            self.industrial_park.clone(),
            self.contact_name.clone(),
            self.contact_phone.clone(),
            self.status.as_str(),
            self.category.as_str(),
            self.credit_grade.map(|g| g.as_str()),
            self.positive_list
        ]
    }
}

pub async fn get(e: &mut impl Exec, id: i64) -> StoreResult<Option<Enterprise>> {
    e.fetch_optional(
        &format!("SELECT {COLUMNS} FROM enterprises WHERE id = $1"),
        args![id],
    )
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

pub async fn get_by_uscc(e: &mut impl Exec, uscc: &str) -> StoreResult<Option<Enterprise>> {
    e.fetch_optional(
        &format!("SELECT {COLUMNS} FROM enterprises WHERE uscc = $1"),
        args![uscc],
    )
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// Creates or updates enterprises by USCC, all in `tx`, with one audit entry
/// per enterprise written. USCCs must be unique within `items` (the caller
/// reports duplicates in a file as bad rows). Returns the id and outcome of
/// each item, in order.
pub async fn upsert_many(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    items: &[ValidEnterprise],
) -> StoreResult<Vec<(i64, Outcome)>> {
    let usccs: Vec<&str> = items.iter().map(|v| v.uscc.as_str()).collect();
    if usccs.iter().collect::<HashSet<_>>().len() != usccs.len() {
        return Err(DomainError::new("duplicate_uscc", "同一批次中统一社会信用代码重复").into());
    }
    let mut existing: HashMap<String, Enterprise> = HashMap::new();
    for chunk in usccs.chunks(1000) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {COLUMNS} FROM enterprises WHERE uscc IN ({})",
                    placeholders.join(",")
                ),
                chunk.iter().map(|u| Arg::from(*u)).collect(),
            )
            .await?;
        for r in &rows {
            let e = from_row(r)?;
            existing.insert(e.uscc.clone(), e);
        }
    }

    let mut outcomes: Vec<(i64, Outcome)> = vec![(0, Outcome::Unchanged); items.len()];
    let mut audit_entries = Vec::new();
    let mut new_rows = Vec::new();
    // Item index and record of every new enterprise, by USCC: the record is
    // built once, for the insert and (with its id) for the audit entry.
    let mut new_records: HashMap<String, (usize, Enterprise)> = HashMap::new();
    for (i, v) in items.iter().enumerate() {
        match existing.get(v.uscc.as_str()) {
            Some(before) => {
                let after = Enterprise::from_valid(before.id, v, before.created_at, now);
                if after.same_data(before) {
                    outcomes[i] = (before.id, Outcome::Unchanged);
                    continue;
                }
                let sets: Vec<String> = DATA_COLUMNS
                    .iter()
                    .enumerate()
                    .map(|(n, c)| format!("{c} = ${}", n + 2))
                    .collect();
                let mut a = args![before.id];
                a.extend(after.values());
                a.push(Arg::from(now));
                tx.execute(
                    &format!(
                        "UPDATE enterprises SET {}, updated_at = ${} WHERE id = $1",
                        sets.join(", "),
                        DATA_COLUMNS.len() + 2
                    ),
                    a,
                )
                .await?;
                outcomes[i] = (before.id, Outcome::Updated);
                audit_entries.push(Entry::of(Change {
                    action: "enterprise.update",
                    entity: "enterprise",
                    entity_id: before.id.to_string(),
                    before: Some(&before.audit_view()),
                    after: Some(&after.audit_view()),
                }));
            }
            None => {
                let record = Enterprise::from_valid(0, v, now, now);
                let mut row = record.values();
                row.push(Arg::from(now));
                row.push(Arg::from(now));
                new_rows.push(row);
                new_records.insert(record.uscc.clone(), (i, record));
            }
        }
    }
    if !new_rows.is_empty() {
        let mut columns = DATA_COLUMNS.to_vec();
        columns.extend(["created_at", "updated_at"]);
        let inserted = insert_rows(tx, "enterprises", &columns, new_rows, "id, uscc").await?;
        for r in &inserted {
            let uscc: String = r.get("uscc")?;
            let id: i64 = r.get("id")?;
            let (i, mut record) = new_records.remove(&uscc).ok_or_else(|| {
                crate::StoreError::internal(format!("unexpected USCC returned: {uscc}"))
            })?;
            outcomes[i] = (id, Outcome::Created);
            record.id = id;
            audit_entries.push(Entry::of(Change::<(), _> {
                action: "enterprise.create",
                entity: "enterprise",
                entity_id: id.to_string(),
                before: None,
                after: Some(&record.audit_view()),
            }));
        }
    }
    audit::record_many(tx, now, actor, audit_entries).await?;
    Ok(outcomes)
}

/// Registers one new enterprise; a USCC already registered is a conflict.
pub async fn create(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    v: &ValidEnterprise,
) -> StoreResult<Enterprise> {
    if get_by_uscc(tx, v.uscc.as_str()).await?.is_some() {
        return Err(DomainError::field(
            "uscc",
            "duplicate_uscc",
            "该统一社会信用代码已登记，请勿重复添加",
        )
        .into());
    }
    let (id, _) = upsert_many(tx, now, actor, std::slice::from_ref(v)).await?[0];
    Ok(get(tx, id).await?.expect("enterprise just written"))
}

/// Edits an enterprise. The USCC identifies it and does not change: a wrongly
/// registered code is corrected by registering the right one.
pub async fn update(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i64,
    v: &ValidEnterprise,
) -> StoreResult<Enterprise> {
    let before = get(tx, id)
        .await?
        .ok_or_else(|| DomainError::not_found("企业不存在"))?;
    if before.uscc != v.uscc.as_str() {
        return Err(
            DomainError::field("uscc", "uscc_immutable", "统一社会信用代码不可修改").into(),
        );
    }
    upsert_many(tx, now, actor, std::slice::from_ref(v)).await?;
    Ok(get(tx, id).await?.expect("enterprise exists"))
}

/// Refreshes the planner's statistics after a bulk load, so that searches pick
/// the search index at once (and, on PostgreSQL, counts become index-only
/// scans, which need the visibility map that VACUUM writes).
pub async fn refresh_statistics(db: &crate::Db) -> StoreResult<()> {
    let mut db = db.clone();
    match db.backend() {
        crate::Backend::Sqlite => db.execute("ANALYZE enterprises", vec![]).await?,
        crate::Backend::Postgres => db.execute("VACUUM (ANALYZE) enterprises", vec![]).await?,
    };
    Ok(())
}
