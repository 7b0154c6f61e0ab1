//! Supervision as the office, units and experts meet it (issue 14): dates of things that happened
//! are never after today, one definition of "on time" for the bulletin and the flags, flag reasons
//! that name their periods, no flag on projects no longer carried out, the board grouped by the
//! city's own counties, reminders that reach the demo's people, and forms that come back with
//! their reasons beside their fields.

use crate::helpers::{PASSWORD, TestApp, World, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::reminder::DEFAULT_DAYS_BEFORE;
use serde_json::{Value, json};

async fn flag(app: &TestApp, id: i64) -> (Value, Vec<String>) {
    let p = app.get(&format!("/api/v1/projects/{id}")).await.json();
    let reasons = p["flag_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    (p["flag"].clone(), reasons)
}

async fn report(app: &TestApp, id: i64, period: &str) {
    let r = app
        .post(
            &format!("/api/v1/projects/{id}/reports"),
            json!({"period": period, "done_text": format!("{period} 完成计划任务"), "percent": 30}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// A monthly 2026 list (reports due on the 5th), approved, with one project per lead unit given,
/// each started on March 1st.
async fn approved_batch(app: &TestApp, leads: &[(&str, i64)]) -> (i64, Vec<i64>) {
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026年度市校合作项目清单", "cadence": "monthly", "report_due_day": 5}),
        )
        .await;
    let mut ids = Vec::new();
    for (title, lead) in leads {
        ids.push(
            app.create(
                "projects",
                json!({"title": title, "kind": "engineering", "batch_year": 2026, "batch_id": batch,
                       "lead_unit_id": lead, "start_on": "2026-03-01", "end_on": "2026-12-31"}),
            )
            .await,
        );
    }
    let r = app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (batch, ids)
}

async fn project(app: &TestApp, w: &World) -> i64 {
    app.create(
        "projects",
        json!({"title": "有机硅中试线建设", "kind": "engineering", "batch_year": 2026,
               "lead_unit_id": w.enterprise, "start_on": "2026-03-01", "end_on": "2026-12-31"}),
    )
    .await
}

/// Every `YYYY-MM-DD 报送` in a text: the days reports were filed, as the flags' reasons say them.
fn filing_days(text: &str) -> Vec<String> {
    text.match_indices(" 报送")
        .filter_map(|(i, _)| text.get(i.checked_sub(10)?..i))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_milestone_cannot_be_reached_after_today_through_the_api_or_the_form() {
    let mut app = spawn_app().await;
    app.set_today("2026-06-15");
    let w = app.seed().await;
    let p = project(&app, &w).await;
    let r = app
        .post(
            &format!("/api/v1/projects/{p}/milestones"),
            json!({"title": "中试", "due_on": "2026-06-20", "done_on": "2026-06-16"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.json()["fields"]["done_on"]
            .as_str()
            .unwrap()
            .contains("实际完成日期不能晚于今天（2026-06-15）"),
        "{}",
        r.text()
    );
    let r = app
        .form(
            &format!("/projects/{p}/milestones/new"),
            &[("title", "中试"), ("due_on", "2026-06-20"), ("done_on", "2026-06-16")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("实际完成日期不能晚于今天（2026-06-15）"));
    // Reached today is fine, and an edit cannot move it into the future either.
    let ok = app
        .post(
            &format!("/api/v1/projects/{p}/milestones"),
            json!({"title": "中试", "due_on": "2026-06-20", "done_on": "2026-06-15"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
    let m = ok.json()["id"].as_i64().unwrap();
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{p}/milestones/{m}"),
            json!({"done_on": "2026-07-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["done_on"].is_string());
}

#[tokio::test]
async fn the_demo_dates_nothing_after_its_today_not_even_in_its_issued_bulletin() {
    let mut app = spawn_app().await;
    let today = "2026-12-06";
    hezuo_store::demo::load(&app.store, today.parse().unwrap())
        .await
        .unwrap();
    app.set_today(today);
    let projects = app.get("/api/v1/projects?per_page=200").await.json();
    let mut reports = 0;
    for p in projects["items"].as_array().unwrap() {
        let id = p["id"].as_i64().unwrap();
        for m in app.get(&format!("/api/v1/projects/{id}/milestones")).await.json()["items"]
            .as_array()
            .unwrap()
        {
            if let Some(done) = m["done_on"].as_str() {
                assert!(done <= today, "milestone {} done on {done}", m["id"]);
            }
        }
        for r in app.get(&format!("/api/v1/projects/{id}/reports")).await.json()["items"]
            .as_array()
            .unwrap()
        {
            let at: chrono::DateTime<chrono::Utc> = r["filed_at"].as_str().unwrap().parse().unwrap();
            let day = (at + chrono::Duration::hours(8)).date_naive().to_string();
            assert!(day.as_str() <= today, "report {} filed on {day}", r["id"]);
            reports += 1;
        }
    }
    assert!(reports > 100, "{reports} reports");
    let list = app.get("/api/v1/bulletins").await.json();
    let issued = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["status"] == "issued")
        .expect("the demo issues a bulletin")["id"]
        .as_i64()
        .unwrap();
    let b = app.get(&format!("/api/v1/bulletins/{issued}")).await.text();
    for day in filing_days(&b) {
        assert!(day.as_str() <= today, "the bulletin says a report was filed on {day}");
    }
}

#[tokio::test]
async fn a_bulletin_never_praises_a_unit_for_reporting_on_time_while_flagging_its_project_for_missing_reports() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-01");
    let w = app.seed().await;
    let (batch, ids) = approved_batch(
        &app,
        &[
            ("特种纸涂布技术攻关", w.county),
            ("有机硅单体合成工艺优化", w.enterprise),
        ],
    )
    .await;
    let (county, enterprise) = (ids[0], ids[1]);
    // The enterprise reports every month on time; the county misses March and April, then files May on time.
    app.set_today("2026-04-03");
    report(&app, enterprise, "2026-03").await;
    app.set_today("2026-05-03");
    report(&app, enterprise, "2026-04").await;
    app.set_today("2026-06-03");
    report(&app, enterprise, "2026-05").await;
    report(&app, county, "2026-05").await;
    app.set_today("2026-06-10");
    let r = app
        .form("/bulletins/new", &[("target", &format!("{batch}|2026-05"))])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let c = app.get(&format!("/api/v1/bulletins/{id}")).await.json()["content"].clone();
    let flagged = c["flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0]["lead_unit"], "江山市");
    assert!(
        flagged[0]["reasons"]
            .as_str()
            .unwrap()
            .contains("2026年3月、2026年4月连续两期未报送进度"),
        "{flagged:?}"
    );
    assert_eq!(
        c["best"],
        json!(["衢州氟硅新材料有限公司"]),
        "only the unit that reported every month"
    );
    assert_eq!(c["worst"], json!(["江山市"]));
    let unit = c["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "江山市")
        .unwrap()
        .clone();
    assert_eq!(
        (
            &unit["reports_on_time"],
            &unit["reports_missing"],
            &unit["on_time_rate"]
        ),
        (&json!(1), &json!(2), &json!(33))
    );
    let page = app.get(&format!("/bulletins/{id}")).await.text();
    assert!(!page.contains("按时报送、节点推进较好的单位：江山市"), "{page}");
}

#[tokio::test]
async fn flag_reasons_name_the_missed_periods_and_reports_filed_late_for_them_clear_the_misses() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-01");
    let w = app.seed().await;
    let (_, ids) = approved_batch(&app, &[("光伏硅片切割废料回收", w.college)]).await;
    let p = ids[0];
    app.set_today("2026-04-03");
    report(&app, p, "2026-03").await;
    app.set_today("2026-06-15");
    let (f, why) = flag(&app, p).await;
    assert_eq!(f, "red");
    assert_eq!(why, ["2026年4月、2026年5月连续两期未报送进度"]);
    assert!(
        app.get("/board")
            .await
            .text()
            .contains("2026年4月、2026年5月连续两期未报送进度")
    );
    // The unit files both back reports: the misses are gone; only May's lateness is left.
    report(&app, p, "2026-04").await;
    report(&app, p, "2026-05").await;
    let (f, why) = flag(&app, p).await;
    assert_eq!(f, "yellow", "{why:?}");
    assert_eq!(
        why,
        ["最近一期（2026年5月）进度迟报（2026-06-15 报送，应于 2026-06-05 前）"]
    );
    let board = app.get("/board").await.text();
    assert!(!board.contains("2026年4月、2026年5月连续两期") && !board.contains("期未报送进度（"));
}

#[tokio::test]
async fn completed_accepted_and_cancelled_projects_carry_no_flag_anywhere() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-01");
    let w = app.seed().await;
    let (batch, ids) = approved_batch(
        &app,
        &[
            ("已完成的项目", w.county),
            ("已验收的项目", w.college),
            ("已取消的项目", w.enterprise),
            ("实施中的项目", w.city),
        ],
    )
    .await;
    let walk = |id: i64, steps: &'static [&'static str]| {
        let app = &app;
        async move {
            for s in steps {
                let r = app
                    .json("PATCH", &format!("/api/v1/projects/{id}"), json!({"status": s}))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.text());
            }
        }
    };
    walk(ids[0], &["in_progress", "completed"]).await;
    walk(ids[1], &["in_progress", "completed", "accepted"]).await;
    walk(ids[2], &["cancelled"]).await;
    walk(ids[3], &["in_progress"]).await;
    app.set_today("2026-04-20");
    for id in &ids[..3] {
        let (f, why) = flag(&app, *id).await;
        assert!(f.is_null() && why.is_empty(), "project {id}: {f} {why:?}");
    }
    assert_eq!(flag(&app, ids[3]).await.0, "yellow", "March is missing");
    // The project list shows a flag on the running project only.
    let list = app.get(&format!("/projects?batch_id={batch}")).await.text();
    assert_eq!(list.matches("badge f-").count(), 1, "{list}");
    let page = app.get(&format!("/projects/{}", ids[0])).await.text();
    assert!(!page.contains("f-green") && !page.contains("绿灯</span>"));
    let board = app.get("/api/v1/board").await.json();
    assert_eq!(board["totals"], json!({"red": 0, "yellow": 1, "green": 0}));
    let r = app
        .form("/bulletins/new", &[("target", &format!("{batch}|2026-03"))])
        .await;
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let c = app.get(&format!("/api/v1/bulletins/{id}")).await.json()["content"].clone();
    let titles: Vec<&str> = c["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["实施中的项目"]);
}

#[tokio::test]
async fn the_board_groups_units_by_the_citys_counties_the_city_itself_and_units_outside_the_city() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-01");
    let w = app.seed().await;
    approved_batch(
        &app,
        &[
            ("市本级项目", w.city),
            ("江山项目", w.county),
            ("高校项目", w.uni),
            ("企业项目", w.enterprise),
        ],
    )
    .await;
    let board = app.get("/api/v1/board").await.json();
    let groups: Vec<&str> = board["by_county"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[0]["zh"].as_str().unwrap())
        .collect();
    let mut sorted = groups.clone();
    sorted.sort();
    assert_eq!(sorted, ["市外单位", "市本级", "柯城区", "江山市"], "{groups:?}");
    assert_eq!(groups.last(), Some(&"市外单位"), "units outside the city come last");
    let html = app.get("/board").await.text();
    assert!(html.contains("市外单位") && !html.contains("杭州市"), "{html}");
    let en = app.get("/board?lang=en").await.text();
    assert!(en.contains("Outside the city") && en.contains("City level"));
}

#[tokio::test]
async fn the_demo_unit_and_expert_see_their_reminders_and_the_office_sees_who_cannot_be_reminded() {
    // The day, and one on which the demo once left the expert without a reminder.
    for today in ["2026-12-06", "2027-03-20"] {
        demo_reminders_on(today).await;
    }
}

async fn demo_reminders_on(today: &str) {
    let mut app = spawn_app().await;
    hezuo_store::demo::load(&app.store, today.parse().unwrap())
        .await
        .unwrap();
    app.set_today(today);
    hezuo_store::demo::create_demo_users(&app.store, PASSWORD)
        .await
        .unwrap();
    let sent = hezuo_app::reminders::run_once(&app.store, None, &DEFAULT_DAYS_BEFORE)
        .await
        .unwrap();
    assert!(sent.notified >= 2, "{sent:?}");
    for who in ["unit", "expert"] {
        let s = app.login(who, PASSWORD).await.expect("demo account signs in");
        let page = app.get_by(&s, "/account").await.text();
        assert!(page.contains("【市校合作】"), "{today}: {who} sees no reminder: {page}");
    }
    // The demo unit still has a running project on a list to report on (what the browser test files).
    let unit = app.login("unit", PASSWORD).await.unwrap();
    let running = app
        .get_by(&unit, "/api/v1/projects?status=in_progress&per_page=100")
        .await
        .json();
    assert!(
        running["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| !p["batch_id"].is_null()),
        "{running}"
    );
    let board = app.get("/board").await.text();
    assert!(board.contains("未开通账号，无法提醒"), "{board}");
    // Only the office is shown who cannot be reached.
    let leader = app.login("leader", PASSWORD).await.unwrap();
    assert!(!app.get_by(&leader, "/board").await.text().contains("未开通账号"));
}

#[tokio::test]
async fn a_milestone_entered_with_its_due_date_already_passed_is_warned_about_and_shown_overdue() {
    let mut app = spawn_app().await;
    app.set_today("2026-06-15");
    let w = app.seed().await;
    let p = project(&app, &w).await;
    let r = app
        .form(
            &format!("/projects/{p}/milestones/new"),
            &[("title", "样机试制"), ("due_on", "2026-06-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "saved, and the form stays with a warning");
    let html = r.text();
    assert!(
        html.contains("计划完成日期 2026-06-01 早于今天（2026-06-15），该节点已显示为逾期"),
        "{html}"
    );
    assert!(
        html.contains("/milestones/") && html.contains("/edit\""),
        "the form now edits the saved milestone"
    );
    let page = app.get(&format!("/projects/{p}")).await.text();
    assert!(page.contains("样机试制") && page.contains("m-overdue"), "{page}");
    // A date still ahead goes straight back to the schedule.
    let r = app
        .form(
            &format!("/projects/{p}/milestones/new"),
            &[("title", "中试"), ("due_on", "2026-09-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn drafting_a_bulletin_without_a_batch_and_period_shows_the_form_again_with_the_reason_beside_it() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-10");
    let w = app.seed().await;
    let (batch, _) = approved_batch(&app, &[("有机硅单体合成工艺优化", w.enterprise)]).await;
    let r = app.form("/bulletins/new", &[("target", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("请选择清单与期次") && !html.contains("target:"), "{html}");
    assert!(html.contains("name=\"target\"") && html.contains(&format!("{batch}|2026-03")));
    // A period that is not the batch's: the store's reason, beside the same menu.
    let r = app
        .form("/bulletins/new", &[("target", &format!("{batch}|2031-01"))])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("“2031-01”不是该清单的期次"));
    let en = app.form("/bulletins/new?lang=en", &[]).await;
    assert!(en.text().contains("Choose a batch and period"));
}

#[tokio::test]
async fn issuing_a_bulletin_or_approving_a_batch_twice_says_so_on_its_page_not_on_a_bare_error_page() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-10");
    let w = app.seed().await;
    let (batch, _) = approved_batch(&app, &[("有机硅单体合成工艺优化", w.enterprise)]).await;
    let r = app.form(&format!("/batches/{batch}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text();
    assert!(html.contains("该清单已审定") && html.contains("填报期次"), "{html}");
    let r = app
        .form("/bulletins/new", &[("target", &format!("{batch}|2026-03"))])
        .await;
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(
        app.form(&format!("/bulletins/{id}/issue"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let r = app.form(&format!("/bulletins/{id}/issue"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text();
    assert!(
        html.contains("通报已印发，内容不再改变") && html.contains("〔2026〕1号"),
        "{html}"
    );
}

#[tokio::test]
async fn accepting_an_older_version_of_a_report_shows_the_report_again_with_the_reason() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-01");
    let w = app.seed().await;
    let (_, ids) = approved_batch(&app, &[("有机硅单体合成工艺优化", w.enterprise)]).await;
    app.set_today("2026-04-03");
    report(&app, ids[0], "2026-03").await;
    report(&app, ids[0], "2026-03").await;
    let versions = app.get(&format!("/api/v1/projects/{}/reports", ids[0])).await.json();
    let older = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["version"] == 1)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app.form(&format!("/reports/{older}/accept"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text();
    assert!(
        html.contains("只能采纳最新且尚未采纳的版本") && html.contains("2026-03 完成计划任务"),
        "{html}"
    );
}
