//! Demo data for solicitation: a campaign over the six counties, enterprises' technical demands at
//! every stage of review (one green-channel demand overdue, one in traditional script, one that
//! repeats another, one the seed speech pasted in), the university's research results with valid
//! patent numbers, and the experts' papers and patents.

use super::{DEMO, Ids, Rng, s};
use crate::{Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use hezuo_domain::campaign::CampaignInput;
use hezuo_domain::demand::{DemandInput, DemandStep, ReviewDecision, ReviewStage};
use hezuo_domain::expert_work::WorkInput;
use hezuo_domain::research_result::{ResultInput, patent_check_char};

/// Where a demo demand is left: 0 draft, 1 submitted, 2 assessing, 3 accepted, 4 returned, 5 matching.
type DemandRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    u8,
);

/// (enterprise, title, public summary, confidential details, field, mode, green channel, stage).
const DEMANDS: &[DemandRow] = &[
    (
        "衢州氟源化工科技有限公司",
        "含氟废水深度除氟处理工艺",
        "公司生产含氟精细化学品，废水含氟浓度高，现采用钙盐沉淀法，出水氟化物难以稳定低于 10 mg/L，希望合作开发低成本深度除氟与氟资源回收工艺。",
        "现有废水量约 300 吨/日，进水氟离子 800–1500 mg/L；已试过铝盐混凝，污泥量大。可提供中试场地。",
        "环境工程",
        "development",
        true,
        1,
    ),
    (
        "衢州丰衍化学有限公司",
        "氟化工废水除氟与氟化钙回收",
        "氟化工中间体生产产生高含氟废水，钙盐沉淀法出水氟化物不能稳定达标，污泥难处置，希望开发深度除氟工艺并回收氟化钙。",
        "",
        "环境工程",
        "development",
        false,
        1,
    ),
    (
        "衢州宏硅新材料有限公司",
        "有机硅单体合成催化剂寿命提升",
        "流化床合成甲基氯硅烷时铜催化剂失活快、二甲选择性下降，希望与高校合作研究催化剂失活机理并延长使用周期。",
        "目前二甲选择性约 85%，目标 90% 以上；催化剂配方涉及商业秘密，需签保密协议。",
        "化学工程",
        "development",
        false,
        3,
    ),
    (
        "衢州清溪特种纸业有限公司",
        "装饰原纸湿强度与遮盖力提升",
        "装饰原纸在浸渍后湿强度不足、遮盖力不稳定，希望通过纤维改性和填料优化提升产品质量，降低钛白粉用量。",
        "",
        "特种纸",
        "development",
        false,
        2,
    ),
    (
        "江山鼎力压缩机有限公司",
        "螺杆压缩机转子型线优化与降噪",
        "螺杆空气压缩机能效需达到一级能效标准，希望优化转子型线、降低排气噪声，并建立数字化设计平台。",
        "",
        "流体机械",
        "development",
        true,
        3,
    ),
    (
        "江山驰远汽车零部件有限公司",
        "汽车转向节锻件热处理变形控制",
        "转向节锻件调质后变形超差，返修率高，希望研究热处理工艺与变形控制方法。",
        "",
        "材料成形",
        "service",
        false,
        5,
    ),
    (
        "衢州阳谷光伏科技有限公司",
        "光伏组件EL缺陷机器视觉检测",
        "组件生产线靠人工判读EL图像，漏检率高、效率低，希望开发基于深度学习的机器视觉缺陷检测系统，接入MES。",
        "",
        "机器视觉",
        "development",
        false,
        1,
    ),
    (
        "开化晶源硅材料有限公司",
        "金刚线切割硅泥中硅粉回收",
        "单晶硅片金刚线切割产生大量硅泥，希望开发硅粉提纯回收技术，实现资源化利用。",
        "",
        "材料工程",
        "transfer",
        false,
        4,
    ),
    (
        "常山金川食用菌有限公司",
        "猴頭菇工廠化栽培菌種選育",
        "猴頭菇工廠化栽培產量不穩定、畸形菇比例高，希望與高校合作選育適合工廠化栽培的優良菌種，並優化栽培工藝。",
        "",
        "食用菌",
        "development",
        false,
        1,
    ),
    (
        "常山柚香食品有限公司",
        "胡柚皮渣功能成分提取",
        "胡柚加工产生大量皮渣，希望提取黄酮、果胶等功能成分，开发高附加值产品。",
        "",
        "食品工程",
        "license",
        false,
        0,
    ),
    (
        "龙游天成电路科技有限公司",
        "印制电路板车间数字化改造",
        "希望对 PCB 生产车间进行数字化改造，实现设备联网、生产数据采集与能耗监测，PLC 与工业互联网平台对接。",
        "",
        "工业互联网",
        "service",
        false,
        2,
    ),
    (
        "江山仙霞菌业有限公司",
        "市校合作工作會講話稿（摘錄）：香菇產業發展需求",
        "SEED",
        "",
        "食用菌",
        "consulting",
        false,
        1,
    ),
];

/// (college index, title, kind, keywords, maturity, transfer mode, price 万元, transferred to (enterprise), year).
type ResultRow = (
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    i32,
);

const RESULTS: &[ResultRow] = &[
    (
        5,
        "一种含氟废水深度处理及氟资源回收方法",
        "patent",
        "含氟废水,深度除氟,氟化钙回收",
        "pilot",
        "license",
        "60",
        None,
        2023,
    ),
    (
        0,
        "一种长寿命有机硅单体合成铜基催化剂",
        "patent",
        "有机硅,催化剂,甲基氯硅烷",
        "pilot",
        "assignment",
        "120",
        None,
        2022,
    ),
    (
        1,
        "螺杆压缩机转子型线设计软件",
        "software",
        "螺杆压缩机,转子型线,数字化设计",
        "industrial",
        "license",
        "30",
        Some("江山鼎力压缩机有限公司"),
        2021,
    ),
    (
        3,
        "光伏组件EL图像缺陷智能检测系统",
        "software",
        "机器视觉,缺陷检测,光伏,深度学习",
        "industrial",
        "license",
        "45",
        None,
        2024,
    ),
    (
        2,
        "一种高湿强装饰原纸及其制备方法",
        "patent",
        "特种纸,装饰原纸,湿强度",
        "pilot",
        "assignment",
        "80",
        Some("龙游瀫水特种纸有限公司"),
        2020,
    ),
    (
        6,
        "猴头菇工厂化栽培新品种“浙猴1号”",
        "variety",
        "食用菌,猴头菇,菌种选育",
        "industrial",
        "equity",
        "50",
        None,
        2023,
    ),
    (
        8,
        "胡柚黄酮提取纯化工艺",
        "method",
        "胡柚,黄酮,提取纯化",
        "pilot",
        "license",
        "25",
        None,
        2024,
    ),
    (
        2,
        "金刚线切割硅泥中高纯硅粉回收方法",
        "patent",
        "硅泥,硅粉回收,光伏",
        "lab",
        "assignment",
        "40",
        None,
        2025,
    ),
];

/// A valid CN invention-patent application number from a year and a serial.
fn patent_number(year: i32, serial: u64) -> String {
    let digits = format!("{year}1{serial:07}");
    let check = patent_check_char(&digits).expect("12 digits");
    format!("CN{digits}.{check}")
}

pub(super) async fn load(store: &Store, ids: &Ids, today: NaiveDate, seed_text: &str) -> Result<usize> {
    let mut r = Rng::new(7);
    let mut written = 0;
    let year = today.year();
    // The year's solicitation over the six counties.
    let campaign = store
        .create_campaign(
            &DEMO,
            &CampaignInput {
                title: s(format!("{year}年度企业技术难题征集")),
                organizer_id: s(ids.centre.0.to_string()),
                starts_on: s(format!("{year}-03-01")),
                ends_on: s(format!("{year}-12-31")),
                target_regions: super::data::COUNTIES.iter().map(|c| c.0.to_string()).collect(),
                target_industries: vec!["C".into(), "A".into()],
                quota_per_county: s("3"),
                description: s(
                    "选派博士深入企业征集技术难题，项目征集横向到边；对接专家和成果，纳入年度合作项目清单。",
                ),
            }
            .validate()
            .map_err(StoreError::Invalid)?,
        )
        .await?;
    written += 1;
    let names = store
        .organization_names(&ids.ents.iter().map(|e| e.0).collect::<Vec<_>>())
        .await?;
    for (n, (ent, title, summary, details, field, mode, green, stage)) in DEMANDS.iter().enumerate() {
        let Some((eid, _, industry, _)) = ids
            .ents
            .iter()
            .find(|e| names.get(&e.0).map(String::as_str) == Some(*ent))
        else {
            continue;
        };
        let summary = if *summary == "SEED" {
            seed_text.to_string()
        } else {
            summary.to_string()
        };
        let visit = n % 3 == 0;
        let input = DemandInput {
            title: s(*title),
            summary: s(summary),
            details: (!details.is_empty()).then(|| details.to_string()),
            enterprise_id: s(eid.to_string()),
            campaign_id: s(campaign.id.to_string()),
            industry: s(*industry),
            field: s(*field),
            budget_min_wan: s(format!("{}", 20 + r.below(5) * 10)),
            budget_max_wan: s(format!("{}", 100 + r.below(4) * 50)),
            mode: s(*mode),
            deadline: s(format!("{}-12-31", year + 1)),
            source: s(if visit { "visit" } else { "posted" }),
            collected_by: visit.then(|| "技术转移中心 吴博士".to_string()),
            collected_on: visit.then(|| (today - chrono::TimeDelta::days(20 + n as i64)).to_string()),
            green_channel: s(green.to_string()),
            // Every other enterprise agrees to be named on the public portal.
            public_name: s((n % 2 == 0).to_string()),
        };
        // Submitted some days ago, so that one green-channel demand is overdue.
        let submitted = today - chrono::TimeDelta::days(if *green && *stage == 1 { 9 } else { 2 + n as i64 });
        let day_store = store.clone().with_clock(hezuo_domain::Clock::Fixed(submitted));
        let d = day_store
            .create_demand(&DEMO, &input.validate().map_err(StoreError::Invalid)?)
            .await?;
        written += 1;
        if *stage >= 1 {
            day_store
                .demand_step(&DEMO, d.id, DemandStep::Submit, None, None)
                .await?;
        }
        let review = |stage: ReviewStage, decision: ReviewDecision, comment: Option<&str>| {
            let st = store.clone();
            let comment = comment.map(String::from);
            async move {
                st.demand_step(&DEMO, d.id, DemandStep::Review(stage, decision), comment, None)
                    .await
            }
        };
        match stage {
            2 => {
                review(ReviewStage::Screen, ReviewDecision::Pass, Some("需求明确，进入评审")).await?;
            }
            3 | 5 => {
                review(ReviewStage::Screen, ReviewDecision::Pass, Some("需求明确，进入评审")).await?;
                review(
                    ReviewStage::Assess,
                    ReviewDecision::Pass,
                    Some("技术问题具体，学校有对口专家"),
                )
                .await?;
                if *stage == 5 {
                    // Matched by hand for the demo: the mechanical engineering college's forming
                    // expert, contacted (confirming moves the demand on to matching).
                    let m = store
                        .confirm_match(
                            &DEMO,
                            d.id,
                            hezuo_domain::matching::MatchTarget::Expert,
                            ids.experts[1][2],
                            1.0,
                            &["一致的词：热处理、变形、锻件".to_string()],
                        )
                        .await?;
                    store
                        .set_match_status(&DEMO, m.id, hezuo_domain::matching::MatchStatus::Contacted, None)
                        .await?;
                }
            }
            4 => {
                review(
                    ReviewStage::Screen,
                    ReviewDecision::Return,
                    Some("请补充硅泥产生量、含硅量等基本数据后重新提交"),
                )
                .await?;
            }
            _ => {}
        }
    }
    // The university's results, owned by the experts of the college that made them.
    for (n, (college, title, kind, keywords, maturity, mode, price, to, y)) in RESULTS.iter().enumerate() {
        let owners = &ids.experts[*college];
        let transferee = to.and_then(|t| {
            ids.ents
                .iter()
                .find(|e| names.get(&e.0).map(String::as_str) == Some(t))
                .map(|e| e.0)
        });
        let input = ResultInput {
            title: s(*title),
            kind: s(*kind),
            summary: s(format!("{title}。成果由浙江工业大学完成，关键词：{keywords}。")),
            keywords: vec![keywords.to_string()],
            discipline: s(super::data::COLLEGES[*college].1),
            owner_ids: owners.iter().take(2).map(|o| o.to_string()).collect(),
            maturity: s(*maturity),
            ip_number: (*kind == "patent").then(|| patent_number(*y, 100_000 + n as u64 * 7919)),
            transfer_mode: s(*mode),
            price_wan: s(*price),
            status: s(if transferee.is_some() {
                "transferred"
            } else {
                "available"
            }),
            transferee_id: transferee.map(|t| t.to_string()),
            transferred_on: transferee.map(|_| format!("{}-06-18", y + 1)),
            transfer_amount_wan: transferee.map(|_| price.to_string()),
            transferred_locally: transferee.map(|_| "true".to_string()),
            year: s(y.to_string()),
            // Every other result's owners let the portal show its price.
            price_public: s((n % 2 == 0).to_string()),
        };
        store
            .create_result(&DEMO, &input.validate().map_err(StoreError::Invalid)?)
            .await?;
        written += 1;
    }
    // Each expert's papers (and a patent for some), from their research fields.
    for (c, list) in ids.experts.iter().enumerate() {
        let (_, discipline, profiles) = super::data::COLLEGES[c];
        for (k, person) in list.iter().enumerate() {
            let (fields, keywords) = profiles[k % profiles.len()];
            let kw: Vec<&str> = keywords.split(',').collect();
            for (j, w) in kw.iter().take(2).enumerate() {
                let input = WorkInput {
                    person_id: s(person.to_string()),
                    kind: s("paper"),
                    title: s(if j == 0 {
                        format!("{w}研究——以衢州为例")
                    } else {
                        format!("{fields}：{w}的进展与实践")
                    }),
                    summary: s(format!(
                        "围绕{fields}，针对企业生产中的{w}问题开展研究，提出了改进方法并在衢州企业完成验证。"
                    )),
                    keywords: vec![keywords.to_string()],
                    year: s((year - 1 - j as i32).to_string()),
                    venue: s(format!("{discipline}学报")),
                };
                store
                    .create_work(&DEMO, &input.validate().map_err(StoreError::Invalid)?)
                    .await?;
                written += 1;
            }
        }
    }
    Ok(written)
}
