//! Solicitation campaigns (征集活动) and their coverage.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
