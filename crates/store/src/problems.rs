//! Problems raised for coordination, with their owner, due date, status and decision; the status
//! steps a user may take ([`problem_steps`], what the page offers and `update_problem` accepts);
//! and each problem's thread of comments, whose files are the problem's attachments.

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, unknown, visible};
use crate::records::{archived_clause, exists, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, contains_pattern, fetch_page, flag};
use crate::{Result, Store, StoreError, Tx, now, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::{Action, forbidden};
use hezuo_domain::problem::{Problem, ProblemComment, ProblemData, ProblemFilter, ProblemStatus, transition};
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
            ..Page::counted(total, p)
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
        let after = insert_problem(&mut tx, v, d).await?;
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

/// A file posted with a comment, already checked by `attachment::check_upload`: (name, content
/// type, bytes).
pub type CommentFile<'a> = (&'a str, &'a str, &'a [u8]);

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    problem_id: i64,
    user_id: Option<i64>,
    author: String,
    body: String,
    created_at: DateTime<Utc>,
}

impl Store {
    /// The thread of a problem `v` can see, oldest first, each comment with its files.
    pub async fn list_problem_comments(&self, v: &Viewer, problem_id: i64) -> Result<Vec<ProblemComment>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Problem, problem_id).await?;
        let rows: Vec<CommentRow> = on_tx!(&mut tx, c => sqlx::query_as(
            "select id, problem_id, user_id, author, body, created_at from problem_comment \
             where problem_id = $1 order by id")
            .bind(problem_id).fetch_all(c).await)?;
        let links: Vec<(i64, i64)> = on_tx!(&mut tx, c => sqlx::query_as(
            "select l.comment_id, l.attachment_id from problem_comment_attachment l \
             join problem_comment pc on pc.id = l.comment_id \
             join attachment a on a.id = l.attachment_id \
             where pc.problem_id = $1 and a.archived = false order by l.attachment_id")
            .bind(problem_id).fetch_all(c).await)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut attachments = Vec::new();
            for (_, a) in links.iter().filter(|(c, _)| *c == r.id) {
                attachments.push(crate::attachments::fetch(&mut tx, *a).await?);
            }
            out.push(ProblemComment {
                id: r.id,
                problem_id: r.problem_id,
                user_id: r.user_id,
                author: r.author,
                body: r.body,
                created_at: r.created_at,
                attachments,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Adds a comment, with its files (kept as the problem's attachments, linked to it), to a
    /// problem `v` can see, in one transaction that also writes the audit log: the comment on the
    /// problem's history, each file as an attachment. Anyone who can see the problem may, but the
    /// leader (`Role::may_comment`).
    pub async fn add_problem_comment(
        &self,
        v: &Viewer,
        problem_id: i64,
        body: &str,
        files: &[CommentFile<'_>],
    ) -> Result<ProblemComment> {
        if !v.role.may_comment() {
            return Err(StoreError::Forbidden(forbidden()));
        }
        if !files.is_empty() {
            check(v, RecordKind::Attachment, Action::Create)?;
        }
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Problem, problem_id).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into problem_comment (problem_id, user_id, author, body, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $5) returning id")
            .bind(problem_id).bind(v.user_id).bind(&v.username).bind(body).bind(t)
            .fetch_one(c).await)?;
        let mut attachments = Vec::with_capacity(files.len());
        for (name, content_type, bytes) in files {
            let a = crate::attachments::insert(&mut tx, v, RecordKind::Problem, problem_id, name, content_type, bytes)
                .await?;
            on_tx!(&mut tx, c => sqlx::query(
                "insert into problem_comment_attachment (comment_id, attachment_id) values ($1, $2)")
                .bind(id).bind(a.id).execute(c).await.map(|r| r.rows_affected()))?;
            attachments.push(a);
        }
        let mut after = serde_json::json!({ "comment": body });
        if !attachments.is_empty() {
            after["comment_files"] = attachments.iter().map(|a| a.filename.clone()).collect();
        }
        audit(
            &mut tx,
            v,
            RecordKind::Problem,
            problem_id,
            "comment",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(ProblemComment {
            id,
            problem_id,
            user_id: v.user_id,
            author: v.username.clone(),
            body: body.to_string(),
            created_at: t,
            attachments,
        })
    }
}

/// The statuses `v` may move a problem they can see to: those its state machine allows from where
/// it is, if `v`'s role may update problems (the office; a coordinator within their scope — the
/// scope is what let them see it). What `update_problem` accepts from `v`, and nothing else.
pub fn problem_steps(v: &Viewer, p: &Problem) -> &'static [ProblemStatus] {
    if check(v, RecordKind::Problem, Action::Update).is_ok() {
        p.status.next()
    } else {
        &[]
    }
}

/// Records a new open problem inside `tx` on a project `v` can see, with its audit entry: what
/// `create_problem` and turning a decision into a problem share.
pub(crate) async fn insert_problem(tx: &mut Tx, v: &Viewer, d: &ProblemData) -> Result<Problem> {
    if !visible(tx, v, RecordKind::Project, d.project_id).await? {
        return Err(unknown("project_id", ("项目", "project"), d.project_id));
    }
    if !exists(tx, "organization", d.owner_id).await? {
        return Err(unknown("owner_id", ("责任单位", "organisation"), d.owner_id));
    }
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into problem (project_id, title, description, owner_id, due_on, status, decision, archived, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, 'open', $6, false, $7, $7) returning id")
        .bind(d.project_id).bind(&d.title).bind(&d.description).bind(d.owner_id).bind(d.due_on).bind(&d.decision).bind(t)
        .fetch_one(c).await)?;
    let after = fetch(tx, id).await?;
    audit(tx, v, RecordKind::Problem, id, "create", None, Some(&snapshot(&after))).await?;
    Ok(after)
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Problem> {
    let sql = format!("select {COLS} from problem where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
