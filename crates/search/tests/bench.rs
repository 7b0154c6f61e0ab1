//! Ranking on the full benchmark corpus, when `shared/bench` is present (ignored by default):
//! `cargo test -p hezuo-search --release --test bench -- --ignored --nocapture`.

use std::time::Instant;

use hezuo_domain::RecordKind;
use hezuo_domain::search::SearchDoc;
use hezuo_search::{SearchIndex, SearchRequest};

const BENCH: &str = "/work/shared/bench/data";

#[test]
#[ignore = "a measurement on the full corpus in ../shared/bench, not a check; run it by hand"]
fn bench_corpus_mrr() {
    let Ok(corpus) = std::fs::read_to_string(format!("{BENCH}/corpus.jsonl")) else {
        eprintln!("no bench data, skipped");
        return;
    };
    let mut ids = Vec::new();
    let docs: Vec<SearchDoc> = corpus
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            ids.push(v["id"].as_str().unwrap().to_string());
            let kw: Vec<&str> = v["keywords"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect();
            let mut d = SearchDoc::new(RecordKind::ResearchResult, i as i64, kw.join("；"));
            d.body = v["text"].as_str().unwrap().to_string();
            d
        })
        .collect();
    let index = SearchIndex::in_memory().unwrap();
    let t = Instant::now();
    index.rebuild(docs, 1).unwrap();
    eprintln!("indexed {} docs in {:?}", index.len(), t.elapsed());
    for set in ["title", "demand"] {
        let queries = std::fs::read_to_string(format!("{BENCH}/queries-{set}-public.jsonl")).unwrap();
        let (mut mrr, mut n, mut found) = (0.0, 0, 0);
        let t = Instant::now();
        for l in queries.lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let q = v["query"].as_str().unwrap();
            let rel = v["relevant"][0].as_str().unwrap();
            let hits = index
                .search(&SearchRequest {
                    query: q.to_string(),
                    include_restricted: false,
                    limit: 10,
                })
                .unwrap();
            n += 1;
            if let Some(r) = hits.iter().position(|h| ids[h.id as usize] == rel) {
                mrr += 1.0 / (r as f64 + 1.0);
                found += 1;
            }
        }
        eprintln!(
            "{set}: MRR@10 {:.3}, recall@10 {:.3}, {:?}/query",
            mrr / n as f64,
            found as f64 / n as f64,
            t.elapsed() / n
        );
    }
}
