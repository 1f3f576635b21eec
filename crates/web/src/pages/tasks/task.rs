//! `/tasks/{id}`: one task with its departments, inspectors and panels, and
//! its forms `/tasks/{id}/inspectors` (随机抽取检查人员), `/tasks/{id}/cancel`
//! and `/tasks/{id}/recusals` (回避). The joint-inspection forms of this page
//! are in [`super::joint`], the 检查文书 panel in [`super::documents_panel`],
//! the 检查结果 panel in [`super::results_panel`].

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::joint::{Decision, ParticipantKind};
use yici_domain::org::{PersonStatus, Role};
use yici_domain::time::display;
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::draw::inspectors::{self, InspectorDrawRequest, NewRecusal};
use yici_store::draw::tasks::{self, Task};
use yici_store::joint::candidates::{self, CandidateInspector};
use yici_store::joint::participants;
use yici_store::org::people::{self, PeopleFilter};

use super::documents_panel::{self, DocsPanel};
use super::results_panel::{self, ResultsPanel};
use super::view::{answering, joint_class, opt_date, status_class};
use crate::draw_access::initiator;
use crate::error::{status_of, AppError, PageResult};
use crate::pages::forms;
use crate::pages::layout::Chrome;
use crate::registry_access::scope_of;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

fn decision_tag(d: Option<Decision>) -> (&'static str, &'static str) {
    match d {
        None => ("待确认", "pending"),
        Some(Decision::Join) => (Decision::Join.label(), "on"),
        Some(Decision::Decline) => (Decision::Decline.label(), "off"),
        Some(Decision::Lapsed) => (Decision::Lapsed.label(), "warn-tag"),
    }
}

#[derive(Deserialize, Default)]
pub struct TaskNotice {
    done: Option<String>,
}

/// The task's fields, labels resolved.
pub struct TaskInfo {
    pub t: Task,
    pub source: &'static str,
    pub method: &'static str,
    pub status: &'static str,
    pub status_class: &'static str,
    pub created_at: String,
    pub emergency: Option<String>,
    pub inspected_on: String,
    pub planned_on: String,
    pub cancelled_at: String,
}

impl TaskInfo {
    fn of(t: Task) -> TaskInfo {
        TaskInfo {
            source: t.source.label(),
            method: t.method.label(),
            status: t.status.label(),
            status_class: status_class(t.status),
            created_at: display(t.created_at),
            emergency: t.emergency.map(|e| e.label().to_string()),
            inspected_on: opt_date(t.inspected_on),
            planned_on: opt_date(t.planned_on),
            cancelled_at: t.cancelled_at.map(display).unwrap_or_default(),
            t,
        }
    }
}

/// What the forms of the task page hold, as typed.
#[derive(Default)]
pub struct TaskForms {
    pub count: String,
    pub include_subordinate: bool,
    pub cancel_reason: String,
    pub recusal_person: i64,
    pub recusal_reason: String,
    /// 参加 dialog as typed: `true`, `false` or empty.
    pub join: String,
    pub join_ids: Vec<i64>,
    pub partner: i64,
}

/// A department on the task, labels resolved.
pub struct PartRow {
    pub department: String,
    pub unit: String,
    /// Of the task's own unit (the unit column is left out on phones).
    pub same_unit: bool,
    pub kind: &'static str,
    pub initiator: bool,
    pub notified_at: String,
    pub decide_by: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub decided: String,
    pub inspectors: Vec<String>,
    pub mine: bool,
}

/// A person who may be ticked as an inspector.
pub struct PickRow {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub certificate_no: String,
    pub checked: bool,
    /// Already on the task for another department.
    pub taken: bool,
}

/// Eligible people, the department's own and its subordinate counterparts.
pub struct Picks {
    pub own: Vec<PickRow>,
    pub sub: Vec<PickRow>,
}

impl Picks {
    pub(super) fn of(people: Vec<CandidateInspector>, ticked: &[i64], taken: &[i64]) -> Picks {
        let (own, sub): (Vec<CandidateInspector>, Vec<CandidateInspector>) =
            people.into_iter().partition(|c| c.own);
        let row = |c: CandidateInspector| PickRow {
            checked: ticked.contains(&c.person_id) && !taken.contains(&c.person_id),
            taken: taken.contains(&c.person_id),
            id: c.person_id,
            place: if c.own {
                c.department_name
            } else {
                format!("{} {}", c.unit_name, c.department_name)
            },
            name: c.name,
            certificate_no: c.certificate_no,
        };
        Picks {
            own: own.into_iter().map(row).collect(),
            sub: sub.into_iter().map(row).collect(),
        }
    }
}

/// The 参加 dialog, or where the department stands.
pub struct ParticipateView {
    pub department: String,
    pub decide_by: String,
    /// `form`, `lapsed`, `decided` or `closed`.
    pub state: &'static str,
    pub decided: String,
    pub join: String,
    pub picks: Picks,
}

#[derive(Template)]
#[template(path = "tasks/view.html")]
struct TaskPage {
    chrome: Chrome,
    i: TaskInfo,
    may_draw: bool,
    may_cancel: bool,
    /// People the user may declare 回避 for (empty: no form).
    people: Vec<(i64, String)>,
    f: TaskForms,
    /// Which form the error belongs to: `inspectors`, `cancel`, `recusal`,
    /// `settings`, `participation` or `partner`.
    error_form: &'static str,
    error: Option<String>,
    notice: Option<String>,
    min_inspectors: i64,
    joint: &'static str,
    joint_class: &'static str,
    parts: Vec<PartRow>,
    /// Which department each inspector is on the task for.
    inspector_for: Vec<String>,
    /// The initiating department may open the 设置 dialog.
    may_set: bool,
    /// What the task waits for, in words (none once closed).
    next_step: Option<&'static str>,
    participate: Option<ParticipateView>,
    /// Partner-agency departments the initiator may invite (none: no form).
    partners: Option<Vec<(i64, String)>>,
    /// 检查文书 of the task (none for a cancelled task nobody drafted on).
    docs: Option<DocsPanel>,
    /// 检查结果 of the participating departments.
    results: Option<ResultsPanel>,
    /// Open 监督预警 of the task, for those who read them (STAT-2).
    open_warnings: i64,
}

impl TaskPage {
    fn err_of(&self, form: &str) -> Option<&str> {
        (self.error_form == form)
            .then_some(())
            .and(self.error.as_deref())
    }
}

fn part_rows(t: &Task, mine: Option<i64>) -> Vec<PartRow> {
    t.participants
        .iter()
        .map(|x| {
            let initiator = x.kind == ParticipantKind::Initiator;
            let (state, state_class) = if initiator {
                ("发起", "st-scheduled")
            } else {
                decision_tag(x.decision)
            };
            let decided = if initiator {
                format!("{} {}", t.created_by_name, display(t.created_at))
            } else {
                match (&x.decided_by_name, x.decided_at, x.decision) {
                    (Some(n), Some(at), _) => format!("{n} {}", display(at)),
                    (None, Some(at), Some(Decision::Lapsed)) => format!("系统 {}", display(at)),
                    _ => "—".into(),
                }
            };
            PartRow {
                department: x.department_name.clone(),
                unit: x.unit_name.clone(),
                same_unit: x.unit_id == t.unit_id,
                kind: x.kind.label(),
                initiator,
                notified_at: display(x.notified_at),
                decide_by: x.decide_by.map(display).unwrap_or_else(|| "—".into()),
                state,
                state_class,
                decided,
                inspectors: t
                    .inspectors
                    .iter()
                    .filter(|i| {
                        i.for_department_id == Some(x.department_id)
                            || (initiator && i.for_department_id.is_none())
                    })
                    .map(|i| {
                        if i.department_name == x.department_name && i.unit_name == x.unit_name {
                            i.name.clone()
                        } else {
                            format!("{}（{}{}）", i.name, i.unit_name, i.department_name)
                        }
                    })
                    .collect(),
                mine: mine == Some(x.department_id),
            }
        })
        .collect()
}

/// People on the task for another department than `department`.
pub(super) fn taken_by_others(t: &Task, department: i64) -> Vec<i64> {
    t.inspectors
        .iter()
        .filter(|i| i.for_department_id.unwrap_or(t.department_id) != department)
        .map(|i| i.person_id)
        .collect()
}

pub(super) fn current_of(t: &Task, department: i64) -> Vec<i64> {
    t.inspectors
        .iter()
        .filter(|i| i.for_department_id.unwrap_or(t.department_id) == department)
        .map(|i| i.person_id)
        .collect()
}

/// What happens next on the task, for the line under its title: the
/// sections of the page follow this order.
fn next_step(t: &Task, initiating: bool) -> Option<&'static str> {
    use yici_domain::draw::task::TaskStatus;
    match t.status {
        TaskStatus::Drawn if initiating => {
            Some("下一步：设置计划现场检查日期和检查人员（发起处室至少2名）。")
        }
        TaskStatus::Drawn => Some("下一步：等待发起处室设置检查日期和检查人员。"),
        TaskStatus::Scheduled => {
            Some("下一步：检查人员按计划日期到现场，出示检查二维码，企业扫码确认后填报检查结果。")
        }
        TaskStatus::InProgress => Some("下一步：各参与处室提交检查结果，并办理检查文书。"),
        TaskStatus::Completed | TaskStatus::Cancelled => None,
    }
}

pub(super) async fn render_task(
    state: &AppState,
    session: &Session,
    id: i64,
    f: TaskForms,
    error: Option<(&'static str, DomainError)>,
    notice: Option<String>,
) -> PageResult<Response> {
    let p = &session.principal;
    let now = state.now();
    let t = tasks::get(&state.db, p, now, id).await?;
    let open = t.status.may_cancel();
    let initiating = p.department_id == Some(t.department_id);
    let today = yici_domain::time::business_date(now);
    let people = match p.department_id {
        Some(d) if open && p.can_manage_people_of(d) => people::list(
            &mut &state.db,
            d,
            &PeopleFilter {
                name: None,
                status: Some(PersonStatus::Enabled),
            },
        )
        .await?
        .into_iter()
        .map(|x| (x.id, x.name))
        .collect(),
        Some(_) if open => p
            .person_id
            .map(|pid| vec![(pid, p.display_name.clone())])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let participate = match answering(p, &t) {
        Some(x) => {
            let state_of = match x.decision {
                _ if !open && x.decision.is_none() => "closed",
                None => "form",
                Some(Decision::Lapsed) => "lapsed",
                Some(_) => "decided",
            };
            let picks = if state_of == "form" {
                let people =
                    candidates::for_department(&state.db, x.department_id, t.enterprise_id, today)
                        .await?;
                Picks::of(people, &f.join_ids, &taken_by_others(&t, x.department_id))
            } else {
                Picks {
                    own: Vec::new(),
                    sub: Vec::new(),
                }
            };
            Some(ParticipateView {
                department: format!("{} {}", x.unit_name, x.department_name),
                decide_by: x.decide_by.map(display).unwrap_or_default(),
                state: state_of,
                decided: match (x.decision, x.decided_at) {
                    (Some(d), Some(at)) => format!("{}（{}）", d.label(), display(at)),
                    (Some(d), None) => d.label().to_string(),
                    _ => String::new(),
                },
                join: f.join.clone(),
                picks,
            })
        }
        None => None,
    };
    let partners = if open && initiating {
        Some(
            participants::partner_departments(&state.db, &scope_of(&session.principal)?)
                .await?
                .into_iter()
                .filter(|d| {
                    !t.participants
                        .iter()
                        .any(|x| x.department_id == d.department_id)
                })
                .map(|d| {
                    (
                        d.department_id,
                        format!("{} {}", d.unit_name, d.department_name),
                    )
                })
                .collect(),
        )
    } else {
        None
    };
    let status = error
        .as_ref()
        .map(|(_, e)| status_of(e))
        .unwrap_or(StatusCode::OK);
    let (error_form, error) = match error {
        Some((form, e)) => (form, Some(e.message)),
        None => ("", None),
    };
    let docs = Some(documents_panel::panel(state, session, &t).await?);
    let results = results_panel::panel(state, session, &t).await?;
    let open_warnings = yici_store::warnings::open_of_task(&state.db, p, t.id).await?;
    let page = TaskPage {
        open_warnings,
        chrome: Chrome::new(session, "tasks"),
        may_draw: open && initiating,
        may_cancel: open && (initiating || p.has(Role::SystemAdmin)),
        people,
        f: TaskForms {
            count: if f.count.is_empty() {
                inspectors::MIN_INSPECTORS.to_string()
            } else {
                f.count
            },
            ..f
        },
        error_form,
        error,
        notice,
        min_inspectors: inspectors::MIN_INSPECTORS,
        joint: t.joint.label(),
        joint_class: joint_class(t.joint),
        parts: part_rows(&t, p.department_id),
        inspector_for: t
            .inspectors
            .iter()
            .map(|i| {
                let d = i.for_department_id.unwrap_or(t.department_id);
                t.participants
                    .iter()
                    .find(|x| x.department_id == d)
                    .map(|x| x.department_name.clone())
                    .unwrap_or_else(|| t.department_name.clone())
            })
            .collect(),
        may_set: open && initiating,
        next_step: next_step(&t, open && initiating),
        participate,
        partners,
        docs,
        results,
        i: TaskInfo::of(t),
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn task(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(n): Query<TaskNotice>,
) -> PageResult<Response> {
    let notice = match n.done.as_deref() {
        Some("inspectors") => Some("已随机抽取检查人员，抽取记录已保存。".to_string()),
        Some("cancelled") => Some("任务已取消，占用的抽取频次已退回。".to_string()),
        Some("settings") => Some("任务设置已保存。".to_string()),
        Some("joined") => Some("已确认参加本次检查，检查人员已安排。".to_string()),
        Some("declined") => Some("已确认本处室不参加本次检查。".to_string()),
        Some("partner") => Some("已邀请协作部门，并已通知其管理员。".to_string()),
        Some("procedure") => Some("检查方式与口头通知已保存。".to_string()),
        Some("recusal") => Some(
            "回避声明已登记；该人员已从本企业未完成任务的检查人员中移除，今后不会被抽中。"
                .to_string(),
        ),
        _ => None,
    };
    render_task(&state, &session, id, TaskForms::default(), None, notice).await
}

#[derive(Deserialize)]
pub struct InspectorsForm {
    #[serde(default)]
    count: String,
    #[serde(default)]
    include_subordinate: String,
}

impl InspectorsForm {
    /// The API's request.
    fn to_request(&self) -> Result<InspectorDrawRequest, DomainError> {
        Ok(InspectorDrawRequest {
            count: forms::number(&self.count, "count", "抽取人数应为整数")?,
            include_subordinate: !self.include_subordinate.is_empty(),
        })
    }
}

pub async fn draw_inspectors(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<InspectorsForm>,
) -> PageResult<Response> {
    let f = TaskForms {
        count: form.count.clone(),
        include_subordinate: !form.include_subordinate.is_empty(),
        ..TaskForms::default()
    };
    let request = match form.to_request() {
        Ok(r) => r,
        Err(e) => return render_task(&state, &session, id, f, Some(("inspectors", e)), None).await,
    };
    let result = match initiator(&session.principal, None) {
        Ok(who) => inspectors::draw(&state.db, state.now(), &who, id, &request)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    after_form(
        &state,
        &session,
        id,
        f,
        "inspectors",
        result.map(|_| "inspectors"),
    )
    .await
}

/// After a form another module adds to the task page (检查文书): the same
/// redirect, or the task page with the error beside that form.
pub(crate) async fn after_task_form(
    state: &AppState,
    session: &Session,
    id: i64,
    form: &'static str,
    outcome: Result<&str, AppError>,
) -> PageResult<Response> {
    after_form(state, session, id, TaskForms::default(), form, outcome).await
}

/// After a form of the task page: back to the task with its notice
/// (`?done=…`), or the page again with the error beside the form it names.
pub(super) async fn after_form(
    state: &AppState,
    session: &Session,
    id: i64,
    f: TaskForms,
    form: &'static str,
    outcome: Result<&str, AppError>,
) -> PageResult<Response> {
    match outcome {
        Ok(done) => Ok(Redirect::to(&format!("/tasks/{id}?done={done}")).into_response()),
        Err(e) => {
            let e = e.for_form()?;
            render_task(state, session, id, f, Some((form, e)), None).await
        }
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CancelForm>,
) -> PageResult<Response> {
    match tasks::cancel(
        &state.db,
        state.now(),
        &session.principal,
        id,
        Some(&form.reason),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?done=cancelled")).into_response()),
        Err(e) => {
            let e = AppError::from(e).for_form()?;
            let f = TaskForms {
                cancel_reason: form.reason,
                ..TaskForms::default()
            };
            render_task(&state, &session, id, f, Some(("cancel", e)), None).await
        }
    }
}

#[derive(Deserialize)]
pub struct RecusalForm {
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    reason: String,
}

impl RecusalForm {
    /// The person chosen, or 0.
    fn person(&self) -> i64 {
        self.person_id.trim().parse::<i64>().unwrap_or(0)
    }

    /// The API's request, for the task's enterprise.
    fn to_request(&self, enterprise_id: i64) -> Result<NewRecusal, DomainError> {
        let person_id = self.person();
        if person_id <= 0 {
            return Err(DomainError::field(
                "person_id",
                "required",
                "请选择声明回避的人员",
            ));
        }
        Ok(NewRecusal {
            person_id,
            enterprise_id,
            reason: Some(self.reason.clone()),
        })
    }
}

pub async fn declare_recusal(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RecusalForm>,
) -> PageResult<Response> {
    let t = tasks::get(&state.db, &session.principal, state.now(), id).await?;
    let f = TaskForms {
        recusal_person: form.person(),
        recusal_reason: form.reason.clone(),
        ..TaskForms::default()
    };
    let new = match form.to_request(t.enterprise_id) {
        Ok(r) => r,
        Err(e) => return render_task(&state, &session, id, f, Some(("recusal", e)), None).await,
    };
    match inspectors::declare(&state.db, state.now(), &session.principal, &new).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?done=recusal")).into_response()),
        Err(e) => {
            let e = AppError::from(e).for_form()?;
            render_task(&state, &session, id, f, Some(("recusal", e)), None).await
        }
    }
}
