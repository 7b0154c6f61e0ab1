//! Unit scorecards (单位评价) and the 快马/蜗牛 ranking: each responsible unit's reports (on time,
//! late, missing — `supervision::Standing`, as the flags read them) and milestones for a period,
//! computed once here ([`Store::unit_progress`]) for the bulletins and the scorecards alike, and
//! ranked by `hezuo_domain::scorecard::rank`. A ranking is of a year's list or of a batch's
//! period (what a bulletin reports); a scorecard is one unit's year beside the year before.

use crate::access::{Viewer, restrict_own};
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, StoreError, on_db};
use chrono::{Datelike, NaiveDate};
use hezuo_domain::access::Scope;
use hezuo_domain::bulletin::UnitProgress;
use hezuo_domain::flag::Flag;
use hezuo_domain::project::{Project, ProjectFilter, ProjectStatus};
use hezuo_domain::scorecard::{Figures, Ranking, Scorecard, ScoredProject, changes, rank};
use hezuo_domain::supervision::{Standing, period_by_label, supervised};
use hezuo_domain::{ListParams, Money, Msg, RecordKind};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which projects count towards a unit's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Those being carried out now (approved, in progress), as the bulletins count them.
    Supervised,
    /// Every project approved at some time and not cancelled (in progress, completed, accepted,
    /// transferred, suspended too): a past year's scorecard still shows its reports.
    Carried,
}

/// The period a ranking is of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RankPeriod {
    /// The projects of a year's list, reports and milestones due up to the year's end (or today).
    Year(i32),
    /// A batch's period (`2026-03`, `2026-Q1`), as that period's bulletin ranks it.
    Batch { batch_id: i64, period: String },
}

impl Store {
    /// Every project of `f` that `v` may see, with its flag (in pages of 500).
    pub(crate) async fn all_projects(&self, v: &Viewer, f: &ProjectFilter) -> Result<Vec<Project>> {
        let mut out = Vec::new();
        for page in 1.. {
            let p = ListParams {
                page: Some(page.to_string()),
                per_page: Some("500".into()),
                ..Default::default()
            };
            let got = self.list_projects(v, f, &p).await?;
            let last = page >= got.pages();
            out.extend(got.items);
            if last {
                break;
            }
        }
        Ok(out)
    }

    /// Each lead unit's progress over `projects` (those `counted`, started by `end`): its reports
    /// due by `due_by` — on time, late or missing as of today — and its milestones due by `end`,
    /// met by `end`. The one computation the bulletins and the scorecards share.
    pub async fn unit_progress(
        &self,
        projects: &[Project],
        due_by: NaiveDate,
        end: NaiveDate,
        counted: Counted,
    ) -> Result<Vec<(i64, UnitProgress)>> {
        let today = self.today();
        let leads: Vec<i64> = projects.iter().map(|p| p.lead_unit_id).collect();
        let names = self.organization_names(&leads).await?;
        let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
        let reports = self.period_reports(projects).await?;
        let mut mq = Q::new(&format!(
            "select {} from milestone where archived = false and project_id in ",
            crate::projects::MILESTONE_COLS
        ));
        mq.bind_list(&ids);
        let milestones = crate::projects::milestones_by_query(self, &mq).await?;
        let mut by_project: HashMap<i64, Vec<&hezuo_domain::project::Milestone>> = HashMap::new();
        for m in &milestones {
            by_project.entry(m.project_id).or_default().push(m);
        }
        let mut units: BTreeMap<i64, UnitProgress> = BTreeMap::new();
        for p in projects {
            let counts = match counted {
                Counted::Supervised => supervised(p.status),
                Counted::Carried => !matches!(p.status, ProjectStatus::Planned | ProjectStatus::Cancelled),
            };
            if !counts || p.start_on.is_some_and(|s| s > end) {
                continue;
            }
            let u = units.entry(p.lead_unit_id).or_insert_with(|| UnitProgress {
                unit: names.get(&p.lead_unit_id).cloned().unwrap_or_default(),
                projects: 0,
                reports_on_time: 0,
                reports_late: 0,
                reports_missing: 0,
                on_time_rate: 100,
                milestones_due: 0,
                milestones_met: 0,
            });
            u.projects += 1;
            for r in reports.get(&p.id).into_iter().flatten().filter(|r| r.due <= due_by) {
                match r.standing(today) {
                    Standing::OnTime => u.reports_on_time += 1,
                    Standing::Late => u.reports_late += 1,
                    Standing::Missing => u.reports_missing += 1,
                    Standing::NotDue => {}
                }
            }
            for m in by_project.get(&p.id).into_iter().flatten().filter(|m| m.due_on <= end) {
                u.milestones_due += 1;
                if m.done_on.is_some_and(|d| d <= end) {
                    u.milestones_met += 1;
                }
            }
        }
        Ok(units
            .into_iter()
            .map(|(id, mut u)| {
                let expected = u.reports_on_time + u.reports_late + u.reports_missing;
                u.on_time_rate = (u.reports_on_time * 100).checked_div(expected).unwrap_or(100) as u32;
                (id, u)
            })
            .collect())
    }

    /// The organisations of `v`'s own scope; None for a viewer who reaches everything.
    async fn own_organizations(&self, v: &Viewer) -> Result<Option<HashSet<i64>>> {
        if v.scope == Scope::All {
            return Ok(None);
        }
        let mut q = Q::new("select t.id from organization t where 1 = 1");
        restrict_own(&mut q, v, RecordKind::Organization, "t");
        let ids: Vec<i64> = on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(Some(ids.into_iter().collect()))
    }

    /// Whether `v` may open the scorecard of organisation `org_id` (its own scope holds it).
    pub async fn may_see_scorecard(&self, v: &Viewer, org_id: i64) -> Result<bool> {
        Ok(self.own_organizations(v).await?.is_none_or(|own| own.contains(&org_id)))
    }

    /// The ranking of responsible units for a period, among the units `v` answers for: the office
    /// and leaders every unit, a coordinator the units of their subtree, a unit itself.
    pub async fn scorecard_ranking(&self, v: &Viewer, period: &RankPeriod) -> Result<Ranking> {
        let today = self.today();
        let (label, year, batch_id, f, due_by, end) = match period {
            RankPeriod::Year(y) => {
                let dec31 = NaiveDate::from_ymd_opt(*y, 12, 31).ok_or_else(|| bad_year(*y))?;
                let f = ProjectFilter {
                    batch_year: Some(y.to_string()),
                    ..Default::default()
                };
                (format!("{y}年度"), *y, None, f, NaiveDate::MAX, dec31.min(today))
            }
            RankPeriod::Batch { batch_id, period } => {
                let batch = self.get_batch(v, *batch_id).await?;
                let per = period_by_label(batch.year, batch.cadence, batch.report_due_day as u32, period).ok_or_else(
                    || {
                        StoreError::invalid(
                            "period",
                            Msg::new(
                                format!("“{period}”不是该清单的期次"),
                                format!("“{period}” is not a period of that batch"),
                            ),
                        )
                    },
                )?;
                let f = ProjectFilter {
                    batch_id: Some(batch_id.to_string()),
                    ..Default::default()
                };
                (
                    format!("{}（{}）", per.name(batch.cadence), batch.title),
                    batch.year,
                    Some(*batch_id),
                    f,
                    per.due,
                    per.end,
                )
            }
        };
        let projects = self.all_projects(v, &f).await?;
        let mut units = self.unit_progress(&projects, due_by, end, Counted::Supervised).await?;
        if let Some(own) = self.own_organizations(v).await? {
            units.retain(|(id, _)| own.contains(id));
        }
        Ok(Ranking {
            period: label,
            year,
            batch_id,
            end,
            units: rank(units),
        })
    }

    /// One unit's scorecard for `year`: the projects it leads of the year's list, its reports and
    /// milestones, outcomes and flags, beside the year before, and its place in the year's ranking.
    /// Not found outside `v`'s own scope (a unit sees its own; a coordinator their subtree's).
    pub async fn unit_scorecard(&self, v: &Viewer, org_id: i64, year: i32) -> Result<Scorecard> {
        if let Some(own) = self.own_organizations(v).await?
            && !own.contains(&org_id)
        {
            return Err(StoreError::NotFound);
        }
        let unit = self
            .organization_names(&[org_id])
            .await?
            .remove(&org_id)
            .ok_or(StoreError::NotFound)?;
        let (this_year, projects) = self.figures(v, org_id, year).await?;
        let (last_year, _) = self.figures(v, org_id, year - 1).await?;
        let ranking = self.scorecard_ranking(v, &RankPeriod::Year(year)).await?;
        let place = ranking.units.iter().find(|u| u.organization_id == org_id).cloned();
        Ok(Scorecard {
            organization_id: org_id,
            unit,
            year,
            projects: projects
                .into_iter()
                .map(|p| ScoredProject {
                    id: p.id,
                    title: p.title,
                    kind: p.kind,
                    status: p.status,
                    flag: p.flag,
                    flag_reasons: p.flag_reasons,
                })
                .collect(),
            changes: changes(&this_year, &last_year),
            this_year,
            last_year,
            rank: place,
            ranked_units: ranking.units.len(),
        })
    }

    async fn figures(&self, v: &Viewer, org_id: i64, year: i32) -> Result<(Figures, Vec<Project>)> {
        let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| bad_year(year))?;
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| bad_year(year))?;
        let f = ProjectFilter {
            batch_year: Some(year.to_string()),
            lead_unit_id: Some(org_id.to_string()),
            ..Default::default()
        };
        let projects = self.all_projects(v, &f).await?;
        let end = dec31.min(self.today());
        let progress = self
            .unit_progress(&projects, NaiveDate::MAX, end, Counted::Carried)
            .await?
            .into_iter()
            .find(|(id, _)| *id == org_id)
            .map(|(_, u)| u);
        let mut q = Q::new(
            "select count(*) from outcome o where o.archived = false and o.status = 'confirmed' and o.occurred_on >= ",
        );
        q.bind(Arg::Date(jan1))
            .push(" and o.occurred_on <= ")
            .bind(Arg::Date(dec31))
            .push(" and (o.organization_id = ")
            .bind(Arg::I64(org_id))
            .push(" or o.id in (select op.outcome_id from outcome_party op where op.organization_id = ")
            .bind(Arg::I64(org_id))
            .push(") or o.project_id in (select p.id from project p where p.lead_unit_id = ")
            .bind(Arg::I64(org_id))
            .push("))");
        let outcomes: i64 = on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(p).await)?;
        let flags = |f: Flag| projects.iter().filter(|p| p.flag == Some(f)).count();
        let mut fig = Figures {
            year,
            projects: projects.len(),
            outcomes: outcomes as usize,
            red: flags(Flag::Red),
            yellow: flags(Flag::Yellow),
            green: flags(Flag::Green),
            contract_amount_wan: Money(projects.iter().map(|p| p.contract_amount_wan.fen()).sum()),
            funding_won_wan: Money(projects.iter().map(|p| p.funding_won_wan.fen()).sum()),
            on_time_rate: 100,
            ..Default::default()
        };
        if let Some(u) = progress {
            fig.reports_on_time = u.reports_on_time;
            fig.reports_late = u.reports_late;
            fig.reports_missing = u.reports_missing;
            fig.on_time_rate = u.on_time_rate;
            fig.milestones_due = u.milestones_due;
            fig.milestones_met = u.milestones_met;
        }
        Ok((fig, projects))
    }
}

fn bad_year(y: i32) -> StoreError {
    StoreError::invalid(
        "year",
        Msg::new(format!("“{y}”不是有效的年度"), format!("“{y}” is not a year")),
    )
}

/// The year a ranking or scorecard shows when none is asked: this year.
pub fn this_year(today: NaiveDate) -> i32 {
    today.year()
}
