//! Batches (年度合作项目清单), their approval, progress reports with every version kept, and the
//! flags (亮灯) of projects, computed from milestones and reports on the store's "today".

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot};
use crate::notifications::{Note, To, notify_in};
use crate::records::{archived_clause, expect_version};
use crate::sql::{Arg, Q, bind_args, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::Action;
use hezuo_domain::notification::NotificationKind;
use hezuo_domain::project::{Milestone, Project, ProjectStatus};
use hezuo_domain::supervision::{
    Batch, BatchData, BatchStatus, Cadence, FlagState, PeriodReport, ProgressReport, ReportData, flag, period_by_label,
    supervised,
};
use hezuo_domain::{FieldErrors, ListParams, Msg, Page, RecordKind};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct BatchRow {
    id: i64,
    year: i32,
    title: String,
    cadence: String,
    report_due_day: i32,
    status: String,
    approved_at: Option<DateTime<Utc>>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const BATCH_COLS: &str =
    "id, year, title, cadence, report_due_day, status, approved_at, archived, created_at, updated_at";

impl From<BatchRow> for Batch {
    fn from(r: BatchRow) -> Self {
        Batch {
            id: r.id,
            year: r.year,
            title: r.title,
            cadence: Cadence::parse(&r.cadence).unwrap_or(Cadence::Monthly),
            report_due_day: r.report_due_day,
            status: BatchStatus::parse(&r.status).unwrap_or(BatchStatus::Draft),
            approved_at: r.approved_at,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    project_id: i64,
    period: String,
    organization_id: i64,
    version: i32,
    done_text: String,
    percent: i32,
    milestone_ids: String,
    problems_text: Option<String>,
    next_steps: Option<String>,
    filed_by: String,
    late: bool,
    accepted_at: Option<DateTime<Utc>>,
    accepted_by: Option<String>,
    created_at: DateTime<Utc>,
}

const REPORT_COLS: &str = "id, project_id, period, organization_id, version, done_text, percent, milestone_ids, \
                           problems_text, next_steps, filed_by, late, accepted_at, accepted_by, created_at";

impl From<ReportRow> for ProgressReport {
    fn from(r: ReportRow) -> Self {
        ProgressReport {
            id: r.id,
            project_id: r.project_id,
            period: r.period,
            organization_id: r.organization_id,
            version: r.version,
            done_text: r.done_text,
            percent: r.percent,
            milestone_ids: r.milestone_ids.split(',').filter_map(|s| s.parse().ok()).collect(),
            problems_text: r.problems_text,
            next_steps: r.next_steps,
            filed_by: r.filed_by,
            filed_at: r.created_at,
            late: r.late,
            accepted_at: r.accepted_at,
            accepted_by: r.accepted_by,
        }
    }
}

/// The date in China of a moment.
fn china_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

impl Store {
    pub async fn list_batches(&self, v: &Viewer, p: &ListParams) -> Result<Page<Batch>> {
        let mut q = Q::new("from batch where 1 = 1");
        restrict(&mut q, v, RecordKind::Batch, "batch");
        archived_clause(&mut q, "batch", &None);
        let (total, rows) = fetch_page!(self, BatchRow, BATCH_COLS, q, "year desc, id desc", p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_batch(&self, v: &Viewer, id: i64) -> Result<Batch> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Batch, id).await?;
        let b = fetch_batch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(b)
    }

    pub async fn create_batch(&self, v: &Viewer, d: &BatchData) -> Result<Batch> {
        check(v, RecordKind::Batch, Action::Create)?;
        let mut tx = self.begin().await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into batch (year, title, cadence, report_due_day, status, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, false, $6, $6) returning id")
            .bind(d.year).bind(&d.title).bind(d.cadence.as_str()).bind(d.report_due_day).bind(BatchStatus::Draft.as_str()).bind(t)
            .fetch_one(c).await)?;
        let after = fetch_batch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Batch,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes a batch's title or cadence; its year is fixed once projects have joined.
    pub async fn update_batch(&self, v: &Viewer, id: i64, d: &BatchData, expected: Option<i64>) -> Result<Batch> {
        check(v, RecordKind::Batch, Action::Update)?;
        let mut tx = self.begin().await?;
        expect_version(&mut tx, RecordKind::Batch, id, expected).await?;
        let before = fetch_batch(&mut tx, id).await?;
        let members: i64 = on_tx!(&mut tx, c => sqlx::query_scalar("select count(*) from project where batch_id = $1").bind(id).fetch_one(c).await)?;
        if members > 0 && d.year != before.year {
            return Err(StoreError::invalid(
                "year",
                Msg::new(
                    "清单中已有项目，年度不能再改",
                    "Projects have joined this batch; its year cannot change",
                ),
            ));
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update batch set year = $1, title = $2, cadence = $3, report_due_day = $4, updated_at = $5 where id = $6")
            .bind(d.year).bind(&d.title).bind(d.cadence.as_str()).bind(d.report_due_day).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch_batch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Batch,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The work conference's decision: the batch is approved and every planned project in it becomes
    /// approved, all in one transaction, each change in the audit log.
    pub async fn approve_batch(&self, v: &Viewer, id: i64) -> Result<Batch> {
        check(v, RecordKind::Batch, Action::Update)?;
        let mut tx = self.begin().await?;
        let before = fetch_batch(&mut tx, id).await?;
        if before.status == BatchStatus::Approved {
            return Err(StoreError::Conflict(FieldErrors::one(
                "status",
                Msg::new("该清单已审定", "This batch is already approved"),
            )));
        }
        let planned: Vec<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select id from project where batch_id = $1 and status = 'planned' and archived = false order by id")
            .bind(id).fetch_all(c).await)?;
        let t = now();
        for p in &planned {
            on_tx!(&mut tx, c => sqlx::query("update project set status = 'approved', updated_at = $1 where id = $2")
                .bind(t).bind(*p).execute(c).await.map(|r| r.rows_affected()))?;
            let (b, a) = (
                serde_json::json!({ "status": "planned" }),
                serde_json::json!({ "status": "approved" }),
            );
            audit(&mut tx, v, RecordKind::Project, *p, "status", Some(&b), Some(&a)).await?;
        }
        on_tx!(&mut tx, c => sqlx::query("update batch set status = 'approved', approved_at = $1, updated_at = $1 where id = $2")
            .bind(t).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch_batch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Batch,
            id,
            "status",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Files a progress report, or amends it (a new version) until the office accepts it.
    /// The filing unit must be the project's lead unit or a co-unit (and, for a scoped user, their own).
    pub async fn file_report(&self, v: &Viewer, project_id: i64, d: &ReportData) -> Result<ProgressReport> {
        self.file_report_at(v, project_id, d, self.moment()).await
    }

    /// [`Store::file_report`] as of the moment `at` (for loading history, e.g. the demo's past year).
    pub async fn file_report_at(
        &self,
        v: &Viewer,
        project_id: i64,
        d: &ReportData,
        at: DateTime<Utc>,
    ) -> Result<ProgressReport> {
        check(v, RecordKind::ProgressReport, Action::Create)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Project, project_id).await?;
        let (batch_id, lead, status): (Option<i64>, i64, String) = on_tx!(&mut tx, c => sqlx::query_as(
            "select batch_id, lead_unit_id, status from project where id = $1").bind(project_id).fetch_one(c).await)?;
        let Some(batch_id) = batch_id else {
            return Err(StoreError::invalid(
                "period",
                Msg::new(
                    "项目尚未列入年度项目清单，无需填报",
                    "The project is in no batch yet; nothing to report",
                ),
            ));
        };
        if !matches!(
            ProjectStatus::parse(&status),
            Some(ProjectStatus::Approved | ProjectStatus::InProgress)
        ) {
            return Err(StoreError::invalid(
                "period",
                Msg::new(
                    "只有已立项或实施中的项目需要填报进度",
                    "Only approved or running projects report progress",
                ),
            ));
        }
        let batch = fetch_batch(&mut tx, batch_id).await?;
        let period =
            period_by_label(batch.year, batch.cadence, batch.report_due_day as u32, &d.period).ok_or_else(|| {
                StoreError::invalid(
                    "period",
                    Msg::new(
                        format!(
                            "“{}”不是该清单的填报期（如 {}-03 或 {}-Q1）",
                            d.period, batch.year, batch.year
                        ),
                        format!("“{}” is not a period of this batch", d.period),
                    ),
                )
            })?;
        let today = self.today();
        if china_date(at) > today {
            return Err(StoreError::invalid(
                "filed_at",
                Msg::new(
                    format!("报送日期不能晚于今天（{today}）"),
                    format!("A report cannot be filed after today ({today})"),
                ),
            ));
        }
        let today = china_date(at);
        if period.start > today {
            return Err(StoreError::invalid(
                "period",
                Msg::new("不能填报尚未开始的期次", "That period has not begun"),
            ));
        }
        let co: Vec<i64> = crate::records::links_in(&mut tx, crate::records::PROJECT_CO_UNIT, project_id).await?;
        let own = match v.scope {
            hezuo_domain::access::Scope::Org(o) => Some(o),
            _ => None,
        };
        let org = d.organization_id.or(own).unwrap_or(lead);
        if org != lead && !co.contains(&org) {
            return Err(StoreError::invalid(
                "organization_id",
                Msg::new(
                    "只有牵头单位和配合单位可以填报",
                    "Only the lead unit and co-units report",
                ),
            ));
        }
        if let Some(o) = own
            && o != org
        {
            return Err(StoreError::invalid(
                "organization_id",
                Msg::new("只能以本单位名义填报", "You report for your own organisation only"),
            ));
        }
        let previous: Option<(i32, Option<DateTime<Utc>>)> = on_tx!(&mut tx, c => sqlx::query_as(
            "select version, accepted_at from progress_report where project_id = $1 and period = $2 and organization_id = $3 \
             order by version desc limit 1")
            .bind(project_id).bind(&d.period).bind(org).fetch_optional(c).await)?;
        if let Some((_, Some(_))) = previous {
            return Err(StoreError::Conflict(FieldErrors::one(
                "period",
                Msg::new(
                    "该期进度已被协调办采纳，不能再修改",
                    "The office has accepted this report; it can no longer change",
                ),
            )));
        }
        let version = previous.map(|p| p.0 + 1).unwrap_or(1);
        // Lateness is decided by the first filing; an amendment does not make a report late.
        let first_filed: Option<DateTime<Utc>> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select min(created_at) from progress_report where project_id = $1 and period = $2 and organization_id = $3")
            .bind(project_id).bind(&d.period).bind(org).fetch_one(c).await)?;
        let late = first_filed.map(china_date).unwrap_or(today) > period.due;
        let valid: Vec<i64> = on_tx!(&mut tx, c => sqlx::query_scalar("select id from milestone where project_id = $1").bind(project_id).fetch_all(c).await)?;
        if let Some(bad) = d.milestone_ids.iter().find(|m| !valid.contains(m)) {
            return Err(StoreError::invalid(
                "milestone_ids",
                Msg::new(
                    format!("节点（编号 {bad}）不属于该项目"),
                    format!("Milestone {bad} is not this project's"),
                ),
            ));
        }
        let ids: Vec<String> = d.milestone_ids.iter().map(|i| i.to_string()).collect();
        let t = at;
        let inserted: std::result::Result<i64, sqlx::Error> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into progress_report (project_id, period, organization_id, version, done_text, percent, milestone_ids, \
             problems_text, next_steps, filed_by, late, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) returning id")
            .bind(project_id).bind(&d.period).bind(org).bind(version).bind(&d.done_text).bind(d.percent).bind(ids.join(","))
            .bind(&d.problems_text).bind(&d.next_steps).bind(&v.username).bind(late).bind(t)
            .fetch_one(c).await);
        let id = match inserted {
            // Two versions of one report filed at once (PostgreSQL, another request or server took
            // this version number first): the unique index decides, and this one is a conflict, not a 500.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict(FieldErrors::one(
                    "period",
                    Msg::new(
                        "该期进度刚有另一版本提交，请刷新后再提交",
                        "Another version of this report was filed just now; reload and file again",
                    ),
                )));
            }
            r => r?,
        };
        // Milestones the report says were reached are marked done on the day it was filed — a
        // change to the milestone, in its own audit trail (and so its version) too.
        for m in &d.milestone_ids {
            let done = on_tx!(&mut tx, c => sqlx::query("update milestone set done_on = $1, updated_at = $2 where id = $3 and done_on is null")
                .bind(today).bind(t).bind(*m).execute(c).await.map(|r| r.rows_affected()))?;
            if done > 0 {
                let (b, a) = (
                    serde_json::json!({ "done_on": null }),
                    serde_json::json!({ "done_on": today }),
                );
                audit(&mut tx, v, RecordKind::Milestone, *m, "update", Some(&b), Some(&a)).await?;
            }
        }
        let after = fetch_report(&mut tx, id).await?;
        let action = if version == 1 { "create" } else { "update" };
        audit(
            &mut tx,
            v,
            RecordKind::ProgressReport,
            id,
            action,
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The office accepts the latest version of a report; it is frozen from then on.
    pub async fn accept_report(&self, v: &Viewer, id: i64) -> Result<ProgressReport> {
        check(v, RecordKind::ProgressReport, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::ProgressReport, id).await?;
        let r = fetch_report(&mut tx, id).await?;
        let latest: i32 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select max(version) from progress_report where project_id = $1 and period = $2 and organization_id = $3")
            .bind(r.project_id).bind(&r.period).bind(r.organization_id).fetch_one(c).await)?;
        if latest != r.version || r.accepted_at.is_some() {
            return Err(StoreError::Conflict(FieldErrors::one(
                "version",
                Msg::new(
                    "只能采纳最新且尚未采纳的版本",
                    "Only the latest version, not yet accepted, can be accepted",
                ),
            )));
        }
        on_tx!(&mut tx, c => sqlx::query("update progress_report set accepted_at = $1, accepted_by = $2, updated_at = $1 where id = $3")
            .bind(now()).bind(&v.username).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch_report(&mut tx, id).await?;
        let title: String = on_tx!(&mut tx, c => sqlx::query_scalar("select title from project where id = $1")
            .bind(r.project_id).fetch_one(c).await)?;
        let note = Note::new(
            NotificationKind::Review,
            format!("进度填报已采纳：{title}（{}）", r.period),
            format!("项目“{title}”{} 的进度填报已由协调办采纳。", r.period),
            format!("/projects/{}", r.project_id),
        );
        notify_in(&mut tx, &[To::Organization(r.organization_id)], v.user_id, &note).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ProgressReport,
            id,
            "status",
            Some(&snapshot(&r)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every version of every report of a project, newest period and version first.
    pub async fn project_reports(&self, v: &Viewer, project_id: i64) -> Result<Vec<ProgressReport>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Project, project_id).await?;
        let sql = format!(
            "select {REPORT_COLS} from progress_report where project_id = $1 order by period desc, organization_id, version desc"
        );
        let rows: Vec<ReportRow> =
            on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(project_id).fetch_all(c).await)?;
        tx.commit().await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get_report(&self, v: &Viewer, id: i64) -> Result<ProgressReport> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::ProgressReport, id).await?;
        let r = fetch_report(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Reports `v` may see, newest first; `project_id` narrows to one project.
    pub async fn list_reports(
        &self,
        v: &Viewer,
        project_id: Option<i64>,
        p: &ListParams,
    ) -> Result<Page<ProgressReport>> {
        let mut q = Q::new("from progress_report where 1 = 1");
        restrict(&mut q, v, RecordKind::ProgressReport, "progress_report");
        if let Some(id) = project_id {
            q.push(" and project_id = ").bind(Arg::I64(id));
        }
        let (total, rows) = fetch_page!(self, ReportRow, REPORT_COLS, q, "id desc", p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    /// The division code of the city the platform serves: its top government organisation's
    /// (衢州市, 330800 in the demo). The board groups units by this city's counties.
    pub async fn city_region(&self) -> Result<Option<String>> {
        let code: Option<Option<String>> = on_db!(&self.db, p => sqlx::query_scalar(
            "select region_code from organization where kind = 'government' and parent_id is null \
             and archived = false and region_code is not null order by id limit 1")
            .fetch_optional(p).await)?;
        Ok(code.flatten())
    }

    /// Each project's reporting periods (those of its approved batch from its start on, in order),
    /// each with the day its lead unit first filed it — what the flags and the bulletins both read,
    /// so that "on time", "late" and "missing" mean one thing everywhere
    /// ([`hezuo_domain::supervision::Standing`]). A project in no approved batch owes no reports.
    pub(crate) async fn period_reports(&self, projects: &[Project]) -> Result<HashMap<i64, Vec<PeriodReport>>> {
        if projects.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
        let batch_ids: Vec<i64> = projects.iter().filter_map(|p| p.batch_id).collect();
        let mut bq = Q::new(&format!(
            "select {BATCH_COLS} from batch where status = 'approved' and id in "
        ));
        bq.bind_list(&batch_ids);
        let batches: Vec<BatchRow> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(bq.sql.clone())), bq.args).fetch_all(p).await)?;
        let batches: HashMap<i64, Batch> = batches.into_iter().map(|b| (b.id, b.into())).collect();
        // The first filing of each period by the lead unit decides whether the project reported on time.
        let mut rq = Q::new(
            "select r.project_id, r.period, min(r.created_at) from progress_report r join project p on p.id = r.project_id \
             where r.organization_id = p.lead_unit_id and r.project_id in ",
        );
        rq.bind_list(&ids).push(" group by r.project_id, r.period");
        let filed: Vec<(i64, String, DateTime<Utc>)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(rq.sql.clone())), rq.args).fetch_all(p).await)?;
        let filed: HashMap<(i64, String), NaiveDate> =
            filed.into_iter().map(|(p, per, t)| ((p, per), china_date(t))).collect();
        let mut out = HashMap::new();
        for p in projects {
            let reports: Vec<PeriodReport> = match p.batch_id.and_then(|b| batches.get(&b)) {
                Some(b) => {
                    let from = p.start_on.unwrap_or(NaiveDate::MIN);
                    b.periods()
                        .into_iter()
                        .filter(|per| per.end >= from)
                        .map(|per| PeriodReport {
                            name: per.name(b.cadence),
                            due: per.due,
                            first_filed_on: filed.get(&(p.id, per.label(b.cadence))).copied(),
                        })
                        .collect()
                }
                None => vec![],
            };
            out.insert(p.id, reports);
        }
        Ok(out)
    }

    /// Sets each project's flag: today's stored one where the store has it (`project_flag`, one
    /// trip for the lot), computed from its milestones and reports where not (three more trips).
    pub(crate) async fn apply_flags(&self, projects: &mut [Project]) -> Result<()> {
        let carried: Vec<i64> = projects.iter().filter(|p| supervised(p.status)).map(|p| p.id).collect();
        if carried.is_empty() {
            return self.compute_flags(projects).await;
        }
        let stored = self.stored_flags(&carried).await?;
        let mut stale = Vec::new();
        for (i, p) in projects.iter_mut().enumerate() {
            match stored.get(&p.id) {
                Some(state) => set_flag(p, Some(state.clone())),
                None if supervised(p.status) => stale.push(i),
                None => set_flag(p, None),
            }
        }
        if stale.is_empty() {
            return Ok(());
        }
        let mut rest: Vec<Project> = stale.iter().map(|&i| projects[i].clone()).collect();
        self.compute_flags(&mut rest).await?;
        for (i, p) in stale.into_iter().zip(rest) {
            projects[i] = p;
        }
        Ok(())
    }

    /// Sets a project's flag from `stored`, its flag as a refresh stored it today (`flag words`,
    /// read in the project's own statement), where there is one and it reads; computes it otherwise.
    pub(crate) async fn flag_as_stored(&self, p: &mut Project, stored: Option<&str>) -> Result<()> {
        match stored.and_then(crate::project_flags::stored_state) {
            // Stored today and emptied by any write since (the triggers): what computing gives.
            Some(state) if supervised(p.status) => {
                set_flag(p, Some(state));
                Ok(())
            }
            _ => self.compute_flags(std::slice::from_mut(p)).await,
        }
    }

    /// Computes each project's flag from its milestones and, when it is in an approved batch, its
    /// reports: the one definition (`supervision::flag`), which a refresh stores and
    /// [`Store::apply_flags`] reads back. A project not being carried out gets none.
    pub(crate) async fn compute_flags(&self, projects: &mut [Project]) -> Result<()> {
        // Only a project being carried out has a flag: the others' milestones, batches and reports
        // are not read (three trips to the database for a project by id, most of which carry none).
        let watched: Vec<Project> = projects.iter().filter(|p| supervised(p.status)).cloned().collect();
        if watched.is_empty() {
            for p in projects.iter_mut() {
                set_flag(p, None);
            }
            return Ok(());
        }
        let ids: Vec<i64> = watched.iter().map(|p| p.id).collect();
        let mut q = Q::new(&format!(
            "select {} from milestone where archived = false and project_id in ",
            crate::projects::MILESTONE_COLS
        ));
        q.bind_list(&ids);
        let milestones: Vec<Milestone> = crate::projects::milestones_by_query(self, &q).await?;
        let mut by_project: HashMap<i64, Vec<Milestone>> = HashMap::new();
        for m in milestones {
            by_project.entry(m.project_id).or_default().push(m);
        }
        let reports = self.period_reports(&watched).await?;
        let today = self.today();
        for p in projects.iter_mut() {
            let state = flag(
                today,
                p.status,
                by_project.get(&p.id).map(Vec::as_slice).unwrap_or(&[]),
                reports.get(&p.id).map(Vec::as_slice).unwrap_or(&[]),
            );
            set_flag(p, state);
        }
        Ok(())
    }
}

/// A project's flag, its reasons and their words, from a computed (or stored) state.
fn set_flag(p: &mut Project, state: Option<FlagState>) {
    p.flag = state.as_ref().map(|s| s.flag);
    p.flag_reasons = state.as_ref().map(|s| s.reasons.clone()).unwrap_or_default();
    p.flag_words = state.map(|s| s.words).unwrap_or_default();
}

async fn fetch_batch(tx: &mut Tx, id: i64) -> Result<Batch> {
    let sql = format!("select {BATCH_COLS} from batch where id = $1");
    let row: Option<BatchRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

async fn fetch_report(tx: &mut Tx, id: i64) -> Result<ProgressReport> {
    let sql = format!("select {REPORT_COLS} from progress_report where id = $1");
    let row: Option<ReportRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
