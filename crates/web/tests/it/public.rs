//! The public portal (`/public`): no sign-in, only public records and public fields — a test plants
//! unique markers in everything that must stay private and looks for them on every public page, in
//! every public search answer and in every count; pages are cacheable (ETag, Last-Modified, 304),
//! requests are rate-limited per address (429 with Retry-After), and the office's notices API works
//! under concurrent writers.

use crate::helpers::{TestApp, credit_code, spawn_app};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;

/// Everything that must never be public: each string is planted in exactly one private place.
const SECRETS: &[&str] = &[
    "zqxdetailsecret",        // an accepted demand's confidential details
    "zqxdraftdemand",         // a demand not accepted (a draft)
    "zqxreturneddemand",      // a demand submitted, not accepted
    "衢州氟硅新材料有限公司", // an enterprise that did not agree to be named
    "zqxdraftnotice",         // a draft notice
    "zqxarchivednotice",      // a published notice, since archived
    "6543.21",                // a price its owners keep hidden
    "zqxtransferred",         // a result already transferred (no longer on offer)
    "王建国",                 // an expert who did not opt in
    "13900001111",            // an opted-in expert's phone
    "zqxmail@zjut.edu.cn",    // … email
    "zqxbiography",           // … biography
    "zqxfuturecall",          // a call that has not opened yet
    "zqxclosedplatform",      // a closed platform
];

/// What must be public.
const PUBLIC: &[&str] = &[
    "有机硅单体合成工艺",     // a demand accepted, its public summary
    "江山同意公开企业",       // the enterprise that agreed to be named
    "氟硅材料表面改性技术",   // a result on offer
    "88.00 万元",             // its price, shown by consent
    "面议",                   // the other's, hidden
    "周江山",                 // an expert who opted in
    "化工园区技术需求征集",   // an open call
    "关于征集技术需求的通知", // a published notice
    "绿色化工联合研发中心",   // a platform
];

async fn get_public(app: &TestApp, uri: &str) -> crate::helpers::Res {
    app.send_raw(Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn accept(app: &TestApp, d: i64) {
    let r = app.post(&format!("/api/v1/demands/{d}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    for _ in 0..2 {
        let r = app
            .post(&format!("/api/v1/demands/{d}/review"), json!({"decision": "pass"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
}

/// Ids of the planted private records that have a public address of their kind.
struct Hidden {
    draft_notice: i64,
    archived_notice: i64,
    draft_demand: i64,
    returned_demand: i64,
    private_expert: i64,
    transferred_result: i64,
    future_call: i64,
    closed_platform: i64,
}

async fn plant(app: &TestApp) -> Hidden {
    let w = app.seed().await;
    let named = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山同意公开企业", "parent_id": w.county,
                   "credit_code": credit_code(7), "industry_code": "C26"}),
        )
        .await;
    // Accepted demands: one named by consent, one not; each with confidential details.
    let d1 = app
        .create(
            "demands",
            json!({"enterprise_id": named, "title": "有机硅单体合成工艺优化", "summary": "有机硅单体合成工艺的收率提升",
                   "details": "zqxdetailsecret 反应釜温度曲线", "public_name": true}),
        )
        .await;
    accept(app, d1).await;
    let d2 = app
        .create(
            "demands",
            json!({"enterprise_id": w.enterprise, "title": "含氟废水处理", "summary": "含氟废水的低成本处理工艺",
                   "details": "zqxdetailsecret 的另一份", "public_name": false}),
        )
        .await;
    accept(app, d2).await;
    let draft_demand = app
        .create(
            "demands",
            json!({"enterprise_id": named, "title": "zqxdraftdemand", "summary": "zqxdraftdemand 概述", "public_name": true}),
        )
        .await;
    let returned_demand = app
        .create(
            "demands",
            json!({"enterprise_id": named, "title": "zqxreturneddemand", "summary": "zqxreturneddemand 概述", "public_name": true}),
        )
        .await;
    let r = app
        .post(&format!("/api/v1/demands/{returned_demand}/submit"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Experts: one opted in (with private contact fields), the seed's one not.
    let public_expert = app
        .create(
            "people",
            json!({"organization_id": w.college, "name": "周江山", "title": "教授", "is_expert": true,
                   "discipline": "材料科学与工程", "research_fields": "有机硅材料", "phone": "13900001111",
                   "email": "zqxmail@zjut.edu.cn", "bio": "zqxbiography", "public_profile": true}),
        )
        .await;
    // Results: a price shown, a price hidden, one already transferred.
    app.create(
        "results",
        json!({"title": "氟硅材料表面改性技术", "kind": "method", "summary": "一种氟硅材料表面改性方法",
               "owner_ids": [public_expert], "maturity": "pilot", "transfer_mode": "license",
               "price_wan": "88", "price_public": true}),
    )
    .await;
    app.create(
        "results",
        json!({"title": "有机硅催化剂回收", "kind": "method", "summary": "催化剂回收工艺",
               "owner_ids": [w.person], "price_wan": "6543.21", "price_public": false}),
    )
    .await;
    let transferred_result = app
        .create(
            "results",
            json!({"title": "zqxtransferred 成果", "kind": "method", "owner_ids": [w.person],
                   "status": "transferred", "transferee_id": named, "transferred_on": "2026-01-05"}),
        )
        .await;
    // Calls: one open today (2026-06-15), one later.
    app.create(
        "campaigns",
        json!({"title": "化工园区技术需求征集", "organizer_id": w.county, "starts_on": "2026-03-01", "ends_on": "2026-12-31",
               "description": "面向化工园区企业征集技术难题"}),
    )
    .await;
    let future_call = app
        .create(
            "campaigns",
            json!({"title": "zqxfuturecall", "organizer_id": w.county, "starts_on": "2026-09-01", "ends_on": "2026-12-31"}),
        )
        .await;
    // Platforms: one open, one closed.
    app.create(
        "platforms",
        json!({"name": "绿色化工联合研发中心", "kind": "rd_centre", "level": "city", "host_ids": [named], "summary": "共建研发平台"}),
    )
    .await;
    let closed_platform = app
        .create(
            "platforms",
            json!({"name": "zqxclosedplatform", "kind": "key_lab", "level": "county", "host_ids": [named], "status": "closed"}),
        )
        .await;
    // Notices: published (with a file), a draft, and one published then archived.
    let published = app
        .create(
            "notices",
            json!({"title": "关于征集技术需求的通知", "kind": "notice", "body": "各企业：请在线填报技术需求。", "status": "published"}),
        )
        .await;
    let r = app
        .upload(
            "/api/v1/attachments",
            "notice",
            published,
            "填报说明.txt",
            "填报说明".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let draft_notice = app
        .create(
            "notices",
            json!({"title": "zqxdraftnotice", "body": "zqxdraftnotice 正文"}),
        )
        .await;
    let archived_notice = app
        .create(
            "notices",
            json!({"title": "zqxarchivednotice", "body": "正文", "status": "published"}),
        )
        .await;
    let r = app
        .post(&format!("/api/v1/notices/{archived_notice}/archive"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    Hidden {
        draft_notice,
        archived_notice,
        draft_demand,
        returned_demand,
        private_expert: w.person,
        transferred_result,
        future_call,
        closed_platform,
    }
}

/// Every `/public/…` link on a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/public"))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn no_confidential_field_private_record_or_person_reaches_a_public_page_search_or_count() {
    let app = spawn_app().await;
    let h = plant(&app).await;
    // Every page reachable from the portal's home, followed link by link, and a search for every
    // secret and every public word.
    let mut todo: Vec<String> = vec!["/public".into()];
    for s in SECRETS.iter().chain(PUBLIC) {
        todo.push(format!("/public/search?q={}", urlencoding::encode(s)));
    }
    let mut seen = std::collections::HashSet::new();
    let mut all = String::new();
    while let Some(uri) = todo.pop() {
        if !seen.insert(uri.clone()) {
            continue;
        }
        let r = get_public(&app, &uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        let text = r.text();
        // A search page repeats what was asked (the title, the box): that is not a leak.
        let asked = uri
            .strip_prefix("/public/search?q=")
            .map(|q| urlencoding::decode(q).unwrap().into_owned());
        let shown = match &asked {
            Some(q) => text.replace(q.as_str(), ""),
            None => text.clone(),
        };
        for s in SECRETS {
            assert!(!shown.contains(s), "{uri} shows the secret {s}");
        }
        if uri.starts_with("/public/search?q=zqx") || uri.contains("13900001111") || uri.contains("6543") {
            assert!(text.contains("没有找到"), "{uri} finds something for a secret");
            assert!(text.contains("（共 0 项）"), "{uri} counts something for a secret");
        }
        if !uri.contains("/files/") {
            todo.extend(links(&text).into_iter().filter(|l| !l.contains("/search")));
        }
        if asked.is_none() {
            all.push_str(&text);
        }
    }
    for p in PUBLIC {
        assert!(all.contains(p), "the portal never shows {p}");
    }
    // The counts are of public records only: 2 accepted demands, 2 results on offer, 1 expert, 1 call…
    let home = get_public(&app, "/public").await.text();
    for (section, n) in [
        ("技术需求", 2),
        ("科技成果", 2),
        ("专家名录", 1),
        ("征集公告", 1),
        ("通知公告", 1),
        ("共建平台", 1),
    ] {
        assert!(
            home.contains(&format!("{section} <span class=\"pub-count\">（共 {n} 项）</span>")),
            "{section} should count {n}"
        );
    }
    // The private records' own addresses answer as if they did not exist.
    for uri in [
        format!("/public/notices/{}", h.draft_notice),
        format!("/public/notices/{}", h.archived_notice),
        format!("/public/demands/{}", h.draft_demand),
        format!("/public/demands/{}", h.returned_demand),
        format!("/public/experts/{}", h.private_expert),
        format!("/public/results/{}", h.transferred_result),
        format!("/public/campaigns/{}", h.future_call),
        format!("/public/platforms/{}", h.closed_platform),
        "/public/notices/0".to_string(),
        "/public/notices/abc".to_string(),
    ] {
        let r = get_public(&app, &uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.text().contains("未找到该信息"), "{uri}");
        for s in SECRETS {
            assert!(!r.text().contains(s), "{uri} shows {s}");
        }
    }
    // The draft notice's file address is no way in either.
    let r = get_public(&app, &format!("/public/notices/{}/files/1", h.draft_notice)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn public_search_uses_the_chinese_analysis_on_public_text_only() {
    let app = spawn_app().await;
    plant(&app).await;
    let search = |q: &str| {
        let uri = format!("/public/search?q={}", urlencoding::encode(q));
        let app = &app;
        // Matched words are marked: read the text without the marks.
        async move {
            get_public(app, &uri)
                .await
                .text()
                .replace("<mark>", "")
                .replace("</mark>", "")
        }
    };
    // Traditional script finds the simplified text; pinyin finds a name.
    let t = search("有机硅").await;
    assert!(t.contains("有机硅单体合成工艺优化"), "simplified: {t}");
    let t = search("單體合成工藝").await;
    assert!(t.contains("有机硅单体合成工艺优化"), "{t}");
    let t = search("zhoujiangshan").await;
    assert!(t.contains("周江山"), "{t}");
    // The named enterprise is found by its name; the other is not, though its demand is public.
    assert!(search("江山同意公开企业").await.contains("有机硅单体合成工艺优化"));
    let t = search("含氟废水").await;
    assert!(t.contains("含氟废水处理"));
    assert!(!t.contains("衢州氟硅新材料有限公司"));
    // Found after a change without a restart: a notice published now is found at once.
    app.create(
        "notices",
        json!({"title": "关于举办成果对接会的新闻", "kind": "news", "body": "成果对接会在江山举行", "status": "published"}),
    )
    .await;
    assert!(search("对接会").await.contains("关于举办成果对接会的新闻"));
    // A blank query asks for one.
    let t = search("").await;
    assert!(t.contains("支持简体、繁体和人名拼音"));
}

#[tokio::test]
async fn public_pages_answer_etag_and_last_modified_and_304_when_unchanged() {
    let app = spawn_app().await;
    plant(&app).await;
    for uri in ["/public", "/public/results", "/public/search?q=有机硅"] {
        let r = get_public(&app, uri).await;
        assert_eq!(r.status, StatusCode::OK);
        let tag = r.headers[header::ETAG].to_str().unwrap().to_string();
        let modified = r.headers[header::LAST_MODIFIED].to_str().unwrap().to_string();
        assert!(tag.starts_with('"') && modified.ends_with("GMT"), "{tag} {modified}");
        assert_eq!(r.headers[header::CACHE_CONTROL], "public, max-age=60");
        let again = app
            .send_raw(
                Request::get(uri)
                    .header(header::IF_NONE_MATCH, &tag)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(again.bytes.is_empty());
        assert_eq!(again.headers[header::ETAG], tag.as_str());
        let since = app
            .send_raw(
                Request::get(uri)
                    .header(header::IF_MODIFIED_SINCE, &modified)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(since.status, StatusCode::NOT_MODIFIED, "{uri}");
    }
    // A change makes the page new again: another tag, 200 to the old one.
    let before = get_public(&app, "/public").await;
    let tag = before.headers[header::ETAG].to_str().unwrap().to_string();
    app.create(
        "notices",
        json!({"title": "新发布的通知", "body": "正文", "status": "published"}),
    )
    .await;
    let r = app
        .send_raw(
            Request::get("/public")
                .header(header::IF_NONE_MATCH, &tag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("新发布的通知"));
    assert_ne!(r.headers[header::ETAG], tag.as_str());
    // An old date is older than the page.
    let r = app
        .send_raw(
            Request::get("/public")
                .header(header::IF_MODIFIED_SINCE, "Mon, 01 Jan 2024 00:00:00 GMT")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn one_address_asking_too_often_is_told_in_chinese_when_to_come_back() {
    let app = spawn_app().await;
    let from = |ip: [u8; 4]| {
        let mut req = Request::get("/public/notices").body(Body::empty()).unwrap();
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 50000))));
        req
    };
    let limit = hezuo_web::public::REQUESTS_PER_MINUTE as usize;
    for n in 0..limit {
        let r = app.send_raw(from([10, 9, 9, 9])).await;
        assert_eq!(r.status, StatusCode::OK, "request {n} is within the limit");
    }
    // The bucket refills two a second while the requests above were answered, so a slow machine
    // may get a few more through; it is refused once it asks faster than that.
    let mut r = app.send_raw(from([10, 9, 9, 9])).await;
    let mut extra = 0;
    while r.status == StatusCode::OK && extra < limit {
        extra += 1;
        r = app.send_raw(from([10, 9, 9, 9])).await;
    }
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "refused after {extra} refills");
    assert!(r.text().contains("访问过于频繁"));
    let wait: u64 = r.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Another address is not held back.
    assert_eq!(app.send_raw(from([10, 9, 9, 8])).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_portal_needs_no_sign_in_and_the_signed_in_pages_link_to_it() {
    let app = spawn_app().await;
    let r = get_public(&app, "/public").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("<html lang=\"zh-CN\">") && t.contains("name=\"viewport\""));
    // Finished empty states.
    for empty in [
        "暂无已发布的通知公告",
        "目前没有正在进行的征集活动",
        "暂无可供转化的科技成果",
        "暂无公开的专家信息",
    ] {
        assert!(t.contains(empty), "{empty}");
    }
    let calls = get_public(&app, "/public/campaigns").await.text();
    assert!(
        calls.contains("href=\"/register\""),
        "how to take part links to registration"
    );
    assert!(get_public(&app, "/login").await.text().contains("href=\"/public\""));
    assert!(app.get("/").await.text().contains("href=\"/public\""));
    // The office's menu has the notices.
    assert!(app.get("/").await.text().contains("href=\"/notices\""));
}

#[tokio::test]
async fn notices_are_the_offices_and_only_published_ones_are_read_by_others() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app
        .post("/api/v1/notices", json!({"title": "", "status": "sent"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert!(
        e["fields"]["title"].is_string() && e["fields"]["body"].is_string() && e["fields"]["status"].is_string(),
        "{e}"
    );
    let draft = app
        .create("notices", json!({"title": "草稿通知", "body": "正文"}))
        .await;
    let n = app.get(&format!("/api/v1/notices/{draft}")).await.json();
    assert_eq!(
        (n["status"].as_str(), n["published_at"].is_null()),
        (Some("draft"), true)
    );
    let coord = app
        .user("coord", hezuo_domain::access::Role::Coordinator, Some(w.county), None)
        .await;
    let r = app
        .send_as(
            Some(&coord),
            Request::get(format!("/api/v1/notices/{draft}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a draft is the office's");
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/notices/{draft}"),
            json!({"status": "published"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let first = r.json()["published_at"].clone();
    assert!(first.is_string());
    let r = app
        .send_as(
            Some(&coord),
            Request::get(format!("/api/v1/notices/{draft}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .json_by(
            &coord,
            "PATCH",
            &format!("/api/v1/notices/{draft}"),
            json!({"title": "改"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Edited later, it keeps its first publication time.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/notices/{draft}"),
            json!({"title": "正式通知"}),
        )
        .await;
    assert_eq!(r.json()["published_at"], first);
    // The pages: the list and the form.
    assert!(app.get("/notices").await.text().contains("正式通知"));
    assert_eq!(app.get("/notices/new").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_editors_of_notices_at_once_lose_nothing_and_see_no_server_error() {
    let app = Arc::new(spawn_app().await);
    let ids: Vec<i64> = {
        let mut v = Vec::new();
        for k in 0..3 {
            v.push(
                app.create("notices", json!({"title": format!("通知{k}"), "body": "正文"}))
                    .await,
            );
        }
        v
    };
    let mut tasks = Vec::new();
    for c in 0..8usize {
        let (app, ids) = (app.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for n in 0..5usize {
                let r = if n % 2 == 0 {
                    app.post(
                        "/api/v1/notices",
                        json!({"title": format!("并发通知{c}-{n}"), "body": "正文", "status": "published"}),
                    )
                    .await
                } else {
                    let id = ids[(c + n) % ids.len()];
                    app.json(
                        "PATCH",
                        &format!("/api/v1/notices/{id}"),
                        json!({"body": format!("第{c}位第{n}次修改")}),
                    )
                    .await
                };
                got.push(r.status);
            }
            got
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.extend(t.await.expect("a client task"));
    }
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::OK),
        "{statuses:?}"
    );
    let list: Value = app.get("/api/v1/notices?per_page=100").await.json();
    assert_eq!(list["total"], 3 + 8 * 3, "every create kept once");
    // Each edited notice holds one of the bodies sent, and its history has every edit.
    for id in &ids {
        let n = app.get(&format!("/api/v1/notices/{id}")).await.json();
        assert!(n["body"].as_str().unwrap().starts_with('第'), "{n}");
    }
    let log = app
        .get("/api/v1/audit?record_kind=notice&action=update&per_page=100")
        .await
        .json();
    assert_eq!(log["total"], 8 * 2, "one audit entry per edit");
    // The public list shows the published ones.
    let r = get_public(&app, "/public/notices").await;
    assert!(r.text().contains("（共 24 项）"), "{}", r.text());
}
