//! Matching and search on threads of their own (issues 19 and 20): many requests at once all get
//! the answer one request alone gets, and a full queue is refused at once with a 503 in Chinese and
//! Retry-After, on SQLite and on PostgreSQL.

use crate::helpers::{TestApp, spawn_app};
use axum::http::StatusCode;
use hezuo_app::pool::EnginePool;
use serde_json::{Value, json};
use std::sync::Arc;

/// Two experts with works, and two accepted demands that match them; the demands' ids.
async fn demands(app: &TestApp) -> Vec<i64> {
    let w = app.seed().await;
    let ent = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山氟材料有限公司", "region_code": "330881", "parent_id": w.county,
                   "industry_code": "C26", "credit_code": crate::helpers::credit_code(21)}),
        )
        .await;
    for (name, work) in [("王氟", "含氟废水深度除氟工艺研究"), ("李硅", "有机硅单体合成催化剂")]
    {
        let id = app
            .create(
                "people",
                json!({"organization_id": w.college, "name": name, "is_expert": true, "discipline": "化学工程"}),
            )
            .await;
        app.create("works", json!({"person_id": id, "title": work, "summary": work}))
            .await;
    }
    let mut ids = Vec::new();
    for (title, summary) in [("含氟废水除氟", "出水氟化物不达标"), ("有机硅催化剂", "单体合成收率低")]
    {
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
        ids.push(id);
    }
    ids
}

fn uris(ids: &[i64]) -> Vec<String> {
    let mut u: Vec<String> = ids.iter().map(|d| format!("/api/v1/demands/{d}/matches")).collect();
    for q in ["含氟废水", "催化剂", "有机硅"] {
        u.push(format!("/api/v1/search?q={}", urlencoding::encode(q)));
    }
    u
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_matches_and_searches_at_once_each_get_what_one_alone_gets() {
    let app = spawn_app().await;
    let ids = demands(&app).await;
    app.search.set_pool(EnginePool::new(2, 128).unwrap());
    let uris = uris(&ids);
    let mut alone: Vec<Value> = Vec::new();
    for u in &uris {
        let r = app.get(u).await;
        assert_eq!(r.status, StatusCode::OK, "{u}: {}", r.text());
        alone.push(r.json());
    }
    assert!(!alone[0]["experts"].as_array().unwrap().is_empty(), "{}", alone[0]);
    assert!(alone[ids.len()]["total"].as_u64().unwrap() > 0, "{}", alone[ids.len()]);
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for n in 0..64 {
        let (app, i) = (app.clone(), n % uris.len());
        let u = uris[i].clone();
        tasks.push(tokio::spawn(async move {
            let r = app.get(&u).await;
            (i, r.status, r.json())
        }));
    }
    for t in tasks {
        let (i, status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{}: {body}", uris[i]);
        assert_eq!(body, alone[i], "{}", uris[i]);
    }
}

#[tokio::test]
async fn a_full_queue_is_answered_503_in_chinese_with_retry_after() {
    let app = spawn_app().await;
    let ids = demands(&app).await;
    // No threads and no room: every job finds the queue full.
    app.search.set_pool(EnginePool::new(0, 0).unwrap());
    for u in uris(&ids) {
        let r = app.get(&u).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{u}: {}", r.text());
        assert_eq!(r.headers["retry-after"], "1", "{u}");
        let error = r.json()["error"].as_str().unwrap().to_string();
        assert!(error.contains("检索与匹配繁忙"), "{u}: {error}");
    }
    // The search page says so too, in a page.
    let r = app.get("/search?q=%E5%90%AB%E6%B0%9F").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("检索与匹配繁忙"), "{}", r.text());
    // Given threads again, the same requests are answered.
    app.search.set_pool(EnginePool::new(1, 8).unwrap());
    let r = app.get(&format!("/api/v1/demands/{}/matches", ids[0])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}
