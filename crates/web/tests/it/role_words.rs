//! The pages in English, as each demo role sees them: every word the platform itself writes is in
//! English; Chinese is left only where it is record data users typed (names, titles, texts), or the
//! standard code tables (divisions, industries), which have no English names.

use crate::helpers::{PASSWORD, Session, TestApp, spawn_app};
use axum::http::StatusCode;
use hezuo_store::demo;
use std::collections::BTreeSet;

/// Han characters (CJK unified ideographs and their extensions in the BMP).
fn han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Every string value the store holds, and the code tables' names: what a page may show in Chinese.
async fn record_text(app: &TestApp) -> String {
    let mut out = Vec::new();
    app.store.backup(&mut out).await.expect("read every table");
    let mut text = String::new();
    fn strings(v: &serde_json::Value, text: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                // JSON kept as text (audit changes, bulletin contents) holds record values too.
                match serde_json::from_str::<serde_json::Value>(s) {
                    Ok(inner @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => strings(&inner, text),
                    _ => {
                        text.push_str(s);
                        text.push('\u{1}');
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, text)),
            serde_json::Value::Object(m) => m.values().for_each(|x| strings(x, text)),
            _ => {}
        }
    }
    for line in String::from_utf8(out).expect("UTF-8").lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
            strings(&v, &mut text);
        }
    }
    for d in hezuo_domain::codes::zhejiang_divisions() {
        text.push_str(&d.name);
        text.push('\u{1}');
    }
    for line in include_str!("../../../domain/data/industries_gbt4754_2017.tsv").lines() {
        text.push_str(line);
        text.push('\u{1}');
    }
    text
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// What a reader sees of a page: its text and the words in attributes people read.
fn visible_text(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push(unescape(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else { break };
        let tag = &rest[lt + 1..lt + gt];
        for attr in [
            "title",
            "placeholder",
            "aria-label",
            "data-picker",
            "data-confirm",
            "alt",
        ] {
            let needle = format!(" {attr}=\"");
            if let Some(at) = tag.find(&needle) {
                let v = &tag[at + needle.len()..];
                out.push(unescape(&v[..v.find('"').unwrap_or(v.len())]));
            }
        }
        rest = &rest[lt + gt + 1..];
        // Scripts and styles are not read.
        for closing in ["script", "style"] {
            if tag.starts_with(closing) {
                let end = format!("</{closing}>");
                rest = rest.find(&end).map(|i| &rest[i..]).unwrap_or("");
            }
        }
    }
    out.push(unescape(rest));
    out
}

/// The Chinese on a page that is not record data: each run of Han characters that no record holds.
fn chrome_in_chinese(html: &str, records: &str) -> BTreeSet<String> {
    // The logo and the link to the Chinese pages are Chinese on purpose.
    const MEANT: &[&str] = &["合", "中文"];
    let mut found = BTreeSet::new();
    for text in visible_text(html) {
        let mut run = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if han(c) {
                run.push(c);
            } else if !run.is_empty() {
                if !MEANT.contains(&run.as_str()) && !records.contains(&run) {
                    found.insert(format!("{run}  ⟵  {}", text.trim()));
                }
                run.clear();
            }
        }
    }
    found
}

/// The first record of a kind the session sees, by the API.
async fn first_id(app: &TestApp, s: &Session, plural: &str) -> Option<i64> {
    let r = app.get_by(s, &format!("/api/v1/{plural}?per_page=1")).await;
    (r.status == StatusCode::OK)
        .then(|| r.json()["items"][0]["id"].as_i64())
        .flatten()
}

#[tokio::test]
async fn every_main_page_speaks_english_to_every_role_apart_from_what_users_typed() {
    let app = spawn_app().await;
    demo::load(&app.store, "2026-06-15".parse().unwrap())
        .await
        .expect("the demo");
    demo::create_demo_users(&app.store, "hezuo-demo")
        .await
        .expect("demo users");
    let records = record_text(&app).await;

    let mut problems = Vec::new();
    let mut seen = 0;
    for role in ["office", "coordinator", "unit", "enterprise", "expert", "leader"] {
        let password = if role == "office" { PASSWORD } else { "hezuo-demo" };
        let s = app
            .login(role, password)
            .await
            .unwrap_or_else(|| panic!("{role} signs in"));
        let mut pages: Vec<String> = [
            "/",
            "/projects",
            "/projects/new",
            "/organizations",
            "/people",
            "/agreements",
            "/demands",
            "/demands/new",
            "/results",
            "/campaigns",
            "/batches",
            "/board",
            "/bulletins",
            "/problems",
            "/audit",
            "/account",
            "/users",
            "/search?q=%E6%9C%89%E6%9C%BA%E7%A1%85",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        for plural in [
            "projects",
            "organizations",
            "people",
            "agreements",
            "demands",
            "results",
            "campaigns",
            "problems",
            "batches",
        ] {
            if let Some(id) = first_id(&app, &s, plural).await {
                pages.push(format!("/{plural}/{id}"));
                pages.push(format!("/{plural}/{id}/edit"));
            }
        }
        for page in pages {
            let sep = if page.contains('?') { '&' } else { '?' };
            let r = app.get_by(&s, &format!("{page}{sep}lang=en")).await;
            if r.status != StatusCode::OK {
                // Pages the role may not open, or not now (a closed demand's form: 409); the error
                // page is checked like the others.
                assert!(
                    matches!(
                        r.status,
                        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::SEE_OTHER | StatusCode::CONFLICT
                    ),
                    "{role} {page}: {}",
                    r.status
                );
            }
            seen += 1;
            let html = r.text();
            assert!(html.contains("<html lang=\"en\""), "{role} {page} is in English");
            for run in chrome_in_chinese(&html, &records) {
                problems.push(format!("{role} {page}: {run}"));
            }
        }
    }
    assert!(seen > 100, "pages walked: {seen}");
    assert!(
        problems.is_empty(),
        "Chinese words on English pages:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn money_flags_and_counts_read_as_english() {
    let app = spawn_app().await;
    demo::load(&app.store, "2026-06-15".parse().unwrap())
        .await
        .expect("the demo");
    // A flagged project: its reasons are in English, and amounts in ×10k CNY.
    let all = app.get("/api/v1/projects?per_page=200").await.json();
    let id = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["flag"] == "red")
        .and_then(|p| p["id"].as_i64())
        .expect("a red project in the demo");
    let page = app.get(&format!("/projects/{id}?lang=en")).await.text();
    assert!(
        page.contains("×10k CNY") && !page.contains("10k yuan"),
        "amounts in ×10k CNY"
    );
    assert!(
        page.contains("was due on") || page.contains("reports in a row are missing"),
        "the flag says why in English"
    );
    assert!(!page.contains("到期未完成") && !page.contains("未报送进度"));
    let board = app.get("/board?lang=en").await.text();
    assert!(!board.contains("到期未完成") && !board.contains("未报送进度"));
}

#[tokio::test]
async fn the_audit_log_names_fields_units_people_and_statuses_and_keeps_the_raw_changes_behind_a_toggle() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = app
        .create(
            "projects",
            serde_json::json!({"title": "江山市柑橘数字果园", "kind": "research", "batch_year": 2026,
                "lead_unit_id": w.county, "responsible_person_id": w.person}),
        )
        .await;
    let r = app
        .form(&format!("/projects/{id}/status"), &[("status", "approved")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    let page = app.get("/audit?record_kind=project").await.text();
    // What a reader sees: labels, names, status labels.
    let shown: String = page
        .split("<details")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split("</details>").nth(1).unwrap_or("")
            }
        })
        .collect();
    for words in [
        "牵头单位：江山市",
        "责任人：王建国",
        "状态：计划 → 已立项",
        "项目名称",
        "批次年度：2026",
    ] {
        let words = words.replace("项目名称", "名称：江山市柑橘数字果园");
        assert!(shown.contains(&words), "{words} in {shown}");
    }
    assert!(
        !shown.contains("lead_unit_id") && !shown.contains("status: planned"),
        "no raw keys outside the toggle"
    );
    // The raw changes, one click away.
    assert!(page.contains("<details class=\"more\"><summary>原始记录</summary>"));
    assert!(page.contains(&format!("lead_unit_id: {}", w.county)) && page.contains("status: planned → approved"));
    // The same in English.
    let en = app.get("/audit?record_kind=project&lang=en").await.text();
    assert!(
        en.contains("Lead unit: 江山市") && en.contains("Status: Planned → Approved"),
        "{en}"
    );
    // The record's own history panel reads alike.
    let project = app.get(&format!("/projects/{id}")).await.text();
    assert!(project.contains("状态：计划 → 已立项"));
    // The API keeps the stored keys and values.
    let api = app
        .get(&format!("/api/v1/audit?record_kind=project&record_id={id}"))
        .await
        .json();
    let changes: Vec<String> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["changes"].as_str().unwrap().to_string())
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| c.contains("\"lead_unit_id\":[null,") && c.contains(&w.county.to_string()))
    );
    assert!(
        changes
            .iter()
            .any(|c| c.contains("\"status\":[\"planned\",\"approved\"]")),
        "{changes:?}"
    );
}

#[tokio::test]
async fn person_menus_say_whose_unit_and_every_organisation_or_person_menu_can_be_filtered() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let form = app.get("/projects/new").await.text();
    let menu = |name: &str| {
        form.split(&format!("<select name=\"{name}\""))
            .nth(1)
            .and_then(|s| s.split("</select>").next())
            .unwrap_or_else(|| panic!("a {name} menu"))
            .to_string()
    };
    assert!(
        menu("responsible_person_id").contains(&format!("value=\"{}\">王建国（化学工程学院）</option>", w.person)),
        "{}",
        menu("responsible_person_id")
    );
    for name in ["lead_unit_id", "co_unit_ids", "responsible_person_id"] {
        assert!(
            menu(name).contains("data-picker=\"输入以筛选\""),
            "{name} is searchable"
        );
    }
    // Short menus of codes stay plain.
    assert!(!menu("kind").contains("data-picker"));
    // Without the script it is a plain menu: every option is in the page.
    assert!(menu("lead_unit_id").contains("衢州氟硅新材料有限公司"));
    assert!(form.contains("<script src=\"/static/picker.js\" defer></script>"));
    for page in ["/people/new", "/agreements/new", "/organizations/new", "/users"] {
        let html = app.get(page).await.text();
        assert!(
            html.contains("data-picker=") && html.contains("/static/picker.js"),
            "{page}"
        );
    }
    let users = app.get("/users").await.text();
    assert!(users.contains("王建国（化学工程学院）"));
    let js = app.get("/static/picker.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        js.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.text().contains("select[data-picker]"));
}
