//! The `hezuo` binary: one clap enum; every command is a thin call into the crates — `hezuo-app`
//! for the operations (reminders, the search index, matching), `hezuo-store` for records and
//! accounts, and `hezuo-web` only to serve: `serve` mounts `hezuo_web::app`.

use anyhow::Context;
mod bench;
mod export_bench;
mod funnel_bench;
mod import_bench;
mod rush;
mod scale;
mod serve_bench;
mod stats_bench;

/// mimalloc gives freed memory back to the system, which glibc's per-thread arenas did not: a
/// server on a million projects ended busy runs at 264–277 MiB instead of 448–507
/// (docs/decisions.md, docs/benchmarks.md "The allocator, settled").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Args, Parser, Subcommand};
use hezuo_domain::Clock;
use hezuo_domain::access::Role;
use hezuo_store::{Store, Viewer};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "hezuo",
    version,
    about = "Hezuo (合作) — the city–university cooperation platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the records live; every command that touches the store takes these.
#[derive(Args, Clone)]
struct StoreArgs {
    /// Data folder: the SQLite database and attachments.
    #[arg(long, env = "HEZUO_DATA_DIR", default_value = "./hezuo-data")]
    data_dir: PathBuf,
    /// `postgres://user@host/db` to use PostgreSQL instead of SQLite in the data folder.
    #[arg(long, env = "HEZUO_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Treat this date (YYYY-MM-DD) as today, for demonstrations and tests.
    #[arg(long, env = "HEZUO_TODAY", hide = true)]
    today: Option<chrono::NaiveDate>,
    /// The search index's folder (default: `search/` in the data folder). Each server needs its own,
    /// on local disk, when several share one data folder.
    #[arg(long, env = "HEZUO_INDEX_DIR")]
    index_dir: Option<PathBuf>,
}

impl StoreArgs {
    async fn open(&self) -> anyhow::Result<Store> {
        let store = Store::open_and_migrate(self.database_url.as_deref(), &self.data_dir)
            .await
            .with_context(|| format!("opening the store (data folder {})", self.data_dir.display()))?;
        Ok(store)
    }
    /// Opens the store as it is, without migrating it (a backup must not change what it copies),
    /// and without creating an empty SQLite database where there is none.
    async fn open_existing(&self) -> anyhow::Result<Store> {
        let db = self.data_dir.join("hezuo.db");
        if self.database_url.is_none() && !db.exists() {
            anyhow::bail!(
                "数据目录中没有数据库 {} / no database at {}: check --data-dir",
                db.display(),
                db.display()
            );
        }
        Store::open(self.database_url.as_deref(), &self.data_dir)
            .await
            .with_context(|| format!("opening the store (data folder {})", self.data_dir.display()))
    }
    fn index_dir(&self) -> PathBuf {
        self.index_dir.clone().unwrap_or_else(|| self.data_dir.join("search"))
    }
    fn clock(&self) -> Clock {
        self.today.map(Clock::Fixed).unwrap_or_default()
    }
}

/// Email for reminders; without it reminders are in-app only.
#[derive(Args, Clone)]
struct MailArgs {
    /// SMTP server for reminder and self-registration emails: `smtp://user:pass@host:port`, or `smtps://…` for TLS.
    #[arg(long, env = "HEZUO_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of reminder emails, e.g. `市校合作平台 <noreply@example.cn>`.
    #[arg(long, env = "HEZUO_MAIL_FROM")]
    mail_from: Option<String>,
    /// Days before a due date on which to remind (also on the day and the day after).
    #[arg(long, env = "HEZUO_REMIND_DAYS", value_delimiter = ',', default_value = "7,1")]
    remind_days: Vec<i64>,
}

impl MailArgs {
    fn mailer(&self) -> anyhow::Result<Option<hezuo_app::reminders::Mailer>> {
        match (&self.smtp_url, &self.mail_from) {
            (Some(url), Some(from)) => Ok(Some(hezuo_app::reminders::Mailer::new(url, from)?)),
            (Some(_), None) => {
                anyhow::bail!("HEZUO_SMTP_URL is set but HEZUO_MAIL_FROM is not: reminders need a sender")
            }
            _ => Ok(None),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the JSON API.
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on.
        #[arg(long, env = "HEZUO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load the demo data first if the store is empty.
        #[arg(long)]
        demo: bool,
        /// Password of the demo users that `--demo` creates (one per role).
        #[arg(
            long,
            env = "HEZUO_DEMO_PASSWORD",
            default_value = "hezuo-demo",
            hide_env_values = true
        )]
        demo_password: String,
        /// Mark the session cookie Secure: set this when users reach the server over HTTPS.
        #[arg(long, env = "HEZUO_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Take clients' addresses from X-Forwarded-For: only behind a load balancer that sets it.
        #[arg(long, env = "HEZUO_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
        /// The address users reach this server at (e.g. https://hezuo.example.gov.cn): what DingTalk
        /// messages and webhooks link back to. Default: http:// and the --listen address.
        #[arg(long, env = "HEZUO_PUBLIC_URL")]
        public_url: Option<String>,
        #[command(flatten)]
        mail: MailArgs,
        /// Largest attachment accepted, in MiB.
        #[arg(long, env = "HEZUO_MAX_UPLOAD_MB", default_value_t = 20)]
        max_upload_mb: usize,
        /// Threads of their own for matching and search (the engine's CPU work; database reads stay
        /// on the async runtime).
        #[arg(long, env = "HEZUO_ENGINE_THREADS", default_value_t = hezuo_app::pool::DEFAULT_THREADS as u16,
              value_parser = clap::value_parser!(u16).range(1..))]
        engine_threads: u16,
        /// Matching and search requests that may wait for those threads; past it they are answered
        /// 503 with Retry-After: 1.
        #[arg(long, env = "HEZUO_ENGINE_QUEUE", default_value_t = hezuo_app::pool::DEFAULT_QUEUE)]
        engine_queue: usize,
    },
    /// Load the demo data (衢州市 and a university, enterprises, agreements, projects) into an empty store.
    Demo {
        #[command(flatten)]
        store: StoreArgs,
        /// Instead of the demo: a province (11 cities, 90 counties) with this many projects, N/10
        /// organisations, N/5 demands and N/20 people over five batch years, written by the bulk
        /// loader into an empty store, with the demo accounts (issue 19's benchmarks).
        #[arg(long, value_name = "N")]
        scale: Option<usize>,
        /// Password of the demo accounts `--scale` creates (one per role).
        #[arg(
            long,
            env = "HEZUO_DEMO_PASSWORD",
            default_value = "hezuo-demo",
            hide_env_values = true
        )]
        demo_password: String,
    },
    /// Send today's reminders once (in the app, and by email when configured).
    Remind {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Rank experts and results for a demand, with the reasons.
    Match {
        #[command(flatten)]
        store: StoreArgs,
        /// The demand's id.
        demand_id: i64,
        /// How many of each to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Load the benchmark's corpus and experts into a fresh store, run its queries through the
    /// matching engine and write run files for the harness's eval.py (see ../shared/bench/README.md).
    BenchMatch(bench::BenchArgs),
    /// The month-end rush: units filing reports and editors patching projects at once, over real
    /// HTTP, on SQLite or PostgreSQL; prints throughput and latency, fails if any request fails.
    BenchRush(rush::RushArgs),
    /// Matching and search through the server beside the engine alone (issues 19, 20): the engine on
    /// this thread, the hop to tokio's blocking pool (before) and to the engine's own threads (now),
    /// and HTTP requests to the real router, each quiet and under load; prints p50/p99.
    BenchMatchServer(serve_bench::ServerBenchArgs),
    /// The closed loop's funnel over many demands (default 100,000) on SQLite or PostgreSQL:
    /// writes them, then prints how long the funnel and its lists take; fails on any error.
    BenchFunnel(funnel_bench::FunnelArgs),
    /// The statistics over many projects (default 1,000,000) on SQLite or PostgreSQL: writes them,
    /// then prints how long each grouping takes on a store just opened (cold); fails on any error.
    BenchStats(stats_bench::StatsArgs),
    /// The year's project list imported from a sheet of 10,000 good rows (`--rows`) on SQLite or
    /// PostgreSQL: prints how long reading, matching and the one write transaction take.
    BenchImport(import_bench::ImportArgs),
    /// A list exported as .xlsx (default 100,000 projects) on SQLite or PostgreSQL: writes them,
    /// then prints how long the download takes and the peak memory; fails on any error.
    BenchExport(export_bench::ExportArgs),
    /// Rebuild the search index (the data folder's `search/`) from the records.
    Reindex {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Bring the database schema up to date and exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write every record and attachment to one file, as of one moment, while the server runs.
    Backup {
        #[command(flatten)]
        store: StoreArgs,
        /// The file to write (JSON lines); one that exists is replaced once the backup is complete.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty store (the one --data-dir or --database-url names), on either backend.
    Restore {
        #[command(flatten)]
        store: StoreArgs,
        /// The file `hezuo backup` wrote.
        file: PathBuf,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user and print a one-time password (they choose their own at first sign-in).
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// office, coordinator, unit, enterprise, expert or leader.
        #[arg(long)]
        role: String,
        /// The organisation a coordinator, unit or enterprise account belongs to (its id).
        #[arg(long)]
        organization: Option<i64>,
        /// The person an expert account belongs to (its id).
        #[arg(long)]
        person: Option<i64>,
        /// The username.
        name: String,
    },
    /// Give a user a new one-time password and end their sessions.
    Reset {
        #[command(flatten)]
        store: StoreArgs,
        /// The username.
        name: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEZUO_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve {
            store: args,
            listen,
            demo,
            demo_password,
            secure_cookies,
            trust_forwarded_for,
            public_url,
            mail,
            max_upload_mb,
            engine_threads,
            engine_queue,
        } => {
            let mailer = mail.mailer()?;
            let store = args.open().await?;
            if demo {
                let existing = hezuo_store::demo::organizations_stored(&store).await?;
                if existing == 0 {
                    let s = hezuo_store::demo::load(&store, args.clock().today()).await?;
                    print_demo(&s);
                } else {
                    println!("演示数据：库中已有 {existing} 个单位，跳过载入 / store not empty, demo data not loaded");
                }
            }
            if demo {
                let users = hezuo_store::demo::create_demo_users(&store, &demo_password).await?;
                println!("演示账号 / demo users (密码 / password: {demo_password}):");
                for (name, role, reach) in users {
                    println!("  {name:<12} {:<14} {reach}", role.label().zh);
                }
            }
            let mut state = hezuo_web::AppState::new(store.clone().with_clock(args.clock()));
            state.secure_cookies = secure_cookies;
            state.trust_forwarded_for = trust_forwarded_for;
            state.max_upload_bytes = max_upload_mb * 1024 * 1024;
            let base = public_url.clone().unwrap_or_else(|| format!("http://{listen}"));
            state.webhooks = hezuo_app::webhooks::Poster::new(&base)?;
            // Links in digests point at the platform's public address.
            let mailer = mailer.map(|m| m.with_base_url(&base));
            // Self-registration's codes and decisions go out by the same mail server as reminders.
            state.mailer = mailer.clone();
            // Every server of the deployment signs /register's challenges with the database's key.
            let pow_key = store.shared_secret("register_pow").await?;
            hezuo_app::pow::set_key(&pow_key);
            let index_dir = args.index_dir();
            let state = state.with_index_dir(&index_dir).with_context(|| {
                format!(
                    "opening the search index in {} (another server using the same folder? give each its own --index-dir)",
                    index_dir.display()
                )
            })?;
            let state = state
                .with_engine_pool(engine_threads.into(), engine_queue)
                .context("starting matching and search's threads")?;
            // Catch the index up before the first request, then keep following the change feed.
            state.search.sync(&state.store).await?;
            hezuo_app::search::spawn_follower(state.search.clone(), state.store.clone());
            // Matching's synonym table, built while the server starts rather than on the first demand.
            tokio::task::spawn_blocking(hezuo_search::matching::warm);
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            println!(
                "Hezuo {} 已启动：http://{} （{}）",
                env!("CARGO_PKG_VERSION"),
                listener.local_addr()?,
                store.backend().name()
            );
            hezuo_app::reminders::spawn_schedule(state.store.clone(), mailer, mail.remind_days.clone());
            hezuo_app::flags::spawn_refresh(state.store.clone());
            hezuo_app::webhooks::spawn(state.store.clone(), state.webhooks.clone());
            // The peer's address reaches handlers for the audit log and sign-in throttling.
            let app = hezuo_web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
            store.close().await;
        }
        Command::Demo {
            store: args,
            scale: None,
            ..
        } => {
            let store = args.open().await?;
            let s = hezuo_store::demo::load(&store, args.clock().today()).await?;
            print_demo(&s);
            store.close().await;
        }
        Command::Demo {
            store: args,
            scale: Some(n),
            demo_password,
        } => {
            let store = args.open().await?.with_clock(args.clock());
            scale::load(&store, n, &demo_password).await?;
            println!(
                "搜索索引未建：服务器首次启动时建立，或先运行 `hezuo reindex` / the search index is not built: \
                 the server builds it at its first start, or run `hezuo reindex` first"
            );
            store.close().await;
        }
        Command::User {
            command:
                UserCommand::Add {
                    store: args,
                    role,
                    organization,
                    person,
                    name,
                },
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("unknown role “{role}”: use office, coordinator, unit, enterprise, expert or leader")
            })?;
            let store = args.open().await?;
            let (user, password) = store
                .add_user(&Viewer::system("命令行"), &name, role, organization, person, None)
                .await
                .map_err(explain)?;
            println!(
                "已创建用户 {}（{}）。一次性密码 / one-time password: {password}",
                user.username,
                role.label().zh
            );
            store.close().await;
        }
        Command::User {
            command: UserCommand::Reset { store: args, name },
        } => {
            let store = args.open().await?;
            let user = store
                .user_by_name(&name)
                .await?
                .with_context(|| format!("no user named “{name}”"))?;
            let password = store
                .reset_password(&Viewer::system("命令行"), user.id)
                .await
                .map_err(explain)?;
            println!("已重置 {name} 的密码。一次性密码 / one-time password: {password}");
            store.close().await;
        }
        Command::Remind { store: args, mail } => {
            let mailer = mail.mailer()?;
            let store = args.open().await?.with_clock(args.clock());
            let s = hezuo_app::reminders::run_once(&store, mailer.as_ref(), &mail.remind_days).await?;
            println!(
                "提醒 / reminders: {} 人收到站内提醒，{} 封邮件，{} 人今日已提醒过，{} 封每日通知汇总 / notified {}, emailed {}, already reminded today {}, digests {}",
                s.notified, s.emailed, s.skipped, s.digests, s.notified, s.emailed, s.skipped, s.digests
            );
            store.close().await;
        }
        Command::Match {
            store: args,
            demand_id,
            limit,
        } => {
            let store = args.open().await?.with_clock(args.clock());
            let search = hezuo_app::search::Search::open(&args.index_dir()).with_context(|| {
                format!(
                    "opening the search index in {} (is a server using it? stop it, or give --index-dir)",
                    args.index_dir().display()
                )
            })?;
            search.sync(&store).await?;
            print!(
                "{}",
                hezuo_app::matching::explain(&store, &search, demand_id, limit).await?
            );
            store.close().await;
        }
        Command::BenchMatch(a) => bench::run(a).await?,
        Command::BenchRush(a) => rush::run(a).await?,
        Command::BenchMatchServer(a) => serve_bench::run(a).await?,
        Command::BenchFunnel(a) => funnel_bench::run(a).await?,
        Command::BenchStats(a) => stats_bench::run(a).await?,
        Command::BenchImport(a) => import_bench::run(a).await?,
        Command::BenchExport(a) => export_bench::run(a).await?,
        Command::Reindex { store: args } => {
            let store = args.open().await?;
            let dir = args.index_dir();
            let search = hezuo_app::search::Search::open(&dir).with_context(|| {
                format!(
                    "opening the search index in {} (is a server using it? stop it first)",
                    dir.display()
                )
            })?;
            let n = search.rebuild(&store).await?;
            println!(
                "搜索索引已重建：{n} 条记录 / search index rebuilt: {n} records ({})",
                dir.display()
            );
            store.close().await;
        }
        Command::Migrate { store: args } => {
            let store = args.open().await?;
            println!("数据库结构已是最新 / schema is up to date ({})", store.backend().name());
            store.close().await;
        }
        Command::Backup { store: args, out } => {
            let store = args.open_existing().await?;
            let started = std::time::Instant::now();
            let result = write_backup(&store, &out).await;
            store.close().await;
            let s = result?;
            let (mb, secs) = (
                std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) as f64 / 1e6,
                started.elapsed().as_secs_f64(),
            );
            let (path, tables, rows) = (out.display(), s.tables.len(), s.rows());
            print_tables(&s);
            println!(
                "已写入备份 {path}：{tables} 张表，{rows} 行，{mb:.1} MB，用时 {secs:.1} 秒 / backup written to {path}: \
                 {tables} tables, {rows} rows, {mb:.1} MB, {secs:.1} s ({}, schema {})",
                store.backend().name(),
                s.header.schema
            );
        }
        Command::Restore { store: args, file } => {
            let f = std::fs::File::open(&file).with_context(|| format!("opening the backup {}", file.display()))?;
            let store = args.open().await?;
            let started = std::time::Instant::now();
            let result = store
                .restore(std::io::BufReader::with_capacity(1 << 20, f))
                .await
                .with_context(|| format!("restoring {}", file.display()));
            store.close().await;
            let s = result?;
            let (path, tables, rows, secs) = (
                file.display(),
                s.tables.len(),
                s.rows(),
                started.elapsed().as_secs_f64(),
            );
            print_tables(&s);
            println!(
                "已恢复 {path}：{tables} 张表，{rows} 行，用时 {secs:.1} 秒 / restored {path}: {tables} tables, {rows} rows, \
                 {secs:.1} s (backup of {} from {}, into {})",
                s.header.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                s.header.backend,
                store.backend().name()
            );
            println!("搜索索引：请运行 hezuo reindex / search index: run `hezuo reindex` before serving");
        }
    }
    Ok(())
}

/// A store error as the person at the terminal needs it: each field and what is wrong with it.
fn explain(e: hezuo_store::StoreError) -> anyhow::Error {
    match e {
        hezuo_store::StoreError::Invalid(f) | hezuo_store::StoreError::Conflict(f) => anyhow::anyhow!("{f}"),
        hezuo_store::StoreError::Forbidden(m) => anyhow::anyhow!("{}", m.zh),
        other => other.into(),
    }
}

/// Writes the backup next to `out` first and moves it into place once complete, so that `out` is
/// never a backup cut short.
async fn write_backup(store: &Store, out: &std::path::Path) -> anyhow::Result<hezuo_store::backup::Summary> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let write = async {
        let file = std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let s = store.backup(&mut w).await.context("reading the store")?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&partial, out).with_context(|| format!("moving the backup to {}", out.display()))?;
        anyhow::Ok(s)
    };
    let result = write.await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result.with_context(|| format!("backing up to {}", out.display()))
}

fn print_tables(s: &hezuo_store::backup::Summary) {
    for (table, rows) in &s.tables {
        println!("  {table:<24} {rows:>8}");
    }
}

fn print_demo(s: &hezuo_store::demo::DemoSummary) {
    println!(
        "已载入演示数据 / demo data loaded: {} 个单位, {} 名人员, {} 份协议, {} 个项目, {} 个节点, {} 份进度填报, {} 条征集/需求/成果/论文记录",
        s.organizations, s.people, s.agreements, s.projects, s.milestones, s.reports, s.solicitation
    );
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
