//! Secondments (挂职) both ways — university staff and PhDs to county or city posts and to the
//! technology-transfer centre, local cadres to the university: who, from and to which
//! organisation, the post, the term, the work plan, periodic reports and the end-of-term appraisal.
//!
//! A serving secondee reports once a period (a month or a quarter, as the secondment says); the
//! periods, "on time / late / missing" and the red/yellow rules are supervision's own
//! ([`crate::supervision::periods`], [`PeriodReport`], [`crate::supervision::report_reasons`]), so a
//! secondee whose report is missing shows yellow and two missing in a row red, exactly as a project.

use crate::input::{self, de_opt_string, opt_text};
use crate::supervision::{Cadence, FlagState, Period, PeriodReport, flag_from, periods, report_reasons};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    /// Which way the secondee goes.
    Direction {
        ToLocal = "to_local", "高校→地方", "University to city";
        ToUniversity = "to_university", "地方→高校", "City to university";
    }
);

code_enum!(
    SecondmentStatus {
        Planned = "planned", "拟派", "Planned";
        Serving = "serving", "在岗", "Serving";
        EndedEarly = "ended_early", "提前结束", "Ended early";
        Completed = "completed", "期满结束", "Completed";
    }
);

code_enum!(
    /// 考核等次 of the end-of-term appraisal.
    AppraisalGrade {
        Excellent = "excellent", "优秀", "Excellent";
        Competent = "competent", "称职", "Competent";
        BasicallyCompetent = "basically_competent", "基本称职", "Basically competent";
        Incompetent = "incompetent", "不称职", "Not competent";
    }
);

impl SecondmentStatus {
    /// The allowed steps: planned → serving → ended early or completed. Nothing comes back.
    pub fn may_become(self, to: SecondmentStatus) -> bool {
        use SecondmentStatus::*;
        matches!(
            (self, to),
            (Planned, Serving) | (Serving, EndedEarly) | (Serving, Completed)
        )
    }

    /// The steps open from this status, in order.
    pub fn next(self) -> Vec<SecondmentStatus> {
        SecondmentStatus::ALL
            .iter()
            .copied()
            .filter(|to| self.may_become(*to))
            .collect()
    }

    /// Whether the term is over (an appraisal may be given).
    pub fn ended(self) -> bool {
        matches!(self, SecondmentStatus::EndedEarly | SecondmentStatus::Completed)
    }
}

/// The longest term accepted, in years.
pub const MAX_TERM_YEARS: i32 = 5;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Secondment {
    pub id: i64,
    /// The secondee.
    pub person_id: i64,
    pub person_name: String,
    pub direction: Direction,
    /// Where the secondee comes from (派出单位).
    pub from_organization_id: i64,
    /// Where they serve (挂职单位).
    pub to_organization_id: i64,
    /// The post held (挂职岗位), e.g. 科技局副局长.
    pub post: String,
    pub start_on: NaiveDate,
    /// The planned end of the term.
    pub end_on: NaiveDate,
    pub status: SecondmentStatus,
    /// The day it ended early or was completed.
    pub ended_on: Option<NaiveDate>,
    /// How often the secondee reports.
    pub cadence: Cadence,
    /// Reports are due on this day of the month after each period (1–28).
    pub report_due_day: i32,
    pub work_plan: Option<String>,
    pub appraisal_grade: Option<AppraisalGrade>,
    pub appraisal_comment: Option<String>,
    /// The appraisal's evidence: one of the secondment's attachments.
    pub appraisal_evidence_id: Option<i64>,
    pub appraised_on: Option<NaiveDate>,
    pub appraised_by: Option<String>,
    pub note: Option<String>,
    /// 亮灯 on today's date from the reports; none unless serving.
    pub flag: Option<crate::flag::Flag>,
    /// Why the flag is not green.
    pub flag_reasons: Vec<String>,
    #[serde(skip)]
    pub flag_words: Vec<Msg>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Secondment {
    /// "王建国 · 江山市科技局副局长".
    pub fn title(&self) -> String {
        format!("{} · {}", self.person_name, self.post)
    }

    /// The last day the secondee owes reports for: the day it ended, or the planned end.
    pub fn last_day(&self) -> NaiveDate {
        self.ended_on.unwrap_or(self.end_on)
    }

    /// The reporting periods of the term (each overlapping it), in order.
    pub fn periods(&self) -> Vec<Period> {
        term_periods(self.start_on, self.last_day(), self.cadence, self.report_due_day as u32)
    }

    /// Whether it was serving on some day of `year` (planned ones count from their start too).
    pub fn in_year(&self, year: i32) -> bool {
        self.start_on.year() <= year && self.last_day().year() >= year
    }
}

/// The periods (months or quarters) that overlap the term `start..=last`, in order.
pub fn term_periods(start: NaiveDate, last: NaiveDate, cadence: Cadence, due_day: u32) -> Vec<Period> {
    if last < start {
        return vec![];
    }
    (start.year()..=last.year())
        .flat_map(|y| periods(y, cadence, due_day))
        .filter(|p| p.end >= start && p.start <= last)
        .collect()
}

/// Each period of the term with its label (`2026-Q1`) and the day its report was first filed
/// (`first_filed` by label): what the flag, the periods table and the reminders all read.
pub fn period_reports(s: &Secondment, first_filed: impl Fn(&str) -> Option<NaiveDate>) -> Vec<(String, PeriodReport)> {
    s.periods()
        .into_iter()
        .map(|p| {
            let label = p.label(s.cadence);
            let first_filed_on = first_filed(&label);
            (
                label,
                PeriodReport {
                    name: p.name(s.cadence),
                    due: p.due,
                    first_filed_on,
                },
            )
        })
        .collect()
}

/// The flag of a secondment: only a serving one is followed; its reports decide it as a project's do.
pub fn flag(today: NaiveDate, status: SecondmentStatus, reports: &[PeriodReport]) -> Option<FlagState> {
    if status != SecondmentStatus::Serving {
        return None;
    }
    let (red, yellow) = report_reasons(today, reports);
    Some(flag_from(red, yellow))
}

/// What a form or a JSON body gives for a secondment.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SecondmentInput {
    /// The secondee.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub person_id: Option<String>,
    /// `to_local` (高校→地方) or `to_university` (地方→高校); when not given, from where the
    /// secondee comes: a university's organisation sends to the city.
    #[schema(value_type = Option<Direction>)]
    pub direction: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub from_organization_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub to_organization_id: Option<String>,
    #[schema(required, max_length = 200, example = "江山市科技局副局长")]
    pub post: Option<String>,
    #[schema(required, value_type = Option<String>, format = Date)]
    pub start_on: Option<String>,
    /// After the start, at most five years on.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub end_on: Option<String>,
    /// `monthly` or `quarterly` (the default).
    #[schema(value_type = Option<Cadence>)]
    pub cadence: Option<String>,
    /// Reports are due on this day of the month after each period; 10 when not given.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 28, default = 10)]
    pub report_due_day: Option<String>,
    #[schema(max_length = 10000)]
    pub work_plan: Option<String>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecondmentData {
    pub person_id: i64,
    pub direction: Option<Direction>,
    pub from_organization_id: i64,
    pub to_organization_id: i64,
    pub post: String,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub cadence: Cadence,
    pub report_due_day: i32,
    pub work_plan: Option<String>,
    pub note: Option<String>,
}

impl SecondmentInput {
    pub fn from_record(s: &Secondment) -> Self {
        SecondmentInput {
            person_id: Some(s.person_id.to_string()),
            direction: Some(s.direction.as_str().into()),
            from_organization_id: Some(s.from_organization_id.to_string()),
            to_organization_id: Some(s.to_organization_id.to_string()),
            post: Some(s.post.clone()),
            start_on: Some(s.start_on.to_string()),
            end_on: Some(s.end_on.to_string()),
            cadence: Some(s.cadence.as_str().into()),
            report_due_day: Some(s.report_due_day.to_string()),
            work_plan: s.work_plan.clone(),
            note: s.note.clone(),
        }
    }

    pub fn validate(&self) -> Result<SecondmentData, FieldErrors> {
        let mut e = FieldErrors::new();
        let person_id = e.take("person_id", input::id(&self.person_id));
        let direction = match opt_text(&self.direction) {
            None => None,
            Some(_) => e.take(
                "direction",
                input::code(
                    &self.direction,
                    Direction::parse,
                    Direction::ALL,
                    Direction::label,
                    Direction::as_str,
                ),
            ),
        };
        let from = e.take("from_organization_id", input::id(&self.from_organization_id));
        let to = e.take("to_organization_id", input::id(&self.to_organization_id));
        let post = e.take("post", input::text(&self.post, 200));
        let start_on = e.take("start_on", input::date(&self.start_on));
        let end_on = e.take("end_on", input::date(&self.end_on));
        let cadence = match opt_text(&self.cadence) {
            None => Some(Cadence::Quarterly),
            Some(_) => e.take(
                "cadence",
                input::code(
                    &self.cadence,
                    Cadence::parse,
                    Cadence::ALL,
                    Cadence::label,
                    Cadence::as_str,
                ),
            ),
        };
        let due = match opt_text(&self.report_due_day) {
            None => Some(10),
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
        let work_plan = e.take("work_plan", input::optional_text(&self.work_plan, 10000));
        let note = e.take("note", input::optional_text(&self.note, 2000));
        if let (Some(f), Some(t)) = (from, to)
            && f == t
        {
            e.add(
                "to_organization_id",
                Msg::new(
                    "挂职单位不能与派出单位相同",
                    "The host organisation cannot be the one that sends",
                ),
            );
        }
        if let (Some(s), Some(end)) = (start_on, end_on) {
            if end <= s {
                e.add(
                    "end_on",
                    Msg::new(
                        format!("结束日期应晚于开始日期（{s}）"),
                        format!("The end must come after the start ({s})"),
                    ),
                );
            } else if end > s.with_year(s.year() + MAX_TERM_YEARS).unwrap_or(s) {
                e.add(
                    "end_on",
                    Msg::new(
                        format!("挂职期限不能超过 {MAX_TERM_YEARS} 年"),
                        format!("A term cannot be longer than {MAX_TERM_YEARS} years"),
                    ),
                );
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(SecondmentData {
            person_id: person_id.expect("checked"),
            direction,
            from_organization_id: from.expect("checked"),
            to_organization_id: to.expect("checked"),
            post: post.expect("checked"),
            start_on: start_on.expect("checked"),
            end_on: end_on.expect("checked"),
            cadence: cadence.expect("checked"),
            report_due_day: due.expect("checked"),
            work_plan: work_plan.flatten(),
            note: note.flatten(),
        })
    }
}

/// A status step: the new status and, for an end, the day it ended (today when not given).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StatusInput {
    #[schema(required, value_type = Option<SecondmentStatus>)]
    pub status: Option<String>,
    /// Ended early or completed on this day; not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<String>,
}

impl StatusInput {
    pub fn validate(&self) -> Result<(SecondmentStatus, Option<NaiveDate>), FieldErrors> {
        let mut e = FieldErrors::new();
        let status = e.take(
            "status",
            input::code(
                &self.status,
                SecondmentStatus::parse,
                SecondmentStatus::ALL,
                SecondmentStatus::label,
                SecondmentStatus::as_str,
            ),
        );
        let on = e.take("ended_on", input::optional_date(&self.ended_on));
        e.into_result(())?;
        Ok((status.expect("checked"), on.flatten()))
    }
}

/// A secondee's report (one version of it) for one period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SecondmentReport {
    pub id: i64,
    pub secondment_id: i64,
    /// `2026-03` or `2026-Q1`.
    pub period: String,
    /// 1 for the first filing; each amendment adds one. Earlier versions stay.
    pub version: i32,
    pub work_done: String,
    pub problems_text: Option<String>,
    pub next_steps: Option<String>,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    /// Its period's first filing came after the due day.
    pub late: bool,
}

/// What a form or a JSON body gives for a secondee's report.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SecondmentReportInput {
    /// A period of the term: `2026-03` for a month, `2026-Q1` for a quarter.
    #[schema(
        required,
        max_length = 20,
        pattern = r"^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$",
        example = "2026-Q1"
    )]
    pub period: Option<String>,
    /// What was done in the period.
    #[schema(required, max_length = 10000)]
    pub work_done: Option<String>,
    #[schema(max_length = 5000)]
    pub problems_text: Option<String>,
    #[schema(max_length = 5000)]
    pub next_steps: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecondmentReportData {
    pub period: String,
    pub work_done: String,
    pub problems_text: Option<String>,
    pub next_steps: Option<String>,
}

impl SecondmentReportInput {
    pub fn validate(&self) -> Result<SecondmentReportData, FieldErrors> {
        let mut e = FieldErrors::new();
        let period = e.take("period", input::text(&self.period, 20));
        let work_done = e.take("work_done", input::text(&self.work_done, 10000));
        let problems_text = e.take("problems_text", input::optional_text(&self.problems_text, 5000));
        let next_steps = e.take("next_steps", input::optional_text(&self.next_steps, 5000));
        e.into_result(())?;
        Ok(SecondmentReportData {
            period: period.expect("checked"),
            work_done: work_done.expect("checked"),
            problems_text: problems_text.flatten(),
            next_steps: next_steps.flatten(),
        })
    }
}

/// The end-of-term appraisal: the grade, a comment, and the evidence (an attachment of the secondment).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AppraisalInput {
    #[schema(required, value_type = Option<AppraisalGrade>)]
    pub grade: Option<String>,
    #[schema(required, max_length = 5000)]
    pub comment: Option<String>,
    /// One of the secondment's attachments (upload it first).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub evidence_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppraisalData {
    pub grade: AppraisalGrade,
    pub comment: String,
    pub evidence_id: Option<i64>,
}

impl AppraisalInput {
    pub fn validate(&self) -> Result<AppraisalData, FieldErrors> {
        let mut e = FieldErrors::new();
        let grade = e.take(
            "grade",
            input::code(
                &self.grade,
                AppraisalGrade::parse,
                AppraisalGrade::ALL,
                AppraisalGrade::label,
                AppraisalGrade::as_str,
            ),
        );
        let comment = e.take("comment", input::text(&self.comment, 5000));
        let evidence_id = e.take("evidence_id", input::optional_id(&self.evidence_id));
        e.into_result(())?;
        Ok(AppraisalData {
            grade: grade.expect("checked"),
            comment: comment.expect("checked"),
            evidence_id: evidence_id.flatten(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SecondmentFilter {
    /// Words in the secondee's name or the post.
    pub q: Option<String>,
    /// `to_local` or `to_university`.
    pub direction: Option<String>,
    /// The division code of the organisation sent from or served at: a county (330881), or a
    /// city (330800) for all of its counties.
    pub county: Option<String>,
    /// Serving (or planned to serve) on some day of this year.
    #[serde(deserialize_with = "de_opt_string")]
    pub year: Option<String>,
    pub status: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub person_id: Option<String>,
    /// Sent from or serving at this organisation or one under it.
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    /// `red`, `yellow` or `green`: serving secondments with that flag today.
    pub flag: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flag::Flag;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input() -> SecondmentInput {
        SecondmentInput {
            person_id: Some("3".into()),
            from_organization_id: Some("1".into()),
            to_organization_id: Some("2".into()),
            post: Some("江山市科技局副局长".into()),
            start_on: Some("2026-01-10".into()),
            end_on: Some("2027-01-09".into()),
            ..Default::default()
        }
    }

    fn rep(due: &str, filed: Option<&str>) -> PeriodReport {
        PeriodReport {
            name: format!("{due}期"),
            due: d(due),
            first_filed_on: filed.map(d),
        }
    }

    #[test]
    fn the_steps_go_planned_serving_then_ended_early_or_completed_and_never_back() {
        use SecondmentStatus::*;
        for from in SecondmentStatus::ALL {
            for to in SecondmentStatus::ALL {
                let allowed = matches!(
                    (from, to),
                    (Planned, Serving) | (Serving, EndedEarly) | (Serving, Completed)
                );
                assert_eq!(from.may_become(*to), allowed, "{from:?} → {to:?}");
            }
        }
        assert_eq!(Serving.next(), vec![EndedEarly, Completed]);
        assert!(Completed.next().is_empty());
    }

    #[test]
    fn one_missing_report_is_yellow_two_in_a_row_red_and_only_a_serving_secondment_is_flagged() {
        let one = [rep("2026-04-10", Some("2026-04-08")), rep("2026-07-10", None)];
        let f = flag(d("2026-07-11"), SecondmentStatus::Serving, &one).unwrap();
        assert_eq!(f.flag, Flag::Yellow);
        assert!(f.reasons[0].contains("1 期未报送"), "{:?}", f.reasons);
        let two = [rep("2026-04-10", None), rep("2026-07-10", None)];
        assert_eq!(
            flag(d("2026-07-11"), SecondmentStatus::Serving, &two).unwrap().flag,
            Flag::Red
        );
        assert_eq!(
            flag(d("2026-07-10"), SecondmentStatus::Serving, &two).unwrap().flag,
            Flag::Yellow,
            "the second is due today: not missing yet"
        );
        for s in [
            SecondmentStatus::Planned,
            SecondmentStatus::EndedEarly,
            SecondmentStatus::Completed,
        ] {
            assert_eq!(flag(d("2026-07-11"), s, &two), None, "{s:?}");
        }
    }

    #[test]
    fn the_periods_are_those_overlapping_the_term_across_a_new_year() {
        let p = term_periods(d("2026-11-20"), d("2027-02-10"), Cadence::Quarterly, 10);
        let labels: Vec<String> = p.iter().map(|x| x.label(Cadence::Quarterly)).collect();
        assert_eq!(labels, ["2026-Q4", "2027-Q1"]);
        assert_eq!(p[0].due, d("2027-01-10"));
        let m = term_periods(d("2026-01-31"), d("2026-03-01"), Cadence::Monthly, 5);
        assert_eq!(m.len(), 3);
        assert!(term_periods(d("2026-03-01"), d("2026-02-01"), Cadence::Monthly, 5).is_empty());
    }

    #[test]
    fn an_end_before_the_start_or_a_term_over_five_years_is_refused_naming_end_on() {
        let mut i = input();
        i.end_on = Some("2026-01-10".into());
        let e = i.validate().unwrap_err();
        assert!(e.get("end_on").unwrap().zh.contains("晚于开始日期"));
        i.end_on = Some("2031-01-11".into());
        assert!(i.validate().unwrap_err().get("end_on").unwrap().zh.contains("5 年"));
        i.end_on = Some("2031-01-10".into());
        assert!(i.validate().is_ok());
        i.start_on = Some("2026/1/10".into());
        assert!(
            i.validate()
                .unwrap_err()
                .get("start_on")
                .unwrap()
                .zh
                .contains("YYYY-MM-DD")
        );
    }

    #[test]
    fn a_secondee_cannot_be_sent_to_the_organisation_they_come_from() {
        let mut i = input();
        i.to_organization_id = Some("1".into());
        assert!(i.validate().unwrap_err().get("to_organization_id").is_some());
    }

    #[test]
    fn reports_are_quarterly_and_due_on_the_10th_unless_said_otherwise() {
        let d = input().validate().unwrap();
        assert_eq!(
            (d.cadence, d.report_due_day, d.direction),
            (Cadence::Quarterly, 10, None)
        );
        let mut i = input();
        i.cadence = Some("weekly".into());
        i.report_due_day = Some("30".into());
        i.direction = Some("sideways".into());
        let e = i.validate().unwrap_err();
        for f in ["cadence", "report_due_day", "direction"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn an_appraisal_needs_a_grade_of_the_four_and_a_comment() {
        let e = AppraisalInput::default().validate().unwrap_err();
        assert!(e.get("grade").is_some() && e.get("comment").is_some());
        let ok = AppraisalInput {
            grade: Some("basically_competent".into()),
            comment: Some("完成挂职任务".into()),
            evidence_id: Some("7".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.grade.label().zh, "基本称职");
        assert_eq!(ok.evidence_id, Some(7));
        assert_eq!(
            AppraisalGrade::ALL.iter().map(|g| g.label().zh).collect::<Vec<_>>(),
            ["优秀", "称职", "基本称职", "不称职"]
        );
    }

    #[test]
    fn a_report_needs_its_period_and_what_was_done() {
        let e = SecondmentReportInput::default().validate().unwrap_err();
        assert!(e.get("period").is_some() && e.get("work_done").is_some());
    }
}
