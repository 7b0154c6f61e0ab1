//! The audit log (操作留痕), read-only: `/audit` and `/api/v1/audit` filtered by record, user, action
//! and date, and each record's own history on its page. Nothing here writes it.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, ListPage, Table, chosen, local_time};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use hezuo_domain::{ListParams, Msg, Page, RecordKind};
use hezuo_store::audit_log::{AuditEntry, AuditFilter};
use std::collections::{BTreeSet, HashMap};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/audit", get(api_list))
        .at("/audit", get(page_list))
}

fn action_label(lang: Lang, a: &str) -> String {
    let (zh, en) = match a {
        "create" => ("新建", "created"),
        "update" => ("修改", "updated"),
        "status" => ("状态变更", "status changed"),
        "archive" => ("归档", "archived"),
        "restore" => ("恢复", "restored"),
        "comment" => ("评论", "commented"),
        other => (other, other),
    };
    lang.tr_owned((zh, en))
}

/// What a field's value points to, for naming it.
enum Ref {
    Org,
    Person,
    Record(RecordKind),
}

/// The record a field of a `kind` record refers to by id, if any.
fn reference(kind: RecordKind, key: &str) -> Option<Ref> {
    use RecordKind as K;
    Some(match key {
        "lead_unit_id" | "co_unit_ids" | "party_ids" | "organizer_id" | "enterprise_id" | "organization_id"
        | "transferee_id" | "owner_id" | "host_ids" | "organization_ids" => Ref::Org,
        "parent_id" if kind == K::Organization => Ref::Org,
        "responsible_person_id" | "person_id" | "owner_ids" | "person_ids" => Ref::Person,
        "parent_id" => Ref::Record(kind),
        "agreement_id" => Ref::Record(K::Agreement),
        "batch_id" => Ref::Record(K::Batch),
        "project_id" => Ref::Record(K::Project),
        "demand_id" | "merged_into_id" => Ref::Record(K::Demand),
        "campaign_id" => Ref::Record(K::Campaign),
        "result_id" => Ref::Record(K::ResearchResult),
        "milestone_ids" => Ref::Record(K::Milestone),
        "event_id" => Ref::Record(K::Event),
        "problem_id" => Ref::Record(K::Problem),
        "group_id" => Ref::Record(K::Group),
        _ => return None,
    })
}

/// A code's label (a status, a kind…) for the field `key` of a `kind` record.
fn code_label(kind: RecordKind, key: &str, v: &str) -> Option<Msg> {
    use RecordKind as K;
    use hezuo_domain::{agreement as a, demand as d, organization as o, project as p, research_result as r};
    match (kind, key) {
        (K::Project, "kind") => p::ProjectKind::parse(v).map(|x| x.label()),
        (K::Project, "status") => p::ProjectStatus::parse(v).map(|x| x.label()),
        (K::Project, "origin") => p::ProjectOrigin::parse(v).map(|x| x.label()),
        (K::Organization, "kind") => o::OrgKind::parse(v).map(|x| x.label()),
        (K::Agreement, "kind") => a::AgreementKind::parse(v).map(|x| x.label()),
        (K::Agreement, "status") => a::AgreementStatus::parse(v).map(|x| x.label()),
        (K::Demand, "status") => d::DemandStatus::parse(v).map(|x| x.label()),
        (K::Demand, "mode") => d::CooperationMode::parse(v).map(|x| x.label()),
        (K::Demand, "source") => d::DemandSource::parse(v).map(|x| x.label()),
        (K::ResearchResult, "kind") => r::ResultKind::parse(v).map(|x| x.label()),
        (K::ResearchResult, "maturity") => r::Maturity::parse(v).map(|x| x.label()),
        (K::ResearchResult, "transfer_mode") => r::TransferMode::parse(v).map(|x| x.label()),
        (K::ResearchResult, "status") => r::ResultStatus::parse(v).map(|x| x.label()),
        (K::ExpertWork, "kind") => hezuo_domain::expert_work::WorkKind::parse(v).map(|x| x.label()),
        (K::Match, "status") => hezuo_domain::matching::MatchStatus::parse(v).map(|x| x.label()),
        (K::Match, "target") => hezuo_domain::matching::MatchTarget::parse(v).map(|x| x.label()),
        (K::Problem, "status") => hezuo_domain::problem::ProblemStatus::parse(v).map(|x| x.label()),
        (K::Batch, "status") => hezuo_domain::supervision::BatchStatus::parse(v).map(|x| x.label()),
        (K::Batch, "cadence") => hezuo_domain::supervision::Cadence::parse(v).map(|x| x.label()),
        (K::Bulletin, "status") => hezuo_domain::bulletin::BulletinStatus::parse(v).map(|x| x.label()),
        (K::User, "role") => hezuo_domain::access::Role::parse(v).map(|x| x.label()),
        (K::Person, "availability") => hezuo_domain::person::Availability::parse(v).map(|x| x.label()),
        (K::Outcome, _) => outcome_code(key, v),
        (K::Event, "kind") => hezuo_domain::event::EventKind::parse(v).map(|x| x.label()),
        (K::Decision, "status") => hezuo_domain::event::DecisionStatus::parse(v).map(|x| x.label()),
        _ => None,
    }
}

/// A code of an outcome's field (its kind, status, contract kind…).
fn outcome_code(key: &str, v: &str) -> Option<Msg> {
    use hezuo_domain::outcome as x;
    match key {
        "kind" => x::OutcomeKind::parse(v).map(|c| c.label()),
        "status" => x::OutcomeStatus::parse(v).map(|c| c.label()),
        "contract_kind" => x::ContractKind::parse(v).map(|c| c.label()),
        "grantor_level" => x::GrantorLevel::parse(v).map(|c| c.label()),
        "patent_status" => x::PatentStatus::parse(v).map(|c| c.label()),
        "transfer_mode" => hezuo_domain::research_result::TransferMode::parse(v).map(|c| c.label()),
        _ => None,
    }
}

/// The name of a record's field as its form and page call it.
fn field_label(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "occurred_on" => ("发生日期", "Date"),
        "amount_fen" => ("金额（分）", "Amount (fen)"),
        "received_fen" => ("已到账（分）", "Received (fen)"),
        "quantity" => ("人数", "People"),
        "programme" => ("项目计划", "Programme"),
        "grantor_level" => ("下达级别", "Grantor level"),
        "contract_kind" => ("合同类别", "Contract kind"),
        "registration_no" => ("合同登记号", "Registration number"),
        "market_registered" => ("技术市场登记", "Registered in the technology market"),
        "patent_no" => ("专利申请号", "Patent number"),
        "patent_status" => ("专利状态", "Patent status"),
        "in_city" => ("在衢转化", "Used in the city"),
        "issuer" => ("授予/发布/采纳单位", "Given, issued or adopted by"),
        "match_id" => ("匹配", "Match"),
        "platform_id" => ("平台", "Platform"),
        "report_id" => ("进度填报", "Progress report"),
        "person_ids" => ("相关人员", "People"),
        "confirmed_by" => ("确认人", "Confirmed by"),
        "confirmed_on" => ("确认日期", "Confirmed on"),
        "note" => ("备注", "Note"),
        "held_on" => ("日期", "Date"),
        "place" => ("地点", "Place"),
        "agenda" => ("议程", "Agenda"),
        "minutes" => ("会议纪要", "Minutes"),
        "group_id" => ("协调机构", "Coordination body"),
        "organization_ids" => ("出席单位", "Organisations present"),
        "event_id" => ("会议", "Meeting"),
        "progress" => ("落实情况", "Progress"),
        "problem_id" => ("问题协调", "Problem"),
        "title" => ("名称", "Title"),
        "name" => ("名称", "Name"),
        "short_name" => ("简称", "Short name"),
        "kind" => ("类型", "Kind"),
        "status" => ("状态", "Status"),
        "archived" => ("归档", "Archived"),
        "batch_year" => ("批次年度", "Batch year"),
        "batch_id" => ("年度项目清单", "Batch"),
        "lead_unit_id" => ("牵头单位", "Lead unit"),
        "co_unit_ids" => ("配合单位", "Co-units"),
        "responsible_person_id" => ("责任人", "Responsible person"),
        "origin" => ("来源", "Origin"),
        "origin_note" => ("来源说明", "About its origin"),
        "agreement_id" => ("合作协议", "Agreement"),
        "contract_amount_wan" => ("合同金额（万元）", "Contract amount (×10k CNY)"),
        "funding_won_wan" => ("争取经费（万元）", "Funding won (×10k CNY)"),
        "budget_min_wan" => ("预算下限（万元）", "Budget from (×10k CNY)"),
        "budget_max_wan" => ("预算上限（万元）", "Budget up to (×10k CNY)"),
        "price_wan" => ("价格（万元）", "Price (×10k CNY)"),
        "transfer_amount_wan" => ("转化金额（万元）", "Transfer amount (×10k CNY)"),
        "start_on" | "starts_on" => ("开始日期", "Starts"),
        "end_on" | "ends_on" => ("结束日期", "Ends"),
        "summary" => ("内容摘要", "Summary"),
        "description" => ("说明", "Description"),
        "details" => ("详细情况", "Details"),
        "parent_id" => ("上级", "Parent"),
        "party_ids" => ("参与方", "Parties"),
        "signed_on" => ("签订日期", "Signed on"),
        // Platforms (共建平台) and their evaluations.
        "host_ids" => ("依托单位", "Hosts"),
        "level" => ("级别", "Level"),
        "approved_by" => ("认定部门", "Approved by"),
        "approval_doc" => ("认定文号", "Approval document"),
        "established_on" => ("成立日期", "Established on"),
        "people" => ("驻站人员", "People stationed"),
        "grade" => ("考核等次", "Grade"),
        "evaluated_by" => ("考核单位", "Evaluated by"),
        "evaluated_on" => ("考核日期", "Evaluated on"),
        "term_end" => ("有效期至", "Term ends"),
        "region_code" => ("行政区划", "Region"),
        "credit_code" => ("统一社会信用代码", "Credit code"),
        "industry_code" | "industry" => ("行业", "Industry"),
        "address" => ("地址", "Address"),
        "phone" => ("电话", "Phone"),
        "email" => ("电子邮箱", "Email"),
        "organization_id" => ("单位", "Organisation"),
        "is_expert" => ("专家", "Expert"),
        "expert" => ("专家信息", "Expert profile"),
        "availability" => ("可约程度", "Availability"),
        "organizer_id" => ("组织单位", "Organiser"),
        "target_regions" => ("面向地区", "Regions"),
        "target_industries" => ("面向行业", "Industries"),
        "quota_per_county" => ("每县名额", "Quota per county"),
        "enterprise_id" => ("企业", "Enterprise"),
        "campaign_id" => ("征集活动", "Campaign"),
        "field" => ("技术领域", "Technical field"),
        "mode" => ("合作方式", "Cooperation mode"),
        "source" => ("来源", "Source"),
        "deadline" => ("截止日期", "Deadline"),
        "green_channel" => ("绿色通道", "Green channel"),
        "collected_by" => ("征集人", "Collected by"),
        "collected_on" => ("征集日期", "Collected on"),
        "submitted_on" => ("提交日期", "Submitted on"),
        "screened_on" => ("初筛日期", "Screened on"),
        "reason" => ("原因", "Reason"),
        "reasons" => ("推荐理由", "Reasons"),
        "merged_into_id" => ("并入需求", "Merged into"),
        "project_id" => ("合作项目", "Project"),
        "demand_id" => ("技术需求", "Demand"),
        "person_id" => ("人员", "Person"),
        "result_id" => ("科技成果", "Result"),
        "target" => ("对象", "Target"),
        "score" => ("得分", "Score"),
        "owner_id" => ("负责单位", "Owner"),
        "owner_ids" => ("完成人", "Owners"),
        "decision" => ("处理结果", "Decision"),
        "due_on" => ("计划完成", "Due"),
        "done_on" => ("完成日期", "Done on"),
        "deliverable" => ("预期成果", "Deliverable"),
        "evidence" => ("完成佐证", "Evidence"),
        "cadence" => ("报送周期", "Reporting cadence"),
        "report_due_day" => ("报送日", "Report due day"),
        "year" => ("年度", "Year"),
        "approved_at" => ("批准时间", "Approved at"),
        "number" => ("期号", "Number"),
        "period" => ("期间", "Period"),
        "intro" => ("导语", "Introduction"),
        "closing" => ("结语", "Closing"),
        "issued_at" => ("印发时间", "Issued at"),
        "issued_by" => ("印发人", "Issued by"),
        "content_hash" => ("内容摘要值", "Content hash"),
        "percent" => ("完成比例", "Percent done"),
        "done_text" => ("本期进展", "Progress this period"),
        "problems_text" => ("存在问题", "Problems"),
        "next_steps" => ("下步计划", "Next steps"),
        "milestone_ids" => ("涉及节点", "Milestones"),
        "late" => ("逾期报送", "Filed late"),
        "filed_at" => ("报送时间", "Filed at"),
        "filed_by" => ("报送人", "Filed by"),
        "accepted_at" => ("审核时间", "Accepted at"),
        "accepted_by" => ("审核人", "Accepted by"),
        "version" => ("版本", "Version"),
        "keywords" => ("关键词", "Keywords"),
        "discipline" => ("学科", "Discipline"),
        "maturity" => ("成熟度", "Maturity"),
        "transfer_mode" => ("转化方式", "Transfer mode"),
        "transferee_id" => ("受让单位", "Transferee"),
        "transferred_locally" => ("本地转化", "Transferred locally"),
        "transferred_on" => ("转化日期", "Transferred on"),
        "ip_number" => ("知识产权号", "IP number"),
        "venue" => ("发表刊物", "Venue"),
        "filename" => ("文件名", "File name"),
        "content_type" => ("文件类型", "File type"),
        "size_bytes" => ("大小", "Size"),
        "sha256" => ("SHA-256", "SHA-256"),
        "username" => ("用户名", "Username"),
        "role" => ("角色", "Role"),
        "password" => ("密码", "Password"),
        _ => return None,
    })
}

/// The names the entries' ids stand for: organisations, and the people `cx`'s user may see.
pub struct Names {
    orgs: HashMap<i64, String>,
    people: HashMap<i64, String>,
}

impl Names {
    pub async fn of(cx: &Ctx, items: &[AuditEntry]) -> Result<Names, ApiError> {
        let (mut orgs, mut people) = (BTreeSet::new(), BTreeSet::new());
        for e in items {
            let kind = RecordKind::parse(&e.record_kind);
            let changes: serde_json::Value = serde_json::from_str(&e.changes).unwrap_or_default();
            for (k, pair) in changes.as_object().into_iter().flatten() {
                let ids = pair.as_array().into_iter().flatten().flat_map(ids_in);
                match kind.and_then(|kind| reference(kind, k)) {
                    Some(Ref::Org) => orgs.extend(ids),
                    Some(Ref::Person) => people.extend(ids),
                    _ => {}
                }
            }
        }
        let (orgs, people): (Vec<i64>, Vec<i64>) = (orgs.into_iter().collect(), people.into_iter().collect());
        Ok(Names {
            orgs: cx.store().organization_names(&orgs).await?,
            people: cx.store().person_names(cx.viewer(), &people).await?,
        })
    }
}

/// The ids a value holds: one, or a list.
fn ids_in(v: &serde_json::Value) -> Vec<i64> {
    match v {
        serde_json::Value::Array(a) => a.iter().flat_map(ids_in).collect(),
        serde_json::Value::Number(n) => n.as_i64().into_iter().collect(),
        serde_json::Value::String(s) => s.trim().parse().ok().into_iter().collect(),
        _ => Vec::new(),
    }
}

/// One value of a change as people read it: names for ids, labels for codes, yes or no.
fn show_value(lang: Lang, names: &Names, kind: Option<RecordKind>, key: &str, v: &serde_json::Value) -> String {
    use serde_json::Value as V;
    let reference = kind.and_then(|k| reference(k, key));
    match v {
        V::Null => lang.t().none.to_string(),
        V::Bool(true) => lang.t().yes.to_string(),
        V::Bool(false) => lang.tr("否", "No").to_string(),
        V::String(s) if s.is_empty() => lang.t().none.to_string(),
        V::String(s) if s == CONFIDENTIAL => lang.tr(CONFIDENTIAL, "(confidential, not shown)").to_string(),
        V::Array(a) if a.is_empty() => lang.t().none.to_string(),
        V::Array(a) => a
            .iter()
            .map(|x| show_value(lang, names, kind, key, x))
            .collect::<Vec<_>>()
            .join("、"),
        V::Number(_) | V::String(_) if reference.is_some() => {
            let id = ids_in(v).first().copied();
            let found = match (&reference, id) {
                (Some(Ref::Org), Some(id)) => names.orgs.get(&id).cloned(),
                (Some(Ref::Person), Some(id)) => names.people.get(&id).cloned(),
                (Some(Ref::Record(k)), Some(id)) => Some(format!("{} #{id}", lang.pick(&k.label()))),
                _ => None,
            };
            found.unwrap_or_else(|| format!("#{}", raw_value(v)))
        }
        V::String(s) => kind
            .and_then(|k| code_label(k, key, s))
            .map(|m| lang.pick(&m).to_string())
            .unwrap_or_else(|| s.clone()),
        other => other.to_string(),
    }
}

/// What the store shows instead of a confidential value (a demand's details) to those who may
/// not read it.
const CONFIDENTIAL: &str = "（机密，不予显示）";

fn raw_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A table of audit entries; `with_record` adds a column linking to the record. Each change reads
/// as its field's label with names and labels for ids and codes; the stored keys and values stay
/// one click away.
pub fn audit_table(lang: Lang, names: &Names, items: &[AuditEntry], with_record: bool) -> Table {
    let mut headers = vec![
        ("时间", "When"),
        ("操作人", "Who"),
        ("来源地址", "From"),
        ("操作", "Action"),
    ];
    if with_record {
        headers.push(("记录", "Record"));
    }
    headers.push(("变更内容", "Changes"));
    let mut t = Table::new(lang, &headers);
    t.empty = lang.tr("暂无操作记录。", "No changes recorded.").into();
    for e in items {
        let kind = RecordKind::parse(&e.record_kind);
        let parsed: serde_json::Value = serde_json::from_str(&e.changes).unwrap_or_default();
        let changes: Vec<String> = parsed
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, pair)| {
                let label = field_label(k).map(|l| lang.tr_owned(l)).unwrap_or_else(|| k.clone());
                let (b, a) = (&pair[0], &pair[1]);
                let after = show_value(lang, names, kind, k, a);
                let colon = lang.tr("：", ": ");
                if b.is_null() {
                    format!("{label}{colon}{after}")
                } else {
                    format!("{label}{colon}{} → {after}", show_value(lang, names, kind, k, b))
                }
            })
            .collect();
        let raw: Vec<String> = e
            .fields()
            .into_iter()
            .map(|(k, b, a)| {
                if b.is_empty() {
                    format!("{k}: {a}")
                } else {
                    format!("{k}: {b} → {a}")
                }
            })
            .collect();
        let mut row = vec![
            Cell::text(local_time(e.created_at)),
            Cell::text(&e.username),
            Cell::opt(e.ip.clone(), lang),
            Cell::badge(action_label(lang, &e.action), format!("act-{}", e.action)),
        ];
        if with_record {
            let label = kind
                .map(|k| lang.pick(&k.label()).to_string())
                .unwrap_or_else(|| e.record_kind.clone());
            let text = format!("{label} #{}", e.record_id);
            row.push(match kind {
                Some(k)
                    if RecordKind::ATTACHABLE.contains(&k)
                        && !matches!(k, RecordKind::Milestone | RecordKind::PlatformEvaluation) =>
                {
                    Cell::link(text, format!("/{}/{}", k.plural(), e.record_id))
                }
                _ => Cell::text(text),
            });
        }
        let mut cell = Cell::text(changes.join(lang.tr("；", "; ")));
        if !raw.is_empty() {
            let raw = raw
                .join("; ")
                .replace(CONFIDENTIAL, lang.tr(CONFIDENTIAL, "(confidential, not shown)"));
            cell.more = Some((lang.tr("原始记录", "Raw changes").to_string(), raw));
        }
        row.push(cell);
        t.rows.push(row);
    }
    t
}

/// The last changes of one record, for its page.
pub async fn history(cx: &Ctx, kind: RecordKind, id: i64) -> Result<Table, ApiError> {
    let f = AuditFilter {
        record_kind: Some(kind.as_str().into()),
        record_id: Some(id.to_string()),
        ..Default::default()
    };
    let p = ListParams::first(50);
    let page = cx.store().list_audit(cx.viewer(), &f, &p).await?;
    let names = Names::of(cx, &page.items).await?;
    Ok(audit_table(cx.lang, &names, &page.items, false))
}

async fn api_list(
    State(s): State<AppState>,
    who: Auth,
    Query(f): Query<AuditFilter>,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    Ok(Json(s.store.list_audit(&who.viewer, &f, &p).await?))
}

async fn page_list(cx: Ctx, Query(f): Query<AuditFilter>, Query(p): Query<ListParams>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let page = cx.store().list_audit(cx.viewer(), &f, &p).await?;
    let names = Names::of(&cx, &page.items).await?;
    let table = audit_table(lang, &names, &page.items, true);
    let kinds: Vec<(String, String)> = RecordKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), lang.pick(&k.label()).to_string()))
        .collect();
    let actions: Vec<(String, String)> = ["create", "update", "status", "archive", "restore"]
        .iter()
        .map(|a| (a.to_string(), action_label(lang, a)))
        .collect();
    let filters = vec![
        Field::new(lang, "record_kind", ("记录类型", "Record kind"), "select").options(
            lang,
            kinds,
            &chosen(&f.record_kind),
        ),
        Field::new(lang, "record_id", ("记录编号", "Record id"), "text").value(f.record_id.as_deref()),
        Field::new(lang, "user_id", ("用户编号", "User id"), "text").value(f.user_id.as_deref()),
        Field::new(lang, "action", ("操作", "Action"), "select").options(lang, actions, &chosen(&f.action)),
        Field::new(lang, "from", ("起始日期", "From"), "date").value(f.from.as_deref()),
        Field::new(lang, "to", ("截止日期", "To"), "date").value(f.to.as_deref()),
    ];
    let heading = lang.tr("操作留痕", "Audit log").to_string();
    let view = ListPage::new(
        cx.layout("audit", heading.clone()),
        &cx.uri,
        heading,
        filters,
        table,
        &page,
    );
    Ok(views::render(&view))
}
