//! The notification centre (通知中心): what a user is told, of which kind, and how they want to
//! hear of it — every kind is shown in the platform; each kind can also be emailed, in at most one
//! digest a day, sent at the hour the user chose (China time).

use crate::{FieldErrors, Msg, code_enum};
use serde::{Deserialize, Serialize};

code_enum!(
    NotificationKind {
        Reminder = "reminder", "到期提醒", "Reminder";
        Review = "review", "审核结果", "Review outcome";
        Match = "match", "新的匹配", "New match";
        Message = "message", "新消息", "New message";
        Decision = "decision", "议定事项交办", "Decision assigned";
        Registration = "registration", "企业注册审核", "Registration to review";
    }
);

/// One notification, as its owner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    pub subject: String,
    pub body: String,
    /// The page it is about, as a path (`/demands/3`).
    pub link: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When it went out in a digest email.
    pub emailed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The hour digests go out unless a user chooses another (08:00 China time).
pub const DEFAULT_DIGEST_HOUR: u32 = 8;

/// A user's choices: the address digests go to (none: their person's email, if any), the kinds
/// they do not want emailed, and the hour of the day's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Preferences {
    pub email: Option<String>,
    /// Kinds emailed in the digest (all unless turned off).
    pub email_kinds: Vec<NotificationKind>,
    /// 0–23, China time.
    pub digest_hour: u32,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            email: None,
            email_kinds: NotificationKind::ALL.to_vec(),
            digest_hour: DEFAULT_DIGEST_HOUR,
        }
    }
}

impl Preferences {
    pub fn emails(&self, kind: NotificationKind) -> bool {
        self.email_kinds.contains(&kind)
    }
    /// The stored form of the kinds turned off: their codes, comma-separated.
    pub fn email_off(&self) -> String {
        NotificationKind::ALL
            .iter()
            .filter(|k| !self.email_kinds.contains(k))
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
    /// From the stored form (unknown codes, from a later version, are ignored).
    pub fn from_stored(email: Option<String>, email_off: &str, digest_hour: i64) -> Preferences {
        let off: Vec<&str> = email_off.split(',').map(str::trim).collect();
        Preferences {
            email,
            email_kinds: NotificationKind::ALL
                .iter()
                .copied()
                .filter(|k| !off.contains(&k.as_str()))
                .collect(),
            digest_hour: u32::try_from(digest_hour).unwrap_or(DEFAULT_DIGEST_HOUR).min(23),
        }
    }
}

/// Preferences as a form or JSON gives them: every field text or a list of codes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PreferencesInput {
    /// Empty: use the person's own email.
    pub email: String,
    /// Codes of the kinds to email (the others are shown in the platform only).
    pub email_kinds: Vec<String>,
    pub digest_hour: String,
}

impl PreferencesInput {
    pub fn validate(&self) -> Result<Preferences, FieldErrors> {
        let mut e = FieldErrors::new();
        let email = e
            .take("email", crate::input::email(&Some(self.email.clone())))
            .flatten();
        let mut kinds = Vec::new();
        for k in &self.email_kinds {
            match NotificationKind::parse(k) {
                Some(k) if !kinds.contains(&k) => kinds.push(k),
                Some(_) => {}
                None => e.add(
                    "email_kinds",
                    Msg::new(
                        format!("没有“{k}”这种通知"),
                        format!("“{k}” is not a kind of notification"),
                    ),
                ),
            }
        }
        kinds.sort_by_key(|k| NotificationKind::ALL.iter().position(|a| a == k));
        let hour = self.digest_hour.trim();
        let digest_hour = if hour.is_empty() {
            DEFAULT_DIGEST_HOUR
        } else {
            match hour.parse::<u32>() {
                Ok(h) if h <= 23 => h,
                _ => {
                    e.add(
                        "digest_hour",
                        Msg::new(
                            format!("每日汇总时间“{hour}”应为 0 到 23 之间的整点"),
                            format!("The digest hour “{hour}” should be a whole hour from 0 to 23"),
                        ),
                    );
                    DEFAULT_DIGEST_HOUR
                }
            }
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Preferences {
            email,
            email_kinds: kinds,
            digest_hour,
        })
    }
}

/// One item of a digest: its kind, subject and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestItem {
    pub kind: NotificationKind,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
}

/// Subject and body of the day's one email to a user. A digest of a single notification is that
/// notification as it stands (a day's reminder reads as the reminder); several are listed by kind.
/// `base` is the platform's address for links (may be empty: links are then left as paths).
pub fn compose_digest(name: &str, items: &[DigestItem], base: &str) -> (String, String) {
    let link = |l: &Option<String>| l.as_ref().map(|l| format!("{base}{l}"));
    if let [one] = items {
        let mut body = one.body.clone();
        if let Some(l) = link(&one.link) {
            body.push_str(&format!("\n\n查看：{l}\n"));
        }
        return (one.subject.clone(), body);
    }
    let subject = format!("【市校合作】{name}，您有 {} 条新通知", items.len());
    let mut body = format!("{name}：\n\n以下是您今天在市校合作平台的新通知：\n");
    for kind in NotificationKind::ALL {
        let of_kind: Vec<&DigestItem> = items.iter().filter(|i| i.kind == *kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        body.push_str(&format!("\n【{}】\n", kind.label().zh));
        for (k, i) in of_kind.iter().enumerate() {
            body.push_str(&format!("{}. {}\n", k + 1, i.subject));
            for line in i.body.lines().filter(|l| !l.trim().is_empty()) {
                body.push_str(&format!("   {line}\n"));
            }
            if let Some(l) = link(&i.link) {
                body.push_str(&format!("   查看：{l}\n"));
            }
        }
    }
    body.push_str("\n在平台“通知”页可以设置哪些通知发邮件、每日汇总的时间。\n\n市校全面合作协调委员会办公室\n");
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_name_each_bad_field_and_keep_the_kinds_in_order() {
        let ok = PreferencesInput {
            email: " li@example.cn ".into(),
            email_kinds: vec!["message".into(), "reminder".into(), "message".into()],
            digest_hour: "18".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.email.as_deref(), Some("li@example.cn"));
        assert_eq!(
            ok.email_kinds,
            vec![NotificationKind::Reminder, NotificationKind::Message]
        );
        assert_eq!(ok.digest_hour, 18);
        assert_eq!(ok.email_off(), "review,match,decision,registration");
        let back = Preferences::from_stored(ok.email.clone(), &ok.email_off(), 18);
        assert_eq!(back, ok);

        let e = PreferencesInput {
            email: "li at example".into(),
            email_kinds: vec!["spam".into()],
            digest_hour: "24".into(),
        }
        .validate()
        .unwrap_err();
        for f in ["email", "email_kinds", "digest_hour"] {
            assert!(e.get(f).is_some(), "{f} named: {e:?}");
        }
        assert!(e.get("digest_hour").unwrap().zh.contains("0 到 23"));
        assert!(e.get("email").unwrap().zh.contains("li at example"));
    }

    #[test]
    fn one_notification_is_mailed_as_itself_and_several_are_listed_by_kind() {
        let r = DigestItem {
            kind: NotificationKind::Reminder,
            subject: "【市校合作】王建国，您有 1 项待办即将到期".into(),
            body: "王建国：\n\n1. 节点“中试”".into(),
            link: None,
        };
        let (s, b) = compose_digest("王建国", std::slice::from_ref(&r), "http://x");
        assert_eq!((s.as_str(), b.as_str()), (r.subject.as_str(), r.body.as_str()));
        let m = DigestItem {
            kind: NotificationKind::Message,
            subject: "李明在需求“特种纸涂布”留言".into(),
            body: "请看看这个方案".into(),
            link: Some("/demands/3".into()),
        };
        let (s, b) = compose_digest("王建国", &[m, r], "https://hezuo.example");
        assert!(s.contains("2 条新通知"), "{s}");
        let reminder_at = b.find("【到期提醒】").unwrap();
        let message_at = b.find("【新消息】").unwrap();
        assert!(reminder_at < message_at, "kinds in their fixed order: {b}");
        assert!(b.contains("查看：https://hezuo.example/demands/3"), "{b}");
    }

    #[test]
    fn stored_preferences_survive_unknown_codes_and_bad_hours() {
        let p = Preferences::from_stored(None, "review,fax", 99);
        assert!(!p.emails(NotificationKind::Review));
        assert!(p.emails(NotificationKind::Message));
        assert_eq!(p.digest_hour, 23);
    }
}
