//! Enterprises: reading one, and creating or updating many by USCC in one
//! transaction with one audit entry and one history entry each (bulk import,
//! demo, the API, the form).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::registry::enterprise::{
    CreditGrade, EnterpriseStatus, SupervisionCategory, ValidEnterprise,
};
use yici_domain::registry::history::{self, EditAction};
use yici_domain::DomainError;

use crate::args;
use crate::audit::{self, Change, Entry};
use crate::db::{
    bulk_insert_verb, check_rows, copy_text, insert_statement, Arg, Backend, Exec, Row, Sql, Tx,
};
use crate::error::StoreResult;
use crate::org::parse_code;

use super::edits::{self, Editor, NewEdit};
use super::tallies;

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

    /// The fields an update changed, for the edit history: those of the
    /// audit view (what was entered), compared as JSON.
    fn changes_to(&self, after: &Enterprise) -> Vec<history::FieldChange> {
        let json = |e: &Enterprise| serde_json::to_value(e.audit_view()).unwrap_or_default();
        history::changes(&json(self), &json(after))
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

    /// The [`DATA_COLUMNS`] values, moved out of the record (no copies: a
    /// bulk import builds 200,000 of these).
    fn into_values(self) -> Vec<Arg> {
        args![
            self.name,
            self.source_name,
            self.uscc,
            self.uscc_check_ok,
            self.uscc_exception_reason,
            self.permit_code,
            self.address,
            self.industry_code,
            self.industry_name,
            self.industry_section,
            self.industry_division,
            self.postal_code,
            self.longitude,
            self.latitude,
            self.region_code,
            self.province_code,
            self.city_code,
            self.city_name,
            self.county_name,
            self.industrial_park,
            self.contact_name,
            self.contact_phone,
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

/// Whether the USCCs of a bulk write may be registered already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// Some may be: they are looked up, and those found are updated.
    Maybe,
    /// None is: the registry held no enterprise when the load began and the
    /// load's USCCs are unique, so nothing is looked up (on PostgreSQL the
    /// lookups were a tenth of a first 200,000-row import). A USCC that
    /// someone else registers meanwhile fails its batch on the unique index,
    /// as it would have between a lookup and the insert.
    None,
}

/// Creates or updates enterprises by USCC, all in `tx`, with one audit entry
/// and one history entry ([`edits`]) per enterprise written; unchanged ones
/// write neither. USCCs must be unique within `items` (the caller
/// reports duplicates in a file as bad rows). Returns the id and outcome of
/// each item, in order.
///
/// A bulk write is two pipelined stages: this task runs the statements while
/// a blocking thread builds them (records, their arguments, the audit
/// entries' JSON and hash chain: about 40 % of an import's time, which used
/// to leave the database idle in between). That needs the new rows' ids up
/// front: they are reserved before the statements are built.
pub async fn upsert_many(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    items: Vec<ValidEnterprise>,
    registered: Registered,
) -> StoreResult<Vec<(i64, Outcome)>> {
    let usccs: Vec<&str> = items.iter().map(|v| v.uscc.as_str()).collect();
    if usccs.iter().collect::<HashSet<_>>().len() != usccs.len() {
        return Err(
            DomainError::conflict("duplicate_uscc", "同一批次中统一社会信用代码重复").into(),
        );
    }
    let existing = match registered {
        Registered::Maybe => by_usccs(tx, &usccs).await?,
        Registered::None => HashMap::new(),
    };
    let new = items.len() - existing.len();
    let credit_changes = credit_changes(&items, &existing);
    let ids = reserve_ids(tx, new).await?;
    let chain = audit::Chain::lock(tx, now, &editor.actor).await?;
    // A large batch of new enterprises only (a first import) tallies itself.
    let counted = if existing.is_empty() && items.len() >= tallies::COUNTED_BY_WRITER_ROWS {
        Some(tallies::CountedByWriter::begin(tx, &items).await?)
    } else {
        None
    };
    let backend = tx.backend();
    let (statements, mut run) = tokio::sync::mpsc::channel::<Statement>(4);
    let actor = editor.actor.clone();
    let editor = editor.clone();
    let builder = tokio::task::spawn_blocking(move || {
        build_writes(
            items,
            existing,
            ids,
            chain,
            now,
            &editor,
            backend,
            |statement| {
                statements
                    .blocking_send(statement)
                    .map_err(|_| crate::StoreError::internal("bulk write stopped"))
            },
        )
    });
    // On an error here the channel closes and the builder stops at its next send.
    while let Some(Statement { write, table, rows }) = run.recv().await {
        let affected = match write {
            Write::Sql { sql, args } => tx.execute(&sql, args).await?,
            Write::Copy { columns, data } => tx.copy_in(table, &columns, &data).await?,
        };
        check_rows(table, affected, rows)?;
    }
    let (outcomes, chain) = builder
        .await
        .map_err(|e| crate::StoreError::internal(e.to_string()))??;
    chain.close(tx).await?;
    crate::credit::record_import(tx, now, &actor, &credit_changes).await?;
    if let Some(counted) = counted {
        counted.finish(tx).await?;
    }
    Ok(outcomes)
}

/// RES-3: the grades and positive lists a write changes, for their history.
fn credit_changes(
    items: &[ValidEnterprise],
    existing: &HashMap<String, Enterprise>,
) -> Vec<crate::credit::ImportChange> {
    items
        .iter()
        .filter_map(|v| {
            let before = existing.get(v.uscc.as_str())?;
            crate::credit::ImportChange::of(
                before.id,
                (before.credit_grade, before.positive_list),
                (v.credit_grade, v.positive_list),
            )
        })
        .collect()
}

/// The registered enterprises among `usccs`, by USCC.
async fn by_usccs(tx: &mut Tx, usccs: &[&str]) -> StoreResult<HashMap<String, Enterprise>> {
    let mut existing = HashMap::new();
    let postgres = tx.backend() == Backend::Postgres;
    if postgres {
        // A prepared statement's generic plan is made once and kept: made
        // while an import filled an empty table, this lookup scanned the whole
        // table ever after (373 s for 200,000 rows). It is planned for its
        // own arguments; the inserts keep their generic plans (planning a
        // 2,600-argument insert each time cost more than the lookups).
        tx.execute("SET LOCAL plan_cache_mode = force_custom_plan", vec![])
            .await?;
    }
    // The codes go as one argument: a statement with a thousand parameters
    // cost PostgreSQL 6 ms to plan each time, for an answer that is empty on
    // a first import. (A checked USCC holds no comma.)
    for chunk in usccs.chunks(1000) {
        let (sql, arg) = match tx.backend() {
            Backend::Sqlite => (
                format!(
                    "SELECT {COLUMNS} FROM enterprises WHERE uscc IN (SELECT value FROM json_each($1))"
                ),
                serde_json::to_string(chunk)
                    .map_err(|e| crate::StoreError::internal(e.to_string()))?,
            ),
            // A join, not `uscc = ANY(…)`: planning that weighed each of the
            // thousand codes (5–16 ms a time).
            Backend::Postgres => (
                format!(
                    "SELECT {COLUMNS} FROM unnest(string_to_array($1, ',')) AS k(uscc)
                       JOIN enterprises USING (uscc)"
                ),
                chunk.join(","),
            ),
        };
        let rows = tx.fetch_all(&sql, args![arg]).await?;
        for r in &rows {
            let e = from_row(r)?;
            existing.insert(e.uscc.clone(), e);
        }
    }
    if postgres {
        tx.execute("SET LOCAL plan_cache_mode = auto", vec![])
            .await?;
    }
    Ok(existing)
}

/// Ids for `n` new enterprises. PostgreSQL: from the identity's sequence,
/// as a default id would be. SQLite: after the largest id, which no other
/// writer can take before this transaction ends (`BEGIN IMMEDIATE`).
async fn reserve_ids(tx: &mut Tx, n: usize) -> StoreResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match tx.backend() {
        Backend::Sqlite => {
            let last = tx
                .scalar_i64("SELECT COALESCE(MAX(id), 0) FROM enterprises", vec![])
                .await?;
            Ok((last + 1..=last + n as i64).collect())
        }
        Backend::Postgres => {
            // The sequence is named once: `nextval(pg_get_serial_sequence(…))`
            // looked it up again for every id (55 ms for 10,000 ids, 7 ms with
            // the name given).
            let row = tx
                .fetch_one(
                    "SELECT pg_get_serial_sequence('enterprises', 'id') AS s",
                    vec![],
                )
                .await?;
            let sequence: String = row.get("s")?;
            tx.fetch_all(
                &format!(
                    "SELECT nextval('{}'::regclass) AS id FROM generate_series(1, $1)",
                    sequence.replace('\'', "''")
                ),
                args![n as i64],
            )
            .await?
            .iter()
            .map(|r| r.get::<i64>("id"))
            .collect()
        }
    }
}

/// One write of a bulk write: a statement, or rows for PostgreSQL's `COPY`.
enum Write {
    Sql {
        sql: String,
        args: Vec<Arg>,
    },
    Copy {
        columns: Vec<&'static str>,
        data: Vec<u8>,
    },
}

/// A write, the table it writes and the rows it must affect.
struct Statement {
    write: Write,
    table: &'static str,
    rows: usize,
}

/// The statements of [`upsert_many`], handed to `run` as they are built:
/// new enterprises, the audit and the history entries in bulk (multi-row inserts on
/// SQLite, `COPY` on PostgreSQL — a third of the database time of inserts
/// there), one update per changed enterprise. Returns each item's outcome
/// and the chain to close.
// Everything the builder thread takes, moved in: no struct would be clearer.
#[allow(clippy::too_many_arguments)]
fn build_writes(
    items: Vec<ValidEnterprise>,
    existing: HashMap<String, Enterprise>,
    ids: Vec<i64>,
    mut chain: audit::Chain,
    now: DateTime<Utc>,
    editor: &Editor,
    backend: Backend,
    mut run: impl FnMut(Statement) -> StoreResult<()>,
) -> StoreResult<(Vec<(i64, Outcome)>, audit::Chain)> {
    let mut columns = vec!["id"];
    columns.extend(DATA_COLUMNS);
    columns.extend(["created_at", "updated_at"]);
    let (per_insert, per_audit) = match backend {
        Backend::Sqlite => (crate::db::rows_per_statement(columns.len()), audit::CHUNK),
        Backend::Postgres => (1000, 1000),
    };
    let bulk = |table: &'static str, columns: &[&'static str], rows: Vec<Vec<Arg>>| {
        let n = rows.len();
        let write = match backend {
            Backend::Sqlite => {
                let (sql, args) =
                    insert_statement(bulk_insert_verb(backend), table, columns, rows, "");
                Write::Sql { sql, args }
            }
            Backend::Postgres => Write::Copy {
                columns: columns.to_vec(),
                data: copy_text(rows),
            },
        };
        Statement {
            write,
            table,
            rows: n,
        }
    };
    // The same text for every changed enterprise (a cached prepared statement).
    let update = |id: i64, values: Vec<Arg>| {
        let mut sql = Sql::new("UPDATE enterprises SET ");
        let id = sql.bind(id);
        for (n, (c, v)) in DATA_COLUMNS.iter().zip(values).enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            sql.push(c).push(" = ").push_bind(v);
        }
        sql.push(", updated_at = ")
            .push_bind(now)
            .push(" WHERE id = ")
            .push_param(id)
            .build()
    };
    let mut ids = ids.into_iter();
    let mut outcomes = Vec::with_capacity(items.len());
    let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(per_insert);
    let mut entries: Vec<Entry> = Vec::with_capacity(per_audit);
    let mut history: Vec<Vec<Arg>> = Vec::with_capacity(per_audit);
    let edit = |enterprise_id: i64, action: EditAction, changes: &[history::FieldChange]| {
        edits::row(
            now,
            editor,
            NewEdit {
                enterprise_id,
                action,
                subject: None,
                changes,
            },
        )
    };
    for v in &items {
        match existing.get(v.uscc.as_str()) {
            Some(before) => {
                let after = Enterprise::from_valid(before.id, v, before.created_at, now);
                if after.same_data(before) {
                    outcomes.push((before.id, Outcome::Unchanged));
                    continue;
                }
                history.push(edit(
                    before.id,
                    EditAction::Update,
                    &before.changes_to(&after),
                ));
                entries.push(Entry::of_record(Change {
                    action: "enterprise.update",
                    entity: "enterprise",
                    entity_id: before.id.to_string(),
                    before: Some(&before.audit_view()),
                    after: Some(&after.audit_view()),
                }));
                let (sql, args) = update(before.id, after.into_values());
                run(Statement {
                    write: Write::Sql { sql, args },
                    table: "enterprises",
                    rows: 1,
                })?;
                outcomes.push((before.id, Outcome::Updated));
            }
            None => {
                let id = ids
                    .next()
                    .ok_or_else(|| crate::StoreError::internal("too few ids reserved"))?;
                let record = Enterprise::from_valid(id, v, now, now);
                // The new record holds every value: the entry lists no fields.
                history.push(edit(id, EditAction::Create, &[]));
                entries.push(Entry::of_record(Change::<(), _> {
                    action: "enterprise.create",
                    entity: "enterprise",
                    entity_id: id.to_string(),
                    before: None,
                    after: Some(&record.audit_view()),
                }));
                let mut row = Vec::with_capacity(columns.len());
                row.push(Arg::from(id));
                row.extend(record.into_values());
                row.extend([Arg::from(now), Arg::from(now)]);
                rows.push(row);
                outcomes.push((id, Outcome::Created));
            }
        }
        // History rows go after the enterprises they refer to.
        if rows.len() == per_insert || history.len() >= per_audit {
            if !rows.is_empty() {
                run(bulk("enterprises", &columns, std::mem::take(&mut rows)))?;
            }
            run(bulk(
                "registry_edits",
                edits::COLUMNS,
                std::mem::take(&mut history),
            ))?;
        }
        if entries.len() == per_audit {
            let audit_rows = chain.rows(entries.drain(..));
            run(bulk("audit_log", audit::Chain::COLUMNS, audit_rows))?;
        }
    }
    if !rows.is_empty() {
        run(bulk("enterprises", &columns, rows))?;
    }
    if !history.is_empty() {
        run(bulk("registry_edits", edits::COLUMNS, history))?;
    }
    if !entries.is_empty() {
        let audit_rows = chain.rows(entries.drain(..));
        run(bulk("audit_log", audit::Chain::COLUMNS, audit_rows))?;
    }
    Ok((outcomes, chain))
}

/// Registers one new enterprise; a USCC already registered is a conflict.
pub async fn create(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
    v: &ValidEnterprise,
) -> StoreResult<Enterprise> {
    if get_by_uscc(tx, v.uscc.as_str()).await?.is_some() {
        return Err(DomainError::conflict(
            "duplicate_uscc",
            "该统一社会信用代码已登记，请勿重复添加",
        )
        .on("uscc")
        .into());
    }
    let (id, _) = upsert_many(tx, now, editor, vec![v.clone()], Registered::Maybe).await?[0];
    Ok(get(tx, id).await?.expect("enterprise just written"))
}

/// Edits an enterprise. The USCC identifies it and does not change: a wrongly
/// registered code is corrected by registering the right one.
pub async fn update(
    tx: &mut Tx,
    now: DateTime<Utc>,
    editor: &Editor,
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
    upsert_many(tx, now, editor, vec![v.clone()], Registered::Maybe).await?;
    Ok(get(tx, id).await?.expect("enterprise exists"))
}

/// Refreshes the planner's statistics after a bulk load, so that searches
/// pick the search index at once (and, on PostgreSQL, counts become
/// index-only scans, which need the visibility map that VACUUM writes). The
/// load's tally deltas are left to the server's tally job
/// (`tallies::compact`): folding 120,000 of them after a 200,000-row import
/// took half a second, and counts are right before it.
pub async fn refresh_statistics(mut db: &crate::Db) -> StoreResult<()> {
    match db.backend() {
        crate::Backend::Sqlite => db.execute("ANALYZE enterprises", vec![]).await?,
        crate::Backend::Postgres => db.execute("VACUUM (ANALYZE) enterprises", vec![]).await?,
    };
    Ok(())
}

/// PostgreSQL: marks a freshly loaded table's pages all-visible while the
/// search indexes are set aside for the load, before they are built again.
/// VACUUM then visits the table alone, and the builds read pages already
/// known to be visible: after a 200,000-row load, 70 ms here, and the
/// builds and VACUUM (ANALYZE) afterwards 0.2–0.3 s faster. (SQLite's VACUUM
/// rewrites the whole database file: nothing to gain.)
pub async fn vacuum_loaded(mut db: &crate::Db) -> StoreResult<()> {
    if db.backend() == Backend::Postgres {
        db.execute("VACUUM enterprises", vec![]).await?;
    }
    Ok(())
}

/// How many enterprises are registered, in all regions.
pub async fn count(mut db: &crate::Db) -> StoreResult<i64> {
    db.scalar_i64("SELECT COUNT(*) FROM enterprises", vec![])
        .await
}

/// Fewer new rows than this are written into the search indexes as they go.
pub const DEFER_SEARCH_INDEX_ROWS: usize = 20_000;

/// The registry's secondary indexes, set aside together for a large load:
/// on PostgreSQL also the keyword indexes (migration 0015). The index of
/// names' characters alone cost a 200,000-row load 1.9 s kept up row by row,
/// 1.3 s built afterwards.
fn search_indexes(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &["enterprises_search", "enterprises_recent"],
        // The longest build first: they are built two at a time.
        Backend::Postgres => &[
            "enterprises_name_chars",
            "enterprises_search",
            "enterprises_recent",
            "enterprises_names",
        ],
    }
}

/// Sets the search indexes aside for a load of `rows` enterprises when
/// building them afterwards is the cheaper way ([`crate::deferred_index`]): a
/// load of at least [`DEFER_SEARCH_INDEX_ROWS`] into a registry of
/// `registered` enterprises, no more than that (typically the first load of
/// a region's registry). For a load into a larger registry, rebuilding would
/// cost more than it saves, and searches would go without the indexes for
/// longer. Searches made during the load read the table instead: slower,
/// still right.
pub async fn defer_search_index(
    db: &crate::Db,
    rows: usize,
    registered: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<crate::deferred_index::Deferred>> {
    if rows < DEFER_SEARCH_INDEX_ROWS || registered as usize > rows {
        return Ok(None);
    }
    crate::deferred_index::defer(db, search_indexes(db.backend()), now).await
}
