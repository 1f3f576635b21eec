//! Drafting a document from what the platform knows (DOC-2): the enterprise
//! and its 统一社会信用代码, the inspectors with their 执法证号, the visit's
//! time and place, the items, the source and — for capped sources — the
//! frequency line from the cap ledger. People complete the rest by hand.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use yici_domain::documents::forms::*;
use yici_domain::documents::workflow::{self, Action, DocumentActor, DocumentStatus};
use yici_domain::documents::{DocumentKind, Form};
use yici_domain::org::Principal;
use yici_domain::DomainError;

use super::{load, Document};
use crate::audit::{self, Change};
use crate::db::{Db, Exec};
use crate::draw::tasks::{self, Task};
use crate::error::StoreResult;
use crate::field::results::IN_FORCE;
use crate::Actor;

/// The general legal basis of an environmental inspection, used when the
/// department's item list names none: 《环境保护法》第二十四条 empowers the
/// ecology-environment departments to inspect polluters on site.
pub const DEFAULT_LEGAL_BASIS: &str = "《中华人民共和国环境保护法》第二十四条";

/// Everything a draft is filled from, read once.
struct Facts {
    task: Task,
    contact_name: String,
    contact_phone: String,
    /// Inspectors of the whole group, and those of the drafting department.
    all_officers: Vec<Officer>,
    own_officers: Vec<Officer>,
    frequency: Option<Frequency>,
    /// The drafting department's ticked items (from its result) and findings.
    items: Vec<String>,
    findings: Vec<String>,
    any_problem: Option<bool>,
    legal_basis: String,
    checked_in_at: Option<NaiveDateTime>,
    completed_at: Option<NaiveDateTime>,
}

fn local(at: Option<DateTime<Utc>>) -> Option<NaiveDateTime> {
    at.map(yici_domain::time::local)
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
        .unwrap_or_default()
}

/// The department a principal drafts for, and whether they may.
pub(crate) fn doc_actor(
    principal: &Principal,
    department_id: i64,
    unit_id: i64,
) -> DocumentActor<'_> {
    DocumentActor {
        person_id: principal.person_id,
        roles: &principal.roles,
        in_handling_department: principal.department_id == Some(department_id),
        in_issuing_unit: principal.unit_id == Some(unit_id),
    }
}

async fn facts(
    e: &mut impl Exec,
    task: Task,
    department_id: i64,
    per_unit_cap: u32,
) -> StoreResult<Facts> {
    let contact = e
        .fetch_one(
            "SELECT contact_name, contact_phone FROM enterprises WHERE id = $1",
            crate::args![task.enterprise_id],
        )
        .await?;
    let mut all_officers = Vec::new();
    let mut own_officers = Vec::new();
    for r in e
        .fetch_all(
            "SELECT p.name, p.certificate_no, ti.for_department_id FROM task_inspectors ti
               JOIN people p ON p.id = ti.person_id
              WHERE ti.task_id = $1 ORDER BY ti.for_department_id = $2 DESC, ti.added_at, p.id",
            crate::args![task.id, department_id],
        )
        .await?
    {
        let officer = Officer {
            name: r.get("name")?,
            certificate_no: r
                .get::<Option<String>>("certificate_no")?
                .unwrap_or_default(),
        };
        if r.get::<Option<i64>>("for_department_id")? == Some(department_id) {
            own_officers.push(officer.clone());
        }
        all_officers.push(officer);
    }
    // 本次为第_次: this task's place among the unit's live capped tasks on the
    // enterprise this year (a cancelled one freed its slot, DRAW-9).
    let frequency = if task.capped {
        let ordinal = e
            .scalar_i64(
                "SELECT COUNT(*) FROM tasks WHERE enterprise_id = $1 AND year = $2 AND unit_id = $3
                    AND capped AND status <> 'cancelled' AND id <= $4",
                crate::args![task.enterprise_id, task.year, task.unit_id, task.id],
            )
            .await?;
        Some(Frequency {
            cap: per_unit_cap,
            ordinal: u32::try_from(ordinal).unwrap_or(u32::MAX),
        })
    } else {
        None
    };
    let mut items = Vec::new();
    let mut findings = Vec::new();
    let mut any_problem = None;
    let result = e
        .fetch_optional(
            &format!(
                "SELECT r.id, r.onsite_findings FROM task_results r
                  WHERE r.task_id = $1 AND r.department_id = $2 AND {IN_FORCE}"
            ),
            crate::args![task.id, department_id],
        )
        .await?;
    if let Some(r) = result {
        let result_id: i64 = r.get("id")?;
        let mut problem = false;
        for (i, it) in e
            .fetch_all(
                "SELECT COALESCE(ri.item_name, '其他：' || ri.other_text) AS name, ri.has_problem,
                        ri.problem_description
                   FROM result_items ri WHERE ri.result_id = $1 ORDER BY ri.position",
                crate::args![result_id],
            )
            .await?
            .iter()
            .enumerate()
        {
            let name: String = it.get("name")?;
            let has: bool = it.get("has_problem")?;
            let what: Option<String> = it.get("problem_description")?;
            problem |= has;
            findings.push(match (has, what) {
                (true, Some(w)) => format!("{}. {name}：存在问题——{w}", i + 1),
                _ => format!("{}. {name}：未发现问题", i + 1),
            });
            items.push(name);
        }
        let onsite: String = r.get("onsite_findings")?;
        if !onsite.trim().is_empty() {
            findings.push(format!("现场检查情况：{onsite}"));
        }
        any_problem = Some(problem);
    }
    let list = plan_items(e, task.department_id, task.year).await?;
    let legal_basis = legal_basis(&list, &items);
    // Before any result, the items are those of the initiating department's list.
    if items.is_empty() {
        items = list.into_iter().map(|(name, _)| name).collect();
    }
    let visit = e
        .fetch_one(
            "SELECT checked_in_at, completed_at FROM tasks WHERE id = $1",
            crate::args![task.id],
        )
        .await?;
    Ok(Facts {
        contact_name: contact
            .get::<Option<String>>("contact_name")?
            .unwrap_or_default(),
        contact_phone: contact
            .get::<Option<String>>("contact_phone")?
            .unwrap_or_default(),
        all_officers,
        own_officers,
        frequency,
        items,
        findings,
        any_problem,
        legal_basis,
        checked_in_at: local(visit.get("checked_in_at")?),
        completed_at: local(visit.get("completed_at")?),
        task,
    })
}

/// The department's item list of the year (DOC-1): (检查事项, 检查依据).
async fn plan_items(
    e: &mut impl Exec,
    department_id: i64,
    year: i64,
) -> StoreResult<Vec<(String, String)>> {
    e.fetch_all(
        "SELECT name, basis FROM plan_items
          WHERE department_id = $1 AND year = $2 AND removed_at IS NULL ORDER BY position, id",
        crate::args![department_id, year],
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("name")?, r.get("basis")?)))
    .collect()
}

/// The 法律依据 of the items checked, from the department's item list of the
/// year: the bases of the listed items the result ticked, or of the whole
/// list before there is a result; the general basis when the list has none.
fn legal_basis(list: &[(String, String)], ticked: &[String]) -> String {
    let chosen = list
        .iter()
        .filter(|(name, _)| ticked.is_empty() || ticked.contains(name))
        .map(|(_, basis)| basis.as_str());
    let merged = yici_domain::legal_basis::merged(chosen);
    if merged.is_empty() {
        DEFAULT_LEGAL_BASIS.to_string()
    } else {
        merged
    }
}

fn form(kind: DocumentKind, f: Facts) -> Form {
    let t = &f.task;
    let visit_day = t
        .inspected_on
        .or(t.planned_on)
        .or(f.checked_in_at.map(|d| d.date()));
    let items = f.items.join("、");
    let matter = format!("{}{}", t.enterprise_name, "环境保护法律法规执行情况");
    match kind {
        DocumentKind::ApprovalForm => Form::ApprovalForm(ApprovalForm {
            enterprise_name: t.enterprise_name.clone(),
            uscc: t.enterprise_uscc.clone(),
            sources: vec![t.source],
            items,
            time: date_text(visit_day),
            place: t.enterprise_address.clone(),
            frequency: f.frequency,
            inspectors: f.all_officers,
            assistants: "无".into(),
            department_head: None,
            unit_head: None,
        }),
        DocumentKind::InspectionNotice => Form::InspectionNotice(InspectionNotice {
            enterprise_name: t.enterprise_name.clone(),
            uscc: t.enterprise_uscc.clone(),
            // 根据____（法律依据名称）: the laws; 三、法律依据: with their articles.
            legal_basis: yici_domain::legal_basis::titles([&f.legal_basis]),
            inspectors: f.all_officers,
            inspection_date: visit_day,
            legal_provisions: f.legal_basis,
            content_and_method: if items.is_empty() {
                "现场检查（勘验）、查阅复制资料、询问".into()
            } else {
                format!("检查{items}；方式：现场检查（勘验）、查阅复制资料、询问")
            },
            materials: "排污许可证及执行报告、污染防治设施运行台账、自动监测数据".into(),
            attendees: "环保负责人".into(),
            other_requirements: String::new(),
            source: t.source,
            source_other: String::new(),
            frequency: f.frequency,
            other_rights: String::new(),
            unit_name: t.unit_name.clone(),
            issued_on: None,
            contact: String::new(),
            recording_note: String::new(),
            service: None,
        }),
        DocumentKind::SamplingNotice => Form::SamplingNotice(SamplingNotice {
            enterprise_name: t.enterprise_name.clone(),
            uscc: t.enterprise_uscc.clone(),
            legal_basis: f.legal_basis,
            objects: String::new(),
            inspectors: f.all_officers,
            samplers: String::new(),
            unit_name: t.unit_name.clone(),
            issued_on: None,
            service: None,
            samples: Vec::new(),
        }),
        DocumentKind::OnsiteRecord => Form::OnsiteRecord(OnsiteRecord {
            started_at: f.checked_in_at,
            ended_at: f.completed_at.map(|d| d.time()),
            place: t.enterprise_address.clone(),
            enterprise_name: t.enterprise_name.clone(),
            legal_representative: String::new(),
            uscc: t.enterprise_uscc.clone(),
            parties_notified: None,
            subject: PartyPerson {
                name: f.contact_name.clone(),
                employer: t.enterprise_name.clone(),
                phone: f.contact_phone.clone(),
                ..PartyPerson::default()
            },
            witness: None,
            inspectors: f.own_officers,
            recorder: String::new(),
            unit_name: t.unit_name.clone(),
            matter,
            findings: f.findings.join("\n"),
            confirmation: String::new(),
        }),
        DocumentKind::InquiryRecord => Form::InquiryRecord(InquiryRecord {
            started_at: None,
            ended_at: None,
            place: t.enterprise_address.clone(),
            interviewee: PartyPerson {
                name: f.contact_name.clone(),
                employer: t.enterprise_name.clone(),
                phone: f.contact_phone.clone(),
                ..PartyPerson::default()
            },
            age: String::new(),
            relation: None,
            inspectors: f.own_officers,
            unit_name: t.unit_name.clone(),
            recusal_answer: String::new(),
            matter,
            questions: Vec::new(),
            recorder: String::new(),
            participants: String::new(),
        }),
        DocumentKind::InspectionRecordSheet => Form::InspectionRecordSheet(InspectionRecordSheet {
            enterprise_name: t.enterprise_name.clone(),
            uscc: t.enterprise_uscc.clone(),
            contact: f.contact_name,
            contact_phone: f.contact_phone,
            inspectors: f.own_officers,
            started_at: f.checked_in_at,
            ended_at: f.completed_at,
            place: t.enterprise_address.clone(),
            findings: f.findings.join("\n"),
            outcome: f.any_problem.map(|p| {
                if p {
                    Outcome::NotPassed
                } else {
                    Outcome::Passed
                }
            }),
            outcome_other: String::new(),
        }),
    }
}

/// Whether a department may draft this kind on the task: the initiating
/// department drafts the approval form and the notices (one group, one visit);
/// each participating department keeps its own records.
fn check_department(task: &Task, department_id: i64, kind: DocumentKind) -> StoreResult<()> {
    let initiator = task.department_id == department_id;
    let participating = crate::field::results::participating(task)
        .iter()
        .any(|(d, _)| *d == department_id);
    let ok = match kind {
        DocumentKind::ApprovalForm
        | DocumentKind::InspectionNotice
        | DocumentKind::SamplingNotice => initiator,
        _ => participating,
    };
    if ok {
        Ok(())
    } else if matches!(
        kind,
        DocumentKind::ApprovalForm | DocumentKind::InspectionNotice | DocumentKind::SamplingNotice
    ) {
        Err(DomainError::forbidden(format!("{}由发起处室填写", kind.label())).into())
    } else {
        Err(DomainError::forbidden("只有参加检查的处室可以填写检查记录").into())
    }
}

/// Drafts a document of `kind` on a task for the principal's department.
pub async fn draft(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    kind: DocumentKind,
    per_unit_cap: u32,
) -> StoreResult<Document> {
    let task = tasks::get(db, principal, now, task_id).await?;
    let Some(department_id) = principal.department_id else {
        return Err(DomainError::forbidden("只有处（科）室的人员可以填写文书").into());
    };
    workflow::decide(
        kind,
        DocumentStatus::Draft,
        Action::Edit,
        &doc_actor(principal, department_id, task.unit_id),
        None,
    )?;
    check_department(&task, department_id, kind)?;
    if task.status == yici_domain::draw::task::TaskStatus::Cancelled {
        return Err(DomainError::conflict("task_closed", "任务已取消，不能再填写文书").into());
    }
    let mut tx = db.begin().await?;
    let remote: bool = tx
        .fetch_one(
            "SELECT remote FROM tasks WHERE id = $1",
            crate::args![task_id],
        )
        .await?
        .get("remote")?;
    if remote && kind == DocumentKind::ApprovalForm {
        return Err(DomainError::conflict(
            "remote_inspection",
            "非现场检查不需要填写行政检查审批表",
        )
        .into());
    }
    let unit_id = task.unit_id;
    let f = facts(&mut tx, task, department_id, per_unit_cap).await?;
    let form = form(kind, f);
    let json =
        serde_json::to_string(&form).map_err(|e| crate::StoreError::internal(e.to_string()))?;
    let id = tx
        .scalar_i64(
            "INSERT INTO documents (task_id, unit_id, department_id, kind, status, form,
                                    created_by_name, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $7) RETURNING id",
            crate::args![
                task_id,
                unit_id,
                department_id,
                kind.as_str(),
                json,
                &principal.display_name,
                now
            ],
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                DomainError::conflict(
                    "conflict",
                    format!("该任务已有未作废的{}，请在原文书上继续办理", kind.label()),
                )
                .into()
            } else {
                e
            }
        })?;
    super::workflow::event(
        &mut tx,
        now,
        id,
        "draft",
        DocumentStatus::Draft,
        principal,
        None,
    )
    .await?;
    let (doc, _) = load(&mut tx, id).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change {
            action: "document.draft",
            entity: "document",
            entity_id: id.to_string(),
            before: None::<&()>,
            after: Some(&doc),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_basis_follows_the_item_list() {
        let list = vec![
            (
                "排污许可执行情况".to_string(),
                "《排污许可管理条例》第二十六条".to_string(),
            ),
            (
                "无组织排放控制".to_string(),
                "《中华人民共和国大气污染防治法》第四十八条；《排污许可管理条例》第二十六条"
                    .to_string(),
            ),
        ];
        assert_eq!(legal_basis(&[], &[]), DEFAULT_LEGAL_BASIS);
        assert_eq!(
            legal_basis(&list, &[]),
            "《排污许可管理条例》第二十六条；《中华人民共和国大气污染防治法》第四十八条"
        );
        assert_eq!(
            legal_basis(&list, &["排污许可执行情况".to_string()]),
            "《排污许可管理条例》第二十六条"
        );
    }
}
