//! `/ratings` 检查评价 (RES-4): the enterprises' ratings of the unit's
//! inspections of a year, for the unit's office and leaders only — the
//! inspectors and their departments never see them (403, and no menu entry).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use yici_domain::ratings as rules;
use yici_domain::time::display;
use yici_store::ratings::{self, Rating};

use crate::error::PageResult;
use crate::pages::layout::Chrome;
use crate::pages::registry::Choice;
use crate::session::WebUser;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    year: String,
}

/// A rating as the list shows it.
pub struct Row {
    pub task_id: i64,
    pub enterprise: String,
    pub uscc: String,
    pub department: String,
    pub rated_at: String,
    pub conduct: i64,
    pub disturbance: i64,
    pub discipline_kept: bool,
    pub breach: String,
    pub comment: String,
}

impl Row {
    fn of(r: Rating) -> Row {
        Row {
            task_id: r.task_id,
            enterprise: r.enterprise_name,
            uscc: r.enterprise_uscc,
            department: r.initiator_department,
            rated_at: display(r.rated_at),
            conduct: r.conduct,
            disturbance: r.disturbance,
            discipline_kept: r.discipline_kept,
            breach: r.discipline_breach.unwrap_or_default(),
            comment: r.comment.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "ratings/list.html")]
struct ListPage {
    chrome: Chrome,
    years: Vec<Choice>,
    year: i64,
    rows: Vec<Row>,
    /// Averages of the two scores (one decimal), and breaches reported.
    conduct_avg: String,
    disturbance_avg: String,
    breaches: usize,
}

fn average(values: impl Iterator<Item = i64>) -> String {
    let v: Vec<i64> = values.collect();
    if v.is_empty() {
        "—".into()
    } else {
        format!("{:.1}", v.iter().sum::<i64>() as f64 / v.len() as f64)
    }
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<YearQuery>,
) -> PageResult<Html<String>> {
    // Refused before anything is read: the page exists for no one else.
    rules::ensure_may_read(&session.principal).map_err(crate::error::AppError::from)?;
    let this_year = i64::from(state.this_year());
    let year = q.year.trim().parse().unwrap_or(this_year);
    let rows: Vec<Row> = ratings::of_unit(&state.db, &session.principal, year)
        .await?
        .into_iter()
        .map(Row::of)
        .collect();
    let mut years: Vec<i64> = (this_year - 4..=this_year).rev().collect();
    if !years.contains(&year) {
        years.push(year);
    }
    let page = ListPage {
        chrome: Chrome::new(&session, "ratings"),
        years: years
            .iter()
            .map(|y| Choice {
                value: y.to_string(),
                label: format!("{y}年"),
                selected: *y == year,
            })
            .collect(),
        year,
        conduct_avg: average(rows.iter().map(|r| r.conduct)),
        disturbance_avg: average(rows.iter().map(|r| r.disturbance)),
        breaches: rows.iter().filter(|r| !r.discipline_kept).count(),
        rows,
    };
    Ok(Html(page.render()?))
}
