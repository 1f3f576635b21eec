//! The enterprise's own pages (企业端, APP-7, RES-4), phone-first:
//!
//! * `/e` 企业端首页: 扫一扫 and the enterprise's inspection history;
//! * `/e/inspections/{task_id}` one inspection: each participating
//!   department's findings, the 结果告知, the documents served on it, and
//!   the rating form once the inspection is complete (`POST …/rating`);
//! * `/e/documents/{id}/pdf` a document the enterprise holds, as PDF.
//!
//! Sign-up and the scanned code (`/e/signup`, `/e/check-in`) stay with the
//! field app in [`super::field`]: they are reached before an account exists.
//! An enterprise reaching another's inspection or document gets 404.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::ratings::{self as rules, RatingInput};
use yici_domain::time::display;
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::field::enterprise_accounts::{self, Inspection};
use yici_store::field::enterprise_inspections::{self, EnterpriseInspection};
use yici_store::ratings::{self, Rating};

use super::field::{FieldChrome, PlanView};
use crate::document_files::{self, Format};
use crate::error::{status_of, AppError, PageResult};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

pub struct InspectionView {
    pub p: PlanView,
    pub inspectors: String,
    pub submitted: String,
    /// 结果告知 so far, or 待告知.
    pub outcome: String,
    /// 已评价 / 待评价 (completed and not rated) / none before completion.
    pub rating: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "enterprise/home.html")]
struct HomePage {
    chrome: FieldChrome,
    name: String,
    uscc: String,
    welcome: bool,
    inspections: Vec<InspectionView>,
    /// 整改任务 waiting for the enterprise, and how many of them are overdue.
    rectifications_open: usize,
    rectifications_overdue: usize,
}

#[derive(Deserialize, Default)]
pub struct WelcomeQuery {
    #[serde(default)]
    welcome: String,
}

fn names(list: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = list.collect();
    if v.is_empty() {
        "—".into()
    } else {
        v.join("、")
    }
}

/// 企业端首页: 扫一扫, and the enterprise's own inspection history.
pub async fn home(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<WelcomeQuery>,
) -> PageResult<Response> {
    let e = enterprise_inspections::enterprise_of(&state.db, &session.principal).await?;
    let history: Vec<Inspection> =
        enterprise_accounts::history(&state.db, e.id, state.now()).await?;
    let ids: Vec<i64> = history.iter().map(|i| i.task.id).collect();
    let mut summaries = enterprise_inspections::summaries(&state.db, &ids).await?;
    let inspections = history
        .into_iter()
        .map(|i| {
            let s = summaries.remove(&i.task.id).unwrap_or_default();
            InspectionView {
                inspectors: names(i.task.inspectors.iter().map(|x| x.name.clone())),
                submitted: names(i.submitted_departments.into_iter()),
                outcome: if s.outcomes.is_empty() {
                    "待告知".into()
                } else {
                    s.outcomes.join("；")
                },
                rating: match (s.rated, ratings::may_be_rated(i.task.status)) {
                    (true, _) => Some("已评价"),
                    (false, true) => Some("待评价"),
                    (false, false) => None,
                },
                p: PlanView::of(i.task),
            }
        })
        .collect();
    let today = yici_domain::time::business_date(state.now());
    let waiting: Vec<_> = yici_store::rectification::of_enterprise(&state.db, e.id, today)
        .await?
        .into_iter()
        .filter(|r| r.status.awaits_enterprise())
        .collect();
    Ok(Html(
        HomePage {
            rectifications_open: waiting.len(),
            rectifications_overdue: waiting.iter().filter(|r| r.overdue).count(),
            chrome: FieldChrome::of(Some(&session)),
            name: e.name,
            uscc: e.uscc,
            welcome: q.welcome == "1",
            inspections,
        }
        .render()?,
    )
    .into_response())
}

/// A department's findings as shown.
pub struct FindingsView {
    pub department: String,
    pub submitted: bool,
    pub state_label: String,
    pub submitted_at: String,
    pub items: Vec<crate::pages::results::ItemLine>,
    pub onsite_findings: String,
}

/// The rating as shown once given.
pub struct RatingView {
    pub conduct: &'static str,
    pub disturbance: &'static str,
    pub discipline: String,
    pub comment: String,
    pub rated_at: String,
}

impl RatingView {
    fn of(r: &Rating) -> RatingView {
        RatingView {
            conduct: rules::score_label(r.conduct),
            disturbance: rules::disturbance_label(r.disturbance),
            discipline: match (&r.discipline_kept, &r.discipline_breach) {
                (true, _) => "是".into(),
                (false, Some(b)) => format!("否：{b}"),
                (false, None) => "否".into(),
            },
            comment: r.comment.clone().unwrap_or_default(),
            rated_at: display(r.rated_at),
        }
    }
}

/// The rating form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct RatingForm {
    #[serde(default)]
    conduct: String,
    #[serde(default)]
    disturbance: String,
    #[serde(default)]
    discipline_kept: String,
    #[serde(default)]
    discipline_breach: String,
    #[serde(default)]
    comment: String,
}

impl RatingForm {
    /// The API's request (an unreadable score is a missing one).
    fn to_input(&self) -> RatingInput {
        RatingInput {
            conduct: self.conduct.trim().parse().ok(),
            disturbance: self.disturbance.trim().parse().ok(),
            discipline_kept: match self.discipline_kept.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            discipline_breach: Some(self.discipline_breach.clone()),
            comment: Some(self.comment.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "enterprise/inspection.html")]
struct InspectionPage {
    chrome: FieldChrome,
    p: PlanView,
    inspectors: String,
    findings: Vec<FindingsView>,
    /// 结果告知 lines (empty: 待告知).
    outcomes: Vec<(String, String)>,
    documents: Vec<yici_store::field::enterprise_inspections::ServedDocument>,
    rating: Option<RatingView>,
    may_rate: bool,
    form: RatingForm,
    /// The field the error belongs to (empty: the form as a whole).
    error_field: &'static str,
    error: Option<String>,
    rated: bool,
    max_comment: usize,
    /// The buttons, worst to best, left to right under their scale.
    scores: [i64; 5],
    /// 整改任务 of this inspection sent to the enterprise (RES-1).
    rectifications: Vec<crate::pages::rectifications::RectView>,
}

impl InspectionPage {
    fn err_for(&self, field: &str) -> Option<&str> {
        (self.error_field == field)
            .then_some(())
            .and(self.error.as_deref())
    }
}

/// The inspection's rectifications the enterprise has been sent.
async fn sent_rectifications(
    state: &AppState,
    session: &Session,
    task_id: i64,
) -> PageResult<Vec<crate::pages::rectifications::RectView>> {
    let e = enterprise_inspections::enterprise_of(&state.db, &session.principal).await?;
    let today = yici_domain::time::business_date(state.now());
    Ok(
        yici_store::rectification::of_enterprise(&state.db, e.id, today)
            .await?
            .iter()
            .filter(|r| r.task_id == task_id)
            .map(|r| crate::pages::rectifications::RectView::of(r, "/e/rectifications/photos/"))
            .collect(),
    )
}

fn inspection_page(
    session: &Session,
    i: EnterpriseInspection,
    form: RatingForm,
    error: Option<DomainError>,
    rated: bool,
) -> InspectionPage {
    let (error_field, error) = match error {
        Some(e) => (e.field.unwrap_or(""), Some(e.message)),
        None => ("", None),
    };
    InspectionPage {
        rectifications: Vec::new(),
        chrome: FieldChrome::of(Some(session)),
        inspectors: names(i.task.inspectors.iter().map(|x| x.name.clone())),
        findings: i
            .findings
            .into_iter()
            .map(|f| FindingsView {
                department: if f.unit_name.is_empty() || f.unit_name == i.task.unit_name {
                    f.department_name
                } else {
                    format!("{} {}", f.unit_name, f.department_name)
                },
                submitted: f.state == "submitted",
                state_label: f.state_label,
                submitted_at: f.submitted_at.map(display).unwrap_or_default(),
                items: f
                    .items
                    .iter()
                    .map(crate::pages::results::ItemLine::of)
                    .collect(),
                onsite_findings: f.onsite_findings.unwrap_or_default(),
            })
            .collect(),
        outcomes: i
            .outcomes
            .iter()
            .map(|o| (o.department_name.clone(), o.label.clone()))
            .collect(),
        documents: i.documents,
        rating: i.rating.as_ref().map(RatingView::of),
        may_rate: i.may_rate,
        form,
        error_field,
        error,
        rated,
        max_comment: rules::MAX_COMMENT_CHARS,
        scores: [1, 2, 3, 4, 5],
        p: PlanView::of(i.task),
    }
}

#[derive(Deserialize, Default)]
pub struct RatedQuery {
    #[serde(default)]
    rated: String,
}

/// One inspection of the enterprise.
pub async fn inspection(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(task_id): Path<i64>,
    Query(q): Query<RatedQuery>,
) -> PageResult<Html<String>> {
    let i = enterprise_inspections::inspection(&state.db, &session.principal, state.now(), task_id)
        .await?;
    let mut page = inspection_page(&session, i, RatingForm::default(), None, q.rated == "1");
    page.rectifications = sent_rectifications(&state, &session, task_id).await?;
    Ok(Html(page.render()?))
}

/// 提交评价: back to the inspection with 已评价, or the form again with the
/// error beside its field (a second rating: 409 with the reason on top).
pub async fn rate(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(task_id): Path<i64>,
    CsrfForm(form): CsrfForm<RatingForm>,
) -> PageResult<Response> {
    let now = state.now();
    match ratings::rate(
        &state.db,
        now,
        &session.principal,
        task_id,
        &form.to_input(),
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/e/inspections/{task_id}?rated=1#rating")).into_response())
        }
        Err(e) => {
            let e = AppError::from(e).for_form()?;
            let status = status_of(&e);
            let i = enterprise_inspections::inspection(&state.db, &session.principal, now, task_id)
                .await?;
            let mut page = inspection_page(&session, i, form, Some(e), false);
            page.rectifications = sent_rectifications(&state, &session, task_id).await?;
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

/// A document the enterprise holds, as PDF (404 for any other).
pub async fn document_pdf(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let d = enterprise_inspections::document(&state.db, &session.principal, id).await?;
    Ok(document_files::response(&d, Format::Pdf).await?)
}
