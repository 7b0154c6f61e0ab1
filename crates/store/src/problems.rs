//! Problems raised for coordination, with their owner, due date, status and decision.

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, unknown, visible};
use crate::records::{archived_clause, exists, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, contains_pattern, fetch_page, flag};
use crate::{Result, Store, StoreError, Tx, now, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::Action;
use hezuo_domain::problem::{Problem, ProblemData, ProblemFilter, ProblemStatus, transition};
use hezuo_domain::{ListParams, Page, RecordKind, input};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    project_id: i64,
    title: String,
    description: Option<String>,
    owner_id: i64,
    due_on: Option<NaiveDate>,
    status: String,
    decision: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str =
    "id, project_id, title, description, owner_id, due_on, status, decision, archived, created_at, updated_at";

impl From<Row> for Problem {
    fn from(r: Row) -> Self {
        Problem {
            id: r.id,
            project_id: r.project_id,
            title: r.title,
            description: r.description,
            owner_id: r.owner_id,
            due_on: r.due_on,
            status: ProblemStatus::parse(&r.status).unwrap_or(ProblemStatus::Open),
            decision: r.decision,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Store {
    pub async fn list_problems(&self, v: &Viewer, f: &ProblemFilter, p: &ListParams) -> Result<Page<Problem>> {
        let mut q = Q::new("from problem where 1 = 1");
        restrict(&mut q, v, RecordKind::Problem, "problem");
        archived_clause(&mut q, "problem", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            q.push(" and lower(title) like ")
                .bind(Arg::Text(contains_pattern(s)))
                .push(" escape '\\'");
        }
        if let Some(id) = id_filter(&f.project_id, "project_id")? {
            q.push(" and project_id = ").bind(Arg::I64(id));
        }
        if let Some(id) = id_filter(&f.owner_id, "owner_id")? {
            q.push(" and owner_id = ").bind(Arg::I64(id));
        }
        if let Some(s) = input::opt_text(&f.status) {
            q.push(" and status = ").bind(Arg::Text(s.to_string()));
        }
        if flag(&f.open) {
            q.push(" and status <> 'resolved'");
        }
        let (col, desc) = p.sort(&["id", "due_on", "status", "updated_at"], ("id", true))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            total,
            page: p.page(),
            per_page: p.per_page(),
        })
    }

    pub async fn get_problem(&self, v: &Viewer, id: i64) -> Result<Problem> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Problem, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Raises a problem on a project the user can see; it starts open.
    pub async fn create_problem(&self, v: &Viewer, d: &ProblemData) -> Result<Problem> {
        check(v, RecordKind::Problem, Action::Create)?;
        let mut tx = self.begin().await?;
        if !visible(&mut tx, v, RecordKind::Project, d.project_id).await? {
            return Err(unknown("project_id", ("项目", "project"), d.project_id));
        }
        if !exists(&mut tx, "organization", d.owner_id).await? {
            return Err(unknown("owner_id", ("责任单位", "organisation"), d.owner_id));
        }
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into problem (project_id, title, description, owner_id, due_on, status, decision, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, 'open', $6, false, $7, $7) returning id")
            .bind(d.project_id).bind(&d.title).bind(&d.description).bind(d.owner_id).bind(d.due_on).bind(&d.decision).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Problem,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Coordinates a problem: owner, due date, status along its transitions, the decision.
    pub async fn update_problem(&self, v: &Viewer, id: i64, d: &ProblemData, expected: Option<i64>) -> Result<Problem> {
        check(v, RecordKind::Problem, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Problem, id).await?;
        expect_version(&mut tx, RecordKind::Problem, id, expected).await?;
        lock_exists(&mut tx, "problem", id).await?;
        let before = fetch(&mut tx, id).await?;
        let status = match d.status {
            Some(to) => transition(before.status, to).map_err(|m| StoreError::invalid("status", m))?,
            None => before.status,
        };
        if !exists(&mut tx, "organization", d.owner_id).await? {
            return Err(unknown("owner_id", ("责任单位", "organisation"), d.owner_id));
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update problem set title = $1, description = $2, owner_id = $3, due_on = $4, status = $5, decision = $6, \
             updated_at = $7 where id = $8")
            .bind(&d.title).bind(&d.description).bind(d.owner_id).bind(d.due_on).bind(status.as_str()).bind(&d.decision)
            .bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        let action = if after.status != before.status {
            "status"
        } else {
            "update"
        };
        audit(
            &mut tx,
            v,
            RecordKind::Problem,
            id,
            action,
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_problem_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Problem> {
        crate::records::set_archived(self, v, RecordKind::Problem, id, archived, expected).await?;
        self.get_problem(v, id).await
    }
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Problem> {
    let sql = format!("select {COLS} from problem where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
