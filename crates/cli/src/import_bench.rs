//! `hezuo bench-import`: the year's project list imported from a sheet of `--rows` good rows
//! (default 10,000). Writes a fixture of units through the store (a city, six counties with their
//! departments, two universities with their colleges, people in every unit), builds the sheet with
//! the template's header — each row's lead unit and co-unit by name, its responsible person by
//! name, dates written the ways people write them — and times the import as the office: reading
//! the workbook, matching and validating, and the one transaction that writes it all. Prints the
//! figures and checks the count; fails on any error, never on time.

use crate::rush::place;
use anyhow::ensure;
use hezuo_domain::ListParams;
use hezuo_domain::organization::OrganizationInput;
use hezuo_domain::person::PersonInput;
use hezuo_domain::project::ProjectFilter;
use hezuo_store::{Store, Viewer};
use std::time::Instant;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// A PostgreSQL server to run on (a user that may create databases): the bench gets a database
    /// of its own there, dropped at the end. Default: SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// How many rows the sheet has.
    #[arg(long, default_value_t = 10_000)]
    rows: usize,
    /// Keep the store afterwards (its folder or database is printed).
    #[arg(long)]
    keep: bool,
}

const KINDS: [&str; 7] = ["研究类", "工科类", "人才培养", "文化", "民生", "平台建设", "智力服务"];

pub async fn run(a: ImportArgs) -> anyhow::Result<()> {
    let place = place(a.database_url.as_deref()).await?;
    let result = bench(&place.store, &a).await;
    if a.keep {
        println!("kept: {}", place.describe());
    } else {
        place.remove().await;
    }
    result
}

async fn org(
    store: &Store,
    v: &Viewer,
    kind: &str,
    name: &str,
    parent: Option<i64>,
    region: Option<&str>,
) -> anyhow::Result<i64> {
    let d = OrganizationInput {
        kind: Some(kind.into()),
        name: Some(name.into()),
        parent_id: parent.map(|p| p.to_string()),
        region_code: region.map(Into::into),
        ..Default::default()
    }
    .validate()
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(store.create_organization(v, &d).await?.id)
}

async fn bench(store: &Store, a: &ImportArgs) -> anyhow::Result<()> {
    let backend = store.backend().name();
    let v = Viewer::system("bench-import");
    let city = org(store, &v, "government", "衢州市", None, Some("330800")).await?;
    let counties = [
        ("柯城区", "330802"),
        ("衢江区", "330803"),
        ("常山县", "330822"),
        ("开化县", "330824"),
        ("龙游县", "330825"),
        ("江山市", "330881"),
    ];
    let depts = ["科技局", "经信局", "农业农村局", "教育局", "卫健局"];
    // (lead unit's name, a person in it)
    let mut leads: Vec<(String, String)> = Vec::new();
    for (name, code) in counties {
        let c = org(store, &v, "government", name, Some(city), Some(code)).await?;
        for d in depts {
            let full = format!("{name}{d}");
            let id = org(store, &v, "department", &full, Some(c), None).await?;
            for (i, who) in ["张伟", "王芳", "李强"].iter().enumerate() {
                let p = PersonInput {
                    organization_id: Some(id.to_string()),
                    name: Some(format!("{who}{}", i + 1)),
                    ..Default::default()
                }
                .validate()
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                store.create_person(&v, &p).await?;
            }
            leads.push((full, "张伟1".into()));
        }
    }
    let mut colleges = Vec::new();
    for (uni, list) in [
        (
            "浙江工业大学",
            [
                "化学工程学院",
                "材料科学与工程学院",
                "机械工程学院",
                "环境学院",
                "管理学院",
            ],
        ),
        (
            "衢州学院",
            [
                "化学与材料工程学院",
                "电气与信息工程学院",
                "建筑工程学院",
                "经济管理学院",
                "教师教育学院",
            ],
        ),
    ] {
        let u = org(store, &v, "university", uni, None, None).await?;
        for c in list {
            org(store, &v, "college", c, Some(u), None).await?;
            colleges.push(c.to_string());
        }
    }
    let rows: Vec<Vec<String>> = (0..a.rows)
        .map(|i| {
            let (lead, person) = &leads[i % leads.len()];
            let m = 1 + i % 12;
            vec![
                format!("市校合作项目第{i}号：{}技术攻关", KINDS[i % 7]),
                KINDS[i % 7].to_string(),
                "2026".into(),
                String::new(),
                lead.clone(),
                colleges[i % colleges.len()].clone(),
                person.clone(),
                format!("{}.5", 10 + i % 300),
                format!("{}", i % 50),
                if i % 2 == 0 {
                    format!("2026-{m:02}-01")
                } else {
                    format!("2026/{m}/1")
                },
                "2027-12-31".into(),
                "围绕县域主导产业开展联合技术攻关，形成可推广的成果并在本地转化。".into(),
                "申报建议".into(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let t = Instant::now();
    let bytes = hezuo_app::project_import::sheet(&rows)?;
    let write_sheet = t.elapsed().as_secs_f64();
    println!(
        "bench-import on {backend}: a sheet of {} rows, {:.1} MB, written in {write_sheet:.2} s",
        a.rows,
        bytes.len() as f64 / 1e6
    );
    // The parts, timed apart: the workbook read, then the names matched and every row validated.
    let t = Instant::now();
    let read = hezuo_report_rows(&bytes)?;
    let t_read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let lookup = store.project_import_lookup().await?;
    let names = hezuo_app::project_import::Names::new(&lookup);
    let mapped = hezuo_app::project_import::map_rows(&read, &names).map_err(|e| anyhow::anyhow!("{e}"))?;
    let t_map = t.elapsed().as_secs_f64();
    ensure!(
        mapped.errors.is_empty(),
        "bad cells: {:?}",
        &mapped.errors[..mapped.errors.len().min(5)]
    );
    // The whole import, as the API runs it: read, match, validate, one transaction.
    let t = Instant::now();
    let report = hezuo_app::project_import::import(store, &v, &bytes)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let total = t.elapsed().as_secs_f64();
    ensure!(
        report.errors.is_empty(),
        "refused: {:?}",
        &report.errors[..report.errors.len().min(5)]
    );
    ensure!(report.created == a.rows, "created {} of {}", report.created, a.rows);
    // The check below wants the exact count, however long the list (past 1,000 rows a list's
    // total is otherwise an estimate made in the background).
    store.set_exact_count_limit(i64::MAX / 2);
    let listed = store
        .list_projects(&v, &ProjectFilter::default(), &ListParams::default())
        .await?
        .total;
    ensure!(listed as usize == a.rows, "the list shows {listed}");
    println!("  read the workbook (calamine)      {t_read:6.2} s");
    println!("  match names + validate rows       {t_map:6.2} s");
    println!("  write (one transaction)           {:6.2} s", total - t_read - t_map);
    println!(
        "  import, end to end                {total:6.2} s  ({:.0} rows/s; target ≤ 3 s for 10,000)",
        a.rows as f64 / total
    );
    Ok(())
}

fn hezuo_report_rows(bytes: &[u8]) -> anyhow::Result<Vec<Vec<String>>> {
    hezuo_app::project_import::read_sheet(bytes).map_err(|e| anyhow::anyhow!("{}", e.zh))
}
