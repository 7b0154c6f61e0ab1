//! Search: Chinese analysis and the tantivy index over every searchable record. Imports domain.
//!
//! [`analysis`] holds the pure text functions (normalisation, jieba tokens, pinyin keys,
//! similarity, highlighting); `index` holds [`SearchIndex`], which the store's change feed keeps
//! up to date and the web layer queries; [`matching`] ranks results and experts for a demand,
//! adding the synonyms of the demand's words from `synonyms` (compiled-in groups, low weight);
//! `labels` keeps each segment's kinds, counties, industries and statuses, read once from the terms.

pub mod analysis;
mod index;
mod labels;
pub mod matching;
mod synonyms;

pub use analysis::{highlight, similarity};
pub use index::{Facets, HezuoTokenizer, Hit, SearchIndex, SearchRequest, TOKENIZER, facets};
pub use matching::{DocMatch, ExpertMatch, MatchRequest, Matches, STRONG_EVIDENCE, confidence, strong};
