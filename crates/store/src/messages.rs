//! Messages (沟通消息): the thread on each demand and on each match. Who is in a thread is who
//! sees its demand or its match (`access::restrict` on `Message` says it once): the enterprise,
//! the coordinators above it, the office and leaders (who read only); on a demand's thread the
//! experts matched to it, on a match's thread that match's expert alone. Outside a thread is 403.
//! Posting (with files, attachments of kind `message`), editing (the author, within ten minutes of
//! the store's clock, every earlier text kept in `message_edit`) and read receipts
//! (`message_read`, one per account) are each one transaction with its audit entry.

use crate::access::{Viewer, audit, check, restrict, visible};
use crate::notifications::{Note, To, notify_in};
use crate::records::lock_exists;
use crate::sql::{Arg, Q, bind_args, fetch_page};
use crate::{Result, Store, StoreError, Tx, on_db, on_tx};
use chrono::{DateTime, Utc};
use hezuo_domain::access::{Action, Role, forbidden};
use hezuo_domain::message::{
    Message, MessageEdit, ReadReceipt, ThreadRef, ThreadSummary, edit_window_closed, not_the_author, within_edit_window,
};
use hezuo_domain::notification::NotificationKind;
use hezuo_domain::{ListParams, Msg, Page, RecordKind};
use std::collections::HashMap;

/// A file posted with a message, already checked by `attachment::check_upload`: (name, content
/// type, bytes).
pub type MessageFile<'a> = (&'a str, &'a str, &'a [u8]);

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    demand_id: Option<i64>,
    match_id: Option<i64>,
    user_id: Option<i64>,
    author: String,
    body: String,
    edited_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

const COLS: &str = "m.id, m.demand_id, m.match_id, m.user_id, m.author, m.body, m.edited_at, m.created_at";

/// Someone a new message is for: an account in the thread other than its author (the person it
/// is, when it is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: i64,
    pub person_id: Option<i64>,
}

/// The refusal for a thread one is not in (403), whether or not the demand or match exists.
fn not_in_thread() -> StoreError {
    StoreError::Forbidden(Msg::new(
        "您不在这个沟通中，无权查看或发送其中的消息",
        "You are not in this thread: you may not read or post its messages",
    ))
}

/// Forbidden unless `v` is in the thread (sees its demand or its match).
async fn must_be_in(tx: &mut Tx, v: &Viewer, thread: ThreadRef) -> Result<()> {
    let ok = match thread {
        ThreadRef::Demand(d) => visible(tx, v, RecordKind::Demand, d).await?,
        ThreadRef::Match(m) => visible(tx, v, RecordKind::Match, m).await?,
    };
    if ok { Ok(()) } else { Err(not_in_thread()) }
}

/// Whether `v` leaves read receipts: a signed-in account that may write (not a leader, who reads only).
fn leaves_receipts(v: &Viewer) -> bool {
    v.user_id.is_some() && v.role != Role::Leader
}

fn thread_clause(q: &mut Q, thread: ThreadRef) {
    match thread {
        ThreadRef::Demand(d) => q.push(" and m.demand_id = ").bind(Arg::I64(d)),
        ThreadRef::Match(m) => q.push(" and m.match_id = ").bind(Arg::I64(m)),
    };
}

/// A thread as counted: its demand or match, messages, unread, the last message's id.
type ThreadRow = (Option<i64>, Option<i64>, i64, i64, i64);

impl Store {
    /// One page of a thread `v` is in, oldest first (newest last), each message with its files,
    /// read receipts and earlier texts. 403 for a thread `v` is not in.
    pub async fn list_messages(&self, v: &Viewer, thread: ThreadRef, p: &ListParams) -> Result<Page<Message>> {
        let mut tx = self.read().await?;
        must_be_in(&mut tx, v, thread).await?;
        tx.commit().await?;
        let mut q = Q::new("from message m where m.archived = false");
        thread_clause(&mut q, thread);
        restrict(&mut q, v, RecordKind::Message, "m");
        let (total, rows) = fetch_page!(self, Row, COLS, q, "m.id asc", p);
        Ok(Page {
            items: self.complete(v, rows).await?,
            ..Page::counted(total, p)
        })
    }

    /// One message `v` may read (NotFound otherwise).
    pub async fn get_message(&self, v: &Viewer, id: i64) -> Result<Message> {
        let mut q = Q::new(&format!(
            "select {COLS} from message m where m.archived = false and m.id = "
        ));
        q.bind(Arg::I64(id));
        restrict(&mut q, v, RecordKind::Message, "m");
        let rows: Vec<Row> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        if rows.is_empty() {
            return Err(StoreError::NotFound);
        }
        Ok(self.complete(v, rows).await?.remove(0))
    }

    /// Rows with their files, receipts and earlier texts, as `v` sees them.
    async fn complete(&self, v: &Viewer, rows: Vec<Row>) -> Result<Vec<Message>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut q = Q::new(
            "select a.id from attachment a where a.archived = false and a.record_kind = 'message' and a.record_id in ",
        );
        q.bind_list(&ids).push(" order by a.id");
        let files: Vec<i64> = on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let mut tx = self.read().await?;
        let mut attachments: HashMap<i64, Vec<hezuo_domain::attachment::Attachment>> = HashMap::new();
        for a in files {
            let a = crate::attachments::fetch(&mut tx, a).await?;
            attachments.entry(a.record_id).or_default().push(a);
        }
        tx.commit().await?;
        let mut q = Q::new("select message_id, user_id, username, read_at from message_read where message_id in ");
        q.bind_list(&ids).push(" order by read_at, user_id");
        let reads: Vec<(i64, i64, String, DateTime<Utc>)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let mut q = Q::new("select message_id, body, written_at, replaced_at from message_edit where message_id in ");
        q.bind_list(&ids).push(" order by id");
        let edits: Vec<(i64, String, DateTime<Utc>, DateTime<Utc>)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let now = self.moment();
        Ok(rows
            .into_iter()
            .map(|r| {
                let read_by: Vec<ReadReceipt> = reads
                    .iter()
                    .filter(|x| x.0 == r.id)
                    .map(|x| ReadReceipt {
                        user_id: x.1,
                        username: x.2.clone(),
                        read_at: x.3,
                    })
                    .collect();
                let mine = v.user_id.is_some() && r.user_id == v.user_id;
                Message {
                    id: r.id,
                    demand_id: r.demand_id,
                    match_id: r.match_id,
                    user_id: r.user_id,
                    author: r.author,
                    body: r.body,
                    created_at: r.created_at,
                    edited_at: r.edited_at,
                    attachments: attachments.remove(&r.id).unwrap_or_default(),
                    read: mine || read_by.iter().any(|x| Some(x.user_id) == v.user_id),
                    read_by,
                    edits: edits
                        .iter()
                        .filter(|x| x.0 == r.id)
                        .map(|x| MessageEdit {
                            body: x.1.clone(),
                            written_at: x.2,
                            replaced_at: x.3,
                        })
                        .collect(),
                    editable: mine
                        && v.role.may(RecordKind::Message, Action::Update)
                        && within_edit_window(r.created_at, now),
                }
            })
            .collect())
    }

    /// Posts a message with its files on a thread `v` is in, in one transaction: the message, its
    /// files (attachments of the message), the author's own read receipt and the audit entry.
    /// A leader (read only) or a unit may not (403), nor anyone outside the thread (403).
    pub async fn post_message(
        &self,
        v: &Viewer,
        thread: ThreadRef,
        body: &str,
        files: &[MessageFile<'_>],
    ) -> Result<Message> {
        check(v, RecordKind::Message, Action::Create)?;
        if !files.is_empty() {
            check(v, RecordKind::Attachment, Action::Create)?;
        }
        let mut tx = self.begin().await?;
        must_be_in(&mut tx, v, thread).await?;
        let t = self.moment();
        let (demand_id, match_id) = thread.columns();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into message (demand_id, match_id, user_id, author, body, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, false, $6, $6) returning id")
            .bind(demand_id).bind(match_id).bind(v.user_id).bind(&v.username).bind(body).bind(t)
            .fetch_one(c).await)?;
        let mut names = Vec::new();
        for (name, content_type, bytes) in files {
            let a = crate::attachments::insert(&mut tx, v, RecordKind::Message, id, name, content_type, bytes).await?;
            names.push(a.filename);
        }
        if let Some(u) = v.user_id {
            on_tx!(&mut tx, c => sqlx::query(
                "insert into message_read (message_id, user_id, username, read_at) values ($1, $2, $3, $4)")
                .bind(id).bind(u).bind(&v.username).bind(t).execute(c).await.map(|r| r.rows_affected()))?;
        }
        let mut after = serde_json::json!({ "demand_id": demand_id, "match_id": match_id, "body": body });
        if !names.is_empty() {
            after["files"] = names.into();
        }
        audit(&mut tx, v, RecordKind::Message, id, "create", None, Some(&after)).await?;
        // The thread's other participants are told, in this transaction.
        let to: Vec<To> = message_recipients(&mut tx, thread, v.user_id)
            .await?
            .into_iter()
            .map(|r| To::User(r.user_id))
            .collect();
        let title: String = match thread {
            ThreadRef::Demand(d) => on_tx!(&mut tx, c => sqlx::query_scalar("select title from demand where id = $1")
                .bind(d).fetch_one(c).await)?,
            ThreadRef::Match(m) => on_tx!(&mut tx, c => sqlx::query_scalar(
                "select d.title from demand d join demand_match dm on dm.demand_id = d.id where dm.id = $1")
                .bind(m).fetch_one(c).await)?,
        };
        let mut excerpt: String = body.chars().take(200).collect();
        if body.chars().count() > 200 {
            excerpt.push('…');
        }
        let note = Note::new(
            NotificationKind::Message,
            format!("{}在“{title}”留言", v.username),
            excerpt,
            thread.href(),
        );
        notify_in(&mut tx, &to, v.user_id, &note).await?;
        tx.commit().await?;
        self.get_message(v, id).await
    }

    /// Changes the text of `v`'s own message while it is within the edit window: the text it
    /// replaces is kept (`message_edit`), with the audit entry, in one transaction that holds the
    /// message's row, so edits at once are each kept in turn. Someone else's message: 403; after
    /// the window: 409.
    pub async fn edit_message(&self, v: &Viewer, id: i64, body: &str) -> Result<Message> {
        check(v, RecordKind::Message, Action::Update)?;
        let mut tx = self.begin().await?;
        if !visible(&mut tx, v, RecordKind::Message, id).await? {
            return Err(StoreError::NotFound);
        }
        lock_exists(&mut tx, "message", id).await?;
        let (user_id, old, created_at, edited_at): (Option<i64>, String, DateTime<Utc>, Option<DateTime<Utc>>) = on_tx!(&mut tx, c => sqlx::query_as(
                "select user_id, body, created_at, edited_at from message where id = $1 and archived = false")
                .bind(id).fetch_one(c).await)?;
        if v.user_id.is_none() || user_id != v.user_id {
            return Err(StoreError::Forbidden(not_the_author()));
        }
        let t = self.moment();
        if !within_edit_window(created_at, t) {
            return Err(StoreError::Conflict(hezuo_domain::FieldErrors::one(
                "body",
                edit_window_closed(),
            )));
        }
        if old != body {
            on_tx!(&mut tx, c => sqlx::query(
                "insert into message_edit (message_id, body, written_at, replaced_at) values ($1, $2, $3, $4)")
                .bind(id).bind(&old).bind(edited_at.unwrap_or(created_at)).bind(t)
                .execute(c).await.map(|r| r.rows_affected()))?;
            on_tx!(&mut tx, c => sqlx::query("update message set body = $1, edited_at = $2, updated_at = $2 where id = $3")
                .bind(body).bind(t).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
            audit(
                &mut tx,
                v,
                RecordKind::Message,
                id,
                "update",
                Some(&serde_json::json!({ "body": old })),
                Some(&serde_json::json!({ "body": body })),
            )
            .await?;
        }
        tx.commit().await?;
        self.get_message(v, id).await
    }

    /// Records that `v` read a message they may read (once per account; the first reading is kept).
    /// Whether a receipt was written.
    pub async fn mark_message_read(&self, v: &Viewer, id: i64) -> Result<bool> {
        if !leaves_receipts(v) {
            return Err(StoreError::Forbidden(forbidden()));
        }
        let mut tx = self.begin().await?;
        if !visible(&mut tx, v, RecordKind::Message, id).await? {
            return Err(StoreError::NotFound);
        }
        let n = write_receipt(&mut tx, v, id, self.moment()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Records that `v` read every message of a thread they are in; how many receipts were new.
    /// A leader's reading leaves none (they read only).
    pub async fn mark_thread_read(&self, v: &Viewer, thread: ThreadRef) -> Result<usize> {
        if !leaves_receipts(v) {
            let mut tx = self.read().await?;
            must_be_in(&mut tx, v, thread).await?;
            tx.commit().await?;
            return Ok(0);
        }
        let me = v.user_id.unwrap_or(0);
        // Most readings find nothing new: look before taking the write lock.
        let unread = |q: &mut Q| {
            thread_clause(q, thread);
            q.push(" and not exists (select 1 from message_read r where r.message_id = m.id and r.user_id = ")
                .bind(Arg::I64(me))
                .push(")");
            restrict(q, v, RecordKind::Message, "m");
        };
        let mut q = Q::new("select m.id from message m where m.archived = false");
        unread(&mut q);
        let mut tx = self.read().await?;
        must_be_in(&mut tx, v, thread).await?;
        let ids: Vec<i64> = on_tx!(&mut tx, c => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(c).await)?;
        tx.commit().await?;
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let t = self.moment();
        let mut n = 0;
        for id in ids {
            if write_receipt(&mut tx, v, id, t).await? {
                n += 1;
            }
        }
        tx.commit().await?;
        Ok(n)
    }

    /// The threads `v` is in that hold messages, the latest first, with how many messages each
    /// holds and how many `v` has not read.
    pub async fn message_threads(&self, v: &Viewer) -> Result<Vec<ThreadSummary>> {
        let me = v.user_id.unwrap_or(0);
        let mut q = Q::new(
            "select m.demand_id, m.match_id, count(*) as messages, \
             sum(case when coalesce(m.user_id, 0) <> ",
        );
        q.bind(Arg::I64(me))
            .push(" and not exists (select 1 from message_read r where r.message_id = m.id and r.user_id = ");
        q.bind(Arg::I64(me))
            .push(") then 1 else 0 end) as unread, max(m.id) as last_id from message m where m.archived = false");
        restrict(&mut q, v, RecordKind::Message, "m");
        q.push(" group by m.demand_id, m.match_id order by max(m.id) desc");
        let rows: Vec<ThreadRow> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let last: Vec<i64> = rows.iter().map(|r| r.4).collect();
        let mut q = Q::new("select id, created_at from message where id in ");
        q.bind_list(&last);
        let times: HashMap<i64, DateTime<Utc>> = on_db!(&self.db, p => bind_args!(sqlx::query_as::<_, (i64, DateTime<Utc>)>(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?
            .into_iter()
            .collect();
        let match_ids: Vec<i64> = rows.iter().filter_map(|r| r.1).collect();
        let mut matches: HashMap<i64, (i64, Option<String>)> = HashMap::new();
        if !match_ids.is_empty() {
            let mut q = Q::new(
                "select dm.id, dm.demand_id, coalesce(p.name, rr.title) from demand_match dm \
                 left join person p on p.id = dm.person_id left join research_result rr on rr.id = dm.result_id where dm.id in ",
            );
            q.bind_list(&match_ids);
            let found: Vec<(i64, i64, Option<String>)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
            matches.extend(found.into_iter().map(|(id, d, n)| (id, (d, n))));
        }
        let demand_ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.0.or_else(|| r.1.and_then(|m| matches.get(&m).map(|x| x.0))))
            .collect();
        let mut q = Q::new("select id, title from demand where id in ");
        q.bind_list(&demand_ids);
        let titles: HashMap<i64, String> = on_db!(&self.db, p => bind_args!(sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?
            .into_iter()
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|(d, m, messages, unread, last_id)| {
                let (thread, demand_id, counterpart) = match (d, m) {
                    (_, Some(m)) => {
                        let (d, name) = matches.get(&m)?.clone();
                        (ThreadRef::Match(m), d, name)
                    }
                    (Some(d), None) => (ThreadRef::Demand(d), d, None),
                    (None, None) => return None,
                };
                Some(ThreadSummary {
                    thread,
                    demand_id,
                    demand_title: titles.get(&demand_id).cloned().unwrap_or_default(),
                    counterpart,
                    messages,
                    unread,
                    last_at: times.get(&last_id).copied().unwrap_or_default(),
                })
            })
            .collect())
    }

    /// How many messages of the threads `v` is in they have not read (the menu's count).
    pub async fn unread_messages(&self, v: &Viewer) -> Result<i64> {
        Ok(self.message_threads(v).await?.iter().map(|t| t.unread).sum())
    }

    /// The accounts a new message on `thread` by `author` is for (see [`message_recipients`]).
    pub async fn thread_recipients(&self, thread: ThreadRef, author: Option<i64>) -> Result<Vec<Recipient>> {
        let mut tx = self.read().await?;
        let r = message_recipients(&mut tx, thread, author).await?;
        tx.commit().await?;
        Ok(r)
    }
}

/// Writes `v`'s receipt for message `id` unless there is one, with its audit entry; whether it wrote.
async fn write_receipt(tx: &mut Tx, v: &Viewer, id: i64, t: DateTime<Utc>) -> Result<bool> {
    let Some(u) = v.user_id else { return Ok(false) };
    let n = on_tx!(tx, c => sqlx::query(
        "insert into message_read (message_id, user_id, username, read_at) values ($1, $2, $3, $4) \
         on conflict (message_id, user_id) do nothing")
        .bind(id).bind(u).bind(&v.username).bind(t).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(false);
    }
    audit(
        tx,
        v,
        RecordKind::Message,
        id,
        "read",
        None,
        Some(&serde_json::json!({ "read_by": v.username })),
    )
    .await?;
    Ok(true)
}

/// Everyone a new message on `thread` is for, but its author: the enterprise's accounts, the
/// matched experts' accounts (on a demand's thread every expert matched to it, on a match's thread
/// its expert), the office, and anyone else who has written in the thread (a coordinator) — active
/// accounts only, each once, in account order. Called in the posting transaction; what the
/// notification centre sends a message's notifications to.
pub async fn message_recipients(tx: &mut Tx, thread: ThreadRef, author: Option<i64>) -> Result<Vec<Recipient>> {
    let (demand_clause, experts, posted) = match thread {
        ThreadRef::Demand(_) => (
            "select enterprise_id from demand where id = $1",
            "select person_id from demand_match where demand_id = $1 and person_id is not null",
            "select user_id from message where demand_id = $1 and user_id is not null",
        ),
        ThreadRef::Match(_) => (
            "select d.enterprise_id from demand d join demand_match dm on dm.demand_id = d.id where dm.id = $1",
            "select person_id from demand_match where id = $1 and person_id is not null",
            "select user_id from message where match_id = $1 and user_id is not null",
        ),
    };
    let id = match thread {
        ThreadRef::Demand(d) | ThreadRef::Match(d) => d,
    };
    let sql = format!(
        "select id, person_id from user_account u where u.disabled = false and (\
         (u.role = 'enterprise' and u.organization_id in ({demand_clause})) \
         or (u.role = 'expert' and u.person_id in ({experts})) \
         or u.role = 'office' or u.id in ({posted})) order by u.id"
    );
    let rows: Vec<(i64, Option<i64>)> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .filter(|(u, _)| Some(*u) != author)
        .map(|(user_id, person_id)| Recipient { user_id, person_id })
        .collect())
}
