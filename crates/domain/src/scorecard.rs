//! Unit scorecards (单位评价) and the 快马/蜗牛 ranking of responsible units for a period: the one
//! ordering of [`UnitProgress`] that both the bulletins (按时报送、节点推进较好的单位 / 需要加快推进的
//! 单位) and the scorecard page use — reports on time first, then milestones met —, with the best
//! three marked 快马 and the slowest three 蜗牛 ([`rank`]); and one unit's figures for a year
//! beside the year before ([`Scorecard`], [`Figures`]).

use crate::bulletin::UnitProgress;
use crate::flag::Flag;
use crate::project::{ProjectKind, ProjectStatus};
use crate::{Money, Msg, code_enum};
use serde::Serialize;

code_enum!(
    /// How a unit stands out in a period's ranking.
    Mark {
        Fast = "fast", "快马", "Front-runner";
        Slow = "slow", "蜗牛", "Lagging";
    }
);

/// How many units each end of the ranking names.
pub const MARKED: usize = 3;

/// One unit's row in a period's ranking.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RankedUnit {
    /// Place in the ranking, 1 first; units with the same figures share a place.
    pub rank: usize,
    pub organization_id: i64,
    pub unit: String,
    pub projects: usize,
    pub reports_on_time: usize,
    pub reports_late: usize,
    pub reports_missing: usize,
    /// Reports on time, per cent of those expected (100 when none was due yet).
    pub on_time_rate: u32,
    pub milestones_due: usize,
    pub milestones_met: usize,
    /// Milestones met, per cent of those due (100 when none was due).
    pub milestone_rate: u32,
    /// 快马 (`fast`) or 蜗牛 (`slow`); none in between.
    pub mark: Option<Mark>,
}

impl From<RankedUnit> for UnitProgress {
    /// A ranked unit's figures as a bulletin or the annual review prints them.
    fn from(u: RankedUnit) -> Self {
        UnitProgress {
            unit: u.unit,
            projects: u.projects,
            reports_on_time: u.reports_on_time,
            reports_late: u.reports_late,
            reports_missing: u.reports_missing,
            on_time_rate: u.on_time_rate,
            milestones_due: u.milestones_due,
            milestones_met: u.milestones_met,
        }
    }
}

fn milestone_rate(u: &UnitProgress) -> u32 {
    ((u.milestones_met * 100).checked_div(u.milestones_due).unwrap_or(100)) as u32
}

/// A unit with nothing to fault: every report due on time, every milestone due met, one report at least.
fn perfect(u: &UnitProgress) -> bool {
    u.on_time_rate == 100 && u.milestones_met == u.milestones_due && u.reports_on_time > 0
}

/// A unit behind: a report not on time, or a milestone due and not met.
fn behind(u: &UnitProgress) -> bool {
    u.on_time_rate < 100 || u.milestones_met < u.milestones_due
}

/// Ranks the units of a period (each with its organisation id): reports on time first, then
/// milestones met, ties by name. Up to three units with nothing to fault are 快马; up to three
/// units behind, the slowest first, are 蜗牛 — a unit is never both, and a period where every unit
/// is on time has no 蜗牛. This is the bulletins' ranking (their `best` and `worst`).
pub fn rank(units: Vec<(i64, UnitProgress)>) -> Vec<RankedUnit> {
    let mut units = units;
    let score = |u: &UnitProgress| (u.on_time_rate, milestone_rate(u));
    units.sort_by(|(ia, a), (ib, b)| score(b).cmp(&score(a)).then(a.unit.cmp(&b.unit)).then(ia.cmp(ib)));
    let fast: Vec<i64> = units
        .iter()
        .filter(|(_, u)| perfect(u))
        .take(MARKED)
        .map(|(id, _)| *id)
        .collect();
    let slow: Vec<i64> = units
        .iter()
        .rev()
        .filter(|(_, u)| !perfect(u) && behind(u))
        .take(MARKED)
        .map(|(id, _)| *id)
        .collect();
    let mut out: Vec<RankedUnit> = Vec::with_capacity(units.len());
    for (i, (id, u)) in units.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if (prev.on_time_rate, prev.milestone_rate) == score(&u) => prev.rank,
            _ => i + 1,
        };
        out.push(RankedUnit {
            rank,
            organization_id: id,
            milestone_rate: milestone_rate(&u),
            mark: if fast.contains(&id) {
                Some(Mark::Fast)
            } else if slow.contains(&id) {
                Some(Mark::Slow)
            } else {
                None
            },
            unit: u.unit,
            projects: u.projects,
            reports_on_time: u.reports_on_time,
            reports_late: u.reports_late,
            reports_missing: u.reports_missing,
            on_time_rate: u.on_time_rate,
            milestones_due: u.milestones_due,
            milestones_met: u.milestones_met,
        });
    }
    out
}

/// A period's ranking of responsible units.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    /// The period as people say it: 2026年度, 2026年第一季度（2026年度市校合作项目清单）.
    pub period: String,
    pub year: i32,
    /// The batch, when the ranking is of a batch's period.
    pub batch_id: Option<i64>,
    /// The last day counted.
    pub end: chrono::NaiveDate,
    /// Best first: 快马 at the top, 蜗牛 at the bottom.
    pub units: Vec<RankedUnit>,
}

/// The 快马 of a ranking, best first (a bulletin's `best`).
pub fn fast(r: &[RankedUnit]) -> Vec<String> {
    r.iter()
        .filter(|u| u.mark == Some(Mark::Fast))
        .map(|u| u.unit.clone())
        .collect()
}

/// The 蜗牛 of a ranking, slowest first (a bulletin's `worst`).
pub fn slow(r: &[RankedUnit]) -> Vec<String> {
    r.iter()
        .rev()
        .filter(|u| u.mark == Some(Mark::Slow))
        .map(|u| u.unit.clone())
        .collect()
}

/// One project on a unit's scorecard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoredProject {
    pub id: i64,
    pub title: String,
    pub kind: ProjectKind,
    pub status: ProjectStatus,
    pub flag: Option<Flag>,
    pub flag_reasons: Vec<String>,
}

/// A unit's figures for one year (the projects it leads of that year's list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub year: i32,
    pub projects: usize,
    pub reports_on_time: usize,
    pub reports_late: usize,
    pub reports_missing: usize,
    /// Reports on time, per cent of those expected (100 when none was due).
    pub on_time_rate: u32,
    pub milestones_due: usize,
    pub milestones_met: usize,
    /// Outcomes confirmed, of the unit or its projects, that happened in the year.
    pub outcomes: usize,
    /// Projects flagged red, yellow and green today.
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    #[schema(value_type = String, example = "200.00")]
    pub contract_amount_wan: Money,
    #[schema(value_type = String, example = "35.50")]
    pub funding_won_wan: Money,
}

/// One figure this year beside last year.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Change {
    /// `projects`, `on_time_rate`, `milestones_met`, `outcomes` …
    pub key: String,
    pub label: String,
    pub this_year: String,
    pub last_year: String,
    /// This year minus last year, signed (+3, −12, +0.50).
    pub change: String,
    /// Per cent of last year, when last year's figure is not zero (counts and money only).
    pub percent: Option<f64>,
}

fn signed(d: i64) -> String {
    match d.cmp(&0) {
        std::cmp::Ordering::Greater => format!("+{d}"),
        std::cmp::Ordering::Less => format!("−{}", -d),
        std::cmp::Ordering::Equal => "0".into(),
    }
}

fn pct(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| ((now - before) as f64 * 1000.0 / before as f64).round() / 10.0)
}

/// Each figure of `now` beside `before`, with its change (percentage points for rates).
pub fn changes(now: &Figures, before: &Figures) -> Vec<Change> {
    let count = |key: &str, label: &Msg, a: usize, b: usize| Change {
        key: key.into(),
        label: label.zh.clone(),
        this_year: a.to_string(),
        last_year: b.to_string(),
        change: signed(a as i64 - b as i64),
        percent: pct(a as i64, b as i64),
    };
    let money = |key: &str, label: &Msg, a: Money, b: Money| Change {
        key: key.into(),
        label: label.zh.clone(),
        this_year: a.wan(),
        last_year: b.wan(),
        change: {
            let d = Money(a.fen() - b.fen());
            if d.fen() > 0 {
                format!("+{}", d.wan())
            } else if d.fen() < 0 {
                format!("−{}", Money(-d.fen()).wan())
            } else {
                "0".into()
            }
        },
        percent: pct(a.fen(), b.fen()),
    };
    vec![
        count(
            "projects",
            &Msg::new("牵头项目", "Projects led"),
            now.projects,
            before.projects,
        ),
        Change {
            key: "on_time_rate".into(),
            label: "按时报送率（%）".into(),
            this_year: now.on_time_rate.to_string(),
            last_year: before.on_time_rate.to_string(),
            change: format!(
                "{}个百分点",
                signed(now.on_time_rate as i64 - before.on_time_rate as i64)
            ),
            percent: None,
        },
        count(
            "milestones_met",
            &Msg::new("节点按期完成", "Milestones met"),
            now.milestones_met,
            before.milestones_met,
        ),
        count(
            "milestones_due",
            &Msg::new("到期节点", "Milestones due"),
            now.milestones_due,
            before.milestones_due,
        ),
        count(
            "outcomes",
            &Msg::new("已确认成果", "Outcomes confirmed"),
            now.outcomes,
            before.outcomes,
        ),
        money(
            "contract_amount_wan",
            &Msg::new("合同金额（万元）", "Contract amount"),
            now.contract_amount_wan,
            before.contract_amount_wan,
        ),
        money(
            "funding_won_wan",
            &Msg::new("争取经费（万元）", "Funding won"),
            now.funding_won_wan,
            before.funding_won_wan,
        ),
    ]
}

/// A unit's scorecard for a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scorecard {
    pub organization_id: i64,
    pub unit: String,
    pub year: i32,
    /// The projects it leads of the year's list.
    pub projects: Vec<ScoredProject>,
    pub this_year: Figures,
    pub last_year: Figures,
    pub changes: Vec<Change>,
    /// Its place in the year's ranking among the units the viewer sees, with its mark.
    pub rank: Option<RankedUnit>,
    /// How many units that ranking has.
    pub ranked_units: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, on_time: usize, late: usize, missing: usize, due: usize, met: usize) -> UnitProgress {
        let expected = on_time + late + missing;
        UnitProgress {
            unit: name.into(),
            projects: 1,
            reports_on_time: on_time,
            reports_late: late,
            reports_missing: missing,
            on_time_rate: ((on_time * 100).checked_div(expected).unwrap_or(100)) as u32,
            milestones_due: due,
            milestones_met: met,
        }
    }

    #[test]
    fn units_rank_by_reports_on_time_then_milestones_and_the_ends_are_marked() {
        let r = rank(vec![
            (1, unit("柯城区", 2, 0, 0, 2, 2)),
            (2, unit("衢江区", 1, 1, 0, 2, 2)),
            (3, unit("江山市", 2, 0, 0, 2, 1)),
            (4, unit("常山县", 0, 0, 2, 1, 0)),
            (5, unit("开化县", 2, 0, 0, 0, 0)),
        ]);
        let order: Vec<(&str, usize, Option<Mark>)> = r.iter().map(|u| (u.unit.as_str(), u.rank, u.mark)).collect();
        assert_eq!(
            order,
            [
                ("开化县", 1, Some(Mark::Fast)),
                ("柯城区", 1, Some(Mark::Fast)),
                ("江山市", 3, Some(Mark::Slow)),
                ("衢江区", 4, Some(Mark::Slow)),
                ("常山县", 5, Some(Mark::Slow)),
            ]
        );
        assert_eq!(fast(&r), ["开化县", "柯城区"]);
        assert_eq!(slow(&r), ["常山县", "衢江区", "江山市"], "the slowest first");
    }

    #[test]
    fn a_period_where_everyone_is_on_time_has_no_snail_and_a_unit_with_nothing_due_is_no_front_runner() {
        let r = rank(vec![(1, unit("甲", 1, 0, 0, 1, 1)), (2, unit("乙", 0, 0, 0, 0, 0))]);
        let mark = |n: &str| r.iter().find(|u| u.unit == n).unwrap().mark;
        assert_eq!(mark("甲"), Some(Mark::Fast));
        assert_eq!(mark("乙"), None, "nothing reported yet: neither");
        assert!(slow(&r).is_empty());
    }

    #[test]
    fn changes_read_as_signed_differences_with_percentages_of_last_year() {
        let now = Figures {
            projects: 6,
            on_time_rate: 80,
            outcomes: 3,
            contract_amount_wan: Money(1_500_000),
            ..Default::default()
        };
        let before = Figures {
            projects: 4,
            on_time_rate: 100,
            outcomes: 0,
            contract_amount_wan: Money(2_000_000),
            ..Default::default()
        };
        let c = changes(&now, &before);
        let get = |k: &str| c.iter().find(|x| x.key == k).unwrap();
        assert_eq!(
            (get("projects").change.as_str(), get("projects").percent),
            ("+2", Some(50.0))
        );
        assert_eq!(get("on_time_rate").change, "−20个百分点");
        assert_eq!((get("outcomes").change.as_str(), get("outcomes").percent), ("+3", None));
        assert_eq!(get("contract_amount_wan").change, format!("−{}", Money(500_000).wan()));
        assert_eq!(get("contract_amount_wan").percent, Some(-25.0));
    }
}
