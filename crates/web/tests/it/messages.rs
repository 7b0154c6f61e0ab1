//! Messages on a demand and on its matches, as each party lives them: who is in which thread (the
//! enterprise, the matched experts before and after accepting, another expert, another enterprise,
//! the office, a coordinator, a leader, a unit), read receipts, edits inside and after ten minutes
//! with the earlier text kept, the audit log, search, files, the pages' forms, and many people
//! posting, reading and editing at once.

use crate::helpers::{Session, TestApp, credit_code, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::sync::Arc;

/// The demand's enterprise and another, two experts matched to the demand (one match each), and
/// the accounts of every role.
struct Cast {
    demand: i64,
    match_a: i64,
    match_b: i64,
    office: Session,
    ent: Session,
    other_ent: Session,
    expert_a: Session,
    expert_b: Session,
    coordinator: Session,
    leader: Session,
    unit: Session,
    other_demand: i64,
}

async fn cast(app: &TestApp) -> Cast {
    let w = app.seed().await;
    let ent = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山氟材料有限公司", "region_code": "330881", "parent_id": w.county,
                   "industry_code": "C26", "credit_code": credit_code(31)}),
        )
        .await;
    let other_ent = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "开化硅业有限公司", "region_code": "330824",
                   "industry_code": "C26", "credit_code": credit_code(32)}),
        )
        .await;
    let expert = |name: &'static str| async move {
        app.create(
            "people",
            json!({"organization_id": w.college, "name": name, "is_expert": true, "discipline": "环境科学与工程"}),
        )
        .await
    };
    let (pa, pb) = (expert("王氟").await, expert("陈硅").await);
    let demand = accepted(app, ent, "含氟废水深度处理").await;
    let other_demand = accepted(app, other_ent, "有机硅废渣利用").await;
    let confirm = |p: i64| async move {
        let r = app
            .post(&format!("/api/v1/demands/{demand}/matches"), json!({"person_id": p}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["id"].as_i64().unwrap()
    };
    let (match_a, match_b) = (confirm(pa).await, confirm(pb).await);
    Cast {
        demand,
        match_a,
        match_b,
        office: app.office.clone(),
        ent: app.user("qiye", Role::Enterprise, Some(ent), None).await,
        other_ent: app.user("qiye2", Role::Enterprise, Some(other_ent), None).await,
        expert_a: app.user("wangfu", Role::Expert, None, Some(pa)).await,
        expert_b: app.user("chengui", Role::Expert, None, Some(pb)).await,
        coordinator: app.user("jiangshan", Role::Coordinator, Some(w.county), None).await,
        leader: app.user("lingdao", Role::Leader, None, None).await,
        unit: app.user("xueyuan", Role::Unit, Some(w.college), None).await,
        other_demand,
    }
}

/// A demand submitted and accepted through both review stages, with confidential details.
async fn accepted(app: &TestApp, ent: i64, title: &str) -> i64 {
    let id = app
        .create(
            "demands",
            json!({"enterprise_id": ent, "title": title, "summary": "出水氟离子不达标", "details": "机密：日均废水三百吨"}),
        )
        .await;
    app.post(&format!("/api/v1/demands/{id}/submit"), json!({})).await;
    for _ in 0..2 {
        let r = app
            .post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "pass"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    id
}

async fn post(app: &TestApp, s: &Session, thread: (&str, i64), body: &str) -> crate::helpers::Res {
    app.json_by(s, "POST", "/api/v1/messages", json!({thread.0: thread.1, "body": body}))
        .await
}

async fn posted(app: &TestApp, s: &Session, thread: (&str, i64), body: &str) -> i64 {
    let r = post(app, s, thread, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

async fn list(app: &TestApp, s: &Session, thread: (&str, i64)) -> crate::helpers::Res {
    app.get_by(s, &format!("/api/v1/messages?{}={}", thread.0, thread.1))
        .await
}

fn bodies(r: &Value) -> Vec<String> {
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn each_party_sees_and_writes_only_the_threads_it_is_in() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = ("demand_id", c.demand);
    let (ma, mb) = (("match_id", c.match_a), ("match_id", c.match_b));
    posted(&app, &c.office, d, "请企业补充水质数据").await;
    posted(&app, &c.ent, ma, "王老师您好，想约时间面谈").await;
    posted(&app, &c.ent, mb, "陈老师您好").await;

    // The enterprise: its demand's thread and both its matches' threads.
    for t in [d, ma, mb] {
        assert_eq!(list(&app, &c.ent, t).await.status, StatusCode::OK);
    }
    // The matched expert, before accepting: the demand's thread and their own match's, not the
    // other expert's; the demand's confidential part stays hidden, as today.
    let r = list(&app, &c.expert_a, d).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(bodies(&r.json()), ["请企业补充水质数据"]);
    assert_eq!(
        bodies(&list(&app, &c.expert_a, ma).await.json()),
        ["王老师您好，想约时间面谈"]
    );
    let r = list(&app, &c.expert_a, mb).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap().contains("不在这个沟通中"));
    let demand = app
        .get_by(&c.expert_a, &format!("/api/v1/demands/{}", c.demand))
        .await
        .json();
    assert!(demand["details"].is_null(), "{demand}");
    // …once accepted, the details too.
    let r = app
        .json_by(
            &c.expert_a,
            "POST",
            &format!("/api/v1/matches/{}/status", c.match_a),
            json!({"status": "accepted"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let demand = app
        .get_by(&c.expert_a, &format!("/api/v1/demands/{}", c.demand))
        .await
        .json();
    assert_eq!(demand["details"], "机密：日均废水三百吨");
    assert_eq!(list(&app, &c.expert_a, mb).await.status, StatusCode::FORBIDDEN);
    // The other expert: the demand's thread (matched to it) and their own match's only.
    assert_eq!(list(&app, &c.expert_b, d).await.status, StatusCode::OK);
    assert_eq!(list(&app, &c.expert_b, mb).await.status, StatusCode::OK);
    assert_eq!(list(&app, &c.expert_b, ma).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        post(&app, &c.expert_b, ma, "我也想参与").await.status,
        StatusCode::FORBIDDEN
    );
    // Another enterprise, a unit: none of them; not even a message by its id, nor a thread that
    // does not exist (the same 403, so existence does not leak).
    for s in [&c.other_ent, &c.unit] {
        for t in [d, ma, mb, ("demand_id", 999_999)] {
            let r = list(&app, s, t).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{t:?}: {}", r.text());
        }
        assert_eq!(post(&app, s, d, "你好").await.status, StatusCode::FORBIDDEN);
        let threads = app.get_by(s, "/api/v1/messages/threads").await.json();
        assert_eq!(threads["total"], 0, "{threads}");
        let page = app.get_by(s, "/messages").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("您还没有参与任何沟通") && !page.text().contains("含氟废水"));
    }
    let first = list(&app, &c.ent, d).await.json()["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        app.get_by(&c.other_ent, &format!("/api/v1/messages/{first}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_by(&c.other_ent, &format!("/messages/match/{}", c.match_a))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The other enterprise's own demand is its thread, and nobody else's there.
    posted(&app, &c.other_ent, ("demand_id", c.other_demand), "硅渣样品已寄出").await;
    assert_eq!(
        list(&app, &c.ent, ("demand_id", c.other_demand)).await.status,
        StatusCode::FORBIDDEN
    );
    // The county's coordinator: the demands of its subtree, where it may write too.
    for t in [d, ma, mb] {
        assert_eq!(list(&app, &c.coordinator, t).await.status, StatusCode::OK);
    }
    posted(&app, &c.coordinator, d, "县里可以协调场地").await;
    assert_eq!(
        list(&app, &c.coordinator, ("demand_id", c.other_demand)).await.status,
        StatusCode::FORBIDDEN,
        "开化 is not under 江山"
    );
    // The leader reads every thread and writes nothing: no post, no edit, no receipt.
    for t in [d, ma, mb, ("demand_id", c.other_demand)] {
        assert_eq!(list(&app, &c.leader, t).await.status, StatusCode::OK);
    }
    assert_eq!(post(&app, &c.leader, d, "阅").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.json_by(&c.leader, "POST", &format!("/api/v1/messages/{first}/read"), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let page = app.get_by(&c.leader, &format!("/demands/{}", c.demand)).await.text();
    assert!(
        page.contains("请企业补充水质数据") && !page.contains("id=\"message\""),
        "no post form"
    );
    // The office: everything; the threads page counts each thread.
    let threads = app.get_by(&c.office, "/api/v1/messages/threads").await.json();
    assert_eq!(threads["total"], 4, "{threads}");
    let threads = app.get_by(&c.expert_a, "/api/v1/messages/threads").await.json();
    assert_eq!(threads["total"], 2, "the demand's and their own match's: {threads}");
}

#[tokio::test]
async fn read_receipts_say_who_read_each_message_and_the_threads_count_what_is_unread() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let ma = ("match_id", c.match_a);
    let id = posted(&app, &c.ent, ma, "附件是水质报告").await;
    posted(&app, &c.ent, ma, "请查收").await;
    // Unread by the expert: counted on their threads page and in the API.
    let threads = app.get_by(&c.expert_a, "/api/v1/messages/threads").await.json();
    assert_eq!(threads["items"][0]["unread"], 2, "{threads}");
    let page = app.get_by(&c.expert_a, "/messages").await.text();
    assert!(page.contains("2 条未读"), "{page}");
    let m = app.get_by(&c.ent, &format!("/api/v1/messages/{id}")).await.json();
    assert_eq!(m["read_by"].as_array().unwrap().len(), 1, "only its author: {m}");
    assert_eq!(m["read"], true);
    // One message read by the API, then the whole thread by opening its page.
    let r = app
        .json_by(&c.expert_a, "POST", &format!("/api/v1/messages/{id}/read"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let readers: Vec<String> = r.json()["read_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["username"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(readers, ["qiye", "wangfu"]);
    assert_eq!(
        app.get_by(&c.expert_a, "/api/v1/messages/threads").await.json()["items"][0]["unread"],
        1
    );
    let page = app.get_by(&c.expert_a, &format!("/messages/match/{}", c.match_a)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        app.get_by(&c.expert_a, "/api/v1/messages/threads").await.json()["items"][0]["unread"],
        0
    );
    // The enterprise sees that the expert read both, by name; the office has not: still unread for it.
    let page = app
        .get_by(&c.ent, &format!("/messages/match/{}", c.match_a))
        .await
        .text();
    assert_eq!(page.matches("已读：wangfu").count(), 2, "{page}");
    let office = app.get_by(&c.office, "/api/v1/messages/threads").await.json();
    assert_eq!(office["items"][0]["unread"], 2, "{office}");
    // Marking a thread read through the API: the office's two receipts, once.
    let r = app
        .json_by(
            &c.office,
            "POST",
            "/api/v1/messages/read",
            json!({"match_id": c.match_a}),
        )
        .await;
    assert_eq!(r.json()["marked"], 2, "{}", r.text());
    let r = app
        .json_by(
            &c.office,
            "POST",
            "/api/v1/messages/read",
            json!({"match_id": c.match_a}),
        )
        .await;
    assert_eq!(r.json()["marked"], 0);
    // Someone outside the thread cannot mark it.
    let r = app
        .json_by(
            &c.expert_b,
            "POST",
            "/api/v1/messages/read",
            json!({"match_id": c.match_a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .json_by(&c.expert_b, "POST", &format!("/api/v1/messages/{id}/read"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_author_edits_within_ten_minutes_and_every_earlier_text_is_kept() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = ("demand_id", c.demand);
    let id = posted(&app, &c.ent, d, "周三下午可以来厂").await;
    let patch = |s: &Session, body: &str| {
        let (s, body) = (s.clone(), body.to_string());
        let app = &app;
        async move {
            app.json_by(&s, "PATCH", &format!("/api/v1/messages/{id}"), json!({"body": body}))
                .await
        }
    };
    app.store.advance_clock(chrono::Duration::minutes(4));
    let r = patch(&c.ent, "周四下午可以来厂").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["edits"][0]["body"], "周三下午可以来厂");
    // Nobody else edits it, not even the office.
    for s in [&c.office, &c.expert_a, &c.coordinator] {
        let r = patch(s, "改掉").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert!(r.json()["error"].as_str().unwrap().contains("只有发送人"));
    }
    assert_eq!(patch(&c.leader, "改掉").await.status, StatusCode::FORBIDDEN);
    assert_eq!(patch(&c.other_ent, "改掉").await.status, StatusCode::NOT_FOUND);
    let r = patch(&c.ent, "  ").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["body"].is_string());
    // At ten minutes it still may; a second later it may not: 409, in Chinese, nothing changed.
    app.store.advance_clock(chrono::Duration::minutes(6));
    let r = patch(&c.ent, "周四下午三点可以来厂").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.store.advance_clock(chrono::Duration::seconds(1));
    let r = patch(&c.ent, "周五").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(
        r.json()["fields"]["body"].as_str().unwrap().contains("超过 10 分钟"),
        "{}",
        r.text()
    );
    let m = app.get_by(&c.expert_a, &format!("/api/v1/messages/{id}")).await.json();
    assert_eq!(m["body"], "周四下午三点可以来厂");
    let earlier: Vec<&str> = m["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"].as_str().unwrap())
        .collect();
    assert_eq!(earlier, ["周三下午可以来厂", "周四下午可以来厂"]);
    assert_eq!(m["editable"], false);
    // On the pages: 已编辑 in the thread, the earlier versions on the message's page, and the
    // edit form refused there with the reason.
    let page = app.get_by(&c.expert_a, &format!("/demands/{}", c.demand)).await.text();
    assert!(
        page.contains("周四下午三点可以来厂") && page.contains("已编辑"),
        "{page}"
    );
    let page = app.get_by(&c.expert_a, &format!("/messages/{id}")).await.text();
    assert!(
        page.contains("周三下午可以来厂") && page.contains("周四下午可以来厂"),
        "{page}"
    );
    let r = app
        .form_as(&c.ent, &format!("/messages/{id}/edit"), &[("body", "周六")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("超过 10 分钟") && r.text().contains("周六"));
    // A fresh message is editable from the page, and the page says so.
    let fresh = posted(&app, &c.ent, d, "样品已寄出").await;
    let page = app.get_by(&c.ent, &format!("/demands/{}", c.demand)).await.text();
    assert!(page.contains(&format!("/messages/{fresh}#edit")), "{page}");
    let r = app
        .form_as(
            &c.ent,
            &format!("/messages/{fresh}/edit"),
            &[("body", "样品已顺丰寄出")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), format!("/demands/{}#comments", c.demand));
}

#[tokio::test]
async fn posts_edits_and_readings_are_in_the_audit_log() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let id = posted(&app, &c.ent, ("match_id", c.match_a), "第一版").await;
    app.json_by(
        &c.ent,
        "PATCH",
        &format!("/api/v1/messages/{id}"),
        json!({"body": "第二版"}),
    )
    .await;
    app.json_by(&c.expert_a, "POST", &format!("/api/v1/messages/{id}/read"), json!({}))
        .await;
    let log = app
        .get(&format!("/api/v1/audit?record_kind=message&record_id={id}"))
        .await
        .json();
    let entries: Vec<(String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["username"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [("create", "qiye"), ("update", "qiye"), ("read", "wangfu")] {
        assert!(
            entries.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} in {entries:?}"
        );
    }
    let update = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "update")
        .unwrap();
    let changes: Value = serde_json::from_str(update["changes"].as_str().unwrap()).unwrap();
    assert_eq!(changes["body"], json!(["第一版", "第二版"]));
    // A refused post leaves nothing.
    let before = app.get("/api/v1/audit?record_kind=message").await.json()["total"].clone();
    post(&app, &c.leader, ("match_id", c.match_a), "不应出现").await;
    post(&app, &c.ent, ("match_id", c.match_a), "").await;
    assert_eq!(
        app.get("/api/v1/audit?record_kind=message").await.json()["total"],
        before
    );
}

#[tokio::test]
async fn messages_are_found_by_those_in_the_thread_and_by_no_one_else() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    posted(&app, &c.ent, ("match_id", c.match_a), "反渗透膜浓水回用方案").await;
    let search = |s: &Session| {
        let s = s.clone();
        let app = &app;
        async move {
            app.get_by(&s, &format!("/api/v1/search?q={}", urlencoding::encode("浓水回用")))
                .await
                .json()
        }
    };
    for s in [&c.ent, &c.expert_a, &c.office, &c.coordinator, &c.leader] {
        let r = search(s).await;
        assert_eq!(r["total"], 1, "{r}");
        assert_eq!(r["items"][0]["kind"], "message", "{r}");
    }
    for s in [&c.expert_b, &c.other_ent, &c.unit] {
        let r = search(s).await;
        assert_eq!(r["total"], 0, "no hit, no count: {r}");
        let page = app
            .get_by(s, &format!("/search?q={}", urlencoding::encode("浓水回用")))
            .await
            .text();
        assert!(!page.contains("浓水回用方案"), "{page}");
    }
}

#[tokio::test]
async fn files_go_with_a_message_and_reach_only_its_thread() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let r = app
        .multipart_by(
            &c.ent,
            "/api/v1/messages",
            &[("match_id", &c.match_a.to_string()), ("body", "水质报告见附件")],
            "水质报告.txt",
            "氟离子 1200 mg/L".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let m = r.json();
    let file = m["attachments"][0]["id"].as_i64().unwrap();
    assert_eq!(m["attachments"][0]["filename"], "水质报告.txt");
    let content = format!("/api/v1/attachments/{file}/content");
    let r = app.get_by(&c.expert_a, &content).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "氟离子 1200 mg/L");
    for s in [&c.expert_b, &c.other_ent, &c.unit] {
        assert_eq!(app.get_by(s, &content).await.status, StatusCode::NOT_FOUND);
    }
    // The thread's page links it; a file of a refused type is refused with the message.
    let page = app
        .get_by(&c.expert_a, &format!("/messages/match/{}", c.match_a))
        .await
        .text();
    assert!(page.contains(&content) && page.contains("水质报告.txt"));
    let r = app
        .multipart_by(
            &c.ent,
            "/api/v1/messages",
            &[("match_id", &c.match_a.to_string()), ("body", "程序")],
            "run.exe",
            b"MZ\x90\x00\x03\x00\x00\x00",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["file"].is_string());
    // A message's files come with it; they are not added afterwards through /attachments.
    let r = app
        .upload_as(
            &c.ent,
            "/api/v1/attachments",
            "message",
            m["id"].as_i64().unwrap(),
            "x.txt",
            b"x",
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text());
}

#[tokio::test]
async fn the_pages_post_as_plain_forms_and_show_a_refusal_beside_the_field() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let r = app
        .form_as(
            &c.ent,
            "/messages",
            &[("demand_id", &c.demand.to_string()), ("body", "请问何时可以上门")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), format!("/demands/{}#comments", c.demand));
    let page = app.get_by(&c.expert_a, &format!("/demands/{}", c.demand)).await.text();
    assert!(page.contains("请问何时可以上门") && page.contains("沟通消息"));
    let r = app
        .form_as(
            &c.expert_a,
            "/messages",
            &[("match_id", &c.match_a.to_string()), ("body", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("field-error"), "{}", r.text());
    let r = app
        .form_as(
            &c.expert_a,
            "/messages",
            &[("match_id", &c.match_a.to_string()), ("body", "明天上午")],
        )
        .await;
    assert_eq!(r.location(), format!("/messages/match/{}", c.match_a));
    // The demand's page links each match's thread; the menu has the threads page.
    let page = app.get_by(&c.ent, &format!("/demands/{}", c.demand)).await.text();
    assert!(page.contains(&format!("/messages/match/{}", c.match_a)), "{page}");
    assert!(page.contains("href=\"/messages\""));
    let page = app.get_by(&c.ent, "/messages").await.text();
    assert!(
        page.contains("含氟废水深度处理 — 王氟") && page.contains("1 条未读"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_people_posting_reading_and_editing_at_once_lose_nothing() {
    let app = Arc::new(spawn_app().await);
    let c = Arc::new(cast(&app).await);
    let ma = c.match_a;
    // One message each of the two sides will keep editing.
    let ent_msg = posted(&app, &c.ent, ("match_id", ma), "v0").await;
    let mut tasks = Vec::new();
    for w in 0..6usize {
        let (app, c) = (app.clone(), c.clone());
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for n in 0..5usize {
                let s = match w % 3 {
                    0 => &c.ent,
                    1 => &c.expert_a,
                    _ => &c.office,
                };
                let r = post(&app, s, ("match_id", ma), &format!("w{w}-n{n}")).await;
                statuses.push(r.status);
                let r = app
                    .json_by(s, "POST", "/api/v1/messages/read", json!({"match_id": ma}))
                    .await;
                statuses.push(r.status);
                if w % 3 == 0 {
                    let r = app
                        .json_by(
                            s,
                            "PATCH",
                            &format!("/api/v1/messages/{ent_msg}"),
                            json!({"body": format!("edit-w{w}-n{n}")}),
                        )
                        .await;
                    statuses.push(r.status);
                }
                statuses.push(list(&app, s, ("match_id", ma)).await.status);
            }
            statuses
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert!(all.iter().all(|s| s.is_success()), "{all:?}");
    let r = app
        .get(&format!("/api/v1/messages?match_id={ma}&per_page=200"))
        .await
        .json();
    assert_eq!(r["total"], 31, "{r}");
    let got: std::collections::HashSet<String> = bodies(&r).into_iter().collect();
    for w in 0..6 {
        for n in 0..5 {
            assert!(got.contains(&format!("w{w}-n{n}")), "w{w}-n{n} lost");
        }
    }
    // Ten edits: each kept, in order, none lost.
    let m = app.get(&format!("/api/v1/messages/{ent_msg}")).await.json();
    let edits = m["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 10, "{m}");
    assert_eq!(edits[0]["body"], "v0");
    let mut texts: Vec<String> = edits
        .iter()
        .skip(1)
        .map(|e| e["body"].as_str().unwrap().to_string())
        .collect();
    texts.push(m["body"].as_str().unwrap().to_string());
    assert_eq!(texts.iter().collect::<std::collections::HashSet<_>>().len(), 10);
    // Everyone who read the thread last has read everything that was there: the office reads now.
    let r = app
        .json_by(&c.office, "POST", "/api/v1/messages/read", json!({"match_id": ma}))
        .await;
    assert!(r.status.is_success());
    let threads = app.get_by(&c.office, "/api/v1/messages/threads").await.json();
    assert_eq!(threads["items"][0]["unread"], 0, "{threads}");
}
