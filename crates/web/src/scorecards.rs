//! Unit scorecards (单位评价): `/scorecards`, the ranking of responsible units for a year or a
//! batch's period with 快马 at the top and 蜗牛 at the bottom — the bulletins' own ranking
//! (`store::scorecards`) —, and `/scorecards/{org_id}`, one unit's year beside the year before;
//! both as JSON under `/api/v1/scorecards`. Scoped by the store: the office and leaders see every
//! unit, a coordinator their subtree's, a unit its own.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, DetailPage, Field, Layout, Section, Table, flag_cell};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Datelike;
use hezuo_domain::scorecard::{Mark, RankedUnit, Ranking, Scorecard};
use hezuo_domain::{ListParams, Msg, input};
use hezuo_store::Viewer;
use hezuo_store::scorecards::RankPeriod;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/scorecards", get(api_ranking))
        .at("/api/v1/scorecards/{id}", get(api_scorecard))
        .at("/scorecards", get(ranking_page))
        .at("/scorecards/{id}", get(scorecard_page))
}

/// Which period a ranking is of: a year (this year when nothing is given), or a batch's period.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct RankQuery {
    /// The year of the projects' list; this year when neither this nor `batch_id` is given.
    #[serde(deserialize_with = "input::de_opt_string")]
    pub year: Option<String>,
    /// A batch (year's list): rank as that batch's bulletin for `period` does.
    #[serde(deserialize_with = "input::de_opt_string")]
    pub batch_id: Option<String>,
    /// With `batch_id`: `2026-03` or `2026-Q1`.
    pub period: Option<String>,
    /// `xlsx` for the ranking as a spreadsheet (the table the page shows).
    pub format: Option<String>,
}

impl RankQuery {
    fn xlsx(&self) -> Result<bool, ApiError> {
        match input::opt_text(&self.format) {
            None => Ok(false),
            Some("xlsx") => Ok(true),
            Some(f) => Err(ApiError::field(
                "format",
                Msg::new(
                    format!("格式“{f}”无效：应为 xlsx"),
                    format!("“{f}” is not a format: xlsx"),
                ),
            )),
        }
    }
}

fn year_of(v: &Option<String>, this_year: i32) -> Result<i32, ApiError> {
    match input::opt_text(v) {
        None => Ok(this_year),
        Some(_) => input::year(v).map_err(|m| ApiError::field("year", m)),
    }
}

impl RankQuery {
    fn period(&self, this_year: i32) -> Result<RankPeriod, ApiError> {
        match input::opt_text(&self.batch_id) {
            Some(b) => {
                let batch_id = input::parse_id(b).map_err(|m| ApiError::field("batch_id", m))?;
                let period = input::opt_text(&self.period).ok_or_else(|| {
                    ApiError::field(
                        "period",
                        Msg::new(
                            "按年度清单排名时须选择期次，如 2026-03 或 2026-Q1",
                            "Give the batch's period, e.g. 2026-03 or 2026-Q1",
                        ),
                    )
                })?;
                Ok(RankPeriod::Batch {
                    batch_id,
                    period: period.to_string(),
                })
            }
            None => Ok(RankPeriod::Year(year_of(&self.year, this_year)?)),
        }
    }
}

/// The year a scorecard is for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct YearQuery {
    /// This year when not given.
    #[serde(deserialize_with = "input::de_opt_string")]
    pub year: Option<String>,
}

async fn ranking(s: &AppState, v: &Viewer, q: &RankQuery) -> Result<Ranking, ApiError> {
    let period = q.period(s.store.today().year())?;
    Ok(s.store.scorecard_ranking(v, &period).await?)
}

async fn api_ranking(
    State(s): State<AppState>,
    who: Auth,
    lang: Lang,
    Query(q): Query<RankQuery>,
) -> Result<Response, ApiError> {
    let xlsx = q.xlsx()?;
    let r = ranking(&s, &who.viewer, &q).await?;
    if xlsx {
        let t = ranking_table(lang, &r.units, r.year);
        let bytes = crate::statistics::table_xlsx(lang.tr("单位评价", "Scorecards"), &t)?;
        return Ok(crate::statistics::xlsx_response(
            bytes,
            &format!("scorecards-{}", r.year),
        ));
    }
    Ok(Json(r).into_response())
}

async fn scorecard(s: &AppState, v: &Viewer, id: i64, q: &YearQuery) -> Result<Scorecard, ApiError> {
    let year = year_of(&q.year, s.store.today().year())?;
    Ok(s.store.unit_scorecard(v, id, year).await?)
}

async fn api_scorecard(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    Query(q): Query<YearQuery>,
) -> Result<Json<Scorecard>, ApiError> {
    Ok(Json(scorecard(&s, &who.viewer, id, &q).await?))
}

fn mark_cell(lang: Lang, m: Option<Mark>) -> Cell {
    match m {
        Some(m) => Cell::badge(lang.pick(&m.label()), format!("mark-{}", m.as_str())),
        None => Cell::text(""),
    }
}

/// The ranking as a table: place, mark, unit (its scorecard a click away) and the figures.
pub fn ranking_table(lang: Lang, units: &[RankedUnit], year: i32) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("名次", "Place"),
            ("评价", "Mark"),
            ("责任单位", "Unit"),
            ("在推项目", "Projects"),
            ("按时报送", "On time"),
            ("逾期报送", "Late"),
            ("未报送", "Missing"),
            ("按时报送率", "On-time rate"),
            ("节点完成/到期", "Milestones met/due"),
        ],
    );
    t.empty = lang
        .tr(
            "该期间没有在推进的项目，暂无排名。",
            "No project is being carried out in this period: nothing to rank.",
        )
        .into();
    for u in units {
        t.rows.push(vec![
            Cell::text(u.rank.to_string()),
            mark_cell(lang, u.mark),
            Cell::link(&u.unit, format!("/scorecards/{}?year={year}", u.organization_id)),
            Cell::text(u.projects.to_string()),
            Cell::text(u.reports_on_time.to_string()),
            Cell::text(u.reports_late.to_string()),
            Cell::text(u.reports_missing.to_string()),
            Cell::text(format!("{}%", u.on_time_rate)),
            Cell::text(format!("{}/{}", u.milestones_met, u.milestones_due)),
        ]);
    }
    t
}

#[derive(Template)]
#[template(path = "scorecards.html")]
pub struct RankingPage {
    pub layout: Layout,
    pub period: String,
    pub filters: Vec<Field>,
    pub table: Table,
    pub fast: String,
    pub slow: String,
    /// The same ranking as a spreadsheet.
    pub export_href: String,
}

async fn ranking_page(cx: Ctx, Query(q): Query<RankQuery>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let store = cx.store();
    let r = ranking(&cx.s, cx.viewer(), &q).await?;
    let this_year = store.today().year();
    let years: Vec<(String, String)> = (this_year - 5..=this_year + 1)
        .rev()
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let year = Field::new(lang, "year", ("年度", "Year"), "select")
        .options(lang, years, &[r.year.to_string()])
        .without_blank();
    let batches = store.list_batches(cx.viewer(), &ListParams::first(100)).await?;
    let batch = Field::new(
        lang,
        "batch_id",
        ("年度清单（按期次排名）", "Batch (rank a period)"),
        "select",
    )
    .options(
        lang,
        batches
            .items
            .iter()
            .map(|b| (b.id.to_string(), b.title.clone()))
            .collect(),
        &r.batch_id.map(|b| vec![b.to_string()]).unwrap_or_default(),
    );
    let period = Field::new(
        lang,
        "period",
        ("期次（如 2026-03、2026-Q1）", "Period (2026-03, 2026-Q1)"),
        "text",
    )
    .value(q.period.as_deref());
    let names = |m: Mark| {
        r.units
            .iter()
            .filter(|u| u.mark == Some(m))
            .map(|u| u.unit.clone())
            .collect::<Vec<_>>()
            .join("、")
    };
    let view = RankingPage {
        layout: cx.layout("scorecards", lang.tr("单位评价", "Unit scorecards")),
        period: r.period.clone(),
        filters: vec![year, batch, period],
        table: ranking_table(lang, &r.units, r.year),
        export_href: crate::resource::export_href("/api/v1/scorecards", &cx.uri),
        fast: names(Mark::Fast),
        slow: names(Mark::Slow),
    };
    Ok(views::render(&view))
}

async fn scorecard_page(cx: Ctx, Id(id): Id, Query(q): Query<YearQuery>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let c = scorecard(&cx.s, cx.viewer(), id, &q).await?;
    let title = format!("{}{}", c.unit, lang.tr(" · 单位评价", " · scorecard"));
    let place = match &c.rank {
        Some(r) => Cell::text(format!(
            "{} {} / {}{}",
            lang.tr("第", "No."),
            r.rank,
            c.ranked_units,
            r.mark
                .map(|m| format!("（{}）", lang.pick(&m.label())))
                .unwrap_or_default()
        )),
        None => Cell::text(lang.tr(
            "本年度无在推项目，未参与排名",
            "Not ranked: no project being carried out this year",
        )),
    };
    let f = &c.this_year;
    let props = vec![
        (lang.tr("年度", "Year").to_string(), Cell::text(c.year.to_string())),
        (lang.tr("年度排名", "Place in the year").to_string(), place),
        (
            lang.tr("牵头项目", "Projects led").to_string(),
            Cell::text(f.projects.to_string()),
        ),
        (
            lang.tr("按时报送率", "Reports on time").to_string(),
            Cell::text(format!(
                "{}%（{} {}，{} {}，{} {}）",
                f.on_time_rate,
                lang.tr("按时", "on time"),
                f.reports_on_time,
                lang.tr("逾期", "late"),
                f.reports_late,
                lang.tr("未报", "missing"),
                f.reports_missing
            )),
        ),
        (
            lang.tr("节点完成/到期", "Milestones met/due").to_string(),
            Cell::text(format!("{}/{}", f.milestones_met, f.milestones_due)),
        ),
        (
            lang.tr("已确认成果", "Outcomes confirmed").to_string(),
            Cell::text(f.outcomes.to_string()),
        ),
        (
            lang.tr("亮灯（红/黄/绿）", "Flags (red/yellow/green)").to_string(),
            Cell::text(format!("{}/{}/{}", f.red, f.yellow, f.green)),
        ),
        (
            lang.tr("单位", "Organisation").to_string(),
            Cell::link(&c.unit, format!("/organizations/{}", c.organization_id)),
        ),
    ];
    let mut yoy = Table::new(
        lang,
        &[
            ("指标", "Figure"),
            ("本年", "This year"),
            ("上年", "Last year"),
            ("增减", "Change"),
            ("增幅", "Change %"),
        ],
    );
    for ch in &c.changes {
        yoy.rows.push(vec![
            Cell::text(&ch.label),
            Cell::text(&ch.this_year),
            Cell::text(&ch.last_year),
            Cell::text(&ch.change),
            Cell::text(ch.percent.map(|p| format!("{p:+.1}%")).unwrap_or_else(|| "—".into())),
        ]);
    }
    let mut projects = Table::new(
        lang,
        &[
            ("项目", "Project"),
            ("类别", "Kind"),
            ("状态", "Status"),
            ("亮灯", "Flag"),
            ("原因", "Why"),
        ],
    );
    projects.empty = lang.tr("该年度没有牵头项目。", "No project led this year.").into();
    for p in &c.projects {
        projects.rows.push(vec![
            Cell::link(&p.title, format!("/projects/{}", p.id)),
            Cell::text(lang.pick(&p.kind.label())),
            Cell::badge(lang.pick(&p.status.label()), format!("s-{}", p.status.as_str())),
            flag_cell(lang, p.flag),
            Cell::text(p.flag_reasons.join("；")),
        ]);
    }
    let page = DetailPage {
        layout: cx.layout("scorecards", title.clone()),
        heading: c.unit.clone(),
        kind_label: lang.tr("单位评价", "Unit scorecard").into(),
        badges: c
            .rank
            .as_ref()
            .and_then(|r| r.mark)
            .map(|m| vec![Cell::badge(lang.pick(&m.label()), format!("mark-{}", m.as_str()))])
            .unwrap_or_default(),
        edit_href: None,
        links: vec![
            (
                format!("{}{}", c.year - 1, lang.tr("年度", "")),
                format!("/scorecards/{}?year={}", c.organization_id, c.year - 1),
            ),
            (
                lang.tr("单位排名", "The ranking").into(),
                format!("/scorecards?year={}", c.year),
            ),
        ],
        actions: vec![],
        archived: false,
        props,
        long_text: vec![],
        sections: vec![
            Section {
                id: "yoy",
                title: format!(
                    "{}{}{}",
                    lang.tr("本年与上年（", "This year and last ("),
                    c.year - 1,
                    lang.tr("年）对比", ")")
                ),
                table: yoy,
                add: None,
            },
            Section {
                id: "projects",
                title: lang.tr("牵头项目", "Projects led").into(),
                table: projects,
                add: None,
            },
        ],
        attachments: None,
        history: None,
        read_only_attachments: false,
        notice: None,
        forms: None,
        thread: None,
    };
    Ok(views::render(&page))
}
