//! What the portal keeps between requests, held in `AppState`: the per-address limiter and the
//! public search index (built by `search.rs` from the public text only). A leaf: the state names
//! it without depending on the portal's pages.

use crate::rate_limit::RateLimiter;
use chrono::NaiveDate;
use hezuo_search::SearchIndex;
use std::time::Duration;

/// Requests one address may make at once, and again every minute.
pub const REQUESTS_PER_MINUTE: u32 = 120;

/// The public index and what it was built from (the change feed's position and the day).
#[derive(Default)]
pub struct PublicIndex(pub(crate) tokio::sync::Mutex<Option<(SearchIndex, i64, NaiveDate)>>);

pub struct PublicState {
    pub limiter: RateLimiter,
    pub(crate) index: PublicIndex,
}

impl Default for PublicState {
    fn default() -> Self {
        PublicState {
            limiter: RateLimiter::new(REQUESTS_PER_MINUTE, Duration::from_secs(60)),
            index: PublicIndex::default(),
        }
    }
}
