//! `hezuo bench-rush`: the month-end rush. Every unit files its progress report by the same due day
//! while editors patch projects: `--units` clients each filing (and amending) their project's
//! report, `--editors` clients each patching projects picked at random, all at once for
//! `--seconds`, against the real server (the router on a local port, real HTTP/1.1 with keep-alive)
//! on SQLite (a temporary folder) or PostgreSQL (a database of its own, created and dropped on the
//! server `--database-url` names). Prints requests, errors, throughput and latency percentiles, and
//! exits with an error if any request was answered with one.

use anyhow::Context;
use axum::body::Body;
use hezuo_domain::Clock;
use hezuo_domain::access::Role;
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::project::ProjectInput;
use hezuo_domain::supervision::BatchInput;
use hezuo_store::{Store, Viewer};
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct RushArgs {
    /// A PostgreSQL server to run on (`postgres://user@host/db`, a user that may create databases):
    /// the rush gets a database of its own there, dropped at the end. Default: SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Units filing reports, each from its own client.
    #[arg(long, default_value_t = 500)]
    units: usize,
    /// Office editors patching projects, each from its own client.
    #[arg(long, default_value_t = 50)]
    editors: usize,
    /// How long the rush lasts.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Each client's pause between its requests (0: as fast as the server answers, a saturation test).
    #[arg(long, default_value_t = 0)]
    pause_ms: u64,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The day of the rush: reports for June are being filed.
const TODAY: &str = "2026-06-15";
const PASSWORD: &str = "a rush of reports";

/// A store for the rush, and how to remove it afterwards.
pub(crate) struct Place {
    pub(crate) store: Store,
    dir: PathBuf,
    drop_db: Option<(String, String)>,
}

pub(crate) async fn place(url: Option<&str>) -> anyhow::Result<Place> {
    let tag = format!(
        "{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    );
    let dir = std::env::temp_dir().join(format!("hezuo-rush-{tag}"));
    let (url, drop_db) = match url {
        Some(admin) => {
            let name = format!("hezuo_rush_{tag}");
            Store::create_migrated_database(admin, &dir, &name)
                .await
                .context("making a database on --database-url")?;
            let (base, _) = admin.rsplit_once('/').context("a database URL ends with /database")?;
            (Some(format!("{base}/{name}")), Some((admin.to_string(), name)))
        }
        None => (None, None),
    };
    let store = Store::open_and_migrate(url.as_deref(), &dir)
        .await?
        .with_clock(Clock::Fixed(TODAY.parse()?));
    Ok(Place { store, dir, drop_db })
}

impl Place {
    /// Where the store is: its folder, or its PostgreSQL database.
    pub(crate) fn describe(&self) -> String {
        match &self.drop_db {
            Some((_, name)) => format!("database {name}"),
            None => self.dir.display().to_string(),
        }
    }

    pub(crate) async fn remove(self) {
        self.store.close().await;
        if let Some((admin, name)) = self.drop_db
            && let Ok(a) = Store::open(Some(&admin), &self.dir).await
        {
            let _ = a
                .execute_admin(&format!("drop database if exists {name} with (force)"))
                .await;
            a.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the rush writes to: a project per unit in the year's approved list, a token per client.
struct Fixture {
    /// (unit's token, its project)
    units: Vec<(String, i64)>,
    editors: Vec<String>,
    projects: Vec<i64>,
}

async fn fixture(store: &Store, units: usize, editors: usize) -> anyhow::Result<Fixture> {
    let sys = Viewer::system("bench-rush");
    let text = |s: &str| Some(s.to_string());
    let city = store
        .create_organization(
            &sys,
            &OrganizationInput {
                kind: text("government"),
                name: text("衢州市"),
                region_code: text("330800"),
                ..Default::default()
            }
            .validate()
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        )
        .await?;
    let batch = store
        .create_batch(
            &sys,
            &BatchInput {
                title: text("2026年度市校合作项目清单"),
                year: text("2026"),
                cadence: text("monthly"),
                report_due_day: text("5"),
            }
            .validate()
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        )
        .await?;
    let mut fx = Fixture {
        units: Vec::new(),
        editors: Vec::new(),
        projects: Vec::new(),
    };
    for i in 0..units {
        let org = store
            .create_organization(
                &sys,
                &OrganizationInput {
                    kind: text("department"),
                    name: Some(format!("责任单位{i:04}")),
                    parent_id: Some(city.id.to_string()),
                    ..Default::default()
                }
                .validate()
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            )
            .await?;
        let project = store
            .create_project(
                &sys,
                &ProjectInput {
                    title: Some(format!("合作项目{i:04}")),
                    kind: text("research"),
                    batch_year: text("2026"),
                    batch_id: Some(batch.id.to_string()),
                    lead_unit_id: Some(org.id.to_string()),
                    ..Default::default()
                }
                .validate()
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            )
            .await?;
        let (user, _) = store
            .add_user(
                &sys,
                &format!("unit{i:04}"),
                Role::Unit,
                Some(org.id),
                None,
                Some(PASSWORD),
            )
            .await?;
        let (_, token) = store.create_token(user.id, "bench-rush", None).await?;
        fx.units.push((token, project.id));
        fx.projects.push(project.id);
    }
    store.approve_batch(&sys, batch.id).await?;
    for i in 0..editors {
        let (user, _) = store
            .add_user(&sys, &format!("editor{i:03}"), Role::Office, None, None, Some(PASSWORD))
            .await?;
        let (_, token) = store.create_token(user.id, "bench-rush", None).await?;
        fx.editors.push(token);
    }
    Ok(fx)
}

/// One answer: which kind of request, its status, how long it took.
type Answer = (&'static str, u16, Duration);

/// A tiny generator for picking projects, one per client (xorshift).
struct Pick(u64);
impl Pick {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

async fn send(
    client: &Client<HttpConnector, Body>,
    method: &str,
    uri: &str,
    token: &str,
    body: String,
) -> anyhow::Result<u16> {
    let req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body))?;
    let res = client.request(req).await?;
    let status = res.status().as_u16();
    // Read the whole answer, as a client does.
    res.into_body().collect().await?;
    Ok(status)
}

async fn pause(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

pub async fn run(a: RushArgs) -> anyhow::Result<()> {
    let place = place(a.database_url.as_deref()).await?;
    let backend = place.store.backend().name();
    let started = Instant::now();
    let fx = Arc::new(fixture(&place.store, a.units, a.editors).await?);
    let setup = started.elapsed();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = hezuo_web::app(hezuo_web::AppState::new(place.store.clone()))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client: Client<HttpConnector, Body> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(a.units + a.editors)
        .build_http();
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let pause_ms = a.pause_ms;
    let clients = a.units.max(1) as u64;
    let mut tasks = Vec::new();
    for i in 0..fx.units.len() {
        let (fx, client, base) = (fx.clone(), client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let (token, project) = &fx.units[i];
            let mut got: Vec<Answer> = Vec::new();
            // Paced clients start spread over one pause, as people do, not all in the same instant.
            pause(pause_ms * i as u64 / clients).await;
            let mut n = 0;
            while Instant::now() < deadline {
                n += 1;
                let body = serde_json::json!({"period": "2026-06", "percent": (n * 7) % 100,
                    "done_text": format!("本月完成第{n}批样品检测，进度正常。")})
                .to_string();
                let t = Instant::now();
                let uri = format!("{base}/api/v1/projects/{project}/reports");
                let status = send(&client, "POST", &uri, token, body).await.unwrap_or(0);
                got.push(("report", status, t.elapsed()));
                pause(pause_ms).await;
            }
            got
        }));
    }
    for i in 0..fx.editors.len() {
        let (fx, client, base) = (fx.clone(), client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let token = &fx.editors[i];
            let mut pick = Pick(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
            let mut got: Vec<Answer> = Vec::new();
            pause(pause_ms * (i as u64 * 2 + 1) / (2 * fx.editors.len() as u64)).await;
            let mut n = 0;
            while Instant::now() < deadline {
                n += 1;
                let project = fx.projects[pick.next(fx.projects.len())];
                let body = serde_json::json!({"summary": format!("第{i}位编辑的第{n}次修改")}).to_string();
                let t = Instant::now();
                let uri = format!("{base}/api/v1/projects/{project}");
                let status = send(&client, "PATCH", &uri, token, body).await.unwrap_or(0);
                got.push(("patch", status, t.elapsed()));
                pause(pause_ms).await;
            }
            got
        }));
    }
    let mut answers: Vec<Answer> = Vec::new();
    for t in tasks {
        answers.extend(t.await?);
    }
    let took = Duration::from_secs(a.seconds);
    server.abort();
    let figures = summarise(&answers, took);
    println!(
        "month-end rush on {backend}: {} units filing reports, {} editors patching projects, {} s, pause {} ms (setup {:.1} s)",
        a.units,
        a.editors,
        a.seconds,
        a.pause_ms,
        setup.as_secs_f64()
    );
    println!(
        "{:<8} {:>9} {:>7} {:>9} {:>8} {:>8} {:>8}",
        "kind", "requests", "errors", "per s", "p50 ms", "p99 ms", "max ms"
    );
    for f in &figures {
        println!(
            "{:<8} {:>9} {:>7} {:>9.1} {:>8.1} {:>8.1} {:>8.1}",
            f.kind, f.requests, f.errors, f.per_second, f.p50_ms, f.p99_ms, f.max_ms
        );
    }
    let mut statuses = std::collections::BTreeMap::new();
    for (_, s, _) in &answers {
        *statuses.entry(*s).or_insert(0usize) += 1;
    }
    println!("statuses: {statuses:?} (0 = no answer)");
    if let Some(out) = &a.out {
        let json = serde_json::json!({
            "backend": backend, "units": a.units, "editors": a.editors, "seconds": a.seconds, "pause_ms": a.pause_ms,
            "setup_seconds": setup.as_secs_f64(),
            "figures": figures.iter().map(|f| serde_json::json!({"kind": f.kind, "requests": f.requests,
                "errors": f.errors, "per_second": f.per_second, "p50_ms": f.p50_ms, "p99_ms": f.p99_ms,
                "max_ms": f.max_ms})).collect::<Vec<_>>(),
        });
        std::fs::write(out, serde_json::to_string_pretty(&json)?)?;
    }
    place.remove().await;
    let errors: usize = figures.iter().filter(|f| f.kind == "all").map(|f| f.errors).sum();
    anyhow::ensure!(errors == 0, "{errors} requests were answered with an error");
    Ok(())
}

struct Figures {
    kind: &'static str,
    requests: usize,
    errors: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn summarise(answers: &[Answer], took: Duration) -> Vec<Figures> {
    ["report", "patch", "all"]
        .into_iter()
        .map(|kind| {
            let mine: Vec<&Answer> = answers.iter().filter(|a| kind == "all" || a.0 == kind).collect();
            let mut ms: Vec<f64> = mine.iter().map(|a| a.2.as_secs_f64() * 1000.0).collect();
            ms.sort_by(f64::total_cmp);
            let at = |q: f64| {
                if ms.is_empty() {
                    0.0
                } else {
                    ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1]
                }
            };
            Figures {
                kind,
                requests: mine.len(),
                errors: mine.iter().filter(|a| !(200..300).contains(&a.1)).count(),
                per_second: mine.len() as f64 / took.as_secs_f64(),
                p50_ms: at(0.50),
                p99_ms: at(0.99),
                max_ms: ms.last().copied().unwrap_or(0.0),
            }
        })
        .collect()
}
