//! Query-side synonyms for matching: a demand says 工地 where the literature says 建筑施工. Each
//! query token that is a word of a synonym group brings the analysed tokens of the group's other
//! words, which matching scores at a low weight in the body only (`matching::SYNONYM`).
//!
//! The groups are cnsyn 1.2.0's (Apache-2.0), filtered by `data/make_synonyms.py` to groups of two
//! to four words of two or more Chinese characters each.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::analysis;

const GROUPS: &str = include_str!("../data/synonyms.txt");

/// A word (normalised as the analyser normalises) → the distinct analysed tokens of the other words
/// of its groups, analysed once, when first needed.
static TABLE: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut table: HashMap<String, Vec<String>> = HashMap::new();
    for line in GROUPS.lines().filter(|l| !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let analysed: Vec<Vec<String>> = words
            .iter()
            .map(|w| analysis::tokens(w).into_iter().map(|t| t.text).collect())
            .collect();
        for (i, word) in words.iter().enumerate() {
            let entry = table.entry(analysis::normalize(word).0).or_default();
            for token in analysed
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, t)| t)
            {
                if !entry.contains(token) {
                    entry.push(token.clone());
                }
            }
        }
    }
    table
});

/// Builds the table now rather than on the first demand (0.19 s here, jieba's dictionary included).
pub fn warm() {
    LazyLock::force(&TABLE);
}

/// The tokens the synonyms of these query tokens bring, leaving out the query's own, in order.
pub fn expand(tokens: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for synonym in tokens.iter().filter_map(|t| TABLE.get(t)).flatten() {
        if !tokens.contains(synonym) && !out.contains(synonym) {
            out.push(synonym.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_brings_its_synonyms_tokens_but_not_the_querys_own() {
        let got = expand(&["工地".to_string(), "建设".to_string()]);
        assert!(got.contains(&"建筑施工".to_string()), "{got:?}");
        assert!(!got.iter().any(|t| t == "工地" || t == "建设"), "{got:?}");
        assert!(expand(&["不在词表里的词语".to_string()]).is_empty());
    }
}
