//! Demands: intake (posted, collected on a visit, imported), the staged review, the workflow
//! towards matching and projects, duplicate candidates and merging. Confidential details are
//! stripped from what is read by anyone but the office, the enterprise itself and the expert who
//! accepted a match on the demand (`access::sees_demand_details`).

use crate::access::{Viewer, audit, check, must_see, restrict, sees_demand_details, snapshot, unknown, visible};
use crate::notifications::{Note, To, notify_in};
use crate::records::{archived_clause, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page, flag};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::{Action, forbidden};
use hezuo_domain::demand::{
    CooperationMode, Demand, DemandData, DemandFilter, DemandReview, DemandSource, DemandStatus, DemandStep,
    ReviewDecision, ReviewStage, review_step, step,
};
use hezuo_domain::error::RowError;
use hezuo_domain::notification::NotificationKind;
use hezuo_domain::{ListParams, Money, Msg, Page, RecordKind, input};
use std::collections::HashSet;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    summary: String,
    details: Option<String>,
    enterprise_id: i64,
    campaign_id: Option<i64>,
    industry: Option<String>,
    field: Option<String>,
    budget_min: Option<i64>,
    budget_max: Option<i64>,
    mode: String,
    deadline: Option<NaiveDate>,
    source: String,
    collected_by: Option<String>,
    collected_on: Option<NaiveDate>,
    green_channel: bool,
    public_name: bool,
    status: String,
    reason: Option<String>,
    merged_into_id: Option<i64>,
    project_id: Option<i64>,
    submitted_on: Option<NaiveDate>,
    screened_on: Option<NaiveDate>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, title, summary, details, enterprise_id, campaign_id, industry, field, budget_min, budget_max, \
                    mode, deadline, source, collected_by, collected_on, green_channel, public_name, status, reason, merged_into_id, \
                    project_id, submitted_on, screened_on, archived, created_at, updated_at";

impl From<Row> for Demand {
    fn from(r: Row) -> Self {
        Demand {
            id: r.id,
            title: r.title,
            summary: r.summary,
            details: r.details,
            enterprise_id: r.enterprise_id,
            campaign_id: r.campaign_id,
            industry: r.industry,
            field: r.field,
            budget_min_wan: r.budget_min.map(Money),
            budget_max_wan: r.budget_max.map(Money),
            mode: CooperationMode::parse(&r.mode).unwrap_or(CooperationMode::Development),
            deadline: r.deadline,
            source: DemandSource::parse(&r.source).unwrap_or(DemandSource::Posted),
            collected_by: r.collected_by,
            collected_on: r.collected_on,
            green_channel: r.green_channel,
            public_name: r.public_name,
            status: DemandStatus::parse(&r.status).unwrap_or(DemandStatus::Draft),
            reason: r.reason,
            merged_into_id: r.merged_into_id,
            project_id: r.project_id,
            submitted_on: r.submitted_on,
            screened_on: r.screened_on,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// What `v` may read of a demand: the confidential details go only to those allowed. `accepted`:
/// the demands on which `v` (an expert) accepted a match ([`Store::accepted_demands`]).
fn shown(v: &Viewer, accepted: &HashSet<i64>, mut d: Demand) -> Demand {
    if !sees_demand_details(v, d.enterprise_id, accepted.contains(&d.id)) {
        d.details = None;
    }
    d
}

/// A review as stored: id, demand, stage, decision, comment, reviewer, when.
type ReviewRow = (i64, i64, String, String, Option<String>, String, DateTime<Utc>);

/// A near-duplicate candidate: another demand and its text, for the search crate to score.
#[derive(Debug, Clone)]
pub struct DuplicateCandidate {
    pub demand: Demand,
    pub same_enterprise: bool,
}

impl Store {
    pub async fn list_demands(&self, v: &Viewer, f: &DemandFilter, p: &ListParams) -> Result<Page<Demand>> {
        let mut q = Q::new("from demand where 1 = 1");
        restrict(&mut q, v, RecordKind::Demand, "demand");
        archived_clause(&mut q, "demand", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            let pat = contains_pattern(s);
            q.push(" and (lower(title) like ").bind(Arg::Text(pat.clone()));
            q.push(" escape '\\' or lower(summary) like ").bind(Arg::Text(pat));
            q.push(" escape '\\')");
        }
        if let Some(id) = id_filter(&f.enterprise_id, "enterprise_id")? {
            q.push(" and enterprise_id = ").bind(Arg::I64(id));
        }
        if let Some(id) = id_filter(&f.campaign_id, "campaign_id")? {
            q.push(" and campaign_id = ").bind(Arg::I64(id));
        }
        if let Some(s) = input::opt_text(&f.status) {
            q.push(" and status = ").bind(Arg::Text(s.to_string()));
        }
        if let Some(s) = input::opt_text(&f.industry) {
            q.push(" and industry like ")
                .bind(Arg::Text(format!("{}%", s.to_uppercase())));
        }
        if flag(&f.green_channel) {
            q.push(" and green_channel = true");
        }
        let (col, desc) = p.sort(&["id", "title", "status", "deadline", "updated_at"], ("id", true))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        let accepted = self.accepted_demands(v).await?;
        Ok(Page {
            items: rows.into_iter().map(|r| shown(v, &accepted, r.into())).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_demand(&self, v: &Viewer, id: i64) -> Result<Demand> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Demand, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(shown(v, &self.accepted_demands(v).await?, r))
    }

    /// A new demand, as a draft; an enterprise posts for itself, staff for an enterprise in scope.
    pub async fn create_demand(&self, v: &Viewer, d: &DemandData) -> Result<Demand> {
        check(v, RecordKind::Demand, Action::Create)?;
        // A new demand whose deadline has passed is a slip (2020 typed for 2026): refused, naming
        // the field. Existing demands keep theirs and show overdue once it passes.
        hezuo_domain::demand::new_deadline_check(d.deadline, self.today())
            .map_err(|m| StoreError::invalid("deadline", m))?;
        let mut tx = self.begin().await?;
        let id = insert(&mut tx, v, d, DemandStatus::Draft, None).await?;
        let after = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(shown(v, &HashSet::new(), after))
    }

    /// Edits a demand's text while it is a draft, returned, or waiting for screening.
    pub async fn update_demand(&self, v: &Viewer, id: i64, d: &DemandData, expected: Option<i64>) -> Result<Demand> {
        check(v, RecordKind::Demand, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Demand, id).await?;
        expect_version(&mut tx, RecordKind::Demand, id, expected).await?;
        lock_exists(&mut tx, "demand", id).await?;
        let before = fetch(&mut tx, id).await?;
        if !before.status.editable() && !v.role.may_review_demands() {
            return Err(StoreError::conflict(
                "status",
                Msg::new(
                    format!("需求已“{}”，不能再修改内容", before.status.label().zh),
                    format!(
                        "The demand is {}; its text can no longer be changed",
                        before.status.as_str()
                    ),
                ),
            ));
        }
        references(&mut tx, v, d).await?;
        // Someone who may not read the confidential details cannot overwrite them either.
        let accepted = self.accepted_demands(v).await?;
        let details = if sees_demand_details(v, before.enterprise_id, accepted.contains(&id)) {
            d.details.clone()
        } else {
            before.details.clone()
        };
        on_tx!(&mut tx, c => sqlx::query(
            "update demand set title = $1, summary = $2, details = $3, enterprise_id = $4, campaign_id = $5, industry = $6, \
             field = $7, budget_min = $8, budget_max = $9, mode = $10, deadline = $11, source = $12, collected_by = $13, \
             collected_on = $14, green_channel = $15, updated_at = $16, public_name = $18 where id = $17")
            .bind(&d.title).bind(&d.summary).bind(&details).bind(d.enterprise_id).bind(d.campaign_id).bind(&d.industry)
            .bind(&d.field).bind(d.budget_min.map(Money::fen)).bind(d.budget_max.map(Money::fen)).bind(d.mode.as_str())
            .bind(d.deadline).bind(d.source.as_str()).bind(&d.collected_by).bind(d.collected_on).bind(d.green_channel)
            .bind(now()).bind(id).bind(d.public_name)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Demand,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(shown(v, &self.accepted_demands(v).await?, after))
    }

    pub async fn set_demand_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Demand> {
        crate::records::set_archived(self, v, RecordKind::Demand, id, archived, expected).await?;
        self.get_demand(v, id).await
    }

    /// Moves a demand one step along its workflow. Submitting is for whoever may edit it; reviews,
    /// matching and projects are the office's; the enterprise may close (withdraw) its own.
    /// A return or a close carries its reason; a review also leaves its comment in the review trail.
    pub async fn demand_step(
        &self,
        v: &Viewer,
        id: i64,
        s: DemandStep,
        comment: Option<String>,
        project_id: Option<i64>,
    ) -> Result<Demand> {
        let office_only = !matches!(s, DemandStep::Submit | DemandStep::Close);
        self.apply_step(v, id, office_only, |_| Ok(s), comment, project_id)
            .await
    }

    /// Reviews a demand at the stage it waits for (screening, then assessment), read in the same
    /// transaction as the decision is written: the office's.
    pub async fn review_demand(
        &self,
        v: &Viewer,
        id: i64,
        decision: ReviewDecision,
        comment: Option<String>,
    ) -> Result<Demand> {
        let step = |from| review_step(from, decision).map_err(|m| StoreError::conflict("status", m));
        self.apply_step(v, id, true, step, comment, None).await
    }

    /// The one write of every workflow step: `step` says which, from the demand's current status.
    async fn apply_step(
        &self,
        v: &Viewer,
        id: i64,
        office_only: bool,
        step_from: impl FnOnce(DemandStatus) -> Result<DemandStep>,
        comment: Option<String>,
        project_id: Option<i64>,
    ) -> Result<Demand> {
        if office_only && !v.role.may_review_demands() || !v.role.may(RecordKind::Demand, Action::Update) {
            return Err(StoreError::Forbidden(forbidden()));
        }
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Demand, id).await?;
        lock_exists(&mut tx, "demand", id).await?;
        let before = fetch(&mut tx, id).await?;
        let s = step_from(before.status)?;
        let to = step(before.status, s).map_err(|m| StoreError::conflict("status", m))?;
        let returning = to == DemandStatus::Returned || to == DemandStatus::Closed;
        let reason = if returning {
            Some(hezuo_domain::demand::reason(&comment).map_err(|m| StoreError::invalid("comment", m))?)
        } else {
            before
                .reason
                .clone()
                .filter(|_| before.status != DemandStatus::Returned)
        };
        let today = self.today();
        let submitted_on = if s == DemandStep::Submit {
            Some(today)
        } else {
            before.submitted_on
        };
        let screened_on = match s {
            DemandStep::Review(ReviewStage::Screen, _) => Some(today),
            DemandStep::Submit => None,
            _ => before.screened_on,
        };
        let project = match s {
            DemandStep::BecomeProject => {
                let p = project_id.ok_or_else(|| {
                    StoreError::invalid("project_id", Msg::new("请选择由此需求立项的项目", "Choose the project"))
                })?;
                if !visible(&mut tx, v, RecordKind::Project, p).await? {
                    return Err(unknown("project_id", ("项目", "project"), p));
                }
                Some(p)
            }
            _ => before.project_id,
        };
        on_tx!(&mut tx, c => sqlx::query(
            "update demand set status = $1, reason = $2, submitted_on = $3, screened_on = $4, project_id = $5, updated_at = $6 \
             where id = $7")
            .bind(to.as_str()).bind(&reason).bind(submitted_on).bind(screened_on).bind(project).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        if let DemandStep::Review(stage, decision) = s {
            let comment = comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
            on_tx!(&mut tx, c => sqlx::query(
                "insert into demand_review (demand_id, stage, decision, comment, reviewer, created_at) values ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(stage.as_str()).bind(decision.as_str()).bind(comment).bind(&v.username).bind(self.moment())
                .execute(c).await.map(|r| r.rows_affected()))?;
        }
        let after = fetch(&mut tx, id).await?;
        if let DemandStep::Review(..) = s {
            // The enterprise hears the outcome of each review (passed on, accepted, returned with why).
            let mut body = format!("您的技术需求“{}”：{}。", after.title, to.label().zh);
            if let Some(r) = after.reason.as_deref().filter(|_| returning) {
                body.push_str(&format!("理由：{r}"));
            }
            let note = Note::new(
                NotificationKind::Review,
                format!("需求“{}”审核结果：{}", after.title, to.label().zh),
                body,
                format!("/demands/{id}"),
            );
            notify_in(&mut tx, &[To::Organization(after.enterprise_id)], v.user_id, &note).await?;
        }
        audit(
            &mut tx,
            v,
            RecordKind::Demand,
            id,
            "status",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(shown(v, &self.accepted_demands(v).await?, after))
    }

    /// Merges a duplicate into the demand it repeats: the duplicate is closed and points at the other.
    pub async fn merge_demand(&self, v: &Viewer, id: i64, into: i64) -> Result<Demand> {
        if !v.role.may_review_demands() {
            return Err(StoreError::Forbidden(forbidden()));
        }
        if id == into {
            return Err(StoreError::invalid(
                "into",
                Msg::new("不能把需求合并到它自己", "A demand cannot be merged into itself"),
            ));
        }
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Demand, id).await?;
        if !visible(&mut tx, v, RecordKind::Demand, into).await? {
            return Err(unknown("into", ("需求", "demand"), into));
        }
        lock_exists(&mut tx, "demand", id).await?;
        let before = fetch(&mut tx, id).await?;
        let target = fetch(&mut tx, into).await?;
        if target.merged_into_id.is_some() || target.status == DemandStatus::Closed {
            return Err(StoreError::invalid(
                "into",
                Msg::new(
                    "目标需求已关闭或已被合并",
                    "The target demand is closed or merged itself",
                ),
            ));
        }
        step(before.status, DemandStep::Close).map_err(|m| StoreError::conflict("status", m))?;
        let reason = format!("与需求 #{into}（{}）重复，已合并", target.title);
        on_tx!(&mut tx, c => sqlx::query(
            "update demand set status = 'closed', merged_into_id = $1, reason = $2, updated_at = $3 where id = $4")
            .bind(into).bind(&reason).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Demand,
            id,
            "merge",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(shown(v, &self.accepted_demands(v).await?, after))
    }

    /// The review trail of a demand, oldest first.
    pub async fn demand_reviews(&self, v: &Viewer, id: i64) -> Result<Vec<DemandReview>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Demand, id).await?;
        let rows: Vec<ReviewRow> = on_tx!(&mut tx, c => sqlx::query_as(
            "select id, demand_id, stage, decision, comment, reviewer, created_at from demand_review where demand_id = $1 order by id")
            .bind(id).fetch_all(c).await)?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, demand_id, stage, decision, comment, reviewer, created_at)| DemandReview {
                    id,
                    demand_id,
                    stage: ReviewStage::parse(&stage).unwrap_or(ReviewStage::Screen),
                    decision: ReviewDecision::parse(&decision).unwrap_or(ReviewDecision::Pass),
                    comment,
                    reviewer,
                    created_at,
                },
            )
            .collect())
    }

    /// Other open demands a reviewer should compare with this one: the same enterprise's, and the
    /// most recent others (up to `limit`) — the caller scores their text.
    pub async fn duplicate_candidates(&self, v: &Viewer, id: i64, limit: i64) -> Result<Vec<DuplicateCandidate>> {
        let me = self.get_demand(v, id).await?;
        let mut q = Q::new(&format!(
            "select {COLS} from demand where archived = false and status <> 'closed' and id <> "
        ));
        q.bind(Arg::I64(id));
        restrict(&mut q, v, RecordKind::Demand, "demand");
        q.push(" order by case when enterprise_id = ")
            .bind(Arg::I64(me.enterprise_id));
        q.push(" then 0 else 1 end, id desc limit ").bind(Arg::I64(limit));
        let rows: Vec<Row> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let accepted = self.accepted_demands(v).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let d = shown(v, &accepted, r.into());
                DuplicateCandidate {
                    same_enterprise: d.enterprise_id == me.enterprise_id,
                    demand: d,
                }
            })
            .collect())
    }

    /// The enterprises `v` may post demands for, by name (for forms).
    pub async fn enterprise_options(&self, v: &Viewer) -> Result<Vec<(i64, String)>> {
        let mut q =
            Q::new("select o.id, o.name from organization o where o.kind = 'enterprise' and o.archived = false");
        restrict(&mut q, v, RecordKind::Organization, "o");
        q.push(" order by o.name limit 3000");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }

    /// Enterprises by unified social credit code and by full name, for imports (every enterprise:
    /// whether the importer may post for it is checked when each row is written).
    pub async fn enterprise_lookup(&self) -> Result<std::collections::HashMap<String, i64>> {
        let rows: Vec<(i64, String, Option<String>)> = on_db!(&self.db, p => sqlx::query_as(
            "select id, name, credit_code from organization where kind = 'enterprise' and archived = false")
            .fetch_all(p).await)?;
        let mut m = std::collections::HashMap::new();
        for (id, name, code) in rows {
            m.insert(name, id);
            if let Some(c) = code {
                m.insert(c, id);
            }
        }
        Ok(m)
    }

    /// Imports demands (each with its spreadsheet row number) in one transaction: every row is
    /// written in turn and checked against the records (the enterprise must exist and be in scope, the campaign too); if any row fails,
    /// nothing is kept and every failing row is reported. Returns the new demands' ids.
    pub async fn import_demands(
        &self,
        v: &Viewer,
        rows: &[(usize, DemandData)],
        sheet_sha256: &str,
    ) -> std::result::Result<Vec<i64>, ImportError> {
        check(v, RecordKind::Demand, Action::Create).map_err(ImportError::Store)?;
        let mut errors: Vec<RowError> = Vec::new();
        let mut ids = Vec::new();
        let mut tx = self.begin().await.map_err(ImportError::Store)?;
        // The sheet is claimed first: the same sheet again (a retry, a second click, a colleague)
        // is refused with a pointer to the first import, even while that one is still running.
        let t = now();
        let claimed = on_tx!(&mut tx, c => sqlx::query(
            "insert into import_record (sha256, record_kind, user_id, username, ids, created_at) \
             values ($1, 'demand', $2, $3, '[]', $4) on conflict (sha256) do nothing")
            .bind(sheet_sha256).bind(v.user_id).bind(&v.username).bind(t)
            .execute(c).await.map(|r| r.rows_affected()))
        .map_err(|e| ImportError::Store(e.into()))?;
        if claimed == 0 {
            let (by, at, ids): (String, DateTime<Utc>, String) = on_tx!(&mut tx, c => sqlx::query_as(
                "select username, created_at, ids from import_record where sha256 = $1")
                .bind(sheet_sha256).fetch_one(c).await)
            .map_err(|e| ImportError::Store(e.into()))?;
            return Err(ImportError::Repeated {
                by,
                at,
                ids: serde_json::from_str(&ids).unwrap_or_default(),
            });
        }
        for (row, d) in rows {
            match insert(&mut tx, v, d, DemandStatus::Submitted, Some(self.today())).await {
                Ok(id) => ids.push(id),
                Err(StoreError::Invalid(fields)) => {
                    for (field, m) in fields.0.iter() {
                        errors.push(RowError::new(*row, field, m));
                    }
                }
                Err(other) => return Err(ImportError::Store(other)),
            }
        }
        if !errors.is_empty() {
            tx.rollback().await.map_err(ImportError::Store)?;
            errors.sort_by_key(|e| e.row);
            return Err(ImportError::Rows(errors));
        }
        let list = serde_json::to_string(&ids).unwrap_or_default();
        on_tx!(&mut tx, c => sqlx::query("update import_record set ids = $1 where sha256 = $2")
            .bind(list).bind(sheet_sha256).execute(c).await.map(|r| r.rows_affected()))
        .map_err(|e| ImportError::Store(e.into()))?;
        tx.commit().await.map_err(ImportError::Store)?;
        Ok(ids)
    }
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    Rows(Vec<RowError>),
    /// The same sheet was imported before: by whom, when, and the demands it made.
    Repeated {
        by: String,
        at: DateTime<Utc>,
        ids: Vec<i64>,
    },
    Store(StoreError),
}

/// The enterprise and the campaign a demand names must exist and be in the user's scope.
async fn references(tx: &mut Tx, v: &Viewer, d: &DemandData) -> Result<()> {
    if !visible(tx, v, RecordKind::Organization, d.enterprise_id).await? {
        return Err(unknown("enterprise_id", ("企业", "enterprise"), d.enterprise_id));
    }
    let kind: Option<String> = on_tx!(tx, c => sqlx::query_scalar("select kind from organization where id = $1")
        .bind(d.enterprise_id).fetch_optional(c).await)?;
    if kind.as_deref() != Some("enterprise") {
        return Err(StoreError::invalid(
            "enterprise_id",
            Msg::new(
                format!("单位（编号 {}）不是企业", d.enterprise_id),
                format!("Organisation {} is not an enterprise", d.enterprise_id),
            ),
        ));
    }
    if let Some(c) = d.campaign_id
        && !visible(tx, v, RecordKind::Campaign, c).await?
    {
        return Err(unknown("campaign_id", ("征集活动", "campaign"), c));
    }
    Ok(())
}

async fn insert(
    tx: &mut Tx,
    v: &Viewer,
    d: &DemandData,
    status: DemandStatus,
    submitted: Option<NaiveDate>,
) -> Result<i64> {
    references(tx, v, d).await?;
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into demand (title, summary, details, enterprise_id, campaign_id, industry, field, budget_min, budget_max, \
         mode, deadline, source, collected_by, collected_on, green_channel, status, submitted_on, public_name, archived, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $19, false, $18, $18) returning id")
        .bind(&d.title).bind(&d.summary).bind(&d.details).bind(d.enterprise_id).bind(d.campaign_id).bind(&d.industry)
        .bind(&d.field).bind(d.budget_min.map(Money::fen)).bind(d.budget_max.map(Money::fen)).bind(d.mode.as_str())
        .bind(d.deadline).bind(d.source.as_str()).bind(&d.collected_by).bind(d.collected_on).bind(d.green_channel)
        .bind(status.as_str()).bind(submitted).bind(t).bind(d.public_name)
        .fetch_one(c).await)?;
    let after = fetch(tx, id).await?;
    audit(tx, v, RecordKind::Demand, id, "create", None, Some(&snapshot(&after))).await?;
    Ok(id)
}

pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<Demand> {
    let sql = format!("select {COLS} from demand where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
