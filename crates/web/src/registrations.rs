//! Enterprise self-registration (企业自助注册): `/register` (no sign-in: the form, its proof of work
//! solved by `static/register.js`, and a per-address limit), the applicant's own page
//! `/register/status` (what it sent, the emailed code, the decision — the only page a pending
//! account reaches, see `auth::pending_may`), and the decisions: `/registrations` for the office
//! and the county's coordinator, with the API under `/api/v1/registrations`.
//!
//! The per-address limit uses the portal's limiter (`rate_limit.rs`), with its own message.
//! Over 800 lines: the public form, the applicant's page, the office's pages and the API in one file.
//! Next split: `registrations/{form,review,api}.rs`, as `demands/` is split.

use crate::auth::{Auth, ClientIp};
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody, Query, RawBody, parse_form, parse_json};
use crate::i18n::Lang;
use crate::rate_limit::RateLimiter;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx, Layout, local_time};
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_app::registrations::{Mail, register, send_code, tell_decision};
use hezuo_domain::access::Role;
use hezuo_domain::registration::{Registration, RegistrationInput, RegistrationStatus, check_reason, counties_of};
use hezuo_domain::{FieldErrors, ListParams, Msg, Page};
use hezuo_store::registrations::CodeCheck;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/register", get(register_page).post(register_submit))
        .at("/register/status", get(status_page))
        .at("/register/verify", post(verify_submit))
        .at("/register/resend", post(resend_submit))
        .at("/static/register.js", get(register_js))
        .at("/registrations", get(list_page))
        .at("/registrations/{id}", get(detail_page))
        .at("/registrations/{id}/approve", post(approve_page))
        .at("/registrations/{id}/reject", post(reject_page))
        .at("/api/v1/registrations/challenge", get(api_challenge))
        .at("/api/v1/registrations", get(api_list).post(api_create))
        .at("/api/v1/registrations/mine", get(api_mine))
        .at("/api/v1/registrations/mine/verify", post(api_verify))
        .at("/api/v1/registrations/mine/resend", post(api_resend))
        .at("/api/v1/registrations/{id}", get(api_get))
        .at("/api/v1/registrations/{id}/approve", post(api_approve))
        .at("/api/v1/registrations/{id}/reject", post(api_reject))
}

// ---------------------------------------------------------------------------------------------
// The per-address limit.

/// Applications accepted from one address in [`WINDOW`].
pub const PER_ADDRESS: usize = 10;
pub const WINDOW: Duration = Duration::from_secs(600);

/// Submissions per address, in this process: the portal's token buckets (`rate_limit.rs`), ten at
/// once and ten more every ten minutes.
static LIMITER: std::sync::LazyLock<RateLimiter> =
    std::sync::LazyLock::new(|| RateLimiter::new(PER_ADDRESS as u32, WINDOW));

fn too_many(wait: u64) -> Response {
    let e = ApiError::Status(
        StatusCode::TOO_MANY_REQUESTS,
        Msg::new(
            format!("提交过于频繁：同一网络地址 10 分钟内最多提交 {PER_ADDRESS} 次注册，请 {wait} 秒后再试"),
            format!("Too many applications from this address; try again in {wait} seconds"),
        ),
    );
    let mut res = e.into_response();
    res.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&wait.to_string()).expect("digits"),
    );
    res
}

/// Counts a submission from `ip`; the seconds to wait when over the limit.
fn limit(ip: &Option<String>) -> Result<(), u64> {
    LIMITER
        .check(ip.as_deref().unwrap_or("unknown"))
        .map_err(|wait| (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1))
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The signed-in user, when there is one (the form is public).
pub struct MaybeAuth(Option<Auth>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuth {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuth(parts.extensions.get::<Auth>().cloned()))
    }
}

// ---------------------------------------------------------------------------------------------
// The form.

/// A text input of the form, with what was typed and its error.
struct Input {
    name: &'static str,
    label: String,
    kind: &'static str,
    auto: &'static str,
    value: String,
    error: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    errors: HashMap<String, String>,
    summary: Option<String>,
    challenge: String,
    bits: u32,
    industries: Vec<Choice>,
    counties: Vec<Choice>,
    mail: bool,
    top: Vec<Input>,
    contact: Vec<Input>,
    secret: Vec<Input>,
}

impl RegisterPage {
    fn err(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

async fn register_view(
    s: &AppState,
    lang: Lang,
    uri: &Uri,
    who: Option<&Auth>,
    i: RegistrationInput,
    errors: Option<(StatusCode, FieldErrors)>,
) -> Result<Response, ApiError> {
    let city = s.store.city_region().await?;
    let mut layout = Layout::anonymous(lang, uri, "register", lang.tr("企业注册", "Enterprise registration"));
    if let Some(a) = who {
        layout.csrf = a.csrf.clone();
    }
    let chosen_ind = i.industry_code.clone().unwrap_or_default().trim().to_ascii_uppercase();
    let mut industries = vec![Choice {
        value: String::new(),
        label: lang.tr("（请选择）", "(choose)").into(),
        selected: chosen_ind.is_empty(),
    }];
    industries.extend(hezuo_domain::codes::industries().iter().map(|x| Choice {
        selected: x.code == chosen_ind,
        label: if x.section.is_some() {
            format!("　{} {}", x.code, x.name)
        } else {
            format!("{} {}", x.code, x.name)
        },
        value: x.code.clone(),
    }));
    let chosen_county = i.region_code.clone().unwrap_or_default();
    let mut counties = vec![Choice {
        value: String::new(),
        label: lang.tr("（请选择）", "(choose)").into(),
        selected: chosen_county.is_empty(),
    }];
    counties.extend(
        counties_of(city.as_deref().unwrap_or(""))
            .into_iter()
            .map(|(code, name)| Choice {
                selected: code == chosen_county,
                label: name,
                value: code,
            }),
    );
    // A county typed into the API that is not in the list stays visible with its error.
    if !chosen_county.is_empty() && !counties.iter().any(|c| c.selected) {
        counties.push(Choice {
            label: hezuo_domain::codes::division_name(&chosen_county).unwrap_or_else(|| chosen_county.clone()),
            value: chosen_county,
            selected: true,
        });
    }
    let (status, errors) = errors.unwrap_or((StatusCode::OK, FieldErrors::new()));
    let input = |name: &'static str, zh: &'static str, en: &'static str, kind: &'static str, auto: &'static str| {
        let value = match (kind, name) {
            ("password", _) => None,
            (_, "name") => i.name.clone(),
            (_, "credit_code") => i.credit_code.clone(),
            (_, "contact_name") => i.contact_name.clone(),
            (_, "phone") => i.phone.clone(),
            (_, "email") => i.email.clone(),
            _ => None,
        };
        Input {
            name,
            label: lang.tr(zh, en).to_string(),
            kind,
            auto,
            value: value.unwrap_or_default(),
            error: errors.get(name).map(|m| lang.pick(m).to_string()).unwrap_or_default(),
        }
    };
    let top = vec![
        input("name", "企业名称", "Enterprise name", "text", "organization"),
        input(
            "credit_code",
            "统一社会信用代码",
            "Unified social credit code",
            "text",
            "off",
        ),
    ];
    let contact = vec![
        input("contact_name", "联系人", "Contact person", "text", "name"),
        input("phone", "联系电话", "Phone", "tel", "tel"),
        input(
            "email",
            "电子邮箱（接收验证码）",
            "Email (for the code)",
            "email",
            "email",
        ),
    ];
    let secret = vec![
        input(
            "password",
            "登录密码（至少 10 个字符）",
            "Password (at least 10 characters)",
            "password",
            "new-password",
        ),
        input(
            "password_again",
            "再次输入密码",
            "Password again",
            "password",
            "new-password",
        ),
    ];
    let page = RegisterPage {
        top,
        contact,
        secret,
        layout,
        summary: (!errors.is_empty()).then(|| lang.t().form_has_errors.to_string()),
        errors: errors
            .0
            .iter()
            .map(|(k, m)| (k.clone(), lang.pick(m).to_string()))
            .collect(),
        challenge: hezuo_app::pow::issue(now_secs()),
        bits: hezuo_app::pow::BITS,
        industries,
        counties,
        mail: s.mailer.is_some(),
    };
    Ok(views::render_with(status, &page))
}

async fn register_page(
    State(s): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeAuth(who): MaybeAuth,
) -> Result<Response, ApiError> {
    if let Some(a) = &who
        && a.user.pending
        && let Some(r) = s.store.registration_of_user(a.user.id).await?
        && r.status != RegistrationStatus::Rejected
    {
        // One open application per account: it is followed on its own page.
        return Ok(views::redirect("/register/status"));
    }
    register_view(&s, lang, &uri, who.as_ref(), RegistrationInput::default(), None).await
}

/// Signs the new account in: the session cookie for the response, and the session's CSRF token.
async fn sign_in(s: &AppState, reg: &Registration, ip: Option<&str>) -> Result<(HeaderValue, String), ApiError> {
    let (secret, csrf) = s.store.create_session(reg.user_id, ip).await?;
    Ok((crate::account::session_cookie_header(s, &secret), csrf))
}

async fn register_submit(
    State(s): State<AppState>,
    lang: Lang,
    uri: Uri,
    ClientIp(ip): ClientIp,
    MaybeAuth(who): MaybeAuth,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    if let Err(wait) = limit(&ip) {
        return Ok(too_many(wait));
    }
    let i: RegistrationInput = parse_form(&body)?;
    match register(&s.store, s.mailer.as_ref(), &i, ip.as_deref(), now_secs()).await {
        Ok((reg, mail)) => {
            let (cookie, _) = sign_in(&s, &reg, ip.as_deref()).await?;
            let mut res = views::redirect(&format!("/register/status?mail={}", mail_code(mail)));
            res.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(e) => match ApiError::from(e) {
            e @ (ApiError::Invalid(_) | ApiError::Conflict(_)) => {
                let status = e.status();
                let (ApiError::Invalid(errors) | ApiError::Conflict(errors)) = e else {
                    unreachable!("matched above")
                };
                register_view(&s, lang, &uri, who.as_ref(), i, Some((status, errors))).await
            }
            e => Err(e),
        },
    }
}

fn mail_code(m: Mail) -> &'static str {
    match m {
        Mail::Sent => "sent",
        Mail::NotConfigured => "none",
        Mail::Failed => "failed",
        Mail::Wait(_) => "wait",
        Mail::Exhausted => "exhausted",
        Mail::NotNeeded => "verified",
    }
}

async fn register_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/register.js"),
    )
}

// ---------------------------------------------------------------------------------------------
// The applicant's own page.

#[derive(Template)]
#[template(path = "register_status.html")]
struct StatusPage {
    layout: Layout,
    r: Registration,
    props: Vec<(String, String)>,
    status: String,
    notice: Option<String>,
    error: Option<String>,
    mail: bool,
    verified: bool,
}

/// The application of the signed-in account (404 when it has none).
async fn own(s: &AppState, who: &Auth) -> Result<Registration, ApiError> {
    s.store
        .registration_of_user(who.user.id)
        .await?
        .ok_or(ApiError::NotFound)
}

fn props(lang: Lang, r: &Registration) -> Vec<(String, String)> {
    let t = |zh: &'static str, en: &'static str| lang.tr(zh, en).to_string();
    vec![
        (t("企业名称", "Name"), r.name.clone()),
        (t("统一社会信用代码", "Credit code"), r.credit_code.clone()),
        (
            t("所属行业", "Industry"),
            format!("{} {}", r.industry_code, r.industry_name.clone().unwrap_or_default()),
        ),
        (
            t("所在区县", "County"),
            r.region_name.clone().unwrap_or_else(|| r.region_code.clone()),
        ),
        (t("联系人", "Contact"), r.contact_name.clone()),
        (t("联系电话", "Phone"), r.phone.clone()),
        (t("电子邮箱", "Email"), r.email.clone()),
        (t("登录用户名", "Username"), r.username.clone()),
        (t("提交时间", "Submitted"), local_time(r.created_at)),
    ]
}

async fn status_view(cx: &Ctx, mail: Option<Mail>, error: Option<(StatusCode, String)>) -> Result<Response, ApiError> {
    let r = own(&cx.s, &cx.who).await?;
    let lang = cx.lang;
    let notice = match mail {
        Some(Mail::NotNeeded) if r.email_verified_at.is_some() => {
            Some(lang.tr("邮箱验证成功", "The email is verified").to_string())
        }
        Some(m) => Some(lang.pick(&m.words(&r.email)).to_string()),
        None => None,
    };
    let mut layout = cx.layout("register", lang.tr("注册申请", "My application"));
    if cx.who.user.pending {
        layout.menu.clear();
    }
    let (status, error) = match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    };
    let page = StatusPage {
        layout,
        props: props(lang, &r),
        status: lang.pick(&r.status.label()).to_string(),
        verified: r.email_verified_at.is_some(),
        notice,
        error,
        mail: cx.s.mailer.is_some(),
        r,
    };
    Ok(views::render_with(status, &page))
}

async fn status_page(cx: Ctx) -> Result<Response, ApiError> {
    let mail = views::query_param(&cx.uri, "mail").map(|m| match m.as_str() {
        "sent" => Mail::Sent,
        "none" => Mail::NotConfigured,
        "failed" => Mail::Failed,
        "exhausted" => Mail::Exhausted,
        "verified" => Mail::NotNeeded,
        _ => Mail::Wait(60),
    });
    status_view(&cx, mail, None).await
}

#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CodeInput {
    /// The six digits emailed.
    #[schema(required, example = "123456")]
    pub code: Option<String>,
}

/// The words of a code check; Ok when verified.
fn code_result(c: CodeCheck) -> Result<(), ApiError> {
    let m = match c {
        CodeCheck::Verified => return Ok(()),
        CodeCheck::Wrong(left) => Msg::new(
            format!("验证码不正确，还可尝试 {left} 次"),
            format!("Wrong code; {left} tries left"),
        ),
        CodeCheck::Expired => Msg::new("验证码已过期，请重新发送验证码", "The code has expired; send a new one"),
        CodeCheck::Locked => Msg::new(
            "验证码错误次数过多，已失效：请重新发送验证码",
            "Too many wrong codes; this one is locked: send a new one",
        ),
        CodeCheck::NoCode => Msg::new(
            "尚未发送验证码，请先点击“发送验证码”",
            "No code was sent yet; send one first",
        ),
    };
    Err(ApiError::Invalid(FieldErrors::one("code", m)))
}

async fn verify(s: &AppState, who: &Auth, i: &CodeInput) -> Result<Registration, ApiError> {
    let r = own(s, who).await?;
    let code = i.code.clone().unwrap_or_default();
    if code.trim().is_empty() {
        return Err(ApiError::Invalid(FieldErrors::one(
            "code",
            Msg::new("请填写邮件中的 6 位验证码", "Type the six-digit code from the email"),
        )));
    }
    code_result(s.store.verify_registration_code(&who.viewer, r.id, &code).await?)?;
    own(s, who).await
}

async fn verify_submit(cx: Ctx, FormBody(i): FormBody<CodeInput>) -> Result<Response, ApiError> {
    match verify(&cx.s, &cx.who, &i).await {
        Ok(_) => Ok(views::redirect("/register/status?mail=verified")),
        Err(ApiError::Invalid(e)) => {
            let msg = e.get("code").map(|m| cx.lang.pick(m).to_string()).unwrap_or_default();
            status_view(&cx, None, Some((StatusCode::UNPROCESSABLE_ENTITY, msg))).await
        }
        Err(e) => Err(e),
    }
}

async fn resend(s: &AppState, who: &Auth) -> Result<Mail, ApiError> {
    let r = own(s, who).await?;
    Ok(send_code(&s.store, s.mailer.as_ref(), &r).await?)
}

async fn resend_submit(cx: Ctx) -> Result<Response, ApiError> {
    let mail = resend(&cx.s, &cx.who).await?;
    if let Mail::Wait(secs) = mail {
        let msg = cx.lang.pick(&mail.words("")).to_string();
        let mut res = status_view(&cx, None, Some((StatusCode::TOO_MANY_REQUESTS, msg))).await?;
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&secs.to_string()).expect("digits"),
        );
        return Ok(res);
    }
    Ok(views::redirect(&format!("/register/status?mail={}", mail_code(mail))))
}

// ---------------------------------------------------------------------------------------------
// The decisions: the office's and the county coordinators' pages.

/// Who reads applications at all: the office, leaders and coordinators (theirs); others never.
fn may_read(who: &Auth) -> Result<(), ApiError> {
    match who.viewer.role {
        Role::Office | Role::Leader | Role::Coordinator if !who.user.pending => Ok(()),
        _ => Err(ApiError::Status(
            StatusCode::FORBIDDEN,
            hezuo_domain::access::forbidden(),
        )),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct RegistrationFilter {
    /// `pending` (the default of the page), `approved`, `rejected`; `all` for every one.
    pub status: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl RegistrationFilter {
    fn status(&self, default: Option<RegistrationStatus>) -> Result<Option<RegistrationStatus>, ApiError> {
        match self.status.as_deref().map(str::trim) {
            None | Some("") => Ok(default),
            Some("all") => Ok(None),
            Some(s) => RegistrationStatus::parse(s).map(Some).ok_or_else(|| {
                ApiError::Invalid(FieldErrors::one(
                    "status",
                    Msg::new(
                        format!("状态“{s}”无效，可选 pending、approved、rejected、all"),
                        format!("“{s}” is not a status: pending, approved, rejected or all"),
                    ),
                ))
            }),
        }
    }
    fn params(&self) -> ListParams {
        ListParams {
            page: self.page.clone(),
            per_page: self.per_page.clone(),
            ..Default::default()
        }
    }
}

struct ListRow {
    id: i64,
    name: String,
    code: String,
    county: String,
    contact: String,
    verified: bool,
    status: String,
    status_code: &'static str,
    created: String,
}

#[derive(Template)]
#[template(path = "registrations.html")]
struct ListView {
    layout: Layout,
    rows: Vec<ListRow>,
    total: i64,
    tabs: Vec<(String, String, bool)>,
    prev: Option<String>,
    next: Option<String>,
}

async fn list_page(cx: Ctx, Query(f): Query<RegistrationFilter>) -> Result<Response, ApiError> {
    may_read(&cx.who)?;
    let status = f.status(Some(RegistrationStatus::Pending))?;
    let params = f.params();
    let page = cx.store().list_registrations(cx.viewer(), status, &params).await?;
    let lang = cx.lang;
    let rows = page
        .items
        .iter()
        .map(|r| ListRow {
            id: r.id,
            name: r.name.clone(),
            code: r.credit_code.clone(),
            county: r.region_name.clone().unwrap_or_else(|| r.region_code.clone()),
            contact: format!("{} {}", r.contact_name, r.phone),
            verified: r.email_verified_at.is_some(),
            status: lang.pick(&r.status.label()).to_string(),
            status_code: r.status.as_str(),
            created: local_time(r.created_at),
        })
        .collect();
    let current = status.map(|s| s.as_str()).unwrap_or("all");
    let tabs = ["pending", "approved", "rejected", "all"]
        .iter()
        .map(|k| {
            let label = match RegistrationStatus::parse(k) {
                Some(s) => lang.pick(&s.label()).to_string(),
                None => lang.tr("全部", "All").to_string(),
            };
            (format!("/registrations?status={k}"), label, *k == current)
        })
        .collect();
    let n = page.page;
    let pages = page.pages();
    let href = |p: u32| format!("/registrations?status={current}&page={p}");
    let view = ListView {
        layout: cx.layout("registrations", lang.tr("企业注册审核", "Registrations")),
        rows,
        total: page.total,
        tabs,
        prev: (n > 1).then(|| href(n - 1)),
        next: (n < pages).then(|| href(n + 1)),
    };
    Ok(views::render(&view))
}

#[derive(Template)]
#[template(path = "registration.html")]
struct DetailView {
    layout: Layout,
    r: Registration,
    props: Vec<(String, String)>,
    status: String,
    decided: String,
    may_decide: bool,
    verified: bool,
    error: Option<String>,
    reason: String,
}

async fn detail_view(
    cx: &Ctx,
    id: i64,
    error: Option<(StatusCode, String)>,
    reason: String,
) -> Result<Response, ApiError> {
    may_read(&cx.who)?;
    let r = cx.store().get_registration(cx.viewer(), id).await?;
    let lang = cx.lang;
    let may_decide = r.status == RegistrationStatus::Pending
        && cx
            .can(
                hezuo_domain::RecordKind::Registration,
                Some(id),
                hezuo_domain::access::Action::Update,
            )
            .await?;
    let decided = match (&r.decided_by, r.decided_at) {
        (Some(by), Some(at)) => format!("{by} · {}", local_time(at)),
        _ => String::new(),
    };
    let (status, error) = match error {
        Some((st, e)) => (st, Some(e)),
        None => (StatusCode::OK, None),
    };
    let view = DetailView {
        layout: cx.layout(
            "registrations",
            format!("{} · {}", lang.tr("企业注册", "Registration"), r.name),
        ),
        props: props(lang, &r),
        status: lang.pick(&r.status.label()).to_string(),
        decided,
        may_decide,
        verified: r.email_verified_at.is_some(),
        error,
        reason,
        r,
    };
    Ok(views::render_with(status, &view))
}

async fn detail_page(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    detail_view(&cx, id, None, String::new()).await
}

#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ApproveInput {
    /// The office called the applicant: needed when the email is not verified.
    #[serde(deserialize_with = "de_bool")]
    pub phone_checked: bool,
}

/// A checkbox ("on"), a JSON boolean or "true".
fn de_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::String(s) => matches!(s.as_str(), "on" | "true" | "1" | "yes"),
        serde_json::Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    })
}

#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RejectInput {
    /// Why: shown to the applicant and emailed to them.
    #[schema(required, max_length = 500)]
    pub reason: Option<String>,
}

/// A coordinator deciding an application outside their counties is refused (403), not told it
/// does not exist: the office routes applications, and the coordinator should know to pass it on.
async fn outside(s: &AppState, who: &Auth, id: i64) -> Result<(), ApiError> {
    if who.viewer.role == Role::Coordinator
        && matches!(
            s.store.get_registration(&who.viewer, id).await,
            Err(hezuo_store::StoreError::NotFound)
        )
        && s.store
            .get_registration(&hezuo_store::Viewer::system("check"), id)
            .await
            .is_ok()
    {
        return Err(ApiError::Status(
            StatusCode::FORBIDDEN,
            Msg::new(
                "该企业不在您负责的区县，不能审核其注册申请",
                "This enterprise is not in your counties; you may not decide its application",
            ),
        ));
    }
    Ok(())
}

async fn approve(s: &AppState, who: &Auth, id: i64, i: &ApproveInput) -> Result<Registration, ApiError> {
    may_read(who)?;
    outside(s, who, id).await?;
    let r = s.store.approve_registration(&who.viewer, id, i.phone_checked).await?;
    tell_decision(s.mailer.as_ref(), &r).await;
    Ok(r)
}

async fn reject(s: &AppState, who: &Auth, id: i64, i: &RejectInput) -> Result<Registration, ApiError> {
    may_read(who)?;
    outside(s, who, id).await?;
    let reason = check_reason(&i.reason)?;
    let r = s.store.reject_registration(&who.viewer, id, &reason).await?;
    tell_decision(s.mailer.as_ref(), &r).await;
    Ok(r)
}

/// A refused decision shown on the application's page, beside its forms.
async fn decided_page(
    cx: &Ctx,
    id: i64,
    r: Result<Registration, ApiError>,
    reason: String,
) -> Result<Response, ApiError> {
    match r {
        Ok(_) => Ok(views::redirect(&format!("/registrations/{id}"))),
        Err(e @ (ApiError::Invalid(_) | ApiError::Conflict(_))) => {
            let st = e.status();
            let body = e.body(cx.lang);
            let msg = body.fields.into_values().next().unwrap_or(body.error);
            detail_view(cx, id, Some((st, msg)), reason).await
        }
        Err(e) => Err(e),
    }
}

async fn approve_page(cx: Ctx, Id(id): Id, FormBody(i): FormBody<ApproveInput>) -> Result<Response, ApiError> {
    let r = approve(&cx.s, &cx.who, id, &i).await;
    decided_page(&cx, id, r, String::new()).await
}

async fn reject_page(cx: Ctx, Id(id): Id, FormBody(i): FormBody<RejectInput>) -> Result<Response, ApiError> {
    let r = reject(&cx.s, &cx.who, id, &i).await;
    let typed = i.reason.clone().unwrap_or_default();
    decided_page(&cx, id, r, typed).await
}

// ---------------------------------------------------------------------------------------------
// The API.

/// A proof-of-work challenge for `POST /api/v1/registrations`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Challenge {
    /// Send it back as `pow_challenge`.
    pub challenge: String,
    /// Find `pow_nonce` (decimal digits) so that SHA-256 of `challenge:nonce` begins with this many zero bits.
    pub bits: u32,
    /// Seconds it stays usable.
    pub expires_in: i64,
}

async fn api_challenge() -> Json<Challenge> {
    Json(Challenge {
        challenge: hezuo_app::pow::issue(now_secs()),
        bits: hezuo_app::pow::BITS,
        expires_in: hezuo_app::pow::MAX_AGE_SECONDS,
    })
}

/// The answer to an application: the application, and what became of its emailed code.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Filed {
    pub registration: Registration,
    /// `sent`, `none` (the server sends no email: the office checks by phone), `failed`, …
    pub mail: String,
    pub message: String,
    /// The new session's token for `X-CSRF-Token` (the session itself is the cookie set).
    pub csrf_token: String,
}

async fn api_create(
    State(s): State<AppState>,
    lang: Lang,
    ClientIp(ip): ClientIp,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    if let Err(wait) = limit(&ip) {
        return Ok(too_many(wait));
    }
    let i: RegistrationInput = parse_json(&body)?;
    let (reg, mail) = register(&s.store, s.mailer.as_ref(), &i, ip.as_deref(), now_secs()).await?;
    let (cookie, csrf_token) = sign_in(&s, &reg, ip.as_deref()).await?;
    let filed = Filed {
        csrf_token,
        message: lang.pick(&mail.words(&reg.email)).to_string(),
        mail: mail_code(mail).to_string(),
        registration: reg,
    };
    let mut res = (StatusCode::CREATED, Json(filed)).into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

async fn api_list(
    State(s): State<AppState>,
    who: Auth,
    Query(f): Query<RegistrationFilter>,
) -> Result<Json<Page<Registration>>, ApiError> {
    may_read(&who)?;
    let status = f.status(None)?;
    Ok(Json(
        s.store.list_registrations(&who.viewer, status, &f.params()).await?,
    ))
}

async fn api_get(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Registration>, ApiError> {
    may_read(&who)?;
    Ok(Json(s.store.get_registration(&who.viewer, id).await?))
}

async fn api_approve(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    RawBody(body): RawBody,
) -> Result<Json<Registration>, ApiError> {
    let i: ApproveInput = if body.iter().all(u8::is_ascii_whitespace) {
        ApproveInput::default()
    } else {
        parse_json(&body)?
    };
    Ok(Json(approve(&s, &who, id, &i).await?))
}

async fn api_reject(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<RejectInput>,
) -> Result<Json<Registration>, ApiError> {
    Ok(Json(reject(&s, &who, id, &i).await?))
}

async fn api_mine(State(s): State<AppState>, who: Auth) -> Result<Json<Registration>, ApiError> {
    Ok(Json(own(&s, &who).await?))
}

async fn api_verify(
    State(s): State<AppState>,
    who: Auth,
    JsonBody(i): JsonBody<CodeInput>,
) -> Result<Json<Registration>, ApiError> {
    Ok(Json(verify(&s, &who, &i).await?))
}

/// What asking for a new code did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Resent {
    pub mail: String,
    pub message: String,
}

async fn api_resend(State(s): State<AppState>, lang: Lang, who: Auth) -> Result<Response, ApiError> {
    let mail = resend(&s, &who).await?;
    if let Mail::Wait(secs) = mail {
        let mut res = ApiError::Status(StatusCode::TOO_MANY_REQUESTS, mail.words("")).into_response();
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&secs.to_string()).expect("digits"),
        );
        return Ok(res);
    }
    let r = own(&s, &who).await?;
    Ok(Json(Resent {
        mail: mail_code(mail).to_string(),
        message: lang.pick(&mail.words(&r.email)).to_string(),
    })
    .into_response())
}
