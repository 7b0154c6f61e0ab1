//! `hezuo bench-funnel`: the closed loop's funnel over many demands. Writes `--demands` demands into
//! a fresh store (SQLite in a temporary folder, or a PostgreSQL database of its own) — spread over
//! six counties' enterprises, each taken a seeded-random way round the loop with its reviews, an
//! accepted match, contracts, projects and outcomes (some left unconfirmed) — then times the funnel
//! of a year as the office (everything), a county's coordinator (a subtree) and an enterprise, the
//! list of those waiting at a step, the results' funnel and one demand's loop. Prints the figures
//! and checks the funnel's first count against what it wrote; fails on any error, never on time.

use crate::rush::place;
use anyhow::{Context, ensure};
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::closed_loop::DemandLoopStep;
use hezuo_store::closed_loop::LoopFilter;
use hezuo_store::{Store, Viewer};
use std::fmt::Write;
use std::time::Instant;

#[derive(clap::Args)]
pub struct FunnelArgs {
    /// A PostgreSQL server to run on (a user that may create databases): the bench gets a database
    /// of its own there, dropped at the end. Default: SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// How many demands to write.
    #[arg(long, default_value_t = 100_000)]
    demands: usize,
    /// How many times each query runs (the figures are the median and the slowest).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Keep the store afterwards (its folder or database is printed), to look at the queries' plans.
    #[arg(long)]
    keep: bool,
}

const COUNTIES: usize = 6;
const ENTERPRISES: usize = 600;
const EXPERTS: usize = 100;
const YEAR: i32 = 2026;

/// A small deterministic generator (xorshift), so that every run writes the same store.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn day(doy: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(YEAR, 1, 1).unwrap_or_default() + chrono::Duration::days(doy);
    d.to_string()
}

fn stamp(doy: i64) -> String {
    format!("{} 02:00:00+00:00", day(doy))
}

/// Writes the fixture in batches of multi-row inserts (numbers and dates only; no user text).
async fn write_fixture(store: &Store, demands: usize) -> anyhow::Result<usize> {
    let t = stamp(0);
    let mut sql = String::new();
    writeln!(
        sql,
        "insert into organization (id, kind, name, region_code, archived, created_at, updated_at) values (1, 'government', '市', '330800', false, '{t}', '{t}')"
    )?;
    let counties = ["330802", "330803", "330822", "330824", "330825", "330881"];
    for (i, code) in counties.iter().enumerate() {
        writeln!(
            sql,
            ", ({}, 'government', '县{i}', '{code}', false, '{t}', '{t}')",
            2 + i
        )?;
    }
    store.execute_admin(&sql.replace('\n', " ")).await?;
    // Enterprises 100.., experts' college 90, experts 1..
    let mut sql = String::from(
        "insert into organization (id, parent_id, kind, name, region_code, archived, created_at, updated_at) values ",
    );
    write!(sql, "(90, null, 'college', '学院', '330100', false, '{t}', '{t}')")?;
    for e in 0..ENTERPRISES {
        let c = e % COUNTIES;
        write!(
            sql,
            ", ({}, {}, 'enterprise', '企业{e}', '{}', false, '{t}', '{t}')",
            100 + e,
            2 + c,
            counties[c]
        )?;
    }
    store.execute_admin(&sql).await?;
    let mut sql = String::from(
        "insert into person (id, organization_id, name, is_expert, archived, created_at, updated_at) values ",
    );
    for p in 0..EXPERTS {
        if p > 0 {
            sql.push_str(", ");
        }
        write!(sql, "({}, 90, '专家{p}', true, false, '{t}', '{t}')", 1 + p)?;
    }
    store.execute_admin(&sql).await?;

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut written = 0;
    let mut outcome_id = 1;
    let mut match_id = 1;
    for chunk in (0..demands).collect::<Vec<_>>().chunks(500) {
        let mut d_sql = String::from(
            "insert into demand (id, title, summary, enterprise_id, mode, source, status, submitted_on, project_id, archived, created_at, updated_at) values ",
        );
        let mut r_sql =
            String::from("insert into demand_review (demand_id, stage, decision, reviewer, created_at) values ");
        let mut m_sql = String::from(
            "insert into demand_match (id, demand_id, target, person_id, score, reasons, status, accepted_on, created_at, updated_at) values ",
        );
        let mut p_sql = String::from(
            "insert into project (id, title, kind, batch_year, lead_unit_id, origin, status, start_on, archived, created_at, updated_at) values ",
        );
        let mut o_sql = String::from(
            "insert into outcome (id, kind, title, occurred_on, organization_id, amount_fen, demand_id, project_id, in_city, status, archived, created_at, updated_at) values ",
        );
        let (mut nr, mut nm, mut np, mut no) = (0, 0, 0, 0);
        let sep = |n: &mut usize, s: &mut String| {
            if *n > 0 {
                s.push_str(", ");
            }
            *n += 1;
        };
        for (k, &i) in chunk.iter().enumerate() {
            let id = i as i64 + 1;
            let ent = 100 + rng.below(ENTERPRISES as u64) as i64;
            // Each step is passed with falling odds: 80 %, 60 %, 70 %, 80 %, 60 %, 50 %.
            let odds = [80, 60, 70, 80, 60, 50];
            let mut reached = 0;
            while reached < odds.len() && rng.below(100) < odds[reached] {
                reached += 1;
            }
            let closed = reached < 6 && rng.below(100) < 30;
            let mut when = rng.below(300) as i64;
            let collected = when;
            let mut next = |rng: &mut Rng| {
                when += 3 + rng.below(40) as i64;
                when
            };
            let status = match (reached, closed) {
                (_, true) => "closed",
                (0, _) => "submitted",
                (1, _) => "accepted",
                (2 | 3, _) => "matched",
                _ => "project",
            };
            let project = (reached >= 4).then_some(id);
            if k > 0 {
                d_sql.push_str(", ");
            }
            write!(
                d_sql,
                "({id}, '需求{id}', '摘要', {ent}, 'development', 'posted', '{status}', '{}', {}, false, '{t}', '{t}')",
                day(collected),
                project.map_or("null".into(), |p| p.to_string())
            )?;
            if reached >= 1 {
                sep(&mut nr, &mut r_sql);
                write!(r_sql, "({id}, 'assess', 'pass', 'bench', '{}')", stamp(next(&mut rng)))?;
            }
            if reached >= 2 {
                sep(&mut nm, &mut m_sql);
                let on = next(&mut rng);
                write!(
                    m_sql,
                    "({match_id}, {id}, 'expert', {}, 1.0, '[]', 'accepted', '{}', '{t}', '{t}')",
                    1 + rng.below(EXPERTS as u64),
                    day(on)
                )?;
                match_id += 1;
            }
            let mut outcome = |kind: &str, on: i64, in_city: bool, confirmed: bool, s: &mut String| {
                sep(&mut no, s);
                let st = if confirmed { "confirmed" } else { "reported" };
                let r = write!(
                    s,
                    "({outcome_id}, '{kind}', '成果', '{}', {ent}, 100000, {id}, {}, {in_city}, '{st}', false, '{t}', '{t}')",
                    day(on),
                    project.map_or("null".into(), |p| p.to_string())
                );
                outcome_id += 1;
                r
            };
            if reached >= 3 {
                let on = next(&mut rng);
                outcome("contract", on, false, true, &mut o_sql)?;
            } else if reached == 2 && rng.below(100) < 20 {
                // A contract reported and not yet confirmed: it must not count.
                let on = next(&mut rng);
                outcome("contract", on, false, false, &mut o_sql)?;
            }
            if let Some(p) = project {
                sep(&mut np, &mut p_sql);
                write!(
                    p_sql,
                    "({p}, '项目{p}', 'engineering', {YEAR}, {ent}, 'demand', 'in_progress', '{}', false, '{t}', '{t}')",
                    day(next(&mut rng))
                )?;
            }
            if reached >= 5 {
                let on = next(&mut rng);
                outcome("funding", on, false, true, &mut o_sql)?;
            }
            if reached >= 6 {
                let on = next(&mut rng);
                outcome("transfer", on, true, true, &mut o_sql)?;
            }
        }
        // Projects first: demands point at them.
        if np > 0 {
            store.execute_admin(&p_sql).await?;
        }
        store.execute_admin(&d_sql).await?;
        if nr > 0 {
            store.execute_admin(&r_sql).await?;
        }
        if nm > 0 {
            store.execute_admin(&m_sql).await?;
        }
        if no > 0 {
            store.execute_admin(&o_sql).await?;
        }
        written += chunk.len();
    }
    if store.backend() == hezuo_store::Backend::Postgres {
        // Identity columns continue after the ids written here; the planner gets fresh statistics.
        for table in ["organization", "person", "demand", "demand_match", "project", "outcome"] {
            store
                .execute_admin(&format!(
                    "select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
                ))
                .await?;
        }
        store.execute_admin("analyze").await?;
    } else {
        store.execute_admin("analyze").await?;
    }
    Ok(written)
}

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer {
        role,
        scope,
        ..Viewer::system("bench")
    }
}

/// Runs `f` `runs` times: (median, slowest) in milliseconds, and its last answer.
async fn time<T, F, Fut>(runs: usize, mut f: F) -> anyhow::Result<(f64, f64, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut ms = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        last = Some(f().await?);
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok((ms[ms.len() / 2], ms[ms.len() - 1], last.context("one run")?))
}

pub async fn run(a: FunnelArgs) -> anyhow::Result<()> {
    let place = place(a.database_url.as_deref()).await?;
    let result = bench(&place.store, &a).await;
    if a.keep {
        println!("kept: {}", place.describe());
    } else {
        place.remove().await;
    }
    result
}

async fn bench(store: &Store, a: &FunnelArgs) -> anyhow::Result<()> {
    let backend = if a.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let start = Instant::now();
    let written = write_fixture(store, a.demands).await?;
    println!(
        "bench-funnel on {backend}: {written} demands written in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let f = LoopFilter {
        year: Some(YEAR),
        ..Default::default()
    };
    let office = viewer(Role::Office, Scope::All);
    let coordinator = viewer(Role::Coordinator, Scope::Subtree(7));
    let enterprise = viewer(Role::Enterprise, Scope::Org(100));
    let runs = a.runs;
    let (p50, max, funnel) = time(runs, || async { Ok(store.demand_funnel(&office, &f).await?) }).await?;
    ensure!(
        funnel.total as usize == written,
        "the funnel counts {} demands, {written} were written",
        funnel.total
    );
    let counts: Vec<String> = funnel.steps.iter().map(|(_, s)| s.count.to_string()).collect();
    println!(
        "  demand funnel, office (all {written}):   p50 {p50:7.1} ms   max {max:7.1} ms   counts {}",
        counts.join(" → ")
    );
    let (p50, max, cf) = time(runs, || async { Ok(store.demand_funnel(&coordinator, &f).await?) }).await?;
    println!(
        "  demand funnel, one county's coordinator: p50 {p50:7.1} ms   max {max:7.1} ms   ({} demands)",
        cf.total
    );
    let (p50, max, ef) = time(runs, || async { Ok(store.demand_funnel(&enterprise, &f).await?) }).await?;
    println!(
        "  demand funnel, one enterprise:          p50 {p50:7.1} ms   max {max:7.1} ms   ({} demands)",
        ef.total
    );
    let (p50, max, (_, waiting)) = time(runs, || async {
        Ok(store
            .demands_at_step(&office, &f, Some(DemandLoopStep::Matched), false, 1, 20)
            .await?)
    })
    .await?;
    println!("  waiting after the match, first page:    p50 {p50:7.1} ms   max {max:7.1} ms   ({waiting} waiting)");
    let (p50, max, rf) = time(runs, || async {
        Ok(store.result_funnel(&office, &LoopFilter::default()).await?)
    })
    .await?;
    println!(
        "  result funnel:                          p50 {p50:7.1} ms   max {max:7.1} ms   ({} results)",
        rf.total
    );
    let (p50, max, l) = time(runs, || async { Ok(store.demand_loop(&office, 1).await?) }).await?;
    println!(
        "  one demand's loop:                      p50 {p50:7.1} ms   max {max:7.1} ms   ({} steps)",
        l.steps.len()
    );
    Ok(())
}
