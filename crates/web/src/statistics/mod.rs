//! Statistics: `GET /api/v1/stats?by=…&year=…` (JSON, or `format=xlsx`) and the `/stats` page — a
//! table per grouping with each figure linked to the records behind it and the change against the
//! year before. The counting is `Store::statistics`; the leaders' dashboard (`dashboard`) reads
//! the same figures.

pub mod dashboard;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx, Field, Layout};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hezuo_domain::statistics::{
    Change, FIGURES, FigureDef, Figures, StatsBy, StatsRow, StatsTable, parse_by, parse_year,
};
use hezuo_domain::{Money, input};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/stats", get(api_stats))
        .at("/stats", get(stats_page))
        .at("/dashboard", get(dashboard::dashboard_page))
}

/// What the statistics are asked for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct StatsParams {
    /// `county`, `college`, `industry`, `kind` or `year` (the page: `county` when absent; the API requires it).
    pub by: Option<String>,
    /// The year (four digits): its figures, with the year before's and the change. All years when absent
    /// (the page: this year when absent; `all` for every year).
    #[serde(deserialize_with = "input::de_opt_string")]
    pub year: Option<String>,
    /// `xlsx` for the table as a spreadsheet.
    pub format: Option<String>,
}

impl StatsParams {
    /// The grouping and the year, or a 400 naming the parameter.
    fn parse(
        &self,
        default_by: Option<StatsBy>,
        default_year: Option<i32>,
    ) -> Result<(StatsBy, Option<i32>), ApiError> {
        let by = match (input::opt_text(&self.by), default_by) {
            (Some(b), _) => parse_by(b).map_err(|m| field_400("by", m))?,
            (None, Some(b)) => b,
            (None, None) => {
                return Err(field_400(
                    "by",
                    hezuo_domain::Msg::new(
                        "请指定统计口径 by：county、college、industry、kind 或 year",
                        "Say how to group: by=county, college, industry, kind or year",
                    ),
                ));
            }
        };
        let year = match input::opt_text(&self.year) {
            Some("all") => None,
            Some(y) => Some(parse_year(y).map_err(|m| field_400("year", m))?),
            None => default_year,
        };
        Ok((by, year))
    }

    fn xlsx(&self) -> Result<bool, ApiError> {
        match input::opt_text(&self.format) {
            None | Some("json") | Some("html") => Ok(false),
            Some("xlsx") => Ok(true),
            Some(f) => Err(field_400(
                "format",
                hezuo_domain::Msg::new(
                    format!("格式“{f}”无效：应为 xlsx"),
                    format!("“{f}” is not a format: xlsx"),
                ),
            )),
        }
    }
}

/// A 400 whose message names the parameter, with the field map every error carries.
fn field_400(name: &str, m: hezuo_domain::Msg) -> ApiError {
    let named = hezuo_domain::Msg::new(format!("参数 {name}：{}", m.zh), format!("Parameter {name}: {}", m.en));
    ApiError::bad_request(named)
}

/// One group's figures as the API answers them: money in fen (exact integers).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatsRowAnswer {
    /// The group: a division code, an organisation id, an industry section letter, a project kind, a year; `""` for none.
    pub key: String,
    /// Its name in the caller's language.
    pub label: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// The same figures for the year before, when a year is given (by year: always).
    pub previous: Option<Figures>,
    /// Per figure, the change against the year before (`abs`, and `pct` unless the year before was 0).
    pub change: Option<BTreeMap<String, Change>>,
}

/// The statistics of a grouping.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatsAnswer {
    pub by: String,
    pub year: Option<i32>,
    pub rows: Vec<StatsRowAnswer>,
    /// Every record counted once (a project with units under two colleges counts in both rows, once here).
    pub total: Figures,
    pub total_previous: Option<Figures>,
    pub total_change: Option<BTreeMap<String, Change>>,
    /// Figures whose records have no such group: 0 in the rows, counted in `total` only.
    pub not_grouped: Vec<String>,
    /// When the figures were made, where they are ones kept a few minutes (a large store's figures
    /// take seconds to make: those that took over 100 ms are kept five minutes); absent when made
    /// for this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
}

fn changes(now: &Figures, before: Option<&Figures>) -> Option<BTreeMap<String, Change>> {
    let before = before?;
    Some(
        FIGURES
            .iter()
            .map(|d| (d.code.to_string(), Change::of((d.get)(now), (d.get)(before))))
            .collect(),
    )
}

pub fn answer(lang: Lang, t: &StatsTable) -> StatsAnswer {
    StatsAnswer {
        by: t.by.as_str().into(),
        year: t.year,
        rows: t
            .rows
            .iter()
            .map(|r| StatsRowAnswer {
                key: r.key.clone(),
                label: lang.pick(&r.label).into(),
                figures: r.figures,
                previous: r.previous,
                change: changes(&r.figures, r.previous.as_ref()),
            })
            .collect(),
        total: t.total,
        total_previous: t.total_previous,
        total_change: changes(&t.total, t.total_previous.as_ref()),
        not_grouped: t.not_grouped.iter().map(|s| s.to_string()).collect(),
        as_of: t.as_of,
    }
}

/// A figure as shown: money in 万元 with two decimals.
pub fn show(d: &FigureDef, f: &Figures) -> String {
    let v = (d.get)(f);
    if d.money { Money(v).wan() } else { v.to_string() }
}

/// The figures a table shows: those the grouping splits, that some row or the total has (what
/// exists is counted; a kind of record nobody keeps yet is left out).
pub fn shown_figures(t: &StatsTable) -> Vec<&'static FigureDef> {
    FIGURES
        .iter()
        .filter(|d| {
            let any = |f: &Figures| (d.get)(f) != 0;
            any(&t.total) || t.total_previous.as_ref().is_some_and(any) || d.code == "projects"
        })
        .collect()
}

/// The table as a spreadsheet: the group, each figure (money in 万元), and with a year the year
/// before's figure and the change in % beside each.
pub fn xlsx(lang: Lang, t: &StatsTable) -> Result<Vec<u8>, ApiError> {
    let defs = shown_figures(t);
    let with_prev = t.year.is_some() || t.by == StatsBy::Year;
    let mut header: Vec<String> = vec![lang.pick(&t.by.column()).into()];
    for d in &defs {
        header.push(lang.pick(&d.label()).into());
        if with_prev {
            header.push(format!(
                "{}{}",
                lang.pick(&d.label()),
                lang.tr("（上年）", " (year before)")
            ));
            header.push(format!("{}{}", lang.pick(&d.label()), lang.tr("同比", " change %")));
        }
    }
    let row = |label: String, f: &Figures, prev: Option<&Figures>| {
        let mut r = vec![label];
        for d in &defs {
            r.push(show(d, f));
            if with_prev {
                r.push(prev.map(|p| show(d, p)).unwrap_or_default());
                r.push(
                    prev.and_then(|p| Change::of((d.get)(f), (d.get)(p)).pct)
                        .map(|p| format!("{p:.1}%"))
                        .unwrap_or_default(),
                );
            }
        }
        r
    };
    let mut rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| row(lang.pick(&r.label).into(), &r.figures, r.previous.as_ref()))
        .collect();
    rows.push(row(
        lang.tr("合计", "Total").into(),
        &t.total,
        t.total_previous.as_ref(),
    ));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    hezuo_report::sheet::write_rows(lang.tr("统计分析", "Statistics"), &header, &rows).map_err(ApiError::Internal)
}

/// A page's table as a spreadsheet: its headings, then each row's cells as the page shows them.
pub fn table_xlsx(sheet: &str, t: &crate::views::Table) -> Result<Vec<u8>, ApiError> {
    let header: Vec<&str> = t.headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.clone()).collect())
        .collect();
    hezuo_report::sheet::write_rows(sheet, &header, &rows).map_err(ApiError::Internal)
}

pub fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn api_stats(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Query(p): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let (by, year) = p.parse(None, None)?;
    let xlsx_wanted = p.xlsx()?;
    let t = s.store.statistics(&who.viewer, by, year).await?;
    if xlsx_wanted {
        return Ok(xlsx_response(xlsx(lang, &t)?, &format!("stats-{}", by.as_str())));
    }
    Ok(Json(answer(lang, &t)).into_response())
}

/// A figure on the page: its value, the link to the records behind it, its change.
pub struct StatCell {
    pub text: String,
    pub href: Option<String>,
    /// `↑ 12.5%`, `↓ 3`, `—`; empty without a year before.
    pub arrow: String,
    /// `up`, `down` or `same`.
    pub trend: &'static str,
}

pub struct StatLine {
    pub label: String,
    pub href: Option<String>,
    pub cells: Vec<StatCell>,
    pub total: bool,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    layout: Layout,
    filters: Vec<Field>,
    /// The grouping tabs: (label, href, chosen).
    tabs: Vec<(String, String, bool)>,
    heading: String,
    columns: Vec<String>,
    lines: Vec<StatLine>,
    empty: bool,
    /// Figures counted in the total only (their records carry no such group).
    notes: Vec<String>,
    export: String,
    has_previous: bool,
    /// When the figures were made, if kept from before (`as_of_note`).
    as_of: Option<String>,
}

/// Where the records behind one figure of one group are listed, with the same filters; None when
/// no list filters exactly those records.
pub fn figure_href(by: StatsBy, key: Option<&str>, year: Option<i32>, code: &str) -> Option<String> {
    let mut q: Vec<String> = Vec::new();
    let group_year = if by == StatsBy::Year {
        key.and_then(|k| k.parse::<i32>().ok())
    } else {
        year
    };
    let project_group = |q: &mut Vec<String>| -> bool {
        match (by, key) {
            (_, None) | (StatsBy::Year, _) => true,
            (_, Some("")) => false,
            // A city-level code would take in its counties too: not the same records.
            (StatsBy::County, Some(k)) if k.ends_with("00") => false,
            (StatsBy::County, Some(k)) => {
                q.push(format!("county={k}"));
                true
            }
            (StatsBy::College, Some(k)) => {
                q.push(format!("college={k}"));
                true
            }
            (StatsBy::Industry, Some(k)) => {
                q.push(format!("industry={k}"));
                true
            }
            (StatsBy::Kind, Some(k)) => {
                q.push(format!("kind={k}"));
                true
            }
        }
    };
    match code {
        "projects" | "in_progress" | "completed" | "red" | "yellow" | "contract_fen" | "funding_fen" => {
            if let Some(y) = group_year {
                q.push(format!("batch_year={y}"));
            }
            if !project_group(&mut q) {
                return None;
            }
            match code {
                "in_progress" => q.push("status=approved,in_progress".into()),
                "completed" => q.push("status=completed,accepted,transferred".into()),
                "red" | "yellow" => q.push(format!("flag={code}")),
                _ => {}
            }
            Some(format!("/projects?{}", q.join("&")))
        }
        // The loop's funnel counts the same demands, by year and county.
        "demands" => {
            match (by, key) {
                (_, None) | (StatsBy::Year, _) => {}
                (StatsBy::County, Some(k)) if !k.is_empty() && !k.ends_with("00") => q.push(format!("county={k}")),
                _ => return None,
            }
            q.push(format!("year={}", group_year?));
            Some(format!("/funnel?{}", q.join("&")))
        }
        _ => None,
    }
}

fn arrow_of(now: i64, before: Option<i64>, money: bool) -> (String, &'static str) {
    match before {
        None => (String::new(), "same"),
        Some(b) => {
            let c = Change::of(now, b);
            let trend = match c.abs.signum() {
                1 => "up",
                -1 => "down",
                _ => "same",
            };
            (c.arrow(money), trend)
        }
    }
}

/// The lines of a statistics table: a line per group, then the total.
pub fn lines(lang: Lang, t: &StatsTable, defs: &[&'static FigureDef]) -> Vec<StatLine> {
    let line = |row: Option<&StatsRow>, label: String, f: &Figures, prev: Option<&Figures>| StatLine {
        label,
        href: None,
        total: row.is_none(),
        cells: defs
            .iter()
            .map(|d| {
                let grouped = row.is_none() || !t.not_grouped.contains(&d.code);
                if !grouped {
                    return StatCell {
                        text: "—".into(),
                        href: None,
                        arrow: String::new(),
                        trend: "same",
                    };
                }
                let v = (d.get)(f);
                let (arrow, trend) = arrow_of(v, prev.map(|p| (d.get)(p)), d.money);
                StatCell {
                    text: show(d, f),
                    href: if v != 0 {
                        figure_href(t.by, row.map(|r| r.key.as_str()), t.year, d.code)
                    } else {
                        None
                    },
                    arrow,
                    trend,
                }
            })
            .collect(),
    };
    let mut out: Vec<StatLine> = t
        .rows
        .iter()
        .map(|r| line(Some(r), lang.pick(&r.label).into(), &r.figures, r.previous.as_ref()))
        .collect();
    out.push(line(
        None,
        lang.tr("合计", "Total").into(),
        &t.total,
        t.total_previous.as_ref(),
    ));
    out
}

/// The years to choose from: those with projects, and this year.
/// "数据截至 …" where figures are ones kept from a few minutes before (the oldest of them), for
/// the statistics page and the dashboard; None when every figure was made for this view.
pub fn as_of_note(lang: Lang, made: impl IntoIterator<Item = Option<chrono::DateTime<chrono::Utc>>>) -> Option<String> {
    let oldest = made.into_iter().flatten().min()?;
    let at = views::local_time(oldest);
    Some(lang.tr_owned((
        &format!("数据截至 {at}（数据量大，统计结果每 5 分钟重新计算一次）"),
        &format!("Figures as of {at} (a large store: they are made again every 5 minutes)"),
    )))
}

pub async fn year_options(cx: &Ctx) -> Result<(Vec<i32>, i32), ApiError> {
    let mut years = cx.store().project_years().await?;
    let this_year = chrono::Datelike::year(&cx.store().today());
    if !years.contains(&this_year) {
        years.push(this_year);
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    Ok((years, this_year))
}

async fn stats_page(cx: Ctx, Query(p): Query<StatsParams>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let (years, this_year) = year_options(&cx).await?;
    let (by, year) = p.parse(Some(StatsBy::County), Some(this_year))?;
    let t = cx.store().statistics(cx.viewer(), by, year).await?;
    if p.xlsx()? {
        return Ok(xlsx_response(xlsx(lang, &t)?, &format!("stats-{}", by.as_str())));
    }
    let year_q = year.map_or("all".to_string(), |y| y.to_string());
    let defs = shown_figures(&t);
    let mut year_opts = vec![("all".to_string(), lang.tr("历年合计", "All years").to_string())];
    year_opts.extend(
        years
            .iter()
            .map(|y| (y.to_string(), format!("{y}{}", lang.tr("年", "")))),
    );
    let filters = vec![
        Field::new(lang, "by", ("统计口径", "Group by"), "select")
            .options(
                lang,
                StatsBy::ALL
                    .iter()
                    .map(|b| (b.as_str().to_string(), lang.pick(&b.label()).to_string()))
                    .collect(),
                &[by.as_str().to_string()],
            )
            .without_blank(),
        Field::new(lang, "year", ("年度", "Year"), "select")
            .options(lang, year_opts, std::slice::from_ref(&year_q))
            .without_blank(),
    ];
    let tabs = StatsBy::ALL
        .iter()
        .map(|b| {
            (
                lang.pick(&b.label()).to_string(),
                format!("/stats?by={}&year={year_q}", b.as_str()),
                *b == by,
            )
        })
        .collect();
    let mut columns = vec![lang.pick(&by.column()).to_string()];
    columns.extend(defs.iter().map(|d| lang.pick(&d.label()).to_string()));
    let notes = defs
        .iter()
        .filter(|d| t.not_grouped.contains(&d.code))
        .map(|d| lang.pick(&d.label()).to_string())
        .collect();
    let heading = match year {
        Some(y) => format!("{y}{}{}", lang.tr("年 · ", " · "), lang.pick(&by.label())),
        None => format!("{}{}", lang.tr("历年合计 · ", "All years · "), lang.pick(&by.label())),
    };
    let has_previous = t.total_previous.is_some() || by == StatsBy::Year;
    let view = StatsPage {
        layout: cx.layout("stats", lang.tr("统计分析", "Statistics")),
        filters,
        tabs,
        heading,
        columns,
        lines: lines(lang, &t, &defs),
        empty: t.is_empty(),
        notes,
        export: format!("/api/v1/stats?by={}&year={year_q}&format=xlsx", by.as_str()),
        has_previous,
        as_of: as_of_note(lang, [t.as_of]),
    };
    Ok(views::render(&view))
}
