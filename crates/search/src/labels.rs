//! What a search counts and filters without the document store: each document's kind, county,
//! industry and status as a small number into a table of the segment's values, read once per
//! segment from the terms of those fields and kept while the segment lives. At a million projects
//! a search read 10,000 stored documents (their whole text, decompressed block by block) to count
//! its facets and check access, and showed 20 of them: 150 ms of its 165. Matching reads its
//! documents' kinds and disciplines here too.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, SegmentReader, TERMINATED};

/// No value: the document has no term in the field.
pub(crate) const NONE: u16 = u16::MAX;
/// Segments kept before all are forgotten (merged-away segments leave entries behind).
const CAPACITY: usize = 512;

/// One segment's labels: for each field (in the order asked), each document's value's number in
/// that field's table, or [`NONE`].
pub(crate) struct SegmentLabels {
    pub values: Vec<Vec<u16>>,
    pub tables: Vec<Vec<String>>,
}

impl SegmentLabels {
    /// The value of field `i` (in the order asked) for document `doc`.
    pub fn get(&self, i: usize, doc: u32) -> Option<&str> {
        let n = *self.values.get(i)?.get(doc as usize)?;
        (n != NONE).then(|| self.tables[i].get(n as usize).map(String::as_str))?
    }
}

/// A segment and the fields asked for (their numbers).
type Key = (SegmentId, Vec<u32>);
static KEPT: LazyLock<Mutex<HashMap<Key, Arc<SegmentLabels>>>> = LazyLock::new(Default::default);

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

/// The labels of `fields` (untokenised, one term per document) in the segment `reader` reads.
pub(crate) fn segment_labels(reader: &SegmentReader, fields: &[Field]) -> tantivy::Result<Arc<SegmentLabels>> {
    let key = (
        reader.segment_id(),
        fields.iter().map(|f| f.field_id()).collect::<Vec<_>>(),
    );
    if let Some(l) = KEPT.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(l.clone());
    }
    let n = reader.max_doc() as usize;
    let mut values = Vec::with_capacity(fields.len());
    let mut tables = Vec::with_capacity(fields.len());
    for &field in fields {
        let mut of_doc = vec![NONE; n];
        let mut table: Vec<String> = Vec::new();
        walk_terms(
            reader,
            field,
            |term| {
                // Terms are distinct: each gets the next number (beyond u16, none).
                let i = u16::try_from(table.len()).ok().filter(|i| *i != NONE)?;
                table.push(String::from_utf8_lossy(term).into_owned());
                Some(i)
            },
            |i, doc| of_doc[doc as usize] = i,
        )?;
        values.push(of_doc);
        tables.push(table);
    }
    let labels = Arc::new(SegmentLabels { values, tables });
    let mut kept = KEPT.lock().unwrap_or_else(|p| p.into_inner());
    if kept.len() >= CAPACITY {
        kept.clear();
    }
    kept.insert(key, labels.clone());
    Ok(labels)
}
