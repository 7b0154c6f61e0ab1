//! One error type for every handler: the status for each case, JSON `{"error", "fields"}` for the API,
//! a page for browsers; a 500 hides its details from the user and is logged once.

use crate::i18n::Lang;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hezuo_domain::{FieldErrors, Msg};
use hezuo_store::StoreError;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug)]
pub enum ApiError {
    NotFound,
    /// 422: input that breaks a rule, per field.
    Invalid(FieldErrors),
    /// 409: input that clashes with stored data.
    Conflict(FieldErrors),
    /// 400 / 413 / 415 with a message.
    Status(StatusCode, Msg),
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
            StoreError::Forbidden(m) => ApiError::Status(StatusCode::FORBIDDEN, m),
            other => ApiError::Internal(other.to_string()),
        }
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

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Status(s, _) => *s,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self, lang: Lang) -> ErrorBody {
        let en = lang.en();
        let fields = |f: &FieldErrors| f.0.iter().map(|(k, v)| (k.clone(), v.get(en).to_string())).collect();
        match self {
            ApiError::NotFound => ErrorBody {
                error: lang.t().not_found.into(),
                fields: BTreeMap::new(),
            },
            ApiError::Invalid(f) => ErrorBody {
                error: lang.t().invalid_input.into(),
                fields: fields(f),
            },
            ApiError::Conflict(f) => ErrorBody {
                error: lang.t().conflict.into(),
                fields: fields(f),
            },
            ApiError::Status(_, m) => ErrorBody {
                error: m.get(en).into(),
                fields: BTreeMap::new(),
            },
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ErrorBody {
                    error: lang.t().internal_error.into(),
                    fields: BTreeMap::new(),
                }
            }
        }
    }

    /// The JSON response in the caller's language.
    pub fn json(self, lang: Lang) -> Response {
        (self.status(), axum::Json(self.body(lang))).into_response()
    }

    /// A full page for browsers.
    pub fn page(self, lang: Lang) -> Response {
        let status = self.status();
        let body = self.body(lang);
        let detail: Vec<String> = body.fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        crate::views::error_page(lang, status, &body.error, &detail.join("; "))
    }
}

/// Errors from API handlers: JSON in the language the request asked for.
pub struct Api(pub ApiError, pub Lang);

impl IntoResponse for Api {
    fn into_response(self) -> Response {
        self.0.json(self.1)
    }
}

/// Errors from page handlers: an HTML page.
pub struct Page(pub ApiError, pub Lang);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        self.0.page(self.1)
    }
}

pub async fn not_found_fallback(lang: Lang, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound.json(lang)
    } else {
        ApiError::NotFound.page(lang)
    }
}
