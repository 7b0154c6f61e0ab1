//! The annual review (工作会议回顾): what the year's conference is shown of the cooperation — the
//! year's figures beside last year's, projects by kind and county, money, outcomes and local
//! transfers, platforms, secondments and trainings, meetings and decisions, the best and the
//! slowest units, the open problems, and the new year's list for the conference to approve.
//! The store assembles it from the records; the report crate lays it out as a document.
//!
//! One review per year, keyed by the year. Its prose (title, opening, next year's work) is the
//! office's to edit while it is a draft; issuing freezes the content with its SHA-256, like a
//! bulletin, and an issued review never changes (no second issue: a correction is a new document
//! outside the platform).

use crate::bulletin::{OpenProblem, UnitProgress};
use crate::input::{self};
use crate::{FieldErrors, Money, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    AnnualReviewStatus {
        Draft = "draft", "草稿", "Draft";
        Issued = "issued", "已印发", "Issued";
    }
);

/// The years a review may be made for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A review's record: its prose and, once issued, its hash. The content is read apart
/// ([`AnnualReviewContent`]): live for a draft, frozen once issued.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnnualReview {
    pub year: i32,
    pub title: String,
    /// The opening prose (the year in a paragraph), editable until issued.
    pub intro: String,
    /// Next year's work, editable until issued.
    pub next_year: String,
    pub status: AnnualReviewStatus,
    /// SHA-256 of the issued content (hex); shown on the page and the document.
    pub content_hash: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub issued_by: Option<String>,
    /// False for a year whose draft has never been saved: its prose is the usual wording.
    pub saved: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

impl AnnualReview {
    /// An unsaved draft of `year` with the usual wording, for the office to edit.
    pub fn unsaved(year: i32) -> AnnualReview {
        let p = AnnualReviewProse::usual(year);
        AnnualReview {
            year,
            title: p.title,
            intro: p.intro,
            next_year: p.next_year,
            status: AnnualReviewStatus::Draft,
            content_hash: None,
            issued_at: None,
            issued_by: None,
            saved: false,
            updated_at: None,
        }
    }
}

/// What a JSON body or the page's form gives: the prose (PUT/PATCH; the fields left out stay).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AnnualReviewInput {
    /// Not blank.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// The opening prose; not blank.
    #[schema(max_length = 20000)]
    pub intro: Option<String>,
    /// Next year's work; may be empty.
    #[schema(max_length = 20000)]
    pub next_year: Option<String>,
}

/// The prose parts of a review, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnualReviewProse {
    pub title: String,
    pub intro: String,
    pub next_year: String,
}

impl AnnualReviewProse {
    /// The wording a new draft starts with.
    pub fn usual(year: i32) -> AnnualReviewProse {
        AnnualReviewProse {
            title: format!("{year}年度市校全面合作工作回顾"),
            intro: format!(
                "{year}年，市校双方围绕全面合作协议和年度合作项目清单，深化项目合作、平台共建、人才互派和成果转化，合作取得新的进展。现将一年来的合作情况回顾如下。"
            ),
            next_year: format!(
                "{}年，市校双方将围绕产业发展和民生需求，认真组织实施新一年度合作项目，加强项目督查和成果转化，推动市校全面合作向纵深发展。",
                year + 1
            ),
        }
    }
}

impl AnnualReviewInput {
    pub fn prose(&self) -> Result<AnnualReviewProse, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let intro = e.take("intro", input::text(&self.intro, 20000));
        let next_year = e.take("next_year", input::optional_text(&self.next_year, 20000));
        e.into_result(())?;
        Ok(AnnualReviewProse {
            title: title.expect("checked"),
            intro: intro.expect("checked"),
            next_year: next_year.flatten().unwrap_or_default(),
        })
    }
}

/// One figure of the year beside last year's. Money is in fen (`money`), shown in 万元.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub key: String,
    pub label: String,
    /// 个, 项, 人次, 万元 …
    pub unit: String,
    pub money: bool,
    pub this_year: i64,
    pub last_year: i64,
    /// This year less last year.
    pub change: i64,
    /// The change in per cent of last year, one decimal; none when last year was 0.
    pub change_percent: Option<f64>,
}

impl Figure {
    pub fn new(key: &str, label: &str, unit: &str, this_year: i64, last_year: i64) -> Figure {
        let change = this_year - last_year;
        let change_percent = (last_year != 0).then(|| (change as f64 * 1000.0 / last_year as f64).round() / 10.0);
        Figure {
            key: key.into(),
            label: label.into(),
            unit: unit.into(),
            money: false,
            this_year,
            last_year,
            change,
            change_percent,
        }
    }

    pub fn money(key: &str, label: &str, this_year: i64, last_year: i64) -> Figure {
        Figure {
            money: true,
            ..Figure::new(key, label, "万元", this_year, last_year)
        }
    }

    /// A value of this figure as shown: a count, or 万元 with two decimals.
    pub fn show(&self, n: i64) -> String {
        if self.money { Money(n).wan() } else { n.to_string() }
    }

    /// The change in words: `比上年增加2个（+20.0%）`, `与上年持平`.
    pub fn vs_last_year(&self) -> String {
        if self.change == 0 {
            return "与上年持平".into();
        }
        let word = if self.change > 0 { "增加" } else { "减少" };
        let pct = self.change_percent.map(|p| format!("（{p:+.1}%）")).unwrap_or_default();
        format!("比上年{word}{}{}{pct}", self.show(self.change.abs()), self.unit)
    }

    /// The change as shown: `+3（+25.0%）`, `-1`, `持平`.
    pub fn change_text(&self) -> String {
        if self.change == 0 {
            return "持平".into();
        }
        let sign = if self.change > 0 { "+" } else { "-" };
        let abs = self.show(self.change.abs());
        match self.change_percent {
            Some(p) => format!("{sign}{abs}（{p:+.1}%）"),
            None => format!("{sign}{abs}"),
        }
    }
}

/// A group of the year's projects: how many, and their money (fen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectGroup {
    pub label: String,
    pub projects: i64,
    pub contract_fen: i64,
    pub funding_fen: i64,
}

/// A count under a label (a status, a kind, a direction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub count: i64,
}

/// Confirmed outcomes of one kind in the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeLine {
    pub kind: String,
    pub count: i64,
    pub amount_fen: i64,
    /// People, for talents trained.
    pub quantity: i64,
}

/// A platform established in the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformLine {
    pub name: String,
    pub kind: String,
    pub level: String,
    pub established_on: String,
}

/// Trainings of one kind in the year and the people who attended them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingLine {
    pub kind: String,
    pub trainings: i64,
    pub trained: i64,
}

/// A meeting held in the year, with how its decisions stand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLine {
    pub title: String,
    pub kind: String,
    pub held_on: String,
    pub decisions: i64,
    pub done: i64,
}

/// The decisions due in the year: how many, done (and of those on time), handed over to a
/// project or a problem, still open, and late (open past their due date).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DecisionTally {
    pub total: i64,
    pub done: i64,
    pub done_on_time: i64,
    pub handed_over: i64,
    pub open: i64,
    pub late: i64,
}

/// A project of the new year's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextProject {
    pub title: String,
    pub kind: String,
    pub lead_unit: String,
    pub contract_fen: i64,
}

/// The new year's list (年度合作项目清单) put to the conference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextBatch {
    pub year: i32,
    /// The batch's title, or none when next year's projects are not yet in a batch.
    pub title: Option<String>,
    /// 草稿 / 已审定 …; none without a batch.
    pub status: Option<String>,
    pub projects: Vec<NextProject>,
    pub by_kind: Vec<Count>,
}

/// Everything a review says, as it stood when it was generated (a draft) or issued (frozen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReviewContent {
    pub issuer: String,
    pub year: i32,
    pub title: String,
    /// The day it was generated or issued, `2026年12月20日`.
    pub date: String,
    pub intro: String,
    pub next_year_text: String,
    /// The year's key figures beside last year's.
    pub figures: Vec<Figure>,
    /// The year's projects (its batch year) by kind, every kind listed.
    pub by_kind: Vec<ProjectGroup>,
    /// …by the lead unit's county (as the board groups them), largest first.
    pub by_county: Vec<ProjectGroup>,
    pub by_status: Vec<Count>,
    /// Projects, contract money and funding won of the last five years, oldest first.
    pub years: Vec<ProjectGroup>,
    /// Confirmed outcomes of the year by kind (kinds with none left out).
    pub outcomes: Vec<OutcomeLine>,
    /// Confirmed transfers of results in the year, and those taken up in the city.
    pub transfers: i64,
    pub local_transfers: i64,
    pub platforms: Vec<PlatformLine>,
    /// Secondments serving in the year, by direction.
    pub secondments: Vec<Count>,
    pub trainings: Vec<TrainingLine>,
    pub events: Vec<EventLine>,
    pub decisions: DecisionTally,
    /// The year's lead units ranked as the bulletins rank them (reports and milestones of the year).
    pub units: Vec<UnitProgress>,
    /// 快马 and 蜗牛.
    pub best: Vec<String>,
    pub worst: Vec<String>,
    /// Problems still open on the year's projects.
    pub problems: Vec<OpenProblem>,
    pub next_batch: NextBatch,
}

impl AnnualReviewContent {
    pub fn figure(&self, key: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.key == key)
    }

    /// The paragraph of key figures: `共实施合作项目12个（比上年+2）…`.
    pub fn figures_sentence(&self) -> String {
        let parts: Vec<String> = self
            .figures
            .iter()
            .map(|f| format!("{}{}{}，{}", f.label, f.show(f.this_year), f.unit, f.vs_last_year()))
            .collect();
        if parts.is_empty() {
            return "本年度暂无统计数据。".into();
        }
        format!("{}年，{}。", self.year, parts.join("；"))
    }

    /// The ranking paragraph, in the bulletins' words.
    pub fn ranking_sentence(&self) -> String {
        let mut s = String::new();
        if !self.best.is_empty() {
            s.push_str(&format!("全年按时报送、节点推进较好的单位：{}。", self.best.join("、")));
        }
        if !self.worst.is_empty() {
            s.push_str(&format!(
                "报送不及时或节点滞后、需要加快推进的单位：{}。",
                self.worst.join("、")
            ));
        }
        if s.is_empty() {
            s.push_str("本年度暂无需要排名的责任单位。");
        }
        s
    }

    /// The decisions' paragraph.
    pub fn decisions_sentence(&self) -> String {
        let d = &self.decisions;
        if d.total == 0 {
            return format!("本年度召开会议活动{}次，无到期的议定事项。", self.events.len());
        }
        let mut s = format!(
            "本年度召开会议活动{}次，到期议定事项{}项，已落实{}项（其中按期落实{}项）",
            self.events.len(),
            d.total,
            d.done,
            d.done_on_time
        );
        if d.handed_over > 0 {
            s.push_str(&format!("，转项目或问题办理{}项", d.handed_over));
        }
        s.push_str(&format!("，尚在落实{}项", d.open));
        if d.late > 0 {
            s.push_str(&format!("，其中逾期{}项", d.late));
        }
        s.push('。');
        s
    }

    /// The new year's list in a sentence.
    pub fn next_batch_sentence(&self) -> String {
        let n = &self.next_batch;
        if n.projects.is_empty() {
            return format!("{}年度合作项目清单尚未编制。", n.year);
        }
        let kinds: Vec<String> = n.by_kind.iter().map(|c| format!("{}{}个", c.label, c.count)).collect();
        let contract: i64 = n.projects.iter().map(|p| p.contract_fen).sum();
        format!(
            "{}共列入项目{}个（{}），合同金额合计{}万元，提请本次会议审定。",
            n.title.clone().unwrap_or_else(|| format!("{}年度合作项目", n.year)),
            n.projects.len(),
            kinds.join("，"),
            Money(contract).wan()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_says_its_change_against_last_year() {
        let f = Figure::new("projects", "合作项目", "个", 12, 10);
        assert_eq!(f.change, 2);
        assert_eq!(f.change_percent, Some(20.0));
        assert_eq!(f.change_text(), "+2（+20.0%）");
        let m = Figure::money("contract", "合同金额", 1_500_000, 3_000_000);
        assert_eq!(m.change_text(), "-1.50（-50.0%）");
        assert_eq!(Figure::new("x", "x", "个", 3, 0).change_text(), "+3");
        assert_eq!(Figure::new("x", "x", "个", 3, 3).change_text(), "持平");
        assert_eq!(f.vs_last_year(), "比上年增加2个（+20.0%）");
        assert_eq!(m.vs_last_year(), "比上年减少1.50万元（-50.0%）");
    }

    #[test]
    fn the_prose_needs_a_title_and_an_opening() {
        let e = AnnualReviewInput::default().prose().unwrap_err();
        assert!(e.0.contains_key("title") && e.0.contains_key("intro"));
        let p = AnnualReviewInput {
            title: Some("回顾".into()),
            intro: Some("一年来".into()),
            next_year: None,
        }
        .prose()
        .unwrap();
        assert_eq!(p.next_year, "");
    }
}
