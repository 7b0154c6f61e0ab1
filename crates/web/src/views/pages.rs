//! The page shapes every feature fills in: a list with filters and paging, a detail page with
//! related-record panels, and a form whose fields keep the input and show their errors — with
//! [`Rejected`], the one way a page handler shows a refused form again.

use super::widgets::{Cell, Field, Table, mark_theirs};
use super::{Ctx, Layout, render_with};
use crate::error::{ApiError, changed_by};
use crate::i18n::Tr;
use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use hezuo_domain::{FieldErrors, Page, TotalKind};
use hezuo_store::Version;

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub heading: String,
    pub new_href: Option<String>,
    /// The whole filtered list as an .xlsx file ("导出 Excel"), for kinds that export.
    pub export_href: Option<String>,
    /// More links beside "new" (an import…): (label, href).
    pub links: Vec<(String, String)>,
    pub filters: Vec<Field>,
    /// Small tables shown above the list (counts by kind…): (heading, table).
    pub aside: Vec<(String, Table)>,
    /// Figures shown above the list (the outcomes ledger's totals per kind): a title and a table.
    pub summary: Option<(String, Table)>,
    pub table: Table,
    /// 共 N 条, 约 N 条 or N 条以上.
    pub total: String,
    pub page: u32,
    /// Unknown while the total is not exact.
    pub pages: Option<u32>,
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
            .filter(|kv| !kv.is_empty() && !kv.starts_with("page=") && !kv.starts_with("after="))
            .collect();
        let link = |p: u32, after: Option<i64>| {
            let mut q = keep.clone();
            let pp = format!("page={p}");
            q.push(&pp);
            let aa = after.map(|a| format!("after={a}"));
            q.extend(aa.as_deref());
            format!("{}?{}", uri.path(), q.join("&"))
        };
        let pages = page.pages();
        let total = total_text(layout.t, page);
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
            export_href: None,
            links: Vec::new(),
            filters,
            aside: vec![],
            summary: None,
            table,
            total,
            page: page.page,
            pages: match page.total_kind {
                TotalKind::Exact => Some(pages),
                _ => None,
            },
            prev_href: (page.page > 1).then(|| link(page.page - 1, None)),
            next_href: page.has_next().then(|| link(page.page + 1, page.next_after)),
            reset_href: uri.path().to_string(),
        }
    }
}

/// "共 N 条", or for a long list "约 N 条" / "N 条以上" (see `TotalKind`).
pub fn total_text<T>(t: &Tr, page: &Page<T>) -> String {
    let n = thousands(page.total);
    match page.total_kind {
        TotalKind::Exact => format!("{}{n}{}", t.total_prefix, t.total_suffix),
        TotalKind::Estimate => t.total_about.replace("{n}", &n),
        TotalKind::AtLeast => t.total_more_than.replace("{n}", &n),
    }
}

/// 1234567 → "1,234,567".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
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
    /// For what cannot be undone: the question asked before it is sent (`data-confirm`).
    pub confirm: Option<String>,
}

/// A small form on a record's page: a step that asks for a few words (a decision), or a comment
/// with its files.
pub struct PageForm {
    /// Unique on the page: its fields' ids start with it.
    pub id: String,
    pub action: String,
    pub fields: Vec<Field>,
    pub submit: String,
    pub class: &'static str,
    /// Asked before sending, for a step that cannot be undone (`data-confirm`, which the page's
    /// script asks).
    pub confirm: Option<String>,
    /// Sends files: a multipart form, its CSRF token and key in the address.
    pub multipart: bool,
}

/// A thread of comments on a record's page, oldest first, with the form to add one.
pub struct Thread {
    pub title: String,
    pub entries: Vec<ThreadEntry>,
    /// Shown when there is no comment yet.
    pub empty: String,
    /// None for whoever may not comment.
    pub form: Option<PageForm>,
}

/// One comment: who, when, what, and links to its files.
pub struct ThreadEntry {
    pub who: String,
    pub when: String,
    pub text: String,
    pub files: Vec<Cell>,
    /// Shown under it: read receipts, 已编辑, the edit link (a message).
    pub notes: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "detail.html")]
pub struct DetailPage {
    pub layout: Layout,
    pub heading: String,
    pub kind_label: String,
    pub badges: Vec<Cell>,
    pub edit_href: Option<String>,
    /// Buttons that open another page (turning a decision into a project): (label, href).
    pub links: Vec<(String, String)>,
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
    /// Small forms under the record's facts, with their heading (a problem's status steps).
    pub forms: Option<(String, Vec<PageForm>)>,
    /// The record's thread of comments.
    pub thread: Option<Thread>,
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
    /// 200, or the status of the refusal it shows again (422, 409).
    pub status: StatusCode,
    /// For a form whose saving cannot be undone: the question asked before it is sent.
    pub confirm: Option<String>,
}

/// A submitted form the records refused, to show again: 422 for input that breaks a rule, 409 for
/// input that clashes with what is stored, with each field's message.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub status: StatusCode,
    pub errors: FieldErrors,
}

impl Rejected {
    /// Splits a submission's outcome: a refusal that belongs beside the form's fields comes back as
    /// `Ok(Err(rejected))`, to show the form again; anything else (not found, forbidden, a fault)
    /// stays an error, for the error page.
    pub fn split<T>(r: Result<T, ApiError>) -> Result<Result<T, Rejected>, ApiError> {
        match r {
            Ok(x) => Ok(Ok(x)),
            Err(ApiError::Invalid(errors)) => Ok(Err(Rejected {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            })),
            Err(ApiError::Conflict(errors)) => Ok(Err(Rejected {
                status: StatusCode::CONFLICT,
                errors,
            })),
            Err(e) => Err(e),
        }
    }
}

impl FormPage {
    /// A form on the page `cx` shows, posting back to its own address.
    pub fn new(cx: &Ctx, nav: &'static str, heading: String, mut fields: Vec<Field>, cancel_href: String) -> Self {
        // Each form shown carries a one-time key of its own: sent twice (a double-click, a retry
        // after the connection dropped, the back button), it is done once (see
        // `crate::idempotency`). Shown again after a refusal, it keeps the key it was sent with.
        let key = cx
            .form_key
            .clone()
            .unwrap_or_else(|| hezuo_store::accounts::random_secret(16));
        fields.push(Field::new(cx.lang, crate::idempotency::FIELD, ("", ""), "hidden").value(Some(&key)));
        FormPage {
            layout: cx.layout(nav, heading.clone()),
            heading,
            action: cx.uri.path().to_string(),
            fields,
            has_errors: false,
            general_error: None,
            cancel_href,
            status: StatusCode::OK,
            confirm: None,
        }
    }

    /// Shows a refusal: each message beside its field, those for fields the form does not show on
    /// top (so none is lost), and the refusal's status.
    pub fn rejected(mut self, r: Option<Rejected>) -> Self {
        let Some(r) = r else { return self };
        let lang = self.layout.lang;
        let names: Vec<&str> = self.fields.iter().map(|f| f.name).collect();
        let stray: Vec<String> = r
            .errors
            .0
            .iter()
            .filter(|(k, _)| !names.contains(&k.as_str()))
            .map(|(_, m)| lang.pick(m).to_string())
            .collect();
        self.fields = Field::errors_from(self.fields, &r.errors, lang);
        self.has_errors = !r.errors.is_empty();
        self.general_error = (!stray.is_empty()).then(|| stray.join("；"));
        self.status = r.status;
        self
    }

    /// Carries the version of the record the form shows, so that saving it does not overwrite a
    /// change made meanwhile (see [`crate::extract::Edit`]).
    pub fn version(mut self, version: i64) -> Self {
        self.fields
            .push(Field::new(self.layout.lang, "_version", ("", ""), "hidden").value(Some(&version.to_string())));
        self
    }

    /// Shows that the record changed after this form was filled in: who and when, above the fields,
    /// and beside each field what they saved where it differs from what was sent (`theirs` and
    /// `sent`: the record's input now and the form's). The form now carries the new
    /// version, so saving it again keeps what this user sent, knowingly. Status 409.
    pub fn stale<T: serde::Serialize>(mut self, v: &Version, theirs: &T, sent: &T) -> Self {
        let lang = self.layout.lang;
        mark_theirs(&mut self.fields, theirs, sent, lang);
        let who = changed_by(v);
        self.has_errors = false;
        self.general_error = Some(format!(
            "{}{}",
            lang.pick(&who),
            lang.tr(
                "，晚于您打开此页时的版本。您的修改尚未保存：下面标出了对方保存的值，核对后再次保存将以您填写的内容为准。",
                ", after you opened this page. Your changes are not saved yet: their values are shown beside yours; saving again keeps yours.",
            )
        ));
        self.status = StatusCode::CONFLICT;
        self.version(v.id)
    }

    /// Sets a message above the fields (a form reached without what it needs).
    pub fn notice(mut self, message: impl Into<String>) -> Self {
        self.has_errors = true;
        self.general_error = Some(message.into());
        self
    }

    /// Asks `question` before the form is sent (merging demands: it cannot be undone).
    pub fn confirm(mut self, question: impl Into<String>) -> Self {
        self.confirm = Some(question.into());
        self
    }

    pub fn respond(self) -> Response {
        render_with(self.status, &self)
    }
}
