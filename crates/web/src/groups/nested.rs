//! What hangs under a coordination body: its members, one term a row (add, end a term, remove),
//! in the API and on the body's page; and the roster of a year (`/groups/roster?year=Y`,
//! `/api/v1/groups/roster?year=Y`): who served in which body and who left in that year.

use super::{standing_cell, term};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, Ids, JsonBody, Query};
use crate::i18n::Lang;
use crate::resource::created;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, FormPage, ListPage, PageForm, Rejected, Section, Table, chosen};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::access::Action;
use hezuo_domain::group::{EndTermInput, Group, GroupMember, MemberInput, Roster};
use hezuo_domain::{FieldErrors, Page, RecordKind, input};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/groups/roster", get(api_roster))
        .at("/groups/roster", get(page_roster))
        .at("/api/v1/groups/{id}/members", get(api_members).post(api_add))
        .at("/api/v1/groups/{id}/members/{mid}/end", post(api_end))
        .at("/api/v1/groups/{id}/members/{mid}/remove", post(api_remove))
        .at("/groups/{id}/members/new", get(page_add).post(page_add_save))
        .at("/groups/{id}/members/{mid}/end", get(page_end).post(page_end_save))
        .at("/groups/{id}/members/{mid}/remove", post(page_remove))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct RosterQuery {
    /// A year (1990–2100); this year when not given.
    #[param(value_type = Option<i32>)]
    pub year: Option<String>,
}

/// The roster's year: the one asked for, or this year; 422 naming `year` when it is not one.
pub fn roster_year(q: &RosterQuery, today: chrono::NaiveDate) -> Result<i32, ApiError> {
    match input::opt_text(&q.year) {
        None => Ok(chrono::Datelike::year(&today)),
        Some(_) => input::year(&q.year).map_err(|m| {
            let mut e = FieldErrors::new();
            e.add("year", m);
            ApiError::Invalid(e)
        }),
    }
}

async fn api_roster(
    State(s): State<AppState>,
    who: Auth,
    Query(q): Query<RosterQuery>,
) -> Result<Json<Roster>, ApiError> {
    let year = roster_year(&q, s.store.today())?;
    Ok(Json(s.store.group_roster(&who.viewer, year).await?))
}

async fn api_members(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Page<GroupMember>>, ApiError> {
    Ok(Json(Page::whole(s.store.group_members(&who.viewer, id).await?)))
}

async fn api_add(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<MemberInput>,
) -> Result<Response, ApiError> {
    let m = s.store.add_group_member(&who.viewer, id, &i.validate()?).await?;
    Ok(created(format!("/api/v1/groups/{id}/members"), m))
}

async fn api_end(
    State(s): State<AppState>,
    who: Auth,
    Ids(id, mid): Ids,
    JsonBody(i): JsonBody<EndTermInput>,
) -> Result<Json<GroupMember>, ApiError> {
    Ok(Json(s.store.end_group_term(&who.viewer, id, mid, i.validate()?).await?))
}

async fn api_remove(State(s): State<AppState>, who: Auth, Ids(id, mid): Ids) -> Result<StatusCode, ApiError> {
    s.store.remove_group_member(&who.viewer, id, mid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The members panel of a body's page — every term, current and ended — and, for whoever may
/// change the body, one "end the term" and one "remove" button per member.
pub(super) async fn members_section(cx: &Ctx, g: &Group, may_edit: bool) -> Result<(Section, Vec<PageForm>), ApiError> {
    let lang = cx.lang;
    let members = cx.store().group_members(cx.viewer(), g.id).await?;
    let today = cx.store().today();
    let mut head = vec![
        ("姓名", "Name"),
        ("职务", "Post"),
        ("代表单位", "Sits for"),
        ("任期", "Term"),
        ("状态", "Standing"),
    ];
    if may_edit {
        head.push(("操作", "Actions"));
    }
    let mut t = Table::new(lang, &head);
    t.empty = lang.tr("尚无成员。", "No members yet.").into();
    let mut forms = Vec::new();
    for m in &members {
        let mut row = vec![
            Cell::link(&m.person_name, format!("/people/{}", m.person_id)),
            Cell::text(&m.post),
            Cell::opt(m.organization_name.clone(), lang),
            Cell::text(term(lang, m)),
            standing_cell(lang, m, today),
        ];
        if !may_edit {
            t.rows.push(row);
            continue;
        }
        // Ending a term asks for the day the member left, on its own small page.
        row.push(if m.to_on.is_none() {
            Cell::link(
                lang.tr("结束任期", "End the term"),
                format!("/groups/{}/members/{}/end", g.id, m.id),
            )
        } else {
            Cell::text("")
        });
        t.rows.push(row);
        forms.push(PageForm {
            id: format!("remove-{}", m.id),
            action: format!("/groups/{}/members/{}/remove", g.id, m.id),
            fields: vec![],
            submit: format!(
                "{}{}",
                lang.tr("删除误录：", "Remove (entered by mistake): "),
                m.person_name
            ),
            class: "danger",
            confirm: Some(
                lang.tr(
                    "确定删除这条任职记录？离任的成员请用“结束任期”，以便保留名单。",
                    "Delete this term? For a member who left, end the term instead, so the roster keeps them.",
                )
                .into(),
            ),
            multipart: false,
        });
    }
    let section = Section {
        id: "members",
        title: lang.tr("成员", "Members").into(),
        table: t,
        add: may_edit.then(|| {
            (
                lang.tr("新增成员", "Add a member").to_string(),
                format!("/groups/{}/members/new", g.id),
            )
        }),
    };
    Ok((section, forms))
}

fn member_fields(
    lang: Lang,
    people: Vec<(String, String)>,
    orgs: Vec<(String, String)>,
    i: &MemberInput,
) -> Vec<Field> {
    vec![
        Field::new(lang, "person_id", ("人员", "Person"), "select")
            .required()
            .options(lang, people, &chosen(&i.person_id)),
        Field::new(lang, "post", ("职务", "Post"), "text")
            .value(i.post.as_deref())
            .required()
            .help(
                lang,
                (
                    "如组长、副组长、成员、联络员。",
                    "E.g. head, deputy head, member, liaison.",
                ),
            ),
        Field::new(lang, "organization_id", ("代表单位", "Sits for"), "select")
            .options(lang, orgs, &chosen(&i.organization_id))
            .help(
                lang,
                ("不填则为本人所在单位。", "Their own organisation when left empty."),
            ),
        Field::new(lang, "from_on", ("任期开始", "Term from"), "date").value(i.from_on.as_deref()),
        Field::new(lang, "to_on", ("任期结束", "Term to"), "date").value(i.to_on.as_deref()),
    ]
}

async fn member_form(cx: &Ctx, g: &Group, i: &MemberInput, r: Option<Rejected>) -> Result<Response, ApiError> {
    let people: Vec<(String, String)> = cx
        .store()
        .group_member_options(cx.viewer())
        .await?
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    let orgs: Vec<(String, String)> = cx
        .store()
        .organization_options(&hezuo_store::Viewer::system("groups"))
        .await?
        .into_iter()
        .map(|(id, n, _)| (id.to_string(), n))
        .collect();
    let heading = format!("{} · {}", cx.tr("新增成员", "Add a member"), g.name);
    Ok(FormPage::new(
        cx,
        "groups",
        heading,
        member_fields(cx.lang, people, orgs, i),
        format!("/groups/{}", g.id),
    )
    .rejected(r)
    .respond())
}

async fn page_add(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    cx.require(RecordKind::Group, Some(id), Action::Update).await?;
    let g = cx.store().get_group(cx.viewer(), id).await?;
    member_form(&cx, &g, &MemberInput::default(), None).await
}

async fn page_add_save(cx: Ctx, Id(id): Id, FormBody(i): FormBody<MemberInput>) -> Result<Response, ApiError> {
    let g = cx.store().get_group(cx.viewer(), id).await?;
    let saved = match i.validate() {
        Ok(d) => cx
            .store()
            .add_group_member(cx.viewer(), id, &d)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/groups/{id}#members"))),
        Err(r) => member_form(&cx, &g, &i, Some(r)).await,
    }
}

/// The member `mid` of body `id`, or 404 if they are not its member.
async fn member_of(cx: &Ctx, id: i64, mid: i64) -> Result<GroupMember, ApiError> {
    cx.store()
        .group_members(cx.viewer(), id)
        .await?
        .into_iter()
        .find(|m| m.id == mid)
        .ok_or(ApiError::NotFound)
}

fn end_form(cx: &Ctx, g: &Group, m: &GroupMember, i: &EndTermInput, r: Option<Rejected>) -> Response {
    let heading = format!("{} · {} · {}", cx.tr("结束任期", "End the term"), g.name, m.person_name);
    FormPage::new(
        cx,
        "groups",
        heading,
        vec![
            Field::new(cx.lang, "to_on", ("离任日期", "Left on"), "date")
                .value(i.to_on.as_deref())
                .required(),
        ],
        format!("/groups/{}", g.id),
    )
    .rejected(r)
    .respond()
}

async fn page_end(cx: Ctx, Ids(id, mid): Ids) -> Result<Response, ApiError> {
    cx.require(RecordKind::Group, Some(id), Action::Update).await?;
    let g = cx.store().get_group(cx.viewer(), id).await?;
    let m = member_of(&cx, id, mid).await?;
    let i = EndTermInput {
        to_on: Some(cx.store().today().to_string()),
    };
    Ok(end_form(&cx, &g, &m, &i, None))
}

async fn page_end_save(cx: Ctx, Ids(id, mid): Ids, FormBody(i): FormBody<EndTermInput>) -> Result<Response, ApiError> {
    let g = cx.store().get_group(cx.viewer(), id).await?;
    let m = member_of(&cx, id, mid).await?;
    let saved = match i.validate() {
        Ok(d) => cx
            .store()
            .end_group_term(cx.viewer(), id, mid, d)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/groups/{id}#members"))),
        Err(r) => Ok(end_form(&cx, &g, &m, &i, Some(r))),
    }
}

async fn page_remove(cx: Ctx, Ids(id, mid): Ids) -> Result<Response, ApiError> {
    cx.store().remove_group_member(cx.viewer(), id, mid).await?;
    Ok(views::redirect(&format!("/groups/{id}#members")))
}

/// The office's roster of a year: every body with someone serving in it, its members serving and
/// those who left in the year, one row a term, body by body.
async fn page_roster(cx: Ctx, Query(q): Query<RosterQuery>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let year = roster_year(&q, cx.store().today())?;
    let roster = cx.store().group_roster(cx.viewer(), year).await?;
    let mut t = Table::new(
        lang,
        &[
            ("协调机构", "Body"),
            ("类型", "Kind"),
            ("姓名", "Name"),
            ("职务", "Post"),
            ("代表单位", "Sits for"),
            ("任期", "Term"),
            ("本年度", "This year"),
        ],
    );
    for b in &roster.bodies {
        let rows = b
            .serving
            .iter()
            .map(|m| (m, Cell::badge(lang.tr("在任", "Serving"), "m-serving")))
            .chain(b.left.iter().map(|m| {
                let to = m.to_on.map(|d| d.to_string()).unwrap_or_default();
                (m, Cell::badge(format!("{}{to}", lang.tr("离任 ", "Left ")), "m-left"))
            }));
        for (m, standing) in rows {
            t.rows.push(vec![
                Cell::link(&b.group_name, format!("/groups/{}", b.group_id)),
                Cell::text(lang.pick(&b.kind.label())),
                Cell::link(&m.person_name, format!("/people/{}", m.person_id)),
                Cell::text(&m.post),
                Cell::opt(m.organization_name.clone(), lang),
                Cell::text(term(lang, m)),
                standing,
            ]);
        }
    }
    let n = t.rows.len();
    let page = Page::whole(vec![(); n]);
    let heading = format!(
        "{} {year}",
        lang.tr("协调机构年度成员名单", "Coordination bodies' roster")
    );
    let filters = vec![Field::new(lang, "year", ("年度", "Year"), "number").value(Some(&year.to_string()))];
    let mut view = ListPage::new(
        cx.layout("groups", heading.clone()),
        &cx.uri,
        heading,
        filters,
        t,
        &page,
    );
    view.table.empty = lang
        .tr(
            "该年度没有人在协调机构任职。",
            "Nobody served in a coordination body that year.",
        )
        .into();
    let mut summary = Table::new(
        lang,
        &[
            ("机构数", "Bodies"),
            ("在任人数", "Serving"),
            ("年内离任人数", "Left this year"),
        ],
    );
    summary.rows.push(vec![
        Cell::text(roster.bodies.len().to_string()),
        Cell::text(roster.serving_people.to_string()),
        Cell::text(roster.left_people.to_string()),
    ]);
    view.summary = Some((lang.tr("本年度概况", "The year at a glance").into(), summary));
    view.links
        .push((lang.tr("全部协调机构", "All bodies").into(), "/groups".into()));
    Ok(views::render(&view))
}
