//! Demo data for secondments (挂职), both ways, tied to the demo's people and organisations by name:
//! a PhD serving at the technology-transfer centre (reports on time, green), an expert serving as
//! 江山市's deputy mayor with his latest report missing (yellow), one at 龙游县 with two missing in
//! a row (red), a county cadre serving at the university's local-cooperation office (green), one
//! completed last month with its appraisal (优秀, the appraisal form attached as evidence), and
//! one planned for next month. Written through the store's public API, as the system.

use crate::{Result, Store, StoreError, Viewer};
use chrono::{NaiveDate, TimeDelta};
use hezuo_domain::ListParams;
use hezuo_domain::RecordKind;
use hezuo_domain::organization::Organization;
use hezuo_domain::person::{Person, PersonFilter};
use hezuo_domain::secondment::{AppraisalInput, Secondment, SecondmentInput, SecondmentReportInput, SecondmentStatus};

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

/// What the secondees write, period after period.
const WORK: [&str; 6] = [
    "走访企业 6 家，梳理技术难题 4 项，其中 2 项已对接学校专家团队。",
    "参与县级科技项目评审，协助企业申报省级研发中心 1 家。",
    "组织校地对接会 1 场，促成技术合同 2 项，合同金额 85 万元。",
    "围绕氟硅新材料产业链开展调研，形成调研报告 1 篇。",
    "协调解决中试场地问题，推动 1 项成果在企业中试。",
    "开展科技特派员培训 1 期，培训基层技术人员 60 人次。",
];

/// Loads the secondments; nothing when the demo has no university or no counties.
pub(crate) async fn load(store: &Store, today: NaiveDate) -> Result<()> {
    let sys = &Viewer::system("演示数据");
    let all = ListParams::first(200);
    let orgs: Vec<Organization> = store.list_organizations(sys, &Default::default(), &all).await?.items;
    let named = |n: &str| orgs.iter().find(|o| o.name == n).map(|o| o.id);
    let (Some(centre), Some(jiangshan), Some(longyou), Some(kecheng), Some(office), Some(univ)) = (
        named("浙江工业大学衢州技术转移中心"),
        named("江山市"),
        named("龙游县"),
        named("柯城区"),
        named("浙江工业大学地方合作处"),
        named("浙江工业大学"),
    ) else {
        return Ok(());
    };
    let science = named("衢州市科学技术局").unwrap_or(jiangshan);
    let changshan = named("常山县").unwrap_or(longyou);
    let experts: Vec<Person> = store
        .list_people(
            sys,
            &PersonFilter {
                is_expert: s("true"),
                ..Default::default()
            },
            &all,
        )
        .await?
        .items;
    if experts.len() < 5 {
        return Ok(());
    }
    // Local cadres: the counties' contact people.
    let contact = |org: i64| async move {
        store
            .list_people(
                sys,
                &PersonFilter {
                    organization_id: s(org),
                    ..Default::default()
                },
                &ListParams::first(5),
            )
            .await
            .map(|p| p.items.first().map(|x| (x.id, x.organization_id)))
    };
    let Some(cadre) = contact(kecheng).await? else {
        return Ok(());
    };
    let Some(next_cadre) = contact(changshan).await? else {
        return Ok(());
    };
    // Experts from different colleges, picked by position so the same demo picks the same people.
    let pick = |k: usize| &experts[(k * 7) % experts.len()];
    let (phd, deputy, longyou_one, done) = (pick(1), pick(2), pick(3), pick(4));

    let year = |d: NaiveDate| d + days(365);
    let start_centre = today - days(200);
    let start_js = today - days(150);
    let start_ly = today - days(260);
    let start_cadre = today - days(120);
    let start_done = today - days(2 * 365 + 30);
    let plans = [
        (
            phd.id,
            phd.organization_id,
            centre,
            "技术转移中心驻站博士（挂任中心副主任）",
            start_centre,
            year(year(start_centre)),
            "quarterly",
            "常驻技术转移中心，每月走访企业不少于 5 家，征集技术难题并对接学校专家与成果。",
        ),
        (
            deputy.id,
            deputy.organization_id,
            jiangshan,
            "江山市人民政府副市长（挂职）",
            start_js,
            year(start_js),
            "monthly",
            "协助分管科技创新和校地合作，推动县院合作项目落地，联系江山市重点企业。",
        ),
        (
            longyou_one.id,
            longyou_one.organization_id,
            longyou,
            "龙游县科学技术局副局长（挂职）",
            start_ly,
            year(start_ly),
            "quarterly",
            "围绕龙游特种纸和食品加工产业开展技术服务，建立企业技术需求库。",
        ),
        (
            cadre.0,
            cadre.1,
            office,
            "浙江工业大学地方合作处副处长（挂职）",
            start_cadre,
            year(start_cadre),
            "quarterly",
            "熟悉高校科研管理和成果转化流程，协助建立柯城区与学校的常态化对接机制。",
        ),
        (
            done.id,
            done.organization_id,
            science,
            "衢州市科学技术局副局长（挂职）",
            start_done,
            today - days(30),
            "quarterly",
            "协助分管产学研合作和科技成果转化，推进市校合作年度项目清单落实。",
        ),
        (
            next_cadre.0,
            next_cadre.1,
            univ,
            "浙江工业大学科学技术研究院院长助理（挂职）",
            today + days(30),
            year(today + days(30)),
            "quarterly",
            "学习高校科技成果管理，牵线常山县企业与学校学科团队。",
        ),
    ];
    let mut made: Vec<Secondment> = Vec::new();
    for (person, from, to, post, start, end, cadence, plan) in plans {
        let i = SecondmentInput {
            person_id: s(person),
            from_organization_id: s(from),
            to_organization_id: s(to),
            post: s(post),
            start_on: s(start),
            end_on: s(end),
            cadence: s(cadence),
            work_plan: s(plan),
            ..Default::default()
        };
        made.push(
            store
                .create_secondment(sys, &i.validate().map_err(StoreError::Invalid)?)
                .await?,
        );
    }
    // All but the planned one began on their start day.
    for x in &made[..5] {
        store
            .set_secondment_status(sys, x.id, SecondmentStatus::Serving, None, None)
            .await?;
    }
    // Reports: on time, two days before each due day — but for the latest period of 江山 (one
    // missing: yellow) and the last two of 龙游 (two in a row: red).
    for (k, x) in made[..5].iter().enumerate() {
        let due: Vec<_> = x.periods().into_iter().filter(|p| p.due < today).collect();
        let skip = match k {
            1 => 1,
            2 => 2,
            _ => 0,
        };
        for (n, p) in due.iter().take(due.len().saturating_sub(skip)).enumerate() {
            let at = (p.due - days(2)).max(p.start).min(today);
            let r = SecondmentReportInput {
                period: s(p.label(x.cadence)),
                work_done: s(WORK[(k + n) % WORK.len()]),
                next_steps: s("继续深入企业，跟踪已对接项目的进展。"),
                ..Default::default()
            };
            let at = at.and_hms_opt(2, 0, 0).expect("a time").and_utc();
            store
                .file_secondment_report_at(sys, x.id, &r.validate().map_err(StoreError::Invalid)?, at)
                .await?;
        }
    }
    // The completed one: its term ended last month; appraised 优秀 with the appraisal form attached.
    let done = &made[4];
    store
        .set_secondment_status(sys, done.id, SecondmentStatus::Completed, None, None)
        .await?;
    let form = store
        .add_attachment(
            sys,
            RecordKind::Secondment,
            done.id,
            "挂职干部期满考核登记表.txt",
            "text/plain",
            "挂职干部期满考核登记表\n考核等次：优秀\n主要实绩：推动市校合作项目 12 项落地，促成技术合同 9 项。\n"
                .as_bytes(),
        )
        .await?;
    let a = AppraisalInput {
        grade: s("excellent"),
        comment: s("挂职期间推动市校合作项目 12 项落地，促成技术合同 9 项，工作成效显著，考核等次为优秀。"),
        evidence_id: s(form.id),
    };
    store
        .appraise_secondment(sys, done.id, &a.validate().map_err(StoreError::Invalid)?, None)
        .await?;
    Ok(())
}
