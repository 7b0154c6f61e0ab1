//! Lists as spreadsheets (`format=xlsx` on the API list and on the list page): the same filters and
//! scope as the list, the filters written on the first line, Chinese headers, dates as dates and
//! money as 万元 numbers — read back with calamine.

use crate::helpers::{Res, TestApp, credit_code, spawn_app};
use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use hezuo_domain::access::Role;
use serde_json::json;
use std::io::Cursor;

/// The first sheet of an exported file, cell by cell.
fn cells(r: &Res) -> Vec<Vec<Data>> {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let kind = r.headers["content-type"].to_str().unwrap();
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes.clone())).expect("an .xlsx file");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    range.rows().map(|row| row.to_vec()).collect()
}

fn text(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The column headed `header` (row 2 of the sheet).
fn col(rows: &[Vec<Data>], header: &str) -> usize {
    rows[1]
        .iter()
        .position(|c| text(c) == header)
        .unwrap_or_else(|| panic!("no column {header}: {:?}", rows[1]))
}

/// The data rows' values in the column headed `header`, as text.
fn column(rows: &[Vec<Data>], header: &str) -> Vec<String> {
    let c = col(rows, header);
    rows[2..].iter().map(|r| text(&r[c])).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

async fn projects(app: &TestApp) -> (i64, i64) {
    let w = app.seed().await;
    // An enterprise in 江山市's subtree: its coordinator sees its projects.
    let local = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山化工有限公司", "parent_id": w.county, "region_code": "330881",
                   "credit_code": credit_code(501), "industry_code": "C26"}),
        )
        .await;
    for (title, year, lead, amount, start) in [
        ("江山氟材料中试", 2026, local, "123.45", Some("2026-03-01")),
        ("江山人才培养", 2025, local, "0", None),
        ("柯城有机硅项目", 2026, w.enterprise, "50", Some("2026-05-20")),
    ] {
        app.create(
            "projects",
            json!({"title": title, "kind": "research", "batch_year": year, "lead_unit_id": lead,
                   "contract_amount_wan": amount, "start_on": start}),
        )
        .await;
    }
    (w.county, local)
}

#[tokio::test]
async fn a_filtered_project_list_exports_its_rows_only_with_the_filters_typed_cells_and_a_utf8_filename() {
    let app = spawn_app().await;
    projects(&app).await;
    for uri in [
        "/api/v1/projects?batch_year=2026&format=xlsx",
        "/projects?batch_year=2026&format=xlsx&page=3",
    ] {
        let r = app.get(uri).await;
        let rows = cells(&r);
        let filters = text(&rows[0][0]);
        assert!(filters.starts_with("筛选："), "{uri}: {filters}");
        assert!(filters.contains("=2026"), "{uri}: {filters}");
        assert_eq!(text(&rows[1][1]), "项目名称", "{uri}: Chinese headers");
        // Every page of the filtered list, whatever page was asked for.
        assert_eq!(
            sorted(column(&rows, "项目名称")),
            vec!["柯城有机硅项目", "江山氟材料中试"],
            "{uri}"
        );
        let title = col(&rows, "项目名称");
        let row = rows[2..].iter().find(|r| text(&r[title]) == "江山氟材料中试").unwrap();
        // Money is a number of 万元, dates are dates, years are numbers.
        assert_eq!(row[col(&rows, "合同金额（万元）")], Data::Float(123.45), "{uri}");
        assert!(
            matches!(row[col(&rows, "开始日期")], Data::DateTime(_)),
            "{uri}: {:?}",
            row[col(&rows, "开始日期")]
        );
        // Excel counts days from 1899-12-30: 46082 is 2026-03-01.
        let start = text(&row[col(&rows, "开始日期")]);
        assert_eq!(start, "46082", "{uri}");
        assert_eq!(row[col(&rows, "批次年度")], Data::Float(2026.0), "{uri}");
        // The file is named in Chinese, for browsers that read RFC 6266.
        let disposition = r.headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''%E5%90%88%E4%BD%9C%E9%A1%B9%E7%9B%AE"),
            "{disposition}"
        );
    }
    // The text reader (what imports use) sees the same: two decimals' worth, the date as a date.
    let back = hezuo_report::sheet::read_rows(&app.get("/api/v1/projects?format=xlsx").await.bytes).unwrap();
    assert_eq!(back[0][0], "筛选：全部");
    assert_eq!(back.len(), 2 + 3);

    // The list page offers the export of what it shows.
    let page = app.get("/projects?batch_year=2026&page=1").await.text();
    assert!(page.contains("导出 Excel"), "{page}");
    // (askama writes `&` in an attribute as `&#38;`.)
    assert!(
        ["&amp;", "&#38;"]
            .iter()
            .any(|amp| page.contains(&format!("/projects?batch_year=2026{amp}format=xlsx"))),
        "{page}"
    );
}

#[tokio::test]
async fn a_coordinator_exports_only_their_countys_projects_and_english_readers_get_english_headers() {
    let app = spawn_app().await;
    let (county, _) = projects(&app).await;
    let coord = app.user("jiangshan", Role::Coordinator, Some(county), None).await;
    for uri in ["/api/v1/projects?format=xlsx", "/projects?format=xlsx"] {
        let rows = cells(&app.get_by(&coord, uri).await);
        assert_eq!(text(&rows[0][0]), "筛选：全部");
        assert_eq!(
            sorted(column(&rows, "项目名称")),
            vec!["江山人才培养", "江山氟材料中试"],
            "{uri}: not another county's"
        );
    }
    let rows = cells(&app.get_lang("/api/v1/projects?batch_year=2025&format=xlsx", "en").await);
    assert!(text(&rows[0][0]).starts_with("Filters: "), "{:?}", rows[0]);
    assert_eq!(column(&rows, "Title"), vec!["江山人才培养"]);
    assert_eq!(rows[2][col(&rows, "Contract (×10k CNY)")], Data::Float(0.0));
}

#[tokio::test]
async fn organizations_demands_and_coordination_bodies_export_with_their_filters() {
    let app = spawn_app().await;
    let w = app.seed().await;

    // Organisations, filtered by kind: the select's label is written, not its code.
    for uri in [
        "/api/v1/organizations?kind=enterprise&format=xlsx",
        "/organizations?kind=enterprise&format=xlsx",
    ] {
        let rows = cells(&app.get(uri).await);
        let filters = text(&rows[0][0]);
        assert!(filters.contains("企业"), "{uri}: {filters}");
        assert!(!filters.contains("enterprise"), "{uri}: {filters}");
        assert_eq!(column(&rows, "名称"), vec!["衢州氟硅新材料有限公司"], "{uri}");
        assert_eq!(column(&rows, "行政区划"), vec!["柯城区"], "{uri}");
    }

    // Demands: budgets in 万元 as numbers, the deadline a date.
    let other = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山光伏有限公司", "parent_id": w.county, "region_code": "330881",
                   "credit_code": credit_code(502), "industry_code": "C38"}),
        )
        .await;
    app.create(
        "demands",
        json!({"enterprise_id": w.enterprise, "title": "含氟废水处理", "summary": "处理工艺", "industry": "C26",
               "mode": "技术开发", "budget_min_wan": "30", "budget_max_wan": "80.5", "deadline": "2026-12-31"}),
    )
    .await;
    app.create(
        "demands",
        json!({"enterprise_id": other, "title": "光伏组件回收", "summary": "回收", "mode": "技术开发"}),
    )
    .await;
    for uri in [
        format!("/api/v1/demands?enterprise_id={}&format=xlsx", w.enterprise),
        format!("/demands?enterprise_id={}&format=xlsx", w.enterprise),
    ] {
        let rows = cells(&app.get(&uri).await);
        let filters = text(&rows[0][0]);
        assert!(
            filters.starts_with("筛选：") && filters.contains("衢州氟硅新材料有限公司"),
            "{uri}: {filters}"
        );
        assert_eq!(column(&rows, "需求名称"), vec!["含氟废水处理"], "{uri}");
        let row = &rows[2];
        assert_eq!(row[col(&rows, "预算上限（万元）")], Data::Float(80.5), "{uri}");
        assert_eq!(row[col(&rows, "预算下限（万元）")], Data::Float(30.0), "{uri}");
        assert!(matches!(row[col(&rows, "截止日期")], Data::DateTime(_)), "{uri}");
    }

    // Coordination bodies (issue 16), filtered by kind.
    for (name, kind) in [("市校合作领导小组", "leading"), ("人才交流专门工作小组", "working")] {
        app.create(
            "groups",
            json!({"name": name, "kind": kind, "established_on": "2024-03-01"}),
        )
        .await;
    }
    for uri in [
        "/api/v1/groups?kind=working&format=xlsx",
        "/groups?kind=working&format=xlsx",
    ] {
        let rows = cells(&app.get(uri).await);
        assert!(text(&rows[0][0]).starts_with("筛选："), "{uri}");
        assert!(text(&rows[0][0]).len() > "筛选：".len() + 3, "{uri}: {:?}", rows[0]);
        assert_eq!(column(&rows, "名称"), vec!["人才交流专门工作小组"], "{uri}");
        assert!(matches!(rows[2][col(&rows, "成立日期")], Data::DateTime(_)), "{uri}");
    }
}

#[tokio::test]
async fn every_kind_with_a_list_answers_xlsx_with_a_header_row() {
    let app = spawn_app().await;
    app.seed().await;
    for plural in [
        "organizations",
        "people",
        "agreements",
        "projects",
        "problems",
        "demands",
        "campaigns",
        "results",
        "platforms",
        "outcomes",
        "secondments",
        "events",
        "decisions",
        "trainings",
        "groups",
        "chief-experts",
        "service-log",
        "works",
    ] {
        for uri in [
            format!("/api/v1/{plural}?format=xlsx"),
            format!("/{plural}?format=xlsx"),
        ] {
            let rows = cells(&app.get(&uri).await);
            assert_eq!(text(&rows[0][0]), "筛选：全部", "{uri}");
            assert!(rows[1].len() >= 5, "{uri}: {:?}", rows[1]);
            assert!(
                rows[1].iter().all(|h| !text(h).is_empty() && !text(h).is_ascii()),
                "{uri}: Chinese headers {:?}",
                rows[1]
            );
        }
    }
}
