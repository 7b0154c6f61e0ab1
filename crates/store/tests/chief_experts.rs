//! Chief experts through the public `Store` API, on whichever backend the test store runs on: the
//! list's scope (a county's coordinator, the expert) and filters, the service log's tally, and the
//! demo's two chief experts with this year's logs.

mod common;

use chrono::{Datelike, NaiveDate};
use common::TestStore;
use hezuo_domain::ListParams;
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::chief_expert::{
    ChiefExpertFilter, ChiefExpertInput, ChiefStatus, ServiceKind, ServiceLogFilter, ServiceLogInput,
};
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::person::PersonInput;
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

async fn expert(st: &Store, org: i64, name: &str) -> i64 {
    let i = PersonInput {
        organization_id: s(org),
        name: s(name),
        is_expert: s(true),
        ..Default::default()
    };
    st.create_person(&sys(), &i.validate().unwrap()).await.unwrap().id
}

fn appointment(person: i64, place: Option<i64>, chain: Option<&str>, from: &str, to: &str) -> ChiefExpertInput {
    ChiefExpertInput {
        person_id: s(person),
        field: s("agriculture"),
        organization_id: place.map(|p| p.to_string()),
        chain: chain.map(String::from),
        document_no: s("衢农发〔2026〕18号"),
        appointed_by: s("衢州市农业农村局"),
        from_on: s(from),
        to_on: s(to),
        duties: None,
    }
}

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer {
        user_id: None,
        username: "t".into(),
        role,
        scope,
        ip: None,
    }
}

#[tokio::test]
async fn the_list_keeps_to_the_scope_filters_by_status_and_the_tally_counts_the_log() {
    let t = TestStore::new().await;
    let st = &t.store;
    let city = org(st, "government", "衢州市", "330800", None).await;
    let jiangshan = org(st, "government", "江山市", "330881", Some(city)).await;
    let longyou = org(st, "government", "龙游县", "330825", Some(city)).await;
    let uni = org(st, "university", "浙江工业大学", "330100", None).await;
    let a = expert(st, uni, "王建国").await;
    let b = expert(st, uni, "李明华").await;
    let add =
        |i: ChiefExpertInput| async move { st.create_chief_expert(&sys(), &i.validate().unwrap()).await.unwrap() };
    let here = add(appointment(
        a,
        Some(jiangshan),
        Some("食用菌"),
        "2026-01-01",
        "2028-12-31",
    ))
    .await;
    let there = add(appointment(b, Some(longyou), None, "2027-01-01", "2029-12-31")).await;
    let chain = add(appointment(b, None, Some("氟硅新材料"), "2020-01-01", "2022-12-31")).await;
    assert_eq!(
        (here.status, there.status, chain.status),
        (ChiefStatus::Serving, ChiefStatus::Appointed, ChiefStatus::Ended)
    );
    let all = &ListParams::first(50);
    let list = |v: Viewer, f: ChiefExpertFilter| async move {
        st.list_chief_experts(&v, &f, all)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    let coord = viewer(Role::Coordinator, Scope::Subtree(jiangshan));
    assert_eq!(list(coord.clone(), Default::default()).await, vec![here.id]);
    let mine = viewer(
        Role::Expert,
        Scope::Person {
            person_id: b,
            org_id: uni,
        },
    );
    let mut got = list(mine.clone(), Default::default()).await;
    got.sort();
    assert_eq!(got, vec![there.id, chain.id]);
    let status = |x: &str| ChiefExpertFilter {
        status: s(x),
        ..Default::default()
    };
    assert_eq!(list(sys(), status("appointed")).await, vec![there.id]);
    assert_eq!(list(sys(), status("ended")).await, vec![chain.id]);
    let year = ChiefExpertFilter {
        year: s(2027),
        ..Default::default()
    };
    let mut got = list(sys(), year).await;
    got.sort();
    assert_eq!(got, vec![here.id, there.id]);
    // The coordinator may not appoint anyone to another county.
    let e = st
        .create_chief_expert(
            &coord,
            &appointment(a, Some(longyou), None, "2026-01-01", "2027-12-31")
                .validate()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Invalid(ref f) if f.get("organization_id").is_some()),
        "{e:?}"
    );

    // The log and its tally.
    let log = |kind: &str, on: &str, hours: Option<i64>| ServiceLogInput {
        chief_expert_id: s(here.id),
        kind: s(kind),
        served_on: s(on),
        title: s(format!("{kind} {on}")),
        hours: hours.map(|h| h.to_string()),
        ..Default::default()
    };
    for (kind, on, hours) in [
        ("visit", "2026-02-01", Some(3)),
        ("visit", "2026-03-01", None),
        ("training", "2026-06-15", Some(2)),
        ("training", "2025-12-31", Some(9)),
    ] {
        st.create_service_log(&sys(), &log(kind, on, hours).validate().unwrap())
            .await
            .unwrap();
    }
    let e = st
        .create_service_log(&sys(), &log("visit", "2026-06-16", None).validate().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Invalid(ref f) if f.get("served_on").is_some()),
        "{e:?}"
    );
    let tally = st.service_tally(&coord, here.id, 2026).await.unwrap();
    let of = |k: Option<ServiceKind>| tally.iter().find(|t| t.kind == k).unwrap().clone();
    assert_eq!(
        (of(Some(ServiceKind::Visit)).count, of(Some(ServiceKind::Visit)).hours),
        (2, 3)
    );
    assert_eq!(of(Some(ServiceKind::Training)).count, 1);
    assert_eq!((of(None).count, of(None).hours), (3, 5));
    assert!(matches!(
        st.service_tally(&coord, there.id, 2026).await,
        Err(StoreError::NotFound)
    ));
    let page = st
        .list_service_log(&mine, &ServiceLogFilter::default(), &ListParams::first(50))
        .await
        .unwrap();
    assert_eq!(page.total, 0, "another expert's log is not theirs to read");
}

#[tokio::test]
async fn the_demo_has_two_chief_experts_serving_with_this_years_log() {
    let t = TestStore::new().await;
    let st = &t.store;
    let today: NaiveDate = common::TODAY.parse().unwrap();
    hezuo_store::demo::load(st, today).await.unwrap();
    let chiefs = st
        .list_chief_experts(&sys(), &ChiefExpertFilter::default(), &ListParams::first(50))
        .await
        .unwrap()
        .items;
    assert_eq!(chiefs.len(), 2);
    assert!(chiefs.iter().all(|c| c.status == ChiefStatus::Serving));
    assert!(
        chiefs
            .iter()
            .any(|c| c.chain.as_deref() == Some("氟硅新材料") && c.field.as_str() == "industry")
    );
    assert!(
        chiefs
            .iter()
            .any(|c| c.field.as_str() == "agriculture" && c.organization_name.as_deref() == Some("常山县"))
    );
    for c in &chiefs {
        let log = st
            .list_service_log(
                &sys(),
                &ServiceLogFilter {
                    chief_expert_id: s(c.id),
                    ..Default::default()
                },
                &ListParams::first(50),
            )
            .await
            .unwrap()
            .items;
        assert!((5..=8).contains(&log.len()), "{}: {}", c.person_name, log.len());
        assert!(
            log.iter()
                .all(|e| e.served_on <= today && e.served_on.year() == today.year())
        );
        let tally = st.service_tally(&sys(), c.id, today.year()).await.unwrap();
        assert_eq!(tally.last().unwrap().count, log.len() as i64);
        let matched = st.chief_expert_demands(&sys(), c.id).await.unwrap();
        if let Some(m) = matched.first() {
            assert!(
                log.iter().any(|e| e.demand_id == Some(m.demand_id)),
                "{}'s demand entry links a matched demand",
                c.person_name
            );
        }
    }
}
