//! Matching on the pages and in the API: a demand's ranked experts and results with their reasons
//! (ranked by `hezuo_app::matching`), confirming a suggestion, a match's status (suggested →
//! contacted → accepted / declined), the suggestion panels of a demand's page and the "demands that
//! fit" and "similar experts" panels of an expert's page.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, JsonBody, Query};
use crate::i18n::Lang;
use crate::resource::{created, related};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, FormPage, Rejected, Section, Table, chosen, code_options};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_app::matching::{self as ranking, ExpertRank, ResultRank};
use hezuo_domain::demand::Demand;
use hezuo_domain::matching::{Confirm, ConfirmInput, Match, MatchStatus, MatchStatusInput, MatchTarget};
use hezuo_domain::person::Person;
use hezuo_domain::{Msg, RecordKind};
use hezuo_store::{Store, Viewer};
use serde::Serialize;

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
    /// How surely the expert's work answers the demand, 0 to 1, not relative to the other
    /// suggestions (unlike `score`): from the informative words they share; 0.5 and above is a
    /// strong match.
    pub confidence: f32,
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
    /// As the expert's `confidence`.
    pub confidence: f32,
    pub confirmed: Option<MatchStatus>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub demand_id: i64,
    pub experts: Vec<ExpertSuggestion>,
    pub results: Vec<ResultSuggestion>,
    /// The matches confirmed so far.
    pub confirmed: Vec<Match>,
    /// False when none of the first three results and experts of the text ranking is a strong
    /// match (`confidence` 0.5 or more): they share only common words with the demand, and `notice`
    /// says so.
    pub strong_match: bool,
    /// What the page says about the suggestions, in the asked language (no strong match), if anything.
    pub notice: Option<String>,
}

fn words(lang: Lang, reasons: Vec<Msg>) -> Vec<String> {
    reasons.iter().map(|r| lang.pick(r).to_string()).collect()
}

impl ExpertSuggestion {
    fn new(lang: Lang, e: ExpertRank) -> Self {
        ExpertSuggestion {
            person_id: e.person_id,
            name: e.name,
            organization: e.organization,
            discipline: e.discipline,
            score: e.score,
            text_score: e.text_score,
            matched_terms: e.matched,
            reasons: words(lang, e.reasons),
            evidence: e.evidence,
            confidence: e.confidence,
            confirmed: e.confirmed,
        }
    }
}

impl ResultSuggestion {
    fn new(lang: Lang, r: ResultRank) -> Self {
        ResultSuggestion {
            result_id: r.result_id,
            title: r.title,
            score: r.score,
            matched_terms: r.matched,
            reasons: words(lang, r.reasons),
            confidence: r.confidence,
            confirmed: r.confirmed,
        }
    }
}

/// A suggestion's confidence as the pages show it: 强 / 中 / 弱 with the percentage.
fn confidence_label(lang: Lang, c: f32) -> String {
    let word = if c >= 0.6 {
        lang.tr("强", "strong")
    } else if c >= 0.5 {
        lang.tr("中", "fair")
    } else {
        lang.tr("弱", "weak")
    };
    format!("{word} {:.0}%", c * 100.0)
}

/// Ranked experts and results for a stored demand, with the reasons in `lang`, as `v` may see them.
pub async fn suggest(
    s: &AppState,
    v: &Viewer,
    lang: Lang,
    demand_id: i64,
    limit: usize,
) -> Result<Suggestions, ApiError> {
    let r = ranking::rank_demand(&s.store, &s.search, v, demand_id, limit).await?;
    Ok(Suggestions {
        demand_id,
        experts: r.experts.into_iter().map(|e| ExpertSuggestion::new(lang, e)).collect(),
        results: r.results.into_iter().map(|x| ResultSuggestion::new(lang, x)).collect(),
        confirmed: r.confirmed,
        strong_match: r.strong,
        notice: (!r.strong).then(|| lang.tr_owned(ranking::NO_STRONG_MATCH)),
    })
}

async fn api_suggest(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Id(id): Id,
) -> Result<Json<Suggestions>, ApiError> {
    Ok(Json(suggest(&s, &who.viewer, lang, id, 10).await?))
}

/// Confirms a suggestion, keeping the score and reasons (in the confirming user's language) it was
/// suggested with, and the office's note beside them; one the ranking does not hold is kept as
/// chosen by hand.
async fn confirm(s: &AppState, v: &Viewer, lang: Lang, demand_id: i64, i: &ConfirmInput) -> Result<Match, ApiError> {
    let Confirm { target, id, note } = i.validate()?;
    let sug = suggest(s, v, lang, demand_id, 50).await?;
    let (score, reasons) = match target {
        MatchTarget::Expert => sug
            .experts
            .into_iter()
            .find(|e| e.person_id == id)
            .map(|e| (e.score as f64, e.reasons)),
        MatchTarget::Result => sug
            .results
            .into_iter()
            .find(|r| r.result_id == id)
            .map(|r| (r.score as f64, r.reasons)),
    }
    .unwrap_or((0.0, vec![lang.tr("人工指定", "Chosen by hand").to_string()]));
    Ok(s.store
        .confirm_match_noted(v, demand_id, target, id, score, &reasons, note.as_deref())
        .await?)
}

async fn api_confirm(
    State(s): State<AppState>,
    lang: Lang,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<ConfirmInput>,
) -> Result<Response, ApiError> {
    let m = confirm(&s, &who.viewer, lang, id, &i).await?;
    Ok(created(format!("/api/v1/matches/{}", m.id), m))
}

async fn api_get(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Match>, ApiError> {
    Ok(Json(s.store.get_match(&who.viewer, id).await?))
}

async fn set_status(store: &Store, v: &Viewer, id: i64, i: &MatchStatusInput) -> Result<Match, ApiError> {
    let m = store.get_match(v, id).await?;
    let (to, reason) = i.validate(m.status)?;
    Ok(store.set_match_status(v, id, to, reason).await?)
}

async fn api_status(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<MatchStatusInput>,
) -> Result<Json<Match>, ApiError> {
    Ok(Json(set_status(&s.store, &who.viewer, id, &i).await?))
}

fn to_matches(demand: i64) -> Response {
    views::redirect(&format!("/demands/{demand}#matches"))
}

async fn page_confirm(cx: Ctx, Id(id): Id, FormBody(i): FormBody<ConfirmInput>) -> Result<Response, ApiError> {
    match Rejected::split(confirm(&cx.s, cx.viewer(), cx.lang, id, &i).await)? {
        Ok(_) => Ok(to_matches(id)),
        Err(mut r) => {
            // The expert or result is a hidden field: its refusal (confirmed already, unknown) is
            // shown beside the suggestion it concerns, which the note field carries.
            for key in ["person_id", "result_id"] {
                if let Some(m) = r.errors.0.remove(key) {
                    r.errors.add("note", m);
                }
            }
            confirm_form(&cx, id, &i, Some(r)).await
        }
    }
}

/// The confirmation form: which suggestion, why, and a button.
async fn page_confirm_form(cx: Ctx, Id(id): Id, Query(i): Query<ConfirmInput>) -> Result<Response, ApiError> {
    confirm_form(&cx, id, &i, None).await
}

/// The confirmation form for `i` (a refusal shown again with its messages): the suggestion with
/// its automatic reasons, the office's note for the expert and the enterprise, and a button.
async fn confirm_form(cx: &Ctx, id: i64, i: &ConfirmInput, r: Option<Rejected>) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let d = cx.store().get_demand(cx.viewer(), id).await?;
    let heading = format!("{}{}", lang.tr("确认推荐：", "Confirm: "), d.title);
    let cancel = format!("/demands/{id}#matches");
    let Ok((target, target_id)) = i.target() else {
        // Reached without saying what to confirm: say where to choose it.
        let choose = lang.tr(
            "请在需求页面的推荐列表中选择要确认的专家或成果。",
            "Choose the expert or result to confirm from the demand's suggestions.",
        );
        return Ok(FormPage::new(cx, "demands", heading, vec![], cancel)
            .notice(choose)
            .respond());
    };
    let sug = suggest(&cx.s, cx.viewer(), lang, id, 50).await?;
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
    let field = match target {
        MatchTarget::Expert => "person_id",
        MatchTarget::Result => "result_id",
    };
    let mut note = Field::new(
        lang,
        "note",
        (
            "推荐说明（专家与企业可见）",
            "Note (the expert and the enterprise read it)",
        ),
        "textarea",
    )
    .value(i.note.as_deref());
    note.help = Some(format!(
        "{}{what}{}",
        lang.tr("推荐对象与理由：", "Suggestion and why: "),
        lang.tr(
            "。自动理由与您写的说明一并保存，显示给专家和企业；确认后进入“已推荐”状态，联系后再更新。",
            ". The automatic reasons are kept with your note and shown to the expert and the enterprise; it starts as suggested — update it once contacted.",
        )
    ));
    let fields = vec![
        Field::new(lang, field, ("", ""), "hidden").value(Some(&target_id.to_string())),
        note,
    ];
    Ok(FormPage::new(cx, "demands", heading, fields, cancel)
        .rejected(r)
        .respond())
}

fn status_form(cx: &Ctx, m: &Match, i: &MatchStatusInput, r: Option<Rejected>) -> Response {
    let lang = cx.lang;
    let fields = vec![
        Field::new(lang, "status", ("新状态", "New status"), "select")
            .required()
            .options(
                lang,
                code_options(lang, m.status.next(), MatchStatus::label, MatchStatus::as_str),
                &chosen(&i.status),
            ),
        Field::new(
            lang,
            "reason",
            ("说明（婉拒时为婉拒理由）", "Note (the reason, to decline)"),
            "textarea",
        )
        .value(i.reason.as_deref())
        .help(
            lang,
            (
                "婉拒时必填，作为婉拒理由，排序会参考它；接受时可写答复说明。",
                "Required to decline: the reason, which ranking learns from; accepting, an optional note.",
            ),
        ),
    ];
    let heading = format!("{}#{}", lang.tr("更新匹配状态 ", "Update match "), m.id);
    let cancel = format!("/demands/{}#matches", m.demand_id);
    FormPage::new(cx, "demands", heading, fields, cancel)
        .rejected(r)
        .respond()
}

async fn page_status_form(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let m = cx.store().get_match(cx.viewer(), id).await?;
    Ok(status_form(&cx, &m, &MatchStatusInput::default(), None))
}

async fn page_status(cx: Ctx, Id(id): Id, FormBody(i): FormBody<MatchStatusInput>) -> Result<Response, ApiError> {
    let m = cx.store().get_match(cx.viewer(), id).await?;
    Ok(
        match Rejected::split(set_status(cx.store(), cx.viewer(), id, &i).await)? {
            Ok(m) => to_matches(m.demand_id),
            Err(r) => status_form(&cx, &m, &i, Some(r)),
        },
    )
}

/// The matching panels of a demand's page: the ranked suggestions with their reasons (for the office
/// and leaders, once the demand is accepted), and the matches confirmed so far.
pub async fn demand_sections(cx: &Ctx, d: &Demand) -> Result<Vec<Section>, ApiError> {
    let lang = cx.lang;
    let role = cx.viewer().role;
    let reviewer = role.may_review_demands();
    let leader = role == hezuo_domain::access::Role::Leader;
    let matchable = d.status.matchable();
    let mut sections = Vec::new();
    if (reviewer || leader) && matchable {
        let sug = suggest(&cx.s, cx.viewer(), lang, d.id, 10).await?;
        let confirm_link = |query: String| {
            Cell::link(
                lang.tr("确认推荐…", "Confirm…"),
                format!("/demands/{}/matches/confirm?{query}", d.id),
            )
        };
        let action = |confirmed: Option<MatchStatus>, query: String| match confirmed {
            Some(st) => Cell::text(lang.pick(&st.label())),
            None if reviewer => confirm_link(query),
            None => Cell::text(""),
        };
        let mut t = Table::new(
            lang,
            &[
                ("推荐专家", "Expert"),
                ("单位", "Organisation"),
                ("得分", "Score"),
                ("把握", "Confidence"),
                ("理由", "Why"),
                ("", ""),
            ],
        );
        t.empty = lang
            .tr(
                "没有找到相关的专家：可补充需求描述或登记专家的论文与成果。",
                "No fitting expert found.",
            )
            .into();
        // Said once, above the first list that has something, when nothing is a strong match.
        let weak = sug.notice.clone();
        if !sug.experts.is_empty() {
            t.note = weak.clone();
        }
        for e in &sug.experts {
            t.rows.push(vec![
                Cell::link(&e.name, format!("/people/{}", e.person_id)),
                Cell::text(&e.organization),
                Cell::text(format!("{:.2}", e.score)),
                Cell::text(confidence_label(lang, e.confidence)),
                Cell::text(e.reasons.join("；")),
                action(e.confirmed, format!("person_id={}", e.person_id)),
            ]);
        }
        sections.push(Section {
            id: "matches",
            title: lang.tr("匹配推荐：专家", "Suggested experts").into(),
            table: t,
            add: None,
        });
        let mut t = Table::new(
            lang,
            &[
                ("推荐成果", "Result"),
                ("得分", "Score"),
                ("把握", "Confidence"),
                ("理由", "Why"),
                ("", ""),
            ],
        );
        t.empty = lang.tr("没有找到相关的科技成果。", "No fitting result found.").into();
        if sug.experts.is_empty() && !sug.results.is_empty() {
            t.note = weak;
        }
        for r in &sug.results {
            t.rows.push(vec![
                Cell::link(&r.title, format!("/results/{}", r.result_id)),
                Cell::text(format!("{:.2}", r.score)),
                Cell::text(confidence_label(lang, r.confidence)),
                Cell::text(r.reasons.join("；")),
                action(r.confirmed, format!("result_id={}", r.result_id)),
            ]);
        }
        sections.push(Section {
            id: "result-matches",
            title: lang.tr("匹配推荐：成果", "Suggested results").into(),
            table: t,
            add: None,
        });
    }
    let confirmed = cx.store().demand_matches(cx.viewer(), d.id).await?;
    if !confirmed.is_empty() || reviewer {
        sections.push(confirmed_section(cx, &confirmed).await?);
    }
    Ok(sections)
}

/// What a match says in words: the automatic reasons, the office's note, and the note given with
/// its status, each under its own label (a declined match's is why; an accepted one's the answer).
pub fn match_notes(lang: Lang, m: &Match) -> String {
    let mut parts = Vec::new();
    if !m.reasons.is_empty() {
        parts.push(m.reasons.join("；"));
    }
    if let Some(n) = &m.note {
        parts.push(format!("{}{n}", lang.tr("推荐说明：", "Office's note: ")));
    }
    if let Some(r) = &m.reason {
        parts.push(format!(
            "{}{}{r}",
            lang.pick(&m.status.note_label()),
            lang.tr("：", ": ")
        ));
    }
    parts.join("；")
}

/// The way to reach a person: phone and email, as far as given.
pub fn contact_text(lang: Lang, p: &Person) -> String {
    let mut parts = Vec::new();
    if let Some(x) = &p.phone {
        parts.push(format!("{}{x}", lang.tr("电话 ", "Phone ")));
    }
    if let Some(x) = &p.email {
        parts.push(format!("{}{x}", lang.tr("邮箱 ", "Email ")));
    }
    if parts.is_empty() {
        lang.tr("未登记联系方式", "No contact given").to_string()
    } else {
        parts.join("，")
    }
}

/// The matches confirmed for a demand, each with a link to move it on; an accepted expert's unit
/// and contact for those who may read them (the enterprise, the office).
async fn confirmed_section(cx: &Ctx, confirmed: &[Match]) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let people: Vec<i64> = confirmed.iter().filter_map(|m| m.person_id).collect();
    let labels = cx.store().person_labels(&people).await?;
    let mut t = Table::new(
        lang,
        &[
            ("对接对象", "With"),
            ("状态", "Status"),
            ("得分", "Score"),
            ("理由/说明", "Why / note"),
            ("联系方式", "Contact"),
            ("沟通", "Messages"),
            ("", ""),
        ],
    );
    t.empty = lang.tr("尚未确认任何匹配。", "No match confirmed yet.").into();
    for m in confirmed {
        // Whom the viewer may read (the store's access decides: an accepted match opens the
        // expert to the enterprise); the others are named without a link.
        let person = match m.person_id {
            Some(p) => related(cx.store().get_person(cx.viewer(), p).await)?,
            None => None,
        };
        let with = match (m.person_id, m.result_id) {
            (Some(p), _) => {
                let name = match labels.get(&p) {
                    Some((name, _, org)) => format!("{name}（{org}）"),
                    None => format!("#{p}"),
                };
                if person.is_some() {
                    Cell::link(name, format!("/people/{p}"))
                } else {
                    Cell::text(name)
                }
            }
            (_, Some(r)) => Cell::link(format!("{}#{r}", lang.tr("成果", "Result ")), format!("/results/{r}")),
            _ => Cell::text(""),
        };
        let contact = match &person {
            Some(p) if m.status == MatchStatus::Accepted => Cell::text(contact_text(lang, p)),
            _ => Cell::text(""),
        };
        t.rows.push(vec![
            with,
            Cell::badge(lang.pick(&m.status.label()), format!("m-{}", m.status.as_str())),
            Cell::text(format!("{:.2}", m.score)),
            Cell::text(match_notes(lang, m)),
            contact,
            crate::messages::match_thread_cell(lang, m.id),
            if m.status.next().is_empty()
                || !cx
                    .can(RecordKind::Match, Some(m.id), hezuo_domain::access::Action::Update)
                    .await?
            {
                Cell::text("")
            } else {
                Cell::link(lang.tr("更新状态…", "Update…"), format!("/matches/{}/status", m.id))
            },
        ]);
    }
    Ok(Section {
        id: "confirmed-matches",
        title: lang.tr("已确认的匹配", "Confirmed matches").into(),
        table: t,
        add: None,
    })
}

/// The panels of an expert's page: the open demands that fit their work, and similar experts.
pub async fn expert_sections(cx: &Ctx, p: &Person) -> Result<Vec<Section>, ApiError> {
    let lang = cx.lang;
    let fit = ranking::for_expert(cx.store(), &cx.s.search, cx.viewer(), p).await?;
    let mut fits = Table::new(lang, &[("适合的需求", "Demands that fit"), ("得分", "Score")]);
    // An expert sees only the demands matched to them: their list is those, and its empty state
    // says so rather than claiming no demand fits.
    let own = matches!(cx.viewer().scope, hezuo_domain::access::Scope::Person { .. });
    fits.empty = if own {
        lang.tr(
            "暂无推荐给您的开放需求。专家只能看到协调办推荐给自己的需求：协调办确认匹配后，需求会列在这里。",
            "No open demand has been matched to you yet. Experts see the demands the office matches to them; they appear here once confirmed.",
        )
    } else {
        lang.tr("暂无与其研究相关的开放需求。", "No open demand fits yet.")
    }
    .into();
    for (id, title, score) in fit.demands {
        fits.rows.push(vec![
            Cell::link(title, format!("/demands/{id}")),
            Cell::text(if score > 0.0 {
                format!("{score:.1}")
            } else {
                lang.tr("协调办推荐", "Matched by the office").to_string()
            }),
        ]);
    }
    let mut similar = Table::new(
        lang,
        &[
            ("相似专家", "Similar experts"),
            ("单位", "Organisation"),
            ("得分", "Score"),
        ],
    );
    similar.empty = lang.tr("暂无研究相近的专家。", "No similar expert found.").into();
    for (id, name, org, score) in fit.similar {
        similar.rows.push(vec![
            Cell::link(name, format!("/people/{id}")),
            Cell::text(org),
            Cell::text(format!("{score:.1}")),
        ]);
    }
    Ok(vec![
        Section {
            id: "fitting-demands",
            title: lang.tr("适合的需求", "Demands that fit").into(),
            table: fits,
            add: None,
        },
        Section {
            id: "similar-experts",
            title: lang.tr("相似专家", "Similar experts").into(),
            table: similar,
            add: None,
        },
    ])
}
