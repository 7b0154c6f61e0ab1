//! A chief expert's service log (服务记录) through `resource!`: `/api/v1/service-log` (list with
//! `chief_expert_id`, `kind`, `year`; add, edit, archive, restore) and the pages — the list across
//! appointments, an entry's page (with its files: attachments of kind `service_log`) and the form,
//! which the appointment's page opens pre-filled (`/service-log/new?chief_expert_id=…`).

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, resource};
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, Table, archived_filter, chosen, code_options, query_param, sort_field,
};
use hezuo_domain::chief_expert::{
    ChiefExpertFilter, ServiceKind, ServiceLog, ServiceLogData, ServiceLogFilter, ServiceLogInput,
};
use hezuo_domain::{ListParams, Page, RecordKind};
use std::collections::HashMap;

resource!(
    ServiceLogs,
    "service-log",
    hezuo_domain::RecordKind::ServiceLog,
    ServiceLog,
    ServiceLogInput,
    ServiceLogData,
    ServiceLogFilter,
    list_service_log,
    get_service_log,
    create_service_log,
    update_service_log,
    set_service_log_archived
);

/// The appointments the viewer sees, by id: the expert's name (for tables and menus).
async fn chief_names(cx: &Ctx) -> Result<HashMap<i64, String>, ApiError> {
    let page = cx
        .store()
        .list_chief_experts(cx.viewer(), &ChiefExpertFilter::default(), &ListParams::first(500))
        .await?;
    Ok(page
        .items
        .into_iter()
        .map(|c| {
            let area = c.organization_name.or(c.chain).unwrap_or_default();
            (c.id, format!("{}（{area}）", c.person_name))
        })
        .collect())
}

fn num(v: Option<i64>, lang: Lang) -> Cell {
    Cell::opt(v.map(|n| n.to_string()), lang)
}

/// The log table of an appointment's page: date, kind, what was done, place, hours, people, files.
pub(super) async fn log_table(cx: &Ctx, items: &[ServiceLog]) -> Result<Table, ApiError> {
    let lang = cx.lang;
    let mut t = Table::new(
        lang,
        &[
            ("日期", "Date"),
            ("类别", "Kind"),
            ("服务内容", "What was done"),
            ("地点", "Place"),
            ("时长（小时）", "Hours"),
            ("服务人数", "People"),
            ("附件", "Files"),
        ],
    );
    t.empty = lang
        .tr(
            "本年度尚无服务记录。首席专家本人或协调办可点击“登记服务记录”添加走访、授课培训、解决难题、承接需求等记录。",
            "No service logged this year. The expert or the office can add visits, trainings, problems solved and demands taken with “Log a service”.",
        )
        .into();
    for e in items {
        let files = cx
            .store()
            .list_attachments(cx.viewer(), RecordKind::ServiceLog, e.id)
            .await?;
        t.rows.push(vec![
            Cell::text(e.served_on.to_string()),
            Cell::text(lang.pick(&e.kind.label())),
            Cell::link(&e.title, format!("/service-log/{}", e.id)),
            Cell::opt(e.place.clone(), lang),
            num(e.hours, lang),
            num(e.people_served, lang),
            if files.is_empty() {
                Cell::opt(None::<String>, lang)
            } else {
                Cell::link(
                    format!("{}{}", files.len(), lang.tr(" 个", " file(s)")),
                    format!("/service-log/{}#attachments", e.id),
                )
            },
        ]);
    }
    Ok(t)
}

impl Pages for ServiceLogs {
    const NAV: &'static str = "chief-experts";

    fn heading(lang: Lang) -> String {
        lang.tr("首席专家服务记录", "Chief experts' service log").into()
    }
    fn title(r: &ServiceLog) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &ServiceLogFilter, page: Page<ServiceLog>) -> Result<ListPage, ApiError> {
        let lang = cx.lang;
        let sort = query_param(&cx.uri, "sort");
        let names = chief_names(cx).await?;
        let mut t = Table::new(
            lang,
            &[
                ("日期", "Date"),
                ("首席专家", "Chief expert"),
                ("类别", "Kind"),
                ("服务内容", "What was done"),
                ("时长（小时）", "Hours"),
                ("服务人数", "People"),
            ],
        );
        t.empty = lang
            .tr("没有符合条件的服务记录。", "No service log entry matches.")
            .into();
        for e in &page.items {
            t.rows.push(vec![
                Cell::text(e.served_on.to_string()),
                Cell::link(
                    names.get(&e.chief_expert_id).cloned().unwrap_or_default(),
                    format!("/chief-experts/{}", e.chief_expert_id),
                ),
                Cell::text(lang.pick(&e.kind.label())),
                Cell::link(&e.title, format!("/service-log/{}", e.id)),
                num(e.hours, lang),
                num(e.people_served, lang),
            ]);
        }
        let mut chiefs: Vec<(String, String)> = names.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
        chiefs.sort();
        let filters = vec![
            Field::new(lang, "chief_expert_id", ("首席专家", "Chief expert"), "select").options(
                lang,
                chiefs,
                &chosen(&f.chief_expert_id),
            ),
            Field::new(lang, "kind", ("类别", "Kind"), "select").options(
                lang,
                code_options(lang, ServiceKind::ALL, ServiceKind::label, ServiceKind::as_str),
                &chosen(&f.kind),
            ),
            Field::new(lang, "year", ("年度", "Year"), "text").value(f.year.as_deref()),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("-served_on", "日期（新→旧）", "Newest first"),
                    ("served_on", "日期（旧→新）", "Oldest first"),
                ],
            ),
        ];
        Ok(list_view::<Self>(cx, filters, t, &page))
    }

    async fn detail_page(cx: &Ctx, e: ServiceLog) -> Result<DetailPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let chief = st.get_chief_expert(v, e.chief_expert_id).await?;
        let none = || Cell::opt(None::<String>, lang);
        let demand = match e.demand_id {
            Some(d) => related(st.get_demand(v, d).await)?,
            None => None,
        };
        let problem = match e.problem_id {
            Some(p) => related(st.get_problem(v, p).await)?,
            None => None,
        };
        let props = vec![
            (
                lang.tr("首席专家", "Chief expert").to_string(),
                Cell::link(&chief.person_name, format!("/chief-experts/{}", chief.id)),
            ),
            (lang.tr("类别", "Kind").into(), Cell::text(lang.pick(&e.kind.label()))),
            (lang.tr("日期", "Date").into(), Cell::text(e.served_on.to_string())),
            (lang.tr("地点", "Place").into(), Cell::opt(e.place.clone(), lang)),
            (lang.tr("时长（小时）", "Hours").into(), num(e.hours, lang)),
            (lang.tr("服务人数", "People served").into(), num(e.people_served, lang)),
            (
                lang.tr("承接/关联需求", "Demand").into(),
                demand.map_or_else(none, |d| Cell::link(&d.title, format!("/demands/{}", d.id))),
            ),
            (
                lang.tr("解决的问题", "Problem").into(),
                problem.map_or_else(none, |p| Cell::link(&p.title, format!("/problems/{}", p.id))),
            ),
        ];
        Ok(DetailPage {
            props,
            long_text: e
                .details
                .iter()
                .map(|t| (lang.tr("服务情况", "Details").to_string(), t.clone()))
                .collect(),
            ..record_page::<Self>(cx, e.id, e.title.clone(), e.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &ServiceLogInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let mut chiefs = Vec::new();
        for (id, n) in chief_names(cx).await? {
            if st.may_keep_log(v, id).await? {
                chiefs.push((id.to_string(), n));
            }
        }
        chiefs.sort();
        // The demands matched to the chosen expert in their area.
        let mut demands: Vec<(String, String)> = Vec::new();
        if let Some(c) = hezuo_domain::input::opt_text(&i.chief_expert_id).and_then(|s| s.parse::<i64>().ok())
            && let Some(list) = related(st.chief_expert_demands(v, c).await)?
        {
            demands = list
                .into_iter()
                .map(|d| (d.demand_id.to_string(), format!("{}（{}）", d.title, d.enterprise_name)))
                .collect();
            demands.dedup();
        }
        Ok(vec![
            Field::new(lang, "chief_expert_id", ("首席专家", "Chief expert"), "select")
                .required()
                .options(lang, chiefs, &chosen(&i.chief_expert_id)),
            Field::new(lang, "kind", ("类别", "Kind"), "select").required().options(
                lang,
                code_options(lang, ServiceKind::ALL, ServiceKind::label, ServiceKind::as_str),
                &chosen(&i.kind),
            ),
            Field::new(lang, "served_on", ("服务日期", "Date"), "date")
                .value(i.served_on.as_deref())
                .required()
                .help(lang, ("不能晚于今天。", "Not after today.")),
            Field::new(lang, "title", ("服务内容", "What was done"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "place", ("地点", "Place"), "text").value(i.place.as_deref()),
            Field::new(lang, "hours", ("时长（小时）", "Hours"), "number").value(i.hours.as_deref()),
            Field::new(lang, "people_served", ("服务人数", "People served"), "number")
                .value(i.people_served.as_deref()),
            Field::new(lang, "demand_id", ("承接/关联需求", "Demand"), "select")
                .options(lang, demands, &chosen(&i.demand_id))
                .help(
                    lang,
                    (
                        "可选：匹配给该专家的需求。",
                        "Optional: a demand matched to this expert.",
                    ),
                ),
            Field::new(lang, "problem_id", ("解决的问题编号", "Problem id"), "number").value(i.problem_id.as_deref()),
            Field::new(lang, "details", ("服务情况", "Details"), "textarea")
                .value(i.details.as_deref())
                .help(
                    lang,
                    (
                        "保存后可在记录页面上传照片、签到表等附件。",
                        "Once saved, upload photos or sign-in sheets from the entry's page.",
                    ),
                ),
        ])
    }
}
