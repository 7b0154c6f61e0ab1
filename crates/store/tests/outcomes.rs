//! The outcomes ledger through the public `Store` API, on whichever backend the test store runs on:
//! an expert's scope, the filters (year, kind, in the city) and paging, a transfer's `in_city`
//! derived from the enterprise's division, and the totals counting confirmed entries apart.

mod common;

use common::TestStore;
use hezuo_domain::ListParams;
use hezuo_domain::access::Role;
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::outcome::{OutcomeFilter, OutcomeInput, OutcomeKind, OutcomeStatus};
use hezuo_domain::person::PersonInput;
use hezuo_store::{Store, Viewer};

fn sys() -> Viewer {
    Viewer::system("test")
}

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

async fn org(st: &Store, kind: &str, name: &str, region: &str, credit: Option<&str>) -> i64 {
    let i = OrganizationInput {
        kind: s(kind),
        name: s(name),
        region_code: s(region),
        credit_code: credit.map(String::from),
        industry_code: credit.map(|_| "C26".to_string()),
        ..Default::default()
    };
    st.create_organization(&sys(), &i.validate().unwrap()).await.unwrap().id
}

fn entry(kind: &str, org: i64, title: &str, on: &str) -> OutcomeInput {
    OutcomeInput {
        kind: s(kind),
        title: s(title),
        occurred_on: s(on),
        organization_id: s(org),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_ledger_filters_pages_derives_local_use_and_keeps_experts_to_their_own() {
    let t = TestStore::new().await;
    let st = &t.store;
    org(st, "government", "衢州市", "330800", None).await;
    let college = org(st, "university", "浙江工业大学", "330100", None).await;
    let local = org(st, "enterprise", "江山甲企业", "330881", Some("12100000470095016Q")).await;
    let far = org(st, "enterprise", "杭州乙企业", "330113", Some("91330825MA28F0XX0F")).await;
    let expert = st
        .create_person(
            &sys(),
            &PersonInput {
                organization_id: s(college),
                name: s("王建国"),
                is_expert: s(true),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap()
        .id;
    // Two transfers: in the city and outside it, neither saying which.
    let mut ids = Vec::new();
    for (ent, title) in [(local, "本地转化"), (far, "外地转化")] {
        let mut i = entry("transfer", college, title, "2026-03-01");
        i.transfer_mode = s("license");
        i.enterprise_id = s(ent);
        i.amount_wan = s("10");
        ids.push(st.create_outcome(&sys(), i).await.unwrap());
    }
    assert_eq!(ids[0].in_city, Some(true));
    assert_eq!(ids[1].in_city, Some(false));
    // Talents over two years; one names the expert.
    for (n, on) in [(1, "2025-05-01"), (2, "2026-05-01"), (3, "2026-06-01")] {
        let mut i = entry("talent", college, &format!("培养{n}"), on);
        i.quantity = s(n * 10);
        if n == 3 {
            i.person_ids = vec![expert.to_string()];
        }
        st.create_outcome(&sys(), i).await.unwrap();
    }
    let f = |kind: Option<&str>, year: Option<&str>, in_city: Option<&str>| OutcomeFilter {
        kind: kind.map(String::from),
        year: year.map(String::from),
        in_city: in_city.map(String::from),
        ..Default::default()
    };
    let all = ListParams::first(200);
    assert_eq!(
        st.list_outcomes(&sys(), &f(None, None, None), &all)
            .await
            .unwrap()
            .total,
        5
    );
    assert_eq!(
        st.list_outcomes(&sys(), &f(Some("talent"), Some("2026"), None), &all)
            .await
            .unwrap()
            .total,
        2
    );
    let local_only = st
        .list_outcomes(&sys(), &f(None, None, Some("true")), &all)
        .await
        .unwrap();
    assert_eq!(local_only.total, 1);
    assert_eq!(local_only.items[0].title, "本地转化");
    let p = ListParams {
        page: s(2),
        per_page: s(2),
        sort: s("occurred_on"),
        ..Default::default()
    };
    let page = st.list_outcomes(&sys(), &f(None, None, None), &p).await.unwrap();
    assert_eq!((page.total, page.items.len()), (5, 2));
    // The expert sees the entry naming them, nothing else.
    let (user, _) = st
        .add_user(
            &sys(),
            "expert",
            Role::Expert,
            None,
            Some(expert),
            Some("correct horse battery"),
        )
        .await
        .unwrap();
    let v = st.viewer_for(&user, None).await.unwrap();
    let seen = st.list_outcomes(&v, &f(None, None, None), &all).await.unwrap();
    assert_eq!(
        seen.items.iter().map(|o| o.title.as_str()).collect::<Vec<_>>(),
        vec!["培养3"]
    );
    // Totals: the confirmed talent counts its people apart from the unconfirmed ones.
    st.set_outcome_status(&sys(), seen.items[0].id, OutcomeStatus::Confirmed, None, None)
        .await
        .unwrap();
    let totals = st.outcome_totals(&sys(), &f(None, None, None)).await.unwrap();
    let talent = totals.iter().find(|t| t.kind == OutcomeKind::Talent).unwrap();
    assert_eq!((talent.confirmed_count, talent.confirmed_quantity), (1, 30));
    assert_eq!((talent.unconfirmed_count, talent.unconfirmed_quantity), (2, 30));
    let transfer = totals.iter().find(|t| t.kind == OutcomeKind::Transfer).unwrap();
    assert_eq!(transfer.unconfirmed_amount_fen, 20_000_000);
}
