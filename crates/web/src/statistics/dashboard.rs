//! The leaders' dashboard (the leader's home, and `/dashboard` for the office): this year's key
//! figures with the change against last year; bars by county and by college, a line of projects
//! and money over the years, the flag mix, the demand funnel; a tile map of the city's counties
//! shaded by a chosen figure. Each chart is an SVG drawn on the server with its numbers in a table
//! under it (for screen readers and for copying); the figures export to Excel.
//!
//! The map is a tile map keyed by GB/T 2260 code: no boundary dataset with a licence that lets us
//! ship it is available (see docs/decisions.md).

use super::{StatsParams, show, xlsx_response};
use crate::error::ApiError;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::views::{self, Cell, Ctx, Layout, Table};
use askama::Template;
use axum::response::Response;
use hezuo_domain::Money;
use hezuo_domain::closed_loop::DemandLoopStep;
use hezuo_domain::codes::zhejiang_divisions;
use hezuo_domain::statistics::{Change, Figures, StatsBy, StatsTable, figure};
use hezuo_report::chart;
use hezuo_store::closed_loop::LoopFilter;
use serde::Deserialize;

/// A key figure: this year's, last year's change.
pub struct KeyFigure {
    pub label: String,
    pub value: String,
    pub href: String,
    pub arrow: String,
    pub trend: &'static str,
}

/// A chart with its numbers.
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    /// The SVG, drawn here (trusted markup).
    pub svg: String,
    pub table: Table,
}

pub struct Dashboard {
    pub year: i32,
    pub heading: String,
    pub figures: Vec<KeyFigure>,
    pub charts: Vec<Chart>,
    /// The map's figure choices: (label, href, chosen).
    pub map_choices: Vec<(String, String, bool)>,
    /// Whether the county map is drawn (the city is known).
    pub has_map: bool,
    pub export: String,
    /// When the figures were made, if kept from before (`super::as_of_note`).
    pub as_of: Option<String>,
}

/// What the dashboard is asked for: the year, the figure the map shades.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DashboardQuery {
    pub year: Option<String>,
    pub map: Option<String>,
    pub format: Option<String>,
}

/// The figures a map can shade.
const MAP_FIGURES: &[&str] = &["projects", "contract_fen", "funding_fen", "demands", "trained", "red"];

/// The key figures, in order.
const KEY_FIGURES: &[&str] = &[
    "projects",
    "contract_fen",
    "funding_fen",
    "demands",
    "transfers_local",
    "platforms",
    "trained",
    "decisions_on_time",
];

fn wan(fen: i64) -> f64 {
    fen as f64 / 1_000_000.0
}

fn num_table(lang: Lang, head: (&str, &str), cols: &[(&str, &str)], rows: Vec<(String, Vec<String>)>) -> Table {
    let mut h: Vec<(&str, &str)> = vec![head];
    h.extend_from_slice(cols);
    let mut t = Table::new(lang, &h);
    t.empty = lang.tr("暂无数据。", "No data yet.").into();
    for (label, vals) in rows {
        let mut r = vec![Cell::text(label)];
        r.extend(vals.into_iter().map(Cell::text));
        t.rows.push(r);
    }
    t
}

impl Dashboard {
    /// The dashboard of `year` for the viewer (narrowed as the statistics are).
    pub async fn build(cx: &Ctx, year: i32, map: &str) -> Result<Dashboard, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let none = lang.tr("暂无数据", "No data yet");
        let by_county = st.statistics(v, StatsBy::County, Some(year)).await?;
        let by_college = st.statistics(v, StatsBy::College, Some(year)).await?;
        let by_year = st.statistics(v, StatsBy::Year, None).await?;
        let total = by_county.total;
        let before = by_county.total_previous.unwrap_or_default();
        let figures = KEY_FIGURES
            .iter()
            .filter_map(|code| figure(code))
            .map(|d| {
                let c = Change::of((d.get)(&total), (d.get)(&before));
                KeyFigure {
                    label: lang.pick(&d.label()).to_string(),
                    value: show(d, &total),
                    href: super::figure_href(StatsBy::County, None, Some(year), d.code)
                        .unwrap_or_else(|| format!("/stats?by=year&year={year}")),
                    arrow: c.arrow(d.money),
                    trend: match c.abs.signum() {
                        1 => "up",
                        -1 => "down",
                        _ => "same",
                    },
                }
            })
            .collect();
        let mut charts = Vec::new();
        // Bars by county and by college: projects.
        for (id, t, title, head) in [
            (
                "chart-county",
                &by_county,
                lang.tr("各区县合作项目数", "Projects by county"),
                ("区县", "County"),
            ),
            (
                "chart-college",
                &by_college,
                lang.tr("各高校方单位合作项目数", "Projects by college"),
                ("高校方单位", "College"),
            ),
        ] {
            let shown: Vec<&hezuo_domain::statistics::StatsRow> =
                t.rows.iter().filter(|r| r.figures.projects > 0).collect();
            let labels: Vec<String> = shown.iter().map(|r| lang.pick(&r.label).to_string()).collect();
            let series = vec![
                chart::Series::new(
                    format!("{year}{}", lang.tr("年", "")),
                    shown.iter().map(|r| r.figures.projects as f64).collect(),
                ),
                chart::Series::new(
                    format!("{}{}", year - 1, lang.tr("年", "")),
                    shown
                        .iter()
                        .map(|r| r.previous.map_or(0.0, |p| p.projects as f64))
                        .collect(),
                ),
            ];
            let rows = t
                .rows
                .iter()
                .filter(|r| r.figures.projects > 0)
                .map(|r| {
                    (
                        lang.pick(&r.label).to_string(),
                        vec![
                            r.figures.projects.to_string(),
                            r.previous.map(|p| p.projects.to_string()).unwrap_or_default(),
                            Money(r.figures.contract_fen).wan(),
                        ],
                    )
                })
                .collect();
            charts.push(Chart {
                id,
                title: format!("{year}{}{title}", lang.tr("年", " · ")),
                svg: chart::bars(title, &labels, &series, none),
                table: num_table(
                    lang,
                    head,
                    &[
                        ("项目数", "Projects"),
                        ("上年项目数", "Year before"),
                        ("合同金额（万元）", "Contracts (×10k CNY)"),
                    ],
                    rows,
                ),
            });
        }
        // A line over the years: projects, and money in 万元.
        let years: Vec<String> = by_year.rows.iter().map(|r| r.key.clone()).collect();
        let projects: Vec<f64> = by_year.rows.iter().map(|r| r.figures.projects as f64).collect();
        let contract: Vec<f64> = by_year.rows.iter().map(|r| wan(r.figures.contract_fen)).collect();
        let funding: Vec<f64> = by_year.rows.iter().map(|r| wan(r.figures.funding_fen)).collect();
        let title = lang.tr("历年项目数与金额", "Projects and money over the years");
        let svg = chart::lines(
            title,
            &years,
            &[
                chart::Series::new(lang.tr("项目数", "Projects"), projects),
                chart::Series::new(lang.tr("合同金额（万元）", "Contracts (×10k CNY)"), contract),
                chart::Series::new(lang.tr("争取经费（万元）", "Funding won (×10k CNY)"), funding),
            ],
            none,
        );
        charts.push(Chart {
            id: "chart-years",
            title: title.into(),
            svg,
            table: num_table(
                lang,
                ("年度", "Year"),
                &[
                    ("项目数", "Projects"),
                    ("合同金额（万元）", "Contracts (×10k CNY)"),
                    ("争取经费（万元）", "Funding won (×10k CNY)"),
                ],
                by_year
                    .rows
                    .iter()
                    .map(|r| {
                        (
                            lang.pick(&r.label).to_string(),
                            vec![
                                r.figures.projects.to_string(),
                                Money(r.figures.contract_fen).wan(),
                                Money(r.figures.funding_fen).wan(),
                            ],
                        )
                    })
                    .collect(),
            ),
        });
        // The flag mix of the projects being carried out.
        let green = (total.in_progress - total.red - total.yellow).max(0);
        let mix = [
            (lang.tr("红灯", "Red"), total.red, chart::RED),
            (lang.tr("黄灯", "Yellow"), total.yellow, chart::YELLOW),
            (lang.tr("绿灯", "Green"), green, chart::GREEN),
        ];
        let title = lang.tr("在实施项目亮灯情况", "Flags of the projects being carried out");
        charts.push(Chart {
            id: "chart-flags",
            title: format!("{year}{}{title}", lang.tr("年", " · ")),
            svg: chart::donut(
                title,
                &mix.iter()
                    .map(|(l, n, c)| chart::Slice {
                        label: l.to_string(),
                        value: *n as f64,
                        color: c,
                    })
                    .collect::<Vec<_>>(),
                none,
            ),
            table: num_table(
                lang,
                ("亮灯", "Flag"),
                &[("项目数", "Projects")],
                if total.in_progress == 0 {
                    vec![]
                } else {
                    mix.iter()
                        .map(|(l, n, _)| (l.to_string(), vec![n.to_string()]))
                        .collect()
                },
            ),
        });
        // The demand funnel of the year.
        let funnel = st
            .demand_funnel(
                v,
                &LoopFilter {
                    year: Some(year),
                    ..Default::default()
                },
            )
            .await?;
        let funnel_as_of = funnel.as_of;
        let steps: Vec<(String, f64)> = funnel
            .steps
            .iter()
            .map(|(s, x): &(DemandLoopStep, _)| (lang.pick(&s.label()).to_string(), x.count as f64))
            .collect();
        let title = lang.tr("技术需求转化漏斗", "The demand funnel");
        charts.push(Chart {
            id: "chart-funnel",
            title: format!("{year}{}{title}", lang.tr("年", " · ")),
            svg: chart::funnel(title, &steps, none),
            table: num_table(
                lang,
                ("环节", "Step"),
                &[("数量", "Count")],
                if funnel.total == 0 {
                    vec![]
                } else {
                    steps.iter().map(|(l, n)| (l.clone(), vec![format!("{n}")])).collect()
                },
            ),
        });
        // The tile map of the city's counties.
        let city = st.city_region().await?;
        if let Some(city) = city.as_deref() {
            let d = figure(map).unwrap_or_else(|| figure("projects").expect("a figure"));
            let mut codes: Vec<String> = zhejiang_divisions()
                .iter()
                .filter(|x| x.parent.as_deref() == Some(city))
                .map(|x| x.code.clone())
                .collect();
            codes.push(city.to_string());
            let value = |code: &str| {
                by_county
                    .rows
                    .iter()
                    .find(|r| r.key == code)
                    .map_or(Figures::default(), |r| r.figures)
            };
            let name = |code: &str| {
                if code == city {
                    lang.tr("市本级", "City level").to_string()
                } else {
                    hezuo_domain::codes::division_name(code).unwrap_or_else(|| code.to_string())
                }
            };
            let tiles: Vec<chart::Tile> = codes
                .into_iter()
                .map(|code| chart::Tile {
                    label: name(&code),
                    value: if d.money {
                        wan((d.get)(&value(&code)))
                    } else {
                        (d.get)(&value(&code)) as f64
                    },
                    code,
                })
                .collect();
            let title = format!(
                "{year}{}{}{}",
                lang.tr("年各区县", " · "),
                lang.pick(&d.label()),
                lang.tr("分布", " by county")
            );
            let rows = tiles
                .iter()
                .map(|t| (format!("{}（{}）", t.label, t.code), vec![show(d, &value(&t.code))]))
                .collect();
            charts.push(Chart {
                id: "chart-map",
                svg: chart::tile_map(&title, &tiles, none),
                title,
                table: num_table(lang, ("区县", "County"), &[(d.zh, d.en)], rows),
            });
        }
        let map_choices = MAP_FIGURES
            .iter()
            .filter_map(|c| figure(c))
            .map(|d| {
                (
                    lang.pick(&d.label()).to_string(),
                    format!("?year={year}&map={}#chart-map", d.code),
                    d.code == map,
                )
            })
            .collect();
        let has_map = charts.iter().any(|c| c.id == "chart-map");
        Ok(Dashboard {
            year,
            has_map,
            heading: format!(
                "{year}{}",
                lang.tr("年市校合作数据看板", " · the cooperation at a glance")
            ),
            figures,
            charts,
            map_choices,
            export: format!("/dashboard?year={year}&format=xlsx"),
            as_of: super::as_of_note(lang, [by_county.as_of, by_college.as_of, by_year.as_of, funnel_as_of]),
        })
    }
}

/// The dashboard's figures as a spreadsheet: the key figures with last year's and the change, then
/// the figures by county.
fn export(lang: Lang, year: i32, t: &StatsTable) -> Result<Vec<u8>, ApiError> {
    let _ = year;
    super::xlsx(lang, t)
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    dashboard: Dashboard,
    years: Vec<(String, bool)>,
}

/// `/dashboard`: the office's (and leaders') view of the year.
pub async fn dashboard_page(cx: Ctx, Query(q): Query<DashboardQuery>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let (years, this_year) = super::year_options(&cx).await?;
    let p = StatsParams {
        by: None,
        year: q.year.clone(),
        format: q.format.clone(),
    };
    let (_, year) = p.parse(Some(StatsBy::County), Some(this_year))?;
    let year = year.unwrap_or(this_year);
    if p.xlsx()? {
        let t = cx.store().statistics(cx.viewer(), StatsBy::County, Some(year)).await?;
        return Ok(xlsx_response(export(lang, year, &t)?, &format!("dashboard-{year}")));
    }
    let map = q.map.as_deref().unwrap_or("projects");
    let dashboard = Dashboard::build(&cx, year, map).await?;
    let view = DashboardPage {
        layout: cx.layout("home", lang.tr("数据看板", "Dashboard")),
        years: years.iter().map(|y| (y.to_string(), *y == year)).collect(),
        dashboard,
    };
    Ok(views::render(&view))
}
