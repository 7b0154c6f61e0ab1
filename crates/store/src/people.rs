//! People and their expert profiles.

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, unknown};
use crate::records::{archived_clause, expect_version, id_filter, lock_exists};
use crate::sql::bind_args;
use crate::sql::{Arg, Q, contains_pattern, fetch_page, flag};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Utc};
use hezuo_domain::RecordKind;
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::person::{Availability, ExpertProfile, Person, PersonData, PersonFilter};
use hezuo_domain::{ListParams, Msg, Page, input};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    organization_id: i64,
    name: String,
    title: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    is_expert: bool,
    discipline: Option<String>,
    research_fields: Option<String>,
    keywords: Option<String>,
    bio: Option<String>,
    availability: Option<String>,
    public_profile: bool,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, organization_id, name, title, phone, email, is_expert, discipline, research_fields, \
                    keywords, bio, availability, public_profile, archived, created_at, updated_at";

/// Keywords are stored one per line.
const KEYWORD_SEP: &str = "\n";

impl From<Row> for Person {
    fn from(r: Row) -> Self {
        let expert = r.is_expert.then(|| ExpertProfile {
            discipline: r.discipline,
            research_fields: r.research_fields,
            keywords: r
                .keywords
                .unwrap_or_default()
                .split(KEYWORD_SEP)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            bio: r.bio,
            availability: r
                .availability
                .as_deref()
                .and_then(Availability::parse)
                .unwrap_or(Availability::Available),
            public_profile: r.public_profile,
        });
        Person {
            id: r.id,
            organization_id: r.organization_id,
            name: r.name,
            title: r.title,
            phone: r.phone,
            email: r.email,
            is_expert: r.is_expert,
            expert,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Store {
    pub async fn list_people(&self, v: &Viewer, f: &PersonFilter, p: &ListParams) -> Result<Page<Person>> {
        let mut q = Q::new("from person where 1 = 1");
        restrict(&mut q, v, RecordKind::Person, "person");
        archived_clause(&mut q, "person", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            let pat = contains_pattern(s);
            q.push(" and (lower(name) like ")
                .bind(Arg::Text(pat.clone()))
                .push(" escape '\\'");
            q.push(" or lower(title) like ")
                .bind(Arg::Text(pat.clone()))
                .push(" escape '\\'");
            q.push(" or lower(discipline) like ")
                .bind(Arg::Text(pat.clone()))
                .push(" escape '\\'");
            q.push(" or lower(keywords) like ")
                .bind(Arg::Text(pat))
                .push(" escape '\\')");
        }
        if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
            q.push(" and organization_id = ").bind(Arg::I64(id));
        }
        if flag(&f.is_expert) {
            q.push(" and is_expert = ").bind(Arg::Bool(true));
        }
        if let Some(d) = input::opt_text(&f.discipline) {
            q.push(" and discipline = ").bind(Arg::Text(d.to_string()));
        }
        let (col, desc) = p.sort(&["id", "name", "organization_id", "updated_at"], ("id", false))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_person(&self, v: &Viewer, id: i64) -> Result<Person> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Person, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Names of the given people, among those `v` may see (the audit log names the people its
    /// entries point to).
    pub async fn person_names(&self, v: &Viewer, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let mut q = Q::new("select id, name from person where id in ");
        q.bind_list(ids);
        restrict(&mut q, v, RecordKind::Person, "person");
        let rows: Vec<(i64, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }

    /// Choices for a form's person menus: (id, name, organisation id), among those `v` may see.
    pub async fn person_options(&self, v: &Viewer) -> Result<Vec<(i64, String, i64)>> {
        let mut q = Q::new("select id, name, organization_id from person where archived = false");
        // A form's menu: the people of the user's own scope, not the contacts they read.
        crate::access::restrict_own(&mut q, v, RecordKind::Person, "person");
        q.push(" order by organization_id, name limit 3000");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }

    pub async fn create_person(&self, v: &Viewer, d: &PersonData) -> Result<Person> {
        check(v, RecordKind::Person, Action::Create)?;
        let mut tx = self.begin().await?;
        org_in_scope(&mut tx, v, d.organization_id, None).await?;
        check_person(&mut tx, d).await?;
        let x = d.expert.as_ref();
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into person (organization_id, name, title, phone, email, is_expert, discipline, research_fields, \
             keywords, bio, availability, public_profile, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, false, $12, $12) returning id")
            .bind(d.organization_id).bind(&d.name).bind(&d.title).bind(&d.phone).bind(&d.email)
            .bind(x.is_some()).bind(x.and_then(|x| x.discipline.clone())).bind(x.and_then(|x| x.research_fields.clone()))
            .bind(x.map(|x| x.keywords.join(KEYWORD_SEP))).bind(x.and_then(|x| x.bio.clone()))
            .bind(x.map(|x| x.availability.as_str())).bind(t).bind(x.is_some_and(|x| x.public_profile))
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Person,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_person(&self, v: &Viewer, id: i64, d: &PersonData, expected: Option<i64>) -> Result<Person> {
        check(v, RecordKind::Person, Action::Update)?;
        let mut tx = self.begin().await?;
        // A contact read through an accepted match is not theirs to change.
        crate::access::must_own(&mut tx, v, RecordKind::Person, id).await?;
        expect_version(&mut tx, RecordKind::Person, id, expected).await?;
        lock_exists(&mut tx, "person", id).await?;
        let before = fetch(&mut tx, id).await?;
        org_in_scope(&mut tx, v, d.organization_id, Some(before.organization_id)).await?;
        check_person(&mut tx, d).await?;
        let x = d.expert.as_ref();
        on_tx!(&mut tx, c => sqlx::query(
            "update person set organization_id = $1, name = $2, title = $3, phone = $4, email = $5, is_expert = $6, \
             discipline = $7, research_fields = $8, keywords = $9, bio = $10, availability = $11, updated_at = $12, \
             public_profile = $14 where id = $13")
            .bind(d.organization_id).bind(&d.name).bind(&d.title).bind(&d.phone).bind(&d.email)
            .bind(x.is_some()).bind(x.and_then(|x| x.discipline.clone())).bind(x.and_then(|x| x.research_fields.clone()))
            .bind(x.map(|x| x.keywords.join(KEYWORD_SEP))).bind(x.and_then(|x| x.bio.clone()))
            .bind(x.map(|x| x.availability.as_str())).bind(now()).bind(id).bind(x.is_some_and(|x| x.public_profile))
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Person,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        self.forget_auth();
        Ok(after)
    }

    pub async fn set_person_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Person> {
        crate::records::set_archived(self, v, RecordKind::Person, id, archived, expected).await?;
        self.get_person(v, id).await
    }
}

async fn check_person(tx: &mut Tx, d: &PersonData) -> Result<()> {
    if !crate::records::exists(tx, "organization", d.organization_id).await? {
        return Err(StoreError::invalid(
            "organization_id",
            Msg::new(
                format!("所属单位（编号 {}）不存在", d.organization_id),
                format!("There is no organisation with id {}", d.organization_id),
            ),
        ));
    }
    Ok(())
}

pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<Person> {
    let sql = format!("select {COLS} from person where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

/// A scoped user keeps people only in organisations they can see; an unchanged one is always fine.
async fn org_in_scope(tx: &mut Tx, v: &Viewer, org: i64, current: Option<i64>) -> Result<()> {
    if v.scope == Scope::All
        || current == Some(org)
        || crate::access::in_own_scope(tx, v, RecordKind::Organization, org).await?
    {
        return Ok(());
    }
    Err(unknown("organization_id", ("所属单位", "organisation"), org))
}
