//! Demands (技术需求): intake, staged review, workflow, import, duplicates.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
