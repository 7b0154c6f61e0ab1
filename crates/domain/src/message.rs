//! Messages (沟通消息): the thread on a demand and the thread on each match, where the enterprise,
//! the matched expert(s) and the office talk. A message is text with files, read receipts per
//! account, and edits by its author within [`EDIT_WINDOW_MINUTES`] of posting, every earlier text
//! kept ([`MessageEdit`]).

use crate::attachment::Attachment;
use crate::input::{self, de_opt_string};
use crate::{FieldErrors, Msg};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long after posting its author may still change a message.
pub const EDIT_WINDOW_MINUTES: i64 = 10;

/// The longest message, in characters.
pub const MAX_BODY: usize = 5000;

/// Which thread: a demand's or a match's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum ThreadRef {
    Demand(i64),
    Match(i64),
}

impl ThreadRef {
    /// The thread's page.
    pub fn href(self) -> String {
        match self {
            ThreadRef::Demand(d) => format!("/demands/{d}#comments"),
            ThreadRef::Match(m) => format!("/messages/match/{m}"),
        }
    }
    /// `(demand_id, match_id)` as the columns hold them.
    pub fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            ThreadRef::Demand(d) => (Some(d), None),
            ThreadRef::Match(m) => (None, Some(m)),
        }
    }
}

/// One account that read a message, and when.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReadReceipt {
    pub user_id: i64,
    pub username: String,
    pub read_at: DateTime<Utc>,
}

/// An earlier text of an edited message: what it said until `replaced_at`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MessageEdit {
    pub body: String,
    /// When this text was posted (the message's posting, or the edit before).
    pub written_at: DateTime<Utc>,
    pub replaced_at: DateTime<Utc>,
}

/// A message as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: i64,
    /// Set on a demand's thread.
    pub demand_id: Option<i64>,
    /// Set on a match's thread.
    pub match_id: Option<i64>,
    /// The account that wrote it (none for the platform itself).
    pub user_id: Option<i64>,
    /// Its user name, kept as written.
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// When it was last edited (none: never).
    pub edited_at: Option<DateTime<Utc>>,
    /// Files posted with it.
    pub attachments: Vec<Attachment>,
    /// Who read it (the author counts as having read it), first reader first.
    pub read_by: Vec<ReadReceipt>,
    /// Earlier texts, oldest first (empty when never edited).
    pub edits: Vec<MessageEdit>,
    /// Whether the one asking has read it.
    pub read: bool,
    /// Whether the one asking may still edit it (their own, within the window).
    pub editable: bool,
}

impl Message {
    pub fn thread(&self) -> ThreadRef {
        match (self.demand_id, self.match_id) {
            (_, Some(m)) => ThreadRef::Match(m),
            (Some(d), None) => ThreadRef::Demand(d),
            (None, None) => ThreadRef::Demand(0),
        }
    }
}

/// Whether a message posted at `created_at` may still be edited at `now`.
pub fn within_edit_window(created_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - created_at <= chrono::Duration::minutes(EDIT_WINDOW_MINUTES)
}

/// The refusal of an edit after the window closed (409).
pub fn edit_window_closed() -> Msg {
    Msg::new(
        format!("消息发出已超过 {EDIT_WINDOW_MINUTES} 分钟，不能再修改；如需更正请另发一条消息"),
        format!(
            "The message was posted more than {EDIT_WINDOW_MINUTES} minutes ago and can no longer be edited; post a correction instead"
        ),
    )
}

/// The refusal of an edit by anyone but the author (403).
pub fn not_the_author() -> Msg {
    Msg::new("只有发送人可以修改自己的消息", "Only its author may edit a message")
}

/// What a form or a JSON body gives for a new message (files come with a multipart form as `file`):
/// exactly one of `demand_id` and `match_id`, and the text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MessageInput {
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>)]
    pub demand_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>)]
    pub match_id: Option<String>,
    #[schema(required, max_length = 5000)]
    pub body: Option<String>,
}

impl MessageInput {
    pub fn validate(&self) -> Result<(ThreadRef, String), FieldErrors> {
        let mut e = FieldErrors::new();
        let demand = e.take("demand_id", input::optional_id(&self.demand_id));
        let m = e.take("match_id", input::optional_id(&self.match_id));
        let body = e.take("body", input::text(&self.body, MAX_BODY));
        let thread = match (demand.flatten(), m.flatten()) {
            (Some(d), None) => Some(ThreadRef::Demand(d)),
            (None, Some(m)) => Some(ThreadRef::Match(m)),
            (Some(_), Some(_)) => {
                e.add(
                    "match_id",
                    Msg::new(
                        "一条消息只能发在一个需求或一个匹配上：demand_id 与 match_id 只填一个",
                        "A message goes on one demand or one match: give demand_id or match_id, not both",
                    ),
                );
                None
            }
            (None, None) => {
                if e.get("demand_id").is_none() && e.get("match_id").is_none() {
                    e.add(
                        "demand_id",
                        Msg::new(
                            "请指明消息所在的需求（demand_id）或匹配（match_id）",
                            "Say which demand (demand_id) or match (match_id) the message is on",
                        ),
                    );
                }
                None
            }
        };
        e.into_result(())?;
        Ok((thread.expect("checked"), body.expect("checked")))
    }
}

/// What an edit gives: the new text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MessageEditInput {
    #[schema(required, max_length = 5000)]
    pub body: Option<String>,
}

impl MessageEditInput {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::new();
        let body = e.take("body", input::text(&self.body, MAX_BODY));
        e.into_result(())?;
        Ok(body.expect("checked"))
    }
}

/// Which thread a list asks for: `?demand_id=` or `?match_id=`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MessageFilter {
    #[serde(deserialize_with = "de_opt_string")]
    #[param(value_type = Option<i64>)]
    pub demand_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[param(value_type = Option<i64>)]
    pub match_id: Option<String>,
}

impl MessageFilter {
    pub fn thread(&self) -> Result<ThreadRef, FieldErrors> {
        MessageInput {
            demand_id: self.demand_id.clone(),
            match_id: self.match_id.clone(),
            body: Some("-".into()),
        }
        .validate()
        .map(|(t, _)| t)
    }
}

/// A thread the viewer is in, for the `/messages` page: what it is about, how many messages, how
/// many the viewer has not read, and the last one.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ThreadSummary {
    pub thread: ThreadRef,
    pub demand_id: i64,
    pub demand_title: String,
    /// On a match's thread: the expert's name (or the result's title).
    pub counterpart: Option<String>,
    pub messages: i64,
    pub unread: i64,
    pub last_at: DateTime<Utc>,
}

/// Whether a read receipt is to be written: what `POST /messages/{id}/read` or a thread's read gives.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReadInput {
    /// Mark every message of this demand's thread read instead of one.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>)]
    pub demand_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>)]
    pub match_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_goes_on_exactly_one_thread() {
        let m = |d: Option<&str>, x: Option<&str>| MessageInput {
            demand_id: d.map(String::from),
            match_id: x.map(String::from),
            body: Some(" 您好 ".into()),
        };
        assert_eq!(
            m(Some("3"), None).validate().unwrap(),
            (ThreadRef::Demand(3), "您好".into())
        );
        assert_eq!(m(None, Some("4")).validate().unwrap().0, ThreadRef::Match(4));
        assert!(
            m(Some("3"), Some("4"))
                .validate()
                .unwrap_err()
                .get("match_id")
                .is_some()
        );
        assert!(m(None, None).validate().unwrap_err().get("demand_id").is_some());
        assert!(m(Some("x"), None).validate().unwrap_err().get("demand_id").is_some());
    }

    #[test]
    fn an_empty_message_is_refused() {
        let e = MessageInput {
            demand_id: Some("1".into()),
            ..Default::default()
        };
        assert!(e.validate().unwrap_err().get("body").is_some());
        assert!(
            MessageEditInput::default()
                .validate()
                .unwrap_err()
                .get("body")
                .is_some()
        );
    }

    #[test]
    fn the_edit_window_is_ten_minutes_inclusive() {
        let t: DateTime<Utc> = "2026-06-15T02:00:00Z".parse().unwrap();
        assert!(within_edit_window(t, t));
        assert!(within_edit_window(t, t + chrono::Duration::minutes(10)));
        assert!(!within_edit_window(
            t,
            t + chrono::Duration::minutes(10) + chrono::Duration::seconds(1)
        ));
    }
}
