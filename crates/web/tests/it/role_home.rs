//! Each role's day on the demo data: its home page and menu, buttons shown exactly where the store
//! would accept the action, forms refused before they are filled, errors inside the signed-in frame,
//! CSRF never in an address, the search box's limit, confirmations and the printed page.

use crate::helpers::{PASSWORD, Res, Session, TestApp, spawn_app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hezuo_domain::access::Role;
use serde_json::json;

const ROLES: [(&str, Role); 6] = [
    ("office", Role::Office),
    ("coordinator", Role::Coordinator),
    ("unit", Role::Unit),
    ("enterprise", Role::Enterprise),
    ("expert", Role::Expert),
    ("leader", Role::Leader),
];

/// The demo data and its six accounts, signed in (the office's session replaces the test office).
async fn demo() -> (TestApp, Vec<(&'static str, Session)>) {
    let app = spawn_app().await;
    hezuo_store::demo::load(&app.store, app.store.today())
        .await
        .expect("demo data");
    hezuo_store::demo::create_demo_users(&app.store, PASSWORD)
        .await
        .expect("demo users");
    let mut sessions = Vec::new();
    for (name, _) in ROLES {
        let s = app.login(name, PASSWORD).await.expect("demo user signs in");
        sessions.push((name, s));
    }
    (app, sessions)
}

fn session<'a>(all: &'a [(&str, Session)], name: &str) -> &'a Session {
    &all.iter().find(|(n, _)| *n == name).expect("demo account").1
}

/// The menu's part of a page: what lies inside `<nav aria-label=…>` … `</div>`.
fn menu(page: &str) -> String {
    let start = page.find("<div class=\"menu\">").expect("a menu");
    let end = page[start..].find("</div>").expect("the menu ends") + start;
    page[start..end].to_string()
}

#[tokio::test]
async fn each_role_opens_on_its_own_home_with_what_waits_for_it() {
    let (app, s) = demo().await;
    let home = |name: &'static str| {
        let app = &app;
        let s = session(&s, name).clone();
        async move {
            let r = app.get_by(&s, "/").await;
            assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.text());
            r.text()
        }
    };
    let office = home("office").await;
    for t in [
        "督查看板",
        "待初筛的需求",
        "绿色通道计时",
        "等待答复的对接",
        "待确认的进度报告",
        "到期的问题",
        "按区县",
    ] {
        assert!(office.contains(t), "office home lacks {t}");
    }
    let coordinator = home("coordinator").await;
    assert!(coordinator.contains("督查看板") && coordinator.contains("等待答复的对接"));
    assert!(
        !coordinator.contains("待确认的进度报告"),
        "a coordinator does not accept reports"
    );
    let unit = home("unit").await;
    for t in ["到期的节点", "待报送的进度报告", "交由本单位解决的问题", "本单位的项目"] {
        assert!(unit.contains(t), "unit home lacks {t}");
    }
    assert!(!unit.contains("督查看板"));
    let enterprise = home("enterprise").await;
    assert!(enterprise.contains("id=\"post-demand\"") && enterprise.contains("发布技术需求"));
    assert!(enterprise.contains("我的技术需求") && enterprise.contains("我的合作项目"));
    let expert = home("expert").await;
    let answer = expert.find("等待您答复的对接").expect("matches to answer");
    let fit = expert.find("适合您的需求").expect("demands that fit");
    assert!(answer < fit, "matches waiting for an answer come first");
    assert!(expert.contains("我负责的项目") && expert.contains("id=\"my-profile\""));
    let leader = home("leader").await;
    for t in [
        "市校合作一览",
        "按项目类别",
        "按牵头单位所在区县",
        "按项目状态",
        "name=\"year\"",
        "name=\"batch_id\"",
    ] {
        assert!(leader.contains(t), "leader home lacks {t}");
    }
    assert!(!leader.contains("逾期与即将到期的节点"), "not a list of milestones");
}

#[tokio::test]
async fn the_leaders_year_at_a_glance_counts_what_the_project_list_holds() {
    let (app, s) = demo().await;
    let leader = session(&s, "leader");
    let years = app.store.project_years().await.unwrap();
    let year = *years.iter().max().unwrap();
    let page = app.get_by(leader, &format!("/?year={year}")).await.text();
    let listed = app
        .get_by(leader, &format!("/api/v1/projects?batch_year={year}&per_page=1"))
        .await
        .json()["total"]
        .as_i64()
        .unwrap();
    // The first card is the number of projects of that year.
    let card = page.find("<div class=\"cards\">").unwrap();
    let n = &page[card..];
    let n = &n[n.find("class=\"n\">").unwrap() + 10..];
    let shown: i64 = n[..n.find('<').unwrap()].parse().unwrap();
    assert_eq!(shown, listed);
    assert!(page.contains("/projects?status=in_progress") && page.contains(&format!("batch_year={year}\"")));
    // All years together, and a bad year named.
    assert!(
        app.get_by(leader, "/?year=all")
            .await
            .text()
            .contains("历年市校合作一览")
    );
    let bad = app.get_by(leader, "/?year=twenty").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("年度应为四位数字"));
}

#[tokio::test]
async fn the_menu_offers_each_role_only_what_it_can_use() {
    let (app, s) = demo().await;
    for (name, role) in ROLES {
        let page = app.get_by(session(&s, name), "/projects").await.text();
        let m = menu(&page);
        let has = |href: &str| m.contains(&format!("href=\"{href}\""));
        match role {
            Role::Enterprise | Role::Expert => {
                for h in ["/board", "/batches", "/audit", "/api/v1/openapi.json", "/users"] {
                    assert!(!has(h), "{name} is offered {h}");
                }
                assert!(has("/") && has("/demands"), "{name}: {m}");
            }
            Role::Office => {
                for h in ["/board", "/batches", "/audit", "/api/v1/openapi.json", "/users"] {
                    assert!(has(h), "office lacks {h}");
                }
            }
            Role::Leader => assert!(has("/board") && !has("/users") && !has("/api/v1/openapi.json")),
            Role::Coordinator => assert!(has("/board") && !has("/users")),
            Role::Unit => assert!(!has("/demands") && !has("/users") && has("/problems")),
        }
    }
    // The enterprise's and the expert's own page is one click away.
    let e = menu(&app.get_by(session(&s, "enterprise"), "/").await.text());
    assert!(e.contains("本企业"));
    let x = menu(&app.get_by(session(&s, "expert"), "/").await.text());
    assert!(x.contains("我的资料") && x.contains("href=\"/people/"));
}

/// The first few records of `plural` a session sees, by id.
async fn visible_ids(app: &TestApp, s: &Session, plural: &str) -> Vec<i64> {
    let r = app.get_by(s, &format!("/api/v1/{plural}?per_page=4")).await;
    assert_eq!(r.status, StatusCode::OK, "{plural}: {}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_button_is_shown_exactly_when_the_store_would_accept_the_action() {
    let (app, s) = demo().await;
    let mut milestones_checked = 0;
    let plurals = [
        "organizations",
        "people",
        "agreements",
        "projects",
        "results",
        "demands",
        "problems",
        "campaigns",
    ];
    for (name, _) in ROLES {
        let who = session(&s, name);
        for plural in plurals {
            // "新建" on the list ⇔ the API takes a new record (an empty one is refused for its
            // content, 422, not for the role, 403).
            let list = app.get_by(who, &format!("/{plural}")).await;
            assert_eq!(list.status, StatusCode::OK, "{name} {plural}: {}", list.text());
            let offered = list.text().contains("id=\"new-record\"");
            let tried: Res = app.json_by(who, "POST", &format!("/api/v1/{plural}"), json!({})).await;
            let allowed = tried.status != StatusCode::FORBIDDEN;
            assert_eq!(
                offered, allowed,
                "{name} on /{plural}: new shown {offered}, API answered {}",
                tried.status
            );
            // "编辑" on a record ⇔ the API saves it (an empty PATCH changes nothing but is checked
            // exactly as a real one).
            for id in visible_ids(&app, who, plural).await {
                let page = app.get_by(who, &format!("/{plural}/{id}")).await;
                assert_eq!(page.status, StatusCode::OK, "{name} /{plural}/{id}");
                let offered = page.text().contains("id=\"edit-record\"");
                let tried = app
                    .json_by(who, "PATCH", &format!("/api/v1/{plural}/{id}"), json!({}))
                    .await;
                let saved = tried.status == StatusCode::OK;
                assert_eq!(
                    offered,
                    saved,
                    "{name} /{plural}/{id}: edit shown {offered}, API answered {} {}",
                    tried.status,
                    tried.text()
                );
                // And the edit form itself opens only then.
                let form = app.get_by(who, &format!("/{plural}/{id}/edit")).await;
                assert_eq!(
                    form.status == StatusCode::OK,
                    saved,
                    "{name} /{plural}/{id}/edit: {}",
                    form.status
                );
                // A milestone's "编辑" on the project's schedule ⇔ the API saves the milestone.
                if plural == "projects" {
                    let ms = app
                        .get_by(who, &format!("/api/v1/projects/{id}/milestones"))
                        .await
                        .json();
                    for m in ms["items"].as_array().into_iter().flatten().take(2) {
                        let mid = m["id"].as_i64().unwrap();
                        let link = format!("/projects/{id}/milestones/{mid}/edit");
                        let offered = page.text().contains(&link);
                        milestones_checked += 1;
                        let tried = app
                            .json_by(
                                who,
                                "PATCH",
                                &format!("/api/v1/projects/{id}/milestones/{mid}"),
                                json!({}),
                            )
                            .await;
                        assert_eq!(
                            offered,
                            tried.status == StatusCode::OK,
                            "{name} {link}: shown {offered}, API answered {} {}",
                            tried.status,
                            tried.text()
                        );
                    }
                }
                // "归档" ⇔ the API archives it (restored at once, to leave the demo as it was).
                let offered = page.text().contains(&format!("action=\"/{plural}/{id}/archive\""));
                let tried = app
                    .json_by(who, "POST", &format!("/api/v1/{plural}/{id}/archive"), json!({}))
                    .await;
                let archived = tried.status == StatusCode::OK;
                if archived {
                    let back = app
                        .json_by(who, "POST", &format!("/api/v1/{plural}/{id}/restore"), json!({}))
                        .await;
                    assert_eq!(back.status, StatusCode::OK, "{}", back.text());
                }
                assert_eq!(
                    offered,
                    archived,
                    "{name} /{plural}/{id}: archive shown {offered}, API answered {} {}",
                    tried.status,
                    tried.text()
                );
            }
        }
    }
    assert!(milestones_checked > 0, "the demo projects have milestones");
}

#[tokio::test]
async fn a_coordinator_is_not_offered_to_edit_a_result_of_experts_outside_its_scope() {
    let (app, s) = demo().await;
    let c = session(&s, "coordinator");
    let ids = visible_ids(&app, &app.office, "results").await;
    let mut hidden = 0;
    for id in ids {
        let page = app.get_by(c, &format!("/results/{id}")).await.text();
        let tried = app
            .json_by(c, "PATCH", &format!("/api/v1/results/{id}"), json!({}))
            .await;
        if !page.contains("id=\"edit-record\"") {
            hidden += 1;
            assert_eq!(tried.status, StatusCode::FORBIDDEN, "{}", tried.text());
            assert!(!page.contains(&format!("/results/{id}/archive")), "nor to archive it");
        }
    }
    assert!(hidden > 0, "the demo coordinator (江山市) reaches no university expert");
}

#[tokio::test]
async fn a_form_the_role_cannot_save_is_refused_before_it_is_filled_inside_the_app() {
    let (app, s) = demo().await;
    for name in ["leader", "unit", "expert", "enterprise"] {
        let r = app.get_by(session(&s, name), "/projects/new").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
        let page = r.text();
        assert!(
            page.contains("您的角色无权执行此操作") && page.contains("请联系市校合作协调办"),
            "{page}"
        );
        // The signed-in frame: the user, the menu, the search box and signing out.
        assert!(page.contains(&format!(">{name}</a>")), "{name} is named");
        assert!(page.contains("class=\"menu\"") && page.contains("action=\"/search\"") && page.contains("退出"));
    }
    // The unit is not offered the demand form at all (it has no enterprise to post for).
    let unit = session(&s, "unit");
    assert_eq!(app.get_by(unit, "/demands/new").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn errors_keep_the_signed_in_frame_and_say_what_to_do_next() {
    let (app, s) = demo().await;
    let unit = session(&s, "unit");
    for uri in ["/projects/999999", "/no-such-page"] {
        let r = app.get_by(unit, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        let page = r.text();
        assert!(
            page.contains("退出") && page.contains("class=\"menu\""),
            "{uri}: {page}"
        );
        assert!(page.contains("可从上方菜单进入列表查找"), "{page}");
    }
    // A 422 names what was wrong in words, never the parameter's key.
    let r = app.get_by(unit, "/projects?per_page=abc").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    assert!(!page.contains("per_page:"), "{page}");
    assert!(page.contains("退出") && page.contains("按上面的提示修改"), "{page}");
    // Sent from a form, the way back leads to it.
    let req = Request::post("/projects/999999/status")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "hezuo.test")
        .header(header::REFERER, "http://hezuo.test/projects/3")
        .body(Body::from("status=cancelled"))
        .unwrap();
    let r = app.send_as(Some(&app.office), req).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("href=\"/projects/3\" id=\"go-back\""), "{}", r.text());
    // Before signing in there is no frame to keep: the sign-in page.
    let anon = app
        .send_raw(Request::get("/projects/1").body(Body::empty()).unwrap())
        .await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_csrf_token_travels_in_the_form_never_in_the_address() {
    let (app, s) = demo().await;
    let office = session(&s, "office");
    let page = app.get_by(office, "/projects/1").await.text();
    assert!(!page.contains("_csrf="), "no token in any address");
    assert!(!app.get_by(office, "/demands/import").await.text().contains("_csrf="));
    let upload = |with_field: bool, in_query: bool| {
        let b = "hezuoBoundaryCsrf";
        let mut body = String::new();
        if with_field {
            body.push_str(&format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n",
                office.csrf
            ));
        }
        for (k, v) in [("record_kind", "project"), ("record_id", "1")] {
            body.push_str(&format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"说明.txt\"\r\nContent-Type: text/plain\r\n\r\n佐证\r\n--{b}--\r\n"
        ));
        let uri = if in_query {
            format!("/attachments?_csrf={}", office.csrf)
        } else {
            "/attachments".to_string()
        };
        Request::post(uri)
            .header(header::COOKIE, office.cookie.clone())
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
            .body(Body::from(body))
            .unwrap()
    };
    let refused = app.send_raw(upload(false, true)).await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "a token in the address is not taken"
    );
    let taken = app.send_raw(upload(true, false)).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.text());
}

#[tokio::test]
async fn a_search_too_long_is_answered_on_the_search_page_with_what_to_do() {
    let (app, s) = demo().await;
    let who = session(&s, "enterprise");
    let long = "废水处理".repeat(700);
    let r = app
        .get_by(who, &format!("/search?q={}", urlencoding::encode(&long)))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    assert!(page.contains("搜索内容过长：2800 个字，最多 2000 字"), "{page}");
    assert!(page.contains("maxlength=\"2000\"") && page.contains("退出"));
}

#[tokio::test]
async fn what_cannot_be_undone_asks_first() {
    let (app, s) = demo().await;
    let office = session(&s, "office");
    // Cancelling a project.
    let ids = visible_ids(&app, office, "projects").await;
    let mut asked = false;
    for id in ids {
        let page = app.get_by(office, &format!("/projects/{id}")).await.text();
        if page.contains("value=\"cancelled\"") {
            assert!(page.contains("data-confirm=\"确定取消此项目？"), "{page}");
            asked = true;
        }
    }
    assert!(asked, "some demo project can be cancelled");
    // Merging demands.
    let d = visible_ids(&app, office, "demands").await[0];
    let merge = app.get_by(office, &format!("/demands/{d}/merge")).await.text();
    assert!(merge.contains("data-confirm=\"确定合并？"), "{merge}");
    // The script that asks is served, and every page loads it.
    let js = app.get_by(office, "/static/app.js").await;
    assert!(js.text().contains("data-confirm") && js.text().contains("window.confirm"));
    assert!(merge.contains("src=\"/static/app.js\""));
}

#[tokio::test]
async fn a_page_prints_without_the_menu_with_its_title_and_date() {
    let (app, s) = demo().await;
    let office = session(&s, "office");
    let css = app.get_by(office, "/static/style.css").await.text();
    let print = &css[css.find("@media print").expect("a print stylesheet")..];
    assert!(print.contains("header.top") && print.contains("display: none"));
    let page = app.get_by(office, "/board").await.text();
    assert!(
        page.contains("class=\"print-only print-head\">合作 · 督查看板 · "),
        "{page}"
    );
}

#[tokio::test]
async fn papers_are_added_and_matches_answered_only_by_whom_the_store_lets() {
    let (app, s) = demo().await;
    let expert = session(&s, "expert");
    let me = app.get_by(expert, "/api/v1/me").await.json();
    let person = me["person_id"].as_i64().expect("the demo expert is a person");
    let add = format!("/works/new?person_id={person}");
    assert!(
        app.get_by(expert, &format!("/people/{person}"))
            .await
            .text()
            .contains(&add)
    );
    assert!(
        !app.get_by(session(&s, "leader"), &format!("/people/{person}"))
            .await
            .text()
            .contains(&add)
    );
    // A demand's confirmed matches: the office may move them on, the leader and coordinator may not.
    let mut seen = 0;
    let all = app.get_by(&app.office, "/api/v1/demands?per_page=100").await.json();
    for d in all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
    {
        let page = app.get_by(session(&s, "office"), &format!("/demands/{d}")).await.text();
        if !page.contains("更新状态…") {
            continue;
        }
        seen += 1;
        for name in ["leader", "coordinator"] {
            let other = app.get_by(session(&s, name), &format!("/demands/{d}")).await.text();
            assert!(!other.contains("更新状态"), "{name} is offered to move a match on");
        }
    }
    assert!(seen > 0, "the demo has a match still to answer");
}
