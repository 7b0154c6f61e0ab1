//! What hangs under a platform: the counts (`/api/v1/platforms/counts`), the people stationed
//! there (add, remove) and the yearly evaluations (one per year, the office's), in the API and
//! on the platform's page.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, Ids, IfMatch, JsonBody, JsonObject, Query};
use crate::i18n::Lang;
use crate::resource::{apply_patch, created, tagged};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, FormPage, PageForm, Rejected, Section, Table, chosen, code_options};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::platform::{
    CountRow, EvaluationGrade, EvaluationInput, Platform, PlatformEvaluation, PlatformPerson, StationInput,
};
use hezuo_domain::{Page, RecordKind};
use hezuo_store::platforms::CountBy;
use hezuo_store::{Store, Viewer};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/platforms/counts", get(api_counts))
        .at("/api/v1/platforms/{id}/people", get(api_people).post(api_station))
        .at("/api/v1/platforms/{id}/people/{mid}/remove", post(api_unstation))
        .at(
            "/api/v1/platforms/{id}/evaluations",
            get(api_evaluations).post(api_evaluate),
        )
        .at(
            "/api/v1/platforms/{id}/evaluations/{mid}",
            get(api_evaluation)
                .put(api_update_evaluation)
                .patch(api_update_evaluation),
        )
        .at("/platforms/{id}/people/new", get(page_station).post(page_station_save))
        .at("/platforms/{id}/people/{mid}/remove", post(page_unstation))
        .at(
            "/platforms/{id}/evaluations/new",
            get(page_evaluate).post(page_evaluate_save),
        )
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountsQuery {
    /// kind, level, county or college.
    pub by: Option<String>,
}

/// `{"rows": [{"key", "label", "count"}]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub rows: Vec<CountRow>,
}

async fn api_counts(
    State(s): State<AppState>,
    who: Auth,
    Query(q): Query<CountsQuery>,
) -> Result<Json<Counts>, ApiError> {
    let by = CountBy::parse(q.by.as_deref().unwrap_or("kind"))?;
    Ok(Json(Counts {
        rows: s.store.platform_counts(&who.viewer, by).await?,
    }))
}

async fn api_people(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Page<PlatformPerson>>, ApiError> {
    Ok(Json(Page::whole(s.store.platform_people(&who.viewer, id).await?)))
}

async fn api_station(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<StationInput>,
) -> Result<Response, ApiError> {
    let p = s.store.station_person(&who.viewer, id, &i.validate()?).await?;
    Ok(created(format!("/api/v1/platforms/{id}/people"), p))
}

async fn api_unstation(State(s): State<AppState>, who: Auth, Ids(id, pid): Ids) -> Result<StatusCode, ApiError> {
    s.store.unstation_person(&who.viewer, id, pid).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn api_evaluations(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
) -> Result<Json<Page<PlatformEvaluation>>, ApiError> {
    Ok(Json(Page::whole(s.store.list_evaluations(&who.viewer, id).await?)))
}

async fn api_evaluate(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<EvaluationInput>,
) -> Result<Response, ApiError> {
    let e = s.store.create_evaluation(&who.viewer, id, &i.validate()?).await?;
    Ok(created(format!("/api/v1/platforms/{id}/evaluations/{}", e.id), e))
}

/// The evaluation `eid` of platform `id`, or 404 if it belongs to another.
async fn evaluation_of(store: &Store, v: &Viewer, Ids(id, eid): Ids) -> Result<PlatformEvaluation, ApiError> {
    let e = store.get_evaluation(v, eid).await?;
    if e.platform_id != id {
        return Err(ApiError::NotFound);
    }
    Ok(e)
}

async fn api_evaluation(State(s): State<AppState>, who: Auth, ids: Ids) -> Result<Response, ApiError> {
    let version = s
        .store
        .record_version(&who.viewer, RecordKind::PlatformEvaluation, ids.1)
        .await?;
    Ok(tagged(evaluation_of(&s.store, &who.viewer, ids).await?, version.id))
}

async fn api_update_evaluation(
    State(s): State<AppState>,
    who: Auth,
    Ids(id, eid): Ids,
    IfMatch(expected): IfMatch,
    patch: JsonObject,
) -> Result<Response, ApiError> {
    let (store, v) = (&s.store, &who.viewer);
    apply_patch(
        &s,
        v,
        (RecordKind::PlatformEvaluation, eid),
        expected,
        patch,
        || async move {
            Ok(EvaluationInput::from_record(
                &evaluation_of(store, v, Ids(id, eid)).await?,
            ))
        },
        |i, version| async move { Ok(store.update_evaluation(v, eid, &i.validate()?, Some(version)).await?) },
    )
    .await
}

/// The people panel of a platform's page, and one "remove" button per person for whoever may
/// change the platform.
pub(super) async fn people_section(
    cx: &Ctx,
    p: &Platform,
    may_edit: bool,
) -> Result<(Section, Vec<PageForm>), ApiError> {
    let lang = cx.lang;
    let people = cx.store().platform_people(cx.viewer(), p.id).await?;
    let mut t = Table::new(
        lang,
        &[
            ("姓名", "Name"),
            ("在平台的职责", "Role there"),
            ("进站日期", "From"),
            ("离站日期", "To"),
        ],
    );
    t.empty = lang.tr("尚无驻站人员。", "Nobody is stationed here yet.").into();
    let mut forms = Vec::new();
    for x in &people {
        t.rows.push(vec![
            Cell::link(&x.person_name, format!("/people/{}", x.person_id)),
            Cell::opt(x.role.clone(), lang),
            Cell::opt(x.from_on.map(|d| d.to_string()), lang),
            Cell::opt(x.to_on.map(|d| d.to_string()), lang),
        ]);
        if may_edit {
            forms.push(PageForm {
                id: format!("unstation-{}", x.person_id),
                action: format!("/platforms/{}/people/{}/remove", p.id, x.person_id),
                fields: vec![],
                submit: format!("{}{}", lang.tr("移除：", "Remove: "), x.person_name),
                class: "danger",
                confirm: Some(
                    lang.tr("确定将此人移出该平台？", "Take this person off the platform?")
                        .into(),
                ),
                multipart: false,
            });
        }
    }
    let section = Section {
        id: "stationed",
        title: lang.tr("驻站人员", "People stationed").into(),
        table: t,
        add: may_edit.then(|| {
            (
                lang.tr("新增驻站人员", "Station someone").to_string(),
                format!("/platforms/{}/people/new", p.id),
            )
        }),
    };
    Ok((section, forms))
}

/// The evaluations panel: each year's grade, who gave it, and its files.
pub(super) async fn evaluations_section(cx: &Ctx, p: &Platform, may_evaluate: bool) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let evals = cx.store().list_evaluations(cx.viewer(), p.id).await?;
    let mut t = Table::new(
        lang,
        &[
            ("年度", "Year"),
            ("等次", "Grade"),
            ("考核单位", "Evaluated by"),
            ("考核日期", "On"),
            ("评语", "Comment"),
            ("考核材料", "Files"),
        ],
    );
    t.empty = lang.tr("尚无年度考核记录。", "No yearly evaluation yet.").into();
    for e in &evals {
        let files = cx
            .store()
            .list_attachments(cx.viewer(), RecordKind::PlatformEvaluation, e.id)
            .await?;
        let files = if files.is_empty() {
            Cell::opt(None::<String>, lang)
        } else {
            let a = &files[0];
            let mut c = Cell::link(&a.filename, format!("/api/v1/attachments/{}/content", a.id));
            if files.len() > 1 {
                c.text = format!("{}{}", c.text, lang.tr(" 等", " and more"));
            }
            c
        };
        t.rows.push(vec![
            Cell::text(e.year.to_string()),
            Cell::badge(lang.pick(&e.grade.label()), format!("e-{}", e.grade.as_str())),
            Cell::opt(e.evaluated_by.clone(), lang),
            Cell::opt(e.evaluated_on.map(|d| d.to_string()), lang),
            Cell::opt(e.comment.clone(), lang),
            files,
        ]);
    }
    Ok(Section {
        id: "evaluations",
        title: lang.tr("年度考核", "Yearly evaluations").into(),
        table: t,
        add: may_evaluate.then(|| {
            (
                lang.tr("录入年度考核", "Record an evaluation").to_string(),
                format!("/platforms/{}/evaluations/new", p.id),
            )
        }),
    })
}

fn station_fields(lang: Lang, people: Vec<(String, String)>, i: &StationInput) -> Vec<Field> {
    vec![
        Field::new(lang, "person_id", ("人员", "Person"), "select")
            .required()
            .options(lang, people, &chosen(&i.person_id)),
        Field::new(lang, "role", ("在平台的职责", "Role there"), "text").value(i.role.as_deref()),
        Field::new(lang, "from_on", ("进站日期", "From"), "date").value(i.from_on.as_deref()),
        Field::new(lang, "to_on", ("离站日期", "To"), "date").value(i.to_on.as_deref()),
    ]
}

async fn station_form(cx: &Ctx, p: &Platform, i: &StationInput, r: Option<Rejected>) -> Result<Response, ApiError> {
    let people: Vec<(String, String)> = cx
        .store()
        .person_options(cx.viewer())
        .await?
        .into_iter()
        .map(|(id, n, _)| (id.to_string(), n))
        .collect();
    let heading = format!("{} · {}", cx.tr("新增驻站人员", "Station someone"), p.name);
    Ok(FormPage::new(
        cx,
        "platforms",
        heading,
        station_fields(cx.lang, people, i),
        format!("/platforms/{}", p.id),
    )
    .rejected(r)
    .respond())
}

async fn page_station(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    cx.require(RecordKind::Platform, Some(id), hezuo_domain::access::Action::Update)
        .await?;
    let p = cx.store().get_platform(cx.viewer(), id).await?;
    station_form(&cx, &p, &StationInput::default(), None).await
}

async fn page_station_save(cx: Ctx, Id(id): Id, FormBody(i): FormBody<StationInput>) -> Result<Response, ApiError> {
    let p = cx.store().get_platform(cx.viewer(), id).await?;
    let saved = match i.validate() {
        Ok(d) => cx
            .store()
            .station_person(cx.viewer(), id, &d)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/platforms/{id}#stationed"))),
        Err(r) => station_form(&cx, &p, &i, Some(r)).await,
    }
}

async fn page_unstation(cx: Ctx, Ids(id, pid): Ids) -> Result<Response, ApiError> {
    cx.store().unstation_person(cx.viewer(), id, pid).await?;
    Ok(views::redirect(&format!("/platforms/{id}#stationed")))
}

fn evaluation_fields(lang: Lang, i: &EvaluationInput) -> Vec<Field> {
    vec![
        Field::new(lang, "year", ("考核年度", "Year"), "number")
            .value(i.year.as_deref())
            .required(),
        Field::new(lang, "grade", ("考核等次", "Grade"), "select")
            .required()
            .options(
                lang,
                code_options(
                    lang,
                    EvaluationGrade::ALL,
                    EvaluationGrade::label,
                    EvaluationGrade::as_str,
                ),
                &chosen(&i.grade),
            ),
        Field::new(lang, "evaluated_by", ("考核单位", "Evaluated by"), "text").value(i.evaluated_by.as_deref()),
        Field::new(lang, "evaluated_on", ("考核日期", "Evaluated on"), "date").value(i.evaluated_on.as_deref()),
        Field::new(lang, "comment", ("评语", "Comment"), "textarea")
            .value(i.comment.as_deref())
            .help(
                lang,
                (
                    "保存后可在平台页面的“年度考核”中上传考核材料。",
                    "Once saved, upload the evaluation's file from the platform's page.",
                ),
            ),
    ]
}

fn evaluation_form(cx: &Ctx, p: &Platform, i: &EvaluationInput, r: Option<Rejected>) -> Response {
    let heading = format!("{} · {}", cx.tr("录入年度考核", "Record an evaluation"), p.name);
    FormPage::new(
        cx,
        "platforms",
        heading,
        evaluation_fields(cx.lang, i),
        format!("/platforms/{}", p.id),
    )
    .rejected(r)
    .respond()
}

async fn page_evaluate(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    cx.require(
        RecordKind::PlatformEvaluation,
        None,
        hezuo_domain::access::Action::Create,
    )
    .await?;
    let p = cx.store().get_platform(cx.viewer(), id).await?;
    Ok(evaluation_form(&cx, &p, &EvaluationInput::default(), None))
}

/// Saves the evaluation, then shows the form to attach its file (the evaluation's attachments).
async fn page_evaluate_save(cx: Ctx, Id(id): Id, FormBody(i): FormBody<EvaluationInput>) -> Result<Response, ApiError> {
    let p = cx.store().get_platform(cx.viewer(), id).await?;
    let saved = match i.validate() {
        Ok(d) => cx
            .store()
            .create_evaluation(cx.viewer(), id, &d)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/platforms/{id}#evaluations"))),
        Err(r) => Ok(evaluation_form(&cx, &p, &i, Some(r))),
    }
}

/// One upload form per evaluation of the platform, for whoever may attach its file.
pub(super) fn upload_forms(lang: Lang, evals: &[PlatformEvaluation]) -> Vec<PageForm> {
    evals
        .iter()
        .map(|e| PageForm {
            id: format!("eval-file-{}", e.id),
            action: "/attachments".into(),
            fields: vec![
                Field::new(lang, "record_kind", ("", ""), "hidden").value(Some("platform_evaluation")),
                Field::new(lang, "record_id", ("", ""), "hidden").value(Some(&e.id.to_string())),
                Field::new(
                    lang,
                    "file",
                    (
                        &format!("{} 年度考核材料", e.year),
                        &format!("{} evaluation file", e.year),
                    ),
                    "file",
                ),
            ],
            submit: lang.tr("上传考核材料", "Upload").into(),
            class: "",
            confirm: None,
            multipart: true,
        })
        .collect()
}
