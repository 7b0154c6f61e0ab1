//! Hezuo's HTTP surface: the JSON API under `/api/v1` (with its OpenAPI document) and the HTML
//! pages, one module per feature. Imports `hezuo-domain` and `hezuo-store`.
//! [`app`] builds the whole router so tests can drive it without a socket.

pub mod account;
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod attachments;
pub mod error;
mod home;
pub mod i18n;
pub mod openapi;
pub mod organizations;
pub mod people;
pub mod projects;
pub mod users;
mod resource;
mod views;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use hezuo_domain::Clock;
use hezuo_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    /// Largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Mark the session cookie `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            clock: Clock::System,
            max_upload_bytes: 20 * 1024 * 1024,
            secure_cookies: false,
        }
    }
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn app(state: AppState) -> Router {
    let body_limit = state.max_upload_bytes + 64 * 1024;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/style.css", get(style_css))
        .route("/favicon.ico", get(favicon))
        .merge(home::router())
        .merge(organizations::router())
        .merge(people::router())
        .merge(agreements::router())
        .merge(projects::router())
        .merge(attachments::router())
        .merge(openapi::router())
        .merge(account::router())
        .merge(audit::router())
        .merge(users::router())
        .fallback(error::not_found_fallback)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn(i18n::remember_lang))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(axum::extract::State(s): axum::extract::State<AppState>) -> impl IntoResponse {
    match s.store.health().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn style_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../static/favicon.svg"),
    )
}
