//! A demand's way through review: submitting, the staged review (screen → assess → accepted, or
//! returned with a reason), starting matching, marking it matched, the project it became, closing
//! it, and merging a near-duplicate into the demand it repeats. Each step is one operation that the
//! API and the page's form both call; the store decides who may take it and from which status.
//! Also the demand page's review-trail and duplicates panels.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody};
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, FormPage, Rejected, Section, Table, chosen, code_options, local_time};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_app::demands::Duplicate;
use hezuo_domain::demand::{Demand, DemandReview, DemandStep, ReviewDecision, ReviewInput};
use hezuo_domain::input::{self, de_opt_string};
use hezuo_domain::{ListParams, Msg, Page};
use hezuo_store::{Store, Viewer};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/demands/{id}/submit", post(api_submit))
        .at("/api/v1/demands/{id}/review", post(api_review))
        .at("/api/v1/demands/{id}/step", post(api_step))
        .at("/api/v1/demands/{id}/merge", post(api_merge))
        .at("/api/v1/demands/{id}/reviews", get(api_reviews))
        .at("/api/v1/demands/{id}/duplicates", get(api_duplicates))
        .at("/demands/{id}/submit", post(page_submit))
        .at("/demands/{id}/step", post(page_step))
        .at(
            "/demands/{id}/review",
            get(|cx, id| show(StepPage::Review, cx, id)).post(|cx, id, f| submit(StepPage::Review, cx, id, f)),
        )
        .at(
            "/demands/{id}/close",
            get(|cx, id| show(StepPage::Close, cx, id)).post(|cx, id, f| submit(StepPage::Close, cx, id, f)),
        )
        .at(
            "/demands/{id}/project",
            get(|cx, id| show(StepPage::Project, cx, id)).post(|cx, id, f| submit(StepPage::Project, cx, id, f)),
        )
        .at(
            "/demands/{id}/merge",
            get(|cx, id| show(StepPage::Merge, cx, id)).post(|cx, id, f| submit(StepPage::Merge, cx, id, f)),
        )
}

// ---- the operations ----

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// `start_matching`, `mark_matched`, `project` (with `project_id`) or `close` (with `comment`).
    pub action: Option<String>,
    pub comment: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub project_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MergeInput {
    /// The demand this one repeats.
    #[serde(deserialize_with = "de_opt_string")]
    pub into: Option<String>,
}

fn step_of(i: &StepInput) -> Result<DemandStep, ApiError> {
    match input::opt_text(&i.action) {
        Some("start_matching") => Ok(DemandStep::StartMatching),
        Some("mark_matched") => Ok(DemandStep::MarkMatched),
        Some("project") => Ok(DemandStep::BecomeProject),
        Some("close") => Ok(DemandStep::Close),
        Some("submit") => Ok(DemandStep::Submit),
        other => Err(ApiError::field(
            "action",
            Msg::new(
                format!(
                    "办理事项“{}”无效，可选：start_matching、mark_matched、project、close",
                    other.unwrap_or("")
                ),
                "action must be start_matching, mark_matched, project or close",
            ),
        )),
    }
}

async fn step(store: &Store, v: &Viewer, id: i64, i: &StepInput) -> Result<Demand, ApiError> {
    let step = step_of(i)?;
    let project = match step {
        DemandStep::BecomeProject => Some(input::id(&i.project_id).map_err(|m| ApiError::field("project_id", m))?),
        _ => None,
    };
    Ok(store.demand_step(v, id, step, i.comment.clone(), project).await?)
}

async fn review(store: &Store, v: &Viewer, id: i64, i: &ReviewInput) -> Result<Demand, ApiError> {
    let (decision, comment) = i.validate()?;
    Ok(store.review_demand(v, id, decision, comment).await?)
}

async fn merge(store: &Store, v: &Viewer, id: i64, i: &MergeInput) -> Result<Demand, ApiError> {
    let into = input::id(&i.into).map_err(|m| ApiError::field("into", m))?;
    Ok(store.merge_demand(v, id, into).await?)
}

// ---- the API ----

async fn api_submit(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Demand>, ApiError> {
    Ok(Json(
        s.store
            .demand_step(&who.viewer, id, DemandStep::Submit, None, None)
            .await?,
    ))
}

async fn api_review(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<ReviewInput>,
) -> Result<Json<Demand>, ApiError> {
    Ok(Json(review(&s.store, &who.viewer, id, &i).await?))
}

async fn api_step(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<StepInput>,
) -> Result<Json<Demand>, ApiError> {
    Ok(Json(step(&s.store, &who.viewer, id, &i).await?))
}

async fn api_merge(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<MergeInput>,
) -> Result<Json<Demand>, ApiError> {
    Ok(Json(merge(&s.store, &who.viewer, id, &i).await?))
}

async fn api_reviews(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Page<DemandReview>>, ApiError> {
    Ok(Json(Page::whole(s.store.demand_reviews(&who.viewer, id).await?)))
}

/// Near-duplicates among what the caller may see: an enterprise compares with its own demands.
async fn api_duplicates(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Page<Duplicate>>, ApiError> {
    Ok(Json(Page::whole(
        hezuo_app::demands::duplicates(&s.store, &who.viewer, id).await?,
    )))
}

// ---- the pages ----

fn to_demand(id: i64) -> Response {
    views::redirect(&format!("/demands/{id}"))
}

async fn page_submit(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    cx.store()
        .demand_step(cx.viewer(), id, DemandStep::Submit, None, None)
        .await?;
    Ok(to_demand(id))
}

/// The buttons of a demand's page (start matching, mark matched).
async fn page_step(cx: Ctx, Id(id): Id, FormBody(i): FormBody<StepInput>) -> Result<Response, ApiError> {
    step(cx.store(), cx.viewer(), id, &i).await?;
    Ok(to_demand(id))
}

/// The steps that have a form of their own.
#[derive(Clone, Copy)]
enum StepPage {
    Review,
    Close,
    Project,
    Merge,
}

/// What those forms send.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    decision: Option<String>,
    comment: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    project_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    into: Option<String>,
}

impl StepPage {
    fn heading(self, lang: Lang, d: &Demand) -> String {
        let what = match self {
            StepPage::Review => match d.status.awaiting_review() {
                Some(stage) => lang.pick(&stage.label()).to_string(),
                None => lang.tr("审核", "Review").to_string(),
            },
            StepPage::Close => lang.tr("关闭需求", "Close").to_string(),
            StepPage::Project => lang.tr("转为项目", "Turn into a project").to_string(),
            StepPage::Merge => lang.tr("合并重复需求", "Merge a duplicate").to_string(),
        };
        format!("{what}：{}", d.title)
    }

    async fn fields(self, cx: &Ctx, d: &Demand, f: &StepForm) -> Result<Vec<Field>, ApiError> {
        let lang = cx.lang;
        Ok(match self {
            StepPage::Review => vec![
                Field::new(lang, "decision", ("结论", "Decision"), "select")
                    .required()
                    .options(
                        lang,
                        code_options(lang, ReviewDecision::ALL, ReviewDecision::label, ReviewDecision::as_str),
                        &chosen(&f.decision),
                    ),
                Field::new(lang, "comment", ("意见", "Comment"), "textarea")
                    .value(f.comment.as_deref())
                    .help(
                        lang,
                        (
                            "退回时必须写明理由，企业会看到。",
                            "Required when returning; the enterprise reads it.",
                        ),
                    ),
            ],
            StepPage::Close => vec![
                Field::new(lang, "comment", ("关闭理由", "Reason"), "textarea")
                    .required()
                    .value(f.comment.as_deref()),
            ],
            StepPage::Project => {
                let all = ListParams::first(200);
                let projects = cx
                    .store()
                    .list_projects(cx.viewer(), &Default::default(), &all)
                    .await?
                    .items
                    .into_iter()
                    .map(|p| (p.id.to_string(), p.title))
                    .collect();
                vec![
                    Field::new(
                        lang,
                        "project_id",
                        ("由此需求立项的项目", "The project it became"),
                        "select",
                    )
                    .required()
                    .options(lang, projects, &chosen(&f.project_id))
                    .help(
                        lang,
                        (
                            "先在“合作项目”中新建项目（来源选“企业需求”），再回到此处关联。",
                            "Create the project first (origin: demand), then link it here.",
                        ),
                    ),
                ]
            }
            StepPage::Merge => {
                let candidates = hezuo_app::demands::duplicates(cx.store(), cx.viewer(), d.id)
                    .await?
                    .into_iter()
                    .map(|x| {
                        (
                            x.id.to_string(),
                            format!("#{} {}（相似度 {:.0}%）", x.id, x.title, x.similarity * 100.0),
                        )
                    })
                    .collect();
                vec![
                    Field::new(
                        lang,
                        "into",
                        ("合并到（保留的需求）", "Merge into (the one kept)"),
                        "select",
                    )
                    .required()
                    .options(lang, candidates, &chosen(&f.into))
                    .help(
                        lang,
                        (
                            "本需求将关闭并注明与所选需求重复。",
                            "This demand is closed as a duplicate of the one chosen.",
                        ),
                    ),
                ]
            }
        })
    }

    async fn run(self, store: &Store, v: &Viewer, id: i64, f: StepForm) -> Result<Demand, ApiError> {
        match self {
            StepPage::Review => {
                let i = ReviewInput {
                    decision: f.decision,
                    comment: f.comment,
                };
                review(store, v, id, &i).await
            }
            StepPage::Close | StepPage::Project => {
                let action = if matches!(self, StepPage::Close) {
                    "close"
                } else {
                    "project"
                };
                let i = StepInput {
                    action: Some(action.into()),
                    comment: f.comment,
                    project_id: f.project_id,
                };
                step(store, v, id, &i).await
            }
            StepPage::Merge => merge(store, v, id, &MergeInput { into: f.into }).await,
        }
    }

    /// The form, with what was sent and a refusal shown again.
    async fn form(self, cx: &Ctx, d: &Demand, f: &StepForm, r: Option<Rejected>) -> Result<Response, ApiError> {
        let fields = self.fields(cx, d, f).await?;
        let cancel = format!("/demands/{}", d.id);
        let mut page = FormPage::new(cx, "demands", self.heading(cx.lang, d), fields, cancel).rejected(r);
        if matches!(self, StepPage::Merge) {
            page = page.confirm(cx.tr(
                "确定合并？此需求将关闭并指向所选需求，合并后不能撤销。",
                "Merge? This demand is closed and points at the chosen one; this cannot be undone.",
            ));
        }
        Ok(page.respond())
    }
}

/// A step's form; the merge form may be reached with the duplicate chosen (`?into=`).
async fn show(page: StepPage, cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let d = cx.store().get_demand(cx.viewer(), id).await?;
    let f = StepForm {
        into: views::query_param(&cx.uri, "into"),
        ..Default::default()
    };
    page.form(&cx, &d, &f, None).await
}

async fn submit(page: StepPage, cx: Ctx, Id(id): Id, FormBody(f): FormBody<StepForm>) -> Result<Response, ApiError> {
    match Rejected::split(page.run(cx.store(), cx.viewer(), id, f.clone()).await)? {
        Ok(_) => Ok(to_demand(id)),
        Err(r) => {
            let d = cx.store().get_demand(cx.viewer(), id).await?;
            page.form(&cx, &d, &f, Some(r)).await
        }
    }
}

// ---- the demand page's panels ----

/// The review trail, oldest first.
pub async fn reviews_section(cx: &Ctx, d: &Demand) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let mut reviews = Table::new(
        lang,
        &[
            ("环节", "Stage"),
            ("结论", "Decision"),
            ("意见", "Comment"),
            ("审核人", "Reviewer"),
            ("时间", "When"),
        ],
    );
    reviews.empty = lang.tr("尚未审核。", "Not reviewed yet.").into();
    for r in cx.store().demand_reviews(cx.viewer(), d.id).await? {
        reviews.rows.push(vec![
            Cell::text(lang.pick(&r.stage.label())),
            Cell::badge(lang.pick(&r.decision.label()), format!("r-{}", r.decision.as_str())),
            Cell::opt(r.comment, lang),
            Cell::text(r.reviewer),
            Cell::text(local_time(r.created_at)),
        ]);
    }
    Ok(Section {
        id: "reviews",
        title: lang.tr("审核记录", "Reviews").into(),
        table: reviews,
        add: None,
    })
}

/// Likely duplicates with their similarity, each with a link to merge.
pub async fn duplicates_section(cx: &Ctx, d: &Demand) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let dups = hezuo_app::demands::duplicates(cx.store(), cx.viewer(), d.id).await?;
    let ids: Vec<i64> = dups.iter().map(|x| x.enterprise_id).collect();
    let ent = cx.store().organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("疑似重复需求", "Possible duplicate"),
            ("企业", "Enterprise"),
            ("相似度", "Similarity"),
            ("状态", "Status"),
            ("", ""),
        ],
    );
    t.empty = lang.tr("未发现疑似重复的需求。", "No likely duplicates found.").into();
    for x in dups {
        t.rows.push(vec![
            Cell::link(&x.title, format!("/demands/{}", x.id)),
            Cell::text(format!(
                "{}{}",
                ent.get(&x.enterprise_id).cloned().unwrap_or_default(),
                if x.same_enterprise {
                    lang.tr("（同一企业）", " (same enterprise)")
                } else {
                    ""
                }
            )),
            Cell::text(format!("{:.0}%", x.similarity * 100.0)),
            Cell::text(lang.pick(&x.status.label())),
            Cell::link(
                lang.tr("合并为重复…", "Merge as duplicate…"),
                format!("/demands/{}/merge?into={}", d.id, x.id),
            ),
        ]);
    }
    Ok(Section {
        id: "duplicates",
        title: lang.tr("查重", "Duplicates").into(),
        table: t,
        add: None,
    })
}
