//! Innovation platforms (共建平台): the record with its hosts (in order), the people stationed
//! there, the yearly evaluations (one per year), and counts by kind, level, county and college.
//! Every signed-in user reads every platform; who may change one is `access::authorize`'s.

use crate::access::{Viewer, audit, authorize, check, must_see, restrict, restrict_own, snapshot, visible};
use crate::records::{archived_clause, expect_version, id_filter, lock_exists, missing};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::platform::{
    CountRow, EvaluationData, EvaluationGrade, Platform, PlatformData, PlatformEvaluation, PlatformFilter,
    PlatformKind, PlatformLevel, PlatformPerson, PlatformStatus, StationData, check_established, transition,
};
use hezuo_domain::{ListParams, Msg, Page, RecordKind, codes, input};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    kind: String,
    level: String,
    approved_by: Option<String>,
    approval_doc: Option<String>,
    agreement_id: Option<i64>,
    project_id: Option<i64>,
    established_on: Option<NaiveDate>,
    status: String,
    summary: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, name, kind, level, approved_by, approval_doc, agreement_id, project_id, established_on, status, \
                    summary, archived, created_at, updated_at";

impl Row {
    fn into_record(self, hosts: Vec<i64>) -> Platform {
        Platform {
            id: self.id,
            name: self.name,
            kind: PlatformKind::parse(&self.kind).unwrap_or(PlatformKind::RdCentre),
            level: PlatformLevel::parse(&self.level).unwrap_or(PlatformLevel::County),
            approved_by: self.approved_by,
            approval_doc: self.approval_doc,
            host_ids: hosts,
            agreement_id: self.agreement_id,
            project_id: self.project_id,
            established_on: self.established_on,
            status: PlatformStatus::parse(&self.status).unwrap_or(PlatformStatus::Planning),
            summary: self.summary,
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct EvalRow {
    id: i64,
    platform_id: i64,
    /// bigint on PostgreSQL.
    year: i64,
    grade: String,
    evaluated_by: Option<String>,
    evaluated_on: Option<NaiveDate>,
    comment: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const EVAL_COLS: &str =
    "id, platform_id, year, grade, evaluated_by, evaluated_on, comment, archived, created_at, updated_at";

impl From<EvalRow> for PlatformEvaluation {
    fn from(r: EvalRow) -> Self {
        PlatformEvaluation {
            id: r.id,
            platform_id: r.platform_id,
            year: r.year as i32,
            grade: EvaluationGrade::parse(&r.grade).unwrap_or(EvaluationGrade::Pass),
            evaluated_by: r.evaluated_by,
            evaluated_on: r.evaluated_on,
            comment: r.comment,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// What `platform_counts` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountBy {
    Kind,
    Level,
    /// The county of each host (a platform with hosts in two counties counts once in each).
    County,
    /// Each college (and university) holding a host in its subtree.
    College,
}

impl CountBy {
    pub fn parse(s: &str) -> Result<CountBy> {
        match s.trim() {
            "kind" => Ok(CountBy::Kind),
            "level" => Ok(CountBy::Level),
            "county" => Ok(CountBy::County),
            "college" => Ok(CountBy::College),
            other => Err(StoreError::invalid(
                "by",
                Msg::new(
                    format!("统计口径“{other}”无效，应为 kind、level、county 或 college"),
                    format!("“{other}” is not one of kind, level, county, college"),
                ),
            )),
        }
    }
}

/// Appends the filter's conditions to a query over `platform t`.
fn filter(q: &mut Q, f: &PlatformFilter) -> Result<()> {
    archived_clause(q, "t", &f.archived);
    if let Some(s) = input::opt_text(&f.q) {
        q.push(" and lower(t.name) like ")
            .bind(Arg::Text(contains_pattern(s)))
            .push(" escape '\\'");
    }
    for (col, v, ok) in [
        (
            "kind",
            &f.kind,
            f.kind.as_deref().map(|k| PlatformKind::parse(k).is_some()),
        ),
        (
            "level",
            &f.level,
            f.level.as_deref().map(|k| PlatformLevel::parse(k).is_some()),
        ),
        (
            "status",
            &f.status,
            f.status.as_deref().map(|k| PlatformStatus::parse(k).is_some()),
        ),
    ] {
        if let Some(code) = input::opt_text(v) {
            if ok == Some(false) {
                return Err(StoreError::invalid(
                    col,
                    Msg::new(
                        format!("“{code}”不是有效的取值"),
                        format!("“{code}” is not a valid {col}"),
                    ),
                ));
            }
            q.push(&format!(" and t.{col} = "))
                .bind(Arg::Text(code.trim().to_string()));
        }
    }
    if let Some(c) = input::opt_text(&f.county) {
        q.push(
            " and t.id in (select h.platform_id from platform_host h join organization o on o.id = h.organization_id \
                where o.region_code = ",
        )
        .bind(Arg::Text(c.trim().to_string()))
        .push(")");
    }
    if let Some(root) = id_filter(&f.college, "college")? {
        q.push(" and t.id in (select h.platform_id from platform_host h where h.organization_id in ");
        crate::access::org_subtree(q, root);
        q.push(")");
    }
    if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
        q.push(" and t.id in (select platform_id from platform_host where organization_id = ")
            .bind(Arg::I64(id))
            .push(")");
    }
    if let Some(id) = id_filter(&f.agreement_id, "agreement_id")? {
        q.push(" and t.agreement_id = ").bind(Arg::I64(id));
    }
    if let Some(id) = id_filter(&f.project_id, "project_id")? {
        q.push(" and t.project_id = ").bind(Arg::I64(id));
    }
    if let Some(id) = id_filter(&f.person_id, "person_id")? {
        q.push(" and t.id in (select platform_id from platform_person where person_id = ")
            .bind(Arg::I64(id))
            .push(")");
    }
    Ok(())
}

impl Store {
    async fn with_hosts(&self, rows: Vec<Row>) -> Result<Vec<Platform>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut q = Q::new("select platform_id, organization_id from platform_host where platform_id in ");
        q.bind_list(&ids).push(" order by platform_id, position");
        let links: Vec<(i64, i64)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let mut hosts: HashMap<i64, Vec<i64>> = HashMap::new();
        for (p, o) in links {
            hosts.entry(p).or_default().push(o);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let h = hosts.remove(&r.id).unwrap_or_default();
                r.into_record(h)
            })
            .collect())
    }

    /// Platforms matching `f`, a page at a time; every signed-in user reads them all.
    pub async fn list_platforms(&self, v: &Viewer, f: &PlatformFilter, p: &ListParams) -> Result<Page<Platform>> {
        let mut q = Q::new("from platform t where 1 = 1");
        restrict(&mut q, v, RecordKind::Platform, "t");
        filter(&mut q, f)?;
        let (col, desc) = p.sort(
            &["id", "name", "kind", "level", "established_on", "updated_at"],
            ("id", false),
        )?;
        let order = format!("t.{col} {d}, t.id {d}", d = if desc { "desc" } else { "asc" });
        let cols = COLS
            .split(", ")
            .map(|c| format!("t.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let (total, rows) = fetch_page!(self, Row, cols, q, order, p);
        Ok(Page {
            items: self.with_hosts(rows).await?,
            ..Page::counted(total, p)
        })
    }

    pub async fn get_platform(&self, v: &Viewer, id: i64) -> Result<Platform> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Platform, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Non-archived platforms `v` may see, counted by `by`, largest first (then by key). By county,
    /// a platform counts once in each county where it has a host; by college, once under each
    /// college or university whose subtree holds one of its hosts.
    pub async fn platform_counts(&self, v: &Viewer, by: CountBy) -> Result<Vec<CountRow>> {
        let mut q = Q::new("");
        match by {
            CountBy::Kind | CountBy::Level => {
                let col = if by == CountBy::Kind { "kind" } else { "level" };
                q.push(&format!(
                    "select t.{col} as k, count(*) as n from platform t where t.archived = false"
                ));
                restrict(&mut q, v, RecordKind::Platform, "t");
                q.push(&format!(" group by t.{col}"));
            }
            CountBy::County => {
                q.push(
                    "select o.region_code as k, count(distinct t.id) as n from platform t \
                     join platform_host h on h.platform_id = t.id join organization o on o.id = h.organization_id \
                     where t.archived = false and o.region_code is not null",
                );
                restrict(&mut q, v, RecordKind::Platform, "t");
                q.push(" group by o.region_code");
            }
            CountBy::College => {
                // Each host with its ancestors, so a platform hosted under a college counts for it.
                q.push(
                    "select cast(c.id as text) as k, count(distinct t.id) as n from platform_host h \
                     join org_ancestor up on up.org_id = h.organization_id \
                     join organization c on c.id = up.ancestor_id join platform t on t.id = h.platform_id \
                     where c.kind in ('college', 'university') and t.archived = false",
                );
                restrict(&mut q, v, RecordKind::Platform, "t");
                q.push(" group by c.id");
            }
        }
        let rows: Vec<(Option<String>, i64)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let mut names = HashMap::new();
        if by == CountBy::College {
            let ids: Vec<i64> = rows.iter().filter_map(|(k, _)| k.as_deref()?.parse().ok()).collect();
            names = self.organization_names(&ids).await?;
        }
        let mut out: Vec<CountRow> = rows
            .into_iter()
            .filter_map(|(k, n)| {
                let key = k?;
                let label = match by {
                    CountBy::Kind => PlatformKind::parse(&key).map(|x| x.label().zh)?,
                    CountBy::Level => PlatformLevel::parse(&key).map(|x| x.label().zh)?,
                    CountBy::County => codes::division_name(&key).unwrap_or_else(|| key.clone()),
                    CountBy::College => names.get(&key.parse().ok()?).cloned().unwrap_or_else(|| key.clone()),
                };
                Some(CountRow { key, label, count: n })
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        Ok(out)
    }

    pub async fn create_platform(&self, v: &Viewer, d: &PlatformData) -> Result<Platform> {
        check(v, RecordKind::Platform, Action::Create)?;
        let mut tx = self.begin().await?;
        check_platform(&mut tx, v, d, self.today()).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into platform (name, kind, level, approved_by, approval_doc, agreement_id, project_id, established_on, \
             status, summary, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false, $11, $11) returning id")
            .bind(&d.name).bind(d.kind.as_str()).bind(d.level.as_str()).bind(&d.approved_by).bind(&d.approval_doc)
            .bind(d.agreement_id).bind(d.project_id).bind(d.established_on).bind(d.status.as_str()).bind(&d.summary).bind(t)
            .fetch_one(c).await)?;
        write_hosts(&mut tx, id, &d.host_ids).await?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Platform,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_platform(
        &self,
        v: &Viewer,
        id: i64,
        d: &PlatformData,
        expected: Option<i64>,
    ) -> Result<Platform> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Platform, id).await?;
        authorize(&mut tx, v, RecordKind::Platform, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::Platform, id, expected).await?;
        let before = fetch(&mut tx, id).await?;
        if let Err(m) = transition(before.status, d.status) {
            return Err(StoreError::conflict("status", m));
        }
        check_platform(&mut tx, v, d, self.today()).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update platform set name = $1, kind = $2, level = $3, approved_by = $4, approval_doc = $5, agreement_id = $6, \
             project_id = $7, established_on = $8, status = $9, summary = $10, updated_at = $11 where id = $12")
            .bind(&d.name).bind(d.kind.as_str()).bind(d.level.as_str()).bind(&d.approved_by).bind(&d.approval_doc)
            .bind(d.agreement_id).bind(d.project_id).bind(d.established_on).bind(d.status.as_str()).bind(&d.summary)
            .bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        write_hosts(&mut tx, id, &d.host_ids).await?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Platform,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_platform_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Platform> {
        crate::records::set_archived(self, v, RecordKind::Platform, id, archived, expected).await?;
        self.get_platform(v, id).await
    }

    /// The people stationed at a platform, by start date.
    pub async fn platform_people(&self, v: &Viewer, id: i64) -> Result<Vec<PlatformPerson>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Platform, id).await?;
        let r = people_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Stations a person at a platform (again: replaces their role and dates). Audited as a change
    /// of the platform's `people`.
    pub async fn station_person(&self, v: &Viewer, id: i64, d: &StationData) -> Result<PlatformPerson> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Platform, id).await?;
        authorize(&mut tx, v, RecordKind::Platform, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "platform", id).await?;
        if !visible(&mut tx, v, RecordKind::Person, d.person_id).await? {
            return Err(crate::access::unknown("person_id", ("人员", "person"), d.person_id));
        }
        let before = people_in(&mut tx, id).await?;
        on_tx!(&mut tx, c => sqlx::query("delete from platform_person where platform_id = $1 and person_id = $2")
            .bind(id).bind(d.person_id).execute(c).await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query(
            "insert into platform_person (platform_id, person_id, role, from_on, to_on) values ($1, $2, $3, $4, $5)")
            .bind(id).bind(d.person_id).bind(&d.role).bind(d.from_on).bind(d.to_on)
            .execute(c).await.map(|r| r.rows_affected()))?;
        touch(&mut tx, id).await?;
        let after = people_in(&mut tx, id).await?;
        audit_people(&mut tx, v, id, &before, &after).await?;
        tx.commit().await?;
        after
            .into_iter()
            .find(|p| p.person_id == d.person_id)
            .ok_or(StoreError::NotFound)
    }

    /// Takes a person off a platform; NotFound if they were not stationed there.
    pub async fn unstation_person(&self, v: &Viewer, id: i64, person_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Platform, id).await?;
        authorize(&mut tx, v, RecordKind::Platform, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "platform", id).await?;
        let before = people_in(&mut tx, id).await?;
        let n = on_tx!(&mut tx, c => sqlx::query("delete from platform_person where platform_id = $1 and person_id = $2")
            .bind(id).bind(person_id).execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        touch(&mut tx, id).await?;
        let after = people_in(&mut tx, id).await?;
        audit_people(&mut tx, v, id, &before, &after).await?;
        tx.commit().await
    }

    /// The platforms a person is stationed at (those `v` may see).
    pub async fn platforms_of_person(&self, v: &Viewer, person_id: i64) -> Result<Vec<(Platform, PlatformPerson)>> {
        let f = PlatformFilter {
            person_id: Some(person_id.to_string()),
            ..Default::default()
        };
        let page = self.list_platforms(v, &f, &ListParams::first(200)).await?;
        let mut out = Vec::new();
        for p in page.items {
            if let Some(pp) = self
                .platform_people(v, p.id)
                .await?
                .into_iter()
                .find(|x| x.person_id == person_id)
            {
                out.push((p, pp));
            }
        }
        Ok(out)
    }

    /// A platform's evaluations, latest year first.
    pub async fn list_evaluations(&self, v: &Viewer, platform_id: i64) -> Result<Vec<PlatformEvaluation>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Platform, platform_id).await?;
        let sql = format!(
            "select {EVAL_COLS} from platform_evaluation where platform_id = $1 and archived = false order by year desc, id desc"
        );
        let rows: Vec<EvalRow> =
            on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(platform_id).fetch_all(c).await)?;
        tx.commit().await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get_evaluation(&self, v: &Viewer, id: i64) -> Result<PlatformEvaluation> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::PlatformEvaluation, id).await?;
        let r = fetch_eval(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Records a platform's evaluation for a year (the office); a second one for the same year is
    /// refused (409, naming `year`).
    pub async fn create_evaluation(
        &self,
        v: &Viewer,
        platform_id: i64,
        d: &EvaluationData,
    ) -> Result<PlatformEvaluation> {
        check(v, RecordKind::PlatformEvaluation, Action::Create)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Platform, platform_id).await?;
        // One writer per platform at a time, so two evaluations of one year cannot both pass.
        lock_exists(&mut tx, "platform", platform_id).await?;
        year_free(&mut tx, platform_id, d.year, None).await?;
        check_evaluated_on(d, self.today())?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into platform_evaluation (platform_id, year, grade, evaluated_by, evaluated_on, comment, archived, \
             created_at, updated_at) values ($1, $2, $3, $4, $5, $6, false, $7, $7) returning id")
            .bind(platform_id).bind(i64::from(d.year)).bind(d.grade.as_str()).bind(&d.evaluated_by).bind(d.evaluated_on)
            .bind(&d.comment).bind(t)
            .fetch_one(c).await)?;
        let after = fetch_eval(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::PlatformEvaluation,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_evaluation(
        &self,
        v: &Viewer,
        id: i64,
        d: &EvaluationData,
        expected: Option<i64>,
    ) -> Result<PlatformEvaluation> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::PlatformEvaluation, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::PlatformEvaluation, id, expected).await?;
        let before = fetch_eval(&mut tx, id).await?;
        lock_exists(&mut tx, "platform", before.platform_id).await?;
        year_free(&mut tx, before.platform_id, d.year, Some(id)).await?;
        check_evaluated_on(d, self.today())?;
        on_tx!(&mut tx, c => sqlx::query(
            "update platform_evaluation set year = $1, grade = $2, evaluated_by = $3, evaluated_on = $4, comment = $5, \
             updated_at = $6 where id = $7")
            .bind(i64::from(d.year)).bind(d.grade.as_str()).bind(&d.evaluated_by).bind(d.evaluated_on).bind(&d.comment)
            .bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch_eval(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::PlatformEvaluation,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Organisations that can host a platform `v` keeps: (id, name).
    pub async fn platform_host_options(&self, v: &Viewer) -> Result<Vec<(i64, String)>> {
        let mut q = Q::new("select r.id, r.name from organization r where r.archived = false");
        restrict_own(&mut q, v, RecordKind::Organization, "r");
        q.push(" order by r.id limit 3000");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }
}

async fn check_platform(tx: &mut Tx, v: &Viewer, d: &PlatformData, today: NaiveDate) -> Result<()> {
    if let Err(m) = check_established(d.established_on, today) {
        return Err(StoreError::invalid("established_on", m));
    }
    let gone = missing(tx, "organization", &d.host_ids).await?;
    if !gone.is_empty() {
        let list = gone.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        return Err(StoreError::invalid(
            "host_ids",
            Msg::new(
                format!("依托单位不存在（编号 {list}）"),
                format!("No organisation with id {list}"),
            ),
        ));
    }
    if v.scope != Scope::All {
        let mut any = false;
        for h in &d.host_ids {
            any |= crate::access::in_own_scope(tx, v, RecordKind::Organization, *h).await?;
        }
        if !any {
            return Err(StoreError::invalid(
                "host_ids",
                Msg::new(
                    "依托单位中至少要有一个您负责范围内的单位",
                    "At least one host must be within your scope",
                ),
            ));
        }
    }
    if let Some(a) = d.agreement_id
        && !visible(tx, v, RecordKind::Agreement, a).await?
    {
        return Err(crate::access::unknown("agreement_id", ("合作协议", "agreement"), a));
    }
    if let Some(p) = d.project_id
        && !visible(tx, v, RecordKind::Project, p).await?
    {
        return Err(crate::access::unknown("project_id", ("合作项目", "project"), p));
    }
    Ok(())
}

fn check_evaluated_on(d: &EvaluationData, today: NaiveDate) -> Result<()> {
    match d.evaluated_on {
        Some(on) if on > today => Err(StoreError::invalid(
            "evaluated_on",
            Msg::new(
                format!("考核日期不能晚于今天（{today}）"),
                format!("The evaluation cannot be dated after today ({today})"),
            ),
        )),
        _ => Ok(()),
    }
}

async fn year_free(tx: &mut Tx, platform_id: i64, year: i32, except: Option<i64>) -> Result<()> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "select count(*) from platform_evaluation where platform_id = $1 and year = $2 and id <> $3")
        .bind(platform_id).bind(i64::from(year)).bind(except.unwrap_or(0)).fetch_one(c).await)?;
    if n > 0 {
        return Err(StoreError::conflict(
            "year",
            Msg::new(
                format!("该平台 {year} 年度的考核已经录入，每年只能有一条考核记录"),
                format!("This platform already has its {year} evaluation; there is one per year"),
            ),
        ));
    }
    Ok(())
}

async fn write_hosts(tx: &mut Tx, id: i64, hosts: &[i64]) -> Result<()> {
    on_tx!(tx, c => sqlx::query("delete from platform_host where platform_id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    for (i, o) in hosts.iter().enumerate() {
        on_tx!(tx, c => sqlx::query("insert into platform_host (platform_id, organization_id, position) values ($1, $2, $3)")
            .bind(id).bind(*o).bind(i as i32).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

async fn touch(tx: &mut Tx, id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("update platform set updated_at = $1 where id = $2").bind(now()).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

async fn audit_people(
    tx: &mut Tx,
    v: &Viewer,
    id: i64,
    before: &[PlatformPerson],
    after: &[PlatformPerson],
) -> Result<()> {
    let list = |l: &[PlatformPerson]| {
        serde_json::json!({ "people": l.iter().map(|p| {
            let role = p.role.as_deref().map(|r| format!("（{r}）")).unwrap_or_default();
            format!("{}{role}", p.person_name)
        }).collect::<Vec<_>>() })
    };
    audit(
        tx,
        v,
        RecordKind::Platform,
        id,
        "update",
        Some(&list(before)),
        Some(&list(after)),
    )
    .await
}

/// platform, person, name, role, from, to.
type StationRow = (i64, i64, String, Option<String>, Option<NaiveDate>, Option<NaiveDate>);

async fn people_in(tx: &mut Tx, id: i64) -> Result<Vec<PlatformPerson>> {
    let rows: Vec<StationRow> = on_tx!(tx, c => sqlx::query_as(
        "select pp.platform_id, pp.person_id, p.name, pp.role, pp.from_on, pp.to_on from platform_person pp \
         join person p on p.id = pp.person_id where pp.platform_id = $1 order by pp.from_on, pp.person_id")
        .bind(id).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(platform_id, person_id, person_name, role, from_on, to_on)| PlatformPerson {
                platform_id,
                person_id,
                person_name,
                role,
                from_on,
                to_on,
            },
        )
        .collect())
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Platform> {
    let sql = format!("select {COLS} from platform where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let hosts: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select organization_id from platform_host where platform_id = $1 order by position")
        .bind(id).fetch_all(c).await)?;
    Ok(row.into_record(hosts))
}

async fn fetch_eval(tx: &mut Tx, id: i64) -> Result<PlatformEvaluation> {
    let sql = format!("select {EVAL_COLS} from platform_evaluation where id = $1");
    let row: Option<EvalRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
