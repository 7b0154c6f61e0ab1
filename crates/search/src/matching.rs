//! Matching a demand's text to the university's results and experts: the same analyser and index
//! as search, asked with OR semantics over the demand's tokens and restricted to results, papers
//! and patents, and expert profiles; experts are ranked document-centrically from what they own.
//! Each match says which terms agreed. Priors that need the records (place, load, earlier outcomes)
//! are applied by the caller on top of `score`.

use std::collections::{HashMap, HashSet};

use hezuo_domain::RecordKind;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::analysis;
use crate::index::SearchIndex;

/// How many documents the expert ranking looks at.
const POOL: usize = 1000;
/// Weights of an expert's best, second and third documents.
const EXPERT_WEIGHTS: [f32; 3] = [1.0, 0.5, 0.25];

/// What to match: the demand's text (title, summary, field), how many of each to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRequest {
    pub text: String,
    pub limit: usize,
}

/// A research result (or paper, or profile) that matched, with the terms that agreed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DocMatch {
    pub kind: RecordKind,
    pub id: i64,
    pub score: f32,
    pub title: String,
    pub owners: Vec<i64>,
    pub discipline: Option<String>,
    /// Query terms found in the document, most informative first.
    pub matched: Vec<String>,
}

/// An expert, scored from the documents they own.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExpertMatch {
    pub person_id: i64,
    pub score: f32,
    /// The documents that made the score, best first: (kind, id, score).
    pub docs: Vec<(RecordKind, i64, f32)>,
    /// Query terms found in those documents.
    pub matched: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Matches {
    pub results: Vec<DocMatch>,
    pub experts: Vec<ExpertMatch>,
}

/// The distinct analysed tokens of a text, in order.
fn distinct_tokens(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    analysis::tokens(text)
        .into_iter()
        .map(|t| t.text)
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// The query terms that also occur in `text` (after the same analysis), in query order.
pub fn matched_terms(query_tokens: &[String], text: &str) -> Vec<String> {
    let have: HashSet<String> = analysis::tokens(text).into_iter().map(|t| t.text).collect();
    query_tokens.iter().filter(|t| have.contains(*t)).cloned().collect()
}

impl SearchIndex {
    /// Results and experts for a demand's text, best first (`limit` of each).
    pub fn match_demand(&self, req: &MatchRequest) -> anyhow::Result<Matches> {
        let tokens = distinct_tokens(&req.text);
        if tokens.is_empty() || req.limit == 0 {
            return Ok(Matches::default());
        }
        let f = self.fields();
        let text_fields = [(f.title, 3.0_f32), (f.body, 1.0_f32)];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in &tokens {
            for (field, boost) in text_fields {
                clauses.push((
                    Occur::Should,
                    crate::index::boosted(Term::from_field_text(field, t), boost),
                ));
            }
        }
        let text_query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        let kinds: Vec<(Occur, Box<dyn Query>)> =
            [RecordKind::ResearchResult, RecordKind::ExpertWork, RecordKind::Person]
                .iter()
                .map(|k| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.kind, k.as_str()),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>,
                    )
                })
                .collect();
        let query = BooleanQuery::new(vec![
            (Occur::Must, text_query),
            (Occur::Must, Box::new(BooleanQuery::new(kinds)) as Box<dyn Query>),
        ]);
        let searcher = self.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(POOL).order_by_score())?;
        let mut results = Vec::new();
        let mut per_expert: HashMap<i64, Vec<(RecordKind, i64, f32, usize)>> = HashMap::new();
        let mut docs: Vec<DocMatch> = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
            let Some(kind) = text(f.kind).as_deref().and_then(RecordKind::parse) else {
                continue;
            };
            let Some(id) = doc.get_first(f.id).and_then(|v| v.as_i64()) else {
                continue;
            };
            let owners: Vec<i64> = doc.get_all(f.owners).filter_map(|v| v.as_i64()).collect();
            let i = docs.len();
            for o in &owners {
                per_expert.entry(*o).or_default().push((kind, id, score, i));
            }
            docs.push(DocMatch {
                kind,
                id,
                score,
                title: text(f.title).unwrap_or_default(),
                owners,
                discipline: text(f.discipline),
                matched: Vec::new(),
            });
        }
        let explain =
            |d: &DocMatch, searcher_doc: &str| matched_terms(&tokens, &format!("{}\n{searcher_doc}", d.title));
        // Results: the top ones, each with the terms that agreed.
        for d in docs
            .iter()
            .filter(|d| d.kind == RecordKind::ResearchResult)
            .take(req.limit)
        {
            let mut d = d.clone();
            let body = self.stored_body(d.kind, d.id)?;
            d.matched = explain(&d, &body);
            results.push(d);
        }
        // Experts: their best documents, weighted.
        let mut experts: Vec<ExpertMatch> = per_expert
            .into_iter()
            .map(|(person_id, mut ds)| {
                ds.sort_by(|a, b| b.2.total_cmp(&a.2));
                let score = ds.iter().zip(EXPERT_WEIGHTS).map(|(d, w)| d.2 * w).sum();
                ExpertMatch {
                    person_id,
                    score,
                    docs: ds.iter().take(3).map(|d| (d.0, d.1, d.2)).collect(),
                    matched: Vec::new(),
                }
            })
            .collect();
        experts.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person_id.cmp(&b.person_id)));
        experts.truncate(req.limit);
        for e in &mut experts {
            let mut terms: Vec<String> = Vec::new();
            for (kind, id, _) in &e.docs {
                if let Some(d) = docs.iter().find(|d| d.kind == *kind && d.id == *id) {
                    let body = self.stored_body(*kind, *id)?;
                    for t in explain(d, &body) {
                        if !terms.contains(&t) {
                            terms.push(t);
                        }
                    }
                }
            }
            e.matched = terms;
        }
        Ok(Matches { results, experts })
    }
}
