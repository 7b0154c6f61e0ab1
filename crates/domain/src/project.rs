//! Cooperation projects (合作项目): seven kinds, a batch year, a lead unit and co-units, money kept
//! exact, the status state machine, and the progress schedule (推进进度表) of milestones.

use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::{FieldErrors, Money, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    /// The seven kinds of project named at the work conference.
    ProjectKind {
        Research = "research", "研究类", "Research";
        Engineering = "engineering", "工科类", "Engineering";
        Talent = "talent", "人才培养", "Talent training";
        Culture = "culture", "文化", "Culture";
        Livelihood = "livelihood", "民生", "Livelihood";
        Platform = "platform", "平台建设", "Platform building";
        Service = "service", "智力服务", "Intellectual service";
    }
);

code_enum!(
    /// Where a project came from.
    ProjectOrigin {
        Demand = "demand", "企业需求", "Enterprise demand";
        Agreement = "agreement", "合作协议", "Agreement";
        Proposal = "proposal", "申报建议", "Proposal";
    }
);

code_enum!(
    /// planned → approved → in progress → completed → accepted → results transferred;
    /// suspended and cancelled on the side. See [`ProjectStatus::next`].
    ProjectStatus {
        Planned = "planned", "计划", "Planned";
        Approved = "approved", "已立项", "Approved";
        InProgress = "in_progress", "实施中", "In progress";
        Completed = "completed", "已完成", "Completed";
        Accepted = "accepted", "已验收", "Accepted";
        Transferred = "transferred", "成果已转化", "Results transferred";
        Suspended = "suspended", "暂停", "Suspended";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
);

impl ProjectStatus {
    /// The statuses a project may move to from this one; nothing else is allowed.
    pub fn next(self) -> &'static [ProjectStatus] {
        use ProjectStatus::*;
        match self {
            Planned => &[Approved, Cancelled],
            Approved => &[InProgress, Suspended, Cancelled],
            InProgress => &[Completed, Suspended, Cancelled],
            Suspended => &[InProgress, Cancelled],
            Completed => &[Accepted],
            Accepted => &[Transferred],
            Transferred | Cancelled => &[],
        }
    }

    pub fn can_become(self, to: ProjectStatus) -> bool {
        self == to || self.next().contains(&to)
    }

    /// Checks a transition and explains a refusal in both languages.
    pub fn transition(self, to: ProjectStatus) -> Result<ProjectStatus, Msg> {
        if self.can_become(to) {
            return Ok(to);
        }
        let allowed_zh: Vec<String> = self.next().iter().map(|s| s.label().zh).collect();
        let allowed_en: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        let (zh_tail, en_tail) = if allowed_zh.is_empty() {
            ("该状态为终态，不能再变更".to_string(), "it is final".to_string())
        } else {
            (
                format!("只能变为：{}", allowed_zh.join("、")),
                format!("allowed: {}", allowed_en.join(", ")),
            )
        };
        Err(Msg::new(
            format!("项目状态不能从“{}”变为“{}”，{zh_tail}", self.label().zh, to.label().zh),
            format!(
                "A project cannot go from {} to {}; {en_tail}",
                self.as_str(),
                to.as_str()
            ),
        ))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    pub title: String,
    pub kind: ProjectKind,
    /// The year of the annual project list (年度合作项目清单) it belongs to.
    pub batch_year: i32,
    /// The batch it was listed in, once listed.
    pub batch_id: Option<i64>,
    /// 牵头单位.
    pub lead_unit_id: i64,
    /// 配合单位.
    pub co_unit_ids: Vec<i64>,
    /// 责任人.
    pub responsible_person_id: Option<i64>,
    pub origin: ProjectOrigin,
    pub agreement_id: Option<i64>,
    pub origin_note: Option<String>,
    /// Contract amount in 万元, exact (a decimal string).
    #[schema(value_type = String, example = "200.00")]
    pub contract_amount_wan: Money,
    /// Funding won in 万元, exact (a decimal string).
    #[schema(value_type = String, example = "35.50")]
    pub funding_won_wan: Money,
    pub status: ProjectStatus,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub summary: Option<String>,
    /// 亮灯 on today's date, from the progress schedule and the reports (see `supervision::flag`);
    /// none for a project not being carried out (planned, completed, accepted, suspended, cancelled…).
    pub flag: Option<crate::flag::Flag>,
    /// Why the flag is not green.
    pub flag_reasons: Vec<String>,
    /// The same reasons in both languages, for the pages.
    #[serde(skip)]
    pub flag_words: Vec<crate::Msg>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a project.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProjectInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<ProjectKind>)]
    pub kind: Option<String>,
    /// The year of the annual project list (年度合作项目清单).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i32>, minimum = 1990, maximum = 2100, example = 2026)]
    pub batch_year: Option<String>,
    /// The batch (year's list) to join; its year must be the batch year.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub batch_id: Option<String>,
    /// 牵头单位 (an organisation id).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub lead_unit_id: Option<String>,
    /// 配合单位: organisation ids, not the lead unit (a list, or one string separated by commas).
    #[serde(deserialize_with = "de_list")]
    #[schema(value_type = Vec<i64>)]
    pub co_unit_ids: Vec<String>,
    /// 责任人 (a person id).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub responsible_person_id: Option<String>,
    /// `proposal` when not given.
    #[schema(value_type = Option<ProjectOrigin>, default = "proposal")]
    pub origin: Option<String>,
    /// The agreement the project comes from; required when `origin` is `agreement`.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub agreement_id: Option<String>,
    #[schema(max_length = 1000)]
    pub origin_note: Option<String>,
    /// Contract amount in 万元 as a decimal string, kept exact: a non-negative number with at most
    /// six decimals (commas allowed); 0 when not given. A JSON number is accepted too, but a string
    /// keeps it exact.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "200.5")]
    pub contract_amount_wan: Option<String>,
    /// Funding won in 万元 as a decimal string, kept exact: a non-negative number with at most six
    /// decimals (commas allowed); 0 when not given. A JSON number is accepted too, but a string
    /// keeps it exact.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "35.5")]
    pub funding_won_wan: Option<String>,
    /// On create only `planned` (the default); on update, a status the state machine allows.
    #[schema(value_type = Option<ProjectStatus>)]
    pub status: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub start_on: Option<String>,
    /// Not before `start_on`.
    #[schema(value_type = Option<String>, format = Date)]
    pub end_on: Option<String>,
    #[schema(max_length = 10000)]
    pub summary: Option<String>,
    /// On create: a project with the same title, lead unit and batch year is refused with 409
    /// naming it (in `fields.create_anyway`), unless this is `true` (the form's "仍然创建").
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>, default = false)]
    pub create_anyway: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectData {
    pub title: String,
    pub kind: ProjectKind,
    pub batch_year: i32,
    pub batch_id: Option<i64>,
    pub lead_unit_id: i64,
    pub co_unit_ids: Vec<i64>,
    pub responsible_person_id: Option<i64>,
    pub origin: ProjectOrigin,
    pub agreement_id: Option<i64>,
    pub origin_note: Option<String>,
    pub contract_amount: Money,
    pub funding_won: Money,
    /// The status asked for, if any; the store checks it against the current one.
    pub status: Option<ProjectStatus>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub summary: Option<String>,
    /// Create even when a project with the same title, lead unit and year exists.
    pub create_anyway: bool,
}

fn money(v: &Option<String>) -> Result<Money, Msg> {
    opt_text(v)
        .map(Money::parse_wan)
        .transpose()
        .map(Option::unwrap_or_default)
}

impl ProjectInput {
    pub fn from_record(p: &Project) -> Self {
        ProjectInput {
            title: Some(p.title.clone()),
            kind: Some(p.kind.as_str().into()),
            batch_year: Some(p.batch_year.to_string()),
            batch_id: p.batch_id.map(|i| i.to_string()),
            lead_unit_id: Some(p.lead_unit_id.to_string()),
            co_unit_ids: p.co_unit_ids.iter().map(|i| i.to_string()).collect(),
            responsible_person_id: p.responsible_person_id.map(|i| i.to_string()),
            origin: Some(p.origin.as_str().into()),
            agreement_id: p.agreement_id.map(|i| i.to_string()),
            origin_note: p.origin_note.clone(),
            contract_amount_wan: Some(p.contract_amount_wan.wan()),
            funding_won_wan: Some(p.funding_won_wan.wan()),
            status: Some(p.status.as_str().into()),
            start_on: p.start_on.map(|d| d.to_string()),
            end_on: p.end_on.map(|d| d.to_string()),
            summary: p.summary.clone(),
            create_anyway: None,
        }
    }

    pub fn validate(&self) -> Result<ProjectData, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                ProjectKind::parse,
                ProjectKind::ALL,
                ProjectKind::label,
                ProjectKind::as_str,
            ),
        );
        let batch_year = e.take("batch_year", input::year(&self.batch_year));
        let batch_id = e.take("batch_id", input::optional_id(&self.batch_id));
        let lead_unit_id = e.take("lead_unit_id", input::id(&self.lead_unit_id));
        let co_unit_ids = e.take("co_unit_ids", input::ids(&self.co_unit_ids));
        let responsible_person_id = e.take("responsible_person_id", input::optional_id(&self.responsible_person_id));
        let origin = match opt_text(&self.origin) {
            None => Some(ProjectOrigin::Proposal),
            Some(_) => e.take(
                "origin",
                input::code(
                    &self.origin,
                    ProjectOrigin::parse,
                    ProjectOrigin::ALL,
                    ProjectOrigin::label,
                    ProjectOrigin::as_str,
                ),
            ),
        };
        let agreement_id = e.take("agreement_id", input::optional_id(&self.agreement_id));
        let origin_note = e.take("origin_note", input::optional_text(&self.origin_note, 1000));
        let contract_amount = e.take("contract_amount_wan", money(&self.contract_amount_wan));
        let funding_won = e.take("funding_won_wan", money(&self.funding_won_wan));
        let status = match opt_text(&self.status) {
            None => Some(None),
            Some(_) => e
                .take(
                    "status",
                    input::code(
                        &self.status,
                        ProjectStatus::parse,
                        ProjectStatus::ALL,
                        ProjectStatus::label,
                        ProjectStatus::as_str,
                    ),
                )
                .map(Some),
        };
        let start_on = e.take("start_on", input::optional_date(&self.start_on));
        let end_on = e.take("end_on", input::optional_date(&self.end_on));
        let summary = e.take("summary", input::optional_text(&self.summary, 10000));
        if let (Some(Some(s)), Some(Some(t))) = (start_on, end_on)
            && t < s
        {
            e.add(
                "end_on",
                Msg::new(
                    "结束日期不能早于开始日期",
                    "The end date cannot be before the start date",
                ),
            );
        }
        if let (Some(l), Some(c)) = (lead_unit_id, &co_unit_ids)
            && c.contains(&l)
        {
            e.add(
                "co_unit_ids",
                Msg::new("牵头单位不能同时是配合单位", "The lead unit cannot also be a co-unit"),
            );
        }
        if origin == Some(ProjectOrigin::Agreement) && agreement_id == Some(None) {
            e.add(
                "agreement_id",
                Msg::new(
                    "来源为合作协议时须选择协议",
                    "Choose the agreement this project comes from",
                ),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ProjectData {
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            batch_year: batch_year.expect("checked"),
            batch_id: batch_id.flatten(),
            lead_unit_id: lead_unit_id.expect("checked"),
            co_unit_ids: co_unit_ids.expect("checked"),
            responsible_person_id: responsible_person_id.flatten(),
            origin: origin.expect("checked"),
            agreement_id: agreement_id.flatten(),
            origin_note: origin_note.flatten(),
            contract_amount: contract_amount.expect("checked"),
            funding_won: funding_won.expect("checked"),
            status: status.flatten(),
            start_on: start_on.flatten(),
            end_on: end_on.flatten(),
            summary: summary.flatten(),
            create_anyway: crate::person::truthy(&self.create_anyway),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ProjectFilter {
    /// Part of the title.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub batch_year: Option<String>,
    /// Projects this organisation leads.
    #[serde(deserialize_with = "de_opt_string")]
    pub lead_unit_id: Option<String>,
    /// Projects this organisation leads or co-leads.
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub agreement_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub responsible_person_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub batch_id: Option<String>,
    /// Projects whose lead unit is in this division (6-digit code; a city's code takes in its counties).
    pub county: Option<String>,
    /// Projects with a unit (lead or co-unit) whose nearest college or university is this organisation.
    #[serde(deserialize_with = "de_opt_string")]
    pub college: Option<String>,
    /// Projects with a unit (lead or co-unit) in this GB/T 4754 section (a letter, e.g. C).
    pub industry: Option<String>,
    /// Projects being carried out whose flag today is this one: red, yellow or green (several
    /// comma-separated).
    pub flag: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

code_enum!(
    /// Where a milestone stands on a given day.
    MilestoneState {
        Done = "done", "已完成", "Done";
        Overdue = "overdue", "已逾期", "Overdue";
        DueSoon = "due_soon", "即将到期", "Due soon";
        Pending = "pending", "未到期", "Pending";
    }
);

/// A milestone is "due soon" when its due date is within this many days.
pub const DUE_SOON_DAYS: i64 = 15;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Milestone {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub due_on: NaiveDate,
    /// 预期成果 / deliverable.
    pub deliverable: Option<String>,
    pub done_on: Option<NaiveDate>,
    /// What shows it was reached (text; files go in attachments).
    pub evidence: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Milestone {
    pub fn state(&self, today: NaiveDate) -> MilestoneState {
        if self.done_on.is_some() {
            MilestoneState::Done
        } else if self.due_on < today {
            MilestoneState::Overdue
        } else if (self.due_on - today).num_days() <= DUE_SOON_DAYS {
            MilestoneState::DueSoon
        } else {
            MilestoneState::Pending
        }
    }
}

/// What a form or a JSON body gives for a milestone of a project's progress schedule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MilestoneInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    /// Within the project's start and end dates, when it has them.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub due_on: Option<String>,
    /// 预期成果 / deliverable.
    #[schema(max_length = 1000)]
    pub deliverable: Option<String>,
    /// When it was reached.
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<String>,
    /// What shows it was reached (text; files go in attachments).
    #[schema(max_length = 5000)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneData {
    pub title: String,
    pub due_on: NaiveDate,
    pub deliverable: Option<String>,
    pub done_on: Option<NaiveDate>,
    pub evidence: Option<String>,
}

impl MilestoneInput {
    pub fn from_record(m: &Milestone) -> Self {
        MilestoneInput {
            title: Some(m.title.clone()),
            due_on: Some(m.due_on.to_string()),
            deliverable: m.deliverable.clone(),
            done_on: m.done_on.map(|d| d.to_string()),
            evidence: m.evidence.clone(),
        }
    }

    pub fn validate(&self) -> Result<MilestoneData, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let due_on = e.take("due_on", input::date(&self.due_on));
        let deliverable = e.take("deliverable", input::optional_text(&self.deliverable, 1000));
        let done_on = e.take("done_on", input::optional_date(&self.done_on));
        let evidence = e.take("evidence", input::optional_text(&self.evidence, 5000));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(MilestoneData {
            title: title.expect("checked"),
            due_on: due_on.expect("checked"),
            deliverable: deliverable.flatten(),
            done_on: done_on.flatten(),
            evidence: evidence.flatten(),
        })
    }
}

impl MilestoneData {
    /// A milestone must fall inside its project's dates (`start`, `end`, when the project has them),
    /// and cannot have been reached after `today`: a date that something happened is never in the future.
    pub fn check_dates(
        &self,
        today: NaiveDate,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if let Some(done) = self.done_on
            && done > today
        {
            e.add(
                "done_on",
                Msg::new(
                    format!("实际完成日期不能晚于今天（{today}）"),
                    format!("The milestone cannot have been reached after today ({today})"),
                ),
            );
        }
        if let Some(end) = end
            && self.due_on > end
        {
            e.add(
                "due_on",
                Msg::new(
                    format!("节点日期不能晚于项目结束日期 {end}"),
                    format!("The milestone cannot be due after the project ends ({end})"),
                ),
            );
        }
        if let Some(start) = start
            && self.due_on < start
        {
            e.add(
                "due_on",
                Msg::new(
                    format!("节点日期不能早于项目开始日期 {start}"),
                    format!("The milestone cannot be due before the project starts ({start})"),
                ),
            );
        }
        e.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProjectStatus::*;

    #[test]
    fn the_state_machine_allows_only_the_named_transitions() {
        assert!(Planned.can_become(Approved));
        assert!(Approved.can_become(InProgress));
        assert!(InProgress.can_become(Completed));
        assert!(Completed.can_become(Accepted));
        assert!(Accepted.can_become(Transferred));
        assert!(InProgress.can_become(Suspended) && Suspended.can_become(InProgress));
        assert!(!Planned.can_become(Completed));
        assert!(!Cancelled.can_become(InProgress));
        assert!(!Completed.can_become(Cancelled));
        assert!(!Transferred.can_become(Planned));
    }

    #[test]
    fn a_refused_transition_says_what_is_allowed() {
        let m = Planned.transition(Completed).unwrap_err();
        assert!(m.zh.contains("已立项"), "{}", m.zh);
        assert!(Cancelled.transition(Planned).unwrap_err().zh.contains("终态"));
    }

    #[test]
    fn every_status_is_reachable_from_planned() {
        let mut seen = vec![Planned];
        let mut i = 0;
        while i < seen.len() {
            for n in seen[i].next() {
                if !seen.contains(n) {
                    seen.push(*n);
                }
            }
            i += 1;
        }
        assert_eq!(seen.len(), ProjectStatus::ALL.len());
    }

    #[test]
    fn the_project_machine_allows_exactly_these_transitions_and_staying_put() {
        let allowed = [
            (Planned, Approved),
            (Planned, Cancelled),
            (Approved, InProgress),
            (Approved, Suspended),
            (Approved, Cancelled),
            (InProgress, Completed),
            (InProgress, Suspended),
            (InProgress, Cancelled),
            (Suspended, InProgress),
            (Suspended, Cancelled),
            (Completed, Accepted),
            (Accepted, Transferred),
        ];
        for from in ProjectStatus::ALL {
            for to in ProjectStatus::ALL {
                let want = from == to || allowed.contains(&(*from, *to));
                assert_eq!(from.transition(*to).is_ok(), want, "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn only_transferred_and_cancelled_projects_have_no_next_step() {
        let terminal: Vec<ProjectStatus> = ProjectStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.next().is_empty())
            .collect();
        assert_eq!(terminal, [Transferred, Cancelled]);
        let m = Transferred.transition(Accepted).unwrap_err();
        assert_eq!(m.zh, "项目状态不能从“成果已转化”变为“已验收”，该状态为终态，不能再变更");
    }

    #[test]
    fn a_suspended_project_resumes_in_progress_and_not_back_to_approved() {
        assert_eq!(Approved.transition(Suspended).unwrap(), Suspended);
        assert_eq!(Suspended.transition(InProgress).unwrap(), InProgress);
        let m = Suspended.transition(Approved).unwrap_err();
        assert_eq!(m.zh, "项目状态不能从“暂停”变为“已立项”，只能变为：实施中、已取消");
    }

    #[test]
    fn a_transition_to_the_same_status_is_accepted_even_when_final() {
        for s in ProjectStatus::ALL {
            assert_eq!(s.transition(*s).unwrap(), *s);
        }
    }

    #[test]
    fn a_completed_project_can_only_go_on_to_acceptance() {
        assert_eq!(Completed.next(), [Accepted]);
        for to in [Cancelled, Suspended, InProgress] {
            assert!(
                Completed.transition(to).unwrap_err().zh.contains("只能变为：已验收"),
                "{to:?}"
            );
        }
    }

    #[test]
    fn an_unknown_project_status_code_is_refused_on_the_status_field() {
        let base = ProjectInput {
            title: Some("氟硅新材料联合研发".into()),
            kind: Some("research".into()),
            batch_year: Some("2026".into()),
            lead_unit_id: Some("5".into()),
            ..Default::default()
        };
        let bad = ProjectInput {
            status: Some("finished".into()),
            ..base.clone()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .get("status")
                .unwrap()
                .zh
                .contains("“finished”不是有效选项")
        );
        assert_eq!(base.validate().unwrap().status, None);
        let ok = ProjectInput {
            status: Some("suspended".into()),
            ..base
        };
        assert_eq!(ok.validate().unwrap().status, Some(Suspended));
    }

    fn ms(due: &str, done: Option<&str>) -> Milestone {
        Milestone {
            id: 1,
            project_id: 1,
            title: "中试".into(),
            due_on: due.parse().unwrap(),
            deliverable: None,
            done_on: done.map(|d| d.parse().unwrap()),
            evidence: None,
            archived: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn milestone_states_turn_at_their_boundaries() {
        let today: NaiveDate = "2026-02-28".parse().unwrap();
        assert_eq!(ms("2026-02-27", None).state(today), MilestoneState::Overdue);
        assert_eq!(ms("2026-02-28", None).state(today), MilestoneState::DueSoon);
        assert_eq!(ms("2026-03-15", None).state(today), MilestoneState::DueSoon);
        assert_eq!(ms("2026-03-16", None).state(today), MilestoneState::Pending);
        assert_eq!(ms("2026-01-01", Some("2026-01-02")).state(today), MilestoneState::Done);
    }

    #[test]
    fn a_project_with_lead_unit_also_as_co_unit_is_rejected() {
        let i = ProjectInput {
            title: Some("氟硅新材料联合研发".into()),
            kind: Some("research".into()),
            batch_year: Some("2026".into()),
            lead_unit_id: Some("5".into()),
            co_unit_ids: vec!["5".into(), "6".into()],
            contract_amount_wan: Some("200.5".into()),
            ..Default::default()
        };
        assert!(i.validate().unwrap_err().get("co_unit_ids").is_some());
    }
}
