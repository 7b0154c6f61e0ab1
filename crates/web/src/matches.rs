//! Matching demands to experts and results: the search crate's text ranking, with the priors only
//! the records know (place, load, availability, earlier outcomes) applied on top, every suggestion's
//! reasons, and confirmed matches (suggested → contacted → accepted / declined). API and pages.

use crate::auth::Auth;
use crate::error::{Api, ApiError, Page as PageErr};
use crate::i18n::Lang;
use crate::resource::{created, parse_form, parse_json, path_id};
use crate::views::{self, Field, FormPage, Layout, code_options};
use crate::{AppState, RouteExt};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use hezuo_domain::matching::{
    Adjusted, ConfirmInput, ExpertFacts, Match, MatchStatus, MatchStatusInput, MatchTarget, adjust,
};
use hezuo_domain::{FieldErrors, RecordKind};
use hezuo_search::{ExpertMatch, MatchRequest, Matches, SearchIndex};
use hezuo_store::Store;
use serde::Serialize;

/// Ranks results and experts for a text (a demand's title, summary and field) by the text alone.
/// Used by `hezuo bench-match`; [`suggest`] adds the priors for a stored demand.
pub async fn rank_text(index: &SearchIndex, text: &str, limit: usize) -> anyhow::Result<Matches> {
    let index = index.clone();
    let req = MatchRequest {
        text: text.to_string(),
        limit,
    };
    tokio::task::spawn_blocking(move || index.match_demand(&req)).await?
}

/// Candidates below this share of the best one's text score are not suggested: a match on a
/// word like 工程 alone is noise, not a suggestion.
const MIN_RELATIVE: f32 = 0.1;

/// The matched terms worth showing: each once, without those inside a longer one (jieba's
/// search mode also yields the pieces of a compound: 催化剂 and 化剂).
pub fn shown_terms(terms: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in terms {
        if t.chars().count() < 2 && !t.is_ascii() {
            continue;
        }
        if terms.iter().any(|o| o != t && o.contains(t.as_str())) || out.contains(t) {
            continue;
        }
        out.push(t.clone());
    }
    out
}

/// The reason "一致的词：…" (the first eight shown terms), or none when no demand word matched (a
/// result or expert found only through a synonym).
fn terms_reason(lang: Lang, matched: &[String]) -> Option<String> {
    let terms = shown_terms(matched);
    (!terms.is_empty()).then(|| {
        format!(
            "{}{}",
            lang.tr("一致的词：", "Terms in common: "),
            terms[..terms.len().min(8)].join("、")
        )
    })
}

/// Experts of a text ranking with the priors applied, best first: each with its text score
/// normalised so the best is 1, and the adjusted score with its reasons. Those below
/// [`MIN_RELATIVE`] of the best are left out. `facts` gives an expert's place, load, availability
/// and earlier outcomes (with their similarity to this demand).
pub fn with_priors<'m>(
    experts: &'m [ExpertMatch],
    region: Option<&str>,
    mut facts: impl FnMut(i64) -> ExpertFacts,
) -> Vec<(&'m ExpertMatch, f32, Adjusted)> {
    let top = experts.first().map(|e| e.score).unwrap_or(1.0).max(f32::EPSILON);
    let mut out: Vec<(&ExpertMatch, f32, Adjusted)> = experts
        .iter()
        .map(|e| (e, e.score / top))
        .filter(|(_, text)| *text >= MIN_RELATIVE)
        .map(|(e, text)| (e, text, adjust(text, region, &facts(e.person_id))))
        .collect();
    // As shown: rounded to three places, then by id.
    let shown = |x: f32| (x * 1000.0).round() as i64;
    out.sort_by(|a, b| {
        shown(b.2.score)
            .cmp(&shown(a.2.score))
            .then(a.0.person_id.cmp(&b.0.person_id))
    });
    out
}

/// Which of these people `who` may see, in one query (the store's `restrict`, as everywhere).
async fn visible_people(s: &AppState, who: &Auth, people: &[i64]) -> Result<std::collections::HashSet<i64>, ApiError> {
    let keys: Vec<(RecordKind, i64)> = people.iter().map(|p| (RecordKind::Person, *p)).collect();
    Ok(s.store
        .visible_among(&who.viewer, &keys)
        .await?
        .into_iter()
        .map(|(_, id)| id)
        .collect())
}

/// A suggested expert with the reasons, as the office sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpertSuggestion {
    pub person_id: i64,
    pub name: String,
    pub organization: String,
    pub discipline: Option<String>,
    /// The final score (text, normalised so the best is 1, with the priors).
    pub score: f32,
    pub text_score: f32,
    /// Terms of the demand found in the expert's papers, patents, results or profile.
    pub matched_terms: Vec<String>,
    /// Why, in words: the terms, discipline, place, load, earlier outcomes.
    pub reasons: Vec<String>,
    /// The documents that made the text score: (kind, id).
    pub evidence: Vec<(RecordKind, i64)>,
    /// Set when the office confirmed it already.
    pub confirmed: Option<MatchStatus>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultSuggestion {
    pub result_id: i64,
    pub title: String,
    pub score: f32,
    pub matched_terms: Vec<String>,
    pub reasons: Vec<String>,
    pub confirmed: Option<MatchStatus>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub demand_id: i64,
    pub experts: Vec<ExpertSuggestion>,
    pub results: Vec<ResultSuggestion>,
    /// The matches confirmed so far.
    pub confirmed: Vec<Match>,
}

/// Ranked experts and results for a stored demand, with the reasons, as `who` may see them.
pub async fn suggest(
    s: &AppState,
    who: &Auth,
    lang: Lang,
    demand_id: i64,
    limit: usize,
) -> Result<Suggestions, ApiError> {
    let d = s.store.get_demand(&who.viewer, demand_id).await?;
    s.search
        .sync(&s.store)
        .await
        .map_err(|e| ApiError::Internal(format!("search index: {e}")))?;
    let text = format!("{}\n{}\n{}", d.title, d.summary, d.field.clone().unwrap_or_default());
    // A wider pool than shown, so that the priors can lift a near miss.
    let m = rank_text(s.search.index(), &text, limit * 3)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let confirmed = s.store.demand_matches(&who.viewer, demand_id).await?;
    let region = s.store.demand_region(demand_id).await?;
    let people: Vec<i64> = m.experts.iter().map(|e| e.person_id).collect();
    let facts = s.store.expert_facts(&people).await?;
    let labels = s.store.person_labels(&people).await?;
    let seen = visible_people(s, who, &people).await?;
    let ranked = with_priors(&m.experts, region.as_deref(), |person| {
        let (mut f, outcomes) = facts.get(&person).cloned().unwrap_or_default();
        f.outcomes = outcomes
            .iter()
            .filter(|o| o.demand_id != demand_id)
            .map(|o| (hezuo_search::similarity(&text, &o.demand_text), o.accepted))
            .collect();
        f
    });
    let mut experts = Vec::new();
    for (e, text_score, a) in ranked {
        if !seen.contains(&e.person_id) {
            continue;
        }
        let (name, discipline, org) = labels.get(&e.person_id).cloned().unwrap_or_default();
        let mut reasons: Vec<String> = terms_reason(lang, &e.matched).into_iter().collect();
        if let Some(x) = &discipline {
            reasons.push(format!("{}{x}", lang.tr("学科：", "Discipline: ")));
        }
        reasons.extend(a.reasons.iter().map(|r| lang.pick(r).to_string()));
        experts.push(ExpertSuggestion {
            person_id: e.person_id,
            name,
            organization: org,
            discipline,
            score: (a.score * 1000.0).round() / 1000.0,
            text_score: (text_score * 1000.0).round() / 1000.0,
            matched_terms: e.matched.clone(),
            reasons,
            evidence: e.docs.iter().map(|(k, id, _)| (*k, *id)).collect(),
            confirmed: confirmed
                .iter()
                .find(|c| c.person_id == Some(e.person_id))
                .map(|c| c.status),
        });
    }
    experts.truncate(limit);
    let rtop = m.results.first().map(|r| r.score).unwrap_or(1.0).max(f32::EPSILON);
    let results = m
        .results
        .iter()
        .filter(|r| r.score / rtop >= MIN_RELATIVE)
        .take(limit)
        .map(|r| ResultSuggestion {
            result_id: r.id,
            title: r.title.clone(),
            score: ((r.score / rtop) * 1000.0).round() / 1000.0,
            matched_terms: r.matched.clone(),
            reasons: terms_reason(lang, &r.matched)
                .into_iter()
                .chain(
                    r.discipline
                        .iter()
                        .map(|x| format!("{}{x}", lang.tr("学科：", "Discipline: "))),
                )
                .collect(),
            confirmed: confirmed.iter().find(|c| c.result_id == Some(r.id)).map(|c| c.status),
        })
        .collect();
    Ok(Suggestions {
        demand_id,
        experts,
        results,
        confirmed,
    })
}

/// The suggestions for a stored demand, as text for a terminal (`hezuo match`).
pub async fn explain_for_terminal(
    store: &Store,
    index: &SearchIndex,
    demand_id: i64,
    limit: usize,
) -> anyhow::Result<String> {
    let v = hezuo_store::Viewer::system("命令行");
    let d = store
        .get_demand(&v, demand_id)
        .await
        .map_err(|e| anyhow::anyhow!("demand {demand_id}: {e}"))?;
    let text = format!("{}\n{}\n{}", d.title, d.summary, d.field.clone().unwrap_or_default());
    let m = rank_text(index, &text, limit).await?;
    let people: Vec<i64> = m.experts.iter().map(|e| e.person_id).collect();
    let labels = store.person_labels(&people).await?;
    let mut out = format!("需求 #{}：{}\n\n专家 / experts:\n", d.id, d.title);
    for (i, e) in m.experts.iter().enumerate() {
        let (name, discipline, org) = labels.get(&e.person_id).cloned().unwrap_or_default();
        out.push_str(&format!(
            "{:>3}. {name}（{org}，{}）#{} 得分 {:.2}  一致的词：{}\n",
            i + 1,
            discipline.unwrap_or_default(),
            e.person_id,
            e.score,
            shown_terms(&e.matched).join("、")
        ));
    }
    out.push_str("\n成果 / results:\n");
    for (i, r) in m.results.iter().enumerate() {
        out.push_str(&format!(
            "{:>3}. #{} {} 得分 {:.2}  一致的词：{}\n",
            i + 1,
            r.id,
            r.title,
            r.score,
            shown_terms(&r.matched).join("、")
        ));
    }
    Ok(out)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/demands/{id}/matches", get(api_suggest).post(api_confirm))
        .at("/api/v1/matches/{id}", get(api_get))
        .at("/api/v1/matches/{id}/status", post(api_status))
        .at(
            "/demands/{id}/matches/confirm",
            get(page_confirm_form).post(page_confirm),
        )
        .at("/matches/{id}/status", get(page_status_form).post(page_status))
}

async fn api_suggest(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
) -> Result<Json<Suggestions>, Api> {
    let run = async { suggest(&s, &who, lang, path_id(&id)?, 10).await };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

/// Confirms a suggestion, keeping the score and reasons it was suggested with.
async fn confirm(s: &AppState, who: &Auth, lang: Lang, demand_id: i64, i: &ConfirmInput) -> Result<Match, ApiError> {
    if !who.viewer.role.may_review_demands() {
        return Err(hezuo_store::StoreError::Forbidden(hezuo_domain::access::forbidden()).into());
    }
    let (target, id) = i.validate()?;
    let sug = suggest(s, who, lang, demand_id, 50).await?;
    let (score, reasons) = match target {
        MatchTarget::Expert => sug
            .experts
            .iter()
            .find(|e| e.person_id == id)
            .map(|e| (e.score as f64, e.reasons.clone())),
        MatchTarget::Result => sug
            .results
            .iter()
            .find(|r| r.result_id == id)
            .map(|r| (r.score as f64, r.reasons.clone())),
    }
    .unwrap_or((0.0, vec![lang.tr("人工指定", "Chosen by hand").to_string()]));
    Ok(s.store
        .confirm_match(&who.viewer, demand_id, target, id, score, &reasons)
        .await?)
}

async fn api_confirm(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Api> {
    let run = async {
        let i: ConfirmInput = parse_json(&body)?;
        confirm(&s, &who, lang, path_id(&id)?, &i).await
    };
    let m = run.await.map_err(|e| Api(e, lang))?;
    Ok(created(format!("/api/v1/matches/{}", m.id), m))
}

async fn api_get(State(s): State<AppState>, lang: Lang, who: Auth, Path(id): Path<String>) -> Result<Json<Match>, Api> {
    let run = async { Ok::<_, ApiError>(s.store.get_match(&who.viewer, path_id(&id)?).await?) };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn set_status(s: &AppState, who: &Auth, id: i64, i: &MatchStatusInput) -> Result<Match, ApiError> {
    let m = s.store.get_match(&who.viewer, id).await?;
    let (to, reason) = i.validate(m.status)?;
    Ok(s.store.set_match_status(&who.viewer, id, to, reason).await?)
}

async fn api_status(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Match>, Api> {
    let run = async {
        let i: MatchStatusInput = parse_json(&body)?;
        set_status(&s, &who, path_id(&id)?, &i).await
    };
    run.await.map(Json).map_err(|e| Api(e, lang))
}

async fn page_confirm(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let i: ConfirmInput = parse_form(&body)?;
        confirm(&s, &who, lang, id, &i).await?;
        Ok::<_, ApiError>(views::redirect(&format!("/demands/{id}#matches")))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// The confirmation form: which suggestion, and a button.
async fn page_confirm_form(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let d = s.store.get_demand(&who.viewer, id).await?;
        let i: ConfirmInput = crate::resource::parse_query(uri.query())?;
        let Ok((target, target_id)) = i.validate() else {
            // Reached without saying what to confirm: say where to choose it.
            let heading = format!("{}{}", lang.tr("确认推荐：", "Confirm: "), d.title);
            let view = FormPage {
                layout: Layout::new(&who, lang, &uri, "demands", heading.clone()),
                heading,
                action: uri.path().to_string(),
                has_errors: true,
                general_error: Some(
                    lang.tr(
                        "请在需求页面的推荐列表中选择要确认的专家或成果。",
                        "Choose the expert or result to confirm from the demand's suggestions.",
                    )
                    .into(),
                ),
                fields: vec![],
                cancel_href: format!("/demands/{id}#matches"),
            };
            return Ok(views::render(&view));
        };
        let sug = suggest(&s, &who, lang, id, 50).await?;
        let what = match target {
            MatchTarget::Expert => sug
                .experts
                .iter()
                .find(|e| e.person_id == target_id)
                .map(|e| format!("{}（{}）：{}", e.name, e.organization, e.reasons.join("；"))),
            MatchTarget::Result => sug
                .results
                .iter()
                .find(|r| r.result_id == target_id)
                .map(|r| format!("{}：{}", r.title, r.reasons.join("；"))),
        }
        .unwrap_or_else(|| format!("#{target_id}"));
        let (field, value) = match target {
            MatchTarget::Expert => ("person_id", target_id.to_string()),
            MatchTarget::Result => ("result_id", target_id.to_string()),
        };
        let heading = format!("{}{}", lang.tr("确认推荐：", "Confirm: "), d.title);
        let view = FormPage {
            layout: Layout::new(&who, lang, &uri, "demands", heading.clone()),
            heading,
            action: uri.path().to_string(),
            has_errors: false,
            general_error: None,
            fields: vec![
                Field::new(lang, field, ("", ""), "hidden").value(Some(&value)),
                Field::new(lang, "what", ("推荐对象与理由", "Suggestion and why"), "textarea")
                    .value(Some(&what))
                    .help(
                        lang,
                        (
                            "确认后进入“已推荐”状态，联系后再更新。",
                            "It starts as suggested; update it once contacted.",
                        ),
                    ),
            ],
            cancel_href: format!("/demands/{id}#matches"),
        };
        Ok::<_, ApiError>(views::render(&view))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

fn status_fields(lang: Lang, from: MatchStatus, i: &MatchStatusInput) -> Vec<Field> {
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    vec![
        Field::new(lang, "status", ("新状态", "New status"), "select")
            .required()
            .options(
                lang,
                code_options(lang, from.next(), MatchStatus::label, MatchStatus::as_str),
                &one(&i.status),
            ),
        Field::new(lang, "reason", ("理由", "Reason"), "textarea")
            .value(i.reason.as_deref())
            .help(
                lang,
                (
                    "婉拒时必填；排序会参考它。",
                    "Required to decline; ranking learns from it.",
                ),
            ),
    ]
}

fn status_page(
    who: &Auth,
    lang: Lang,
    uri: &Uri,
    m: &Match,
    i: &MatchStatusInput,
    errors: Option<(StatusCode, FieldErrors)>,
) -> Response {
    let (status, errors) = errors.unwrap_or((StatusCode::OK, FieldErrors::default()));
    let heading = format!("{}#{}", lang.tr("更新匹配状态 ", "Update match "), m.id);
    let view = FormPage {
        layout: Layout::new(who, lang, uri, "demands", heading.clone()),
        heading,
        action: uri.path().to_string(),
        has_errors: !errors.is_empty(),
        general_error: None,
        fields: Field::errors_from(status_fields(lang, m.status, i), &errors, lang),
        cancel_href: format!("/demands/{}#matches", m.demand_id),
    };
    let mut res = views::render(&view);
    *res.status_mut() = status;
    res
}

async fn page_status_form(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageErr> {
    let run = async {
        let m = s.store.get_match(&who.viewer, path_id(&id)?).await?;
        Ok::<_, ApiError>(status_page(&who, lang, &uri, &m, &MatchStatusInput::default(), None))
    };
    run.await.map_err(|e| PageErr(e, lang))
}

async fn page_status(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageErr> {
    let run = async {
        let id = path_id(&id)?;
        let i: MatchStatusInput = parse_form(&body)?;
        let m = s.store.get_match(&who.viewer, id).await?;
        match set_status(&s, &who, id, &i).await {
            Ok(m) => Ok(views::redirect(&format!("/demands/{}#matches", m.demand_id))),
            Err(ApiError::Invalid(f)) => Ok(status_page(
                &who,
                lang,
                &uri,
                &m,
                &i,
                Some((StatusCode::UNPROCESSABLE_ENTITY, f)),
            )),
            Err(ApiError::Conflict(f)) => Ok(status_page(&who, lang, &uri, &m, &i, Some((StatusCode::CONFLICT, f)))),
            Err(e) => Err(e),
        }
    };
    run.await.map_err(|e| PageErr(e, lang))
}

/// For an expert's page: the open demands that fit their papers and profile (among those the
/// viewer may see), and the experts whose work is most like theirs. Each with its score.
pub async fn for_expert(
    s: &AppState,
    who: &Auth,
    person: &hezuo_domain::person::Person,
) -> Result<(Vec<(i64, String, f32)>, Vec<(i64, String, String, f32)>), ApiError> {
    let Some(profile) = &person.expert else {
        return Ok((vec![], vec![]));
    };
    let works = s
        .store
        .list_works(
            &hezuo_store::Viewer::system("matching"),
            &hezuo_domain::expert_work::WorkFilter {
                person_id: Some(person.id.to_string()),
                ..Default::default()
            },
            &hezuo_domain::ListParams {
                per_page: Some("50".into()),
                ..Default::default()
            },
        )
        .await?;
    let mut text = format!(
        "{}\n{}\n{}",
        profile.discipline.clone().unwrap_or_default(),
        profile.research_fields.clone().unwrap_or_default(),
        profile.keywords.join("，")
    );
    for w in &works.items {
        text.push('\n');
        text.push_str(&w.title);
    }
    s.search
        .sync(&s.store)
        .await
        .map_err(|e| ApiError::Internal(format!("search index: {e}")))?;
    // Demands: the search box's query over the profile, kept to open demands the viewer may see.
    let index = s.search.index().clone();
    let req = hezuo_search::SearchRequest {
        query: text.clone(),
        include_restricted: false,
        limit: 500,
    };
    let hits = tokio::task::spawn_blocking(move || index.search(&req))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let keys: Vec<(RecordKind, i64)> = hits
        .iter()
        .filter(|h| h.kind == RecordKind::Demand)
        .map(|h| (h.kind, h.id))
        .collect();
    let allowed = s.store.visible_among(&who.viewer, &keys).await?;
    let open = |st: &Option<String>| !matches!(st.as_deref(), Some("已立项" | "已关闭" | "草稿"));
    let demands = hits
        .iter()
        .filter(|h| h.kind == RecordKind::Demand && allowed.contains(&(h.kind, h.id)) && open(&h.status))
        .take(5)
        .map(|h| (h.id, h.title.clone(), h.score))
        .collect();
    // Similar experts: the matching engine over the profile, without the expert themself.
    let m = rank_text(s.search.index(), &text, 10)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let others: Vec<i64> = m
        .experts
        .iter()
        .map(|e| e.person_id)
        .filter(|p| *p != person.id)
        .collect();
    let labels = s.store.person_labels(&others).await?;
    let seen = visible_people(s, who, &others).await?;
    let mut similar = Vec::new();
    for e in m.experts.iter().filter(|e| seen.contains(&e.person_id)) {
        if similar.len() == 5 {
            break;
        }
        let (name, _, org) = labels.get(&e.person_id).cloned().unwrap_or_default();
        similar.push((e.person_id, name, org, e.score));
    }
    Ok((demands, similar))
}
