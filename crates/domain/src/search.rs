//! What the search index holds of a record: the store turns each searchable record into a
//! [`SearchDoc`]; the search crate analyses and indexes it. The index is derived: it is rebuilt or
//! caught up from the records (and their change feed) at any time.

use crate::RecordKind;

/// The record kinds the search box covers.
pub const SEARCHABLE: [RecordKind; 15] = [
    RecordKind::Organization,
    RecordKind::Person,
    RecordKind::Agreement,
    RecordKind::Project,
    RecordKind::Problem,
    RecordKind::Bulletin,
    RecordKind::Campaign,
    RecordKind::Demand,
    RecordKind::ResearchResult,
    RecordKind::ExpertWork,
    RecordKind::Platform,
    RecordKind::Outcome,
    RecordKind::Event,
    RecordKind::Decision,
    RecordKind::Message,
];

/// One record as the index sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchDoc {
    pub kind: RecordKind,
    pub id: i64,
    /// The record's name or title, shown as the hit's heading.
    pub title: String,
    /// Public text: descriptions, summaries, keywords, fields.
    pub body: String,
    /// Text only the office may search (a demand's confidential details).
    pub restricted: String,
    /// Names of people, organisations and places, found by their pinyin too (`jiangshan`, `js`).
    pub names: Vec<String>,
    /// Facets: the county-level division's name (江山市), the industry's name, the year, the status label.
    pub county: Option<String>,
    pub industry: Option<String>,
    pub year: Option<i32>,
    pub status: Option<String>,
    /// The experts a result, paper or profile belongs to (person ids): matching ranks experts by
    /// what they own.
    pub owners: Vec<i64>,
    /// The discipline (学科) of a result or an expert, for matching.
    pub discipline: Option<String>,
}

/// A change the index must take in: a record to (re)index, or one to drop (archived or gone).
// Changes are made and taken in one at a time, never kept in bulk: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SearchChange {
    Upsert(SearchDoc),
    Remove { kind: RecordKind, id: i64 },
}

impl SearchDoc {
    pub fn new(kind: RecordKind, id: i64, title: impl Into<String>) -> SearchDoc {
        SearchDoc {
            kind,
            id,
            title: title.into(),
            body: String::new(),
            restricted: String::new(),
            names: Vec::new(),
            county: None,
            industry: None,
            year: None,
            status: None,
            owners: Vec::new(),
            discipline: None,
        }
    }
}
