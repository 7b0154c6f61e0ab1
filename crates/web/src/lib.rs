//! Hezuo's HTTP surface: the JSON API under `/api/v1` (with its OpenAPI document) and the HTML
//! pages, one module per feature. Imports `hezuo-domain` and `hezuo-store`.
//! [`app`] builds the whole router so tests can drive it without a socket.

pub mod account;
pub mod agreements;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bulletins;
pub mod campaigns;
pub mod demands;
pub mod error;
mod home;
pub mod i18n;
pub mod matches;
pub mod openapi;
pub mod organizations;
pub mod people;
pub mod problems;
pub mod projects;
pub mod reminders;
mod resource;
pub mod results;
pub mod search;
pub mod supervision;
pub mod users;
mod views;
pub mod works;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use hezuo_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

static PATHS: std::sync::Mutex<std::collections::BTreeSet<String>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// `Router::route` that also records the path, so that tests can find every endpoint the app has
/// (see the authorization matrix in `tests/it/access.rs`).
pub trait RouteExt {
    fn at(self, path: &str, method_router: axum::routing::MethodRouter<AppState>) -> Self;
}

impl RouteExt for Router<AppState> {
    /// Also puts [`auth::authenticate`] in front of the route's handlers — as a route layer of the
    /// method router, so a method the path does not have is still a plain 405.
    fn at(self, path: &str, method_router: axum::routing::MethodRouter<AppState>) -> Self {
        PATHS.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string());
        self.route(
            path,
            method_router.route_layer(axum::middleware::from_fn(auth::authenticate)),
        )
    }
}

/// Every path routed by [`app`] (after it has been built once).
pub fn routed_paths() -> Vec<String> {
    PATHS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect()
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The records; its clock is the app's "today".
    pub store: Store,
    /// Largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Mark the session cookie `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// The search index, following the records' change feed.
    pub search: std::sync::Arc<search::Search>,
}

impl AppState {
    /// The state with a search index in memory (built from the records on first use).
    pub fn new(store: Store) -> Self {
        let search = search::Search::in_memory().expect("an in-memory index can always be created");
        AppState {
            store,
            max_upload_bytes: 20 * 1024 * 1024,
            secure_cookies: false,
            trust_forwarded_for: false,
            search: std::sync::Arc::new(search),
        }
    }

    /// Keeps the search index in `dir` (the data folder's `search/`), so it survives restarts.
    pub fn with_index_dir(mut self, dir: &std::path::Path) -> anyhow::Result<Self> {
        self.search = std::sync::Arc::new(search::Search::open(dir)?);
        Ok(self)
    }
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn app(state: AppState) -> Router {
    let body_limit = state.max_upload_bytes + 64 * 1024;
    Router::new()
        .at("/healthz", get(healthz))
        .at("/static/style.css", get(style_css))
        .at("/favicon.ico", get(favicon))
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
        .merge(problems::router())
        .merge(supervision::router())
        .merge(bulletins::router())
        .merge(campaigns::router())
        .merge(demands::router())
        .merge(results::router())
        .merge(works::router())
        .merge(search::router())
        .merge(matches::router())
        .fallback(error::not_found_fallback)
        // Handlers' middleware (authentication) finds the state here.
        .layer(axum::Extension(state.clone()))
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
