//! Requests sent again — a client that lost the connection, a double-click, a sheet uploaded twice:
//! done once, answered alike.

use crate::helpers::{Res, TestApp, credit_code, spawn_app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use std::sync::Arc;

async fn post_with_key(app: &TestApp, uri: &str, key: &str, body: Value) -> Res {
    app.send(
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn total(app: &TestApp, plural: &str) -> i64 {
    app.get(&format!("/api/v1/{plural}?archived=all&per_page=1"))
        .await
        .json()["total"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_create_sent_again_with_its_idempotency_key_is_done_once_and_answered_alike() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let body = json!({"enterprise_id": w.enterprise, "title": "重试的需求", "summary": "网络中断后重发"});
    let first = post_with_key(&app, "/api/v1/demands", "k-2026-0001", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let again = post_with_key(&app, "/api/v1/demands", "k-2026-0001", body.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.location(), first.location());
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(total(&app, "demands").await, 1);
    // The same key for another request is refused; a new key is a new request.
    let other = json!({"enterprise_id": w.enterprise, "title": "另一条需求", "summary": "换了内容"});
    let r = post_with_key(&app, "/api/v1/demands", "k-2026-0001", other.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap().contains("Idempotency-Key"));
    assert_eq!(
        post_with_key(&app, "/api/v1/demands", "k-2026-0002", other)
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(total(&app, "demands").await, 2);
}

#[tokio::test]
async fn a_refused_create_gives_its_key_back_for_a_corrected_retry() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let bad = json!({"enterprise_id": w.enterprise, "title": "", "summary": "缺名称"});
    assert_eq!(
        post_with_key(&app, "/api/v1/demands", "k-fix", bad.clone())
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Sent again unchanged it is refused again, for the same reason — not replayed from a store.
    let r = post_with_key(&app, "/api/v1/demands", "k-fix", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.headers.get("idempotent-replayed").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_copies_of_one_request_sent_at_once_make_one_record() {
    let app = Arc::new(spawn_app().await);
    let w = app.seed().await;
    let body = json!({"kind": "enterprise", "name": "衢州并发重发有限公司", "credit_code": credit_code(77),
                      "industry_code": "C26", "parent_id": w.county});
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app, body) = (app.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let r = post_with_key(&app, "/api/v1/organizations", "k-burst", body).await;
            (r.status, r.json()["id"].clone())
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for t in tasks {
        let (status, id) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED);
        ids.insert(id.to_string());
    }
    assert_eq!(ids.len(), 1, "one record: {ids:?}");
}

/// The `_idem` a page's form carries.
fn form_key(html: &str) -> String {
    html.split("name=\"_idem\" value=\"")
        .nth(1)
        .expect("the form carries a key")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_form_submitted_twice_creates_once_and_both_go_to_the_record() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let key = form_key(&app.get("/organizations/new").await.text());
    let code = credit_code(78);
    let county = w.county.to_string();
    let fields = [
        ("kind", "enterprise"),
        ("name", "双击提交有限公司"),
        ("credit_code", code.as_str()),
        ("industry_code", "C26"),
        ("parent_id", county.as_str()),
        ("_idem", key.as_str()),
    ];
    let before = total(&app, "organizations").await;
    let first = app.form("/organizations/new", &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());
    let second = app.form("/organizations/new", &fields).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.text());
    assert_eq!(second.location(), first.location());
    assert_eq!(total(&app, "organizations").await, before + 1);
    // The form shown again for a new record carries a new key.
    assert_ne!(form_key(&app.get("/organizations/new").await.text()), key);
}

fn sheet(ent: &str, titles: &[&str]) -> Vec<u8> {
    let rows: Vec<Vec<String>> = titles
        .iter()
        .map(|t| vec![ent.to_string(), t.to_string(), "企业生产中遇到的技术难题。".to_string()])
        .collect();
    hezuo_report::sheet::write_rows(
        "技术需求",
        &["企业（统一社会信用代码或全称）", "需求名称", "需求概述"],
        &rows,
    )
    .unwrap()
}

#[tokio::test]
async fn a_sheet_imported_again_is_refused_with_a_pointer_to_the_first_import() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let ent = app.get(&format!("/api/v1/organizations/{}", w.enterprise)).await.json()["name"]
        .as_str()
        .unwrap()
        .to_string();
    let xlsx = sheet(&ent, &["导入甲", "导入乙", "导入丙"]);
    let first = app
        .multipart_by(&app.office, "/api/v1/demands/import", &[], "需求.xlsx", &xlsx)
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let first_id = first.json()["ids"][0].as_i64().unwrap();
    let again = app
        .multipart_by(&app.office, "/api/v1/demands/import", &[], "需求（副本）.xlsx", &xlsx)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let why = again.json()["fields"]["file"].as_str().unwrap().to_string();
    assert!(
        why.contains("已于") && why.contains("由 office 导入") && why.contains(&format!("#{first_id}")),
        "{why}"
    );
    assert_eq!(total(&app, "demands").await, 3);
    // Through the page the same sheet is refused above the form.
    let page = app
        .multipart_by(&app.office, "/demands/import", &[], "需求.xlsx", &xlsx)
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.text().contains("未再次导入"), "{}", page.text());
    // A different sheet imports.
    let other = app
        .multipart_by(
            &app.office,
            "/api/v1/demands/import",
            &[],
            "需求2.xlsx",
            &sheet(&ent, &["导入丁"]),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED);
}

/// The fields of a new project led by `lead`, as the form sends them.
fn project_fields<'a>(title: &'a str, lead: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("kind", "research"),
        ("batch_year", "2026"),
        ("lead_unit_id", lead),
        ("origin", "proposal"),
        ("_idem", key),
    ]
}

#[tokio::test]
async fn going_back_and_saving_the_new_project_form_again_creates_no_second_project() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let lead = w.county.to_string();
    let key = form_key(&app.get("/projects/new").await.text());

    // First sent without a title: shown again with the error, carrying the same one-time key.
    let mut fields = project_fields("", &lead, &key);
    let refused = app.form("/projects/new", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(form_key(&refused.text()), key, "the form shown again keeps its key");

    fields[0].1 = "江山市柑橘提质增效技术服务";
    let saved = app.form("/projects/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(total(&app, "projects").await, 1);

    // Back, and save again — unchanged, or with a change made on the old page.
    let again = app.form("/projects/new", &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), saved.location());
    fields[1].1 = "engineering";
    let changed = app.form("/projects/new", &fields).await;
    assert_eq!(changed.status, StatusCode::CONFLICT, "{}", changed.text());
    let page = changed.text();
    assert!(page.contains("这张表单已经提交并保存过"), "{page}");
    assert!(page.contains(&saved.location()), "it says where the first one went");
    // The first page, its title still empty, sent again.
    let first = app.form("/projects/new", &project_fields("", &lead, &key)).await;
    assert_eq!(first.status, StatusCode::CONFLICT);
    assert_eq!(total(&app, "projects").await, 1, "still one project");
}

#[tokio::test]
async fn a_project_like_one_already_there_is_created_only_when_the_user_says_so() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let lead = w.county.to_string();
    let title = "江山市白菇产业链延伸技术攻关";
    let key = form_key(&app.get("/projects/new").await.text());
    let first = app.form("/projects/new", &project_fields(title, &lead, &key)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());

    // The form opened afresh (a new key) and filled in alike: shown again with a warning.
    let key2 = form_key(&app.get("/projects/new").await.text());
    assert_ne!(key2, key);
    let twin = app.form("/projects/new", &project_fields(title, &lead, &key2)).await;
    assert_eq!(twin.status, StatusCode::CONFLICT);
    let html = twin.text();
    assert!(
        html.contains("已有同名项目") && html.contains(&first.location()),
        "{html}"
    );
    assert!(html.contains("name=\"create_anyway\"") && html.contains("仍然创建"));
    assert_eq!(total(&app, "projects").await, 1);

    let mut fields = project_fields(title, &lead, &key2);
    fields.push(("create_anyway", "true"));
    let anyway = app.form("/projects/new", &fields).await;
    assert_eq!(anyway.status, StatusCode::SEE_OTHER, "{}", anyway.text());
    assert_ne!(anyway.location(), first.location());
    assert_eq!(total(&app, "projects").await, 2);

    // A fresh form shows no such box; another year is another project.
    assert!(!app.get("/projects/new").await.text().contains("name=\"create_anyway\""));
    let body = json!({"title": title, "kind": "research", "batch_year": 2027, "lead_unit_id": w.county});
    assert_eq!(app.post("/api/v1/projects", body).await.status, StatusCode::CREATED);

    // The API: 409 naming the existing project, unless `create_anyway`.
    let body = json!({"title": title, "kind": "research", "batch_year": 2026, "lead_unit_id": w.county});
    let r = app.post("/api/v1/projects", body.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let why = r.json()["fields"]["create_anyway"].as_str().unwrap().to_string();
    assert!(why.contains(&first.location()), "{why}");
    let mut body = body;
    body["create_anyway"] = json!(true);
    assert_eq!(app.post("/api/v1/projects", body).await.status, StatusCode::CREATED);
}
