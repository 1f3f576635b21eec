//! Moving a rectification (RES-1). Every change runs in one write
//! transaction with the row locked: the state is checked against the action
//! (a report on a closed task, a second close, a verification of nothing
//! reported are refused and write nothing), the step is appended to its
//! history and the change audited with the whole record before and after.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use yici_domain::draw::caps::TaskSource;
use yici_domain::draw::policy::DrawPolicy;
use yici_domain::draw::task::Method;
use yici_domain::field::results as result_rules;
use yici_domain::org::Principal;
use yici_domain::rectification::{
    self as rules, Action, DraftInput, Referral, ReferralOutcomeInput, StepKind, Verdict,
    Verification, VerifyInput,
};
use yici_domain::time::business_date;
use yici_domain::DomainError;

use super::raise::step;
use super::{load_in, may_handle, may_read, not_found, Rectification};
use crate::audit::{self, Change};
use crate::db::{Backend, Db, Exec, Tx};
use crate::draw::tasks::{self, Spec};
use crate::draw::{retrying, Initiator};
use crate::error::StoreResult;
use crate::Actor;

/// Who moves it: a person of the department (or the system administrator),
/// or the enterprise it concerns.
pub enum Mover<'a> {
    Department(&'a Principal),
    Enterprise {
        enterprise_id: i64,
        name: &'a str,
        actor: Actor,
    },
}

impl Mover<'_> {
    fn actor(&self) -> Actor {
        match self {
            Mover::Department(p) => Actor::from(*p),
            Mover::Enterprise { actor, .. } => actor.clone(),
        }
    }

    fn name(&self) -> &str {
        match self {
            Mover::Department(p) => &p.display_name,
            Mover::Enterprise { name, .. } => name,
        }
    }

    fn person(&self) -> Option<i64> {
        match self {
            Mover::Department(p) => p.person_id,
            Mover::Enterprise { .. } => None,
        }
    }

    /// Department actions need the department; the enterprise reports on its
    /// own sent rectifications only. Someone who may not even read it is told
    /// it does not exist.
    fn check(&self, r: &Rectification, action: Action) -> StoreResult<()> {
        match (self, action) {
            (Mover::Enterprise { enterprise_id, .. }, _)
                if *enterprise_id != r.enterprise_id || !r.status.enterprise_sees() =>
            {
                Err(not_found().into())
            }
            (Mover::Enterprise { .. }, Action::Report) => Ok(()),
            (Mover::Enterprise { .. }, _) => {
                Err(DomainError::forbidden("企业只能提交整改反馈").into())
            }
            (Mover::Department(p), Action::Report) => {
                if may_read(p, r.department_id, r.unit_id) {
                    Err(DomainError::forbidden("整改反馈由被检查企业在企业端提交").into())
                } else {
                    Err(not_found().into())
                }
            }
            (Mover::Department(p), _) => {
                if may_handle(p, r.department_id) {
                    Ok(())
                } else if may_read(p, r.department_id, r.unit_id) {
                    Err(DomainError::forbidden("只有承办处（科）室可以办理该整改任务").into())
                } else {
                    Err(not_found().into())
                }
            }
        }
    }
}

/// The audit log's name of each action.
fn audit_name(action: Action) -> &'static str {
    match action {
        Action::Edit => "rectification.edit",
        Action::Issue => "rectification.issue",
        Action::Report => "rectification.report",
        Action::Return | Action::Close => "rectification.verify",
        Action::PlanRevisit => "rectification.revisit",
        Action::Refer => "rectification.refer",
        Action::DecideReferral => "rectification.referral",
    }
}

/// The shape of every change: lock, load, check who and what, write, append
/// the step, audit, commit, read back.
async fn mutate<F>(
    db: &Db,
    now: DateTime<Utc>,
    mover: &Mover<'_>,
    id: i64,
    action: Action,
    files: &[StoredFile],
    change: F,
) -> StoreResult<Rectification>
where
    F: AsyncFnOnce(&mut Tx, &Rectification) -> StoreResult<(StepKind, String)>,
{
    let today = business_date(now);
    let mut tx = db.begin().await?;
    if tx.backend() == Backend::Postgres {
        tx.execute(
            "SELECT id FROM rectifications WHERE id = $1 FOR UPDATE",
            crate::args![id],
        )
        .await?;
    }
    let before = load_in(&mut tx, today, id).await?;
    mover.check(&before, action)?;
    action.check(before.status)?;
    let (kind, note) = change(&mut tx, &before).await?;
    let step_id = step(&mut tx, id, kind, &note, mover.name(), mover.person(), now).await?;
    for f in files {
        tx.execute(
            "INSERT INTO rectification_files (rectification_id, step_id, sha256, content_type,
                    size_bytes, stored_path, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            crate::args![
                id,
                step_id,
                f.sha256.as_str(),
                f.content_type,
                f.size_bytes,
                f.relative.as_str(),
                now
            ],
        )
        .await?;
    }
    tx.execute(
        "UPDATE rectifications SET updated_at = $2 WHERE id = $1",
        crate::args![id, now],
    )
    .await?;
    let after = load_in(&mut tx, today, id).await?;
    audit::record(
        &mut tx,
        now,
        &mover.actor(),
        Change {
            action: audit_name(action),
            entity: "rectification",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    // RES-3: closing, referring or a late report changes the credit facts
    // (after the audit entry: the chain is locked before the enterprise).
    if after.status != before.status || before.overdue {
        crate::credit::reassess(&mut tx, after.enterprise_id, now).await?;
    }
    crate::warnings::hook(&mut tx, after.task_id, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Saves the draft's basis, requirement and deadline (待下发 only).
pub async fn edit(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    input: &DraftInput,
) -> StoreResult<Rectification> {
    let draft = input.check(business_date(now))?;
    let mover = Mover::Department(principal);
    mutate(db, now, &mover, id, Action::Edit, &[], async |tx, _| {
        save_draft(tx, id, &draft).await?;
        Ok((
            StepKind::Edited,
            format!(
                "整改要求：{}；整改期限：{}",
                clause(&draft.requirement),
                draft.deadline
            ),
        ))
    })
    .await
}

async fn save_draft(tx: &mut Tx, id: i64, d: &rules::Draft) -> StoreResult<()> {
    tx.execute(
        "UPDATE rectifications SET legal_basis = $2, requirement = $3, deadline = $4 WHERE id = $1",
        crate::args![
            id,
            d.legal_basis.as_str(),
            d.requirement.as_str(),
            d.deadline
        ],
    )
    .await?;
    Ok(())
}

/// 下发: the draft, as last edited in the same form, goes to the enterprise.
pub async fn issue(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    input: &DraftInput,
) -> StoreResult<Rectification> {
    let draft = input.check(business_date(now))?;
    let mover = Mover::Department(principal);
    mutate(db, now, &mover, id, Action::Issue, &[], async |tx, _| {
        save_draft(tx, id, &draft).await?;
        tx.execute(
            "UPDATE rectifications SET status = 'issued', issued_at = $2 WHERE id = $1",
            crate::args![id, now],
        )
        .await?;
        Ok((
            StepKind::Issued,
            format!(
                "下发整改任务。整改要求：{}；整改期限：{}",
                clause(&draft.requirement),
                draft.deadline
            ),
        ))
    })
    .await
}

/// A report-back as the enterprise sends it.
pub struct Report {
    pub note: Option<String>,
    /// The photos' bytes, in order.
    pub photos: Vec<Vec<u8>>,
}

/// A checked photo, written to the evidence folder before its row.
pub(crate) struct StoredFile {
    sha256: String,
    content_type: &'static str,
    size_bytes: i64,
    relative: String,
}

/// 整改反馈: the enterprise's text and photos (整改中 or 退回整改 only). The
/// photos are checked and written (by content, like evidence) before the
/// transaction; a file without a row is harmless, a row without its file
/// can't happen.
pub async fn report(
    db: &Db,
    dir: &Path,
    max_bytes: usize,
    now: DateTime<Utc>,
    mover: &Mover<'_>,
    id: i64,
    report: Report,
) -> StoreResult<Rectification> {
    let note = rules::required_text(report.note.as_deref(), "note", "整改情况说明")?;
    if report.photos.len() > rules::MAX_REPORT_FILES {
        return Err(DomainError::field(
            "photos",
            "too_many",
            format!("整改照片最多{}张", rules::MAX_REPORT_FILES),
        )
        .into());
    }
    let mut checked = Vec::new();
    for bytes in &report.photos {
        let kind = result_rules::check_upload(bytes, max_bytes)?;
        let sha = hex::encode(Sha256::digest(bytes));
        checked.push(StoredFile {
            relative: format!("{}/{}.{}", &sha[..2], sha, kind.extension()),
            sha256: sha,
            content_type: kind.as_str(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        });
    }
    // Refuse before writing files when the state already says no.
    let current = super::load(db, business_date(now), id).await?;
    mover.check(&current, Action::Report)?;
    Action::Report.check(current.status)?;
    for (f, bytes) in checked.iter().zip(report.photos) {
        crate::field::evidence::write_file(dir.join(&f.relative), bytes).await?;
    }
    mutate(
        db,
        now,
        mover,
        id,
        Action::Report,
        &checked,
        async |tx, _| {
            tx.execute(
                "UPDATE rectifications SET status = 'reported' WHERE id = $1",
                crate::args![id],
            )
            .await?;
            Ok((StepKind::Reported, note.clone()))
        },
    )
    .await
}

/// 核查: close (销号) with how it was verified, or return (退回) with a
/// reason and, when the deadline has passed, a new one.
pub async fn verify(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    input: &VerifyInput,
) -> StoreResult<Rectification> {
    let today = business_date(now);
    let verdict = input.check(today)?;
    let mover = Mover::Department(principal);
    let action = match verdict {
        Verdict::Close { .. } => Action::Close,
        Verdict::Return { .. } => Action::Return,
    };
    mutate(
        db,
        now,
        &mover,
        id,
        action,
        &[],
        async |tx, r| match &verdict {
            Verdict::Close { verification, note } => {
                if *verification == Verification::Revisit {
                    revisit_done(tx, r).await?;
                }
                tx.execute(
                    "UPDATE rectifications SET status = 'closed', closed_at = $2 WHERE id = $1",
                    crate::args![id, now],
                )
                .await?;
                Ok((
                    StepKind::Closed,
                    format!("{}：{note}", verification.label()),
                ))
            }
            Verdict::Return { reason, deadline } => {
                let deadline = returned_deadline(r.deadline, *deadline, today)?;
                tx.execute(
                    "UPDATE rectifications SET status = 'returned', deadline = $2 WHERE id = $1",
                    crate::args![id, deadline],
                )
                .await?;
                Ok((
                    StepKind::Returned,
                    format!("{reason}（整改期限：{deadline}）"),
                ))
            }
        },
    )
    .await
}

/// A returned rectification needs a deadline still ahead: the old one if it
/// is, otherwise the department must give a new one.
fn returned_deadline(
    current: NaiveDate,
    given: Option<NaiveDate>,
    today: NaiveDate,
) -> StoreResult<NaiveDate> {
    match given {
        Some(d) => Ok(d),
        None if current >= today => Ok(current),
        None => Err(DomainError::field(
            "deadline",
            "required",
            "原整改期限已过，退回整改时请设置新的整改期限",
        )
        .into()),
    }
}

/// Closing on a revisit needs the revisit done.
async fn revisit_done(tx: &mut Tx, r: &Rectification) -> StoreResult<()> {
    let Some(task) = r.revisit_task_id else {
        return Err(DomainError::field(
            "verification",
            "no_revisit",
            "尚未安排整改复查任务，请选择书面核查或先安排复查",
        )
        .into());
    };
    let status: String = tx
        .fetch_one("SELECT status FROM tasks WHERE id = $1", crate::args![task])
        .await?
        .get("status")?;
    if status != "completed" {
        return Err(DomainError::field(
            "verification",
            "revisit_open",
            "整改复查任务尚未完成，完成复查后再销号",
        )
        .into());
    }
    Ok(())
}

/// 安排复查: a 整改复查 task (uncapped) on the enterprise, initiated by the
/// rectification's department; the rectification names it.
pub async fn plan_revisit(
    db: &Db,
    policy: &DrawPolicy,
    now: DateTime<Utc>,
    who: &Initiator,
    id: i64,
) -> StoreResult<Rectification> {
    let today = business_date(now);
    let mover = Mover::Department(&who.principal);
    retrying(|| async {
        mutate(
            db,
            now,
            &mover,
            id,
            Action::PlanRevisit,
            &[],
            async |tx, r| {
                if r.revisit_task_id.is_some() {
                    return Err(DomainError::conflict(
                        "revisit_planned",
                        "已安排整改复查任务，请勿重复安排",
                    )
                    .into());
                }
                if who.department_id != r.department_id {
                    return Err(DomainError::forbidden("只有承办处（科）室可以安排复查").into());
                }
                let spec = Spec {
                    year: i64::from(chrono::Datelike::year(&today)),
                    // 整改复查 is recorded as 其他 (uncapped) with its reason:
                    // the stored sources are fixed by a CHECK constraint that
                    // SQLite cannot widen without rebuilding the tasks table.
                    source: TaskSource::Other,
                    method: Method::Directed,
                    draw_id: None,
                    emergency: None,
                    // A revisit is owed by the rectification itself: the
                    // reasonable-frequency warning is acknowledged with it.
                    acknowledged: Some(format!("整改复查（整改任务第{id}号）")),
                };
                let enterprises = vec![(r.enterprise_id, r.enterprise_name.clone())];
                let ids = match tasks::insert(tx, policy, now, who, &spec, &enterprises).await? {
                    Ok(ids) => ids,
                    Err(refused) => {
                        let names = enterprises.iter().cloned().collect();
                        return Err(tasks::refusal_error(policy, &refused, &names).into());
                    }
                };
                tasks::audit_created(tx, now, who, &ids, None).await?;
                tx.execute(
                    "UPDATE rectifications SET revisit_task_id = $2 WHERE id = $1",
                    crate::args![id, ids[0]],
                )
                .await?;
                Ok((
                    StepKind::RevisitPlanned,
                    format!("生成整改复查任务（任务编号{}）", ids[0]),
                ))
            },
        )
        .await
    })
    .await
}

/// 移送立案: instead of (or after) rectification, the problem is referred for
/// a penalty case with a note on the evidence (the result's photos stay
/// linked through the result).
pub async fn refer(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    note: Option<&str>,
) -> StoreResult<Rectification> {
    let note = rules::required_text(note, "note", "移送理由及证据材料说明")?;
    let mover = Mover::Department(principal);
    mutate(db, now, &mover, id, Action::Refer, &[], async |tx, _| {
        tx.execute(
            "UPDATE rectifications SET status = 'referred', referral_status = $2 WHERE id = $1",
            crate::args![id, Referral::Pending.as_str()],
        )
        .await?;
        Ok((StepKind::Referred, note.clone()))
    })
    .await
}

/// The referral's outcome: 已立案 with its number, or 不予立案 with a reason.
pub async fn decide_referral(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    input: &ReferralOutcomeInput,
) -> StoreResult<Rectification> {
    let outcome = input.check()?;
    let mover = Mover::Department(principal);
    mutate(
        db,
        now,
        &mover,
        id,
        Action::DecideReferral,
        &[],
        async |tx, r| {
            if r.referral != Some(Referral::Pending) {
                return Err(DomainError::conflict(
                    "referral_decided",
                    "已记录立案结果，不能重复记录",
                )
                .into());
            }
            tx.execute(
                "UPDATE rectifications SET referral_status = $2, case_number = $3 WHERE id = $1",
                crate::args![id, outcome.outcome.as_str(), outcome.case_number.as_deref()],
            )
            .await?;
            let kind = match outcome.outcome {
                Referral::Filed => StepKind::CaseFiled,
                _ => StepKind::CaseDeclined,
            };
            Ok((kind, outcome.note.clone()))
        },
    )
    .await
}

/// A requirement as a clause of the step's note: its own closing 。 or ；
/// dropped, so that 「…运行记录。；整改期限」 reads 「…运行记录；整改期限」.
fn clause(text: &str) -> &str {
    text.trim_end()
        .trim_end_matches(['。', '；', ';', '.', '，', ','])
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_requirement_ends_its_clause_once() {
        assert_eq!(super::clause("补齐运行记录。"), "补齐运行记录");
        assert_eq!(super::clause("补齐运行记录；\n"), "补齐运行记录");
        assert_eq!(super::clause("补齐运行记录"), "补齐运行记录");
    }
}
