//! The public portal (`/public`, no sign-in): what the cooperation shows the world — notices and
//! news (通知公告) with their files, the open solicitation calls (征集公告) and how to take part, the
//! results catalogue, accepted demands' public summaries, platforms and the experts who opted in —
//! and a search over the same public text (`search.rs`).
//!
//! Everything here reads the store's `public_*` queries, which select only public records and only
//! their public fields; no page takes the signed-in user into account, so every visitor gets the
//! same page. Every page is cacheable (`ETag` from its bytes, `Last-Modified` from the change feed,
//! 304 on a match) and every request is rate-limited per client address ([`crate::rate_limit`]).

pub mod index;
mod pages;
mod search;

pub use index::PublicState;

use crate::routing::RouteExt;
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// How long a browser or a proxy may keep a public page without asking again.
pub const MAX_AGE_SECS: u32 = 60;
pub use index::REQUESTS_PER_MINUTE;
/// The largest page the cache layer reads to compute its `ETag`.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/public", get(pages::home))
        .at("/public/notices", get(pages::notices))
        .at("/public/notices/{id}", get(pages::notice))
        .at("/public/notices/{id}/files/{mid}", get(pages::notice_file))
        .at("/public/campaigns", get(pages::campaigns))
        .at("/public/campaigns/{id}", get(pages::campaign))
        .at("/public/results", get(pages::results))
        .at("/public/results/{id}", get(pages::result))
        .at("/public/demands", get(pages::demands))
        .at("/public/demands/{id}", get(pages::demand))
        .at("/public/platforms", get(pages::platforms))
        .at("/public/platforms/{id}", get(pages::platform))
        .at("/public/experts", get(pages::experts))
        .at("/public/experts/{id}", get(pages::expert))
        .at("/public/search", get(search::page))
        .layer(axum::middleware::from_fn(guard))
}

/// In front of every public route: the rate limit per address, then the page, made cacheable.
async fn guard(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Some(s) = parts.extensions.get::<AppState>().cloned() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the app state is missing").into_response();
    };
    let key = crate::auth::client_ip(&parts).unwrap_or_else(|| "unknown".into());
    if let Err(wait) = s.public.limiter.check(&key) {
        return crate::rate_limit::too_many(wait);
    }
    let method = parts.method.clone();
    let asked = parts.headers.clone();
    let res = next.run(Request::from_parts(parts, body)).await;
    if !matches!(method, Method::GET | Method::HEAD) || res.status() != StatusCode::OK {
        return res;
    }
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return res;
    }
    let last_modified = match last_modified(&s).await {
        Ok(t) => t,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be read").into_response();
    };
    let tag = format!("\"{}\"", hex(&Sha256::digest(&bytes)[..16]));
    let h = &mut parts.headers;
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&tag).expect("hex is a valid header"),
    );
    h.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_str(&http_date(last_modified)).expect("a date is a valid header"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age={MAX_AGE_SECS}")).expect("a valid header"),
    );
    if not_modified(&asked, &tag, last_modified) {
        let mut r = Response::from_parts(parts, Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r.headers_mut().remove(header::CONTENT_LENGTH);
        return r;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// When the public records last changed: the change feed's last entry, or the start of today in
/// China (the calls open and close by the day), whichever is later; whole seconds.
async fn last_modified(s: &AppState) -> hezuo_store::Result<DateTime<Utc>> {
    let (_, at) = s.store.public_stamp().await?;
    let midnight =
        s.store.today().and_hms_opt(0, 0, 0).expect("midnight exists").and_utc() - chrono::Duration::hours(8);
    let t = at.map_or(midnight, |a| a.max(midnight));
    Ok(DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t))
}

/// `If-None-Match` decides when sent (RFC 9110 §13.2.2); otherwise `If-Modified-Since`.
fn not_modified(asked: &HeaderMap, tag: &str, last_modified: DateTime<Utc>) -> bool {
    if let Some(v) = asked.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return v
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == tag || t == "*");
    }
    asked
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .is_some_and(|since| last_modified <= since.with_timezone(&Utc))
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
