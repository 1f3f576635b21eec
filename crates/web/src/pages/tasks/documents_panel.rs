//! The 检查文书 panel of the task page (DOC-2…DOC-7): the task's documents,
//! what the user's department may draft, the 检查方式 and 口头通知; and its
//! forms `/tasks/{id}/documents` (起草: on to the new draft) and
//! `/tasks/{id}/procedure` (back to the task with its notice). An error goes
//! back on the task page, beside the panel's form.
//!
//! Its template is `tasks/documents_panel.html`, included by the task page.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::documents::workflow::DocumentStatus;
use yici_domain::documents::DocumentKind;
use yici_domain::org::Role;
use yici_domain::time::display;
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::documents::owed::{self, Procedure, ProcedureInput};
use yici_store::documents::{self, draft};
use yici_store::draw::tasks::Task;

use super::task::after_task_form;
use crate::error::{AppError, PageResult};
use crate::pages::documents::{row, DocRow};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// The documents panel of the task page.
pub struct DocsPanel {
    pub rows: Vec<DocRow>,
    pub procedure: Procedure,
    /// Kinds the user's department may draft here (code, label).
    pub draftable: Vec<(&'static str, &'static str)>,
    /// The initiating department: sets 非现场检查 and records 口头通知.
    pub may_set_procedure: bool,
    /// When the oral notice was given, as shown.
    pub oral_notice_at: String,
}

pub async fn panel(state: &AppState, session: &Session, task: &Task) -> PageResult<DocsPanel> {
    let p = &session.principal;
    // The task page has loaded (and so checked) the task.
    let docs = documents::of_visible_task(&state.db, task.id).await?;
    let procedure = owed::procedure(&mut &state.db, task.id).await?;
    let initiating = p.department_id == Some(task.department_id);
    let participating = task.participants.iter().any(|x| {
        Some(x.department_id) == p.department_id
            && x.decision != Some(yici_domain::joint::Decision::Decline)
    });
    let live = |k: DocumentKind| {
        docs.iter()
            .any(|d| d.kind == k && d.status != DocumentStatus::Void)
    };
    let may_draft = |k: DocumentKind| {
        let by_department = match k {
            DocumentKind::ApprovalForm
            | DocumentKind::InspectionNotice
            | DocumentKind::SamplingNotice => initiating,
            _ => initiating || participating,
        };
        let once = matches!(
            k,
            DocumentKind::ApprovalForm | DocumentKind::InspectionNotice
        );
        by_department
            && !(once && live(k))
            && !(k == DocumentKind::ApprovalForm && procedure.remote)
            && task.status != yici_domain::draw::task::TaskStatus::Cancelled
    };
    let staff = p.has(Role::Inspector)
        || p.has(Role::Secretary)
        || p.has(Role::DepartmentAdmin)
        || p.has(Role::DepartmentHead);
    Ok(DocsPanel {
        rows: docs.iter().map(row).collect(),
        draftable: if staff {
            DocumentKind::ALL
                .iter()
                .filter(|k| may_draft(**k))
                .map(|k| (k.as_str(), k.label()))
                .collect()
        } else {
            Vec::new()
        },
        may_set_procedure: initiating
            && task.status != yici_domain::draw::task::TaskStatus::Cancelled,
        oral_notice_at: procedure.oral_notice_at.map(display).unwrap_or_default(),
        procedure,
    })
}

#[derive(Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    kind: String,
}

/// 起草 on the task page: the new draft opens in the editor.
pub async fn create(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(task_id): Path<i64>,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> PageResult<Response> {
    let outcome = match DocumentKind::parse(&form.kind) {
        None => Err(DomainError::field("kind", "required", "请选择文书种类").into()),
        Some(kind) => draft::draft(
            &state.db,
            state.now(),
            &session.principal,
            task_id,
            kind,
            state.config.draw.caps.per_unit,
        )
        .await
        .map_err(AppError::from),
    };
    match outcome {
        Ok(doc) => Ok(Redirect::to(&format!("/documents/{}", doc.id)).into_response()),
        Err(e) => after_task_form(&state, &session, task_id, "documents", Err(e)).await,
    }
}

#[derive(Deserialize)]
pub struct ProcedureForm {
    #[serde(default)]
    remote: String,
    #[serde(default)]
    oral_notice_reason: String,
    #[serde(default)]
    oral_notice_reported_to: String,
}

impl ProcedureForm {
    /// The API's request.
    fn into_request(self) -> ProcedureInput {
        ProcedureInput {
            remote: match self.remote.as_str() {
                "remote" => Some(true),
                "on_site" => Some(false),
                _ => None,
            },
            oral_notice_reason: Some(self.oral_notice_reason),
            oral_notice_reported_to: Some(self.oral_notice_reported_to),
        }
    }
}

/// 检查方式 (现场 / 非现场) or an urgent 口头通知, from the task page.
pub async fn set_procedure(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(task_id): Path<i64>,
    CsrfForm(form): CsrfForm<ProcedureForm>,
) -> PageResult<Response> {
    let input = form.into_request();
    let outcome = owed::set(&state.db, state.now(), &session.principal, task_id, &input)
        .await
        .map(|_| "procedure")
        .map_err(AppError::from);
    after_task_form(&state, &session, task_id, "procedure", outcome).await
}
