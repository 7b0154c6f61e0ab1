//! The demo's innovation platforms (共建平台), at the seed's places: the technology-transfer centre
//! in the city, county R&D centres with enterprises, pilot bases, a postdoctoral and an academician
//! workstation, a key lab, an industrial research institute and a practice base — some accredited
//! with their document numbers, one being set up, one closed — with people stationed and last
//! year's evaluations. Written through the store's public API as the system, like the rest of the
//! demo; it finds the demo's organisations, agreements and people by reading them back.

use crate::{Result, Store, StoreError, Viewer};
use chrono::{Datelike, NaiveDate};
use hezuo_domain::agreement::AgreementFilter;
use hezuo_domain::organization::{Organization, OrganizationFilter};
use hezuo_domain::person::PersonFilter;
use hezuo_domain::platform::{EvaluationInput, PlatformInput, StationInput};
use hezuo_domain::{ListParams, Msg};

fn s(v: impl Into<String>) -> Option<String> {
    Some(v.into())
}

/// One demo platform: name, kind, level, status, (approving body, document), years before today
/// it was established, and a summary.
struct Spec {
    name: String,
    kind: &'static str,
    level: &'static str,
    status: &'static str,
    approval: Option<(&'static str, String)>,
    years_ago: i32,
    summary: String,
    hosts: Vec<i64>,
    agreement: Option<i64>,
    grade: Option<&'static str>,
}

/// Loads the demo platforms; returns how many.
pub async fn load(store: &Store, today: NaiveDate) -> Result<usize> {
    let v = Viewer::system("演示数据");
    let all = ListParams::first(200);
    let orgs = |kind: &'static str| {
        let f = OrganizationFilter {
            kind: s(kind),
            ..Default::default()
        };
        let (store, v, all) = (store, &v, &all);
        async move { Ok::<_, StoreError>(store.list_organizations(v, &f, all).await?.items) }
    };
    let platforms = orgs("platform").await?;
    let enterprises = orgs("enterprise").await?;
    let colleges = orgs("college").await?;
    let univ = orgs("university").await?.into_iter().next();
    let voc = orgs("vocational_school").await?.into_iter().next();
    let (Some(univ), Some(voc)) = (univ, voc) else {
        return Ok(0);
    };
    if enterprises.len() < 8 || colleges.len() < 4 {
        return Ok(0);
    }
    let city = store
        .list_organizations(
            &v,
            &OrganizationFilter {
                region_code: s("330800"),
                kind: s("government"),
                ..Default::default()
            },
            &all,
        )
        .await?
        .items
        .into_iter()
        .find(|o| o.parent_id.is_none());
    let centre = platforms.iter().find(|o| o.name.contains("技术转移中心"));
    let station = platforms.iter().find(|o| o.name.contains("博士后工作站"));
    // Enterprises by county, in the order the demo made them.
    let in_county = |code: &str| -> Vec<&Organization> {
        enterprises
            .iter()
            .filter(|e| e.region_code.as_deref() == Some(code))
            .collect()
    };
    let short = |o: &Organization| o.short_name.clone().unwrap_or_else(|| o.name.clone());
    let first_in = |code: &str, k: usize| -> &Organization {
        let list = in_county(code);
        if list.is_empty() {
            &enterprises[k % enterprises.len()]
        } else {
            list[k % list.len()]
        }
    };
    let agreement_of = |org: i64| {
        let f = AgreementFilter {
            organization_id: s(org.to_string()),
            ..Default::default()
        };
        let (store, v) = (store, &v);
        async move {
            Ok::<_, StoreError>(
                store
                    .list_agreements(v, &f, &ListParams::first(5))
                    .await?
                    .items
                    .first()
                    .map(|a| a.id),
            )
        }
    };
    let mut specs = Vec::new();
    // The technology-transfer centre in the city (衢州).
    let mut hosts = vec![univ.id];
    if let Some(c) = centre {
        hosts.insert(0, c.id);
    }
    specs.push(Spec {
        name: "浙江工业大学衢州技术转移中心".into(),
        kind: "transfer_centre",
        level: "city",
        status: "accredited",
        approval: Some(("衢州市科学技术局", format!("衢市科〔{}〕12号", today.year() - 6))),
        years_ago: 7,
        summary: "学校选派博士常驻衢州，征集企业技术难题，对接专家与成果，跟踪项目落实。".into(),
        hosts,
        agreement: agreement_of(univ.id).await?,
        grade: Some("excellent"),
    });
    // County R&D centres with enterprises, one per county, each with a college.
    let counties = [
        ("330802", "柯城区"),
        ("330803", "衢江区"),
        ("330881", "江山市"),
        ("330822", "常山县"),
        ("330824", "开化县"),
        ("330825", "龙游县"),
    ];
    for (k, (code, county)) in counties.iter().enumerate() {
        let ent = first_in(code, 0);
        let college = &colleges[k % colleges.len()];
        let closed = k == 4;
        specs.push(Spec {
            name: format!("{}—浙工大{}联合研发中心", short(ent), short(college)),
            kind: "rd_centre",
            level: "county",
            status: if closed {
                "closed"
            } else if k % 2 == 0 {
                "accredited"
            } else {
                "built"
            },
            approval: (k % 2 == 0).then(|| {
                (
                    "县（市、区）科技局",
                    format!(
                        "{}科〔{}〕{}号",
                        county.chars().take(2).collect::<String>(),
                        today.year() - 3,
                        20 + k
                    ),
                )
            }),
            years_ago: 2 + (k as i32 % 3),
            summary: if closed {
                "合作期满后企业转型，经双方协商撤销。".into()
            } else {
                format!(
                    "{county}企业与浙江工业大学{}共建，围绕企业主导产品开展联合攻关。",
                    short(college)
                )
            },
            hosts: vec![ent.id, college.id],
            agreement: agreement_of(ent.id).await?,
            grade: (!closed).then_some(["good", "excellent", "pass", "good", "fail", "good"][k]),
        });
    }
    // Pilot bases: one accredited in the chemical park, one still being set up.
    let chem = first_in("330802", 1);
    specs.push(Spec {
        name: "衢州氟硅新材料中试基地".into(),
        kind: "pilot_base",
        level: "provincial",
        status: "accredited",
        approval: Some(("浙江省科学技术厅", format!("浙科发高〔{}〕35号", today.year() - 2))),
        years_ago: 3,
        summary: "为高校实验室成果提供公斤级到吨级的放大试验条件。".into(),
        hosts: vec![chem.id, colleges[0].id],
        agreement: None,
        grade: Some("good"),
    });
    let ly = first_in("330825", 1);
    specs.push(Spec {
        name: format!("{}特种纸中试基地", short(ly)),
        kind: "pilot_base",
        level: "county",
        status: "planning",
        approval: None,
        years_ago: 0,
        summary: "正在筹建，计划明年投入使用。".into(),
        hosts: vec![ly.id, colleges[1 % colleges.len()].id],
        agreement: None,
        grade: None,
    });
    // The postdoctoral workstation at the first enterprise.
    let mut hosts = vec![enterprises[0].id, univ.id];
    if let Some(st) = station {
        hosts.insert(1, st.id);
    }
    specs.push(Spec {
        name: format!("{}博士后工作站", enterprises[0].name),
        kind: "postdoc_station",
        level: "provincial",
        status: "accredited",
        approval: Some((
            "浙江省人力资源和社会保障厅",
            format!("浙人社发〔{}〕41号", today.year() - 4),
        )),
        years_ago: 4,
        summary: "企业与浙江工业大学联合招收培养博士后，围绕氟硅新材料开展研究。".into(),
        hosts,
        agreement: None,
        grade: Some("excellent"),
    });
    let js = first_in("330881", 1);
    specs.push(Spec {
        name: format!("{}院士工作站", short(js)),
        kind: "academician_station",
        level: "provincial",
        status: "accredited",
        approval: Some(("浙江省科学技术协会", format!("浙科协发〔{}〕18号", today.year() - 3))),
        years_ago: 3,
        summary: "引进院士团队指导企业关键技术攻关和人才培养。".into(),
        hosts: vec![js.id],
        agreement: None,
        grade: Some("good"),
    });
    specs.push(Spec {
        name: format!("衢州市{}重点实验室", short(&colleges[2 % colleges.len()])),
        kind: "key_lab",
        level: "city",
        status: "accredited",
        approval: Some(("衢州市科学技术局", format!("衢市科〔{}〕7号", today.year() - 2))),
        years_ago: 2,
        summary: "依托学院学科优势，服务衢州主导产业共性技术研究。".into(),
        hosts: vec![colleges[2 % colleges.len()].id, first_in("330803", 1).id],
        agreement: None,
        grade: Some("pass"),
    });
    let mut hosts = vec![univ.id];
    if let Some(c) = &city {
        hosts.push(c.id);
    }
    specs.push(Spec {
        name: "浙江工业大学衢州产业研究院".into(),
        kind: "industry_institute",
        level: "city",
        status: "built",
        approval: None,
        years_ago: 1,
        summary: "市校共建的新型研发机构，面向衢州产业需求组织科研团队。".into(),
        hosts,
        agreement: agreement_of(univ.id).await?,
        grade: Some("good"),
    });
    specs.push(Spec {
        name: "衢州职业技术学院—浙工大产教融合实践基地".into(),
        kind: "practice_base",
        level: "county",
        status: "built",
        approval: None,
        years_ago: 2,
        summary: "学生在企业一线开展实践，教师与企业工程师共同指导。".into(),
        hosts: vec![voc.id, first_in("330802", 2).id],
        agreement: None,
        grade: None,
    });

    let last_year = today.year() - 1;
    let mut n = 0;
    for (k, sp) in specs.into_iter().enumerate() {
        let established =
            NaiveDate::from_ymd_opt(today.year() - sp.years_ago, 1 + (k as u32 % 12), 1 + (k as u32 % 27))
                .filter(|d| *d <= today)
                .unwrap_or(today);
        let input = PlatformInput {
            name: s(sp.name),
            kind: s(sp.kind),
            level: s(sp.level),
            approved_by: sp.approval.as_ref().map(|a| a.0.to_string()),
            approval_doc: sp.approval.map(|a| a.1),
            host_ids: sp.hosts.iter().map(|h| h.to_string()).collect(),
            agreement_id: sp.agreement.map(|a| a.to_string()),
            established_on: (sp.status != "planning").then(|| established.to_string()),
            summary: s(sp.summary),
            ..Default::default()
        };
        let mut p = store
            .create_platform(&v, &input.validate().map_err(StoreError::Invalid)?)
            .await?;
        // Through its steps, as a user would move it.
        let path: &[&str] = match sp.status {
            "built" => &["built"],
            "accredited" => &["built", "accredited"],
            "closed" => &["built", "closed"],
            _ => &[],
        };
        for step in path {
            let mut i = PlatformInput::from_record(&p);
            i.status = s(*step);
            p = store
                .update_platform(&v, p.id, &i.validate().map_err(StoreError::Invalid)?, None)
                .await?;
        }
        // People: experts of a college host, or a contact of the first host.
        let mut stationed = 0;
        for h in &p.host_ids {
            let people = store
                .list_people(
                    &v,
                    &PersonFilter {
                        organization_id: s(h.to_string()),
                        ..Default::default()
                    },
                    &ListParams::first(3),
                )
                .await?;
            for (j, person) in people.items.iter().take(2).enumerate() {
                if stationed >= 3 {
                    break;
                }
                let role = if stationed == 0 {
                    "平台负责人"
                } else {
                    ["驻站博士", "技术骨干", "联络员"][j % 3]
                };
                let from = p.established_on.unwrap_or(today);
                store
                    .station_person(
                        &v,
                        p.id,
                        &StationInput {
                            person_id: s(person.id.to_string()),
                            role: s(role),
                            from_on: s(from.to_string()),
                            ..Default::default()
                        }
                        .validate()
                        .map_err(StoreError::Invalid)?,
                    )
                    .await?;
                stationed += 1;
            }
        }
        if let Some(g) = sp.grade
            && p.established_on.is_some_and(|d| d.year() <= last_year)
        {
            let by = match p.level.as_str() {
                "provincial" => "浙江省科学技术厅",
                "county" => "县（市、区）科技局",
                _ => "衢州市科学技术局",
            };
            store
                .create_evaluation(
                    &v,
                    p.id,
                    &EvaluationInput {
                        year: s(last_year.to_string()),
                        grade: s(g),
                        evaluated_by: s(by),
                        evaluated_on: s(format!("{last_year}-12-20")),
                        comment: s(match g {
                            "excellent" => "运行规范，成果突出，考核优秀。",
                            "good" => "运行良好，建议加强成果转化。",
                            "pass" => "基本完成年度任务，人员投入需加强。",
                            _ => "年度任务完成不足，限期整改。",
                        }),
                    }
                    .validate()
                    .map_err(StoreError::Invalid)?,
                )
                .await?;
        }
        n += 1;
    }
    if n == 0 {
        return Err(StoreError::invalid(
            "demo",
            Msg::new("演示平台未能载入", "No demo platform was loaded"),
        ));
    }
    Ok(n)
}
