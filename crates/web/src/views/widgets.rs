//! The small parts every page is made of: table cells and tables, form fields and their options,
//! and the formatting every feature shares — times in China, sizes, the archive filter, the flag
//! badge and its legend.

use crate::i18n::Lang;
use axum::http::Uri;
use chrono::{DateTime, Utc};
use hezuo_domain::supervision::{Flag, legend};
use hezuo_domain::{FieldErrors, Msg};
use hezuo_store::{Store, StoreError, Viewer};

#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// A CSS class, e.g. a status badge `badge s-in_progress`.
    pub class: String,
    /// More shown on request, behind a toggle: (what the toggle says, the text), e.g. the audit
    /// log's raw changes.
    pub more: Option<(String, String)>,
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
            more: None,
        }
    }
    pub fn opt(t: Option<impl Into<String>>, lang: Lang) -> Self {
        match t {
            Some(t) => Cell::text(t),
            None => Cell {
                text: lang.t().none.into(),
                class: "muted".into(),
                ..Default::default()
            },
        }
    }
}

pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
    /// A notice shown above the rows (or the empty state), e.g. that no suggestion is a strong match.
    pub note: Option<String>,
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
            note: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One form control. `kind` is one of text, textarea, date, number, select, multi, checkbox, hidden,
/// or confirm: a checkbox shown only with its error (a warning it lets the user overrule).
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
    /// What another editor saved here meanwhile, when it differs from what this form sent.
    pub theirs: Option<String>,
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
            theirs: None,
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
    /// Drops the leading empty option of a single select: a choice the record requires, with a
    /// default already chosen.
    pub fn without_blank(mut self) -> Self {
        if self.options.first().is_some_and(|o| o.value.is_empty()) {
            self.options.remove(0);
        }
        self
    }
    pub fn errors_from(mut fields: Vec<Field>, errors: &FieldErrors, lang: Lang) -> Vec<Field> {
        for f in &mut fields {
            f.error = errors.get(f.name).map(|m| lang.pick(m).to_string());
        }
        fields
    }
    /// A stored value as this field shows it: an option's label, several joined, yes or no for a
    /// checkbox, the text otherwise.
    pub fn show(&self, v: &serde_json::Value, lang: Lang) -> String {
        let one = |x: &serde_json::Value| match x {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let mut values: Vec<String> = match v {
            serde_json::Value::Array(a) => a.iter().map(one).collect(),
            other => one(other)
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty() || self.kind != "multi")
                .collect(),
        };
        if self.kind == "multi" {
            // A set: shown in the menu's order, so the same choices read the same however sent.
            let at = |x: &String| self.options.iter().position(|o| o.value == *x).unwrap_or(usize::MAX);
            values.sort_by_key(|x| (at(x), x.clone()));
        }
        let shown: Vec<String> = values
            .iter()
            .map(|x| match self.kind {
                "checkbox" | "confirm" if matches!(x.as_str(), "true" | "on" | "1") => lang.t().yes.to_string(),
                "checkbox" | "confirm" => lang.tr("否", "No").to_string(),
                _ => self
                    .options
                    .iter()
                    .find(|o| !o.value.is_empty() && o.value == *x)
                    .map(|o| o.label.clone())
                    .unwrap_or_else(|| x.clone()),
            })
            .collect();
        let text = shown.join("、");
        if text.is_empty() {
            lang.t().none.to_string()
        } else {
            text
        }
    }
    /// Whether the menu gets a filter box (`static/picker.js`; without JavaScript it stays a plain
    /// menu): every organisation and person menu, and any other long one.
    pub fn searchable(&self) -> bool {
        const PICKERS: &[&str] = &[
            "lead_unit_id",
            "co_unit_ids",
            "organization_id",
            "parent_id",
            "party_ids",
            "organizer_id",
            "enterprise_id",
            "transferee_id",
            "owner_id",
            "responsible_person_id",
            "person_id",
            "owner_ids",
        ];
        matches!(self.kind, "select" | "multi") && (PICKERS.contains(&self.name) || self.options.len() > 20)
    }
    pub fn is_checked(&self) -> bool {
        matches!(self.value.as_str(), "true" | "on" | "1")
    }
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            "date" => "date",
            // A secret typed into a form (a webhook's), never filled in by the page.
            "password" => "password",
            _ => "text",
        }
    }
    pub fn input_mode(&self) -> &'static str {
        if self.kind == "number" { "decimal" } else { "text" }
    }
}

/// A person menu's choices, each read "姓名（单位）" so that namesakes are told apart: the people
/// `v` may see.
pub async fn person_choices(store: &Store, v: &Viewer) -> Result<Vec<(String, String)>, StoreError> {
    let people = store.person_options(v).await?;
    let mut orgs: Vec<i64> = people.iter().map(|p| p.2).collect();
    orgs.dedup();
    let names = store.organization_names(&orgs).await?;
    Ok(people
        .into_iter()
        .map(|(id, name, org)| {
            let label = match names.get(&org) {
                Some(unit) => format!("{name}（{unit}）"),
                None => name,
            };
            (id.to_string(), label)
        })
        .collect())
}

/// One decoded value from the request's query string.
pub fn query_param(uri: &Uri, key: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Marks beside each field what another editor saved (`theirs`, the record's input now) where it
/// differs from what this form sent (`sent`).
pub fn mark_theirs<T: serde::Serialize>(fields: &mut [Field], theirs: &T, sent: &T, lang: Lang) {
    let json = |x: &T| serde_json::to_value(x).unwrap_or_default();
    let (theirs, sent) = (json(theirs), json(sent));
    let null = serde_json::Value::Null;
    for f in fields.iter_mut().filter(|f| f.kind != "hidden") {
        let (t, s) = (theirs.get(f.name).unwrap_or(&null), sent.get(f.name).unwrap_or(&null));
        if f.show(t, lang) != f.show(s, lang) {
            f.theirs = Some(f.show(t, lang));
        }
    }
}

/// The chosen value of a single select, as [`Field::options`] takes it.
pub fn chosen(v: &Option<String>) -> Vec<String> {
    v.iter().cloned().collect()
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

/// A timestamp as people in China read it: Asia/Shanghai (UTC+8), to the minute.
pub fn local_time(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

/// The archive filter every list has: active records (the default), archived ones, or both.
pub fn archived_filter(lang: Lang, v: &Option<String>) -> Field {
    let current = v.as_deref().unwrap_or("");
    let mut f = Field::new(lang, "archived", ("归档", "Archive"), "select");
    f.options = [
        ("", ("在用", "Active")),
        ("true", ("已归档", "Archived")),
        ("all", ("全部", "All")),
    ]
    .into_iter()
    .map(|(value, label)| Opt {
        value: value.into(),
        label: lang.tr_owned(label),
        selected: value == current,
    })
    .collect();
    f
}

/// The flag as a badge, for tables; an empty cell for a project that carries none (not being carried out).
pub fn flag_cell(lang: Lang, f: Option<Flag>) -> Cell {
    match f {
        Some(f) => Cell::badge(lang.pick(&f.label()), format!("f-{}", f.as_str())),
        None => Cell::text(""),
    }
}

/// The legend under every flag: the rules, in words.
pub fn legend_text(lang: Lang) -> String {
    legend()
        .iter()
        .map(|(_, m)| lang.pick(m).to_string())
        .collect::<Vec<_>>()
        .join("；")
}
