//! Keeping the stored flags (`hezuo_store::project_flags`) fresh while the server runs: every stale
//! flag at start, then each hour — a new day (a milestone falling due, a report period passing)
//! makes every flag stale, and writes make theirs stale as they land. Readers that need fresh flags
//! refresh what is stale themselves; this keeps that to nothing on a normal day. After each refresh
//! the whole's dashboard figures are made, to be kept where they are slow (a province's).

use hezuo_domain::statistics::StatsBy;
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
            warm_dashboard(&store).await;
        }
    });
}

/// Makes the whole's dashboard figures (this year by county and by college, every year by year)
/// so that, where they are slow to make and so kept (`hezuo_store::kept`), the first to open the
/// dashboard after a start does not wait for them.
async fn warm_dashboard(store: &Store) {
    let v = hezuo_store::Viewer::system("看板预热");
    let year = chrono::Datelike::year(&store.today());
    let started = std::time::Instant::now();
    for (by, year) in [
        (StatsBy::County, Some(year)),
        (StatsBy::College, Some(year)),
        (StatsBy::Year, None),
    ] {
        if let Err(e) = store.statistics(&v, by, year).await {
            tracing::warn!(error = %e, "making the dashboard's figures failed");
            return;
        }
    }
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "dashboard figures made");
}
