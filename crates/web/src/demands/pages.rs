//! The demand pages: the list with its filters, a demand's page — its facts, the next steps the
//! viewer may take, and its panels (the review trail and duplicates from `workflow`, suggestions and
//! matches from `matches`) — and the form. Through the shared record handlers.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, archive_action, list_view, record_page, related, resource};
use crate::state::AppState;
use crate::views::{Cell, Ctx, DetailPage, Field, ListPage, PostAction, Table, archived_filter, chosen, code_options};
use hezuo_domain::access::Action;
use hezuo_domain::demand::{
    CooperationMode, Demand, DemandData, DemandFilter, DemandInput, DemandSource, DemandStatus, ServiceLevel,
};
use hezuo_domain::{Page, RecordKind, codes};

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

/// The deadline, marked overdue when it passed while the demand still waits for a partner.
fn deadline_cell(lang: Lang, d: &Demand, today: chrono::NaiveDate) -> Cell {
    match d.deadline {
        Some(x) if d.overdue(today) => Cell::badge(format!("{} {x}", lang.tr("已逾期", "Overdue")), "f-red"),
        Some(x) => Cell::text(x.to_string()),
        None => Cell::opt(None::<String>, lang),
    }
}

async fn demand_table(s: &AppState, lang: Lang, items: &[Demand]) -> Result<Table, ApiError> {
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
            ("截止日期", "Deadline"),
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
            deadline_cell(lang, d, today),
            sla_badge(lang, d, d.service_level(today)).unwrap_or_else(|| Cell::text("")),
        ]);
    }
    Ok(t)
}

/// The deadline's field, warning when the date entered has passed: a new demand is refused with it
/// (`demand::new_deadline_check`); an existing one is saved and shown overdue.
fn deadline_field(lang: Lang, i: &DemandInput, today: chrono::NaiveDate) -> Field {
    let f = Field::new(lang, "deadline", ("截止日期", "Deadline"), "date").value(i.deadline.as_deref());
    let passed = hezuo_domain::input::optional_date(&i.deadline)
        .ok()
        .flatten()
        .is_some_and(|d| d < today);
    if passed {
        f.help(
            lang,
            (
                "截止日期已过：新需求不能使用已过的日期；已有需求保存后将显示为“已逾期”。",
                "This deadline has passed: a new demand cannot have it; an existing one is saved and shown overdue.",
            ),
        )
    } else {
        f
    }
}

impl Pages for Demands {
    const NAV: &'static str = "demands";

    fn heading(lang: Lang) -> String {
        lang.tr("技术需求", "Demands").into()
    }
    fn title(r: &Demand) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &DemandFilter, page: Page<Demand>) -> Result<ListPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let table = demand_table(s, lang, &page.items).await?;
        let campaigns = s
            .store
            .campaign_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, title)| (id.to_string(), title))
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
                &chosen(&f.status),
            ),
            Field::new(lang, "campaign_id", ("征集活动", "Campaign"), "select").options(
                lang,
                campaigns,
                &chosen(&f.campaign_id),
            ),
            Field::new(lang, "green_channel", ("通道", "Channel"), "select").options(
                lang,
                green,
                &chosen(&f.green_channel),
            ),
            archived_filter(lang, &f.archived),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        if who.viewer.role.may(RecordKind::Demand, Action::Create) {
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

    async fn detail_page(cx: &Ctx, d: Demand) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let names = s.store.organization_names(&[d.enterprise_id]).await?;
        let enterprise = names.get(&d.enterprise_id).cloned().unwrap_or_default();
        // The enterprise's page and its people, as far as the viewer may read them: an expert
        // does once they accepted a match on this demand (the store's access decides).
        let enterprise_page = related(s.store.get_organization(&who.viewer, d.enterprise_id).await)?;
        let contacts = s
            .store
            .list_people(
                &who.viewer,
                &hezuo_domain::person::PersonFilter {
                    organization_id: Some(d.enterprise_id.to_string()),
                    ..Default::default()
                },
                &hezuo_domain::ListParams::first(20),
            )
            .await?;
        let campaign = match d.campaign_id {
            Some(c) => related(s.store.get_campaign(&who.viewer, c).await)?,
            None => None,
        };
        let today = s.store.today();
        let role = who.viewer.role;
        let reviewer = role.may_review_demands();
        let may_edit = role.may(RecordKind::Demand, Action::Update);
        let money = |m: Option<hezuo_domain::Money>| m.map(|x| x.wan());
        let budget = match (money(d.budget_min_wan), money(d.budget_max_wan)) {
            (None, None) => None,
            (a, b) => Some(format!(
                "{} – {} {}",
                a.unwrap_or_default(),
                b.unwrap_or_default(),
                lang.tr("万元", "×10k CNY")
            )),
        };
        let mut props = vec![
            (
                lang.tr("企业", "Enterprise").to_string(),
                match &enterprise_page {
                    Some(_) => Cell::link(enterprise, format!("/organizations/{}", d.enterprise_id)),
                    None => Cell::text(enterprise),
                },
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
            (lang.tr("截止日期", "Deadline").into(), deadline_cell(lang, &d, today)),
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
        if let Some(o) = &enterprise_page
            && let Some(phone) = &o.phone
        {
            props.push((lang.tr("企业电话", "Enterprise phone").into(), Cell::text(phone)));
        }
        for p in &contacts.items {
            props.push((
                lang.tr("企业联系人", "Enterprise contact").into(),
                Cell::link(
                    format!("{}：{}", p.name, crate::matches::contact_text(lang, p)),
                    format!("/people/{}", p.id),
                ),
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
            if let Some(stage) = d.status.awaiting_review() {
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
                confirm: None,
                label: lang.tr("提交审核", "Submit for review").into(),
                action: format!("/demands/{}/submit", d.id),
                class: "primary",
                fields: vec![],
            });
        }
        if reviewer {
            let step = |label: &str, what: &str| PostAction {
                confirm: None,
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
        // Who reads the details is `access::sees_demand_details`: the heading says the same.
        if let Some(x) = &d.details {
            long_text.push((
                lang.tr(
                    "机密详情（仅本企业、协调办和已接受对接的专家可见）",
                    "Confidential details (only the enterprise, the office and the expert who accepted a match)",
                )
                .into(),
                x.clone(),
            ));
        }
        if let Some(r) = &d.reason {
            long_text.push((lang.tr("退回/关闭理由", "Reason").into(), r.clone()));
        }
        let mut sections = vec![super::workflow::reviews_section(cx, &d).await?];
        if reviewer && d.status.is_open() {
            sections.push(super::workflow::duplicates_section(cx, &d).await?);
        }
        sections.extend(crate::matches::demand_sections(cx, &d).await?);
        sections.push(crate::closed_loop::demand_section(cx, &d).await?);
        let mut badges = vec![status_badge(lang, &d)];
        if d.overdue(today) {
            badges.push(Cell::badge(lang.tr("已过截止日期", "Past its deadline"), "f-red"));
        }
        badges.extend(sla_badge(lang, &d, d.service_level(today)));
        Ok(DetailPage {
            badges,
            edit_href: (may_edit && (d.status.editable() || reviewer)).then(|| format!("/demands/{}/edit", d.id)),
            actions,
            props,
            long_text,
            sections,
            thread: Some(crate::messages::thread_view(cx, hezuo_domain::message::ThreadRef::Demand(d.id), None).await?),
            ..record_page::<Self>(cx, d.id, d.title.clone(), d.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &DemandInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let enterprises: Vec<(String, String)> = s
            .store
            .enterprise_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let mut selected_enterprise = chosen(&i.enterprise_id);
        if selected_enterprise.is_empty() && enterprises.len() == 1 {
            selected_enterprise = vec![enterprises[0].0.clone()];
        }
        let campaigns = s
            .store
            .campaign_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, title)| (id.to_string(), title))
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
                &chosen(&i.campaign_id),
            ),
            Field::new(
                lang,
                "industry",
                ("行业（GB/T 4754）", "Industry (GB/T 4754)"),
                "select",
            )
            .options(lang, industries, &chosen(&i.industry)),
            Field::new(lang, "field", ("技术领域", "Technical field"), "text").value(i.field.as_deref()),
            Field::new(lang, "mode", ("合作方式", "Cooperation mode"), "select").options(
                lang,
                code_options(
                    lang,
                    CooperationMode::ALL,
                    CooperationMode::label,
                    CooperationMode::as_str,
                ),
                &chosen(&i.mode),
            ),
            Field::new(
                lang,
                "budget_min_wan",
                ("预算下限（万元）", "Budget from (×10k CNY)"),
                "money",
            )
            .value(i.budget_min_wan.as_deref()),
            Field::new(
                lang,
                "budget_max_wan",
                ("预算上限（万元）", "Budget to (×10k CNY)"),
                "money",
            )
            .value(i.budget_max_wan.as_deref()),
            deadline_field(lang, i, s.store.today()),
            Field::new(lang, "source", ("来源", "Source"), "select").options(
                lang,
                code_options(lang, DemandSource::ALL, DemandSource::label, DemandSource::as_str),
                &chosen(&i.source),
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
            Field::new(
                lang,
                "public_name",
                (
                    "同意在公开门户显示企业名称（需求受理后，仅公开需求名称和概述）",
                    "Show the enterprise's name on the public portal (once accepted; only the title and summary are public)",
                ),
                "checkbox",
            )
            .value(i.public_name.as_deref()),
        ])
    }
}
