//! Secondments (挂职) through the API and the pages: missing reports turn a serving secondee yellow
//! then red as the days pass, a secondee sees and reports on their own secondment only, a county's
//! coordinator sees the secondees of their county only, many filing at once keep every report, and
//! bad dates are refused naming the field.

use crate::helpers::{TestApp, World, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::sync::Arc;

/// A secondment from `from` to `to`, quarterly (due on the 10th), set serving.
async fn serving(app: &TestApp, person: i64, from: i64, to: i64, post: &str, start: &str) -> i64 {
    let id = app
        .create(
            "secondments",
            json!({"person_id": person, "from_organization_id": from, "to_organization_id": to,
                   "post": post, "start_on": start, "end_on": "2027-03-31", "work_plan": "走访企业，对接技术难题"}),
        )
        .await;
    let r = app
        .post(
            &format!("/api/v1/secondments/{id}/status"),
            json!({"status": "serving"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    id
}

async fn person(app: &TestApp, org: i64, name: &str) -> i64 {
    app.create(
        "people",
        json!({"organization_id": org, "name": name, "is_expert": true}),
    )
    .await
}

async fn one(app: &TestApp, id: i64) -> Value {
    let r = app.get(&format!("/api/v1/secondments/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// A second county with a department of its own.
async fn second_county(app: &TestApp, w: &World) -> i64 {
    app.create(
        "organizations",
        json!({"kind": "government", "name": "龙游县", "region_code": "330825", "parent_id": w.city}),
    )
    .await
}

#[tokio::test]
async fn missing_reports_turn_a_serving_secondee_yellow_then_red_and_a_report_clears_them() {
    let mut app = spawn_app().await;
    let w = app.seed().await;
    let id = serving(&app, w.person, w.college, w.county, "江山市科技局副局长", "2026-04-01").await;
    // 2026-06-15: the second quarter's report is not due until 10 July.
    let s = one(&app, id).await;
    assert_eq!(
        (s["flag"].as_str(), s["direction"].as_str()),
        (Some("green"), Some("to_local"))
    );
    assert_eq!(s["flag_reasons"], json!([]));
    // The day after it was due, one report is missing: yellow, naming the quarter.
    app.set_today("2026-07-11");
    let s = one(&app, id).await;
    assert_eq!(s["flag"], "yellow", "{s}");
    let why = s["flag_reasons"][0].as_str().unwrap();
    assert!(why.contains("2026年第二季度") && why.contains("1 期未报送"), "{why}");
    let list = app.get("/api/v1/secondments?flag=yellow").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(app.get("/api/v1/secondments?flag=red").await.json()["total"], 0);
    let page = app.get("/secondments").await.text();
    assert!(
        page.contains("黄灯") && page.contains("2026年第二季度"),
        "the list shows the flag and why"
    );
    // The next quarter missed too: two in a row, red.
    app.set_today("2026-10-11");
    let s = one(&app, id).await;
    assert_eq!(s["flag"], "red", "{s}");
    assert!(s["flag_reasons"][0].as_str().unwrap().contains("连续两期"));
    let page = app.get(&format!("/secondments/{id}")).await.text();
    assert!(
        page.contains("红灯") && page.contains("未报送"),
        "the record page shows red and the missing periods"
    );
    // Filing the third quarter (late) leaves one missing: yellow again; the periods say which.
    let r = app
        .post(
            &format!("/api/v1/secondments/{id}/reports"),
            json!({"period": "2026-Q3", "work_done": "对接企业技术难题 5 项"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["late"], true);
    assert_eq!(one(&app, id).await["flag"], "yellow");
    let periods = app.get(&format!("/api/v1/secondments/{id}/periods")).await.json();
    let standing: Vec<(&str, &str)> = periods["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["period"].as_str().unwrap(), p["standing"].as_str().unwrap()))
        .collect();
    assert_eq!(
        &standing[..3],
        [("2026-Q2", "missing"), ("2026-Q3", "late"), ("2026-Q4", "not_due")]
    );
    // Ended early: no longer followed, no flag at all.
    let r = app
        .post(
            &format!("/api/v1/secondments/{id}/status"),
            json!({"status": "ended_early", "ended_on": "2026-10-08"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let s = one(&app, id).await;
    assert_eq!(
        (s["flag"].clone(), s["ended_on"].clone()),
        (Value::Null, json!("2026-10-08"))
    );
}

#[tokio::test]
async fn a_secondee_sees_and_reports_on_their_own_secondment_only() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let other = person(&app, w.college, "李明").await;
    let mine = serving(&app, w.person, w.college, w.county, "江山市经信局副局长", "2026-01-05").await;
    let theirs = serving(&app, other, w.college, w.county, "江山市科技局副局长", "2026-01-05").await;
    let me = app.user("secondee", Role::Expert, None, Some(w.person)).await;
    let list = app.get_by(&me, "/api/v1/secondments").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], mine);
    assert_eq!(
        app.get_by(&me, &format!("/api/v1/secondments/{theirs}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Their own report, through the page's form; another's does not exist for them.
    let r = app
        .form_as(
            &me,
            &format!("/secondments/{mine}/reports/new"),
            &[("period", "2026-Q1"), ("work_done", "牵头对接江山企业 3 家")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .json_by(
            &me,
            "POST",
            &format!("/api/v1/secondments/{theirs}/reports"),
            json!({"period": "2026-Q1", "work_done": "代报"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let reports = app.get(&format!("/api/v1/secondments/{mine}/reports")).await.json();
    assert_eq!(reports["items"][0]["filed_by"], "secondee");
    assert_eq!(
        app.get(&format!("/api/v1/secondments/{theirs}/reports")).await.json()["total"],
        0
    );
    // They change nothing of the record itself; the page offers them the report, not the edit.
    let r = app
        .json_by(
            &me,
            "PATCH",
            &format!("/api/v1/secondments/{mine}"),
            json!({"post": "改岗"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = app.get_by(&me, &format!("/secondments/{mine}")).await.text();
    assert!(page.contains("填报工作报告") && page.contains("牵头对接江山企业"));
    assert!(!page.contains(&format!("/secondments/{mine}/edit")));
    // Their person page shows 挂职经历.
    let page = app.get_by(&me, &format!("/people/{}", w.person)).await.text();
    assert!(page.contains("挂职经历") && page.contains("江山市经信局副局长"));
}

#[tokio::test]
async fn a_county_coordinator_sees_the_secondees_of_their_county_only() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let longyou = second_county(&app, &w).await;
    let cadre = person(&app, longyou, "龙游干部").await;
    let here = serving(&app, w.person, w.college, w.county, "江山市科技局副局长", "2026-01-05").await;
    let there = serving(
        &app,
        cadre,
        longyou,
        w.uni,
        "浙江工业大学地方合作处副处长",
        "2026-01-05",
    )
    .await;
    assert_eq!(
        one(&app, there).await["direction"],
        "to_university",
        "derived from the sender"
    );
    let coord = app.user("jiangshan", Role::Coordinator, Some(w.county), None).await;
    let list = app.get_by(&coord, "/api/v1/secondments").await.json();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [here]);
    assert_eq!(
        app.get_by(&coord, &format!("/secondments/{there}")).await.status,
        StatusCode::NOT_FOUND
    );
    let page = app.get_by(&coord, "/secondments").await.text();
    assert!(page.contains("江山市科技局副局长") && !page.contains("龙游干部"));
    let counts = app
        .get_by(&coord, "/api/v1/secondments/counts?by=direction")
        .await
        .json();
    assert_eq!(counts["rows"][0]["key"], "to_local");
    assert_eq!(counts["rows"][0]["count"], 1);
    assert_eq!(counts["rows"][1]["count"], 0, "the other county's cadre is not counted");
    // The office filters by county and counts both ways.
    let list = app.get("/api/v1/secondments?county=330825").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], there);
    let by_county = app.get("/api/v1/secondments/counts?by=county").await.json();
    let labels: Vec<&str> = by_county["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"江山市") && labels.contains(&"龙游县"), "{labels:?}");
    // The coordinator records a secondment into their county, but not one between others.
    let r = app
        .json_by(
            &coord,
            "POST",
            "/api/v1/secondments",
            json!({"person_id": cadre, "from_organization_id": longyou, "to_organization_id": w.uni,
                   "post": "挂职", "start_on": "2026-07-01", "end_on": "2027-06-30"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.json()["fields"]["to_organization_id"]
            .as_str()
            .unwrap()
            .contains("负责范围")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_filing_reports_at_once_keep_every_report_with_no_server_error() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let mut ids = Vec::new();
    for k in 0..3 {
        let p = person(&app, w.college, &format!("挂职博士{k}")).await;
        ids.push(serving(&app, p, w.college, w.county, &format!("技术转移岗位{k}"), "2026-01-05").await);
    }
    let app = Arc::new(app);
    let periods = ["2026-Q1", "2026-Q2"];
    let (clients, each) = (12usize, 6usize);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (app, ids) = (app.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for n in 0..each {
                let id = ids[(c + n) % ids.len()];
                let r = app
                    .post(
                        &format!("/api/v1/secondments/{id}/reports"),
                        json!({"period": periods[n % 2], "work_done": format!("第{c}位第{n}次报送")}),
                    )
                    .await;
                got.push(r.status);
            }
            got
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.extend(t.await.expect("a client task"));
    }
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{:?}",
        statuses
            .iter()
            .filter(|s| **s != StatusCode::CREATED)
            .collect::<Vec<_>>()
    );
    // Every filing kept, each period's versions numbered 1, 2, 3 … without a gap or a twin.
    let mut total = 0;
    for id in &ids {
        let items = app.get(&format!("/api/v1/secondments/{id}/reports")).await.json()["items"]
            .as_array()
            .unwrap()
            .clone();
        total += items.len();
        for p in periods {
            let mut v: Vec<i64> = items
                .iter()
                .filter(|r| r["period"] == p)
                .map(|r| r["version"].as_i64().unwrap())
                .collect();
            v.sort();
            assert_eq!(v, (1..=v.len() as i64).collect::<Vec<_>>(), "{id} {p}");
        }
    }
    assert_eq!(total, clients * each);
}

#[tokio::test]
async fn bad_dates_are_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let body = |start: &str, end: &str| {
        json!({"person_id": w.person, "from_organization_id": w.college, "to_organization_id": w.county,
               "post": "江山市科技局副局长", "start_on": start, "end_on": end})
    };
    for (start, end, field, words) in [
        ("2026-07-01", "2026-06-30", "end_on", "晚于开始日期"),
        ("2026/7/1", "2027-06-30", "start_on", "YYYY-MM-DD"),
        ("2026-07-01", "2032-07-01", "end_on", "5 年"),
        ("2026-07-01", "2027-02-30", "end_on", "无效"),
    ] {
        let r = app.post("/api/v1/secondments", body(start, end)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{start} {end}");
        let msg = r.json()["fields"][field].as_str().unwrap_or_default().to_string();
        assert!(msg.contains(words), "{field}: {msg}");
    }
    assert_eq!(app.get("/api/v1/secondments").await.json()["total"], 0);
    // The page shows the form again with the message beside the field.
    let r = app
        .form(
            "/secondments/new",
            &[
                ("person_id", &w.person.to_string()),
                ("from_organization_id", &w.college.to_string()),
                ("to_organization_id", &w.county.to_string()),
                ("post", "江山市科技局副局长"),
                ("start_on", "2026-07-01"),
                ("end_on", "2026-06-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("结束日期应晚于开始日期"));
    // A start still ahead cannot be served yet; an end cannot be in the future.
    let id = app.create("secondments", body("2026-07-01", "2027-06-30")).await;
    let r = app
        .post(
            &format!("/api/v1/secondments/{id}/status"),
            json!({"status": "serving"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["status"].as_str().unwrap().contains("未到"));
    let id = serving(&app, w.person, w.college, w.county, "挂职", "2026-01-05").await;
    let r = app
        .post(
            &format!("/api/v1/secondments/{id}/status"),
            json!({"status": "ended_early", "ended_on": "2026-07-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["ended_on"].as_str().unwrap().contains("今天"));
    // A report for a period outside the term, or one not begun, names the period.
    for period in ["2025-Q4", "2026-Q3", "2026-06"] {
        let r = app
            .post(
                &format!("/api/v1/secondments/{id}/reports"),
                json!({"period": period, "work_done": "工作"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{period}");
        assert!(r.json()["fields"]["period"].is_string(), "{period}");
    }
}

#[tokio::test]
async fn a_completed_secondment_gets_its_appraisal_with_a_file_as_evidence() {
    let mut app = spawn_app().await;
    let w = app.seed().await;
    let id = serving(&app, w.person, w.college, w.county, "江山市科技局副局长", "2026-01-05").await;
    // Not before the term is over.
    let r = app
        .post(
            &format!("/api/v1/secondments/{id}/appraisal"),
            json!({"grade": "excellent", "comment": "成效显著"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    app.set_today("2027-04-02");
    let r = app
        .post(
            &format!("/api/v1/secondments/{id}/status"),
            json!({"status": "completed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["ended_on"], "2027-03-31");
    let file = app
        .upload(
            "/api/v1/attachments",
            "secondment",
            id,
            "考核表.txt",
            "期满考核登记表".as_bytes(),
        )
        .await;
    assert_eq!(file.status, StatusCode::CREATED, "{}", file.text());
    let file = file.json()["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/secondments/{id}/appraisal"),
            json!({"grade": "good", "comment": "成效显著"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["grade"].as_str().unwrap().contains("优秀"));
    let r = app
        .form(
            &format!("/secondments/{id}/appraisal"),
            &[
                ("grade", "excellent"),
                ("comment", "对接项目 6 项，成效显著"),
                ("evidence_id", &file.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let s = one(&app, id).await;
    assert_eq!(
        (s["appraisal_grade"].clone(), s["appraisal_evidence_id"].clone()),
        (json!("excellent"), json!(file))
    );
    let page = app.get(&format!("/secondments/{id}")).await.text();
    assert!(page.contains("优秀") && page.contains("考核表.txt") && page.contains("对接项目 6 项"));
}
