//! The one place SQL lives. A [`Store`] over SQLite (default, in the data folder) or PostgreSQL
//! (from a `postgres://` URL); each query is written once and compiled for both backends by
//! [`on_db!`]/[`on_tx!`]; what differs (migrations, connection setup) sits in [`backend`].
//! Every write is one transaction. Imports `hezuo-domain` only.

pub mod access;
pub mod accounts;
pub mod agreements;
pub mod annual_reviews;
pub mod attachments;
pub mod audit_log;
mod auth_cache;
mod backend;
pub mod backup;
pub mod bulletins;
pub mod campaigns;
pub mod chief_experts;
pub mod closed_loop;
mod counts;
pub mod decisions;
pub mod demands;
pub mod demo;
mod demo_chief_experts;
mod demo_events;
mod demo_groups;
mod demo_messages;
mod demo_platforms;
mod demo_public;
mod demo_registrations;
pub mod demo_scale;
mod demo_secondments;
mod demo_trainings;
mod demo_webhooks;
pub mod events;
pub mod groups;
pub mod idempotency;
pub mod kept;
pub mod matches;
pub mod messages;
pub mod notices;
pub mod notifications;
pub mod organizations;
pub mod outcomes;
pub mod people;
pub mod platforms;
pub mod problems;
pub mod project_flags;
pub mod project_import;
pub mod projects;
pub mod public;
mod records;
pub mod registrations;
pub mod reminders;
pub mod results;
mod scopes;
pub mod scorecards;
pub mod search_docs;
pub mod secondments;
mod sql;
pub mod statistics;
pub mod stats;
pub mod summary;
pub mod supervision;
pub mod trainings;
pub mod waiting;
pub mod webhooks;
pub mod works;

use hezuo_domain::{FieldErrors, Msg};
use std::path::{Path, PathBuf};

pub use access::Viewer;
pub use backend::{Backend, schema_fingerprint};
pub use records::Version;

/// The database behind the store.
#[derive(Clone)]
pub enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// An open transaction on either backend.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$p` bound to the concrete pool, so one query text serves both backends.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// Like [`on_db!`] for an open [`Tx`]; `$c` is the transaction's connection.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The user's role may not do this at all.
    #[error("forbidden")]
    Forbidden(Msg),
    /// Input that fails a rule only the database can check (unknown parent, a cycle…).
    #[error("invalid: {0}")]
    Invalid(FieldErrors),
    /// Input that clashes with an existing record (a duplicate credit code…).
    #[error("conflict: {0}")]
    Conflict(FieldErrors),
    /// The record changed since the writer read it (its version is no longer the one expected).
    #[error("the record changed since it was read (now version {})", .0.id)]
    Stale(records::Version),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<FieldErrors> for StoreError {
    fn from(f: FieldErrors) -> Self {
        StoreError::Invalid(f)
    }
}

impl StoreError {
    pub fn invalid(field: &str, msg: Msg) -> Self {
        StoreError::Invalid(FieldErrors::one(field, msg))
    }
    pub fn conflict(field: &str, msg: Msg) -> Self {
        StoreError::Conflict(FieldErrors::one(field, msg))
    }
}

#[derive(Clone)]
pub struct Store {
    db: Db,
    backend: Backend,
    files_dir: PathBuf,
    clock: hezuo_domain::Clock,
    /// Seconds added to the clock's moment by [`Store::advance_clock`] (tests that move time).
    shift: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// How long writers waited to begin, for monitoring (see [`stats`]).
    lock_waits: std::sync::Arc<stats::LockWaits>,
    /// SQLite's write transactions take turns on this one connection (see `backend::connect`).
    writer: Option<sqlx::SqlitePool>,
    /// Long lists' counts, made in the background (see `counts`).
    counts: std::sync::Arc<counts::CountCache>,
    /// Results too slow to make on every view (see `kept`).
    kept: std::sync::Arc<kept::Kept>,
    scopes: std::sync::Arc<scopes::ScopeCache>,
    /// Who sessions and tokens are, kept a few seconds (see `auth_cache`).
    auth: std::sync::Arc<auth_cache::AuthCache<accounts::Known>>,
}

impl Store {
    /// Opens the store: PostgreSQL when `url` starts with `postgres`, SQLite otherwise (the given
    /// `sqlite:` URL, or `hezuo.db` in `data_dir`). Creates the data folder; does not migrate.
    pub async fn open(url: Option<&str>, data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir)?;
        let (db, backend, writer) = backend::connect(url, data_dir).await?;
        Ok(Store {
            db,
            backend,
            files_dir: data_dir.join("files"),
            clock: hezuo_domain::Clock::System,
            shift: Default::default(),
            lock_waits: Default::default(),
            writer,
            counts: Default::default(),
            kept: Default::default(),
            scopes: Default::default(),
            auth: Default::default(),
        })
    }

    /// Opens and brings the schema up to date.
    pub async fn open_and_migrate(url: Option<&str>, data_dir: &Path) -> Result<Store> {
        let s = Self::open(url, data_dir).await?;
        s.migrate().await?;
        Ok(s)
    }

    /// Brings the schema up to date, then moves the files of a store from before into the database.
    pub async fn migrate(&self) -> Result<()> {
        backend::migrate(&self.db).await?;
        let moved = self.move_files_in().await?;
        if moved > 0 {
            tracing::info!(
                files = moved,
                "attachments moved from the data folder into the database"
            );
        }
        Ok(())
    }

    /// The same store, with "today" taken from `clock` (flags, late reports).
    pub fn with_clock(mut self, clock: hezuo_domain::Clock) -> Store {
        self.clock = clock;
        self
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// "Now" on the store's clock: the real moment, or 10:00 in China on a fixed day.
    pub fn moment(&self) -> chrono::DateTime<chrono::Utc> {
        let base = match self.clock {
            hezuo_domain::Clock::System => now(),
            hezuo_domain::Clock::Fixed(d) => d.and_hms_opt(2, 0, 0).expect("valid time").and_utc(),
        };
        base + chrono::Duration::seconds(self.shift.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Moves [`Store::moment`] forward by `by` for this store and its clones (a test's way to let
    /// minutes pass — a message's edit window — without sleeping). "Today" is not moved.
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.shift
            .fetch_add(by.num_seconds(), std::sync::atomic::Ordering::SeqCst);
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Answers when the database answers a trivial query.
    pub async fn health(&self) -> Result<()> {
        on_db!(&self.db, p => sqlx::query("select 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A transaction that writes. On SQLite, writers queue for this process's one write connection
    /// (first come, first served), which takes the write lock at once (`BEGIN IMMEDIATE`, waiting up
    /// to the busy timeout for another process): a deferred transaction that reads and then writes
    /// would instead fail at once with "database is locked", as SQLite cannot wait for a lock it
    /// might deadlock on.
    pub async fn begin(&self) -> Result<Tx> {
        let asked = std::time::Instant::now();
        let tx = match (&self.db, &self.writer) {
            (Db::Sqlite(_), Some(w)) => Tx::Sqlite(w.begin_with("BEGIN IMMEDIATE").await?),
            (Db::Sqlite(p), None) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            (Db::Postgres(p), _) => Tx::Postgres(p.begin().await?),
        };
        self.lock_waits.observe(asked.elapsed());
        Ok(tx)
    }

    /// A transaction that only reads: one consistent view of the records, and no write lock.
    pub async fn read(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        if let Some(w) = &self.writer {
            w.close().await;
        }
        on_db!(&self.db, p => p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// The current time in UTC, rounded to microseconds so that both backends store it the same.
/// The caches' mutexes: a panic while one was held leaves its map as it was, still usable.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    let n = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(n.timestamp_micros()).unwrap_or(n)
}

impl Store {
    /// Runs one administrative statement (e.g. `create database`) outside any transaction.
    /// Only for tooling and tests; never with user input.
    pub async fn execute_admin(&self, sql: &str) -> Result<()> {
        let sql = sql.to_string();
        on_db!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Makes the database `name`, migrated, on the PostgreSQL server `admin` names
    /// (`postgres://user@host/db`, a user that may create databases): a copy of a template migrated
    /// once per schema, `hezuo_tmpl_<schema_fingerprint>`. Tests and the benchmarks' PostgreSQL
    /// runs make one database each, and migrating each took about a second of the 2 cores (most of
    /// the PostgreSQL test run). The
    /// first to find no template migrates one under a name of its own (`…_test_…`, which CI's
    /// clean-up of interrupted runs finds) and renames it into place; one that loses that race drops
    /// its own. `data_dir` is only the folder `Store::open` asks for.
    pub async fn create_migrated_database(admin: &str, data_dir: &Path, name: &str) -> Result<()> {
        let template = format!("hezuo_tmpl_{}", schema_fingerprint(Backend::Postgres));
        let a = Store::open(Some(admin), data_dir).await?;
        let copy = format!("create database {name} template {template}");
        if a.execute_admin(&copy).await.is_err() {
            // Within PostgreSQL's 63 characters: the part of `name` after its last `test_`.
            let own = name.rsplit("test_").next().unwrap_or(name);
            let building = format!("{template}_test_{own}");
            a.execute_admin(&format!("create database {building}")).await?;
            let (base, _) = admin
                .rsplit_once('/')
                .ok_or_else(|| std::io::Error::other(format!("no database name in {admin}")))?;
            let s = Store::open_and_migrate(Some(&format!("{base}/{building}")), data_dir).await?;
            s.close().await;
            if a.execute_admin(&format!("alter database {building} rename to {template}"))
                .await
                .is_err()
            {
                a.execute_admin(&format!("drop database if exists {building} with (force)"))
                    .await?;
            }
            a.execute_admin(&copy).await?;
        }
        a.close().await;
        Ok(())
    }
}
