//! What every handler can reach: the store, the search index, and the server's settings.

use hezuo_app::search::Search;
use hezuo_store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    /// The records; its clock is the app's "today".
    pub store: Store,
    /// Largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Mark the session cookie `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// The search index, following the records' change feed.
    pub search: Arc<Search>,
    /// Writes laid over a record's current state (PATCH without If-Match) take turns per record on
    /// this server, so they need not read again; across servers the version check makes them retry.
    pub patch_turns: Arc<PatchTurns>,
    /// What `/metrics` reports.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Posts webhook deliveries (a test post from a page), linking back to the public address.
    pub webhooks: hezuo_app::webhooks::Poster,
    /// Where email goes (self-registration codes and decisions); None: the server sends none.
    pub mailer: Option<hezuo_app::mail::Mailer>,
    /// The public portal's rate limiter and search index.
    pub public: Arc<crate::public::index::PublicState>,
}

/// One lock per record being written, made when first asked for and dropped once nobody holds or
/// waits for it: writes to different records never wait for each other.
#[derive(Default)]
pub struct PatchTurns(std::sync::Mutex<std::collections::HashMap<TurnKey, Arc<tokio::sync::Mutex<()>>>>);

/// A record: its kind's code and its id.
type TurnKey = (&'static str, i64);

impl PatchTurns {
    fn new() -> Self {
        Self::default()
    }
    /// Waits for the turn of record (`kind`, `id`).
    pub async fn take(&self, kind: hezuo_domain::RecordKind, id: i64) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut turns = self.0.lock().unwrap_or_else(|e| e.into_inner());
            // Locks only the map holds are free: forget them before the map grows.
            if turns.len() >= 256 {
                turns.retain(|_, l| Arc::strong_count(l) > 1);
            }
            turns.entry((kind.as_str(), id)).or_default().clone()
        };
        lock.lock_owned().await
    }
}

impl AppState {
    /// The state with a search index in memory (built from the records on first use).
    pub fn new(store: Store) -> Self {
        let search = Search::in_memory().expect("an in-memory index can always be created");
        AppState {
            store,
            max_upload_bytes: 20 * 1024 * 1024,
            secure_cookies: false,
            trust_forwarded_for: false,
            search: Arc::new(search),
            patch_turns: Arc::new(PatchTurns::new()),
            metrics: Arc::new(crate::metrics::Metrics::new()),
            webhooks: hezuo_app::webhooks::Poster::new("http://127.0.0.1:8080")
                .expect("the HTTP client builds with the bundled roots"),
            mailer: None,
            public: Arc::new(crate::public::index::PublicState::default()),
        }
    }

    /// Runs matching and search on `threads` threads of their own, with room for `queue` waiting
    /// requests (beyond it: 503 with Retry-After). Default: hezuo_app::pool's.
    pub fn with_engine_pool(self, threads: usize, queue: usize) -> std::io::Result<Self> {
        self.search.set_pool(hezuo_app::pool::EnginePool::new(threads, queue)?);
        Ok(self)
    }

    /// Keeps the search index in `dir` (the data folder's `search/`), so it survives restarts.
    pub fn with_index_dir(mut self, dir: &std::path::Path) -> anyhow::Result<Self> {
        self.search = Arc::new(Search::open(dir)?);
        Ok(self)
    }
}
