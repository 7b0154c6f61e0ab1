//! The `hezuo` binary: one clap enum; every command is a thin call into the crates.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use hezuo_domain::Clock;
use hezuo_store::Store;
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
}

impl StoreArgs {
    async fn open(&self) -> anyhow::Result<Store> {
        let store = Store::open_and_migrate(self.database_url.as_deref(), &self.data_dir)
            .await
            .with_context(|| format!("opening the store (data folder {})", self.data_dir.display()))?;
        Ok(store)
    }
    fn clock(&self) -> Clock {
        self.today.map(Clock::Fixed).unwrap_or_default()
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
        /// Password of the demo users (used once accounts exist).
        #[arg(
            long,
            env = "HEZUO_DEMO_PASSWORD",
            default_value = "hezuo-demo",
            hide_env_values = true
        )]
        demo_password: String,
        /// Largest attachment accepted, in MiB.
        #[arg(long, env = "HEZUO_MAX_UPLOAD_MB", default_value_t = 20)]
        max_upload_mb: usize,
    },
    /// Load the demo data (衢州市 and a university, enterprises, agreements, projects) into an empty store.
    Demo {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Bring the database schema up to date and exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
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
            demo_password: _,
            max_upload_mb,
        } => {
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
            let mut state = hezuo_web::AppState::new(store.clone());
            state.clock = args.clock();
            state.max_upload_bytes = max_upload_mb * 1024 * 1024;
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            println!(
                "Hezuo {} 已启动：http://{} （{}）",
                env!("CARGO_PKG_VERSION"),
                listener.local_addr()?,
                store.backend().name()
            );
            axum::serve(listener, hezuo_web::app(state))
                .with_graceful_shutdown(shutdown())
                .await?;
            store.close().await;
        }
        Command::Demo { store: args } => {
            let store = args.open().await?;
            let s = hezuo_store::demo::load(&store, args.clock().today()).await?;
            print_demo(&s);
            store.close().await;
        }
        Command::Migrate { store: args } => {
            let store = args.open().await?;
            println!("数据库结构已是最新 / schema is up to date ({})", store.backend().name());
            store.close().await;
        }
    }
    Ok(())
}

fn print_demo(s: &hezuo_store::demo::DemoSummary) {
    println!(
        "已载入演示数据 / demo data loaded: {} 个单位, {} 名人员, {} 份协议, {} 个项目, {} 个节点",
        s.organizations, s.people, s.agreements, s.projects, s.milestones
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
