//! `/tasks/directed` 定向抽取 from the marked enterprise list (DRAW-2,
//! DRAW-6) and `/tasks/random` 非定向抽取 (DRAW-3): the registry's search
//! conditions, the frequency marks, and the extraction forms.

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
use yici_store::registry::search::{EnterpriseQuery, Scope};

use super::view::{query_string, region_choices, Pager};
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

/// The extraction form below the directed list, as typed: `filter` (the
/// list's conditions), `source`, `emergency`, `inspected_on`,
/// `acknowledge_reason`, and the ticked `enterprise_id`s (repeated).
#[derive(Deserialize, Default, Clone)]
pub struct ExtractForm {
    #[serde(default)]
    pub filter: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub emergency: String,
    #[serde(default)]
    pub inspected_on: String,
    #[serde(default)]
    pub acknowledge_reason: String,
}

impl ListField for ExtractForm {
    const LIST: &'static str = "enterprise_id";
}

impl ExtractForm {
    /// The API's request, with the ticked enterprises of the form.
    fn to_request(&self, enterprise_ids: &[String]) -> Result<DirectedRequest, DomainError> {
        let enterprise_ids = forms::ids(enterprise_ids, "enterprise_ids", "企业编号有误")?;
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
    let year = i64::from(state.this_year());
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

pub async fn directed(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(Listed { form: v, list }): CsrfForm<Listed<ExtractForm>>,
) -> PageResult<Response> {
    let c: Conditions = serde_urlencoded::from_str(&v.filter).unwrap_or_default();
    let ticked = forms::ticked(&list);
    let request = match v.to_request(&list) {
        Ok(r) => r,
        Err(e) => return render_directed(&state, &session, c, &ticked, v, Some(e)).await,
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
        Ok(created) => Ok(Redirect::to(&format!(
            "/tasks?view=initiated&created={}",
            created.len()
        ))
        .into_response()),
        Err(e) => {
            let e = AppError::from(e).for_form()?;
            render_directed(&state, &session, c, &ticked, v, Some(e)).await
        }
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
        year: i64::from(state.this_year()),
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
    let request = match f.to_request() {
        Ok(r) => r,
        Err(e) => return render_random(&state, &session, &who.scope, &f, Some(e)),
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
