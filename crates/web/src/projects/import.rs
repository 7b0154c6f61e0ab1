//! Importing the year's project list (年度合作项目清单): the page with its upload form and the
//! columns explained, `POST /api/v1/projects/import`, and the template. The sheet is read and
//! written by `hezuo_app::project_import` — all rows or none, every bad cell named by its row,
//! column letter and header.

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
use hezuo_app::project_import::ProjectImport;
use hezuo_domain::access::Action;
use hezuo_domain::project_import::{COLUMNS, letter};
use hezuo_domain::{Msg, RecordKind};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/projects/import", post(api_import))
        .at("/api/v1/projects/import/template", get(template))
        .at("/projects/import", get(page_form).post(page_import))
        .at("/projects/import/template", get(template))
}

/// Reads the upload's `file`.
async fn read_upload(mut mp: Multipart) -> Result<Vec<u8>, ApiError> {
    let mut file = None;
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
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(bad)?.to_vec());
        }
    }
    file.filter(|f| !f.is_empty()).ok_or_else(|| {
        ApiError::field(
            "file",
            Msg::new("请选择要导入的 Excel 文件", "Choose an Excel file to import"),
        )
    })
}

async fn import(s: &AppState, who: &Auth, mp: Multipart) -> Result<ProjectImport, ApiError> {
    let bytes = read_upload(mp).await?;
    Ok(hezuo_app::project_import::import(&s.store, &who.viewer, &bytes).await?)
}

/// 201 with the new projects' ids, or 422 with every bad cell and nothing written.
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
            "导入失败，未写入任何数据：请按行号和列改正后重新上传",
            "Nothing was imported: correct the cells listed and upload again",
        )
    });
    let body = serde_json::json!({
        "created": report.created, "ids": report.ids, "errors": report.errors, "error": error,
    });
    Ok((status, Json(body)).into_response())
}

/// One column as the page explains it.
pub struct ColumnNote {
    pub letter: String,
    pub header: &'static str,
    pub required: bool,
    pub aliases: String,
    pub note: &'static str,
}

/// One bad cell as the page lists it.
pub struct BadCell {
    pub row: usize,
    pub cell: String,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "project_import.html")]
pub struct ImportPage {
    pub layout: Layout,
    pub created: Option<usize>,
    pub errors: Vec<BadCell>,
    pub error: Option<String>,
    pub columns: Vec<ColumnNote>,
    /// Whether the user's role may import (others see the columns and the template only).
    pub may_import: bool,
}

/// The import page, with the outcome of an upload (its report, or why the sheet was refused).
async fn page(cx: &Ctx, report: Option<ProjectImport>, error: Option<Rejected>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let failed = report.as_ref().is_some_and(|r| !r.errors.is_empty());
    let refusal = error.as_ref().map(|r| r.status);
    let error = error.map(|r| r.errors.0.values().map(|m| lang.pick(m)).collect::<Vec<_>>().join("；"));
    let errors = report
        .as_ref()
        .map(|r| {
            r.errors
                .iter()
                .map(|e| BadCell {
                    row: e.row,
                    cell: e.cell.clone(),
                    column: e.column.clone(),
                    message: if lang.en() {
                        e.message_en.clone()
                    } else {
                        e.message.clone()
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let view = ImportPage {
        layout: cx.layout(
            "projects",
            lang.tr("导入年度合作项目清单", "Import the year's project list"),
        ),
        created: report.filter(|r| r.errors.is_empty()).map(|r| r.created),
        errors,
        error,
        columns: COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| ColumnNote {
                letter: letter(i),
                header: c.header,
                required: c.required,
                aliases: c.aliases.join("、"),
                note: c.note,
            })
            .collect(),
        may_import: cx.viewer().role.may(RecordKind::Project, Action::Create),
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
    let bytes = hezuo_app::project_import::template()?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                // 年度合作项目清单导入模板.xlsx
                "attachment; filename=\"projects-template.xlsx\"; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E5%90%88%E4%BD%9C%E9%A1%B9%E7%9B%AE%E6%B8%85%E5%8D%95%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}
