//! The audit log (操作留痕), read-only: `/audit` and `/api/v1/audit` filtered by record, user, action
//! and date, and each record's own history on its page. Nothing here writes it.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, ListPage, Table, chosen, local_time};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use hezuo_domain::{ListParams, Page, RecordKind};
use hezuo_store::audit_log::{AuditEntry, AuditFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/audit", get(api_list))
        .at("/audit", get(page_list))
}

fn action_label(lang: Lang, a: &str) -> String {
    let (zh, en) = match a {
        "create" => ("新建", "created"),
        "update" => ("修改", "updated"),
        "status" => ("状态变更", "status changed"),
        "archive" => ("归档", "archived"),
        "restore" => ("恢复", "restored"),
        "comment" => ("评论", "commented"),
        other => (other, other),
    };
    lang.tr_owned((zh, en))
}

/// A table of audit entries; `with_record` adds a column linking to the record.
pub fn audit_table(lang: Lang, items: &[AuditEntry], with_record: bool) -> Table {
    let mut headers = vec![
        ("时间", "When"),
        ("操作人", "Who"),
        ("来源地址", "From"),
        ("操作", "Action"),
    ];
    if with_record {
        headers.push(("记录", "Record"));
    }
    headers.push(("变更内容", "Changes"));
    let mut t = Table::new(lang, &headers);
    t.empty = lang.tr("暂无操作记录。", "No changes recorded.").into();
    for e in items {
        let changes: Vec<String> = e
            .fields()
            .into_iter()
            .map(|(k, b, a)| {
                if b.is_empty() {
                    format!("{k}: {a}")
                } else {
                    format!("{k}: {b} → {a}")
                }
            })
            .collect();
        let mut row = vec![
            Cell::text(local_time(e.created_at)),
            Cell::text(&e.username),
            Cell::opt(e.ip.clone(), lang),
            Cell::badge(action_label(lang, &e.action), format!("act-{}", e.action)),
        ];
        if with_record {
            let kind = RecordKind::parse(&e.record_kind);
            let label = kind
                .map(|k| lang.pick(&k.label()).to_string())
                .unwrap_or_else(|| e.record_kind.clone());
            let text = format!("{label} #{}", e.record_id);
            row.push(match kind {
                Some(k) if RecordKind::ATTACHABLE.contains(&k) && k != RecordKind::Milestone => {
                    Cell::link(text, format!("/{}/{}", k.plural(), e.record_id))
                }
                _ => Cell::text(text),
            });
        }
        row.push(Cell::text(changes.join("；")));
        t.rows.push(row);
    }
    t
}

/// The last changes of one record, for its page.
pub async fn history(cx: &Ctx, kind: RecordKind, id: i64) -> Result<Table, ApiError> {
    let f = AuditFilter {
        record_kind: Some(kind.as_str().into()),
        record_id: Some(id.to_string()),
        ..Default::default()
    };
    let p = ListParams::first(50);
    let page = cx.store().list_audit(cx.viewer(), &f, &p).await?;
    Ok(audit_table(cx.lang, &page.items, false))
}

async fn api_list(
    State(s): State<AppState>,
    who: Auth,
    Query(f): Query<AuditFilter>,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    Ok(Json(s.store.list_audit(&who.viewer, &f, &p).await?))
}

async fn page_list(cx: Ctx, Query(f): Query<AuditFilter>, Query(p): Query<ListParams>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let page = cx.store().list_audit(cx.viewer(), &f, &p).await?;
    let table = audit_table(lang, &page.items, true);
    let kinds: Vec<(String, String)> = RecordKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), lang.pick(&k.label()).to_string()))
        .collect();
    let actions: Vec<(String, String)> = ["create", "update", "status", "archive", "restore"]
        .iter()
        .map(|a| (a.to_string(), action_label(lang, a)))
        .collect();
    let filters = vec![
        Field::new(lang, "record_kind", ("记录类型", "Record kind"), "select").options(
            lang,
            kinds,
            &chosen(&f.record_kind),
        ),
        Field::new(lang, "record_id", ("记录编号", "Record id"), "text").value(f.record_id.as_deref()),
        Field::new(lang, "user_id", ("用户编号", "User id"), "text").value(f.user_id.as_deref()),
        Field::new(lang, "action", ("操作", "Action"), "select").options(lang, actions, &chosen(&f.action)),
        Field::new(lang, "from", ("起始日期", "From"), "date").value(f.from.as_deref()),
        Field::new(lang, "to", ("截止日期", "To"), "date").value(f.to.as_deref()),
    ];
    let heading = lang.tr("操作留痕", "Audit log").to_string();
    let view = ListPage::new(
        cx.layout("audit", heading.clone()),
        &cx.uri,
        heading,
        filters,
        table,
        &page,
    );
    Ok(views::render(&view))
}
