//! Projects with their co-units and status state machine, and their milestones (推进进度表).

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, unknown, visible};

use crate::records::{
    PROJECT_CO_UNIT, archived_clause, exists, expect_version, id_filter, lock_exists, missing, write_links,
};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::RecordKind;
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::project::{
    Milestone, MilestoneData, Project, ProjectData, ProjectFilter, ProjectKind, ProjectOrigin, ProjectStatus,
};
use hezuo_domain::supervision::supervised;
use hezuo_domain::{FieldErrors, ListParams, Money, Msg, Page, input};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    kind: String,
    batch_year: i32,
    batch_id: Option<i64>,
    lead_unit_id: i64,
    responsible_person_id: Option<i64>,
    origin: String,
    agreement_id: Option<i64>,
    origin_note: Option<String>,
    contract_amount_fen: i64,
    funding_won_fen: i64,
    status: String,
    start_on: Option<NaiveDate>,
    end_on: Option<NaiveDate>,
    summary: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A project's row with its co-units' numbers, comma-separated, its version (the latest audit
/// entry's number, 0 for none) and, when asked for, its flag as stored today ([`by_id_sql`]).
#[derive(sqlx::FromRow)]
struct WithCoUnits {
    #[sqlx(flatten)]
    row: Row,
    co_units: Option<String>,
    version: i64,
    stored_flag: Option<String>,
}

impl WithCoUnits {
    fn into_project(self) -> Project {
        let mut co: Vec<i64> = self
            .co_units
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect();
        co.sort_unstable();
        self.row.into_record(co)
    }
}

/// One project (`project t`) with its co-units and its version in one statement (one snapshot: the
/// version is that of the row read), up to `where t.id = `: the number is bound next, and
/// `Store::get_project` adds the viewer's scope. With `today`, the project's flag as a refresh
/// stored it that day (`flag words`, [`crate::project_flags::stored_state`]), if it is still good:
/// a project being carried out is then read in one trip where computing its flag takes three more.
/// The day is written as a literal: a date of our own clock, `YYYY-MM-DD`.
fn by_id_sql(sqlite: bool, today: Option<NaiveDate>) -> String {
    let co_units = if sqlite {
        "group_concat(c.organization_id)"
    } else {
        "string_agg(cast(c.organization_id as text), ',')"
    };
    let stored = match today {
        Some(day) => format!(
            "(select f.flag || ' ' || coalesce(f.words, '[]') from project_flag f where f.project_id = t.id \
             and f.computed_on = '{}' and f.flag is not null)",
            day.format("%Y-%m-%d")
        ),
        None => "null".to_string(),
    };
    format!(
        "select {COLS}, (select {co_units} from project_co_unit c where c.project_id = t.id) as co_units, \
         coalesce((select max(a.id) from audit_entry a where a.record_kind = 'project' and a.record_id = t.id), 0) \
         as version, {stored} as stored_flag from project t where t.id = "
    )
}

const COLS: &str = "id, title, kind, batch_year, batch_id, lead_unit_id, responsible_person_id, origin, agreement_id, origin_note, \
                    contract_amount_fen, funding_won_fen, status, start_on, end_on, summary, archived, created_at, updated_at";

impl Row {
    fn into_record(self, co_units: Vec<i64>) -> Project {
        Project {
            id: self.id,
            title: self.title,
            kind: ProjectKind::parse(&self.kind).unwrap_or(ProjectKind::Research),
            batch_year: self.batch_year,
            batch_id: self.batch_id,
            lead_unit_id: self.lead_unit_id,
            co_unit_ids: co_units,
            responsible_person_id: self.responsible_person_id,
            origin: ProjectOrigin::parse(&self.origin).unwrap_or(ProjectOrigin::Proposal),
            agreement_id: self.agreement_id,
            origin_note: self.origin_note,
            contract_amount_wan: Money(self.contract_amount_fen),
            funding_won_wan: Money(self.funding_won_fen),
            status: ProjectStatus::parse(&self.status).unwrap_or(ProjectStatus::Planned),
            start_on: self.start_on,
            end_on: self.end_on,
            summary: self.summary,
            flag: Default::default(),
            flag_reasons: Vec::new(),
            flag_words: Vec::new(),
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MilestoneRow {
    id: i64,
    project_id: i64,
    title: String,
    due_on: NaiveDate,
    deliverable: Option<String>,
    done_on: Option<NaiveDate>,
    evidence: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

pub(crate) const MILESTONE_COLS: &str =
    "id, project_id, title, due_on, deliverable, done_on, evidence, archived, created_at, updated_at";

impl From<MilestoneRow> for Milestone {
    fn from(r: MilestoneRow) -> Self {
        Milestone {
            id: r.id,
            project_id: r.project_id,
            title: r.title,
            due_on: r.due_on,
            deliverable: r.deliverable,
            done_on: r.done_on,
            evidence: r.evidence,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// ` and status = …` for one status (an index led by `archived, status` then gives a page in
/// number order, which SQLite walks for a flag filter's page), ` and status in (…)` for several.
fn status_test(q: &mut Q, list: &[&str]) {
    if let [one] = list {
        q.push(" and status = ").bind(Arg::Text(one.to_string()));
        return;
    }
    q.push(" and status in (");
    for (i, x) in list.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(Arg::Text(x.to_string()));
    }
    q.push(")");
}

/// The years of `project_years`: for each value of `archived`, the greatest year, then the
/// greatest below it, and so on (each step one index seek).
const YEARS_SQL: &str = "with recursive y(a, v) as ( \
       select a, (select max(batch_year) from project where archived = a) \
         from (select false as a union all select true as a) s \
       union all \
       select a, (select max(batch_year) from project where archived = y.a and batch_year < y.v) \
         from y where v is not null) \
     select distinct v from y where v is not null order by v desc limit 50";

impl Store {
    async fn with_co_units(&self, rows: Vec<Row>) -> Result<Vec<Project>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut co = self.links(PROJECT_CO_UNIT, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let c = co.remove(&r.id).unwrap_or_default();
                r.into_record(c)
            })
            .collect())
    }

    pub async fn list_projects(&self, v: &Viewer, f: &ProjectFilter, p: &ListParams) -> Result<Page<Project>> {
        let mut q = Q::new("from project");
        self.flag_join(&mut q, f).await?;
        q.push(" where 1 = 1");
        restrict(&mut q, v, RecordKind::Project, "project");
        archived_clause(&mut q, "project", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            q.push(" and lower(title) like ")
                .bind(Arg::Text(contains_pattern(s)))
                .push(" escape '\\'");
        }
        if let Some(k) = input::opt_text(&f.kind) {
            q.push(" and kind = ").bind(Arg::Text(k.to_string()));
        }
        if let Some(s) = input::opt_text(&f.status) {
            // One status, or several separated by commas (the statistics link "in progress" so).
            let mut list: Vec<&str> = s.split(',').map(str::trim).filter(|x| !x.is_empty()).collect();
            let carried: Vec<&str> = ProjectStatus::ALL
                .iter()
                .filter(|st| supervised(**st))
                .map(|st| st.as_str())
                .collect();
            let flagged = input::opt_text(&f.flag).is_some();
            let asked = !list.is_empty();
            if flagged {
                // A flag is stored only on a project being carried out: of the statuses asked for,
                // only those can have one, and all of them together test nothing. Tested anyway,
                // SQLite gathered every project of both statuses by its index and sorted them for a
                // page (0.45 s among a million).
                list.retain(|x| carried.contains(x));
            }
            if list.is_empty() {
                if asked {
                    q.push(" and 1 = 0");
                }
            } else if !(flagged && carried.iter().all(|c| list.contains(c))) {
                status_test(&mut q, &list);
            }
        }
        project_group_filters(&mut q, f)?;
        if let Some(y) = input::opt_text(&f.batch_year) {
            let year = y.parse::<i32>().map_err(|_| {
                StoreError::invalid(
                    "batch_year",
                    Msg::new(format!("“{y}”不是有效的年度"), format!("“{y}” is not a year")),
                )
            })?;
            q.push(" and batch_year = ").bind(Arg::I32(year));
        }
        if let Some(id) = id_filter(&f.lead_unit_id, "lead_unit_id")? {
            q.push(" and lead_unit_id = ").bind(Arg::I64(id));
        }
        if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
            q.push(" and (lead_unit_id = ").bind(Arg::I64(id));
            q.push(" or id in (select project_id from project_co_unit where organization_id = ")
                .bind(Arg::I64(id))
                .push("))");
        }
        if let Some(id) = id_filter(&f.agreement_id, "agreement_id")? {
            q.push(" and agreement_id = ").bind(Arg::I64(id));
        }
        if let Some(id) = id_filter(&f.responsible_person_id, "responsible_person_id")? {
            q.push(" and responsible_person_id = ").bind(Arg::I64(id));
        }
        if let Some(id) = id_filter(&f.batch_id, "batch_id")? {
            q.push(" and batch_id = ").bind(Arg::I64(id));
        }
        let (col, desc) = p.sort(
            &[
                "id",
                "title",
                "batch_year",
                "kind",
                "status",
                "contract_amount_fen",
                "updated_at",
            ],
            ("id", true),
        )?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        let mut items = self.with_co_units(rows).await?;
        self.apply_flags(&mut items).await?;
        Ok(Page {
            items,
            ..Page::counted(total, p)
        })
    }

    /// A project the viewer may see, read with its co-units and the viewer's scope in one statement
    /// (one trip to the database where there were five: a transaction's begin and end, the scope's
    /// test, the row, the co-units); its flag's inputs are read only if it is being carried out.
    pub async fn get_project(&self, v: &Viewer, id: i64) -> Result<Project> {
        Ok(self.get_project_tagged(v, id).await?.0)
    }

    /// [`Store::get_project`] with the project's version (its ETag) read in the same statement, where
    /// the API's read of a record asks for the version first and then the record (two trips).
    pub async fn get_project_tagged(&self, v: &Viewer, id: i64) -> Result<(Project, i64)> {
        let mut q = Q::new(&by_id_sql(self.backend() == crate::Backend::Sqlite, Some(self.today())));
        q.bind(Arg::I64(id));
        restrict(&mut q, v, RecordKind::Project, "t");
        let row: Option<WithCoUnits> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args)
            .fetch_optional(p).await)?;
        let row = row.ok_or(StoreError::NotFound)?;
        let version = row.version;
        let stored = row.stored_flag.clone();
        let mut r = row.into_project();
        self.flag_as_stored(&mut r, stored.as_deref()).await?;
        Ok((r, version))
    }

    /// The batch years that have projects, newest first (for filter menus).
    ///
    /// Read as a loose index scan of `project_batch (archived, batch_year, id)`: one seek per year
    /// and per value of `archived`, rather than `select distinct`, which read every project's
    /// entry (80 ms at a million projects on every list page).
    pub async fn project_years(&self) -> Result<Vec<i32>> {
        Ok(on_db!(&self.db, p => sqlx::query_scalar(YEARS_SQL).fetch_all(p).await)?)
    }

    pub async fn create_project(&self, v: &Viewer, d: &ProjectData) -> Result<Project> {
        check(v, RecordKind::Project, Action::Create)?;
        let mut tx = self.begin().await?;
        let after = insert_project(&mut tx, v, d).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Updates a project; a status change must be one the state machine allows from the current one.
    /// A change that touches the status is logged as `status`, others as `update`.
    pub async fn update_project(&self, v: &Viewer, id: i64, d: &ProjectData, expected: Option<i64>) -> Result<Project> {
        check(v, RecordKind::Project, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Project, id).await?;
        expect_version(&mut tx, RecordKind::Project, id, expected).await?;
        lock_exists(&mut tx, "project", id).await?;
        let before = fetch(&mut tx, id).await?;
        let status = match d.status {
            Some(to) => before
                .status
                .transition(to)
                .map_err(|m| StoreError::invalid("status", m))?,
            None => before.status,
        };
        lead_in_scope(&mut tx, v, d.lead_unit_id, Some(before.lead_unit_id)).await?;
        check_project(&mut tx, d).await?;
        if (d.start_on, d.end_on) != (before.start_on, before.end_on) {
            check_milestones_fit(&mut tx, id, d.start_on, d.end_on).await?;
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update project set title = $1, kind = $2, batch_year = $3, lead_unit_id = $4, responsible_person_id = $5, \
             origin = $6, agreement_id = $7, origin_note = $8, contract_amount_fen = $9, funding_won_fen = $10, \
             status = $11, start_on = $12, end_on = $13, summary = $14, updated_at = $15, batch_id = $17 where id = $16")
            .bind(&d.title).bind(d.kind.as_str()).bind(d.batch_year).bind(d.lead_unit_id).bind(d.responsible_person_id)
            .bind(d.origin.as_str()).bind(d.agreement_id).bind(&d.origin_note).bind(d.contract_amount.fen())
            .bind(d.funding_won.fen()).bind(status.as_str()).bind(d.start_on).bind(d.end_on)
            .bind(&d.summary).bind(now()).bind(id).bind(d.batch_id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        write_links(&mut tx, PROJECT_CO_UNIT, id, &d.co_unit_ids).await?;
        let after = fetch(&mut tx, id).await?;
        let action = if status != before.status { "status" } else { "update" };
        audit(
            &mut tx,
            v,
            RecordKind::Project,
            id,
            action,
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_project_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Project> {
        crate::records::set_archived(self, v, RecordKind::Project, id, archived, expected).await?;
        self.get_project(v, id).await
    }

    /// A project's milestones; NotFound if `v` cannot see the project.
    pub async fn list_milestones(&self, v: &Viewer, project_id: i64, include_archived: bool) -> Result<Vec<Milestone>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Project, project_id).await?;
        let sql = format!(
            "select {MILESTONE_COLS} from milestone where project_id = $1 and (archived = false or $2) order by due_on, id"
        );
        let rows: Vec<MilestoneRow> = on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(project_id).bind(include_archived).fetch_all(c).await)?;
        tx.commit().await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get_milestone(&self, v: &Viewer, id: i64) -> Result<Milestone> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Milestone, id).await?;
        let m = fetch_milestone(&mut tx, id).await?;
        tx.commit().await?;
        Ok(m)
    }

    pub async fn create_milestone(&self, v: &Viewer, project_id: i64, d: &MilestoneData) -> Result<Milestone> {
        check(v, RecordKind::Milestone, Action::Create)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Project, project_id).await?;
        let (start, end) = project_dates(&mut tx, project_id).await?;
        d.check_dates(self.today(), start, end).map_err(StoreError::Invalid)?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into milestone (project_id, title, due_on, deliverable, done_on, evidence, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, false, $7, $7) returning id")
            .bind(project_id).bind(&d.title).bind(d.due_on).bind(&d.deliverable).bind(d.done_on).bind(&d.evidence).bind(t)
            .fetch_one(c).await)?;
        let after = fetch_milestone(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Milestone,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_milestone(
        &self,
        v: &Viewer,
        id: i64,
        d: &MilestoneData,
        expected: Option<i64>,
    ) -> Result<Milestone> {
        check(v, RecordKind::Milestone, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Milestone, id).await?;
        expect_version(&mut tx, RecordKind::Milestone, id, expected).await?;
        let before = fetch_milestone(&mut tx, id).await?;
        let (start, end) = project_dates(&mut tx, before.project_id).await?;
        d.check_dates(self.today(), start, end).map_err(StoreError::Invalid)?;
        on_tx!(&mut tx, c => sqlx::query(
            "update milestone set title = $1, due_on = $2, deliverable = $3, done_on = $4, evidence = $5, updated_at = $6 \
             where id = $7")
            .bind(&d.title).bind(d.due_on).bind(&d.deliverable).bind(d.done_on).bind(&d.evidence).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch_milestone(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Milestone,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_milestone_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Milestone> {
        crate::records::set_archived(self, v, RecordKind::Milestone, id, archived, expected).await?;
        self.get_milestone(v, id).await
    }
}

/// Records a new project inside `tx` (its lead unit in the writer's scope, its references checked,
/// a twin refused unless asked), with its audit entry: what `create_project` and turning a decision
/// into a project share.
pub(crate) async fn insert_project(tx: &mut Tx, v: &Viewer, d: &ProjectData) -> Result<Project> {
    if let Some(s) = d.status
        && s != ProjectStatus::Planned
    {
        return Err(StoreError::invalid(
            "status",
            Msg::new(
                "新建项目的状态只能是“计划”，立项等后续状态请在创建后变更",
                "A new project starts as planned; change its status afterwards",
            ),
        ));
    }
    lead_in_scope(tx, v, d.lead_unit_id, None).await?;
    check_project(tx, d).await?;
    if !d.create_anyway {
        refuse_twin(tx, d).await?;
    }
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into project (title, kind, batch_year, lead_unit_id, responsible_person_id, origin, agreement_id, \
         origin_note, contract_amount_fen, funding_won_fen, status, start_on, end_on, summary, archived, created_at, updated_at, batch_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, false, $15, $15, $16) returning id")
        .bind(&d.title).bind(d.kind.as_str()).bind(d.batch_year).bind(d.lead_unit_id).bind(d.responsible_person_id)
        .bind(d.origin.as_str()).bind(d.agreement_id).bind(&d.origin_note).bind(d.contract_amount.fen())
        .bind(d.funding_won.fen()).bind(ProjectStatus::Planned.as_str()).bind(d.start_on).bind(d.end_on)
        .bind(&d.summary).bind(t).bind(d.batch_id)
        .fetch_one(c).await)?;
    write_links(tx, PROJECT_CO_UNIT, id, &d.co_unit_ids).await?;
    let after = fetch(tx, id).await?;
    audit(tx, v, RecordKind::Project, id, "create", None, Some(&snapshot(&after))).await?;
    Ok(after)
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Project> {
    let sql = format!("{}$1", by_id_sql(matches!(tx, Tx::Sqlite(_)), None));
    let row: Option<WithCoUnits> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    Ok(row.ok_or(StoreError::NotFound)?.into_project())
}

async fn fetch_milestone(tx: &mut Tx, id: i64) -> Result<Milestone> {
    let sql = format!("select {MILESTONE_COLS} from milestone where id = $1");
    let row: Option<MilestoneRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

/// A scoped user's project must be led by an organisation within their scope; unchanged is fine.
async fn lead_in_scope(tx: &mut Tx, v: &Viewer, lead: i64, current: Option<i64>) -> Result<()> {
    if v.scope == Scope::All || current == Some(lead) || visible(tx, v, RecordKind::Organization, lead).await? {
        return Ok(());
    }
    Err(unknown("lead_unit_id", ("牵头单位", "organisation"), lead))
}

/// A project's dates, read (and on PostgreSQL locked) inside the transaction that writes a milestone,
/// so that a concurrent change of the dates cannot leave the milestone outside them.
async fn project_dates(tx: &mut Tx, id: i64) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    lock_exists(tx, "project", id).await?;
    Ok(
        on_tx!(tx, c => sqlx::query_as("select start_on, end_on from project where id = $1").bind(id).fetch_one(c).await)?,
    )
}

/// A project being created that looks like one already there — the same title, lead unit and
/// batch year, not archived — is most likely the same one sent twice (a form filled in again):
/// refused as a conflict naming it, unless the writer says to create it anyway.
async fn refuse_twin(tx: &mut Tx, d: &ProjectData) -> Result<()> {
    let twin: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select id from project where title = $1 and lead_unit_id = $2 and batch_year = $3 and not archived \
         order by id limit 1")
        .bind(&d.title).bind(d.lead_unit_id).bind(d.batch_year)
        .fetch_optional(c).await)?;
    match twin {
        None => Ok(()),
        Some(id) => Err(StoreError::Conflict(FieldErrors::one(
            "create_anyway",
            Msg::new(
                format!(
                    "已有同名项目：#{id}《{}》，牵头单位和批次年度也相同（/projects/{id}）。确认要另建一个，请勾选“仍然创建”。",
                    d.title
                ),
                format!(
                    "A project with this title, lead unit and batch year exists: #{id} “{}” (/projects/{id}). To create another one, tick “Create anyway”.",
                    d.title
                ),
            ),
        ))),
    }
}

async fn check_project(tx: &mut Tx, d: &ProjectData) -> Result<()> {
    let mut e = FieldErrors::new();
    if !exists(tx, "organization", d.lead_unit_id).await? {
        e.add(
            "lead_unit_id",
            Msg::new(
                format!("牵头单位（编号 {}）不存在", d.lead_unit_id),
                format!("No organisation with id {}", d.lead_unit_id),
            ),
        );
    }
    let gone = missing(tx, "organization", &d.co_unit_ids).await?;
    if !gone.is_empty() {
        let list = gone.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        e.add(
            "co_unit_ids",
            Msg::new(
                format!("配合单位不存在（编号 {list}）"),
                format!("No organisation with id {list}"),
            ),
        );
    }
    if let Some(p) = d.responsible_person_id
        && !exists(tx, "person", p).await?
    {
        e.add(
            "responsible_person_id",
            Msg::new(format!("责任人（编号 {p}）不存在"), format!("No person with id {p}")),
        );
    }
    if let Some(b) = d.batch_id {
        let year: Option<i32> = on_tx!(tx, c => sqlx::query_scalar("select year from batch where id = $1").bind(b).fetch_optional(c).await)?;
        match year {
            None => e.add(
                "batch_id",
                Msg::new(
                    format!("年度项目清单（编号 {b}）不存在"),
                    format!("No batch with id {b}"),
                ),
            ),
            Some(y) if y != d.batch_year => e.add(
                "batch_id",
                Msg::new(
                    format!("该清单属于 {y} 年度，与项目批次年度 {} 不符", d.batch_year),
                    format!("That batch is for {y}, not {}", d.batch_year),
                ),
            ),
            _ => {}
        }
    }
    if let Some(a) = d.agreement_id
        && !exists(tx, "agreement", a).await?
    {
        e.add(
            "agreement_id",
            Msg::new(
                format!("合作协议（编号 {a}）不存在"),
                format!("No agreement with id {a}"),
            ),
        );
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(e))
    }
}

/// Refuses new project dates that would leave an existing milestone outside them.
async fn check_milestones_fit(tx: &mut Tx, id: i64, start: Option<NaiveDate>, end: Option<NaiveDate>) -> Result<()> {
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = on_tx!(tx, c => sqlx::query_as(
        "select min(due_on), max(due_on) from milestone where project_id = $1 and archived = false")
        .bind(id).fetch_one(c).await)?;
    if let (Some(end), Some(last)) = (end, last)
        && last > end
    {
        return Err(StoreError::invalid(
            "end_on",
            Msg::new(
                format!("已有节点在 {last} 到期，结束日期不能早于它"),
                format!("A milestone is due on {last}; the project cannot end before it"),
            ),
        ));
    }
    if let (Some(start), Some(first)) = (start, first)
        && first < start
    {
        return Err(StoreError::invalid(
            "start_on",
            Msg::new(
                format!("已有节点在 {first} 到期，开始日期不能晚于它"),
                format!("A milestone is due on {first}; the project cannot start after it"),
            ),
        ));
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DueRow {
    #[sqlx(flatten)]
    m: MilestoneRow,
    project_title: String,
}

impl Store {
    /// Open milestones of active projects due on or before `until`, earliest first, with project titles.
    pub async fn open_milestones_due(
        &self,
        v: &Viewer,
        until: NaiveDate,
        limit: i64,
    ) -> Result<Vec<(Milestone, String)>> {
        let mut q = Q::new(
            "select m.id, m.project_id, m.title, m.due_on, m.deliverable, m.done_on, m.evidence, m.archived, \
             m.created_at, m.updated_at, p.title as project_title \
             from milestone m join project p on p.id = m.project_id \
             where m.done_on is null and m.archived = false and p.archived = false \
             and p.status in ('approved', 'in_progress') and m.due_on <= ",
        );
        q.bind(Arg::Date(until));
        restrict(&mut q, v, RecordKind::Project, "p");
        q.push(" order by m.due_on, m.id limit ").bind(Arg::I64(limit));
        let rows: Vec<DueRow> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|r| (r.m.into(), r.project_title)).collect())
    }
}

/// Milestones read by a query built elsewhere (flags load those of a page of projects at once).
pub(crate) async fn milestones_by_query(store: &Store, q: &Q) -> Result<Vec<Milestone>> {
    let rows: Vec<MilestoneRow> = on_db!(&store.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Projects read by a query built elsewhere (`from project p where …`, selecting `p`'s columns),
/// without their co-units: the flag refresh (`project_flags`) loads the projects it flags.
pub(crate) async fn projects_by_query(store: &Store, q: &Q) -> Result<Vec<Project>> {
    let cols = COLS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("select {cols} {}", q.sql);
    let rows: Vec<Row> =
        on_db!(&store.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), q.args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|r| r.into_record(Vec::new())).collect())
}

/// The project list's filters by the statistics' groups, on `project` (so that a figure's link
/// lists exactly the projects it counts): `county` (the lead unit's division; a city's code takes
/// in its counties), `college` (a unit whose nearest college or university is that organisation)
/// and `industry` (a unit in that GB/T 4754 section).
fn project_group_filters(q: &mut Q, f: &hezuo_domain::project::ProjectFilter) -> Result<()> {
    use hezuo_domain::input::opt_text;
    if let Some(c) = opt_text(&f.county) {
        q.push(" and project.lead_unit_id in (select co.id from organization co where co.region_code like ")
            .bind(Arg::Text(crate::records::county_pattern(c)?))
            .push(")");
    }
    let units = |q: &mut Q, set: &dyn Fn(&mut Q)| {
        q.push(" and (project.lead_unit_id in ");
        set(q);
        q.push(" or project.id in (select pcu.project_id from project_co_unit pcu where pcu.organization_id in ");
        set(q);
        q.push("))");
    };
    if let Some(c) = opt_text(&f.college) {
        let id = hezuo_domain::input::parse_id(c).map_err(|m| StoreError::invalid("college", m))?;
        // The college's subtree, stopping at the colleges (universities) below it.
        let set = move |q: &mut Q| {
            q.push("(with recursive sub(id) as (select ");
            q.bind(Arg::I64(id));
            q.push(
                " union all select o.id from organization o join sub on o.parent_id = sub.id \
                 where o.kind not in ('college', 'university')) select id from sub)",
            );
        };
        units(q, &set);
    }
    if let Some(s) = opt_text(&f.industry) {
        let s = s.trim().to_ascii_uppercase();
        if s.len() != 1 || !s.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(StoreError::invalid(
                "industry",
                Msg::new(
                    format!("行业门类“{s}”无效：应为 GB/T 4754 门类字母，如 C"),
                    format!("“{s}” is not a GB/T 4754 section letter (e.g. C)"),
                ),
            ));
        }
        let set = move |q: &mut Q| {
            q.push("(select io.id from organization io where upper(substr(io.industry_code, 1, 1)) = ");
            q.bind(Arg::Text(s.clone()));
            q.push(")");
        };
        units(q, &set);
    }
    Ok(())
}
