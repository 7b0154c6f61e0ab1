//! Webhooks (issue 18): an organisation's 浙政钉/DingTalk group robot or generic JSON receiver, the
//! events it chose, and each post's delivery (status, attempts, the retry schedule). The secret a
//! webhook signs with is written, never read back: the record says only whether one is set.

use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    WebhookKind {
        Dingtalk = "dingtalk", "钉钉/浙政钉群机器人", "DingTalk group robot";
        Json = "json", "通用 JSON 回调", "Generic JSON webhook";
    }
);

code_enum!(
    /// What happened: the events a webhook may choose.
    WebhookEvent {
        FlagRed = "flag_red", "项目亮红灯", "Project flagged red";
        BulletinIssued = "bulletin_issued", "通报印发", "Bulletin issued";
        DemandMatched = "demand_matched", "需求匹配成功", "Demand matched";
        DecisionLate = "decision_late", "议定事项逾期", "Decision overdue";
    }
);

code_enum!(
    DeliveryStatus {
        Pending = "pending", "待发送", "Pending";
        Delivered = "delivered", "已送达", "Delivered";
        Failed = "failed", "失败", "Failed";
    }
);

/// The waits after a failed attempt: 1 min, 5 min, 30 min, 2 h, 12 h; after the sixth attempt the
/// delivery is given up as failed.
pub const RETRY_SECONDS: [i64; 5] = [60, 300, 1800, 7200, 43200];

/// When to try again after `attempts` attempts all failed, in seconds from the last one; None: give up.
pub fn retry_after(attempts: i32) -> Option<i64> {
    usize::try_from(attempts)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| RETRY_SECONDS.get(i).copied())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: i64,
    /// The organisation it belongs to: it receives the events of this organisation and those below it.
    pub organization_id: i64,
    pub name: String,
    pub kind: WebhookKind,
    /// Where posts go (a DingTalk robot's address carries its `access_token`).
    pub url: String,
    /// Set by the office only: receives the events of every organisation (the office's own robot).
    pub all_units: bool,
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
    /// Whether a signing secret is set. The secret itself is never returned.
    pub has_secret: bool,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a webhook.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WebhookInput {
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub organization_id: Option<String>,
    #[schema(required, max_length = 100)]
    pub name: Option<String>,
    /// `dingtalk` when not given.
    #[schema(value_type = Option<WebhookKind>, default = "dingtalk")]
    pub kind: Option<String>,
    /// http:// or https:// only, at most 2000 characters.
    #[schema(
        required,
        max_length = 2000,
        example = "https://oapi.dingtalk.com/robot/send?access_token=…"
    )]
    pub url: Option<String>,
    /// The signing secret (DingTalk's 加签 secret `SEC…`, or the JSON receiver's own). Required when
    /// creating; left out on an update, the one stored is kept. Never returned.
    #[schema(max_length = 200, write_only)]
    #[serde(skip_serializing)]
    pub secret: Option<String>,
    /// The chosen events: a list, or one string separated by commas.
    #[serde(deserialize_with = "de_list")]
    #[schema(value_type = Vec<WebhookEvent>)]
    pub events: Vec<String>,
    /// `true` when not given.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>, default = true)]
    pub enabled: Option<String>,
    /// The office only: every organisation's events.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>, default = false)]
    pub all_units: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebhookData {
    pub organization_id: i64,
    pub name: String,
    pub kind: WebhookKind,
    pub url: String,
    /// None: keep the stored one (an update); a create without one is refused by the store.
    pub secret: Option<String>,
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
    pub all_units: bool,
}

/// Checks a webhook's address: http or https, a host, no spaces.
pub fn check_url(s: &str) -> Result<String, Msg> {
    let s = s.trim();
    if s.chars().count() > 2000 {
        return Err(crate::error::too_long(2000));
    }
    let lower = s.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return Err(Msg::new(
            "网址须以 http:// 或 https:// 开头（不支持其他协议）",
            "The address must start with http:// or https://",
        ));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let name = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    if name.is_empty() {
        return Err(Msg::new("网址缺少主机名", "The address has no host"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Msg::new("网址中不能有空格", "The address may not contain spaces"));
    }
    Ok(s.to_string())
}

impl WebhookInput {
    /// The record as a form shows it: the secret stays empty (kept unless a new one is typed).
    pub fn from_record(w: &Webhook) -> Self {
        WebhookInput {
            organization_id: Some(w.organization_id.to_string()),
            name: Some(w.name.clone()),
            kind: Some(w.kind.as_str().into()),
            url: Some(w.url.clone()),
            secret: None,
            events: w.events.iter().map(|e| e.as_str().to_string()).collect(),
            enabled: Some(w.enabled.to_string()),
            all_units: Some(w.all_units.to_string()),
        }
    }

    pub fn validate(&self) -> Result<WebhookData, FieldErrors> {
        let mut e = FieldErrors::new();
        let organization_id = e.take("organization_id", input::id(&self.organization_id));
        let name = e.take("name", input::text(&self.name, 100));
        let kind = match opt_text(&self.kind) {
            None => Some(WebhookKind::Dingtalk),
            Some(_) => e.take(
                "kind",
                input::code(
                    &self.kind,
                    WebhookKind::parse,
                    WebhookKind::ALL,
                    WebhookKind::label,
                    WebhookKind::as_str,
                ),
            ),
        };
        let url = match opt_text(&self.url) {
            None => {
                e.add("url", crate::error::required());
                None
            }
            Some(s) => e.take("url", check_url(s)),
        };
        let secret = match opt_text(&self.secret) {
            None => Some(None),
            Some(s) if s.chars().count() > 200 => {
                e.add("secret", crate::error::too_long(200));
                None
            }
            Some(s) => Some(Some(s.to_string())),
        };
        let mut events = Vec::new();
        for code in &self.events {
            match WebhookEvent::parse(code) {
                Some(ev) if !events.contains(&ev) => events.push(ev),
                Some(_) => {}
                None => {
                    let known: Vec<String> = WebhookEvent::ALL
                        .iter()
                        .map(|k| format!("{}（{}）", k.as_str(), k.label().zh))
                        .collect();
                    e.add(
                        "events",
                        Msg::new(
                            format!("事件“{code}”无效，可选：{}", known.join("、")),
                            format!("“{code}” is not an event"),
                        ),
                    );
                }
            }
        }
        if self.events.is_empty() {
            e.add(
                "events",
                Msg::new("请至少选择一个推送事件", "Choose at least one event"),
            );
        }
        let enabled = match opt_text(&self.enabled) {
            None => Some(true),
            Some(_) => e.take("enabled", crate::demand::flag(&self.enabled)),
        };
        let all_units = e.take("all_units", crate::demand::flag(&self.all_units));
        if !e.is_empty() {
            return Err(e);
        }
        events.sort_by_key(|ev| WebhookEvent::ALL.iter().position(|k| k == ev));
        Ok(WebhookData {
            organization_id: organization_id.expect("checked"),
            name: name.expect("checked"),
            kind: kind.expect("checked"),
            url: url.expect("checked"),
            secret: secret.expect("checked"),
            events,
            enabled: enabled.expect("checked"),
            all_units: all_units.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct WebhookFilter {
    /// Words of the name.
    pub q: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    pub kind: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

/// One post (and its retries) of one event to one webhook: the delivery log's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: i64,
    /// The event's code (`flag_red` …), or `test` for a test post.
    pub event: String,
    /// What the message says in its title.
    pub title: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When the next attempt is due (pending ones).
    pub next_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last attempt, when the receiver answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str) -> WebhookInput {
        WebhookInput {
            organization_id: Some("1".into()),
            name: Some("群机器人".into()),
            url: Some(url.into()),
            secret: Some("SECabc".into()),
            events: vec!["flag_red".into()],
            ..Default::default()
        }
    }

    #[test]
    fn an_address_other_than_http_or_https_is_refused_in_chinese() {
        for bad in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "example.com",
            "http://",
            "http:// a",
        ] {
            let e = input(bad).validate().unwrap_err();
            assert!(e.get("url").is_some(), "{bad}");
        }
        let e = input("ftp://example.com").validate().unwrap_err();
        assert!(e.get("url").unwrap().zh.contains("http://"));
        assert!(
            input("https://oapi.dingtalk.com/robot/send?access_token=x")
                .validate()
                .is_ok()
        );
        assert!(
            input("http://127.0.0.1:9/robot/send?access_token=demo")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn a_webhook_needs_one_known_event_and_is_enabled_unless_told() {
        let mut i = input("https://a.example/h");
        i.events = vec![];
        assert!(i.validate().unwrap_err().get("events").is_some());
        i.events = vec!["flag_red".into(), "nope".into()];
        assert!(i.validate().unwrap_err().get("events").is_some());
        i.events = vec!["decision_late".into(), "flag_red".into(), "flag_red".into()];
        let d = i.validate().unwrap();
        assert_eq!(d.events, vec![WebhookEvent::FlagRed, WebhookEvent::DecisionLate]);
        assert!(d.enabled);
        assert!(!d.all_units);
        assert_eq!(d.kind, WebhookKind::Dingtalk);
    }

    #[test]
    fn retries_wait_longer_each_time_then_give_up() {
        assert_eq!(retry_after(1), Some(60));
        assert_eq!(retry_after(2), Some(300));
        assert_eq!(retry_after(5), Some(43200));
        assert_eq!(retry_after(6), None);
        assert_eq!(retry_after(0), None);
    }
}
