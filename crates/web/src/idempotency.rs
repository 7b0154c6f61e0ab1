//! POSTs that may be sent again: a client that lost the connection cannot know whether its request
//! was done, so it sends it again with the same `Idempotency-Key` header and gets the first answer
//! instead of a second record. Answers the records accepted (2xx, 3xx) are kept for 24 hours; a
//! refusal, a form shown again with its errors or a fault gives the key back, so a corrected retry is
//! done afresh. The same key with another request is refused (422); one still being handled answers
//! 409 with `Retry-After`.
//!
//! The pages' forms carry a one-time key of their own, `_idem` (a form shown again after a refusal
//! keeps the key it was sent with: [`FormKey`]). Once a form was accepted, sending it again — a
//! double-click, or the back button and "save" with or without changes — never does it twice: the
//! same content gets the first answer, other content a 409 naming where the first sending went.

use crate::auth::{Auth, CSRF_FIELD};
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hezuo_domain::Msg;
use hezuo_store::idempotency::{Claim, KeptAnswer, fingerprint};

/// The header clients send, and the form field / query parameter the pages use.
pub const HEADER: &str = "idempotency-key";
pub const FIELD: &str = "_idem";
/// Answers larger than this are not kept (a retry is then done again).
const KEEP_AT_MOST: usize = 1024 * 1024;

/// The one-time key of the form a page request was sent from, for the page handler: a form shown
/// again (its errors, a change made meanwhile) carries the same key, so that whichever copy of the
/// form is saved first is the only one saved.
#[derive(Debug, Clone)]
pub struct FormKey(pub String);

fn value_in(query: Option<&str>, key: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

pub async fn idempotent(req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (Some(auth), Some(s)) = (
        req.extensions().get::<Auth>().cloned(),
        req.extensions().get::<AppState>().cloned(),
    ) else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let from_header = parts
        .headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| value_in(parts.uri.query(), FIELD));
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    // Only what carries a key is read here; everything else streams on as it came.
    if from_header.is_none() && !form {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let bytes = match to_bytes(body, s.max_upload_bytes + 64 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::Status(
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::new("请求体过大", "The request is too large"),
            )
            .into_response();
        }
    };
    // A page's form carries its own key; sent again after being changed (the back button), it is a
    // new request, so the key is taken together with what is sent.
    let boundary = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').to_string());
    let print = fingerprint(
        parts.method.as_str(),
        parts.uri.path(),
        &what_is_asked(&bytes, form, boundary.as_deref()),
    );
    // A client's header key is its own; a page's form key is one-time: it names the form, whatever
    // the form carries when sent.
    let client = parts.headers.contains_key(HEADER);
    let form_key = match &from_header {
        Some(_) if client => None,
        Some(k) => Some(k.clone()),
        None if form => value_in(std::str::from_utf8(&bytes).ok(), FIELD),
        None => None,
    }
    .map(|k| k.trim().to_string());
    let key = match (&from_header, &form_key) {
        (Some(k), _) if client => Some(k.trim().to_string()),
        (_, Some(k)) => Some(format!("form:{k}")),
        _ => None,
    };
    let mut parts = parts;
    if let Some(k) = &form_key {
        parts.extensions.insert(FormKey(k.clone()));
    }
    let Some(key) = key else {
        return next.run(Request::from_parts(parts, Body::from(bytes))).await;
    };
    if key.is_empty() || key.len() > 255 {
        return ApiError::bad_request(Msg::new(
            "Idempotency-Key 应为 1–255 个字符",
            "Idempotency-Key must be 1 to 255 characters",
        ))
        .into_response();
    }
    let user = auth.user.id;
    // A retry that comes while the first is still being handled waits for its answer (a
    // double-click), up to a few seconds.
    for _ in 0..50 {
        match s.store.claim_idempotency_key(user, &key, &print).await {
            Err(e) => return ApiError::from(e).into_response(),
            Ok(Claim::OtherRequest) if form_key.is_some() => {
                return match s.store.kept_answer(user, &key).await {
                    Err(e) => ApiError::from(e).into_response(),
                    Ok(None) => {
                        // The first sending is still being handled: wait for it.
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                    Ok(Some(a)) => sent_already(a.location.as_deref()),
                };
            }
            Ok(Claim::OtherRequest) => {
                return ApiError::Status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Msg::new(
                        "这个 Idempotency-Key 已用于另一个请求：每个新请求请用新的键",
                        "This Idempotency-Key was used for another request: use a new key for each new request",
                    ),
                )
                .into_response();
            }
            Ok(Claim::InFlight) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            Ok(Claim::Answered(a)) => return replay(a),
            Ok(Claim::New) => {
                let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
                return keep(&s, user, &key, res).await;
            }
        }
    }
    let mut res = ApiError::Status(
        StatusCode::CONFLICT,
        Msg::new(
            "同一请求正在处理，请稍后再试",
            "The same request is being handled; try again shortly",
        ),
    )
    .into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

/// A one-time form sent again with other content after it was accepted: not done again (that
/// would make a second record, or overwrite with an old page), but said so, with where the first
/// sending went.
fn sent_already(location: Option<&str>) -> Response {
    let (zh, en) = match location.filter(|l| l.starts_with('/')) {
        Some(l) => (
            format!("这张表单已经提交并保存过（{l}），这次提交的内容没有保存。如需修改，请打开该记录再编辑；如需再建一条，请重新打开表单。"),
            format!("This form was already sent and saved ({l}); what you sent now was not saved. To change it, open that record and edit it; to add another, open the form again."),
        ),
        None => (
            "这张表单已经提交并保存过，这次提交的内容没有保存。如需再提交，请重新打开表单。".to_string(),
            "This form was already sent and saved; what you sent now was not saved. To send it again, open the form again.".to_string(),
        ),
    };
    ApiError::Status(StatusCode::CONFLICT, Msg::new(zh, en)).into_response()
}

/// What a request asks for, for telling two requests apart: a form's body without its CSRF token,
/// an upload's without the boundary the browser chose for this sending.
fn what_is_asked(bytes: &[u8], form: bool, boundary: Option<&str>) -> Vec<u8> {
    if form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).unwrap_or_default();
        let kept: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != CSRF_FIELD).collect();
        return serde_urlencoded::to_string(kept).unwrap_or_default().into_bytes();
    }
    match boundary.filter(|b| !b.is_empty()) {
        Some(b) => {
            let (b, mut out, mut rest) = (b.as_bytes(), Vec::with_capacity(bytes.len()), bytes);
            while let Some(i) = rest.windows(b.len()).position(|w| w == b) {
                out.extend_from_slice(&rest[..i]);
                out.extend_from_slice(b"--");
                rest = &rest[i + b.len()..];
            }
            out.extend_from_slice(rest);
            out
        }
        None => bytes.to_vec(),
    }
}

/// Keeps the answer for a retry when the records accepted the request; gives the key back otherwise.
async fn keep(s: &AppState, user: i64, key: &str, res: Response) -> Response {
    // A form shown again with its errors (422, or 409 for a change made meanwhile) is a refusal too:
    // the corrected form is sent with the same key.
    let refused = res.extensions().get::<ApiError>().is_some()
        || res.status().is_client_error()
        || res.status().is_server_error();
    if refused {
        if let Err(e) = s.store.release_idempotency_key(user, key).await {
            tracing::warn!(error = %e, "an idempotency key could not be given back");
        }
        return res;
    }
    let (parts, body) = res.into_parts();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            let _ = s.store.release_idempotency_key(user, key).await;
            return ApiError::Internal(format!("the answer could not be read: {e}")).into_response();
        }
    };
    if body.len() > KEEP_AT_MOST {
        // Too large to keep (a download): a retry simply does the request again.
        let _ = s.store.release_idempotency_key(user, key).await;
        return Response::from_parts(parts, Body::from(body));
    }
    let text = |h: header::HeaderName| parts.headers.get(h).and_then(|v| v.to_str().ok()).map(str::to_string);
    let kept = KeptAnswer {
        status: parts.status.as_u16(),
        content_type: text(header::CONTENT_TYPE),
        location: text(header::LOCATION),
        body: body.to_vec(),
    };
    if let Err(e) = s.store.keep_idempotent_answer(user, key, &kept).await {
        tracing::warn!(error = %e, "an idempotent answer could not be kept");
    }
    Response::from_parts(parts, Body::from(body))
}

/// The kept answer, marked as a replay.
fn replay(a: KeptAnswer) -> Response {
    let mut res = (StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK), a.body).into_response();
    let h = res.headers_mut();
    for (name, value) in [(header::CONTENT_TYPE, a.content_type), (header::LOCATION, a.location)] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            h.insert(name, v);
        }
    }
    h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}
