//! Agreements (合作协议): API and pages; the detail page shows parties, nested agreements and the
//! projects that came from it.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, resource, routes};
use crate::state::AppState;
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, Section, Table, agreement_table, archived_filter, chosen, code_options,
    project_table, query_param, sort_field,
};
use axum::Router;
use hezuo_domain::agreement::{
    Agreement, AgreementData, AgreementFilter, AgreementInput, AgreementKind, AgreementStatus,
};
use hezuo_domain::project::ProjectFilter;
use hezuo_domain::{ListParams, Page};

resource!(
    Agreements,
    "agreements",
    hezuo_domain::RecordKind::Agreement,
    Agreement,
    AgreementInput,
    AgreementData,
    AgreementFilter,
    list_agreements,
    get_agreement,
    create_agreement,
    update_agreement,
    set_agreement_archived
);

pub fn router() -> Router<AppState> {
    routes::<Agreements>()
}

impl Pages for Agreements {
    const NAV: &'static str = "agreements";

    fn heading(lang: Lang) -> String {
        lang.tr("合作协议", "Agreements").into()
    }
    fn title(r: &Agreement) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &AgreementFilter, page: Page<Agreement>) -> Result<ListPage, ApiError> {
        let (lang, uri) = (cx.lang, &cx.uri);
        let sort = query_param(uri, "sort");
        let sort = sort.as_deref();
        let table = agreement_table(lang, &page.items);
        let filters = vec![
            Field::new(lang, "q", ("协议名称", "Title"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, AgreementKind::ALL, AgreementKind::label, AgreementKind::as_str),
                &chosen(&f.kind),
            ),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(
                    lang,
                    AgreementStatus::ALL,
                    AgreementStatus::label,
                    AgreementStatus::as_str,
                ),
                &chosen(&f.status),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort,
                &[
                    ("signed_on", "签订日期", "Signed"),
                    ("-signed_on", "签订日期（新→旧）", "Signed, newest first"),
                    ("title", "协议名称", "Title"),
                ],
            ),
        ];
        Ok(list_view::<Self>(cx, filters, table, &page))
    }

    async fn detail_page(cx: &Ctx, a: Agreement) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let st = &s.store;
        let parent = match a.parent_id {
            Some(p) => related(st.get_agreement(&who.viewer, p).await)?,
            None => None,
        };
        let names = st.organization_names(&a.party_ids).await?;
        let all = ListParams::first(200);
        let children = st
            .list_agreements(
                &who.viewer,
                &AgreementFilter {
                    parent_id: Some(a.id.to_string()),
                    ..Default::default()
                },
                &all,
            )
            .await?;
        let projects = st
            .list_projects(
                &who.viewer,
                &ProjectFilter {
                    agreement_id: Some(a.id.to_string()),
                    ..Default::default()
                },
                &all,
            )
            .await?;
        let props = vec![
            (
                lang.tr("类型", "Kind").to_string(),
                Cell::text(lang.pick(&a.kind.label())),
            ),
            (
                lang.tr("签订日期", "Signed").into(),
                Cell::text(a.signed_on.to_string()),
            ),
            (
                lang.tr("到期日期", "Term ends").into(),
                Cell::opt(a.term_end.map(|d| d.to_string()), lang),
            ),
            (
                lang.tr("上级协议", "Under agreement").into(),
                match &parent {
                    Some(p) => Cell::link(&p.title, format!("/agreements/{}", p.id)),
                    None => Cell::opt(None::<String>, lang),
                },
            ),
        ];
        let mut parties = Table::new(lang, &[("签约方", "Party")]);
        for id in &a.party_ids {
            parties.rows.push(vec![Cell::link(
                names.get(id).cloned().unwrap_or_default(),
                format!("/organizations/{id}"),
            )]);
        }
        let sections = vec![
            Section {
                id: "parties",
                title: lang.tr("签约方", "Parties").into(),
                table: parties,
                add: None,
            },
            Section {
                id: "children",
                title: lang.tr("下属协议", "Agreements under this one").into(),
                table: agreement_table(lang, &children.items),
                add: Some((
                    lang.tr("新增下属协议", "Add one").into(),
                    format!("/agreements/new?parent_id={}", a.id),
                )),
            },
            Section {
                id: "projects",
                title: lang.tr("依托本协议的项目", "Projects under this agreement").into(),
                table: project_table(s, lang, &projects.items).await?,
                add: Some((
                    lang.tr("新增项目", "Add a project").into(),
                    format!("/projects/new?agreement_id={}&origin=agreement", a.id),
                )),
            },
            crate::platforms::panel(
                cx,
                hezuo_domain::platform::PlatformFilter {
                    agreement_id: Some(a.id.to_string()),
                    ..Default::default()
                },
                Some(format!("agreement_id={}", a.id)),
            )
            .await?,
        ];
        Ok(DetailPage {
            badges: vec![Cell::badge(
                lang.pick(&a.status.label()),
                format!("g-{}", a.status.as_str()),
            )],
            props,
            long_text: a
                .summary
                .iter()
                .map(|t| (lang.tr("主要内容", "Summary").to_string(), t.clone()))
                .collect(),
            sections,
            ..record_page::<Self>(cx, a.id, a.title.clone(), a.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &AgreementInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let orgs: Vec<(String, String)> = s
            .store
            .organization_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, n, _)| (id.to_string(), n))
            .collect();
        let agreements: Vec<(String, String)> = s
            .store
            .agreement_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, t)| (id.to_string(), t))
            .collect();
        let parties: Vec<String> = i
            .party_ids
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_string())
            .collect();
        Ok(vec![
            Field::new(lang, "title", ("协议名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "kind", ("类型", "Kind"), "select").required().options(
                lang,
                code_options(lang, AgreementKind::ALL, AgreementKind::label, AgreementKind::as_str),
                &chosen(&i.kind),
            ),
            Field::new(
                lang,
                "party_ids",
                ("签约方（至少两个，可多选）", "Parties (two or more)"),
                "multi",
            )
            .required()
            .options(lang, orgs, &parties),
            Field::new(lang, "signed_on", ("签订日期", "Signed on"), "date")
                .value(i.signed_on.as_deref())
                .required(),
            Field::new(lang, "term_end", ("到期日期", "Term ends"), "date").value(i.term_end.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select")
                .required()
                .options(
                    lang,
                    code_options(
                        lang,
                        AgreementStatus::ALL,
                        AgreementStatus::label,
                        AgreementStatus::as_str,
                    ),
                    &chosen(&i.status),
                ),
            Field::new(lang, "parent_id", ("上级协议", "Under agreement"), "select").options(
                lang,
                agreements,
                &chosen(&i.parent_id),
            ),
            Field::new(lang, "summary", ("主要内容", "Summary"), "textarea").value(i.summary.as_deref()),
        ])
    }
}
