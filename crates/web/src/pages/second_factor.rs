//! 账号安全 (`/account`): 两步验证（动态口令）— enrol a TOTP app with a QR
//! code, confirm it with a first code, see the recovery codes once, renew
//! them, switch it off (SEC-2). A system administrator whom the server
//! requires to have it lands here and can go nowhere else until it is on.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use yici_store::auth::Session;
use yici_store::second_factor::{self, Enrolment, Status};

use super::layout::Chrome;
use crate::check_in::qr_svg;
use crate::error::{status_of, AppError, PageResult};
use crate::session::{CsrfForm, EnrollingWebUser};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    login: String,
    forced: bool,
    status: Status,
    /// The enrolment to show: its QR code (SVG) and the grouped secret.
    enrolment: Option<(String, Enrolment)>,
    /// Recovery codes made just now, shown this once.
    recovery_codes: Vec<String>,
    /// A message after a change (启用, 停用, 新恢复码).
    done: Option<&'static str>,
    /// Which form the error belongs to: `confirm`, `disable`, `regenerate`.
    error_form: &'static str,
    error: Option<String>,
}

impl AccountPage {
    fn confirmed_at(&self) -> String {
        self.status
            .confirmed_at
            .map(yici_domain::time::display)
            .unwrap_or_default()
    }

    /// An error whose form is not on the page (a confirmation with nothing
    /// started, a switch-off of what is off …) shows above everything.
    fn top_error(&self) -> Option<&str> {
        let form_shown = match self.error_form {
            "confirm" => self.enrolment.is_some(),
            "disable" | "regenerate" => self.status.enabled(),
            _ => false,
        };
        (!form_shown).then_some(()).and(self.error.as_deref())
    }

    fn err_for(&self, form: &str) -> Option<&str> {
        (self.error_form == form)
            .then_some(())
            .and(self.error.as_deref())
    }
}

/// What happened just before the page is drawn.
#[derive(Default)]
struct Outcome {
    recovery_codes: Vec<String>,
    done: Option<&'static str>,
    error_form: &'static str,
    error: Option<(u16, String)>,
}

async fn render(state: &AppState, session: &Session, outcome: Outcome) -> PageResult<Response> {
    // Read again after the change: the requirement's flag may just have lifted.
    let status = second_factor::status(&state.db, &session.principal).await?;
    let forced = session.must_enrol_second_factor && !status.enabled();
    let enrolment = status.pending.clone().map(|e| (qr_svg(&e.uri), e));
    let (code, error) = match outcome.error {
        Some((code, message)) => (Some(code), Some(message)),
        None => (None, None),
    };
    let page = AccountPage {
        chrome: Chrome::new(session, "account"),
        login: session.principal.login.clone(),
        forced,
        status,
        enrolment,
        recovery_codes: outcome.recovery_codes,
        done: outcome.done,
        error_form: outcome.error_form,
        error,
    };
    let status = code
        .and_then(|c| axum::http::StatusCode::from_u16(c).ok())
        .unwrap_or(axum::http::StatusCode::OK);
    Ok((status, Html(page.render()?)).into_response())
}

/// A refusal drawn beside its form; anything but a domain error is a failure.
fn refusal(form: &'static str, e: yici_store::StoreError) -> Result<Outcome, AppError> {
    let err = AppError::from(e);
    let Some(d) = err.domain() else {
        return Err(err);
    };
    Ok(Outcome {
        error_form: form,
        error: Some((status_of(d).as_u16(), d.message.clone())),
        ..Outcome::default()
    })
}

pub async fn page(
    State(state): State<AppState>,
    EnrollingWebUser(session): EnrollingWebUser,
) -> PageResult<Response> {
    render(&state, &session, Outcome::default()).await
}

#[derive(Deserialize)]
pub struct Empty {}

/// 启用 (or 重新生成二维码): a fresh secret, shown as a QR code.
pub async fn start(
    State(state): State<AppState>,
    EnrollingWebUser(session): EnrollingWebUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult<Response> {
    let outcome = match second_factor::start(&state.db, state.now(), &session.principal).await {
        Ok(_) => Outcome::default(),
        Err(e) => refusal("start", e)?,
    };
    render(&state, &session, outcome).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// 确认启用: the first code; on success the recovery codes, once.
pub async fn confirm(
    State(state): State<AppState>,
    EnrollingWebUser(session): EnrollingWebUser,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult<Response> {
    let outcome = match second_factor::confirm(
        &state.db,
        state.now(),
        &session.principal,
        &form.code,
    )
    .await
    {
        Ok(codes) => Outcome {
            recovery_codes: codes,
            done: Some("两步验证已启用。以后登录时，输入密码后还需输入验证器App显示的动态口令。"),
            ..Outcome::default()
        },
        Err(e) => refusal("confirm", e)?,
    };
    render(&state, &session, outcome).await
}

#[derive(Deserialize)]
pub struct CredentialForm {
    #[serde(default)]
    credential: String,
}

/// 停用: a current code or the password.
pub async fn disable(
    State(state): State<AppState>,
    EnrollingWebUser(session): EnrollingWebUser,
    CsrfForm(form): CsrfForm<CredentialForm>,
) -> PageResult<Response> {
    let outcome =
        match second_factor::disable(&state.db, state.now(), &session.principal, &form.credential)
            .await
        {
            Ok(()) => Outcome {
                done: Some("两步验证已停用，恢复码已全部作废。"),
                ..Outcome::default()
            },
            Err(e) => refusal("disable", e)?,
        };
    render(&state, &session, outcome).await
}

/// 重新生成恢复码: a current code or the password; the old codes end.
pub async fn regenerate(
    State(state): State<AppState>,
    EnrollingWebUser(session): EnrollingWebUser,
    CsrfForm(form): CsrfForm<CredentialForm>,
) -> PageResult<Response> {
    let outcome = match second_factor::regenerate_recovery_codes(
        &state.db,
        state.now(),
        &session.principal,
        &form.credential,
    )
    .await
    {
        Ok(codes) => Outcome {
            recovery_codes: codes,
            done: Some("已生成新的恢复码，原有恢复码全部作废。"),
            ..Outcome::default()
        },
        Err(e) => refusal("regenerate", e)?,
    };
    render(&state, &session, outcome).await
}
