//! Matching: ranked experts and results for a demand with their reasons, confirming a suggestion,
//! the match's way to accepted or declined, and what earlier outcomes and place do to the ranking.

use crate::helpers::{TestApp, credit_code, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};

struct World {
    ent: i64,
    college: i64,
    local_org: i64,
}

async fn world(app: &TestApp) -> World {
    let w = app.seed().await;
    let ent = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山氟材料有限公司", "region_code": "330881", "parent_id": w.county,
                   "industry_code": "C26", "credit_code": credit_code(11)}),
        )
        .await;
    // A research institute in the same city as the enterprise.
    let local_org = app
        .create(
            "organizations",
            json!({"kind": "institute", "name": "衢州氟硅研究院", "region_code": "330802"}),
        )
        .await;
    World {
        ent,
        college: w.college,
        local_org,
    }
}

async fn expert(app: &TestApp, org: i64, name: &str, papers: &[&str]) -> i64 {
    let id = app
        .create(
            "people",
            json!({"organization_id": org, "name": name, "is_expert": true, "discipline": "环境科学与工程"}),
        )
        .await;
    for p in papers {
        app.create("works", json!({"person_id": id, "title": p, "summary": p}))
            .await;
    }
    id
}

/// A demand submitted and accepted through both review stages.
async fn accepted_demand(app: &TestApp, ent: i64, title: &str, summary: &str) -> i64 {
    let id = app
        .create(
            "demands",
            json!({"enterprise_id": ent, "title": title, "summary": summary}),
        )
        .await;
    app.post(&format!("/api/v1/demands/{id}/submit"), json!({})).await;
    for _ in 0..2 {
        let r = app
            .post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "pass"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    id
}

#[tokio::test]
async fn a_demand_that_shares_only_common_words_is_told_there_is_no_strong_match() {
    let app = spawn_app().await;
    let w = world(&app).await;
    expert(
        &app,
        w.college,
        "王氟",
        &["含氟废水深度除氟工艺研究", "氟化钙沉淀与氟资源回收"],
    )
    .await;
    expert(&app, w.college, "李菌", &["香菇菌种选育", "食用菌工厂化栽培方法"]).await;
    app.create(
        "results",
        json!({"title": "一种含氟废水深度处理工艺及氟资源回收方法", "kind": "method", "keywords": "含氟废水，除氟"}),
    )
    .await;
    // A demand about something no record is about, in words every field uses (工艺、方法).
    let d = accepted_demand(
        &app,
        w.ent,
        "啤酒酿造工艺改进",
        "想找一种新的发酵方法，改进工艺，让精酿啤酒的口感更稳定",
    )
    .await;
    let m = app.get(&format!("/api/v1/demands/{d}/matches")).await.json();
    assert!(
        !m["results"].as_array().unwrap().is_empty(),
        "the generic words still find something: {m}"
    );
    assert_eq!(m["strong_match"], false, "{m}");
    assert!(m["notice"].as_str().unwrap().starts_with("没有把握较大的匹配"), "{m}");
    for s in m["results"]
        .as_array()
        .unwrap()
        .iter()
        .chain(m["experts"].as_array().unwrap())
    {
        let c = s["confidence"].as_f64().unwrap();
        assert!((0.0..0.5).contains(&c), "{s}");
    }
    // The first result's relative score is 1 all the same: the confidence is what says it is weak.
    assert_eq!(m["results"][0]["score"].as_f64(), Some(1.0), "{m}");
    let page = app.get(&format!("/demands/{d}")).await.text();
    assert!(page.contains("没有把握较大的匹配"), "{page}");
    assert!(page.contains("弱 "), "{page}");
    // In English too.
    let en = app.get_lang(&format!("/api/v1/demands/{d}/matches"), "en").await.json();
    assert!(en["notice"].as_str().unwrap().starts_with("No strong match"), "{en}");
}

fn expert_ids(m: &Value) -> Vec<i64> {
    m["experts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["person_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_demand_gets_ranked_experts_and_results_with_reasons_and_a_confirmed_match_runs_to_accepted() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let fluor = expert(
        &app,
        w.college,
        "王氟",
        &["含氟废水深度除氟工艺研究", "氟化钙沉淀与氟资源回收"],
    )
    .await;
    let fungi = expert(&app, w.college, "李菌", &["香菇菌种选育", "食用菌工厂化栽培"]).await;
    let result = app
        .create(
            "results",
            json!({"title": "一种含氟废水深度处理及氟资源回收方法", "kind": "method", "owner_ids": [fluor], "keywords": "含氟废水，除氟"}),
        )
        .await;
    app.create(
        "results",
        json!({"title": "猴头菇新品种", "kind": "variety", "owner_ids": [fungi]}),
    )
    .await;
    let d = accepted_demand(
        &app,
        w.ent,
        "含氟废水除氟",
        "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺",
    )
    .await;
    let m = app.get(&format!("/api/v1/demands/{d}/matches")).await.json();
    assert_eq!(expert_ids(&m)[0], fluor, "{m}");
    assert!(
        !expert_ids(&m).contains(&fungi),
        "an expert sharing no term is not suggested: {m}"
    );
    let top = &m["experts"][0];
    let terms: Vec<&str> = top["matched_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(terms.contains(&"除氟") || terms.contains(&"含氟"), "{terms:?}");
    assert!(top["reasons"][0].as_str().unwrap().starts_with("一致的词："));
    assert_eq!(m["results"][0]["result_id"], result);
    // Shared specific words (含氟废水、除氟): a strong match, said with an absolute confidence.
    assert_eq!(m["strong_match"], true, "{m}");
    assert!(m["notice"].is_null(), "{m}");
    assert!(m["results"][0]["confidence"].as_f64().unwrap() >= 0.5, "{m}");
    assert!(top["confidence"].as_f64().unwrap() >= 0.5, "{m}");
    // The page shows the same, with a way to confirm.
    let page = app.get(&format!("/demands/{d}")).await.text();
    assert!(
        page.contains("匹配推荐：专家") && page.contains("王氟") && page.contains("确认推荐"),
        "{page}"
    );
    assert!(
        page.contains("<th>把握</th>") && !page.contains("没有把握较大的匹配"),
        "{page}"
    );
    // Confirming: once; the demand moves on to matching.
    let r = app
        .post(&format!("/api/v1/demands/{d}/matches"), json!({"person_id": fluor}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mid = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["status"], "suggested");
    assert!(r.json()["reasons"][0].as_str().unwrap().contains("一致的词"));
    let again = app
        .post(&format!("/api/v1/demands/{d}/matches"), json!({"person_id": fluor}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        app.get(&format!("/api/v1/demands/{d}")).await.json()["status"],
        "matching"
    );
    // The expert now sees the demand; declining needs a reason; accepting marks the demand matched
    // and opens its confidential details to them.
    let me = app.user("wangfu", Role::Expert, None, Some(fluor)).await;
    assert_eq!(
        app.get_by(&me, &format!("/api/v1/demands/{d}")).await.status,
        StatusCode::OK
    );
    let r = app
        .json_by(
            &me,
            "POST",
            &format!("/api/v1/matches/{mid}/status"),
            json!({"status": "declined"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["reason"].as_str().unwrap().contains("理由"));
    let r = app
        .json_by(
            &me,
            "POST",
            &format!("/api/v1/matches/{mid}/status"),
            json!({"status": "contacted"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the office records contacts");
    let r = app
        .json_by(
            &me,
            "POST",
            &format!("/api/v1/matches/{mid}/status"),
            json!({"status": "accepted"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        app.get(&format!("/api/v1/demands/{d}")).await.json()["status"],
        "matched"
    );
    let r = app
        .json_by(
            &me,
            "POST",
            &format!("/api/v1/matches/{mid}/status"),
            json!({"status": "declined", "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // A demand not yet accepted cannot be matched.
    let draft = app
        .create(
            "demands",
            json!({"enterprise_id": w.ent, "title": "含氟废水", "summary": "除氟"}),
        )
        .await;
    let r = app
        .post(&format!("/api/v1/demands/{draft}/matches"), json!({"person_id": fluor}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["fields"]["status"].as_str().unwrap().contains("受理"));
}

#[tokio::test]
async fn a_declined_expert_drops_for_similar_demands_and_one_who_accepted_rises() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let papers = ["含氟废水深度除氟工艺研究", "氟化钙沉淀与氟资源回收"];
    let a = expert(&app, w.college, "甲专家", &papers).await;
    let b = expert(&app, w.college, "乙专家", &papers).await;
    // Same papers, same place: a tie, broken by id.
    let first = accepted_demand(&app, w.ent, "含氟废水除氟", "钙盐沉淀法出水氟化物不达标").await;
    // Each one's page shows the demand that fits them and the other as a similar expert.
    let page = app.get(&format!("/people/{a}")).await.text();
    let fits = &page[page.find("id=\"fitting-demands\"").expect("the section")..];
    assert!(fits.contains("含氟废水除氟"), "{page}");
    let similar = &page[page.find("id=\"similar-experts\"").expect("the section")..];
    assert!(similar.contains("乙专家"), "{page}");
    let m = app.get(&format!("/api/v1/demands/{first}/matches")).await.json();
    assert_eq!(expert_ids(&m)[..2], [a, b], "{m}");
    // 甲 declines this demand.
    let r = app
        .post(&format!("/api/v1/demands/{first}/matches"), json!({"person_id": a}))
        .await;
    let mid = r.json()["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/matches/{mid}/status"),
            json!({"status": "declined", "reason": "近期无精力"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A similar demand from the same enterprise: 乙 now comes first, and the reason says why.
    let similar = accepted_demand(&app, w.ent, "含氟废水深度除氟", "出水氟化物不达标，需要除氟工艺").await;
    let m = app.get(&format!("/api/v1/demands/{similar}/matches")).await.json();
    assert_eq!(expert_ids(&m)[..2], [b, a], "{m}");
    let reasons = m["experts"][1]["reasons"].to_string();
    assert!(reasons.contains("曾婉拒相似需求"), "{reasons}");
    // An expert who accepted similar demands rises: 乙 accepts, a third demand ranks 乙 further ahead.
    let r = app
        .post(&format!("/api/v1/demands/{similar}/matches"), json!({"person_id": b}))
        .await;
    let mid = r.json()["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/matches/{mid}/status"), json!({"status": "accepted"}))
        .await;
    let third = accepted_demand(&app, w.ent, "除氟工艺", "含氟废水深度处理").await;
    let m = app.get(&format!("/api/v1/demands/{third}/matches")).await.json();
    assert_eq!(expert_ids(&m)[0], b, "{m}");
    assert!(m["experts"][0]["reasons"].to_string().contains("曾接受相似需求"), "{m}");
}

#[tokio::test]
async fn all_else_equal_a_local_expert_comes_first() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let papers = ["特种纸湿强度提升", "装饰原纸遮盖力"];
    // The university's expert is created first (the lower id wins a plain tie).
    let away = expert(&app, w.college, "杭州专家", &papers).await;
    let local = expert(&app, w.local_org, "衢州专家", &papers).await;
    let d = accepted_demand(&app, w.ent, "装饰原纸湿强度", "湿强度不足，遮盖力不稳定").await;
    let m = app.get(&format!("/api/v1/demands/{d}/matches")).await.json();
    assert_eq!(expert_ids(&m)[..2], [local, away], "{m}");
    assert!(m["experts"][0]["reasons"].to_string().contains("本地专家"));
}

#[tokio::test]
async fn hezuo_match_prints_the_ranked_experts_and_results_for_a_demand() {
    let app = spawn_app().await;
    let w = world(&app).await;
    expert(&app, w.college, "王氟", &["含氟废水深度除氟工艺研究"]).await;
    let d = accepted_demand(&app, w.ent, "含氟废水除氟", "出水氟化物不达标").await;
    let search = hezuo_app::search::Search::in_memory().unwrap();
    search.rebuild(&app.store).await.unwrap();
    let text = hezuo_app::matching::explain(&app.store, &search, d, 5).await.unwrap();
    assert!(
        text.contains("含氟废水除氟") && text.contains("王氟") && text.contains("一致的词"),
        "{text}"
    );
}
