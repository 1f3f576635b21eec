//! 监督预警 in storage (STAT-2): warnings raised by the rules of
//! [`yici_domain::warnings`] ([`evaluate`]), read by the unit's leaders and
//! office and by department heads for their department's tasks, closed with
//! a note by the unit head or the office, and counted per unit and year.

pub mod evaluate;

use std::sync::RwLock;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::org::Principal;
use yici_domain::warnings::{self as rules, Reach, Rules, WarningKind, WarningState};
use yici_domain::DomainError;

pub use evaluate::{evaluate_due, evaluate_task};

use crate::audit::{self, Change};
use crate::db::{Db, Exec, Row, Sql};
use crate::error::StoreResult;
use crate::org::parse_code;
use crate::Actor;

/// The rules in force, set once at start from `[warnings]`: the hooks run
/// deep in other transactions, like the credit rule (`crate::credit`).
static RULES: RwLock<Option<Rules>> = RwLock::new(None);

/// Sets the rules (at start).
pub fn configure(r: Rules) {
    *RULES.write().unwrap_or_else(|e| e.into_inner()) = Some(r);
}

/// The rules in force (the defaults until configured).
pub fn rules() -> Rules {
    RULES
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_default()
}

/// Re-evaluates a task with the rules in force: the one line each hook adds.
pub async fn hook(tx: &mut crate::Tx, task_id: i64, now: DateTime<Utc>) -> StoreResult<usize> {
    evaluate_task(tx, task_id, now, &rules()).await
}

/// A warning as pages and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warning {
    pub id: i64,
    pub unit_id: i64,
    pub task_id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// The task's initiating department.
    pub department_name: String,
    pub kind: WarningKind,
    pub kind_label: String,
    /// Why, as the rule saw it when raising.
    pub detail: String,
    pub raised_at: DateTime<Utc>,
    pub state: WarningState,
    pub state_label: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub close_note: Option<String>,
}

const COLUMNS: &str = "w.id, w.unit_id, w.task_id, t.enterprise_id, e.name AS enterprise_name,
        d.name AS department_name, w.kind, w.detail, w.raised_at, w.closed_at, w.closed_by_name,
        w.close_note
   FROM warnings w JOIN tasks t ON t.id = w.task_id
   JOIN enterprises e ON e.id = t.enterprise_id
   JOIN departments d ON d.id = t.department_id";

fn warning_of(r: &Row) -> StoreResult<Warning> {
    let kind = parse_code(&r.get::<String>("kind")?, WarningKind::parse)?;
    let closed_at: Option<DateTime<Utc>> = r.get("closed_at")?;
    let state = if closed_at.is_some() {
        WarningState::Closed
    } else {
        WarningState::Open
    };
    Ok(Warning {
        id: r.get("id")?,
        unit_id: r.get("unit_id")?,
        task_id: r.get("task_id")?,
        enterprise_id: r.get("enterprise_id")?,
        enterprise_name: r.get("enterprise_name")?,
        department_name: r.get("department_name")?,
        kind,
        kind_label: kind.label().to_string(),
        detail: r.get("detail")?,
        raised_at: r.get("raised_at")?,
        state,
        state_label: state.label().to_string(),
        closed_at,
        closed_by_name: r.get("closed_by_name")?,
        close_note: r.get("close_note")?,
    })
}

/// Who reads warnings at all; others are refused.
pub fn reach(p: &Principal) -> StoreResult<Reach> {
    rules::reach_of(p).ok_or_else(|| {
        DomainError::forbidden("只有行政执法主体负责人、办公室和承办机构负责人可以查看监督预警")
            .into()
    })
}

fn within(q: &mut Sql, reach: Reach) {
    match reach {
        Reach::Unit(u) => q.push(" AND w.unit_id = ").push_bind(u),
        Reach::Department(d) => q.push(" AND t.department_id = ").push_bind(d),
    };
}

/// What a list shows.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Filter {
    pub kind: Option<WarningKind>,
    pub state: Option<WarningState>,
    pub task_id: Option<i64>,
}

/// Most rows a list returns.
pub const LIST_LIMIT: i64 = 500;

/// The warnings in the reader's reach, open ones first, newest first.
pub async fn list(mut db: &Db, p: &Principal, filter: &Filter) -> StoreResult<Vec<Warning>> {
    let reach = reach(p)?;
    let mut q = Sql::new(&format!("SELECT {COLUMNS} WHERE 1 = 1"));
    within(&mut q, reach);
    if let Some(k) = filter.kind {
        q.push(" AND w.kind = ").push_bind(k.as_str());
    }
    match filter.state {
        Some(WarningState::Open) => {
            q.push(" AND w.closed_at IS NULL");
        }
        Some(WarningState::Closed) => {
            q.push(" AND w.closed_at IS NOT NULL");
        }
        None => {}
    }
    if let Some(t) = filter.task_id {
        q.push(" AND w.task_id = ").push_bind(t);
    }
    q.push(" ORDER BY CASE WHEN w.closed_at IS NULL THEN 0 ELSE 1 END, w.raised_at DESC, w.id DESC LIMIT ")
        .push_bind(LIST_LIMIT);
    let (sql, args) = q.build();
    db.fetch_all(&sql, args)
        .await?
        .iter()
        .map(warning_of)
        .collect()
}

/// How many open warnings the reader's reach holds (the home page's 待办,
/// counted rather than listed).
pub async fn open_count(mut db: &Db, p: &Principal) -> StoreResult<i64> {
    let mut q = Sql::new(
        "SELECT COUNT(*) FROM warnings w JOIN tasks t ON t.id = w.task_id
          WHERE w.closed_at IS NULL",
    );
    within(&mut q, reach(p)?);
    let (sql, args) = q.build();
    db.scalar_i64(&sql, args).await
}

/// One warning in the reader's reach.
pub async fn get(e: &mut impl Exec, p: &Principal, id: i64) -> StoreResult<Warning> {
    let reach = reach(p)?;
    let mut q = Sql::new(&format!("SELECT {COLUMNS} WHERE w.id = "));
    q.push_bind(id);
    within(&mut q, reach);
    let (sql, args) = q.build();
    let row = e
        .fetch_optional(&sql, args)
        .await?
        .ok_or_else(|| DomainError::not_found("预警不存在或无权查看"))?;
    warning_of(&row)
}

/// Open warnings of a task the reader may see (0 for others).
pub async fn open_of_task(mut db: &Db, p: &Principal, task_id: i64) -> StoreResult<i64> {
    let Some(reach) = rules::reach_of(p) else {
        return Ok(0);
    };
    let mut q = Sql::new(
        "SELECT COUNT(*) FROM warnings w JOIN tasks t ON t.id = w.task_id
          WHERE w.closed_at IS NULL AND w.task_id = ",
    );
    q.push_bind(task_id);
    within(&mut q, reach);
    let (sql, args) = q.build();
    db.scalar_i64(&sql, args).await
}

/// Closes an open warning with a note (required): the unit head or the office.
pub async fn close(
    db: &Db,
    now: DateTime<Utc>,
    p: &Principal,
    id: i64,
    note: Option<&str>,
) -> StoreResult<Warning> {
    let before = get(&mut &*db, p, id).await?;
    if !rules::may_close(p) {
        return Err(
            DomainError::forbidden("只有行政执法主体负责人或办公室可以关闭监督预警").into(),
        );
    }
    let note = rules::check_note(note)?;
    let mut tx = db.begin().await?;
    let account = (p.account_id != 0).then_some(p.account_id);
    let n = tx
        .execute(
            "UPDATE warnings SET closed_at = $2, closed_by_account_id = $3, closed_by_name = $4,
                    close_note = $5
              WHERE id = $1 AND closed_at IS NULL",
            crate::args![id, now, account, &p.display_name, note.as_str()],
        )
        .await?;
    if n == 0 {
        return Err(DomainError::conflict("warning_closed", "该预警已关闭").into());
    }
    let after = get(&mut tx, p, id).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(p),
        Change {
            action: "warning.close",
            entity: "warning",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Open and closed warnings of one kind, for the statistics (STAT-1/STAT-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: WarningKind,
    pub kind_label: String,
    pub open: i64,
    pub closed: i64,
}

/// Per kind (every kind, zeros included), the warnings of `units` on their
/// tasks of a year (one unit, or a city's or province's roll-up).
pub async fn counts(mut db: &Db, units: &[i64], year: i64) -> StoreResult<Vec<KindCount>> {
    let rows = if units.is_empty() {
        Vec::new()
    } else {
        let (sql, args) = Sql::with(
            "SELECT w.kind, SUM(CASE WHEN w.closed_at IS NULL THEN 1 ELSE 0 END) AS open,
                    COUNT(*) AS total
               FROM warnings w JOIN tasks t ON t.id = w.task_id
              WHERE t.year = $1 AND w.unit_id IN ",
            crate::args![year],
        )
        .push_in(units.iter().copied())
        .push(" GROUP BY w.kind")
        .build();
        db.fetch_all(&sql, args).await?
    };
    let mut out: Vec<KindCount> = WarningKind::ALL
        .iter()
        .map(|k| KindCount {
            kind: *k,
            kind_label: k.label().to_string(),
            open: 0,
            closed: 0,
        })
        .collect();
    for r in rows {
        let kind = parse_code(&r.get::<String>("kind")?, WarningKind::parse)?;
        let open: i64 = r.get("open")?;
        let total: i64 = r.get("total")?;
        if let Some(c) = out.iter_mut().find(|c| c.kind == kind) {
            c.open = open;
            c.closed = total - open;
        }
    }
    Ok(out)
}
