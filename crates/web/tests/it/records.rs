//! Solicitation campaigns with their coverage, research results and experts' papers and patents:
//! what the API accepts and refuses, and what the pages show.

use crate::helpers::{TestApp, spawn_app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hezuo_domain::access::Role;
use hezuo_domain::demand::{CooperationMode, DemandData, DemandSource, DemandStep};
use hezuo_store::Viewer;
use serde_json::{Value, json};

/// Sends JSON as the given user.
async fn json_as(
    app: &TestApp,
    s: &crate::helpers::Session,
    method: &str,
    uri: &str,
    body: Value,
) -> crate::helpers::Res {
    app.send_as(
        Some(s),
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// The office's page, checked to answer 200; its HTML.
async fn page(app: &TestApp, uri: &str) -> String {
    let r = app.get(uri).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    r.text()
}

#[tokio::test]
async fn a_patent_number_is_checked_by_its_check_digit_and_stored_normalised() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let base = json!({"title": "一种含氟废水深度处理方法", "kind": "patent", "owner_ids": [w.person],
        "maturity": "pilot", "transfer_mode": "license", "price_wan": "80"});

    let mut bad = base.clone();
    bad["ip_number"] = json!("CN200410018192.6");
    let r = app.post("/api/v1/results", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let msg = r.json()["fields"]["ip_number"].as_str().unwrap_or_default().to_string();
    assert!(msg.contains("校验位应为 5"), "{msg}");

    // The same mistake through the form: the error is shown beside the field, the input kept.
    let r = app
        .form(
            "/results/new",
            &[
                ("title", "一种含氟废水深度处理方法"),
                ("kind", "patent"),
                ("owner_ids", &w.person.to_string()),
                ("ip_number", "CN200410018192.6"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("校验位应为 5") && html.contains("CN200410018192.6"),
        "{html}"
    );

    let mut good = base.clone();
    good["ip_number"] = json!("ZL 200410018192.5");
    let r = app.post("/api/v1/results", good).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let j = r.json();
    assert_eq!(j["ip_number"], "CN200410018192.5");
    assert_eq!(j["price_wan"], "80.00");
    assert_eq!(j["owner_ids"], json!([w.person]));
    let id = j["id"].as_i64().unwrap();
    let html = page(&app, &format!("/results/{id}")).await;
    assert!(html.contains("CN200410018192.5") && html.contains("王建国") && html.contains("中试阶段"));
    assert!(html.contains(&format!("href=\"/people/{}\"", w.person)));
}

#[tokio::test]
async fn a_transferred_result_names_its_transferee() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let body = json!({"title": "有机硅改性涂料", "kind": "method", "owner_ids": [w.person],
        "status": "transferred", "transferred_on": "2026-05-20", "transfer_amount_wan": "120"});
    let r = app.post("/api/v1/results", body.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let j = r.json();
    assert!(j["fields"]["transferee_id"].as_str().unwrap().contains("受让方"), "{j}");
    assert!(j["fields"].get("transferred_on").is_none(), "{j}");

    let mut ok = body;
    ok["transferee_id"] = json!(w.enterprise);
    ok["transferred_locally"] = json!(true);
    let id = app.create("results", ok).await;
    let html = page(&app, &format!("/results/{id}")).await;
    for s in [
        "受让方",
        "衢州氟硅新材料有限公司",
        "2026-05-20",
        "120.00",
        "本地转化",
        "已转化",
    ] {
        assert!(html.contains(s), "{s} missing from the result page");
    }
    assert!(html.contains(&format!("href=\"/organizations/{}\"", w.enterprise)));
}

#[tokio::test]
async fn an_expert_keeps_their_own_works_and_a_leader_only_reads() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let other = app
        .create(
            "people",
            json!({"organization_id": w.college, "name": "李红", "is_expert": true, "discipline": "材料科学"}),
        )
        .await;
    let expert = app.user("wang.jianguo", Role::Expert, None, Some(w.person)).await;
    let leader = app.user("leader", Role::Leader, None, None).await;

    let mine = json!({"person_id": w.person, "kind": "patent", "title": "一种有机硅单体的制备方法",
        "year": 2024, "venue": "cn2004100181925", "keywords": "有机硅，单体"});
    let r = json_as(&app, &expert, "POST", "/api/v1/works", mine.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let j = r.json();
    assert_eq!(j["venue"], "CN200410018192.5");
    assert_eq!(j["keywords"], json!(["有机硅", "单体"]));
    let id = j["id"].as_i64().unwrap();

    let mut theirs = mine.clone();
    theirs["person_id"] = json!(other);
    let r = json_as(&app, &expert, "POST", "/api/v1/works", theirs).await;
    assert!(
        r.status == StatusCode::NOT_FOUND || r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{}: {}",
        r.status,
        r.text()
    );

    let r = json_as(&app, &leader, "POST", "/api/v1/works", mine.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // The leader reads it, but is offered no edit.
    let r = app
        .send_as(
            Some(&leader),
            Request::get(format!("/works/{id}")).body(Body::empty()).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains(&format!("/works/{id}/edit")));

    // A paper by the other expert stays out of the first expert's list.
    app.create(
        "works",
        json!({"person_id": other, "kind": "paper", "title": "氟硅材料界面研究", "venue": "化工学报"}),
    )
    .await;
    let r = json_as(&app, &expert, "GET", "/api/v1/works", json!({})).await;
    let titles: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, vec!["一种有机硅单体的制备方法"]);

    // The expert's own form has them chosen already.
    let r = app
        .send_as(Some(&expert), Request::get("/works/new").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(
        html.contains(&format!("<option value=\"{}\" selected>王建国</option>", w.person)),
        "{html}"
    );
    assert!(!html.contains("李红"));
    assert!(html.contains("论文填期刊名；专利填申请号，如 CN202110123456.5"));
}

#[tokio::test]
async fn campaign_coverage_counts_submitted_demands_per_county_against_the_quota() {
    let app = spawn_app().await;
    let w = app.seed().await;
    // 柯城区 (330802), where the seeded enterprise is, and 江山市 (330881); two demands each.
    let id = app
        .create(
            "campaigns",
            json!({"title": "2026年度企业技术难题征集", "organizer_id": w.city, "starts_on": "2026-06-01",
                "ends_on": "2026-07-31", "target_regions": ["330802", "330881"], "target_industries": ["C"],
                "quota_per_county": 2, "description": "面向全市规上工业企业"}),
        )
        .await;
    let v = Viewer::system("test");
    for (title, submit) in [
        ("含氟废水处理", true),
        ("有机硅副产物利用", true),
        ("尚未提交的草稿", false),
    ] {
        let d = app
            .store
            .create_demand(
                &v,
                &DemandData {
                    title: title.into(),
                    summary: format!("{title}的技术需求"),
                    details: None,
                    enterprise_id: w.enterprise,
                    campaign_id: Some(id),
                    industry: Some("C26".into()),
                    field: None,
                    budget_min: None,
                    budget_max: None,
                    mode: CooperationMode::Development,
                    deadline: None,
                    source: DemandSource::Posted,
                    collected_by: None,
                    collected_on: None,
                    green_channel: false,
                    public_name: false,
                },
            )
            .await
            .expect("create demand");
        if submit {
            app.store
                .demand_step(&v, d.id, DemandStep::Submit, None, None)
                .await
                .expect("submit demand");
        }
    }

    let r = app.get(&format!("/api/v1/campaigns/{id}/coverage")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    let county = j["county"].as_array().unwrap();
    let find = |code: &str| {
        county
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} missing: {j}"))
            .clone()
    };
    let kecheng = find("330802");
    assert_eq!(kecheng["name"], "柯城区");
    assert_eq!(kecheng["demands"], 2, "the draft is not counted: {j}");
    assert_eq!(kecheng["quota"], 2);
    let jiangshan = find("330881");
    assert_eq!(jiangshan["name"], "江山市");
    assert_eq!(jiangshan["demands"], 0);
    assert_eq!(jiangshan["quota"], 2);
    assert_eq!(county.len(), 2, "{j}");
    assert_eq!(
        j["industry"],
        json!([{"code": "C", "name": "制造业", "demands": 2, "quota": null}])
    );

    let html = page(&app, &format!("/campaigns/{id}")).await;
    for s in [
        "2026年度企业技术难题征集",
        "柯城区",
        "江山市",
        "未达名额",
        "已达名额",
        "制造业",
        "衢州市",
        "2026-06-01",
        "进行中",
        "面向全市规上工业企业",
        "查看本次征集的需求",
    ] {
        assert!(html.contains(s), "{s} missing from the campaign page");
    }
    assert!(html.contains(&format!("href=\"/demands?campaign_id={id}\"")));
    // Only 江山市 is short.
    assert_eq!(html.matches("未达名额").count(), 1);

    assert_eq!(
        app.get("/api/v1/campaigns/999999/coverage").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_campaign_form_takes_several_counties_and_refuses_a_backwards_period() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let city = w.city.to_string();
    let r = app
        .form(
            "/campaigns/new",
            &[
                ("title", "科技特派员需求征集"),
                ("organizer_id", &city),
                ("starts_on", "2026-09-01"),
                ("ends_on", "2026-08-01"),
                ("target_regions", "330881"),
                ("target_regions", "330824"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("结束日期不能早于开始日期"), "{html}");
    assert!(
        html.contains("<option value=\"330881\" selected>"),
        "the choice is kept"
    );

    let r = app
        .form(
            "/campaigns/new",
            &[
                ("title", "科技特派员需求征集"),
                ("organizer_id", &city),
                ("starts_on", "2026-09-01"),
                ("ends_on", "2026-10-31"),
                ("target_regions", "330881"),
                ("target_regions", "330824"),
                ("target_industries", "A"),
                ("quota_per_county", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.location();
    let id: i64 = loc.trim_start_matches("/campaigns/").parse().unwrap();
    let j = app.get(&format!("/api/v1/campaigns/{id}")).await.json();
    assert_eq!(j["target_regions"], json!(["330881", "330824"]));
    assert_eq!(j["target_industries"], json!(["A"]));
    let html = page(&app, &loc).await;
    assert!(html.contains("江山市") && html.contains("开化县") && html.contains("未开始"));
    assert!(html.contains("农、林、牧、渔业"));
}

#[tokio::test]
async fn record_pages_answer_in_chinese_and_say_when_there_is_nothing() {
    let app = spawn_app().await;
    for (uri, empty, label) in [
        ("/campaigns", "还没有征集活动", "需求征集活动"),
        ("/results", "还没有登记科技成果", "科技成果"),
        ("/works", "还没有登记专家的论文或专利", "专家论文与专利"),
    ] {
        let html = page(&app, uri).await;
        assert!(html.contains(empty) && html.contains(label), "{uri}");
    }
    assert!(
        page(&app, "/results?lang=en")
            .await
            .contains("No research results yet.")
    );
    // A filter that matches nothing says so plainly.
    assert!(
        page(&app, "/results?q=zzz-nothing")
            .await
            .contains("没有符合条件的记录")
    );

    let w = app.seed().await;
    let campaign = app
        .create(
            "campaigns",
            json!({"title": "2026年度技术难题征集", "organizer_id": w.city, "starts_on": "2026-01-01",
                "ends_on": "2026-03-31"}),
        )
        .await;
    let result = app
        .create(
            "results",
            json!({"title": "高效有机硅催化剂", "kind": "product", "owner_ids": [w.person], "price_wan": "35.5"}),
        )
        .await;
    let work = app
        .create(
            "works",
            json!({"person_id": w.person, "kind": "paper", "title": "有机硅单体合成研究进展", "year": 2025,
                "venue": "化工学报"}),
        )
        .await;

    let html = page(&app, "/campaigns").await;
    for s in [
        "活动名称",
        "组织单位",
        "征集期",
        "每县名额",
        "2026年度技术难题征集",
        "已结束",
        "衢州市",
    ] {
        assert!(html.contains(s), "{s} missing from /campaigns");
    }
    let html = page(&app, "/results").await;
    for s in [
        "成果名称",
        "类型",
        "成熟度",
        "转化方式",
        "价格（万元）",
        "状态",
        "高效有机硅催化剂",
        "新产品",
        "35.50",
        "待转化",
    ] {
        assert!(html.contains(s), "{s} missing from /results");
    }
    let html = page(&app, "/works").await;
    for s in [
        "题名",
        "专家",
        "年份",
        "期刊/申请号",
        "有机硅单体合成研究进展",
        "王建国",
        "2025",
        "化工学报",
    ] {
        assert!(html.contains(s), "{s} missing from /works");
    }

    let html = page(&app, &format!("/campaigns/{campaign}")).await;
    for s in [
        "全部县（市、区）",
        "全部行业",
        "按县（市、区）统计",
        "按行业统计",
        "已结束",
    ] {
        assert!(html.contains(s), "{s} missing from the campaign page");
    }
    let html = page(&app, &format!("/results/{result}")).await;
    for s in ["成果完成人", "成熟度", "实验室阶段", "转化方式", "许可", "知识产权编号"] {
        assert!(html.contains(s), "{s} missing from the result page");
    }
    assert!(!html.contains("受让方"), "no transferee before a transfer");
    let html = page(&app, &format!("/works/{work}")).await;
    for s in ["王建国", "论文", "期刊", "化工学报", "2025"] {
        assert!(html.contains(s), "{s} missing from the work page");
    }

    let html = page(&app, "/campaigns/new").await;
    for s in [
        "活动名称",
        "组织单位",
        "目标县（市、区）",
        "江山市",
        "目标行业",
        "制造业",
        "每县名额",
    ] {
        assert!(html.contains(s), "{s} missing from the campaign form");
    }
    assert!(!html.contains("<option value=\"330800\""), "a city is not a county");
    assert!(!html.contains("<option value=\"C26\""), "sections only");
    let html = page(&app, "/results/new").await;
    for s in [
        "成果名称",
        "成果完成人",
        "王建国",
        "知识产权编号",
        "受让方",
        "衢州氟硅新材料有限公司",
        "本地转化",
    ] {
        assert!(html.contains(s), "{s} missing from the result form");
    }
    let html = page(&app, "/works/new").await;
    assert!(html.contains("题名") && html.contains("王建国") && html.contains("期刊/申请号"));

    let html = page(&app, &format!("/campaigns/{campaign}/edit")).await;
    assert!(html.contains("value=\"2026年度技术难题征集\"") && html.contains("value=\"2026-03-31\""));
    let html = page(&app, &format!("/results/{result}/edit")).await;
    assert!(
        html.contains("value=\"高效有机硅催化剂\"")
            && html.contains(&format!("<option value=\"{}\" selected>", w.person))
    );
    let html = page(&app, &format!("/works/{work}/edit")).await;
    assert!(html.contains("value=\"有机硅单体合成研究进展\"") && html.contains("value=\"化工学报\""));
}

#[tokio::test]
async fn the_openapi_document_lists_campaigns_results_and_works() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    for p in [
        "/api/v1/campaigns",
        "/api/v1/campaigns/{id}",
        "/api/v1/campaigns/{id}/coverage",
        "/api/v1/results",
        "/api/v1/results/{id}/archive",
        "/api/v1/works",
        "/api/v1/works/{id}",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing from the OpenAPI document");
    }
    let params: Vec<&str> = doc["paths"]["/api/v1/results"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(params.contains(&"kind") && params.contains(&"status") && params.contains(&"page"));
}

#[tokio::test]
async fn an_experts_page_lists_their_papers_and_patents() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let page = app.get(&format!("/people/{}", w.person)).await.text();
    assert!(
        page.contains("论文与专利") && page.contains("尚未登记论文或专利"),
        "{page}"
    );
    app.create(
        "works",
        serde_json::json!({"person_id": w.person, "title": "有机硅单体流化床反应器模拟", "year": 2024, "venue": "化工学报"}),
    )
    .await;
    let page = app.get(&format!("/people/{}", w.person)).await.text();
    assert!(
        page.contains("有机硅单体流化床反应器模拟") && page.contains("化工学报"),
        "{page}"
    );
    assert!(page.contains(&format!("/works/new?person_id={}", w.person)));
}
