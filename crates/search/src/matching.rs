//! Matching a demand's text to the university's results and experts: the same analyser and index
//! as search, asked with OR semantics over the demand's tokens and restricted to results, papers
//! and patents, and expert profiles; experts are ranked document-centrically from what they own.
//! Each match says which terms agreed. Priors that need the records (place, load, earlier outcomes)
//! are applied by the caller on top of `score`.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use hezuo_domain::RecordKind;
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, SegmentReader, TERMINATED, TantivyDocument, Term};

use crate::analysis;
use crate::index::{Fields, SearchIndex};

/// Boosts of the title (a result's keywords, a paper's title, a person's name) and of the body
/// (summary, keywords, discipline). Tuned on the benchmark's public sets (docs/benchmarks.md):
/// title weight 3 / 2 / 1 / 0.5 / 0 gave demand MRR@10 0.893 / 0.908 / 0.926 / 0.932 / 0.929 with
/// sub-words at full weight, and 1 / 0.5 / 0 gave 0.940 / 0.948 / 0.943 with [`SUB_WORD`].
const TITLE_BOOST: f32 = 0.5;
const BODY_BOOST: f32 = 1.0;
/// Weight of a query token that is part of a longer query token. The analyser segments in jieba's
/// search mode (a compound and its sub-words), so without this a compound counts twice or three
/// times. Public sets, demand MRR@10 at 0 / 0.25 / 0.5 / 0.75 / 1 / 1.5: 0.944 / 0.947 / 0.948 /
/// 0.942 / 0.932 / 0.923.
const SUB_WORD: f32 = 0.5;
/// How many documents the expert ranking looks at (300 ranks experts as well as 1,000 did).
const POOL: usize = 300;
/// Weights of an expert's best and second documents (best three at 1, ½, ¼ was 0.004 lower).
const EXPERT_WEIGHTS: [f32; 2] = [1.0, 0.5];
/// How many of an expert's documents are shown as the reasons (the first ones score).
const EXPERT_DOCS: usize = 3;

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

/// What matching needs of every document of a segment, read once per segment (segments never
/// change): its kind and its discipline, as small numbers.
struct SegmentFacts {
    kind: Vec<u8>,
    discipline: Vec<u16>,
    disciplines: Vec<String>,
}

const NO_KIND: u8 = u8::MAX;
const NO_DISCIPLINE: u16 = u16::MAX;
const KINDS: [RecordKind; 3] = [RecordKind::ResearchResult, RecordKind::ExpertWork, RecordKind::Person];

/// Segments whose facts are kept (an index has a few dozen at most).
const FACTS_CAPACITY: usize = 512;
static FACTS: LazyLock<Mutex<HashMap<SegmentId, Arc<SegmentFacts>>>> = LazyLock::new(Default::default);

/// Every (term, document) of a field's postings in a segment: `term` maps a term to a value once,
/// `doc` takes that value for each document holding the term.
fn walk_terms<T: Copy>(
    reader: &SegmentReader,
    field: Field,
    mut term: impl FnMut(&[u8]) -> Option<T>,
    mut doc: impl FnMut(T, u32),
) -> tantivy::Result<()> {
    let inverted = reader.inverted_index(field)?;
    let mut terms = inverted.terms().stream()?;
    while terms.advance() {
        let Some(value) = term(terms.key()) else {
            continue;
        };
        let mut postings = inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
        let mut d = postings.doc();
        while d != TERMINATED {
            doc(value, d);
            d = postings.advance();
        }
    }
    Ok(())
}

fn segment_facts(reader: &SegmentReader, f: &Fields) -> tantivy::Result<Arc<SegmentFacts>> {
    let id = reader.segment_id();
    if let Some(facts) = FACTS.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return Ok(facts.clone());
    }
    let n = reader.max_doc() as usize;
    let mut kind = vec![NO_KIND; n];
    walk_terms(
        reader,
        f.kind,
        |key| KINDS.iter().position(|k| k.as_str().as_bytes() == key).map(|k| k as u8),
        |k, doc| kind[doc as usize] = k,
    )?;
    let mut discipline = vec![NO_DISCIPLINE; n];
    let mut disciplines: Vec<String> = Vec::new();
    walk_terms(
        reader,
        f.discipline,
        |key| {
            // Terms are distinct: each discipline gets the next number (beyond u16, none).
            let i = u16::try_from(disciplines.len()).ok().filter(|i| *i != NO_DISCIPLINE)?;
            disciplines.push(String::from_utf8_lossy(key).into_owned());
            Some(i)
        },
        |i, doc| discipline[doc as usize] = i,
    )?;
    let facts = Arc::new(SegmentFacts {
        kind,
        discipline,
        disciplines,
    });
    let mut cache = FACTS.lock().unwrap_or_else(|p| p.into_inner());
    // Segments merged away leave their entries behind: start afresh now and then.
    if cache.len() >= FACTS_CAPACITY {
        cache.clear();
    }
    cache.insert(id, facts.clone());
    Ok(facts)
}

/// The candidate documents, best first, and the disciplines they name.
#[derive(Default)]
struct Pool {
    docs: Vec<Candidate>,
    disciplines: Vec<String>,
}

/// A document of the candidate pool.
#[derive(Debug, Clone)]
struct Candidate {
    address: DocAddress,
    score: f32,
    kind: RecordKind,
    id: i64,
    owners: Vec<i64>,
    /// Index into the pool's discipline names.
    discipline: Option<usize>,
}

fn kind_query(f: &Fields) -> Box<dyn Query> {
    let kinds: Vec<(Occur, Box<dyn Query>)> = KINDS
        .iter()
        .map(|kind| {
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, kind.as_str()),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(kinds))
}

impl SearchIndex {
    /// OR over the tokens in title and body. A sub-word of another query token (梗死 of 脑梗死) weighs [`SUB_WORD`].
    fn text_query(&self, tokens: &[String]) -> BooleanQuery {
        let f = self.fields();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(tokens.len() * 2);
        for t in tokens {
            let sub_word = tokens.iter().any(|o| o.len() > t.len() && o.contains(t.as_str()));
            let weight = if sub_word { SUB_WORD } else { 1.0 };
            for (field, boost) in [(f.title, TITLE_BOOST), (f.body, BODY_BOOST)] {
                clauses.push((
                    Occur::Should,
                    crate::index::boosted(Term::from_field_text(field, t), boost * weight),
                ));
            }
        }
        BooleanQuery::new(clauses)
    }

    /// The best `n` results, papers and profiles for the tokens, with kind, id, owners and
    /// discipline. The kind restriction is part of the query: on the public sets that exhaustive
    /// union ran in 0.55 ms per demand, the unrestricted union (block-max WAND) over 600 hits and
    /// filtered afterwards in 2.1 ms — demands have 30 tokens or more, most of them common.
    fn pool(&self, searcher: &tantivy::Searcher, tokens: &[String], n: usize) -> anyhow::Result<Pool> {
        let f = self.fields();
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(self.text_query(tokens)) as Box<dyn Query>),
            (Occur::Must, kind_query(&f)),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(n).order_by_score())?;
        let mut pool = self.candidates(searcher, top, n)?;
        // Equal scores in record order, not in the index's (which depends on how it was built).
        pool.docs.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.kind.as_str().cmp(b.kind.as_str()))
                .then(a.id.cmp(&b.id))
        });
        Ok(pool)
    }

    /// The hits of the matching kinds, best first, at most `n`.
    fn candidates(&self, searcher: &tantivy::Searcher, top: Vec<(f32, DocAddress)>, n: usize) -> anyhow::Result<Pool> {
        let f = self.fields();
        let mut pool = Pool::default();
        type Columns = (Arc<SegmentFacts>, Column<i64>, Column<i64>);
        let mut per_segment: HashMap<u32, Columns> = HashMap::new();
        for (score, address) in top {
            if pool.docs.len() >= n {
                break;
            }
            let (facts, ids, owners) = match per_segment.entry(address.segment_ord) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let reader = searcher.segment_reader(address.segment_ord);
                    let fast = reader.fast_fields();
                    e.insert((segment_facts(reader, &f)?, fast.i64("id")?, fast.i64("owners")?))
                }
            };
            let d = address.doc_id as usize;
            let Some(kind) = KINDS.get(facts.kind[d] as usize) else {
                continue;
            };
            let Some(id) = ids.first(address.doc_id) else {
                continue;
            };
            let discipline = match facts.discipline[d] {
                NO_DISCIPLINE => None,
                i => {
                    let name = &facts.disciplines[i as usize];
                    Some(match pool.disciplines.iter().position(|x| x == name) {
                        Some(j) => j,
                        None => {
                            pool.disciplines.push(name.clone());
                            pool.disciplines.len() - 1
                        }
                    })
                }
            };
            pool.docs.push(Candidate {
                address,
                score,
                kind: *kind,
                id,
                owners: owners.values_for_doc(address.doc_id).collect(),
                discipline,
            });
        }
        Ok(pool)
    }

    /// For each document, the terms (of `terms`, in their order) found in its title or body, read
    /// from the postings rather than by analysing the stored text again.
    fn terms_in(
        &self,
        searcher: &tantivy::Searcher,
        terms: &[String],
        docs: &[DocAddress],
    ) -> anyhow::Result<Vec<Vec<String>>> {
        let f = self.fields();
        let mut found: Vec<Vec<bool>> = vec![vec![false; terms.len()]; docs.len()];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| (docs[i].segment_ord, docs[i].doc_id));
        let mut start = 0;
        while start < order.len() {
            let seg = docs[order[start]].segment_ord;
            let end = start
                + order[start..]
                    .iter()
                    .take_while(|&&i| docs[i].segment_ord == seg)
                    .count();
            let reader = searcher.segment_reader(seg);
            for field in [f.title, f.body] {
                let inverted = reader.inverted_index(field)?;
                for (ti, t) in terms.iter().enumerate() {
                    let Some(mut postings) =
                        inverted.read_postings(&Term::from_field_text(field, t), IndexRecordOption::Basic)?
                    else {
                        continue;
                    };
                    for &i in &order[start..end] {
                        // `order` may repeat a document (an expert's paper that is also a result).
                        if postings.doc() <= docs[i].doc_id && postings.seek(docs[i].doc_id) == docs[i].doc_id {
                            found[i][ti] = true;
                        }
                    }
                }
            }
            start = end;
        }
        Ok(found
            .into_iter()
            .map(|row| {
                terms
                    .iter()
                    .zip(row)
                    .filter(|(_, b)| *b)
                    .map(|(t, _)| t.clone())
                    .collect()
            })
            .collect())
    }

    /// Tokens, most informative (rarest) first.
    fn by_rarity(&self, searcher: &tantivy::Searcher, tokens: &[String]) -> Vec<String> {
        let f = self.fields();
        let mut v: Vec<(u64, usize, &String)> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let df = searcher.doc_freq(&Term::from_field_text(f.body, t)).unwrap_or(0);
                (df, i, t)
            })
            .collect();
        v.sort();
        v.into_iter().map(|(_, _, t)| t.clone()).collect()
    }

    /// Results and experts for a demand's text, best first (`limit` of each).
    pub fn match_demand(&self, req: &MatchRequest) -> anyhow::Result<Matches> {
        let tokens = distinct_tokens(&req.text);
        if tokens.is_empty() || req.limit == 0 {
            return Ok(Matches::default());
        }
        let f = self.fields();
        let searcher = self.searcher();
        let pool = self.pool(&searcher, &tokens, POOL.max(req.limit))?;
        let results: Vec<&Candidate> = pool
            .docs
            .iter()
            .filter(|c| c.kind == RecordKind::ResearchResult)
            .take(req.limit)
            .collect();
        // Experts, document-centric: each one's best two documents in the pool, weighted.
        let mut per_expert: HashMap<i64, Vec<&Candidate>> = HashMap::new();
        for c in &pool.docs {
            for o in &c.owners {
                per_expert.entry(*o).or_default().push(c);
            }
        }
        let mut experts: Vec<(i64, f32, Vec<&Candidate>)> = per_expert
            .into_iter()
            .map(|(person, ds)| {
                // `ds` is in pool order: best first.
                let score = ds.iter().zip(EXPERT_WEIGHTS).map(|(c, w)| c.score * w).sum();
                (person, score, ds)
            })
            .collect();
        experts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        experts.truncate(req.limit);

        // Reasons: which query terms each shown document contains, most informative first.
        let ordered = self.by_rarity(&searcher, &tokens);
        let mut shown: Vec<DocAddress> = results.iter().map(|c| c.address).collect();
        for (_, _, ds) in &experts {
            shown.extend(ds.iter().take(EXPERT_DOCS).map(|c| c.address));
        }
        let mut found = self.terms_in(&searcher, &ordered, &shown)?.into_iter();
        let mut out = Matches::default();
        for c in results {
            let doc: TantivyDocument = searcher.doc(c.address)?;
            out.results.push(DocMatch {
                kind: c.kind,
                id: c.id,
                score: c.score,
                title: doc
                    .get_first(f.title)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                owners: c.owners.clone(),
                discipline: c.discipline.map(|d| pool.disciplines[d].clone()),
                matched: found.next().unwrap_or_default(),
            });
        }
        for (person_id, score, ds) in experts {
            let mut matched: Vec<String> = Vec::new();
            for _ in ds.iter().take(EXPERT_DOCS) {
                for t in found.next().unwrap_or_default() {
                    if !matched.contains(&t) {
                        matched.push(t);
                    }
                }
            }
            matched.sort_by_key(|t| ordered.iter().position(|o| o == t));
            out.experts.push(ExpertMatch {
                person_id,
                score,
                docs: ds.iter().take(EXPERT_DOCS).map(|c| (c.kind, c.id, c.score)).collect(),
                matched,
            });
        }
        Ok(out)
    }
}
