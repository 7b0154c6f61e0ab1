//! Accounts, sessions, tokens, CSRF, the audit log and the authorization matrix: who may see and
//! change what (product.md, "Who may see what"), driven through the API and the pages.

use crate::helpers::{PASSWORD, Session, TestApp, spawn_app};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use hezuo_domain::access::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn nobody_reaches_records_without_signing_in() {
    let app = spawn_app().await;
    let r = app
        .send_as(None, Request::get("/api/v1/projects").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["error"].as_str().unwrap().contains("登录"));
    let r = app
        .send_as(
            None,
            Request::get("/projects?kind=research").body(Body::empty()).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2Fprojects%3Fkind%3Dresearch");
    let r = app
        .send_as(None, Request::get("/login").body(Body::empty()).unwrap())
        .await;
    assert!(r.text().contains("登录") && r.text().contains("name=\"password\""));
    assert_eq!(
        app.send_as(None, Request::get("/healthz").body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_failed_sign_in_never_says_which_part_was_wrong_and_repeated_failures_slow_down() {
    let app = spawn_app().await;
    let bad_pw = app.login("office", "wrong password").await;
    assert!(bad_pw.is_none());
    let page = |name: &str, pw: &str| {
        serde_urlencoded::to_string([("username", name), ("password", pw), ("next", "/projects")]).unwrap()
    };
    let post = |body: String| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let unknown = app.send_raw(post(page("nobody", "x"))).await;
    let wrong = app.send_raw(post(page("office", "x"))).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let msg = |t: &str| {
        t.split("id=\"login-error\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        msg(&unknown.text()),
        msg(&wrong.text()),
        "the same words for an unknown name and a wrong password"
    );
    assert_eq!(msg(&wrong.text()), "用户名或密码不正确");
    // A third wrong password for office from this address (API once, page twice): the next attempt
    // from here must wait, even with the right password.
    assert_eq!(
        app.send_raw(post(page("office", "y"))).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.send_raw(post(page("office", PASSWORD))).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.text().contains("秒后再试"));
    // The address is not locked for everyone behind it (an office's NAT): another account signs in…
    app.store
        .add_user(
            &hezuo_store::Viewer::system("test"),
            "leader",
            Role::Leader,
            None,
            None,
            Some(PASSWORD),
        )
        .await
        .unwrap();
    assert!(app.login("leader", PASSWORD).await.is_some());
    // …and the account itself signs in from another address.
    assert!(app.login_from("office", PASSWORD, [127, 0, 0, 2]).await.is_some());
}

#[tokio::test]
async fn signing_in_through_the_page_sets_a_safe_cookie_and_goes_where_the_user_was_going() {
    let app = spawn_app().await;
    let body = serde_urlencoded::to_string([
        ("username", "office"),
        ("password", PASSWORD),
        ("next", "/projects?kind=research"),
    ])
    .unwrap();
    let r = app
        .send_raw(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/projects?kind=research");
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"));
    // Another host is never a destination.
    let body = serde_urlencoded::to_string([
        ("username", "office"),
        ("password", PASSWORD),
        ("next", "//evil.example/"),
    ])
    .unwrap();
    let r = app
        .send_raw(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.location(), "/");
    // Signing out ends the session.
    let cookie = set.split(';').next().unwrap().to_string();
    let csrf = {
        let html = app
            .send_raw(
                Request::get("/")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .text();
        html.split("name=\"_csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let s = Session {
        cookie: cookie.clone(),
        csrf,
    };
    assert_eq!(app.form_as(&s, "/logout", &[]).await.status, StatusCode::SEE_OTHER);
    let r = app
        .send_raw(
            Request::get("/")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the old cookie no longer works");
}

#[tokio::test]
async fn a_one_time_password_must_be_replaced_and_an_admin_reset_ends_sessions() {
    let app = spawn_app().await;
    let r = app
        .post("/api/v1/users", json!({"username": "zhang.san", "role": "leader"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let first = r.json()["password"].as_str().unwrap().to_string();
    let s = app
        .login("zhang.san", &first)
        .await
        .expect("the one-time password works");
    let r = app
        .send_as(Some(&s), Request::get("/projects").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        r.location(),
        "/account",
        "pages wait until a password of one's own is set"
    );
    let r = app
        .form_as(
            &s,
            "/account/password",
            &[
                ("current_password", &first),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("至少 10 个字符"));
    let r = app
        .form_as(
            &s,
            "/account/password",
            &[
                ("current_password", &first),
                ("new_password", "衢州市校合作2026"),
                ("confirm_password", "衢州市校合作2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        app.send_as(Some(&s), Request::get("/projects").body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::OK
    );
    assert!(
        app.login("zhang.san", &first).await.is_none(),
        "the one-time password is spent"
    );

    let users = app.get("/api/v1/users").await.json();
    let id = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "zhang.san")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app.post(&format!("/api/v1/users/{id}/reset-password"), json!({})).await;
    let reset = r.json()["password"].as_str().unwrap().to_string();
    assert_eq!(
        app.send_as(Some(&s), Request::get("/api/v1/me").body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(app.login("zhang.san", &reset).await.is_some());
    // Only the office manages accounts.
    let leader = app.user("li.si", Role::Leader, None, None).await;
    let r = app
        .send_as(
            Some(&leader),
            Request::post("/api/v1/users")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"username":"x1","role":"office"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_tokens_act_as_their_user_until_revoked() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let coord = app.user("coord", Role::Coordinator, Some(w.county), None).await;
    let r = app
        .send_as(
            Some(&coord),
            Request::post("/api/v1/tokens")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"name":"县里的报表系统"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_string();
    let id = r.json()["id"].as_i64().unwrap();
    let bearer = |uri: &str| {
        Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let orgs = app.send_raw(bearer("/api/v1/organizations")).await.json();
    let names: Vec<&str> = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["江山市"], "the token carries the coordinator's scope");
    let listed = app
        .send_as(
            Some(&coord),
            Request::get("/api/v1/tokens").body(Body::empty()).unwrap(),
        )
        .await
        .text();
    assert!(!listed.contains(&token), "the secret is never shown again");
    // A token needs no CSRF token to write.
    let r = app
        .send_raw(
            Request::post("/api/v1/organizations")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"kind": "department", "name": "江山市科技局", "parent_id": w.county}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .send_as(
            Some(&coord),
            Request::post(format!("/api/v1/tokens/{id}/revoke"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.send_raw(bearer("/api/v1/organizations")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post("/api/v1/tokens", json!({"name": "过期的", "expires_at": "2020-01-01"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = app.get("/api/v1/openapi.json").await.json();
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

#[tokio::test]
async fn a_form_post_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let before = app.get("/api/v1/projects").await.json()["total"].clone();
    let lead = w.enterprise.to_string();
    let body = serde_urlencoded::to_string([
        ("title", "跨站伪造的项目"),
        ("kind", "research"),
        ("batch_year", "2026"),
        ("lead_unit_id", lead.as_str()),
    ])
    .unwrap();
    let forged = Request::post("/projects/new")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &app.office.cookie)
        .body(Body::from(body.clone()))
        .unwrap();
    let r = app.send_raw(forged).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("表单已过期"));
    let wrong = Request::post("/projects/new")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &app.office.cookie)
        .body(Body::from(format!("{body}&_csrf=0000")))
        .unwrap();
    assert_eq!(app.send_raw(wrong).await.status, StatusCode::FORBIDDEN);
    let api = Request::post(format!("/api/v1/projects/{}/archive", 1))
        .header(header::COOKIE, &app.office.cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send_raw(api).await.status,
        StatusCode::FORBIDDEN,
        "the API with a cookie needs X-CSRF-Token too"
    );
    assert_eq!(app.get("/api/v1/projects").await.json()["total"], before);
    // With the token the same form goes through.
    let r = app
        .form(
            "/projects/new",
            &[
                ("title", "正常提交的项目"),
                ("kind", "research"),
                ("batch_year", "2026"),
                ("lead_unit_id", &lead),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_change_leaves_exactly_one_audit_entry_and_a_refused_one_leaves_none() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = app
        .create("projects", json!({"title": "有机硅单体合成工艺优化", "kind": "engineering", "batch_year": 2026, "lead_unit_id": w.enterprise,
            "contract_amount_wan": "100"}))
        .await;
    let log = app
        .get(&format!("/api/v1/audit?record_kind=project&record_id={id}"))
        .await
        .json();
    assert_eq!(log["total"], 1);
    let created = &log["items"][0];
    assert_eq!(created["action"], "create");
    assert_eq!(created["username"], "office");
    assert_eq!(created["ip"], "127.0.0.1", "where the change came from");
    let changes: Value = serde_json::from_str(created["changes"].as_str().unwrap()).unwrap();
    assert_eq!(changes["title"], json!([null, "有机硅单体合成工艺优化"]));

    // Refused writes leave nothing.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{id}"),
            json!({"status": "completed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{id}"),
            json!({"co_unit_ids": [999999]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&format!("/api/v1/audit?record_kind=project&record_id={id}"))
            .await
            .json()["total"],
        1
    );

    // One change, one entry, with only the field that changed.
    app.json(
        "PATCH",
        &format!("/api/v1/projects/{id}"),
        json!({"contract_amount_wan": "120.5"}),
    )
    .await;
    app.json(
        "PATCH",
        &format!("/api/v1/projects/{id}"),
        json!({"status": "approved"}),
    )
    .await;
    app.post(&format!("/api/v1/projects/{id}/archive"), json!({})).await;
    let log = app
        .get(&format!("/api/v1/audit?record_kind=project&record_id={id}"))
        .await
        .json();
    assert_eq!(log["total"], 4);
    let items = log["items"].as_array().unwrap();
    assert_eq!(items[0]["action"], "archive");
    assert_eq!(items[1]["action"], "status");
    let status: Value = serde_json::from_str(items[1]["changes"].as_str().unwrap()).unwrap();
    assert_eq!(status.as_object().unwrap().len(), 1);
    assert_eq!(status["status"], json!(["planned", "approved"]));
    let money: Value = serde_json::from_str(items[2]["changes"].as_str().unwrap()).unwrap();
    assert_eq!(money, json!({"contract_amount_wan": ["100.00", "120.50"]}));
    // The record's page shows its history; the log cannot be written through the API.
    let page = app.get(&format!("/projects/{id}")).await.text();
    assert!(page.contains("id=\"history\"") && page.contains("状态变更") && page.contains("planned → approved"));
    for m in ["POST", "PUT", "PATCH", "DELETE"] {
        let r = app
            .send(
                Request::builder()
                    .method(m)
                    .uri("/api/v1/audit")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{m} /api/v1/audit");
    }
    let by_user = app.get("/api/v1/audit?user_id=999").await.json();
    assert_eq!(by_user["total"], 0);
    let audit_page = app.get("/audit?record_kind=project").await.text();
    assert!(audit_page.contains("有机硅") || audit_page.contains(&format!("#{id}")));
}

/// Who sees and changes what, for every endpoint the app routes. See `MATRIX` for the endpoints
/// and `may_write` for what each role may change inside its scope.
mod matrix {
    use super::*;

    /// The records on both sides of every scope: `a_*` lie inside the scoped users' reach, `b_*` outside.
    pub struct Fixture {
        /// Webhooks (issue 18): the college's (the unit's own), and the other county's.
        pub webhook_a: i64,
        pub webhook_b: i64,
        pub event_a: i64,
        pub event_b: i64,
        pub decision_a: i64,
        pub decision_b: i64,
        pub county_a: i64,
        pub county_b: i64,
        pub ent_a: i64,
        pub college_a: i64,
        pub person_a: i64,
        pub agreement_a: i64,
        pub project_a: i64,
        pub milestone_a: i64,
        pub attachment_a: i64,
        pub ent_b: i64,
        pub person_b: i64,
        pub agreement_b: i64,
        pub project_b: i64,
        pub milestone_b: i64,
        pub attachment_b: i64,
        pub user_id: i64,
        pub token_id: i64,
        pub batch: i64,
        pub batch_x: i64,
        pub batch_y: i64,
        pub report_a: i64,
        pub report_b: i64,
        pub problem_a: i64,
        pub problem_b: i64,
        pub bulletin: i64,
        /// A contact of ent_a (a person a county's coordinator reaches).
        pub person_c: i64,
        pub campaign_a: i64,
        pub campaign_b: i64,
        pub demand_a: i64,
        pub demand_b: i64,
        /// Another demand of ent_a, for merging into.
        pub demand_c: i64,
        pub result_a: i64,
        pub result_b: i64,
        pub work_a: i64,
        pub work_b: i64,
        /// Matches confirmed on demand_a (expert person_a) and demand_b (person_b).
        pub match_a: i64,
        pub match_b: i64,
        /// Platforms hosted by ent_a and ent_b, each with person_c stationed and a 2025 evaluation.
        pub platform_a: i64,
        pub platform_b: i64,
        pub eval_a: i64,
        pub eval_b: i64,
        /// Outcomes reported by ent_a (on project_a, counting for college_a and person_a) and ent_b.
        pub outcome_a: i64,
        pub outcome_b: i64,
        /// Trainings organised by county_a (co-organised by college_a, ent_a sending two people)
        /// and county_b (ent_b sending two), with their first and second participants.
        pub training_a: i64,
        pub training_b: i64,
        pub part_a: (i64, i64),
        pub part_b: (i64, i64),
        /// Chief experts serving county_a (person_a) and county_b (乙专家, of the university),
        /// each with one service-log entry.
        pub chief_a: i64,
        pub chief_b: i64,
        /// An expert of the university whom no other write touches (the person edits here turn
        /// person_a into a non-expert).
        pub person_e: i64,
        pub log_a: i64,
        pub log_b: i64,
        /// Secondments, serving: person_a from college_a to county_a, person_b from county_b to
        /// the university; each with a report for 2026-Q1.
        pub secondment_a: i64,
        pub secondment_b: i64,
        pub sreport_a: i64,
        pub sreport_b: i64,
        /// Partnership teams on agreement_a and agreement_b, each with three terms of person_c:
        /// one to end, one the API removes, one the page removes.
        pub group_a: i64,
        pub group_b: i64,
        pub members_a: [i64; 3],
        pub members_b: [i64; 3],
        /// Two published notices (通知公告), read by everyone.
        pub notice_a: i64,
        pub notice_b: i64,
    }

    pub async fn fixture(app: &TestApp) -> Fixture {
        let city = app
            .create(
                "organizations",
                json!({"kind": "government", "name": "衢州市", "region_code": "330800"}),
            )
            .await;
        let county_a = app
            .create(
                "organizations",
                json!({"kind": "government", "name": "江山市", "parent_id": city, "region_code": "330881"}),
            )
            .await;
        let county_b = app
            .create(
                "organizations",
                json!({"kind": "government", "name": "龙游县", "parent_id": city, "region_code": "330825"}),
            )
            .await;
        let uni = app
            .create("organizations", json!({"kind": "university", "name": "浙江工业大学"}))
            .await;
        let college_a = app
            .create(
                "organizations",
                json!({"kind": "college", "name": "化学工程学院", "parent_id": uni}),
            )
            .await;
        let ent_a = app
            .create("organizations", json!({"kind": "enterprise", "name": "江山甲企业", "parent_id": county_a, "credit_code": "12100000470095016Q", "industry_code": "C26"}))
            .await;
        let ent_b = app
            .create("organizations", json!({"kind": "enterprise", "name": "龙游乙企业", "parent_id": county_b, "credit_code": "91330825MA28F0XX0F", "industry_code": "C22"}))
            .await;
        let person_a = app
            .create(
                "people",
                json!({"organization_id": college_a, "name": "甲专家", "is_expert": true}),
            )
            .await;
        let person_b = app
            .create("people", json!({"organization_id": ent_b, "name": "乙联系人"}))
            .await;
        let agreement_a = app
            .create("agreements", json!({"title": "江山市—化工学院县院合作", "kind": "county_college", "signed_on": "2007-03-01", "party_ids": [county_a, college_a]}))
            .await;
        let agreement_b = app
            .create("agreements", json!({"title": "龙游县—大学合作", "kind": "county_college", "signed_on": "2007-03-01", "party_ids": [county_b, uni]}))
            .await;
        let project_a = app
            .create("projects", json!({"title": "甲项目", "kind": "research", "batch_year": 2026, "lead_unit_id": ent_a, "co_unit_ids": [college_a],
                "responsible_person_id": person_a, "start_on": "2026-01-01", "end_on": "2026-12-31"}))
            .await;
        let project_b = app
            .create(
                "projects",
                json!({"title": "乙项目", "kind": "research", "batch_year": 2026, "lead_unit_id": ent_b,
                "responsible_person_id": person_b, "start_on": "2026-01-01", "end_on": "2026-12-31"}),
            )
            .await;
        let milestone_a = milestone(app, project_a).await;
        let milestone_b = milestone(app, project_b).await;
        let attachment_a = attachment(app, project_a).await;
        let attachment_b = attachment(app, project_b).await;
        let me = app.get("/api/v1/me").await.json();
        let token = app.post("/api/v1/tokens", json!({"name": "矩阵"})).await.json();
        // The year's list holding both projects, approved; two empty drafts to approve in the matrix.
        let batch = app
            .create(
                "batches",
                json!({"year": 2026, "title": "2026年度清单", "cadence": "monthly", "report_due_day": 5}),
            )
            .await;
        for p in [project_a, project_b] {
            let r = app
                .json("PATCH", &format!("/api/v1/projects/{p}"), json!({"batch_id": batch}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
        assert_eq!(
            app.post(&format!("/api/v1/batches/{batch}/approve"), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        let batch_x = app
            .create(
                "batches",
                json!({"year": 2027, "title": "草稿甲", "cadence": "quarterly"}),
            )
            .await;
        let batch_y = app
            .create(
                "batches",
                json!({"year": 2027, "title": "草稿乙", "cadence": "quarterly"}),
            )
            .await;
        let report = |p: i64| async move {
            let r = app
                .post(
                    &format!("/api/v1/projects/{p}/reports"),
                    json!({"period": "2026-05", "done_text": "完成中试", "percent": 40}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            r.json()["id"].as_i64().unwrap()
        };
        let report_a = report(project_a).await;
        let report_b = report(project_b).await;
        let problem_a = app
            .create(
                "problems",
                json!({"project_id": project_a, "title": "甲问题", "owner_id": county_a}),
            )
            .await;
        let problem_b = app
            .create(
                "problems",
                json!({"project_id": project_b, "title": "乙问题", "owner_id": county_b}),
            )
            .await;
        // An issued bulletin, which everyone may read.
        let bulletin = app
            .create("bulletins", json!({"batch_id": batch, "period": "2026-05"}))
            .await;
        assert_eq!(
            app.post(&format!("/api/v1/bulletins/{bulletin}/issue"), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        let person_c = app
            .create("people", json!({"organization_id": ent_a, "name": "甲联系人"}))
            .await;
        let campaign = |org: i64, title: &str| json!({"title": title, "organizer_id": org, "starts_on": "2026-03-01", "ends_on": "2026-12-31", "target_regions": ["330881", "330825"]});
        let campaign_a = app.create("campaigns", campaign(county_a, "甲县征集")).await;
        let campaign_b = app.create("campaigns", campaign(county_b, "乙县征集")).await;
        let demand = |org: i64, title: &str| json!({"enterprise_id": org, "title": title, "summary": "技术难题"});
        let demand_a = app.create("demands", demand(ent_a, "甲需求")).await;
        let demand_b = app.create("demands", demand(ent_b, "乙需求")).await;
        let demand_c = app.create("demands", demand(ent_a, "甲需求二")).await;
        let result_a = app
            .create(
                "results",
                json!({"title": "甲成果", "kind": "method", "owner_ids": [person_a, person_c]}),
            )
            .await;
        let result_b = app
            .create(
                "results",
                json!({"title": "乙成果", "kind": "method", "owner_ids": [person_b]}),
            )
            .await;
        let work_a = app
            .create("works", json!({"person_id": person_a, "title": "甲论文"}))
            .await;
        let work_b = app
            .create("works", json!({"person_id": person_b, "title": "乙论文"}))
            .await;
        // Both demands accepted, each with a confirmed match.
        let mut matches = Vec::new();
        for (d, p) in [(demand_a, person_a), (demand_b, person_b)] {
            app.post(&format!("/api/v1/demands/{d}/submit"), json!({})).await;
            for _ in 0..2 {
                let r = app
                    .post(&format!("/api/v1/demands/{d}/review"), json!({"decision": "pass"}))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            }
            let r = app
                .post(&format!("/api/v1/demands/{d}/matches"), json!({"person_id": p}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            matches.push(r.json()["id"].as_i64().unwrap());
        }
        let mut platforms = Vec::new();
        for (name, host) in [("甲平台", ent_a), ("乙平台", ent_b)] {
            let id = app
                .create(
                    "platforms",
                    json!({"name": name, "kind": "rd_centre", "level": "county", "host_ids": [host]}),
                )
                .await;
            let r = app
                .post(
                    &format!("/api/v1/platforms/{id}/people"),
                    json!({"person_id": person_c}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            let r = app
                .post(
                    &format!("/api/v1/platforms/{id}/evaluations"),
                    json!({"year": 2025, "grade": "good"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            platforms.push((id, r.json()["id"].as_i64().unwrap()));
        }
        let outcome = |org: i64, project: i64, title: &str| {
            json!({"kind": "contract", "title": title, "occurred_on": "2026-04-01",
            "organization_id": org, "project_id": project, "contract_kind": "development", "amount_fen": 50_000_000})
        };
        let outcome_a = app.create("outcomes", outcome(ent_a, project_a, "甲成果登记")).await;
        let r = app
            .json(
                "PATCH",
                &format!("/api/v1/outcomes/{outcome_a}"),
                json!({"party_ids": [college_a], "person_ids": [person_a]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let outcome_b = app.create("outcomes", outcome(ent_b, project_b, "乙成果登记")).await;
        // A consultation organised by each county; 甲's attended by the enterprise, the college and
        // the expert, each with a decision (甲's given to the college).
        let event_a = app
            .create(
                "events",
                json!({"title": "甲会商", "kind": "consultation", "held_on": "2026-05-01",
                "organizer_id": county_a, "organization_ids": [ent_a, college_a], "person_ids": [person_a]}),
            )
            .await;
        let event_b = app
            .create(
                "events",
                json!({"title": "乙会商", "kind": "consultation", "held_on": "2026-05-02",
                "organizer_id": county_b, "organization_ids": [ent_b]}),
            )
            .await;
        let decision_a = app
            .create(
                "decisions",
                json!({"event_id": event_a, "title": "甲事项", "owner_id": college_a, "due_on": "2026-07-01"}),
            )
            .await;
        let decision_b = app
            .create(
                "decisions",
                json!({"event_id": event_b, "title": "乙事项", "owner_id": county_b, "due_on": "2026-07-01"}),
            )
            .await;
        let mut trainings = Vec::new();
        for (title, org, co, unit) in [
            ("甲培训班", county_a, Some(college_a), "江山甲企业"),
            ("乙培训班", county_b, None, "龙游乙企业"),
        ] {
            let id = app
                .create(
                    "trainings",
                    json!({"title": title, "kind": "class", "organizer_id": org, "co_organizer_id": co, "start_on": "2026-05-10"}),
                )
                .await;
            let mut parts = Vec::new();
            for name in ["学员一", "学员二"] {
                let r = app
                    .post(
                        &format!("/api/v1/trainings/{id}/participants"),
                        json!({"name": name, "unit": unit, "phone": "13905701234", "attended": "是"}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
                parts.push(r.json()["id"].as_i64().unwrap());
            }
            trainings.push((id, (parts[0], parts[1])));
        }
        let person_e = app
            .create(
                "people",
                json!({"organization_id": uni, "name": "乙专家", "is_expert": true}),
            )
            .await;
        let chief = |p: i64, county: i64| {
            json!({"person_id": p, "field": "agriculture", "organization_id": county,
            "document_no": "衢农发〔2026〕1号", "appointed_by": "衢州市农业农村局", "from_on": "2026-01-01", "to_on": "2028-12-31"})
        };
        let chief_a = app.create("chief-experts", chief(person_a, county_a)).await;
        let chief_b = app.create("chief-experts", chief(person_e, county_b)).await;
        let log = |c: i64, title: &str| json!({"chief_expert_id": c, "kind": "visit", "served_on": "2026-05-01", "title": title});
        let log_a = app.create("service-log", log(chief_a, "甲服务记录")).await;
        let log_b = app.create("service-log", log(chief_b, "乙服务记录")).await;
        let hook = |org: i64, name: &str| {
            json!({"organization_id": org, "name": name, "kind": "dingtalk",
            "url": "http://127.0.0.1:9/robot/send?access_token=matrix", "secret": "SECmatrix", "events": ["flag_red"]})
        };
        let webhook_a = app.create("webhooks", hook(college_a, "甲群机器人")).await;
        let webhook_b = app.create("webhooks", hook(county_b, "乙群机器人")).await;
        let mut secondments = Vec::new();
        for (person, from, to, post) in [
            (person_a, college_a, county_a, "甲方挂职岗位"),
            (person_b, county_b, uni, "乙方挂职岗位"),
        ] {
            let id = app
                .create(
                    "secondments",
                    json!({"person_id": person, "from_organization_id": from, "to_organization_id": to,
                           "post": post, "start_on": "2026-01-10", "end_on": "2027-01-09"}),
                )
                .await;
            let r = app
                .post(
                    &format!("/api/v1/secondments/{id}/status"),
                    json!({"status": "serving"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let r = app
                .post(
                    &format!("/api/v1/secondments/{id}/reports"),
                    json!({"period": "2026-Q1", "work_done": "走访企业"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            secondments.push((id, r.json()["id"].as_i64().unwrap()));
        }
        let mut groups = Vec::new();
        for (name, agreement) in [("甲合作小组", agreement_a), ("乙合作小组", agreement_b)] {
            let id = app
                .create(
                    "groups",
                    json!({"name": name, "kind": "partnership", "agreement_id": agreement}),
                )
                .await;
            let mut members = [0; 3];
            for m in &mut members {
                let r = app
                    .post(
                        &format!("/api/v1/groups/{id}/members"),
                        json!({"person_id": person_c, "post": "成员", "from_on": "2024-01-01"}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
                *m = r.json()["id"].as_i64().unwrap();
            }
            groups.push((id, members));
        }
        let notice = |title: &str| json!({"title": title, "kind": "notice", "body": "公开内容", "status": "published"});
        let notice_a = app.create("notices", notice("甲通知")).await;
        let notice_b = app.create("notices", notice("乙通知")).await;
        Fixture {
            notice_a,
            notice_b,
            event_a,
            event_b,
            decision_a,
            decision_b,
            training_a: trainings[0].0,
            training_b: trainings[1].0,
            part_a: trainings[0].1,
            part_b: trainings[1].1,
            chief_a,
            chief_b,
            person_e,
            log_a,
            log_b,
            group_a: groups[0].0,
            group_b: groups[1].0,
            members_a: groups[0].1,
            members_b: groups[1].1,
            platform_a: platforms[0].0,
            platform_b: platforms[1].0,
            eval_a: platforms[0].1,
            eval_b: platforms[1].1,
            outcome_a,
            outcome_b,
            webhook_a,
            webhook_b,
            secondment_a: secondments[0].0,
            secondment_b: secondments[1].0,
            sreport_a: secondments[0].1,
            sreport_b: secondments[1].1,
            match_a: matches[0],
            match_b: matches[1],
            person_c,
            campaign_a,
            campaign_b,
            demand_a,
            demand_b,
            demand_c,
            result_a,
            result_b,
            work_a,
            work_b,
            county_a,
            county_b,
            ent_a,
            college_a,
            person_a,
            agreement_a,
            project_a,
            milestone_a,
            attachment_a,
            ent_b,
            person_b,
            agreement_b,
            project_b,
            milestone_b,
            attachment_b,
            user_id: me["id"].as_i64().unwrap(),
            token_id: token["id"].as_i64().unwrap(),
            batch,
            batch_x,
            batch_y,
            report_a,
            report_b,
            problem_a,
            problem_b,
            bulletin,
        }
    }

    async fn milestone(app: &TestApp, p: i64) -> i64 {
        let r = app
            .post(
                &format!("/api/v1/projects/{p}/milestones"),
                json!({"title": "中试", "due_on": "2026-06-01"}),
            )
            .await;
        r.json()["id"].as_i64().unwrap()
    }

    async fn attachment(app: &TestApp, p: i64) -> i64 {
        let r = app
            .upload("/api/v1/attachments", "project", p, "纪要.txt", "会议纪要".as_bytes())
            .await;
        r.json()["id"].as_i64().unwrap()
    }

    /// What an endpoint does, for deciding the expected answer.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Op {
        /// Open to anyone (health, sign-in, the API description).
        Public,
        /// One's own account or session: every signed-in user may.
        Own,
        /// Office only (accounts).
        OfficeOnly,
        /// A list: 200 for everyone; what is outside the scope is absent.
        List(&'static str),
        /// Reading one record of the kind (404 outside the scope).
        Read(&'static str),
        /// Changing a record of the kind: (kind, action).
        Write(&'static str, &'static str),
        /// A form page for creating a record of the kind.
        NewForm(&'static str),
        /// The form editing a record of the kind: shown to those who may change it.
        EditForm(&'static str),
        /// The form adding a record (second) under one of the first kind: not found outside the
        /// scope, and inside shown only to those who may create one.
        NestedNew(&'static str, &'static str),
        /// The form editing a record everyone reads: it opens exactly when the API saves the
        /// record (an empty PATCH to this address).
        KeptAs(&'static str),
        /// The annual review (the year's draft here): the office and leaders read it, a
        /// coordinator finds no draft (404; issued ones they read), the other roles are refused
        /// (403); only the office writes (its writes are tried in annual_review.rs).
        Review,
        /// The statistics and the dashboard: the office, leaders and coordinators read them (a
        /// coordinator their own subtree's figures, tried in statistics.rs); the others are refused.
        Staff,
        /// A message thread's endpoint: who is in a thread (403 outside it, for every role) and
        /// who may post, read and edit there are tried role by role in messages.rs.
        Thread,
        /// Enterprise self-registration's own pages and decisions: an application's applicant and
        /// the county it lies in decide who reaches it, which the fixture has none of (tried in
        /// registrations.rs).
        Registration,
    }

    /// Every endpoint: (method, path, what it is). A path with `{id}` is tried with a record inside
    /// and one outside the user's scope.
    pub const MATRIX: &[(&str, &str, Op)] = &[
        ("GET", "/healthz", Op::Public),
        ("GET", "/static/style.css", Op::Public),
        ("GET", "/static/app.js", Op::Public),
        ("GET", "/favicon.ico", Op::Public),
        ("GET", "/static/picker.js", Op::Own),
        ("GET", "/register", Op::Public),
        ("POST", "/register", Op::Public),
        ("GET", "/static/register.js", Op::Public),
        ("GET", "/api/v1/registrations/challenge", Op::Public),
        ("POST", "/api/v1/registrations", Op::Public),
        ("GET", "/registrations", Op::Staff),
        ("GET", "/api/v1/registrations", Op::Staff),
        ("GET", "/registrations/{id}", Op::Registration),
        ("GET", "/api/v1/registrations/{id}", Op::Registration),
        ("POST", "/registrations/{id}/approve", Op::Registration),
        ("POST", "/registrations/{id}/reject", Op::Registration),
        ("POST", "/api/v1/registrations/{id}/approve", Op::Registration),
        ("POST", "/api/v1/registrations/{id}/reject", Op::Registration),
        ("GET", "/register/status", Op::Registration),
        ("POST", "/register/verify", Op::Registration),
        ("POST", "/register/resend", Op::Registration),
        ("GET", "/api/v1/registrations/mine", Op::Registration),
        ("POST", "/api/v1/registrations/mine/verify", Op::Registration),
        ("POST", "/api/v1/registrations/mine/resend", Op::Registration),
        ("GET", "/login", Op::Public),
        // The public portal: no sign-in (what it shows is tried in public.rs).
        ("GET", "/public", Op::Public),
        ("GET", "/public/notices", Op::Public),
        ("GET", "/public/notices/{notice}", Op::Public),
        ("GET", "/public/notices/{notice}/files/{mid}", Op::Public),
        ("GET", "/public/campaigns", Op::Public),
        ("GET", "/public/campaigns/{campaign}", Op::Public),
        ("GET", "/public/results", Op::Public),
        ("GET", "/public/results/{result}", Op::Public),
        ("GET", "/public/demands", Op::Public),
        ("GET", "/public/demands/{id}", Op::Public),
        ("GET", "/public/platforms", Op::Public),
        ("GET", "/public/platforms/{platform}", Op::Public),
        ("GET", "/public/experts", Op::Public),
        ("GET", "/public/experts/{id}", Op::Public),
        ("GET", "/public/search", Op::Public),
        // Notices: published ones are read by every signed-in user; the office keeps them.
        ("GET", "/notices", Op::Own),
        ("GET", "/api/v1/notices", Op::Own),
        ("GET", "/notices/{notice}", Op::Own),
        ("GET", "/api/v1/notices/{notice}", Op::Own),
        ("GET", "/notices/new", Op::NewForm("notice")),
        ("POST", "/notices/new", Op::Write("notice", "create")),
        ("POST", "/api/v1/notices", Op::Write("notice", "create")),
        ("GET", "/notices/{id}/edit", Op::EditForm("notice")),
        ("POST", "/notices/{id}/edit", Op::Write("notice", "update")),
        ("PUT", "/api/v1/notices/{id}", Op::Write("notice", "update")),
        ("PATCH", "/api/v1/notices/{id}", Op::Write("notice", "update")),
        ("POST", "/notices/{id}/archive", Op::Write("notice", "archive")),
        ("POST", "/notices/{id}/restore", Op::Write("notice", "archive")),
        ("POST", "/api/v1/notices/{id}/archive", Op::Write("notice", "archive")),
        ("POST", "/api/v1/notices/{id}/restore", Op::Write("notice", "archive")),
        ("POST", "/login", Op::Public),
        ("POST", "/api/v1/auth/login", Op::Public),
        ("GET", "/api/v1/openapi.json", Op::Public),
        ("GET", "/", Op::Own),
        ("POST", "/logout", Op::Own),
        ("GET", "/account", Op::Own),
        ("POST", "/account/password", Op::Own),
        ("POST", "/account/tokens", Op::Own),
        ("POST", "/account/tokens/{token}/revoke", Op::Own),
        ("POST", "/api/v1/auth/logout", Op::Own),
        ("GET", "/api/v1/me", Op::Own),
        ("GET", "/api/v1/tokens", Op::Own),
        ("POST", "/api/v1/tokens", Op::Own),
        ("POST", "/api/v1/tokens/{token}/revoke", Op::Own),
        ("GET", "/notifications", Op::Own),
        ("POST", "/notifications/read-all", Op::Own),
        ("POST", "/notifications/preferences", Op::Own),
        ("POST", "/notifications/{id}/open", Op::Own),
        ("GET", "/api/v1/notifications", Op::Own),
        ("POST", "/api/v1/notifications/read-all", Op::Own),
        ("GET", "/api/v1/notifications/preferences", Op::Own),
        ("PUT", "/api/v1/notifications/preferences", Op::Own),
        ("POST", "/api/v1/notifications/{id}/read", Op::Own),
        ("GET", "/users", Op::OfficeOnly),
        ("POST", "/users", Op::OfficeOnly),
        ("POST", "/users/{user}/reset", Op::OfficeOnly),
        ("GET", "/api/v1/users", Op::OfficeOnly),
        ("POST", "/api/v1/users", Op::OfficeOnly),
        ("POST", "/api/v1/users/{user}/reset-password", Op::OfficeOnly),
        ("GET", "/audit", Op::List("audit")),
        ("GET", "/api/v1/audit", Op::List("audit")),
        ("GET", "/organizations", Op::List("organization")),
        ("GET", "/api/v1/organizations", Op::List("organization")),
        ("GET", "/organizations/{id}", Op::Read("organization")),
        ("GET", "/api/v1/organizations/{id}", Op::Read("organization")),
        ("GET", "/organizations/new", Op::NewForm("organization")),
        ("POST", "/organizations/new", Op::Write("organization", "create")),
        ("POST", "/api/v1/organizations", Op::Write("organization", "create")),
        ("GET", "/organizations/{id}/edit", Op::EditForm("organization")),
        ("POST", "/organizations/{id}/edit", Op::Write("organization", "update")),
        ("PUT", "/api/v1/organizations/{id}", Op::Write("organization", "update")),
        (
            "PATCH",
            "/api/v1/organizations/{id}",
            Op::Write("organization", "update"),
        ),
        (
            "POST",
            "/organizations/{id}/archive",
            Op::Write("organization", "archive"),
        ),
        (
            "POST",
            "/organizations/{id}/restore",
            Op::Write("organization", "archive"),
        ),
        (
            "POST",
            "/api/v1/organizations/{id}/archive",
            Op::Write("organization", "archive"),
        ),
        (
            "POST",
            "/api/v1/organizations/{id}/restore",
            Op::Write("organization", "archive"),
        ),
        ("GET", "/people", Op::List("person")),
        ("GET", "/api/v1/people", Op::List("person")),
        ("GET", "/people/{id}", Op::Read("person")),
        ("GET", "/api/v1/people/{id}", Op::Read("person")),
        ("GET", "/people/new", Op::NewForm("person")),
        ("POST", "/people/new", Op::Write("person", "create")),
        ("POST", "/api/v1/people", Op::Write("person", "create")),
        ("GET", "/people/{id}/edit", Op::EditForm("person")),
        ("POST", "/people/{id}/edit", Op::Write("person", "update")),
        ("PUT", "/api/v1/people/{id}", Op::Write("person", "update")),
        ("PATCH", "/api/v1/people/{id}", Op::Write("person", "update")),
        ("POST", "/people/{id}/archive", Op::Write("person", "archive")),
        ("POST", "/people/{id}/restore", Op::Write("person", "archive")),
        ("POST", "/api/v1/people/{id}/archive", Op::Write("person", "archive")),
        ("POST", "/api/v1/people/{id}/restore", Op::Write("person", "archive")),
        ("GET", "/agreements", Op::List("agreement")),
        ("GET", "/api/v1/agreements", Op::List("agreement")),
        ("GET", "/agreements/{id}", Op::Read("agreement")),
        ("GET", "/api/v1/agreements/{id}", Op::Read("agreement")),
        ("GET", "/agreements/new", Op::NewForm("agreement")),
        ("POST", "/agreements/new", Op::Write("agreement", "create")),
        ("POST", "/api/v1/agreements", Op::Write("agreement", "create")),
        ("GET", "/agreements/{id}/edit", Op::EditForm("agreement")),
        ("POST", "/agreements/{id}/edit", Op::Write("agreement", "update")),
        ("PUT", "/api/v1/agreements/{id}", Op::Write("agreement", "update")),
        ("PATCH", "/api/v1/agreements/{id}", Op::Write("agreement", "update")),
        ("POST", "/agreements/{id}/archive", Op::Write("agreement", "archive")),
        ("POST", "/agreements/{id}/restore", Op::Write("agreement", "archive")),
        (
            "POST",
            "/api/v1/agreements/{id}/archive",
            Op::Write("agreement", "archive"),
        ),
        (
            "POST",
            "/api/v1/agreements/{id}/restore",
            Op::Write("agreement", "archive"),
        ),
        ("GET", "/projects", Op::List("project")),
        ("GET", "/api/v1/projects", Op::List("project")),
        ("GET", "/projects/{id}", Op::Read("project")),
        ("GET", "/api/v1/projects/{id}", Op::Read("project")),
        ("GET", "/projects/new", Op::NewForm("project")),
        ("POST", "/projects/new", Op::Write("project", "create")),
        ("POST", "/api/v1/projects", Op::Write("project", "create")),
        ("GET", "/projects/{id}/edit", Op::EditForm("project")),
        ("POST", "/projects/{id}/edit", Op::Write("project", "update")),
        ("POST", "/projects/{id}/status", Op::Write("project", "update")),
        ("PUT", "/api/v1/projects/{id}", Op::Write("project", "update")),
        ("PATCH", "/api/v1/projects/{id}", Op::Write("project", "update")),
        ("POST", "/projects/{id}/archive", Op::Write("project", "archive")),
        ("POST", "/projects/{id}/restore", Op::Write("project", "archive")),
        ("POST", "/api/v1/projects/{id}/archive", Op::Write("project", "archive")),
        ("POST", "/api/v1/projects/{id}/restore", Op::Write("project", "archive")),
        ("GET", "/api/v1/projects/{id}/milestones", Op::Read("project")),
        (
            "POST",
            "/api/v1/projects/{id}/milestones",
            Op::Write("milestone", "create"),
        ),
        (
            "GET",
            "/projects/{id}/milestones/new",
            Op::NestedNew("project", "milestone"),
        ),
        (
            "POST",
            "/projects/{id}/milestones/new",
            Op::Write("milestone", "create"),
        ),
        ("GET", "/api/v1/projects/{id}/milestones/{mid}", Op::Read("milestone")),
        (
            "PUT",
            "/api/v1/projects/{id}/milestones/{mid}",
            Op::Write("milestone", "update"),
        ),
        (
            "PATCH",
            "/api/v1/projects/{id}/milestones/{mid}",
            Op::Write("milestone", "update"),
        ),
        (
            "POST",
            "/api/v1/projects/{id}/milestones/{mid}/archive",
            Op::Write("milestone", "archive"),
        ),
        ("GET", "/projects/{id}/milestones/{mid}/edit", Op::EditForm("milestone")),
        (
            "POST",
            "/projects/{id}/milestones/{mid}/edit",
            Op::Write("milestone", "update"),
        ),
        (
            "POST",
            "/projects/{id}/milestones/{mid}/archive",
            Op::Write("milestone", "archive"),
        ),
        ("GET", "/board", Op::Own),
        ("GET", "/api/v1/board", Op::Own),
        ("GET", "/batches", Op::Own),
        ("GET", "/api/v1/batches", Op::Own),
        ("GET", "/batches/{batch}", Op::Own),
        ("GET", "/api/v1/batches/{batch}", Op::Own),
        ("GET", "/batches/new", Op::NewForm("batch")),
        ("POST", "/batches/new", Op::Write("batch", "create")),
        ("POST", "/api/v1/batches", Op::Write("batch", "create")),
        ("PUT", "/api/v1/batches/{batch}", Op::Write("batch", "update")),
        ("PATCH", "/api/v1/batches/{batch}", Op::Write("batch", "update")),
        ("POST", "/batches/{batch}/approve", Op::Write("batch", "update")),
        ("POST", "/api/v1/batches/{batch}/approve", Op::Write("batch", "update")),
        ("GET", "/api/v1/projects/{id}/reports", Op::Read("project")),
        ("POST", "/api/v1/projects/{id}/reports", Op::Write("report", "create")),
        ("GET", "/projects/{id}/reports/new", Op::Read("project")),
        ("POST", "/projects/{id}/reports/new", Op::Write("report", "create")),
        ("GET", "/api/v1/reports/{report}", Op::Read("report")),
        ("POST", "/api/v1/reports/{report}/accept", Op::Write("report", "accept")),
        ("POST", "/reports/{report}/accept", Op::Write("report", "accept")),
        ("GET", "/problems", Op::List("problem")),
        ("GET", "/api/v1/problems", Op::List("problem")),
        ("GET", "/problems/{id}", Op::Read("problem")),
        ("GET", "/api/v1/problems/{id}", Op::Read("problem")),
        ("GET", "/problems/new", Op::NewForm("problem")),
        ("POST", "/problems/new", Op::Write("problem", "create")),
        ("POST", "/api/v1/problems", Op::Write("problem", "create")),
        ("GET", "/problems/{id}/edit", Op::EditForm("problem")),
        ("POST", "/problems/{id}/edit", Op::Write("problem", "update")),
        ("PUT", "/api/v1/problems/{id}", Op::Write("problem", "update")),
        ("PATCH", "/api/v1/problems/{id}", Op::Write("problem", "update")),
        ("POST", "/problems/{id}/status", Op::Write("problem", "update")),
        ("GET", "/api/v1/problems/{id}/comments", Op::Read("problem")),
        (
            "POST",
            "/api/v1/problems/{id}/comments",
            Op::Write("problem", "comment"),
        ),
        ("POST", "/problems/{id}/comments", Op::Write("problem", "comment")),
        ("POST", "/problems/{id}/archive", Op::Write("problem", "archive")),
        ("POST", "/problems/{id}/restore", Op::Write("problem", "archive")),
        ("POST", "/api/v1/problems/{id}/archive", Op::Write("problem", "archive")),
        ("POST", "/api/v1/problems/{id}/restore", Op::Write("problem", "archive")),
        ("GET", "/messages", Op::Own),
        ("GET", "/api/v1/messages/threads", Op::Own),
        ("GET", "/api/v1/messages", Op::Thread),
        ("POST", "/api/v1/messages", Op::Thread),
        ("POST", "/api/v1/messages/read", Op::Thread),
        ("GET", "/api/v1/messages/{id}", Op::Thread),
        ("PATCH", "/api/v1/messages/{id}", Op::Thread),
        ("POST", "/api/v1/messages/{id}/read", Op::Thread),
        ("POST", "/messages", Op::Thread),
        ("GET", "/messages/demand/{id}", Op::Thread),
        ("GET", "/messages/match/{id}", Op::Thread),
        ("GET", "/messages/{id}", Op::Thread),
        ("POST", "/messages/{id}/edit", Op::Thread),
        ("GET", "/bulletins", Op::Own),
        ("GET", "/api/v1/bulletins", Op::Own),
        ("GET", "/bulletins/{bulletin}", Op::Own),
        ("GET", "/api/v1/bulletins/{bulletin}", Op::Own),
        ("GET", "/api/v1/bulletins/{bulletin}/docx", Op::Own),
        ("POST", "/bulletins/new", Op::OfficeOnly),
        ("POST", "/api/v1/bulletins", Op::OfficeOnly),
        ("POST", "/bulletins/{bulletin}/edit", Op::OfficeOnly),
        ("PUT", "/api/v1/bulletins/{bulletin}", Op::OfficeOnly),
        ("PATCH", "/api/v1/bulletins/{bulletin}", Op::OfficeOnly),
        ("POST", "/bulletins/{bulletin}/issue", Op::OfficeOnly),
        ("POST", "/api/v1/bulletins/{bulletin}/issue", Op::OfficeOnly),
        ("GET", "/annual-review", Op::Review),
        ("GET", "/api/v1/annual-review", Op::Review),
        ("GET", "/annual-review/{year}", Op::Review),
        ("GET", "/api/v1/annual-review/{year}", Op::Review),
        ("GET", "/api/v1/annual-review/{year}/docx", Op::Review),
        ("POST", "/annual-review/{year}/edit", Op::Review),
        ("PUT", "/api/v1/annual-review/{year}", Op::Review),
        ("PATCH", "/api/v1/annual-review/{year}", Op::Review),
        ("POST", "/annual-review/{year}/issue", Op::Review),
        ("POST", "/api/v1/annual-review/{year}/issue", Op::Review),
        ("GET", "/api/v1/attachments", Op::Read("project")),
        ("POST", "/api/v1/attachments", Op::Write("attachment", "create")),
        ("POST", "/attachments", Op::Write("attachment", "create")),
        ("GET", "/api/v1/attachments/{id}", Op::Read("attachment")),
        ("GET", "/api/v1/attachments/{id}/content", Op::Read("attachment")),
        (
            "POST",
            "/api/v1/attachments/{id}/archive",
            Op::Write("attachment", "archive"),
        ),
        ("GET", "/campaigns", Op::Own),
        ("GET", "/api/v1/campaigns", Op::Own),
        ("GET", "/campaigns/{campaign}", Op::Own),
        ("GET", "/api/v1/campaigns/{campaign}", Op::Own),
        (
            "GET",
            "/campaigns/{campaign}/edit",
            Op::KeptAs("/api/v1/campaigns/{campaign}"),
        ),
        ("GET", "/campaigns/new", Op::NewForm("campaign")),
        ("POST", "/campaigns/new", Op::Write("campaign", "create")),
        ("POST", "/api/v1/campaigns", Op::Write("campaign", "create")),
        ("POST", "/campaigns/{id}/edit", Op::Write("campaign", "update")),
        ("PUT", "/api/v1/campaigns/{id}", Op::Write("campaign", "update")),
        ("PATCH", "/api/v1/campaigns/{id}", Op::Write("campaign", "update")),
        ("GET", "/api/v1/campaigns/{campaign}/coverage", Op::Own),
        ("POST", "/campaigns/{id}/archive", Op::Write("campaign", "archive")),
        ("POST", "/campaigns/{id}/restore", Op::Write("campaign", "archive")),
        (
            "POST",
            "/api/v1/campaigns/{id}/archive",
            Op::Write("campaign", "archive"),
        ),
        (
            "POST",
            "/api/v1/campaigns/{id}/restore",
            Op::Write("campaign", "archive"),
        ),
        ("GET", "/platforms", Op::Own),
        ("GET", "/api/v1/platforms", Op::Own),
        ("GET", "/api/v1/platforms/counts", Op::Own),
        ("GET", "/platforms/{platform}", Op::Own),
        ("GET", "/api/v1/platforms/{platform}", Op::Own),
        ("GET", "/platforms/new", Op::NewForm("platform")),
        ("POST", "/platforms/new", Op::Write("platform", "create")),
        ("POST", "/api/v1/platforms", Op::Write("platform", "create")),
        (
            "GET",
            "/platforms/{platform}/edit",
            Op::KeptAs("/api/v1/platforms/{platform}"),
        ),
        ("POST", "/platforms/{id}/edit", Op::Write("platform", "update")),
        ("PUT", "/api/v1/platforms/{id}", Op::Write("platform", "update")),
        ("PATCH", "/api/v1/platforms/{id}", Op::Write("platform", "update")),
        ("POST", "/platforms/{id}/archive", Op::Write("platform", "archive")),
        ("POST", "/platforms/{id}/restore", Op::Write("platform", "archive")),
        (
            "POST",
            "/api/v1/platforms/{id}/archive",
            Op::Write("platform", "archive"),
        ),
        (
            "POST",
            "/api/v1/platforms/{id}/restore",
            Op::Write("platform", "archive"),
        ),
        ("GET", "/api/v1/platforms/{platform}/people", Op::Own),
        ("POST", "/api/v1/platforms/{id}/people", Op::Write("station", "update")),
        (
            "POST",
            "/api/v1/platforms/{id}/people/{pid}/remove",
            Op::Write("station", "update"),
        ),
        (
            "GET",
            "/platforms/{platform}/people/new",
            Op::KeptAs("/api/v1/platforms/{platform}"),
        ),
        ("POST", "/platforms/{id}/people/new", Op::Write("station", "update")),
        (
            "POST",
            "/platforms/{id}/people/{pid}/remove",
            Op::Write("station", "update"),
        ),
        ("GET", "/api/v1/platforms/{platform}/evaluations", Op::Own),
        (
            "POST",
            "/api/v1/platforms/{id}/evaluations",
            Op::Write("evaluation", "create"),
        ),
        ("GET", "/api/v1/platforms/{platform}/evaluations/{eval}", Op::Own),
        (
            "PUT",
            "/api/v1/platforms/{id}/evaluations/{eid}",
            Op::Write("evaluation", "update"),
        ),
        (
            "PATCH",
            "/api/v1/platforms/{id}/evaluations/{eid}",
            Op::Write("evaluation", "update"),
        ),
        ("GET", "/platforms/{id}/evaluations/new", Op::NewForm("evaluation")),
        (
            "POST",
            "/platforms/{id}/evaluations/new",
            Op::Write("evaluation", "create"),
        ),
        ("GET", "/results", Op::Own),
        ("GET", "/api/v1/results", Op::Own),
        ("GET", "/results/{result}", Op::Own),
        ("GET", "/api/v1/results/{result}", Op::Own),
        ("GET", "/results/{result}/edit", Op::KeptAs("/api/v1/results/{result}")),
        ("GET", "/results/new", Op::NewForm("result")),
        ("POST", "/results/new", Op::Write("result", "create")),
        ("POST", "/api/v1/results", Op::Write("result", "create")),
        ("POST", "/results/{id}/edit", Op::Write("result", "update")),
        ("PUT", "/api/v1/results/{id}", Op::Write("result", "update")),
        ("PATCH", "/api/v1/results/{id}", Op::Write("result", "update")),
        ("POST", "/results/{id}/archive", Op::Write("result", "archive")),
        ("POST", "/results/{id}/restore", Op::Write("result", "archive")),
        ("POST", "/api/v1/results/{id}/archive", Op::Write("result", "archive")),
        ("POST", "/api/v1/results/{id}/restore", Op::Write("result", "archive")),
        ("GET", "/works", Op::List("work")),
        ("GET", "/api/v1/works", Op::List("work")),
        ("GET", "/works/{id}", Op::Read("work")),
        ("GET", "/api/v1/works/{id}", Op::Read("work")),
        ("GET", "/works/{id}/edit", Op::EditForm("work")),
        ("GET", "/works/new", Op::NewForm("work")),
        ("POST", "/works/new", Op::Write("work", "create")),
        ("POST", "/api/v1/works", Op::Write("work", "create")),
        ("POST", "/works/{id}/edit", Op::Write("work", "update")),
        ("PUT", "/api/v1/works/{id}", Op::Write("work", "update")),
        ("PATCH", "/api/v1/works/{id}", Op::Write("work", "update")),
        ("POST", "/works/{id}/archive", Op::Write("work", "archive")),
        ("POST", "/works/{id}/restore", Op::Write("work", "archive")),
        ("POST", "/api/v1/works/{id}/archive", Op::Write("work", "archive")),
        ("POST", "/api/v1/works/{id}/restore", Op::Write("work", "archive")),
        ("GET", "/demands", Op::List("demand")),
        ("GET", "/api/v1/demands", Op::List("demand")),
        ("GET", "/demands/{id}", Op::Read("demand")),
        ("GET", "/api/v1/demands/{id}", Op::Read("demand")),
        ("GET", "/demands/{id}/edit", Op::EditForm("demand")),
        ("GET", "/demands/new", Op::NewForm("demand")),
        ("POST", "/demands/new", Op::Write("demand", "create")),
        ("POST", "/api/v1/demands", Op::Write("demand", "create")),
        ("POST", "/demands/{id}/edit", Op::Write("demand", "update")),
        ("PUT", "/api/v1/demands/{id}", Op::Write("demand", "update")),
        ("PATCH", "/api/v1/demands/{id}", Op::Write("demand", "update")),
        ("GET", "/api/v1/demands/{id}/reviews", Op::Read("demand")),
        ("GET", "/api/v1/demands/{id}/duplicates", Op::Read("demand")),
        ("GET", "/api/v1/demands/{id}/loop", Op::Read("demand")),
        ("GET", "/api/v1/funnel", Op::Own),
        ("GET", "/api/v1/funnel/results", Op::Own),
        ("GET", "/api/v1/funnel/waiting", Op::Own),
        ("GET", "/funnel", Op::Own),
        ("GET", "/demands/{id}/review", Op::Read("demand")),
        ("GET", "/demands/{id}/close", Op::Read("demand")),
        ("GET", "/demands/{id}/project", Op::Read("demand")),
        ("GET", "/demands/{id}/merge", Op::Read("demand")),
        ("POST", "/api/v1/demands/{id}/submit", Op::Write("demand", "submit")),
        ("POST", "/demands/{id}/submit", Op::Write("demand", "submit")),
        ("POST", "/api/v1/demands/{id}/review", Op::Write("demand", "review")),
        ("POST", "/demands/{id}/review", Op::Write("demand", "review")),
        ("POST", "/api/v1/demands/{id}/step", Op::Write("demand", "close")),
        ("POST", "/demands/{id}/step", Op::Write("demand", "close")),
        ("POST", "/demands/{id}/close", Op::Write("demand", "close")),
        ("POST", "/demands/{id}/project", Op::Write("demand", "project")),
        ("POST", "/api/v1/demands/{id}/merge", Op::Write("demand", "merge")),
        ("POST", "/demands/{id}/merge", Op::Write("demand", "merge")),
        ("GET", "/demands/import", Op::Own),
        ("GET", "/demands/import/template", Op::Own),
        ("POST", "/api/v1/demands/import", Op::Write("demand", "create")),
        ("POST", "/demands/import", Op::Write("demand", "create")),
        ("GET", "/projects/import", Op::Own),
        ("GET", "/projects/import/template", Op::Own),
        ("GET", "/api/v1/projects/import/template", Op::Own),
        ("POST", "/api/v1/projects/import", Op::Write("project", "create")),
        ("POST", "/projects/import", Op::Write("project", "create")),
        ("GET", "/stats", Op::Staff),
        ("GET", "/api/v1/stats", Op::Staff),
        ("GET", "/dashboard", Op::Staff),
        ("GET", "/scorecards", Op::Own),
        ("GET", "/api/v1/scorecards", Op::Own),
        ("GET", "/scorecards/{id}", Op::Read("organization")),
        ("GET", "/api/v1/scorecards/{id}", Op::Read("organization")),
        ("POST", "/demands/{id}/archive", Op::Write("demand", "archive")),
        ("POST", "/demands/{id}/restore", Op::Write("demand", "archive")),
        ("POST", "/api/v1/demands/{id}/archive", Op::Write("demand", "archive")),
        ("POST", "/api/v1/demands/{id}/restore", Op::Write("demand", "archive")),
        ("GET", "/api/v1/demands/{id}/matches", Op::Read("demand")),
        ("POST", "/api/v1/demands/{id}/matches", Op::Write("demand", "review")),
        ("GET", "/demands/{id}/matches/confirm", Op::Read("demand")),
        ("POST", "/demands/{id}/matches/confirm", Op::Write("demand", "review")),
        ("GET", "/api/v1/matches/{id}", Op::Read("match")),
        ("GET", "/matches/{id}/status", Op::Read("match")),
        ("POST", "/api/v1/matches/{id}/status", Op::Write("match", "update")),
        ("POST", "/matches/{id}/status", Op::Write("match", "update")),
        ("GET", "/outcomes", Op::List("outcome")),
        ("GET", "/api/v1/outcomes", Op::List("outcome")),
        ("GET", "/api/v1/outcomes/totals", Op::Own),
        ("GET", "/outcomes/{id}", Op::Read("outcome")),
        ("GET", "/api/v1/outcomes/{id}", Op::Read("outcome")),
        ("GET", "/outcomes/new", Op::NewForm("outcome")),
        ("POST", "/outcomes/new", Op::Write("outcome", "create")),
        ("POST", "/api/v1/outcomes", Op::Write("outcome", "create")),
        ("GET", "/outcomes/{id}/edit", Op::EditForm("outcome")),
        ("POST", "/outcomes/{id}/edit", Op::Write("outcome", "update")),
        ("PUT", "/api/v1/outcomes/{id}", Op::Write("outcome", "update")),
        ("PATCH", "/api/v1/outcomes/{id}", Op::Write("outcome", "update")),
        ("POST", "/api/v1/outcomes/{id}/confirm", Op::Write("outcome", "confirm")),
        ("POST", "/outcomes/{id}/confirm", Op::Write("outcome", "confirm")),
        ("POST", "/api/v1/outcomes/{id}/return", Op::Write("outcome", "confirm")),
        ("POST", "/outcomes/{id}/return", Op::Write("outcome", "confirm")),
        ("POST", "/outcomes/{id}/archive", Op::Write("outcome", "archive")),
        ("POST", "/outcomes/{id}/restore", Op::Write("outcome", "archive")),
        ("POST", "/api/v1/outcomes/{id}/archive", Op::Write("outcome", "archive")),
        ("POST", "/api/v1/outcomes/{id}/restore", Op::Write("outcome", "archive")),
        // Meetings are read by every organisation-wide role and by those who attended; decisions
        // with them. A decision is kept by the meeting's organiser's scope, its progress also by
        // its owner unit; handing it over needs the right to create the project or the problem.
        ("GET", "/events", Op::Own),
        ("GET", "/api/v1/events", Op::Own),
        ("GET", "/events/{event}", Op::Own),
        ("GET", "/api/v1/events/{event}", Op::Own),
        ("GET", "/api/v1/events/{event}/decisions", Op::Own),
        ("GET", "/events/new", Op::NewForm("event")),
        ("POST", "/events/new", Op::Write("event", "create")),
        ("POST", "/api/v1/events", Op::Write("event", "create")),
        ("GET", "/events/{event}/edit", Op::KeptAs("/api/v1/events/{event}")),
        ("POST", "/events/{id}/edit", Op::Write("event", "update")),
        ("PUT", "/api/v1/events/{id}", Op::Write("event", "update")),
        ("PATCH", "/api/v1/events/{id}", Op::Write("event", "update")),
        ("POST", "/events/{id}/archive", Op::Write("event", "archive")),
        ("POST", "/events/{id}/restore", Op::Write("event", "archive")),
        ("POST", "/api/v1/events/{id}/archive", Op::Write("event", "archive")),
        ("POST", "/api/v1/events/{id}/restore", Op::Write("event", "archive")),
        ("GET", "/decisions", Op::Own),
        ("GET", "/api/v1/decisions", Op::Own),
        ("GET", "/decisions/{decision}", Op::Own),
        ("GET", "/api/v1/decisions/{decision}", Op::Own),
        ("GET", "/decisions/new", Op::NewForm("decision")),
        ("POST", "/decisions/new", Op::Write("decision", "create")),
        ("POST", "/api/v1/decisions", Op::Write("decision", "create")),
        (
            "GET",
            "/decisions/{decision}/edit",
            Op::KeptAs("/api/v1/decisions/{decision}"),
        ),
        ("POST", "/decisions/{id}/edit", Op::Write("decision", "update")),
        ("PUT", "/api/v1/decisions/{id}", Op::Write("decision", "update")),
        ("PATCH", "/api/v1/decisions/{id}", Op::Write("decision", "update")),
        ("POST", "/decisions/{id}/progress", Op::Write("decision", "update")),
        (
            "POST",
            "/api/v1/decisions/{id}/progress",
            Op::Write("decision", "update"),
        ),
        ("POST", "/decisions/{id}/archive", Op::Write("decision", "archive")),
        ("POST", "/decisions/{id}/restore", Op::Write("decision", "archive")),
        (
            "POST",
            "/api/v1/decisions/{id}/archive",
            Op::Write("decision", "archive"),
        ),
        (
            "POST",
            "/api/v1/decisions/{id}/restore",
            Op::Write("decision", "archive"),
        ),
        ("GET", "/decisions/{id}/project", Op::Write("handover", "update")),
        ("POST", "/decisions/{id}/project", Op::Write("handover", "update")),
        (
            "POST",
            "/api/v1/decisions/{id}/project",
            Op::Write("handover", "update"),
        ),
        (
            "GET",
            "/decisions/{id}/problem",
            Op::Write("handover_problem", "update"),
        ),
        (
            "POST",
            "/decisions/{id}/problem",
            Op::Write("handover_problem", "update"),
        ),
        (
            "POST",
            "/api/v1/decisions/{id}/problem",
            Op::Write("handover_problem", "update"),
        ),
        ("GET", "/trainings", Op::List("training")),
        ("GET", "/api/v1/trainings", Op::List("training")),
        ("GET", "/trainings/counts", Op::Own),
        ("GET", "/api/v1/trainings/counts", Op::Own),
        ("GET", "/trainings/template", Op::Own),
        ("GET", "/trainings/{id}", Op::Read("training")),
        ("GET", "/api/v1/trainings/{id}", Op::Read("training")),
        ("GET", "/api/v1/trainings/{id}/participants", Op::Read("training")),
        ("GET", "/trainings/new", Op::NewForm("training")),
        ("POST", "/trainings/new", Op::Write("training", "create")),
        ("POST", "/api/v1/trainings", Op::Write("training", "create")),
        ("GET", "/trainings/{id}/edit", Op::EditForm("training")),
        ("POST", "/trainings/{id}/edit", Op::Write("training", "update")),
        ("PUT", "/api/v1/trainings/{id}", Op::Write("training", "update")),
        ("PATCH", "/api/v1/trainings/{id}", Op::Write("training", "update")),
        ("POST", "/trainings/{id}/archive", Op::Write("training", "archive")),
        ("POST", "/trainings/{id}/restore", Op::Write("training", "archive")),
        (
            "POST",
            "/api/v1/trainings/{id}/archive",
            Op::Write("training", "archive"),
        ),
        (
            "POST",
            "/api/v1/trainings/{id}/restore",
            Op::Write("training", "archive"),
        ),
        ("GET", "/trainings/{id}/participants/import", Op::EditForm("training")),
        (
            "POST",
            "/api/v1/trainings/{id}/participants",
            Op::Write("participant", "update"),
        ),
        (
            "POST",
            "/api/v1/trainings/{id}/participants/{part}/attendance",
            Op::Write("participant", "update"),
        ),
        (
            "POST",
            "/api/v1/trainings/{id}/participants/import",
            Op::Write("participant", "update"),
        ),
        (
            "POST",
            "/trainings/{id}/participants/import",
            Op::Write("participant", "update"),
        ),
        (
            "POST",
            "/api/v1/trainings/{id}/participants/{part2}/remove",
            Op::Write("participant", "update"),
        ),
        (
            "POST",
            "/trainings/{id}/participants/{part}/remove",
            Op::Write("participant", "update"),
        ),
        ("GET", "/search", Op::Own),
        ("GET", "/api/v1/search", Op::Own),
        ("GET", "/metrics", Op::OfficeOnly),
        ("GET", "/chief-experts", Op::List("chief")),
        ("GET", "/api/v1/chief-experts", Op::List("chief")),
        ("GET", "/chief-experts/{id}", Op::Read("chief")),
        ("GET", "/api/v1/chief-experts/{id}", Op::Read("chief")),
        ("GET", "/api/v1/chief-experts/{id}/tally", Op::Read("chief")),
        ("GET", "/api/v1/chief-experts/{id}/demands", Op::Read("chief")),
        ("GET", "/chief-experts/new", Op::NewForm("chief")),
        ("POST", "/chief-experts/new", Op::Write("chief", "create")),
        ("POST", "/api/v1/chief-experts", Op::Write("chief", "create")),
        ("GET", "/chief-experts/{id}/edit", Op::EditForm("chief")),
        ("POST", "/chief-experts/{id}/edit", Op::Write("chief", "update")),
        ("PUT", "/api/v1/chief-experts/{id}", Op::Write("chief", "update")),
        ("PATCH", "/api/v1/chief-experts/{id}", Op::Write("chief", "update")),
        ("POST", "/chief-experts/{id}/archive", Op::Write("chief", "archive")),
        ("POST", "/chief-experts/{id}/restore", Op::Write("chief", "archive")),
        (
            "POST",
            "/api/v1/chief-experts/{id}/archive",
            Op::Write("chief", "archive"),
        ),
        (
            "POST",
            "/api/v1/chief-experts/{id}/restore",
            Op::Write("chief", "archive"),
        ),
        ("GET", "/service-log", Op::List("servicelog")),
        ("GET", "/api/v1/service-log", Op::List("servicelog")),
        ("GET", "/service-log/{id}", Op::Read("servicelog")),
        ("GET", "/api/v1/service-log/{id}", Op::Read("servicelog")),
        ("GET", "/service-log/new", Op::NewForm("servicelog")),
        ("POST", "/service-log/new", Op::Write("servicelog", "create")),
        ("POST", "/api/v1/service-log", Op::Write("servicelog", "create")),
        ("GET", "/service-log/{id}/edit", Op::EditForm("servicelog")),
        ("POST", "/service-log/{id}/edit", Op::Write("servicelog", "update")),
        ("PUT", "/api/v1/service-log/{id}", Op::Write("servicelog", "update")),
        ("PATCH", "/api/v1/service-log/{id}", Op::Write("servicelog", "update")),
        ("POST", "/service-log/{id}/archive", Op::Write("servicelog", "archive")),
        ("POST", "/service-log/{id}/restore", Op::Write("servicelog", "archive")),
        (
            "POST",
            "/api/v1/service-log/{id}/archive",
            Op::Write("servicelog", "archive"),
        ),
        (
            "POST",
            "/api/v1/service-log/{id}/restore",
            Op::Write("servicelog", "archive"),
        ),
        // Secondments (挂职) and the secondees' reports.
        ("GET", "/secondments", Op::List("secondment")),
        ("GET", "/api/v1/secondments", Op::List("secondment")),
        ("GET", "/api/v1/secondments/counts", Op::Own),
        ("GET", "/secondments/{id}", Op::Read("secondment")),
        ("GET", "/api/v1/secondments/{id}", Op::Read("secondment")),
        ("GET", "/secondments/new", Op::NewForm("secondment")),
        ("POST", "/secondments/new", Op::Write("secondment", "create")),
        ("POST", "/api/v1/secondments", Op::Write("secondment", "create")),
        ("GET", "/secondments/{id}/edit", Op::EditForm("secondment")),
        ("POST", "/secondments/{id}/edit", Op::Write("secondment", "update")),
        ("PUT", "/api/v1/secondments/{id}", Op::Write("secondment", "update")),
        ("PATCH", "/api/v1/secondments/{id}", Op::Write("secondment", "update")),
        ("POST", "/secondments/{id}/status", Op::Write("secondment", "update")),
        (
            "POST",
            "/api/v1/secondments/{id}/status",
            Op::Write("secondment", "update"),
        ),
        ("POST", "/secondments/{id}/appraisal", Op::Write("secondment", "update")),
        (
            "POST",
            "/api/v1/secondments/{id}/appraisal",
            Op::Write("secondment", "update"),
        ),
        ("POST", "/secondments/{id}/archive", Op::Write("secondment", "archive")),
        ("POST", "/secondments/{id}/restore", Op::Write("secondment", "archive")),
        (
            "POST",
            "/api/v1/secondments/{id}/archive",
            Op::Write("secondment", "archive"),
        ),
        (
            "POST",
            "/api/v1/secondments/{id}/restore",
            Op::Write("secondment", "archive"),
        ),
        ("GET", "/api/v1/secondments/{id}/periods", Op::Read("secondment")),
        ("GET", "/webhooks", Op::List("webhook")),
        ("GET", "/api/v1/webhooks", Op::List("webhook")),
        ("GET", "/webhooks/{id}", Op::Read("webhook")),
        ("GET", "/api/v1/webhooks/{id}", Op::Read("webhook")),
        ("GET", "/api/v1/webhooks/{id}/deliveries", Op::Read("webhook")),
        ("GET", "/webhooks/new", Op::NewForm("webhook")),
        ("POST", "/webhooks/new", Op::Write("webhook", "create")),
        ("POST", "/api/v1/webhooks", Op::Write("webhook", "create")),
        ("GET", "/webhooks/{id}/edit", Op::EditForm("webhook")),
        ("POST", "/webhooks/{id}/edit", Op::Write("webhook", "update")),
        ("PUT", "/api/v1/webhooks/{id}", Op::Write("webhook", "update")),
        ("PATCH", "/api/v1/webhooks/{id}", Op::Write("webhook", "update")),
        // A test post: whoever may edit the webhook.
        ("POST", "/webhooks/{id}/test", Op::Write("webhook", "update")),
        ("POST", "/api/v1/webhooks/{id}/test", Op::Write("webhook", "update")),
        ("POST", "/webhooks/{id}/archive", Op::Write("webhook", "archive")),
        ("POST", "/webhooks/{id}/restore", Op::Write("webhook", "archive")),
        ("POST", "/api/v1/webhooks/{id}/archive", Op::Write("webhook", "archive")),
        ("POST", "/api/v1/webhooks/{id}/restore", Op::Write("webhook", "archive")),
        ("GET", "/api/v1/secondments/{id}/reports", Op::Read("secondment")),
        (
            "POST",
            "/api/v1/secondments/{id}/reports",
            Op::Write("sreport", "create"),
        ),
        (
            "GET",
            "/secondments/{id}/reports/new",
            Op::NestedNew("secondment", "sreport"),
        ),
        ("POST", "/secondments/{id}/reports/new", Op::Write("sreport", "create")),
        ("GET", "/api/v1/secondment-reports/{id}", Op::Read("secondment_report")),
        ("GET", "/groups", Op::Own),
        ("GET", "/api/v1/groups", Op::Own),
        ("GET", "/groups/roster", Op::Own),
        ("GET", "/api/v1/groups/roster", Op::Own),
        ("GET", "/groups/{group}", Op::Own),
        ("GET", "/api/v1/groups/{group}", Op::Own),
        ("GET", "/groups/new", Op::NewForm("group")),
        ("POST", "/groups/new", Op::Write("group", "create")),
        ("POST", "/api/v1/groups", Op::Write("group", "create")),
        ("GET", "/groups/{group}/edit", Op::KeptAs("/api/v1/groups/{group}")),
        ("POST", "/groups/{id}/edit", Op::Write("group", "update")),
        ("PUT", "/api/v1/groups/{id}", Op::Write("group", "update")),
        ("PATCH", "/api/v1/groups/{id}", Op::Write("group", "update")),
        ("POST", "/groups/{id}/archive", Op::Write("group", "archive")),
        ("POST", "/groups/{id}/restore", Op::Write("group", "archive")),
        ("POST", "/api/v1/groups/{id}/archive", Op::Write("group", "archive")),
        ("POST", "/api/v1/groups/{id}/restore", Op::Write("group", "archive")),
        ("GET", "/api/v1/groups/{group}/members", Op::Own),
        ("POST", "/api/v1/groups/{id}/members", Op::Write("member", "update")),
        (
            "GET",
            "/groups/{group}/members/new",
            Op::KeptAs("/api/v1/groups/{group}"),
        ),
        ("POST", "/groups/{id}/members/new", Op::Write("member", "update")),
        (
            "POST",
            "/api/v1/groups/{id}/members/{gm}/end",
            Op::Write("member", "update"),
        ),
        (
            "GET",
            "/groups/{group}/members/{gma}/end",
            Op::KeptAs("/api/v1/groups/{group}"),
        ),
        ("POST", "/groups/{id}/members/{gm}/end", Op::Write("member", "update")),
        (
            "POST",
            "/api/v1/groups/{id}/members/{gmx}/remove",
            Op::Write("member", "update"),
        ),
        (
            "POST",
            "/groups/{id}/members/{gmy}/remove",
            Op::Write("member", "update"),
        ),
    ];

    /// What each role may change inside its scope — product.md, "Who may see what", as a table.
    pub fn may_write(role: Role, kind: &str, action: &str) -> bool {
        match role {
            Role::Office => true,
            // The year's list, accepting reports and reviewing demands are the office's.
            Role::Coordinator => !matches!(
                (kind, action),
                ("batch", _)
                    | ("notice", _)
                    | ("report", "accept")
                    | ("demand", "review" | "project" | "merge")
                    | ("match", _)
                    | ("evaluation", _)
                    | ("outcome", "confirm")
            ),
            Role::Leader => false,
            Role::Unit => matches!(
                (kind, action),
                ("milestone", "create" | "update")
                    | ("attachment", _)
                    | ("report", "create")
                    | ("problem", "create" | "comment")
                    // Its own outcomes; the fixture's is the enterprise's, which the unit only counts in.
                    | ("outcome", "create")
                    // Reporting on the decisions it owns, and raising one as a problem.
                    | ("decision", "update")
                    | ("handover_problem", _)
                    // Its own robots and webhooks.
                    | ("webhook", _)
            ),
            Role::Enterprise => matches!(
                (kind, action),
                ("organization", "update")
                    | ("person", "create" | "update")
                    | ("attachment", _)
                    | ("report", "create")
                    | ("problem", "create" | "comment")
                    | ("demand", "create" | "update" | "submit" | "close")
                    | ("outcome", "create" | "update")
            ),
            Role::Expert => matches!(
                (kind, action),
                ("person", "update")
                    | ("attachment", _)
                    | ("problem", "comment")
                    | ("work", _)
                    | ("result", "create" | "update")
                    | ("match", "update")
                    // A chief expert keeps their own service log.
                    | ("servicelog", "create" | "update")
                    // A secondee reports on their own secondment.
                    | ("sreport", "create")
            ),
        }
    }

    /// Which fixture records each role sees, by kind: (inside, outside).
    pub fn ids(f: &Fixture, kind: &str) -> (i64, i64) {
        match kind {
            "organization" => (f.ent_a, f.ent_b),
            "person" => (f.person_a, f.person_b),
            "agreement" => (f.agreement_a, f.agreement_b),
            "project" | "milestone" | "attachment" | "report" => (f.project_a, f.project_b),
            "problem" => (f.problem_a, f.problem_b),
            "batch" => (f.batch_x, f.batch_y),
            "campaign" => (f.campaign_a, f.campaign_b),
            "demand" => (f.demand_a, f.demand_b),
            "result" => (f.result_a, f.result_b),
            "work" => (f.work_a, f.work_b),
            "match" => (f.match_a, f.match_b),
            "platform" | "station" | "evaluation" => (f.platform_a, f.platform_b),
            "outcome" => (f.outcome_a, f.outcome_b),
            "event" => (f.event_a, f.event_b),
            "decision" | "handover" | "handover_problem" => (f.decision_a, f.decision_b),
            "training" | "participant" => (f.training_a, f.training_b),
            "chief" => (f.chief_a, f.chief_b),
            "servicelog" => (f.log_a, f.log_b),
            "secondment" | "sreport" => (f.secondment_a, f.secondment_b),
            "webhook" => (f.webhook_a, f.webhook_b),
            "secondment_report" => (f.sreport_a, f.sreport_b),
            "group" | "member" => (f.group_a, f.group_b),
            "notice" => (f.notice_a, f.notice_b),
            _ => (0, 0),
        }
    }
}

use matrix::{MATRIX, Op, fixture, ids, may_write};

/// The scoped users of the matrix, anchored inside the `a` side, and what each sees of it.
async fn matrix_users(app: &TestApp, f: &matrix::Fixture) -> Vec<(Role, Session, Vec<&'static str>)> {
    vec![
        (
            Role::Office,
            app.office.clone(),
            vec![
                "organization",
                "person",
                "agreement",
                "project",
                "milestone",
                "attachment",
                "report",
                "problem",
                "campaign",
                "demand",
                "result",
                "work",
                "match",
                "outcome",
                "secondment",
                "secondment_report",
            ],
        ),
        (
            Role::Leader,
            app.user("leader", Role::Leader, None, None).await,
            vec![
                "organization",
                "person",
                "agreement",
                "project",
                "milestone",
                "attachment",
                "report",
                "problem",
                "campaign",
                "demand",
                "result",
                "work",
                "match",
                "outcome",
                "secondment",
                "secondment_report",
            ],
        ),
        // The county's coordinator reaches the county and the enterprise under it, their agreement and project.
        (
            Role::Coordinator,
            app.user("coordinator", Role::Coordinator, Some(f.county_a), None).await,
            vec![
                "organization",
                "agreement",
                "project",
                "milestone",
                "attachment",
                "report",
                "problem",
                "campaign",
                "demand",
                "result",
                "match",
                "platform",
                "station",
                "outcome",
                "event",
                "decision",
                "handover",
                "handover_problem",
                "training",
                "participant",
                "chief",
                "servicelog",
                "secondment",
                "secondment_report",
                "group",
                "member",
            ],
        ),
        // The enterprise, its own organisation and the project it leads.
        (
            Role::Enterprise,
            app.user("enterprise", Role::Enterprise, Some(f.ent_a), None).await,
            vec![
                "organization",
                "project",
                "milestone",
                "attachment",
                "report",
                "problem",
                "demand",
                "match",
                "outcome",
                "training",
            ],
        ),
        // The college as co-unit: its people, its agreement, the project it co-leads.
        (
            Role::Unit,
            app.user("unit", Role::Unit, Some(f.college_a), None).await,
            vec![
                "person",
                "agreement",
                "project",
                "milestone",
                "attachment",
                "report",
                "problem",
                "work",
                "outcome",
                "decision",
                "handover_problem",
                "training",
                // Its own webhook.
                "webhook",
                // The appointment of the college's expert.
                "chief",
                "servicelog",
                "secondment",
                "secondment_report",
            ],
        ),
        // The expert: their own profile and the project they are responsible for.
        (
            Role::Expert,
            app.user("expert", Role::Expert, None, Some(f.person_a)).await,
            vec![
                "person",
                "project",
                "milestone",
                "attachment",
                "report",
                "problem",
                "result",
                "work",
                "demand",
                "match",
                "outcome",
                "training",
                "chief",
                "servicelog",
                "secondment",
                "secondment_report",
            ],
        ),
    ]
}

fn fill(path: &str, f: &matrix::Fixture, kind: &str, inside: bool) -> String {
    let (a, b) = ids(f, kind);
    let id = if inside { a } else { b };
    let (mid, att) = if inside {
        (f.milestone_a, f.attachment_a)
    } else {
        (f.milestone_b, f.attachment_b)
    };
    let id = if kind == "attachment" && path.contains("/attachments/") {
        att
    } else {
        id
    };
    path.replace("{id}", &id.to_string())
        .replace("{mid}", &mid.to_string())
        .replace("{token}", &f.token_id.to_string())
        .replace("{batch}", &if inside { f.batch_x } else { f.batch_y }.to_string())
        .replace("{report}", &if inside { f.report_a } else { f.report_b }.to_string())
        .replace("{bulletin}", &f.bulletin.to_string())
        .replace("{year}", "2026")
        .replace("{user}", &f.user_id.to_string())
        .replace("{campaign}", &f.campaign_a.to_string())
        .replace("{result}", &f.result_a.to_string())
        .replace("{platform}", &f.platform_a.to_string())
        .replace("{eval}", &f.eval_a.to_string())
        .replace("{eid}", &if inside { f.eval_a } else { f.eval_b }.to_string())
        .replace("{pid}", &f.person_c.to_string())
        .replace("{event}", &f.event_a.to_string())
        .replace("{decision}", &f.decision_a.to_string())
        .replace("{part}", &if inside { f.part_a.0 } else { f.part_b.0 }.to_string())
        .replace("{part2}", &if inside { f.part_a.1 } else { f.part_b.1 }.to_string())
        .replace("{group}", &f.group_a.to_string())
        .replace("{notice}", &f.notice_a.to_string())
        .replace("{gma}", &f.members_a[0].to_string())
        .replace(
            "{gm}",
            &if inside { f.members_a[0] } else { f.members_b[0] }.to_string(),
        )
        .replace(
            "{gmx}",
            &if inside { f.members_a[1] } else { f.members_b[1] }.to_string(),
        )
        .replace(
            "{gmy}",
            &if inside { f.members_a[2] } else { f.members_b[2] }.to_string(),
        )
}

/// Numbers the participants the matrix adds, so that no two are the same person.
static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A body that would be accepted from the office, so that only access decides the answer.
fn body_for(role: Role, kind: &str, f: &matrix::Fixture, inside: bool) -> Vec<(String, String)> {
    let pick = |a: i64, b: i64| if inside { a } else { b }.to_string();
    let v: Vec<(&str, String)> = match kind {
        "organization" => vec![
            ("kind", "enterprise".into()),
            ("name", "改名企业".into()),
            (
                "credit_code",
                if inside {
                    "12100000470095016Q"
                } else {
                    "91330825MA28F0XX0F"
                }
                .into(),
            ),
            ("industry_code", "C26".into()),
            ("parent_id", pick(f.county_a, f.county_b)),
        ],
        // A person belongs where the role reaches: the enterprise itself, or the college.
        "person" => {
            let home = if matches!(role, Role::Enterprise | Role::Coordinator) {
                f.ent_a
            } else {
                f.college_a
            };
            vec![("name", "新人员".into()), ("organization_id", pick(home, f.ent_b))]
        }
        "agreement" => vec![
            ("title", "新协议".into()),
            ("kind", "county_college".into()),
            ("signed_on", "2008-01-01".into()),
            ("party_ids", pick(f.county_a, f.ent_b)),
            ("party_ids", pick(f.college_a, f.county_b)),
        ],
        "project" => vec![
            ("title", "新项目".into()),
            ("kind", "research".into()),
            ("batch_year", "2026".into()),
            ("lead_unit_id", pick(f.ent_a, f.ent_b)),
            ("start_on", "2026-01-01".into()),
            ("end_on", "2026-12-31".into()),
            ("batch_id", f.batch.to_string()),
        ],
        "milestone" => vec![("title", "验收".into()), ("due_on", "2026-11-01".into())],
        "batch" => vec![
            ("title", "清单".into()),
            ("year", "2027".into()),
            ("cadence", "monthly".into()),
            ("report_due_day", "5".into()),
        ],
        "report" => vec![
            ("period", "2026-06".into()),
            ("done_text", "本月完成样品检测".into()),
            ("percent", "55".into()),
        ],
        "problem" => vec![
            ("project_id", pick(f.project_a, f.project_b)),
            ("title", "场地问题".into()),
            ("owner_id", f.county_a.to_string()),
        ],
        "match" => vec![("status", "accepted".into())],
        "platform" => vec![
            ("name", "新平台".into()),
            ("kind", "key_lab".into()),
            ("level", "city".into()),
            ("host_ids", pick(f.ent_a, f.ent_b)),
        ],
        "station" => vec![("person_id", f.person_c.to_string()), ("role", "驻站博士".into())],
        "evaluation" => vec![("year", "2024".into()), ("grade", "pass".into())],
        // A county's coordinator keeps webhooks of its subtree (the enterprise under it), a unit its own.
        "webhook" => vec![
            ("name", "新群机器人".into()),
            ("kind", "dingtalk".into()),
            ("url", "http://127.0.0.1:9/robot/send?access_token=new".into()),
            ("secret", "SECnew".into()),
            ("events", "flag_red".into()),
            (
                "organization_id",
                pick(
                    if role == Role::Coordinator {
                        f.ent_a
                    } else {
                        f.college_a
                    },
                    f.county_b,
                ),
            ),
        ],
        "group" => vec![
            ("name", "新合作小组".into()),
            ("kind", "partnership".into()),
            ("agreement_id", pick(f.agreement_a, f.agreement_b)),
        ],
        "member" => vec![
            ("person_id", f.person_c.to_string()),
            ("post", "联络员".into()),
            ("from_on", "2024-01-01".into()),
            ("to_on", "2026-05-31".into()),
        ],
        "campaign" => vec![
            ("title", "技术难题征集".into()),
            ("organizer_id", pick(f.county_a, f.county_b)),
            ("starts_on", "2026-03-01".into()),
            ("ends_on", "2026-12-31".into()),
        ],
        // One body for every demand endpoint: the record, a review, a close, a merge, a project.
        "demand" => vec![
            ("title", "新需求".into()),
            ("summary", "技术难题".into()),
            ("enterprise_id", pick(f.ent_a, f.ent_b)),
            ("decision", "pass".into()),
            ("action", "close".into()),
            ("comment", "企业已自行解决".into()),
            ("into", f.demand_c.to_string()),
            ("project_id", pick(f.project_a, f.project_b)),
            ("person_id", f.person_a.to_string()),
        ],
        // Results and works belong to a person the role reaches: the enterprise's contact for a
        // county's coordinator, the expert otherwise.
        "result" | "work" => {
            let owner = if role == Role::Coordinator {
                f.person_c
            } else {
                f.person_a
            };
            let who = pick(owner, f.person_b);
            let mut v = vec![
                ("title", "新成果".into()),
                ("kind", if kind == "work" { "paper" } else { "method" }.into()),
            ];
            v.push((if kind == "work" { "person_id" } else { "owner_ids" }, who));
            v
        }
        // An outcome reported by the role's own organisation (the college for a unit).
        "outcome" => {
            let home = if role == Role::Unit { f.college_a } else { f.ent_a };
            vec![
                ("kind", "contract".into()),
                ("title", "新技术合同".into()),
                ("occurred_on", "2026-04-02".into()),
                ("organization_id", pick(home, f.ent_b)),
                ("contract_kind", "service".into()),
                ("amount_fen", "1000000".into()),
                ("reason", "请补充合同扫描件".into()),
            ]
        }
        "event" => vec![
            ("title", "新会商".into()),
            ("kind", "consultation".into()),
            ("held_on", "2026-06-01".into()),
            ("organizer_id", pick(f.county_a, f.county_b)),
        ],
        // A unit reports how its decision stands, leaving what it says as the fixture has it; the
        // organiser also sets what it says.
        "decision" if role == Role::Unit => vec![
            ("event_id", pick(f.event_a, f.event_b)),
            ("title", if inside { "甲事项" } else { "乙事项" }.into()),
            ("owner_id", pick(f.college_a, f.county_b)),
            ("due_on", "2026-07-01".into()),
            ("status", "in_progress".into()),
            ("progress", "推进中".into()),
        ],
        "decision" => vec![
            ("event_id", pick(f.event_a, f.event_b)),
            ("title", "新议定事项".into()),
            ("owner_id", pick(f.college_a, f.county_b)),
            ("due_on", "2026-08-01".into()),
            ("status", "in_progress".into()),
            ("progress", "推进中".into()),
        ],
        // A training organised by the county (the coordinator's); one participant, attending.
        "training" => vec![
            ("title", "新农村规划培训班".into()),
            ("kind", "class".into()),
            ("organizer_id", pick(f.county_a, f.county_b)),
            ("start_on", "2026-05-10".into()),
            ("end_on", "2026-05-12".into()),
        ],
        "participant" => vec![
            (
                "name",
                format!("新学员{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)),
            ),
            ("unit", "江山市贺村镇人民政府".into()),
            ("attended", "是".into()),
        ],
        // An appointment to a county the role reaches (the other county outside), of an expert.
        "chief" => vec![
            ("person_id", f.person_e.to_string()),
            ("field", "industry".into()),
            ("organization_id", pick(f.county_a, f.county_b)),
            ("document_no", "衢经信〔2026〕3号".into()),
            ("appointed_by", "衢州市经济和信息化局".into()),
            ("from_on", "2026-02-01".into()),
            ("to_on", "2027-01-31".into()),
        ],
        "servicelog" => vec![
            ("chief_expert_id", pick(f.chief_a, f.chief_b)),
            ("kind", "training".into()),
            ("served_on", "2026-06-01".into()),
            ("title", "授课培训".into()),
            ("people_served", "30".into()),
        ],
        // A secondment anchored in the coordinator's county (inside) or the other (outside); the
        // status step and the appraisal read their own fields.
        "secondment" => vec![
            ("person_id", pick(f.person_a, f.person_b)),
            ("from_organization_id", pick(f.college_a, f.ent_b)),
            ("to_organization_id", pick(f.county_a, f.county_b)),
            ("post", "挂职岗位（矩阵）".into()),
            ("start_on", "2026-01-10".into()),
            ("end_on", "2027-01-09".into()),
            ("status", "serving".into()),
            ("grade", "competent".into()),
            ("comment", "称职".into()),
        ],
        "sreport" => vec![("period", "2026-Q2".into()), ("work_done", "调研企业技术难题".into())],
        "notice" => vec![
            ("title", "关于开展技术需求征集的通知".into()),
            ("kind", "notice".into()),
            ("body", "各企业：请于月底前填报。".into()),
            ("status", "published".into()),
        ],
        _ => vec![],
    };
    v.into_iter().map(|(k, s)| (k.to_string(), s)).collect()
}

async fn call(
    app: &TestApp,
    (s, role): (&Session, Role),
    method: &str,
    uri: &str,
    kind: &str,
    f: &matrix::Fixture,
    inside: bool,
) -> crate::helpers::Res {
    let api = uri.starts_with("/api/");
    let pairs = if kind == "problem" && uri.ends_with("/comments") {
        vec![("body".to_string(), "请尽快协调".to_string())]
    } else if kind == "problem" && uri.ends_with("/status") {
        vec![("status".to_string(), "coordinating".to_string())]
    } else if kind == "handover" && uri.ends_with("/project") {
        // The project a decision becomes, led by an organisation of the role's scope.
        [
            ("title", "议定事项转立项目"),
            ("kind", "research"),
            ("batch_year", "2026"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain([(
            "lead_unit_id".to_string(),
            if inside { f.ent_a } else { f.ent_b }.to_string(),
        )])
        .collect()
    } else if kind == "handover_problem" {
        vec![
            ("title".to_string(), "议定事项转问题".to_string()),
            (
                "project_id".to_string(),
                if inside { f.project_a } else { f.project_b }.to_string(),
            ),
            (
                "owner_id".to_string(),
                if inside { f.county_a } else { f.county_b }.to_string(),
            ),
        ]
    } else {
        body_for(role, kind, f, inside)
    };
    if method == "POST" && (uri.ends_with("/attachments") || uri.starts_with("/attachments")) {
        let (pid, _) = ids(f, "project");
        let id = if inside { pid } else { f.project_b };
        let target = uri.to_string();
        return app
            .upload_as(s, &target, "project", id, "证明.txt", "佐证材料".as_bytes())
            .await;
    }
    if method == "POST" && uri.ends_with("/demands/import") {
        let ent = if inside {
            "12100000470095016Q"
        } else {
            "91330825MA28F0XX0F"
        };
        let sheet = hezuo_report::sheet::write_rows(
            "技术需求",
            &["企业（统一社会信用代码或全称）", "需求名称", "需求概述"],
            &[vec![ent.into(), "导入的需求".into(), "技术难题".into()]],
        )
        .unwrap();
        let target = uri.to_string();
        return app.multipart_by(s, &target, &[], "需求.xlsx", &sheet).await;
    }
    if method == "POST" && uri.ends_with("/projects/import") {
        // The lead unit is the anchor: the coordinator's county inside, another county outside.
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let lead = if inside { "江山市" } else { "龙游县" };
        let sheet = hezuo_report::sheet::write_rows(
            "合作项目清单",
            &["项目名称", "项目类别", "年度", "牵头单位"],
            &[vec![
                format!("导入的项目{n}"),
                "研究类".into(),
                "2026".into(),
                lead.into(),
            ]],
        )
        .unwrap();
        let target = uri.to_string();
        return app.multipart_by(s, &target, &[], "项目.xlsx", &sheet).await;
    }
    if method == "POST" && uri.ends_with("/participants/import") {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let sheet = hezuo_report::sheet::write_rows(
            "学员名单",
            &["姓名", "单位", "是否到课"],
            &[vec![format!("导入学员{n}"), "江山甲企业".into(), "是".into()]],
        )
        .unwrap();
        let target = uri.to_string();
        return app
            .multipart_by(s, &target, &[("mode", "add")], "学员.xlsx", &sheet)
            .await;
    }
    if method == "GET" {
        let uri = if uri == "/api/v1/attachments" {
            format!(
                "{uri}?record_kind=project&record_id={}",
                if inside { f.project_a } else { f.project_b }
            )
        } else {
            uri.to_string()
        };
        return app
            .send_as(Some(s), Request::get(uri).body(Body::empty()).unwrap())
            .await;
    }
    if api {
        let mut obj = serde_json::Map::new();
        for (k, v) in &pairs {
            match obj.get_mut(k) {
                Some(Value::Array(a)) => a.push(json!(v)),
                Some(prev) => *prev = json!([prev.clone(), v]),
                None => {
                    obj.insert(k.clone(), json!(v));
                }
            }
        }
        let body = if method == "POST"
            && (uri.ends_with("/archive")
                || uri.ends_with("/restore")
                || uri.contains("/revoke")
                || uri.contains("reset")
                || uri.ends_with("/logout"))
        {
            String::new()
        } else {
            Value::Object(obj).to_string()
        };
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        return app.send_as(Some(s), req).await;
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.form_as(s, uri, &pairs).await
}

/// The matrix names path parameters for what they hold; the router calls them all `{id}`/`{mid}`.
fn normalise(p: &str) -> String {
    [
        "{token}",
        "{user}",
        "{batch}",
        "{report}",
        "{bulletin}",
        "{campaign}",
        "{result}",
        "{platform}",
        "{event}",
        "{decision}",
        "{group}",
        "{notice}",
    ]
    .iter()
    .fold(p.to_string(), |p, name| p.replace(name, "{id}"))
    .replace("{pid}", "{mid}")
    .replace("{eid}", "{mid}")
    .replace("{eval}", "{mid}")
    .replace("{part2}", "{mid}")
    .replace("{part}", "{mid}")
    .replace("{gma}", "{mid}")
    .replace("{gmx}", "{mid}")
    .replace("{gmy}", "{mid}")
    .replace("{gm}", "{mid}")
}

#[tokio::test]
async fn every_endpoint_is_in_the_authorization_matrix() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let mut missing = Vec::new();
    for path in hezuo_web::routed_paths() {
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let uri = fill(&path, &f, "project", true);
            // Probe as nobody: a routed method answers anything but 405, and nothing runs.
            let r = app
                .send_raw(
                    Request::builder()
                        .method(method.clone())
                        .uri(&uri)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            if r.status == StatusCode::METHOD_NOT_ALLOWED {
                continue;
            }
            if !MATRIX
                .iter()
                .any(|(m, p, _)| *m == method.as_str() && normalise(p) == normalise(&path))
            {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "endpoints missing from the authorization matrix in tests/it/access.rs: {missing:?}"
    );
}

#[tokio::test]
async fn each_role_reaches_what_is_in_its_scope_and_nothing_else() {
    // Each role works on a world of its own, so that one role's archiving cannot hide records from the next.
    for index in 0..6 {
        let app = spawn_app().await;
        let f = fixture(&app).await;
        let users = matrix_users(&app, &f).await;
        let (role, s, sees) = &users[index];
        check_role(&app, &f, *role, s, sees).await;
    }
}

async fn check_role(app: &TestApp, f: &matrix::Fixture, role: Role, s: &Session, sees: &[&'static str]) {
    let (app, f, role) = (app, f, &role);
    {
        for (method, path, op) in MATRIX {
            let (kind, action) = match op {
                Op::Read(k) | Op::List(k) | Op::NewForm(k) => (*k, "read"),
                Op::EditForm(k) => (*k, "edit"),
                Op::NestedNew(k, _) => (*k, "nested-new"),
                Op::Write(k, a) => (*k, *a),
                Op::OfficeOnly if *method == "GET" || *role != Role::Office => {
                    let uri = fill(path, f, "project", true);
                    let r = call(app, (s, *role), method, &uri, "none", f, true).await;
                    let want = if *role == Role::Office {
                        StatusCode::OK
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(
                        r.status,
                        want,
                        "{role:?} {method} {uri}: {}",
                        r.text().chars().take(200).collect::<String>()
                    );
                    continue;
                }
                Op::KeptAs(api) => {
                    let uri = fill(path, f, "none", true);
                    let form = call(app, (s, *role), method, &uri, "none", f, true).await;
                    let saved = app
                        .json_by(s, "PATCH", &fill(api, f, "none", true), serde_json::json!({}))
                        .await;
                    assert_eq!(
                        form.status == StatusCode::OK,
                        saved.status == StatusCode::OK,
                        "{role:?} {uri}: form {}, API {} {}",
                        form.status,
                        saved.status,
                        saved.text()
                    );
                    continue;
                }
                Op::Review => {
                    let list = !path.contains("{year}");
                    let want = match (*role, *method) {
                        (Role::Office, "GET") | (Role::Leader, "GET") => StatusCode::OK,
                        (Role::Office, _) => continue,
                        (Role::Coordinator, "GET") if list => StatusCode::OK,
                        (Role::Coordinator, "GET") => StatusCode::NOT_FOUND,
                        _ => StatusCode::FORBIDDEN,
                    };
                    let uri = fill(path, f, "none", true);
                    let r = call(app, (s, *role), method, &uri, "none", f, true).await;
                    assert_eq!(
                        r.status,
                        want,
                        "{role:?} {method} {uri}: {}",
                        r.text().chars().take(200).collect::<String>()
                    );
                    continue;
                }
                Op::Staff => {
                    let want = match role {
                        Role::Office | Role::Leader | Role::Coordinator => StatusCode::OK,
                        _ => StatusCode::FORBIDDEN,
                    };
                    // The API asks how to group (a 400 without it, tried in statistics.rs).
                    let uri = format!("{}?by=county", fill(path, f, "none", true));
                    let r = call(app, (s, *role), method, &uri, "none", f, true).await;
                    assert_eq!(
                        r.status,
                        want,
                        "{role:?} {method} {uri}: {}",
                        r.text().chars().take(200).collect::<String>()
                    );
                    continue;
                }
                Op::Own if *method == "GET" => {
                    let uri = fill(path, f, "batch", true);
                    let r = call(app, (s, *role), method, &uri, "none", f, true).await;
                    assert_eq!(r.status, StatusCode::OK, "{role:?} {method} {uri}");
                    continue;
                }
                _ => continue,
            };
            if matches!(op, Op::List(_)) {
                continue; // lists are checked below, by content
            }
            for inside in [true, false] {
                // Creating has no record to be outside of: the body's anchor (lead unit, organisation…) is.
                let uri = fill(path, f, kind, inside);
                let visible = inside && (sees.contains(&kind) || *role == Role::Office || *role == Role::Leader);
                let visible = visible || ((*role == Role::Office || *role == Role::Leader) && !inside);
                // A new record is inside when its anchor (parent, organisation, lead unit, project) is.
                let visible = if action == "create" && !matches!(role, Role::Office | Role::Leader) {
                    inside
                } else {
                    visible
                };
                let r = call(app, (s, *role), method, &uri, kind, f, inside).await;
                let got = r.status;
                let ctx = format!(
                    "{role:?} {method} {uri} ({kind} {action}, inside={inside}): {got} {}",
                    r.text().chars().take(200).collect::<String>()
                );
                if action == "read" {
                    // A blank form for a new record shows to those who may create one, and is
                    // refused (403) before it is filled in to those who may not.
                    if let Op::NewForm(k) = op {
                        let want = if may_write(*role, k, "create") {
                            StatusCode::OK
                        } else {
                            StatusCode::FORBIDDEN
                        };
                        assert_eq!(got, want, "{ctx}");
                    } else if visible {
                        assert!(got == StatusCode::OK, "{ctx}");
                    } else {
                        assert_eq!(got, StatusCode::NOT_FOUND, "{ctx}");
                    }
                    continue;
                }
                if let Op::NestedNew(_, child) = op {
                    if !visible {
                        assert_eq!(got, StatusCode::NOT_FOUND, "{ctx}");
                    } else if may_write(*role, child, "create") {
                        assert_eq!(got, StatusCode::OK, "{ctx}");
                    } else {
                        assert_eq!(got, StatusCode::FORBIDDEN, "{ctx}");
                    }
                    continue;
                }
                if action == "edit" {
                    // A role that may not change the kind is refused (403); for one that may, a
                    // record outside the scope does not exist, and inside the form opens (or 409
                    // names the record's state) — before it is filled in.
                    if !may_write(*role, kind, "update") {
                        // A unit keeps only the outcomes it reported itself: another's (the
                        // enterprise's here) is refused, one outside its scope does not exist.
                        let want = if kind == "outcome" && *role == Role::Unit && !visible {
                            StatusCode::NOT_FOUND
                        } else {
                            StatusCode::FORBIDDEN
                        };
                        assert_eq!(got, want, "{ctx}");
                    } else if !visible {
                        assert_eq!(got, StatusCode::NOT_FOUND, "{ctx}");
                    } else {
                        assert!(got == StatusCode::OK || got == StatusCode::CONFLICT, "{ctx}");
                    }
                    continue;
                }
                if !may_write(*role, kind, action) {
                    assert!(got == StatusCode::FORBIDDEN || got == StatusCode::NOT_FOUND, "{ctx}");
                    continue;
                }
                if visible {
                    assert!(
                        got.is_success() || got.is_redirection() || got == StatusCode::CONFLICT,
                        "{ctx}"
                    );
                } else {
                    // Outside the scope: it does not exist, or the body's anchor does not (422 naming it);
                    // a record everyone reads (a call, a result) is there but not theirs to change (403).
                    let read_by_all = matches!(
                        kind,
                        "campaign"
                            | "result"
                            | "platform"
                            | "station"
                            | "event"
                            | "decision"
                            | "handover"
                            | "handover_problem"
                            | "group"
                            | "member"
                    ) && action != "create";
                    assert!(
                        got == StatusCode::NOT_FOUND
                            || got == StatusCode::UNPROCESSABLE_ENTITY
                            || (read_by_all && got == StatusCode::FORBIDDEN),
                        "{ctx}"
                    );
                }
            }
        }
    }
}

async fn get_as(app: &TestApp, s: &Session, uri: String) -> crate::helpers::Res {
    app.send_as(Some(s), Request::get(uri).body(Body::empty()).unwrap())
        .await
}

#[tokio::test]
async fn records_outside_a_scope_are_absent_from_lists_counts_and_related_panels() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let users = matrix_users(&app, &f).await;
    for (role, s, sees) in &users {
        if matches!(role, Role::Office | Role::Leader) {
            continue;
        }

        for (plural, kind, outside_name) in [
            ("organizations", "organization", "龙游乙企业"),
            ("people", "person", "乙联系人"),
            ("agreements", "agreement", "龙游县—大学合作"),
            ("projects", "project", "乙项目"),
            ("problems", "problem", "乙问题"),
            ("demands", "demand", "乙需求"),
            ("works", "work", "乙论文"),
            ("outcomes", "outcome", "乙成果登记"),
            ("trainings", "training", "乙培训班"),
            ("chief-experts", "chief", "乙专家"),
            ("service-log", "servicelog", "乙服务记录"),
            ("secondments", "secondment", "乙方挂职岗位"),
        ] {
            let list = get_as(&app, s, format!("/api/v1/{plural}?per_page=200&archived=all"))
                .await
                .json();
            let text = list.to_string();
            assert!(
                !text.contains(outside_name),
                "{role:?} sees {outside_name} in /api/v1/{plural}"
            );
            let total = list["total"].as_i64().unwrap();
            assert_eq!(
                total as usize,
                list["items"].as_array().unwrap().len(),
                "{role:?} {plural}: the total counts only what is shown"
            );
            if sees.contains(&kind) {
                assert!(total >= 1, "{role:?} should see some {plural}");
            }
            let page = get_as(&app, s, format!("/{plural}?per_page=200")).await.text();
            assert!(
                !page.contains(outside_name),
                "{role:?} sees {outside_name} on /{plural}"
            );
        }
        let audit = get_as(&app, s, "/api/v1/audit?per_page=200".into()).await.text();
        assert!(
            !audit.contains(&format!("\"record_id\":{},\"action\"", f.project_b)) || !audit.contains("乙项目"),
            "{role:?} sees the other project's history"
        );
        let home = get_as(&app, s, "/".into()).await.text();
        assert!(!home.contains("乙项目"), "{role:?} sees 乙项目 on the home page");
        let atts = get_as(
            &app,
            s,
            format!("/api/v1/attachments?record_kind=project&record_id={}", f.project_b),
        )
        .await;
        assert_eq!(
            atts.status,
            StatusCode::NOT_FOUND,
            "{role:?} lists the other project's attachments"
        );
        // Related panels: the form menus and the project page list only what the user may see.
        let form = get_as(&app, s, "/projects/new".into()).await.text();
        assert!(
            !form.contains("龙游乙企业") && !form.contains("乙联系人"),
            "{role:?} sees outside records in form menus"
        );
    }
}

#[tokio::test]
async fn stored_script_is_shown_escaped_on_every_page_that_shows_it() {
    let app = spawn_app().await;
    let x = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    let short = "<script>alert(1)</script>\"'>";
    let org = app
        .create(
            "organizations",
            json!({"kind": "department", "name": x, "short_name": short, "address": x, "description": x}),
        )
        .await;
    let person = app.create("people", json!({"organization_id": org, "name": x, "title": x, "is_expert": true, "discipline": x, "research_fields": x, "keywords": short, "bio": x})).await;
    let a2 = app
        .create("organizations", json!({"kind": "university", "name": "大学"}))
        .await;
    let agreement = app
        .create(
            "agreements",
            json!({"title": x, "kind": "technology", "signed_on": "2001-01-01", "party_ids": [org, a2], "summary": x}),
        )
        .await;
    let project = app
        .create("projects", json!({"title": x, "kind": "research", "batch_year": 2026, "lead_unit_id": org, "origin_note": x, "summary": x,
            "responsible_person_id": person, "agreement_id": agreement, "start_on": "2026-01-01", "end_on": "2026-12-31"}))
        .await;
    app.post(
        &format!("/api/v1/projects/{project}/milestones"),
        json!({"title": x, "due_on": "2026-06-20", "deliverable": x, "evidence": x}),
    )
    .await;
    app.upload("/api/v1/attachments", "project", project, &format!("{x}.txt"), b"x")
        .await;
    app.user("u_x", Role::Leader, None, None).await;
    let pages = [
        "/".to_string(),
        "/organizations".into(),
        format!("/organizations/{org}"),
        format!("/organizations/{org}/edit"),
        "/people".into(),
        format!("/people/{person}"),
        format!("/people/{person}/edit"),
        "/agreements".into(),
        format!("/agreements/{agreement}"),
        format!("/agreements/{agreement}/edit"),
        "/projects".into(),
        format!("/projects/{project}"),
        format!("/projects/{project}/edit"),
        "/projects/new".into(),
        "/audit".into(),
        "/users".into(),
        "/account".into(),
    ];
    for p in pages {
        let html = app.get(&p).await.text();
        assert!(!html.contains("<script>alert(1)"), "{p} shows the script raw");
        assert!(!html.contains("<img src=x"), "{p} shows the tag raw");
        assert!(
            !html.contains("\"'><img"),
            "{p} lets the quote break out of an attribute"
        );
    }
    let proj = app.get(&format!("/projects/{project}")).await.text();
    assert!(proj.contains("&#60;script&#62;alert(1)"), "the text is there, escaped");
}
