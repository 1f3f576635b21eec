//! 系统登录 (with its second step, 两步验证), 修改密码, 退出.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use yici_domain::org::Role;
use yici_store::auth::{self, SessionKind};

use super::layout::Chrome;
use crate::error::{status_of, AppError, PageResult};
use crate::session::{self, AnyWebUser, ClientIp, CsrfForm};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    login: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

/// Only local paths are followed after login (no open redirect). The value
/// arrives decoded, and browsers drop tabs and line breaks from a Location
/// (`/\t/evil.example` is followed as `//evil.example`), so anything but
/// printable ASCII without spaces or backslashes is refused as a whole — a
/// line break would also make an invalid header after the session exists.
fn safe_next(next: &str) -> &str {
    let printable = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if printable && next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/"
    }
}

pub async fn login_form(Query(q): Query<LoginQuery>) -> PageResult<Html<String>> {
    Ok(Html(
        LoginPage {
            login: String::new(),
            next: q.next,
            error: None,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult<Response> {
    let result = auth::login(
        &state.db,
        &state.policy,
        state.now(),
        &form.login,
        &form.password,
        None,
        &ip,
        SessionKind::Web,
    )
    .await;
    match result {
        Ok(outcome) => Ok(logged_in(&state, &headers, outcome, &form.next)),
        Err(e) => {
            let err = AppError::from(e);
            let Some(d) = err.domain() else {
                return Err(err.into());
            };
            let page = LoginPage {
                login: form.login.clone(),
                next: form.next.clone(),
                error: Some(d.message.clone()),
            };
            Ok((status_of(d), Html(page.render()?)).into_response())
        }
    }
}

/// Where a correct password leads: the session's landing page, or the
/// second step when the account has a second factor (SEC-2), `next` kept.
pub fn logged_in(
    state: &AppState,
    headers: &HeaderMap,
    outcome: auth::LoginOutcome,
    next: &str,
) -> Response {
    let secure = session::secure_request(state, headers);
    match outcome {
        auth::LoginOutcome::Opened(new) => {
            let target = landing(&new.session, next, headers);
            let cookie = session::session_cookie(&new.token, secure);
            ([(header::SET_COOKIE, cookie)], Redirect::to(target)).into_response()
        }
        auth::LoginOutcome::SecondStep { token } => {
            let cookie = session::second_step_cookie(
                &token,
                secure,
                state.policy.second_step_for.num_seconds(),
            );
            let target = format!("/login/verify?next={}", session::url_encode(next));
            ([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response()
        }
    }
}

/// The first page after login: the password change, the second factor's
/// enrolment when required, the apps' homes, or a local `next`.
fn landing<'a>(session: &auth::Session, next: &'a str, headers: &HeaderMap) -> &'a str {
    let principal = &session.principal;
    if session.must_change_password {
        "/password"
    } else if session.must_enrol_second_factor {
        "/account"
    } else if principal.has(Role::EnterpriseUser) && safe_next(next) == "/" {
        // The enterprise app's home (APP-7).
        "/e"
    } else if principal.has(Role::Inspector) && safe_next(next) == "/" && on_a_phone(headers) {
        // An inspector on a phone: the field app's 任务管理 (APP-1).
        "/m"
    } else {
        safe_next(next)
    }
}

#[derive(Template)]
#[template(path = "login_verify.html")]
struct SecondStepPage {
    next: String,
    minutes: i64,
    error: Option<String>,
}

/// The second step's form, while its cookie names a live pending login.
pub async fn second_step_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> PageResult<Response> {
    let pending = match session::cookie(&headers, session::SECOND_STEP_COOKIE) {
        Some(token) => auth::second_step_pending(&state.db, state.now(), &token).await?,
        None => false,
    };
    if !pending {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(Html(
        SecondStepPage {
            next: q.next,
            minutes: state.policy.second_step_for.num_minutes(),
            error: None,
        }
        .render()?,
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct SecondStepForm {
    #[serde(default)]
    otp: String,
    #[serde(default)]
    next: String,
}

/// Checks the code of the second step and opens the session. A wrong code
/// stays on the step (the lock counts it); an expired step or a lock goes
/// back to the login form with the reason.
pub async fn second_step(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<SecondStepForm>,
) -> PageResult<Response> {
    let token = session::cookie(&headers, session::SECOND_STEP_COOKIE).unwrap_or_default();
    let result = auth::complete_login(
        &state.db,
        &state.policy,
        state.now(),
        &token,
        &form.otp,
        &ip,
    )
    .await;
    match result {
        Ok(new) => {
            let mut response = logged_in(
                &state,
                &headers,
                auth::LoginOutcome::Opened(Box::new(new)),
                &form.next,
            );
            response.headers_mut().append(
                header::SET_COOKIE,
                header::HeaderValue::from_str(&session::clear_second_step_cookie())
                    .expect("an ASCII cookie"),
            );
            Ok(response)
        }
        Err(e) => {
            let err = AppError::from(e);
            let Some(d) = err.domain() else {
                return Err(err.into());
            };
            let status = status_of(d);
            // Once the step is gone (expired, locked, refused before it)
            // only the password form can start again.
            let step_over = !auth::second_step_pending(&state.db, state.now(), &token).await?;
            if step_over {
                let page = LoginPage {
                    login: String::new(),
                    next: form.next,
                    error: Some(d.message.clone()),
                };
                return Ok((
                    status,
                    [(header::SET_COOKIE, session::clear_second_step_cookie())],
                    Html(page.render()?),
                )
                    .into_response());
            }
            let page = SecondStepPage {
                next: form.next,
                minutes: state.policy.second_step_for.num_minutes(),
                error: Some(d.message.clone()),
            };
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

/// A phone's browser, by its User-Agent.
fn on_a_phone(headers: &HeaderMap) -> bool {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| {
            ["Mobile", "Android", "iPhone"]
                .iter()
                .any(|m| ua.contains(m))
        })
}

pub async fn logout(
    State(state): State<AppState>,
    AnyWebUser(session): AnyWebUser,
    CsrfForm(_): CsrfForm<super::forms::Empty>,
) -> PageResult<Response> {
    auth::logout(&state.db, &session.token_hash).await?;
    Ok((
        [(header::SET_COOKIE, session::clear_cookie())],
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    done: bool,
    error_field: String,
    error: Option<String>,
}

impl PasswordPage {
    fn err_for(&self, field: &str) -> Option<&str> {
        (self.error_field == field)
            .then_some(())
            .and(self.error.as_deref())
    }
}

pub async fn password_form(AnyWebUser(session): AnyWebUser) -> PageResult<Html<String>> {
    Ok(Html(
        PasswordPage {
            forced: session.must_change_password,
            chrome: Chrome::new(&session, "password"),
            done: false,
            error_field: String::new(),
            error: None,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    AnyWebUser(session): AnyWebUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult<Response> {
    let result = auth::change_password(
        &state.db,
        &state.policy,
        state.now(),
        &session,
        &form.old_password,
        &form.new_password,
        &form.repeat_password,
    )
    .await;
    match result {
        Ok(()) if session.must_change_password => Ok(Redirect::to("/").into_response()),
        Ok(()) => Ok(Html(
            PasswordPage {
                forced: false,
                chrome: Chrome::new(&session, "password"),
                done: true,
                error_field: String::new(),
                error: None,
            }
            .render()?,
        )
        .into_response()),
        Err(e) => {
            let err = AppError::from(e);
            let Some(d) = err.domain() else {
                return Err(err.into());
            };
            let page = PasswordPage {
                forced: session.must_change_password,
                chrome: Chrome::new(&session, "password"),
                done: false,
                error_field: d.field.unwrap_or("").to_string(),
                error: Some(d.message.clone()),
            };
            Ok((status_of(d), Html(page.render()?)).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next("/tasks?year=2026&page=2"),
            "/tasks?year=2026&page=2"
        );
        assert_eq!(
            safe_next("/enterprises?keyword=%E7%8E%89"),
            "/enterprises?keyword=%E7%8E%89"
        );
        for hostile in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\\evil.example",
            "/\\/evil.example",
            "https://evil.example/",
            "/ /evil.example",
            "/玉田",
            "",
        ] {
            assert_eq!(safe_next(hostile), "/", "{hostile:?}");
        }
    }
}
