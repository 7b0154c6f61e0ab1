//! Supervision bulletins (督查通报): generate a draft for a batch and period, edit its prose, issue
//! it (frozen, numbered, hashed), read it as a page or download it as a Word document.

use crate::auth::Auth;
use crate::error::{ApiError, changed_by};
use crate::extract::{Edit, FormBody, Id, IfMatch, JsonBody, JsonObject, Query};
use crate::resource::{apply_patch, created, tagged};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, Layout, Rejected, Table, local_time, mark_theirs};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::RecordKind;
use hezuo_domain::access::{Action, Role};
use hezuo_domain::bulletin::{Bulletin, BulletinContent, BulletinInput, BulletinStatus, ranking_sentence};
use hezuo_domain::{FieldErrors, ListParams, Msg, Page, input};
use hezuo_store::{Store, Version, Viewer};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/bulletins", get(api_list).post(api_create))
        .at("/api/v1/bulletins/{id}", get(api_get).put(api_update).patch(api_update))
        .at("/api/v1/bulletins/{id}/issue", post(api_issue))
        .at("/api/v1/bulletins/{id}/docx", get(docx))
        .at("/bulletins", get(page_list))
        .at("/bulletins/new", post(page_create))
        .at("/bulletins/{id}", get(page_show))
        .at("/bulletins/{id}/edit", post(page_edit))
        .at("/bulletins/{id}/issue", post(page_issue))
}

/// A bulletin with what it says.
#[derive(Serialize)]
pub struct WithContent {
    #[serde(flatten)]
    pub bulletin: Bulletin,
    pub content: BulletinContent,
}

/// Whether the caller may draft and issue bulletins at all: the store's rule, asked before what
/// they sent is read, so that someone who may not learns nothing from its validation.
fn may_write(v: &Viewer) -> Result<(), ApiError> {
    Ok(hezuo_store::access::check(v, RecordKind::Bulletin, Action::Create)?)
}

fn prose_input(b: &Bulletin) -> BulletinInput {
    BulletinInput {
        batch_id: Some(b.batch_id.to_string()),
        period: Some(b.period.clone()),
        title: Some(b.title.clone()),
        intro: Some(b.intro.clone()),
        closing: Some(b.closing.clone()),
    }
}

async fn update(
    store: &Store,
    v: &Viewer,
    id: i64,
    i: &BulletinInput,
    expected: Option<i64>,
) -> Result<Bulletin, ApiError> {
    Ok(store.update_bulletin(v, id, &i.prose()?, expected).await?)
}

fn target(i: &BulletinInput) -> Result<(i64, String), ApiError> {
    let mut e = FieldErrors::new();
    let batch = e.take("batch_id", input::id(&i.batch_id));
    let period = e.take("period", input::text(&i.period, 20));
    e.into_result(())?;
    Ok((batch.expect("checked"), period.expect("checked")))
}

async fn api_list(
    State(s): State<AppState>,
    who: Auth,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<Bulletin>>, ApiError> {
    Ok(Json(s.store.list_bulletins(&who.viewer, &p).await?))
}

async fn api_create(
    State(s): State<AppState>,
    who: Auth,
    JsonBody(i): JsonBody<BulletinInput>,
) -> Result<Response, ApiError> {
    may_write(&who.viewer)?;
    let (batch, period) = target(&i)?;
    let b = s.store.create_bulletin(&who.viewer, batch, &period).await?;
    Ok(created(format!("/api/v1/bulletins/{}", b.id), b))
}

async fn api_get(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Response, ApiError> {
    let version = s.store.record_version(&who.viewer, RecordKind::Bulletin, id).await?;
    let bulletin = s.store.get_bulletin(&who.viewer, id).await?;
    let content = s.store.bulletin_content(&who.viewer, &bulletin).await?;
    Ok(tagged(WithContent { bulletin, content }, version.id))
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
        (RecordKind::Bulletin, id),
        expected,
        patch,
        || async move { Ok(prose_input(&store.get_bulletin(v, id).await?)) },
        |i, version| async move { update(store, v, id, &i, Some(version)).await },
    )
    .await
}

async fn api_issue(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Bulletin>, ApiError> {
    Ok(Json(s.store.issue_bulletin(&who.viewer, id).await?))
}

/// The issued (or draft) bulletin as a Word document laid out after GB/T 9704.
async fn docx(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Response, ApiError> {
    let b = s.store.get_bulletin(&who.viewer, id).await?;
    let c = s.store.bulletin_content(&who.viewer, &b).await?;
    let bytes = hezuo_report::bulletin_docx(&c, b.content_hash.as_deref());
    let name = urlencoding::encode(&format!("{}.docx", b.title)).into_owned();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{name}"),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn page_list(cx: Ctx, Query(p): Query<ListParams>) -> Result<Response, ApiError> {
    let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
    let page = s.store.list_bulletins(&who.viewer, &p).await?;
    let mut t = Table::new(
        lang,
        &[
            ("通报", "Bulletin"),
            ("文号", "Number"),
            ("期次", "Period"),
            ("状态", "Status"),
            ("印发时间", "Issued"),
        ],
    );
    for b in &page.items {
        t.rows.push(vec![
            Cell::link(&b.title, format!("/bulletins/{}", b.id)),
            Cell::opt(b.number.clone(), lang),
            Cell::text(&b.period),
            Cell::badge(lang.pick(&b.status.label()), format!("n-{}", b.status.as_str())),
            Cell::opt(b.issued_at.map(local_time), lang),
        ]);
    }
    // The office generates a new one from a batch and a period that has begun.
    let mut filters = Vec::new();
    if who.viewer.role == Role::Office {
        filters.push(target_field(&cx, &[]).await?);
    }
    let heading = lang.tr("督查通报", "Bulletins").to_string();
    t.empty = lang.tr("还没有督查通报。", "No bulletins yet.").into();
    let view = BulletinList {
        layout: cx.layout("bulletins", heading.clone()),
        heading,
        total: page.total,
        table: t,
        new: filters,
    };
    Ok(views::render(&view))
}

#[derive(Template)]
#[template(path = "bulletins.html")]
struct BulletinList {
    layout: Layout,
    heading: String,
    total: i64,
    table: Table,
    new: Vec<Field>,
}

#[derive(serde::Deserialize)]
struct NewForm {
    /// `batch id|period`, as the list page's menu gives it.
    target: Option<String>,
}

/// The menu of batches and periods (those begun) a new bulletin is drafted for, `selected` marked.
async fn target_field(cx: &Ctx, selected: &[String]) -> Result<Field, ApiError> {
    let lang = cx.lang;
    let batches = cx.store().list_batches(cx.viewer(), &ListParams::first(20)).await?;
    let today = cx.store().today();
    let mut periods = Vec::new();
    for b in &batches.items {
        for per in b.periods().into_iter().filter(|p| p.start <= today).rev() {
            periods.push((
                format!("{}|{}", b.id, per.label(b.cadence)),
                format!("{} · {}", b.title, per.name(b.cadence)),
            ));
        }
    }
    Ok(Field::new(
        lang,
        "target",
        ("生成通报：清单与期次", "New bulletin: batch and period"),
        "select",
    )
    .required()
    .options(lang, periods, selected))
}

/// Drafts a bulletin for the chosen batch and period; without a usable choice, or refused by the
/// store, the form comes back with the reason beside the menu.
async fn page_create(cx: Ctx, FormBody(f): FormBody<NewForm>) -> Result<Response, ApiError> {
    may_write(cx.viewer())?;
    let chosen = f
        .target
        .as_deref()
        .and_then(|t| t.split_once('|'))
        .and_then(|(b, p)| Some((b.parse::<i64>().ok()?, p.to_string())));
    let outcome = match chosen {
        None => Err(ApiError::Invalid(FieldErrors::one(
            "target",
            Msg::new("请选择清单与期次", "Choose a batch and period"),
        ))),
        Some((batch, period)) => cx
            .store()
            .create_bulletin(cx.viewer(), batch, &period)
            .await
            .map_err(ApiError::from)
            .map_err(|e| match e {
                // The form has one menu for both: what is wrong with either is said beside it.
                ApiError::Invalid(errors) => ApiError::Invalid(FieldErrors(
                    errors
                        .0
                        .into_iter()
                        .map(|(k, m)| match k.as_str() {
                            "batch_id" | "period" => ("target".to_string(), m),
                            _ => (k, m),
                        })
                        .collect(),
                )),
                other => other,
            }),
    };
    match Rejected::split(outcome)? {
        Ok(b) => Ok(views::redirect(&format!("/bulletins/{}", b.id))),
        Err(r) => {
            let selected: Vec<String> = f.target.into_iter().collect();
            let fields = vec![target_field(&cx, &selected).await?];
            let heading = cx.tr("生成督查通报", "Draft a bulletin").to_string();
            Ok(
                views::FormPage::new(&cx, "bulletins", heading, fields, "/bulletins".into())
                    .rejected(Some(r))
                    .respond(),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    layout: Layout,
    id: i64,
    c: BulletinContent,
    total: usize,
    ranking: String,
    table: Table,
    flagged: Table,
    problems: Table,
    decisions: Table,
    decisions_sentence: String,
    hash: Option<String>,
    draft: bool,
    office: bool,
    fields: Vec<Field>,
    /// The version the prose form was filled in on.
    version: i64,
    /// Why the form is shown again, above it.
    notice: Option<String>,
}

/// How a bulletin page shows its prose form: as read (at `version`), refused (422), or overtaken by
/// another editor's change (their values beside these).
enum Prose {
    Read(i64),
    Refused(i64, Rejected),
    Overtaken(Version, BulletinInput),
}

/// The bulletin as a page; a draft with the form to edit its prose.
async fn show(cx: &Ctx, b: Bulletin, i: &BulletinInput, prose: Prose) -> Result<Response, ApiError> {
    let (who, lang) = (&cx.who, cx.lang);
    let c = cx.store().bulletin_content(&who.viewer, &b).await?;
    let mut units = Table::new(
        lang,
        &[
            ("排名", "Rank"),
            ("责任单位", "Unit"),
            ("项目数", "Projects"),
            ("按时报送", "On time"),
            ("迟报", "Late"),
            ("未报", "Missing"),
            ("按时率", "On-time rate"),
            ("节点完成", "Milestones met"),
        ],
    );
    for (k, u) in c.units.iter().enumerate() {
        units.rows.push(vec![
            Cell::text((k + 1).to_string()),
            Cell::text(&u.unit),
            Cell::text(u.projects.to_string()),
            Cell::text(u.reports_on_time.to_string()),
            Cell::text(u.reports_late.to_string()),
            Cell::text(u.reports_missing.to_string()),
            Cell::text(format!("{}%", u.on_time_rate)),
            Cell::text(format!("{}/{}", u.milestones_met, u.milestones_due)),
        ]);
    }
    let mut flagged = Table::new(
        lang,
        &[
            ("亮灯", "Flag"),
            ("项目", "Project"),
            ("牵头单位", "Lead unit"),
            ("原因", "Why"),
        ],
    );
    flagged.empty = lang.tr("本期无亮红灯、黄灯项目。", "No project is flagged.").into();
    for f in &c.flagged {
        let class = if f.flag == "红灯" { "f-red" } else { "f-yellow" };
        flagged.rows.push(vec![
            Cell::badge(&f.flag, class),
            Cell::text(&f.title),
            Cell::text(&f.lead_unit),
            Cell::text(&f.reasons),
        ]);
    }
    let mut problems = Table::new(
        lang,
        &[
            ("问题", "Problem"),
            ("所属项目", "Project"),
            ("责任单位", "Owner"),
            ("办结期限", "Due"),
            ("状态", "Status"),
        ],
    );
    problems.empty = lang.tr("本期无待协调问题。", "No open problem.").into();
    for p in &c.problems {
        problems.rows.push(vec![
            Cell::text(&p.title),
            Cell::text(&p.project),
            Cell::text(&p.owner),
            Cell::text(&p.due),
            Cell::text(&p.status),
        ]);
    }
    let mut decisions = Table::new(
        lang,
        &[
            ("议定事项", "Decision"),
            ("会议", "Meeting"),
            ("责任单位", "Owner"),
            ("完成时限", "Due"),
            ("状态", "Status"),
            ("落实情况", "How it stands"),
        ],
    );
    for d in &c.decisions {
        let class = match d.flag.as_str() {
            "红灯" => "f-red",
            "黄灯" => "f-yellow",
            "绿灯" => "f-green",
            _ => "",
        };
        decisions.rows.push(vec![
            Cell::text(&d.title),
            Cell::text(&d.event),
            Cell::text(&d.owner),
            Cell::text(&d.due),
            if d.flag.is_empty() {
                Cell::text(&d.status)
            } else {
                Cell::badge(format!("{}（{}）", d.status, d.flag), class)
            },
            Cell::text(&d.note),
        ]);
    }
    let fields = vec![
        Field::new(lang, "title", ("标题", "Title"), "text").value(i.title.as_deref()),
        Field::new(lang, "intro", ("导语", "Opening"), "textarea").value(i.intro.as_deref()),
        Field::new(lang, "closing", ("下步要求", "Requirements"), "textarea").value(i.closing.as_deref()),
    ];
    let (status, errors, version, notice, theirs) = match prose {
        Prose::Read(v) => (StatusCode::OK, FieldErrors::new(), v, None, None),
        Prose::Refused(v, r) => {
            // What is not about the prose fields (the bulletin is issued already) goes above them.
            let stray: Vec<String> = r
                .errors
                .0
                .iter()
                .filter(|(k, _)| !["title", "intro", "closing"].contains(&k.as_str()))
                .map(|(_, m)| lang.pick(m).to_string())
                .collect();
            (
                r.status,
                r.errors,
                v,
                (!stray.is_empty()).then(|| stray.join("；")),
                None,
            )
        }
        Prose::Overtaken(v, now) => (
            StatusCode::CONFLICT,
            FieldErrors::new(),
            v.id,
            Some(format!(
                "{}{}",
                lang.pick(&changed_by(&v)),
                lang.tr(
                    "。您的修改尚未保存：下面标出了对方保存的值，核对后再次保存将以您填写的内容为准。",
                    ". Your changes are not saved yet: their values are shown beside yours; saving again keeps yours.",
                )
            )),
            Some(now),
        ),
    };
    let page = BulletinPage {
        layout: cx.layout("bulletins", c.title.clone()),
        id: b.id,
        total: c.by_status.iter().map(|x| x.1).sum(),
        ranking: ranking_sentence(&c),
        table: units,
        flagged,
        problems,
        decisions,
        decisions_sentence: hezuo_domain::bulletin::decisions_sentence(&c),
        hash: b.content_hash.clone(),
        draft: b.status == BulletinStatus::Draft,
        office: who.viewer.role == Role::Office,
        fields: {
            let mut fields = Field::errors_from(fields, &errors, lang);
            if let Some(now) = &theirs {
                mark_theirs(&mut fields, now, i, lang);
            }
            fields
        },
        version,
        notice,
        c,
    };
    Ok(views::render_with(status, &page))
}

async fn page_show(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let version = cx.store().record_version(cx.viewer(), RecordKind::Bulletin, id).await?;
    let b = cx.store().get_bulletin(cx.viewer(), id).await?;
    let i = prose_input(&b);
    show(&cx, b, &i, Prose::Read(version.id)).await
}

async fn page_edit(cx: Ctx, Id(id): Id, FormBody(edit): FormBody<Edit<BulletinInput>>) -> Result<Response, ApiError> {
    may_write(cx.viewer())?;
    let (i, version) = (&edit.input, edit.version());
    match update(cx.store(), cx.viewer(), id, i, version).await {
        Err(ApiError::Stale(v)) => {
            let b = cx.store().get_bulletin(cx.viewer(), id).await?;
            let now = prose_input(&b);
            show(&cx, b, i, Prose::Overtaken(v, now)).await
        }
        other => match Rejected::split(other)? {
            Ok(_) => Ok(views::redirect(&format!("/bulletins/{id}"))),
            Err(r) => {
                let b = cx.store().get_bulletin(cx.viewer(), id).await?;
                show(&cx, b, i, Prose::Refused(version.unwrap_or_default(), r)).await
            }
        },
    }
}

async fn page_issue(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    match Rejected::split(cx.store().issue_bulletin(cx.viewer(), id).await.map_err(ApiError::from))? {
        Ok(b) => Ok(views::redirect(&format!("/bulletins/{}", b.id))),
        // Issued already (a second click, or by another office user): the bulletin says so above it.
        Err(r) => {
            let version = cx.store().record_version(cx.viewer(), RecordKind::Bulletin, id).await?;
            let b = cx.store().get_bulletin(cx.viewer(), id).await?;
            let i = prose_input(&b);
            show(&cx, b, &i, Prose::Refused(version.id, r)).await
        }
    }
}
