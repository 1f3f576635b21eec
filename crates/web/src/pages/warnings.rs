//! 监督预警 (STAT-2): `/warnings`, the warnings in the reader's reach (open
//! ones first, by kind and state), each linked to its task, and closing one
//! with a note (`/warnings/{id}/close`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::time::display;
use yici_domain::warnings::{may_close, WarningKind, WarningState};
use yici_domain::ErrorKind;
use yici_store::auth::Session;
use yici_store::warnings::{self, Filter, Warning};

use crate::error::{AppError, PageResult};
use crate::pages::layout::Chrome;
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// The filters as typed; an unknown value reads as none.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    kind: String,
    state: String,
    task: String,
    closed: String,
}

impl ListQuery {
    fn filter(&self) -> Filter {
        Filter {
            kind: WarningKind::parse(self.kind.trim()),
            state: WarningState::parse(self.state.trim()),
            task_id: self.task.trim().parse().ok(),
        }
    }
}

pub struct Tab {
    label: String,
    href: String,
    on: bool,
    /// Open warnings of the kind (kind tabs only).
    open: Option<usize>,
}

pub struct Row {
    id: i64,
    task_id: i64,
    enterprise_name: String,
    department_name: String,
    kind: &'static str,
    detail: String,
    raised: String,
    open: bool,
    closed: String,
    closed_by: String,
    note: String,
}

impl Row {
    fn of(w: &Warning) -> Row {
        Row {
            id: w.id,
            task_id: w.task_id,
            enterprise_name: w.enterprise_name.clone(),
            department_name: w.department_name.clone(),
            kind: w.kind.label(),
            detail: w.detail.clone(),
            raised: display(w.raised_at),
            open: w.state == WarningState::Open,
            closed: w.closed_at.map(display).unwrap_or_default(),
            closed_by: w.closed_by_name.clone().unwrap_or_default(),
            note: w.close_note.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "warnings/list.html")]
struct ListPage {
    chrome: Chrome,
    scope: &'static str,
    kinds: Vec<Tab>,
    states: Vec<Tab>,
    open_total: usize,
    rows: Vec<Row>,
    may_close: bool,
    /// The row a refused close belongs to, why, and the note as typed.
    refused: Option<(i64, String, String)>,
    closed: Option<i64>,
    /// The task the list is narrowed to.
    task: Option<i64>,
}

impl ListPage {
    fn refused_for(&self, id: &i64) -> Option<(&str, &str)> {
        self.refused
            .as_ref()
            .filter(|(r, _, _)| r == id)
            .map(|(_, m, n)| (m.as_str(), n.as_str()))
    }
}

fn href(task: Option<i64>, kind: Option<WarningKind>, state: Option<WarningState>) -> String {
    let mut q = Vec::new();
    if let Some(t) = task {
        q.push(format!("task={t}"));
    }
    if let Some(k) = kind {
        q.push(format!("kind={}", k.as_str()));
    }
    if let Some(s) = state {
        q.push(format!("state={}", s.as_str()));
    }
    if q.is_empty() {
        "/warnings".into()
    } else {
        format!("/warnings?{}", q.join("&"))
    }
}

async fn page(
    state: &AppState,
    session: &Session,
    filter: &Filter,
    refused: Option<(i64, String, String)>,
    closed: Option<i64>,
) -> PageResult<ListPage> {
    let p = &session.principal;
    // The tabs count the open ones of the task when one is chosen.
    let all = warnings::list(
        &state.db,
        p,
        &Filter {
            task_id: filter.task_id,
            ..Filter::default()
        },
    )
    .await?;
    let rows: Vec<Row> = warnings::list(&state.db, p, filter)
        .await?
        .iter()
        .map(Row::of)
        .collect();
    let open_of = |k: Option<WarningKind>| {
        all.iter()
            .filter(|w| w.state == WarningState::Open && k.is_none_or(|k| w.kind == k))
            .count()
    };
    let mut kinds = vec![Tab {
        label: "全部类型".into(),
        href: href(filter.task_id, None, filter.state),
        on: filter.kind.is_none(),
        open: Some(open_of(None)),
    }];
    kinds.extend(WarningKind::ALL.iter().map(|k| Tab {
        label: k.label().into(),
        href: href(filter.task_id, Some(*k), filter.state),
        on: filter.kind == Some(*k),
        open: Some(open_of(Some(*k))),
    }));
    let mut states = vec![Tab {
        label: "全部".into(),
        href: href(filter.task_id, filter.kind, None),
        on: filter.state.is_none(),
        open: None,
    }];
    states.extend(WarningState::ALL.iter().map(|s| Tab {
        label: s.label().into(),
        href: href(filter.task_id, filter.kind, Some(*s)),
        on: filter.state == Some(*s),
        open: None,
    }));
    let scope = match yici_domain::warnings::reach_of(p) {
        Some(yici_domain::warnings::Reach::Department(_)) => "本处室发起的检查",
        _ => "本单位",
    };
    Ok(ListPage {
        chrome: Chrome::new(session, "warnings"),
        scope,
        kinds,
        states,
        open_total: open_of(None),
        rows,
        may_close: may_close(p),
        refused,
        closed,
        task: filter.task_id,
    })
}

/// The list, open ones first.
pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let closed = q.closed.trim().parse().ok();
    let page = page(&state, &session, &q.filter(), None, closed).await?;
    Ok(Html(page.render()?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    note: String,
}

/// Closes a warning with its note; a missing note or a warning already
/// closed is said beside the row, with the note kept.
pub async fn close(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<CloseForm>,
) -> PageResult<Response> {
    let p = &session.principal;
    match warnings::close(&state.db, state.now(), p, id, Some(&f.note)).await {
        Ok(_) => Ok(Redirect::to(&format!("/warnings?closed={id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            match e.domain() {
                Some(d) if matches!(d.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
                    let status = crate::error::status_of(d);
                    let refused = Some((id, d.message.clone(), f.note.clone()));
                    let page = page(&state, &session, &Filter::default(), refused, None).await?;
                    Ok((status, Html(page.render()?)).into_response())
                }
                _ => Err(e.into()),
            }
        }
    }
}
