//! Index tests on real Chinese text: the seed speech (traditional script with pinyin debris) and
//! CSL paper abstracts from the benchmark corpus (simplified, with English terms).

use hezuo_domain::RecordKind;
use hezuo_domain::search::{SearchChange, SearchDoc};
use hezuo_search::{Hit, SearchIndex, SearchRequest, analysis, facets, highlight, similarity};

const SEED: &str = include_str!("data/seed_excerpt.txt");
const CORPUS: &str = include_str!("data/corpus.jsonl");
const TITLES: &str = include_str!("data/titles.jsonl");

struct Paper {
    id: String,
    text: String,
    keywords: Vec<String>,
    discipline: String,
}

fn corpus() -> Vec<Paper> {
    CORPUS
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Paper {
                id: v["id"].as_str().unwrap().to_string(),
                text: v["text"].as_str().unwrap().to_string(),
                keywords: v["keywords"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap().to_string())
                    .collect(),
                discipline: v["discipline"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

/// Corpus papers as research results: id = line number + 1; the title is the first keyword (the
/// corpus has no titles), the body the abstract and all keywords.
fn corpus_docs() -> Vec<SearchDoc> {
    corpus()
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut d = SearchDoc::new(RecordKind::ResearchResult, i as i64 + 1, p.keywords[0].clone());
            d.body = format!("{}\n{}", p.text, p.keywords.join("；"));
            d.industry = Some(p.discipline);
            d.year = Some(2020 + (i % 3) as i32);
            d
        })
        .collect()
}

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        query: q.to_string(),
        include_restricted: false,
        limit: 20,
    }
}

fn ids(hits: &[Hit]) -> Vec<i64> {
    hits.iter().map(|h| h.id).collect()
}

fn index_with(docs: Vec<SearchDoc>) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.rebuild(docs, 1).unwrap();
    index
}

#[test]
fn simplified_and_traditional_find_each_other() {
    let mut trad = SearchDoc::new(RecordKind::Bulletin, 1, "市校合作發展情況通報");
    trad.body = "經濟與民生和諧推進，工業與生態互促雙贏。".to_string();
    let mut simp = SearchDoc::new(RecordKind::Demand, 2, "数控机床主轴热变形补偿");
    simp.body = "企业希望与高校联合攻关，解决精密加工中的温度漂移问题。".to_string();
    let index = index_with(vec![trad, simp]);

    assert_eq!(ids(&index.search(&req("发展")).unwrap()), vec![1]);
    assert_eq!(ids(&index.search(&req("经济 生态")).unwrap()), vec![1]);
    assert_eq!(ids(&index.search(&req("數控機床")).unwrap()), vec![2]);
    assert_eq!(ids(&index.search(&req("溫度漂移")).unwrap()), vec![2]);
    assert!(index.search(&req("光伏")).unwrap().is_empty());
    assert!(index.search(&req("  ，。 ")).unwrap().is_empty());
}

#[test]
fn seed_speech_found_through_pinyin_debris_and_highlighted() {
    assert!(SEED.contains("齊謀發(fā)展"), "fixture has debris");
    let mut doc = SearchDoc::new(RecordKind::Bulletin, 7, "市校合作工作會講話稿");
    doc.body = SEED.to_string();
    let mut other = SearchDoc::new(RecordKind::Demand, 8, "锂电池隔膜涂布工艺");
    other.body = "企业发展遇到技术难题。".to_string();
    let index = index_with(vec![doc, other]);

    let hits = index.search(&req("齐谋发展")).unwrap();
    assert_eq!(ids(&hits), vec![7]);
    let hits = index.search(&req("工业生态互促双赢")).unwrap();
    assert_eq!(ids(&hits)[0], 7);

    let segments = highlight("齐谋发展", &hits[0].body, 80);
    let marked: Vec<&str> = segments.iter().filter(|s| s.1).map(|s| s.0.as_str()).collect();
    assert!(marked.iter().any(|m| m.contains("發(fā)展")), "{segments:?}");
    assert!(marked.iter().any(|m| m.contains("齊謀")), "{segments:?}");
    let shown: String = segments.iter().map(|s| s.0.as_str()).collect();
    assert!(shown.chars().count() <= 82, "window too wide: {shown}");
    assert!(segments.first().unwrap().0 == "…" || shown.starts_with("市校"));
    assert!(shown.contains("齊謀發(fā)展"));
}

#[test]
fn highlight_short_text_and_reverse_script() {
    let segments = highlight("發展", "推动产业发展", 100);
    assert_eq!(
        segments,
        vec![("推动产业".to_string(), false), ("发展".to_string(), true)]
    );
    assert!(highlight("jiangshan", "江山市", 100).iter().all(|s| !s.1));
    let long = "甲".repeat(50) + "智能制造" + &"乙".repeat(50);
    let segments = highlight("智能制造", &long, 20);
    assert_eq!(segments.first().unwrap().0, "…");
    assert_eq!(segments.last().unwrap().0, "…");
    assert!(segments.iter().any(|s| s.1 && s.0 == "智能制造"), "{segments:?}");
}

#[test]
fn pinyin_finds_places_and_people() {
    let mut org = SearchDoc::new(RecordKind::Organization, 1, "江山市经济和信息化局");
    org.names = vec!["江山市".to_string()];
    let mut person = SearchDoc::new(RecordKind::Person, 2, "朱海磊");
    person.names = vec!["朱海磊".to_string(), "浙江工业大学".to_string()];
    let mut other = SearchDoc::new(RecordKind::Organization, 3, "衢州市科技局");
    other.names = vec!["衢州市".to_string()];
    let index = index_with(vec![org, person, other]);

    for q in ["jiangshan", "js", "jiangshanshi", "JiangShan"] {
        assert_eq!(ids(&index.search(&req(q)).unwrap()), vec![1], "query {q}");
    }
    assert_eq!(ids(&index.search(&req("zhuhailei")).unwrap()), vec![2]);
    assert_eq!(ids(&index.search(&req("zhl")).unwrap()), vec![2]);
    assert_eq!(ids(&index.search(&req("朱海磊")).unwrap()), vec![2]);
    assert_eq!(ids(&index.search(&req("quzhou")).unwrap()), vec![3]);
    assert!(index.search(&req("hangzhou")).unwrap().is_empty());
}

#[test]
fn english_terms_inside_chinese() {
    let index = index_with(corpus_docs());
    let lyapunov = corpus().iter().position(|p| p.id == "csl-85f3881d1ad1").unwrap() as i64 + 1;
    for q in ["Lyapunov", "lyapunov 控制器", "Rodrigues参数", "SOS"] {
        let hits = index.search(&req(q)).unwrap();
        assert_eq!(
            hits.first().map(|h| h.id),
            Some(lyapunov),
            "query {q}: {:?}",
            ids(&hits)
        );
    }
}

#[test]
fn fullwidth_query_finds_ascii() {
    let mut doc = SearchDoc::new(RecordKind::Demand, 1, "PLC控制系统改造");
    doc.body = "产线的PLC程序需要升级，接入5G工业互联网。".to_string();
    let index = index_with(vec![doc, SearchDoc::new(RecordKind::Demand, 2, "特种纸涂布")]);
    assert_eq!(ids(&index.search(&req("ＰＬＣ")).unwrap()), vec![1]);
    assert_eq!(ids(&index.search(&req("５Ｇ")).unwrap()), vec![1]);
    assert_eq!(ids(&index.search(&req("plc 工业互联网")).unwrap()), vec![1]);
}

#[test]
fn restricted_text_only_when_asked() {
    let mut doc = SearchDoc::new(RecordKind::Demand, 1, "氟化工废水处理");
    doc.restricted = "预算三百万元，联系人手机号保密，涉及专有配方。".to_string();
    let index = index_with(vec![doc]);
    assert!(index.search(&req("专有配方")).unwrap().is_empty());
    let mut r = req("专有配方");
    r.include_restricted = true;
    let hits = index.search(&r).unwrap();
    assert_eq!(ids(&hits), vec![1]);
    assert_eq!(hits[0].body, "", "restricted text is not stored");
    assert_eq!(ids(&index.search(&req("氟化工")).unwrap()), vec![1]);
}

#[test]
fn apply_upserts_removes_and_keeps_seq() {
    let index = SearchIndex::in_memory().unwrap();
    assert_eq!(index.last_seq(), 0);
    assert!(index.is_empty());
    let mut a = SearchDoc::new(RecordKind::Project, 1, "光伏组件清洗机器人");
    a.county = Some("江山市".to_string());
    let b = SearchDoc::new(RecordKind::Project, 2, "光伏逆变器散热");
    index
        .apply(&[SearchChange::Upsert(a.clone()), SearchChange::Upsert(b)], 5)
        .unwrap();
    assert_eq!(index.last_seq(), 5);
    assert_eq!(index.len(), 2);

    a.title = "光伏组件清洗无人机".to_string();
    index.apply(&[SearchChange::Upsert(a)], 6).unwrap();
    let hits = index.search(&req("光伏")).unwrap();
    assert_eq!(hits.len(), 2, "no duplicate: {hits:?}");
    assert_eq!(
        index.search(&req("无人机")).unwrap()[0].county.as_deref(),
        Some("江山市")
    );
    assert!(index.search(&req("机器人")).unwrap().is_empty());

    // The same id under another kind is another record.
    let other_kind = SearchDoc::new(RecordKind::Demand, 1, "光伏支架");
    index.apply(&[SearchChange::Upsert(other_kind)], 7).unwrap();
    assert_eq!(index.len(), 3);

    index
        .apply(
            &[SearchChange::Remove {
                kind: RecordKind::Project,
                id: 1,
            }],
            8,
        )
        .unwrap();
    let hits = index.search(&req("光伏")).unwrap();
    let mut kinds: Vec<(RecordKind, i64)> = hits.iter().map(|h| (h.kind, h.id)).collect();
    kinds.sort_by_key(|k| (k.0.as_str(), k.1));
    assert_eq!(kinds, vec![(RecordKind::Demand, 1), (RecordKind::Project, 2)]);
    assert_eq!(index.last_seq(), 8);

    assert_eq!(
        index
            .rebuild(vec![SearchDoc::new(RecordKind::Problem, 9, "用地指标")], 20)
            .unwrap(),
        1
    );
    assert_eq!(index.len(), 1);
    assert_eq!(index.last_seq(), 20);
}

#[test]
fn on_disk_index_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.last_seq(), 0);
        let mut doc = SearchDoc::new(RecordKind::Agreement, 3, "市校全面合作协议");
        doc.names = vec!["江山市".to_string()];
        doc.year = Some(2013);
        index.apply(&[SearchChange::Upsert(doc)], 42).unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.last_seq(), 42);
    assert_eq!(index.len(), 1);
    let hits = index.search(&req("js 合作")).unwrap();
    assert_eq!(ids(&hits), vec![3]);
    assert_eq!(hits[0].year, Some(2013));
    assert_eq!(hits[0].names, vec!["江山市".to_string()]);
    drop(index);

    // Another schema version: wiped, caller reindexes from 0.
    std::fs::write(dir.path().join("schema_version"), "hezuo-search 0").unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.last_seq(), 0);
    assert!(index.is_empty());
    drop(index);

    // A corrupt index: wiped too.
    std::fs::write(dir.path().join("index").join("meta.json"), "not json").unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.last_seq(), 0);
    index
        .apply(
            &[SearchChange::Upsert(SearchDoc::new(RecordKind::Person, 1, "张三"))],
            1,
        )
        .unwrap();
    assert_eq!(index.len(), 1);
}

#[test]
fn similarity_of_demands() {
    let papers = corpus();
    let a = &papers[0].text;
    assert!((similarity(a, a) - 1.0).abs() < 1e-5);
    let simp = "企业生产线需要数字化改造，希望高校帮助解决设备联网与数据采集的技术难题，发展智能制造。";
    let trad = "企業生產線需要數字化改造，希望高校幫助解決設備聯網與數據采集的技術難題，發展智能制造。";
    let s = similarity(simp, trad);
    assert!(s >= 0.9, "trad vs simp {s}");
    for i in 1..6 {
        let s = similarity(&papers[i].text, &papers[i + 10].text);
        assert!(s < 0.3, "unrelated abstracts {i}: {s}");
    }
    assert_eq!(similarity("", a), 0.0);
    let near = similarity(simp, "企业生产线需要数字化改造，希望高校帮助解决设备联网的技术难题。");
    assert!(near > 0.6 && near < 1.0, "near duplicate {near}");
}

#[test]
fn titles_rank_their_paper_first() {
    let papers = corpus();
    let index = index_with(corpus_docs());
    let titles: Vec<(String, String)> = TITLES
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["query"].as_str().unwrap().to_string(),
                v["relevant"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut first = 0;
    for (query, relevant) in &titles {
        let want = papers.iter().position(|p| &p.id == relevant).unwrap() as i64 + 1;
        let hits = index.search(&req(query)).unwrap();
        if hits.first().map(|h| h.id) == Some(want) {
            first += 1;
        }
    }
    // The first three must rank first; over all titles, nearly all.
    for (query, relevant) in titles.iter().take(3) {
        let want = papers.iter().position(|p| &p.id == relevant).unwrap() as i64 + 1;
        let hits = index.search(&req(query)).unwrap();
        assert_eq!(hits.first().map(|h| h.id), Some(want), "{query}");
    }
    eprintln!("TITLES {first}/{}", titles.len());
    assert!(
        first * 10 >= titles.len() * 9,
        "{first} of {} titles rank first",
        titles.len()
    );
}

#[test]
fn facets_count_and_sort() {
    let hits = index_with(corpus_docs())
        .search(&SearchRequest {
            query: "研究".into(),
            include_restricted: false,
            limit: 100,
        })
        .unwrap();
    assert!(!hits.is_empty());
    let f = facets(&hits);
    assert_eq!(f.kind, vec![(RecordKind::ResearchResult, hits.len())]);
    assert_eq!(f.year.iter().map(|y| y.1).sum::<usize>(), hits.len());
    assert!(
        f.year
            .windows(2)
            .all(|w| w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0))
    );
    assert!(f.industry.windows(2).all(|w| w[0].1 >= w[1].1));
    assert!(f.county.is_empty());
}

#[test]
fn tokens_of_mixed_text() {
    let toks: Vec<String> = analysis::tokens("基于Lyapunov函数的PLC控制器设计")
        .into_iter()
        .map(|t| t.text)
        .collect();
    for t in ["lyapunov", "函数", "plc", "控制器", "设计"] {
        assert!(toks.contains(&t.to_string()), "{t} missing from {toks:?}");
    }
    let keys = analysis::pinyin_keys("朱海磊");
    assert!(keys.contains(&"zhuhailei".to_string()) && keys.contains(&"zhl".to_string()));
}

#[test]
fn pasted_paragraph_needs_some_of_its_words() {
    let query = "我们企业生产线上的数控机床主轴发热严重，加工精度下降，想找高校专家帮忙做热变形补偿，最好能上门指导。";
    let distinct: std::collections::HashSet<String> = analysis::tokens(query).into_iter().map(|t| t.text).collect();
    assert!(distinct.len() > 10, "a long query: {distinct:?}");
    let mut a = SearchDoc::new(RecordKind::ResearchResult, 1, "数控机床主轴热变形补偿方法");
    a.body = "针对主轴发热导致加工精度下降的问题，建立温度场模型并实时补偿。".to_string();
    let b = SearchDoc::new(RecordKind::Person, 2, "高校专家库");
    let c = SearchDoc::new(RecordKind::Bulletin, 3, "上门服务");
    let hits = index_with(vec![a, b, c]).search(&req(query)).unwrap();
    assert_eq!(hits.first().map(|h| h.id), Some(1));
    assert!(
        !ids(&hits).contains(&3),
        "one word of a long query is not enough: {:?}",
        ids(&hits)
    );
}
