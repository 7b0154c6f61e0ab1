//! What every record table shares, written once: the `archived` flag (its list filter and the
//! archive/restore write), id filters from query strings, existence checks and row locks, trees by
//! `parent_id` (no unknown parent, no cycle), and link tables (a record's many organisations).

use crate::access::{Viewer, audit, authorize, must_see};
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use hezuo_domain::access::Action;
use hezuo_domain::{Msg, RecordKind, input};
use std::collections::HashMap;

/// The `like` pattern of the organisations in county filter `c`: a GB/T 2260 code of six digits;
/// a city's code (ending 00) takes all of its counties, a province's (0000) all of its cities. An
/// error names the field otherwise, in the words of `codes::parse_division`.
pub(crate) fn county_pattern(c: &str) -> Result<String> {
    let c = hezuo_domain::codes::parse_division(c).map_err(|m| StoreError::invalid("county", m))?;
    // A province's code takes in its cities and counties, a city's its counties.
    let prefix = if c.ends_with("0000") {
        &c[..2]
    } else if c.ends_with("00") {
        &c[..4]
    } else {
        &c
    };
    Ok(format!("{prefix}%"))
}

/// Adds the `archived` condition every list shares: hidden unless asked for (`true` or `all`).
pub(crate) fn archived_clause(q: &mut Q, table: &str, v: &Option<String>) {
    match v.as_deref().map(str::trim) {
        Some("all") => {}
        Some("true" | "1" | "on") => {
            q.push(&format!(" and {table}.archived = "));
            q.bind(Arg::Bool(true));
        }
        // Almost every row is not archived: `likely` says so to SQLite's planner, which otherwise
        // took this test for a narrow one and read a list through an index starting with
        // `archived`, sorting a million rows for a page (0.1–2 s) where walking its order takes
        // 0.2 ms. The test still uses such an index where the list's order or filter wants it.
        // PostgreSQL has `likely` as an inlined identity (migration 0030).
        _ => {
            q.push(&format!(" and likely({table}.archived = "));
            q.bind(Arg::Bool(false));
            q.push(")");
        }
    }
}

/// An id filter from a query string (the parameter `name`); a malformed one is refused, naming it.
pub(crate) fn id_filter(v: &Option<String>, name: &str) -> Result<Option<i64>> {
    match input::opt_text(v) {
        None => Ok(None),
        Some(s) => input::parse_id(s).map(Some).map_err(|m| StoreError::invalid(name, m)),
    }
}

/// Archives or restores one record in its own transaction, with its audit entry; NotFound if `v`
/// cannot see it; with `expected`, only if the record is still at that version.
pub(crate) async fn set_archived(
    store: &Store,
    v: &Viewer,
    kind: RecordKind,
    id: i64,
    archived: bool,
    expected: Option<i64>,
) -> Result<()> {
    let mut tx = store.begin().await?;
    authorize(&mut tx, v, kind, Some(id), Action::Archive).await?;
    expect_version(&mut tx, kind, id, expected).await?;
    let table = kind.table();
    let was: bool = on_tx!(&mut tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select archived from {table} where id = $1"))).bind(id).fetch_one(c).await)?;
    let sql = format!("update {table} set archived = $1, updated_at = $2 where id = $3");
    on_tx!(&mut tx, c => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(archived).bind(now()).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    if was != archived {
        let action = if archived { "archive" } else { "restore" };
        let (b, a) = (
            serde_json::json!({ "archived": was }),
            serde_json::json!({ "archived": archived }),
        );
        audit(&mut tx, v, kind, id, action, Some(&b), Some(&a)).await?;
    }
    tx.commit().await
}

/// Whether a row with this id exists in `table` (one of ours, never user input).
pub(crate) async fn exists(tx: &mut Tx, table: &'static str, id: i64) -> Result<bool> {
    let sql = format!("select count(*) from {table} where id = $1");
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(c).await)?;
    Ok(n > 0)
}

/// NotFound unless the record exists. On PostgreSQL the row is locked for the rest of the transaction.
pub(crate) async fn lock_exists(tx: &mut Tx, table: &'static str, id: i64) -> Result<()> {
    let found = match tx {
        Tx::Postgres(t) => {
            let sql = format!("select id from {table} where id = $1 for update");
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
                .is_some()
        }
        Tx::Sqlite(_) => exists(tx, table, id).await?,
    };
    if found { Ok(()) } else { Err(StoreError::NotFound) }
}

/// Ids among `ids` that have no row in `table`.
pub(crate) async fn missing(tx: &mut Tx, table: &'static str, ids: &[i64]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for id in ids {
        if !exists(tx, table, *id).await? {
            out.push(*id);
        }
    }
    Ok(out)
}

/// The ids on the path from `start` up to the root of `table`'s tree (by `parent_id`), `start` first.
pub(crate) async fn ancestors(tx: &mut Tx, table: &'static str, start: i64) -> Result<Vec<i64>> {
    let sql = format!(
        "with recursive up(id, parent_id, depth) as ( \
           select id, parent_id, 0 from {table} where id = $1 \
           union all select t.id, t.parent_id, up.depth + 1 from {table} t join up on t.id = up.parent_id \
           where up.depth < 100) \
         select id from up order by depth"
    );
    let ids: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(start).fetch_all(c).await)?;
    Ok(ids)
}

/// The tree rules for `parent_id` in `table`: the parent exists, and is not the record or below it.
pub(crate) async fn check_parent(
    tx: &mut Tx,
    table: &'static str,
    id: Option<i64>,
    parent: Option<i64>,
    what: (&str, &str),
) -> Result<()> {
    let Some(parent) = parent else { return Ok(()) };
    if !exists(tx, table, parent).await? {
        return Err(StoreError::invalid(
            "parent_id",
            Msg::new(
                format!("上级{}（编号 {parent}）不存在", what.0),
                format!("There is no {} with id {parent}", what.1),
            ),
        ));
    }
    if let Some(id) = id
        && ancestors(tx, table, parent).await?.contains(&id)
    {
        return Err(StoreError::invalid(
            "parent_id",
            Msg::new(
                format!("不能把{}挂在它自己或它的下级之下（会形成循环）", what.0),
                format!(
                    "A {} cannot sit under itself or one of its descendants (that would make a cycle)",
                    what.1
                ),
            ),
        ));
    }
    Ok(())
}

/// A link table (`agreement_party`, `project_co_unit`): (its name, the owner column, the other column).
pub(crate) type Link = (&'static str, &'static str, &'static str);
pub(crate) const AGREEMENT_PARTY: Link = ("agreement_party", "agreement_id", "organization_id");
pub(crate) const PROJECT_CO_UNIT: Link = ("project_co_unit", "project_id", "organization_id");

impl Store {
    /// For each owner id, the linked ids in ascending order.
    pub(crate) async fn links(&self, (table, owner, other): Link, ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>> {
        let mut q = Q::new(&format!("select {owner}, {other} from {table} where {owner} in "));
        q.bind_list(ids).push(&format!(" order by {owner}, {other}"));
        let rows: Vec<(i64, i64)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let mut m: HashMap<i64, Vec<i64>> = HashMap::new();
        for (a, o) in rows {
            m.entry(a).or_default().push(o);
        }
        Ok(m)
    }
}

/// [`Store::links`] inside a transaction.
pub(crate) async fn links_in(tx: &mut Tx, (table, owner, other): Link, id: i64) -> Result<Vec<i64>> {
    let sql = format!("select {other} from {table} where {owner} = $1 order by {other}");
    Ok(on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(c).await)?)
}

/// Replaces the links of one owner.
pub(crate) async fn write_links(tx: &mut Tx, (table, owner, other): Link, id: i64, others: &[i64]) -> Result<()> {
    let delete = format!("delete from {table} where {owner} = $1");
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(delete)).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    let insert = format!("insert into {table} ({owner}, {other}) values ($1, $2)");
    for o in others {
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(insert.clone())).bind(id).bind(*o).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// A record's version: the id of its latest audit entry — every change writes one, in the change's
/// own transaction, so the version moves with every change on every path — with who made that
/// change and when. A record with no entry (none since the audit log began) is at version 0.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Version {
    pub id: i64,
    /// Who made the latest change (their username), when there is one.
    pub by: Option<String>,
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The latest audit entry of a record: its version.
const VERSION_SQL: &str = "select id, username, created_at from audit_entry where record_kind = $1 and record_id = $2 \
                           order by id desc limit 1";

fn version_of(row: Option<(i64, String, chrono::DateTime<chrono::Utc>)>) -> Version {
    match row {
        Some((id, by, at)) => Version {
            id,
            by: Some(by),
            at: Some(at),
        },
        None => Version {
            id: 0,
            by: None,
            at: None,
        },
    }
}

pub(crate) async fn version_in(tx: &mut Tx, kind: RecordKind, id: i64) -> Result<Version> {
    let row = on_tx!(tx, c => sqlx::query_as(VERSION_SQL).bind(kind.as_str()).bind(id).fetch_optional(c).await)?;
    Ok(version_of(row))
}

/// Locks the record and, when the writer says which version it read (`expected`), refuses with
/// [`StoreError::Stale`] if another change came since — instead of overwriting it.
pub(crate) async fn expect_version(tx: &mut Tx, kind: RecordKind, id: i64, expected: Option<i64>) -> Result<()> {
    lock_exists(tx, kind.table(), id).await?;
    if let Some(expected) = expected {
        let now = version_in(tx, kind, id).await?;
        if now.id != expected {
            return Err(StoreError::Stale(now));
        }
    }
    Ok(())
}

impl Store {
    /// The version of a record `v` may see (its ETag), and who changed it last.
    pub async fn record_version(&self, v: &Viewer, kind: RecordKind, id: i64) -> Result<Version> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, kind, id).await?;
        let version = version_in(&mut tx, kind, id).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// A record's version read without the access check, in one statement: only for a caller that
    /// reads the record next with its own check and shows the version only with the record (an
    /// API read's ETag). Read first, a change landing between the two reads shows as an older
    /// version, which a write made with it refuses. It saves the check's transaction that
    /// [`Store::record_version`] makes (three of a by-id request's twelve trips to the database).
    pub async fn version_before_read(&self, kind: RecordKind, id: i64) -> Result<Version> {
        let row =
            on_db!(&self.db, p => sqlx::query_as(VERSION_SQL).bind(kind.as_str()).bind(id).fetch_optional(p).await)?;
        Ok(version_of(row))
    }
}
