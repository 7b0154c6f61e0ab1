//! `hezuo bench-stats`: the statistics over a province's worth of projects. Writes `--projects`
//! projects (default 1,000,000) into a fresh store — over ten batch years, each year an approved
//! batch with monthly reports; led by colleges, enterprises of sixty industries' units and county
//! governments across six counties; a third with a co-unit; recent years mostly being carried out
//! with a milestone each, older ones mostly done — then closes it, opens it again (cold: a new
//! process' pool, nothing cached by the store) and times each grouping, for a year and over all
//! years, as the office and as a county's coordinator. Before the cold runs it refreshes the stored
//! flags, as a server does at start and each day, and prints how long that took. Prints the
//! figures; checks the total against what it wrote; fails on any error, never on time.

use anyhow::{Context, ensure};
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::statistics::StatsBy;
use hezuo_store::{Store, Viewer};
use std::fmt::Write;
use std::time::Instant;

#[derive(clap::Args)]
pub struct StatsArgs {
    /// A PostgreSQL server to run on (a user that may create databases): the bench gets a database
    /// of its own there, dropped at the end. Default: SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// How many projects to write.
    #[arg(long, default_value_t = 1_000_000)]
    projects: usize,
    /// Keep the store afterwards (its folder or database is printed).
    #[arg(long)]
    keep: bool,
}

const COUNTIES: [&str; 6] = ["330802", "330803", "330822", "330824", "330825", "330881"];
const COLLEGES: usize = 20;
const ENTERPRISES: usize = 1200;
const FIRST_YEAR: i32 = 2017;
const YEAR: i32 = 2026;
const SECTIONS: &[&str] = &["C13", "C26", "C34", "C39", "I65", "M73", "A01", "E48", "D44", "N77"];

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

/// Organisations: the city 1, counties 2–7, the university 10, colleges 11–30, enterprises 100–.
async fn write_fixture(store: &Store, projects: usize) -> anyhow::Result<Vec<i64>> {
    let t = "2026-01-01 02:00:00+00:00";
    let mut sql = String::from(
        "insert into organization (id, parent_id, kind, name, region_code, industry_code, archived, created_at, updated_at) values ",
    );
    write!(
        sql,
        "(1, null, 'government', '衢州市', '330800', null, false, '{t}', '{t}')"
    )?;
    for (i, c) in COUNTIES.iter().enumerate() {
        write!(
            sql,
            ", ({}, 1, 'government', '县{i}', '{c}', null, false, '{t}', '{t}')",
            2 + i
        )?;
    }
    write!(
        sql,
        ", (10, null, 'university', '大学', '330106', null, false, '{t}', '{t}')"
    )?;
    for c in 0..COLLEGES {
        write!(
            sql,
            ", ({}, 10, 'college', '学院{c}', null, null, false, '{t}', '{t}')",
            11 + c
        )?;
    }
    for e in 0..ENTERPRISES {
        let c = e % COUNTIES.len();
        write!(
            sql,
            ", ({}, {}, 'enterprise', '企业{e}', '{}', '{}', false, '{t}', '{t}')",
            100 + e,
            2 + c,
            COUNTIES[c],
            SECTIONS[e % SECTIONS.len()]
        )?;
    }
    store.execute_admin(&sql).await?;
    // One approved batch a year, monthly reports due on the 5th.
    let mut sql = String::from(
        "insert into batch (id, year, title, cadence, report_due_day, status, approved_at, archived, created_at, updated_at) values ",
    );
    for (i, y) in (FIRST_YEAR..=YEAR).enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        write!(
            sql,
            "({}, {y}, '{y}年清单', 'monthly', 5, 'approved', '{y}-02-01 02:00:00+00:00', false, '{t}', '{t}')",
            1 + i
        )?;
    }
    store.execute_admin(&sql).await?;
    let kinds = [
        "research",
        "engineering",
        "talent",
        "culture",
        "livelihood",
        "platform",
        "service",
    ];
    let years = (YEAR - FIRST_YEAR + 1) as usize;
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut per_year = vec![0i64; years];
    for chunk in (0..projects).collect::<Vec<_>>().chunks(2000) {
        let mut p_sql = String::from(
            "insert into project (id, title, kind, batch_year, batch_id, lead_unit_id, origin, contract_amount_fen, funding_won_fen, status, start_on, archived, created_at, updated_at) values ",
        );
        let mut c_sql = String::from("insert into project_co_unit (project_id, organization_id) values ");
        let mut m_sql =
            String::from("insert into milestone (project_id, title, due_on, archived, created_at, updated_at) values ");
        let (mut nc, mut nm) = (0, 0);
        for (k, &i) in chunk.iter().enumerate() {
            let id = i as i64 + 1;
            let yi = i % years;
            per_year[yi] += 1;
            let year = FIRST_YEAR + yi as i32;
            let lead = match rng.below(10) {
                0..=3 => 11 + rng.below(COLLEGES as u64) as i64,
                4..=8 => 100 + rng.below(ENTERPRISES as u64) as i64,
                _ => 2 + rng.below(COUNTIES.len() as u64) as i64,
            };
            // The last two years are mostly being carried out; older ones mostly done.
            let r = rng.below(100);
            let status = if year >= YEAR - 1 {
                match r {
                    0..=9 => "planned",
                    10..=29 => "approved",
                    30..=84 => "in_progress",
                    85..=94 => "completed",
                    95..=97 => "suspended",
                    _ => "cancelled",
                }
            } else {
                match r {
                    0..=2 => "in_progress",
                    3..=39 => "completed",
                    40..=84 => "accepted",
                    85..=94 => "transferred",
                    95..=97 => "suspended",
                    _ => "cancelled",
                }
            };
            if k > 0 {
                p_sql.push_str(", ");
            }
            write!(
                p_sql,
                "({id}, '项目{id}', '{}', {year}, {}, {lead}, 'proposal', {}, {}, '{status}', '{year}-03-01', {}, '{t}', '{t}')",
                kinds[rng.below(kinds.len() as u64) as usize],
                1 + yi,
                rng.below(5_000) * 1_000_000,
                rng.below(500) * 1_000_000,
                rng.below(200) == 0
            )?;
            if rng.below(3) == 0 {
                let co = if lead >= 100 {
                    11 + rng.below(COLLEGES as u64) as i64
                } else {
                    100 + rng.below(ENTERPRISES as u64) as i64
                };
                if nc > 0 {
                    c_sql.push_str(", ");
                }
                nc += 1;
                write!(c_sql, "({id}, {co})")?;
            }
            if matches!(status, "approved" | "in_progress") {
                if nm > 0 {
                    m_sql.push_str(", ");
                }
                nm += 1;
                let due = chrono::NaiveDate::from_ymd_opt(YEAR, 1, 1).unwrap_or_default()
                    + chrono::Duration::days(rng.below(365) as i64);
                write!(m_sql, "({id}, '节点', '{due}', false, '{t}', '{t}')")?;
            }
        }
        store.execute_admin(&p_sql).await?;
        if nc > 0 {
            store.execute_admin(&c_sql).await?;
        }
        if nm > 0 {
            store.execute_admin(&m_sql).await?;
        }
    }
    Ok(per_year)
}

pub async fn run(a: StatsArgs) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("hezuo-bench-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (url, admin) = match &a.database_url {
        Some(admin) => {
            let name = format!("hezuo_bench_stats_{}", std::process::id());
            let s = Store::open(Some(admin), &dir).await.context("connect")?;
            s.execute_admin(&format!("create database {name}")).await?;
            s.close().await;
            let (base, _) = admin.rsplit_once('/').context("a database url with a database name")?;
            (Some(format!("{base}/{name}")), Some((admin.clone(), name)))
        }
        None => (None, None),
    };
    let store = Store::open_and_migrate(url.as_deref(), &dir).await?;
    let t0 = Instant::now();
    let per_year = write_fixture(&store, a.projects).await?;
    if url.is_none() {
        store.execute_admin("analyze").await?;
    }
    println!(
        "wrote {} projects ({} years) in {:.1} s on {}",
        a.projects,
        per_year.len(),
        t0.elapsed().as_secs_f64(),
        if url.is_some() { "PostgreSQL" } else { "SQLite" }
    );
    // The server's refresh of the stored flags (at start, then each hour; a new day makes every
    // flag stale), timed on its own: the statistics below read the flags it stored.
    let t = Instant::now();
    let flags = store.refresh_flags(None).await?;
    println!(
        "refreshed {flags} projects' stored flags in {:.1} s (the server does this at start and once a day)",
        t.elapsed().as_secs_f64()
    );
    store.close().await;
    let office = Viewer::system("bench");
    let coordinator = Viewer {
        user_id: None,
        username: "coordinator".into(),
        role: Role::Coordinator,
        scope: Scope::Subtree(7),
        ip: None,
    };
    println!(
        "{:<10} {:<6} {:<12} {:>9} {:>6} {:>9}",
        "by", "year", "viewer", "ms (cold)", "rows", "projects"
    );
    for by in StatsBy::ALL {
        for year in [Some(YEAR), None] {
            for (who, v) in [("office", &office), ("coordinator", &coordinator)] {
                // Cold: a fresh store (pool, connections, page cache of SQLite's own) for each run.
                let store = Store::open(url.as_deref(), &dir).await?;
                let t = Instant::now();
                let table = store.statistics(v, *by, year).await?;
                let ms = t.elapsed().as_millis();
                store.close().await;
                println!(
                    "{:<10} {:<6} {:<12} {:>9} {:>6} {:>9}",
                    by.as_str(),
                    year.map_or("all".into(), |y| y.to_string()),
                    who,
                    ms,
                    table.rows.len(),
                    table.total.projects
                );
                if who == "office" {
                    let archived_free = match year {
                        Some(_) => per_year[per_year.len() - 1],
                        None => per_year.iter().sum(),
                    };
                    // About one in two hundred is archived and never counted.
                    ensure!(
                        table.total.projects <= archived_free && table.total.projects * 100 >= archived_free * 98,
                        "the total {} does not fit the {archived_free} written",
                        table.total.projects
                    );
                }
            }
        }
    }
    if a.keep {
        println!("kept: {}", url.as_deref().unwrap_or(&dir.display().to_string()));
    } else {
        if let Some((admin, name)) = admin {
            let s = Store::open(Some(&admin), &dir).await?;
            s.execute_admin(&format!("drop database if exists {name} with (force)"))
                .await?;
            s.close().await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
