//! The ledger's pages: the list with its totals per kind on top, the record page with the kind's
//! own fields, its links and the office's confirm/return, and the form whose fields say which
//! kinds need them.

use super::{Outcomes, outcome_table, status_cell, totals_table, wan};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related};
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, PageForm, Section, Table, archived_filter, chosen, code_options,
    query_param, sort_field,
};
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::outcome::{
    ContractKind, GrantorLevel, Outcome, OutcomeFilter, OutcomeInput, OutcomeKind, OutcomeStatus, PatentStatus,
};
use hezuo_domain::research_result::TransferMode;
use hezuo_domain::{ListParams, Money, Page, input::opt_text};

fn yes_no(lang: Lang) -> Vec<(String, String)> {
    vec![
        ("true".into(), lang.tr("是", "Yes").into()),
        ("false".into(), lang.tr("否", "No").into()),
    ]
}

fn flag_text(lang: Lang, b: Option<bool>) -> Cell {
    match b {
        Some(true) => Cell::text(lang.tr("是", "Yes")),
        Some(false) => Cell::text(lang.tr("否", "No")),
        None => Cell::opt(None::<String>, lang),
    }
}

fn kinds(lang: Lang) -> Vec<(String, String)> {
    code_options(lang, OutcomeKind::ALL, OutcomeKind::label, OutcomeKind::as_str)
}

impl Pages for Outcomes {
    const NAV: &'static str = "outcomes";

    fn heading(lang: Lang) -> String {
        lang.tr("成果台账", "Outcomes").into()
    }
    fn title(r: &Outcome) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &OutcomeFilter, page: Page<Outcome>) -> Result<ListPage, ApiError> {
        let (lang, uri) = (cx.lang, &cx.uri);
        let sort = query_param(uri, "sort");
        let table = outcome_table(cx.store(), lang, &page.items).await?;
        let totals = cx.store().outcome_totals(cx.viewer(), f).await?;
        let mut statuses = code_options(lang, OutcomeStatus::ALL, OutcomeStatus::label, OutcomeStatus::as_str);
        statuses.push((
            "unconfirmed".into(),
            lang.tr("未确认（待确认或已退回）", "Unconfirmed").into(),
        ));
        let filters = vec![
            Field::new(lang, "q", ("名称、编号", "Title, number"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类别", "Kind"), "select").options(lang, kinds(lang), &chosen(&f.kind)),
            Field::new(lang, "status", ("状态", "Status"), "select").options(lang, statuses, &chosen(&f.status)),
            Field::new(lang, "year", ("年度", "Year"), "text").value(f.year.as_deref()),
            Field::new(lang, "from", ("起始日期", "From"), "date").value(f.from.as_deref()),
            Field::new(lang, "to", ("截止日期", "To"), "date").value(f.to.as_deref()),
            Field::new(lang, "county", ("区县代码", "County code"), "text").value(f.county.as_deref()),
            Field::new(lang, "in_city", ("在衢转化", "Used in the city"), "select").options(
                lang,
                yes_no(lang),
                &chosen(&f.in_city),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("-occurred_on", "日期（新→旧）", "Newest first"),
                    ("occurred_on", "日期（旧→新）", "Oldest first"),
                    ("-amount_fen", "金额（大→小）", "Largest amount first"),
                    ("title", "名称", "Title"),
                ],
            ),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        view.summary = Some((
            lang.tr(
                "分类合计（已确认的计入统计；未确认的另列）",
                "Totals per kind (confirmed ones count; unconfirmed shown apart)",
            )
            .into(),
            totals_table(lang, &totals),
        ));
        let q = uri.query().unwrap_or("");
        view.links.push((
            lang.tr("导出 Excel", "Export to Excel").into(),
            format!("/api/v1/outcomes?{q}{}format=xlsx", if q.is_empty() { "" } else { "&" }),
        ));
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, o: Outcome) -> Result<DetailPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let mut org_ids = o.party_ids.clone();
        org_ids.push(o.organization_id);
        org_ids.extend(o.enterprise_id);
        let names = st.organization_names(&org_ids).await?;
        let org = |id: i64| {
            Cell::link(
                names.get(&id).cloned().unwrap_or_default(),
                format!("/organizations/{id}"),
            )
        };
        let none = || Cell::opt(None::<String>, lang);
        let mut props = vec![
            (
                lang.tr("类别", "Kind").to_string(),
                Cell::text(lang.pick(&o.kind.label())),
            ),
            (lang.tr("日期", "Date").into(), Cell::text(o.occurred_on.to_string())),
            (lang.tr("登记单位", "Reported by").into(), org(o.organization_id)),
        ];
        if o.amount_fen.is_some() || o.kind.needs_amount() {
            props.push((
                format!(
                    "{}{}",
                    lang.pick(&o.kind.amount_label()),
                    lang.tr("（万元）", " (×10k CNY)")
                ),
                Cell::text(wan(o.amount_fen)),
            ));
        }
        let mut text = |zh: &'static str, en: &'static str, v: &Option<String>| {
            props.push((lang.tr(zh, en).into(), Cell::opt(v.clone(), lang)));
        };
        match o.kind {
            OutcomeKind::Funding => {
                text("项目计划", "Programme", &o.programme);
                text(
                    "下达级别",
                    "Grantor level",
                    &o.grantor_level.map(|g| lang.pick(&g.label()).to_string()),
                );
            }
            OutcomeKind::Contract => {
                text(
                    "合同类别",
                    "Contract kind",
                    &o.contract_kind.map(|g| lang.pick(&g.label()).to_string()),
                );
                text("合同登记号", "Registration number", &o.registration_no);
                text(
                    "已到账（万元）",
                    "Received (×10k CNY)",
                    &o.received_fen.map(|f| Money(f).wan()),
                );
                props.push((
                    lang.tr("技术市场登记", "Registered in the technology market").into(),
                    flag_text(lang, o.market_registered),
                ));
            }
            OutcomeKind::Patent => {
                text("专利申请号", "Patent number", &o.patent_no);
                text(
                    "专利状态",
                    "Patent status",
                    &o.patent_status.map(|g| lang.pick(&g.label()).to_string()),
                );
            }
            OutcomeKind::Transfer => {
                text(
                    "转化方式",
                    "Transfer mode",
                    &o.transfer_mode.map(|g| lang.pick(&g.label()).to_string()),
                );
                props.push((
                    lang.tr("承接企业", "Enterprise").into(),
                    o.enterprise_id.map(org).unwrap_or_else(none),
                ));
                props.push((
                    lang.tr("在衢转化", "Used in the city").into(),
                    flag_text(lang, o.in_city),
                ));
            }
            OutcomeKind::Award => text("授奖单位", "Awarded by", &o.issuer),
            OutcomeKind::Standard => text("发布单位", "Issued by", &o.issuer),
            OutcomeKind::Policy => text("采纳单位", "Adopted by", &o.issuer),
            OutcomeKind::Talent => text("培养人数", "People trained", &o.quantity.map(|q| q.to_string())),
            OutcomeKind::Product | OutcomeKind::Revenue => {}
        }
        // Where it came from: each link the reader may follow.
        let links: [(&str, &str, Option<i64>, &str); 7] = [
            ("合作项目", "Project", o.project_id, "projects"),
            ("技术需求", "Demand", o.demand_id, "demands"),
            ("匹配对接", "Match", o.match_id, "matches"),
            ("共建平台", "Platform", o.platform_id, "platforms"),
            ("合作协议", "Agreement", o.agreement_id, "agreements"),
            ("科技成果", "Research result", o.result_id, "results"),
            ("进度填报", "Progress report", o.report_id, "reports"),
        ];
        // Titles of what the reader may see; the others read as their number.
        let mut titles = std::collections::HashMap::new();
        if let Some(id) = o.project_id
            && let Some(p) = related(st.get_project(v, id).await)?
        {
            titles.insert("projects", p.title);
        }
        if let Some(id) = o.demand_id
            && let Some(d) = related(st.get_demand(v, id).await)?
        {
            titles.insert("demands", d.title);
        }
        if let Some(id) = o.agreement_id
            && let Some(a) = related(st.get_agreement(v, id).await)?
        {
            titles.insert("agreements", a.title);
        }
        if let Some(id) = o.result_id
            && let Some(r) = related(st.get_result(v, id).await)?
        {
            titles.insert("results", r.title);
        }
        for (zh, en, id, plural) in links {
            if let Some(id) = id {
                let text = titles.remove(plural).unwrap_or_else(|| format!("#{id}"));
                let href = match plural {
                    "matches" => format!("/demands/{}#matches", o.demand_id.unwrap_or_default()),
                    "reports" => format!("/projects/{}#reports", o.project_id.unwrap_or_default()),
                    _ => format!("/{plural}/{id}"),
                };
                props.push((lang.tr(zh, en).into(), Cell::link(text, href)));
            }
        }
        if let Some(by) = &o.confirmed_by {
            props.push((
                lang.tr("确认", "Confirmed").into(),
                Cell::text(format!(
                    "{by} {}",
                    o.confirmed_on.map(|d| d.to_string()).unwrap_or_default()
                )),
            ));
        }
        let mut parties = Table::new(lang, &[("单位", "Organisation")]);
        parties.empty = lang.tr("无其他单位。", "No other organisation.").into();
        for id in &o.party_ids {
            parties.rows.push(vec![org(*id)]);
        }
        let people_names = st.people_named(&o.person_ids).await?;
        let mut people = Table::new(lang, &[("人员", "Person")]);
        people.empty = lang.tr("未列人员。", "No people named.").into();
        for id in &o.person_ids {
            people.rows.push(vec![Cell::link(
                people_names.get(id).cloned().unwrap_or_default(),
                format!("/people/{id}"),
            )]);
        }
        let sections = vec![
            Section {
                id: "parties",
                title: lang.tr("计入的其他单位", "Also counts for").into(),
                table: parties,
                add: None,
            },
            Section {
                id: "persons",
                title: lang.tr("计入的人员", "People it counts for").into(),
                table: people,
                add: None,
            },
        ];
        let mut long_text = Vec::new();
        if o.status == OutcomeStatus::Returned
            && let Some(r) = &o.reason
        {
            long_text.push((lang.tr("退回原因", "Why it was returned").to_string(), r.clone()));
        }
        if let Some(n) = &o.note {
            long_text.push((lang.tr("备注", "Note").to_string(), n.clone()));
        }
        // The office confirms or returns; the others see the status.
        let forms = (v.role == Role::Office && !o.archived).then(|| {
            let mut forms = Vec::new();
            if o.status.may_become(OutcomeStatus::Confirmed) {
                forms.push(PageForm {
                    id: "confirm".into(),
                    action: format!("/outcomes/{}/confirm", o.id),
                    fields: vec![],
                    submit: lang.tr("确认", "Confirm").into(),
                    class: "primary",
                    confirm: None,
                    multipart: false,
                });
            }
            if o.status.may_become(OutcomeStatus::Returned) {
                forms.push(PageForm {
                    id: "return".into(),
                    action: format!("/outcomes/{}/return", o.id),
                    fields: vec![Field::new(lang, "reason", ("退回原因", "Why it is returned"), "textarea").required()],
                    submit: lang.tr("退回", "Return").into(),
                    class: "",
                    confirm: None,
                    multipart: false,
                });
            }
            (lang.tr("审核", "Review").to_string(), forms)
        });
        Ok(DetailPage {
            badges: vec![status_cell(lang, o.status)],
            props,
            long_text,
            sections,
            forms: forms.filter(|(_, f)| !f.is_empty()),
            notice: (o.status != OutcomeStatus::Confirmed).then(|| {
                lang.tr(
                    "本条成果尚未经协调办确认，暂不计入统计。",
                    "Not confirmed by the office yet: it does not count in statistics.",
                )
                .to_string()
            }),
            ..record_page::<Self>(cx, o.id, o.title.clone(), o.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &OutcomeInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let orgs: Vec<(String, String)> = st
            .organization_options(v)
            .await?
            .into_iter()
            .map(|(id, n, _)| (id.to_string(), n))
            .collect();
        let all_orgs: Vec<(String, String)> = st
            .all_organization_names()
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let projects: Vec<(String, String)> = st
            .list_projects(v, &Default::default(), &ListParams::first(200))
            .await?
            .items
            .into_iter()
            .map(|p| (p.id.to_string(), p.title))
            .collect();
        let agreements: Vec<(String, String)> = st
            .agreement_options(v)
            .await?
            .into_iter()
            .map(|(id, t)| (id.to_string(), t))
            .collect();
        let people = crate::views::person_choices(st, v).await?;
        // A unit or an enterprise reports its own.
        let own = match v.scope {
            Scope::Org(o) => Some(o.to_string()),
            _ => None,
        };
        let organization = i.organization_id.clone().or(own);
        let amount = match (opt_text(&i.amount_wan), opt_text(&i.amount_fen)) {
            (Some(w), _) => Some(w.to_string()),
            (None, Some(f)) => f.parse::<i64>().ok().map(|f| Money(f).wan()),
            _ => None,
        };
        let received = match (opt_text(&i.received_wan), opt_text(&i.received_fen)) {
            (Some(w), _) => Some(w.to_string()),
            (None, Some(f)) => f.parse::<i64>().ok().map(|f| Money(f).wan()),
            _ => None,
        };
        let list = |v: &[String]| -> Vec<String> {
            v.iter()
                .flat_map(|s| s.split(','))
                .map(|s| s.trim().to_string())
                .collect()
        };
        let code = |name: &'static str, label: (&str, &str), opts: Vec<(String, String)>, val: &Option<String>| {
            Field::new(lang, name, label, "select").options(lang, opts, &chosen(val))
        };
        Ok(vec![
            Field::new(lang, "kind", ("类别", "Kind"), "select")
                .required()
                .options(lang, kinds(lang), &chosen(&i.kind))
                .help(
                    lang,
                    (
                        "标 * 的为各类成果都要填的；其余字段按类别填写，见各字段说明。",
                        "Starred fields are needed for every kind; the others as each one's hint says.",
                    ),
                ),
            Field::new(lang, "title", ("成果名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "occurred_on", ("发生日期", "Date"), "date")
                .value(i.occurred_on.as_deref())
                .required(),
            Field::new(lang, "organization_id", ("登记单位", "Reported by"), "select")
                .required()
                .options(lang, orgs, &chosen(&organization)),
            Field::new(lang, "amount_wan", ("金额（万元）", "Amount (×10k CNY)"), "number")
                .value(amount.as_deref())
                .help(
                    lang,
                    (
                        "科技经费、技术合同（合同金额）、新产品（销售额）、新增效益必填；成果转化填转化金额。",
                        "Needed for funding, contracts (contract amount), products (sales) and revenue; a transfer's price.",
                    ),
                ),
            Field::new(lang, "programme", ("项目计划（科技经费）", "Programme (funding)"), "text")
                .value(i.programme.as_deref()),
            code(
                "grantor_level",
                ("下达级别（科技经费）", "Grantor level (funding)"),
                code_options(lang, GrantorLevel::ALL, GrantorLevel::label, GrantorLevel::as_str),
                &i.grantor_level,
            ),
            code(
                "contract_kind",
                ("合同类别（技术合同）", "Contract kind (contract)"),
                code_options(lang, ContractKind::ALL, ContractKind::label, ContractKind::as_str),
                &i.contract_kind,
            ),
            Field::new(lang, "registration_no", ("合同登记号（技术合同）", "Registration no. (contract)"), "text")
                .value(i.registration_no.as_deref()),
            Field::new(lang, "received_wan", ("已到账（万元，技术合同）", "Received (×10k CNY, contract)"), "number")
                .value(received.as_deref()),
            code(
                "market_registered",
                ("技术市场登记（技术合同）", "Registered in the technology market (contract)"),
                yes_no(lang),
                &i.market_registered,
            ),
            Field::new(lang, "patent_no", ("专利申请号（专利）", "Patent number (patent)"), "text")
                .value(i.patent_no.as_deref())
                .help(lang, ("如 CN202110123456.5", "e.g. CN202110123456.5")),
            code(
                "patent_status",
                ("专利状态（专利）", "Patent status (patent)"),
                code_options(lang, PatentStatus::ALL, PatentStatus::label, PatentStatus::as_str),
                &i.patent_status,
            ),
            code(
                "transfer_mode",
                ("转化方式（成果转化）", "Transfer mode (transfer)"),
                code_options(lang, TransferMode::ALL, TransferMode::label, TransferMode::as_str),
                &i.transfer_mode,
            ),
            Field::new(lang, "enterprise_id", ("承接企业（成果转化）", "Enterprise (transfer)"), "select").options(
                lang,
                all_orgs.clone(),
                &chosen(&i.enterprise_id),
            ),
            code(
                "in_city",
                ("在衢转化（成果转化）", "Used in the city (transfer)"),
                yes_no(lang),
                &i.in_city,
            )
            .help(
                lang,
                (
                    "不填时按承接企业所在行政区划判断。",
                    "When left blank, decided by the enterprise's division code.",
                ),
            ),
            Field::new(
                lang,
                "issuer",
                ("授奖/发布/采纳单位（获奖、标准、决策咨询）", "Given, issued or adopted by (award, standard, policy)"),
                "text",
            )
            .value(i.issuer.as_deref()),
            Field::new(lang, "quantity", ("培养人数（人才培养）", "People trained (talent)"), "number")
                .value(i.quantity.as_deref()),
            code(
                "project_id",
                ("来源项目", "From project"),
                projects,
                &i.project_id,
            ),
            code("agreement_id", ("来源协议", "From agreement"), agreements, &i.agreement_id),
            Field::new(lang, "demand_id", ("来源需求编号", "From demand (id)"), "text")
                .value(i.demand_id.as_deref())
                .help(
                    lang,
                    (
                        "可不填：选了匹配或项目时自动带出。",
                        "Optional: filled from the match or the project.",
                    ),
                ),
            Field::new(lang, "match_id", ("来源匹配编号", "From match (id)"), "text").value(i.match_id.as_deref()),
            Field::new(lang, "result_id", ("关联科技成果编号", "Research result (id)"), "text")
                .value(i.result_id.as_deref()),
            Field::new(lang, "platform_id", ("来源平台编号", "From platform (id)"), "text")
                .value(i.platform_id.as_deref()),
            Field::new(lang, "report_id", ("随进度填报编号", "With progress report (id)"), "text")
                .value(i.report_id.as_deref()),
            Field::new(lang, "party_ids", ("计入的其他单位（可多选）", "Also counts for (organisations)"), "multi")
                .options(lang, all_orgs, &list(&i.party_ids)),
            Field::new(lang, "person_ids", ("计入的人员（可多选）", "People it counts for"), "multi").options(
                lang,
                people,
                &list(&i.person_ids),
            ),
            Field::new(lang, "note", ("备注", "Note"), "textarea").value(i.note.as_deref()),
        ])
    }
}
