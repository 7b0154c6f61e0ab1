//! The handlers every record kind shares, written once: the JSON API (list, get, create, update,
//! archive, restore) and the HTML pages (list, detail, new, edit, archive, restore). A record kind
//! implements [`Resource`] (its store calls) and [`Pages`] (its view models) in its own module.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Edit, FormBody, Id, IfMatch, JsonBody, JsonObject, Query, etag, merge_input, parse_query};
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx, DetailPage, Field, FormPage, ListPage, Rejected, Table, attachment_table};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::RecordKind;
use hezuo_domain::access::Action;
use hezuo_domain::{FieldErrors, ListParams, Page};
use hezuo_report::sheet::{Column, MAX_ROWS, SheetWriter, Value};
use hezuo_store::{Result as StoreResult, Store, Version, Viewer};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// A record kind's store calls and validation.
pub trait Resource: Send + Sync + 'static {
    /// The plural used in URLs: `/api/v1/{PLURAL}` and `/{PLURAL}`.
    const PLURAL: &'static str;
    const KIND: hezuo_domain::RecordKind;
    type Record: Serialize + Send + Sync;
    type Input: DeserializeOwned + Serialize + Default + Send + Sync;
    type Data: Send + Sync;
    type Filter: DeserializeOwned + Default + Send + Sync;

    fn validate(i: &Self::Input) -> Result<Self::Data, FieldErrors>;
    fn to_input(r: &Self::Record) -> Self::Input;
    fn list(
        s: &Store,
        v: &Viewer,
        f: &Self::Filter,
        p: &ListParams,
    ) -> impl Future<Output = StoreResult<Page<Self::Record>>> + Send;
    fn get(s: &Store, v: &Viewer, id: i64) -> impl Future<Output = StoreResult<Self::Record>> + Send;
    /// The record and its version (the API's ETag). By default the version is read first and then the
    /// record: a change between the two reads shows as an older ETag, which a write made with it
    /// refuses (412) instead of overwriting. A kind that reads both in one statement says so in
    /// [`resource!`] (`tagged = …`).
    fn get_tagged(s: &Store, v: &Viewer, id: i64) -> impl Future<Output = StoreResult<(Self::Record, i64)>> + Send {
        async move {
            // Unchecked: `get` checks, and the version is shown only with what it gives.
            let version = s.version_before_read(Self::KIND, id).await?;
            Ok((Self::get(s, v, id).await?, version.id))
        }
    }
    fn create(s: &Store, v: &Viewer, d: &Self::Data) -> impl Future<Output = StoreResult<Self::Record>> + Send;
    /// Saves `d` over the record; with `expected`, only if it is still at that version.
    fn update(
        s: &Store,
        v: &Viewer,
        id: i64,
        d: &Self::Data,
        expected: Option<i64>,
    ) -> impl Future<Output = StoreResult<Self::Record>> + Send;
    /// Archives or restores; with `expected`, only if the record is still at that version.
    fn set_archived(
        s: &Store,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> impl Future<Output = StoreResult<Self::Record>> + Send;
    fn id(r: &Self::Record) -> i64;
}

/// A kind's list as a spreadsheet (`?format=xlsx` on its API list and its list page): the sheet's
/// name, its columns and each record's row, typed (dates as dates, money as 万元 numbers). Every
/// kind with [`routes`] has one.
pub trait Export: Resource {
    /// The sheet's (and the file's) name: (Chinese, English).
    const SHEET: (&'static str, &'static str);
    /// Each column's header (Chinese, English) and width in characters.
    const COLUMNS: &'static [(&'static str, &'static str, f64)];
    /// The rows of a batch of records, one per record in [`Export::COLUMNS`]' order; names the
    /// records point to are looked up once per batch.
    fn rows(
        s: &Store,
        v: &Viewer,
        lang: Lang,
        items: &[Self::Record],
    ) -> impl Future<Output = StoreResult<Vec<Vec<Value>>>> + Send;
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Format {
    format: Option<String>,
}

/// Implements [`Resource`] for a marker type by naming the record's types and its store calls:
/// `resource!(Projects, "projects", Project, ProjectInput, ProjectData, ProjectFilter,
///            list_projects, get_project, create_project, update_project, set_project_archived);`
/// and, last, `tagged = get_project_tagged` where the store reads a record with its version in one
/// statement ([`Resource::get_tagged`]).
macro_rules! resource {
    ($ty:ident, $plural:literal, $kind:expr, $rec:ty, $input:ty, $data:ty, $filter:ty,
     $list:ident, $get:ident, $create:ident, $update:ident, $archive:ident, tagged = $tagged:ident) => {
        $crate::resource::resource!(@impl $ty, $plural, $kind, $rec, $input, $data, $filter,
            $list, $get, $create, $update, $archive;
            async fn get_tagged(
                s: &hezuo_store::Store,
                v: &hezuo_store::Viewer,
                id: i64,
            ) -> hezuo_store::Result<($rec, i64)> {
                s.$tagged(v, id).await
            }
        );
    };
    ($ty:ident, $plural:literal, $kind:expr, $rec:ty, $input:ty, $data:ty, $filter:ty,
     $list:ident, $get:ident, $create:ident, $update:ident, $archive:ident) => {
        $crate::resource::resource!(@impl $ty, $plural, $kind, $rec, $input, $data, $filter,
            $list, $get, $create, $update, $archive;);
    };
    (@impl $ty:ident, $plural:literal, $kind:expr, $rec:ty, $input:ty, $data:ty, $filter:ty,
     $list:ident, $get:ident, $create:ident, $update:ident, $archive:ident; $($extra:item)*) => {
        pub struct $ty;

        impl $crate::resource::Resource for $ty {
            const PLURAL: &'static str = $plural;
            const KIND: hezuo_domain::RecordKind = $kind;
            type Record = $rec;
            type Input = $input;
            type Data = $data;
            type Filter = $filter;

            fn validate(i: &$input) -> Result<$data, hezuo_domain::FieldErrors> {
                i.validate()
            }
            fn to_input(r: &$rec) -> $input {
                <$input>::from_record(r)
            }
            async fn list(
                s: &hezuo_store::Store,
                v: &hezuo_store::Viewer,
                f: &$filter,
                p: &hezuo_domain::ListParams,
            ) -> hezuo_store::Result<hezuo_domain::Page<$rec>> {
                s.$list(v, f, p).await
            }
            async fn get(s: &hezuo_store::Store, v: &hezuo_store::Viewer, id: i64) -> hezuo_store::Result<$rec> {
                s.$get(v, id).await
            }
            async fn create(s: &hezuo_store::Store, v: &hezuo_store::Viewer, d: &$data) -> hezuo_store::Result<$rec> {
                s.$create(v, d).await
            }
            async fn update(
                s: &hezuo_store::Store,
                v: &hezuo_store::Viewer,
                id: i64,
                d: &$data,
                expected: Option<i64>,
            ) -> hezuo_store::Result<$rec> {
                s.$update(v, id, d, expected).await
            }
            async fn set_archived(
                s: &hezuo_store::Store,
                v: &hezuo_store::Viewer,
                id: i64,
                archived: bool,
                expected: Option<i64>,
            ) -> hezuo_store::Result<$rec> {
                s.$archive(v, id, archived, expected).await
            }
            fn id(r: &$rec) -> i64 {
                r.id
            }
            $($extra)*
        }
    };
}
pub(crate) use resource;

/// A record kind's pages: the view models its list, detail and form show, built from the page's
/// [`Ctx`].
pub trait Pages: Resource {
    /// The top navigation entry this kind belongs to.
    const NAV: &'static str;
    /// The kind's name, e.g. ("合作项目", "Projects").
    fn heading(lang: Lang) -> String;
    fn title(r: &Self::Record) -> String;
    fn list_page(
        cx: &Ctx,
        f: &Self::Filter,
        page: Page<Self::Record>,
    ) -> impl Future<Output = Result<ListPage, ApiError>> + Send;
    fn detail_page(cx: &Ctx, r: Self::Record) -> impl Future<Output = Result<DetailPage, ApiError>> + Send;
    fn form_fields(cx: &Ctx, i: &Self::Input) -> impl Future<Output = Result<Vec<Field>, ApiError>> + Send;
}

/// A kind's list page with its heading, filters and table, paged as the store paged it.
pub fn list_view<R: Pages>(cx: &Ctx, filters: Vec<Field>, table: Table, page: &Page<R::Record>) -> ListPage {
    let heading = R::heading(cx.lang);
    ListPage::new(
        cx.layout(R::NAV, heading.clone()),
        &cx.uri,
        heading,
        filters,
        table,
        page,
    )
}

/// A record's page with what every record's page has — its title, its kind, the edit link and the
/// archive (or restore) button — for the kind to fill in with its facts and panels:
/// `DetailPage { props, sections, ..record_page::<Self>(cx, r.id, r.title.clone(), r.archived) }`.
pub fn record_page<R: Pages>(cx: &Ctx, id: i64, title: String, archived: bool) -> DetailPage {
    DetailPage {
        layout: cx.layout(R::NAV, title.clone()),
        heading: title,
        kind_label: R::heading(cx.lang),
        badges: vec![],
        edit_href: Some(format!("/{}/{id}/edit", R::PLURAL)),
        links: vec![],
        actions: vec![archive_action::<R>(cx.lang, id, archived)],
        archived,
        props: vec![],
        long_text: vec![],
        sections: vec![],
        attachments: None,
        history: None,
        read_only_attachments: false,
        notice: None,
        forms: None,
        thread: None,
    }
}

/// 201 Created with the new record and where to find it.
pub fn created<T: Serialize>(location: String, body: T) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

/// A related record for a panel: None when it lies outside the user's scope (or is gone), so a
/// page shows what the user may see instead of failing.
pub fn related<T>(r: StoreResult<T>) -> Result<Option<T>, ApiError> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(hezuo_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The API and page routes of one record kind.
pub fn routes<R: Pages + Export>() -> Router<AppState> {
    let api = format!("/api/v1/{}", R::PLURAL);
    let html = format!("/{}", R::PLURAL);
    Router::new()
        .at(&api, get(api_list::<R>).post(api_create::<R>))
        .at(
            &format!("{api}/{{id}}"),
            get(api_get::<R>).put(api_update::<R>).patch(api_update::<R>),
        )
        .at(&format!("{api}/{{id}}/archive"), post(api_set_archived::<R, true>))
        .at(&format!("{api}/{{id}}/restore"), post(api_set_archived::<R, false>))
        .at(&html, get(page_list::<R>))
        .at(&format!("{html}/new"), get(page_new::<R>).post(page_create::<R>))
        .at(&format!("{html}/{{id}}"), get(page_detail::<R>))
        .at(
            &format!("{html}/{{id}}/edit"),
            get(page_edit::<R>).post(page_update::<R>),
        )
        .at(&format!("{html}/{{id}}/archive"), post(page_set_archived::<R, true>))
        .at(&format!("{html}/{{id}}/restore"), post(page_set_archived::<R, false>))
}

async fn api_list<R: Pages + Export>(
    cx: Ctx,
    Query(f): Query<R::Filter>,
    Query(p): Query<ListParams>,
    Query(fmt): Query<Format>,
) -> Result<Response, ApiError> {
    if fmt.format.as_deref() == Some("xlsx") {
        return export::<R>(&cx, &f, p.sort).await;
    }
    Ok(Json(R::list(cx.store(), cx.viewer(), &f, &p).await?).into_response())
}

/// Rows read from the store at a time by an export.
pub const EXPORT_BATCH: u32 = 5_000;

/// The whole filtered list — every page, in the list's order, up to [`MAX_ROWS`] rows — as an .xlsx
/// download, with the same filters and scope as the list: a first line naming the filters, the
/// header frozen below it. The rows are read [`EXPORT_BATCH`] at a time and written as they come
/// (constant-memory sheet), so memory stays flat however long the list.
pub async fn export<R: Pages + Export>(cx: &Ctx, f: &R::Filter, sort: Option<String>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let filters = filters_line::<R>(cx, f).await?;
    let columns: Vec<Column> = R::COLUMNS
        .iter()
        .map(|(zh, en, width)| Column::new(lang.tr(zh, en), *width))
        .collect();
    let name = lang.tr(R::SHEET.0, R::SHEET.1);
    let mut sheet = SheetWriter::new(name, Some(&filters), &columns).map_err(ApiError::Internal)?;
    for n in 1u32.. {
        let page = R::list(
            cx.store(),
            cx.viewer(),
            f,
            &ListParams::batch(n, EXPORT_BATCH, sort.clone()),
        )
        .await?;
        let read = page.items.len();
        for row in R::rows(cx.store(), cx.viewer(), lang, &page.items).await? {
            if sheet.rows() >= MAX_ROWS {
                break;
            }
            sheet.push(&row).map_err(ApiError::Internal)?;
        }
        if read < EXPORT_BATCH as usize || !page.has_next() || sheet.rows() >= MAX_ROWS {
            break;
        }
    }
    // Compressing the finished file is the one long step that does not wait on the store.
    let bytes = tokio::task::spawn_blocking(move || sheet.finish())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    let filename = format!("{name}-{}.xlsx", cx.store().today());
    Ok(xlsx_response(&filename, bytes))
}

/// An .xlsx file as a download named `filename` (UTF-8, RFC 6266 `filename*`, with an ASCII
/// fallback for old clients).
pub fn xlsx_response(filename: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        urlencoding::encode(filename)
    );
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The first line of an export: the filters that made the list, as the list page shows them
/// ("筛选：年度=2026；区县=江山市"), then any the page has no field for (a figure's link may
/// carry one) as sent; "筛选：全部" when there are none.
async fn filters_line<R: Pages>(cx: &Ctx, f: &R::Filter) -> Result<String, ApiError> {
    let view = R::list_page(cx, f, Page::whole(vec![])).await?;
    // An organisation chosen by id (a picker has no options to look in) is written by its name.
    const ORG_KEYS: [&str; 8] = [
        "enterprise_id",
        "organization_id",
        "lead_unit_id",
        "owner_id",
        "unit_id",
        "college_id",
        "organizer_id",
        "parent_id",
    ];
    let org_ids: Vec<i64> = cx
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| ORG_KEYS.contains(k))
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let org_names = cx.store().organization_names(&org_ids).await?;
    let shown = |field: &Field, v: &str| {
        field.options.iter().find(|o| o.value == v).map_or_else(
            || {
                v.parse::<i64>()
                    .ok()
                    .filter(|_| ORG_KEYS.contains(&field.name))
                    .and_then(|id| org_names.get(&id).cloned())
                    .unwrap_or_else(|| v.to_string())
            },
            |o| o.label.clone(),
        )
    };
    let mut parts = Vec::new();
    let mut written = Vec::new();
    for field in &view.filters {
        let v = field.value.trim();
        if v.is_empty() || field.kind == "hidden" {
            continue;
        }
        parts.push(format!("{}={}", field.label, shown(field, v)));
        written.push(field.name.to_string());
    }
    let query = cx.uri.query().unwrap_or("");
    for (k, v) in query.split('&').filter_map(|kv| kv.split_once('=')) {
        let decode = |s: &str| {
            urlencoding::decode(&s.replace('+', " "))
                .map(|s| s.into_owned())
                .unwrap_or_default()
        };
        let (k, v) = (decode(k), decode(v));
        if v.trim().is_empty()
            || written.contains(&k)
            || ["page", "per_page", "sort", "format", "lang"].contains(&k.as_str())
        {
            continue;
        }
        // A filter the page has a field for but does not echo back is still named as the page names it.
        match view.filters.iter().find(|x| x.name == k && x.kind != "hidden") {
            Some(field) => parts.push(format!("{}={}", field.label, shown(field, v.trim()))),
            None => {
                let named = v.trim().parse::<i64>().ok().and_then(|id| org_names.get(&id));
                match (org_key_label(&k, cx.lang), named) {
                    (Some(label), Some(name)) => parts.push(format!("{label}={name}")),
                    _ => parts.push(format!("{k}={}", v.trim())),
                }
            }
        }
        written.push(k);
    }
    let (prefix, all, sep) = match cx.lang {
        Lang::Zh => ("筛选：", "全部", "；"),
        Lang::En => ("Filters: ", "all", "; "),
    };
    Ok(if parts.is_empty() {
        format!("{prefix}{all}")
    } else {
        format!("{prefix}{}", parts.join(sep))
    })
}

/// What an organisation filter the page has no field for is called in the filters line.
fn org_key_label(key: &str, lang: Lang) -> Option<&'static str> {
    Some(match key {
        "enterprise_id" => lang.tr("企业", "Enterprise"),
        "organization_id" | "unit_id" => lang.tr("单位", "Organisation"),
        "lead_unit_id" => lang.tr("牵头单位", "Lead unit"),
        "owner_id" => lang.tr("责任单位", "Owner"),
        "college_id" => lang.tr("院校", "College"),
        "organizer_id" => lang.tr("主办单位", "Organiser"),
        "parent_id" => lang.tr("上级单位", "Parent"),
        _ => return None,
    })
}

/// A record as JSON with its version as the ETag.
pub fn tagged<T: Serialize>(body: T, version: i64) -> Response {
    let mut res = Json(body).into_response();
    res.headers_mut().insert(header::ETAG, etag(version));
    res
}

async fn api_get<R: Resource>(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Response, ApiError> {
    let (r, version) = R::get_tagged(&s.store, &who.viewer, id).await?;
    Ok(tagged(r, version))
}

async fn api_create<R: Resource>(
    State(s): State<AppState>,
    who: Auth,
    JsonBody(input): JsonBody<R::Input>,
) -> Result<Response, ApiError> {
    // A role that may not create one hears so before being told how to fill it in.
    if !s.store.can(&who.viewer, R::KIND, None, Action::Create).await? {
        return Err(ApiError::Status(
            StatusCode::FORBIDDEN,
            hezuo_domain::access::forbidden(),
        ));
    }
    let r = R::create(&s.store, &who.viewer, &R::validate(&input)?).await?;
    Ok(created(format!("/api/v1/{}/{}", R::PLURAL, R::id(&r)), r))
}

/// PATCH and PUT of any record: the fields sent replace, the others stay, and the answer carries
/// the new ETag. With `If-Match` (`expected`), only if the record is still at that version (412
/// otherwise). Without, the fields are laid over the record as it is when the write happens: such
/// writes take turns per record on this server, and if another server writes between reading
/// (`current`, the record's input now) and writing (`write`, given the merged input and the version
/// it was read at), it is read again — so a field this request did not send is never put back to an
/// older value.
pub async fn apply_patch<In, Out, R, W>(
    s: &AppState,
    v: &Viewer,
    (kind, id): (RecordKind, i64),
    expected: Option<i64>,
    patch: JsonObject,
    current: impl Fn() -> R,
    write: impl Fn(In, i64) -> W,
) -> Result<Response, ApiError>
where
    R: Future<Output = Result<In, ApiError>>,
    W: Future<Output = Result<Out, ApiError>>,
    In: Serialize + DeserializeOwned,
    Out: Serialize,
{
    let _turn = match expected {
        None => Some(s.patch_turns.take(kind, id).await),
        Some(_) => None,
    };
    let mut tries = 0u64;
    loop {
        let version = s.store.record_version(v, kind, id).await?;
        let input = merge_input(&current().await?, patch.clone())?;
        match write(input, expected.unwrap_or(version.id)).await {
            // Another server wrote meanwhile: read again, after a pause that grows.
            Err(ApiError::Stale(_)) if expected.is_none() && tries < 20 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(tries * 5)).await;
            }
            saved => {
                let saved = saved?;
                let version = s.store.record_version(v, kind, id).await?;
                return Ok(tagged(saved, version.id));
            }
        }
    }
}

async fn api_update<R: Resource>(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    patch: JsonObject,
) -> Result<Response, ApiError> {
    let (store, v) = (&s.store, &who.viewer);
    apply_patch(
        &s,
        v,
        (R::KIND, id),
        expected,
        patch,
        || async move { Ok(R::to_input(&R::get(store, v, id).await?)) },
        |input, version| async move { Ok(R::update(store, v, id, &R::validate(&input)?, Some(version)).await?) },
    )
    .await
}

/// Archives (`ARCHIVED = true`) or restores a record; with `If-Match`, only at that version.
async fn api_set_archived<R: Resource, const ARCHIVED: bool>(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    let r = R::set_archived(&s.store, &who.viewer, id, ARCHIVED, expected).await?;
    let version = s.store.record_version(&who.viewer, R::KIND, id).await?;
    Ok(tagged(r, version.id))
}

async fn page_list<R: Pages + Export>(
    cx: Ctx,
    Query(f): Query<R::Filter>,
    Query(p): Query<ListParams>,
    Query(fmt): Query<Format>,
) -> Result<Response, ApiError> {
    if fmt.format.as_deref() == Some("xlsx") {
        return export::<R>(&cx, &f, p.sort).await;
    }
    let page = R::list(cx.store(), cx.viewer(), &f, &p).await?;
    let mut view = R::list_page(&cx, &f, page).await?;
    if cx.store().can(cx.viewer(), R::KIND, None, Action::Create).await? {
        view.new_href = Some(format!("/{}/new", R::PLURAL));
    }
    view.export_href = Some(export_href(cx.uri.path(), &cx.uri));
    Ok(views::render(&view))
}

/// `path` with the page's query and `format=xlsx`: the same filters and order, every page.
pub(crate) fn export_href(path: &str, uri: &axum::http::Uri) -> String {
    let mut q: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty() && !["page", "per_page", "format"].contains(&kv.split('=').next().unwrap_or("")))
        .collect();
    q.push("format=xlsx");
    format!("{path}?{}", q.join("&"))
}

async fn page_detail<R: Pages>(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let r = R::get(cx.store(), cx.viewer(), id).await?;
    let mut view = R::detail_page(&cx, r).await?;
    // Offer only what the store would let this user do here.
    let (store, v) = (cx.store(), cx.viewer());
    let role = v.role;
    if !store.can(v, R::KIND, Some(id), Action::Update).await? {
        view.edit_href = None;
        view.actions.retain(|x| !x.action.ends_with("/status"));
    }
    if !store.can(v, R::KIND, Some(id), Action::Archive).await? {
        view.actions
            .retain(|x| !x.action.ends_with("/archive") && !x.action.ends_with("/restore"));
    }
    for section in &mut view.sections {
        let kind = match section.id {
            "milestones" => Some(RecordKind::Milestone),
            "problems" => Some(RecordKind::Problem),
            "projects" => Some(RecordKind::Project),
            "people" => Some(RecordKind::Person),
            "works" => Some(RecordKind::ExpertWork),
            "children" if R::KIND == RecordKind::Organization => Some(RecordKind::Organization),
            "children" => Some(R::KIND),
            _ => None,
        };
        // Papers and patents are added under a profile only by whom may keep that profile.
        let mut hide = section.id == "works" && !store.can(v, RecordKind::Person, Some(id), Action::Update).await?;
        if let Some(k) = kind
            && !hide
        {
            hide = !store.can(v, k, None, Action::Create).await?;
        }
        if hide {
            section.add = None;
        }
    }
    // Files go on any record that takes them.
    if RecordKind::ATTACHABLE.contains(&R::KIND) {
        let items = cx.store().list_attachments(cx.viewer(), R::KIND, id).await?;
        view.attachments = Some((R::KIND.as_str().into(), id, attachment_table(cx.lang, &items)));
    }
    view.read_only_attachments = !role.may_attach();
    view.history = Some(crate::audit::history(&cx, R::KIND, id).await?);
    Ok(views::render(&view))
}

/// The record a form edits: its id and title, the version the form carries, and — when the record
/// changed after the form was filled in — that change with the record's input now.
struct Editing<I> {
    id: i64,
    title: String,
    version: i64,
    changed: Option<(Version, I)>,
}

/// A record's form, with the input kept and, after a refusal, each error beside its field; or,
/// after a change made meanwhile, the other editor's values beside this one's. `editing` is None
/// for a new record; it decides the heading and where "cancel" goes.
async fn form<R: Pages>(
    cx: &Ctx,
    editing: Option<Editing<R::Input>>,
    input: &R::Input,
    rejected: Option<Rejected>,
) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let (heading, cancel_href) = match &editing {
        None => (
            format!("{}{}", lang.t().new, R::heading(lang)),
            format!("/{}", R::PLURAL),
        ),
        Some(e) => (
            format!("{}：{}", lang.t().edit, e.title),
            format!("/{}/{}", R::PLURAL, e.id),
        ),
    };
    let fields = R::form_fields(cx, input).await?;
    let mut page = FormPage::new(cx, R::NAV, heading, fields, cancel_href).rejected(rejected);
    if let Some(e) = editing {
        page = match e.changed {
            Some((v, theirs)) => page.stale(&v, &theirs, input),
            None => page.version(e.version),
        };
    }
    Ok(page.respond())
}

async fn page_new<R: Pages>(cx: Ctx) -> Result<Response, ApiError> {
    cx.require(R::KIND, None, Action::Create).await?;
    // The query may pre-fill the form, e.g. /organizations/new?parent_id=3.
    let input: R::Input = parse_query(cx.uri.query()).unwrap_or_default();
    form::<R>(&cx, None, &input, None).await
}

async fn page_create<R: Pages>(cx: Ctx, FormBody(input): FormBody<R::Input>) -> Result<Response, ApiError> {
    let saved = match R::validate(&input) {
        Ok(d) => R::create(cx.store(), cx.viewer(), &d).await.map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(r) => Ok(views::redirect(&format!("/{}/{}", R::PLURAL, R::id(&r)))),
        Err(rejected) => form::<R>(&cx, None, &input, Some(rejected)).await,
    }
}

async fn page_edit<R: Pages>(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    cx.require(R::KIND, Some(id), Action::Update).await?;
    let version = cx.store().record_version(cx.viewer(), R::KIND, id).await?;
    let r = R::get(cx.store(), cx.viewer(), id).await?;
    let editing = Editing {
        id,
        title: R::title(&r),
        version: version.id,
        changed: None,
    };
    form::<R>(&cx, Some(editing), &R::to_input(&r), None).await
}

/// Saves an edit made on the version the form carries; if the record changed since, nothing is
/// saved and the form comes back with the other editor's values beside these.
async fn page_update<R: Pages>(
    cx: Ctx,
    Id(id): Id,
    FormBody(edit): FormBody<Edit<R::Input>>,
) -> Result<Response, ApiError> {
    let current = R::get(cx.store(), cx.viewer(), id).await?;
    let expected = edit.version();
    let saved = match R::validate(&edit.input) {
        Ok(d) => R::update(cx.store(), cx.viewer(), id, &d, expected)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    let mut editing = Editing {
        id,
        title: R::title(&current),
        version: expected.unwrap_or_default(),
        changed: None,
    };
    let rejected = match saved {
        Err(ApiError::Stale(v)) => {
            let now = R::get(cx.store(), cx.viewer(), id).await?;
            editing.changed = Some((v, R::to_input(&now)));
            None
        }
        other => match Rejected::split(other)? {
            Ok(r) => return Ok(views::redirect(&format!("/{}/{}", R::PLURAL, R::id(&r)))),
            Err(rejected) => Some(rejected),
        },
    };
    form::<R>(&cx, Some(editing), &edit.input, rejected).await
}

/// Archives (`ARCHIVED = true`) or restores a record, then shows it again.
async fn page_set_archived<R: Pages, const ARCHIVED: bool>(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    R::set_archived(cx.store(), cx.viewer(), id, ARCHIVED, None).await?;
    Ok(views::redirect(&format!("/{}/{id}", R::PLURAL)))
}

/// The archive or restore button for a detail page.
pub fn archive_action<R: Resource>(lang: Lang, id: i64, archived: bool) -> views::PostAction {
    let (label, verb) = if archived {
        (lang.t().restore, "restore")
    } else {
        (lang.t().archive, "archive")
    };
    views::PostAction {
        confirm: None,
        label: label.into(),
        action: format!("/{}/{id}/{verb}", R::PLURAL),
        class: "danger",
        fields: vec![],
    }
}
