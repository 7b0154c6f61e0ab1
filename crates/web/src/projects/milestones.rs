//! A project's progress schedule (推进进度表): its milestones, nested under
//! `/projects/{id}/milestones` in the API and the pages. The schedule panel of the project's page
//! is in `projects`.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Edit, FormBody, Id, Ids, IfMatch, JsonBody, JsonObject};
use crate::i18n::Lang;
use crate::resource::{apply_patch, created, tagged};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx, Field, FormPage, Rejected};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::access::Action;
use hezuo_domain::project::{Milestone, MilestoneInput, MilestoneState, Project};
use hezuo_domain::{FieldErrors, Msg, Page, RecordKind};
use hezuo_store::{Store, Viewer};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/projects/{id}/milestones", get(api_list).post(api_create))
        .at(
            "/api/v1/projects/{id}/milestones/{mid}",
            get(api_get).put(api_update).patch(api_update),
        )
        .at("/api/v1/projects/{id}/milestones/{mid}/archive", post(api_archive))
        .at("/projects/{id}/milestones/new", get(page_new).post(page_create))
        .at("/projects/{id}/milestones/{mid}/edit", get(page_edit).post(page_update))
        .at("/projects/{id}/milestones/{mid}/archive", post(page_archive))
}

/// The milestone `mid` of project `id`, or 404 if it belongs to another project.
async fn milestone_of(store: &Store, v: &Viewer, Ids(id, mid): Ids) -> Result<Milestone, ApiError> {
    let m = store.get_milestone(v, mid).await?;
    if m.project_id != id {
        return Err(ApiError::NotFound);
    }
    Ok(m)
}

async fn create(store: &Store, v: &Viewer, project: i64, i: &MilestoneInput) -> Result<Milestone, ApiError> {
    Ok(store.create_milestone(v, project, &i.validate()?).await?)
}

async fn update(
    store: &Store,
    v: &Viewer,
    id: i64,
    i: &MilestoneInput,
    expected: Option<i64>,
) -> Result<Milestone, ApiError> {
    Ok(store.update_milestone(v, id, &i.validate()?, expected).await?)
}

async fn api_list(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Page<Milestone>>, ApiError> {
    let p = s.store.get_project(&who.viewer, id).await?;
    Ok(Json(Page::whole(
        s.store.list_milestones(&who.viewer, p.id, false).await?,
    )))
}

async fn api_create(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<MilestoneInput>,
) -> Result<Response, ApiError> {
    let m = create(&s.store, &who.viewer, id, &i).await?;
    Ok(created(
        format!("/api/v1/projects/{}/milestones/{}", m.project_id, m.id),
        m,
    ))
}

async fn api_get(State(s): State<AppState>, who: Auth, Ids(id, mid): Ids) -> Result<Response, ApiError> {
    let version = s.store.record_version(&who.viewer, RecordKind::Milestone, mid).await?;
    Ok(tagged(
        milestone_of(&s.store, &who.viewer, Ids(id, mid)).await?,
        version.id,
    ))
}

async fn api_update(
    State(s): State<AppState>,
    who: Auth,
    Ids(id, mid): Ids,
    IfMatch(expected): IfMatch,
    patch: JsonObject,
) -> Result<Response, ApiError> {
    let (store, v) = (&s.store, &who.viewer);
    apply_patch(
        &s,
        v,
        (RecordKind::Milestone, mid),
        expected,
        patch,
        || async move {
            Ok(MilestoneInput::from_record(
                &milestone_of(store, v, Ids(id, mid)).await?,
            ))
        },
        |i, version| async move { update(store, v, mid, &i, Some(version)).await },
    )
    .await
}

async fn api_archive(
    State(s): State<AppState>,
    who: Auth,
    ids: Ids,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    let m = milestone_of(&s.store, &who.viewer, ids).await?;
    let m = s
        .store
        .set_milestone_archived(&who.viewer, m.id, true, expected)
        .await?;
    let version = s.store.record_version(&who.viewer, RecordKind::Milestone, m.id).await?;
    Ok(tagged(m, version.id))
}

fn fields(lang: Lang, i: &MilestoneInput) -> Vec<Field> {
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

/// The milestone form: a new one (`editing` None) or an existing one at the version the form
/// carries, with a refusal shown again.
fn form(
    cx: &Ctx,
    p: &Project,
    editing: Option<(&Milestone, i64)>,
    i: &MilestoneInput,
    r: Option<Rejected>,
) -> Response {
    let heading = match editing {
        None => cx.tr("新增节点", "New milestone").to_string(),
        Some((m, _)) => format!("{}：{}", cx.lang.t().edit, m.title),
    };
    let cancel = format!("/projects/{}", p.id);
    let page = FormPage::new(
        cx,
        "projects",
        format!("{heading} · {}", p.title),
        fields(cx.lang, i),
        cancel,
    )
    .rejected(r);
    match editing {
        Some((_, version)) => page.version(version),
        None => page,
    }
    .respond()
}

fn to_schedule(project: i64) -> Response {
    views::redirect(&format!("/projects/{project}#milestones"))
}

/// After a save: back to the schedule, unless the milestone is overdue from the moment it was
/// entered (its due date already passed, not done) — then the form stays, saved, with the warning
/// beside the date, so that a mistyped year is not accepted silently.
async fn saved(cx: &Ctx, p: &Project, m: &Milestone) -> Result<Response, ApiError> {
    let today = cx.store().today();
    if m.state(today) != MilestoneState::Overdue {
        return Ok(to_schedule(p.id));
    }
    let version = cx
        .store()
        .record_version(cx.viewer(), RecordKind::Milestone, m.id)
        .await?;
    let warning = Rejected {
        status: StatusCode::OK,
        errors: FieldErrors::one(
            "due_on",
            Msg::new(
                format!(
                    "已保存。计划完成日期 {} 早于今天（{today}），该节点已显示为逾期；如日期有误，请修改后再次保存。",
                    m.due_on
                ),
                format!(
                    "Saved. The due date {} is before today ({today}), so the milestone shows as overdue; if the date is wrong, correct it and save again.",
                    m.due_on
                ),
            ),
        ),
    };
    let path = format!("/projects/{}/milestones/{}/edit", p.id, m.id);
    let mut page = FormPage::new(
        cx,
        "projects",
        format!("{}：{} · {}", cx.lang.t().edit, m.title, p.title),
        fields(cx.lang, &MilestoneInput::from_record(m)),
        format!("/projects/{}", p.id),
    )
    .rejected(Some(warning))
    .version(version.id);
    // The form saves the milestone it now shows, whichever address showed it; it was saved, so the
    // note beside the date is a warning, not an error summary.
    page.action = path;
    page.has_errors = false;
    Ok(page.respond())
}

async fn page_new(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let p = cx.store().get_project(cx.viewer(), id).await?;
    cx.require(RecordKind::Milestone, None, Action::Create).await?;
    Ok(form(&cx, &p, None, &MilestoneInput::default(), None))
}

async fn page_create(cx: Ctx, Id(id): Id, FormBody(i): FormBody<MilestoneInput>) -> Result<Response, ApiError> {
    let p = cx.store().get_project(cx.viewer(), id).await?;
    Ok(
        match Rejected::split(create(cx.store(), cx.viewer(), p.id, &i).await)? {
            Ok(m) => saved(&cx, &p, &m).await?,
            Err(r) => form(&cx, &p, None, &i, Some(r)),
        },
    )
}

async fn page_edit(cx: Ctx, ids: Ids) -> Result<Response, ApiError> {
    cx.require(RecordKind::Milestone, Some(ids.1), Action::Update).await?;
    let version = cx
        .store()
        .record_version(cx.viewer(), RecordKind::Milestone, ids.1)
        .await?;
    let m = milestone_of(cx.store(), cx.viewer(), ids).await?;
    let p = cx.store().get_project(cx.viewer(), m.project_id).await?;
    Ok(form(
        &cx,
        &p,
        Some((&m, version.id)),
        &MilestoneInput::from_record(&m),
        None,
    ))
}

/// Saves an edit made on the version the form carries; if the milestone changed since, nothing is
/// saved and the form comes back with the other editor's values beside these.
async fn page_update(cx: Ctx, ids: Ids, FormBody(edit): FormBody<Edit<MilestoneInput>>) -> Result<Response, ApiError> {
    let m = milestone_of(cx.store(), cx.viewer(), ids).await?;
    let p = cx.store().get_project(cx.viewer(), m.project_id).await?;
    let (i, version) = (&edit.input, edit.version());
    Ok(match update(cx.store(), cx.viewer(), m.id, i, version).await {
        Err(ApiError::Stale(v)) => {
            let now = MilestoneInput::from_record(&cx.store().get_milestone(cx.viewer(), m.id).await?);
            let cancel = format!("/projects/{}", p.id);
            let heading = format!("{}：{} · {}", cx.lang.t().edit, m.title, p.title);
            FormPage::new(&cx, "projects", heading, fields(cx.lang, i), cancel)
                .stale(&v, &now, i)
                .respond()
        }
        other => match Rejected::split(other)? {
            Ok(saved_m) => saved(&cx, &p, &saved_m).await?,
            Err(r) => form(&cx, &p, Some((&m, version.unwrap_or_default())), i, Some(r)),
        },
    })
}

async fn page_archive(cx: Ctx, ids: Ids) -> Result<Response, ApiError> {
    let m = milestone_of(cx.store(), cx.viewer(), ids).await?;
    cx.store().set_milestone_archived(cx.viewer(), m.id, true, None).await?;
    Ok(to_schedule(m.project_id))
}
