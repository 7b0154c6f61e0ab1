//! Signing in and out, one's own account (password, API tokens), and the API's `auth/login`,
//! `me` and `tokens`. Sessions are server-side; the cookie holds only a random secret.

use crate::auth::{Auth, ClientIp, DEVICE_COOKIE, SESSION_COOKIE, Via, cookie_value};
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody, RawBody, parse_form, parse_json};
use crate::i18n::Lang;
use crate::resource::related;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, Layout, local_time};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use hezuo_domain::{FieldErrors, Msg, Page};
use hezuo_store::accounts::{ApiToken, KNOWN_DEVICE_DAYS, LoginOutcome, SESSION_HOURS, User};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/login", get(login_page).post(login_submit))
        .at("/logout", post(logout))
        .at("/account", get(account_page))
        .at("/account/password", post(password_submit))
        .at("/account/tokens", post(token_submit))
        .at("/account/tokens/{id}/revoke", post(token_revoke_page))
        .at("/api/v1/auth/login", post(api_login))
        .at("/api/v1/auth/logout", post(api_logout))
        .at("/api/v1/me", get(api_me))
        .at("/api/v1/tokens", get(api_tokens).post(api_token_create))
        .at("/api/v1/tokens/{id}/revoke", post(api_token_revoke))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: Option<String>,
    next: String,
    username: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticePage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub secret: String,
    pub back_href: String,
    pub back_label: String,
}

pub struct TokenRow {
    id: i64,
    name: String,
    created: String,
    expires: String,
    state: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    notice: Option<String>,
    props: Vec<(String, Cell)>,
    fields: Vec<Field>,
    has_errors: bool,
    tokens: Vec<TokenRow>,
    /// The reminders sent to the user's person (experts and others linked to a person).
    reminders: Vec<(String, String, String)>,
}

/// Where to go after signing in: a path on this site, never another host.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".to_string(),
    }
}

fn cookie(s: &AppState, value: &str, max_age: i64) -> HeaderValue {
    named_cookie(s, SESSION_COOKIE, value, max_age)
}

/// The session cookie of a session just made (a self-registered account signs in at once).
pub(crate) fn session_cookie_header(s: &AppState, secret: &str) -> HeaderValue {
    cookie(s, secret, SESSION_HOURS * 3600)
}

fn named_cookie(s: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .expect("cookie is ASCII")
}

/// What signing in sets: the session cookie, and the cookie that marks this browser as one the user
/// signed in with (sign-in throttling per account does not hold it up).
struct SignedIn {
    user: User,
    csrf: String,
    cookies: [HeaderValue; 2],
}

async fn login_page(lang: Lang, uri: Uri) -> Response {
    let next = views::query_param(&uri, "next");
    let page = LoginPage {
        layout: Layout::anonymous(lang, &uri, "", lang.tr("登录", "Sign in")),
        error: None,
        next: safe_next(next.as_deref()),
        username: String::new(),
    };
    views::render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Signs in: on success the user, the CSRF token and the cookies to set.
async fn sign_in(s: &AppState, ip: Option<&str>, device: Option<&str>, f: &LoginForm) -> Result<SignedIn, ApiError> {
    match s.store.login(f.username.trim(), &f.password, ip, device).await? {
        LoginOutcome::Ok { user, device } => {
            let (secret, csrf) = s.store.create_session(user.id, ip).await?;
            let cookies = [
                cookie(s, &secret, SESSION_HOURS * 3600),
                named_cookie(s, DEVICE_COOKIE, &device, KNOWN_DEVICE_DAYS * 86400),
            ];
            Ok(SignedIn { user, csrf, cookies })
        }
        LoginOutcome::Refused => Err(ApiError::Status(
            StatusCode::UNAUTHORIZED,
            Msg::new("用户名或密码不正确", "Wrong username or password"),
        )),
        LoginOutcome::Throttled(secs) => Err(ApiError::Status(
            StatusCode::TOO_MANY_REQUESTS,
            Msg::new(
                format!("登录失败次数过多，请 {secs} 秒后再试"),
                format!("Too many failed sign-ins; try again in {secs} seconds"),
            ),
        )),
    }
}

async fn login_submit(
    State(s): State<AppState>,
    lang: Lang,
    uri: Uri,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    let f: LoginForm = parse_form(&body).unwrap_or_default();
    let device = cookie_value(&headers, DEVICE_COOKIE);
    match sign_in(&s, ip.as_deref(), device.as_deref(), &f).await {
        Ok(done) => {
            let to = if done.user.must_change_password {
                "/account".to_string()
            } else {
                safe_next(f.next.as_deref())
            };
            let mut res = views::redirect(&to);
            for c in done.cookies {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        Err(e) => {
            let status = e.status();
            let page = LoginPage {
                layout: Layout::anonymous(lang, &uri, "", lang.tr("登录", "Sign in")),
                error: Some(e.body(lang).error),
                next: safe_next(f.next.as_deref()),
                username: f.username,
            };
            let mut res = views::render(&page);
            *res.status_mut() = status;
            res
        }
    }
}

fn clear_cookie(s: &AppState) -> HeaderValue {
    cookie(s, "", 0)
}

async fn logout(State(s): State<AppState>, who: Auth) -> Result<Response, ApiError> {
    if let Some(secret) = &who.session {
        s.store.end_session(secret).await?;
    }
    let mut res = views::redirect("/login");
    res.headers_mut().append(header::SET_COOKIE, clear_cookie(&s));
    Ok(res)
}

fn password_fields(lang: Lang) -> Vec<Field> {
    vec![
        Field::new(lang, "current_password", ("当前密码", "Current password"), "password"),
        Field::new(lang, "new_password", ("新密码", "New password"), "password")
            .help(lang, ("至少 10 个字符。", "At least 10 characters.")),
        Field::new(
            lang,
            "confirm_password",
            ("再次输入新密码", "New password again"),
            "password",
        ),
    ]
}

/// The account page: who one is, the password form (with its errors), tokens and reminders.
async fn account_view(cx: &Ctx, notice: Option<String>, errors: FieldErrors) -> Result<Response, ApiError> {
    let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
    let u = &who.user;
    let mut props = vec![
        (lang.tr("用户名", "Username").to_string(), Cell::text(&u.username)),
        (lang.tr("角色", "Role").into(), Cell::text(lang.pick(&u.role.label()))),
    ];
    if let Some(o) = u.organization_id
        && let Some(org) = related(s.store.get_organization(&who.viewer, o).await)?
    {
        props.push((
            lang.tr("所属单位", "Organisation").into(),
            Cell::link(&org.name, format!("/organizations/{o}")),
        ));
    }
    if let Some(p) = u.person_id {
        let person = s.store.get_person(&who.viewer, p).await?;
        props.push((
            lang.tr("本人档案", "My profile").into(),
            Cell::link(&person.name, format!("/people/{p}")),
        ));
    }
    let notice = notice.or_else(|| {
        u.must_change_password.then(|| {
            lang.tr(
                "您正在使用一次性密码，请先设置自己的新密码。",
                "You signed in with a one-time password: choose your own now.",
            )
            .to_string()
        })
    });
    let tokens = s
        .store
        .list_tokens(u.id)
        .await?
        .into_iter()
        .map(|t| {
            let now = Utc::now();
            let (state, active) = if t.revoked_at.is_some() {
                (lang.tr("已吊销", "Revoked"), false)
            } else if t.expires_at.is_some_and(|e| e <= now) {
                (lang.tr("已过期", "Expired"), false)
            } else {
                (lang.tr("有效", "Active"), true)
            };
            TokenRow {
                id: t.id,
                name: t.name,
                created: local_time(t.created_at),
                expires: t
                    .expires_at
                    .map(local_time)
                    .unwrap_or_else(|| lang.tr("不过期", "Never").into()),
                state: state.into(),
                active,
            }
        })
        .collect();
    let reminders = match u.person_id {
        Some(p) => s
            .store
            .notifications(p, 20)
            .await?
            .into_iter()
            .map(|n| (n.day.to_string(), n.subject, n.body))
            .collect(),
        None => Vec::new(),
    };
    let has_errors = !errors.is_empty();
    let page = AccountPage {
        reminders,
        layout: cx.layout("account", lang.tr("我的账号", "My account")),
        notice,
        props,
        fields: Field::errors_from(password_fields(lang), &errors, lang),
        has_errors,
        tokens,
    };
    let status = if has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(views::render_with(status, &page))
}

async fn account_page(cx: Ctx) -> Result<Response, ApiError> {
    let notice =
        views::query_param(&cx.uri, "changed").map(|_| cx.tr("密码已修改。", "Your password was changed.").to_string());
    account_view(&cx, notice, FieldErrors::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn password_submit(cx: Ctx, FormBody(f): FormBody<PasswordForm>) -> Result<Response, ApiError> {
    if f.new_password != f.confirm_password {
        let e = FieldErrors::one(
            "confirm_password",
            Msg::new("两次输入的新密码不一致", "The two new passwords differ"),
        );
        return account_view(&cx, None, e).await;
    }
    let keep = cx.who.session.clone().unwrap_or_default();
    match cx
        .store()
        .change_password(cx.who.user.id, &f.current_password, &f.new_password, &keep)
        .await
    {
        Ok(()) => Ok(views::redirect("/account?changed=1")),
        Err(hezuo_store::StoreError::Invalid(e)) => account_view(&cx, None, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    name: String,
    expires_on: Option<String>,
    /// For the API: an RFC 3339 time or a date.
    expires_at: Option<String>,
}

fn expiry(f: &TokenForm) -> Result<Option<chrono::DateTime<Utc>>, ApiError> {
    let raw = f
        .expires_at
        .as_deref()
        .or(f.expires_on.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(raw) = raw else { return Ok(None) };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    // A date means the end of that day in China.
    raw.parse::<NaiveDate>()
        .map(|d| Some(d.and_hms_opt(23, 59, 59).expect("valid time").and_utc() - chrono::Duration::hours(8)))
        .map_err(|_| {
            ApiError::Invalid(FieldErrors::one(
                "expires_at",
                Msg::new("到期时间格式不正确", "Not a valid expiry date"),
            ))
        })
}

async fn token_submit(cx: Ctx, FormBody(f): FormBody<TokenForm>) -> Result<Response, ApiError> {
    let (_, secret) = cx.store().create_token(cx.who.user.id, &f.name, expiry(&f)?).await?;
    let page = NoticePage {
        layout: cx.layout("account", cx.tr("API 令牌", "API token")),
        heading: cx.tr("新的 API 令牌", "Your new API token").into(),
        message: cx
            .tr(
                "请立即复制保存，令牌只显示这一次：",
                "Copy it now; it will not be shown again:",
            )
            .into(),
        secret,
        back_href: "/account#tokens".into(),
        back_label: cx.tr("返回我的账号", "Back to my account").into(),
    };
    Ok(views::render(&page))
}

async fn token_revoke_page(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    cx.store().revoke_token(cx.who.user.id, id).await?;
    Ok(views::redirect("/account#tokens"))
}

#[derive(Serialize)]
struct LoginAnswer {
    user: User,
    /// Send it as `X-CSRF-Token` with every state-changing request made with the session cookie.
    csrf_token: String,
}

async fn api_login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonBody(f): JsonBody<LoginForm>,
) -> Result<Response, ApiError> {
    let device = cookie_value(&headers, DEVICE_COOKIE);
    let done = sign_in(&s, ip.as_deref(), device.as_deref(), &f).await?;
    let mut res = Json(LoginAnswer {
        user: done.user,
        csrf_token: done.csrf,
    })
    .into_response();
    for c in done.cookies {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

async fn api_logout(State(s): State<AppState>, who: Auth) -> Result<Response, ApiError> {
    if let Some(secret) = &who.session {
        s.store.end_session(secret).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().append(header::SET_COOKIE, clear_cookie(&s));
    Ok(res)
}

async fn api_me(who: Auth) -> Json<User> {
    Json(who.user)
}

async fn api_tokens(State(s): State<AppState>, who: Auth) -> Result<Json<Page<ApiToken>>, ApiError> {
    Ok(Json(Page::whole(s.store.list_tokens(who.user.id).await?)))
}

#[derive(Serialize)]
struct NewToken {
    /// The secret: shown this once, stored only as a hash.
    token: String,
    #[serde(flatten)]
    info: ApiToken,
}

/// A new API token for the signed-in user, named by the body (an empty body is refused, naming `name`);
/// a token cannot make another.
async fn api_token_create(State(s): State<AppState>, who: Auth, RawBody(body): RawBody) -> Result<Response, ApiError> {
    if who.via == Via::Token {
        return Err(ApiError::Status(
            StatusCode::FORBIDDEN,
            Msg::new(
                "API 令牌不能再创建令牌，请用账号登录后创建",
                "A token cannot create tokens; sign in to create one",
            ),
        ));
    }
    let f: TokenForm = if body.is_empty() {
        TokenForm::default()
    } else {
        parse_json(&body)?
    };
    let (info, token) = s.store.create_token(who.user.id, &f.name, expiry(&f)?).await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, info })).into_response())
}

async fn api_token_revoke(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    s.store.revoke_token(who.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
