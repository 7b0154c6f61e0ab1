//! What differs between SQLite and PostgreSQL: connecting, pragmas and each one's migrations.

use crate::{Db, Result};
use sqlx::Connection;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Each backend's migrations, in order; a new one is appended to both lists.
const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
    ),
    (
        2,
        "accounts and audit",
        include_str!("../migrations/sqlite/0002_accounts_audit.sql"),
    ),
    (
        3,
        "supervision",
        include_str!("../migrations/sqlite/0003_supervision.sql"),
    ),
    (4, "bulletins", include_str!("../migrations/sqlite/0004_bulletin.sql")),
    (5, "reminders", include_str!("../migrations/sqlite/0005_reminders.sql")),
    (6, "demands", include_str!("../migrations/sqlite/0006_demands.sql")),
    (7, "matches", include_str!("../migrations/sqlite/0007_matches.sql")),
    (
        8,
        "write safety",
        include_str!("../migrations/sqlite/0008_write_safety.sql"),
    ),
    (9, "retries", include_str!("../migrations/sqlite/0009_retries.sql")),
    (
        10,
        "problem comments",
        include_str!("../migrations/sqlite/0010_problem_comments.sql"),
    ),
    (
        13,
        "match note",
        include_str!("../migrations/sqlite/0013_match_note.sql"),
    ),
    (14, "outcomes", include_str!("../migrations/sqlite/0014_outcomes.sql")),
    (15, "groups", include_str!("../migrations/sqlite/0015_groups.sql")),
    (
        16,
        "secondments",
        include_str!("../migrations/sqlite/0016_secondments.sql"),
    ),
    (
        17,
        "chief_experts",
        include_str!("../migrations/sqlite/0017_chief_experts.sql"),
    ),
    (18, "trainings", include_str!("../migrations/sqlite/0018_trainings.sql")),
    (19, "meetings", include_str!("../migrations/sqlite/0019_meetings.sql")),
    (
        21,
        "annual_review",
        include_str!("../migrations/sqlite/0021_annual_review.sql"),
    ),
    (
        22,
        "project_flag",
        include_str!("../migrations/sqlite/0022_project_flag.sql"),
    ),
    (
        23,
        "notifications",
        include_str!("../migrations/sqlite/0023_notifications.sql"),
    ),
    (24, "messages", include_str!("../migrations/sqlite/0024_messages.sql")),
    (
        25,
        "registrations",
        include_str!("../migrations/sqlite/0025_registrations.sql"),
    ),
    (26, "public", include_str!("../migrations/sqlite/0026_public.sql")),
    (27, "webhooks", include_str!("../migrations/sqlite/0027_webhooks.sql")),
    (
        28,
        "server_secret",
        include_str!("../migrations/sqlite/0028_server_secret.sql"),
    ),
    (
        29,
        "flag_tally",
        include_str!("../migrations/sqlite/0029_flag_tally.sql"),
    ),
    (
        30,
        "project_sorts",
        include_str!("../migrations/sqlite/0030_project_sorts.sql"),
    ),
    (
        31,
        "org_ancestor",
        include_str!("../migrations/sqlite/0031_org_ancestor.sql"),
    ),
    (
        32,
        "flag_words",
        include_str!("../migrations/sqlite/0032_flag_words.sql"),
    ),
];
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "accounts and audit",
        include_str!("../migrations/postgres/0002_accounts_audit.sql"),
    ),
    (
        3,
        "supervision",
        include_str!("../migrations/postgres/0003_supervision.sql"),
    ),
    (4, "bulletins", include_str!("../migrations/postgres/0004_bulletin.sql")),
    (
        5,
        "reminders",
        include_str!("../migrations/postgres/0005_reminders.sql"),
    ),
    (6, "demands", include_str!("../migrations/postgres/0006_demands.sql")),
    (7, "matches", include_str!("../migrations/postgres/0007_matches.sql")),
    (
        8,
        "write safety",
        include_str!("../migrations/postgres/0008_write_safety.sql"),
    ),
    (9, "retries", include_str!("../migrations/postgres/0009_retries.sql")),
    (
        10,
        "problem comments",
        include_str!("../migrations/postgres/0010_problem_comments.sql"),
    ),
    (
        13,
        "match note",
        include_str!("../migrations/postgres/0013_match_note.sql"),
    ),
    (14, "outcomes", include_str!("../migrations/postgres/0014_outcomes.sql")),
    (15, "groups", include_str!("../migrations/postgres/0015_groups.sql")),
    (
        16,
        "secondments",
        include_str!("../migrations/postgres/0016_secondments.sql"),
    ),
    (
        17,
        "chief_experts",
        include_str!("../migrations/postgres/0017_chief_experts.sql"),
    ),
    (
        18,
        "trainings",
        include_str!("../migrations/postgres/0018_trainings.sql"),
    ),
    (19, "meetings", include_str!("../migrations/postgres/0019_meetings.sql")),
    (
        21,
        "annual_review",
        include_str!("../migrations/postgres/0021_annual_review.sql"),
    ),
    (
        22,
        "project_flag",
        include_str!("../migrations/postgres/0022_project_flag.sql"),
    ),
    (
        23,
        "notifications",
        include_str!("../migrations/postgres/0023_notifications.sql"),
    ),
    (24, "messages", include_str!("../migrations/postgres/0024_messages.sql")),
    (
        25,
        "registrations",
        include_str!("../migrations/postgres/0025_registrations.sql"),
    ),
    (26, "public", include_str!("../migrations/postgres/0026_public.sql")),
    (27, "webhooks", include_str!("../migrations/postgres/0027_webhooks.sql")),
    (
        28,
        "server_secret",
        include_str!("../migrations/postgres/0028_server_secret.sql"),
    ),
    (
        29,
        "flag_tally",
        include_str!("../migrations/postgres/0029_flag_tally.sql"),
    ),
    (
        30,
        "project_sorts",
        include_str!("../migrations/postgres/0030_project_sorts.sql"),
    ),
    (
        31,
        "org_ancestor",
        include_str!("../migrations/postgres/0031_org_ancestor.sql"),
    ),
    (
        32,
        "flag_words",
        include_str!("../migrations/postgres/0032_flag_words.sql"),
    ),
];

fn migrator(list: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        list.iter()
            .map(|(v, d, sql)| {
                Migration::new(
                    *v,
                    Cow::Borrowed(*d),
                    MigrationType::Simple,
                    sqlx::SqlSafeStr::into_sql_str(*sql),
                    false,
                )
            })
            .collect(),
    )
}

/// A PostgreSQL connection idle this long is pinged before it is handed out.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// Connects. On SQLite also a pool of one connection for write transactions: SQLite takes one
/// writer at a time anyway, and queueing writers here (first come, first served) spares them
/// SQLite's busy-wait, which under a rush can starve one past its timeout.
pub async fn connect(url: Option<&str>, data_dir: &Path) -> Result<(Db, Backend, Option<sqlx::SqlitePool>)> {
    match url {
        Some(u) if u.starts_with("postgres:") || u.starts_with("postgresql:") => {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                // sqlx pings every connection it hands out unless told not to: a round trip to the
                // server before each statement. Only one that sat idle is pinged (a restart or a
                // proxy may have ended it meanwhile); under load connections are never idle that long.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= PING_IF_IDLE_FOR {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                })
                .connect(u)
                .await?;
            Ok((Db::Postgres(pool), Backend::Postgres, None))
        }
        other => {
            let opts = match other {
                Some(u) => SqliteConnectOptions::from_str(u)?,
                None => SqliteConnectOptions::new().filename(data_dir.join("hezuo.db")),
            }
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Every acknowledged commit is on disk, even after a power cut (docs/decisions.md).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
            // No ping before each statement (sqlx's default): a connection to a file in this
            // process cannot have been ended by anyone else, and the ping was one more trip to the
            // connection's worker thread per statement.
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(opts.clone())
                .await?;
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(60))
                .test_before_acquire(false)
                .connect_with(opts)
                .await?;
            Ok((Db::Sqlite(pool), Backend::Sqlite, Some(writer)))
        }
    }
}

/// Names the schema the migrations of `backend` make: the same text gives the same name (tests on
/// PostgreSQL copy one migrated template database per schema instead of migrating each).
pub fn schema_fingerprint(backend: Backend) -> String {
    use sha2::{Digest, Sha256};
    let list = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let mut h = Sha256::new();
    for (v, d, sql) in list {
        h.update(format!("{v}\u{0}{d}\u{0}{sql}\u{0}").as_bytes());
    }
    hex::encode(&h.finalize()[..8])
}

pub async fn migrate(db: &Db) -> Result<()> {
    match db {
        Db::Sqlite(p) => migrator(SQLITE).run(p).await?,
        Db::Postgres(p) => migrator(POSTGRES).run(p).await?,
    }
    Ok(())
}
