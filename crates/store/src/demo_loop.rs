//! Demo data for the closed loop (闭环): demands taken round it by hand, each step on its own day —
//! two the whole way to local use, others still moving (waiting for a contract to be confirmed, a
//! project producing, an outcome used outside the city) and two stopped (no expert fitted; the
//! enterprise withdrew after the match) — so that `/funnel` and each demand's page show every case.
//! Written through the store's public API, each step with the store's clock set to its day. The
//! first story is the demo enterprise account's own.

use super::{DEMO, Ids};
use crate::{Result, Store, StoreError};
use chrono::{NaiveDate, TimeDelta};
use hezuo_domain::Clock;
use hezuo_domain::demand::{DemandInput, DemandStep, ReviewDecision, ReviewStage};
use hezuo_domain::matching::{MatchStatus, MatchTarget};
use hezuo_domain::outcome::{OutcomeInput, OutcomeStatus};
use hezuo_domain::project::{ProjectInput, ProjectStatus};

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

/// How far a demo demand goes, and how it ends.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Upto {
    Reviewed,
    Matched,
    /// Matched, with its contract reported and awaiting the office's confirmation.
    ContractReported,
    Contract,
    Project,
    /// Outcomes, the result used outside the city.
    Outcome,
    LocalUse,
}

/// (enterprise, expert (college, index), title, summary, days ago collected, how far, closed with this reason).
type Story = (
    &'static str,
    (usize, usize),
    &'static str,
    &'static str,
    i64,
    Upto,
    Option<&'static str>,
);

const STORIES: &[Story] = &[
    (
        "衢州氟源化工科技有限公司",
        (0, 1),
        "含氟中间体连续流合成工艺开发",
        "间歇釜式氟化反应放热剧烈、收率波动大，希望与高校合作开发微通道连续流合成工艺，提高收率和本质安全。",
        240,
        Upto::LocalUse,
        None,
    ),
    (
        "常山柚香食品有限公司",
        (6, 0),
        "柑橘采后保鲜与冷链损耗控制",
        "常山胡柚、柑橘采后损耗率高，需要保鲜剂配方和冷链温湿度控制方案，降低运输损耗。",
        200,
        Upto::LocalUse,
        None,
    ),
    (
        "常山精轴轴承有限公司",
        (1, 1),
        "数控机床主轴热变形补偿",
        "加工中心连续运行后主轴热伸长导致尺寸漂移，需要建立热误差模型并实现在线补偿。",
        170,
        Upto::Outcome,
        None,
    ),
    (
        "衢州清溪特种纸业有限公司",
        (3, 1),
        "特种纸涂布均匀性在线检测",
        "涂布量横向波动大，人工抽检滞后，希望采用机器视觉实现在线检测与闭环调节。",
        150,
        Upto::Project,
        None,
    ),
    (
        "常山金川食用菌有限公司",
        (5, 0),
        "食用菌菌渣资源化利用",
        "每年产生菌渣上万吨，希望开发有机肥或生物质燃料，实现资源化利用。",
        110,
        Upto::Contract,
        None,
    ),
    (
        "衢州阳谷光伏科技有限公司",
        (2, 1),
        "光伏组件边框铝型材表面处理",
        "阳极氧化膜层耐候性不足，盐雾试验不达标，需要改进表面处理工艺。",
        80,
        Upto::ContractReported,
        None,
    ),
    (
        "浙江衢越氟材料股份有限公司",
        (0, 2),
        "氟化工副产氯化钙综合利用",
        "副产氯化钙纯度低、堆存量大，希望找到提纯和高值化利用的技术路线。",
        130,
        Upto::Matched,
        Some("企业调整投资计划，暂不合作"),
    ),
    (
        "龙游华绮装饰纸有限公司",
        (2, 2),
        "竹木家具异味释放控制",
        "竹木家具出口检测甲醛和异味超标，需要从胶黏剂和表面处理两方面解决。",
        95,
        Upto::Reviewed,
        Some("经多轮对接，暂无合适的专家和成果，转入下一年度征集"),
    ),
];

/// Loads the stories; returns how many demands, reviews, matches and outcomes they wrote, and how
/// many projects.
pub(super) async fn load(store: &Store, ids: &Ids, today: NaiveDate) -> Result<(usize, usize)> {
    let mut written = 0;
    let mut projects = 0;
    let ago = |n: i64| today - TimeDelta::days(n);
    let on = |d: NaiveDate| store.clone().with_clock(Clock::Fixed(d));
    let names = store
        .organization_names(&ids.ents.iter().map(|e| e.0).collect::<Vec<_>>())
        .await?;
    for (n, (ent, (college, k), title, summary, collected, upto, closed)) in STORIES.iter().enumerate() {
        let Some(&(eid, _, industry, _)) = ids
            .ents
            .iter()
            .find(|e| names.get(&e.0).map(String::as_str) == Some(*ent))
        else {
            continue;
        };
        let Some(&expert) = ids.experts.get(*college).and_then(|e| e.get(*k % e.len().max(1))) else {
            continue;
        };
        let day0 = ago(*collected);
        let day = |offset: i64| day0 + TimeDelta::days(offset);
        let input = DemandInput {
            title: s(*title),
            summary: s(*summary),
            enterprise_id: s(eid.to_string()),
            industry: s(industry),
            mode: s("development"),
            source: s("visit"),
            collected_by: s("技术转移中心 吴博士"),
            collected_on: s(day0.to_string()),
            ..Default::default()
        };
        let st = on(day0);
        let d = st
            .create_demand(&DEMO, &input.validate().map_err(StoreError::Invalid)?)
            .await?;
        st.demand_step(&DEMO, d.id, DemandStep::Submit, None, None).await?;
        on(day(3))
            .demand_step(
                &DEMO,
                d.id,
                DemandStep::Review(ReviewStage::Screen, ReviewDecision::Pass),
                Some("需求明确，进入评审".into()),
                None,
            )
            .await?;
        on(day(7 + n as i64 % 3))
            .demand_step(
                &DEMO,
                d.id,
                DemandStep::Review(ReviewStage::Assess, ReviewDecision::Pass),
                Some("技术问题具体，学校有对口专家".into()),
                None,
            )
            .await?;
        written += 4;
        let close = |reason: &'static str| {
            let st = on(ago(20));
            async move {
                st.demand_step(&DEMO, d.id, DemandStep::Close, Some(reason.into()), None)
                    .await
            }
        };
        if *upto == Upto::Reviewed {
            if let Some(reason) = closed {
                close(reason).await?;
            }
            continue;
        }
        let m = on(day(10))
            .confirm_match(
                &DEMO,
                d.id,
                MatchTarget::Expert,
                expert,
                1.0,
                &["对接专家：现场走访后确认".to_string()],
            )
            .await?;
        on(day(12))
            .set_match_status(&DEMO, m.id, MatchStatus::Contacted, None)
            .await?;
        on(day(18))
            .set_match_status(&DEMO, m.id, MatchStatus::Accepted, None)
            .await?;
        written += 1;
        if *upto == Upto::Matched {
            if let Some(reason) = closed {
                close(reason).await?;
            }
            continue;
        }
        let record = |input: OutcomeInput, confirm: bool| async move {
            let o = store.create_outcome(&DEMO, input).await?;
            if confirm {
                store
                    .set_outcome_status(&DEMO, o.id, OutcomeStatus::Confirmed, None, None)
                    .await?;
            }
            Ok::<i64, StoreError>(o.id)
        };
        let amount = 20 + (n as i64 * 17) % 60;
        record(
            OutcomeInput {
                kind: s("contract"),
                title: s(format!("{title}技术开发合同")),
                occurred_on: s(day(30).to_string()),
                organization_id: s(eid.to_string()),
                amount_wan: s(amount),
                received_wan: s(amount / 2),
                contract_kind: s("development"),
                registration_no: s(format!("{}33080{:04}", day(30).format("%Y"), 120 + n)),
                market_registered: s("true"),
                match_id: s(m.id),
                person_ids: vec![expert.to_string()],
                ..Default::default()
            },
            *upto != Upto::ContractReported,
        )
        .await?;
        written += 1;
        if *upto <= Upto::Contract {
            continue;
        }
        let mut project = ProjectInput {
            title: s(title.replace("优化", "").replace("控制", "") + "合作项目"),
            kind: s("engineering"),
            batch_year: s(day(40).format("%Y")),
            lead_unit_id: s(eid.to_string()),
            responsible_person_id: s(expert.to_string()),
            origin: s("demand"),
            origin_note: s(format!("由技术需求“{title}”对接立项")),
            contract_amount_wan: s(amount),
            start_on: s(day(40).to_string()),
            end_on: s((day(40) + TimeDelta::days(365)).to_string()),
            summary: s(*summary),
            ..Default::default()
        };
        let p = on(day(40))
            .create_project(&DEMO, &project.validate().map_err(StoreError::Invalid)?)
            .await?;
        for st in [ProjectStatus::Approved, ProjectStatus::InProgress] {
            project.status = s(st.as_str());
            store
                .update_project(&DEMO, p.id, &project.validate().map_err(StoreError::Invalid)?, None)
                .await?;
        }
        on(day(40))
            .demand_step(&DEMO, d.id, DemandStep::BecomeProject, None, Some(p.id))
            .await?;
        written += 1;
        projects += 1;
        if *upto == Upto::Project {
            continue;
        }
        record(
            OutcomeInput {
                kind: s("funding"),
                title: s(format!("{title}获市级科技计划立项支持")),
                occurred_on: s(day(90).to_string()),
                organization_id: s(eid.to_string()),
                amount_wan: s(30 + n * 5),
                programme: s("衢州市科技攻关项目"),
                grantor_level: s("city"),
                project_id: s(p.id),
                ..Default::default()
            },
            true,
        )
        .await?;
        let local = *upto == Upto::LocalUse;
        record(
            OutcomeInput {
                kind: s("transfer"),
                title: s(format!("{title}技术成果转化应用")),
                occurred_on: s(day(if local { 160 } else { 130 }).to_string()),
                organization_id: s(eid.to_string()),
                amount_wan: s(15 + n * 3),
                transfer_mode: s("license"),
                enterprise_id: s(eid.to_string()),
                in_city: s(local),
                project_id: s(p.id),
                note: (!local).then(|| "许可给企业在省外的生产基地使用".to_string()),
                ..Default::default()
            },
            true,
        )
        .await?;
        written += 2;
    }
    Ok((written, projects))
}
