//! The annual review through the public `Store` API, on whichever backend the test store runs on:
//! the year's projects and money against last year's, the prose saved with versions, issuing that
//! freezes the content and its SHA-256, and who may read it.

mod common;

use common::TestStore;
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::annual_review::{AnnualReviewProse, AnnualReviewStatus};
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::project::ProjectInput;
use hezuo_store::{Store, StoreError, Viewer};
use sha2::{Digest, Sha256};

fn sys() -> Viewer {
    Viewer::system("test")
}

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

async fn org(st: &Store, kind: &str, name: &str, region: &str) -> i64 {
    let i = OrganizationInput {
        kind: s(kind),
        name: s(name),
        region_code: s(region),
        ..Default::default()
    };
    st.create_organization(&sys(), &i.validate().unwrap()).await.unwrap().id
}

async fn project(st: &Store, title: &str, year: i32, lead: i64, contract: &str) {
    let i = ProjectInput {
        title: s(title),
        kind: s("research"),
        batch_year: s(year),
        lead_unit_id: s(lead),
        contract_amount_wan: s(contract),
        ..Default::default()
    };
    st.create_project(&sys(), &i.validate().unwrap()).await.unwrap();
}

fn prose(title: &str) -> AnnualReviewProse {
    AnnualReviewProse {
        title: title.into(),
        intro: "一年来".into(),
        next_year: String::new(),
    }
}

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer {
        user_id: Some(99),
        username: "someone".into(),
        role,
        scope,
        ip: None,
    }
}

#[tokio::test]
async fn a_draft_counts_live_and_an_issued_review_is_frozen_with_its_hash() {
    let t = TestStore::new().await;
    let st = &t.store;
    org(st, "government", "衢州市", "330800").await;
    let county = org(st, "government", "江山市", "330881").await;
    project(st, "甲", 2026, county, "100").await;
    project(st, "乙", 2026, county, "20.5").await;
    project(st, "丙", 2025, county, "10").await;

    let office = sys();
    let draft = st.annual_review(&office, 2026).await.unwrap();
    assert!(!draft.saved);
    assert_eq!(st.annual_review_version(&office, 2026).await.unwrap().id, 0);
    let c = st.annual_review_content(&office, &draft).await.unwrap();
    let p = c.figure("projects").unwrap();
    assert_eq!((p.this_year, p.last_year, p.change), (2, 1, 1));
    let m = c.figure("contract").unwrap();
    assert_eq!((m.this_year, m.last_year), (120_500_000, 10_000_000));
    assert_eq!(m.vs_last_year(), "比上年增加110.50万元（+1105.0%）");
    assert_eq!(c.by_county[0].label, "江山市");

    // The first save creates it at a version; a save on an older version is refused.
    let saved = st
        .update_annual_review(&office, 2026, &prose("回顾一"), Some(0))
        .await
        .unwrap();
    assert!(saved.saved);
    let v = st.annual_review_version(&office, 2026).await.unwrap().id;
    assert!(v > 0);
    let stale = st.update_annual_review(&office, 2026, &prose("回顾二"), Some(0)).await;
    assert!(matches!(stale, Err(StoreError::Stale(_))), "{stale:?}");
    st.update_annual_review(&office, 2026, &prose("回顾二"), Some(v))
        .await
        .unwrap();

    let issued = st.issue_annual_review(&office, 2026).await.unwrap();
    assert_eq!(issued.status, AnnualReviewStatus::Issued);
    let frozen = st.annual_review_content(&office, &issued).await.unwrap();
    assert_eq!(frozen.title, "回顾二");
    let hash = hex::encode(Sha256::digest(serde_json::to_string(&frozen).unwrap().as_bytes()));
    assert_eq!(issued.content_hash.as_deref(), Some(hash.as_str()));
    project(st, "丁", 2026, county, "1").await;
    let again = st
        .annual_review_content(&office, &st.annual_review(&office, 2026).await.unwrap())
        .await
        .unwrap();
    assert_eq!(again, frozen, "nothing changes an issued review");
    assert!(matches!(
        st.update_annual_review(&office, 2026, &prose("改"), None).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        st.issue_annual_review(&office, 2026).await,
        Err(StoreError::Conflict(_))
    ));

    // Leaders read, coordinators read it issued (the 2027 draft not), units never; only the office writes.
    let leader = viewer(Role::Leader, Scope::All);
    let coord = viewer(Role::Coordinator, Scope::Subtree(county));
    let unit = viewer(Role::Unit, Scope::Org(county));
    assert!(st.annual_review(&leader, 2027).await.is_ok());
    assert!(st.annual_review(&coord, 2026).await.is_ok());
    assert!(matches!(
        st.annual_review(&coord, 2027).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        st.annual_review(&unit, 2026).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        st.update_annual_review(&leader, 2027, &prose("x"), None).await,
        Err(StoreError::Forbidden(_))
    ));
    let years: Vec<i32> = st
        .list_annual_reviews(&coord)
        .await
        .unwrap()
        .iter()
        .map(|y| y.year)
        .collect();
    assert_eq!(years, vec![2026]);
}
