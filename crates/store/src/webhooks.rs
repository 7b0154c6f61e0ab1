//! Webhooks (issue 18): organisations' DingTalk robots and JSON receivers (`webhook`), the events
//! that reach them and their deliveries.
//!
//! An event is written by [`record_event`] in the transaction of the write that caused it (an
//! outbox): a `webhook_event` row under a unique key — so two writers, or two servers, record it
//! once — and one `webhook_delivery` per webhook it reaches, unique per (webhook, event). The
//! dispatcher (`hezuo_app::webhooks`) claims due deliveries with a lease ([`Store::claim_deliveries`]:
//! PostgreSQL's `for update skip locked`, SQLite's single writer), posts, and records the outcome
//! ([`Store::finish_delivery`]) — retried on the schedule of `webhook::retry_after`.
//!
//! Which webhooks an event reaches: those that chose its kind, enabled and not archived, whose
//! organisation is the event's own or one above it in the tree (a county's coordinator registers
//! a robot at the county and hears of its units), and those the office set to `all_units`. An event
//! that belongs to the whole cooperation (a bulletin) reaches every webhook that chose it.
//! The events: `flag_red` (the project's lead unit; [`crate::project_flags`]), `bulletin_issued`
//! (everyone; [`crate::bulletins`]), `demand_matched` (the demand's enterprise; when an expert or a
//! result accepts a match, [`crate::matches`]), `decision_late` (the decision's owner unit;
//! [`Store::scan_late_decisions`]).

use crate::access::{Viewer, audit, authorize, check, in_own_scope, must_see, restrict, snapshot, unknown};
use crate::records::{archived_clause, expect_version, id_filter};
use crate::sql::{Arg, Q, contains_pattern, fetch_page};
use crate::{Db, Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Duration, Utc};
use hezuo_domain::access::{Action, Role};
use hezuo_domain::webhook::{
    Delivery, DeliveryStatus, Webhook, WebhookData, WebhookEvent, WebhookFilter, WebhookKind, retry_after,
};
use hezuo_domain::{ListParams, Msg, Page, RecordKind, input};
use serde_json::Value;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    organization_id: i64,
    name: String,
    kind: String,
    url: String,
    has_secret: bool,
    all_units: bool,
    events: String,
    enabled: bool,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Never the secret itself: only whether there is one.
const COLS: &str = "id, organization_id, name, kind, url, secret <> '' as has_secret, all_units, events, enabled, \
                    archived, created_at, updated_at";

fn join_events(events: &[WebhookEvent]) -> String {
    events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",")
}

impl From<Row> for Webhook {
    fn from(r: Row) -> Self {
        Webhook {
            id: r.id,
            organization_id: r.organization_id,
            name: r.name,
            kind: WebhookKind::parse(&r.kind).unwrap_or(WebhookKind::Json),
            url: r.url,
            all_units: r.all_units,
            events: r.events.split(',').filter_map(WebhookEvent::parse).collect(),
            enabled: r.enabled,
            has_secret: r.has_secret,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    webhook_id: i64,
    event_id: i64,
    event: String,
    title: String,
    status: String,
    attempts: i32,
    next_at: Option<DateTime<Utc>>,
    last_status: Option<i32>,
    last_error: Option<String>,
    delivered_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const DELIVERY_COLS: &str = "d.id, d.webhook_id, d.event_id, e.kind as event, e.title, d.status, d.attempts, d.next_at, \
                             d.last_status, d.last_error, d.delivered_at, d.created_at, d.updated_at";

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        let status = DeliveryStatus::parse(&r.status).unwrap_or(DeliveryStatus::Pending);
        Delivery {
            id: r.id,
            webhook_id: r.webhook_id,
            event_id: r.event_id,
            event: r.event,
            title: r.title,
            status,
            attempts: r.attempts,
            next_at: r.next_at.filter(|_| status == DeliveryStatus::Pending),
            last_status: r.last_status,
            last_error: r.last_error,
            delivered_at: r.delivered_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// An event as the write that caused it describes it.
pub(crate) struct NewEvent {
    pub kind: WebhookEvent,
    /// Unique per event: the same key twice is recorded once.
    pub key: String,
    /// The organisation it belongs to; None: the whole cooperation.
    pub organization_id: Option<i64>,
    pub record: (RecordKind, i64),
    pub title: String,
    /// The message's text in Chinese (markdown lines, without the link).
    pub body: String,
    /// The record's page, e.g. `/projects/12`.
    pub path: String,
    pub data: Value,
}

/// Records `ev` and a pending delivery for every webhook it reaches, in the caller's transaction.
/// Returns whether the event was new (false: its key was recorded before).
pub(crate) async fn record_event(tx: &mut Tx, ev: &NewEvent) -> Result<bool> {
    let t = now();
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "insert into webhook_event (event_key, kind, organization_id, record_kind, record_id, title, body, path, data, occurred_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (event_key) do nothing returning id")
        .bind(&ev.key).bind(ev.kind.as_str()).bind(ev.organization_id).bind(ev.record.0.as_str()).bind(ev.record.1)
        .bind(&ev.title).bind(&ev.body).bind(&ev.path).bind(ev.data.to_string()).bind(t)
        .fetch_optional(c).await)?;
    let Some(id) = id else { return Ok(false) };
    let pattern = format!("%{}%", ev.kind.as_str());
    let mut q = Q::new(
        "insert into webhook_delivery (webhook_id, event_id, status, attempts, next_at, created_at, updated_at) \
         select w.id, ",
    );
    q.bind(Arg::I64(id)).push(", 'pending', 0, ");
    q.bind(Arg::Time(t)).push(", ");
    q.bind(Arg::Time(t)).push(", ");
    q.bind(Arg::Time(t))
        .push(" from webhook w where w.archived = false and w.enabled = true and w.events like ");
    q.bind(Arg::Text(pattern));
    if let Some(org) = ev.organization_id {
        // The organisation and those above it.
        q.push(
            " and (w.all_units = true or w.organization_id in (select ancestor_id from org_ancestor where org_id = ",
        );
        q.bind(Arg::I64(org));
        q.push("))");
    }
    q.push(" on conflict (webhook_id, event_id) do nothing");
    on_tx!(tx, c => crate::sql::bind_args!(sqlx::query(sqlx::AssertSqlSafe(q.sql.clone())), q.args).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(true)
}

/// A delivery claimed by a dispatcher: everything it needs to post, the secret included.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: i64,
    /// Counting this one: the claim's token, which [`Store::finish_delivery`] checks.
    pub attempts: i32,
    pub webhook_id: i64,
    pub webhook_kind: String,
    pub url: String,
    pub secret: String,
    pub event_key: String,
    /// An event code, or `test`.
    pub event: String,
    pub title: String,
    pub body: String,
    pub path: Option<String>,
    pub data: String,
    pub occurred_at: DateTime<Utc>,
}

/// What an attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub ok: bool,
    /// The HTTP status, when the receiver answered.
    pub status: Option<i32>,
    /// Why it failed, in words.
    pub error: Option<String>,
}

/// How long a claim holds: longer than a post may take (its timeouts), so two never overlap.
const LEASE_SECONDS: i64 = 120;

impl Store {
    pub async fn list_webhooks(&self, v: &Viewer, f: &WebhookFilter, p: &ListParams) -> Result<Page<Webhook>> {
        let mut q = Q::new("from webhook where 1 = 1");
        restrict(&mut q, v, RecordKind::Webhook, "webhook");
        archived_clause(&mut q, "webhook", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            q.push(" and lower(name) like ")
                .bind(Arg::Text(contains_pattern(s)))
                .push(" escape '\\'");
        }
        if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
            q.push(" and organization_id = ").bind(Arg::I64(id));
        }
        if let Some(s) = input::opt_text(&f.kind) {
            q.push(" and kind = ").bind(Arg::Text(s.to_string()));
        }
        let (col, desc) = p.sort(&["id", "name"], ("id", true))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_webhook(&self, v: &Viewer, id: i64) -> Result<Webhook> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Webhook, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn create_webhook(&self, v: &Viewer, d: &WebhookData) -> Result<Webhook> {
        check(v, RecordKind::Webhook, Action::Create)?;
        let Some(secret) = &d.secret else {
            return Err(StoreError::invalid(
                "secret",
                Msg::new("请填写签名密钥", "The signing secret is required"),
            ));
        };
        all_units_allowed(v, d.all_units, false)?;
        let mut tx = self.begin().await?;
        organization_in_scope(&mut tx, v, d.organization_id).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into webhook (organization_id, name, kind, url, secret, all_units, events, enabled, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9) returning id")
            .bind(d.organization_id).bind(&d.name).bind(d.kind.as_str()).bind(&d.url).bind(secret)
            .bind(d.all_units).bind(join_events(&d.events)).bind(d.enabled).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Webhook,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Saves `d` over the webhook; its secret is kept unless `d` gives a new one.
    pub async fn update_webhook(&self, v: &Viewer, id: i64, d: &WebhookData, expected: Option<i64>) -> Result<Webhook> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::Webhook, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::Webhook, id, expected).await?;
        let before = fetch(&mut tx, id).await?;
        all_units_allowed(v, d.all_units, before.all_units)?;
        if d.organization_id != before.organization_id {
            organization_in_scope(&mut tx, v, d.organization_id).await?;
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update webhook set organization_id = $1, name = $2, kind = $3, url = $4, secret = coalesce($5, secret), \
             all_units = $6, events = $7, enabled = $8, updated_at = $9 where id = $10")
            .bind(d.organization_id).bind(&d.name).bind(d.kind.as_str()).bind(&d.url).bind(&d.secret)
            .bind(d.all_units).bind(join_events(&d.events)).bind(d.enabled).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        let mut b = snapshot(&before);
        let mut a = snapshot(&after);
        // A new secret is a change the log shows (never its value).
        if d.secret.is_some() {
            b["secret"] = Value::from("…");
            a["secret"] = Value::from("（已更换）");
        }
        audit(&mut tx, v, RecordKind::Webhook, id, "update", Some(&b), Some(&a)).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_webhook_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Webhook> {
        crate::records::set_archived(self, v, RecordKind::Webhook, id, archived, expected).await?;
        self.get_webhook(v, id).await
    }

    /// A webhook's delivery log, newest first.
    pub async fn list_deliveries(&self, v: &Viewer, webhook_id: i64, p: &ListParams) -> Result<Page<Delivery>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Webhook, webhook_id).await?;
        tx.commit().await?;
        let mut q = Q::new("from webhook_delivery d join webhook_event e on e.id = d.event_id where d.webhook_id = ");
        q.bind(Arg::I64(webhook_id));
        let (col, desc) = p.sort(&["id"], ("id", true))?;
        let order = format!("d.{col} {}", if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, DeliveryRow, DELIVERY_COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    /// One delivery of a webhook `v` may see.
    pub async fn get_delivery(&self, v: &Viewer, id: i64) -> Result<Delivery> {
        let sql = format!(
            "select {DELIVERY_COLS} from webhook_delivery d join webhook_event e on e.id = d.event_id where d.id = $1"
        );
        let row: Option<DeliveryRow> =
            on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        let row = row.ok_or(StoreError::NotFound)?;
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Webhook, row.webhook_id).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// A test post for one webhook (whoever keeps it): a `test` event with its one delivery, due
    /// now and never retried. Returns the delivery.
    pub async fn create_test_delivery(&self, v: &Viewer, webhook_id: i64) -> Result<Delivery> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::Webhook, Some(webhook_id), Action::Update).await?;
        let w = fetch(&mut tx, webhook_id).await?;
        let t = now();
        let key = format!("test:{webhook_id}:{}", t.timestamp_nanos_opt().unwrap_or_default());
        let data = serde_json::json!({ "webhook_id": webhook_id, "name": w.name, "by": v.username });
        let event_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into webhook_event (event_key, kind, organization_id, record_kind, record_id, title, body, path, data, occurred_at) \
             values ($1, 'test', $2, 'webhook', $3, $4, $5, $6, $7, $8) returning id")
            .bind(&key).bind(w.organization_id).bind(webhook_id).bind("测试消息")
            .bind(format!("这是来自“{}”的测试消息，由 {} 发送。", w.name, v.username))
            .bind(format!("/webhooks/{webhook_id}")).bind(data.to_string()).bind(t)
            .fetch_one(c).await)?;
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into webhook_delivery (webhook_id, event_id, status, attempts, next_at, created_at, updated_at) \
             values ($1, $2, 'pending', 0, $3, $3, $3) returning id")
            .bind(webhook_id).bind(event_id).bind(t).fetch_one(c).await)?;
        audit(
            &mut tx,
            v,
            RecordKind::Webhook,
            webhook_id,
            "test",
            None,
            Some(&serde_json::json!({ "delivery_id": id })),
        )
        .await?;
        tx.commit().await?;
        self.get_delivery(v, id).await
    }

    /// Claims up to `limit` deliveries due at `at` (or only delivery `only`), each leased for two
    /// minutes and counted as an attempt, with what posting them needs. A delivery another
    /// dispatcher holds is skipped (PostgreSQL: `skip locked`; SQLite: one writer at a time).
    pub async fn claim_deliveries(&self, at: DateTime<Utc>, limit: i64, only: Option<i64>) -> Result<Vec<DueDelivery>> {
        let mut tx = self.begin().await?;
        let mut pick = String::from(
            "select d.id from webhook_delivery d join webhook w on w.id = d.webhook_id \
             where d.status = 'pending' and d.next_at <= $1 and (d.lease_until is null or d.lease_until <= $1) \
             and w.enabled = true and w.archived = false",
        );
        pick.push_str(" and ($3 = 0 or d.id = $3) order by d.next_at, d.id limit $2");
        if matches!(self.db, Db::Postgres(_)) {
            pick.push_str(" for update of d skip locked");
        }
        let ids: Vec<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(pick))
            .bind(at).bind(limit).bind(only.unwrap_or(0)).fetch_all(c).await)?;
        if ids.is_empty() {
            tx.commit().await?;
            return Ok(vec![]);
        }
        let lease = at + Duration::seconds(LEASE_SECONDS);
        let mut q = Q::new("update webhook_delivery set attempts = attempts + 1, lease_until = ");
        q.bind(Arg::Time(lease)).push(", updated_at = ");
        q.bind(Arg::Time(now())).push(" where id in ");
        q.bind_list(&ids);
        on_tx!(&mut tx, c => crate::sql::bind_args!(sqlx::query(sqlx::AssertSqlSafe(q.sql.clone())), q.args).execute(c).await.map(|r| r.rows_affected()))?;
        let mut q = Q::new(
            "select d.id, d.attempts, w.id as webhook_id, w.kind as webhook_kind, w.url, w.secret, e.event_key, \
             e.kind as event, e.title, e.body, e.path, e.data, e.occurred_at \
             from webhook_delivery d join webhook w on w.id = d.webhook_id join webhook_event e on e.id = d.event_id \
             where d.id in ",
        );
        q.bind_list(&ids).push(" order by d.id");
        let due: Vec<DueDelivery> = on_tx!(&mut tx, c => crate::sql::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(c).await)?;
        tx.commit().await?;
        Ok(due)
    }

    /// Records how attempt `d.attempts` of a claimed delivery went, at `at`: delivered; or pending
    /// again after the next wait of the schedule; or failed once the schedule is spent (a test post
    /// is never retried). Nothing is written if another dispatcher has since claimed it again.
    pub async fn finish_delivery(&self, d: &DueDelivery, at: DateTime<Utc>, a: &Attempt) -> Result<DeliveryStatus> {
        let (status, next) = if a.ok {
            (DeliveryStatus::Delivered, None)
        } else {
            match retry_after(d.attempts).filter(|_| d.event != "test") {
                Some(s) => (DeliveryStatus::Pending, Some(at + Duration::seconds(s))),
                None => (DeliveryStatus::Failed, None),
            }
        };
        let error: Option<String> = a.error.as_ref().map(|e| e.chars().take(500).collect());
        let delivered = a.ok.then_some(at);
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update webhook_delivery set status = $1, next_at = coalesce($2, next_at), lease_until = null, last_status = $3, \
             last_error = $4, delivered_at = $5, updated_at = $6 \
             where id = $7 and attempts = $8 and status = 'pending'")
            .bind(status.as_str()).bind(next).bind(a.status).bind(&error).bind(delivered).bind(now())
            .bind(d.id).bind(d.attempts)
            .execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        Ok(status)
    }

    /// Records a `decision_late` event for every decision still open past its due day (once per
    /// decision and due day: moving the day makes it late anew). Returns how many were new.
    pub async fn scan_late_decisions(&self) -> Result<usize> {
        let today = self.today();
        let rows: Vec<(i64, String, i64, chrono::NaiveDate, String, String)> = on_db!(&self.db, p => sqlx::query_as(
            "select d.id, d.title, d.owner_id, d.due_on, o.name, e.title from decision d \
             join organization o on o.id = d.owner_id join event e on e.id = d.event_id \
             where d.archived = false and d.status in ('open', 'in_progress') and d.due_on < $1 \
             and not exists (select 1 from webhook_event we where we.event_key = 'decision_late:' || cast(d.id as text) || ':' || cast(d.due_on as text)) \
             order by d.id limit 500")
            .bind(today).fetch_all(p).await)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let mut n = 0;
        for (id, title, owner, due, owner_name, meeting) in rows {
            let late = (today - due).num_days();
            let ev = NewEvent {
                kind: WebhookEvent::DecisionLate,
                key: format!("decision_late:{id}:{due}"),
                organization_id: Some(owner),
                record: (RecordKind::Decision, id),
                title: format!("议定事项逾期：{title}"),
                body: format!(
                    "- 议定事项：{title}\n- 会议：{meeting}\n- 承办单位：{owner_name}\n- 应完成日期：{due}（已逾期 {late} 天）"
                ),
                path: format!("/decisions/{id}"),
                data: serde_json::json!({
                    "decision_id": id, "title": title, "owner_id": owner, "owner": owner_name,
                    "meeting": meeting, "due_on": due, "days_late": late,
                }),
            };
            if record_event(&mut tx, &ev).await? {
                n += 1;
            }
        }
        tx.commit().await?;
        Ok(n)
    }
}

/// Only the office sets a webhook to hear every organisation; others keep what it was.
fn all_units_allowed(v: &Viewer, wanted: bool, was: bool) -> Result<()> {
    if wanted != was && v.role != Role::Office {
        return Err(StoreError::invalid(
            "all_units",
            Msg::new(
                "只有协调办可以设置接收全市所有单位的事件",
                "Only the office may set a webhook to receive every organisation's events",
            ),
        ));
    }
    Ok(())
}

async fn organization_in_scope(tx: &mut Tx, v: &Viewer, id: i64) -> Result<()> {
    if in_own_scope(tx, v, RecordKind::Organization, id).await? {
        Ok(())
    } else {
        Err(unknown("organization_id", ("单位", "organization"), id))
    }
}

pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<Webhook> {
    let sql = format!("select {COLS} from webhook where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
