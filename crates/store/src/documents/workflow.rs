//! Moving a document on (DOC-4, DOC-5): edits while it is a draft, the two
//! signatures of the 审批表, numbering and stamping by the office, service of
//! notices, completion of records, voiding. Each step is one transaction with
//! its history line and audit entry; numbering takes the next number as the
//! transaction's last step (see `numbering`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use yici_domain::documents::forms::{Service, Signature};
use yici_domain::documents::workflow::{self, Action, DocumentStatus};
use yici_domain::documents::{DocumentKind, Form};
use yici_domain::org::Principal;
use yici_domain::DomainError;

use super::draft::doc_actor;
use super::{load, Document};
use crate::audit::{self, Change};
use crate::db::{Db, Exec, Tx};
use crate::error::{StoreError, StoreResult};
use crate::Actor;

pub(crate) async fn event(
    tx: &mut Tx,
    now: DateTime<Utc>,
    document_id: i64,
    action: &str,
    after: DocumentStatus,
    principal: &Principal,
    opinion: Option<&str>,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO document_events (document_id, action, status_after, person_id, actor_name, opinion, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        crate::args![document_id, action, after.as_str(), principal.person_id, &principal.display_name, opinion, now],
    )
    .await?;
    Ok(())
}

/// Another step on the document committed between reading and writing it.
pub(super) fn changed_meanwhile() -> StoreError {
    DomainError::conflict("wrong_state", "文书已被他人同时处理，请刷新后查看当前状态").into()
}

pub(super) fn to_json(form: &Form) -> StoreResult<String> {
    serde_json::to_string(form).map_err(|e| StoreError::internal(e.to_string()))
}

/// Replaces a draft's contents. The kind cannot change.
pub async fn edit(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    form: &Form,
) -> StoreResult<Document> {
    super::ensure_visible(db, principal, now, id).await?;
    let mut tx = db.begin().await?;
    let (before, _) = load(&mut tx, id).await?;
    workflow::decide(
        before.kind,
        before.status,
        Action::Edit,
        &doc_actor(principal, before.department_id, before.unit_id),
        None,
    )?;
    if form.kind() != before.kind {
        return Err(DomainError::field(
            "form",
            "wrong_kind",
            format!("文书种类不符：应为{}", before.kind.label()),
        )
        .into());
    }
    check_form(form)?;
    // Only while still a draft: a submission committed since `load` wins.
    let changed = tx
        .execute(
            "UPDATE documents SET form = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            crate::args![to_json(form)?, now, id, before.status.as_str()],
        )
        .await?;
    if changed == 0 {
        return Err(changed_meanwhile());
    }
    event(
        &mut tx,
        now,
        id,
        Action::Edit.as_str(),
        before.status,
        principal,
        None,
    )
    .await?;
    finish(tx, now, principal, "document.edit", before).await
}

/// What a form must hold before it can be saved: the enterprise is named.
fn check_form(form: &Form) -> StoreResult<()> {
    let (name, uscc) = match form {
        Form::ApprovalForm(f) => (&f.enterprise_name, &f.uscc),
        Form::InspectionNotice(f) => (&f.enterprise_name, &f.uscc),
        Form::SamplingNotice(f) => (&f.enterprise_name, &f.uscc),
        Form::OnsiteRecord(f) => (&f.enterprise_name, &f.uscc),
        Form::InquiryRecord(_) => return Ok(()),
        Form::InspectionRecordSheet(f) => (&f.enterprise_name, &f.uscc),
    };
    if name.trim().is_empty() {
        return Err(DomainError::required("enterprise_name", "被检查人名称").into());
    }
    if uscc.trim().is_empty() {
        return Err(DomainError::required("uscc", "统一社会信用代码").into());
    }
    Ok(())
}

/// A workflow step as the API and the pages send it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = DocumentStep)] // a schema name of its own (a rectification has a `Step`)
pub struct Step {
    pub action: Action,
    /// 审批意见 (signatures, returns) or 作废原因 (void).
    pub opinion: Option<String>,
    /// 送达: who received it, when, how and where.
    pub service: Option<Service>,
}

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Takes one step on a document.
pub async fn act(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    step: &Step,
) -> StoreResult<Document> {
    if step.action == Action::Number {
        let request = super::office::NumberRequest {
            now,
            principal: principal.clone(),
            id,
        };
        return super::office::number_one(db, request).await;
    }
    // The task must be visible to the actor (the unit's people and those on it).
    super::ensure_visible(db, principal, now, id).await?;
    let mut tx = db.begin().await?;
    let (before, head_signer) = load(&mut tx, id).await?;
    let actor = doc_actor(principal, before.department_id, before.unit_id);
    let after = workflow::decide(before.kind, before.status, step.action, &actor, head_signer)?;
    let today = yici_domain::time::business_date(now);
    let mut form = before.form.clone();
    let opinion = text(&step.opinion);
    match step.action {
        Action::SignAsDepartmentHead | Action::ApproveAsUnitHead => {
            let signature = Signature {
                opinion: opinion.unwrap_or("同意").to_string(),
                name: principal.display_name.clone(),
                signed_on: today,
            };
            if let Form::ApprovalForm(f) = &mut form {
                if step.action == Action::SignAsDepartmentHead {
                    f.department_head = Some(signature);
                } else {
                    f.unit_head = Some(signature);
                }
            }
            if step.action == Action::SignAsDepartmentHead {
                tx.execute(
                    "UPDATE documents SET department_head_id = $1 WHERE id = $2",
                    crate::args![principal.person_id, id],
                )
                .await?;
            }
        }
        Action::Return => {
            if opinion.is_none() {
                return Err(DomainError::required("opinion", "退回意见").into());
            }
            if let Form::ApprovalForm(f) = &mut form {
                f.department_head = None;
                f.unit_head = None;
            }
            tx.execute(
                "UPDATE documents SET department_head_id = NULL WHERE id = $1",
                crate::args![id],
            )
            .await?;
        }
        Action::Serve => {
            let Some(service) = &step.service else {
                return Err(DomainError::required(
                    "service",
                    "送达信息（受送达人、日期、方式和地址）",
                )
                .into());
            };
            if service.recipient.trim().is_empty() {
                return Err(DomainError::required("recipient", "受送达人").into());
            }
            if service.method_and_address.trim().is_empty() {
                return Err(DomainError::required("method_and_address", "送达方式和地址").into());
            }
            if service.served_on > today {
                return Err(
                    DomainError::field("served_on", "in_future", "送达日期不能晚于今天").into(),
                );
            }
            check_served_before_visit(&mut tx, &before, service.served_on).await?;
            match &mut form {
                Form::InspectionNotice(f) => f.service = Some(service.clone()),
                Form::SamplingNotice(f) => f.service = Some(service.clone()),
                _ => {}
            }
        }
        Action::Void => {
            if opinion.is_none() {
                return Err(DomainError::required("opinion", "作废原因").into());
            }
        }
        // Numbered in `office`, in batches.
        Action::Number => {}
        Action::Edit | Action::Submit | Action::Complete => {}
    }
    // From the status decided on, or not at all: on PostgreSQL `load` reads
    // without a lock, and a concurrent step on the same document (the office's
    // double click, two instances) must not pass twice — a second numbering
    // would take a second number and leave the first as a gap.
    // The void columns go with the status in one statement: the table checks
    // (status = 'void') = (voided_at IS NOT NULL) on every statement. No step
    // leads out of 作废, so for the others they stay NULL.
    let void = (step.action == Action::Void).then_some(now);
    let voided_by = void.map(|_| principal.display_name.as_str());
    let reason = void.and(opinion);
    let changed = tx
        .execute(
            "UPDATE documents SET status = $1, form = $2, updated_at = $3,
                    voided_at = $6, voided_by_name = $7, void_reason = $8
              WHERE id = $4 AND status = $5",
            crate::args![
                after.as_str(),
                to_json(&form)?,
                now,
                id,
                before.status.as_str(),
                void,
                voided_by,
                reason
            ],
        )
        .await?;
    if changed == 0 {
        return Err(changed_meanwhile());
    }
    event(
        &mut tx,
        now,
        id,
        step.action.as_str(),
        after,
        principal,
        opinion,
    )
    .await?;
    finish(
        tx,
        now,
        principal,
        &format!("document.{}", step.action.as_str()),
        before,
    )
    .await
}

/// 凡检查必审批: a notice or record sheet of an on-site inspection is numbered
/// only once the task's 审批表 is approved and numbered — except on the urgent
/// path (口头通知, DOC-5), where the papers follow, and for remote inspections.
pub(super) async fn check_may_number(tx: &mut Tx, doc: &Document) -> StoreResult<()> {
    if doc.kind == DocumentKind::ApprovalForm {
        return Ok(());
    }
    let path = tx
        .fetch_one(
            "SELECT t.remote, t.oral_notice_at,
                    (SELECT COUNT(*) FROM documents d WHERE d.task_id = t.id
                        AND d.kind = 'approval_form' AND d.status = 'issued') AS approved
               FROM tasks t WHERE t.id = $1",
            crate::args![doc.task_id],
        )
        .await?;
    let remote: bool = path.get("remote")?;
    let oral: Option<DateTime<Utc>> = path.get("oral_notice_at")?;
    if remote || oral.is_some() || path.get::<i64>("approved")? > 0 {
        return Ok(());
    }
    Err(DomainError::conflict(
        "approval_required",
        "凡检查必审批：该任务的行政检查审批表尚未批准并编号，不能为此文书编号",
    )
    .into())
}

/// 凡检查必通知: a notice is served before the visit, unless the visit was
/// urgent (then the notice was oral and this is 补办).
async fn check_served_before_visit(
    tx: &mut Tx,
    doc: &Document,
    served_on: NaiveDate,
) -> StoreResult<()> {
    let r = tx
        .fetch_one(
            "SELECT checked_in_at, oral_notice_at FROM tasks WHERE id = $1",
            crate::args![doc.task_id],
        )
        .await?;
    let visited: Option<DateTime<Utc>> = r.get("checked_in_at")?;
    let oral: Option<DateTime<Utc>> = r.get("oral_notice_at")?;
    if let (Some(v), None) = (visited, oral) {
        if doc.kind == DocumentKind::InspectionNotice
            && served_on > yici_domain::time::business_date(v)
        {
            return Err(DomainError::conflict(
                "served_after_visit",
                "凡检查必通知：通知书应在检查前送达；情况紧急的应先登记口头通知",
            )
            .on("served_on")
            .into());
        }
    }
    Ok(())
}

async fn finish(
    mut tx: Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    action: &str,
    before: Document,
) -> StoreResult<Document> {
    let (after, _) = load(&mut tx, before.id).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change {
            action,
            entity: "document",
            entity_id: before.id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    crate::warnings::hook(&mut tx, after.task_id, now).await?;
    tx.commit().await?;
    Ok(after)
}
