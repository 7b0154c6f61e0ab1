//! Problems for coordination (问题协调): raised on a project, owned by a unit, coordinated to a
//! decision. API and pages through the shared record handlers.

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::organizations::archived_filter;
use crate::resource::{Pages, archive_action, related, resource, routes};
use crate::views::{Cell, DetailPage, Field, Layout, ListPage, Table, code_options};
use axum::Router;
use axum::http::Uri;
use hezuo_domain::Page;
use hezuo_domain::problem::{Problem, ProblemData, ProblemFilter, ProblemInput, ProblemStatus};

resource!(
    Problems,
    "problems",
    hezuo_domain::RecordKind::Problem,
    Problem,
    ProblemInput,
    ProblemData,
    ProblemFilter,
    list_problems,
    get_problem,
    create_problem,
    update_problem,
    set_problem_archived
);

pub fn router() -> Router<AppState> {
    routes::<Problems>()
}

/// A table of problems, for lists and panels.
pub async fn problem_table(s: &AppState, lang: Lang, items: &[Problem]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|p| p.owner_id).collect();
    let names = s.store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("问题", "Problem"),
            ("责任单位", "Owner"),
            ("办结期限", "Due"),
            ("状态", "Status"),
        ],
    );
    t.empty = lang.tr("没有待协调的问题。", "No problems.").into();
    for p in items {
        t.rows.push(vec![
            Cell::link(&p.title, format!("/problems/{}", p.id)),
            Cell::text(names.get(&p.owner_id).cloned().unwrap_or_default()),
            Cell::opt(p.due_on.map(|d| d.to_string()), lang),
            Cell::badge(lang.pick(&p.status.label()), format!("p-{}", p.status.as_str())),
        ]);
    }
    Ok(t)
}

impl Pages for Problems {
    const NAV: &'static str = "problems";

    fn heading(lang: Lang) -> String {
        lang.tr("问题协调", "Problems").into()
    }
    fn title(r: &Problem) -> String {
        r.title.clone()
    }

    async fn list_page(
        s: &AppState,
        who: &Auth,
        lang: Lang,
        uri: &Uri,
        f: &ProblemFilter,
        page: Page<Problem>,
    ) -> Result<ListPage, ApiError> {
        let table = problem_table(s, lang, &page.items).await?;
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        let open = vec![("true".to_string(), lang.tr("未解决的", "Not resolved").to_string())];
        let filters = vec![
            Field::new(lang, "q", ("问题", "Problem"), "text").value(f.q.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, ProblemStatus::ALL, ProblemStatus::label, ProblemStatus::as_str),
                &one(&f.status),
            ),
            Field::new(lang, "open", ("范围", "Which"), "select").options(lang, open, &one(&f.open)),
            archived_filter(lang, &f.archived),
        ];
        let heading = Self::heading(lang);
        Ok(ListPage::new(
            Layout::new(who, lang, uri, Self::NAV, heading.clone()),
            uri,
            heading,
            filters,
            table,
            &page,
        ))
    }

    async fn detail_page(s: &AppState, who: &Auth, lang: Lang, uri: &Uri, p: Problem) -> Result<DetailPage, ApiError> {
        let project = related(s.store.get_project(&who.viewer, p.project_id).await)?;
        let owner = related(s.store.get_organization(&who.viewer, p.owner_id).await)?;
        let names = s.store.organization_names(&[p.owner_id]).await?;
        let props = vec![
            (
                lang.tr("所属项目", "Project").to_string(),
                match &project {
                    Some(x) => Cell::link(&x.title, format!("/projects/{}", x.id)),
                    None => Cell::opt(None::<String>, lang),
                },
            ),
            (
                lang.tr("责任单位", "Owner").into(),
                match &owner {
                    Some(o) => Cell::link(&o.name, format!("/organizations/{}", o.id)),
                    None => Cell::text(names.get(&p.owner_id).cloned().unwrap_or_default()),
                },
            ),
            (
                lang.tr("办结期限", "Due").into(),
                Cell::opt(p.due_on.map(|d| d.to_string()), lang),
            ),
        ];
        let mut long_text = Vec::new();
        if let Some(d) = &p.description {
            long_text.push((lang.tr("问题描述", "Description").to_string(), d.clone()));
        }
        if let Some(d) = &p.decision {
            long_text.push((lang.tr("协调意见", "Decision").to_string(), d.clone()));
        }
        Ok(DetailPage {
            layout: Layout::new(who, lang, uri, Self::NAV, p.title.clone()),
            heading: p.title.clone(),
            kind_label: Self::heading(lang),
            badges: vec![Cell::badge(
                lang.pick(&p.status.label()),
                format!("p-{}", p.status.as_str()),
            )],
            edit_href: Some(format!("/problems/{}/edit", p.id)),
            actions: vec![archive_action::<Self>(lang, p.id, p.archived)],
            archived: p.archived,
            props,
            long_text,
            sections: vec![],
            attachments: None,
            notice: None,
            history: None,
            read_only_attachments: false,
        })
    }

    async fn form_fields(s: &AppState, who: &Auth, lang: Lang, i: &ProblemInput) -> Result<Vec<Field>, ApiError> {
        let orgs: Vec<(String, String)> = s
            .store
            .all_organization_names()
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        let projects = s
            .store
            .list_projects(
                &who.viewer,
                &Default::default(),
                &hezuo_domain::ListParams {
                    per_page: Some("200".into()),
                    ..Default::default()
                },
            )
            .await?;
        let project_opts: Vec<(String, String)> = projects
            .items
            .iter()
            .map(|p| (p.id.to_string(), p.title.clone()))
            .collect();
        let mut fields = vec![
            Field::new(lang, "project_id", ("所属项目", "Project"), "select")
                .required()
                .options(lang, project_opts, &one(&i.project_id)),
            Field::new(lang, "title", ("问题", "Problem"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "description", ("问题描述", "Description"), "textarea").value(i.description.as_deref()),
            Field::new(lang, "owner_id", ("责任单位", "Owner"), "select")
                .required()
                .options(lang, orgs, &one(&i.owner_id))
                .help(
                    lang,
                    (
                        "负责协调解决的部门或单位。",
                        "The department or unit that must settle it.",
                    ),
                ),
            Field::new(lang, "due_on", ("办结期限", "Due"), "date").value(i.due_on.as_deref()),
        ];
        if i.status.is_some() {
            fields.push(
                Field::new(lang, "status", ("状态", "Status"), "select")
                    .required()
                    .options(
                        lang,
                        code_options(lang, ProblemStatus::ALL, ProblemStatus::label, ProblemStatus::as_str),
                        &one(&i.status),
                    ),
            );
            fields.push(
                Field::new(lang, "decision", ("协调意见", "Decision"), "textarea")
                    .value(i.decision.as_deref())
                    .help(lang, ("解决或提请上级时必填。", "Required to resolve or escalate.")),
            );
        }
        Ok(fields)
    }
}
