//! Attachments (附件) on any record: multipart upload (type sniffed from the bytes, size limited),
//! metadata, download and archive, through the API and from every detail page.

use crate::AppState;
use crate::RouteExt;
use crate::auth::Auth;
use crate::error::{Api, ApiError, Page as PageErr};
use crate::i18n::Lang;
use crate::resource::{created, parse_query, path_id};
use crate::views::{self, Cell, Table};
use axum::extract::{Multipart, Path, RawQuery, State};
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

/// The attachments panel of a detail page.
pub fn attachment_table(lang: Lang, items: &[Attachment]) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("文件名", "File"),
            ("类型", "Type"),
            ("大小", "Size"),
            ("上传时间", "Uploaded"),
        ],
    );
    for a in items {
        t.rows.push(vec![
            Cell::link(&a.filename, format!("/api/v1/attachments/{}/content", a.id)),
            Cell::text(a.content_type.split(';').next().unwrap_or("")),
            Cell::text(views::human_size(a.size_bytes)),
            Cell::text(crate::projects::local_time(a.created_at)),
        ]);
    }
    t
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentFilter {
    /// organization, person, agreement, project or milestone.
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
}

fn record_ref(kind: Option<&str>, id: Option<&str>) -> Result<(RecordKind, i64), ApiError> {
    let mut e = FieldErrors::new();
    let kind = match kind.map(str::trim).and_then(RecordKind::parse) {
        Some(k) => Some(k),
        None => {
            e.add(
                "record_kind",
                Msg::new(
                    "记录类型无效，应为 organization、person、agreement、project 或 milestone",
                    "record_kind must be organization, person, agreement, project or milestone",
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
    lang: Lang,
    who: Auth,
    RawQuery(q): RawQuery,
) -> Result<Json<Page<Attachment>>, Api> {
    let run = async {
        let f: AttachmentFilter = parse_query(q.as_deref())?;
        let (kind, id) = record_ref(f.record_kind.as_deref(), f.record_id.as_deref())?;
        let items = s.store.list_attachments(&who.viewer, kind, id).await?;
        Ok::<_, ApiError>(Page::whole(items))
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_get(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Attachment>, Api> {
    let run = async { Ok::<_, ApiError>(s.store.get_attachment(&who.viewer, path_id(&id)?).await?) };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn api_archive(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, Api> {
    let run = async { Ok::<_, ApiError>(s.store.archive_attachment(&who.viewer, path_id(&id)?).await?) };
    run.await.map(|_| StatusCode::NO_CONTENT).map_err(|e| Api(e, lang))
}

async fn download(State(s): State<AppState>, lang: Lang, who: Auth, Path(id): Path<String>) -> Result<Response, Api> {
    let run = async {
        let a = s.store.get_attachment(&who.viewer, path_id(&id)?).await?;
        let bytes = s.store.attachment_content(&a).await?;
        let name = urlencoding::encode(&a.filename).into_owned();
        // Only images and PDFs open in the browser; everything else downloads.
        let inline = a.content_type.starts_with("image/") || a.content_type == "application/pdf";
        let disposition = format!(
            "{}; filename*=UTF-8''{name}",
            if inline { "inline" } else { "attachment" }
        );
        Ok::<_, ApiError>(
            (
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
                .into_response(),
        )
    };
    run.await.map_err(|e| Api(e, lang))
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

async fn api_upload(State(s): State<AppState>, lang: Lang, who: Auth, mp: Multipart) -> Result<Response, Api> {
    let a = read_upload(&s, &who, mp).await.map_err(|e| Api(e, lang))?;
    Ok(created(format!("/api/v1/attachments/{}", a.id), a))
}

async fn page_upload(State(s): State<AppState>, lang: Lang, who: Auth, mp: Multipart) -> Result<Response, PageErr> {
    let a = read_upload(&s, &who, mp).await.map_err(|e| PageErr(e, lang))?;
    let plural = match a.record_kind {
        RecordKind::Milestone => "projects",
        other => other.plural(),
    };
    let id = if a.record_kind == RecordKind::Milestone {
        s.store
            .get_milestone(&who.viewer, a.record_id)
            .await
            .map_err(|e| PageErr(e.into(), lang))?
            .project_id
    } else {
        a.record_id
    };
    Ok(views::redirect(&format!("/{plural}/{id}#attachments")))
}
