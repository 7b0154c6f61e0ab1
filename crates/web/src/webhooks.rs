//! Webhooks (消息推送, issue 18): an organisation's 浙政钉/DingTalk group robots and JSON receivers
//! through `resource!` (list, record page, form), the delivery log (`GET
//! /api/v1/webhooks/{id}/deliveries` and the record page's panel) and the test post (`POST
//! /api/v1/webhooks/{id}/test`, the page's button). The secret is written by the form and the API,
//! never shown or returned. Posting itself is `hezuo_app::webhooks`.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::i18n::Lang;
use crate::resource::{Export, Pages, list_view, record_page, resource, routes};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{
    self, Cell, Ctx, DetailPage, Field, ListPage, PostAction, Section, Table, archived_filter, chosen, code_options,
    local_time,
};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::webhook::{
    Delivery, DeliveryStatus, Webhook, WebhookData, WebhookEvent, WebhookFilter, WebhookInput, WebhookKind,
};
use hezuo_domain::{ListParams, Page};
use hezuo_report::sheet::Value;
use hezuo_store::{Store, Viewer};

resource!(
    Webhooks,
    "webhooks",
    hezuo_domain::RecordKind::Webhook,
    Webhook,
    WebhookInput,
    WebhookData,
    WebhookFilter,
    list_webhooks,
    get_webhook,
    create_webhook,
    update_webhook,
    set_webhook_archived
);

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/webhooks/{id}/deliveries", get(api_deliveries))
        .at("/api/v1/webhooks/{id}/test", post(api_test))
        .at("/webhooks/{id}/test", post(page_test))
        .merge(routes::<Webhooks>())
}

async fn api_deliveries(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<Delivery>>, ApiError> {
    Ok(Json(s.store.list_deliveries(&who.viewer, id, &p).await?))
}

/// Sends a test message now; answers the delivery as it stands after the attempt.
async fn send_test(s: &AppState, v: &Viewer, id: i64) -> Result<Delivery, ApiError> {
    let d = s.store.create_test_delivery(v, id).await?;
    hezuo_app::webhooks::deliver_now(&s.store, &s.webhooks, d.id, chrono::Utc::now())
        .await
        .map_err(|e| match e {
            hezuo_app::Error::Store(e) => ApiError::from(e),
            hezuo_app::Error::Internal(m) => ApiError::Internal(m),
            hezuo_app::Error::Busy(b) => ApiError::from(b),
        })?;
    Ok(s.store.get_delivery(v, d.id).await?)
}

async fn api_test(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Delivery>, ApiError> {
    Ok(Json(send_test(&s, &who.viewer, id).await?))
}

async fn page_test(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    send_test(&cx.s, cx.viewer(), id).await?;
    Ok(views::redirect(&format!("/webhooks/{id}#deliveries")))
}

fn events_text(lang: Lang, events: &[WebhookEvent]) -> String {
    events
        .iter()
        .map(|e| lang.pick(&e.label()).to_string())
        .collect::<Vec<_>>()
        .join(lang.tr("、", ", "))
}

fn event_label(lang: Lang, code: &str) -> String {
    match WebhookEvent::parse(code) {
        Some(e) => lang.pick(&e.label()).to_string(),
        None if code == "test" => lang.tr("测试消息", "Test").to_string(),
        None => code.to_string(),
    }
}

fn status_cell(lang: Lang, s: DeliveryStatus) -> Cell {
    Cell::badge(lang.pick(&s.label()), format!("d-{}", s.as_str()))
}

/// The delivery log: each post with its status, attempts, the receiver's HTTP status and last error.
async fn deliveries_section(cx: &Ctx, w: &Webhook) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let page = cx
        .store()
        .list_deliveries(cx.viewer(), w.id, &ListParams::first(50))
        .await?;
    let mut t = Table::new(
        lang,
        &[
            ("时间", "Time"),
            ("事件", "Event"),
            ("内容", "Message"),
            ("状态", "Status"),
            ("尝试次数", "Attempts"),
            ("HTTP 状态", "HTTP status"),
            ("最近错误", "Last error"),
            ("下次重试", "Next attempt"),
        ],
    );
    t.empty = lang
        .tr(
            "还没有推送记录。所选事件发生后会在这里列出每次推送；也可以点“发送测试消息”试一试。",
            "Nothing posted yet. Each post is listed here once a chosen event happens; or send a test message.",
        )
        .into();
    for d in &page.items {
        t.rows.push(vec![
            Cell::text(local_time(d.created_at)),
            Cell::text(event_label(lang, &d.event)),
            Cell::text(&d.title),
            status_cell(lang, d.status),
            Cell::text(d.attempts.to_string()),
            Cell::opt(d.last_status.map(|s| s.to_string()), lang),
            Cell::opt(d.last_error.clone(), lang),
            Cell::opt(d.next_at.map(local_time), lang),
        ]);
    }
    let mut title = lang.tr("推送记录", "Delivery log").to_string();
    if page.total > page.items.len() as i64 {
        title.push_str(&format!(
            "{}{}{}",
            lang.tr("（最近 ", " (latest "),
            page.items.len(),
            lang.tr(" 条）", ")")
        ));
    }
    Ok(Section {
        id: "deliveries",
        title,
        table: t,
        add: None,
    })
}

impl Pages for Webhooks {
    const NAV: &'static str = "webhooks";

    fn heading(lang: Lang) -> String {
        lang.tr("消息推送（钉钉机器人与回调）", "Webhooks (DingTalk robots)")
            .into()
    }
    fn title(r: &Webhook) -> String {
        r.name.clone()
    }

    async fn list_page(cx: &Ctx, f: &WebhookFilter, page: Page<Webhook>) -> Result<ListPage, ApiError> {
        let lang = cx.lang;
        let ids: Vec<i64> = page.items.iter().map(|w| w.organization_id).collect();
        let names = cx.store().organization_names(&ids).await?;
        let mut table = Table::new(
            lang,
            &[
                ("名称", "Name"),
                ("单位", "Organisation"),
                ("类型", "Kind"),
                ("推送事件", "Events"),
                ("状态", "State"),
            ],
        );
        for w in &page.items {
            let mut org = names.get(&w.organization_id).cloned().unwrap_or_default();
            if w.all_units {
                org.push_str(lang.tr("（全市）", " (all)"));
            }
            table.rows.push(vec![
                Cell::link(&w.name, format!("/webhooks/{}", w.id)),
                Cell::link(org, format!("/organizations/{}", w.organization_id)),
                Cell::text(lang.pick(&w.kind.label())),
                Cell::text(events_text(lang, &w.events)),
                if w.enabled {
                    Cell::badge(lang.tr("启用", "On"), "w-on")
                } else {
                    Cell::badge(lang.tr("停用", "Off"), "w-off")
                },
            ]);
        }
        let filters = vec![
            Field::new(lang, "q", ("名称", "Name"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, WebhookKind::ALL, WebhookKind::label, WebhookKind::as_str),
                &chosen(&f.kind),
            ),
            archived_filter(lang, &f.archived),
        ];
        let unfiltered = [&f.q, &f.kind, &f.organization_id, &f.archived]
            .iter()
            .all(|v| v.as_deref().unwrap_or("").trim().is_empty());
        let mut view = list_view::<Self>(cx, filters, table, &page);
        if unfiltered {
            view.table.empty = lang
                .tr(
                    "还没有登记钉钉群机器人或回调地址。点“新建”登记一个，选择要推送的事件。",
                    "No robots or webhooks yet. Add one and choose its events.",
                )
                .into();
        }
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, w: Webhook) -> Result<DetailPage, ApiError> {
        let lang = cx.lang;
        let names = cx.store().organization_names(&[w.organization_id]).await?;
        let props = vec![
            (
                lang.tr("单位", "Organisation").to_string(),
                Cell::link(
                    names.get(&w.organization_id).cloned().unwrap_or_default(),
                    format!("/organizations/{}", w.organization_id),
                ),
            ),
            (lang.tr("类型", "Kind").into(), Cell::text(lang.pick(&w.kind.label()))),
            (lang.tr("推送地址", "Address").into(), Cell::text(&w.url)),
            (
                lang.tr("签名密钥", "Signing secret").into(),
                Cell::text(if w.has_secret {
                    lang.tr("已设置（不显示）", "Set (never shown)")
                } else {
                    lang.tr("未设置", "Not set")
                }),
            ),
            (
                lang.tr("推送事件", "Events").into(),
                Cell::text(events_text(lang, &w.events)),
            ),
            (
                lang.tr("接收范围", "Reach").into(),
                Cell::text(if w.all_units {
                    lang.tr("全市所有单位的事件", "Every organisation's events")
                } else {
                    lang.tr("本单位及下属单位的事件", "This organisation's and those below it")
                }),
            ),
        ];
        let mut base = record_page::<Self>(cx, w.id, w.name.clone(), w.archived);
        if !w.archived
            && w.enabled
            && cx
                .store()
                .can(
                    cx.viewer(),
                    hezuo_domain::RecordKind::Webhook,
                    Some(w.id),
                    hezuo_domain::access::Action::Update,
                )
                .await?
        {
            base.actions.insert(
                0,
                PostAction {
                    label: lang.tr("发送测试消息", "Send a test message").into(),
                    action: format!("/webhooks/{}/test", w.id),
                    class: "secondary",
                    fields: vec![],
                    confirm: None,
                },
            );
        }
        Ok(DetailPage {
            badges: vec![if w.enabled {
                Cell::badge(lang.tr("启用", "On"), "w-on")
            } else {
                Cell::badge(lang.tr("停用", "Off"), "w-off")
            }],
            props,
            sections: vec![deliveries_section(cx, &w).await?],
            notice: Some(
                lang.tr(
                    "推送失败会自动重试（1 分钟、5 分钟、30 分钟、2 小时、12 小时后），仍失败则记为“失败”。每个事件只推送一次。",
                    "Failed posts are retried after 1 min, 5 min, 30 min, 2 h and 12 h, then marked failed. Each event is posted once.",
                )
                .into(),
            ),
            ..base
        })
    }

    async fn form_fields(cx: &Ctx, i: &WebhookInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let mut orgs: Vec<(String, String)> = st
            .organization_options(v)
            .await?
            .into_iter()
            .map(|(id, n, _)| (id.to_string(), n))
            .collect();
        let mut org = chosen(&i.organization_id);
        if org.is_empty() && orgs.len() == 1 {
            org = vec![orgs[0].0.clone()];
        }
        if let Some(id) = i.organization_id.as_deref().map(str::trim).filter(|id| !id.is_empty())
            && !orgs.iter().any(|(v, _)| v == id)
        {
            orgs.push((id.to_string(), format!("{} #{id}", lang.tr("单位", "Organisation"))));
        }
        let events: Vec<(String, String)> = WebhookEvent::ALL
            .iter()
            .map(|e| (e.as_str().to_string(), lang.pick(&e.label()).to_string()))
            .collect();
        let on_off = vec![
            ("true".to_string(), lang.tr("启用", "On").to_string()),
            ("false".to_string(), lang.tr("停用", "Off").to_string()),
        ];
        let enabled = vec![i.enabled.clone().unwrap_or_else(|| "true".into())];
        let mut fields = vec![
            Field::new(lang, "organization_id", ("单位", "Organisation"), "select")
                .required()
                .options(lang, orgs, &org),
            Field::new(lang, "name", ("名称", "Name"), "text")
                .value(i.name.as_deref())
                .required()
                .help(lang, ("如：区科技局工作群机器人", "e.g. the county office's group robot")),
            Field::new(lang, "kind", ("类型", "Kind"), "select")
                .options(
                    lang,
                    code_options(lang, WebhookKind::ALL, WebhookKind::label, WebhookKind::as_str),
                    &chosen(&i.kind),
                )
                .without_blank(),
            Field::new(lang, "url", ("推送地址", "Address"), "text")
                .value(i.url.as_deref())
                .required()
                .help(
                    lang,
                    (
                        "以 http:// 或 https:// 开头。钉钉机器人填 Webhook 地址（含 access_token）。",
                        "Starts with http:// or https://. For a DingTalk robot, its webhook address with the access_token.",
                    ),
                ),
            // Never filled in: a secret is written, not shown again.
            Field::new(lang, "secret", ("签名密钥", "Signing secret"), "password").help(
                lang,
                (
                    "钉钉机器人“加签”的密钥（SEC 开头），或回调接收方约定的密钥。保存后不再显示；修改时留空表示不变。",
                    "The robot's signing secret (SEC…) or the receiver's. Never shown after saving; leave blank to keep it.",
                ),
            ),
            Field::new(lang, "events", ("推送事件", "Events"), "multi")
                .required()
                .options(lang, events, &i.events),
            Field::new(lang, "enabled", ("状态", "State"), "select")
                .options(lang, on_off, &enabled)
                .without_blank(),
        ];
        if v.role == hezuo_domain::access::Role::Office {
            fields.push(
                Field::new(
                    lang,
                    "all_units",
                    ("接收全市所有单位的事件", "Every organisation's events"),
                    "checkbox",
                )
                .value(i.all_units.as_deref()),
            );
        }
        Ok(fields)
    }
}

impl Export for Webhooks {
    const SHEET: (&'static str, &'static str) = ("消息推送", "Webhooks");
    const COLUMNS: &'static [(&'static str, &'static str, f64)] = &[
        ("编号", "No.", 8.0),
        ("名称", "Name", 24.0),
        ("单位", "Organisation", 28.0),
        ("类型", "Kind", 18.0),
        ("推送事件", "Events", 36.0),
        ("状态", "State", 8.0),
    ];
    async fn rows(s: &Store, _v: &Viewer, lang: Lang, items: &[Webhook]) -> hezuo_store::Result<Vec<Vec<Value>>> {
        let ids: Vec<i64> = items.iter().map(|w| w.organization_id).collect();
        let names = s.organization_names(&ids).await?;
        Ok(items
            .iter()
            .map(|w| {
                vec![
                    Value::Int(w.id),
                    Value::text(&w.name),
                    Value::opt_text(names.get(&w.organization_id).cloned()),
                    Value::text(lang.pick(&w.kind.label())),
                    Value::text(events_text(lang, &w.events)),
                    Value::text(if w.enabled {
                        lang.tr("启用", "On")
                    } else {
                        lang.tr("停用", "Off")
                    }),
                ]
            })
            .collect())
    }
}
