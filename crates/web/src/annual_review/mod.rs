//! The annual review (工作会议回顾): the list of years, a year's review as a page (sections with
//! tables and charts; the office edits its prose and issues it), the same as JSON, and as a Word
//! document in the 公文 layout with its charts as pictures.
//!
//! Who: the office edits and issues; leaders read drafts and issued reviews; coordinators read
//! issued reviews (the whole city's figures: it is the city's document, shown at the conference);
//! other roles are refused (403) and have no menu entry.

use crate::auth::Auth;
use crate::error::{ApiError, changed_by};
use crate::extract::{Edit, FormBody, IfMatch, JsonObject, merge_input};
use crate::i18n::Lang;
use crate::resource::tagged;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, Layout, Rejected, Table, mark_theirs};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::access::Role;
use hezuo_domain::annual_review::{AnnualReview, AnnualReviewContent, AnnualReviewInput, AnnualReviewStatus};
use hezuo_domain::{FieldErrors, Money};
use hezuo_report::annual_review::{ReviewChart, SECTIONS, charts, figure_rows};
use hezuo_store::annual_reviews::ReviewYear;
use hezuo_store::{Store, Version, Viewer};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/annual-review", get(api_list))
        .at(
            "/api/v1/annual-review/{year}",
            get(api_get).put(api_update).patch(api_update),
        )
        .at("/api/v1/annual-review/{year}/issue", post(api_issue))
        .at("/api/v1/annual-review/{year}/docx", get(docx))
        .at("/annual-review", get(page_list))
        .at("/annual-review/{year}", get(page_show))
        .at("/annual-review/{year}/edit", post(page_edit))
        .at("/annual-review/{year}/issue", post(page_issue))
}

/// A review with what it says.
#[derive(Serialize)]
pub struct WithContent {
    #[serde(flatten)]
    pub review: AnnualReview,
    pub content: AnnualReviewContent,
}

/// The `{year}` of the path; anything else is not found.
fn year_of(raw: &str) -> Result<i32, ApiError> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| hezuo_domain::annual_review::YEARS.contains(y))
        .ok_or(ApiError::NotFound)
}

fn prose_input(r: &AnnualReview) -> AnnualReviewInput {
    AnnualReviewInput {
        title: Some(r.title.clone()),
        intro: Some(r.intro.clone()),
        next_year: Some(r.next_year.clone()),
    }
}

/// Whether the caller may edit and issue reviews: asked before what they sent is read.
fn may_write(v: &Viewer) -> Result<(), ApiError> {
    Ok(hezuo_store::access::check(
        v,
        hezuo_domain::RecordKind::AnnualReview,
        hezuo_domain::access::Action::Update,
    )?)
}

async fn update(
    store: &Store,
    v: &Viewer,
    year: i32,
    i: &AnnualReviewInput,
    expected: Option<i64>,
) -> Result<AnnualReview, ApiError> {
    Ok(store.update_annual_review(v, year, &i.prose()?, expected).await?)
}

async fn api_list(State(s): State<AppState>, who: Auth) -> Result<Json<Vec<ReviewYear>>, ApiError> {
    Ok(Json(s.store.list_annual_reviews(&who.viewer).await?))
}

async fn api_get(State(s): State<AppState>, who: Auth, Path(year): Path<String>) -> Result<Response, ApiError> {
    let year = year_of(&year)?;
    let version = s.store.annual_review_version(&who.viewer, year).await?;
    let review = s.store.annual_review(&who.viewer, year).await?;
    let content = s.store.annual_review_content(&who.viewer, &review).await?;
    Ok(tagged(WithContent { review, content }, version.id))
}

/// PUT and PATCH of the prose: the fields sent replace, the others stay. With `If-Match`, only at
/// that version (412 otherwise); without, another editor's save in between is read and laid under.
async fn api_update(
    State(s): State<AppState>,
    who: Auth,
    Path(year): Path<String>,
    IfMatch(expected): IfMatch,
    patch: JsonObject,
) -> Result<Response, ApiError> {
    let year = year_of(&year)?;
    let (store, v) = (&s.store, &who.viewer);
    may_write(v)?;
    let mut tries = 0u64;
    loop {
        let version = store.annual_review_version(v, year).await?;
        let input: AnnualReviewInput = merge_input(&prose_input(&store.annual_review(v, year).await?), patch.clone())?;
        match update(store, v, year, &input, Some(expected.unwrap_or(version.id))).await {
            Err(ApiError::Stale(_)) if expected.is_none() && tries < 20 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(tries * 5)).await;
            }
            saved => {
                let saved = saved?;
                let version = store.annual_review_version(v, year).await?;
                return Ok(tagged(saved, version.id));
            }
        }
    }
}

async fn api_issue(
    State(s): State<AppState>,
    who: Auth,
    Path(year): Path<String>,
) -> Result<Json<AnnualReview>, ApiError> {
    let year = year_of(&year)?;
    Ok(Json(s.store.issue_annual_review(&who.viewer, year).await?))
}

/// The review (issued, or the draft as it stands) as a Word document in the 公文 layout.
async fn docx(State(s): State<AppState>, who: Auth, Path(year): Path<String>) -> Result<Response, ApiError> {
    let year = year_of(&year)?;
    let r = s.store.annual_review(&who.viewer, year).await?;
    let c = s.store.annual_review_content(&who.viewer, &r).await?;
    let hash = r.content_hash.clone();
    // Drawing the charts reads the system's fonts once and rasterises: off the async threads.
    let bytes =
        tokio::task::spawn_blocking(move || hezuo_report::annual_review::annual_review_docx(&c, hash.as_deref()))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = urlencoding::encode(&format!("{}.docx", r.title)).into_owned();
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

#[derive(Template)]
#[template(path = "annual_reviews.html")]
struct ReviewList {
    layout: Layout,
    heading: String,
    table: Table,
}

async fn page_list(cx: Ctx) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let years = cx.store().list_annual_reviews(cx.viewer()).await?;
    let mut t = Table::new(
        lang,
        &[
            ("年度", "Year"),
            ("标题", "Title"),
            ("状态", "Status"),
            ("内容校验码", "Content hash"),
        ],
    );
    t.empty = if cx.viewer().role == Role::Coordinator {
        lang.tr("还没有印发的年度回顾。", "No annual review has been issued yet.")
    } else {
        lang.tr("还没有可回顾的年度。", "No year to review yet.")
    }
    .into();
    for y in &years {
        let href = format!("/annual-review/{}", y.year);
        match &y.review {
            Some(r) => t.rows.push(vec![
                Cell::link(format!("{}年", y.year), href.clone()),
                Cell::link(&r.title, href),
                Cell::badge(lang.pick(&r.status.label()), format!("n-{}", r.status.as_str())),
                Cell::opt(r.content_hash.as_ref().map(|h| h[..12].to_string()), lang),
            ]),
            None => t.rows.push(vec![
                Cell::link(format!("{}年", y.year), href.clone()),
                Cell::link(format!("{}年度市校全面合作工作回顾", y.year), href),
                Cell::badge(lang.tr("未保存的草稿", "Unsaved draft"), "n-draft"),
                Cell::opt(None::<String>, lang),
            ]),
        }
    }
    let heading = lang.tr("年度回顾", "Annual reviews").to_string();
    Ok(views::render(&ReviewList {
        layout: cx.layout("annual-review", heading.clone()),
        heading,
        table: t,
    }))
}

/// One section of the page: its heading, its paragraph, its tables and its charts.
struct Section {
    id: &'static str,
    heading: &'static str,
    text: String,
    tables: Vec<Table>,
    charts: Vec<ReviewChart>,
}

#[derive(Template)]
#[template(path = "annual_review.html")]
struct ReviewPage {
    layout: Layout,
    year: i32,
    c: AnnualReviewContent,
    sections: Vec<Section>,
    hash: Option<String>,
    issued_at: Option<String>,
    draft: bool,
    office: bool,
    fields: Vec<Field>,
    version: i64,
    notice: Option<String>,
}

/// How the page shows its prose form: as read, refused (422/409), or overtaken by another edit.
enum Prose {
    Read(i64),
    Refused(i64, Rejected),
    Overtaken(Version, AnnualReviewInput),
}

fn table(lang: Lang, headers: &[(&str, &str)], rows: Vec<Vec<String>>, empty: &str) -> Table {
    let mut t = Table::new(lang, headers);
    t.empty = empty.to_string();
    t.rows = rows
        .into_iter()
        .map(|r| r.into_iter().map(Cell::text).collect())
        .collect();
    t
}

fn sections(lang: Lang, c: &AnnualReviewContent) -> Vec<Section> {
    let mut charts = charts(c);
    let mut take = |key: &str| -> Vec<ReviewChart> {
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut charts)
            .into_iter()
            .partition(|ch| ch.section == key);
        charts = rest;
        mine
    };
    let group_rows = |gs: &[hezuo_domain::annual_review::ProjectGroup]| {
        gs.iter()
            .map(|g| {
                vec![
                    g.label.clone(),
                    g.projects.to_string(),
                    Money(g.contract_fen).wan(),
                    Money(g.funding_fen).wan(),
                ]
            })
            .collect::<Vec<_>>()
    };
    let money_heads = |first: (&'static str, &'static str)| {
        [
            first,
            ("项目数", "Projects"),
            ("合同金额（万元）", "Contracts (10k yuan)"),
            ("争取经费（万元）", "Funding won (10k yuan)"),
        ]
    };
    let mut out = Vec::new();
    for (key, heading) in SECTIONS {
        let mut s = Section {
            id: key,
            heading,
            text: String::new(),
            tables: Vec::new(),
            charts: take(key),
        };
        match key {
            "figures" => {
                s.text = c.figures_sentence();
                s.tables.push(table(
                    lang,
                    &[
                        ("指标", "Figure"),
                        ("本年", "This year"),
                        ("上年", "Last year"),
                        ("增减", "Change"),
                    ],
                    figure_rows(c),
                    "",
                ));
                let years = c
                    .years
                    .iter()
                    .map(|g| {
                        vec![
                            g.label.clone(),
                            g.projects.to_string(),
                            Money(g.contract_fen).wan(),
                            Money(g.funding_fen).wan(),
                        ]
                    })
                    .collect();
                s.tables.push(table(lang, &money_heads(("年度", "Year")), years, ""));
            }
            "projects" => {
                let statuses: Vec<String> = c
                    .by_status
                    .iter()
                    .map(|x| format!("{}{}个", x.label, x.count))
                    .collect();
                let total: i64 = c.by_kind.iter().map(|g| g.projects).sum();
                s.text = format!(
                    "{}年度共实施合作项目{total}个{}。",
                    c.year,
                    if statuses.is_empty() {
                        String::new()
                    } else {
                        format!("，其中{}", statuses.join("，"))
                    }
                );
                s.tables
                    .push(table(lang, &money_heads(("类型", "Kind")), group_rows(&c.by_kind), ""));
                s.tables.push(table(
                    lang,
                    &money_heads(("区县", "County")),
                    group_rows(&c.by_county),
                    "本年度无合作项目。",
                ));
            }
            "outcomes" => {
                s.text = format!(
                    "全年确认合作成果{}项；转化科技成果{}项，其中在本市转化{}项。",
                    c.outcomes.iter().map(|o| o.count).sum::<i64>(),
                    c.transfers,
                    c.local_transfers
                );
                let rows = c
                    .outcomes
                    .iter()
                    .map(|o| {
                        vec![
                            o.kind.clone(),
                            o.count.to_string(),
                            Money(o.amount_fen).wan(),
                            o.quantity.to_string(),
                        ]
                    })
                    .collect();
                s.tables.push(table(
                    lang,
                    &[
                        ("成果类型", "Kind"),
                        ("项数", "Entries"),
                        ("金额（万元）", "Amount (10k yuan)"),
                        ("人数", "People"),
                    ],
                    rows,
                    "本年度无已确认的成果。",
                ));
            }
            "platforms" => {
                s.text = if c.platforms.is_empty() {
                    "本年度无新建合作平台。".into()
                } else {
                    format!("本年度新建合作平台{}个。", c.platforms.len())
                };
                let rows = c
                    .platforms
                    .iter()
                    .map(|p| {
                        vec![
                            p.name.clone(),
                            p.kind.clone(),
                            p.level.clone(),
                            p.established_on.clone(),
                        ]
                    })
                    .collect();
                s.tables.push(table(
                    lang,
                    &[
                        ("平台", "Platform"),
                        ("类型", "Kind"),
                        ("级别", "Level"),
                        ("成立日期", "Established"),
                    ],
                    rows,
                    "本年度无新建合作平台。",
                ));
            }
            "people" => {
                let seconded: i64 = c.secondments.iter().map(|x| x.count).sum();
                let trained: i64 = c.trainings.iter().map(|t| t.trained).sum();
                let sessions: i64 = c.trainings.iter().map(|t| t.trainings).sum();
                s.text = format!("全年挂职交流{seconded}人次；举办培训实践{sessions}期，培训{trained}人次。");
                let rows = c
                    .secondments
                    .iter()
                    .map(|x| vec![x.label.clone(), x.count.to_string()])
                    .collect();
                s.tables.push(table(
                    lang,
                    &[("挂职方向", "Direction"), ("人次", "Secondments")],
                    rows,
                    "本年度无挂职交流。",
                ));
                let rows = c
                    .trainings
                    .iter()
                    .map(|t| vec![t.kind.clone(), t.trainings.to_string(), t.trained.to_string()])
                    .collect();
                s.tables.push(table(
                    lang,
                    &[
                        ("培训类型", "Kind"),
                        ("期数", "Trainings"),
                        ("培训人次", "People trained"),
                    ],
                    rows,
                    "本年度无培训实践。",
                ));
            }
            "meetings" => {
                s.text = c.decisions_sentence();
                let rows = c
                    .events
                    .iter()
                    .map(|e| {
                        vec![
                            e.title.clone(),
                            e.kind.clone(),
                            e.held_on.clone(),
                            format!("{}/{}", e.done, e.decisions),
                        ]
                    })
                    .collect();
                s.tables.push(table(
                    lang,
                    &[
                        ("会议活动", "Meeting"),
                        ("类型", "Kind"),
                        ("日期", "Held on"),
                        ("议定事项落实", "Decisions done"),
                    ],
                    rows,
                    "本年度无会议活动。",
                ));
            }
            "units" => {
                s.text = c.ranking_sentence();
                let rows = c
                    .units
                    .iter()
                    .enumerate()
                    .map(|(i, u)| {
                        vec![
                            (i + 1).to_string(),
                            u.unit.clone(),
                            u.projects.to_string(),
                            u.reports_on_time.to_string(),
                            u.reports_late.to_string(),
                            u.reports_missing.to_string(),
                            format!("{}%", u.on_time_rate),
                            format!("{}/{}", u.milestones_met, u.milestones_due),
                        ]
                    })
                    .collect();
                s.tables.push(table(
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
                    rows,
                    "本年度无需要排名的责任单位。",
                ));
            }
            "problems" => {
                s.text = format!("本年度项目尚待协调解决的问题{}个。", c.problems.len());
                let rows = c
                    .problems
                    .iter()
                    .map(|p| {
                        vec![
                            p.title.clone(),
                            p.project.clone(),
                            p.owner.clone(),
                            p.due.clone(),
                            p.status.clone(),
                        ]
                    })
                    .collect();
                s.tables.push(table(
                    lang,
                    &[
                        ("问题", "Problem"),
                        ("所属项目", "Project"),
                        ("责任单位", "Owner"),
                        ("办结期限", "Due"),
                        ("状态", "Status"),
                    ],
                    rows,
                    "本年度项目无待协调问题。",
                ));
            }
            "next_batch" => {
                s.text = c.next_batch_sentence();
                let rows = c
                    .next_batch
                    .projects
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        vec![
                            (i + 1).to_string(),
                            p.title.clone(),
                            p.kind.clone(),
                            p.lead_unit.clone(),
                            Money(p.contract_fen).wan(),
                        ]
                    })
                    .collect();
                s.tables.push(table(
                    lang,
                    &[
                        ("序号", "No."),
                        ("项目", "Project"),
                        ("类型", "Kind"),
                        ("牵头单位", "Lead unit"),
                        ("合同金额（万元）", "Contract (10k yuan)"),
                    ],
                    rows,
                    "新一年度项目尚未列入。",
                ));
            }
            _ => {
                s.text = c.next_year_text.clone();
            }
        }
        out.push(s);
    }
    out
}

async fn show(cx: &Ctx, r: AnnualReview, i: &AnnualReviewInput, prose: Prose) -> Result<Response, ApiError> {
    let (who, lang) = (&cx.who, cx.lang);
    let c = cx.store().annual_review_content(&who.viewer, &r).await?;
    let fields = vec![
        Field::new(lang, "title", ("标题", "Title"), "text").value(i.title.as_deref()),
        Field::new(lang, "intro", ("导语", "Opening"), "textarea").value(i.intro.as_deref()),
        Field::new(lang, "next_year", ("下一年度工作打算", "Next year's work"), "textarea")
            .value(i.next_year.as_deref()),
    ];
    let (status, errors, version, notice, theirs) = match prose {
        Prose::Read(v) => (StatusCode::OK, FieldErrors::new(), v, None, None),
        Prose::Refused(v, rej) => {
            let stray: Vec<String> = rej
                .errors
                .0
                .iter()
                .filter(|(k, _)| !["title", "intro", "next_year"].contains(&k.as_str()))
                .map(|(_, m)| lang.pick(m).to_string())
                .collect();
            (
                rej.status,
                rej.errors,
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
    let mut fields = Field::errors_from(fields, &errors, lang);
    if let Some(now) = &theirs {
        mark_theirs(&mut fields, now, i, lang);
    }
    let page = ReviewPage {
        layout: cx.layout("annual-review", c.title.clone()),
        year: r.year,
        sections: sections(lang, &c),
        hash: r.content_hash.clone(),
        issued_at: r.issued_at.map(crate::views::local_time),
        draft: r.status == AnnualReviewStatus::Draft,
        office: who.viewer.role == Role::Office,
        fields,
        version,
        notice,
        c,
    };
    Ok(views::render_with(status, &page))
}

async fn page_show(cx: Ctx, Path(year): Path<String>) -> Result<Response, ApiError> {
    let year = year_of(&year)?;
    let version = cx.store().annual_review_version(cx.viewer(), year).await?;
    let r = cx.store().annual_review(cx.viewer(), year).await?;
    let i = prose_input(&r);
    show(&cx, r, &i, Prose::Read(version.id)).await
}

async fn page_edit(
    cx: Ctx,
    Path(year): Path<String>,
    FormBody(edit): FormBody<Edit<AnnualReviewInput>>,
) -> Result<Response, ApiError> {
    let year = year_of(&year)?;
    may_write(cx.viewer())?;
    let (i, version) = (&edit.input, edit.version());
    match update(cx.store(), cx.viewer(), year, i, version).await {
        Err(ApiError::Stale(v)) => {
            let r = cx.store().annual_review(cx.viewer(), year).await?;
            let now = prose_input(&r);
            show(&cx, r, i, Prose::Overtaken(v, now)).await
        }
        other => match Rejected::split(other)? {
            Ok(_) => Ok(views::redirect(&format!("/annual-review/{year}"))),
            Err(rej) => {
                let r = cx.store().annual_review(cx.viewer(), year).await?;
                show(&cx, r, i, Prose::Refused(version.unwrap_or_default(), rej)).await
            }
        },
    }
}

async fn page_issue(cx: Ctx, Path(year): Path<String>) -> Result<Response, ApiError> {
    let year = year_of(&year)?;
    match Rejected::split(
        cx.store()
            .issue_annual_review(cx.viewer(), year)
            .await
            .map_err(ApiError::from),
    )? {
        Ok(_) => Ok(views::redirect(&format!("/annual-review/{year}"))),
        Err(rej) => {
            let version = cx.store().annual_review_version(cx.viewer(), year).await?;
            let r = cx.store().annual_review(cx.viewer(), year).await?;
            let i = prose_input(&r);
            show(&cx, r, &i, Prose::Refused(version.id, rej)).await
        }
    }
}
