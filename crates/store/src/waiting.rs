//! What waits for someone: the short lists a role's home page opens with — matches waiting for an
//! answer, reports waiting to be accepted, problems due — each narrowed to what the viewer may see
//! (`access::restrict`), newest or most urgent first, with the total beside the first few.

use crate::access::{Viewer, restrict};
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, on_db};
use chrono::NaiveDate;
use hezuo_domain::RecordKind;

/// One thing that waits: a record, what it belongs to, its state and its date.
#[derive(Debug, Clone)]
pub struct WaitingItem {
    pub id: i64,
    pub title: String,
    /// The record it belongs to (the demand of a match, the project of a report or problem).
    pub parent_id: i64,
    pub parent_title: String,
    /// A code: the match's or problem's status, the report's period.
    pub state: String,
    pub date: Option<NaiveDate>,
}

/// The first few that wait, and how many wait in all.
#[derive(Debug, Clone, Default)]
pub struct Waiting {
    pub total: i64,
    pub items: Vec<WaitingItem>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    parent_id: i64,
    parent_title: String,
    state: String,
    date: Option<NaiveDate>,
}

impl Store {
    async fn waiting(&self, select: &str, q: Q, order: &str, limit: i64) -> Result<Waiting> {
        let count_sql = format!("select count(*) {}", q.sql);
        let rows_sql = format!("select {select} {} order by {order} limit {limit}", q.sql);
        let (total, rows): (i64, Vec<Row>) = on_db!(&self.db, p => {
            let total: i64 = bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)), q.args).fetch_one(p).await?;
            let rows: Vec<Row> = bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(rows_sql)), q.args).fetch_all(p).await?;
            (total, rows)
        });
        Ok(Waiting {
            total,
            items: rows
                .into_iter()
                .map(|r| WaitingItem {
                    id: r.id,
                    title: r.title,
                    parent_id: r.parent_id,
                    parent_title: r.parent_title,
                    state: r.state,
                    date: r.date,
                })
                .collect(),
        })
    }

    /// Matches confirmed to an expert or a result and not yet answered (suggested or contacted),
    /// oldest first: for the office, who chases them, and for the expert, who answers them.
    pub async fn matches_awaiting_answer(&self, v: &Viewer, limit: i64) -> Result<Waiting> {
        let mut q = Q::new(
            "from demand_match m join demand d on d.id = m.demand_id \
             left join person pe on pe.id = m.person_id left join research_result rr on rr.id = m.result_id \
             where m.status in ('suggested', 'contacted') and d.archived = false",
        );
        restrict(&mut q, v, RecordKind::Match, "m");
        self.waiting(
            "m.id as id, coalesce(pe.name, rr.title, '') as title, d.id as parent_id, d.title as parent_title, \
             m.status as state, cast(null as date) as date",
            q,
            "m.id",
            limit,
        )
        .await
    }

    /// The current version of each filed report not yet accepted, oldest first.
    pub async fn reports_awaiting_acceptance(&self, v: &Viewer, limit: i64) -> Result<Waiting> {
        let mut q = Q::new(
            "from progress_report r join project p on p.id = r.project_id \
             where r.accepted_at is null and p.archived = false \
             and r.version = (select max(r2.version) from progress_report r2 where r2.project_id = r.project_id and r2.period = r.period)",
        );
        restrict(&mut q, v, RecordKind::ProgressReport, "r");
        self.waiting(
            "r.id as id, r.period as title, p.id as parent_id, p.title as parent_title, r.period as state, cast(null as date) as date",
            q,
            "r.id",
            limit,
        )
        .await
    }

    /// Open problems due on or before `until` (overdue ones first); `owner` narrows to the problems
    /// an organisation must solve.
    pub async fn problems_due(&self, v: &Viewer, until: NaiveDate, owner: Option<i64>, limit: i64) -> Result<Waiting> {
        let mut q = Q::new(
            "from problem x join project p on p.id = x.project_id \
             where x.status <> 'resolved' and x.archived = false and x.due_on is not null and x.due_on <= ",
        );
        q.bind(Arg::Date(until));
        if let Some(o) = owner {
            q.push(" and x.owner_id = ").bind(Arg::I64(o));
        }
        restrict(&mut q, v, RecordKind::Problem, "x");
        self.waiting(
            "x.id as id, x.title as title, p.id as parent_id, p.title as parent_title, x.status as state, x.due_on as date",
            q,
            "x.due_on, x.id",
            limit,
        )
        .await
    }
}

impl Store {
    /// The reports `projects` still owe — periods not yet filed by their lead unit whose due day is
    /// on or before `until` — as (project id, project title, period as people say it, due day),
    /// the most overdue first. The periods and "filed" are those the flags and bulletins read
    /// (`period_reports`), so the home page and the flags never disagree.
    pub async fn reports_owed(
        &self,
        projects: &[hezuo_domain::project::Project],
        until: NaiveDate,
    ) -> Result<Vec<(i64, String, String, NaiveDate)>> {
        use hezuo_domain::project::ProjectStatus;
        let carried: Vec<_> = projects
            .iter()
            .filter(|p| matches!(p.status, ProjectStatus::Approved | ProjectStatus::InProgress))
            .cloned()
            .collect();
        let periods = self.period_reports(&carried).await?;
        let mut owed = Vec::new();
        for p in &carried {
            for r in periods.get(&p.id).into_iter().flatten() {
                if r.first_filed_on.is_none() && r.due <= until {
                    owed.push((p.id, p.title.clone(), r.name.clone(), r.due));
                }
            }
        }
        owed.sort_by_key(|o| o.3);
        Ok(owed)
    }
}
