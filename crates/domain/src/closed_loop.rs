//! The closed loop (闭环): where a demand went — collected → reviewed → matched → contract →
//! project → outcomes → used locally — and a result — listed → matched → transferred → used — with
//! the date of each step, and across many of them the funnel: how many reached each step, the
//! conversion from the step before, the median days a step took, and how many wait at each step
//! (still moving) or stopped there (closed).
//!
//! One rule decides "reached": a step is reached when it or any later step has happened. A demand
//! that became a project without a registered contract has passed the contract step (its date is
//! then unknown, and it takes no part in that step's median); so every count is at most the one
//! before it and every conversion at most 100 %.

use chrono::NaiveDate;
use serde::Serialize;

crate::code_enum!(
    /// A demand's way from intake to local use, first step first.
    DemandLoopStep {
        Collected = "collected", "征集入库", "Collected";
        Reviewed = "reviewed", "审核受理", "Reviewed and accepted";
        Matched = "matched", "对接成功", "Matched";
        Contracted = "contracted", "签订合同", "Contract signed";
        Project = "project", "立项实施", "Became a project";
        Outcome = "outcome", "产出成果", "Produced outcomes";
        LocalUse = "local_use", "本地转化", "Used locally";
    }
);

crate::code_enum!(
    /// A result's way from the catalogue to use, first step first.
    ResultLoopStep {
        Listed = "listed", "成果入库", "Listed";
        Matched = "matched", "对接成功", "Matched";
        Transferred = "transferred", "完成转化", "Transferred";
        Used = "used", "本地应用", "Used locally";
    }
);

/// Where one demand or result stands: the date each step happened (`None`: not happened, or
/// happened without a date of its own), and whether it stopped (a closed demand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    pub dates: Vec<Option<NaiveDate>>,
    pub stopped: bool,
}

impl Trail {
    /// The last step reached (the furthest step with a date), `None` before the first.
    pub fn furthest(&self) -> Option<usize> {
        self.dates.iter().rposition(Option::is_some)
    }

    /// Whether step `i` is reached: it or a later step has happened.
    pub fn reached(&self, i: usize) -> bool {
        self.furthest().is_some_and(|f| f >= i)
    }

    /// Whether every step has happened.
    pub fn complete(&self) -> bool {
        self.furthest() == Some(self.dates.len() - 1)
    }

    /// Days from step `i - 1` to step `i`, when both have dates (never negative: a step entered
    /// with an earlier date than the one before it counts as the same day).
    pub fn days(&self, i: usize) -> Option<i64> {
        if i == 0 {
            return None;
        }
        match (
            self.dates.get(i - 1).copied().flatten(),
            self.dates.get(i).copied().flatten(),
        ) {
            (Some(a), Some(b)) => Some((b - a).num_days().max(0)),
            _ => None,
        }
    }

    /// The last date known on the way, for "waiting since".
    pub fn last_date(&self) -> Option<NaiveDate> {
        self.dates.iter().rev().find_map(|d| *d)
    }
}

/// One step of a funnel.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StepFigures {
    /// How many reached this step.
    pub count: i64,
    /// `count` over the step before's count (the first step: 1); `None` when the step before has none.
    pub conversion: Option<f64>,
    /// The median days from the step before, over those with both dates; `None` when there are none.
    pub median_days: Option<f64>,
    /// Reached this step as their furthest and still moving: the next step waits.
    pub waiting: i64,
    /// Reached this step as their furthest and stopped there (closed).
    pub stopped: i64,
}

/// The funnel over `trails`, each with `steps` dates.
pub fn funnel(steps: usize, trails: &[Trail]) -> Vec<StepFigures> {
    let mut counts = vec![0i64; steps];
    let mut waiting = vec![0i64; steps];
    let mut stopped = vec![0i64; steps];
    let mut days: Vec<Vec<i64>> = vec![Vec::new(); steps];
    for t in trails {
        let Some(f) = t.furthest() else { continue };
        for c in counts.iter_mut().take(f + 1) {
            *c += 1;
        }
        for (i, d) in days.iter_mut().enumerate().take(f + 1).skip(1) {
            if let Some(n) = t.days(i) {
                d.push(n);
            }
        }
        if f + 1 < steps {
            if t.stopped {
                stopped[f] += 1;
            } else {
                waiting[f] += 1;
            }
        }
    }
    (0..steps)
        .map(|i| StepFigures {
            count: counts[i],
            conversion: if i == 0 {
                Some(1.0)
            } else if counts[i - 1] > 0 {
                Some(counts[i] as f64 / counts[i - 1] as f64)
            } else {
                None
            },
            median_days: median(&mut days[i]),
            waiting: waiting[i],
            stopped: stopped[i],
        })
        .collect()
}

fn median(v: &mut [i64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        Some(s.parse().unwrap())
    }

    fn trail(dates: &[Option<NaiveDate>], stopped: bool) -> Trail {
        let mut v = dates.to_vec();
        v.resize(4, None);
        Trail { dates: v, stopped }
    }

    #[test]
    fn a_later_step_means_the_earlier_ones_were_passed_without_a_date() {
        let t = trail(&[d("2026-01-01"), None, d("2026-02-01")], false);
        assert_eq!(t.furthest(), Some(2));
        assert!(t.reached(1));
        assert!(!t.reached(3));
        assert_eq!(t.days(1), None);
        assert_eq!(t.days(2), None);
    }

    #[test]
    fn counts_never_grow_down_the_funnel_and_conversion_is_against_the_step_before() {
        let trails = vec![
            trail(
                &[d("2026-01-01"), d("2026-01-11"), d("2026-01-21"), d("2026-03-01")],
                false,
            ),
            trail(&[d("2026-01-01"), d("2026-01-05")], false),
            trail(&[d("2026-01-01"), d("2026-01-03")], true),
            trail(&[d("2026-01-01")], false),
            trail(&[None, None, None, None], false),
        ];
        let f = funnel(4, &trails);
        let counts: Vec<i64> = f.iter().map(|s| s.count).collect();
        assert_eq!(counts, vec![4, 3, 1, 1]);
        assert_eq!(f[0].conversion, Some(1.0));
        assert_eq!(f[1].conversion, Some(0.75));
        assert_eq!(f[2].conversion, Some(1.0 / 3.0));
        // 10, 4 and 2 days to the second step: the median is 4.
        assert_eq!(f[1].median_days, Some(4.0));
        assert_eq!(f[2].median_days, Some(10.0));
        assert_eq!(f[3].median_days, Some(39.0));
        // One waits at the first step, one waits and one stopped at the second, none at the last.
        assert_eq!((f[0].waiting, f[0].stopped), (1, 0));
        assert_eq!((f[1].waiting, f[1].stopped), (1, 1));
        assert_eq!((f[3].waiting, f[3].stopped), (0, 0));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two_and_none_without_dates() {
        let trails = vec![
            trail(&[d("2026-01-01"), d("2026-01-02")], false),
            trail(&[d("2026-01-01"), d("2026-01-05")], false),
        ];
        assert_eq!(funnel(4, &trails)[1].median_days, Some(2.5));
        assert_eq!(funnel(4, &trails)[2].median_days, None);
        assert_eq!(funnel(4, &trails)[3].conversion, None);
    }

    #[test]
    fn a_step_dated_before_the_one_before_takes_no_days_rather_than_negative_ones() {
        let t = trail(&[d("2026-03-01"), d("2026-02-01")], false);
        assert_eq!(t.days(1), Some(0));
    }
}
