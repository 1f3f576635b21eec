//! The HTTP side of yici: server-rendered pages (Simplified Chinese) and the
//! JSON API under `/api/v1`, both thin layers over `yici-store` services.
//!
//! The application is built from a config value ([`AppState`]) and served on
//! any listener, so tests start it on port 0 as a black box.

pub mod api;
pub mod assets;
pub mod audit_record;
pub mod audit_words;
pub mod charts;
pub mod check_in;
pub mod credit_access;
pub mod document_files;
pub mod draw_access;
pub mod error;
pub mod evidence_files;
pub mod file_jobs;
pub mod jobs;
pub mod open_data;
pub mod pages;
pub mod rate_limit;
pub mod rectification_files;
pub mod registry_access;
pub mod registry_files;
pub mod security_headers;
pub mod session;
pub mod sms_worker;
pub mod state;
pub mod statistics_access;

use std::net::SocketAddr;

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

pub use state::{AppState, WebConfig};

/// The largest request body a route takes unless it sets its own limit
/// (uploads and imports do): forms and JSON are far smaller.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The whole application: pages, API, OpenAPI document, assets, health check.
pub fn router(state: AppState) -> Router {
    let (api_router, openapi) = api::split();
    let openapi_json = openapi
        .to_pretty_json()
        .expect("OpenAPI document serialises");
    Router::new()
        .merge(pages::router())
        .merge(api_router)
        .route(
            "/api/v1/openapi.json",
            get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    openapi_json,
                )
            }),
        )
        .route("/healthz", get(healthz))
        .merge(assets::router())
        .fallback(not_found)
        // Inside the session layer: it limits by account as well as address.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::load_session,
        ))
        .layer(axum::middleware::from_fn(server_timing))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Outermost: every answer gets them, the other layers' refusals too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers::add,
        ))
        .with_state(state)
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use yici_store::Exec;
    match state
        .db
        .clone()
        .scalar_i64("SELECT CAST(1 AS BIGINT)", vec![])
        .await
    {
        Ok(_) => (axum::http::StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
                .into_response()
        }
    }
}

/// Adds `Server-Timing: app;dur=<ms>` to every response: the time spent in
/// the server (session lookup included), which benchmarks read to report
/// latency at the server rather than at the client.
async fn server_timing(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let mut response = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("app;dur={ms:.3}")) {
        response.headers_mut().insert("server-timing", v);
    }
    response
}

/// Unknown paths: JSON under `/api/`, a Chinese page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let err = error::AppError::from(yici_domain::DomainError::not_found(format!(
        "找不到页面或接口：{}",
        uri.path()
    )));
    if uri.path().starts_with("/api/") {
        error::ApiError(err).into_response()
    } else {
        error::PageError(err).into_response()
    }
}

/// Serves until the future `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let deadlines = tokio::spawn(jobs::lapse_deadlines(state.clone()));
    let tallies = tokio::spawn(jobs::fold_tallies(state.clone()));
    let statistics = tokio::spawn(jobs::drain_statistics(state.clone()));
    let publication = tokio::spawn(jobs::publish_results(state.clone()));
    let overdue = tokio::spawn(jobs::credit_overdue(state.clone()));
    let warnings = tokio::spawn(jobs::raise_warnings(state.clone()));
    let seals = tokio::spawn(jobs::seal_audit(state.clone()));
    let exports = tokio::spawn(jobs::remove_old_exports(state.clone()));
    // JOINT-2: this instance's SMS outbox worker, stopped after the server.
    let sms = sms_worker::start(&state);
    let served = axum::serve(
        listener,
        router(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    deadlines.abort();
    exports.abort();
    tallies.abort();
    statistics.abort();
    publication.abort();
    overdue.abort();
    warnings.abort();
    seals.abort();
    // A last seal, so that what this instance wrote is covered at once.
    jobs::seal_once(&state).await;
    if let Some(worker) = sms {
        worker.stop().await;
    }
    served
}
