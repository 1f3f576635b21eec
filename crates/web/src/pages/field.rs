//! The field app (执法端, APP-1, APP-2) and the enterprise's entry (企业端,
//! APP-7) as phone-first pages (390 px wide and up):
//!
//! * `/m` 任务管理 (未办理 / 已办理), `/m/tasks/{id}` 任务信息 with the
//!   检查二维码, 跳过 with a reason, and the 企业端下载 code;
//! * `/e/check-in?token=…` what the enterprise sees when it scans the code
//!   (no login needed to read the verdict; confirming needs the enterprise's
//!   own account), `/e/signup` 企业注册 (a code to the registry's contact
//!   mobile, then `/e/signup/verify`) and `/e/activation` 申请开通 (SEC-5).
//!
//! The enterprise's own pages (`/e`, its inspections) are in
//! [`super::enterprise`].

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use yici_domain::field::checkin::MAX_SKIP_REASON_CHARS;
use yici_domain::field::sign_up;
use yici_domain::org::Role;
use yici_domain::time::display;
use yici_store::auth::Session;
use yici_store::field::activation::{self, ActivationRequestBody};
use yici_store::field::checkin::{self, FieldTask, MyTask};
use yici_store::field::enterprise_sign_up::{self, CodeRequestBody, SignUp};

use crate::check_in::{
    base_url, confirm_token, enterprise_account, issue, qr_svg, verification, CheckInCode,
};
use crate::error::{status_of, AppError, PageResult};
use crate::session::{self, CsrfForm, CurrentSession, WebUser};
use crate::state::AppState;

/// The frame of the phone pages.
pub struct FieldChrome {
    pub display_name: String,
    pub csrf: String,
    pub logged_in: bool,
    pub enterprise: bool,
}

impl FieldChrome {
    pub(crate) fn of(session: Option<&Session>) -> FieldChrome {
        match session {
            Some(s) => FieldChrome {
                display_name: s.principal.display_name.clone(),
                csrf: s.csrf_token.clone(),
                logged_in: true,
                enterprise: s.principal.has(Role::EnterpriseUser),
            },
            None => FieldChrome {
                display_name: String::new(),
                csrf: String::new(),
                logged_in: false,
                enterprise: false,
            },
        }
    }
}

/// A task as the pages show it.
pub struct PlanView {
    pub t: FieldTask,
    pub participating: String,
    pub drawn_at: String,
    pub planned_on: String,
    pub checked_in: Option<String>,
}

impl PlanView {
    pub(crate) fn of(t: FieldTask) -> PlanView {
        PlanView {
            participating: if t.participating_departments.is_empty() {
                "—".into()
            } else {
                t.participating_departments.join("、")
            },
            drawn_at: display(t.drawn_at),
            planned_on: t.planned_on.map_or("—".into(), |d| d.to_string()),
            checked_in: t.check_in.as_ref().map(|c| {
                let mut s = format!("{} {}", display(c.at), c.method_label);
                if let Some(by) = &c.by_name {
                    s.push_str(&format!("（{by}）"));
                }
                if let Some(r) = &c.skip_reason {
                    s.push_str(&format!("，原因：{r}"));
                }
                s
            }),
            t,
        }
    }
}

fn inspector_person(session: &Session) -> PageResult<i64> {
    session.principal.person_id.ok_or_else(|| {
        AppError::from(yici_domain::DomainError::forbidden(
            "执法端仅供检查人员使用（请用本人手机号登录）",
        ))
        .into()
    })
}

pub struct TaskRow {
    pub id: i64,
    pub enterprise: String,
    pub address: String,
    pub status: String,
    pub planned_on: String,
    pub checked_in: bool,
}

pub struct DepartmentGroup {
    pub name: String,
    pub tasks: Vec<TaskRow>,
}

#[derive(Template)]
#[template(path = "field/tasks.html")]
struct TasksPage {
    chrome: FieldChrome,
    done_tab: bool,
    todo_count: usize,
    done_count: usize,
    groups: Vec<DepartmentGroup>,
}

#[derive(Deserialize, Default)]
pub struct TabQuery {
    #[serde(default)]
    tab: String,
}

/// 任务管理: 未办理 / 已办理, grouped by the department the user inspects for.
pub async fn tasks(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<TabQuery>,
) -> PageResult<Html<String>> {
    let person = inspector_person(&session)?;
    let mine = checkin::for_inspector(&state.db, person, state.now()).await?;
    let done_tab = q.tab == "done";
    let todo_count = mine.iter().filter(|m| !m.done).count();
    let mut groups: Vec<DepartmentGroup> = Vec::new();
    for m in mine.iter().filter(|m| m.done == done_tab) {
        let row = TaskRow {
            id: m.task.id,
            enterprise: m.task.enterprise_name.clone(),
            address: m.task.enterprise_address.clone(),
            status: m.task.status_label.clone(),
            planned_on: m.task.planned_on.map_or("未定".into(), |d| d.to_string()),
            checked_in: m.task.check_in.is_some(),
        };
        match groups.iter_mut().find(|g| g.name == m.for_department_name) {
            Some(g) => g.tasks.push(row),
            None => groups.push(DepartmentGroup {
                name: m.for_department_name.clone(),
                tasks: vec![row],
            }),
        }
    }
    Ok(Html(
        TasksPage {
            chrome: FieldChrome::of(Some(&session)),
            done_tab,
            todo_count,
            done_count: mine.len() - todo_count,
            groups,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "field/task.html")]
struct TaskPage {
    chrome: FieldChrome,
    p: PlanView,
    for_department: String,
    done: bool,
    open: bool,
    code: Option<CheckInCode>,
    expires: String,
    signup_svg: String,
    reason: String,
    error: Option<String>,
    max_reason: usize,
}

async fn task_page(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    id: i64,
    reason: String,
    error: Option<String>,
) -> PageResult<TaskPage> {
    let person = inspector_person(session)?;
    let mine: MyTask = checkin::for_inspector_one(&state.db, person, id, state.now()).await?;
    let open = checkin::check_open(&mine.task).is_ok();
    // A fresh code at each showing; none once the visit has started.
    let code = (open && mine.task.check_in.is_none()).then(|| issue(state, headers, id, person));
    let signup_url = format!("{}/e/signup", base_url(state, headers));
    Ok(TaskPage {
        chrome: FieldChrome::of(Some(session)),
        expires: code
            .as_ref()
            .map(|c| display(c.expires_at))
            .unwrap_or_default(),
        code,
        signup_svg: qr_svg(&signup_url),
        for_department: mine.for_department_name,
        done: mine.done,
        open,
        p: PlanView::of(mine.task),
        reason,
        error,
        max_reason: MAX_SKIP_REASON_CHARS,
    })
}

/// 任务信息 with the 检查二维码.
pub async fn task(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    Ok(Html(
        task_page(&state, &session, &headers, id, String::new(), None)
            .await?
            .render()?,
    ))
}

#[derive(Deserialize)]
pub struct SkipForm {
    #[serde(default)]
    reason: String,
}

/// 跳过: the reason is required; the page shows the refusal beside it.
pub async fn skip(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<SkipForm>,
) -> PageResult<Response> {
    match checkin::skip(&state.db, state.now(), &session.principal, id, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/m/tasks/{id}")).into_response()),
        Err(e) => {
            let err = AppError::from(e);
            let Some(d) = err.domain().filter(|d| d.field == Some("reason")) else {
                return Err(err.into());
            };
            let status = status_of(d);
            let page = task_page(
                &state,
                &session,
                &headers,
                id,
                form.reason,
                Some(d.message.clone()),
            )
            .await?;
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "field/checkin.html")]
struct CheckInPage {
    chrome: FieldChrome,
    verdict: String,
    message: String,
    token: String,
    expires: String,
    p: Option<PlanView>,
    /// The logged-in enterprise account is the inspected enterprise.
    may_confirm: bool,
    other_enterprise: bool,
    confirmed: bool,
    error: Option<String>,
    login_next: String,
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
    #[serde(default)]
    confirmed: String,
}

async fn check_in_page(
    state: &AppState,
    session: Option<&Session>,
    token: &str,
    error: Option<String>,
) -> PageResult<CheckInPage> {
    let (_, v) = verification(state, token).await.map_err(|e| e.0)?;
    let mut page = CheckInPage {
        chrome: FieldChrome::of(session),
        verdict: v.verdict.clone(),
        message: v.message.clone(),
        token: token.to_string(),
        expires: v.expires_at.map(display).unwrap_or_default(),
        p: v.plan.map(PlanView::of),
        may_confirm: false,
        other_enterprise: false,
        confirmed: false,
        error,
        login_next: session::url_encode(&format!("/e/check-in?token={token}")),
    };
    if let (Some(s), Some(p)) = (session, page.p.as_ref()) {
        if s.principal.has(Role::EnterpriseUser) {
            if let Ok(e) = enterprise_account(state, &s.principal).await {
                page.may_confirm = e.id == p.t.enterprise_id;
                page.other_enterprise = !page.may_confirm;
            }
        }
        page.confirmed = p.t.check_in.as_ref().is_some_and(|c| c.method == "qr");
    }
    Ok(page)
}

/// The enterprise's view of a scanned code: the verdict in large type and,
/// for a genuine code, the inspection plan.
pub async fn check_in(
    State(state): State<AppState>,
    current: Option<Extension<CurrentSession>>,
    Query(q): Query<TokenQuery>,
) -> PageResult<Html<String>> {
    let session = current
        .as_ref()
        .filter(|c| !c.via_bearer && !c.session.must_change_password)
        .map(|c| &c.session);
    let mut page = check_in_page(&state, session, &q.token, None).await?;
    page.confirmed |= q.confirmed == "1";
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
}

/// 确认: the enterprise account confirms the inspectors are here.
pub async fn confirm(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> PageResult<Response> {
    match confirm_token(&state, &session.principal, &form.token).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/e/check-in?token={}&confirmed=1",
            session::url_encode(&form.token)
        ))
        .into_response()),
        Err(e) => {
            let Some(d) = e.0.domain() else {
                return Err(e.0.into());
            };
            let status = status_of(d);
            let page =
                check_in_page(&state, Some(&session), &form.token, Some(d.message.clone())).await?;
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

/// What a refused form shows: the message, beside its field when it has one.
#[derive(Default)]
pub struct FormError {
    field: String,
    message: Option<String>,
}

impl FormError {
    /// The message of a refusal, or the error itself when it is not one.
    fn of(e: AppError) -> Result<(axum::http::StatusCode, FormError), AppError> {
        let Some(d) = e.domain() else {
            return Err(e);
        };
        Ok((
            status_of(d),
            FormError {
                field: d.field.unwrap_or("").to_string(),
                message: Some(d.message.clone()),
            },
        ))
    }

    /// The message for `field`'s place.
    pub fn err_for(&self, field: &str) -> Option<&str> {
        (self.field == field)
            .then_some(())
            .and(self.message.as_deref())
    }

    /// A message that belongs to no field, shown above the form.
    pub fn general(&self) -> Option<&str> {
        self.field
            .is_empty()
            .then_some(())
            .and(self.message.as_deref())
    }
}

#[derive(Template)]
#[template(path = "field/signup.html")]
struct SignUpPage {
    chrome: FieldChrome,
    uscc: String,
    enterprise_name: String,
    error: FormError,
}

/// 企业注册, step 1 (企业端下载 leads here): the USCC and the name, to have a
/// code sent to the registry's contact mobile.
pub async fn signup_form() -> PageResult<Html<String>> {
    Ok(Html(
        SignUpPage {
            chrome: FieldChrome::of(None),
            uscc: String::new(),
            enterprise_name: String::new(),
            error: FormError::default(),
        }
        .render()?,
    ))
}

/// Step 1 sent: on to step 2 with the same words whatever the registry
/// holds (SEC-5); only malformed input or a rate limit stays here.
pub async fn signup(
    State(state): State<AppState>,
    session::ClientIp(ip): session::ClientIp,
    Form(form): Form<CodeRequestBody>,
) -> PageResult<Response> {
    let sent =
        enterprise_sign_up::request_code(&state.db, state.now(), &state.config.sign_up, &ip, &form)
            .await;
    match sent {
        Ok(()) => Ok(Redirect::to(&format!(
            "/e/signup/verify?sent=1&uscc={}",
            session::url_encode(form.uscc.trim())
        ))
        .into_response()),
        Err(e) => {
            let (status, error) = FormError::of(e.into())?;
            let page = SignUpPage {
                chrome: FieldChrome::of(None),
                uscc: form.uscc,
                enterprise_name: form.enterprise_name,
                error,
            };
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "field/signup_verify.html")]
struct VerifyPage {
    chrome: FieldChrome,
    /// Step 1 was just sent: say where the code went (or would have).
    sent: bool,
    sent_message: &'static str,
    uscc: String,
    error: FormError,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VerifyQuery {
    uscc: String,
    sent: String,
}

/// 企业注册, step 2: the code and a password.
pub async fn verify_form(Query(q): Query<VerifyQuery>) -> PageResult<Html<String>> {
    Ok(Html(
        VerifyPage {
            chrome: FieldChrome::of(None),
            sent: q.sent == "1",
            sent_message: sign_up::CODE_SENT,
            uscc: q.uscc,
            error: FormError::default(),
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat_password: String,
}

/// Opens the account with the code and logs the enterprise in.
pub async fn verify(
    State(state): State<AppState>,
    session::ClientIp(ip): session::ClientIp,
    headers: HeaderMap,
    Form(form): Form<VerifyForm>,
) -> PageResult<Response> {
    let input = SignUp {
        uscc: form.uscc.clone(),
        code: form.code.clone(),
        password: form.password.clone(),
        repeat_password: Some(form.repeat_password.clone()),
    };
    match enterprise_sign_up::sign_up(&state.db, state.now(), &input).await {
        Ok((_, login)) => {
            // A new account has no second factor: the session opens at
            // once, and the welcome page follows.
            let outcome = yici_store::auth::login(
                &state.db,
                &state.policy,
                state.now(),
                &login,
                &form.password,
                None,
                &ip,
                yici_store::auth::SessionKind::Web,
            )
            .await?;
            Ok(super::account::logged_in(
                &state,
                &headers,
                outcome,
                "/e?welcome=1",
            ))
        }
        Err(e) => {
            let (status, error) = FormError::of(e.into())?;
            let page = VerifyPage {
                chrome: FieldChrome::of(None),
                sent: false,
                sent_message: sign_up::CODE_SENT,
                uscc: form.uscc,
                error,
            };
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "field/activation.html")]
struct ActivationPage {
    chrome: FieldChrome,
    form: ActivationRequestBody,
    /// The request was kept: the answer instead of the form.
    received: Option<&'static str>,
    max_note: usize,
    error: FormError,
}

/// 申请开通: for an enterprise the code cannot reach.
pub async fn activation_form() -> PageResult<Html<String>> {
    Ok(Html(
        ActivationPage {
            chrome: FieldChrome::of(None),
            form: ActivationRequestBody::default(),
            received: None,
            max_note: sign_up::MAX_NOTE_CHARS,
            error: FormError::default(),
        }
        .render()?,
    ))
}

/// Keeps the request; the answer is the same whatever the registry holds.
pub async fn request_activation(
    State(state): State<AppState>,
    session::ClientIp(ip): session::ClientIp,
    Form(form): Form<ActivationRequestBody>,
) -> PageResult<Response> {
    let kept = activation::request(&state.db, state.now(), &state.config.sign_up, &ip, &form).await;
    let (status, page) = match kept {
        Ok(()) => (
            axum::http::StatusCode::OK,
            ActivationPage {
                chrome: FieldChrome::of(None),
                form: ActivationRequestBody::default(),
                received: Some(sign_up::REQUEST_RECEIVED),
                max_note: sign_up::MAX_NOTE_CHARS,
                error: FormError::default(),
            },
        ),
        Err(e) => {
            let (status, error) = FormError::of(e.into())?;
            (
                status,
                ActivationPage {
                    chrome: FieldChrome::of(None),
                    form,
                    received: None,
                    max_note: sign_up::MAX_NOTE_CHARS,
                    error,
                },
            )
        }
    };
    Ok((status, Html(page.render()?)).into_response())
}
