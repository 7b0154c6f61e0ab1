//! The supervision board (督查看板): active projects' flags, counted by lead unit and by county,
//! with the red and yellow ones and why, and the open problems. The office's home page.

use super::flagged::{all_projects, flagged_table};
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
use hezuo_domain::codes::division_name;
use hezuo_domain::problem::ProblemFilter;
use hezuo_domain::project::{Project, ProjectFilter};
use hezuo_domain::supervision::{Flag, legend};
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
    fn add(&mut self, f: Flag) {
        match f {
            Flag::Red => self.red += 1,
            Flag::Yellow => self.yellow += 1,
            Flag::Green => self.green += 1,
        }
    }
}

/// The supervision board: active projects' flags, grouped by lead unit and by county.
#[derive(Debug, Serialize)]
pub struct Board {
    pub today: String,
    pub totals: Counts,
    pub by_unit: Vec<(String, Counts)>,
    pub by_county: Vec<(String, Counts)>,
    /// Red and yellow projects with their reasons, red first.
    pub flagged: Vec<Project>,
}

pub async fn board(store: &Store, v: &Viewer) -> Result<Board, ApiError> {
    let mut active = Vec::new();
    for status in ["approved", "in_progress"] {
        let f = ProjectFilter {
            status: Some(status.into()),
            ..Default::default()
        };
        active.extend(all_projects(store, v, &f).await?);
    }
    let leads: Vec<i64> = active.iter().map(|p| p.lead_unit_id).collect();
    let names = store.organization_names(&leads).await?;
    let regions = store.organization_regions(&leads).await?;
    let mut totals = Counts::default();
    let mut by_unit: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_county: BTreeMap<String, Counts> = BTreeMap::new();
    for p in &active {
        totals.add(p.flag);
        by_unit
            .entry(names.get(&p.lead_unit_id).cloned().unwrap_or_default())
            .or_default()
            .add(p.flag);
        let county = regions
            .get(&p.lead_unit_id)
            .and_then(|c| c.as_deref())
            .and_then(division_name)
            .unwrap_or_else(|| "（未填行政区划）".into());
        by_county.entry(county).or_default().add(p.flag);
    }
    let rank = |c: &Counts| (std::cmp::Reverse(c.red), std::cmp::Reverse(c.yellow));
    let mut by_unit: Vec<(String, Counts)> = by_unit.into_iter().collect();
    by_unit.sort_by_key(|(_, c)| rank(c));
    let mut by_county: Vec<(String, Counts)> = by_county.into_iter().collect();
    by_county.sort_by_key(|(_, c)| rank(c));
    let mut flagged: Vec<Project> = active.into_iter().filter(|p| p.flag != Flag::Green).collect();
    flagged.sort_by_key(|p| (p.flag != Flag::Red, p.id));
    Ok(Board {
        today: store.today().to_string(),
        totals,
        by_unit,
        by_county,
        flagged,
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
    pub problems: Table,
    /// What waits for the user, on their home page (see `crate::home`).
    pub waiting: Vec<crate::views::WaitingList>,
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

/// The board as a page: `/board`.
pub async fn board_page(cx: Ctx) -> Result<Response, ApiError> {
    Ok(views::render(&board_view(&cx, "board").await?))
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
        counties: counts_table(lang, ("区县", "County"), &b.by_county),
        flagged: flagged_table(&cx.s, lang, &b.flagged).await?,
        problems: problem_table(&cx.s, lang, &problems.items).await?,
        board: b,
        waiting: Vec::new(),
    };
    Ok(view)
}
