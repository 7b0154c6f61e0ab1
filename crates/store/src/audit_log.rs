//! Reading the audit log (操作留痕). Entries are written only by [`crate::access::audit`], in the
//! transaction of the change they describe; nothing updates or deletes them.

use crate::access::{Viewer, restrict_ref};
use crate::records::id_filter;
use crate::sql::{Arg, Q, fetch_page};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::Role;
use hezuo_domain::{ListParams, Page, input};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub user_id: Option<i64>,
    pub username: String,
    pub ip: Option<String>,
    pub record_kind: String,
    pub record_id: i64,
    /// create, update, status, archive or restore.
    pub action: String,
    /// Field → [before, after], as JSON text.
    pub changes: String,
    pub created_at: DateTime<Utc>,
}

impl AuditEntry {
    /// The changed fields as (field, before, after), values shown as text.
    pub fn fields(&self) -> Vec<(String, String, String)> {
        let v: serde_json::Value = serde_json::from_str(&self.changes).unwrap_or_default();
        let show = |x: &serde_json::Value| match x {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        v.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, pair)| (k.clone(), show(&pair[0]), show(&pair[1])))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What the audit log can be filtered by.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    pub record_kind: Option<String>,
    #[serde(deserialize_with = "input::de_opt_string")]
    pub record_id: Option<String>,
    #[serde(deserialize_with = "input::de_opt_string")]
    pub user_id: Option<String>,
    pub action: Option<String>,
    /// From this date (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// Up to this date (inclusive).
    pub to: Option<String>,
}

const COLS: &str = "id, user_id, username, ip, record_kind, record_id, action, changes, created_at";

impl Store {
    /// Audit entries, newest first: all for the office and leaders, otherwise those about records `v` may see.
    pub async fn list_audit(&self, v: &Viewer, f: &AuditFilter, p: &ListParams) -> Result<Page<AuditEntry>> {
        let mut q = Q::new("from audit_entry where 1 = 1");
        if !matches!(v.role, Role::Office | Role::Leader) {
            restrict_ref(&mut q, v, "record_kind", "record_id");
            q.push(" and record_kind <> 'user'");
        }
        if let Some(k) = input::opt_text(&f.record_kind) {
            q.push(" and record_kind = ").bind(Arg::Text(k.to_string()));
        }
        if let Some(id) = id_filter(&f.record_id, "record_id")? {
            q.push(" and record_id = ").bind(Arg::I64(id));
        }
        if let Some(id) = id_filter(&f.user_id, "user_id")? {
            q.push(" and user_id = ").bind(Arg::I64(id));
        }
        if let Some(a) = input::opt_text(&f.action) {
            q.push(" and action = ").bind(Arg::Text(a.to_string()));
        }
        let day = |s: &Option<String>, name: &str| -> Result<Option<NaiveDate>> {
            match input::opt_text(s) {
                None => Ok(None),
                Some(d) => d.parse::<NaiveDate>().map(Some).map_err(|_| {
                    StoreError::invalid(
                        name,
                        hezuo_domain::Msg::new(
                            format!("“{d}”不是有效的日期：应为 YYYY-MM-DD"),
                            format!("“{d}” is not a date: use YYYY-MM-DD"),
                        ),
                    )
                }),
            }
        };
        // Days are China's: a day starts at 16:00 UTC the evening before.
        if let Some(d) = day(&f.from, "from")? {
            let t = d.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - chrono::Duration::hours(8);
            q.push(" and created_at >= ").bind(Arg::Time(t));
        }
        if let Some(d) = day(&f.to, "to")? {
            let t = d.and_hms_opt(0, 0, 0).expect("midnight").and_utc() + chrono::Duration::hours(16);
            q.push(" and created_at < ").bind(Arg::Time(t));
        }
        let (total, mut items) = fetch_page!(self, AuditEntry, COLS, q, "id desc", p);
        // A demand's confidential details are the office's (and the enterprise's) alone, in the log too.
        if v.role != Role::Office {
            for e in items.iter_mut().filter(|e| e.record_kind == "demand") {
                mask(&mut e.changes, "details");
            }
        }
        Ok(Page {
            items,
            ..Page::counted(total, p)
        })
    }
}

/// Replaces both values of `field` in an entry's changes with a note that they are confidential.
fn mask(changes: &mut String, field: &str) {
    let Ok(serde_json::Value::Object(mut m)) = serde_json::from_str::<serde_json::Value>(changes) else {
        return;
    };
    if let Some(pair) = m.get_mut(field) {
        *pair = serde_json::json!(["（机密，不予显示）", "（机密，不予显示）"]);
        *changes = serde_json::Value::Object(m).to_string();
    }
}
