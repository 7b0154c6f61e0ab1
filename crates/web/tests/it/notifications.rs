//! The notification centre as its users live it: a review, a match and a decision each tell the
//! right accounts and nobody else; the header counts what is unread; a notification is its owner's
//! alone; preferences refuse what is wrong by name; the day's digest is one email per account,
//! through a real SMTP exchange, carrying only the kinds chosen; and many writers at once.

use crate::helpers::{Session, TestApp, credit_code, spawn_app};
use crate::reminders::{smtp_sink, text_of};
use axum::http::StatusCode;
use hezuo_app::reminders::{Mailer, run_once};
use hezuo_domain::access::Role;
use serde_json::{Value, json};

/// An enterprise with its account, an expert with theirs, a unit with its account, and a second
/// enterprise whose account must hear nothing.
struct Cast {
    ent: i64,
    expert: i64,
    college: i64,
    ent_user: Session,
    expert_user: Session,
    unit_user: Session,
    other_user: Session,
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
    let other = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "开化硅业有限公司", "region_code": "330824",
                   "industry_code": "C26", "credit_code": credit_code(32)}),
        )
        .await;
    let expert = app
        .create(
            "people",
            json!({"organization_id": w.college, "name": "王氟", "is_expert": true, "discipline": "环境科学与工程",
                   "email": "wangfu@zjut.example"}),
        )
        .await;
    Cast {
        ent,
        expert,
        college: w.college,
        ent_user: app.user("jsfluor", Role::Enterprise, Some(ent), None).await,
        expert_user: app.user("wangfu", Role::Expert, None, Some(expert)).await,
        unit_user: app.user("college", Role::Unit, Some(w.college), None).await,
        other_user: app.user("kaihua", Role::Enterprise, Some(other), None).await,
    }
}

async fn list(app: &TestApp, s: &Session, query: &str) -> Value {
    let r = app.get_by(s, &format!("/api/v1/notifications{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn subjects(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["subject"].as_str().unwrap().to_string())
        .collect()
}

/// A demand of `ent`, submitted and through both review stages.
async fn accepted_demand(app: &TestApp, ent: i64, title: &str) -> i64 {
    let id = app
        .create(
            "demands",
            json!({"enterprise_id": ent, "title": title, "summary": "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺"}),
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

#[tokio::test]
async fn reviews_matches_and_decisions_tell_the_accounts_concerned_and_nobody_else() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = accepted_demand(&app, c.ent, "含氟废水除氟").await;

    // Two reviews (screened, then accepted): the enterprise hears both, newest first.
    let got = list(&app, &c.ent_user, "").await;
    assert_eq!(got["total"], 2, "{got}");
    assert_eq!(got["unread"], 2);
    let s = subjects(&got);
    assert!(s[0].contains("含氟废水除氟") && s[0].contains("已受理"), "{s:?}");
    assert_eq!(got["items"][0]["kind"], "review");
    assert_eq!(got["items"][0]["link"], format!("/demands/{d}"));

    // The office confirms the expert: the expert and the enterprise hear of the match.
    let r = app
        .post(
            &format!("/api/v1/demands/{d}/matches"),
            json!({"person_id": c.expert, "note": "王老师做过同类项目"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let e = list(&app, &c.expert_user, "?kind=match").await;
    assert_eq!(e["total"], 1, "{e}");
    assert!(e["items"][0]["body"].as_str().unwrap().contains("王老师做过同类项目"));
    assert_eq!(list(&app, &c.ent_user, "?kind=match").await["total"], 1);

    // A decision handed to the college: its unit account hears of it.
    let event = app
        .create(
            "events",
            json!({"kind": "consultation", "title": "氟化工专题会商", "held_on": "2026-03-02", "organizer_id": c.college}),
        )
        .await;
    let dec = app
        .create(
            "decisions",
            json!({"event_id": event, "title": "两周内提交除氟中试方案", "owner_id": c.college, "due_on": "2026-12-31"}),
        )
        .await;
    let u = list(&app, &c.unit_user, "").await;
    assert_eq!(u["total"], 1, "{u}");
    assert_eq!(u["items"][0]["kind"], "decision");
    assert_eq!(u["items"][0]["link"], format!("/decisions/{dec}"));
    // An edit that keeps the owner tells nobody again.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/decisions/{dec}"),
            json!({"title": "三周内提交除氟中试方案"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(list(&app, &c.unit_user, "").await["total"], 1);

    // The other enterprise heard nothing, and the office caused it all: told nothing either.
    assert_eq!(list(&app, &c.other_user, "").await["total"], 0);
    assert_eq!(list(&app, &c.other_user, "").await["unread"], 0);

    // The header counts the unread; opening one marks it read and goes where it points.
    let home = app.get_by(&c.ent_user, "/").await.text();
    assert!(
        home.contains("id=\"bell\"") && home.contains("未读 3"),
        "{}",
        &home[..home.len().min(3000)]
    );
    let first = list(&app, &c.ent_user, "").await["items"][0].clone();
    let id = first["id"].as_i64().unwrap();
    let r = app
        .form_as(&c.ent_user, &format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), first["link"].as_str().unwrap());
    assert_eq!(list(&app, &c.ent_user, "?unread=true").await["total"], 2);

    // Nobody reads or marks another's notification: it is not there for them.
    let r = app
        .json_by(
            &c.other_user,
            "POST",
            &format!("/api/v1/notifications/{id}/read"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .form_as(&c.other_user, &format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // All read at once; the page then says so.
    let r = app
        .json_by(&c.ent_user, "POST", "/api/v1/notifications/read-all", json!({}))
        .await;
    assert_eq!(r.json()["read"], 2);
    let page = app.get_by(&c.ent_user, "/notifications?unread=true").await.text();
    assert!(page.contains("没有未读通知"), "{page}");
    let page = app.get_by(&c.ent_user, "/notifications").await.text();
    assert!(page.contains("含氟废水除氟") && page.contains("新的匹配"), "{page}");

    // A kind that does not exist is refused by name.
    let r = app.get_by(&c.ent_user, "/api/v1/notifications?kind=fax").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["kind"].as_str().unwrap().contains("fax"));
}

#[tokio::test]
async fn preferences_are_ones_own_and_refuse_what_is_wrong_by_name() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let p = app
        .get_by(&c.ent_user, "/api/v1/notifications/preferences")
        .await
        .json();
    assert_eq!(p["digest_hour"], 8);
    assert_eq!(
        p["email_kinds"].as_array().unwrap().len(),
        6,
        "all kinds by default: {p}"
    );

    let r = app
        .json_by(
            &c.ent_user,
            "PUT",
            "/api/v1/notifications/preferences",
            json!({"email": "not-an-address", "email_kinds": ["match", "fax"], "digest_hour": 25}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &r.json()["fields"];
    assert!(f["email"].as_str().unwrap().contains("not-an-address"), "{f}");
    assert!(f["email_kinds"].as_str().unwrap().contains("fax"));
    assert!(f["digest_hour"].as_str().unwrap().contains("0 到 23"));

    let r = app
        .json_by(
            &c.ent_user,
            "PUT",
            "/api/v1/notifications/preferences",
            json!({"email": "zhou@jsfluor.example", "email_kinds": ["match", "review"], "digest_hour": 17}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["email_kinds"], json!(["review", "match"]));
    // The other account's stay as they were.
    let other = app
        .get_by(&c.other_user, "/api/v1/notifications/preferences")
        .await
        .json();
    assert_eq!(other["digest_hour"], 8);

    // The page's form: a bad address is shown again with what is wrong beside it.
    let r = app
        .form_as(
            &c.ent_user,
            "/notifications/preferences",
            &[
                ("email", "zhou at example"),
                ("email_kinds", "message"),
                ("digest_hour", "9"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("err-pref-email") && html.contains("zhou at example"),
        "{html}"
    );
    let r = app
        .form_as(
            &c.ent_user,
            "/notifications/preferences",
            &[
                ("email", ""),
                ("email_kinds", "message"),
                ("email_kinds", "decision"),
                ("digest_hour", "9"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let p = app
        .get_by(&c.ent_user, "/api/v1/notifications/preferences")
        .await
        .json();
    assert_eq!(
        p,
        json!({"email": null, "email_kinds": ["message", "decision"], "digest_hour": 9})
    );
}

#[tokio::test]
async fn the_day_brings_one_digest_per_account_with_only_the_kinds_chosen_and_never_a_second() {
    let (port, inbox) = smtp_sink().await;
    let mut app = spawn_app().await;
    // A fixed day: the store's "now" is 10:00 in China.
    app.set_today("2026-03-02");
    let c = cast(&app).await;
    app.json_by(
        &c.ent_user,
        "PUT",
        "/api/v1/notifications/preferences",
        json!({"email": "zhou@jsfluor.example", "email_kinds": ["match"], "digest_hour": 9}),
    )
    .await;
    // The expert wants theirs at 18:00: not yet.
    app.json_by(
        &c.expert_user,
        "PUT",
        "/api/v1/notifications/preferences",
        json!({"digest_hour": 18}),
    )
    .await;
    let d = accepted_demand(&app, c.ent, "含氟废水除氟").await;
    app.post(&format!("/api/v1/demands/{d}/matches"), json!({"person_id": c.expert}))
        .await;

    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "市校合作平台 <noreply@hezuo.example>",
    )
    .unwrap()
    .with_base_url("https://hezuo.example/");
    let s = run_once(&app.store, Some(&mailer), &[7, 1]).await.unwrap();
    assert_eq!(s.digests, 1, "the enterprise only: {s:?}");
    {
        let got = inbox.lock().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, vec!["<zhou@jsfluor.example>"]);
        let text = text_of(&got[0].1);
        assert!(text.contains("协调办为技术需求“含氟废水除氟”确认了一条匹配"), "{text}");
        assert!(text.contains(&format!("https://hezuo.example/demands/{d}")), "{text}");
        assert!(
            !text.contains("审核结果"),
            "reviews are not emailed to this account: {text}"
        );
    }
    // The notifications it carried say so; the reviews stay unemailed, in the platform.
    let items = list(&app, &c.ent_user, "").await;
    for n in items["items"].as_array().unwrap() {
        assert_eq!(n["emailed_at"].is_null(), n["kind"] != "match", "{n}");
    }
    // The same day again, with something new: nothing more today.
    let d2 = accepted_demand(&app, c.ent, "有机硅单体合成").await;
    app.post(&format!("/api/v1/demands/{d2}/matches"), json!({"person_id": c.expert}))
        .await;
    let s = run_once(&app.store, Some(&mailer), &[7, 1]).await.unwrap();
    assert_eq!(s.digests, 0);
    assert_eq!(inbox.lock().unwrap().len(), 1);

    // The next day at 10:00 both digests are due: the enterprise's one new match, and the
    // expert's two matches in one email (their hour was passed yesterday only in the morning).
    app.set_today("2026-03-03");
    app.json_by(
        &c.expert_user,
        "PUT",
        "/api/v1/notifications/preferences",
        json!({"digest_hour": 10}),
    )
    .await;
    let s = run_once(&app.store, Some(&mailer), &[7, 1]).await.unwrap();
    assert_eq!(s.digests, 2, "{s:?}");
    let got = inbox.lock().unwrap().clone();
    let to_expert = got
        .iter()
        .find(|m| m.0 == vec!["<wangfu@zjut.example>"])
        .expect("the expert's person email is used when the account has none of its own");
    let text = text_of(&to_expert.1);
    assert!(
        text.contains("含氟废水除氟") && text.contains("有机硅单体合成") && text.contains("【新的匹配】"),
        "{text}"
    );
    let to_ent: Vec<_> = got.iter().filter(|m| m.0 == vec!["<zhou@jsfluor.example>"]).collect();
    assert_eq!(to_ent.len(), 2, "one a day");
    assert!(text_of(&to_ent[1].1).contains("有机硅单体合成"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_writers_at_once_lose_no_notification_and_answer_no_5xx() {
    let app = std::sync::Arc::new(spawn_app().await);
    let c = cast(&app).await;
    let demands: Vec<i64> = {
        let mut v = Vec::new();
        for k in 0..6 {
            v.push(accepted_demand(&app, c.ent, &format!("需求{k}")).await);
        }
        v
    };
    // Reviews told the enterprise 12 times. Now, at once: six matches confirmed (each telling the
    // enterprise and the expert), the enterprise marking everything read and its preferences
    // saved over and over, and the expert reading their list.
    let mut tasks = Vec::new();
    for d in demands.clone() {
        let a = app.clone();
        let expert = c.expert;
        tasks.push(tokio::spawn(async move {
            a.post(&format!("/api/v1/demands/{d}/matches"), json!({"person_id": expert}))
                .await
                .status
        }));
    }
    for k in 0..6 {
        let a = app.clone();
        let s = c.ent_user.clone();
        tasks.push(tokio::spawn(async move {
            if k % 2 == 0 {
                a.json_by(&s, "POST", "/api/v1/notifications/read-all", json!({}))
                    .await
                    .status
            } else {
                a.json_by(
                    &s,
                    "PUT",
                    "/api/v1/notifications/preferences",
                    json!({"digest_hour": k}),
                )
                .await
                .status
            }
        }));
        let a = app.clone();
        let s = c.expert_user.clone();
        tasks.push(tokio::spawn(async move {
            a.get_by(&s, "/api/v1/notifications").await.status
        }));
    }
    for t in tasks {
        let status = t.await.unwrap();
        assert!(status.is_success(), "{status}");
    }
    assert_eq!(
        list(&app, &c.ent_user, "").await["total"],
        18,
        "12 reviews and 6 matches"
    );
    assert_eq!(list(&app, &c.expert_user, "").await["total"], 6);
    let hour = app
        .get_by(&c.ent_user, "/api/v1/notifications/preferences")
        .await
        .json()["digest_hour"]
        .as_i64()
        .unwrap();
    assert!([1, 3, 5].contains(&hour), "one of the writes won whole: {hour}");
}
