//! Meetings and their decisions through the API and the pages: refusals named in Chinese, a
//! decision's flag as the days pass (on the board, in the flag filter and in the next bulletin),
//! the owner unit's progress reports, turning a decision into a project or a problem (both or
//! neither), who may keep what, and many owners reporting at once.

use crate::helpers::{TestApp, World, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::sync::Arc;

fn field<'a>(r: &'a Value, f: &str) -> &'a str {
    r["fields"][f]
        .as_str()
        .unwrap_or_else(|| panic!("no error on {f}: {r}"))
}

/// A consultation organised by the city, attended by the college.
async fn meeting(app: &TestApp, w: &World) -> i64 {
    app.create(
        "events",
        json!({"title": "市校合作第一次定期会商", "kind": "consultation", "held_on": "2026-05-10",
               "organizer_id": w.city, "organization_ids": [w.college, w.county], "person_ids": [w.person],
               "minutes": "会商通报了项目推进情况。\n\n议定以下事项。"}),
    )
    .await
}

async fn decision(app: &TestApp, event: i64, title: &str, owner: i64, due: &str) -> i64 {
    app.create(
        "decisions",
        json!({"event_id": event, "title": title, "owner_id": owner, "due_on": due}),
    )
    .await
}

#[tokio::test]
async fn a_meeting_and_its_decisions_are_recorded_with_each_refusal_named_in_chinese() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app.post("/api/v1/events", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    for f in ["title", "kind", "held_on"] {
        assert!(!field(&e, f).is_empty(), "{f}");
    }
    let r = app
        .post(
            "/api/v1/events",
            json!({"title": "会商", "kind": "meeting", "held_on": "2026-05-10"}),
        )
        .await;
    assert!(field(&r.json(), "kind").contains("定期会商"), "{}", r.text());
    let r = app
        .post(
            "/api/v1/events",
            json!({"title": "会商", "kind": "consultation", "held_on": "2026-05-10", "person_ids": [999999]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "person_ids").contains("999999"), "{}", r.text());
    let event = meeting(&app, &w).await;
    let r = app.post("/api/v1/decisions", json!({"event_id": event})).await;
    let e = r.json();
    for f in ["title", "owner_id", "due_on"] {
        assert!(!field(&e, f).is_empty(), "{f}");
    }
    // Handing over is not a status one picks; a done date is never after today (2026-06-15).
    let r = app
        .post(
            "/api/v1/decisions",
            json!({"event_id": event, "title": "事项", "owner_id": w.college, "due_on": "2026-07-01", "status": "handed_over"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(field(&r.json(), "status").contains("转为项目"), "{}", r.text());
    let r = app
        .post(
            "/api/v1/decisions",
            json!({"event_id": event, "title": "事项", "owner_id": w.college, "due_on": "2026-07-01",
                   "status": "done", "done_on": "2026-06-16"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(field(&r.json(), "done_on").contains("不能晚于今天"), "{}", r.text());
    let d = decision(&app, event, "组织专家赴企业对接氟硅新材料需求", w.college, "2026-09-30").await;
    let got = app.get(&format!("/api/v1/decisions/{d}")).await.json();
    assert_eq!(got["status"], "open");
    assert_eq!(got["flag"], "green");
    // The meeting's page shows its minutes, who attended and the decision with what became of it.
    let page = app.get(&format!("/events/{event}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for text in [
        "会议纪要",
        "会商通报了项目推进情况",
        "王建国",
        "化学工程学院",
        "组织专家赴企业对接氟硅新材料需求",
        "待落实",
    ] {
        assert!(html.contains(text), "the meeting page lacks {text}");
    }
    let list = app.get("/api/v1/events?kind=consultation&year=2026").await.json();
    assert_eq!(list["total"], 1);
    let list = app.get("/api/v1/events?year=2025").await.json();
    assert_eq!(list["total"], 0);
    let r = app.get("/api/v1/events?kind=party").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "kind").contains("party"));
}

#[tokio::test]
async fn a_decision_turns_yellow_then_red_and_shows_on_the_board_and_in_the_next_bulletin() {
    let mut app = spawn_app().await;
    let w = app.seed().await;
    // The year's list, approved, with one project: what a bulletin reports on.
    let project = app
        .create(
            "projects",
            json!({"title": "有机硅单体合成工艺优化", "kind": "research", "batch_year": 2026, "lead_unit_id": w.enterprise,
                   "start_on": "2026-01-01", "end_on": "2026-12-31"}),
        )
        .await;
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026年度市校合作项目清单", "cadence": "monthly", "report_due_day": 5}),
        )
        .await;
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{project}"),
            json!({"batch_id": batch}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let event = meeting(&app, &w).await;
    let late = decision(&app, event, "协调解决中试基地用地问题", w.county, "2026-06-20").await;
    let done = decision(&app, event, "建立月度进度报送制度", w.college, "2026-06-10").await;
    let r = app
        .post(
            &format!("/api/v1/decisions/{done}/progress"),
            json!({"status": "done", "progress": "已印发制度", "done_on": "2026-06-08"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["flag"], Value::Null, "a decision done carries no flag");
    // 2026-06-15: due in five days, yellow.
    let d = app.get(&format!("/api/v1/decisions/{late}")).await.json();
    assert_eq!(d["flag"], "yellow", "{d}");
    assert!(d["flag_reasons"][0].as_str().unwrap().contains("还有 5 天"), "{d}");
    // Ten days on it is late: red, named on the board, in the red filter and in the bulletin.
    app.set_today("2026-06-25");
    let d = app.get(&format!("/api/v1/decisions/{late}")).await.json();
    assert_eq!(d["flag"], "red", "{d}");
    assert!(d["flag_reasons"][0].as_str().unwrap().contains("逾期 5 天"), "{d}");
    let red = app.get("/api/v1/decisions?flag=red").await.json();
    assert_eq!(red["total"], 1, "{red}");
    assert_eq!(red["items"][0]["id"], late);
    let board = app.get("/board").await.text();
    assert!(
        board.contains("逾期、临期的议定事项"),
        "the board has no decisions section"
    );
    assert!(
        board.contains("协调解决中试基地用地问题"),
        "the late decision is not on the board"
    );
    assert!(
        !board.contains("建立月度进度报送制度"),
        "a decision done is not flagged"
    );
    let r = app
        .post("/api/v1/bulletins", json!({"batch_id": batch, "period": "2026-06"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let bulletin = r.json()["id"].as_i64().unwrap();
    let page = app.get(&format!("/bulletins/{bulletin}")).await.text();
    let section = page
        .split("五、议定事项落实情况")
        .nth(1)
        .expect("the bulletin has a decisions section");
    assert!(section.contains("逾期未落实1项"), "{section}");
    assert!(section.contains("协调解决中试基地用地问题"));
    assert!(section.contains("逾期5天"));
    assert!(section.contains("已落实"));
    // The late one comes first.
    assert!(section.find("协调解决中试基地用地问题") < section.find("建立月度进度报送制度"));
    // The Word document carries the same section.
    let docx = app.get(&format!("/api/v1/bulletins/{bulletin}/docx")).await;
    assert_eq!(docx.status, StatusCode::OK);
    let json = docx_rs::read_docx(&docx.bytes).expect("a valid .docx").json();
    assert!(json.contains("议定事项落实情况") && json.contains("协调解决中试基地用地问题"));
}

#[tokio::test]
async fn the_owner_unit_reports_progress_but_only_the_organiser_rewrites_the_decision() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let event = meeting(&app, &w).await;
    let d = decision(&app, event, "举办科技乡镇长培训班", w.college, "2026-09-30").await;
    let other = decision(&app, event, "梳理县域产业需求", w.county, "2026-09-30").await;
    let unit = app.user("unit", Role::Unit, Some(w.college), None).await;
    let r = app
        .json_by(
            &unit,
            "POST",
            &format!("/api/v1/decisions/{d}/progress"),
            json!({"status": "in_progress", "progress": "方案已定，学员报名中"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "in_progress");
    let r = app
        .json_by(
            &unit,
            "PATCH",
            &format!("/api/v1/decisions/{d}"),
            json!({"due_on": "2026-12-31"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap().contains("责任单位只能报告落实情况"));
    let r = app
        .json_by(
            &unit,
            "POST",
            &format!("/api/v1/decisions/{other}/progress"),
            json!({"status": "done", "progress": "完成"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // A report needs its words, and the steps are kept: done cannot go back to open.
    let r = app
        .json_by(
            &unit,
            "POST",
            &format!("/api/v1/decisions/{d}/progress"),
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!field(&r.json(), "progress").is_empty());
    let r = app
        .json_by(
            &unit,
            "POST",
            &format!("/api/v1/decisions/{d}/progress"),
            json!({"status": "done", "progress": "培训班已举办"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["done_on"], "2026-06-15", "done today when no day is given");
    let r = app
        .json_by(
            &unit,
            "POST",
            &format!("/api/v1/decisions/{d}/progress"),
            json!({"status": "open", "progress": "重新打开"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(field(&r.json(), "status").contains("已落实"));
    // The unit's own page lists what it still has to carry out.
    let page = app.get(&format!("/organizations/{}", w.county)).await.text();
    assert!(page.contains("承办的议定事项") && page.contains("梳理县域产业需求"));
    // The page form: a refusal comes back on the decision's page, with the field named.
    let r = app
        .form_as(
            &unit,
            &format!("/decisions/{other}/progress"),
            &[("status", "done"), ("progress", "完成")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .form(
            &format!("/decisions/{other}/progress"),
            &[("status", "done"), ("progress", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("err-progress-progress") || r.text().contains("field-error"));
}

#[tokio::test]
async fn turning_a_decision_into_a_project_or_a_problem_writes_both_or_neither() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let event = meeting(&app, &w).await;
    let d = decision(&app, event, "共建氟硅新材料联合研发中心", w.college, "2026-12-31").await;
    let before = app.get("/api/v1/projects").await.json()["total"].as_i64().unwrap();
    // A project the project rules refuse (no lead unit): nothing is written, the decision stays open.
    let r = app
        .post(
            &format!("/api/v1/decisions/{d}/project"),
            json!({"title": "氟硅联合研发中心建设", "kind": "platform", "batch_year": 2026}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(!field(&r.json(), "lead_unit_id").is_empty());
    assert_eq!(
        app.get("/api/v1/projects").await.json()["total"].as_i64().unwrap(),
        before
    );
    assert_eq!(
        app.get(&format!("/api/v1/decisions/{d}")).await.json()["status"],
        "open"
    );
    let r = app
        .post(
            &format!("/api/v1/decisions/{d}/project"),
            json!({"title": "氟硅联合研发中心建设", "kind": "platform", "batch_year": 2026, "lead_unit_id": w.college}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let got = r.json();
    let project = got["project"]["id"].as_i64().unwrap();
    assert_eq!(got["decision"]["status"], "handed_over");
    assert_eq!(got["decision"]["project_id"], project);
    assert_eq!(
        got["decision"]["flag"],
        Value::Null,
        "the project is followed now, not the decision"
    );
    assert_eq!(
        app.get("/api/v1/projects").await.json()["total"].as_i64().unwrap(),
        before + 1
    );
    // Once handed over, it cannot be handed over again.
    let r = app
        .post(
            &format!("/api/v1/decisions/{d}/problem"),
            json!({"project_id": project, "title": "用地", "owner_id": w.county}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    // The meeting's page says what became of it.
    let page = app.get(&format!("/events/{event}")).await.text();
    assert!(
        page.contains("已转为项目：氟硅联合研发中心建设"),
        "the meeting page does not follow it"
    );
    // Into a problem on a project: both written.
    let e = decision(&app, event, "协调研发中心用地", w.county, "2026-08-01").await;
    let r = app
        .post(
            &format!("/api/v1/decisions/{e}/problem"),
            json!({"project_id": project, "title": "研发中心用地协调", "owner_id": w.county}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let problem = r.json()["problem"]["id"].as_i64().unwrap();
    let p = app.get(&format!("/api/v1/problems/{problem}")).await.json();
    assert_eq!(p["title"], "研发中心用地协调");
    assert_eq!(
        app.get(&format!("/api/v1/decisions/{e}")).await.json()["problem_id"],
        problem
    );
    // The hand-over form is the project form, prefilled from the decision.
    let f = decision(&app, event, "实施青年干部培训计划", w.college, "2026-11-30").await;
    let form = app.get(&format!("/decisions/{f}/project")).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(html.contains("实施青年干部培训计划") && html.contains("市校合作第一次定期会商（2026-05-10）议定事项"));
}

#[tokio::test]
async fn a_county_coordinator_keeps_its_meetings_and_an_enterprise_reads_only_those_it_attended() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let city_meeting = meeting(&app, &w).await;
    let coordinator = app.user("jiangshan", Role::Coordinator, Some(w.county), None).await;
    // The coordinator records the county's own meeting, not one organised by the city.
    let r = app
        .json_by(
            &coordinator,
            "POST",
            "/api/v1/events",
            json!({"title": "江山市县校合作会商", "kind": "consultation", "held_on": "2026-06-01", "organizer_id": w.city}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "organizer_id").contains("范围"));
    let r = app
        .json_by(
            &coordinator,
            "POST",
            "/api/v1/events",
            json!({"title": "江山市县校合作会商", "kind": "consultation", "held_on": "2026-06-01", "organizer_id": w.county}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let own = r.json()["id"].as_i64().unwrap();
    let r = app
        .json_by(
            &coordinator,
            "POST",
            "/api/v1/decisions",
            json!({"event_id": city_meeting, "title": "事项", "owner_id": w.county, "due_on": "2026-07-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(field(&r.json(), "event_id").contains("范围"));
    let r = app
        .json_by(
            &coordinator,
            "POST",
            "/api/v1/decisions",
            json!({"event_id": own, "title": "建立县校联络员制度", "owner_id": w.county, "due_on": "2026-07-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // It reads the city's meeting (a coordinator works the whole cooperation) but cannot change it.
    let r = app
        .get_by(&coordinator, &format!("/api/v1/events/{city_meeting}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .json_by(
            &coordinator,
            "PATCH",
            &format!("/api/v1/events/{city_meeting}"),
            json!({"place": "江山"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The enterprise attended neither: it reads none of them, nor their decisions.
    let ent = app.user("ent", Role::Enterprise, Some(w.enterprise), None).await;
    let list = app.get_by(&ent, "/api/v1/events").await.json();
    assert_eq!(list["total"], 0, "{list}");
    assert_eq!(
        app.get_by(&ent, &format!("/api/v1/events/{own}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get_by(&ent, "/api/v1/decisions").await.json()["total"], 0);
    // Once it is named among those present, the meeting is its to read.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/events/{city_meeting}"),
            json!({"organization_ids": [w.enterprise]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(app.get_by(&ent, "/api/v1/events").await.json()["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_decisions_recorded_and_reported_at_once_are_all_kept() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let event = meeting(&app, &w).await;
    let app = Arc::new(app);
    // Eight clerks record three decisions each on the same meeting at once.
    let mut tasks = Vec::new();
    for c in 0..8 {
        let app = app.clone();
        let owner = if c % 2 == 0 { w.college } else { w.county };
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in 0..3 {
                let r = app
                    .post(
                        "/api/v1/decisions",
                        json!({"event_id": event, "title": format!("事项{c}-{n}"), "owner_id": owner, "due_on": "2026-09-30"}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
                ids.push(r.json()["id"].as_i64().unwrap());
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.extend(t.await.unwrap());
    }
    let all = app.get(&format!("/api/v1/events/{event}/decisions")).await.json();
    assert_eq!(all.as_array().unwrap().len(), 24);
    // Then every one is reported on at once, twice over: each keeps its last report, none is lost.
    let mut tasks = Vec::new();
    for (k, id) in ids.iter().copied().enumerate() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..2 {
                let r = app
                    .post(
                        &format!("/api/v1/decisions/{id}/progress"),
                        json!({"status": "in_progress", "progress": format!("第{round}轮：事项{k}推进中")}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for (k, id) in ids.iter().enumerate() {
        let d = app.get(&format!("/api/v1/decisions/{id}")).await.json();
        assert_eq!(d["progress"], format!("第1轮：事项{k}推进中"));
        assert_eq!(d["status"], "in_progress");
    }
    // Each report is one audited change.
    let audit = app
        .get(&format!("/api/v1/audit?record_kind=decision&record_id={}", ids[0]))
        .await
        .json();
    assert_eq!(audit["total"], 3, "created, then two reports: {audit}");
}
