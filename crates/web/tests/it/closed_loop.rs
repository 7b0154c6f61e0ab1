//! The closed loop through the API and the pages: one demand walked from intake to local use with
//! each step dated, the funnel of a year against hand-counted fixtures (demands complete, stopped
//! and still moving at each step), and outcomes that must not count — unconfirmed, returned,
//! archived, or outside the caller's scope.

use crate::helpers::*;
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};

/// An expert of the college, for matches.
async fn expert(app: &TestApp, w: &World) -> i64 {
    app.create(
        "people",
        json!({"organization_id": w.college, "name": "李明", "is_expert": true, "discipline": "环境科学与工程"}),
    )
    .await
}

/// How far [`walk`] takes a demand.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Upto {
    Submitted,
    Reviewed,
    Matched,
    Contract,
    Project,
    Outcome,
    LocalUse,
}

/// A demand of `ent` collected on `day` (a date in March of `year`), then taken up to `upto`, each
/// step on its own day: reviewed on the 10th, matched on the 20th of March, the contract on 1 April,
/// the project starting 15 April, funding won on 1 June, the result used in the city on 1 July.
async fn walk(app: &mut TestApp, ent: i64, person: i64, title: &str, year: i32, upto: Upto) -> i64 {
    app.set_today(&format!("{year}-03-01"));
    let id = app
        .create(
            "demands",
            json!({"enterprise_id": ent, "title": title, "summary": format!("{title}，需要高校专家协助解决。")}),
        )
        .await;
    let r = app.post(&format!("/api/v1/demands/{id}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    if upto < Upto::Reviewed {
        return id;
    }
    app.set_today(&format!("{year}-03-05"));
    let r = app
        .post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "pass"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.set_today(&format!("{year}-03-10"));
    let r = app
        .post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "pass"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    if upto < Upto::Matched {
        return id;
    }
    let r = app
        .post(&format!("/api/v1/demands/{id}/matches"), json!({"person_id": person}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let m = r.json()["id"].as_i64().unwrap();
    app.set_today(&format!("{year}-03-20"));
    for status in ["contacted", "accepted"] {
        let r = app
            .post(&format!("/api/v1/matches/{m}/status"), json!({"status": status}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    app.set_today(&format!("{year}-12-01"));
    if upto >= Upto::Contract {
        let c = outcome(
            app,
            json!({"kind": "contract", "title": format!("{title}技术开发合同"), "occurred_on": format!("{year}-04-01"),
                   "organization_id": ent, "match_id": m, "contract_kind": "development", "amount_wan": "50"}),
        )
        .await;
        confirm(app, c).await;
    }
    if upto < Upto::Project {
        return id;
    }
    let project = app
        .create(
            "projects",
            json!({"title": format!("{title}项目"), "kind": "engineering", "batch_year": year, "lead_unit_id": ent,
                   "origin": "demand", "start_on": format!("{year}-04-15"), "end_on": format!("{}-12-31", year + 1)}),
        )
        .await;
    let r = app
        .post(
            &format!("/api/v1/demands/{id}/step"),
            json!({"action": "project", "project_id": project}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    if upto < Upto::Outcome {
        return id;
    }
    let f = outcome(
        app,
        json!({"kind": "funding", "title": format!("{title}获省级科技经费"), "occurred_on": format!("{year}-06-01"),
               "organization_id": ent, "project_id": project, "programme": "省重点研发计划", "grantor_level": "provincial",
               "amount_wan": "80"}),
    )
    .await;
    confirm(app, f).await;
    let in_city = upto >= Upto::LocalUse;
    let t = outcome(
        app,
        json!({"kind": "transfer", "title": format!("{title}成果转化"), "occurred_on": format!("{year}-07-01"),
               "organization_id": ent, "project_id": project, "transfer_mode": "license", "enterprise_id": ent,
               "in_city": in_city.to_string(), "amount_wan": "30"}),
    )
    .await;
    confirm(app, t).await;
    id
}

/// Records an outcome through the API; its id.
async fn outcome(app: &TestApp, body: Value) -> i64 {
    app.create("outcomes", body).await
}

async fn confirm(app: &TestApp, id: i64) {
    let r = app.post(&format!("/api/v1/outcomes/{id}/confirm"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

fn counts(funnel: &Value) -> Vec<i64> {
    funnel["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_i64().unwrap())
        .collect()
}

fn column(funnel: &Value, key: &str) -> Vec<i64> {
    funnel["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[key].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn one_demand_walks_the_whole_loop_and_each_step_has_its_date_and_days() {
    let mut app = spawn_app().await;
    let w = app.seed().await;
    let person = expert(&app, &w).await;
    let id = walk(&mut app, w.enterprise, person, "含氟废水深度处理", 2026, Upto::LocalUse).await;
    let l = app.get(&format!("/api/v1/demands/{id}/loop")).await;
    assert_eq!(l.status, StatusCode::OK, "{}", l.text());
    let l = l.json();
    assert_eq!(l["complete"], true, "{l}");
    assert_eq!(l["stopped"], false);
    assert!(l["next"].is_null());
    let steps = l["steps"].as_array().unwrap();
    let codes: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "collected",
            "reviewed",
            "matched",
            "contracted",
            "project",
            "outcome",
            "local_use"
        ]
    );
    let dates: Vec<&str> = steps.iter().map(|s| s["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        [
            "2026-03-01",
            "2026-03-10",
            "2026-03-20",
            "2026-04-01",
            "2026-04-15",
            "2026-06-01",
            "2026-07-01"
        ]
    );
    let days: Vec<Value> = steps.iter().map(|s| s["days"].clone()).collect();
    assert_eq!(
        days,
        [
            Value::Null,
            json!(9),
            json!(10),
            json!(12),
            json!(14),
            json!(47),
            json!(30)
        ]
    );
    assert_eq!(steps[0]["label"], "征集入库");
    assert_eq!(steps[6]["label"], "本地转化");
    // The records behind the steps: the accepted match, the contract, the project, the outcomes.
    assert_eq!(steps[2]["items"][0]["kind"], "matches");
    assert_eq!(steps[3]["items"][0]["kind"], "outcomes");
    assert_eq!(steps[4]["items"][0]["kind"], "projects");
    assert!(steps.iter().all(|s| s["reached"] == true));

    let f = app.get("/api/v1/funnel?year=2026").await.json();
    assert_eq!(f["total"], 1);
    assert_eq!(counts(&f), [1, 1, 1, 1, 1, 1, 1]);
    assert_eq!(f["steps"][1]["median_days"], 9.0);
    assert_eq!(f["steps"][3]["conversion"], 1.0);

    // The demand's page shows the loop, closed.
    let page = app.get(&format!("/demands/{id}")).await.text();
    assert!(page.contains("转化闭环：已闭环"), "{page}");
    assert!(page.contains("2026-07-01"));
}

#[tokio::test]
async fn the_funnel_of_a_year_matches_hand_counted_demands_complete_stopped_and_moving() {
    let mut app = spawn_app().await;
    let w = app.seed().await;
    let person = expert(&app, &w).await;
    // A: the whole way. B: accepted, waiting for a match. C: returned at screening, then closed.
    // D: matched, its contract reported but not confirmed. E: a project with funding won and a
    // transfer outside the city. F: a draft. G: collected the year before, the whole way.
    let a = walk(&mut app, w.enterprise, person, "需求甲", 2026, Upto::LocalUse).await;
    let b = walk(&mut app, w.enterprise, person, "需求乙", 2026, Upto::Reviewed).await;
    let c = walk(&mut app, w.enterprise, person, "需求丙", 2026, Upto::Submitted).await;
    let r = app
        .post(
            &format!("/api/v1/demands/{c}/review"),
            json!({"decision": "return", "comment": "请补充数据"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .post(
            &format!("/api/v1/demands/{c}/step"),
            json!({"action": "close", "comment": "企业不再需要"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = walk(&mut app, w.enterprise, person, "需求丁", 2026, Upto::Matched).await;
    let unconfirmed = outcome(
        &app,
        json!({"kind": "contract", "title": "需求丁技术服务合同", "occurred_on": "2026-04-02",
               "organization_id": w.enterprise, "demand_id": d, "contract_kind": "service", "amount_wan": "20"}),
    )
    .await;
    let e = walk(&mut app, w.enterprise, person, "需求戊", 2026, Upto::Outcome).await;
    app.create(
        "demands",
        json!({"enterprise_id": w.enterprise, "title": "需求己", "summary": "草稿"}),
    )
    .await;
    walk(&mut app, w.enterprise, person, "需求庚", 2025, Upto::LocalUse).await;

    let f = app.get("/api/v1/funnel?year=2026").await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.text());
    let f = f.json();
    assert_eq!(f["of"], "demands");
    assert_eq!(f["total"], 5, "{f}");
    // collected A B C D E; reviewed A B D E; matched A D E; contract A E (E's project passed it);
    // project A E; outcome A E; used locally A.
    assert_eq!(counts(&f), [5, 4, 3, 2, 2, 2, 1], "{f}");
    assert_eq!(column(&f, "waiting"), [0, 1, 1, 0, 0, 1, 0], "{f}");
    assert_eq!(column(&f, "stopped"), [1, 0, 0, 0, 0, 0, 0], "{f}");
    assert_eq!(f["steps"][1]["conversion"], 0.8);
    assert_eq!(f["steps"][6]["conversion"], 0.5);
    // Four reviewed demands, each nine days after collection.
    assert_eq!(f["steps"][1]["median_days"], 9.0);
    // E has no contract of its own: the project step's days count only A's (14).
    assert_eq!(f["steps"][4]["median_days"], 14.0);

    // Those waiting after the match: D, whose contract is not confirmed yet.
    let wl = app.get("/api/v1/funnel/waiting?year=2026&step=matched").await.json();
    assert_eq!(wl["total"], 1, "{wl}");
    assert_eq!(wl["items"][0]["id"], d);
    assert_eq!(wl["items"][0]["since"], "2026-03-20");
    let stopped = app
        .get("/api/v1/funnel/waiting?year=2026&step=collected&stopped=true")
        .await
        .json();
    assert_eq!(stopped["items"][0]["id"], c);
    // D's own loop shows the contract, marked as not counting.
    let l = app.get(&format!("/api/v1/demands/{d}/loop")).await.json();
    assert_eq!(l["next"], "contracted");
    let contract = &l["steps"][3]["items"][0];
    assert_eq!(contract["id"], unconfirmed);
    assert_eq!(contract["counts"], false);
    assert_eq!(l["steps"][3]["reached"], false);
    // Confirmed, it counts: D moves on.
    confirm(&app, unconfirmed).await;
    let f = app.get("/api/v1/funnel?year=2026").await.json();
    assert_eq!(counts(&f), [5, 4, 3, 3, 2, 2, 1]);
    // The year before holds only G; all years hold six.
    assert_eq!(
        counts(&app.get("/api/v1/funnel?year=2025").await.json()),
        [1, 1, 1, 1, 1, 1, 1]
    );
    assert_eq!(app.get("/api/v1/funnel").await.json()["total"], 6);
    let _ = (a, b, e);

    // The page: the table with its counts, and the demands waiting at a step.
    let page = app.get("/funnel?year=2026&step=reviewed&stopped=false").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert!(
        page.contains("需求的闭环") && page.contains("审核受理") && page.contains("80.0%"),
        "{page}"
    );
    assert!(page.contains("需求乙"), "{page}");
    assert!(!page.contains("需求甲</a>"), "{page}");
}

#[tokio::test]
async fn returned_archived_or_out_of_scope_outcomes_never_count() {
    let mut app = spawn_app().await;
    let w = app.seed().await;
    let person = expert(&app, &w).await;
    // A second enterprise, in the county's subtree.
    let other = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山欧派门业", "region_code": "330881", "parent_id": w.county,
                   "credit_code": credit_code(7), "industry_code": "C20"}),
        )
        .await;
    let mine = walk(&mut app, w.enterprise, person, "甲企业需求", 2026, Upto::Matched).await;
    let theirs = walk(&mut app, other, person, "乙企业需求", 2026, Upto::Matched).await;
    // A contract returned to its reporter and one archived: neither counts.
    let returned = outcome(
        &app,
        json!({"kind": "contract", "title": "退回的合同", "occurred_on": "2026-04-01", "organization_id": w.enterprise,
               "demand_id": mine, "contract_kind": "development", "amount_wan": "10"}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/outcomes/{returned}/return"),
            json!({"reason": "缺少合同扫描件"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let archived = outcome(
        &app,
        json!({"kind": "contract", "title": "作废的合同", "occurred_on": "2026-04-01", "organization_id": w.enterprise,
               "demand_id": mine, "contract_kind": "development", "amount_wan": "10"}),
    )
    .await;
    confirm(&app, archived).await;
    let r = app
        .post(&format!("/api/v1/outcomes/{archived}/archive"), json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    // The other enterprise's contract, confirmed.
    let c = outcome(
        &app,
        json!({"kind": "contract", "title": "乙企业合同", "occurred_on": "2026-04-03", "organization_id": other,
               "demand_id": theirs, "contract_kind": "service", "amount_wan": "10"}),
    )
    .await;
    confirm(&app, c).await;

    let f = app.get("/api/v1/funnel?year=2026").await.json();
    assert_eq!(counts(&f), [2, 2, 2, 1, 0, 0, 0], "{f}");

    // The first enterprise sees its own demand only, and no contract counts for it.
    let ent = app.user("ent-a", Role::Enterprise, Some(w.enterprise), None).await;
    let f = app.get_by(&ent, "/api/v1/funnel?year=2026").await.json();
    assert_eq!(counts(&f), [1, 1, 1, 0, 0, 0, 0], "{f}");
    let r = app.get_by(&ent, &format!("/api/v1/demands/{theirs}/loop")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let l = app.get_by(&ent, &format!("/api/v1/demands/{mine}/loop")).await.json();
    let shown: Vec<i64> = l["steps"][3]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        shown,
        [returned],
        "the archived contract is not shown, the returned one is: {l}"
    );
    assert_eq!(l["steps"][3]["items"][0]["counts"], false);
    // The county's coordinator: the enterprise in its subtree, with its contract.
    let coord = app.user("coord", Role::Coordinator, Some(w.county), None).await;
    let f = app.get_by(&coord, "/api/v1/funnel?year=2026").await.json();
    assert_eq!(counts(&f), [1, 1, 1, 1, 0, 0, 0], "{f}");
    let wl = app
        .get_by(&coord, "/api/v1/funnel/waiting?year=2026&step=matched")
        .await
        .json();
    assert_eq!(wl["total"], 0, "{wl}");
    // A county's code narrows the office's funnel the same way.
    let f = app.get("/api/v1/funnel?year=2026&county=330881").await.json();
    assert_eq!(counts(&f), [1, 1, 1, 1, 0, 0, 0], "{f}");
}

#[tokio::test]
async fn a_bad_year_step_or_county_is_refused_naming_the_parameter() {
    let app = spawn_app().await;
    for (uri, field) in [
        ("/api/v1/funnel?year=abc", "year"),
        ("/api/v1/funnel?campaign_id=x", "campaign_id"),
        ("/api/v1/funnel?county=999999", "county"),
        ("/api/v1/funnel/waiting?step=nowhere", "step"),
        ("/api/v1/funnel/waiting?step=matched&stopped=maybe", "stopped"),
    ] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {}", r.text());
        assert!(r.json()["fields"][field].is_string(), "{uri}: {}", r.text());
    }
    let r = app.get("/funnel?year=abc").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("年份"), "{}", r.text());
    // An empty store: the page says there is nothing to count.
    let page = app.get("/funnel").await.text();
    assert!(page.contains("没有可统计的记录"), "{page}");
}

#[tokio::test]
async fn a_result_goes_from_the_catalogue_to_local_use_and_the_results_funnel_counts_it() {
    let mut app = spawn_app().await;
    let w = app.seed().await;
    app.set_today("2026-03-01");
    let listed = |title: &str| json!({"title": title, "kind": "method", "owner_ids": [w.person], "year": 2026});
    let used = app.create("results", listed("有机硅改性涂料")).await;
    let matched_only = app.create("results", listed("含氟废水处理工艺")).await;
    app.create("results", listed("硅泥回收利用方法")).await;
    // Both matched to demands and accepted.
    for (result, title) in [(used, "涂料需求"), (matched_only, "废水需求")] {
        let d = walk(&mut app, w.enterprise, w.person, title, 2026, Upto::Reviewed).await;
        let r = app
            .post(&format!("/api/v1/demands/{d}/matches"), json!({"result_id": result}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let m = r.json()["id"].as_i64().unwrap();
        for status in ["contacted", "accepted"] {
            let r = app
                .post(&format!("/api/v1/matches/{m}/status"), json!({"status": status}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
    }
    app.set_today("2026-12-01");
    // The first licensed to an enterprise in the city; the transfer awaits confirmation at first.
    let t = outcome(
        &app,
        json!({"kind": "transfer", "title": "有机硅改性涂料许可", "occurred_on": "2026-08-01",
               "organization_id": w.enterprise, "result_id": used, "transfer_mode": "license",
               "enterprise_id": w.enterprise, "in_city": "true", "amount_wan": "40"}),
    )
    .await;
    let f = app.get("/api/v1/funnel/results").await.json();
    assert_eq!(f["of"], "results");
    assert_eq!(counts(&f), [3, 2, 0, 0], "{f}");
    confirm(&app, t).await;
    let f = app.get("/api/v1/funnel/results").await.json();
    assert_eq!(counts(&f), [3, 2, 1, 1], "{f}");
    assert_eq!(column(&f, "waiting"), [1, 1, 0, 0], "{f}");
    let labels: Vec<&str> = f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["成果入库", "对接成功", "完成转化", "本地应用"]);
    // The page shows the results' funnel under the demands'.
    let page = app.get("/funnel").await.text();
    assert!(page.contains("成果的转化") && page.contains("本地应用"), "{page}");
}
