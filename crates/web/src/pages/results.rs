//! 检查结果填报 on the phone (RESULT-1…RESULT-5), `/m/tasks/{id}/result`:
//! the department's items with 是否存在问题 / 问题描述, 其他, 企业基本情况,
//! 现场检查情况 and photos uploaded as they are taken; read-only once
//! submitted. `assets/field-result.js` keeps the draft on the phone and
//! submits it with its client id; without script the form still posts.
//!
//! 提交 cannot be undone: the form has a box to tick 「我已核对，提交后不可
//! 修改」 next to the button, and the page refuses a submission without it
//! (after the entries themselves are checked, so it is the last thing asked).
//! 企业基本情况 starts from what the registry holds about the enterprise.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::field::results::{check, check_correction_reason, ItemInput, ResultInput};
use yici_domain::time::display;
use yici_domain::{DomainError, ErrorKind};
use yici_store::auth::Session;
use yici_store::field::evidence::{self, Upload};
use yici_store::field::results::{self, CorrectionInput, Entry, Evidence, TaskResult};

use crate::error::{ApiError, AppError, PageResult};
use crate::evidence_files::{read_upload, serve_evidence};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct DepartmentQuery {
    pub department_id: Option<i64>,
}

struct ItemRow {
    id: String,
    code: String,
    name: String,
    checked: bool,
    yes: bool,
    no: bool,
    description: String,
}

struct Photo {
    id: i64,
    url: String,
}

/// A ticked item as every page shows it (the phone's result, the task
/// page's panel, the enterprise's findings).
pub struct ItemLine {
    /// The list's code as ticked (empty for 其他).
    pub code: String,
    pub name: String,
    pub has_problem: bool,
    pub description: String,
}

impl ItemLine {
    pub fn of(i: &yici_store::field::results::ResultItem) -> ItemLine {
        ItemLine {
            code: i.code.clone().unwrap_or_default(),
            name: i.label(),
            has_problem: i.has_problem,
            description: i.problem_description.clone().unwrap_or_default(),
        }
    }
}

struct Shown {
    items: Vec<ItemLine>,
    enterprise_situation: String,
    onsite_findings: String,
    photos: Vec<Photo>,
    submitted_by_name: String,
    submitted_at: String,
    late: bool,
    due_on: String,
    /// Set on a correction: why the result before it was wrong.
    correction_reason: Option<String>,
}

struct DepartmentState {
    name: String,
    label: String,
    submitted: bool,
    mine: bool,
}

#[derive(Template)]
#[template(path = "field/result.html")]
struct ResultPage {
    task_id: i64,
    enterprise_name: String,
    enterprise_address: String,
    unit_name: String,
    department_id: i64,
    department_name: String,
    reporter_name: String,
    csrf: String,
    client_id: String,
    draft_key: String,
    checked_in: bool,
    items: Vec<ItemRow>,
    other_checked: bool,
    other_text: String,
    other_yes: bool,
    other_no: bool,
    other_description: String,
    enterprise_situation: String,
    onsite_findings: String,
    photos: Vec<Photo>,
    max_mb: String,
    error: Option<String>,
    /// The field the error is about (`items`, `enterprise_situation`,
    /// `onsite_findings`, `evidence_ids`, `reason`, `confirm_final`), to be
    /// marked where it is; empty when it is about the whole form.
    error_field: String,
    submitted: Option<Shown>,
    /// Results the one in force replaced, newest first.
    superseded: Vec<Shown>,
    task_status: String,
    departments: Vec<DepartmentState>,
    /// The year of the department's list, and whether it has one (DOC-1).
    list_year: i64,
    /// Correcting the result in force (RESULT-3): its id and the reason typed.
    correcting: Option<Correcting>,
}

/// The correction form's own values.
#[derive(Default, Clone)]
struct Correcting {
    corrects_id: i64,
    reason: String,
}

/// The form's values as posted (or empty).
#[derive(Default)]
struct Values {
    items: Vec<ItemInput>,
    other: Option<ItemInput>,
    enterprise_situation: String,
    onsite_findings: String,
    evidence_ids: Vec<i64>,
    client_id: Option<String>,
}

fn shown(r: &TaskResult) -> Shown {
    Shown {
        items: r.items.iter().map(ItemLine::of).collect(),
        enterprise_situation: r.enterprise_situation.clone(),
        onsite_findings: r.onsite_findings.clone(),
        photos: r.evidence.iter().map(photo).collect(),
        submitted_by_name: r.submitted_by_name.clone(),
        submitted_at: display(r.submitted_at),
        late: r.late,
        due_on: r.due_on.to_string(),
        correction_reason: r.correction_reason.clone(),
    }
}

fn photo(e: &Evidence) -> Photo {
    Photo {
        id: e.id,
        url: format!("/m/evidence/{}", e.id),
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    entry: Entry,
    values: Values,
    error: Option<DomainError>,
    correcting: Option<Correcting>,
) -> PageResult<ResultPage> {
    let department = entry.reporter.department_id;
    let overview =
        results::of_task(&state.db, &session.principal, state.now(), entry.task.id).await?;
    let items = entry
        .items
        .iter()
        .map(|it| {
            let posted = values.items.iter().find(|p| p.item_id == Some(it.id));
            ItemRow {
                id: it.id.to_string(),
                code: it.code.clone(),
                name: it.name.clone(),
                checked: posted.is_some(),
                yes: posted.is_some_and(|p| p.has_problem == Some(true)),
                no: posted.is_some_and(|p| p.has_problem == Some(false)),
                description: posted
                    .and_then(|p| p.problem_description.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let other = values.other.clone().unwrap_or_default();
    let mut photos: Vec<Photo> = entry.pending_evidence.iter().map(photo).collect();
    // Photos named by the posted form come first, in their order.
    photos.sort_by_key(|p| !values.evidence_ids.contains(&p.id));
    Ok(ResultPage {
        task_id: entry.task.id,
        enterprise_name: entry.task.enterprise_name.clone(),
        enterprise_address: entry.task.enterprise_address.clone(),
        unit_name: entry.task.unit_name.clone(),
        department_id: department,
        department_name: entry.reporter.department_name.clone(),
        reporter_name: entry.reporter.name.clone(),
        csrf: session.csrf_token.clone(),
        client_id: values.client_id.clone().unwrap_or_else(new_client_id),
        draft_key: match &correcting {
            Some(c) => format!(
                "yici-correction-{}-{}-{}",
                entry.task.id, department, c.corrects_id
            ),
            None => format!("yici-result-{}-{}", entry.task.id, department),
        },
        checked_in: entry.checked_in_at.is_some(),
        items,
        other_checked: values.other.is_some(),
        other_text: other.other.unwrap_or_default(),
        other_yes: other.has_problem == Some(true),
        other_no: other.has_problem == Some(false),
        other_description: other.problem_description.unwrap_or_default(),
        enterprise_situation: values.enterprise_situation,
        onsite_findings: values.onsite_findings,
        photos,
        max_mb: format!(
            "{:.0}",
            state.config.evidence_max_bytes as f64 / (1024.0 * 1024.0)
        ),
        error_field: error
            .as_ref()
            .and_then(|e| e.field)
            .unwrap_or("")
            .to_string(),
        error: error.map(|e| e.message),
        // While correcting, the form shows (the result in force is beside it).
        submitted: if correcting.is_some() {
            None
        } else {
            entry.submitted.as_ref().map(shown)
        },
        superseded: overview
            .departments
            .iter()
            .find(|d| d.department_id == department)
            .map(|d| d.superseded.iter().map(shown).collect())
            .unwrap_or_default(),
        list_year: entry.task.year,
        correcting,
        task_status: overview.status_label.clone(),
        departments: overview
            .departments
            .iter()
            .map(|d| DepartmentState {
                name: d.department_name.clone(),
                label: d.state_label.clone(),
                submitted: d.result.is_some(),
                mine: d.department_id == department,
            })
            .collect(),
    })
}

/// A fallback client id for a browser without script (the script replaces
/// it with the draft's own).
fn new_client_id() -> String {
    let b: [u8; 16] = rand_bytes();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn rand_bytes() -> [u8; 16] {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b
}

fn page(p: ResultPage, status: StatusCode) -> PageResult<Response> {
    Ok((status, Html(p.render()?)).into_response())
}

/// The entry form, or the submitted result read-only.
pub async fn form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<DepartmentQuery>,
) -> PageResult<Response> {
    let entry = results::entry(
        &state.db,
        &session.principal,
        state.now(),
        id,
        q.department_id,
    )
    .await?;
    let values = Values {
        enterprise_situation: registry_situation(&state, entry.task.enterprise_id).await?,
        ..Values::default()
    };
    let p = render(&state, &session, entry, values, None, None).await?;
    page(p, StatusCode::OK)
}

/// 企业基本情况 as the registry (一企一档) has it, one fact a line, for the
/// inspector to check on site and complete rather than type out.
async fn registry_situation(state: &AppState, enterprise_id: i64) -> PageResult<String> {
    let found = yici_store::registry::enterprises::get(&mut &state.db, enterprise_id)
        .await
        .map_err(AppError::from)?;
    let Some(e) = found else {
        return Ok(String::new());
    };
    let mut lines = vec![
        format!("企业名称：{}", e.name),
        format!("统一社会信用代码：{}", e.uscc),
    ];
    if let Some(permit) = e.permit_code.as_deref().filter(|p| !p.is_empty()) {
        lines.push(format!("排污许可证代码：{permit}"));
    }
    lines.push(format!(
        "地址：{}{}{}",
        e.city_name, e.county_name, e.address
    ));
    lines.push(format!(
        "行业类别：{}（{}）",
        e.industry_name, e.industry_code
    ));
    lines.push(format!("监管类别：{}", e.category.label()));
    if let Some(park) = e.industrial_park.as_deref().filter(|p| !p.is_empty()) {
        lines.push(format!("所在园区：{park}"));
    }
    match (e.contact_name.as_deref(), e.contact_phone.as_deref()) {
        (Some(n), Some(p)) => lines.push(format!("联系人：{n}，电话：{p}")),
        (Some(n), None) => lines.push(format!("联系人：{n}")),
        (None, Some(p)) => lines.push(format!("联系电话：{p}")),
        (None, None) => {}
    }
    lines.push(format!("生产状态：{}", e.status.label()));
    Ok(lines.join("\n"))
}

/// The values of a stored result, to start a correction from.
fn values_of(r: &TaskResult) -> Values {
    let input = |i: &yici_store::field::results::ResultItem| ItemInput {
        item_id: i.item_id,
        other: i.other.clone(),
        has_problem: Some(i.has_problem),
        problem_description: i.problem_description.clone(),
    };
    Values {
        items: r
            .items
            .iter()
            .filter(|i| i.item_id.is_some())
            .map(input)
            .collect(),
        other: r.items.iter().find(|i| i.item_id.is_none()).map(input),
        enterprise_situation: r.enterprise_situation.clone(),
        onsite_findings: r.onsite_findings.clone(),
        evidence_ids: Vec::new(),
        client_id: None,
    }
}

/// 更正结果 (RESULT-3): the form again, filled with the result in force,
/// with the reason to give; submitting stores a new, linked result.
pub async fn correction_form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<DepartmentQuery>,
) -> PageResult<Response> {
    let entry = results::entry(
        &state.db,
        &session.principal,
        state.now(),
        id,
        q.department_id,
    )
    .await?;
    let Some(current) = entry.submitted.clone() else {
        let to = format!("/m/tasks/{id}/result");
        return Ok(Redirect::to(&to).into_response());
    };
    let correcting = Correcting {
        corrects_id: current.id,
        reason: String::new(),
    };
    let p = render(
        &state,
        &session,
        entry,
        values_of(&current),
        None,
        Some(correcting),
    )
    .await?;
    page(p, StatusCode::OK)
}

/// Reads the posted form: `item` (ticked ids), `problem_<id>` 是/否,
/// `desc_<id>`, `other_checked`, `other_text`, `problem_other`,
/// `desc_other`, the two texts, `evidence_ids`, `client_id`.
fn parse(pairs: &[(String, String)]) -> (Values, Option<i64>) {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let yes_no = |k: &str| match get(k).as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let mut v = Values::default();
    for (n, val) in pairs {
        match n.as_str() {
            "item" => {
                if let Ok(id) = val.parse::<i64>() {
                    v.items.push(ItemInput {
                        item_id: Some(id),
                        other: None,
                        has_problem: yes_no(&format!("problem_{id}")),
                        problem_description: get(&format!("desc_{id}")),
                    });
                }
            }
            "evidence_ids" => {
                if let Ok(id) = val.parse::<i64>() {
                    v.evidence_ids.push(id);
                }
            }
            _ => {}
        }
    }
    if get("other_checked").is_some() {
        v.other = Some(ItemInput {
            item_id: None,
            // An empty 其他 is still ticked: the check says what is missing.
            other: Some(get("other_text").unwrap_or_default()),
            has_problem: yes_no("problem_other"),
            problem_description: get("desc_other"),
        });
    }
    v.enterprise_situation = get("enterprise_situation").unwrap_or_default();
    v.onsite_findings = get("onsite_findings").unwrap_or_default();
    v.client_id = get("client_id");
    let department = get("department_id").and_then(|d| d.parse().ok());
    (v, department)
}

/// The form's items as a submission names them: a 其他 ticked without text
/// is reported as such rather than as "choose an item".
fn input_of(values: &Values, department: Option<i64>) -> Result<ResultInput, DomainError> {
    let mut items = values.items.clone();
    if let Some(o) = &values.other {
        if o.other.as_deref().map(str::trim).unwrap_or("").is_empty() {
            return Err(DomainError::field(
                "items",
                "required",
                "已勾选“其他”，请填写其他检查内容",
            ));
        }
        items.push(o.clone());
    }
    Ok(ResultInput {
        client_id: values.client_id.clone(),
        department_id: department,
        items,
        enterprise_situation: Some(values.enterprise_situation.clone()),
        onsite_findings: Some(values.onsite_findings.clone()),
        evidence_ids: values.evidence_ids.clone(),
    })
}

/// After a post: the read-only result on success, the form with the error
/// beside it otherwise.
async fn after_post(
    state: &AppState,
    session: &Session,
    id: i64,
    department: Option<i64>,
    outcome: Result<(), AppError>,
    values: Values,
    correcting: Option<Correcting>,
) -> PageResult<Response> {
    match outcome {
        Ok(()) => {
            let to = match department {
                Some(d) => format!("/m/tasks/{id}/result?department_id={d}"),
                None => format!("/m/tasks/{id}/result"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Domain(e)) => {
            let status = crate::error::status_of(&e);
            let entry =
                results::entry(&state.db, &session.principal, state.now(), id, department).await?;
            let p = render(state, session, entry, values, Some(e), correcting).await?;
            page(p, status)
        }
        Err(other) => Err(other.into()),
    }
}

/// The box 「我已核对，提交后不可修改」 was ticked.
fn confirmed(pairs: &[(String, String)]) -> bool {
    pairs
        .iter()
        .any(|(k, v)| k == "confirm_final" && !v.is_empty())
}

/// A submission without the confirmation: its entries are checked first
/// (what is wrong with them is said before anything else), then the
/// confirmation is asked for beside the button. Nothing is written.
async fn unconfirmed(
    state: &AppState,
    session: &Session,
    id: i64,
    department: Option<i64>,
    input: &ResultInput,
    correcting: bool,
) -> Result<(), AppError> {
    let entry = results::entry(&state.db, &session.principal, state.now(), id, department).await?;
    if !correcting && entry.submitted.is_some() {
        // Already submitted: no new result can be written, so the store
        // answers — the refusal, or the same result for a resent submission.
        return results::submit(&state.db, state.now(), &session.principal, id, input)
            .await
            .map(|_| ())
            .map_err(AppError::from);
    }
    let list: Vec<i64> = entry.items.iter().map(|i| i.id).collect();
    check(input, entry.reporter.department_id, &list)?;
    Err(DomainError::field(
        "confirm_final",
        "unconfirmed",
        "提交后不可修改：请核对后勾选“我已核对，提交后不可修改”，再点提交",
    )
    .into())
}

/// 提交: stored once (a repeated post with the same client id and body
/// lands on the same result), then the read-only page.
pub async fn submit(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let (values, department) = parse(&pairs);
    let outcome = match input_of(&values, department) {
        Err(e) => Err(AppError::from(e)),
        Ok(input) if !confirmed(&pairs) => {
            unconfirmed(&state, &session, id, department, &input, false).await
        }
        Ok(input) => results::submit(&state.db, state.now(), &session.principal, id, &input)
            .await
            .map(|_| ())
            .map_err(AppError::from),
    };
    after_post(&state, &session, id, department, outcome, values, None).await
}

/// 提交更正: a new result linked to the one in force, with its reason.
pub async fn correct(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let (values, department) = parse(&pairs);
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let correcting = Correcting {
        corrects_id: get("corrects_id").and_then(|v| v.parse().ok()).unwrap_or(0),
        reason: get("reason").unwrap_or_default(),
    };
    let outcome = match input_of(&values, department) {
        Err(e) => Err(AppError::from(e)),
        Ok(result) if !confirmed(&pairs) => {
            match check_correction_reason(Some(&correcting.reason)) {
                Err(e) => Err(AppError::from(e)),
                Ok(_) => unconfirmed(&state, &session, id, department, &result, true).await,
            }
        }
        Ok(result) => {
            let input = CorrectionInput {
                corrects_id: Some(correcting.corrects_id),
                reason: Some(correcting.reason.clone()),
                result,
            };
            results::correct(&state.db, state.now(), &session.principal, id, &input)
                .await
                .map(|_| ())
                .map_err(AppError::from)
        }
    };
    after_post(
        &state,
        &session,
        id,
        department,
        outcome,
        values,
        Some(correcting),
    )
    .await
}

/// A photo from the form, uploaded as soon as it is taken: JSON like the API
/// (`{id, sha256, …}` or `{code, message, field}`). The CSRF token comes as a
/// `_csrf` part or an `X-CSRF-Token` header.
pub async fn upload(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    req: Request,
) -> Response {
    let header_token = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let run = async {
        let max = state.config.evidence_max_bytes;
        let form = read_upload(&state, req, max).await?;
        let given = header_token.or(form.csrf.clone()).unwrap_or_default();
        if given.is_empty() || given != session.csrf_token {
            return Err(AppError::from(DomainError::new(
                ErrorKind::Forbidden,
                "csrf",
                "页面已过期或来源不明，请刷新页面后重试",
            )));
        }
        let (e, created) = evidence::upload(
            &state.db,
            &state.config.evidence_dir,
            max,
            state.now(),
            &session.principal,
            id,
            Upload {
                bytes: form.bytes,
                client_id: form.client_id,
                department_id: form.department_id,
            },
        )
        .await?;
        Ok::<_, AppError>((e, created))
    };
    match run.await {
        Ok((e, created)) => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let url = format!("/m/evidence/{}", e.id);
            (
                status,
                axum::Json(serde_json::json!({
                    "id": e.id, "sha256": e.sha256, "content_type": e.content_type,
                    "size_bytes": e.size_bytes, "url": url
                })),
            )
                .into_response()
        }
        Err(e) => ApiError(e).into_response(),
    }
}

/// An evidence photo for whoever may see its task.
pub async fn evidence_file(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    Ok(serve_evidence(&state, &session.principal, id).await?)
}
