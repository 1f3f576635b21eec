//! `/tasks`: the 双随机任务 list with its filters (year, region, initiator,
//! status, view, keyword), page size and 跳转, the notice after an
//! extraction or a 设置, and the ticks for 批量设置 (to `/tasks/settings`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::Datelike;
use serde::Deserialize;
use yici_domain::draw::task::{TaskStatus, TaskView};
use yici_domain::org::Principal;
use yici_domain::time::display;
use yici_store::draw::tasks::{self, ListedTask, Task, TaskQuery};
use yici_store::joint::participants;

use super::view::{
    answering, joint_class, opt_date, page_of, per_page_of, query_string, region_choices,
    status_class, Pager, PAGE_SIZES,
};
use crate::error::{AppError, PageResult};
use crate::pages::layout::Chrome;
use crate::pages::registry::{choices_of as choices, Choice};
use crate::registry_access::scope_of;
use crate::session::WebUser;
use crate::state::AppState;

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max).collect();
        s.push('…');
        s
    }
}

/// The list's filters as typed (strings, so an empty field is "any").
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    initiator: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    view: String,
    #[serde(default)]
    keyword: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    per_page: String,
    /// Set by the redirect after an extraction: how many tasks.
    created: Option<i64>,
    /// … and the draw record of a random one.
    draw: Option<i64>,
    /// Set by the redirect after 设置: how many tasks were set.
    set: Option<i64>,
}

/// A row of the task list, labels resolved.
pub struct TaskRow {
    pub id: i64,
    pub year: i64,
    pub enterprise_name: String,
    pub project: String,
    pub county: String,
    pub address: String,
    pub address_full: String,
    pub department: String,
    pub unit: String,
    pub created_by: String,
    pub created_at: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub cancelled: bool,
    pub inspectors: String,
    pub planned_on: String,
    pub emergency: Option<String>,
    pub frequency_note: Option<String>,
    pub cancel_reason: Option<String>,
    /// JOINT-5: 联合检查 / 未形成联合检查 / 待其他处室确认 (none when cancelled).
    pub joint: Option<(&'static str, &'static str)>,
    /// The user's department may still answer the 参加 dialog.
    pub may_join: bool,
    /// The user's department initiated the open task: 设置.
    pub may_set: bool,
    /// 发现问题 across the submitted results; none before any result (—).
    pub problems_found: Option<i64>,
    /// Departments whose results are in.
    pub results: i64,
}

impl TaskRow {
    fn of(listed: &ListedTask, p: &Principal) -> TaskRow {
        let t: &Task = &listed.task;
        let open = t.status.may_cancel();
        TaskRow {
            problems_found: (listed.results > 0).then_some(listed.problems_found),
            results: listed.results,
            id: t.id,
            year: t.year,
            enterprise_name: t.enterprise_name.clone(),
            project: format!("{} · {}", t.source.label(), t.method.label()),
            county: t.county_name.clone(),
            address: short(&t.enterprise_address, 16),
            address_full: t.enterprise_address.clone(),
            department: t.department_name.clone(),
            unit: t.unit_name.clone(),
            created_by: t.created_by_name.clone(),
            created_at: display(t.created_at),
            status: t.status.label(),
            status_class: status_class(t.status),
            cancelled: t.status == TaskStatus::Cancelled,
            inspectors: t
                .inspectors
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            planned_on: t
                .planned_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            emergency: t
                .emergency
                .map(|e| format!("补录：{}（{}）", e.label(), opt_date(t.inspected_on))),
            frequency_note: t.frequency_note.clone(),
            cancel_reason: t.cancel_reason.clone(),
            joint: (!(t.status == TaskStatus::Cancelled))
                .then(|| (t.joint.label(), joint_class(t.joint))),
            may_join: open && may_decide(p, t).is_some(),
            may_set: open && p.department_id == Some(t.department_id),
        }
    }
}

/// The user's own participation on a task while it is still to be answered
/// (before the deadline, undecided), when the user answers for the
/// department: its secretary account or administrator.
fn may_decide<'a>(p: &Principal, t: &'a Task) -> Option<&'a participants::Participant> {
    answering(p, t).filter(|x| x.decision.is_none())
}

#[derive(Template)]
#[template(path = "tasks/list.html")]
struct ListPage {
    chrome: Chrome,
    years: Vec<Choice>,
    regions: Vec<Choice>,
    initiator: String,
    statuses: Vec<Choice>,
    views: Vec<Choice>,
    keyword: String,
    rows: Vec<TaskRow>,
    total: i64,
    pager: Pager,
    error: Option<String>,
    notice: Option<String>,
    /// The draw record the notice links to.
    notice_draw: Option<i64>,
    /// The filters, for the export link.
    export_query: String,
    /// Some row may be ticked for 批量设置.
    may_batch: bool,
    /// This list (filters, page), for the settings dialog to come back to;
    /// and the same as a query value.
    here: String,
    here_q: String,
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let scope = scope_of(&session.principal)?;
    let year_now = i64::from(state.this_year());
    let mut error = None;
    let year = match q.year.trim() {
        "" => year_now,
        y => y.parse().unwrap_or_else(|_| {
            error = Some("年份有误".to_string());
            year_now
        }),
    };
    let page = page_of(&q.page);
    let query = TaskQuery {
        year: Some(year),
        region_code: Some(q.region_code.clone()),
        initiator: Some(q.initiator.clone()),
        status: Some(q.status.clone()),
        view: Some(q.view.clone()),
        keyword: Some(q.keyword.clone()),
        page: Some(page),
        per_page: Some(per_page_of(&q.per_page)),
    };
    let mut found = tasks::list(&state.db, &session.principal, state.now(), &query).await;
    // A page past the end (跳转 to 99) shows the last page.
    if let Ok(p) = &found {
        let last = ((p.total + p.per_page - 1) / p.per_page).max(1);
        if p.page > last {
            let query = TaskQuery {
                page: Some(last),
                ..query.clone()
            };
            found = tasks::list(&state.db, &session.principal, state.now(), &query).await;
        }
    }
    let (items, total, page, per_page) = match found {
        Ok(p) => (p.items, p.total, p.page, p.per_page),
        Err(e) => {
            error = Some(AppError::from(e).for_form()?.message);
            (Vec::new(), 0, 1, per_page_of(&q.per_page))
        }
    };
    let year_text = year.to_string();
    let qs = query_string(&[
        ("year", &year_text),
        ("region_code", &q.region_code),
        ("initiator", &q.initiator),
        ("status", &q.status),
        ("view", &q.view),
        ("keyword", &q.keyword),
    ]);
    let mut years: Vec<i64> = (year_now - 4..=year_now).rev().collect();
    if yici_domain::time::business_date(state.now()).month() == 12 {
        years.insert(0, year_now + 1);
    }
    if !years.contains(&year) {
        years.push(year);
    }
    let rows: Vec<TaskRow> = items
        .iter()
        .map(|t| TaskRow::of(t, &session.principal))
        .collect();
    let here = {
        let mut here = format!("/tasks?{qs}");
        if per_page != PAGE_SIZES[0] {
            here.push_str(&format!("&per_page={per_page}"));
        }
        if page > 1 {
            here.push_str(&format!("&page={page}"));
        }
        here
    };
    let page_view = ListPage {
        may_batch: rows.iter().any(|r| r.may_set),
        here_q: crate::session::url_encode(&here),
        here,
        notice_draw: q.draw.filter(|_| q.created.is_some_and(|n| n > 0)),
        chrome: Chrome::new(&session, "tasks"),
        years: years
            .iter()
            .map(|y| Choice {
                value: y.to_string(),
                label: format!("{y}年"),
                selected: *y == year,
            })
            .collect(),
        regions: region_choices(&scope, q.region_code.trim()),
        initiator: q.initiator.clone(),
        statuses: choices(
            TaskStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label().to_string())),
            q.status.trim(),
        ),
        views: choices(
            TaskView::ALL
                .iter()
                .map(|v| (v.as_str(), format!("{}任务", v.label()))),
            q.view.trim(),
        ),
        keyword: q.keyword.clone(),
        rows,
        total,
        pager: Pager::new("/tasks", &qs, total, page, per_page),
        export_query: qs.clone(),
        error,
        notice: notice_of(&q),
    };
    Ok(Html(page_view.render()?))
}

/// What the redirect after an extraction or a 设置 says.
fn notice_of(q: &ListQuery) -> Option<String> {
    if let Some(n) = q.created.filter(|n| *n > 0) {
        return Some(format!(
            "已抽取{n}家企业，生成{n}个双随机任务，请设置检查日期和检查人员（勾选任务后点“批量设置”，或点该行的“设置”）。"
        ));
    }
    q.set
        .filter(|n| *n > 0)
        .map(|n| format!("已设置{n}个任务的计划现场检查日期和检查人员。"))
}

/// The columns of the task export, with their widths.
const EXPORT_COLUMNS: &[(&str, f64)] = &[
    ("任务编号", 10.0),
    ("年份", 8.0),
    ("企业名称", 32.0),
    ("所在区县", 12.0),
    ("抽查项目", 22.0),
    ("发起单位", 26.0),
    ("发起处室", 14.0),
    ("状态", 10.0),
    ("联合检查", 16.0),
    ("检查人", 24.0),
    ("检查日期", 12.0),
    ("已提交结果（处室）", 12.0),
    ("发现问题", 10.0),
    ("备注", 40.0),
];

/// The most tasks one export holds (50 pages of 200).
const EXPORT_PAGES: i64 = 50;

impl TaskRow {
    fn export_cells(&self) -> Vec<String> {
        let note = [
            self.emergency.clone(),
            self.frequency_note
                .as_ref()
                .map(|f| format!("确认理由：{f}")),
            self.cancel_reason
                .as_ref()
                .map(|c| format!("取消原因：{c}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("；");
        vec![
            self.id.to_string(),
            self.year.to_string(),
            self.enterprise_name.clone(),
            self.county.clone(),
            self.project.clone(),
            self.unit.clone(),
            self.department.clone(),
            self.status.to_string(),
            self.joint.map(|(l, _)| l.to_string()).unwrap_or_default(),
            self.inspectors.clone(),
            self.planned_on.clone(),
            self.results.to_string(),
            self.problems_found
                .map(|n| n.to_string())
                .unwrap_or_default(),
            note,
        ]
    }
}

/// 导出: the tasks of the list's filters as XLSX — for the unit's leaders,
/// every department's tasks with status, joint or not, results and
/// problems (issue "Leaders' view", item 4).
pub async fn export(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<ListQuery>,
) -> PageResult<axum::response::Response> {
    let year = match q.year.trim() {
        "" => i64::from(state.this_year()),
        y => y
            .parse()
            .map_err(|_| yici_domain::DomainError::field("year", "invalid", "年份有误"))?,
    };
    let mut rows = Vec::new();
    for page in 1..=EXPORT_PAGES {
        let query = TaskQuery {
            year: Some(year),
            region_code: Some(q.region_code.clone()),
            initiator: Some(q.initiator.clone()),
            status: Some(q.status.clone()),
            view: Some(q.view.clone()),
            keyword: Some(q.keyword.clone()),
            page: Some(page),
            per_page: Some(200),
        };
        let found = tasks::list(&state.db, &session.principal, state.now(), &query).await?;
        let last = found.items.len() < 200;
        rows.extend(
            found
                .items
                .iter()
                .map(|t| TaskRow::of(t, &session.principal).export_cells()),
        );
        if last {
            break;
        }
    }
    // Writing to memory fails only on a bug: an internal error, not the user's.
    let bytes = yici_interchange::table_xlsx(&format!("{year}年双随机任务"), EXPORT_COLUMNS, rows)
        .map_err(|e| AppError::Internal(format!("task export: {e}")))?;
    Ok(crate::registry_files::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("双随机任务-{year}.xlsx"),
    ))
}
