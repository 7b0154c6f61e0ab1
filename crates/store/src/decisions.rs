//! Decisions of meetings (议定事项): each with an owner unit, a due date and a status, flagged on every
//! read from the store's clock (filtered by flag in SQL on the due date); the owner unit may only
//! report (status, progress, the day done); turning a decision into a project or a problem writes
//! the new record through `projects::insert_project` / `problems::insert_problem` and hands the
//! decision over in the same transaction, each audited. The bulletin's 议定事项落实情况 and the
//! reminders read them.

use crate::access::{Viewer, audit, authorize, check, must_see, restrict, snapshot, unknown, visible};
use crate::events::year_range;
use crate::notifications::{Note, To, notify_in};
use crate::records::{archived_clause, exists, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_tx};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use hezuo_domain::access::{Action, Role};
use hezuo_domain::event::{Decision, DecisionData, DecisionFilter, DecisionStatus, ProgressData, done_day, transition};
use hezuo_domain::notification::NotificationKind;
use hezuo_domain::problem::{Problem, ProblemData};
use hezuo_domain::project::{DUE_SOON_DAYS, Project, ProjectData};
use hezuo_domain::{ListParams, Msg, Page, RecordKind, input};

#[derive(sqlx::FromRow)]
struct DecisionRow {
    id: i64,
    event_id: i64,
    title: String,
    owner_id: i64,
    responsible_person_id: Option<i64>,
    due_on: NaiveDate,
    status: String,
    progress: Option<String>,
    done_on: Option<NaiveDate>,
    project_id: Option<i64>,
    problem_id: Option<i64>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const DECISION_COLS: &str = "decision.id, decision.event_id, decision.title, decision.owner_id, \
    decision.responsible_person_id, decision.due_on, decision.status, decision.progress, decision.done_on, \
    decision.project_id, decision.problem_id, decision.archived, decision.created_at, decision.updated_at";

impl DecisionRow {
    fn into_record(self, today: NaiveDate) -> Decision {
        let mut d = Decision {
            id: self.id,
            event_id: self.event_id,
            title: self.title,
            owner_id: self.owner_id,
            responsible_person_id: self.responsible_person_id,
            due_on: self.due_on,
            status: DecisionStatus::parse(&self.status).unwrap_or(DecisionStatus::Open),
            progress: self.progress,
            done_on: self.done_on,
            project_id: self.project_id,
            problem_id: self.problem_id,
            flag: None,
            flag_reasons: vec![],
            flag_words: vec![],
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        d.flag_on(today);
        d
    }
}

fn decisions_filtered(v: &Viewer, f: &DecisionFilter, today: NaiveDate) -> Result<Q> {
    let mut q = Q::new("from decision where 1 = 1");
    restrict(&mut q, v, RecordKind::Decision, "decision");
    archived_clause(&mut q, "decision", &f.archived);
    if let Some(s) = input::opt_text(&f.q) {
        q.push(" and lower(decision.title || ' ' || coalesce(decision.progress, '')) like ")
            .bind(Arg::Text(contains_pattern(s)))
            .push(" escape '\\'");
    }
    if let Some(s) = input::opt_text(&f.status) {
        let st = DecisionStatus::parse(s).ok_or_else(|| {
            StoreError::invalid(
                "status",
                Msg::new(format!("状态“{s}”无效"), format!("“{s}” is not a decision status")),
            )
        })?;
        q.push(" and decision.status = ").bind(Arg::Text(st.as_str().into()));
    }
    let open = " and decision.status in ('open', 'in_progress')";
    match input::opt_text(&f.open) {
        None | Some("false" | "all") => {}
        Some("true" | "open" | "1") => {
            q.push(open);
        }
        Some(o) => {
            return Err(StoreError::invalid(
                "open",
                Msg::new(
                    format!("“{o}”无效，可填 true"),
                    format!("“{o}” is not allowed; use true"),
                ),
            ));
        }
    }
    match input::opt_text(&f.flag) {
        None => {}
        Some("red") => {
            q.push(open).push(" and decision.due_on < ").bind(Arg::Date(today));
        }
        Some("yellow") => {
            q.push(open)
                .push(" and decision.due_on >= ")
                .bind(Arg::Date(today))
                .push(" and decision.due_on <= ")
                .bind(Arg::Date(today + Duration::days(DUE_SOON_DAYS)));
        }
        Some("green") => {
            q.push(open)
                .push(" and decision.due_on > ")
                .bind(Arg::Date(today + Duration::days(DUE_SOON_DAYS)));
        }
        Some(o) => {
            return Err(StoreError::invalid(
                "flag",
                Msg::new(
                    format!("亮灯“{o}”无效，可选 red、yellow、green"),
                    format!("“{o}” is not a flag; use red, yellow or green"),
                ),
            ));
        }
    }
    for (val, col) in [
        (&f.event_id, "event_id"),
        (&f.responsible_person_id, "responsible_person_id"),
    ] {
        if let Some(id) = id_filter(val, col)? {
            q.push(&format!(" and decision.{col} = ")).bind(Arg::I64(id));
        }
    }
    if let Some(id) = id_filter(&f.owner_id, "owner_id")? {
        q.push(" and decision.owner_id in ");
        crate::access::org_subtree(&mut q, id);
    }
    if input::opt_text(&f.year).is_some() {
        let (from, to) = year_range(&f.year)?;
        q.push(" and decision.due_on >= ")
            .bind(Arg::Date(from))
            .push(" and decision.due_on <= ")
            .bind(Arg::Date(to));
    }
    Ok(q)
}

/// A decision is recorded on a meeting the writer keeps; another's is refused on the field (422).
async fn keeps_event(tx: &mut Tx, v: &Viewer, event: i64) -> Result<()> {
    match authorize(tx, v, RecordKind::Event, Some(event), Action::Update).await {
        Err(StoreError::Forbidden(_)) => Err(StoreError::invalid(
            "event_id",
            Msg::new(
                "只能为您负责范围内单位组织的会议记录议定事项",
                "Decisions are recorded on meetings organised within your scope",
            ),
        )),
        other => other,
    }
}

async fn fetch_decision(tx: &mut Tx, id: i64, today: NaiveDate) -> Result<Decision> {
    let sql = format!("select {DECISION_COLS} from decision where id = $1");
    let row: Option<DecisionRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    Ok(row.ok_or(StoreError::NotFound)?.into_record(today))
}

impl Store {
    pub async fn list_decisions(&self, v: &Viewer, f: &DecisionFilter, p: &ListParams) -> Result<Page<Decision>> {
        let today = self.today();
        let q = decisions_filtered(v, f, today)?;
        let (col, desc) = p.sort(&["id", "due_on", "title", "status", "updated_at"], ("due_on", false))?;
        let order = format!(
            "decision.{col} {d}, decision.id {d}",
            d = if desc { "desc" } else { "asc" }
        );
        let (total, rows) = fetch_page!(self, DecisionRow, DECISION_COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(|r| r.into_record(today)).collect(),
            ..Page::counted(total, p)
        })
    }

    /// Every decision matching `f` that `v` may see, page after page.
    pub async fn all_decisions(&self, v: &Viewer, f: &DecisionFilter) -> Result<Vec<Decision>> {
        let mut out = Vec::new();
        for page in 1.. {
            let p = ListParams {
                page: Some(page.to_string()),
                per_page: Some("200".into()),
                ..Default::default()
            };
            let got = self.list_decisions(v, f, &p).await?;
            let last = page >= got.pages();
            out.extend(got.items);
            if last {
                break;
            }
        }
        Ok(out)
    }

    pub async fn get_decision(&self, v: &Viewer, id: i64) -> Result<Decision> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Decision, id).await?;
        let d = fetch_decision(&mut tx, id, self.today()).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Records a decision of a meeting the writer may keep.
    pub async fn create_decision(&self, v: &Viewer, d: &DecisionData) -> Result<Decision> {
        check(v, RecordKind::Decision, Action::Create)?;
        let mut tx = self.begin().await?;
        if !visible(&mut tx, v, RecordKind::Event, d.event_id).await? {
            return Err(unknown("event_id", ("会议", "event"), d.event_id));
        }
        keeps_event(&mut tx, v, d.event_id).await?;
        lock_exists(&mut tx, "event", d.event_id).await?;
        self.check_decision(&mut tx, d).await?;
        if d.status == DecisionStatus::HandedOver {
            return Err(StoreError::invalid(
                "status",
                transition(DecisionStatus::Open, DecisionStatus::HandedOver).unwrap_err(),
            ));
        }
        let done_on = done_day(d.status, d.done_on, self.today()).map_err(|m| StoreError::invalid("done_on", m))?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into decision (event_id, title, owner_id, responsible_person_id, due_on, status, progress, done_on, \
             archived, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9) returning id")
            .bind(d.event_id).bind(&d.title).bind(d.owner_id).bind(d.responsible_person_id).bind(d.due_on)
            .bind(d.status.as_str()).bind(&d.progress).bind(done_on).bind(t)
            .fetch_one(c).await)?;
        let after = fetch_decision(&mut tx, id, self.today()).await?;
        tell_assigned(&mut tx, v, &after, None).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Decision,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn check_decision(&self, tx: &mut Tx, d: &DecisionData) -> Result<()> {
        if !exists(tx, "organization", d.owner_id).await? {
            return Err(unknown("owner_id", ("责任单位", "organisation"), d.owner_id));
        }
        if let Some(p) = d.responsible_person_id
            && !exists(tx, "person", p).await?
        {
            return Err(unknown("responsible_person_id", ("人员", "person"), p));
        }
        Ok(())
    }

    /// Saves an edit of a decision. Its owner unit changes only how it stands (status, progress,
    /// the day it was done): what was decided, by whom and by when is the meeting's.
    pub async fn update_decision(
        &self,
        v: &Viewer,
        id: i64,
        d: &DecisionData,
        expected: Option<i64>,
    ) -> Result<Decision> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Decision, id).await?;
        expect_version(&mut tx, RecordKind::Decision, id, expected).await?;
        authorize(&mut tx, v, RecordKind::Decision, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "decision", id).await?;
        let before = fetch_decision(&mut tx, id, self.today()).await?;
        let terms_changed = d.event_id != before.event_id
            || d.title != before.title
            || d.owner_id != before.owner_id
            || d.responsible_person_id != before.responsible_person_id
            || d.due_on != before.due_on;
        if terms_changed && matches!(v.role, Role::Unit | Role::Enterprise) {
            return Err(StoreError::Forbidden(Msg::new(
                "责任单位只能报告落实情况，事项内容、责任单位和时限由会议组织方修改",
                "The owner reports how the decision stands; what it says, who owns it and its due date are the organiser's",
            )));
        }
        if d.event_id != before.event_id {
            if !visible(&mut tx, v, RecordKind::Event, d.event_id).await? {
                return Err(unknown("event_id", ("会议", "event"), d.event_id));
            }
            keeps_event(&mut tx, v, d.event_id).await?;
        }
        self.check_decision(&mut tx, d).await?;
        let was = (before.owner_id, before.responsible_person_id);
        let after = self.write_decision(&mut tx, v, before, d).await?;
        tell_assigned(&mut tx, v, &after, Some(was)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The owner's report on a decision: its status along the allowed steps, what has been done,
    /// and (when done) the day.
    pub async fn report_decision_progress(
        &self,
        v: &Viewer,
        id: i64,
        p: &ProgressData,
        expected: Option<i64>,
    ) -> Result<Decision> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Decision, id).await?;
        expect_version(&mut tx, RecordKind::Decision, id, expected).await?;
        authorize(&mut tx, v, RecordKind::Decision, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "decision", id).await?;
        let before = fetch_decision(&mut tx, id, self.today()).await?;
        let terms = DecisionData {
            event_id: before.event_id,
            title: before.title.clone(),
            owner_id: before.owner_id,
            responsible_person_id: before.responsible_person_id,
            due_on: before.due_on,
            status: p.status,
            progress: Some(p.progress.clone()),
            done_on: p.done_on,
        };
        let after = self.write_decision(&mut tx, v, before, &terms).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Saves `d` over `before` — its status along the allowed steps, the day done kept or set — and audits it.
    async fn write_decision(&self, tx: &mut Tx, v: &Viewer, before: Decision, d: &DecisionData) -> Result<Decision> {
        let today = self.today();
        let status = transition(before.status, d.status).map_err(|m| StoreError::conflict("status", m))?;
        // A decision already done keeps its day unless another is given.
        let done_on = match (status, d.done_on, before.done_on) {
            (DecisionStatus::Done, None, Some(was)) => Some(was),
            _ => done_day(status, d.done_on, today).map_err(|m| StoreError::invalid("done_on", m))?,
        };
        on_tx!(tx, c => sqlx::query(
            "update decision set event_id = $1, title = $2, owner_id = $3, responsible_person_id = $4, due_on = $5, \
             status = $6, progress = $7, done_on = $8, updated_at = $9 where id = $10")
            .bind(d.event_id).bind(&d.title).bind(d.owner_id).bind(d.responsible_person_id).bind(d.due_on)
            .bind(status.as_str()).bind(&d.progress).bind(done_on).bind(now()).bind(before.id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch_decision(tx, before.id, today).await?;
        let action = if after.status != before.status {
            "status"
        } else {
            "update"
        };
        audit(
            tx,
            v,
            RecordKind::Decision,
            before.id,
            action,
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        Ok(after)
    }

    pub async fn set_decision_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Decision> {
        crate::records::set_archived(self, v, RecordKind::Decision, id, archived, expected).await?;
        self.get_decision(v, id).await
    }

    /// Locks an open decision the writer may keep, for handing it over.
    async fn decision_to_hand_over(&self, tx: &mut Tx, v: &Viewer, id: i64, expected: Option<i64>) -> Result<Decision> {
        must_see(tx, v, RecordKind::Decision, id).await?;
        expect_version(tx, RecordKind::Decision, id, expected).await?;
        authorize(tx, v, RecordKind::Decision, Some(id), Action::Update).await?;
        lock_exists(tx, "decision", id).await?;
        let d = fetch_decision(tx, id, self.today()).await?;
        if !d.status.is_open() {
            return Err(StoreError::conflict(
                "status",
                Msg::new(
                    format!("议定事项已“{}”，不能再转办", d.status.label().zh),
                    format!("The decision is {}; it cannot be handed over", d.status.as_str()),
                ),
            ));
        }
        Ok(d)
    }

    async fn hand_over(
        &self,
        tx: &mut Tx,
        v: &Viewer,
        before: Decision,
        project: Option<i64>,
        problem: Option<i64>,
        note: String,
    ) -> Result<Decision> {
        let progress = match &before.progress {
            Some(p) => format!("{p}\n{note}"),
            None => note,
        };
        on_tx!(tx, c => sqlx::query(
            "update decision set status = 'handed_over', project_id = coalesce($1, project_id), \
             problem_id = coalesce($2, problem_id), progress = $3, updated_at = $4 where id = $5")
            .bind(project).bind(problem).bind(&progress).bind(now()).bind(before.id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch_decision(tx, before.id, self.today()).await?;
        audit(
            tx,
            v,
            RecordKind::Decision,
            before.id,
            "status",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        Ok(after)
    }

    /// Turns an open decision into a project: the project is created (by the project rules) and the
    /// decision handed over to it, in one transaction — neither happens without the other.
    pub async fn decision_to_project(
        &self,
        v: &Viewer,
        id: i64,
        d: &ProjectData,
        expected: Option<i64>,
    ) -> Result<(Decision, Project)> {
        check(v, RecordKind::Project, Action::Create)?;
        let mut tx = self.begin().await?;
        let before = self.decision_to_hand_over(&mut tx, v, id, expected).await?;
        let project = crate::projects::insert_project(&mut tx, v, d).await?;
        let note = format!("{}：已转为合作项目“{}”。", self.today(), project.title);
        let after = self.hand_over(&mut tx, v, before, Some(project.id), None, note).await?;
        tx.commit().await?;
        Ok((after, project))
    }

    /// Turns an open decision into a problem on a project, for coordination, in one transaction.
    pub async fn decision_to_problem(
        &self,
        v: &Viewer,
        id: i64,
        d: &ProblemData,
        expected: Option<i64>,
    ) -> Result<(Decision, Problem)> {
        check(v, RecordKind::Problem, Action::Create)?;
        let mut tx = self.begin().await?;
        let before = self.decision_to_hand_over(&mut tx, v, id, expected).await?;
        let problem = crate::problems::insert_problem(&mut tx, v, d).await?;
        let note = format!("{}：已转为问题协调“{}”。", self.today(), problem.title);
        let after = self.hand_over(&mut tx, v, before, None, Some(problem.id), note).await?;
        tx.commit().await?;
        Ok((after, problem))
    }
    /// Each event's decisions counted by how they stand: (event id → (all, done or handed over, late)).
    pub async fn decision_counts(
        &self,
        v: &Viewer,
        event_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, (usize, usize, usize)>> {
        let mut out = std::collections::HashMap::new();
        if event_ids.is_empty() {
            return Ok(out);
        }
        let today = self.today();
        let mut q = decisions_filtered(v, &DecisionFilter::default(), today)?;
        q.push(" and decision.event_id in ").bind_list(event_ids);
        let sql = format!("select {DECISION_COLS} {}", q.sql);
        let rows: Vec<DecisionRow> = crate::on_db!(&self.db, p => crate::sql::bind_args!(
            sqlx::query_as(sqlx::AssertSqlSafe(sql)), q.args).fetch_all(p).await)?;
        for r in rows {
            let d = r.into_record(today);
            let e: &mut (usize, usize, usize) = out.entry(d.event_id).or_default();
            e.0 += 1;
            if matches!(d.status, DecisionStatus::Done | DecisionStatus::HandedOver) {
                e.1 += 1;
            }
            if d.flag == Some(hezuo_domain::flag::Flag::Red) {
                e.2 += 1;
            }
        }
        Ok(out)
    }
}

/// Tells the owner unit's accounts and the responsible person's that a decision is theirs: on
/// creation, and when an edit hands it to another unit or person (only the new ones hear of it).
async fn tell_assigned(tx: &mut Tx, v: &Viewer, d: &Decision, was: Option<(i64, Option<i64>)>) -> Result<()> {
    let mut to = Vec::new();
    if was.is_none_or(|(owner, _)| owner != d.owner_id) {
        to.push(To::Organization(d.owner_id));
    }
    if let Some(p) = d.responsible_person_id
        && was.is_none_or(|(_, person)| person != Some(p))
    {
        to.push(To::Person(p));
    }
    if to.is_empty() {
        return Ok(());
    }
    let note = Note::new(
        NotificationKind::Decision,
        format!("交办议定事项：{}", d.title),
        format!(
            "会议议定事项“{}”交由您落实，时限 {}。请按时报告落实情况。",
            d.title, d.due_on
        ),
        format!("/decisions/{}", d.id),
    );
    notify_in(tx, &to, v.user_id, &note).await?;
    Ok(())
}
