//! Departments on a task (JOINT-2, JOINT-3, JOINT-6): on extraction the other
//! departments of the unit are notified — an in-app notice and an SMS to each
//! administrator, queued in the extraction's transaction — and decide within
//! 72 hours whether they take part; partner agencies are invited the same way.
//! An unanswered notice past its deadline *is* 不参与 on every read
//! ([`yici_domain::joint::effective`]); [`lapse_due`] writes it down.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::joint::{self, Decision, ParticipantKind};
use yici_domain::org::{Principal, Role, Sector};
use yici_domain::DomainError;

use crate::audit::{self, Change, Entry};
use crate::db::{insert_rows, Arg, Db, Exec, Tx};
use crate::draw::tasks::{self, Task};
use crate::draw::Initiator;
use crate::error::StoreResult;
use crate::org::parse_code;
use crate::outbox::{self, NewSms};
use crate::Actor;

/// The SMS of manual 3.2.3, word for word.
pub const NEW_TASK_SMS: &str = "您所在单位抽取了新的双随机任务，请登录系统确认是否参与！";
/// Its provider template key (`[sms.templates]` in the configuration).
pub const NEW_TASK_TEMPLATE: &str = "task_drawn";
pub const INVITE_SMS: &str = "您单位受邀参加生态环境部门的联合检查任务，请登录系统确认是否参与！";
pub const INVITE_TEMPLATE: &str = "task_invited";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Participant {
    pub department_id: i64,
    pub department_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: ParticipantKind,
    pub notified_at: DateTime<Utc>,
    /// When the decision is due (none for the initiator).
    pub decide_by: Option<DateTime<Utc>>,
    /// As of the time of reading: a notice past its deadline reads `lapsed`.
    pub decision: Option<Decision>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by_name: Option<String>,
}

/// Participants of tasks, by task, decisions as of `now`.
pub async fn of_tasks(
    e: &mut impl Exec,
    task_ids: &[i64],
    now: DateTime<Utc>,
) -> StoreResult<HashMap<i64, Vec<Participant>>> {
    let mut out: HashMap<i64, Vec<Participant>> = HashMap::new();
    if task_ids.is_empty() {
        return Ok(out);
    }
    let (sql, args) = crate::db::Sql::new(
        "SELECT tp.task_id, tp.department_id, d.name AS department_name, d.unit_id,
                u.name AS unit_name, tp.kind, tp.notified_at, tp.decide_by, tp.decision,
                tp.decided_at, tp.decided_by_name
           FROM task_participants tp
           JOIN departments d ON d.id = tp.department_id
           JOIN units u ON u.id = d.unit_id
          WHERE tp.task_id IN ",
    )
    .push_in(task_ids.iter().copied())
    .push(
        " ORDER BY tp.task_id, CASE tp.kind WHEN 'initiator' THEN 0 WHEN 'department' THEN 1 ELSE 2 END,
                   tp.department_id",
    )
    .build();
    let rows = e.fetch_all(&sql, args).await?;
    for r in &rows {
        let decide_by: Option<DateTime<Utc>> = r.get("decide_by")?;
        let stored: Option<String> = r.get("decision")?;
        let stored = stored
            .map(|d| parse_code(&d, Decision::parse))
            .transpose()?;
        let decision = joint::effective(stored, decide_by, now);
        out.entry(r.get("task_id")?).or_default().push(Participant {
            department_id: r.get("department_id")?,
            department_name: r.get("department_name")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            kind: parse_code(&r.get::<String>("kind")?, ParticipantKind::parse)?,
            notified_at: r.get("notified_at")?,
            decide_by,
            // A lapse not yet written down happened at the deadline.
            decided_at: r.get::<Option<DateTime<Utc>>>("decided_at")?.or(
                match (stored, decision) {
                    (None, Some(Decision::Lapsed)) => decide_by,
                    _ => None,
                },
            ),
            decision,
            decided_by_name: r.get("decided_by_name")?,
        });
    }
    Ok(out)
}

/// On extraction: the initiator and every other department of the unit join
/// the new tasks' participants — but not its 办公室 (business line 综合),
/// which inspects nothing, unless the unit chose to invite it
/// (`units.joint_invites_general`); each of those departments gets one
/// notice per task and each of their administrators one SMS per extraction.
pub(crate) async fn notify_on_extraction(
    tx: &mut Tx,
    now: DateTime<Utc>,
    who: &Initiator,
    task_ids: &[i64],
) -> StoreResult<()> {
    let Some(&first) = task_ids.first() else {
        return Ok(());
    };
    let others: Vec<i64> = tx
        .fetch_all(
            "SELECT d.id FROM departments d JOIN units u ON u.id = d.unit_id
              WHERE d.unit_id = $1 AND d.id <> $2 AND d.disabled_at IS NULL
                AND (d.business_line <> 'general' OR u.joint_invites_general)
              ORDER BY d.id",
            vec![who.unit_id.into(), who.department_id.into()],
        )
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<StoreResult<_>>()?;
    let due = joint::decide_by(now);
    let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(task_ids.len() * (others.len() + 1));
    for task in task_ids {
        rows.push(participant_row(
            *task,
            who.department_id,
            ParticipantKind::Initiator,
            now,
            None,
        ));
        for d in &others {
            rows.push(participant_row(
                *task,
                *d,
                ParticipantKind::Department,
                now,
                Some(due),
            ));
        }
    }
    insert_rows(tx, "task_participants", PARTICIPANT_COLUMNS, rows, "").await?;
    let body = if task_ids.len() == 1 {
        format!("{}抽取了1个双随机任务，请在3日内确认是否参与。", who.name)
    } else {
        format!(
            "{}抽取了{}个双随机任务，请在3日内确认是否参与。",
            who.name,
            task_ids.len()
        )
    };
    notify(
        tx,
        now,
        &others,
        task_ids,
        &body,
        &format!("extraction:{first}"),
        NEW_TASK_TEMPLATE,
        NEW_TASK_SMS,
    )
    .await
}

const PARTICIPANT_COLUMNS: &[&str] = &[
    "task_id",
    "department_id",
    "kind",
    "notified_at",
    "decide_by",
];

fn participant_row(
    task: i64,
    department: i64,
    kind: ParticipantKind,
    now: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
) -> Vec<Arg> {
    vec![
        task.into(),
        department.into(),
        kind.as_str().into(),
        now.into(),
        due.into(),
    ]
}

/// A notice to each department about each task (so that opening one leads
/// to its own task), naming the enterprise, and one SMS to each of their
/// enabled administrators for the whole batch.
#[allow(clippy::too_many_arguments)]
async fn notify(
    tx: &mut Tx,
    now: DateTime<Utc>,
    departments: &[i64],
    task_ids: &[i64],
    body: &str,
    purpose: &str,
    template: &str,
    sms: &str,
) -> StoreResult<()> {
    if departments.is_empty() {
        return Ok(());
    }
    let (sql, args) = crate::db::Sql::new(
        "SELECT t.id, e.name FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id WHERE t.id IN ",
    )
    .push_in(task_ids.iter().copied())
    .build();
    let names: std::collections::HashMap<i64, String> = tx
        .fetch_all(&sql, args)
        .await?
        .iter()
        .map(|r| Ok((r.get("id")?, r.get("name")?)))
        .collect::<StoreResult<_>>()?;
    let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(departments.len() * task_ids.len());
    for d in departments {
        for t in task_ids {
            let body = match names.get(t) {
                Some(name) => format!("{body}（{name}）"),
                None => body.to_string(),
            };
            rows.push(vec![(*d).into(), Some(*t).into(), body.into(), now.into()]);
        }
    }
    insert_rows(
        tx,
        "notices",
        &["department_id", "task_id", "body", "created_at"],
        rows,
        "",
    )
    .await?;
    let (sql, args) = crate::db::Sql::new(
        "SELECT id, mobile FROM people
          WHERE is_admin AND status = 'enabled' AND department_id IN ",
    )
    .push_in(departments.iter().copied())
    .push(" ORDER BY id")
    .build();
    let admins = tx.fetch_all(&sql, args).await?;
    let messages: Vec<NewSms> = admins
        .iter()
        .map(|r| {
            Ok(NewSms {
                dedupe_key: format!("{purpose}:person:{}", r.get::<i64>("id")?),
                mobile: r.get("mobile")?,
                template: template.to_string(),
                params_json: "{}".to_string(),
                body: sms.to_string(),
            })
        })
        .collect::<StoreResult<_>>()?;
    outbox::enqueue(tx, now, &messages).await
}

/// What a notified department answers (参加 dialog).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// 是否参加.
    pub join: bool,
    /// When joining: the department's inspectors (its own people, or of its
    /// counterparts in subordinate units) — at least one.
    #[serde(default)]
    pub inspector_ids: Vec<i64>,
    /// The department answering, when the user manages several (default: theirs).
    pub department_id: Option<i64>,
}

/// Records a participant department's decision, before its deadline, by its
/// secretary account or administrator.
pub async fn decide(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    request: &DecisionRequest,
) -> StoreResult<Task> {
    let department = request
        .department_id
        .or(principal.department_id)
        .ok_or_else(|| DomainError::forbidden("只有处（科）室管理员可以确认是否参与"))?;
    let manages = principal.department_id == Some(department)
        && (principal.has(Role::Secretary) || principal.has(Role::DepartmentAdmin));
    if !manages {
        return Err(
            DomainError::forbidden("只有本处（科）室的文秘账号或管理员可以确认是否参与").into(),
        );
    }
    let today = yici_domain::time::business_date(now);
    let allowed = |before: &Task| {
        let mine = before
            .participants
            .iter()
            .find(|p| p.department_id == department && p.kind != ParticipantKind::Initiator)
            .ok_or_else(|| DomainError::forbidden("本处（科）室不在该任务的通知范围内"))?;
        if mine.decide_by.is_some_and(|by| now >= by) {
            return Err(DomainError::conflict(
                "deadline_passed",
                format!(
                    "确认期限（{}）已过，系统已记为不参与",
                    yici_domain::time::display(mine.decide_by.unwrap_or(now))
                ),
            ));
        }
        if !before.status.may_cancel() {
            return Err(DomainError::conflict(
                "task_closed",
                format!("任务{}，不能再确认参与", before.status.label()),
            ));
        }
        Ok(())
    };
    let change = async |tx: &mut Tx, before: &Task| {
        let inspectors = if request.join {
            if request.inspector_ids.is_empty() {
                return Err(DomainError::field(
                    "inspector_ids",
                    "required",
                    "参加检查须选择检查人员",
                )
                .into());
            }
            super::check_inspectors(
                tx,
                department,
                before.enterprise_id,
                &request.inspector_ids,
                today,
            )
            .await?
        } else {
            Vec::new()
        };
        let decision = if request.join {
            Decision::Join
        } else {
            Decision::Decline
        };
        tx.execute(
            "UPDATE task_participants SET decision = $1, decided_at = $2, decided_by_name = $3
              WHERE task_id = $4 AND department_id = $5",
            crate::args![
                decision.as_str(),
                now,
                principal.display_name.as_str(),
                task_id,
                department
            ],
        )
        .await?;
        tx.execute(
            "DELETE FROM task_inspectors WHERE task_id = $1 AND for_department_id = $2",
            vec![task_id.into(), department.into()],
        )
        .await?;
        for (person, _) in &inspectors {
            tx.execute(
                "INSERT INTO task_inspectors (task_id, person_id, draw_id, added_at, for_department_id)
                 VALUES ($1, $2, NULL, $3, $4)",
                crate::args![task_id, *person, now, department],
            )
            .await
            .map_err(|e| {
                if e.is_unique_violation() {
                    DomainError::field(
                        "inspector_ids",
                        "duplicate_inspector",
                        "所选人员已是该任务的检查人员",
                    )
                    .into()
                } else {
                    e
                }
            })?;
        }
        Ok(())
    };
    tasks::mutate(
        db,
        now,
        principal,
        task_id,
        "task.participation",
        allowed,
        change,
    )
    .await
}

/// JOINT-6: the initiating department invites a department of a partner
/// agency (市场监管, 应急管理 …); it decides like a department of the unit.
/// Its own frequency caps stay its own: taking part counts nothing.
pub async fn invite_partner(
    db: &Db,
    now: DateTime<Utc>,
    who: &Initiator,
    task_id: i64,
    department_id: i64,
) -> StoreResult<Task> {
    let allowed = |before: &Task| {
        if before.department_id != who.department_id {
            return Err(DomainError::forbidden("只有发起处室可以邀请协作部门"));
        }
        if !before.status.may_cancel() {
            return Err(DomainError::conflict(
                "task_closed",
                format!("任务{}，不能再邀请", before.status.label()),
            ));
        }
        Ok(())
    };
    let change = async |tx: &mut Tx, before: &Task| {
        // A disabled (停用) agency or department is invited no more.
        let sector = tx
            .fetch_optional(
                "SELECT u.sector FROM departments d JOIN units u ON u.id = d.unit_id
                  WHERE d.id = $1 AND d.disabled_at IS NULL AND u.disabled_at IS NULL",
                vec![department_id.into()],
            )
            .await?
            .ok_or_else(|| {
                DomainError::field(
                    "department_id",
                    "unknown_department",
                    "协作部门不存在或已停用",
                )
            })?
            .get::<String>("sector")?;
        if parse_code(&sector, Sector::parse)? == Sector::Ecology {
            return Err(DomainError::field(
                "department_id",
                "not_partner",
                "只能邀请市场监管、应急管理等其他行业部门；本系统处室由抽取时自动通知",
            )
            .into());
        }
        if before
            .participants
            .iter()
            .any(|p| p.department_id == department_id)
        {
            return Err(DomainError::conflict("duplicate", "该部门已在任务中").into());
        }
        insert_rows(
            tx,
            "task_participants",
            PARTICIPANT_COLUMNS,
            vec![participant_row(
                task_id,
                department_id,
                ParticipantKind::Partner,
                now,
                Some(joint::decide_by(now)),
            )],
            "",
        )
        .await?;
        notify(
            tx,
            now,
            &[department_id],
            &[task_id],
            &format!(
                "{}邀请贵单位参加{}的联合检查，请在3日内确认是否参与。",
                before.unit_name, before.enterprise_name
            ),
            &format!("invite:{task_id}:{department_id}"),
            INVITE_TEMPLATE,
            INVITE_SMS,
        )
        .await?;
        Ok(())
    };
    tasks::mutate(
        db,
        now,
        &who.principal,
        task_id,
        "task.invite_partner",
        allowed,
        change,
    )
    .await
}

/// Partner-agency departments that may be invited.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerDepartment {
    pub department_id: i64,
    pub department_name: String,
    pub unit_name: String,
}

/// Partner-agency departments in the area of a scope (a county unit sees
/// its county's agencies, a city unit its city's, and so on).
pub async fn partner_departments(
    mut db: &Db,
    scope: &crate::registry::search::Scope,
) -> StoreResult<Vec<PartnerDepartment>> {
    use crate::registry::search::Scope;
    let rows = db
        .fetch_all(
            "SELECT d.id, d.name, u.name AS unit_name, u.region_code FROM departments d
               JOIN units u ON u.id = d.unit_id
              WHERE u.sector <> 'ecology' AND d.disabled_at IS NULL AND u.disabled_at IS NULL
              ORDER BY u.name, d.name",
            vec![],
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let region: String = r.get("region_code")?;
        let inside = match scope {
            Scope::All => true,
            Scope::Province(p) => region.get(..2) == p.get(..2),
            Scope::City(c) => region.get(..4) == c.get(..4),
            Scope::County(c) => &region == c,
        };
        if inside {
            out.push(PartnerDepartment {
                department_id: r.get("id")?,
                department_name: r.get("name")?,
                unit_name: r.get("unit_name")?,
            });
        }
    }
    Ok(out)
}

/// A task completed: the departments that never answered are written down
/// as 不参与 (lapsed) now, so that a finished task shows no 待确认.
pub(crate) async fn close_on_completion(
    tx: &mut Tx,
    now: DateTime<Utc>,
    task_id: i64,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE task_participants SET decision = 'lapsed', decided_at = $2
          WHERE task_id = $1 AND decision IS NULL AND kind <> 'initiator'",
        vec![task_id.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// Writes down 不参与 for every notice past its deadline (the job; reads
/// already see it). Returns how many were recorded.
pub async fn lapse_due(db: &Db, now: DateTime<Utc>) -> StoreResult<usize> {
    let mut tx = db.begin().await?;
    let lapsed = tx
        .fetch_all(
            "UPDATE task_participants SET decision = 'lapsed', decided_at = decide_by
              WHERE decision IS NULL AND decide_by <= $1
              RETURNING task_id, department_id",
            vec![now.into()],
        )
        .await?;
    if lapsed.is_empty() {
        return Ok(0);
    }
    let entries = lapsed
        .iter()
        .map(|r| {
            let task: i64 = r.get("task_id")?;
            let department: i64 = r.get("department_id")?;
            Ok(Entry::of(Change::<(), serde_json::Value> {
                action: "task.participation_lapsed",
                entity: "task",
                entity_id: task.to_string(),
                before: None,
                after: Some(
                    &serde_json::json!({"department_id": department, "decision": "lapsed"}),
                ),
            }))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let n = entries.len();
    audit::record_many(&mut tx, now, &Actor::system(), entries).await?;
    tx.commit().await?;
    Ok(n)
}

/// A department's notices that still ask something of it, newest first:
/// one whose task the department answered, whose deadline passed, or whose
/// task is completed or cancelled leaves the list (STAT-3).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    pub id: i64,
    pub task_id: Option<i64>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub async fn notices(
    mut db: &Db,
    department_id: i64,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<Notice>> {
    db.fetch_all(
        "SELECT n.id, n.task_id, n.body, n.created_at, n.read_at FROM notices n
          WHERE n.department_id = $1
            AND NOT EXISTS (
                SELECT 1 FROM task_participants p JOIN tasks t ON t.id = p.task_id
                 WHERE p.task_id = n.task_id AND p.department_id = n.department_id
                   AND (p.decision IS NOT NULL OR p.decide_by <= $3
                        OR t.status IN ('completed', 'cancelled')))
          ORDER BY n.id DESC LIMIT $2",
        vec![department_id.into(), limit.into(), now.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Notice {
            id: r.get("id")?,
            task_id: r.get("task_id")?,
            body: r.get("body")?,
            created_at: r.get("created_at")?,
            read_at: r.get("read_at")?,
        })
    })
    .collect()
}
