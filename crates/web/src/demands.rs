//! Demands (技术需求 / 技术难题): intake (posted by an enterprise, collected on a visit, imported from
//! a spreadsheet), the staged review (screen → assess → accepted, or returned with a reason), the
//! way on to matching and projects, the green channel's timer, and near-duplicates shown to the
//! reviewer with their similarity, who may merge them. API and pages.

use crate::auth::Auth;
use crate::error::{Api, ApiError, Page as PageErr};
use crate::i18n::Lang;
use crate::organizations::archived_filter;
use crate::resource::{Pages, archive_action, parse_form, parse_json, path_id, related, resource, routes};
use crate::views::{
    self, Cell, DetailPage, Field, FormPage, Layout, ListPage, PostAction, Section, Table, code_options,
};
use crate::{AppState, RouteExt};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hezuo_domain::demand::{
    CooperationMode, Demand, DemandData, DemandFilter, DemandInput, DemandSource, DemandStatus, DemandStep,
    ReviewDecision, ReviewInput, ReviewStage, ServiceLevel,
};
use hezuo_domain::error::RowError;
use hezuo_domain::{FieldErrors, ListParams, Msg, Page, RecordKind, codes, input};
use hezuo_store::demands::ImportError;
use serde::{Deserialize, Serialize};

resource!(
    Demands,
    "demands",
    RecordKind::Demand,
    Demand,
    DemandInput,
    DemandData,
    DemandFilter,
    list_demands,
    get_demand,
    create_demand,
    update_demand,
    set_demand_archived
);

pub fn router() -> Router<AppState> {
    routes::<Demands>().merge(
        Router::new()
            .at("/api/v1/demands/import", post(api_import))
            .at("/demands/import", get(page_import_form).post(page_import))
            .at("/demands/import/template", get(import_template))
            .at("/api/v1/demands/{id}/submit", post(api_submit))
            .at("/api/v1/demands/{id}/review", post(api_review))
            .at("/api/v1/demands/{id}/step", post(api_step))
            .at("/api/v1/demands/{id}/merge", post(api_merge))
            .at("/api/v1/demands/{id}/reviews", get(api_reviews))
            .at("/api/v1/demands/{id}/duplicates", get(api_duplicates))
            .at("/demands/{id}/submit", post(page_submit))
            .at("/demands/{id}/step", post(page_step))
            .at("/demands/{id}/review", get(page_review_form).post(page_review))
            .at("/demands/{id}/close", get(page_close_form).post(page_close))
            .at("/demands/{id}/project", get(page_project_form).post(page_project))
            .at("/demands/{id}/merge", get(page_merge_form).post(page_merge)),
    )
}

/// The review stage a demand is waiting for.
fn stage_of(d: &Demand) -> Option<ReviewStage> {
    match d.status {
        DemandStatus::Submitted => Some(ReviewStage::Screen),
        DemandStatus::Assessing => Some(ReviewStage::Assess),
        _ => None,
    }
}

fn sla_badge(lang: Lang, d: &Demand, sla: Option<ServiceLevel>) -> Option<Cell> {
    let s = sla?;
    Some(if s.breached {
        Cell::badge(
            format!("{} {}", lang.tr("绿色通道超时", "Green channel overdue"), s.due_on),
            "f-red",
        )
    } else if d.screened_on.is_some() {
        Cell::badge(lang.tr("绿色通道", "Green channel"), "f-green")
    } else {
        Cell::badge(
            format!(
                "{} {}",
                lang.tr("绿色通道·初筛期限", "Green channel · screen by"),
                s.due_on
            ),
            "f-yellow",
        )
    })
}

fn status_badge(lang: Lang, d: &Demand) -> Cell {
    Cell::badge(lang.pick(&d.status.label()), format!("d-{}", d.status.as_str()))
}

/// One near-duplicate as the reviewer sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    pub id: i64,
    pub title: String,
    pub enterprise_id: i64,
    pub status: DemandStatus,
    pub same_enterprise: bool,
    /// Cosine similarity of the segmented texts, 0–1.
    pub similarity: f32,
}

/// Near-duplicates of a demand: the same enterprise's from a lower threshold, others' above a higher
/// one, most similar first.
pub async fn duplicates(s: &AppState, who: &Auth, id: i64) -> Result<Vec<Duplicate>, ApiError> {
    let me = s.store.get_demand(&who.viewer, id).await?;
    let text = |d: &Demand| format!("{}\n{}", d.title, d.summary);
    let mine = text(&me);
    let candidates = s.store.duplicate_candidates(&who.viewer, id, 2000).await?;
    let scored = tokio::task::spawn_blocking(move || {
        let mut out: Vec<Duplicate> = candidates
            .into_iter()
            .filter_map(|c| {
                let sim = hezuo_search::similarity(&mine, &text(&c.demand));
                let floor = if c.same_enterprise { 0.3 } else { 0.45 };
                (sim >= floor).then(|| Duplicate {
                    id: c.demand.id,
                    title: c.demand.title.clone(),
                    enterprise_id: c.demand.enterprise_id,
                    status: c.demand.status,
                    same_enterprise: c.same_enterprise,
                    similarity: (sim * 1000.0).round() / 1000.0,
                })
            })
            .collect();
        out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        out.truncate(10);
        out
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(scored)
}

pub async fn demand_table(s: &AppState, lang: Lang, items: &[Demand]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|d| d.enterprise_id).collect();
    let names = s.store.organization_names(&ids).await?;
    let today = s.store.today();
    let mut t = Table::new(
        lang,
        &[
            ("需求名称", "Demand"),
            ("企业", "Enterprise"),
            ("行业", "Industry"),
            ("合作方式", "Mode"),
            ("状态", "Status"),
            ("绿色通道", "Green channel"),
        ],
    );
    t.empty = lang.tr("还没有技术需求。", "No demands yet.").into();
    for d in items {
        t.rows.push(vec![
            Cell::link(&d.title, format!("/demands/{}", d.id)),
            Cell::text(names.get(&d.enterprise_id).cloned().unwrap_or_default()),
            Cell::opt(d.industry.as_deref().and_then(codes::industry_name), lang),
            Cell::text(lang.pick(&d.mode.label())),
            status_badge(lang, d),
            sla_badge(lang, d, d.service_level(today)).unwrap_or_else(|| Cell::text("")),
        ]);
    }
    Ok(t)
}

impl Pages for Demands {
    const NAV: &'static str = "demands";

    fn heading(lang: Lang) -> String {
        lang.tr("技术需求", "Demands").into()
    }
    fn title(r: &Demand) -> String {
        r.title.clone()
    }

    async fn list_page(
        s: &AppState,
        who: &Auth,
        lang: Lang,
        uri: &Uri,
        f: &DemandFilter,
        page: Page<Demand>,
    ) -> Result<ListPage, ApiError> {
        let table = demand_table(s, lang, &page.items).await?;
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        let campaigns = s
            .store
            .list_campaigns(
                &who.viewer,
                &Default::default(),
                &ListParams {
                    per_page: Some("200".into()),
                    ..Default::default()
                },
            )
            .await?
            .items
            .into_iter()
            .map(|c| (c.id.to_string(), c.title))
            .collect();
        let green = vec![(
            "true".to_string(),
            lang.tr("仅绿色通道", "Green channel only").to_string(),
        )];
        let filters = vec![
            Field::new(lang, "q", ("需求", "Demand"), "text").value(f.q.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, DemandStatus::ALL, DemandStatus::label, DemandStatus::as_str),
                &one(&f.status),
            ),
            Field::new(lang, "campaign_id", ("征集活动", "Campaign"), "select").options(
                lang,
                campaigns,
                &one(&f.campaign_id),
            ),
            Field::new(lang, "green_channel", ("通道", "Channel"), "select").options(
                lang,
                green,
                &one(&f.green_channel),
            ),
            archived_filter(lang, &f.archived),
        ];
        let heading = Self::heading(lang);
        let mut view = ListPage::new(
            Layout::new(who, lang, uri, Self::NAV, heading.clone()),
            uri,
            heading,
            filters,
            table,
            &page,
        );
        if who
            .viewer
            .role
            .may(RecordKind::Demand, hezuo_domain::access::Action::Create)
        {
            view.links
                .push((lang.tr("批量导入", "Import").into(), "/demands/import".into()));
        }
        view.links
            .push((lang.tr("征集活动", "Campaigns").into(), "/campaigns".into()));
        view.table.empty = lang
            .tr(
                "没有符合条件的技术需求。企业可“新建”发布需求，联络员可批量导入。",
                "No demands match. Enterprises post them with “New”; coordinators may import a spreadsheet.",
            )
            .into();
        Ok(view)
    }

    async fn detail_page(s: &AppState, who: &Auth, lang: Lang, uri: &Uri, d: Demand) -> Result<DetailPage, ApiError> {
        let names = s.store.organization_names(&[d.enterprise_id]).await?;
        let enterprise = names.get(&d.enterprise_id).cloned().unwrap_or_default();
        let campaign = match d.campaign_id {
            Some(c) => related(s.store.get_campaign(&who.viewer, c).await)?,
            None => None,
        };
        let today = s.store.today();
        let role = who.viewer.role;
        let reviewer = role.may_review_demands();
        let may_edit = role.may(RecordKind::Demand, hezuo_domain::access::Action::Update);
        let money = |m: Option<hezuo_domain::Money>| m.map(|x| x.wan());
        let budget = match (money(d.budget_min_wan), money(d.budget_max_wan)) {
            (None, None) => None,
            (a, b) => Some(format!(
                "{} – {} {}",
                a.unwrap_or_default(),
                b.unwrap_or_default(),
                lang.tr("万元", "×10k yuan")
            )),
        };
        let mut props = vec![
            (
                lang.tr("企业", "Enterprise").to_string(),
                Cell::link(enterprise, format!("/organizations/{}", d.enterprise_id)),
            ),
            (
                lang.tr("征集活动", "Campaign").into(),
                match campaign {
                    Some(c) => Cell::link(c.title, format!("/campaigns/{}", c.id)),
                    None => Cell::opt(None::<String>, lang),
                },
            ),
            (
                lang.tr("行业", "Industry").into(),
                Cell::opt(
                    d.industry
                        .as_deref()
                        .map(|c| format!("{c} {}", codes::industry_name(c).unwrap_or(""))),
                    lang,
                ),
            ),
            (lang.tr("技术领域", "Field").into(), Cell::opt(d.field.clone(), lang)),
            (
                lang.tr("合作方式", "Mode").into(),
                Cell::text(lang.pick(&d.mode.label())),
            ),
            (lang.tr("预算", "Budget").into(), Cell::opt(budget, lang)),
            (
                lang.tr("截止日期", "Deadline").into(),
                Cell::opt(d.deadline.map(|x| x.to_string()), lang),
            ),
            (
                lang.tr("来源", "Source").into(),
                Cell::text(match (&d.collected_by, d.collected_on) {
                    (Some(who), Some(on)) => format!("{}（{who}，{on}）", lang.pick(&d.source.label())),
                    (Some(who), None) => format!("{}（{who}）", lang.pick(&d.source.label())),
                    _ => lang.pick(&d.source.label()).to_string(),
                }),
            ),
            (
                lang.tr("提交日期", "Submitted").into(),
                Cell::opt(d.submitted_on.map(|x| x.to_string()), lang),
            ),
        ];
        if let Some(sla) = d.service_level(today) {
            props.push((
                lang.tr("绿色通道初筛期限", "Green channel: screen by").into(),
                Cell::text(format!(
                    "{}（{}）",
                    sla.due_on,
                    if sla.breached {
                        lang.tr("已超时", "overdue")
                    } else if d.screened_on.is_some() {
                        lang.tr("已按时初筛", "screened in time")
                    } else {
                        lang.tr("3 个工作日内", "within 3 working days")
                    }
                )),
            ));
        }
        if let Some(into) = d.merged_into_id {
            props.push((
                lang.tr("已合并到", "Merged into").into(),
                Cell::link(format!("#{into}"), format!("/demands/{into}")),
            ));
        }
        if let Some(p) = d.project_id {
            props.push((
                lang.tr("立项项目", "Project").into(),
                Cell::link(format!("#{p}"), format!("/projects/{p}")),
            ));
        }
        // The next steps this user may take, as links to their forms.
        let mut next: Vec<(String, String)> = Vec::new();
        if reviewer {
            if let Some(stage) = stage_of(&d) {
                next.push((
                    format!("{}…", lang.pick(&stage.label())),
                    format!("/demands/{}/review", d.id),
                ));
            }
            if d.status == DemandStatus::Matched {
                next.push((
                    lang.tr("转为项目…", "Turn into a project…").into(),
                    format!("/demands/{}/project", d.id),
                ));
            }
        }
        if (reviewer || may_edit) && d.status.is_open() {
            next.push((
                lang.tr("关闭需求…", "Close…").into(),
                format!("/demands/{}/close", d.id),
            ));
        }
        for (label, href) in next {
            props.push((lang.tr("办理", "Next step").into(), Cell::link(label, href)));
        }
        let mut actions = Vec::new();
        if may_edit && matches!(d.status, DemandStatus::Draft | DemandStatus::Returned) {
            actions.push(PostAction {
                label: lang.tr("提交审核", "Submit for review").into(),
                action: format!("/demands/{}/submit", d.id),
                class: "primary",
                fields: vec![],
            });
        }
        if reviewer {
            let step = |label: &str, what: &str| PostAction {
                label: label.into(),
                action: format!("/demands/{}/step", d.id),
                class: "",
                fields: vec![("action".into(), what.into())],
            };
            if d.status == DemandStatus::Accepted {
                actions.push(step(lang.tr("开始对接", "Start matching"), "start_matching"));
            }
            if matches!(d.status, DemandStatus::Accepted | DemandStatus::Matching) {
                actions.push(step(lang.tr("标记为已匹配", "Mark matched"), "mark_matched"));
            }
        }
        actions.push(archive_action::<Self>(lang, d.id, d.archived));
        let mut long_text = vec![(lang.tr("需求概述", "Summary").to_string(), d.summary.clone())];
        if let Some(x) = &d.details {
            long_text.push((
                lang.tr("机密详情（仅企业与协调办可见）", "Confidential details").into(),
                x.clone(),
            ));
        }
        if let Some(r) = &d.reason {
            long_text.push((lang.tr("退回/关闭理由", "Reason").into(), r.clone()));
        }
        // The review trail.
        let mut reviews = Table::new(
            lang,
            &[
                ("环节", "Stage"),
                ("结论", "Decision"),
                ("意见", "Comment"),
                ("审核人", "Reviewer"),
                ("时间", "When"),
            ],
        );
        reviews.empty = lang.tr("尚未审核。", "Not reviewed yet.").into();
        for r in s.store.demand_reviews(&who.viewer, d.id).await? {
            reviews.rows.push(vec![
                Cell::text(lang.pick(&r.stage.label())),
                Cell::badge(lang.pick(&r.decision.label()), format!("r-{}", r.decision.as_str())),
                Cell::opt(r.comment, lang),
                Cell::text(r.reviewer),
                Cell::text(crate::projects::local_time(r.created_at)),
            ]);
        }
        let mut sections = vec![Section {
            id: "reviews",
            title: lang.tr("审核记录", "Reviews").into(),
            table: reviews,
            add: None,
        }];
        if reviewer && d.status.is_open() {
            let dups = duplicates(s, who, d.id).await?;
            let ids: Vec<i64> = dups.iter().map(|x| x.enterprise_id).collect();
            let ent = s.store.organization_names(&ids).await?;
            let mut t = Table::new(
                lang,
                &[
                    ("疑似重复需求", "Possible duplicate"),
                    ("企业", "Enterprise"),
                    ("相似度", "Similarity"),
                    ("状态", "Status"),
                    ("", ""),
                ],
            );
            t.empty = lang.tr("未发现疑似重复的需求。", "No likely duplicates found.").into();
            for x in dups {
                t.rows.push(vec![
                    Cell::link(&x.title, format!("/demands/{}", x.id)),
                    Cell::text(format!(
                        "{}{}",
                        ent.get(&x.enterprise_id).cloned().unwrap_or_default(),
                        if x.same_enterprise {
                            lang.tr("（同一企业）", " (same enterprise)")
                        } else {
                            ""
                        }
                    )),
                    Cell::text(format!("{:.0}%", x.similarity * 100.0)),
                    Cell::text(lang.pick(&x.status.label())),
                    Cell::link(
                        lang.tr("合并为重复…", "Merge as duplicate…"),
                        format!("/demands/{}/merge?into={}", d.id, x.id),
                    ),
                ]);
            }
            sections.push(Section {
                id: "duplicates",
                title: lang.tr("查重", "Duplicates").into(),
                table: t,
                add: None,
            });
        }
        // Matching: the ranked suggestions with their reasons (office and leaders), and the matches
        // confirmed so far (with the expert's own, for an expert).
        let leader = role == hezuo_domain::access::Role::Leader;
        let matchable = matches!(
            d.status,
            DemandStatus::Accepted | DemandStatus::Matching | DemandStatus::Matched
        );
        if (reviewer || leader) && matchable {
            let sug = crate::matches::suggest(s, who, lang, d.id, 10).await?;
            let mut t = Table::new(
                lang,
                &[
                    ("推荐专家", "Expert"),
                    ("单位", "Organisation"),
                    ("得分", "Score"),
                    ("理由", "Why"),
                    ("", ""),
                ],
            );
            t.empty = lang
                .tr(
                    "没有找到相关的专家：可补充需求描述或登记专家的论文与成果。",
                    "No fitting expert found.",
                )
                .into();
            for e in &sug.experts {
                t.rows.push(vec![
                    Cell::link(&e.name, format!("/people/{}", e.person_id)),
                    Cell::text(&e.organization),
                    Cell::text(format!("{:.2}", e.score)),
                    Cell::text(e.reasons.join("；")),
                    match e.confirmed {
                        Some(st) => Cell::text(lang.pick(&st.label())),
                        None if reviewer => Cell::link(
                            lang.tr("确认推荐…", "Confirm…"),
                            format!("/demands/{}/matches/confirm?person_id={}", d.id, e.person_id),
                        ),
                        None => Cell::text(""),
                    },
                ]);
            }
            sections.push(Section {
                id: "matches",
                title: lang.tr("匹配推荐：专家", "Suggested experts").into(),
                table: t,
                add: None,
            });
            let mut t = Table::new(
                lang,
                &[("推荐成果", "Result"), ("得分", "Score"), ("理由", "Why"), ("", "")],
            );
            t.empty = lang.tr("没有找到相关的科技成果。", "No fitting result found.").into();
            for r in &sug.results {
                t.rows.push(vec![
                    Cell::link(&r.title, format!("/results/{}", r.result_id)),
                    Cell::text(format!("{:.2}", r.score)),
                    Cell::text(r.reasons.join("；")),
                    match r.confirmed {
                        Some(st) => Cell::text(lang.pick(&st.label())),
                        None if reviewer => Cell::link(
                            lang.tr("确认推荐…", "Confirm…"),
                            format!("/demands/{}/matches/confirm?result_id={}", d.id, r.result_id),
                        ),
                        None => Cell::text(""),
                    },
                ]);
            }
            sections.push(Section {
                id: "result-matches",
                title: lang.tr("匹配推荐：成果", "Suggested results").into(),
                table: t,
                add: None,
            });
        }
        let confirmed = s.store.demand_matches(&who.viewer, d.id).await?;
        if !confirmed.is_empty() || reviewer {
            let people: Vec<i64> = confirmed.iter().filter_map(|m| m.person_id).collect();
            let labels = s.store.person_labels(&people).await?;
            let mut t = Table::new(
                lang,
                &[
                    ("对接对象", "With"),
                    ("状态", "Status"),
                    ("得分", "Score"),
                    ("理由/说明", "Why / note"),
                    ("", ""),
                ],
            );
            t.empty = lang.tr("尚未确认任何匹配。", "No match confirmed yet.").into();
            for m in &confirmed {
                let with = match (m.person_id, m.result_id) {
                    (Some(p), _) => Cell::link(
                        labels.get(&p).map(|l| l.0.clone()).unwrap_or_else(|| format!("#{p}")),
                        format!("/people/{p}"),
                    ),
                    (_, Some(r)) => Cell::link(format!("{}#{r}", lang.tr("成果", "Result ")), format!("/results/{r}")),
                    _ => Cell::text(""),
                };
                let note = match &m.reason {
                    Some(r) => format!("{}{r}", lang.tr("婉拒理由：", "Declined: ")),
                    None => m.reasons.join("；"),
                };
                t.rows.push(vec![
                    with,
                    Cell::badge(lang.pick(&m.status.label()), format!("m-{}", m.status.as_str())),
                    Cell::text(format!("{:.2}", m.score)),
                    Cell::text(note),
                    if m.status.next().is_empty() {
                        Cell::text("")
                    } else {
                        Cell::link(lang.tr("更新状态…", "Update…"), format!("/matches/{}/status", m.id))
                    },
                ]);
            }
            sections.push(Section {
                id: "confirmed-matches",
                title: lang.tr("已确认的匹配", "Confirmed matches").into(),
                table: t,
                add: None,
            });
        }
        let mut badges = vec![status_badge(lang, &d)];
        badges.extend(sla_badge(lang, &d, d.service_level(today)));
        Ok(DetailPage {
            layout: Layout::new(who, lang, uri, Self::NAV, d.title.clone()),
            heading: d.title.clone(),
            kind_label: Self::heading(lang),
            badges,
            edit_href: (may_edit && (d.status.editable() || reviewer)).then(|| format!("/demands/{}/edit", d.id)),
            actions,
            archived: d.archived,
            props,
            long_text,
            sections,
            attachments: None,
            notice: None,
            history: None,
            read_only_attachments: false,
        })
    }

    async fn form_fields(s: &AppState, who: &Auth, lang: Lang, i: &DemandInput) -> Result<Vec<Field>, ApiError> {
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        let enterprises: Vec<(String, String)> = s
            .store
            .enterprise_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let mut selected_enterprise = one(&i.enterprise_id);
        if selected_enterprise.is_empty() && enterprises.len() == 1 {
            selected_enterprise = vec![enterprises[0].0.clone()];
        }
        let campaigns = s
            .store
            .list_campaigns(
                &who.viewer,
                &Default::default(),
                &ListParams {
                    per_page: Some("200".into()),
                    ..Default::default()
                },
            )
            .await?
            .items
            .into_iter()
            .map(|c| (c.id.to_string(), c.title))
            .collect();
        let industries: Vec<(String, String)> = codes::industries()
            .iter()
            .map(|x| (x.code.clone(), format!("{} {}", x.code, x.name)))
            .collect();
        Ok(vec![
            Field::new(lang, "title", ("需求名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "enterprise_id", ("企业", "Enterprise"), "select")
                .required()
                .options(lang, enterprises, &selected_enterprise),
            Field::new(lang, "summary", ("需求概述（公开）", "Summary (public)"), "textarea")
                .value(i.summary.as_deref())
                .required()
                .help(
                    lang,
                    (
                        "所有可见此需求的人都能看到；请勿写入商业秘密。",
                        "Everyone who may see the demand reads this; keep trade secrets out.",
                    ),
                ),
            Field::new(lang, "details", ("机密详情", "Confidential details"), "textarea")
                .value(i.details.as_deref())
                .help(
                    lang,
                    (
                        "仅本企业、协调办和接受对接的专家可见。",
                        "Only the enterprise, the office and experts who accepted a match see this.",
                    ),
                ),
            Field::new(lang, "campaign_id", ("征集活动", "Campaign"), "select").options(
                lang,
                campaigns,
                &one(&i.campaign_id),
            ),
            Field::new(
                lang,
                "industry",
                ("行业（GB/T 4754）", "Industry (GB/T 4754)"),
                "select",
            )
            .options(lang, industries, &one(&i.industry)),
            Field::new(lang, "field", ("技术领域", "Technical field"), "text").value(i.field.as_deref()),
            Field::new(lang, "mode", ("合作方式", "Cooperation mode"), "select").options(
                lang,
                code_options(
                    lang,
                    CooperationMode::ALL,
                    CooperationMode::label,
                    CooperationMode::as_str,
                ),
                &one(&i.mode),
            ),
            Field::new(
                lang,
                "budget_min_wan",
                ("预算下限（万元）", "Budget from (×10k yuan)"),
                "money",
            )
            .value(i.budget_min_wan.as_deref()),
            Field::new(
                lang,
                "budget_max_wan",
                ("预算上限（万元）", "Budget to (×10k yuan)"),
                "money",
            )
            .value(i.budget_max_wan.as_deref()),
            Field::new(lang, "deadline", ("截止日期", "Deadline"), "date").value(i.deadline.as_deref()),
            Field::new(lang, "source", ("来源", "Source"), "select").options(
                lang,
                code_options(lang, DemandSource::ALL, DemandSource::label, DemandSource::as_str),
                &one(&i.source),
            ),
            Field::new(lang, "collected_by", ("征集人", "Collected by"), "text")
                .value(i.collected_by.as_deref())
                .help(
                    lang,
                    (
                        "走访征集时必填：入企走访的博士或转移中心人员。",
                        "Required for a visit: who went to the enterprise.",
                    ),
                ),
            Field::new(lang, "collected_on", ("走访日期", "Visited on"), "date").value(i.collected_on.as_deref()),
            Field::new(
                lang,
                "green_channel",
                ("绿色通道（3 个工作日内完成初筛）", "Green channel"),
                "checkbox",
            )
            .value(i.green_channel.as_deref()),
        ])
    }
}

// ---- Workflow over the API ----

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// `start_matching`, `mark_matched`, `project` (with `project_id`) or `close` (with `comment`).
    pub action: Option<String>,
    pub comment: Option<String>,
    #[serde(deserialize_with = "hezuo_domain::input::de_opt_string")]
    pub project_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MergeInput {
    /// The demand this one repeats.
    #[serde(deserialize_with = "hezuo_domain::input::de_opt_string")]
    pub into: Option<String>,
}

fn step_of(i: &StepInput) -> Result<DemandStep, ApiError> {
    match input::opt_text(&i.action) {
        Some("start_matching") => Ok(DemandStep::StartMatching),
        Some("mark_matched") => Ok(DemandStep::MarkMatched),
        Some("project") => Ok(DemandStep::BecomeProject),
        Some("close") => Ok(DemandStep::Close),
        Some("submit") => Ok(DemandStep::Submit),
        other => Err(ApiError::Invalid(FieldErrors::one(
            "action",
            Msg::new(
                format!(
                    "办理事项“{}”无效，可选：start_matching、mark_matched、project、close",
                    other.unwrap_or("")
                ),
                "action must be start_matching, mark_matched, project or close",
            ),
        ))),
    }
}

async fn do_step(s: &AppState, who: &Auth, id: i64, i: &StepInput) -> Result<Demand, ApiError> {
    let step = step_of(i)?;
    let project = match step {
        DemandStep::BecomeProject => {
            Some(input::id(&i.project_id).map_err(|m| ApiError::Invalid(FieldErrors::one("project_id", m)))?)
        }
        _ => None,
    };
    Ok(s.store
        .demand_step(&who.viewer, id, step, i.comment.clone(), project)
        .await?)
}

async fn do_review(s: &AppState, who: &Auth, id: i64, i: &ReviewInput) -> Result<Demand, ApiError> {
    if !who.viewer.role.may_review_demands() {
        return Err(hezuo_store::StoreError::Forbidden(hezuo_domain::access::forbidden()).into());
    }
    let (decision, comment) = i.validate()?;
    let d = s.store.get_demand(&who.viewer, id).await?;
    let Some(stage) = stage_of(&d) else {
        return Err(ApiError::Conflict(FieldErrors::one(
            "status",
            Msg::new(
                format!("处于“{}”状态的需求无需审核", d.status.label().zh),
                format!("A demand that is {} is not waiting for review", d.status.as_str()),
            ),
        )));
    };
    Ok(s.store
        .demand_step(&who.viewer, id, DemandStep::Review(stage, decision), comment, None)
        .await?)
}

async fn do_merge(s: &AppState, who: &Auth, id: i64, i: &MergeInput) -> Result<Demand, ApiError> {
    if !who.viewer.role.may_review_demands() {
        return Err(hezuo_store::StoreError::Forbidden(hezuo_domain::access::forbidden()).into());
    }
    let into = input::id(&i.into).map_err(|m| ApiError::Invalid(FieldErrors::one("into", m)))?;
    Ok(s.store.merge_demand(&who.viewer, id, into).await?)
}

async fn api_submit(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Demand>, Api> {
    let run = async {
        Ok::<_, ApiError>(
            s.store
                .demand_step(&who.viewer, path_id(&id)?, DemandStep::Submit, None, None)
                .await?,
        )
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_review(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Demand>, Api> {
    let run = async {
        let i: ReviewInput = parse_json(&body)?;
        do_review(&s, &who, path_id(&id)?, &i).await
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_step(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Demand>, Api> {
    let run = async {
        let i: StepInput = parse_json(&body)?;
        do_step(&s, &who, path_id(&id)?, &i).await
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_merge(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Demand>, Api> {
    let run = async {
        let i: MergeInput = parse_json(&body)?;
        do_merge(&s, &who, path_id(&id)?, &i).await
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_reviews(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Page<hezuo_domain::demand::DemandReview>>, Api> {
    let run = async { Ok::<_, ApiError>(s.store.demand_reviews(&who.viewer, path_id(&id)?).await?) };
    run.await.map(|v| Json(Page::whole(v))).map_err(|e| Api(e, lang))
}

async fn api_duplicates(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Page<Duplicate>>, Api> {
    let run = async {
        // Candidates are only what the caller may see: an enterprise compares with its own demands.
        duplicates(&s, &who, path_id(&id)?).await
    };
    run.await.map(|v| Json(Page::whole(v))).map_err(|e| Api(e, lang))
}

// ---- Workflow on the pages ----

async fn page_submit(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        s.store
            .demand_step(&who.viewer, id, DemandStep::Submit, None, None)
            .await?;
        Ok::<_, ApiError>(views::redirect(&format!("/demands/{id}")))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_step(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let i: StepInput = parse_form(&body)?;
        do_step(&s, &who, id, &i).await?;
        Ok::<_, ApiError>(views::redirect(&format!("/demands/{id}")))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// A small form page for one workflow step, with its errors beside the fields.
fn step_form(
    who: &Auth,
    lang: Lang,
    uri: &Uri,
    d: &Demand,
    heading: String,
    fields: Vec<Field>,
    errors: Option<(StatusCode, FieldErrors)>,
) -> Response {
    let (status, errors) = errors.unwrap_or((StatusCode::OK, FieldErrors::default()));
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let stray: Vec<String> = errors
        .0
        .iter()
        .filter(|(k, _)| !names.contains(&k.as_str()))
        .map(|(_, m)| lang.pick(m).to_string())
        .collect();
    let view = FormPage {
        layout: Layout::new(who, lang, uri, "demands", heading.clone()),
        heading,
        action: uri.path().to_string(),
        has_errors: !errors.is_empty(),
        general_error: (!stray.is_empty()).then(|| stray.join("；")),
        fields: Field::errors_from(fields, &errors, lang),
        cancel_href: format!("/demands/{}", d.id),
    };
    let mut res = views::render(&view);
    *res.status_mut() = status;
    res
}

/// A failed step shown again on its form (422 for bad input, 409 for a step the demand's status
/// does not allow); anything else is the error page.
fn form_errors(e: ApiError) -> Result<(StatusCode, FieldErrors), ApiError> {
    match e {
        ApiError::Invalid(f) => Ok((StatusCode::UNPROCESSABLE_ENTITY, f)),
        ApiError::Conflict(f) => Ok((StatusCode::CONFLICT, f)),
        other => Err(other),
    }
}

fn review_fields(lang: Lang, i: &ReviewInput) -> Vec<Field> {
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    vec![
        Field::new(lang, "decision", ("结论", "Decision"), "select")
            .required()
            .options(
                lang,
                code_options(lang, ReviewDecision::ALL, ReviewDecision::label, ReviewDecision::as_str),
                &one(&i.decision),
            ),
        Field::new(lang, "comment", ("意见", "Comment"), "textarea")
            .value(i.comment.as_deref())
            .help(
                lang,
                (
                    "退回时必须写明理由，企业会看到。",
                    "Required when returning; the enterprise reads it.",
                ),
            ),
    ]
}

async fn page_review_form(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let d = s.store.get_demand(&who.viewer, path_id(&id)?).await?;
        let stage = stage_of(&d)
            .map(|x| lang.pick(&x.label()).to_string())
            .unwrap_or_default();
        let i = ReviewInput::default();
        Ok::<_, ApiError>(step_form(
            &who,
            lang,
            &uri,
            &d,
            format!("{stage}：{}", d.title),
            review_fields(lang, &i),
            None,
        ))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_review(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let i: ReviewInput = parse_form(&body)?;
        match do_review(&s, &who, id, &i).await {
            Ok(_) => Ok(views::redirect(&format!("/demands/{id}"))),
            Err(e) => {
                let errors = form_errors(e)?;
                let d = s.store.get_demand(&who.viewer, id).await?;
                let heading = format!("{}：{}", lang.tr("审核", "Review"), d.title);
                Ok(step_form(
                    &who,
                    lang,
                    &uri,
                    &d,
                    heading,
                    review_fields(lang, &i),
                    Some(errors),
                ))
            }
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

fn close_fields(lang: Lang, i: &StepInput) -> Vec<Field> {
    vec![
        Field::new(lang, "action", ("", ""), "hidden").value(Some("close")),
        Field::new(lang, "comment", ("关闭理由", "Reason"), "textarea")
            .required()
            .value(i.comment.as_deref()),
    ]
}

async fn page_close_form(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let d = s.store.get_demand(&who.viewer, path_id(&id)?).await?;
        let heading = format!("{}：{}", lang.tr("关闭需求", "Close"), d.title);
        Ok::<_, ApiError>(step_form(
            &who,
            lang,
            &uri,
            &d,
            heading,
            close_fields(lang, &StepInput::default()),
            None,
        ))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_close(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let mut i: StepInput = parse_form(&body)?;
        i.action = Some("close".into());
        match do_step(&s, &who, id, &i).await {
            Ok(_) => Ok(views::redirect(&format!("/demands/{id}"))),
            Err(e) => {
                let errors = form_errors(e)?;
                let d = s.store.get_demand(&who.viewer, id).await?;
                let heading = format!("{}：{}", lang.tr("关闭需求", "Close"), d.title);
                Ok(step_form(
                    &who,
                    lang,
                    &uri,
                    &d,
                    heading,
                    close_fields(lang, &i),
                    Some(errors),
                ))
            }
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn project_fields(s: &AppState, who: &Auth, lang: Lang, i: &StepInput) -> Result<Vec<Field>, ApiError> {
    let projects = s
        .store
        .list_projects(
            &who.viewer,
            &Default::default(),
            &ListParams {
                per_page: Some("200".into()),
                ..Default::default()
            },
        )
        .await?;
    let opts = projects
        .items
        .iter()
        .map(|p| (p.id.to_string(), p.title.clone()))
        .collect();
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    Ok(vec![
        Field::new(
            lang,
            "project_id",
            ("由此需求立项的项目", "The project it became"),
            "select",
        )
        .required()
        .options(lang, opts, &one(&i.project_id))
        .help(
            lang,
            (
                "先在“合作项目”中新建项目（来源选“企业需求”），再回到此处关联。",
                "Create the project first (origin: demand), then link it here.",
            ),
        ),
    ])
}

async fn page_project_form(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let d = s.store.get_demand(&who.viewer, path_id(&id)?).await?;
        let heading = format!("{}：{}", lang.tr("转为项目", "Turn into a project"), d.title);
        let fields = project_fields(&s, &who, lang, &StepInput::default()).await?;
        Ok::<_, ApiError>(step_form(&who, lang, &uri, &d, heading, fields, None))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_project(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let mut i: StepInput = parse_form(&body)?;
        i.action = Some("project".into());
        match do_step(&s, &who, id, &i).await {
            Ok(_) => Ok(views::redirect(&format!("/demands/{id}"))),
            Err(e) => {
                let errors = form_errors(e)?;
                let d = s.store.get_demand(&who.viewer, id).await?;
                let heading = format!("{}：{}", lang.tr("转为项目", "Turn into a project"), d.title);
                let fields = project_fields(&s, &who, lang, &i).await?;
                Ok(step_form(&who, lang, &uri, &d, heading, fields, Some(errors)))
            }
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn merge_fields(
    s: &AppState,
    who: &Auth,
    lang: Lang,
    id: i64,
    into: &Option<String>,
) -> Result<Vec<Field>, ApiError> {
    let opts = duplicates(s, who, id)
        .await?
        .into_iter()
        .map(|x| {
            (
                x.id.to_string(),
                format!("#{} {}（相似度 {:.0}%）", x.id, x.title, x.similarity * 100.0),
            )
        })
        .collect();
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    Ok(vec![
        Field::new(
            lang,
            "into",
            ("合并到（保留的需求）", "Merge into (the one kept)"),
            "select",
        )
        .required()
        .options(lang, opts, &one(into))
        .help(
            lang,
            (
                "本需求将关闭并注明与所选需求重复。",
                "This demand is closed as a duplicate of the one chosen.",
            ),
        ),
    ])
}

async fn page_merge_form(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let d = s.store.get_demand(&who.viewer, id).await?;
        let into = views::query_param(&uri, "into");
        let heading = format!("{}：{}", lang.tr("合并重复需求", "Merge a duplicate"), d.title);
        let fields = merge_fields(&s, &who, lang, id, &into).await?;
        Ok::<_, ApiError>(step_form(&who, lang, &uri, &d, heading, fields, None))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_merge(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let i: MergeInput = parse_form(&body)?;
        match do_merge(&s, &who, id, &i).await {
            Ok(_) => Ok(views::redirect(&format!("/demands/{id}"))),
            Err(e) => {
                let errors = form_errors(e)?;
                let d = s.store.get_demand(&who.viewer, id).await?;
                let heading = format!("{}：{}", lang.tr("合并重复需求", "Merge a duplicate"), d.title);
                let fields = merge_fields(&s, &who, lang, id, &i.into).await?;
                Ok(step_form(&who, lang, &uri, &d, heading, fields, Some(errors)))
            }
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

// ---- Import from a spreadsheet ----

/// The import sheet's columns: (header, the DemandInput field it fills, required).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("企业（统一社会信用代码或全称）", "enterprise", true),
    ("需求名称", "title", true),
    ("需求概述", "summary", true),
    ("机密详情", "details", false),
    ("行业代码", "industry", false),
    ("技术领域", "field", false),
    ("合作方式", "mode", false),
    ("预算下限（万元）", "budget_min_wan", false),
    ("预算上限（万元）", "budget_max_wan", false),
    ("截止日期", "deadline", false),
    ("绿色通道", "green_channel", false),
    ("征集人", "collected_by", false),
    ("走访日期", "collected_on", false),
];

fn header_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(_, f, _)| *f == field || (field == "enterprise_id" && *f == "enterprise"))
        .map(|(h, _, _)| *h)
        .unwrap_or("")
}

/// The answer to an import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub ids: Vec<i64>,
    /// Every failing cell; when there is any, nothing was written.
    pub errors: Vec<RowError>,
}

/// Reads the sheet and writes every row in one transaction: all rows or none.
async fn import(s: &AppState, who: &Auth, bytes: &[u8], campaign: Option<i64>) -> Result<ImportReport, ApiError> {
    let rows = hezuo_report::sheet::read_rows(bytes).map_err(|m| ApiError::Invalid(FieldErrors::one("file", m)))?;
    let Some((header, body)) = rows.split_first() else {
        return Err(ApiError::Invalid(FieldErrors::one(
            "file",
            Msg::new(
                "表格是空的：第 1 行应为表头",
                "The sheet is empty: row 1 must be the header",
            ),
        )));
    };
    let norm = |h: &str| h.trim().replace(['(', ')'], "").replace(['（', '）'], "");
    let mut col: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut missing = Vec::new();
    for (h, field, required) in COLUMNS {
        let short = h.split('（').next().unwrap_or(h);
        match header.iter().position(|x| norm(x) == norm(h) || x.trim() == short) {
            Some(i) => {
                col.insert(field, i);
            }
            None if *required => missing.push(*h),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::Invalid(FieldErrors::one(
            "file",
            Msg::new(
                format!("第 1 行缺少必需的列：{}。请使用导入模板。", missing.join("、")),
                format!(
                    "Row 1 lacks required columns: {}. Use the template.",
                    missing.join(", ")
                ),
            ),
        )));
    }
    let lookup = s.store.enterprise_lookup().await?;
    let mut parsed = Vec::new();
    let mut named: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    for (n, r) in body.iter().enumerate() {
        let row = n + 2;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: &str| {
            col.get(f)
                .and_then(|i| r.get(*i))
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
        };
        let mut errors = Vec::new();
        let enterprise = cell("enterprise");
        if let Some(e) = &enterprise {
            named.insert(row, e.clone());
        }
        let enterprise_id = match &enterprise {
            Some(e) => match lookup.get(e.as_str()) {
                Some(id) => Some(id.to_string()),
                None => {
                    errors.push(RowError::new(
                        row,
                        header_of("enterprise"),
                        &Msg::new(
                            format!("找不到企业“{e}”：请填写平台上已登记企业的统一社会信用代码或全称"),
                            format!(
                                "No enterprise “{e}”: give the credit code or full name of a registered enterprise"
                            ),
                        ),
                    ));
                    None
                }
            },
            None => None,
        };
        let input = DemandInput {
            title: cell("title"),
            summary: cell("summary"),
            details: cell("details"),
            enterprise_id,
            campaign_id: campaign.map(|c| c.to_string()),
            industry: cell("industry"),
            field: cell("field"),
            budget_min_wan: cell("budget_min_wan"),
            budget_max_wan: cell("budget_max_wan"),
            mode: cell("mode"),
            deadline: cell("deadline"),
            source: Some("import".into()),
            collected_by: cell("collected_by"),
            collected_on: cell("collected_on"),
            green_channel: cell("green_channel"),
        };
        let data = match input.validate() {
            Ok(d) if errors.is_empty() => Ok(d),
            Ok(_) => Err(errors),
            Err(fe) => {
                for (field, m) in fe.0.iter() {
                    if field == "enterprise_id" && enterprise.is_some() {
                        continue;
                    }
                    errors.push(RowError::new(row, header_of(field), m));
                }
                Err(errors)
            }
        };
        parsed.push((row, data));
    }
    if parsed.is_empty() {
        return Err(ApiError::Invalid(FieldErrors::one(
            "file",
            Msg::new("表格中没有数据行", "The sheet has no data rows"),
        )));
    }
    // Rows that do not parse are reported at once, without touching the records; rows that parse
    // are then written in one transaction, which the records can still refuse (an enterprise
    // outside the importer's scope) — then it is rolled back whole.
    let unparsed: Vec<RowError> = parsed
        .iter()
        .filter_map(|(_, d)| d.as_ref().err())
        .flatten()
        .cloned()
        .collect();
    if !unparsed.is_empty() {
        return Ok(ImportReport {
            created: 0,
            ids: vec![],
            errors: unparsed,
        });
    }
    match s.store.import_demands(&who.viewer, &parsed).await {
        Ok(ids) => Ok(ImportReport {
            created: ids.len(),
            ids,
            errors: vec![],
        }),
        Err(ImportError::Rows(mut errors)) => {
            for e in &mut errors {
                if e.column == "enterprise_id"
                    && let Some(name) = named.get(&e.row)
                {
                    e.message = format!("企业“{name}”不存在或不在您的负责范围内");
                    e.message_en = format!("The enterprise “{name}” does not exist or is outside your scope");
                }
                let h = header_of(&e.column);
                if !h.is_empty() {
                    e.column = h.to_string();
                }
            }
            Ok(ImportReport {
                created: 0,
                ids: vec![],
                errors,
            })
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// Reads a multipart upload: `file` and an optional `campaign_id`.
async fn read_import(mut mp: Multipart) -> Result<(Vec<u8>, Option<i64>), ApiError> {
    let (mut file, mut campaign) = (None, None);
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::Status(
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::new(
                    "文件超过上传上限：请拆分为几个文件分别导入",
                    "The file is over the upload limit: split it and import the parts",
                ),
            )
        } else {
            ApiError::bad_request(Msg::new(format!("上传数据无效：{e}"), format!("Invalid upload: {e}")))
        }
    };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(field.bytes().await.map_err(bad)?.to_vec()),
            "campaign_id" => {
                let t = field.text().await.map_err(bad)?;
                if !t.trim().is_empty() {
                    campaign =
                        Some(input::parse_id(&t).map_err(|m| ApiError::Invalid(FieldErrors::one("campaign_id", m)))?);
                }
            }
            _ => {}
        }
    }
    let file = file.filter(|f| !f.is_empty()).ok_or_else(|| {
        ApiError::Invalid(FieldErrors::one(
            "file",
            Msg::new("请选择要导入的 Excel 文件", "Choose an Excel file to import"),
        ))
    })?;
    Ok((file, campaign))
}

async fn api_import(State(s): State<AppState>, lang: Lang, who: Auth, mp: Multipart) -> Result<Response, Api> {
    let run = async {
        hezuo_store::access::check(&who.viewer, RecordKind::Demand, hezuo_domain::access::Action::Create)?;
        let (bytes, campaign) = read_import(mp).await?;
        import(&s, &who, &bytes, campaign).await
    };
    let report = run.await.map_err(|e| Api(e, lang))?;
    let status = if report.errors.is_empty() {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let error = (!report.errors.is_empty()).then(|| {
        lang.tr(
            "导入失败，未写入任何数据：请按行号和列名改正后重新上传",
            "Nothing was imported: correct the rows listed and upload again",
        )
    });
    let body =
        serde_json::json!({ "created": report.created, "ids": report.ids, "errors": report.errors, "error": error });
    Ok((status, Json(body)).into_response())
}

#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub layout: Layout,
    pub campaigns: Vec<(String, String)>,
    pub report: Option<ImportReport>,
    pub error: Option<String>,
    pub columns: Vec<(&'static str, bool)>,
    /// Whether the user's role may import (others see the columns and the template only).
    pub may_import: bool,
}

async fn import_page(
    s: &AppState,
    who: &Auth,
    lang: Lang,
    uri: &Uri,
    report: Option<ImportReport>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let may_import = who
        .viewer
        .role
        .may(RecordKind::Demand, hezuo_domain::access::Action::Create);
    let campaigns = s
        .store
        .list_campaigns(
            &who.viewer,
            &Default::default(),
            &ListParams {
                per_page: Some("200".into()),
                ..Default::default()
            },
        )
        .await?
        .items
        .into_iter()
        .map(|c| (c.id.to_string(), c.title))
        .collect();
    let failed = report.as_ref().is_some_and(|r| !r.errors.is_empty()) || error.is_some();
    let view = ImportPage {
        layout: Layout::new(who, lang, uri, "demands", lang.tr("批量导入技术需求", "Import demands")),
        campaigns,
        report,
        error,
        columns: COLUMNS.iter().map(|(h, _, r)| (*h, *r)).collect(),
        may_import,
    };
    let mut res = views::render(&view);
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn page_import_form(State(s): State<AppState>, lang: Lang, who: Auth, uri: Uri) -> Result<Response, PageErr> {
    import_page(&s, &who, lang, &uri, None, None)
        .await
        .map_err(|e| PageErr(e, lang))
}

async fn page_import(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    mp: Multipart,
) -> Result<Response, PageErr> {
    let run = async {
        hezuo_store::access::check(&who.viewer, RecordKind::Demand, hezuo_domain::access::Action::Create)?;
        let outcome = match read_import(mp).await {
            Ok((bytes, campaign)) => import(&s, &who, &bytes, campaign).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(report) => import_page(&s, &who, lang, &uri, Some(report), None).await,
            Err(ApiError::Invalid(f)) => {
                let msg =
                    f.0.values()
                        .map(|m| lang.pick(m).to_string())
                        .collect::<Vec<_>>()
                        .join("；");
                import_page(&s, &who, lang, &uri, None, Some(msg)).await
            }
            Err(e) => Err(e),
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// The import template: the header row and one example row.
async fn import_template(lang: Lang, _who: Auth) -> Result<Response, PageErr> {
    let header: Vec<&str> = COLUMNS.iter().map(|(h, _, _)| *h).collect();
    let example = vec![
        "91330800MA2XXXXXXX",
        "含氟废水深度处理工艺",
        "氟化工生产废水含氟浓度高，现有钙盐沉淀法出水难以稳定达标，希望合作开发深度除氟工艺。",
        "",
        "C26",
        "环境工程",
        "技术开发",
        "50",
        "200",
        "2026-12-31",
        "否",
        "",
        "",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let bytes = hezuo_report::sheet::write_rows("技术需求", &header, &[example])
        .map_err(|e| PageErr(ApiError::Internal(e), lang))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"demands-template.xlsx\"; filename*=UTF-8''%E6%8A%80%E6%9C%AF%E9%9C%80%E6%B1%82%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}
