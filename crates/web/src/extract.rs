//! What handlers take from a request, each rejecting with an [`ApiError`] that names the problem in
//! the user's language: [`Id`] / [`Ids`] (a path id that is not a positive integer is "not found"),
//! [`JsonBody`], [`FormBody`] (an HTML form read the way JSON is: a repeated field becomes a list),
//! [`Query`], [`JsonObject`] (a PATCH/PUT body, laid over the current record by [`merge_input`]) and
//! [`Upload`] (a multipart form); and [`IfMatch`], the version a client says it read, and
//! [`Edit`], a form for a record that exists with the version it was filled in on.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Multipart, RawPathParams, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use hezuo_domain::Msg;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The record id in the path (`{id}`).
pub struct Id(pub i64);

/// A record id and the id of something under it (`{id}` and `{mid}`: a project and its milestone).
pub struct Ids(pub i64, pub i64);

async fn path_ids<S: Send + Sync, const N: usize>(
    parts: &mut Parts,
    state: &S,
    names: [&str; N],
) -> Result<[i64; N], ApiError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = params
            .iter()
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .filter(|i| *i > 0)
            .ok_or(ApiError::NotFound)?;
    }
    Ok(out)
}

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let [id] = path_ids(parts, state, ["id"]).await?;
        Ok(Id(id))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let [id, mid] = path_ids(parts, state, ["id", "mid"]).await?;
        Ok(Ids(id, mid))
    }
}

/// The `If-Match` header: the version (the ETag) the client read, for a write that must not
/// overwrite a change made since. `*` or no header: no condition. An ETag that is not one of ours
/// can never match, so the write is refused (412) rather than done.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(v) = parts.headers.get(axum::http::header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let v = v.to_str().unwrap_or("").trim();
        if v == "*" {
            return Ok(IfMatch(None));
        }
        let tag = v.trim_start_matches("W/").trim_matches('"');
        Ok(IfMatch(Some(tag.parse::<i64>().ok().filter(|n| *n >= 0).unwrap_or(-1))))
    }
}

/// The ETag of a record at `version`.
pub fn etag(version: i64) -> axum::http::HeaderValue {
    axum::http::HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header")
}

/// A form for a record that exists: its fields, and the version of the record the form showed
/// (the hidden field `_version`), so that saving it does not overwrite a change made meanwhile.
#[derive(Debug, serde::Deserialize)]
pub struct Edit<I> {
    #[serde(flatten)]
    pub input: I,
    #[serde(rename = "_version", default)]
    version: Option<String>,
}

impl<I> Edit<I> {
    /// The version the form was filled in on (None for a form without one: no condition).
    pub fn version(&self) -> Option<i64> {
        self.version.as_deref().map(|v| v.trim().parse::<i64>().unwrap_or(-1))
    }
}

/// The query string as `T`; none at all is `T::default()`.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query()).map(Query)
    }
}

/// A JSON body as `T`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        parse_json(&body(req, state).await?).map(JsonBody)
    }
}

/// A JSON object, for PATCH and PUT: the fields sent, to lay over the record's current input.
#[derive(Clone)]
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match parse_json(&body(req, state).await?)? {
            Value::Object(m) => Ok(JsonObject(m)),
            _ => Err(ApiError::bad_request(Msg::new(
                "请求体应为 JSON 对象",
                "The body must be a JSON object",
            ))),
        }
    }
}

/// An HTML form (`application/x-www-form-urlencoded`) as `T`, read the way JSON is.
pub struct FormBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        parse_form(&body(req, state).await?).map(FormBody)
    }
}

/// The body as it came (for what reads it leniently itself); over the limit it is a 413 like any.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        body(req, state).await.map(RawBody)
    }
}

/// A multipart form (an upload).
pub struct Upload(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Multipart::from_request(req, state).await.map(Upload).map_err(|e| {
            ApiError::bad_request(Msg::new(
                format!("上传数据无效：{}", e.body_text()),
                format!("Invalid upload: {}", e.body_text()),
            ))
        })
    }
}

/// The request's body, or 413 when it is over the limit.
async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::Status(
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::new("请求体过大", "The request is too large"),
            )
        } else {
            ApiError::bad_request(Msg::new(
                format!("请求体无法读取：{}", e.body_text()),
                format!("The body could not be read: {}", e.body_text()),
            ))
        }
    })
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

/// Reads an HTML form into `T` the same way JSON is read: each field becomes a string, and a field
/// sent more than once (a multi-select) becomes a list.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let invalid = |e: &dyn std::fmt::Display| {
        ApiError::bad_request(Msg::new(
            format!("表单数据无效：{e}"),
            format!("Invalid form data: {e}"),
        ))
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| invalid(&e))?;
    let mut obj = Map::new();
    for (k, v) in pairs {
        match obj.get_mut(&k) {
            None => {
                obj.insert(k, Value::String(v));
            }
            Some(Value::Array(a)) => a.push(Value::String(v)),
            Some(prev) => {
                let first = prev.take();
                *prev = Value::Array(vec![first, Value::String(v)]);
            }
        }
    }
    serde_json::from_value(Value::Object(obj)).map_err(|e| invalid(&e))
}

/// Lays a partial JSON object over a record's current input, for PATCH/PUT: what is sent replaces,
/// what is left out stays.
pub fn merge_input<I: Serialize + DeserializeOwned>(current: &I, patch: JsonObject) -> Result<I, ApiError> {
    let mut base = serde_json::to_value(current).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Value::Object(b) = &mut base {
        b.extend(patch.0);
    }
    serde_json::from_value(base).map_err(|e| {
        ApiError::bad_request(Msg::new(
            format!("请求体字段类型有误：{e}"),
            format!("A field has the wrong type: {e}"),
        ))
    })
}
