//! Coordination bodies (协调机构): the leading group, the coordination committee and its office,
//! the working groups and the partnership teams — API and pages through `resource!` (with the
//! list as a spreadsheet); the record page shows the body above, the bodies below and the members
//! with their terms (`nested.rs`: add, end a term, remove; the roster of a year); `person_panel`
//! is the "所在协调机构" panel of a person's page. The body's meetings are the lead's to add:
//! see [`meetings_section`].

mod nested;

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, routes};
use crate::state::AppState;
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, PageForm, Section, Table, archived_filter, chosen, code_options,
    query_param, sort_field,
};
use axum::Router;
use hezuo_domain::access::Action;
use hezuo_domain::group::{Group, GroupData, GroupFilter, GroupInput, GroupKind, GroupMember};
use hezuo_domain::{ListParams, Page, RecordKind};
use hezuo_store::{Store, Viewer};
use std::collections::HashMap;

pub use nested::{RosterQuery, roster_year};

crate::resource::resource!(
    Groups,
    "groups",
    RecordKind::Group,
    Group,
    GroupInput,
    GroupData,
    GroupFilter,
    list_groups,
    get_group,
    create_group,
    update_group,
    set_group_archived
);

pub fn router() -> Router<AppState> {
    // The roster first: `/api/v1/groups/roster` is not a record id.
    nested::router().merge(routes::<Groups>())
}

/// Every body's name by id (bodies are read by all).
async fn group_names(s: &Store, v: &Viewer) -> hezuo_store::Result<HashMap<i64, String>> {
    Ok(s.group_options(v).await?.into_iter().collect())
}

/// A table of bodies: name, kind, the body above, established.
async fn group_table(cx: &Ctx, items: &[Group]) -> Result<Table, ApiError> {
    let lang = cx.lang;
    let names = group_names(cx.store(), cx.viewer()).await?;
    let mut t = Table::new(
        lang,
        &[
            ("机构名称", "Name"),
            ("类型", "Kind"),
            ("上级机构", "Under"),
            ("成立日期", "Established"),
        ],
    );
    t.empty = lang.tr("暂无协调机构。", "No coordination bodies yet.").into();
    for g in items {
        let parent = match g.parent_id.and_then(|p| names.get(&p).map(|n| (p, n))) {
            Some((p, n)) => Cell::link(n, format!("/groups/{p}")),
            None => Cell::opt(None::<String>, lang),
        };
        t.rows.push(vec![
            Cell::link(&g.name, format!("/groups/{}", g.id)),
            Cell::badge(lang.pick(&g.kind.label()), format!("g-{}", g.kind.as_str())),
            parent,
            Cell::opt(g.established_on.map(|d| d.to_string()), lang),
        ]);
    }
    Ok(t)
}

/// A term as words: "2024-03-01 至今", "2024-03-01 至 2026-05-01".
fn term(lang: Lang, m: &GroupMember) -> String {
    let from = m.from_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    match m.to_on {
        Some(t) => format!("{from} {} {t}", lang.tr("至", "to")),
        None => format!("{from} {}", lang.tr("至今", "to date")),
    }
}

/// "在任" or "已离任" on `today`.
fn standing_cell(lang: Lang, m: &GroupMember, today: chrono::NaiveDate) -> Cell {
    if m.current(today) {
        Cell::badge(lang.tr("在任", "Serving"), "m-serving")
    } else if m.from_on.is_some_and(|f| f > today) {
        Cell::badge(lang.tr("尚未到任", "Not yet"), "m-future")
    } else {
        Cell::badge(lang.tr("已离任", "Left"), "m-left")
    }
}

/// The "所在协调机构" panel of a person's page: every body they sit or sat in (those the viewer
/// may see), current terms first, with their post, the organisation they sit for and the term.
pub async fn person_panel(cx: &Ctx, person_id: i64) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let rows = cx.store().groups_of_person(cx.viewer(), person_id).await?;
    let today = cx.store().today();
    let mut t = Table::new(
        lang,
        &[
            ("协调机构", "Body"),
            ("类型", "Kind"),
            ("职务", "Post"),
            ("代表单位", "Sits for"),
            ("任期", "Term"),
            ("状态", "Standing"),
        ],
    );
    t.empty = lang
        .tr("未在任何协调机构任职。", "Not a member of any coordination body.")
        .into();
    for r in &rows {
        t.rows.push(vec![
            Cell::link(&r.group.name, format!("/groups/{}", r.group.id)),
            Cell::text(lang.pick(&r.group.kind.label())),
            Cell::text(&r.member.post),
            Cell::opt(r.member.organization_name.clone(), lang),
            Cell::text(term(lang, &r.member)),
            standing_cell(lang, &r.member, today),
        ]);
    }
    Ok(Section {
        id: "groups",
        title: lang.tr("所在协调机构", "Coordination bodies").into(),
        table: t,
        add: None,
    })
}

/// 会议 — THE LEAD'S PLACE (issue 16): the meetings a body holds, from the lead's `event` table
/// (`event.group_id`). Return `Some(section)` listing this body's events, newest first; the group
/// page shows whatever this returns after the members, and nothing while it returns `None`.
pub async fn meetings_section(cx: &Ctx, g: &Group) -> Result<Option<Section>, ApiError> {
    let lang = cx.lang;
    let f = hezuo_domain::event::EventFilter {
        group_id: Some(g.id.to_string()),
        ..Default::default()
    };
    let events = cx
        .store()
        .list_events(cx.viewer(), &f, &hezuo_domain::ListParams::first(50))
        .await?
        .items;
    let mut t = crate::views::Table::new(lang, &[("日期", "Date"), ("会议", "Meeting"), ("类型", "Kind")]);
    t.empty = lang
        .tr("尚无本机构的会议记录。", "No meetings of this body recorded yet.")
        .into();
    for e in &events {
        t.rows.push(vec![
            crate::views::Cell::text(e.held_on.to_string()),
            crate::views::Cell::link(&e.title, format!("/events/{}", e.id)),
            crate::views::Cell::text(lang.pick(&e.kind.label())),
        ]);
    }
    let add = cx
        .can(
            hezuo_domain::RecordKind::Event,
            None,
            hezuo_domain::access::Action::Create,
        )
        .await?
        .then(|| {
            (
                lang.tr("记录会议", "Record a meeting").to_string(),
                format!("/events/new?group_id={}&kind=group_meeting", g.id),
            )
        });
    Ok(Some(Section {
        id: "meetings",
        title: lang.tr("召开的会议", "Meetings held").into(),
        table: t,
        add,
    }))
}

impl Pages for Groups {
    const NAV: &'static str = "groups";

    fn heading(lang: Lang) -> String {
        lang.tr("协调机构", "Coordination bodies").into()
    }
    fn title(r: &Group) -> String {
        r.name.clone()
    }

    async fn list_page(cx: &Ctx, f: &GroupFilter, page: Page<Group>) -> Result<ListPage, ApiError> {
        let lang = cx.lang;
        let sort = query_param(&cx.uri, "sort");
        let table = group_table(cx, &page.items).await?;
        let filters = vec![
            Field::new(lang, "q", ("机构名称", "Name"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, GroupKind::ALL, GroupKind::label, GroupKind::as_str),
                &chosen(&f.kind),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("id", "登记顺序", "Recorded"),
                    ("kind", "类型", "Kind"),
                    ("name", "机构名称", "Name"),
                ],
            ),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        view.table.empty = if page.total == 0 && f.q.is_none() && f.kind.is_none() {
            lang.tr(
                "暂无协调机构。协调办可点击“新增”登记领导小组、协调委员会及其办公室、专门工作小组；区县/学院联络员可登记县院合作小组。",
                "No coordination bodies yet. The office can add the leading group, the committee and its office and the \
                 working groups with “New”; a coordinator can add a county–college partnership team.",
            )
            .into()
        } else {
            lang.tr("没有符合条件的协调机构。", "No body matches.").into()
        };
        view.links.push((
            lang.tr("年度成员名单", "Roster of the year").into(),
            "/groups/roster".into(),
        ));
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, g: Group) -> Result<DetailPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let parent = match g.parent_id {
            Some(p) => related(st.get_group(v, p).await)?,
            None => None,
        };
        let agreement = match g.agreement_id {
            Some(a) => related(st.get_agreement(v, a).await)?,
            None => None,
        };
        let none = || Cell::opt(None::<String>, lang);
        let mut props = vec![
            (
                lang.tr("类型", "Kind").to_string(),
                Cell::text(lang.pick(&g.kind.label())),
            ),
            (
                lang.tr("上级机构", "Under").into(),
                parent
                    .as_ref()
                    .map_or_else(none, |p| Cell::link(&p.name, format!("/groups/{}", p.id))),
            ),
            (
                lang.tr("成立日期", "Established").into(),
                Cell::opt(g.established_on.map(|d| d.to_string()), lang),
            ),
        ];
        if g.kind == GroupKind::Partnership || g.agreement_id.is_some() {
            props.push((
                lang.tr("合作协议", "Agreement").into(),
                agreement.map_or_else(none, |a| Cell::link(&a.title, format!("/agreements/{}", a.id))),
            ));
        }
        let may_edit = cx.can(RecordKind::Group, Some(g.id), Action::Update).await?;
        let (members, forms) = nested::members_section(cx, &g, may_edit).await?;
        let children = st
            .list_groups(
                v,
                &GroupFilter {
                    parent_id: Some(g.id.to_string()),
                    ..Default::default()
                },
                &ListParams::first(200),
            )
            .await?;
        let mut below = group_table(cx, &children.items).await?;
        below.empty = lang.tr("无下设机构。", "No bodies under this one.").into();
        let mut sections = vec![
            members,
            Section {
                id: "below",
                title: lang.tr("下设机构", "Bodies under this one").into(),
                table: below,
                add: None,
            },
        ];
        if let Some(m) = meetings_section(cx, &g).await? {
            sections.push(m);
        }
        let forms: Vec<PageForm> = forms;
        Ok(DetailPage {
            badges: vec![Cell::badge(
                lang.pick(&g.kind.label()),
                format!("g-{}", g.kind.as_str()),
            )],
            props,
            long_text: g
                .remit
                .iter()
                .map(|t| (lang.tr("职责", "Remit").to_string(), t.clone()))
                .collect(),
            sections,
            forms: (!forms.is_empty()).then(|| (lang.tr("成员任期", "Members' terms").to_string(), forms)),
            ..record_page::<Self>(cx, g.id, g.name.clone(), g.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &GroupInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let groups: Vec<(String, String)> = st
            .group_options(v)
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let agreements: Vec<(String, String)> = st
            .agreement_options(v)
            .await?
            .into_iter()
            .map(|(id, t)| (id.to_string(), t))
            .collect();
        Ok(vec![
            Field::new(lang, "name", ("机构名称", "Name"), "text")
                .value(i.name.as_deref())
                .required(),
            Field::new(lang, "kind", ("类型", "Kind"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, GroupKind::ALL, GroupKind::label, GroupKind::as_str),
                    &chosen(&i.kind),
                )
                .help(
                    lang,
                    (
                        "区县/学院联络员只能登记合作小组，并须关联本地的县院合作协议。",
                        "A coordinator adds partnership teams only, naming an agreement of theirs.",
                    ),
                ),
            Field::new(lang, "parent_id", ("上级机构", "Under"), "select").options(lang, groups, &chosen(&i.parent_id)),
            Field::new(
                lang,
                "agreement_id",
                ("合作协议（合作小组）", "Agreement (partnership team)"),
                "select",
            )
            .options(lang, agreements, &chosen(&i.agreement_id)),
            Field::new(lang, "established_on", ("成立日期", "Established on"), "date")
                .value(i.established_on.as_deref()),
            Field::new(lang, "remit", ("职责", "Remit"), "textarea").value(i.remit.as_deref()),
        ])
    }
}
