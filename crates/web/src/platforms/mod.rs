//! Innovation platforms (共建平台): API and pages through `resource!`; the record page shows the
//! hosts, the agreement and project that built it, the people stationed there and the yearly
//! evaluations (`nested.rs`); `panel` is the table hosts', agreements', projects' and people's pages show.

mod nested;

pub use nested::{Counts, CountsQuery};

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, resource, routes};
use crate::state::AppState;
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, PageForm, Section, Table, archived_filter, chosen, code_options,
    query_param, sort_field,
};
use axum::Router;
use hezuo_domain::access::Action;
use hezuo_domain::platform::{
    Platform, PlatformData, PlatformFilter, PlatformInput, PlatformKind, PlatformLevel, PlatformStatus,
};
use hezuo_domain::{Page, RecordKind};
use hezuo_store::platforms::CountBy;

resource!(
    Platforms,
    "platforms",
    hezuo_domain::RecordKind::Platform,
    Platform,
    PlatformInput,
    PlatformData,
    PlatformFilter,
    list_platforms,
    get_platform,
    create_platform,
    update_platform,
    set_platform_archived
);

pub fn router() -> Router<AppState> {
    // The counts first: `/api/v1/platforms/counts` is not a record id.
    nested::router().merge(routes::<Platforms>())
}

/// A table of platforms: name, kind, level, hosts, status.
pub async fn platform_table(s: &AppState, lang: Lang, items: &[Platform]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().flat_map(|p| p.host_ids.iter().copied()).collect();
    let names = s.store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("平台名称", "Name"),
            ("类型", "Kind"),
            ("级别", "Level"),
            ("依托单位", "Hosts"),
            ("成立日期", "Established"),
            ("状态", "Status"),
        ],
    );
    t.empty = lang.tr("暂无共建平台。", "No platforms yet.").into();
    for p in items {
        let hosts: Vec<String> = p.host_ids.iter().filter_map(|h| names.get(h).cloned()).collect();
        t.rows.push(vec![
            Cell::link(&p.name, format!("/platforms/{}", p.id)),
            Cell::text(lang.pick(&p.kind.label())),
            Cell::text(lang.pick(&p.level.label())),
            Cell::text(hosts.join(lang.tr("、", ", "))),
            Cell::opt(p.established_on.map(|d| d.to_string()), lang),
            Cell::badge(lang.pick(&p.status.label()), format!("p-{}", p.status.as_str())),
        ]);
    }
    Ok(t)
}

/// The "共建平台" panel of another record's page: the platforms `f` selects, with a link to add
/// one (pre-filled by `new_query`) for whoever may.
pub async fn panel(cx: &Ctx, f: PlatformFilter, new_query: Option<String>) -> Result<Section, ApiError> {
    let page = cx
        .store()
        .list_platforms(cx.viewer(), &f, &hezuo_domain::ListParams::first(200))
        .await?;
    let add = match new_query {
        Some(q) if cx.can(RecordKind::Platform, None, Action::Create).await? => Some((
            cx.tr("新增平台", "Add a platform").to_string(),
            format!("/platforms/new?{q}"),
        )),
        _ => None,
    };
    Ok(Section {
        id: "platforms",
        title: cx.tr("共建平台", "Platforms built together").into(),
        table: platform_table(&cx.s, cx.lang, &page.items).await?,
        add,
    })
}

/// A small table of counts (by kind or level) whose rows link to the filtered list.
async fn counts_table(cx: &Ctx, by: CountBy, heading: (&str, &str), param: &str) -> Result<Table, ApiError> {
    let lang = cx.lang;
    let rows = cx.store().platform_counts(cx.viewer(), by).await?;
    let mut t = Table::new(lang, &[heading, ("数量", "Count")]);
    t.empty = lang.tr("暂无。", "None.").into();
    for r in rows {
        let label = match by {
            CountBy::Kind => PlatformKind::parse(&r.key).map(|k| lang.pick(&k.label()).to_string()),
            CountBy::Level => PlatformLevel::parse(&r.key).map(|k| lang.pick(&k.label()).to_string()),
            _ => None,
        }
        .unwrap_or(r.label);
        t.rows.push(vec![
            Cell::link(label, format!("/platforms?{param}={}", r.key)),
            Cell::text(r.count.to_string()),
        ]);
    }
    Ok(t)
}

impl Pages for Platforms {
    const NAV: &'static str = "platforms";

    fn heading(lang: Lang) -> String {
        lang.tr("共建平台", "Platforms").into()
    }
    fn title(r: &Platform) -> String {
        r.name.clone()
    }

    async fn list_page(cx: &Ctx, f: &PlatformFilter, page: Page<Platform>) -> Result<ListPage, ApiError> {
        let lang = cx.lang;
        let sort = query_param(&cx.uri, "sort");
        let table = platform_table(&cx.s, lang, &page.items).await?;
        let colleges: Vec<(String, String)> = cx
            .store()
            .platform_counts(cx.viewer(), CountBy::College)
            .await?
            .into_iter()
            .map(|r| (r.key, r.label))
            .collect();
        let counties: Vec<(String, String)> = cx
            .store()
            .platform_counts(cx.viewer(), CountBy::County)
            .await?
            .into_iter()
            .map(|r| (r.key, r.label))
            .collect();
        let filters = vec![
            Field::new(lang, "q", ("平台名称", "Name"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, PlatformKind::ALL, PlatformKind::label, PlatformKind::as_str),
                &chosen(&f.kind),
            ),
            Field::new(lang, "level", ("级别", "Level"), "select").options(
                lang,
                code_options(lang, PlatformLevel::ALL, PlatformLevel::label, PlatformLevel::as_str),
                &chosen(&f.level),
            ),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, PlatformStatus::ALL, PlatformStatus::label, PlatformStatus::as_str),
                &chosen(&f.status),
            ),
            Field::new(lang, "county", ("所在区县", "County"), "select").options(lang, counties, &chosen(&f.county)),
            Field::new(lang, "college", ("依托高校/学院", "College"), "select").options(
                lang,
                colleges,
                &chosen(&f.college),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("id", "登记顺序", "Recorded"),
                    ("name", "平台名称", "Name"),
                    ("-established_on", "成立日期（新→旧）", "Established, newest first"),
                ],
            ),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        view.table.empty = if page.total == 0 && f.q.is_none() && f.kind.is_none() && f.level.is_none() {
            lang.tr(
                "暂无共建平台。协调办或区县/学院联络员可点击“新增”登记联合研发中心、重点实验室、中试基地等平台。",
                "No platforms yet. The office or a coordinator can add joint R&D centres, key labs, pilot bases and more with “New”.",
            )
            .into()
        } else {
            lang.tr("没有符合条件的平台。", "No platform matches.").into()
        };
        view.aside = vec![
            (
                lang.tr("按类型统计", "By kind").to_string(),
                counts_table(cx, CountBy::Kind, ("类型", "Kind"), "kind").await?,
            ),
            (
                lang.tr("按级别统计", "By level").to_string(),
                counts_table(cx, CountBy::Level, ("级别", "Level"), "level").await?,
            ),
        ];
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, p: Platform) -> Result<DetailPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let names = st.organization_names(&p.host_ids).await?;
        let agreement = match p.agreement_id {
            Some(a) => related(st.get_agreement(v, a).await)?,
            None => None,
        };
        let project = match p.project_id {
            Some(x) => related(st.get_project(v, x).await)?,
            None => None,
        };
        let none = || Cell::opt(None::<String>, lang);
        let props = vec![
            (
                lang.tr("类型", "Kind").to_string(),
                Cell::text(lang.pick(&p.kind.label())),
            ),
            (lang.tr("级别", "Level").into(), Cell::text(lang.pick(&p.level.label()))),
            (
                lang.tr("认定部门", "Approved by").into(),
                Cell::opt(p.approved_by.clone(), lang),
            ),
            (
                lang.tr("认定文号", "Approval document").into(),
                Cell::opt(p.approval_doc.clone(), lang),
            ),
            (
                lang.tr("成立日期", "Established").into(),
                Cell::opt(p.established_on.map(|d| d.to_string()), lang),
            ),
            (
                lang.tr("依托协议", "Built under agreement").into(),
                agreement.map_or_else(none, |a| Cell::link(&a.title, format!("/agreements/{}", a.id))),
            ),
            (
                lang.tr("依托项目", "Built by project").into(),
                project.map_or_else(none, |x| Cell::link(&x.title, format!("/projects/{}", x.id))),
            ),
        ];
        let mut hosts = Table::new(lang, &[("依托单位", "Host")]);
        for id in &p.host_ids {
            hosts.rows.push(vec![Cell::link(
                names.get(id).cloned().unwrap_or_default(),
                format!("/organizations/{id}"),
            )]);
        }
        let may_edit = cx.can(RecordKind::Platform, Some(p.id), Action::Update).await?;
        let may_evaluate = cx.can(RecordKind::PlatformEvaluation, None, Action::Create).await?;
        let (people, removals) = nested::people_section(cx, &p, may_edit).await?;
        let sections = vec![
            Section {
                id: "hosts",
                title: lang.tr("依托单位", "Hosts").into(),
                table: hosts,
                add: None,
            },
            people,
            nested::evaluations_section(cx, &p, may_evaluate).await?,
        ];
        let mut forms: Vec<PageForm> = removals;
        if may_evaluate {
            let evals = st.list_evaluations(v, p.id).await?;
            forms.extend(nested::upload_forms(lang, &evals));
        }
        Ok(DetailPage {
            badges: vec![
                Cell::badge(lang.pick(&p.status.label()), format!("p-{}", p.status.as_str())),
                Cell::badge(lang.pick(&p.level.label()), format!("l-{}", p.level.as_str())),
            ],
            props,
            long_text: p
                .summary
                .iter()
                .map(|t| (lang.tr("简介", "Summary").to_string(), t.clone()))
                .collect(),
            sections,
            forms: (!forms.is_empty()).then(|| {
                (
                    lang.tr("驻站人员离站与考核材料上传", "People leaving and evaluation files")
                        .to_string(),
                    forms,
                )
            }),
            ..record_page::<Self>(cx, p.id, p.name.clone(), p.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &PlatformInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let orgs: Vec<(String, String)> = st
            .platform_host_options(v)
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let agreements: Vec<(String, String)> = st
            .agreement_options(v)
            .await?
            .into_iter()
            .map(|(id, t)| (id.to_string(), t))
            .collect();
        let projects: Vec<(String, String)> = st
            .list_projects(v, &Default::default(), &hezuo_domain::ListParams::first(500))
            .await?
            .items
            .into_iter()
            .map(|p| (p.id.to_string(), p.title))
            .collect();
        let hosts: Vec<String> = i
            .host_ids
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_string())
            .collect();
        Ok(vec![
            Field::new(lang, "name", ("平台名称", "Name"), "text")
                .value(i.name.as_deref())
                .required(),
            Field::new(lang, "kind", ("类型", "Kind"), "select").required().options(
                lang,
                code_options(lang, PlatformKind::ALL, PlatformKind::label, PlatformKind::as_str),
                &chosen(&i.kind),
            ),
            Field::new(lang, "level", ("级别", "Level"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, PlatformLevel::ALL, PlatformLevel::label, PlatformLevel::as_str),
                    &chosen(&i.level),
                ),
            Field::new(lang, "host_ids", ("依托单位（可多选）", "Hosts (one or more)"), "multi")
                .required()
                .options(lang, orgs, &hosts),
            Field::new(lang, "approved_by", ("认定部门", "Approved by"), "text").value(i.approved_by.as_deref()),
            Field::new(lang, "approval_doc", ("认定文号", "Approval document"), "text")
                .value(i.approval_doc.as_deref()),
            Field::new(lang, "established_on", ("成立日期", "Established on"), "date")
                .value(i.established_on.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, PlatformStatus::ALL, PlatformStatus::label, PlatformStatus::as_str),
                    &chosen(&i.status),
                )
                .help(
                    lang,
                    (
                        "筹建中 → 已建成 → 已认定 → 已撤销，不能回退。",
                        "Being set up → built → accredited → closed; never back.",
                    ),
                ),
            Field::new(lang, "agreement_id", ("依托协议", "Agreement"), "select").options(
                lang,
                agreements,
                &chosen(&i.agreement_id),
            ),
            Field::new(lang, "project_id", ("依托项目", "Project"), "select").options(
                lang,
                projects,
                &chosen(&i.project_id),
            ),
            Field::new(lang, "summary", ("简介", "Summary"), "textarea").value(i.summary.as_deref()),
        ])
    }
}
