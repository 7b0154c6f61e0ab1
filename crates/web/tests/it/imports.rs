//! The import of the year's project list (年度合作项目清单): the template, a good sheet, a sheet
//! with one bad cell (nothing written, the cell named by row and column), an ambiguous unit name,
//! a coordinator's scope, and imports at once from several threads — on either backend.

use crate::helpers::{TestApp, World, spawn_app, spawn_app_with_upload_limit};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::sync::Arc;

const HEADER: [&str; 15] = [
    "项目名称",
    "项目类别",
    "年度",
    "所属清单",
    "牵头单位",
    "配合单位",
    "责任人",
    "合同金额（万元）",
    "争取经费（万元）",
    "开始日期",
    "计划完成日期",
    "主要内容",
    "项目来源",
    "合作协议",
    "来源说明",
];

fn sheet(rows: &[Vec<String>]) -> Vec<u8> {
    hezuo_report::sheet::write_rows("合作项目清单", &HEADER, rows).unwrap()
}

/// A good row led by `lead`, with the college as co-unit and its expert responsible.
fn row(title: &str, lead: &str) -> Vec<String> {
    [
        title,
        "工科类",
        "2026",
        "",
        lead,
        "化学工程学院",
        "王建国",
        "200",
        "35.5",
        "2026/3/1",
        "2027年12月31日",
        "联合攻关，本地转化。",
        "申报建议",
        "",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

async fn project_count(app: &TestApp) -> i64 {
    app.get("/api/v1/projects?archived=all").await.json()["total"]
        .as_i64()
        .unwrap()
}

async fn import(app: &TestApp, rows: &[Vec<String>]) -> (StatusCode, Value) {
    import_bytes(app, &sheet(rows)).await
}

/// Uploads a sheet as it is (a workbook written again carries a new time, so other bytes).
async fn import_bytes(app: &TestApp, bytes: &[u8]) -> (StatusCode, Value) {
    let r = app
        .multipart_by(&app.office, "/api/v1/projects/import", &[], "清单.xlsx", bytes)
        .await;
    let body = r.json();
    (r.status, body)
}

#[tokio::test]
async fn the_template_downloads_and_reads_back_with_the_columns_the_import_reads() {
    let app = spawn_app().await;
    for uri in ["/projects/import/template", "/api/v1/projects/import/template"] {
        let t = app.get(uri).await;
        assert_eq!(t.status, StatusCode::OK, "{uri}");
        assert!(
            t.headers["content-type"].to_str().unwrap().contains("spreadsheetml"),
            "{uri}"
        );
        let back = hezuo_report::sheet::read_rows(&t.bytes).unwrap();
        assert_eq!(back[0], HEADER, "{uri}");
        assert_eq!(back[0][9], "开始日期", "column J");
        assert_eq!(back[1][1], "平台建设", "the example row");
    }
    let page = app.get("/projects/import").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("导入年度合作项目清单") && html.contains("下载导入模板"),
        "{html}"
    );
    assert!(html.contains(r#"name="file""#) && html.contains(">导入</button>"));
}

#[tokio::test]
async fn a_good_sheet_creates_every_row_with_its_units_person_money_and_dates() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let rows = vec![
        row("氟硅新材料联合研发", "江山市"),
        row("特种纸涂布技术攻关", "330881"),
        row("有机硅单体合成工艺优化", "江山市"),
    ];
    let first = sheet(&rows);
    let (status, body) = import_bytes(&app, &first).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["created"], 3);
    assert_eq!(body["errors"], json!([]));
    let list = app.get("/api/v1/projects?batch_year=2026&sort=id").await.json();
    assert_eq!(list["total"], 3, "{list}");
    let p = &list["items"][0];
    assert_eq!(p["title"], "氟硅新材料联合研发");
    assert_eq!(p["kind"], "engineering");
    assert_eq!(p["status"], "planned");
    assert_eq!(p["lead_unit_id"], w.county);
    assert_eq!(p["co_unit_ids"], json!([w.college]));
    assert_eq!(p["responsible_person_id"], w.person);
    assert_eq!(p["contract_amount_wan"], "200.00");
    assert_eq!(p["funding_won_wan"], "35.50");
    assert_eq!(p["start_on"], "2026-03-01");
    assert_eq!(p["end_on"], "2027-12-31");
    // Each is in the audit log as created, like a project made by the form.
    let id = p["id"].as_i64().unwrap();
    let log = app
        .get(&format!(
            "/api/v1/audit?record_kind=project&record_id={id}&action=create"
        ))
        .await
        .json();
    assert_eq!(log["total"], 1, "{log}");
    // The same sheet again is refused, naming the first import; nothing is written twice.
    let (status, body) = import_bytes(&app, &first).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["fields"]["file"].as_str().unwrap().contains("已于"), "{body}");
    // The same rows in another sheet are twins of the projects now there: refused by row.
    let mut again = rows.clone();
    again.push(row("新的项目", "江山市"));
    let (status, body) = import(&app, &again).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"].as_array().unwrap().len(), 3, "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("已有同名项目"));
    assert_eq!(project_count(&app).await, 3);
}

#[tokio::test]
async fn one_bad_date_in_row_7_column_j_writes_nothing_and_names_the_cell() {
    let app = spawn_app_with_upload_limit(1024 * 1024).await;
    app.seed().await;
    let mut rows: Vec<Vec<String>> = (0..10).map(|i| row(&format!("项目{i}"), "江山市")).collect();
    rows[5][9] = "2026/13/45".into(); // the sixth data row: Excel row 7, column J
    let (status, body) = import(&app, &rows).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["row"], 7);
    assert_eq!(errors[0]["letter"], "J");
    assert_eq!(errors[0]["cell"], "J7");
    assert_eq!(errors[0]["column"], "开始日期");
    assert!(errors[0]["message"].as_str().unwrap().contains("2026/13/45"), "{body}");
    assert!(body["error"].as_str().unwrap().contains("未写入任何数据"));
    assert_eq!(body["created"], 0);
    assert_eq!(project_count(&app).await, 0);
    // The page says the same in Chinese, and still writes nothing.
    let r = app
        .multipart_by(&app.office, "/projects/import", &[], "清单.xlsx", &sheet(&rows))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("导入失败，未写入任何数据") && html.contains("J7"),
        "{html}"
    );
    assert_eq!(project_count(&app).await, 0);
    // Corrected, all ten go in.
    rows[5][9] = "2026-03-01".into();
    let (status, body) = import(&app, &rows).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(project_count(&app).await, 10);
}

#[tokio::test]
async fn a_unit_name_that_fits_two_units_is_refused_with_the_candidates() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let other_uni = app
        .create("organizations", json!({"kind": "university", "name": "衢州学院"}))
        .await;
    let twin = app
        .create(
            "organizations",
            json!({"kind": "college", "name": "化学工程学院", "parent_id": other_uni}),
        )
        .await;
    let (status, body) = import(&app, &[row("氟硅新材料联合研发", "江山市")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let e = &body["errors"][0];
    assert_eq!((e["row"].as_i64(), e["cell"].as_str()), (Some(2), Some("F2")), "{body}");
    let m = e["message"].as_str().unwrap();
    assert!(
        m.contains(&format!("化学工程学院（浙江工业大学，#{}）", w.college))
            && m.contains(&format!("化学工程学院（衢州学院，#{twin}）")),
        "{m}"
    );
    // An unknown unit is named as not found.
    let (_, body) = import(&app, &[row("项目", "不存在的县")]).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("找不到单位“不存在的县”")
    );
    assert_eq!(project_count(&app).await, 0);
}

async fn county_b(app: &TestApp, w: &World) -> i64 {
    app.create(
        "organizations",
        json!({"kind": "government", "name": "龙游县", "parent_id": w.city, "region_code": "330825"}),
    )
    .await
}

#[tokio::test]
async fn a_coordinator_imports_only_projects_led_in_their_county() {
    let app = spawn_app().await;
    let w = app.seed().await;
    county_b(&app, &w).await;
    let coord = app.user("jiangshan", Role::Coordinator, Some(w.county), None).await;
    let rows = vec![row("江山的项目", "江山市"), row("龙游的项目", "龙游县")];
    let r = app
        .multipart_by(&coord, "/api/v1/projects/import", &[], "清单.xlsx", &sheet(&rows))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let body = r.json();
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["cell"].as_str()),
        (Some(3), Some("E3"))
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("龙游县"), "{body}");
    assert_eq!(project_count(&app).await, 0, "nothing, not even the good row");
    let r = app
        .multipart_by(&coord, "/api/v1/projects/import", &[], "清单.xlsx", &sheet(&rows[..1]))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // A unit may not import at all.
    let unit = app.user("unit", Role::Unit, Some(w.county), None).await;
    let r = app
        .multipart_by(
            &unit,
            "/api/v1/projects/import",
            &[],
            "清单.xlsx",
            &sheet(&[row("x", "江山市")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(project_count(&app).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn imports_at_once_from_several_threads_each_succeed_or_fail_cleanly() {
    let app = spawn_app_with_upload_limit(1024 * 1024).await;
    app.seed().await;
    let sheets: Vec<Vec<u8>> = (0..4)
        .map(|s| {
            sheet(
                &(0..50)
                    .map(|i| row(&format!("并发导入{s}-{i}"), "江山市"))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    // Four distinct sheets, and the first one twice more.
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for (n, bytes) in sheets.iter().chain([&sheets[0], &sheets[0]]).enumerate() {
        let (app, bytes) = (app.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            let r = app
                .multipart_by(&app.office, "/api/v1/projects/import", &[], "清单.xlsx", &bytes)
                .await;
            let body = r.json();
            (n, (r.status, body))
        }));
    }
    let (mut created, mut refused) = (0, 0);
    for t in tasks {
        let (n, (status, body)) = t.await.unwrap();
        assert!(!status.is_server_error(), "import {n}: {status} {body}");
        match status {
            StatusCode::CREATED => created += body["created"].as_i64().unwrap(),
            // Whichever of the three copies of the first sheet comes second or third.
            StatusCode::CONFLICT => refused += 1,
            other => panic!("import {n}: {other} {body}"),
        }
    }
    assert_eq!(refused, 2, "the first sheet is imported once");
    assert_eq!(created, 200);
    assert_eq!(project_count(&app).await, 200);
}
