//! Gapless document numbers (DOC-3) and each unit's number patterns.
//!
//! The counter row per (unit, kind, year) is moved by one `UPDATE … RETURNING`
//! at the end of the transaction that numbers the document. Concurrent
//! numberings queue on that row's lock (PostgreSQL) or on the write lock
//! (SQLite, BEGIN IMMEDIATE); a transaction that rolls back takes its number
//! back with it, so the numbers that exist are always 1…N. The unique index on
//! (unit, kind, year, number) is the last guard against a duplicate.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::documents::numbering::{gaps, NumberPattern};
use yici_domain::documents::DocumentKind;
use yici_domain::org::{Principal, Role};
use yici_domain::DomainError;

use crate::audit::{self, Change};
use crate::db::{Db, Exec};
use crate::error::StoreResult;
use crate::Actor;

/// Takes the next `count` numbers of a unit's kind and year and returns the
/// last of them. Call it as the transaction's last step before the
/// documents' own number updates.
pub async fn allocate(
    e: &mut impl Exec,
    unit_id: i64,
    kind: DocumentKind,
    year: i32,
    count: i64,
) -> StoreResult<i64> {
    // The first number of a year creates the row; a concurrent first waits on
    // the conflicting insert and then does nothing.
    e.execute(
        "INSERT INTO document_counters (unit_id, kind, year, last_number) VALUES ($1, $2, $3, 0)
         ON CONFLICT (unit_id, kind, year) DO NOTHING",
        crate::args![unit_id, kind.as_str(), i64::from(year)],
    )
    .await?;
    e.scalar_i64(
        "UPDATE document_counters SET last_number = last_number + $4
          WHERE unit_id = $1 AND kind = $2 AND year = $3 RETURNING last_number",
        crate::args![unit_id, kind.as_str(), i64::from(year), count],
    )
    .await
}

/// A unit's pattern for a kind: its own, or the default from its short name.
pub async fn pattern(
    e: &mut impl Exec,
    unit_id: i64,
    kind: DocumentKind,
) -> StoreResult<NumberPattern> {
    let row = e
        .fetch_optional(
            "SELECT u.short_name, p.pattern FROM units u
               LEFT JOIN document_patterns p ON p.unit_id = u.id AND p.kind = $2
              WHERE u.id = $1",
            crate::args![unit_id, kind.as_str()],
        )
        .await?
        .ok_or_else(|| DomainError::not_found("单位不存在"))?;
    let own: Option<String> = row.get("pattern")?;
    if let Some(p) = own {
        return Ok(NumberPattern::parse(&p)?);
    }
    let short: String = row.get("short_name")?;
    NumberPattern::default_for(&short, kind).ok_or_else(|| {
        DomainError::conflict("not_numbered", format!("{}不编号", kind.label())).into()
    })
}

/// A pattern as pages and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatternView {
    pub kind: DocumentKind,
    pub kind_label: String,
    pub pattern: String,
    /// What the first number of `example_year` looks like.
    pub example: String,
    /// The unit set it (otherwise it is the default).
    pub own: bool,
}

pub async fn patterns(
    mut db: &Db,
    unit_id: i64,
    example_year: i32,
) -> StoreResult<Vec<PatternView>> {
    let own: Vec<String> = db
        .fetch_all(
            "SELECT kind FROM document_patterns WHERE unit_id = $1",
            crate::args![unit_id],
        )
        .await?
        .iter()
        .map(|r| r.get("kind"))
        .collect::<StoreResult<_>>()?;
    let mut out = Vec::new();
    for kind in DocumentKind::numbered() {
        let p = pattern(&mut db, unit_id, kind).await?;
        out.push(PatternView {
            kind,
            kind_label: kind.label().to_string(),
            example: p.format(example_year, 1),
            pattern: p.as_str().to_string(),
            own: own.iter().any(|k| k == kind.as_str()),
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PatternInput {
    pub kind: DocumentKind,
    /// e.g. 唐环行检批〔{year}〕11-{n}号
    pub pattern: String,
}

/// The office or the system administrator sets a unit's pattern. Numbers
/// already given keep their text; the sequence of the year goes on.
pub async fn set_pattern(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    unit_id: i64,
    input: &PatternInput,
) -> StoreResult<PatternView> {
    let allowed = principal.has(Role::SystemAdmin)
        || (principal.unit_id == Some(unit_id) && principal.has(Role::OfficeClerk));
    if !allowed {
        return Err(
            DomainError::forbidden("只有本单位办公室或系统管理员可以设置文书编号格式").into(),
        );
    }
    if !input.kind.is_numbered() {
        return Err(
            DomainError::conflict("not_numbered", format!("{}不编号", input.kind.label()))
                .on("kind")
                .into(),
        );
    }
    let checked = NumberPattern::parse(&input.pattern)?;
    let mut tx = db.begin().await?;
    let before = pattern(&mut tx, unit_id, input.kind).await?;
    tx.execute(
        "INSERT INTO document_patterns (unit_id, kind, pattern, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (unit_id, kind) DO UPDATE SET pattern = excluded.pattern, updated_at = excluded.updated_at",
        crate::args![unit_id, input.kind.as_str(), checked.as_str(), now],
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change {
            action: "document.pattern",
            entity: "unit",
            entity_id: unit_id.to_string(),
            before: Some(&before),
            after: Some(&checked),
        },
    )
    .await?;
    tx.commit().await?;
    let year = yici_domain::time::business_date(now)
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2025);
    Ok(PatternView {
        kind: input.kind,
        kind_label: input.kind.label().to_string(),
        example: checked.format(year, 1),
        pattern: checked.as_str().to_string(),
        own: true,
    })
}

/// One line of a register (文书编号登记簿).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterLine {
    pub number: i64,
    pub number_text: String,
    pub document_id: i64,
    pub task_id: i64,
    pub enterprise_name: String,
    pub department_name: String,
    pub numbered_at: DateTime<Utc>,
    pub numbered_by_name: String,
    /// 作废 documents keep their number.
    pub voided: bool,
    pub void_reason: Option<String>,
}

/// Every number of a unit's kind and year, with the proof that there is no gap.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Register {
    pub unit_id: i64,
    pub kind: DocumentKind,
    pub kind_label: String,
    pub year: i32,
    pub lines: Vec<RegisterLine>,
    /// The counter's last number: equal to the number of lines when whole.
    pub last_number: i64,
    pub missing: Vec<i64>,
    pub duplicates: Vec<i64>,
    /// 1…last_number, each once.
    pub gapless: bool,
}

pub async fn register(
    mut db: &Db,
    principal: &Principal,
    unit_id: i64,
    kind: DocumentKind,
    year: i32,
) -> StoreResult<Register> {
    if !(principal.has(Role::SystemAdmin) || principal.unit_id == Some(unit_id)) {
        return Err(DomainError::forbidden("只能查看本单位的文书编号登记").into());
    }
    let rows = db
        .fetch_all(
            "SELECT d.number, d.number_text, d.id, d.task_id, e.name AS enterprise_name,
                    dp.name AS department_name, d.numbered_at, d.numbered_by_name,
                    d.status, d.void_reason
               FROM documents d
               JOIN tasks t ON t.id = d.task_id
               JOIN enterprises e ON e.id = t.enterprise_id
               JOIN departments dp ON dp.id = d.department_id
              WHERE d.unit_id = $1 AND d.kind = $2 AND d.year = $3 AND d.number IS NOT NULL
              ORDER BY d.number",
            crate::args![unit_id, kind.as_str(), i64::from(year)],
        )
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for r in &rows {
        let status: String = r.get("status")?;
        lines.push(RegisterLine {
            number: r.get("number")?,
            number_text: r.get("number_text")?,
            document_id: r.get("id")?,
            task_id: r.get("task_id")?,
            enterprise_name: r.get("enterprise_name")?,
            department_name: r.get("department_name")?,
            numbered_at: r.get("numbered_at")?,
            numbered_by_name: r.get("numbered_by_name")?,
            voided: status == "void",
            void_reason: r.get("void_reason")?,
        });
    }
    let last_number = db
        .fetch_optional(
            "SELECT last_number FROM document_counters WHERE unit_id = $1 AND kind = $2 AND year = $3",
            crate::args![unit_id, kind.as_str(), i64::from(year)],
        )
        .await?
        .map(|r| r.get::<i64>("last_number"))
        .transpose()?
        .unwrap_or(0);
    let numbers: Vec<i64> = lines.iter().map(|l| l.number).collect();
    let (mut missing, duplicates) = gaps(&numbers);
    // Numbers the counter gave beyond the last document would be gaps too.
    let top = numbers.iter().copied().max().unwrap_or(0);
    missing.extend(top + 1..=last_number);
    Ok(Register {
        unit_id,
        kind,
        kind_label: kind.label().to_string(),
        year,
        gapless: missing.is_empty() && duplicates.is_empty() && top == last_number,
        lines,
        last_number,
        missing,
        duplicates,
    })
}
