//! The platform driven through its public surface — the JSON API and the HTML pages — on SQLite,
//! and on PostgreSQL when `TEST_DATABASE_URL` is set. Assertions are on what a user or a client sees.

use crate::helpers::{VALID_CREDIT_CODE, spawn_app};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "ok");
}

/// The pool pings a connection before handing it out only if it sat idle a second or more (a ping on
/// every hand-out was a round trip per statement). So after the database ends the connections — a
/// restart, a proxy's idle cut — a request made after a quiet second is answered on a new connection,
/// not with an error. Without any ping the first requests would fail here.
#[tokio::test]
async fn a_request_after_the_database_ended_our_connections_is_answered() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/v1/projects").await.status, StatusCode::OK);
    if !app.end_database_connections().await {
        eprintln!("SQLite: its connections are files in this process; nothing outside can end them");
        return;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    for uri in ["/healthz", "/api/v1/projects", "/api/v1/organizations"] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_resource() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/organizations",
        "/api/v1/organizations/{id}",
        "/api/v1/people/{id}/archive",
        "/api/v1/agreements",
        "/api/v1/projects/{id}",
        "/api/v1/projects/{id}/milestones",
        "/api/v1/projects/{id}/milestones/{mid}",
        "/api/v1/attachments",
        "/api/v1/attachments/{id}/content",
        "/api/v1/batches/{id}/approve",
        "/api/v1/projects/{id}/reports",
        "/api/v1/reports/{id}/accept",
        "/api/v1/problems",
        "/api/v1/bulletins/{id}/issue",
        "/api/v1/bulletins/{id}/docx",
        "/api/v1/board",
        "/api/v1/audit",
        "/api/v1/tokens",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing from the OpenAPI document");
    }
    for s in [
        "Organization",
        "ProjectInput",
        "ErrorBody",
        "Milestone",
        "OrgKind",
        "ProjectStatus",
    ] {
        assert!(doc["components"]["schemas"][s].is_object(), "schema {s} missing");
    }
    let list_params: Vec<&str> = doc["paths"]["/api/v1/projects"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "batch_year",
        "status",
        "kind",
        "lead_unit_id",
        "page",
        "per_page",
        "sort",
    ] {
        assert!(list_params.contains(&name), "{name} not among {list_params:?}");
    }
}

#[tokio::test]
async fn a_wrong_credit_code_is_refused_naming_the_field_in_the_users_language() {
    let app = spawn_app().await;
    let body =
        json!({"kind": "enterprise", "name": "某企业", "credit_code": "12100000470095016A", "industry_code": "C26"});
    let r = app.post("/api/v1/organizations", body.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert!(j["fields"]["credit_code"].as_str().unwrap().contains("校验位"), "{j}");
    assert!(j["error"].as_str().unwrap().contains("输入有误"));

    let r = app
        .send(
            axum::http::Request::post("/api/v1/organizations")
                .header("content-type", "application/json")
                .header("accept-language", "en-GB,en;q=0.9")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    assert!(
        r.json()["fields"]["credit_code"]
            .as_str()
            .unwrap()
            .contains("check character")
    );
    let list = app.get("/api/v1/organizations").await.json();
    assert_eq!(list["total"], 0, "nothing was written");
}

#[tokio::test]
async fn a_duplicate_credit_code_is_a_conflict_on_that_field() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app
        .post(
            "/api/v1/organizations",
            json!({"kind": "enterprise", "name": "另一家企业", "credit_code": VALID_CREDIT_CODE.to_lowercase(), "industry_code": "C26"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.json()["fields"]["credit_code"]
            .as_str()
            .unwrap()
            .contains("衢州氟硅新材料有限公司")
    );
    let _ = w;
}

#[tokio::test]
async fn the_organisation_tree_refuses_unknown_parents_and_cycles() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app
        .post(
            "/api/v1/organizations",
            json!({"kind": "department", "name": "市科技局", "parent_id": 999999}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["parent_id"].as_str().unwrap().contains("不存在"));

    // The city may not move under its own county.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/organizations/{}", w.city),
            json!({"parent_id": w.county}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["parent_id"].as_str().unwrap().contains("循环"));
    // Nor under itself.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/organizations/{}", w.city),
            json!({"parent_id": w.city}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let city = app.get(&format!("/api/v1/organizations/{}", w.city)).await.json();
    assert!(city["parent_id"].is_null(), "the refused change left nothing behind");

    // A college must sit under a university.
    let r = app
        .post(
            "/api/v1/organizations",
            json!({"kind": "college", "name": "机械学院", "parent_id": w.city}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn organisation_lists_filter_sort_page_and_count() {
    let app = spawn_app().await;
    let w = app.seed().await;
    for i in 0..25 {
        app.create(
            "organizations",
            json!({"kind": "department", "name": format!("部门{i:02}"), "parent_id": w.city, "region_code": "330800"}),
        )
        .await;
    }
    let r = app
        .get("/api/v1/organizations?kind=department&per_page=10&page=3&sort=name")
        .await
        .json();
    assert_eq!(r["total"], 25);
    assert_eq!(r["page"], 3);
    assert_eq!(r["items"].as_array().unwrap().len(), 5);
    assert_eq!(r["items"][0]["name"], "部门20");
    // A city's code also finds what lies in its counties.
    let r = app
        .get("/api/v1/organizations?region_code=330800&per_page=100")
        .await
        .json();
    assert_eq!(
        r["total"], 28,
        "25 departments, the city, 江山市 and the enterprise in 柯城区"
    );
    let r = app
        .get(&format!("/api/v1/organizations?parent_id={}&q=江山", w.city))
        .await
        .json();
    assert_eq!(r["total"], 1);
    // Archived records leave the list but can be listed on request.
    let r = app
        .post(&format!("/api/v1/organizations/{}/archive", w.county), json!({}))
        .await;
    assert_eq!(r.json()["archived"], true);
    assert_eq!(app.get("/api/v1/organizations?q=江山").await.json()["total"], 0);
    assert_eq!(
        app.get("/api/v1/organizations?q=江山&archived=true").await.json()["total"],
        1
    );
    // A bad page, page size, sort or filter is refused, naming each parameter — never ignored.
    let r = app.get("/api/v1/organizations?page=abc&per_page=-4").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let fields = r.json()["fields"].clone();
    assert!(
        fields["page"].as_str().unwrap().contains("abc") && fields["per_page"].as_str().unwrap().contains("-4"),
        "{fields}"
    );
    let r = app.get("/api/v1/organizations?sort=nonexistent").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["sort"].as_str().unwrap().contains("nonexistent"));
    let r = app.get("/api/v1/organizations?parent_id=abc").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"].get("parent_id").is_some());
    let r = app.get("/api/v1/audit?from=garbage").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["from"].as_str().unwrap().contains("garbage"));
}

#[tokio::test]
async fn an_agreement_needs_two_parties_and_nests_under_another() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app
        .post(
            "/api/v1/agreements",
            json!({"title": "全面合作协议", "kind": "comprehensive", "signed_on": "2006-05-18", "party_ids": [w.city]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["party_ids"].is_string());
    let top = app
        .create("agreements", json!({"title": "全面合作协议", "kind": "comprehensive", "signed_on": "2006-05-18", "party_ids": [w.city, w.uni]}))
        .await;
    let child = app
        .create(
            "agreements",
            json!({"title": "江山市—化学工程学院县院合作协议", "kind": "county_college", "signed_on": "2007-03-01",
                   "party_ids": format!("{},{}", w.county, w.college), "parent_id": top}),
        )
        .await;
    let c = app.get(&format!("/api/v1/agreements/{child}")).await.json();
    assert_eq!(c["parent_id"], top);
    assert_eq!(c["party_ids"], json!([w.county, w.college]));
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/agreements/{top}"),
            json!({"parent_id": child}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a cycle of agreements");
    let r = app
        .get(&format!("/api/v1/agreements?organization_id={}", w.college))
        .await
        .json();
    assert_eq!(r["total"], 1);
}

#[tokio::test]
async fn a_project_moves_only_along_the_state_machine_and_keeps_money_exact() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = app
        .create(
            "projects",
            json!({"title": "有机硅单体合成工艺优化", "kind": "engineering", "batch_year": 2026, "lead_unit_id": w.enterprise,
                   "co_unit_ids": [w.college], "responsible_person_id": w.person, "contract_amount_wan": "200.5",
                   "funding_won_wan": 0.000001, "start_on": "2026-01-01", "end_on": "2026-12-31"}),
        )
        .await;
    let p = app.get(&format!("/api/v1/projects/{id}")).await.json();
    assert_eq!(p["status"], "planned");
    assert_eq!(p["contract_amount_wan"], "200.50");
    assert_eq!(p["funding_won_wan"], "0.000001");
    assert_eq!(p["co_unit_ids"], json!([w.college]));

    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{id}"),
            json!({"status": "completed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["status"].as_str().unwrap().contains("已立项"));
    for s in [
        "approved",
        "in_progress",
        "suspended",
        "in_progress",
        "completed",
        "accepted",
        "transferred",
    ] {
        let r = app
            .json("PATCH", &format!("/api/v1/projects/{id}"), json!({"status": s}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "to {s}: {}", r.text());
        assert_eq!(r.json()["status"], s);
    }
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{id}"),
            json!({"status": "cancelled"}),
        )
        .await;
    assert!(r.json()["fields"]["status"].as_str().unwrap().contains("终态"));

    let r = app
        .post(
            "/api/v1/projects",
            json!({"title": "x", "kind": "research", "batch_year": 2026, "lead_unit_id": w.city, "status": "approved"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a new project starts as planned"
    );
}

#[tokio::test]
async fn a_bad_project_writes_nothing_and_names_every_field() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app
        .post(
            "/api/v1/projects",
            json!({"title": "", "kind": "space", "batch_year": "20x6", "lead_unit_id": w.city, "contract_amount_wan": "-3",
                   "start_on": "2026-13-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &r.json()["fields"];
    for k in ["title", "kind", "batch_year", "contract_amount_wan", "start_on"] {
        assert!(f[k].is_string(), "{k} not reported in {f}");
    }
    let r = app
        .post(
            "/api/v1/projects",
            json!({"title": "光伏硅片切割废料回收", "kind": "research", "batch_year": 2026, "lead_unit_id": w.city,
            "co_unit_ids": [w.college, 987654]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["co_unit_ids"].as_str().unwrap().contains("987654"));
    assert_eq!(app.get("/api/v1/projects").await.json()["total"], 0);
    let r = app
        .send(
            axum::http::Request::post("/api/v1/projects")
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"].as_str().unwrap().contains("JSON"));
}

#[tokio::test]
async fn milestones_must_fall_inside_the_project() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = app
        .create("projects", json!({"title": "特种纸涂布技术攻关", "kind": "engineering", "batch_year": 2026, "lead_unit_id": w.enterprise,
            "start_on": "2026-01-01", "end_on": "2026-10-31"}))
        .await;
    let r = app
        .post(
            &format!("/api/v1/projects/{id}/milestones"),
            json!({"title": "验收", "due_on": "2026-11-30"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["due_on"].as_str().unwrap().contains("2026-10-31"));
    let r = app
        .post(
            &format!("/api/v1/projects/{id}/milestones"),
            json!({"title": "中试", "due_on": "2026-06-01", "deliverable": "中试报告"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let mid = r.json()["id"].as_i64().unwrap();
    // The project may not end before a milestone it has.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{id}"),
            json!({"end_on": "2026-05-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["end_on"].is_string());
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{id}/milestones/{mid}"),
            json!({"done_on": "2026-06-03", "evidence": "中试报告已提交"}),
        )
        .await;
    assert_eq!(r.json()["done_on"], "2026-06-03");
    let list = app.get(&format!("/api/v1/projects/{id}/milestones")).await.json();
    assert_eq!(list["total"], 1);
    let other = app
        .create(
            "projects",
            json!({"title": "另一个项目", "kind": "culture", "batch_year": 2026, "lead_unit_id": w.city}),
        )
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/projects/{other}/milestones/{mid}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

#[tokio::test]
async fn attachments_are_typed_by_their_bytes_and_limited_in_size() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app
        .upload("/api/v1/attachments", "organization", w.enterprise, "现场照片.png", PNG)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let a = r.json();
    assert_eq!(a["content_type"], "image/png");
    assert_eq!(a["filename"], "现场照片.png");
    let d = app.get(&format!("/api/v1/attachments/{}/content", a["id"])).await;
    assert_eq!(d.bytes, PNG);
    assert_eq!(d.headers["content-type"], "image/png");

    let r = app
        .upload("/api/v1/attachments", "organization", w.enterprise, "合同.pdf", PNG)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["file"].as_str().unwrap().contains(".pdf"));
    let r = app
        .upload(
            "/api/v1/attachments",
            "organization",
            w.enterprise,
            "big.txt",
            &vec![b'a'; 70 * 1024],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.json()["fields"]["file"].as_str().unwrap().contains("上限"));
    let r = app
        .upload("/api/v1/attachments", "project", 424242, "a.txt", b"hello")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .upload(
            "/api/v1/attachments",
            "organization",
            w.enterprise,
            "../../etc/passwd.txt",
            b"secret",
        )
        .await;
    assert_eq!(r.json()["filename"], "passwd.txt", "path parts never reach storage");
    let list = app
        .get(&format!(
            "/api/v1/attachments?record_kind=organization&record_id={}",
            w.enterprise
        ))
        .await
        .json();
    assert_eq!(list["total"], 2);
    // The organisation's page lists them.
    let page = app.get(&format!("/organizations/{}", w.enterprise)).await.text();
    assert!(page.contains("现场照片.png"));
}

#[tokio::test]
async fn unknown_records_are_404_in_json_for_the_api_and_a_page_for_people() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/projects/123456").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"], "未找到该记录");
    let r = app.get("/api/v1/projects/abc").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/projects/123456").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("未找到该记录") && r.text().contains("返回首页"));
    assert_eq!(app.get("/no/such/page").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_api_path_is_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let documented: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let missing: Vec<String> = hezuo_web::routed_paths()
        .into_iter()
        .filter(|p| p.starts_with("/api/v1/") && p != "/api/v1/openapi.json")
        .filter(|p| !documented.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "API paths missing from the OpenAPI document: {missing:?}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_in_the_callers_own_form() {
    let app = spawn_app().await;
    let big = "字".repeat(100_000);
    let r = app
        .post("/api/v1/organizations", json!({"kind": "department", "name": big}))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "请求体过大");
    let r = app.post("/api/v1/tokens", json!({"name": big})).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "请求体过大");
    let r = app.form("/organizations/new", &[("name", big.as_str())]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().contains("<h1>请求体过大</h1>"), "a page for a browser");
}

#[tokio::test]
async fn a_name_with_a_nul_or_another_control_character_is_refused() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/organizations",
            json!({"kind": "department", "name": "衢州\u{0}市发改委"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["name"].as_str().unwrap().contains("控制字符"));
}

#[tokio::test]
async fn a_file_goes_on_a_demand_and_its_page_lists_it() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let d = app
        .create(
            "demands",
            json!({"enterprise_id": w.enterprise, "title": "含氟废水", "summary": "出水不达标"}),
        )
        .await;
    let r = app
        .upload(
            "/api/v1/attachments",
            "demand",
            d,
            "水质检测报告.txt",
            "氟化物 12 mg/L".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = app.get(&format!("/demands/{d}")).await.text();
    assert!(page.contains("水质检测报告.txt"), "the demand's page lists its files");
    let r = app.upload("/api/v1/attachments", "user", 1, "x.txt", b"x").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["record_kind"].as_str().unwrap().contains("demand"));
}
