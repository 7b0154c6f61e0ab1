//! Demo meetings: this year's work conference (市校全面合作工作会议), which approved the year's
//! project list, with its decisions — some done, one late, one due within days, the rest on
//! course — and two regular consultations (定期会商) with theirs. The busiest unit of the demo (the
//! one the demo unit account acts for) owns one late and one open decision, so that signing in as
//! it shows what it must carry out. Written through the store's public API, as the system.

use crate::{Result, Store, Viewer};
use chrono::{Datelike, NaiveDate, TimeDelta};
use hezuo_domain::ListParams;
use hezuo_domain::event::{DecisionData, DecisionStatus, EventData, EventKind};
use hezuo_domain::person::PersonFilter;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The demo's writer (the same name as the rest of the demo data).
static DEMO: LazyLock<Viewer> = LazyLock::new(|| Viewer::system("演示数据"));

fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

/// The first contact person of an organisation, if it has one.
async fn contact(store: &Store, org: i64) -> Result<Option<i64>> {
    let f = PersonFilter {
        organization_id: Some(org.to_string()),
        ..Default::default()
    };
    Ok(store
        .list_people(&DEMO, &f, &ListParams::first(1))
        .await?
        .items
        .first()
        .map(|p| p.id))
}

/// (what was decided, owner, due, status, progress, done on)
type Planned<'a> = (
    &'a str,
    i64,
    NaiveDate,
    DecisionStatus,
    Option<&'a str>,
    Option<NaiveDate>,
);

async fn decide(store: &Store, event: i64, list: Vec<Planned<'_>>) -> Result<()> {
    let today = store.today();
    for (title, owner, due, status, progress, done_on) in list {
        // Never done after today, whatever day the demo is loaded on.
        let done_on = done_on.map(|d| d.min(today));
        let d = DecisionData {
            event_id: event,
            title: title.into(),
            owner_id: owner,
            responsible_person_id: contact(store, owner).await?,
            due_on: due,
            status,
            progress: progress.map(str::to_string),
            done_on,
        };
        store.create_decision(&DEMO, &d).await?;
    }
    Ok(())
}

/// Loads the meetings (after the projects, so that the busiest unit is known).
pub async fn load(store: &Store, today: NaiveDate) -> Result<()> {
    let names: HashMap<String, i64> = store
        .all_organization_names()
        .await?
        .into_iter()
        .map(|(id, n)| (n, id))
        .collect();
    let org = |n: &str| names.get(n).copied();
    let (Some(city), Some(univ)) = (org("衢州市"), org("浙江工业大学")) else {
        return Ok(());
    };
    let office = org("中共衢州市委组织部").unwrap_or(city);
    let sci = org("衢州市科学技术局").unwrap_or(city);
    let econ = org("衢州市经济和信息化局").unwrap_or(city);
    let agri = org("衢州市农业农村局").unwrap_or(city);
    let liaison = org("浙江工业大学地方合作处").unwrap_or(univ);
    let jiangshan = org("江山市").unwrap_or(city);
    // The unit that leads the most projects among departments and colleges: the demo unit account's.
    let mut lead: HashMap<i64, usize> = HashMap::new();
    for page in 1.. {
        let p = ListParams {
            page: Some(page.to_string()),
            per_page: Some("200".into()),
            ..Default::default()
        };
        let got = store.list_projects(&DEMO, &Default::default(), &p).await?;
        for pr in &got.items {
            *lead.entry(pr.lead_unit_id).or_default() += 1;
        }
        if page >= got.pages() {
            break;
        }
    }
    let orgs = store
        .list_organizations(&DEMO, &Default::default(), &ListParams::first(200))
        .await?
        .items;
    let busiest = orgs
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "department" | "college"))
        .max_by_key(|o| (lead.get(&o.id).copied().unwrap_or(0), -o.id))
        .map(|o| o.id)
        .unwrap_or(sci);
    let batch = store
        .list_batches(&DEMO, &ListParams::first(50))
        .await?
        .items
        .into_iter()
        .find(|b| b.year == today.year())
        .map(|b| b.id);
    let leading_group = store
        .group_options(&DEMO)
        .await?
        .into_iter()
        .find(|(_, n)| n.contains("领导小组"))
        .map(|(id, _)| id);
    let mut people = Vec::new();
    for o in [city, univ, office, sci, liaison] {
        people.extend(contact(store, o).await?);
    }
    // The conference early in the year (or a month ago, early in January).
    let year_start = NaiveDate::from_ymd_opt(today.year(), 2, 26).unwrap_or(today);
    let held = if year_start + days(60) <= today {
        year_start
    } else {
        today - days(30)
    };
    let conference = store
        .create_event(
            &DEMO,
            &EventData {
                title: format!("{}年市校全面合作工作会议", held.year()),
                kind: EventKind::Conference,
                held_on: held,
                place: Some("衢州市行政中心第一会议室".into()),
                group_id: leading_group,
                organizer_id: Some(office),
                batch_id: batch,
                agenda: Some(
                    "一、回顾上一年度市校合作工作\n二、审议年度合作项目清单\n三、部署本年度重点任务\n四、签约重点合作项目"
                        .into(),
                ),
                minutes: Some(format!(
                    "{}年市校全面合作工作会议召开。会议总结了上一年度市校合作工作，审议通过了年度合作项目清单，\
                     部署了本年度重点任务。\n\n会议指出，要充分发挥市校全面合作领导小组的协调领导作用，健全常态化的市校会晤机制，\
                     推动合作项目落地见效。会议议定了以下事项，由各责任单位抓好落实，协调办跟踪督办。",
                    held.year()
                )),
                person_ids: people.clone(),
                organization_ids: vec![city, univ, office, sci, econ, agri, jiangshan],
            },
        )
        .await?;
    decide(
        store,
        conference.id,
        vec![
            (
                "建立市校合作项目月度进度报送和亮灯督办制度",
                office,
                held + days(30),
                DecisionStatus::Done,
                Some("已印发督办办法，按月报送、按季通报。"),
                Some(held + days(25)),
            ),
            (
                "选派10名博士到市技术转移中心和各县（市、区）挂职",
                liaison,
                held + days(60),
                DecisionStatus::Done,
                Some("首批10名博士已全部到岗。"),
                Some(held + days(55)),
            ),
            (
                "梳理氟硅新材料产业链关键技术需求清单，组织专家对接",
                busiest,
                today - days(12),
                DecisionStatus::InProgress,
                Some("已收集需求23项，专家对接进行中。"),
                None,
            ),
            (
                "举办新农村规划培训班和科技乡镇长培训班",
                agri,
                today + days(5),
                DecisionStatus::InProgress,
                Some("培训方案已确定，学员名单汇总中。"),
                None,
            ),
            (
                "共建衢州绿色产业研究院，年内完成注册",
                sci,
                today + days(90),
                DecisionStatus::Open,
                None,
                None,
            ),
        ],
    )
    .await?;
    // Regular consultations (定期会商) since.
    for (k, (ago, place)) in [(90, "浙江工业大学屏峰校区"), (20, "衢州市行政中心")]
        .into_iter()
        .enumerate()
    {
        let on = today - days(ago);
        if on < held {
            continue;
        }
        let e = store
            .create_event(
                &DEMO,
                &EventData {
                    title: format!("市校合作第{}次定期会商", k + 1),
                    kind: EventKind::Consultation,
                    held_on: on,
                    place: Some(place.into()),
                    group_id: None,
                    organizer_id: Some(office),
                    batch_id: None,
                    agenda: Some("通报合作项目推进情况，协商解决项目落实中的具体问题".into()),
                    minutes: Some(
                        "会商通报了年度合作项目推进情况，对亮灯项目逐一分析原因，协商了需市校双方协调解决的问题。"
                            .into(),
                    ),
                    person_ids: people.clone(),
                    organization_ids: vec![city, univ, office, liaison],
                },
            )
            .await?;
        let list: Vec<Planned> = if k == 0 {
            vec![
                (
                    "协调解决江山市中试基地用地问题",
                    jiangshan,
                    on + days(45),
                    DecisionStatus::Done,
                    Some("用地已落实。"),
                    Some(on + days(40)),
                ),
                (
                    "对进度滞后的项目逐一约谈牵头单位",
                    busiest,
                    today + days(30),
                    DecisionStatus::Open,
                    None,
                    None,
                ),
            ]
        } else {
            vec![(
                "下季度起亮灯项目在督查通报中点名",
                office,
                today + days(40),
                DecisionStatus::Open,
                None,
                None,
            )]
        };
        decide(store, e.id, list).await?;
    }
    Ok(())
}
