//! Trainings and practice through the API and the pages, on whichever backend the test store runs
//! on: the participants' import from a real .xlsx (one bad row among ten thousand refused, naming
//! its row and column, nothing written), the counts of people trained changing by exactly a good
//! sheet's attendees, imports and edits at once, the filters and the scope.

use crate::helpers::{TestApp, spawn_app, spawn_app_with_upload_limit};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};
use std::sync::Arc;

const HEADER: [&str; 6] = ["姓名", "单位", "职务", "电话", "是否到课", "学时"];

/// A workbook as people fill it in: text cells, and the hours as numbers.
fn xlsx(rows: &[[String; 6]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("学员名单").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            match (c, v.parse::<f64>()) {
                (5, Ok(n)) => ws.write_number(r, c as u16, n).unwrap(),
                _ => ws.write_string(r, c as u16, v).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

fn row(name: &str, unit: &str, phone: &str, attended: bool, hours: &str) -> [String; 6] {
    [
        name.into(),
        unit.into(),
        "学员".into(),
        phone.into(),
        if attended { "是" } else { "否" }.into(),
        hours.into(),
    ]
}

async fn training(app: &TestApp, body: Value) -> i64 {
    app.create("trainings", body).await
}

fn class(organizer: i64, county: &str, start: &str) -> Value {
    json!({"title": "科技乡镇长培训班", "kind": "class", "audience": "科技乡镇长", "organizer_id": organizer,
           "start_on": start, "hours": 24, "county_code": county, "status": "held"})
}

async fn import(app: &TestApp, id: i64, mode: &str, sheet: &[u8]) -> crate::helpers::Res {
    app.multipart_by(
        &app.office,
        &format!("/api/v1/trainings/{id}/participants/import"),
        &[("mode", mode)],
        "学员名单.xlsx",
        sheet,
    )
    .await
}

async fn counts(app: &TestApp, by: &str) -> Value {
    let r = app.get(&format!("/api/v1/trainings/counts?year=2026&by={by}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn trained(c: &Value, key: &str) -> i64 {
    c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .map_or(0, |r| r["trained"].as_i64().unwrap())
}

async fn listed(app: &TestApp, id: i64) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/trainings/{id}/participants")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn training_import_of_ten_thousand_rows_with_one_bad_row_is_refused_naming_it_and_writes_nothing() {
    let app = spawn_app_with_upload_limit(16 << 20).await;
    let w = app.seed().await;
    let id = training(&app, class(w.county, "330881", "2026-05-10")).await;
    let units = ["江山市贺村镇人民政府", "衢州氟硅新材料有限公司", "常山县某合作社"];
    let mut rows: Vec<[String; 6]> = (0..10_000)
        .map(|i| {
            let attended = i % 10 != 0;
            row(
                &format!("学员{i:05}"),
                units[i % 3],
                &format!("139{i:08}"),
                attended,
                if attended { "24" } else { "0" },
            )
        })
        .collect();
    // Data row 6143 is the sheet's row 6145 (the header is row 1).
    rows[6143][3] = "1390570".into();
    let bad = xlsx(&rows);
    let r = import(&app, id, "replace", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let j = r.json();
    assert_eq!(j["imported"], 0);
    assert_eq!(j["errors"].as_array().unwrap().len(), 1, "{j}");
    assert_eq!(j["errors"][0]["row"], 6145);
    assert_eq!(j["errors"][0]["column"], "电话");
    let line = j["lines"][0].as_str().unwrap();
    assert!(line.starts_with("第6145行“电话”：手机号码“1390570”"), "{line}");
    assert!(j["error"].as_str().unwrap().contains("未写入任何数据"));
    assert!(listed(&app, id).await.is_empty(), "nothing written");
    assert_eq!(counts(&app, "county").await["total"], 0);
    // The page says the same, in Chinese, and still writes nothing.
    let r = app
        .multipart_by(
            &app.office,
            &format!("/trainings/{id}/participants/import"),
            &[("mode", "replace")],
            "学员名单.xlsx",
            &bad,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    assert!(page.contains("导入失败，未写入任何数据"), "{page}");
    assert!(page.contains("第6145行") && page.contains("“电话”") && page.contains("1390570"));
    assert!(listed(&app, id).await.is_empty());

    // Corrected, every row is written: 9,000 of them attended.
    rows[6143][3] = "13900006143".into();
    let r = import(&app, id, "replace", &xlsx(&rows)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        (r.json()["imported"].as_i64(), r.json()["attended"].as_i64()),
        (Some(10_000), Some(9_000))
    );
    let t = app.get(&format!("/api/v1/trainings/{id}")).await.json();
    assert_eq!(
        (t["participant_count"].as_i64(), t["attended_count"].as_i64()),
        (Some(10_000), Some(9_000))
    );
    assert_eq!(counts(&app, "county").await["total"], 9_000);
}

#[tokio::test]
async fn a_good_sheet_imports_and_the_counts_change_by_exactly_its_attendees() {
    let app = spawn_app().await;
    let w = app.seed().await;
    app.create(
        "organizations",
        json!({"kind": "government", "name": "龙游县", "parent_id": w.city, "region_code": "330825"}),
    )
    .await;
    // Someone trained already this year, so the counts do not start at nothing.
    let earlier = training(
        &app,
        json!({"title": "衢州大讲坛", "kind": "forum", "organizer_id": w.city, "start_on": "2026-03-02", "status": "held", "county_code": "330800"}),
    )
    .await;
    let r = import(
        &app,
        earlier,
        "replace",
        &xlsx(&[row("钱进", "江山市贺村镇人民政府", "", true, "")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let (county0, kind0) = (counts(&app, "county").await, counts(&app, "kind").await);
    assert_eq!(county0["total"], 1);

    let id = training(&app, class(w.county, "330881", "2026-05-10")).await;
    let sheet = xlsx(&[
        row("张伟", "衢州氟硅新材料有限公司", "13905701234", true, "24"),
        row("李娜", "龙游县湖镇镇人民政府", "0570-7021234", true, "24"),
        row("王芳", "某农民专业合作社", "", true, "20"),
        row("赵强", "江山市贺村镇人民政府", "", false, "0"),
    ]);
    let r = import(&app, id, "replace", &sheet).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        (r.json()["imported"].as_i64(), r.json()["attended"].as_i64()),
        (Some(4), Some(3))
    );
    let (county1, kind1) = (counts(&app, "county").await, counts(&app, "kind").await);
    assert_eq!(
        county1["total"].as_i64().unwrap() - county0["total"].as_i64().unwrap(),
        3
    );
    // Each attendee counts where their unit is: a registered enterprise's county, a county named
    // at the start of the unit, else the county the training served; the absent one nowhere.
    for (key, delta) in [("330802", 1), ("330825", 1), ("330881", 1)] {
        assert_eq!(
            trained(&county1, key) - trained(&county0, key),
            delta,
            "{key}: {county1}"
        );
    }
    assert_eq!(trained(&kind1, "class") - trained(&kind0, "class"), 3);
    assert_eq!(trained(&kind1, "forum"), trained(&kind0, "forum"));
    let people = listed(&app, id).await;
    assert_eq!(people[0]["organization_id"], w.enterprise);
    assert_eq!(people[0]["county_code"], "330802");
    assert_eq!(
        (
            people[1]["organization_id"].is_null(),
            people[1]["county_code"].as_str()
        ),
        (true, Some("330825"))
    );
    assert_eq!(people[2]["county_code"], "330881");
    assert_eq!(people[3]["attended"], false);

    // Adding someone already listed is refused by row, and changes nothing.
    let r = import(
        &app,
        id,
        "add",
        &xlsx(&[
            row("新学员", "江山市", "", true, "8"),
            row("张伟", "衢州氟硅新材料有限公司", "", true, "24"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        r.json()["lines"][0],
        "第3行“姓名”：张伟（衢州氟硅新材料有限公司）已在名单中"
    );
    assert_eq!(listed(&app, id).await.len(), 4);
    assert_eq!(counts(&app, "county").await["total"], county1["total"]);
    // Replacing the list with a shorter one takes the counts down with it.
    let r = import(
        &app,
        id,
        "replace",
        &xlsx(&[row("张伟", "衢州氟硅新材料有限公司", "", true, "24")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        counts(&app, "county").await["total"].as_i64().unwrap() - county0["total"].as_i64().unwrap(),
        1
    );
    // A cancelled training trains nobody.
    let r = app
        .json(
            "PATCH",
            &format!("/api/v1/trainings/{earlier}"),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(counts(&app, "kind").await["total"], 1);
    // The pages show the list with attendance, the totals and the counts.
    let page = app.get(&format!("/trainings/{id}")).await.text();
    assert!(
        page.contains("学员名单") && page.contains("张伟") && page.contains("到课"),
        "{page}"
    );
    assert!(page.contains("/trainings/template") || page.contains("导入学员名单"));
    let list = app.get("/trainings?year=2026").await.text();
    assert!(list.contains("合计（按当前筛选）") && list.contains("科技乡镇长培训班"));
    let c = app.get("/trainings/counts?year=2026").await;
    assert_eq!(c.status, StatusCode::OK);
    assert!(
        c.text().contains("柯城区") && c.text().contains("培训人数（到课）"),
        "{}",
        c.text()
    );
    assert_eq!(
        app.get("/api/v1/trainings/counts?year=2026&by=town").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_sheet_refused_as_a_whole_says_why_and_the_template_reads_back() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = training(&app, class(w.county, "330881", "2026-05-10")).await;
    let t = app.get("/trainings/template").await;
    assert_eq!(t.status, StatusCode::OK);
    let r = import(&app, id, "replace", &t.bytes).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the template's own example imports: {}",
        r.text()
    );
    let r = app
        .multipart_by(
            &app.office,
            &format!("/api/v1/trainings/{id}/participants/import"),
            &[],
            "x.xlsx",
            &hezuo_report::sheet::write_rows("x", &["姓名", "职务"], &[vec!["张伟".into(), "副镇长".into()]]).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["fields"]["file"]
            .as_str()
            .unwrap()
            .contains("缺少必需的列：单位"),
        "{}",
        r.text()
    );
    let r = import(&app, id, "merge", &t.bytes).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["mode"].as_str().unwrap().contains("replace"));
    // More hours than the training has, and hours for someone absent.
    let r = import(
        &app,
        id,
        "replace",
        &xlsx(&[
            row("张伟", "江山市", "", true, "30"),
            row("李娜", "江山市", "", false, "4"),
        ]),
    )
    .await;
    let lines: Vec<String> = r.json()["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "第2行“学时”：学时 30 超过了培训总学时 24",
            "第3行“学时”：未到课的学员学时应为 0 或留空"
        ]
    );
    assert_eq!(listed(&app, id).await.len(), 2, "the template's two rows stay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn imports_and_edits_at_once_all_land_and_nothing_is_lost() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let id = training(&app, class(w.county, "330881", "2026-05-10")).await;
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for c in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for n in 0..3 {
                let sheet = xlsx(&[
                    row(&format!("学员{c}-{n}甲"), "江山市贺村镇人民政府", "", true, "24"),
                    row(&format!("学员{c}-{n}乙"), "江山市峡口镇人民政府", "", false, ""),
                ]);
                got.push(import(&app, id, "add", &sheet).await.status);
            }
            got
        }));
    }
    for c in 0..4 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for n in 0..3 {
                let r = app
                    .json(
                        "PATCH",
                        &format!("/api/v1/trainings/{id}"),
                        json!({"place": format!("教室{c}-{n}")}),
                    )
                    .await;
                got.push(r.status);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert!(all.iter().all(|s| s.is_success()), "{all:?}");
    let people = listed(&app, id).await;
    assert_eq!(people.len(), 48, "every sheet's rows, none lost");
    let names: std::collections::HashSet<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 48);
    assert_eq!(counts(&app, "county").await["total"], 24);
    let t = app.get(&format!("/api/v1/trainings/{id}")).await.json();
    assert!(t["place"].as_str().unwrap().starts_with("教室"));
    assert_eq!(t["attended_count"], 24);
}

#[tokio::test]
async fn the_list_filters_and_each_coordinator_sees_what_their_county_organised_served_or_sent_people_to() {
    let app = spawn_app().await;
    let w = app.seed().await;
    let longyou = app
        .create(
            "organizations",
            json!({"kind": "government", "name": "龙游县", "parent_id": w.city, "region_code": "330825"}),
        )
        .await;
    let firm = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "龙游某纸业有限公司", "parent_id": longyou, "region_code": "330825",
                   "credit_code": crate::helpers::credit_code(7), "industry_code": "C22"}),
        )
        .await;
    let a = training(&app, class(w.county, "330881", "2026-05-10")).await;
    let b = training(
        &app,
        json!({"title": "企业经营管理人员讲座", "kind": "lecture", "organizer_id": longyou, "start_on": "2025-11-03", "county_code": "330825"}),
    )
    .await;
    let ids = |r: crate::helpers::Res| -> Vec<i64> {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(app.get("/api/v1/trainings?kind=lecture").await), [b]);
    assert_eq!(ids(app.get("/api/v1/trainings?year=2026").await), [a]);
    assert_eq!(ids(app.get("/api/v1/trainings?county=330881").await), [a]);
    assert_eq!(
        ids(app.get("/api/v1/trainings?county=330800&sort=start_on").await),
        [b, a]
    );
    assert_eq!(
        ids(app.get(&format!("/api/v1/trainings?organizer_id={longyou}")).await),
        [b]
    );
    assert_eq!(ids(app.get("/api/v1/trainings?status=planned").await), [b]);
    assert_eq!(ids(app.get("/api/v1/trainings?q=乡镇长").await), [a]);
    let r = app.get("/api/v1/trainings?kind=party").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // 龙游's coordinator sees its own lecture only…
    let coord = app.user("longyou", Role::Coordinator, Some(longyou), None).await;
    assert_eq!(ids(app.get_by(&coord, "/api/v1/trainings").await), [b]);
    assert_eq!(
        app.get_by(&coord, &format!("/api/v1/trainings/{a}")).await.status,
        StatusCode::NOT_FOUND
    );
    // …until one of its enterprises sends someone to 江山's class: then it reads it, the phone
    // numbers masked, but does not keep it.
    let r = import(
        &app,
        a,
        "replace",
        &xlsx(&[row("周敏", "龙游某纸业有限公司", "13905701234", true, "24")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(ids(app.get_by(&coord, "/api/v1/trainings?sort=start_on").await), [b, a]);
    let p = app
        .get_by(&coord, &format!("/api/v1/trainings/{a}/participants"))
        .await
        .json();
    assert_eq!(p["items"][0]["phone"], "139****1234");
    assert_eq!(p["items"][0]["organization_id"], firm);
    assert_eq!(
        listed(&app, a).await[0]["phone"],
        "13905701234",
        "the office keeps it: in full"
    );
    let r = app
        .json_by(
            &coord,
            "PATCH",
            &format!("/api/v1/trainings/{a}"),
            json!({"place": "龙游"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .multipart_by(
            &coord,
            &format!("/api/v1/trainings/{a}/participants/import"),
            &[],
            "x.xlsx",
            &xlsx(&[row("x", "y", "", true, "")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(listed(&app, a).await.len(), 1);
    // Its counts hold only what it sees; a training it may not organise is refused naming the field.
    assert_eq!(
        app.get_by(&coord, "/api/v1/trainings/counts?year=2026").await.json()["total"],
        1
    );
    let r = app
        .json_by(
            &coord,
            "POST",
            "/api/v1/trainings",
            class(w.county, "330881", "2026-05-10"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["fields"]["organizer_id"]
            .as_str()
            .unwrap()
            .contains("负责的范围")
    );
    let r = app
        .json_by(
            &coord,
            "POST",
            "/api/v1/trainings",
            class(longyou, "330825", "2026-05-20"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // A training not yet begun cannot have been held; one that ends before it starts is refused.
    let r = app
        .post("/api/v1/trainings", class(w.county, "330881", "2026-07-01"))
        .await;
    assert!(
        r.json()["fields"]["status"].as_str().unwrap().contains("尚未开始"),
        "{}",
        r.text()
    );
    let mut bad = class(w.county, "330881", "2026-05-10");
    bad["end_on"] = json!("2026-05-01");
    let r = app.post("/api/v1/trainings", bad).await;
    assert_eq!(r.json()["fields"]["end_on"], "结束日期不能早于开始日期");
}
