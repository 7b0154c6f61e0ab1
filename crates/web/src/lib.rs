//! Hezuo's HTTP surface: the JSON API under `/api/v1` (with its OpenAPI document) and the HTML
//! pages. Imports `hezuo-domain`, `hezuo-store`, `hezuo-search`, `hezuo-report` and `hezuo-app`.
//! [`app`] builds the whole router so tests can drive it without a socket.
//!
//! The modules in two floors. Shared, and importing no feature: `state`, `routing`, `error`,
//! `i18n`, `auth`, `idempotency`, `extract`, `views` (page shapes, widgets, the tables several features show) and
//! `resource` (the handlers every record kind shares). Features, one module or folder each, each
//! with its `router()`: a feature may use another's panel (a project page shows its reports), never
//! the other way round as well.

pub mod account;
pub mod agreements;
pub mod annual_review;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bulletins;
pub mod campaigns;
pub mod chief_experts;
pub mod closed_loop;
pub mod demands;
pub mod error;
pub mod events;
mod exports;
pub mod extract;
pub mod groups;
mod home;
pub mod i18n;
pub mod idempotency;
pub mod matches;
pub mod messages;
pub mod metrics;
pub mod notices;
pub mod notifications;
pub mod openapi;
pub mod organizations;
pub mod outcomes;
pub mod people;
pub mod platforms;
pub mod problems;
pub mod projects;
pub mod public;
pub mod rate_limit;
pub mod registrations;
mod resource;
pub mod results;
mod routing;
pub mod scorecards;
pub mod search;
pub mod secondments;
mod state;
pub mod statistics;
pub mod supervision;
pub mod trainings;
pub mod users;
mod views;
pub mod webhooks;
pub mod works;

pub use routing::{RouteExt, routed_paths};
pub use state::AppState;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn app(state: AppState) -> Router {
    let body_limit = state.max_upload_bytes + 64 * 1024;
    Router::new()
        .at("/healthz", get(healthz))
        .at("/static/style.css", get(style_css))
        .at("/static/app.js", get(app_js))
        .at("/favicon.ico", get(favicon))
        .at("/static/picker.js", get(picker_js))
        .merge(home::router())
        .merge(organizations::router())
        .merge(people::router())
        .merge(agreements::router())
        .merge(platforms::router())
        .merge(projects::router())
        .merge(attachments::router())
        .merge(openapi::router())
        .merge(account::router())
        .merge(audit::router())
        .merge(users::router())
        .merge(problems::router())
        .merge(supervision::router())
        .merge(bulletins::router())
        .merge(annual_review::router())
        .merge(campaigns::router())
        .merge(demands::router())
        .merge(results::router())
        .merge(works::router())
        .merge(search::router())
        .merge(matches::router())
        .merge(messages::router())
        .merge(closed_loop::router())
        .merge(statistics::router())
        .merge(outcomes::router())
        .merge(events::router())
        .merge(trainings::router())
        .merge(chief_experts::router())
        .merge(secondments::router())
        .merge(groups::router())
        .merge(scorecards::router())
        .merge(notifications::router())
        .merge(webhooks::router())
        .merge(registrations::router())
        .merge(notices::router())
        .merge(public::router())
        .at("/metrics", get(scrape_metrics))
        .fallback(|| async { error::ApiError::NotFound })
        // Every error answered inside, written out in the request's language.
        .layer(axum::middleware::from_fn(views::render_errors))
        // Each request's route, status and time, for /metrics.
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
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

async fn healthz(State(s): State<AppState>) -> impl IntoResponse {
    match s.store.health().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// `/metrics`, for the office only: a monitoring system scrapes it with an office account's token.
async fn scrape_metrics(State(s): State<AppState>, who: auth::Auth) -> Result<impl IntoResponse, error::ApiError> {
    if who.viewer.role != hezuo_domain::access::Role::Office {
        return Err(hezuo_store::StoreError::Forbidden(hezuo_domain::access::forbidden()).into());
    }
    let reading = metrics::Reading {
        pool: s.store.pool_connections(),
        index_lag: s.store.feed_head().await? - s.search.index().last_seq(),
        reminders: s.store.reminders_sent().await?,
        lock_waits: s.store.write_lock_waits(),
    };
    let text = s
        .metrics
        .encode(reading)
        .map_err(|e| error::ApiError::Internal(format!("metrics could not be written: {e}")))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    ))
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

/// The confirmation of what cannot be undone (`data-confirm`).
async fn app_js() -> impl IntoResponse {
    js(include_str!("../static/app.js"))
}

/// The searchable organisation and person menus of the forms (see `Field::searchable`).
async fn picker_js() -> impl IntoResponse {
    js(include_str!("../static/picker.js"))
}

fn js(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
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
