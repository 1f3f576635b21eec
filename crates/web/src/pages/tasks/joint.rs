//! The joint-inspection forms of the task page: `/tasks/{id}/settings`
//! 任务设置 (JOINT-1), `/tasks/{id}/participation` the 参加 dialog (JOINT-3)
//! and `/tasks/{id}/partners` 邀请协作部门 (JOINT-6). Each goes back to the
//! task page ([`super::task`]) with its notice or its error.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use yici_domain::DomainError;
use yici_store::draw::tasks;
use yici_store::joint::participants::{self, DecisionRequest};
use yici_store::joint::settings::{self, TaskSettings};

use super::task::{after_form, render_task, TaskForms};
use crate::draw_access::initiator;
use crate::error::{AppError, PageResult};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// The ticked people of a form (`inspector_id`, repeated), in order.
fn ticked_ids(pairs: &[(String, String)]) -> Result<Vec<i64>, DomainError> {
    pairs
        .iter()
        .filter(|(k, _)| k == "inspector_id")
        .map(|(_, v)| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| DomainError::field("inspector_ids", "invalid", "检查人员有误"))
        })
        .collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// 任务设置 (JOINT-1): the planned date and the initiating department's inspectors.
pub async fn task_settings(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    tasks::get(&state.db, &session.principal, state.now(), id).await?;
    let planned = field(&pairs, "planned_on").trim().to_string();
    let ids = ticked_ids(&pairs);
    let f = TaskForms {
        planned_on: Some(planned.clone()),
        settings_ids: Some(ids.clone().unwrap_or_default()),
        ..TaskForms::default()
    };
    let planned_on = match planned.as_str() {
        "" => Ok(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| DomainError::field("planned_on", "invalid", "计划现场检查日期格式有误")),
    };
    let result = match (planned_on, ids) {
        (Err(e), _) | (_, Err(e)) => Err(AppError::from(e)),
        (Ok(planned_on), Ok(inspector_ids)) => match initiator(&session.principal, None) {
            Ok(who) => settings::set(
                &state.db,
                state.now(),
                &who,
                id,
                &TaskSettings {
                    planned_on,
                    inspector_ids,
                },
            )
            .await
            .map_err(AppError::from),
            Err(e) => Err(e),
        },
    };
    after_form(
        &state,
        &session,
        id,
        f,
        "settings",
        result.map(|_| "settings"),
    )
    .await
}

/// The 参加 dialog (JOINT-3): 是否参加本次检查, and the department's inspectors.
pub async fn participation(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    tasks::get(&state.db, &session.principal, state.now(), id).await?;
    let join = field(&pairs, "join").trim().to_string();
    let ids = ticked_ids(&pairs);
    let f = TaskForms {
        join: join.clone(),
        join_ids: ids.clone().unwrap_or_default(),
        ..TaskForms::default()
    };
    let join = match join.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(DomainError::field(
            "join",
            "required",
            "请选择是否参加本次检查",
        )),
    };
    let result = match (join, ids) {
        (Err(e), _) | (_, Err(e)) => Err(AppError::from(e)),
        (Ok(join), Ok(inspector_ids)) => participants::decide(
            &state.db,
            state.now(),
            &session.principal,
            id,
            &DecisionRequest {
                join,
                // Ticks left over from 是 do not count once 否 is chosen.
                inspector_ids: if join { inspector_ids } else { Vec::new() },
                department_id: None,
            },
        )
        .await
        .map(|_| join)
        .map_err(AppError::from),
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
    tasks::get(&state.db, &session.principal, state.now(), id).await?;
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
