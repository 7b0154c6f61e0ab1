//! Enterprises' technical demands (技术需求 / 技术难题): posted by an enterprise, entered by
//! transfer-centre staff after a visit, or imported by a coordinator; reviewed in stages
//! (screen → assess → accepted, or returned with a reason), then matched and turned into projects.
//! Green-channel demands (绿色通道) must be screened within a number of working days.
//!
//! One file for the demand's whole life (input, review stages, workflow steps, green-channel
//! working days, deadlines); over a third of it is the state machines' tests.

use crate::input::{self, de_opt_string, opt_text};
use crate::{FieldErrors, Money, Msg, code_enum, codes};
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

code_enum!(
    /// draft → submitted → assessing → accepted (or returned with a reason) → matching → matched →
    /// project; closed at any point before (also when merged into a duplicate).
    DemandStatus {
        Draft = "draft", "草稿", "Draft";
        Submitted = "submitted", "已提交待初筛", "Submitted";
        Assessing = "assessing", "评审中", "Under assessment";
        Accepted = "accepted", "已受理", "Accepted";
        Returned = "returned", "已退回", "Returned";
        Matching = "matching", "对接中", "Matching";
        Matched = "matched", "已匹配", "Matched";
        Project = "project", "已立项", "Became a project";
        Closed = "closed", "已关闭", "Closed";
    }
);

code_enum!(
    /// 合作方式 wanted.
    CooperationMode {
        Development = "development", "技术开发", "Technology development";
        Transfer = "transfer", "技术转让", "Technology transfer";
        License = "license", "技术许可", "Technology licence";
        Consulting = "consulting", "技术咨询", "Consulting";
        Service = "service", "技术服务", "Technical service";
        Platform = "platform", "共建平台", "Joint platform";
    }
);

code_enum!(
    /// How the demand reached the platform.
    DemandSource {
        Posted = "posted", "企业发布", "Posted by the enterprise";
        Visit = "visit", "走访征集", "Collected on a visit";
        Import = "import", "批量导入", "Imported";
    }
);

code_enum!(
    ReviewStage {
        Screen = "screen", "初筛", "Screening";
        Assess = "assess", "评审", "Assessment";
    }
);

code_enum!(
    ReviewDecision {
        Pass = "pass", "通过", "Pass";
        Return = "return", "退回", "Return";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Demand {
    pub id: i64,
    pub title: String,
    /// The public summary: what every user who may see the demand reads.
    pub summary: String,
    /// Confidential details: only the enterprise, the office and experts who accepted a match see them.
    /// Absent from the answer when the caller may not see them.
    pub details: Option<String>,
    pub enterprise_id: i64,
    pub campaign_id: Option<i64>,
    /// GB/T 4754 industry code.
    pub industry: Option<String>,
    /// 技术领域.
    pub field: Option<String>,
    #[schema(value_type = Option<String>, example = "50.00")]
    pub budget_min_wan: Option<Money>,
    #[schema(value_type = Option<String>, example = "200.00")]
    pub budget_max_wan: Option<Money>,
    pub mode: CooperationMode,
    pub deadline: Option<NaiveDate>,
    pub source: DemandSource,
    /// Who collected it on a visit, and when.
    pub collected_by: Option<String>,
    pub collected_on: Option<NaiveDate>,
    pub green_channel: bool,
    /// The enterprise agreed that its name is shown beside the public summary on the public portal
    /// (once the demand is accepted); without it the portal shows no name.
    pub public_name: bool,
    pub status: DemandStatus,
    /// Why it was returned or closed.
    pub reason: Option<String>,
    /// The demand this one was merged into as a duplicate.
    pub merged_into_id: Option<i64>,
    pub project_id: Option<i64>,
    pub submitted_on: Option<NaiveDate>,
    /// When screening decided (the green channel's clock stops here).
    pub screened_on: Option<NaiveDate>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a demand.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DemandInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    /// The public summary: what every user who may see the demand reads.
    #[schema(required, max_length = 20000)]
    pub summary: Option<String>,
    /// Confidential details: only the enterprise, the office and experts who accepted a match see them.
    #[schema(max_length = 50000)]
    pub details: Option<String>,
    /// The enterprise (an organisation id).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub enterprise_id: Option<String>,
    /// The campaign it was collected in.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub campaign_id: Option<String>,
    /// GB/T 4754 section (`C`) or division (`C26`, or `26`).
    #[schema(pattern = r"^([A-Ta-t]|[A-Ta-t]?[0-9]{2})$", example = "C26")]
    pub industry: Option<String>,
    /// 技术领域.
    #[schema(max_length = 200)]
    pub field: Option<String>,
    /// The budget's lower bound in 万元 as a decimal string, kept exact: a non-negative number with at
    /// most six decimals (commas allowed). A JSON number is accepted too, but a string keeps it exact.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "50")]
    pub budget_min_wan: Option<String>,
    /// The budget's upper bound in 万元 as a decimal string, kept exact, not below the lower bound.
    /// A JSON number is accepted too, but a string keeps it exact.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "200.5")]
    pub budget_max_wan: Option<String>,
    /// 合作方式; `development` when not given (the Chinese name, e.g. 技术开发, is accepted too).
    #[schema(value_type = Option<CooperationMode>, default = "development")]
    pub mode: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<String>,
    /// How it reached the platform; `posted` when not given.
    #[schema(value_type = Option<DemandSource>, default = "posted")]
    pub source: Option<String>,
    /// Who collected it; required when `source` is `visit`.
    #[schema(max_length = 100)]
    pub collected_by: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub collected_on: Option<String>,
    /// 绿色通道: screened within three working days of submission.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>, default = false)]
    pub green_channel: Option<String>,
    /// `true` (or the form's `on`): the enterprise agrees that its name is shown on the public
    /// portal beside the accepted demand's public summary.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>, default = false)]
    pub public_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemandData {
    pub title: String,
    pub summary: String,
    pub details: Option<String>,
    pub enterprise_id: i64,
    pub campaign_id: Option<i64>,
    pub industry: Option<String>,
    pub field: Option<String>,
    pub budget_min: Option<Money>,
    pub budget_max: Option<Money>,
    pub mode: CooperationMode,
    pub deadline: Option<NaiveDate>,
    pub source: DemandSource,
    pub collected_by: Option<String>,
    pub collected_on: Option<NaiveDate>,
    pub green_channel: bool,
    pub public_name: bool,
}

/// A yes/no field as forms and spreadsheets write it.
pub fn flag(v: &Option<String>) -> Result<bool, Msg> {
    match opt_text(v) {
        None => Ok(false),
        Some(s) => match s.to_lowercase().as_str() {
            "true" | "1" | "on" | "yes" | "y" | "是" | "√" => Ok(true),
            "false" | "0" | "off" | "no" | "n" | "否" => Ok(false),
            _ => Err(Msg::new(
                format!("“{s}”应为“是”或“否”"),
                format!("“{s}” should be yes or no"),
            )),
        },
    }
}

fn money(v: &Option<String>) -> Result<Option<Money>, Msg> {
    opt_text(v).map(Money::parse_wan).transpose()
}

impl DemandInput {
    pub fn from_record(d: &Demand) -> Self {
        DemandInput {
            title: Some(d.title.clone()),
            summary: Some(d.summary.clone()),
            details: d.details.clone(),
            enterprise_id: Some(d.enterprise_id.to_string()),
            campaign_id: d.campaign_id.map(|c| c.to_string()),
            industry: d.industry.clone(),
            field: d.field.clone(),
            budget_min_wan: d.budget_min_wan.map(Money::wan),
            budget_max_wan: d.budget_max_wan.map(Money::wan),
            mode: Some(d.mode.as_str().into()),
            deadline: d.deadline.map(|x| x.to_string()),
            source: Some(d.source.as_str().into()),
            collected_by: d.collected_by.clone(),
            collected_on: d.collected_on.map(|x| x.to_string()),
            green_channel: Some(d.green_channel.to_string()),
            public_name: Some(d.public_name.to_string()),
        }
    }

    pub fn validate(&self) -> Result<DemandData, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let summary = e.take("summary", input::text(&self.summary, 20_000));
        let details = e.take("details", input::optional_text(&self.details, 50_000));
        let enterprise_id = e.take("enterprise_id", input::id(&self.enterprise_id));
        let campaign_id = e.take("campaign_id", input::optional_id(&self.campaign_id));
        let industry = e.take(
            "industry",
            opt_text(&self.industry).map(codes::parse_industry).transpose(),
        );
        let field = e.take("field", input::optional_text(&self.field, 200));
        let budget_min = e.take("budget_min_wan", money(&self.budget_min_wan));
        let budget_max = e.take("budget_max_wan", money(&self.budget_max_wan));
        if let (Some(Some(lo)), Some(Some(hi))) = (budget_min, budget_max)
            && hi < lo
        {
            e.add(
                "budget_max_wan",
                Msg::new(
                    "预算上限不能低于下限",
                    "The budget's upper bound is below its lower bound",
                ),
            );
        }
        let mode = match opt_text(&self.mode) {
            None => Some(CooperationMode::Development),
            Some(_) => e.take(
                "mode",
                input::code(
                    &self.mode,
                    CooperationMode::parse_any,
                    CooperationMode::ALL,
                    CooperationMode::label,
                    CooperationMode::as_str,
                ),
            ),
        };
        let deadline = e.take("deadline", input::optional_date(&self.deadline));
        let source = match opt_text(&self.source) {
            None => Some(DemandSource::Posted),
            Some(_) => e.take(
                "source",
                input::code(
                    &self.source,
                    DemandSource::parse,
                    DemandSource::ALL,
                    DemandSource::label,
                    DemandSource::as_str,
                ),
            ),
        };
        let collected_by = e.take("collected_by", input::optional_text(&self.collected_by, 100));
        let collected_on = e.take("collected_on", input::optional_date(&self.collected_on));
        if source == Some(DemandSource::Visit) && collected_by == Some(None) {
            e.add(
                "collected_by",
                Msg::new("走访征集的需求须写明征集人", "Say who collected a demand on a visit"),
            );
        }
        let green_channel = e.take("green_channel", flag(&self.green_channel));
        let public_name = e.take("public_name", flag(&self.public_name));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(DemandData {
            title: title.expect("checked"),
            summary: summary.expect("checked"),
            details: details.flatten(),
            enterprise_id: enterprise_id.expect("checked"),
            campaign_id: campaign_id.flatten(),
            industry: industry.flatten(),
            field: field.flatten(),
            budget_min: budget_min.flatten(),
            budget_max: budget_max.flatten(),
            mode: mode.expect("checked"),
            deadline: deadline.flatten(),
            source: source.expect("checked"),
            collected_by: collected_by.flatten(),
            collected_on: collected_on.flatten(),
            green_channel: green_channel.unwrap_or(false),
            public_name: public_name.unwrap_or(false),
        })
    }
}

impl CooperationMode {
    /// The code or the Chinese label (spreadsheets are filled in Chinese).
    pub fn parse_any(s: &str) -> Option<Self> {
        Self::parse(s).or_else(|| Self::ALL.iter().copied().find(|m| m.label().zh == s.trim()))
    }
}

/// A step of the demand workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandStep {
    Submit,
    Review(ReviewStage, ReviewDecision),
    StartMatching,
    MarkMatched,
    BecomeProject,
    Close,
}

impl DemandStatus {
    /// Whether the enterprise (or whoever entered it) may still edit the demand's text.
    pub fn editable(self) -> bool {
        matches!(
            self,
            DemandStatus::Draft | DemandStatus::Returned | DemandStatus::Submitted
        )
    }
    pub fn is_open(self) -> bool {
        !matches!(self, DemandStatus::Project | DemandStatus::Closed)
    }
    /// Whether experts and results may be matched to a demand in this status: once accepted, until
    /// it becomes a project or is closed. These are the "open demands" an expert's page lists.
    pub fn matchable(self) -> bool {
        matches!(
            self,
            DemandStatus::Accepted | DemandStatus::Matching | DemandStatus::Matched
        )
    }
    /// The review stage a demand in this status waits for: screening once submitted, assessment
    /// once screened; none otherwise.
    pub fn awaiting_review(self) -> Option<ReviewStage> {
        match self {
            DemandStatus::Submitted => Some(ReviewStage::Screen),
            DemandStatus::Assessing => Some(ReviewStage::Assess),
            _ => None,
        }
    }
}

/// A reviewer's decision as the step it is at the stage the demand waits for, or why no review is due.
pub fn review_step(from: DemandStatus, decision: ReviewDecision) -> Result<DemandStep, Msg> {
    match from.awaiting_review() {
        Some(stage) => Ok(DemandStep::Review(stage, decision)),
        None => Err(Msg::new(
            format!("处于“{}”状态的需求无需审核", from.label().zh),
            format!("A demand with status “{}” is not waiting for review", from.label().en),
        )),
    }
}

/// Where `step` takes a demand in `from`, or why it cannot.
pub fn step(from: DemandStatus, step: DemandStep) -> Result<DemandStatus, Msg> {
    use DemandStatus::*;
    use ReviewDecision::*;
    use ReviewStage::*;
    let to = match (from, step) {
        (Draft | Returned, DemandStep::Submit) => Some(Submitted),
        (Submitted, DemandStep::Review(Screen, Pass)) => Some(Assessing),
        (Assessing, DemandStep::Review(Assess, Pass)) => Some(Accepted),
        (Submitted, DemandStep::Review(Screen, Return)) | (Assessing, DemandStep::Review(Assess, Return)) => {
            Some(Returned)
        }
        (Accepted, DemandStep::StartMatching) => Some(Matching),
        (Accepted | Matching, DemandStep::MarkMatched) => Some(Matched),
        (Matched, DemandStep::BecomeProject) => Some(Project),
        (s, DemandStep::Close) if s.is_open() => Some(Closed),
        _ => None,
    };
    to.ok_or_else(|| {
        let what = match step {
            DemandStep::Submit => Msg::new("提交", "submitted"),
            DemandStep::Review(s, _) => Msg::new(s.label().zh, s.label().en.to_lowercase()),
            DemandStep::StartMatching => Msg::new("开始对接", "put to matching"),
            DemandStep::MarkMatched => Msg::new("标记为已匹配", "marked matched"),
            DemandStep::BecomeProject => Msg::new("转为项目", "turned into a project"),
            DemandStep::Close => Msg::new("关闭", "closed"),
        };
        Msg::new(
            format!("处于“{}”状态的需求不能{}", from.label().zh, what.zh),
            format!("A demand with status “{}” cannot be {}", from.label().en, what.en),
        )
    })
}

/// Why a new demand's deadline is refused: it has passed already (a deadline of 2020-01-01 typed
/// for 2026 is a slip; an existing demand keeps its deadline, shown overdue once it passes).
pub fn new_deadline_check(deadline: Option<NaiveDate>, today: NaiveDate) -> Result<(), Msg> {
    match deadline {
        Some(d) if d < today => Err(Msg::new(
            format!("截止日期 {d} 已过（今天是 {today}），新需求的截止日期不能早于今天"),
            format!("The deadline {d} has passed (today is {today}); a new demand's deadline cannot be before today"),
        )),
        _ => Ok(()),
    }
}

/// The reason a return or a close must carry.
pub fn reason(v: &Option<String>) -> Result<String, Msg> {
    opt_text(v)
        .map(|s| s.chars().take(2000).collect())
        .ok_or_else(|| Msg::new("退回或关闭时须写明理由", "Give the reason for returning or closing"))
}

/// Working days the green channel allows for screening.
pub const GREEN_CHANNEL_WORKING_DAYS: u32 = 3;

/// The date `n` working days (Monday–Friday) after `from`. Public holidays are not modelled.
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().expect("in range");
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// The green channel's timer for a demand: when screening is due, and whether it was (or is) late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ServiceLevel {
    pub due_on: NaiveDate,
    pub breached: bool,
}

impl Demand {
    /// Whether the demand's deadline passed while it still waits for a partner: before it is
    /// matched, turned into a project or closed.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.is_waiting() && self.deadline.is_some_and(|d| d < today)
    }

    fn is_waiting(&self) -> bool {
        self.status.is_open() && self.status != DemandStatus::Matched
    }

    pub fn service_level(&self, today: NaiveDate) -> Option<ServiceLevel> {
        if !self.green_channel {
            return None;
        }
        let due_on = add_working_days(self.submitted_on?, GREEN_CHANNEL_WORKING_DAYS);
        let decided = self.screened_on.unwrap_or(today);
        Some(ServiceLevel {
            due_on,
            breached: decided > due_on,
        })
    }
}

/// One reviewer's decision at one stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemandReview {
    pub id: i64,
    pub demand_id: i64,
    pub stage: ReviewStage,
    pub decision: ReviewDecision,
    pub comment: Option<String>,
    pub reviewer: String,
    pub created_at: DateTime<Utc>,
}

/// A reviewer's decision as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReviewInput {
    #[schema(required, value_type = Option<ReviewDecision>)]
    pub decision: Option<String>,
    /// Why; required when `decision` is `return`.
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

impl ReviewInput {
    pub fn validate(&self) -> Result<(ReviewDecision, Option<String>), FieldErrors> {
        let mut e = FieldErrors::new();
        let decision = e.take(
            "decision",
            input::code(
                &self.decision,
                ReviewDecision::parse,
                ReviewDecision::ALL,
                ReviewDecision::label,
                ReviewDecision::as_str,
            ),
        );
        let comment = e.take("comment", input::optional_text(&self.comment, 2000));
        if decision == Some(ReviewDecision::Return) && comment == Some(None) {
            e.add("comment", Msg::new("退回时须写明理由", "Give the reason for returning"));
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok((decision.expect("checked"), comment.flatten()))
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DemandFilter {
    pub q: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub enterprise_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub campaign_id: Option<String>,
    pub status: Option<String>,
    pub industry: Option<String>,
    /// `true` for green-channel demands only.
    #[serde(deserialize_with = "de_opt_string")]
    pub green_channel: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_review_goes_screen_then_assess_and_a_return_can_be_resubmitted() {
        use DemandStatus::*;
        let s = step(Draft, DemandStep::Submit).unwrap();
        assert_eq!(s, Submitted);
        assert!(step(s, DemandStep::Review(ReviewStage::Assess, ReviewDecision::Pass)).is_err());
        let s = step(s, DemandStep::Review(ReviewStage::Screen, ReviewDecision::Pass)).unwrap();
        let r = step(s, DemandStep::Review(ReviewStage::Assess, ReviewDecision::Return)).unwrap();
        assert_eq!(r, Returned);
        assert_eq!(step(r, DemandStep::Submit).unwrap(), Submitted);
        let e = step(Project, DemandStep::Close).unwrap_err();
        assert!(e.zh.contains("已立项"), "{}", e.zh);
    }

    #[test]
    fn the_green_channel_counts_working_days_only() {
        // Friday 2026-11-27 + 3 working days = Wednesday 2026-12-02.
        assert_eq!(add_working_days(d("2026-11-27"), 3), d("2026-12-02"));
        let mut x = Demand {
            id: 1,
            title: "t".into(),
            summary: "s".into(),
            details: None,
            enterprise_id: 1,
            public_name: false,
            campaign_id: None,
            industry: None,
            field: None,
            budget_min_wan: None,
            budget_max_wan: None,
            mode: CooperationMode::Development,
            deadline: None,
            source: DemandSource::Posted,
            collected_by: None,
            collected_on: None,
            green_channel: true,
            status: DemandStatus::Submitted,
            reason: None,
            merged_into_id: None,
            project_id: None,
            submitted_on: Some(d("2026-11-27")),
            screened_on: None,
            archived: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert!(!x.service_level(d("2026-12-02")).unwrap().breached);
        assert!(x.service_level(d("2026-12-03")).unwrap().breached);
        x.screened_on = Some(d("2026-12-01"));
        assert!(!x.service_level(d("2026-12-20")).unwrap().breached);
        x.green_channel = false;
        assert!(x.service_level(d("2026-12-20")).is_none());
    }

    #[test]
    fn a_deadline_already_past_is_refused_for_a_new_demand_and_today_is_fine() {
        let e = new_deadline_check(Some(d("2020-01-01")), d("2026-06-15")).unwrap_err();
        assert!(e.zh.contains("2020-01-01") && e.zh.contains("已过"), "{}", e.zh);
        assert!(new_deadline_check(Some(d("2026-06-15")), d("2026-06-15")).is_ok());
        assert!(new_deadline_check(None, d("2026-06-15")).is_ok());
    }

    #[test]
    fn a_demand_is_overdue_once_its_deadline_passed_until_it_is_matched_or_closed() {
        let mut x = Demand {
            id: 1,
            title: "t".into(),
            summary: "s".into(),
            details: None,
            enterprise_id: 1,
            public_name: false,
            campaign_id: None,
            industry: None,
            field: None,
            budget_min_wan: None,
            budget_max_wan: None,
            mode: CooperationMode::Development,
            deadline: Some(d("2026-06-14")),
            source: DemandSource::Posted,
            collected_by: None,
            collected_on: None,
            green_channel: false,
            status: DemandStatus::Matching,
            reason: None,
            merged_into_id: None,
            project_id: None,
            submitted_on: None,
            screened_on: None,
            archived: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert!(x.overdue(d("2026-06-15")));
        assert!(!x.overdue(d("2026-06-14")), "due today is not overdue yet");
        for done in [DemandStatus::Matched, DemandStatus::Project, DemandStatus::Closed] {
            x.status = done;
            assert!(!x.overdue(d("2026-06-15")), "{done:?}");
        }
        x.status = DemandStatus::Draft;
        x.deadline = None;
        assert!(!x.overdue(d("2026-06-15")));
    }

    #[test]
    fn a_visit_names_its_collector_and_a_return_its_reason() {
        let i = DemandInput {
            title: Some("废水除氟工艺".into()),
            summary: Some("含氟废水处理成本高".into()),
            enterprise_id: Some("3".into()),
            source: Some("visit".into()),
            mode: Some("技术开发".into()),
            budget_min_wan: Some("100".into()),
            budget_max_wan: Some("50".into()),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        assert!(e.get("collected_by").is_some());
        assert!(e.get("budget_max_wan").is_some());
        assert!(e.get("mode").is_none());
        let r = ReviewInput {
            decision: Some("return".into()),
            comment: None,
        };
        assert!(r.validate().unwrap_err().get("comment").is_some());
    }

    /// Every step of the workflow: both review stages with both decisions, and the plain steps.
    fn all_steps() -> Vec<DemandStep> {
        let mut v = vec![DemandStep::Submit];
        for stage in ReviewStage::ALL {
            for decision in ReviewDecision::ALL {
                v.push(DemandStep::Review(*stage, *decision));
            }
        }
        v.extend([
            DemandStep::StartMatching,
            DemandStep::MarkMatched,
            DemandStep::BecomeProject,
            DemandStep::Close,
        ]);
        v
    }

    #[test]
    fn the_workflow_allows_exactly_these_steps_and_refuses_every_other() {
        use DemandStatus::*;
        use ReviewDecision::{Pass, Return};
        use ReviewStage::{Assess, Screen};
        let allowed = [
            (Draft, DemandStep::Submit, Submitted),
            (Draft, DemandStep::Close, Closed),
            (Submitted, DemandStep::Review(Screen, Pass), Assessing),
            (Submitted, DemandStep::Review(Screen, Return), Returned),
            (Submitted, DemandStep::Close, Closed),
            (Assessing, DemandStep::Review(Assess, Pass), Accepted),
            (Assessing, DemandStep::Review(Assess, Return), Returned),
            (Assessing, DemandStep::Close, Closed),
            (Accepted, DemandStep::StartMatching, Matching),
            (Accepted, DemandStep::MarkMatched, Matched),
            (Accepted, DemandStep::Close, Closed),
            (Returned, DemandStep::Submit, Submitted),
            (Returned, DemandStep::Close, Closed),
            (Matching, DemandStep::MarkMatched, Matched),
            (Matching, DemandStep::Close, Closed),
            (Matched, DemandStep::BecomeProject, Project),
            (Matched, DemandStep::Close, Closed),
        ];
        let steps = all_steps();
        assert_eq!(steps.len(), 9);
        for from in DemandStatus::ALL {
            for s in &steps {
                let want = allowed
                    .iter()
                    .find(|(f, st, _)| f == from && st == s)
                    .map(|(_, _, to)| *to);
                assert_eq!(step(*from, *s).ok(), want, "{from:?} + {s:?}");
            }
        }
    }

    #[test]
    fn a_returned_demand_can_be_resubmitted_but_not_reviewed() {
        use DemandStatus::*;
        assert_eq!(step(Returned, DemandStep::Submit).unwrap(), Submitted);
        let e = step(Returned, DemandStep::Review(ReviewStage::Screen, ReviewDecision::Pass)).unwrap_err();
        assert_eq!(e.zh, "处于“已退回”状态的需求不能初筛");
        assert!(review_step(Returned, ReviewDecision::Pass).is_err());
    }

    #[test]
    fn a_refused_step_reads_as_a_sentence_in_english_too() {
        let m = step(DemandStatus::Project, DemandStep::Close).unwrap_err();
        let status = DemandStatus::Project.label().en;
        assert_eq!(m.en, format!("A demand with status “{status}” cannot be closed"));
        let m = review_step(DemandStatus::Project, ReviewDecision::Pass).unwrap_err();
        assert_eq!(
            m.en,
            format!("A demand with status “{status}” is not waiting for review")
        );
    }

    #[test]
    fn a_refused_step_names_the_status_and_the_step_in_chinese() {
        use DemandStatus::*;
        let cases = [
            (Closed, DemandStep::Submit, "处于“已关闭”状态的需求不能提交"),
            (
                Draft,
                DemandStep::Review(ReviewStage::Assess, ReviewDecision::Pass),
                "处于“草稿”状态的需求不能评审",
            ),
            (
                Submitted,
                DemandStep::StartMatching,
                "处于“已提交待初筛”状态的需求不能开始对接",
            ),
            (
                Matched,
                DemandStep::MarkMatched,
                "处于“已匹配”状态的需求不能标记为已匹配",
            ),
            (
                Matching,
                DemandStep::BecomeProject,
                "处于“对接中”状态的需求不能转为项目",
            ),
            (Project, DemandStep::Close, "处于“已立项”状态的需求不能关闭"),
        ];
        for (from, s, zh) in cases {
            assert_eq!(step(from, s).unwrap_err().zh, zh);
        }
    }

    #[test]
    fn a_review_at_the_wrong_stage_is_refused() {
        use DemandStatus::*;
        use ReviewDecision::{Pass, Return};
        assert!(step(Submitted, DemandStep::Review(ReviewStage::Assess, Pass)).is_err());
        assert!(step(Submitted, DemandStep::Review(ReviewStage::Assess, Return)).is_err());
        assert!(step(Assessing, DemandStep::Review(ReviewStage::Screen, Pass)).is_err());
        assert!(step(Assessing, DemandStep::Review(ReviewStage::Screen, Return)).is_err());
    }

    #[test]
    fn a_demand_can_be_closed_from_every_open_status_but_never_from_project_or_closed() {
        use DemandStatus::*;
        let open: Vec<DemandStatus> = DemandStatus::ALL.iter().copied().filter(|s| s.is_open()).collect();
        assert_eq!(
            open,
            [Draft, Submitted, Assessing, Accepted, Returned, Matching, Matched]
        );
        for s in open {
            assert_eq!(step(s, DemandStep::Close).unwrap(), Closed, "{s:?}");
        }
        assert!(step(Project, DemandStep::Close).unwrap_err().zh.contains("已立项"));
        assert!(step(Closed, DemandStep::Close).unwrap_err().zh.contains("已关闭"));
    }

    #[test]
    fn a_demand_that_became_a_project_or_was_closed_takes_no_step_at_all() {
        for from in [DemandStatus::Project, DemandStatus::Closed] {
            for s in all_steps() {
                assert!(step(from, s).is_err(), "{from:?} + {s:?}");
            }
        }
    }

    #[test]
    fn review_step_screens_a_submitted_demand_and_assesses_one_under_assessment() {
        use ReviewDecision::{Pass, Return};
        assert_eq!(
            review_step(DemandStatus::Submitted, Pass).unwrap(),
            DemandStep::Review(ReviewStage::Screen, Pass)
        );
        assert_eq!(
            review_step(DemandStatus::Submitted, Return).unwrap(),
            DemandStep::Review(ReviewStage::Screen, Return)
        );
        assert_eq!(
            review_step(DemandStatus::Assessing, Pass).unwrap(),
            DemandStep::Review(ReviewStage::Assess, Pass)
        );
        assert_eq!(
            review_step(DemandStatus::Assessing, Return).unwrap(),
            DemandStep::Review(ReviewStage::Assess, Return)
        );
    }

    #[test]
    fn two_passed_reviews_take_a_submitted_demand_to_accepted() {
        let mut s = DemandStatus::Submitted;
        for want in [DemandStatus::Assessing, DemandStatus::Accepted] {
            s = step(s, review_step(s, ReviewDecision::Pass).unwrap()).unwrap();
            assert_eq!(s, want);
        }
        assert!(review_step(s, ReviewDecision::Pass).is_err());
    }

    #[test]
    fn a_demand_not_waiting_for_review_is_refused_with_its_status_named() {
        use DemandStatus::*;
        for from in DemandStatus::ALL
            .iter()
            .copied()
            .filter(|s| !matches!(s, Submitted | Assessing))
        {
            assert_eq!(from.awaiting_review(), None, "{from:?}");
            let e = review_step(from, ReviewDecision::Return).unwrap_err();
            assert_eq!(e.zh, format!("处于“{}”状态的需求无需审核", from.label().zh));
        }
        assert!(
            review_step(Accepted, ReviewDecision::Pass)
                .unwrap_err()
                .zh
                .contains("已受理")
        );
    }

    #[test]
    fn only_draft_submitted_and_returned_demands_are_editable() {
        use DemandStatus::*;
        let editable: Vec<DemandStatus> = DemandStatus::ALL.iter().copied().filter(|s| s.editable()).collect();
        assert_eq!(editable, [Draft, Submitted, Returned]);
    }

    #[test]
    fn a_return_or_a_close_needs_a_reason_kept_to_2000_characters() {
        assert!(reason(&None).unwrap_err().zh.contains("理由"));
        assert!(reason(&Some("   ".into())).is_err());
        assert_eq!(reason(&Some(" 重复需求 ".into())).unwrap(), "重复需求");
        assert_eq!(reason(&Some("氟".repeat(2500))).unwrap().chars().count(), 2000);
    }
}
