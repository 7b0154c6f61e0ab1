//! Many people writing at once — every unit reports by the same due day: concurrent writers get no
//! error they did not cause, on SQLite and on PostgreSQL.

use crate::helpers::{TestApp, spawn_app};
use axum::http::StatusCode;
use serde_json::json;
use std::sync::Arc;

/// Runs `clients` tasks at once, each making `each` requests with `request(client, n)`, and returns
/// every answer's status.
async fn rush<F, Fut>(app: &Arc<TestApp>, clients: usize, each: usize, request: F) -> Vec<StatusCode>
where
    F: Fn(Arc<TestApp>, usize, usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = StatusCode> + Send,
{
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (app, request) = (app.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for n in 0..each {
                got.push(request(app.clone(), c, n).await);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("a client task"));
    }
    all
}

fn tally(statuses: &[StatusCode]) -> Vec<(u16, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for s in statuses {
        *counts.entry(s.as_u16()).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_editors_patching_projects_at_once_all_succeed() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let mut projects = Vec::new();
    for i in 0..4 {
        projects.push(
            app.create(
                "projects",
                json!({"title": format!("并发项目{i}"), "kind": "research", "batch_year": 2026, "lead_unit_id": w.enterprise}),
            )
            .await,
        );
    }
    let app = Arc::new(app);
    let projects = Arc::new(projects);
    let p = projects.clone();
    let got = rush(&app, 16, 12, move |app, c, n| {
        let id = p[(c + n) % 4];
        async move {
            app.json(
                "PATCH",
                &format!("/api/v1/projects/{id}"),
                json!({"summary": format!("第{c}位编辑的第{n}次修改")}),
            )
            .await
            .status
        }
    })
    .await;
    assert!(got.iter().all(|s| *s == StatusCode::OK), "{:?}", tally(&got));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_creates_and_archives_at_once_all_succeed() {
    let app = Arc::new(spawn_app().await);
    let w = app.seed().await;
    let ent = w.enterprise;
    let got = rush(&app, 12, 8, move |app, c, n| async move {
        let r = app
            .post(
                "/api/v1/demands",
                json!({"enterprise_id": ent, "title": format!("并发需求{c}-{n}"), "summary": "同一时刻提交"}),
            )
            .await;
        if r.status != StatusCode::CREATED {
            return r.status;
        }
        let id = r.json()["id"].as_i64().unwrap();
        app.post(&format!("/api/v1/demands/{id}/archive"), json!({}))
            .await
            .status
    })
    .await;
    assert!(got.iter().all(|s| *s == StatusCode::OK), "{:?}", tally(&got));
    let listed = app.get("/api/v1/demands?archived=true&per_page=1").await.json();
    assert_eq!(listed["total"], 12 * 8);
}

/// Rows in a table of the test's database.
async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("select count(*) from {table}");
    match app.store.db() {
        hezuo_store::Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await.unwrap(),
        hezuo_store::Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await.unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_uploads_keep_one_copy_of_each_file_and_a_refused_one_leaves_nothing() {
    let app = Arc::new(spawn_app().await);
    let w = app.seed().await;
    let org = w.enterprise;
    let got = rush(&app, 8, 6, move |app, c, n| async move {
        // Every client sends six files, the same six as every other client; every third goes to a
        // record that does not exist and is refused.
        let (target, bytes) = (
            if n % 3 == 2 { 999_999 } else { org },
            format!("第{n}份佐证材料").into_bytes(),
        );
        let _ = c;
        app.upload("/api/v1/attachments", "organization", target, "证明.txt", &bytes)
            .await
            .status
    })
    .await;
    let created = got.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = got.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    assert_eq!((created, refused), (32, 16), "{:?}", tally(&got));
    assert_eq!(count(&app, "attachment").await, 32);
    // Four distinct contents were accepted; the two only ever refused were never kept.
    assert_eq!(count(&app, "attachment_blob").await, 4);
    assert!(
        !app.store_dir().join("files").exists(),
        "nothing is written to the data folder"
    );
}

#[tokio::test]
async fn a_file_uploaded_through_one_server_is_downloaded_through_another() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let r = app
        .upload(
            "/api/v1/attachments",
            "organization",
            w.city,
            "会议纪要.txt",
            "市校合作会商纪要".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let other = app.second_server().await;
    let office = app.office.clone();
    let mut req = axum::http::Request::get(format!("/api/v1/attachments/{id}/content"))
        .header(axum::http::header::COOKIE, office.cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40003,
        ))));
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let res = other.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(std::str::from_utf8(&body).unwrap(), "市校合作会商纪要");
}
