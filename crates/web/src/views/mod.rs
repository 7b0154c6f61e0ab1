//! How pages are made, shared by every feature. Features build view models; askama renders them and
//! escapes every value. Here: [`Ctx`], what a page handler knows of its request; [`Layout`], the
//! frame around every page; [`render`] and [`redirect`]; and [`render_errors`], the layer that writes
//! out every [`ApiError`] in the request's language. Beside it: `widgets` (cells, tables, form
//! fields and the small formatting every feature uses), `pages` (the list, detail and form page
//! shapes, and re-showing a form with its errors) and `tables` (the tables of records that several
//! features show).

mod pages;
mod tables;
mod widgets;

pub use pages::{DetailPage, FormPage, ListPage, PostAction, Rejected, Section};
pub use tables::{agreement_table, attachment_table, problem_table, project_table};
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
        Layout::new(&self.who, self.lang, &self.uri, nav, title)
    }
    /// Picks from a literal pair.
    pub fn tr(&self, zh: &'static str, en: &'static str) -> &'static str {
        self.lang.tr(zh, en)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        Ok(Ctx {
            s: s.clone(),
            who: Auth::from_request_parts(parts, s).await?,
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
    /// What the search box holds (the current query on the search page).
    pub search_q: String,
    /// A key for the page's upload form, so that sending it twice uploads once
    /// (see `crate::idempotency`).
    pub idem: String,
}

impl Layout {
    pub fn new(who: &Auth, lang: Lang, uri: &Uri, nav: &'static str, title: impl Into<String>) -> Self {
        let mut l = Self::anonymous(lang, uri, nav, title);
        l.user = Some((who.user.username.clone(), lang.pick(&who.user.role.label()).to_string()));
        l.csrf = who.csrf.clone();
        l.office = who.user.role == hezuo_domain::access::Role::Office;
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
            search_q: String::new(),
            idem: hezuo_store::accounts::random_secret(16),
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
    pub detail: String,
}

pub fn error_page(lang: Lang, status: StatusCode, message: &str, detail: &str) -> Response {
    let uri: Uri = "/".parse().expect("static uri");
    let page = ErrorPage {
        layout: Layout::anonymous(lang, &uri, "", lang.t().error_title),
        status: status.as_u16(),
        message: message.to_string(),
        detail: detail.to_string(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the error page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Writes out every [`ApiError`] that a handler, an extractor or a middleware answered with: JSON
/// under `/api/`, the error page elsewhere, in the request's language; a 500 is logged here, once,
/// with its cause. Headers the error was sent with (`WWW-Authenticate`…) are kept.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = Lang::from_parts(&parts);
    let api = parts.uri.path().starts_with("/api/");
    let (method, path) = (parts.method.clone(), parts.uri.path().to_string());
    let res = next.run(Request::from_parts(parts, body)).await;
    let Some(e) = res.extensions().get::<ApiError>().cloned() else {
        return res;
    };
    let status = e.status();
    if let ApiError::Internal(cause) = &e {
        tracing::error!(%method, %path, %cause, "internal error");
    }
    let body = e.body(lang);
    let mut out = if api {
        (status, axum::Json(body)).into_response()
    } else {
        let detail: Vec<String> = body.fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        error_page(lang, status, &body.error, &detail.join("; "))
    };
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}
