//! Counting a list without scanning a province on every view (issue 19). A list's total is counted
//! exactly up to [`EXACT_UP_TO`] rows (`count(*)` over at most that many plus one, which stops
//! early); past that the list is "long", and its total is an estimate: an exact count made in the
//! background, kept for [`FRESH_FOR`] per query (its SQL and values) in this server's memory, and
//! made again in the background once older. Until the first count is done the total is "at least"
//! the rows counted. While a list's count is fresh and long, a view reads it and counts nothing
//! (so a list that shrank below the line says "about" its old total until the count is redone).
//! Pages say which (约 N 条 / N 条以上); the API says it in `total_kind`.
//!
//! One background count runs at a time per server; a list asked for while another is being counted
//! stays "at least" until its turn. Keyset paging (`after`) lives in `sql::fetch_page!`.

use crate::sql::{Arg, Q, ScopeForm, bind_args};
use crate::{Result, Store, on_db};
use hezuo_domain::TotalKind;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// Lists up to this many rows are counted exactly on every view.
pub const EXACT_UP_TO: i64 = 1_000;
/// How long a long list's background count stands before it is made again.
pub const FRESH_FOR: Duration = Duration::from_secs(600);
/// Counts kept before the oldest half is forgotten.
const KEEP: usize = 4_096;

#[derive(Debug)]
pub(crate) struct CountCache {
    exact_up_to: AtomicI64,
    known: Mutex<HashMap<String, (Instant, i64)>>,
    counting: AtomicBool,
}

impl Default for CountCache {
    fn default() -> Self {
        CountCache {
            exact_up_to: AtomicI64::new(EXACT_UP_TO),
            known: Mutex::new(HashMap::new()),
            counting: AtomicBool::new(false),
        }
    }
}

fn key(q: &Q) -> String {
    let mut k = q.sql.clone();
    for a in &q.args {
        k.push('\u{1}');
        k.push_str(&match a {
            Arg::I64(v) => v.to_string(),
            Arg::I32(v) => v.to_string(),
            Arg::Text(v) => v.clone(),
            Arg::Bool(v) => v.to_string(),
            Arg::Date(v) => v.to_string(),
            Arg::Time(v) => v.to_rfc3339(),
        });
    }
    k
}

impl Store {
    /// Lists longer than `n` rows get an estimated total: the default is [`EXACT_UP_TO`]; tests
    /// lower it to see long lists with few rows.
    pub fn set_exact_count_limit(&self, n: i64) {
        self.counts.exact_up_to.store(n.max(0), Ordering::Relaxed);
    }

    /// The total of the list `q` (`from … where …`): exact when short, otherwise the last
    /// background count (or "at least" until there is one).
    /// A subtree of projects in it is read as `form` says (see `scopes.rs`).
    pub(crate) async fn count_list(&self, q: &Q, form: ScopeForm) -> Result<(i64, TotalKind)> {
        let cap = self.counts.exact_up_to.load(Ordering::Relaxed);
        let k = key(q);
        let known = self
            .counts
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&k)
            .copied();
        // A list counted long a short while ago is not counted again on each view: its count
        // stands as the estimate until it is old (the capped count read 120,000 rows for a
        // county's first page among a million projects on PostgreSQL: 49 ms of every view).
        if let Some((at, total)) = known
            && at.elapsed() < FRESH_FOR
            && total > cap
        {
            return Ok((total, TotalKind::Estimate));
        }
        let sql = format!(
            "select count(*) from (select 1 {} limit {}) c",
            q.read_as(form, false),
            cap + 1
        );
        let n: i64 = on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), q.args)
            .fetch_one(p).await)?;
        if n <= cap {
            return Ok((n, TotalKind::Exact));
        }
        let fresh = known.is_some_and(|(at, _)| at.elapsed() < FRESH_FOR);
        if !fresh {
            self.count_in_background(k, q.read_as(form, false).into_owned(), q.args.clone());
        }
        Ok(match known {
            Some((_, total)) => (total.max(n), TotalKind::Estimate),
            None => (n - 1, TotalKind::AtLeast),
        })
    }

    /// Counts `q` exactly on a task of its own, one at a time per server, and keeps the figure.
    fn count_in_background(&self, k: String, from: String, args: Vec<Arg>) {
        if self.counts.counting.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            let sql = format!("select count(*) {from}");
            let got: Result<i64> = async {
                Ok(
                    on_db!(&store.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), args)
                    .fetch_one(p).await)?,
                )
            }
            .await;
            match got {
                Ok(n) => {
                    let mut known = store.counts.known.lock().unwrap_or_else(|e| e.into_inner());
                    if known.len() >= KEEP {
                        let mut ages: Vec<Instant> = known.values().map(|(at, _)| *at).collect();
                        ages.sort();
                        let cut = ages[ages.len() / 2];
                        known.retain(|_, (at, _)| *at > cut);
                    }
                    known.insert(k, (Instant::now(), n));
                }
                Err(e) => tracing::warn!("counting a long list failed: {e}"),
            }
            store.counts.counting.store(false, Ordering::Release);
        });
    }
}
