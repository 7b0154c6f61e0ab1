//! Messages (沟通消息) on the pages and in the API: the thread of a demand (shown on the demand's
//! page) and of each match (`/messages/match/{id}`, linked from the demand's confirmed matches),
//! newest last, each message with its files, who read it (已读/未读 and by whom), 已编辑 with the
//! earlier texts on the message's page (`/messages/{id}`), and the edit form there while its
//! author may still edit it; `/messages`, the threads one is in with their unread counts. The
//! store decides who is in a thread (403 outside it), who may post and edit, and the edit window.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody, Query, Upload};
use crate::i18n::Lang;
use crate::resource::{created, related};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{
    self, Cell, Ctx, DetailPage, Field, PageForm, Rejected, Section, Table, Thread, ThreadEntry, local_time,
};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::access::Action;
use hezuo_domain::attachment::{check_upload, clean_filename};
use hezuo_domain::message::{
    EDIT_WINDOW_MINUTES, Message, MessageEditInput, MessageFilter, MessageInput, ReadInput, ThreadRef, ThreadSummary,
};
use hezuo_domain::{FieldErrors, ListParams, Msg, Page, RecordKind};
use hezuo_store::Viewer;
use hezuo_store::messages::MessageFile;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/messages", get(api_list).post(api_post))
        .at("/api/v1/messages/threads", get(api_threads))
        .at("/api/v1/messages/read", post(api_read_thread))
        .at("/api/v1/messages/{id}", get(api_get).patch(api_edit))
        .at("/api/v1/messages/{id}/read", post(api_read))
        .at("/messages", get(page_threads).post(page_post))
        .at("/messages/demand/{id}", get(page_demand_thread))
        .at("/messages/match/{id}", get(page_match_thread))
        .at("/messages/{id}", get(page_message))
        .at("/messages/{id}/edit", post(page_edit))
}

/// A message as sent: the input, its files (name, type, bytes) and what was wrong with them.
struct MessagePost {
    input: MessageInput,
    files: Vec<(String, &'static str, Bytes)>,
    errors: FieldErrors,
}

fn bad_upload(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(Msg::new(format!("上传数据无效：{e}"), format!("Invalid upload: {e}")))
}

/// Reads a message from JSON (`{"demand_id"|"match_id", "body"}`), a plain form, or a multipart
/// form with those fields and any number of `file` parts, each checked as every attachment is.
async fn read_post(s: &AppState, req: Request) -> Result<MessagePost, ApiError> {
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut post = MessagePost {
        input: MessageInput::default(),
        files: Vec::new(),
        errors: FieldErrors::new(),
    };
    if kind.starts_with("application/x-www-form-urlencoded") {
        post.input = FormBody::<MessageInput>::from_request(req, &()).await?.0;
        return Ok(post);
    }
    if !kind.starts_with("multipart/form-data") {
        post.input = JsonBody::<MessageInput>::from_request(req, &()).await?.0;
        return Ok(post);
    }
    let Upload(mut mp) = Upload::from_request(req, &()).await?;
    let limit = s.max_upload_bytes as f64 / 1048576.0;
    let too_big = || {
        ApiError::Invalid(FieldErrors::one(
            "file",
            Msg::new(
                format!("文件超过上限 {limit:.1} MB"),
                format!("The file is over the {limit:.1} MB limit"),
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
            "demand_id" => post.input.demand_id = field.text().await.ok().filter(|t| !t.trim().is_empty()),
            "match_id" => post.input.match_id = field.text().await.ok().filter(|t| !t.trim().is_empty()),
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

/// Validates and saves a message with its files, in one transaction of the store.
async fn save(s: &AppState, v: &Viewer, post: MessagePost) -> Result<Message, ApiError> {
    let mut errors = post.errors;
    let valid = match post.input.validate() {
        Ok(x) => Some(x),
        Err(e) => {
            for (k, m) in e.0 {
                errors.add(&k, m);
            }
            None
        }
    };
    let Some((thread, body)) = valid.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let files: Vec<MessageFile> = post.files.iter().map(|(n, t, b)| (n.as_str(), *t, &b[..])).collect();
    Ok(s.store.post_message(v, thread, &body, &files).await?)
}

// ---- API ----

/// One thread's messages, oldest first, in the list shape: `?demand_id=` or `?match_id=`.
async fn api_list(
    State(s): State<AppState>,
    who: Auth,
    Query(f): Query<MessageFilter>,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<Message>>, ApiError> {
    let thread = f.thread().map_err(ApiError::Invalid)?;
    Ok(Json(s.store.list_messages(&who.viewer, thread, &p).await?))
}

/// Posts a message (JSON, a form, or multipart with files): 201 with the message.
async fn api_post(State(s): State<AppState>, who: Auth, req: Request) -> Result<Response, ApiError> {
    let post = read_post(&s, req).await?;
    let m = save(&s, &who.viewer, post).await?;
    Ok(created(format!("/api/v1/messages/{}", m.id), m))
}

async fn api_get(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Message>, ApiError> {
    Ok(Json(s.store.get_message(&who.viewer, id).await?))
}

/// Edits one's own message within ten minutes of posting (409 afterwards, 403 for another's).
async fn api_edit(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(mut i): JsonBody<MessageEditInput>,
) -> Result<Json<Message>, ApiError> {
    // What a PATCH leaves out stays: no text, the text as it is (still only its author's, in time).
    if i.body.is_none() {
        i.body = Some(s.store.get_message(&who.viewer, id).await?.body);
    }
    let body = i.validate().map_err(ApiError::Invalid)?;
    Ok(Json(s.store.edit_message(&who.viewer, id, &body).await?))
}

/// Marks one message read by the caller: the message with its receipts.
async fn api_read(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Message>, ApiError> {
    s.store.mark_message_read(&who.viewer, id).await?;
    Ok(Json(s.store.get_message(&who.viewer, id).await?))
}

/// How many messages a thread marking read marked.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Marked {
    pub marked: usize,
}

/// Marks every message of a thread read by the caller (`{"demand_id"}` or `{"match_id"}`).
async fn api_read_thread(
    State(s): State<AppState>,
    who: Auth,
    JsonBody(i): JsonBody<ReadInput>,
) -> Result<Json<Marked>, ApiError> {
    let thread = MessageFilter {
        demand_id: i.demand_id,
        match_id: i.match_id,
    }
    .thread()
    .map_err(ApiError::Invalid)?;
    let marked = s.store.mark_thread_read(&who.viewer, thread).await?;
    Ok(Json(Marked { marked }))
}

/// The threads the caller is in, latest first, with unread counts.
async fn api_threads(State(s): State<AppState>, who: Auth) -> Result<Json<Page<ThreadSummary>>, ApiError> {
    Ok(Json(Page::whole(s.store.message_threads(&who.viewer).await?)))
}

// ---- Pages ----

/// What a refused post or edit brings back to its form: the text sent and the errors.
pub struct Redo {
    pub body: String,
    pub errors: FieldErrors,
}

/// A thread for a record's page: its messages, oldest first, with receipts, 已编辑 and the edit
/// link, and the post form for whoever may write. Reading it marks it read for the viewer.
pub async fn thread_view(cx: &Ctx, thread: ThreadRef, redo: Option<&Redo>) -> Result<Thread, ApiError> {
    let lang = cx.lang;
    let v = cx.viewer();
    cx.store().mark_thread_read(v, thread).await?;
    let page = cx
        .store()
        .list_messages(v, thread, &ListParams::batch(1, 1000, None))
        .await?;
    let entries = page.items.iter().map(|m| entry(lang, m)).collect();
    let form = v.role.may(RecordKind::Message, Action::Create).then(|| {
        let error = |name: &str| redo.and_then(|r| r.errors.get(name)).map(|m| lang.pick(m).to_string());
        let (name, id) = match thread {
            ThreadRef::Demand(d) => ("demand_id", d),
            ThreadRef::Match(m) => ("match_id", m),
        };
        let hidden = Field::new(lang, name, ("", ""), "hidden").value(Some(&id.to_string()));
        let mut body = Field::new(lang, "body", ("消息", "Message"), "textarea")
            .value(redo.map(|r| r.body.as_str()))
            .required();
        body.error = error("body")
            .or_else(|| error("demand_id"))
            .or_else(|| error("match_id"));
        let mut file = Field::new(lang, "file", ("附件", "Files"), "file");
        file.help = Some(lang.t().upload_hint.to_string());
        file.error = error("file");
        PageForm {
            id: "message".into(),
            action: "/messages".into(),
            fields: vec![hidden, body, file],
            submit: lang.tr("发送", "Send").into(),
            class: "primary",
            confirm: None,
            multipart: true,
        }
    });
    Ok(Thread {
        title: lang.tr("沟通消息", "Messages").into(),
        entries,
        empty: lang
            .tr(
                "还没有消息。企业、对接专家和协调办可以在这里沟通，发出的消息各方可见，并显示谁已读。",
                "No messages yet. The enterprise, the matched experts and the office talk here; each message shows who read it.",
            )
            .into(),
        form,
    })
}

fn entry(lang: Lang, m: &Message) -> ThreadEntry {
    let mut notes = Vec::new();
    if m.edited_at.is_some() {
        notes.push(Cell::link(
            lang.tr("已编辑（查看早先版本）", "Edited (see earlier versions)"),
            format!("/messages/{}", m.id),
        ));
    }
    let readers: Vec<&str> = m
        .read_by
        .iter()
        .filter(|r| Some(r.user_id) != m.user_id)
        .map(|r| r.username.as_str())
        .collect();
    notes.push(if readers.is_empty() {
        Cell::badge(lang.tr("未读", "Unread"), "unread")
    } else {
        Cell::badge(
            format!("{}：{}", lang.tr("已读", "Read by"), readers.join("、")),
            "read",
        )
    });
    if m.editable {
        notes.push(Cell::link(lang.tr("编辑", "Edit"), format!("/messages/{}#edit", m.id)));
    }
    ThreadEntry {
        who: m.author.clone(),
        when: local_time(m.created_at),
        text: m.body.clone(),
        files: m
            .attachments
            .iter()
            .map(|a| Cell::link(&a.filename, format!("/api/v1/attachments/{}/content", a.id)))
            .collect(),
        notes,
    }
}

/// A thread's own page: what it is about, and the thread.
async fn thread_page(
    cx: &Ctx,
    thread: ThreadRef,
    redo: Option<&Redo>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let lang = cx.lang;
    // Outside the thread: 403 before anything about it is read.
    let th = thread_view(cx, thread, redo).await?;
    let (demand_id, with, match_status) = match thread {
        ThreadRef::Demand(d) => (d, None, None),
        ThreadRef::Match(m) => {
            let x = cx.store().get_match(cx.viewer(), m).await?;
            let with = match (x.person_id, x.result_id) {
                (Some(p), _) => cx
                    .store()
                    .person_labels(&[p])
                    .await?
                    .get(&p)
                    .map(|(name, _, org)| format!("{name}（{org}）")),
                (_, Some(r)) => Some(format!("{}#{r}", lang.tr("成果", "Result "))),
                _ => None,
            };
            (x.demand_id, with, Some(lang.pick(&x.status.label()).to_string()))
        }
    };
    let demand = related(cx.store().get_demand(cx.viewer(), demand_id).await)?;
    let title = demand
        .as_ref()
        .map(|d| d.title.clone())
        .unwrap_or_else(|| format!("#{demand_id}"));
    let heading = match thread {
        ThreadRef::Demand(_) => format!("{}：{title}", lang.tr("需求沟通", "Demand thread")),
        ThreadRef::Match(_) => format!("{}：{title}", lang.tr("对接沟通", "Match thread")),
    };
    let mut props = vec![(
        lang.tr("技术需求", "Demand").to_string(),
        Cell::link(title, format!("/demands/{demand_id}")),
    )];
    if let Some(w) = with {
        props.push((lang.tr("对接对象", "With").into(), Cell::text(w)));
    }
    if let Some(s) = match_status {
        props.push((lang.tr("匹配状态", "Match status").into(), Cell::text(s)));
    }
    let view = DetailPage {
        layout: cx.layout("messages", heading.clone()),
        heading,
        kind_label: lang.tr("沟通消息", "Messages").into(),
        badges: vec![],
        edit_href: None,
        links: vec![(lang.tr("全部沟通", "All threads").into(), "/messages".into())],
        actions: vec![],
        archived: false,
        props,
        long_text: vec![],
        sections: vec![],
        attachments: None,
        history: None,
        read_only_attachments: true,
        notice: None,
        forms: None,
        thread: Some(th),
    };
    Ok(views::render_with(status, &view))
}

async fn page_demand_thread(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    thread_page(&cx, ThreadRef::Demand(id), None, StatusCode::OK).await
}

async fn page_match_thread(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    thread_page(&cx, ThreadRef::Match(id), None, StatusCode::OK).await
}

/// A message from a thread's form; saved, back to the thread; refused, the thread's page with the
/// text kept and the error beside its field.
async fn page_post(cx: Ctx, req: Request) -> Result<Response, ApiError> {
    let post = read_post(&cx.s, req).await?;
    let sent = post.input.body.clone().unwrap_or_default();
    let thread = MessageFilter {
        demand_id: post.input.demand_id.clone(),
        match_id: post.input.match_id.clone(),
    }
    .thread();
    match Rejected::split(save(&cx.s, cx.viewer(), post).await)? {
        Ok(m) => Ok(views::redirect(&m.thread().href())),
        Err(r) => match thread {
            Ok(t) => {
                let redo = Redo {
                    body: sent,
                    errors: r.errors,
                };
                thread_page(&cx, t, Some(&redo), r.status).await
            }
            Err(e) => Err(ApiError::Invalid(e)),
        },
    }
}

/// The threads the viewer is in, latest first, with how many they have not read.
async fn page_threads(cx: Ctx) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let threads = cx.store().message_threads(cx.viewer()).await?;
    let mut t = Table::new(
        lang,
        &[
            ("沟通", "Thread"),
            ("类型", "Kind"),
            ("消息数", "Messages"),
            ("未读", "Unread"),
            ("最新消息", "Latest"),
        ],
    );
    for s in &threads {
        let (kind, label) = match s.thread {
            ThreadRef::Demand(_) => (lang.tr("需求沟通", "Demand"), s.demand_title.clone()),
            ThreadRef::Match(_) => (
                lang.tr("对接沟通", "Match"),
                match &s.counterpart {
                    Some(c) => format!("{} — {c}", s.demand_title),
                    None => s.demand_title.clone(),
                },
            ),
        };
        t.rows.push(vec![
            Cell::link(label, s.thread.href()),
            Cell::text(kind),
            Cell::text(s.messages.to_string()),
            if s.unread > 0 {
                Cell::badge(format!("{} {}", s.unread, lang.tr("条未读", "unread")), "unread")
            } else {
                Cell::text(lang.tr("已读", "All read"))
            },
            Cell::text(local_time(s.last_at)),
        ]);
    }
    let unread: i64 = threads.iter().map(|s| s.unread).sum();
    let page = Page::whole(threads);
    let heading = if unread > 0 {
        format!(
            "{}（{unread} {}）",
            lang.tr("沟通消息", "Messages"),
            lang.tr("条未读", "unread")
        )
    } else {
        lang.tr("沟通消息", "Messages").to_string()
    };
    let mut view = crate::views::ListPage::new(
        cx.layout("messages", lang.tr("沟通消息", "Messages")),
        &cx.uri,
        heading,
        vec![],
        t,
        &page,
    );
    view.table.empty = lang
        .tr(
            "您还没有参与任何沟通。需求和匹配对接的消息会列在这里：在需求页面或匹配的沟通页面发出第一条消息。",
            "You are in no thread yet. Messages on demands and matches are listed here: post the first one on a demand's page or a match's thread.",
        )
        .into();
    Ok(views::render(&view))
}

/// A message's page: its text, thread, who read it, its earlier versions, and — for its author
/// within the window — the edit form.
async fn message_page(cx: &Ctx, m: Message, redo: Option<&Redo>, status: StatusCode) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let heading = format!("{} #{}", lang.tr("消息", "Message"), m.id);
    let mut props = vec![
        (
            lang.tr("所在沟通", "Thread").to_string(),
            Cell::link(lang.tr("返回沟通", "Back to the thread"), m.thread().href()),
        ),
        (lang.tr("发送人", "From").into(), Cell::text(m.author.clone())),
        (lang.tr("发送时间", "Sent").into(), Cell::text(local_time(m.created_at))),
    ];
    if let Some(e) = m.edited_at {
        props.push((lang.tr("已编辑", "Edited").into(), Cell::text(local_time(e))));
    }
    let mut versions = Table::new(
        lang,
        &[
            ("早先版本", "Earlier text"),
            ("写于", "Written"),
            ("被替换于", "Replaced"),
        ],
    );
    versions.empty = lang.tr("未编辑过。", "Never edited.").into();
    for e in &m.edits {
        versions.rows.push(vec![
            Cell::text(e.body.clone()),
            Cell::text(local_time(e.written_at)),
            Cell::text(local_time(e.replaced_at)),
        ]);
    }
    let mut reads = Table::new(lang, &[("已读", "Read by"), ("时间", "When")]);
    reads.empty = lang.tr("还没有人读过。", "No one has read it yet.").into();
    for r in m.read_by.iter().filter(|r| Some(r.user_id) != m.user_id) {
        reads
            .rows
            .push(vec![Cell::text(r.username.clone()), Cell::text(local_time(r.read_at))]);
    }
    let forms = (m.editable || redo.is_some()).then(|| {
        let mut body = Field::new(lang, "body", ("消息", "Message"), "textarea")
            .value(Some(redo.map(|r| r.body.as_str()).unwrap_or(&m.body)))
            .required();
        body.error = redo
            .and_then(|r| r.errors.get("body"))
            .map(|x| lang.pick(x).to_string());
        body.help = Some(lang.tr_owned((
            &format!("发出后 {EDIT_WINDOW_MINUTES} 分钟内可以修改，早先的内容会保留"),
            &format!("You may edit it within {EDIT_WINDOW_MINUTES} minutes of posting; earlier texts are kept"),
        )));
        (
            lang.tr("修改消息", "Edit the message").to_string(),
            vec![PageForm {
                id: "edit".into(),
                action: format!("/messages/{}/edit", m.id),
                fields: vec![body],
                submit: lang.tr("保存修改", "Save").into(),
                class: "primary",
                confirm: None,
                multipart: false,
            }],
        )
    });
    let files: Vec<(String, String)> = m
        .attachments
        .iter()
        .map(|a| (a.filename.clone(), format!("/api/v1/attachments/{}/content", a.id)))
        .collect();
    let mut file_table = Table::new(lang, &[("附件", "File")]);
    file_table.empty = lang.tr("无附件。", "No files.").into();
    for (name, href) in files {
        file_table.rows.push(vec![Cell::link(name, href)]);
    }
    let history = Some(crate::audit::history(cx, RecordKind::Message, m.id).await?);
    let view = DetailPage {
        layout: cx.layout("messages", heading.clone()),
        heading,
        kind_label: lang.tr("沟通消息", "Message").into(),
        badges: if m.edited_at.is_some() {
            vec![Cell::badge(lang.tr("已编辑", "Edited"), "edited")]
        } else {
            vec![]
        },
        edit_href: None,
        links: vec![],
        actions: vec![],
        archived: false,
        props,
        long_text: vec![(lang.tr("内容", "Text").into(), m.body.clone())],
        sections: vec![
            Section {
                id: "versions",
                title: lang.tr("早先版本", "Earlier versions").into(),
                table: versions,
                add: None,
            },
            Section {
                id: "read-by",
                title: lang.tr("已读情况", "Read by").into(),
                table: reads,
                add: None,
            },
            Section {
                id: "files",
                title: lang.tr("附件", "Files").into(),
                table: file_table,
                add: None,
            },
        ],
        attachments: None,
        history,
        read_only_attachments: true,
        notice: None,
        forms,
        thread: None,
    };
    Ok(views::render_with(status, &view))
}

async fn page_message(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let m = cx.store().get_message(cx.viewer(), id).await?;
    if !m.read && m.user_id != cx.viewer().user_id && cx.viewer().role != hezuo_domain::access::Role::Leader {
        cx.store().mark_message_read(cx.viewer(), id).await?;
    }
    message_page(&cx, m, None, StatusCode::OK).await
}

/// An edit from the message's page; saved, back to the thread; refused (the window closed, an
/// empty text), the message's page with the text kept and the reason beside it.
async fn page_edit(cx: Ctx, Id(id): Id, FormBody(i): FormBody<MessageEditInput>) -> Result<Response, ApiError> {
    let saved = match i.validate() {
        Ok(body) => cx
            .store()
            .edit_message(cx.viewer(), id, &body)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(m) => Ok(views::redirect(&m.thread().href())),
        Err(r) => {
            let m = cx.store().get_message(cx.viewer(), id).await?;
            let redo = Redo {
                body: i.body.unwrap_or_default(),
                errors: r.errors,
            };
            message_page(&cx, m, Some(&redo), r.status).await
        }
    }
}

/// The link to a match's thread, for the tables that list matches.
pub fn match_thread_cell(lang: Lang, match_id: i64) -> Cell {
    Cell::link(lang.tr("沟通消息", "Messages"), format!("/messages/match/{match_id}"))
}
