//! `hezuo bench-export`: a list exported as .xlsx. Writes `--projects` projects (default 100,000)
//! into a fresh store (SQLite in a temporary folder, or a PostgreSQL database of its own) under six
//! counties' units, then downloads `GET /api/v1/projects?format=xlsx` over HTTP as the office — the
//! handler's own path: the list read in batches, each row written as it comes — once filtered to
//! one batch year (a third) and once whole. Prints the seconds, the file's size and the process's peak
//! memory (VmHWM, reset before each download), reads the files back to check their row counts;
//! fails on any error or a wrong count, never on time.

use crate::rush::place;
use anyhow::{Context, ensure};
use hezuo_domain::access::Role;
use hezuo_store::Store;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::fmt::Write;
use std::time::Instant;

#[derive(clap::Args)]
pub struct ExportArgs {
    /// A PostgreSQL server to run on (a user that may create databases): the bench gets a database
    /// of its own there, dropped at the end. Default: SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// How many projects to write.
    #[arg(long, default_value_t = 100_000)]
    projects: usize,
}

const COUNTIES: [&str; 6] = ["330802", "330803", "330822", "330824", "330825", "330881"];
const UNITS_PER_COUNTY: usize = 20;

/// Writes the fixture in batches of multi-row inserts (numbers and dates only; no user text).
async fn write_fixture(store: &Store, projects: usize) -> anyhow::Result<()> {
    let t = "2026-01-01 02:00:00+00:00";
    let mut sql = format!(
        "insert into organization (id, kind, name, region_code, archived, created_at, updated_at) values (1, 'government', '市', '330800', false, '{t}', '{t}')"
    );
    for (i, code) in COUNTIES.iter().enumerate() {
        write!(
            sql,
            ", ({}, 'government', '县{i}', '{code}', false, '{t}', '{t}')",
            2 + i
        )?;
    }
    store.execute_admin(&sql).await?;
    let mut sql = String::from(
        "insert into organization (id, parent_id, kind, name, region_code, archived, created_at, updated_at) values ",
    );
    for u in 0..COUNTIES.len() * UNITS_PER_COUNTY {
        let c = u % COUNTIES.len();
        if u > 0 {
            sql.push_str(", ");
        }
        write!(
            sql,
            "({}, {}, 'enterprise', '承担单位{u:03}', '{}', false, '{t}', '{t}')",
            100 + u,
            2 + c,
            COUNTIES[c]
        )?;
    }
    store.execute_admin(&sql).await?;
    let kinds = ["research", "engineering", "platform", "talent"];
    let statuses = ["in_progress", "planned", "completed"];
    for chunk in (0..projects).collect::<Vec<_>>().chunks(1000) {
        let mut sql = String::from(
            "insert into project (id, title, kind, batch_year, lead_unit_id, origin, contract_amount_fen, funding_won_fen, status, start_on, end_on, archived, created_at, updated_at) values ",
        );
        for (k, &i) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push_str(", ");
            }
            let id = i + 1;
            write!(
                sql,
                "({id}, '合作项目{id:06}：含氟废水处理与资源化利用关键技术', '{}', {}, {}, 'proposal', {}, {}, '{}', '2026-{:02}-{:02}', '2027-12-31', false, '{t}', '{t}')",
                kinds[i % kinds.len()],
                2024 + (i % 3),
                100 + i % (COUNTIES.len() * UNITS_PER_COUNTY),
                (i as i64 % 500) * 1_234_567,
                (i as i64 % 7) * 500_000,
                statuses[i % statuses.len()],
                1 + i % 12,
                1 + i % 28,
            )?;
        }
        store.execute_admin(&sql).await?;
    }
    store.execute_admin("analyze").await?;
    Ok(())
}

/// The process's peak resident memory so far (VmHWM), in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Starts the peak over from the memory in use now (Linux: `5` to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub async fn run(a: ExportArgs) -> anyhow::Result<()> {
    let place = place(a.database_url.as_deref()).await?;
    let result = bench(&place.store, &a).await;
    place.remove().await;
    result
}

async fn bench(store: &Store, a: &ExportArgs) -> anyhow::Result<()> {
    let backend = store.backend().name();
    let start = Instant::now();
    write_fixture(store, a.projects).await?;
    println!(
        "bench-export on {backend}: {} projects written in {:.1} s",
        a.projects,
        start.elapsed().as_secs_f64()
    );
    let sys = hezuo_store::Viewer::system("bench");
    let (user, _) = store
        .add_user(
            &sys,
            "office",
            Role::Office,
            None,
            None,
            Some("an export of everything"),
        )
        .await?;
    let (_, token) = store.create_token(user.id, "bench-export", None).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = hezuo_web::app(hezuo_web::AppState::new(store.clone()))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder(TokioExecutor::new()).build_http::<axum::body::Body>();
    // Batch years run 2024, 2025, 2026 in turn.
    for (what, query, expected) in [
        ("batch year 2024", "batch_year=2024&", a.projects.div_ceil(3)),
        ("the whole list", "", a.projects),
    ] {
        reset_peak();
        let before = peak_mib();
        let start = Instant::now();
        let req = axum::http::Request::builder()
            .uri(format!("{base}/api/v1/projects?{query}format=xlsx"))
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())?;
        let res = client.request(req).await?;
        ensure!(res.status() == 200, "the export answered {}", res.status());
        let bytes = res.into_body().collect().await?.to_bytes();
        let secs = start.elapsed().as_secs_f64();
        let peak = peak_mib();
        let rows = hezuo_report::sheet::read_rows(&bytes)
            .map_err(|e| anyhow::anyhow!("{}", e.en))
            .context("reading the export back")?
            .len()
            - 2;
        ensure!(rows == expected, "{what}: {rows} rows exported, {expected} expected");
        println!(
            "  {what}: {rows} rows in {secs:.2} s, {:.1} MB file; peak RSS {peak:.0} MiB (from {before:.0} MiB before the download)",
            bytes.len() as f64 / 1e6
        );
    }
    server.abort();
    Ok(())
}
