//! Unit scorecards and the 快马/蜗牛 ranking on a hand-counted fixture: three lead units of a
//! monthly list (reports due on the 5th), each reporting differently, on either backend.
//!
//! By 2026-05-10: 江山市 reported March and April on time and met its milestone (due 04-20, done
//! 04-15) — 2/2, 1/1; 化学工程学院 reported March on time, April late — 1/2, no milestone; 市科技局
//! reported nothing and missed its milestone (due 04-10) — 0/2, 0/1. May is not due yet.

use crate::helpers::{TestApp, World, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};

struct Fx {
    w: World,
    dept: i64,
    batch: i64,
}

async fn report(app: &TestApp, id: i64, period: &str) {
    let r = app
        .post(
            &format!("/api/v1/projects/{id}/reports"),
            json!({"period": period, "done_text": format!("{period} 完成计划任务"), "percent": 20}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

async fn fixture(app: &mut TestApp) -> Fx {
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
    let mk = |title: &str, lead: i64, money: &str| {
        json!({"title": title, "kind": "engineering", "batch_year": 2026, "batch_id": batch, "lead_unit_id": lead,
               "start_on": "2026-03-01", "end_on": "2026-12-31", "contract_amount_wan": money})
    };
    let a = app.create("projects", mk("特种纸涂布技术攻关", w.county, "200")).await;
    let b = app.create("projects", mk("光伏硅片切割废料回收", w.college, "0")).await;
    let c = app.create("projects", mk("科技政策评估", dept, "0")).await;
    // Last year, 江山市 led one project of 100 万元 (never approved: it counts, it reports nothing).
    app.create(
        "projects",
        json!({"title": "去年的项目", "kind": "culture", "batch_year": 2025, "lead_unit_id": w.county,
               "contract_amount_wan": "100"}),
    )
    .await;
    let ma = app
        .post(
            &format!("/api/v1/projects/{a}/milestones"),
            json!({"title": "中试", "due_on": "2026-04-20"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/projects/{c}/milestones"),
        json!({"title": "评估报告", "due_on": "2026-04-10"}),
    )
    .await;
    let r = app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    app.set_today("2026-04-03");
    report(app, a, "2026-03").await;
    report(app, b, "2026-03").await;
    app.set_today("2026-04-20");
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{a}/milestones/{ma}"),
            json!({"done_on": "2026-04-15"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.set_today("2026-05-03");
    report(app, a, "2026-04").await;
    app.set_today("2026-05-10");
    report(app, b, "2026-04").await;
    Fx { w, dept, batch }
}

fn rows(r: &Value) -> Vec<(String, i64, String, String, String)> {
    r["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().unwrap().to_string(),
                u["rank"].as_i64().unwrap(),
                u["mark"].as_str().unwrap_or("").to_string(),
                format!(
                    "{}/{}/{} {}%",
                    u["reports_on_time"], u["reports_late"], u["reports_missing"], u["on_time_rate"]
                ),
                format!("{}/{}", u["milestones_met"], u["milestones_due"]),
            )
        })
        .collect()
}

fn s(x: &str) -> String {
    x.to_string()
}

#[tokio::test]
async fn the_year_ranks_units_as_counted_by_hand_with_front_runners_and_snails() {
    let mut app = spawn_app().await;
    let fx = fixture(&mut app).await;
    let r = app.get("/api/v1/scorecards?year=2026").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = r.json();
    assert_eq!(r["period"], "2026年度");
    assert_eq!(r["end"], "2026-05-10", "up to today");
    assert_eq!(
        rows(&r),
        [
            (s("江山市"), 1, s("fast"), s("2/0/0 100%"), s("1/1")),
            (s("化学工程学院"), 2, s("slow"), s("1/1/0 50%"), s("0/0")),
            (s("市科技局"), 3, s("slow"), s("0/0/2 0%"), s("0/1")),
        ]
    );
    // This year is the default.
    assert_eq!(rows(&app.get("/api/v1/scorecards").await.json()), rows(&r));
    // A batch's period ranks as its bulletin does: March only, no milestone due by its end.
    let p = app
        .get(&format!("/api/v1/scorecards?batch_id={}&period=2026-03", fx.batch))
        .await
        .json();
    assert_eq!(
        rows(&p),
        [
            (s("化学工程学院"), 1, s("fast"), s("1/0/0 100%"), s("0/0")),
            (s("江山市"), 1, s("fast"), s("1/0/0 100%"), s("0/0")),
            (s("市科技局"), 3, s("slow"), s("0/0/1 0%"), s("0/0")),
        ]
    );
    // …and the bulletin of that period names the same units best and worst.
    let b = app
        .post("/api/v1/bulletins", json!({"batch_id": fx.batch, "period": "2026-03"}))
        .await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.text());
    let html = app.get(&format!("/bulletins/{}", b.json()["id"])).await.text();
    assert!(
        html.contains("按时报送、节点推进较好的单位：化学工程学院、江山市。")
            && html.contains("需要加快推进的单位：市科技局。"),
        "{html}"
    );
    // A period needs its batch's period; a bad year is named.
    let bad = app.get(&format!("/api/v1/scorecards?batch_id={}", fx.batch)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app.get("/api/v1/scorecards?year=abc").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page marks them in Chinese and links each unit's scorecard.
    let html = app.get("/scorecards?year=2026").await.text();
    assert!(html.contains("快马：</strong>江山市"), "{html}");
    assert!(html.contains("蜗牛：</strong>化学工程学院、市科技局"), "{html}");
    assert!(html.contains(&format!("/scorecards/{}?year=2026", fx.dept)));
    // The same ranking as a spreadsheet, from the page's button, read back.
    assert!(html.contains("/api/v1/scorecards?year=2026&#38;format=xlsx"), "{html}");
    let x = app.get("/api/v1/scorecards?year=2026&format=xlsx").await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.text());
    let sheet = hezuo_report::sheet::read_rows(&x.bytes).unwrap();
    assert_eq!(sheet[0][..3], [s("名次"), s("评价"), s("责任单位")]);
    assert_eq!(sheet[1][..3], [s("1"), s("快马"), s("江山市")]);
    assert_eq!(sheet.len(), 4, "a heading and three units");
    let bad = app.get("/api/v1/scorecards?format=pdf").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_units_scorecard_shows_its_year_beside_the_last_and_each_role_sees_its_own() {
    let mut app = spawn_app().await;
    let fx = fixture(&mut app).await;
    let c = app.get(&format!("/api/v1/scorecards/{}?year=2026", fx.w.county)).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    let c = c.json();
    assert_eq!(c["unit"], "江山市");
    assert_eq!(c["projects"].as_array().unwrap().len(), 1);
    assert_eq!(c["projects"][0]["title"], "特种纸涂布技术攻关");
    let t = &c["this_year"];
    assert_eq!(
        (
            t["projects"].as_i64(),
            t["on_time_rate"].as_i64(),
            t["reports_on_time"].as_i64()
        ),
        (Some(1), Some(100), Some(2))
    );
    assert_eq!(
        (t["milestones_met"].as_i64(), t["milestones_due"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (t["green"].as_i64(), t["red"].as_i64(), t["outcomes"].as_i64()),
        (Some(1), Some(0), Some(0))
    );
    assert_eq!(c["last_year"]["projects"], 1);
    assert_eq!(c["last_year"]["contract_amount_wan"], "100.00");
    let change = |k: &str| {
        c["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["key"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(change("projects")["change"], "0");
    assert_eq!(change("contract_amount_wan")["change"], "+100.00");
    assert_eq!(change("contract_amount_wan")["percent"], 100.0);
    assert_eq!(c["rank"]["rank"], 1);
    assert_eq!(c["rank"]["mark"], "fast");
    assert_eq!(c["ranked_units"], 3);
    // The page: the figures, the comparison, the projects linked; the organisation page links it.
    let html = app.get(&format!("/scorecards/{}?year=2026", fx.w.county)).await.text();
    assert!(
        html.contains("本年与上年（2025年）对比") && html.contains("快马"),
        "{html}"
    );
    assert!(html.contains(&format!("/projects/{}", c["projects"][0]["id"])));
    let org = app.get(&format!("/organizations/{}", fx.w.county)).await.text();
    assert!(org.contains(&format!("/scorecards/{}", fx.w.county)), "{org}");

    // A coordinator of 江山市 ranks the units of their county only.
    let coord = app.user("jiangshan", Role::Coordinator, Some(fx.w.county), None).await;
    let r = app.get_by(&coord, "/api/v1/scorecards?year=2026").await.json();
    assert_eq!(rows(&r), [(s("江山市"), 1, s("fast"), s("2/0/0 100%"), s("1/1"))]);
    let other = app.get_by(&coord, &format!("/api/v1/scorecards/{}", fx.dept)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // A unit sees its own scorecard and no other.
    let unit = app.user("college", Role::Unit, Some(fx.w.college), None).await;
    let own = app
        .get_by(&unit, &format!("/api/v1/scorecards/{}?year=2026", fx.w.college))
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    assert_eq!(own.json()["rank"]["mark"], "slow");
    let other = app.get_by(&unit, &format!("/api/v1/scorecards/{}", fx.w.county)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // A leader sees every unit.
    let leader = app.user("leader", Role::Leader, None, None).await;
    let r = app.get_by(&leader, "/api/v1/scorecards?year=2026").await.json();
    assert_eq!(r["units"].as_array().unwrap().len(), 3);
}
