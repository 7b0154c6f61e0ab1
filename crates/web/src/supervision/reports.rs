//! Progress reports (进度填报): a responsible unit files its report for a period (every version kept,
//! lateness decided by the first filing), the office accepts it (then it is frozen). API, the
//! filing form, and the reports panel of a project's page.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody};
use crate::resource::created;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{
    self, Cell, Ctx, DetailPage, Field, FormPage, PostAction, Rejected, Section, Table, chosen, local_time,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::access::{Action, Role};
use hezuo_domain::project::{Project, ProjectStatus};
use hezuo_domain::supervision::{ProgressReport, ReportInput};
use hezuo_domain::{Page, RecordKind};
use hezuo_store::{Store, Viewer};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/projects/{id}/reports", get(api_list).post(api_file))
        .at("/api/v1/reports/{id}", get(api_get))
        .at("/api/v1/reports/{id}/accept", post(api_accept))
        .at("/projects/{id}/reports/new", get(page_new).post(page_file))
        .at("/reports/{id}/accept", post(page_accept))
}

async fn file(store: &Store, v: &Viewer, project: i64, i: &ReportInput) -> Result<ProgressReport, ApiError> {
    Ok(store.file_report(v, project, &i.validate()?).await?)
}

async fn api_list(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Page<ProgressReport>>, ApiError> {
    Ok(Json(Page::whole(s.store.project_reports(&who.viewer, id).await?)))
}

async fn api_file(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<ReportInput>,
) -> Result<Response, ApiError> {
    let r = file(&s.store, &who.viewer, id, &i).await?;
    Ok(created(format!("/api/v1/reports/{}", r.id), r))
}

async fn api_get(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<ProgressReport>, ApiError> {
    Ok(Json(s.store.get_report(&who.viewer, id).await?))
}

async fn api_accept(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<ProgressReport>, ApiError> {
    Ok(Json(s.store.accept_report(&who.viewer, id).await?))
}

/// The reports panel of a project's page: the latest version of each unit's report per period.
pub async fn section(cx: &Ctx, p: &Project) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let all = cx.store().project_reports(cx.viewer(), p.id).await?;
    let names = cx
        .store()
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
            ("成果", "Outcomes"),
        ],
    );
    t.empty = lang.tr("还没有进度填报。", "No reports yet.").into();
    // Units report outcomes with their progress reports (or on their own).
    let may_record = cx.can(RecordKind::Outcome, None, Action::Create).await?;
    let mut seen = std::collections::HashSet::new();
    let office = cx.viewer().role == Role::Office;
    for r in &all {
        if !seen.insert((r.period.clone(), r.organization_id)) {
            continue; // an older version of a report already shown
        }
        let filed = format!(
            "{}{}",
            local_time(r.filed_at),
            if r.late { lang.tr("（迟报）", " (late)") } else { "" }
        );
        let accepted = match (&r.accepted_at, office) {
            (Some(t), _) => Cell::text(local_time(*t)),
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
            if may_record {
                Cell::link(
                    lang.tr("登记成果", "Record an outcome"),
                    format!("/outcomes/new?project_id={}&report_id={}", p.id, r.id),
                )
            } else {
                Cell::text("")
            },
        ]);
    }
    let may_file = matches!(p.status, ProjectStatus::Approved | ProjectStatus::InProgress)
        && p.batch_id.is_some()
        && cx.viewer().role.may(RecordKind::ProgressReport, Action::Create);
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

/// The filing form: the periods that have begun, the milestones still open.
async fn form(cx: &Ctx, p: &Project, i: &ReportInput, r: Option<Rejected>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let batch = match p.batch_id {
        Some(b) => Some(cx.store().get_batch(cx.viewer(), b).await?),
        None => None,
    };
    let today = cx.store().today();
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
    let milestones: Vec<(String, String)> = cx
        .store()
        .list_milestones(cx.viewer(), p.id, false)
        .await?
        .into_iter()
        .filter(|m| m.done_on.is_none())
        .map(|m| (m.id.to_string(), format!("{}（{}）", m.title, m.due_on)))
        .collect();
    let fields = vec![
        Field::new(lang, "period", ("期次", "Period"), "select")
            .required()
            .options(lang, periods, &chosen(&i.period)),
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
    let heading = format!("{} · {}", lang.tr("填报进度", "File a report"), p.title);
    let cancel = format!("/projects/{}#reports", p.id);
    Ok(FormPage::new(cx, "projects", heading, fields, cancel)
        .rejected(r)
        .respond())
}

/// The report the office's "accept" link shows, with a button to accept it, and why accepting it
/// was refused when it was (an older version, or accepted already).
fn accept_page(cx: &Ctx, p: &Project, r: &ProgressReport, refused: Option<Rejected>) -> Response {
    let lang = cx.lang;
    let view = DetailPage {
        layout: cx.layout("projects", p.title.clone()),
        heading: format!("{} · {}", p.title, r.period),
        kind_label: lang.tr("进度填报", "Progress report").into(),
        badges: if r.late {
            vec![Cell::badge(lang.tr("迟报", "Late"), "f-yellow")]
        } else {
            vec![]
        },
        edit_href: None,
        links: vec![],
        actions: vec![PostAction {
            confirm: None,
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
            (lang.tr("报送时间", "Filed").into(), Cell::text(local_time(r.filed_at))),
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
        notice: refused.as_ref().map(|x| {
            x.errors
                .0
                .values()
                .map(|m| lang.pick(m).to_string())
                .collect::<Vec<_>>()
                .join("；")
        }),
        history: None,
        read_only_attachments: false,
        forms: None,
        thread: None,
    };
    views::render_with(refused.map(|x| x.status).unwrap_or(StatusCode::OK), &view)
}

#[derive(Default, serde::Deserialize)]
struct AcceptQuery {
    accept: Option<String>,
}

async fn page_new(cx: Ctx, Id(id): Id, q: crate::extract::Query<AcceptQuery>) -> Result<Response, ApiError> {
    let p = cx.store().get_project(cx.viewer(), id).await?;
    match q.0.accept {
        Some(rid) => {
            let rid = rid.parse::<i64>().ok().filter(|i| *i > 0).ok_or(ApiError::NotFound)?;
            let r = cx.store().get_report(cx.viewer(), rid).await?;
            Ok(accept_page(&cx, &p, &r, None))
        }
        None => form(&cx, &p, &ReportInput::default(), None).await,
    }
}

async fn page_file(cx: Ctx, Id(id): Id, FormBody(i): FormBody<ReportInput>) -> Result<Response, ApiError> {
    let p = cx.store().get_project(cx.viewer(), id).await?;
    match Rejected::split(file(cx.store(), cx.viewer(), p.id, &i).await)? {
        Ok(_) => Ok(views::redirect(&format!("/projects/{}#reports", p.id))),
        Err(r) => form(&cx, &p, &i, Some(r)).await,
    }
}

async fn page_accept(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    match Rejected::split(cx.store().accept_report(cx.viewer(), id).await.map_err(ApiError::from))? {
        Ok(r) => Ok(views::redirect(&format!("/projects/{}#reports", r.project_id))),
        // An older version, or accepted already: the report is shown again with the reason.
        Err(refused) => {
            let r = cx.store().get_report(cx.viewer(), id).await?;
            let p = cx.store().get_project(cx.viewer(), r.project_id).await?;
            Ok(accept_page(&cx, &p, &r, Some(refused)))
        }
    }
}
