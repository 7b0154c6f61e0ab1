//! The board counts flags from a tally kept per lead unit (migration 0029): the office's whole, and
//! a coordinator's subtree with the projects led elsewhere that its units take part in. Whatever
//! moves a flag — a due date passing, a report, a project changing its lead unit, a project
//! finished, a unit moving to another county — each board says what its reader's project list says.

use crate::helpers::{Res, Session, TestApp, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::collections::BTreeMap;

type Counts = (i64, i64, i64);

async fn get(app: &TestApp, who: Option<&Session>, uri: &str) -> Res {
    match who {
        Some(s) => app.get_by(s, uri).await,
        None => app.get(uri).await,
    }
}

/// The projects' flags as the project list shows them to `who` (the office if None), by lead
/// unit's name.
async fn from_the_list(app: &TestApp, who: Option<&Session>) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    let list = get(app, who, "/api/v1/projects?per_page=100").await.json();
    for p in list["items"].as_array().unwrap() {
        let Some(flag) = p["flag"].as_str() else { continue };
        let unit = app
            .get(&format!("/api/v1/organizations/{}", p["lead_unit_id"]))
            .await
            .json()["name"]
            .as_str()
            .unwrap()
            .to_string();
        let c = out.entry(unit).or_default();
        match flag {
            "red" => c.0 += 1,
            "yellow" => c.1 += 1,
            _ => c.2 += 1,
        }
    }
    out
}

fn counts(v: &Value) -> Counts {
    (
        v["red"].as_i64().unwrap(),
        v["yellow"].as_i64().unwrap(),
        v["green"].as_i64().unwrap(),
    )
}

/// The board's units and counties (by their Chinese name) as `who` reads them, checked against
/// their list.
async fn board_of(app: &TestApp, who: Option<&Session>) -> (BTreeMap<String, Counts>, BTreeMap<String, Counts>) {
    let b = get(app, who, "/api/v1/board").await.json();
    let units: BTreeMap<String, Counts> = b["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u[0].as_str().unwrap().to_string(), counts(&u[1])))
        .collect();
    let counties: BTreeMap<String, Counts> = b["by_county"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0]["zh"].as_str().unwrap().to_string(), counts(&c[1])))
        .collect();
    assert_eq!(
        units,
        from_the_list(app, who).await,
        "the board's units against the list"
    );
    let total = units.values().fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    assert_eq!(counts(&b["totals"]), total);
    assert_eq!(b["units_more"], 0);
    (units, counties)
}

/// The office's board, after checking the county coordinator's against their list too.
async fn board(app: &TestApp, coordinator: &Session) -> (BTreeMap<String, Counts>, BTreeMap<String, Counts>) {
    board_of(app, Some(coordinator)).await;
    board_of(app, None).await
}

#[tokio::test]
async fn the_board_counts_what_the_list_shows_through_every_change_that_moves_a_flag() {
    let mut app = spawn_app().await;
    app.set_today("2026-02-20");
    let w = app.seed().await;
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
    let late = app.create("projects", mk("有机硅单体合成工艺优化", w.county)).await;
    let city = app.create("projects", mk("光伏硅片切割废料回收", w.city)).await;
    let done = app.create("projects", mk("特种纸涂布技术攻关", w.county)).await;
    let unit = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山菌业有限公司", "parent_id": w.county, "region_code": "330881",
                   "credit_code": crate::helpers::credit_code(7), "industry_code": "A01"}),
        )
        .await;
    let moving = app.create("projects", mk("食用菌精深加工", unit)).await;
    // Led by the college, with the county's enterprise taking part: the county's coordinator sees
    // it, under the college's name.
    let mut joint = mk("菌渣资源化利用", w.college);
    joint["co_unit_ids"] = json!([unit]);
    let joint = app.create("projects", joint).await;
    let coordinator = app
        .user("county_coordinator", Role::Coordinator, Some(w.county), None)
        .await;
    let r = app
        .post(
            &format!("/api/v1/projects/{late}/milestones"),
            json!({"title": "小试完成", "due_on": "2026-03-20"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        app.form(&format!("/batches/{batch}/approve"), &[]).await.status,
        StatusCode::SEE_OTHER
    );

    // April: the milestone is late (red), the others on time.
    app.set_today("2026-04-03");
    let (units, counties) = board(&app, &coordinator).await;
    assert_eq!(units["江山市"].0, 1, "{units:?}");
    assert_eq!(counties["江山市"].0, 1, "{counties:?}");
    assert!(!counties.contains_key("市本级") || counties["市本级"].0 == 0);

    // The late project moves to the city as its lead unit: its red moves with it.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{late}"),
            json!({"lead_unit_id": w.city}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let (units, counties) = board(&app, &coordinator).await;
    assert_eq!(units["衢州市"].0, 1, "{units:?}");
    assert_eq!(counties["市本级"].0, 1, "{counties:?}");
    assert_eq!(counties.get("江山市").map_or(0, |c| c.0), 0, "{counties:?}");

    // June: nobody reported April or May; flags turn.
    app.set_today("2026-06-10");
    board(&app, &coordinator).await;

    // A project is finished: it has no flag any more.
    for status in ["in_progress", "completed"] {
        let r = app
            .json("PATCH", &format!("/api/v1/projects/{done}"), json!({"status": status}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let (units, counties) = board(&app, &coordinator).await;
    assert!(!units.contains_key("江山市"), "{units:?}");
    let moving_counts = units["江山菌业有限公司"];
    assert_eq!(counties["江山市"], moving_counts, "{counties:?}");

    // The enterprise gets another division code: its flags are counted under that county.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/organizations/{unit}"),
            json!({"region_code": "330825"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let (_, counties) = board(&app, &coordinator).await;
    assert_eq!(counties["龙游县"], moving_counts, "{counties:?}");
    assert!(!counties.contains_key("江山市"), "{counties:?}");
    let (units, _) = board_of(&app, Some(&coordinator)).await;
    assert!(units.contains_key("化学工程学院"), "{units:?}");
    let _ = (city, moving, joint);
}
