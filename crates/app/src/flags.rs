//! Keeping the stored flags (`hezuo_store::project_flags`) fresh while the server runs: every stale
//! flag at start, then each hour — a new day (a milestone falling due, a report period passing)
//! makes every flag stale, and writes make theirs stale as they land. Readers that need fresh flags
//! refresh what is stale themselves; this keeps that to nothing on a normal day.

use hezuo_store::Store;

/// Refreshes the stale flags now and then every hour, for as long as the server runs.
pub fn spawn_refresh(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let started = std::time::Instant::now();
            match store.refresh_flags(None).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(flags = n, ms = started.elapsed().as_millis() as u64, "flags refreshed"),
                Err(e) => tracing::warn!(error = %e, "flag refresh failed"),
            }
        }
    });
}
