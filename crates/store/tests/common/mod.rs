//! `TestStore::new()`: a fresh, migrated store for each test — SQLite in its own temporary folder,
//! or, when `TEST_DATABASE_URL` names a PostgreSQL server, its own database there, dropped when the
//! test ends (the same approach as the web crate's `spawn_app`).

use hezuo_domain::Clock;
use hezuo_store::Store;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The day every test store lives on.
pub const TODAY: &str = "2026-06-15";

pub struct TestStore {
    pub store: Store,
    dir: PathBuf,
    /// (the admin URL, the test database's name) on PostgreSQL.
    pg: Option<(String, String)>,
}

impl TestStore {
    pub async fn new() -> TestStore {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let tag = format!(
            "{}_{}_{n}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let dir = std::env::temp_dir().join(format!("hezuo-store-test-{tag}"));
        let (url, pg) = match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        {
            Some(admin) => {
                let name = format!("hezuo_store_test_{tag}");
                Store::create_migrated_database(&admin, &dir, &name)
                    .await
                    .expect("create test database");
                let (base, _) = admin.rsplit_once('/').expect("database url with a database name");
                (Some(format!("{base}/{name}")), Some((admin, name)))
            }
            None => (None, None),
        };
        let store = Store::open_and_migrate(url.as_deref(), &dir)
            .await
            .expect("open store")
            .with_clock(Clock::Fixed(TODAY.parse().expect("a date")));
        // Figures made on every view, however long they take (see `hezuo_store::kept`): a test's
        // must follow each write, and on a loaded machine a small store's could take 100 ms.
        store.set_keep_results_after(std::time::Duration::from_secs(3600));
        TestStore { store, dir, pg }
    }
}

impl Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = self.pg.take() {
            let dir = self.dir.clone();
            // Drop cannot await, and the test's own runtime is blocked here, so a short-lived runtime on
            // its own thread drops the database; `with (force)` ends the test pool's connections.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                rt.block_on(async move {
                    if let Ok(a) = Store::open(Some(&admin), &dir).await {
                        let _ = a
                            .execute_admin(&format!("drop database if exists {name} with (force)"))
                            .await;
                        a.close().await;
                    }
                    let _ = std::fs::remove_dir_all(&dir);
                });
            })
            .join()
            .ok();
        }
    }
}
