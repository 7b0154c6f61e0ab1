//! `hezuo demo --scale`'s loader (issue 19) at a small N, on the test backend: the counts it
//! promises, the same rows twice, a coordinator's scope seeing only its county's subtree, and a
//! second load refused.

mod common;

use common::TestStore;
use hezuo_domain::ListParams;
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::organization::OrganizationFilter;
use hezuo_domain::project::{Project, ProjectFilter};
use hezuo_store::demo_scale::ScaleSpec;
use hezuo_store::{Store, StoreError, Viewer};
use std::collections::HashSet;

/// Enough that a chunk's progress reports take more than one statement (the bound-value limit).
const N: usize = 12_000;

fn page(n: u32) -> ListParams {
    ListParams {
        per_page: Some("200".into()),
        page: Some(n.to_string()),
        ..Default::default()
    }
}

async fn all_projects(store: &Store, v: &Viewer) -> Vec<Project> {
    let mut out = Vec::new();
    for n in 1.. {
        let p = store
            .list_projects(v, &ProjectFilter::default(), &page(n))
            .await
            .expect("list");
        if p.items.is_empty() {
            break;
        }
        out.extend(p.items);
    }
    out
}

#[tokio::test]
async fn a_small_province_loads_once_the_same_each_time_and_scopes_a_coordinator() {
    let office = Viewer::system("test");
    let a = TestStore::new().await;
    let r = a.write_scale(&ScaleSpec::new(N), "hezuo-demo").await.expect("load");
    // Every total below is compared exactly, so every list is counted exactly.
    a.set_exact_count_limit(i64::MAX / 2);
    let spec = ScaleSpec::new(N);
    assert_eq!(r.projects, N);
    assert_eq!(r.organizations, spec.organizations());
    assert_eq!(r.people, spec.people());
    assert_eq!(r.demands, spec.demands());
    assert_eq!(r.batches, 5);
    assert!(r.milestones > N / 10 && r.reports > N / 20, "{r:?}");
    assert!(r.co_units > N / 4 && r.co_units < N * 2 / 5, "{r:?}");
    assert_eq!(r.per_year.iter().map(|y| y.1).sum::<i64>(), N as i64);
    let orgs = a
        .list_organizations(&office, &OrganizationFilter::default(), &ListParams::default())
        .await
        .expect("orgs");
    assert_eq!(orgs.total as usize, spec.organizations());
    // The demo accounts, one per role, with the demo's password.
    let names: Vec<&str> = r.accounts.iter().map(|a| a.0.as_str()).collect();
    for role in ["office", "coordinator", "unit", "enterprise", "expert", "leader"] {
        assert!(names.contains(&role), "{names:?}");
        assert!(a.user_by_name(role).await.expect("user").is_some());
    }

    // Deterministic: another store gets the same rows.
    let b = TestStore::new().await;
    let r2 = b
        .write_scale(&ScaleSpec::new(N), "hezuo-demo")
        .await
        .expect("load again");
    assert_eq!(
        (r.milestones, r.reports, r.co_units, &r.per_year),
        (r2.milestones, r2.reports, r2.co_units, &r2.per_year)
    );
    let first = |s: &Store| {
        let s = s.clone();
        let office = office.clone();
        async move {
            s.list_projects(&office, &ProjectFilter::default(), &page(1))
                .await
                .expect("list")
                .items
                .into_iter()
                .take(20)
                .map(|p| (p.id, p.title, p.lead_unit_id, p.status))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(first(&a).await, first(&b).await);

    // The coordinator's county: its subtree's projects, and only those.
    let (county, _) = r.coordinator_county;
    let mut subtree: HashSet<i64> = HashSet::from([county]);
    let children = a
        .list_organizations(
            &office,
            &OrganizationFilter {
                parent_id: Some(county.to_string()),
                ..Default::default()
            },
            &page(1),
        )
        .await
        .expect("children");
    assert!(children.total > 0);
    for n in 1..=((children.total + 199) / 200) as u32 {
        let p = a
            .list_organizations(
                &office,
                &OrganizationFilter {
                    parent_id: Some(county.to_string()),
                    ..Default::default()
                },
                &page(n),
            )
            .await
            .expect("children");
        subtree.extend(p.items.iter().map(|o| o.id));
    }
    let inside = |p: &Project| subtree.contains(&p.lead_unit_id) || p.co_unit_ids.iter().any(|c| subtree.contains(c));
    let expected: Vec<i64> = all_projects(&a, &office)
        .await
        .iter()
        .filter(|p| inside(p))
        .map(|p| p.id)
        .collect();
    let coordinator = Viewer {
        user_id: None,
        username: "coordinator".into(),
        role: Role::Coordinator,
        scope: Scope::Subtree(county),
        ip: None,
    };
    let seen = all_projects(&a, &coordinator).await;
    assert!(!seen.is_empty());
    assert!(seen.iter().all(inside));
    let mut seen: Vec<i64> = seen.iter().map(|p| p.id).collect();
    let mut expected = expected;
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected);

    // A second load into the same store is refused, naming what is there.
    match a.write_scale(&ScaleSpec::new(N), "hezuo-demo").await {
        Err(StoreError::Invalid(f)) => {
            let msg = f.get("scale").expect("the scale field");
            assert!(msg.zh.contains("空库"), "{}", msg.zh);
        }
        other => panic!("a second load was not refused: {:?}", other.map(|r| r.projects)),
    }
}
