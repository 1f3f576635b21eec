//! What an inspection still owes (DOC-4, DOC-5). An on-site inspection needs
//! an approved and numbered 审批表 and a served 通知书 before the visit. When
//! the case is urgent the officers notify orally, inspect at once and report
//! to the unit head; the papers are completed afterwards (补办手续), and this
//! list shows what is still missing. A remote (非现场) inspection owes none.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::documents::workflow;
use yici_domain::documents::DocumentKind;
use yici_domain::org::Principal;
use yici_domain::DomainError;

use crate::audit::{self, Change};
use crate::db::{Db, Exec, Row};
use crate::draw::tasks;
use crate::error::StoreResult;
use crate::Actor;

/// How the visit is made and whether it went the urgent way.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Procedure {
    pub task_id: i64,
    /// 非现场检查 (视频连线等): no 审批表 and no 通知书.
    pub remote: bool,
    pub oral_notice_at: Option<DateTime<Utc>>,
    pub oral_notice_by_name: Option<String>,
    /// The unit head it was reported to.
    pub oral_notice_reported_to: Option<String>,
    pub oral_notice_reason: Option<String>,
    /// The documents still owed, in order.
    pub owed: Vec<DocumentKind>,
    /// Chinese summary: 手续齐全, 待补办：…, 检查前应完成：….
    pub summary: String,
}

/// The columns a [`Procedure`] is read from, for `tasks t`.
const PROCEDURE_COLUMNS: &str =
    "t.id AS task_id, t.remote, t.oral_notice_at, t.oral_notice_by_name,
        t.oral_notice_reported_to, t.oral_notice_reason,
        (SELECT COUNT(*) FROM documents d WHERE d.task_id = t.id
            AND d.kind = 'approval_form' AND d.status = 'issued') AS approvals,
        (SELECT COUNT(*) FROM documents d WHERE d.task_id = t.id
            AND d.kind = 'inspection_notice' AND d.status = 'served') AS notices";

fn procedure_of(r: &Row) -> StoreResult<Procedure> {
    let remote: bool = r.get("remote")?;
    let oral: Option<DateTime<Utc>> = r.get("oral_notice_at")?;
    let owed = workflow::owed(
        !remote,
        r.get::<i64>("approvals")? > 0,
        r.get::<i64>("notices")? > 0,
    );
    let names = owed
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join("、");
    let summary = if owed.is_empty() {
        "手续齐全".to_string()
    } else if oral.is_some() {
        format!("待补办：{names}")
    } else {
        format!("检查前应完成：{names}")
    };
    Ok(Procedure {
        task_id: r.get("task_id")?,
        remote,
        oral_notice_at: oral,
        oral_notice_by_name: r.get("oral_notice_by_name")?,
        oral_notice_reported_to: r.get("oral_notice_reported_to")?,
        oral_notice_reason: r.get("oral_notice_reason")?,
        owed,
        summary,
    })
}

pub async fn procedure(e: &mut impl Exec, task_id: i64) -> StoreResult<Procedure> {
    let r = e
        .fetch_one(
            &format!("SELECT {PROCEDURE_COLUMNS} FROM tasks t WHERE t.id = $1"),
            crate::args![task_id],
        )
        .await?;
    procedure_of(&r)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProcedureInput {
    /// 非现场检查.
    pub remote: Option<bool>,
    /// 口头通知 (urgent): why it could not wait, and the unit head reported to.
    pub oral_notice_reason: Option<String>,
    pub oral_notice_reported_to: Option<String>,
}

/// The initiating department sets the inspection's mode or records an oral
/// notice (once; it cannot be taken back, the papers must follow).
pub async fn set(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    input: &ProcedureInput,
) -> StoreResult<Procedure> {
    let task = tasks::get(db, principal, now, task_id).await?;
    if principal.department_id != Some(task.department_id) {
        return Err(DomainError::forbidden("只有发起处室可以设置检查方式或登记口头通知").into());
    }
    let mut tx = db.begin().await?;
    let before = procedure(&mut tx, task_id).await?;
    if let Some(remote) = input.remote {
        let has_approval = tx
            .scalar_i64(
                "SELECT COUNT(*) FROM documents WHERE task_id = $1 AND kind = 'approval_form' AND status <> 'void'",
                crate::args![task_id],
            )
            .await?;
        if remote && has_approval > 0 {
            return Err(DomainError::conflict(
                "has_approval",
                "该任务已有审批表，如改为非现场检查请先作废审批表",
            )
            .on("remote")
            .into());
        }
        tx.execute(
            "UPDATE tasks SET remote = $1 WHERE id = $2",
            crate::args![remote, task_id],
        )
        .await?;
    }
    let reason = input
        .oral_notice_reason
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let reported = input
        .oral_notice_reported_to
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if reason.is_some() || reported.is_some() {
        let Some(reason) = reason else {
            return Err(DomainError::required("oral_notice_reason", "紧急情况说明").into());
        };
        let Some(reported) = reported else {
            return Err(DomainError::required(
                "oral_notice_reported_to",
                "报告的行政执法主体负责人",
            )
            .into());
        };
        let n = tx
            .execute(
                "UPDATE tasks SET oral_notice_at = $1, oral_notice_by_name = $2, oral_notice_reason = $3,
                        oral_notice_reported_to = $4
                  WHERE id = $5 AND oral_notice_at IS NULL",
                crate::args![now, &principal.display_name, reason, reported, task_id],
            )
            .await?;
        if n == 0 {
            return Err(DomainError::conflict("conflict", "该任务已登记口头通知").into());
        }
    }
    let after = procedure(&mut tx, task_id).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change {
            action: "task.procedure",
            entity: "task",
            entity_id: task_id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A task of the unit that still owes papers: urgent ones awaiting 补办 and
/// visits made without them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwedTask {
    pub task_id: i64,
    pub enterprise_name: String,
    pub department_name: String,
    pub status_label: String,
    pub urgent: bool,
    pub procedure: Procedure,
}

/// The unit's live on-site tasks of a year that still owe an approval form or
/// a served notice, urgent ones first.
pub async fn owed_of_unit(
    mut db: &Db,
    principal: &Principal,
    year: i64,
) -> StoreResult<Vec<OwedTask>> {
    let Some(unit) = principal.unit_id else {
        return Ok(Vec::new());
    };
    // One statement: the procedure's columns ride along with each task.
    let rows = db
        .fetch_all(
            &format!(
                "SELECT {PROCEDURE_COLUMNS}, e.name AS enterprise_name, d.name AS department_name, t.status
                   FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
                   JOIN departments d ON d.id = t.department_id
                  WHERE t.unit_id = $1 AND t.year = $2 AND t.status <> 'cancelled' AND NOT t.remote
                    AND (NOT EXISTS (SELECT 1 FROM documents x WHERE x.task_id = t.id
                                      AND x.kind = 'approval_form' AND x.status = 'issued')
                      OR NOT EXISTS (SELECT 1 FROM documents x WHERE x.task_id = t.id
                                      AND x.kind = 'inspection_notice' AND x.status = 'served'))
                  ORDER BY t.oral_notice_at IS NULL, t.id
                  LIMIT 500"
            ),
            crate::args![unit, year],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let procedure = procedure_of(&r)?;
        let status: String = r.get("status")?;
        out.push(OwedTask {
            task_id: procedure.task_id,
            enterprise_name: r.get("enterprise_name")?,
            department_name: r.get("department_name")?,
            status_label: yici_domain::draw::task::TaskStatus::parse(&status)
                .map(|s| s.label().to_string())
                .unwrap_or(status),
            urgent: procedure.oral_notice_at.is_some(),
            procedure,
        });
    }
    Ok(out)
}
