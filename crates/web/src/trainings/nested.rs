//! What hangs under a training: its participants (list, add one, attendance, remove), the import
//! of a sheet of participants (page, API, template — all rows or none, every bad cell named
//! 第N行“列名”), and the counts of people trained by county and by kind for a year (page and API).

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Id, Ids, JsonBody, Query, Upload};
use crate::i18n::Lang;
use crate::resource::created;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, Layout, ListPage, PageForm, Rejected, Section, Table};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use hezuo_app::trainings::ParticipantImport;
use hezuo_domain::access::Action;
use hezuo_domain::error::RowError;
use hezuo_domain::training::{
    ImportMode, PARTICIPANT_COLUMNS, Participant, ParticipantInput, TrainedCount, Training, parse_attended,
    parse_hours, show_hours,
};
use hezuo_domain::{Msg, Page, RecordKind, codes, input};
use hezuo_store::trainings::TrainedBy;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/trainings/counts", get(api_counts))
        .at(
            "/api/v1/trainings/{id}/participants",
            get(api_participants).post(api_add),
        )
        .at("/api/v1/trainings/{id}/participants/import", post(api_import))
        .at(
            "/api/v1/trainings/{id}/participants/{mid}/attendance",
            post(api_attendance),
        )
        .at("/api/v1/trainings/{id}/participants/{mid}/remove", post(api_remove))
        .at("/trainings/counts", get(page_counts))
        .at("/trainings/template", get(template))
        .at(
            "/trainings/{id}/participants/import",
            get(page_import_form).post(page_import),
        )
        .at("/trainings/{id}/participants/{mid}/remove", post(page_remove))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CountsQuery {
    /// The year trainings started in; this year when not given.
    pub year: Option<String>,
    /// `county` (default: each participant's county — their unit's, else the training's) or `kind`.
    pub by: Option<String>,
}

/// `{"year", "by", "rows": [{"key", "label", "trainings", "trained"}], "total"}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainedCounts {
    pub year: i32,
    pub by: String,
    pub rows: Vec<TrainedCount>,
    /// People who attended, all rows together.
    pub total: i64,
}

fn year_of(s: &AppState, q: &CountsQuery) -> Result<i32, ApiError> {
    match input::opt_text(&q.year) {
        None => Ok(s.store.today().year()),
        Some(_) => input::year(&q.year).map_err(|m| ApiError::field("year", m)),
    }
}

async fn counts(s: &AppState, who: &Auth, q: &CountsQuery) -> Result<TrainedCounts, ApiError> {
    let year = year_of(s, q)?;
    let by = TrainedBy::parse(q.by.as_deref().unwrap_or("county"))?;
    let rows = s.store.trained_counts(&who.viewer, year, by).await?;
    Ok(TrainedCounts {
        year,
        by: if by == TrainedBy::Kind { "kind" } else { "county" }.into(),
        total: rows.iter().map(|r| r.trained).sum(),
        rows,
    })
}

async fn api_counts(
    State(s): State<AppState>,
    who: Auth,
    Query(q): Query<CountsQuery>,
) -> Result<Json<TrainedCounts>, ApiError> {
    Ok(Json(counts(&s, &who, &q).await?))
}

async fn api_participants(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
) -> Result<Json<Page<Participant>>, ApiError> {
    Ok(Json(Page::whole(s.store.training_participants(&who.viewer, id).await?)))
}

async fn api_add(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<ParticipantInput>,
) -> Result<Response, ApiError> {
    let t = s.store.get_training(&who.viewer, id).await?;
    let p = s.store.add_participant(&who.viewer, id, &i.validate(t.hours)?).await?;
    Ok(created(format!("/api/v1/trainings/{id}/participants"), p))
}

/// What the attendance call takes.
#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AttendanceInput {
    /// 是/否, yes/no, true/false.
    #[serde(deserialize_with = "input::de_opt_string")]
    #[schema(required, value_type = Option<String>, example = "是")]
    pub attended: Option<String>,
    #[serde(deserialize_with = "input::de_opt_string")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub hours_attended: Option<String>,
}

async fn api_attendance(
    State(s): State<AppState>,
    who: Auth,
    Ids(id, pid): Ids,
    JsonBody(i): JsonBody<AttendanceInput>,
) -> Result<Json<Participant>, ApiError> {
    let attended = parse_attended(&i.attended).map_err(|m| ApiError::field("attended", m))?;
    let hours = input::opt_text(&i.hours_attended)
        .map(parse_hours)
        .transpose()
        .map_err(|m| ApiError::field("hours_attended", m))?;
    Ok(Json(
        s.store.set_attendance(&who.viewer, id, pid, attended, hours).await?,
    ))
}

async fn api_remove(State(s): State<AppState>, who: Auth, Ids(id, pid): Ids) -> Result<StatusCode, ApiError> {
    s.store.remove_participant(&who.viewer, id, pid).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn page_remove(cx: Ctx, Ids(id, pid): Ids) -> Result<Response, ApiError> {
    cx.store().remove_participant(cx.viewer(), id, pid).await?;
    Ok(views::redirect(&format!("/trainings/{id}#participants")))
}

// ---- the import ----

/// Reads the upload: `file` and an optional `mode` (replace, add).
async fn read_upload(mut mp: Multipart) -> Result<(Vec<u8>, ImportMode), ApiError> {
    let (mut file, mut mode) = (None, ImportMode::Replace);
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::Status(
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::new(
                    "文件超过上传上限：请拆分为几个文件分别导入（选择“追加”）",
                    "The file is over the upload limit: split it and add the parts",
                ),
            )
        } else {
            ApiError::bad_request(Msg::new(format!("上传数据无效：{e}"), format!("Invalid upload: {e}")))
        }
    };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(field.bytes().await.map_err(bad)?.to_vec()),
            "mode" => {
                let t = field.text().await.map_err(bad)?;
                mode = ImportMode::parse(Some(&t)).map_err(|m| ApiError::field("mode", m))?;
            }
            _ => {}
        }
    }
    let file = file.filter(|f| !f.is_empty()).ok_or_else(|| {
        ApiError::field(
            "file",
            Msg::new("请选择要导入的 Excel 文件", "Choose an Excel file to import"),
        )
    })?;
    Ok((file, mode))
}

async fn import(s: &AppState, who: &Auth, id: i64, mp: Multipart) -> Result<ParticipantImport, ApiError> {
    let (bytes, mode) = read_upload(mp).await?;
    Ok(hezuo_app::trainings::import(&s.store, &who.viewer, id, &bytes, mode).await?)
}

/// The import's JSON answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportAnswer {
    /// Participants written (0 when refused).
    pub imported: usize,
    /// Of them, who attended.
    pub attended: usize,
    /// `replace` or `add`.
    pub mode: String,
    /// Every failing cell by row (the header is row 1) and column header; when there is any,
    /// nothing was written.
    pub errors: Vec<RowError>,
    /// The same, one line each: 第N行“列名”：what is wrong.
    pub lines: Vec<String>,
    /// Why nothing was written, when refused.
    pub error: Option<String>,
}

/// 201 with how many were written, or 422 with every bad cell and nothing written.
async fn api_import(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Id(id): Id,
    Upload(mp): Upload,
) -> Result<Response, ApiError> {
    let r = import(&s, &who, id, mp).await?;
    let refused = !r.errors.is_empty();
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CREATED
    };
    let lines = if lang.en() {
        r.errors.iter().map(|e| hezuo_app::trainings::describe(e).en).collect()
    } else {
        r.lines
    };
    let answer = ImportAnswer {
        imported: r.imported,
        attended: r.attended,
        mode: r.mode,
        errors: r.errors,
        lines,
        error: refused.then(|| {
            lang.tr(
                "导入失败，未写入任何数据：请按行号和列名改正后重新上传",
                "Nothing was imported: correct the rows listed and upload again",
            )
            .to_string()
        }),
    };
    Ok((status, Json(answer)).into_response())
}

#[derive(Template)]
#[template(path = "training_import.html")]
pub struct ImportPage {
    pub layout: Layout,
    pub training_id: i64,
    pub report: Option<ParticipantImport>,
    /// The refused cells, one line each in the page's language.
    pub lines: Vec<(usize, String, String)>,
    pub error: Option<String>,
    pub columns: Vec<(&'static str, bool)>,
    pub listed: i64,
}

async fn import_page(
    cx: &Ctx,
    t: &Training,
    report: Option<ParticipantImport>,
    error: Option<Rejected>,
) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let failed = report.as_ref().is_some_and(|r| !r.errors.is_empty());
    let refusal = error.as_ref().map(|r| r.status);
    let error = error.map(|r| r.errors.0.values().map(|m| lang.pick(m)).collect::<Vec<_>>().join("；"));
    let lines = report
        .as_ref()
        .map(|r| {
            r.errors
                .iter()
                .map(|e| {
                    let m = if lang.en() { &e.message_en } else { &e.message };
                    (e.row, e.column.clone(), m.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    let view = ImportPage {
        layout: cx.layout(
            "trainings",
            format!("{} · {}", lang.tr("导入学员名单", "Import participants"), t.title),
        ),
        training_id: t.id,
        report,
        lines,
        error,
        columns: PARTICIPANT_COLUMNS.iter().map(|(h, _, r)| (*h, *r)).collect(),
        listed: t.participant_count,
    };
    let status = match (&refusal, failed) {
        (Some(s), _) => *s,
        (None, true) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, false) => StatusCode::OK,
    };
    Ok(views::render_with(status, &view))
}

async fn page_import_form(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    cx.require(RecordKind::Training, Some(id), Action::Update).await?;
    let t = cx.store().get_training(cx.viewer(), id).await?;
    import_page(&cx, &t, None, None).await
}

async fn page_import(cx: Ctx, Id(id): Id, Upload(mp): Upload) -> Result<Response, ApiError> {
    let result = import(&cx.s, &cx.who, id, mp).await;
    // Read after the import, so the count on the page is the list's as it now stands.
    let t = cx.store().get_training(cx.viewer(), id).await?;
    match Rejected::split(result)? {
        Ok(report) => import_page(&cx, &t, Some(report), None).await,
        Err(r) => import_page(&cx, &t, None, Some(r)).await,
    }
}

/// The import form on a training's page.
pub(super) fn import_form(lang: Lang, id: i64) -> PageForm {
    PageForm {
        id: "import".into(),
        action: format!("/trainings/{id}/participants/import"),
        fields: vec![
            Field::new(lang, "file", ("学员名单（Excel .xlsx）", "Participants (Excel .xlsx)"), "file")
                .required()
                .help(
                    lang,
                    (
                        "表头：姓名、单位、职务、电话、是否到课、学时。任何一行有误都不会写入，并列出出错的行和列。",
                        "Columns: 姓名, 单位, 职务, 电话, 是否到课, 学时. If any row is wrong nothing is written and each bad row and column is listed.",
                    ),
                ),
            Field::new(lang, "mode", ("导入方式", "Mode"), "select")
                .options(
                    lang,
                    vec![
                        ("replace".into(), lang.tr("替换现有名单", "Replace the list").into()),
                        ("add".into(), lang.tr("追加到名单", "Add to the list").into()),
                    ],
                    &["replace".into()],
                )
                .without_blank(),
        ],
        submit: lang.tr("导入名单", "Import").into(),
        class: "",
        confirm: None,
        multipart: true,
    }
}

/// The participants panel of a training's page, and one "remove" button per person for whoever
/// keeps the training (shown for lists of up to 60).
pub(super) async fn participants_section(
    cx: &Ctx,
    t: &Training,
    may_edit: bool,
) -> Result<(Section, Vec<PageForm>), ApiError> {
    let lang = cx.lang;
    let people = cx.store().training_participants(cx.viewer(), t.id).await?;
    let mut table = Table::new(
        lang,
        &[
            ("序号", "No."),
            ("姓名", "Name"),
            ("单位", "Unit"),
            ("区县", "County"),
            ("职务", "Post"),
            ("电话", "Phone"),
            ("是否到课", "Attended"),
            ("学时", "Hours"),
        ],
    );
    table.empty = if may_edit {
        lang.tr(
            "尚无学员名单。请下载模板填写后在下方导入。",
            "No participants yet. Fill in the template and import it below.",
        )
    } else {
        lang.tr("尚无学员名单。", "No participants yet.")
    }
    .into();
    let mut forms = Vec::new();
    for (n, p) in people.iter().enumerate() {
        let unit = match p.organization_id {
            Some(o) => Cell::link(&p.unit, format!("/organizations/{o}")),
            None => Cell::text(&p.unit),
        };
        table.rows.push(vec![
            Cell::text((n + 1).to_string()),
            Cell::text(&p.name),
            unit,
            Cell::opt(
                p.county_code
                    .as_deref()
                    .map(|c| codes::division_name(c).unwrap_or_else(|| c.to_string())),
                lang,
            ),
            Cell::opt(p.post.clone(), lang),
            Cell::opt(p.phone.clone(), lang),
            if p.attended {
                Cell::badge(lang.tr("到课", "Yes"), "a-yes")
            } else {
                Cell::badge(lang.tr("缺课", "No"), "a-no")
            },
            Cell::opt(p.hours_attended.map(show_hours), lang),
        ]);
        if may_edit && people.len() <= 60 {
            forms.push(PageForm {
                id: format!("remove-{}", p.id),
                action: format!("/trainings/{}/participants/{}/remove", t.id, p.id),
                fields: vec![],
                submit: format!("{}{}", lang.tr("移出名单：", "Remove: "), p.name),
                class: "danger",
                confirm: Some(
                    lang.tr("确定将此人移出学员名单？", "Take this person off the list?")
                        .into(),
                ),
                multipart: false,
            });
        }
    }
    let title = format!(
        "{}（{} {} / {} {}）",
        lang.tr("学员名单", "Participants"),
        lang.tr("到课", "attended"),
        t.attended_count,
        lang.tr("名单", "listed"),
        t.participant_count
    );
    let section = Section {
        id: "participants",
        title,
        table,
        add: may_edit.then(|| {
            (
                lang.tr("导入学员名单", "Import participants").to_string(),
                format!("/trainings/{}/participants/import", t.id),
            )
        }),
    };
    Ok((section, forms))
}

/// The import template: the header row and two example rows.
async fn template(_who: Auth) -> Result<Response, ApiError> {
    let bytes = hezuo_app::trainings::template()?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"participants-template.xlsx\"; filename*=UTF-8''%E5%AD%A6%E5%91%98%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---- the counts page ----

fn counts_table(lang: Lang, c: &TrainedCounts, by: TrainedBy) -> Table {
    let first = match by {
        TrainedBy::County => ("区县", "County"),
        TrainedBy::Kind => ("类型", "Kind"),
    };
    let mut t = Table::new(
        lang,
        &[
            first,
            ("培训（场次）", "Trainings"),
            ("培训人数（到课）", "People trained"),
        ],
    );
    t.empty = lang
        .tr("该年度暂无到课记录。", "Nobody attended a training that year.")
        .into();
    for r in &c.rows {
        let label = match by {
            TrainedBy::Kind => hezuo_domain::training::TrainingKind::parse(&r.key)
                .map(|k| lang.pick(&k.label()).to_string())
                .unwrap_or_else(|| r.label.clone()),
            TrainedBy::County if r.key.is_empty() => lang.tr("未注明区县", "County not known").into(),
            TrainedBy::County => r.label.clone(),
        };
        let href = match by {
            TrainedBy::Kind => format!("/trainings?year={}&kind={}", c.year, r.key),
            TrainedBy::County if r.key.is_empty() => format!("/trainings?year={}", c.year),
            TrainedBy::County => format!("/trainings?year={}&county={}", c.year, r.key),
        };
        t.rows.push(vec![
            Cell::link(label, href),
            Cell::text(r.trainings.to_string()),
            Cell::text(r.trained.to_string()),
        ]);
    }
    if !c.rows.is_empty() {
        t.rows.push(vec![
            Cell::text(lang.tr("合计", "Total")),
            Cell::text(""),
            Cell::text(c.total.to_string()),
        ]);
    }
    t
}

/// `/trainings/counts?year=Y`: people trained that year by county (the main table) and by kind.
async fn page_counts(cx: Ctx, Query(q): Query<CountsQuery>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let by_county = counts(
        &cx.s,
        &cx.who,
        &CountsQuery {
            year: q.year.clone(),
            by: Some("county".into()),
        },
    )
    .await?;
    let by_kind = counts(
        &cx.s,
        &cx.who,
        &CountsQuery {
            year: q.year.clone(),
            by: Some("kind".into()),
        },
    )
    .await?;
    let year = by_county.year;
    let this_year = cx.store().today().year();
    let years: Vec<(String, String)> = (this_year - 5..=this_year)
        .rev()
        .map(|y| (y.to_string(), format!("{y}{}", lang.tr("年", ""))))
        .collect();
    let heading = format!("{year}{}", lang.tr(" 年培训人数统计", ": people trained"));
    let filters = vec![
        Field::new(lang, "year", ("年度", "Year"), "select")
            .options(lang, years, &[year.to_string()])
            .without_blank(),
    ];
    let table = counts_table(lang, &by_county, TrainedBy::County);
    let page = Page::whole(by_county.rows.clone());
    let mut view = ListPage::new(
        cx.layout("trainings", heading.clone()),
        &cx.uri,
        heading,
        filters,
        table,
        &page,
    );
    view.aside = vec![(
        lang.tr("按类型", "By kind").to_string(),
        counts_table(lang, &by_kind, TrainedBy::Kind),
    )];
    view.links.push((
        lang.tr("返回培训列表", "Back to trainings").into(),
        format!("/trainings?year={year}"),
    ));
    Ok(views::render(&view))
}
