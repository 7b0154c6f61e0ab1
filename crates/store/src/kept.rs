//! Results too slow to make on every view, kept a few minutes (issue 19). The statistics of a
//! province — the dashboard's three tables, the statistics pages — read every project of the year
//! or of all years: seconds at a million projects. A result that took longer than [`SLOW_AFTER`]
//! to make is kept in this server's memory for [`FRESH_FOR`] under its key (what was asked, by
//! whom, on which day); views in that time get it as it was made, with the moment it was made, and
//! the pages say so (数据截至 …). Once older, a view still gets it at once and it is made again in
//! the background (one remaking per key at a time). A result made quickly (every small store) is
//! never kept: it is exact on every view. The tests make every result on every view
//! (`Store::set_keep_results_after`), but the one of keeping.

use crate::{Result, Store, lock};
use chrono::{DateTime, Utc};
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Results that took at least this long to make are kept.
/// (The office's demand funnel over 200,000 demands takes about 130 ms: made on every view, it
/// was most of the dashboard's time.)
pub const SLOW_AFTER: Duration = Duration::from_millis(100);
/// How long a kept result is given without being made again.
pub const FRESH_FOR: Duration = Duration::from_secs(300);
/// Results kept before all are forgotten (one per viewer's scope, grouping and year).
const KEEP: usize = 1_024;

struct Entry {
    at: Instant,
    made: DateTime<Utc>,
    value: Arc<dyn Any + Send + Sync>,
}

pub(crate) struct Kept {
    slow_after: Mutex<Duration>,
    known: Mutex<HashMap<String, Entry>>,
    remaking: Mutex<HashSet<String>>,
}

impl Default for Kept {
    fn default() -> Self {
        Kept {
            slow_after: Mutex::new(SLOW_AFTER),
            known: Mutex::new(HashMap::new()),
            remaking: Mutex::new(HashSet::new()),
        }
    }
}

impl Kept {
    fn put<T: Send + Sync + 'static>(&self, key: String, value: T, made: DateTime<Utc>) {
        let mut known = lock(&self.known);
        if known.len() >= KEEP {
            known.clear();
        }
        known.insert(
            key,
            Entry {
                at: Instant::now(),
                made,
                value: Arc::new(value),
            },
        );
    }
}

impl Store {
    /// Results that take at least `d` to make are kept ([`SLOW_AFTER`] unless changed); a test sets
    /// zero to see a kept result on a small store.
    pub fn set_keep_results_after(&self, d: Duration) {
        *lock(&self.kept.slow_after) = d;
    }

    /// The result under `key`: the one kept, with the moment it was made, or one made now by `make`
    /// (given a handle on this store) with `None` — and kept if making it was slow. A kept result
    /// older than [`FRESH_FOR`] is still given, and made again in the background.
    pub(crate) async fn kept<T, F, Fut>(&self, key: String, make: F) -> Result<(T, Option<DateTime<Utc>>)>
    where
        T: Clone + Send + Sync + 'static,
        F: Fn(Store) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let known = lock(&self.kept.known)
            .get(&key)
            .and_then(|e| Some((e.at, e.made, e.value.clone().downcast::<T>().ok()?)));
        if let Some((at, made, value)) = known {
            if at.elapsed() >= FRESH_FOR && lock(&self.kept.remaking).insert(key.clone()) {
                let store = self.clone();
                tokio::spawn(async move {
                    let made = Utc::now();
                    match make(store.clone()).await {
                        Ok(v) => store.kept.put(key.clone(), v, made),
                        Err(e) => tracing::warn!(error = %e, key, "remaking a kept result failed"),
                    }
                    lock(&store.kept.remaking).remove(&key);
                });
            }
            return Ok(((*value).clone(), Some(made)));
        }
        let (started, made) = (Instant::now(), Utc::now());
        let value = make(self.clone()).await?;
        if started.elapsed() >= *lock(&self.kept.slow_after) {
            self.kept.put(key, value.clone(), made);
        }
        Ok((value, None))
    }
}
