//! Supervision as the office, units and experts meet it (issue 14): dates of things that happened
//! are never after today, one definition of "on time" for the bulletin and the flags, flag reasons
//! that name their periods, no flag on projects no longer carried out, the board grouped by the
//! city's own counties, reminders that reach the demo's people, and forms that come back with
//! their reasons beside their fields.

use crate::helpers::{TestApp, World, spawn_app};
use axum::http::StatusCode;
use serde_json::json;

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
