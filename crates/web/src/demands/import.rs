//! Importing demands from a spreadsheet: the page with its upload form and column list, the API,
//! and the template to fill in. The sheet is read and written by `hezuo_app::demands::import` — all
//! rows or none, every bad cell named by row and column.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Upload;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx, Layout, Rejected};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_app::demands::{COLUMNS, ImportReport};
use hezuo_domain::access::Action;
use hezuo_domain::{Msg, RecordKind, input};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/demands/import", post(api_import))
        .at("/demands/import", get(page_form).post(page_import))
        .at("/demands/import/template", get(template))
}

/// Reads the upload: `file` and an optional `campaign_id`.
async fn read_upload(mut mp: Multipart) -> Result<(Vec<u8>, Option<i64>), ApiError> {
    let (mut file, mut campaign) = (None, None);
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::Status(
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::new(
                    "文件超过上传上限：请拆分为几个文件分别导入",
                    "The file is over the upload limit: split it and import the parts",
                ),
            )
        } else {
            ApiError::bad_request(Msg::new(format!("上传数据无效：{e}"), format!("Invalid upload: {e}")))
        }
    };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(field.bytes().await.map_err(bad)?.to_vec()),
            "campaign_id" => {
                let t = field.text().await.map_err(bad)?;
                if !t.trim().is_empty() {
                    campaign = Some(input::parse_id(&t).map_err(|m| ApiError::field("campaign_id", m))?);
                }
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
    Ok((file, campaign))
}

async fn import(s: &AppState, who: &Auth, mp: Multipart) -> Result<ImportReport, ApiError> {
    let (bytes, campaign) = read_upload(mp).await?;
    Ok(hezuo_app::demands::import(&s.store, &who.viewer, &bytes, campaign).await?)
}

/// 201 with the new demands' ids, or 422 with every bad cell and nothing written.
async fn api_import(
    State(s): State<AppState>,
    lang: crate::i18n::Lang,
    who: Auth,
    Upload(mp): Upload,
) -> Result<Response, ApiError> {
    let report = import(&s, &who, mp).await?;
    let status = if report.errors.is_empty() {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let error = (!report.errors.is_empty()).then(|| {
        lang.tr(
            "导入失败，未写入任何数据：请按行号和列名改正后重新上传",
            "Nothing was imported: correct the rows listed and upload again",
        )
    });
    let body =
        serde_json::json!({ "created": report.created, "ids": report.ids, "errors": report.errors, "error": error });
    Ok((status, Json(body)).into_response())
}

#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub layout: Layout,
    pub campaigns: Vec<(String, String)>,
    pub report: Option<ImportReport>,
    pub error: Option<String>,
    pub columns: Vec<(&'static str, bool)>,
    /// Whether the user's role may import (others see the columns and the template only).
    pub may_import: bool,
}

/// The import page, with the outcome of an upload (its report, or why the sheet was refused).
async fn page(cx: &Ctx, report: Option<ImportReport>, error: Option<Rejected>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let campaigns = cx
        .store()
        .campaign_options(cx.viewer())
        .await?
        .into_iter()
        .map(|(id, title)| (id.to_string(), title))
        .collect();
    let failed = report.as_ref().is_some_and(|r| !r.errors.is_empty());
    // A sheet refused as a whole: why, above the form, with the refusal's status (422, 409).
    let refusal = error.as_ref().map(|r| r.status);
    let error = error.map(|r| r.errors.0.values().map(|m| lang.pick(m)).collect::<Vec<_>>().join("；"));
    let view = ImportPage {
        layout: cx.layout("demands", lang.tr("批量导入技术需求", "Import demands")),
        campaigns,
        report,
        error,
        columns: COLUMNS.iter().map(|(h, _, r)| (*h, *r)).collect(),
        may_import: cx.viewer().role.may(RecordKind::Demand, Action::Create),
    };
    let status = match (&refusal, failed) {
        (Some(s), _) => *s,
        (None, true) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, false) => StatusCode::OK,
    };
    Ok(views::render_with(status, &view))
}

async fn page_form(cx: Ctx) -> Result<Response, ApiError> {
    page(&cx, None, None).await
}

async fn page_import(cx: Ctx, Upload(mp): Upload) -> Result<Response, ApiError> {
    // A sheet refused as a whole (no file, a missing column, imported before): said above the form.
    match Rejected::split(import(&cx.s, &cx.who, mp).await)? {
        Ok(report) => page(&cx, Some(report), None).await,
        Err(r) => page(&cx, None, Some(r)).await,
    }
}

/// The import template: the header row and one example row.
async fn template(_who: Auth) -> Result<Response, ApiError> {
    let header: Vec<&str> = COLUMNS.iter().map(|(h, _, _)| *h).collect();
    let example = vec![
        "91330800MA2XXXXXXX",
        "含氟废水深度处理工艺",
        "氟化工生产废水含氟浓度高，现有钙盐沉淀法出水难以稳定达标，希望合作开发深度除氟工艺。",
        "",
        "C26",
        "环境工程",
        "技术开发",
        "50",
        "200",
        "2026-12-31",
        "否",
        "",
        "",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let bytes = hezuo_report::sheet::write_rows("技术需求", &header, &[example]).map_err(ApiError::Internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"demands-template.xlsx\"; filename*=UTF-8''%E6%8A%80%E6%9C%AF%E9%9C%80%E6%B1%82%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}
