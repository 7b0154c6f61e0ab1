//! Search across every record kind the user may see: the search page (grouped by kind, highlighted,
//! with facets) and `GET /api/v1/search`. The index (`hezuo_app::search`, following the records'
//! change feed) returns candidates; the store's access rule (the same one every list uses) removes
//! what the user may not see before anything is shown or counted.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Ctx, Layout};
use anyhow::Context;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use hezuo_domain::access::Role;
use hezuo_domain::{Msg, RecordKind, input};
use hezuo_search::{Facets, Hit, SearchRequest};
use hezuo_store::Viewer;
use serde::{Deserialize, Serialize};

/// How many candidates a query may bring back before access filtering.
const CANDIDATES: usize = 10_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/search", get(page_search))
        .at("/api/v1/search", get(api_search))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SearchParams {
    /// What to look for: Chinese (simplified or traditional), pinyin, English.
    pub q: Option<String>,
    /// Facets: a record kind (`demand`, `project`…), a county's name, an industry's name, a year, a status label.
    pub kind: Option<String>,
    pub county: Option<String>,
    pub industry: Option<String>,
    #[serde(deserialize_with = "hezuo_domain::input::de_opt_string")]
    pub year: Option<String>,
    pub status: Option<String>,
    #[serde(deserialize_with = "hezuo_domain::input::de_opt_string")]
    pub page: Option<String>,
    #[serde(deserialize_with = "hezuo_domain::input::de_opt_string")]
    pub per_page: Option<String>,
}

/// A stretch of text, marked when it matched the query.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Fragment {
    pub text: String,
    pub mark: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchItem {
    pub kind: RecordKind,
    pub id: i64,
    pub url: String,
    pub title: String,
    pub score: f32,
    pub title_highlight: Vec<Fragment>,
    pub snippet: Vec<Fragment>,
    pub county: Option<String>,
    pub industry: Option<String>,
    pub year: Option<i32>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchFacets {
    pub kind: Vec<FacetCount>,
    pub county: Vec<FacetCount>,
    pub industry: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub status: Vec<FacetCount>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchAnswer {
    pub query: String,
    pub items: Vec<SearchItem>,
    /// Hits the caller may see, after the facet filters.
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    /// Counts over every hit the caller may see (before the facet filters).
    pub facets: SearchFacets,
}

fn fragments(parts: Vec<(String, bool)>) -> Vec<Fragment> {
    parts.into_iter().map(|(text, mark)| Fragment { text, mark }).collect()
}

fn kind_label(lang: Lang, k: RecordKind) -> String {
    lang.pick(&k.label()).to_string()
}

fn facet_counts(lang: Lang, f: &Facets) -> SearchFacets {
    let plain = |v: &[(String, usize)]| {
        v.iter()
            .map(|(x, n)| FacetCount {
                value: x.clone(),
                label: x.clone(),
                count: *n,
            })
            .collect()
    };
    SearchFacets {
        kind: f
            .kind
            .iter()
            .map(|(k, n)| FacetCount {
                value: k.as_str().into(),
                label: kind_label(lang, *k),
                count: *n,
            })
            .collect(),
        county: plain(&f.county),
        industry: plain(&f.industry),
        year: f
            .year
            .iter()
            .map(|(y, n)| FacetCount {
                value: y.to_string(),
                label: y.to_string(),
                count: *n,
            })
            .collect(),
        status: f
            .status
            .iter()
            .map(|(x, n)| FacetCount {
                value: x.clone(),
                label: status_words(lang, x),
                count: *n,
            })
            .collect(),
    }
}

/// The longest query searched (a demand's whole text fits); the search boxes stop typing there.
pub const MAX_QUERY_CHARS: usize = 2000;

fn too_long(n: usize) -> Msg {
    Msg::new(
        format!("搜索内容过长：{n} 个字，最多 {MAX_QUERY_CHARS} 字。请缩短后再搜索，例如只保留需求的关键句。"),
        format!(
            "The query is too long: {n} characters, {MAX_QUERY_CHARS} at most. Shorten it, e.g. keep the demand's key sentence."
        ),
    )
}

/// A status facet (the index keeps a status's Chinese label) in the reader's language.
fn status_words(lang: Lang, zh: &str) -> String {
    use hezuo_domain::*;
    if !lang.en() {
        return zh.to_string();
    }
    let labels = (agreement::AgreementStatus::ALL.iter().map(|s| s.label()))
        .chain(project::ProjectStatus::ALL.iter().map(|s| s.label()))
        .chain(problem::ProblemStatus::ALL.iter().map(|s| s.label()))
        .chain(bulletin::BulletinStatus::ALL.iter().map(|s| s.label()))
        .chain(demand::DemandStatus::ALL.iter().map(|s| s.label()))
        .chain(research_result::ResultStatus::ALL.iter().map(|s| s.label()))
        .chain(outcome::OutcomeStatus::ALL.iter().map(|s| s.label()));
    labels
        .into_iter()
        .find(|m| m.zh == zh)
        .map(|m| m.en)
        .unwrap_or_else(|| zh.to_string())
}

/// Runs a search as `who`: candidates from the index, narrowed to what `who` may see, counted,
/// filtered by the chosen facets and paged.
pub async fn run_search(s: &AppState, v: &Viewer, lang: Lang, p: &SearchParams) -> Result<SearchAnswer, ApiError> {
    let query = input::opt_text(&p.q).unwrap_or("").to_string();
    let page: u32 = input::opt_text(&p.page)
        .and_then(|x| x.parse().ok())
        .filter(|x| *x >= 1)
        .unwrap_or(1);
    let per_page: u32 = input::opt_text(&p.per_page)
        .and_then(|x| x.parse().ok())
        .filter(|x| (1..=100).contains(x))
        .unwrap_or(20);
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::field("q", too_long(query.chars().count())));
    }
    let empty = SearchAnswer {
        query: query.clone(),
        items: vec![],
        total: 0,
        page,
        per_page,
        facets: facet_counts(lang, &Facets::default()),
    };
    if query.is_empty() {
        return Ok(empty);
    }
    s.search.sync(&s.store).await.context("search index")?;
    let req = SearchRequest {
        query: query.clone(),
        // Confidential details are searched for the office only.
        include_restricted: v.role == Role::Office,
        limit: CANDIDATES,
    };
    // The engine's part on its own threads; the database reads around it stay here. The hits
    // come without their text, which only the page shown needs (`fill` below).
    let mut hits: Vec<Hit> = s.search.run(move |index| index.search_keys(&req)).await??;
    let keys: Vec<(RecordKind, i64)> = hits.iter().map(|h| (h.kind, h.id)).collect();
    let allowed = s.store.visible_among(v, &keys).await?;
    hits.retain(|h| allowed.contains(&(h.kind, h.id)));
    let facets = facet_counts(lang, &hezuo_search::facets(&hits));
    let chosen = |v: &Option<String>| input::opt_text(v).map(str::to_string);
    let (kind, county, industry, year, status) = (
        chosen(&p.kind),
        chosen(&p.county),
        chosen(&p.industry),
        chosen(&p.year),
        chosen(&p.status),
    );
    hits.retain(|h| {
        kind.as_ref().is_none_or(|k| h.kind.as_str() == k)
            && county.as_ref().is_none_or(|c| h.county.as_ref() == Some(c))
            && industry.as_ref().is_none_or(|c| h.industry.as_ref() == Some(c))
            && year
                .as_ref()
                .is_none_or(|y| h.year.map(|x| x.to_string()).as_ref() == Some(y))
            && status.as_ref().is_none_or(|c| h.status.as_ref() == Some(c))
    });
    let total = hits.len();
    let start = ((page - 1) * per_page) as usize;
    let shown: Vec<Hit> = hits.into_iter().skip(start).take(per_page as usize).collect();
    let shown = s
        .search
        .run(move |index| {
            let mut shown = shown;
            index.fill(&mut shown).map(|()| shown)
        })
        .await??;
    let items = shown
        .into_iter()
        .map(|h| {
            let text = if h.body.is_empty() {
                h.names.join("，")
            } else {
                h.body.clone()
            };
            SearchItem {
                url: format!("/{}/{}", h.kind.plural(), h.id),
                title_highlight: fragments(hezuo_search::highlight(&query, &h.title, 200)),
                snippet: fragments(hezuo_search::highlight(&query, &text, 120)),
                kind: h.kind,
                id: h.id,
                title: h.title,
                score: h.score,
                county: h.county,
                industry: h.industry,
                year: h.year,
                status: h.status,
            }
        })
        .collect();
    Ok(SearchAnswer {
        items,
        total,
        facets,
        ..empty
    })
}

async fn api_search(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchAnswer>, ApiError> {
    Ok(Json(run_search(&s, &who.viewer, lang, &p).await?))
}

/// One facet on the page: its heading and its values as links that add it to the query.
pub struct FacetView {
    pub title: String,
    pub values: Vec<(String, usize, String, bool)>,
}

/// Hits of one kind, in the order of their best score.
pub struct Group {
    pub label: String,
    pub kind: String,
    pub count: usize,
    pub items: Vec<SearchItem>,
    /// Link to all hits of this kind, when only the first few are shown.
    pub more: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub query: String,
    /// Why the query was not searched (too long).
    pub notice: Option<String>,
    /// The search box's `maxlength`.
    pub max_query: usize,
    pub total: usize,
    pub groups: Vec<Group>,
    pub facets: Vec<FacetView>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub clear_href: Option<String>,
}

fn href(p: &SearchParams, set: &[(&str, Option<String>)]) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let cur = [
        ("q", &p.q),
        ("kind", &p.kind),
        ("county", &p.county),
        ("industry", &p.industry),
        ("year", &p.year),
        ("status", &p.status),
    ];
    for (k, v) in cur {
        if set.iter().any(|(sk, _)| *sk == k) {
            continue;
        }
        if let Some(v) = input::opt_text(v) {
            pairs.push((k.into(), v.into()));
        }
    }
    for (k, v) in set {
        if let Some(v) = v {
            pairs.push(((*k).into(), v.clone()));
        }
    }
    format!("/search?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

async fn page_search(cx: Ctx, Query(p): Query<SearchParams>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let grouped = input::opt_text(&p.kind).is_none();
    // Without a kind chosen, everything is on one screen: the first five of each kind, with a
    // link to the rest.
    let asked = if grouped {
        SearchParams {
            per_page: Some("100".into()),
            page: Some("1".into()),
            ..p.clone()
        }
    } else {
        p.clone()
    };
    // A query too long is answered on this page, with what to do, and the first part kept in the box.
    let n = input::opt_text(&p.q).map_or(0, |q| q.chars().count());
    let (answer, notice) = if n > MAX_QUERY_CHARS {
        let kept: String =
            p.q.as_deref()
                .unwrap_or("")
                .trim()
                .chars()
                .take(MAX_QUERY_CHARS)
                .collect();
        let empty = SearchParams {
            q: None,
            ..asked.clone()
        };
        let mut a = run_search(&cx.s, cx.viewer(), lang, &empty).await?;
        a.query = kept;
        (a, Some(lang.pick(&too_long(n)).to_string()))
    } else {
        (run_search(&cx.s, cx.viewer(), lang, &asked).await?, None)
    };
    let mut groups: Vec<Group> = Vec::new();
    if grouped {
        for item in answer.items.iter().cloned() {
            let key = item.kind.as_str().to_string();
            let count = answer
                .facets
                .kind
                .iter()
                .find(|f| f.value == key)
                .map(|f| f.count)
                .unwrap_or(0);
            match groups.iter_mut().find(|g| g.kind == key) {
                Some(g) if g.items.len() < 5 => g.items.push(item),
                Some(_) => {}
                None => groups.push(Group {
                    label: kind_label(lang, item.kind),
                    more: (count > 5).then(|| href(&p, &[("kind", Some(key.clone())), ("page", None)])),
                    kind: key,
                    count,
                    items: vec![item],
                }),
            }
        }
    } else if let Some(first) = answer.items.first() {
        groups.push(Group {
            label: kind_label(lang, first.kind),
            kind: first.kind.as_str().into(),
            count: answer.total,
            items: answer.items.clone(),
            more: None,
        });
    }
    // The index keeps a status's Chinese label; the page says it in the reader's language.
    for hit in groups.iter_mut().flat_map(|g| g.items.iter_mut()) {
        hit.status = hit.status.as_deref().map(|st| status_words(lang, st));
    }
    let facet =
        |title: (&'static str, &'static str), key: &str, values: &[FacetCount], current: &Option<String>| FacetView {
            title: lang.tr(title.0, title.1).to_string(),
            values: values
                .iter()
                .map(|f| {
                    let on = input::opt_text(current) == Some(f.value.as_str());
                    let link = if on {
                        href(&p, &[(key, None), ("page", None)])
                    } else {
                        href(&p, &[(key, Some(f.value.clone())), ("page", None)])
                    };
                    (f.label.clone(), f.count, link, on)
                })
                .collect(),
        };
    let facets: Vec<FacetView> = vec![
        facet(("类别", "Kind"), "kind", &answer.facets.kind, &p.kind),
        facet(("县（市、区）", "County"), "county", &answer.facets.county, &p.county),
        facet(("行业", "Industry"), "industry", &answer.facets.industry, &p.industry),
        facet(("年份", "Year"), "year", &answer.facets.year, &p.year),
        facet(("状态", "Status"), "status", &answer.facets.status, &p.status),
    ]
    .into_iter()
    .filter(|f| !f.values.is_empty())
    .collect();
    let pages = answer.total.div_ceil(answer.per_page as usize).max(1) as u32;
    let filtered = [&p.kind, &p.county, &p.industry, &p.year, &p.status]
        .iter()
        .any(|v| input::opt_text(v).is_some());
    let title = if answer.query.is_empty() || notice.is_some() {
        lang.tr("搜索", "Search").to_string()
    } else {
        format!("{}：{}", lang.tr("搜索", "Search"), answer.query)
    };
    let mut layout = cx.layout("search", title);
    layout.search_q = answer.query.clone();
    let view = SearchPage {
        layout,
        query: answer.query.clone(),
        notice,
        max_query: MAX_QUERY_CHARS,
        total: answer.total,
        groups,
        facets,
        prev_href: (!grouped && answer.page > 1).then(|| href(&p, &[("page", Some((answer.page - 1).to_string()))])),
        next_href: (!grouped && answer.page < pages)
            .then(|| href(&p, &[("page", Some((answer.page + 1).to_string()))])),
        clear_href: filtered.then(|| {
            href(
                &p,
                &[
                    ("kind", None),
                    ("county", None),
                    ("industry", None),
                    ("year", None),
                    ("status", None),
                ],
            )
        }),
    };
    Ok(views::render(&view))
}
