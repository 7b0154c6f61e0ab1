//! Projects (合作项目) and their progress schedule (推进进度表): API and pages, the status
//! buttons the state machine allows, and milestones nested under `/projects/{id}/milestones`.

use crate::AppState;
use crate::RouteExt;
use crate::auth::Auth;
use crate::error::{Api, ApiError, Page as PageErr};
use crate::i18n::Lang;
use crate::organizations::archived_filter;
use crate::resource::{
    Pages, archive_action, created, merge_input, parse_form, parse_json, path_id, related, resource, routes,
};
use crate::views::{
    self, Cell, DetailPage, Field, FormPage, Layout, ListPage, PostAction, Section, Table, code_options, sort_field,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use hezuo_domain::project::{
    Milestone, MilestoneInput, Project, ProjectData, ProjectFilter, ProjectInput, ProjectKind, ProjectOrigin,
    ProjectStatus,
};
use hezuo_domain::{FieldErrors, ListParams, Page, RecordKind};

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
    set_project_archived
);

pub fn router() -> Router<AppState> {
    routes::<Projects>()
        .at("/projects/{id}/status", post(page_status))
        .at(
            "/api/v1/projects/{id}/milestones",
            get(api_milestones).post(api_milestone_create),
        )
        .at(
            "/api/v1/projects/{id}/milestones/{mid}",
            get(api_milestone_get)
                .put(api_milestone_update)
                .patch(api_milestone_update),
        )
        .at(
            "/api/v1/projects/{id}/milestones/{mid}/archive",
            post(api_milestone_archive),
        )
        .at(
            "/projects/{id}/milestones/new",
            get(page_milestone_new).post(page_milestone_create),
        )
        .at(
            "/projects/{id}/milestones/{mid}/edit",
            get(page_milestone_edit).post(page_milestone_update),
        )
        .at("/projects/{id}/milestones/{mid}/archive", post(page_milestone_archive))
}

/// A timestamp as people in China read it: Asia/Shanghai (UTC+8), to the minute.
pub fn local_time(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

/// A table of projects, for lists and related panels, with lead-unit names looked up once.
pub async fn project_table(s: &AppState, lang: Lang, items: &[Project]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|p| p.lead_unit_id).collect();
    let names = s.store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("亮灯", "Flag"),
            ("项目名称", "Title"),
            ("类型", "Kind"),
            ("批次", "Batch"),
            ("牵头单位", "Lead unit"),
            ("状态", "Status"),
            ("合同金额（万元）", "Contract (10k yuan)"),
        ],
    );
    for p in items {
        t.rows.push(vec![
            crate::supervision::flag_cell(lang, p.flag),
            Cell::link(&p.title, format!("/projects/{}", p.id)),
            Cell::text(lang.pick(&p.kind.label())),
            Cell::text(p.batch_year.to_string()),
            Cell::link(
                names.get(&p.lead_unit_id).cloned().unwrap_or_default(),
                format!("/organizations/{}", p.lead_unit_id),
            ),
            Cell::badge(lang.pick(&p.status.label()), format!("s-{}", p.status.as_str())),
            Cell::text(p.contract_amount_wan.wan()),
        ]);
    }
    Ok(t)
}

impl Pages for Projects {
    const NAV: &'static str = "projects";

    fn heading(lang: Lang) -> String {
        lang.tr("合作项目", "Projects").into()
    }
    fn title(r: &Project) -> String {
        r.title.clone()
    }

    async fn list_page(
        s: &AppState,
        who: &Auth,
        lang: Lang,
        uri: &Uri,
        f: &ProjectFilter,
        page: Page<Project>,
    ) -> Result<ListPage, ApiError> {
        let sort = crate::views::query_param(uri, "sort");
        let sort = sort.as_deref();
        let table = project_table(s, lang, &page.items).await?;
        let years: Vec<(String, String)> = s
            .store
            .project_years()
            .await?
            .into_iter()
            .map(|y| (y.to_string(), y.to_string()))
            .collect();
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        let filters = vec![
            Field::new(lang, "q", ("项目名称", "Title"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, ProjectKind::ALL, ProjectKind::label, ProjectKind::as_str),
                &one(&f.kind),
            ),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, ProjectStatus::ALL, ProjectStatus::label, ProjectStatus::as_str),
                &one(&f.status),
            ),
            Field::new(lang, "batch_year", ("批次年度", "Batch year"), "select").options(
                lang,
                years,
                &one(&f.batch_year),
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

    async fn detail_page(s: &AppState, who: &Auth, lang: Lang, uri: &Uri, p: Project) -> Result<DetailPage, ApiError> {
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
        let attachments = st.list_attachments(&who.viewer, RecordKind::Project, p.id).await?;
        let problems = st
            .list_problems(
                &who.viewer,
                &hezuo_domain::problem::ProblemFilter {
                    project_id: Some(p.id.to_string()),
                    ..Default::default()
                },
                &ListParams {
                    per_page: Some("100".into()),
                    ..Default::default()
                },
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
            ms.rows.push(vec![
                Cell::text(&m.title),
                Cell::text(m.due_on.to_string()),
                Cell::opt(m.deliverable.clone(), lang),
                Cell::badge(lang.pick(&state.label()), format!("m-{}", state.as_str())),
                Cell::opt(m.done_on.map(|d| d.to_string()), lang),
                Cell::link(lang.t().edit, format!("/projects/{}/milestones/{}/edit", p.id, m.id)),
            ]);
        }
        let mut actions: Vec<PostAction> = p
            .status
            .next()
            .iter()
            .map(|to| PostAction {
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
            layout: Layout::new(who, lang, uri, Self::NAV, p.title.clone()),
            heading: p.title.clone(),
            kind_label: Self::heading(lang),
            badges: vec![
                crate::supervision::flag_cell(lang, p.flag),
                Cell::badge(lang.pick(&p.status.label()), format!("s-{}", p.status.as_str())),
                Cell::badge(lang.pick(&p.kind.label()), format!("k-{}", p.kind.as_str())),
            ],
            edit_href: Some(format!("/projects/{}/edit", p.id)),
            actions,
            archived: p.archived,
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
                crate::supervision::reports_section(s, who, lang, &p).await?,
                Section {
                    id: "problems",
                    title: lang.tr("问题协调", "Problems").into(),
                    table: crate::problems::problem_table(s, lang, &problems.items).await?,
                    add: Some((
                        lang.tr("提出问题", "Raise a problem").into(),
                        format!("/problems/new?project_id={}", p.id),
                    )),
                },
            ],
            attachments: Some((
                "project".into(),
                p.id,
                crate::attachments::attachment_table(lang, &attachments),
            )),
            notice: Some(if p.flag_reasons.is_empty() {
                format!(
                    "{}：{}",
                    lang.tr("亮灯规则", "Flag rules"),
                    crate::supervision::legend_text(lang)
                )
            } else {
                format!(
                    "{}：{}。{}：{}",
                    lang.pick(&p.flag.label()),
                    p.flag_reasons.join("；"),
                    lang.tr("亮灯规则", "Flag rules"),
                    crate::supervision::legend_text(lang)
                )
            }),
            history: None,
            read_only_attachments: false,
        })
    }

    async fn form_fields(s: &AppState, who: &Auth, lang: Lang, i: &ProjectInput) -> Result<Vec<Field>, ApiError> {
        let orgs: Vec<(String, String)> = s
            .store
            .organization_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, n, _)| (id.to_string(), n))
            .collect();
        let people: Vec<(String, String)> = s
            .store
            .person_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, n, _)| (id.to_string(), n))
            .collect();
        let batches: Vec<(String, String)> = s
            .store
            .list_batches(
                &who.viewer,
                &ListParams {
                    per_page: Some("50".into()),
                    ..Default::default()
                },
            )
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
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        let co: Vec<String> = i
            .co_unit_ids
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_string())
            .collect();
        let mut fields = vec![
            Field::new(lang, "title", ("项目名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "kind", ("项目类型", "Kind"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, ProjectKind::ALL, ProjectKind::label, ProjectKind::as_str),
                    &one(&i.kind),
                ),
            Field::new(lang, "batch_year", ("批次年度", "Batch year"), "number")
                .value(i.batch_year.as_deref())
                .required(),
            Field::new(lang, "batch_id", ("年度项目清单", "Batch"), "select")
                .options(lang, batches, &one(&i.batch_id))
                .help(
                    lang,
                    (
                        "列入清单后按清单的周期报送进度；清单年度须与批次年度一致。",
                        "Listed projects report on the batch's cadence; its year must match.",
                    ),
                ),
            Field::new(lang, "lead_unit_id", ("牵头单位", "Lead unit"), "select")
                .required()
                .options(lang, orgs.clone(), &one(&i.lead_unit_id)),
            Field::new(lang, "co_unit_ids", ("配合单位（可多选）", "Co-units"), "multi").options(lang, orgs, &co),
            Field::new(
                lang,
                "responsible_person_id",
                ("责任人", "Responsible person"),
                "select",
            )
            .options(lang, people, &one(&i.responsible_person_id)),
            Field::new(lang, "origin", ("来源", "Origin"), "select").options(
                lang,
                code_options(lang, ProjectOrigin::ALL, ProjectOrigin::label, ProjectOrigin::as_str),
                &one(&i.origin),
            ),
            Field::new(lang, "agreement_id", ("合作协议", "Agreement"), "select").options(
                lang,
                agreements,
                &one(&i.agreement_id),
            ),
            Field::new(lang, "origin_note", ("来源说明", "About its origin"), "text").value(i.origin_note.as_deref()),
            Field::new(
                lang,
                "contract_amount_wan",
                ("合同金额（万元）", "Contract amount (10k yuan)"),
                "number",
            )
            .value(i.contract_amount_wan.as_deref())
            .help(
                lang,
                (
                    "以万元为单位，最多 6 位小数，如 200.5。",
                    "In 万元 (10k yuan), up to 6 decimals, e.g. 200.5.",
                ),
            ),
            Field::new(
                lang,
                "funding_won_wan",
                ("争取经费（万元）", "Funding won (10k yuan)"),
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
        }
        Ok(fields)
    }
}

async fn page_status(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    #[derive(serde::Deserialize)]
    struct Form {
        status: Option<String>,
    }
    let run = async {
        let id = path_id(&id)?;
        let p = s.store.get_project(&who.viewer, id).await?;
        let f: Form = parse_form(&body)?;
        let mut input = ProjectInput::from_record(&p);
        input.status = f.status;
        let result = match input.validate() {
            Ok(d) => s
                .store
                .update_project(&who.viewer, id, &d)
                .await
                .map_err(ApiError::from),
            Err(e) => Err(ApiError::Invalid(e)),
        };
        match result {
            Ok(_) => Ok(views::redirect(&format!("/projects/{id}"))),
            Err(ApiError::Invalid(e)) => {
                // Show the refusal on the project's own page.
                let mut view = Projects::detail_page(&s, &who, lang, &uri, p).await?;
                view.notice = Some(
                    e.0.values()
                        .map(|m| lang.pick(m).to_string())
                        .collect::<Vec<_>>()
                        .join("；"),
                );
                let mut res = views::render(&view);
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                Ok(res)
            }
            Err(e) => Err(e),
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// The milestone `mid` of project `id`, or 404 if it belongs to another project.
async fn milestone_of(s: &AppState, who: &Auth, id: &str, mid: &str) -> Result<Milestone, ApiError> {
    let (id, mid) = (path_id(id)?, path_id(mid)?);
    let m = s.store.get_milestone(&who.viewer, mid).await?;
    if m.project_id != id {
        return Err(ApiError::NotFound);
    }
    Ok(m)
}

async fn api_milestones(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Page<Milestone>>, Api> {
    let run = async {
        let p = s.store.get_project(&who.viewer, path_id(&id)?).await?;
        let items = s.store.list_milestones(&who.viewer, p.id, false).await?;
        Ok::<_, ApiError>(Page::whole(items))
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_milestone_create(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Api> {
    let run = async {
        let id = path_id(&id)?;
        let input: MilestoneInput = parse_json(&body)?;
        let d = input.validate()?;
        Ok::<_, ApiError>(s.store.create_milestone(&who.viewer, id, &d).await?)
    };
    let m = run.await.map_err(|e| Api(e, lang))?;
    Ok(created(
        format!("/api/v1/projects/{}/milestones/{}", m.project_id, m.id),
        m,
    ))
}

async fn api_milestone_get(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path((id, mid)): Path<(String, String)>,
) -> Result<Json<Milestone>, Api> {
    milestone_of(&s, &who, &id, &mid)
        .await
        .map(Json)
        .map_err(|e| Api(e, lang))
}

async fn api_milestone_update(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path((id, mid)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Milestone>, Api> {
    let run = async {
        let m = milestone_of(&s, &who, &id, &mid).await?;
        let input = merge_input(&MilestoneInput::from_record(&m), &body)?;
        let d = input.validate()?;
        Ok::<_, ApiError>(s.store.update_milestone(&who.viewer, m.id, &d).await?)
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_milestone_archive(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path((id, mid)): Path<(String, String)>,
) -> Result<Json<Milestone>, Api> {
    let run = async {
        let m = milestone_of(&s, &who, &id, &mid).await?;
        Ok::<_, ApiError>(s.store.set_milestone_archived(&who.viewer, m.id, true).await?)
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

fn milestone_fields(lang: Lang, i: &MilestoneInput) -> Vec<Field> {
    vec![
        Field::new(lang, "title", ("节点名称", "Milestone"), "text")
            .value(i.title.as_deref())
            .required(),
        Field::new(lang, "due_on", ("计划完成日期", "Due on"), "date")
            .value(i.due_on.as_deref())
            .required(),
        Field::new(lang, "deliverable", ("预期成果", "Deliverable"), "text").value(i.deliverable.as_deref()),
        Field::new(lang, "done_on", ("实际完成日期", "Done on"), "date").value(i.done_on.as_deref()),
        Field::new(lang, "evidence", ("完成佐证", "Evidence"), "textarea")
            .value(i.evidence.as_deref())
            .help(
                lang,
                (
                    "佐证文件可在项目页面以附件上传。",
                    "Upload evidence files as attachments on the project page.",
                ),
            ),
    ]
}

fn milestone_form(
    who: &Auth,
    lang: Lang,
    uri: &Uri,
    project: &Project,
    heading: String,
    i: &MilestoneInput,
    errors: Option<FieldErrors>,
) -> Response {
    let has_errors = errors.as_ref().is_some_and(|e| !e.is_empty());
    let fields = Field::errors_from(milestone_fields(lang, i), &errors.unwrap_or_default(), lang);
    let view = FormPage {
        layout: Layout::new(who, lang, uri, Projects::NAV, heading.clone()),
        heading: format!("{heading} · {}", project.title),
        action: uri.path().to_string(),
        fields,
        has_errors,
        general_error: None,
        cancel_href: format!("/projects/{}", project.id),
    };
    let mut res = views::render(&view);
    if has_errors {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

async fn page_milestone_new(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let p = s.store.get_project(&who.viewer, path_id(&id)?).await?;
        Ok::<_, ApiError>(milestone_form(
            &who,
            lang,
            &uri,
            &p,
            lang.tr("新增节点", "New milestone").into(),
            &MilestoneInput::default(),
            None,
        ))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_milestone_create(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let p = s.store.get_project(&who.viewer, path_id(&id)?).await?;
        let input: MilestoneInput = parse_form(&body)?;
        let result = match input.validate() {
            Ok(d) => s
                .store
                .create_milestone(&who.viewer, p.id, &d)
                .await
                .map_err(ApiError::from),
            Err(e) => Err(ApiError::Invalid(e)),
        };
        match result {
            Ok(_) => Ok(views::redirect(&format!("/projects/{}#milestones", p.id))),
            Err(ApiError::Invalid(e)) => Ok(milestone_form(
                &who,
                lang,
                &uri,
                &p,
                lang.tr("新增节点", "New milestone").into(),
                &input,
                Some(e),
            )),
            Err(e) => Err(e),
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_milestone_edit(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path((id, mid)): Path<(String, String)>,
) -> Result<Response, PageErr> {
    let run = async {
        let m = milestone_of(&s, &who, &id, &mid).await?;
        let p = s.store.get_project(&who.viewer, m.project_id).await?;
        let heading = format!("{}：{}", lang.t().edit, m.title);
        Ok::<_, ApiError>(milestone_form(
            &who,
            lang,
            &uri,
            &p,
            heading,
            &MilestoneInput::from_record(&m),
            None,
        ))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_milestone_update(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path((id, mid)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let m = milestone_of(&s, &who, &id, &mid).await?;
        let p = s.store.get_project(&who.viewer, m.project_id).await?;
        let input: MilestoneInput = parse_form(&body)?;
        let result = match input.validate() {
            Ok(d) => s
                .store
                .update_milestone(&who.viewer, m.id, &d)
                .await
                .map_err(ApiError::from),
            Err(e) => Err(ApiError::Invalid(e)),
        };
        match result {
            Ok(_) => Ok(views::redirect(&format!("/projects/{}#milestones", p.id))),
            Err(ApiError::Invalid(e)) => Ok(milestone_form(
                &who,
                lang,
                &uri,
                &p,
                format!("{}：{}", lang.t().edit, m.title),
                &input,
                Some(e),
            )),
            Err(e) => Err(e),
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_milestone_archive(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path((id, mid)): Path<(String, String)>,
) -> Result<Response, PageErr> {
    let run = async {
        let m = milestone_of(&s, &who, &id, &mid).await?;
        s.store.set_milestone_archived(&who.viewer, m.id, true).await?;
        Ok::<_, ApiError>(views::redirect(&format!("/projects/{}#milestones", m.project_id)))
    };
    run.await.map_err(|e| PageErr(e, lang))
}
