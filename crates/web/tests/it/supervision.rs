//! A whole reporting cycle (cycles 2 and 3 of product.md): the office approves the year's list,
//! units report month by month — on time, late, or not at all — due dates pass, the flags change,
//! a problem is raised and resolved. "Today" moves through the app's clock.

use crate::helpers::{TestApp, spawn_app};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hezuo_domain::access::Role;
use serde_json::{Value, json};

async fn flag(app: &TestApp, id: i64) -> (String, Vec<String>) {
    let p = app.get(&format!("/api/v1/projects/{id}")).await.json();
    let reasons = p["flag_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    (p["flag"].as_str().unwrap().to_string(), reasons)
}

async fn report(app: &TestApp, id: i64, period: &str, percent: i32) -> Value {
    let r = app
        .post(
            &format!("/api/v1/projects/{id}/reports"),
            json!({"period": period, "done_text": format!("{period} 完成计划任务"), "percent": percent}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn a_year_of_reporting_turns_the_flags_and_the_board_shows_them() {
    let mut app = spawn_app().await;
    app.set_today("2026-02-20");
    let w = app.seed().await;
    let dept = app
        .create(
            "organizations",
            json!({"kind": "department", "name": "市科技局", "parent_id": w.city}),
        )
        .await;
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026年度市校合作项目清单", "cadence": "monthly", "report_due_day": 5}),
        )
        .await;
    let mk = |title: &str, lead: i64| {
        json!({"title": title, "kind": "engineering", "batch_year": 2026, "batch_id": batch, "lead_unit_id": lead,
               "start_on": "2026-03-01", "end_on": "2026-12-31"})
    };
    let p1 = app.create("projects", mk("有机硅单体合成工艺优化", w.enterprise)).await;
    let p2 = app.create("projects", mk("光伏硅片切割废料回收", w.college)).await;
    let p3 = app.create("projects", mk("特种纸涂布技术攻关", w.county)).await;
    let ms = app
        .post(
            &format!("/api/v1/projects/{p1}/milestones"),
            json!({"title": "中试", "due_on": "2026-06-20"}),
        )
        .await
        .json();
    // A project outside the batch is not touched by its approval.
    let other = app
        .create(
            "projects",
            json!({"title": "另一年的项目", "kind": "culture", "batch_year": 2027, "lead_unit_id": w.city}),
        )
        .await;

    // The conference approves the list: its projects become approved together, each change audited.
    let r = app.form(&format!("/batches/{batch}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    for p in [p1, p2, p3] {
        assert_eq!(
            app.get(&format!("/api/v1/projects/{p}")).await.json()["status"],
            "approved"
        );
        let log = app
            .get(&format!(
                "/api/v1/audit?record_kind=project&record_id={p}&action=status"
            ))
            .await
            .json();
        assert_eq!(log["total"], 1);
    }
    assert_eq!(
        app.get(&format!("/api/v1/projects/{other}")).await.json()["status"],
        "planned"
    );
    assert_eq!(
        app.post(&format!("/api/v1/batches/{batch}/approve"), json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );

    // March, on time for two of them.
    app.set_today("2026-04-03");
    assert!(!report(&app, p1, "2026-03", 10).await["late"].as_bool().unwrap());
    report(&app, p2, "2026-03", 10).await;
    // A period that has not begun cannot be reported.
    let r = app
        .post(
            &format!("/api/v1/projects/{p1}/reports"),
            json!({"period": "2026-05", "done_text": "x", "percent": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // April: p1 on time; p3 reports March late (due April 5th).
    app.set_today("2026-05-04");
    report(&app, p1, "2026-04", 25).await;
    assert!(
        report(&app, p3, "2026-03", 5).await["late"].as_bool().unwrap(),
        "filed after the 5th of April"
    );
    // p2 files April two days late.
    app.set_today("2026-05-07");
    let late = report(&app, p2, "2026-04", 30).await;
    assert!(late["late"].as_bool().unwrap());
    // May: only p1 reports.
    app.set_today("2026-06-03");
    let may = report(&app, p1, "2026-05", 40).await;

    app.set_today("2026-06-15");
    let (f1, why1) = flag(&app, p1).await;
    assert_eq!(f1, "yellow", "p1's milestone is due within 15 days: {why1:?}");
    assert!(why1[0].contains("2026-06-20"));
    let (f2, why2) = flag(&app, p2).await;
    assert_eq!(f2, "yellow", "p2 missed May: {why2:?}");
    assert!(why2.iter().any(|r| r.contains("1 期未报送")));
    let (f3, why3) = flag(&app, p3).await;
    assert_eq!(f3, "red", "p3 missed April and May in a row: {why3:?}");
    assert!(why3.iter().any(|r| r.contains("连续两期")));

    // The date passes: p1's milestone is now overdue.
    app.set_today("2026-06-21");
    assert_eq!(flag(&app, p1).await.0, "red");
    // Reaching it through the report turns it back.
    app.post(
        &format!("/api/v1/projects/{p1}/reports"),
        json!({"period": "2026-05", "done_text": "中试完成", "percent": 50, "milestone_ids": [ms["id"]]}),
    )
    .await;
    assert_eq!(flag(&app, p1).await.0, "green");

    // Amended until accepted: every version kept; after acceptance, frozen.
    let versions = app.get(&format!("/api/v1/projects/{p1}/reports")).await.json();
    let may_versions: Vec<&Value> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["period"] == "2026-05")
        .collect();
    assert_eq!(may_versions.len(), 2);
    assert_eq!(may_versions[0]["version"], 2);
    assert!(
        !may_versions[0]["late"].as_bool().unwrap(),
        "an amendment does not make a report late"
    );
    assert_eq!(
        app.post(&format!("/api/v1/reports/{}/accept", may["id"]), json!({}))
            .await
            .status,
        StatusCode::CONFLICT,
        "only the latest version"
    );
    let latest = may_versions[0]["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/reports/{latest}/accept"), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .post(
            &format!("/api/v1/projects/{p1}/reports"),
            json!({"period": "2026-05", "done_text": "再改", "percent": 60}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The board, grouped by unit and by county, lists the red and yellow projects with their reasons.
    let board = app.get("/api/v1/board").await.json();
    assert_eq!(board["totals"], json!({"red": 1, "yellow": 1, "green": 1}));
    let html = app.get("/board").await.text();
    assert!(
        html.contains("特种纸涂布技术攻关")
            && html.contains("连续两期未报送进度")
            && html.contains("红灯：有节点已逾期未完成")
    );
    let list = app.get("/projects").await.text();
    assert!(
        list.contains("f-red") && list.contains("f-yellow"),
        "flags on the project list"
    );

    // A unit raises a problem; the office coordinates and resolves it with a decision.
    let unit = app.user("college", Role::Unit, Some(w.college), None).await;
    let r = app
        .send_as(
            Some(&unit),
            Request::post("/api/v1/problems")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"project_id": p2, "title": "中试场地未落实", "owner_id": dept, "due_on": "2026-07-15"})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let problem = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["status"], "open");
    assert!(
        app.get("/board").await.text().contains("中试场地未落实"),
        "open problems are on the board"
    );
    let owner_page = app.get(&format!("/organizations/{dept}")).await.text();
    assert!(
        owner_page.contains("本单位负责协调的问题") && owner_page.contains("中试场地未落实"),
        "open problems are on the owner's page"
    );
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/problems/{problem}"),
            json!({"status": "coordinating"}),
        )
        .await;
    assert_eq!(r.json()["status"], "coordinating");
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/problems/{problem}"),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["decision"].is_string());
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/problems/{problem}"),
            json!({"status": "resolved", "decision": "市科技局协调园区闲置厂房作为中试场地"}),
        )
        .await;
    assert_eq!(r.json()["status"], "resolved");
    assert!(
        !app.get("/board").await.text().contains("中试场地未落实"),
        "resolved problems leave the board"
    );
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/problems/{problem}"),
            json!({"status": "open"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a resolved problem stays resolved"
    );
}

#[tokio::test]
async fn a_unit_reports_for_itself_on_projects_it_leads_or_co_leads_only() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-10");
    let w = app.seed().await;
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026", "cadence": "quarterly", "report_due_day": 10}),
        )
        .await;
    let p = app
        .create("projects", json!({"title": "联合研发", "kind": "research", "batch_year": 2026, "batch_id": batch, "lead_unit_id": w.enterprise,
            "co_unit_ids": [w.college], "start_on": "2026-01-01", "end_on": "2026-12-31"}))
        .await;
    app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    let unit = app.user("college", Role::Unit, Some(w.college), None).await;
    let file = |body: Value| {
        Request::post(format!("/api/v1/projects/{p}/reports"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let r = app
        .send_as(
            Some(&unit),
            file(json!({"period": "2026-Q1", "done_text": "完成配合任务", "percent": 20})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        r.json()["organization_id"],
        w.college,
        "the co-unit reports for its part"
    );
    let r = app
        .send_as(
            Some(&unit),
            file(json!({"period": "2026-Q1", "done_text": "冒名", "percent": 20, "organization_id": w.enterprise})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not for the lead unit");
    let r = app
        .send_as(
            Some(&unit),
            Request::post("/api/v1/reports/1/accept").body(Body::empty()).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only the office accepts");
    let r = app
        .post(
            &format!("/api/v1/projects/{p}/reports"),
            json!({"period": "2026-13", "done_text": "x", "percent": 5}),
        )
        .await;
    assert!(
        r.json()["fields"]["period"].as_str().unwrap().contains("2026-Q1"),
        "{}",
        r.text()
    );
    // The report form shows the periods that have begun, with their due dates.
    let html = app.get(&format!("/projects/{p}/reports/new")).await.text();
    assert!(
        html.contains("2026年第一季度（2026-04-10 前报送）")
            && html.contains("2026年第二季度")
            && !html.contains("第三季度")
    );
}

#[tokio::test]
async fn pages_offer_only_what_the_role_may_do() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-10");
    let w = app.seed().await;
    let batch = app
        .create("batches", json!({"year": 2026, "title": "2026", "cadence": "monthly"}))
        .await;
    let p = app
        .create("projects", json!({"title": "联合研发", "kind": "research", "batch_year": 2026, "batch_id": batch, "lead_unit_id": w.college}))
        .await;
    app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    let unit = app.user("college", Role::Unit, Some(w.college), None).await;
    let html = app
        .send_as(
            Some(&unit),
            Request::get(format!("/projects/{p}")).body(Body::empty()).unwrap(),
        )
        .await
        .text();
    assert!(html.contains("填报进度") && html.contains("提出问题") && html.contains("上传附件"));
    assert!(
        !html.contains("id=\"edit-record\"") && !html.contains("/status") && !html.contains("/archive"),
        "no buttons it cannot use"
    );
    let leader = app.user("leader", Role::Leader, None, None).await;
    let html = app
        .send_as(
            Some(&leader),
            Request::get(format!("/projects/{p}")).body(Body::empty()).unwrap(),
        )
        .await
        .text();
    assert!(
        !html.contains("填报进度")
            && !html.contains("enctype=\"multipart/form-data\"")
            && !html.contains("id=\"edit-record\"")
    );
    let office = app.get(&format!("/projects/{p}")).await.text();
    assert!(office.contains("id=\"edit-record\"") && office.contains("/archive"));
}

#[tokio::test]
async fn an_issued_bulletin_is_frozen_numbered_and_downloadable_as_word() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-01");
    let w = app.seed().await;
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026年度市校合作项目清单", "cadence": "monthly", "report_due_day": 5}),
        )
        .await;
    let p1 = app
        .create(
            "projects",
            json!({"title": "有机硅单体合成工艺优化", "kind": "engineering", "batch_year": 2026, "batch_id": batch,
            "lead_unit_id": w.enterprise, "start_on": "2026-03-01", "end_on": "2026-12-31"}),
        )
        .await;
    let p2 = app
        .create(
            "projects",
            json!({"title": "特种纸涂布技术攻关", "kind": "research", "batch_year": 2026, "batch_id": batch,
            "lead_unit_id": w.college, "start_on": "2026-03-01", "end_on": "2026-12-31"}),
        )
        .await;
    app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    report(&app, p1, "2026-03", 15).await;
    app.set_today("2026-04-10");
    // The office drafts March's bulletin: p1 reported on time, p2 did not.
    let r = app
        .form("/bulletins/new", &[("target", &format!("{batch}|2026-03"))])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let draft = app.get(&format!("/api/v1/bulletins/{id}")).await.json();
    assert_eq!(draft["status"], "draft");
    assert!(draft["number"].is_null());
    let units = draft["content"]["units"].as_array().unwrap();
    assert_eq!(units[0]["unit"], "衢州氟硅新材料有限公司", "ranked first: on time");
    assert_eq!(units[1]["reports_missing"], 1);
    assert_eq!(draft["content"]["best"], json!(["衢州氟硅新材料有限公司"]));
    assert_eq!(draft["content"]["worst"], json!(["化学工程学院"]));
    // Its prose is edited before issue; a leader sees no draft.
    let r = app
        .form(
            &format!("/bulletins/{id}/edit"),
            &[
                ("title", "关于2026年3月市校合作项目推进情况的通报"),
                ("intro", "现将3月份情况通报如下。"),
                ("closing", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let leader = app.user("leader", Role::Leader, None, None).await;
    let r = app
        .send_as(
            Some(&leader),
            Request::get(format!("/api/v1/bulletins/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "drafts stay with the office");

    let r = app.form(&format!("/bulletins/{id}/issue"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let issued = app.get(&format!("/api/v1/bulletins/{id}")).await.json();
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["number"], "〔2026〕1号");
    let hash = issued["content_hash"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64);
    let page = app
        .send_as(
            Some(&leader),
            Request::get(format!("/bulletins/{id}")).body(Body::empty()).unwrap(),
        )
        .await
        .text();
    assert!(
        page.contains("〔2026〕1号")
            && page.contains(&hash)
            && page.contains("关于2026年3月市校合作项目推进情况的通报")
    );

    // Later changes do not touch it.
    report(&app, p2, "2026-03", 10).await;
    app.json(
        "PATCH",
        &format!("/api/v1/projects/{p1}"),
        json!({"title": "改过名的项目"}),
    )
    .await;
    let again = app.get(&format!("/api/v1/bulletins/{id}")).await.json();
    assert_eq!(again["content"], issued["content"]);
    assert_eq!(again["content_hash"], issued["content_hash"]);
    assert_eq!(
        app.json("PATCH", &format!("/api/v1/bulletins/{id}"), json!({"title": "改"}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post(&format!("/api/v1/bulletins/{id}/issue"), json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );

    // The Word document reads back with its number, title, table and hash.
    let d = app.get(&format!("/api/v1/bulletins/{id}/docx")).await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(d.headers["content-type"].to_str().unwrap().contains("wordprocessingml"));
    let json = docx_rs::read_docx(&d.bytes).expect("a valid .docx").json();
    for s in [
        "〔2026〕1号",
        "关于2026年3月市校合作项目推进情况的通报",
        "特种纸涂布技术攻关",
        "衢州氟硅新材料有限公司",
        "化学工程学院",
        &hash,
    ] {
        assert!(json.contains(s), "{s} is not in the document");
    }
    assert!(!json.contains("改过名的项目"));
    // The next one issued gets the next number.
    let b2 = app
        .post("/api/v1/bulletins", json!({"batch_id": batch, "period": "2026-04"}))
        .await
        .json();
    let n = app
        .post(&format!("/api/v1/bulletins/{}/issue", b2["id"]), json!({}))
        .await
        .json();
    assert_eq!(n["number"], "〔2026〕2号");
}

/// Sets a stored flag's reasons by hand, to see which of the two ways a view took.
async fn store_words(app: &TestApp, project: i64, words: &str) {
    let sql = "update project_flag set words = $1 where project_id = $2";
    let n = match app.store.db() {
        hezuo_store::Db::Sqlite(p) => sqlx::query(sql)
            .bind(words)
            .bind(project)
            .execute(p)
            .await
            .unwrap()
            .rows_affected(),
        hezuo_store::Db::Postgres(p) => sqlx::query(sql)
            .bind(words)
            .bind(project)
            .execute(p)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert_eq!(n, 1);
}

/// Issue 19: a project's flag is shown from the flag a refresh stored that day (its reasons in both
/// languages), by id, in the list and on its page; any write that could change it makes it computed
/// again at once, on this server and on another; a new day makes it computed again too.
#[tokio::test]
async fn a_stored_flag_is_shown_until_a_write_or_a_new_day_and_reads_as_computed() {
    let mut app = spawn_app().await;
    app.set_today("2026-06-15");
    let w = app.seed().await;
    let p = app
        .create(
            "projects",
            json!({"title": "盐碱地改良示范", "kind": "engineering", "batch_year": 2026, "lead_unit_id": w.county,
                   "start_on": "2026-03-01"}),
        )
        .await;
    let r = app
        .json("PATCH", &format!("/api/v1/projects/{p}"), json!({"status": "approved"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let ms = app
        .post(
            &format!("/api/v1/projects/{p}/milestones"),
            json!({"title": "试验田播种", "due_on": "2026-06-10"}),
        )
        .await
        .json();
    let computed = app.get(&format!("/api/v1/projects/{p}")).await.json();
    assert_eq!(computed["flag"], "red", "{computed}");
    let english = |html: String| html.contains("Milestone “试验田播种” was due on 2026-06-10");
    assert!(english(app.get_lang(&format!("/projects/{p}"), "en").await.text()));

    // Stored by a refresh: the same flag, reasons and words, in every view.
    assert!(app.store.refresh_flags(None).await.unwrap() >= 1);
    let stored = app.get(&format!("/api/v1/projects/{p}")).await.json();
    assert_eq!(stored, computed);
    assert!(english(app.get_lang(&format!("/projects/{p}"), "en").await.text()));
    let listed = app
        .get(&format!("/api/v1/projects?lead_unit_id={}", w.county))
        .await
        .json();
    let row = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == p)
        .unwrap()
        .clone();
    assert_eq!(
        (&row["flag"], &row["flag_reasons"]),
        (&computed["flag"], &computed["flag_reasons"])
    );

    // It is the stored one that is shown: words put there by hand come back.
    store_words(&app, p, r#"[{"zh":"存储的理由","en":"The stored reason"}]"#).await;
    assert_eq!(
        app.get(&format!("/api/v1/projects/{p}")).await.json()["flag_reasons"],
        json!(["存储的理由"])
    );
    assert!(
        app.get_lang(&format!("/projects/{p}"), "en")
            .await
            .text()
            .contains("The stored reason")
    );
    let listed = app
        .get(&format!("/api/v1/projects?lead_unit_id={}", w.county))
        .await
        .json();
    assert!(listed.to_string().contains("存储的理由"), "{listed}");
    // Words that do not read are not shown: the flag is computed.
    store_words(&app, p, "not json").await;
    assert_eq!(app.get(&format!("/api/v1/projects/{p}")).await.json(), computed);

    // A new day: computed again (the milestone is five days overdue, not four).
    store_words(&app, p, r#"[{"zh":"存储的理由","en":"The stored reason"}]"#).await;
    app.set_today("2026-06-16");
    assert_eq!(
        app.get(&format!("/api/v1/projects/{p}")).await.json()["flag_reasons"],
        computed["flag_reasons"]
    );
    app.set_today("2026-06-15");
    assert_eq!(
        app.get(&format!("/api/v1/projects/{p}")).await.json()["flag_reasons"],
        json!(["存储的理由"])
    );

    // A write that changes the flag: the milestone is reached. Green at once, here and on a
    // second server, without a refresh.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{p}/milestones/{}", ms["id"]),
            json!({"done_on": "2026-06-09"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(app.get(&format!("/api/v1/projects/{p}")).await.json()["flag"], "green");
    let other = app.second_server().await;
    let res = app.get_on(&other, &format!("/api/v1/projects/{p}")).await;
    assert_eq!(res.status, StatusCode::OK);
    let seen = res.json();
    assert_eq!(seen["flag"], "green", "{seen}");
    // Stored again, still green, with no reasons.
    app.store.refresh_flags(None).await.unwrap();
    let again = app.get(&format!("/api/v1/projects/{p}")).await.json();
    assert_eq!((&again["flag"], &again["flag_reasons"]), (&json!("green"), &json!([])));
}
