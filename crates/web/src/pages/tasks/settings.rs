//! `/tasks/settings`: the manual's 设置 dialog (3.2.2) — 计划现场检查日期 and
//! 检查人员 — for one task (设置 on the list or the task page) or for several
//! ticked on the list (批量设置). The same values go to each task, each is
//! checked as if set alone, and they are saved together or not at all
//! ([`settings::set_many`]); a refusal names its task and stands next to the
//! field it is about.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::draw::inspectors::MIN_INSPECTORS;
use yici_store::draw::tasks::{self, Task};
use yici_store::joint::candidates::{self, CandidateInspector};
use yici_store::joint::settings::{self, BatchSettings, TaskSettings, MAX_BATCH};

use super::task::{current_of, taken_by_others, Picks};
use super::view::{opt_date, status_class};
use crate::draw_access::initiator;
use crate::error::{status_of, AppError, PageResult};
use crate::pages::forms;
use crate::pages::layout::Chrome;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// The dialog's fields as typed: `task_id` and `inspector_id` repeated,
/// `planned_on`, and `back` (the page to return to).
#[derive(Default)]
struct Typed {
    task_ids: Vec<String>,
    inspector_ids: Vec<String>,
    planned_on: Option<String>,
    back: String,
}

impl Typed {
    fn of(pairs: &[(String, String)]) -> Typed {
        let mut t = Typed::default();
        for (k, v) in pairs {
            match k.as_str() {
                "task_id" => t.task_ids.push(v.clone()),
                "inspector_id" => t.inspector_ids.push(v.clone()),
                "planned_on" => t.planned_on = Some(v.trim().to_string()),
                "back" => t.back = v.clone(),
                _ => {}
            }
        }
        t
    }

    fn task_ids(&self) -> Result<Vec<i64>, DomainError> {
        forms::ids(&self.task_ids, "task_ids", "任务编号有误")
    }

    /// The API's request.
    fn to_request(&self) -> Result<BatchSettings, DomainError> {
        Ok(BatchSettings {
            task_ids: self.task_ids()?,
            settings: TaskSettings {
                planned_on: forms::date(
                    self.planned_on.as_deref().unwrap_or(""),
                    "planned_on",
                    "计划现场检查日期格式有误",
                )?,
                inspector_ids: forms::ids(&self.inspector_ids, "inspector_ids", "检查人员有误")?,
            },
        })
    }

    /// Where the dialog returns: a page of the task screens only (no open
    /// redirect); the department's own tasks otherwise.
    fn back(&self) -> String {
        let b = self.back.trim();
        let ours = b == "/tasks" || b.starts_with("/tasks?") || b.starts_with("/tasks/");
        if ours && !b.contains("//") {
            b.to_string()
        } else {
            "/tasks?view=initiated".to_string()
        }
    }
}

/// A task of the dialog, as its first section lists it.
pub struct TaskLine {
    pub id: i64,
    pub enterprise: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub planned_on: String,
    pub inspectors: String,
}

impl TaskLine {
    fn of(t: &Task) -> TaskLine {
        TaskLine {
            id: t.id,
            enterprise: t.enterprise_name.clone(),
            status: t.status.label(),
            status_class: status_class(t.status),
            planned_on: opt_date(t.planned_on),
            inspectors: t
                .inspectors
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
        }
    }
}

#[derive(Template)]
#[template(path = "tasks/settings.html")]
struct Dialog {
    chrome: Chrome,
    tasks: Vec<TaskLine>,
    back: String,
    planned_on: String,
    min_date: String,
    picks: Picks,
    min_inspectors: i64,
    /// Why these tasks cannot be set at all (none: the form may be sent).
    blocked: Option<String>,
    error: Option<String>,
    /// The field the error is about: `planned_on`, `inspector_ids` or empty
    /// (shown at the top of the dialog).
    error_field: &'static str,
}

impl Dialog {
    /// The error for `field`'s place; `""` is the top of the dialog.
    fn err_at(&self, field: &str) -> Option<&str> {
        let at = match self.error_field {
            "planned_on" | "inspector_ids" => self.error_field,
            _ => "",
        };
        (at == field).then_some(()).and(self.error.as_deref())
    }
}

/// The same value for every task, or none.
fn common<T: PartialEq + Clone>(mut values: impl Iterator<Item = T>) -> Option<T> {
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

/// People eligible on every one of the tasks (a 回避 for one enterprise
/// leaves the person out of the whole batch), in the first task's order.
async fn eligible(
    state: &AppState,
    department: i64,
    list: &[Task],
) -> PageResult<Vec<CandidateInspector>> {
    let today = yici_domain::time::business_date(state.now());
    let mut enterprises: Vec<i64> = list.iter().map(|t| t.enterprise_id).collect();
    enterprises.dedup();
    let mut out: Option<Vec<CandidateInspector>> = None;
    for e in enterprises {
        let people = candidates::for_department(&state.db, department, e, today)
            .await
            .map_err(AppError::from)?;
        out = Some(match out {
            None => people,
            Some(kept) => kept
                .into_iter()
                .filter(|c| people.iter().any(|p| p.person_id == c.person_id))
                .collect(),
        });
    }
    Ok(out.unwrap_or_default())
}

async fn render(
    state: &AppState,
    session: &Session,
    typed: &Typed,
    error: Option<DomainError>,
) -> PageResult<Response> {
    let p = &session.principal;
    let now = state.now();
    let today = yici_domain::time::business_date(now);
    let mut status = error.as_ref().map(status_of).unwrap_or(StatusCode::OK);
    let mut error = error;
    let ids = match typed.task_ids() {
        Ok(ids) if ids.is_empty() => {
            error = Some(DomainError::field(
                "task_ids",
                "required",
                "请先在任务列表中勾选要设置的任务",
            ));
            status = StatusCode::UNPROCESSABLE_ENTITY;
            Vec::new()
        }
        Ok(ids) if ids.len() > MAX_BATCH => {
            error = Some(DomainError::field(
                "task_ids",
                "too_many",
                format!("一次最多设置{MAX_BATCH}个任务"),
            ));
            status = StatusCode::UNPROCESSABLE_ENTITY;
            Vec::new()
        }
        Ok(ids) => ids,
        Err(e) => return Err(AppError::from(e).into()),
    };
    let mut list = Vec::with_capacity(ids.len());
    for id in &ids {
        list.push(tasks::get(&state.db, p, now, *id).await?);
    }
    let mut why: Vec<String> = Vec::new();
    for t in &list {
        if p.department_id != Some(t.department_id) {
            why.push(format!("任务编号{}：只有发起处室可以设置任务", t.id));
        } else if !t.status.may_cancel() {
            why.push(format!(
                "任务编号{}：任务{}，不能再设置",
                t.id,
                t.status.label()
            ));
        }
    }
    let department = p.department_id.unwrap_or(0);
    let people = if why.is_empty() && !list.is_empty() {
        eligible(state, department, &list).await?
    } else {
        Vec::new()
    };
    let ticked: Vec<i64> = if typed.planned_on.is_some() {
        forms::ticked(&typed.inspector_ids)
    } else {
        common(list.iter().map(|t| {
            let mut c = current_of(t, department);
            c.sort_unstable();
            c
        }))
        .unwrap_or_default()
    };
    let taken: Vec<i64> = list
        .iter()
        .flat_map(|t| taken_by_others(t, department))
        .collect();
    let dialog = Dialog {
        chrome: Chrome::new(session, "tasks"),
        planned_on: typed.planned_on.clone().unwrap_or_else(|| {
            common(list.iter().map(|t| t.planned_on))
                .flatten()
                .map(|d| d.to_string())
                .unwrap_or_default()
        }),
        min_date: (today + chrono::Duration::days(1)).to_string(),
        picks: Picks::of(people, &ticked, &taken),
        min_inspectors: MIN_INSPECTORS,
        blocked: (!why.is_empty()).then(|| why.join("；")),
        tasks: list.iter().map(TaskLine::of).collect(),
        back: typed.back(),
        error_field: error.as_ref().and_then(|e| e.field).unwrap_or(""),
        error: error.map(|e| e.message),
    };
    Ok((status, Html(dialog.render()?)).into_response())
}

/// The dialog for the tasks named (`task_id`, repeated).
pub async fn dialog(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult<Response> {
    let mut typed = Typed::of(&pairs);
    // The typed date and ticks come only from a posted dialog.
    typed.planned_on = None;
    typed.inspector_ids.clear();
    render(&state, &session, &typed, None).await
}

/// 确定: every task set, then back where the dialog was opened from with
/// the notice; or the dialog again with the refusal where it belongs.
pub async fn save(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let mut typed = Typed::of(&pairs);
    typed.planned_on.get_or_insert_with(String::new);
    let outcome = match typed.to_request() {
        Err(e) => Err(AppError::from(e)),
        Ok(request) => match initiator(&session.principal, None) {
            Ok(who) => settings::set_many(&state.db, state.now(), &who, &request)
                .await
                .map_err(AppError::from),
            Err(e) => Err(e),
        },
    };
    match outcome {
        Ok(set) => {
            let back = typed.back();
            let one_task_page = set.len() == 1 && back == format!("/tasks/{}", set[0].id);
            let to = if one_task_page {
                format!("{back}?done=settings")
            } else {
                let sep = if back.contains('?') { '&' } else { '?' };
                format!("{back}{sep}set={}", set.len())
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let e = e.for_form()?;
            render(&state, &session, &typed, Some(e)).await
        }
    }
}
