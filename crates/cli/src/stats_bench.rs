//! `hezuo bench-stats`: the statistics over a province's worth of projects. Writes `--projects`
//! projects (default 1,000,000) into a fresh store with the loader of `hezuo demo --scale`
//! (`hezuo_store::demo_scale`: five approved batch years, leads among colleges, enterprises under
//! 90 counties and county governments, a third with a co-unit, recent years mostly being carried
//! out), whose last phase refreshes the stored flags as a server does at start and each day; then
//! closes it, opens it again (cold: a new process' pool, nothing cached by the store) and times
//! each grouping, for the last year and over all years, as the office and as 江山市's coordinator.
//! Prints the figures; checks the office's total against the unarchived projects it wrote; fails
//! on any error, never on time.

use anyhow::{Context, ensure};
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::statistics::StatsBy;
use hezuo_store::demo_scale::ScaleSpec;
use hezuo_store::{Store, Viewer};
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

pub async fn run(a: StatsArgs) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("hezuo-bench-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (url, admin) = match &a.database_url {
        Some(admin) => {
            let name = format!("hezuo_bench_stats_{}", std::process::id());
            Store::create_migrated_database(admin, &dir, &name)
                .await
                .context("making a database on --database-url")?;
            let (base, _) = admin.rsplit_once('/').context("a database url with a database name")?;
            (Some(format!("{base}/{name}")), Some((admin.clone(), name)))
        }
        None => (None, None),
    };
    let store = Store::open_and_migrate(url.as_deref(), &dir).await?;
    let t0 = Instant::now();
    // The province of `hezuo demo --scale`; its last phase is the server's refresh of the stored
    // flags (at start, then each hour), which the statistics below read.
    let r = store.write_scale(&ScaleSpec::new(a.projects), "hezuo-demo").await?;
    crate::scale::print(&r);
    println!(
        "wrote {} projects ({} years) in {:.1} s on {}",
        a.projects,
        r.per_year.len(),
        t0.elapsed().as_secs_f64(),
        store.backend().name()
    );
    // Projects counted per year: the archived ones never are.
    let counted: Vec<i64> = r
        .per_year
        .iter()
        .zip(&r.archived_per_year)
        .map(|(w, a)| w.1 - a.1)
        .collect();
    let last_year = r.per_year.last().map_or(2026, |y| y.0);
    store.close().await;
    let office = Viewer::system("bench");
    let coordinator = Viewer {
        user_id: None,
        username: "coordinator".into(),
        role: Role::Coordinator,
        scope: Scope::Subtree(r.coordinator_county.0),
        ip: None,
    };
    println!(
        "{:<10} {:<6} {:<12} {:>9} {:>6} {:>9}",
        "by", "year", "viewer", "ms (cold)", "rows", "projects"
    );
    for by in StatsBy::ALL {
        for year in [Some(last_year), None] {
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
                    let expected = match year {
                        Some(_) => counted[counted.len() - 1],
                        None => counted.iter().sum(),
                    };
                    ensure!(
                        table.total.projects == expected,
                        "the total {} is not the {expected} unarchived projects written",
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
