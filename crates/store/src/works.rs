//! Experts' papers and patents, kept on their profiles (by the expert, or staff in scope).

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, unknown, visible};
use crate::records::{archived_clause, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, contains_pattern, fetch_page, join_list, split_list};
use crate::{Result, Store, StoreError, Tx, now, on_tx};
use chrono::{DateTime, Utc};
use hezuo_domain::access::Action;
use hezuo_domain::expert_work::{ExpertWork, WorkData, WorkFilter, WorkKind};
use hezuo_domain::{ListParams, Page, RecordKind, input};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    person_id: i64,
    kind: String,
    title: String,
    summary: Option<String>,
    keywords: String,
    year: Option<i32>,
    venue: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, person_id, kind, title, summary, keywords, year, venue, archived, created_at, updated_at";

impl From<Row> for ExpertWork {
    fn from(r: Row) -> Self {
        ExpertWork {
            id: r.id,
            person_id: r.person_id,
            kind: WorkKind::parse(&r.kind).unwrap_or(WorkKind::Paper),
            title: r.title,
            summary: r.summary,
            keywords: split_list(&r.keywords),
            year: r.year,
            venue: r.venue,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Store {
    pub async fn list_works(&self, v: &Viewer, f: &WorkFilter, p: &ListParams) -> Result<Page<ExpertWork>> {
        let mut q = Q::new("from expert_work where 1 = 1");
        restrict(&mut q, v, RecordKind::ExpertWork, "expert_work");
        archived_clause(&mut q, "expert_work", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            q.push(" and lower(title) like ")
                .bind(Arg::Text(contains_pattern(s)))
                .push(" escape '\\'");
        }
        if let Some(id) = id_filter(&f.person_id, "person_id")? {
            q.push(" and person_id = ").bind(Arg::I64(id));
        }
        if let Some(s) = input::opt_text(&f.kind) {
            q.push(" and kind = ").bind(Arg::Text(s.to_string()));
        }
        let (col, desc) = p.sort(&["id", "title", "year"], ("year", true))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_work(&self, v: &Viewer, id: i64) -> Result<ExpertWork> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::ExpertWork, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn create_work(&self, v: &Viewer, d: &WorkData) -> Result<ExpertWork> {
        check(v, RecordKind::ExpertWork, Action::Create)?;
        let mut tx = self.begin().await?;
        person_in_scope(&mut tx, v, d.person_id).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into expert_work (person_id, kind, title, summary, keywords, year, venue, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, false, $8, $8) returning id")
            .bind(d.person_id).bind(d.kind.as_str()).bind(&d.title).bind(&d.summary).bind(join_list(&d.keywords))
            .bind(d.year).bind(&d.venue).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ExpertWork,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_work(&self, v: &Viewer, id: i64, d: &WorkData, expected: Option<i64>) -> Result<ExpertWork> {
        check(v, RecordKind::ExpertWork, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::ExpertWork, id).await?;
        expect_version(&mut tx, RecordKind::ExpertWork, id, expected).await?;
        lock_exists(&mut tx, "expert_work", id).await?;
        let before = fetch(&mut tx, id).await?;
        person_in_scope(&mut tx, v, d.person_id).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update expert_work set person_id = $1, kind = $2, title = $3, summary = $4, keywords = $5, year = $6, venue = $7, \
             updated_at = $8 where id = $9")
            .bind(d.person_id).bind(d.kind.as_str()).bind(&d.title).bind(&d.summary).bind(join_list(&d.keywords))
            .bind(d.year).bind(&d.venue).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ExpertWork,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_work_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<ExpertWork> {
        crate::records::set_archived(self, v, RecordKind::ExpertWork, id, archived, expected).await?;
        self.get_work(v, id).await
    }
}

async fn person_in_scope(tx: &mut Tx, v: &Viewer, id: i64) -> Result<()> {
    if visible(tx, v, RecordKind::Person, id).await? {
        Ok(())
    } else {
        Err(unknown("person_id", ("专家", "person"), id))
    }
}

pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<ExpertWork> {
    let sql = format!("select {COLS} from expert_work where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
