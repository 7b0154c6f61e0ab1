//! Each role's home page — its day at a glance, with what waits for it first:
//! - office: the supervision board, with demands to screen, green-channel timers, matches
//!   awaiting an answer, reports to accept and problems due;
//! - coordinator: its county's (or college's) board, with what waits in it;
//! - unit: what is due on its projects, reports to file, problems assigned to it;
//! - enterprise: its demands and where each stands, its projects, and "发布技术需求";
//! - expert: matches waiting for an answer, demands that fit, its projects, its profile;
//! - leader: the year at a glance — projects and money by kind, county and status.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, Layout, Table, WaitRow, WaitingList, project_table};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use chrono::{Duration, NaiveDate};
use hezuo_domain::access::{Action, Role, Scope};
use hezuo_domain::codes::region_group;
use hezuo_domain::demand::{DemandFilter, DemandStatus, ReviewDecision};
use hezuo_domain::matching::MatchStatus;
use hezuo_domain::problem::{ProblemFilter, ProblemStatus};
use hezuo_domain::project::{DUE_SOON_DAYS, ProjectFilter, ProjectKind, ProjectStatus};
use hezuo_domain::{ListParams, Money, RecordKind};
use hezuo_store::waiting::Waiting;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new().at("/", get(home))
}

/// How many of each waiting list a home page shows before "all …".
const FIRST: i64 = 5;

pub struct Card {
    pub label: String,
    pub value: String,
    pub href: String,
    pub warn: bool,
}

pub struct HomeSection {
    pub id: &'static str,
    pub title: String,
    pub table: Table,
    pub add: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    heading: String,
    intro: String,
    /// The role's main actions: (label, href, element id).
    primary: Vec<(String, String, String)>,
    filters: Vec<Field>,
    cards: Vec<Card>,
    waiting: Vec<WaitingList>,
    sections: Vec<HomeSection>,
    /// The leaders' dashboard (the leader's home), above the tables.
    dashboard: Option<crate::statistics::dashboard::Dashboard>,
}

#[derive(Debug, Default, Deserialize)]
struct HomeQuery {
    year: Option<String>,
    batch_id: Option<String>,
    /// The figure the dashboard's county map is shaded by.
    map: Option<String>,
}

async fn home(cx: Ctx, Query(q): Query<HomeQuery>) -> Result<Response, ApiError> {
    match cx.viewer().role {
        Role::Office | Role::Coordinator => {
            let mut view = crate::supervision::board::board_view(&cx, "home").await?;
            view.waiting = staff_waiting(&cx).await?;
            Ok(views::render(&view))
        }
        Role::Unit => unit_home(&cx).await,
        Role::Enterprise => enterprise_home(&cx).await,
        Role::Expert => expert_home(&cx).await,
        Role::Leader => leader_home(&cx, &q).await,
    }
}

fn page(cx: &Ctx, heading: String, intro: String) -> HomePage {
    HomePage {
        layout: cx.layout("home", cx.tr("首页", "Home")),
        heading,
        intro,
        primary: Vec::new(),
        filters: Vec::new(),
        cards: Vec::new(),
        waiting: Vec::new(),
        sections: Vec::new(),
        dashboard: None,
    }
}

fn today_line(cx: &Ctx) -> String {
    format!("{}{}", cx.tr("今天是 ", "Today is "), cx.store().today())
}

/// A due date as a note: "截止 2026-06-30", or "已逾期 3 天" when past.
fn due_note(lang: Lang, due: NaiveDate, today: NaiveDate) -> (String, bool) {
    if due < today {
        let days = (today - due).num_days();
        (
            format!(
                "{}{due}{}{days}{}",
                lang.tr("截止 ", "due "),
                lang.tr("，已逾期 ", ", overdue by "),
                lang.tr(" 天", if days == 1 { " day" } else { " days" })
            ),
            true,
        )
    } else {
        (format!("{}{due}", lang.tr("截止 ", "due ")), false)
    }
}

fn match_list(lang: Lang, w: Waiting, title: &str, empty: &str) -> WaitingList {
    let mut l = WaitingList::new("matches", title, empty);
    l.total = w.total;
    for m in w.items {
        let state = MatchStatus::parse(&m.state)
            .map(|s| lang.pick(&s.label()).to_string())
            .unwrap_or(m.state);
        l.rows.push(WaitRow {
            text: format!("{} · {}", m.parent_title, m.title),
            href: format!("/demands/{}#matches", m.parent_id),
            note: state,
            warn: false,
        });
    }
    l
}

fn problem_list(lang: Lang, w: Waiting, today: NaiveDate, title: &str, empty: &str) -> WaitingList {
    let mut l = WaitingList::new("problems", title, empty);
    l.total = w.total;
    for p in w.items {
        let (note, warn) = match p.date {
            Some(d) => due_note(lang, d, today),
            None => (String::new(), false),
        };
        let state = ProblemStatus::parse(&p.state)
            .map(|s| lang.pick(&s.label()).to_string())
            .unwrap_or_default();
        l.rows.push(WaitRow {
            text: format!("{}（{}）", p.title, p.parent_title),
            href: format!("/problems/{}", p.id),
            note: format!("{state} · {note}"),
            warn,
        });
    }
    l
}

/// Demands in one status, oldest first, as a waiting list.
async fn demands_waiting(
    cx: &Ctx,
    id: &'static str,
    title: &str,
    empty: &str,
    f: DemandFilter,
) -> Result<WaitingList, ApiError> {
    let (lang, today) = (cx.lang, cx.store().today());
    let p = ListParams {
        per_page: Some(FIRST.to_string()),
        sort: Some("id".into()),
        ..Default::default()
    };
    let page = cx.store().list_demands(cx.viewer(), &f, &p).await?;
    let mut l = WaitingList::new(id, title, empty);
    l.total = page.total;
    for d in &page.items {
        let (note, warn) = match d.service_level(today) {
            Some(sl) => {
                let (n, late) = due_note(lang, sl.due_on, today);
                (
                    format!("{}{n}", lang.tr("绿色通道，初筛", "green channel, screening ")),
                    late || sl.breached,
                )
            }
            None => (lang.pick(&d.status.label()).to_string(), false),
        };
        l.rows.push(WaitRow {
            text: d.title.clone(),
            href: format!("/demands/{}", d.id),
            note,
            warn,
        });
    }
    let mut href = String::from("/demands?");
    if let Some(s) = &f.status {
        href.push_str(&format!("status={s}&"));
    }
    if f.green_channel.is_some() {
        href.push_str("green_channel=true");
    }
    Ok(l.more(lang.tr("查看全部", "See all"), href))
}

/// What waits for the office (or, in its subtree, a coordinator).
async fn staff_waiting(cx: &Ctx) -> Result<Vec<WaitingList>, ApiError> {
    let (st, v, lang, today) = (cx.store(), cx.viewer(), cx.lang, cx.store().today());
    let office = v.role == Role::Office;
    let mut out = Vec::new();
    out.push(
        demands_waiting(
            cx,
            "screen",
            if office {
                lang.tr("待初筛的需求", "Demands to screen")
            } else {
                lang.tr("等待初筛的需求", "Demands waiting for screening")
            },
            lang.tr("没有等待初筛的需求。", "No demand waits for screening."),
            DemandFilter {
                status: Some(DemandStatus::Submitted.as_str().into()),
                ..Default::default()
            },
        )
        .await?,
    );
    out.push(
        demands_waiting(
            cx,
            "green",
            lang.tr("绿色通道计时", "Green-channel timers"),
            lang.tr(
                "没有正在计时的绿色通道需求。",
                "No green-channel demand is being timed.",
            ),
            DemandFilter {
                status: Some(DemandStatus::Submitted.as_str().into()),
                green_channel: Some("true".into()),
                ..Default::default()
            },
        )
        .await?,
    );
    out.push(match_list(
        lang,
        st.matches_awaiting_answer(v, FIRST).await?,
        lang.tr("等待答复的对接", "Matches awaiting an answer"),
        lang.tr("没有等待专家答复的对接。", "No match awaits an answer."),
    ));
    if office {
        let w = st.reports_awaiting_acceptance(v, FIRST).await?;
        let mut l = WaitingList::new(
            "reports",
            lang.tr("待确认的进度报告", "Reports to accept"),
            lang.tr("没有待确认的进度报告。", "No report waits to be accepted."),
        );
        l.total = w.total;
        for r in w.items {
            l.rows.push(WaitRow {
                text: format!("{} · {}", r.parent_title, r.title),
                href: format!("/reports/{}", r.id),
                note: String::new(),
                warn: false,
            });
        }
        out.push(l);
    }
    out.push(
        problem_list(
            lang,
            st.problems_due(v, today + Duration::days(DUE_SOON_DAYS), None, FIRST)
                .await?,
            today,
            lang.tr("到期的问题", "Problems due"),
            lang.tr("没有逾期或即将到期的问题。", "No problem is overdue or due soon."),
        )
        .more(lang.tr("全部待协调问题", "All open problems"), "/problems?open=true"),
    );
    Ok(out)
}

async fn all_projects(cx: &Ctx) -> Result<Vec<hezuo_domain::project::Project>, ApiError> {
    let p = ListParams {
        per_page: Some("100".into()),
        sort: Some("-updated_at".into()),
        ..Default::default()
    };
    Ok(cx
        .store()
        .list_projects(cx.viewer(), &ProjectFilter::default(), &p)
        .await?
        .items)
}

/// The organisation a unit or enterprise user acts for, and its name.
async fn own_org(cx: &Ctx) -> Result<(Option<i64>, String), ApiError> {
    let org = match cx.viewer().scope {
        Scope::Org(o) | Scope::Subtree(o) => o,
        _ => return Ok((None, String::new())),
    };
    let name = cx
        .store()
        .organization_names(&[org])
        .await?
        .remove(&org)
        .unwrap_or_default();
    Ok((Some(org), name))
}

/// The user's projects as a home page section titled `title`.
async fn projects_section(
    cx: &Ctx,
    title: (&'static str, &'static str),
    projects: &[hezuo_domain::project::Project],
) -> Result<HomeSection, ApiError> {
    Ok(HomeSection {
        id: "projects",
        title: cx.lang.tr(title.0, title.1).into(),
        table: project_table(&cx.s, cx.lang, projects).await?,
        add: None,
    })
}

async fn unit_home(cx: &Ctx) -> Result<Response, ApiError> {
    let (st, v, lang, today) = (cx.store(), cx.viewer(), cx.lang, cx.store().today());
    let (org, name) = own_org(cx).await?;
    let mut view = page(
        cx,
        format!("{name}{}", lang.tr(" · 工作台", " · my work")),
        today_line(cx),
    );
    let projects = all_projects(cx).await?;
    // Milestones due soon or overdue.
    let due = st
        .open_milestones_due(v, today + Duration::days(DUE_SOON_DAYS), 20)
        .await?;
    let mut ms = WaitingList::new(
        "milestones",
        lang.tr("到期的节点", "Milestones due"),
        lang.tr("没有逾期或即将到期的节点。", "No milestone is overdue or due soon."),
    );
    ms.total = due.len() as i64;
    for (m, title) in due.iter().take(FIRST as usize) {
        let (note, warn) = due_note(lang, m.due_on, today);
        ms.rows.push(WaitRow {
            text: format!("{}（{title}）", m.title),
            href: format!("/projects/{}#milestones", m.project_id),
            note,
            warn,
        });
    }
    view.waiting.push(ms);
    // Reports to file.
    let owed = st.reports_owed(&projects, today + Duration::days(14)).await?;
    let mut rl = WaitingList::new(
        "reports",
        lang.tr("待报送的进度报告", "Reports to file"),
        lang.tr("近期没有需要报送的进度报告。", "No report is due soon."),
    );
    rl.total = owed.len() as i64;
    for (pid, title, period, due) in owed.iter().take(FIRST as usize) {
        let (note, warn) = due_note(lang, *due, today);
        rl.rows.push(WaitRow {
            text: format!("{title} · {period}"),
            href: format!("/projects/{pid}#reports"),
            note,
            warn,
        });
    }
    view.waiting.push(rl);
    // Problems assigned to it.
    let mut pl = WaitingList::new(
        "problems",
        lang.tr("交由本单位解决的问题", "Problems assigned to us"),
        lang.tr("没有交由本单位解决的问题。", "No problem is assigned to you."),
    );
    if let Some(o) = org {
        let f = ProblemFilter {
            owner_id: Some(o.to_string()),
            open: Some("true".into()),
            ..Default::default()
        };
        let page = st.list_problems(v, &f, &ListParams::first(FIRST as u32)).await?;
        pl.total = page.total;
        for p in &page.items {
            let (note, warn) = match p.due_on {
                Some(d) => due_note(lang, d, today),
                None => (lang.pick(&p.status.label()).to_string(), false),
            };
            pl.rows.push(WaitRow {
                text: p.title.clone(),
                href: format!("/problems/{}", p.id),
                note,
                warn,
            });
        }
        pl = pl.more(
            lang.tr("查看全部", "See all"),
            format!("/problems?owner_id={o}&open=true"),
        );
    }
    view.waiting.push(pl);
    view.sections
        .push(projects_section(cx, ("本单位的项目", "Our projects"), &projects).await?);
    Ok(views::render(&view))
}

async fn enterprise_home(cx: &Ctx) -> Result<Response, ApiError> {
    let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
    let (_, name) = own_org(cx).await?;
    let mut view = page(
        cx,
        name,
        lang.tr(
            "在这里发布技术难题，查看每项需求办到哪一步、为您推荐了哪些专家和成果。",
            "Post your technical problems here and see where each stands and which experts and results were proposed.",
        )
        .into(),
    );
    if cx.can(RecordKind::Demand, None, Action::Create).await? {
        view.primary.push((
            lang.tr("发布技术需求", "Post a technical demand").into(),
            "/demands/new".into(),
            "post-demand".into(),
        ));
    }
    let p = ListParams {
        per_page: Some("50".into()),
        sort: Some("-updated_at".into()),
        ..Default::default()
    };
    let demands = st.list_demands(v, &DemandFilter::default(), &p).await?;
    let mut t = Table::new(
        lang,
        &[("需求", "Demand"), ("状态", "Status"), ("进展", "Where it stands")],
    );
    t.empty = lang
        .tr(
            "还没有发布技术需求。点击“发布技术需求”开始。",
            "No demand posted yet. Choose “Post a technical demand” to start.",
        )
        .into();
    for d in &demands.items {
        let stands = match d.status {
            DemandStatus::Returned => {
                let reviews = st.demand_reviews(v, d.id).await?;
                let why = reviews
                    .iter()
                    .rev()
                    .find(|r| r.decision == ReviewDecision::Return)
                    .and_then(|r| r.comment.clone())
                    .unwrap_or_default();
                Cell::badge(format!("{}{why}", lang.tr("退回理由：", "Returned: ")), "late")
            }
            DemandStatus::Draft => Cell::text(lang.tr("草稿，尚未提交", "A draft, not submitted")),
            _ => {
                let matches = st.demand_matches(v, d.id).await?;
                let proposed = matches.iter().filter(|m| m.status.active()).count();
                let accepted = matches.iter().filter(|m| m.status == MatchStatus::Accepted).count();
                if accepted > 0 {
                    Cell::text(format!("{}{accepted}", lang.tr("已接受对接：", "Matches accepted: ")))
                } else if proposed > 0 {
                    Cell::text(format!("{}{proposed}", lang.tr("已推荐对接：", "Matches proposed: ")))
                } else {
                    Cell::text(lang.tr("等待审核与匹配", "Waiting for review and matching"))
                }
            }
        };
        t.rows.push(vec![
            Cell::link(&d.title, format!("/demands/{}", d.id)),
            Cell::badge(lang.pick(&d.status.label()), format!("d-{}", d.status.as_str())),
            stands,
        ]);
    }
    view.sections.push(HomeSection {
        id: "demands",
        title: format!("{}（{}）", lang.tr("我的技术需求", "Our demands"), demands.total),
        table: t,
        add: None,
    });
    let projects = all_projects(cx).await?;
    view.sections
        .push(projects_section(cx, ("我的合作项目", "Our projects"), &projects).await?);
    for x in crate::outcomes::home_sections(cx).await? {
        view.sections.push(HomeSection {
            id: x.id,
            title: x.title,
            table: x.table,
            add: x.add,
        });
    }
    Ok(views::render(&view))
}

async fn expert_home(cx: &Ctx) -> Result<Response, ApiError> {
    let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
    let person = match v.scope {
        Scope::Person { person_id, .. } => Some(st.get_person(v, person_id).await?),
        _ => None,
    };
    let name = person.as_ref().map(|p| p.name.clone()).unwrap_or_default();
    let mut view = page(
        cx,
        name,
        lang.tr(
            "请先答复推荐给您的对接，再看看适合您研究方向的企业需求。",
            "Answer the matches proposed to you first, then see the demands that fit your research.",
        )
        .into(),
    );
    if let Some(p) = &person {
        view.primary.push((
            lang.tr("我的资料", "My profile").into(),
            format!("/people/{}", p.id),
            "my-profile".into(),
        ));
    }
    view.waiting.push(match_list(
        lang,
        st.matches_awaiting_answer(v, 20).await?,
        lang.tr("等待您答复的对接", "Matches waiting for your answer"),
        lang.tr("目前没有等待您答复的对接。", "No match waits for your answer."),
    ));
    let mut fit = Table::new(lang, &[("需求", "Demand"), ("匹配度", "Fit")]);
    fit.empty = lang
        .tr(
            "暂无与您研究方向相关的开放需求。",
            "No open demand fits your research yet.",
        )
        .into();
    if let Some(p) = &person {
        let f = hezuo_app::matching::for_expert(st, &cx.s.search, v, p).await?;
        for (id, title, score) in f.demands.iter().take(10) {
            fit.rows.push(vec![
                Cell::link(title, format!("/demands/{id}")),
                Cell::text(format!("{score:.2}")),
            ]);
        }
    }
    view.sections.push(HomeSection {
        id: "fit",
        title: lang.tr("适合您的需求", "Demands that fit you").into(),
        table: fit,
        add: None,
    });
    let projects = all_projects(cx).await?;
    view.sections
        .push(projects_section(cx, ("我负责的项目", "My projects"), &projects).await?);
    Ok(views::render(&view))
}

/// Counts and money for one group of projects.
#[derive(Default)]
struct Tally {
    count: i64,
    contract: i64,
    funding: i64,
}

fn tally_table(lang: Lang, first: (&str, &str), rows: Vec<(String, String, Tally)>) -> Table {
    let mut t = Table::new(
        lang,
        &[
            first,
            ("项目数", "Projects"),
            ("合同金额（万元）", "Contracts (×10k CNY)"),
            ("争取经费（万元）", "Funding won (×10k CNY)"),
        ],
    );
    t.empty = lang.tr("所选年度没有项目。", "No project in the chosen year.").into();
    for (label, href, x) in rows {
        t.rows.push(vec![
            if href.is_empty() {
                Cell::text(label)
            } else {
                Cell::link(label, href)
            },
            Cell::text(x.count.to_string()),
            Cell::text(Money(x.contract).wan()),
            Cell::text(Money(x.funding).wan()),
        ]);
    }
    t
}

async fn leader_home(cx: &Ctx, q: &HomeQuery) -> Result<Response, ApiError> {
    let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
    let years = st.project_years().await?;
    let this_year = st.today().format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let year: Option<i32> = match q.year.as_deref().map(str::trim) {
        Some("all") => None,
        Some(y) if !y.is_empty() => Some(y.parse().map_err(|_| {
            ApiError::field(
                "year",
                hezuo_domain::Msg::new("年度应为四位数字", "The year is four digits"),
            )
        })?),
        _ => Some(if years.contains(&this_year) {
            this_year
        } else {
            years.iter().max().copied().unwrap_or(this_year)
        }),
    };
    let batch: Option<i64> = match q.batch_id.as_deref().map(str::trim) {
        Some(b) if !b.is_empty() => Some(
            b.parse()
                .map_err(|_| ApiError::field("batch_id", hezuo_domain::Msg::new("请选择清单", "Choose a batch")))?,
        ),
        _ => None,
    };
    let rows = st.project_summary(v, year, batch).await?;
    let city = st.city_region().await?;
    let year_label = year.map_or_else(
        || lang.tr("历年", "All years").to_string(),
        |y| format!("{y}{}", lang.tr(" 年", "")),
    );
    let mut view = page(
        cx,
        format!("{year_label}{}", lang.tr("市校合作一览", " at a glance")),
        format!(
            "{}{}",
            today_line(cx),
            lang.tr("。数字可点开查看明细。", ". Each figure opens the records behind it.")
        ),
    );
    // Filters: year and batch.
    let mut year_opts = vec![("all".to_string(), lang.tr("历年", "All years").to_string())];
    let mut ys = years.clone();
    ys.sort_unstable_by(|a, b| b.cmp(a));
    year_opts.extend(ys.iter().map(|y| (y.to_string(), y.to_string())));
    let chosen_year = year.map_or("all".to_string(), |y| y.to_string());
    view.filters
        .push(Field::new(lang, "year", ("年度", "Year"), "select").options(lang, year_opts, &[chosen_year]));
    let batches = st.list_batches(v, &ListParams::first(100)).await?;
    let mut batch_opts = vec![(String::new(), lang.tr("全部清单", "All batches").to_string())];
    batch_opts.extend(
        batches
            .items
            .iter()
            .filter(|b| year.is_none_or(|y| b.year == y))
            .map(|b| (b.id.to_string(), b.title.clone())),
    );
    let chosen_batch = batch.map(|b| b.to_string()).unwrap_or_default();
    view.filters
        .push(Field::new(lang, "batch_id", ("年度清单", "Batch"), "select").options(lang, batch_opts, &[chosen_batch]));
    // The figures behind each link keep the year and batch.
    let mut keep = String::new();
    if let Some(y) = year {
        keep.push_str(&format!("&batch_year={y}"));
    }
    if let Some(b) = batch {
        keep.push_str(&format!("&batch_id={b}"));
    }
    let mut total = Tally::default();
    let mut by_kind: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_status: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_county: BTreeMap<String, Tally> = BTreeMap::new();
    for r in &rows {
        for t in [
            &mut total,
            by_kind.entry(r.kind.clone()).or_default(),
            by_status.entry(r.status.clone()).or_default(),
            by_county
                .entry(
                    lang.pick(&region_group(city.as_deref(), r.region_code.as_deref()))
                        .to_string(),
                )
                .or_default(),
        ] {
            t.count += r.count;
            t.contract += r.contract_fen;
            t.funding += r.funding_fen;
        }
    }
    let in_progress = by_status.get("in_progress").map_or(0, |t| t.count);
    let done = ["completed", "accepted"]
        .iter()
        .map(|s| by_status.get(*s).map_or(0, |t| t.count))
        .sum::<i64>();
    view.cards = vec![
        Card {
            label: lang.tr("合作项目", "Projects").into(),
            value: total.count.to_string(),
            href: format!("/projects?{}", keep.trim_start_matches('&')),
            warn: false,
        },
        Card {
            label: lang.tr("实施中", "In progress").into(),
            value: in_progress.to_string(),
            href: format!("/projects?status=in_progress{keep}"),
            warn: false,
        },
        Card {
            label: lang.tr("已完成或验收", "Completed or accepted").into(),
            value: done.to_string(),
            href: format!("/projects?status=completed{keep}"),
            warn: false,
        },
        Card {
            label: lang.tr("合同金额（万元）", "Contracts (×10k CNY)").into(),
            value: Money(total.contract).wan(),
            href: format!("/projects?{}", keep.trim_start_matches('&')),
            warn: false,
        },
        Card {
            label: lang.tr("争取经费（万元）", "Funding won (×10k CNY)").into(),
            value: Money(total.funding).wan(),
            href: format!("/projects?{}", keep.trim_start_matches('&')),
            warn: false,
        },
    ];
    let kinds = by_kind
        .into_iter()
        .map(|(k, t)| {
            let label = ProjectKind::parse(&k)
                .map(|x| lang.pick(&x.label()).to_string())
                .unwrap_or(k.clone());
            (label, format!("/projects?kind={k}{keep}"), t)
        })
        .collect();
    let statuses = ProjectStatus::ALL
        .iter()
        .filter_map(|s| by_status.remove(s.as_str()).map(|t| (*s, t)))
        .map(|(s, t)| {
            (
                lang.pick(&s.label()).to_string(),
                format!("/projects?status={}{keep}", s.as_str()),
                t,
            )
        })
        .collect();
    let mut counties: Vec<(String, String, Tally)> =
        by_county.into_iter().map(|(c, t)| (c, String::new(), t)).collect();
    counties.sort_by_key(|(_, _, t)| std::cmp::Reverse(t.count));
    view.sections.push(HomeSection {
        id: "by-kind",
        title: lang.tr("按项目类别", "By kind").into(),
        table: tally_table(lang, ("类别", "Kind"), kinds),
        add: None,
    });
    view.sections.push(HomeSection {
        id: "by-county",
        title: lang.tr("按牵头单位所在区县", "By the lead unit's county").into(),
        table: tally_table(lang, ("区县", "County"), counties),
        add: None,
    });
    view.dashboard = Some(
        crate::statistics::dashboard::Dashboard::build(cx, year.unwrap_or(this_year), q.map.as_deref().unwrap_or("projects"))
            .await?,
    );
    view.sections.push(HomeSection {
        id: "by-status",
        title: lang.tr("按项目状态", "By status").into(),
        table: tally_table(lang, ("状态", "Status"), statuses),
        add: None,
    });
    Ok(views::render(&view))
}
