//! The office's account management: list users, add one (a one-time password is shown once), reset
//! a password. Through the pages under `/users` and `/api/v1/users`.

use crate::account::NoticePage;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx, Field, Layout, Rejected, chosen, code_options, local_time};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router, routing::get};
use hezuo_domain::RecordKind;
use hezuo_domain::access::Action;
use hezuo_domain::access::Role;
use hezuo_domain::{FieldErrors, Page, input};
use hezuo_store::accounts::User;
use hezuo_store::{Store, Viewer};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/users", get(page_list).post(page_create))
        .at("/users/{id}/reset", post(page_reset))
        .at("/api/v1/users", get(api_list).post(api_create))
        .at("/api/v1/users/{id}/reset-password", post(api_reset))
}

struct UserRow {
    id: i64,
    name: String,
    role: String,
    scope: String,
    created: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    fields: Vec<Field>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserInput {
    username: Option<String>,
    role: Option<String>,
    #[serde(deserialize_with = "input::de_opt_string")]
    organization_id: Option<String>,
    #[serde(deserialize_with = "input::de_opt_string")]
    person_id: Option<String>,
}

impl UserInput {
    fn parse(&self) -> Result<(String, Role, Option<i64>, Option<i64>), FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take("username", input::text(&self.username, 50));
        let role = e.take(
            "role",
            input::code(&self.role, Role::parse, Role::ALL, Role::label, Role::as_str),
        );
        let org = e.take("organization_id", input::optional_id(&self.organization_id));
        let person = e.take("person_id", input::optional_id(&self.person_id));
        e.into_result(())?;
        Ok((
            name.expect("checked"),
            role.expect("checked"),
            org.flatten(),
            person.flatten(),
        ))
    }
}

async fn create(store: &Store, v: &Viewer, i: &UserInput) -> Result<(User, String), ApiError> {
    // Whether the caller may add users at all is the store's rule, asked before what they typed is.
    hezuo_store::access::check(v, RecordKind::User, Action::Create)?;
    let (name, role, org, person) = i.parse()?;
    Ok(store.add_user(v, &name, role, org, person, None).await?)
}

/// The accounts and the form to add one, with a refusal shown again.
async fn users_view(cx: &Ctx, i: &UserInput, rejected: Option<Rejected>) -> Result<Response, ApiError> {
    let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
    let (status, errors) = rejected.map(|r| (r.status, r.errors)).unwrap_or_default();
    let users = s.store.list_users(&who.viewer).await?;
    let orgs = s.store.organization_options(&who.viewer).await?;
    let names: std::collections::HashMap<i64, String> = orgs.iter().map(|(id, n, _)| (*id, n.clone())).collect();
    let people = s.store.person_options(&who.viewer).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            name: u.username.clone(),
            role: lang.pick(&u.role.label()).into(),
            scope: match (u.organization_id, u.person_id) {
                (Some(o), _) => names.get(&o).cloned().unwrap_or_else(|| format!("#{o}")),
                (_, Some(p)) => people
                    .iter()
                    .find(|x| x.0 == p)
                    .map(|x| x.1.clone())
                    .unwrap_or_else(|| format!("#{p}")),
                _ => lang.tr("全部", "Everything").into(),
            },
            created: local_time(u.created_at),
        })
        .collect();
    let fields = vec![
        Field::new(lang, "username", ("用户名", "Username"), "text")
            .value(i.username.as_deref())
            .required(),
        Field::new(lang, "role", ("角色", "Role"), "select").required().options(
            lang,
            code_options(lang, Role::ALL, Role::label, Role::as_str),
            &chosen(&i.role),
        ),
        Field::new(
            lang,
            "organization_id",
            (
                "所属单位（联络员、责任单位、企业）",
                "Organisation (coordinator, unit, enterprise)",
            ),
            "select",
        )
        .options(
            lang,
            orgs.into_iter().map(|(id, n, _)| (id.to_string(), n)).collect(),
            &chosen(&i.organization_id),
        ),
        Field::new(lang, "person_id", ("对应人员（专家）", "Person (expert)"), "select").options(
            lang,
            views::person_choices(&s.store, &who.viewer).await?,
            &chosen(&i.person_id),
        ),
    ];
    let has = !errors.is_empty();
    let page = UsersPage {
        layout: cx.layout("users", lang.tr("用户", "Users")),
        users: rows,
        fields: Field::errors_from(fields, &errors, lang),
        error: has.then(|| lang.t().form_has_errors.to_string()),
    };
    Ok(views::render_with(status, &page))
}

async fn page_list(cx: Ctx) -> Result<Response, ApiError> {
    users_view(&cx, &UserInput::default(), None).await
}

fn password_notice(cx: &Ctx, username: &str, password: String) -> Response {
    let lang = cx.lang;
    views::render(&NoticePage {
        layout: cx.layout("users", lang.tr("一次性密码", "One-time password")),
        heading: format!("{} {username}", lang.tr("用户", "User")),
        message: lang
            .tr("请将下面的一次性密码告知本人；首次登录后须设置新密码。它只显示这一次：", "Give this one-time password to its owner; they must choose their own at first sign-in. It is shown once:")
            .into(),
        secret: password,
        back_href: "/users".into(),
        back_label: lang.tr("返回用户列表", "Back to users").into(),
    })
}

async fn page_create(cx: Ctx, FormBody(i): FormBody<UserInput>) -> Result<Response, ApiError> {
    match Rejected::split(create(cx.store(), cx.viewer(), &i).await)? {
        Ok((u, pw)) => Ok(password_notice(&cx, &u.username, pw)),
        Err(r) => users_view(&cx, &i, Some(r)).await,
    }
}

async fn page_reset(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let pw = cx.store().reset_password(cx.viewer(), id).await?;
    let name = cx
        .store()
        .list_users(cx.viewer())
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .map(|u| u.username)
        .unwrap_or_default();
    Ok(password_notice(&cx, &name, pw))
}

async fn api_list(State(s): State<AppState>, who: Auth) -> Result<Json<Page<User>>, ApiError> {
    Ok(Json(Page::whole(s.store.list_users(&who.viewer).await?)))
}

#[derive(Serialize)]
struct Created {
    user: User,
    /// The one-time password, shown once.
    password: String,
}

async fn api_create(
    State(s): State<AppState>,
    who: Auth,
    JsonBody(i): JsonBody<UserInput>,
) -> Result<Response, ApiError> {
    let (user, password) = create(&s.store, &who.viewer, &i).await?;
    Ok((StatusCode::CREATED, Json(Created { user, password })).into_response())
}

async fn api_reset(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<serde_json::Value>, ApiError> {
    let pw = s.store.reset_password(&who.viewer, id).await?;
    Ok(Json(serde_json::json!({ "password": pw })))
}
