//! The closed loop (闭环): a demand's way from intake to local use (the panel on its page and
//! `GET /api/v1/demands/{id}/loop`), and across a year or a campaign the funnel of demands and of
//! results with the demands waiting or stopped at each step (`/funnel`, `GET /api/v1/funnel`,
//! `/api/v1/funnel/results`, `/api/v1/funnel/waiting`). The store reads the dates
//! (`hezuo_store::closed_loop`); counting is `hezuo_domain::closed_loop`.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, Layout, Section, Table};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Datelike;
use hezuo_domain::closed_loop::{DemandLoopStep, ResultLoopStep, StepFigures};
use hezuo_domain::demand::Demand;
use hezuo_domain::{FieldErrors, ListParams, Msg, Page, input};
use hezuo_store::closed_loop::{DemandLoop, Funnel, LoopFilter};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/demands/{id}/loop", get(api_loop))
        .at("/api/v1/funnel", get(api_funnel))
        .at("/api/v1/funnel/results", get(api_result_funnel))
        .at("/api/v1/funnel/waiting", get(api_waiting))
        .at("/funnel", get(funnel_page))
}

/// What a funnel counts: `year` (demands collected in it, results listed in it), `campaign_id`,
/// `county` (a division code: demands of enterprises there).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct FunnelParams {
    /// Demands collected in this year (results: listed in it); all years when absent.
    #[serde(deserialize_with = "input::de_opt_string")]
    pub year: Option<String>,
    /// Demands of this solicitation campaign.
    #[serde(deserialize_with = "input::de_opt_string")]
    pub campaign_id: Option<String>,
    /// Demands of enterprises in this division (6-digit code; a city's code takes in its counties).
    pub county: Option<String>,
    /// For the list of those waiting: the step they reached last (`collected`, `reviewed`, …);
    /// every step short of the end when absent.
    pub step: Option<String>,
    /// For the list of those waiting: `true` for those closed at the step instead of still moving.
    pub stopped: Option<String>,
    #[serde(deserialize_with = "input::de_opt_string")]
    pub page: Option<String>,
    #[serde(deserialize_with = "input::de_opt_string")]
    pub per_page: Option<String>,
}

impl FunnelParams {
    fn filter(&self) -> Result<LoopFilter, ApiError> {
        let mut e = FieldErrors::new();
        let year = match input::opt_text(&self.year) {
            Some(_) => e.take("year", input::year(&self.year)),
            None => None,
        };
        let campaign_id = e.take("campaign_id", input::optional_id(&self.campaign_id)).flatten();
        let county =
            input::opt_text(&self.county).and_then(|c| e.take("county", hezuo_domain::codes::parse_division(c)));
        e.into_result(())?;
        Ok(LoopFilter {
            year,
            campaign_id,
            county,
        })
    }

    fn step(&self) -> Result<Option<DemandLoopStep>, ApiError> {
        if input::opt_text(&self.step).is_none() {
            return Ok(None);
        }
        input::code(
            &self.step,
            DemandLoopStep::parse,
            DemandLoopStep::ALL,
            DemandLoopStep::label,
            DemandLoopStep::as_str,
        )
        .map(Some)
        .map_err(|m| ApiError::field("step", m))
    }

    fn stopped(&self) -> Result<bool, ApiError> {
        match input::opt_text(&self.stopped) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(s) => Err(ApiError::field(
                "stopped",
                Msg::new(
                    format!("“{s}”无效，应为 true 或 false"),
                    format!("“{s}” is not true or false"),
                ),
            )),
        }
    }

    fn list(&self) -> Result<ListParams, ApiError> {
        let p = ListParams {
            page: self.page.clone(),
            per_page: self.per_page.clone(),
            ..Default::default()
        };
        p.check()?;
        Ok(p)
    }
}

/// One step of a funnel as the API answers it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FunnelStep {
    /// The step's code (`collected`, `reviewed`, `matched`, `contracted`, `project`, `outcome`,
    /// `local_use`; for results `listed`, `matched`, `transferred`, `used`).
    pub step: String,
    /// Its name in the caller's language.
    pub label: String,
    /// How many reached it (a later step reached counts for the earlier ones too).
    pub count: i64,
    /// `count` over the step before's (the first: 1); null when the step before has none.
    pub conversion: Option<f64>,
    /// Median days from the step before, over those with both dates; null when none.
    pub median_days: Option<f64>,
    /// How many reached it last and still move (the next step waits).
    pub waiting: i64,
    /// How many reached it last and were closed there.
    pub stopped: i64,
}

/// A funnel: demands (or results) counted, and the steps, first step first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FunnelAnswer {
    /// `demands` or `results`.
    pub of: String,
    pub year: Option<i32>,
    pub campaign_id: Option<i64>,
    pub county: Option<String>,
    /// How many demands (results) the funnel counts.
    pub total: i64,
    pub steps: Vec<FunnelStep>,
}

fn answer<S: Copy>(
    lang: Lang,
    of: &str,
    f: &LoopFilter,
    funnel: Funnel<S>,
    code: impl Fn(S) -> &'static str,
    label: impl Fn(S) -> Msg,
) -> FunnelAnswer {
    FunnelAnswer {
        of: of.into(),
        year: f.year,
        campaign_id: f.campaign_id,
        county: f.county.clone(),
        total: funnel.total,
        steps: funnel
            .steps
            .into_iter()
            .map(|(s, x): (S, StepFigures)| FunnelStep {
                step: code(s).into(),
                label: lang.pick(&label(s)).into(),
                count: x.count,
                conversion: x.conversion,
                median_days: x.median_days,
                waiting: x.waiting,
                stopped: x.stopped,
            })
            .collect(),
    }
}

async fn api_funnel(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Query(p): Query<FunnelParams>,
) -> Result<Json<FunnelAnswer>, ApiError> {
    let f = p.filter()?;
    let funnel = s.store.demand_funnel(&who.viewer, &f).await?;
    Ok(Json(answer(
        lang,
        "demands",
        &f,
        funnel,
        DemandLoopStep::as_str,
        DemandLoopStep::label,
    )))
}

async fn api_result_funnel(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Query(p): Query<FunnelParams>,
) -> Result<Json<FunnelAnswer>, ApiError> {
    let f = p.filter()?;
    let funnel = s.store.result_funnel(&who.viewer, &f).await?;
    Ok(Json(answer(
        lang,
        "results",
        &f,
        funnel,
        ResultLoopStep::as_str,
        ResultLoopStep::label,
    )))
}

/// A demand waiting (or stopped) at a step.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WaitingDemandItem {
    pub id: i64,
    pub title: String,
    pub enterprise_id: i64,
    pub enterprise: String,
    /// The demand's status code.
    pub status: String,
    /// The step it reached last.
    pub step: String,
    /// The last date on its way.
    pub since: Option<chrono::NaiveDate>,
    /// Days from `since` to today.
    pub days: Option<i64>,
}

async fn waiting_page_of(
    s: &AppState,
    v: &hezuo_store::Viewer,
    p: &FunnelParams,
) -> Result<Page<WaitingDemandItem>, ApiError> {
    let f = p.filter()?;
    let step = p.step()?;
    let stopped = p.stopped()?;
    let lp = p.list()?;
    let today = s.store.today();
    let (items, total) = s
        .store
        .demands_at_step(v, &f, step, stopped, lp.page() as i64, lp.per_page() as i64)
        .await?;
    Ok(Page {
        items: items
            .into_iter()
            .map(|w| WaitingDemandItem {
                id: w.id,
                title: w.title,
                enterprise_id: w.enterprise_id,
                enterprise: w.enterprise,
                status: w.status.as_str().into(),
                step: w.step.as_str().into(),
                since: w.since,
                days: w.since.map(|d| (today - d).num_days().max(0)),
            })
            .collect(),
        ..Page::counted(total, &lp)
    })
}

async fn api_waiting(
    State(s): State<AppState>,
    who: Auth,
    Query(p): Query<FunnelParams>,
) -> Result<Json<Page<WaitingDemandItem>>, ApiError> {
    Ok(Json(waiting_page_of(&s, &who.viewer, &p).await?))
}

/// One record on a demand's way.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoopItemAnswer {
    /// The record's URL segment (`matches`, `projects`, `outcomes`); null for a review.
    pub kind: Option<String>,
    pub id: i64,
    pub title: String,
    pub date: Option<chrono::NaiveDate>,
    /// Its status code (an outcome's `reported`, `confirmed`, `returned`; a match's status).
    pub state: String,
    /// Whether it counts for the step: an unconfirmed outcome is shown but does not.
    pub counts: bool,
}

/// One step of a demand's way.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoopStepAnswer {
    pub step: String,
    pub label: String,
    /// It or a later step happened.
    pub reached: bool,
    /// The day it happened; null when not, or when passed without a date of its own.
    pub date: Option<chrono::NaiveDate>,
    /// Days from the step before, when both have dates.
    pub days: Option<i64>,
    pub items: Vec<LoopItemAnswer>,
}

/// A demand's way from intake to local use.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoopAnswer {
    pub demand_id: i64,
    pub title: String,
    pub status: String,
    /// Every step happened.
    pub complete: bool,
    /// Closed before the end.
    pub stopped: bool,
    /// The step that waits, while the demand moves.
    pub next: Option<String>,
    pub steps: Vec<LoopStepAnswer>,
}

fn loop_answer(lang: Lang, l: DemandLoop) -> LoopAnswer {
    LoopAnswer {
        demand_id: l.demand_id,
        title: l.title,
        status: l.status.as_str().into(),
        complete: l.complete,
        stopped: l.stopped,
        next: l.next.map(|s| s.as_str().into()),
        steps: l
            .steps
            .into_iter()
            .map(|s| LoopStepAnswer {
                step: s.step.as_str().into(),
                label: lang.pick(&s.step.label()).into(),
                reached: s.reached,
                date: s.date,
                days: s.days,
                items: s
                    .items
                    .into_iter()
                    .map(|i| LoopItemAnswer {
                        kind: i.kind.map(String::from),
                        id: i.id,
                        title: i.title,
                        date: i.date,
                        state: i.state,
                        counts: i.counts,
                    })
                    .collect(),
            })
            .collect(),
    }
}

async fn api_loop(State(s): State<AppState>, lang: Lang, who: Auth, Id(id): Id) -> Result<Json<LoopAnswer>, ApiError> {
    let l = s.store.demand_loop(&who.viewer, id).await?;
    Ok(Json(loop_answer(lang, l)))
}

/// What a record on the way is called on the page.
fn item_text(lang: Lang, step: DemandLoopStep, i: &hezuo_store::closed_loop::LoopItem) -> String {
    let what = match (step, i.kind) {
        (DemandLoopStep::Reviewed, _) => match i.title.as_str() {
            "screen:pass" => lang.tr("初筛通过", "Screening passed"),
            "screen:return" => lang.tr("初筛退回", "Returned at screening"),
            "assess:pass" => lang.tr("评审通过，受理", "Assessment passed: accepted"),
            _ => lang.tr("评审退回", "Returned at assessment"),
        }
        .to_string(),
        _ => i.title.clone(),
    };
    let state = match (i.kind, i.state.as_str()) {
        (Some("outcomes"), "reported") => Some(lang.tr("待确认，不计入统计", "Awaiting confirmation: not counted")),
        (Some("outcomes"), "returned") => Some(lang.tr("已退回，不计入统计", "Returned: not counted")),
        (Some("matches"), "contacted") => Some(lang.tr("已联系，待答复", "Contacted, awaiting an answer")),
        (Some("matches"), "accepted") => Some(lang.tr("已接受", "Accepted")),
        _ => None,
    };
    match state {
        Some(s) => format!("{what}（{s}）"),
        None => what,
    }
}

/// The panel on a demand's page: each step, whether and when it happened, how long it took, and
/// the records behind it.
pub async fn demand_section(cx: &Ctx, d: &Demand) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let l = cx.store().demand_loop(cx.viewer(), d.id).await?;
    let mut t = Table::new(
        lang,
        &[
            ("环节", "Step"),
            ("进展", "Where it stands"),
            ("日期", "Date"),
            ("用时", "Took"),
            ("相关记录", "Records"),
        ],
    );
    for s in &l.steps {
        let state = if s.date.is_some() {
            Cell::badge(lang.tr("已完成", "Done"), "f-green")
        } else if s.reached {
            Cell::badge(lang.tr("已越过（未单独登记）", "Passed (not recorded)"), "s-completed")
        } else if Some(s.step) == l.next {
            Cell::badge(lang.tr("进行中", "Next"), "f-yellow")
        } else if l.stopped {
            Cell::badge(lang.tr("已中断", "Stopped"), "f-red")
        } else {
            Cell::text(lang.tr("未到", "Not yet"))
        };
        let took = match s.days {
            Some(n) => Cell::text(format!("{n} {}", lang.tr("天", "days"))),
            None => Cell::text(""),
        };
        let date = Cell::text(s.date.map(|d| d.to_string()).unwrap_or_default());
        let mut items = s.items.iter();
        let first = items.next();
        let cell = |i: &hezuo_store::closed_loop::LoopItem| {
            let text = item_text(lang, s.step, i);
            let mut c = match i.kind {
                Some(k) => Cell::link(text, format!("/{k}/{}", i.id)),
                None => Cell::text(text),
            };
            if !i.counts {
                c.class = "muted".into();
            }
            c
        };
        t.rows.push(vec![
            Cell::text(lang.pick(&s.step.label())),
            state,
            date,
            took,
            first.map(cell).unwrap_or_else(|| Cell::text("")),
        ]);
        for i in items {
            t.rows.push(vec![
                Cell::text(""),
                Cell::text(""),
                Cell::text(""),
                Cell::text(""),
                cell(i),
            ]);
        }
    }
    let title = if l.complete {
        lang.tr("转化闭环：已闭环", "The loop: closed")
    } else if l.stopped {
        lang.tr("转化闭环：已中断", "The loop: stopped")
    } else {
        lang.tr("转化闭环", "The loop")
    };
    Ok(Section {
        id: "loop",
        title: title.into(),
        table: t,
        add: None,
    })
}

#[derive(Template)]
#[template(path = "funnel.html")]
pub struct FunnelPage {
    pub layout: Layout,
    pub filters: Vec<Field>,
    pub total: i64,
    pub demands: Table,
    pub results: Table,
    pub results_total: i64,
    /// The demands waiting or stopped at a chosen step: its heading and table.
    pub waiting: Option<(String, Table)>,
    pub pages: Option<(u32, u32, String)>,
}

fn percent(x: Option<f64>) -> String {
    x.map(|c| format!("{:.1}%", c * 100.0)).unwrap_or_else(|| "—".into())
}

fn days(x: Option<f64>) -> String {
    x.map(|d| format!("{d}")).unwrap_or_else(|| "—".into())
}

/// The query string of the funnel page for `f`, to which a step's link adds its own.
fn base_query(f: &LoopFilter) -> String {
    let mut q = Vec::new();
    if let Some(y) = f.year {
        q.push(format!("year={y}"));
    }
    if let Some(c) = f.campaign_id {
        q.push(format!("campaign_id={c}"));
    }
    if let Some(c) = &f.county {
        q.push(format!("county={c}"));
    }
    q.join("&")
}

fn funnel_table<S: Copy>(
    lang: Lang,
    funnel: &Funnel<S>,
    label: impl Fn(S) -> Msg,
    link: impl Fn(S, bool) -> Option<String>,
) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("环节", "Step"),
            ("数量", "Count"),
            ("", ""),
            ("转化率", "Conversion"),
            ("用时中位数（天）", "Median days"),
            ("停在此环节·推进中", "Waiting here"),
            ("停在此环节·已关闭", "Stopped here"),
        ],
    );
    t.empty = lang.tr("没有可统计的记录。", "Nothing to count.").into();
    let top = funnel.steps.first().map(|(_, x)| x.count).unwrap_or(0).max(1);
    for (s, x) in &funnel.steps {
        let bar_width = (x.count * 100 / top).clamp(0, 100);
        let count_cell = |n: i64, stopped: bool| match link(*s, stopped) {
            Some(href) if n > 0 => Cell::link(n.to_string(), href),
            _ => Cell::text(n.to_string()),
        };
        t.rows.push(vec![
            Cell::text(lang.pick(&label(*s))),
            Cell::text(x.count.to_string()),
            Cell {
                text: "\u{00a0}".into(),
                class: format!("bar w{}", bar_width / 5 * 5),
                ..Default::default()
            },
            Cell::text(percent(x.conversion)),
            Cell::text(days(x.median_days)),
            count_cell(x.waiting, false),
            count_cell(x.stopped, true),
        ]);
    }
    if funnel.total == 0 {
        t.rows.clear();
    }
    t
}

/// `/funnel`: the demands' and the results' funnels for a year (this year by default), a campaign
/// or a county, and the demands waiting or stopped at a step the user picked.
async fn funnel_page(cx: Ctx, Query(p): Query<FunnelParams>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let mut p = p;
    if p.year.is_none() {
        p.year = Some(cx.store().today().year().to_string());
    }
    let f = p.filter()?;
    let store = cx.store();
    let demands = store.demand_funnel(cx.viewer(), &f).await?;
    // Results are counted over the whole catalogue: a result's year is when it was made, not listed.
    let results = store.result_funnel(cx.viewer(), &LoopFilter::default()).await?;
    let base = base_query(&f);
    let demand_table = funnel_table(lang, &demands, DemandLoopStep::label, |s, stopped| {
        Some(format!("/funnel?{base}&step={}&stopped={stopped}#waiting", s.as_str()))
    });
    let result_table = funnel_table(lang, &results, ResultLoopStep::label, |_, _| None);
    let mut waiting = None;
    let mut pages = None;
    if let Some(step) = p.step()? {
        let stopped = p.stopped()?;
        let page = waiting_page_of(&cx.s, cx.viewer(), &p).await?;
        let mut t = Table::new(
            lang,
            &[
                ("需求", "Demand"),
                ("企业", "Enterprise"),
                ("状态", "Status"),
                ("最近进展日期", "Last step on"),
                ("已等待（天）", "Days since"),
            ],
        );
        t.empty = lang.tr("此环节没有需求。", "No demand at this step.").into();
        for w in &page.items {
            let status = hezuo_domain::demand::DemandStatus::parse(&w.status)
                .map(|s| lang.pick(&s.label()).to_string())
                .unwrap_or_default();
            t.rows.push(vec![
                Cell::link(&w.title, format!("/demands/{}", w.id)),
                Cell::link(&w.enterprise, format!("/organizations/{}", w.enterprise_id)),
                Cell::text(status),
                Cell::text(w.since.map(|d| d.to_string()).unwrap_or_default()),
                Cell::text(w.days.map(|d| d.to_string()).unwrap_or_default()),
            ]);
        }
        let heading = if stopped {
            format!(
                "{}“{}”{}",
                lang.tr("在", "Closed at "),
                lang.pick(&step.label()),
                lang.tr("环节中断的需求", "")
            )
        } else {
            format!(
                "{}“{}”{}",
                lang.tr("停在", "Waiting after "),
                lang.pick(&step.label()),
                lang.tr("环节、有待推进的需求", "")
            )
        };
        let last = ((page.total as u32).div_ceil(page.per_page)).max(1);
        if last > 1 {
            pages = Some((
                page.page,
                last,
                format!("/funnel?{base}&step={}&stopped={stopped}", step.as_str()),
            ));
        }
        waiting = Some((format!("{heading}（{}）", page.total), t));
    }
    let this_year = store.today().year();
    let years: Vec<(String, String)> = (this_year - 5..=this_year)
        .rev()
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let year = Field::new(lang, "year", ("年份", "Year"), "select")
        .options(lang, years, &f.year.map(|y| vec![y.to_string()]).unwrap_or_default())
        .without_blank();
    let campaigns = store
        .list_campaigns(cx.viewer(), &Default::default(), &ListParams::first(100))
        .await?;
    let campaign = Field::new(lang, "campaign_id", ("征集活动", "Campaign"), "select").options(
        lang,
        campaigns
            .items
            .iter()
            .map(|c| (c.id.to_string(), c.title.clone()))
            .collect(),
        &f.campaign_id.map(|c| vec![c.to_string()]).unwrap_or_default(),
    );
    let county = Field::new(
        lang,
        "county",
        ("区县（行政区划代码）", "County (division code)"),
        "text",
    )
    .value(f.county.as_deref());
    let view = FunnelPage {
        layout: cx.layout("funnel", lang.tr("转化闭环", "The loop")),
        filters: vec![year, campaign, county],
        total: demands.total,
        demands: demand_table,
        results_total: results.total,
        results: result_table,
        waiting,
        pages,
    };
    Ok(views::render(&view))
}
