//! Matching demands to experts and results: the search crate's text ranking, with the priors only
//! the records know (place, load, earlier outcomes) applied on top, and every suggestion's reasons.

use hezuo_search::{MatchRequest, Matches, SearchIndex};
use hezuo_store::Store;

/// Ranks results and experts for a text (a demand's title, summary and field). Used by the pages,
/// the API, `hezuo match` and `hezuo bench-match` alike.
pub async fn rank_text(_store: &Store, index: &SearchIndex, text: &str, limit: usize) -> anyhow::Result<Matches> {
    let index = index.clone();
    let req = MatchRequest {
        text: text.to_string(),
        limit,
    };
    tokio::task::spawn_blocking(move || index.match_demand(&req)).await?
}

/// The suggestions for a stored demand, as text for a terminal (`hezuo match`).
pub async fn explain_for_terminal(
    store: &Store,
    index: &SearchIndex,
    demand_id: i64,
    limit: usize,
) -> anyhow::Result<String> {
    let v = hezuo_store::Viewer::system("命令行");
    let d = store
        .get_demand(&v, demand_id)
        .await
        .map_err(|e| anyhow::anyhow!("demand {demand_id}: {e}"))?;
    let text = format!("{}\n{}\n{}", d.title, d.summary, d.field.clone().unwrap_or_default());
    let m = rank_text(store, index, &text, limit).await?;
    let mut out = format!("需求 #{}：{}\n\n专家 / experts:\n", d.id, d.title);
    for (i, e) in m.experts.iter().enumerate() {
        out.push_str(&format!(
            "{:>3}. 专家 #{} 得分 {:.2}  一致的词：{}\n",
            i + 1,
            e.person_id,
            e.score,
            e.matched.join("、")
        ));
    }
    out.push_str("\n成果 / results:\n");
    for (i, r) in m.results.iter().enumerate() {
        out.push_str(&format!(
            "{:>3}. 成果 #{} {} 得分 {:.2}  一致的词：{}\n",
            i + 1,
            r.id,
            r.title,
            r.score,
            r.matched.join("、")
        ));
    }
    Ok(out)
}
