//! 检查文书 pages (DOC-2…DOC-7): one document
//! (editor, workflow buttons, history, print preview and files), the
//! approvers' and office's work list with what visits still owe, the number
//! register per kind and year, and the unit's number patterns.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::documents::forms::Service;
use yici_domain::documents::workflow::{self, Action, DocumentStatus};
use yici_domain::documents::DocumentKind;
use yici_domain::org::{Principal, Role};
use yici_domain::time::display;
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::documents::numbering::{self, PatternInput, PatternView, Register};
use yici_store::documents::owed::{self, OwedTask};
use yici_store::documents::workflow::{self as steps, Step};
use yici_store::documents::{self, Document};

use super::document_editor;
use super::layout::Chrome;
use crate::document_files::{self, Format};
use crate::error::{AppError, PageResult};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// A document as a line of a list.
pub struct DocRow {
    pub id: i64,
    pub kind: &'static str,
    pub number: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub department: String,
    /// 被检查人
    pub enterprise: String,
    pub task_id: i64,
    /// 起草人
    pub drafter: String,
    /// 提交时间 (— when it has not been submitted)
    pub submitted: String,
    pub updated: String,
}

fn status_class(s: DocumentStatus) -> &'static str {
    match s {
        DocumentStatus::Issued | DocumentStatus::Served | DocumentStatus::Completed => "on",
        DocumentStatus::Void => "warn-tag",
        DocumentStatus::Draft => "off",
        DocumentStatus::Approved | DocumentStatus::Submitted => "st-scheduled",
        _ => "st-drawn",
    }
}

pub(crate) fn row(d: &Document) -> DocRow {
    DocRow {
        id: d.id,
        kind: d.kind.label(),
        number: d.number_text.clone().unwrap_or_default(),
        status: d.status.label(),
        status_class: status_class(d.status),
        department: d.department_name.clone(),
        enterprise: d.enterprise_name.clone(),
        task_id: d.task_id,
        drafter: d.created_by_name.clone(),
        submitted: d.submitted_at.map(display).unwrap_or_else(|| "—".into()),
        updated: display(d.updated_at),
    }
}

/// A workflow button on the document page.
pub struct ActionButton {
    pub code: &'static str,
    pub label: &'static str,
    /// Needs an opinion (return, void) or takes one (signatures).
    pub opinion: &'static str,
    pub class: &'static str,
}

/// The steps the principal may take now, asked of the domain rules.
fn buttons(p: &Principal, d: &Document, head_signer: Option<i64>) -> Vec<ActionButton> {
    let actor = workflow::DocumentActor {
        person_id: p.person_id,
        roles: &p.roles,
        in_handling_department: p.department_id == Some(d.department_id),
        in_issuing_unit: p.unit_id == Some(d.unit_id),
    };
    [
        (Action::Submit, "", "primary"),
        (Action::SignAsDepartmentHead, "optional", "primary"),
        (Action::ApproveAsUnitHead, "optional", "primary"),
        (Action::Return, "required", ""),
        (Action::Number, "", "primary"),
        (Action::Complete, "", "primary"),
    ]
    .into_iter()
    .filter(|(a, _, _)| workflow::decide(d.kind, d.status, *a, &actor, head_signer).is_ok())
    .map(|(a, opinion, class)| ActionButton {
        code: a.as_str(),
        label: a.label_for(d.kind),
        opinion,
        class,
    })
    .collect()
}

#[derive(Template)]
#[template(path = "documents/view.html")]
struct DocumentPage {
    chrome: Chrome,
    d: Document,
    number: String,
    status_class: &'static str,
    task_enterprise: String,
    editable: bool,
    controls: Vec<(&'static str, String, bool)>,
    buttons: Vec<ActionButton>,
    may_serve: bool,
    may_void: bool,
    history: Vec<(String, String, String, String)>,
    error: Option<String>,
    notice: Option<String>,
    today: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult<Response> {
    let done = q.done.as_deref().and_then(Action::parse);
    render(&state, &session, id, None, done, None).await
}

/// The document page; `done` is the step just taken, said as a sentence.
async fn render(
    state: &AppState,
    session: &Session,
    id: i64,
    error: Option<String>,
    done: Option<Action>,
    unsaved: Option<yici_domain::documents::Form>,
) -> PageResult<Response> {
    let p = &session.principal;
    let d = documents::get(&state.db, p, state.now(), id).await?;
    let notice = done.map(|a| a.done_sentence(d.kind).to_string());
    let head = documents::head_signer(&state.db, id).await?;
    let actor = workflow::DocumentActor {
        person_id: p.person_id,
        roles: &p.roles,
        in_handling_department: p.department_id == Some(d.department_id),
        in_issuing_unit: p.unit_id == Some(d.unit_id),
    };
    let may = |a: Action| workflow::decide(d.kind, d.status, a, &actor, head).is_ok();
    let editable = may(Action::Edit);
    let controls = document_editor::controls(unsaved.as_ref().unwrap_or(&d.form));
    let enterprise = match &d.form {
        yici_domain::documents::Form::InquiryRecord(f) => f.interviewee.employer.clone(),
        yici_domain::documents::Form::ApprovalForm(f) => f.enterprise_name.clone(),
        yici_domain::documents::Form::InspectionNotice(f) => f.enterprise_name.clone(),
        yici_domain::documents::Form::SamplingNotice(f) => f.enterprise_name.clone(),
        yici_domain::documents::Form::OnsiteRecord(f) => f.enterprise_name.clone(),
        yici_domain::documents::Form::InspectionRecordSheet(f) => f.enterprise_name.clone(),
    };
    let page = DocumentPage {
        chrome: Chrome::new(session, "documents"),
        number: d.number_text.clone().unwrap_or_else(|| "（未编号）".into()),
        status_class: status_class(d.status),
        task_enterprise: enterprise,
        editable,
        controls,
        buttons: buttons(p, &d, head),
        may_serve: may(Action::Serve),
        may_void: may(Action::Void),
        history: d
            .events
            .iter()
            .map(|e| {
                (
                    display(e.at),
                    e.action_label.clone(),
                    e.actor_name.clone(),
                    e.opinion.clone().unwrap_or_default(),
                )
            })
            .collect(),
        error,
        notice,
        today: yici_domain::time::business_date(state.now()).to_string(),
        d,
    };
    Ok(Html(page.render().map_err(AppError::from)?).into_response())
}

/// Saves the editor.
pub async fn save(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(posted): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let d = documents::get(&state.db, &session.principal, state.now(), id).await?;
    let form = match document_editor::apply(&d.form, &posted) {
        Ok(f) => f,
        Err(e) => return render(&state, &session, id, Some(e.message), None, None).await,
    };
    match steps::edit(&state.db, state.now(), &session.principal, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?done=edit")).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Domain(d) => {
                render(&state, &session, id, Some(d.message), None, Some(form)).await
            }
            other => Err(other.into()),
        },
    }
}

#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    served_on: String,
    #[serde(default)]
    method_and_address: String,
}

/// A workflow button.
pub async fn act(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ActForm>,
) -> PageResult<Response> {
    let Some(action) = Action::parse(&form.action) else {
        return render(&state, &session, id, Some("未知的操作".into()), None, None).await;
    };
    let service = if action == Action::Serve {
        match super::forms::date(&form.served_on, "served_on", "送达日期格式有误") {
            Ok(Some(served_on)) => Some(Service {
                recipient: form.recipient.trim().to_string(),
                served_on,
                method_and_address: form.method_and_address.trim().to_string(),
            }),
            Ok(None) => {
                let missing = "请填写送达日期".to_string();
                return render(&state, &session, id, Some(missing), None, None).await;
            }
            Err(e) => return render(&state, &session, id, Some(e.message), None, None).await,
        }
    } else {
        None
    };
    let step = Step {
        action,
        opinion: Some(form.opinion),
        service,
    };
    match state.document_step(&session.principal, id, &step).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/documents/{id}?done={}", action.as_str())).into_response())
        }
        Err(e) => match AppError::from(e).for_form() {
            Ok(d) => render(&state, &session, id, Some(d.message), None, None).await,
            Err(other) => Err(other.into()),
        },
    }
}

/// The document as print HTML, PDF or DOCX.
pub async fn file(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path((id, format)): Path<(i64, String)>,
) -> PageResult<Response> {
    let format = match format.as_str() {
        "print" => Format::Html,
        "pdf" => Format::Pdf,
        "docx" => Format::Docx,
        _ => return Err(AppError::from(DomainError::not_found("页面不存在")).into()),
    };
    let d = documents::get(&state.db, &session.principal, state.now(), id).await?;
    Ok(document_files::response(&d, format).await?)
}

#[derive(Template)]
#[template(path = "documents/work.html")]
struct WorkPage {
    chrome: Chrome,
    inbox: Vec<DocRow>,
    owed: Vec<OwedTask>,
    year: i32,
    kinds: Vec<(&'static str, &'static str)>,
    is_office: bool,
}

/// 文书办理: what waits on the user, and the unit's visits still owing papers.
pub async fn work(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Response> {
    let p = &session.principal;
    let year = state.this_year();
    let inbox = documents::inbox(&state.db, p).await?;
    let owed = owed::owed_of_unit(&state.db, p, i64::from(year)).await?;
    let page = WorkPage {
        chrome: Chrome::new(&session, "documents"),
        inbox: inbox.iter().map(row).collect(),
        owed,
        year,
        kinds: DocumentKind::numbered()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        is_office: p.has(Role::OfficeClerk) || p.has(Role::SystemAdmin),
    };
    Ok(Html(page.render().map_err(AppError::from)?).into_response())
}

#[derive(Deserialize)]
pub struct RegisterQuery {
    kind: Option<String>,
    year: Option<i32>,
    unit: Option<i64>,
}

#[derive(Template)]
#[template(path = "documents/register.html")]
struct RegisterPage {
    chrome: Chrome,
    r: Register,
    kinds: Vec<(&'static str, &'static str)>,
    rows: Vec<RegisterRow>,
}

/// A register line as shown.
struct RegisterRow {
    number: i64,
    text: String,
    document_id: i64,
    enterprise: String,
    department: String,
    at: String,
    by: String,
    voided: bool,
    reason: String,
}

/// 文书编号登记簿: every number of a kind and year, and the gap check.
pub async fn register(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<RegisterQuery>,
) -> PageResult<Response> {
    let p = &session.principal;
    let kind = q
        .kind
        .as_deref()
        .and_then(DocumentKind::parse)
        .filter(|k| k.is_numbered())
        .unwrap_or(DocumentKind::ApprovalForm);
    let year = q.year.unwrap_or_else(|| state.this_year());
    let unit = q.unit.or(p.unit_id).unwrap_or(0);
    let r = numbering::register(&state.db, p, unit, kind, year).await?;
    let rows = r
        .lines
        .iter()
        .map(|l| RegisterRow {
            number: l.number,
            text: l.number_text.clone(),
            document_id: l.document_id,
            enterprise: l.enterprise_name.clone(),
            department: l.department_name.clone(),
            at: display(l.numbered_at),
            by: l.numbered_by_name.clone(),
            voided: l.voided,
            reason: l.void_reason.clone().unwrap_or_default(),
        })
        .collect();
    let page = RegisterPage {
        chrome: Chrome::new(&session, "documents"),
        kinds: DocumentKind::numbered()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        rows,
        r,
    };
    Ok(Html(page.render().map_err(AppError::from)?).into_response())
}

#[derive(Template)]
#[template(path = "documents/patterns.html")]
struct PatternsPage {
    chrome: Chrome,
    patterns: Vec<PatternView>,
    may_edit: bool,
    error: Option<String>,
    notice: Option<String>,
}

async fn render_patterns(
    state: &AppState,
    session: &Session,
    error: Option<String>,
    notice: Option<String>,
) -> PageResult<Response> {
    let p = &session.principal;
    let Some(unit) = p.unit_id else {
        return Err(
            AppError::from(DomainError::forbidden("只有单位的用户可以查看文书编号格式")).into(),
        );
    };
    let page = PatternsPage {
        chrome: Chrome::new(session, "documents"),
        patterns: numbering::patterns(&state.db, unit, state.this_year()).await?,
        may_edit: p.has(Role::OfficeClerk) || p.has(Role::SystemAdmin),
        error,
        notice,
    };
    Ok(Html(page.render().map_err(AppError::from)?).into_response())
}

pub async fn patterns(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<DoneQuery>,
) -> PageResult<Response> {
    let notice = q
        .done
        .map(|_| "编号格式已保存，此后编号的文书按新格式生成，序号连续不变。".to_string());
    render_patterns(&state, &session, None, notice).await
}

#[derive(Deserialize)]
pub struct PatternForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    pattern: String,
}

pub async fn set_pattern(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(form): CsrfForm<PatternForm>,
) -> PageResult<Response> {
    let Some(kind) = DocumentKind::parse(&form.kind) else {
        return render_patterns(&state, &session, Some("请选择文书种类".into()), None).await;
    };
    let unit = session.principal.unit_id.unwrap_or(0);
    let input = PatternInput {
        kind,
        pattern: form.pattern,
    };
    match numbering::set_pattern(&state.db, state.now(), &session.principal, unit, &input).await {
        Ok(_) => Ok(Redirect::to("/documents/patterns?done=1").into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Domain(d) => render_patterns(&state, &session, Some(d.message), None).await,
            other => Err(other.into()),
        },
    }
}
