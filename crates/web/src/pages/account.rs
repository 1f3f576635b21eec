//! 系统登录, 修改密码, 退出.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
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
        &ip,
        SessionKind::Web,
    )
    .await;
    match result {
        Ok(new) => {
            let target = if new.session.must_change_password {
                "/password"
            } else if new
                .session
                .principal
                .has(yici_domain::org::Role::EnterpriseUser)
                && safe_next(&form.next) == "/"
            {
                // The enterprise app's home (APP-7).
                "/e"
            } else if new.session.principal.has(yici_domain::org::Role::Inspector)
                && safe_next(&form.next) == "/"
                && on_a_phone(&headers)
            {
                // An inspector on a phone: the field app's 任务管理 (APP-1).
                "/m"
            } else {
                safe_next(&form.next)
            };
            let cookie =
                session::session_cookie(&new.token, session::secure_request(&state, &headers));
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(target)).into_response())
        }
        Err(e) => {
            let err = AppError::from(e);
            let Some(d) = err.domain() else {
                return Err(err.into());
            };
            let status = status_of(d);
            let page = LoginPage {
                login: form.login.clone(),
                next: form.next.clone(),
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
