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
    let res = app.get_on(&other, &format!("/api/v1/attachments/{id}/content")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text(), "市校合作会商纪要");
}

async fn project(app: &TestApp, lead: i64) -> i64 {
    app.create(
        "projects",
        json!({"title": "市校合作示范项目", "kind": "research", "batch_year": 2026, "lead_unit_id": lead,
               "create_anyway": true}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_editors_patching_different_fields_at_once_keep_both_changes() {
    let app = Arc::new(spawn_app().await);
    let w = app.seed().await;
    let second = Arc::new(app.second_server().await);
    for round in 0..25 {
        let id = project(&app, w.enterprise).await;
        let (a, b) = (app.clone(), app.clone());
        let other = second.clone();
        let summary = tokio::spawn(async move {
            a.json(
                "PATCH",
                &format!("/api/v1/projects/{id}"),
                json!({"summary": format!("内容{round}")}),
            )
            .await
            .status
        });
        // The other editor is on a second server on the same database.
        let note = tokio::spawn(async move {
            let office = b.office.clone();
            let req = axum::http::Request::patch(format!("/api/v1/projects/{id}"))
                .header(axum::http::header::CONTENT_TYPE, "application/json")
                .header(axum::http::header::COOKIE, office.cookie)
                .header("x-csrf-token", office.csrf)
                .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    [127, 0, 0, 1],
                    40004,
                ))))
                .body(axum::body::Body::from(
                    json!({"origin_note": format!("说明{round}")}).to_string(),
                ))
                .unwrap();
            use tower::ServiceExt;
            (*other).clone().oneshot(req).await.unwrap().status()
        });
        assert_eq!(summary.await.unwrap(), StatusCode::OK);
        assert_eq!(note.await.unwrap(), StatusCode::OK);
        let p = app.get(&format!("/api/v1/projects/{id}")).await.json();
        assert_eq!(p["summary"], format!("内容{round}"), "round {round}: {p}");
        assert_eq!(p["origin_note"], format!("说明{round}"), "round {round}: {p}");
    }
}

/// Sends a PATCH with an If-Match header.
async fn patch_if(app: &TestApp, uri: &str, tag: &str, body: serde_json::Value) -> crate::helpers::Res {
    app.send(
        axum::http::Request::patch(uri)
            .header(axum::http::header::CONTENT_TYPE, "application/json")
            .header(axum::http::header::IF_MATCH, tag)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

fn etag(r: &crate::helpers::Res) -> String {
    r.headers
        .get(axum::http::header::ETAG)
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_write_made_on_an_old_etag_is_refused_and_one_on_the_current_applies() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = project(&app, w.enterprise).await;
    let uri = format!("/api/v1/projects/{id}");
    let read = etag(&app.get(&uri).await);
    let r = patch_if(&app, &uri, &read, json!({"summary": "第一次修改"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let after = etag(&r);
    assert_ne!(after, read, "a change moves the ETag");
    assert_eq!(etag(&app.get(&uri).await), after);
    // The same old ETag again: someone (here, ourselves) changed it since.
    let r = patch_if(&app, &uri, &read, json!({"summary": "基于旧版本的修改"})).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
    assert!(
        r.json()["error"].as_str().unwrap().contains("此记录已被 office 于"),
        "{}",
        r.text()
    );
    assert_eq!(app.get(&uri).await.json()["summary"], "第一次修改");
    // An ETag that is none of ours never matches; `*` is no condition.
    let r = patch_if(&app, &uri, "\"bogus\"", json!({"summary": "x"})).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let r = patch_if(&app, &uri, "*", json!({"summary": "不论版本"})).await;
    assert_eq!(r.status, StatusCode::OK);
    // Milestones, batches and bulletins answer the same way.
    let m = app
        .post(
            &format!("{uri}/milestones"),
            json!({"title": "中期检查", "due_on": "2026-09-30"}),
        )
        .await
        .json();
    let muri = format!("{uri}/milestones/{}", m["id"]);
    let mtag = etag(&app.get(&muri).await);
    assert_eq!(
        patch_if(&app, &muri, &mtag, json!({"deliverable": "检查报告"}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        patch_if(&app, &muri, &mtag, json!({"deliverable": "另一个"}))
            .await
            .status,
        StatusCode::PRECONDITION_FAILED
    );
}

/// Sends a POST without a body and with an If-Match header.
async fn post_if(app: &TestApp, uri: &str, tag: &str) -> crate::helpers::Res {
    app.send(
        axum::http::Request::post(uri)
            .header(axum::http::header::IF_MATCH, tag)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn archiving_on_an_old_etag_is_refused_and_the_record_stays() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = project(&app, w.enterprise).await;
    let uri = format!("/api/v1/projects/{id}");
    let read = etag(&app.get(&uri).await);
    // Someone edits the project after we read it; archiving on what we read is refused.
    let r = app.json("PATCH", &uri, json!({"summary": "别人刚改过"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = post_if(&app, &format!("{uri}/archive"), &read).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
    assert_eq!(app.get(&uri).await.json()["archived"], false);
    // On the current version it is archived, and the answer carries the new version.
    let now = etag(&app.get(&uri).await);
    let r = post_if(&app, &format!("{uri}/archive"), &now).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["archived"], true);
    assert_ne!(etag(&r), now);
    assert_eq!(etag(&r), etag(&app.get(&uri).await));
    // Restoring on the ETag from before the archive is refused too.
    let r = post_if(&app, &format!("{uri}/restore"), &now).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
    assert_eq!(app.get(&uri).await.json()["archived"], true);
}

/// The hidden `_version` of an edit form.
fn form_version(html: &str) -> String {
    html.split("name=\"_version\" value=\"")
        .nth(1)
        .expect("the form carries the version")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_form_saved_after_someone_else_changed_the_record_shows_both_and_overwrites_nothing() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = project(&app, w.enterprise).await;
    let page = app.get(&format!("/projects/{id}/edit")).await.text();
    let version = form_version(&page);
    // Meanwhile another office user renames it.
    let zhang = app
        .user("zhang.wei", hezuo_domain::access::Role::Office, None, None)
        .await;
    let r = app
        .json_by(
            &zhang,
            "PATCH",
            &format!("/api/v1/projects/{id}"),
            json!({"title": "张伟改过的名称"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let mine = [
        ("title", "我改的名称"),
        ("kind", "research"),
        ("batch_year", "2026"),
        ("lead_unit_id", &w.enterprise.to_string()),
        ("_version", &version),
    ];
    let r = app.form(&format!("/projects/{id}/edit"), &mine).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let text = r.text();
    assert!(text.contains("此记录已被 zhang.wei 于"), "{text}");
    assert!(text.contains("我改的名称"), "the form keeps what was typed");
    assert!(text.contains("对方保存的值：张伟改过的名称"), "{text}");
    assert_eq!(
        app.get(&format!("/api/v1/projects/{id}")).await.json()["title"],
        "张伟改过的名称"
    );
    // Saved again from the form as shown: it now carries the new version, and this user's text wins.
    let newer = form_version(&text);
    assert_ne!(newer, version);
    let again = [
        ("title", "我改的名称"),
        ("kind", "research"),
        ("batch_year", "2026"),
        ("lead_unit_id", &w.enterprise.to_string()),
        ("_version", &newer),
    ];
    let r = app.form(&format!("/projects/{id}/edit"), &again).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        app.get(&format!("/api/v1/projects/{id}")).await.json()["title"],
        "我改的名称"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_for_the_office_only() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = project(&app, w.enterprise).await;
    for _ in 0..3 {
        assert_eq!(app.get(&format!("/api/v1/projects/{id}")).await.status, StatusCode::OK);
    }
    assert_eq!(app.get("/api/v1/projects/999999").await.status, StatusCode::NOT_FOUND);
    let r = app.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = r.text();
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .to_string()
    };
    let ok = line(r#"hezuo_http_requests_total{method="GET",route="/api/v1/projects/{id}",status="200"}"#);
    assert!(ok.ends_with(" 3"), "{ok}");
    line(r#"hezuo_http_requests_total{method="GET",route="/api/v1/projects/{id}",status="404"}"#);
    line(r#"hezuo_http_request_duration_seconds_bucket{le="#);
    line("hezuo_db_write_lock_wait_seconds_bucket{");
    line(r#"hezuo_db_pool_connections{state="idle"}"#);
    line("hezuo_search_index_lag ");
    line("hezuo_reminders_sent_total ");
    // Not for anyone else.
    let leader = app.user("leader", hezuo_domain::access::Role::Leader, None, None).await;
    assert_eq!(app.get_by(&leader, "/metrics").await.status, StatusCode::FORBIDDEN);
    let r = app
        .send_as(
            None,
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a page: sign in first");
}

/// Everyone files the same month's report of one project at once (a unit's staff, or a retry from a
/// second tab): each filing is a new version or a 409 that names the period, never a 500; the
/// versions kept are exactly the filings answered 201, numbered 1, 2, 3… without a gap or a repeat.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn versions_of_one_report_filed_at_once_are_each_kept_or_refused_with_409() {
    let mut app = spawn_app().await;
    app.set_today("2026-04-10");
    let w = app.seed().await;
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026", "cadence": "monthly", "report_due_day": 10}),
        )
        .await;
    let p = app
        .create(
            "projects",
            json!({"title": "同时填报", "kind": "research", "batch_year": 2026, "batch_id": batch,
                "lead_unit_id": w.enterprise, "start_on": "2026-01-01", "end_on": "2026-12-31"}),
        )
        .await;
    app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    let app = Arc::new(app);
    let got = rush(&app, 8, 4, move |app, c, n| async move {
        let r = app
            .post(
                &format!("/api/v1/projects/{p}/reports"),
                json!({"period": "2026-03", "done_text": format!("第{c}人第{n}次填报"), "percent": 30}),
            )
            .await;
        if r.status == StatusCode::CONFLICT {
            assert!(r.text().contains("period"), "a 409 names the field: {}", r.text());
        }
        r.status
    })
    .await;
    assert!(
        got.iter()
            .all(|s| [StatusCode::CREATED, StatusCode::CONFLICT].contains(s)),
        "{:?}",
        tally(&got)
    );
    let filed = got.iter().filter(|s| **s == StatusCode::CREATED).count();
    assert!(filed >= 1, "{:?}", tally(&got));
    let listed = app
        .get(&format!("/api/v1/projects/{p}/reports?per_page=200"))
        .await
        .json();
    let mut versions: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["period"] == "2026-03")
        .map(|r| r["version"].as_i64().unwrap())
        .collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=filed as i64).collect::<Vec<_>>(), "{:?}", tally(&got));
}
