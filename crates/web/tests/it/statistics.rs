//! Statistics (`GET /api/v1/stats`, `/stats`, the leaders' dashboard) against a hand-counted
//! fixture, on whichever backend the test app runs on: every figure of each grouping, the year
//! before and the change, the scope of a coordinator, refusals naming the parameter, the links
//! behind the figures listing exactly the records counted, and the exports.

use crate::helpers::{Session, TestApp, World, credit_code, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use hezuo_domain::statistics::StatsBy;
use serde_json::{Value, json};

struct Fixture {
    w: World,
    college2: i64,
    firm: i64,
    /// P1's overdue milestone: `(project, milestone)`.
    p1_milestone: (i64, i64),
}

/// The fixture, counted by hand (today is 2026-06-15):
/// - P1 2026 research, lead 化学工程学院 (no division code), co-unit 江山机械 (330881, I65), in progress,
///   100 万 contract, 10 万 funding, a milestone overdue → red;
/// - P2 2026 engineering, lead 江山机械, co-unit 机械工程学院, approved, 50 万, a milestone due in 5 days → yellow;
/// - P3 2026 research, lead 衢州氟硅 (330802, C26), completed, 30 万, 5 万 funding;
/// - P4 2025 research, lead 化学工程学院, completed, 80 万, 20 万 funding;
/// - P5 2025 engineering, lead 江山机械, cancelled;
/// - P6 2026 research, lead 江山机械, archived: never counted;
/// - a demand of 江山机械 submitted 2026-06-15; a confirmed transfer to 江山机械 (in the city) on
///   2026-03-01 with 12 万 received; a training in 江山市 (330881) in May 2026 with two of three attending;
///   a meeting in 2026 with two decisions owned in 江山市, one done on time.
async fn fixture(app: &TestApp) -> Fixture {
    let w = app.seed().await;
    let college2 = app
        .create(
            "organizations",
            json!({"kind": "college", "name": "机械工程学院", "parent_id": w.uni}),
        )
        .await;
    let firm = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山机械有限公司", "region_code": "330881", "parent_id": w.county,
                   "credit_code": credit_code(7), "industry_code": "I65"}),
        )
        .await;
    let project =
        |title: &str, kind: &str, year: i32, lead: i64, co: Vec<i64>, status: &str, contract: &str, funding: &str| {
            json!({"title": title, "kind": kind, "batch_year": year, "lead_unit_id": lead, "co_unit_ids": co,
               "origin": "proposal", "_status": status, "contract_amount_wan": contract, "funding_won_wan": funding,
               "start_on": format!("{year}-03-01"), "end_on": format!("{}-12-31", year + 1)})
        };
    let p1 = project_at(
        app,
        project(
            "有机硅中试",
            "research",
            2026,
            w.college,
            vec![firm],
            "in_progress",
            "100",
            "10",
        ),
    )
    .await;
    let p2 = project_at(
        app,
        project(
            "机械臂改造",
            "engineering",
            2026,
            firm,
            vec![college2],
            "approved",
            "50",
            "0",
        ),
    )
    .await;
    project_at(
        app,
        project(
            "氟硅检测",
            "research",
            2026,
            w.enterprise,
            vec![],
            "completed",
            "30",
            "5",
        ),
    )
    .await;
    project_at(
        app,
        project("催化剂", "research", 2025, w.college, vec![], "completed", "80", "20"),
    )
    .await;
    project_at(
        app,
        project("旧项目", "engineering", 2025, firm, vec![], "cancelled", "0", "0"),
    )
    .await;
    let p6 = project_at(
        app,
        project("作废项目", "research", 2026, firm, vec![], "planned", "999", "0"),
    )
    .await;
    let r = app.post(&format!("/api/v1/projects/{p6}/archive"), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    let mut p1_milestone = (p1, 0);
    for (p, due) in [(p1, "2026-06-01"), (p2, "2026-06-20")] {
        let r = app
            .post(
                &format!("/api/v1/projects/{p}/milestones"),
                json!({"title": "中试", "due_on": due}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        if p == p1 {
            p1_milestone.1 = r.json()["id"].as_i64().unwrap();
        }
    }
    // A demand, submitted today.
    let d = app
        .create(
            "demands",
            json!({"enterprise_id": firm, "title": "数控改造", "summary": "需要高校专家协助数控改造。"}),
        )
        .await;
    let r = app.post(&format!("/api/v1/demands/{d}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A confirmed transfer to an enterprise in the city.
    let o = app
        .create(
            "outcomes",
            json!({"kind": "transfer", "title": "有机硅工艺许可", "occurred_on": "2026-03-01", "organization_id": w.college,
                   "transfer_mode": "license", "enterprise_id": firm, "in_city": "true", "amount_wan": "30", "received_wan": "12"}),
        )
        .await;
    let r = app.post(&format!("/api/v1/outcomes/{o}/confirm"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A training in 江山市: two of three attended.
    let t = app
        .create(
            "trainings",
            json!({"title": "科技乡镇长培训班", "kind": "class", "organizer_id": w.county, "start_on": "2026-05-10",
                   "end_on": "2026-05-12", "hours": 24, "county_code": "330881", "status": "held"}),
        )
        .await;
    for (name, attended) in [("张三", "true"), ("李四", "true"), ("王五", "false")] {
        let r = app
            .post(
                &format!("/api/v1/trainings/{t}/participants"),
                json!({"name": name, "unit": "江山市科技局", "attended": attended}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    // A meeting with two decisions in 江山市: one done on time, one still open and late.
    let e = app
        .create(
            "events",
            json!({"title": "市校合作定期会商", "kind": "consultation", "held_on": "2026-03-10", "organizer_id": w.county}),
        )
        .await;
    app.create(
        "decisions",
        json!({"event_id": e, "title": "落实中试场地", "owner_id": firm, "due_on": "2026-05-01",
               "status": "done", "done_on": "2026-04-20", "progress": "已落实"}),
    )
    .await;
    app.create(
        "decisions",
        json!({"event_id": e, "title": "组织专家对接", "owner_id": w.county, "due_on": "2026-06-01"}),
    )
    .await;
    Fixture {
        w,
        college2,
        firm,
        p1_milestone,
    }
}

/// Creates a project as planned (as every project starts) and moves it to the status it names, step by step.
async fn project_at(app: &TestApp, mut body: Value) -> i64 {
    let status = body["_status"].as_str().unwrap_or("planned").to_string();
    body.as_object_mut().unwrap().remove("_status");
    let id = app.create("projects", body).await;
    let path: &[&str] = match status.as_str() {
        "approved" => &["approved"],
        "in_progress" => &["approved", "in_progress"],
        "completed" => &["approved", "in_progress", "completed"],
        "cancelled" => &["cancelled"],
        _ => &[],
    };
    for s in path {
        let r = app
            .json("PATCH", &format!("/api/v1/projects/{id}"), json!({"status": s}))
            .await;
        assert!(r.status.is_success(), "{s}: {}", r.text());
    }
    id
}

async fn stats(app: &TestApp, s: &Session, q: &str) -> Value {
    let r = app.get_by(s, &format!("/api/v1/stats?{q}")).await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text());
    r.json()
}

fn row<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {v}"))
}

const WAN: i64 = 1_000_000;

#[tokio::test]
async fn statistics_by_county_match_the_hand_counted_fixture_with_last_year_and_the_change() {
    let app = spawn_app().await;
    fixture(&app).await;
    let v = stats(&app, &app.office, "by=county&year=2026").await;
    assert_eq!(v["by"], "county");
    // 化学工程学院 has no division code: P1.
    let none = row(&v, "");
    assert_eq!(
        (
            none["projects"].as_i64(),
            none["in_progress"].as_i64(),
            none["red"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(none["contract_fen"], json!(100 * WAN));
    assert_eq!(none["previous"]["projects"], json!(1), "P4 last year");
    assert_eq!(none["previous"]["contract_fen"], json!(80 * WAN));
    // 江山市: P2, and the demand, transfer, training, meeting and decisions.
    let js = row(&v, "330881");
    assert_eq!(js["label"], "江山市");
    for (k, n) in [
        ("projects", 1),
        ("in_progress", 1),
        ("yellow", 1),
        ("red", 0),
        ("completed", 0),
        ("contract_fen", 50 * WAN),
        ("demands", 1),
        ("transfers", 1),
        ("transfers_local", 1),
        ("trainings", 1),
        ("trained", 2),
        ("events", 1),
        ("decisions", 2),
        ("decisions_on_time", 1),
    ] {
        assert_eq!(js[k], json!(n), "江山市 {k}");
    }
    assert_eq!(js["previous"]["projects"], json!(1), "P5 last year");
    assert_eq!(js["change"]["projects"], json!({"abs": 0, "pct": 0.0}));
    assert_eq!(
        js["change"]["demands"],
        json!({"abs": 1, "pct": null}),
        "no % when last year was 0"
    );
    // 柯城区: P3.
    let kc = row(&v, "330802");
    assert_eq!((kc["projects"].as_i64(), kc["completed"].as_i64()), (Some(1), Some(1)));
    assert_eq!(kc["funding_fen"], json!(5 * WAN));
    // The total: the archived P6 never counts.
    let t = &v["total"];
    for (k, n) in [
        ("projects", 3),
        ("in_progress", 2),
        ("completed", 1),
        ("red", 1),
        ("yellow", 1),
        ("contract_fen", 180 * WAN),
        ("funding_fen", 15 * WAN),
    ] {
        assert_eq!(t[k], json!(n), "total {k}");
    }
    assert_eq!(v["total_previous"]["projects"], json!(2));
    assert_eq!(v["total_change"]["projects"], json!({"abs": 1, "pct": 50.0}));
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    // The store answers the same (what the annual review calls).
    let table = app
        .store
        .statistics(&hezuo_store::Viewer::system("test"), StatsBy::County, Some(2026))
        .await
        .unwrap();
    assert_eq!(table.total.projects, 3);
    assert_eq!(table.total_previous.unwrap().projects, 2);
}

#[tokio::test]
async fn statistics_by_college_industry_kind_and_year_match_the_fixture() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let v = stats(&app, &app.office, "by=college&year=2026").await;
    let c1 = row(&v, &f.w.college.to_string());
    assert_eq!(c1["label"], "化学工程学院");
    assert_eq!((c1["projects"].as_i64(), c1["red"].as_i64()), (Some(1), Some(1)));
    assert_eq!(c1["previous"]["projects"], json!(1));
    assert_eq!(c1["transfers"], json!(1), "the transfer's reporting college");
    let c2 = row(&v, &f.college2.to_string());
    assert_eq!(
        (c2["projects"].as_i64(), c2["yellow"].as_i64()),
        (Some(1), Some(1)),
        "a co-unit's college"
    );
    assert_eq!(c2["contract_fen"], json!(50 * WAN));
    assert_eq!(
        v["total"]["projects"],
        json!(3),
        "P3 has no college but counts in the total"
    );
    assert!(v["not_grouped"].as_array().unwrap().contains(&json!("demands")));

    let v = stats(&app, &app.office, "by=industry&year=2026").await;
    let i = row(&v, "I");
    assert_eq!(
        (i["projects"].as_i64(), i["contract_fen"].as_i64()),
        (Some(2), Some(150 * WAN))
    );
    assert_eq!(i["demands"], json!(1));
    let c = row(&v, "C");
    assert_eq!(c["projects"], json!(1));
    assert!(c["label"].as_str().unwrap().starts_with("C "), "{}", c["label"]);

    let v = stats(&app, &app.office, "by=kind&year=2026").await;
    let research = row(&v, "research");
    assert_eq!(research["label"], "研究类");
    assert_eq!(
        (research["projects"].as_i64(), research["contract_fen"].as_i64()),
        (Some(2), Some(130 * WAN))
    );
    assert_eq!(research["previous"]["projects"], json!(1));
    assert_eq!(row(&v, "engineering")["projects"], json!(1));
    assert_eq!(row(&v, "research")["demands"], json!(0), "demands have no kind");
    assert_eq!(v["total"]["demands"], json!(1), "…but count in the total");

    let v = stats(&app, &app.office, "by=year").await;
    assert_eq!(v["year"], Value::Null);
    let y26 = row(&v, "2026");
    assert_eq!(y26["projects"], json!(3));
    assert_eq!(y26["previous"]["projects"], json!(2));
    assert_eq!(y26["change"]["contract_fen"], json!({"abs": 100 * WAN, "pct": 125.0}));
    assert_eq!(row(&v, "2025")["projects"], json!(2));
    assert_eq!(v["total"]["projects"], json!(5));
    // All years, by county: no previous figures.
    let all = stats(&app, &app.office, "by=county").await;
    assert_eq!(all["total"]["projects"], json!(5));
    assert_eq!(row(&all, "330881")["previous"], Value::Null);
}

#[tokio::test]
async fn a_coordinator_gets_their_subtree_and_units_are_refused() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let coord = app.user("coord", Role::Coordinator, Some(f.w.county), None).await;
    let v = stats(&app, &coord, "by=county&year=2026").await;
    // P1 (a co-unit in the county) and P2; not 柯城区's P3.
    assert_eq!(v["total"]["projects"], json!(2));
    assert!(
        v["rows"].as_array().unwrap().iter().all(|r| r["key"] != "330802"),
        "{v}"
    );
    assert_eq!(row(&v, "330881")["demands"], json!(1));
    let page = app.get_by(&coord, "/stats?by=county&year=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text().contains("柯城区"));
    let leader = app.user("boss", Role::Leader, None, None).await;
    assert_eq!(
        stats(&app, &leader, "by=county&year=2026").await["total"]["projects"],
        json!(3)
    );
    let unit = app.user("unit", Role::Unit, Some(f.firm), None).await;
    let r = app.get_by(&unit, "/api/v1/stats?by=county").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
}

/// The flags are counted from the stored ones (`project_flag`): a write that changes a flag shows at
/// once, and a new day flags what fell due overnight.
#[tokio::test]
async fn the_flags_counted_follow_each_write_and_each_new_day() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let flags = |v: &Value| (v["total"]["red"].as_i64(), v["total"]["yellow"].as_i64());
    let v = stats(&app, &app.office, "by=kind&year=2026").await;
    assert_eq!(flags(&v), (Some(1), Some(1)), "P1 red, P2 yellow");
    // P1's overdue milestone set aside: P1 turns green on the next view, the same day.
    let (p1, m) = f.p1_milestone;
    let r = app
        .post(&format!("/api/v1/projects/{p1}/milestones/{m}/archive"), json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let v = stats(&app, &app.office, "by=kind&year=2026").await;
    assert_eq!(flags(&v), (Some(0), Some(1)), "P1 green once its milestone is gone");
    // Six days on, P2's milestone (due 2026-06-20) is overdue: red, no longer yellow.
    let later = app
        .store
        .clone()
        .with_clock(hezuo_domain::Clock::Fixed("2026-06-21".parse().unwrap()));
    let t = later
        .statistics(&hezuo_store::Viewer::system("test"), StatsBy::Kind, Some(2026))
        .await
        .unwrap();
    assert_eq!((t.total.red, t.total.yellow), (1, 0), "P2 red on 2026-06-21");
    // And back on the 15th, each flag is that day's again.
    let v = stats(&app, &app.office, "by=kind&year=2026").await;
    assert_eq!(flags(&v), (Some(0), Some(1)));
}

#[tokio::test]
async fn a_bad_by_or_year_is_a_400_naming_it_in_chinese() {
    let app = spawn_app().await;
    for (q, name) in [
        ("by=town", "by"),
        ("", "by"),
        ("by=county&year=26", "year"),
        ("by=county&format=pdf", "format"),
    ] {
        let r = app.get(&format!("/api/v1/stats?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.text().contains(&format!("参数 {name}")), "{q}: {}", r.text());
    }
    let r = app.get("/stats?by=town").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Nothing recorded: the page says so in Chinese.
    let page = app.get("/stats?year=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("所选年度还没有可统计的记录"));
}

#[tokio::test]
async fn the_page_links_each_figure_to_exactly_the_records_it_counts_and_exports() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let page = app.get("/stats?by=county&year=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for t in ["统计分析", "江山市", "柯城区", "合计", "↑ 50.0%", "导出 Excel"] {
        assert!(html.contains(t), "page lacks {t}");
    }
    assert!(
        html.contains("/projects?batch_year=2026&") && html.contains("county=330881\""),
        "{html}"
    );
    // Each link lists exactly the projects counted.
    for (q, n) in [
        ("batch_year=2026&county=330881", 1),
        ("batch_year=2026&college=".to_string() + &f.w.college.to_string(), 1).into_pair(),
        ("batch_year=2026&college=".to_string() + &f.college2.to_string(), 1).into_pair(),
        ("batch_year=2026&industry=I", 2),
        ("batch_year=2026&kind=research", 2),
        ("batch_year=2026&status=approved,in_progress", 2),
        ("batch_year=2026&status=completed,accepted,transferred", 1),
        ("batch_year=2026&flag=red", 1),
        ("batch_year=2026&county=330881&flag=yellow", 1),
        ("flag=red,yellow", 2),
        ("flag=green", 0),
        // A flag with statuses: only those being carried out can have one (P1 in progress, P2
        // approved); both together are no test, none of them matches nothing.
        ("flag=red,yellow&status=approved,in_progress", 2),
        ("flag=red,yellow&status=in_progress", 1),
        ("flag=red,yellow&status=approved,completed", 1),
        ("flag=red,yellow&status=completed,cancelled", 0),
        ("flag=red,yellow&kind=engineering", 1),
        ("flag=red,yellow&batch_year=2025", 0),
    ] {
        let r = app.get(&format!("/api/v1/projects?{q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text());
        assert_eq!(r.json()["total"], json!(n), "{q}");
    }
    assert!(html.contains("flag=red"), "the red figures link to the red projects");
    let r = app.get("/api/v1/projects?county=33088").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/projects?flag=blue").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("亮灯“blue”无效"), "{}", r.text());
    // The list page offers the flag as a filter.
    let list = app.get("/projects?flag=red").await.text();
    assert!(list.contains("亮灯") && list.contains("有机硅中试"), "{list}");
    // The table as a spreadsheet, read back.
    let r = app.get("/api/v1/stats?by=county&year=2026&format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    let rows = hezuo_report::sheet::read_rows(&r.bytes).unwrap();
    assert_eq!(rows[0][0], "区县");
    assert!(rows.iter().any(|r| r[0] == "江山市"));
    let total = rows.iter().find(|r| r[0] == "合计").unwrap();
    assert_eq!(total[1], "3");
    let contract = rows[0].iter().position(|h| h == "合同金额（万元）").unwrap();
    assert_eq!(total[contract], "180.00");
}

#[tokio::test]
async fn the_leaders_home_and_the_dashboard_show_the_years_figures_charts_and_tables() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let leader = app.user("boss", Role::Leader, None, None).await;
    let home = app.get_by(&leader, "/?year=2026").await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text();
    for t in [
        "数据看板",
        "各区县合作项目数",
        "各高校方单位合作项目数",
        "历年项目数与金额",
        "在实施项目亮灯情况",
        "技术需求转化漏斗",
        "查看数据表",
        "<svg",
        "同比 ↑ 50.0%",
        "data-code=\"330881\"",
    ] {
        assert!(html.contains(t), "leader home lacks {t}");
    }
    let dash = app.get("/dashboard?year=2026&map=trained").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.text().contains("培训人次"));
    let office_home = app.get("/").await.text();
    assert!(
        office_home.contains("href=\"/dashboard\""),
        "the office reaches the dashboard from home"
    );
    let coord = app.user("coord", Role::Coordinator, Some(f.w.county), None).await;
    let d = app.get_by(&coord, "/dashboard?year=2026").await;
    assert_eq!(d.status, StatusCode::OK);
    let r = app.get("/dashboard?year=2026&format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    let rows = hezuo_report::sheet::read_rows(&r.bytes).unwrap();
    assert!(rows.iter().any(|r| r[0] == "合计"));
}

/// A province's figures take seconds to make. Made slowly, they are kept a few minutes — the same
/// for the office and the leaders — and the API, the statistics page and the dashboard say when
/// they were made; made on every view (every small store's) they are exact and say nothing.
#[tokio::test]
async fn figures_slow_to_make_are_kept_a_few_minutes_and_the_pages_say_when_they_were_made() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let q = "by=kind&year=2026";
    // Tests make figures on every view (`helpers::exact_figures`), as a small store's are.
    let first = stats(&app, &app.office, q).await;
    assert!(first.get("as_of").is_none(), "made for this view, not kept: {first}");
    let new_project =
        |title: &str| json!({"title": title, "kind": "research", "batch_year": 2026, "lead_unit_id": f.firm});
    project_at(&app, new_project("快统计之后的项目")).await;
    let exact = stats(&app, &app.office, q).await;
    assert_eq!(
        exact["total"]["projects"].as_i64().unwrap(),
        first["total"]["projects"].as_i64().unwrap() + 1,
        "figures made on every view count each write at once"
    );
    assert!(!app.get(&format!("/stats?{q}")).await.text().contains("数据截至"));

    // As on a province's store, where every making is slow.
    app.store.set_keep_results_after(std::time::Duration::ZERO);
    let made = stats(&app, &app.office, q).await;
    assert!(made.get("as_of").is_none(), "made for this view: {made}");
    project_at(&app, new_project("慢统计之后的项目")).await;
    let kept = stats(&app, &app.office, q).await;
    assert_eq!(kept["total"], made["total"], "kept, not made again");
    assert!(kept["as_of"].is_string(), "{kept}");
    let leader = app.user("boss", Role::Leader, None, None).await;
    assert_eq!(
        stats(&app, &leader, q).await["as_of"],
        kept["as_of"],
        "one for the whole"
    );
    let page = app.get(&format!("/stats?{q}")).await.text();
    assert!(page.contains("id=\"as-of\""), "{page}");
    assert!(page.contains("数据截至"));
    // Another grouping is made on its own first view, and then counts the new project.
    let by_county = stats(&app, &app.office, "by=county&year=2026").await;
    assert!(by_county.get("as_of").is_none());
    assert_eq!(
        by_county["total"]["projects"].as_i64().unwrap(),
        first["total"]["projects"].as_i64().unwrap() + 2
    );
    // The dashboard: its figures made on the first view are given, said so, on the next.
    app.get("/dashboard?year=2026").await;
    let dash = app.get("/dashboard?year=2026").await.text();
    assert!(dash.contains("数据截至"), "{dash}");
}

trait IntoPair {
    fn into_pair(self) -> (&'static str, i64);
}

impl IntoPair for (String, i64) {
    fn into_pair(self) -> (&'static str, i64) {
        (Box::leak(self.0.into_boxed_str()), self.1)
    }
}
