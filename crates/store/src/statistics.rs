//! Statistics (`/stats`, `GET /api/v1/stats`, the leaders' dashboard): the cooperation's figures
//! grouped by county, college, industry, project kind or year, for a year and the year before,
//! narrowed to what the viewer oversees. (`stats.rs` is the /metrics counters — not this.)
//!
//! What each grouping means, for every record counted:
//! - county: the division code of the lead unit (projects), the enterprise (demands; an outcome's
//!   enterprise, else its organisation), the hosts (platforms: once in each), the local side
//!   (secondments), the county served (trainings), the organiser (meetings), the owner (decisions);
//! - college: the nearest college or university at or above a unit — a project's lead unit and
//!   co-units (once under each distinct college), a platform's hosts, the university side of a
//!   secondment, a training's organisers, a meeting's organiser, an outcome's organisation, a
//!   decision's owner. Demands have no college;
//! - industry: the GB/T 4754 section of the units' industry codes (a project once under each
//!   distinct section of its lead unit and co-units; a demand its own industry, else its
//!   enterprise's; an outcome its enterprise's, else its organisation's);
//! - kind: the project kind (projects only);
//! - year: the project's batch year, the day a demand was collected, an outcome occurred, a
//!   platform was established (else recorded), a training started, a meeting was held, a decision
//!   was due; a secondment counts in every year of its term.
//!
//! Projects are counted in SQL (a province holds a million); the other records are few and are
//! folded here. Flags are today's, computed as everywhere else (`supervision::flag`) and read from
//! the stored flags (`project_flags`), refreshed first where a write or a new day made them stale.

use crate::access::{Viewer, restrict, restrict_own};
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, StoreError, on_db};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::codes::{division_name, industry_name};
use hezuo_domain::project::ProjectKind;
use hezuo_domain::statistics::{Figures, StatsBy, StatsRow, StatsTable, not_grouped};
use hezuo_domain::{Msg, RecordKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An organisation as the groupings read it.
struct Org {
    parent: Option<i64>,
    kind: String,
    region: Option<String>,
    industry: Option<String>,
    name: String,
}

struct Orgs(HashMap<i64, Org>);

impl Orgs {
    /// The nearest college or university at or above `id`.
    fn college(&self, id: i64) -> Option<i64> {
        let mut at = Some(id);
        for _ in 0..100 {
            let o = self.0.get(&at?)?;
            if matches!(o.kind.as_str(), "college" | "university") {
                return at;
            }
            at = o.parent;
        }
        None
    }
    fn region(&self, id: i64) -> Option<&str> {
        self.0.get(&id)?.region.as_deref().filter(|r| !r.is_empty())
    }
    fn section(&self, id: i64) -> Option<String> {
        section(self.0.get(&id)?.industry.as_deref())
    }
}

/// The GB/T 4754 section (the letter) of an industry code.
fn section(code: Option<&str>) -> Option<String> {
    let c = code?.trim().chars().next()?;
    c.is_ascii_alphabetic().then(|| c.to_ascii_uppercase().to_string())
}

/// The figures gathered per (group key, year), and per year over every record once.
#[derive(Default)]
struct Acc {
    cells: HashMap<(String, i32), Figures>,
    totals: HashMap<i32, Figures>,
}

impl Acc {
    /// One record (or one SQL group of records with the same keys): counted once in each distinct
    /// key, once in the total, for each year.
    fn add(&mut self, keys: &[String], years: &[i32], f: &Figures) {
        let keys: BTreeSet<&String> = keys.iter().collect();
        for y in years {
            self.totals.entry(*y).or_default().add(f);
            for k in &keys {
                self.cells.entry(((*k).clone(), *y)).or_default().add(f);
            }
        }
    }
}

/// Which groups a record counts in, for the grouping asked: its keys given its organisations'
/// ids (`units`); for `year` the year itself is the key (see [`Acc`] use in [`Store::statistics`]).
fn keys_of(by: StatsBy, orgs: &Orgs, units: &[i64], region: Option<&str>, industry: Option<&str>) -> Vec<String> {
    match by {
        StatsBy::County => region
            .map(str::to_string)
            .or_else(|| units.iter().find_map(|u| orgs.region(*u)).map(str::to_string))
            .into_iter()
            .collect(),
        StatsBy::College => units
            .iter()
            .filter_map(|u| orgs.college(*u))
            .map(|c| c.to_string())
            .collect(),
        StatsBy::Industry => match section(industry) {
            Some(s) => vec![s],
            None => units.iter().filter_map(|u| orgs.section(*u)).collect(),
        },
        StatsBy::Kind | StatsBy::Year => vec![],
    }
}

fn years_between(a: NaiveDate, b: NaiveDate) -> Vec<i32> {
    (a.year()..=b.year().max(a.year())).collect()
}

/// `true` when the grouping splits this figure; otherwise the records count in the total only.
fn grouped(by: StatsBy, code: &str) -> bool {
    !not_grouped(by).contains(&code)
}

#[derive(sqlx::FromRow)]
struct ProjectGroup {
    k: Option<String>,
    batch_year: i32,
    status: Option<String>,
    n: i64,
    contract_fen: i64,
    funding_fen: i64,
}

/// What [`Store::count_projects`] counts.
#[derive(Clone, Copy, PartialEq)]
enum Measure {
    /// Projects by status, with their money.
    Counts,
    /// Today's red and yellow flags.
    Flags,
}

impl Measure {
    /// The figures of `n` projects of one group: `split` is their status, or their flag.
    fn figures(self, split: &str, n: i64, contract: i64, funding: i64) -> Figures {
        match self {
            Measure::Counts => project_figures(split, n, contract, funding),
            Measure::Flags => Figures {
                red: if split == "red" { n } else { 0 },
                yellow: if split == "yellow" { n } else { 0 },
                ..Default::default()
            },
        }
    }
}

/// Appends ` and p.batch_year in (a, b)` when the statistics are for a year (and the one before).
fn push_years(q: &mut Q, years: Option<[i32; 2]>) {
    if let Some([a, b]) = years {
        q.push(" and p.batch_year in (")
            .bind(Arg::I32(a))
            .push(", ")
            .bind(Arg::I32(b))
            .push(")");
    }
}

fn project_figures(status: &str, n: i64, contract: i64, funding: i64) -> Figures {
    Figures {
        projects: n,
        in_progress: if matches!(status, "approved" | "in_progress") {
            n
        } else {
            0
        },
        completed: if matches!(status, "completed" | "accepted" | "transferred") {
            n
        } else {
            0
        },
        contract_fen: contract,
        funding_fen: funding,
        ..Default::default()
    }
}

/// Appends ` and {col} in (organisations of v's own scope)` unless v sees everything.
fn own_orgs(q: &mut Q, v: &Viewer, col: &str) {
    if v.scope == Scope::All {
        return;
    }
    q.push(&format!(" and {col} in (select r.id from organization r where 1 = 1"));
    restrict_own(q, v, RecordKind::Organization, "r");
    q.push(")");
}

macro_rules! fetch {
    ($store:expr, $q:expr) => {{
        let q: &Q = &$q;
        on_db!(&$store.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?
    }};
}

impl Store {
    /// The statistics `v` may read, grouped `by`, for `year` and the year before (all years, with
    /// no previous figures, when `year` is None; by year, every year with the one before it).
    /// The office and leaders read the whole; a coordinator the records of their subtree; other
    /// roles are refused.
    ///
    /// Where making them took long (a province's), they are kept a few minutes and `as_of` says
    /// when they were made (see `kept`): they are the same for every viewer of the same scope.
    pub async fn statistics(&self, v: &Viewer, by: StatsBy, year: Option<i32>) -> Result<StatsTable> {
        if !matches!(v.role, Role::Office | Role::Leader | Role::Coordinator) {
            return Err(StoreError::Forbidden(Msg::new(
                "统计分析仅向协调办、领导和区县/学院联络员开放",
                "Statistics are for the office, leaders and coordinators",
            )));
        }
        // The same for every viewer of one scope: the office's and leaders' (the whole) are one.
        let key = format!("statistics {:?} {} {year:?} {}", v.scope, by.as_str(), self.today());
        let viewer = v.clone();
        let (mut t, as_of) = self
            .kept(key, move |s: Store| {
                let v = viewer.clone();
                async move { s.make_statistics(&v, by, year).await }
            })
            .await?;
        t.as_of = as_of;
        Ok(t)
    }

    async fn make_statistics(&self, v: &Viewer, by: StatsBy, year: Option<i32>) -> Result<StatsTable> {
        let orgs = self.stats_orgs().await?;
        let mut acc = Acc::default();
        // Projects in SQL; with a year, that year and the one before only.
        let years = year.map(|y| [y - 1, y]);
        let started = std::time::Instant::now();
        let ms = |t: std::time::Instant| t.elapsed().as_millis() as u64;
        self.count_projects(v, by, years, &orgs, &mut acc, Measure::Counts)
            .await?;
        let counted = ms(started);
        self.refresh_flags(years.as_ref().map(|y| &y[..])).await?;
        let refreshed = ms(started);
        self.count_projects(v, by, years, &orgs, &mut acc, Measure::Flags)
            .await?;
        let flagged = ms(started);
        self.count_others(v, by, &orgs, &mut acc).await?;
        tracing::debug!(
            by = by.as_str(),
            counted,
            refreshed,
            flagged,
            others = ms(started),
            "statistics: ms since start after each part"
        );
        let city = self.city_region().await?;
        Ok(build_table(by, year, acc, &orgs, city.as_deref()))
    }

    async fn stats_orgs(&self) -> Result<Orgs> {
        type R = (i64, Option<i64>, String, Option<String>, Option<String>, String);
        let rows: Vec<R> = on_db!(&self.db, p => sqlx::query_as(
            "select id, parent_id, kind, region_code, industry_code, name from organization").fetch_all(p).await)?;
        Ok(Orgs(
            rows.into_iter()
                .map(|(id, parent, kind, region, industry, name)| {
                    (
                        id,
                        Org {
                            parent,
                            kind,
                            region,
                            industry,
                            name,
                        },
                    )
                })
                .collect(),
        ))
    }

    /// Projects' counts and money (`Measure::Counts`: one SQL group per key, batch year and
    /// status), or today's red and yellow flags (`Measure::Flags`: per key, batch year and flag,
    /// from the stored flags, refreshed first where stale).
    async fn count_projects(
        &self,
        v: &Viewer,
        by: StatsBy,
        years: Option<[i32; 2]>,
        orgs: &Orgs,
        acc: &mut Acc,
        measure: Measure,
    ) -> Result<()> {
        // By county, college and industry the lead unit's id, mapped below (its division, its
        // college, its section) from the organisations already read: no join over a million rows.
        // The co-units come after.
        let (key, group) = match by {
            StatsBy::Kind => ("p.kind", "p.batch_year, p.kind"),
            StatsBy::County | StatsBy::College | StatsBy::Industry => {
                ("cast(p.lead_unit_id as text)", "p.batch_year, p.lead_unit_id")
            }
            // PostgreSQL refuses a constant in `group by`: by year the key is no column.
            StatsBy::Year => ("cast(null as text)", "p.batch_year"),
        };
        // What a group is split by (`status`), what it sums, and which projects it reads (as `p`,
        // which the scope restricts). Flags come from `project_flag` and its index alone: it keeps
        // each flagged project's year, lead unit and kind (a change to them empties the flag), and
        // a flag is only ever stored on a project being carried out and not archived. The scope's
        // restriction reads `p.id` and `p.lead_unit_id`, which both have (experts, whose scope reads
        // the responsible person, are refused statistics above).
        const FLAGGED: &str = "(select project_id as id, batch_year, lead_unit_id, kind, flag \
                               from project_flag where flag in ('red', 'yellow')) p";
        let (status, contract, funding, from, which) = match measure {
            Measure::Counts => (
                "p.status",
                "p.contract_amount_fen",
                "p.funding_won_fen",
                "project p",
                " and p.archived = false",
            ),
            Measure::Flags => ("p.flag", "0", "0", FLAGGED, ""),
        };
        let mut q = Q::new(&format!(
            "select {key} as k, p.batch_year as batch_year, {status} as status, count(*) as n, \
             cast(coalesce(sum({contract}), 0) as bigint) as contract_fen, \
             cast(coalesce(sum({funding}), 0) as bigint) as funding_fen \
             from {from} where 1 = 1{which}"
        ));
        push_years(&mut q, years);
        restrict(&mut q, v, RecordKind::Project, "p");
        // In the order of the index `project_stats` (year, unit, status): SQLite groups as it reads.
        q.push(&format!(" group by {group}, {status}"));
        let rows: Vec<ProjectGroup> = fetch!(self, q);
        for r in rows {
            let f = measure.figures(
                r.status.as_deref().unwrap_or_default(),
                r.n,
                r.contract_fen,
                r.funding_fen,
            );
            let keys: Vec<String> = match by {
                StatsBy::College | StatsBy::Industry => {
                    let lead: i64 = r.k.as_deref().and_then(|k| k.parse().ok()).unwrap_or_default();
                    keys_of(by, orgs, &[lead], None, None)
                }
                StatsBy::County => {
                    let lead: i64 = r.k.as_deref().and_then(|k| k.parse().ok()).unwrap_or_default();
                    vec![orgs.region(lead).unwrap_or_default().to_string()]
                }
                StatsBy::Kind => vec![r.k.clone().unwrap_or_default()],
                StatsBy::Year => vec![],
            };
            acc.add(&keys, &[r.batch_year], &f);
        }
        if !matches!(by, StatsBy::College | StatsBy::Industry) {
            return Ok(());
        }
        // A project counts once under each further college (industry) of its co-units — beyond
        // its lead unit's. Only into the groups: the total has it already.
        // The co-units first: a third of the projects have one.
        let mut q = Q::new(&format!(
            "select p.id, p.lead_unit_id, cu.organization_id, p.batch_year, {status}, \
             cast({contract} as bigint), cast({funding} as bigint) \
             from project_co_unit cu join {from} on p.id = cu.project_id where 1 = 1{which}"
        ));
        push_years(&mut q, years);
        restrict(&mut q, v, RecordKind::Project, "p");
        q.push(" order by cu.project_id");
        type Co = (i64, i64, i64, i32, Option<String>, i64, i64);
        let rows: Vec<Co> = fetch!(self, q);
        // Each unit's keys once (a province has 100,000 units and a third of a million co-units).
        let mut unit_keys: HashMap<i64, Vec<String>> = HashMap::new();
        for r in &rows {
            for u in [r.1, r.2] {
                unit_keys
                    .entry(u)
                    .or_insert_with(|| keys_of(by, orgs, &[u], None, None));
            }
        }
        let none: Vec<String> = Vec::new();
        let keys_of_unit = |u: i64| unit_keys.get(&u).unwrap_or(&none);
        let mut i = 0;
        let mut extra: Vec<&String> = Vec::new();
        while i < rows.len() {
            let (id, lead, _, year, ref status, contract, funding) = rows[i];
            let lead_keys = keys_of_unit(lead);
            extra.clear();
            while i < rows.len() && rows[i].0 == id {
                for k in keys_of_unit(rows[i].2) {
                    if !lead_keys.contains(k) && !extra.contains(&k) {
                        extra.push(k);
                    }
                }
                i += 1;
            }
            if extra.is_empty() {
                continue;
            }
            let f = measure.figures(status.as_deref().unwrap_or_default(), 1, contract, funding);
            for k in &extra {
                match acc.cells.get_mut(&((*k).clone(), year)) {
                    Some(c) => c.add(&f),
                    None => {
                        acc.cells.insert(((*k).clone(), year), f);
                    }
                }
            }
        }
        Ok(())
    }

    /// Demands, outcomes, platforms, secondments, trainings, meetings and decisions: few enough
    /// to read one row each and fold here.
    async fn count_others(&self, v: &Viewer, by: StatsBy, orgs: &Orgs, acc: &mut Acc) -> Result<()> {
        let add = |acc: &mut Acc, code: &str, keys: Vec<String>, years: &[i32], f: Figures| {
            let keys = if grouped(by, code) { keys } else { vec![] };
            acc.add(&keys, years, &f);
        };
        // Demands: collected (as the loop's funnel counts them).
        let mut q = Q::new(
            "select d.enterprise_id, d.industry, coalesce(d.collected_on, d.submitted_on) from demand d \
             where d.archived = false and d.status <> 'draft' and d.merged_into_id is null \
             and coalesce(d.collected_on, d.submitted_on) is not null",
        );
        restrict(&mut q, v, RecordKind::Demand, "d");
        let rows: Vec<(i64, Option<String>, NaiveDate)> = fetch!(self, q);
        for (ent, industry, day) in rows {
            let keys = keys_of(by, orgs, &[ent], None, industry.as_deref());
            let f = Figures {
                demands: 1,
                ..Default::default()
            };
            add(acc, "demands", keys, &[day.year()], f);
        }
        // Confirmed outcomes: amounts received, results transferred (locally).
        let mut q = Q::new(
            "select o.kind, o.organization_id, o.enterprise_id, o.occurred_on, o.received_fen, o.in_city \
             from outcome o where o.archived = false and o.status = 'confirmed'",
        );
        restrict(&mut q, v, RecordKind::Outcome, "o");
        type Out = (String, i64, Option<i64>, NaiveDate, Option<i64>, Option<bool>);
        let rows: Vec<Out> = fetch!(self, q);
        for (kind, org, ent, day, received, in_city) in rows {
            let transfer = kind == "transfer";
            let f = Figures {
                received_fen: received.unwrap_or(0),
                transfers: i64::from(transfer),
                transfers_local: i64::from(transfer && in_city == Some(true)),
                ..Default::default()
            };
            if f == Figures::default() {
                continue;
            }
            let keys = match by {
                StatsBy::College => keys_of(by, orgs, &[org], None, None),
                _ => keys_of(by, orgs, &[ent.unwrap_or(org)], None, None),
            };
            let keys = if keys.is_empty() && by != StatsBy::College {
                keys_of(by, orgs, &[org], None, None)
            } else {
                keys
            };
            add(acc, "transfers", keys, &[day.year()], f);
        }
        // Platforms: by the year established (else recorded), under each host's county and college.
        let mut q = Q::new(
            "select t.id, t.established_on, t.created_at, h.organization_id from platform t \
             left join platform_host h on h.platform_id = t.id where t.archived = false and t.status <> 'closed'",
        );
        if v.scope != Scope::All {
            q.push(" and t.id in (select sh.platform_id from platform_host sh where 1 = 1");
            own_orgs(&mut q, v, "sh.organization_id");
            q.push(")");
        }
        q.push(" order by t.id");
        type Pl = (i64, Option<NaiveDate>, DateTime<Utc>, Option<i64>);
        let rows: Vec<Pl> = fetch!(self, q);
        let mut i = 0;
        while i < rows.len() {
            let (id, est, created, _) = rows[i];
            let mut hosts = Vec::new();
            while i < rows.len() && rows[i].0 == id {
                hosts.extend(rows[i].3);
                i += 1;
            }
            let year = est.map_or(created.year(), |d| d.year());
            let keys = match by {
                StatsBy::County => hosts
                    .iter()
                    .filter_map(|h| orgs.region(*h))
                    .map(str::to_string)
                    .collect(),
                _ => keys_of(by, orgs, &hosts, None, None),
            };
            let f = Figures {
                platforms: 1,
                ..Default::default()
            };
            add(acc, "platforms", keys, &[year], f);
        }
        // Secondments (not cancelled before they began): every year of the term.
        let mut q = Q::new(
            "select secondment.direction, secondment.from_organization_id, secondment.to_organization_id, secondment.start_on, \
             coalesce(secondment.ended_on, secondment.end_on) from secondment where secondment.archived = false",
        );
        restrict(&mut q, v, RecordKind::Secondment, "secondment");
        type Se = (String, i64, i64, NaiveDate, NaiveDate);
        let rows: Vec<Se> = fetch!(self, q);
        for (direction, from, to, start, last) in rows {
            // The local side is where the secondee serves (to local) or comes from (to the university).
            let (local, uni) = if direction == "to_university" {
                (from, to)
            } else {
                (to, from)
            };
            let keys = match by {
                StatsBy::County => orgs.region(local).map(str::to_string).into_iter().collect(),
                StatsBy::College => keys_of(by, orgs, &[uni, local], None, None),
                _ => keys_of(by, orgs, &[local], None, None),
            };
            let f = Figures {
                secondments: 1,
                ..Default::default()
            };
            add(acc, "secondments", keys, &years_between(start, last), f);
        }
        // Trainings held or planned (not cancelled), with the people who attended.
        let mut q = Q::new(
            "select t.organizer_id, t.co_organizer_id, t.county_code, t.start_on, \
             (select count(*) from training_participant tp where tp.training_id = t.id and tp.attended = true) \
             from training t where t.archived = false and t.status <> 'cancelled'",
        );
        restrict(&mut q, v, RecordKind::Training, "t");
        type Tr = (i64, Option<i64>, Option<String>, NaiveDate, i64);
        let rows: Vec<Tr> = fetch!(self, q);
        for (org, co, county, start, trained) in rows {
            let mut units = vec![org];
            units.extend(co);
            let keys = keys_of(by, orgs, &units, county.as_deref().filter(|c| !c.is_empty()), None);
            let f = Figures {
                trainings: 1,
                trained,
                ..Default::default()
            };
            add(acc, "trainings", keys, &[start.year()], f);
        }
        // Meetings held, by their organiser.
        let mut q = Q::new("select e.organizer_id, e.held_on from event e where e.archived = false");
        own_orgs(&mut q, v, "e.organizer_id");
        let rows: Vec<(Option<i64>, NaiveDate)> = fetch!(self, q);
        for (org, held) in rows {
            let units: Vec<i64> = org.into_iter().collect();
            let f = Figures {
                events: 1,
                ..Default::default()
            };
            add(acc, "events", keys_of(by, orgs, &units, None, None), &[held.year()], f);
        }
        // Decisions due (not cancelled), and those done or handed over by their due date.
        let mut q = Q::new(
            "select d.owner_id, d.due_on, d.status, d.done_on from decision d \
             where d.archived = false and d.status <> 'cancelled'",
        );
        own_orgs(&mut q, v, "d.owner_id");
        type De = (i64, NaiveDate, String, Option<NaiveDate>);
        let rows: Vec<De> = fetch!(self, q);
        for (owner, due, status, done) in rows {
            let on_time = matches!(status.as_str(), "done" | "handed_over") && done.is_none_or(|d| d <= due);
            let f = Figures {
                decisions: 1,
                decisions_on_time: i64::from(on_time),
                ..Default::default()
            };
            add(
                acc,
                "decisions",
                keys_of(by, orgs, &[owner], None, None),
                &[due.year()],
                f,
            );
        }
        Ok(())
    }
}

/// A group's name: a county's (the city itself is 市本级), a college's, a section's, a kind's, a year.
fn label(by: StatsBy, key: &str, orgs: &Orgs, city: Option<&str>) -> Msg {
    if key.is_empty() {
        return match by {
            StatsBy::County => Msg::new("未填行政区划", "No division code"),
            _ => Msg::new("未注明", "Not given"),
        };
    }
    match by {
        StatsBy::County if Some(key) == city => {
            let n = division_name(key).unwrap_or_else(|| key.to_string());
            Msg::new(format!("市本级（{n}）"), format!("City level ({n})"))
        }
        StatsBy::County => {
            let n = division_name(key).unwrap_or_else(|| key.to_string());
            Msg::new(n.clone(), n)
        }
        StatsBy::College => {
            let n = key
                .parse::<i64>()
                .ok()
                .and_then(|id| orgs.0.get(&id))
                .map_or_else(|| key.to_string(), |o| o.name.clone());
            Msg::new(n.clone(), n)
        }
        StatsBy::Industry => {
            let n = industry_name(key).map_or_else(|| key.to_string(), |n| format!("{key} {n}"));
            Msg::new(n.clone(), n)
        }
        StatsBy::Kind => ProjectKind::parse(key).map_or_else(|| Msg::new(key, key), |k| k.label()),
        StatsBy::Year => Msg::new(format!("{key}年"), key.to_string()),
    }
}

fn build_table(by: StatsBy, year: Option<i32>, acc: Acc, orgs: &Orgs, city: Option<&str>) -> StatsTable {
    let sum_years = |pick: &dyn Fn(i32) -> bool| {
        let mut f = Figures::default();
        for (y, t) in &acc.totals {
            if pick(*y) {
                f.add(t);
            }
        }
        f
    };
    let mut rows = Vec::new();
    if by == StatsBy::Year {
        let mut ys: Vec<i32> = acc
            .totals
            .keys()
            .copied()
            .filter(|y| year.is_none_or(|w| w == *y))
            .collect();
        if let Some(y) = year
            && !ys.contains(&y)
            && acc.totals.contains_key(&(y - 1))
        {
            ys.push(y);
        }
        ys.sort_unstable();
        for y in ys {
            rows.push(StatsRow {
                key: y.to_string(),
                label: label(by, &y.to_string(), orgs, city),
                figures: acc.totals.get(&y).copied().unwrap_or_default(),
                previous: Some(acc.totals.get(&(y - 1)).copied().unwrap_or_default()),
            });
        }
        let (total, total_previous) = match year {
            Some(y) => (sum_years(&|x| x == y), Some(sum_years(&|x| x == y - 1))),
            None => (sum_years(&|_| true), None),
        };
        return StatsTable {
            by,
            year,
            rows,
            total,
            total_previous,
            not_grouped: not_grouped(by),
            as_of: None,
        };
    }
    let mut groups: BTreeMap<String, (Figures, Figures)> = BTreeMap::new();
    for ((k, y), f) in &acc.cells {
        match year {
            Some(w) if *y == w => groups.entry(k.clone()).or_default().0.add(f),
            Some(w) if *y == w - 1 => groups.entry(k.clone()).or_default().1.add(f),
            Some(_) => {}
            None => groups.entry(k.clone()).or_default().0.add(f),
        }
    }
    for (k, (now, before)) in groups {
        rows.push(StatsRow {
            label: label(by, &k, orgs, city),
            key: k,
            figures: now,
            previous: year.map(|_| before),
        });
    }
    match by {
        StatsBy::Kind => rows.sort_by_key(|r| {
            ProjectKind::parse(&r.key)
                .and_then(|k| ProjectKind::ALL.iter().position(|x| *x == k))
                .unwrap_or(usize::MAX)
        }),
        _ => rows.sort_by(|a, b| {
            (b.figures.projects, b.figures.demands)
                .cmp(&(a.figures.projects, a.figures.demands))
                .then_with(|| a.key.is_empty().cmp(&b.key.is_empty()))
                .then_with(|| a.key.cmp(&b.key))
        }),
    }
    let (total, total_previous) = match year {
        Some(y) => (sum_years(&|x| x == y), Some(sum_years(&|x| x == y - 1))),
        None => (sum_years(&|_| true), None),
    };
    StatsTable {
        by,
        year,
        rows,
        total,
        total_previous,
        not_grouped: not_grouped(by),
        as_of: None,
    }
}
