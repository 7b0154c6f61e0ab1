//! The supervision board (督查看板): active projects' flags, counted by lead unit and by county,
//! with the red and yellow ones and why, and the open problems. The office's home page.

use super::flagged::flagged_table;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Layout, Table, problem_table};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use hezuo_domain::ListParams;
use hezuo_domain::Msg;
use hezuo_domain::access::Role;
use hezuo_domain::codes::region_group;
use hezuo_domain::problem::ProblemFilter;
use hezuo_domain::project::{Project, ProjectFilter};
use hezuo_domain::reminder::DEFAULT_DAYS_BEFORE;
use hezuo_domain::supervision::legend;
use hezuo_store::{Store, Viewer};
use serde::Serialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/board", get(api_board))
        .at("/board", get(board_page))
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Counts {
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
}

impl Counts {
    fn add(&mut self, c: &Counts) {
        self.red += c.red;
        self.yellow += c.yellow;
        self.green += c.green;
    }
}

/// The supervision board: active projects' flags, grouped by lead unit and by county.
#[derive(Debug, Serialize)]
pub struct Board {
    pub today: String,
    pub totals: Counts,
    pub by_unit: Vec<(String, Counts)>,
    /// By the lead unit's place: each of the city's counties and districts, the city itself
    /// (市本级), then units outside the city (市外单位) and those without a division code.
    pub by_county: Vec<(Msg, Counts)>,
    /// Lead units with flags not in `by_unit` (it keeps the [`BOARD_UNITS`] most red and yellow).
    pub units_more: usize,
    /// Red and yellow projects with their reasons, red first: the first [`BOARD_FLAGGED`].
    pub flagged: Vec<Project>,
    /// Red and yellow projects not in `flagged` (the project list's flag filter has them all).
    pub flagged_more: usize,
}

/// Lead units shown on the board, those with the most red then yellow flags first.
pub const BOARD_UNITS: usize = 50;
/// Red, then yellow, projects listed on the board; the rest are a link away.
pub const BOARD_FLAGGED: usize = 100;

/// The board, counted from the stored flags (for the office, from the tally kept per lead unit:
/// two short reads however many projects): totals, the lead units with the most red and yellow
/// flags, each county, and the first flagged projects with their reasons.
pub async fn board(store: &Store, v: &Viewer) -> Result<Board, ApiError> {
    let counted = store.flag_board(v, BOARD_UNITS).await?;
    let city = store.city_region().await?;
    let counts = |l: &hezuo_store::project_flags::LeadFlags| Counts {
        red: l.red as usize,
        yellow: l.yellow as usize,
        green: l.green as usize,
    };
    let mut totals = Counts::default();
    let mut by_county: BTreeMap<String, (Msg, Counts)> = BTreeMap::new();
    for r in &counted.by_region {
        let c = counts(r);
        totals.add(&c);
        let group = region_group(city.as_deref(), r.region_code.as_deref());
        by_county
            .entry(group.zh.clone())
            .or_insert_with(|| (group, Counts::default()))
            .1
            .add(&c);
    }
    let mut by_unit: Vec<(String, Counts)> = counted.top.iter().map(|l| (l.name.clone(), counts(l))).collect();
    let rank = |c: &Counts| (std::cmp::Reverse(c.red), std::cmp::Reverse(c.yellow));
    by_unit.sort_by(|a, b| rank(&a.1).cmp(&rank(&b.1)).then_with(|| a.0.cmp(&b.0)));
    let units_more = counted.units.saturating_sub(by_unit.len());
    // The city's own places first, then those outside it and those without a code.
    let apart = |m: &Msg| match m.zh.as_str() {
        "市外单位" => 1,
        "（未填行政区划）" => 2,
        _ => 0,
    };
    let mut by_county: Vec<(Msg, Counts)> = by_county.into_values().collect();
    by_county.sort_by_key(|(m, c)| (apart(m), rank(c)));
    let mut flagged: Vec<Project> = Vec::new();
    for flag in ["red", "yellow"] {
        let room = BOARD_FLAGGED - flagged.len();
        if room == 0 {
            break;
        }
        let f = ProjectFilter {
            flag: Some(flag.into()),
            ..Default::default()
        };
        let p = ListParams {
            sort: Some("id".into()),
            ..ListParams::first(room as u32)
        };
        flagged.extend(store.list_projects(v, &f, &p).await?.items);
    }
    let flagged_more = (totals.red + totals.yellow).saturating_sub(flagged.len());
    Ok(Board {
        today: store.today().to_string(),
        totals,
        by_unit,
        units_more,
        by_county,
        flagged,
        flagged_more,
    })
}

async fn api_board(State(s): State<AppState>, who: Auth) -> Result<Json<Board>, ApiError> {
    Ok(Json(board(&s.store, &who.viewer).await?))
}

#[derive(Template)]
#[template(path = "board.html")]
pub struct BoardPage {
    pub layout: Layout,
    pub board: Board,
    pub legend: Vec<(String, String)>,
    pub units: Table,
    pub counties: Table,
    pub flagged: Table,
    /// Meetings' decisions flagged red (late) or yellow (due soon), late first.
    pub decisions: Table,
    pub problems: Table,
    /// What waits for the user, on their home page (see `crate::home`).
    pub waiting: Vec<crate::views::WaitingList>,
    /// For the office: people today's reminders cannot reach (no account).
    pub unreachable: Option<Table>,
}

fn counts_table(lang: Lang, first: (&str, &str), rows: &[(String, Counts)]) -> Table {
    let mut t = Table::new(lang, &[first, ("红灯", "Red"), ("黄灯", "Yellow"), ("绿灯", "Green")]);
    for (name, c) in rows {
        t.rows.push(vec![
            Cell::text(name),
            if c.red > 0 {
                Cell::badge(c.red.to_string(), "f-red")
            } else {
                Cell::text("0")
            },
            if c.yellow > 0 {
                Cell::badge(c.yellow.to_string(), "f-yellow")
            } else {
                Cell::text("0")
            },
            Cell::text(c.green.to_string()),
        ]);
    }
    t
}

/// For the office: the people due a reminder today who have no account, so the platform cannot
/// remind them (未开通账号，无法提醒) — to be reached another way, or given an account.
async fn unreachable_table(cx: &Ctx) -> Result<Option<Table>, ApiError> {
    if cx.viewer().role != Role::Office {
        return Ok(None);
    }
    let lang = cx.lang;
    let store = cx.store();
    let people = store
        .unreachable_reminders(cx.viewer(), store.today(), &DEFAULT_DAYS_BEFORE)
        .await?;
    let mut t = Table::new(lang, &[("人员", "Person"), ("待办事项", "Due"), ("提醒", "Reminder")]);
    t.empty = lang
        .tr(
            "今天需提醒的人员均已开通账号。",
            "Everyone due a reminder today has an account.",
        )
        .into();
    let more = people.len().saturating_sub(UNREACHABLE_SHOWN);
    for p in people.into_iter().take(UNREACHABLE_SHOWN) {
        let items: Vec<String> = p
            .items
            .iter()
            .map(|i| format!("{}（{}，{}）", i.what, i.project, i.due))
            .collect();
        t.rows.push(vec![
            Cell::link(&p.name, format!("/people/{}", p.person_id)),
            Cell::text(items.join("；")),
            Cell::badge(
                lang.tr("未开通账号，无法提醒", "No account: cannot be reminded"),
                "f-yellow",
            ),
        ]);
    }
    if more > 0 {
        t.rows.push(vec![
            Cell::text("……"),
            Cell::text(lang.tr_owned((&format!("另有 {more} 人未列出"), &format!("{more} more not listed")))),
            Cell::text(""),
        ]);
    }
    Ok(Some(t))
}

/// People listed in the board's table of those reminders cannot reach; the rest are counted.
const UNREACHABLE_SHOWN: usize = 50;

/// The board as a page: `/board`.
pub async fn board_page(cx: Ctx) -> Result<Response, ApiError> {
    Ok(views::render(&board_view(&cx, "board").await?))
}

/// The decisions flagged red, then yellow, that the viewer may see.
async fn flagged_decisions(cx: &Ctx) -> Result<Table, ApiError> {
    let mut items = Vec::new();
    for flag in ["red", "yellow"] {
        let f = hezuo_domain::event::DecisionFilter {
            flag: Some(flag.into()),
            ..Default::default()
        };
        items.extend(cx.store().all_decisions(cx.viewer(), &f).await?);
    }
    let mut t = crate::events::decision_table(cx.store(), cx.viewer(), cx.lang, &items, true).await?;
    t.empty = cx
        .lang
        .tr("没有逾期或临期的议定事项。", "No decision is late or due soon.")
        .into();
    Ok(t)
}

/// The board's page, in the menu section `nav` (the office's and coordinators' home page too).
pub async fn board_view(cx: &Ctx, nav: &'static str) -> Result<BoardPage, ApiError> {
    let lang = cx.lang;
    let b = board(cx.store(), cx.viewer()).await?;
    let problems = cx
        .store()
        .list_problems(
            cx.viewer(),
            &ProblemFilter {
                open: Some("true".into()),
                ..Default::default()
            },
            &ListParams::first(20),
        )
        .await?;
    let view = BoardPage {
        layout: cx.layout(nav, lang.tr("督查看板", "Supervision board")),
        legend: legend()
            .iter()
            .map(|(f, m)| (format!("f-{}", f.as_str()), lang.pick(m).to_string()))
            .collect(),
        units: counts_table(lang, ("牵头单位", "Lead unit"), &b.by_unit),
        counties: counts_table(
            lang,
            ("区县", "County"),
            &b.by_county
                .iter()
                .map(|(m, c)| (lang.pick(m).to_string(), c.clone()))
                .collect::<Vec<_>>(),
        ),
        flagged: flagged_table(&cx.s, lang, &b.flagged).await?,
        decisions: flagged_decisions(cx).await?,
        problems: problem_table(&cx.s, lang, &problems.items).await?,
        unreachable: unreachable_table(cx).await?,
        board: b,
        waiting: Vec::new(),
    };
    Ok(view)
}
