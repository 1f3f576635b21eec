//! Static assets, compiled into the binary (one binary, nothing to deploy beside it).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

const CSS: &str = include_str!("../assets/yici.css");
const JS: &str = include_str!("../assets/yici.js");
const RESULT_CSS: &str = include_str!("../assets/field-result.css");
const RESULT_JS: &str = include_str!("../assets/field-result.js");
const FIELD_JS: &str = include_str!("../assets/field.js");
const ICON: &str = include_str!("../assets/icon.svg");
const MANIFEST: &str = include_str!("../assets/manifest.webmanifest");
const SERVICE_WORKER: &str = include_str!("../assets/sw.js");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The service worker, its cache named after the assets it keeps: a release
/// that changes any of them makes phones drop the old copies. Never cached
/// by HTTP itself, so a new release is found at the next visit.
fn service_worker() -> Response {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for a in [CSS, JS, RESULT_CSS, RESULT_JS, FIELD_JS, ICON, MANIFEST] {
        a.hash(&mut h);
    }
    let body = SERVICE_WORKER.replace("__VERSION__", &format!("{:016x}", h.finish()));
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/yici.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/assets/yici.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .route(
            "/assets/field-result.css",
            get(|| async { asset("text/css; charset=utf-8", RESULT_CSS) }),
        )
        .route(
            "/assets/field-result.js",
            get(|| async { asset("text/javascript; charset=utf-8", RESULT_JS) }),
        )
        .route(
            "/assets/field.js",
            get(|| async { asset("text/javascript; charset=utf-8", FIELD_JS) }),
        )
        .route(
            "/assets/icon.svg",
            get(|| async { asset("image/svg+xml", ICON) }),
        )
        // The field app is installable (RESULT-5): a manifest and a service
        // worker at the root, so its scope covers every page.
        .route(
            "/manifest.webmanifest",
            get(|| async { asset("application/manifest+json", MANIFEST) }),
        )
        .route("/sw.js", get(|| async { service_worker() }))
}
