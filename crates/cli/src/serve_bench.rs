//! `hezuo bench-match-server`: `bench-match`'s engine timing set beside the same work through the
//! server (issues 19 and 20). On the demo data (a temporary SQLite store, or a database of its own on
//! `--database-url`), in one run: the engine on this thread (every demand's matching and a set of
//! searches), the hop a request makes to the engine's threads — tokio's shared blocking pool, as the
//! server did before, and matching and search's own pool, as it does now — with `--clients`
//! concurrent callers, and the real router on a local port over HTTP/1.1 with `--clients`
//! concurrent clients asking `GET /api/v1/demands/{id}/matches` and `GET /api/v1/search`. Each is
//! timed quiet and again under load: `--load-clients` clients listing projects and `--burn`
//! threads spinning on the CPU. Prints p50/p99 per line and the load average; fails if a request
//! fails.

use crate::bench::percentile;
use anyhow::Context;
use axum::body::Body;
use hezuo_search::{MatchRequest, SearchIndex, SearchRequest};
use hezuo_store::Viewer;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

#[derive(clap::Args)]
pub struct ServerBenchArgs {
    /// A PostgreSQL server (`postgres://user@host/db`, a user that may create databases): the bench
    /// gets a database of its own there, dropped at the end. Default: SQLite in a temporary folder.
    #[arg(long)]
    database_url: Option<String>,
    /// Concurrent callers (and HTTP clients) of matching and search.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Passes over the demands and the search queries, per line.
    #[arg(long, default_value_t = 20)]
    passes: usize,
    /// Matching and search's own threads in the server (as `serve --engine-threads`).
    #[arg(long, default_value_t = hezuo_app::pool::DEFAULT_THREADS)]
    engine_threads: usize,
    /// The load: clients listing projects over HTTP all the while…
    #[arg(long, default_value_t = 4)]
    load_clients: usize,
    /// …and threads spinning on the CPU.
    #[arg(long, default_value_t = 1)]
    burn: usize,
}

/// Searches asked beside the demands (words of the demo's fields).
const QUERIES: &[&str] = &[
    "废水",
    "含氟废水",
    "催化剂",
    "电池",
    "智能制造",
    "农业",
    "水泥",
    "氟化工",
    "数字化",
    "检测",
];

/// One measured line: what, and its latencies in ms.
struct Line {
    what: String,
    ms: Vec<f64>,
}

impl Line {
    fn print(&mut self) {
        self.ms.sort_by(f64::total_cmp);
        println!(
            "{:<58} {:>6} {:>9.3} {:>9.3}",
            self.what,
            self.ms.len(),
            percentile(&self.ms, 0.50),
            percentile(&self.ms, 0.99)
        );
    }
}

/// A job: matching a demand (its text, or its URI), or a search (its words, or its URI).
#[derive(Clone)]
struct Job {
    is_match: bool,
    text: String,
}

fn engine(index: &SearchIndex, job: &Job) -> anyhow::Result<usize> {
    Ok(if job.is_match {
        // The API asks for 10 of each and the ranking takes three times as many before its priors.
        index
            .match_demand(&MatchRequest {
                text: job.text.clone(),
                limit: 30,
            })?
            .results
            .len()
    } else {
        // As the search API does: every candidate, narrowed afterwards.
        index
            .search(&SearchRequest {
                query: job.text.clone(),
                include_restricted: true,
                limit: 10_000,
            })?
            .len()
    })
}

fn split(timed: Vec<(Job, f64)>, name: &str, tag: &str) -> [Line; 2] {
    let (m, s): (Vec<_>, Vec<_>) = timed.into_iter().partition(|(j, _)| j.is_match);
    [
        Line {
            what: format!("match  {name}, {tag}"),
            ms: m.into_iter().map(|x| x.1).collect(),
        },
        Line {
            what: format!("search {name}, {tag}"),
            ms: s.into_iter().map(|x| x.1).collect(),
        },
    ]
}

/// Runs `jobs` through `each` from `clients` concurrent tasks; each job with its latency in ms.
async fn concurrently<F, Fut>(jobs: &[Job], clients: usize, each: F) -> anyhow::Result<Vec<(Job, f64)>>
where
    F: Fn(Job) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let jobs = Arc::new(jobs.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let (jobs, next, each) = (jobs.clone(), next.clone(), each.clone());
        tasks.push(tokio::spawn(async move {
            let mut ms = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let t = Instant::now();
                each(job.clone()).await?;
                ms.push((job.clone(), t.elapsed().as_secs_f64() * 1000.0));
            }
            anyhow::Ok(ms)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

async fn get(client: &Client<HttpConnector, Body>, uri: String, token: &str) -> anyhow::Result<()> {
    let req = axum::http::Request::get(&uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())?;
    let res = client.request(req).await?;
    let status = res.status();
    res.into_body().collect().await?;
    anyhow::ensure!(status.is_success(), "{uri}: {status}");
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

pub async fn run(a: ServerBenchArgs) -> anyhow::Result<()> {
    let place = crate::rush::place(a.database_url.as_deref()).await?;
    let store = place.store.clone();
    hezuo_store::demo::load(&store, store.today()).await?;
    hezuo_store::demo::create_demo_users(&store, "bench-match-server").await?;
    let office = store.user_by_name("office").await?.context("the demo's office user")?;
    let (_, token) = store.create_token(office.id, "bench-match-server", None).await?;
    let demands = store
        .list_demands(
            &Viewer::system("bench"),
            &Default::default(),
            &hezuo_domain::ListParams::first(500),
        )
        .await?
        .items;
    let state = hezuo_web::AppState::new(store.clone());
    state
        .search
        .set_pool(hezuo_app::pool::EnginePool::new(a.engine_threads, 4096)?);
    state.search.sync(&store).await?;
    hezuo_search::matching::warm();
    let index = state.search.index().clone();

    let mut jobs = Vec::new();
    for _ in 0..a.passes {
        jobs.extend(demands.iter().map(|d| Job {
            is_match: true,
            text: hezuo_app::matching::demand_text(d),
        }));
        jobs.extend(QUERIES.iter().map(|q| Job {
            is_match: false,
            text: q.to_string(),
        }));
    }
    let uris: Vec<Job> = (0..a.passes)
        .flat_map(|_| {
            demands
                .iter()
                .map(|d| Job {
                    is_match: true,
                    text: format!("/api/v1/demands/{}/matches", d.id),
                })
                .chain(QUERIES.iter().map(|q| Job {
                    is_match: false,
                    text: format!(
                        "/api/v1/search?q={}",
                        q.bytes().map(|b| format!("%{b:02X}")).collect::<String>()
                    ),
                }))
        })
        .collect();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = hezuo_web::app(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client: Client<HttpConnector, Body> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(a.clients + a.load_clients)
        .build_http();
    println!(
        "{} demands, {} searches, {} passes; {} clients; engine threads {}; {}",
        demands.len(),
        QUERIES.len(),
        a.passes,
        a.clients,
        a.engine_threads,
        place.describe()
    );
    println!("{:<58} {:>6} {:>9} {:>9}", "path", "n", "p50 ms", "p99 ms");

    for loaded in [false, true] {
        let stop = Arc::new(AtomicBool::new(false));
        let mut background = Vec::new();
        let mut burners = Vec::new();
        if loaded {
            for _ in 0..a.load_clients {
                let (client, base, token, stop) = (client.clone(), base.clone(), token.clone(), stop.clone());
                background.push(tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        get(&client, format!("{base}/api/v1/projects?per_page=20"), &token).await?;
                    }
                    anyhow::Ok(())
                }));
            }
            for _ in 0..a.burn {
                let stop = stop.clone();
                burners.push(std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                    }
                }));
            }
        }
        let tag = if loaded { "under load" } else { "quiet" };
        // The engine on this thread, one job at a time.
        let mut timed = Vec::with_capacity(jobs.len());
        for j in &jobs {
            let t = Instant::now();
            std::hint::black_box(engine(&index, j)?);
            timed.push((j.clone(), t.elapsed().as_secs_f64() * 1000.0));
        }
        let mut lines = Vec::new();
        lines.extend(split(timed, "engine, this thread", tag));
        // The hop alone, as the server made it before: tokio's shared blocking pool.
        let idx = index.clone();
        let timed = concurrently(&jobs, a.clients, move |j| {
            let idx = idx.clone();
            async move {
                tokio::task::spawn_blocking(move || engine(&idx, &j)).await??;
                Ok(())
            }
        })
        .await?;
        let name = format!("spawn_blocking (before), {} callers", a.clients);
        lines.extend(split(timed, &name, tag));
        // The hop as the server makes it now: matching and search's own threads.
        let search = state.search.clone();
        let timed = concurrently(&jobs, a.clients, move |j| {
            let search = search.clone();
            async move {
                search.run(move |idx| engine(idx, &j)).await??;
                Ok(())
            }
        })
        .await?;
        let name = format!("engine pool (now), {} callers", a.clients);
        lines.extend(split(timed, &name, tag));
        // The whole request through the router over HTTP.
        let (c, b, t) = (client.clone(), base.clone(), token.clone());
        let timed = concurrently(&uris, a.clients, move |j| {
            let (c, b, t) = (c.clone(), b.clone(), t.clone());
            async move { get(&c, format!("{b}{}", j.text), &t).await }
        })
        .await?;
        let name = format!("HTTP GET (now), {} clients", a.clients);
        lines.extend(split(timed, &name, tag));
        let load = load_average();
        stop.store(true, Ordering::Relaxed);
        for b in background {
            b.await??;
        }
        for b in burners {
            let _ = b.join();
        }
        for l in &mut lines {
            l.print();
        }
        println!("load average (1, 5, 15 min) {tag}: {load}");
    }
    server.abort();
    place.remove().await;
    Ok(())
}
