//! The home page: the state of the cooperation at a glance — counts, milestones overdue or due soon,
//! recently changed projects.

use crate::error::ApiError;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Layout, Table, project_table};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use hezuo_domain::ListParams;
use hezuo_domain::agreement::AgreementFilter;
use hezuo_domain::organization::OrganizationFilter;
use hezuo_domain::project::{DUE_SOON_DAYS, ProjectFilter};

pub fn router() -> Router<AppState> {
    Router::new().at("/", get(home))
}

pub struct Card {
    pub label: String,
    pub value: String,
    pub href: String,
    pub warn: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    cards: Vec<Card>,
    due: Table,
    recent: Table,
    today: String,
}

async fn home(cx: Ctx) -> Result<Response, ApiError> {
    // The office's home page is the supervision board.
    if cx.viewer().role == hezuo_domain::access::Role::Office {
        return crate::supervision::board::board_page(cx).await;
    }
    let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
    let st = &s.store;
    let one = ListParams::first(1);
    let viewer = &who.viewer;
    let count_projects = |status: Option<&str>| {
        let f = ProjectFilter {
            status: status.map(str::to_string),
            ..Default::default()
        };
        let one = one.clone();
        async move { st.list_projects(viewer, &f, &one).await.map(|p| p.total) }
    };
    let today = s.store.today();
    let due = st
        .open_milestones_due(&who.viewer, today + chrono::Duration::days(DUE_SOON_DAYS), 20)
        .await?;
    let overdue = due.iter().filter(|(m, _)| m.due_on < today).count();
    let enterprises = st
        .list_organizations(
            &who.viewer,
            &OrganizationFilter {
                kind: Some("enterprise".into()),
                ..Default::default()
            },
            &one,
        )
        .await?
        .total;
    let agreements = st
        .list_agreements(&who.viewer, &AgreementFilter::default(), &one)
        .await?
        .total;
    let cards = vec![
        Card {
            label: lang.tr("合作项目", "Projects").into(),
            value: count_projects(None).await?.to_string(),
            href: "/projects".into(),
            warn: false,
        },
        Card {
            label: lang.tr("实施中", "In progress").into(),
            value: count_projects(Some("in_progress")).await?.to_string(),
            href: "/projects?status=in_progress".into(),
            warn: false,
        },
        Card {
            label: lang.tr("逾期节点", "Overdue milestones").into(),
            value: if overdue == 20 {
                "20+".into()
            } else {
                overdue.to_string()
            },
            href: "#due".into(),
            warn: overdue > 0,
        },
        Card {
            label: lang.tr("合作协议", "Agreements").into(),
            value: agreements.to_string(),
            href: "/agreements".into(),
            warn: false,
        },
        Card {
            label: lang.tr("合作企业", "Enterprises").into(),
            value: enterprises.to_string(),
            href: "/organizations?kind=enterprise".into(),
            warn: false,
        },
    ];
    let mut due_t = Table::new(
        lang,
        &[
            ("节点", "Milestone"),
            ("所属项目", "Project"),
            ("计划完成", "Due"),
            ("状态", "State"),
        ],
    );
    due_t.empty = lang
        .tr("没有逾期或即将到期的节点。", "No milestone is overdue or due soon.")
        .into();
    for (m, title) in &due {
        let state = m.state(today);
        due_t.rows.push(vec![
            Cell::text(&m.title),
            Cell::link(title, format!("/projects/{}#milestones", m.project_id)),
            Cell::text(m.due_on.to_string()),
            Cell::badge(lang.pick(&state.label()), format!("m-{}", state.as_str())),
        ]);
    }
    let recent_list = st
        .list_projects(
            &who.viewer,
            &ProjectFilter::default(),
            &ListParams {
                per_page: Some("8".into()),
                sort: Some("-updated_at".into()),
                ..Default::default()
            },
        )
        .await?;
    let recent = project_table(s, lang, &recent_list.items).await?;
    let page = HomePage {
        layout: cx.layout("home", lang.tr("首页", "Home")),
        cards,
        due: due_t,
        recent,
        today: today.to_string(),
    };
    Ok(views::render(&page))
}
