//! 环境信用 in storage (RES-3): the grade history, proposals computed from
//! results ([`reassess`]), and the decisions on them ([`decide`]).
//!
//! `enterprises.credit_grade` and `positive_list` remain the current values
//! that searches and draws read (DRAW-10); every change of them — by hand,
//! by a confirmed proposal or by an import — leaves a history row.

pub mod decide;
pub mod reassess;

use std::sync::RwLock;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::credit::{ChangeSource, ProposalStatus, ScoringRule};
use yici_domain::registry::enterprise::CreditGrade;

pub use decide::{confirm, record_import, reject, set, CreditInput, ImportChange};
pub use reassess::{reassess, record_overdue};

use crate::db::{Db, Exec, Row, Sql};
use crate::error::StoreResult;
use crate::org::parse_code;
use crate::registry::search::Scope;

/// The scoring rule in force, set once at start from `[credit]` in the
/// configuration. A process-wide setting rather than an argument: results
/// and rectifications reassess inside their own transactions, several
/// layers below the configuration, and every instance of one database runs
/// the same configuration (as for the draw weights).
static RULE: RwLock<Option<ScoringRule>> = RwLock::new(None);

/// Sets the scoring rule (at start).
pub fn configure(rule: ScoringRule) {
    *RULE.write().unwrap_or_else(|e| e.into_inner()) = Some(rule);
}

/// The scoring rule in force (the defaults until configured).
pub fn rule() -> ScoringRule {
    RULE.read()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_default()
}

/// 未评价 or the grade's label.
pub fn grade_label(g: Option<CreditGrade>) -> &'static str {
    g.map_or("未评价", |g| g.label())
}

fn grade(r: &Row, column: &str) -> StoreResult<Option<CreditGrade>> {
    r.get::<Option<String>>(column)?
        .map(|g| parse_code(&g, CreditGrade::parse))
        .transpose()
}

/// A grade change proposed from results.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CreditProposal)]
pub struct Proposal {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub county_name: String,
    pub grade_from: Option<CreditGrade>,
    pub grade_from_label: String,
    pub grade_to: CreditGrade,
    pub grade_to_label: String,
    /// 评价得分 (0–100).
    pub score: i64,
    /// Why, one Chinese line each: the start, each day's events, the result.
    pub reasons: Vec<String>,
    pub status: ProposalStatus,
    pub status_label: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

const PROPOSAL_COLUMNS: &str = "p.id, p.enterprise_id, e.name AS enterprise_name, e.county_name,
    p.grade_from, p.grade_to, p.score, p.reasons, p.status, p.created_at, p.updated_at,
    p.decided_by_name, p.decided_at, p.decision_note";

fn proposal_of(r: &Row) -> StoreResult<Proposal> {
    let grade_from = grade(r, "grade_from")?;
    let grade_to = parse_code(&r.get::<String>("grade_to")?, CreditGrade::parse)?;
    let status = parse_code(&r.get::<String>("status")?, ProposalStatus::parse)?;
    let reasons: Vec<String> = serde_json::from_str(&r.get::<String>("reasons")?)
        .map_err(|e| crate::StoreError::internal(format!("credit reasons: {e}")))?;
    Ok(Proposal {
        id: r.get("id")?,
        enterprise_id: r.get("enterprise_id")?,
        enterprise_name: r.get("enterprise_name")?,
        county_name: r.get("county_name")?,
        grade_from,
        grade_from_label: grade_label(grade_from).to_string(),
        grade_to,
        grade_to_label: grade_to.label().to_string(),
        score: r.get("score")?,
        reasons,
        status,
        status_label: status.label().to_string(),
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        decided_by_name: r.get("decided_by_name")?,
        decided_at: r.get("decided_at")?,
        decision_note: r.get("decision_note")?,
    })
}

/// One proposal, whatever its state.
pub async fn proposal(e: &mut impl Exec, id: i64) -> StoreResult<Option<Proposal>> {
    e.fetch_optional(
        &format!(
            "SELECT {PROPOSAL_COLUMNS} FROM credit_proposals p
               JOIN enterprises e ON e.id = p.enterprise_id WHERE p.id = $1"
        ),
        crate::args![id],
    )
    .await?
    .as_ref()
    .map(proposal_of)
    .transpose()
}

/// The open proposal of an enterprise.
pub async fn open_proposal(e: &mut impl Exec, enterprise_id: i64) -> StoreResult<Option<Proposal>> {
    e.fetch_optional(
        &format!(
            "SELECT {PROPOSAL_COLUMNS} FROM credit_proposals p
               JOIN enterprises e ON e.id = p.enterprise_id
              WHERE p.enterprise_id = $1 AND p.status = 'proposed'"
        ),
        crate::args![enterprise_id],
    )
    .await?
    .as_ref()
    .map(proposal_of)
    .transpose()
}

/// Open proposals of the enterprises in `scope`, oldest first (they have
/// waited longest).
pub async fn open_proposals(mut db: &Db, scope: &Scope) -> StoreResult<Vec<Proposal>> {
    let mut sql = Sql::new(&format!(
        "SELECT {PROPOSAL_COLUMNS} FROM credit_proposals p
           JOIN enterprises e ON e.id = p.enterprise_id
          WHERE p.status = 'proposed'"
    ));
    scope.push_condition(&mut sql, "e");
    let (text, args) = sql.push(" ORDER BY p.created_at, p.id").build();
    db.fetch_all(&text, args)
        .await?
        .iter()
        .map(proposal_of)
        .collect()
}

/// How many proposals [`open_proposals`] would list.
pub async fn open_proposal_count(mut db: &Db, scope: &Scope) -> StoreResult<i64> {
    let mut sql = Sql::new(
        "SELECT COUNT(*) FROM credit_proposals p
           JOIN enterprises e ON e.id = p.enterprise_id
          WHERE p.status = 'proposed'",
    );
    scope.push_condition(&mut sql, "e");
    let (text, args) = sql.build();
    db.scalar_i64(&text, args).await
}

/// One change of grade or positive list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CreditHistoryEntry)]
pub struct HistoryEntry {
    pub id: i64,
    pub grade_from: Option<CreditGrade>,
    pub grade_from_label: String,
    pub grade_to: Option<CreditGrade>,
    pub grade_to_label: String,
    pub positive_list_from: bool,
    pub positive_list_to: bool,
    pub reason: String,
    pub source: ChangeSource,
    pub source_label: String,
    pub proposal_id: Option<i64>,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// An enterprise's changes, newest first.
pub async fn history(e: &mut impl Exec, enterprise_id: i64) -> StoreResult<Vec<HistoryEntry>> {
    e.fetch_all(
        "SELECT id, grade_from, grade_to, positive_list_from, positive_list_to, reason, source,
                proposal_id, by_name, at
           FROM credit_grade_history WHERE enterprise_id = $1 ORDER BY at DESC, id DESC",
        crate::args![enterprise_id],
    )
    .await?
    .iter()
    .map(|r| {
        let (from, to) = (grade(r, "grade_from")?, grade(r, "grade_to")?);
        let source = parse_code(&r.get::<String>("source")?, ChangeSource::parse)?;
        Ok(HistoryEntry {
            id: r.get("id")?,
            grade_from: from,
            grade_from_label: grade_label(from).to_string(),
            grade_to: to,
            grade_to_label: grade_label(to).to_string(),
            positive_list_from: r.get("positive_list_from")?,
            positive_list_to: r.get("positive_list_to")?,
            reason: r.get("reason")?,
            source,
            source_label: source.label().to_string(),
            proposal_id: r.get("proposal_id")?,
            by_name: r.get("by_name")?,
            at: r.get("at")?,
        })
    })
    .collect()
}

/// An enterprise's credit as its page and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Credit {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub credit_grade: Option<CreditGrade>,
    pub credit_grade_label: String,
    /// 正面清单.
    pub positive_list: bool,
    pub open_proposal: Option<Proposal>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

/// The credit of an enterprise (which the caller has found visible).
pub async fn of_enterprise(e: &mut impl Exec, enterprise_id: i64) -> StoreResult<Credit> {
    let row = e
        .fetch_optional(
            "SELECT id, name, credit_grade, positive_list FROM enterprises WHERE id = $1",
            crate::args![enterprise_id],
        )
        .await?
        .ok_or_else(|| yici_domain::DomainError::not_found("企业不存在"))?;
    let g = grade(&row, "credit_grade")?;
    Ok(Credit {
        enterprise_id,
        enterprise_name: row.get("name")?,
        credit_grade: g,
        credit_grade_label: grade_label(g).to_string(),
        positive_list: row.get("positive_list")?,
        open_proposal: open_proposal(e, enterprise_id).await?,
        history: history(e, enterprise_id).await?,
    })
}
