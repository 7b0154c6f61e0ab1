//! Supervision (督查): the year's project lists (batches) and their approval ([`batches`]), progress
//! reports (进度填报) with their versions and acceptance ([`reports`]), and the supervision board of
//! red/yellow/green flags grouped by unit and by county ([`board`]). API and pages. The flag rules
//! themselves are `hezuo_domain::supervision`; the flags are set by the store on every project read.

mod batches;
pub mod board;
mod flagged;
pub mod reports;

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    batches::router().merge(reports::router()).merge(board::router())
}
