//! The organisation tree as a coordinator reads it (issue 19). A coordinator's subtree is read from
//! `org_ancestor`, which the store keeps as organisations are added, moved and restored; these
//! tests add, move and restore through the public `Store` API and check what a coordinator lists
//! against the tree worked out from each organisation's parent — on whichever backend the test
//! store runs on, and with many writers at once.

mod common;

use chrono::NaiveDate;
use common::TestStore;
use hezuo_domain::access::Role;
use hezuo_domain::organization::{OrgKind, OrganizationData, OrganizationFilter};
use hezuo_domain::project::{ProjectData, ProjectFilter, ProjectKind, ProjectOrigin};
use hezuo_domain::{ListParams, Money};
use hezuo_store::{Store, Viewer};
use std::collections::{BTreeSet, HashMap};

fn sys() -> Viewer {
    Viewer::system("test")
}

fn all() -> ListParams {
    ListParams {
        per_page: Some("200".into()),
        ..Default::default()
    }
}

fn data(parent: Option<i64>, kind: OrgKind, name: &str) -> OrganizationData {
    OrganizationData {
        parent_id: parent,
        kind,
        name: name.into(),
        short_name: None,
        region_code: None,
        credit_code: None,
        industry_code: (kind == OrgKind::Enterprise).then(|| "C26".into()),
        address: None,
        phone: None,
        description: None,
    }
}

async fn org(s: &Store, parent: Option<i64>, kind: OrgKind, name: &str) -> i64 {
    s.create_organization(&sys(), &data(parent, kind, name))
        .await
        .unwrap_or_else(|e| panic!("organisation {name}: {e:?}"))
        .id
}

/// Puts `id` under `parent`, keeping the rest of it.
async fn move_under(s: &Store, id: i64, parent: i64) {
    let o = s.get_organization(&sys(), id).await.expect("the organisation");
    let mut d = data(Some(parent), o.kind, &o.name);
    d.region_code = o.region_code;
    d.industry_code = o.industry_code;
    s.update_organization(&sys(), id, &d, None)
        .await
        .unwrap_or_else(|e| panic!("moving {id} under {parent}: {e:?}"));
}

async fn coordinator(s: &Store, name: &str, org: i64) -> Viewer {
    let (user, _) = s
        .add_user(
            &sys(),
            name,
            Role::Coordinator,
            Some(org),
            None,
            Some("correct horse battery"),
        )
        .await
        .unwrap_or_else(|e| panic!("user {name}: {e:?}"));
    s.viewer_for(&user, None).await.expect("the coordinator's viewer")
}

/// The organisations `v` lists.
async fn listed(s: &Store, v: &Viewer) -> BTreeSet<i64> {
    let page = s
        .list_organizations(v, &OrganizationFilter::default(), &all())
        .await
        .expect("the organisations");
    assert!(page.items.len() < 200, "the tests' trees fit on one page");
    page.items.iter().map(|o| o.id).collect()
}

/// The organisation `root` and those below it, by following each one's parent as the system lists them.
async fn under(s: &Store, root: i64) -> BTreeSet<i64> {
    let page = s
        .list_organizations(&sys(), &OrganizationFilter::default(), &all())
        .await
        .expect("every organisation");
    let parent: HashMap<i64, Option<i64>> = page.items.iter().map(|o| (o.id, o.parent_id)).collect();
    parent
        .keys()
        .copied()
        .filter(|&id| {
            let mut at = Some(id);
            let mut steps = 0;
            while let Some(x) = at {
                if x == root {
                    return true;
                }
                at = parent[&x];
                steps += 1;
                assert!(steps < 100, "a cycle at {id}");
            }
            false
        })
        .collect()
}

async fn project(s: &Store, title: &str, lead: i64) -> i64 {
    let d = ProjectData {
        title: title.into(),
        kind: ProjectKind::Research,
        batch_year: 2026,
        batch_id: None,
        lead_unit_id: lead,
        co_unit_ids: vec![],
        responsible_person_id: None,
        origin: ProjectOrigin::Proposal,
        agreement_id: None,
        origin_note: None,
        contract_amount: Money(0),
        funding_won: Money(0),
        status: None,
        start_on: NaiveDate::from_ymd_opt(2026, 1, 1),
        end_on: NaiveDate::from_ymd_opt(2027, 12, 31),
        summary: None,
        create_anyway: false,
    };
    s.create_project(&sys(), &d).await.expect("a project").id
}

async fn project_titles(s: &Store, v: &Viewer) -> Vec<String> {
    let page = s
        .list_projects(v, &ProjectFilter::default(), &all())
        .await
        .expect("the projects");
    let mut t: Vec<String> = page.items.into_iter().map(|p| p.title).collect();
    t.sort();
    t
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_moved_to_another_county_takes_its_units_and_projects_to_that_coordinator() {
    let s = TestStore::new().await;
    let city = org(&s, None, OrgKind::Government, "市").await;
    let a = org(&s, Some(city), OrgKind::Government, "甲县").await;
    let b = org(&s, Some(city), OrgKind::Government, "乙县").await;
    let firm = org(&s, Some(b), OrgKind::Enterprise, "乙县企业").await;
    let lab = org(&s, Some(firm), OrgKind::Enterprise, "企业实验室").await;
    project(&s, "实验室的项目", lab).await;
    project(&s, "甲县自己的项目", a).await;
    let ca = coordinator(&s, "coord_a", a).await;
    let cb = coordinator(&s, "coord_b", b).await;

    assert_eq!(listed(&s, &ca).await, BTreeSet::from([a]));
    assert_eq!(listed(&s, &cb).await, BTreeSet::from([b, firm, lab]));
    assert_eq!(project_titles(&s, &ca).await, ["甲县自己的项目"]);
    assert_eq!(project_titles(&s, &cb).await, ["实验室的项目"]);

    move_under(&s, firm, a).await;
    assert_eq!(listed(&s, &ca).await, BTreeSet::from([a, firm, lab]));
    assert_eq!(listed(&s, &cb).await, BTreeSet::from([b]));
    assert_eq!(project_titles(&s, &ca).await, ["实验室的项目", "甲县自己的项目"]);
    assert!(project_titles(&s, &cb).await.is_empty());

    // A unit added below the moved one is the new county's at once.
    let lab2 = org(&s, Some(lab), OrgKind::Enterprise, "实验室二组").await;
    assert!(listed(&s, &ca).await.contains(&lab2));
    let city_coordinator = coordinator(&s, "coord_city", city).await;
    assert_eq!(listed(&s, &city_coordinator).await, under(&s, city).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restored_store_gives_each_coordinator_the_same_subtree_even_when_children_come_first() {
    let s = TestStore::new().await;
    let city = org(&s, None, OrgKind::Government, "市").await;
    let a = org(&s, Some(city), OrgKind::Government, "甲县").await;
    // Made before the county it ends up under, so a backup writes it (by id) before its parent.
    let firm = org(&s, Some(a), OrgKind::Enterprise, "先有的企业").await;
    let b = org(&s, Some(city), OrgKind::Government, "乙县").await;
    let lab = org(&s, Some(firm), OrgKind::Enterprise, "企业实验室").await;
    move_under(&s, firm, b).await;
    project(&s, "实验室的项目", lab).await;
    let mut file = Vec::new();
    s.backup(&mut file).await.expect("a backup");

    let r = TestStore::new().await;
    r.restore(&file[..]).await.expect("the restore");
    let cb = coordinator(&r, "coord_b", b).await;
    assert_eq!(listed(&r, &cb).await, BTreeSet::from([b, firm, lab]));
    assert_eq!(project_titles(&r, &cb).await, ["实验室的项目"]);
    let ca = coordinator(&r, "coord_a", a).await;
    assert_eq!(listed(&r, &ca).await, BTreeSet::from([a]));
    assert!(project_titles(&r, &ca).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn units_added_and_moved_by_many_writers_at_once_leave_every_coordinator_the_right_subtree() {
    let s = TestStore::new().await;
    let city = org(&s, None, OrgKind::Government, "市").await;
    let mut counties = Vec::new();
    for n in 0..3 {
        counties.push(org(&s, Some(city), OrgKind::Government, &format!("县{n}")).await);
    }
    let mut firms = Vec::new();
    for (n, c) in counties.iter().enumerate() {
        firms.push(org(&s, Some(*c), OrgKind::Enterprise, &format!("企业{n}")).await);
    }
    // Six writers each add a chain of units below one of the firms while a seventh moves the firms
    // from county to county.
    let mut writers = Vec::new();
    for w in 0..6usize {
        let st = s.store.clone();
        let firm = firms[w % firms.len()];
        writers.push(tokio::spawn(async move {
            let mut parent = firm;
            for k in 0..8 {
                let d = data(Some(parent), OrgKind::Enterprise, &format!("部门{w}-{k}"));
                parent = st.create_organization(&sys(), &d).await.expect("a unit added").id;
            }
        }));
    }
    let st = s.store.clone();
    let (firms2, counties2) = (firms.clone(), counties.clone());
    writers.push(tokio::spawn(async move {
        for round in 0..6 {
            for (n, f) in firms2.iter().enumerate() {
                move_under(&st, *f, counties2[(n + round + 1) % counties2.len()]).await;
            }
        }
    }));
    for w in writers {
        w.await.expect("a writer finished without error");
    }
    for (n, c) in counties.iter().enumerate() {
        let v = coordinator(&s, &format!("coord_{n}"), *c).await;
        assert_eq!(listed(&s, &v).await, under(&s, *c).await, "county {n}");
    }
    let v = coordinator(&s, "coord_city", city).await;
    let everything = under(&s, city).await;
    assert_eq!(everything.len(), 1 + 3 + 3 + 6 * 8);
    assert_eq!(listed(&s, &v).await, everything);
}
