//! Secondments (挂职) both ways, their periodic reports (every version kept, lateness decided by a
//! period's first filing, as a project's), their status steps and end-of-term appraisal, their
//! flags (applied in bulk, from supervision's own rules), the counts for the annual review, and the
//! reports due that the daily reminders send to the secondee.
//!
//! Over 800 lines because the record and its reports share the scope and flag code; the reports
//! (listing, filing, lateness) are the part to move into `secondment_reports.rs` next.

use crate::access::{Viewer, audit, authorize, check, in_own_scope, must_own, must_see, restrict, snapshot, unknown};
use crate::records::{archived_clause, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hezuo_domain::access::Action;
use hezuo_domain::codes::region_group;
use hezuo_domain::flag::Flag;
use hezuo_domain::platform::CountRow;
use hezuo_domain::reminder::{DueItem, when};
use hezuo_domain::secondment::{
    AppraisalData, AppraisalGrade, Direction, Secondment, SecondmentData, SecondmentFilter, SecondmentReport,
    SecondmentReportData, SecondmentStatus, flag, period_reports,
};
use hezuo_domain::supervision::{Cadence, Standing};
use hezuo_domain::{ListParams, Msg, Page, RecordKind, input};
use std::collections::{BTreeMap, HashMap};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    person_id: i64,
    person_name: String,
    direction: String,
    from_organization_id: i64,
    to_organization_id: i64,
    post: String,
    start_on: NaiveDate,
    end_on: NaiveDate,
    status: String,
    ended_on: Option<NaiveDate>,
    cadence: String,
    report_due_day: i32,
    work_plan: Option<String>,
    appraisal_grade: Option<String>,
    appraisal_comment: Option<String>,
    appraisal_evidence_id: Option<i64>,
    appraised_on: Option<NaiveDate>,
    appraised_by: Option<String>,
    note: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "secondment.id, secondment.person_id, sp.name as person_name, secondment.direction, \
    secondment.from_organization_id, secondment.to_organization_id, secondment.post, secondment.start_on, \
    secondment.end_on, secondment.status, secondment.ended_on, secondment.cadence, secondment.report_due_day, \
    secondment.work_plan, secondment.appraisal_grade, secondment.appraisal_comment, \
    secondment.appraisal_evidence_id, secondment.appraised_on, secondment.appraised_by, secondment.note, \
    secondment.archived, secondment.created_at, secondment.updated_at";

const FROM: &str = "from secondment join person sp on sp.id = secondment.person_id where 1 = 1";

impl From<Row> for Secondment {
    fn from(r: Row) -> Self {
        Secondment {
            id: r.id,
            person_id: r.person_id,
            person_name: r.person_name,
            direction: Direction::parse(&r.direction).unwrap_or(Direction::ToLocal),
            from_organization_id: r.from_organization_id,
            to_organization_id: r.to_organization_id,
            post: r.post,
            start_on: r.start_on,
            end_on: r.end_on,
            status: SecondmentStatus::parse(&r.status).unwrap_or(SecondmentStatus::Planned),
            ended_on: r.ended_on,
            cadence: Cadence::parse(&r.cadence).unwrap_or(Cadence::Quarterly),
            report_due_day: r.report_due_day,
            work_plan: r.work_plan,
            appraisal_grade: r.appraisal_grade.as_deref().and_then(AppraisalGrade::parse),
            appraisal_comment: r.appraisal_comment,
            appraisal_evidence_id: r.appraisal_evidence_id,
            appraised_on: r.appraised_on,
            appraised_by: r.appraised_by,
            note: r.note,
            flag: None,
            flag_reasons: vec![],
            flag_words: vec![],
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    secondment_id: i64,
    period: String,
    version: i32,
    work_done: String,
    problems_text: Option<String>,
    next_steps: Option<String>,
    filed_by: String,
    late: bool,
    created_at: DateTime<Utc>,
}

const REPORT_COLS: &str =
    "id, secondment_id, period, version, work_done, problems_text, next_steps, filed_by, late, created_at";

impl From<ReportRow> for SecondmentReport {
    fn from(r: ReportRow) -> Self {
        SecondmentReport {
            id: r.id,
            secondment_id: r.secondment_id,
            period: r.period,
            version: r.version,
            work_done: r.work_done,
            problems_text: r.problems_text,
            next_steps: r.next_steps,
            filed_by: r.filed_by,
            filed_at: r.created_at,
            late: r.late,
        }
    }
}

/// The date in China of a moment.
fn china_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

/// What the counts are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountBy {
    Direction,
    /// The county of the local side (where a university secondee serves, where a cadre comes from).
    County,
    /// Each year of the term (a secondment over two years counts in both).
    Year,
    Status,
}

impl CountBy {
    pub fn parse(s: &str) -> Result<CountBy> {
        match s.trim() {
            "direction" | "" => Ok(CountBy::Direction),
            "county" => Ok(CountBy::County),
            "year" => Ok(CountBy::Year),
            "status" => Ok(CountBy::Status),
            other => Err(StoreError::invalid(
                "by",
                Msg::new(
                    format!("不能按“{other}”统计，可选：direction、county、year、status"),
                    format!("Cannot count by “{other}”: choose direction, county, year or status"),
                ),
            )),
        }
    }
}

/// The rows of `secondment` matching `f` (but its flag) that `v` may see, as `from … where …`.
fn filtered(v: &Viewer, f: &SecondmentFilter) -> Result<Q> {
    let mut q = Q::new(FROM);
    restrict(&mut q, v, RecordKind::Secondment, "secondment");
    archived_clause(&mut q, "secondment", &f.archived);
    if let Some(s) = input::opt_text(&f.q) {
        let pat = contains_pattern(s);
        q.push(" and (lower(sp.name) like ")
            .bind(Arg::Text(pat.clone()))
            .push(" escape '\\' or lower(secondment.post) like ")
            .bind(Arg::Text(pat))
            .push(" escape '\\')");
    }
    if let Some(d) = input::opt_text(&f.direction) {
        let d = Direction::parse(d).ok_or_else(|| {
            StoreError::invalid(
                "direction",
                Msg::new(
                    format!("“{d}”不是有效的挂职方向，可选：to_local、to_university"),
                    format!("“{d}” is not a direction: to_local or to_university"),
                ),
            )
        })?;
        q.push(" and secondment.direction = ")
            .bind(Arg::Text(d.as_str().into()));
    }
    if let Some(s) = input::opt_text(&f.status) {
        let s = SecondmentStatus::parse(s).ok_or_else(|| {
            StoreError::invalid(
                "status",
                Msg::new(format!("“{s}”不是有效的状态"), format!("“{s}” is not a status")),
            )
        })?;
        q.push(" and secondment.status = ").bind(Arg::Text(s.as_str().into()));
    }
    if input::opt_text(&f.year).is_some() {
        let y = input::year(&f.year).map_err(|m| StoreError::invalid("year", m))?;
        let from = NaiveDate::from_ymd_opt(y, 1, 1).expect("a valid year");
        let to = NaiveDate::from_ymd_opt(y, 12, 31).expect("a valid year");
        q.push(" and secondment.start_on <= ")
            .bind(Arg::Date(to))
            .push(" and coalesce(secondment.ended_on, secondment.end_on) >= ")
            .bind(Arg::Date(from));
    }
    if let Some(id) = id_filter(&f.person_id, "person_id")? {
        q.push(" and secondment.person_id = ").bind(Arg::I64(id));
    }
    if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
        let sub = |q: &mut Q| crate::access::org_subtree(q, id);
        q.push(" and (secondment.from_organization_id in ");
        sub(&mut q);
        q.push(" or secondment.to_organization_id in ");
        sub(&mut q);
        q.push(")");
    }
    if let Some(c) = input::opt_text(&f.county) {
        let pat = crate::records::county_pattern(c)?;
        q.push(
            " and (secondment.from_organization_id in (select co.id from organization co where co.region_code like ",
        )
        .bind(Arg::Text(pat.clone()))
        .push(") or secondment.to_organization_id in (select co.id from organization co where co.region_code like ")
        .bind(Arg::Text(pat))
        .push("))");
    }
    if let Some(fl) = input::opt_text(&f.flag) {
        if Flag::parse(fl).is_none() {
            return Err(StoreError::invalid(
                "flag",
                Msg::new(
                    format!("“{fl}”不是有效的亮灯，可选：red、yellow、green"),
                    format!("“{fl}” is not a flag: red, yellow or green"),
                ),
            ));
        }
        // Only serving secondments carry a flag; which one is decided after loading.
        q.push(" and secondment.status = 'serving'");
    }
    Ok(q)
}

impl Store {
    pub async fn list_secondments(&self, v: &Viewer, f: &SecondmentFilter, p: &ListParams) -> Result<Page<Secondment>> {
        let q = filtered(v, f)?;
        let (col, desc) = p.sort(&["id", "start_on", "end_on", "post", "updated_at"], ("start_on", true))?;
        let order = format!(
            "secondment.{col} {d}, secondment.id {d}",
            d = if desc { "desc" } else { "asc" }
        );
        if let Some(want) = input::opt_text(&f.flag).and_then(Flag::parse) {
            // The flag is computed, not stored: every serving one that matches, then this page of them.
            p.check()?;
            let sql = format!("select {COLS} {} order by {order} limit 5000", q.sql);
            let rows: Vec<Row> =
                on_db!(&self.db, c => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), q.args).fetch_all(c).await)?;
            let mut items: Vec<Secondment> = rows.into_iter().map(Into::into).collect();
            self.apply_secondment_flags(&mut items).await?;
            items.retain(|s| s.flag == Some(want));
            let total = items.len() as i64;
            let items = items
                .into_iter()
                .skip(p.offset() as usize)
                .take(p.per_page() as usize)
                .collect();
            return Ok(Page {
                items,
                ..Page::counted(total, p)
            });
        }
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        let mut items: Vec<Secondment> = rows.into_iter().map(Into::into).collect();
        self.apply_secondment_flags(&mut items).await?;
        Ok(Page {
            items,
            ..Page::counted(total, p)
        })
    }

    pub async fn get_secondment(&self, v: &Viewer, id: i64) -> Result<Secondment> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Secondment, id).await?;
        let s = fetch(&mut tx, id).await?;
        tx.commit().await?;
        let mut one = [s];
        self.apply_secondment_flags(&mut one).await?;
        let [s] = one;
        Ok(s)
    }

    /// Records a secondment (status `planned`).
    pub async fn create_secondment(&self, v: &Viewer, d: &SecondmentData) -> Result<Secondment> {
        check(v, RecordKind::Secondment, Action::Create)?;
        let mut tx = self.begin().await?;
        let direction = checked(&mut tx, v, d).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into secondment (person_id, direction, from_organization_id, to_organization_id, post, start_on, \
             end_on, status, cadence, report_due_day, work_plan, note, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, 'planned', $8, $9, $10, $11, false, $12, $12) returning id")
            .bind(d.person_id).bind(direction.as_str()).bind(d.from_organization_id).bind(d.to_organization_id)
            .bind(&d.post).bind(d.start_on).bind(d.end_on).bind(d.cadence.as_str()).bind(d.report_due_day)
            .bind(&d.work_plan).bind(&d.note).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Secondment,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        self.get_secondment(v, id).await
    }

    /// Saves `d` over a secondment (its status and appraisal stay); with `expected`, only at that version.
    pub async fn update_secondment(
        &self,
        v: &Viewer,
        id: i64,
        d: &SecondmentData,
        expected: Option<i64>,
    ) -> Result<Secondment> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::Secondment, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::Secondment, id, expected).await?;
        let before = fetch(&mut tx, id).await?;
        let direction = checked(&mut tx, v, d).await?;
        if let Some(ended) = before.ended_on
            && (ended < d.start_on)
        {
            return Err(StoreError::invalid(
                "start_on",
                Msg::new(
                    format!("挂职已于 {ended} 结束，开始日期不能晚于它"),
                    format!("It ended on {ended}; the start cannot be after that"),
                ),
            ));
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update secondment set person_id = $1, direction = $2, from_organization_id = $3, to_organization_id = $4, \
             post = $5, start_on = $6, end_on = $7, cadence = $8, report_due_day = $9, work_plan = $10, note = $11, \
             updated_at = $12 where id = $13")
            .bind(d.person_id).bind(direction.as_str()).bind(d.from_organization_id).bind(d.to_organization_id)
            .bind(&d.post).bind(d.start_on).bind(d.end_on).bind(d.cadence.as_str()).bind(d.report_due_day)
            .bind(&d.work_plan).bind(&d.note).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Secondment,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        self.get_secondment(v, id).await
    }

    pub async fn set_secondment_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Secondment> {
        crate::records::set_archived(self, v, RecordKind::Secondment, id, archived, expected).await?;
        self.get_secondment(v, id).await
    }

    /// A status step: planned → serving (from its start day on), serving → ended early (on a day
    /// before the planned end) or completed (the planned end, or the day given); never in the future.
    pub async fn set_secondment_status(
        &self,
        v: &Viewer,
        id: i64,
        to: SecondmentStatus,
        ended_on: Option<NaiveDate>,
        expected: Option<i64>,
    ) -> Result<Secondment> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::Secondment, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::Secondment, id, expected).await?;
        let before = fetch(&mut tx, id).await?;
        let today = self.today();
        if !before.status.may_become(to) {
            return Err(StoreError::conflict(
                "status",
                Msg::new(
                    format!("挂职状态不能从“{}”变为“{}”", before.status.label().zh, to.label().zh),
                    format!(
                        "A secondment cannot go from {} to {}",
                        before.status.as_str(),
                        to.as_str()
                    ),
                ),
            ));
        }
        let ended = match to {
            SecondmentStatus::Serving => {
                if before.start_on > today {
                    return Err(StoreError::invalid(
                        "status",
                        Msg::new(
                            format!("挂职开始日期（{}）未到，不能到岗", before.start_on),
                            format!("The term starts on {}; it cannot begin yet", before.start_on),
                        ),
                    ));
                }
                None
            }
            SecondmentStatus::EndedEarly => {
                let on = ended_on.unwrap_or(today);
                if on >= before.end_on {
                    return Err(StoreError::invalid(
                        "ended_on",
                        Msg::new(
                            format!("提前结束的日期应早于计划结束日期（{}）", before.end_on),
                            format!("An early end comes before the planned end ({})", before.end_on),
                        ),
                    ));
                }
                Some(on)
            }
            _ => Some(ended_on.unwrap_or(before.end_on)),
        };
        if let Some(on) = ended {
            if on > today {
                return Err(StoreError::invalid(
                    "ended_on",
                    Msg::new(
                        format!("结束日期（{on}）不能晚于今天（{today}）"),
                        format!("The end ({on}) cannot be after today ({today})"),
                    ),
                ));
            }
            if on < before.start_on {
                return Err(StoreError::invalid(
                    "ended_on",
                    Msg::new(
                        format!("结束日期不能早于开始日期（{}）", before.start_on),
                        format!("The end cannot come before the start ({})", before.start_on),
                    ),
                ));
            }
        }
        on_tx!(&mut tx, c => sqlx::query("update secondment set status = $1, ended_on = $2, updated_at = $3 where id = $4")
            .bind(to.as_str()).bind(ended).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Secondment,
            id,
            "status",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        self.get_secondment(v, id).await
    }

    /// The end-of-term appraisal: once the term is over, its grade and comment, and as evidence one
    /// of the secondment's own files. Given again, it replaces the earlier one (in the audit log).
    pub async fn appraise_secondment(
        &self,
        v: &Viewer,
        id: i64,
        d: &AppraisalData,
        expected: Option<i64>,
    ) -> Result<Secondment> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::Secondment, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::Secondment, id, expected).await?;
        let before = fetch(&mut tx, id).await?;
        if !before.status.ended() {
            return Err(StoreError::conflict(
                "grade",
                Msg::new(
                    "挂职期满或提前结束后才能进行考核",
                    "The appraisal comes once the term is over (completed or ended early)",
                ),
            ));
        }
        if let Some(a) = d.evidence_id {
            let n: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
                "select count(*) from attachment where id = $1 and record_kind = 'secondment' and record_id = $2 and archived = false")
                .bind(a).bind(id).fetch_one(c).await)?;
            if n == 0 {
                return Err(StoreError::invalid(
                    "evidence_id",
                    Msg::new(
                        format!("附件（编号 {a}）不是本条挂职记录的附件"),
                        format!("Attachment {a} is not one of this secondment's files"),
                    ),
                ));
            }
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update secondment set appraisal_grade = $1, appraisal_comment = $2, appraisal_evidence_id = $3, \
             appraised_on = $4, appraised_by = $5, updated_at = $6 where id = $7")
            .bind(d.grade.as_str()).bind(&d.comment).bind(d.evidence_id).bind(self.today()).bind(&v.username)
            .bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Secondment,
            id,
            "appraisal",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        self.get_secondment(v, id).await
    }

    /// Files a report for one period of the term, or amends it (a new version). The secondee files
    /// their own; the office and the coordinators whose scope holds it may file too.
    pub async fn file_secondment_report(
        &self,
        v: &Viewer,
        id: i64,
        d: &SecondmentReportData,
    ) -> Result<SecondmentReport> {
        self.file_secondment_report_at(v, id, d, self.moment()).await
    }

    /// [`Store::file_secondment_report`] as of the moment `at` (the demo's history).
    pub async fn file_secondment_report_at(
        &self,
        v: &Viewer,
        id: i64,
        d: &SecondmentReportData,
        at: DateTime<Utc>,
    ) -> Result<SecondmentReport> {
        check(v, RecordKind::SecondmentReport, Action::Create)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Secondment, id).await?;
        // Filings of one secondment take turns, so two first filings cannot both be version 1.
        lock_exists(&mut tx, "secondment", id).await?;
        must_own(&mut tx, v, RecordKind::Secondment, id).await?;
        let s = fetch(&mut tx, id).await?;
        if s.status == SecondmentStatus::Planned {
            return Err(StoreError::invalid(
                "period",
                Msg::new(
                    "挂职尚未到岗，无需报告",
                    "The secondee has not started yet; nothing to report",
                ),
            ));
        }
        let today = self.today();
        let filed_on = china_date(at);
        if filed_on > today {
            return Err(StoreError::invalid(
                "filed_at",
                Msg::new(
                    format!("报送日期不能晚于今天（{today}）"),
                    format!("A report cannot be filed after today ({today})"),
                ),
            ));
        }
        let period = s
            .periods()
            .into_iter()
            .find(|p| p.label(s.cadence) == d.period)
            .ok_or_else(|| {
                StoreError::invalid(
                    "period",
                    Msg::new(
                        format!("“{}”不是本次挂职期内的报告期（如 2026-Q1 或 2026-03）", d.period),
                        format!("“{}” is not a reporting period of this term", d.period),
                    ),
                )
            })?;
        if period.start > filed_on {
            return Err(StoreError::invalid(
                "period",
                Msg::new("不能报告尚未开始的期次", "That period has not begun"),
            ));
        }
        let (version, first): (Option<i32>, Option<DateTime<Utc>>) = on_tx!(&mut tx, c => sqlx::query_as(
            "select max(version), min(created_at) from secondment_report where secondment_id = $1 and period = $2")
            .bind(id).bind(&d.period).fetch_one(c).await)?;
        let version = version.unwrap_or(0) + 1;
        // Lateness is decided by the first filing; an amendment does not make a report late.
        let late = first.map(china_date).unwrap_or(filed_on) > period.due;
        let rid: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into secondment_report (secondment_id, period, version, work_done, problems_text, next_steps, \
             filed_by, late, archived, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9) \
             returning id")
            .bind(id).bind(&d.period).bind(version).bind(&d.work_done).bind(&d.problems_text).bind(&d.next_steps)
            .bind(&v.username).bind(late).bind(at)
            .fetch_one(c).await)?;
        let after = fetch_report(&mut tx, rid).await?;
        let action = if version == 1 { "create" } else { "update" };
        audit(
            &mut tx,
            v,
            RecordKind::SecondmentReport,
            rid,
            action,
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every version of every report of a secondment, newest period and version first.
    pub async fn secondment_reports(&self, v: &Viewer, id: i64) -> Result<Vec<SecondmentReport>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Secondment, id).await?;
        let sql = format!(
            "select {REPORT_COLS} from secondment_report where secondment_id = $1 order by period desc, version desc"
        );
        let rows: Vec<ReportRow> =
            on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(c).await)?;
        tx.commit().await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get_secondment_report(&self, v: &Viewer, id: i64) -> Result<SecondmentReport> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::SecondmentReport, id).await?;
        let r = fetch_report(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The first filing day of each period, per secondment.
    async fn first_filings(&self, ids: &[i64]) -> Result<HashMap<(i64, String), NaiveDate>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q =
            Q::new("select secondment_id, period, min(created_at) from secondment_report where secondment_id in ");
        q.bind_list(ids).push(" group by secondment_id, period");
        let rows: Vec<(i64, String, DateTime<Utc>)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|(s, per, t)| ((s, per), china_date(t))).collect())
    }

    /// Sets each secondment's flag from its reports in one query; only a serving one gets one.
    pub(crate) async fn apply_secondment_flags(&self, items: &mut [Secondment]) -> Result<()> {
        let ids: Vec<i64> = items
            .iter()
            .filter(|s| s.status == SecondmentStatus::Serving)
            .map(|s| s.id)
            .collect();
        let filed = self.first_filings(&ids).await?;
        let today = self.today();
        for s in items.iter_mut() {
            let reports: Vec<_> = period_reports(s, |label| filed.get(&(s.id, label.to_string())).copied())
                .into_iter()
                .map(|(_, r)| r)
                .collect();
            let state = flag(today, s.status, &reports);
            s.flag = state.as_ref().map(|x| x.flag);
            s.flag_reasons = state.as_ref().map(|x| x.reasons.clone()).unwrap_or_default();
            s.flag_words = state.map(|x| x.words).unwrap_or_default();
        }
        Ok(())
    }

    /// Each period of a secondment's term with its label, name, due day, first filing and standing today.
    pub async fn secondment_periods(&self, v: &Viewer, s: &Secondment) -> Result<Vec<PeriodStanding>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Secondment, s.id).await?;
        tx.commit().await?;
        let filed = self.first_filings(&[s.id]).await?;
        let today = self.today();
        Ok(
            period_reports(s, |label| filed.get(&(s.id, label.to_string())).copied())
                .into_iter()
                .map(|(label, r)| PeriodStanding {
                    standing: r.standing(today),
                    label,
                    name: r.name,
                    due: r.due,
                    first_filed_on: r.first_filed_on,
                })
                .collect(),
        )
    }

    /// Counts of the secondments `v` may see that match `f`, grouped `by` direction, county (of the
    /// local side, as the board groups units), year of the term, or status; every direction and
    /// status listed, zeros included, counties and years as they occur.
    pub async fn secondment_counts(&self, v: &Viewer, f: &SecondmentFilter, by: CountBy) -> Result<Vec<CountRow>> {
        let q = filtered(v, f)?;
        let sql = format!(
            "select secondment.direction, secondment.status, secondment.start_on, coalesce(secondment.ended_on, secondment.end_on), \
             fo.region_code, tor.region_code {} ",
            q.sql.replacen(
                "where 1 = 1",
                "join organization fo on fo.id = secondment.from_organization_id \
                 join organization tor on tor.id = secondment.to_organization_id where 1 = 1",
                1
            )
        );
        type CountSource = (String, String, NaiveDate, NaiveDate, Option<String>, Option<String>);
        let rows: Vec<CountSource> =
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), q.args).fetch_all(p).await)?;
        let city = self.city_region().await?;
        let mut counts: BTreeMap<String, (String, i64)> = BTreeMap::new();
        let mut add = |key: String, label: String| counts.entry(key).or_insert((label, 0)).1 += 1;
        let year = input::opt_text(&f.year).and_then(|y| y.parse::<i32>().ok());
        for (direction, status, start, last, from_region, to_region) in rows {
            match by {
                CountBy::Direction => {
                    let d = Direction::parse(&direction).unwrap_or(Direction::ToLocal);
                    add(d.as_str().into(), d.label().zh);
                }
                CountBy::Status => {
                    let s = SecondmentStatus::parse(&status).unwrap_or(SecondmentStatus::Planned);
                    add(s.as_str().into(), s.label().zh);
                }
                CountBy::County => {
                    let local = if direction == Direction::ToUniversity.as_str() {
                        from_region
                    } else {
                        to_region
                    };
                    let label = region_group(city.as_deref(), local.as_deref()).zh;
                    add(local.unwrap_or_default(), label);
                }
                CountBy::Year => {
                    for y in start.year()..=last.year() {
                        if year.is_none_or(|w| w == y) {
                            add(y.to_string(), format!("{y}年"));
                        }
                    }
                }
            }
        }
        let mut out: Vec<CountRow> = counts
            .into_iter()
            .map(|(key, (label, count))| CountRow { key, label, count })
            .collect();
        let fill = |out: &mut Vec<CountRow>, all: Vec<(&'static str, String)>| {
            let mut full: Vec<CountRow> = all
                .into_iter()
                .map(|(k, l)| CountRow {
                    key: k.into(),
                    label: l,
                    count: 0,
                })
                .collect();
            for r in full.iter_mut() {
                if let Some(x) = out.iter().find(|x| x.key == r.key) {
                    r.count = x.count;
                }
            }
            *out = full;
        };
        match by {
            CountBy::Direction => fill(
                &mut out,
                Direction::ALL.iter().map(|d| (d.as_str(), d.label().zh)).collect(),
            ),
            CountBy::Status => fill(
                &mut out,
                SecondmentStatus::ALL
                    .iter()
                    .map(|d| (d.as_str(), d.label().zh))
                    .collect(),
            ),
            CountBy::County => out.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key))),
            CountBy::Year => {}
        }
        Ok(out)
    }

    /// Reports due around `today` from serving secondees who have not filed them, each with the
    /// secondee it goes to — what the daily reminders add to a person's message.
    pub(crate) async fn secondment_reminders_due(
        &self,
        today: NaiveDate,
        days_before: &[i64],
    ) -> Result<Vec<(i64, DueItem)>> {
        let sql = format!(
            "select {COLS} {FROM} and secondment.archived = false and secondment.status = 'serving' order by secondment.id"
        );
        let rows: Vec<Row> = on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        let items: Vec<Secondment> = rows.into_iter().map(Into::into).collect();
        let ids: Vec<i64> = items.iter().map(|s| s.id).collect();
        let filed = self.first_filings(&ids).await?;
        let names = self
            .organization_names(&items.iter().map(|s| s.to_organization_id).collect::<Vec<_>>())
            .await?;
        let mut out = Vec::new();
        for s in &items {
            for (_, r) in period_reports(s, |l| filed.get(&(s.id, l.to_string())).copied()) {
                if r.first_filed_on.is_some() {
                    continue;
                }
                let Some(w) = when(today, r.due, days_before) else {
                    continue;
                };
                out.push((
                    s.person_id,
                    DueItem {
                        of: "挂职",
                        what: format!("{}挂职工作报告", r.name),
                        project: format!(
                            "{}{}",
                            names.get(&s.to_organization_id).cloned().unwrap_or_default(),
                            s.post
                        ),
                        due: r.due,
                        when: w,
                    },
                ));
            }
        }
        Ok(out)
    }
}

/// One period of a term as the record page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeriodStanding {
    pub label: String,
    pub name: String,
    pub due: NaiveDate,
    pub first_filed_on: Option<NaiveDate>,
    #[serde(skip)]
    pub standing: Standing,
}

/// The links of a secondment checked — the person and both organisations exist, one of the
/// organisations lies in the writer's own scope — and its direction, given or derived: a
/// secondee who comes from a university's organisation goes to the city.
async fn checked(tx: &mut Tx, v: &Viewer, d: &SecondmentData) -> Result<Direction> {
    if !crate::records::exists(tx, "person", d.person_id).await? {
        return Err(unknown("person_id", ("人员", "person"), d.person_id));
    }
    for (field, id) in [
        ("from_organization_id", d.from_organization_id),
        ("to_organization_id", d.to_organization_id),
    ] {
        if !crate::records::exists(tx, "organization", id).await? {
            return Err(unknown(field, ("单位", "organisation"), id));
        }
    }
    if !in_own_scope(tx, v, RecordKind::Organization, d.from_organization_id).await?
        && !in_own_scope(tx, v, RecordKind::Organization, d.to_organization_id).await?
    {
        return Err(StoreError::invalid(
            "to_organization_id",
            Msg::new(
                "派出单位或挂职单位须有一个在您负责范围内",
                "The sending or the host organisation must be within your scope",
            ),
        ));
    }
    if let Some(dir) = d.direction {
        return Ok(dir);
    }
    let up = crate::records::ancestors(tx, "organization", d.from_organization_id).await?;
    let root = *up.last().unwrap_or(&d.from_organization_id);
    let kind: String = on_tx!(tx, c => sqlx::query_scalar("select kind from organization where id = $1")
        .bind(root).fetch_one(c).await)?;
    Ok(if kind == "university" {
        Direction::ToLocal
    } else {
        Direction::ToUniversity
    })
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Secondment> {
    let sql = format!("select {COLS} {FROM} and secondment.id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

async fn fetch_report(tx: &mut Tx, id: i64) -> Result<SecondmentReport> {
    let sql = format!("select {REPORT_COLS} from secondment_report where id = $1");
    let row: Option<ReportRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
