//! Problems raised for coordination (协商解决项目落实中的具体问题): each has an owner (a department
//! or unit), a due date, a status and, once settled, the decision taken; overdue once its due date
//! has passed unresolved; and a thread of comments ([`ProblemComment`]), each of which may carry files.

use crate::attachment::Attachment;
use crate::input::{self, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    /// open → being coordinated → resolved, or escalated (to the work conference or leaders).
    ProblemStatus {
        Open = "open", "待协调", "Open";
        Coordinating = "coordinating", "协调中", "Being coordinated";
        Resolved = "resolved", "已解决", "Resolved";
        Escalated = "escalated", "已提请上级", "Escalated";
    }
);

impl ProblemStatus {
    pub fn next(self) -> &'static [ProblemStatus] {
        use ProblemStatus::*;
        match self {
            Open => &[Coordinating, Resolved, Escalated],
            Coordinating => &[Resolved, Escalated],
            Escalated => &[Coordinating, Resolved],
            Resolved => &[],
        }
    }
    pub fn is_open(self) -> bool {
        self != ProblemStatus::Resolved
    }
    /// Whether moving to this status needs the decision written down (resolving, escalating).
    pub fn needs_decision(self) -> bool {
        matches!(self, ProblemStatus::Resolved | ProblemStatus::Escalated)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub description: Option<String>,
    /// The department or unit that must settle it.
    pub owner_id: i64,
    pub due_on: Option<NaiveDate>,
    pub status: ProblemStatus,
    /// What was decided (required to resolve or escalate).
    pub decision: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Problem {
    /// Not resolved and its due date is before `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due_on.is_some_and(|d| d < today)
    }
}

/// How many days a due date lies before `today`, if it does: the warning a form shows and the
/// words of the overdue badge.
pub fn days_past(due_on: NaiveDate, today: NaiveDate) -> Option<i64> {
    let days = (today - due_on).num_days();
    (days > 0).then_some(days)
}

/// The overdue badge's words.
pub fn overdue_label(days: i64) -> Msg {
    Msg::new(format!("逾期 {days} 天"), format!("{days} days overdue"))
}

/// The warning beside a due date already passed when it is entered: it is kept, and the problem
/// shows as overdue at once.
pub fn past_due_warning(due_on: NaiveDate, today: NaiveDate) -> Option<Msg> {
    days_past(due_on, today).map(|days| {
        Msg::new(
            format!("办结期限 {due_on} 已过（早于今天 {days} 天）：保存后问题将显示为逾期。"),
            format!(
                "The due date {due_on} has passed ({days} days before today): once saved, the problem shows as overdue."
            ),
        )
    })
}

/// A comment on a problem's thread: who wrote it, when, what, and the files it carries (kept as
/// the problem's attachments, linked to the comment).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemComment {
    pub id: i64,
    pub problem_id: i64,
    /// The account that wrote it (none for the platform itself).
    pub user_id: Option<i64>,
    /// Its user name, kept as written.
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// Files posted with it (attachments of the problem).
    pub attachments: Vec<Attachment>,
}

/// What a form or a JSON body gives for a comment (files come with a multipart form as `file`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CommentInput {
    #[schema(required, max_length = 5000)]
    pub body: Option<String>,
}

impl CommentInput {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::new();
        let body = e.take("body", input::text(&self.body, 5000));
        e.into_result(())?;
        Ok(body.expect("checked"))
    }
}

/// A status change from the problem's page: the status to move to and, to resolve or escalate,
/// the decision.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StatusChange {
    #[schema(required, value_type = Option<ProblemStatus>)]
    pub status: Option<String>,
    #[schema(max_length = 5000)]
    pub decision: Option<String>,
}

impl StatusChange {
    /// The problem's input with this change laid over it: a status is required; the decision sent
    /// replaces the old one when resolving or escalating (so each needs its own), and is kept
    /// otherwise unless a new one is written.
    pub fn apply(&self, current: &Problem) -> Result<ProblemInput, FieldErrors> {
        if opt_text(&self.status).is_none() {
            return Err(FieldErrors::one("status", crate::error::required()));
        }
        let mut i = ProblemInput::from_record(current);
        i.status = self.status.clone();
        let needs = opt_text(&self.status)
            .and_then(ProblemStatus::parse)
            .is_some_and(ProblemStatus::needs_decision);
        if needs || opt_text(&self.decision).is_some() {
            i.decision = self.decision.clone();
        }
        Ok(i)
    }
}

/// What a form or a JSON body gives for a problem raised for coordination.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProblemInput {
    /// The project it holds up.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub project_id: Option<String>,
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// The department or unit that must settle it (an organisation id).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub owner_id: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<String>,
    /// A new problem is `open` whatever is sent; on update, a status it may move to.
    #[schema(value_type = Option<ProblemStatus>)]
    pub status: Option<String>,
    /// What was decided; required when `status` is `resolved` or `escalated`.
    #[schema(max_length = 5000)]
    pub decision: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProblemData {
    pub project_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: i64,
    pub due_on: Option<NaiveDate>,
    pub status: Option<ProblemStatus>,
    pub decision: Option<String>,
}

impl ProblemInput {
    pub fn from_record(p: &Problem) -> Self {
        ProblemInput {
            project_id: Some(p.project_id.to_string()),
            title: Some(p.title.clone()),
            description: p.description.clone(),
            owner_id: Some(p.owner_id.to_string()),
            due_on: p.due_on.map(|d| d.to_string()),
            status: Some(p.status.as_str().into()),
            decision: p.decision.clone(),
        }
    }

    pub fn validate(&self) -> Result<ProblemData, FieldErrors> {
        let mut e = FieldErrors::new();
        let project_id = e.take("project_id", input::id(&self.project_id));
        let title = e.take("title", input::text(&self.title, 200));
        let description = e.take("description", input::optional_text(&self.description, 5000));
        let owner_id = e.take("owner_id", input::id(&self.owner_id));
        let due_on = e.take("due_on", input::optional_date(&self.due_on));
        let status = match opt_text(&self.status) {
            None => Some(None),
            Some(_) => e
                .take(
                    "status",
                    input::code(
                        &self.status,
                        ProblemStatus::parse,
                        ProblemStatus::ALL,
                        ProblemStatus::label,
                        ProblemStatus::as_str,
                    ),
                )
                .map(Some),
        };
        let decision = e.take("decision", input::optional_text(&self.decision, 5000));
        if let (Some(Some(s)), Some(None)) = (status, &decision)
            && s.needs_decision()
        {
            e.add(
                "decision",
                Msg::new(
                    "解决或提请上级时须写明协调意见",
                    "Record the decision when resolving or escalating",
                ),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ProblemData {
            project_id: project_id.expect("checked"),
            title: title.expect("checked"),
            description: description.flatten(),
            owner_id: owner_id.expect("checked"),
            due_on: due_on.flatten(),
            status: status.flatten(),
            decision: decision.flatten(),
        })
    }
}

/// Checks a problem's status change.
pub fn transition(from: ProblemStatus, to: ProblemStatus) -> Result<ProblemStatus, Msg> {
    if from == to || from.next().contains(&to) {
        Ok(to)
    } else {
        Err(Msg::new(
            format!("问题状态不能从“{}”变为“{}”", from.label().zh, to.label().zh),
            format!("A problem cannot go from {} to {}", from.as_str(), to.as_str()),
        ))
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ProblemFilter {
    pub q: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub project_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub owner_id: Option<String>,
    pub status: Option<String>,
    /// `true` for problems not yet resolved.
    #[serde(deserialize_with = "de_opt_string")]
    pub open: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolved_problem_needs_its_decision_and_stays_resolved() {
        let i = ProblemInput {
            project_id: Some("1".into()),
            title: Some("用地指标未落实".into()),
            owner_id: Some("2".into()),
            status: Some("resolved".into()),
            ..Default::default()
        };
        assert!(i.validate().unwrap_err().get("decision").is_some());
        assert!(transition(ProblemStatus::Resolved, ProblemStatus::Open).is_err());
        assert!(transition(ProblemStatus::Open, ProblemStatus::Coordinating).is_ok());
    }

    #[test]
    fn the_problem_machine_allows_exactly_these_transitions_and_staying_put() {
        use ProblemStatus::*;
        let allowed = [
            (Open, Coordinating),
            (Open, Resolved),
            (Open, Escalated),
            (Coordinating, Resolved),
            (Coordinating, Escalated),
            (Escalated, Coordinating),
            (Escalated, Resolved),
        ];
        for from in ProblemStatus::ALL {
            for to in ProblemStatus::ALL {
                let want = from == to || allowed.contains(&(*from, *to));
                assert_eq!(transition(*from, *to).is_ok(), want, "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn a_resolved_problem_is_final_and_the_only_one_not_open() {
        use ProblemStatus::*;
        assert!(Resolved.next().is_empty());
        for to in [Open, Coordinating, Escalated] {
            assert!(transition(Resolved, to).is_err(), "{to:?}");
        }
        let open: Vec<ProblemStatus> = ProblemStatus::ALL.iter().copied().filter(|s| s.is_open()).collect();
        assert_eq!(open, [Open, Coordinating, Escalated]);
    }

    #[test]
    fn an_escalated_problem_goes_back_to_coordination_but_nothing_returns_to_open() {
        use ProblemStatus::*;
        assert_eq!(transition(Escalated, Coordinating).unwrap(), Coordinating);
        for from in [Coordinating, Escalated] {
            assert!(transition(from, Open).is_err(), "{from:?}");
        }
    }

    #[test]
    fn a_refused_problem_transition_names_both_statuses_in_chinese() {
        let m = transition(ProblemStatus::Coordinating, ProblemStatus::Open).unwrap_err();
        assert_eq!(m.zh, "问题状态不能从“协调中”变为“待协调”");
    }

    #[test]
    fn escalating_needs_a_decision_but_coordinating_does_not() {
        let i = |status: &str| ProblemInput {
            project_id: Some("1".into()),
            title: Some("用地指标未落实".into()),
            owner_id: Some("2".into()),
            status: Some(status.into()),
            ..Default::default()
        };
        let e = i("escalated").validate().unwrap_err();
        assert!(e.get("decision").unwrap().zh.contains("协调意见"));
        assert_eq!(
            i("coordinating").validate().unwrap().status,
            Some(ProblemStatus::Coordinating)
        );
        let e = i("closed").validate().unwrap_err();
        assert!(e.get("status").unwrap().zh.contains("“closed”不是有效选项"));
    }

    fn a_problem(status: ProblemStatus, due_on: Option<&str>) -> Problem {
        Problem {
            id: 1,
            project_id: 1,
            title: "用地指标未落实".into(),
            description: None,
            owner_id: 2,
            due_on: due_on.map(|d| d.parse().unwrap()),
            status,
            decision: Some("先行协调".into()),
            archived: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_problem_due_yesterday_is_overdue_until_resolved_and_one_due_today_is_not() {
        let today: NaiveDate = "2026-06-15".parse().unwrap();
        assert!(a_problem(ProblemStatus::Open, Some("2026-06-14")).overdue(today));
        assert!(a_problem(ProblemStatus::Escalated, Some("2026-06-14")).overdue(today));
        assert!(!a_problem(ProblemStatus::Open, Some("2026-06-15")).overdue(today));
        assert!(!a_problem(ProblemStatus::Resolved, Some("2026-06-14")).overdue(today));
        assert!(!a_problem(ProblemStatus::Open, None).overdue(today));
        let w = past_due_warning("2026-06-14".parse().unwrap(), today).unwrap();
        assert!(w.zh.contains("已过"), "{}", w.zh);
        assert!(past_due_warning(today, today).is_none());
    }

    #[test]
    fn a_status_change_needs_a_status_and_resolving_needs_its_own_decision() {
        let p = a_problem(ProblemStatus::Escalated, None);
        let none = StatusChange::default().apply(&p).unwrap_err();
        assert!(none.get("status").is_some());
        let resolve = StatusChange {
            status: Some("resolved".into()),
            decision: None,
        };
        let e = resolve.apply(&p).unwrap().validate().unwrap_err();
        assert!(e.get("decision").is_some());
        let back = StatusChange {
            status: Some("coordinating".into()),
            decision: None,
        };
        assert_eq!(back.apply(&p).unwrap().decision.as_deref(), Some("先行协调"));
    }

    #[test]
    fn a_comment_needs_its_text() {
        assert!(CommentInput::default().validate().unwrap_err().get("body").is_some());
        let c = CommentInput {
            body: Some("  已联系国土部门  ".into()),
        };
        assert_eq!(c.validate().unwrap(), "已联系国土部门");
    }
}
