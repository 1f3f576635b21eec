//! Decisions on credit (RES-3): confirming or rejecting a proposal, setting
//! the grade or the positive list by hand with a reason, and the history row
//! an import leaves. Each runs in one transaction that locks, in this order,
//! the audit chain and the enterprise's row — the order every other writer
//! of enterprises and proposals follows — so that nothing half-written and
//! no deadlock can come of two people deciding at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::credit::{self as rules, ChangeSource, ProposalStatus};
use yici_domain::org::Principal;
use yici_domain::registry::enterprise::CreditGrade;
use yici_domain::DomainError;

use super::{grade, open_proposal, proposal, Proposal};
use crate::audit::{self, Change};
use crate::db::{Backend, Db, Exec, Tx};
use crate::error::StoreResult;
use crate::Actor;

/// Grade and positive list of an enterprise, as the audit log keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct Standing {
    credit_grade: Option<CreditGrade>,
    positive_list: bool,
}

/// Locks the audit chain, then the enterprise's row, and reads its standing.
async fn lock(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    enterprise_id: i64,
) -> StoreResult<Standing> {
    audit::Chain::lock(tx, now, actor).await?;
    let sql = match tx.backend() {
        Backend::Postgres => {
            "SELECT credit_grade, positive_list FROM enterprises WHERE id = $1 FOR UPDATE"
        }
        Backend::Sqlite => "SELECT credit_grade, positive_list FROM enterprises WHERE id = $1",
    };
    let row = tx
        .fetch_optional(sql, crate::args![enterprise_id])
        .await?
        .ok_or_else(|| DomainError::not_found("企业不存在或不在本单位管辖范围内"))?;
    Ok(Standing {
        credit_grade: grade(&row, "credit_grade")?,
        positive_list: row.get("positive_list")?,
    })
}

/// Who made a change, as the history names them.
struct By<'a> {
    account_id: Option<i64>,
    person_id: Option<i64>,
    name: &'a str,
}

impl<'a> By<'a> {
    fn of(p: &'a Principal) -> By<'a> {
        By {
            account_id: (p.account_id != 0).then_some(p.account_id),
            person_id: p.person_id,
            name: &p.display_name,
        }
    }
}

/// Writes the standing and its history row.
#[allow(clippy::too_many_arguments)]
async fn change(
    tx: &mut Tx,
    now: DateTime<Utc>,
    enterprise_id: i64,
    before: Standing,
    after: Standing,
    reason: &str,
    source: ChangeSource,
    proposal_id: Option<i64>,
    by: &By<'_>,
) -> StoreResult<()> {
    if before != after {
        tx.execute(
            "UPDATE enterprises SET credit_grade = $2, positive_list = $3, updated_at = $4
              WHERE id = $1",
            crate::args![
                enterprise_id,
                after.credit_grade.map(|g| g.as_str()),
                after.positive_list,
                now
            ],
        )
        .await?;
    }
    history_row(
        tx,
        now,
        enterprise_id,
        (before, after),
        reason,
        source,
        proposal_id,
        by,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn history_row(
    e: &mut impl Exec,
    now: DateTime<Utc>,
    enterprise_id: i64,
    (before, after): (Standing, Standing),
    reason: &str,
    source: ChangeSource,
    proposal_id: Option<i64>,
    by: &By<'_>,
) -> StoreResult<()> {
    e.execute(
        "INSERT INTO credit_grade_history (enterprise_id, grade_from, grade_to,
                positive_list_from, positive_list_to, reason, source, proposal_id,
                by_account_id, by_person_id, by_name, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        crate::args![
            enterprise_id,
            before.credit_grade.map(|g| g.as_str()),
            after.credit_grade.map(|g| g.as_str()),
            before.positive_list,
            after.positive_list,
            reason,
            source.as_str(),
            proposal_id,
            by.account_id,
            by.person_id,
            by.name,
            now
        ],
    )
    .await?;
    Ok(())
}

/// A proposal about to be decided: locked, still open, still about the
/// grade the enterprise has.
async fn open_for_decision(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i64,
) -> StoreResult<(Proposal, Standing)> {
    let missing = || DomainError::not_found("信用评价建议不存在或不在本单位管辖范围内");
    let first = proposal(tx, id).await?.ok_or_else(missing)?;
    let standing = lock(tx, now, actor, first.enterprise_id).await?;
    // Read again under the enterprise's lock: every writer of proposals holds it.
    let p = proposal(tx, id).await?.ok_or_else(missing)?;
    if p.status != ProposalStatus::Proposed {
        return Err(DomainError::conflict(
            "proposal_decided",
            format!("该信用评价建议{}，不能再次处理", p.status.label()),
        )
        .into());
    }
    if p.grade_from != standing.credit_grade {
        return Err(DomainError::conflict(
            "grade_changed",
            "企业信用等级已被调整，该评价建议已过时，请刷新后查看新的建议",
        )
        .into());
    }
    Ok((p, standing))
}

async fn decided(
    tx: &mut Tx,
    now: DateTime<Utc>,
    id: i64,
    status: ProposalStatus,
    principal: &Principal,
    note: Option<&str>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE credit_proposals SET status = $2, decided_by_person_id = $3, decided_by_name = $4,
                decided_at = $5, decision_note = $6, updated_at = $5 WHERE id = $1",
        crate::args![
            id,
            status.as_str(),
            principal.person_id,
            principal.display_name.as_str(),
            now,
            note
        ],
    )
    .await?;
    Ok(())
}

/// Confirms a proposal: the grade changes, with a history row naming the
/// proposal's reasons. `note` is optional.
pub async fn confirm(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    note: Option<&str>,
) -> StoreResult<Proposal> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = note {
        rules::reason(Some(n), "note", "确认意见")?;
    }
    let actor = Actor::from(principal);
    let mut tx = db.begin().await?;
    let (p, before) = open_for_decision(&mut tx, now, &actor, id).await?;
    let after = Standing {
        credit_grade: Some(p.grade_to),
        ..before
    };
    // The history's reason: the proposal's events, and the decider's note.
    let events = p
        .reasons
        .get(1..p.reasons.len().saturating_sub(1))
        .unwrap_or_default()
        .join("；");
    let mut reason = format!("确认信用评价建议（评价得分{}分）：{events}", p.score);
    if let Some(n) = note {
        reason.push_str(&format!("。确认意见：{n}"));
    }
    decided(&mut tx, now, id, ProposalStatus::Confirmed, principal, note).await?;
    change(
        &mut tx,
        now,
        p.enterprise_id,
        before,
        after,
        &reason,
        ChangeSource::Proposal,
        Some(id),
        &By::of(principal),
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &actor,
        Change {
            action: "credit.confirm",
            entity: "enterprise",
            entity_id: p.enterprise_id.to_string(),
            before: Some(&before),
            after: Some(&serde_json::json!({
                "credit_grade": after.credit_grade, "positive_list": after.positive_list,
                "proposal_id": id, "reason": reason })),
        },
    )
    .await?;
    let p = proposal(&mut tx, id).await?.expect("proposal just decided");
    tx.commit().await?;
    Ok(p)
}

/// Rejects a proposal with a note (required): the grade stays.
pub async fn reject(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    note: Option<&str>,
) -> StoreResult<Proposal> {
    let note = rules::reason(note, "note", "驳回理由")?;
    let actor = Actor::from(principal);
    let mut tx = db.begin().await?;
    let (p, _) = open_for_decision(&mut tx, now, &actor, id).await?;
    decided(
        &mut tx,
        now,
        id,
        ProposalStatus::Rejected,
        principal,
        Some(&note),
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &actor,
        Change::<(), _> {
            action: "credit.reject",
            entity: "enterprise",
            entity_id: p.enterprise_id.to_string(),
            before: None,
            after: Some(&serde_json::json!({ "proposal_id": id, "note": note })),
        },
    )
    .await?;
    let p = proposal(&mut tx, id).await?.expect("proposal just decided");
    tx.commit().await?;
    Ok(p)
}

/// A grade and/or positive list set by hand. An absent field keeps its
/// value; `credit_grade` empty means 未评价.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CreditInput {
    /// A–E, or empty for 未评价; absent: unchanged.
    pub credit_grade: Option<String>,
    /// 正面清单; absent: unchanged.
    pub positive_list: Option<bool>,
    /// 调整原因 (required).
    pub reason: Option<String>,
}

/// Sets the grade and/or positive list with a reason; an open proposal is
/// then reassessed from the new grade (and so withdrawn when the grade
/// changed: nothing has happened since).
pub async fn set(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    enterprise_id: i64,
    input: &CreditInput,
) -> StoreResult<()> {
    let new_grade = match &input.credit_grade {
        None => None,
        Some(g) => Some(rules::parse_grade(Some(g))?),
    };
    let reason = rules::reason(input.reason.as_deref(), "reason", "调整原因")?;
    let actor = Actor::from(principal);
    let mut tx = db.begin().await?;
    let before = lock(&mut tx, now, &actor, enterprise_id).await?;
    let after = Standing {
        credit_grade: new_grade.unwrap_or(before.credit_grade),
        positive_list: input.positive_list.unwrap_or(before.positive_list),
    };
    if after == before {
        return Err(
            DomainError::invalid("no_change", "信用等级和正面清单均未改变，无需调整")
                .on("credit_grade")
                .into(),
        );
    }
    change(
        &mut tx,
        now,
        enterprise_id,
        before,
        after,
        &reason,
        ChangeSource::Manual,
        None,
        &By::of(principal),
    )
    .await?;
    if open_proposal(&mut tx, enterprise_id).await?.is_some() {
        super::reassess(&mut tx, enterprise_id, now).await?;
    }
    audit::record(
        &mut tx,
        now,
        &actor,
        Change {
            action: "credit.set",
            entity: "enterprise",
            entity_id: enterprise_id.to_string(),
            before: Some(&before),
            after: Some(&serde_json::json!({
                "credit_grade": after.credit_grade, "positive_list": after.positive_list,
                "reason": reason })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A grade or positive-list change an import (or a registry edit) makes.
#[derive(Debug, Clone)]
pub struct ImportChange {
    pub enterprise_id: i64,
    pub from: (Option<CreditGrade>, bool),
    pub to: (Option<CreditGrade>, bool),
}

impl ImportChange {
    /// The change of a registered enterprise written with new values, if its
    /// grade or positive list differ.
    pub fn of(
        enterprise_id: i64,
        from: (Option<CreditGrade>, bool),
        to: (Option<CreditGrade>, bool),
    ) -> Option<ImportChange> {
        (from != to).then_some(ImportChange {
            enterprise_id,
            from,
            to,
        })
    }
}

/// The history rows of a registry write that changed grades or positive
/// lists (source 名录导入), in the write's transaction.
pub async fn record_import(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    changes: &[ImportChange],
) -> StoreResult<()> {
    let by = By {
        account_id: actor.account_id,
        person_id: None,
        name: &actor.login,
    };
    for c in changes {
        let standing = |(credit_grade, positive_list)| Standing {
            credit_grade,
            positive_list,
        };
        history_row(
            tx,
            now,
            c.enterprise_id,
            (standing(c.from), standing(c.to)),
            "企业名录导入或编辑时变更",
            ChangeSource::Import,
            None,
            &by,
        )
        .await?;
    }
    Ok(())
}
