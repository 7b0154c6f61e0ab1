//! The OpenAPI document says what the server enforces: the fields a create cannot do without are
//! `required` (and each is proved against the server), PATCH and PUT require nothing, ids and years
//! are integers, dates have their format, codes are their enums, money stays an exact string, and
//! the headers and answers of writes and lists are the ones the server gives.

use crate::helpers::{TestApp, World, spawn_app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hezuo_domain::access::Role;
use serde_json::{Value, json};

async fn document(app: &TestApp) -> Value {
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let s = &doc["components"]["schemas"][name];
    assert!(s.is_object(), "schema {name} missing");
    s
}

fn required(doc: &Value, name: &str) -> Vec<String> {
    schema(doc, name)["required"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// The JSON types a property may have (`"integer"`, or `["integer", "null"]`).
fn types(p: &Value) -> Vec<String> {
    match &p["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(a) => a.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
        _ => vec![],
    }
}

/// Checks that `name`'s `required` list is `expected`, then proves it on the server: `body`, which
/// must be valid, POSTed to `uri` without any one required field is refused (422) naming exactly
/// that field; without any one of its optional fields it is still accepted; whole, it is accepted.
async fn enforced(app: &TestApp, doc: &Value, uri: &str, name: &str, body: Value, expected: &[&str]) {
    assert_eq!(required(doc, name), expected, "the required fields of {name}");
    let fields = body.as_object().expect("a JSON object").clone();
    for e in expected {
        assert!(fields.contains_key(*e), "the body for {name} lacks the required {e}");
    }
    for (n, (field, _)) in fields.iter().enumerate() {
        let mut without = fields.clone();
        without.remove(field);
        // Each accepted body names a record of its own (a project like one already there is
        // refused as a likely duplicate).
        if let Some(Value::String(t)) = without.get_mut("title") {
            t.push_str(&format!(" {n}"));
        }
        let r = app.post(uri, Value::Object(without)).await;
        if expected.contains(&field.as_str()) {
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{name} without {field}: {}",
                r.text()
            );
            let named: Vec<String> = r.json()["fields"].as_object().unwrap().keys().cloned().collect();
            assert_eq!(named, vec![field.clone()], "{name} without {field}: {}", r.text());
            assert!(r.json()["fields"][field].is_string());
        } else {
            assert_eq!(
                r.status,
                StatusCode::CREATED,
                "{name} without the optional {field}: {}",
                r.text()
            );
        }
    }
    let r = app.post(uri, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{name} whole: {}", r.text());
}

async fn project(app: &TestApp, w: &World) -> i64 {
    app.create(
        "projects",
        json!({"title": "有机硅单体合成工艺优化", "kind": "engineering", "batch_year": 2026, "lead_unit_id": w.enterprise,
               "start_on": "2026-01-01", "end_on": "2026-12-31"}),
    )
    .await
}

#[tokio::test]
async fn each_record_input_requires_exactly_what_a_create_refuses_to_do_without() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let doc = document(&app).await;
    let p = project(&app, &w).await;
    let cases = [
        (
            "organizations",
            "OrganizationInput",
            json!({"kind": "department", "name": "市科技局", "short_name": "科技局", "parent_id": w.city,
                   "region_code": "330800", "phone": "0570-3021234"}),
            &["kind", "name"][..],
        ),
        (
            "people",
            "PersonInput",
            json!({"organization_id": w.college, "name": "李明", "title": "副教授", "email": "liming@zjut.edu.cn"}),
            &["organization_id", "name"],
        ),
        (
            "agreements",
            "AgreementInput",
            json!({"title": "衢州市—浙江工业大学全面合作协议", "kind": "comprehensive", "signed_on": "2026-01-10",
                   "party_ids": [w.city, w.uni], "term_end": "2030-12-31", "status": "in_force"}),
            &["title", "kind", "signed_on", "party_ids"],
        ),
        (
            "projects",
            "ProjectInput",
            json!({"title": "氟硅新材料中试", "kind": "research", "batch_year": 2026, "lead_unit_id": w.college,
                   "co_unit_ids": [w.enterprise], "contract_amount_wan": "200.5", "start_on": "2026-03-01"}),
            &["title", "kind", "batch_year", "lead_unit_id"],
        ),
        (
            "problems",
            "ProblemInput",
            json!({"project_id": p, "title": "用地指标未落实", "owner_id": w.county, "due_on": "2026-07-31"}),
            &["project_id", "title", "owner_id"],
        ),
        (
            "campaigns",
            "CampaignInput",
            json!({"title": "2026年度企业技术需求征集", "organizer_id": w.city, "starts_on": "2026-03-01",
                   "ends_on": "2026-06-30", "target_regions": ["330881"], "quota_per_county": 5}),
            &["title", "organizer_id", "starts_on", "ends_on"],
        ),
        (
            "demands",
            "DemandInput",
            json!({"title": "有机硅副产物高值化利用", "summary": "副产物回收利用率低，寻求工艺合作", "enterprise_id": w.enterprise,
                   "industry": "C26", "budget_max_wan": "100", "green_channel": true}),
            &["title", "summary", "enterprise_id"],
        ),
        (
            "results",
            "ResultInput",
            json!({"title": "一种有机硅废渣的回收方法", "kind": "method", "owner_ids": [w.person], "year": 2024}),
            &["title", "kind"],
        ),
        (
            "works",
            "WorkInput",
            json!({"person_id": w.person, "title": "有机硅单体合成研究进展", "venue": "化工学报", "year": 2024}),
            &["person_id", "title"],
        ),
    ];
    for (plural, name, body, expected) in cases {
        enforced(&app, &doc, &format!("/api/v1/{plural}"), name, body, expected).await;
    }
}

#[tokio::test]
async fn milestones_batches_and_reports_require_exactly_what_their_create_refuses_to_do_without() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let doc = document(&app).await;
    enforced(
        &app,
        &doc,
        "/api/v1/batches",
        "BatchInput",
        json!({"year": 2026, "title": "2026年度市校合作项目清单", "cadence": "monthly", "report_due_day": 10}),
        &["year", "title", "cadence"],
    )
    .await;
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026年度清单", "cadence": "monthly"}),
        )
        .await;
    let p = app
        .create(
            "projects",
            json!({"title": "光伏硅片切割废料回收", "kind": "engineering", "batch_year": 2026, "batch_id": batch,
                   "lead_unit_id": w.college, "start_on": "2026-01-01", "end_on": "2026-12-31"}),
        )
        .await;
    enforced(
        &app,
        &doc,
        &format!("/api/v1/projects/{p}/milestones"),
        "MilestoneInput",
        json!({"title": "中试线建成", "due_on": "2026-09-30", "deliverable": "中试报告"}),
        &["title", "due_on"],
    )
    .await;
    let r = app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    enforced(
        &app,
        &doc,
        &format!("/api/v1/projects/{p}/reports"),
        "ReportInput",
        json!({"period": "2026-05", "done_text": "完成中试方案设计", "percent": 30, "next_steps": "采购设备"}),
        &["period", "done_text", "percent"],
    )
    .await;
    // A bulletin is drafted from its batch and period; its prose is generated.
    assert_eq!(required(&doc, "BulletinInput"), ["batch_id", "period"]);
    let r = app.post("/api/v1/bulletins", json!({"period": "2026-05"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let named: Vec<String> = r.json()["fields"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(named, ["batch_id"], "{}", r.text());
}

#[tokio::test]
async fn a_patch_or_put_body_requires_nothing_and_what_it_leaves_out_stays() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let doc = document(&app).await;
    // Every PATCH and PUT takes a `…Patch` schema: its input without anything required.
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for verb in ["put", "patch"] {
            if item[verb].is_null() {
                continue;
            }
            let r = item[verb]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap_or_else(|| panic!("{verb} {path} has no JSON body schema"));
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            assert!(name.ends_with("Patch"), "{verb} {path} takes {name}");
            let patch = schema(&doc, name);
            assert!(patch["required"].is_null(), "{name} requires {}", patch["required"]);
            let input = schema(&doc, name.trim_end_matches("Patch"));
            assert_eq!(
                patch["properties"].as_object().unwrap().keys().collect::<Vec<_>>(),
                input["properties"].as_object().unwrap().keys().collect::<Vec<_>>(),
                "{name} has the fields of its input"
            );
            seen += 1;
        }
    }
    assert!(seen >= 24, "only {seen} PATCH and PUT bodies");
    assert!(!required(&doc, "ProjectInput").is_empty());

    // And the server agrees: one field sent, the others stay.
    let p = project(&app, &w).await;
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/projects/{p}"),
            json!({"summary": "只改摘要"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["summary"], "只改摘要");
    assert_eq!(j["title"], "有机硅单体合成工艺优化");
    assert_eq!(j["lead_unit_id"], w.enterprise);
    let r = app
        .json(
            "PUT",
            &format!("/api/v1/projects/{p}"),
            json!({"funding_won_wan": "35.5"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["funding_won_wan"], "35.50");
    assert_eq!(r.json()["summary"], "只改摘要");
    // A required field cannot be blanked by a PATCH: in the Patch schema it is not nullable.
    assert_eq!(
        schema(&doc, "ProjectInputPatch")["properties"]["title"]["type"],
        "string"
    );
    let r = app
        .json("PATCH", &format!("/api/v1/projects/{p}"), json!({"title": null}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["title"].is_string(), "{}", r.text());
}

#[tokio::test]
async fn ids_and_years_are_integers_dates_have_the_date_format_and_money_stays_an_exact_string() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut checked = 0;
    for (name, s) in schemas
        .iter()
        .filter(|(n, _)| n.ends_with("Input") || n.ends_with("InputPatch"))
    {
        for (field, p) in s["properties"].as_object().unwrap() {
            let t = types(p);
            let what = format!("{name}.{field}: {p}");
            if field.ends_with("_id") || field == "into" {
                assert!(t.contains(&"integer".to_string()), "an id is an integer: {what}");
                assert_eq!(p["format"], "int64", "{what}");
                checked += 1;
            } else if field.ends_with("_ids") {
                assert_eq!(p["type"], "array", "{what}");
                assert_eq!(p["items"]["type"], "integer", "{what}");
                checked += 1;
            } else if ["year", "batch_year", "percent", "report_due_day", "quota_per_county"].contains(&field.as_str())
            {
                assert!(t.contains(&"integer".to_string()), "a number is a number: {what}");
                assert!(p["minimum"].is_number() && p["maximum"].is_number(), "{what}");
                checked += 1;
            } else if field.ends_with("_on") || field == "deadline" {
                assert_eq!(p["format"], "date", "{what}");
                checked += 1;
            } else if field.ends_with("_wan") {
                assert!(
                    t.contains(&"string".to_string()),
                    "money is an exact decimal string: {what}"
                );
                assert!(
                    p["example"].is_string() && p["description"].as_str().unwrap().contains("exact"),
                    "{what}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} fields checked");
    let p = &schema(&doc, "ProjectInput")["properties"];
    assert_eq!(p["lead_unit_id"]["type"], "integer", "required, so not nullable");
    assert_eq!(p["batch_year"]["type"], "integer");
    assert_eq!(p["start_on"]["format"], "date");
    assert_eq!(
        schema(&doc, "AgreementInput")["properties"]["signed_on"]["type"],
        "string"
    );
    assert_eq!(
        schema(&doc, "AgreementInput")["properties"]["signed_on"]["format"],
        "date"
    );
    assert_eq!(schema(&doc, "ReportInput")["properties"]["percent"]["maximum"], 100);
    assert_eq!(
        schema(&doc, "BatchInput")["properties"]["report_due_day"]["maximum"],
        28
    );
    assert_eq!(schema(&doc, "ProjectInput")["properties"]["title"]["maxLength"], 200);
}

#[tokio::test]
async fn every_code_is_its_enum_with_exactly_the_codes_the_server_accepts() {
    use hezuo_domain::{agreement, demand, expert_work, matching, organization, person, project, research_result};
    use hezuo_domain::{problem, supervision};
    fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|c| f(*c)).collect()
    }
    let app = spawn_app().await;
    let doc = document(&app).await;
    let enums = [
        (
            "OrgKind",
            codes(organization::OrgKind::ALL, organization::OrgKind::as_str),
        ),
        (
            "Availability",
            codes(person::Availability::ALL, person::Availability::as_str),
        ),
        (
            "AgreementKind",
            codes(agreement::AgreementKind::ALL, agreement::AgreementKind::as_str),
        ),
        (
            "AgreementStatus",
            codes(agreement::AgreementStatus::ALL, agreement::AgreementStatus::as_str),
        ),
        (
            "ProjectKind",
            codes(project::ProjectKind::ALL, project::ProjectKind::as_str),
        ),
        (
            "ProjectOrigin",
            codes(project::ProjectOrigin::ALL, project::ProjectOrigin::as_str),
        ),
        (
            "ProjectStatus",
            codes(project::ProjectStatus::ALL, project::ProjectStatus::as_str),
        ),
        (
            "Cadence",
            codes(supervision::Cadence::ALL, supervision::Cadence::as_str),
        ),
        (
            "ProblemStatus",
            codes(problem::ProblemStatus::ALL, problem::ProblemStatus::as_str),
        ),
        (
            "CooperationMode",
            codes(demand::CooperationMode::ALL, demand::CooperationMode::as_str),
        ),
        (
            "DemandSource",
            codes(demand::DemandSource::ALL, demand::DemandSource::as_str),
        ),
        (
            "ReviewDecision",
            codes(demand::ReviewDecision::ALL, demand::ReviewDecision::as_str),
        ),
        (
            "ResultKind",
            codes(research_result::ResultKind::ALL, research_result::ResultKind::as_str),
        ),
        (
            "Maturity",
            codes(research_result::Maturity::ALL, research_result::Maturity::as_str),
        ),
        (
            "TransferMode",
            codes(
                research_result::TransferMode::ALL,
                research_result::TransferMode::as_str,
            ),
        ),
        (
            "ResultStatus",
            codes(
                research_result::ResultStatus::ALL,
                research_result::ResultStatus::as_str,
            ),
        ),
        (
            "WorkKind",
            codes(expert_work::WorkKind::ALL, expert_work::WorkKind::as_str),
        ),
        (
            "MatchStatus",
            codes(matching::MatchStatus::ALL, matching::MatchStatus::as_str),
        ),
        ("Role", codes(Role::ALL, Role::as_str)),
    ];
    for (name, codes) in &enums {
        assert_eq!(schema(&doc, name)["enum"], json!(codes), "{name}");
    }
    // The inputs name them: a required code as the enum itself, an optional one as the enum or null.
    let refers = |input: &str, field: &str| {
        let p = &schema(&doc, input)["properties"][field];
        p["$ref"]
            .as_str()
            .or_else(|| p["oneOf"][0]["$ref"].as_str())
            .map(|r| r.trim_start_matches("#/components/schemas/").to_string())
            .unwrap_or_else(|| panic!("{input}.{field} names no enum: {p}"))
    };
    for (input, field, name) in [
        ("OrganizationInput", "kind", "OrgKind"),
        ("AgreementInput", "kind", "AgreementKind"),
        ("AgreementInput", "status", "AgreementStatus"),
        ("ProjectInput", "kind", "ProjectKind"),
        ("ProjectInput", "status", "ProjectStatus"),
        ("BatchInput", "cadence", "Cadence"),
        ("DemandInput", "mode", "CooperationMode"),
        ("ReviewInput", "decision", "ReviewDecision"),
        ("ResultInput", "transfer_mode", "TransferMode"),
        ("WorkInput", "kind", "WorkKind"),
        ("MatchStatusInput", "status", "MatchStatus"),
    ] {
        assert_eq!(refers(input, field), name, "{input}.{field}");
    }
    // A code left out takes its default, which the document gives.
    assert_eq!(
        schema(&doc, "AgreementInput")["properties"]["status"]["default"],
        "in_force"
    );
    let w = app.seed().await;
    let a = app
        .post(
            "/api/v1/agreements",
            json!({"title": "协议", "kind": "technology", "signed_on": "2026-02-01", "party_ids": [w.city, w.uni]}),
        )
        .await;
    assert_eq!(a.json()["status"], "in_force");
    // A code outside the enum is refused, naming the field.
    let r = app
        .post("/api/v1/organizations", json!({"kind": "company", "name": "某公司"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["kind"].is_string());
}

#[tokio::test]
async fn writes_say_they_honour_if_match_and_idempotency_keys_and_lists_say_they_refuse_a_bad_page() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let doc = document(&app).await;
    let one = &doc["paths"]["/api/v1/projects/{id}"];
    let names = |op: &Value| -> Vec<String> {
        op["parameters"]
            .as_array()
            .map(|a| a.iter().map(|p| p["name"].as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    for verb in ["put", "patch"] {
        assert!(names(&one[verb]).contains(&"If-Match".to_string()), "{verb}");
        assert!(one[verb]["responses"]["412"].is_object(), "{verb}");
        assert!(one[verb]["responses"]["413"].is_object(), "{verb}");
        assert!(one[verb]["responses"]["200"]["headers"]["ETag"].is_object(), "{verb}");
    }
    assert!(one["get"]["responses"]["200"]["headers"]["ETag"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        if let Some(post) = item.get("post").filter(|_| path != "/api/v1/auth/login") {
            assert!(names(post).contains(&"Idempotency-Key".to_string()), "POST {path}");
            assert!(post["responses"]["422"].is_object(), "POST {path}");
        }
        if let Some(get) = item.get("get").filter(|g| names(g).contains(&"page".to_string())) {
            assert!(get["responses"]["422"].is_object(), "GET {path} is a list");
        }
        for verb in ["put", "patch"] {
            if !item[verb].is_null() {
                assert!(item[verb]["responses"]["412"].is_object(), "{verb} {path}");
            }
        }
        if path.ends_with("/archive") || path.ends_with("/restore") {
            assert!(names(&item["post"]).contains(&"If-Match".to_string()), "POST {path}");
            assert!(item["post"]["responses"]["412"].is_object(), "POST {path}");
        }
    }
    assert!(doc["info"]["description"].as_str().unwrap().contains("Idempotency-Key"));

    // What the document says, the server does: an ETag on GET, a 412 for a stale If-Match…
    let p = project(&app, &w).await;
    let r = app.get(&format!("/api/v1/projects/{p}")).await;
    let tag = r.headers.get(header::ETAG).expect("an ETag").clone();
    let patch = |tag: &str, summary: &str| {
        Request::patch(format!("/api/v1/projects/{p}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::IF_MATCH, tag)
            .body(Body::from(json!({ "summary": summary }).to_string()))
            .unwrap()
    };
    let r = app.send(patch(tag.to_str().unwrap(), "第一次")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.send(patch(tag.to_str().unwrap(), "基于旧版本")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
    // …the first answer again for a POST sent twice with its key, a 422 for the key reused…
    let post = |key: &str, name: &str| {
        Request::post("/api/v1/organizations")
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(json!({"kind": "department", "name": name}).to_string()))
            .unwrap()
    };
    let first = app.send(post("k-1", "市经信局")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app.send(post("k-1", "市经信局")).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["id"], first.json()["id"]);
    let other = app.send(post("k-1", "市发改委")).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    // …and a 422 naming a bad page.
    let r = app.get("/api/v1/projects?page=0").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["page"].is_string(), "{}", r.text());
}

#[tokio::test]
async fn the_token_and_user_lists_are_described_with_the_list_shape_they_answer() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    for (path, item) in [("/api/v1/tokens", "ApiToken"), ("/api/v1/users", "User")] {
        let s = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(s["required"], json!(["items", "total", "page", "per_page"]), "{path}");
        assert_eq!(
            s["properties"]["items"]["items"]["$ref"],
            format!("#/components/schemas/{item}")
        );
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.json();
        for key in ["items", "total", "page", "per_page"] {
            assert!(!page[key].is_null(), "{path} answers {key}");
        }
        let first = page["items"].as_array().unwrap().first().cloned();
        let first = match first {
            Some(f) => f,
            None => {
                let r = app.post("/api/v1/tokens", json!({"name": "持续集成"})).await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
                app.get(path).await.json()["items"][0].clone()
            }
        };
        let mut answered: Vec<&String> = first.as_object().unwrap().keys().collect();
        answered.sort();
        let mut described: Vec<&String> = schema(&doc, item)["properties"].as_object().unwrap().keys().collect();
        described.sort();
        assert_eq!(answered, described, "{item} describes what {path} answers");
    }
}
