//! Who is calling: the session middleware and the extractors built on it.
//!
//! Pages authenticate with an HttpOnly cookie and carry a CSRF token in every
//! state-changing form; the API authenticates with a bearer token only (no
//! cookie), so it needs no CSRF token. An account still on its initial password
//! can do nothing but change it; a system administrator who must enrol a second
//! factor first (SEC-2) nothing but that.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use yici_domain::org::Role;
use yici_domain::{DomainError, ErrorKind};
use yici_store::auth::{self, Session, SessionKind};

use crate::error::{ApiError, AppError, PageError};
use crate::state::AppState;

pub const COOKIE: &str = "yici_session";

/// The session found for this request, put in the extensions by [`load_session`].
#[derive(Clone)]
pub struct CurrentSession {
    pub session: Session,
    pub via_bearer: bool,
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_api = path.starts_with("/api/");
    let token = if is_api {
        bearer(req.headers()).map(|t| (t, true))
    } else {
        cookie(req.headers(), COOKIE).map(|t| (t, false))
    };
    if let Some((token, via_bearer)) = token {
        let kind = if via_bearer {
            SessionKind::Api
        } else {
            SessionKind::Web
        };
        match auth::session(&state.db, &state.policy, state.now(), &token, kind).await {
            Ok(Some(session)) => {
                req.extensions_mut().insert(CurrentSession {
                    session,
                    via_bearer,
                });
            }
            Ok(None) => {}
            Err(e) => {
                let err = AppError::from(e);
                return if is_api {
                    ApiError(err).into_response()
                } else {
                    PageError(err).into_response()
                };
            }
        }
    }
    next.run(req).await
}

/// A logged-in page user who has changed the initial password.
pub struct WebUser(pub Session);

/// A logged-in page user, possibly still on the initial password (the
/// password page itself and logout take this).
pub struct AnyWebUser(pub Session);

fn login_redirect(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let encoded: String = url_encode(next);
    Redirect::to(&format!("/login?next={encoded}")).into_response()
}

pub fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for AnyWebUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match parts.extensions.get::<CurrentSession>() {
            Some(c) if !c.via_bearer => Ok(AnyWebUser(c.session.clone())),
            _ => Err(login_redirect(parts)),
        }
    }
}

/// A logged-in page user past the forced password change who may still have
/// to enrol a second factor: the account page takes this.
pub struct EnrollingWebUser(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for EnrollingWebUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let AnyWebUser(session) = AnyWebUser::from_request_parts(parts, state).await?;
        if session.must_change_password {
            return Err(Redirect::to("/password").into_response());
        }
        Ok(EnrollingWebUser(session))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for WebUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let EnrollingWebUser(session) = EnrollingWebUser::from_request_parts(parts, state).await?;
        if session.must_enrol_second_factor {
            return Err(Redirect::to("/account").into_response());
        }
        Ok(WebUser(session))
    }
}

/// An API caller with a bearer token, past the forced password change.
pub struct ApiUser(pub Session);

/// An API caller who may still be on the initial password.
pub struct AnyApiUser(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for AnyApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.extensions.get::<CurrentSession>() {
            Some(c) if c.via_bearer => Ok(AnyApiUser(c.session.clone())),
            _ => Err(ApiError(AppError::unauthenticated())),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let AnyApiUser(session) = AnyApiUser::from_request_parts(parts, state).await?;
        if session.must_change_password {
            return Err(DomainError::new(
                ErrorKind::Forbidden,
                "password_change_required",
                "首次登录须先修改初始密码（POST /api/v1/auth/password）",
            )
            .into());
        }
        if session.must_enrol_second_factor {
            return Err(DomainError::new(
                ErrorKind::Forbidden,
                "second_factor_enrolment_required",
                "系统管理员须先启用两步验证：请登录网页，在“账号安全”中完成启用",
            )
            .into());
        }
        Ok(ApiUser(session))
    }
}

/// Guards the API's internal routes (see `api::internal`): an enterprise
/// account's bearer token is good for its own routes only, never for the
/// organisation's lists of units, people, registry, tasks or plans (SEC-3).
/// Requests without a session pass on, so that their handlers' extractors
/// still answer 401.
pub async fn staff_only(req: Request, next: Next) -> Response {
    let enterprise = req
        .extensions()
        .get::<CurrentSession>()
        .is_some_and(|c| c.session.principal.has(Role::EnterpriseUser));
    if enterprise {
        return ApiError(
            DomainError::new(
                ErrorKind::Forbidden,
                "staff_only",
                "企业账号只能查看本企业的检查、整改和文书",
            )
            .into(),
        )
        .into_response();
    }
    next.run(req).await
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// A urlencoded form whose `_csrf` field must match the session's token.
/// Every state-changing page request goes through it (login excepted: there is
/// no session yet, and the SameSite cookie covers that case).
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let expected = req
            .extensions()
            .get::<CurrentSession>()
            .map(|c| c.session.csrf_token.clone());
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let given: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        match expected {
            Some(expected)
                if !given.csrf.is_empty() && constant_time_eq(&given.csrf, &expected) => {}
            _ => {
                return Err(PageError(
                    DomainError::new(
                        ErrorKind::Forbidden,
                        "csrf",
                        "页面已过期或来源不明，请刷新页面后重试",
                    )
                    .into(),
                )
                .into_response())
            }
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| {
                PageError(DomainError::invalid("invalid_form", format!("表单数据有误：{e}")).into())
                    .into_response()
            })
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The client's address: the socket peer, or — when trusted proxies stand in
/// front — the address the outermost trusted proxy saw (see
/// [`forwarded_client`]).
pub struct ClientIp(pub String);

/// The client address in an `X-Forwarded-For` value behind `hops` trusted
/// proxies. Each proxy appends the address it received the request from, so
/// only the last `hops` entries were written by proxies we trust; anything to
/// their left was sent by the client and may be forged (taking the leftmost
/// entry let anyone pick a fresh address per login attempt and so escape the
/// per-address login limit). None when the header holds fewer entries than
/// hops or the entry is not an IP address: the socket peer is used then.
pub fn forwarded_client(header: &str, hops: usize) -> Option<std::net::IpAddr> {
    let hops = hops.max(1);
    let entries: Vec<&str> = header.split(',').map(str::trim).collect();
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    entry.parse().ok()
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(
            state,
            &parts.headers,
            &parts.extensions,
        )))
    }
}

/// The client's address of a request (see [`ClientIp`]).
pub fn client_ip(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> String {
    if state.config.trust_proxy {
        if let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| forwarded_client(v, state.config.trusted_proxy_hops))
        {
            return ip.to_string();
        }
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Whether the session cookie must carry `Secure`.
pub fn secure_request(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || (state.config.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https"))
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The cookie of a page login waiting for its second factor (SEC-2).
pub const SECOND_STEP_COOKIE: &str = "yici_login_step";

/// Scoped to the login paths and sent by same-site requests only (Strict:
/// the second step is always reached from the login form), for as long as
/// the server keeps the step open.
pub fn second_step_cookie(token: &str, secure: bool, max_age: i64) -> String {
    format!(
        "{SECOND_STEP_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_second_step_cookie() -> String {
    format!("{SECOND_STEP_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn the_client_is_what_the_trusted_proxy_appended_not_what_the_client_wrote() {
        // The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real peer.
        let forged = "1.2.3.4, 203.0.113.7";
        assert_eq!(
            forwarded_client(forged, 1),
            Some("203.0.113.7".parse().unwrap())
        );
        // Two trusted proxies: a CDN appended the client, nginx the CDN.
        assert_eq!(
            forwarded_client("1.2.3.4, 203.0.113.7, 10.0.0.2", 2),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            forwarded_client("2001:db8::1", 1),
            Some("2001:db8::1".parse().unwrap())
        );
        // Fewer entries than trusted hops, or not an address: the socket peer decides.
        assert_eq!(forwarded_client("203.0.113.7", 2), None);
        assert_eq!(forwarded_client("1.2.3.4, unknown", 1), None);
        assert_eq!(forwarded_client("", 1), None);
    }
}
