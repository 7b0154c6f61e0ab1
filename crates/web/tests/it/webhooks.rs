//! Webhooks (issue 18) with a receiver on 127.0.0.1 that the test runs: each of the four events is
//! posted once to the webhooks that chose it and whose organisation it belongs to, DingTalk's
//! signature and markdown and the JSON webhook's signature and body check out, a 500 is retried
//! after the wait and a receiver that never answers well is given up on, two dispatchers at once
//! post each event once, the secret never comes back, scope and bad addresses are refused.

use crate::helpers::{TestApp, World, credit_code, spawn_app};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use chrono::{Duration, Utc};
use hezuo_app::webhooks::{Poster, run_once};
use hezuo_domain::access::Role;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha256::Sha256;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One post the receiver got.
#[derive(Debug, Clone)]
struct Got {
    /// Path and query.
    uri: String,
    headers: HeaderMap,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
    fn header(&self, k: &str) -> String {
        self.headers
            .get(k)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    fn query(&self, k: &str) -> Option<String> {
        let q = self.uri.split_once('?')?.1;
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(a, _)| *a == k)
            .map(|(_, v)| urlencoding::decode(v).unwrap().into_owned())
    }
}

/// A receiver on 127.0.0.1: keeps every post; answers the statuses queued (then 200), DingTalk's
/// paths (`/robot…`) with `{"errcode":0}`.
#[derive(Clone)]
struct Receiver {
    base: String,
    got: Arc<Mutex<Vec<Got>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let script: Arc<Mutex<VecDeque<u16>>> = Arc::default();
        let (g, s) = (got.clone(), script.clone());
        let handler = move |uri: axum::http::Uri, headers: HeaderMap, body: String| {
            let (g, s) = (g.clone(), s.clone());
            async move {
                let path = uri.path().to_string();
                g.lock().unwrap().push(Got {
                    uri: uri.to_string(),
                    headers,
                    body,
                });
                let code = s.lock().unwrap().pop_front().unwrap_or(200);
                let answer = if path.starts_with("/bad") {
                    json!({"errcode": 310000, "errmsg": "sign not match"}).to_string()
                } else if path.starts_with("/robot") {
                    json!({"errcode": 0, "errmsg": "ok"}).to_string()
                } else {
                    "ok".to_string()
                };
                (StatusCode::from_u16(code).unwrap(), answer)
            }
        };
        let app = axum::Router::new()
            .route("/{*path}", post(handler.clone()))
            .fallback(post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { base, got, script }
    }
    fn posts(&self, path: &str) -> Vec<Got> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.uri.split('?').next() == Some(path))
            .cloned()
            .collect()
    }
    fn answer(&self, codes: &[u16]) {
        self.script.lock().unwrap().extend(codes);
    }
}

fn hmac_sha256(key: &str, msg: &str) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes()).unwrap();
    m.update(msg.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// Checks DingTalk's documented signature on a post: `timestamp` (ms) and `sign` =
/// base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), and the markdown body.
fn check_dingtalk(g: &Got, secret: &str, token: &str) -> (String, String) {
    assert_eq!(g.query("access_token").as_deref(), Some(token), "{}", g.uri);
    let ts = g.query("timestamp").expect("timestamp");
    assert_eq!(ts.len(), 13, "milliseconds: {ts}");
    let want = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret, &format!("{ts}\n{secret}")));
    assert_eq!(g.query("sign").as_deref(), Some(want.as_str()), "{}", g.uri);
    // URL-encoded on the wire: no raw '+' or '/' of base64 in the query.
    let raw_sign = g.uri.split("sign=").nth(1).unwrap();
    assert!(!raw_sign.contains('+') && !raw_sign.contains('/'), "{raw_sign}");
    let b = g.json();
    assert_eq!(b["msgtype"], "markdown", "{b}");
    (
        b["markdown"]["title"].as_str().unwrap().to_string(),
        b["markdown"]["text"].as_str().unwrap().to_string(),
    )
}

/// Checks the JSON webhook's headers and signature: `sha256=` hex HMAC-SHA256(secret, ts + "." + body).
fn check_json(g: &Got, secret: &str) -> Value {
    let ts = g.header("x-hezuo-timestamp");
    assert!(ts.parse::<i64>().is_ok(), "{ts}");
    let want = format!(
        "sha256={}",
        hex::encode(hmac_sha256(secret, &format!("{ts}.{}", g.body)))
    );
    assert_eq!(g.header("x-hezuo-signature"), want);
    let b = g.json();
    assert_eq!(g.header("x-hezuo-event"), b["event"].as_str().unwrap());
    assert!(g.header("x-hezuo-delivery").parse::<i64>().is_ok());
    assert!(b["id"].as_str().is_some_and(|s| !s.is_empty()), "{b}");
    assert!(
        b["occurred_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<Utc>>()
            .is_ok(),
        "{b}"
    );
    assert!(b["data"].is_object(), "{b}");
    b
}

fn poster() -> Poster {
    Poster::new("https://hezuo.example.gov.cn").unwrap()
}

async fn webhook(app: &TestApp, body: Value) -> i64 {
    app.create("webhooks", body).await
}

/// An approved monthly list (reports due on the 5th) with one project led by `lead`, started 1 March.
async fn approved_project(app: &TestApp, lead: i64) -> (i64, i64) {
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026年度市校合作项目清单", "cadence": "monthly", "report_due_day": 5}),
        )
        .await;
    let p = app
        .create(
            "projects",
            json!({"title": "氟硅新材料中试基地建设", "kind": "engineering", "batch_year": 2026, "batch_id": batch,
                   "lead_unit_id": lead, "start_on": "2026-03-01", "end_on": "2026-12-31"}),
        )
        .await;
    let r = app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (batch, p)
}

/// A decision of a meeting, owned by `owner`, due on `due`.
async fn decision(app: &TestApp, w: &World, owner: i64, title: &str, due: &str) -> i64 {
    let event = app
        .create(
            "events",
            json!({"title": "市校合作定期会商", "kind": "consultation", "held_on": "2026-05-10", "organizer_id": w.city}),
        )
        .await;
    app.create(
        "decisions",
        json!({"event_id": event, "title": title, "owner_id": owner, "due_on": due}),
    )
    .await
}

async fn deliveries(app: &TestApp, id: i64) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/webhooks/{id}/deliveries")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn each_event_reaches_the_webhooks_that_chose_it_once_signed_and_in_chinese() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-01");
    let w = app.seed().await;
    let rx = Receiver::start().await;
    // The city's robot hears everything below the city; the county's JSON webhook two events;
    // the college's robot everything, but only the bulletin concerns it.
    let city = webhook(
        &app,
        json!({"organization_id": w.city, "name": "市合作办工作群", "kind": "dingtalk",
               "url": format!("{}/robot/send?access_token=city", rx.base), "secret": "SECcity",
               "events": ["flag_red", "bulletin_issued", "demand_matched", "decision_late"]}),
    )
    .await;
    let county = webhook(
        &app,
        json!({"organization_id": w.county, "name": "江山市回调", "kind": "json",
               "url": format!("{}/hook/county", rx.base), "secret": "county-secret",
               "events": "flag_red,demand_matched"}),
    )
    .await;
    let college = webhook(
        &app,
        json!({"organization_id": w.college, "name": "学院群", "kind": "dingtalk",
               "url": format!("{}/robot/college?access_token=college", rx.base), "secret": "SECcollege",
               "events": ["flag_red", "bulletin_issued", "demand_matched", "decision_late"]}),
    )
    .await;
    let (batch, project) = approved_project(&app, w.county).await;
    // 15 June: April's and May's reports are missing — red.
    app.set_today("2026-06-15");
    for _ in 0..2 {
        let r = app.get("/api/v1/projects?flag=red").await;
        assert_eq!(r.json()["total"], json!(1), "{}", r.text());
    }
    // 通报印发.
    let bulletin = app
        .create("bulletins", json!({"batch_id": batch, "period": "2026-05"}))
        .await;
    let r = app
        .post(&format!("/api/v1/bulletins/{bulletin}/issue"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // 需求匹配成功: an enterprise of the county; the match accepted.
    let ent = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山氟材料有限公司", "region_code": "330881", "parent_id": w.county,
                   "industry_code": "C26", "credit_code": credit_code(31)}),
        )
        .await;
    let demand = app
        .create(
            "demands",
            json!({"enterprise_id": ent, "title": "含氟废水深度处理", "summary": "氟离子超标"}),
        )
        .await;
    app.post(&format!("/api/v1/demands/{demand}/submit"), json!({})).await;
    for _ in 0..2 {
        let r = app
            .post(&format!("/api/v1/demands/{demand}/review"), json!({"decision": "pass"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = app
        .post(
            &format!("/api/v1/demands/{demand}/matches"),
            json!({"person_id": w.person}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let m = r.json()["id"].as_i64().unwrap();
    let r = app
        .post(&format!("/api/v1/matches/{m}/status"), json!({"status": "accepted"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // 议定事项逾期: due 10 June, still open; the scan runs twice, the event is one.
    let late = decision(&app, &w, w.county, "协调解决中试基地用地问题", "2026-06-10").await;
    decision(&app, &w, w.county, "建立月度进度报送制度", "2026-06-30").await;
    assert_eq!(app.store.scan_late_decisions().await.unwrap(), 1);
    assert_eq!(app.store.scan_late_decisions().await.unwrap(), 0);

    let poster = poster();
    let t = run_once(&app.store, &poster, Utc::now()).await.unwrap();
    assert_eq!((t.delivered, t.retrying, t.failed), (7, 0, 0), "{t:?}");
    // Nothing more to post, and the events written again are not new.
    app.get("/api/v1/projects?flag=red").await;
    app.store.scan_late_decisions().await.unwrap();
    let t = run_once(&app.store, &poster, Utc::now() + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(t.delivered + t.retrying + t.failed, 0, "{t:?}");

    // The city's robot: one post per event, each signed as DingTalk documents it.
    let posts = rx.posts("/robot/send");
    assert_eq!(posts.len(), 4, "{posts:?}");
    let mut titles = Vec::new();
    for g in &posts {
        let (title, text) = check_dingtalk(g, "SECcity", "city");
        assert!(text.contains(&format!("#### {title}")), "{text}");
        assert!(text.contains("[查看详情](https://hezuo.example.gov.cn/"), "{text}");
        titles.push(title);
    }
    for prefix in [
        "项目亮红灯：氟硅新材料中试基地建设",
        "需求匹配成功：含氟废水深度处理",
        "议定事项逾期：协调解决中试基地用地问题",
        "督查通报印发：",
    ] {
        assert_eq!(
            titles.iter().filter(|t| t.starts_with(prefix)).count(),
            1,
            "{prefix}: {titles:?}"
        );
    }
    let red = posts.iter().find(|g| g.body.contains("项目亮红灯")).unwrap();
    let (_, text) = check_dingtalk(red, "SECcity", "city");
    assert!(text.contains("牵头单位：江山市"), "{text}");
    assert!(text.contains("连续两期未报送"), "{text}");
    assert!(text.contains(&format!("/projects/{project})")), "{text}");
    let late_post = posts.iter().find(|g| g.body.contains("议定事项逾期")).unwrap();
    assert!(late_post.body.contains("已逾期 5 天"), "{}", late_post.body);
    assert!(
        late_post.body.contains(&format!("/decisions/{late}")),
        "{}",
        late_post.body
    );

    // The county's JSON webhook: the red flag and the match, signed with its own secret.
    let posts = rx.posts("/hook/county");
    assert_eq!(posts.len(), 2, "{posts:?}");
    let bodies: Vec<Value> = posts.iter().map(|g| check_json(g, "county-secret")).collect();
    let red = bodies.iter().find(|b| b["event"] == "flag_red").expect("flag_red");
    assert_eq!(red["data"]["project_id"], json!(project), "{red}");
    assert_eq!(red["data"]["lead_unit"], "江山市", "{red}");
    assert_eq!(
        red["data"]["url"],
        format!("https://hezuo.example.gov.cn/projects/{project}")
    );
    let matched = bodies
        .iter()
        .find(|b| b["event"] == "demand_matched")
        .expect("demand_matched");
    assert_eq!(matched["data"]["demand_id"], json!(demand), "{matched}");
    assert_eq!(matched["data"]["expert"], "王建国", "{matched}");
    assert_eq!(matched["id"], format!("demand_matched:{m}"));

    // The college's robot: only the bulletin concerns the college.
    let posts = rx.posts("/robot/college");
    assert_eq!(posts.len(), 1, "{posts:?}");
    let (title, _) = check_dingtalk(&posts[0], "SECcollege", "college");
    assert!(title.starts_with("督查通报印发："), "{title}");

    // The delivery logs say so.
    for (id, n) in [(city, 4), (county, 2), (college, 1)] {
        let log = deliveries(&app, id).await;
        assert_eq!(log.len(), n, "{log:?}");
        for d in &log {
            assert_eq!(
                (d["status"].as_str(), d["attempts"].as_i64(), d["last_status"].as_i64()),
                (Some("delivered"), Some(1), Some(200)),
                "{d}"
            );
        }
    }
    let page = app.get(&format!("/webhooks/{city}")).await.text();
    assert!(
        page.contains("推送记录") && page.contains("已送达") && page.contains("项目亮红灯"),
        "{page}"
    );
}

#[tokio::test]
async fn a_failed_post_is_retried_after_the_wait_and_given_up_after_the_schedule() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let rx = Receiver::start().await;
    let id = webhook(
        &app,
        json!({"organization_id": w.county, "name": "回调", "kind": "json",
               "url": format!("{}/hook", rx.base), "secret": "s1", "events": ["decision_late"]}),
    )
    .await;
    decision(&app, &w, w.county, "协调用地", "2026-06-01").await;
    app.store.scan_late_decisions().await.unwrap();
    let poster = poster();
    let now = Utc::now();
    rx.answer(&[500]);
    let t = run_once(&app.store, &poster, now).await.unwrap();
    assert_eq!((t.delivered, t.retrying), (0, 1));
    let d = &deliveries(&app, id).await[0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64(), d["last_status"].as_i64()),
        (Some("pending"), Some(1), Some(500)),
        "{d}"
    );
    assert!(d["last_error"].as_str().unwrap().contains("HTTP 500"), "{d}");
    // Not before the minute is up…
    let t = run_once(&app.store, &poster, now + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(t.delivered + t.retrying, 0);
    // …then again, delivered: the same event (its id), the same delivery.
    let t = run_once(&app.store, &poster, now + Duration::seconds(61))
        .await
        .unwrap();
    assert_eq!(t.delivered, 1);
    let posts = rx.posts("/hook");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].json()["id"], posts[1].json()["id"]);
    assert_eq!(posts[0].header("x-hezuo-delivery"), posts[1].header("x-hezuo-delivery"));
    check_json(&posts[1], "s1");
    let d = &deliveries(&app, id).await[0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64(), d["last_error"].as_str()),
        (Some("delivered"), Some(2), None),
        "{d}"
    );

    // A receiver that always fails: six attempts (1 min, 5 min, 30 min, 2 h, 12 h apart), then 失败.
    let other = decision(&app, &w, w.county, "建立制度", "2026-06-02").await;
    app.store.scan_late_decisions().await.unwrap();
    rx.answer(&[503; 6]);
    let mut at = now;
    let mut tries = 0;
    for _ in 0..10 {
        let t = run_once(&app.store, &poster, at).await.unwrap();
        tries += t.retrying + t.failed;
        at += Duration::hours(13);
    }
    assert_eq!(tries, 6);
    let log = deliveries(&app, id).await;
    let d = log
        .iter()
        .find(|d| d["title"].as_str().unwrap().contains("建立制度"))
        .unwrap();
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64(), d["last_status"].as_i64()),
        (Some("failed"), Some(6), Some(503)),
        "{d}"
    );
    assert_eq!(rx.posts("/hook").len(), 2 + 6);
    let page = app.get(&format!("/webhooks/{id}")).await.text();
    assert!(page.contains("失败") && page.contains("503"), "{page}");
    let _ = other;

    // DingTalk answering 200 with an error code is not delivered.
    let robot = webhook(
        &app,
        json!({"organization_id": w.county, "name": "机器人", "kind": "dingtalk",
               "url": format!("{}/bad/robot?access_token=x", rx.base), "secret": "SECx", "events": ["decision_late"]}),
    )
    .await;
    let r = app.post(&format!("/api/v1/webhooks/{robot}/test"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["status"], "failed", "{d}");
    assert!(d["last_error"].as_str().unwrap().contains("errcode=310000"), "{d}");
    assert_eq!(d["last_status"], json!(200), "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_dispatchers_at_once_post_each_event_once() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let rx = Receiver::start().await;
    webhook(
        &app,
        json!({"organization_id": w.city, "name": "市群", "kind": "json",
               "url": format!("{}/hook", rx.base), "secret": "s", "events": ["decision_late"]}),
    )
    .await;
    for i in 0..30 {
        decision(&app, &w, w.county, &format!("事项{i}"), "2026-06-01").await;
    }
    // Two servers scan at once: thirty events, not sixty.
    let second = app
        .second_store()
        .await
        .with_clock(hezuo_domain::Clock::Fixed("2026-06-15".parse().unwrap()));
    let (a, b) = tokio::join!(app.store.scan_late_decisions(), second.scan_late_decisions());
    assert_eq!(a.unwrap() + b.unwrap(), 30);
    let at = Utc::now();
    let (p1, p2) = (poster(), poster());
    let (s1, s2) = (app.store.clone(), second.clone());
    let one = tokio::spawn(async move { run_once(&s1, &p1, at).await.unwrap() });
    let two = tokio::spawn(async move { run_once(&s2, &p2, at).await.unwrap() });
    let (one, two) = (one.await.unwrap(), two.await.unwrap());
    assert_eq!(one.delivered + two.delivered, 30, "{one:?} {two:?}");
    let posts = rx.posts("/hook");
    let mut ids: Vec<String> = posts
        .iter()
        .map(|g| g.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 30);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "each event once");
}

#[tokio::test]
async fn the_secret_is_written_never_read_back() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let rx = Receiver::start().await;
    let secret = "SECa1b2c3-never-shown-9f8e";
    let r = app
        .post(
            "/api/v1/webhooks",
            json!({"organization_id": w.county, "name": "江山群机器人", "kind": "dingtalk",
                   "url": format!("{}/robot/send?access_token=t", rx.base), "secret": secret,
                   "events": ["flag_red"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let created = r.text();
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["has_secret"], json!(true));
    // Renamed without a secret: the secret is kept (the test post is signed with it).
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/webhooks/{id}"),
            json!({"name": "江山市工作群"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let patched = r.text();
    let r = app.post(&format!("/api/v1/webhooks/{id}/test"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "delivered", "{}", r.text());
    let tested = r.text();
    let (title, _) = check_dingtalk(&rx.posts("/robot/send")[0], secret, "t");
    assert_eq!(title, "测试消息");
    // A new secret replaces it, and the log says it changed without saying it.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/webhooks/{id}"),
            json!({"secret": "SECnew-also-hidden"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.post(&format!("/api/v1/webhooks/{id}/test"), json!({})).await;
    check_dingtalk(&rx.posts("/robot/send")[1], "SECnew-also-hidden", "t");
    let mut seen = vec![created, patched, tested, r.text()];
    for uri in [
        format!("/api/v1/webhooks/{id}"),
        "/api/v1/webhooks".to_string(),
        format!("/api/v1/webhooks/{id}/deliveries"),
        format!("/api/v1/audit?record_kind=webhook&record_id={id}"),
        format!("/webhooks/{id}"),
        format!("/webhooks/{id}/edit"),
        "/webhooks".to_string(),
        "/api/v1/openapi.json".to_string(),
    ] {
        let r = app.get(&uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        seen.push(r.text());
    }
    for text in &seen {
        assert!(!text.contains("never-shown") && !text.contains("also-hidden"), "{text}");
    }
    let page = app.get(&format!("/webhooks/{id}")).await.text();
    assert!(page.contains("已设置（不显示）"), "{page}");
    let form = app.get(&format!("/webhooks/{id}/edit")).await.text();
    assert!(form.contains("type=\"password\""), "{form}");
}

#[tokio::test]
async fn each_keeps_the_webhooks_of_its_own_scope_and_bad_addresses_are_refused() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let city_hook = webhook(
        &app,
        json!({"organization_id": w.city, "name": "市群", "url": "https://oapi.dingtalk.com/robot/send?access_token=c",
               "secret": "SECc", "events": ["bulletin_issued"]}),
    )
    .await;
    let college_hook = webhook(
        &app,
        json!({"organization_id": w.college, "name": "学院群", "url": "https://oapi.dingtalk.com/robot/send?access_token=k",
               "secret": "SECk", "events": ["bulletin_issued"]}),
    )
    .await;
    let unit = app.user("jiangshan", Role::Unit, Some(w.county), None).await;
    let coord = app.user("quzhou", Role::Coordinator, Some(w.city), None).await;
    let ent = app.user("qiye", Role::Enterprise, Some(w.enterprise), None).await;
    let expert = app.user("wang", Role::Expert, Some(w.college), Some(w.person)).await;
    let good = |org: i64| {
        json!({"organization_id": org, "name": "本单位群", "url": "http://127.0.0.1:9/robot/send?access_token=u",
               "secret": "SECu", "events": ["flag_red", "decision_late"]})
    };
    // A unit: its own organisation only.
    let r = app.json_by(&unit, "POST", "/api/v1/webhooks", good(w.county)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let own = r.json()["id"].as_i64().unwrap();
    let r = app.json_by(&unit, "POST", "/api/v1/webhooks", good(w.college)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.json()["fields"]["organization_id"]
            .as_str()
            .unwrap()
            .contains("不存在")
    );
    let mut all = good(w.county);
    all["all_units"] = json!(true);
    let r = app.json_by(&unit, "POST", "/api/v1/webhooks", all).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["all_units"].as_str().unwrap().contains("协调办"));
    let list = app.get_by(&unit, "/api/v1/webhooks").await.json();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![own]);
    for other in [city_hook, college_hook] {
        assert_eq!(
            app.get_by(&unit, &format!("/api/v1/webhooks/{other}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.json_by(
                &unit,
                "PATCH",
                &format!("/api/v1/webhooks/{other}"),
                json!({"name": "改"})
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.json_by(&unit, "POST", &format!("/api/v1/webhooks/{other}/test"), json!({}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get_by(&unit, &format!("/api/v1/webhooks/{other}/deliveries"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    // The city's coordinator: the city's and the county's, not the college's.
    let list = app.get_by(&coord, "/api/v1/webhooks").await.json();
    let mut ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, vec![city_hook, own]);
    let r = app
        .json_by(
            &coord,
            "PATCH",
            &format!("/api/v1/webhooks/{own}"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["enabled"], json!(false));
    assert_eq!(
        app.get_by(&coord, &format!("/api/v1/webhooks/{college_hook}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Enterprises and experts keep none and see none.
    for s in [&ent, &expert] {
        let r = app.json_by(s, "POST", "/api/v1/webhooks", good(w.enterprise)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert_eq!(app.get_by(s, "/api/v1/webhooks").await.json()["total"], json!(0));
    }
    // Bad addresses, named in Chinese.
    for bad in [
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "oapi.dingtalk.com/robot/send",
        "file:///etc/passwd",
    ] {
        let mut b = good(w.county);
        b["url"] = json!(bad);
        let r = app.post("/api/v1/webhooks", b).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.text());
        let msg = r.json()["fields"]["url"].as_str().unwrap().to_string();
        assert!(msg.contains("http://") && msg.contains("https://"), "{msg}");
    }
    let r = app
        .post(
            "/api/v1/webhooks",
            json!({"organization_id": w.county, "name": "无密钥", "url": "https://a.example/h", "events": ["flag_red"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["secret"].as_str().unwrap().contains("密钥"));
    let r = app
        .post(
            "/api/v1/webhooks",
            json!({"organization_id": w.county, "name": "无事件", "url": "https://a.example/h", "secret": "s", "events": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["events"].as_str().unwrap().contains("事件"));
    // The form shows the refusal beside the field and keeps what was typed, never the secret.
    let r = app
        .form_as(
            &unit,
            "/webhooks/new",
            &[
                ("organization_id", &w.county.to_string()),
                ("name", "群"),
                ("kind", "dingtalk"),
                ("url", "ftp://x.example/robot"),
                ("secret", "SECtyped-secret"),
                ("events", "flag_red"),
                ("enabled", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let page = r.text();
    assert!(page.contains("网址须以 http:// 或 https:// 开头"), "{page}");
    assert!(
        page.contains("ftp://x.example/robot") && !page.contains("SECtyped-secret"),
        "{page}"
    );
    // The menu offers it to those who keep webhooks.
    let home = app.get_by(&unit, "/webhooks").await.text();
    assert!(home.contains("href=\"/webhooks\""), "{home}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_keepers_writing_webhooks_at_once_all_succeed() {
    let app = Arc::new(spawn_app().await);
    let w = app.seed().await;
    let rx = Receiver::start().await;
    let id = webhook(
        &app,
        json!({"organization_id": w.county, "name": "群", "kind": "json", "url": format!("{}/hook", rx.base),
               "secret": "s", "events": ["flag_red"]}),
    )
    .await;
    let mut tasks = Vec::new();
    for c in 0..8 {
        let (app, base) = (app.clone(), rx.base.clone());
        let county = w.county;
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for n in 0..4 {
                let r = match n % 4 {
                    0 => {
                        app.post(
                            "/api/v1/webhooks",
                            json!({"organization_id": county, "name": format!("群{c}"), "url": format!("{base}/hook"),
                                   "secret": "s", "events": ["bulletin_issued"]}),
                        )
                        .await
                    }
                    1 => {
                        app.json(
                            "PATCH",
                            &format!("/api/v1/webhooks/{id}"),
                            json!({"name": format!("改名{c}")}),
                        )
                        .await
                    }
                    2 => app.post(&format!("/api/v1/webhooks/{id}/test"), json!({})).await,
                    _ => {
                        app.json(
                            "PATCH",
                            &format!("/api/v1/webhooks/{id}"),
                            json!({"events": ["flag_red", "decision_late"]}),
                        )
                        .await
                    }
                };
                got.push((n, r.status));
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    for (n, s) in &all {
        let want = if *n == 0 { StatusCode::CREATED } else { StatusCode::OK };
        assert_eq!(*s, want, "{all:?}");
    }
    assert_eq!(app.get("/api/v1/webhooks").await.json()["total"], json!(9));
    let w1 = app.get(&format!("/api/v1/webhooks/{id}")).await.json();
    assert!(w1["name"].as_str().unwrap().starts_with("改名"), "{w1}");
    assert_eq!(w1["events"], json!(["flag_red", "decision_late"]));
    // Eight tests, eight posts, each delivered once.
    assert_eq!(deliveries(&app, id).await.len(), 8);
    assert_eq!(rx.posts("/hook").len(), 8);
}
