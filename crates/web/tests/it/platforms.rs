//! Innovation platforms (共建平台) through the API and the pages: validation in Chinese, the status
//! steps, filters and counts against hand-counted fixtures, who may keep one, one evaluation a
//! year, the pages and their panels, and editors racing with If-Match.

use crate::helpers::{TestApp, World, credit_code, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::sync::Arc;

async fn platform(app: &TestApp, name: &str, kind: &str, level: &str, hosts: &[i64]) -> i64 {
    app.create(
        "platforms",
        json!({"name": name, "kind": kind, "level": level, "host_ids": hosts}),
    )
    .await
}

/// A second enterprise, in 江山市 and under its government (so its coordinator reaches it).
async fn jiangshan_enterprise(app: &TestApp, w: &World) -> i64 {
    app.create(
        "organizations",
        json!({"kind": "enterprise", "name": "江山欧派门业股份有限公司", "region_code": "330881", "parent_id": w.county,
               "credit_code": credit_code(1), "industry_code": "C20"}),
    )
    .await
}

fn field<'a>(r: &'a Value, f: &str) -> &'a str {
    r["fields"][f]
        .as_str()
        .unwrap_or_else(|| panic!("no error on {f}: {r}"))
}

#[tokio::test]
async fn a_platform_is_kept_through_the_api_with_each_refusal_named_in_chinese() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app.post("/api/v1/platforms", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(field(&e, "host_ids"), "请至少选择一个依托单位");
    for f in ["name", "kind", "level"] {
        assert!(!field(&e, f).is_empty());
    }
    let r = app
        .post(
            "/api/v1/platforms",
            json!({"name": "氟硅联合研发中心", "kind": "lab", "level": "city", "host_ids": [w.enterprise]}),
        )
        .await;
    assert!(field(&r.json(), "kind").contains("联合研发中心"), "{}", r.text());
    // Today is 2026-06-15 in the tests: a platform is not established tomorrow.
    let r = app
        .post(
            "/api/v1/platforms",
            json!({"name": "氟硅联合研发中心", "kind": "rd_centre", "level": "city", "host_ids": [w.enterprise],
                   "established_on": "2026-06-16"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&r.json(), "established_on"), "成立日期不能晚于今天（2026-06-15）");
    let r = app
        .post(
            "/api/v1/platforms",
            json!({"name": "氟硅联合研发中心", "kind": "rd_centre", "level": "city", "host_ids": [99999]}),
        )
        .await;
    assert!(field(&r.json(), "host_ids").contains("99999"));

    let r = app
        .post(
            "/api/v1/platforms",
            json!({"name": "氟硅联合研发中心", "kind": "rd_centre", "level": "city",
                   "host_ids": [w.enterprise, w.college], "approved_by": "衢州市科学技术局",
                   "approval_doc": "衢市科〔2024〕12号", "established_on": "2024-05-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let p = r.json();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(
        p["host_ids"],
        json!([w.enterprise, w.college]),
        "hosts keep their order"
    );
    assert_eq!(p["status"], "planning");
    assert_eq!(r.location(), format!("/api/v1/platforms/{id}"));
    // planning → accredited skips a step.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/platforms/{id}"),
            json!({"status": "accredited"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(field(&r.json(), "status"), "平台状态不能从“筹建中”变为“已认定”");
    for step in ["built", "accredited"] {
        let r = app
            .json("PATCH", &format!("/api/v1/platforms/{id}"), json!({"status": step}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], step);
        assert_eq!(r.json()["approval_doc"], "衢市科〔2024〕12号", "fields not sent stay");
    }
    let r = app.post(&format!("/api/v1/platforms/{id}/archive"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/platforms").await.json()["total"], 0);
    assert_eq!(app.get("/api/v1/platforms?archived=true").await.json()["total"], 1);
    app.post(&format!("/api/v1/platforms/{id}/restore"), json!({})).await;
    assert_eq!(app.get("/api/v1/platforms").await.json()["total"], 1);
    // Audited, and in the change feed for search.
    let audit = app
        .get(&format!("/api/v1/audit?record_kind=platform&record_id={id}"))
        .await
        .json();
    assert!(audit["total"].as_i64().unwrap() >= 5, "{audit}");
}

#[tokio::test]
async fn lists_filter_by_kind_level_county_and_college_and_counts_match_a_hand_count() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let js = jiangshan_enterprise(&app, &w).await;
    let kc = w.enterprise; // 柯城区 330802
    let p1 = platform(&app, "柯城联合研发中心", "rd_centre", "county", &[kc, w.college]).await;
    let p2 = platform(&app, "江山联合研发中心", "rd_centre", "city", &[js]).await;
    let p3 = platform(&app, "化工重点实验室", "key_lab", "provincial", &[w.college, js]).await;
    let p4 = platform(&app, "两地中试基地", "pilot_base", "county", &[kc, js]).await;
    let p5 = platform(&app, "已归档的中试基地", "pilot_base", "national", &[js]).await;
    app.post(&format!("/api/v1/platforms/{p5}/archive"), json!({})).await;

    let ids = |q: &str| {
        let app = &app;
        let uri = format!("/api/v1/platforms?per_page=50&{q}");
        async move {
            let r = app.get(&uri).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
            let mut v: Vec<i64> = r.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap())
                .collect();
            v.sort();
            v
        }
    };
    assert_eq!(ids("").await, vec![p1, p2, p3, p4]);
    assert_eq!(ids("kind=rd_centre").await, vec![p1, p2]);
    assert_eq!(ids("level=county").await, vec![p1, p4]);
    assert_eq!(ids("county=330881").await, vec![p2, p3, p4]);
    assert_eq!(ids("county=330802").await, vec![p1, p4]);
    assert_eq!(ids(&format!("college={}", w.college)).await, vec![p1, p3]);
    assert_eq!(
        ids(&format!("college={}", w.uni)).await,
        vec![p1, p3],
        "a college's university"
    );
    assert_eq!(
        ids(&format!("college={}", w.county)).await,
        vec![p2, p3, p4],
        "any subtree"
    );
    assert_eq!(ids(&format!("organization_id={js}")).await, vec![p2, p3, p4]);
    assert_eq!(ids("q=研发").await, vec![p1, p2]);
    assert_eq!(ids("kind=pilot_base&archived=all").await, vec![p4, p5]);
    let r = app.get("/api/v1/platforms?kind=lab").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let counts = |by: &str| {
        let app = &app;
        let uri = format!("/api/v1/platforms/counts?by={by}");
        async move {
            let r = app.get(&uri).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            r.json()["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["key"].as_str().unwrap().to_string(),
                        r["label"].as_str().unwrap().to_string(),
                        r["count"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let row = |k: &str, l: &str, n: i64| (k.to_string(), l.to_string(), n);
    assert_eq!(
        counts("kind").await,
        vec![
            row("rd_centre", "联合研发中心", 2),
            row("key_lab", "重点实验室", 1),
            row("pilot_base", "中试基地", 1)
        ]
    );
    assert_eq!(
        counts("level").await,
        vec![
            row("county", "县级", 2),
            row("city", "市级", 1),
            row("provincial", "省级", 1)
        ]
    );
    // p4 has hosts in both counties and counts once in each.
    assert_eq!(
        counts("county").await,
        vec![row("330881", "江山市", 3), row("330802", "柯城区", 2)]
    );
    let (c, u) = (w.college.to_string(), w.uni.to_string());
    let mut by_college = counts("college").await;
    by_college.sort();
    let mut want = vec![row(&c, "化学工程学院", 2), row(&u, "浙江工业大学", 2)];
    want.sort();
    assert_eq!(by_college, want);
    let r = app.get("/api/v1/platforms/counts?by=colour").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "by").contains("kind"));
}

#[tokio::test]
async fn a_coordinator_reads_every_platform_but_keeps_only_those_hosted_in_their_subtree() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let js = jiangshan_enterprise(&app, &w).await;
    let inside = platform(&app, "江山联合研发中心", "rd_centre", "county", &[js]).await;
    let outside = platform(&app, "柯城联合研发中心", "rd_centre", "county", &[w.enterprise]).await;
    let coord = app.user("js-coord", Role::Coordinator, Some(w.county), None).await;
    let unit = app.user("unit", Role::Unit, Some(w.college), None).await;
    let leader = app.user("leader", Role::Leader, None, None).await;
    for s in [&coord, &unit, &leader] {
        let r = app.get_by(s, &format!("/api/v1/platforms/{outside}")).await;
        assert_eq!(r.status, StatusCode::OK, "every role reads every platform");
        assert_eq!(app.get_by(s, "/api/v1/platforms").await.json()["total"], 2);
        assert_eq!(
            app.get_by(s, &format!("/platforms/{outside}")).await.status,
            StatusCode::OK
        );
    }
    let patch = |s, id: i64| {
        let app = &app;
        async move {
            app.json_by(s, "PATCH", &format!("/api/v1/platforms/{id}"), json!({"summary": "改"}))
                .await
        }
    };
    let r = patch(&coord, outside).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap().contains("依托单位"));
    assert_eq!(patch(&coord, inside).await.status, StatusCode::OK);
    assert_eq!(patch(&unit, inside).await.status, StatusCode::FORBIDDEN);
    assert_eq!(patch(&leader, inside).await.status, StatusCode::FORBIDDEN);
    // The record page offers editing only where the store would allow it.
    let page = app.get_by(&coord, &format!("/platforms/{outside}")).await.text();
    assert!(!page.contains("id=\"edit-record\""));
    let page = app.get_by(&coord, &format!("/platforms/{inside}")).await.text();
    assert!(page.contains("id=\"edit-record\""));
    assert_eq!(
        app.get_by(&coord, &format!("/platforms/{outside}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    // A new one needs a host in the subtree.
    let r = app
        .json_by(
            &coord,
            "POST",
            "/api/v1/platforms",
            json!({"name": "外地平台", "kind": "key_lab", "level": "city", "host_ids": [w.enterprise]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&r.json(), "host_ids"), "依托单位中至少要有一个您负责范围内的单位");
    // People: inside only; evaluations: the office only.
    let r = app
        .json_by(
            &coord,
            "POST",
            &format!("/api/v1/platforms/{outside}/people"),
            json!({"person_id": w.person}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .json_by(
            &coord,
            "POST",
            &format!("/api/v1/platforms/{inside}/evaluations"),
            json!({"year": 2025, "grade": "good"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Files go on a platform from whoever may change it.
    let r = app
        .upload_as(
            &coord,
            "/api/v1/attachments",
            "platform",
            outside,
            "批文.txt",
            "批文".as_bytes(),
        )
        .await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
    let r = app
        .upload_as(
            &coord,
            "/api/v1/attachments",
            "platform",
            inside,
            "批文.txt",
            "批文".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn a_second_evaluation_for_one_year_is_refused_and_the_file_shows_on_the_platform_page() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = platform(&app, "氟硅中试基地", "pilot_base", "provincial", &[w.enterprise]).await;
    let uri = format!("/api/v1/platforms/{id}/evaluations");
    let r = app
        .post(&uri, json!({"year": 2025, "grade": "excellent", "evaluated_by": "浙江省科学技术厅", "evaluated_on": "2025-12-20"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let eval = r.json()["id"].as_i64().unwrap();
    let r = app.post(&uri, json!({"year": "2025", "grade": "good"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        field(&r.json(), "year"),
        "该平台 2025 年度的考核已经录入，每年只能有一条考核记录"
    );
    let r = app.post(&uri, json!({"year": "2025", "grade": "superb"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "grade").contains("优秀"));
    // The same refusal on the page's form, beside the year.
    let r = app
        .form(
            &format!("/platforms/{id}/evaluations/new"),
            &[("year", "2025"), ("grade", "pass")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("每年只能有一条考核记录"));
    let r = app
        .form(
            &format!("/platforms/{id}/evaluations/new"),
            &[("year", "2024"), ("grade", "pass"), ("comment", "基本完成任务")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(app.get(&uri).await.json()["total"], 2);
    let r = app
        .upload(
            "/api/v1/attachments",
            "platform_evaluation",
            eval,
            "2025年度考核报告.txt",
            "考核报告".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = app.get(&format!("/platforms/{id}")).await.text();
    for words in ["年度考核", "优秀", "合格", "2025年度考核报告.txt", "浙江省科学技术厅"] {
        assert!(page.contains(words), "{words}");
    }
    // Changing a year onto another's is refused the same way.
    let r = app.json("PATCH", &format!("{uri}/{eval}"), json!({"year": 2024})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_pages_show_chinese_labels_empty_states_and_the_panels_on_related_pages() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let list = app.get("/platforms").await;
    assert_eq!(list.status, StatusCode::OK);
    let t = list.text();
    assert!(t.contains("共建平台") && t.contains("暂无共建平台"), "{t}");
    let form = app.get("/platforms/new").await.text();
    for words in [
        "平台名称",
        "依托单位",
        "认定文号",
        "成立日期",
        "联合研发中心",
        "院士工作站",
        "国家级",
    ] {
        assert!(form.contains(words), "{words}");
    }
    let r = app
        .form(
            "/platforms/new",
            &[("name", ""), ("kind", "key_lab"), ("level", "city")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请至少选择一个依托单位"));
    let r = app
        .form(
            "/platforms/new",
            &[
                ("name", "衢州氟硅重点实验室"),
                ("kind", "key_lab"),
                ("level", "city"),
                ("host_ids", &w.enterprise.to_string()),
                ("host_ids", &w.college.to_string()),
                ("status", "planning"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let page = app.get(&format!("/platforms/{id}")).await.text();
    for words in [
        "衢州氟硅重点实验室",
        "重点实验室",
        "依托单位",
        "化学工程学院",
        "驻站人员",
        "尚无驻站人员",
        "尚无年度考核记录",
        "录入年度考核",
        "操作留痕",
        "附件",
    ] {
        assert!(page.contains(words), "{words}");
    }
    // Someone stationed through the page's form, shown there and on their own page.
    let r = app
        .form(
            &format!("/platforms/{id}/people/new"),
            &[
                ("person_id", &w.person.to_string()),
                ("role", "驻站博士"),
                ("from_on", "2025-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get(&format!("/platforms/{id}")).await.text();
    assert!(page.contains("王建国") && page.contains("驻站博士") && page.contains("移除：王建国"));
    let person = app.get(&format!("/people/{}", w.person)).await.text();
    assert!(person.contains("衢州氟硅重点实验室"));
    let host = app.get(&format!("/organizations/{}", w.enterprise)).await.text();
    assert!(host.contains("共建平台") && host.contains("衢州氟硅重点实验室"));
    let r = app
        .form(&format!("/platforms/{id}/people/{}/remove", w.person), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        app.get(&format!("/platforms/{id}"))
            .await
            .text()
            .contains("尚无驻站人员")
    );
    let list = app.get("/platforms").await.text();
    assert!(list.contains("按类型统计") && list.contains("按级别统计") && list.contains("衢州氟硅重点实验室"));
    let en = app.get("/platforms?lang=en").await.text();
    assert!(en.contains("Platforms") && en.contains("Key laboratory"), "{en}");
    // Search finds it by its name and by its kind in words.
    for q in ["氟硅重点实验室", "重点实验室"] {
        let r = app
            .get(&format!("/api/v1/search?q={}&kind=platform", urlencoding::encode(q)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let hits = r.json();
        assert!(
            hits["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["url"] == format!("/platforms/{id}")),
            "{q}: {hits}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn editors_racing_with_if_match_lose_no_update_and_see_no_server_error() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = platform(&app, "并发平台", "rd_centre", "county", &[w.enterprise]).await;
    app.json("PATCH", &format!("/api/v1/platforms/{id}"), json!({"summary": "0"}))
        .await;
    let app = Arc::new(app);
    let (clients, each) = (6, 5);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let uri = format!("/api/v1/platforms/{id}");
            let mut statuses = Vec::new();
            let mut done = 0;
            while done < each {
                let r = app.get(&uri).await;
                statuses.push(r.status);
                let tag = r.headers[axum::http::header::ETAG].to_str().unwrap().to_string();
                let n: i64 = r.json()["summary"].as_str().unwrap().parse().unwrap();
                let r = app
                    .send(
                        axum::http::Request::patch(&uri)
                            .header(axum::http::header::CONTENT_TYPE, "application/json")
                            .header(axum::http::header::IF_MATCH, tag)
                            .body(axum::body::Body::from(
                                json!({"summary": (n + 1).to_string()}).to_string(),
                            ))
                            .unwrap(),
                    )
                    .await;
                statuses.push(r.status);
                if r.status == StatusCode::OK {
                    done += 1;
                }
            }
            statuses
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert!(
        all.iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::PRECONDITION_FAILED),
        "{all:?}"
    );
    let r = app.get(&format!("/api/v1/platforms/{id}")).await.json();
    assert_eq!(r["summary"], (clients * each).to_string(), "every increment kept");
}
