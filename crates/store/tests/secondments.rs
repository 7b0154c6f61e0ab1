//! Secondments through the public `Store` API, on whichever backend the test store runs on: the
//! list's filters (direction, county, year, status, person, flag) and paging, a malformed filter
//! named, the counts by direction, county and year, and the daily reminders reaching a secondee.

mod common;

use common::TestStore;
use hezuo_domain::ListParams;
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::person::PersonInput;
use hezuo_domain::secondment::{SecondmentFilter, SecondmentInput, SecondmentReportInput, SecondmentStatus};
use hezuo_store::secondments::CountBy;
use hezuo_store::{Store, StoreError, Viewer};

fn sys() -> Viewer {
    Viewer::system("test")
}

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

async fn org(st: &Store, kind: &str, name: &str, region: &str, parent: Option<i64>) -> i64 {
    let i = OrganizationInput {
        kind: s(kind),
        name: s(name),
        region_code: s(region),
        parent_id: parent.map(|p| p.to_string()),
        ..Default::default()
    };
    st.create_organization(&sys(), &i.validate().unwrap()).await.unwrap().id
}

async fn person(st: &Store, org: i64, name: &str) -> i64 {
    let i = PersonInput {
        organization_id: s(org),
        name: s(name),
        ..Default::default()
    };
    st.create_person(&sys(), &i.validate().unwrap()).await.unwrap().id
}

async fn secondment(st: &Store, who: i64, from: i64, to: i64, post: &str, start: &str, end: &str) -> i64 {
    let i = SecondmentInput {
        person_id: s(who),
        from_organization_id: s(from),
        to_organization_id: s(to),
        post: s(post),
        start_on: s(start),
        end_on: s(end),
        ..Default::default()
    };
    st.create_secondment(&sys(), &i.validate().unwrap()).await.unwrap().id
}

fn filter(f: impl FnOnce(&mut SecondmentFilter)) -> SecondmentFilter {
    let mut x = SecondmentFilter::default();
    f(&mut x);
    x
}

async fn ids(st: &Store, f: &SecondmentFilter) -> Vec<i64> {
    let mut v: Vec<i64> = st
        .list_secondments(&sys(), f, &ListParams::first(50))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|x| x.id)
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn the_list_filters_by_direction_county_year_status_person_and_flag_and_pages() {
    let t = TestStore::new().await;
    let st = &t.store;
    let city = org(st, "government", "衢州市", "330800", None).await;
    let jiangshan = org(st, "government", "江山市", "330881", Some(city)).await;
    let bureau = org(st, "department", "江山市科技局", "330881", Some(jiangshan)).await;
    let longyou = org(st, "government", "龙游县", "330825", Some(city)).await;
    let univ = org(st, "university", "浙江工业大学", "330100", None).await;
    let college = org(st, "college", "化学工程学院", "330100", Some(univ)).await;
    let centre = org(st, "platform", "浙江工业大学衢州技术转移中心", "330802", Some(univ)).await;
    let (wang, li, zhao) = (
        person(st, college, "王建国").await,
        person(st, college, "李博士").await,
        person(st, longyou, "赵干部").await,
    );
    // To Jiangshan's bureau (2025–2026), serving; a PhD to the centre (2026–2027), serving; a
    // Longyou cadre to the university (2024–2025), completed.
    let a = secondment(st, wang, college, bureau, "科技局副局长", "2025-09-01", "2026-08-31").await;
    let b = secondment(st, li, college, centre, "驻中心博士", "2026-03-01", "2027-02-28").await;
    let c = secondment(st, zhao, longyou, univ, "地方合作处副处长", "2024-09-01", "2025-08-31").await;
    for id in [a, b, c] {
        st.set_secondment_status(&sys(), id, SecondmentStatus::Serving, None, None)
            .await
            .unwrap();
    }
    st.set_secondment_status(&sys(), c, SecondmentStatus::Completed, None, None)
        .await
        .unwrap();
    // Directions are told from the sender: a university's organisation sends to the city.
    let all = st
        .list_secondments(&sys(), &Default::default(), &ListParams::first(50))
        .await
        .unwrap()
        .items;
    let dir = |id: i64| all.iter().find(|x| x.id == id).unwrap().direction.as_str();
    assert_eq!((dir(a), dir(b), dir(c)), ("to_local", "to_local", "to_university"));

    assert_eq!(ids(st, &filter(|f| f.direction = s("to_university"))).await, [c]);
    assert_eq!(ids(st, &filter(|f| f.county = s("330881"))).await, [a]);
    assert_eq!(
        ids(st, &filter(|f| f.county = s("330800"))).await,
        [a, b, c],
        "the whole city"
    );
    assert_eq!(ids(st, &filter(|f| f.county = s("330802"))).await, [b]);
    assert_eq!(ids(st, &filter(|f| f.year = s("2025"))).await, [a, c]);
    assert_eq!(ids(st, &filter(|f| f.year = s("2027"))).await, [b]);
    assert_eq!(ids(st, &filter(|f| f.status = s("serving"))).await, [a, b]);
    assert_eq!(ids(st, &filter(|f| f.person_id = s(li))).await, [b]);
    assert_eq!(ids(st, &filter(|f| f.organization_id = s(univ))).await, [a, b, c]);
    assert_eq!(ids(st, &filter(|f| f.q = s("博士"))).await, [b]);
    // Today 2026-06-15: a's first quarter and second missing in a row (red); b began in March,
    // its first quarter is missing (yellow); the completed one carries none.
    assert_eq!(ids(st, &filter(|f| f.flag = s("red"))).await, [a]);
    assert_eq!(ids(st, &filter(|f| f.flag = s("yellow"))).await, [b]);
    assert!(all.iter().find(|x| x.id == c).unwrap().flag.is_none());
    // Paging: one a page, newest start first, the total counting all.
    let p = ListParams {
        per_page: s(1),
        page: s(2),
        ..Default::default()
    };
    let page = st.list_secondments(&sys(), &Default::default(), &p).await.unwrap();
    assert_eq!((page.total, page.items[0].id), (3, a));
    // Malformed filters are refused, naming the parameter.
    for (f, name) in [
        (filter(|f| f.county = s("3308")), "county"),
        (filter(|f| f.year = s("二〇二六")), "year"),
        (filter(|f| f.direction = s("up")), "direction"),
        (filter(|f| f.flag = s("blue")), "flag"),
        (filter(|f| f.person_id = s("x")), "person_id"),
    ] {
        match st.list_secondments(&sys(), &f, &ListParams::first(5)).await {
            Err(StoreError::Invalid(e)) => assert!(e.get(name).is_some(), "{name}"),
            other => panic!("{name}: {:?}", other.map(|p| p.total)),
        }
    }
    // Counts for the annual review.
    let by =
        |rows: Vec<hezuo_domain::platform::CountRow>| rows.into_iter().map(|r| (r.key, r.count)).collect::<Vec<_>>();
    let dirs = st
        .secondment_counts(&sys(), &Default::default(), CountBy::Direction)
        .await
        .unwrap();
    assert_eq!(by(dirs), [("to_local".into(), 2), ("to_university".into(), 1)]);
    let years = st
        .secondment_counts(&sys(), &Default::default(), CountBy::Year)
        .await
        .unwrap();
    assert_eq!(
        by(years),
        [
            ("2024".into(), 1),
            ("2025".into(), 2),
            ("2026".into(), 2),
            ("2027".into(), 1)
        ]
    );
    let counties = st
        .secondment_counts(&sys(), &filter(|f| f.year = s("2026")), CountBy::County)
        .await
        .unwrap();
    let mut counties: Vec<(String, String, i64)> = counties.into_iter().map(|r| (r.key, r.label, r.count)).collect();
    counties.sort();
    assert_eq!(
        counties,
        [
            ("330802".into(), "柯城区".into(), 1),
            ("330881".into(), "江山市".into(), 1)
        ]
    );
}

#[tokio::test]
async fn a_serving_secondee_is_reminded_of_the_report_due_and_not_once_it_is_filed() {
    let t = TestStore::new().await;
    let st = &t.store;
    let city = org(st, "government", "衢州市", "330800", None).await;
    let county = org(st, "government", "江山市", "330881", Some(city)).await;
    let univ = org(st, "university", "浙江工业大学", "330100", None).await;
    let wang = person(st, univ, "王建国").await;
    // Monthly, due on the 22nd: June's report is due a week from today (2026-06-15)…
    let i = SecondmentInput {
        person_id: s(wang),
        from_organization_id: s(univ),
        to_organization_id: s(county),
        post: s("江山市科技局副局长"),
        start_on: s("2026-06-01"),
        end_on: s("2027-05-31"),
        cadence: s("monthly"),
        report_due_day: s(22),
        ..Default::default()
    };
    let id = st.create_secondment(&sys(), &i.validate().unwrap()).await.unwrap().id;
    let due = st.reminders_due("2026-07-15".parse().unwrap(), &[7, 1]).await.unwrap();
    assert!(due.is_empty(), "not serving yet: nobody is reminded");
    st.set_secondment_status(&sys(), id, SecondmentStatus::Serving, None, None)
        .await
        .unwrap();
    // …on 15 July: June's (due 22 July) is a week away.
    let due = st.reminders_due("2026-07-15".parse().unwrap(), &[7, 1]).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].person_id, wang);
    assert!(
        due[0].items[0].what.contains("2026年6月挂职工作报告"),
        "{:?}",
        due[0].items
    );
    // Filed: no reminder.
    let r = SecondmentReportInput {
        period: s("2026-06"),
        work_done: s("调研 6 家企业"),
        ..Default::default()
    };
    st.file_secondment_report(&sys(), id, &r.validate().unwrap())
        .await
        .unwrap();
    let due = st.reminders_due("2026-07-15".parse().unwrap(), &[7, 1]).await.unwrap();
    assert!(due.is_empty(), "{:?}", due.iter().map(|d| &d.items).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_demo_has_secondments_both_ways_one_yellow_one_red_one_appraised_and_one_planned() {
    let t = TestStore::new().await;
    let st = &t.store;
    hezuo_store::demo::load(st, common::TODAY.parse().unwrap())
        .await
        .unwrap();
    let all = st
        .list_secondments(&sys(), &Default::default(), &ListParams::first(50))
        .await
        .unwrap()
        .items;
    let count = |f: &dyn Fn(&hezuo_domain::secondment::Secondment) -> bool| all.iter().filter(|x| f(x)).count();
    assert!(count(&|x| x.direction.as_str() == "to_local") >= 3);
    assert!(count(&|x| x.direction.as_str() == "to_university") >= 1);
    assert_eq!(count(&|x| x.status == SecondmentStatus::Planned), 1);
    let flag = |f: &str| count(&|x| x.flag.is_some_and(|g| g.as_str() == f));
    assert_eq!(
        (flag("yellow"), flag("red")),
        (1, 1),
        "{:?}",
        all.iter().map(|x| (&x.post, x.flag)).collect::<Vec<_>>()
    );
    assert!(flag("green") >= 2);
    let done: Vec<_> = all.iter().filter(|x| x.status == SecondmentStatus::Completed).collect();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].appraisal_grade.map(|g| g.label().zh), Some("优秀".to_string()));
    assert!(done[0].appraisal_evidence_id.is_some());
    let orgs = st
        .organization_names(&all.iter().map(|x| x.to_organization_id).collect::<Vec<_>>())
        .await
        .unwrap();
    assert!(orgs.values().any(|n| n == "浙江工业大学衢州技术转移中心"));
}
