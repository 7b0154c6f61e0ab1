//! Supervision (督查): the year's project lists (batches) and their approval, progress reports
//! (进度填报) with their versions and acceptance, and the supervision board of red/yellow/green
//! flags grouped by unit and by county. API and pages.

use crate::AppState;
use crate::RouteExt;
use crate::auth::Auth;
use crate::error::{Api, ApiError, Page as PageErr};
use crate::i18n::Lang;
use crate::resource::{created, merge_input, parse_form, parse_json, parse_query, path_id};
use crate::views::{self, Cell, DetailPage, Field, FormPage, Layout, PostAction, Section, Table, code_options};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::codes::division_name;
use hezuo_domain::project::{Project, ProjectFilter};
use hezuo_domain::supervision::{Batch, BatchInput, BatchStatus, Cadence, Flag, ProgressReport, ReportInput, legend};
use hezuo_domain::{FieldErrors, ListParams, Page};
use serde::Serialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/batches", get(api_batches).post(api_batch_create))
        .at(
            "/api/v1/batches/{id}",
            get(api_batch).put(api_batch_update).patch(api_batch_update),
        )
        .at("/api/v1/batches/{id}/approve", post(api_batch_approve))
        .at(
            "/api/v1/projects/{id}/reports",
            get(api_project_reports).post(api_report_file),
        )
        .at("/api/v1/reports/{id}", get(api_report))
        .at("/api/v1/reports/{id}/accept", post(api_report_accept))
        .at("/api/v1/board", get(api_board))
        .at("/batches", get(page_batches))
        .at("/batches/new", get(page_batch_new).post(page_batch_create))
        .at("/batches/{id}", get(page_batch))
        .at("/batches/{id}/approve", post(page_batch_approve))
        .at(
            "/projects/{id}/reports/new",
            get(page_report_new).post(page_report_file),
        )
        .at("/reports/{id}/accept", post(page_report_accept))
        .at("/board", get(page_board))
}

/// The flag as a badge, for tables.
pub fn flag_cell(lang: Lang, f: Flag) -> Cell {
    Cell::badge(lang.pick(&f.label()), format!("f-{}", f.as_str()))
}

/// The legend under every flag: the rules, in words.
pub fn legend_text(lang: Lang) -> String {
    legend()
        .iter()
        .map(|(_, m)| lang.pick(m).to_string())
        .collect::<Vec<_>>()
        .join("；")
}

// ---- batches ----

async fn api_batches(State(s): State<AppState>, lang: Lang, who: Auth, uri: Uri) -> Result<Json<Page<Batch>>, Api> {
    let run = async {
        let p: ListParams = parse_query(uri.query())?;
        Ok::<_, ApiError>(s.store.list_batches(&who.viewer, &p).await?)
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_batch(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Batch>, Api> {
    let run = async { Ok::<_, ApiError>(s.store.get_batch(&who.viewer, path_id(&id)?).await?) };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_batch_create(State(s): State<AppState>, lang: Lang, who: Auth, body: Bytes) -> Result<Response, Api> {
    let run = async {
        let i: BatchInput = parse_json(&body)?;
        let b = s.store.create_batch(&who.viewer, &i.validate()?).await?;
        Ok::<_, ApiError>(created(format!("/api/v1/batches/{}", b.id), b))
    };
    run.await.map_err(|e| Api(e, lang))
}

async fn api_batch_update(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Batch>, Api> {
    let run = async {
        let id = path_id(&id)?;
        let current = s.store.get_batch(&who.viewer, id).await?;
        let i = merge_input(&BatchInput::from_record(&current), &body)?;
        Ok::<_, ApiError>(s.store.update_batch(&who.viewer, id, &i.validate()?).await?)
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_batch_approve(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Batch>, Api> {
    let run = async { Ok::<_, ApiError>(s.store.approve_batch(&who.viewer, path_id(&id)?).await?) };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn batch_projects(s: &AppState, who: &Auth, batch: i64) -> Result<Vec<Project>, ApiError> {
    let f = ProjectFilter {
        batch_id: Some(batch.to_string()),
        ..Default::default()
    };
    all_projects(s, who, &f).await
}

/// Every project matching `f` that the user may see, page after page.
async fn all_projects(s: &AppState, who: &Auth, f: &ProjectFilter) -> Result<Vec<Project>, ApiError> {
    let mut out = Vec::new();
    for page in 1.. {
        let p = ListParams {
            page: Some(page.to_string()),
            per_page: Some("200".into()),
            ..Default::default()
        };
        let got = s.store.list_projects(&who.viewer, f, &p).await?;
        let last = page >= got.pages();
        out.extend(got.items);
        if last {
            break;
        }
    }
    Ok(out)
}

async fn page_batches(State(s): State<AppState>, lang: Lang, who: Auth, uri: Uri) -> Result<Response, PageErr> {
    let run = async {
        let p: ListParams = parse_query(uri.query())?;
        let page = s.store.list_batches(&who.viewer, &p).await?;
        let mut t = Table::new(
            lang,
            &[
                ("清单", "Batch"),
                ("年度", "Year"),
                ("报送周期", "Cadence"),
                ("报送日", "Report day"),
                ("状态", "Status"),
            ],
        );
        for b in &page.items {
            t.rows.push(vec![
                Cell::link(&b.title, format!("/batches/{}", b.id)),
                Cell::text(b.year.to_string()),
                Cell::text(lang.pick(&b.cadence.label())),
                Cell::text(format!("{}{}", b.report_due_day, lang.tr(" 日", "th"))),
                Cell::badge(lang.pick(&b.status.label()), format!("b-{}", b.status.as_str())),
            ]);
        }
        let heading = lang.tr("年度项目清单", "Batches").to_string();
        let mut view = views::ListPage::new(
            Layout::new(&who, lang, &uri, "batches", heading.clone()),
            &uri,
            heading,
            vec![],
            t,
            &page,
        );
        if who.viewer.role == hezuo_domain::access::Role::Office {
            view.new_href = Some("/batches/new".into());
        }
        Ok::<_, ApiError>(views::render(&view))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

fn batch_fields(lang: Lang, i: &BatchInput) -> Vec<Field> {
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    vec![
        Field::new(lang, "title", ("清单名称", "Title"), "text")
            .value(i.title.as_deref())
            .required(),
        Field::new(lang, "year", ("年度", "Year"), "number")
            .value(i.year.as_deref())
            .required(),
        Field::new(lang, "cadence", ("报送周期", "Cadence"), "select")
            .required()
            .options(
                lang,
                code_options(lang, Cadence::ALL, Cadence::label, Cadence::as_str),
                &one(&i.cadence),
            ),
        Field::new(
            lang,
            "report_due_day",
            ("报送日（次月几日前）", "Report due on day (of the next month)"),
            "number",
        )
        .value(i.report_due_day.as_deref().or(Some("5")))
        .help(
            lang,
            (
                "1–28，例如 5 表示每期结束后次月 5 日前报送。",
                "1–28; 5 means by the 5th of the month after each period.",
            ),
        ),
    ]
}

fn batch_form(who: &Auth, lang: Lang, uri: &Uri, i: &BatchInput, errors: FieldErrors) -> Response {
    let has = !errors.is_empty();
    let heading = lang.tr("新建年度项目清单", "New batch").to_string();
    let view = FormPage {
        layout: Layout::new(who, lang, uri, "batches", heading.clone()),
        heading,
        action: uri.path().to_string(),
        fields: Field::errors_from(batch_fields(lang, i), &errors, lang),
        has_errors: has,
        general_error: None,
        cancel_href: "/batches".into(),
    };
    let mut res = views::render(&view);
    if has {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

async fn page_batch_new(lang: Lang, who: Auth, uri: Uri) -> Response {
    batch_form(&who, lang, &uri, &BatchInput::default(), FieldErrors::new())
}

async fn page_batch_create(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let i: BatchInput = parse_form(&body)?;
        let result = match i.validate() {
            Ok(d) => s.store.create_batch(&who.viewer, &d).await.map_err(ApiError::from),
            Err(e) => Err(ApiError::Invalid(e)),
        };
        match result {
            Ok(b) => Ok(views::redirect(&format!("/batches/{}", b.id))),
            Err(ApiError::Invalid(e)) => Ok(batch_form(&who, lang, &uri, &i, e)),
            Err(e) => Err(e),
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// A table of projects with their flags and why.
pub async fn flagged_table(s: &AppState, lang: Lang, items: &[Project]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|p| p.lead_unit_id).collect();
    let names = s.store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("亮灯", "Flag"),
            ("项目名称", "Project"),
            ("牵头单位", "Lead unit"),
            ("状态", "Status"),
            ("原因", "Why"),
        ],
    );
    for p in items {
        t.rows.push(vec![
            flag_cell(lang, p.flag),
            Cell::link(&p.title, format!("/projects/{}", p.id)),
            Cell::text(names.get(&p.lead_unit_id).cloned().unwrap_or_default()),
            Cell::badge(lang.pick(&p.status.label()), format!("s-{}", p.status.as_str())),
            Cell::text(p.flag_reasons.join("；")),
        ]);
    }
    Ok(t)
}

async fn page_batch(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let b = s.store.get_batch(&who.viewer, path_id(&id)?).await?;
        let projects = batch_projects(&s, &who, b.id).await?;
        let today = s.store.today();
        let mut periods = Table::new(
            lang,
            &[
                ("期次", "Period"),
                ("起止", "Dates"),
                ("报送截止", "Report due"),
                ("", ""),
            ],
        );
        for p in b.periods() {
            let state = if p.due < today {
                lang.tr("已截止", "Closed")
            } else if p.start <= today {
                lang.tr("填报中", "Open")
            } else {
                lang.tr("未开始", "Not begun")
            };
            periods.rows.push(vec![
                Cell::text(p.name(b.cadence)),
                Cell::text(format!("{} — {}", p.start, p.end)),
                Cell::text(p.due.to_string()),
                Cell::text(state),
            ]);
        }
        let mut actions = Vec::new();
        if b.status == BatchStatus::Draft && who.viewer.role == hezuo_domain::access::Role::Office {
            actions.push(PostAction {
                label: lang
                    .tr(
                        "审定清单（清单内计划项目全部立项）",
                        "Approve (its planned projects become approved)",
                    )
                    .into(),
                action: format!("/batches/{}/approve", b.id),
                class: "primary",
                fields: vec![],
            });
        }
        let view = DetailPage {
            layout: Layout::new(&who, lang, &uri, "batches", b.title.clone()),
            heading: b.title.clone(),
            kind_label: lang.tr("年度项目清单", "Batch").into(),
            badges: vec![Cell::badge(
                lang.pick(&b.status.label()),
                format!("b-{}", b.status.as_str()),
            )],
            edit_href: None,
            actions,
            archived: false,
            props: vec![
                (lang.tr("年度", "Year").into(), Cell::text(b.year.to_string())),
                (
                    lang.tr("报送周期", "Cadence").into(),
                    Cell::text(lang.pick(&b.cadence.label())),
                ),
                (
                    lang.tr("审定时间", "Approved").into(),
                    Cell::opt(b.approved_at.map(crate::projects::local_time), lang),
                ),
                (
                    lang.tr("项目数", "Projects").into(),
                    Cell::text(projects.len().to_string()),
                ),
            ],
            long_text: vec![(lang.tr("亮灯规则", "Flag rules").into(), legend_text(lang))],
            sections: vec![
                Section {
                    id: "projects",
                    title: lang.tr("清单内项目", "Projects in the batch").into(),
                    table: flagged_table(&s, lang, &projects).await?,
                    add: Some((
                        lang.tr("新增项目", "Add a project").into(),
                        format!("/projects/new?batch_id={}&batch_year={}", b.id, b.year),
                    )),
                },
                Section {
                    id: "periods",
                    title: lang.tr("填报期次", "Reporting periods").into(),
                    table: periods,
                    add: None,
                },
            ],
            attachments: None,
            notice: None,
            history: Some(crate::audit::history(&s, &who, lang, hezuo_domain::RecordKind::Batch, b.id).await?),
            read_only_attachments: false,
        };
        Ok::<_, ApiError>(views::render(&view))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_batch_approve(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let b = s.store.approve_batch(&who.viewer, path_id(&id)?).await?;
        Ok::<_, ApiError>(views::redirect(&format!("/batches/{}", b.id)))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

// ---- reports ----

async fn api_project_reports(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Page<ProgressReport>>, Api> {
    let run = async {
        let items = s.store.project_reports(&who.viewer, path_id(&id)?).await?;
        Ok::<_, ApiError>(Page::whole(items))
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_report_file(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Api> {
    let run = async {
        let id = path_id(&id)?;
        let i: ReportInput = parse_json(&body)?;
        let r = s.store.file_report(&who.viewer, id, &i.validate()?).await?;
        Ok::<_, ApiError>(created(format!("/api/v1/reports/{}", r.id), r))
    };
    run.await.map_err(|e| Api(e, lang))
}

async fn api_report(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<ProgressReport>, Api> {
    let run = async { Ok::<_, ApiError>(s.store.get_report(&who.viewer, path_id(&id)?).await?) };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_report_accept(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<ProgressReport>, Api> {
    let run = async { Ok::<_, ApiError>(s.store.accept_report(&who.viewer, path_id(&id)?).await?) };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

/// The reports panel of a project page: the latest version of each unit's report per period.
pub async fn reports_section(s: &AppState, who: &Auth, lang: Lang, p: &Project) -> Result<Section, ApiError> {
    let all = s.store.project_reports(&who.viewer, p.id).await?;
    let names = s
        .store
        .organization_names(&all.iter().map(|r| r.organization_id).collect::<Vec<_>>())
        .await?;
    let mut t = Table::new(
        lang,
        &[
            ("期次", "Period"),
            ("填报单位", "Unit"),
            ("完成比例", "Done"),
            ("进展", "Progress"),
            ("报送", "Filed"),
            ("版本", "Version"),
            ("采纳", "Accepted"),
        ],
    );
    t.empty = lang.tr("还没有进度填报。", "No reports yet.").into();
    let mut seen = std::collections::HashSet::new();
    let office = who.viewer.role == hezuo_domain::access::Role::Office;
    for r in &all {
        if !seen.insert((r.period.clone(), r.organization_id)) {
            continue; // an older version of a report already shown
        }
        let filed = format!(
            "{}{}",
            crate::projects::local_time(r.filed_at),
            if r.late { lang.tr("（迟报）", " (late)") } else { "" }
        );
        let accepted = match (&r.accepted_at, office) {
            (Some(t), _) => Cell::text(crate::projects::local_time(*t)),
            (None, true) => Cell::link(
                lang.tr("待采纳", "To accept"),
                format!("/projects/{}/reports/new?accept={}", p.id, r.id),
            ),
            (None, false) => Cell::text(lang.tr("待采纳", "Pending")),
        };
        t.rows.push(vec![
            Cell::text(&r.period),
            Cell::text(names.get(&r.organization_id).cloned().unwrap_or_default()),
            Cell::text(format!("{}%", r.percent)),
            Cell::text(&r.done_text),
            if r.late {
                Cell::badge(filed, "f-yellow")
            } else {
                Cell::text(filed)
            },
            Cell::text(format!("v{}", r.version)),
            accepted,
        ]);
    }
    let may_file = matches!(
        p.status,
        hezuo_domain::project::ProjectStatus::Approved | hezuo_domain::project::ProjectStatus::InProgress
    ) && p.batch_id.is_some()
        && who.viewer.role.may(
            hezuo_domain::RecordKind::ProgressReport,
            hezuo_domain::access::Action::Create,
        );
    Ok(Section {
        id: "reports",
        title: lang.tr("进度填报", "Progress reports").into(),
        table: t,
        add: may_file.then(|| {
            (
                lang.tr("填报进度", "File a report").into(),
                format!("/projects/{}/reports/new", p.id),
            )
        }),
    })
}

async fn report_form(
    s: &AppState,
    who: &Auth,
    lang: Lang,
    uri: &Uri,
    p: &Project,
    i: &ReportInput,
    errors: FieldErrors,
) -> Result<Response, ApiError> {
    let batch = match p.batch_id {
        Some(b) => Some(s.store.get_batch(&who.viewer, b).await?),
        None => None,
    };
    let today = s.store.today();
    let periods: Vec<(String, String)> = batch
        .iter()
        .flat_map(|b| {
            b.periods()
                .into_iter()
                .filter(|x| x.start <= today)
                .rev()
                .map(|x| (x.label(b.cadence), format!("{}（{} 前报送）", x.name(b.cadence), x.due)))
        })
        .collect();
    let milestones: Vec<(String, String)> = s
        .store
        .list_milestones(&who.viewer, p.id, false)
        .await?
        .into_iter()
        .filter(|m| m.done_on.is_none())
        .map(|m| (m.id.to_string(), format!("{}（{}）", m.title, m.due_on)))
        .collect();
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    let fields = vec![
        Field::new(lang, "period", ("期次", "Period"), "select")
            .required()
            .options(lang, periods, &one(&i.period)),
        Field::new(lang, "done_text", ("本期完成情况", "What was done"), "textarea")
            .value(i.done_text.as_deref())
            .required(),
        Field::new(lang, "percent", ("总体完成比例（%）", "Percent complete"), "number")
            .value(i.percent.as_deref())
            .required(),
        Field::new(
            lang,
            "milestone_ids",
            ("本期完成的节点（可多选）", "Milestones reached"),
            "multi",
        )
        .options(lang, milestones, &i.milestone_ids)
        .help(
            lang,
            (
                "佐证材料请在项目页面以附件上传。",
                "Upload evidence as attachments on the project page.",
            ),
        ),
        Field::new(lang, "problems_text", ("存在问题", "Problems met"), "textarea").value(i.problems_text.as_deref()),
        Field::new(lang, "next_steps", ("下步计划", "Next steps"), "textarea").value(i.next_steps.as_deref()),
    ];
    let has = !errors.is_empty();
    let stray: Vec<String> = errors
        .0
        .iter()
        .filter(|(k, _)| k.as_str() == "organization_id")
        .map(|(_, m)| lang.pick(m).to_string())
        .collect();
    let heading = format!("{} · {}", lang.tr("填报进度", "File a report"), p.title);
    let view = FormPage {
        layout: Layout::new(who, lang, uri, "projects", heading.clone()),
        heading,
        action: uri.path().to_string(),
        fields: Field::errors_from(fields, &errors, lang),
        has_errors: has,
        general_error: (!stray.is_empty()).then(|| stray.join("；")),
        cancel_href: format!("/projects/{}#reports", p.id),
    };
    let mut res = views::render(&view);
    if has {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn page_report_new(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let p = s.store.get_project(&who.viewer, path_id(&id)?).await?;
        // The office's "accept" link shows the report with a button to accept it.
        if let Some(rid) = views::query_param(&uri, "accept") {
            let r = s.store.get_report(&who.viewer, path_id(&rid)?).await?;
            let view = DetailPage {
                layout: Layout::new(&who, lang, &uri, "projects", p.title.clone()),
                heading: format!("{} · {}", p.title, r.period),
                kind_label: lang.tr("进度填报", "Progress report").into(),
                badges: if r.late {
                    vec![Cell::badge(lang.tr("迟报", "Late"), "f-yellow")]
                } else {
                    vec![]
                },
                edit_href: None,
                actions: vec![PostAction {
                    label: lang.tr("采纳本期填报", "Accept this report").into(),
                    action: format!("/reports/{}/accept", r.id),
                    class: "primary",
                    fields: vec![],
                }],
                archived: false,
                props: vec![
                    (
                        lang.tr("完成比例", "Done").into(),
                        Cell::text(format!("{}%", r.percent)),
                    ),
                    (lang.tr("版本", "Version").into(), Cell::text(format!("v{}", r.version))),
                    (lang.tr("报送人", "Filed by").into(), Cell::text(&r.filed_by)),
                    (
                        lang.tr("报送时间", "Filed").into(),
                        Cell::text(crate::projects::local_time(r.filed_at)),
                    ),
                ],
                long_text: [
                    Some((
                        lang.tr("本期完成情况", "What was done").to_string(),
                        r.done_text.clone(),
                    )),
                    r.problems_text
                        .clone()
                        .map(|t| (lang.tr("存在问题", "Problems met").to_string(), t)),
                    r.next_steps
                        .clone()
                        .map(|t| (lang.tr("下步计划", "Next steps").to_string(), t)),
                ]
                .into_iter()
                .flatten()
                .collect(),
                sections: vec![],
                attachments: None,
                notice: None,
                history: None,
                read_only_attachments: false,
            };
            return Ok(views::render(&view));
        }
        report_form(&s, &who, lang, &uri, &p, &ReportInput::default(), FieldErrors::new()).await
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_report_file(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let p = s.store.get_project(&who.viewer, path_id(&id)?).await?;
        let i: ReportInput = parse_form(&body)?;
        let result = match i.validate() {
            Ok(d) => s.store.file_report(&who.viewer, p.id, &d).await.map_err(ApiError::from),
            Err(e) => Err(ApiError::Invalid(e)),
        };
        match result {
            Ok(_) => Ok(views::redirect(&format!("/projects/{}#reports", p.id))),
            Err(ApiError::Invalid(e)) | Err(ApiError::Conflict(e)) => {
                report_form(&s, &who, lang, &uri, &p, &i, e).await
            }
            Err(e) => Err(e),
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_report_accept(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let r = s.store.accept_report(&who.viewer, path_id(&id)?).await?;
        Ok::<_, ApiError>(views::redirect(&format!("/projects/{}#reports", r.project_id)))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

// ---- the board ----

#[derive(Debug, Default, Clone, Serialize)]
pub struct Counts {
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
}

impl Counts {
    fn add(&mut self, f: Flag) {
        match f {
            Flag::Red => self.red += 1,
            Flag::Yellow => self.yellow += 1,
            Flag::Green => self.green += 1,
        }
    }
}

/// The supervision board: active projects' flags, grouped by lead unit and by county.
#[derive(Debug, Serialize)]
pub struct Board {
    pub today: String,
    pub totals: Counts,
    pub by_unit: Vec<(String, Counts)>,
    pub by_county: Vec<(String, Counts)>,
    /// Red and yellow projects with their reasons, red first.
    pub flagged: Vec<Project>,
}

pub async fn board(s: &AppState, who: &Auth) -> Result<Board, ApiError> {
    let mut active = Vec::new();
    for status in ["approved", "in_progress"] {
        let f = ProjectFilter {
            status: Some(status.into()),
            ..Default::default()
        };
        active.extend(all_projects(s, who, &f).await?);
    }
    let leads: Vec<i64> = active.iter().map(|p| p.lead_unit_id).collect();
    let names = s.store.organization_names(&leads).await?;
    let regions = s.store.organization_regions(&leads).await?;
    let mut totals = Counts::default();
    let mut by_unit: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_county: BTreeMap<String, Counts> = BTreeMap::new();
    for p in &active {
        totals.add(p.flag);
        by_unit
            .entry(names.get(&p.lead_unit_id).cloned().unwrap_or_default())
            .or_default()
            .add(p.flag);
        let county = regions
            .get(&p.lead_unit_id)
            .and_then(|c| c.as_deref())
            .and_then(division_name)
            .unwrap_or_else(|| "（未填行政区划）".into());
        by_county.entry(county).or_default().add(p.flag);
    }
    let rank = |c: &Counts| (std::cmp::Reverse(c.red), std::cmp::Reverse(c.yellow));
    let mut by_unit: Vec<(String, Counts)> = by_unit.into_iter().collect();
    by_unit.sort_by_key(|(_, c)| rank(c));
    let mut by_county: Vec<(String, Counts)> = by_county.into_iter().collect();
    by_county.sort_by_key(|(_, c)| rank(c));
    let mut flagged: Vec<Project> = active.into_iter().filter(|p| p.flag != Flag::Green).collect();
    flagged.sort_by_key(|p| (p.flag != Flag::Red, p.id));
    Ok(Board {
        today: s.store.today().to_string(),
        totals,
        by_unit,
        by_county,
        flagged,
    })
}

async fn api_board(State(s): State<AppState>, lang: Lang, who: Auth) -> Result<Json<Board>, Api> {
    board(&s, &who).await.map(Json).map_err(|e| Api(e, lang))
}

#[derive(Template)]
#[template(path = "board.html")]
pub struct BoardPage {
    pub layout: Layout,
    pub board: Board,
    pub legend: Vec<(String, String)>,
    pub units: Table,
    pub counties: Table,
    pub flagged: Table,
    pub problems: Table,
}

fn counts_table(lang: Lang, first: (&str, &str), rows: &[(String, Counts)]) -> Table {
    let mut t = Table::new(lang, &[first, ("红灯", "Red"), ("黄灯", "Yellow"), ("绿灯", "Green")]);
    for (name, c) in rows {
        t.rows.push(vec![
            Cell::text(name),
            if c.red > 0 {
                Cell::badge(c.red.to_string(), "f-red")
            } else {
                Cell::text("0")
            },
            if c.yellow > 0 {
                Cell::badge(c.yellow.to_string(), "f-yellow")
            } else {
                Cell::text("0")
            },
            Cell::text(c.green.to_string()),
        ]);
    }
    t
}

pub async fn board_page(s: &AppState, who: &Auth, lang: Lang, uri: &Uri) -> Result<Response, ApiError> {
    let b = board(s, who).await?;
    let problems = s
        .store
        .list_problems(
            &who.viewer,
            &hezuo_domain::problem::ProblemFilter {
                open: Some("true".into()),
                ..Default::default()
            },
            &ListParams {
                per_page: Some("20".into()),
                ..Default::default()
            },
        )
        .await?;
    let view = BoardPage {
        layout: Layout::new(who, lang, uri, "board", lang.tr("督查看板", "Supervision board")),
        legend: legend()
            .iter()
            .map(|(f, m)| (format!("f-{}", f.as_str()), lang.pick(m).to_string()))
            .collect(),
        units: counts_table(lang, ("牵头单位", "Lead unit"), &b.by_unit),
        counties: counts_table(lang, ("区县", "County"), &b.by_county),
        flagged: flagged_table(s, lang, &b.flagged).await?,
        problems: crate::problems::problem_table(s, lang, &problems.items).await?,
        board: b,
    };
    Ok(views::render(&view))
}

async fn page_board(State(s): State<AppState>, lang: Lang, who: Auth, uri: Uri) -> Result<Response, PageErr> {
    board_page(&s, &who, lang, &uri).await.map_err(|e| PageErr(e, lang))
}
