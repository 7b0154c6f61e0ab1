//! How pages are made, shared by every feature. Features build view models; askama renders them and
//! escapes every value. Here: [`Ctx`], what a page handler knows of its request; [`Layout`], the
//! frame around every page; [`render`] and [`redirect`]; and [`render_errors`], the layer that writes
//! out every [`ApiError`] in the request's language. Beside it: `widgets` (cells, tables, form
//! fields and the small formatting every feature uses), `pages` (the list, detail and form page
//! shapes, and re-showing a form with its errors) and `tables` (the tables of records that several
//! features show).

mod menu;
mod pages;
mod tables;
mod waiting;
mod widgets;

pub use menu::{NavItem, menu};
pub use pages::{DetailPage, FormPage, ListPage, PageForm, PostAction, Rejected, Section, Thread, ThreadEntry};
pub use tables::{agreement_table, attachment_table, problem_due_cell, problem_table, project_table};
pub use waiting::{WaitRow, WaitingList};
pub use widgets::{
    Cell, Field, Table, archived_filter, chosen, code_options, flag_cell, legend_text, local_time, mark_theirs,
    person_choices, query_param, sort_field,
};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use hezuo_domain::RecordKind;
use hezuo_domain::access::Action;
use hezuo_store::{Store, Viewer};

/// What a page handler knows of its request: the app, who is signed in, their language and the
/// page's address. Page handlers take it first; view models are built from it.
pub struct Ctx {
    pub s: AppState,
    pub who: Auth,
    pub lang: Lang,
    pub uri: Uri,
    /// The one-time key of the form this request was sent from, which a form shown again keeps.
    pub form_key: Option<String>,
    /// How many of the user's notifications are unread (shown in the header).
    pub unread: i64,
}

impl Ctx {
    pub fn store(&self) -> &Store {
        &self.s.store
    }
    pub fn viewer(&self) -> &Viewer {
        &self.who.viewer
    }
    /// The frame of a page in the menu section `nav`.
    pub fn layout(&self, nav: &'static str, title: impl Into<String>) -> Layout {
        let mut l = Layout::new(&self.who, self.lang, &self.uri, nav, title);
        l.unread = Some(self.unread);
        l
    }
    /// Whether this user may do `action` on `kind`/`id` (create one, with no id): what the store's
    /// writes would decide (see [`Store::can`]). Pages show a button, a link or a form only then.
    pub async fn can(&self, kind: RecordKind, id: Option<i64>, action: Action) -> Result<bool, ApiError> {
        Ok(self.store().can(self.viewer(), kind, id, action).await?)
    }
    /// Unless [`Ctx::can`], the refusal the store's write would give (403, 404, 409 with its
    /// reason): a form is refused before it is filled in, not after.
    pub async fn require(&self, kind: RecordKind, id: Option<i64>, action: Action) -> Result<(), ApiError> {
        Ok(self.store().may_do(self.viewer(), kind, id, action).await?)
    }
    /// Picks from a literal pair.
    pub fn tr(&self, zh: &'static str, en: &'static str) -> &'static str {
        self.lang.tr(zh, en)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        let who = Auth::from_request_parts(parts, s).await?;
        // The number in a page's header; an API answer has no header (one query less per list).
        let unread = if parts.uri.path().starts_with("/api/") {
            0
        } else {
            s.store.unread_notifications(who.user.id).await?
        };
        Ok(Ctx {
            unread,
            s: s.clone(),
            who,
            lang: Lang::from_parts(parts),
            uri: parts.uri.clone(),
            form_key: parts
                .extensions
                .get::<crate::idempotency::FormKey>()
                .map(|k| k.0.clone()),
        })
    }
}

/// What the frame around every page needs.
pub struct Layout {
    pub lang: Lang,
    pub t: &'static Tr,
    pub title: String,
    /// Which top-level section is active: "home", "projects", …
    pub nav: &'static str,
    /// The current page in the other language.
    pub other_lang_href: String,
    /// The signed-in user's name and role, when there is one.
    pub user: Option<(String, String)>,
    /// The session's CSRF token, put in every form.
    pub csrf: String,
    /// Whether the user may see the office's pages (accounts).
    pub office: bool,
    /// The sections this user's role can use (empty before signing in).
    pub menu: Vec<NavItem>,
    /// When the page was made (China time), for the head of a printed page.
    pub printed_on: String,
    /// What the search box holds (the current query on the search page).
    pub search_q: String,
    /// A key for the page's upload form, so that sending it twice uploads once
    /// (see `crate::idempotency`).
    pub idem: String,
    /// The number of unread notifications, for the header's link (none: not shown).
    pub unread: Option<i64>,
}

impl Layout {
    pub fn new(who: &Auth, lang: Lang, uri: &Uri, nav: &'static str, title: impl Into<String>) -> Self {
        let mut l = Self::anonymous(lang, uri, nav, title);
        l.user = Some((who.user.username.clone(), lang.pick(&who.user.role.label()).to_string()));
        l.csrf = who.csrf.clone();
        l.office = who.user.role == hezuo_domain::access::Role::Office;
        l.menu = menu(who.viewer.role, who.viewer.scope, lang);
        l
    }

    /// The frame for pages shown before signing in (the sign-in page, errors).
    pub fn anonymous(lang: Lang, uri: &Uri, nav: &'static str, title: impl Into<String>) -> Self {
        let other = lang.t().other_lang_code;
        let kept: Vec<&str> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
            .collect();
        let mut q = kept.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        Layout {
            lang,
            t: lang.t(),
            title: title.into(),
            nav,
            other_lang_href: format!("{}?{q}lang={other}", uri.path()),
            user: None,
            csrf: String::new(),
            office: false,
            menu: Vec::new(),
            printed_on: (chrono::Utc::now() + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            search_q: String::new(),
            idem: hezuo_store::accounts::random_secret(16),
            unread: None,
        }
    }
    pub fn nav_class(&self, name: &str) -> &'static str {
        if self.nav == name { "active" } else { "" }
    }
    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }
}

/// Renders a template; a render failure is a 500 (logged once by [`render_errors`]).
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::Internal(format!("template failed to render: {e}")).into_response(),
    }
}

/// Renders a template with a status other than 200 (a form shown again with its errors).
pub fn render_with<T: Template>(status: StatusCode, t: &T) -> Response {
    let mut res = render(t);
    if res.status() == StatusCode::OK {
        *res.status_mut() = status;
    }
    res
}

pub fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub message: String,
    /// What was wrong, one sentence a field (never the field's key).
    pub reasons: Vec<String>,
    /// What to do next.
    pub next: String,
    /// The page the user came from, on this site, to go back and correct.
    pub back: Option<String>,
}

/// What to do after an error with `status`.
fn next_step(lang: Lang, status: StatusCode, signed_in: bool) -> &'static str {
    match status.as_u16() {
        403 => lang.tr(
            "如确需办理，请联系市校合作协调办。",
            "If it must be done, ask the coordination office.",
        ),
        404 if signed_in => lang.tr(
            "该记录不存在，或不在您的查看范围内。可从上方菜单进入列表查找，或使用搜索。",
            "The record does not exist or is outside what you may see. Look for it from the menu above, or search.",
        ),
        404 => lang.tr("页面不存在。", "There is no such page."),
        409 | 412 => lang.tr(
            "您提交的内容与已保存的记录不一致。请返回上一页，刷新后核对再提交。",
            "What you sent clashes with what is saved. Go back, reload the page, check and send it again.",
        ),
        422 | 400 => lang.tr(
            "请返回上一页，按上面的提示修改后再提交。",
            "Go back, correct what is named above and send it again.",
        ),
        413 => lang.tr("请缩小文件或分批提交。", "Send a smaller file, or send it in parts."),
        429 => lang.tr("请稍候再试。", "Wait a moment and try again."),
        _ => lang.tr(
            "请稍后再试；如仍不行，请联系系统管理员。",
            "Try again later; if it still fails, tell the administrator.",
        ),
    }
}

/// The error page: inside the signed-in frame (user, menu, search, sign-out) when `who` is known,
/// with each reason in words, what to do next and the way back.
pub fn error_page(
    lang: Lang,
    who: Option<&Auth>,
    back: Option<String>,
    status: StatusCode,
    message: &str,
    reasons: Vec<String>,
) -> Response {
    let uri: Uri = "/".parse().expect("static uri");
    let title = lang.t().error_title;
    let layout = match who {
        Some(a) => Layout::new(a, lang, &uri, "", title),
        None => Layout::anonymous(lang, &uri, "", title),
    };
    let page = ErrorPage {
        layout,
        status: status.as_u16(),
        message: message.to_string(),
        reasons,
        next: next_step(lang, status, who.is_some()).to_string(),
        back,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the error page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The path of the page the request came from, when it is on this site (the `Referer`).
fn came_from(headers: &axum::http::HeaderMap) -> Option<String> {
    let r = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = r.strip_prefix("http://").or_else(|| r.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    path.starts_with('/').then(|| path.to_string())
}

/// Writes out every [`ApiError`] that a handler, an extractor or a middleware answered with: JSON
/// under `/api/`, the error page elsewhere, in the request's language; a 500 is logged here, once,
/// with its cause. Headers the error was sent with (`WWW-Authenticate`…) are kept.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = Lang::from_parts(&parts);
    let api = parts.uri.path().starts_with("/api/");
    let (method, path) = (parts.method.clone(), parts.uri.path().to_string());
    // A page's error is shown inside the user's frame: who it is, read again from the request.
    let page_ctx = (!api).then(|| {
        (
            parts.headers.clone(),
            parts.extensions.get::<AppState>().cloned(),
            crate::auth::client_ip(&parts),
        )
    });
    let res = next.run(Request::from_parts(parts, body)).await;
    let Some(e) = res.extensions().get::<ApiError>().cloned() else {
        return res;
    };
    let status = e.status();
    if let ApiError::Internal(cause) = &e {
        tracing::error!(%method, %path, %cause, "internal error");
    }
    let body = e.body(lang);
    let mut out = match page_ctx {
        None => (status, axum::Json(body)).into_response(),
        Some((headers, state, ip)) => {
            let who = match &state {
                Some(s) => crate::auth::resolve(s, &headers, ip).await.ok().flatten(),
                None => None,
            };
            // Back to the form that was sent; a page that failed to open has nothing to go back to.
            let back = came_from(&headers)
                .filter(|b| method != axum::http::Method::GET || b.split('?').next() != Some(path.as_str()));
            let reasons = body.fields.into_values().collect();
            error_page(lang, who.as_ref(), back, status, &body.error, reasons)
        }
    };
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}
