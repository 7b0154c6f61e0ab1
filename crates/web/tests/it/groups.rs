//! Coordination bodies (协调机构) through the API and the pages: refusals named in Chinese, the
//! tree of bodies, members' terms (add, end, remove; a term ending before it begins is a 422
//! naming `to_on`), the roster of a year, the panel on a person's page, who may keep a body, and
//! members added at the same time by many clients all kept.

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

async fn body(app: &TestApp, name: &str, kind: &str, parent: Option<i64>) -> i64 {
    app.create("groups", json!({"name": name, "kind": kind, "parent_id": parent}))
        .await
}

async fn person(app: &TestApp, org: i64, name: &str) -> i64 {
    app.create("people", json!({"organization_id": org, "name": name}))
        .await
}

async fn add(app: &TestApp, group: i64, person: i64, post: &str, from: &str, to: Option<&str>) -> i64 {
    let r = app
        .post(
            &format!("/api/v1/groups/{group}/members"),
            json!({"person_id": person, "post": post, "from_on": from, "to_on": to}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

/// A county–college agreement between the seed's county (江山市) and its college.
async fn agreement(app: &TestApp, w: &World) -> i64 {
    app.create(
        "agreements",
        json!({"title": "江山市—化学工程学院县院合作协议", "kind": "county_college", "signed_on": "2007-03-01",
               "party_ids": [w.county, w.college]}),
    )
    .await
}

#[tokio::test]
async fn a_body_is_kept_through_the_api_with_each_refusal_named_in_chinese() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app.post("/api/v1/groups", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(field(&e, "name"), "此项为必填项", "{e}");
    assert!(!field(&e, "kind").is_empty());
    let r = app
        .post("/api/v1/groups", json!({"name": "小组", "kind": "team"}))
        .await;
    assert!(field(&r.json(), "kind").contains("专门工作小组"), "{}", r.text());
    let a = agreement(&app, &w).await;
    let r = app
        .post(
            "/api/v1/groups",
            json!({"name": "产业合作专门工作小组", "kind": "working", "agreement_id": a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field(&r.json(), "agreement_id"),
        "只有合作小组（县院合作）可以关联合作协议"
    );
    let r = app
        .post(
            "/api/v1/groups",
            json!({"name": "办公室", "kind": "office", "parent_id": 99999}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "parent_id").contains("99999"));

    let r = app
        .post(
            "/api/v1/groups",
            json!({"name": "市校全面合作领导小组", "kind": "leading", "remit": "统筹市校全面合作", "established_on": "2024-03-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let leading = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.location(), format!("/api/v1/groups/{leading}"));
    assert_eq!(r.json()["kind"], "leading");
    let committee = body(&app, "市校全面合作协调委员会", "committee", Some(leading)).await;
    let office = body(&app, "协调委员会办公室", "office", Some(committee)).await;
    let team = app
        .create(
            "groups",
            json!({"name": "江山市—化工学院合作小组", "kind": "partnership", "parent_id": committee, "agreement_id": a}),
        )
        .await;
    // The leading group cannot sit under its own office.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/groups/{leading}"),
            json!({"parent_id": office}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "parent_id").contains("循环"), "{}", r.text());
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/groups/{leading}"),
            json!({"remit": "统筹协调"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["established_on"], "2024-03-01", "fields not sent stay");

    let ids = |q: &str| {
        let app = &app;
        let uri = format!("/api/v1/groups?per_page=50&{q}");
        async move {
            let r = app.get(&uri).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
            let j = r.json();
            assert!(j["total"].is_i64() && j["page"].is_i64() && j["per_page"].is_i64());
            let mut v: Vec<i64> = j["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["id"].as_i64().unwrap())
                .collect();
            v.sort();
            v
        }
    };
    assert_eq!(ids("").await, vec![leading, committee, office, team]);
    assert_eq!(ids("kind=partnership").await, vec![team]);
    assert_eq!(ids(&format!("parent_id={committee}")).await, vec![office, team]);
    assert_eq!(ids(&format!("agreement_id={a}")).await, vec![team]);
    assert_eq!(ids("q=委员会").await, vec![committee, office]);
    assert_eq!(
        app.get("/api/v1/groups?kind=team").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let p = person(&app, w.college, "李文澜").await;
    add(&app, leading, p, "组长", "2024-03-01", None).await;
    assert_eq!(ids(&format!("person_id={p}")).await, vec![leading]);
    assert_eq!(ids(&format!("organization_id={}", w.college)).await, vec![leading]);
    // The list as a spreadsheet.
    let r = app.get("/api/v1/groups?format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.bytes.starts_with(b"PK"), "an .xlsx file");

    app.post(&format!("/api/v1/groups/{office}/archive"), json!({})).await;
    assert_eq!(ids("").await, vec![leading, committee, team]);
    let audit = app
        .get(&format!("/api/v1/audit?record_kind=group&record_id={leading}"))
        .await
        .json();
    assert!(audit["total"].as_i64().unwrap() >= 3, "{audit}");
}

#[tokio::test]
async fn members_serve_terms_that_end_and_a_term_ending_before_it_begins_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let g = body(&app, "人才交流专门工作小组", "working", None).await;
    let uri = format!("/api/v1/groups/{g}/members");
    let r = app
        .post(
            &uri,
            json!({"person_id": w.person, "post": "联络员", "from_on": "2026-03-01", "to_on": "2026-02-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field(&r.json(), "to_on"),
        "任期结束日期（2026-02-01）不能早于开始日期（2026-03-01）"
    );
    let r = app.post(&uri, json!({"post": "成员"})).await;
    assert!(!field(&r.json(), "person_id").is_empty());
    let r = app.post(&uri, json!({"person_id": 99999, "post": "成员"})).await;
    assert!(field(&r.json(), "person_id").contains("99999"));
    assert_eq!(app.get(&uri).await.json()["total"], 0, "nothing written");

    let m = add(&app, g, w.person, "联络员", "2024-03-01", None).await;
    let other = person(&app, w.city, "周海峰").await;
    add(&app, g, other, "组长", "2024-03-01", None).await;
    let list = app.get(&uri).await.json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["person_name"], "王建国", "in the order added");
    assert_eq!(
        list["items"][0]["organization_name"], "化学工程学院",
        "their own organisation"
    );
    assert_eq!(list["items"][1]["position"], 1);
    // Ending a term before it began is refused the same way, in the API and on the page.
    let end = format!("{uri}/{m}/end");
    let r = app.post(&end, json!({"to_on": "2024-02-01"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field(&r.json(), "to_on"),
        "任期结束日期（2024-02-01）不能早于开始日期（2024-03-01）"
    );
    let r = app.post(&end, json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!field(&r.json(), "to_on").is_empty());
    let r = app
        .form(&format!("/groups/{g}/members/{m}/end"), &[("to_on", "2024-02-01")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不能早于开始日期"), "{}", r.text());
    let r = app
        .form(&format!("/groups/{g}/members/{m}/end"), &[("to_on", "2026-05-31")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app.post(&end, json!({"to_on": "2026-05-31"})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["to_on"], "2026-05-31");
    // The group page: members with their terms; the person's page: the panel, current and past.
    let page = app.get(&format!("/groups/{g}")).await.text();
    for words in [
        "人才交流专门工作小组",
        "专门工作小组",
        "成员",
        "王建国",
        "联络员",
        "2024-03-01 至 2026-05-31",
        "已离任",
        "周海峰",
        "在任",
        "新增成员",
        "结束任期",
        "下设机构",
        "操作留痕",
    ] {
        assert!(page.contains(words), "{words}");
    }
    // Only the open term (周海峰's) offers to end it; the ended one does not.
    assert_eq!(page.matches("/end\"").count(), 1, "an ended term is not ended again");
    let p = app.get(&format!("/people/{}", w.person)).await.text();
    assert!(p.contains("所在协调机构") && p.contains("人才交流专门工作小组") && p.contains("已离任"));
    let p = app.get(&format!("/people/{other}")).await.text();
    assert!(p.contains("所在协调机构") && p.contains("在任"));
    // Members added through the page's form; a refused one shown again beside its field.
    let r = app
        .form(
            &format!("/groups/{g}/members/new"),
            &[("person_id", &w.person.to_string()), ("post", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("此项为必填项"));
    let r = app
        .form(
            &format!("/groups/{g}/members/new"),
            &[
                ("person_id", &w.person.to_string()),
                ("post", "成员"),
                ("from_on", "2026-09-01"),
                ("organization_id", &w.uni.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = app.get(&uri).await.json();
    assert_eq!(list["total"], 3, "serving again is a second term");
    assert_eq!(list["items"][2]["organization_name"], "浙江工业大学");
    // Removing a term entered by mistake.
    let third = list["items"][2]["id"].as_i64().unwrap();
    let r = app.form(&format!("/groups/{g}/members/{third}/remove"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.post(&format!("{uri}/{third}/remove"), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&uri).await.json()["total"], 2);
}

#[tokio::test]
async fn the_roster_of_a_year_shows_who_serves_in_which_body_and_who_left() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let leading = body(&app, "市校全面合作领导小组", "leading", None).await;
    let working = body(&app, "产业合作专门工作小组", "working", Some(leading)).await;
    let mayor = person(&app, w.city, "徐立新").await;
    let doctor = person(&app, w.college, "陈博士").await;
    add(&app, leading, mayor, "组长", "2024-03-01", None).await;
    add(&app, working, w.person, "副组长", "2024-03-01", None).await;
    add(&app, working, doctor, "联络员", "2024-03-01", Some("2026-04-30")).await;
    add(&app, working, mayor, "顾问", "2019-01-01", Some("2023-12-31")).await;

    let r = app.get("/api/v1/groups/roster?year=2026").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["year"], 2026);
    let bodies = j["bodies"].as_array().unwrap();
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        bodies[0]["group_name"], "市校全面合作领导小组",
        "the leading group first"
    );
    assert_eq!(bodies[1]["serving"].as_array().unwrap().len(), 1);
    assert_eq!(bodies[1]["left"][0]["person_name"], "陈博士");
    assert_eq!(
        (j["serving_people"].as_i64(), j["left_people"].as_i64()),
        (Some(2), Some(1))
    );
    // Without a year: this year (2026-06-15 in the tests).
    assert_eq!(app.get("/api/v1/groups/roster").await.json()["year"], 2026);
    let r = app.get("/api/v1/groups/roster?year=2023").await.json();
    assert_eq!(r["bodies"][0]["group_name"], "产业合作专门工作小组");
    assert_eq!(r["bodies"][0]["left"][0]["post"], "顾问");
    let r = app.get("/api/v1/groups/roster?year=20x6").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "year").contains("20x6"));

    let page = app.get("/groups/roster?year=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    let t = page.text();
    for words in [
        "协调机构年度成员名单 2026",
        "市校全面合作领导小组",
        "徐立新",
        "陈博士",
        "离任 2026-04-30",
        "年内离任人数",
    ] {
        assert!(t.contains(words), "{words}");
    }
    assert!(!t.contains("顾问"), "a term ended in 2023 is not in 2026's roster");
    let t = app.get("/groups/roster?year=2010").await.text();
    assert!(t.contains("该年度没有人在协调机构任职"));
    let en = app.get("/groups/roster?year=2026&lang=en").await.text();
    assert!(
        en.contains("Coordination bodies&#39; roster 2026") && en.contains("Serving"),
        "{en}"
    );
}

#[tokio::test]
async fn every_role_reads_the_bodies_and_a_coordinator_keeps_only_partnership_teams_of_their_agreements() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let a = agreement(&app, &w).await;
    let leading = body(&app, "市校全面合作领导小组", "leading", None).await;
    let team = app
        .create(
            "groups",
            json!({"name": "江山市—化工学院合作小组", "kind": "partnership", "agreement_id": a}),
        )
        .await;
    // Another county's agreement and team.
    let other_county = app
        .create(
            "organizations",
            json!({"kind": "government", "name": "龙游县", "region_code": "330825", "parent_id": w.city}),
        )
        .await;
    let b = app
        .create(
            "agreements",
            json!({"title": "龙游县—浙江工业大学县校合作协议", "kind": "county_college", "signed_on": "2008-03-01",
                   "party_ids": [other_county, w.uni]}),
        )
        .await;
    let far = app
        .create(
            "groups",
            json!({"name": "龙游县—浙工大合作小组", "kind": "partnership", "agreement_id": b}),
        )
        .await;
    let coord = app.user("js-coord", Role::Coordinator, Some(w.county), None).await;
    let unit = app.user("unit", Role::Unit, Some(w.college), None).await;
    let leader = app.user("leader", Role::Leader, None, None).await;
    let expert = app.user("expert", Role::Expert, None, Some(w.person)).await;
    for s in [&coord, &unit, &leader, &expert] {
        assert_eq!(app.get_by(s, "/api/v1/groups").await.json()["total"], 3);
        for id in [leading, team, far] {
            assert_eq!(
                app.get_by(s, &format!("/api/v1/groups/{id}")).await.status,
                StatusCode::OK
            );
            assert_eq!(app.get_by(s, &format!("/groups/{id}")).await.status, StatusCode::OK);
            assert_eq!(
                app.get_by(s, &format!("/api/v1/groups/{id}/members")).await.status,
                StatusCode::OK
            );
        }
        assert_eq!(app.get_by(s, "/groups/roster").await.status, StatusCode::OK);
    }
    let patch = |s, id: i64| {
        let app = &app;
        async move {
            app.json_by(s, "PATCH", &format!("/api/v1/groups/{id}"), json!({"remit": "改"}))
                .await
        }
    };
    assert_eq!(patch(&coord, team).await.status, StatusCode::OK);
    let r = patch(&coord, far).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"].as_str().unwrap().contains("合作小组"), "{}", r.text());
    assert_eq!(patch(&coord, leading).await.status, StatusCode::FORBIDDEN);
    for s in [&unit, &leader, &expert] {
        assert_eq!(patch(s, team).await.status, StatusCode::FORBIDDEN);
    }
    // Members: only where the body is theirs.
    let member = json!({"person_id": w.person, "post": "副组长", "from_on": "2024-01-01"});
    let r = app
        .json_by(
            &coord,
            "POST",
            &format!("/api/v1/groups/{team}/members"),
            member.clone(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "a college's expert sits in the county's team: {}",
        r.text()
    );
    let r = app
        .json_by(
            &coord,
            "POST",
            &format!("/api/v1/groups/{leading}/members"),
            member.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .json_by(&unit, "POST", &format!("/api/v1/groups/{team}/members"), member)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A new body from a coordinator: a partnership team of an agreement of theirs, nothing else.
    let r = app
        .json_by(
            &coord,
            "POST",
            "/api/v1/groups",
            json!({"name": "江山工作组", "kind": "working"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json(), "kind").contains("协调办"));
    let r = app
        .json_by(
            &coord,
            "POST",
            "/api/v1/groups",
            json!({"name": "龙游小组", "kind": "partnership", "agreement_id": b}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!field(&r.json(), "agreement_id").is_empty());
    let r = app
        .json_by(
            &coord,
            "POST",
            "/api/v1/groups",
            json!({"name": "江山第二合作小组", "kind": "partnership", "agreement_id": a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // The pages offer only what the store allows.
    let page = app.get_by(&coord, &format!("/groups/{far}")).await.text();
    assert!(!page.contains("id=\"edit-record\"") && !page.contains("新增成员"));
    let page = app.get_by(&coord, &format!("/groups/{team}")).await.text();
    assert!(page.contains("id=\"edit-record\"") && page.contains("新增成员"));
    assert_eq!(
        app.get_by(&coord, &format!("/groups/{far}/members/new")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get_by(&unit, "/groups/new").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_pages_show_chinese_labels_empty_states_and_english() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let t = app.get("/groups").await.text();
    assert!(
        t.contains("协调机构") && t.contains("暂无协调机构") && t.contains("年度成员名单"),
        "{t}"
    );
    let form = app.get("/groups/new").await.text();
    for words in [
        "机构名称",
        "领导小组",
        "协调委员会",
        "办公室",
        "专门工作小组",
        "合作小组",
        "上级机构",
        "职责",
    ] {
        assert!(form.contains(words), "{words}");
    }
    let r = app.form("/groups/new", &[("name", ""), ("kind", "working")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("此项为必填项"));
    let r = app
        .form(
            "/groups/new",
            &[
                ("name", "文化旅游专门工作小组"),
                ("kind", "working"),
                ("remit", "推动文旅融合"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let page = app.get(&format!("/groups/{id}")).await.text();
    for words in [
        "文化旅游专门工作小组",
        "职责",
        "推动文旅融合",
        "尚无成员",
        "无下设机构",
        "附件",
    ] {
        assert!(page.contains(words), "{words}");
    }
    assert!(page.contains("召开的会议") && page.contains("尚无本机构的会议记录"));
    // A meeting of the body shows on its page.
    app.create(
        "events",
        json!({"title": "文化旅游专门工作小组第一次会议", "kind": "group_meeting", "held_on": "2026-06-01", "group_id": id}),
    )
    .await;
    let page = app.get(&format!("/groups/{id}")).await.text();
    assert!(
        page.contains("文化旅游专门工作小组第一次会议"),
        "the body's meeting is not on its page"
    );
    let en = app.get(&format!("/groups/{id}?lang=en")).await.text();
    assert!(en.contains("Working group") && en.contains("Members"), "{en}");
    let p = app.get(&format!("/people/{}", w.person)).await.text();
    assert!(p.contains("所在协调机构") && p.contains("未在任何协调机构任职"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn members_added_at_the_same_time_on_one_body_are_all_kept() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let g = body(&app, "产业合作专门工作小组", "working", None).await;
    let (clients, each) = (6, 4);
    let mut people = Vec::new();
    for k in 0..clients * each {
        people.push(person(&app, w.college, &format!("成员{k}")).await);
    }
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let app = app.clone();
        let mine: Vec<i64> = people[c * each..(c + 1) * each].to_vec();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for p in mine {
                let r = app
                    .post(
                        &format!("/api/v1/groups/{g}/members"),
                        json!({"person_id": p, "post": "成员", "from_on": "2026-01-01"}),
                    )
                    .await;
                statuses.push(r.status);
            }
            statuses
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert!(all.iter().all(|s| *s == StatusCode::CREATED), "{all:?}");
    let list = app.get(&format!("/api/v1/groups/{g}/members")).await.json();
    assert_eq!(list["total"], clients * each, "every member kept");
    let mut got: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["person_id"].as_i64().unwrap())
        .collect();
    got.sort();
    assert_eq!(got, people);
    let mut positions: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["position"].as_i64().unwrap())
        .collect();
    positions.sort();
    positions.dedup();
    assert_eq!(positions.len(), clients * each, "each in a place of its own");
}
