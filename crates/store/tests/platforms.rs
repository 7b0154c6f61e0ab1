//! The demo's innovation platforms as the store lists and counts them, on whichever backend the
//! test store runs on: every kind at the seed's places, accredited ones with their documents, one
//! being set up and one closed, last year's evaluations, people stationed — and what a county's
//! coordinator reads (everything) and may change (only platforms hosted in the county).

mod common;

use common::TestStore;
use hezuo_domain::access::{Action, Role};
use hezuo_domain::organization::OrganizationFilter;
use hezuo_domain::platform::{PlatformFilter, PlatformKind, PlatformStatus};
use hezuo_domain::{ListParams, RecordKind};
use hezuo_store::Viewer;
use hezuo_store::platforms::CountBy;

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_builds_platforms_of_every_kind_that_a_coordinator_reads_but_keeps_only_at_home() {
    let store = TestStore::new().await;
    let today = common::TODAY.parse().unwrap();
    hezuo_store::demo::load(&store, today).await.unwrap();
    let sys = Viewer::system("test");
    let all = store
        .list_platforms(&sys, &PlatformFilter::default(), &ListParams::first(200))
        .await
        .unwrap();
    for kind in PlatformKind::ALL {
        assert!(all.items.iter().any(|p| p.kind == *kind), "no {kind:?} in the demo");
    }
    let count = |s: PlatformStatus| all.items.iter().filter(|p| p.status == s).count();
    assert_eq!(count(PlatformStatus::Planning), 1);
    assert_eq!(count(PlatformStatus::Closed), 1);
    assert!(count(PlatformStatus::Accredited) >= 5);
    for p in all.items.iter().filter(|p| p.status == PlatformStatus::Accredited) {
        assert!(
            p.approval_doc.as_deref().is_some_and(|d| d.contains('〔')),
            "{}",
            p.name
        );
    }
    let centre = all
        .items
        .iter()
        .find(|p| p.kind == PlatformKind::TransferCentre)
        .unwrap();
    assert!(centre.name.contains("衢州"));
    let mut evaluated = 0;
    for p in &all.items {
        assert!(p.established_on.is_none_or(|d| d <= today));
        let evals = store.list_evaluations(&sys, p.id).await.unwrap();
        evaluated += evals.iter().filter(|e| e.year == 2025).count();
        if p.status != PlatformStatus::Planning {
            assert!(
                !store.platform_people(&sys, p.id).await.unwrap().is_empty(),
                "{}",
                p.name
            );
        }
    }
    assert!(evaluated >= 8, "{evaluated} evaluations for last year");

    // Counted by county: each county of the city has a platform.
    let counties = store.platform_counts(&sys, CountBy::County).await.unwrap();
    assert!(counties.len() >= 6, "{counties:?}");
    let kinds = store.platform_counts(&sys, CountBy::Kind).await.unwrap();
    assert_eq!(kinds.iter().map(|r| r.count).sum::<i64>(), all.total);

    // 江山市's coordinator reads every platform and keeps only those hosted in the county.
    let js = store
        .list_organizations(
            &sys,
            &OrganizationFilter {
                region_code: Some("330881".into()),
                kind: Some("government".into()),
                ..Default::default()
            },
            &ListParams::first(5),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let (user, _) = store
        .add_user(
            &sys,
            "js",
            Role::Coordinator,
            Some(js),
            None,
            Some("correct horse battery"),
        )
        .await
        .unwrap();
    let coord = store.viewer_for(&user, None).await.unwrap();
    let seen = store
        .list_platforms(&coord, &PlatformFilter::default(), &ListParams::first(200))
        .await
        .unwrap();
    assert_eq!(seen.total, all.total);
    let home = store
        .list_platforms(
            &coord,
            &PlatformFilter {
                county: Some("330881".into()),
                ..Default::default()
            },
            &ListParams::first(200),
        )
        .await
        .unwrap();
    assert!(!home.items.is_empty());
    for p in &all.items {
        let at_home = home.items.iter().any(|h| h.id == p.id);
        let may = store
            .can(&coord, RecordKind::Platform, Some(p.id), Action::Update)
            .await
            .unwrap();
        assert_eq!(may, at_home, "{}", p.name);
    }
}
