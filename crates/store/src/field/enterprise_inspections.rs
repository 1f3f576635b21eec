//! The enterprise's view of one of its inspections (企业端, RES-4): each
//! participating department's findings, the 结果告知 of the issued
//! 行政检查情况记录表, the documents served on it, and its rating.
//!
//! An enterprise reaches only inspections of its own that were visited (the
//! list of drawn enterprises stays confidential until the visit); anything
//! else — another enterprise's inspection or document, a task not yet
//! visited — is "not found", never "forbidden", so nothing tells it what
//! exists.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::documents::forms::{InspectionRecordSheet, Outcome};
use yici_domain::documents::workflow::DocumentStatus;
use yici_domain::documents::{DocumentKind, Form};
use yici_domain::org::{Principal, Role};
use yici_domain::DomainError;

use super::checkin::{self, FieldTask};
use super::enterprise_accounts::{self, EnterpriseRef};
use super::results::{self, ResultItem};
use crate::db::{Db, Exec};
use crate::documents::{self, Document};
use crate::error::StoreResult;
use crate::ratings::{self, Rating};

/// The enterprise behind the principal: an enterprise account only.
pub async fn enterprise_of(db: &Db, principal: &Principal) -> StoreResult<EnterpriseRef> {
    if !principal.has(Role::EnterpriseUser) {
        return Err(DomainError::forbidden("企业端仅供企业账号使用").into());
    }
    enterprise_accounts::enterprise_of(db, principal.account_id)
        .await?
        .ok_or_else(|| DomainError::forbidden("企业账号未关联企业").into())
}

fn not_found() -> DomainError {
    DomainError::not_found("检查记录不存在")
}

/// The task, when it is about this enterprise and was visited (the same
/// rule as the enterprise's history); "not found" otherwise.
pub(crate) async fn visited(
    e: &mut impl Exec,
    enterprise_id: i64,
    task_id: i64,
) -> StoreResult<()> {
    e.fetch_optional(
        "SELECT id FROM tasks
          WHERE id = $1 AND enterprise_id = $2
            AND (checked_in_at IS NOT NULL OR status IN ('in_progress', 'completed'))",
        crate::args![task_id, enterprise_id],
    )
    .await?
    .map(|_| ())
    .ok_or_else(|| not_found().into())
}

/// One department's findings as the enterprise reads them: what was checked,
/// the problems found and the conclusion — not who typed it or their phone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentFindings {
    pub department_name: String,
    pub unit_name: String,
    /// `submitted` (已办理) or `pending` (未办理).
    pub state: String,
    pub state_label: String,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The ticked items with 是否存在问题 and 问题描述.
    pub items: Vec<ResultItem>,
    /// 现场检查情况.
    pub onsite_findings: Option<String>,
}

/// 结果告知 (DOC-7) of one issued 行政检查情况记录表.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeNotice {
    pub document_id: i64,
    pub department_name: String,
    pub number_text: Option<String>,
    /// None when the sheet was issued with the box left empty.
    pub outcome: Option<Outcome>,
    /// 通过行政检查 / 未通过行政检查 / 其他：… / 未填写.
    pub label: String,
}

/// A document of the inspection the enterprise holds a copy of.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServedDocument {
    pub id: i64,
    pub kind: DocumentKind,
    pub kind_label: String,
    pub number_text: Option<String>,
    pub department_name: String,
    pub status_label: String,
    /// 送达日期 of a notice; none for the 情况记录表 (told with its 结果告知).
    pub served_on: Option<chrono::NaiveDate>,
    /// Where the enterprise opens its PDF.
    pub pdf_url: String,
}

/// One inspection as the enterprise sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseInspection {
    pub task: FieldTask,
    pub findings: Vec<DepartmentFindings>,
    /// 结果告知: empty until a 情况记录表 is issued (待告知).
    pub outcomes: Vec<OutcomeNotice>,
    pub documents: Vec<ServedDocument>,
    /// The enterprise's own rating, once given.
    pub rating: Option<Rating>,
    /// The inspection is complete and not rated yet.
    pub may_rate: bool,
}

/// Documents the enterprise holds: notices served on it, and the issued
/// 情况记录表 whose 结果告知 it is told. Drafts, internal forms (审批表,
/// 笔录) and voided documents are not its business.
fn held_by_enterprise(d: &Document) -> bool {
    match d.status {
        DocumentStatus::Served => true,
        DocumentStatus::Issued => d.kind == DocumentKind::InspectionRecordSheet,
        _ => false,
    }
}

fn served_on(d: &Document) -> Option<chrono::NaiveDate> {
    match &d.form {
        Form::InspectionNotice(n) => n.service.as_ref().map(|s| s.served_on),
        Form::SamplingNotice(n) => n.service.as_ref().map(|s| s.served_on),
        _ => None,
    }
}

fn outcome_of(d: &Document) -> Option<OutcomeNotice> {
    let Form::InspectionRecordSheet(sheet) = &d.form else {
        return None;
    };
    if !held_by_enterprise(d) {
        return None;
    }
    Some(OutcomeNotice {
        document_id: d.id,
        department_name: d.department_name.clone(),
        number_text: d.number_text.clone(),
        outcome: sheet.outcome,
        label: outcome_label(sheet),
    })
}

/// 通过行政检查 / 未通过行政检查 / 其他：… as the sheet's box reads.
fn outcome_label(sheet: &InspectionRecordSheet) -> String {
    match sheet.outcome {
        Some(Outcome::Other) if !sheet.outcome_other.trim().is_empty() => {
            format!("其他：{}", sheet.outcome_other.trim())
        }
        Some(o) => o.label().to_string(),
        None => "未填写".to_string(),
    }
}

/// The inspection `task_id` of the principal's enterprise.
pub async fn inspection(
    mut db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    task_id: i64,
) -> StoreResult<EnterpriseInspection> {
    let enterprise = enterprise_of(db, principal).await?;
    visited(&mut db, enterprise.id, task_id).await?;
    let task = checkin::plans(db, &[task_id], now)
        .await?
        .pop()
        .ok_or_else(not_found)?;
    let full = crate::draw::tasks::by_ids(&mut db, &[task_id], now)
        .await?
        .pop()
        .ok_or_else(not_found)?;
    let ids: Vec<i64> = db
        .fetch_all(
            &format!(
                "SELECT r.id FROM task_results r WHERE r.task_id = $1 AND {} ORDER BY r.id",
                results::IN_FORCE
            ),
            crate::args![task_id],
        )
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<StoreResult<_>>()?;
    let mut stored = results::by_ids(&mut db, &ids).await?;
    let findings = results::participating(&full)
        .into_iter()
        .map(|(department_id, department_name)| {
            let unit_name = full
                .participants
                .iter()
                .find(|p| p.department_id == department_id)
                .map(|p| p.unit_name.clone())
                .unwrap_or_default();
            let result = stored
                .iter()
                .position(|r| r.department_id == department_id)
                .map(|i| stored.remove(i));
            match result {
                Some(r) => DepartmentFindings {
                    department_name,
                    unit_name,
                    state: "submitted".into(),
                    state_label: "已办理".into(),
                    submitted_at: Some(r.submitted_at),
                    items: r.items,
                    onsite_findings: Some(r.onsite_findings),
                },
                None => DepartmentFindings {
                    department_name,
                    unit_name,
                    state: "pending".into(),
                    state_label: "未办理".into(),
                    submitted_at: None,
                    items: Vec::new(),
                    onsite_findings: None,
                },
            }
        })
        .collect();
    let docs = documents::of_visible_task(db, task_id).await?;
    let rating = ratings::of_task(&mut db, task_id).await?;
    Ok(EnterpriseInspection {
        may_rate: rating.is_none() && ratings::may_be_rated(task.status),
        findings,
        outcomes: docs.iter().filter_map(outcome_of).collect(),
        documents: docs
            .iter()
            .filter(|d| held_by_enterprise(d))
            .map(|d| ServedDocument {
                id: d.id,
                kind: d.kind,
                kind_label: d.kind_label.clone(),
                number_text: d.number_text.clone(),
                department_name: d.department_name.clone(),
                status_label: d.status_label.clone(),
                served_on: served_on(d),
                pdf_url: format!("/e/documents/{}/pdf", d.id),
            })
            .collect(),
        rating,
        task,
    })
}

/// A document the principal's enterprise holds (see [`held_by_enterprise`]);
/// "not found" for any other, whether or not it exists.
pub async fn document(mut db: &Db, principal: &Principal, id: i64) -> StoreResult<Document> {
    let enterprise = enterprise_of(db, principal).await?;
    let missing = || DomainError::not_found("文书不存在");
    let task_id: i64 = db
        .fetch_optional(
            "SELECT d.task_id FROM documents d JOIN tasks t ON t.id = d.task_id
              WHERE d.id = $1 AND t.enterprise_id = $2",
            crate::args![id, enterprise.id],
        )
        .await?
        .ok_or_else(missing)?
        .get("task_id")?;
    visited(&mut db, enterprise.id, task_id).await?;
    let doc = documents::of_visible_task(db, task_id)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(missing)?;
    if held_by_enterprise(&doc) {
        Ok(doc)
    } else {
        Err(missing().into())
    }
}

/// What the enterprise's history shows of each inspection besides its plan:
/// the 结果告知 given so far and whether it has been rated.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Summary {
    /// 结果告知 labels of the issued 情况记录表 (empty: 待告知).
    pub outcomes: Vec<String>,
    pub rated: bool,
}

/// Summaries of the tasks `ids` (the caller's own history), in two
/// statements whatever their number.
pub async fn summaries(
    mut db: &Db,
    ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, Summary>> {
    let mut out: std::collections::HashMap<i64, Summary> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let (sql, args) = crate::db::Sql::new(
        "SELECT task_id, form FROM documents WHERE kind = 'inspection_record_sheet'
            AND status = 'issued' AND task_id IN ",
    )
    .push_in(ids.iter().copied())
    .push(" ORDER BY id")
    .build();
    for r in db.fetch_all(&sql, args).await? {
        let form: String = r.get("form")?;
        let form: Form = serde_json::from_str(&form)
            .map_err(|e| crate::error::StoreError::internal(format!("document form: {e}")))?;
        if let Form::InspectionRecordSheet(sheet) = form {
            out.entry(r.get("task_id")?)
                .or_default()
                .outcomes
                .push(outcome_label(&sheet));
        }
    }
    let (sql, args) =
        crate::db::Sql::new("SELECT task_id FROM inspection_ratings WHERE task_id IN ")
            .push_in(ids.iter().copied())
            .build();
    for r in db.fetch_all(&sql, args).await? {
        out.entry(r.get("task_id")?).or_default().rated = true;
    }
    Ok(out)
}
