//! Demo data for the outcomes ledger: a year of outcomes of every kind, linked to the demo's
//! projects, results, demands and matches and agreements — funding won (两百多万元 in all, as the
//! seed says), technical contracts, patents, results transferred in the city and outside it, new
//! products, revenue, awards, a standard, talents trained and policy advice adopted. Most are
//! confirmed by the office; a few await confirmation and one was returned with a reason.
//! Written through the store's public API, as the system.

use super::{DEMO, Rng, credit_code};
use crate::{Result, Store, StoreError};
use chrono::{NaiveDate, TimeDelta};
use hezuo_domain::ListParams;
use hezuo_domain::demand::DemandFilter;
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::outcome::{OutcomeInput, OutcomeStatus};
use hezuo_domain::project::{Project, ProjectStatus};
use hezuo_domain::research_result::{ResultFilter, ResultKind};

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

/// Loads the ledger; returns how many organisations it added (the enterprise outside the city).
pub async fn load(store: &Store, today: NaiveDate) -> Result<usize> {
    let all = ListParams::first(200);
    let projects: Vec<Project> = store
        .list_projects(&DEMO, &Default::default(), &all)
        .await?
        .items
        .into_iter()
        .filter(|p| {
            matches!(
                p.status,
                ProjectStatus::InProgress
                    | ProjectStatus::Completed
                    | ProjectStatus::Accepted
                    | ProjectStatus::Transferred
            )
        })
        .collect();
    if projects.is_empty() {
        return Ok(0);
    }
    let orgs = store.list_organizations(&DEMO, &Default::default(), &all).await?.items;
    let enterprises: Vec<i64> = orgs
        .iter()
        .filter(|o| o.kind.as_str() == "enterprise")
        .map(|o| o.id)
        .collect();
    let results = store.list_results(&DEMO, &ResultFilter::default(), &all).await?.items;
    let patents: Vec<_> = results
        .iter()
        .filter(|r| r.kind == ResultKind::Patent && r.ip_number.is_some())
        .collect();
    // An enterprise outside the city that took one of the university's results.
    let outside = store
        .create_organization(
            &DEMO,
            &OrganizationInput {
                kind: s("enterprise"),
                name: s("杭州临平新材料股份有限公司"),
                region_code: s("330113"),
                credit_code: s(credit_code("330113", &mut Rng::new(0x6f75_7463))),
                industry_code: s("C26"),
                ..Default::default()
            }
            .validate()
            .map_err(StoreError::Invalid)?,
        )
        .await?
        .id;
    // Demands that became projects, and accepted matches, for the links.
    let demands = store.list_demands(&DEMO, &DemandFilter::default(), &all).await?.items;
    let mut accepted = Vec::new();
    for d in demands.iter().take(40) {
        for m in store.demand_matches(&DEMO, d.id).await? {
            if m.status.as_str() == "accepted" {
                accepted.push((d.enterprise_id, m.id));
            }
        }
    }

    let day = |n: i64| (today - TimeDelta::days(n)).to_string();
    let pick = |i: usize| &projects[i % projects.len()];
    let base = |p: &Project, kind: &str, title: String, ago: i64| OutcomeInput {
        kind: s(kind),
        title: s(title),
        occurred_on: s(day(ago)),
        organization_id: s(p.lead_unit_id),
        project_id: s(p.id),
        agreement_id: p.agreement_id.map(|a| a.to_string()),
        party_ids: p.co_unit_ids.iter().map(|i| i.to_string()).collect(),
        person_ids: p.responsible_person_id.iter().map(|i| i.to_string()).collect(),
        ..Default::default()
    };
    let short = |p: &Project| p.title.chars().take(18).collect::<String>();
    let mut entries: Vec<(OutcomeInput, OutcomeStatus, Option<&str>)> = Vec::new();
    use OutcomeStatus::{Confirmed, Reported, Returned};

    // 科技经费: 218 万元 in six grants (one still awaiting confirmation).
    let grants = [
        ("浙江省重点研发计划", "provincial", "60", 320),
        ("衢州市科技攻关项目", "city", "45", 280),
        ("国家自然科学基金区域创新发展联合基金", "national", "38", 240),
        ("浙江省“尖兵”“领雁”研发攻关计划", "provincial", "30", 150),
        ("衢州市重大科技专项", "city", "25", 90),
        ("江山市科技计划项目", "county", "20", 30),
    ];
    for (i, (programme, level, wan, ago)) in grants.iter().enumerate() {
        let p = pick(i);
        let mut e = base(p, "funding", format!("{}获{}立项支持", short(p), programme), *ago);
        e.programme = s(programme);
        e.grantor_level = s(level);
        e.amount_wan = s(wan);
        entries.push((e, if i == 5 { Reported } else { Confirmed }, None));
    }
    // 技术合同: reported by the enterprises that lead projects (their home page lists them).
    let kinds = ["development", "service", "transfer", "consulting", "license"];
    let amounts = [
        ("120", "80"),
        ("35", "35"),
        ("80", "40"),
        ("12", "6"),
        ("50", "20"),
        ("96", "48"),
    ];
    // The enterprise leading most projects (the demo's enterprise account) reports first.
    let mut led: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for p in store.list_projects(&DEMO, &Default::default(), &all).await?.items {
        *led.entry(p.lead_unit_id).or_default() += 1;
    }
    let top = enterprises
        .iter()
        .max_by_key(|e| (led.get(e).copied().unwrap_or(0), -**e))
        .copied();
    let mut ent_projects: Vec<&Project> = projects
        .iter()
        .filter(|p| enterprises.contains(&p.lead_unit_id))
        .collect();
    ent_projects.sort_by_key(|p| (Some(p.lead_unit_id) != top, p.id));
    for (i, (amount, received)) in amounts.iter().enumerate() {
        let p = if ent_projects.is_empty() {
            pick(i + 2)
        } else {
            ent_projects[i % ent_projects.len()]
        };
        let mut e = base(p, "contract", format!("{}技术合同", short(p)), 300 - 45 * i as i64);
        e.contract_kind = s(kinds[i % kinds.len()]);
        e.amount_wan = s(amount);
        e.received_wan = s(received);
        e.registration_no = s(format!("{}3308{:05}", today.format("%Y"), 120 + i * 17));
        e.market_registered = s(i % 3 != 2);
        entries.push((e, if i == 4 { Reported } else { Confirmed }, None));
    }
    // 专利: the university's patents from the cooperation.
    for (i, r) in patents.iter().take(4).enumerate() {
        let p = pick(i + 5);
        let mut e = base(p, "patent", r.title.clone(), 260 - 50 * i as i64);
        e.patent_no = r.ip_number.clone();
        e.patent_status = s(if i % 2 == 0 { "granted" } else { "filed" });
        e.result_id = s(r.id);
        entries.push((e, Confirmed, None));
    }
    // 成果转化: in the city (derived from the enterprise's division) and one outside it.
    let transfers: Vec<(i64, &str, &str)> = enterprises
        .iter()
        .take(2)
        .map(|e| (*e, "license", "85"))
        .chain([(outside, "assignment", "150")])
        .collect();
    for (i, (ent, mode, price)) in transfers.iter().enumerate() {
        let p = pick(i + 3);
        let r = results.get(i);
        let title = match r {
            Some(r) => format!("{}转化实施", r.title),
            None => format!("{}成果转化", short(p)),
        };
        let mut e = base(p, "transfer", title, 200 - 40 * i as i64);
        e.transfer_mode = s(mode);
        e.enterprise_id = s(ent);
        e.amount_wan = s(price);
        e.result_id = r.map(|r| r.id.to_string());
        entries.push((e, Confirmed, None));
    }
    // 新产品 and 新增效益, reported by enterprises.
    for (i, (kind, title, wan)) in [
        ("product", "高纯电子级氢氟酸新产品", "1260"),
        ("product", "特种纸基功能材料新产品", "480"),
        ("revenue", "余热回收改造年节约能源费用", "210"),
        ("revenue", "工艺优化新增利税", "365"),
    ]
    .iter()
    .enumerate()
    {
        let p = if ent_projects.is_empty() {
            pick(i + 7)
        } else {
            ent_projects[(i + 1) % ent_projects.len()]
        };
        let mut e = base(p, kind, title.to_string(), 180 - 35 * i as i64);
        e.amount_wan = s(wan);
        entries.push((e, if i == 3 { Reported } else { Confirmed }, None));
    }
    // 获奖, 标准, 人才培养, 决策咨询.
    let mut award = base(pick(9), "award", "浙江省科学技术进步奖二等奖".into(), 120);
    award.issuer = s("浙江省人民政府");
    entries.push((award, Confirmed, None));
    let mut standard = base(
        pick(10),
        "standard",
        "《有机硅单体生产废渣综合利用技术规范》团体标准".into(),
        100,
    );
    standard.issuer = s("浙江省产品与工程标准化协会");
    entries.push((standard, Confirmed, None));
    let mut talent = base(pick(11), "talent", "联合培养工程硕士研究生".into(), 75);
    talent.quantity = s(12);
    entries.push((talent, Confirmed, None));
    let mut talent2 = base(pick(12), "talent", "企业技术骨干培训".into(), 40);
    talent2.quantity = s(46);
    entries.push((talent2, Returned, Some("请补充培训名单和结业证明扫描件后重新提交。")));
    let mut policy = base(pick(13), "policy", "关于加快氟硅新材料产业链协同创新的建议".into(), 60);
    policy.issuer = s("衢州市人民政府办公室");
    entries.push((policy, Confirmed, None));
    // A contract that came from an accepted match: the demand is filled from it.
    if let Some((ent, m)) = accepted.first() {
        let p = pick(14);
        let mut e = base(p, "contract", "对接成功后签订技术开发合同".into(), 20);
        e.organization_id = s(ent);
        e.project_id = None;
        e.agreement_id = None;
        e.match_id = s(m);
        e.contract_kind = s("development");
        e.amount_wan = s("40");
        e.received_wan = s("10");
        entries.push((e, Reported, None));
    }

    for (input, status, reason) in entries {
        let o = store.create_outcome(&DEMO, input).await?;
        if status != Reported {
            store
                .set_outcome_status(&DEMO, o.id, status, reason.map(String::from), None)
                .await?;
        }
    }
    Ok(1)
}
