//! 双随机任务 pages (manual 3.2.1–3.2.3): the task list with its filters,
//! 定向抽取 from the marked enterprise list (DRAW-2, DRAW-6), 非定向抽取
//! (DRAW-3), a draw's record with its re-run, a task with its inspectors,
//! cancellation and 回避, and the public page of a draw (no login).
//!
//! Every page calls the same store functions, with the same checks, as the
//! API in `api/draws.rs`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use yici_domain::draw::caps::TaskSource;
use yici_domain::draw::record::Verification;
use yici_domain::draw::task::{Emergency, TaskStatus, TaskView};
use yici_domain::joint::{Decision, JointStatus, ParticipantKind};
use yici_domain::org::{PersonStatus, Principal, Role};
use yici_domain::region;
use yici_domain::registry::enterprise::{CreditGrade, EnterpriseStatus, SupervisionCategory};
use yici_domain::registry::industry;
use yici_domain::time::display;
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::draw::draws::{self, Draw, PublicDraw, RandomRequest};
use yici_store::draw::inspectors::{self, InspectorDrawRequest, NewRecusal};
use yici_store::draw::marks::{self, MarkedEnterprise};
use yici_store::draw::tasks::{self, Task, TaskOptions, TaskQuery};
use yici_store::joint::candidates::{self, Candidate};
use yici_store::joint::participants::{self, DecisionRequest};
use yici_store::joint::settings::{self, TaskSettings};
use yici_store::org::people::{self, PeopleFilter};
use yici_store::registry::search::{EnterpriseQuery, Scope};

use super::layout::Chrome;
use super::registry::{choices_of as choices, Choice};
use crate::draw_access::initiator;
use crate::error::{status_of, AppError, PageResult};
use crate::registry_access::scope_of;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

// ───────────────────────── shared helpers ─────────────────────────

fn this_year(state: &AppState) -> i64 {
    i64::from(yici_domain::time::business_date(state.now()).year())
}

/// Region choices of a scope: the county of a county unit; the city and its
/// counties of a city unit; each city and its counties above that. A city
/// code (…00) filters the whole city.
fn region_choices(scope: &Scope, current: &str) -> Vec<Choice> {
    let mut out: Vec<(String, String)> = Vec::new();
    let city = |code: &str, out: &mut Vec<(String, String)>| {
        if let Some(c) = region::lookup(code) {
            out.push((c.code.to_string(), format!("{}（全市）", c.name)));
        }
        for r in region::children(code) {
            out.push((r.code.to_string(), format!("　{}", r.name)));
        }
    };
    match scope {
        Scope::County(c) => {
            if let Some(r) = region::lookup(c) {
                out.push((r.code.to_string(), r.name.to_string()));
            }
        }
        Scope::City(c) => city(c, &mut out),
        Scope::Province(p) => {
            for c in region::children(p) {
                city(c.code, &mut out);
            }
        }
        Scope::All => {
            for c in region::children("130000") {
                city(c.code, &mut out);
            }
        }
    }
    out.into_iter()
        .map(|(v, l)| Choice {
            selected: v == current,
            value: v,
            label: l,
        })
        .collect()
}

fn industry_choices(current: &str) -> Vec<Choice> {
    choices(super::registry::industry_options(), current)
}

/// Page numbers around the current one, with their links.
struct Pager {
    page: i64,
    pages: i64,
    first_index: i64,
    links: Vec<(i64, String, bool)>,
    prev: Option<String>,
    next: Option<String>,
}

impl Pager {
    fn new(base: &str, qs: &str, total: i64, page: i64, per_page: i64) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        let link = |p: i64| {
            if qs.is_empty() {
                format!("{base}?page={p}")
            } else {
                format!("{base}?{qs}&page={p}")
            }
        };
        Pager {
            page,
            pages,
            first_index: (page - 1) * per_page,
            links: ((page - 4).max(1)..=(page + 4).min(pages))
                .map(|p| (p, link(p), p == page))
                .collect(),
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// `a=1&b=2` from the non-empty pairs.
fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .copied()
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

fn status_class(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Drawn => "st-drawn",
        TaskStatus::Scheduled => "st-scheduled",
        TaskStatus::InProgress => "st-progress",
        TaskStatus::Completed => "on",
        TaskStatus::Cancelled => "off",
    }
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max).collect();
        s.push('…');
        s
    }
}

// ───────────────────────── 双随机任务 list ─────────────────────────

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
    /// Set by the redirect after a directed extraction: how many tasks.
    created: Option<i64>,
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
}

impl TaskRow {
    fn of(t: &Task, p: &Principal) -> TaskRow {
        let open = t.status.may_cancel();
        TaskRow {
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

/// The user's department on the task as a notified department or partner,
/// when the user answers for it.
fn answering<'a>(p: &Principal, t: &'a Task) -> Option<&'a participants::Participant> {
    let d = p.department_id?;
    if !(p.has(Role::Secretary) || p.has(Role::DepartmentAdmin)) {
        return None;
    }
    t.participants
        .iter()
        .find(|x| x.department_id == d && x.kind != ParticipantKind::Initiator)
}

fn joint_class(j: JointStatus) -> &'static str {
    match j {
        JointStatus::Joint => "on",
        JointStatus::Single => "warn-tag",
        JointStatus::Pending => "pending",
    }
}

fn decision_tag(d: Option<Decision>) -> (&'static str, &'static str) {
    match d {
        None => ("待确认", "pending"),
        Some(Decision::Join) => (Decision::Join.label(), "on"),
        Some(Decision::Decline) => (Decision::Decline.label(), "off"),
        Some(Decision::Lapsed) => (Decision::Lapsed.label(), "warn-tag"),
    }
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
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
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let scope = scope_of(&session.principal)?;
    let year_now = this_year(&state);
    let mut error = None;
    let year = match q.year.trim() {
        "" => year_now,
        y => y.parse().unwrap_or_else(|_| {
            error = Some("年份有误".to_string());
            year_now
        }),
    };
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let query = TaskQuery {
        year: Some(year),
        region_code: Some(q.region_code.clone()),
        initiator: Some(q.initiator.clone()),
        status: Some(q.status.clone()),
        view: Some(q.view.clone()),
        keyword: Some(q.keyword.clone()),
        page: Some(page),
        per_page: Some(20),
    };
    let (items, total, page, per_page) =
        match tasks::list(&state.db, &session.principal, state.now(), &query).await {
            Ok(p) => (p.items, p.total, p.page, p.per_page),
            Err(e) => {
                error = Some(AppError::from(e).for_form()?.message);
                (Vec::new(), 0, 1, 20)
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
    let page_view = ListPage {
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
        rows: items
            .iter()
            .map(|t| TaskRow::of(t, &session.principal))
            .collect(),
        total,
        pager: Pager::new("/tasks", &qs, total, page, per_page),
        error,
        notice: q
            .created
            .filter(|n| *n > 0)
            .map(|n| format!("已抽取{n}家企业，已生成{n}个双随机任务。")),
    };
    Ok(Html(page_view.render()?))
}

// ───────────────────────── extraction conditions ─────────────────────────

/// The registry's search conditions as typed on the extraction pages.
#[derive(Deserialize, Default, Clone)]
pub struct Conditions {
    #[serde(default)]
    keyword: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    credit_grade: String,
    #[serde(default)]
    positive_list: String,
    #[serde(default)]
    page: String,
}

fn given(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl Conditions {
    fn query(&self) -> EnterpriseQuery {
        let region = given(&self.region_code);
        let city = region.as_deref().is_some_and(|r| r.ends_with("00"));
        EnterpriseQuery {
            keyword: given(&self.keyword),
            city_code: if city { region.clone() } else { None },
            region_code: if city { None } else { region },
            industry: given(&self.industry),
            category: given(&self.category),
            credit_grade: given(&self.credit_grade),
            positive_list: given(&self.positive_list),
            page: self.page.trim().parse().ok(),
            per_page: Some(20),
            ..EnterpriseQuery::default()
        }
    }

    /// The conditions as a query string, without the page.
    fn qs(&self) -> String {
        query_string(&[
            ("keyword", &self.keyword),
            ("region_code", &self.region_code),
            ("industry", &self.industry),
            ("category", &self.category),
            ("credit_grade", &self.credit_grade),
            ("positive_list", &self.positive_list),
        ])
    }

    fn with_page(&self) -> String {
        let mut qs = self.qs();
        if let Some(p) = given(&self.page) {
            if !qs.is_empty() {
                qs.push('&');
            }
            qs.push_str(&format!("page={}", crate::session::url_encode(&p)));
        }
        qs
    }
}

/// The condition fields of the extraction forms.
pub struct ConditionView {
    pub keyword: String,
    pub regions: Vec<Choice>,
    pub industries: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub grades: Vec<Choice>,
    pub positive: Vec<Choice>,
}

impl ConditionView {
    fn new(scope: &Scope, c: &Conditions) -> ConditionView {
        ConditionView {
            keyword: c.keyword.clone(),
            regions: region_choices(scope, c.region_code.trim()),
            industries: industry_choices(c.industry.trim()),
            categories: choices(
                SupervisionCategory::ALL
                    .iter()
                    .map(|c| (c.as_str(), c.label().to_string())),
                c.category.trim(),
            ),
            grades: choices(
                CreditGrade::ALL
                    .iter()
                    .map(|g| (g.as_str(), g.label().to_string()))
                    .chain(std::iter::once(("none", "未评价".to_string()))),
                c.credit_grade.trim(),
            ),
            positive: choices(
                [("true", "是".to_string()), ("false", "否".to_string())],
                c.positive_list.trim(),
            ),
        }
    }
}

// ───────────────────────── 定向抽取 ─────────────────────────

/// A row of the directed-extraction list.
pub struct MarkRow {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub place: String,
    pub industry: String,
    pub category: &'static str,
    pub credit: String,
    pub positive_list: bool,
    pub status: &'static str,
    pub normal: bool,
    /// `none`, `yellow` or `red`.
    pub mark: &'static str,
    pub allowed: bool,
    pub checked: bool,
    pub note: String,
    pub unit_used: u32,
    pub department_used: u32,
    pub all_levels_used: u32,
}

impl MarkRow {
    fn of(m: &MarkedEnterprise, ticked: &[i64]) -> MarkRow {
        let e = &m.enterprise;
        MarkRow {
            id: e.id,
            name: e.name.clone(),
            uscc: e.uscc.clone(),
            place: e.county_name.clone(),
            industry: e.industry_name.clone(),
            category: e.category.label(),
            credit: e
                .credit_grade
                .map(|g| g.as_str().to_string())
                .unwrap_or_else(|| "未评价".into()),
            positive_list: e.positive_list,
            status: e.status.label(),
            normal: e.status == EnterpriseStatus::Normal,
            mark: m.mark,
            allowed: m.allowed,
            checked: m.allowed && ticked.contains(&e.id),
            note: match (&m.note, m.mark) {
                (Some(n), _) => n.clone(),
                (None, "yellow") => format!(
                    "本单位本年度已抽取{}次（黄色），本处室尚未抽取，可再抽取一次",
                    m.unit_used
                ),
                (None, _) => String::new(),
            },
            unit_used: m.unit_used,
            department_used: m.department_used,
            all_levels_used: m.all_levels_used,
        }
    }
}

/// The extraction settings below the directed list, as typed.
#[derive(Default, Clone)]
pub struct ExtractForm {
    pub source: String,
    pub emergency: String,
    pub inspected_on: String,
    pub acknowledge_reason: String,
}

#[derive(Template)]
#[template(path = "tasks/directed.html")]
struct DirectedPage {
    chrome: Chrome,
    cond: ConditionView,
    rows: Vec<MarkRow>,
    total: i64,
    year: i64,
    pager: Pager,
    /// The conditions with the page, carried by the extraction form.
    filter: String,
    sources: Vec<Choice>,
    emergencies: Vec<Choice>,
    v: ExtractForm,
    search_error: Option<String>,
    error: Option<String>,
    error_field: String,
    per_unit: u32,
    per_department: u32,
    all_levels: u32,
    today: String,
}

async fn render_directed(
    state: &AppState,
    session: &Session,
    c: Conditions,
    ticked: &[i64],
    v: ExtractForm,
    error: Option<DomainError>,
) -> PageResult<Response> {
    let who = initiator(&session.principal, None)?;
    let year = this_year(state);
    let policy = &state.config.draw;
    let (rows, total, page, per_page, search_error) =
        match marks::marked(&state.db, policy, &who, year, &c.query()).await {
            Ok(p) => (
                p.items.iter().map(|m| MarkRow::of(m, ticked)).collect(),
                p.total,
                p.page,
                p.per_page,
                None,
            ),
            Err(e) => (
                Vec::new(),
                0,
                1,
                20,
                Some(AppError::from(e).for_form()?.message),
            ),
        };
    let source = if v.source.is_empty() {
        TaskSource::Routine.as_str().to_string()
    } else {
        v.source.clone()
    };
    let status = error.as_ref().map(status_of).unwrap_or(StatusCode::OK);
    let page_view = DirectedPage {
        chrome: Chrome::new(session, "tasks"),
        cond: ConditionView::new(&who.scope, &c),
        rows,
        total,
        year,
        pager: Pager::new("/tasks/directed", &c.qs(), total, page, per_page),
        filter: c.with_page(),
        sources: choices(
            TaskSource::ALL
                .iter()
                .map(|s| (s.as_str(), s.label().to_string())),
            &source,
        ),
        emergencies: choices(
            Emergency::ALL
                .iter()
                .map(|e| (e.as_str(), e.label().to_string())),
            v.emergency.trim(),
        ),
        v,
        search_error,
        error_field: error
            .as_ref()
            .and_then(|e| e.field)
            .unwrap_or("")
            .to_string(),
        error: error.map(|e| e.message),
        per_unit: policy.caps.per_unit,
        per_department: policy.caps.per_department,
        all_levels: policy.caps.all_levels,
        today: yici_domain::time::business_date(state.now()).to_string(),
    };
    Ok((status, Html(page_view.render()?)).into_response())
}

pub async fn directed_form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(c): Query<Conditions>,
) -> PageResult<Response> {
    render_directed(&state, &session, c, &[], ExtractForm::default(), None).await
}

/// The extraction form: `_csrf`, `filter` (the list's conditions), repeated
/// `enterprise_id`, `source`, `emergency`, `inspected_on`, `acknowledge_reason`.
pub async fn directed(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let mut v = ExtractForm::default();
    let mut filter = String::new();
    let mut ids: Vec<i64> = Vec::new();
    let mut bad_id = false;
    for (k, value) in &pairs {
        match k.as_str() {
            "enterprise_id" => match value.trim().parse() {
                Ok(id) => ids.push(id),
                Err(_) => bad_id = true,
            },
            "filter" => filter = value.clone(),
            "source" => v.source = value.clone(),
            "emergency" => v.emergency = value.clone(),
            "inspected_on" => v.inspected_on = value.clone(),
            "acknowledge_reason" => v.acknowledge_reason = value.clone(),
            _ => {}
        }
    }
    let c: Conditions = serde_urlencoded::from_str(&filter).unwrap_or_default();
    let fail =
        |e: DomainError| render_directed(&state, &session, c.clone(), &ids, v.clone(), Some(e));
    if bad_id {
        return fail(DomainError::field(
            "enterprise_ids",
            "invalid",
            "企业编号有误",
        ))
        .await;
    }
    let inspected_on = match v.inspected_on.trim() {
        "" => None,
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                return fail(DomainError::field(
                    "inspected_on",
                    "invalid",
                    "实际检查日期格式有误",
                ))
                .await
            }
        },
    };
    let options = TaskOptions {
        source: given(&v.source),
        year: None,
        department_id: None,
        emergency: given(&v.emergency),
        inspected_on,
        acknowledge_reason: given(&v.acknowledge_reason),
    };
    let who = initiator(&session.principal, None)?;
    match tasks::create_directed(
        &state.db,
        &state.config.draw,
        state.now(),
        &who,
        &options,
        &ids,
    )
    .await
    {
        Ok(created) => Ok(Redirect::to(&format!(
            "/tasks?view=initiated&created={}",
            created.len()
        ))
        .into_response()),
        Err(e) => fail(AppError::from(e).for_form()?).await,
    }
}

// ───────────────────────── 非定向抽取 ─────────────────────────

#[derive(Deserialize, Default, Clone)]
pub struct RandomForm {
    #[serde(flatten)]
    cond: Conditions,
    #[serde(default)]
    count: String,
    #[serde(default)]
    source: String,
}

#[derive(Template)]
#[template(path = "tasks/random.html")]
struct RandomPage {
    chrome: Chrome,
    cond: ConditionView,
    count: String,
    sources: Vec<Choice>,
    weights: Vec<(&'static str, String)>,
    error: Option<String>,
    error_field: String,
    per_unit: u32,
    per_department: u32,
    all_levels: u32,
    year: i64,
}

fn render_random(
    state: &AppState,
    session: &Session,
    scope: &Scope,
    f: &RandomForm,
    error: Option<DomainError>,
) -> PageResult<Response> {
    let policy = &state.config.draw;
    let w = &policy.weights;
    let source = if f.source.is_empty() {
        TaskSource::Routine.as_str()
    } else {
        f.source.as_str()
    };
    let status = error.as_ref().map(status_of).unwrap_or(StatusCode::OK);
    let page = RandomPage {
        chrome: Chrome::new(session, "tasks"),
        cond: ConditionView::new(scope, &f.cond),
        count: if f.count.trim().is_empty() {
            draws::DEFAULT_COUNT.to_string()
        } else {
            f.count.clone()
        },
        sources: choices(
            [TaskSource::Routine, TaskSource::Special]
                .iter()
                .map(|s| (s.as_str(), s.label().to_string())),
            source,
        ),
        weights: vec![
            ("A级", w.a.to_string()),
            ("B级", w.b.to_string()),
            ("C级", w.c.to_string()),
            ("D级", w.d.to_string()),
            ("E级", w.e.to_string()),
            ("未评价", w.unrated.to_string()),
        ],
        error_field: error
            .as_ref()
            .and_then(|e| e.field)
            .unwrap_or("")
            .to_string(),
        error: error.map(|e| e.message),
        per_unit: policy.caps.per_unit,
        per_department: policy.caps.per_department,
        all_levels: policy.caps.all_levels,
        year: this_year(state),
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn random_form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Response> {
    let who = initiator(&session.principal, None)?;
    render_random(&state, &session, &who.scope, &RandomForm::default(), None)
}

pub async fn random(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(f): CsrfForm<RandomForm>,
) -> PageResult<Response> {
    let who = initiator(&session.principal, None)?;
    let count = match f.count.trim() {
        "" => None,
        n => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let e = DomainError::field("count", "invalid", "抽取数量应为正整数");
                return render_random(&state, &session, &who.scope, &f, Some(e));
            }
        },
    };
    let mut conditions = f.cond.query();
    conditions.page = None;
    conditions.per_page = None;
    // Random draws leave the positive list out whatever the form says.
    conditions.positive_list = None;
    let request = RandomRequest {
        options: TaskOptions {
            source: given(&f.source),
            ..TaskOptions::default()
        },
        conditions,
        count,
    };
    match draws::draw_enterprises(&state.db, &state.config.draw, state.now(), &who, &request).await
    {
        Ok(drawn) => Ok(Redirect::to(&format!("/draws/{}", drawn.draw.id)).into_response()),
        Err(e) => {
            let d = AppError::from(e).for_form()?;
            render_random(&state, &session, &who.scope, &f, Some(d))
        }
    }
}

// ───────────────────────── draw records ─────────────────────────

/// One drawn enterprise or person, in the order drawn.
pub struct DrawnRow {
    pub order: usize,
    pub id: i64,
    pub name: String,
    pub task_id: Option<i64>,
}

/// What a draw page shows besides the record itself.
pub struct DrawView {
    pub d: Draw,
    pub kind_label: &'static str,
    pub drawn_at: String,
    pub enterprises: bool,
    pub rows: Vec<DrawnRow>,
    pub verified: Option<bool>,
    pub mismatches: Vec<&'static str>,
    pub filter: Vec<(String, String)>,
    pub filter_json: String,
    pub candidates: String,
    pub candidate_lines: usize,
    pub truncated: bool,
}

/// Candidate lines shown on a page; the full list is in the record (API, CLI).
const SHOWN_CANDIDATES: usize = 5000;

fn filter_lines(kind: &str, json: &str) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(map) = value.as_object() {
        for (k, v) in map {
            let text = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) if s.trim().is_empty() => continue,
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                other => other.to_string(),
            };
            let (label, text) = match k.as_str() {
                "keyword" => ("关键字", text),
                "city_code" => ("地市", region::name(&text).unwrap_or(&text).to_string()),
                "region_code" => ("区县", region::name(&text).unwrap_or(&text).to_string()),
                "industry" => ("行业", {
                    match industry::all().iter().find(|i| i.code == text) {
                        Some(i) => format!("{} {}", i.code, i.name),
                        None => text,
                    }
                }),
                "category" => (
                    "监管类别",
                    SupervisionCategory::parse(&text)
                        .map(|c| c.label().to_string())
                        .unwrap_or(text),
                ),
                "credit_grade" => (
                    "信用等级",
                    if text == "none" {
                        "未评价".into()
                    } else {
                        text
                    },
                ),
                "positive_list" => ("正面清单", text),
                "task_id" => ("任务编号", text),
                "include_subordinate" => ("包括下级单位对应处室", text),
                "date" => ("抽取日期", text),
                "page" | "per_page" | "sort" | "status" => continue,
                _ => continue,
            };
            out.push((label.to_string(), text));
        }
    }
    if kind == "enterprises" {
        if out.is_empty() {
            out.push(("查询条件".into(), "无（管辖范围内全部企业）".into()));
        }
        out.push((
            "固定条件".into(),
            "正常生产经营；不含正面清单企业；不含本单位、本处室或各级合计已达抽取频次上限的企业"
                .into(),
        ));
    } else {
        out.push((
            "固定条件".into(),
            "启用的执法人员，执法证在有效期内；不含声明回避的人员和手动指定的检查人员".into(),
        ));
    }
    out
}

fn verification_parts(v: &Verification) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !v.candidates_hash_matches {
        out.push("候选名单哈希与记录不一致");
    }
    if !v.commitment_matches {
        out.push("承诺值与记录不一致");
    }
    if !v.result_matches {
        out.push("重新计算的抽取结果与记录不一致");
    }
    out
}

async fn draw_view(
    state: &AppState,
    p: PublicDraw,
    with_tasks: bool,
) -> Result<DrawView, AppError> {
    let d = p.draw;
    let enterprises = d.kind == "enterprises";
    let mut rows: Vec<DrawnRow> = p
        .drawn
        .iter()
        .enumerate()
        .map(|(i, (id, name))| DrawnRow {
            order: i + 1,
            id: *id,
            name: name.clone(),
            task_id: None,
        })
        .collect();
    if enterprises && with_tasks {
        let made = tasks::task_ids_of_draw(&state.db, d.id).await?;
        for r in rows.iter_mut() {
            r.task_id = made.get(&r.id).copied();
        }
    }
    let (candidates, candidate_lines, truncated) = match &d.candidates {
        Some(text) => {
            let lines = text.lines().count();
            let shown: String = if lines > SHOWN_CANDIDATES {
                text.lines()
                    .take(SHOWN_CANDIDATES)
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                text.clone()
            };
            (shown, lines, lines > SHOWN_CANDIDATES)
        }
        None => (String::new(), 0, false),
    };
    let filter_json = serde_json::from_str::<serde_json::Value>(&d.filter_json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| d.filter_json.clone());
    Ok(DrawView {
        kind_label: draws::kind_label(&d.kind),
        drawn_at: display(d.drawn_at),
        enterprises,
        rows,
        verified: p.verification.as_ref().map(Verification::holds),
        mismatches: p
            .verification
            .as_ref()
            .map(verification_parts)
            .unwrap_or_default(),
        filter: filter_lines(&d.kind, &d.filter_json),
        filter_json,
        candidates,
        candidate_lines,
        truncated,
        d,
    })
}

#[derive(Template)]
#[template(path = "tasks/draw.html")]
struct DrawPage {
    chrome: Chrome,
    v: DrawView,
}

pub async fn draw(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let p = draws::internal(&state.db, &session.principal, id).await?;
    let v = draw_view(&state, p, true).await?;
    Ok(Html(
        DrawPage {
            chrome: Chrome::new(&session, "tasks"),
            v,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "public/draw.html")]
struct PublicPage {
    v: DrawView,
}

/// A draw as anyone sees it, without login: the commitment at once; the seed,
/// the candidates and the result once every task of it is settled.
pub async fn public_draw(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let p = draws::public(&state.db, id).await?;
    let v = draw_view(&state, p, false).await?;
    Ok(Html(PublicPage { v }.render()?))
}

// ───────────────────────── one task ─────────────────────────

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
    /// 任务设置 as typed (none: the task's own values).
    pub planned_on: Option<String>,
    pub settings_ids: Option<Vec<i64>>,
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
    fn of(people: Vec<Candidate>, ticked: &[i64], taken: &[i64]) -> Picks {
        let (own, sub): (Vec<Candidate>, Vec<Candidate>) = people.into_iter().partition(|c| c.own);
        let row = |c: Candidate| PickRow {
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

/// 任务设置 of the initiating department.
pub struct SettingsView {
    pub planned_on: String,
    pub min_date: String,
    pub picks: Picks,
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
    settings: Option<SettingsView>,
    participate: Option<ParticipateView>,
    /// Partner-agency departments the initiator may invite (none: no form).
    partners: Option<Vec<(i64, String)>>,
    /// 检查文书 of the task (none for a cancelled task nobody drafted on).
    docs: Option<super::documents::DocsPanel>,
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
fn taken_by_others(t: &Task, department: i64) -> Vec<i64> {
    t.inspectors
        .iter()
        .filter(|i| i.for_department_id.unwrap_or(t.department_id) != department)
        .map(|i| i.person_id)
        .collect()
}

fn current_of(t: &Task, department: i64) -> Vec<i64> {
    t.inspectors
        .iter()
        .filter(|i| i.for_department_id.unwrap_or(t.department_id) == department)
        .map(|i| i.person_id)
        .collect()
}

async fn render_task(
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
            &mut state.db.clone(),
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
    let settings = if open && initiating {
        let people =
            candidates::for_department(&state.db, t.department_id, t.enterprise_id, today).await?;
        let ticked = f
            .settings_ids
            .clone()
            .unwrap_or_else(|| current_of(&t, t.department_id));
        Some(SettingsView {
            planned_on: f
                .planned_on
                .clone()
                .unwrap_or_else(|| t.planned_on.map(|d| d.to_string()).unwrap_or_default()),
            min_date: (today + chrono::Duration::days(1)).to_string(),
            picks: Picks::of(people, &ticked, &taken_by_others(&t, t.department_id)),
        })
    } else {
        None
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
    let docs = Some(super::documents::panel(state, session, &t).await?);
    let page = TaskPage {
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
        settings,
        participate,
        partners,
        docs,
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

pub async fn draw_inspectors(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<InspectorsForm>,
) -> PageResult<Response> {
    tasks::get(&state.db, &session.principal, state.now(), id).await?;
    let f = TaskForms {
        count: form.count.clone(),
        include_subordinate: !form.include_subordinate.is_empty(),
        ..TaskForms::default()
    };
    let count = match form.count.trim() {
        "" => None,
        n => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let e = DomainError::field("count", "invalid", "抽取人数应为整数");
                return render_task(&state, &session, id, f, Some(("inspectors", e)), None).await;
            }
        },
    };
    let request = InspectorDrawRequest {
        count,
        include_subordinate: f.include_subordinate,
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
async fn after_form(
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
    tasks::get(&state.db, &session.principal, state.now(), id).await?;
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

pub async fn declare_recusal(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RecusalForm>,
) -> PageResult<Response> {
    let t = tasks::get(&state.db, &session.principal, state.now(), id).await?;
    let person_id = form.person_id.trim().parse::<i64>().unwrap_or(0);
    let f = TaskForms {
        recusal_person: person_id,
        recusal_reason: form.reason.clone(),
        ..TaskForms::default()
    };
    if person_id <= 0 {
        let e = DomainError::field("person_id", "required", "请选择声明回避的人员");
        return render_task(&state, &session, id, f, Some(("recusal", e)), None).await;
    }
    let new = NewRecusal {
        person_id,
        enterprise_id: t.enterprise_id,
        reason: Some(form.reason.clone()),
    };
    match inspectors::declare(&state.db, state.now(), &session.principal, &new).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?done=recusal")).into_response()),
        Err(e) => {
            let e = AppError::from(e).for_form()?;
            render_task(&state, &session, id, f, Some(("recusal", e)), None).await
        }
    }
}

/// The ticked people of a form (`inspector_id`, repeated), in order.
fn ticked_ids(pairs: &[(String, String)]) -> Result<Vec<i64>, DomainError> {
    pairs
        .iter()
        .filter(|(k, _)| k == "inspector_id")
        .map(|(_, v)| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| DomainError::field("inspector_ids", "invalid", "检查人员有误"))
        })
        .collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// 任务设置 (JOINT-1): the planned date and the initiating department's inspectors.
pub async fn task_settings(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    tasks::get(&state.db, &session.principal, state.now(), id).await?;
    let planned = field(&pairs, "planned_on").trim().to_string();
    let ids = ticked_ids(&pairs);
    let f = TaskForms {
        planned_on: Some(planned.clone()),
        settings_ids: Some(ids.clone().unwrap_or_default()),
        ..TaskForms::default()
    };
    let planned_on = match planned.as_str() {
        "" => Ok(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| DomainError::field("planned_on", "invalid", "计划现场检查日期格式有误")),
    };
    let result = match (planned_on, ids) {
        (Err(e), _) | (_, Err(e)) => Err(AppError::from(e)),
        (Ok(planned_on), Ok(inspector_ids)) => match initiator(&session.principal, None) {
            Ok(who) => settings::set(
                &state.db,
                state.now(),
                &who,
                id,
                &TaskSettings {
                    planned_on,
                    inspector_ids,
                },
            )
            .await
            .map_err(AppError::from),
            Err(e) => Err(e),
        },
    };
    after_form(
        &state,
        &session,
        id,
        f,
        "settings",
        result.map(|_| "settings"),
    )
    .await
}

/// The 参加 dialog (JOINT-3): 是否参加本次检查, and the department's inspectors.
pub async fn participation(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    tasks::get(&state.db, &session.principal, state.now(), id).await?;
    let join = field(&pairs, "join").trim().to_string();
    let ids = ticked_ids(&pairs);
    let f = TaskForms {
        join: join.clone(),
        join_ids: ids.clone().unwrap_or_default(),
        ..TaskForms::default()
    };
    let join = match join.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(DomainError::field(
            "join",
            "required",
            "请选择是否参加本次检查",
        )),
    };
    let result = match (join, ids) {
        (Err(e), _) | (_, Err(e)) => Err(AppError::from(e)),
        (Ok(join), Ok(inspector_ids)) => participants::decide(
            &state.db,
            state.now(),
            &session.principal,
            id,
            &DecisionRequest {
                join,
                // Ticks left over from 是 do not count once 否 is chosen.
                inspector_ids: if join { inspector_ids } else { Vec::new() },
                department_id: None,
            },
        )
        .await
        .map(|_| join)
        .map_err(AppError::from),
    };
    let done = result.map(|joined| if joined { "joined" } else { "declined" });
    after_form(&state, &session, id, f, "participation", done).await
}

#[derive(Deserialize)]
pub struct PartnerForm {
    #[serde(default)]
    department_id: String,
}

/// JOINT-6: the initiating department invites a partner agency's department.
pub async fn invite_partner(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PartnerForm>,
) -> PageResult<Response> {
    tasks::get(&state.db, &session.principal, state.now(), id).await?;
    let department = form.department_id.trim().parse::<i64>().unwrap_or(0);
    let f = TaskForms {
        partner: department,
        ..TaskForms::default()
    };
    if department <= 0 {
        let e = DomainError::field("department_id", "required", "请选择协作部门");
        return render_task(&state, &session, id, f, Some(("partner", e)), None).await;
    }
    let result = match initiator(&session.principal, None) {
        Ok(who) => participants::invite_partner(&state.db, state.now(), &who, id, department)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    after_form(
        &state,
        &session,
        id,
        f,
        "partner",
        result.map(|_| "partner"),
    )
    .await
}
