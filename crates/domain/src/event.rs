//! Meetings and what they decide (会议活动, 议定事项): the annual work conference, regular
//! consultations (定期会商), leaders' visits (互访) and working groups' meetings, with who attended,
//! the agenda and minutes; and each decision taken there, which has an owner unit, a due date and a
//! status, carries a flag like a project (red when late, yellow when due within
//! [`DUE_SOON_DAYS`] days) and is followed to done — or handed over to a project or a problem,
//! which are then followed in its place.

use crate::flag::Flag;
use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::project::DUE_SOON_DAYS;
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    EventKind {
        Conference = "conference", "年度工作会议", "Annual work conference";
        Consultation = "consultation", "定期会商", "Regular consultation";
        Visit = "visit", "领导互访", "Leaders' visit";
        GroupMeeting = "group_meeting", "工作小组会议", "Working group meeting";
        Forum = "forum", "论坛活动", "Forum";
        Other = "other", "其他会议", "Other meeting";
    }
);

code_enum!(
    /// open → in progress → done; cancelled from any open status; handed over when turned into a
    /// project or a problem (then those are followed instead).
    DecisionStatus {
        Open = "open", "待落实", "Open";
        InProgress = "in_progress", "推进中", "In progress";
        Done = "done", "已落实", "Done";
        HandedOver = "handed_over", "已转办", "Handed over";
        Cancelled = "cancelled", "已撤销", "Cancelled";
    }
);

impl DecisionStatus {
    /// Whether the decision is still to be carried out (and so flagged and reminded of).
    pub fn is_open(self) -> bool {
        matches!(self, DecisionStatus::Open | DecisionStatus::InProgress)
    }
    /// The statuses a decision may be set to from this one by an edit or a progress report
    /// (staying put is always allowed). Handing over happens only by turning it into a project or a problem.
    pub fn next(self) -> &'static [DecisionStatus] {
        use DecisionStatus::*;
        match self {
            Open => &[InProgress, Done, Cancelled],
            InProgress => &[Done, Cancelled, Open],
            Done => &[InProgress],
            Cancelled => &[Open],
            HandedOver => &[],
        }
    }
}

/// Checks a decision's status change.
pub fn transition(from: DecisionStatus, to: DecisionStatus) -> Result<DecisionStatus, Msg> {
    if from == to || from.next().contains(&to) {
        Ok(to)
    } else if to == DecisionStatus::HandedOver {
        Err(Msg::new(
            "“已转办”由“转为项目”或“转为问题”设定，不能直接选择",
            "“Handed over” is set by turning the decision into a project or a problem",
        ))
    } else {
        Err(Msg::new(
            format!("议定事项状态不能从“{}”变为“{}”", from.label().zh, to.label().zh),
            format!("A decision cannot go from {} to {}", from.as_str(), to.as_str()),
        ))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub title: String,
    pub kind: EventKind,
    pub held_on: NaiveDate,
    pub place: Option<String>,
    /// The coordination body whose meeting it is.
    pub group_id: Option<i64>,
    pub organizer_id: Option<i64>,
    /// The year's project list this conference approved (年度合作项目清单).
    pub batch_id: Option<i64>,
    pub agenda: Option<String>,
    /// The minutes (纪要); paragraphs separated by blank lines. Files are attachments.
    pub minutes: Option<String>,
    /// People who attended.
    pub person_ids: Vec<i64>,
    /// Organisations present.
    pub organization_ids: Vec<i64>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for an event.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EventInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<EventKind>)]
    pub kind: Option<String>,
    #[schema(required, value_type = Option<String>, format = Date)]
    pub held_on: Option<String>,
    #[schema(max_length = 200)]
    pub place: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub group_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub organizer_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub batch_id: Option<String>,
    #[schema(max_length = 5000)]
    pub agenda: Option<String>,
    #[schema(max_length = 50000)]
    pub minutes: Option<String>,
    /// Person ids (a list, or one string separated by commas).
    #[serde(deserialize_with = "de_list")]
    #[schema(value_type = Vec<i64>)]
    pub person_ids: Vec<String>,
    /// Organisation ids (a list, or one string separated by commas).
    #[serde(deserialize_with = "de_list")]
    #[schema(value_type = Vec<i64>)]
    pub organization_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventData {
    pub title: String,
    pub kind: EventKind,
    pub held_on: NaiveDate,
    pub place: Option<String>,
    pub group_id: Option<i64>,
    pub organizer_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    pub person_ids: Vec<i64>,
    pub organization_ids: Vec<i64>,
}

fn dedup(mut ids: Vec<i64>) -> Vec<i64> {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|i| seen.insert(*i));
    ids
}

impl EventInput {
    pub fn from_record(e: &Event) -> Self {
        let list = |v: &[i64]| v.iter().map(|i| i.to_string()).collect();
        EventInput {
            title: Some(e.title.clone()),
            kind: Some(e.kind.as_str().into()),
            held_on: Some(e.held_on.to_string()),
            place: e.place.clone(),
            group_id: e.group_id.map(|i| i.to_string()),
            organizer_id: e.organizer_id.map(|i| i.to_string()),
            batch_id: e.batch_id.map(|i| i.to_string()),
            agenda: e.agenda.clone(),
            minutes: e.minutes.clone(),
            person_ids: list(&e.person_ids),
            organization_ids: list(&e.organization_ids),
        }
    }

    pub fn validate(&self) -> Result<EventData, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                EventKind::parse,
                EventKind::ALL,
                EventKind::label,
                EventKind::as_str,
            ),
        );
        let held_on = e.take("held_on", input::date(&self.held_on));
        let place = e.take("place", input::optional_text(&self.place, 200));
        let group_id = e.take("group_id", input::optional_id(&self.group_id));
        let organizer_id = e.take("organizer_id", input::optional_id(&self.organizer_id));
        let batch_id = e.take("batch_id", input::optional_id(&self.batch_id));
        let agenda = e.take("agenda", input::optional_text(&self.agenda, 5000));
        let minutes = e.take("minutes", input::optional_text(&self.minutes, 50000));
        let person_ids = e.take("person_ids", input::ids(&self.person_ids));
        let organization_ids = e.take("organization_ids", input::ids(&self.organization_ids));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(EventData {
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            held_on: held_on.expect("checked"),
            place: place.flatten(),
            group_id: group_id.flatten(),
            organizer_id: organizer_id.flatten(),
            batch_id: batch_id.flatten(),
            agenda: agenda.flatten(),
            minutes: minutes.flatten(),
            person_ids: dedup(person_ids.expect("checked")),
            organization_ids: dedup(organization_ids.expect("checked")),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct EventFilter {
    /// Part of the title, the place, the agenda or the minutes.
    pub q: Option<String>,
    pub kind: Option<String>,
    /// Held in this year.
    pub year: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub group_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub batch_id: Option<String>,
    /// An organisation id: events it organised or attended.
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    /// A person id: events they attended.
    #[serde(deserialize_with = "de_opt_string")]
    pub person_id: Option<String>,
    /// `true` for archived only, `all` for both; live ones when not given.
    pub archived: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: i64,
    pub event_id: i64,
    /// What was decided (议定事项).
    pub title: String,
    /// The unit that carries it out (责任单位).
    pub owner_id: i64,
    pub responsible_person_id: Option<i64>,
    pub due_on: NaiveDate,
    pub status: DecisionStatus,
    /// How it stands (落实情况), as its owner last reported.
    pub progress: Option<String>,
    pub done_on: Option<NaiveDate>,
    /// The project it was turned into.
    pub project_id: Option<i64>,
    /// The problem it was turned into.
    pub problem_id: Option<i64>,
    /// "red" | "yellow" | "green" while it is open; none once done, handed over or cancelled.
    pub flag: Option<Flag>,
    /// Why it has its flag, in Chinese.
    pub flag_reasons: Vec<String>,
    #[serde(skip)]
    pub flag_words: Vec<Msg>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Decision {
    /// Sets the flag as it stands on `today`.
    pub fn flag_on(&mut self, today: NaiveDate) {
        let words = decision_flag(today, self.status, self.due_on);
        self.flag = words.as_ref().map(|(f, _)| *f);
        self.flag_words = words.map(|(_, w)| w).unwrap_or_default();
        self.flag_reasons = self.flag_words.iter().map(|m| m.zh.clone()).collect();
    }
}

/// A decision's flag on `today`: none once it is no longer open; red when its due date has passed,
/// yellow when it falls within [`DUE_SOON_DAYS`] days, green otherwise — the milestone rule of projects.
pub fn decision_flag(today: NaiveDate, status: DecisionStatus, due_on: NaiveDate) -> Option<(Flag, Vec<Msg>)> {
    if !status.is_open() {
        return None;
    }
    let days = (due_on - today).num_days();
    Some(if days < 0 {
        (
            Flag::Red,
            vec![Msg::new(
                format!("已于 {due_on} 到期，逾期 {} 天未落实", -days),
                format!("Was due on {due_on}: {} days late", -days),
            )],
        )
    } else if days <= DUE_SOON_DAYS {
        (
            Flag::Yellow,
            vec![Msg::new(
                format!("将于 {due_on} 到期（还有 {days} 天）"),
                format!("Due on {due_on} (in {days} days)"),
            )],
        )
    } else {
        (Flag::Green, vec![])
    })
}

/// The rules in words, shown under the flags of decisions.
pub fn legend() -> [(Flag, Msg); 3] {
    [
        (
            Flag::Red,
            Msg::new("红灯：已过完成时限仍未落实", "Red: past its due date and not done"),
        ),
        (
            Flag::Yellow,
            Msg::new(
                format!("黄灯：{DUE_SOON_DAYS} 天内到期尚未落实"),
                format!("Yellow: due within {DUE_SOON_DAYS} days and not done"),
            ),
        ),
        (Flag::Green, Msg::new("绿灯：按期推进", "Green: on time")),
    ]
}

/// What a form or a JSON body gives for a decision.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub event_id: Option<String>,
    #[schema(required, max_length = 1000)]
    pub title: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub owner_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub responsible_person_id: Option<String>,
    #[schema(required, value_type = Option<String>, format = Date)]
    pub due_on: Option<String>,
    /// `open` when not given.
    #[schema(value_type = Option<DecisionStatus>, default = "open")]
    pub status: Option<String>,
    #[schema(max_length = 5000)]
    pub progress: Option<String>,
    /// The day it was done; today when it is marked done without one. Never after today.
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecisionData {
    pub event_id: i64,
    pub title: String,
    pub owner_id: i64,
    pub responsible_person_id: Option<i64>,
    pub due_on: NaiveDate,
    pub status: DecisionStatus,
    pub progress: Option<String>,
    pub done_on: Option<NaiveDate>,
}

impl DecisionInput {
    pub fn from_record(d: &Decision) -> Self {
        DecisionInput {
            event_id: Some(d.event_id.to_string()),
            title: Some(d.title.clone()),
            owner_id: Some(d.owner_id.to_string()),
            responsible_person_id: d.responsible_person_id.map(|i| i.to_string()),
            due_on: Some(d.due_on.to_string()),
            status: Some(d.status.as_str().into()),
            progress: d.progress.clone(),
            done_on: d.done_on.map(|d| d.to_string()),
        }
    }

    pub fn validate(&self) -> Result<DecisionData, FieldErrors> {
        let mut e = FieldErrors::new();
        let event_id = e.take("event_id", input::id(&self.event_id));
        let title = e.take("title", input::text(&self.title, 1000));
        let owner_id = e.take("owner_id", input::id(&self.owner_id));
        let responsible_person_id = e.take("responsible_person_id", input::optional_id(&self.responsible_person_id));
        let due_on = e.take("due_on", input::date(&self.due_on));
        let status = match opt_text(&self.status) {
            None => Some(DecisionStatus::Open),
            Some(_) => e.take("status", status_code(&self.status)),
        };
        let progress = e.take("progress", input::optional_text(&self.progress, 5000));
        let done_on = e.take("done_on", input::optional_date(&self.done_on));
        if done_on.flatten().is_some() && status.is_some_and(|s| s != DecisionStatus::Done) {
            e.add(
                "done_on",
                Msg::new(
                    "只有“已落实”的事项才填完成日期",
                    "Only a decision that is done has a date it was done",
                ),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(DecisionData {
            event_id: event_id.expect("checked"),
            title: title.expect("checked"),
            owner_id: owner_id.expect("checked"),
            responsible_person_id: responsible_person_id.flatten(),
            due_on: due_on.expect("checked"),
            status: status.expect("checked"),
            progress: progress.flatten(),
            done_on: done_on.flatten(),
        })
    }
}

fn status_code(v: &Option<String>) -> Result<DecisionStatus, Msg> {
    input::code(
        v,
        DecisionStatus::parse,
        DecisionStatus::ALL,
        DecisionStatus::label,
        DecisionStatus::as_str,
    )
}

/// What the owner unit reports: how the decision stands now.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProgressInput {
    #[schema(required, value_type = Option<DecisionStatus>)]
    pub status: Option<String>,
    #[schema(required, max_length = 5000)]
    pub progress: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgressData {
    pub status: DecisionStatus,
    pub progress: String,
    pub done_on: Option<NaiveDate>,
}

impl ProgressInput {
    pub fn validate(&self) -> Result<ProgressData, FieldErrors> {
        let mut e = FieldErrors::new();
        let status = e.take("status", status_code(&self.status));
        let progress = e.take("progress", input::text(&self.progress, 5000));
        let done_on = e.take("done_on", input::optional_date(&self.done_on));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ProgressData {
            status: status.expect("checked"),
            progress: progress.expect("checked"),
            done_on: done_on.flatten(),
        })
    }
}

/// The day a decision counts as done: the one given (never after today), else today.
pub fn done_day(status: DecisionStatus, given: Option<NaiveDate>, today: NaiveDate) -> Result<Option<NaiveDate>, Msg> {
    match (status, given) {
        (DecisionStatus::Done, Some(d)) if d > today => Err(Msg::new(
            format!("完成日期不能晚于今天（{today}）"),
            format!("The date it was done cannot be after today ({today})"),
        )),
        (DecisionStatus::Done, d) => Ok(Some(d.unwrap_or(today))),
        _ => Ok(None),
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DecisionFilter {
    /// Part of what was decided or of the progress reported.
    pub q: Option<String>,
    pub status: Option<String>,
    /// `open` for decisions still to be carried out (open or in progress).
    pub open: Option<String>,
    /// `red`, `yellow` or `green`: open decisions with that flag today.
    pub flag: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub event_id: Option<String>,
    /// An organisation id: decisions owned by it or a unit below it.
    #[serde(deserialize_with = "de_opt_string")]
    pub owner_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub responsible_person_id: Option<String>,
    /// Due in this year.
    pub year: Option<String>,
    /// `true` for archived only, `all` for both; live ones when not given.
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_open_decision_past_its_due_date_is_red_and_says_how_late() {
        let (f, w) = decision_flag(day("2026-06-10"), DecisionStatus::Open, day("2026-06-01")).unwrap();
        assert_eq!(f, Flag::Red);
        assert!(w[0].zh.contains("逾期 9 天"), "{}", w[0].zh);
    }

    #[test]
    fn on_its_due_day_a_decision_is_yellow_not_red() {
        let (f, _) = decision_flag(day("2026-06-01"), DecisionStatus::InProgress, day("2026-06-01")).unwrap();
        assert_eq!(f, Flag::Yellow);
        let (f, _) = decision_flag(
            day("2026-06-01"),
            DecisionStatus::Open,
            day("2026-06-01") + chrono::Duration::days(DUE_SOON_DAYS + 1),
        )
        .unwrap();
        assert_eq!(f, Flag::Green);
    }

    #[test]
    fn a_decision_no_longer_open_has_no_flag() {
        for s in [
            DecisionStatus::Done,
            DecisionStatus::HandedOver,
            DecisionStatus::Cancelled,
        ] {
            assert!(decision_flag(day("2026-06-10"), s, day("2026-01-01")).is_none());
        }
    }

    #[test]
    fn handing_over_is_not_a_status_one_picks() {
        assert!(transition(DecisionStatus::Open, DecisionStatus::HandedOver).is_err());
        assert!(transition(DecisionStatus::HandedOver, DecisionStatus::Open).is_err());
        assert_eq!(
            transition(DecisionStatus::Open, DecisionStatus::Done),
            Ok(DecisionStatus::Done)
        );
    }

    #[test]
    fn a_decision_needs_its_event_owner_and_due_date() {
        let e = DecisionInput::default().validate().unwrap_err();
        for f in ["event_id", "title", "owner_id", "due_on"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn a_done_date_in_the_future_is_refused_and_a_missing_one_is_today() {
        let today = day("2026-06-10");
        assert!(done_day(DecisionStatus::Done, Some(day("2026-06-11")), today).is_err());
        assert_eq!(done_day(DecisionStatus::Done, None, today), Ok(Some(today)));
        assert_eq!(done_day(DecisionStatus::InProgress, None, today), Ok(None));
    }
}
