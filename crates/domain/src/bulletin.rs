//! Supervision bulletins (督查通报): what one is made of, frozen as it was the moment it was issued.
//! The store assembles the content from the records; the report crate lays it out as a document.

use crate::input::{self, de_opt_string};
use crate::{FieldErrors, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    BulletinStatus {
        Draft = "draft", "草稿", "Draft";
        Issued = "issued", "已印发", "Issued";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    pub id: i64,
    pub batch_id: i64,
    /// The period it reports on, `2026-03` or `2026-Q1`.
    pub period: String,
    pub title: String,
    /// The opening prose, editable until issued.
    pub intro: String,
    /// The closing prose (requirements for the next period), editable until issued.
    pub closing: String,
    pub status: BulletinStatus,
    /// 文号 like 〔2026〕3号, given when issued.
    pub number: Option<String>,
    /// SHA-256 of the issued content; shown on the document.
    pub content_hash: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub issued_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a JSON body gives for a bulletin: on create, the batch and period to draft it for (its
/// prose is generated, to be edited afterwards); on update, the prose.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BulletinInput {
    /// The batch it reports on; read on create only.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub batch_id: Option<String>,
    /// A period of the batch, `2026-03` or `2026-Q1`; read on create only.
    #[schema(
        required,
        max_length = 20,
        pattern = r"^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$",
        example = "2026-03"
    )]
    pub period: Option<String>,
    /// Generated on create; editable (not blank) until issued.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// The opening prose: generated on create; editable (not blank) until issued.
    #[schema(max_length = 20000)]
    pub intro: Option<String>,
    /// The closing prose (requirements for the next period): generated on create; editable until issued.
    #[schema(max_length = 20000)]
    pub closing: Option<String>,
}

/// The prose parts of a bulletin.
#[derive(Debug, Clone, PartialEq)]
pub struct BulletinProse {
    pub title: String,
    pub intro: String,
    pub closing: String,
}

impl BulletinInput {
    pub fn prose(&self) -> Result<BulletinProse, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let intro = e.take("intro", input::text(&self.intro, 20000));
        let closing = e.take("closing", input::optional_text(&self.closing, 20000));
        e.into_result(())?;
        Ok(BulletinProse {
            title: title.expect("checked"),
            intro: intro.expect("checked"),
            closing: closing.flatten().unwrap_or_default(),
        })
    }
}

/// One responsible unit's part up to the period: its reports of every period of the year so far
/// (due on or before this period's), each on time, late or missing by the same rule the flags use
/// (`supervision::Standing`), and its milestones due by the period's end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitProgress {
    pub unit: String,
    pub projects: usize,
    pub reports_on_time: usize,
    pub reports_late: usize,
    pub reports_missing: usize,
    /// Reports on time, per cent of those expected.
    pub on_time_rate: u32,
    pub milestones_due: usize,
    pub milestones_met: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlaggedProject {
    /// 红灯 or 黄灯.
    pub flag: String,
    pub title: String,
    pub lead_unit: String,
    pub reasons: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenProblem {
    pub title: String,
    pub project: String,
    pub owner: String,
    pub due: String,
    pub status: String,
}

/// A decision of the year's meetings as the bulletin reports it (议定事项落实情况).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionLine {
    /// The meeting that took it, with its date.
    pub event: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    /// 已落实, 推进中, 待落实, 已转办 …
    pub status: String,
    /// 红灯 / 黄灯 / 绿灯 while open; empty once no longer open.
    pub flag: String,
    /// Overdue days, the day it was done, or what it was handed over to.
    pub note: String,
}

/// Everything a bulletin says, as it stood when it was generated (a draft) or issued (frozen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulletinContent {
    pub issuer: String,
    pub number: String,
    pub date: String,
    pub title: String,
    pub batch: String,
    pub period: String,
    pub intro: String,
    pub closing: String,
    /// (status, count) for the batch's projects.
    pub by_status: Vec<(String, usize)>,
    /// (kind, count).
    pub by_kind: Vec<(String, usize)>,
    pub units: Vec<UnitProgress>,
    pub best: Vec<String>,
    pub worst: Vec<String>,
    pub flagged: Vec<FlaggedProject>,
    pub problems: Vec<OpenProblem>,
    /// The decisions of the year's meetings due by the period's end or still open (not those
    /// cancelled), late ones first (bulletins issued before meetings were recorded have none).
    #[serde(default)]
    pub decisions: Vec<DecisionLine>,
}

/// The sentence above the decisions' table: how many, how many done, how many late.
pub fn decisions_sentence(c: &BulletinContent) -> String {
    if c.decisions.is_empty() {
        return "本期无需报告的议定事项。".into();
    }
    let n = c.decisions.len();
    let done = c.decisions.iter().filter(|d| d.status == "已落实").count();
    let over = c.decisions.iter().filter(|d| d.status == "已转办").count();
    let late = c.decisions.iter().filter(|d| d.flag == "红灯").count();
    let mut s = format!("年度会议议定事项{n}项，已落实{done}项");
    if over > 0 {
        s.push_str(&format!("，转项目或问题办理{over}项"));
    }
    s.push_str(&format!("，尚在落实{}项", n - done - over));
    if late > 0 {
        s.push_str(&format!("，其中逾期未落实{late}项，请责任单位抓紧落实"));
    }
    s.push('。');
    s
}

/// The body of the ranking paragraph, named units and all.
pub fn ranking_sentence(c: &BulletinContent) -> String {
    let mut s = String::new();
    if !c.best.is_empty() {
        s.push_str(&format!("按时报送、节点推进较好的单位：{}。", c.best.join("、")));
    }
    if !c.worst.is_empty() {
        s.push_str(&format!(
            "报送不及时或节点滞后、需要加快推进的单位：{}。",
            c.worst.join("、")
        ));
    }
    if s.is_empty() {
        s.push_str("本期各责任单位均按时报送。");
    }
    s
}

/// Units ranked as the bulletins rank them: by on-time rate, then the share of milestones met
/// (names break ties); the best (快马, up to three with every report on time and every milestone
/// met) and the slowest (蜗牛, up to three behind on either, slowest first). The annual review
/// ranks the year's units with the same rule.
pub fn rank_units(units: Vec<UnitProgress>) -> (Vec<UnitProgress>, Vec<String>, Vec<String>) {
    let mut units: Vec<UnitProgress> = units
        .into_iter()
        .map(|mut u| {
            let expected = u.reports_on_time + u.reports_late + u.reports_missing;
            u.on_time_rate = (u.reports_on_time * 100).checked_div(expected).unwrap_or(100) as u32;
            u
        })
        .collect();
    let score = |u: &UnitProgress| {
        let met = (u.milestones_met * 100).checked_div(u.milestones_due).unwrap_or(100);
        (u.on_time_rate as usize, met)
    };
    units.sort_by(|a, b| score(b).cmp(&score(a)).then(a.unit.cmp(&b.unit)));
    let perfect =
        |u: &UnitProgress| u.on_time_rate == 100 && u.milestones_met == u.milestones_due && u.reports_on_time > 0;
    let best: Vec<String> = units
        .iter()
        .filter(|u| perfect(u))
        .take(3)
        .map(|u| u.unit.clone())
        .collect();
    let worst: Vec<String> = units
        .iter()
        .rev()
        .filter(|u| !perfect(u) && (u.on_time_rate < 100 || u.milestones_met < u.milestones_due))
        .take(3)
        .map(|u| u.unit.clone())
        .collect();
    (units, best, worst)
}
