//! The notification centre (通知中心): `/notifications` and `/api/v1/notifications` — each signed-in
//! user's own notifications (reminders, review outcomes, new matches, messages, decisions assigned,
//! registrations to approve), read one by one or all at once, and their preferences (which kinds
//! are emailed, to which address, at what hour the day's digest goes). The number unread is in
//! every page's header (`views::Ctx`). Nobody sees another's notifications: each query is the
//! user's own.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody, Query, RawBody};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx, Layout, local_time};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::notification::{Notification, NotificationKind, Preferences, PreferencesInput};
use hezuo_domain::{FieldErrors, ListParams, Msg, Page};
use hezuo_store::notifications::NotificationFilter;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/notifications", get(page_list))
        .at("/notifications/read-all", post(page_read_all))
        .at("/notifications/preferences", post(page_preferences))
        .at("/notifications/{id}/open", post(page_open))
        .at("/api/v1/notifications", get(api_list))
        .at("/api/v1/notifications/read-all", post(api_read_all))
        .at(
            "/api/v1/notifications/preferences",
            get(api_preferences).put(api_set_preferences),
        )
        .at("/api/v1/notifications/{id}/read", post(api_read))
}

/// The query of a list: `unread=true` for the unread only, `kind=` one kind, and the paging.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    unread: Option<String>,
    kind: Option<String>,
    #[serde(flatten)]
    page: ListParams,
}

impl ListQuery {
    fn filter(&self) -> Result<NotificationFilter, ApiError> {
        let kind = match self.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => Some(NotificationKind::parse(k).ok_or_else(|| {
                ApiError::from(FieldErrors::one(
                    "kind",
                    Msg::new(
                        format!(
                            "没有“{k}”这种通知，可选：{}",
                            NotificationKind::ALL
                                .iter()
                                .map(|k| k.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                        format!("“{k}” is not a kind of notification"),
                    ),
                ))
            })?),
        };
        Ok(NotificationFilter {
            unread: matches!(self.unread.as_deref().map(str::trim), Some("true" | "1" | "on" | "yes")),
            kind,
        })
    }
}

/// The signed-in account: notifications are an account's own (an API token acts as its account).
fn user_of(a: &Auth) -> i64 {
    a.user.id
}

/// A list page with the number unread beside it.
#[derive(Serialize)]
struct ListAnswer {
    #[serde(flatten)]
    page: Page<Notification>,
    unread: i64,
}

async fn api_list(
    State(s): State<AppState>,
    a: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Json<ListAnswer>, ApiError> {
    let f = q.filter()?;
    let page = s.store.list_notifications(user_of(&a), &f, &q.page).await?;
    let unread = s.store.unread_notifications(user_of(&a)).await?;
    Ok(Json(ListAnswer { page, unread }))
}

async fn api_read(State(s): State<AppState>, a: Auth, Id(id): Id) -> Result<Json<Notification>, ApiError> {
    Ok(Json(s.store.read_notification(user_of(&a), id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReadAll {
    kind: Option<String>,
}

async fn api_read_all(
    State(s): State<AppState>,
    a: Auth,
    RawBody(body): RawBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    // The body is optional: none marks every kind read.
    let kind = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        crate::extract::parse_json::<ReadAll>(&body)?.kind
    };
    let kind = ListQuery {
        kind,
        ..Default::default()
    }
    .filter()?
    .kind;
    let n = s.store.read_all_notifications(user_of(&a), kind).await?;
    Ok(Json(serde_json::json!({ "read": n })))
}

async fn api_preferences(State(s): State<AppState>, a: Auth) -> Result<Json<Preferences>, ApiError> {
    Ok(Json(s.store.notification_preferences(user_of(&a)).await?))
}

/// Sets the caller's preferences; a field left out stays as it was.
async fn api_set_preferences(
    State(s): State<AppState>,
    a: Auth,
    JsonBody(input): JsonBody<PreferencesJson>,
) -> Result<Json<Preferences>, ApiError> {
    let now = s.store.notification_preferences(user_of(&a)).await?;
    let p = input.over(&now).validate()?;
    Ok(Json(s.store.set_notification_preferences(user_of(&a), &p).await?))
}

/// Preferences as JSON: the hour may come as a number or text; kinds as a list of codes; a field
/// left out keeps its current value.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PreferencesJson {
    email: Option<String>,
    email_kinds: Option<Vec<String>>,
    digest_hour: Option<serde_json::Value>,
}

impl PreferencesJson {
    fn over(self, now: &Preferences) -> PreferencesInput {
        PreferencesInput {
            email: self.email.unwrap_or_else(|| now.email.clone().unwrap_or_default()),
            email_kinds: self
                .email_kinds
                .unwrap_or_else(|| now.email_kinds.iter().map(|k| k.as_str().to_string()).collect()),
            digest_hour: match self.digest_hour {
                None | Some(serde_json::Value::Null) => now.digest_hour.to_string(),
                Some(serde_json::Value::String(s)) => s,
                Some(v) => v.to_string(),
            },
        }
    }
}

struct Row {
    id: i64,
    kind: String,
    subject: String,
    body: String,
    link: Option<String>,
    at: String,
    unread: bool,
}

struct KindChoice {
    code: &'static str,
    label: String,
    emailed: bool,
    current: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    rows: Vec<Row>,
    total: i64,
    unread: i64,
    only_unread: bool,
    /// Neither only the unread nor one kind.
    showing_all: bool,
    kinds: Vec<KindChoice>,
    email: String,
    email_placeholder: String,
    hour: u32,
    hours: Vec<u32>,
    errors: FieldErrors,
    saved: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
}

impl NotificationsPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .get(field)
            .map(|m| m.get(self.layout.lang == crate::i18n::Lang::En).to_string())
    }
}

async fn page_list(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
    let prefs = cx.store().notification_preferences(cx.who.user.id).await?;
    let saved = views::query_param(&cx.uri, "saved").is_some();
    render_page(&cx, q, prefs, FieldErrors::new(), saved).await
}

async fn render_page(
    cx: &Ctx,
    q: ListQuery,
    prefs: Preferences,
    errors: FieldErrors,
    saved: bool,
) -> Result<Response, ApiError> {
    let f = q.filter()?;
    let user = cx.who.user.id;
    let page = cx.store().list_notifications(user, &f, &q.page).await?;
    let unread = cx.store().unread_notifications(user).await?;
    let lang = cx.lang;
    let rows = page
        .items
        .iter()
        .map(|n| Row {
            id: n.id,
            kind: lang.pick(&n.kind.label()).to_string(),
            subject: n.subject.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            at: local_time(n.created_at),
            unread: n.read_at.is_none(),
        })
        .collect();
    let kinds = NotificationKind::ALL
        .iter()
        .map(|k| KindChoice {
            code: k.as_str(),
            label: lang.pick(&k.label()).to_string(),
            emailed: prefs.emails(*k),
            current: f.kind == Some(*k),
        })
        .collect();
    let href = |p: u32| {
        let mut parts = Vec::new();
        if f.unread {
            parts.push("unread=true".to_string());
        }
        if let Some(k) = f.kind {
            parts.push(format!("kind={}", k.as_str()));
        }
        parts.push(format!("page={p}"));
        format!("/notifications?{}", parts.join("&"))
    };
    let (p, per) = (page.page, page.per_page);
    let prev_href = (p > 1).then(|| href(p - 1));
    let next_href = (i64::from(p) * i64::from(per) < page.total).then(|| href(p + 1));
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let person_email = match cx.who.user.person_id {
        Some(_) => lang.tr("留空则用本人登记的邮箱", "Empty: the email on your person record"),
        None => lang.tr("留空则不发邮件", "Empty: no email"),
    };
    let view = NotificationsPage {
        layout: cx.layout("notifications", lang.tr("通知", "Notifications")),
        rows,
        total: page.total,
        unread,
        only_unread: f.unread,
        showing_all: !f.unread && f.kind.is_none(),
        kinds,
        email: prefs.email.clone().unwrap_or_default(),
        email_placeholder: person_email.to_string(),
        hour: prefs.digest_hour,
        hours: (0..24).collect(),
        errors,
        saved,
        prev_href,
        next_href,
    };
    Ok(views::render_with(status, &view))
}

/// Opening a notification marks it read and goes to what it is about.
async fn page_open(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let n = cx.store().read_notification(cx.who.user.id, id).await?;
    let to = n
        .link
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .unwrap_or_else(|| "/notifications".into());
    Ok(views::redirect(&to))
}

async fn page_read_all(cx: Ctx, FormBody(f): FormBody<ReadAll>) -> Result<Response, ApiError> {
    let kind = ListQuery {
        kind: f.kind,
        ..Default::default()
    }
    .filter()?
    .kind;
    cx.store().read_all_notifications(cx.who.user.id, kind).await?;
    Ok(views::redirect("/notifications"))
}

/// The preferences form: checkboxes send `email_kinds` once per kind ticked.
async fn page_preferences(cx: Ctx, RawBody(body): RawBody) -> Result<Response, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| ApiError::bad_request(Msg::new(format!("表单无法读取：{e}"), format!("Unreadable form: {e}"))))?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = PreferencesInput {
        email: field("email"),
        email_kinds: pairs
            .iter()
            .filter(|(k, _)| k == "email_kinds")
            .map(|(_, v)| v.clone())
            .collect(),
        digest_hour: field("digest_hour"),
    };
    match input.validate() {
        Ok(p) => {
            cx.store().set_notification_preferences(cx.who.user.id, &p).await?;
            Ok(views::redirect("/notifications?saved=1#preferences"))
        }
        Err(errors) => {
            // Shown again as typed, with what is wrong beside each field.
            let mut shown = cx.store().notification_preferences(cx.who.user.id).await?;
            shown.email = Some(input.email.clone()).filter(|e| !e.is_empty());
            shown.email_kinds = input
                .email_kinds
                .iter()
                .filter_map(|k| NotificationKind::parse(k))
                .collect();
            render_page(&cx, ListQuery::default(), shown, errors, false).await
        }
    }
}
