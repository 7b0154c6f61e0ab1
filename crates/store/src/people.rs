//! People and their expert profiles.

use crate::organizations::{archived_clause, id_filter, lock_exists};
use crate::sql::{Arg, Q, contains_pattern, fetch_page, flag};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Utc};
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
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, organization_id, name, title, phone, email, is_expert, discipline, research_fields, \
                    keywords, bio, availability, archived, created_at, updated_at";

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
    pub async fn list_people(&self, f: &PersonFilter, p: &ListParams) -> Result<Page<Person>> {
        let mut q = Q::new("from person where 1 = 1");
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
        if let Some(id) = id_filter(&f.organization_id) {
            q.push(" and organization_id = ").bind(Arg::I64(id));
        }
        if flag(&f.is_expert) {
            q.push(" and is_expert = ").bind(Arg::Bool(true));
        }
        if let Some(d) = input::opt_text(&f.discipline) {
            q.push(" and discipline = ").bind(Arg::Text(d.to_string()));
        }
        let (col, desc) = p.sort(&["id", "name", "organization_id", "updated_at"], ("id", false));
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            total,
            page: p.page(),
            per_page: p.per_page(),
        })
    }

    pub async fn get_person(&self, id: i64) -> Result<Person> {
        let sql = format!("select {COLS} from person where id = $1");
        let row: Option<Row> =
            on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(Into::into).ok_or(StoreError::NotFound)
    }

    /// Choices for a form's person menus: (id, name, organisation id).
    pub async fn person_options(&self) -> Result<Vec<(i64, String, i64)>> {
        Ok(on_db!(&self.db, p => sqlx::query_as(
            "select id, name, organization_id from person where archived = false order by organization_id, name limit 3000"
        ).fetch_all(p).await)?)
    }

    pub async fn create_person(&self, d: &PersonData) -> Result<Person> {
        let mut tx = self.begin().await?;
        check_person(&mut tx, d).await?;
        let x = d.expert.as_ref();
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into person (organization_id, name, title, phone, email, is_expert, discipline, research_fields, \
             keywords, bio, availability, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, false, $12, $12) returning id")
            .bind(d.organization_id).bind(&d.name).bind(&d.title).bind(&d.phone).bind(&d.email)
            .bind(x.is_some()).bind(x.and_then(|x| x.discipline.clone())).bind(x.and_then(|x| x.research_fields.clone()))
            .bind(x.map(|x| x.keywords.join(KEYWORD_SEP))).bind(x.and_then(|x| x.bio.clone()))
            .bind(x.map(|x| x.availability.as_str())).bind(t)
            .fetch_one(c).await)?;
        tx.commit().await?;
        self.get_person(id).await
    }

    pub async fn update_person(&self, id: i64, d: &PersonData) -> Result<Person> {
        let mut tx = self.begin().await?;
        lock_exists(&mut tx, "person", id).await?;
        check_person(&mut tx, d).await?;
        let x = d.expert.as_ref();
        on_tx!(&mut tx, c => sqlx::query(
            "update person set organization_id = $1, name = $2, title = $3, phone = $4, email = $5, is_expert = $6, \
             discipline = $7, research_fields = $8, keywords = $9, bio = $10, availability = $11, updated_at = $12 \
             where id = $13")
            .bind(d.organization_id).bind(&d.name).bind(&d.title).bind(&d.phone).bind(&d.email)
            .bind(x.is_some()).bind(x.and_then(|x| x.discipline.clone())).bind(x.and_then(|x| x.research_fields.clone()))
            .bind(x.map(|x| x.keywords.join(KEYWORD_SEP))).bind(x.and_then(|x| x.bio.clone()))
            .bind(x.map(|x| x.availability.as_str())).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        self.get_person(id).await
    }

    pub async fn set_person_archived(&self, id: i64, archived: bool) -> Result<Person> {
        crate::organizations::set_archived(self, "person", id, archived).await?;
        self.get_person(id).await
    }
}

async fn check_person(tx: &mut Tx, d: &PersonData) -> Result<()> {
    if !crate::organizations::exists(tx, "organization", d.organization_id).await? {
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
