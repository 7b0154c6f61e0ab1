//! Problems worked on their page (问题协调): the status steps each role is offered are the ones
//! the store accepts from it, along the problem's state machine; the thread of comments with their
//! files, on the page and through the API, each in the audit log; and a problem past its due date
//! shown overdue. "Today" is 2026-06-15.

use crate::helpers::{Session, TestApp, World, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};

/// A project led by the enterprise, and a problem on it owned by the county, due `due_on`.
async fn problem(app: &TestApp, w: &World, due_on: &str) -> i64 {
    let project = app
        .create(
            "projects",
            json!({"title": "有机硅单体合成工艺优化", "kind": "engineering", "batch_year": 2026,
                "lead_unit_id": w.enterprise}),
        )
        .await;
    app.create(
        "problems",
        json!({"project_id": project, "title": "中试场地未落实", "owner_id": w.county, "due_on": due_on}),
    )
    .await
}

fn page(r: &crate::helpers::Res) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.text()
}

async fn status_of(app: &TestApp, id: i64) -> Value {
    app.get(&format!("/api/v1/problems/{id}")).await.json()["status"].clone()
}

/// The step forms the page shows, by the status each moves to.
fn steps(html: &str) -> Vec<&'static str> {
    ["coordinating", "resolved", "escalated", "open"]
        .into_iter()
        .filter(|s| html.contains(&format!("id=\"step-{s}\"")))
        .collect()
}

#[tokio::test]
async fn the_office_and_the_coordinator_over_the_owner_are_offered_exactly_the_steps_the_machine_allows() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = problem(&app, &w, "2026-07-31").await;
    let url = format!("/problems/{id}");

    let html = page(&app.get(&url).await);
    assert_eq!(steps(&html), ["coordinating", "resolved", "escalated"]);
    assert!(html.contains("转为协调中") && html.contains("标记为已解决") && html.contains("提交上级协调"));
    assert!(
        html.contains("data-confirm=\"确定标记为已解决？解决后不能再更改。\""),
        "resolving is confirmed"
    );

    let r = app
        .form(&format!("/problems/{id}/status"), &[("status", "coordinating")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(status_of(&app, id).await, "coordinating");
    let html = page(&app.get(&url).await);
    assert!(html.contains("协调中"));
    assert_eq!(steps(&html), ["resolved", "escalated"], "nothing goes back to open");

    // The city's coordinator reaches the county that owns it, and escalates with the decision.
    let coordinator = app.user("coordinator", Role::Coordinator, Some(w.city), None).await;
    let html = page(&app.get_by(&coordinator, &url).await);
    assert_eq!(steps(&html), ["resolved", "escalated"]);
    let r = app
        .form_as(
            &coordinator,
            &format!("/problems/{id}/status"),
            &[("status", "escalated"), ("decision", "场地需市政府专题会研究")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(status_of(&app, id).await, "escalated");
    let html = page(&app.get_by(&coordinator, &url).await);
    assert!(html.contains("场地需市政府专题会研究"), "the decision is on the page");
    assert_eq!(steps(&html), ["coordinating", "resolved"]);

    let form = page(&app.get(&format!("/problems/{id}/edit")).await);
    assert!(
        !form.contains("name=\"status\" id="),
        "the edit form leaves the status to the steps"
    );

    // Every step is in the audit log.
    let log = app
        .get(&format!(
            "/api/v1/audit?record_kind=problem&record_id={id}&action=status"
        ))
        .await
        .json();
    assert_eq!(log["total"], 2, "{log}");
}

#[tokio::test]
async fn the_leader_the_unit_and_the_enterprise_see_no_status_buttons_and_the_store_refuses_them_too() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = problem(&app, &w, "2026-07-31").await;
    let url = format!("/problems/{id}");
    let leader = app.user("leader", Role::Leader, None, None).await;
    let unit = app.user("county", Role::Unit, Some(w.county), None).await;
    let enterprise = app.user("enterprise", Role::Enterprise, Some(w.enterprise), None).await;
    for (who, s) in [("leader", &leader), ("unit", &unit), ("enterprise", &enterprise)] {
        let html = page(&app.get_by(s, &url).await);
        assert!(steps(&html).is_empty(), "{who} is offered steps");
        assert!(!html.contains(&format!("/problems/{id}/status")), "{who}");
        let r = app
            .form_as(s, &format!("/problems/{id}/status"), &[("status", "coordinating")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.text());
    }
    assert_eq!(status_of(&app, id).await, "open");

    // A coordinator elsewhere does not see the problem at all.
    let elsewhere = app
        .create(
            "organizations",
            json!({"kind": "government", "name": "龙游县", "region_code": "330825"}),
        )
        .await;
    let other = app.user("other", Role::Coordinator, Some(elsewhere), None).await;
    assert_eq!(app.get_by(&other, &url).await.status, StatusCode::NOT_FOUND);
    let r = app
        .form_as(&other, &format!("/problems/{id}/status"), &[("status", "coordinating")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn resolving_without_a_decision_is_refused_beside_its_form_and_a_resolved_problem_is_final() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = problem(&app, &w, "2026-07-31").await;
    let url = format!("/problems/{id}");

    let r = app
        .form(
            &format!("/problems/{id}/status"),
            &[("status", "resolved"), ("decision", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("id=\"err-step-resolved-decision\"") && html.contains("解决或提请上级时须写明协调意见"),
        "the error is beside the resolve form's decision: {html}"
    );
    assert_eq!(status_of(&app, id).await, "open", "nothing changed");

    let r = app
        .form(
            &format!("/problems/{id}/status"),
            &[("status", "resolved"), ("decision", "园区闲置厂房作为中试场地")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = page(&app.get(&url).await);
    assert!(html.contains("已解决") && html.contains("园区闲置厂房作为中试场地"));
    assert!(steps(&html).is_empty(), "resolved is final: no more steps");

    let r = app
        .form(&format!("/problems/{id}/status"), &[("status", "coordinating")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("问题状态不能从“已解决”变为“协调中”"), "{}", r.text());
    assert_eq!(status_of(&app, id).await, "resolved");
}

async fn comment_form(app: &TestApp, s: &Session, id: i64, body: &str, file: (&str, &[u8])) -> crate::helpers::Res {
    app.multipart_by(
        s,
        &format!("/problems/{id}/comments?_csrf={}", s.csrf),
        &[("body", body)],
        file.0,
        file.1,
    )
    .await
}

#[tokio::test]
async fn a_comment_with_a_file_shows_who_when_what_and_the_file_and_is_in_the_audit_log() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = problem(&app, &w, "2026-07-31").await;
    let url = format!("/problems/{id}");
    let enterprise = app.user("enterprise", Role::Enterprise, Some(w.enterprise), None).await;

    let html = page(&app.get_by(&enterprise, &url).await);
    assert!(html.contains("还没有评论"), "the empty thread says so");
    // The CSRF token goes in the form's body, never in its address (a browser sends no header).
    assert!(html.contains(&format!("action=\"/problems/{id}/comments?_idem=")));
    assert!(!html.contains("comments?_csrf=") && html.contains("name=\"_csrf\""));

    let r = comment_form(
        &app,
        &enterprise,
        id,
        "已与园区管委会沟通，附会议纪要",
        ("会议纪要.txt", "园区同意提供闲置厂房".as_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    let html = page(&app.get(&url).await);
    assert!(html.contains("已与园区管委会沟通，附会议纪要"));
    assert!(html.contains("<strong>enterprise</strong>"), "who wrote it");
    assert!(html.contains("2026-"), "when");
    let thread = app.get(&format!("/api/v1/problems/{id}/comments")).await.json();
    assert_eq!(thread["total"], 1);
    let c = &thread["items"][0];
    assert_eq!(c["author"], "enterprise");
    assert_eq!(c["body"], "已与园区管委会沟通，附会议纪要");
    assert_eq!(c["attachments"][0]["filename"], "会议纪要.txt");
    let file = c["attachments"][0]["id"].as_i64().unwrap();
    assert!(
        html.contains(&format!("/api/v1/attachments/{file}/content")),
        "the file is linked"
    );
    let content = app.get(&format!("/api/v1/attachments/{file}/content")).await;
    assert_eq!(content.text(), "园区同意提供闲置厂房");
    // The file is one of the problem's attachments too.
    let files = app
        .get(&format!("/api/v1/attachments?record_kind=problem&record_id={id}"))
        .await
        .json();
    assert_eq!(files["total"], 1);

    let log = app
        .get(&format!(
            "/api/v1/audit?record_kind=problem&record_id={id}&action=comment"
        ))
        .await
        .json();
    assert_eq!(log["total"], 1, "{log}");
    assert_eq!(log["items"][0]["username"], "enterprise");
    assert!(
        log["items"][0]["changes"]
            .as_str()
            .unwrap()
            .contains("已与园区管委会沟通")
    );
}

#[tokio::test]
async fn an_empty_comment_or_a_bad_file_is_refused_naming_the_field_and_leaves_nothing() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = problem(&app, &w, "2026-07-31").await;
    let office = app.office.clone();

    let r = comment_form(&app, &office, id, "  ", ("说明.txt", "正文".as_bytes())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("id=\"err-comment-body\""), "{}", r.text());
    assert!(r.text().contains("此项为必填项"));

    let r = comment_form(
        &app,
        &office,
        id,
        "附件有误",
        ("图纸.pdf", b"\x00\x01\x02\x03not a pdf"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("id=\"err-comment-file\""), "{html}");
    assert!(html.contains("附件有误"), "the text is kept");

    let thread = app.get(&format!("/api/v1/problems/{id}/comments")).await.json();
    assert_eq!(thread["total"], 0);
    let files = app
        .get(&format!("/api/v1/attachments?record_kind=problem&record_id={id}"))
        .await
        .json();
    assert_eq!(files["total"], 0);
}

#[tokio::test]
async fn the_api_takes_comments_as_json_from_whoever_sees_the_problem_but_not_from_the_leader() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = problem(&app, &w, "2026-07-31").await;
    let uri = format!("/api/v1/problems/{id}/comments");
    let unit = app.user("county", Role::Unit, Some(w.county), None).await;
    let r = app
        .json_by(&unit, "POST", &uri, json!({"body": "本单位已上报用地需求"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["author"], "county");
    let r = app.json_by(&unit, "POST", &uri, json!({"body": ""})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["body"].is_string());

    let leader = app.user("leader", Role::Leader, None, None).await;
    let html = page(&app.get_by(&leader, &format!("/problems/{id}")).await);
    assert!(html.contains("本单位已上报用地需求"), "the leader reads the thread");
    assert!(!html.contains(&format!("/problems/{id}/comments")), "but has no form");
    let r = app.json_by(&leader, "POST", &uri, json!({"body": "请抓紧"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let elsewhere = app
        .create(
            "organizations",
            json!({"kind": "government", "name": "龙游县", "region_code": "330825"}),
        )
        .await;
    let other = app.user("other", Role::Unit, Some(elsewhere), None).await;
    assert_eq!(app.get_by(&other, &uri).await.status, StatusCode::NOT_FOUND);
    let r = app.json_by(&other, "POST", &uri, json!({"body": "看不到"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&uri).await.json()["total"], 1);
}

#[tokio::test]
async fn a_problem_due_yesterday_is_shown_overdue_in_the_list_and_on_its_page_and_its_form_warns() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let project = app
        .create(
            "projects",
            json!({"title": "氟硅材料中试", "kind": "engineering", "batch_year": 2026, "lead_unit_id": w.enterprise}),
        )
        .await;
    let p = project.to_string();
    let county = w.county.to_string();
    let r = app
        .form(
            "/problems/new",
            &[
                ("project_id", &p),
                ("title", "环评批复滞后"),
                ("owner_id", &county),
                ("due_on", "2026-06-14"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let url = r.location();
    let late = app
        .create(
            "problems",
            json!({"project_id": project, "title": "用电增容未批", "owner_id": w.county, "due_on": "2026-06-15"}),
        )
        .await;

    let html = page(&app.get(&url).await);
    assert!(html.contains("逾期 1 天"), "the badge on its page");
    assert!(html.contains("已超过办结期限（2026-06-14）1 天"), "and why");
    let list = page(&app.get("/problems").await);
    assert_eq!(
        list.matches("逾期 1 天").count(),
        1,
        "only the one due yesterday: {list}"
    );
    assert!(
        !page(&app.get(&format!("/problems/{late}")).await).contains("逾期"),
        "due today is not overdue"
    );

    let form = page(&app.get(&format!("{url}/edit")).await);
    assert!(
        form.contains("办结期限 2026-06-14 已过（早于今天 1 天）：保存后问题将显示为逾期。"),
        "the form warns: {form}"
    );
    let fresh = page(&app.get("/problems/new").await);
    assert!(fresh.contains("早于今天的期限会使问题立即显示为逾期"));

    // Resolved, it is no longer overdue.
    let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
    let r = app
        .form(
            &format!("/problems/{id}/status"),
            &[("status", "resolved"), ("decision", "环保局加快审批")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(!page(&app.get(&url).await).contains("逾期 1 天"));
}
