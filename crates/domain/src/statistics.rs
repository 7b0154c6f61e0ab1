//! Statistics (`/stats`, `GET /api/v1/stats`): the cooperation's figures grouped by county,
//! college, industry, project kind or year, each with the same figures for the year before and the
//! change. The types and the arithmetic only; the counting is in `hezuo_store::statistics`.

use crate::{Msg, code_enum};
use serde::Serialize;

code_enum!(
    /// How the statistics are grouped.
    StatsBy {
        County = "county", "按区县", "By county";
        College = "college", "按高校方单位", "By college";
        Industry = "industry", "按行业", "By industry";
        Kind = "kind", "按项目类别", "By project kind";
        Year = "year", "按年度", "By year";
    }
);

impl StatsBy {
    /// The heading of the group column.
    pub fn column(self) -> Msg {
        match self {
            StatsBy::County => Msg::new("区县", "County"),
            StatsBy::College => Msg::new("高校方单位", "College"),
            StatsBy::Industry => Msg::new("行业门类", "Industry"),
            StatsBy::Kind => Msg::new("项目类别", "Kind"),
            StatsBy::Year => Msg::new("年度", "Year"),
        }
    }
}

/// The figures of one group. Money in fen. Figures a record kind cannot be grouped by (a demand
/// has no project kind) stay 0 and are listed in [`StatsTable::not_grouped`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Projects (not archived).
    pub projects: i64,
    /// …of which being carried out (approved or in progress).
    pub in_progress: i64,
    /// …of which completed, accepted or with results transferred.
    pub completed: i64,
    /// …of which flagged red today.
    pub red: i64,
    /// …of which flagged yellow today.
    pub yellow: i64,
    /// Contract amounts of the projects (fen).
    pub contract_fen: i64,
    /// Funding won by the projects (fen).
    pub funding_fen: i64,
    /// Amounts received, from confirmed outcomes (fen).
    pub received_fen: i64,
    /// Demands collected (submitted, not drafts, not merged away).
    pub demands: i64,
    /// Results transferred (confirmed outcomes of kind transfer).
    pub transfers: i64,
    /// …of which to an enterprise in the city.
    pub transfers_local: i64,
    /// Platforms built (established in the year; all when no year).
    pub platforms: i64,
    /// Secondments serving in the year.
    pub secondments: i64,
    /// Trainings held (not cancelled).
    pub trainings: i64,
    /// People trained (attended).
    pub trained: i64,
    /// Meetings held.
    pub events: i64,
    /// Decisions due.
    pub decisions: i64,
    /// …of which done (or handed over) by their due date.
    pub decisions_on_time: i64,
}

/// What a figure is: its code (the JSON field), its name, and whether it is money.
#[derive(Debug, Clone, Copy)]
pub struct FigureDef {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub money: bool,
    pub get: fn(&Figures) -> i64,
}

impl FigureDef {
    pub fn label(&self) -> Msg {
        Msg::new(self.zh, self.en)
    }
}

macro_rules! defs {
    ($($f:ident, $zh:literal, $en:literal, $money:literal;)+) => {
        /// Every figure, in the order tables show them.
        pub const FIGURES: &[FigureDef] = &[$(FigureDef { code: stringify!($f), zh: $zh, en: $en, money: $money, get: |x| x.$f },)+];
        impl Figures {
            /// Adds `o`'s figures to these.
            pub fn add(&mut self, o: &Figures) { $(self.$f += o.$f;)+ }
        }
    };
}

defs! {
    projects, "项目数", "Projects", false;
    in_progress, "实施中", "In progress", false;
    completed, "已完成", "Completed", false;
    red, "红灯", "Red", false;
    yellow, "黄灯", "Yellow", false;
    contract_fen, "合同金额（万元）", "Contracts (×10k CNY)", true;
    funding_fen, "争取经费（万元）", "Funding won (×10k CNY)", true;
    received_fen, "到账金额（万元）", "Received (×10k CNY)", true;
    demands, "技术需求", "Demands", false;
    transfers, "成果转化", "Results transferred", false;
    transfers_local, "本地转化", "Transferred locally", false;
    platforms, "新建平台", "Platforms built", false;
    secondments, "挂职人员", "Secondments", false;
    trainings, "培训班次", "Trainings", false;
    trained, "培训人次", "People trained", false;
    events, "会议活动", "Meetings", false;
    decisions, "议定事项", "Decisions", false;
    decisions_on_time, "按期办结", "Done on time", false;
}

pub fn figure(code: &str) -> Option<&'static FigureDef> {
    FIGURES.iter().find(|d| d.code == code)
}

/// This year against last: the difference, and the percentage when last year had any.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub abs: i64,
    /// Percent of last year's figure, one decimal; absent when last year was 0.
    pub pct: Option<f64>,
}

impl Change {
    pub fn of(now: i64, before: i64) -> Change {
        Change {
            abs: now - before,
            pct: (before != 0).then(|| ((now - before) as f64 * 1000.0 / before as f64).round() / 10.0),
        }
    }

    /// `↑ 12.5%`, `↓ 3`, `—` (no change): the arrow and the percentage, or the difference when
    /// last year had none.
    pub fn arrow(&self, money: bool) -> String {
        let arrow = match self.abs.signum() {
            1 => "↑",
            -1 => "↓",
            _ => return "—".into(),
        };
        match self.pct {
            Some(p) => format!("{arrow} {:.1}%", p.abs()),
            None if money => format!("{arrow} {}", crate::Money(self.abs.abs()).wan()),
            None => format!("{arrow} {}", self.abs.abs()),
        }
    }
}

/// One group's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsRow {
    /// The group's code: a division code, an organisation id, an industry section letter, a
    /// project kind code, a year; `""` for records without one.
    pub key: String,
    pub label: Msg,
    pub figures: Figures,
    /// The same figures for the year before (when a year is chosen).
    pub previous: Option<Figures>,
}

impl StatsRow {
    /// The change of each figure against the year before, by figure code (when a year is chosen).
    pub fn change(&self, code: &str) -> Option<Change> {
        let d = figure(code)?;
        self.previous
            .as_ref()
            .map(|p| Change::of((d.get)(&self.figures), (d.get)(p)))
    }
}

/// The statistics for one grouping and (optionally) one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsTable {
    pub by: StatsBy,
    pub year: Option<i32>,
    pub rows: Vec<StatsRow>,
    /// The figures over every record counted (not the sum of the rows where a record counts in
    /// several groups or in none).
    pub total: Figures,
    pub total_previous: Option<Figures>,
    /// Figures whose records have no such group (e.g. demands by project kind): 0 in every row.
    pub not_grouped: Vec<&'static str>,
    /// When these figures were made, if they are ones kept from a few minutes before (a province's
    /// statistics take seconds to make; see `hezuo_store::kept`); absent when made for this view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
}

impl StatsTable {
    pub fn is_empty(&self) -> bool {
        self.total == Figures::default() && self.total_previous.is_none_or(|p| p == Figures::default())
    }
}

/// Which figures a grouping cannot split (their records carry no such key).
pub fn not_grouped(by: StatsBy) -> Vec<&'static str> {
    match by {
        StatsBy::County | StatsBy::Year => vec![],
        StatsBy::College => vec!["demands"],
        StatsBy::Industry => vec![
            "platforms",
            "secondments",
            "trainings",
            "trained",
            "events",
            "decisions",
            "decisions_on_time",
        ],
        StatsBy::Kind => FIGURES
            .iter()
            .map(|d| d.code)
            .filter(|c| {
                !matches!(
                    *c,
                    "projects" | "in_progress" | "completed" | "red" | "yellow" | "contract_fen" | "funding_fen"
                )
            })
            .collect(),
    }
}

/// Checks a year given to the statistics: four digits, 1949–2100.
pub fn parse_year(s: &str) -> Result<i32, Msg> {
    let t = s.trim();
    match t.parse::<i32>() {
        Ok(y) if (1949..=2100).contains(&y) && t.len() == 4 => Ok(y),
        _ => Err(Msg::new(
            format!("年度“{t}”无效：应为四位数字的年份，如 2026"),
            format!("“{t}” is not a year (four digits, e.g. 2026)"),
        )),
    }
}

/// Parses `by`, naming the choices when it is none of them.
pub fn parse_by(s: &str) -> Result<StatsBy, Msg> {
    StatsBy::parse(s).ok_or_else(|| {
        Msg::new(
            format!(
                "统计口径“{}”无效：应为 county、college、industry、kind 或 year",
                s.trim()
            ),
            format!(
                "“{}” is not a grouping: county, college, industry, kind or year",
                s.trim()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_has_no_percentage_when_last_year_was_zero() {
        assert_eq!(Change::of(5, 0), Change { abs: 5, pct: None });
        assert_eq!(
            Change::of(3, 4),
            Change {
                abs: -1,
                pct: Some(-25.0)
            }
        );
        assert_eq!(Change::of(2, 3).pct, Some(-33.3));
        assert_eq!(Change::of(5, 0).arrow(false), "↑ 5");
        assert_eq!(Change::of(3, 4).arrow(false), "↓ 25.0%");
        assert_eq!(Change::of(4, 4).arrow(false), "—");
    }

    #[test]
    fn every_figure_is_listed_and_adds_up() {
        let mut a = Figures {
            projects: 1,
            trained: 2,
            ..Default::default()
        };
        a.add(&a.clone());
        assert_eq!((a.projects, a.trained), (2, 4));
        assert_eq!(FIGURES.len(), 18);
        assert!(figure("decisions_on_time").is_some());
    }

    #[test]
    fn bad_by_and_year_name_the_choices() {
        assert!(parse_by("town").unwrap_err().zh.contains("county"));
        assert!(parse_year("26").is_err());
        assert_eq!(parse_year(" 2026 ").unwrap(), 2026);
    }
}
