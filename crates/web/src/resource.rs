//! The handlers every record kind shares, written once: the JSON API (list, get, create, update,
//! archive, restore) and the HTML pages (list, detail, new, edit, archive, restore). A record kind
//! implements [`Resource`] (its store calls) and [`Pages`] (its view models) in its own module.

use crate::AppState;
use crate::RouteExt;
use crate::auth::Auth;
use crate::error::{Api, ApiError, Page as PageErr};
use crate::i18n::Lang;
use crate::views::{self, DetailPage, Field, FormPage, Layout, ListPage};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::RecordKind;
use hezuo_domain::access::Action;
use hezuo_domain::{FieldErrors, ListParams, Msg, Page};
use hezuo_store::{Result as StoreResult, Store, Viewer};
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
    fn create(s: &Store, v: &Viewer, d: &Self::Data) -> impl Future<Output = StoreResult<Self::Record>> + Send;
    fn update(s: &Store, v: &Viewer, id: i64, d: &Self::Data)
    -> impl Future<Output = StoreResult<Self::Record>> + Send;
    fn set_archived(
        s: &Store,
        v: &Viewer,
        id: i64,
        archived: bool,
    ) -> impl Future<Output = StoreResult<Self::Record>> + Send;
    fn id(r: &Self::Record) -> i64;
}

/// Implements [`Resource`] for a marker type by naming the record's types and its store calls:
/// `resource!(Projects, "projects", Project, ProjectInput, ProjectData, ProjectFilter,
///            list_projects, get_project, create_project, update_project, set_project_archived);`
macro_rules! resource {
    ($ty:ident, $plural:literal, $kind:expr, $rec:ty, $input:ty, $data:ty, $filter:ty,
     $list:ident, $get:ident, $create:ident, $update:ident, $archive:ident) => {
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
            ) -> hezuo_store::Result<$rec> {
                s.$update(v, id, d).await
            }
            async fn set_archived(
                s: &hezuo_store::Store,
                v: &hezuo_store::Viewer,
                id: i64,
                archived: bool,
            ) -> hezuo_store::Result<$rec> {
                s.$archive(v, id, archived).await
            }
            fn id(r: &$rec) -> i64 {
                r.id
            }
        }
    };
}
pub(crate) use resource;

/// A record kind's pages: the view models its list, detail and form show.
pub trait Pages: Resource {
    /// The top navigation entry this kind belongs to.
    const NAV: &'static str;
    /// The kind's name, e.g. ("合作项目", "Projects").
    fn heading(lang: Lang) -> String;
    fn title(r: &Self::Record) -> String;
    fn list_page(
        s: &AppState,
        a: &Auth,
        lang: Lang,
        uri: &Uri,
        f: &Self::Filter,
        page: Page<Self::Record>,
    ) -> impl Future<Output = Result<ListPage, ApiError>> + Send;
    fn detail_page(
        s: &AppState,
        a: &Auth,
        lang: Lang,
        uri: &Uri,
        r: Self::Record,
    ) -> impl Future<Output = Result<DetailPage, ApiError>> + Send;
    fn form_fields(
        s: &AppState,
        a: &Auth,
        lang: Lang,
        i: &Self::Input,
    ) -> impl Future<Output = Result<Vec<Field>, ApiError>> + Send;
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

/// Parses a query string; a malformed one is a 400 naming the problem.
pub fn parse_query<T: DeserializeOwned + Default>(q: Option<&str>) -> Result<T, ApiError> {
    match q {
        None | Some("") => Ok(T::default()),
        Some(q) => serde_urlencoded::from_str(q).map_err(|e| {
            ApiError::bad_request(Msg::new(
                format!("查询参数无效：{e}"),
                format!("Invalid query parameters: {e}"),
            ))
        }),
    }
}

/// Parses a JSON body into `T`, or a 400 that says what is wrong with it.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(Msg::new(
            format!("请求体不是有效的 JSON：{e}"),
            format!("The body is not valid JSON: {e}"),
        ))
    })
}

/// Reads an HTML form (`application/x-www-form-urlencoded`) into `T` the same way JSON is read:
/// each field becomes a string, and a field sent more than once (a multi-select) becomes a list.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
        ApiError::bad_request(Msg::new(
            format!("表单数据无效：{e}"),
            format!("Invalid form data: {e}"),
        ))
    })?;
    let mut obj = serde_json::Map::new();
    for (k, v) in pairs {
        match obj.get_mut(&k) {
            None => {
                obj.insert(k, serde_json::Value::String(v));
            }
            Some(serde_json::Value::Array(a)) => a.push(serde_json::Value::String(v)),
            Some(prev) => {
                let first = prev.take();
                *prev = serde_json::Value::Array(vec![first, serde_json::Value::String(v)]);
            }
        }
    }
    serde_json::from_value(serde_json::Value::Object(obj)).map_err(|e| {
        ApiError::bad_request(Msg::new(
            format!("表单数据无效：{e}"),
            format!("Invalid form data: {e}"),
        ))
    })
}

/// Lays a partial JSON object over a record's current input, for PATCH/PUT: what is sent replaces,
/// what is left out stays.
pub fn merge_input<I: Serialize + DeserializeOwned>(current: &I, patch: &[u8]) -> Result<I, ApiError> {
    let patch: serde_json::Value = parse_json(patch)?;
    let serde_json::Value::Object(patch) = patch else {
        return Err(ApiError::bad_request(Msg::new(
            "请求体应为 JSON 对象",
            "The body must be a JSON object",
        )));
    };
    let mut base = serde_json::to_value(current).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let serde_json::Value::Object(b) = &mut base {
        for (k, v) in patch {
            b.insert(k, v);
        }
    }
    serde_json::from_value(base).map_err(|e| {
        ApiError::bad_request(Msg::new(
            format!("请求体字段类型有误：{e}"),
            format!("A field has the wrong type: {e}"),
        ))
    })
}

/// The API and page routes of one record kind.
pub fn routes<R: Pages>() -> Router<AppState> {
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

/// A path id, or 404 for anything that is not a positive integer.
pub fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|i| *i > 0).ok_or(ApiError::NotFound)
}

async fn api_list<R: Resource>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    RawQuery(q): RawQuery,
) -> Result<Json<Page<R::Record>>, Api> {
    let run = async {
        let f: R::Filter = parse_query(q.as_deref())?;
        let p: ListParams = parse_query(q.as_deref())?;
        Ok::<_, ApiError>(R::list(&s.store, &a.viewer, &f, &p).await?)
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_get<R: Resource>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    Path(id): Path<String>,
) -> Result<Json<R::Record>, Api> {
    let run = async { Ok::<_, ApiError>(R::get(&s.store, &a.viewer, path_id(&id)?).await?) };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_create<R: Resource>(State(s): State<AppState>, lang: Lang, a: Auth, body: Bytes) -> Result<Response, Api> {
    let run = async {
        let input: R::Input = parse_json(&body)?;
        let data = R::validate(&input)?;
        Ok::<_, ApiError>(R::create(&s.store, &a.viewer, &data).await?)
    };
    let r = run.await.map_err(|e| Api(e, lang))?;
    Ok(created(format!("/api/v1/{}/{}", R::PLURAL, R::id(&r)), r))
}

async fn api_update<R: Resource>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<R::Record>, Api> {
    let run = async {
        let id = path_id(&id)?;
        let current = R::get(&s.store, &a.viewer, id).await?;
        let input = merge_input(&R::to_input(&current), &body)?;
        let data = R::validate(&input)?;
        Ok::<_, ApiError>(R::update(&s.store, &a.viewer, id, &data).await?)
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

/// Archives (`ARCHIVED = true`) or restores a record.
async fn api_set_archived<R: Resource, const ARCHIVED: bool>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    Path(id): Path<String>,
) -> Result<Json<R::Record>, Api> {
    let run = async { Ok::<_, ApiError>(R::set_archived(&s.store, &a.viewer, path_id(&id)?, ARCHIVED).await?) };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn page_list<R: Pages>(State(s): State<AppState>, lang: Lang, a: Auth, uri: Uri) -> Result<Response, PageErr> {
    let run = async {
        let f: R::Filter = parse_query(uri.query())?;
        let p: ListParams = parse_query(uri.query())?;
        let page = R::list(&s.store, &a.viewer, &f, &p).await?;
        let mut view = R::list_page(&s, &a, lang, &uri, &f, page).await?;
        view.new_href = Some(format!("/{}/new", R::PLURAL));
        Ok::<_, ApiError>(views::render(&view))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_detail<R: Pages>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let r = R::get(&s.store, &a.viewer, path_id(&id)?).await?;
        let id = R::id(&r);
        let mut view = R::detail_page(&s, &a, lang, &uri, r).await?;
        // Offer only what the user's role may do here.
        let role = a.viewer.role;
        if !role.may(R::KIND, Action::Update) {
            view.edit_href = None;
            view.actions.retain(|x| !x.action.ends_with("/status"));
        }
        if !role.may(R::KIND, Action::Archive) {
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
            if kind.is_some_and(|k| !role.may(k, Action::Create)) {
                section.add = None;
            }
        }
        view.read_only_attachments = !role.may_attach();
        view.history = Some(crate::audit::history(&s, &a, lang, R::KIND, id).await?);
        Ok::<_, ApiError>(views::render(&view))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// Renders a record's form, with the input kept and each error beside its field.
/// `editing` is the record being edited (its id and title), or None for a new one; it decides the
/// heading and where "cancel" goes.
pub async fn form_response<R: Pages>(
    s: &AppState,
    a: &Auth,
    lang: Lang,
    uri: &Uri,
    editing: Option<(i64, String)>,
    input: &R::Input,
    errors: Option<(StatusCode, FieldErrors)>,
) -> Result<Response, ApiError> {
    let (heading, cancel_href) = match editing {
        None => (
            format!("{}{}", lang.t().new, R::heading(lang)),
            format!("/{}", R::PLURAL),
        ),
        Some((id, title)) => (format!("{}：{title}", lang.t().edit), format!("/{}/{id}", R::PLURAL)),
    };
    let fields = R::form_fields(s, a, lang, input).await?;
    let (status, errors) = errors.unwrap_or((StatusCode::OK, FieldErrors::new()));
    // Errors on fields the form does not show (rare) are listed on top, so none is lost.
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let stray: Vec<String> = errors
        .0
        .iter()
        .filter(|(k, _)| !names.contains(&k.as_str()))
        .map(|(k, m)| format!("{k}: {}", lang.pick(m)))
        .collect();
    let fields = Field::errors_from(fields, &errors, lang);
    let view = FormPage {
        layout: Layout::new(a, lang, uri, R::NAV, heading.clone()),
        heading,
        action: uri.path().to_string(),
        has_errors: !errors.is_empty(),
        general_error: (!stray.is_empty()).then(|| stray.join("; ")),
        fields,
        cancel_href,
    };
    let mut res = views::render(&view);
    *res.status_mut() = status;
    Ok(res)
}

fn store_errors(e: ApiError) -> Result<(StatusCode, FieldErrors), ApiError> {
    match e {
        ApiError::Invalid(f) => Ok((StatusCode::UNPROCESSABLE_ENTITY, f)),
        ApiError::Conflict(f) => Ok((StatusCode::CONFLICT, f)),
        other => Err(other),
    }
}

async fn page_new<R: Pages>(State(s): State<AppState>, lang: Lang, a: Auth, uri: Uri) -> Result<Response, PageErr> {
    let run = async {
        // The query may pre-fill the form, e.g. /organizations/new?parent_id=3.
        let input: R::Input = parse_query(uri.query()).unwrap_or_default();
        form_response::<R>(&s, &a, lang, &uri, None, &input, None).await
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_create<R: Pages>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    uri: Uri,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let input: R::Input = parse_form(&body)?;
        let result = match R::validate(&input) {
            Ok(d) => R::create(&s.store, &a.viewer, &d).await.map_err(ApiError::from),
            Err(e) => Err(ApiError::Invalid(e)),
        };
        match result {
            Ok(r) => Ok(views::redirect(&format!("/{}/{}", R::PLURAL, R::id(&r)))),
            Err(e) => {
                let errors = store_errors(e)?;
                form_response::<R>(&s, &a, lang, &uri, None, &input, Some(errors)).await
            }
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_edit<R: Pages>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let r = R::get(&s.store, &a.viewer, id).await?;
        form_response::<R>(&s, &a, lang, &uri, Some((id, R::title(&r))), &R::to_input(&r), None).await
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_update<R: Pages>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let current = R::get(&s.store, &a.viewer, id).await?;
        let input: R::Input = parse_form(&body)?;
        let result = match R::validate(&input) {
            Ok(d) => R::update(&s.store, &a.viewer, id, &d).await.map_err(ApiError::from),
            Err(e) => Err(ApiError::Invalid(e)),
        };
        match result {
            Ok(_) => Ok(views::redirect(&format!("/{}/{id}", R::PLURAL))),
            Err(e) => {
                let errors = store_errors(e)?;
                form_response::<R>(&s, &a, lang, &uri, Some((id, R::title(&current))), &input, Some(errors)).await
            }
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// Archives (`ARCHIVED = true`) or restores a record, then shows it again.
async fn page_set_archived<R: Pages, const ARCHIVED: bool>(
    State(s): State<AppState>,
    lang: Lang,
    a: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        R::set_archived(&s.store, &a.viewer, id, ARCHIVED).await?;
        Ok::<_, ApiError>(views::redirect(&format!("/{}/{id}", R::PLURAL)))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// The archive or restore button for a detail page.
pub fn archive_action<R: Resource>(lang: Lang, id: i64, archived: bool) -> views::PostAction {
    let (label, verb) = if archived {
        (lang.t().restore, "restore")
    } else {
        (lang.t().archive, "archive")
    };
    views::PostAction {
        label: label.into(),
        action: format!("/{}/{id}/{verb}", R::PLURAL),
        class: "danger",
        fields: vec![],
    }
}
