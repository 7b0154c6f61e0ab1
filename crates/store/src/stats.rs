//! What the store can tell about itself for monitoring (`/metrics`): how long writers waited for
//! the write lock, the connection pool's use, and how many reminders went out.

use crate::{Db, Result, Store, on_db};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The upper bounds (seconds) of the write-lock wait histogram's buckets.
pub const WAIT_BUCKETS: [f64; 9] = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0];

/// Write-lock waits so far: how many, their total, and how many fell at or below each bound.
#[derive(Default)]
pub struct LockWaits {
    count: AtomicU64,
    micros: AtomicU64,
    buckets: [AtomicU64; WAIT_BUCKETS.len()],
}

impl LockWaits {
    pub(crate) fn observe(&self, d: Duration) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.micros.fetch_add(d.as_micros() as u64, Ordering::Relaxed);
        let secs = d.as_secs_f64();
        for (b, bound) in self.buckets.iter().zip(WAIT_BUCKETS) {
            if secs <= bound {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// A reading of [`LockWaits`]: (count, sum in seconds, cumulative count per bound).
#[derive(Debug, Clone, PartialEq)]
pub struct WaitReading {
    pub count: u64,
    pub sum_seconds: f64,
    pub buckets: Vec<(f64, u64)>,
}

impl Store {
    /// How long write transactions waited to begin (on SQLite: for the write lock; on PostgreSQL:
    /// for a connection), since this process started.
    pub fn write_lock_waits(&self) -> WaitReading {
        let w = &self.lock_waits;
        WaitReading {
            count: w.count.load(Ordering::Relaxed),
            sum_seconds: w.micros.load(Ordering::Relaxed) as f64 / 1e6,
            buckets: WAIT_BUCKETS
                .iter()
                .zip(&w.buckets)
                .map(|(bound, n)| (*bound, n.load(Ordering::Relaxed)))
                .collect(),
        }
    }

    /// The connection pool: (connections open, of which idle).
    pub fn pool_connections(&self) -> (u32, usize) {
        match &self.db {
            Db::Sqlite(p) => (p.size(), p.num_idle()),
            Db::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    /// Reminders sent so far: (in the app, of which also by email) — across every server.
    pub async fn reminders_sent(&self) -> Result<(i64, i64)> {
        let (n, emailed): (i64, Option<i64>) = on_db!(&self.db, p => sqlx::query_as(
            "select count(*), sum(case when emailed then 1 else 0 end) from reminder").fetch_one(p).await)?;
        Ok((n, emailed.unwrap_or(0)))
    }
}
