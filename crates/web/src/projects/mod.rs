//! Projects (合作项目): API and pages through the shared record handlers, the status buttons the
//! state machine allows, and the project's page with its panels — the progress schedule, the
//! reports (from `supervision`), problems and attachments. Milestones are in [`milestones`].

mod import;
mod milestones;

use crate::error::ApiError;
use crate::extract::{FormBody, Id};
use crate::i18n::Lang;
use crate::resource::{Pages, archive_action, list_view, record_page, related, resource, routes};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{
    self, Cell, Ctx, DetailPage, Field, ListPage, PostAction, Section, Table, archived_filter, chosen, code_options,
    flag_cell, legend_text, local_time, problem_table, project_table, query_param, sort_field,
};
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use hezuo_domain::access::Action;
use hezuo_domain::flag::Flag;
use hezuo_domain::project::{
    Project, ProjectData, ProjectFilter, ProjectInput, ProjectKind, ProjectOrigin, ProjectStatus,
};
use hezuo_domain::{ListParams, Page, RecordKind, input};
use hezuo_store::StoreError;

resource!(
    Projects,
    "projects",
    hezuo_domain::RecordKind::Project,
    Project,
    ProjectInput,
    ProjectData,
    ProjectFilter,
    list_projects,
    get_project,
    create_project,
    update_project,
    set_project_archived,
    tagged = get_project_tagged
);

pub fn router() -> Router<AppState> {
    routes::<Projects>()
        .at("/projects/{id}/status", post(page_status))
        .merge(milestones::router())
        .merge(import::router())
}

impl Pages for Projects {
    const NAV: &'static str = "projects";

    fn heading(lang: Lang) -> String {
        lang.tr("合作项目", "Projects").into()
    }
    fn title(r: &Project) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &ProjectFilter, page: Page<Project>) -> Result<ListPage, ApiError> {
        let (s, lang, uri) = (&cx.s, cx.lang, &cx.uri);
        let sort = query_param(uri, "sort");
        let sort = sort.as_deref();
        let table = project_table(s, lang, &page.items).await?;
        let years: Vec<(String, String)> = s
            .store
            .project_years()
            .await?
            .into_iter()
            .map(|y| (y.to_string(), y.to_string()))
            .collect();
        let filters = vec![
            Field::new(lang, "q", ("项目名称", "Title"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, ProjectKind::ALL, ProjectKind::label, ProjectKind::as_str),
                &chosen(&f.kind),
            ),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, ProjectStatus::ALL, ProjectStatus::label, ProjectStatus::as_str),
                &chosen(&f.status),
            ),
            Field::new(lang, "flag", ("亮灯", "Flag"), "select").options(
                lang,
                code_options(lang, Flag::ALL, Flag::label, Flag::as_str),
                &chosen(&f.flag),
            ),
            Field::new(lang, "batch_year", ("批次年度", "Batch year"), "select").options(
                lang,
                years,
                &chosen(&f.batch_year),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort,
                &[
                    ("-id", "最新创建", "Newest"),
                    ("-updated_at", "最近更新", "Recently updated"),
                    ("title", "项目名称", "Title"),
                    ("-batch_year", "批次年度", "Batch year"),
                    ("-contract_amount_fen", "合同金额", "Contract amount"),
                ],
            ),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        if cx.viewer().role.may(RecordKind::Project, Action::Create) {
            view.links.push((
                cx.lang.tr("导入年度清单", "Import the year's list").into(),
                "/projects/import".into(),
            ));
        }
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, p: Project) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let st = &s.store;
        let mut org_ids = p.co_unit_ids.clone();
        org_ids.push(p.lead_unit_id);
        let names = st.organization_names(&org_ids).await?;
        let person = match p.responsible_person_id {
            Some(id) => related(st.get_person(&who.viewer, id).await)?,
            None => None,
        };
        let agreement = match p.agreement_id {
            Some(id) => related(st.get_agreement(&who.viewer, id).await)?,
            None => None,
        };
        let milestones = st.list_milestones(&who.viewer, p.id, false).await?;
        let problems = st
            .list_problems(
                &who.viewer,
                &hezuo_domain::problem::ProblemFilter {
                    project_id: Some(p.id.to_string()),
                    ..Default::default()
                },
                &ListParams::first(100),
            )
            .await?;
        let today = s.store.today();
        let org_link = |id: i64| {
            Cell::link(
                names.get(&id).cloned().unwrap_or_default(),
                format!("/organizations/{id}"),
            )
        };
        let co_units = if p.co_unit_ids.is_empty() {
            Cell::opt(None::<String>, lang)
        } else {
            let list: Vec<String> = p.co_unit_ids.iter().filter_map(|id| names.get(id).cloned()).collect();
            Cell::text(list.join("、"))
        };
        let wan = lang.t().wan;
        let props = vec![
            (
                lang.tr("类型", "Kind").to_string(),
                Cell::text(lang.pick(&p.kind.label())),
            ),
            (
                lang.tr("批次年度", "Batch year").into(),
                Cell::text(p.batch_year.to_string()),
            ),
            (lang.tr("牵头单位", "Lead unit").into(), org_link(p.lead_unit_id)),
            (lang.tr("配合单位", "Co-units").into(), co_units),
            (
                lang.tr("责任人", "Responsible person").into(),
                match &person {
                    Some(x) => Cell::link(&x.name, format!("/people/{}", x.id)),
                    None => Cell::opt(None::<String>, lang),
                },
            ),
            (
                lang.tr("来源", "Origin").into(),
                Cell::text(lang.pick(&p.origin.label())),
            ),
            (
                lang.tr("合作协议", "Agreement").into(),
                match &agreement {
                    Some(a) => Cell::link(&a.title, format!("/agreements/{}", a.id)),
                    None => Cell::opt(None::<String>, lang),
                },
            ),
            (
                lang.tr("合同金额", "Contract amount").into(),
                Cell::text(format!("{} {wan}", p.contract_amount_wan.wan())),
            ),
            (
                lang.tr("争取经费", "Funding won").into(),
                Cell::text(format!("{} {wan}", p.funding_won_wan.wan())),
            ),
            (
                lang.tr("开始日期", "Starts").into(),
                Cell::opt(p.start_on.map(|d| d.to_string()), lang),
            ),
            (
                lang.tr("结束日期", "Ends").into(),
                Cell::opt(p.end_on.map(|d| d.to_string()), lang),
            ),
            (lang.t().updated_at.into(), Cell::text(local_time(p.updated_at))),
        ];
        let mut ms = Table::new(
            lang,
            &[
                ("节点", "Milestone"),
                ("计划完成", "Due"),
                ("预期成果", "Deliverable"),
                ("状态", "State"),
                ("完成日期", "Done on"),
                ("", ""),
            ],
        );
        for m in &milestones {
            let state = m.state(today);
            // Offered only to whom the store lets keep this milestone.
            let edit = if cx.can(RecordKind::Milestone, Some(m.id), Action::Update).await? {
                Cell::link(lang.t().edit, format!("/projects/{}/milestones/{}/edit", p.id, m.id))
            } else {
                Cell::text("")
            };
            ms.rows.push(vec![
                Cell::text(&m.title),
                Cell::text(m.due_on.to_string()),
                Cell::opt(m.deliverable.clone(), lang),
                Cell::badge(lang.pick(&state.label()), format!("m-{}", state.as_str())),
                Cell::opt(m.done_on.map(|d| d.to_string()), lang),
                edit,
            ]);
        }
        let mut actions: Vec<PostAction> = p
            .status
            .next()
            .iter()
            .map(|to| PostAction {
                confirm: (*to == ProjectStatus::Cancelled).then(|| {
                    lang.tr(
                        "确定取消此项目？取消后项目不再推进，也不能恢复为实施中。",
                        "Cancel this project? A cancelled project cannot be resumed.",
                    )
                    .to_string()
                }),
                label: format!("{}{}", lang.tr("→ ", "→ "), lang.pick(&to.label())),
                action: format!("/projects/{}/status", p.id),
                class: "",
                fields: vec![("status".into(), to.as_str().into())],
            })
            .collect();
        actions.push(archive_action::<Self>(lang, p.id, p.archived));
        let mut long_text = Vec::new();
        if let Some(n) = &p.origin_note {
            long_text.push((lang.tr("来源说明", "About its origin").to_string(), n.clone()));
        }
        if let Some(n) = &p.summary {
            long_text.push((lang.tr("项目内容", "Summary").to_string(), n.clone()));
        }
        Ok(DetailPage {
            badges: p
                .flag
                .map(|f| flag_cell(lang, Some(f)))
                .into_iter()
                .chain([
                    Cell::badge(lang.pick(&p.status.label()), format!("s-{}", p.status.as_str())),
                    Cell::badge(lang.pick(&p.kind.label()), format!("k-{}", p.kind.as_str())),
                ])
                .collect(),
            actions,
            props,
            long_text,
            sections: vec![
                Section {
                    id: "milestones",
                    title: lang.tr("推进进度表", "Progress schedule").into(),
                    table: ms,
                    add: Some((
                        lang.tr("新增节点", "Add a milestone").into(),
                        format!("/projects/{}/milestones/new", p.id),
                    )),
                },
                crate::supervision::reports::section(cx, &p).await?,
                crate::outcomes::project_section(cx, p.id).await?,
                Section {
                    id: "problems",
                    title: lang.tr("问题协调", "Problems").into(),
                    table: problem_table(s, lang, &problems.items).await?,
                    add: Some((
                        lang.tr("提出问题", "Raise a problem").into(),
                        format!("/problems/new?project_id={}", p.id),
                    )),
                },
                crate::platforms::panel(
                    cx,
                    hezuo_domain::platform::PlatformFilter {
                        project_id: Some(p.id.to_string()),
                        ..Default::default()
                    },
                    Some(format!("project_id={}", p.id)),
                )
                .await?,
            ],
            notice: Some(match p.flag.filter(|_| !p.flag_reasons.is_empty()) {
                None => format!("{}：{}", lang.tr("亮灯规则", "Flag rules"), legend_text(lang)),
                Some(f) => format!(
                    "{}：{}。{}：{}",
                    lang.pick(&f.label()),
                    p.flag_words
                        .iter()
                        .map(|m| lang.pick(m))
                        .collect::<Vec<_>>()
                        .join(lang.tr("；", "; ")),
                    lang.tr("亮灯规则", "Flag rules"),
                    legend_text(lang)
                ),
            }),
            ..record_page::<Self>(cx, p.id, p.title.clone(), p.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &ProjectInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let orgs: Vec<(String, String)> = s
            .store
            .organization_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, n, _)| (id.to_string(), n))
            .collect();
        let people = views::person_choices(&s.store, &who.viewer).await?;
        let batches: Vec<(String, String)> = s
            .store
            .list_batches(&who.viewer, &ListParams::first(50))
            .await?
            .items
            .into_iter()
            .map(|b| (b.id.to_string(), b.title))
            .collect();
        let agreements: Vec<(String, String)> = s
            .store
            .agreement_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, t)| (id.to_string(), t))
            .collect();
        let co: Vec<String> = i
            .co_unit_ids
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_string())
            .collect();
        let origin = input::opt_text(&i.origin)
            .unwrap_or(ProjectOrigin::Proposal.as_str())
            .to_string();
        let mut fields = vec![
            Field::new(lang, "title", ("项目名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "kind", ("项目类型", "Kind"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, ProjectKind::ALL, ProjectKind::label, ProjectKind::as_str),
                    &chosen(&i.kind),
                ),
            Field::new(lang, "batch_year", ("批次年度", "Batch year"), "number")
                .value(i.batch_year.as_deref())
                .required(),
            Field::new(lang, "batch_id", ("年度项目清单", "Batch"), "select")
                .options(lang, batches, &chosen(&i.batch_id))
                .help(
                    lang,
                    (
                        "列入清单后按清单的周期报送进度；清单年度须与批次年度一致。",
                        "Listed projects report on the batch's cadence; its year must match.",
                    ),
                ),
            Field::new(lang, "lead_unit_id", ("牵头单位", "Lead unit"), "select")
                .required()
                .options(lang, orgs.clone(), &chosen(&i.lead_unit_id)),
            Field::new(lang, "co_unit_ids", ("配合单位（可多选）", "Co-units"), "multi").options(lang, orgs, &co),
            Field::new(
                lang,
                "responsible_person_id",
                ("责任人", "Responsible person"),
                "select",
            )
            .options(lang, people, &chosen(&i.responsible_person_id)),
            // Every project has an origin: the form asks for one, showing the default the API uses
            // (a proposal) rather than an empty choice that would be saved as it.
            Field::new(lang, "origin", ("来源", "Origin"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, ProjectOrigin::ALL, ProjectOrigin::label, ProjectOrigin::as_str),
                    &[origin],
                )
                .without_blank(),
            Field::new(lang, "agreement_id", ("合作协议", "Agreement"), "select").options(
                lang,
                agreements,
                &chosen(&i.agreement_id),
            ),
            Field::new(lang, "origin_note", ("来源说明", "About its origin"), "text").value(i.origin_note.as_deref()),
            Field::new(
                lang,
                "contract_amount_wan",
                ("合同金额（万元）", "Contract amount (×10k CNY)"),
                "number",
            )
            .value(i.contract_amount_wan.as_deref())
            .help(
                lang,
                (
                    "以万元为单位，最多 6 位小数，如 200.5。",
                    "In ×10k CNY (units of 10,000 yuan), up to 6 decimals, e.g. 200.5.",
                ),
            ),
            Field::new(
                lang,
                "funding_won_wan",
                ("争取经费（万元）", "Funding won (×10k CNY)"),
                "number",
            )
            .value(i.funding_won_wan.as_deref()),
            Field::new(lang, "start_on", ("开始日期", "Starts"), "date").value(i.start_on.as_deref()),
            Field::new(lang, "end_on", ("结束日期", "Ends"), "date").value(i.end_on.as_deref()),
            Field::new(lang, "summary", ("项目内容", "Summary"), "textarea").value(i.summary.as_deref()),
        ];
        // The status is changed with the buttons on the project's page, so the form keeps it as it is.
        if let Some(st) = &i.status {
            let mut f = Field::new(lang, "status", ("状态", "Status"), "hidden").value(Some(st));
            f.kind = "hidden";
            fields.push(f);
        } else {
            // A new project like one already there is refused with a warning; this box, shown with
            // it, creates it anyway.
            fields.push(
                Field::new(lang, "create_anyway", ("仍然创建", "Create anyway"), "confirm")
                    .value(i.create_anyway.as_deref()),
            );
        }
        Ok(fields)
    }
}

/// The status buttons of a project's page: the state machine decides; a refusal is shown on the page.
async fn page_status(cx: Ctx, Id(id): Id, FormBody(f): FormBody<StatusForm>) -> Result<Response, ApiError> {
    let p = cx.store().get_project(cx.viewer(), id).await?;
    let mut input = ProjectInput::from_record(&p);
    input.status = f.status;
    let saved = match input.validate() {
        Ok(d) => cx.store().update_project(cx.viewer(), id, &d, None).await.map(|_| ()),
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match saved {
        Ok(()) => Ok(views::redirect(&format!("/projects/{id}"))),
        Err(StoreError::Invalid(e)) => {
            let mut view = Projects::detail_page(&cx, p).await?;
            view.notice = Some(
                e.0.values()
                    .map(|m| cx.lang.pick(m).to_string())
                    .collect::<Vec<_>>()
                    .join("；"),
            );
            Ok(views::render_with(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
struct StatusForm {
    status: Option<String>,
}
