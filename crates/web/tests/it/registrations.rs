//! Enterprise self-registration through the router, on whichever backend runs: the refusals of the
//! form (each naming its field in Chinese, the form shown again with what was typed), the proof of
//! work and the per-address limit, the email code through a real SMTP exchange, what a pending
//! account reaches, and the decisions — by the office, by the county's coordinator, refused to
//! another county's, a rejection's reason shown to the applicant, and decisions racing each other.

use crate::helpers::{Res, Session, TestApp, World, credit_code, spawn_app};
use crate::reminders::{smtp_sink, text_of};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT_IP: AtomicU32 = AtomicU32::new(1);

/// An address of its own for each applicant, so the per-address limit counts only what a test means.
fn fresh_ip() -> [u8; 4] {
    let n = NEXT_IP.fetch_add(1, Ordering::SeqCst) + std::process::id() % 200 * 1000;
    [10, (n >> 16) as u8, (n >> 8) as u8, n as u8]
}

fn application(n: u32) -> Value {
    json!({
        "name": format!("衢州自助注册企业{n}有限公司"),
        "credit_code": credit_code(900 + n),
        "industry_code": "C26",
        "region_code": "330881",
        "contact_name": "周建平",
        "phone": "13905700001",
        "email": format!("apply{n}@example.cn"),
        "password": "a-long-applicant-password",
    })
}

/// A challenge from the server, solved as the page's script would.
async fn solved(app: &TestApp) -> (String, String) {
    let r = app
        .send_as(
            None,
            Request::get("/api/v1/registrations/challenge")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let c = r.json()["challenge"].as_str().unwrap().to_string();
    let n = hezuo_app::pow::solve(&c);
    (c, n)
}

/// Applies through the API from `ip` with the proof of work solved.
async fn apply_from(app: &TestApp, mut body: Value, ip: [u8; 4]) -> Res {
    if body.get("pow_challenge").is_none() {
        let (c, n) = solved(app).await;
        body["pow_challenge"] = json!(c);
        body["pow_nonce"] = json!(n);
    }
    let mut req = Request::post("/api/v1/registrations")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 50000))));
    app.send_raw(req).await
}

async fn apply(app: &TestApp, body: Value) -> Res {
    apply_from(app, body, fresh_ip()).await
}

/// The applicant's session from the answer to an application.
fn session_of(r: &Res) -> Session {
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    Session {
        cookie: set.split(';').next().unwrap().to_string(),
        csrf: r.json()["csrf_token"].as_str().unwrap().to_string(),
    }
}

/// Files an application that must be accepted; (its id, the applicant's session).
async fn filed(app: &TestApp, n: u32) -> (i64, Session) {
    let r = apply(app, application(n)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (r.json()["registration"]["id"].as_i64().unwrap(), session_of(&r))
}

/// The seed world, and a second county (龙游县) beside 江山市.
async fn world(app: &TestApp) -> (World, i64) {
    let w = app.seed().await;
    let other = app
        .create(
            "organizations",
            json!({"kind": "government", "name": "龙游县", "region_code": "330825", "parent_id": w.city}),
        )
        .await;
    (w, other)
}

/// The form as a browser sends it, from `ip`, with the proof of work solved unless `pow` is given.
async fn form_from(app: &TestApp, pairs: &[(&str, &str)], ip: [u8; 4]) -> Res {
    let (c, n) = solved(app).await;
    let mut all: Vec<(&str, &str)> = vec![("pow_challenge", &c), ("pow_nonce", &n)];
    for (k, v) in pairs {
        all.retain(|(x, _)| x != k);
        all.push((k, v));
    }
    let mut req = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 50000))));
    app.send_raw(req).await
}

#[tokio::test]
async fn a_duplicate_credit_code_is_refused_naming_who_holds_it() {
    let app = spawn_app().await;
    world(&app).await;
    // An organisation holds it (the seed's enterprise).
    let mut body = application(1);
    body["credit_code"] = json!(crate::helpers::VALID_CREDIT_CODE);
    let r = apply(&app, body).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let m = r.json()["fields"]["credit_code"].as_str().unwrap().to_string();
    assert!(m.contains("已被") && m.contains("衢州氟硅新材料有限公司"), "{m}");
    // Another pending application holds it; the form shows the refusal with what was typed.
    filed(&app, 2).await;
    let code = credit_code(902);
    let r = form_from(
        &app,
        &[
            ("name", "另一家企业有限公司"),
            ("credit_code", &code),
            ("industry_code", "C26"),
            ("region_code", "330881"),
            ("contact_name", "李四"),
            ("phone", "13800000000"),
            ("email", "li@example.cn"),
            ("password", "a-long-password-1"),
            ("password_again", "a-long-password-1"),
        ],
        fresh_ip(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let page = r.text();
    assert!(page.contains("另一份注册申请"), "{page}");
    assert!(page.contains("value=\"另一家企业有限公司\"") && page.contains("value=\"li@example.cn\""));
    assert!(!page.contains("a-long-password-1"), "a password is never sent back");
}

#[tokio::test]
async fn a_code_failing_its_check_character_and_a_county_outside_the_city_are_refused_by_field() {
    let app = spawn_app().await;
    world(&app).await;
    let mut body = application(3);
    let good = credit_code(903);
    let bad_check = if good.ends_with('0') {
        format!("{}1", &good[..17])
    } else {
        format!("{}0", &good[..17])
    };
    body["credit_code"] = json!(bad_check);
    body["region_code"] = json!("330106");
    let r = apply(&app, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let j = r.json();
    assert!(j["fields"]["credit_code"].as_str().unwrap().contains("校验位"), "{j}");
    let county = j["fields"]["region_code"].as_str().unwrap();
    assert!(county.contains("西湖区") && county.contains("不在衢州市"), "{county}");
    // The form: the county list is the city's, and the refusal comes back beside the field.
    let page = app
        .send_as(None, Request::get("/register").body(Body::empty()).unwrap())
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("江山市") && !page.text().contains("西湖区"));
    let r = form_from(
        &app,
        &[
            ("name", "杭州企业"),
            ("credit_code", &good),
            ("industry_code", "C26"),
            ("region_code", "330106"),
            ("contact_name", "李四"),
            ("phone", "13800000000"),
            ("email", "li@example.cn"),
            ("password", "a-long-password-1"),
        ],
        fresh_ip(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text();
    assert!(
        t.contains("id=\"err-region_code\"") && t.contains("不在衢州市范围内"),
        "{t}"
    );
    assert!(t.contains("value=\"杭州企业\""));
    // Nothing was written: no account by that code.
    assert!(app.store.user_by_name(&good).await.unwrap().is_none());
}

#[tokio::test]
async fn a_bad_proof_of_work_is_refused_and_a_used_challenge_is_not_taken_twice() {
    let app = spawn_app().await;
    world(&app).await;
    let (c, n) = solved(&app).await;
    let mut body = application(4);
    body["pow_challenge"] = json!(c);
    body["pow_nonce"] = json!("x");
    let r = apply(&app, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["pow_nonce"].as_str().unwrap().contains("防机器人"));
    // A forged challenge (its difficulty lowered) fails its signature.
    let forged = c.replacen(".16.", ".1.", 1);
    body["pow_challenge"] = json!(forged);
    body["pow_nonce"] = json!(hezuo_app::pow::solve(&forged));
    assert_eq!(apply(&app, body.clone()).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    body["pow_challenge"] = json!(c);
    body["pow_nonce"] = json!(n);
    assert_eq!(apply(&app, body.clone()).await.status, StatusCode::CREATED);
    // The same solved challenge again, for another enterprise.
    let mut again = application(5);
    again["pow_challenge"] = json!(c);
    again["pow_nonce"] = json!(n);
    let r = apply(&app, again).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["pow_nonce"].as_str().unwrap().contains("已使用"));
}

#[tokio::test]
async fn one_address_sending_too_many_applications_is_told_to_wait() {
    let app = spawn_app().await;
    world(&app).await;
    let ip = fresh_ip();
    for i in 0..hezuo_web::registrations::PER_ADDRESS as u32 {
        // Refused ones count too: a robot's guesses are what the limit is for.
        let mut body = application(10 + i);
        body["email"] = json!("not an address");
        assert_eq!(
            apply_from(&app, body, ip).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let r = apply_from(&app, application(30), ip).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.json()["error"].as_str().unwrap().contains("提交过于频繁"));
    let wait: u64 = r.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 600);
    // The page too; another address is not held up.
    let r = form_from(&app, &[("name", "x")], ip).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(apply(&app, application(31)).await.status, StatusCode::CREATED);
}

/// The app of `app`'s store, sending mail to the sink on `port`.
fn with_mail(app: &mut TestApp, port: u16) {
    let mut state = hezuo_web::AppState::new(app.store.clone());
    state.mailer = Some(
        hezuo_app::mail::Mailer::new(&format!("smtp://127.0.0.1:{port}"), "市校合作平台 <noreply@example.cn>").unwrap(),
    );
    app.app = hezuo_web::app(state);
}

fn code_in(text: &str) -> String {
    let at = text.find("验证码：").expect("a code in the mail") + "验证码：".len();
    text[at..].chars().take(6).collect()
}

#[tokio::test]
async fn the_email_is_verified_by_the_code_sent_over_smtp_with_wrong_tries_and_resends_limited() {
    let (port, inbox) = smtp_sink().await;
    let mut app = spawn_app().await;
    world(&app).await;
    with_mail(&mut app, port);
    let r = apply(&app, application(40)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["mail"], "sent");
    let me = session_of(&r);
    let mail = inbox.lock().unwrap().clone();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].0[0].contains("apply40@example.cn"));
    let code = code_in(&text_of(&mail[0].1));
    assert_eq!(code.len(), 6);
    // Asking again at once is too soon.
    let r = app
        .json_by(&me, "POST", "/api/v1/registrations/mine/resend", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    // A wrong code counts down; the right one verifies.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = app
        .json_by(&me, "POST", "/api/v1/registrations/mine/verify", json!({"code": wrong}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["code"].as_str().unwrap().contains("还可尝试 4 次"));
    let r = app.form_as(&me, "/register/verify", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get_by(&me, "/register/status").await;
    assert!(page.text().contains("id=\"email-verified\""), "{}", page.text());
    let mine = app.get_by(&me, "/api/v1/registrations/mine").await.json();
    assert!(mine["email_verified_at"].is_string());
    // Five wrong tries lock a code (another applicant).
    let r = apply(&app, application(41)).await;
    let other = session_of(&r);
    let code = {
        let mail = inbox.lock().unwrap().clone();
        code_in(&text_of(&mail.last().unwrap().1))
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        app.json_by(
            &other,
            "POST",
            "/api/v1/registrations/mine/verify",
            json!({"code": wrong}),
        )
        .await;
    }
    let r = app
        .json_by(
            &other,
            "POST",
            "/api/v1/registrations/mine/verify",
            json!({"code": code}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["code"].as_str().unwrap().contains("已失效"));
}

#[tokio::test]
async fn without_mail_the_page_says_so_and_the_office_sees_the_email_unverified() {
    let app = spawn_app().await;
    world(&app).await;
    let page = app
        .send_as(None, Request::get("/register").body(Body::empty()).unwrap())
        .await;
    assert!(page.text().contains("id=\"no-mail\""));
    let r = apply(&app, application(42)).await;
    assert_eq!(r.json()["mail"], "none");
    assert!(r.json()["message"].as_str().unwrap().contains("电话"));
    let id = r.json()["registration"]["id"].as_i64().unwrap();
    let list = app.get("/registrations").await.text();
    assert!(list.contains("未验证，须电话核实"), "{list}");
    // Approving one whose email is not verified needs the phone call ticked.
    let r = app
        .post(&format!("/api/v1/registrations/{id}/approve"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["fields"]["phone_checked"]
            .as_str()
            .unwrap()
            .contains("电话核实")
    );
}

#[tokio::test]
async fn a_pending_account_sees_only_its_own_application() {
    let app = spawn_app().await;
    world(&app).await;
    let (_, me) = filed(&app, 50).await;
    let r = app.get_by(&me, "/projects").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/register/status");
    assert_eq!(app.get_by(&me, "/").await.location(), "/register/status");
    for uri in [
        "/api/v1/projects",
        "/api/v1/organizations",
        "/api/v1/me",
        "/api/v1/registrations",
    ] {
        let r = app.get_by(&me, uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(r.json()["error"].as_str().unwrap().contains("尚未通过审核"));
    }
    let r = app.json_by(&me, "POST", "/api/v1/demands", json!({"title": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = app.get_by(&me, "/register/status").await;
    assert_eq!(page.status, StatusCode::OK);
    let t = page.text();
    assert!(t.contains("待审核") && t.contains("衢州自助注册企业50有限公司") && t.contains("13905700001"));
    // It signs in with the credit code and its password.
    assert!(
        app.login(&credit_code(950), "a-long-applicant-password")
            .await
            .is_some()
    );
    let mine = app.get_by(&me, "/api/v1/registrations/mine").await;
    assert_eq!(mine.json()["status"], "pending");
}

#[tokio::test]
async fn the_office_approves_and_the_account_becomes_the_enterprise_under_its_county() {
    let (port, inbox) = smtp_sink().await;
    let mut app = spawn_app().await;
    let (w, _) = world(&app).await;
    with_mail(&mut app, port);
    let (id, me) = filed(&app, 60).await;
    let r = app
        .form(&format!("/registrations/{id}/approve"), &[("phone_checked", "on")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let reg = app.get(&format!("/api/v1/registrations/{id}")).await.json();
    assert_eq!(reg["status"], "approved");
    let org = reg["organization_id"].as_i64().unwrap();
    let o = app.get(&format!("/api/v1/organizations/{org}")).await.json();
    assert_eq!(o["parent_id"], w.county);
    assert_eq!(o["kind"], "enterprise");
    assert_eq!(o["credit_code"], credit_code(960));
    let p = app
        .get(&format!("/api/v1/people/{}", reg["person_id"].as_i64().unwrap()))
        .await
        .json();
    assert_eq!(p["name"], "周建平");
    // The applicant's account now works as the enterprise.
    let r = app.get_by(&me, &format!("/api/v1/organizations/{org}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get_by(&me, "/api/v1/projects").await.status, StatusCode::OK);
    let meu = app.get_by(&me, "/api/v1/me").await.json();
    assert_eq!(meu["role"], "enterprise");
    assert_eq!(meu["organization_id"], org);
    assert!(
        inbox
            .lock()
            .unwrap()
            .iter()
            .any(|(_, m)| text_of(m).contains("已通过审核"))
    );
    // Decided once: a second approval is a conflict, not a second enterprise.
    let r = app
        .post(
            &format!("/api/v1/registrations/{id}/approve"),
            json!({"phone_checked": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_countys_coordinator_approves_and_another_countys_is_refused() {
    let app = spawn_app().await;
    let (w, other) = world(&app).await;
    let ours = app.user("coord-js", Role::Coordinator, Some(w.county), None).await;
    let theirs = app.user("coord-ly", Role::Coordinator, Some(other), None).await;
    let (id, _) = filed(&app, 70).await;
    // The other county's coordinator neither lists it nor may decide it.
    let list = app.get_by(&theirs, "/api/v1/registrations").await.json();
    assert_eq!(list["total"], 0);
    let r = app
        .json_by(
            &theirs,
            "POST",
            &format!("/api/v1/registrations/{id}/approve"),
            json!({"phone_checked": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"].as_str().unwrap().contains("不在您负责的区县"));
    let r = app
        .json_by(
            &theirs,
            "POST",
            &format!("/api/v1/registrations/{id}/reject"),
            json!({"reason": "不行"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Units, enterprises and experts never read applications.
    let unit = app.user("unit-x", Role::Unit, Some(w.county), None).await;
    assert_eq!(
        app.get_by(&unit, "/api/v1/registrations").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get_by(&unit, "/registrations").await.status, StatusCode::FORBIDDEN);
    // Ours lists it on the page and approves it.
    let page = app.get_by(&ours, "/registrations").await;
    assert!(page.text().contains("衢州自助注册企业70有限公司"));
    let r = app
        .json_by(
            &ours,
            "POST",
            &format!("/api/v1/registrations/{id}/approve"),
            json!({"phone_checked": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["decided_by"], "coord-js");
    let org = r.json()["organization_id"].as_i64().unwrap();
    assert_eq!(
        app.get_by(&ours, &format!("/api/v1/organizations/{org}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_rejection_needs_a_reason_which_the_applicant_reads() {
    let app = spawn_app().await;
    world(&app).await;
    let (id, me) = filed(&app, 80).await;
    let r = app
        .form(&format!("/registrations/{id}/reject"), &[("reason", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("必填"));
    let r = app
        .post(
            &format!("/api/v1/registrations/{id}/reject"),
            json!({"reason": "营业执照名称与填写不一致"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = app.get_by(&me, "/register/status").await.text();
    assert!(
        page.contains("未通过") && page.contains("营业执照名称与填写不一致"),
        "{page}"
    );
    // Still pending as an account: nothing else opens.
    assert_eq!(app.get_by(&me, "/api/v1/projects").await.status, StatusCode::FORBIDDEN);
    // Applying again with the same code is allowed once rejected (the old account retired).
    let r = apply(&app, application(80)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(app.get_by(&me, "/register/status").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approvals_and_rejections_racing_decide_each_application_once() {
    let app = spawn_app().await;
    world(&app).await;
    let app = Arc::new(app);
    for round in 0..3u32 {
        let (id, _) = filed(&app, 90 + round).await;
        let mut tasks = Vec::new();
        for k in 0..6 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let (uri, body) = if k % 2 == 0 {
                    (
                        format!("/api/v1/registrations/{id}/approve"),
                        json!({"phone_checked": true}),
                    )
                } else {
                    (format!("/api/v1/registrations/{id}/reject"), json!({"reason": "重复"}))
                };
                app.post(&uri, body).await.status
            }));
        }
        let mut ok = 0;
        for t in tasks {
            let s = t.await.unwrap();
            assert!(s == StatusCode::OK || s == StatusCode::CONFLICT, "{s}");
            ok += usize::from(s == StatusCode::OK);
        }
        assert_eq!(ok, 1, "exactly one decision wins");
        let reg = app.get(&format!("/api/v1/registrations/{id}")).await.json();
        let orgs = app
            .get("/api/v1/organizations?kind=enterprise&per_page=200")
            .await
            .json();
        let created = orgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["credit_code"] == credit_code(990 + round))
            .count();
        assert_eq!(created, usize::from(reg["status"] == "approved"), "{reg}");
    }
    // Two applications for one code at once: one is filed, the other refused.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move { apply(&app, application(99)).await.status }));
    }
    let mut created = 0;
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s == StatusCode::CREATED || s == StatusCode::CONFLICT, "{s}");
        created += usize::from(s == StatusCode::CREATED);
    }
    assert_eq!(created, 1);
}
