//! 一公开 pages (RES-2). No login: `/public/results` (search),
//! `/public/results/{task}` (one result and its versions), `/public/data`
//! (the open dataset's fields and addresses). The office's desk:
//! `/publication` (completed results not yet public) and its release.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::publication::{Outcome, RectificationProgress};
use yici_domain::time::display;
use yici_domain::DomainError;
use yici_store::org::departments;
use yici_store::publication::{self, Filter, PublicCredit, PublicResult, Waiting};

use crate::error::{AppError, PageResult};
use crate::open_data::{FieldDoc, FIELDS};
use crate::pages::layout::Chrome;
use crate::pages::plans::{unit_choices, year_choices};
use crate::pages::registry::Choice;
use crate::pages::tasks::view::Pager;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// The search form as typed: every field text, so that a bad value is
/// answered on the page instead of by a bare 400.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    year: String,
    unit: String,
    county: String,
    department: String,
    outcome: String,
    month: String,
    q: String,
    page: String,
}

fn number(text: &str, field: &'static str, what: &str) -> Result<Option<i64>, DomainError> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| DomainError::field(field, "invalid", format!("{what}有误"))),
    }
}

impl SearchQuery {
    fn filter(&self) -> Result<Filter, DomainError> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Filter {
            year: number(&self.year, "year", "年度")?,
            unit: number(&self.unit, "unit", "单位")?,
            county: text(&self.county),
            department: number(&self.department, "department", "检查部门")?,
            outcome: text(&self.outcome),
            month: text(&self.month),
            q: text(&self.q),
            page: number(&self.page, "page", "页码")?,
        })
    }

    /// The query string without the page, for the pager and the downloads.
    fn without_page(&self) -> String {
        let pairs = [
            ("year", &self.year),
            ("unit", &self.unit),
            ("county", &self.county),
            ("department", &self.department),
            ("outcome", &self.outcome),
            ("month", &self.month),
            ("q", &self.q),
        ];
        serde_urlencoded::to_string(
            pairs
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (*k, v.trim()))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    }
}

/// A row or record as the pages show it.
pub struct ResultView {
    pub r: PublicResult,
    pub outcome_class: &'static str,
    pub rectification_class: &'static str,
    pub published: String,
    pub updated: String,
}

impl ResultView {
    fn of(r: PublicResult) -> ResultView {
        ResultView {
            outcome_class: match r.content.outcome {
                Outcome::Passed => "on",
                Outcome::NotPassed => "warn-tag",
                Outcome::Other => "off",
            },
            rectification_class: match r.content.rectification {
                RectificationProgress::NotNeeded => "off",
                RectificationProgress::Closed => "on",
                RectificationProgress::InProgress => "st-progress",
                RectificationProgress::Overdue | RectificationProgress::Referred => "warn-tag",
            },
            published: display(r.published_at),
            updated: display(r.updated_at),
            r,
        }
    }
}

#[derive(Template)]
#[template(path = "public/results.html")]
struct SearchPage {
    units: Vec<Choice>,
    years: Vec<Choice>,
    counties: Vec<Choice>,
    departments: Vec<Choice>,
    outcomes: Vec<Choice>,
    months: Vec<Choice>,
    q: String,
    year: i64,
    unit_name: Option<String>,
    total: i64,
    /// More than `total` match (counted up to a limit).
    more: bool,
    rows: Vec<ResultView>,
    pager: Pager,
    /// The current query for the download links (`year=…&unit=…`).
    download_query: String,
    error: Option<String>,
}

fn options(items: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current.trim(),
            value,
            label,
        })
        .collect()
}

/// 检查结果公开: the search over published results, a unit's page when a
/// unit is chosen. No login.
pub async fn search(
    State(state): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> PageResult<Response> {
    let this_year = i64::from(state.this_year());
    let mut status = StatusCode::OK;
    let mut error = None;
    let filter = q.filter().unwrap_or_else(|e| {
        error = Some(e.message);
        status = StatusCode::UNPROCESSABLE_ENTITY;
        Filter::default()
    });
    let page = match publication::search(&state.db, &filter, this_year).await {
        Ok(page) => page,
        Err(e) => {
            let d = AppError::from(e).for_form()?;
            error = Some(d.message);
            status = StatusCode::UNPROCESSABLE_ENTITY;
            publication::search(&state.db, &Filter::default(), this_year).await?
        }
    };
    let year = filter.year.unwrap_or(this_year);
    let unit = filter.unit;
    let (counties, departments) = match unit {
        Some(u) => (
            counties_of_unit(&state, u).await?,
            departments::list_by_unit(&mut &state.db, u)
                .await?
                .into_iter()
                .map(|d| (d.id.to_string(), d.name))
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let units = unit_choices(&state, unit.unwrap_or(0)).await?;
    let unit_name = units
        .iter()
        .find(|c| c.selected)
        .map(|c| c.label.trim().to_string());
    let qs = q.without_page();
    let download_query = serde_urlencoded::to_string(
        [("year", Some(year)), ("unit", unit)]
            .iter()
            .filter_map(|(k, v)| v.map(|v| (*k, v)))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let view = SearchPage {
        units,
        years: year_choices(this_year, year),
        counties: options(counties, &q.county),
        departments: options(departments, &q.department),
        outcomes: options(
            Outcome::ALL
                .iter()
                .map(|o| (o.as_str().to_string(), o.label().to_string())),
            &q.outcome,
        ),
        months: options(
            (1..=12).map(|m| (format!("{year}-{m:02}"), format!("{m}月"))),
            &q.month,
        ),
        q: q.q.trim().to_string(),
        year,
        unit_name,
        total: page.total,
        more: page.more,
        pager: Pager::new(
            "/public/results",
            &qs,
            page.total,
            page.page,
            page.page_size,
        ),
        rows: page.rows.into_iter().map(ResultView::of).collect(),
        download_query,
        error,
    };
    Ok((status, Html(view.render()?)).into_response())
}

/// The counties a unit's inspections may be in, from the region codes
/// (GB/T 2260) under the unit's own: read from the code table, not from the
/// results (grouping a county unit's 90,000 results cost more than the
/// search).
async fn counties_of_unit(state: &AppState, unit: i64) -> PageResult<Vec<(String, String)>> {
    use yici_domain::region;
    let Some(u) = yici_store::org::units::get(&mut &state.db, unit).await? else {
        return Ok(Vec::new());
    };
    let code = u.region_code.as_str();
    let counties = |city: &str| -> Vec<(String, String)> {
        region::children(city)
            .into_iter()
            .map(|r| (r.code.to_string(), r.name.to_string()))
            .collect()
    };
    Ok(if code.ends_with("0000") {
        region::children(code)
            .into_iter()
            .flat_map(|c| counties(c.code))
            .collect()
    } else if code.ends_with("00") {
        counties(code)
    } else {
        region::lookup(code)
            .map(|r| vec![(r.code.to_string(), r.name.to_string())])
            .unwrap_or_default()
    })
}

#[derive(Template)]
#[template(path = "public/result.html")]
struct RecordPage {
    v: ResultView,
    earlier: Vec<ResultView>,
    credit: PublicCredit,
    /// When each credit change was made, as the page shows it.
    credit_at: Vec<String>,
}

/// One published result, with what changed since publication. No login.
pub async fn record(
    State(state): State<AppState>,
    Path(task_id): Path<i64>,
) -> PageResult<Html<String>> {
    let (current, earlier) = publication::get(&state.db, task_id).await?;
    let credit = publication::public_credit(&state.db, current.content.enterprise_id).await?;
    Ok(Html(
        RecordPage {
            credit_at: credit.changes.iter().map(|c| display(c.at)).collect(),
            credit,
            v: ResultView::of(current),
            earlier: earlier.into_iter().map(ResultView::of).collect(),
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "public/data.html")]
struct DataPage {
    fields: &'static [FieldDoc],
    today: String,
    year: i64,
}

/// 开放数据: what the dataset holds and where. No login.
pub async fn data(State(state): State<AppState>) -> PageResult<Html<String>> {
    Ok(Html(
        DataPage {
            fields: FIELDS,
            today: state.today().to_string(),
            year: i64::from(state.this_year()),
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "publication/desk.html")]
struct DeskPage {
    chrome: Chrome,
    rows: Vec<DeskRow>,
    calendar_days: u32,
    notice: Option<String>,
    error: Option<String>,
}

pub struct DeskRow {
    w: Waiting,
    completed: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    released: Option<i64>,
}

async fn desk_page(
    state: &AppState,
    session: &yici_store::auth::Session,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult<DeskPage> {
    let rows = publication::waiting(&state.db, &session.principal, &state.config.publication)
        .await?
        .into_iter()
        .map(|w| DeskRow {
            completed: display(w.completed_at),
            w,
        })
        .collect();
    Ok(DeskPage {
        chrome: Chrome::new(session, "publication"),
        rows,
        calendar_days: state.config.publication.working_days,
        notice,
        error,
    })
}

/// 结果公开 (office): completed results not yet public, soonest due first.
pub async fn desk(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<DeskQuery>,
) -> PageResult<Html<String>> {
    let notice = q
        .released
        .map(|t| format!("任务 {t} 的检查结果已公开，公众可在“检查结果公开”中查询。"));
    Ok(Html(
        desk_page(&state, &session, notice, None).await?.render()?,
    ))
}

#[derive(Deserialize)]
pub struct ReleaseForm {}

/// 立即公开 one result.
pub async fn release(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(task_id): Path<i64>,
    CsrfForm(_): CsrfForm<ReleaseForm>,
) -> PageResult<Response> {
    match publication::release(&state.db, state.now(), &session.principal, task_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/publication?released={task_id}")).into_response()),
        Err(e) => {
            // A conflict (not completed, already public) is a remark on the
            // desk; a refusal or a task out of reach is a page of its own.
            let e = AppError::from(e);
            match e.domain() {
                Some(d) if d.kind == yici_domain::ErrorKind::Conflict => {
                    let status = crate::error::status_of(d);
                    let page = desk_page(&state, &session, None, Some(d.message.clone())).await?;
                    Ok((status, Html(page.render()?)).into_response())
                }
                _ => Err(e.into()),
            }
        }
    }
}
