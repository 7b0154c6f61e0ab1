//! How routes are added: [`RouteExt::at`] puts authentication in front of every route and records
//! its path, so that the authorization-matrix test finds every endpoint the app has.

use crate::state::AppState;
use axum::Router;
use axum::routing::MethodRouter;
use std::collections::BTreeSet;
use std::sync::Mutex;

static PATHS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// `Router::route` that also records the path (see [`routed_paths`]).
pub trait RouteExt {
    fn at(self, path: &str, method_router: MethodRouter<AppState>) -> Self;
}

impl RouteExt for Router<AppState> {
    /// Also puts [`crate::auth::authenticate`] in front of the route's handlers, then
    /// [`crate::idempotency::idempotent`] — as route layers of the method router, so a method the
    /// path does not have is still a plain 405.
    fn at(self, path: &str, method_router: MethodRouter<AppState>) -> Self {
        PATHS.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string());
        self.route(
            path,
            method_router
                .route_layer(axum::middleware::from_fn(crate::idempotency::idempotent))
                .route_layer(axum::middleware::from_fn(crate::auth::authenticate)),
        )
    }
}

/// Every path routed by [`crate::app`] (after it has been built once).
pub fn routed_paths() -> Vec<String> {
    PATHS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect()
}
