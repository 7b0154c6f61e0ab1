//! `hezuo bench-match`: the benchmark in ../shared/bench run through the project's own code path.

use std::path::PathBuf;

#[derive(clap::Args, Clone)]
pub struct BenchArgs {
    /// corpus.jsonl: {"id", "text", "keywords", "discipline"} per line; loaded as research results.
    #[arg(long)]
    pub corpus: PathBuf,
    /// experts.jsonl: {"id", "name", "discipline", "papers"}; loaded as experts owning those results.
    #[arg(long)]
    pub experts: Option<PathBuf>,
    /// queries.jsonl: {"qid", "query"} per line.
    #[arg(long)]
    pub queries: PathBuf,
    /// Where results.jsonl, experts.jsonl and timing.json go.
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn run(_a: BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("bench-match is not written yet")
}
