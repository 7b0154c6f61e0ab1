//! Chinese text analysis, pure functions without an index: normalisation (traditional→simplified,
//! full-width→half-width, lowercase, removal of parenthesised pinyin "debris") with offsets into the
//! original text, jieba segmentation with our user dictionary, pinyin keys for names, the cosine
//! similarity of two texts and query highlighting.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use jieba_rs::Jieba;
use pinyin::ToPinyin;

/// Our user dictionary (GB/T 4754 industries, disciplines, cooperation terms), made by
/// `data/make_userdict.py`.
const USER_DICT: &str = include_str!("../data/userdict.txt");

/// Whether jieba's HMM guesses unknown words. Without it an unknown word (a person's name) falls
/// apart into single characters, which segment the same way in a query and in a document whatever
/// the context; with it, the guess depends on the neighbours and a query may miss.
const HMM: bool = false;

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    jieba
        .load_dict(&mut USER_DICT.as_bytes())
        .expect("the compiled-in user dictionary is well formed");
    jieba
});

/// The sum of the frequencies in jieba's default dictionary (a general corpus of Chinese), to which
/// [`specificity`] relates a word's frequency.
const DICT_TOTAL: f32 = 60_101_964.0;

/// How specific a word is in general Chinese, from 0 (the commonest) to 1 (a word never seen): its
/// self-information in jieba's dictionary frequencies, ln(total / frequency), over ln(total). 方法
/// 0.45, 材料 0.49, 工艺 0.56, 废水 0.70, 聚乙烯醇 0.84; a word not in the dictionary (an English
/// term, a rare compound) is estimated from its pieces, as jieba does.
pub fn specificity(word: &str) -> f32 {
    let freq = JIEBA.suggest_freq(word).max(1) as f32;
    ((DICT_TOTAL.ln() - freq.ln()) / DICT_TOTAL.ln()).clamp(0.0, 1.0)
}

const STOPWORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "是", "在", "对", "等", "中", "把", "被", "就", "也", "都", "而", "或", "其", "之",
    "为", "以", "于", "上", "下", "着", "并", "及其", "以及", "a", "an", "the", "of", "and", "or", "in", "on", "for",
    "to", "with", "by", "at", "as", "is", "are", "be", "from", "this", "that",
];

static STOPWORD_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| STOPWORDS.iter().copied().collect());

/// A Han (CJK ideograph) character.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0xF900..=0xFAFF | 0x30000..=0x3134F)
}

const TONE_VOWELS: &str = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ";

/// Folds one character: full-width→half-width, then traditional→simplified (Han only).
fn fold_char(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    if is_han(c) {
        let mut buf = [0u8; 4];
        let s = hanconv::t2s(c.encode_utf8(&mut buf));
        let mut chars = s.chars();
        if let (Some(first), None) = (chars.next(), chars.next()) {
            return first;
        }
    }
    c
}

/// Whether the content of a parenthesis after a Han character is a pinyin reading to drop.
fn is_pinyin_debris(content: &[char]) -> bool {
    if content.is_empty() {
        return false;
    }
    let letterish = |c: char| c.is_ascii_alphabetic() || c == 'ü' || c == 'Ü' || TONE_VOWELS.contains(c);
    if !content
        .iter()
        .all(|&c| letterish(c) || ('1'..='5').contains(&c) || c == ' ' || c == '\'')
    {
        return false;
    }
    if !content.iter().any(|&c| letterish(c)) {
        return false;
    }
    if content.iter().any(|&c| TONE_VOWELS.contains(c) || c == 'ü') {
        return true;
    }
    // Toneless: all lowercase, syllables (split on spaces, apostrophes, tone digits) of ≤ 6 letters.
    if content.iter().any(|c| c.is_ascii_uppercase()) {
        return false;
    }
    let s: String = content.iter().collect();
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .all(|w| w.len() <= 6)
}

/// Normalises `text` character by character; returns the normalised text and, for each of its
/// characters, the byte offset of the original character it came from.
pub fn normalize(text: &str) -> (String, Vec<usize>) {
    let folded: Vec<(usize, char)> = text.char_indices().map(|(i, c)| (i, fold_char(c))).collect();
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(folded.len());
    let mut prev_han = false;
    let mut i = 0;
    while i < folded.len() {
        let (offset, c) = folded[i];
        if c == '(' && prev_han {
            let close = folded[i + 1..].iter().take(40).position(|&(_, c)| c == ')');
            if let Some(len) = close {
                let content: Vec<char> = folded[i + 1..i + 1 + len].iter().map(|&(_, c)| c).collect();
                if is_pinyin_debris(&content) {
                    i += len + 2;
                    continue;
                }
            }
        }
        prev_han = is_han(c);
        for lower in c.to_lowercase() {
            out.push(lower);
            map.push(offset);
        }
        i += 1;
    }
    (out, map)
}

/// A token: its normalised text and the byte range of the original text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// The search tokens of `text`: normalised, segmented in jieba's search mode (a compound and its
/// sub-words), without punctuation, whitespace and stopwords; offsets point into `text`.
pub fn tokens(text: &str) -> Vec<Token> {
    let (norm, map) = normalize(text);
    // Byte offset in `norm` → char index in `norm` (jieba gives byte offsets into its input).
    let mut char_at = HashMap::with_capacity(map.len() + 1);
    for (ci, (bi, _)) in norm.char_indices().enumerate() {
        char_at.insert(bi, ci);
    }
    char_at.insert(norm.len(), map.len());
    let end_of = |ci: usize| -> usize {
        // End byte of the original char that normalised char `ci` came from.
        let from = map[ci];
        from + text[from..].chars().next().map_or(0, char::len_utf8)
    };
    JIEBA
        .cut_for_search(&norm, HMM)
        .into_iter()
        .filter(|t| t.word.chars().any(char::is_alphanumeric) && !STOPWORD_SET.contains(t.word.trim()))
        .filter_map(|t| {
            let start = *char_at.get(&t.byte_start)?;
            let end = *char_at.get(&t.byte_end)?;
            if end <= start {
                return None;
            }
            let word = t.word.trim();
            if word.is_empty() {
                return None;
            }
            Some(Token {
                text: word.to_string(),
                from: map[start],
                to: end_of(end - 1),
            })
        })
        .collect()
}

/// Pinyin keys of a name (江山市): the toneless pinyin of every contiguous run of its Han characters
/// (jiang, shan, shi, jiangshan, shanshi, jiangshanshi; at most 8 syllables) and the initials of
/// every run of at least two syllables (js, ss, jss). Non-Han characters break runs.
pub fn pinyin_keys(name: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |k: String, keys: &mut Vec<String>| {
        if !k.is_empty() && seen.insert(k.clone()) {
            keys.push(k);
        }
    };
    let mut runs: Vec<Vec<&'static str>> = vec![Vec::new()];
    for c in name.chars().take(24) {
        match fold_char(c).to_pinyin() {
            Some(p) if is_han(c) => runs.last_mut().expect("never empty").push(p.plain()),
            _ => runs.push(Vec::new()),
        }
    }
    for run in runs.iter().filter(|r| !r.is_empty()) {
        let syllables: Vec<String> = run.iter().map(|s| s.replace('ü', "v")).collect();
        for start in 0..syllables.len() {
            for end in start + 1..=(start + 8).min(syllables.len()) {
                let part = &syllables[start..end];
                push(part.concat(), &mut keys);
                if part.len() >= 2 {
                    push(part.iter().filter_map(|s| s.chars().next()).collect(), &mut keys);
                }
            }
        }
    }
    keys
}

fn counts(text: &str) -> HashMap<String, f32> {
    let mut counts = HashMap::new();
    for t in tokens(text) {
        *counts.entry(t.text).or_insert(0.0) += 1.0;
    }
    counts
}

/// Cosine similarity (0..=1) of the token-count vectors of two texts; 0 when either has no tokens.
pub fn similarity(a: &str, b: &str) -> f32 {
    let (ca, cb) = (counts(a), counts(b));
    let norm = |c: &HashMap<String, f32>| c.values().map(|v| v * v).sum::<f32>().sqrt();
    let (na, nb) = (norm(&ca), norm(&cb));
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    let dot: f32 = ca.iter().filter_map(|(k, v)| cb.get(k).map(|w| v * w)).sum();
    (dot / (na * nb)).clamp(0.0, 1.0)
}

/// The best window of `text` (at most `max_chars` characters) for `query`, as segments: `true` for
/// text whose token matches a query token. "…" segments (`false`) mark cut ends.
pub fn highlight(query: &str, text: &str, max_chars: usize) -> Vec<(String, bool)> {
    let wanted: HashSet<String> = tokens(query).into_iter().map(|t| t.text).collect();
    let byte_of: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let n = byte_of.len();
    let char_of = |byte: usize| byte_of.partition_point(|&b| b < byte);
    // Matched spans in char indices, with the query token each matched.
    let spans: Vec<(usize, usize, String)> = tokens(text)
        .into_iter()
        .filter(|t| wanted.contains(&t.text))
        .map(|t| (char_of(t.from), char_of(t.to), t.text))
        .collect();
    let max_chars = max_chars.max(1);
    let (start, end) = if n <= max_chars {
        (0, n)
    } else {
        let lead = max_chars / 5;
        let mut best = (0usize, 0usize, 0usize); // (distinct terms, matches, start)
        for &(s, _, _) in &spans {
            let ws = s.saturating_sub(lead).min(n - max_chars);
            let we = ws + max_chars;
            let inside: Vec<&(usize, usize, String)> = spans.iter().filter(|(a, b, _)| *a >= ws && *b <= we).collect();
            let distinct = inside.iter().map(|(_, _, t)| t).collect::<HashSet<_>>().len();
            if (distinct, inside.len()) > (best.0, best.1) {
                best = (distinct, inside.len(), ws);
            }
        }
        (best.2, best.2 + max_chars)
    };
    let mut marked = vec![false; n];
    for (a, b, _) in &spans {
        for m in marked.iter_mut().take((*b).min(n)).skip(*a) {
            *m = true;
        }
    }
    let mut segments: Vec<(String, bool)> = Vec::new();
    if start > 0 {
        segments.push(("…".to_string(), false));
    }
    let mut i = start;
    while i < end {
        let flag = marked[i];
        let mut j = i;
        while j < end && marked[j] == flag {
            j += 1;
        }
        let to = if j < n { byte_of[j] } else { text.len() };
        segments.push((text[byte_of[i]..to].to_string(), flag));
        i = j;
    }
    if end < n {
        segments.push(("…".to_string(), false));
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s).0
    }

    #[test]
    fn folds_traditional_fullwidth_and_case() {
        assert_eq!(norm("發展與臺灣"), "发展与台湾");
        assert_eq!(norm("ＰＬＣ控制　Ａ"), "plc控制 a");
        assert_eq!(norm("Lyapunov"), "lyapunov");
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "Ａ發(fā)展x";
        let (n, map) = normalize(text);
        assert_eq!(n, "a发展x");
        let starts: Vec<usize> = map.clone();
        assert_eq!(starts, vec![0, 3, 11, 14]);
        assert_eq!(&text[map[1]..map[1] + 3], "發");
        assert_eq!(&text[map[2]..map[2] + 3], "展");
    }

    #[test]
    fn drops_pinyin_debris_only() {
        assert_eq!(norm("發(fā)展"), "发展");
        assert_eq!(norm("鄉（xiāng）村"), "乡村");
        assert_eq!(norm("工業(yè)"), "工业");
        assert_eq!(norm("发(fa1)展"), "发展");
        assert_eq!(norm("发(fazhan)展"), "发展");
        // English abbreviations and words stay.
        assert_eq!(norm("参数(MRP)"), "参数(mrp)");
        assert_eq!(norm("方法(SOS)"), "方法(sos)");
        assert_eq!(norm("函数(Lyapunov)"), "函数(lyapunov)");
        assert_eq!(norm("函数(lyapunov)"), "函数(lyapunov)");
        // Not after a Han character, or not letters: kept.
        assert_eq!(norm("x(fā)"), "x(fā)");
        assert_eq!(norm("講話稿(2)"), "讲话稿(2)");
    }

    #[test]
    fn tokens_carry_original_offsets() {
        let text = "齊謀發(fā)展，PLC控制";
        let toks = tokens(text);
        let fazhan = toks.iter().find(|t| t.text == "发展").expect("发展");
        assert_eq!(&text[fazhan.from..fazhan.to], "發(fā)展");
        let plc = toks.iter().find(|t| t.text == "plc").expect("plc");
        assert_eq!(&text[plc.from..plc.to], "PLC");
        assert!(toks.iter().all(|t| t.text != "，"));
    }

    #[test]
    fn stopwords_and_punctuation_dropped() {
        let toks: Vec<String> = tokens("发展的 the 技术，和 5G").into_iter().map(|t| t.text).collect();
        assert_eq!(toks, vec!["发展", "技术", "5g"]);
    }

    #[test]
    fn pinyin_keys_of_a_place() {
        let keys = pinyin_keys("江山市");
        for k in [
            "jiang",
            "shan",
            "shi",
            "jiangshan",
            "shanshi",
            "jiangshanshi",
            "js",
            "ss",
            "jss",
        ] {
            assert!(keys.contains(&k.to_string()), "{k} missing from {keys:?}");
        }
        assert_eq!(keys.len(), 9);
        assert!(pinyin_keys("A江B山").iter().all(|k| k != "jiangshan"));
    }
}
