//! Chief experts (首席专家) through the API and pages: appointments created, listed and filtered;
//! the service log refusing a day after today (naming the field); the year's tally counting what
//! the log holds; the expert keeping their own log and not another's; a county coordinator seeing
//! only their county's; the demands matched in the area; concurrent log writers losing nothing.

use crate::helpers::{TestApp, World, credit_code, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::sync::Arc;

/// A second county (龙游县) under the city, and a second expert (in the college).
async fn more(app: &TestApp, w: &World) -> (i64, i64) {
    let county2 = app
        .create(
            "organizations",
            json!({"kind": "government", "name": "龙游县", "region_code": "330825", "parent_id": w.city}),
        )
        .await;
    let expert2 = app
        .create(
            "people",
            json!({"organization_id": w.college, "name": "李明华", "is_expert": true, "discipline": "生物工程"}),
        )
        .await;
    (county2, expert2)
}

fn appointment(person: i64, field: &str, place: Option<i64>, chain: Option<&str>, from: &str, to: &str) -> Value {
    let mut v = json!({"person_id": person, "field": field, "document_no": "衢委人〔2026〕12号",
        "appointed_by": "中共衢州市委组织部", "from_on": from, "to_on": to, "duties": "驻点指导，每年服务不少于30天"});
    if let Some(p) = place {
        v["organization_id"] = json!(p);
    }
    if let Some(c) = chain {
        v["chain"] = json!(c);
    }
    v
}

fn entry(chief: i64, kind: &str, on: &str, hours: Option<i64>, people: Option<i64>) -> Value {
    let mut v = json!({"chief_expert_id": chief, "kind": kind, "served_on": on, "title": format!("{kind} 服务 {on}"), "place": "江山市"});
    if let Some(h) = hours {
        v["hours"] = json!(h);
    }
    if let Some(p) = people {
        v["people_served"] = json!(p);
    }
    v
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["person_name"].as_str().unwrap().to_string())
        .collect()
}

async fn total(app: &TestApp, q: &str) -> i64 {
    let r = app.get(&format!("/api/v1/chief-experts?{q}")).await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text());
    r.json()["total"].as_i64().unwrap()
}

/// Posts an appointment that must be refused naming `field`; returns the message.
async fn refused(app: &TestApp, body: Value, field: &str) -> String {
    let r = app.post("/api/v1/chief-experts", body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", r.text());
    assert!(r.json()["fields"][field].is_string(), "{field}: {}", r.text());
    r.json()["fields"][field].as_str().unwrap().to_string()
}

async fn tally(app: &TestApp, chief: i64, year: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/chief-experts/{chief}/tally?year={year}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn appointments_are_created_then_listed_by_field_county_chain_year_and_status() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let (county2, expert2) = more(&app, &w).await;
    let agri = app
        .create(
            "chief-experts",
            appointment(
                w.person,
                "agriculture",
                Some(w.county),
                Some("食用菌"),
                "2026-01-01",
                "2028-12-31",
            ),
        )
        .await;
    app.create(
        "chief-experts",
        appointment(
            expert2,
            "industry",
            None,
            Some("氟硅新材料"),
            "2025-03-01",
            "2027-02-28",
        ),
    )
    .await;
    app.create(
        "chief-experts",
        appointment(expert2, "agriculture", Some(county2), None, "2020-01-01", "2022-12-31"),
    )
    .await;
    let got = app.get(&format!("/api/v1/chief-experts/{agri}")).await.json();
    assert_eq!(got["status"], "serving");
    assert_eq!(got["organization_name"], "江山市");
    assert_eq!(got["region_code"], "330881");
    assert_eq!(total(&app, "").await, 3);
    assert_eq!(total(&app, "field=industry").await, 1);
    assert_eq!(total(&app, "county=330881").await, 1);
    assert_eq!(
        total(&app, "county=330800").await,
        2,
        "the city's code takes its counties"
    );
    assert_eq!(total(&app, "chain=氟硅").await, 1);
    assert_eq!(total(&app, "status=serving").await, 2);
    assert_eq!(total(&app, "status=ended").await, 1);
    assert_eq!(total(&app, "year=2021").await, 1);
    assert_eq!(total(&app, &format!("person_id={expert2}")).await, 2);
    let x = app.get("/api/v1/chief-experts?field=industry&format=xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    let kind = x.headers["content-type"].to_str().unwrap().to_string();
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(x.bytes.starts_with(b"PK"), "an .xlsx file");
    let r = app.get("/api/v1/chief-experts?status=retired").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["status"].is_string());

    // Refusals name their field.
    let m = refused(
        &app,
        appointment(w.person, "agriculture", None, None, "2026-01-01", "2028-12-31"),
        "organization_id",
    )
    .await;
    assert!(m.contains("产业链"), "{m}");
    refused(
        &app,
        appointment(
            w.person,
            "agriculture",
            Some(w.county),
            None,
            "2026-01-01",
            "2025-12-31",
        ),
        "to_on",
    )
    .await;
    let contact = app
        .create("people", json!({"organization_id": w.enterprise, "name": "企业联系人"}))
        .await;
    refused(
        &app,
        appointment(contact, "industry", Some(w.county), None, "2026-01-01", "2027-12-31"),
        "person_id",
    )
    .await;
    refused(
        &app,
        appointment(
            w.person,
            "industry",
            Some(w.enterprise),
            None,
            "2026-01-01",
            "2027-12-31",
        ),
        "organization_id",
    )
    .await;

    // The pages: the list, the record, and the panel on the person's page.
    let list = app.get("/chief-experts?field=agriculture").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("王建国") && list.text().contains("食用菌"));
    let page = app.get(&format!("/chief-experts/{agri}")).await.text();
    assert!(page.contains("衢委人〔2026〕12号") && page.contains("在任") && page.contains("年度服务统计"));
    let person = app.get(&format!("/people/{}", w.person)).await.text();
    assert!(person.contains("id=\"chief-experts\"") && person.contains(&format!("/chief-experts/{agri}")));
    let other = app.get(&format!("/people/{contact}")).await.text();
    assert!(
        !other.contains("id=\"chief-experts\""),
        "no panel without an appointment"
    );
    let form = app.get("/chief-experts/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("聘任文号") && form.text().contains("王建国"));
}

#[tokio::test]
async fn a_service_dated_after_today_is_refused_and_the_tally_counts_what_the_log_holds() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let chief = app
        .create(
            "chief-experts",
            appointment(
                w.person,
                "agriculture",
                Some(w.county),
                None,
                "2025-01-01",
                "2027-12-31",
            ),
        )
        .await;
    // Today is 2026-06-15 in the tests.
    let r = app
        .post("/api/v1/service-log", entry(chief, "visit", "2026-06-16", None, None))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["served_on"].as_str().unwrap().contains("今天"));
    let r = app
        .post("/api/v1/service-log", entry(chief, "lecture", "2026-06-01", None, None))
        .await;
    assert!(r.json()["fields"]["kind"].is_string());
    let mut ids = Vec::new();
    for (kind, on, hours, people) in [
        ("visit", "2026-06-15", Some(4), None),
        ("visit", "2026-03-02", Some(3), Some(10)),
        ("training", "2026-04-10", Some(2), Some(60)),
        ("problem", "2026-05-20", None, None),
        ("demand", "2026-01-05", Some(1), None),
        // Last year's: not in this year's tally.
        ("training", "2025-11-30", Some(3), Some(40)),
    ] {
        ids.push(app.create("service-log", entry(chief, kind, on, hours, people)).await);
    }
    let t = tally(&app, chief, "2026").await;
    let row = |t: &Value, kind: Value| {
        t.as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap()
            .clone()
    };
    assert_eq!(t.as_array().unwrap().len(), 6, "five kinds and the total");
    let visit = row(&t, json!("visit"));
    assert_eq!((visit["count"].as_i64(), visit["hours"].as_i64()), (Some(2), Some(7)));
    assert_eq!(visit["people_served"], 10);
    assert_eq!(row(&t, json!("training"))["people_served"], 60);
    assert_eq!(row(&t, json!("other"))["count"], 0);
    let total = row(&t, Value::Null);
    assert_eq!((total["count"].as_i64(), total["hours"].as_i64()), (Some(5), Some(10)));
    // The tally follows the log: an archived entry leaves it, a moved one moves with it.
    let r = app
        .post(&format!("/api/v1/service-log/{}/archive", ids[1]), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/service-log/{}", ids[3]),
            json!({"kind": "training", "people_served": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = tally(&app, chief, "2026").await;
    assert_eq!(row(&t, json!("visit"))["count"], 1);
    assert_eq!(row(&t, json!("problem"))["count"], 0);
    assert_eq!(row(&t, json!("training"))["count"], 2);
    assert_eq!(row(&t, json!("training"))["people_served"], 65);
    assert_eq!(row(&t, Value::Null)["count"], 4);
    let log = app
        .get(&format!("/api/v1/service-log?chief_expert_id={chief}&year=2026"))
        .await
        .json();
    assert_eq!(log["total"], 4, "the list holds what the tally counts");
    assert_eq!(
        tally(&app, chief, "2025").await.as_array().unwrap().last().unwrap()["count"],
        1
    );
    // An edit moving an entry after today is refused too.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/service-log/{}", ids[0]),
            json!({"served_on": "2026-07-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["served_on"].is_string());
    // The page shows the year's tally and log; the form refused shows the error beside the date.
    let page = app.get(&format!("/chief-experts/{chief}?year=2026")).await.text();
    assert!(page.contains("走访") && page.contains("training 服务 2026-04-10") && page.contains("合计"));
    assert!(page.contains(&format!("/service-log/new?chief_expert_id={chief}")));
    let form = app
        .form(
            "/service-log/new",
            &[
                ("chief_expert_id", &chief.to_string()),
                ("kind", "visit"),
                ("served_on", "2026-12-01"),
                ("title", "未来的走访"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form.text().contains("服务日期不能晚于今天"), "{}", form.text());
    // A file on an entry.
    let r = app
        .upload(
            "/api/v1/attachments",
            "service_log",
            ids[0],
            "签到表.txt",
            "签到".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let entry_page = app.get(&format!("/service-log/{}", ids[0])).await.text();
    assert!(entry_page.contains("签到表.txt"));
}

#[tokio::test]
async fn the_expert_keeps_their_own_log_and_not_anothers() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let (county2, expert2) = more(&app, &w).await;
    let mine = app
        .create(
            "chief-experts",
            appointment(
                w.person,
                "agriculture",
                Some(w.county),
                None,
                "2026-01-01",
                "2028-12-31",
            ),
        )
        .await;
    let theirs = app
        .create(
            "chief-experts",
            appointment(expert2, "agriculture", Some(county2), None, "2026-01-01", "2028-12-31"),
        )
        .await;
    let their_entry = app
        .create("service-log", entry(theirs, "visit", "2026-05-01", None, None))
        .await;
    let me = app.user("expert", Role::Expert, None, Some(w.person)).await;
    let r = app
        .json_by(
            &me,
            "POST",
            "/api/v1/service-log",
            entry(mine, "training", "2026-06-01", Some(3), Some(30)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let own = r.json()["id"].as_i64().unwrap();
    let r = app
        .json_by(
            &me,
            "POST",
            "/api/v1/service-log",
            entry(theirs, "visit", "2026-06-01", None, None),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["chief_expert_id"].is_string());
    let r = app
        .json_by(
            &me,
            "PATCH",
            &format!("/api/v1/service-log/{own}"),
            json!({"title": "食用菌栽培技术培训"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json_by(
            &me,
            "PATCH",
            &format!("/api/v1/service-log/{their_entry}"),
            json!({"title": "改别人的"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Moving one's entry onto another's appointment is refused as well.
    let r = app
        .json_by(
            &me,
            "PATCH",
            &format!("/api/v1/service-log/{own}"),
            json!({"chief_expert_id": theirs}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The appointment itself is the office's.
    let r = app
        .json_by(
            &me,
            "PATCH",
            &format!("/api/v1/chief-experts/{mine}"),
            json!({"duties": "自己改职责"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let list = app.get_by(&me, "/api/v1/chief-experts").await.json();
    assert_eq!(names(&list), vec!["王建国"]);
    assert_eq!(
        app.get_by(&me, &format!("/api/v1/chief-experts/{theirs}")).await.status,
        StatusCode::NOT_FOUND
    );
    let log = app.get_by(&me, "/api/v1/service-log").await.json();
    assert_eq!(log["total"], 1);
    assert_eq!(
        app.get_by(&me, &format!("/service-log/{their_entry}")).await.status,
        StatusCode::NOT_FOUND
    );
    let page = app.get_by(&me, &format!("/chief-experts/{mine}")).await.text();
    assert!(
        page.contains("食用菌栽培技术培训") && page.contains("登记服务记录"),
        "{}",
        page.split("<main")
            .nth(1)
            .unwrap_or(&page)
            .chars()
            .take(3000)
            .collect::<String>()
    );
    let form = app
        .get_by(&me, &format!("/service-log/new?chief_expert_id={mine}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.text().contains("李明华"), "only their own appointment to choose");
}

#[tokio::test]
async fn a_county_coordinator_sees_and_keeps_only_their_countys_chief_experts() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let (county2, expert2) = more(&app, &w).await;
    let here = app
        .create(
            "chief-experts",
            appointment(
                w.person,
                "agriculture",
                Some(w.county),
                None,
                "2026-01-01",
                "2028-12-31",
            ),
        )
        .await;
    let there = app
        .create(
            "chief-experts",
            appointment(expert2, "agriculture", Some(county2), None, "2026-01-01", "2028-12-31"),
        )
        .await;
    app.create(
        "chief-experts",
        appointment(
            expert2,
            "industry",
            None,
            Some("氟硅新材料"),
            "2026-01-01",
            "2028-12-31",
        ),
    )
    .await;
    let there_entry = app
        .create("service-log", entry(there, "visit", "2026-05-01", None, None))
        .await;
    let c = app.user("coord", Role::Coordinator, Some(w.county), None).await;
    let list = app.get_by(&c, "/api/v1/chief-experts?per_page=50").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], here);
    let page = app.get_by(&c, "/chief-experts").await.text();
    assert!(page.contains("王建国") && !page.contains("李明华"));
    assert_eq!(
        app.get_by(&c, &format!("/api/v1/chief-experts/{there}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_by(&c, &format!("/api/v1/service-log/{there_entry}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get_by(&c, "/api/v1/service-log").await.json()["total"], 0);
    let r = app
        .json_by(
            &c,
            "POST",
            "/api/v1/chief-experts",
            appointment(expert2, "industry", Some(county2), None, "2026-01-01", "2027-12-31"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["organization_id"].is_string());
    let r = app
        .json_by(
            &c,
            "POST",
            "/api/v1/chief-experts",
            appointment(
                expert2,
                "industry",
                Some(w.county),
                Some("氟硅新材料"),
                "2026-01-01",
                "2027-12-31",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .json_by(
            &c,
            "POST",
            "/api/v1/service-log",
            entry(here, "training", "2026-06-10", Some(2), Some(40)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Leaders read all and change nothing.
    let leader = app.user("leader", Role::Leader, None, None).await;
    assert_eq!(app.get_by(&leader, "/api/v1/chief-experts").await.json()["total"], 4);
    let r = app
        .json_by(
            &leader,
            "POST",
            "/api/v1/service-log",
            entry(here, "visit", "2026-06-10", None, None),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_page_shows_the_demands_matched_to_the_expert_in_their_area() {
    let app = spawn_app().await;
    let w = app.seed().await;
    // An enterprise in the county (under it) and the seed's, outside it; a demand of each matched to the expert.
    let local = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山菌业有限公司", "parent_id": w.county, "region_code": "330881",
                "credit_code": credit_code(1), "industry_code": "A01"}),
        )
        .await;
    let mut demands = Vec::new();
    for (ent, title) in [(local, "香菇菌棒烂棒难题"), (w.enterprise, "有机硅副产物利用")] {
        let d = app
            .create(
                "demands",
                json!({"enterprise_id": ent, "title": title, "summary": "技术难题"}),
            )
            .await;
        app.post(&format!("/api/v1/demands/{d}/submit"), json!({})).await;
        for _ in 0..2 {
            let r = app
                .post(&format!("/api/v1/demands/{d}/review"), json!({"decision": "pass"}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
        let r = app
            .post(&format!("/api/v1/demands/{d}/matches"), json!({"person_id": w.person}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        demands.push(d);
    }
    let placed = app
        .create(
            "chief-experts",
            appointment(
                w.person,
                "agriculture",
                Some(w.county),
                Some("食用菌"),
                "2026-01-01",
                "2028-12-31",
            ),
        )
        .await;
    let chain = app
        .create(
            "chief-experts",
            appointment(
                w.person,
                "industry",
                None,
                Some("氟硅新材料"),
                "2026-01-01",
                "2028-12-31",
            ),
        )
        .await;
    let got = app.get(&format!("/api/v1/chief-experts/{placed}/demands")).await.json();
    assert_eq!(got["total"], 1);
    assert_eq!(got["items"][0]["demand_id"], demands[0]);
    assert_eq!(got["items"][0]["enterprise_name"], "江山菌业有限公司");
    let got = app.get(&format!("/api/v1/chief-experts/{chain}/demands")).await.json();
    assert_eq!(got["total"], 2, "a chain alone: every demand matched to them");
    let page = app.get(&format!("/chief-experts/{placed}")).await.text();
    assert!(page.contains("香菇菌棒烂棒难题") && !page.contains("有机硅副产物利用"));
    // A log entry taking the demand links to it.
    let mut e = entry(placed, "demand", "2026-06-01", Some(4), None);
    e["demand_id"] = json!(demands[0]);
    let id = app.create("service-log", e).await;
    let page = app.get(&format!("/service-log/{id}")).await.text();
    assert!(page.contains(&format!("/demands/{}", demands[0])));
    // The expert sees the same panel on their appointment's page.
    let me = app.user("expert", Role::Expert, None, Some(w.person)).await;
    let got = app
        .get_by(&me, &format!("/api/v1/chief-experts/{placed}/demands"))
        .await
        .json();
    assert_eq!(got["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_log_writers_keep_every_entry() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let chief = app
        .create(
            "chief-experts",
            appointment(
                w.person,
                "agriculture",
                Some(w.county),
                None,
                "2026-01-01",
                "2028-12-31",
            ),
        )
        .await;
    let me = app.user("expert", Role::Expert, None, Some(w.person)).await;
    let app = Arc::new(app);
    let (clients, each) = (8usize, 5usize);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (app, me) = (app.clone(), me.clone());
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for n in 0..each {
                let body = entry(chief, "visit", &format!("2026-0{}-1{}", 1 + c % 5, n), Some(1), Some(2));
                // Half the clients are the expert, half the office.
                let r = if c % 2 == 0 {
                    app.json_by(&me, "POST", "/api/v1/service-log", body).await
                } else {
                    app.post("/api/v1/service-log", body).await
                };
                got.push(r.status);
            }
            got
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.extend(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED), "{statuses:?}");
    let log = app
        .get(&format!("/api/v1/service-log?chief_expert_id={chief}&per_page=100"))
        .await
        .json();
    assert_eq!(log["total"], (clients * each) as i64);
    let t = app
        .get(&format!("/api/v1/chief-experts/{chief}/tally?year=2026"))
        .await
        .json();
    let total = t.as_array().unwrap().last().unwrap().clone();
    assert_eq!(total["count"], (clients * each) as i64);
    assert_eq!(total["hours"], (clients * each) as i64);
    assert_eq!(total["people_served"], (2 * clients * each) as i64);
}
