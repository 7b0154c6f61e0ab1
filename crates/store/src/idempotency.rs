//! Idempotent POSTs: a request sent with an `Idempotency-Key` claims the key for its user; the
//! answer is kept, and a retry with the same key gets it again instead of doing the work twice.
//! Keys are kept for 24 hours. (The web layer decides what to keep: see `web::idempotency`.)

use crate::{Result, Store, now, on_db, on_tx};
use chrono::Duration;

/// How long an answer is kept for a retry.
pub const KEEP_HOURS: i64 = 24;

/// A kept answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: do the work, then keep or release it.
    New,
    /// The same request is being handled right now.
    InFlight,
    /// The same request was answered before: this is the answer.
    Answered(KeptAnswer),
    /// The key was used for a different request.
    OtherRequest,
}

impl Store {
    /// Claims `key` for `user_id`'s request (`fingerprint`: its method, path and body, hashed).
    pub async fn claim_idempotency_key(&self, user_id: i64, key: &str, fingerprint: &str) -> Result<Claim> {
        let t = now();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => sqlx::query("delete from idempotency where created_at < $1")
            .bind(t - Duration::hours(KEEP_HOURS)).execute(c).await.map(|r| r.rows_affected()))?;
        let inserted = on_tx!(&mut tx, c => sqlx::query(
            "insert into idempotency (user_id, key, fingerprint, created_at) values ($1, $2, $3, $4) \
             on conflict (user_id, key) do nothing")
            .bind(user_id).bind(key).bind(fingerprint).bind(t)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let claim = if inserted == 1 {
            Claim::New
        } else {
            type Row = (String, Option<i32>, Option<String>, Option<String>, Option<Vec<u8>>);
            let (print, status, content_type, location, body): Row = on_tx!(&mut tx, c => sqlx::query_as(
                "select fingerprint, status, content_type, location, body from idempotency where user_id = $1 and key = $2")
                .bind(user_id).bind(key).fetch_one(c).await)?;
            match status {
                _ if print != fingerprint => Claim::OtherRequest,
                None => Claim::InFlight,
                Some(status) => Claim::Answered(KeptAnswer {
                    status: status as u16,
                    content_type,
                    location,
                    body: body.unwrap_or_default(),
                }),
            }
        };
        tx.commit().await?;
        Ok(claim)
    }

    /// Keeps the answer to a claimed key.
    pub async fn keep_idempotent_answer(&self, user_id: i64, key: &str, a: &KeptAnswer) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update idempotency set status = $1, content_type = $2, location = $3, body = $4 where user_id = $5 and key = $6")
            .bind(i32::from(a.status)).bind(&a.content_type).bind(&a.location).bind(&a.body).bind(user_id).bind(key)
            .execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await
    }

    /// The answer kept for `key`, whatever request it answered (a one-time form sent again with
    /// other content is told where its first sending went).
    pub async fn kept_answer(&self, user_id: i64, key: &str) -> Result<Option<KeptAnswer>> {
        type Row = (Option<i32>, Option<String>, Option<String>, Option<Vec<u8>>);
        let row: Option<Row> = on_db!(&self.db, c => sqlx::query_as(
            "select status, content_type, location, body from idempotency where user_id = $1 and key = $2")
            .bind(user_id).bind(key).fetch_optional(c).await)?;
        Ok(row.and_then(|(status, content_type, location, body)| {
            status.map(|status| KeptAnswer {
                status: status as u16,
                content_type,
                location,
                body: body.unwrap_or_default(),
            })
        }))
    }

    /// Gives a claimed key back (the request failed in a way a retry may fix).
    pub async fn release_idempotency_key(&self, user_id: i64, key: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => sqlx::query("delete from idempotency where user_id = $1 and key = $2 and status is null")
            .bind(user_id).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await
    }
}

/// What makes two requests the same: method, path and body, hashed.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}
