//! Problems for coordination (问题协调): raised on a project, owned by a unit, coordinated to a
//! decision. API and pages through the shared record handlers; on the problem's page, the status
//! steps the store would accept from this user (`problem_steps`: coordinate, escalate and resolve,
//! the last two with their decision, resolving asked to be confirmed) and the thread of comments
//! with their files, also at `/api/v1/problems/{id}/comments`. A problem past its due date shows
//! as overdue in lists and on its page; its form warns of a due date already passed.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody, Upload};
use crate::i18n::Lang;
use crate::resource::{Pages, created, list_view, record_page, related, resource, routes};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{
    self, Cell, Ctx, DetailPage, Field, ListPage, PageForm, Rejected, Thread, ThreadEntry, archived_filter,
    attachment_table, chosen, code_options, local_time, problem_due_cell, problem_table,
};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::access::Action;
use hezuo_domain::attachment::{check_upload, clean_filename};
use hezuo_domain::problem::{
    CommentInput, Problem, ProblemComment, ProblemData, ProblemFilter, ProblemInput, ProblemStatus, StatusChange,
    days_past, overdue_label, past_due_warning,
};
use hezuo_domain::{FieldErrors, Msg, Page, RecordKind};
use hezuo_store::Viewer;
use hezuo_store::problems::{CommentFile, problem_steps};

resource!(
    Problems,
    "problems",
    hezuo_domain::RecordKind::Problem,
    Problem,
    ProblemInput,
    ProblemData,
    ProblemFilter,
    list_problems,
    get_problem,
    create_problem,
    update_problem,
    set_problem_archived
);

pub fn router() -> Router<AppState> {
    routes::<Problems>()
        .at("/problems/{id}/status", post(page_status))
        .at("/problems/{id}/comments", post(page_comment))
        .at("/api/v1/problems/{id}/comments", get(api_comments).post(api_comment))
}

impl Pages for Problems {
    const NAV: &'static str = "problems";

    fn heading(lang: Lang) -> String {
        lang.tr("问题协调", "Problems").into()
    }
    fn title(r: &Problem) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &ProblemFilter, page: Page<Problem>) -> Result<ListPage, ApiError> {
        let (s, lang) = (&cx.s, cx.lang);
        let table = problem_table(s, lang, &page.items).await?;
        let open = vec![("true".to_string(), lang.tr("未解决的", "Not resolved").to_string())];
        let filters = vec![
            Field::new(lang, "q", ("问题", "Problem"), "text").value(f.q.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, ProblemStatus::ALL, ProblemStatus::label, ProblemStatus::as_str),
                &chosen(&f.status),
            ),
            Field::new(lang, "open", ("范围", "Which"), "select").options(lang, open, &chosen(&f.open)),
            archived_filter(lang, &f.archived),
        ];
        Ok(list_view::<Self>(cx, filters, table, &page))
    }

    async fn detail_page(cx: &Ctx, p: Problem) -> Result<DetailPage, ApiError> {
        problem_page(cx, p, &Redo::Nothing).await
    }

    async fn form_fields(cx: &Ctx, i: &ProblemInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let orgs: Vec<(String, String)> = s
            .store
            .all_organization_names()
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let projects = s
            .store
            .list_projects(&who.viewer, &Default::default(), &hezuo_domain::ListParams::first(200))
            .await?;
        let project_opts: Vec<(String, String)> = projects
            .items
            .iter()
            .map(|p| (p.id.to_string(), p.title.clone()))
            .collect();
        let mut fields = vec![
            Field::new(lang, "project_id", ("所属项目", "Project"), "select")
                .required()
                .options(lang, project_opts, &chosen(&i.project_id)),
            Field::new(lang, "title", ("问题", "Problem"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "description", ("问题描述", "Description"), "textarea").value(i.description.as_deref()),
            Field::new(lang, "owner_id", ("责任单位", "Owner"), "select")
                .required()
                .options(lang, orgs, &chosen(&i.owner_id))
                .help(
                    lang,
                    (
                        "负责协调解决的部门或单位。",
                        "The department or unit that must settle it.",
                    ),
                ),
            due_field(lang, i, s.store.today()),
        ];
        // The status moves with the steps on the problem's page, so the form keeps it as it is.
        if let Some(st) = &i.status {
            fields.push(Field::new(lang, "status", ("状态", "Status"), "hidden").value(Some(st)));
            fields.push(
                Field::new(lang, "decision", ("协调意见", "Decision"), "textarea")
                    .value(i.decision.as_deref())
                    .help(lang, ("解决或提请上级时必填。", "Required to resolve or escalate.")),
            );
        }
        Ok(fields)
    }
}

/// The due date's field: it warns when the date has already passed (a problem due yesterday is
/// kept, and shows as overdue at once).
fn due_field(lang: Lang, i: &ProblemInput, today: chrono::NaiveDate) -> Field {
    let mut f = Field::new(lang, "due_on", ("办结期限", "Due"), "date")
        .value(i.due_on.as_deref())
        .help(
            lang,
            (
                "早于今天的期限会使问题立即显示为逾期。",
                "A date before today makes the problem overdue at once.",
            ),
        );
    let due = i.due_on.as_deref().and_then(|d| d.trim().parse().ok());
    if let Some(w) = due.and_then(|d| past_due_warning(d, today)) {
        f.help = Some(lang.pick(&w).to_string());
    }
    f
}

/// A refused submission on the problem's page, shown again in place with what was sent.
enum Redo {
    Nothing,
    Step(StatusChange, FieldErrors),
    Comment(String, FieldErrors),
}

/// The problem's page: its facts, overdue badge, status steps and thread.
async fn problem_page(cx: &Ctx, p: Problem, redo: &Redo) -> Result<DetailPage, ApiError> {
    let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
    let today = s.store.today();
    let project = related(s.store.get_project(&who.viewer, p.project_id).await)?;
    let owner = related(s.store.get_organization(&who.viewer, p.owner_id).await)?;
    let names = s.store.organization_names(&[p.owner_id]).await?;
    let props = vec![
        (
            lang.tr("所属项目", "Project").to_string(),
            match &project {
                Some(x) => Cell::link(&x.title, format!("/projects/{}", x.id)),
                None => Cell::opt(None::<String>, lang),
            },
        ),
        (
            lang.tr("责任单位", "Owner").into(),
            match &owner {
                Some(o) => Cell::link(&o.name, format!("/organizations/{}", o.id)),
                None => Cell::text(names.get(&p.owner_id).cloned().unwrap_or_default()),
            },
        ),
        (lang.tr("办结期限", "Due").into(), problem_due_cell(lang, &p, today)),
    ];
    let mut long_text = Vec::new();
    if let Some(d) = &p.description {
        long_text.push((lang.tr("问题描述", "Description").to_string(), d.clone()));
    }
    if let Some(d) = &p.decision {
        long_text.push((lang.tr("协调意见", "Decision").to_string(), d.clone()));
    }
    let mut badges = vec![Cell::badge(
        lang.pick(&p.status.label()),
        format!("p-{}", p.status.as_str()),
    )];
    let overdue = p
        .due_on
        .filter(|_| p.overdue(today))
        .and_then(|d| days_past(d, today).map(|n| (d, n)));
    let mut notices = Vec::new();
    if let Some((d, n)) = overdue {
        badges.push(Cell::badge(lang.pick(&overdue_label(n)), "p-overdue"));
        notices.push(lang.tr_owned((
            &format!("已超过办结期限（{d}）{n} 天，问题尚未解决。"),
            &format!("The due date ({d}) passed {n} days ago and the problem is not resolved."),
        )));
    }
    if let Redo::Step(_, e) = redo {
        // What belongs to no field of the step's form (a status changed meanwhile, say).
        notices.extend(
            e.0.iter()
                .filter(|(k, _)| k.as_str() != "decision")
                .map(|(_, m)| lang.pick(m).to_string()),
        );
    }
    Ok(DetailPage {
        badges,
        props,
        long_text,
        notice: (!notices.is_empty()).then(|| notices.join("；")),
        forms: step_forms(lang, who.viewer.clone(), &p, redo),
        thread: Some(thread(cx, &p, redo).await?),
        ..record_page::<Problems>(cx, p.id, p.title.clone(), p.archived)
    })
}

/// What each step's button says.
fn step_label(lang: Lang, to: ProblemStatus) -> String {
    match to {
        ProblemStatus::Coordinating => lang.tr("转为协调中", "Start coordinating"),
        ProblemStatus::Resolved => lang.tr("标记为已解决", "Mark resolved"),
        ProblemStatus::Escalated => lang.tr("提交上级协调", "Escalate"),
        ProblemStatus::Open => lang.tr("重新打开", "Reopen"),
    }
    .to_string()
}

/// One small form per status the store would let this user move the problem to; resolving and
/// escalating ask for the decision in the same form, and resolving, which is final, is confirmed.
fn step_forms(lang: Lang, v: Viewer, p: &Problem, redo: &Redo) -> Option<(String, Vec<PageForm>)> {
    let steps = problem_steps(&v, p);
    if steps.is_empty() {
        return None;
    }
    let forms = steps
        .iter()
        .map(|to| {
            let (sent, errors) = match redo {
                Redo::Step(c, e) if c.status.as_deref().map(str::trim) == Some(to.as_str()) => {
                    (c.decision.clone(), Some(e))
                }
                _ => (None, None),
            };
            let mut fields = vec![Field::new(lang, "status", ("状态", "Status"), "hidden").value(Some(to.as_str()))];
            if to.needs_decision() {
                let mut f = Field::new(lang, "decision", ("协调意见", "Decision"), "textarea")
                    .value(sent.as_deref())
                    .required();
                f.error = errors.and_then(|e| e.get("decision")).map(|m| lang.pick(m).to_string());
                fields.push(f);
            }
            PageForm {
                id: format!("step-{}", to.as_str()),
                action: format!("/problems/{}/status", p.id),
                fields,
                submit: step_label(lang, *to),
                class: if *to == ProblemStatus::Resolved { "primary" } else { "" },
                confirm: (*to == ProblemStatus::Resolved).then(|| {
                    lang.tr(
                        "确定标记为已解决？解决后不能再更改。",
                        "Mark it resolved? It cannot be changed afterwards.",
                    )
                    .to_string()
                }),
                multipart: false,
            }
        })
        .collect();
    Some((lang.tr("协调处理", "Work on it").into(), forms))
}

/// The problem's comments, oldest first, and the form to add one for whoever may.
async fn thread(cx: &Ctx, p: &Problem, redo: &Redo) -> Result<Thread, ApiError> {
    let lang = cx.lang;
    let comments = cx.store().list_problem_comments(cx.viewer(), p.id).await?;
    let entries = comments
        .iter()
        .map(|c| ThreadEntry {
            who: c.author.clone(),
            when: local_time(c.created_at),
            text: c.body.clone(),
            files: c
                .attachments
                .iter()
                .map(|a| Cell::link(&a.filename, format!("/api/v1/attachments/{}/content", a.id)))
                .collect(),
            notes: Vec::new(),
        })
        .collect();
    let form = cx.viewer().role.may_comment().then(|| {
        let (sent, errors) = match redo {
            Redo::Comment(body, e) => (Some(body.as_str()), Some(e)),
            _ => (None, None),
        };
        let error = |name: &str| errors.and_then(|e| e.get(name)).map(|m| lang.pick(m).to_string());
        let mut body = Field::new(lang, "body", ("评论", "Comment"), "textarea")
            .value(sent)
            .required();
        body.error = error("body");
        let mut file = Field::new(lang, "file", ("附件", "Files"), "file");
        file.help = Some(lang.t().upload_hint.to_string());
        file.error = error("file");
        PageForm {
            id: "comment".into(),
            action: format!("/problems/{}/comments", p.id),
            fields: vec![body, file],
            submit: lang.tr("发表评论", "Post the comment").into(),
            class: "primary",
            confirm: None,
            multipart: true,
        }
    });
    Ok(Thread {
        title: lang.tr("讨论", "Comments").into(),
        entries,
        empty: lang
            .tr(
                "还没有评论。进展、沟通情况和材料可以在这里留言。",
                "No comments yet: progress, contacts made and documents go here.",
            )
            .into(),
        form,
    })
}

/// The problem's page shown again after a refusal, with what every record page has around it.
async fn page_again(cx: &Ctx, id: i64, redo: Redo, status: StatusCode) -> Result<Response, ApiError> {
    let p = cx.store().get_problem(cx.viewer(), id).await?;
    let mut view = problem_page(cx, p, &redo).await?;
    let role = cx.viewer().role;
    if !role.may(RecordKind::Problem, Action::Update) {
        view.edit_href = None;
    }
    if !role.may(RecordKind::Problem, Action::Archive) {
        view.actions
            .retain(|x| !x.action.ends_with("/archive") && !x.action.ends_with("/restore"));
    }
    let items = cx
        .store()
        .list_attachments(cx.viewer(), RecordKind::Problem, id)
        .await?;
    view.attachments = Some((
        RecordKind::Problem.as_str().into(),
        id,
        attachment_table(cx.lang, &items),
    ));
    view.read_only_attachments = !role.may_attach();
    view.history = Some(crate::audit::history(cx, RecordKind::Problem, id).await?);
    Ok(views::render_with(status, &view))
}

/// A status step from the problem's page: the store checks the role, the scope, the state machine
/// and the decision; a refusal is shown on the page, beside the step's form.
async fn page_status(cx: Ctx, Id(id): Id, FormBody(change): FormBody<StatusChange>) -> Result<Response, ApiError> {
    let p = cx.store().get_problem(cx.viewer(), id).await?;
    let saved = match change.apply(&p).and_then(|i| i.validate()) {
        Ok(d) => cx
            .store()
            .update_problem(cx.viewer(), id, &d, None)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/problems/{id}"))),
        Err(r) => page_again(&cx, id, Redo::Step(change, r.errors), r.status).await,
    }
}

/// A comment as sent: its text, its files (name, type, bytes) and what was wrong with them.
struct CommentPost {
    input: CommentInput,
    files: Vec<(String, &'static str, Bytes)>,
    errors: FieldErrors,
}

fn bad_upload(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(Msg::new(format!("上传数据无效：{e}"), format!("Invalid upload: {e}")))
}

/// Reads a comment from JSON (`{"body"}`), a plain form, or a multipart form with `body` and any
/// number of `file` parts, each checked as every attachment is.
async fn read_comment(s: &AppState, req: Request) -> Result<CommentPost, ApiError> {
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut post = CommentPost {
        input: CommentInput::default(),
        files: Vec::new(),
        errors: FieldErrors::new(),
    };
    if kind.starts_with("application/x-www-form-urlencoded") {
        post.input = FormBody::<CommentInput>::from_request(req, &()).await?.0;
        return Ok(post);
    }
    if !kind.starts_with("multipart/form-data") {
        post.input = JsonBody::<CommentInput>::from_request(req, &()).await?.0;
        return Ok(post);
    }
    let Upload(mut mp) = Upload::from_request(req, &()).await?;
    let too_big = || {
        ApiError::Invalid(FieldErrors::one(
            "file",
            Msg::new(
                format!("文件超过上限 {:.1} MB", s.max_upload_bytes as f64 / 1048576.0),
                format!(
                    "The file is over the {:.1} MB limit",
                    s.max_upload_bytes as f64 / 1048576.0
                ),
            ),
        ))
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
            Err(e) => return Err(bad_upload(e)),
        };
        match field.name().unwrap_or("") {
            "body" => post.input.body = field.text().await.ok(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = match field.bytes().await {
                    Ok(b) => b,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
                    Err(e) => return Err(bad_upload(e)),
                };
                // A browser sends an empty part when no file was chosen.
                if name.is_empty() && bytes.is_empty() {
                    continue;
                }
                let name = clean_filename(&name);
                match check_upload(&name, &bytes, s.max_upload_bytes) {
                    Ok(mime) => post.files.push((name, mime, bytes)),
                    Err(m) => post.errors.add(
                        "file",
                        Msg::new(format!("{name}：{}", m.zh), format!("{name}: {}", m.en)),
                    ),
                }
            }
            _ => {}
        }
    }
    Ok(post)
}

/// Validates and saves a comment with its files, in one transaction of the store.
async fn save_comment(s: &AppState, v: &Viewer, id: i64, post: CommentPost) -> Result<ProblemComment, ApiError> {
    let mut errors = post.errors;
    let body = match post.input.validate() {
        Ok(b) => Some(b),
        Err(e) => {
            for (k, m) in e.0 {
                errors.add(&k, m);
            }
            None
        }
    };
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let files: Vec<CommentFile> = post.files.iter().map(|(n, t, b)| (n.as_str(), *t, &b[..])).collect();
    Ok(s.store.add_problem_comment(v, id, &body, &files).await?)
}

/// The thread of a problem, oldest first.
async fn api_comments(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
) -> Result<Json<Page<ProblemComment>>, ApiError> {
    Ok(Json(Page::whole(s.store.list_problem_comments(&who.viewer, id).await?)))
}

/// Adds a comment (JSON, or multipart with files): 201 with the comment.
async fn api_comment(State(s): State<AppState>, who: Auth, Id(id): Id, req: Request) -> Result<Response, ApiError> {
    let post = read_comment(&s, req).await?;
    let c = save_comment(&s, &who.viewer, id, post).await?;
    Ok(created(format!("/api/v1/problems/{id}/comments"), c))
}

/// A comment from the problem's page; refused, the page comes back with the text kept and the
/// error beside its field.
async fn page_comment(cx: Ctx, Id(id): Id, req: Request) -> Result<Response, ApiError> {
    let post = read_comment(&cx.s, req).await?;
    let sent = post.input.body.clone().unwrap_or_default();
    match Rejected::split(save_comment(&cx.s, cx.viewer(), id, post).await)? {
        Ok(_) => Ok(views::redirect(&format!("/problems/{id}#comments"))),
        Err(r) => page_again(&cx, id, Redo::Comment(sent, r.errors), r.status).await,
    }
}
