//! The outcomes ledger through the API and the pages: every kind with its own rules, the office's
//! confirm and return, totals with confirmed and unconfirmed figures apart, and the scopes — an
//! enterprise never sees another's contract, a coordinator stays in their subtree.

use crate::helpers::{TestApp, World, credit_code, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::sync::Arc;

fn base(kind: &str, org: i64, title: &str) -> Value {
    json!({"kind": kind, "title": title, "occurred_on": "2026-05-10", "organization_id": org})
}

fn with(mut v: Value, more: Value) -> Value {
    for (k, x) in more.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

async fn count(app: &TestApp) -> i64 {
    app.get("/api/v1/outcomes?archived=all").await.json()["total"]
        .as_i64()
        .unwrap()
}

/// A second enterprise under the county, with its own account.
async fn second_enterprise(app: &TestApp, w: &World) -> i64 {
    app.create(
        "organizations",
        json!({"kind": "enterprise", "name": "江山乙企业", "parent_id": w.county, "region_code": "330881",
               "credit_code": credit_code(7), "industry_code": "C26"}),
    )
    .await
}

#[tokio::test]
async fn each_kind_is_recorded_and_a_missing_field_of_its_own_is_named_in_chinese_and_nothing_is_written() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let project = app
        .create(
            "projects",
            json!({"title": "有机硅项目", "kind": "research", "batch_year": 2026, "lead_unit_id": w.enterprise}),
        )
        .await;
    let o = w.enterprise;
    // (kind, its own fields, one it cannot do without)
    let kinds: Vec<(&str, Value, &str)> = vec![
        (
            "funding",
            json!({"programme": "浙江省重点研发计划", "grantor_level": "provincial", "amount_wan": "60"}),
            "programme",
        ),
        (
            "contract",
            json!({"contract_kind": "development", "amount_fen": 80_000_000, "received_fen": 20_000_000,
                            "registration_no": "2026330800123", "market_registered": true}),
            "contract_kind",
        ),
        (
            "patent",
            json!({"patent_no": "ZL 200410018192.5", "patent_status": "granted"}),
            "patent_no",
        ),
        (
            "transfer",
            json!({"transfer_mode": "license", "enterprise_id": w.enterprise, "amount_wan": "85"}),
            "enterprise_id",
        ),
        ("product", json!({"amount_wan": "1260"}), "amount_fen"),
        ("revenue", json!({"amount_wan": "210"}), "amount_fen"),
        ("award", json!({"issuer": "浙江省人民政府"}), "issuer"),
        ("standard", json!({"issuer": "浙江省标准化协会"}), "issuer"),
        ("talent", json!({"quantity": 12}), "quantity"),
        ("policy", json!({"issuer": "衢州市人民政府办公室"}), "issuer"),
    ];
    for (kind, fields, needed) in kinds {
        let mut missing = with(base(kind, o, &format!("{kind}成果")), fields.clone());
        missing.as_object_mut().unwrap().remove(needed);
        if needed == "amount_fen" {
            missing.as_object_mut().unwrap().remove("amount_wan");
        }
        let before = count(&app).await;
        let r = app.post("/api/v1/outcomes", missing).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {}", r.text());
        let msg = r.json()["fields"][needed].as_str().unwrap_or_default().to_string();
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{kind}: {msg}"
        );
        assert_eq!(count(&app).await, before, "{kind}: nothing written");

        let full = with(
            base(kind, o, &format!("{kind}成果")),
            with(fields, json!({"project_id": project})),
        );
        let r = app.post("/api/v1/outcomes", full).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.text());
        let got = r.json();
        assert_eq!(got["kind"], kind);
        assert_eq!(got["status"], "reported");
        assert_eq!(got["project_id"], project);
    }
    // Amounts are exact fen, numbers in JSON; the patent number is normalised; a transfer to an
    // enterprise inside the city is local use.
    let list = app.get("/api/v1/outcomes?per_page=50").await.json();
    let find = |k: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["kind"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(find("funding")["amount_fen"], json!(60_000_000));
    assert_eq!(find("contract")["received_fen"], json!(20_000_000));
    assert_eq!(find("patent")["patent_no"], "CN200410018192.5");
    assert_eq!(find("transfer")["in_city"], json!(true));
    assert_eq!(find("talent")["quantity"], json!(12));
    // A contract cannot have received more than its amount; the future is refused.
    let r = app
        .post(
            "/api/v1/outcomes",
            with(
                base("contract", o, "超额"),
                json!({"contract_kind": "service", "amount_wan": "10", "received_wan": "11"}),
            ),
        )
        .await;
    assert!(
        r.json()["fields"]["received_fen"]
            .as_str()
            .unwrap()
            .contains("不能超过")
    );
    let r = app
        .post(
            "/api/v1/outcomes",
            with(
                base("award", o, "未来"),
                json!({"issuer": "某单位", "occurred_on": "2026-07-01"}),
            ),
        )
        .await;
    assert!(r.json()["fields"]["occurred_on"].is_string(), "{}", r.text());
}

#[tokio::test]
async fn links_are_checked_and_the_demand_is_filled_from_the_match_or_the_project() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let demand = app
        .create(
            "demands",
            json!({"enterprise_id": w.enterprise, "title": "含氟废水处理", "summary": "技术难题"}),
        )
        .await;
    app.post(&format!("/api/v1/demands/{demand}/submit"), json!({})).await;
    for _ in 0..2 {
        app.post(&format!("/api/v1/demands/{demand}/review"), json!({"decision": "pass"}))
            .await;
    }
    let r = app
        .post(
            &format!("/api/v1/demands/{demand}/matches"),
            json!({"person_id": w.person}),
        )
        .await;
    let m = r.json()["id"].as_i64().unwrap();
    let contract = |extra: Value| {
        with(
            base("contract", w.enterprise, "对接合同"),
            with(json!({"contract_kind": "development", "amount_wan": "40"}), extra),
        )
    };
    let r = app.post("/api/v1/outcomes", contract(json!({"match_id": m}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["demand_id"], demand);
    let other = app
        .create(
            "demands",
            json!({"enterprise_id": w.enterprise, "title": "另一需求", "summary": "技术难题"}),
        )
        .await;
    let r = app
        .post("/api/v1/outcomes", contract(json!({"match_id": m, "demand_id": other})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["match_id"].is_string());
    let r = app
        .post("/api/v1/outcomes", contract(json!({"project_id": 99999})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["project_id"].as_str().unwrap().contains("不存在"));
    // A demand that became a project: an outcome of the project names the demand too.
    let project = app
        .create(
            "projects",
            json!({"title": "除氟项目", "kind": "research", "batch_year": 2026, "lead_unit_id": w.enterprise}),
        )
        .await;
    let r = app.post(&format!("/api/v1/demands/{other}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    for _ in 0..2 {
        app.post(&format!("/api/v1/demands/{other}/review"), json!({"decision": "pass"}))
            .await;
    }
    let r = app
        .post(
            &format!("/api/v1/demands/{other}/step"),
            json!({"action": "project", "project_id": project}),
        )
        .await;
    if r.status == StatusCode::OK {
        let r = app
            .post("/api/v1/outcomes", contract(json!({"project_id": project})))
            .await;
        assert_eq!(r.json()["demand_id"], other, "{}", r.text());
    }
}

#[tokio::test]
async fn the_office_confirms_or_returns_others_are_refused_and_totals_keep_the_two_apart() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let ent = app.user("ent", Role::Enterprise, Some(w.enterprise), None).await;
    let leader = app.user("leader", Role::Leader, None, None).await;
    let mut ids = Vec::new();
    for wan in ["100", "50", "30"] {
        let r = app
            .json_by(
                &ent,
                "POST",
                "/api/v1/outcomes",
                with(
                    base("contract", w.enterprise, &format!("合同{wan}")),
                    json!({"contract_kind": "development", "amount_wan": wan}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    // Only the office confirms or returns.
    for s in [&ent, &leader] {
        let r = app
            .json_by(s, "POST", &format!("/api/v1/outcomes/{}/confirm", ids[0]), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    }
    let r = app
        .post(&format!("/api/v1/outcomes/{}/confirm", ids[0]), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "confirmed");
    // A return needs its reason.
    let r = app
        .post(&format!("/api/v1/outcomes/{}/return", ids[1]), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["reason"].as_str().unwrap().contains("原因"));
    let r = app
        .post(
            &format!("/api/v1/outcomes/{}/return", ids[1]),
            json!({"reason": "请补充合同扫描件"}),
        )
        .await;
    assert_eq!(r.json()["status"], "returned");
    // Totals: confirmed 100 万元 (1 entry); unconfirmed 80 万元 (the returned and the reported).
    let totals = app.get_by(&ent, "/api/v1/outcomes/totals").await.json();
    let contract = totals
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "contract")
        .unwrap()
        .clone();
    assert_eq!(contract["confirmed_count"], 1);
    assert_eq!(contract["confirmed_amount_fen"], json!(100_000_000));
    assert_eq!(contract["unconfirmed_count"], 2);
    assert_eq!(contract["unconfirmed_amount_fen"], json!(80_000_000));
    // The returned one, edited by its reporter, awaits confirmation again; the confirmed one is
    // the office's to change.
    let r = app
        .json_by(
            &ent,
            "PATCH",
            &format!("/api/v1/outcomes/{}", ids[1]),
            json!({"note": "已补充"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "reported");
    let r = app
        .json_by(
            &ent,
            "PATCH",
            &format!("/api/v1/outcomes/{}", ids[0]),
            json!({"title": "改名"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/outcomes/{}", ids[0]),
            json!({"note": "协调办核实"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "confirmed");
    // The record page: the office sees the buttons, the enterprise the status only.
    let page = app.get(&format!("/outcomes/{}", ids[2])).await.text();
    assert!(page.contains("id=\"confirm\"") && page.contains("id=\"return\"") && page.contains("待确认"));
    let page = app.get_by(&ent, &format!("/outcomes/{}", ids[2])).await.text();
    assert!(!page.contains("id=\"confirm\"") && page.contains("待确认"));
    // Confirming through the page.
    let r = app.form(&format!("/outcomes/{}/confirm", ids[2]), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ledger = app.get("/outcomes").await.text();
    assert!(ledger.contains("id=\"summary\"") && ledger.contains("技术合同") && ledger.contains("130.00"));
}

#[tokio::test]
async fn an_enterprise_never_sees_another_enterprises_contract_and_a_coordinator_stays_in_their_subtree() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let other = second_enterprise(&app, &w).await;
    let ent = app.user("ent", Role::Enterprise, Some(w.enterprise), None).await;
    let coord = app.user("coord", Role::Coordinator, Some(w.county), None).await;
    let mine = app
        .create(
            "outcomes",
            with(
                base("contract", w.enterprise, "本企业合同"),
                json!({"contract_kind": "service", "amount_wan": "5"}),
            ),
        )
        .await;
    let theirs = app
        .create(
            "outcomes",
            with(
                base("contract", other, "乙企业合同"),
                json!({"contract_kind": "service", "amount_wan": "7"}),
            ),
        )
        .await;
    app.post(&format!("/api/v1/outcomes/{theirs}/confirm"), json!({})).await;
    let r = app.get_by(&ent, &format!("/api/v1/outcomes/{theirs}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_by(&ent, &format!("/outcomes/{theirs}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = app.get_by(&ent, "/api/v1/outcomes").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], mine);
    let totals = app.get_by(&ent, "/api/v1/outcomes/totals").await.json().to_string();
    assert!(!totals.contains("7000000"), "{totals}");
    assert!(!app.get_by(&ent, "/outcomes").await.text().contains("乙企业合同"));
    // An enterprise reports its own only.
    let r = app
        .json_by(
            &ent,
            "POST",
            "/api/v1/outcomes",
            with(
                base("contract", other, "冒名"),
                json!({"contract_kind": "service", "amount_wan": "1"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The county's coordinator sees the second enterprise (under the county), not the first (no parent).
    let list = app.get_by(&coord, "/api/v1/outcomes").await.json();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![theirs]);
    assert_eq!(
        app.get_by(&coord, &format!("/api/v1/outcomes/{mine}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Filters: the county's division code, the organisation's subtree.
    let by_county = app.get("/api/v1/outcomes?county=330881").await.json();
    assert_eq!(by_county["total"], 1);
    let by_org = app
        .get(&format!("/api/v1/outcomes?organization_id={}", w.county))
        .await
        .json();
    assert_eq!(by_org["total"], 1);
    let sheet = app.get("/api/v1/outcomes?format=xlsx").await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.headers["content-type"].to_str().unwrap().contains("spreadsheet"));
}

#[tokio::test]
async fn a_projects_page_shows_its_outcomes_with_totals_and_a_link_to_record_one() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let project = app
        .create(
            "projects",
            json!({"title": "光伏项目", "kind": "research", "batch_year": 2026, "lead_unit_id": w.enterprise}),
        )
        .await;
    let a = app
        .create(
            "outcomes",
            with(
                base("funding", w.enterprise, "省重点研发立项"),
                json!({"programme": "浙江省重点研发计划", "grantor_level": "provincial", "amount_wan": "60", "project_id": project}),
            ),
        )
        .await;
    app.create(
        "outcomes",
        with(
            base("product", w.enterprise, "新型硅片"),
            json!({"amount_wan": "25.5", "project_id": project}),
        ),
    )
    .await;
    app.post(&format!("/api/v1/outcomes/{a}/confirm"), json!({})).await;
    let page = app.get(&format!("/projects/{project}")).await.text();
    assert!(page.contains("id=\"outcomes\""), "the panel");
    assert!(page.contains("省重点研发立项") && page.contains("新型硅片"));
    assert!(page.contains("已确认 1 项 60.00 万元") && page.contains("未确认 1 项 25.50 万元"));
    assert!(page.contains(&format!("/outcomes/new?project_id={project}")));
    // The form opens pre-filled from the link.
    let form = app.get(&format!("/outcomes/new?project_id={project}")).await.text();
    assert!(form.contains(&format!("value=\"{project}\" selected")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outcomes_recorded_and_confirmed_while_being_edited_lose_nothing() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let target = app
        .create(
            "outcomes",
            with(base("revenue", w.enterprise, "节能效益"), json!({"amount_wan": "10"})),
        )
        .await;
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for c in 0..6 {
        let app = app.clone();
        let org = w.enterprise;
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for n in 0..5 {
                let r = app
                    .post(
                        "/api/v1/outcomes",
                        with(
                            base("product", org, &format!("产品{c}-{n}")),
                            json!({"amount_fen": 1000 + n}),
                        ),
                    )
                    .await;
                got.push(r.status);
            }
            got
        }));
    }
    // One confirms while another edits the same entry, without If-Match: both land.
    let (a, b) = (app.clone(), app.clone());
    let confirm = tokio::spawn(async move {
        a.post(&format!("/api/v1/outcomes/{target}/confirm"), json!({}))
            .await
            .status
    });
    let edit = tokio::spawn(async move {
        b.json(
            "PATCH",
            &format!("/api/v1/outcomes/{target}"),
            json!({"note": "附节能审计报告"}),
        )
        .await
        .status
    });
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.push(confirm.await.unwrap());
    all.push(edit.await.unwrap());
    assert!(all.iter().all(|s| s.is_success()), "{all:?}");
    let got = app.get(&format!("/api/v1/outcomes/{target}")).await.json();
    assert_eq!(got["status"], "confirmed");
    assert_eq!(got["note"], "附节能审计报告");
    assert_eq!(app.get("/api/v1/outcomes?kind=product").await.json()["total"], 30);
}
