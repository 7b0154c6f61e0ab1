//! Demands: posting and the staged review, confidentiality, the green channel's timer, duplicates
//! and merging, and the all-or-nothing spreadsheet import — through the API and the pages.

use crate::helpers::{Session, TestApp, credit_code, spawn_app, spawn_app_with_upload_limit};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::{Value, json};

/// A county with two enterprises under it, another county's enterprise, and users for each.
struct Place {
    county: i64,
    ent_a: i64,
    ent_b: i64,
    ent_other: i64,
}

async fn place(app: &TestApp) -> Place {
    let w = app.seed().await;
    let ent = |name: &str, parent: i64, n: u32| {
        json!({"kind": "enterprise", "name": name, "region_code": "330881", "parent_id": parent, "industry_code": "C26",
               "credit_code": credit_code(n)})
    };
    let ent_a = app
        .create("organizations", ent("江山氟材料有限公司", w.county, 1))
        .await;
    let ent_b = app
        .create("organizations", ent("江山新硅化工有限公司", w.county, 2))
        .await;
    let other_county = app
        .create(
            "organizations",
            json!({"kind": "government", "name": "开化县", "region_code": "330824", "parent_id": w.city}),
        )
        .await;
    let ent_other = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "开化晶硅有限公司", "region_code": "330824", "parent_id": other_county, "industry_code": "C39",
                   "credit_code": credit_code(3)}),
        )
        .await;
    Place {
        county: w.county,
        ent_a,
        ent_b,
        ent_other,
    }
}

fn demand(enterprise: i64, title: &str, summary: &str) -> Value {
    json!({"enterprise_id": enterprise, "title": title, "summary": summary, "industry": "C26", "mode": "技术开发"})
}

async fn post_demand(app: &TestApp, s: &Session, body: Value) -> Value {
    let r = app.json_by(s, "POST", "/api/v1/demands", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn a_demand_goes_through_screening_and_assessment_and_a_return_carries_its_reason() {
    let app = spawn_app().await;
    let p = place(&app).await;
    let ent = app.user("fluor", Role::Enterprise, Some(p.ent_a), None).await;
    // Posting for another enterprise reads as if it did not exist.
    let r = app
        .json_by(
            &ent,
            "POST",
            "/api/v1/demands",
            demand(p.ent_b, "别家的需求", "不应成功"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["enterprise_id"].as_str().unwrap().contains("不存在"));
    // Bad input names its fields.
    let r = app
        .json_by(
            &ent,
            "POST",
            "/api/v1/demands",
            json!({"enterprise_id": p.ent_a, "title": "", "summary": "x", "budget_min_wan": "100", "budget_max_wan": "10", "mode": "合资"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.json()["fields"];
    assert!(fields["title"].as_str().unwrap().contains("必填"), "{fields}");
    assert!(fields["budget_max_wan"].as_str().unwrap().contains("上限"));
    assert!(fields["mode"].as_str().unwrap().contains("技术开发"));

    let d = post_demand(&app, &ent, demand(p.ent_a, "含氟废水深度处理", "钙盐沉淀法出水不达标")).await;
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["status"], "draft");
    // The office cannot review a draft.
    let r = app
        .post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "pass"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.json()["fields"]["status"].as_str().unwrap().contains("草稿"));
    // Submitted; the enterprise may not review its own demand.
    let r = app
        .json_by(&ent, "POST", &format!("/api/v1/demands/{id}/submit"), json!({}))
        .await;
    assert_eq!(r.json()["status"], "submitted");
    assert_eq!(r.json()["submitted_on"], "2026-06-15");
    let r = app
        .json_by(
            &ent,
            "POST",
            &format!("/api/v1/demands/{id}/review"),
            json!({"decision": "pass"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Screened, then returned at assessment: the reason is required, then kept.
    let r = app
        .post(
            &format!("/api/v1/demands/{id}/review"),
            json!({"decision": "pass", "comment": "需求明确"}),
        )
        .await;
    assert_eq!(r.json()["status"], "assessing", "{}", r.text());
    let r = app
        .post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "return"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["comment"].as_str().unwrap().contains("理由"));
    let r = app
        .post(
            &format!("/api/v1/demands/{id}/review"),
            json!({"decision": "return", "comment": "请补充废水水量和含氟浓度"}),
        )
        .await;
    assert_eq!(r.json()["status"], "returned");
    let seen = app.get_by(&ent, &format!("/demands/{id}")).await.text();
    assert!(
        seen.contains("请补充废水水量和含氟浓度") && seen.contains("已退回"),
        "{seen}"
    );
    // Amended and resubmitted, it goes through both stages to acceptance and on to a project.
    let r = app
        .json_by(
            &ent,
            "PATCH",
            &format!("/api/v1/demands/{id}"),
            json!({"summary": "日均废水 300 吨，含氟 1000 mg/L，钙盐沉淀法出水不达标"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.json_by(&ent, "POST", &format!("/api/v1/demands/{id}/submit"), json!({}))
        .await;
    for _ in 0..2 {
        let r = app
            .post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "pass"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = app.get(&format!("/api/v1/demands/{id}")).await.json();
    assert_eq!(r["status"], "accepted");
    let reviews = app.get(&format!("/api/v1/demands/{id}/reviews")).await.json();
    let stages: Vec<(&str, &str)> = reviews["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["stage"].as_str().unwrap(), x["decision"].as_str().unwrap()))
        .collect();
    assert_eq!(
        stages,
        vec![
            ("screen", "pass"),
            ("assess", "return"),
            ("screen", "pass"),
            ("assess", "pass")
        ]
    );
    // Accepted → matching → matched → project; an accepted demand's text is no longer the enterprise's to change.
    let r = app
        .json_by(
            &ent,
            "PATCH",
            &format!("/api/v1/demands/{id}"),
            json!({"title": "改名"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    for action in ["start_matching", "mark_matched"] {
        let r = app
            .post(&format!("/api/v1/demands/{id}/step"), json!({"action": action}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text());
    }
    let r = app
        .post(&format!("/api/v1/demands/{id}/step"), json!({"action": "project"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let project = app
        .create(
            "projects",
            json!({"title": "含氟废水深度处理技术开发", "kind": "engineering", "batch_year": 2026, "lead_unit_id": p.ent_a, "origin": "demand"}),
        )
        .await;
    let r = app
        .post(
            &format!("/api/v1/demands/{id}/step"),
            json!({"action": "project", "project_id": project}),
        )
        .await;
    assert_eq!(r.json()["status"], "project", "{}", r.text());
    assert_eq!(r.json()["project_id"], project);
    let r = app
        .post(
            &format!("/api/v1/demands/{id}/step"),
            json!({"action": "close", "comment": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["fields"]["status"].as_str().unwrap().contains("已立项"));
}

#[tokio::test]
async fn confidential_details_reach_only_the_enterprise_and_the_office() {
    let app = spawn_app().await;
    let p = place(&app).await;
    let ent = app.user("fluor", Role::Enterprise, Some(p.ent_a), None).await;
    let rival = app.user("rival", Role::Enterprise, Some(p.ent_b), None).await;
    let coord = app.user("jiangshan", Role::Coordinator, Some(p.county), None).await;
    let leader = app.user("leader", Role::Leader, None, None).await;
    let mut body = demand(p.ent_a, "含氟聚合物膜材料改性", "膜材料耐污染性能不足");
    body["details"] = json!("配方：PVDF 含量 18%，添加剂为商业秘密");
    let d = post_demand(&app, &ent, body).await;
    let id = d["id"].as_i64().unwrap();
    assert!(d["details"].as_str().unwrap().contains("PVDF"));
    assert!(
        app.get(&format!("/api/v1/demands/{id}")).await.json()["details"]
            .as_str()
            .unwrap()
            .contains("PVDF")
    );
    for who in [&coord, &leader] {
        let r = app.get_by(who, &format!("/api/v1/demands/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json()["details"].is_null(), "{}", r.text());
        assert_eq!(r.json()["summary"], "膜材料耐污染性能不足");
        assert!(!app.get_by(who, &format!("/demands/{id}")).await.text().contains("PVDF"));
    }
    // Another enterprise does not see the demand at all, nor count it.
    assert_eq!(
        app.get_by(&rival, &format!("/api/v1/demands/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get_by(&rival, "/api/v1/demands").await.json()["total"], 0);
    // A coordinator who edits the demand cannot wipe details they cannot read.
    let r = app
        .json_by(
            &coord,
            "PATCH",
            &format!("/api/v1/demands/{id}"),
            json!({"field": "膜分离"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        app.get(&format!("/api/v1/demands/{id}")).await.json()["details"]
            .as_str()
            .unwrap()
            .contains("PVDF")
    );
}

#[tokio::test]
async fn a_green_channel_demand_shows_when_screening_is_overdue() {
    let mut app = spawn_app().await;
    let p = place(&app).await;
    app.set_today("2026-11-27"); // a Friday
    let mut body = demand(p.ent_a, "急需：反应釜泄漏在线监测", "氟化氢泄漏风险，需尽快上线监测");
    body["green_channel"] = json!(true);
    let id = app.create("demands", body).await;
    app.post(&format!("/api/v1/demands/{id}/submit"), json!({})).await;
    // Three working days: due Wednesday 2 December.
    app.set_today("2026-12-02");
    let page = app.get(&format!("/demands/{id}")).await.text();
    assert!(page.contains("2026-12-02") && page.contains("3 个工作日内"), "{page}");
    assert!(!page.contains("绿色通道超时"));
    app.set_today("2026-12-03");
    let page = app.get(&format!("/demands/{id}")).await.text();
    assert!(page.contains("绿色通道超时") && page.contains("已超时"), "{page}");
    assert!(
        app.get("/demands?green_channel=true")
            .await
            .text()
            .contains("绿色通道超时")
    );
    // Screening stops the clock: late, and it stays late.
    app.post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "pass"}))
        .await;
    app.set_today("2026-12-20");
    assert!(app.get(&format!("/demands/{id}")).await.text().contains("已超时"));
}

#[tokio::test]
async fn near_duplicates_are_shown_with_their_similarity_and_can_be_merged() {
    let app = spawn_app().await;
    let p = place(&app).await;
    let a = app
        .create(
            "demands",
            demand(
                p.ent_a,
                "含氟废水深度除氟处理工艺",
                "公司生产含氟精细化学品，废水含氟浓度高，钙盐沉淀法出水氟化物难以稳定达标，希望开发深度除氟工艺。",
            ),
        )
        .await;
    let b = app
        .create(
            "demands",
            demand(
                p.ent_other,
                "氟化工废水深度除氟工艺开发",
                "氟化工企业废水含氟浓度高，现有钙盐沉淀法出水氟化物不能稳定达标，希望合作开发深度除氟工艺。",
            ),
        )
        .await;
    let unrelated = app
        .create(
            "demands",
            demand(p.ent_b, "食用菌菌种选育", "香菇工厂化栽培产量不稳定，希望选育新菌种。"),
        )
        .await;
    app.post(&format!("/api/v1/demands/{b}/submit"), json!({})).await;
    let dups = app.get(&format!("/api/v1/demands/{b}/duplicates")).await.json();
    let items = dups["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{dups}");
    assert_eq!(items[0]["id"], a);
    let sim = items[0]["similarity"].as_f64().unwrap();
    assert!(sim > 0.45 && sim < 1.0, "{sim}");
    assert!(items.iter().all(|x| x["id"] != unrelated));
    // An enterprise compares only with what it may see: its own demands, not another's.
    let ent = app.user("fluor", Role::Enterprise, Some(p.ent_a), None).await;
    let r = app.get_by(&ent, &format!("/api/v1/demands/{a}/duplicates")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["total"], 0, "{}", r.text());
    // The office, comparing the same demand, finds b.
    let r = app.get(&format!("/api/v1/demands/{a}/duplicates")).await.json();
    assert_eq!(r["items"][0]["id"], b, "{r}");
    // The reviewer sees it on the page, with its similarity, and merges.
    let page = app.get(&format!("/demands/{b}")).await.text();
    assert!(
        page.contains("疑似重复需求") && page.contains(&format!("{:.0}%", sim * 100.0)),
        "{page}"
    );
    let r = app
        .post(&format!("/api/v1/demands/{b}/merge"), json!({"into": b}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .form(&format!("/demands/{b}/merge"), &[("into", &a.to_string())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let merged = app.get(&format!("/api/v1/demands/{b}")).await.json();
    assert_eq!(merged["status"], "closed");
    assert_eq!(merged["merged_into_id"], a);
    assert!(merged["reason"].as_str().unwrap().contains("重复"));
}

/// An import sheet with the template's header.
fn sheet(rows: &[Vec<String>]) -> Vec<u8> {
    let header = [
        "企业（统一社会信用代码或全称）",
        "需求名称",
        "需求概述",
        "机密详情",
        "行业代码",
        "技术领域",
        "合作方式",
        "预算下限（万元）",
        "预算上限（万元）",
        "截止日期",
        "绿色通道",
        "征集人",
        "走访日期",
    ];
    hezuo_report::sheet::write_rows("技术需求", &header, rows).unwrap()
}

fn row(enterprise: &str, title: &str, deadline: &str) -> Vec<String> {
    [
        enterprise,
        title,
        "企业生产中遇到的技术难题，希望与高校合作解决。",
        "",
        "C26",
        "化工",
        "技术开发",
        "10",
        "50",
        deadline,
        "否",
        "",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

async fn demand_count(app: &TestApp) -> i64 {
    app.get("/api/v1/demands?archived=all").await.json()["total"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn an_import_of_ten_thousand_rows_with_one_bad_row_writes_nothing_and_names_the_row_and_column() {
    let app = spawn_app_with_upload_limit(20 * 1024 * 1024).await;
    let p = place(&app).await;
    let _ = p;
    let mut rows: Vec<Vec<String>> = (0..10_000)
        .map(|i| row("江山氟材料有限公司", &format!("技术需求第{i}号"), "2027-06-30"))
        .collect();
    rows[6_000][9] = "2027/6/31".into(); // spreadsheet row 6002
    let r = app
        .multipart_by(&app.office, "/api/v1/demands/import", &[], "需求.xlsx", &sheet(&rows))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let errors = r.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["row"], 6002);
    assert_eq!(errors[0]["column"], "截止日期");
    assert!(errors[0]["message"].as_str().unwrap().contains("YYYY-MM-DD"));
    assert_eq!(demand_count(&app).await, 0);
    // A missing column is named before any row is read; a file that is not a workbook is refused.
    let r = app
        .multipart_by(
            &app.office,
            "/api/v1/demands/import",
            &[],
            "x.xlsx",
            &hezuo_report::sheet::write_rows("x", &["需求名称"], &[vec!["a".into()]]).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["fields"]["file"].as_str().unwrap().contains("需求概述"),
        "{}",
        r.text()
    );
    let r = app
        .multipart_by(&app.office, "/api/v1/demands/import", &[], "x.xlsx", b"PK not really")
        .await;
    assert!(r.json()["fields"]["file"].as_str().unwrap().contains(".xlsx"));
    // Fixed, the same rows go in, all of them, submitted for screening.
    rows[6_000][9] = "2027-06-30".into();
    let rows: Vec<Vec<String>> = rows.into_iter().take(300).collect();
    let r = app
        .multipart_by(&app.office, "/api/v1/demands/import", &[], "需求.xlsx", &sheet(&rows))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["created"], 300);
    assert_eq!(demand_count(&app).await, 300);
    assert_eq!(app.get("/api/v1/demands?status=submitted").await.json()["total"], 300);
}

#[tokio::test]
async fn an_import_refused_by_the_records_is_rolled_back_whole_and_never_found_by_search() {
    let app = spawn_app().await;
    let p = place(&app).await;
    let coord = app.user("jiangshan", Role::Coordinator, Some(p.county), None).await;
    // Rows 2–3 are written first; row 4 names an enterprise outside the coordinator's county.
    let rows = vec![
        row("江山氟材料有限公司", "钛硅分子筛催化剂再生", "2027-06-30"),
        row("江山新硅化工有限公司", "有机硅副产物高值化利用", "2027-06-30"),
        row("开化晶硅有限公司", "硅片切割废砂浆回收", "2027-06-30"),
    ];
    let r = app
        .multipart_by(&coord, "/api/v1/demands/import", &[], "需求.xlsx", &sheet(&rows))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let errors = r.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["row"], 4);
    assert_eq!(errors[0]["column"], "企业（统一社会信用代码或全称）");
    assert_eq!(demand_count(&app).await, 0);
    // What was written and rolled back never reaches the index.
    for q in ["分子筛", "有机硅副产物", "钛硅"] {
        let r = app
            .get(&format!("/api/v1/search?q={}", urlencoding::encode(q)))
            .await
            .json();
        assert_eq!(r["total"], 0, "{q}: {r}");
    }
    // The page shows the same report, in Chinese.
    let r = app
        .multipart_by(&coord, "/demands/import", &[], "需求.xlsx", &sheet(&rows))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    assert!(
        page.contains("导入失败，未写入任何数据") && page.contains("开化晶硅有限公司"),
        "{page}"
    );
    // Without the outside row, the import commits and search finds it at once.
    let r = app
        .multipart_by(&coord, "/api/v1/demands/import", &[], "需求.xlsx", &sheet(&rows[..2]))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app.get("/api/v1/search?q=%E5%88%86%E5%AD%90%E7%AD%9B").await.json();
    assert_eq!(r["total"], 1, "{r}");
    assert_eq!(r["items"][0]["title"], "钛硅分子筛催化剂再生");
    // The template downloads as a workbook with the header the import reads.
    let t = app.get("/demands/import/template").await;
    assert_eq!(t.status, StatusCode::OK);
    let back = hezuo_report::sheet::read_rows(&t.bytes).unwrap();
    assert_eq!(back[0][1], "需求名称");
}

#[tokio::test]
async fn demand_pages_speak_chinese_and_walk_the_workflow() {
    let app = spawn_app().await;
    let p = place(&app).await;
    let list = app.get("/demands").await.text();
    assert!(
        list.contains("技术需求") && list.contains("没有符合条件的技术需求"),
        "{list}"
    );
    let form = app.get("/demands/new").await.text();
    for label in ["需求名称", "需求概述（公开）", "机密详情", "绿色通道", "征集人"] {
        assert!(form.contains(label), "{label}");
    }
    // A visit without its collector is refused beside the field.
    let r = app
        .form(
            "/demands/new",
            &[
                ("title", "压缩机能效提升"),
                ("summary", "一级能效"),
                ("enterprise_id", &p.ent_a.to_string()),
                ("source", "visit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("走访征集的需求须写明征集人"));
    let r = app
        .form(
            "/demands/new",
            &[
                ("title", "压缩机能效提升"),
                ("summary", "一级能效"),
                ("enterprise_id", &p.ent_a.to_string()),
                ("source", "visit"),
                ("collected_by", "吴博士"),
                ("collected_on", "2026-06-10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let page = app.get(&format!("/demands/{id}")).await.text();
    assert!(
        page.contains("走访征集（吴博士，2026-06-10）") && page.contains("提交审核"),
        "{page}"
    );
    app.form(&format!("/demands/{id}/submit"), &[]).await;
    let page = app.get(&format!("/demands/{id}")).await.text();
    assert!(page.contains("初筛…") && page.contains("已提交待初筛"), "{page}");
    // Returning without a reason stays on the form with the message beside the field.
    let r = app
        .form(&format!("/demands/{id}/review"), &[("decision", "return")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("退回时须写明理由"));
    let r = app
        .form(
            &format!("/demands/{id}/review"),
            &[("decision", "pass"), ("comment", "进入评审")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&format!("/demands/{id}")).await.text();
    assert!(page.contains("评审中") && page.contains("进入评审"), "{page}");
    let r = app.form(&format!("/demands/{id}/close"), &[("comment", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .form(&format!("/demands/{id}/close"), &[("comment", "企业已自行解决")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        app.get(&format!("/demands/{id}"))
            .await
            .text()
            .contains("企业已自行解决")
    );
    let import = app.get("/demands/import").await.text();
    assert!(import.contains("下载导入模板") && import.contains("全部行都正确才会导入"));
}
