//! `/public/search?q=`: the same Chinese analysis as the signed-in search (simplified and
//! traditional, pinyin of names) over an index of its own that holds only the public text of public
//! records (`Store::public_search_docs`). Nothing else is ever put in it, so no hit, snippet or count
//! can come from a confidential field or a record that is not public. The index is rebuilt in
//! memory when the records have changed since (the change feed's head) or the day has turned
//! (calls open and close by the day).

use super::pages::{Block, Card, PublicPage};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hezuo_domain::RecordKind;
use hezuo_search::{SearchIndex, SearchRequest};

/// Hits shown at most.
const LIMIT: usize = 50;

#[derive(serde::Deserialize, Default)]
pub struct SearchQ {
    pub q: Option<String>,
}

fn url(kind: RecordKind, id: i64) -> String {
    let section = match kind {
        RecordKind::Notice => "notices",
        RecordKind::Campaign => "campaigns",
        RecordKind::ResearchResult => "results",
        RecordKind::Demand => "demands",
        RecordKind::Platform => "platforms",
        _ => "experts",
    };
    format!("/public/{section}/{id}")
}

fn kind_label(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Notice => "通知公告",
        RecordKind::Campaign => "征集公告",
        RecordKind::ResearchResult => "科技成果",
        RecordKind::Demand => "技术需求",
        RecordKind::Platform => "共建平台",
        _ => "专家",
    }
}

/// Hits for `q` among public records, best first: (kind, id, title, snippet), each highlighted.
pub(crate) async fn hits(
    s: &AppState,
    q: &str,
) -> Result<Vec<(RecordKind, i64, Vec<(String, bool)>, Vec<(String, bool)>)>, ApiError> {
    let (head, _) = s.store.public_stamp().await?;
    let today = s.store.today();
    let mut guard = s.public.index.0.lock().await;
    if guard.as_ref().map(|(_, h, d)| (*h, *d)) != Some((head, today)) {
        let docs = s.store.public_search_docs().await?;
        let index = match guard.take() {
            Some((i, _, _)) => i,
            None => SearchIndex::in_memory().map_err(|e| ApiError::Internal(format!("public index: {e}")))?,
        };
        // Rebuilt, and searched below, on matching and search's own threads, not the runtime's.
        let index = s
            .search
            .pool()
            .run(move || index.rebuild(docs, head).map(|_| index))
            .await?
            .map_err(|e| ApiError::Internal(format!("public index: {e}")))?;
        *guard = Some((index, head, today));
    }
    let Some((index, _, _)) = guard.as_ref() else {
        return Ok(Vec::new());
    };
    let (index, req) = (
        index.clone(),
        SearchRequest {
            query: q.to_string(),
            include_restricted: false,
            limit: LIMIT,
        },
    );
    drop(guard);
    let found = s
        .search
        .pool()
        .run(move || index.search(&req))
        .await?
        .map_err(|e| ApiError::Internal(format!("public search: {e}")))?;
    Ok(found
        .into_iter()
        .map(|h| {
            let text = if h.body.is_empty() {
                h.names.join("，")
            } else {
                h.body.clone()
            };
            (
                h.kind,
                h.id,
                hezuo_search::highlight(q, &h.title, 200),
                hezuo_search::highlight(q, &text, 120),
            )
        })
        .collect())
}

pub async fn page(State(s): State<AppState>, Query(sq): Query<SearchQ>) -> Result<Response, ApiError> {
    let q: String = sq.q.unwrap_or_default().trim().chars().take(200).collect();
    let mut p = PublicPage::new(
        "search",
        if q.is_empty() {
            "搜索公开信息".to_string()
        } else {
            format!("搜索：{q}")
        },
    );
    p.q = q.clone();
    if q.is_empty() {
        p.lead = Some(
            "在通知公告、征集公告、科技成果、技术需求、共建平台和专家名录中搜索；支持简体、繁体和人名拼音。".into(),
        );
        return Ok(p.render(StatusCode::OK));
    }
    let found = hits(&s, &q).await?;
    let cards: Vec<Card> = found
        .into_iter()
        .map(|(kind, id, title, text)| Card {
            title,
            href: Some(url(kind, id)),
            tags: vec![kind_label(kind).to_string()],
            meta: vec![],
            text,
        })
        .collect();
    p.blocks = vec![Block {
        id: "hits",
        heading: "搜索结果".into(),
        count: Some(cards.len() as i64),
        cards,
        empty: format!("没有找到与“{q}”相关的公开信息，请换个关键词试试。"),
        more: None,
    }];
    Ok(p.render(StatusCode::OK))
}
