//! Search: Chinese analysis and the tantivy index over every searchable record. Imports domain.
//!
//! [`analysis`] holds the pure text functions (normalisation, jieba tokens, pinyin keys,
//! similarity, highlighting); `index` holds [`SearchIndex`], which the store's change feed keeps
//! up to date and the web layer queries.

pub mod analysis;
mod index;

pub use analysis::{highlight, similarity};
pub use index::{Facets, HezuoTokenizer, Hit, SearchIndex, SearchRequest, TOKENIZER, facets};
