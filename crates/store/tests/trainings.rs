//! Trainings through the public `Store` API, on whichever backend the test store runs on: the
//! participants written all or none, each counting for its unit's county (or the training's), the
//! counts of people trained by county and kind for a year as each viewer may see them, and the demo.

mod common;

use common::TestStore;
use hezuo_domain::ListParams;
use hezuo_domain::access::Role;
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::training::{ImportMode, ParticipantData, TrainingFilter, TrainingInput};
use hezuo_store::trainings::TrainedBy;
use hezuo_store::{Store, Viewer};

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
        credit_code: (kind == "enterprise").then(|| "91330825MA28F0XX0F".to_string()),
        industry_code: (kind == "enterprise").then(|| "C22".to_string()),
        ..Default::default()
    };
    st.create_organization(&sys(), &i.validate().unwrap()).await.unwrap().id
}

async fn training(st: &Store, v: &Viewer, organizer: i64, kind: &str, start: &str, county: &str) -> i64 {
    let i = TrainingInput {
        title: s(format!("{kind}培训")),
        kind: s(kind),
        organizer_id: s(organizer),
        start_on: s(start),
        county_code: s(county),
        status: s("held"),
        ..Default::default()
    };
    st.create_training(v, &i.validate().unwrap()).await.unwrap().id
}

fn p(name: &str, unit: &str, attended: bool) -> (usize, ParticipantData) {
    (
        0,
        ParticipantData {
            name: name.into(),
            unit: unit.into(),
            attended,
            ..Default::default()
        },
    )
}

fn counts(rows: &[hezuo_domain::training::TrainedCount]) -> Vec<(String, i64, i64)> {
    rows.iter().map(|r| (r.key.clone(), r.trainings, r.trained)).collect()
}

#[tokio::test]
async fn people_trained_count_by_county_and_kind_for_the_year_as_each_viewer_sees_them() {
    let t = TestStore::new().await;
    let st = &t.store;
    let city = org(st, "government", "衢州市", "330800", None).await;
    let jiangshan = org(st, "government", "江山市", "330881", Some(city)).await;
    let longyou = org(st, "government", "龙游县", "330825", Some(city)).await;
    let firm = org(st, "enterprise", "龙游某纸业", "330825", Some(longyou)).await;
    let a = training(st, &sys(), jiangshan, "class", "2026-04-01", "330881").await;
    let b = training(st, &sys(), longyou, "lecture", "2026-05-01", "330825").await;
    let old = training(st, &sys(), longyou, "class", "2025-05-01", "330825").await;
    let rows = [
        p("甲", "龙游某纸业", true),
        p("乙", "江山市峡口镇", true),
        p("丙", "某合作社", true),
        p("丁", "某合作社", false),
    ];
    assert_eq!(
        st.import_participants(&sys(), a, &rows, ImportMode::Replace)
            .await
            .unwrap(),
        Ok(4)
    );
    st.import_participants(&sys(), b, &[p("戊", "龙游县湖镇镇", true)], ImportMode::Replace)
        .await
        .unwrap()
        .unwrap();
    st.import_participants(&sys(), old, &[p("己", "龙游县湖镇镇", true)], ImportMode::Replace)
        .await
        .unwrap()
        .unwrap();
    let list = st.training_participants(&sys(), a).await.unwrap();
    assert_eq!(list[0].organization_id, Some(firm));
    let by_county = st.trained_counts(&sys(), 2026, TrainedBy::County).await.unwrap();
    assert_eq!(
        counts(&by_county),
        [("330825".into(), 2, 2), ("330881".into(), 1, 2)],
        "the enterprise and 湖镇 count for 龙游 (two trainings), 峡口 and the co-op for 江山"
    );
    assert_eq!(by_county[0].label, "龙游县");
    let by_kind = st.trained_counts(&sys(), 2026, TrainedBy::Kind).await.unwrap();
    assert_eq!(counts(&by_kind), [("class".into(), 1, 3), ("lecture".into(), 1, 1)]);
    assert_eq!(
        counts(&st.trained_counts(&sys(), 2025, TrainedBy::Kind).await.unwrap()),
        [("class".into(), 1, 1)]
    );

    // 龙游's coordinator reads its lecture and last year's class, and 江山's class, which one of
    // its enterprises sent someone to; it counts only those.
    let coord = {
        let (user, _) = st
            .add_user(
                &sys(),
                "longyou",
                Role::Coordinator,
                Some(longyou),
                None,
                Some("correct horse battery"),
            )
            .await
            .unwrap();
        st.viewer_for(&user, None).await.unwrap()
    };
    let seen = st
        .list_trainings(&coord, &TrainingFilter::default(), &ListParams::first(50))
        .await
        .unwrap();
    assert_eq!(seen.total, 3);
    let f = TrainingFilter {
        year: s(2026),
        kind: s("class"),
        ..Default::default()
    };
    assert_eq!(
        st.list_trainings(&coord, &f, &ListParams::first(50))
            .await
            .unwrap()
            .items[0]
            .id,
        a
    );
    let unit = {
        let (user, _) = st
            .add_user(
                &sys(),
                "jiangshan-unit",
                Role::Unit,
                Some(jiangshan),
                None,
                Some("correct horse battery"),
            )
            .await
            .unwrap();
        st.viewer_for(&user, None).await.unwrap()
    };
    let mine = st.trained_counts(&unit, 2026, TrainedBy::Kind).await.unwrap();
    assert_eq!(
        counts(&mine),
        [("class".into(), 1, 3)],
        "江山's unit sees its own class only"
    );
    assert!(st.get_training(&unit, b).await.is_err());
    let totals = st.training_totals(&sys(), &TrainingFilter::default()).await.unwrap();
    assert_eq!((totals.trainings, totals.participants, totals.attended), (3, 6, 5));
}

#[tokio::test]
async fn a_list_with_someone_twice_is_refused_whole_and_the_old_list_stays() {
    let t = TestStore::new().await;
    let st = &t.store;
    let city = org(st, "government", "衢州市", "330800", None).await;
    let a = training(st, &sys(), city, "class", "2026-04-01", "330800").await;
    st.import_participants(&sys(), a, &[p("甲", "某单位", true)], ImportMode::Replace)
        .await
        .unwrap()
        .unwrap();
    let rows = [
        (2, p("乙", "某单位", true).1),
        (3, p("丙", "某单位", true).1),
        (4, p("乙", "某单位", false).1),
    ];
    let refused = st
        .import_participants(&sys(), a, &rows, ImportMode::Replace)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0].row, refused[0].column.as_str()), (4, "姓名"));
    assert_eq!(refused[0].message, "与第2行重复：乙（某单位）");
    let list = st.training_participants(&sys(), a).await.unwrap();
    assert_eq!(list.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(), ["甲"]);
    let added = st.add_participant(&sys(), a, &p("乙", "某单位", true).1).await.unwrap();
    let marked = st.set_attendance(&sys(), a, added.id, false, None).await.unwrap();
    assert!(!marked.attended);
    st.remove_participant(&sys(), a, list[0].id).await.unwrap();
    assert_eq!(st.get_training(&sys(), a).await.unwrap().participant_count, 1);
}

#[tokio::test]
async fn the_demo_has_the_two_classes_the_seed_names_with_their_lists_a_forum_and_a_practice() {
    let t = TestStore::new().await;
    let st = &t.store;
    hezuo_store::demo::load(st, common::TODAY.parse().unwrap())
        .await
        .unwrap();
    let all = st
        .list_trainings(&sys(), &TrainingFilter::default(), &ListParams::first(50))
        .await
        .unwrap()
        .items;
    let find = |part: &str| {
        all.iter()
            .find(|x| x.title.contains(part))
            .unwrap_or_else(|| panic!("{part}"))
    };
    for class in ["新农村规划培训班", "科技乡镇长培训班"] {
        let c = find(class);
        assert!(
            (20..=40).contains(&c.participant_count),
            "{class}: {}",
            c.participant_count
        );
        assert!(c.attended_count < c.participant_count, "{class}: some were absent");
        let people = st.training_participants(&sys(), c.id).await.unwrap();
        let counties: std::collections::HashSet<_> = people.iter().filter_map(|p| p.county_code.clone()).collect();
        assert!(counties.len() >= 4, "{class} draws on the counties: {counties:?}");
    }
    assert_eq!(find("大讲坛").kind.as_str(), "forum");
    assert_eq!(find("三下乡").kind.as_str(), "practice");
    let year = chrono::Datelike::year(&common::TODAY.parse::<chrono::NaiveDate>().unwrap());
    let by_kind = st.trained_counts(&sys(), year, TrainedBy::Kind).await.unwrap();
    assert_eq!(by_kind[0].key, "class");
    assert!(by_kind[0].trained >= 40);
}
