//! The demo's coordination bodies (协调机构): the 市校全面合作领导小组 with the mayor and the
//! university's president as joint heads, the coordination committee and its office (set in the
//! 市委组织部, as the demo's 衢州市 says), four specialised working groups (产业合作, 农业农村,
//! 文化旅游, 人才交流) with their members, and the partnership team of the first county–college
//! agreement. One member of the talent working group left this year and was replaced. Written
//! through the store's public API as the system; it finds the demo's organisations, people and
//! agreements by name and reads them back, and creates only the few leaders the demo lacks.

use crate::{Result, Store, StoreError, Viewer};
use chrono::{Datelike, NaiveDate, TimeDelta};
use hezuo_domain::ListParams;
use hezuo_domain::agreement::AgreementFilter;
use hezuo_domain::group::{GroupInput, MemberInput};
use hezuo_domain::organization::{Organization, OrganizationFilter};
use hezuo_domain::person::{PersonFilter, PersonInput};

/// A member to seat: the person (when the demo has them) and their post.
type Seat = (Option<i64>, &'static str);

fn s(v: impl Into<String>) -> Option<String> {
    Some(v.into())
}

/// Loads the demo's bodies; returns how many (0 when the demo's organisations are not there).
pub async fn load(store: &Store, today: NaiveDate) -> Result<usize> {
    let v = Viewer::system("演示数据");
    let all = ListParams::first(500);
    let orgs: Vec<Organization> = store
        .list_organizations(&v, &OrganizationFilter::default(), &all)
        .await?
        .items;
    let org = |name: &str| orgs.iter().find(|o| o.name == name).map(|o| o.id);
    let (Some(city), Some(univ)) = (org("衢州市"), org("浙江工业大学")) else {
        return Ok(0);
    };
    // The first person of an organisation (its contact, or its first expert).
    let first_of = |name: &str, k: usize| {
        let id = org(name);
        let (store, v) = (store, &v);
        async move {
            let Some(id) = id else { return Ok::<_, StoreError>(None) };
            let f = PersonFilter {
                organization_id: s(id.to_string()),
                ..Default::default()
            };
            let people = store.list_people(v, &f, &ListParams::first(20)).await?.items;
            Ok(people.get(k).or(people.first()).map(|p| p.id))
        }
    };
    // The leaders the demo has no one for.
    let leader = |org: i64, name: &'static str, title: &'static str| {
        let (store, v) = (store, &v);
        async move {
            let i = PersonInput {
                organization_id: s(org.to_string()),
                name: s(name),
                title: s(title),
                ..Default::default()
            };
            let p = store
                .create_person(v, &i.validate().map_err(StoreError::Invalid)?)
                .await?;
            Ok::<_, StoreError>(p.id)
        }
    };
    let mayor = leader(city, "徐立新", "衢州市人民政府市长").await?;
    let president = leader(univ, "李文澜", "浙江工业大学校长").await?;
    let vice_mayor = leader(city, "周海峰", "衢州市人民政府副市长").await?;
    let vice_president = leader(univ, "陈国栋", "浙江工业大学副校长").await?;
    let culture = leader(city, "吴晓燕", "衢州市文化广电旅游局副局长").await?;

    let city_contact = first_of("衢州市", 0).await?;
    let org_dept = first_of("中共衢州市委组织部", 0).await?;
    let sci = first_of("衢州市科学技术局", 0).await?;
    let econ = first_of("衢州市经济和信息化局", 0).await?;
    let agri = first_of("衢州市农业农村局", 0).await?;
    let hr = first_of("衢州市人力资源和社会保障局", 0).await?;
    let edu = first_of("衢州市教育局", 0).await?;
    let univ_org = first_of("浙江工业大学党委组织部", 0).await?;
    let local = first_of("浙江工业大学地方合作处", 0).await?;
    let centre = first_of("浙江工业大学衢州技术转移中心", 0).await?;
    let centre_doctor = first_of("浙江工业大学衢州技术转移中心", 1).await?;
    let chem = first_of("浙江工业大学化学工程学院", 0).await?;
    let mech = first_of("浙江工业大学机械工程学院", 0).await?;
    let bio = first_of("浙江工业大学生物工程学院", 0).await?;
    let env = first_of("浙江工业大学环境学院", 0).await?;
    let design = first_of("浙江工业大学设计与建筑学院", 0).await?;
    let humanities = first_of("浙江工业大学人文学院", 0).await?;
    let economics = first_of("浙江工业大学经济学院", 0).await?;

    let year = today.year();
    let since = NaiveDate::from_ymd_opt(year - 2, 3, 1).unwrap_or(today);
    let mut n = 0;
    let mut body =
        |name: &'static str, kind: &'static str, parent: Option<i64>, agreement: Option<i64>, remit: String| {
            n += 1;
            let (store, v) = (store, &v);
            async move {
                let i = GroupInput {
                    name: s(name),
                    kind: s(kind),
                    parent_id: parent.map(|p| p.to_string()),
                    agreement_id: agreement.map(|a| a.to_string()),
                    remit: s(remit),
                    established_on: s(since.to_string()),
                };
                let g = store
                    .create_group(v, &i.validate().map_err(StoreError::Invalid)?)
                    .await?;
                Ok::<_, StoreError>(g.id)
            }
        };
    let member = |group: i64, person: Option<i64>, post: &'static str, from: NaiveDate, to: Option<NaiveDate>| {
        let (store, v) = (store, &v);
        async move {
            let Some(person) = person else {
                return Ok::<_, StoreError>(());
            };
            let i = MemberInput {
                person_id: s(person.to_string()),
                post: s(post),
                from_on: s(from.to_string()),
                to_on: to.map(|d| d.to_string()),
                ..Default::default()
            };
            store
                .add_group_member(v, group, &i.validate().map_err(StoreError::Invalid)?)
                .await?;
            Ok(())
        }
    };

    let leading = body(
        "衢州市—浙江工业大学市校全面合作领导小组",
        "leading",
        None,
        None,
        "统筹市校全面合作，研究决定合作规划、年度项目清单和重大事项，协调解决合作中的重大问题；每年召开市校合作工作会议。".into(),
    )
    .await?;
    for (p, post) in [
        (Some(mayor), "组长"),
        (Some(president), "组长"),
        (Some(vice_mayor), "副组长"),
        (Some(vice_president), "副组长"),
        (org_dept, "成员"),
        (sci, "成员"),
        (local, "成员"),
    ] {
        member(leading, p, post, since, None).await?;
    }
    let committee = body(
        "市校全面合作协调委员会",
        "committee",
        Some(leading),
        None,
        "落实领导小组部署，开展定期会商，审议合作项目和工作小组的年度计划，督促议定事项落实。".into(),
    )
    .await?;
    for (p, post) in [
        (Some(vice_mayor), "主任"),
        (Some(vice_president), "主任"),
        (city_contact, "副主任"),
        (local, "副主任"),
        (univ_org, "委员"),
        (edu, "委员"),
    ] {
        member(committee, p, post, since, None).await?;
    }
    let office = body(
        "市校全面合作协调委员会办公室",
        "office",
        Some(committee),
        None,
        "设在市委组织部，负责日常联络、项目清单汇总、进度督查和简报编发，联系技术转移中心。".into(),
    )
    .await?;
    for (p, post) in [(org_dept, "主任"), (centre, "副主任"), (centre_doctor, "联络员")] {
        member(office, p, post, since, None).await?;
    }
    let working: [(&'static str, &str, Vec<Seat>); 4] = [
        (
            "产业合作专门工作小组",
            "围绕氟硅新材料、特种纸、装备制造等产业链，组织企业技术难题征集与专家对接，推进产学研合作项目。",
            vec![
                (econ, "组长"),
                (chem, "副组长"),
                (mech, "成员"),
                (sci, "成员"),
                (centre, "联络员"),
            ],
        ),
        (
            "农业农村专门工作小组",
            "推进农业首席专家制度和科技特派员工作，开展新农村规划和农业技术培训。",
            vec![(agri, "组长"), (bio, "副组长"), (env, "成员"), (design, "成员")],
        ),
        (
            "文化旅游专门工作小组",
            "推动南孔文化研究、文旅融合规划和文化创意合作。",
            vec![(Some(culture), "组长"), (humanities, "副组长"), (design, "成员")],
        ),
        (
            "人才交流专门工作小组",
            "组织干部双向挂职、博士服务团选派和各类培训班，联合培养工程硕士。",
            vec![
                (hr, "组长"),
                (univ_org, "副组长"),
                (org_dept, "成员"),
                (economics, "成员"),
            ],
        ),
    ];
    let mut talent = None;
    for (name, remit, members) in working {
        let g = body(name, "working", Some(leading), None, remit.into()).await?;
        for (p, post) in members {
            member(g, p, post, since, None).await?;
        }
        talent = Some(g);
    }
    // This year the talent group's liaison changed: the doctor at the centre left, the centre's
    // director took over the day after.
    if let Some(g) = talent {
        let left = (today - TimeDelta::days(45)).max(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today));
        member(g, centre_doctor, "联络员", since, Some(left)).await?;
        member(g, centre, "联络员", left + TimeDelta::days(1), None).await?;
    }
    // The partnership team of the first county–college agreement: its county's and college's people.
    let f = AgreementFilter {
        kind: s("county_college"),
        ..Default::default()
    };
    let agreement = store
        .list_agreements(&v, &f, &ListParams::first(1))
        .await?
        .items
        .into_iter()
        .next();
    if let Some(a) = agreement {
        let name = format!("{}合作小组", a.title.trim_end_matches("合作协议"));
        let team = store
            .create_group(
                &v,
                &GroupInput {
                    name: s(name.chars().take(200).collect::<String>()),
                    kind: s("partnership"),
                    parent_id: Some(committee.to_string()),
                    agreement_id: s(a.id.to_string()),
                    remit: s("落实县院合作协议，商定年度合作项目，对接企业需求与学院专家，每季度碰头一次。"),
                    established_on: s(a.signed_on.max(since).to_string()),
                }
                .validate()
                .map_err(StoreError::Invalid)?,
            )
            .await?;
        n += 1;
        for (k, party) in a.party_ids.iter().enumerate() {
            let f = PersonFilter {
                organization_id: s(party.to_string()),
                ..Default::default()
            };
            if let Some(p) = store.list_people(&v, &f, &ListParams::first(1)).await?.items.first() {
                member(team.id, Some(p.id), if k == 0 { "组长" } else { "副组长" }, since, None).await?;
            }
        }
        member(team.id, centre_doctor, "联络员", since, None).await?;
    }
    Ok(n)
}
