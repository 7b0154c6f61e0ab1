//! `hezuo bench-match`: the benchmark in ../shared/bench run through the project's own code path.
//!
//! The corpus and experts are loaded into a fresh store (one university, one expert per line of
//! experts.jsonl, one research result per corpus line, each validated like a form), the search index
//! is rebuilt from the store, and every query goes through the matching engine (`rank_text` for the
//! run files, the engine on this thread for the timed passes). The run files use the benchmark's
//! ids; timing.json follows the harness's timing format.

use json::Fields;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::person::PersonInput;
use hezuo_domain::research_result::ResultInput;
use hezuo_search::{MatchRequest, SearchIndex};
use hezuo_store::{Store, Viewer};

/// Timed passes over the queries (top 10); each query's median is taken.
const PASSES: usize = 3;
/// Ids written per query.
const RUN_DEPTH: usize = 100;
/// Results and experts asked for in the timed passes.
const TIMED_LIMIT: usize = 10;

#[derive(clap::Args, Clone)]
pub struct BenchArgs {
    /// corpus.jsonl: {"id", "text", "keywords", "discipline"} per line; loaded as research results.
    #[arg(long)]
    pub corpus: PathBuf,
    /// experts.jsonl: {"id", "name", "discipline", "papers"}; loaded as experts owning those results.
    #[arg(long)]
    pub experts: Option<PathBuf>,
    /// queries.jsonl: {"qid", "query"} per line.
    #[arg(long)]
    pub queries: PathBuf,
    /// Where results.jsonl, experts.jsonl and timing.json go.
    #[arg(long)]
    pub out: PathBuf,
}

struct Paper {
    id: String,
    text: String,
    keywords: Vec<String>,
    discipline: Option<String>,
}

struct Expert {
    id: String,
    name: String,
    discipline: Option<String>,
    papers: Vec<String>,
}

/// The title a paper gets as a research result: its keywords, or else the start of its text.
fn title_of(p: &Paper) -> String {
    if !p.keywords.is_empty() {
        return p.keywords.join("；");
    }
    let mut t = String::new();
    for c in p.text.chars() {
        if t.chars().count() >= 40 {
            break;
        }
        if matches!(c, '。' | '；' | '！' | '？' | '.' | ';') && t.chars().count() >= 8 {
            break;
        }
        t.push(c);
    }
    let t = t.trim().to_string();
    if t.is_empty() { p.id.clone() } else { t }
}

/// Each non-empty line of a JSON Lines file, parsed and turned into a `T` at once (the scale
/// corpus has a million lines: their parsed trees are never all kept).
fn read_lines<T>(path: &Path, mut each: impl FnMut(&json::Value) -> anyhow::Result<T>) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            json::parse(l)
                .and_then(|v| each(&v))
                .with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

fn run_line(qid: &str, ids: &[&str]) -> String {
    let list: Vec<String> = ids.iter().map(|i| json::quote(i)).collect();
    format!(
        "{{\"qid\": {}, \"results\": [{}]}}\n",
        json::quote(qid),
        list.join(", ")
    )
}

fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Peak resident set size of this process in MiB (VmHWM), if the system says.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The harness's percentile (peers.py `pct`): the value at rank ⌊p·n⌋ of the sorted values.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((p * sorted.len() as f64) as usize).min(sorted.len() - 1)]
}

pub async fn run(a: BenchArgs) -> anyhow::Result<()> {
    let papers: Vec<Paper> = read_lines(&a.corpus, |v| {
        Ok(Paper {
            id: v.str_of("id").context("corpus line without id")?.to_string(),
            text: v.str_of("text").unwrap_or_default().to_string(),
            keywords: v.strs_of("keywords"),
            discipline: v.str_of("discipline").map(str::to_string),
        })
    })?;
    let experts: Vec<Expert> = match &a.experts {
        Some(path) => read_lines(path, |v| {
            Ok(Expert {
                id: v.str_of("id").context("expert line without id")?.to_string(),
                name: v.str_of("name").unwrap_or("专家").to_string(),
                discipline: v.str_of("discipline").map(str::to_string),
                papers: v.strs_of("papers"),
            })
        })?,
        None => Vec::new(),
    };
    // (qid, query, judged papers — for the feedback experiment, empty when the file has none).
    let judged: Vec<(String, String, Vec<String>)> = read_lines(&a.queries, |v| {
        Ok((
            v.str_of("qid").context("query line without qid")?.to_string(),
            v.str_of("query").unwrap_or_default().to_string(),
            v.strs_of("relevant"),
        ))
    })?;
    let (queries, relevant): (Vec<(String, String)>, Vec<Vec<String>>) =
        judged.into_iter().map(|(qid, q, rel)| ((qid, q), rel)).unzip();
    let stem = a
        .queries
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("queries")
        .to_string();
    let set = stem.strip_prefix("queries-").unwrap_or(&stem).to_string();

    // A fresh store and index under --out.
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let store_dir = a.out.join("store");
    let index_dir = a.out.join("index");
    for d in [&store_dir, &index_dir] {
        if d.exists() {
            std::fs::remove_dir_all(d).with_context(|| format!("wiping {}", d.display()))?;
        }
        std::fs::create_dir_all(d)?;
    }
    let store = Store::open_and_migrate(None, &store_dir).await?;
    let v = Viewer::system("bench");

    let started = Instant::now();
    let org = OrganizationInput {
        kind: Some("university".into()),
        name: Some("基准大学".into()),
        region_code: Some("330100".into()),
        ..Default::default()
    }
    .validate()
    .map_err(|e| anyhow::anyhow!("organisation: {e:?}"))?;
    let org = store.create_organization(&v, &org).await?;
    let mut person_of: HashMap<&str, i64> = HashMap::new();
    let mut expert_of_person: HashMap<i64, &str> = HashMap::new();
    let mut owner_of_paper: HashMap<&str, &str> = HashMap::new();
    for x in &experts {
        let d = PersonInput {
            organization_id: Some(org.id.to_string()),
            name: Some(x.name.clone()),
            is_expert: Some("true".into()),
            discipline: x.discipline.clone(),
            ..Default::default()
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("expert {}: {e:?}", x.id))?;
        let p = store.create_person(&v, &d).await?;
        person_of.insert(&x.id, p.id);
        expert_of_person.insert(p.id, &x.id);
        for paper in &x.papers {
            owner_of_paper.insert(paper, &x.id);
        }
    }
    let mut paper_of_result: HashMap<i64, &str> = HashMap::new();
    for p in &papers {
        let owner = owner_of_paper.get(p.id.as_str()).and_then(|x| person_of.get(x));
        let d = ResultInput {
            title: Some(title_of(p)),
            kind: Some("other".into()),
            summary: Some(p.text.clone()),
            keywords: p.keywords.clone(),
            discipline: p.discipline.clone(),
            owner_ids: owner.map(|o| vec![o.to_string()]).unwrap_or_default(),
            ..Default::default()
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("paper {}: {e:?}", p.id))?;
        let r = store.create_result(&v, &d).await?;
        paper_of_result.insert(r.id, &p.id);
    }
    let load_s = started.elapsed().as_secs_f64();
    eprintln!(
        "loaded {} experts and {} results in {load_s:.1} s",
        experts.len(),
        papers.len()
    );

    let started = Instant::now();
    let search = hezuo_app::search::Search::open(&index_dir)?;
    let n_docs = search.rebuild(&store).await?;
    let index_s = started.elapsed().as_secs_f64();
    eprintln!("indexed {n_docs} documents in {index_s:.1} s");

    // The run files: every query once, 100 of each.
    let (mut results, mut expert_runs) = (String::new(), String::new());
    for (qid, q) in &queries {
        let m = hezuo_app::matching::rank_text(&search, q, RUN_DEPTH).await?;
        let docs: Vec<&str> = m
            .results
            .iter()
            .filter_map(|r| paper_of_result.get(&r.id).copied())
            .collect();
        let people: Vec<&str> = m
            .experts
            .iter()
            .filter_map(|e| expert_of_person.get(&e.person_id).copied())
            .collect();
        results.push_str(&run_line(qid, &docs));
        expert_runs.push_str(&run_line(qid, &people));
    }

    // Latency: one query at a time, top 10, PASSES passes, each query's median. The engine is
    // called on this thread, as the peers' are; a server's request also hops to the engine's own
    // threads (`rank_text`, hezuo_app::pool), timed in one more pass and reported beside.
    let index = search.index();
    let mut per_query: Vec<Vec<f64>> = vec![Vec::with_capacity(PASSES); queries.len()];
    for _ in 0..PASSES {
        for (i, (_, q)) in queries.iter().enumerate() {
            let t = Instant::now();
            let m = index.match_demand(&MatchRequest {
                text: q.clone(),
                limit: TIMED_LIMIT,
            })?;
            per_query[i].push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(m);
        }
    }
    let mut hop: Vec<f64> = Vec::with_capacity(queries.len());
    for (_, q) in &queries {
        let t = Instant::now();
        let m = hezuo_app::matching::rank_text(&search, q, TIMED_LIMIT).await?;
        hop.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(m);
    }
    hop.sort_by(f64::total_cmp);
    let (hop50, hop99) = (percentile(&hop, 0.50), percentile(&hop, 0.99));
    let mut medians: Vec<f64> = per_query
        .iter_mut()
        .map(|ts| {
            ts.sort_by(f64::total_cmp);
            ts[ts.len() / 2]
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    let mean = medians.iter().sum::<f64>() / medians.len().max(1) as f64;
    let (p50, p99) = (percentile(&medians, 0.50), percentile(&medians, 0.99));
    let rss = peak_rss_mb().unwrap_or(0.0);
    let index_bytes = dir_bytes(&index_dir);
    eprintln!(
        "{set}: p50 {p50:.3} ms, p99 {p99:.3} ms, mean {mean:.3} ms (through the engine's pool: p50 \
         {hop50:.3} ms, p99 {hop99:.3} ms); peak RSS {rss:.0} MiB"
    );

    let mut sets = BTreeMap::new();
    sets.insert(
        set.clone(),
        format!(
            "{{\"p50_ms\": {p50:.4}, \"p99_ms\": {p99:.4}, \"mean_ms\": {mean:.4}, \"engine_pool_p50_ms\": {hop50:.4}, \
             \"engine_pool_p99_ms\": {hop99:.4}}}"
        ),
    );
    let mut timing = String::new();
    writeln!(
        timing,
        "{{\"version\": {}, \"build_s\": {index_s:.3}, \"load_s\": {load_s:.3}, \"index_s\": {index_s:.3}, \
         \"index_bytes\": {index_bytes}, \"sets\": {{{}}}, \"passes\": {PASSES}, \"peak_rss_mb\": {rss:.1}, \
         \"n_docs\": {}, \"n_experts\": {}, \"index_documents\": {n_docs}}}",
        json::quote(&format!("hezuo {}", env!("CARGO_PKG_VERSION"))),
        sets.iter()
            .map(|(k, v)| format!("{}: {v}", json::quote(k)))
            .collect::<Vec<_>>()
            .join(", "),
        papers.len(),
        experts.len(),
    )?;

    let write = |name: String, text: &str| -> anyhow::Result<()> {
        let path = a.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    write("results.jsonl".into(), &results)?;
    write(format!("hezuo.{set}.jsonl"), &results)?;
    if !experts.is_empty() {
        write("experts.jsonl".into(), &expert_runs)?;
        write(format!("hezuo.{set}.experts.jsonl"), &expert_runs)?;
    }
    write("timing.json".into(), &timing)?;
    if !experts.is_empty() && relevant.iter().any(|r| !r.is_empty()) {
        // Each query's relevant experts, as person ids.
        let wanted: Vec<Vec<i64>> = relevant
            .iter()
            .map(|papers| {
                let mut people: Vec<i64> = papers
                    .iter()
                    .filter_map(|p| owner_of_paper.get(p.as_str()).and_then(|x| person_of.get(x)).copied())
                    .collect();
                people.dedup();
                people
            })
            .collect();
        let f = feedback(search.index(), &queries, &wanted)?;
        eprintln!("{set}: feedback, {}", f.summary());
        write("feedback.json".into(), &f.json())?;
    }
    // The harness's report reads one timing file per system: merge this set into it.
    let merged = match std::fs::read_to_string(a.out.join("hezuo.timing.json")) {
        Ok(old) => merge_timing(&old, &timing).unwrap_or(timing.clone()),
        Err(_) => timing.clone(),
    };
    write("hezuo.timing.json".into(), &merged)?;
    eprintln!("wrote run files for {} queries to {}", queries.len(), a.out.display());
    Ok(())
}

/// How many suggested experts the simulated office contacts for each demand of the history.
const CONTACTED: usize = 3;
/// Experts ranked per demand before the priors (a demand's page ranks three times what it shows).
const DEPTH: usize = 30;

/// What earlier outcomes did to the ranking of demands that were not among them.
struct Feedback {
    history: usize,
    test: usize,
    outcomes: usize,
    accepted: usize,
    /// Held-out queries with an earlier outcome similar enough to count for one of their experts.
    touched: usize,
    mrr_without: f64,
    /// (what was applied, expert MRR@10, queries moved up, moved down)
    variants: Vec<(&'static str, f64, usize, usize)>,
}

impl Feedback {
    fn json(&self) -> String {
        let variants: Vec<String> = self
            .variants
            .iter()
            .map(|(name, mrr, up, down)| {
                format!(
                    "{{\"priors\": {}, \"expert_mrr10\": {mrr:.4}, \"moved_up\": {up}, \"moved_down\": {down}}}",
                    json::quote(name)
                )
            })
            .collect();
        format!(
            "{{\"history_queries\": {}, \"held_out_queries\": {}, \"contacted_per_query\": {CONTACTED}, \"outcomes\": {}, \
             \"accepted\": {}, \"held_out_touched\": {}, \"expert_mrr10_without\": {:.4}, \"with\": [{}]}}\n",
            self.history,
            self.test,
            self.outcomes,
            self.accepted,
            self.touched,
            self.mrr_without,
            variants.join(", ")
        )
    }

    fn summary(&self) -> String {
        let mut s = format!(
            "held-out expert MRR@10 {:.4} without earlier outcomes ({} held-out queries, {} of them with a similar \
             earlier outcome; {} outcomes from {} history queries)",
            self.mrr_without, self.test, self.touched, self.outcomes, self.history
        );
        for (name, mrr, up, down) in &self.variants {
            s.push_str(&format!("; with {name}: {mrr:.4} ({up} up, {down} down)"));
        }
        s
    }
}

/// 1 / rank of the first wanted expert in the top 10, else 0.
fn reciprocal_rank(ranked: &[i64], wanted: &[i64]) -> f64 {
    ranked
        .iter()
        .take(10)
        .position(|p| wanted.contains(p))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// Feedback measured on held-out queries. The queries on odd lines are the history: in file order,
/// the office is shown each one's experts ranked with the priors (`matches::with_priors`, as on a
/// demand's page) given the outcomes so far, contacts the first [`CONTACTED`], and each accepts if
/// they own a relevant paper and declines otherwise. The queries on even lines are then ranked
/// without those outcomes, with them, and with them plus the load the accepted matches add (as if
/// none had finished), and their expert MRR@10 compared. Nothing here knows a held-out query's
/// answer until it is scored.
fn feedback(index: &SearchIndex, queries: &[(String, String)], wanted: &[Vec<i64>]) -> anyhow::Result<Feedback> {
    use hezuo_app::matching::with_priors;
    use hezuo_domain::matching::{ExpertFacts, SIMILAR_ENOUGH};
    let rank = |q: &str| {
        index.match_demand(&MatchRequest {
            text: q.to_string(),
            limit: DEPTH,
        })
    };
    // (person, demand text, accepted) in the order they happened.
    let mut outcomes: Vec<(i64, &str, bool)> = Vec::new();
    let facts = |person: i64, text: &str, outcomes: &[(i64, &str, bool)], with_load: bool| {
        let mine: Vec<&(i64, &str, bool)> = outcomes.iter().filter(|o| o.0 == person).collect();
        ExpertFacts {
            load: if with_load {
                mine.iter().filter(|o| o.2).count() as i64
            } else {
                0
            },
            outcomes: mine
                .iter()
                .map(|o| (hezuo_search::similarity(text, o.1), o.2))
                .collect(),
            ..Default::default()
        }
    };
    let mut history = 0;
    for (i, (_, q)) in queries.iter().enumerate() {
        if i % 2 != 0 || wanted[i].is_empty() {
            continue;
        }
        history += 1;
        let m = rank(q)?;
        let ranked = with_priors(&m.experts, None, |p| facts(p, q, &outcomes, true));
        let contacted: Vec<i64> = ranked.iter().take(CONTACTED).map(|r| r.0.person_id).collect();
        for p in contacted {
            outcomes.push((p, q, wanted[i].contains(&p)));
        }
    }
    let names = ["earlier outcomes", "earlier outcomes and load"];
    let (mut test, mut touched, mut sum_without) = (0, 0, 0.0);
    let mut variants: Vec<(&'static str, f64, usize, usize)> = names.iter().map(|n| (*n, 0.0, 0, 0)).collect();
    for (i, (_, q)) in queries.iter().enumerate() {
        if i % 2 == 0 || wanted[i].is_empty() {
            continue;
        }
        test += 1;
        let m = rank(q)?;
        let rr = |with: Option<bool>| {
            let ranked = with_priors(&m.experts, None, |p| match with {
                None => ExpertFacts::default(),
                Some(load) => facts(p, q, &outcomes, load),
            });
            let ids: Vec<i64> = ranked.iter().map(|x| x.0.person_id).collect();
            reciprocal_rank(&ids, &wanted[i])
        };
        if m.experts.iter().any(|e| {
            facts(e.person_id, q, &outcomes, false)
                .outcomes
                .iter()
                .any(|o| o.0 >= SIMILAR_ENOUGH)
        }) {
            touched += 1;
        }
        let without = rr(None);
        sum_without += without;
        for (v, load) in variants.iter_mut().zip([false, true]) {
            let with = rr(Some(load));
            v.1 += with;
            if with > without {
                v.2 += 1;
            } else if with < without {
                v.3 += 1;
            }
        }
    }
    for v in &mut variants {
        v.1 /= test.max(1) as f64;
    }
    Ok(Feedback {
        history,
        test,
        outcomes: outcomes.len(),
        accepted: outcomes.iter().filter(|o| o.2).count(),
        touched,
        mrr_without: sum_without / test.max(1) as f64,
        variants,
    })
}

/// `new` with the other sets of `old` (an earlier run on another query file) kept in its "sets".
fn merge_timing(old: &str, new: &str) -> Option<String> {
    let old = json::parse(old).ok()?;
    let new_v = json::parse(new).ok()?;
    let (json::Value::Object(old_sets), json::Value::Object(new_sets)) = (old.get("sets")?, new_v.get("sets")?) else {
        return None;
    };
    let mut sets: BTreeMap<&str, &json::Value> = old_sets.iter().map(|(k, v)| (k.as_str(), v)).collect();
    for (k, v) in new_sets {
        sets.insert(k, v);
    }
    let json::Value::Object(fields) = &new_v else {
        return None;
    };
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            let value = if k == "sets" {
                let inner: Vec<String> = sets.iter().map(|(k, v)| format!("{}: {}", json::quote(k), v)).collect();
                format!("{{{}}}", inner.join(", "))
            } else {
                v.to_string()
            };
            format!("{}: {value}", json::quote(k))
        })
        .collect();
    Some(format!("{{{}}}\n", body.join(", ")))
}

/// The benchmark's JSON lines, read and written with serde_json.
mod json {
    pub use serde_json::Value;

    pub fn parse(text: &str) -> anyhow::Result<Value> {
        Ok(serde_json::from_str(text)?)
    }

    /// A JSON string literal.
    pub fn quote(s: &str) -> String {
        Value::String(s.to_string()).to_string()
    }

    /// The fields the benchmark's files carry.
    pub trait Fields {
        fn str_of(&self, key: &str) -> Option<&str>;
        /// The strings of an array field (empty when missing or not an array).
        fn strs_of(&self, key: &str) -> Vec<String>;
    }

    impl Fields for Value {
        fn str_of(&self, key: &str) -> Option<&str> {
            self.get(key)?.as_str()
        }
        fn strs_of(&self, key: &str) -> Vec<String> {
            self.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|i| i.as_str().map(String::from)).collect())
                .unwrap_or_default()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn reads_a_corpus_line() {
            let v =
                parse(r#"{"id": "csl-1", "text": "a\"b\u4e2d", "keywords": ["x", "y"], "discipline": null}"#).unwrap();
            assert_eq!(v.str_of("id"), Some("csl-1"));
            assert_eq!(v.str_of("text"), Some("a\"b中"));
            assert_eq!(v.strs_of("keywords"), vec!["x", "y"]);
            assert_eq!(v.get("discipline"), Some(&Value::Null));
            assert_eq!(quote("中\"x"), "\"中\\\"x\"");
        }
    }
}
