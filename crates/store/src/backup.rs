//! Backup and restore: every table's rows in one JSON-lines file, read in one snapshot while the
//! server goes on writing, and written back into an empty store of the same schema version — on
//! either backend, whichever backend the backup came from.
//!
//! The file: a header `{"format":"hezuo-backup","version":1,"schema":9,"backend":"sqlite",
//! "created_at":…}`; for each table `{"table":"organization","columns":["id",…]}` followed by one
//! line per row `[1,null,"government",…]`, in the order of its primary key; and a last line
//! `{"end":true,"tables":N,"rows":M}`, without which a restore refuses the file as cut short.
//! Values: integers and floats as JSON numbers, text as strings, booleans as `true`/`false`, bytes
//! as `{"b64":"…"}`, null as `null`; timestamps as the text SQLite holds (what sqlx writes,
//! `2026-06-15T02:00:00.123+00:00`) or the same RFC 3339 form from PostgreSQL's `timestamptz`, dates
//! as `YYYY-MM-DD`. A restore converts each value to the type of the target's column.
//!
//! Tables, columns, primary and foreign keys are read from the database's own catalogue, so a new
//! migration needs no change here. Tables are written parents first (by their foreign keys), which
//! lets a restore insert them as it reads; a column referring to its own table (an organisation's
//! parent) is inserted empty and set once the whole table is in.
//!
//! One file because the writer, the reader and the table list must change together with the
//! schema; splitting them would let one fall out of step (most of its length is the per-table
//! column lists both directions need).

use crate::{Backend, Db, Store, StoreError, Tx, on_tx};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Row, TypeInfo, ValueRef};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{BufRead, Write};

/// The `format` of the header line.
pub const FORMAT: &str = "hezuo-backup";
/// The version of the file format this code writes and reads.
pub const FORMAT_VERSION: i64 = 1;

/// Rows inserted by one statement at most. Small on purpose: statements of hundreds of rows cost
/// more per row, not less (measured, release build: the demo restored in 0.26 s on SQLite and 0.89 s
/// on PostgreSQL at 500 rows, 0.03 s and 0.15 s at 20; 10 and 50 were no better).
const BATCH_ROWS: usize = 20;
/// Bound values in one statement at most (SQLite allows 32766, PostgreSQL 65535).
const BATCH_PARAMS: usize = 30_000;
/// Bytes of row data in one statement at most, so that large attachments go a few at a time.
const BATCH_BYTES: usize = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "目标库不是空库（{table} 表中已有记录），备份只能恢复到空库 / the target store is not empty \
         (table {table} has rows): a backup restores only into an empty store"
    )]
    NotEmpty { table: String },
    #[error(
        "备份的数据库结构版本为 {backup}，目标库为 {target}：请用与备份相同版本的 hezuo 恢复，再升级 / \
         the backup's schema version is {backup} and the target's {target}: restore it with the \
         hezuo version that made it, then upgrade"
    )]
    SchemaMismatch { backup: i64, target: i64 },
    #[error("备份文件第 {line} 行有误 / line {line} of the backup file: {msg}")]
    Format { line: u64, msg: String },
    #[error("无法备份或恢复 / cannot back up or restore: {0}")]
    Unsupported(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;

/// The first line of a backup file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: i64,
    /// The highest migration applied to the database backed up.
    pub schema: i64,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub created_at: DateTime<Utc>,
}

/// What a backup wrote or a restore read: the tables in the file's order, with their rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub header: Header,
    pub tables: Vec<(String, u64)>,
}

impl Summary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

fn backend_code(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// A column as the catalogue describes it.
#[derive(Debug, Clone)]
struct Col {
    name: String,
    /// SQLite: the declared type, lower case; PostgreSQL: the type's name (`int8`, `timestamptz`…).
    ty: String,
    nullable: bool,
    /// PostgreSQL: an identity or serial column, whose sequence is set after a restore.
    serial: bool,
    /// PostgreSQL: `generated always as identity`, which takes a value only with `overriding system value`.
    always: bool,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    cols: Vec<Col>,
    /// Indexes into `cols` of the primary key, in its order.
    pk: Vec<usize>,
    /// (column index, table it refers to) for every foreign-key column.
    refs: Vec<(usize, String)>,
}

impl Table {
    /// The tables this one needs inserted before it (itself excluded).
    fn parents(&self) -> impl Iterator<Item = &str> {
        self.refs
            .iter()
            .map(|(_, t)| t.as_str())
            .filter(move |t| *t != self.name)
    }
    /// Indexes of the columns that refer to this table itself.
    fn self_refs(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .refs
            .iter()
            .filter(|(_, t)| *t == self.name)
            .map(|(i, _)| *i)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    fn column_list(&self) -> String {
        self.cols.iter().map(|c| ident(&c.name)).collect::<Vec<_>>().join(", ")
    }
    /// `select` of the rows, ordered by the primary key: with one, a page of `limit` rows after the
    /// key bound as `$1…` when `after`; without one, every row, ordered by every column.
    fn select_sql(&self, after: bool, limit: usize) -> String {
        let cols = self.column_list();
        let table = ident(&self.name);
        if self.pk.is_empty() {
            return format!("select {cols} from {table} order by {cols}");
        }
        let key: Vec<String> = self.pk.iter().map(|&i| ident(&self.cols[i].name)).collect();
        let key = key.join(", ");
        let params: Vec<String> = (1..=self.pk.len()).map(|n| format!("${n}")).collect();
        let filter = if after {
            format!(" where ({key}) > ({})", params.join(", "))
        } else {
            String::new()
        };
        format!("select {cols} from {table}{filter} order by {key} limit {limit}")
    }
    /// Rows per page read: one at a time where a row may hold a large file (sqlx's SQLite worker
    /// reads ahead of the stream), so a backup needs memory for about one file, not a page of them.
    fn page_rows(&self) -> usize {
        let bytes = |c: &Col| c.ty.contains("blob") || c.ty.is_empty() || c.ty == "bytea";
        if self.cols.iter().any(bytes) { 1 } else { 1000 }
    }
}

/// A quoted identifier, the same on both backends.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The highest migration applied, read in `tx`.
async fn schema_version_in(tx: &mut Tx) -> Result<i64> {
    let v: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select max(version) from _sqlx_migrations where success").fetch_one(c).await)?;
    Ok(v.unwrap_or(0))
}

/// Every table of the store (not sqlx's `_sqlx_migrations`, not SQLite's own), parents first.
/// Tables a backup leaves out: caches the store rebuilds by itself (a restored project gets its
/// `project_flag` row from the insert's trigger, stale, and is flagged at the next refresh, which
/// counts it in `flag_tally`; `org_ancestor` is rebuilt from the organisations at the end).
const DERIVED: &[&str] = &["project_flag", "flag_tally", "org_ancestor"];

async fn tables_in(tx: &mut Tx) -> Result<Vec<Table>> {
    let mut tables = Vec::new();
    match tx {
        Tx::Sqlite(t) => {
            let names: Vec<String> = sqlx::query_scalar(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' \
                 and name <> '_sqlx_migrations' and coalesce(sql, '') not like 'create virtual%' order by name",
            )
            .fetch_all(&mut **t)
            .await?;
            for name in names.into_iter().filter(|n| !DERIVED.contains(&n.as_str())) {
                let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
                    "select name, coalesce(type, ''), \"notnull\", pk from pragma_table_info($1) order by cid",
                )
                .bind(&name)
                .fetch_all(&mut **t)
                .await?;
                let cols: Vec<Col> = rows
                    .iter()
                    .map(|(n, ty, notnull, _)| Col {
                        name: n.clone(),
                        ty: ty.to_lowercase(),
                        nullable: *notnull == 0,
                        serial: false,
                        always: false,
                    })
                    .collect();
                let mut pk: Vec<(i64, usize)> = rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.3 > 0)
                    .map(|(i, r)| (r.3, i))
                    .collect();
                pk.sort_unstable();
                let fks: Vec<(String, String)> =
                    sqlx::query_as("select \"table\", \"from\" from pragma_foreign_key_list($1)")
                        .bind(&name)
                        .fetch_all(&mut **t)
                        .await?;
                tables.push(table(name, cols, pk.into_iter().map(|(_, i)| i).collect(), fks)?);
            }
        }
        Tx::Postgres(t) => {
            let names: Vec<String> = sqlx::query_scalar(
                "select table_name::text from information_schema.tables where table_schema = current_schema() \
                 and table_type = 'BASE TABLE' and table_name <> '_sqlx_migrations' order by 1",
            )
            .fetch_all(&mut **t)
            .await?;
            for name in names.into_iter().filter(|n| !DERIVED.contains(&n.as_str())) {
                let rows: Vec<(String, String, bool, bool, bool)> = sqlx::query_as(
                    "select column_name::text, udt_name::text, is_nullable = 'YES', \
                     is_identity = 'YES' or coalesce(column_default::text, '') like 'nextval(%', \
                     coalesce(identity_generation::text, '') = 'ALWAYS' \
                     from information_schema.columns where table_schema = current_schema() and table_name = $1 \
                     and is_generated <> 'ALWAYS' order by ordinal_position",
                )
                .bind(&name)
                .fetch_all(&mut **t)
                .await?;
                let cols: Vec<Col> = rows
                    .into_iter()
                    .map(|(name, ty, nullable, serial, always)| Col {
                        name,
                        ty,
                        nullable,
                        serial,
                        always,
                    })
                    .collect();
                let pk_names: Vec<String> = sqlx::query_scalar(
                    "select a.attname::text from pg_index i \
                     join pg_class cl on cl.oid = i.indrelid \
                     join pg_namespace n on n.oid = cl.relnamespace \
                     join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) \
                     where i.indisprimary and n.nspname = current_schema() and cl.relname = $1 \
                     order by array_position(i.indkey::int2[], a.attnum)",
                )
                .bind(&name)
                .fetch_all(&mut **t)
                .await?;
                let pk = pk_names
                    .iter()
                    .filter_map(|p| cols.iter().position(|c| &c.name == p))
                    .collect();
                let fks: Vec<(String, String)> = sqlx::query_as(
                    "select distinct rf.relname::text, a.attname::text from pg_constraint c \
                     join pg_class cl on cl.oid = c.conrelid \
                     join pg_namespace n on n.oid = cl.relnamespace \
                     join pg_class rf on rf.oid = c.confrelid \
                     join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey) \
                     where c.contype = 'f' and n.nspname = current_schema() and cl.relname = $1",
                )
                .bind(&name)
                .fetch_all(&mut **t)
                .await?;
                tables.push(table(name, cols, pk, fks)?);
            }
        }
    }
    parents_first(tables)
}

fn table(name: String, cols: Vec<Col>, pk: Vec<usize>, fks: Vec<(String, String)>) -> Result<Table> {
    let mut refs = Vec::new();
    for (target, col) in fks {
        let i = cols
            .iter()
            .position(|c| c.name == col)
            .ok_or_else(|| BackupError::Unsupported(format!("table {name}: foreign key on unknown column {col}")))?;
        refs.push((i, target));
    }
    refs.sort();
    refs.dedup();
    Ok(Table { name, cols, pk, refs })
}

/// Orders the tables so that each comes after those it refers to; ties by name, so the order is
/// the same on both backends.
fn parents_first(mut rest: Vec<Table>) -> Result<Vec<Table>> {
    let names: HashSet<String> = rest.iter().map(|t| t.name.clone()).collect();
    let mut done: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(rest.len());
    rest.sort_by(|a, b| a.name.cmp(&b.name));
    while !rest.is_empty() {
        let Some(i) = rest
            .iter()
            .position(|t| t.parents().all(|p| done.contains(p) || !names.contains(p)))
        else {
            let left: Vec<&str> = rest.iter().map(|t| t.name.as_str()).collect();
            return Err(BackupError::Unsupported(format!(
                "these tables refer to each other in a circle: {}",
                left.join(", ")
            )));
        };
        let t = rest.remove(i);
        done.insert(t.name.clone());
        out.push(t);
    }
    Ok(out)
}

fn float(f: f64, table: &str, col: &str) -> Result<Value> {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| BackupError::Unsupported(format!("{table}.{col} holds {f}, which JSON cannot")))
}

fn bytes(b: &[u8]) -> Value {
    serde_json::json!({ "b64": B64.encode(b) })
}

/// A timestamp as the text sqlx writes into SQLite, so both backends' backups read the same.
fn timestamp_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// One value of a SQLite row, by the type the value has (SQLite's columns take any).
fn sqlite_value<'r>(row: &'r sqlx::sqlite::SqliteRow, i: usize, t: &Table) -> Result<Out<'r>> {
    let col = &t.cols[i];
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Out::V(Value::Null));
    }
    let kind = raw.type_info().name().to_string();
    if kind == "BLOB" {
        return Ok(Out::B(row.try_get_unchecked::<&[u8], _>(i)?));
    }
    Ok(Out::V(match kind.as_str() {
        "INTEGER" => {
            let v: i64 = row.try_get_unchecked(i)?;
            if col.ty.contains("bool") && (v == 0 || v == 1) {
                Value::Bool(v == 1)
            } else {
                Value::from(v)
            }
        }
        "REAL" => float(row.try_get_unchecked(i)?, &t.name, &col.name)?,
        "TEXT" => Value::String(row.try_get_unchecked(i)?),
        other => {
            return Err(BackupError::Unsupported(format!(
                "{}.{} holds a value of type {other}",
                t.name, col.name
            )));
        }
    }))
}

/// PostgreSQL types a backup reads and a restore writes.
const PG_TYPES: &[&str] = &[
    "int8",
    "int4",
    "int2",
    "float8",
    "float4",
    "bool",
    "text",
    "varchar",
    "bpchar",
    "bytea",
    "timestamptz",
    "timestamp",
    "date",
];

fn check_pg_types(tables: &[Table]) -> Result<()> {
    for t in tables {
        for c in &t.cols {
            if !PG_TYPES.contains(&c.ty.as_str()) {
                return Err(BackupError::Unsupported(format!(
                    "column {}.{} has type {}, which backups do not know",
                    t.name, c.name, c.ty
                )));
            }
        }
    }
    Ok(())
}

/// One value of a PostgreSQL row, by its column's type.
fn pg_value<'r>(row: &'r sqlx::postgres::PgRow, i: usize, t: &Table) -> Result<Out<'r>> {
    fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
        v.map(f).unwrap_or(Value::Null)
    }
    let col = &t.cols[i];
    if col.ty == "bytea" {
        return Ok(match row.try_get::<Option<&[u8]>, _>(i)? {
            Some(b) => Out::B(b),
            None => Out::V(Value::Null),
        });
    }
    Ok(Out::V(match col.ty.as_str() {
        "int8" => opt(row.try_get::<Option<i64>, _>(i)?, Value::from),
        "int4" => opt(row.try_get::<Option<i32>, _>(i)?, Value::from),
        "int2" => opt(row.try_get::<Option<i16>, _>(i)?, Value::from),
        "float8" => match row.try_get::<Option<f64>, _>(i)? {
            Some(f) => float(f, &t.name, &col.name)?,
            None => Value::Null,
        },
        "float4" => match row.try_get::<Option<f32>, _>(i)? {
            Some(f) => float(f64::from(f), &t.name, &col.name)?,
            None => Value::Null,
        },
        "bool" => opt(row.try_get::<Option<bool>, _>(i)?, Value::Bool),
        "text" | "varchar" | "bpchar" => opt(row.try_get::<Option<String>, _>(i)?, Value::String),
        "timestamptz" => opt(row.try_get::<Option<DateTime<Utc>>, _>(i)?, |d| {
            Value::String(timestamp_text(d))
        }),
        "timestamp" => opt(row.try_get::<Option<NaiveDateTime>, _>(i)?, |d| {
            Value::String(d.format("%F %T%.f").to_string())
        }),
        "date" => opt(row.try_get::<Option<NaiveDate>, _>(i)?, |d| {
            Value::String(d.format("%F").to_string())
        }),
        other => {
            return Err(BackupError::Unsupported(format!(
                "column {}.{} has type {other}",
                t.name, col.name
            )));
        }
    }))
}

/// A value read from a row on its way to the file; bytes stay borrowed from the row and go to the
/// file as base64 directly, so a large attachment is not copied twice more in memory.
enum Out<'r> {
    V(Value),
    B(&'r [u8]),
}

impl Out<'_> {
    fn to_value(&self) -> Value {
        match self {
            Out::V(v) => v.clone(),
            Out::B(b) => bytes(b),
        }
    }
}

/// One row as a line: exactly what `serde_json` writes for the same values as `Value`s.
fn row_line(out: &mut impl Write, vals: &[Out]) -> Result<()> {
    out.write_all(b"[")?;
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        match v {
            Out::V(v) => serde_json::to_writer(&mut *out, v).map_err(std::io::Error::from)?,
            Out::B(b) => {
                out.write_all(b"{\"b64\":\"")?;
                {
                    let mut enc = base64::write::EncoderWriter::new(&mut *out, &B64);
                    enc.write_all(b)?;
                    enc.finish()?;
                }
                out.write_all(b"\"}")?;
            }
        }
    }
    out.write_all(b"]\n")?;
    Ok(())
}

/// Fails when a page starts with the row the last one ended with: a key that does not read back
/// as itself would otherwise copy rows twice, or forever.
fn repeated(t: &Table, got: usize, key: &Option<Vec<Value>>, prev: &Option<Vec<Value>>) -> Result<()> {
    if got == 1 && prev.is_some() && key == prev {
        return Err(BackupError::Unsupported(format!(
            "table {}: the key {prev:?} comes back at the start of the next page",
            t.name
        )));
    }
    Ok(())
}

fn json_line(out: &mut impl Write, v: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, v).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct TableLine {
    table: String,
    columns: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct EndLine {
    end: bool,
    tables: u64,
    rows: u64,
}

/// A value ready to bind, typed for the target column (a NULL too: PostgreSQL wants its type).
#[derive(Debug, Clone)]
enum Bind {
    Null(Kind),
    I64(i64),
    I32(i32),
    I16(i16),
    F64(f64),
    F32(f32),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
    Ts(DateTime<Utc>),
    NaiveTs(NaiveDateTime),
    Date(NaiveDate),
}

impl Bind {
    fn size(&self) -> usize {
        match self {
            Bind::Text(s) => s.len(),
            Bind::Bytes(b) => b.len(),
            _ => 8,
        }
    }
}

/// What a target column takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// SQLite: whatever the value is, as SQLite itself would store it.
    Any,
    I64,
    I32,
    I16,
    F64,
    F32,
    Bool,
    Text,
    Bytes,
    Ts,
    NaiveTs,
    Date,
}

fn kind_of(backend: Backend, c: &Col) -> Kind {
    match backend {
        Backend::Sqlite => Kind::Any,
        Backend::Postgres => match c.ty.as_str() {
            "int8" => Kind::I64,
            "int4" => Kind::I32,
            "int2" => Kind::I16,
            "float8" => Kind::F64,
            "float4" => Kind::F32,
            "bool" => Kind::Bool,
            "bytea" => Kind::Bytes,
            "timestamptz" => Kind::Ts,
            "timestamp" => Kind::NaiveTs,
            "date" => Kind::Date,
            _ => Kind::Text,
        },
    }
}

/// Reads a timestamp as SQLite may hold it: RFC 3339 (what sqlx writes), or `YYYY-MM-DD HH:MM:SS`
/// with or without fractions and offset (taken as UTC without one), or a bare date (midnight UTC).
fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    parse_naive_timestamp(s).map(|t| t.and_utc())
}

fn parse_naive_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for f in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// `v` as the target column takes it; `Err` says what is wrong, for the caller to place.
fn to_bind(v: Value, kind: Kind) -> std::result::Result<Bind, String> {
    let bad = |v: &Value| format!("{v} does not fit a column of type {kind:?}");
    if v.is_null() {
        return Ok(Bind::Null(kind));
    }
    if let Value::Object(o) = &v
        && let Some(Value::String(b)) = o.get("b64")
    {
        return match kind {
            Kind::Any | Kind::Bytes => B64.decode(b).map(Bind::Bytes).map_err(|e| format!("bad base64: {e}")),
            _ => Err(format!("bytes do not fit a column of type {kind:?}")),
        };
    }
    let int = |v: &Value| -> Option<i64> {
        match v {
            Value::Number(n) => n.as_i64(),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    };
    Ok(match kind {
        Kind::Any => match v {
            Value::Bool(b) => Bind::Bool(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Bind::I64(i),
                None => Bind::F64(n.as_f64().ok_or_else(|| format!("number {n} out of range"))?),
            },
            Value::String(s) => Bind::Text(s),
            other => return Err(bad(&other)),
        },
        Kind::I64 => Bind::I64(int(&v).ok_or_else(|| bad(&v))?),
        Kind::I32 => Bind::I32(int(&v).and_then(|i| i32::try_from(i).ok()).ok_or_else(|| bad(&v))?),
        Kind::I16 => Bind::I16(int(&v).and_then(|i| i16::try_from(i).ok()).ok_or_else(|| bad(&v))?),
        Kind::F64 => Bind::F64(v.as_f64().ok_or_else(|| bad(&v))?),
        Kind::F32 => Bind::F32(v.as_f64().ok_or_else(|| bad(&v))? as f32),
        Kind::Bool => match v {
            Value::Bool(b) => Bind::Bool(b),
            Value::Number(ref n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => Bind::Bool(n.as_i64() == Some(1)),
            other => return Err(bad(&other)),
        },
        Kind::Text => match v {
            Value::String(s) => Bind::Text(s),
            // SQLite keeps a number put into a text column as a number.
            Value::Number(n) => Bind::Text(n.to_string()),
            other => return Err(bad(&other)),
        },
        Kind::Bytes => return Err(bad(&v)),
        Kind::Ts => match &v {
            Value::String(s) => Bind::Ts(parse_timestamp(s).ok_or_else(|| bad(&v))?),
            _ => return Err(bad(&v)),
        },
        Kind::NaiveTs => match &v {
            Value::String(s) => Bind::NaiveTs(
                parse_naive_timestamp(s)
                    .or_else(|| parse_timestamp(s).map(|t| t.naive_utc()))
                    .ok_or_else(|| bad(&v))?,
            ),
            _ => return Err(bad(&v)),
        },
        Kind::Date => match &v {
            Value::String(s) => Bind::Date(NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad(&v))?),
            _ => return Err(bad(&v)),
        },
    })
}

/// Binds each value onto the sqlx query `$q` (expanded per backend by `on_tx!`).
macro_rules! bind_all {
    ($q:expr, $vals:expr) => {{
        let mut q = $q;
        for v in $vals {
            q = match v {
                Bind::Null(k) => match k {
                    Kind::Any | Kind::Text => q.bind(None::<String>),
                    Kind::I64 => q.bind(None::<i64>),
                    Kind::I32 => q.bind(None::<i32>),
                    Kind::I16 => q.bind(None::<i16>),
                    Kind::F64 => q.bind(None::<f64>),
                    Kind::F32 => q.bind(None::<f32>),
                    Kind::Bool => q.bind(None::<bool>),
                    Kind::Bytes => q.bind(None::<Vec<u8>>),
                    Kind::Ts => q.bind(None::<DateTime<Utc>>),
                    Kind::NaiveTs => q.bind(None::<NaiveDateTime>),
                    Kind::Date => q.bind(None::<NaiveDate>),
                },
                Bind::I64(x) => q.bind(x),
                Bind::I32(x) => q.bind(x),
                Bind::I16(x) => q.bind(x),
                Bind::F64(x) => q.bind(x),
                Bind::F32(x) => q.bind(x),
                Bind::Bool(x) => q.bind(x),
                Bind::Text(x) => q.bind(x),
                Bind::Bytes(x) => q.bind(x),
                Bind::Ts(x) => q.bind(x),
                Bind::NaiveTs(x) => q.bind(x),
                Bind::Date(x) => q.bind(x),
            };
        }
        q
    }};
}

/// `t` with its columns in the backup's `order` (the same names), keys and references following.
fn in_order(t: &Table, order: &[String]) -> Table {
    let pos = |name: &str| order.iter().position(|c| c == name).expect("the same columns");
    Table {
        name: t.name.clone(),
        cols: order
            .iter()
            .map(|c| t.cols.iter().find(|x| &x.name == c).cloned().expect("the same columns"))
            .collect(),
        pk: t.pk.iter().map(|&i| pos(&t.cols[i].name)).collect(),
        refs: t.refs.iter().map(|(i, r)| (pos(&t.cols[*i].name), r.clone())).collect(),
    }
}

/// The rows of one table on their way in: inserted several per statement, in the restore's transaction.
struct Batch {
    table: Table,
    kinds: Vec<Kind>,
    self_refs: Vec<usize>,
    insert: String,
    rows: Vec<Vec<Bind>>,
    bytes: usize,
    max_rows: usize,
    /// (primary key, self-referring values) of rows whose self-references are set at the end.
    later: Vec<(Vec<Bind>, Vec<Bind>)>,
    count: u64,
}

impl Batch {
    fn new(table: Table, backend: Backend) -> Result<Batch> {
        let self_refs = table.self_refs();
        for &i in &self_refs {
            if !table.cols[i].nullable || table.pk.is_empty() {
                return Err(BackupError::Unsupported(format!(
                    "{}.{} refers to its own table but cannot be set after the insert",
                    table.name, table.cols[i].name
                )));
            }
        }
        let overriding = if table.cols.iter().any(|c| c.always) {
            " overriding system value"
        } else {
            ""
        };
        Ok(Batch {
            kinds: table.cols.iter().map(|c| kind_of(backend, c)).collect(),
            self_refs,
            insert: format!(
                "insert into {} ({}){overriding} values ",
                ident(&table.name),
                table.column_list()
            ),
            rows: Vec::new(),
            bytes: 0,
            max_rows: (BATCH_PARAMS / table.cols.len().max(1)).clamp(1, BATCH_ROWS),
            later: Vec::new(),
            count: 0,
            table,
        })
    }

    async fn push(&mut self, tx: &mut Tx, values: Vec<Value>, line: u64) -> Result<()> {
        let t = &self.table;
        if values.len() != t.cols.len() {
            return Err(BackupError::Format {
                line,
                msg: format!(
                    "a row of {} has {} values for {} columns",
                    t.name,
                    values.len(),
                    t.cols.len()
                ),
            });
        }
        let mut row = Vec::with_capacity(values.len());
        for (i, v) in values.into_iter().enumerate() {
            let b = to_bind(v, self.kinds[i]).map_err(|msg| BackupError::Format {
                line,
                msg: format!("{}.{}: {msg}", t.name, t.cols[i].name),
            })?;
            row.push(b);
        }
        if !self.self_refs.is_empty() {
            let refs: Vec<Bind> = self.self_refs.iter().map(|&i| row[i].clone()).collect();
            if refs.iter().any(|b| !matches!(b, Bind::Null(_))) {
                let key = t.pk.iter().map(|&i| row[i].clone()).collect();
                self.later.push((key, refs));
                for &i in &self.self_refs {
                    row[i] = Bind::Null(self.kinds[i]);
                }
            }
        }
        self.bytes += row.iter().map(Bind::size).sum::<usize>();
        self.rows.push(row);
        self.count += 1;
        if self.rows.len() >= self.max_rows || self.bytes >= BATCH_BYTES {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut Tx) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let n = self.table.cols.len();
        let mut sql = self.insert.clone();
        for r in 0..self.rows.len() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..n {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", r * n + c + 1));
            }
            sql.push(')');
        }
        let values: Vec<Bind> = std::mem::take(&mut self.rows).into_iter().flatten().collect();
        self.bytes = 0;
        on_tx!(tx, c => bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), values).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Inserts what is left, then sets the self-references; returns the table's row count.
    async fn finish(mut self, tx: &mut Tx) -> Result<u64> {
        self.flush(tx).await?;
        let t = &self.table;
        if !self.later.is_empty() {
            let mut sql = format!("update {} set ", ident(&t.name));
            let mut n = 0;
            for (j, &i) in self.self_refs.iter().enumerate() {
                n += 1;
                sql.push_str(&format!(
                    "{}{} = ${n}",
                    if j > 0 { ", " } else { "" },
                    ident(&t.cols[i].name)
                ));
            }
            sql.push_str(" where ");
            for (j, &i) in t.pk.iter().enumerate() {
                n += 1;
                sql.push_str(&format!(
                    "{}{} = ${n}",
                    if j > 0 { " and " } else { "" },
                    ident(&t.cols[i].name)
                ));
            }
            for (key, refs) in std::mem::take(&mut self.later) {
                let values = refs.into_iter().chain(key);
                on_tx!(tx, c => bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), values).execute(c).await.map(|r| r.rows_affected()))?;
            }
        }
        Ok(self.count)
    }
}

impl Store {
    /// The highest migration applied to the database.
    pub async fn schema_version(&self) -> Result<i64> {
        let mut tx = self.read().await?;
        let v = schema_version_in(&mut tx).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Writes every table's rows to `out` (see the module's documentation), all read in one
    /// snapshot — a deferred transaction on SQLite (WAL keeps its view from the first read), a
    /// repeatable-read, read-only one on PostgreSQL — while others go on writing. Rows go to `out`
    /// as they are read; give it a buffered writer. `out` is not flushed.
    pub async fn backup(&self, out: &mut impl Write) -> Result<Summary> {
        let mut tx = match &self.db {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?),
        };
        let schema = schema_version_in(&mut tx).await?;
        let tables = tables_in(&mut tx).await?;
        if self.backend == Backend::Postgres {
            check_pg_types(&tables)?;
        }
        let header = Header {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            schema,
            backend: backend_code(self.backend).into(),
            created_at: crate::now(),
        };
        json_line(out, &header)?;
        let mut counts = Vec::with_capacity(tables.len());
        for t in &tables {
            json_line(
                out,
                &TableLine {
                    table: t.name.clone(),
                    columns: t.cols.iter().map(|c| c.name.clone()).collect(),
                },
            )?;
            // Page by page along the primary key, in the same transaction: one snapshot still,
            // and only a page's rows in memory (sqlx's SQLite worker reads ahead of the stream).
            let (page, kinds) = (t.page_rows(), t.pk.iter().map(|&i| kind_of(self.backend, &t.cols[i])));
            let kinds: Vec<Kind> = kinds.collect();
            let mut n = 0u64;
            let mut after: Option<Vec<Bind>> = None;
            let mut prev: Option<Vec<Value>> = None;
            loop {
                let sql = t.select_sql(after.is_some(), page);
                let key = after.take().unwrap_or_default();
                let mut last: Option<Vec<Value>> = None;
                let mut got = 0;
                match &mut tx {
                    Tx::Sqlite(c) => {
                        let mut rows = bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), key).fetch(&mut **c);
                        while let Some(row) = rows.try_next().await? {
                            let vals = (0..t.cols.len())
                                .map(|i| sqlite_value(&row, i, t))
                                .collect::<Result<Vec<_>>>()?;
                            row_line(out, &vals)?;
                            got += 1;
                            last = Some(t.pk.iter().map(|&i| vals[i].to_value()).collect());
                            repeated(t, got, &last, &prev)?;
                        }
                    }
                    Tx::Postgres(c) => {
                        let mut rows = bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), key).fetch(&mut **c);
                        while let Some(row) = rows.try_next().await? {
                            let vals = (0..t.cols.len())
                                .map(|i| pg_value(&row, i, t))
                                .collect::<Result<Vec<_>>>()?;
                            row_line(out, &vals)?;
                            got += 1;
                            last = Some(t.pk.iter().map(|&i| vals[i].to_value()).collect());
                            repeated(t, got, &last, &prev)?;
                        }
                    }
                }
                n += got as u64;
                match last {
                    Some(row) if !t.pk.is_empty() && got == page => {
                        prev = Some(row.clone());
                        let key = row
                            .into_iter()
                            .zip(&kinds)
                            .map(|(v, &k)| {
                                to_bind(v, k).map_err(|msg| {
                                    BackupError::Unsupported(format!("{}: a key read back: {msg}", t.name))
                                })
                            })
                            .collect::<Result<Vec<_>>>()?;
                        after = Some(key);
                    }
                    _ => break,
                }
            }
            counts.push((t.name.clone(), n));
        }
        tx.commit().await?;
        json_line(
            out,
            &EndLine {
                end: true,
                tables: counts.len() as u64,
                rows: counts.iter().map(|(_, n)| n).sum(),
            },
        )?;
        Ok(Summary { header, tables: counts })
    }

    /// Reads a backup from `input` into this store, which must be empty (every table but sqlx's
    /// own) and at the backup's schema version; a backup from the other backend is converted.
    /// One transaction: whatever goes wrong, the store is left as it was. On PostgreSQL, each
    /// identity column's sequence is set past the highest id restored.
    pub async fn restore(&self, input: impl BufRead) -> Result<Summary> {
        let mut lines = input.lines();
        let mut line_no = 0u64;
        let mut next_line = || -> Result<Option<(u64, String)>> {
            for l in lines.by_ref() {
                line_no += 1;
                let l = l?;
                if !l.trim().is_empty() {
                    return Ok(Some((line_no, l)));
                }
            }
            Ok(None)
        };
        let format_err = |line: u64, msg: String| BackupError::Format { line, msg };

        let (n, first) = next_line()?.ok_or_else(|| format_err(1, "the file is empty".into()))?;
        let header: Header = serde_json::from_str(&first)
            .map_err(|e| format_err(n, format!("not the header of a Hezuo backup ({e})")))?;
        if header.format != FORMAT {
            return Err(format_err(n, format!("format is {:?}, not {FORMAT:?}", header.format)));
        }
        if header.version > FORMAT_VERSION {
            return Err(format_err(
                n,
                format!(
                    "format version {} is newer than this hezuo reads ({FORMAT_VERSION})",
                    header.version
                ),
            ));
        }
        if !matches!(header.backend.as_str(), "sqlite" | "postgres") {
            return Err(format_err(n, format!("unknown backend {:?}", header.backend)));
        }

        let mut tx = self.begin().await?;
        let target = schema_version_in(&mut tx).await?;
        if header.schema != target {
            return Err(BackupError::SchemaMismatch {
                backup: header.schema,
                target,
            });
        }
        let tables = tables_in(&mut tx).await?;
        if self.backend == Backend::Postgres {
            check_pg_types(&tables)?;
        }
        for t in &tables {
            let sql = format!("select count(*) from (select 1 from {} limit 1) x", ident(&t.name));
            let any: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(c).await)?;
            if any > 0 {
                return Err(BackupError::NotEmpty { table: t.name.clone() });
            }
        }
        let by_name: HashMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), t)).collect();

        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut counts: Vec<(String, u64)> = Vec::new();
        let mut batch: Option<Batch> = None;
        let mut end: Option<(u64, EndLine)> = None;
        while let Some((n, line)) = next_line()? {
            if end.is_some() {
                return Err(format_err(n, "lines after the end line".into()));
            }
            let v: Value = serde_json::from_str(&line).map_err(|e| format_err(n, format!("not JSON: {e}")))?;
            match v {
                Value::Array(values) => {
                    let b = batch
                        .as_mut()
                        .ok_or_else(|| format_err(n, "a row before any table line".into()))?;
                    b.push(&mut tx, values, n).await?;
                }
                Value::Object(ref o) if o.contains_key("table") => {
                    let tl: TableLine =
                        serde_json::from_value(v).map_err(|e| format_err(n, format!("bad table line: {e}")))?;
                    if let Some(b) = batch.take() {
                        let name = b.table.name.clone();
                        let rows = b.finish(&mut tx).await?;
                        counts.push((name.clone(), rows));
                        done.insert(name);
                    }
                    let t = *by_name
                        .get(tl.table.as_str())
                        .ok_or_else(|| format_err(n, format!("table {} is not in the target store", tl.table)))?;
                    if done.contains(&t.name) {
                        return Err(format_err(n, format!("table {} appears twice", t.name)));
                    }
                    let want: BTreeSet<&str> = t.cols.iter().map(|c| c.name.as_str()).collect();
                    let got: BTreeSet<&str> = tl.columns.iter().map(String::as_str).collect();
                    if want != got || got.len() != tl.columns.len() {
                        return Err(format_err(
                            n,
                            format!(
                                "table {} has columns {:?} in the backup but {:?} in the target store",
                                t.name, tl.columns, want
                            ),
                        ));
                    }
                    if let Some(p) = t.parents().find(|p| by_name.contains_key(p) && !done.contains(*p)) {
                        return Err(format_err(
                            n,
                            format!("table {} comes before {p}, which it refers to", t.name),
                        ));
                    }
                    batch = Some(Batch::new(in_order(t, &tl.columns), self.backend)?);
                }
                Value::Object(ref o) if o.contains_key("end") => {
                    let e: EndLine =
                        serde_json::from_value(v).map_err(|e| format_err(n, format!("bad end line: {e}")))?;
                    end = Some((n, e));
                }
                _ => return Err(format_err(n, "neither a row, a table line nor the end line".into())),
            }
        }
        if let Some(b) = batch.take() {
            let name = b.table.name.clone();
            let rows = b.finish(&mut tx).await?;
            counts.push((name.clone(), rows));
            done.insert(name);
        }
        let Some((end_no, end)) = end else {
            return Err(format_err(
                line_no,
                "the file ends before its end line: the backup was cut short".into(),
            ));
        };
        let rows: u64 = counts.iter().map(|(_, n)| n).sum();
        if end.tables != counts.len() as u64 || end.rows != rows {
            return Err(format_err(
                end_no,
                format!(
                    "the end line counts {} tables and {} rows, the file holds {} and {rows}",
                    end.tables,
                    end.rows,
                    counts.len()
                ),
            ));
        }
        if let Some(t) = tables.iter().find(|t| !done.contains(&t.name)) {
            return Err(format_err(end_no, format!("the backup has no table {}", t.name)));
        }
        // The organisations' triggers kept their ancestors as rows came, but a child may have
        // come before its parent.
        crate::organizations::rebuild_ancestors(&mut tx).await?;
        if self.backend == Backend::Postgres {
            for t in &tables {
                for c in t.cols.iter().filter(|c| c.serial) {
                    let sql = format!(
                        "select setval(pg_get_serial_sequence($1, $2), coalesce((select max({}) from {}), 0) + 1, false)",
                        ident(&c.name),
                        ident(&t.name)
                    );
                    on_tx!(&mut tx, c2 => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ident(&t.name)).bind(&c.name).execute(c2).await.map(|r| r.rows_affected()))?;
                }
            }
        }
        tx.commit().await?;
        Ok(Summary { header, tables: counts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_back_as_sqlx_writes_them_and_in_sqlites_own_forms() {
        let t = DateTime::from_timestamp_micros(1_781_488_800_123_456).unwrap();
        assert_eq!(parse_timestamp(&timestamp_text(t)), Some(t));
        let whole = DateTime::from_timestamp(1_781_488_800, 0).unwrap();
        assert_eq!(timestamp_text(whole), "2026-06-15T02:00:00+00:00");
        for s in [
            "2026-06-15T02:00:00+00:00",
            "2026-06-15T10:00:00+08:00",
            "2026-06-15T02:00:00Z",
            "2026-06-15 02:00:00",
            "2026-06-15 02:00:00.000",
            "2026-06-15 10:00:00+08:00",
        ] {
            assert_eq!(parse_timestamp(s), Some(whole), "{s}");
        }
        assert_eq!(
            parse_timestamp("2026-06-15"),
            DateTime::from_timestamp(1_781_481_600, 0)
        );
        assert_eq!(parse_timestamp("15/06/2026"), None);
    }

    #[test]
    fn values_take_the_type_of_the_target_column_or_are_refused() {
        use serde_json::json;
        assert!(matches!(to_bind(json!(7), Kind::I32), Ok(Bind::I32(7))));
        assert!(to_bind(json!(1_i64 << 40), Kind::I32).is_err());
        assert!(matches!(to_bind(json!(true), Kind::I64), Ok(Bind::I64(1))));
        assert!(matches!(to_bind(json!(1), Kind::Bool), Ok(Bind::Bool(true))));
        assert!(to_bind(json!(2), Kind::Bool).is_err());
        assert!(matches!(to_bind(json!("2026-06-15"), Kind::Date), Ok(Bind::Date(_))));
        assert!(to_bind(json!("soon"), Kind::Ts).is_err());
        assert!(matches!(to_bind(json!(null), Kind::Ts), Ok(Bind::Null(Kind::Ts))));
        assert!(matches!(to_bind(json!({"b64": "AAEC"}), Kind::Bytes), Ok(Bind::Bytes(b)) if b == [0, 1, 2]));
        assert!(to_bind(json!({"b64": "AAEC"}), Kind::Text).is_err());
        assert!(to_bind(json!("text"), Kind::Bytes).is_err());
        // SQLite takes each value as it comes.
        assert!(matches!(to_bind(json!(0.5), Kind::Any), Ok(Bind::F64(f)) if f == 0.5));
        assert!(matches!(to_bind(json!("x"), Kind::Any), Ok(Bind::Text(_))));
    }

    #[test]
    fn a_row_line_is_what_serde_json_writes_for_the_same_values() {
        let bytes_in = [0u8, 255, 10, 34];
        let vals = [
            Out::V(Value::from(1)),
            Out::V(Value::Null),
            Out::B(&bytes_in),
            Out::V(Value::from("a\"b")),
        ];
        let mut line = Vec::new();
        row_line(&mut line, &vals).unwrap();
        let values: Vec<Value> = vals.iter().map(Out::to_value).collect();
        assert_eq!(
            String::from_utf8(line).unwrap(),
            format!("{}\n", serde_json::to_string(&values).unwrap())
        );
    }
}
