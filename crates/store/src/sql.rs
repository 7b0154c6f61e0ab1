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
}

impl Q {
    pub fn new(sql: &str) -> Self {
        Q {
            sql: sql.to_string(),
            args: Vec::new(),
        }
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

/// Runs a filtered list: `count(*)` over `from_where` for the total, then one page of rows.
macro_rules! fetch_page {
    ($store:expr, $row:ty, $select:expr, $q:expr, $order:expr, $params:expr) => {{
        let q: &$crate::sql::Q = &$q;
        $params.check()?;
        let count_sql = format!("select count(*) {}", q.sql);
        let page_sql = format!(
            "select {} {} order by {} limit {} offset {}",
            $select,
            q.sql,
            $order,
            $params.per_page(),
            $params.offset()
        );
        let (total, rows): (i64, Vec<$row>) = $crate::on_db!(&$store.db, p => {
            let total: i64 = $crate::sql::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)), q.args)
                .fetch_one(p)
                .await?;
            let rows: Vec<$row> = $crate::sql::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(page_sql)), q.args)
                .fetch_all(p)
                .await?;
            (total, rows)
        });
        (total, rows)
    }};
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
