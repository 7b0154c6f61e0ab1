//! Long lists (issue 19): past the exact-count limit a list's total is "more than N" until a
//! background count makes it an estimate, and pages follow one another by key (`after`) with
//! nothing skipped or repeated — in the API and on the page. The limit is lowered to 5 here so a
//! dozen projects make a long list.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn projects(app: &TestApp, n: usize) -> Vec<i64> {
    let w = app.seed().await;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            app.create(
                "projects",
                json!({"title": format!("长清单项目{i:02}"), "kind": if i % 2 == 0 { "research" } else { "culture" },
                       "batch_year": 2026, "lead_unit_id": w.enterprise}),
            )
            .await,
        );
    }
    ids
}

fn ids_of(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_deep_page_by_number_is_read_from_the_lists_marks_and_shows_what_the_offset_shows() {
    let app = spawn_app().await;
    projects(&app, 23).await;
    let page = |p: usize, q: &'static str| {
        let app = &app;
        async move {
            let r = app.get(&format!("/api/v1/projects?per_page=2&page={p}{q}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            ids_of(&r.json())
        }
    };
    // Every page by its offset, newest first and by title (the title order has no marks).
    let mut by_offset = Vec::new();
    let mut by_title = Vec::new();
    for p in 1..=13 {
        by_offset.push(page(p, "").await);
        by_title.push(page(p, "&sort=title").await);
    }
    // 23 projects: eleven full pages, then one, then none.
    assert_eq!(by_offset.iter().map(Vec::len).sum::<usize>(), 23, "{by_offset:?}");
    assert!(by_offset[11].len() == 1 && by_offset[12].is_empty(), "{by_offset:?}");

    // Pages from row 6 on are read from marks made every 4 rows. The first deep page asks for
    // them (made in the background) and walks its offset meanwhile.
    app.store.set_deep_pages(6, 4);
    assert_eq!(page(5, "").await, by_offset[4]);
    let mut waited = 0;
    while app.store.marked_lists() == 0 {
        assert!(waited < 100, "the marks were never made");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    for p in 1..=13 {
        assert_eq!(page(p, "").await, by_offset[p - 1], "page {p} from the marks");
        assert_eq!(page(p, "&sort=title").await, by_title[p - 1], "page {p} by title");
    }
    // A filtered list has marks of its own, and its pages are right too.
    let research: Vec<i64> = {
        let r = app.get("/api/v1/projects?per_page=100&kind=research").await.json();
        ids_of(&r)
    };
    let mut got = Vec::new();
    for p in 1..=7 {
        let r = app
            .get(&format!("/api/v1/projects?per_page=2&page={p}&kind=research"))
            .await;
        got.extend(ids_of(&r.json()));
    }
    assert_eq!(got, research);
}

#[tokio::test]
async fn a_long_list_says_more_than_then_about_and_pages_by_key_without_gaps() {
    let app = spawn_app().await;
    let made = projects(&app, 12).await;
    app.store.set_exact_count_limit(5);

    let first = app.get("/api/v1/projects?per_page=5").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let first = first.json();
    assert_eq!(first["total_kind"], "at_least", "{first}");
    assert_eq!(first["total"], 5);
    let after = first["next_after"]
        .as_i64()
        .expect("a full page says where the next starts");

    // The next pages by key: newest first, nothing repeated, nothing left out.
    let mut seen = ids_of(&first);
    let mut next = Some(after);
    let mut page = 1;
    while let Some(a) = next {
        page += 1;
        let r = app
            .get(&format!("/api/v1/projects?per_page=5&page={page}&after={a}"))
            .await
            .json();
        assert_eq!(r["page"], page);
        seen.extend(ids_of(&r));
        next = r["next_after"].as_i64();
        assert!(page < 10, "paging by key ends");
    }
    let mut want = made.clone();
    want.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(seen, want);

    // The same pages by number agree with the pages by key.
    let by_number = app.get("/api/v1/projects?per_page=5&page=2").await.json();
    assert_eq!(ids_of(&by_number), want[5..10].to_vec());

    // The background count turns "more than" into an estimate that is the whole count.
    let mut estimate = Value::Null;
    for _ in 0..100 {
        let r = app.get("/api/v1/projects?per_page=5").await.json();
        if r["total_kind"] == "estimate" {
            estimate = r;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(estimate["total"], 12, "{estimate}");

    // A short filtered list is still counted exactly.
    let short = app.get("/api/v1/projects?per_page=5&q=长清单项目1").await.json();
    assert_eq!(
        (short["total_kind"].as_str(), short["total"].as_i64()),
        (Some("exact"), Some(2)),
        "{short}"
    );

    // A sort other than by number pages by number and never offers a key.
    let sorted = app.get("/api/v1/projects?per_page=5&sort=title").await.json();
    assert!(sorted.get("next_after").is_none(), "{sorted}");
    assert_eq!(sorted["items"][0]["title"], "长清单项目00");
}

#[tokio::test]
async fn the_page_says_about_or_more_than_and_its_next_link_carries_the_key() {
    let app = spawn_app().await;
    projects(&app, 12).await;
    app.store.set_exact_count_limit(5);
    let page = app.get("/projects?per_page=5&kind=research").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    // Six research projects: more than five, not yet counted.
    assert!(html.contains("5 条以上"), "{html}");
    assert!(html.contains("第 1 页"), "no page count while the total is unknown");
    let at = html.find("rel=\"next\"").expect("a next link");
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let link = &html[start..start + html[start..].find('"').unwrap()];
    assert!(link.contains("page=2") && link.contains("after="), "{link}");
    let link = link.replace("&amp;", "&").replace("&#38;", "&");
    let second = app.get(&link).await.text();
    assert!(
        second.contains("长清单项目00"),
        "the last research project is on page 2: {link} {}",
        &second[second.find("<table").unwrap_or(0)..]
    );
    // Once counted, the page says about how many.
    let mut said = String::new();
    for _ in 0..100 {
        said = app.get("/projects?per_page=5&kind=research").await.text();
        if said.contains("约 6 条") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(said.contains("约 6 条"), "{said}");
}

#[tokio::test]
async fn a_bad_key_is_refused_by_name() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/projects?after=abc").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["after"].as_str().unwrap().contains("abc"));
}
