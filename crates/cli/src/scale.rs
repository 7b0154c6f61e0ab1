//! `hezuo demo --scale N`: a province's worth of data (issue 19) through the store's bulk loader
//! (`hezuo_store::demo_scale`), with the load time of each phase and the row counts printed.

use hezuo_store::Store;
use hezuo_store::demo_scale::{ScaleReport, ScaleSpec};
use std::time::Instant;

/// Writes `projects` projects' province into the (empty) store and prints what it wrote.
pub async fn load(store: &Store, projects: usize, password: &str) -> anyhow::Result<ScaleReport> {
    let t = Instant::now();
    let r = store.write_scale(&ScaleSpec::new(projects), password).await?;
    print(&r);
    println!(
        "共用时 / total {:.1} s on {}",
        t.elapsed().as_secs_f64(),
        store.backend().name()
    );
    Ok(r)
}

pub fn print(r: &ScaleReport) {
    println!(
        "规模数据 / scale data: {} 个单位, {} 名人员, {} 个批次, {} 个项目 ({} 个合作单位, {} 个节点, {} 份进度填报), {} 条需求",
        r.organizations, r.people, r.batches, r.projects, r.co_units, r.milestones, r.reports, r.demands
    );
    for (name, d) in &r.phases {
        println!("  {name:<32} {:>8.1} s", d.as_secs_f64());
    }
    println!(
        "演示账号 / demo users (coordinator: {} 及其下属单位 / and its subtree):",
        r.coordinator_county.1
    );
    for (name, role, reach) in &r.accounts {
        println!("  {name:<12} {:<14} {reach}", role.label().zh);
    }
}
