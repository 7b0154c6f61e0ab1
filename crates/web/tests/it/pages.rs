//! The HTML pages as a browser gets them: Chinese by default, English on request, forms that keep
//! what the user typed and put each error beside its field, detail pages with related records.

use crate::helpers::spawn_app;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn pages_speak_chinese_by_default_and_english_on_request() {
    let app = spawn_app().await;
    let r = app.get("/projects").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("合作项目") && html.contains("没有符合条件的记录"));
    assert!(r.headers["content-type"].to_str().unwrap().contains("charset=utf-8"));
    let en = app.get("/projects?lang=en").await;
    assert!(en.text().contains("Nothing matches."));
    assert!(en.headers["set-cookie"].to_str().unwrap().contains("lang=en"));
    assert!(
        app.get_lang("/organizations", "en-US,en;q=0.9")
            .await
            .text()
            .contains("Organisations")
    );
    for page in [
        "/",
        "/organizations",
        "/people",
        "/agreements",
        "/projects/new",
        "/organizations/new",
        "/people/new",
        "/agreements/new",
    ] {
        let r = app.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert!(r.text().contains("合作"), "{page} is not in Chinese");
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app().await;
    let r = app.get("/").await;
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert!(r.headers.contains_key("referrer-policy"));
}

#[tokio::test]
async fn a_project_form_with_errors_keeps_the_input_and_marks_each_field() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let lead = w.enterprise.to_string();
    let r = app
        .form(
            "/projects/new",
            &[
                ("title", "食用菌菌种选育与深加工"),
                ("kind", "research"),
                ("batch_year", "二〇二六"),
                ("lead_unit_id", &lead),
                ("contract_amount_wan", "12.3456789"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("value=\"食用菌菌种选育与深加工\""), "the title was kept");
    assert!(
        html.contains("id=\"err-batch_year\""),
        "the year's error sits beside it"
    );
    assert!(html.contains("id=\"err-contract_amount_wan\"") && html.contains("最多 6 位小数"));
    assert!(!html.contains("id=\"err-title\""));
    assert_eq!(app.get("/api/v1/projects").await.json()["total"], 0);

    let college = w.college.to_string();
    let r = app
        .form(
            "/projects/new",
            &[
                ("title", "食用菌菌种选育与深加工"),
                ("kind", "research"),
                ("batch_year", "2026"),
                ("lead_unit_id", &lead),
                ("co_unit_ids", &college),
                ("co_unit_ids", &w.uni.to_string()),
                ("contract_amount_wan", "12.5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.location();
    let page = app.get(&loc).await.text();
    assert!(page.contains("食用菌菌种选育与深加工") && page.contains("12.50 万元"));
    assert!(
        page.contains("浙江工业大学、化学工程学院"),
        "both co-units shown, in a stable order"
    );
    let list = app.get("/projects?kind=research").await.text();
    assert!(list.contains("食用菌菌种选育与深加工"));
    assert!(
        !app.get("/projects?kind=culture")
            .await
            .text()
            .contains("食用菌菌种选育与深加工")
    );
}

#[tokio::test]
async fn the_status_buttons_follow_the_state_machine() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = app.create("projects", json!({"title": "空压机节能控制系统研发", "kind": "engineering", "batch_year": 2026, "lead_unit_id": w.enterprise})).await;
    let page = app.get(&format!("/projects/{id}")).await.text();
    assert!(page.contains("name=\"status\" value=\"approved\"") && !page.contains("value=\"completed\""));
    let r = app
        .form(&format!("/projects/{id}/status"), &[("status", "approved")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .form(&format!("/projects/{id}/status"), &[("status", "transferred")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("项目状态不能从“已立项”变为“成果已转化”"));
    assert_eq!(
        app.get(&format!("/api/v1/projects/{id}")).await.json()["status"],
        "approved"
    );
}

#[tokio::test]
async fn detail_pages_show_related_records() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let a = app
        .create("agreements", json!({"title": "全面合作协议", "kind": "comprehensive", "signed_on": "2006-05-18", "party_ids": [w.city, w.uni]}))
        .await;
    let p = app
        .create(
            "projects",
            json!({"title": "联合研发中心建设", "kind": "platform", "batch_year": 2025, "lead_unit_id": w.college,
            "co_unit_ids": [w.enterprise], "origin": "agreement", "agreement_id": a, "responsible_person_id": w.person,
            "start_on": "2025-03-01", "end_on": "2026-12-31"}),
        )
        .await;
    app.post(
        &format!("/api/v1/projects/{p}/milestones"),
        json!({"title": "方案论证", "due_on": "2026-06-01"}),
    )
    .await;
    assert!(
        !app.get("/").await.text().contains("方案论证"),
        "a planned project's schedule is not yet supervised"
    );
    app.json("PATCH", &format!("/api/v1/projects/{p}"), json!({"status": "approved"}))
        .await;
    app.post(
        &format!("/api/v1/projects/{p}/milestones"),
        json!({"title": "设备安装", "due_on": "2026-06-20"}),
    )
    .await;
    app.post(
        &format!("/api/v1/projects/{p}/milestones"),
        json!({"title": "验收", "due_on": "2026-12-01"}),
    )
    .await;

    let uni = app.get(&format!("/organizations/{}", w.uni)).await.text();
    assert!(
        uni.contains("化学工程学院") && uni.contains("全面合作协议"),
        "children and agreements"
    );
    let college = app.get(&format!("/organizations/{}", w.college)).await.text();
    assert!(
        college.contains("联合研发中心建设") && college.contains("王建国"),
        "projects and people"
    );
    let ent = app.get(&format!("/organizations/{}", w.enterprise)).await.text();
    assert!(ent.contains("联合研发中心建设"), "co-led projects too");
    assert!(ent.contains("C26 化学原料和化学制品制造业") && ent.contains("柯城区（330802）"));
    let proj = app.get(&format!("/projects/{p}")).await.text();
    // "Today" is 2026-06-15 in the tests.
    assert!(proj.contains("m-overdue") && proj.contains("m-due_soon") && proj.contains("m-pending"));
    assert!(proj.contains("王建国") && proj.contains("全面合作协议"));
    let agr = app.get(&format!("/agreements/{a}")).await.text();
    assert!(agr.contains("联合研发中心建设") && agr.contains("衢州市"));
    // The office's home page is the board: the project is red for its overdue milestone.
    let home = app.get("/").await.text();
    assert!(
        home.contains("督查看板") && home.contains("节点“方案论证”已于 2026-06-01 到期未完成"),
        "{home}"
    );
    // The lead unit's home page lists what is overdue or due soon on its projects.
    let unit = app
        .user("college", hezuo_domain::access::Role::Unit, Some(w.college), None)
        .await;
    let home = app
        .send_as(
            Some(&unit),
            axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap(),
        )
        .await
        .text();
    assert!(
        home.contains("方案论证") && home.contains("设备安装") && home.contains("已逾期 14 天"),
        "the unit's home page lists what is overdue or due soon: {home}"
    );
}

#[tokio::test]
async fn text_is_escaped_wherever_it_is_shown() {
    let app = spawn_app().await;
    let evil = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    let id = app
        .create(
            "organizations",
            json!({"kind": "department", "name": evil, "description": evil}),
        )
        .await;
    for page in [
        format!("/organizations/{id}"),
        "/organizations".into(),
        format!("/organizations/{id}/edit"),
        "/people/new".into(),
    ] {
        let html = app.get(&page).await.text();
        assert!(!html.contains("<script>alert(1)"), "{page} shows raw script");
        assert!(!html.contains("<img src=x"), "{page} shows a raw tag");
        assert!(
            html.contains("&#60;script&#62;alert(1)"),
            "{page} lacks the escaped text"
        );
    }
}

#[tokio::test]
async fn editing_through_the_form_changes_the_record() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app.get(&format!("/people/{}/edit", w.person)).await.text();
    assert!(r.contains("value=\"有机硅、氟化工\""));
    let org = w.college.to_string();
    let r = app
        .form(
            &format!("/people/{}/edit", w.person),
            &[
                ("name", "王建国"),
                ("organization_id", &org),
                ("email", "wangjg@zjut.edu.cn"),
                ("is_expert", "true"),
                ("keywords", "有机硅，氟化工、催化"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let p = app.get(&format!("/api/v1/people/{}", w.person)).await.json();
    assert_eq!(p["expert"]["keywords"], json!(["有机硅", "氟化工", "催化"]));
    assert_eq!(p["email"], "wangjg@zjut.edu.cn");
    let r = app
        .form(
            &format!("/people/{}/edit", w.person),
            &[("name", "王建国"), ("organization_id", &org), ("email", "not-an-email")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("id=\"err-email\""));
}

#[tokio::test]
async fn list_pages_sort_by_the_chosen_column_and_page_through_results() {
    let app = spawn_app().await;
    let w = app.seed().await;
    for name in ["丙部门", "甲部门", "乙部门"] {
        app.create(
            "organizations",
            json!({"kind": "department", "name": name, "parent_id": w.city}),
        )
        .await;
    }
    let html = app.get("/organizations?kind=department&sort=name").await.text();
    assert!(html.contains("<option value=\"name\" selected>"));
    let (a, b, c) = (
        html.find("丙部门").unwrap(),
        html.find("乙部门").unwrap(),
        html.find("甲部门").unwrap(),
    );
    assert!(a < b && b < c, "sorted by name as the database collates it");
    let html = app.get("/organizations?per_page=2&page=2&sort=id").await.text();
    assert!(html.contains("第 2 / 4 页"), "eight organisations, two a page");
    assert!(html.contains("rel=\"prev\"") && html.contains("page=1"));
}

#[tokio::test]
async fn the_project_form_asks_for_an_origin_and_saves_the_one_shown() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let html = app.get("/projects/new").await.text();
    let select = html
        .split("name=\"origin\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("an origin menu")
        .to_string();
    assert!(
        !select.contains("（无）") && !select.contains("value=\"\""),
        "no empty choice: {select}"
    );
    assert!(
        select.contains("value=\"proposal\" selected"),
        "the default is shown: {select}"
    );
    let label = html.split("for=\"f-origin\">").nth(1).unwrap_or("");
    assert!(
        label.starts_with("来源 <span class=\"req\""),
        "marked required: {label}"
    );

    let lead = w.county.to_string();
    for (origin, shown) in [("demand", "企业需求"), ("proposal", "申报建议")] {
        let title = format!("来源为{origin}的项目");
        let r = app
            .form(
                "/projects/new",
                &[
                    ("title", &title),
                    ("kind", "research"),
                    ("batch_year", "2026"),
                    ("lead_unit_id", &lead),
                    ("origin", origin),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = app.get(&r.location()).await.text();
        assert!(page.contains(shown), "{origin} shown as {shown}");
        let id = r.location().rsplit('/').next().unwrap().to_string();
        let api = app.get(&format!("/api/v1/projects/{id}")).await.json();
        assert_eq!(api["origin"], origin);
        // Its edit form shows the saved origin.
        let edit = app.get(&format!("/projects/{id}/edit")).await.text();
        assert!(edit.contains(&format!("value=\"{origin}\" selected")));
    }
}
