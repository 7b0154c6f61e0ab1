//! People and expert profiles (人员 / 专家): API and pages.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, resource, routes};
use crate::state::AppState;
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, Section, Table, archived_filter, chosen, code_options, project_table,
    query_param, sort_field,
};
use axum::Router;
use hezuo_domain::person::{Availability, Person, PersonData, PersonFilter, PersonInput};
use hezuo_domain::project::ProjectFilter;
use hezuo_domain::{ListParams, Page};

resource!(
    People,
    "people",
    hezuo_domain::RecordKind::Person,
    Person,
    PersonInput,
    PersonData,
    PersonFilter,
    list_people,
    get_person,
    create_person,
    update_person,
    set_person_archived
);

pub fn router() -> Router<AppState> {
    routes::<People>()
}

impl Pages for People {
    const NAV: &'static str = "people";

    fn heading(lang: Lang) -> String {
        lang.tr("人员与专家", "People & experts").into()
    }
    fn title(r: &Person) -> String {
        r.name.clone()
    }

    async fn list_page(cx: &Ctx, f: &PersonFilter, page: Page<Person>) -> Result<ListPage, ApiError> {
        let (s, lang, uri) = (&cx.s, cx.lang, &cx.uri);
        let sort = query_param(uri, "sort");
        let sort = sort.as_deref();
        let orgs: Vec<i64> = page.items.iter().map(|p| p.organization_id).collect();
        let names = s.store.organization_names(&orgs).await?;
        let mut table = Table::new(
            lang,
            &[
                ("姓名", "Name"),
                ("单位", "Organisation"),
                ("职称/职务", "Title"),
                ("学科", "Discipline"),
                ("关键词", "Keywords"),
            ],
        );
        for p in &page.items {
            let x = p.expert.as_ref();
            table.rows.push(vec![
                Cell::link(&p.name, format!("/people/{}", p.id)),
                Cell::link(
                    names.get(&p.organization_id).cloned().unwrap_or_default(),
                    format!("/organizations/{}", p.organization_id),
                ),
                Cell::opt(p.title.clone(), lang),
                Cell::opt(x.and_then(|x| x.discipline.clone()), lang),
                Cell::text(x.map(|x| x.keywords.join("、")).unwrap_or_default()),
            ]);
        }
        let expert_opts = vec![("true".to_string(), lang.tr("仅专家", "Experts only").to_string())];
        let filters = vec![
            Field::new(lang, "q", ("姓名、学科或关键词", "Name, discipline or keyword"), "text").value(f.q.as_deref()),
            Field::new(lang, "is_expert", ("专家", "Experts"), "select").options(
                lang,
                expert_opts,
                &f.is_expert.iter().cloned().collect::<Vec<_>>(),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort,
                &[
                    ("id", "默认", "Default"),
                    ("name", "姓名", "Name"),
                    ("-updated_at", "最近更新", "Recently updated"),
                ],
            ),
        ];
        Ok(list_view::<Self>(cx, filters, table, &page))
    }

    async fn detail_page(cx: &Ctx, p: Person) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let org = related(s.store.get_organization(&who.viewer, p.organization_id).await)?;
        // Someone who reads this person only as the other side of an accepted match (an
        // enterprise reading its expert) gets the unit's name without its page.
        let org_name = match &org {
            Some(_) => None,
            None => s
                .store
                .organization_names(&[p.organization_id])
                .await?
                .remove(&p.organization_id),
        };
        let all = ListParams::first(200);
        let projects = s
            .store
            .list_projects(
                &who.viewer,
                &ProjectFilter {
                    responsible_person_id: Some(p.id.to_string()),
                    ..Default::default()
                },
                &all,
            )
            .await?;
        let mut props = vec![
            (
                lang.tr("单位", "Organisation").to_string(),
                match &org {
                    Some(o) => Cell::link(&o.name, format!("/organizations/{}", o.id)),
                    None => Cell::opt(org_name, lang),
                },
            ),
            (lang.tr("职称/职务", "Title").into(), Cell::opt(p.title.clone(), lang)),
            (lang.tr("电话", "Phone").into(), Cell::opt(p.phone.clone(), lang)),
            (lang.tr("邮箱", "Email").into(), Cell::opt(p.email.clone(), lang)),
        ];
        let mut long_text = Vec::new();
        let mut badges = Vec::new();
        if let Some(x) = &p.expert {
            badges.push(Cell::badge(lang.tr("专家", "Expert"), "expert"));
            badges.push(Cell::badge(
                lang.pick(&x.availability.label()),
                format!("a-{}", x.availability.as_str()),
            ));
            props.push((
                lang.tr("学科", "Discipline").into(),
                Cell::opt(x.discipline.clone(), lang),
            ));
            props.push((lang.tr("关键词", "Keywords").into(), Cell::text(x.keywords.join("、"))));
            if let Some(r) = &x.research_fields {
                long_text.push((lang.tr("研究方向", "Research fields").to_string(), r.clone()));
            }
            if let Some(b) = &x.bio {
                long_text.push((lang.tr("个人简介", "Biography").to_string(), b.clone()));
            }
        }
        let table = project_table(s, lang, &projects.items).await?;
        let mut sections = vec![Section {
            id: "projects",
            title: lang.tr("负责的项目", "Projects responsible for").into(),
            table,
            add: None,
        }];
        if p.expert.is_some() {
            // Papers and patents: what matching reads to know what the expert works on.
            let works = s
                .store
                .list_works(
                    &who.viewer,
                    &hezuo_domain::expert_work::WorkFilter {
                        person_id: Some(p.id.to_string()),
                        ..Default::default()
                    },
                    &all,
                )
                .await?;
            let mut t = Table::new(
                lang,
                &[
                    ("题名", "Title"),
                    ("类型", "Kind"),
                    ("年份", "Year"),
                    ("期刊/申请号", "Journal / number"),
                ],
            );
            t.empty = lang.tr("尚未登记论文或专利。", "No papers or patents yet.").into();
            for w in &works.items {
                t.rows.push(vec![
                    Cell::link(&w.title, format!("/works/{}", w.id)),
                    Cell::text(lang.pick(&w.kind.label())),
                    Cell::opt(w.year.map(|y| y.to_string()), lang),
                    Cell::opt(w.venue.clone(), lang),
                ]);
            }
            sections.extend(crate::matches::expert_sections(cx, &p).await?);
            sections.push(Section {
                id: "works",
                title: lang.tr("论文与专利", "Papers and patents").into(),
                table: t,
                add: Some((
                    lang.tr("登记论文/专利", "Add").into(),
                    format!("/works/new?person_id={}", p.id),
                )),
            });
        }
        sections.push(
            crate::platforms::panel(
                cx,
                hezuo_domain::platform::PlatformFilter {
                    person_id: Some(p.id.to_string()),
                    ..Default::default()
                },
                None,
            )
            .await?,
        );
        sections.extend(crate::chief_experts::panel(cx, p.id).await?);
        sections.push(crate::secondments::person_section(cx, p.id).await?);
        sections.push(crate::groups::person_panel(cx, p.id).await?);
        Ok(DetailPage {
            badges,
            props,
            long_text,
            sections,
            ..record_page::<Self>(cx, p.id, p.name.clone(), p.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &PersonInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let orgs = s.store.organization_options(&who.viewer).await?;
        let org_opts: Vec<(String, String)> = orgs.into_iter().map(|(id, name, _)| (id.to_string(), name)).collect();
        Ok(vec![
            Field::new(lang, "name", ("姓名", "Name"), "text")
                .value(i.name.as_deref())
                .required(),
            Field::new(lang, "organization_id", ("所属单位", "Organisation"), "select")
                .required()
                .options(lang, org_opts, &chosen(&i.organization_id)),
            Field::new(lang, "title", ("职称/职务", "Title"), "text").value(i.title.as_deref()),
            Field::new(lang, "phone", ("电话", "Phone"), "text").value(i.phone.as_deref()),
            Field::new(lang, "email", ("邮箱", "Email"), "text").value(i.email.as_deref()),
            Field::new(
                lang,
                "is_expert",
                ("专家（填写下列专家信息）", "Expert (fill in the profile below)"),
                "checkbox",
            )
            .value(i.is_expert.as_deref()),
            Field::new(lang, "discipline", ("学科", "Discipline"), "text").value(i.discipline.as_deref()),
            Field::new(lang, "research_fields", ("研究方向", "Research fields"), "textarea")
                .value(i.research_fields.as_deref()),
            Field::new(lang, "keywords", ("关键词", "Keywords"), "text")
                .value(Some(&i.keywords_text()))
                .help(lang, ("用顿号或逗号分隔。", "Separate with commas.")),
            Field::new(lang, "bio", ("个人简介", "Biography"), "textarea").value(i.bio.as_deref()),
            Field::new(lang, "availability", ("可承接程度", "Availability"), "select").options(
                lang,
                code_options(lang, Availability::ALL, Availability::label, Availability::as_str),
                &chosen(&i.availability),
            ),
            Field::new(
                lang,
                "public_profile",
                (
                    "在公开门户专家名录中展示（仅姓名、单位、职称、学科和研究方向，不含电话、邮箱）",
                    "List on the public portal (name, organisation, title and fields only; no phone or email)",
                ),
                "checkbox",
            )
            .value(i.public_profile.as_deref()),
        ])
    }
}
