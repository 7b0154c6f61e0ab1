//! Demands (技术需求 / 技术难题): intake (posted by an enterprise, collected on a visit, imported
//! from a spreadsheet), the staged review (screen → assess → accepted, or returned with a reason),
//! the way on to matching and projects, the green channel's timer, and near-duplicates shown to the
//! reviewer with their similarity, who may merge them. API and pages:
//! - [`pages`]: the list, a demand's page and its form, through the shared record handlers;
//! - [`workflow`]: each step of the review and beyond, and the review-trail and duplicates panels;
//! - [`import`]: the spreadsheet import's page, API and template.
//!
//! The operations that are not HTTP (duplicate scoring, the import's row mapping) are in
//! `hezuo_app::demands`; the suggestion panels are in `matches`.

mod import;
pub(crate) mod pages;
mod workflow;

pub use workflow::{MergeInput, StepInput};

use crate::resource::routes;
use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    routes::<pages::Demands>()
        .merge(workflow::router())
        .merge(import::router())
}
