//! The records of Hezuo and their rules: validated newtypes (`parse() -> Result`), the project
//! state machine, the shipped code tables (GB/T 2260 divisions, GB/T 4754 industries) and the
//! bilingual messages that validation produces. No I/O; imports nothing of ours.

pub mod access;
pub mod agreement;
pub mod annual_review;
pub mod attachment;
pub mod bulletin;
pub mod campaign;
pub mod chief_expert;
pub mod closed_loop;
pub mod codes;
pub mod demand;
pub mod error;
pub mod event;
pub mod expert_work;
pub mod flag;
pub mod group;
pub mod input;
pub mod list;
pub mod matching;
pub mod message;
pub mod money;
pub mod notice;
pub mod notification;
pub mod organization;
pub mod outcome;
pub mod person;
pub mod platform;
pub mod problem;
pub mod project;
pub mod project_import;
pub mod public;
pub mod registration;
pub mod reminder;
pub mod research_result;
pub mod scorecard;
pub mod search;
pub mod secondment;
pub mod statistics;
pub mod supervision;
pub mod training;
pub mod webhook;

pub use error::{FieldErrors, Msg};
pub use list::{Counted, ListParams, Page, TotalKind};
pub use money::Money;

/// Every record kind, as named in URLs (`/api/v1/{plural}`) and in attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Organization,
    Person,
    Agreement,
    Project,
    Milestone,
    Attachment,
    /// A user account (its creation and password resets are audited too).
    User,
    Batch,
    ProgressReport,
    Problem,
    Bulletin,
    /// A solicitation campaign (征集活动).
    Campaign,
    /// An enterprise's technical demand (技术需求 / 技术难题).
    Demand,
    /// A research result of the university (科技成果), URL `/results`.
    ResearchResult,
    /// A paper or patent on an expert's profile.
    ExpertWork,
    /// A demand paired with an expert or a result (匹配).
    Match,
    /// An innovation platform built together (共建平台).
    Platform,
    /// A platform's evaluation for one year (its file is attached to it).
    PlatformEvaluation,
    /// An entry of the outcomes ledger (成果台账).
    Outcome,
    /// A coordination body (领导小组, 协调委员会, 专门工作小组, a partnership's team); table `coordination_group`.
    Group,
    /// A secondment (挂职), either way between the university and the city.
    Secondment,
    /// A secondee's periodic report.
    SecondmentReport,
    /// A chief expert's appointment (首席专家) to a place or an industry chain.
    ChiefExpert,
    /// An entry of a chief expert's service log (visits, trainings given, problems solved …).
    ServiceLog,
    /// A training class, lecture or forum, or student practice (培训班, 大讲坛, 三下乡).
    Training,
    /// A meeting or event: the work conference, a consultation, a visit, a group's meeting.
    Event,
    /// A decision taken at an event (议定事项), followed to done.
    Decision,
    /// The year's review for the work conference (工作会议回顾); its id is the year.
    AnnualReview,
    /// A message on a demand's or a match's thread (沟通消息).
    Message,
    /// An organisation's DingTalk robot or JSON webhook (issue 18).
    Webhook,
    /// An enterprise's self-registration (企业自助注册), until decided and after.
    Registration,
    /// A notice or news item the office publishes on the public portal (通知公告).
    Notice,
}

impl RecordKind {
    pub const ALL: [RecordKind; 32] = [
        Self::Organization,
        Self::Person,
        Self::Agreement,
        Self::Project,
        Self::Milestone,
        Self::Attachment,
        Self::User,
        Self::Batch,
        Self::ProgressReport,
        Self::Problem,
        Self::Bulletin,
        Self::Campaign,
        Self::Demand,
        Self::ResearchResult,
        Self::ExpertWork,
        Self::Match,
        Self::Platform,
        Self::PlatformEvaluation,
        Self::Outcome,
        Self::Group,
        Self::Secondment,
        Self::SecondmentReport,
        Self::ChiefExpert,
        Self::ServiceLog,
        Self::Training,
        Self::Event,
        Self::Decision,
        Self::AnnualReview,
        Self::Message,
        Self::Webhook,
        Self::Registration,
        Self::Notice,
    ];
    /// The kinds a file may be attached to.
    pub const ATTACHABLE: [RecordKind; 23] = [
        Self::Organization,
        Self::Person,
        Self::Agreement,
        Self::Project,
        Self::Milestone,
        Self::Problem,
        Self::Campaign,
        Self::Demand,
        Self::ResearchResult,
        Self::ExpertWork,
        Self::Platform,
        Self::PlatformEvaluation,
        Self::Outcome,
        Self::Group,
        Self::Secondment,
        Self::SecondmentReport,
        Self::ChiefExpert,
        Self::ServiceLog,
        Self::Training,
        Self::Event,
        Self::Decision,
        Self::Message,
        Self::Notice,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Person => "person",
            Self::Agreement => "agreement",
            Self::Project => "project",
            Self::Milestone => "milestone",
            Self::Attachment => "attachment",
            Self::User => "user",
            Self::Batch => "batch",
            Self::ProgressReport => "progress_report",
            Self::Problem => "problem",
            Self::Bulletin => "bulletin",
            Self::Campaign => "campaign",
            Self::Demand => "demand",
            Self::ResearchResult => "research_result",
            Self::ExpertWork => "expert_work",
            Self::Match => "match",
            Self::Platform => "platform",
            Self::PlatformEvaluation => "platform_evaluation",
            Self::Outcome => "outcome",
            Self::Group => "group",
            Self::Secondment => "secondment",
            Self::SecondmentReport => "secondment_report",
            Self::ChiefExpert => "chief_expert",
            Self::ServiceLog => "service_log",
            Self::Training => "training",
            Self::Event => "event",
            Self::Decision => "decision",
            Self::AnnualReview => "annual_review",
            Self::Message => "message",
            Self::Webhook => "webhook",
            Self::Registration => "registration",
            Self::Notice => "notice",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// The table its rows live in.
    pub fn table(self) -> &'static str {
        match self {
            Self::User => "user_account",
            Self::Match => "demand_match",
            // `group` is an SQL keyword.
            Self::Group => "coordination_group",
            other => other.as_str(),
        }
    }
    pub fn plural(self) -> &'static str {
        match self {
            Self::Organization => "organizations",
            Self::Person => "people",
            Self::Agreement => "agreements",
            Self::Project => "projects",
            Self::Milestone => "milestones",
            Self::Attachment => "attachments",
            Self::User => "users",
            Self::Batch => "batches",
            Self::ProgressReport => "reports",
            Self::Problem => "problems",
            Self::Bulletin => "bulletins",
            Self::Campaign => "campaigns",
            Self::Demand => "demands",
            Self::ResearchResult => "results",
            Self::ExpertWork => "works",
            Self::Match => "matches",
            Self::Platform => "platforms",
            Self::PlatformEvaluation => "evaluations",
            Self::Outcome => "outcomes",
            Self::Group => "groups",
            Self::Secondment => "secondments",
            Self::SecondmentReport => "secondment-reports",
            Self::ChiefExpert => "chief-experts",
            Self::ServiceLog => "service-log",
            Self::Training => "trainings",
            Self::Event => "events",
            Self::Decision => "decisions",
            // Its page is `/annual-review/{year}`, and its id is the year.
            Self::AnnualReview => "annual-review",
            Self::Message => "messages",
            Self::Webhook => "webhooks",
            Self::Registration => "registrations",
            Self::Notice => "notices",
        }
    }
    pub fn label(self) -> Msg {
        match self {
            Self::Organization => Msg::new("单位", "Organization"),
            Self::Person => Msg::new("人员", "Person"),
            Self::Agreement => Msg::new("合作协议", "Agreement"),
            Self::Project => Msg::new("合作项目", "Project"),
            Self::Milestone => Msg::new("进度节点", "Milestone"),
            Self::Attachment => Msg::new("附件", "Attachment"),
            Self::User => Msg::new("用户", "User"),
            Self::Batch => Msg::new("年度项目清单", "Batch"),
            Self::ProgressReport => Msg::new("进度填报", "Progress report"),
            Self::Problem => Msg::new("问题协调", "Problem"),
            Self::Bulletin => Msg::new("督查通报", "Bulletin"),
            Self::Campaign => Msg::new("征集活动", "Campaign"),
            Self::Demand => Msg::new("技术需求", "Demand"),
            Self::ResearchResult => Msg::new("科技成果", "Research result"),
            Self::ExpertWork => Msg::new("论文专利", "Paper or patent"),
            Self::Match => Msg::new("匹配对接", "Match"),
            Self::Platform => Msg::new("共建平台", "Platform"),
            Self::PlatformEvaluation => Msg::new("平台年度考核", "Platform evaluation"),
            Self::Outcome => Msg::new("成果台账", "Outcome"),
            Self::Group => Msg::new("协调机构", "Coordination body"),
            Self::Secondment => Msg::new("挂职交流", "Secondment"),
            Self::SecondmentReport => Msg::new("挂职报告", "Secondment report"),
            Self::ChiefExpert => Msg::new("首席专家", "Chief expert"),
            Self::ServiceLog => Msg::new("服务记录", "Service log entry"),
            Self::Training => Msg::new("培训实践", "Training"),
            Self::Event => Msg::new("会议活动", "Event"),
            Self::Decision => Msg::new("议定事项", "Decision"),
            Self::AnnualReview => Msg::new("年度回顾", "Annual review"),
            Self::Message => Msg::new("沟通消息", "Message"),
            Self::Webhook => Msg::new("消息推送", "Webhook"),
            Self::Registration => Msg::new("企业注册", "Enterprise registration"),
            Self::Notice => Msg::new("通知公告", "Notice"),
        }
    }
}

/// Declares a closed set of codes stored as text, each with a Chinese and an English label.
/// One declaration gives `as_str`, `parse`, `ALL`, `label` and serde/OpenAPI as the snake_case code.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code,)+ } }
            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($code => Some($name::$variant),)+ _ => None }
            }
            pub fn label(self) -> $crate::Msg {
                match self { $($name::$variant => $crate::Msg::new($zh, $en),)+ }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

/// Where "today" comes from: the system clock in China Standard Time (UTC+8, no daylight saving),
/// or a fixed date set by a test or by `HEZUO_TODAY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(chrono::NaiveDate),
}

impl Clock {
    pub fn today(&self) -> chrono::NaiveDate {
        match self {
            Clock::System => (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive(),
            Clock::Fixed(d) => *d,
        }
    }
}
