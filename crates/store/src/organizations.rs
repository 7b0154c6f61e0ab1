//! Organisations: the tree (parent must exist, no cycles), unique credit codes, list filters.

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, unknown, visible};
use crate::records::{archived_clause, check_parent, expect_version, id_filter, lock_exists, set_archived};
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
        if let Some(id) = id_filter(&f.parent_id, "parent_id")? {
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
        let (col, desc) = p.sort(&["id", "name", "kind", "region_code", "updated_at"], ("id", false))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_organization(&self, v: &Viewer, id: i64) -> Result<Organization> {
        let mut tx = self.read().await?;
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
        // A form's menu: what the user may name in a record they write, not every contact they read.
        crate::access::restrict_own(&mut q, v, RecordKind::Organization, "organization");
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

    pub async fn update_organization(
        &self,
        v: &Viewer,
        id: i64,
        d: &OrganizationData,
        expected: Option<i64>,
    ) -> Result<Organization> {
        check(v, RecordKind::Organization, Action::Update)?;
        let mut tx = self.begin().await?;
        crate::access::must_own(&mut tx, v, RecordKind::Organization, id).await?;
        expect_version(&mut tx, RecordKind::Organization, id, expected).await?;
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

    pub async fn set_organization_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Organization> {
        set_archived(self, v, RecordKind::Organization, id, archived, expected).await?;
        self.get_organization(v, id).await
    }
}

/// `org_ancestor` made again from `organization.parent_id` (after a restore, whose rows may come
/// children first; migration 0031 fills it the same way).
pub(crate) async fn rebuild_ancestors(tx: &mut Tx) -> Result<()> {
    on_tx!(tx, c => sqlx::query("delete from org_ancestor").execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(
        "insert into org_ancestor (ancestor_id, org_id, depth) \
         with recursive up(ancestor_id, org_id, depth) as ( \
           select id, id, 0 from organization \
           union all select o.parent_id, up.org_id, up.depth + 1 from up join organization o on o.id = up.ancestor_id \
           where o.parent_id is not null and up.depth < 100) \
         select ancestor_id, org_id, depth from up")
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One organisation, inside a transaction, whoever asks (callers check scope first).
pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<Organization> {
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
