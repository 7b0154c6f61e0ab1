//! Attachments (附件) on any record: multipart upload (type sniffed from the bytes, size limited),
//! metadata, download and archive, through the API and from every detail page.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Id, Query, Upload};
use crate::resource::created;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx};
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::attachment::{Attachment, check_upload, clean_filename};
use hezuo_domain::{FieldErrors, Msg, Page, RecordKind};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/attachments", get(api_list).post(api_upload))
        .at("/api/v1/attachments/{id}", get(api_get))
        .at("/api/v1/attachments/{id}/content", get(download))
        .at("/api/v1/attachments/{id}/archive", post(api_archive))
        .at("/attachments", post(page_upload))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentFilter {
    /// The kind of record: organization, person, agreement, project, milestone, problem, campaign,
    /// demand, research_result, expert_work, platform or platform_evaluation.
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
}

fn record_ref(kind: Option<&str>, id: Option<&str>) -> Result<(RecordKind, i64), ApiError> {
    let mut e = FieldErrors::new();
    let kind = match kind
        .map(str::trim)
        .and_then(RecordKind::parse)
        .filter(|k| RecordKind::ATTACHABLE.contains(k))
    {
        Some(k) => Some(k),
        None => {
            let kinds: Vec<&str> = RecordKind::ATTACHABLE.iter().map(|k| k.as_str()).collect();
            e.add(
                "record_kind",
                Msg::new(
                    format!("记录类型无效，应为 {}", kinds.join("、")),
                    format!("record_kind must be one of {}", kinds.join(", ")),
                ),
            );
            None
        }
    };
    let id = e.take("record_id", hezuo_domain::input::id(&id.map(str::to_string)));
    e.into_result(())?;
    Ok((kind.expect("checked"), id.expect("checked")))
}

async fn api_list(
    State(s): State<AppState>,
    who: Auth,
    Query(f): Query<AttachmentFilter>,
) -> Result<Json<Page<Attachment>>, ApiError> {
    let (kind, id) = record_ref(f.record_kind.as_deref(), f.record_id.as_deref())?;
    Ok(Json(Page::whole(
        s.store.list_attachments(&who.viewer, kind, id).await?,
    )))
}

async fn api_get(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Attachment>, ApiError> {
    Ok(Json(s.store.get_attachment(&who.viewer, id).await?))
}

async fn api_archive(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    s.store.archive_attachment(&who.viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The file itself: images and PDFs open in the browser, everything else downloads; either way
/// sandboxed, so a file can never run as part of the site.
async fn download(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Response, ApiError> {
    let a = s.store.get_attachment(&who.viewer, id).await?;
    let bytes = s.store.attachment_content(&a).await?;
    let name = urlencoding::encode(&a.filename).into_owned();
    let inline = a.content_type.starts_with("image/") || a.content_type == "application/pdf";
    let disposition = format!(
        "{}; filename*=UTF-8''{name}",
        if inline { "inline" } else { "attachment" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Reads the multipart form: record_kind, record_id and one file.
async fn read_upload(s: &AppState, who: &Auth, mut mp: Multipart) -> Result<Attachment, ApiError> {
    let (mut kind, mut id, mut file) = (None, None, None);
    let too_big = |limit: usize| {
        ApiError::Invalid(FieldErrors::one(
            "file",
            Msg::new(
                format!("文件超过上限 {:.1} MB", limit as f64 / 1048576.0),
                format!("The file is over the {:.1} MB limit", limit as f64 / 1048576.0),
            ),
        ))
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big(s.max_upload_bytes)),
            Err(e) => {
                return Err(ApiError::bad_request(Msg::new(
                    format!("上传数据无效：{e}"),
                    format!("Invalid upload: {e}"),
                )));
            }
        };
        match field.name().unwrap_or("") {
            "record_kind" => kind = field.text().await.ok(),
            "record_id" => id = field.text().await.ok(),
            "file" => {
                let name = clean_filename(field.file_name().unwrap_or(""));
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big(s.max_upload_bytes)),
                    Err(e) => {
                        return Err(ApiError::bad_request(Msg::new(
                            format!("上传数据无效：{e}"),
                            format!("Invalid upload: {e}"),
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    let (kind, id) = record_ref(kind.as_deref(), id.as_deref())?;
    let Some((name, bytes)) = file else {
        return Err(ApiError::Invalid(FieldErrors::one(
            "file",
            Msg::new("请选择要上传的文件", "Choose a file to upload"),
        )));
    };
    let mime =
        check_upload(&name, &bytes, s.max_upload_bytes).map_err(|m| ApiError::Invalid(FieldErrors::one("file", m)))?;
    Ok(s.store
        .add_attachment(&who.viewer, kind, id, &name, mime, &bytes)
        .await?)
}

async fn api_upload(State(s): State<AppState>, who: Auth, Upload(mp): Upload) -> Result<Response, ApiError> {
    let a = read_upload(&s, &who, mp).await?;
    Ok(created(format!("/api/v1/attachments/{}", a.id), a))
}

/// An upload from a record's page, which is shown again (a milestone's file, on its project's page).
async fn page_upload(cx: Ctx, Upload(mp): Upload) -> Result<Response, ApiError> {
    let a = read_upload(&cx.s, &cx.who, mp).await?;
    let (plural, id) = match a.record_kind {
        RecordKind::Milestone => (
            "projects",
            cx.store().get_milestone(cx.viewer(), a.record_id).await?.project_id,
        ),
        RecordKind::PlatformEvaluation => (
            "platforms",
            cx.store().get_evaluation(cx.viewer(), a.record_id).await?.platform_id,
        ),
        other => (other.plural(), a.record_id),
    };
    Ok(views::redirect(&format!("/{plural}/{id}#attachments")))
}
