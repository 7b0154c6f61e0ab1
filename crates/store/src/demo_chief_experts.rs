//! The demo's chief experts (首席专家): the university's 食用菌 breeder appointed agricultural chief
//! expert for 常山县 and its 食用菌 chain, and its organosilicon chemist appointed industrial chief
//! expert for the 氟硅新材料 chain — each serving a term that covers this year, with a service log
//! of this year (visits, trainings given, a problem solved, a demand taken — linked to a demand the
//! demo matched to them when there is one). Found by reading the demo's experts back by their
//! research fields; written through the store's public API as the system, like the rest of the demo.

use crate::{Result, Store, StoreError, Viewer};
use chrono::{Datelike, NaiveDate, TimeDelta};
use hezuo_domain::ListParams;
use hezuo_domain::chief_expert::{ChiefExpertInput, ServiceLogInput};
use hezuo_domain::organization::OrganizationFilter;
use hezuo_domain::person::PersonFilter;

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

/// A log entry: (kind, days before today, title, place, hours, people served).
type Entry = (&'static str, i64, &'static str, &'static str, Option<i64>, Option<i64>);

/// One appointment: the expert's research field, the place (a county's name) and chain, the
/// field, who appointed them and the document, the duties, and the log.
struct Spec {
    research: &'static str,
    county: Option<&'static str>,
    chain: &'static str,
    field: &'static str,
    appointed_by: &'static str,
    document: String,
    duties: &'static str,
    log: Vec<Entry>,
}

/// Loads the two appointments and their logs; returns how many log entries.
pub async fn load(store: &Store, today: NaiveDate) -> Result<usize> {
    let v = Viewer::system("演示数据");
    let all = ListParams::first(200);
    let experts = store
        .list_people(
            &v,
            &PersonFilter {
                is_expert: s("true"),
                ..Default::default()
            },
            &all,
        )
        .await?
        .items;
    let counties = store
        .list_organizations(
            &v,
            &OrganizationFilter {
                kind: s("government"),
                ..Default::default()
            },
            &all,
        )
        .await?
        .items;
    let year = today.year();
    let specs = [
        Spec {
            research: "食用菌菌种选育",
            county: Some("常山县"),
            chain: "食用菌",
            field: "agriculture",
            appointed_by: "衢州市农业农村局",
            document: format!("衢农发〔{}〕18号", year - 1),
            duties: "围绕常山县食用菌产业开展菌种选育、标准化栽培和精深加工技术指导，每年驻点服务不少于30天，\
                     培训种植户和企业技术人员，承接县内食用菌企业技术需求。",
            log: vec![
                (
                    "visit",
                    160,
                    "走访常山金川食用菌有限公司菇棚，查看猴头菇出菇情况",
                    "常山县辉埠镇",
                    Some(4),
                    None,
                ),
                (
                    "training",
                    130,
                    "食用菌标准化栽培技术培训班授课",
                    "常山县农业农村局",
                    Some(3),
                    Some(62),
                ),
                (
                    "problem",
                    101,
                    "指导解决香菇菌棒烂棒、杂菌污染问题",
                    "常山县天马街道",
                    Some(6),
                    Some(8),
                ),
                (
                    "demand",
                    74,
                    "承接食用菌菌渣资源化利用技术需求，制定试验方案",
                    "常山县",
                    Some(5),
                    None,
                ),
                (
                    "visit",
                    45,
                    "走访辉埠镇食用菌种植大户，调研菌种退化情况",
                    "常山县辉埠镇",
                    Some(4),
                    Some(12),
                ),
                (
                    "training",
                    21,
                    "猴头菇菌种选育现场教学",
                    "常山菇乡菌业科技有限公司",
                    Some(2),
                    Some(25),
                ),
                (
                    "other",
                    7,
                    "参加常山县食用菌产业发展座谈会并作交流发言",
                    "常山县",
                    Some(2),
                    None,
                ),
            ],
        },
        Spec {
            research: "有机硅单体合成与催化",
            county: None,
            chain: "氟硅新材料",
            field: "industry",
            appointed_by: "衢州市经济和信息化局",
            document: format!("衢经信〔{}〕27号", year - 1),
            duties: "服务衢州氟硅新材料产业链，参与产业链技术路线图研究，帮助链上企业解决有机硅单体合成、\
                     含氟精细化学品生产中的关键技术难题，推动成果在衢转化。",
            log: vec![
                (
                    "visit",
                    150,
                    "走访衢州氟源化工科技有限公司，了解流化床运行情况",
                    "衢州高新园区",
                    Some(3),
                    None,
                ),
                (
                    "training",
                    118,
                    "有机硅单体合成新工艺专题讲座",
                    "衢州市经信局",
                    Some(2),
                    Some(85),
                ),
                (
                    "problem",
                    88,
                    "协助解决流化床反应器结块、触体失活问题",
                    "衢州高新园区",
                    Some(8),
                    Some(6),
                ),
                (
                    "demand",
                    60,
                    "承接有机硅副产物高值化利用技术需求",
                    "衢州",
                    Some(4),
                    None,
                ),
                (
                    "visit",
                    33,
                    "调研氟硅新材料产业园重点企业技术需求",
                    "衢州智造新城",
                    Some(5),
                    Some(10),
                ),
                (
                    "other",
                    12,
                    "参加氟硅新材料产业链链长制工作推进会",
                    "衢州市",
                    Some(2),
                    None,
                ),
            ],
        },
    ];
    let first_day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let mut written = 0;
    for spec in specs {
        let Some(expert) = experts.iter().find(|p| {
            p.expert
                .as_ref()
                .and_then(|x| x.research_fields.as_deref())
                .is_some_and(|r| r.contains(spec.research))
        }) else {
            continue;
        };
        let place = spec
            .county
            .and_then(|name| counties.iter().find(|o| o.name == name))
            .map(|o| o.id.to_string());
        let input = ChiefExpertInput {
            person_id: s(expert.id),
            field: s(spec.field),
            organization_id: place,
            chain: s(spec.chain),
            document_no: Some(spec.document),
            appointed_by: s(spec.appointed_by),
            from_on: s(NaiveDate::from_ymd_opt(year - 1, 3, 1).unwrap_or(today)),
            to_on: s(NaiveDate::from_ymd_opt(year + 2, 2, 28).unwrap_or(today)),
            duties: s(spec.duties),
        };
        let chief = store
            .create_chief_expert(&v, &input.validate().map_err(StoreError::Invalid)?)
            .await?;
        let matched = store.chief_expert_demands(&v, chief.id).await?;
        for (kind, ago, title, at, hours, people) in spec.log {
            // This year's, never after today (early in January they crowd onto the first days).
            let on = (today - TimeDelta::days(ago)).max(first_day);
            let demand = if kind == "demand" {
                matched.first().map(|m| m.demand_id.to_string())
            } else {
                None
            };
            let entry = ServiceLogInput {
                chief_expert_id: s(chief.id),
                kind: s(kind),
                served_on: s(on),
                title: s(title),
                place: s(at),
                hours: hours.map(|h| h.to_string()),
                people_served: people.map(|p| p.to_string()),
                demand_id: demand,
                ..Default::default()
            };
            store
                .create_service_log(&v, &entry.validate().map_err(StoreError::Invalid)?)
                .await?;
            written += 1;
        }
    }
    Ok(written)
}
