//! The page shapes every feature fills in: a list with filters and paging, a detail page with
//! related-record panels, a form whose fields keep the input and show their errors, and the error
//! page. One template each, in `templates/`; features build the view models, not HTML.

use crate::auth::Auth;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use hezuo_domain::{FieldErrors, Msg, Page};

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
        }
    }
    pub fn nav_class(&self, name: &str) -> &'static str {
        if self.nav == name { "active" } else { "" }
    }
    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }
}

/// Renders a template, turning a render failure into a logged 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

pub fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// A CSS class, e.g. a status badge `badge s-in_progress`.
    pub class: String,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Self {
        Cell {
            text: t.into(),
            ..Default::default()
        }
    }
    pub fn link(t: impl Into<String>, href: impl Into<String>) -> Self {
        Cell {
            text: t.into(),
            href: Some(href.into()),
            ..Default::default()
        }
    }
    pub fn badge(t: impl Into<String>, class: impl Into<String>) -> Self {
        Cell {
            text: t.into(),
            href: None,
            class: format!("badge {}", class.into()),
        }
    }
    pub fn opt(t: Option<impl Into<String>>, lang: Lang) -> Self {
        match t {
            Some(t) => Cell::text(t),
            None => Cell {
                text: lang.t().none.into(),
                class: "muted".into(),
                href: None,
            },
        }
    }
}

pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

impl Table {
    /// The heading of column `i` (empty past the last one), for the small-screen labels.
    pub fn header(&self, i: &usize) -> &str {
        self.headers.get(*i).map(String::as_str).unwrap_or("")
    }

    pub fn new(lang: Lang, headers: &[(&str, &str)]) -> Self {
        Table {
            headers: headers.iter().map(|p| lang.tr_owned(*p)).collect(),
            rows: Vec::new(),
            empty: lang.t().empty_related.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One form control. `kind` is one of text, textarea, date, number, select, multi, checkbox, hidden.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Opt>,
    pub error: Option<String>,
    pub help: Option<String>,
    pub required: bool,
}

impl Field {
    pub fn new(lang: Lang, name: &'static str, label: (&str, &str), kind: &'static str) -> Self {
        Field {
            name,
            label: lang.tr_owned(label),
            kind,
            value: String::new(),
            options: Vec::new(),
            error: None,
            help: None,
            required: false,
        }
    }
    pub fn value(mut self, v: Option<&str>) -> Self {
        self.value = v.unwrap_or("").to_string();
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn help(mut self, lang: Lang, h: (&str, &str)) -> Self {
        self.help = Some(lang.tr_owned(h));
        self
    }
    /// Options as (value, label); the ones in `selected` are marked. A leading empty option is added
    /// for single selects unless `required`.
    pub fn options(mut self, lang: Lang, opts: Vec<(String, String)>, selected: &[String]) -> Self {
        if self.kind == "select" {
            let blank = if self.required { "—" } else { lang.t().none };
            self.options.push(Opt {
                value: String::new(),
                label: blank.into(),
                selected: selected.is_empty(),
            });
        }
        for (value, label) in opts {
            let selected = selected.iter().any(|s| s.trim() == value);
            self.options.push(Opt { value, label, selected });
        }
        self
    }
    pub fn errors_from(mut fields: Vec<Field>, errors: &FieldErrors, lang: Lang) -> Vec<Field> {
        for f in &mut fields {
            f.error = errors.get(f.name).map(|m| lang.pick(m).to_string());
        }
        fields
    }
    pub fn is_checked(&self) -> bool {
        matches!(self.value.as_str(), "true" | "on" | "1")
    }
    pub fn input_type(&self) -> &'static str {
        if self.kind == "date" { "date" } else { "text" }
    }
    pub fn input_mode(&self) -> &'static str {
        if self.kind == "number" { "decimal" } else { "text" }
    }
}

impl Lang {
    pub fn tr_owned(self, pair: (&str, &str)) -> String {
        if self.en() {
            pair.1.to_string()
        } else {
            pair.0.to_string()
        }
    }
}

/// One decoded value from the request's query string.
pub fn query_param(uri: &Uri, key: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The sort menu of a list: (value for `sort`, Chinese, English); the first is the default.
pub fn sort_field(lang: Lang, current: Option<&str>, choices: &[(&str, &str, &str)]) -> Field {
    let current = current.unwrap_or("");
    let mut f = Field::new(lang, "sort", ("排序", "Sort"), "select");
    f.options = choices
        .iter()
        .enumerate()
        .map(|(i, (value, zh, en))| Opt {
            value: value.to_string(),
            label: lang.tr_owned((zh, en)),
            selected: *value == current || (i == 0 && !choices.iter().any(|c| c.0 == current)),
        })
        .collect();
    f
}

/// Options for a closed code list (kinds, statuses) from its `ALL` and `label`.
pub fn code_options<T: Copy>(
    lang: Lang,
    all: &[T],
    label: impl Fn(T) -> Msg,
    code: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|k| (code(*k).to_string(), lang.pick(&label(*k)).to_string()))
        .collect()
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub heading: String,
    pub new_href: Option<String>,
    /// More links beside "new" (an import…): (label, href).
    pub links: Vec<(String, String)>,
    pub filters: Vec<Field>,
    pub table: Table,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub reset_href: String,
}

impl ListPage {
    /// Fills paging from a store page; links keep the current filters.
    pub fn new<T>(
        layout: Layout,
        uri: &Uri,
        heading: String,
        filters: Vec<Field>,
        table: Table,
        page: &Page<T>,
    ) -> Self {
        let keep: Vec<&str> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("page="))
            .collect();
        let link = |p: u32| {
            let mut q = keep.clone();
            let pp = format!("page={p}");
            q.push(&pp);
            format!("{}?{}", uri.path(), q.join("&"))
        };
        let pages = page.pages();
        let mut table = table;
        table.empty = layout.t.empty_list.into();
        // In a filter, the empty choice means "any".
        let mut filters = filters;
        for f in filters.iter_mut().filter(|f| f.kind == "select") {
            if let Some(first) = f
                .options
                .first_mut()
                .filter(|o| o.value.is_empty() && o.label == layout.t.none)
            {
                first.label = layout.t.any.into();
            }
        }
        ListPage {
            layout,
            heading,
            new_href: None,
            links: Vec::new(),
            filters,
            table,
            total: page.total,
            page: page.page,
            pages,
            prev_href: (page.page > 1).then(|| link(page.page - 1)),
            next_href: (page.page < pages).then(|| link(page.page + 1)),
            reset_href: uri.path().to_string(),
        }
    }
}

pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub table: Table,
    /// A link to add a related record: (label, href).
    pub add: Option<(String, String)>,
}

/// A button that posts to `action` (archive, a status change…).
pub struct PostAction {
    pub label: String,
    pub action: String,
    pub class: &'static str,
    /// Hidden fields sent with it.
    pub fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "detail.html")]
pub struct DetailPage {
    pub layout: Layout,
    pub heading: String,
    pub kind_label: String,
    pub badges: Vec<Cell>,
    pub edit_href: Option<String>,
    pub actions: Vec<PostAction>,
    pub archived: bool,
    pub props: Vec<(String, Cell)>,
    pub long_text: Vec<(String, String)>,
    pub sections: Vec<Section>,
    /// Where uploads go and what is attached: (record_kind, record_id, table).
    pub attachments: Option<(String, i64, Table)>,
    /// The record's own audit trail.
    pub history: Option<Table>,
    /// Show the attachments without the upload form (roles that may not attach).
    pub read_only_attachments: bool,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub fields: Vec<Field>,
    pub has_errors: bool,
    pub general_error: Option<String>,
    pub cancel_href: String,
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
    let mut res = render(&page);
    *res.status_mut() = status;
    res
}

/// Formats a byte count for people.
pub fn human_size(n: i64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    }
}
