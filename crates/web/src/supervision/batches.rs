//! The year's project lists (年度合作项目清单, batches): their reporting cadence and periods, and
//! their approval, which approves their planned projects with them. API and pages.

use super::flagged::{all_projects, flagged_table};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, IfMatch, JsonBody, JsonObject, Query};
use crate::i18n::Lang;
use crate::resource::{apply_patch, created, tagged};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{
    self, Cell, Ctx, DetailPage, Field, FormPage, ListPage, PostAction, Rejected, Section, Table, chosen, code_options,
    legend_text, local_time,
};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::access::{Action, Role};
use hezuo_domain::project::ProjectFilter;
use hezuo_domain::supervision::{Batch, BatchInput, BatchStatus, Cadence};
use hezuo_domain::{ListParams, Page, RecordKind};
use hezuo_store::{Store, Viewer};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/batches", get(api_list).post(api_create))
        .at("/api/v1/batches/{id}", get(api_get).put(api_update).patch(api_update))
        .at("/api/v1/batches/{id}/approve", post(api_approve))
        .at("/batches", get(page_list))
        .at("/batches/new", get(page_new).post(page_create))
        .at("/batches/{id}", get(page_show))
        .at("/batches/{id}/approve", post(page_approve))
}

async fn create(store: &Store, v: &Viewer, i: &BatchInput) -> Result<Batch, ApiError> {
    Ok(store.create_batch(v, &i.validate()?).await?)
}

async fn api_list(
    State(s): State<AppState>,
    who: Auth,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<Batch>>, ApiError> {
    Ok(Json(s.store.list_batches(&who.viewer, &p).await?))
}

async fn api_get(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Response, ApiError> {
    let version = s.store.record_version(&who.viewer, RecordKind::Batch, id).await?;
    Ok(tagged(s.store.get_batch(&who.viewer, id).await?, version.id))
}

async fn api_create(
    State(s): State<AppState>,
    who: Auth,
    JsonBody(i): JsonBody<BatchInput>,
) -> Result<Response, ApiError> {
    let b = create(&s.store, &who.viewer, &i).await?;
    Ok(created(format!("/api/v1/batches/{}", b.id), b))
}

async fn api_update(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    patch: JsonObject,
) -> Result<Response, ApiError> {
    let (store, v) = (&s.store, &who.viewer);
    apply_patch(
        &s,
        v,
        (RecordKind::Batch, id),
        expected,
        patch,
        || async move { Ok(BatchInput::from_record(&store.get_batch(v, id).await?)) },
        |i, version| async move { Ok(store.update_batch(v, id, &i.validate()?, Some(version)).await?) },
    )
    .await
}

async fn api_approve(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Batch>, ApiError> {
    Ok(Json(s.store.approve_batch(&who.viewer, id).await?))
}

async fn page_list(cx: Ctx, Query(p): Query<ListParams>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let page = cx.store().list_batches(cx.viewer(), &p).await?;
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
    let mut view = ListPage::new(
        cx.layout("batches", heading.clone()),
        &cx.uri,
        heading,
        vec![],
        t,
        &page,
    );
    if cx.can(RecordKind::Batch, None, Action::Create).await? {
        view.new_href = Some("/batches/new".into());
    }
    Ok(views::render(&view))
}

fn fields(lang: Lang, i: &BatchInput) -> Vec<Field> {
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
                &chosen(&i.cadence),
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

fn form(cx: &Ctx, i: &BatchInput, r: Option<Rejected>) -> Response {
    let heading = cx.tr("新建年度项目清单", "New batch").to_string();
    FormPage::new(cx, "batches", heading, fields(cx.lang, i), "/batches".into())
        .rejected(r)
        .respond()
}

async fn page_new(cx: Ctx) -> Result<Response, ApiError> {
    cx.require(RecordKind::Batch, None, Action::Create).await?;
    Ok(form(&cx, &BatchInput::default(), None))
}

async fn page_create(cx: Ctx, FormBody(i): FormBody<BatchInput>) -> Result<Response, ApiError> {
    Ok(match Rejected::split(create(cx.store(), cx.viewer(), &i).await)? {
        Ok(b) => views::redirect(&format!("/batches/{}", b.id)),
        Err(r) => form(&cx, &i, Some(r)),
    })
}

async fn page_show(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    show(&cx, id, None).await
}

/// The batch's page; a refusal of its approval (already approved) is shown on it, with its status.
async fn show(cx: &Ctx, id: i64, refused: Option<Rejected>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let b = cx.store().get_batch(cx.viewer(), id).await?;
    let f = ProjectFilter {
        batch_id: Some(b.id.to_string()),
        ..Default::default()
    };
    let projects = all_projects(cx.store(), cx.viewer(), &f).await?;
    let today = cx.store().today();
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
    if b.status == BatchStatus::Draft && cx.viewer().role == Role::Office {
        actions.push(PostAction {
            confirm: None,
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
        layout: cx.layout("batches", b.title.clone()),
        heading: b.title.clone(),
        kind_label: lang.tr("年度项目清单", "Batch").into(),
        badges: vec![Cell::badge(
            lang.pick(&b.status.label()),
            format!("b-{}", b.status.as_str()),
        )],
        edit_href: None,
        links: vec![],
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
                Cell::opt(b.approved_at.map(local_time), lang),
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
                table: flagged_table(&cx.s, lang, &projects).await?,
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
        notice: refused.as_ref().map(|r| {
            r.errors
                .0
                .values()
                .map(|m| lang.pick(m).to_string())
                .collect::<Vec<_>>()
                .join("；")
        }),
        history: Some(crate::audit::history(cx, RecordKind::Batch, b.id).await?),
        read_only_attachments: false,
        forms: None,
        thread: None,
    };
    Ok(views::render_with(
        refused.map(|r| r.status).unwrap_or(axum::http::StatusCode::OK),
        &view,
    ))
}

async fn page_approve(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    match Rejected::split(cx.store().approve_batch(cx.viewer(), id).await.map_err(ApiError::from))? {
        Ok(b) => Ok(views::redirect(&format!("/batches/{}", b.id))),
        // Approved twice (a second click, another office user first): the page says so.
        Err(r) => show(&cx, id, Some(r)).await,
    }
}
