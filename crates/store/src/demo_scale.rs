//! Province-scale data (issue 19): `hezuo demo --scale N` and `hezuo bench-stats`. Fills a fresh
//! store with 浙江省 — the province, its 11 cities and 90 counties (real-looking 33xxxx region codes),
//! enterprises under the counties, universities with their colleges — then N projects over five
//! approved batch years (2022–2026) with milestones, progress reports and co-units, experts and
//! contacts, and enterprises' demands; the usual demo accounts on top. Organisations, demands and
//! people scale with N (N/10, N/5, N/20, with floors for a small N).
//!
//! A loader into a fresh store, not a user's write: it writes rows through multi-row inserts, one
//! transaction per chunk (a failure half-way leaves the chunks before it; start again on a new
//! store), with no change feed or audit entries per record, and refuses a store that already has
//! projects or organisations. Everything comes from a fixed seed and fixed dates (the data is as of
//! December 2026), so the same N gives the same rows, ids included, on either backend.
//! Over 800 lines: one loader's tables written in order, most of the length being rows laid out one
//! value a line. Next split: the demands into `demo_scale_demands.rs`.

use crate::sql::{Arg, Q, bind_args};
use crate::{Backend, Result, Store, StoreError, Tx, on_db, on_tx};
use chrono::{NaiveDate, TimeDelta};
use hezuo_domain::Msg;
use hezuo_domain::access::Role;
use std::time::{Duration, Instant};

/// What to write.
#[derive(Debug, Clone, Copy)]
pub struct ScaleSpec {
    /// Projects to write.
    pub projects: usize,
}

impl ScaleSpec {
    pub fn new(projects: usize) -> ScaleSpec {
        ScaleSpec { projects }
    }
    /// Organisations in all: N/10, at least 400.
    pub fn organizations(&self) -> usize {
        (self.projects / 10).max(400)
    }
    /// Demands: N/5, at least 100.
    pub fn demands(&self) -> usize {
        (self.projects / 5).max(100)
    }
    /// People (experts and contacts): N/20, at least 150.
    pub fn people(&self) -> usize {
        (self.projects / 20).max(150)
    }
    fn universities(&self) -> usize {
        (self.organizations() / 2000).max(2)
    }
}

/// What was written, and how long each phase took.
#[derive(Debug, Clone, Default)]
pub struct ScaleReport {
    pub organizations: usize,
    pub people: usize,
    pub batches: usize,
    pub projects: usize,
    pub co_units: usize,
    pub milestones: usize,
    pub reports: usize,
    pub demands: usize,
    /// Projects written per batch year, oldest first (archived ones included).
    pub per_year: Vec<(i32, i64)>,
    /// Of those, the archived ones per year.
    pub archived_per_year: Vec<(i32, i64)>,
    /// The county the coordinator account is scoped to (江山市), and its id.
    pub coordinator_county: (i64, String),
    /// The demo accounts: (username, role, what it reaches).
    pub accounts: Vec<(String, Role, String)>,
    /// (phase, time taken), in order.
    pub phases: Vec<(&'static str, Duration)>,
}

/// The batch years.
pub const YEARS: std::ops::RangeInclusive<i32> = 2022..=2026;

/// Cities with their region code prefix and how many counties they have (90 in all).
const CITIES: [(&str, &str, usize); 11] = [
    ("杭州市", "3301", 13),
    ("宁波市", "3302", 10),
    ("温州市", "3303", 12),
    ("嘉兴市", "3304", 7),
    ("湖州市", "3305", 5),
    ("绍兴市", "3306", 6),
    ("金华市", "3307", 9),
    ("衢州市", "3308", 6),
    ("舟山市", "3309", 4),
    ("台州市", "3310", 9),
    ("丽水市", "3311", 9),
];
/// 衢州's counties by their real names and codes; other cities' counties are numbered.
const QUZHOU: [(&str, &str); 6] = [
    ("柯城区", "330802"),
    ("衢江区", "330803"),
    ("常山县", "330822"),
    ("开化县", "330824"),
    ("龙游县", "330825"),
    ("江山市", "330881"),
];
const COLLEGES_PER_UNIVERSITY: usize = 20;
const SECTIONS: [&str; 10] = ["C13", "C26", "C34", "C39", "I65", "M73", "A01", "E48", "D44", "N77"];
const WORDS: [&str; 16] = [
    "氟化工",
    "废水处理",
    "智能制造",
    "新材料",
    "电子信息",
    "生物医药",
    "数字乡村",
    "绿色能源",
    "装备升级",
    "食品安全",
    "碳排放监测",
    "工业互联网",
    "现代农业",
    "锂电池回收",
    "精密加工",
    "文旅融合",
];
const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "朱", "胡", "郑", "毛",
];
const GIVEN: [&str; 16] = [
    "伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超", "华",
];
const KINDS: [&str; 7] = [
    "research",
    "engineering",
    "talent",
    "culture",
    "livelihood",
    "platform",
    "service",
];
const MODES: [&str; 6] = [
    "development",
    "transfer",
    "license",
    "consulting",
    "service",
    "platform",
];
/// Rows of one transaction's chunk of projects.
const CHUNK: usize = 5000;
/// Bound values per statement. Far under SQLite's 32,766 and PostgreSQL's 65,535 on purpose: a
/// statement's binding costs more than linearly in its values (20,000 a statement loaded 100
/// projects a second on SQLite), so many small statements in one transaction are faster.
const MAX_ARGS: usize = 1_000;

/// xorshift64*: fixed seed, same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A value in a bulk row: [`Arg`] or SQL null.
enum V {
    A(Arg),
    Null,
}
fn i(v: i64) -> V {
    V::A(Arg::I64(v))
}
fn i32v(v: i32) -> V {
    V::A(Arg::I32(v))
}
fn t(v: impl Into<String>) -> V {
    V::A(Arg::Text(v.into()))
}
fn b(v: bool) -> V {
    V::A(Arg::Bool(v))
}
fn d(v: NaiveDate) -> V {
    V::A(Arg::Date(v))
}
fn ts() -> V {
    V::A(Arg::Time(
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .unwrap_or_default()
            .and_utc(),
    ))
}
fn ymd(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// Multi-row `insert … values (…), (…)` for one table, sent whenever it holds [`MAX_ARGS`] values —
/// unless it is a child table's ([`Bulk::child`]), whose rows must wait for their parents' flush.
struct Bulk {
    head: &'static str,
    q: Q,
    rows: usize,
    written: usize,
    child: bool,
}

impl Bulk {
    fn new(head: &'static str) -> Bulk {
        Bulk {
            head,
            q: Q::new(head),
            rows: 0,
            written: 0,
            child: false,
        }
    }
    /// A table whose rows point at another's written in the same chunk: flushed by the caller, after the parent.
    fn child(head: &'static str) -> Bulk {
        Bulk {
            child: true,
            ..Bulk::new(head)
        }
    }
    fn full(&self) -> bool {
        self.q.args.len() >= MAX_ARGS
    }
    async fn row(&mut self, tx: &mut Tx, vals: Vec<V>) -> Result<()> {
        self.q.push(if self.rows == 0 { "(" } else { ", (" });
        for (k, v) in vals.into_iter().enumerate() {
            if k > 0 {
                self.q.push(", ");
            }
            match v {
                V::A(a) => self.q.bind(a),
                V::Null => self.q.push("null"),
            };
        }
        self.q.push(")");
        self.rows += 1;
        if !self.child && self.full() {
            self.flush(tx).await?;
        }
        Ok(())
    }
    async fn flush(&mut self, tx: &mut Tx) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let q = std::mem::replace(&mut self.q, Q::new(self.head));
        on_tx!(tx, c => bind_args!(sqlx::query(sqlx::AssertSqlSafe(q.sql)), q.args).execute(c).await.map(|r| r.rows_affected()))?;
        self.written += self.rows;
        self.rows = 0;
        Ok(())
    }
}

/// The organisation tree's ids, fixed by the spec: the province 1, cities 2–12, counties 13–102,
/// then each university followed by its colleges, then the enterprises.
struct Tree {
    counties: Vec<(i64, String, String)>,
    colleges: Vec<i64>,
    /// First enterprise id and how many; enterprise `k` sits under county `k % 90`.
    enterprises: (i64, i64),
}

impl Tree {
    fn of(spec: &ScaleSpec) -> Tree {
        let mut counties = Vec::new();
        let mut id = 13;
        for (city, prefix, n) in CITIES {
            for k in 0..n {
                let (name, code) = if let Some(q) = QUZHOU.get(k).filter(|_| city == "衢州市") {
                    (q.0.to_string(), q.1.to_string())
                } else {
                    (
                        format!("{}第{}区县", city.trim_end_matches('市'), k + 1),
                        format!("{prefix}{:02}", k + 2),
                    )
                };
                counties.push((id, name, code));
                id += 1;
            }
        }
        let mut colleges = Vec::new();
        for _ in 0..spec.universities() {
            id += 1; // the university
            for _ in 0..COLLEGES_PER_UNIVERSITY {
                colleges.push(id);
                id += 1;
            }
        }
        let enterprises = spec.organizations() as i64 - (id - 1);
        Tree {
            counties,
            colleges,
            enterprises: (id, enterprises.max(90)),
        }
    }
    fn enterprise(&self, k: i64) -> i64 {
        self.enterprises.0 + k
    }
    fn county_of_enterprise(&self, k: i64) -> &(i64, String, String) {
        &self.counties[(k % self.counties.len() as i64) as usize]
    }
    fn enterprise_name(&self, k: i64) -> String {
        format!(
            "{}{}科技有限公司{}",
            self.county_of_enterprise(k).1,
            WORDS[(k % 16) as usize],
            k + 1
        )
    }
    fn jiangshan(&self) -> &(i64, String, String) {
        self.counties
            .iter()
            .find(|c| c.1 == "江山市")
            .unwrap_or(&self.counties[0])
    }
}

impl Store {
    /// Writes `spec`'s province into a fresh store (see the module's doc), then `analyze`s and
    /// refreshes the stored flags; every phase is timed in the report. Refuses a store that already
    /// has projects or organisations.
    pub async fn write_scale(&self, spec: &ScaleSpec, password: &str) -> Result<ScaleReport> {
        let (projects, orgs): (i64, i64) = on_db!(&self.db, p => sqlx::query_as(
            "select (select count(*) from project), (select count(*) from organization)").fetch_one(p).await)?;
        if projects > 0 || orgs > 0 {
            return Err(StoreError::invalid(
                "scale",
                Msg::new(
                    format!("库中已有 {projects} 个项目、{orgs} 个单位，规模数据只能载入空库"),
                    format!(
                        "The store already has {projects} projects and {orgs} organisations; scale data loads only into an empty store"
                    ),
                ),
            ));
        }
        let tree = Tree::of(spec);
        let mut r = ScaleReport::default();
        let mut clock = Instant::now();
        let mut phase = |r: &mut ScaleReport, name: &'static str| {
            r.phases.push((name, clock.elapsed()));
            clock = Instant::now();
        };
        r.organizations = self.scale_organizations(spec, &tree).await?;
        phase(&mut r, "organisations");
        let experts = self.scale_people(spec, &tree, &mut r).await?;
        phase(&mut r, "people");
        self.scale_projects(spec, &tree, &experts, &mut r).await?;
        phase(&mut r, "projects, milestones, reports");
        self.scale_demands(spec, &tree, &mut r).await?;
        phase(&mut r, "demands");
        if self.backend == Backend::Postgres {
            // Ids were given explicitly: move each identity past them for the records users add.
            for table in [
                "organization",
                "person",
                "batch",
                "project",
                "demand",
                "milestone",
                "progress_report",
            ] {
                self.execute_admin(&format!(
                    "select setval(pg_get_serial_sequence('{table}', 'id'), coalesce((select max(id) from {table}), 0) + 1, false)"
                ))
                .await?;
            }
        }
        // One feed entry, so that a search index built afterwards records a position past zero
        // and is not rebuilt at every start.
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => sqlx::query("insert into change_feed (record_kind, record_id, created_at) values ('organization', 1, $1)")
            .bind(crate::now()).execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        let county = tree.jiangshan().clone();
        r.coordinator_county = (county.0, county.1.clone());
        let first_there = tree.counties.iter().position(|c| c.0 == county.0).unwrap_or(0) as i64;
        let plan: Vec<crate::demo::AccountPlan> = vec![
            (Role::Office, None, false, None),
            (Role::Coordinator, Some((county.0, county.1)), false, None),
            (Role::Unit, Some((tree.colleges[0], "大学1学院1".into())), false, None),
            (
                Role::Enterprise,
                Some((tree.enterprise(first_there), tree.enterprise_name(first_there))),
                false,
                None,
            ),
            (
                Role::Expert,
                experts.first().map(|e| (e.1, format!("专家{}", e.1))),
                true,
                None,
            ),
            (Role::Leader, None, false, None),
        ];
        r.accounts = crate::demo::add_accounts(self, plan, password).await?;
        phase(&mut r, "accounts");
        self.refresh_flags(None).await?;
        phase(&mut r, "stored flags");
        // After the flags: analysed before them, PostgreSQL believed no project had one and read
        // the first page of red projects by gathering all 280,000 of them (2.1 s).
        self.execute_admin("analyze").await?;
        phase(&mut r, "analyze");
        Ok(r)
    }

    async fn scale_organizations(&self, spec: &ScaleSpec, tree: &Tree) -> Result<usize> {
        let mut tx = self.begin().await?;
        let mut o = Bulk::new(
            "insert into organization (id, parent_id, kind, name, region_code, industry_code, credit_code, archived, created_at, updated_at) values ",
        );
        let org =
            |id: i64, parent: Option<i64>, kind: &str, name: String, region: Option<&str>, industry: Option<&str>| {
                vec![
                    i(id),
                    parent.map_or(V::Null, i),
                    t(kind),
                    t(name),
                    region.map_or(V::Null, t),
                    industry.map_or(V::Null, t),
                    V::Null,
                    b(false),
                    ts(),
                    ts(),
                ]
            };
        o.row(
            &mut tx,
            org(1, None, "government", "浙江省".into(), Some("330000"), None),
        )
        .await?;
        for (k, (city, prefix, _)) in CITIES.iter().enumerate() {
            o.row(
                &mut tx,
                org(
                    2 + k as i64,
                    Some(1),
                    "government",
                    city.to_string(),
                    Some(&format!("{prefix}00")),
                    None,
                ),
            )
            .await?;
        }
        let mut city_of = Vec::new();
        for (k, (_, _, n)) in CITIES.iter().enumerate() {
            city_of.extend(std::iter::repeat_n(2 + k as i64, *n));
        }
        for ((id, name, code), city) in tree.counties.iter().zip(city_of) {
            o.row(
                &mut tx,
                org(*id, Some(city), "government", name.clone(), Some(code), None),
            )
            .await?;
        }
        for u in 0..spec.universities() {
            let uid = tree.colleges[u * COLLEGES_PER_UNIVERSITY] - 1;
            let region = if u == 0 { "330106" } else { CITIES[u % 11].1 };
            let region = format!("{}{}", region, if u == 0 { "" } else { "02" });
            o.row(
                &mut tx,
                org(uid, None, "university", format!("大学{}", u + 1), Some(&region), None),
            )
            .await?;
            for c in 0..COLLEGES_PER_UNIVERSITY {
                o.row(
                    &mut tx,
                    org(
                        uid + 1 + c as i64,
                        Some(uid),
                        "college",
                        format!("大学{}学院{}", u + 1, c + 1),
                        None,
                        None,
                    ),
                )
                .await?;
            }
        }
        o.flush(&mut tx).await?;
        tx.commit().await?;
        let (first, n) = tree.enterprises;
        let mut k = 0;
        while k < n {
            let mut tx = self.begin().await?;
            let end = (k + CHUNK as i64 * 4).min(n);
            for e in k..end {
                let county = tree.county_of_enterprise(e);
                let name = tree.enterprise_name(e);
                o.row(
                    &mut tx,
                    org(
                        first + e,
                        Some(county.0),
                        "enterprise",
                        name,
                        Some(&county.2),
                        Some(SECTIONS[(e % 10) as usize]),
                    ),
                )
                .await?;
            }
            o.flush(&mut tx).await?;
            tx.commit().await?;
            k = end;
        }
        let mut tx = self.begin().await?;
        o.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(o.written)
    }

    /// Experts at colleges (two in five), contacts at enterprises; returns the experts as
    /// (college, person id), expert `j` at college `j % colleges`.
    async fn scale_people(&self, spec: &ScaleSpec, tree: &Tree, r: &mut ScaleReport) -> Result<Vec<(i64, i64)>> {
        let n = spec.people();
        let n_experts = n * 2 / 5;
        let mut rng = Rng(0x7065_6f70_6c65_0019);
        let mut p = Bulk::new(
            "insert into person (id, organization_id, name, title, phone, email, is_expert, discipline, keywords, archived, created_at, updated_at) values ",
        );
        let mut experts = Vec::new();
        let mut tx = self.begin().await?;
        for j in 0..n {
            let id = j as i64 + 1;
            let name = format!("{}{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN), rng.pick(&GIVEN));
            let phone = format!("13{:09}", rng.below(1_000_000_000));
            if j < n_experts {
                let college = tree.colleges[j % tree.colleges.len()];
                experts.push((college, id));
                let field = rng.pick(&WORDS);
                p.row(
                    &mut tx,
                    vec![
                        i(id),
                        i(college),
                        t(name),
                        t(["教授", "副教授", "研究员", "讲师"][j % 4]),
                        t(phone),
                        t(format!("expert{id}@example.edu.cn")),
                        b(true),
                        t(field),
                        t(format!("{field}\n{}", rng.pick(&WORDS))),
                        b(false),
                        ts(),
                        ts(),
                    ],
                )
                .await?;
            } else {
                let e = tree.enterprise((j - n_experts) as i64 * 7 % tree.enterprises.1);
                p.row(
                    &mut tx,
                    vec![
                        i(id),
                        i(e),
                        t(name),
                        t("联系人"),
                        t(phone),
                        t(format!("contact{id}@example.com")),
                        b(false),
                        V::Null,
                        t(""),
                        b(false),
                        ts(),
                        ts(),
                    ],
                )
                .await?;
            }
            if (j + 1) % (CHUNK * 4) == 0 {
                p.flush(&mut tx).await?;
                tx.commit().await?;
                tx = self.begin().await?;
            }
        }
        p.flush(&mut tx).await?;
        tx.commit().await?;
        r.people = p.written;
        Ok(experts)
    }

    async fn scale_projects(
        &self,
        spec: &ScaleSpec,
        tree: &Tree,
        experts: &[(i64, i64)],
        r: &mut ScaleReport,
    ) -> Result<()> {
        let years: Vec<i32> = YEARS.collect();
        let mut tx = self.begin().await?;
        let mut bt = Bulk::new(
            "insert into batch (id, year, title, cadence, report_due_day, status, approved_at, archived, created_at, updated_at) values ",
        );
        for (k, y) in years.iter().enumerate() {
            let approved = ymd(*y, 2, 1).and_hms_opt(2, 0, 0).unwrap_or_default().and_utc();
            bt.row(
                &mut tx,
                vec![
                    i(k as i64 + 1),
                    i32v(*y),
                    t(format!("{y}年度市校合作项目清单")),
                    t("quarterly"),
                    i32v(10),
                    t("approved"),
                    V::A(Arg::Time(approved)),
                    b(false),
                    ts(),
                    ts(),
                ],
            )
            .await?;
        }
        bt.flush(&mut tx).await?;
        tx.commit().await?;
        r.batches = bt.written;
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut pj = Bulk::new(
            "insert into project (id, title, kind, batch_year, batch_id, lead_unit_id, responsible_person_id, origin, contract_amount_fen, funding_won_fen, status, start_on, end_on, archived, created_at, updated_at) values ",
        );
        let mut co = Bulk::child("insert into project_co_unit (project_id, organization_id) values ");
        let mut ms = Bulk::child(
            "insert into milestone (project_id, title, due_on, done_on, archived, created_at, updated_at) values ",
        );
        let mut rp = Bulk::child(
            "insert into progress_report (project_id, period, organization_id, version, done_text, percent, milestone_ids, filed_by, late, accepted_at, accepted_by, created_at, updated_at) values ",
        );
        r.per_year = years.iter().map(|y| (*y, 0)).collect();
        r.archived_per_year = r.per_year.clone();
        let n_colleges = tree.colleges.len() as u64;
        let mut tx = self.begin().await?;
        for k in 0..spec.projects {
            let id = k as i64 + 1;
            let yi = k % years.len();
            let year = years[yi];
            r.per_year[yi].1 += 1;
            let (lead, person) = match rng.below(10) {
                0..=3 => {
                    let c = rng.below(n_colleges) as usize;
                    // An expert of that college answers for it (expert j is at college j % colleges).
                    let per = (experts.len() / tree.colleges.len()).max(1);
                    let j = c + tree.colleges.len() * rng.below(per as u64) as usize;
                    (tree.colleges[c], experts.get(j).map(|e| e.1))
                }
                4..=8 => (tree.enterprise(rng.below(tree.enterprises.1 as u64) as i64), None),
                _ => (tree.counties[rng.below(tree.counties.len() as u64) as usize].0, None),
            };
            let recent = year >= 2025;
            let roll = rng.below(100);
            let status = if recent {
                match roll {
                    0..=9 => "planned",
                    10..=29 => "approved",
                    30..=84 => "in_progress",
                    85..=94 => "completed",
                    95..=97 => "suspended",
                    _ => "cancelled",
                }
            } else {
                match roll {
                    0..=2 => "in_progress",
                    3..=39 => "completed",
                    40..=84 => "accepted",
                    85..=94 => "transferred",
                    95..=97 => "suspended",
                    _ => "cancelled",
                }
            };
            let archived = rng.below(200) == 0;
            if archived {
                r.archived_per_year[yi].1 += 1;
            }
            let word = rng.pick(&WORDS);
            let start = ymd(year, 3, 1) + TimeDelta::days(rng.below(120) as i64);
            let end = ymd(year + 1 + rng.below(2) as i32, 12, 31);
            pj.row(
                &mut tx,
                vec![
                    i(id),
                    t(format!("{word}合作项目{id}")),
                    t(rng.pick(&KINDS)),
                    i32v(year),
                    i(yi as i64 + 1),
                    i(lead),
                    person.map_or(V::Null, i),
                    t("proposal"),
                    i(rng.below(5_000) as i64 * 1_000_000),
                    i(rng.below(500) as i64 * 1_000_000),
                    t(status),
                    d(start),
                    d(end),
                    b(archived),
                    ts(),
                    ts(),
                ],
            )
            .await?;
            if rng.below(3) == 0 {
                let other = if tree.colleges.contains(&lead) {
                    tree.enterprise(rng.below(tree.enterprises.1 as u64) as i64)
                } else {
                    tree.colleges[rng.below(n_colleges) as usize]
                };
                co.row(&mut tx, vec![i(id), i(other)]).await?;
                r.co_units += 1;
            }
            if matches!(status, "approved" | "in_progress") {
                for m in 0..1 + rng.below(3) {
                    let due = start + TimeDelta::days(120 + 150 * m as i64 + rng.below(60) as i64);
                    let done = (due < ymd(2026, 10, 1) && rng.below(3) > 0).then_some(due);
                    ms.row(
                        &mut tx,
                        vec![
                            i(id),
                            t(format!("第{}阶段节点", m + 1)),
                            d(due),
                            done.map_or(V::Null, d),
                            b(false),
                            ts(),
                            ts(),
                        ],
                    )
                    .await?;
                    r.milestones += 1;
                }
            }
            if recent && matches!(status, "in_progress" | "completed") {
                // A few quarterly reports in the project's year (and the next, for 2025's).
                let quarters: &[(i32, u32)] = if year == 2025 {
                    &[(2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]
                } else {
                    &[(2026, 2), (2026, 3)]
                };
                let n = (1 + rng.below(3) as usize).min(quarters.len());
                let first = quarters.len() - n;
                for (q, (y, qq)) in quarters[first..].iter().enumerate() {
                    let accepted = ymd(*y, qq * 3, 20).and_hms_opt(2, 0, 0).unwrap_or_default().and_utc();
                    rp.row(
                        &mut tx,
                        vec![
                            i(id),
                            t(format!("{y}-Q{qq}")),
                            i(lead),
                            i32v(1),
                            t(format!("完成第{}阶段工作：{word}方案论证与试验", q + 1)),
                            i32v(((q + 1) * 100 / (n + 1)) as i32),
                            t(""),
                            t("unit"),
                            b(rng.below(10) == 0),
                            V::A(Arg::Time(accepted)),
                            t("office"),
                            V::A(Arg::Time(accepted - TimeDelta::days(5))),
                            V::A(Arg::Time(accepted - TimeDelta::days(5))),
                        ],
                    )
                    .await?;
                    r.reports += 1;
                }
            }
            // The children wait for their projects: all four go out together, projects first.
            if co.full() || ms.full() || rp.full() || (k + 1) % CHUNK == 0 {
                for bulk in [&mut pj, &mut co, &mut ms, &mut rp] {
                    bulk.flush(&mut tx).await?;
                }
            }
            if (k + 1) % CHUNK == 0 {
                tx.commit().await?;
                tx = self.begin().await?;
            }
        }
        for bulk in [&mut pj, &mut co, &mut ms, &mut rp] {
            bulk.flush(&mut tx).await?;
        }
        tx.commit().await?;
        r.projects = pj.written;
        Ok(())
    }

    async fn scale_demands(&self, spec: &ScaleSpec, tree: &Tree, r: &mut ScaleReport) -> Result<()> {
        let mut rng = Rng(0x6465_6d61_6e64_0019);
        let mut dm = Bulk::new(
            "insert into demand (id, title, summary, enterprise_id, industry, field, mode, source, status, project_id, submitted_on, screened_on, archived, created_at, updated_at) values ",
        );
        let mut tx = self.begin().await?;
        for k in 0..spec.demands() {
            let id = k as i64 + 1;
            let e = rng.below(tree.enterprises.1 as u64) as i64;
            let year = 2022 + (k % 5) as i32;
            let submitted = ymd(year, 1, 1) + TimeDelta::days(rng.below(330) as i64);
            let status = match rng.below(100) {
                0..=4 => "draft",
                5..=14 => "submitted",
                15..=24 => "assessing",
                25..=39 => "accepted",
                40..=44 => "returned",
                45..=59 => "matching",
                60..=74 => "matched",
                75..=84 => "project",
                _ => "closed",
            };
            let project = (status == "project").then(|| 1 + rng.below(spec.projects.max(1) as u64) as i64);
            let word = rng.pick(&WORDS);
            dm.row(
                &mut tx,
                vec![
                    i(id),
                    t(format!("{word}技术难题{id}")),
                    t(format!("企业在{word}方面需要高校协助攻关，寻求合作团队。")),
                    i(tree.enterprise(e)),
                    t(SECTIONS[(e % 10) as usize]),
                    t(word),
                    t(rng.pick(&MODES)),
                    t(["posted", "visit", "import"][k % 3]),
                    t(status),
                    project.map_or(V::Null, i),
                    if status == "draft" { V::Null } else { d(submitted) },
                    if matches!(status, "draft" | "submitted") {
                        V::Null
                    } else {
                        d(submitted + TimeDelta::days(7))
                    },
                    b(false),
                    ts(),
                    ts(),
                ],
            )
            .await?;
            if (k + 1) % (CHUNK * 4) == 0 {
                dm.flush(&mut tx).await?;
                tx.commit().await?;
                tx = self.begin().await?;
            }
        }
        dm.flush(&mut tx).await?;
        tx.commit().await?;
        r.demands = dm.written;
        Ok(())
    }
}
