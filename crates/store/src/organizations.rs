//! Organisations: the tree (parent must exist, no cycles), unique credit codes, list filters.

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, unknown, visible};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Utc};
use hezuo_domain::RecordKind;
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::organization::{OrgKind, Organization, OrganizationData, OrganizationFilter};
use hezuo_domain::{FieldErrors, ListParams, Msg, Page, input};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    parent_id: Option<i64>,
    kind: String,
    name: String,
    short_name: Option<String>,
    region_code: Option<String>,
    credit_code: Option<String>,
    industry_code: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    description: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, parent_id, kind, name, short_name, region_code, credit_code, industry_code, \
                    address, phone, description, archived, created_at, updated_at";

impl From<Row> for Organization {
    fn from(r: Row) -> Self {
        Organization {
            id: r.id,
            parent_id: r.parent_id,
            // Only validated codes are ever written; an unknown one means a newer binary wrote it.
            kind: OrgKind::parse(&r.kind).unwrap_or(OrgKind::Institute),
            name: r.name,
            short_name: r.short_name,
            region_code: r.region_code,
            credit_code: r.credit_code,
            industry_code: r.industry_code,
            address: r.address,
            phone: r.phone,
            description: r.description,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Adds the `archived` condition every list shares: hidden unless asked for (`true` or `all`).
pub(crate) fn archived_clause(q: &mut Q, table: &str, v: &Option<String>) {
    match v.as_deref().map(str::trim) {
        Some("all") => {}
        Some("true" | "1" | "on") => {
            q.push(&format!(" and {table}.archived = "));
            q.bind(Arg::Bool(true));
        }
        _ => {
            q.push(&format!(" and {table}.archived = "));
            q.bind(Arg::Bool(false));
        }
    }
}

/// An id filter from a query string; a malformed one matches nothing rather than everything.
pub(crate) fn id_filter(v: &Option<String>) -> Option<i64> {
    input::opt_text(v).map(|s| input::parse_id(s).unwrap_or(-1))
}

impl Store {
    pub async fn list_organizations(
        &self,
        v: &Viewer,
        f: &OrganizationFilter,
        p: &ListParams,
    ) -> Result<Page<Organization>> {
        let mut q = Q::new("from organization where 1 = 1");
        restrict(&mut q, v, RecordKind::Organization, "organization");
        archived_clause(&mut q, "organization", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            let pat = contains_pattern(s);
            q.push(" and (lower(name) like ").bind(Arg::Text(pat.clone()));
            q.push(" escape '\\' or lower(short_name) like ")
                .bind(Arg::Text(pat))
                .push(" escape '\\')");
        }
        if let Some(k) = input::opt_text(&f.kind) {
            q.push(" and kind = ").bind(Arg::Text(k.to_string()));
        }
        if let Some(id) = id_filter(&f.parent_id) {
            q.push(" and parent_id = ").bind(Arg::I64(id));
        }
        if let Some(r) = input::opt_text(&f.region_code) {
            // A city or province code also matches the divisions under it.
            let prefix = r.trim_end_matches("00");
            if prefix.len() < r.len() && prefix.len() >= 2 {
                q.push(" and region_code like ").bind(Arg::Text(format!("{prefix}%")));
            } else {
                q.push(" and region_code = ").bind(Arg::Text(r.to_string()));
            }
        }
        if let Some(i) = input::opt_text(&f.industry_code) {
            let i = i.to_ascii_uppercase();
            if i.len() == 1 {
                q.push(" and industry_code like ").bind(Arg::Text(format!("{i}%")));
            } else {
                q.push(" and industry_code = ").bind(Arg::Text(i));
            }
        }
        let (col, desc) = p.sort(&["id", "name", "kind", "region_code", "updated_at"], ("id", false));
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            total,
            page: p.page(),
            per_page: p.per_page(),
        })
    }

    pub async fn get_organization(&self, v: &Viewer, id: i64) -> Result<Organization> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Organization, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Children of an organisation that `v` may see, archived ones last.
    pub async fn organization_children(&self, v: &Viewer, id: i64) -> Result<Vec<Organization>> {
        let mut q = Q::new(&format!("select {COLS} from organization where parent_id = "));
        q.bind(Arg::I64(id));
        restrict(&mut q, v, RecordKind::Organization, "organization");
        q.push(" order by archived, kind, id limit 500");
        let rows: Vec<Row> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Display names of the given organisations.
    pub async fn organization_names(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Q::new("select id, name from organization where id in ");
        q.bind_list(ids);
        let rows: Vec<(i64, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }

    /// Choices for a form's organisation menus: (id, name, kind), active ones `v` may see.
    pub async fn organization_options(&self, v: &Viewer) -> Result<Vec<(i64, String, String)>> {
        let mut q = Q::new("select id, name, kind from organization where archived = false");
        restrict(&mut q, v, RecordKind::Organization, "organization");
        q.push(" order by kind, name limit 3000");
        let rows: Vec<(i64, String, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows)
    }

    pub async fn create_organization(&self, v: &Viewer, d: &OrganizationData) -> Result<Organization> {
        check(v, RecordKind::Organization, Action::Create)?;
        let mut tx = self.begin().await?;
        parent_in_scope(&mut tx, v, d.parent_id, None).await?;
        check_org(&mut tx, None, d).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into organization (parent_id, kind, name, short_name, region_code, credit_code, industry_code, \
             address, phone, description, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false, $11, $11) returning id")
            .bind(d.parent_id).bind(d.kind.as_str()).bind(&d.name).bind(&d.short_name).bind(&d.region_code)
            .bind(&d.credit_code).bind(&d.industry_code).bind(&d.address).bind(&d.phone).bind(&d.description)
            .bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Organization,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_organization(&self, v: &Viewer, id: i64, d: &OrganizationData) -> Result<Organization> {
        check(v, RecordKind::Organization, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Organization, id).await?;
        lock_exists(&mut tx, "organization", id).await?;
        let before = fetch(&mut tx, id).await?;
        parent_in_scope(&mut tx, v, d.parent_id, Some(before.parent_id)).await?;
        check_org(&mut tx, Some(id), d).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update organization set parent_id = $1, kind = $2, name = $3, short_name = $4, region_code = $5, \
             credit_code = $6, industry_code = $7, address = $8, phone = $9, description = $10, updated_at = $11 \
             where id = $12")
            .bind(d.parent_id).bind(d.kind.as_str()).bind(&d.name).bind(&d.short_name).bind(&d.region_code)
            .bind(&d.credit_code).bind(&d.industry_code).bind(&d.address).bind(&d.phone).bind(&d.description)
            .bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Organization,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_organization_archived(&self, v: &Viewer, id: i64, archived: bool) -> Result<Organization> {
        set_archived(self, v, RecordKind::Organization, id, archived).await?;
        self.get_organization(v, id).await
    }
}

/// Archives or restores one record in its own transaction, with its audit entry; NotFound if `v`
/// cannot see it.
pub(crate) async fn set_archived(store: &Store, v: &Viewer, kind: RecordKind, id: i64, archived: bool) -> Result<()> {
    check(v, kind, Action::Archive)?;
    let mut tx = store.begin().await?;
    must_see(&mut tx, v, kind, id).await?;
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

/// One organisation, inside a transaction, whoever asks (callers check scope first).
async fn fetch(tx: &mut Tx, id: i64) -> Result<Organization> {
    let sql = format!("select {COLS} from organization where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

/// A scoped user may only place an organisation under one they can see (and not at the top);
/// an unchanged parent (`current`) is always fine.
async fn parent_in_scope(tx: &mut Tx, v: &Viewer, parent: Option<i64>, current: Option<Option<i64>>) -> Result<()> {
    if v.scope == Scope::All || current == Some(parent) {
        return Ok(());
    }
    match parent {
        Some(p) if visible(tx, v, RecordKind::Organization, p).await? => Ok(()),
        Some(p) => Err(unknown("parent_id", ("上级单位", "organisation"), p)),
        None => Err(StoreError::invalid(
            "parent_id",
            Msg::new(
                "请选择您负责范围内的上级单位",
                "Choose a parent organisation within your scope",
            ),
        )),
    }
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

async fn check_org(tx: &mut Tx, id: Option<i64>, d: &OrganizationData) -> Result<()> {
    check_parent(tx, "organization", id, d.parent_id, ("单位", "organisation")).await?;
    if d.kind == OrgKind::College
        && let Some(parent) = d.parent_id
    {
        let kind: String = on_tx!(tx, c => sqlx::query_scalar("select kind from organization where id = $1").bind(parent).fetch_one(c).await)?;
        if kind != OrgKind::University.as_str() {
            return Err(StoreError::invalid(
                "parent_id",
                Msg::new("学院的上级单位必须是高校", "A college's parent must be a university"),
            ));
        }
    }
    if let Some(code) = &d.credit_code {
        let other: Option<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
            "select id, name from organization where credit_code = $1 and id <> $2")
            .bind(code).bind(id.unwrap_or(0)).fetch_optional(c).await)?;
        if let Some((oid, name)) = other {
            return Err(StoreError::Conflict(FieldErrors::one(
                "credit_code",
                Msg::new(
                    format!("统一社会信用代码已被“{name}”（编号 {oid}）使用"),
                    format!("This credit code already belongs to “{name}” (id {oid})"),
                ),
            )));
        }
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

impl Store {
    /// Every active organisation's name, for choosing a problem's owner: owners may lie outside the
    /// raiser's scope (a city department), and a name reveals no record.
    pub async fn all_organization_names(&self) -> Result<Vec<(i64, String)>> {
        Ok(on_db!(&self.db, p => sqlx::query_as(
            "select id, name from organization where archived = false and kind in ('government', 'department', 'university', 'college', 'platform') order by kind, name limit 3000"
        ).fetch_all(p).await)?)
    }
}

impl Store {
    /// The division codes of the given organisations (for grouping by county).
    pub async fn organization_regions(&self, ids: &[i64]) -> Result<HashMap<i64, Option<String>>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Q::new("select id, region_code from organization where id in ");
        q.bind_list(ids);
        let rows: Vec<(i64, Option<String>)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }
}
