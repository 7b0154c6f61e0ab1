//! Problems for coordination (问题协调): raised on a project, owned by a unit, coordinated to a
//! decision. API and pages through the shared record handlers.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, resource, routes};
use crate::state::AppState;
use crate::views::{Cell, Ctx, DetailPage, Field, ListPage, archived_filter, chosen, code_options, problem_table};
use axum::Router;
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

impl Pages for Problems {
    const NAV: &'static str = "problems";

    fn heading(lang: Lang) -> String {
        lang.tr("问题协调", "Problems").into()
    }
    fn title(r: &Problem) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &ProblemFilter, page: Page<Problem>) -> Result<ListPage, ApiError> {
        let (s, lang) = (&cx.s, cx.lang);
        let table = problem_table(s, lang, &page.items).await?;
        let open = vec![("true".to_string(), lang.tr("未解决的", "Not resolved").to_string())];
        let filters = vec![
            Field::new(lang, "q", ("问题", "Problem"), "text").value(f.q.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, ProblemStatus::ALL, ProblemStatus::label, ProblemStatus::as_str),
                &chosen(&f.status),
            ),
            Field::new(lang, "open", ("范围", "Which"), "select").options(lang, open, &chosen(&f.open)),
            archived_filter(lang, &f.archived),
        ];
        Ok(list_view::<Self>(cx, filters, table, &page))
    }

    async fn detail_page(cx: &Ctx, p: Problem) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
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
            badges: vec![Cell::badge(
                lang.pick(&p.status.label()),
                format!("p-{}", p.status.as_str()),
            )],
            props,
            long_text,
            ..record_page::<Self>(cx, p.id, p.title.clone(), p.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &ProblemInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let orgs: Vec<(String, String)> = s
            .store
            .all_organization_names()
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let projects = s
            .store
            .list_projects(&who.viewer, &Default::default(), &hezuo_domain::ListParams::first(200))
            .await?;
        let project_opts: Vec<(String, String)> = projects
            .items
            .iter()
            .map(|p| (p.id.to_string(), p.title.clone()))
            .collect();
        let mut fields = vec![
            Field::new(lang, "project_id", ("所属项目", "Project"), "select")
                .required()
                .options(lang, project_opts, &chosen(&i.project_id)),
            Field::new(lang, "title", ("问题", "Problem"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "description", ("问题描述", "Description"), "textarea").value(i.description.as_deref()),
            Field::new(lang, "owner_id", ("责任单位", "Owner"), "select")
                .required()
                .options(lang, orgs, &chosen(&i.owner_id))
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
                        &chosen(&i.status),
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
