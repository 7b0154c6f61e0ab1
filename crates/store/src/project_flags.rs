//! Stored flags (`project_flag`, migration 0022): today's red/yellow/green of every project being
//! carried out, kept so that the statistics, the dashboard and the project list's flag filter count
//! a million projects' flags with one indexed query instead of computing each flag per view.
//!
//! The flag itself is still computed one way only, by [`Store::compute_flags`]
//! (`supervision::flag`), and stored with its reasons in both languages (migration 0032), so that a
//! project's page, the API and the lists show a stored flag where it is good
//! ([`Store::apply_flags`], and `get_project` in its one statement) and compute only the rest.
//! A stored one is good on the day it was computed and until a write that could change it: the
//! migration's triggers bump `gen` and empty the row in that write's own transaction. A refresh reads (id, gen), computes, and writes back only where `gen` is still the
//! one it read, so a write landing in between leaves the row stale (computed again next time), never
//! wrong. The server refreshes every stale flag at start and then every hour (a new day makes every
//! flag of a project being carried out stale; one that is not has no flag, stored with the day
//! 9999-12-31 until a write empties it); a reader that needs them fresh calls
//! [`Store::refresh_flags`] first, which costs one indexed query when nothing is stale.

use crate::sql::{Arg, FLAG_JOIN, FLAG_JOIN_END, Q, bind_args};
use crate::{Result, Store, StoreError, Tx, on_db, on_tx};
use chrono::NaiveDate;
use hezuo_domain::Msg;
use hezuo_domain::flag::Flag;
use hezuo_domain::project::{Project, ProjectFilter};
use hezuo_domain::supervision::FlagState;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// Projects computed and written back per round: a bounded memory whatever the store's size.
const CHUNK: usize = 5000;

/// The day stored for a project that is not being carried out (or is archived): it has no flag,
/// and no new day changes that — only a write, whose trigger empties the row.
fn never() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date")
}

impl Store {
    /// Computes and stores today's flag of every project whose stored flag is stale, in the batch
    /// years given (all when None): those being carried out (approved or in progress, not archived)
    /// get today's flag; the others none, marked as needing no refresh until a write. Returns how
    /// many rows it wrote.
    pub async fn refresh_flags(&self, years: Option<&[i32]>) -> Result<usize> {
        let today = self.today();
        // Most calls find nothing stale: three probes of the index on the day say so without the
        // join below, which SQLite otherwise plans as a walk over every stored flag (0.3–1.5 s
        // before each flag filter and board at a million projects). The days are written as
        // literals (dates of our own clock, `YYYY-MM-DD`): bound, PostgreSQL's generic plan for
        // a prepared `computed_on < $1` read the whole table for a row that is not there (73 ms).
        let probe = format!(
            "select exists (select 1 from project_flag where computed_on is null) \
             or exists (select 1 from project_flag where computed_on < '{today}') \
             or exists (select 1 from project_flag where computed_on > '{today}' and computed_on < '{never}')",
            today = today.format("%Y-%m-%d"),
            never = never().format("%Y-%m-%d"),
        );
        let any: bool =
            on_db!(&self.db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(probe.clone())).fetch_one(p).await)?;
        if !any {
            return Ok(0);
        }
        // Stale: emptied by a write, or computed on another day (an index on the day finds them).
        // Three ranges of the index on the day, each read on its own (an `or` would scan the table),
        // and the flags and projects found from them by key.
        let mut q = Q::new(
            "select f.project_id, f.gen, p.archived = false and p.status in ('approved', 'in_progress') \
             from (select project_id from project_flag where computed_on is null \
             union all select project_id from project_flag where computed_on < ",
        );
        q.bind(Arg::Date(today))
            .push(" union all select project_id from project_flag where computed_on > ");
        q.bind(Arg::Date(today)).push(" and computed_on < ");
        q.bind(Arg::Date(never())).push(
            ") s join project_flag f on f.project_id = s.project_id join project p on p.id = s.project_id \
             where 1 = 1",
        );
        if let Some(ys) = years {
            q.push(" and p.batch_year in (");
            for (i, y) in ys.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(Arg::I32(*y));
            }
            q.push(")");
        }
        q.push(" order by f.project_id");
        let stale: Vec<(i64, i64, bool)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let (carried, idle): (Vec<_>, Vec<_>) = stale.iter().partition(|(_, _, supervised)| *supervised);
        for chunk in idle.chunks(CHUNK) {
            let pairs: Vec<(i64, i64)> = chunk.iter().map(|(id, g, _)| (*id, *g)).collect();
            self.store_idle(&pairs).await?;
        }
        for chunk in carried.chunks(CHUNK) {
            let mut cq = Q::new("from project p where p.id in ");
            cq.bind_list(&chunk.iter().map(|(id, _, _)| *id).collect::<Vec<_>>());
            let mut projects = crate::projects::projects_by_query(self, &cq).await?;
            self.compute_flags(&mut projects).await?;
            let gens: HashMap<i64, i64> = chunk.iter().map(|(id, g, _)| (*id, *g)).collect();
            let mut by_flag: HashMap<Flag, Vec<&Project>> = HashMap::new();
            for p in &projects {
                // None: its status changed since the selection; its trigger has emptied the row.
                if let Some(flag) = p.flag {
                    by_flag.entry(flag).or_default().push(p);
                }
            }
            for (flag, projects) in by_flag {
                self.store_carried(flag, today, &projects, &gens).await?;
            }
        }
        Ok(stale.len())
    }

    /// Writes `flag` computed on `day` for each project, with the year, lead unit and kind it was
    /// flagged under (what the statistics group by), where the row's gen is still the one read.
    async fn store_carried(
        &self,
        flag: Flag,
        day: NaiveDate,
        projects: &[&Project],
        gens: &HashMap<i64, i64>,
    ) -> Result<()> {
        // Integers read from the store and the kind's own code (one of `ProjectKind`'s), written as
        // literals: no one's text reaches SQL. The reasons (a milestone's title is someone's text)
        // are bound.
        let (mut keys, mut list) = (String::new(), String::new());
        let mut words = Vec::with_capacity(projects.len());
        for (i, p) in projects.iter().enumerate() {
            if i > 0 {
                keys.push_str(", ");
                list.push_str(", ");
            }
            let g = gens.get(&p.id).copied().unwrap_or(-1);
            let row = format!(
                "{}, {g}, {}, {}, '{}'",
                p.id,
                p.batch_year,
                p.lead_unit_id,
                p.kind.as_str()
            );
            let _ = write!(keys, "({row})");
            // $1 and $2 are the flag and the day.
            let _ = write!(list, "({row}, ${})", i + 3);
            words.push(serde_json::to_string(&p.flag_words).unwrap_or_else(|_| "[]".into()));
        }
        let mut tx = self.begin().await?;
        // Those turning red now from not red (issue 18): `last_flag` survives the triggers, which
        // empty `flag` only. On PostgreSQL a second refresher waits for this row and then finds it
        // red already; on SQLite writers take turns.
        let turned: Vec<i64> = if flag == Flag::Red {
            let sql = format!(
                "update project_flag set last_flag = 'red' from (values {keys}) as v \
                 where project_flag.project_id = v.column1 and project_flag.gen = v.column2 \
                 and (project_flag.last_flag is null or project_flag.last_flag <> 'red') \
                 returning project_flag.project_id"
            );
            on_tx!(&mut tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(c).await)?
        } else {
            vec![]
        };
        let sql = format!(
            "update project_flag set flag = $1, last_flag = $1, computed_on = $2, batch_year = v.column3, \
             lead_unit_id = v.column4, kind = v.column5, words = v.column6 from (values {list}) as v \
             where project_flag.project_id = v.column1 and project_flag.gen = v.column2"
        );
        on_tx!(&mut tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(flag.as_str()).bind(day);
            for w in words {
                q = q.bind(w);
            }
            q.execute(c).await.map(|_| ())
        })?;
        if !turned.is_empty() {
            red_events(&mut tx, day, projects, gens, &turned).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes "no flag, until a write" for each (project, gen) pair whose row still has that gen.
    async fn store_idle(&self, pairs: &[(i64, i64)]) -> Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        // The pairs are integers read from the store, written as literals: no one's text reaches SQL.
        let mut list = String::new();
        for (i, (id, g)) in pairs.iter().enumerate() {
            if i > 0 {
                list.push_str(", ");
            }
            let _ = write!(list, "({id}, {g})");
        }
        let sql = format!(
            "update project_flag set flag = null, last_flag = null, computed_on = $1 where (project_id, gen) in (values {list})"
        );
        on_db!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(never()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Today's stored flags of these projects, where still good (not emptied by a write since):
    /// one indexed read by key. Those not found must be computed.
    pub(crate) async fn stored_flags(&self, ids: &[i64]) -> Result<HashMap<i64, FlagState>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        // The day as a literal, as in the refresh's probe (our own clock's date).
        let mut q = Q::new(&format!(
            "select project_id, flag || ' ' || coalesce(words, '[]') from project_flag \
             where computed_on = '{}' and flag is not null and project_id in ",
            self.today().format("%Y-%m-%d")
        ));
        q.bind_list(ids);
        let rows: Vec<(i64, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, s)| stored_state(&s).map(|st| (id, st)))
            .collect())
    }

    /// The project list's `flag` filter, as a join to `project`'s `from`: projects being carried
    /// out whose stored flag of today is one of those named, refreshed first where stale.
    pub(crate) async fn flag_join(&self, q: &mut Q, f: &ProjectFilter) -> Result<()> {
        let Some(words) = hezuo_domain::input::opt_text(&f.flag) else {
            return Ok(());
        };
        let mut flags = Vec::new();
        for w in words.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let flag = Flag::parse(w).ok_or_else(|| {
                StoreError::invalid(
                    "flag",
                    Msg::new(
                        format!("亮灯“{w}”无效：应为 red（红灯）、yellow（黄灯）或 green（绿灯）"),
                        format!("“{w}” is not a flag: red, yellow or green"),
                    ),
                )
            })?;
            flags.push(flag);
        }
        self.refresh_flags(None).await?;
        // A join: a count (stopping at 1,001) walks the flag's index and finds each project by its
        // key (3–5 ms for any flag among a million on SQLite). A page is better read the other
        // way, walking the list's order and probing each project's flag by key (0.4–1.6 ms), and
        // SQLite's planner does not see it: `sql::for_a_page` makes it a `cross join` there.
        // An `exists` for the count walked the projects (0.1–3 s for a rare flag); an `in` gathered
        // every flagged project first. The flags are written as literals (each one of `Flag`'s own
        // words, checked above) so that the page's rewrite moves no bound value. The derived table
        // shows `project_id` alone, so the list's unqualified columns stay `project`'s. No status
        // test: a flag is only ever stored on a project being carried out.
        let list: Vec<String> = flags.iter().map(|f| format!("'{}'", f.as_str())).collect();
        q.push(&format!("{FLAG_JOIN}{}{FLAG_JOIN_END}", list.join(", ")));
        Ok(())
    }
}

/// A stored flag as `flag words` (the flag's code, a space, its reasons as JSON) read back into the
/// state it was computed as; None if it does not read (then it is computed again).
pub(crate) fn stored_state(s: &str) -> Option<FlagState> {
    let (flag, words) = s.split_once(' ')?;
    let words: Vec<Msg> = serde_json::from_str(words).ok()?;
    Some(FlagState::of(Flag::parse(flag)?, words))
}

/// 项目亮红灯 (issue 18): one `flag_red` event per project in `turned` (keyed by the project, the
/// generation and the day it turned, so two refreshers record it once), for the webhooks of its
/// lead unit and those above it — skipped when no webhook listens for red flags at all, so a
/// province-sized refresh writes no events nobody asked for.
async fn red_events(
    tx: &mut Tx,
    day: NaiveDate,
    projects: &[&Project],
    gens: &HashMap<i64, i64>,
    turned: &[i64],
) -> Result<()> {
    let listening: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "select count(*) from webhook where enabled = true and archived = false and events like '%flag_red%'")
        .fetch_one(c).await)?;
    if listening == 0 {
        return Ok(());
    }
    let turned: std::collections::HashSet<i64> = turned.iter().copied().collect();
    let mut units = Q::new("select id, name from organization where id in ");
    let ids: Vec<i64> = projects
        .iter()
        .filter(|p| turned.contains(&p.id))
        .map(|p| p.lead_unit_id)
        .collect();
    units.bind_list(&ids);
    let names: Vec<(i64, String)> = on_tx!(tx, c => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(units.sql.clone())), units.args).fetch_all(c).await)?;
    let names: HashMap<i64, String> = names.into_iter().collect();
    for p in projects.iter().filter(|p| turned.contains(&p.id)) {
        let unit = names.get(&p.lead_unit_id).cloned().unwrap_or_default();
        let reasons = p.flag_reasons.clone();
        let mut body = format!("- 项目：{}\n- 牵头单位：{unit}\n- 年度：{}", p.title, p.batch_year);
        for r in &reasons {
            body.push_str(&format!("\n- 原因：{r}"));
        }
        let ev = crate::webhooks::NewEvent {
            kind: hezuo_domain::webhook::WebhookEvent::FlagRed,
            key: format!("flag_red:{}:{}:{day}", p.id, gens.get(&p.id).copied().unwrap_or(-1)),
            organization_id: Some(p.lead_unit_id),
            record: (hezuo_domain::RecordKind::Project, p.id),
            title: format!("项目亮红灯：{}", p.title),
            body,
            path: format!("/projects/{}", p.id),
            data: serde_json::json!({
                "project_id": p.id, "title": p.title, "lead_unit_id": p.lead_unit_id, "lead_unit": unit,
                "batch_year": p.batch_year, "flag": "red", "reasons": reasons, "day": day,
            }),
        };
        crate::webhooks::record_event(tx, &ev).await?;
    }
    Ok(())
}

/// A lead unit's projects being carried out, by today's flag: what the supervision board counts.
#[derive(Debug, Clone, Default)]
pub struct LeadFlags {
    pub lead_unit_id: i64,
    pub name: String,
    pub region_code: Option<String>,
    pub red: i64,
    pub yellow: i64,
    pub green: i64,
}

/// A row of `flag_tally`: lead unit, division code, red, yellow, green.
type TallyRow = (i64, Option<String>, i64, i64, i64);
/// Projects of a lead unit with one flag: lead unit, flag, how many.
type FlagCount = (i64, String, i64);

impl LeadFlags {
    /// Counts `n` more projects flagged `flag` (a stored flag's text).
    fn add(&mut self, flag: &str, n: i64) {
        match Flag::parse(flag) {
            Some(Flag::Red) => self.red += n,
            Some(Flag::Yellow) => self.yellow += n,
            Some(Flag::Green) => self.green += n,
            None => {}
        }
    }
}

/// Today's flags as the supervision board counts them, for one viewer.
#[derive(Debug, Clone, Default)]
pub struct FlagBoard {
    /// By the lead unit's division code (None: a unit without one), every flag the viewer sees.
    pub by_region: Vec<LeadFlags>,
    /// The lead units with the most red, then yellow, flags: at most the number asked for.
    pub top: Vec<LeadFlags>,
    /// How many lead units have a flag at all.
    pub units: usize,
}

impl Store {
    /// Today's flags of the projects `v` may see that are being carried out (refreshed first where
    /// stale), counted by the lead unit's division code, with the `top` lead units by red then
    /// yellow flags (names and codes). The office and leaders read the tally kept per lead unit
    /// (`flag_tally`, migration 0029): two reads of one row per unit, however many projects. A
    /// narrower scope counts its own stored flags in one grouped query.
    pub async fn flag_board(&self, v: &crate::access::Viewer, top: usize) -> Result<FlagBoard> {
        self.refresh_flags(None).await?;
        if v.scope == hezuo_domain::access::Scope::All {
            return self.flag_board_from_tally(top).await;
        }
        let mut leads = match v.scope {
            hezuo_domain::access::Scope::Subtree(root) => self.flags_in_subtree(root).await?,
            _ => self.flags_by_lead_unit(v).await?,
        };
        let mut regions: HashMap<Option<String>, LeadFlags> = HashMap::new();
        for l in &leads {
            let r = regions.entry(l.region_code.clone()).or_insert_with(|| LeadFlags {
                region_code: l.region_code.clone(),
                ..Default::default()
            });
            r.red += l.red;
            r.yellow += l.yellow;
            r.green += l.green;
        }
        let units = leads.len();
        leads.sort_by(|a, b| {
            (b.red, b.yellow)
                .cmp(&(a.red, a.yellow))
                .then(a.lead_unit_id.cmp(&b.lead_unit_id))
        });
        leads.truncate(top);
        // Names for the units shown, not for every unit counted (a county's 1,000).
        let ids: Vec<i64> = leads.iter().map(|l| l.lead_unit_id).collect();
        let mut q = Q::new("select id, name from organization where id in ");
        q.bind_list(&ids);
        let names: HashMap<i64, String> = on_db!(&self.db, p =>
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?
        .into_iter()
        .collect();
        for l in &mut leads {
            l.name = names.get(&l.lead_unit_id).cloned().unwrap_or_default();
        }
        Ok(FlagBoard {
            by_region: regions.into_values().collect(),
            top: leads,
            units,
        })
    }

    /// A coordinator's flags per lead unit: the tally's rows for the units of their subtree, and
    /// the flags of the projects led outside it in which one of its units takes part, grouped by
    /// their lead unit — not a grouped read of every flagged project (refreshed by the caller, so
    /// the tally's last flags are today's).
    async fn flags_in_subtree(&self, root: i64) -> Result<Vec<LeadFlags>> {
        let mut tx = self.read().await?;
        let mut q = Q::new("select s.org_id from ");
        crate::access::org_subtree(&mut q, root);
        q.push(" s");
        let units: Vec<i64> = on_tx!(&mut tx, c =>
            bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(c).await)?;
        // The projects its units take part in, by number; their flags are then found by key.
        // Joined in one query, PostgreSQL read the whole of `project_co_unit` and `project_flag`
        // for a county (225 ms among a million projects) rather than probe their indexes.
        let mut q = Q::new("select distinct project_id from project_co_unit where organization_id in ");
        crate::access::org_subtree(&mut q, root);
        let taking_part: Vec<i64> = on_tx!(&mut tx, c =>
            bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(c).await)?;
        const TALLY: &str = "select lead_unit_id, region_code, red, yellow, green from flag_tally \
                             where red + yellow + green > 0 and lead_unit_id";
        const BY_FLAG: &str =
            "select lead_unit_id, flag, count(*) from project_flag where flag is not null and project_id";
        const GROUPED: &str = " group by lead_unit_id, flag";
        let (tallied, counted): (Vec<TallyRow>, Vec<FlagCount>) = if let Tx::Postgres(t) = &mut tx {
            // Each list as one array value. As a subquery, PostgreSQL hashed the whole tally
            // (16 ms); as 1,459 bound values in an `in` list, the flags took 49 ms.
            let tallied = sqlx::query_as(sqlx::AssertSqlSafe(format!("{TALLY} = any($1)")))
                .bind(&units)
                .fetch_all(&mut **t)
                .await?;
            let counted = sqlx::query_as(sqlx::AssertSqlSafe(format!("{BY_FLAG} = any($1){GROUPED}")))
                .bind(&taking_part)
                .fetch_all(&mut **t)
                .await?;
            (tallied, counted)
        } else {
            let mut q = Q::new(&format!("{TALLY} in "));
            crate::access::org_subtree(&mut q, root);
            let tallied = on_tx!(&mut tx, c =>
                    bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(c).await)?;
            let mut counted = Vec::new();
            for chunk in taking_part.chunks(CHUNK) {
                let mut q = Q::new(&format!("{BY_FLAG} in "));
                q.bind_list(chunk);
                q.push(GROUPED);
                counted.extend(on_tx!(&mut tx, c =>
                        bind_args!(sqlx::query_as::<_, (i64, String, i64)>(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(c).await)?);
            }
            (tallied, counted)
        };
        let mut by: HashMap<i64, LeadFlags> = tallied
            .into_iter()
            .map(|(lead, region, red, yellow, green)| {
                let l = LeadFlags {
                    lead_unit_id: lead,
                    region_code: region,
                    red,
                    yellow,
                    green,
                    ..Default::default()
                };
                (lead, l)
            })
            .collect();
        let units: HashSet<i64> = units.into_iter().collect();
        let mut outside: HashMap<i64, LeadFlags> = HashMap::new();
        for (lead, flag, n) in counted.into_iter().filter(|(lead, _, _)| !units.contains(lead)) {
            outside
                .entry(lead)
                .or_insert_with(|| LeadFlags {
                    lead_unit_id: lead,
                    ..Default::default()
                })
                .add(&flag, n);
        }
        let leads: Vec<i64> = outside.keys().copied().collect();
        for chunk in leads.chunks(CHUNK) {
            let mut q = Q::new("select id, region_code from organization where id in ");
            q.bind_list(chunk);
            let regions: Vec<(i64, Option<String>)> = on_tx!(&mut tx, c =>
                bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(c).await)?;
            for (id, region) in regions {
                if let Some(l) = outside.get_mut(&id) {
                    l.region_code = region;
                }
            }
        }
        tx.commit().await?;
        by.extend(outside);
        Ok(by.into_values().collect())
    }

    async fn flag_board_from_tally(&self, top: usize) -> Result<FlagBoard> {
        let regions: Vec<(Option<String>, i64, i64, i64, i64)> = on_db!(&self.db, p => sqlx::query_as(
            "select region_code, cast(sum(red) as bigint), cast(sum(yellow) as bigint), cast(sum(green) as bigint), \
             count(*) from flag_tally where red + yellow + green > 0 group by region_code")
            .fetch_all(p).await)?;
        let leads: Vec<(i64, String, Option<String>, i64, i64, i64)> = on_db!(&self.db, p => sqlx::query_as(
            // The first entries of the rank index, then their names: joined first, SQLite walked
            // every organisation by name and sorted (190 ms at 80,000 units).
            "select t.lead_unit_id, o.name, t.region_code, t.red, t.yellow, t.green \
             from (select * from flag_tally where red + yellow + green > 0 \
             order by red desc, yellow desc, lead_unit_id limit $1) t \
             join organization o on o.id = t.lead_unit_id order by t.red desc, t.yellow desc, t.lead_unit_id")
            .bind(top as i64).fetch_all(p).await)?;
        Ok(FlagBoard {
            units: regions.iter().map(|r| r.4 as usize).sum(),
            by_region: regions
                .into_iter()
                .map(|(region_code, red, yellow, green, _)| LeadFlags {
                    region_code,
                    red,
                    yellow,
                    green,
                    ..Default::default()
                })
                .collect(),
            top: leads
                .into_iter()
                .map(|(lead_unit_id, name, region_code, red, yellow, green)| LeadFlags {
                    lead_unit_id,
                    name,
                    region_code,
                    red,
                    yellow,
                    green,
                })
                .collect(),
        })
    }

    /// Today's flags of the projects `v` may see that are being carried out, counted per lead
    /// unit (with its division code) from the stored flags — one grouped query over the
    /// viewer's scope (refreshed by the caller).
    async fn flags_by_lead_unit(&self, v: &crate::access::Viewer) -> Result<Vec<LeadFlags>> {
        use hezuo_domain::access::Scope;
        // A flag is only ever stored on a project being carried out and not archived, with its
        // lead unit; the scope's restriction reads `p.id` and `p.lead_unit_id`, or for a person
        // the project's responsible person, which only the project itself has.
        let from = match v.scope {
            Scope::Person { .. } => {
                "select f.lead_unit_id as lead, f.flag as flag, count(*) as n \
                 from project_flag f join project p on p.id = f.project_id where f.flag is not null"
            }
            _ => {
                "select p.lead_unit_id as lead, p.flag as flag, count(*) as n \
                 from (select project_id as id, lead_unit_id, flag from project_flag where flag is not null) p where 1 = 1"
            }
        };
        let mut q = Q::new(from);
        crate::access::restrict(&mut q, v, hezuo_domain::RecordKind::Project, "p");
        q.push(" group by lead, flag");
        let rows: Vec<(Option<i64>, String, i64)> = on_db!(&self.db, p =>
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let mut by: HashMap<i64, LeadFlags> = HashMap::new();
        for (lead, flag, n) in rows {
            let Some(lead) = lead else { continue };
            let e = by.entry(lead).or_insert_with(|| LeadFlags {
                lead_unit_id: lead,
                ..Default::default()
            });
            e.add(&flag, n);
        }
        // Division codes, a bounded number of ids a statement (names only for those shown).
        let ids: Vec<i64> = by.keys().copied().collect();
        for chunk in ids.chunks(500) {
            let mut q = Q::new("select id, region_code from organization where id in ");
            q.bind_list(chunk);
            let orgs: Vec<(i64, Option<String>)> = on_db!(&self.db, p =>
                bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
            for (id, region) in orgs {
                if let Some(e) = by.get_mut(&id) {
                    e.region_code = region;
                }
            }
        }
        Ok(by.into_values().collect())
    }
}
