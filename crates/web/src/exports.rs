//! Every list as a spreadsheet (`?format=xlsx` on its API list and on its list page): each kind's
//! [`Export`] — its sheet's name, its columns and a record's row — in one place, so the columns of
//! all the exports can be read (and kept alike) together. The handler that pages through the list
//! and writes the file is [`crate::resource::export`].
//!
//! Cells are typed: dates as dates, money as 万元 numbers, counts as numbers; enumerations in the
//! reader's language; the records a row points to by name, looked up once per batch of rows.
//! Over 800 lines on purpose: every kind's columns side by side, so they stay alike. Next split: by
//! section (records, supervision, people and meetings) if it grows again.

use crate::agreements::Agreements;
use crate::campaigns::Campaigns;
use crate::chief_experts::{ChiefExperts, ServiceLogs};
use crate::demands::pages::Demands;
use crate::events::{Decisions, Events};
use crate::groups::Groups;
use crate::i18n::Lang;
use crate::organizations::Organizations;
use crate::outcomes::Outcomes;
use crate::people::People;
use crate::platforms::Platforms;
use crate::problems::Problems;
use crate::projects::Projects;
use crate::resource::Export;
use crate::results::Results;
use crate::secondments::Secondments;
use crate::trainings::Trainings;
use crate::works::Works;
use hezuo_domain::ListParams;
use hezuo_domain::agreement::Agreement;
use hezuo_domain::campaign::Campaign;
use hezuo_domain::chief_expert::{ChiefExpert, ChiefExpertFilter, ServiceLog};
use hezuo_domain::codes::division_name;
use hezuo_domain::demand::Demand;
use hezuo_domain::event::{Decision, Event};
use hezuo_domain::expert_work::ExpertWork;
use hezuo_domain::group::Group;
use hezuo_domain::organization::Organization;
use hezuo_domain::outcome::Outcome;
use hezuo_domain::person::Person;
use hezuo_domain::platform::Platform;
use hezuo_domain::problem::Problem;
use hezuo_domain::project::Project;
use hezuo_domain::research_result::ResearchResult;
use hezuo_domain::secondment::Secondment;
use hezuo_domain::training::Training;
use hezuo_report::sheet::Value;
use hezuo_store::{Result, Store, Viewer};
use std::collections::HashMap;

type Rows = Result<Vec<Vec<Value>>>;

/// The organisations `ids` name, for a batch's rows.
async fn org_names(s: &Store, ids: impl IntoIterator<Item = i64>) -> Result<Names> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(Names(s.organization_names(&ids).await?))
}

/// Names by id; a missing one is an empty cell.
struct Names(HashMap<i64, String>);

impl Names {
    fn of(&self, id: i64) -> Value {
        Value::opt_text(self.0.get(&id).cloned())
    }
    fn opt(&self, id: Option<i64>) -> Value {
        id.map_or(Value::Empty, |i| self.of(i))
    }
    fn all(&self, ids: &[i64]) -> Value {
        let v: Vec<&str> = ids.iter().filter_map(|i| self.0.get(i)).map(String::as_str).collect();
        Value::text(v.join("、"))
    }
}

fn label(lang: Lang, m: hezuo_domain::Msg) -> Value {
    Value::text(lang.pick(&m))
}

fn year(y: Option<i32>) -> Value {
    Value::opt_int(y.map(i64::from))
}

fn region(code: Option<&str>) -> Value {
    Value::opt_text(code.map(|c| division_name(c).unwrap_or_else(|| c.to_string())))
}

impl Export for Projects {
    const SHEET: (&'static str, &'static str) = ("合作项目", "Projects");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("项目名称", "Title", 40.0),
        ("类型", "Kind", 14.0),
        ("批次年度", "Batch year", 10.0),
        ("牵头单位", "Lead unit", 28.0),
        ("参与单位", "Partners", 28.0),
        ("状态", "Status", 10.0),
        ("亮灯", "Flag", 8.0),
        ("合同金额（万元）", "Contract (×10k CNY)", 16.0),
        ("争取经费（万元）", "Funding won (×10k CNY)", 16.0),
        ("开始日期", "Starts", 12.0),
        ("结束日期", "Ends", 12.0),
        ("来源", "Origin", 12.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Project]) -> Rows {
        let names = org_names(
            s,
            items
                .iter()
                .flat_map(|p| std::iter::once(p.lead_unit_id).chain(p.co_unit_ids.iter().copied())),
        )
        .await?;
        Ok(items
            .iter()
            .map(|p| {
                vec![
                    Value::Int(p.id),
                    Value::text(&p.title),
                    label(lang, p.kind.label()),
                    Value::Int(p.batch_year.into()),
                    names.of(p.lead_unit_id),
                    names.all(&p.co_unit_ids),
                    label(lang, p.status.label()),
                    p.flag.map_or(Value::Empty, |f| label(lang, f.label())),
                    Value::Money(p.contract_amount_wan.fen()),
                    Value::Money(p.funding_won_wan.fen()),
                    Value::opt_date(p.start_on),
                    Value::opt_date(p.end_on),
                    label(lang, p.origin.label()),
                ]
            })
            .collect())
    }
}

impl Export for Organizations {
    const SHEET: (&'static str, &'static str) = ("单位", "Organizations");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("名称", "Name", 36.0),
        ("简称", "Short name", 14.0),
        ("类型", "Kind", 12.0),
        ("上级单位", "Parent", 28.0),
        ("行政区划", "Region", 14.0),
        ("统一社会信用代码", "Credit code", 22.0),
        ("行业", "Industry", 20.0),
        ("地址", "Address", 30.0),
        ("电话", "Phone", 16.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Organization]) -> Rows {
        let names = org_names(s, items.iter().filter_map(|o| o.parent_id)).await?;
        Ok(items
            .iter()
            .map(|o| {
                vec![
                    Value::Int(o.id),
                    Value::text(&o.name),
                    Value::opt_text(o.short_name.clone()),
                    label(lang, o.kind.label()),
                    names.opt(o.parent_id),
                    Value::opt_text(o.region_name()),
                    Value::opt_text(o.credit_code.clone()),
                    Value::opt_text(o.industry_name()),
                    Value::opt_text(o.address.clone()),
                    Value::opt_text(o.phone.clone()),
                ]
            })
            .collect())
    }
}

impl Export for Demands {
    const SHEET: (&'static str, &'static str) = ("技术需求", "Demands");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("需求名称", "Title", 36.0),
        ("企业", "Enterprise", 28.0),
        ("行业", "Industry", 16.0),
        ("技术领域", "Field", 16.0),
        ("预算下限（万元）", "Budget from (×10k CNY)", 16.0),
        ("预算上限（万元）", "Budget to (×10k CNY)", 16.0),
        ("合作方式", "Mode", 12.0),
        ("截止日期", "Deadline", 12.0),
        ("来源", "Source", 12.0),
        ("采集日期", "Collected", 12.0),
        ("绿色通道", "Green channel", 10.0),
        ("状态", "Status", 12.0),
        ("提交日期", "Submitted", 12.0),
        ("项目编号", "Project no.", 10.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Demand]) -> Rows {
        let names = org_names(s, items.iter().map(|d| d.enterprise_id)).await?;
        Ok(items
            .iter()
            .map(|d| {
                vec![
                    Value::Int(d.id),
                    Value::text(&d.title),
                    names.of(d.enterprise_id),
                    Value::opt_text(d.industry.clone()),
                    Value::opt_text(d.field.clone()),
                    Value::opt_money(d.budget_min_wan.map(|m| m.fen())),
                    Value::opt_money(d.budget_max_wan.map(|m| m.fen())),
                    label(lang, d.mode.label()),
                    Value::opt_date(d.deadline),
                    label(lang, d.source.label()),
                    Value::opt_date(d.collected_on),
                    Value::yes_no(Some(d.green_channel)),
                    label(lang, d.status.label()),
                    Value::opt_date(d.submitted_on),
                    Value::opt_int(d.project_id),
                ]
            })
            .collect())
    }
}

impl Export for Problems {
    const SHEET: (&'static str, &'static str) = ("问题协调", "Problems");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("问题", "Problem", 36.0),
        ("项目编号", "Project no.", 10.0),
        ("责任单位", "Owner", 28.0),
        ("办结期限", "Due", 12.0),
        ("状态", "Status", 10.0),
        ("协调意见", "Decision", 36.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Problem]) -> Rows {
        let names = org_names(s, items.iter().map(|p| p.owner_id)).await?;
        Ok(items
            .iter()
            .map(|p| {
                vec![
                    Value::Int(p.id),
                    Value::text(&p.title),
                    Value::Int(p.project_id),
                    names.of(p.owner_id),
                    Value::opt_date(p.due_on),
                    label(lang, p.status.label()),
                    Value::opt_text(p.decision.clone()),
                ]
            })
            .collect())
    }
}

impl Export for Agreements {
    const SHEET: (&'static str, &'static str) = ("合作协议", "Agreements");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("协议名称", "Title", 40.0),
        ("类型", "Kind", 14.0),
        ("签订日期", "Signed", 12.0),
        ("到期日期", "Term ends", 12.0),
        ("状态", "Status", 10.0),
        ("签约各方", "Parties", 36.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Agreement]) -> Rows {
        let names = org_names(s, items.iter().flat_map(|a| a.party_ids.iter().copied())).await?;
        Ok(items
            .iter()
            .map(|a| {
                vec![
                    Value::Int(a.id),
                    Value::text(&a.title),
                    label(lang, a.kind.label()),
                    Value::Date(a.signed_on),
                    Value::opt_date(a.term_end),
                    label(lang, a.status.label()),
                    names.all(&a.party_ids),
                ]
            })
            .collect())
    }
}

impl Export for Campaigns {
    const SHEET: (&'static str, &'static str) = ("需求征集", "Campaigns");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("征集活动", "Title", 36.0),
        ("组织单位", "Organizer", 28.0),
        ("开始日期", "Starts", 12.0),
        ("结束日期", "Ends", 12.0),
        ("面向区县", "Regions", 24.0),
        ("面向行业", "Industries", 24.0),
        ("每县名额", "Quota per county", 10.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, _lang: Lang, items: &[Campaign]) -> Rows {
        let names = org_names(s, items.iter().map(|c| c.organizer_id)).await?;
        Ok(items
            .iter()
            .map(|c| {
                let regions: Vec<String> = c
                    .target_regions
                    .iter()
                    .map(|r| division_name(r).unwrap_or_else(|| r.clone()))
                    .collect();
                vec![
                    Value::Int(c.id),
                    Value::text(&c.title),
                    names.of(c.organizer_id),
                    Value::Date(c.starts_on),
                    Value::Date(c.ends_on),
                    Value::text(regions.join("、")),
                    Value::text(c.target_industries.join("、")),
                    Value::opt_int(c.quota_per_county),
                ]
            })
            .collect())
    }
}

impl Export for Secondments {
    const SHEET: (&'static str, &'static str) = ("人才互派", "Secondments");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("姓名", "Name", 12.0),
        ("方向", "Direction", 14.0),
        ("派出单位", "From", 28.0),
        ("接收单位", "To", 28.0),
        ("挂职岗位", "Post", 20.0),
        ("开始日期", "Starts", 12.0),
        ("结束日期", "Ends", 12.0),
        ("状态", "Status", 10.0),
        ("实际结束", "Ended", 12.0),
        ("考核等次", "Appraisal", 10.0),
        ("亮灯", "Flag", 8.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Secondment]) -> Rows {
        let names = org_names(
            s,
            items
                .iter()
                .flat_map(|x| [x.from_organization_id, x.to_organization_id]),
        )
        .await?;
        Ok(items
            .iter()
            .map(|x| {
                vec![
                    Value::Int(x.id),
                    Value::text(&x.person_name),
                    label(lang, x.direction.label()),
                    names.of(x.from_organization_id),
                    names.of(x.to_organization_id),
                    Value::text(&x.post),
                    Value::Date(x.start_on),
                    Value::Date(x.end_on),
                    label(lang, x.status.label()),
                    Value::opt_date(x.ended_on),
                    x.appraisal_grade.map_or(Value::Empty, |g| label(lang, g.label())),
                    x.flag.map_or(Value::Empty, |f| label(lang, f.label())),
                ]
            })
            .collect())
    }
}

impl Export for Events {
    const SHEET: (&'static str, &'static str) = ("会议活动", "Events");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("名称", "Title", 40.0),
        ("类型", "Kind", 14.0),
        ("日期", "Held on", 12.0),
        ("地点", "Place", 20.0),
        ("主办单位", "Organizer", 28.0),
        ("参加人数", "People", 10.0),
        ("参加单位数", "Organizations", 10.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Event]) -> Rows {
        let names = org_names(s, items.iter().filter_map(|e| e.organizer_id)).await?;
        Ok(items
            .iter()
            .map(|e| {
                vec![
                    Value::Int(e.id),
                    Value::text(&e.title),
                    label(lang, e.kind.label()),
                    Value::Date(e.held_on),
                    Value::opt_text(e.place.clone()),
                    names.opt(e.organizer_id),
                    Value::Int(e.person_ids.len() as i64),
                    Value::Int(e.organization_ids.len() as i64),
                ]
            })
            .collect())
    }
}

impl Export for Decisions {
    const SHEET: (&'static str, &'static str) = ("议定事项", "Decisions");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("事项", "Decision", 40.0),
        ("会议编号", "Event no.", 10.0),
        ("责任单位", "Owner", 28.0),
        ("办结期限", "Due", 12.0),
        ("状态", "Status", 10.0),
        ("办结日期", "Done on", 12.0),
        ("亮灯", "Flag", 8.0),
        ("进展", "Progress", 36.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Decision]) -> Rows {
        let names = org_names(s, items.iter().map(|d| d.owner_id)).await?;
        Ok(items
            .iter()
            .map(|d| {
                vec![
                    Value::Int(d.id),
                    Value::text(&d.title),
                    Value::Int(d.event_id),
                    names.of(d.owner_id),
                    Value::Date(d.due_on),
                    label(lang, d.status.label()),
                    Value::opt_date(d.done_on),
                    d.flag.map_or(Value::Empty, |f| label(lang, f.label())),
                    Value::opt_text(d.progress.clone()),
                ]
            })
            .collect())
    }
}

impl Export for Trainings {
    const SHEET: (&'static str, &'static str) = ("培训", "Trainings");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("培训名称", "Title", 36.0),
        ("类型", "Kind", 14.0),
        ("主办单位", "Organizer", 28.0),
        ("开始日期", "Starts", 12.0),
        ("结束日期", "Ends", 12.0),
        ("地点", "Place", 20.0),
        ("学时", "Hours", 8.0),
        ("区县", "County", 12.0),
        ("计划人数", "Planned", 10.0),
        ("报名人数", "Participants", 10.0),
        ("实到人数", "Attended", 10.0),
        ("评估得分", "Score", 10.0),
        ("状态", "Status", 10.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Training]) -> Rows {
        let names = org_names(s, items.iter().map(|t| t.organizer_id)).await?;
        Ok(items
            .iter()
            .map(|t| {
                vec![
                    Value::Int(t.id),
                    Value::text(&t.title),
                    label(lang, t.kind.label()),
                    names.of(t.organizer_id),
                    Value::Date(t.start_on),
                    Value::Date(t.end_on),
                    Value::opt_text(t.place.clone()),
                    t.hours.map_or(Value::Empty, Value::Number),
                    region(t.county_code.as_deref()),
                    Value::opt_int(t.planned_headcount),
                    Value::Int(t.participant_count),
                    Value::Int(t.attended_count),
                    t.evaluation_score.map_or(Value::Empty, Value::Number),
                    label(lang, t.status.label()),
                ]
            })
            .collect())
    }
}

impl Export for Results {
    const SHEET: (&'static str, &'static str) = ("科技成果", "Research results");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("成果名称", "Title", 40.0),
        ("类型", "Kind", 12.0),
        ("学科", "Discipline", 16.0),
        ("完成单位", "Owners", 28.0),
        ("成熟度", "Maturity", 12.0),
        ("知识产权号", "IP no.", 18.0),
        ("转化方式", "Transfer mode", 12.0),
        ("价格（万元）", "Price (×10k CNY)", 14.0),
        ("状态", "Status", 10.0),
        ("受让方", "Transferee", 28.0),
        ("转化日期", "Transferred", 12.0),
        ("转化金额（万元）", "Transfer (×10k CNY)", 16.0),
        ("在衢转化", "Transferred locally", 10.0),
        ("年度", "Year", 8.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[ResearchResult]) -> Rows {
        let names = org_names(
            s,
            items
                .iter()
                .flat_map(|r| r.owner_ids.iter().copied().chain(r.transferee_id)),
        )
        .await?;
        Ok(items
            .iter()
            .map(|r| {
                vec![
                    Value::Int(r.id),
                    Value::text(&r.title),
                    label(lang, r.kind.label()),
                    Value::opt_text(r.discipline.clone()),
                    names.all(&r.owner_ids),
                    label(lang, r.maturity.label()),
                    Value::opt_text(r.ip_number.clone()),
                    label(lang, r.transfer_mode.label()),
                    Value::opt_money(r.price_wan.map(|m| m.fen())),
                    label(lang, r.status.label()),
                    names.opt(r.transferee_id),
                    Value::opt_date(r.transferred_on),
                    Value::opt_money(r.transfer_amount_wan.map(|m| m.fen())),
                    Value::yes_no(r.transferred_locally),
                    year(r.year),
                ]
            })
            .collect())
    }
}

impl Export for People {
    const SHEET: (&'static str, &'static str) = ("人员", "People");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("姓名", "Name", 12.0),
        ("单位", "Organization", 28.0),
        ("职务职称", "Title", 16.0),
        ("电话", "Phone", 16.0),
        ("邮箱", "Email", 24.0),
        ("专家", "Expert", 8.0),
        ("学科", "Discipline", 16.0),
        ("研究方向", "Research fields", 30.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, _lang: Lang, items: &[Person]) -> Rows {
        let names = org_names(s, items.iter().map(|p| p.organization_id)).await?;
        Ok(items
            .iter()
            .map(|p| {
                let expert = p.expert.as_ref();
                vec![
                    Value::Int(p.id),
                    Value::text(&p.name),
                    names.of(p.organization_id),
                    Value::opt_text(p.title.clone()),
                    Value::opt_text(p.phone.clone()),
                    Value::opt_text(p.email.clone()),
                    Value::yes_no(Some(p.is_expert)),
                    Value::opt_text(expert.and_then(|e| e.discipline.clone())),
                    Value::opt_text(expert.and_then(|e| e.research_fields.clone())),
                ]
            })
            .collect())
    }
}

impl Export for Platforms {
    const SHEET: (&'static str, &'static str) = ("合作平台", "Platforms");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("平台名称", "Name", 40.0),
        ("类型", "Kind", 14.0),
        ("级别", "Level", 10.0),
        ("共建单位", "Hosts", 36.0),
        ("批准部门", "Approved by", 20.0),
        ("批准文号", "Approval document", 20.0),
        ("成立日期", "Established", 12.0),
        ("状态", "Status", 10.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Platform]) -> Rows {
        let names = org_names(s, items.iter().flat_map(|p| p.host_ids.iter().copied())).await?;
        Ok(items
            .iter()
            .map(|p| {
                vec![
                    Value::Int(p.id),
                    Value::text(&p.name),
                    label(lang, p.kind.label()),
                    label(lang, p.level.label()),
                    names.all(&p.host_ids),
                    Value::opt_text(p.approved_by.clone()),
                    Value::opt_text(p.approval_doc.clone()),
                    Value::opt_date(p.established_on),
                    label(lang, p.status.label()),
                ]
            })
            .collect())
    }
}

impl Export for Works {
    const SHEET: (&'static str, &'static str) = ("论文专利", "Papers and patents");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("题名", "Title", 40.0),
        ("类别", "Kind", 8.0),
        ("专家", "Expert", 12.0),
        ("年份", "Year", 8.0),
        ("刊物/授权机构", "Venue", 24.0),
        ("关键词", "Keywords", 24.0),
    ];
    async fn rows(s: &Store, v: &Viewer, lang: Lang, items: &[ExpertWork]) -> Rows {
        let mut ids: Vec<i64> = items.iter().map(|w| w.person_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let names = Names(s.person_names(v, &ids).await?);
        Ok(items
            .iter()
            .map(|w| {
                vec![
                    Value::Int(w.id),
                    Value::text(&w.title),
                    label(lang, w.kind.label()),
                    names.of(w.person_id),
                    year(w.year),
                    Value::opt_text(w.venue.clone()),
                    Value::text(w.keywords.join("、")),
                ]
            })
            .collect())
    }
}

impl Export for ChiefExperts {
    const SHEET: (&'static str, &'static str) = ("首席专家", "Chief experts");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("专家", "Expert", 12.0),
        ("领域", "Field", 8.0),
        ("服务地", "Serves", 24.0),
        ("产业链", "Chain", 16.0),
        ("聘任文号", "Document no.", 20.0),
        ("聘任单位", "Appointed by", 24.0),
        ("聘期开始", "Term from", 12.0),
        ("聘期结束", "Term to", 12.0),
        ("状态", "Status", 14.0),
        ("工作职责", "Duties", 36.0),
    ];
    async fn rows(_s: &Store, _v: &Viewer, lang: Lang, items: &[ChiefExpert]) -> Rows {
        Ok(items
            .iter()
            .map(|c| {
                vec![
                    Value::text(&c.person_name),
                    label(lang, c.field.label()),
                    Value::opt_text(c.organization_name.clone()),
                    Value::opt_text(c.chain.clone()),
                    Value::text(&c.document_no),
                    Value::text(&c.appointed_by),
                    Value::Date(c.from_on),
                    Value::Date(c.to_on),
                    label(lang, c.status.label()),
                    Value::opt_text(c.duties.clone()),
                ]
            })
            .collect())
    }
}

impl Export for ServiceLogs {
    const SHEET: (&'static str, &'static str) = ("服务记录", "Service log");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("日期", "Date", 12.0),
        ("首席专家", "Chief expert", 12.0),
        ("类别", "Kind", 12.0),
        ("服务内容", "What was done", 36.0),
        ("地点", "Place", 20.0),
        ("时长（小时）", "Hours", 10.0),
        ("服务人数", "People", 10.0),
        ("需求编号", "Demand no.", 10.0),
        ("问题编号", "Problem no.", 10.0),
    ];
    async fn rows(s: &Store, v: &Viewer, lang: Lang, items: &[ServiceLog]) -> Rows {
        let chiefs = s
            .list_chief_experts(v, &ChiefExpertFilter::default(), &ListParams::batch(1, 100_000, None))
            .await?;
        let names = Names(chiefs.items.into_iter().map(|c| (c.id, c.person_name)).collect());
        Ok(items
            .iter()
            .map(|e| {
                vec![
                    Value::Int(e.id),
                    Value::Date(e.served_on),
                    names.of(e.chief_expert_id),
                    label(lang, e.kind.label()),
                    Value::text(&e.title),
                    Value::opt_text(e.place.clone()),
                    Value::opt_int(e.hours),
                    Value::opt_int(e.people_served),
                    Value::opt_int(e.demand_id),
                    Value::opt_int(e.problem_id),
                ]
            })
            .collect())
    }
}

impl Export for Groups {
    const SHEET: (&'static str, &'static str) = ("协调机构", "Coordination bodies");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("名称", "Name", 30.0),
        ("类型", "Kind", 14.0),
        ("上级机构", "Under", 30.0),
        ("合作协议编号", "Agreement no.", 12.0),
        ("成立日期", "Established", 12.0),
        ("职责", "Remit", 40.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Group]) -> Rows {
        // Bodies are read by all: the one above is named whoever exports.
        let names = Names(s.group_options(&Viewer::system("sheet")).await?.into_iter().collect());
        Ok(items
            .iter()
            .map(|g| {
                vec![
                    Value::Int(g.id),
                    Value::text(&g.name),
                    label(lang, g.kind.label()),
                    names.opt(g.parent_id),
                    Value::opt_int(g.agreement_id),
                    Value::opt_date(g.established_on),
                    Value::opt_text(g.remit.clone()),
                ]
            })
            .collect())
    }
}

impl Export for Outcomes {
    const SHEET: (&'static str, &'static str) = ("成果台账", "Outcomes");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("类别", "Kind", 12.0),
        ("成果名称", "Title", 40.0),
        ("日期", "Date", 12.0),
        ("登记单位", "Organization", 28.0),
        ("金额（万元）", "Amount (×10k CNY)", 14.0),
        ("已到账（万元）", "Received (×10k CNY)", 14.0),
        ("人数", "People", 8.0),
        ("状态", "Status", 10.0),
        ("承接企业", "Enterprise", 28.0),
        ("在衢转化", "In the city", 10.0),
        ("项目编号", "Project no.", 10.0),
        ("需求编号", "Demand no.", 10.0),
        ("专利号", "Patent no.", 18.0),
        ("登记号", "Registration no.", 18.0),
        ("计划/授予单位", "Programme / issuer", 24.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Outcome]) -> Rows {
        let names = org_names(
            s,
            items
                .iter()
                .flat_map(|o| std::iter::once(o.organization_id).chain(o.enterprise_id)),
        )
        .await?;
        Ok(items
            .iter()
            .map(|o| {
                vec![
                    Value::Int(o.id),
                    label(lang, o.kind.label()),
                    Value::text(&o.title),
                    Value::Date(o.occurred_on),
                    names.of(o.organization_id),
                    Value::opt_money(o.amount_fen),
                    Value::opt_money(o.received_fen),
                    Value::opt_int(o.quantity),
                    label(lang, o.status.label()),
                    names.opt(o.enterprise_id),
                    Value::yes_no(o.in_city),
                    Value::opt_int(o.project_id),
                    Value::opt_int(o.demand_id),
                    Value::opt_text(o.patent_no.clone()),
                    Value::opt_text(o.registration_no.clone()),
                    Value::opt_text(o.programme.clone().or(o.issuer.clone())),
                ]
            })
            .collect())
    }
}

impl Export for crate::notices::Notices {
    const SHEET: (&'static str, &'static str) = ("通知公告", "Notices");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("标题", "Title", 44.0),
        ("类别", "Kind", 10.0),
        ("状态", "Status", 10.0),
        ("发布时间", "Published", 18.0),
    ];
    async fn rows(_s: &Store, _v: &Viewer, lang: Lang, items: &[hezuo_domain::notice::Notice]) -> Rows {
        Ok(items
            .iter()
            .map(|n| {
                vec![
                    Value::Int(n.id),
                    Value::text(&n.title),
                    label(lang, n.kind.label()),
                    label(lang, n.status.label()),
                    Value::opt_text(n.published_at.map(crate::views::local_time)),
                ]
            })
            .collect())
    }
}
