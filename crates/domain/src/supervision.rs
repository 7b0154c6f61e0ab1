//! Supervision (督查): batches (年度合作项目清单) with their reporting cadence and periods, progress
//! reports (进度填报), and the red/yellow/green flags (亮灯) computed from the progress schedule and
//! the reports. The flag rules are written once here, shown on screen as the legend, and tested on
//! the dates around every boundary.

pub use crate::flag::Flag;
use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::project::{DUE_SOON_DAYS, Milestone, ProjectStatus};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    /// How often responsible units report.
    Cadence {
        Monthly = "monthly", "每月", "Monthly";
        Quarterly = "quarterly", "每季度", "Quarterly";
    }
);

code_enum!(
    BatchStatus {
        Draft = "draft", "编制中", "Being drawn up";
        Approved = "approved", "已审定", "Approved";
    }
);

/// One reporting period of a batch: a month or a quarter, and the day its report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub due: NaiveDate,
}

impl Period {
    /// `2026-03` for a month, `2026-Q1` for a quarter.
    pub fn label(&self, cadence: Cadence) -> String {
        match cadence {
            Cadence::Monthly => format!("{}-{:02}", self.start.year(), self.start.month()),
            Cadence::Quarterly => format!("{}-Q{}", self.start.year(), self.start.month().div_ceil(3)),
        }
    }

    /// The Chinese name people use: 2026年3月, 2026年第一季度.
    pub fn name(&self, cadence: Cadence) -> String {
        match cadence {
            Cadence::Monthly => format!("{}年{}月", self.start.year(), self.start.month()),
            Cadence::Quarterly => {
                let q = ["一", "二", "三", "四"][(self.start.month().div_ceil(3) - 1) as usize];
                format!("{}年第{q}季度", self.start.year())
            }
        }
    }
}

/// The periods of a batch year, January to December, each due on `due_day` of the following month.
pub fn periods(year: i32, cadence: Cadence, due_day: u32) -> Vec<Period> {
    let step = match cadence {
        Cadence::Monthly => 1,
        Cadence::Quarterly => 3,
    };
    let mut out = Vec::new();
    let mut start = NaiveDate::from_ymd_opt(year, 1, 1).expect("January 1st exists");
    while start.year() == year {
        let next = start + Months::new(step);
        let end = next.pred_opt().expect("a day before");
        // The due day is clamped to the month's length (due_day is at most 28 anyway).
        let due = next
            .with_day(due_day.clamp(1, 28))
            .expect("day 1..=28 exists in every month");
        out.push(Period { start, end, due });
        start = next;
    }
    out
}

/// Finds a period of the batch year by its label (`2026-03`, `2026-Q1`).
pub fn period_by_label(year: i32, cadence: Cadence, due_day: u32, label: &str) -> Option<Period> {
    periods(year, cadence, due_day)
        .into_iter()
        .find(|p| p.label(cadence) == label)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Batch {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub cadence: Cadence,
    /// Reports are due on this day of the month after each period (1–28).
    pub report_due_day: i32,
    pub status: BatchStatus,
    pub approved_at: Option<DateTime<Utc>>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Batch {
    pub fn periods(&self) -> Vec<Period> {
        periods(self.year, self.cadence, self.report_due_day as u32)
    }
}

/// What a form or a JSON body gives for a batch (年度合作项目清单).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BatchInput {
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i32>, minimum = 1990, maximum = 2100, example = 2026)]
    pub year: Option<String>,
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<Cadence>)]
    pub cadence: Option<String>,
    /// Reports are due on this day of the month after each period; 5 when not given.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 28, default = 5)]
    pub report_due_day: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BatchData {
    pub year: i32,
    pub title: String,
    pub cadence: Cadence,
    pub report_due_day: i32,
}

impl BatchInput {
    pub fn from_record(b: &Batch) -> Self {
        BatchInput {
            year: Some(b.year.to_string()),
            title: Some(b.title.clone()),
            cadence: Some(b.cadence.as_str().into()),
            report_due_day: Some(b.report_due_day.to_string()),
        }
    }

    pub fn validate(&self) -> Result<BatchData, FieldErrors> {
        let mut e = FieldErrors::new();
        let year = e.take("year", input::year(&self.year));
        let title = e.take("title", input::text(&self.title, 200));
        let cadence = e.take(
            "cadence",
            input::code(
                &self.cadence,
                Cadence::parse,
                Cadence::ALL,
                Cadence::label,
                Cadence::as_str,
            ),
        );
        let due = match opt_text(&self.report_due_day) {
            None => Some(5),
            Some(s) => e.take(
                "report_due_day",
                s.parse::<i32>().ok().filter(|d| (1..=28).contains(d)).ok_or_else(|| {
                    Msg::new(
                        "报送日应为 1–28 之间的整数",
                        "The report day must be a whole number from 1 to 28",
                    )
                }),
            ),
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(BatchData {
            year: year.expect("checked"),
            title: title.expect("checked"),
            cadence: cadence.expect("checked"),
            report_due_day: due.expect("checked"),
        })
    }
}

/// A progress report (one version of it) for a project and period, filed by one unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgressReport {
    pub id: i64,
    pub project_id: i64,
    /// `2026-03` or `2026-Q1`.
    pub period: String,
    /// The unit that filed it: the lead unit or a co-unit.
    pub organization_id: i64,
    /// 1 for the first filing; each amendment adds one. Earlier versions stay.
    pub version: i32,
    pub done_text: String,
    pub percent: i32,
    pub milestone_ids: Vec<i64>,
    pub problems_text: Option<String>,
    pub next_steps: Option<String>,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    /// Filed after its due date.
    pub late: bool,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<String>,
}

/// What a form or a JSON body gives for a progress report of one period.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReportInput {
    /// A period of the project's batch: `2026-03` for a month, `2026-Q1` for a quarter.
    #[schema(
        required,
        max_length = 20,
        pattern = r"^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$",
        example = "2026-03"
    )]
    pub period: Option<String>,
    /// The filing unit; defaults to the user's organisation, or the lead unit.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub organization_id: Option<String>,
    /// What was done in the period.
    #[schema(required, max_length = 10000)]
    pub done_text: Option<String>,
    /// Per cent complete, a whole number from 0 to 100 (`"60%"` is read as 60 too).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub percent: Option<String>,
    /// Milestones reached in this period.
    #[serde(deserialize_with = "de_list")]
    #[schema(value_type = Vec<i64>)]
    pub milestone_ids: Vec<String>,
    #[schema(max_length = 5000)]
    pub problems_text: Option<String>,
    #[schema(max_length = 5000)]
    pub next_steps: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    pub period: String,
    pub organization_id: Option<i64>,
    pub done_text: String,
    pub percent: i32,
    pub milestone_ids: Vec<i64>,
    pub problems_text: Option<String>,
    pub next_steps: Option<String>,
}

impl ReportInput {
    pub fn validate(&self) -> Result<ReportData, FieldErrors> {
        let mut e = FieldErrors::new();
        let period = e.take("period", input::text(&self.period, 20));
        let organization_id = e.take("organization_id", input::optional_id(&self.organization_id));
        let done_text = e.take("done_text", input::text(&self.done_text, 10000));
        let percent = e.take(
            "percent",
            opt_text(&self.percent)
                .ok_or_else(crate::error::required)
                .and_then(|s| {
                    s.trim_end_matches('%')
                        .parse::<i32>()
                        .ok()
                        .filter(|p| (0..=100).contains(p))
                        .ok_or_else(|| {
                            Msg::new(
                                "完成比例应为 0–100 之间的整数",
                                "Percent complete must be a whole number from 0 to 100",
                            )
                        })
                }),
        );
        let milestone_ids = e.take("milestone_ids", input::ids(&self.milestone_ids));
        let problems_text = e.take("problems_text", input::optional_text(&self.problems_text, 5000));
        let next_steps = e.take("next_steps", input::optional_text(&self.next_steps, 5000));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ReportData {
            period: period.expect("checked"),
            organization_id: organization_id.flatten(),
            done_text: done_text.expect("checked"),
            percent: percent.expect("checked"),
            milestone_ids: milestone_ids.expect("checked"),
            problems_text: problems_text.flatten(),
            next_steps: next_steps.flatten(),
        })
    }
}

/// A project's flag on `today`, with the reasons that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FlagState {
    pub flag: Flag,
    /// The reasons in Chinese (as the API gives them).
    pub reasons: Vec<String>,
    /// The same reasons in both languages, for the pages.
    #[serde(skip)]
    pub words: Vec<Msg>,
}

impl FlagState {
    /// The state of `flag` for these reasons (its Chinese reasons are the words' Chinese).
    pub fn of(flag: Flag, words: Vec<Msg>) -> Self {
        FlagState {
            flag,
            reasons: words.iter().map(|m| m.zh.clone()).collect(),
            words,
        }
    }
}

/// The rules, as shown on screen under every flag.
pub fn legend() -> [(Flag, Msg); 3] {
    [
        (
            Flag::Red,
            Msg::new(
                "红灯：有节点已逾期未完成，或连续两期未报送进度",
                "Red: a milestone is overdue, or two reports in a row are missing",
            ),
        ),
        (
            Flag::Yellow,
            Msg::new(
                format!("黄灯：有节点在 {DUE_SOON_DAYS} 天内到期尚未完成，或有一期未报送，或最近一期迟报"),
                format!(
                    "Yellow: a milestone is due within {DUE_SOON_DAYS} days and not reached, or a report is missing, or the last one was late"
                ),
            ),
        ),
        (Flag::Green, Msg::new("绿灯：按计划推进", "Green: on schedule")),
    ]
}

/// What the flag needs to know of one period: its name, its due date and when its report was first filed.
#[derive(Debug, Clone)]
pub struct PeriodReport {
    /// The period as people say it: 2026年3月, 2026年第一季度.
    pub name: String,
    pub due: NaiveDate,
    pub first_filed_on: Option<NaiveDate>,
}

/// Where one period's report stands on a day — the one definition of "on time" that the flags,
/// the bulletin's progress by unit and its flagged projects all use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not filed, and its due day has not passed (on the due day it is still on time).
    NotDue,
    /// Filed on or before its due day.
    OnTime,
    /// Filed after its due day. A late report still counts as filed: the period is no longer missing.
    Late,
    /// Not filed, and its due day has passed.
    Missing,
}

impl PeriodReport {
    pub fn standing(&self, today: NaiveDate) -> Standing {
        match self.first_filed_on {
            Some(d) if d <= self.due => Standing::OnTime,
            Some(_) => Standing::Late,
            None if self.due < today => Standing::Missing,
            None => Standing::NotDue,
        }
    }
}

/// Whether a project of this status is supervised (flagged) at all: only projects being carried out.
/// Completed, accepted, transferred, suspended, cancelled and planned ones carry no flag.
pub fn supervised(status: ProjectStatus) -> bool {
    matches!(status, ProjectStatus::Approved | ProjectStatus::InProgress)
}

/// Computes the flag of a project from its status, milestones and reports (periods in order).
/// Only projects being carried out (approved, in progress) are supervised; others have no flag (None).
pub fn flag(
    today: NaiveDate,
    status: ProjectStatus,
    milestones: &[Milestone],
    reports: &[PeriodReport],
) -> Option<FlagState> {
    if !supervised(status) {
        return None;
    }
    let mut red = Vec::new();
    let mut yellow = Vec::new();
    for m in milestones.iter().filter(|m| m.done_on.is_none() && !m.archived) {
        if m.due_on < today {
            red.push(Msg::new(
                format!("节点“{}”已于 {} 到期未完成", m.title, m.due_on),
                format!("Milestone “{}” was due on {} and is not reached", m.title, m.due_on),
            ));
        } else if (m.due_on - today).num_days() <= DUE_SOON_DAYS {
            yellow.push(Msg::new(
                format!("节点“{}”将于 {} 到期", m.title, m.due_on),
                format!("Milestone “{}” is due on {}", m.title, m.due_on),
            ));
        }
    }
    let (r, y) = report_reasons(today, reports);
    red.extend(r);
    yellow.extend(y);
    Some(flag_from(red, yellow))
}

/// The reports' part of the flag rules, for anything followed by periodic reports (projects,
/// secondments): the red reasons (two missing in a row) and the yellow ones (one or more missing,
/// or the last one late), periods in order.
pub fn report_reasons(today: NaiveDate, reports: &[PeriodReport]) -> (Vec<Msg>, Vec<Msg>) {
    let mut red = Vec::new();
    let mut yellow = Vec::new();
    let due: Vec<&PeriodReport> = reports
        .iter()
        .filter(|r| r.standing(today) != Standing::NotDue)
        .collect();
    let missing: Vec<&PeriodReport> = due
        .iter()
        .copied()
        .filter(|r| r.standing(today) == Standing::Missing)
        .collect();
    let names = |rs: &[&PeriodReport]| rs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join("、");
    if let Some(w) = due
        .windows(2)
        .find(|w| w.iter().all(|r| r.standing(today) == Standing::Missing))
    {
        red.push(Msg::new(
            format!("{}连续两期未报送进度", names(w)),
            format!("Two reports in a row are missing ({})", names(w)),
        ));
    } else if !missing.is_empty() {
        let n = missing.len();
        yellow.push(Msg::new(
            format!("有 {n} 期未报送进度（{}）", names(&missing)),
            if n == 1 {
                format!("1 report is missing ({})", names(&missing))
            } else {
                format!("{n} reports are missing ({})", names(&missing))
            },
        ));
    }
    if let Some(last) = due.last()
        && last.standing(today) == Standing::Late
        && let Some(filed) = last.first_filed_on
    {
        yellow.push(Msg::new(
            format!(
                "最近一期（{}）进度迟报（{filed} 报送，应于 {} 前）",
                last.name, last.due
            ),
            format!(
                "The last report ({}) was late (filed on {filed}, due by {})",
                last.name, last.due
            ),
        ));
    }
    (red, yellow)
}

/// The flag that red and yellow reasons give: red if any red one, yellow if any yellow one, else green.
pub fn flag_from(red: Vec<Msg>, yellow: Vec<Msg>) -> FlagState {
    if !red.is_empty() {
        FlagState::of(Flag::Red, red)
    } else if !yellow.is_empty() {
        FlagState::of(Flag::Yellow, yellow)
    } else {
        FlagState::of(Flag::Green, vec![])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ms(due: &str, done: Option<&str>) -> Milestone {
        Milestone {
            id: 1,
            project_id: 1,
            title: "中试".into(),
            due_on: d(due),
            deliverable: None,
            done_on: done.map(d),
            evidence: None,
            archived: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn rep(due: &str, filed: Option<&str>) -> PeriodReport {
        PeriodReport {
            name: format!("{due}期"),
            due: d(due),
            first_filed_on: filed.map(d),
        }
    }

    const RUNNING: ProjectStatus = ProjectStatus::InProgress;

    /// The flag of a supervised project.
    fn flagged(today: NaiveDate, status: ProjectStatus, m: &[Milestone], r: &[PeriodReport]) -> FlagState {
        flag(today, status, m, r).expect("a supervised project has a flag")
    }

    #[test]
    fn monthly_periods_are_due_on_the_day_of_the_next_month_and_december_rolls_into_january() {
        let p = periods(2026, Cadence::Monthly, 5);
        assert_eq!(p.len(), 12);
        assert_eq!(
            (p[0].start, p[0].end, p[0].due),
            (d("2026-01-01"), d("2026-01-31"), d("2026-02-05"))
        );
        assert_eq!(p[11].due, d("2027-01-05"));
        assert_eq!(p[2].label(Cadence::Monthly), "2026-03");
        assert_eq!(p[2].name(Cadence::Monthly), "2026年3月");
    }

    #[test]
    fn february_ends_on_the_29th_in_a_leap_year() {
        let p = periods(2024, Cadence::Monthly, 5);
        assert_eq!(p[1].end, d("2024-02-29"));
        assert_eq!(periods(2026, Cadence::Monthly, 5)[1].end, d("2026-02-28"));
    }

    #[test]
    fn quarters_end_with_their_third_month() {
        let p = periods(2026, Cadence::Quarterly, 10);
        assert_eq!(p.len(), 4);
        assert_eq!((p[0].end, p[0].due), (d("2026-03-31"), d("2026-04-10")));
        assert_eq!(p[3].label(Cadence::Quarterly), "2026-Q4");
        assert_eq!(p[3].name(Cadence::Quarterly), "2026年第四季度");
        assert_eq!(
            period_by_label(2026, Cadence::Quarterly, 10, "2026-Q2").unwrap().start,
            d("2026-04-01")
        );
    }

    #[test]
    fn a_milestone_due_today_is_yellow_and_due_yesterday_is_red() {
        let today = d("2026-03-31");
        assert_eq!(
            flagged(today, RUNNING, &[ms("2026-03-31", None)], &[]).flag,
            Flag::Yellow
        );
        assert_eq!(flagged(today, RUNNING, &[ms("2026-03-30", None)], &[]).flag, Flag::Red);
        assert_eq!(
            flagged(today, RUNNING, &[ms("2026-03-30", Some("2026-03-29"))], &[]).flag,
            Flag::Green
        );
    }

    #[test]
    fn a_milestone_is_yellow_from_fifteen_days_before_its_due_date() {
        let today = d("2026-02-28");
        assert_eq!(
            flagged(today, RUNNING, &[ms("2026-03-15", None)], &[]).flag,
            Flag::Yellow,
            "15 days ahead"
        );
        assert_eq!(
            flagged(today, RUNNING, &[ms("2026-03-16", None)], &[]).flag,
            Flag::Green,
            "16 days ahead"
        );
        // Across a leap day: 2024-02-14 + 15 days = 2024-02-29.
        assert_eq!(
            flagged(d("2024-02-14"), RUNNING, &[ms("2024-02-29", None)], &[]).flag,
            Flag::Yellow
        );
        assert_eq!(
            flagged(d("2024-02-14"), RUNNING, &[ms("2024-03-01", None)], &[]).flag,
            Flag::Green
        );
    }

    #[test]
    fn a_report_is_missing_only_after_its_due_day() {
        let reports = [rep("2026-03-05", None)];
        assert_eq!(
            flagged(d("2026-03-05"), RUNNING, &[], &reports).flag,
            Flag::Green,
            "due today: not yet missing"
        );
        let f = flagged(d("2026-03-06"), RUNNING, &[], &reports);
        assert_eq!(f.flag, Flag::Yellow);
        assert!(f.reasons[0].contains("1 期未报送"));
    }

    #[test]
    fn two_missing_reports_in_a_row_are_red_but_two_apart_are_yellow() {
        let today = d("2026-04-20");
        let in_a_row = [
            rep("2026-02-05", Some("2026-02-03")),
            rep("2026-03-05", None),
            rep("2026-04-05", None),
        ];
        assert_eq!(flagged(today, RUNNING, &[], &in_a_row).flag, Flag::Red);
        let apart = [
            rep("2026-02-05", None),
            rep("2026-03-05", Some("2026-03-01")),
            rep("2026-04-05", None),
        ];
        assert_eq!(flagged(today, RUNNING, &[], &apart).flag, Flag::Yellow);
    }

    #[test]
    fn the_reasons_name_the_periods_missed() {
        let today = d("2026-04-20");
        let in_a_row = [
            rep("2026-02-05", Some("2026-02-03")),
            rep("2026-03-05", None),
            rep("2026-04-05", None),
        ];
        let f = flagged(today, RUNNING, &[], &in_a_row);
        assert_eq!(f.reasons, ["2026-03-05期、2026-04-05期连续两期未报送进度"]);
        let one = [rep("2026-03-05", None), rep("2026-04-05", Some("2026-04-01"))];
        assert_eq!(
            flagged(today, RUNNING, &[], &one).reasons,
            ["有 1 期未报送进度（2026-03-05期）"]
        );
    }

    #[test]
    fn a_report_filed_late_for_a_missed_period_clears_that_miss() {
        let today = d("2026-04-20");
        let back_filed = [
            rep("2026-02-05", Some("2026-04-18")),
            rep("2026-03-05", Some("2026-04-18")),
            rep("2026-04-05", Some("2026-04-02")),
        ];
        let f = flagged(today, RUNNING, &[], &back_filed);
        assert_eq!((f.flag, f.reasons.len()), (Flag::Green, 0), "{:?}", f.reasons);
    }

    #[test]
    fn a_report_is_on_time_on_its_due_day_late_after_it_and_missing_only_once_the_day_has_passed() {
        let r = |filed: Option<&str>| rep("2026-03-05", filed);
        assert_eq!(r(Some("2026-03-05")).standing(d("2026-04-01")), Standing::OnTime);
        assert_eq!(r(Some("2026-03-06")).standing(d("2026-04-01")), Standing::Late);
        assert_eq!(r(None).standing(d("2026-03-05")), Standing::NotDue);
        assert_eq!(r(None).standing(d("2026-03-06")), Standing::Missing);
    }

    #[test]
    fn a_late_last_report_is_yellow_and_an_earlier_late_one_is_forgiven() {
        let today = d("2026-04-20");
        let late_last = [
            rep("2026-03-05", Some("2026-03-05")),
            rep("2026-04-05", Some("2026-04-06")),
        ];
        let f = flagged(today, RUNNING, &[], &late_last);
        assert_eq!(f.flag, Flag::Yellow);
        assert!(f.reasons[0].contains("迟报"));
        let late_earlier = [
            rep("2026-03-05", Some("2026-03-09")),
            rep("2026-04-05", Some("2026-04-05")),
        ];
        assert_eq!(flagged(today, RUNNING, &[], &late_earlier).flag, Flag::Green);
    }

    #[test]
    fn only_projects_being_carried_out_are_flagged_and_the_others_carry_no_flag_at_all() {
        let overdue = [ms("2026-01-01", None)];
        for done in [
            ProjectStatus::Completed,
            ProjectStatus::Accepted,
            ProjectStatus::Transferred,
            ProjectStatus::Cancelled,
            ProjectStatus::Suspended,
            ProjectStatus::Planned,
        ] {
            assert_eq!(flag(d("2026-06-01"), done, &overdue, &[]), None, "{done:?}");
        }
        assert_eq!(
            flagged(d("2026-06-01"), ProjectStatus::Approved, &overdue, &[]).flag,
            Flag::Red
        );
    }

    #[test]
    fn a_report_needs_its_text_and_a_percent_from_0_to_100() {
        let e = ReportInput {
            period: Some("2026-03".into()),
            percent: Some("120".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.get("done_text").is_some() && e.get("percent").unwrap().zh.contains("0–100"));
        let ok = ReportInput {
            period: Some("2026-03".into()),
            done_text: Some("完成中试线安装".into()),
            percent: Some("45%".into()),
            ..Default::default()
        };
        assert_eq!(ok.validate().unwrap().percent, 45);
    }

    fn report(percent: &str) -> ReportInput {
        ReportInput {
            period: Some("2026-03".into()),
            done_text: Some("完成中试线安装".into()),
            percent: Some(percent.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_percent_of_exactly_0_or_100_is_accepted_and_anything_else_is_refused() {
        assert_eq!(report("0").validate().unwrap().percent, 0);
        assert_eq!(report("100%").validate().unwrap().percent, 100);
        for bad in ["-1", "101", "50.5", "五十"] {
            let e = report(bad).validate().unwrap_err();
            assert!(e.get("percent").unwrap().zh.contains("0–100"), "{bad}");
        }
        let e = report("  ").validate().unwrap_err();
        assert_eq!(e.get("percent").unwrap().zh, "此项为必填项");
    }

    #[test]
    fn a_report_without_a_period_or_with_an_overlong_one_is_refused() {
        let none = ReportInput {
            period: None,
            ..report("45")
        };
        assert_eq!(none.validate().unwrap_err().get("period").unwrap().zh, "此项为必填项");
        let long = ReportInput {
            period: Some("2026-03".repeat(3)),
            ..report("45")
        };
        assert!(long.validate().unwrap_err().get("period").unwrap().zh.contains("20"));
    }

    #[test]
    fn a_malformed_or_foreign_period_label_finds_no_period_of_the_batch() {
        for label in ["2026-3", "2026-13", "2026-00", "2025-03", "2026-Q1", "2026/03", ""] {
            assert_eq!(
                period_by_label(2026, Cadence::Monthly, 5, label),
                None,
                "monthly {label:?}"
            );
        }
        for label in ["2026-Q0", "2026-Q5", "2026-q1", "2026-03", "2027-Q1"] {
            assert_eq!(
                period_by_label(2026, Cadence::Quarterly, 5, label),
                None,
                "quarterly {label:?}"
            );
        }
        let dec = period_by_label(2026, Cadence::Monthly, 5, "2026-12").unwrap();
        assert_eq!((dec.start, dec.due), (d("2026-12-01"), d("2027-01-05")));
    }

    #[test]
    fn milestones_reached_are_read_from_a_list_or_comma_separated_text_without_duplicates() {
        let json = |ids: &str| {
            let body = format!(r#"{{"period":"2026-03","done_text":"完成","percent":45,"milestone_ids":{ids}}}"#);
            serde_json::from_str::<ReportInput>(&body).unwrap().validate()
        };
        assert_eq!(json("[3, \"4\", 3]").unwrap().milestone_ids, [3, 4]);
        assert_eq!(json("\"3, 4,3\"").unwrap().milestone_ids, [3, 4]);
        assert_eq!(json("7").unwrap().milestone_ids, [7]);
        assert!(json("[]").unwrap().milestone_ids.is_empty());
    }

    #[test]
    fn a_milestone_id_that_is_not_a_positive_number_is_refused_with_its_value() {
        for bad in ["0", "中试", "-2"] {
            let i = ReportInput {
                milestone_ids: vec!["3".into(), bad.into()],
                ..report("45")
            };
            let e = i.validate().unwrap_err();
            assert_eq!(e.get("milestone_ids").unwrap().zh, format!("编号“{bad}”无效"));
        }
    }

    #[test]
    fn blank_problems_and_next_steps_are_left_out_of_the_report() {
        let i = ReportInput {
            problems_text: Some("  ".into()),
            next_steps: Some("开展中试".into()),
            ..report("45")
        };
        let r = i.validate().unwrap();
        assert_eq!((r.problems_text, r.next_steps), (None, Some("开展中试".to_string())));
    }

    #[test]
    fn a_report_due_day_must_be_1_to_28_and_defaults_to_the_5th() {
        let b = |day: Option<&str>| BatchInput {
            year: Some("2026".into()),
            title: Some("2026 年度市校合作项目清单".into()),
            cadence: Some("monthly".into()),
            report_due_day: day.map(Into::into),
        };
        assert_eq!(b(None).validate().unwrap().report_due_day, 5);
        assert_eq!(b(Some("28")).validate().unwrap().report_due_day, 28);
        for bad in ["0", "29", "31", "五"] {
            let e = b(Some(bad)).validate().unwrap_err();
            assert!(e.get("report_due_day").unwrap().zh.contains("1–28"), "{bad}");
        }
    }
}
