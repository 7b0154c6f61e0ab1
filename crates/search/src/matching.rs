//! Matching a demand's text to the university's results and experts: the same analyser and index
//! as search, with OR semantics over the demand's tokens (BM25 over title and body), restricted to
//! results, papers and patents, and expert profiles; experts are ranked document-centrically from
//! what they own. Each match says which terms agreed. Priors that need the records (place, load,
//! earlier outcomes) are applied by the caller on top of `score` (`hezuo_app::matching::with_priors`).
//!
//! The scoring is our own loop over tantivy's postings, term at a time into one array per segment
//! (`SearchIndex::pool` says why), with tantivy's BM25 weights, so scores are tantivy's.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use hezuo_domain::RecordKind;
use tantivy::columnar::{Column, StrColumn};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::TermInfo;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, SegmentReader, Term};

use crate::index::{Fields, SearchIndex};
use crate::labels::segment_labels;
use crate::{analysis, synonyms};

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
/// Weight of a token brought by a synonym of a query token (`crate::synonyms`), in the body only.
/// Public sets, demand MRR@10 at 0 / 0.1 / 0.2 / 0.3 / 0.5: see docs/benchmarks.md.
const SYNONYM: f32 = 0.2;
/// How many documents the expert ranking looks at (300 ranks experts as well as 1,000 did).
const POOL: usize = 300;
/// Weights of an expert's best and second documents (best three at 1, ½, ¼ was 0.004 lower).
const EXPERT_WEIGHTS: [f32; 2] = [1.0, 0.5];
/// How many of an expert's documents are shown as the reasons (the first ones score).
const EXPERT_DOCS: usize = 3;

/// The [`DocMatch::evidence`] from which a suggestion is a strong match: below it, a result shares
/// only common words with the demand (材料、方法、工艺). A demand none of whose first three results
/// and experts reaches it is told "no strong match". Calibrated on the tune halves only (`bench/matching/
/// halves.py --calibrate`: the threshold under which at most 5 % of the tune halves' answerable
/// demands whose first result is right would fall), reported on the other halves
/// (docs/benchmarks.md). The index's rarity is relative to its size, so the threshold carries over
/// roughly: the benchmark's index has 10,078 documents.
pub const STRONG_EVIDENCE: f32 = 0.924;

/// How many of the first results, and of the first experts, [`Matches::strong`] looks at.
pub const STRONG_AMONG: usize = 3;

/// A suggestion's confidence from its evidence, between 0 and 1 and not relative to the other
/// suggestions: one half at [`STRONG_EVIDENCE`], nearing 1 as the evidence grows.
pub fn confidence(evidence: f32) -> f32 {
    if evidence <= 0.0 {
        return 0.0;
    }
    evidence / (evidence + STRONG_EVIDENCE.max(f32::EPSILON))
}

/// Whether a suggestion with this evidence is a strong match ([`STRONG_EVIDENCE`]).
pub fn strong(evidence: f32) -> bool {
    evidence >= STRONG_EVIDENCE
}

impl Matches {
    /// Whether one of the first [`STRONG_AMONG`] results or experts is a strong match: when none
    /// is, the suggestions share only common words with the demand.
    pub fn strong(&self) -> bool {
        let results = self.results.iter().take(STRONG_AMONG).map(|r| r.evidence);
        let experts = self.experts.iter().take(STRONG_AMONG).map(|e| e.evidence);
        results.chain(experts).any(strong)
    }
}

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
    /// How much of what is particular to the demand the document shares: over the demand's own
    /// words it contains (sub-words and synonyms left out), each once, the sum of (the word's
    /// rarity in the index × its rarity in general Chinese)^1.5 — absolute, unlike `score`, which
    /// only ranks ([`confidence`], [`STRONG_EVIDENCE`]).
    pub evidence: f32,
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
    /// The best [`DocMatch::evidence`] of those documents (each on its own: three papers that
    /// share a common word each are no strong match together).
    pub evidence: f32,
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
/// change): its kind, as a place in [`KINDS`], and its discipline, from the segment's `labels`.
struct SegmentFacts {
    kind: Vec<u8>,
    /// The segment's kinds (field 0) and disciplines (field 1).
    labels: Arc<crate::labels::SegmentLabels>,
}

impl SegmentFacts {
    /// Document `d`'s discipline: a number into [`SegmentFacts::disciplines`], or [`NO_DISCIPLINE`].
    fn discipline(&self, d: usize) -> u16 {
        self.labels.values[1][d]
    }
    fn disciplines(&self) -> &[String] {
        &self.labels.tables[1]
    }
}

const NO_KIND: u8 = u8::MAX;
const NO_DISCIPLINE: u16 = crate::labels::NONE;
const KINDS: [RecordKind; 3] = [RecordKind::ResearchResult, RecordKind::ExpertWork, RecordKind::Person];

/// Segments whose facts are kept (an index has a few dozen at most).
const FACTS_CAPACITY: usize = 512;
static FACTS: LazyLock<Mutex<HashMap<SegmentId, Arc<SegmentFacts>>>> = LazyLock::new(Default::default);

fn segment_facts(reader: &SegmentReader, f: &Fields) -> tantivy::Result<Arc<SegmentFacts>> {
    let id = reader.segment_id();
    if let Some(facts) = FACTS.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return Ok(facts.clone());
    }
    let labels = segment_labels(reader, &[f.kind, f.discipline])?;
    // The segment's kinds, as places in KINDS (the scoring loop tests one byte per document).
    let places: Vec<u8> = labels.tables[0]
        .iter()
        .map(|k| KINDS.iter().position(|x| x.as_str() == k).map_or(NO_KIND, |p| p as u8))
        .collect();
    let kind = labels.values[0]
        .iter()
        .map(|&i| places.get(i as usize).copied().unwrap_or(NO_KIND))
        .collect();
    let facts = Arc::new(SegmentFacts { kind, labels });
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
    /// The candidates' owners, one after another (each candidate names its range).
    owners: Vec<i64>,
}

/// A document of the candidate pool.
#[derive(Debug, Clone)]
struct Candidate {
    address: DocAddress,
    score: f32,
    kind: RecordKind,
    id: i64,
    /// Range in the pool's owners.
    owners: std::ops::Range<usize>,
    /// Index into the pool's discipline names.
    discipline: Option<usize>,
}

/// A query token in one field: its BM25 weight with the boosts, and where its postings are in
/// each segment (by segment ordinal).
struct WeightedTerm {
    field: Field,
    /// Index of the token in the query's tokens.
    token: usize,
    bm25: Bm25Weight,
    infos: Vec<Option<TermInfo>>,
}

/// The query's terms in the fields matching reads, and each token's document frequency in the
/// body (for ordering the reasons, rarest first).
struct TermTable {
    terms: Vec<WeightedTerm>,
    body_df: Vec<u64>,
}

/// Whether a query token is part of a longer one (梗死 of 脑梗死): jieba's search mode yields a
/// compound and its pieces.
fn is_sub_word(token: &str, tokens: &[String]) -> bool {
    tokens.iter().any(|o| o.len() > token.len() && o.contains(token))
}

/// The fields a demand is matched against, with their boosts.
fn matched_fields(f: &Fields) -> [(Field, f32); 2] {
    [(f.title, TITLE_BOOST), (f.body, BODY_BOOST)]
}

/// The best `n` of `v[start..]`, by score, highest first (ties in index order).
fn keep_best(v: &mut Vec<(f32, DocAddress)>, start: usize, n: usize) {
    let by_score = |a: &(f32, DocAddress), b: &(f32, DocAddress)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let tail = &mut v[start..];
    if tail.len() > n {
        tail.select_nth_unstable_by(n, by_score);
        v.truncate(start + n);
    }
    v[start..].sort_unstable_by(by_score);
}

/// Each of the demand's words' weight as evidence: how rare it is in the index (its inverse document
/// frequency in the body, over that of a word in one document) times how rare it is in general
/// Chinese ([`analysis::specificity`]), to the power 1.5 — a word counts much only if it is both:
/// 工艺 may be rare in a small index but is common in the language; a person's or a company's name
/// in a demand is rare in the language but in no document. A sub-word counts nothing (its compound
/// does). The form and power were chosen on the tune halves (docs/benchmarks.md, "Saying when
/// nothing fits").
fn evidence_weights(query: &[String], body_df: &[u64], total_docs: u64) -> Vec<f32> {
    let total_docs = total_docs as f32;
    let rarest = (1.0 + (total_docs - 0.5) / 1.5).ln().max(f32::EPSILON);
    query
        .iter()
        .zip(body_df)
        .map(|(t, &df)| {
            if df == 0 || is_sub_word(t, query) {
                return 0.0;
            }
            let df = df as f32;
            let in_index = (1.0 + (total_docs - df + 0.5) / (df + 0.5)).ln() / rarest;
            (in_index * analysis::specificity(t)).powf(1.5)
        })
        .collect()
}

/// The evidence of a document holding the words `found` says it holds ([`DocMatch::evidence`]).
fn evidence(weight: &[f32], found: &[bool]) -> f32 {
    weight.iter().zip(found).filter(|(_, f)| **f).map(|(w, _)| w).sum()
}

/// Prepares what matching loads on first use (the synonym table and jieba's dictionary, 0.19 s
/// here), so that a server's first demand is not the slow one.
pub fn warm() {
    synonyms::warm();
}

impl SearchIndex {
    /// The query's terms: each token in title and body, with its BM25 weight over the whole index
    /// (as tantivy's `TermQuery` computes it) times the field's boost, and [`SUB_WORD`] for a token
    /// inside a longer query token (梗死 of 脑梗死); where each one's postings are in every segment,
    /// looked up once for scoring and for the reasons. Tokens from `query` on are the synonyms'
    /// (body only, at [`SYNONYM`]). Terms in no document are left out.
    fn term_table(&self, searcher: &tantivy::Searcher, tokens: &[String], query: usize) -> tantivy::Result<TermTable> {
        let f = self.fields();
        let total_docs = searcher.total_num_docs()?;
        let mut table = TermTable {
            terms: Vec::with_capacity(tokens.len() * 2),
            body_df: vec![0; tokens.len()],
        };
        for (field, boost) in matched_fields(&f) {
            let inverted: Vec<Arc<InvertedIndexReader>> = searcher
                .segment_readers()
                .iter()
                .map(|r| r.inverted_index(field))
                .collect::<tantivy::Result<_>>()?;
            let tokens_in_field: u64 = inverted.iter().map(|i| i.total_num_tokens()).sum();
            let average = tokens_in_field as f32 / total_docs.max(1) as f32;
            for (i, t) in tokens.iter().enumerate() {
                if i >= query && field != f.body {
                    break;
                }
                let term = Term::from_field_text(field, t);
                let infos: Vec<Option<TermInfo>> = inverted
                    .iter()
                    .map(|inv| inv.get_term_info(&term))
                    .collect::<std::io::Result<_>>()?;
                let df: u64 = infos.iter().flatten().map(|info| u64::from(info.doc_freq)).sum();
                if field == f.body {
                    table.body_df[i] = df;
                }
                if df == 0 {
                    continue;
                }
                let weight = if i >= query {
                    SYNONYM
                } else if is_sub_word(t, &tokens[..query]) {
                    SUB_WORD
                } else {
                    1.0
                };
                table.terms.push(WeightedTerm {
                    field,
                    token: i,
                    bm25: Bm25Weight::for_one_term_without_explain(df, total_docs, average).boost_by(boost * weight),
                    infos,
                });
            }
        }
        Ok(table)
    }

    /// The best `n` results, papers and profiles for the tokens (OR over title and body, BM25),
    /// with kind, id, owners and discipline.
    ///
    /// Scored term at a time into one score per document of a segment: a demand has 30 tokens or
    /// more, most of them common, and only three record kinds may answer. Tantivy's union
    /// intersected with a kind query scored every document holding any token through a heap of
    /// scorers (0.55 ms a demand on the public sets, 25 ms p99 at a million documents); block-max
    /// WAND over the unrestricted union, filtered afterwards, was slower still (2.1 ms), as a pool
    /// of 300 for the experts leaves it little to skip. Here each posting list is read in blocks
    /// and added to a plain array; the kind is a lookup in the segment's facts.
    fn pool(&self, searcher: &tantivy::Searcher, table: &TermTable, n: usize) -> anyhow::Result<Pool> {
        let f = self.fields();
        let mut top: Vec<(f32, DocAddress)> = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let facts = segment_facts(reader, &f)?;
            let mut scores = vec![0f32; reader.max_doc() as usize];
            let fields: Vec<(Field, Arc<InvertedIndexReader>, FieldNormReader)> = matched_fields(&f)
                .into_iter()
                .map(|(field, _)| {
                    Ok((
                        field,
                        reader.inverted_index(field)?,
                        reader.get_fieldnorms_reader(field)?,
                    ))
                })
                .collect::<tantivy::Result<_>>()?;
            for t in &table.terms {
                let Some(info) = &t.infos[ord] else {
                    continue;
                };
                let (_, inverted, norms) = fields
                    .iter()
                    .find(|x| x.0 == t.field)
                    .expect("the table's terms are in the matched fields");
                let mut block = inverted.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
                while !block.docs().is_empty() {
                    for (&d, &tf) in block.docs().iter().zip(block.freqs()) {
                        scores[d as usize] += t.bm25.score(norms.fieldnorm_id(d), tf);
                    }
                    block.advance();
                }
            }
            let alive = reader.alive_bitset();
            let start = top.len();
            // Keep at most a few times `n` of each segment, so a million matching documents are
            // never held: whenever 4n are waiting, the best n stay and the n-th score becomes the
            // floor a later document must pass (one with an equal score would rank after them, as
            // it comes later in the segment).
            let mut floor = 0.0f32;
            for (d, &score) in scores.iter().enumerate() {
                if score > floor && facts.kind[d] != NO_KIND && alive.is_none_or(|a| a.is_alive(d as u32)) {
                    top.push((score, DocAddress::new(ord as u32, d as u32)));
                    if top.len() - start >= 4 * n.max(1) {
                        keep_best(&mut top, start, n);
                        floor = top.last().map_or(floor, |b| b.0);
                    }
                }
            }
            keep_best(&mut top, start, n);
        }
        keep_best(&mut top, 0, n);
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
        // Per segment: its facts, id and owners columns, and its discipline numbers → the pool's.
        type Columns = (Arc<SegmentFacts>, Column<i64>, Column<i64>, Vec<Option<usize>>);
        let mut per_segment: HashMap<u32, Columns> = HashMap::new();
        for (score, address) in top {
            if pool.docs.len() >= n {
                break;
            }
            let (facts, ids, owners, in_pool) = match per_segment.entry(address.segment_ord) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let reader = searcher.segment_reader(address.segment_ord);
                    let fast = reader.fast_fields();
                    let facts = segment_facts(reader, &f)?;
                    let in_pool = vec![None; facts.disciplines().len()];
                    e.insert((facts, fast.i64("id")?, fast.i64("owners")?, in_pool))
                }
            };
            let d = address.doc_id as usize;
            let Some(kind) = KINDS.get(facts.kind[d] as usize) else {
                continue;
            };
            let Some(id) = ids.first(address.doc_id) else {
                continue;
            };
            let discipline = match facts.discipline(d) {
                NO_DISCIPLINE => None,
                i => Some(*in_pool[i as usize].get_or_insert_with(|| {
                    let name = &facts.disciplines()[i as usize];
                    match pool.disciplines.iter().position(|x| x == name) {
                        Some(j) => j,
                        None => {
                            pool.disciplines.push(name.clone());
                            pool.disciplines.len() - 1
                        }
                    }
                })),
            };
            pool.docs.push(Candidate {
                address,
                score,
                kind: *kind,
                id,
                owners: {
                    let start = pool.owners.len();
                    pool.owners.extend(owners.values_for_doc(address.doc_id));
                    start..pool.owners.len()
                },
                discipline,
            });
        }
        Ok(pool)
    }

    /// For each document, which of the first `query` tokens (by index) are found in its title or
    /// body, read from the postings rather than by analysing the stored text again.
    fn tokens_in(
        &self,
        searcher: &tantivy::Searcher,
        table: &TermTable,
        query: usize,
        docs: &[DocAddress],
    ) -> anyhow::Result<Vec<Vec<bool>>> {
        let mut found: Vec<Vec<bool>> = vec![vec![false; query]; docs.len()];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| (docs[i].segment_ord, docs[i].doc_id));
        for run in order.chunk_by(|&a, &b| docs[a].segment_ord == docs[b].segment_ord) {
            let seg = docs[run[0]].segment_ord;
            let reader = searcher.segment_reader(seg);
            for t in table.terms.iter().filter(|t| t.token < query) {
                let Some(info) = &t.infos[seg as usize] else {
                    continue;
                };
                let mut postings = reader
                    .inverted_index(t.field)?
                    .read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                for &i in run {
                    // `run` may repeat a document (an expert's paper that is also a result).
                    if postings.doc() <= docs[i].doc_id && postings.seek(docs[i].doc_id) == docs[i].doc_id {
                        found[i][t.token] = true;
                    }
                }
            }
        }
        Ok(found)
    }

    /// The titles of these documents, from their fast column (not the document store, which would
    /// decompress a block of whole documents for each).
    fn titles(&self, searcher: &tantivy::Searcher, docs: &[DocAddress]) -> anyhow::Result<Vec<String>> {
        let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
        docs.iter()
            .map(|a| {
                let column = match columns.entry(a.segment_ord) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(searcher.segment_reader(a.segment_ord).fast_fields().str("title")?),
                };
                let mut title = String::new();
                if let Some(c) = column
                    && let Some(ord) = c.term_ords(a.doc_id).next()
                {
                    c.ord_to_str(ord, &mut title)?;
                }
                Ok(title)
            })
            .collect()
    }

    /// Results and experts for a demand's text, best first (`limit` of each).
    pub fn match_demand(&self, req: &MatchRequest) -> anyhow::Result<Matches> {
        let mut tokens = distinct_tokens(&req.text);
        if tokens.is_empty() || req.limit == 0 {
            return Ok(Matches::default());
        }
        let query = tokens.len();
        tokens.extend(synonyms::expand(&tokens));
        let searcher = self.searcher();
        let table = self.term_table(&searcher, &tokens, query)?;
        let pool = self.pool(&searcher, &table, POOL.max(req.limit))?;
        let results: Vec<&Candidate> = pool
            .docs
            .iter()
            .filter(|c| c.kind == RecordKind::ResearchResult)
            .take(req.limit)
            .collect();
        // Experts, document-centric: each one's best two documents in the pool, weighted.
        // (owner, document) in owner order, each owner's documents in pool order: best first.
        let mut owned: Vec<(i64, usize)> = Vec::with_capacity(pool.docs.len());
        for (i, c) in pool.docs.iter().enumerate() {
            owned.extend(pool.owners[c.owners.clone()].iter().map(|o| (*o, i)));
        }
        owned.sort_unstable();
        let mut experts: Vec<(i64, f32, Vec<&Candidate>)> = owned
            .chunk_by(|a, b| a.0 == b.0)
            .map(|run| {
                let ds: Vec<&Candidate> = run.iter().map(|(_, i)| &pool.docs[*i]).collect();
                let score = ds.iter().zip(EXPERT_WEIGHTS).map(|(c, w)| c.score * w).sum();
                (run[0].0, score, ds)
            })
            .collect();
        experts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        experts.truncate(req.limit);

        // Reasons: which query tokens each shown document contains, most informative (rarest) first.
        // A synonym's token or a sub-word (学工 of 化学工程) counts in the score but is no reason a
        // person would read.
        let mut rarity: Vec<usize> = (0..query).collect();
        rarity.sort_by_key(|&i| (table.body_df[i], i));
        rarity.retain(|&i| !is_sub_word(&tokens[i], &tokens[..query]));
        let terms_of = |found: &[bool]| -> Vec<String> {
            rarity
                .iter()
                .filter(|&&i| found[i])
                .map(|&i| tokens[i].clone())
                .collect()
        };
        let weight = evidence_weights(&tokens[..query], &table.body_df, searcher.total_num_docs()?);
        let evidence_of = |found: &[bool]| -> f32 { evidence(&weight, found) };
        let mut shown: Vec<DocAddress> = results.iter().map(|c| c.address).collect();
        for (_, _, ds) in &experts {
            shown.extend(ds.iter().take(EXPERT_DOCS).map(|c| c.address));
        }
        let found = self.tokens_in(&searcher, &table, query, &shown)?;
        let titles = self.titles(&searcher, &shown[..results.len()])?;
        let mut rows = found.iter();
        let mut out = Matches::default();
        for (c, title) in results.into_iter().zip(titles) {
            let row = rows.next();
            out.results.push(DocMatch {
                kind: c.kind,
                id: c.id,
                score: c.score,
                title,
                owners: pool.owners[c.owners.clone()].to_vec(),
                discipline: c.discipline.map(|d| pool.disciplines[d].clone()),
                matched: row.map(|r| terms_of(r)).unwrap_or_default(),
                evidence: row.map_or(0.0, |r| evidence_of(r)),
            });
        }
        for (person_id, score, ds) in experts {
            let mut any = vec![false; query];
            let mut best = 0f32;
            for row in rows.by_ref().take(ds.len().min(EXPERT_DOCS)) {
                any.iter_mut().zip(row).for_each(|(a, r)| *a |= *r);
                best = best.max(evidence_of(row));
            }
            out.experts.push(ExpertMatch {
                person_id,
                score,
                docs: ds.iter().take(EXPERT_DOCS).map(|c| (c.kind, c.id, c.score)).collect(),
                matched: terms_of(&any),
                evidence: best,
            });
        }
        Ok(out)
    }
}
