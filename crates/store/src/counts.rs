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
//!
//! A deep page by number (`page=25000`) is read from a mark rather than by walking the offset:
//! for a list in record-number order, its *marks* are the number of every [`MARK_EVERY`]-th row,
//! made in the background the first time a page past [`DEEP_FROM`] rows is asked for and kept like
//! a count ([`FRESH_FOR`]). Such a page then starts after the nearest mark below it (keyset) and
//! skips fewer than [`MARK_EVERY`] rows. Until the marks are made, and for lists in another order,
//! the page walks its offset. Records added or archived since the marks were made shift a deep
//! page by as many rows (the total is an estimate there too); the "next" links carry `after` and
//! are exact.

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
/// Pages starting this many rows in or more are read from the list's marks.
pub const DEEP_FROM: i64 = 10_000;
/// A mark every this many rows (a million rows: 1,000 numbers).
pub const MARK_EVERY: i64 = 1_000;
/// Lists whose marks are kept before all are forgotten.
const KEEP_MARKS: usize = 256;

#[derive(Debug)]
pub(crate) struct CountCache {
    exact_up_to: AtomicI64,
    known: Mutex<HashMap<String, (Instant, i64)>>,
    counting: AtomicBool,
    /// From which row and every how many rows lists are marked ([`DEEP_FROM`], [`MARK_EVERY`]).
    deep: Mutex<(i64, i64)>,
    marks: Mutex<HashMap<String, Marks>>,
    marking: AtomicBool,
}

impl Default for CountCache {
    fn default() -> Self {
        CountCache {
            exact_up_to: AtomicI64::new(EXACT_UP_TO),
            known: Mutex::new(HashMap::new()),
            counting: AtomicBool::new(false),
            deep: Mutex::new((DEEP_FROM, MARK_EVERY)),
            marks: Mutex::new(HashMap::new()),
            marking: AtomicBool::new(false),
        }
    }
}

/// A list's marks and when they were made.
type Marks = (Instant, std::sync::Arc<Vec<i64>>);

/// Where a page `offset` rows into a list may start, given the list's `marks` (the record number
/// of row `every`·(k + 1) − 1, counting from 0, for k = 0, 1, …): after which record, and how
/// many rows to skip from there. `None` when no mark is before the page.
pub(crate) fn from_mark(marks: &[i64], every: i64, offset: i64) -> Option<(i64, i64)> {
    let k = (offset / every).min(marks.len() as i64);
    (k >= 1).then(|| (marks[k as usize - 1], offset - k * every))
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
        let known = crate::lock(&self.counts.known).get(&k).copied();
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

    /// Pages from `from` rows in are read from marks made every `every` rows ([`DEEP_FROM`],
    /// [`MARK_EVERY`]); tests lower them to see marks on a few hundred rows.
    pub fn set_deep_pages(&self, from: i64, every: i64) {
        *crate::lock(&self.counts.deep) = (from.max(1), every.max(1));
        crate::lock(&self.counts.marks).clear();
    }

    /// How many lists' marks this server keeps (for tests: the marks were made).
    pub fn marked_lists(&self) -> usize {
        crate::lock(&self.counts.marks).len()
    }

    /// For a page `offset` rows into the list `q` (`from … where …`, read as `form`) in the order
    /// `order`, which starts with the record number `col`: after which record number it starts and
    /// how many rows it skips from there, when the list's marks are made (see the module's notes).
    /// Otherwise `None`, and the marks are made in the background if the page is deep.
    pub(crate) fn page_mark(&self, q: &Q, form: ScopeForm, order: &str, col: &str, offset: i64) -> Option<(i64, i64)> {
        let (deep, every) = *crate::lock(&self.counts.deep);
        if offset < deep {
            return None;
        }
        let k = format!("{}\u{2}{order}\u{2}{form:?}", key(q));
        let known = crate::lock(&self.counts.marks).get(&k).cloned();
        if known.as_ref().is_none_or(|(at, _)| at.elapsed() >= FRESH_FOR) {
            let sql = format!(
                "select {col} {} order by {order}",
                crate::sql::for_a_page(q, form, self.backend() == crate::Backend::Sqlite)
            );
            self.mark_in_background(k, sql, q.args.clone(), every);
        }
        from_mark(&known?.1, every, offset)
    }

    /// Reads the list's record numbers in order on a task of its own, one list at a time per
    /// server, and keeps every `every`-th.
    fn mark_in_background(&self, k: String, sql: String, args: Vec<Arg>, every: i64) {
        if self.counts.marking.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            let got: Result<Vec<i64>> = async {
                use futures_util::TryStreamExt;
                let mut marks = Vec::new();
                let mut row = 0i64;
                on_db!(&store.db, p => {
                    let mut rows = bind_args!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)), args).fetch(p);
                    while let Some(id) = rows.try_next().await? {
                        row += 1;
                        if row % every == 0 {
                            marks.push(id);
                        }
                    }
                });
                Ok(marks)
            }
            .await;
            match got {
                Ok(marks) => {
                    let mut known = crate::lock(&store.counts.marks);
                    if known.len() >= KEEP_MARKS {
                        known.clear();
                    }
                    known.insert(k, (Instant::now(), std::sync::Arc::new(marks)));
                }
                Err(e) => tracing::warn!("marking a long list's pages failed: {e}"),
            }
            store.counts.marking.store(false, Ordering::Release);
        });
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
                    let mut known = crate::lock(&store.counts.known);
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

#[cfg(test)]
mod tests {
    use super::from_mark;

    #[test]
    fn a_page_starts_after_the_nearest_mark_before_it_and_skips_the_rest() {
        // Marks of rows 3, 7 and 11 (every 4 rows, counting from 0), in a list ordered by number.
        let marks = [30, 70, 110];
        assert_eq!(from_mark(&marks, 4, 3), None, "no mark before row 3");
        assert_eq!(from_mark(&marks, 4, 4), Some((30, 0)));
        assert_eq!(from_mark(&marks, 4, 9), Some((70, 1)));
        assert_eq!(from_mark(&marks, 4, 12), Some((110, 0)));
        // Past the last mark (rows added since): from the last one.
        assert_eq!(from_mark(&marks, 4, 100), Some((110, 88)));
        assert_eq!(from_mark(&[], 4, 100), None);
    }
}
