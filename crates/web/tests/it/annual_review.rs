//! The annual review (工作会议回顾) through the API and the pages: the year's figures against a
//! hand-counted world and last year's, the prose edited by the office, issuing that freezes the
//! content with its SHA-256, the Word document with its charts as pictures, who may read and
//! write it, and concurrent edits of its prose.

use crate::helpers::{TestApp, World, spawn_app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hezuo_domain::access::Role;
use hezuo_domain::annual_review::AnnualReviewContent;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The hand-counted world, "today" 2026-12-20:
/// - 2026: three projects — 工科类 led by the enterprise (柯城区, 200 万元 contract, 35.5 won),
///   研究类 led by the college (no division code, 100), 工科类 led by 江山市 (50); 2025: one 文化类
///   project (80). 2027: a batch with one 民生类 project (30) for the conference.
/// - Outcomes: a confirmed transfer to the enterprise in the city (2026) and one in 2025; a
///   contract reported but not confirmed (not counted).
/// - A platform established in 2026, another in 2024.
/// - A meeting in 2026 with two decisions: one done on time, one open past its due date.
async fn world(app: &mut TestApp) -> (World, i64) {
    app.set_today("2026-12-20");
    let w = app.seed().await;
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026年度市校合作项目清单", "cadence": "monthly", "report_due_day": 5}),
        )
        .await;
    let project = |title: &str, kind: &str, year: i32, lead: i64, contract: &str, won: &str| {
        json!({"title": title, "kind": kind, "batch_year": year, "lead_unit_id": lead,
               "contract_amount_wan": contract, "funding_won_wan": won})
    };
    let mut p1 = project(
        "有机硅单体合成工艺优化",
        "engineering",
        2026,
        w.enterprise,
        "200",
        "35.5",
    );
    p1["batch_id"] = json!(batch);
    let p1 = app.create("projects", p1).await;
    let mut p2 = project("特种纸涂布技术攻关", "research", 2026, w.college, "100", "0");
    p2["batch_id"] = json!(batch);
    app.create("projects", p2).await;
    let mut p3 = project("光伏硅片切割废料回收", "engineering", 2026, w.county, "50", "0");
    p3["batch_id"] = json!(batch);
    app.create("projects", p3).await;
    app.create(
        "projects",
        project("廿八都古镇文化研究", "culture", 2025, w.county, "80", "0"),
    )
    .await;
    app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    let next = app
        .create(
            "batches",
            json!({"year": 2027, "title": "2027年度市校合作项目清单", "cadence": "quarterly"}),
        )
        .await;
    let mut n1 = project("智慧养老服务平台建设", "livelihood", 2027, w.county, "30", "0");
    n1["batch_id"] = json!(next);
    app.create("projects", n1).await;

    for (on, title) in [("2026-05-10", "有机硅专利许可"), ("2025-08-01", "上年转化")] {
        let o = app
            .create(
                "outcomes",
                json!({"kind": "transfer", "title": title, "occurred_on": on, "organization_id": w.college,
                       "transfer_mode": "license", "enterprise_id": w.enterprise, "amount_wan": "85", "project_id": p1}),
            )
            .await;
        let r = app.post(&format!("/api/v1/outcomes/{o}/confirm"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    app.create(
        "outcomes",
        json!({"kind": "contract", "title": "未确认的合同", "occurred_on": "2026-06-01", "organization_id": w.enterprise,
               "contract_kind": "development", "amount_wan": "10"}),
    )
    .await;
    for (name, on) in [("衢州有机硅联合研发中心", "2026-05-01"), ("江山中试基地", "2024-05-01")] {
        app.create(
            "platforms",
            json!({"name": name, "kind": "rd_centre", "level": "city", "host_ids": [w.college, w.enterprise],
                   "established_on": on}),
        )
        .await;
    }
    let event = app
        .create(
            "events",
            json!({"title": "市校合作第一次定期会商", "kind": "consultation", "held_on": "2026-03-10",
                   "organizer_id": w.city}),
        )
        .await;
    let done = app
        .create(
            "decisions",
            json!({"event_id": event, "title": "建立联合实验室", "owner_id": w.college, "due_on": "2026-06-30"}),
        )
        .await;
    let r = app
        .post(
            &format!("/api/v1/decisions/{done}/progress"),
            json!({"status": "done", "progress": "已挂牌", "done_on": "2026-06-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.create(
        "decisions",
        json!({"event_id": event, "title": "出台人才互派办法", "owner_id": w.county, "due_on": "2026-09-30"}),
    )
    .await;
    (w, p1)
}

fn figure<'a>(c: &'a Value, key: &str) -> &'a Value {
    c["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key}"))
}

fn etag(r: &crate::helpers::Res) -> String {
    r.headers
        .get(header::ETAG)
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_review_counts_the_year_against_last_year_and_freezes_when_issued() {
    let mut app = spawn_app().await;
    let (w, p1) = world(&mut app).await;
    let r = app.get("/api/v1/annual-review/2026").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(etag(&r), "\"0\"", "never saved");
    let draft = r.json();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["saved"], false);
    assert!(draft["content_hash"].is_null());
    let c = &draft["content"];
    assert_eq!(c["year"], 2026);
    // Projects, money: this year and last, with the change.
    let p = figure(c, "projects");
    assert_eq!((p["this_year"].as_i64(), p["last_year"].as_i64()), (Some(3), Some(1)));
    assert_eq!(p["change"], 2);
    assert_eq!(p["change_percent"], 200.0);
    let m = figure(c, "contract");
    assert_eq!(m["this_year"], 350_000_000, "350 万元 in fen");
    assert_eq!(m["last_year"], 80_000_000);
    assert_eq!(figure(c, "funding")["this_year"], 35_500_000);
    // Outcomes: only confirmed ones; the transfer went to an enterprise in the city.
    assert_eq!(figure(c, "outcomes")["this_year"], 1);
    assert_eq!(figure(c, "transfers")["this_year"], 1);
    assert_eq!(figure(c, "transfers")["last_year"], 1);
    assert_eq!(figure(c, "local_transfers")["this_year"], 1);
    assert_eq!(
        (c["transfers"].as_i64(), c["local_transfers"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(figure(c, "platforms")["this_year"], 1);
    assert_eq!(c["platforms"][0]["name"], "衢州有机硅联合研发中心");
    assert_eq!(figure(c, "events")["this_year"], 1);
    assert_eq!(figure(c, "decisions_done")["this_year"], 1);
    assert_eq!(
        c["decisions"],
        json!({"total": 2, "done": 1, "done_on_time": 1, "handed_over": 0, "open": 1, "late": 1})
    );
    // By kind (every kind listed) and by county.
    let kinds = c["by_kind"].as_array().unwrap();
    let kind = |l: &str| kinds.iter().find(|k| k["label"] == l).unwrap()["projects"].as_i64();
    assert_eq!(
        (kind("工科类"), kind("研究类"), kind("文化")),
        (Some(2), Some(1), Some(0))
    );
    let counties: Vec<(String, i64)> = c["by_county"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["label"].as_str().unwrap().to_string(),
                g["projects"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counties.len(), 3, "{counties:?}");
    assert!(counties.contains(&("江山市".to_string(), 1)), "{counties:?}");
    assert!(counties.contains(&("柯城区".to_string(), 1)), "{counties:?}");
    assert_eq!(c["years"].as_array().unwrap().len(), 5);
    assert_eq!(c["years"][3]["projects"], 1, "2025");
    assert_eq!(c["years"][4]["projects"], 3, "2026");
    // The year's three lead units are ranked; the new year's list is put to the conference.
    assert_eq!(c["units"].as_array().unwrap().len(), 3);
    assert_eq!(c["next_batch"]["year"], 2027);
    assert_eq!(c["next_batch"]["title"], "2027年度市校合作项目清单");
    assert_eq!(c["next_batch"]["projects"][0]["title"], "智慧养老服务平台建设");
    assert_eq!(c["next_batch"]["projects"][0]["contract_fen"], 30_000_000);

    // The page shows the sections, their tables and charts; the office has the prose form.
    let page = app.get("/annual-review/2026").await.text();
    for s in [
        "一、主要指标",
        "九、新一年度合作项目清单",
        "<svg",
        "智慧养老服务平台建设",
        "id=\"issue\"",
        "f-next_year",
    ] {
        assert!(page.contains(s), "{s} is not on the page");
    }

    // The office edits the prose on the page (the first save creates the draft), then issues it.
    let r = app
        .form(
            "/annual-review/2026/edit",
            &[
                ("_version", "0"),
                ("title", "2026年度市校全面合作工作回顾（送审稿）"),
                ("intro", "一年来，市校合作扎实推进。"),
                ("next_year", "2027年，继续深化合作。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .form(
            "/annual-review/2026/edit",
            &[("_version", "0"), ("title", "别人的标题"), ("intro", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "an old version is not overwritten");
    let saved = app.get("/api/v1/annual-review/2026").await;
    let v = etag(&saved);
    assert_ne!(v, "\"0\"");
    let r = app
        .form(
            "/annual-review/2026/edit",
            &[("_version", v.trim_matches('"')), ("title", ""), ("intro", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("err-title"), "the blank title is named");
    let saved = saved.json();
    assert_eq!(saved["content"]["title"], "2026年度市校全面合作工作回顾（送审稿）");
    assert_eq!(saved["content"]["next_year_text"], "2027年，继续深化合作。");

    let r = app.form("/annual-review/2026/issue", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let issued = app.get("/api/v1/annual-review/2026").await.json();
    assert_eq!(issued["status"], "issued");
    let hash = issued["content_hash"].as_str().unwrap().to_string();
    // The hash is the SHA-256 of the content as frozen.
    let content: AnnualReviewContent = serde_json::from_value(issued["content"].clone()).unwrap();
    let again = hex::encode(Sha256::digest(serde_json::to_string(&content).unwrap().as_bytes()));
    assert_eq!(again, hash);
    let page = app.get("/annual-review/2026").await.text();
    assert!(page.contains("issued-banner") && page.contains(&hash) && !page.contains("id=\"issue\""));

    // New records and changes do not touch it; it is neither edited nor issued again.
    app.create(
        "projects",
        json!({"title": "印发后新增的项目", "kind": "research", "batch_year": 2026, "lead_unit_id": w.college}),
    )
    .await;
    app.json(
        "PATCH",
        &format!("/api/v1/projects/{p1}"),
        json!({"title": "改过名的项目"}),
    )
    .await;
    let later = app.get("/api/v1/annual-review/2026").await.json();
    assert_eq!(later["content"], issued["content"]);
    assert_eq!(later["content_hash"], issued["content_hash"]);
    assert_eq!(figure(&later["content"], "projects")["this_year"], 3);
    let r = app
        .json("PATCH", "/api/v1/annual-review/2026", json!({"title": "改"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = app.post("/api/v1/annual-review/2026/issue", json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // The next year's draft counts the new project in 2026, its last year.
    let next = app.get("/api/v1/annual-review/2027").await.json();
    assert_eq!(figure(&next["content"], "projects")["last_year"], 4);

    // The Word document: a valid .docx with the year's title, its hash and its charts as PNG.
    let d = app.get("/api/v1/annual-review/2026/docx").await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(d.headers["content-type"].to_str().unwrap().contains("wordprocessingml"));
    assert_eq!(&d.bytes[..2], b"PK", "a zip file");
    if let Ok(path) = std::env::var("HEZUO_REVIEW_SAMPLE") {
        std::fs::write(path, &d.bytes).unwrap();
    }
    let text = docx_rs::read_docx(&d.bytes).expect("word/document.xml reads").json();
    for s in ["2026年度市校全面合作工作回顾（送审稿）", &hash, "智慧养老服务平台建设"] {
        assert!(text.contains(s), "{s} is not in the document");
    }
    assert!(!text.contains("改过名的项目"));
    let names = zip_names(&d.bytes);
    assert!(names.iter().any(|n| n == "word/document.xml"), "{names:?}");
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("word/media/") && n.ends_with(".png")),
        "no chart picture in {names:?}"
    );
    // The list of years shows it issued.
    let list = app.get("/api/v1/annual-review").await.json();
    let y = list.as_array().unwrap().iter().find(|y| y["year"] == 2026).unwrap();
    assert_eq!(y["review"]["status"], "issued");
}

/// The names in a zip file's central directory.
fn zip_names(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 46 <= bytes.len() {
        if bytes[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            let n = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            let extra = u16::from_le_bytes([bytes[i + 30], bytes[i + 31]]) as usize;
            let comment = u16::from_le_bytes([bytes[i + 32], bytes[i + 33]]) as usize;
            if let Some(name) = bytes.get(i + 46..i + 46 + n) {
                out.push(String::from_utf8_lossy(name).into_owned());
            }
            i += 46 + n + extra + comment;
        } else {
            i += 1;
        }
    }
    out
}

async fn status_as(app: &TestApp, s: &crate::helpers::Session, method: &str, uri: &str) -> StatusCode {
    if method == "GET" {
        app.send_as(Some(s), Request::get(uri).body(Body::empty()).unwrap())
            .await
            .status
    } else {
        app.json_by(s, method, uri, json!({"title": "改", "intro": "改"}))
            .await
            .status
    }
}

#[tokio::test]
async fn the_office_keeps_it_leaders_read_drafts_coordinators_read_it_once_issued_others_never() {
    let mut app = spawn_app().await;
    app.set_today("2026-12-20");
    let w = app.seed().await;
    let leader = app.user("leader", Role::Leader, None, None).await;
    let coord = app.user("coord", Role::Coordinator, Some(w.county), None).await;
    let unit = app.user("unit", Role::Unit, Some(w.college), None).await;
    let ent = app.user("ent", Role::Enterprise, Some(w.enterprise), None).await;
    let expert = app.user("expert", Role::Expert, None, Some(w.person)).await;
    // A county project: the coordinator would see it in lists, but the review is the city's.
    app.create(
        "projects",
        json!({"title": "县里的项目", "kind": "research", "batch_year": 2026, "lead_unit_id": w.enterprise}),
    )
    .await;
    for s in [&unit, &ent, &expert] {
        for uri in [
            "/annual-review",
            "/api/v1/annual-review",
            "/annual-review/2026",
            "/api/v1/annual-review/2026/docx",
        ] {
            assert_eq!(status_as(&app, s, "GET", uri).await, StatusCode::FORBIDDEN, "{uri}");
        }
        let home = app
            .send_as(Some(s), Request::get("/").body(Body::empty()).unwrap())
            .await
            .text();
        assert!(!home.contains("href=\"/annual-review\""), "not in their menu");
    }
    for s in [&leader, &coord] {
        let home = app
            .send_as(Some(s), Request::get("/").body(Body::empty()).unwrap())
            .await
            .text();
        assert!(home.contains("href=\"/annual-review\""), "in their menu");
    }
    // A draft: leaders read it, the coordinator finds nothing; neither writes.
    assert_eq!(
        status_as(&app, &leader, "GET", "/api/v1/annual-review/2026").await,
        StatusCode::OK
    );
    assert_eq!(
        status_as(&app, &leader, "GET", "/annual-review/2026").await,
        StatusCode::OK
    );
    assert_eq!(
        status_as(&app, &coord, "GET", "/api/v1/annual-review/2026").await,
        StatusCode::NOT_FOUND
    );
    let list = app
        .send_as(
            Some(&coord),
            Request::get("/api/v1/annual-review").body(Body::empty()).unwrap(),
        )
        .await
        .json();
    assert_eq!(list, json!([]), "no issued review yet");
    let page = app
        .send_as(
            Some(&coord),
            Request::get("/annual-review").body(Body::empty()).unwrap(),
        )
        .await
        .text();
    assert!(page.contains("还没有印发的年度回顾"), "the empty state");
    for s in [&leader, &coord] {
        for (m, uri) in [
            ("PATCH", "/api/v1/annual-review/2026"),
            ("POST", "/api/v1/annual-review/2026/issue"),
        ] {
            assert_eq!(status_as(&app, s, m, uri).await, StatusCode::FORBIDDEN, "{m} {uri}");
        }
    }
    let page = app
        .send_as(
            Some(&leader),
            Request::get("/annual-review/2026").body(Body::empty()).unwrap(),
        )
        .await
        .text();
    assert!(
        !page.contains("id=\"issue\"") && !page.contains("f-intro"),
        "no office tools for a leader"
    );
    // Issued: the coordinator reads the whole city's figures.
    assert_eq!(
        app.post("/api/v1/annual-review/2026/issue", json!({})).await.status,
        StatusCode::OK
    );
    let r = app
        .send_as(
            Some(&coord),
            Request::get("/api/v1/annual-review/2026").body(Body::empty()).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(figure(&r.json()["content"], "projects")["this_year"], 1);
    let list = app
        .send_as(
            Some(&coord),
            Request::get("/api/v1/annual-review").body(Body::empty()).unwrap(),
        )
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        status_as(&app, &unit, "GET", "/api/v1/annual-review/2026").await,
        StatusCode::FORBIDDEN
    );
    // A year out of range is not found.
    assert_eq!(
        app.get("/api/v1/annual-review/1899").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/annual-review/abc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_prose_edits_lose_nothing_and_never_fail() {
    let mut app = spawn_app().await;
    app.set_today("2026-12-20");
    app.seed().await;
    let app = Arc::new(app);
    // Six editors start from the never-saved draft (ETag 0): one saves, the others are told (412).
    let mut tasks = Vec::new();
    for n in 0..6 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            app.send(
                Request::patch("/api/v1/annual-review/2026")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::IF_MATCH, "\"0\"")
                    .body(Body::from(json!({"title": format!("标题{n}")}).to_string()))
                    .unwrap(),
            )
            .await
            .status
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap());
    }
    assert_eq!(got.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{got:?}");
    assert!(
        got.iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::PRECONDITION_FAILED),
        "{got:?}"
    );
    // Without If-Match, editors of different parts all land: nothing is lost, nothing fails.
    for round in 0..3 {
        let mut tasks = Vec::new();
        for (field, value) in [
            ("title", format!("标题{round}")),
            ("intro", format!("导语{round}")),
            ("next_year", format!("打算{round}")),
        ] {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let mut body = serde_json::Map::new();
                body.insert(field.to_string(), json!(value));
                app.json("PATCH", "/api/v1/annual-review/2026", Value::Object(body))
                    .await
                    .status
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::OK, "round {round}");
        }
        let r = app.get("/api/v1/annual-review/2026").await.json();
        assert_eq!(r["title"], format!("标题{round}"));
        assert_eq!(r["intro"], format!("导语{round}"));
        assert_eq!(r["next_year"], format!("打算{round}"));
    }
    // Issue and edit at once: the edit either lands before or is refused after; never a 5xx.
    let (a, b) = (app.clone(), app.clone());
    let issue = tokio::spawn(async move { a.post("/api/v1/annual-review/2026/issue", json!({})).await.status });
    let edit = tokio::spawn(async move {
        b.json("PATCH", "/api/v1/annual-review/2026", json!({"intro": "最后的修改"}))
            .await
            .status
    });
    assert_eq!(issue.await.unwrap(), StatusCode::OK);
    let e = edit.await.unwrap();
    assert!(e == StatusCode::OK || e == StatusCode::CONFLICT, "{e}");
    let r = app.get("/api/v1/annual-review/2026").await.json();
    assert_eq!(
        r["content"]["intro"], r["intro"],
        "the frozen content has the prose as issued"
    );
}
