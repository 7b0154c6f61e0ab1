//! Organisations (单位): API and pages. The detail page shows the tree around an organisation —
//! its children, people, agreements and projects.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, resource, routes};
use crate::state::AppState;
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, Section, Table, agreement_table, archived_filter, chosen, code_options,
    local_time, problem_table, project_table, query_param, sort_field,
};
use axum::Router;
use hezuo_domain::agreement::AgreementFilter;
use hezuo_domain::codes::{industries, zhejiang_divisions};
use hezuo_domain::organization::{OrgKind, Organization, OrganizationData, OrganizationFilter, OrganizationInput};
use hezuo_domain::person::PersonFilter;
use hezuo_domain::project::ProjectFilter;
use hezuo_domain::{ListParams, Page};

resource!(
    Organizations,
    "organizations",
    hezuo_domain::RecordKind::Organization,
    Organization,
    OrganizationInput,
    OrganizationData,
    OrganizationFilter,
    list_organizations,
    get_organization,
    create_organization,
    update_organization,
    set_organization_archived
);

pub fn router() -> Router<AppState> {
    routes::<Organizations>()
}

/// "330881 江山市"-style labels for the division menu.
fn division_options(current: Option<&str>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = zhejiang_divisions()
        .iter()
        .map(|d| (d.code.clone(), format!("{} {}", d.code, d.name)))
        .collect();
    if let Some(c) = current.filter(|c| !c.is_empty() && !v.iter().any(|(k, _)| k == c)) {
        v.insert(0, (c.to_string(), c.to_string()));
    }
    v
}

fn industry_options() -> Vec<(String, String)> {
    industries()
        .iter()
        .map(|i| {
            let label = if i.section.is_some() {
                format!("　{} {}", i.code, i.name)
            } else {
                format!("{} {}", i.code, i.name)
            };
            (i.code.clone(), label)
        })
        .collect()
}

fn region_label(o: &Organization) -> Option<String> {
    o.region_code.as_ref().map(|c| match o.region_name() {
        Some(n) => format!("{n}（{c}）"),
        None => c.clone(),
    })
}

fn industry_label(o: &Organization) -> Option<String> {
    o.industry_code.as_ref().map(|c| match o.industry_name() {
        Some(n) => format!("{c} {n}"),
        None => c.clone(),
    })
}

impl Pages for Organizations {
    const NAV: &'static str = "organizations";

    fn heading(lang: Lang) -> String {
        lang.tr("单位", "Organisations").into()
    }
    fn title(r: &Organization) -> String {
        r.name.clone()
    }

    async fn list_page(cx: &Ctx, f: &OrganizationFilter, page: Page<Organization>) -> Result<ListPage, ApiError> {
        let (s, lang, uri) = (&cx.s, cx.lang, &cx.uri);
        let sort = query_param(uri, "sort");
        let sort = sort.as_deref();
        let parents: Vec<i64> = page.items.iter().filter_map(|o| o.parent_id).collect();
        let names = s.store.organization_names(&parents).await?;
        let mut table = Table::new(
            lang,
            &[
                ("名称", "Name"),
                ("类型", "Kind"),
                ("上级单位", "Parent"),
                ("行政区划", "Division"),
                ("行业", "Industry"),
            ],
        );
        for o in &page.items {
            table.rows.push(vec![
                Cell::link(&o.name, format!("/organizations/{}", o.id)),
                Cell::text(lang.pick(&o.kind.label())),
                match o.parent_id {
                    Some(p) => Cell::link(
                        names.get(&p).cloned().unwrap_or_else(|| p.to_string()),
                        format!("/organizations/{p}"),
                    ),
                    None => Cell::opt(None::<String>, lang),
                },
                Cell::opt(region_label(o), lang),
                Cell::opt(industry_label(o), lang),
            ]);
        }
        let filters = vec![
            Field::new(lang, "q", ("名称", "Name"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, OrgKind::ALL, OrgKind::label, OrgKind::as_str),
                &f.kind.iter().cloned().collect::<Vec<_>>(),
            ),
            Field::new(lang, "region_code", ("行政区划代码", "Division code"), "text").value(f.region_code.as_deref()),
            Field::new(lang, "industry_code", ("行业代码", "Industry code"), "text").value(f.industry_code.as_deref()),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort,
                &[
                    ("id", "默认", "Default"),
                    ("name", "名称", "Name"),
                    ("region_code", "行政区划", "Division"),
                    ("-updated_at", "最近更新", "Recently updated"),
                ],
            ),
        ];
        Ok(list_view::<Self>(cx, filters, table, &page))
    }

    async fn detail_page(cx: &Ctx, o: Organization) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let st = &s.store;
        let parent = match o.parent_id {
            Some(p) => related(st.get_organization(&who.viewer, p).await)?,
            None => None,
        };
        let children = st.organization_children(&who.viewer, o.id).await?;
        let all = ListParams::first(200);
        let people = st
            .list_people(
                &who.viewer,
                &PersonFilter {
                    organization_id: Some(o.id.to_string()),
                    ..Default::default()
                },
                &all,
            )
            .await?;
        let agreements = st
            .list_agreements(
                &who.viewer,
                &AgreementFilter {
                    organization_id: Some(o.id.to_string()),
                    ..Default::default()
                },
                &all,
            )
            .await?;
        let projects = st
            .list_projects(
                &who.viewer,
                &ProjectFilter {
                    organization_id: Some(o.id.to_string()),
                    ..Default::default()
                },
                &all,
            )
            .await?;
        // Problems this organisation must settle.
        let owned = st
            .list_problems(
                &who.viewer,
                &hezuo_domain::problem::ProblemFilter {
                    owner_id: Some(o.id.to_string()),
                    open: Some("true".into()),
                    ..Default::default()
                },
                &all,
            )
            .await?;

        let mut props = vec![
            (
                lang.tr("类型", "Kind").to_string(),
                Cell::text(lang.pick(&o.kind.label())),
            ),
            (
                lang.tr("上级单位", "Parent").to_string(),
                match &parent {
                    Some(p) => Cell::link(&p.name, format!("/organizations/{}", p.id)),
                    None => Cell::opt(None::<String>, lang),
                },
            ),
            (
                lang.tr("简称", "Short name").to_string(),
                Cell::opt(o.short_name.clone(), lang),
            ),
            (
                lang.tr("行政区划", "Division").to_string(),
                Cell::opt(region_label(&o), lang),
            ),
        ];
        if o.kind == OrgKind::Enterprise || o.credit_code.is_some() {
            props.push((
                lang.tr("统一社会信用代码", "Unified social credit code").into(),
                Cell::opt(o.credit_code.clone(), lang),
            ));
            props.push((lang.tr("行业", "Industry").into(), Cell::opt(industry_label(&o), lang)));
        }
        props.push((lang.tr("地址", "Address").into(), Cell::opt(o.address.clone(), lang)));
        props.push((lang.tr("电话", "Phone").into(), Cell::opt(o.phone.clone(), lang)));
        props.push((lang.t().updated_at.into(), Cell::text(local_time(o.updated_at))));

        let mut kids = Table::new(lang, &[("名称", "Name"), ("类型", "Kind"), ("行政区划", "Division")]);
        for c in &children {
            kids.rows.push(vec![
                Cell::link(&c.name, format!("/organizations/{}", c.id)),
                Cell::text(lang.pick(&c.kind.label())),
                Cell::opt(region_label(c), lang),
            ]);
        }
        let mut ppl = Table::new(lang, &[("姓名", "Name"), ("职称/职务", "Title"), ("专家", "Expert")]);
        for p in &people.items {
            ppl.rows.push(vec![
                Cell::link(&p.name, format!("/people/{}", p.id)),
                Cell::opt(p.title.clone(), lang),
                Cell::text(if p.is_expert { lang.t().yes } else { "" }),
            ]);
        }
        let agr = agreement_table(lang, &agreements.items);
        let proj = project_table(s, lang, &projects.items).await?;
        let mut sections = vec![
            Section {
                id: "children",
                title: lang.tr("下级单位", "Child organisations").into(),
                table: kids,
                add: Some((
                    lang.tr("新增下级单位", "Add a child").into(),
                    format!("/organizations/new?parent_id={}", o.id),
                )),
            },
            Section {
                id: "people",
                title: lang.tr("人员", "People").into(),
                table: ppl,
                add: Some((
                    lang.tr("新增人员", "Add a person").into(),
                    format!("/people/new?organization_id={}", o.id),
                )),
            },
            Section {
                id: "agreements",
                title: lang.tr("参与的合作协议", "Agreements").into(),
                table: agr,
                add: None,
            },
            Section {
                id: "owned-problems",
                title: lang
                    .tr("本单位负责协调的问题", "Problems this organisation must settle")
                    .into(),
                table: problem_table(s, lang, &owned.items).await?,
                add: None,
            },
            Section {
                id: "projects",
                title: lang.tr("牵头或配合的项目", "Projects led or co-led").into(),
                table: proj,
                add: Some((
                    lang.tr("新增项目", "Add a project").into(),
                    format!("/projects/new?lead_unit_id={}", o.id),
                )),
            },
            crate::platforms::panel(
                cx,
                hezuo_domain::platform::PlatformFilter {
                    organization_id: Some(o.id.to_string()),
                    ..Default::default()
                },
                Some(format!("host_ids={}", o.id)),
            )
            .await?,
        ];
        // The meetings' decisions it must carry out, beside the problems it must settle.
        if let Some(d) = crate::events::owner_panel(cx.store(), cx.viewer(), lang, o.id).await? {
            sections.insert(3, d);
        }
        Ok(DetailPage {
            badges: vec![Cell::badge(
                lang.pick(&o.kind.label()),
                format!("k-{}", o.kind.as_str()),
            )],
            props,
            long_text: o
                .description
                .iter()
                .map(|d| (lang.tr("简介", "Description").to_string(), d.clone()))
                .collect(),
            sections,
            links: if cx.store().may_see_scorecard(cx.viewer(), o.id).await? {
                vec![(lang.tr("单位评价", "Scorecard").into(), format!("/scorecards/{}", o.id))]
            } else {
                vec![]
            },
            ..record_page::<Self>(cx, o.id, o.name.clone(), o.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &OrganizationInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let orgs = s.store.organization_options(&who.viewer).await?;
        let org_opts: Vec<(String, String)> = orgs.into_iter().map(|(id, name, _)| (id.to_string(), name)).collect();
        Ok(vec![
            Field::new(lang, "name", ("单位名称", "Name"), "text")
                .value(i.name.as_deref())
                .required(),
            Field::new(lang, "short_name", ("简称", "Short name"), "text").value(i.short_name.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").required().options(
                lang,
                code_options(lang, OrgKind::ALL, OrgKind::label, OrgKind::as_str),
                &chosen(&i.kind),
            ),
            Field::new(lang, "parent_id", ("上级单位", "Parent organisation"), "select")
                .options(lang, org_opts, &chosen(&i.parent_id))
                .help(
                    lang,
                    (
                        "学院应隶属于高校；区县、部门隶属于市。",
                        "A college sits under its university; counties and departments under the city.",
                    ),
                ),
            Field::new(lang, "region_code", ("行政区划", "Division (GB/T 2260)"), "select").options(
                lang,
                division_options(i.region_code.as_deref()),
                &chosen(&i.region_code),
            ),
            Field::new(
                lang,
                "credit_code",
                ("统一社会信用代码", "Unified social credit code"),
                "text",
            )
            .value(i.credit_code.as_deref())
            .help(
                lang,
                (
                    "18 位，企业必填，系统校验最后一位校验码。",
                    "18 characters, required for enterprises; the check character is verified.",
                ),
            ),
            Field::new(
                lang,
                "industry_code",
                ("国民经济行业分类", "Industry (GB/T 4754)"),
                "select",
            )
            .options(lang, industry_options(), &chosen(&i.industry_code))
            .help(
                lang,
                (
                    "企业必填，选择门类或大类。",
                    "Required for enterprises: a section or division.",
                ),
            ),
            Field::new(lang, "address", ("地址", "Address"), "text").value(i.address.as_deref()),
            Field::new(lang, "phone", ("电话", "Phone"), "text").value(i.phone.as_deref()),
            Field::new(lang, "description", ("简介", "Description"), "textarea").value(i.description.as_deref()),
        ])
    }
}
