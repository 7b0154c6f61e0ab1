//! The notification centre: what each user is told (written by the write that causes it, inside its
//! transaction, through [`notify_in`]), read or not; each user's preferences; and the day's one
//! digest email per user, claimed before it is sent so that a second run or a second server sends
//! nothing twice.
//!
//! Notifications belong to accounts, not people: the office's and an enterprise's accounts are not
//! people, and a person with no account cannot sign in to read anything (reminders still email them,
//! see `reminders.rs`).

use crate::sql::{Arg, Q, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use hezuo_domain::Msg;
use hezuo_domain::access::Role;
use hezuo_domain::list::{ListParams, Page};
use hezuo_domain::notification::{DigestItem, Notification, NotificationKind, Preferences};
use std::collections::BTreeSet;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    subject: String,
    body: String,
    link: Option<String>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
    emailed_at: Option<DateTime<Utc>>,
}

impl Row {
    fn into_notification(self) -> Notification {
        Notification {
            id: self.id,
            // Written only from the enum; an unknown code (a later version's) reads as a message.
            kind: NotificationKind::parse(&self.kind).unwrap_or(NotificationKind::Message),
            subject: self.subject,
            body: self.body,
            link: self.link,
            created_at: self.created_at,
            read_at: self.read_at,
            emailed_at: self.emailed_at,
        }
    }
}

const COLUMNS: &str = "id, kind, subject, body, link, created_at, read_at, emailed_at";

/// Who is to be told: an account, every account of a person or of an organisation, or every
/// account of a role (the office).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    User(i64),
    Person(i64),
    Organization(i64),
    Role(Role),
}

/// What they are told.
#[derive(Debug, Clone)]
pub struct Note {
    pub kind: NotificationKind,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
}

impl Note {
    pub fn new(
        kind: NotificationKind,
        subject: impl Into<String>,
        body: impl Into<String>,
        link: impl Into<String>,
    ) -> Note {
        Note {
            kind,
            subject: subject.into(),
            body: body.into(),
            link: Some(link.into()).filter(|l: &String| !l.is_empty()),
        }
    }
}

/// Tells every enabled account `to` names (each once, never `except` — the one who caused it), in
/// the caller's transaction: the notification exists exactly when the write that caused it does.
/// Returns how many accounts were told.
pub async fn notify_in(tx: &mut Tx, to: &[To], except: Option<i64>, note: &Note) -> Result<usize> {
    let mut users = BTreeSet::new();
    for t in to {
        let (sql, key): (&str, String) = match *t {
            To::User(id) => (
                "select id from user_account where disabled = false and id = $1",
                id.to_string(),
            ),
            To::Person(id) => (
                "select id from user_account where disabled = false and person_id = $1",
                id.to_string(),
            ),
            To::Organization(id) => (
                "select id from user_account where disabled = false and organization_id = $1",
                id.to_string(),
            ),
            To::Role(r) => (
                "select id from user_account where disabled = false and role = $1",
                r.as_str().to_string(),
            ),
        };
        let ids: Vec<i64> = match *t {
            To::Role(_) => on_tx!(tx, c => sqlx::query_scalar(sql).bind(&key).fetch_all(c).await)?,
            _ => {
                let id: i64 = key.parse().unwrap_or_default();
                on_tx!(tx, c => sqlx::query_scalar(sql).bind(id).fetch_all(c).await)?
            }
        };
        users.extend(ids);
    }
    if let Some(e) = except {
        users.remove(&e);
    }
    let at = now();
    for u in &users {
        on_tx!(tx, c => sqlx::query(
            "insert into notification (user_id, kind, subject, body, link, created_at) values ($1, $2, $3, $4, $5, $6)")
            .bind(u).bind(note.kind.as_str()).bind(&note.subject).bind(&note.body).bind(&note.link).bind(at)
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(users.len())
}

/// The notifications a list shows: all, or only the unread, of one kind or every kind.
#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    pub unread: bool,
    pub kind: Option<NotificationKind>,
}

/// A user whose digest is due: who, where to, and the notifications it carries (ids and items).
#[derive(Debug, Clone)]
pub struct DigestDue {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub items: Vec<(i64, DigestItem)>,
}

/// How far back a digest looks: a notification older than this that was never emailed (mail was
/// off, or the kind was) is not mailed late.
const DIGEST_LOOKBACK_DAYS: i64 = 2;

impl Store {
    /// A user's notifications, newest first.
    pub async fn list_notifications(
        &self,
        user_id: i64,
        f: &NotificationFilter,
        p: &ListParams,
    ) -> Result<Page<Notification>> {
        let mut q = Q::new("from notification where user_id = ");
        q.bind(Arg::I64(user_id));
        if f.unread {
            q.push(" and read_at is null");
        }
        if let Some(k) = f.kind {
            q.push(" and kind = ").bind(Arg::Text(k.as_str().into()));
        }
        let (total, rows) = fetch_page!(self, Row, COLUMNS, q, "id desc", p);
        Ok(Page {
            items: rows.into_iter().map(Row::into_notification).collect(),
            ..Page::counted(total, p)
        })
    }

    /// How many of a user's notifications are unread (the number in the header).
    pub async fn unread_notifications(&self, user_id: i64) -> Result<i64> {
        Ok(on_db!(&self.db, p => sqlx::query_scalar(
            "select count(*) from notification where user_id = $1 and read_at is null")
            .bind(user_id).fetch_one(p).await)?)
    }

    /// Marks one of the user's notifications read (once: reading it again keeps the first time).
    /// Another user's notification is not found.
    pub async fn read_notification(&self, user_id: i64, id: i64) -> Result<Notification> {
        let mut tx = self.begin().await?;
        let t = now();
        let row: Option<Row> = on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "update notification set read_at = coalesce(read_at, $1) where id = $2 and user_id = $3 returning {COLUMNS}")))
            .bind(t).bind(id).bind(user_id).fetch_optional(c).await)?;
        tx.commit().await?;
        row.map(Row::into_notification).ok_or(StoreError::NotFound)
    }

    /// Marks all of the user's notifications read (of one kind, if given); returns how many were unread.
    pub async fn read_all_notifications(&self, user_id: i64, kind: Option<NotificationKind>) -> Result<u64> {
        let mut tx = self.begin().await?;
        let t = now();
        let n = on_tx!(&mut tx, c => sqlx::query(
            "update notification set read_at = $1 where user_id = $2 and read_at is null and ($3 = '' or kind = $3)")
            .bind(t).bind(user_id).bind(kind.map(|k| k.as_str()).unwrap_or(""))
            .execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        Ok(n)
    }

    /// The user's preferences (the defaults until they choose).
    pub async fn notification_preferences(&self, user_id: i64) -> Result<Preferences> {
        let row: Option<(Option<String>, String, i64)> = on_db!(&self.db, p => sqlx::query_as(
            "select email, email_off, cast(digest_hour as bigint) from notification_pref where user_id = $1")
            .bind(user_id).fetch_optional(p).await)?;
        Ok(match row {
            Some((email, off, hour)) => Preferences::from_stored(email, &off, hour),
            None => Preferences::default(),
        })
    }

    /// Saves the user's preferences (the last save wins: they are one person's own choices).
    pub async fn set_notification_preferences(&self, user_id: i64, p: &Preferences) -> Result<Preferences> {
        let mut tx = self.begin().await?;
        let t = now();
        let hour = i32::try_from(p.digest_hour).unwrap_or(8);
        on_tx!(&mut tx, c => sqlx::query(
            "insert into notification_pref (user_id, email, email_off, digest_hour, updated_at) values ($1, $2, $3, $4, $5) \
             on conflict (user_id) do update set email = excluded.email, email_off = excluded.email_off, \
             digest_hour = excluded.digest_hour, updated_at = excluded.updated_at")
            .bind(user_id).bind(&p.email).bind(p.email_off()).bind(hour).bind(t)
            .execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        self.notification_preferences(user_id).await
    }

    /// Whether any enabled account is this person's (their reminders then reach them through the
    /// account's notifications and digest rather than a separate email).
    pub async fn person_has_account(&self, person_id: i64) -> Result<bool> {
        let n: i64 = on_db!(&self.db, p => sqlx::query_scalar(
            "select count(*) from user_account where person_id = $1 and disabled = false")
            .bind(person_id).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// The digests due at `at`: users whose digest hour (China time) has come today, who have had
    /// none today, with an address, and with unread notifications of kinds they want emailed that
    /// no digest carried yet.
    pub async fn digests_due(&self, at: DateTime<Utc>) -> Result<Vec<DigestDue>> {
        let china = at + chrono::Duration::hours(8);
        let (day, hour) = (china.date_naive(), i64::from(china.hour()));
        let since = at - chrono::Duration::days(DIGEST_LOOKBACK_DAYS);
        type Pending = (i64, String, Option<String>, Option<String>, String, i64);
        let users: Vec<Pending> = on_db!(&self.db, p => sqlx::query_as(
            "select u.id, coalesce(pe.name, u.username), np.email, pe.email, coalesce(np.email_off, ''), \
             cast(coalesce(np.digest_hour, 8) as bigint) \
             from user_account u left join person pe on pe.id = u.person_id \
             left join notification_pref np on np.user_id = u.id \
             where u.disabled = false and exists (select 1 from notification n where n.user_id = u.id \
               and n.read_at is null and n.emailed_at is null and n.created_at >= $1) \
             and not exists (select 1 from notification_digest d where d.user_id = u.id and d.day = $2) \
             order by u.id")
            .bind(since).bind(day).fetch_all(p).await)?;
        let mut out = Vec::new();
        for (user_id, name, own, person_email, off, digest_hour) in users {
            let prefs = Preferences::from_stored(own.clone(), &off, digest_hour);
            let Some(email) = own.or(person_email) else { continue };
            if i64::from(prefs.digest_hour) > hour {
                continue;
            }
            let rows: Vec<Row> = on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "select {COLUMNS} from notification where user_id = $1 and read_at is null and emailed_at is null \
                 and created_at >= $2 order by id")))
                .bind(user_id).bind(since).fetch_all(p).await)?;
            let items: Vec<(i64, DigestItem)> = rows
                .into_iter()
                .map(Row::into_notification)
                .filter(|n| prefs.emails(n.kind))
                .map(|n| {
                    (
                        n.id,
                        DigestItem {
                            kind: n.kind,
                            subject: n.subject,
                            body: n.body,
                            link: n.link,
                        },
                    )
                })
                .collect();
            if !items.is_empty() {
                out.push(DigestDue {
                    user_id,
                    name,
                    email,
                    items,
                });
            }
        }
        Ok(out)
    }

    /// Claims the user's digest for `day` and marks what it carries as emailed, in one transaction;
    /// false when a digest was already claimed that day (by another run or server): send nothing.
    pub async fn claim_digest(&self, user_id: i64, day: NaiveDate, ids: &[i64]) -> Result<bool> {
        let mut tx = self.begin().await?;
        let t = now();
        let claimed: Option<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into notification_digest (user_id, day, items, sent_at) values ($1, $2, $3, $4) \
             on conflict (user_id, day) do nothing returning user_id")
            .bind(user_id).bind(day).bind(i32::try_from(ids.len()).unwrap_or(i32::MAX)).bind(t)
            .fetch_optional(c).await)?;
        if claimed.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        for id in ids {
            on_tx!(&mut tx, c => sqlx::query("update notification set emailed_at = $1 where id = $2 and user_id = $3")
                .bind(t).bind(id).bind(user_id).execute(c).await.map(|r| r.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// The message shown for a notification that is not the user's (or no longer exists).
pub fn not_yours() -> Msg {
    Msg::new("没有这条通知", "No such notification")
}
