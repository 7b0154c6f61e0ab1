//! Notices and news the office publishes on the public portal (通知公告). The office keeps them;
//! signed-in users read the published ones; the portal reads them through `public.rs`.

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot};
use crate::records::{archived_clause, expect_version, lock_exists};
use crate::sql::{Arg, Q, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_tx};
use chrono::{DateTime, Utc};
use hezuo_domain::RecordKind;
use hezuo_domain::access::Action;
use hezuo_domain::notice::{Notice, NoticeData, NoticeFilter, NoticeKind, NoticeStatus};
use hezuo_domain::{ListParams, Page, input};

#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    id: i64,
    title: String,
    kind: String,
    body: String,
    status: String,
    published_at: Option<DateTime<Utc>>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

pub(crate) const COLS: &str = "id, title, kind, body, status, published_at, archived, created_at, updated_at";

impl From<Row> for Notice {
    fn from(r: Row) -> Self {
        Notice {
            id: r.id,
            title: r.title,
            kind: NoticeKind::parse(&r.kind).unwrap_or(NoticeKind::Notice),
            body: r.body,
            status: NoticeStatus::parse(&r.status).unwrap_or(NoticeStatus::Draft),
            published_at: r.published_at,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Store {
    pub async fn list_notices(&self, v: &Viewer, f: &NoticeFilter, p: &ListParams) -> Result<Page<Notice>> {
        let mut q = Q::new("from notice where 1 = 1");
        restrict(&mut q, v, RecordKind::Notice, "notice");
        archived_clause(&mut q, "notice", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            q.push(" and lower(title) like ")
                .bind(Arg::Text(contains_pattern(s)))
                .push(" escape '\\'");
        }
        if let Some(k) = input::opt_text(&f.kind) {
            q.push(" and kind = ").bind(Arg::Text(k.to_string()));
        }
        if let Some(s) = input::opt_text(&f.status) {
            q.push(" and status = ").bind(Arg::Text(s.to_string()));
        }
        let (col, desc) = p.sort(&["id", "title", "published_at", "updated_at"], ("updated_at", true))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_notice(&self, v: &Viewer, id: i64) -> Result<Notice> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Notice, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn create_notice(&self, v: &Viewer, d: &NoticeData) -> Result<Notice> {
        check(v, RecordKind::Notice, Action::Create)?;
        let mut tx = self.begin().await?;
        let t = now();
        let published = (d.status == NoticeStatus::Published).then_some(t);
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into notice (title, kind, body, status, published_at, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, false, $6, $6) returning id")
            .bind(&d.title).bind(d.kind.as_str()).bind(&d.body).bind(d.status.as_str()).bind(published).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Notice,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_notice(&self, v: &Viewer, id: i64, d: &NoticeData, expected: Option<i64>) -> Result<Notice> {
        check(v, RecordKind::Notice, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Notice, id).await?;
        expect_version(&mut tx, RecordKind::Notice, id, expected).await?;
        lock_exists(&mut tx, "notice", id).await?;
        let before = fetch(&mut tx, id).await?;
        // The first publication's time is kept; a notice taken back to draft keeps it too, and
        // shows it again when published once more.
        let published = match (before.published_at, d.status) {
            (Some(t), _) => Some(t),
            (None, NoticeStatus::Published) => Some(now()),
            (None, NoticeStatus::Draft) => None,
        };
        on_tx!(&mut tx, c => sqlx::query(
            "update notice set title = $1, kind = $2, body = $3, status = $4, published_at = $5, updated_at = $6 where id = $7")
            .bind(&d.title).bind(d.kind.as_str()).bind(&d.body).bind(d.status.as_str()).bind(published).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Notice,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_notice_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Notice> {
        crate::records::set_archived(self, v, RecordKind::Notice, id, archived, expected).await?;
        self.get_notice(v, id).await
    }
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Notice> {
    let sql = format!("select {COLS} from notice where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
