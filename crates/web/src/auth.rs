//! Who is asking. One middleware ([`authenticate`]) resolves every request's user — from an
//! `Authorization: Bearer` API token or the session cookie — checks the CSRF token of every
//! state-changing request made with a cookie, and leaves an [`Auth`] in the request for handlers.
//! Pages without a session go to the sign-in page; the API answers 401.

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hezuo_domain::Msg;
use hezuo_store::Viewer;
use hezuo_store::accounts::User;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "hezuo_session";
/// The cookie that marks a browser a user signed in with before (see `Store::login`).
pub const DEVICE_COOKIE: &str = "hezuo_device";
/// The form field (also in multipart forms) or header carrying the CSRF token; never the address.
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub viewer: Viewer,
    /// The session's CSRF token (empty for API tokens, which need none).
    pub csrf: String,
    pub via: Via,
    /// The session secret (to keep this session when the password changes).
    pub session: Option<String>,
}

/// The client's address, for the audit log and login throttling: the peer's, or behind a trusted
/// proxy (`--trust-forwarded-for`) the first address of `X-Forwarded-For`.
pub fn client_ip(parts: &Parts) -> Option<String> {
    let trusted = parts
        .extensions
        .get::<AppState>()
        .is_some_and(|s| s.trust_forwarded_for);
    if trusted
        && let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
    {
        return Some(first.to_string());
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// The value of the cookie `name`, when the request carries it.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.split(';')
                .map(str::trim)
                .find_map(|kv| kv.strip_prefix(&prefix).map(str::to_string))
        })
        .filter(|v| !v.is_empty())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(|t| t.trim().to_string())
}

pub(crate) async fn resolve(s: &AppState, headers: &HeaderMap, ip: Option<String>) -> Result<Option<Auth>, ApiError> {
    if let Some(t) = bearer(headers) {
        let Some((user, viewer)) = s.store.token_auth(&t, ip).await? else {
            return Ok(None);
        };
        return Ok(Some(Auth {
            user,
            viewer,
            csrf: String::new(),
            via: Via::Token,
            session: None,
        }));
    }
    if let Some(secret) = session_cookie(headers) {
        let Some((user, viewer, csrf)) = s.store.session_auth(&secret, ip).await? else {
            return Ok(None);
        };
        return Ok(Some(Auth {
            user,
            viewer,
            csrf,
            via: Via::Session,
            session: Some(secret),
        }));
    }
    Ok(None)
}

/// Paths anyone may reach, signed in or not: signing in, the public portal (`/public` and below) and
/// self-registration's form and API (the list, a record and the decisions ask for a user).
fn public(path: &str) -> bool {
    path == "/public"
        || path.starts_with("/public/")
        || matches!(
            path,
            "/register" | "/static/register.js" | "/api/v1/registrations/challenge" | "/api/v1/registrations"
        )
        || matches!(
            path,
            "/login"
                | "/healthz"
                | "/static/style.css"
                | "/static/app.js"
                | "/favicon.ico"
                | "/api/v1/auth/login"
                | "/api/v1/openapi.json"
        )
}

/// What a pending account (an application not approved) may reach: its own application.
pub fn pending_may(path: &str) -> bool {
    matches!(
        path,
        "/register"
            | "/register/status"
            | "/register/verify"
            | "/register/resend"
            | "/static/register.js"
            | "/api/v1/registrations/mine"
            | "/api/v1/registrations/mine/verify"
            | "/api/v1/registrations/mine/resend"
    )
}

fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The text field `name` of a multipart form (the pages put the CSRF token first, before the file).
async fn multipart_field(headers: &HeaderMap, bytes: axum::body::Bytes, name: &str) -> Option<String> {
    let mut req = Request::new(Body::from(bytes));
    req.headers_mut()
        .insert(header::CONTENT_TYPE, headers.get(header::CONTENT_TYPE)?.clone());
    let mut form = axum::extract::Multipart::from_request(req, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// Authenticates every request and guards state-changing ones against CSRF; see the module docs.
pub async fn authenticate(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Some(s) = parts.extensions.get::<AppState>().cloned() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the app state is missing").into_response();
    };
    let path = parts.uri.path().to_string();
    let api = path.starts_with("/api/");
    let ip = client_ip(&parts);
    let auth = match resolve(&s, &parts.headers, ip).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let mut body = body;
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && let Some(a) = auth.as_ref().filter(|a| a.via == Via::Session) {
        let mut sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // Never from the address: a token in a URL ends up in logs, history and Referer headers.
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let form = content_type.starts_with("application/x-www-form-urlencoded");
        let multipart = content_type.starts_with("multipart/form-data");
        if sent.is_none() && (form || multipart) {
            let bytes = match to_bytes(body, s.max_upload_bytes).await {
                Ok(b) => b,
                Err(_) => {
                    return ApiError::Status(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        Msg::new("请求体过大", "The request is too large"),
                    )
                    .into_response();
                }
            };
            sent = if form {
                query_value(std::str::from_utf8(&bytes).ok(), CSRF_FIELD)
            } else {
                multipart_field(&parts.headers, bytes.clone(), CSRF_FIELD).await
            };
            body = Body::from(bytes);
        }
        if sent.as_deref() != Some(a.csrf.as_str()) {
            let e = ApiError::Status(
                StatusCode::FORBIDDEN,
                Msg::new(
                    "表单已过期或来源不明，请刷新页面后重试",
                    "The form has expired or did not come from this site; reload the page and try again",
                ),
            );
            return e.into_response();
        }
    }
    match auth {
        Some(a) => {
            // A one-time password must be replaced before anything else.
            let allowed = [
                "/account",
                "/account/password",
                "/logout",
                "/static/style.css",
                "/static/app.js",
                "/favicon.ico",
            ];
            if a.via == Via::Session && a.user.must_change_password && !api && !allowed.contains(&path.as_str()) {
                return (StatusCode::SEE_OTHER, [(header::LOCATION, "/account".to_string())]).into_response();
            }
            // A self-registered account awaiting approval reaches its own application only.
            let pending_ok =
                pending_may(&path) || allowed[2..].contains(&path.as_str()) || path == "/api/v1/auth/logout";
            if a.user.pending && !pending_ok {
                if api {
                    return ApiError::Status(
                        StatusCode::FORBIDDEN,
                        Msg::new(
                            "企业注册申请尚未通过审核：账号只能查看本企业的注册申请",
                            "The registration is not approved yet: this account sees only its own application",
                        ),
                    )
                    .into_response();
                }
                return (
                    StatusCode::SEE_OTHER,
                    [(header::LOCATION, "/register/status".to_string())],
                )
                    .into_response();
            }
            parts.extensions.insert(a);
        }
        None if public(&path) => {}
        None if api => {
            let e = ApiError::Status(
                StatusCode::UNAUTHORIZED,
                Msg::new("请先登录或提供有效的 API 令牌", "Sign in or send a valid API token"),
            );
            let mut res = e.into_response();
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static header"));
            return res;
        }
        None => {
            let next_path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let to = format!("/login?next={}", urlencoding::encode(next_path));
            return (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The peer's address, when the server knows it.
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // The middleware lets no request without an Auth reach a handler that asks for one.
        parts.extensions.get::<Auth>().cloned().ok_or_else(|| {
            ApiError::Status(
                StatusCode::UNAUTHORIZED,
                Msg::new("请先登录或提供有效的 API 令牌", "Sign in or send a valid API token"),
            )
        })
    }
}
