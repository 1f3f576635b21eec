//! Security headers on every response (SEC-1), in one place.
//!
//! * A Content-Security-Policy without inline script: pages load their script
//!   from `/assets/` and wire it with `addEventListener`, so an injected
//!   `<script>` or `onclick=` does not run. Styles may be inline: templates
//!   use `style=` attributes and `<style>` blocks (the field app's, the
//!   printed documents'), and a style can't run code.
//! * No framing (`frame-ancestors 'none'`, and `X-Frame-Options` for older
//!   browsers), `nosniff`, and a Referrer-Policy of `same-origin`: URLs carry
//!   search terms and codes that other sites have no business reading, and
//!   nothing needs a referrer elsewhere.
//! * HSTS only when the request came over TLS (as the session cookie's
//!   `Secure` decides, [`session::secure_request`]): over plain HTTP a browser
//!   ignores it, and a wrongly set one would lock users out of a plain-HTTP
//!   install for a year.
//! * `Cache-Control: no-store` on everything but the public static assets,
//!   which keep their own caching: pages, API answers, exports and files are
//!   personal or official data, and a shared office computer must not keep them.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::session;
use crate::state::AppState;

/// `blob:` images: the field app previews a photo before it is uploaded.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' blob:; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One year; subdomains are not included, as other sites of a bureau's
/// domain may still be served over plain HTTP.
const HSTS: &str = "max-age=31536000";

/// Public static assets (stylesheets, scripts, icon, manifest, service
/// worker): the same for everyone, cached as their handlers say.
fn is_static_asset(path: &str) -> bool {
    path.starts_with("/assets/") || path == "/manifest.webmanifest" || path == "/sw.js"
}

pub async fn add(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let over_tls = session::secure_request(&state, req.headers());
    let static_asset = is_static_asset(req.uri().path());
    let mut response = next.run(req).await;
    set(response.headers_mut(), over_tls, static_asset);
    response
}

fn set(headers: &mut HeaderMap, over_tls: bool, static_asset: bool) {
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if over_tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if !static_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_assets_are_told_by_path() {
        assert!(is_static_asset("/assets/yici.js"));
        assert!(is_static_asset("/sw.js"));
        assert!(!is_static_asset("/enterprises/export"));
        assert!(!is_static_asset("/api/v1/assets"));
    }

    #[test]
    fn the_policy_allows_no_inline_script() {
        let script = CONTENT_SECURITY_POLICY
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script.contains("unsafe"), "{script}");
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
    }
}
