//! The joint-inspection forms of the task page: `/tasks/{id}/participation`
//! the 参加 dialog (JOINT-3) and `/tasks/{id}/partners` 邀请协作部门
//! (JOINT-6). Each goes back to the task page ([`super::task`]) with its
//! notice or its error. 任务设置 (JOINT-1) is the dialog of [`super::settings`].

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use yici_domain::DomainError;
use yici_store::joint::participants::{self, DecisionRequest};

use super::task::{after_form, render_task, TaskForms};
use crate::draw_access::initiator;
use crate::error::{AppError, PageResult};
use crate::pages::forms::{self, ListField, Listed};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// The ticked people of a form (`inspector_id`, repeated), in order.
fn inspector_ids(list: &[String]) -> Result<Vec<i64>, DomainError> {
    forms::ids(list, "inspector_ids", "检查人员有误")
}

/// The 参加 dialog as typed: `join` (`true` / `false`) and the ticked
/// `inspector_id`s.
#[derive(Deserialize)]
pub struct ParticipationForm {
    #[serde(default)]
    join: String,
}

impl ListField for ParticipationForm {
    const LIST: &'static str = "inspector_id";
}

impl ParticipationForm {
    /// The API's request, for the user's own department.
    fn to_request(&self, inspectors: &[String]) -> Result<DecisionRequest, DomainError> {
        let join = match self.join.trim() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(DomainError::field(
                    "join",
                    "required",
                    "请选择是否参加本次检查",
                ))
            }
        };
        let inspector_ids = inspector_ids(inspectors)?;
        Ok(DecisionRequest {
            join,
            // Ticks left over from 是 do not count once 否 is chosen.
            inspector_ids: if join { inspector_ids } else { Vec::new() },
            department_id: None,
        })
    }
}

/// The 参加 dialog (JOINT-3): 是否参加本次检查, and the department's inspectors.
pub async fn participation(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(Listed { form, list }): CsrfForm<Listed<ParticipationForm>>,
) -> PageResult<Response> {
    let f = TaskForms {
        join: form.join.trim().to_string(),
        join_ids: inspector_ids(&list).unwrap_or_default(),
        ..TaskForms::default()
    };
    let result = match form.to_request(&list) {
        Err(e) => Err(AppError::from(e)),
        Ok(request) => {
            participants::decide(&state.db, state.now(), &session.principal, id, &request)
                .await
                .map(|_| request.join)
                .map_err(AppError::from)
        }
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
