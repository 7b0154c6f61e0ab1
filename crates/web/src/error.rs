//! The one error type of every handler, extractor and middleware: a status for each case, and the
//! words for it in both languages. It is a response by itself ([`IntoResponse`]): the error travels
//! in the response's extensions, and one layer ([`crate::views::render_errors`]) writes it out in
//! the request's language — JSON `{"error", "fields"}` under `/api/`, the error page elsewhere —
//! and logs a 500 once with its cause. So handlers return `Result<_, ApiError>` and use `?`.

use crate::i18n::Lang;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hezuo_domain::{FieldErrors, Msg};
use hezuo_store::{StoreError, Version};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub enum ApiError {
    NotFound,
    /// 422: input that breaks a rule, per field.
    Invalid(FieldErrors),
    /// 409: input that clashes with stored data.
    Conflict(FieldErrors),
    /// 412: the record changed since the writer read it (`If-Match`, or a form's version).
    Stale(Version),
    /// 400 / 401 / 403 / 413 / 429 … with a message.
    Status(StatusCode, Msg),
    /// 500: the cause is logged, never shown.
    Internal(String),
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in the caller's language.
    pub error: String,
    /// Field name → what is wrong with it.
    pub fields: BTreeMap<String, String>,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Invalid(f) => ApiError::Invalid(f),
            StoreError::Conflict(f) => ApiError::Conflict(f),
            StoreError::Stale(v) => ApiError::Stale(v),
            StoreError::Forbidden(m) => ApiError::Status(StatusCode::FORBIDDEN, m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<hezuo_app::Error> for ApiError {
    fn from(e: hezuo_app::Error) -> Self {
        match e {
            hezuo_app::Error::Store(e) => e.into(),
            hezuo_app::Error::Internal(cause) => ApiError::Internal(cause),
            hezuo_app::Error::Busy(b) => b.into(),
        }
    }
}

/// A fault of the machinery (the search index, a worker thread): a 500, its cause logged.
impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(format!("{e:#}"))
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// Matching and search's queue is full: 503, `Retry-After: 1` (added in [`IntoResponse`]).
impl From<hezuo_app::pool::Busy> for ApiError {
    fn from(_: hezuo_app::pool::Busy) -> Self {
        ApiError::Status(StatusCode::SERVICE_UNAVAILABLE, hezuo_app::pool::Busy::words())
    }
}

impl From<FieldErrors> for ApiError {
    fn from(f: FieldErrors) -> Self {
        ApiError::Invalid(f)
    }
}

impl ApiError {
    pub fn bad_request(msg: Msg) -> Self {
        ApiError::Status(StatusCode::BAD_REQUEST, msg)
    }

    /// 422 with one field's message.
    pub fn field(name: &str, msg: Msg) -> Self {
        ApiError::Invalid(FieldErrors::one(name, msg))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Stale(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::Status(s, _) => *s,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user reads, in their language (a 500 says only that something failed).
    pub fn body(&self, lang: Lang) -> ErrorBody {
        let en = lang.en();
        let fields = |f: &FieldErrors| f.0.iter().map(|(k, v)| (k.clone(), v.get(en).to_string())).collect();
        let (error, fields) = match self {
            ApiError::NotFound => (lang.t().not_found.to_string(), BTreeMap::new()),
            ApiError::Invalid(f) => (lang.t().invalid_input.to_string(), fields(f)),
            ApiError::Conflict(f) => (lang.t().conflict.to_string(), fields(f)),
            ApiError::Stale(v) => (lang.pick(&stale_message(v)).to_string(), BTreeMap::new()),
            ApiError::Status(_, m) => (m.get(en).to_string(), BTreeMap::new()),
            ApiError::Internal(_) => (lang.t().internal_error.to_string(), BTreeMap::new()),
        };
        ErrorBody { error, fields }
    }
}

/// Who changed the record since it was read, and when: "此记录已被 张三 于 2026-06-15 10:00 修改".
pub fn changed_by(v: &Version) -> Msg {
    match (&v.by, v.at) {
        (Some(by), Some(at)) => {
            let at = (at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M");
            Msg::new(
                format!("此记录已被 {by} 于 {at} 修改"),
                format!("{by} changed this record at {at}"),
            )
        }
        _ => Msg::new("此记录已被他人修改", "Someone else changed this record"),
    }
}

/// The answer to a write made on a version that is no longer current.
fn stale_message(v: &Version) -> Msg {
    let who = changed_by(v);
    Msg::new(
        format!("{}，晚于您读取的版本：请重新读取后再修改", who.zh),
        format!(
            "{}, after the version you read: read it again before changing it",
            who.en
        ),
    )
}

impl IntoResponse for ApiError {
    /// The status, with the error in the extensions for the rendering layer; the body is the
    /// Chinese JSON, which that layer replaces with the request's language and form.
    fn into_response(self) -> Response {
        let mut res = (self.status(), axum::Json(self.body(Lang::Zh))).into_response();
        // A 503 is a full queue of matching and search jobs: worth trying again in a second.
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(1u32));
        }
        res.extensions_mut().insert(self);
        res
    }
}
