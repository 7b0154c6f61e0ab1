//! A small builder for the few queries whose shape depends on the request (list filters): it numbers
//! `$n` placeholders and keeps the values to bind, for either backend.

#[derive(Debug, Clone)]
pub enum Arg {
    I64(i64),
    I32(i32),
    Text(String),
    Bool(bool),
    Date(chrono::NaiveDate),
    Time(chrono::DateTime<chrono::Utc>),
}

#[derive(Debug, Clone, Default)]
pub struct Q {
    pub sql: String,
    pub args: Vec<Arg>,
    /// Where `access::restrict` wrote a coordinator's subtree of projects, with the other ways it
    /// can be read (see `scopes.rs`); a list picks one ([`Q::read_as`]).
    pub(crate) scopes: Vec<ScopeSpan>,
}

/// A subtree's projects as `access::restrict` wrote them into a [`Q`]: `walk`, at `start`, is the
/// walked form (each row tested: right for any query, and what a count reads); `page` and `set`
/// are the same test written for a list's page and as one gathered set. All three take the same
/// values in the same order.
#[derive(Debug, Clone)]
pub(crate) struct ScopeSpan {
    pub root: i64,
    pub start: usize,
    pub walk: String,
    pub page: String,
    pub set: String,
}

/// How a list reads a subtree's projects (see `scopes.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeForm {
    /// Each row in the list's order tested against the subtree: a wide subtree's page.
    Walk,
    /// The subtree's projects gathered first: a narrow subtree.
    Set,
}

impl Q {
    pub fn new(sql: &str) -> Self {
        Q {
            sql: sql.to_string(),
            args: Vec::new(),
            scopes: Vec::new(),
        }
    }
    /// This query's SQL with each subtree written as `form` asks (as written for a count when
    /// `page` is false and `form` is [`ScopeForm::Walk`]). A span whose text was changed after it
    /// was recorded is left as written: right, only slower.
    pub(crate) fn read_as(&self, form: ScopeForm, page: bool) -> std::borrow::Cow<'_, str> {
        if self.scopes.is_empty() || (form == ScopeForm::Walk && !page) {
            return std::borrow::Cow::Borrowed(&self.sql);
        }
        let mut out = self.sql.clone();
        write_spans(&mut out, &self.scopes, form);
        std::borrow::Cow::Owned(out)
    }
    /// Writes the subtrees recorded from the `from`-th on as their gathered sets, for good, and
    /// forgets them: a restriction nested in a subquery, which no list may read another way.
    pub(crate) fn write_as_sets(&mut self, from: usize) {
        let spans: Vec<ScopeSpan> = self.scopes.drain(from..).collect();
        write_spans(&mut self.sql, &spans, ScopeForm::Set);
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }
    /// Appends a `$n` placeholder for `a`.
    pub fn bind(&mut self, a: Arg) -> &mut Self {
        self.args.push(a);
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }
    /// Appends `($a, $b, …)` for an `in` list; `(null)` when empty so the SQL stays valid.
    pub fn bind_list(&mut self, ids: &[i64]) -> &mut Self {
        if ids.is_empty() {
            return self.push("(null)");
        }
        self.push("(");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Arg::I64(*id));
        }
        self.push(")")
    }
}

/// Writes each span of `sql` as `form` (a page's walk or the gathered set), last first so that
/// the earlier offsets hold; a span whose text was changed is left as written.
fn write_spans(sql: &mut String, spans: &[ScopeSpan], form: ScopeForm) {
    for s in spans.iter().rev() {
        let end = s.start + s.walk.len();
        if sql.get(s.start..end) == Some(s.walk.as_str()) {
            sql.replace_range(s.start..end, if form == ScopeForm::Set { &s.set } else { &s.page });
        }
    }
}

/// Binds every [`Arg`] of `$args` onto the sqlx query `$q` (expanded per backend by `on_db!`).
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args.iter() {
            q = match a {
                $crate::sql::Arg::I64(v) => q.bind(*v),
                $crate::sql::Arg::I32(v) => q.bind(*v),
                $crate::sql::Arg::Text(v) => q.bind(v.clone()),
                $crate::sql::Arg::Bool(v) => q.bind(*v),
                $crate::sql::Arg::Date(v) => q.bind(*v),
                $crate::sql::Arg::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// A `like` pattern matching `s` anywhere, with the user's `%`, `_` and `\` taken literally.
pub fn contains_pattern(s: &str) -> String {
    let mut p = String::from("%");
    for c in s.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Runs a filtered list: its count (exact when short, see `counts`), then one page of rows. In
/// an order whose first key is the record's number (`id` or `x.id`), a page asked for `after` a
/// number starts there by key instead of by offset, and a full page says where the next starts.
/// Gives `(Counted, rows)`; the rows' type has an `id`.
macro_rules! fetch_page {
    ($store:expr, $row:ty, $select:expr, $q:expr, $order:expr, $params:expr) => {{
        let q: &$crate::sql::Q = &$q;
        $params.check()?;
        // A narrow subtree's projects are gathered as a set; a wide one is walked (see `scopes.rs`).
        let (count_form, form) = match q.scopes.first() {
            Some(s) => $store.subtree_width(s.root).await?.forms(),
            None => ($crate::sql::ScopeForm::Walk, $crate::sql::ScopeForm::Walk),
        };
        let order: &str = &$order;
        let (total, kind) = $store.count_list(q, count_form).await?;
        let by_key = $crate::sql::key_order(order);
        let mut page_q = q.clone();
        // After a record number (`after`, the pages' "next" links), or, for a deep page by number,
        // after the nearest of the list's marks below it (`counts.rs`); else the offset walk.
        let from_key = match (by_key, $params.after_id()) {
            (Some((col, desc)), Some(after)) => Some((col, desc, after, 0)),
            (Some((col, desc)), None) => $store
                .page_mark(q, form, order, col, $params.offset())
                .map(|(mark, skip)| (col, desc, mark, skip)),
            _ => None,
        };
        let offset = match from_key {
            Some((col, desc, after, skip)) => {
                page_q
                    .push(&format!(" and {col} {} ", if desc { "<" } else { ">" }))
                    .bind($crate::sql::Arg::I64(after));
                skip
            }
            None => $params.offset(),
        };
        let page_sql = format!(
            "select {} {} order by {} limit {} offset {}",
            $select,
            $crate::sql::for_a_page(&page_q, form, $store.backend() == $crate::Backend::Sqlite),
            order,
            $params.per_page(),
            offset
        );
        let rows: Vec<$row> = $crate::on_db!(&$store.db, p => {
            $crate::sql::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(page_sql)), page_q.args)
                .fetch_all(p)
                .await?
        });
        let next_after = match by_key {
            Some(_) if rows.len() as u32 >= $params.per_page() => rows.last().map(|r| r.id),
            _ => None,
        };
        (
            hezuo_domain::Counted {
                total,
                kind,
                next_after,
            },
            rows,
        )
    }};
}
/// A list's `from … where …` as its page is best read:
///
/// - a subtree's projects as `form` says ([`Q::read_as`]): walked in the list's order where the
///   subtree is wide — 80 ms → 8 ms for a county's first page among a million projects on SQLite —
///   or gathered as a set where it is narrow (see `scopes.rs`).
/// - on SQLite, the project list's flag filter (`Store::flag_join`) becomes a `cross join`, which
///   SQLite reads with the projects outside, in the list's order, probing each one's flag by key,
///   and the "not archived" test is kept off every index (`+`) unless the list tests one kind,
///   status or year: otherwise SQLite 3.51 gathered every project by an index led by `archived`
///   and sorted them (0.3–1.8 s for the first page of any flag among a million) where the walk
///   takes 0.4–1.6 ms. PostgreSQL plans the join itself.
pub(crate) fn for_a_page(q: &Q, form: ScopeForm, sqlite: bool) -> std::borrow::Cow<'_, str> {
    let mut sql = q.read_as(form, true);
    if sqlite
        && let Some(at) = sql.find(FLAG_JOIN)
        && let Some(len) = sql[at + FLAG_JOIN.len()..].find(FLAG_JOIN_END)
    {
        let flags = &sql[at + FLAG_JOIN.len()..at + FLAG_JOIN.len() + len];
        let mut out = String::with_capacity(sql.len() + 64);
        out.push_str(&sql[..at]);
        out.push_str(&format!(
            " cross join (select project_id from project_flag where flag in ({flags})) pf"
        ));
        out.push_str(&sql[at + FLAG_JOIN.len() + len + FLAG_JOIN_END.len()..]);
        out.push_str(" and pf.project_id = project.id");
        // Kept on the index where the list tests one kind, status or year: the index led by
        // `archived` and that column gives the page in number order (0.2–1 ms); kept off, SQLite
        // skipped through it by both `archived` values and sorted (0.14–0.8 s).
        let keyed = [" and kind = ", " and status = ", " and batch_year = "]
            .iter()
            .any(|t| out.contains(t));
        sql = std::borrow::Cow::Owned(if keyed {
            out
        } else {
            out.replace("likely(project.archived = ", "likely(+project.archived = ")
        });
    }
    sql
}

/// The flag filter's join (`Store::flag_join`), around its list of flags, which a page on SQLite
/// turns into a `cross join` ([`for_a_page`]).
pub(crate) const FLAG_JOIN: &str = " join (select project_id from project_flag where flag in (";
pub(crate) const FLAG_JOIN_END: &str = ")) pf on pf.project_id = project.id";

/// The record-number column an order starts with, and whether descending: `id desc, …` → `("id", true)`.
pub(crate) fn key_order(order: &str) -> Option<(&str, bool)> {
    let first = order.split(',').next()?.trim();
    let mut words = first.split_whitespace();
    let col = words.next()?;
    let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        _ => return None,
    };
    (col == "id" || col.ends_with(".id")).then_some((col, desc))
}
pub(crate) use fetch_page;

/// `true`-ish filter values from query strings.
pub fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref().map(str::trim), Some("true" | "1" | "on" | "yes"))
}

/// A short list (codes, keywords) kept in one text column, one item per line.
pub fn join_list(items: &[String]) -> String {
    items.join("\n")
}

pub fn split_list(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}
