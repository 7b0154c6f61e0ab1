//! Posting webhook deliveries (issue 18): the dispatcher the server runs every few seconds, and the
//! one post each delivery makes — a DingTalk robot's signed markdown message, or a JSON body signed
//! with the webhook's own secret.
//!
//! The store decides what is due and who holds it (`hezuo_store::webhooks`: a lease per delivery,
//! `skip locked` on PostgreSQL), so any number of servers may run the dispatcher and each event is
//! posted once to each webhook. Posts go to the configured address only: no proxy, no redirect
//! followed (a 3xx is a failed attempt), 10 seconds at most.
//!
//! DingTalk (钉钉/浙政钉 group robot, "加签"): `timestamp` in milliseconds, the string
//! `timestamp + "\n" + secret` signed with HMAC-SHA256 keyed by the secret, base64 then URL-encoded,
//! appended as `&timestamp=…&sign=…`; body `{"msgtype":"markdown","markdown":{"title","text"}}`;
//! success is a 2xx answering `{"errcode":0}`.
//! JSON: body `{"event","id","occurred_at","data"}` (`id` is the event's key, the same on every
//! retry), headers `X-Hezuo-Event`, `X-Hezuo-Delivery`, `X-Hezuo-Timestamp` (Unix seconds) and
//! `X-Hezuo-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`; success is a 2xx.

use base64::Engine;
use chrono::{DateTime, Utc};
use hezuo_store::Store;
use hezuo_store::webhooks::{Attempt, DueDelivery};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha256::Sha256;
use std::sync::Arc;
use std::time::Duration;

/// How long one post may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries claimed at a time by one dispatcher.
const BATCH: i64 = 20;

/// Posts deliveries: the HTTP client (rustls on ring, webpki roots) and the server's public address,
/// which the messages link back to.
#[derive(Clone)]
pub struct Poster {
    client: reqwest::Client,
    public_url: Arc<str>,
}

/// What a run of the dispatcher did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub delivered: usize,
    /// Failed this time, to be tried again later.
    pub retrying: usize,
    /// Given up (the retry schedule is spent, or a test post failed).
    pub failed: usize,
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// DingTalk's `sign` for `timestamp_ms` (before URL-encoding): base64 of
/// HMAC-SHA256(secret, timestamp + "\n" + secret).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let to_sign = format!("{timestamp_ms}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret.as_bytes(), to_sign.as_bytes()))
}

/// The JSON webhook's `X-Hezuo-Signature`: `sha256=` and the hex HMAC-SHA256 of `timestamp.body`.
pub fn json_signature(secret: &str, timestamp: i64, body: &str) -> String {
    let msg = format!("{timestamp}.{body}");
    format!("sha256={}", hex::encode(hmac_sha256(secret.as_bytes(), msg.as_bytes())))
}

impl Poster {
    /// A poster linking back to `public_url` (e.g. `https://hezuo.example.gov.cn`).
    pub fn new(public_url: &str) -> anyhow::Result<Poster> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("hezuo-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Poster {
            client,
            public_url: public_url.trim().trim_end_matches('/').into(),
        })
    }

    /// The record's page on this server.
    fn link(&self, path: Option<&str>) -> Option<String> {
        path.map(|p| format!("{}{p}", self.public_url))
    }

    /// Posts one claimed delivery and says how it went (never an error: a failure is an attempt).
    pub async fn post(&self, d: &DueDelivery, at: DateTime<Utc>) -> Attempt {
        let link = self.link(d.path.as_deref());
        let (url, body, headers) = if d.webhook_kind == "dingtalk" {
            let ts = at.timestamp_millis();
            let sign = urlencoding::encode(&dingtalk_sign(&d.secret, ts)).into_owned();
            let sep = if d.url.contains('?') { '&' } else { '?' };
            let url = format!("{}{sep}timestamp={ts}&sign={sign}", d.url);
            let mut text = format!("#### {}\n\n{}", d.title, d.body);
            if let Some(l) = &link {
                text.push_str(&format!("\n\n[查看详情]({l})"));
            }
            let body = json!({ "msgtype": "markdown", "markdown": { "title": d.title, "text": text } });
            (url, body.to_string(), vec![])
        } else {
            let mut data: Value = serde_json::from_str(&d.data).unwrap_or_else(|_| json!({}));
            if let Some(obj) = data.as_object_mut() {
                obj.insert("title".into(), Value::from(d.title.clone()));
                obj.insert("url".into(), link.clone().map(Value::from).unwrap_or(Value::Null));
            }
            let body = json!({
                "event": d.event,
                "id": d.event_key,
                "occurred_at": d.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "data": data,
            })
            .to_string();
            let ts = at.timestamp();
            let headers = vec![
                ("X-Hezuo-Event", d.event.clone()),
                ("X-Hezuo-Delivery", d.id.to_string()),
                ("X-Hezuo-Timestamp", ts.to_string()),
                ("X-Hezuo-Signature", json_signature(&d.secret, ts, &body)),
            ];
            (d.url.clone(), body, headers)
        };
        let mut req = self
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let res = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let why = if e.is_timeout() {
                    format!("超时（{} 秒内未答复）", TIMEOUT.as_secs())
                } else if e.is_connect() {
                    format!("无法连接接收方：{}", error_chain(&e))
                } else {
                    format!("发送失败：{}", error_chain(&e))
                };
                return Attempt {
                    ok: false,
                    status: None,
                    error: Some(why),
                };
            }
        };
        let status = res.status();
        let code = Some(i32::from(status.as_u16()));
        let text = res.text().await.unwrap_or_default();
        let snippet: String = text.chars().take(200).collect();
        if status.is_redirection() {
            return Attempt {
                ok: false,
                status: code,
                error: Some(format!(
                    "接收方要求重定向（HTTP {}），未跟随：只发往配置的网址",
                    status.as_u16()
                )),
            };
        }
        if !status.is_success() {
            return Attempt {
                ok: false,
                status: code,
                error: Some(format!("接收方答复 HTTP {}：{snippet}", status.as_u16())),
            };
        }
        if d.webhook_kind == "dingtalk" {
            let answer: Option<Value> = serde_json::from_str(&text).ok();
            let errcode = answer.as_ref().and_then(|a| a.get("errcode")).and_then(Value::as_i64);
            if errcode != Some(0) {
                let msg = answer
                    .as_ref()
                    .and_then(|a| a.get("errmsg"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                return Attempt {
                    ok: false,
                    status: code,
                    error: Some(match errcode {
                        Some(c) => format!("钉钉返回错误 errcode={c}：{msg}"),
                        None => format!("钉钉答复中没有 errcode：{snippet}"),
                    }),
                };
            }
        }
        Attempt {
            ok: true,
            status: code,
            error: None,
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}

/// Posts every delivery due at `at` (claimed in batches, posted side by side within one), records
/// each outcome, and says what happened.
pub async fn run_once(store: &Store, poster: &Poster, at: DateTime<Utc>) -> crate::Result<Tally> {
    let mut tally = Tally::default();
    loop {
        let due = store.claim_deliveries(at, BATCH, None).await?;
        if due.is_empty() {
            return Ok(tally);
        }
        let mut posts = tokio::task::JoinSet::new();
        for d in due {
            let (store, poster) = (store.clone(), poster.clone());
            posts.spawn(async move {
                let attempt = poster.post(&d, at).await;
                store.finish_delivery(&d, at, &attempt).await
            });
        }
        while let Some(done) = posts.join_next().await {
            match done? {
                Ok(hezuo_domain::webhook::DeliveryStatus::Delivered) => tally.delivered += 1,
                Ok(hezuo_domain::webhook::DeliveryStatus::Pending) => tally.retrying += 1,
                Ok(hezuo_domain::webhook::DeliveryStatus::Failed) => tally.failed += 1,
                Err(e) => tracing::warn!(error = %e, "recording a webhook delivery failed"),
            }
        }
    }
}

/// Posts one delivery now if it is due and nobody holds it (a test post): true when it was posted.
pub async fn deliver_now(store: &Store, poster: &Poster, delivery_id: i64, at: DateTime<Utc>) -> crate::Result<bool> {
    let due = store.claim_deliveries(at, 1, Some(delivery_id)).await?;
    let Some(d) = due.into_iter().next() else {
        return Ok(false);
    };
    let attempt = poster.post(&d, at).await;
    store.finish_delivery(&d, at, &attempt).await?;
    Ok(true)
}

/// Every 15 seconds while the server runs: records the decisions that fell late, then posts what is due.
pub fn spawn(store: Store, poster: Poster) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(15));
        loop {
            tick.tick().await;
            if let Err(e) = store.scan_late_decisions().await {
                tracing::warn!(error = %e, "scanning late decisions for webhooks failed");
            }
            match run_once(&store, &poster, Utc::now()).await {
                Ok(t) if t == Tally::default() => {}
                Ok(t) => tracing::info!(
                    delivered = t.delivered,
                    retrying = t.retrying,
                    failed = t.failed,
                    "webhook deliveries"
                ),
                Err(e) => tracing::warn!(error = %e, "webhook dispatch failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_gives_the_well_known_value() {
        assert_eq!(
            hex::encode(hmac_sha256(b"key", b"The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn the_dingtalk_sign_is_base64_and_changes_with_the_timestamp() {
        let s = dingtalk_sign("SECxyz", 1_700_000_000_000);
        assert_eq!(s.len(), 44);
        assert!(s.ends_with('='));
        assert_ne!(s, dingtalk_sign("SECxyz", 1_700_000_000_001));
    }

    #[test]
    fn the_json_signature_signs_timestamp_dot_body() {
        let s = json_signature("k", 1, "{}");
        assert_eq!(s, format!("sha256={}", hex::encode(hmac_sha256(b"k", b"1.{}"))));
        assert_ne!(s, json_signature("k", 2, "{}"));
    }
}
