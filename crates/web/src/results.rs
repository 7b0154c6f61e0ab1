//! Research results (科技成果): the university's patents, software, varieties, methods and products,
//! with their owners, maturity, transfer mode and price, and — once transferred — to whom, when and
//! for how much. API and pages through the shared record handlers.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, resource, routes};
use crate::state::AppState;
use crate::views::{Cell, Ctx, DetailPage, Field, ListPage, Section, Table, archived_filter, chosen, code_options};
use axum::Router;
use hezuo_domain::person::{Person, PersonFilter};
use hezuo_domain::research_result::{
    Maturity, ResearchResult, ResultData, ResultFilter, ResultInput, ResultKind, ResultStatus, TransferMode,
};
use hezuo_domain::{ListParams, Page};
use hezuo_store::Viewer;
use std::collections::HashMap;

resource!(
    Results,
    "results",
    hezuo_domain::RecordKind::ResearchResult,
    ResearchResult,
    ResultInput,
    ResultData,
    ResultFilter,
    list_results,
    get_result,
    create_result,
    update_result,
    set_result_archived
);

pub fn router() -> Router<AppState> {
    routes::<Results>()
}

/// The people `ids` that `v` may see (those out of reach are left out).
pub(crate) async fn people_by_id(s: &AppState, v: &Viewer, ids: &[i64]) -> Result<HashMap<i64, Person>, ApiError> {
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        if let Some(p) = related(s.store.get_person(v, *id).await)? {
            out.insert(*id, p);
        }
    }
    Ok(out)
}

/// The experts `v` may choose from in a form: (id, "name"), at most 200.
pub(crate) async fn expert_options(s: &AppState, v: &Viewer) -> Result<Vec<(String, String)>, ApiError> {
    let people = s
        .store
        .list_people(
            v,
            &PersonFilter {
                is_expert: Some("true".into()),
                ..Default::default()
            },
            &ListParams {
                per_page: Some("200".into()),
                sort: Some("name".into()),
                ..Default::default()
            },
        )
        .await?;
    Ok(people.items.into_iter().map(|p| (p.id.to_string(), p.name)).collect())
}

/// A link to a person, or their number when they are outside the user's reach.
pub(crate) fn person_cell(lang: Lang, people: &HashMap<i64, Person>, id: i64) -> Cell {
    match people.get(&id) {
        Some(p) => Cell::link(&p.name, format!("/people/{id}")),
        None => Cell {
            text: format!("{} #{id}", lang.tr("专家", "Expert")),
            href: None,
            class: "muted".into(),
            ..Default::default()
        },
    }
}

fn status_badge(lang: Lang, s: ResultStatus) -> Cell {
    Cell::badge(lang.pick(&s.label()), format!("s-{}", s.as_str()))
}

fn yes_no(lang: Lang) -> Vec<(String, String)> {
    vec![
        ("true".into(), lang.tr("是", "Yes").into()),
        ("false".into(), lang.tr("否", "No").into()),
    ]
}

impl Pages for Results {
    const NAV: &'static str = "results";

    fn heading(lang: Lang) -> String {
        lang.tr("科技成果", "Research results").into()
    }
    fn title(r: &ResearchResult) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &ResultFilter, page: Page<ResearchResult>) -> Result<ListPage, ApiError> {
        let lang = cx.lang;
        let mut table = Table::new(
            lang,
            &[
                ("成果名称", "Result"),
                ("类型", "Kind"),
                ("成熟度", "Maturity"),
                ("转化方式", "Transfer mode"),
                ("价格（万元）", "Price (×10k CNY)"),
                ("状态", "Status"),
            ],
        );
        for r in &page.items {
            table.rows.push(vec![
                Cell::link(&r.title, format!("/results/{}", r.id)),
                Cell::text(lang.pick(&r.kind.label())),
                Cell::text(lang.pick(&r.maturity.label())),
                Cell::text(lang.pick(&r.transfer_mode.label())),
                Cell::opt(r.price_wan.map(|m| m.wan()), lang),
                status_badge(lang, r.status),
            ]);
        }
        let filters = vec![
            Field::new(lang, "q", ("成果名称或关键词", "Title or keyword"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, ResultKind::ALL, ResultKind::label, ResultKind::as_str),
                &chosen(&f.kind),
            ),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, ResultStatus::ALL, ResultStatus::label, ResultStatus::as_str),
                &chosen(&f.status),
            ),
            archived_filter(lang, &f.archived),
        ];
        let unfiltered = [&f.q, &f.kind, &f.status, &f.owner_id, &f.archived]
            .iter()
            .all(|v| v.as_deref().unwrap_or("").trim().is_empty());
        let mut view = list_view::<Self>(cx, filters, table, &page);
        if unfiltered {
            view.table.empty = lang.tr("还没有登记科技成果。", "No research results yet.").into();
        }
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, r: ResearchResult) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let people = people_by_id(s, &who.viewer, &r.owner_ids).await?;
        // One owner is linked in place; several are joined here and each linked in the table below.
        let owners = match r.owner_ids.as_slice() {
            [] => Cell::opt(None::<String>, lang),
            [one] => person_cell(lang, &people, *one),
            many => Cell::text(
                many.iter()
                    .map(|id| person_cell(lang, &people, *id).text)
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
        };
        let org_ids: Vec<i64> = people.values().map(|p| p.organization_id).collect();
        let orgs = s.store.organization_names(&org_ids).await?;
        let mut owner_table = Table::new(
            lang,
            &[("姓名", "Name"), ("单位", "Organisation"), ("职称/职务", "Title")],
        );
        for id in &r.owner_ids {
            let p = people.get(id);
            owner_table.rows.push(vec![
                person_cell(lang, &people, *id),
                Cell::opt(p.and_then(|p| orgs.get(&p.organization_id).cloned()), lang),
                Cell::opt(p.and_then(|p| p.title.clone()), lang),
            ]);
        }
        let mut props = vec![
            (lang.tr("成果完成人", "Owners").to_string(), owners),
            (lang.tr("类型", "Kind").into(), Cell::text(lang.pick(&r.kind.label()))),
            (
                lang.tr("成熟度", "Maturity").into(),
                Cell::text(lang.pick(&r.maturity.label())),
            ),
            (
                lang.tr("知识产权编号", "IP number").into(),
                Cell::opt(r.ip_number.clone(), lang),
            ),
            (
                lang.tr("转化方式", "Transfer mode").into(),
                Cell::text(lang.pick(&r.transfer_mode.label())),
            ),
            (
                lang.tr("价格（万元）", "Price (×10k CNY)").into(),
                Cell::opt(r.price_wan.map(|m| m.wan()), lang),
            ),
            (lang.tr("状态", "Status").into(), status_badge(lang, r.status)),
            (
                lang.tr("学科", "Discipline").into(),
                Cell::opt(r.discipline.clone(), lang),
            ),
            (
                lang.tr("年份", "Year").into(),
                Cell::opt(r.year.map(|y| y.to_string()), lang),
            ),
            (
                lang.tr("关键词", "Keywords").into(),
                if r.keywords.is_empty() {
                    Cell::opt(None::<String>, lang)
                } else {
                    Cell::text(r.keywords.join("、"))
                },
            ),
        ];
        if r.status == ResultStatus::Transferred {
            let transferee = match r.transferee_id {
                Some(id) => {
                    let n = s.store.organization_names(&[id]).await?;
                    Cell::link(
                        n.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
                        format!("/organizations/{id}"),
                    )
                }
                None => Cell::opt(None::<String>, lang),
            };
            props.push((lang.tr("受让方", "Transferee").into(), transferee));
            props.push((
                lang.tr("转化日期", "Transferred on").into(),
                Cell::opt(r.transferred_on.map(|d| d.to_string()), lang),
            ));
            props.push((
                lang.tr("转化金额（万元）", "Amount (×10k CNY)").into(),
                Cell::opt(r.transfer_amount_wan.map(|m| m.wan()), lang),
            ));
            props.push((
                lang.tr("本地转化", "Transferred locally").into(),
                Cell::opt(
                    r.transferred_locally
                        .map(|b| if b { lang.tr("是", "Yes") } else { lang.tr("否", "No") }),
                    lang,
                ),
            ));
        }
        let mut long_text = Vec::new();
        if let Some(t) = &r.summary {
            long_text.push((lang.tr("成果简介", "Summary").to_string(), t.clone()));
        }
        Ok(DetailPage {
            badges: vec![status_badge(lang, r.status)],
            props,
            long_text,
            sections: vec![Section {
                id: "owners",
                title: lang.tr("成果完成人", "Owners").into(),
                table: owner_table,
                add: None,
            }],
            ..record_page::<Self>(cx, r.id, r.title.clone(), r.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &ResultInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let mut experts = expert_options(s, &who.viewer).await?;
        // Owners the user cannot reach stay chosen (and are kept on saving).
        for id in &i.owner_ids {
            if !experts.iter().any(|(v, _)| v == id.trim()) {
                experts.push((
                    id.trim().to_string(),
                    format!("{} #{}", lang.tr("专家", "Expert"), id.trim()),
                ));
            }
        }
        // The transferee is usually an enterprise: those in the user's scope, then the public bodies.
        let mut orgs: Vec<(String, String)> = s
            .store
            .organization_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, n, _)| (id.to_string(), n))
            .collect();
        for (id, n) in s.store.all_organization_names().await? {
            let id = id.to_string();
            if !orgs.iter().any(|(v, _)| *v == id) {
                orgs.push((id, n));
            }
        }
        if let Some(id) = i.transferee_id.as_deref().map(str::trim).filter(|id| !id.is_empty())
            && !orgs.iter().any(|(v, _)| v == id)
        {
            orgs.push((id.to_string(), format!("{} #{id}", lang.tr("单位", "Organisation"))));
        }
        Ok(vec![
            Field::new(lang, "title", ("成果名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "kind", ("类型", "Kind"), "select").required().options(
                lang,
                code_options(lang, ResultKind::ALL, ResultKind::label, ResultKind::as_str),
                &chosen(&i.kind),
            ),
            Field::new(lang, "owner_ids", ("成果完成人", "Owners"), "multi")
                .options(lang, experts, &i.owner_ids)
                .help(
                    lang,
                    ("从专家中选择，可多选。", "Choose among the experts; several allowed."),
                ),
            Field::new(lang, "discipline", ("学科", "Discipline"), "text").value(i.discipline.as_deref()),
            Field::new(lang, "keywords", ("关键词", "Keywords"), "text")
                .value(Some(&i.keywords.join("、")))
                .help(lang, ("用顿号或逗号分隔。", "Separate with commas.")),
            Field::new(lang, "summary", ("成果简介", "Summary"), "textarea").value(i.summary.as_deref()),
            Field::new(lang, "maturity", ("成熟度", "Maturity"), "select").options(
                lang,
                code_options(lang, Maturity::ALL, Maturity::label, Maturity::as_str),
                &chosen(&i.maturity),
            ),
            Field::new(lang, "ip_number", ("知识产权编号", "IP number"), "text")
                .value(i.ip_number.as_deref())
                .help(
                    lang,
                    (
                        "专利填申请号，如 CN202110123456.5（校验位会被核对）。",
                        "For a patent, its application number, e.g. CN202110123456.5 (the check digit is verified).",
                    ),
                ),
            Field::new(lang, "year", ("年份", "Year"), "number").value(i.year.as_deref()),
            Field::new(lang, "transfer_mode", ("转化方式", "Transfer mode"), "select").options(
                lang,
                code_options(lang, TransferMode::ALL, TransferMode::label, TransferMode::as_str),
                &chosen(&i.transfer_mode),
            ),
            Field::new(lang, "price_wan", ("价格（万元）", "Price (×10k CNY)"), "number").value(i.price_wan.as_deref()),
            Field::new(
                lang,
                "price_public",
                (
                    "在公开门户显示价格（不勾选则显示“面议”）",
                    "Show the price on the public portal",
                ),
                "checkbox",
            )
            .value(i.price_public.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, ResultStatus::ALL, ResultStatus::label, ResultStatus::as_str),
                &chosen(&i.status),
            ),
            Field::new(lang, "transferee_id", ("受让方", "Transferee"), "select")
                .options(lang, orgs, &chosen(&i.transferee_id))
                .help(lang, ("已转化时必填。", "Required once transferred.")),
            Field::new(lang, "transferred_on", ("转化日期", "Transferred on"), "date")
                .value(i.transferred_on.as_deref())
                .help(lang, ("已转化时必填。", "Required once transferred.")),
            Field::new(
                lang,
                "transfer_amount_wan",
                ("转化金额（万元）", "Amount (×10k CNY)"),
                "number",
            )
            .value(i.transfer_amount_wan.as_deref()),
            Field::new(
                lang,
                "transferred_locally",
                ("本地转化", "Transferred locally"),
                "select",
            )
            .options(lang, yes_no(lang), &chosen(&i.transferred_locally)),
        ])
    }
}
