//! Meetings and their decisions (会议活动, 议定事项): the API of both records through the shared
//! record handlers, plus a decision's progress report (`/api/v1/decisions/{id}/progress`, for its
//! owner unit) and turning it into a project or a problem (`…/project`, `…/problem`: the new
//! record and the hand-over in one write). The pages are in `pages.rs`; the panels other pages
//! show (a unit's decisions, the decision a project came from) are here.

mod pages;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Id, IfMatch, JsonBody};
use crate::i18n::Lang;
use crate::resource::{created, resource, routes, tagged};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{Cell, Table, flag_cell};
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use hezuo_domain::RecordKind;
use hezuo_domain::event::{
    Decision, DecisionData, DecisionFilter, DecisionInput, Event, EventData, EventFilter, EventInput, ProgressInput,
};
use hezuo_domain::problem::{Problem, ProblemInput};
use hezuo_domain::project::{Project, ProjectInput};
use hezuo_store::Store;
use serde::Serialize;

resource!(
    Events,
    "events",
    hezuo_domain::RecordKind::Event,
    Event,
    EventInput,
    EventData,
    EventFilter,
    list_events,
    get_event,
    create_event,
    update_event,
    set_event_archived
);

resource!(
    Decisions,
    "decisions",
    hezuo_domain::RecordKind::Decision,
    Decision,
    DecisionInput,
    DecisionData,
    DecisionFilter,
    list_decisions,
    get_decision,
    create_decision,
    update_decision,
    set_decision_archived
);

pub fn router() -> Router<AppState> {
    routes::<Events>()
        .merge(routes::<Decisions>())
        .at("/api/v1/decisions/{id}/progress", post(api_progress))
        .at("/api/v1/decisions/{id}/project", post(api_to_project))
        .at("/api/v1/decisions/{id}/problem", post(api_to_problem))
        .at("/api/v1/events/{id}/decisions", get(api_event_decisions))
        .merge(pages::router())
}

/// A decision turned into a project: both as they now are.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HandedToProject {
    pub decision: Decision,
    pub project: Project,
}

/// A decision turned into a problem: both as they now are.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HandedToProblem {
    pub decision: Decision,
    pub problem: Problem,
}

async fn api_progress(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    JsonBody(i): JsonBody<ProgressInput>,
) -> Result<Response, ApiError> {
    let p = i.validate().map_err(ApiError::Invalid)?;
    let d = s.store.report_decision_progress(&who.viewer, id, &p, expected).await?;
    let version = s.store.record_version(&who.viewer, RecordKind::Decision, id).await?;
    Ok(tagged(d, version.id))
}

async fn api_to_project(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    JsonBody(i): JsonBody<ProjectInput>,
) -> Result<Response, ApiError> {
    let d = i.validate().map_err(ApiError::Invalid)?;
    let (decision, project) = s.store.decision_to_project(&who.viewer, id, &d, expected).await?;
    Ok(created(
        format!("/api/v1/projects/{}", project.id),
        HandedToProject { decision, project },
    ))
}

async fn api_to_problem(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    JsonBody(i): JsonBody<ProblemInput>,
) -> Result<Response, ApiError> {
    let d = i.validate().map_err(ApiError::Invalid)?;
    let (decision, problem) = s.store.decision_to_problem(&who.viewer, id, &d, expected).await?;
    Ok(created(
        format!("/api/v1/problems/{}", problem.id),
        HandedToProblem { decision, problem },
    ))
}

async fn api_event_decisions(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
) -> Result<axum::Json<Vec<Decision>>, ApiError> {
    s.store.get_event(&who.viewer, id).await?;
    let f = DecisionFilter {
        event_id: Some(id.to_string()),
        ..Default::default()
    };
    Ok(axum::Json(s.store.all_decisions(&who.viewer, &f).await?))
}

/// What became of a decision, in words and with a link: done on a day, handed over to a project or
/// a problem (with how that stands now), or how it stands.
pub async fn outcome_cell(store: &Store, v: &hezuo_store::Viewer, lang: Lang, d: &Decision) -> Result<Cell, ApiError> {
    if let Some(pid) = d.project_id {
        let text = match crate::resource::related(store.get_project(v, pid).await)? {
            Some(p) => format!(
                "{}{}（{}）",
                lang.tr("已转为项目：", "Became the project "),
                p.title,
                lang.pick(&p.status.label())
            ),
            None => format!("{}#{pid}", lang.tr("已转为项目 ", "Became project ")),
        };
        return Ok(Cell::link(text, format!("/projects/{pid}")));
    }
    if let Some(pid) = d.problem_id {
        let text = match crate::resource::related(store.get_problem(v, pid).await)? {
            Some(p) => format!(
                "{}{}（{}）",
                lang.tr("已转为问题协调：", "Became the problem "),
                p.title,
                lang.pick(&p.status.label())
            ),
            None => format!("{}#{pid}", lang.tr("已转为问题 ", "Became problem ")),
        };
        return Ok(Cell::link(text, format!("/problems/{pid}")));
    }
    Ok(match (d.status, d.done_on) {
        (hezuo_domain::event::DecisionStatus::Done, Some(on)) => {
            Cell::text(format!("{}{on}", lang.tr("已落实，完成于 ", "Done on ")))
        }
        _ => Cell::opt(d.progress.clone(), lang),
    })
}

/// A table of decisions: flag, what was decided, owner, due date, status, what became of it.
pub async fn decision_table(
    store: &Store,
    v: &hezuo_store::Viewer,
    lang: Lang,
    items: &[Decision],
    with_event: bool,
) -> Result<Table, ApiError> {
    let owners = store
        .organization_names(&items.iter().map(|d| d.owner_id).collect::<Vec<_>>())
        .await?;
    let mut head = vec![("亮灯", "Flag"), ("议定事项", "Decision")];
    if with_event {
        head.push(("会议", "Meeting"));
    }
    head.extend([
        ("责任单位", "Owner"),
        ("完成时限", "Due"),
        ("状态", "Status"),
        ("落实情况", "What became of it"),
    ]);
    let mut t = Table::new(lang, &head);
    t.empty = lang.tr("没有议定事项。", "No decisions.").into();
    let mut events = std::collections::HashMap::new();
    for d in items {
        let mut row = vec![
            flag_cell(lang, d.flag),
            Cell::link(&d.title, format!("/decisions/{}", d.id)),
        ];
        if with_event {
            if let std::collections::hash_map::Entry::Vacant(slot) = events.entry(d.event_id) {
                let e = crate::resource::related(store.get_event(v, d.event_id).await)?;
                slot.insert(e.map(|e| e.title));
            }
            row.push(match &events[&d.event_id] {
                Some(t) => Cell::link(t, format!("/events/{}", d.event_id)),
                None => Cell::text(format!("#{}", d.event_id)),
            });
        }
        row.extend([
            Cell::link(
                owners.get(&d.owner_id).cloned().unwrap_or_default(),
                format!("/organizations/{}", d.owner_id),
            ),
            Cell::text(d.due_on.to_string()),
            Cell::badge(lang.pick(&d.status.label()), format!("d-{}", d.status.as_str())),
            outcome_cell(store, v, lang, d).await?,
        ]);
        t.rows.push(row);
    }
    Ok(t)
}

/// The decisions given to an organisation (and those below it) still open, for its page.
pub async fn owner_panel(
    store: &Store,
    v: &hezuo_store::Viewer,
    lang: Lang,
    org: i64,
) -> Result<Option<crate::views::Section>, ApiError> {
    let f = DecisionFilter {
        owner_id: Some(org.to_string()),
        open: Some("true".into()),
        ..Default::default()
    };
    let items = store.all_decisions(v, &f).await?;
    if items.is_empty() {
        return Ok(None);
    }
    Ok(Some(crate::views::Section {
        id: "decisions",
        title: lang.tr("承办的议定事项（未落实）", "Decisions to carry out").into(),
        table: decision_table(store, v, lang, &items, true).await?,
        add: None,
    }))
}
