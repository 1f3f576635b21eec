//! `/tasks/directed` 定向抽取 from the marked enterprise list (DRAW-2,
//! DRAW-6) and `/tasks/random` 非定向抽取 (DRAW-3): the registry's search
//! conditions, the frequency marks, and the extraction forms.
//!
//! The directed list is one POST form: searching, paging, the page size and
//! 跳转 submit it like 确定 does, so the enterprises ticked on one page stay
//! ticked on the others (carried in `picked`). A random draw goes through a
//! 确认 page (`/tasks/random/confirm`) that counts the candidates first.
//! Both land on the task list with what was created, to be 设置.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::draw::caps::TaskSource;
use yici_domain::draw::task::Emergency;
use yici_domain::registry::enterprise::{CreditGrade, EnterpriseStatus, SupervisionCategory};
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::draw::draws::{self, RandomRequest};
use yici_store::draw::marks::{self, MarkedEnterprise};
use yici_store::draw::tasks::{self, TaskOptions};
use yici_store::registry::enterprises;
use yici_store::registry::search::{EnterpriseQuery, Scope};

use super::view::{page_of, per_page_of, query_string, region_choices, Pager};
use crate::draw_access::initiator;
use crate::draw_access::DirectedRequest;
use crate::error::{status_of, AppError, PageResult};
use crate::pages::forms::{self, given, ListField, Listed};
use crate::pages::layout::Chrome;
use crate::pages::registry::{choices_of as choices, industry_options, Choice};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

fn industry_choices(current: &str) -> Vec<Choice> {
    choices(industry_options(), current)
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
    #[serde(default)]
    per_page: String,
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
            page: Some(page_of(&self.page)),
            per_page: Some(per_page_of(&self.per_page)),
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

    /// The conditions in words, for the 确认 page: each chosen one's label.
    fn summary(&self) -> Vec<(&'static str, String)> {
        let chosen = |list: &[Choice]| {
            list.iter()
                .find(|c| c.selected)
                .map(|c| c.label.trim().to_string())
        };
        let mut out = Vec::new();
        if !self.keyword.trim().is_empty() {
            out.push(("关键字", self.keyword.trim().to_string()));
        }
        for (name, list) in [
            ("区县", &self.regions),
            ("行业", &self.industries),
            ("监管类别", &self.categories),
            ("信用等级", &self.grades),
        ] {
            out.push((name, chosen(list).unwrap_or_else(|| "全部".into())));
        }
        out
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
    fn of(m: &MarkedEnterprise, kept: &[i64]) -> MarkRow {
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
            checked: m.allowed && kept.contains(&e.id),
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

/// The directed page's one form, as typed: the search conditions (`cond`,
/// used by 查询), the list as shown (`filter`, `page`, `per_page`, used by
/// the pager), the enterprises ticked on other pages (`picked`), which
/// button was pressed, the extraction settings, and the ticked
/// `enterprise_id`s of this page (repeated).
#[derive(Deserialize, Default, Clone)]
pub struct DirectedForm {
    #[serde(flatten)]
    cond: Conditions,
    #[serde(default)]
    filter: String,
    /// Comma-separated ids ticked on other pages.
    #[serde(default)]
    picked: String,
    /// `search`, `jump`, or empty (with `go_page`, `go_size`, `unpick` or 确定).
    #[serde(default)]
    go: String,
    #[serde(default)]
    go_page: String,
    #[serde(default)]
    go_size: String,
    #[serde(default)]
    jump_to: String,
    #[serde(default)]
    unpick: String,
    #[serde(flatten)]
    v: ExtractForm,
}

impl ListField for DirectedForm {
    const LIST: &'static str = "enterprise_id";
}

/// The extraction settings below the directed list.
#[derive(Deserialize, Default, Clone)]
pub struct ExtractForm {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub emergency: String,
    #[serde(default)]
    pub inspected_on: String,
    #[serde(default)]
    pub acknowledge_reason: String,
}

impl ExtractForm {
    /// The API's request for the enterprises kept ticked.
    fn to_request(&self, enterprise_ids: Vec<i64>) -> Result<DirectedRequest, DomainError> {
        Ok(DirectedRequest {
            options: TaskOptions {
                source: given(&self.source),
                year: None,
                department_id: None,
                emergency: given(&self.emergency),
                inspected_on: forms::date(
                    &self.inspected_on,
                    "inspected_on",
                    "实际检查日期格式有误",
                )?,
                acknowledge_reason: given(&self.acknowledge_reason),
            },
            enterprise_ids,
        })
    }
}

/// What a press of the directed form asks for.
enum Press {
    /// 查询 with the typed conditions, from page 1.
    Search,
    /// Another page, page size or 跳转 of the list as shown.
    Browse,
    /// 确定: extract the ticked enterprises.
    Extract,
}

impl DirectedForm {
    fn press(&self) -> Press {
        let browsing = !self.go_page.is_empty()
            || !self.go_size.is_empty()
            || !self.unpick.is_empty()
            || self.go == "jump";
        match self.go.as_str() {
            "search" => Press::Search,
            _ if browsing => Press::Browse,
            _ => Press::Extract,
        }
    }

    /// The ticks kept: those of other pages, then this page's; without the
    /// one taken off the 已选 list. Numbers only, each once.
    fn kept(&self, ticked: &[String]) -> Vec<i64> {
        let mut kept: Vec<i64> = Vec::new();
        let unpick: Option<i64> = self.unpick.trim().parse().ok();
        let all = self
            .picked
            .split(',')
            .map(str::to_string)
            .chain(ticked.iter().cloned());
        for id in forms::ticked(&all.collect::<Vec<_>>()) {
            if !kept.contains(&id) && Some(id) != unpick {
                kept.push(id);
            }
        }
        kept
    }

    /// The list to show next: the typed conditions after 查询; otherwise
    /// the list as shown, on the page (or with the page size) asked for.
    fn next_list(&self) -> Conditions {
        let mut c: Conditions = serde_urlencoded::from_str(&self.filter).unwrap_or_default();
        c.page = self.cond.page.clone();
        c.per_page = self.cond.per_page.clone();
        if !self.go_page.is_empty() {
            c.page = self.go_page.clone();
        } else if !self.go_size.is_empty() {
            c.per_page = self.go_size.clone();
            c.page = String::new();
        } else if self.go == "jump" {
            c.page = self.jump_to.clone();
        } else if self.go == "search" {
            c = Conditions {
                page: String::new(),
                per_page: self.cond.per_page.clone(),
                ..self.cond.clone()
            };
        }
        c
    }
}

/// An enterprise ticked for extraction, on this page or another.
pub struct PickedRow {
    pub id: i64,
    pub name: String,
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
    /// The conditions of the list shown, carried by the pager.
    filter: String,
    /// Ids ticked on other pages than this one.
    picked_elsewhere: String,
    /// Every enterprise ticked, for the 已选 strip.
    picked: Vec<PickedRow>,
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

/// The names of the kept enterprises not on this page, within the user's
/// scope (an id typed into the form shows nothing it should not).
async fn picked_rows(
    state: &AppState,
    scope: &Scope,
    kept: &[i64],
    rows: &[MarkRow],
) -> PageResult<Vec<PickedRow>> {
    let mut out = Vec::with_capacity(kept.len());
    for id in kept {
        if let Some(r) = rows.iter().find(|r| r.id == *id) {
            if r.checked {
                out.push(PickedRow {
                    id: *id,
                    name: r.name.clone(),
                });
            }
            continue;
        }
        let found = enterprises::get(&mut &state.db, *id)
            .await
            .map_err(AppError::from)?;
        if let Some(e) = found.filter(|e| scope.contains(e)) {
            out.push(PickedRow {
                id: e.id,
                name: e.name,
            });
        }
    }
    Ok(out)
}

async fn render_directed(
    state: &AppState,
    session: &Session,
    c: Conditions,
    kept: &[i64],
    v: ExtractForm,
    error: Option<DomainError>,
) -> PageResult<Response> {
    let who = initiator(&session.principal, None)?;
    let year = i64::from(state.this_year());
    let policy = &state.config.draw;
    let per_page = per_page_of(&c.per_page);
    let mut query = c.query();
    let mut marked = marks::marked(&state.db, policy, &who, year, &query).await;
    // A page past the end (跳转 to 99) shows the last page.
    if let Ok(p) = &marked {
        let last = ((p.total + p.per_page - 1) / p.per_page).max(1);
        if p.page > last {
            query.page = Some(last);
            marked = marks::marked(&state.db, policy, &who, year, &query).await;
        }
    }
    let (rows, total, page, per_page, search_error) = match marked {
        Ok(p) => (
            p.items
                .iter()
                .map(|m| MarkRow::of(m, kept))
                .collect::<Vec<_>>(),
            p.total,
            p.page,
            p.per_page,
            None,
        ),
        Err(e) => (
            Vec::new(),
            0,
            1,
            per_page,
            Some(AppError::from(e).for_form()?.message),
        ),
    };
    let picked = picked_rows(state, &who.scope, kept, &rows).await?;
    let picked_elsewhere = picked
        .iter()
        .filter(|p| !rows.iter().any(|r| r.id == p.id))
        .map(|p| p.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
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
        filter: c.qs(),
        picked_elsewhere,
        picked,
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

/// The directed form posted: 查询 or a move through the list (the ticks go
/// along), or 确定 — the tasks, then the task list with what was created.
pub async fn directed(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(Listed { form, list }): CsrfForm<Listed<DirectedForm>>,
) -> PageResult<Response> {
    let kept = form.kept(&list);
    let listed = form.next_list();
    let v = form.v.clone();
    if !matches!(form.press(), Press::Extract) {
        return render_directed(&state, &session, listed, &kept, v, None).await;
    }
    let request = match v.to_request(kept.clone()) {
        Ok(r) => r,
        Err(e) => return render_directed(&state, &session, listed, &kept, v, Some(e)).await,
    };
    let who = initiator(&session.principal, request.options.department_id)?;
    match tasks::create_directed(
        &state.db,
        &state.config.draw,
        state.now(),
        &who,
        &request.options,
        &request.enterprise_ids,
    )
    .await
    {
        Ok(created) => Ok(Redirect::to(&landing(created.len(), None)).into_response()),
        Err(e) => {
            let e = AppError::from(e).for_form()?;
            render_directed(&state, &session, listed, &kept, v, Some(e)).await
        }
    }
}

/// The task list after an extraction: the department's own tasks, with the
/// notice of how many were created (and the draw record of a random one).
fn landing(created: usize, draw: Option<i64>) -> String {
    let mut to = format!("/tasks?view=initiated&created={created}");
    if let Some(d) = draw {
        to.push_str(&format!("&draw={d}"));
    }
    to
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

impl RandomForm {
    /// The API's request: random draws leave the positive list out whatever
    /// the form says, and draw from every page of the conditions.
    fn to_request(&self) -> Result<RandomRequest, DomainError> {
        let count = forms::number(&self.count, "count", "抽取数量应为正整数")?;
        let mut conditions = self.cond.query();
        conditions.page = None;
        conditions.per_page = None;
        conditions.positive_list = None;
        Ok(RandomRequest {
            options: TaskOptions {
                source: given(&self.source),
                ..TaskOptions::default()
            },
            conditions,
            count,
        })
    }

    /// The form's fields as a query string (返回修改 and the 确认 page).
    fn qs(&self) -> String {
        let mut qs = self.cond.qs();
        let rest = query_string(&[("count", &self.count), ("source", &self.source)]);
        if !rest.is_empty() {
            if !qs.is_empty() {
                qs.push('&');
            }
            qs.push_str(&rest);
        }
        qs
    }

    fn source_or_default(&self) -> &str {
        if self.source.is_empty() {
            TaskSource::Routine.as_str()
        } else {
            self.source.as_str()
        }
    }
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
    let status = error.as_ref().map(status_of).unwrap_or(StatusCode::OK);
    let page = RandomPage {
        chrome: Chrome::new(session, "tasks"),
        cond: ConditionView::new(scope, &f.cond),
        count: if f.count.trim().is_empty() {
            draws::DEFAULT_COUNT.to_string()
        } else {
            f.count.clone()
        },
        sources: random_sources(f.source_or_default()),
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
        year: i64::from(state.this_year()),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The sources a random draw takes: those counted toward the caps.
fn random_sources(current: &str) -> Vec<Choice> {
    choices(
        [TaskSource::Routine, TaskSource::Special]
            .iter()
            .map(|s| (s.as_str(), s.label().to_string())),
        current,
    )
}

/// The form, empty or as it was (返回修改 from the 确认 page).
pub async fn random_form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(f): Query<RandomForm>,
) -> PageResult<Response> {
    let who = initiator(&session.principal, None)?;
    render_random(&state, &session, &who.scope, &f, None)
}

#[derive(Template)]
#[template(path = "tasks/random_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    conditions: Vec<(&'static str, String)>,
    source: String,
    candidate_count: i64,
    count: i64,
    year: i64,
    /// The form's fields, posted again by 确认抽取.
    fields: Vec<(String, String)>,
    back: String,
}

/// 确认: the request checked and its candidates counted, nothing written;
/// 确认抽取 posts the same fields to draw.
pub async fn random_confirm(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(f): Query<RandomForm>,
) -> PageResult<Response> {
    let who = initiator(&session.principal, None)?;
    let request = match f.to_request() {
        Ok(r) => r,
        Err(e) => return render_random(&state, &session, &who.scope, &f, Some(e)),
    };
    let preview =
        match draws::preview(&state.db, &state.config.draw, state.now(), &who, &request).await {
            Ok(p) => p,
            Err(e) => {
                let d = AppError::from(e).for_form()?;
                return render_random(&state, &session, &who.scope, &f, Some(d));
            }
        };
    let cond = ConditionView::new(&who.scope, &f.cond);
    let page = ConfirmPage {
        chrome: Chrome::new(&session, "tasks"),
        conditions: cond.summary(),
        source: random_sources(f.source_or_default())
            .into_iter()
            .find(|c| c.selected)
            .map(|c| c.label)
            .unwrap_or_default(),
        candidate_count: preview.candidate_count,
        count: preview.count,
        year: preview.year,
        fields: serde_urlencoded::from_str(&f.qs()).unwrap_or_default(),
        back: format!("/tasks/random?{}", f.qs()),
    };
    Ok(Html(page.render()?).into_response())
}

/// 确认抽取: the draw, then the task list with the tasks to set.
pub async fn random(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(f): CsrfForm<RandomForm>,
) -> PageResult<Response> {
    let who = initiator(&session.principal, None)?;
    let request = match f.to_request() {
        Ok(r) => r,
        Err(e) => return render_random(&state, &session, &who.scope, &f, Some(e)),
    };
    match draws::draw_enterprises(&state.db, &state.config.draw, state.now(), &who, &request).await
    {
        Ok(drawn) => {
            Ok(Redirect::to(&landing(drawn.tasks.len(), Some(drawn.draw.id))).into_response())
        }
        Err(e) => {
            let d = AppError::from(e).for_form()?;
            render_random(&state, &session, &who.scope, &f, Some(d))
        }
    }
}
