//! Coordination bodies (协调机构) as the store keeps them, on whichever backend the test store runs
//! on: the demo's bodies (the leading group with the mayor and the president, the committee and
//! its office, four working groups, a partnership team, a member who left this year), the roster
//! of a year, a person's bodies, the tree rules (a parent is another body, never one below), terms
//! that end before they begin, and what a county's coordinator may keep.

mod common;

use common::TestStore;
use hezuo_domain::access::{Action, Role};
use hezuo_domain::group::{GroupFilter, GroupInput, GroupKind, MemberInput};
use hezuo_domain::organization::OrganizationFilter;
use hezuo_domain::person::PersonInput;
use hezuo_domain::{ListParams, RecordKind};
use hezuo_store::{StoreError, Viewer};

fn field(e: StoreError, f: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs
            .get(f)
            .map(|m| m.zh.clone())
            .unwrap_or_else(|| panic!("no error on {f}")),
        other => panic!("expected a refusal naming {f}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_has_the_leading_group_the_committee_its_office_four_working_groups_and_a_partnership_team() {
    let store = TestStore::new().await;
    let today: chrono::NaiveDate = common::TODAY.parse().unwrap();
    hezuo_store::demo::load(&store, today).await.unwrap();
    let sys = Viewer::system("test");
    let all = store
        .list_groups(&sys, &GroupFilter::default(), &ListParams::first(200))
        .await
        .unwrap();
    let of = |k: GroupKind| all.items.iter().filter(|g| g.kind == k).collect::<Vec<_>>();
    assert_eq!(of(GroupKind::Leading).len(), 1);
    assert_eq!(of(GroupKind::Committee).len(), 1);
    assert_eq!(of(GroupKind::Office).len(), 1);
    assert_eq!(of(GroupKind::Partnership).len(), 1);
    let working: Vec<&str> = of(GroupKind::Working).iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        working,
        [
            "产业合作专门工作小组",
            "农业农村专门工作小组",
            "文化旅游专门工作小组",
            "人才交流专门工作小组"
        ]
    );
    let leading = of(GroupKind::Leading)[0];
    assert_eq!(of(GroupKind::Office)[0].parent_id, Some(of(GroupKind::Committee)[0].id));
    let heads: Vec<String> = store
        .group_members(&sys, leading.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.post == "组长")
        .map(|m| format!("{}@{}", m.person_name, m.organization_name.unwrap_or_default()))
        .collect();
    assert_eq!(heads, ["徐立新@衢州市", "李文澜@浙江工业大学"]);
    let mut left = 0;
    for g in of(GroupKind::Working) {
        let members = store.group_members(&sys, g.id).await.unwrap();
        let current = members.iter().filter(|m| m.current(today)).count();
        assert!((3..=6).contains(&current), "{}: {current} members", g.name);
        left += members.iter().filter(|m| !m.current(today)).count();
    }
    assert_eq!(left, 1, "one member left this year");
    let team = of(GroupKind::Partnership)[0];
    assert!(
        team.agreement_id.is_some() && team.name.ends_with("合作小组"),
        "{}",
        team.name
    );
    assert!(store.group_members(&sys, team.id).await.unwrap().len() >= 2);

    // This year's roster names the one who left, under the talent group.
    let roster = store.group_roster(&sys, 2026).await.unwrap();
    assert_eq!(roster.bodies[0].kind, GroupKind::Leading);
    let leavers: Vec<(&str, &str)> = roster
        .bodies
        .iter()
        .flat_map(|b| b.left.iter().map(move |m| (b.group_name.as_str(), m.post.as_str())))
        .collect();
    assert_eq!(leavers, [("人才交流专门工作小组", "联络员")]);
    assert_eq!(roster.left_people, 1);
    assert!(roster.serving_people >= 20, "{}", roster.serving_people);
    // Nobody served before the bodies were set up.
    assert!(store.group_roster(&sys, 2020).await.unwrap().bodies.is_empty());

    // The mayor's page lists the leading group.
    let mayor = store.group_members(&sys, leading.id).await.unwrap()[0].person_id;
    let mine = store.groups_of_person(&sys, mayor).await.unwrap();
    assert_eq!(mine[0].group.id, leading.id);

    // A county's coordinator reads every body and keeps only the partnership team of a county
    // agreement of theirs.
    let sys_orgs = store
        .list_organizations(
            &sys,
            &OrganizationFilter {
                kind: Some("government".into()),
                ..Default::default()
            },
            &ListParams::first(50),
        )
        .await
        .unwrap()
        .items;
    let agreement = store.get_agreement(&sys, team.agreement_id.unwrap()).await.unwrap();
    let county = sys_orgs
        .iter()
        .find(|o| agreement.party_ids.contains(&o.id))
        .expect("the team's agreement has a county");
    let other = sys_orgs
        .iter()
        .find(|o| o.parent_id.is_some() && !agreement.party_ids.contains(&o.id))
        .unwrap();
    for (org, keeps) in [(county.id, true), (other.id, false)] {
        let (user, _) = store
            .add_user(
                &sys,
                &format!("coord-{org}"),
                Role::Coordinator,
                Some(org),
                None,
                Some("correct horse battery"),
            )
            .await
            .unwrap();
        let coord = store.viewer_for(&user, None).await.unwrap();
        let seen = store
            .list_groups(&coord, &GroupFilter::default(), &ListParams::first(200))
            .await
            .unwrap();
        assert_eq!(seen.total, all.total, "every body is read by all");
        for g in &all.items {
            let may = store
                .can(&coord, RecordKind::Group, Some(g.id), Action::Update)
                .await
                .unwrap();
            assert_eq!(may, keeps && g.id == team.id, "{} by {org}", g.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_sits_under_another_never_under_itself_and_a_term_never_ends_before_it_begins() {
    let store = TestStore::new().await;
    let sys = Viewer::system("test");
    let city = store
        .create_organization(
            &sys,
            &hezuo_domain::organization::OrganizationInput {
                kind: Some("government".into()),
                name: Some("衢州市".into()),
                region_code: Some("330800".into()),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    let person = store
        .create_person(
            &sys,
            &PersonInput {
                organization_id: Some(city.id.to_string()),
                name: Some("徐立新".into()),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    let body = |name: &str, kind: &str, parent: Option<i64>| GroupInput {
        name: Some(name.into()),
        kind: Some(kind.into()),
        parent_id: parent.map(|p| p.to_string()),
        ..Default::default()
    };
    let leading = store
        .create_group(&sys, &body("领导小组", "leading", None).validate().unwrap())
        .await
        .unwrap();
    let committee = store
        .create_group(
            &sys,
            &body("协调委员会", "committee", Some(leading.id)).validate().unwrap(),
        )
        .await
        .unwrap();
    let e = store
        .update_group(
            &sys,
            leading.id,
            &body("领导小组", "leading", Some(committee.id)).validate().unwrap(),
            None,
        )
        .await
        .unwrap_err();
    assert!(field(e, "parent_id").contains("循环"));
    let e = store
        .create_group(&sys, &body("办公室", "office", Some(999_999)).validate().unwrap())
        .await
        .unwrap_err();
    assert!(field(e, "parent_id").contains("999999"));
    assert_eq!(
        store
            .list_groups(
                &sys,
                &GroupFilter {
                    parent_id: Some(leading.id.to_string()),
                    ..Default::default()
                },
                &ListParams::first(10),
            )
            .await
            .unwrap()
            .total,
        1
    );

    let member = |from: &str, to: Option<&str>| MemberInput {
        person_id: Some(person.id.to_string()),
        post: Some("组长".into()),
        from_on: Some(from.into()),
        to_on: to.map(Into::into),
        ..Default::default()
    };
    let m = store
        .add_group_member(&sys, leading.id, &member("2024-03-01", None).validate().unwrap())
        .await
        .unwrap();
    assert_eq!(m.organization_name.as_deref(), Some("衢州市"), "their own organisation");
    let e = store
        .end_group_term(&sys, leading.id, m.id, "2024-02-29".parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        field(e, "to_on"),
        "任期结束日期（2024-02-29）不能早于开始日期（2024-03-01）"
    );
    let ended = store
        .end_group_term(&sys, leading.id, m.id, "2026-05-31".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(ended.to_on, Some("2026-05-31".parse().unwrap()));
    // Serving again later is a second term.
    store
        .add_group_member(&sys, leading.id, &member("2026-09-01", None).validate().unwrap())
        .await
        .unwrap();
    let roster = store.group_roster(&sys, 2026).await.unwrap();
    assert_eq!((roster.bodies[0].serving.len(), roster.bodies[0].left.len()), (1, 1));
    assert_eq!(store.groups_of_person(&sys, person.id).await.unwrap().len(), 2);
    // A term in another body's name is not found.
    assert!(matches!(
        store
            .end_group_term(&sys, committee.id, m.id, "2026-06-01".parse().unwrap())
            .await,
        Err(StoreError::NotFound)
    ));
    store.remove_group_member(&sys, leading.id, m.id).await.unwrap();
    assert_eq!(store.group_members(&sys, leading.id).await.unwrap().len(), 1);
    // Every change of the members is in the audit log as a change of the body.
    let log = store
        .list_audit(
            &sys,
            &hezuo_store::audit_log::AuditFilter {
                record_kind: Some("group".into()),
                record_id: Some(leading.id.to_string()),
                ..Default::default()
            },
            &ListParams::first(50),
        )
        .await
        .unwrap();
    assert!(log.total >= 5, "{}", log.total);
}
