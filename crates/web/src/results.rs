//! Research results (科技成果).

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
