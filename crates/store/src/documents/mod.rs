//! Official documents in storage (DOC-2…DOC-7): drafting a document from what
//! the platform knows, editing it while it is a draft, the approval and
//! service workflow with its history, gapless numbering by the office, the
//! register per kind and year, and what an inspection still owes.

pub mod draft;
pub mod numbering;
pub mod office;
pub mod owed;
pub mod workflow;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::documents::workflow::DocumentStatus;
use yici_domain::documents::{DocumentKind, Form, Sheet};
use yici_domain::org::Principal;
use yici_domain::DomainError;

use crate::db::{Db, Exec, Row};
use crate::draw::tasks;
use crate::error::{StoreError, StoreResult};

/// One step of a document's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentEvent {
    pub action: String,
    pub action_label: String,
    pub status_after: DocumentStatus,
    pub actor_name: String,
    pub opinion: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Document {
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub department_id: i64,
    pub department_name: String,
    /// 被检查人: the task's enterprise.
    pub enterprise_name: String,
    pub kind: DocumentKind,
    pub kind_label: String,
    pub status: DocumentStatus,
    pub status_label: String,
    pub form: Form,
    pub year: Option<i64>,
    pub number: Option<i64>,
    /// 唐环行检批〔2025〕11-1号
    pub number_text: Option<String>,
    pub numbered_at: Option<DateTime<Utc>>,
    pub numbered_by_name: Option<String>,
    pub voided_at: Option<DateTime<Utc>>,
    pub voided_by_name: Option<String>,
    pub void_reason: Option<String>,
    /// 起草人
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    /// When it was last submitted (提交审批, or to the office for a number).
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub events: Vec<DocumentEvent>,
}

impl Document {
    /// What the renderer prints: the form with its number, the seal once the
    /// office has numbered it, and 作废 when voided.
    pub fn sheet(&self) -> Sheet {
        Sheet {
            number: self.number_text.clone(),
            seal: (self.kind.is_stamped() && self.number.is_some()).then(|| self.unit_name.clone()),
            voided: self.status == DocumentStatus::Void,
            form: self.form.clone(),
        }
    }

    /// `唐环行检批〔2025〕11-1号 行政检查审批表` or the kind alone: names files and pages.
    pub fn title(&self) -> String {
        match &self.number_text {
            Some(n) => format!("{} {}", self.kind.label(), n),
            None => self.kind.label().to_string(),
        }
    }
}

const SELECT: &str = "SELECT d.id, d.task_id, d.unit_id, u.name AS unit_name, d.department_id,
        dp.name AS department_name, d.kind, d.status, d.form, d.year, d.number, d.number_text,
        d.numbered_at, d.numbered_by_name, d.voided_at, d.voided_by_name, d.void_reason,
        d.created_by_name, d.created_at, d.updated_at, d.department_head_id,
        e.name AS enterprise_name,
        (SELECT MAX(ev.at) FROM document_events ev
          WHERE ev.document_id = d.id AND ev.action = 'submit') AS submitted_at
   FROM documents d
   JOIN units u ON u.id = d.unit_id
   JOIN departments dp ON dp.id = d.department_id
   JOIN tasks t ON t.id = d.task_id
   JOIN enterprises e ON e.id = t.enterprise_id";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::internal(format!("document {what}: {value}"))
}

fn from_row(r: &Row) -> StoreResult<Document> {
    let kind: String = r.get("kind")?;
    let kind = DocumentKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?;
    let status: String = r.get("status")?;
    let status = DocumentStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
    let form: String = r.get("form")?;
    let form: Form = serde_json::from_str(&form).map_err(|e| corrupt("form", &e.to_string()))?;
    Ok(Document {
        id: r.get("id")?,
        task_id: r.get("task_id")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        department_id: r.get("department_id")?,
        department_name: r.get("department_name")?,
        enterprise_name: r.get("enterprise_name")?,
        kind,
        kind_label: kind.label().to_string(),
        status,
        status_label: status.label().to_string(),
        form,
        year: r.get("year")?,
        number: r.get("number")?,
        number_text: r.get("number_text")?,
        numbered_at: r.get("numbered_at")?,
        numbered_by_name: r.get("numbered_by_name")?,
        voided_at: r.get("voided_at")?,
        voided_by_name: r.get("voided_by_name")?,
        void_reason: r.get("void_reason")?,
        created_by_name: r.get("created_by_name")?,
        created_at: r.get("created_at")?,
        submitted_at: r.get("submitted_at")?,
        updated_at: r.get("updated_at")?,
        events: Vec::new(),
    })
}

/// What a missing document and one the principal may not see both answer
/// (SEC-3): callers check access after loading, so the words must match.
pub(crate) const MISSING_DOCUMENT: &str = "文书不存在或无权查看";

/// A document without its history, and who signed it as department head;
/// no access checks (callers check).
pub(crate) async fn load_bare(e: &mut impl Exec, id: i64) -> StoreResult<(Document, Option<i64>)> {
    let row = e
        .fetch_optional(&format!("{SELECT} WHERE d.id = $1"), crate::args![id])
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_DOCUMENT))?;
    Ok((from_row(&row)?, row.get("department_head_id")?))
}

/// A document with its history, without access checks (callers check).
pub(crate) async fn load(e: &mut impl Exec, id: i64) -> StoreResult<(Document, Option<i64>)> {
    let (mut doc, head) = load_bare(e, id).await?;
    let events = e
        .fetch_all(
            "SELECT action, status_after, actor_name, opinion, at FROM document_events
              WHERE document_id = $1 ORDER BY id",
            crate::args![id],
        )
        .await?;
    for r in events {
        let action: String = r.get("action")?;
        let status: String = r.get("status_after")?;
        doc.events.push(DocumentEvent {
            action_label: yici_domain::documents::workflow::Action::parse(&action)
                .map(|a| a.label().to_string())
                .unwrap_or_else(|| "起草".to_string()),
            action,
            status_after: DocumentStatus::parse(&status)
                .ok_or_else(|| corrupt("event", &status))?,
            actor_name: r.get("actor_name")?,
            opinion: r.get("opinion")?,
            at: r.get("at")?,
        });
    }
    Ok((doc, head))
}

/// One document, if the principal may see its task (the unit's people, the
/// departments on the task, the system administrator).
pub async fn get(
    mut db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    id: i64,
) -> StoreResult<Document> {
    let (doc, _) = load(&mut db, id).await?;
    visible_task(db, principal, now, doc.task_id).await?;
    Ok(doc)
}

/// The document exists and the principal may see its task; otherwise the
/// one answer for both, [`MISSING_DOCUMENT`]. Every operation on a document
/// starts here, so that being refused a change (403) tells only those who
/// may see the document that it exists.
pub(crate) async fn ensure_visible(
    mut db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    id: i64,
) -> StoreResult<()> {
    let task_id = load_bare(&mut db, id).await?.0.task_id;
    visible_task(db, principal, now, task_id).await
}

async fn visible_task(
    db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    task_id: i64,
) -> StoreResult<()> {
    tasks::get(db, principal, now, task_id)
        .await
        .map(|_| ())
        .map_err(|_| DomainError::not_found(MISSING_DOCUMENT).into())
}

/// The documents of a task, oldest first (without their history).
pub async fn of_task(
    db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
    task_id: i64,
) -> StoreResult<Vec<Document>> {
    tasks::get(db, principal, now, task_id).await?;
    of_visible_task(db, task_id).await
}

/// The documents of a task the caller has already checked the principal may
/// see (the task page has the task in hand).
pub async fn of_visible_task(mut db: &Db, task_id: i64) -> StoreResult<Vec<Document>> {
    let rows = db
        .fetch_all(
            &format!("{SELECT} WHERE d.task_id = $1 ORDER BY d.id"),
            crate::args![task_id],
        )
        .await?;
    rows.iter().map(from_row).collect()
}

/// The documents waiting on the principal: 待签批 for a department head, 待批准
/// for a unit head, 待编号 for the office (what was approved or submitted to
/// it — never a draft still being written), longest waiting first.
pub async fn inbox(mut db: &Db, principal: &Principal) -> StoreResult<Vec<Document>> {
    use yici_domain::org::Role;
    let Some(unit) = principal.unit_id else {
        return Ok(Vec::new());
    };
    let mut conds = Vec::new();
    if principal.has(Role::DepartmentHead) {
        if let Some(d) = principal.department_id {
            conds.push(format!(
                "(d.status = 'pending_department_head' AND d.department_id = {d})"
            ));
        }
    }
    if principal.has(Role::UnitHead) {
        conds.push("d.status = 'pending_unit_head'".to_string());
    }
    if principal.has(Role::OfficeClerk) {
        conds.push("d.status IN ('approved', 'submitted')".to_string());
    }
    if conds.is_empty() {
        return Ok(Vec::new());
    }
    // The ids in `conds` are the principal's own, from the session: no user text.
    let sql = format!(
        "{SELECT} WHERE d.unit_id = $1 AND ({}) ORDER BY d.updated_at, d.id",
        conds.join(" OR ")
    );
    let rows = db.fetch_all(&sql, crate::args![unit]).await?;
    rows.iter().map(from_row).collect()
}

/// Who signed a document as 承办机构负责人 (the unit head must be someone else).
pub async fn head_signer(mut db: &Db, id: i64) -> StoreResult<Option<i64>> {
    let row = db
        .fetch_optional(
            "SELECT department_head_id FROM documents WHERE id = $1",
            crate::args![id],
        )
        .await?
        .ok_or_else(|| DomainError::not_found("文书不存在"))?;
    row.get("department_head_id")
}
