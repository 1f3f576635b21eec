//! 信用评价 pages (RES-3): an enterprise's credit — grade, 正面清单, the open
//! proposal with its reasons and the decision on it, the form to set grade
//! and positive list with a reason, the history — as a tab of its profile;
//! and the list of open proposals in the user's scope.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::registry::enterprise::CreditGrade;
use yici_domain::time::display;
use yici_store::auth::Session;
use yici_store::credit::{self, CreditInput, HistoryEntry, Proposal};

use crate::credit_access::{
    ensure_may_decide, ensure_may_set, may_decide, may_set, visible_proposal,
};
use crate::error::{AppError, PageResult};
use crate::pages::layout::Chrome;
use crate::pages::registry::TABS;
use crate::registry_access::{scope_of, visible_enterprise};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// A proposal as the pages show it.
struct ProposalView {
    id: i64,
    enterprise_id: i64,
    enterprise_name: String,
    county_name: String,
    from: String,
    to: String,
    /// Worse than now (the grade goes down).
    worse: bool,
    score: i64,
    /// The start line, each day's events, the outcome.
    reasons: Vec<String>,
    /// The events alone, for one line of a list.
    summary: String,
    created: String,
}

impl ProposalView {
    fn of(p: &Proposal) -> ProposalView {
        let rank =
            |g: Option<CreditGrade>| g.and_then(|g| CreditGrade::ALL.iter().position(|x| *x == g));
        let events = p
            .reasons
            .get(1..p.reasons.len().saturating_sub(1))
            .unwrap_or(&[]);
        ProposalView {
            id: p.id,
            enterprise_id: p.enterprise_id,
            enterprise_name: p.enterprise_name.clone(),
            county_name: p.county_name.clone(),
            from: p.grade_from_label.clone(),
            to: p.grade_to_label.clone(),
            // Unrated counts as C, as its draw weight does.
            worse: rank(Some(p.grade_to)) > rank(p.grade_from).or(Some(2)),
            score: p.score,
            reasons: p.reasons.clone(),
            summary: events.join("；"),
            created: display(p.created_at),
        }
    }
}

/// A history row as the page shows it.
struct HistoryView {
    at: String,
    grade: String,
    positive_list: String,
    reason: String,
    source: String,
    by: String,
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

impl HistoryView {
    fn of(h: &HistoryEntry) -> HistoryView {
        let grade = if h.grade_from == h.grade_to {
            format!("{}（未变）", h.grade_to_label)
        } else {
            format!("{} → {}", h.grade_from_label, h.grade_to_label)
        };
        let positive_list = if h.positive_list_from == h.positive_list_to {
            format!("{}（未变）", yes_no(h.positive_list_to))
        } else {
            format!(
                "{} → {}",
                yes_no(h.positive_list_from),
                yes_no(h.positive_list_to)
            )
        };
        HistoryView {
            at: display(h.at),
            grade,
            positive_list,
            reason: h.reason.clone(),
            source: h.source_label.clone(),
            by: h.by_name.clone(),
        }
    }
}

/// The values of the forms (kept when one is refused).
#[derive(Debug, Default, Deserialize)]
pub struct Forms {
    #[serde(default)]
    credit_grade: String,
    /// `yes` or `no`.
    #[serde(default)]
    positive_list: String,
    #[serde(default)]
    reason: String,
    /// `confirm` or `reject`.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "credit/enterprise.html")]
struct EnterprisePage {
    chrome: Chrome,
    tabs: &'static [(&'static str, &'static str)],
    id: i64,
    name: String,
    category: &'static str,
    grade: String,
    positive_list: bool,
    proposal: Option<ProposalView>,
    history: Vec<HistoryView>,
    may_set: bool,
    may_decide: bool,
    grades: &'static [CreditGrade],
    values: Forms,
    notice: Option<&'static str>,
    error_form: &'static str,
    error: Option<String>,
}

impl EnterprisePage {
    fn err_of(&self, form: &str) -> Option<&str> {
        (self.error_form == form)
            .then_some(())
            .and(self.error.as_deref())
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

fn notice_of(done: &str) -> Option<&'static str> {
    Some(match done {
        "set" => "已调整信用等级和正面清单，并记入信用记录。",
        "confirmed" => "已确认信用评价建议，信用等级已变更并记入信用记录。",
        "rejected" => "已驳回信用评价建议，信用等级不变。",
        _ => return None,
    })
}

async fn render(
    state: &AppState,
    session: &Session,
    id: i64,
    values: Option<Forms>,
    notice: Option<&'static str>,
    error: Option<(&'static str, String)>,
) -> PageResult<EnterprisePage> {
    let p = &session.principal;
    let scope = scope_of(p)?;
    let e = visible_enterprise(state, &scope, id).await?;
    let c = credit::of_enterprise(&mut &state.db, id).await?;
    let values = values.unwrap_or_else(|| Forms {
        credit_grade: c
            .credit_grade
            .map(|g| g.as_str().to_string())
            .unwrap_or_default(),
        positive_list: if c.positive_list { "yes" } else { "no" }.into(),
        ..Forms::default()
    });
    let (error_form, error) = match error {
        Some((f, m)) => (f, Some(m)),
        None => ("", None),
    };
    Ok(EnterprisePage {
        chrome: Chrome::new(session, "enterprises"),
        tabs: TABS,
        id,
        name: e.name,
        category: e.category.label(),
        grade: c.credit_grade_label,
        positive_list: c.positive_list,
        proposal: c.open_proposal.as_ref().map(ProposalView::of),
        history: c.history.iter().map(HistoryView::of).collect(),
        may_set: may_set(p),
        may_decide: may_decide(p),
        grades: CreditGrade::ALL,
        values,
        notice,
        error_form,
        error,
    })
}

/// An enterprise's credit.
pub async fn enterprise(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> PageResult<Html<String>> {
    let page = render(&state, &session, id, None, notice_of(&d.done), None).await?;
    Ok(Html(page.render()?))
}

/// After a form: back to the page with a notice, or the page again with the
/// error beside the form that was refused (nothing was written).
async fn after(
    state: &AppState,
    session: &Session,
    id: i64,
    form: &'static str,
    done: &str,
    outcome: Result<(), AppError>,
    values: Forms,
) -> PageResult<Response> {
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/enterprises/{id}/credit?done={done}")).into_response())
        }
        Err(AppError::Domain(e)) => {
            let status = crate::error::status_of(&e);
            if status == StatusCode::NOT_FOUND {
                return Err(AppError::Domain(e).into());
            }
            let page = render(
                state,
                session,
                id,
                Some(values),
                None,
                Some((form, e.message)),
            )
            .await?;
            Ok((status, Html(page.render()?)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// 调整信用等级 / 正面清单, with a reason.
pub async fn set(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult<Response> {
    let outcome = async {
        let p = &session.principal;
        visible_enterprise(&state, &scope_of(p)?, id).await?;
        ensure_may_set(p)?;
        let input = CreditInput {
            credit_grade: Some(f.credit_grade.clone()),
            positive_list: Some(f.positive_list == "yes"),
            reason: Some(f.reason.clone()),
        };
        credit::set(&state.db, state.now(), p, id, &input).await?;
        Ok(())
    }
    .await;
    after(&state, &session, id, "set", "set", outcome, f).await
}

/// 确认 or 驳回 a proposal.
pub async fn decide(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult<Response> {
    let p = &session.principal;
    let proposal = visible_proposal(&state, p, id).await?;
    let confirm = f.decision == "confirm";
    let outcome = async {
        ensure_may_decide(p)?;
        let now = state.now();
        if confirm {
            credit::confirm(&state.db, now, p, id, Some(f.note.as_str())).await?;
        } else {
            credit::reject(&state.db, now, p, id, Some(f.note.as_str())).await?;
        }
        Ok(())
    }
    .await;
    let done = if confirm { "confirmed" } else { "rejected" };
    after(
        &state,
        &session,
        proposal.enterprise_id,
        "decide",
        done,
        outcome,
        f,
    )
    .await
}

#[derive(Template)]
#[template(path = "credit/proposals.html")]
struct ProposalsPage {
    chrome: Chrome,
    rows: Vec<ProposalView>,
}

/// Open proposals in the user's scope.
pub async fn proposals(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Html<String>> {
    let scope = scope_of(&session.principal)?;
    let rows = credit::open_proposals(&state.db, &scope)
        .await?
        .iter()
        .map(ProposalView::of)
        .collect();
    Ok(Html(
        ProposalsPage {
            chrome: Chrome::new(&session, "credit"),
            rows,
        }
        .render()?,
    ))
}
