//! The office's account management: list users, add one (a one-time password is shown once), reset
//! a password. Through the pages under `/users` and `/api/v1/users`.

use crate::AppState;
use crate::RouteExt;
use crate::account::NoticePage;
use crate::auth::Auth;
use crate::error::{Api, ApiError, Page as PageErr};
use crate::i18n::Lang;
use crate::resource::{parse_form, parse_json, path_id};
use crate::views::{self, Field, Layout, code_options};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router, routing::get};
use hezuo_domain::access::Role;
use hezuo_domain::{FieldErrors, input};
use hezuo_store::StoreError;
use hezuo_store::accounts::User;
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

async fn create(s: &AppState, who: &Auth, i: &UserInput) -> Result<(User, String), ApiError> {
    // Whether the caller may add users at all comes before what they typed.
    hezuo_store::access::check(
        &who.viewer,
        hezuo_domain::RecordKind::User,
        hezuo_domain::access::Action::Create,
    )?;
    let (name, role, org, person) = i.parse()?;
    Ok(s.store.add_user(&who.viewer, &name, role, org, person, None).await?)
}

async fn users_view(
    s: &AppState,
    who: &Auth,
    lang: Lang,
    uri: &Uri,
    i: &UserInput,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, ApiError> {
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
            created: crate::projects::local_time(u.created_at),
        })
        .collect();
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    let fields = vec![
        Field::new(lang, "username", ("用户名", "Username"), "text")
            .value(i.username.as_deref())
            .required(),
        Field::new(lang, "role", ("角色", "Role"), "select").required().options(
            lang,
            code_options(lang, Role::ALL, Role::label, Role::as_str),
            &one(&i.role),
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
            &one(&i.organization_id),
        ),
        Field::new(lang, "person_id", ("对应人员（专家）", "Person (expert)"), "select").options(
            lang,
            people.into_iter().map(|(id, n, _)| (id.to_string(), n)).collect(),
            &one(&i.person_id),
        ),
    ];
    let has = !errors.is_empty();
    let page = UsersPage {
        layout: Layout::new(who, lang, uri, "users", lang.tr("用户", "Users")),
        users: rows,
        fields: Field::errors_from(fields, &errors, lang),
        error: has.then(|| lang.t().form_has_errors.to_string()),
    };
    let mut res = views::render(&page);
    *res.status_mut() = status;
    Ok(res)
}

async fn page_list(State(s): State<AppState>, lang: Lang, who: Auth, uri: Uri) -> Result<Response, PageErr> {
    users_view(
        &s,
        &who,
        lang,
        &uri,
        &UserInput::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
    .map_err(|e| PageErr(e, lang))
}

fn password_notice(who: &Auth, lang: Lang, uri: &Uri, username: &str, password: String) -> Response {
    views::render(&NoticePage {
        layout: Layout::new(who, lang, uri, "users", lang.tr("一次性密码", "One-time password")),
        heading: format!("{} {username}", lang.tr("用户", "User")),
        message: lang
            .tr("请将下面的一次性密码告知本人；首次登录后须设置新密码。它只显示这一次：", "Give this one-time password to its owner; they must choose their own at first sign-in. It is shown once:")
            .into(),
        secret: password,
        back_href: "/users".into(),
        back_label: lang.tr("返回用户列表", "Back to users").into(),
    })
}

async fn page_create(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let i: UserInput = parse_form(&body)?;
        match create(&s, &who, &i).await {
            Ok((u, pw)) => Ok(password_notice(&who, lang, &uri, &u.username, pw)),
            Err(ApiError::Invalid(e)) => {
                users_view(&s, &who, lang, &uri, &i, e, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(ApiError::Conflict(e)) => users_view(&s, &who, lang, &uri, &i, e, StatusCode::CONFLICT).await,
            Err(e) => Err(e),
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_reset(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let pw = s.store.reset_password(&who.viewer, id).await?;
        let name = s
            .store
            .list_users(&who.viewer)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .map(|u| u.username)
            .unwrap_or_default();
        Ok::<_, ApiError>(password_notice(&who, lang, &uri, &name, pw))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn api_list(State(s): State<AppState>, lang: Lang, who: Auth) -> Result<Json<Vec<User>>, Api> {
    s.store
        .list_users(&who.viewer)
        .await
        .map(Json)
        .map_err(|e| Api(e.into(), lang))
}

#[derive(Serialize)]
struct Created {
    user: User,
    /// The one-time password, shown once.
    password: String,
}

async fn api_create(State(s): State<AppState>, lang: Lang, who: Auth, body: Bytes) -> Result<Response, Api> {
    let run = async {
        let i: UserInput = parse_json(&body)?;
        let (user, password) = create(&s, &who, &i).await?;
        Ok::<_, ApiError>((StatusCode::CREATED, Json(Created { user, password })).into_response())
    };
    run.await.map_err(|e| Api(e, lang))
}

async fn api_reset(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, Api> {
    let run = async {
        let pw = s
            .store
            .reset_password(&who.viewer, path_id(&id)?)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ApiError::NotFound,
                other => other.into(),
            })?;
        Ok::<_, ApiError>(Json(serde_json::json!({ "password": pw })))
    };
    run.await.map_err(|e| Api(e, lang))
}
