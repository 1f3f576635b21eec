//! 整改 in storage (RES-1): rectification tasks raised by results
//! ([`raise`]), moved by the department and the enterprise ([`flow`]), and
//! read here — by the department and its unit's leaders and office, and by
//! the enterprise it concerns (which never learns of another enterprise's).

pub mod flow;
pub mod raise;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::org::{Principal, Role};
use yici_domain::rectification::{self as rules, Referral, Status, StepKind};
use yici_domain::DomainError;

pub use raise::{follow, raise};

use crate::db::{Db, Exec, Row, Sql};
use crate::error::StoreResult;
use crate::org::parse_code;

/// A rectification task as lists and pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rectification {
    pub id: i64,
    pub task_id: i64,
    /// The result (in force) whose item raised it, and that item's line.
    pub result_id: i64,
    pub item_position: i64,
    pub department_id: i64,
    pub department_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub enterprise_uscc: String,
    /// 检查事项 as the result names it.
    pub item_name: String,
    /// 存在问题.
    pub problem: String,
    /// 违反的法律条款 (the item's 检查依据).
    pub legal_basis: String,
    /// 整改要求.
    pub requirement: String,
    /// 整改期限.
    pub deadline: NaiveDate,
    pub status: Status,
    pub status_label: String,
    /// Waiting on the enterprise past its deadline (逾期).
    pub overdue: bool,
    pub issued_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// 整改复查 task, when one was planned.
    pub revisit_task_id: Option<i64>,
    /// 移送立案 and its outcome.
    pub referral: Option<Referral>,
    pub referral_label: Option<String>,
    pub case_number: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Every step, oldest first (filled by [`get`] and the enterprise's view).
    pub steps: Vec<Step>,
}

/// One step of a rectification.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RectificationStep)] // a schema name of its own (a document has a `Step`)
pub struct Step {
    pub id: i64,
    pub kind: StepKind,
    pub kind_label: String,
    pub note: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub files: Vec<ReportFile>,
}

/// A photo of a report-back.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportFile {
    pub id: i64,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

const SELECT: &str = "SELECT x.id, x.task_id, x.result_id, x.item_position, x.department_id,
        d.name AS department_name, x.unit_id, u.name AS unit_name, x.enterprise_id,
        e.name AS enterprise_name, e.uscc AS enterprise_uscc, x.item_name, x.problem,
        x.legal_basis, x.requirement, x.deadline, x.status, x.issued_at, x.closed_at,
        x.revisit_task_id, x.referral_status, x.case_number, x.created_at
   FROM rectifications x
   JOIN departments d ON d.id = x.department_id
   JOIN units u ON u.id = x.unit_id
   JOIN enterprises e ON e.id = x.enterprise_id";

fn of_row(r: &Row, today: NaiveDate) -> StoreResult<Rectification> {
    let status = parse_code(&r.get::<String>("status")?, Status::parse)?;
    let deadline: NaiveDate = r.get("deadline")?;
    let referral = r
        .get::<Option<String>>("referral_status")?
        .map(|s| parse_code(&s, Referral::parse))
        .transpose()?;
    Ok(Rectification {
        id: r.get("id")?,
        task_id: r.get("task_id")?,
        result_id: r.get("result_id")?,
        item_position: r.get("item_position")?,
        department_id: r.get("department_id")?,
        department_name: r.get("department_name")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        enterprise_id: r.get("enterprise_id")?,
        enterprise_name: r.get("enterprise_name")?,
        enterprise_uscc: r.get("enterprise_uscc")?,
        item_name: r.get("item_name")?,
        problem: r.get("problem")?,
        legal_basis: r.get("legal_basis")?,
        requirement: r.get("requirement")?,
        deadline,
        status,
        status_label: status.label().to_string(),
        overdue: rules::is_overdue(status, deadline, today),
        issued_at: r.get("issued_at")?,
        closed_at: r.get("closed_at")?,
        revisit_task_id: r.get("revisit_task_id")?,
        referral,
        referral_label: referral.map(|r| r.label().to_string()),
        case_number: r.get("case_number")?,
        created_at: r.get("created_at")?,
        steps: Vec::new(),
    })
}

/// The department's people handle its rectifications; the system
/// administrator may too.
pub fn may_handle(p: &Principal, department_id: i64) -> bool {
    p.has(Role::SystemAdmin)
        || (p.department_id == Some(department_id)
            && [
                Role::Secretary,
                Role::DepartmentAdmin,
                Role::DepartmentHead,
                Role::Inspector,
            ]
            .iter()
            .any(|r| p.has(*r)))
}

/// Besides the department, its unit's head and office follow them (RES-1:
/// overdue ones are flagged to those who supervise).
pub fn may_read(p: &Principal, department_id: i64, unit_id: i64) -> bool {
    may_handle(p, department_id)
        || (p.unit_id == Some(unit_id) && (p.has(Role::UnitHead) || p.has(Role::OfficeClerk)))
}

/// Whose rectifications a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    All,
    Unit(i64),
    Department(i64),
}

/// What a person's rectification list covers: the unit for its head and
/// office, the department for its people; None for anyone else.
pub fn reach_of(p: &Principal) -> Option<Reach> {
    if p.has(Role::SystemAdmin) {
        return Some(Reach::All);
    }
    if let Some(u) = p.unit_id {
        if p.has(Role::UnitHead) || p.has(Role::OfficeClerk) {
            return Some(Reach::Unit(u));
        }
    }
    p.department_id
        .filter(|d| may_handle(p, *d))
        .map(Reach::Department)
}

fn within(q: &mut Sql, reach: Reach) {
    match reach {
        Reach::All => {}
        Reach::Unit(u) => {
            q.push(" AND x.unit_id = ").push_bind(u);
        }
        Reach::Department(d) => {
            q.push(" AND x.department_id = ").push_bind(d);
        }
    }
}

/// Narrowing of a list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    /// Only those overdue today.
    pub overdue: bool,
    /// Only the open ones (待下发, 整改中, 待核查, 退回整改).
    pub open: bool,
    pub enterprise_id: Option<i64>,
    pub task_id: Option<i64>,
}

/// Longest list one page shows.
pub const LIST_LIMIT: i64 = 500;

/// Rectifications within `reach`, overdue and nearest deadlines first.
pub async fn list(
    mut db: &Db,
    reach: Reach,
    today: NaiveDate,
    filter: &Filter,
) -> StoreResult<Vec<Rectification>> {
    let mut q = Sql::new(SELECT);
    q.push(" WHERE 1 = 1");
    within(&mut q, reach);
    if let Some(s) = filter.status {
        q.push(" AND x.status = ").push_bind(s.as_str());
    }
    if filter.open {
        q.push(" AND x.status IN ('draft', 'issued', 'reported', 'returned')");
    }
    if filter.overdue {
        q.push(" AND x.status IN ('issued', 'returned') AND x.deadline < ")
            .push_bind(today);
    }
    if let Some(e) = filter.enterprise_id {
        q.push(" AND x.enterprise_id = ").push_bind(e);
    }
    if let Some(t) = filter.task_id {
        q.push(" AND x.task_id = ").push_bind(t);
    }
    let (sql, args) = q
        .push(" ORDER BY CASE WHEN x.status IN ('issued', 'returned') AND x.deadline < ")
        .push_bind(today)
        .push(
            " THEN 0 WHEN x.status IN ('draft', 'issued', 'reported', 'returned') THEN 1 ELSE 2 END,
             x.deadline, x.id LIMIT ",
        )
        .push_bind(LIST_LIMIT)
        .build();
    db.fetch_all(&sql, args)
        .await?
        .iter()
        .map(|r| of_row(r, today))
        .collect()
}

/// What waits within `reach`: the home page's 整改 line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Waiting {
    /// 待下发: drafts the department has not sent.
    pub drafts: i64,
    /// 待核查: reports the department has not verified.
    pub reported: i64,
    /// 逾期: past the deadline without a report.
    pub overdue: i64,
}

pub async fn waiting(mut db: &Db, reach: Reach, today: NaiveDate) -> StoreResult<Waiting> {
    let mut q = Sql::new(
        "SELECT CAST(COALESCE(SUM(CASE WHEN x.status = 'draft' THEN 1 ELSE 0 END), 0) AS BIGINT) AS drafts,
                CAST(COALESCE(SUM(CASE WHEN x.status = 'reported' THEN 1 ELSE 0 END), 0) AS BIGINT) AS reported,
                CAST(COALESCE(SUM(CASE WHEN x.status IN ('issued', 'returned') AND x.deadline < ",
    );
    q.push_bind(today).push(
        " THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue
           FROM rectifications x WHERE x.status IN ('draft', 'issued', 'reported', 'returned')",
    );
    within(&mut q, reach);
    let (sql, args) = q.build();
    let r = db.fetch_one(&sql, args).await?;
    Ok(Waiting {
        drafts: r.get("drafts")?,
        reported: r.get("reported")?,
        overdue: r.get("overdue")?,
    })
}

/// How many are overdue within `reach` (the list's flag): one of the
/// [`waiting`] counts.
pub async fn overdue_count(db: &Db, reach: Reach, today: NaiveDate) -> StoreResult<i64> {
    Ok(waiting(db, reach, today).await?.overdue)
}

/// One rectification with its steps, for someone who may read it.
pub async fn get(
    db: &Db,
    principal: &Principal,
    today: NaiveDate,
    id: i64,
) -> StoreResult<Rectification> {
    let r = load(db, today, id).await?;
    if !may_read(principal, r.department_id, r.unit_id) {
        // Like tasks: someone who may not read it does not learn it exists.
        return Err(not_found().into());
    }
    Ok(r)
}

/// One rectification of the enterprise, once sent to it.
pub async fn get_for_enterprise(
    db: &Db,
    enterprise_id: i64,
    today: NaiveDate,
    id: i64,
) -> StoreResult<Rectification> {
    let r = load(db, today, id).await?;
    if r.enterprise_id != enterprise_id || !r.status.enterprise_sees() {
        return Err(not_found().into());
    }
    Ok(r)
}

/// The enterprise's rectifications (those sent to it), open ones first.
pub async fn of_enterprise(
    db: &Db,
    enterprise_id: i64,
    today: NaiveDate,
) -> StoreResult<Vec<Rectification>> {
    let filter = Filter {
        enterprise_id: Some(enterprise_id),
        ..Filter::default()
    };
    Ok(list(db, Reach::All, today, &filter)
        .await?
        .into_iter()
        .filter(|r| r.status.enterprise_sees())
        .collect())
}

/// The rectifications raised on a task (for a reader the caller checked).
pub async fn of_task(db: &Db, task_id: i64, today: NaiveDate) -> StoreResult<Vec<Rectification>> {
    let filter = Filter {
        task_id: Some(task_id),
        ..Filter::default()
    };
    let mut all = list(db, Reach::All, today, &filter).await?;
    all.sort_by_key(|r| (r.department_id, r.id));
    Ok(all)
}

pub(crate) fn not_found() -> DomainError {
    DomainError::not_found("整改任务不存在")
}

pub(crate) async fn load(mut db: &Db, today: NaiveDate, id: i64) -> StoreResult<Rectification> {
    load_in(&mut db, today, id).await
}

pub(crate) async fn load_in(
    e: &mut impl Exec,
    today: NaiveDate,
    id: i64,
) -> StoreResult<Rectification> {
    let row = e
        .fetch_optional(&format!("{SELECT} WHERE x.id = $1"), crate::args![id])
        .await?
        .ok_or_else(not_found)?;
    let mut r = of_row(&row, today)?;
    r.steps = steps(e, id).await?;
    Ok(r)
}

async fn steps(e: &mut impl Exec, id: i64) -> StoreResult<Vec<Step>> {
    let files = e
        .fetch_all(
            "SELECT id, step_id, content_type, size_bytes, sha256 FROM rectification_files
              WHERE rectification_id = $1 ORDER BY id",
            crate::args![id],
        )
        .await?;
    let mut out = Vec::new();
    for r in e
        .fetch_all(
            "SELECT id, kind, note, by_name, at FROM rectification_steps
              WHERE rectification_id = $1 ORDER BY id",
            crate::args![id],
        )
        .await?
    {
        let step_id: i64 = r.get("id")?;
        let kind = parse_code(&r.get::<String>("kind")?, StepKind::parse)?;
        let mut own = Vec::new();
        for f in &files {
            if f.get::<i64>("step_id")? == step_id {
                own.push(ReportFile {
                    id: f.get("id")?,
                    content_type: f.get("content_type")?,
                    size_bytes: f.get("size_bytes")?,
                    sha256: f.get("sha256")?,
                });
            }
        }
        out.push(Step {
            id: step_id,
            kind,
            kind_label: kind.label().to_string(),
            note: r.get("note")?,
            by_name: r.get("by_name")?,
            at: r.get("at")?,
            files: own,
        });
    }
    Ok(out)
}

/// A report-back photo and where its file is, for the department side or the
/// enterprise (`enterprise`: the enterprise asking, if it is one).
pub async fn file(
    mut db: &Db,
    dir: &std::path::Path,
    principal: &Principal,
    enterprise: Option<i64>,
    today: NaiveDate,
    id: i64,
) -> StoreResult<(ReportFile, std::path::PathBuf)> {
    let row = db
        .fetch_optional(
            "SELECT id, rectification_id, content_type, size_bytes, sha256, stored_path
               FROM rectification_files WHERE id = $1",
            crate::args![id],
        )
        .await?
        .ok_or_else(|| DomainError::not_found("照片不存在"))?;
    let of: i64 = row.get("rectification_id")?;
    match enterprise {
        Some(e) => get_for_enterprise(db, e, today, of).await?,
        None => get(db, principal, today, of).await?,
    };
    let stored: String = row.get("stored_path")?;
    Ok((
        ReportFile {
            id: row.get("id")?,
            content_type: row.get("content_type")?,
            size_bytes: row.get("size_bytes")?,
            sha256: row.get("sha256")?,
        },
        dir.join(stored),
    ))
}
