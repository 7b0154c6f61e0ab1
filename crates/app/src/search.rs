//! The search index kept in step with the records: built from them when it has never followed the
//! change feed, then caught up from its last position (before every search, and every two seconds
//! in the background). Holes in the feed — PostgreSQL transactions that took their sequence number
//! early and commit late — are looked for again for two minutes before they are taken for rollbacks.
//! `hezuo reindex` rebuilds it; `hezuo serve` follows; the web server's searches and matching sync it.

use crate::pool::EnginePool;
use hezuo_search::SearchIndex;
use hezuo_store::Store;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a hole in the change feed is waited for (a PostgreSQL transaction that took its
/// sequence number early and commits late) before it is taken for a rollback.
const GAP_PATIENCE: Duration = Duration::from_secs(120);

/// The index, how far it has followed the change feed, and the threads its searches and matching
/// run on ([`EnginePool`]).
pub struct Search {
    index: SearchIndex,
    state: tokio::sync::Mutex<Follow>,
    pool: std::sync::RwLock<EnginePool>,
}

#[derive(Default)]
struct Follow {
    /// Whether this process has built or checked the index against the records once.
    started: bool,
    /// Feed sequence numbers seen missing, and when.
    gaps: BTreeMap<i64, Instant>,
}

impl Search {
    /// An index in memory (tests, and a server run without a data folder).
    pub fn in_memory() -> anyhow::Result<Search> {
        Ok(Search::new(SearchIndex::in_memory()?))
    }

    /// The index kept in `dir` (the data folder's `search/`), created if missing.
    pub fn open(dir: &Path) -> anyhow::Result<Search> {
        Ok(Search::new(SearchIndex::open(dir)?))
    }

    fn new(index: SearchIndex) -> Search {
        Search {
            index,
            state: tokio::sync::Mutex::new(Follow::default()),
            pool: std::sync::RwLock::new(EnginePool::default()),
        }
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// The threads searches and matching run on.
    pub fn pool(&self) -> EnginePool {
        self.pool.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Runs searches and matching on `pool` from now on (`hezuo serve --engine-threads`, tests).
    pub fn set_pool(&self, pool: EnginePool) {
        *self.pool.write().unwrap_or_else(|e| e.into_inner()) = pool;
    }

    /// Runs `f` over the index on the pool's threads: the CPU part of a search or a match, never
    /// its database reads. Refused with [`crate::Error::Busy`] when the pool's queue is full.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&SearchIndex) -> T + Send + 'static) -> crate::Result<T> {
        let index = self.index.clone();
        self.pool().run(move || f(&index)).await
    }

    /// Rebuilds the index from the records (what `hezuo reindex` does).
    pub async fn rebuild(&self, store: &Store) -> anyhow::Result<usize> {
        let mut st = self.state.lock().await;
        let n = self.rebuild_locked(store).await?;
        st.started = true;
        st.gaps.clear();
        Ok(n)
    }

    async fn rebuild_locked(&self, store: &Store) -> anyhow::Result<usize> {
        // The feed's head is read first: what commits while the records are read is replayed after.
        let head = store.feed_head().await?;
        let docs = store.all_search_docs().await?;
        let index = self.index.clone();
        let n = tokio::task::spawn_blocking(move || index.rebuild(docs, head)).await??;
        tracing::info!(documents = n, feed = head, "search index rebuilt");
        Ok(n)
    }

    /// Brings the index up to date with every committed change: on first use an index that never
    /// followed the feed is rebuilt; then the feed is followed from the last position the index
    /// committed, and sequence numbers seen missing are looked for again until they turn up or
    /// are old enough to be rollbacks.
    pub async fn sync(&self, store: &Store) -> anyhow::Result<()> {
        let mut st = self.state.lock().await;
        if !st.started {
            st.started = true;
            if self.index.last_seq() == 0 || self.index.last_seq() > store.feed_head().await? {
                self.rebuild_locked(store).await?;
                return Ok(());
            }
        }
        // Holes left by transactions that commit out of order.
        st.gaps.retain(|_, seen| seen.elapsed() < GAP_PATIENCE);
        if !st.gaps.is_empty() {
            let wanted: Vec<i64> = st.gaps.keys().copied().collect();
            let found = store.feed_entries(&wanted).await?;
            if !found.is_empty() {
                for e in &found {
                    st.gaps.remove(&e.seq);
                }
                let changes = store.search_changes(&found).await?;
                let index = self.index.clone();
                let seq = index.last_seq();
                tokio::task::spawn_blocking(move || index.apply(&changes, seq)).await??;
            }
        }
        loop {
            let last = self.index.last_seq();
            let entries = store.feed_since(last, 500).await?;
            let Some(end) = entries.last().map(|e| e.seq) else {
                return Ok(());
            };
            let mut expected = last + 1;
            for e in &entries {
                while expected < e.seq {
                    st.gaps.entry(expected).or_insert_with(Instant::now);
                    expected += 1;
                }
                expected = e.seq + 1;
            }
            let changes = store.search_changes(&entries).await?;
            let index = self.index.clone();
            tokio::task::spawn_blocking(move || index.apply(&changes, end)).await??;
        }
    }
}

/// Keeps the index following the feed in the background (on several servers, each follows the
/// shared database's feed, so every index converges).
pub fn spawn_follower(search: Arc<Search>, store: Store) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = search.sync(&store).await {
                tracing::warn!(error = %e, "search index could not follow the change feed");
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
}
