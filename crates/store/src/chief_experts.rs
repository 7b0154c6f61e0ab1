//! Chief experts (首席专家): appointments with their place (a government organisation: a county or
//! a town) or industry chain, their term and duties; the service log each keeps (list, add, edit,
//! archive), its yearly tally per kind for the appraisal, and the demands matched to the expert in
//! their area. Scope (`access::restrict`): the expert sees their own appointments, a coordinator
//! those serving a place in their scope or held by an expert of their organisations; leaders and
//! the office all. The log goes with its appointment.

use crate::access::{Viewer, audit, authorize, check, in_own_scope, must_see, restrict, snapshot, unknown, visible};
use crate::records::{archived_clause, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::chief_expert::{
    ChiefExpert, ChiefExpertData, ChiefExpertFilter, ChiefField, ChiefStatus, MatchedDemand, ServiceKind, ServiceLog,
    ServiceLogData, ServiceLogFilter, ServiceTally, check_served_on, status_on,
};
use hezuo_domain::{ListParams, Msg, Page, RecordKind, input};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    person_id: i64,
    person_name: String,
    field: String,
    organization_id: Option<i64>,
    organization_name: Option<String>,
    region_code: Option<String>,
    chain: Option<String>,
    document_no: String,
    appointed_by: String,
    from_on: NaiveDate,
    to_on: NaiveDate,
    duties: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The appointments with the expert's and the place's names; `ce` is the appointment.
const FROM: &str = "from chief_expert ce join person xp on xp.id = ce.person_id \
                    left join organization xo on xo.id = ce.organization_id where 1 = 1";
const COLS: &str = "ce.id, ce.person_id, xp.name as person_name, ce.field, ce.organization_id, \
    xo.name as organization_name, xo.region_code, ce.chain, ce.document_no, ce.appointed_by, ce.from_on, ce.to_on, \
    ce.duties, ce.archived, ce.created_at, ce.updated_at";

impl Row {
    fn into_record(self, today: NaiveDate) -> ChiefExpert {
        ChiefExpert {
            id: self.id,
            person_id: self.person_id,
            person_name: self.person_name,
            field: ChiefField::parse(&self.field).unwrap_or(ChiefField::Agriculture),
            organization_id: self.organization_id,
            organization_name: self.organization_name,
            region_code: self.region_code,
            chain: self.chain,
            document_no: self.document_no,
            appointed_by: self.appointed_by,
            from_on: self.from_on,
            to_on: self.to_on,
            duties: self.duties,
            status: status_on(self.from_on, self.to_on, today),
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct LogRow {
    id: i64,
    chief_expert_id: i64,
    kind: String,
    served_on: NaiveDate,
    title: String,
    place: Option<String>,
    hours: Option<i64>,
    people_served: Option<i64>,
    details: Option<String>,
    demand_id: Option<i64>,
    problem_id: Option<i64>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const LOG_COLS: &str = "sl.id, sl.chief_expert_id, sl.kind, sl.served_on, sl.title, sl.place, sl.hours, \
    sl.people_served, sl.details, sl.demand_id, sl.problem_id, sl.archived, sl.created_at, sl.updated_at";

impl From<LogRow> for ServiceLog {
    fn from(r: LogRow) -> Self {
        ServiceLog {
            id: r.id,
            chief_expert_id: r.chief_expert_id,
            kind: ServiceKind::parse(&r.kind).unwrap_or(ServiceKind::Other),
            served_on: r.served_on,
            title: r.title,
            place: r.place,
            hours: r.hours,
            people_served: r.people_served,
            details: r.details,
            demand_id: r.demand_id,
            problem_id: r.problem_id,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn invalid_code(field: &str, code: &str) -> StoreError {
    StoreError::invalid(
        field,
        Msg::new(
            format!("“{code}”不是有效的取值"),
            format!("“{code}” is not a valid {field}"),
        ),
    )
}

/// The first and last day of a year given as a filter.
fn year_bounds(v: &Option<String>) -> Result<Option<(NaiveDate, NaiveDate)>> {
    if input::opt_text(v).is_none() {
        return Ok(None);
    }
    let y = input::year(v).map_err(|m| StoreError::invalid("year", m))?;
    Ok(Some((
        NaiveDate::from_ymd_opt(y, 1, 1).expect("a valid year"),
        NaiveDate::from_ymd_opt(y, 12, 31).expect("a valid year"),
    )))
}

/// Appends the filter's conditions to a query over `chief_expert ce` (joined to `xp`, `xo`).
fn filter(q: &mut Q, f: &ChiefExpertFilter, today: NaiveDate) -> Result<()> {
    archived_clause(q, "ce", &f.archived);
    if let Some(s) = input::opt_text(&f.q) {
        let pat = contains_pattern(s);
        q.push(" and (lower(xp.name) like ")
            .bind(Arg::Text(pat.clone()))
            .push(" escape '\\' or lower(coalesce(ce.chain, '') || ' ' || ce.document_no || ' ' || coalesce(ce.duties, '')) like ")
            .bind(Arg::Text(pat))
            .push(" escape '\\')");
    }
    if let Some(k) = input::opt_text(&f.field) {
        let k = ChiefField::parse(k).ok_or_else(|| invalid_code("field", k))?;
        q.push(" and ce.field = ").bind(Arg::Text(k.as_str().into()));
    }
    if let Some(c) = input::opt_text(&f.county) {
        let pat = crate::records::county_pattern(c)?;
        q.push(" and xo.region_code like ").bind(Arg::Text(pat));
    }
    if let Some(s) = input::opt_text(&f.chain) {
        q.push(" and lower(coalesce(ce.chain, '')) like ")
            .bind(Arg::Text(contains_pattern(s)))
            .push(" escape '\\'");
    }
    if let Some(id) = id_filter(&f.person_id, "person_id")? {
        q.push(" and ce.person_id = ").bind(Arg::I64(id));
    }
    if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
        q.push(" and ce.organization_id in ");
        crate::access::org_subtree(q, id);
    }
    if let Some((first, last)) = year_bounds(&f.year)? {
        q.push(" and ce.from_on <= ")
            .bind(Arg::Date(last))
            .push(" and ce.to_on >= ")
            .bind(Arg::Date(first));
    }
    if let Some(s) = input::opt_text(&f.status) {
        match ChiefStatus::parse(s).ok_or_else(|| invalid_code("status", s))? {
            ChiefStatus::Appointed => {
                q.push(" and ce.from_on > ").bind(Arg::Date(today));
            }
            ChiefStatus::Serving => {
                q.push(" and ce.from_on <= ")
                    .bind(Arg::Date(today))
                    .push(" and ce.to_on >= ")
                    .bind(Arg::Date(today));
            }
            ChiefStatus::Ended => {
                q.push(" and ce.to_on < ").bind(Arg::Date(today));
            }
        }
    }
    Ok(())
}

fn log_filter(q: &mut Q, f: &ServiceLogFilter) -> Result<()> {
    archived_clause(q, "sl", &f.archived);
    if let Some(id) = id_filter(&f.chief_expert_id, "chief_expert_id")? {
        q.push(" and sl.chief_expert_id = ").bind(Arg::I64(id));
    }
    if let Some(k) = input::opt_text(&f.kind) {
        let k = ServiceKind::parse(k).ok_or_else(|| invalid_code("kind", k))?;
        q.push(" and sl.kind = ").bind(Arg::Text(k.as_str().into()));
    }
    if let Some((first, last)) = year_bounds(&f.year)? {
        q.push(" and sl.served_on >= ")
            .bind(Arg::Date(first))
            .push(" and sl.served_on <= ")
            .bind(Arg::Date(last));
    }
    if let Some(id) = id_filter(&f.demand_id, "demand_id")? {
        q.push(" and sl.demand_id = ").bind(Arg::I64(id));
    }
    Ok(())
}

impl Store {
    pub async fn list_chief_experts(
        &self,
        v: &Viewer,
        f: &ChiefExpertFilter,
        p: &ListParams,
    ) -> Result<Page<ChiefExpert>> {
        let today = self.today();
        let mut q = Q::new(FROM);
        restrict(&mut q, v, RecordKind::ChiefExpert, "ce");
        filter(&mut q, f, today)?;
        let (col, desc) = p.sort(&["id", "from_on", "to_on", "field", "updated_at"], ("from_on", true))?;
        let order = format!("ce.{col} {d}, ce.id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(|r| r.into_record(today)).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_chief_expert(&self, v: &Viewer, id: i64) -> Result<ChiefExpert> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::ChiefExpert, id).await?;
        let r = fetch(&mut tx, id, self.today()).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn create_chief_expert(&self, v: &Viewer, d: &ChiefExpertData) -> Result<ChiefExpert> {
        check(v, RecordKind::ChiefExpert, Action::Create)?;
        let mut tx = self.begin().await?;
        check_appointment(&mut tx, v, d).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into chief_expert (person_id, field, organization_id, chain, document_no, appointed_by, from_on, to_on, \
             duties, archived, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $10, $10) returning id")
            .bind(d.person_id).bind(d.field.as_str()).bind(d.organization_id).bind(&d.chain).bind(&d.document_no)
            .bind(&d.appointed_by).bind(d.from_on).bind(d.to_on).bind(&d.duties).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id, self.today()).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ChiefExpert,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_chief_expert(
        &self,
        v: &Viewer,
        id: i64,
        d: &ChiefExpertData,
        expected: Option<i64>,
    ) -> Result<ChiefExpert> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::ChiefExpert, id).await?;
        authorize(&mut tx, v, RecordKind::ChiefExpert, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::ChiefExpert, id, expected).await?;
        let before = fetch(&mut tx, id, self.today()).await?;
        check_appointment(&mut tx, v, d).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update chief_expert set person_id = $1, field = $2, organization_id = $3, chain = $4, document_no = $5, \
             appointed_by = $6, from_on = $7, to_on = $8, duties = $9, updated_at = $10 where id = $11")
            .bind(d.person_id).bind(d.field.as_str()).bind(d.organization_id).bind(&d.chain).bind(&d.document_no)
            .bind(&d.appointed_by).bind(d.from_on).bind(d.to_on).bind(&d.duties).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id, self.today()).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ChiefExpert,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_chief_expert_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<ChiefExpert> {
        crate::records::set_archived(self, v, RecordKind::ChiefExpert, id, archived, expected).await?;
        self.get_chief_expert(v, id).await
    }

    /// Experts who may be appointed (every expert on file, not archived): (id, name, organisation).
    pub async fn expert_options(&self) -> Result<Vec<(i64, String, String)>> {
        Ok(on_db!(&self.db, p => sqlx::query_as(
            "select p.id, p.name, o.name from person p join organization o on o.id = p.organization_id \
             where p.is_expert = true and p.archived = false order by p.id limit 3000")
            .fetch_all(p).await)?)
    }

    /// Places `v` may name in an appointment: government organisations (the city, its counties,
    /// towns) within their own scope, as (id, name, division code).
    pub async fn place_options(&self, v: &Viewer) -> Result<Vec<(i64, String, Option<String>)>> {
        let mut q = Q::new(
            "select r.id, r.name, r.region_code from organization r where r.archived = false and r.kind = 'government'",
        );
        crate::access::restrict_own(&mut q, v, RecordKind::Organization, "r");
        q.push(" order by r.id limit 3000");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }

    /// Whether `v` may add to the service log of the appointment `chief_expert_id`: the expert
    /// themself, or whoever keeps the appointment — what `create_service_log` decides.
    pub async fn may_keep_log(&self, v: &Viewer, chief_expert_id: i64) -> Result<bool> {
        if check(v, RecordKind::ServiceLog, Action::Create).is_err() {
            return Ok(false);
        }
        let mut tx = self.read().await?;
        let ok = in_own_scope(&mut tx, v, RecordKind::ChiefExpert, chief_expert_id).await?;
        tx.commit().await?;
        Ok(ok)
    }

    /// A chief expert's service log, as `v` may see it, latest first.
    pub async fn list_service_log(&self, v: &Viewer, f: &ServiceLogFilter, p: &ListParams) -> Result<Page<ServiceLog>> {
        let mut q = Q::new("from service_log sl where 1 = 1");
        restrict(&mut q, v, RecordKind::ServiceLog, "sl");
        log_filter(&mut q, f)?;
        let (col, desc) = p.sort(&["id", "served_on", "kind", "updated_at"], ("served_on", true))?;
        let order = format!("sl.{col} {d}, sl.id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, LogRow, LOG_COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_service_log(&self, v: &Viewer, id: i64) -> Result<ServiceLog> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::ServiceLog, id).await?;
        let r = fetch_log(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Adds an entry to a chief expert's log: the expert themself, or whoever keeps the appointment.
    pub async fn create_service_log(&self, v: &Viewer, d: &ServiceLogData) -> Result<ServiceLog> {
        check(v, RecordKind::ServiceLog, Action::Create)?;
        let mut tx = self.begin().await?;
        check_entry(&mut tx, v, d, self.today()).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into service_log (chief_expert_id, kind, served_on, title, place, hours, people_served, details, demand_id, \
             problem_id, archived, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false, $11, $11) \
             returning id")
            .bind(d.chief_expert_id).bind(d.kind.as_str()).bind(d.served_on).bind(&d.title).bind(&d.place).bind(d.hours)
            .bind(d.people_served).bind(&d.details).bind(d.demand_id).bind(d.problem_id).bind(t)
            .fetch_one(c).await)?;
        let after = fetch_log(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ServiceLog,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_service_log(
        &self,
        v: &Viewer,
        id: i64,
        d: &ServiceLogData,
        expected: Option<i64>,
    ) -> Result<ServiceLog> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::ServiceLog, id).await?;
        authorize(&mut tx, v, RecordKind::ServiceLog, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::ServiceLog, id, expected).await?;
        let before = fetch_log(&mut tx, id).await?;
        check_entry(&mut tx, v, d, self.today()).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update service_log set chief_expert_id = $1, kind = $2, served_on = $3, title = $4, place = $5, hours = $6, \
             people_served = $7, details = $8, demand_id = $9, problem_id = $10, updated_at = $11 where id = $12")
            .bind(d.chief_expert_id).bind(d.kind.as_str()).bind(d.served_on).bind(&d.title).bind(&d.place).bind(d.hours)
            .bind(d.people_served).bind(&d.details).bind(d.demand_id).bind(d.problem_id).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch_log(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ServiceLog,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_service_log_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<ServiceLog> {
        crate::records::set_archived(self, v, RecordKind::ServiceLog, id, archived, expected).await?;
        self.get_service_log(v, id).await
    }

    /// A chief expert's year for the appraisal: per kind (every kind, in order, zeros included)
    /// the entries not archived, their hours and the people served; then the year's total
    /// (`kind: None`).
    pub async fn service_tally(&self, v: &Viewer, chief_expert_id: i64, year: i32) -> Result<Vec<ServiceTally>> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::NotFound)?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?;
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::ChiefExpert, chief_expert_id).await?;
        let rows: Vec<(String, i64, i64, i64)> = on_tx!(&mut tx, c => sqlx::query_as(
            "select kind, count(*), cast(coalesce(sum(hours), 0) as bigint), cast(coalesce(sum(people_served), 0) as bigint) \
             from service_log where chief_expert_id = $1 and archived = false and served_on >= $2 and served_on <= $3 \
             group by kind")
            .bind(chief_expert_id).bind(first).bind(last)
            .fetch_all(c).await)?;
        tx.commit().await?;
        let mut out: Vec<ServiceTally> = ServiceKind::ALL
            .iter()
            .map(|k| ServiceTally {
                kind: Some(*k),
                ..Default::default()
            })
            .collect();
        let mut total = ServiceTally::default();
        for (kind, n, hours, people) in rows {
            let k = ServiceKind::parse(&kind).unwrap_or(ServiceKind::Other);
            if let Some(t) = out.iter_mut().find(|t| t.kind == Some(k)) {
                t.count += n;
                t.hours += hours;
                t.people_served += people;
            }
            total.count += n;
            total.hours += hours;
            total.people_served += people;
        }
        out.push(total);
        Ok(out)
    }

    /// The demands matched to the chief expert (as `v` may see the matches): those of enterprises
    /// in the place served — under it in the tree, or with its division code when it is a county's
    /// own government — or, for an appointment to a chain alone, all of them. Latest match first.
    pub async fn chief_expert_demands(&self, v: &Viewer, chief_expert_id: i64) -> Result<Vec<MatchedDemand>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::ChiefExpert, chief_expert_id).await?;
        let (person, place): (i64, Option<i64>) = on_tx!(&mut tx, c => sqlx::query_as(
            "select person_id, organization_id from chief_expert where id = $1")
            .bind(chief_expert_id).fetch_one(c).await)?;
        let mut q = Q::new(
            "select m.id, d.id, d.title, d.enterprise_id, e.name, d.status, m.status from demand_match m \
             join demand d on d.id = m.demand_id join organization e on e.id = d.enterprise_id \
             where d.archived = false and m.person_id = ",
        );
        q.bind(Arg::I64(person));
        if let Some(org) = place {
            q.push(" and (d.enterprise_id in ");
            crate::access::org_subtree(&mut q, org);
            q.push(
                " or e.region_code = (select a.region_code from organization a left join organization ap on ap.id = a.parent_id \
                 where a.id = ",
            )
            .bind(Arg::I64(org))
            .push(" and (ap.id is null or ap.region_code is null or ap.region_code <> a.region_code)))");
        }
        restrict(&mut q, v, RecordKind::Match, "m");
        q.push(" order by m.id desc limit 500");
        type R = (i64, i64, String, i64, String, String, String);
        let rows: Vec<R> = on_tx!(&mut tx, c => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(c).await)?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(
                |(match_id, demand_id, title, enterprise_id, enterprise_name, demand_status, match_status)| {
                    MatchedDemand {
                        match_id,
                        demand_id,
                        title,
                        enterprise_id,
                        enterprise_name,
                        demand_status,
                        match_status,
                    }
                },
            )
            .collect())
    }
}

/// An appointment's facts the database decides: the person is an expert, the place a government
/// organisation, and — for a scoped writer — the place (or, for a chain, the expert) within their
/// own scope.
async fn check_appointment(tx: &mut Tx, v: &Viewer, d: &ChiefExpertData) -> Result<()> {
    let expert: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "select count(*) from person where id = $1 and is_expert = true and archived = false")
        .bind(d.person_id).fetch_one(c).await)?;
    if expert == 0 {
        return Err(StoreError::invalid(
            "person_id",
            Msg::new(
                format!("专家库中没有编号为 {} 的专家", d.person_id),
                format!("There is no expert with id {}", d.person_id),
            ),
        ));
    }
    if let Some(org) = d.organization_id {
        let kind: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
            "select kind from organization where id = $1 and archived = false")
            .bind(org).fetch_optional(c).await)?;
        match kind.as_deref() {
            None => return Err(unknown("organization_id", ("单位", "organisation"), org)),
            Some("government") => {}
            Some(_) => {
                return Err(StoreError::invalid(
                    "organization_id",
                    Msg::new(
                        "服务地须为县（市、区）或乡镇（政府类单位）",
                        "The place served must be a county or a town (a government organisation)",
                    ),
                ));
            }
        }
    }
    if v.scope != Scope::All {
        let ok = match d.organization_id {
            Some(org) => in_own_scope(tx, v, RecordKind::Organization, org).await?,
            None => in_own_scope(tx, v, RecordKind::Person, d.person_id).await?,
        };
        if !ok {
            return Err(StoreError::invalid(
                "organization_id",
                Msg::new(
                    "服务地须在您负责的范围内（只聘任产业链时，专家须在您负责的范围内）",
                    "The place served must be within your scope (for a chain alone, the expert must be)",
                ),
            ));
        }
    }
    Ok(())
}

/// A log entry's facts: its appointment is one `v` keeps, its day has come, and the demand and
/// problem it names exist and are visible to `v`.
async fn check_entry(tx: &mut Tx, v: &Viewer, d: &ServiceLogData, today: NaiveDate) -> Result<()> {
    if !in_own_scope(tx, v, RecordKind::ChiefExpert, d.chief_expert_id).await? {
        return Err(unknown(
            "chief_expert_id",
            ("首席专家聘任", "chief expert appointment"),
            d.chief_expert_id,
        ));
    }
    // Writers of one appointment's log take turns (PostgreSQL: the row is locked).
    lock_exists(tx, "chief_expert", d.chief_expert_id).await?;
    if let Err(m) = check_served_on(d.served_on, today) {
        return Err(StoreError::invalid("served_on", m));
    }
    if let Some(id) = d.demand_id
        && !visible(tx, v, RecordKind::Demand, id).await?
    {
        return Err(unknown("demand_id", ("需求", "demand"), id));
    }
    if let Some(id) = d.problem_id
        && !visible(tx, v, RecordKind::Problem, id).await?
    {
        return Err(unknown("problem_id", ("问题", "problem"), id));
    }
    Ok(())
}

async fn fetch(tx: &mut Tx, id: i64, today: NaiveDate) -> Result<ChiefExpert> {
    let sql = format!("select {COLS} {FROM} and ce.id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    Ok(row.ok_or(StoreError::NotFound)?.into_record(today))
}

async fn fetch_log(tx: &mut Tx, id: i64) -> Result<ServiceLog> {
    let sql = format!("select {LOG_COLS} from service_log sl where sl.id = $1");
    let row: Option<LogRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    Ok(row.ok_or(StoreError::NotFound)?.into())
}
