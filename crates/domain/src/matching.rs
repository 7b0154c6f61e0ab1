//! Matches (匹配 / 对接): a demand paired with an expert or a result the engine suggested and the
//! office confirmed, with its score, why, and what happened (suggested → contacted → accepted, or
//! declined with a reason). And the priors that only the records know, as a pure function:
//! place (a local expert first, all else equal), load, availability, and earlier outcomes.

use crate::input::{self, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    MatchStatus {
        Suggested = "suggested", "已推荐", "Suggested";
        Contacted = "contacted", "已联系", "Contacted";
        Accepted = "accepted", "已接受", "Accepted";
        Declined = "declined", "已婉拒", "Declined";
    }
);

code_enum!(
    MatchTarget {
        Expert = "expert", "专家", "Expert";
        Result = "result", "成果", "Result";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Match {
    pub id: i64,
    pub demand_id: i64,
    pub target: MatchTarget,
    pub person_id: Option<i64>,
    pub result_id: Option<i64>,
    /// The ranking score when it was confirmed.
    pub score: f64,
    /// Why it was suggested, as shown then.
    pub reasons: Vec<String>,
    /// What the office wrote when confirming it, for the expert and the enterprise.
    pub note: Option<String>,
    pub status: MatchStatus,
    /// The note given with the last status change: why it was declined, or what the expert said
    /// accepting (see [`MatchStatus::note_label`]).
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl MatchStatus {
    pub fn next(self) -> &'static [MatchStatus] {
        use MatchStatus::*;
        match self {
            Suggested => &[Contacted, Accepted, Declined],
            Contacted => &[Accepted, Declined],
            Accepted | Declined => &[],
        }
    }
    /// Whether the expert is busy with it (counts towards their load).
    pub fn active(self) -> bool {
        matches!(self, MatchStatus::Contacted | MatchStatus::Accepted)
    }
    /// What the note given with a change to this status is: a declined match's is why it was
    /// declined; an accepted one's is the answer's note; a contacted one's a note on the contact.
    pub fn note_label(self) -> Msg {
        match self {
            MatchStatus::Declined => Msg::new("婉拒理由", "Reason for declining"),
            MatchStatus::Accepted => Msg::new("答复说明", "Note on accepting"),
            MatchStatus::Contacted => Msg::new("联系说明", "Note on the contact"),
            MatchStatus::Suggested => Msg::new("说明", "Note"),
        }
    }
}

/// A status change as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MatchStatusInput {
    /// The status to move to; the match's current status decides which are allowed (409 otherwise).
    #[schema(required, value_type = Option<MatchStatus>)]
    pub status: Option<String>,
    /// Why; required when `status` is `declined`.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

impl MatchStatusInput {
    pub fn validate(&self, from: MatchStatus) -> Result<(MatchStatus, Option<String>), FieldErrors> {
        let mut e = FieldErrors::new();
        let to = e.take(
            "status",
            input::code(
                &self.status,
                MatchStatus::parse,
                MatchStatus::ALL,
                MatchStatus::label,
                MatchStatus::as_str,
            ),
        );
        let reason = e.take("reason", input::optional_text(&self.reason, 2000));
        // Whether `from` may go to `to` is the store's to say (409), against the stored status.
        let _ = from;
        if to == Some(MatchStatus::Declined) && reason == Some(None) {
            e.add("reason", Msg::new("婉拒时须写明理由", "Give the reason for declining"));
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok((to.expect("checked"), reason.flatten()))
    }
}

/// Confirming a suggestion: which expert or result — exactly one of `person_id` and `result_id`
/// (neither, or both, is refused naming `person_id`) — and what the office wants the expert and the
/// enterprise to read beside the automatic reasons.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ConfirmInput {
    /// The expert suggested (a person id); or give `result_id`.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub person_id: Option<String>,
    /// The result suggested; or give `person_id`.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub result_id: Option<String>,
    /// The office's note on the suggestion, kept with the match beside the automatic reasons and
    /// shown to the expert and the enterprise.
    #[serde(alias = "what")]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A confirmation as validated: the target, its id and the office's note.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub target: MatchTarget,
    pub id: i64,
    pub note: Option<String>,
}

impl ConfirmInput {
    /// Which expert or result is meant (the note is not looked at: a form may ask what to
    /// confirm before any note is written).
    pub fn target(&self) -> Result<(MatchTarget, i64), FieldErrors> {
        match (opt_text(&self.person_id), opt_text(&self.result_id)) {
            (Some(_), None) => input::id(&self.person_id)
                .map(|id| (MatchTarget::Expert, id))
                .map_err(|m| FieldErrors::one("person_id", m)),
            (None, Some(_)) => input::id(&self.result_id)
                .map(|id| (MatchTarget::Result, id))
                .map_err(|m| FieldErrors::one("result_id", m)),
            _ => Err(FieldErrors::one(
                "person_id",
                Msg::new(
                    "请指定一位专家或一项成果（二选一）",
                    "Give either person_id or result_id",
                ),
            )),
        }
    }

    pub fn validate(&self) -> Result<Confirm, FieldErrors> {
        let target = self.target();
        let note = input::optional_text(&self.note, 2000);
        match (target, note) {
            (Ok((target, id)), Ok(note)) => Ok(Confirm { target, id, note }),
            (t, n) => {
                let mut e = t.err().unwrap_or_default();
                if let Err(m) = n {
                    e.add("note", m);
                }
                Err(e)
            }
        }
    }
}

/// What the records say about an expert, for the priors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExpertFacts {
    /// The expert's organisation's region code.
    pub region: Option<String>,
    /// Matches contacted or accepted, and projects in progress they are responsible for.
    pub load: i64,
    pub unavailable: bool,
    /// Earlier outcomes: (similarity of that demand to this one, accepted?).
    pub outcomes: Vec<(f32, bool)>,
}

/// The priors' effect on an expert's text score, with the reasons in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjusted {
    pub score: f32,
    pub reasons: Vec<Msg>,
}

/// Weights of the priors. Place only breaks near-ties ("a local expert first, all else equal").
pub const LOCAL_BONUS: f32 = 0.03;
pub const LOAD_PENALTY: f32 = 0.04;
pub const ACCEPTED_WEIGHT: f32 = 0.25;
pub const DECLINED_WEIGHT: f32 = 0.5;
/// Earlier demands count only when they are this similar to the current one.
pub const SIMILAR_ENOUGH: f32 = 0.2;

/// Applies the priors to an expert's text score (normalised so the best candidate is 1).
pub fn adjust(text: f32, demand_region: Option<&str>, f: &ExpertFacts) -> Adjusted {
    let mut score = text;
    let mut reasons = Vec::new();
    let city = |r: &str| r.get(..4).map(str::to_string);
    if let (Some(d), Some(e)) = (demand_region, f.region.as_deref())
        && city(d).is_some()
        && city(d) == city(e)
    {
        score += LOCAL_BONUS;
        reasons.push(Msg::new("本地专家", "Local expert"));
    }
    if f.load > 0 {
        score -= LOAD_PENALTY * f.load.min(5) as f32;
        reasons.push(Msg::new(
            format!("当前对接/负责 {} 项", f.load),
            if f.load == 1 {
                "Busy with 1 match or project".to_string()
            } else {
                format!("Busy with {} matches or projects", f.load)
            },
        ));
    }
    if f.unavailable {
        score *= 0.5;
        reasons.push(Msg::new("专家标注为暂无精力", "Marked unavailable"));
    }
    let (mut up, mut down) = (0.0_f32, 0.0_f32);
    for (sim, accepted) in &f.outcomes {
        if *sim < SIMILAR_ENOUGH {
            continue;
        }
        if *accepted {
            up += ACCEPTED_WEIGHT * sim;
        } else {
            down += DECLINED_WEIGHT * sim;
        }
    }
    if up > 0.0 {
        score += up;
        reasons.push(Msg::new("曾接受相似需求", "Accepted similar demands before"));
    }
    if down > 0.0 {
        score -= down;
        reasons.push(Msg::new("曾婉拒相似需求", "Declined similar demands before"));
    }
    Adjusted { score, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expert_busy_with_one_match_is_not_busy_with_1_matches() {
        let busy = |load| ExpertFacts {
            load,
            ..Default::default()
        };
        let en = |load| adjust(0.5, None, &busy(load)).reasons[0].en.clone();
        assert_eq!(en(1), "Busy with 1 match or project");
        assert_eq!(en(3), "Busy with 3 matches or projects");
    }

    #[test]
    fn place_breaks_ties_and_outcomes_move_an_expert() {
        let local = ExpertFacts {
            region: Some("330881".into()),
            ..Default::default()
        };
        let away = ExpertFacts {
            region: Some("330100".into()),
            ..Default::default()
        };
        assert!(adjust(0.8, Some("330802"), &local).score > adjust(0.8, Some("330802"), &away).score);
        // …but not against a clearly better text match.
        assert!(adjust(0.7, Some("330802"), &local).score < adjust(0.8, Some("330802"), &away).score);
        let declined = ExpertFacts {
            outcomes: vec![(0.6, false)],
            ..Default::default()
        };
        let accepted = ExpertFacts {
            outcomes: vec![(0.6, true)],
            ..Default::default()
        };
        let unrelated = ExpertFacts {
            outcomes: vec![(0.05, false)],
            ..Default::default()
        };
        assert!(adjust(1.0, None, &declined).score < 0.8);
        assert!(adjust(0.8, None, &accepted).score > 0.9);
        assert_eq!(adjust(1.0, None, &unrelated).score, 1.0);
    }

    #[test]
    fn a_decline_needs_its_reason_and_decided_matches_stay() {
        let i = MatchStatusInput {
            status: Some("declined".into()),
            reason: None,
        };
        assert!(i.validate(MatchStatus::Suggested).unwrap_err().get("reason").is_some());
        let i = MatchStatusInput {
            status: Some("contacted".into()),
            reason: None,
        };
        assert_eq!(i.validate(MatchStatus::Suggested).unwrap().0, MatchStatus::Contacted);
        assert!(MatchStatus::Accepted.next().is_empty());
    }

    fn input(status: &str, reason: Option<&str>) -> MatchStatusInput {
        MatchStatusInput {
            status: Some(status.into()),
            reason: reason.map(Into::into),
        }
    }

    #[test]
    fn a_suggested_match_may_be_contacted_or_decided_and_a_contacted_one_only_decided() {
        use MatchStatus::*;
        let allowed = [
            (Suggested, Contacted),
            (Suggested, Accepted),
            (Suggested, Declined),
            (Contacted, Accepted),
            (Contacted, Declined),
        ];
        for from in MatchStatus::ALL {
            for to in MatchStatus::ALL {
                assert_eq!(
                    from.next().contains(to),
                    allowed.contains(&(*from, *to)),
                    "{from:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn accepted_and_declined_matches_cannot_move() {
        assert!(MatchStatus::Accepted.next().is_empty());
        assert!(MatchStatus::Declined.next().is_empty());
    }

    #[test]
    fn a_decline_needs_a_reason_but_an_acceptance_does_not() {
        let e = input("declined", Some("   "))
            .validate(MatchStatus::Contacted)
            .unwrap_err();
        assert_eq!(e.get("reason").unwrap().zh, "婉拒时须写明理由");
        assert_eq!(
            input("declined", Some("近期无精力"))
                .validate(MatchStatus::Contacted)
                .unwrap(),
            (MatchStatus::Declined, Some("近期无精力".to_string()))
        );
        assert_eq!(
            input("accepted", None).validate(MatchStatus::Contacted).unwrap(),
            (MatchStatus::Accepted, None)
        );
    }

    #[test]
    fn an_unknown_status_code_is_refused_with_a_field_error_naming_status() {
        let e = input("done", None).validate(MatchStatus::Suggested).unwrap_err();
        let m = e.get("status").unwrap();
        assert!(m.zh.contains("“done”不是有效选项"), "{}", m.zh);
        assert!(m.zh.contains("已接受（accepted）"), "{}", m.zh);
        let e = MatchStatusInput::default()
            .validate(MatchStatus::Suggested)
            .unwrap_err();
        assert_eq!(e.get("status").unwrap().zh, "此项为必填项");
    }

    #[test]
    fn only_contacted_and_accepted_matches_count_towards_an_experts_load() {
        let active: Vec<MatchStatus> = MatchStatus::ALL.iter().copied().filter(|s| s.active()).collect();
        assert_eq!(active, [MatchStatus::Contacted, MatchStatus::Accepted]);
    }
}
