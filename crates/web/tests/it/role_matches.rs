//! Matches as each side lives them: the office's note on confirming, the answer's note, the expert
//! and the enterprise reaching each other once a match is accepted (and nothing more), the
//! confidential details and who the page says reads them, an expert's own "demands that fit",
//! confirming twice, and demand deadlines already past.

use crate::helpers::{Session, TestApp, credit_code, spawn_app};
use axum::http::StatusCode;
use hezuo_domain::access::Role;
use serde_json::json;

/// An enterprise with a contact person, a second enterprise, and two experts of a college.
struct Cast {
    ent: i64,
    contact: i64,
    other_ent: i64,
    college: i64,
    fluor: i64,
    second: i64,
}

async fn cast(app: &TestApp) -> Cast {
    let w = app.seed().await;
    let ent = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "江山氟材料有限公司", "region_code": "330881", "parent_id": w.county,
                   "industry_code": "C26", "credit_code": credit_code(21), "phone": "0570-4012345"}),
        )
        .await;
    let contact = app
        .create(
            "people",
            json!({"organization_id": ent, "name": "周经理", "title": "技术部经理",
                   "phone": "13905701234", "email": "zhou@jsfluor.example"}),
        )
        .await;
    let other_ent = app
        .create(
            "organizations",
            json!({"kind": "enterprise", "name": "开化硅业有限公司", "region_code": "330824",
                   "industry_code": "C26", "credit_code": credit_code(22)}),
        )
        .await;
    let fluor = expert(
        app,
        w.college,
        "王氟",
        "13800001111",
        &["含氟废水深度除氟工艺研究", "氟化钙沉淀与氟资源回收"],
    )
    .await;
    let second = expert(app, w.college, "陈氟", "13800002222", &["含氟废水除氟吸附材料"]).await;
    Cast {
        ent,
        contact,
        other_ent,
        college: w.college,
        fluor,
        second,
    }
}

async fn expert(app: &TestApp, org: i64, name: &str, phone: &str, papers: &[&str]) -> i64 {
    let id = app
        .create(
            "people",
            json!({"organization_id": org, "name": name, "is_expert": true, "discipline": "环境科学与工程",
                   "phone": phone, "email": format!("{phone}@zjut.example")}),
        )
        .await;
    for p in papers {
        app.create("works", json!({"person_id": id, "title": p, "summary": p}))
            .await;
    }
    id
}

/// A demand submitted and accepted through both review stages, with confidential details.
async fn accepted_demand(app: &TestApp, ent: i64, title: &str, summary: &str) -> i64 {
    let id = app
        .create(
            "demands",
            json!({"enterprise_id": ent, "title": title, "summary": summary,
                   "details": "进水氟离子 800–1500 mg/L，废水量约 300 吨/日"}),
        )
        .await;
    app.post(&format!("/api/v1/demands/{id}/submit"), json!({})).await;
    for _ in 0..2 {
        let r = app
            .post(&format!("/api/v1/demands/{id}/review"), json!({"decision": "pass"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    id
}

/// Confirms `person` for `demand` through the API; the match's id.
async fn confirm(app: &TestApp, demand: i64, person: i64) -> i64 {
    let r = app
        .post(
            &format!("/api/v1/demands/{demand}/matches"),
            json!({"person_id": person}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

/// The expert answers on the status page's form, as a browser does.
async fn answer(app: &TestApp, s: &Session, m: i64, status: &str, reason: &str) {
    let r = app
        .form_as(
            s,
            &format!("/matches/{m}/status"),
            &[("status", status), ("reason", reason)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

/// The part of a page from the panel with `id` on.
fn panel<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no panel {id}: {page}"));
    &page[at..]
}

#[tokio::test]
async fn an_accepted_match_shows_its_note_as_the_answer_and_a_declined_one_as_the_reason() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = accepted_demand(
        &app,
        c.ent,
        "含氟废水除氟",
        "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺",
    )
    .await;
    let yes = confirm(&app, d, c.fluor).await;
    let no = confirm(&app, d, c.second).await;
    let wang = app.user("wangfu", Role::Expert, None, Some(c.fluor)).await;
    let chen = app.user("chenfu", Role::Expert, None, Some(c.second)).await;
    answer(&app, &wang, yes, "accepted", "下月可到企业现场调研").await;
    answer(&app, &chen, no, "declined", "近期无精力").await;
    let page = app.get(&format!("/demands/{d}")).await.text();
    let matches = panel(&page, "confirmed-matches");
    assert!(matches.contains("答复说明：下月可到企业现场调研"), "{matches}");
    assert!(!matches.contains("婉拒理由：下月可到企业现场调研"), "{matches}");
    assert!(matches.contains("婉拒理由：近期无精力"), "{matches}");
    // The automatic reasons stay beside the answer.
    assert!(matches.contains("一致的词"), "{matches}");
    let en = app.get(&format!("/demands/{d}?lang=en")).await.text();
    assert!(en.contains("Note on accepting: 下月可到企业现场调研"), "{en}");
}

#[tokio::test]
async fn the_note_the_office_writes_on_confirming_is_kept_and_shown_to_the_expert_and_the_enterprise() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = accepted_demand(
        &app,
        c.ent,
        "含氟废水除氟",
        "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺",
    )
    .await;
    // The form shows the suggestion with its automatic reasons and a note to write.
    let form = app
        .get(&format!("/demands/{d}/matches/confirm?person_id={}", c.fluor))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let form = form.text();
    assert!(
        form.contains("name=\"note\"") && form.contains("王氟") && form.contains("一致的词"),
        "{form}"
    );
    let note = "王教授做过同类中试，请优先联系";
    let r = app
        .form(
            &format!("/demands/{d}/matches/confirm"),
            &[("person_id", &c.fluor.to_string()), ("note", note)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let m = &app.get(&format!("/api/v1/demands/{d}/matches")).await.json()["confirmed"][0];
    assert_eq!(m["note"], note, "{m}");
    assert!(m["reasons"][0].as_str().unwrap().contains("一致的词"), "{m}");
    let expert = app.user("wangfu", Role::Expert, None, Some(c.fluor)).await;
    let enterprise = app.user("jsfluor", Role::Enterprise, Some(c.ent), None).await;
    for s in [&expert, &enterprise] {
        let page = app.get_by(s, &format!("/demands/{d}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let page = page.text();
        let matches = panel(&page, "confirmed-matches");
        assert!(matches.contains(&format!("推荐说明：{note}")), "{matches}");
        assert!(matches.contains("一致的词"), "{matches}");
    }
    // Through the API too, the note is the match's.
    let m = m["id"].as_i64().unwrap();
    let r = app.get_by(&expert, &format!("/api/v1/matches/{m}")).await;
    assert_eq!(r.json()["note"], note);
}

#[tokio::test]
async fn confirming_a_suggestion_twice_shows_the_form_again_with_the_message_beside_the_suggestion() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = accepted_demand(
        &app,
        c.ent,
        "含氟废水除氟",
        "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺",
    )
    .await;
    let person = c.fluor.to_string();
    let uri = format!("/demands/{d}/matches/confirm");
    let first = app.form(&uri, &[("person_id", &person), ("note", "首次")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let again = app.form(&uri, &[("person_id", &person), ("note", "再次")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let page = again.text();
    let beside = &page[page.find("id=\"err-note\"").expect("the message beside the note")..];
    assert!(beside.starts_with("id=\"err-note\">该推荐已确认过"), "{page}");
    assert!(!page.contains("person_id:"), "no raw field key: {page}");
    // The form is shown again with what was written and the suggestion named.
    assert!(page.contains("再次") && page.contains("王氟"), "{page}");
    assert_eq!(
        app.get(&format!("/api/v1/demands/{d}/matches")).await.json()["confirmed"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn once_a_match_is_accepted_the_expert_and_the_enterprise_read_each_others_page_and_contact() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = accepted_demand(
        &app,
        c.ent,
        "含氟废水除氟",
        "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺",
    )
    .await;
    let m = confirm(&app, d, c.fluor).await;
    let expert = app.user("wangfu", Role::Expert, None, Some(c.fluor)).await;
    let enterprise = app.user("jsfluor", Role::Enterprise, Some(c.ent), None).await;
    let org = format!("/organizations/{}", c.ent);
    let contact = format!("/api/v1/people/{}", c.contact);
    let expert_page = format!("/people/{}", c.fluor);
    // Merely suggested: neither reaches the other.
    assert_eq!(app.get_by(&expert, &org).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_by(&expert, &contact).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_by(&enterprise, &expert_page).await.status,
        StatusCode::NOT_FOUND
    );
    answer(&app, &expert, m, "accepted", "可以合作").await;
    // The expert reads the enterprise's page, its phone and its contact person.
    let r = app.get_by(&expert, &org).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    assert!(
        page.contains("江山氟材料有限公司") && page.contains("0570-4012345") && page.contains("周经理"),
        "{page}"
    );
    let r = app.get_by(&expert, &contact).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["phone"], "13905701234");
    assert_eq!(r.json()["email"], "zhou@jsfluor.example");
    let demand = app.get_by(&expert, &format!("/demands/{d}")).await.text();
    assert!(
        demand.contains("企业联系人") && demand.contains("周经理：电话 13905701234，邮箱 zhou@jsfluor.example"),
        "{demand}"
    );
    assert!(demand.contains(&format!("href=\"{org}\"")), "{demand}");
    // The enterprise reads the expert's page with unit and contact, and the API agrees.
    let r = app.get_by(&enterprise, &expert_page).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    assert!(
        page.contains("王氟") && page.contains("化学工程学院") && page.contains("13800001111"),
        "{page}"
    );
    let r = app.get_by(&enterprise, &format!("/api/v1/people/{}", c.fluor)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["email"], "13800001111@zjut.example");
    let demand = app.get_by(&enterprise, &format!("/demands/{d}")).await.text();
    let matches = panel(&demand, "confirmed-matches");
    assert!(
        matches.contains("王氟（化学工程学院）") && matches.contains("电话 13800001111"),
        "{matches}"
    );
    // Each finds the other in the search box too.
    let hits = app.get_by(&enterprise, "/api/v1/search?q=王氟").await.json();
    assert!(hits.to_string().contains(&format!("\"id\":{}", c.fluor)), "{hits}");
}

#[tokio::test]
async fn an_accepted_match_opens_nothing_else_and_suggested_or_declined_ones_open_nothing() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = accepted_demand(
        &app,
        c.ent,
        "含氟废水除氟",
        "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺",
    )
    .await;
    let other = accepted_demand(&app, c.ent, "氟化钙回收", "氟化钙污泥资源化").await;
    let elsewhere = accepted_demand(&app, c.other_ent, "硅泥回收", "硅泥中回收单质硅").await;
    let yes = confirm(&app, d, c.fluor).await;
    let no = confirm(&app, d, c.second).await;
    let wang = app.user("wangfu", Role::Expert, None, Some(c.fluor)).await;
    let chen = app.user("chenfu", Role::Expert, None, Some(c.second)).await;
    let enterprise = app.user("jsfluor", Role::Enterprise, Some(c.ent), None).await;
    answer(&app, &wang, yes, "accepted", "可以合作").await;
    answer(&app, &chen, no, "declined", "近期无精力").await;
    // The expert who accepted: not the enterprise's other demand, not another enterprise.
    for uri in [
        format!("/api/v1/demands/{other}"),
        format!("/api/v1/demands/{elsewhere}"),
        format!("/organizations/{}", c.other_ent),
    ] {
        assert_eq!(app.get_by(&wang, &uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    // The one who declined reaches nobody; the enterprise does not reach them.
    assert_eq!(
        app.get_by(&chen, &format!("/organizations/{}", c.ent)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_by(&chen, &format!("/api/v1/people/{}", c.contact)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_by(&enterprise, &format!("/people/{}", c.second)).await.status,
        StatusCode::NOT_FOUND
    );
    // Nor the college the expert works in: only the expert.
    assert_eq!(
        app.get_by(&enterprise, &format!("/organizations/{}", c.college))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Read, never changed: neither edits the other's record nor files anything on it.
    let r = app
        .json_by(
            &enterprise,
            "PATCH",
            &format!("/api/v1/people/{}", c.fluor),
            json!({"phone": "13900000000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    let r = app
        .json_by(
            &wang,
            "PATCH",
            &format!("/api/v1/people/{}", c.contact),
            json!({"phone": "13900000000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    let r = app
        .json_by(
            &wang,
            "PATCH",
            &format!("/api/v1/people/{}", c.fluor),
            json!({"organization_id": c.ent}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app
        .upload_as(
            &wang,
            "/api/v1/attachments",
            "organization",
            c.ent,
            "x.txt",
            "文字".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        app.get(&format!("/api/v1/people/{}", c.contact)).await.json()["phone"],
        "13905701234"
    );
}

#[tokio::test]
async fn the_expert_who_accepted_reads_the_confidential_details_under_a_heading_that_names_them() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let d = accepted_demand(
        &app,
        c.ent,
        "含氟废水除氟",
        "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺",
    )
    .await;
    let m = confirm(&app, d, c.fluor).await;
    let expert = app.user("wangfu", Role::Expert, None, Some(c.fluor)).await;
    let leader = app.user("leader", Role::Leader, None, None).await;
    let secret = "进水氟离子 800–1500 mg/L";
    // Suggested only: the public summary, not the details.
    let page = app.get_by(&expert, &format!("/demands/{d}")).await.text();
    assert!(!page.contains(secret), "{page}");
    answer(&app, &expert, m, "accepted", "可以合作").await;
    let page = app.get_by(&expert, &format!("/demands/{d}")).await.text();
    assert!(page.contains(secret), "{page}");
    assert!(
        page.contains("机密详情（仅本企业、协调办和已接受对接的专家可见）"),
        "{page}"
    );
    assert!(!page.contains("仅企业与协调办可见"), "{page}");
    // The list says the same as the page.
    let list = app.get_by(&expert, "/api/v1/demands").await.json();
    assert!(list["items"][0]["details"].as_str().unwrap().contains(secret), "{list}");
    // A leader reads everything but the details.
    let r = app.get_by(&leader, &format!("/api/v1/demands/{d}")).await.json();
    assert!(r["details"].is_null(), "{r}");
}

#[tokio::test]
async fn an_experts_own_page_lists_the_open_demands_matched_to_them_and_says_why_when_there_are_none() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let first = accepted_demand(
        &app,
        c.ent,
        "含氟废水除氟",
        "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺",
    )
    .await;
    let _second = accepted_demand(&app, c.other_ent, "含氟废水深度处理", "含氟废水除氟，氟资源回收").await;
    let page = format!("/people/{}", c.fluor);
    // The office sees both open demands that fit.
    let office = app.get(&page).await.text();
    let fits = panel(&office, "fitting-demands");
    assert!(
        fits.contains("含氟废水除氟") && fits.contains("含氟废水深度处理"),
        "{fits}"
    );
    // The expert, before any match: an honest empty state, not "nothing fits".
    let expert = app.user("wangfu", Role::Expert, None, Some(c.fluor)).await;
    let own = app.get_by(&expert, &page).await.text();
    let fits = panel(&own, "fitting-demands");
    assert!(fits.contains("专家只能看到协调办推荐给自己的需求"), "{fits}");
    assert!(!fits.contains("暂无与其研究相关的开放需求"), "{fits}");
    // Once the office matches one to them, it is listed on their page, the other still hidden.
    confirm(&app, first, c.fluor).await;
    let own = app.get_by(&expert, &page).await.text();
    let fits = panel(&own, "fitting-demands");
    let fits = &fits[..fits.find("id=\"similar-experts\"").unwrap_or(fits.len())];
    assert!(fits.contains(&format!("/demands/{first}")), "{fits}");
    assert!(!fits.contains("含氟废水深度处理"), "{fits}");
}

#[tokio::test]
async fn a_demand_still_under_review_is_not_an_open_demand_on_an_experts_page() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let id = app
        .create(
            "demands",
            json!({"enterprise_id": c.ent, "title": "含氟废水除氟", "summary": "钙盐沉淀法出水氟化物不达标，需要深度除氟工艺"}),
        )
        .await;
    app.post(&format!("/api/v1/demands/{id}/submit"), json!({})).await;
    let office = app.get(&format!("/people/{}", c.fluor)).await.text();
    let fits = panel(&office, "fitting-demands");
    let fits = &fits[..fits.find("id=\"similar-experts\"").unwrap_or(fits.len())];
    assert!(!fits.contains(&format!("/demands/{id}\"")), "{fits}");
    assert!(fits.contains("暂无与其研究相关的开放需求"), "{fits}");
}

#[tokio::test]
async fn a_new_demand_with_a_deadline_already_past_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let r = app
        .post(
            "/api/v1/demands",
            json!({"enterprise_id": c.ent, "title": "除氟", "summary": "除氟工艺", "deadline": "2020-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let m = r.json()["fields"]["deadline"].as_str().unwrap().to_string();
    assert!(m.contains("2020-01-01") && m.contains("已过"), "{m}");
    // The form shows it beside the deadline, with the warning, and keeps what was typed.
    let r = app
        .form(
            "/demands/new",
            &[
                ("enterprise_id", &c.ent.to_string()),
                ("title", "除氟"),
                ("summary", "除氟工艺"),
                ("deadline", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    let beside = &page[page
        .find("id=\"err-deadline\"")
        .expect("the message beside the deadline")..];
    assert!(beside.contains("已过"), "{page}");
    assert!(page.contains("截止日期已过"), "{page}");
    assert_eq!(app.get("/api/v1/demands").await.json()["total"], 0);
    // Today is fine.
    let r = app
        .post(
            "/api/v1/demands",
            json!({"enterprise_id": c.ent, "title": "除氟", "summary": "除氟工艺", "deadline": "2026-06-15"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn a_demand_whose_deadline_passed_is_shown_overdue_in_the_list_and_on_its_page() {
    let mut app = spawn_app().await;
    let c = cast(&app).await;
    let late = app
        .create(
            "demands",
            json!({"enterprise_id": c.ent, "title": "含氟废水除氟", "summary": "除氟工艺", "deadline": "2026-07-01"}),
        )
        .await;
    let closed = app
        .create(
            "demands",
            json!({"enterprise_id": c.ent, "title": "已撤回的需求", "summary": "不再需要", "deadline": "2026-07-01"}),
        )
        .await;
    let r = app
        .post(
            &format!("/api/v1/demands/{closed}/step"),
            json!({"action": "close", "comment": "企业撤回"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Not yet.
    let list = app.get("/demands").await.text();
    assert!(!list.contains("已逾期"), "{list}");
    app.set_today("2026-08-01");
    let list = app.get("/demands").await.text();
    assert_eq!(
        list.matches("已逾期 2026-07-01").count(),
        1,
        "only the open one: {list}"
    );
    let page = app.get(&format!("/demands/{late}")).await.text();
    assert!(
        page.contains("已过截止日期") && page.contains("已逾期 2026-07-01"),
        "{page}"
    );
    let page = app.get(&format!("/demands/{closed}")).await.text();
    assert!(!page.contains("已过截止日期"), "{page}");
    // Editing it keeps the date, with the form saying it has passed.
    let form = app.get(&format!("/demands/{late}/edit")).await.text();
    assert!(form.contains("截止日期已过"), "{form}");
    let en = app.get(&format!("/demands/{late}?lang=en")).await.text();
    assert!(en.contains("Past its deadline"), "{en}");
}
