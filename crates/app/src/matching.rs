//! Ranking a demand's experts and results: the search crate's text ranking ([`rank_text`]), with the
//! priors only the records know — place, load, availability, earlier outcomes — applied on top
//! ([`with_priors`], the same function `hezuo bench-match` measures), each suggestion with its
//! reasons in words. [`rank_demand`] does it for a stored demand as a viewer may see it;
//! [`for_expert`] turns it round for an expert's page; [`explain`] prints it for a terminal.

use crate::search::Search;
use crate::{Error, Result};
use hezuo_domain::access::Scope;
use hezuo_domain::demand::{Demand, DemandStatus};
use hezuo_domain::matching::{Adjusted, ExpertFacts, Match, MatchStatus, adjust};
use hezuo_domain::person::Person;
use hezuo_domain::{Msg, RecordKind};
use hezuo_search::{ExpertMatch, MatchRequest, Matches};
use hezuo_store::{Store, Viewer};
use std::collections::HashSet;

/// Ranks results and experts for a text (a demand's title, summary and field) by the text alone,
/// on the engine's own threads ([`Search::run`]). [`rank_demand`] adds the priors for a stored demand.
pub async fn rank_text(search: &Search, text: &str, limit: usize) -> Result<Matches> {
    let req = MatchRequest {
        text: text.to_string(),
        limit,
    };
    Ok(search.run(move |index| index.match_demand(&req)).await??)
}

/// Candidates below this share of the best one's text score are not suggested: a match on a
/// word like 工程 alone is noise, not a suggestion.
pub const MIN_RELATIVE: f32 = 0.1;

/// What the pages and the command line say when no suggestion is a strong match: (Chinese, English).
pub const NO_STRONG_MATCH: (&str, &str) = (
    "没有把握较大的匹配：下列推荐与需求只共有一般性的词语（如材料、方法、工艺），未必对口。可补充需求的技术细节后再匹配，或由协调办人工联系。",
    "No strong match: these suggestions share only common words with the demand and may not fit. Add technical detail to the demand, or ask the coordination office to search by hand.",
);

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
fn terms_reason(matched: &[String]) -> Option<Msg> {
    let terms = shown_terms(matched);
    (!terms.is_empty()).then(|| {
        let list = terms[..terms.len().min(8)].join("、");
        Msg::new(format!("一致的词：{list}"), format!("Terms in common: {list}"))
    })
}

fn discipline_reason(d: &str) -> Msg {
    Msg::new(format!("学科：{d}"), format!("Discipline: {d}"))
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

/// A suggested expert: who, how well the texts agree, and why, in words.
#[derive(Debug, Clone)]
pub struct ExpertRank {
    pub person_id: i64,
    pub name: String,
    pub organization: String,
    pub discipline: Option<String>,
    /// The final score (text, normalised so the best is 1, with the priors), to three places.
    pub score: f32,
    pub text_score: f32,
    /// Terms of the demand found in the expert's papers, patents, results or profile.
    pub matched: Vec<String>,
    /// Why: the terms, the discipline, then place, load and earlier outcomes.
    pub reasons: Vec<Msg>,
    /// The documents that made the text score: (kind, id).
    pub evidence: Vec<(RecordKind, i64)>,
    /// How surely the expert's work answers the demand, 0 to 1, not relative to the others
    /// ([`hezuo_search::confidence`]); a strong match from one half.
    pub confidence: f32,
    /// Set when the office confirmed it already.
    pub confirmed: Option<MatchStatus>,
}

/// A suggested research result.
#[derive(Debug, Clone)]
pub struct ResultRank {
    pub result_id: i64,
    pub title: String,
    /// Normalised so the best is 1, to three places.
    pub score: f32,
    pub matched: Vec<String>,
    pub reasons: Vec<Msg>,
    /// As [`ExpertRank::confidence`].
    pub confidence: f32,
    pub confirmed: Option<MatchStatus>,
}

/// A stored demand's suggestions as one viewer may see them, with the matches confirmed so far.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub demand_id: i64,
    pub experts: Vec<ExpertRank>,
    pub results: Vec<ResultRank>,
    pub confirmed: Vec<Match>,
    /// Whether one of the first results or experts is a strong match
    /// ([`hezuo_search::Matches::strong`]); when none is, the suggestions share only common words
    /// with the demand and the pages say so.
    pub strong: bool,
}

/// What a demand is matched by: its title, summary and technical field.
pub fn demand_text(d: &Demand) -> String {
    format!("{}\n{}\n{}", d.title, d.summary, d.field.clone().unwrap_or_default())
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// Which of these people `v` may see, in one query (the store's `restrict`, as everywhere).
async fn visible_people(store: &Store, v: &Viewer, people: &[i64]) -> Result<HashSet<i64>> {
    let keys: Vec<(RecordKind, i64)> = people.iter().map(|p| (RecordKind::Person, *p)).collect();
    Ok(store
        .visible_among(v, &keys)
        .await?
        .into_iter()
        .map(|(_, id)| id)
        .collect())
}

/// The index brought up to date with the records, for a ranking that sees every committed change.
async fn synced(search: &Search, store: &Store) -> Result<()> {
    search
        .sync(store)
        .await
        .map_err(|e| Error::Internal(format!("search index: {e:#}")))
}

/// Ranked experts and results for a stored demand, with the reasons, as `v` may see them: the
/// best `limit` of each.
pub async fn rank_demand(store: &Store, search: &Search, v: &Viewer, demand_id: i64, limit: usize) -> Result<Ranking> {
    let d = store.get_demand(v, demand_id).await?;
    synced(search, store).await?;
    let text = demand_text(&d);
    // A wider pool than shown, so that the priors can lift a near miss.
    let m = rank_text(search, &text, limit * 3).await?;
    let confirmed = store.demand_matches(v, demand_id).await?;
    let region = store.demand_region(demand_id).await?;
    let people: Vec<i64> = m.experts.iter().map(|e| e.person_id).collect();
    let facts = store.expert_facts(&people).await?;
    let labels = store.person_labels(&people).await?;
    let seen = visible_people(store, v, &people).await?;
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
        let (name, discipline, organization) = labels.get(&e.person_id).cloned().unwrap_or_default();
        let mut reasons: Vec<Msg> = terms_reason(&e.matched).into_iter().collect();
        reasons.extend(discipline.as_deref().map(discipline_reason));
        reasons.extend(a.reasons);
        experts.push(ExpertRank {
            person_id: e.person_id,
            name,
            organization,
            discipline,
            score: round3(a.score),
            text_score: round3(text_score),
            matched: e.matched.clone(),
            reasons,
            evidence: e.docs.iter().map(|(k, id, _)| (*k, *id)).collect(),
            confidence: round3(hezuo_search::confidence(e.evidence)),
            confirmed: confirmed
                .iter()
                .find(|c| c.person_id == Some(e.person_id))
                .map(|c| c.status),
        });
    }
    experts.truncate(limit);
    let top = m.results.first().map(|r| r.score).unwrap_or(1.0).max(f32::EPSILON);
    let results = m
        .results
        .iter()
        .filter(|r| r.score / top >= MIN_RELATIVE)
        .take(limit)
        .map(|r| ResultRank {
            result_id: r.id,
            title: r.title.clone(),
            score: round3(r.score / top),
            matched: r.matched.clone(),
            reasons: terms_reason(&r.matched)
                .into_iter()
                .chain(r.discipline.as_deref().map(discipline_reason))
                .collect(),
            confidence: round3(hezuo_search::confidence(r.evidence)),
            confirmed: confirmed.iter().find(|c| c.result_id == Some(r.id)).map(|c| c.status),
        })
        .collect();
    let strong = m.strong();
    Ok(Ranking {
        demand_id,
        experts,
        results,
        confirmed,
        strong,
    })
}

/// For an expert's page: the open demands that fit their papers and profile, and the experts whose
/// work is most like theirs, each with its score — among what the viewer may see.
///
/// "Open" is [`DemandStatus::matchable`] for every viewer. An expert sees only the demands matched
/// to them (product.md, "Who may see what"), so on their own page the list is those of their
/// matches still standing (not declined), ranked by how well they fit, and every one of them shown
/// even when the text search would not have found it: they are what the office chose for them.
#[derive(Debug, Clone, Default)]
pub struct ExpertFit {
    /// (demand id, title, score; 0 for a demand matched to the expert that the text does not rank)
    pub demands: Vec<(i64, String, f32)>,
    /// (person id, name, organisation, score)
    pub similar: Vec<(i64, String, String, f32)>,
}

pub async fn for_expert(store: &Store, search: &Search, v: &Viewer, person: &Person) -> Result<ExpertFit> {
    let Some(profile) = &person.expert else {
        return Ok(ExpertFit::default());
    };
    let works = store
        .list_works(
            &Viewer::system("matching"),
            &hezuo_domain::expert_work::WorkFilter {
                person_id: Some(person.id.to_string()),
                ..Default::default()
            },
            &hezuo_domain::ListParams::first(50),
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
    synced(search, store).await?;
    // Demands: the search box's query over the profile, kept to open demands the viewer may see.
    let req = hezuo_search::SearchRequest {
        query: text.clone(),
        include_restricted: false,
        limit: 500,
    };
    let hits = search.run(move |idx| idx.search(&req)).await??;
    let keys: Vec<(RecordKind, i64)> = hits
        .iter()
        .filter(|h| h.kind == RecordKind::Demand)
        .map(|h| (h.kind, h.id))
        .collect();
    let allowed = store.visible_among(v, &keys).await?;
    // The index holds a status's label; the statuses that may still be matched, by label.
    let open = |st: &Option<String>| {
        DemandStatus::ALL
            .iter()
            .any(|s| s.matchable() && st.as_deref() == Some(s.label().zh.as_str()))
    };
    let mut demands: Vec<(i64, String, f32)> = hits
        .iter()
        .filter(|h| h.kind == RecordKind::Demand && allowed.contains(&(h.kind, h.id)) && open(&h.status))
        .map(|h| (h.id, h.title.clone(), h.score))
        .collect();
    if matches!(v.scope, Scope::Person { .. }) {
        demands = matched_to_expert(store, v, person.id, demands).await?;
    }
    demands.truncate(5);
    // Similar experts: the matching engine over the profile, without the expert themself.
    let m = rank_text(search, &text, 10).await?;
    let others: Vec<i64> = m
        .experts
        .iter()
        .map(|e| e.person_id)
        .filter(|p| *p != person.id)
        .collect();
    let labels = store.person_labels(&others).await?;
    let seen = visible_people(store, v, &others).await?;
    let similar = m
        .experts
        .iter()
        .filter(|e| seen.contains(&e.person_id))
        .take(5)
        .map(|e| {
            let (name, _, org) = labels.get(&e.person_id).cloned().unwrap_or_default();
            (e.person_id, name, org, e.score)
        })
        .collect();
    Ok(ExpertFit { demands, similar })
}

/// The demands matched to the expert `person` that `v` (an expert) may see and that are still
/// open, their match not declined: those `ranked` by fit first, then the others.
async fn matched_to_expert(
    store: &Store,
    v: &Viewer,
    person: i64,
    ranked: Vec<(i64, String, f32)>,
) -> Result<Vec<(i64, String, f32)>> {
    let mine = store
        .list_demands(v, &Default::default(), &hezuo_domain::ListParams::first(200))
        .await?;
    let mut standing = HashSet::new();
    for d in mine.items.iter().filter(|d| d.status.matchable()) {
        let matches = store.demand_matches(v, d.id).await?;
        if matches
            .iter()
            .any(|m| m.person_id == Some(person) && m.status != MatchStatus::Declined)
        {
            standing.insert(d.id);
        }
    }
    let mut out: Vec<(i64, String, f32)> = ranked.into_iter().filter(|(id, ..)| standing.contains(id)).collect();
    for d in &mine.items {
        if standing.contains(&d.id) && !out.iter().any(|(id, ..)| *id == d.id) {
            out.push((d.id, d.title.clone(), 0.0));
        }
    }
    Ok(out)
}

/// A stored demand's ranking by the text alone, as text for a terminal (`hezuo match`).
pub async fn explain(store: &Store, search: &Search, demand_id: i64, limit: usize) -> anyhow::Result<String> {
    let v = Viewer::system("命令行");
    let d = store
        .get_demand(&v, demand_id)
        .await
        .map_err(|e| anyhow::anyhow!("demand {demand_id}: {e}"))?;
    let m = rank_text(search, &demand_text(&d), limit).await?;
    let people: Vec<i64> = m.experts.iter().map(|e| e.person_id).collect();
    let labels = store.person_labels(&people).await?;
    let mut out = format!("需求 #{}：{}\n\n", d.id, d.title);
    if !m.strong() {
        out.push_str(&format!("{}\n\n", NO_STRONG_MATCH.0));
    }
    out.push_str("专家 / experts:\n");
    for (i, e) in m.experts.iter().enumerate() {
        let (name, discipline, org) = labels.get(&e.person_id).cloned().unwrap_or_default();
        out.push_str(&format!(
            "{:>3}. {name}（{org}，{}）#{} 得分 {:.2}  把握 {:.0}%  一致的词：{}\n",
            i + 1,
            discipline.unwrap_or_default(),
            e.person_id,
            e.score,
            hezuo_search::confidence(e.evidence) * 100.0,
            shown_terms(&e.matched).join("、")
        ));
    }
    out.push_str("\n成果 / results:\n");
    for (i, r) in m.results.iter().enumerate() {
        out.push_str(&format!(
            "{:>3}. #{} {} 得分 {:.2}  把握 {:.0}%  一致的词：{}\n",
            i + 1,
            r.id,
            r.title,
            r.score,
            hezuo_search::confidence(r.evidence) * 100.0,
            shown_terms(&r.matched).join("、")
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_term_inside_a_longer_matched_term_and_a_lone_han_character_are_not_shown() {
        assert_eq!(
            shown_terms(&terms(&["催化剂", "化剂", "剂", "有机硅", "催化剂"])),
            terms(&["催化剂", "有机硅"])
        );
        // A short English term is a real term.
        assert_eq!(shown_terms(&terms(&["pH", "值"])), terms(&["pH"]));
    }

    #[test]
    fn the_terms_reason_names_at_most_eight_terms_and_is_absent_when_none_matched() {
        let many: Vec<String> = (0..12).map(|i| format!("术语{i}")).collect();
        let r = terms_reason(&many).unwrap();
        assert_eq!(r.zh.matches('、').count(), 7, "{}", r.zh);
        assert!(r.zh.starts_with("一致的词：") && r.en.starts_with("Terms in common: "));
        assert!(terms_reason(&[]).is_none());
        assert!(terms_reason(&terms(&["剂"])).is_none());
    }

    fn expert(person_id: i64, score: f32) -> ExpertMatch {
        ExpertMatch {
            person_id,
            score,
            matched: vec![],
            docs: vec![],
            evidence: 0.0,
        }
    }

    #[test]
    fn priors_keep_the_text_order_for_equal_facts_and_drop_what_is_below_a_tenth_of_the_best() {
        let experts = [expert(3, 10.0), expert(1, 5.0), expert(2, 0.5)];
        let ranked = with_priors(&experts, None, |_| ExpertFacts::default());
        let ids: Vec<i64> = ranked.iter().map(|(e, _, _)| e.person_id).collect();
        assert_eq!(ids, [3, 1], "2 scored 5 % of the best");
        assert!((ranked[0].1 - 1.0).abs() < 1e-6 && (ranked[1].1 - 0.5).abs() < 1e-6);
    }

    #[test]
    fn a_local_expert_moves_ahead_of_an_equal_one_from_elsewhere() {
        let experts = [expert(1, 10.0), expert(2, 10.0)];
        let ranked = with_priors(&experts, Some("330881"), |p| ExpertFacts {
            region: Some(if p == 2 { "330881" } else { "330100" }.into()),
            ..Default::default()
        });
        assert_eq!(ranked[0].0.person_id, 2);
        assert!(
            ranked[0].2.reasons.iter().any(|r| r.zh.contains("本地")),
            "{:?}",
            ranked[0].2
        );
    }
}
