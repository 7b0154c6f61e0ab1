//! Search through the API and the page, on real Chinese text: the seed speech (traditional script,
//! with pinyin debris) and scientific abstracts from the benchmark corpus; simplified ⇄ traditional,
//! pinyin, English inside Chinese, facets, the access rules, and the index following every
//! committed write (and surviving a restart).

use crate::helpers::{TestApp, credit_code, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};

const SEED: &str = include_str!("../../../search/tests/data/seed_excerpt.txt");
const CORPUS: &str = include_str!("../../../search/tests/data/corpus.jsonl");

async fn search(app: &TestApp, q: &str) -> Value {
    let r = app.get(&format!("/api/v1/search?q={}", urlencoding::encode(q))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn titles(r: &Value) -> Vec<String> {
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

async fn enterprise(app: &TestApp, name: &str, parent: i64) -> i64 {
    let n = name.chars().map(|c| c as u32).sum::<u32>() % 1_000_000;
    app.create(
        "organizations",
        json!({"kind": "enterprise", "name": name, "region_code": "330881", "parent_id": parent, "industry_code": "A01",
               "credit_code": credit_code(n)}),
    )
    .await
}

#[tokio::test]
async fn the_seed_speech_pasted_as_a_demand_is_found_by_a_simplified_query_through_its_pinyin_debris() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let ent = enterprise(&app, "江山仙霞菌业有限公司", w.county).await;
    // The speech as received: traditional script, with readings like 發(fā)展 inside words.
    assert!(SEED.contains("發(fā)展") && SEED.contains("齊謀發(fā)展"));
    let id = app
        .create(
            "demands",
            json!({"enterprise_id": ent, "title": "市校合作工作会讲话稿（摘录）", "summary": SEED}),
        )
        .await;
    let stored = app.get(&format!("/api/v1/demands/{id}")).await.json();
    assert_eq!(stored["summary"].as_str().unwrap(), SEED.trim(), "stored as given");
    for q in ["齐谋发展", "发展势头", "千年古道 锦绣江山", "市校全面合作"] {
        let r = search(&app, q).await;
        assert!(
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["kind"] == "demand" && i["id"] == id),
            "{q}: {r}"
        );
    }
    // The page highlights the matched words in the original (traditional) text.
    let page = app.get("/search?q=%E5%8F%91%E5%B1%95%E5%8A%BF%E5%A4%B4").await.text();
    assert!(page.contains("技术需求") && page.contains("<mark>"), "{page}");
    assert!(
        page.contains("<mark>勢頭</mark>")
            || page.contains("<mark>發(fā)展勢頭</mark>")
            || page.contains("勢頭</mark>"),
        "{page}"
    );
}

#[tokio::test]
async fn simplified_finds_traditional_and_traditional_finds_simplified() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let ent = enterprise(&app, "常山金川食用菌有限公司", w.county).await;
    app.create(
        "demands",
        json!({"enterprise_id": ent, "title": "猴頭菇工廠化栽培菌種選育", "summary": "產量不穩定，畸形菇比例高，希望選育優良菌種。"}),
    )
    .await;
    app.create(
        "demands",
        json!({"enterprise_id": ent, "title": "黑木耳废弃菌棒资源化利用", "summary": "菌棒废弃量大，希望开发有机肥或生物质燃料。"}),
    )
    .await;
    let r = search(&app, "猴头菇 菌种选育").await;
    assert_eq!(titles(&r), vec!["猴頭菇工廠化栽培菌種選育"], "{r}");
    let r = search(&app, "廢棄菌棒").await;
    assert_eq!(titles(&r), vec!["黑木耳废弃菌棒资源化利用"], "{r}");
    // Full-width letters and case do not matter either.
    app.create(
        "demands",
        json!({"enterprise_id": ent, "title": "车间PLC控制系统升级", "summary": "老旧PLC与MES对接"}),
    )
    .await;
    assert_eq!(search(&app, "ＰＬＣ").await["total"], 1);
    assert_eq!(search(&app, "mes").await["total"], 1);
}

#[tokio::test]
async fn pinyin_finds_places_organisations_and_people() {
    let app = spawn_app().await;
    let w = app.seed().await;
    for q in ["jiangshan", "js", "JiangShanShi"] {
        let r = search(&app, q).await;
        assert!(
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["kind"] == "organization" && i["id"] == w.county),
            "{q}: {r}"
        );
    }
    let r = search(&app, "wangjianguo").await;
    assert_eq!(r["items"][0]["kind"], "person", "{r}");
    assert_eq!(r["items"][0]["id"], w.person);
}

#[tokio::test]
async fn english_terms_inside_chinese_abstracts_are_found() {
    let app = spawn_app().await;
    let w = app.seed().await;
    // A real abstract from the benchmark corpus, as a research result.
    let paper: Value = CORPUS
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|p| p["text"].as_str().unwrap().contains("Lyapunov"))
        .expect("the corpus excerpt has the Lyapunov paper");
    let kw: Vec<String> = paper["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let id = app
        .create(
            "results",
            json!({"title": "飞行器姿态镇定控制器设计方法", "kind": "method", "summary": paper["text"], "keywords": kw, "owner_ids": [w.person]}),
        )
        .await;
    for q in ["Lyapunov", "lyapunov 控制器", "SOS 镇定控制器", "Rodrigues参数"] {
        let r = search(&app, q).await;
        assert_eq!(r["items"][0]["id"], id, "{q}: {r}");
        assert_eq!(r["items"][0]["kind"], "research_result");
    }
}

#[tokio::test]
async fn search_shows_and_counts_nothing_outside_the_users_scope() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let mine = enterprise(&app, "江山氟材料有限公司", w.county).await;
    let theirs = enterprise(&app, "江山新硅化工有限公司", w.county).await;
    let a = app
        .create(
            "demands",
            json!({"enterprise_id": mine, "title": "含氟废水深度处理", "summary": "钙盐沉淀法出水不达标", "details": "机密：日均废水三百吨"}),
        )
        .await;
    app.create(
        "demands",
        json!({"enterprise_id": theirs, "title": "含氟尾气吸收", "summary": "尾气中氟化氢回收"}),
    )
    .await;
    let ent = app.user("fluor", Role::Enterprise, Some(mine), None).await;
    let coord = app.user("coord", Role::Coordinator, Some(w.county), None).await;
    let r = app.get_by(&ent, "/api/v1/search?q=%E5%90%AB%E6%B0%9F").await.json();
    assert_eq!(r["total"], 1, "{r}");
    assert_eq!(r["items"][0]["id"], a);
    assert_eq!(r["facets"]["kind"][0]["count"], 1);
    let page = app
        .get_by(&ent, "/search?q=%E5%90%AB%E6%B0%9F%E5%B0%BE%E6%B0%94")
        .await
        .text();
    assert!(page.contains("没有找到") && !page.contains("尾气吸收"), "{page}");
    // The office sees both, and finds confidential details; a coordinator sees both, not the details.
    assert_eq!(search(&app, "含氟").await["total"], 2);
    assert_eq!(search(&app, "三百吨").await["total"], 1);
    let r = app.get_by(&coord, "/api/v1/search?q=%E5%90%AB%E6%B0%9F").await.json();
    assert_eq!(r["total"], 2, "{r}");
    let r = app
        .get_by(&coord, &format!("/api/v1/search?q={}", urlencoding::encode("三百吨")))
        .await
        .json();
    assert_eq!(r["total"], 0, "{r}");
}

#[tokio::test]
async fn facets_count_by_kind_county_and_year_and_filter_the_hits() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let ent = enterprise(&app, "江山氟材料有限公司", w.county).await;
    app.create(
        "demands",
        json!({"enterprise_id": ent, "title": "有机硅单体催化剂", "summary": "二甲选择性下降"}),
    )
    .await;
    app.create(
        "results",
        json!({"title": "有机硅单体合成铜催化剂", "kind": "method", "owner_ids": [w.person], "year": 2024}),
    )
    .await;
    let r = search(&app, "有机硅").await;
    let kinds: Vec<&str> = r["facets"]["kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["value"].as_str().unwrap())
        .collect();
    for k in ["demand", "research_result", "person"] {
        assert!(kinds.contains(&k), "{k}: {r}");
    }
    assert!(
        r["facets"]["county"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["label"] == "江山市")
    );
    let only = app
        .get("/api/v1/search?q=%E6%9C%89%E6%9C%BA%E7%A1%85&kind=research_result")
        .await
        .json();
    assert_eq!(only["total"], 1);
    assert_eq!(only["items"][0]["kind"], "research_result");
    let y = app
        .get("/api/v1/search?q=%E6%9C%89%E6%9C%BA%E7%A1%85&year=2024")
        .await
        .json();
    assert_eq!(titles(&y), vec!["有机硅单体合成铜催化剂"]);
    // The page groups hits by kind and offers the facets as links.
    let page = app.get("/search?q=%E6%9C%89%E6%9C%BA%E7%A1%85").await.text();
    assert!(
        page.contains("科技成果") && page.contains("技术需求") && page.contains("kind=research_result"),
        "{page}"
    );
    // Blank and oversized queries.
    assert_eq!(search(&app, "  ").await["total"], 0);
    let long = "发".repeat(2001);
    let r = app
        .get(&format!("/api/v1/search?q={}", urlencoding::encode(&long)))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["fields"]["q"].as_str().unwrap().contains("过长"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn the_index_follows_every_committed_change() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let ent = enterprise(&app, "江山氟材料有限公司", w.county).await;
    let id = app
        .create(
            "demands",
            json!({"enterprise_id": ent, "title": "反应釜温度控制", "summary": "控温精度不足"}),
        )
        .await;
    assert_eq!(search(&app, "反应釜").await["total"], 1);
    app.json(
        "PATCH",
        &format!("/api/v1/demands/{id}"),
        json!({"title": "精馏塔节能改造"}),
    )
    .await;
    assert_eq!(search(&app, "反应釜").await["total"], 0);
    assert_eq!(search(&app, "精馏塔").await["total"], 1);
    // An organisation renamed: records that show its name follow.
    app.json(
        "PATCH",
        &format!("/api/v1/organizations/{ent}"),
        json!({"name": "江山氟硅科技有限公司"}),
    )
    .await;
    let r = search(&app, "氟硅科技").await;
    assert!(
        r["items"].as_array().unwrap().iter().any(|i| i["kind"] == "demand"),
        "{r}"
    );
    // Archived, it leaves search.
    app.post(&format!("/api/v1/demands/{id}/archive"), json!({})).await;
    assert_eq!(search(&app, "精馏塔").await["total"], 0);
}

#[tokio::test]
async fn an_index_on_disk_survives_a_restart_and_can_be_rebuilt() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let ent = enterprise(&app, "江山氟材料有限公司", w.county).await;
    app.create(
        "demands",
        json!({"enterprise_id": ent, "title": "氢氟酸提纯", "summary": "电子级"}),
    )
    .await;
    let dir = std::env::temp_dir().join(format!("hezuo-index-{}-{}", std::process::id(), w.person));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let state = hezuo_web::AppState::new(app.store.clone())
            .with_index_dir(&dir)
            .unwrap();
        state.search.sync(&state.store).await.unwrap();
        assert!(state.search.index().last_seq() > 0);
    }
    // Reopened: the documents and the feed position are there before any catching up.
    let state = hezuo_web::AppState::new(app.store.clone())
        .with_index_dir(&dir)
        .unwrap();
    let before = state.search.index().len();
    assert!(before >= 5, "{before}");
    let at = state.search.index().last_seq();
    assert_eq!(at, app.store.feed_head().await.unwrap());
    // A change made while it was closed is caught up from the feed.
    app.create(
        "demands",
        json!({"enterprise_id": ent, "title": "含氟电子化学品", "summary": "湿电子化学品"}),
    )
    .await;
    state.search.sync(&state.store).await.unwrap();
    assert_eq!(state.search.index().len(), before + 1);
    // `hezuo reindex` rebuilds from the records.
    let n = state.search.rebuild(&state.store).await.unwrap();
    assert_eq!(n as u64, state.search.index().len());
    let _ = std::fs::remove_dir_all(&dir);
}
