//! Security headers on every response (SEC-1), in one place.
//!
//! * A Content-Security-Policy without inline script: pages load their script
//!   from `/assets/` and wire it with `addEventListener`, so an injected
//!   `<script>` or `onclick=` does not run. Styles may be inline: templates
//!   use `style=` attributes and `<style>` blocks (the field app's, the
//!   printed documents'), and a style can't run code.
//! * No framing (`frame-ancestors 'none'`, and `X-Frame-Options` for older
//!   browsers) but for a document's print page, which the document page shows
//!   as its preview in a frame: that one may be framed by the platform's own
//!   pages only (`'self'`, `SAMEORIGIN`). `nosniff`, and a Referrer-Policy of `same-origin`: URLs carry
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

/// The policy, with who may frame the page. `blob:` images: the field app
/// previews a photo before it is uploaded.
macro_rules! policy {
    ($frame_ancestors:literal) => {
        concat!(
            "default-src 'self'; script-src 'self'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' blob:; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors ",
            $frame_ancestors
        )
    };
}

pub const CONTENT_SECURITY_POLICY: &str = policy!("'none'");

/// The policy of a document's print page: the same, framed by our own pages only.
pub const FRAMEABLE_BY_SELF_POLICY: &str = policy!("'self'");

/// One year; subdomains are not included, as other sites of a bureau's
/// domain may still be served over plain HTTP.
const HSTS: &str = "max-age=31536000";

/// Public static assets (stylesheets, scripts, icon, manifest, service
/// worker): the same for everyone, cached as their handlers say.
fn is_static_asset(path: &str) -> bool {
    path.starts_with("/assets/") || path == "/manifest.webmanifest" || path == "/sw.js"
}

/// `/documents/{id}/print`: the preview the document page frames (文书预览).
fn is_document_preview(path: &str) -> bool {
    path.strip_prefix("/documents/")
        .and_then(|rest| rest.strip_suffix("/print"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

pub async fn add(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let over_tls = session::secure_request(&state, req.headers());
    let static_asset = is_static_asset(req.uri().path());
    let preview = is_document_preview(req.uri().path());
    let mut response = next.run(req).await;
    set(response.headers_mut(), over_tls, static_asset, preview);
    response
}

fn set(headers: &mut HeaderMap, over_tls: bool, static_asset: bool, preview: bool) {
    let (policy, framing) = if preview {
        (FRAMEABLE_BY_SELF_POLICY, "SAMEORIGIN")
    } else {
        (CONTENT_SECURITY_POLICY, "DENY")
    };
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, framing),
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
    fn only_a_documents_print_page_may_be_framed_and_only_by_our_pages() {
        assert!(is_document_preview("/documents/42/print"));
        for other in [
            "/documents/42",
            "/documents/42/pdf",
            "/documents/register/print",
            "/documents//print",
            "/e/documents/42/print",
        ] {
            assert!(!is_document_preview(other), "{other}");
        }
        let mut preview = HeaderMap::new();
        set(&mut preview, false, false, true);
        assert_eq!(preview[header::X_FRAME_OPTIONS], "SAMEORIGIN");
        let csp = preview[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert_eq!(csp, FRAMEABLE_BY_SELF_POLICY);
        assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
        // Apart from the framing, the same policy as every other page.
        assert_eq!(
            FRAMEABLE_BY_SELF_POLICY.replace("frame-ancestors 'self'", ""),
            CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "")
        );
        let mut page = HeaderMap::new();
        set(&mut page, false, false, false);
        assert_eq!(page[header::X_FRAME_OPTIONS], "DENY");
        assert!(page[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .ends_with("frame-ancestors 'none'"));
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
