//! The demo's trainings and practice: the two classes the seed names — 新农村规划培训班 (organised
//! by 市农业农村局 with 设计与建筑学院) and 科技乡镇长培训班 (市委组织部 with 市科技局) — each with
//! 20–40 town and village cadres from the six counties, a few absent; a 衢州大讲坛 forum; and last
//! summer's 三下乡 practice in 开化县 with the university's students. Written through the store's
//! public API as the system; names and posts come from a fixed seed, so the same `today` always
//! gives the same lists.

use crate::{Result, Store, StoreError, Viewer};
use chrono::{Datelike, NaiveDate, TimeDelta};
use hezuo_domain::organization::{Organization, OrganizationFilter};
use hezuo_domain::training::{ImportMode, ParticipantInput, TrainingInput};
use hezuo_domain::{ListParams, Msg};

fn s(v: impl Into<String>) -> Option<String> {
    Some(v.into())
}

/// A small deterministic generator (an LCG), enough to vary names and posts.
struct Seq(u64);

impl Seq {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "朱", "胡", "郑", "汪", "毛", "叶", "余",
    "邵", "祝", "姜", "方", "徐",
];
const GIVEN: [&str; 40] = [
    "建华", "丽萍", "国平", "海燕", "志强", "晓东", "春梅", "伟民", "雪芳", "卫东", "红英", "立新", "婷婷", "俊杰",
    "美玲", "文斌", "秀英", "永康", "慧敏", "明辉", "佳怡", "振宇", "小燕", "国庆", "晨阳", "淑芬", "宏伟", "静怡",
    "家豪", "玉兰", "浩然", "金华", "素琴", "鹏飞", "亚萍", "建军", "欣怡", "旭东", "桂芳", "子涵",
];
/// Towns of each county (by division code), for the participants' units.
const TOWNS: [(&str, &str, [&str; 4]); 6] = [
    ("330802", "柯城区", ["航埠镇", "石梁镇", "九华乡", "沟溪乡"]),
    ("330803", "衢江区", ["莲花镇", "杜泽镇", "高家镇", "湖南镇"]),
    ("330881", "江山市", ["贺村镇", "峡口镇", "大陈乡", "石门镇"]),
    ("330825", "龙游县", ["湖镇镇", "溪口镇", "詹家镇", "小南海镇"]),
    ("330822", "常山县", ["辉埠镇", "球川镇", "芳村镇", "同弓乡"]),
    ("330824", "开化县", ["华埠镇", "马金镇", "池淮镇", "桐村镇"]),
];

/// `n` participants from the towns of the six counties, each with a post from `posts`; every
/// `absent`-th did not come.
fn cadres(seed: u64, n: usize, posts: &[&str], village: bool, hours: f64, absent: usize) -> Vec<ParticipantInput> {
    let mut r = Seq(seed);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut k = 0;
    while out.len() < n {
        k += 1;
        let (_, county, towns) = TOWNS[(k + r.below(6)) % 6];
        let town = towns[r.below(4)];
        let unit = if village {
            format!("{county}{town}人民政府")
        } else {
            format!("{county}{town}")
        };
        let name = format!("{}{}", SURNAMES[r.below(SURNAMES.len())], GIVEN[r.below(GIVEN.len())]);
        if !seen.insert((name.clone(), unit.clone())) {
            continue;
        }
        let attended = out.len() % absent != absent - 1;
        out.push(ParticipantInput {
            name: s(name),
            unit: s(unit),
            post: s(posts[r.below(posts.len())]),
            phone: s(format!("13{}{:08}", 5 + r.below(5), r.below(100_000_000))),
            attended: s(if attended { "是" } else { "否" }),
            hours_attended: s(if attended { format!("{hours}") } else { "0".into() }),
        });
    }
    out
}

/// Loads the demo trainings; returns how many.
pub async fn load(store: &Store, today: NaiveDate) -> Result<usize> {
    let v = Viewer::system("演示数据");
    let orgs: Vec<Organization> = store
        .list_organizations(&v, &OrganizationFilter::default(), &ListParams::first(200))
        .await?
        .items;
    let find = |name: &str| orgs.iter().find(|o| o.name == name).map(|o| o.id);
    let (Some(agri), Some(zzb), Some(sci), Some(univ)) = (
        find("衢州市农业农村局"),
        find("中共衢州市委组织部"),
        find("衢州市科学技术局"),
        find("浙江工业大学"),
    ) else {
        return Ok(0);
    };
    let design = find("浙江工业大学设计与建筑学院");
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 2).unwrap_or(today);
    let back = |days: i64| (today - TimeDelta::days(days)).max(year_start).min(today);
    let invalid = |e| StoreError::Invalid(e);
    let mut made = 0;

    // 新农村规划培训班: five days, 32 class hours, town and village cadres.
    let start = back(75);
    let rural = TrainingInput {
        title: s(format!("{}年衢州市新农村规划培训班", today.year())),
        kind: s("class"),
        audience: s("新农村规划"),
        organizer_id: s(agri.to_string()),
        co_organizer_id: design.map(|d| d.to_string()),
        start_on: s(start.to_string()),
        end_on: s((start + TimeDelta::days(4)).min(today).to_string()),
        place: s("浙江工业大学屏峰校区"),
        hours: s("32"),
        county_code: s("330800"),
        planned_headcount: s("40"),
        evaluation_score: s("4.6"),
        evaluation_summary: s(
            "学员认为村庄规划编制、农房设计和美丽乡村案例教学针对性强；建议增加现场教学和规划软件实操。",
        ),
        status: s("held"),
        summary: s("围绕村庄布局规划、农房风貌管控、历史文化村落保护和乡村产业用地开展专题教学与现场考察。"),
    };
    let t = store.create_training(&v, &rural.validate().map_err(invalid)?).await?;
    let people = cadres(
        0x7275_7261,
        36,
        &["副镇长", "村党支部书记", "村委会主任", "城建办主任", "规划员"],
        true,
        32.0,
        9,
    );
    import(store, &v, t.id, &people, Some(32.0)).await?;
    made += 1;

    // 科技乡镇长培训班: three days, 24 class hours.
    let start = back(30);
    let towns = TrainingInput {
        title: s(format!("{}年科技乡镇长培训班", today.year())),
        kind: s("class"),
        audience: s("科技乡镇长"),
        organizer_id: s(zzb.to_string()),
        co_organizer_id: s(sci.to_string()),
        start_on: s(start.to_string()),
        end_on: s((start + TimeDelta::days(2)).min(today).to_string()),
        place: s("衢州市委党校"),
        hours: s("24"),
        county_code: s("330800"),
        planned_headcount: s("30"),
        evaluation_score: s("4.8"),
        evaluation_summary: s("课程贴近基层科技工作；学员希望与高校专家建立长期联系，按乡镇对接产业需求。"),
        status: s("held"),
        summary: s("选派到乡镇挂职的科技副乡镇长集中培训：科技政策、企业技术需求征集、成果转化与专家对接。"),
    };
    let t = store.create_training(&v, &towns.validate().map_err(invalid)?).await?;
    let people = cadres(
        0x6b6a_787a,
        28,
        &["科技副镇长", "科技副乡长", "挂职副镇长（科技）"],
        true,
        24.0,
        10,
    );
    import(store, &v, t.id, &people, Some(24.0)).await?;
    made += 1;

    // 衢州大讲坛: a forum, no list of names.
    let on = back(12);
    let forum = TrainingInput {
        title: s("衢州大讲坛·数字经济与传统产业转型"),
        kind: s("forum"),
        audience: s("青年干部"),
        organizer_id: s(zzb.to_string()),
        co_organizer_id: s(univ.to_string()),
        start_on: s(on.to_string()),
        place: s("衢州市行政服务中心报告厅"),
        hours: s("2"),
        county_code: s("330800"),
        planned_headcount: s("300"),
        status: s("held"),
        summary: s("浙江工业大学专家主讲，市直机关和各县（市、区）青年干部参加。"),
        ..Default::default()
    };
    store.create_training(&v, &forum.validate().map_err(invalid)?).await?;
    made += 1;

    // 三下乡: last summer, students of the university in 开化县.
    let y = today.year() - 1;
    let start = NaiveDate::from_ymd_opt(y, 7, 8).unwrap_or(today);
    let practice = TrainingInput {
        title: s(format!("{y}年浙江工业大学暑期“三下乡”社会实践（开化县）")),
        kind: s("practice"),
        audience: s("大学生"),
        organizer_id: s(univ.to_string()),
        start_on: s(start.to_string()),
        end_on: s((start + TimeDelta::days(9)).to_string()),
        place: s("开化县华埠镇、马金镇"),
        hours: s("60"),
        county_code: s("330824"),
        planned_headcount: s("12"),
        evaluation_score: s("4.5"),
        evaluation_summary: s("完成乡村振兴调研报告 2 篇，为 3 个村设计文旅导视系统。"),
        status: s("held"),
        summary: s("乡村振兴调研、科普宣讲、村庄文旅设计。"),
        ..Default::default()
    };
    let t = store
        .create_training(&v, &practice.validate().map_err(invalid)?)
        .await?;
    let mut r = Seq(0x7378_7878);
    let colleges = ["设计与建筑学院", "经济学院", "人文学院", "环境学院"];
    let students: Vec<ParticipantInput> = (0..12)
        .map(|i| ParticipantInput {
            name: s(format!(
                "{}{}",
                SURNAMES[(i * 7 + r.below(5)) % SURNAMES.len()],
                GIVEN[(i * 3 + 1) % GIVEN.len()]
            )),
            unit: s(format!("浙江工业大学{}", colleges[i % colleges.len()])),
            post: s(if i == 0 { "队长" } else { "学生" }),
            attended: s("是"),
            hours_attended: s("60"),
            ..Default::default()
        })
        .collect();
    import(store, &v, t.id, &students, Some(60.0)).await?;
    made += 1;
    Ok(made)
}

async fn import(store: &Store, v: &Viewer, id: i64, rows: &[ParticipantInput], hours: Option<f64>) -> Result<()> {
    let mut data = Vec::new();
    for (n, p) in rows.iter().enumerate() {
        data.push((n + 2, p.validate(hours).map_err(StoreError::Invalid)?));
    }
    match store.import_participants(v, id, &data, ImportMode::Replace).await? {
        Ok(_) => Ok(()),
        Err(rows) => Err(StoreError::invalid(
            "demo",
            Msg::new(
                format!("演示培训名单有误：{}", rows[0].message),
                format!("The demo list is wrong: {}", rows[0].message_en),
            ),
        )),
    }
}
