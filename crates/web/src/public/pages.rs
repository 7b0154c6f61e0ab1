//! The portal's pages: one template (`public.html`) for all of them — blocks of cards, an article,
//! a pager — filled from the store's public queries only.

use crate::error::ApiError;
use crate::state::AppState;
use crate::views::local_time;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use hezuo_domain::notice::Notice;
use hezuo_domain::public::{PublicCampaign, PublicDemand, PublicExpert, PublicPlatform, PublicResult};
use std::collections::HashMap;

/// Cards a list page shows at a time.
pub const PER_PAGE: i64 = 20;

/// Text as shown: pieces, each marked (a search match) or not.
pub type Frags = Vec<(String, bool)>;

pub struct Card {
    pub title: Frags,
    pub href: Option<String>,
    pub tags: Vec<String>,
    pub meta: Vec<(String, String)>,
    pub text: Frags,
}

pub struct Block {
    pub id: &'static str,
    pub heading: String,
    pub count: Option<i64>,
    pub cards: Vec<Card>,
    pub empty: String,
    pub more: Option<(String, String)>,
}

pub struct Article {
    pub meta: Vec<(String, String)>,
    pub paragraphs: Vec<String>,
    pub action: Option<(String, String)>,
    pub files: Vec<(String, String, String)>,
    pub back: Option<(String, String)>,
}

pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
    pub label: String,
}

#[derive(Template)]
#[template(path = "public.html")]
pub struct PublicPage {
    pub title: String,
    pub nav: Vec<(&'static str, &'static str, bool)>,
    pub q: String,
    pub lead: Option<String>,
    pub article: Option<Article>,
    pub blocks: Vec<Block>,
    pub pager: Option<Pager>,
}

const SECTIONS: [(&str, &str, &str); 8] = [
    ("home", "/public", "首页"),
    ("notices", "/public/notices", "通知公告"),
    ("campaigns", "/public/campaigns", "征集公告"),
    ("results", "/public/results", "科技成果"),
    ("demands", "/public/demands", "技术需求"),
    ("platforms", "/public/platforms", "共建平台"),
    ("experts", "/public/experts", "专家名录"),
    ("search", "/public/search", "搜索"),
];

impl PublicPage {
    pub fn new(section: &str, title: impl Into<String>) -> PublicPage {
        PublicPage {
            title: title.into(),
            nav: SECTIONS
                .iter()
                .filter(|(k, _, _)| *k != "search")
                .map(|(k, href, label)| (*href, *label, *k == section))
                .collect(),
            q: String::new(),
            lead: None,
            article: None,
            blocks: Vec::new(),
            pager: None,
        }
    }

    pub fn render(&self, status: StatusCode) -> Response {
        match Template::render(self) {
            Ok(html) => {
                let mut r = Html(html).into_response();
                *r.status_mut() = status;
                r
            }
            Err(e) => ApiError::Internal(format!("template failed to render: {e}")).into_response(),
        }
    }
}

/// The page for a record that is not public (a draft, archived, unaccepted, or none at all): the
/// same for each, so the portal never tells which.
pub fn not_found(section: &str) -> Response {
    let (_, href, label) = SECTIONS.iter().find(|(k, _, _)| *k == section).unwrap_or(&SECTIONS[0]);
    let mut p = PublicPage::new(section, "未找到该信息");
    p.lead = Some("该信息不存在，或尚未公开、已撤下。".into());
    p.article = Some(Article {
        meta: vec![],
        paragraphs: vec![],
        action: None,
        files: vec![],
        back: Some((href.to_string(), format!("返回{label}"))),
    });
    p.render(StatusCode::NOT_FOUND)
}

fn plain(s: impl Into<String>) -> Frags {
    vec![(s.into(), false)]
}

/// At most `n` characters of `s`, with "…" when cut.
pub fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

fn paragraphs(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[derive(serde::Deserialize, Default)]
pub struct PageQ {
    pub page: Option<String>,
}

impl PageQ {
    fn number(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
            .filter(|p| *p >= 1 && *p <= 100_000)
            .unwrap_or(1)
    }
}

fn pager(path: &str, page: i64, total: i64) -> Option<Pager> {
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    if pages <= 1 {
        return None;
    }
    Some(Pager {
        prev: (page > 1).then(|| format!("{path}?page={}", page - 1)),
        next: (page < pages).then(|| format!("{path}?page={}", page + 1)),
        label: format!("第 {page} / {pages} 页"),
    })
}

fn size_text(n: i64) -> String {
    match n {
        n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / 1024.0 / 1024.0),
        n if n >= 1024 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} 字节"),
    }
}

fn id_of(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|i| *i > 0)
}

pub fn notice_card(n: &Notice) -> Card {
    Card {
        title: plain(&n.title),
        href: Some(format!("/public/notices/{}", n.id)),
        tags: vec![n.kind.label().zh],
        meta: n
            .published_at
            .map(|t| vec![("发布时间".to_string(), local_time(t))])
            .unwrap_or_default(),
        text: plain(clip(&n.body, 100)),
    }
}

pub fn campaign_card(c: &PublicCampaign) -> Card {
    Card {
        title: plain(&c.title),
        href: Some(format!("/public/campaigns/{}", c.id)),
        tags: vec!["征集中".into()],
        meta: vec![
            ("组织单位".into(), c.organizer.clone()),
            ("征集时间".into(), format!("{} 至 {}", c.starts_on, c.ends_on)),
        ],
        text: c
            .description
            .as_deref()
            .map(|d| plain(clip(d, 120)))
            .unwrap_or_default(),
    }
}

fn price_text(r: &PublicResult) -> String {
    r.price
        .map_or_else(|| "面议".to_string(), |p| format!("{} 万元", p.wan()))
}

pub fn result_card(r: &PublicResult) -> Card {
    Card {
        title: plain(&r.title),
        href: Some(format!("/public/results/{}", r.id)),
        tags: vec![r.maturity.label().zh, r.transfer_mode.label().zh],
        meta: vec![
            ("领域".into(), r.field.clone().unwrap_or_else(|| "—".into())),
            ("参考价格".into(), price_text(r)),
        ],
        text: r.summary.as_deref().map(|d| plain(clip(d, 120))).unwrap_or_default(),
    }
}

fn enterprise_text(d: &PublicDemand) -> String {
    d.enterprise.clone().unwrap_or_else(|| "企业未公开名称".into())
}

pub fn demand_card(d: &PublicDemand) -> Card {
    Card {
        title: plain(&d.title),
        href: Some(format!("/public/demands/{}", d.id)),
        tags: vec![d.mode.label().zh],
        meta: vec![
            ("需求企业".into(), enterprise_text(d)),
            ("技术领域".into(), d.field.clone().unwrap_or_else(|| "—".into())),
        ],
        text: plain(clip(&d.summary, 120)),
    }
}

pub fn platform_card(p: &PublicPlatform) -> Card {
    Card {
        title: plain(&p.name),
        href: Some(format!("/public/platforms/{}", p.id)),
        tags: vec![p.kind.label().zh, p.level.label().zh],
        meta: vec![("依托单位".into(), p.hosts.join("、"))],
        text: p.summary.as_deref().map(|d| plain(clip(d, 120))).unwrap_or_default(),
    }
}

pub fn expert_card(e: &PublicExpert) -> Card {
    let mut meta = vec![("单位".to_string(), e.organization.clone())];
    if let Some(t) = &e.title {
        meta.push(("职称".into(), t.clone()));
    }
    if let Some(d) = &e.discipline {
        meta.push(("学科".into(), d.clone()));
    }
    Card {
        title: plain(&e.name),
        href: Some(format!("/public/experts/{}", e.id)),
        tags: vec![],
        meta,
        text: e
            .research_fields
            .as_deref()
            .map(|f| plain(format!("研究方向：{}", clip(f, 120))))
            .unwrap_or_default(),
    }
}

fn block(id: &'static str, heading: &str, count: Option<i64>, cards: Vec<Card>, empty: &str) -> Block {
    Block {
        id,
        heading: heading.into(),
        count,
        cards,
        empty: empty.into(),
        more: None,
    }
}

const EMPTY_NOTICES: &str = "暂无已发布的通知公告。";
const EMPTY_CAMPAIGNS: &str = "目前没有正在进行的征集活动，请留意通知公告。";
const EMPTY_RESULTS: &str = "暂无可供转化的科技成果。";
const EMPTY_DEMANDS: &str = "暂无公开的技术需求。";
const EMPTY_PLATFORMS: &str = "暂无公开的共建平台。";
const EMPTY_EXPERTS: &str = "暂无公开的专家信息。";

/// How an enterprise takes part in a call.
const HOW_TO_JOIN: &str = "企业可先在本平台注册（填写单位名称、统一社会信用代码、所属行业和所在县（市、区）、联系人），经审核通过后在线填报技术需求；也可联系所在县（市、区）科技局，由技术转移中心上门走访征集。需求的详细技术内容仅协调办和对接专家可见，不会在本门户公开。";

pub async fn home(State(s): State<AppState>) -> Result<Response, ApiError> {
    let st = &s.store;
    let (n_notices, notices) = st.public_notices(5, 0).await?;
    let (n_calls, calls) = st.public_campaigns(None, 5, 0).await?;
    let (n_results, results) = st.public_results(None, 6, 0).await?;
    let (n_demands, demands) = st.public_demands(None, 5, 0).await?;
    let (n_platforms, platforms) = st.public_platforms(None, 4, 0).await?;
    let (n_experts, experts) = st.public_experts(None, 6, 0).await?;
    let mut p = PublicPage::new("home", "市校合作公开门户");
    p.lead = Some(
        "浙江工业大学与衢州市市校合作的公开信息：通知公告、征集公告、科技成果目录、技术需求、共建平台和专家名录。"
            .into(),
    );
    let more = |href: &str, label: &str, n: i64, shown: usize| {
        (n > shown as i64).then(|| (href.to_string(), format!("查看全部{label}（{n} 项）")))
    };
    let mut b = vec![
        block(
            "notices",
            "通知公告",
            Some(n_notices),
            notices.iter().map(notice_card).collect(),
            EMPTY_NOTICES,
        ),
        block(
            "campaigns",
            "征集公告",
            Some(n_calls),
            calls.iter().map(campaign_card).collect(),
            EMPTY_CAMPAIGNS,
        ),
        block(
            "results",
            "科技成果",
            Some(n_results),
            results.iter().map(result_card).collect(),
            EMPTY_RESULTS,
        ),
        block(
            "demands",
            "技术需求",
            Some(n_demands),
            demands.iter().map(demand_card).collect(),
            EMPTY_DEMANDS,
        ),
        block(
            "platforms",
            "共建平台",
            Some(n_platforms),
            platforms.iter().map(platform_card).collect(),
            EMPTY_PLATFORMS,
        ),
        block(
            "experts",
            "专家名录",
            Some(n_experts),
            experts.iter().map(expert_card).collect(),
            EMPTY_EXPERTS,
        ),
    ];
    b[0].more = more("/public/notices", "通知公告", n_notices, notices.len());
    b[1].more = Some(("/public/campaigns".into(), "如何参与征集".into()));
    b[2].more = more("/public/results", "科技成果", n_results, results.len());
    b[3].more = more("/public/demands", "技术需求", n_demands, demands.len());
    b[4].more = more("/public/platforms", "共建平台", n_platforms, platforms.len());
    b[5].more = more("/public/experts", "专家", n_experts, experts.len());
    p.blocks = b;
    Ok(p.render(StatusCode::OK))
}

/// A list page: its heading, lead and cards, paged.
async fn list_page<T>(
    section: &'static str,
    heading: &str,
    lead: Option<&str>,
    empty: &str,
    q: &PageQ,
    fetch: impl AsyncFnOnce(i64, i64) -> hezuo_store::Result<(i64, Vec<T>)>,
    card: fn(&T) -> Card,
) -> Result<Response, ApiError> {
    let page = q.number();
    let (total, items) = fetch(PER_PAGE, (page - 1) * PER_PAGE).await?;
    let mut p = PublicPage::new(section, heading);
    p.lead = lead.map(String::from);
    p.blocks = vec![block(
        section,
        "列表",
        Some(total),
        items.iter().map(card).collect(),
        empty,
    )];
    p.blocks[0].heading = format!("{heading}列表");
    p.pager = pager(&format!("/public/{section}"), page, total);
    Ok(p.render(StatusCode::OK))
}

pub async fn notices(State(s): State<AppState>, Query(q): Query<PageQ>) -> Result<Response, ApiError> {
    list_page(
        "notices",
        "通知公告",
        None,
        EMPTY_NOTICES,
        &q,
        async |l, o| s.store.public_notices(l, o).await,
        notice_card,
    )
    .await
}

pub async fn campaigns(State(s): State<AppState>, Query(q): Query<PageQ>) -> Result<Response, ApiError> {
    list_page(
        "campaigns",
        "征集公告",
        Some(HOW_TO_JOIN),
        EMPTY_CAMPAIGNS,
        &q,
        async |l, o| s.store.public_campaigns(None, l, o).await,
        campaign_card,
    )
    .await
}

pub async fn results(State(s): State<AppState>, Query(q): Query<PageQ>) -> Result<Response, ApiError> {
    list_page(
        "results",
        "科技成果",
        Some("浙江工业大学可供转化的科技成果。价格经成果完成人同意后公开，未公开的显示为“面议”。"),
        EMPTY_RESULTS,
        &q,
        async |l, o| s.store.public_results(None, l, o).await,
        result_card,
    )
    .await
}

pub async fn demands(State(s): State<AppState>, Query(q): Query<PageQ>) -> Result<Response, ApiError> {
    list_page(
        "demands",
        "技术需求",
        Some("经协调办受理的企业技术需求（公开摘要）。企业名称经企业同意后公开。"),
        EMPTY_DEMANDS,
        &q,
        async |l, o| s.store.public_demands(None, l, o).await,
        demand_card,
    )
    .await
}

pub async fn platforms(State(s): State<AppState>, Query(q): Query<PageQ>) -> Result<Response, ApiError> {
    list_page(
        "platforms",
        "共建平台",
        None,
        EMPTY_PLATFORMS,
        &q,
        async |l, o| s.store.public_platforms(None, l, o).await,
        platform_card,
    )
    .await
}

pub async fn experts(State(s): State<AppState>, Query(q): Query<PageQ>) -> Result<Response, ApiError> {
    list_page(
        "experts",
        "专家名录",
        Some("本人同意公开信息的专家。如需联系专家，请通过协调办对接。"),
        EMPTY_EXPERTS,
        &q,
        async |l, o| s.store.public_experts(None, l, o).await,
        expert_card,
    )
    .await
}

/// A record's page: its card's facts and its full public text.
fn record_page(
    section: &'static str,
    back: &str,
    card: Card,
    text: &str,
    action: Option<(String, String)>,
) -> Response {
    let title: String = card.title.into_iter().map(|(t, _)| t).collect();
    let mut p = PublicPage::new(section, title);
    let mut meta: Vec<(String, String)> = card.tags.into_iter().map(|t| ("类别".to_string(), t)).collect();
    meta.extend(card.meta);
    p.article = Some(Article {
        meta,
        paragraphs: paragraphs(text),
        action,
        files: vec![],
        back: Some((format!("/public/{section}"), format!("返回{back}"))),
    });
    p.render(StatusCode::OK)
}

pub async fn notice(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let Some(n) = (match id_of(&id) {
        Some(id) => s.store.public_notice(id).await?,
        None => None,
    }) else {
        return Ok(not_found("notices"));
    };
    let files = s.store.public_notice_files(n.id).await?;
    let mut p = PublicPage::new("notices", n.title.clone());
    let mut meta = vec![("类别".to_string(), n.kind.label().zh)];
    if let Some(t) = n.published_at {
        meta.push(("发布时间".into(), local_time(t)));
    }
    p.article = Some(Article {
        meta,
        paragraphs: paragraphs(&n.body),
        action: None,
        files: files
            .iter()
            .map(|f| {
                (
                    f.filename.clone(),
                    format!("/public/notices/{}/files/{}", n.id, f.id),
                    size_text(f.size_bytes),
                )
            })
            .collect(),
        back: Some(("/public/notices".into(), "返回通知公告".into())),
    });
    Ok(p.render(StatusCode::OK))
}

pub async fn notice_file(
    State(s): State<AppState>,
    Path(ids): Path<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (Some(id), Some(fid)) = (
        ids.get("id").and_then(|i| id_of(i)),
        ids.get("mid").and_then(|i| id_of(i)),
    ) else {
        return Ok(not_found("notices"));
    };
    let Some((a, bytes)) = s.store.public_notice_file(id, fid).await? else {
        return Ok(not_found("notices"));
    };
    let name = urlencoding::encode(&a.filename).into_owned();
    let inline = a.content_type.starts_with("image/") || a.content_type == "application/pdf";
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "{}; filename*=UTF-8''{name}",
                    if inline { "inline" } else { "attachment" }
                ),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
            (header::ETAG, format!("\"{}\"", a.sha256)),
            (
                header::CACHE_CONTROL,
                format!("public, max-age={}", super::MAX_AGE_SECS),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn campaign(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let found = match id_of(&id) {
        Some(id) => s.store.public_campaigns(Some(id), 1, 0).await?.1.pop(),
        None => None,
    };
    let Some(c) = found else {
        return Ok(not_found("campaigns"));
    };
    let text = format!("{}\n参与方式：{HOW_TO_JOIN}", c.description.clone().unwrap_or_default());
    Ok(record_page(
        "campaigns",
        "征集公告",
        campaign_card(&c),
        &text,
        Some(("/register".into(), "企业注册并填报需求".into())),
    ))
}

pub async fn result(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let found = match id_of(&id) {
        Some(id) => s.store.public_results(Some(id), 1, 0).await?.1.pop(),
        None => None,
    };
    let Some(r) = found else {
        return Ok(not_found("results"));
    };
    let text = r.summary.clone().unwrap_or_default();
    Ok(record_page("results", "科技成果", result_card(&r), &text, None))
}

pub async fn demand(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let found = match id_of(&id) {
        Some(id) => s.store.public_demands(Some(id), 1, 0).await?.1.pop(),
        None => None,
    };
    let Some(d) = found else {
        return Ok(not_found("demands"));
    };
    let text = d.summary.clone();
    Ok(record_page("demands", "技术需求", demand_card(&d), &text, None))
}

pub async fn platform(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let found = match id_of(&id) {
        Some(id) => s.store.public_platforms(Some(id), 1, 0).await?.1.pop(),
        None => None,
    };
    let Some(p) = found else {
        return Ok(not_found("platforms"));
    };
    let text = p.summary.clone().unwrap_or_default();
    Ok(record_page("platforms", "共建平台", platform_card(&p), &text, None))
}

pub async fn expert(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let found = match id_of(&id) {
        Some(id) => s.store.public_experts(Some(id), 1, 0).await?.1.pop(),
        None => None,
    };
    let Some(e) = found else {
        return Ok(not_found("experts"));
    };
    let text = e
        .research_fields
        .clone()
        .map(|f| format!("研究方向：{f}"))
        .unwrap_or_default();
    Ok(record_page("experts", "专家名录", expert_card(&e), &text, None))
}
