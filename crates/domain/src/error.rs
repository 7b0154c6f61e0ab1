//! Messages in the user's language and the per-field error map every validation returns.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A message in Simplified Chinese and English; the web layer picks one per request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Msg {
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn get(&self, english: bool) -> &str {
        if english { &self.en } else { &self.zh }
    }
}

/// Field name → what is wrong with it. Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Msg>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn one(field: &str, msg: Msg) -> Self {
        let mut e = Self::new();
        e.add(field, msg);
        e
    }
    /// Keeps the first error reported for a field: it is usually the most basic one.
    pub fn add(&mut self, field: &str, msg: Msg) {
        self.0.entry(field.to_string()).or_insert(msg);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.get(field)
    }
    pub fn into_result<T>(self, ok: T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(ok) } else { Err(self) }
    }
    /// Collects `r`'s error under `field` and returns its value, for validating many fields in a row.
    pub fn take<T>(&mut self, field: &str, r: Result<T, Msg>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {}", v.zh)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

pub fn required() -> Msg {
    Msg::new("此项为必填项", "This field is required")
}

pub fn too_long(max: usize) -> Msg {
    Msg::new(
        format!("不能超过 {max} 个字符"),
        format!("Must be at most {max} characters"),
    )
}

/// One cell of an import that failed: its spreadsheet row (1-based; the header is row 1), the
/// field (column) and the message.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
    pub message_en: String,
}

impl RowError {
    pub fn new(row: usize, column: &str, m: &Msg) -> RowError {
        RowError {
            row,
            column: column.to_string(),
            message: m.zh.clone(),
            message_en: m.en.clone(),
        }
    }
}
