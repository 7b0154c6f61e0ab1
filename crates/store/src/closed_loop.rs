//! The closed loop (闭环) read from the records: each demand's step dates — collected (the visit's
//! or the submission's date), reviewed (the assessment that accepted it), matched (the first
//! accepted match), contract (the first confirmed technical contract), project (its project's start,
//! else the day it was entered), outcomes (the first confirmed outcome of another kind), used locally
//! (the first confirmed transfer in the city) — and each result's (listed, matched, transferred,
//! used locally). One query per funnel: each table grouped once by demand (or project) and joined; the
//! counting is `hezuo_domain::closed_loop::funnel`. Only confirmed outcomes the viewer may see count;
//! drafts and demands merged into another are not in the loop at all.

use crate::access::{Viewer, must_see, restrict};
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, on_db};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::RecordKind;
use hezuo_domain::access::Role;
use hezuo_domain::closed_loop::{DemandLoopStep, ResultLoopStep, StepFigures, Trail, funnel};
use hezuo_domain::demand::DemandStatus;

/// Which demands (or results) a funnel counts.
#[derive(Debug, Clone, Default)]
pub struct LoopFilter {
    /// Demands collected in this year (results: listed in this year).
    pub year: Option<i32>,
    /// Demands of this solicitation campaign.
    pub campaign_id: Option<i64>,
    /// Demands of enterprises in this division (a county's code takes in its towns).
    pub county: Option<String>,
}

/// One demand's step dates, as the funnel and the lists of those waiting read them.
#[derive(Debug, Clone)]
pub struct DemandTrail {
    pub demand_id: i64,
    pub status: DemandStatus,
    pub trail: Trail,
}

/// A funnel: the steps, first first, with their figures.
#[derive(Debug, Clone)]
pub struct Funnel<S> {
    /// How many demands (or results) it counts.
    pub total: i64,
    pub steps: Vec<(S, StepFigures)>,
    /// When it was counted, if it is one kept from a few minutes before (see `kept`).
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
}

/// A demand waiting (or stopped) at a step: what the office chases.
#[derive(Debug, Clone)]
pub struct WaitingDemand {
    pub id: i64,
    pub title: String,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub status: DemandStatus,
    /// The furthest step it reached.
    pub step: DemandLoopStep,
    /// The last date known on its way.
    pub since: Option<NaiveDate>,
}

/// Something on a demand's way: a review, a match, a contract, a project, an outcome.
#[derive(Debug, Clone)]
pub struct LoopItem {
    /// The record kind's URL segment (`matches`, `outcomes`, `projects`, …), `None` for a review.
    pub kind: Option<&'static str>,
    pub id: i64,
    pub title: String,
    pub date: Option<NaiveDate>,
    /// A status code of the record (an outcome's `reported`/`confirmed`, a match's status).
    pub state: String,
    /// Whether it counts for the step (an unconfirmed outcome is shown but does not count).
    pub counts: bool,
}

/// One step of one demand's loop.
#[derive(Debug, Clone)]
pub struct LoopStepView {
    pub step: DemandLoopStep,
    pub date: Option<NaiveDate>,
    pub reached: bool,
    /// Days from the step before, when both have dates.
    pub days: Option<i64>,
    pub items: Vec<LoopItem>,
}

/// A demand's way from intake to local use.
#[derive(Debug, Clone)]
pub struct DemandLoop {
    pub demand_id: i64,
    pub title: String,
    pub status: DemandStatus,
    pub steps: Vec<LoopStepView>,
    /// Every step happened.
    pub complete: bool,
    /// Closed before the end.
    pub stopped: bool,
    /// The step after the furthest reached, while the demand still moves.
    pub next: Option<DemandLoopStep>,
}

/// A timestamp's day in China (UTC+8).
fn china_day(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

/// The demands a funnel counts, for the viewer: the `where …` of `demand d`.
fn demand_scope(q: &mut Q, v: &Viewer, f: &LoopFilter) {
    q.push(
        " where d.archived = false and d.status <> 'draft' and d.merged_into_id is null \
         and coalesce(d.collected_on, d.submitted_on) is not null",
    );
    if let Some(y) = f.year {
        let (a, b) = year_bounds(y);
        q.push(" and coalesce(d.collected_on, d.submitted_on) >= ");
        q.bind(Arg::Date(a));
        q.push(" and coalesce(d.collected_on, d.submitted_on) < ");
        q.bind(Arg::Date(b));
    }
    if let Some(c) = f.campaign_id {
        q.push(" and d.campaign_id = ");
        q.bind(Arg::I64(c));
    }
    if let Some(county) = f.county.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        q.push(" and d.enterprise_id in (select eo.id from organization eo where eo.region_code like ");
        q.bind(Arg::Text(format!("{}%", county.trim_end_matches("00"))));
        q.push(")");
    }
    restrict(q, v, RecordKind::Demand, "d");
}

fn year_bounds(y: i32) -> (NaiveDate, NaiveDate) {
    let a = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
    let b = NaiveDate::from_ymd_opt(y + 1, 1, 1).unwrap_or(NaiveDate::MAX);
    (a, b)
}

/// The confirmed, unarchived outcomes the viewer may see, as a condition on alias `o`.
fn counted_outcomes(q: &mut Q, v: &Viewer) {
    q.push(" and o.status = 'confirmed' and o.archived = false");
    restrict_outcomes(q, v);
}

/// Outcomes (alias `o`) the viewer may see.
fn restrict_outcomes(q: &mut Q, v: &Viewer) {
    restrict(q, v, RecordKind::Outcome, "o");
}

/// The outcome steps: the column each fills and which confirmed outcomes count for it.
const OUTCOME_STEPS: [(&str, &str); 3] = [
    ("contracted", "o.kind = 'contract'"),
    ("outcome", "o.kind <> 'contract'"),
    ("local_use", "o.kind = 'transfer' and o.in_city = true"),
];

/// An outcome of demand `d`: linked to it, or to its project.
const OF_DEMAND: &str = "(o.demand_id = d.id or (d.project_id is not null and o.project_id = d.project_id))";

/// One packed row: `id,status,` then the seven step dates (empty when none).
fn unpack(row: &str) -> Result<DemandTrail> {
    let bad = || {
        crate::StoreError::Db(sqlx::Error::Protocol(format!(
            "the loop query answered a malformed row: {row}"
        )))
    };
    let mut parts = row.split(',');
    let id: i64 = parts.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let status = DemandStatus::parse(parts.next().ok_or_else(bad)?).unwrap_or(DemandStatus::Submitted);
    let dates = parts
        .map(|x| match x {
            "" => Ok(None),
            x => x.get(..10).and_then(|d| d.parse().ok()).map(Some).ok_or_else(bad),
        })
        .collect::<Result<Vec<Option<NaiveDate>>>>()?;
    if dates.len() != DemandLoopStep::ALL.len() {
        return Err(bad());
    }
    Ok(DemandTrail {
        demand_id: id,
        status,
        trail: Trail {
            dates,
            stopped: status == DemandStatus::Closed,
        },
    })
}

/// SQL for the day in China (UTC+8) of the timestamp `col`.
fn china_day_sql(backend: crate::Backend, col: &str) -> String {
    match backend {
        crate::Backend::Sqlite => format!("date({col}, '+8 hours')"),
        crate::Backend::Postgres => format!("cast(({col} at time zone 'UTC') + interval '8 hours' as date)"),
    }
}

#[derive(sqlx::FromRow)]
struct ResultRow {
    created_at: DateTime<Utc>,
    matched: Option<NaiveDate>,
    transferred_on: Option<NaiveDate>,
    transferred_locally: Option<bool>,
    transfer: Option<NaiveDate>,
    used: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct WaitingRow {
    id: i64,
    title: String,
    enterprise_id: i64,
    enterprise: String,
}

#[derive(Clone, sqlx::FromRow)]
struct ItemRow {
    id: i64,
    title: String,
    date: Option<NaiveDate>,
    at: Option<DateTime<Utc>>,
    state: String,
}

impl Store {
    /// The step dates of every demand `f` selects that `v` may see.
    pub async fn demand_trails(&self, v: &Viewer, f: &LoopFilter) -> Result<Vec<DemandTrail>> {
        self.demand_trails_where(v, f, None).await
    }

    async fn demand_trails_where(&self, v: &Viewer, f: &LoopFilter, only: Option<i64>) -> Result<Vec<DemandTrail>> {
        // Each step's first date grouped once per table and joined (hash joins, not a probe per
        // demand and step); for one demand, each group is narrowed to it first.
        let one = |q: &mut Q, col: &str| {
            if let Some(id) = only {
                q.push(&format!(" and {col} = "));
                q.bind(Arg::I64(id));
            }
        };
        let day = |col: &str| china_day_sql(self.backend, col);
        // The earlier of the dates linked to the demand and to its project, either maybe missing.
        let earlier = |a: &str, b: &str| format!("case when {b} < {a} then {b} else coalesce({a}, {b}) end");
        let mut q = Q::new(&format!(
            "select d.id as id, d.status as status, coalesce(d.collected_on, d.submitted_on) as collected, \
             {} as reviewed, m.matched as matched, {} as contracted, \
             coalesce(p.start_on, {}) as project, {} as outcome, {} as local_use from demand d \
             left join (select demand_id, min(created_at) as reviewed from demand_review",
            day("r.reviewed"),
            earlier("od.contracted", "op.contracted"),
            day("p.created_at"),
            earlier("od.outcome", "op.outcome"),
            earlier("od.local_use", "op.local_use"),
        ));
        q.push(" where stage = 'assess' and decision = 'pass'");
        one(&mut q, "demand_id");
        q.push(
            " group by demand_id) r on r.demand_id = d.id \
             left join (select demand_id, min(accepted_on) as matched from demand_match where status = 'accepted'",
        );
        one(&mut q, "demand_id");
        q.push(" group by demand_id) m on m.demand_id = d.id");
        let steps: Vec<String> = OUTCOME_STEPS
            .iter()
            .map(|(name, cond)| format!("min(case when {cond} then o.occurred_on end) as {name}"))
            .collect();
        let steps = steps.join(", ");
        q.push(&format!(
            " left join (select o.demand_id as link, {steps} from outcome o where o.demand_id is not null"
        ));
        counted_outcomes(&mut q, v);
        one(&mut q, "o.demand_id");
        q.push(&format!(
            " group by o.demand_id) od on od.link = d.id \
             left join (select o.project_id as link, {steps} from outcome o where o.project_id is not null"
        ));
        counted_outcomes(&mut q, v);
        if let Some(id) = only {
            q.push(" and o.project_id = (select od1.project_id from demand od1 where od1.id = ");
            q.bind(Arg::I64(id));
            q.push(")");
        }
        q.push(" group by o.project_id) op on op.link = d.project_id left join project p on p.id = d.project_id");
        demand_scope(&mut q, v, f);
        one(&mut q, "d.id");
        // Every row packed into one text (`id,status,date,…;…`): a hundred thousand rows cross the
        // driver as one value, not one by one (SQLite's driver hands rows over singly: 3× slower).
        let cols = [
            "collected",
            "reviewed",
            "matched",
            "contracted",
            "project",
            "outcome",
            "local_use",
        ]
        .iter()
        .map(|c| format!(" || ',' || coalesce(cast(t.{c} as text), '')"))
        .collect::<String>();
        let agg = match self.backend {
            crate::Backend::Sqlite => "group_concat",
            crate::Backend::Postgres => "string_agg",
        };
        let sql = format!(
            "select {agg}(cast(t.id as text) || ',' || t.status{cols}, ';') from ({}) t",
            q.sql
        );
        let packed: Option<String> =
            on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), q.args).fetch_one(p).await?);
        packed
            .as_deref()
            .unwrap_or("")
            .split(';')
            .filter(|r| !r.is_empty())
            .map(unpack)
            .collect()
    }

    /// The funnel of the demands `f` selects that `v` may see, with only confirmed outcomes.
    ///
    /// Where counting it took long (a province's 200,000 demands), it is kept a few minutes and
    /// `as_of` says when it was counted (see `kept`).
    pub async fn demand_funnel(&self, v: &Viewer, f: &LoopFilter) -> Result<Funnel<DemandLoopStep>> {
        // Who sees which demands: the scope, and for an expert or enterprise the user themself.
        let broad = matches!(v.role, Role::Office | Role::Leader | Role::Coordinator);
        let key = format!(
            "demand funnel {:?} {:?} {:?} {f:?} {}",
            v.scope,
            (!broad).then_some(v.role),
            (!broad).then_some(v.user_id),
            self.today()
        );
        let (v, f) = (v.clone(), f.clone());
        let (mut funnel_now, as_of) = self
            .kept(key, move |s: Store| {
                let (v, f) = (v.clone(), f.clone());
                async move {
                    let trails: Vec<Trail> = s.demand_trails(&v, &f).await?.into_iter().map(|t| t.trail).collect();
                    let figures = funnel(DemandLoopStep::ALL.len(), &trails);
                    Ok(Funnel {
                        total: trails.len() as i64,
                        steps: DemandLoopStep::ALL.iter().copied().zip(figures).collect(),
                        as_of: None,
                    })
                }
            })
            .await?;
        funnel_now.as_of = as_of;
        Ok(funnel_now)
    }

    /// The demands whose furthest step is `step` (any step short of the end when `None`) and that
    /// are still moving (`stopped` false) or closed there (`stopped` true), longest waiting first;
    /// a page of them and the total.
    pub async fn demands_at_step(
        &self,
        v: &Viewer,
        f: &LoopFilter,
        step: Option<DemandLoopStep>,
        stopped: bool,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<WaitingDemand>, i64)> {
        let at = step.and_then(|step| DemandLoopStep::ALL.iter().position(|s| *s == step));
        let mut found: Vec<DemandTrail> = self
            .demand_trails(v, f)
            .await?
            .into_iter()
            .filter(|t| {
                t.trail.furthest().is_some()
                    && at.is_none_or(|a| t.trail.furthest() == Some(a))
                    && !t.trail.complete()
                    && t.trail.stopped == stopped
            })
            .collect();
        found.sort_by_key(|t| (t.trail.last_date(), t.demand_id));
        let total = found.len() as i64;
        let start = ((page.max(1) - 1) * per_page).min(total) as usize;
        let slice: Vec<DemandTrail> = found.into_iter().skip(start).take(per_page as usize).collect();
        let ids: Vec<i64> = slice.iter().map(|t| t.demand_id).collect();
        let mut q = Q::new(
            "select d.id as id, d.title as title, d.enterprise_id as enterprise_id, e.name as enterprise \
             from demand d join organization e on e.id = d.enterprise_id where d.id in ",
        );
        q.bind_list(&ids);
        let rows: Vec<WaitingRow> =
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql)), q.args).fetch_all(p).await?);
        let items = slice
            .into_iter()
            .filter_map(|t| {
                let r = rows.iter().find(|r| r.id == t.demand_id)?;
                Some(WaitingDemand {
                    id: r.id,
                    title: r.title.clone(),
                    enterprise_id: r.enterprise_id,
                    enterprise: r.enterprise.clone(),
                    status: t.status,
                    step: t.trail.furthest().and_then(|f| DemandLoopStep::ALL.get(f).copied())?,
                    since: t.trail.last_date(),
                })
            })
            .collect();
        Ok((items, total))
    }

    /// The funnel of the results `v` may see (listed in `f.year` when given), with only confirmed
    /// outcomes: listed → matched (an accepted match) → transferred (the result marked transferred,
    /// or a confirmed transfer) → used locally (a transfer in the city, or a new product or revenue
    /// from it).
    pub async fn result_funnel(&self, v: &Viewer, f: &LoopFilter) -> Result<Funnel<ResultLoopStep>> {
        let mut q = Q::new(
            "select r.created_at as created_at, \
             (select min(m.accepted_on) from demand_match m where m.result_id = r.id and m.status = 'accepted') as matched, \
             r.transferred_on as transferred_on, r.transferred_locally as transferred_locally, \
             (select min(o.occurred_on) from outcome o where o.result_id = r.id and o.kind = 'transfer'",
        );
        counted_outcomes(&mut q, v);
        q.push(
            ") as transfer, (select min(o.occurred_on) from outcome o where o.result_id = r.id \
             and ((o.kind = 'transfer' and o.in_city = true) or o.kind in ('product', 'revenue'))",
        );
        counted_outcomes(&mut q, v);
        q.push(") as used from research_result r where r.archived = false");
        if let Some(y) = f.year {
            q.push(" and r.year = ");
            q.bind(Arg::I64(y as i64));
        }
        restrict(&mut q, v, RecordKind::ResearchResult, "r");
        let rows: Vec<ResultRow> =
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql)), q.args).fetch_all(p).await?);
        let trails: Vec<Trail> = rows
            .into_iter()
            .map(|r| {
                let transferred = match (r.transferred_on, r.transfer) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let used = r.used.or(if r.transferred_locally == Some(true) {
                    r.transferred_on
                } else {
                    None
                });
                Trail {
                    dates: vec![Some(china_day(r.created_at)), r.matched, transferred, used],
                    stopped: false,
                }
            })
            .collect();
        let figures = funnel(ResultLoopStep::ALL.len(), &trails);
        Ok(Funnel {
            total: trails.len() as i64,
            steps: ResultLoopStep::ALL.iter().copied().zip(figures).collect(),
            as_of: None,
        })
    }

    /// One demand's way from intake to local use, with what happened at each step; not found when
    /// `v` may not see the demand. Unconfirmed outcomes are listed but do not count.
    pub async fn demand_loop(&self, v: &Viewer, id: i64) -> Result<DemandLoop> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Demand, id).await?;
        drop(tx);
        let trail = self.demand_trail(v, id).await?;
        let (title, project_id): (String, Option<i64>) = on_db!(&self.db, p => sqlx::query_as("select title, project_id from demand where id = $1")
            .bind(id).fetch_one(p).await?);
        let mut items: Vec<Vec<LoopItem>> = vec![Vec::new(); DemandLoopStep::ALL.len()];
        // Reviews: every decision, the accepting one counting.
        let rows: Vec<ItemRow> = on_db!(&self.db, p => sqlx::query_as(
            "select id, stage || ':' || decision as title, cast(null as date) as date, created_at as at, decision as state \
             from demand_review where demand_id = $1 order by id")
            .bind(id).fetch_all(p).await?);
        for r in rows {
            let counts = r.title == "assess:pass";
            items[1].push(item(None, r, counts));
        }
        // Matches: those the viewer may see, an accepted one counting.
        let mut q = Q::new(
            "select m.id as id, coalesce(pe.name, rr.title, '') as title, m.accepted_on as date, \
             cast(null as timestamp) as at, m.status as state from demand_match m \
             left join person pe on pe.id = m.person_id left join research_result rr on rr.id = m.result_id \
             where m.demand_id = ",
        );
        q.bind(Arg::I64(id));
        restrict(&mut q, v, RecordKind::Match, "m");
        q.push(" and m.status in ('contacted', 'accepted') order by m.id");
        for r in self.item_rows(q).await? {
            let counts = r.state == "accepted";
            items[2].push(item(Some("matches"), r, counts));
        }
        // The project.
        if let Some(pid) = project_id {
            let mut q = Q::new(
                "select p.id as id, p.title as title, p.start_on as date, p.created_at as at, p.status as state \
                 from project p where p.id = ",
            );
            q.bind(Arg::I64(pid));
            restrict(&mut q, v, RecordKind::Project, "p");
            for r in self.item_rows(q).await? {
                items[4].push(item(Some("projects"), r, true));
            }
        }
        // Outcomes the viewer may see, confirmed or not: contracts, local transfers, the rest.
        let mut q = Q::new(
            "select o.id as id, o.title as title, o.occurred_on as date, cast(null as timestamp) as at, \
             o.status as state, o.kind as kind, o.in_city as in_city from outcome o, demand d where d.id = ",
        );
        q.bind(Arg::I64(id));
        q.push(&format!(" and {OF_DEMAND} and o.archived = false"));
        restrict_outcomes(&mut q, v);
        q.push(" order by o.occurred_on, o.id");
        #[derive(sqlx::FromRow)]
        struct OutcomeRow {
            #[sqlx(flatten)]
            item: ItemRow,
            kind: String,
            in_city: Option<bool>,
        }
        let rows: Vec<OutcomeRow> =
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql)), q.args).fetch_all(p).await?);
        for r in rows {
            let counts = r.item.state == "confirmed";
            let step = match (r.kind.as_str(), r.in_city) {
                ("contract", _) => 3,
                ("transfer", Some(true)) => 6,
                _ => 5,
            };
            if step == 6 {
                // A transfer in the city is an outcome too.
                items[5].push(item(Some("outcomes"), r.item.clone(), counts));
            }
            items[step].push(item(Some("outcomes"), r.item, counts));
        }
        let furthest = trail.trail.furthest();
        let complete = trail.trail.complete();
        let steps = DemandLoopStep::ALL
            .iter()
            .enumerate()
            .zip(items)
            .map(|((i, s), items)| LoopStepView {
                step: *s,
                date: trail.trail.dates[i],
                reached: trail.trail.reached(i),
                days: trail.trail.days(i),
                items,
            })
            .collect();
        let stopped = trail.trail.stopped && !complete;
        let next = match furthest {
            _ if complete || stopped => None,
            Some(f) => DemandLoopStep::ALL.get(f + 1).copied(),
            None => Some(DemandLoopStep::Collected),
        };
        Ok(DemandLoop {
            demand_id: id,
            title,
            status: trail.status,
            steps,
            complete,
            stopped,
            next,
        })
    }

    /// One demand's step dates (a draft or a merged demand: no dates).
    async fn demand_trail(&self, v: &Viewer, id: i64) -> Result<DemandTrail> {
        // The funnel's own query, narrowed to one demand.
        let f = LoopFilter::default();
        let all = self.demand_trails_where(v, &f, Some(id)).await?;
        Ok(all.into_iter().next().unwrap_or(DemandTrail {
            demand_id: id,
            status: DemandStatus::Draft,
            trail: Trail {
                dates: vec![None; DemandLoopStep::ALL.len()],
                stopped: false,
            },
        }))
    }

    async fn item_rows(&self, q: Q) -> Result<Vec<ItemRow>> {
        Ok(on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql)), q.args).fetch_all(p).await?))
    }
}

fn item(kind: Option<&'static str>, r: ItemRow, counts: bool) -> LoopItem {
    LoopItem {
        kind,
        id: r.id,
        title: r.title,
        date: r.date.or(r.at.map(china_day)),
        state: r.state,
        counts,
    }
}
