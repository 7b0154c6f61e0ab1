//! Notices and news the office publishes (通知公告) on the public portal, with their files as
//! attachments. A draft stays with the office; a published notice is read by everyone, signed in or
//! not, until it is archived.

use crate::input::{self, de_opt_string};
use crate::{FieldErrors, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    NoticeKind {
        Notice = "notice", "通知", "Notice";
        News = "news", "新闻", "News";
    }
);

code_enum!(
    NoticeStatus {
        Draft = "draft", "草稿", "Draft";
        Published = "published", "已发布", "Published";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub id: i64,
    pub title: String,
    pub kind: NoticeKind,
    pub body: String,
    pub status: NoticeStatus,
    /// When it was first published (kept when it is edited later).
    pub published_at: Option<DateTime<Utc>>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a notice.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NoticeInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    /// `notice` when not given.
    #[schema(value_type = Option<NoticeKind>, default = "notice")]
    pub kind: Option<String>,
    #[schema(required, max_length = 50000)]
    pub body: Option<String>,
    /// `draft` when not given; `published` puts it on the public portal.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<NoticeStatus>, default = "draft")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoticeData {
    pub title: String,
    pub kind: NoticeKind,
    pub body: String,
    pub status: NoticeStatus,
}

impl NoticeInput {
    pub fn from_record(n: &Notice) -> Self {
        NoticeInput {
            title: Some(n.title.clone()),
            kind: Some(n.kind.as_str().into()),
            body: Some(n.body.clone()),
            status: Some(n.status.as_str().into()),
        }
    }

    pub fn validate(&self) -> Result<NoticeData, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let kind = match input::opt_text(&self.kind) {
            None => Some(NoticeKind::Notice),
            Some(_) => e.take(
                "kind",
                input::code(
                    &self.kind,
                    NoticeKind::parse,
                    NoticeKind::ALL,
                    NoticeKind::label,
                    NoticeKind::as_str,
                ),
            ),
        };
        let body = e.take("body", input::text(&self.body, 50000));
        let status = match input::opt_text(&self.status) {
            None => Some(NoticeStatus::Draft),
            Some(_) => e.take(
                "status",
                input::code(
                    &self.status,
                    NoticeStatus::parse,
                    NoticeStatus::ALL,
                    NoticeStatus::label,
                    NoticeStatus::as_str,
                ),
            ),
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(NoticeData {
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            body: body.expect("checked"),
            status: status.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct NoticeFilter {
    /// Part of the title.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_without_a_status_is_a_draft_and_one_without_a_kind_is_a_notice() {
        let d = NoticeInput {
            title: Some("关于征集2026年度技术需求的通知".into()),
            body: Some("各企业：……".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!((d.kind, d.status), (NoticeKind::Notice, NoticeStatus::Draft));
    }

    #[test]
    fn a_notice_needs_a_title_and_a_body_and_a_known_status() {
        let e = NoticeInput {
            status: Some("public".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.get("title").is_some() && e.get("body").is_some() && e.get("status").is_some());
    }
}
