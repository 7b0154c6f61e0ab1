//! The outcomes ledger (成果台账): entries with their parties and people, their links to what they
//! came from (each checked to exist and be visible to the writer), the office's confirm/return
//! step, and the totals per kind with confirmed and unconfirmed figures apart.

use crate::access::{Viewer, audit, authorize, check, in_own_scope, must_see, restrict, snapshot, unknown, visible};
use crate::notifications::{Note, To, notify_in};
use crate::records::{Link, archived_clause, expect_version, id_filter, links_in, missing, write_links};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::{Action, Role};
use hezuo_domain::notification::NotificationKind;
use hezuo_domain::outcome::{
    ContractKind, GrantorLevel, Outcome, OutcomeData, OutcomeFilter, OutcomeInput, OutcomeKind, OutcomeStatus,
    OutcomeTotal, PatentStatus,
};
use hezuo_domain::research_result::TransferMode;
use hezuo_domain::{ListParams, Msg, Page, RecordKind, input};
use std::collections::HashMap;

const OUTCOME_PARTY: Link = ("outcome_party", "outcome_id", "organization_id");
const OUTCOME_PERSON: Link = ("outcome_person", "outcome_id", "person_id");

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    title: String,
    occurred_on: NaiveDate,
    organization_id: i64,
    amount_fen: Option<i64>,
    received_fen: Option<i64>,
    quantity: Option<i64>,
    programme: Option<String>,
    grantor_level: Option<String>,
    contract_kind: Option<String>,
    registration_no: Option<String>,
    market_registered: Option<bool>,
    patent_no: Option<String>,
    patent_status: Option<String>,
    transfer_mode: Option<String>,
    enterprise_id: Option<i64>,
    in_city: Option<bool>,
    issuer: Option<String>,
    project_id: Option<i64>,
    demand_id: Option<i64>,
    match_id: Option<i64>,
    platform_id: Option<i64>,
    agreement_id: Option<i64>,
    result_id: Option<i64>,
    report_id: Option<i64>,
    status: String,
    reason: Option<String>,
    confirmed_by: Option<String>,
    confirmed_on: Option<NaiveDate>,
    note: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "outcome.id, outcome.kind, outcome.title, outcome.occurred_on, outcome.organization_id, \
    outcome.amount_fen, outcome.received_fen, outcome.quantity, outcome.programme, outcome.grantor_level, \
    outcome.contract_kind, outcome.registration_no, outcome.market_registered, outcome.patent_no, \
    outcome.patent_status, outcome.transfer_mode, outcome.enterprise_id, outcome.in_city, outcome.issuer, \
    outcome.project_id, outcome.demand_id, outcome.match_id, outcome.platform_id, outcome.agreement_id, \
    outcome.result_id, outcome.report_id, outcome.status, outcome.reason, outcome.confirmed_by, \
    outcome.confirmed_on, outcome.note, outcome.archived, outcome.created_at, outcome.updated_at";

impl Row {
    fn into_record(self, party_ids: Vec<i64>, person_ids: Vec<i64>) -> Outcome {
        Outcome {
            id: self.id,
            kind: OutcomeKind::parse(&self.kind).unwrap_or(OutcomeKind::Funding),
            title: self.title,
            occurred_on: self.occurred_on,
            organization_id: self.organization_id,
            amount_fen: self.amount_fen,
            received_fen: self.received_fen,
            quantity: self.quantity,
            programme: self.programme,
            grantor_level: self.grantor_level.as_deref().and_then(GrantorLevel::parse),
            contract_kind: self.contract_kind.as_deref().and_then(ContractKind::parse),
            registration_no: self.registration_no,
            market_registered: self.market_registered,
            patent_no: self.patent_no,
            patent_status: self.patent_status.as_deref().and_then(PatentStatus::parse),
            transfer_mode: self.transfer_mode.as_deref().and_then(TransferMode::parse),
            enterprise_id: self.enterprise_id,
            in_city: self.in_city,
            issuer: self.issuer,
            project_id: self.project_id,
            demand_id: self.demand_id,
            match_id: self.match_id,
            platform_id: self.platform_id,
            agreement_id: self.agreement_id,
            result_id: self.result_id,
            report_id: self.report_id,
            party_ids,
            person_ids,
            status: OutcomeStatus::parse(&self.status).unwrap_or(OutcomeStatus::Reported),
            reason: self.reason,
            confirmed_by: self.confirmed_by,
            confirmed_on: self.confirmed_on,
            note: self.note,
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// The rows of `outcome` matching `f` that `v` may see, as `from outcome where …`.
fn filtered(v: &Viewer, f: &OutcomeFilter) -> Result<Q> {
    let mut q = Q::new("from outcome where 1 = 1");
    restrict(&mut q, v, RecordKind::Outcome, "outcome");
    archived_clause(&mut q, "outcome", &f.archived);
    if let Some(s) = input::opt_text(&f.q) {
        let pat = contains_pattern(s);
        q.push(" and (lower(outcome.title) like ")
            .bind(Arg::Text(pat.clone()))
            .push(" escape '\\' or lower(coalesce(outcome.programme, '') || ' ' || coalesce(outcome.issuer, '') || ' ' || coalesce(outcome.registration_no, '') || ' ' || coalesce(outcome.patent_no, '')) like ")
            .bind(Arg::Text(pat))
            .push(" escape '\\')");
    }
    if let Some(k) = input::opt_text(&f.kind) {
        q.push(" and outcome.kind = ").bind(Arg::Text(k.to_string()));
    }
    if let Some(s) = input::opt_text(&f.status) {
        // "unconfirmed" reads as reported or returned.
        if s == "unconfirmed" {
            q.push(" and outcome.status <> 'confirmed'");
        } else {
            q.push(" and outcome.status = ").bind(Arg::Text(s.to_string()));
        }
    }
    if input::opt_text(&f.year).is_some() {
        let y = input::year(&f.year).map_err(|m| StoreError::invalid("year", m))?;
        let from = NaiveDate::from_ymd_opt(y, 1, 1).expect("a valid year");
        let to = NaiveDate::from_ymd_opt(y, 12, 31).expect("a valid year");
        q.push(" and outcome.occurred_on >= ")
            .bind(Arg::Date(from))
            .push(" and outcome.occurred_on <= ")
            .bind(Arg::Date(to));
    }
    if let Some(d) = input::optional_date(&f.from).map_err(|m| StoreError::invalid("from", m))? {
        q.push(" and outcome.occurred_on >= ").bind(Arg::Date(d));
    }
    if let Some(d) = input::optional_date(&f.to).map_err(|m| StoreError::invalid("to", m))? {
        q.push(" and outcome.occurred_on <= ").bind(Arg::Date(d));
    }
    for (val, col) in [
        (&f.project_id, "project_id"),
        (&f.demand_id, "demand_id"),
        (&f.platform_id, "platform_id"),
        (&f.agreement_id, "agreement_id"),
        (&f.result_id, "result_id"),
        (&f.report_id, "report_id"),
    ] {
        if let Some(id) = id_filter(val, col)? {
            q.push(&format!(" and outcome.{col} = ")).bind(Arg::I64(id));
        }
    }
    if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
        let sub = |q: &mut Q| crate::access::org_subtree(q, id);
        q.push(" and (outcome.organization_id in ");
        sub(&mut q);
        q.push(" or outcome.id in (select fp.outcome_id from outcome_party fp where fp.organization_id in ");
        sub(&mut q);
        q.push("))");
    }
    if let Some(c) = input::opt_text(&f.county) {
        let pat = crate::records::county_pattern(c)?;
        q.push(" and outcome.organization_id in (select co.id from organization co where co.region_code like ")
            .bind(Arg::Text(pat))
            .push(")");
    }
    if input::opt_text(&f.in_city).is_some() {
        let b = hezuo_domain::demand::flag(&f.in_city).map_err(|m| StoreError::invalid("in_city", m))?;
        q.push(" and outcome.in_city = ").bind(Arg::Bool(b));
    }
    Ok(q)
}

impl Store {
    async fn with_links(&self, rows: Vec<Row>) -> Result<Vec<Outcome>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut parties = self.links(OUTCOME_PARTY, &ids).await?;
        let mut people = self.links(OUTCOME_PERSON, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let (a, b) = (
                    parties.remove(&r.id).unwrap_or_default(),
                    people.remove(&r.id).unwrap_or_default(),
                );
                r.into_record(a, b)
            })
            .collect())
    }

    pub async fn list_outcomes(&self, v: &Viewer, f: &OutcomeFilter, p: &ListParams) -> Result<Page<Outcome>> {
        let q = filtered(v, f)?;
        let (col, desc) = p.sort(
            &["id", "title", "occurred_on", "kind", "amount_fen", "updated_at"],
            ("occurred_on", true),
        )?;
        let order = format!(
            "outcome.{col} {d}, outcome.id {d}",
            d = if desc { "desc" } else { "asc" }
        );
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: self.with_links(rows).await?,
            ..Page::counted(total, p)
        })
    }

    /// Per kind (every kind, in order, zeros included), the entries `v` may see that match `f`:
    /// confirmed ones and the others counted and summed apart.
    pub async fn outcome_totals(&self, v: &Viewer, f: &OutcomeFilter) -> Result<Vec<OutcomeTotal>> {
        let q = filtered(v, f)?;
        let sql = format!(
            "select outcome.kind, outcome.status, count(*), cast(coalesce(sum(outcome.amount_fen), 0) as bigint), \
             cast(coalesce(sum(outcome.quantity), 0) as bigint) {} group by outcome.kind, outcome.status",
            q.sql
        );
        let rows: Vec<(String, String, i64, i64, i64)> =
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), q.args).fetch_all(p).await)?;
        let mut out: Vec<OutcomeTotal> = OutcomeKind::ALL
            .iter()
            .map(|k| OutcomeTotal {
                kind: *k,
                ..Default::default()
            })
            .collect();
        for (kind, status, n, amount, quantity) in rows {
            let Some(t) = out.iter_mut().find(|t| t.kind.as_str() == kind) else {
                continue;
            };
            if status == OutcomeStatus::Confirmed.as_str() {
                t.confirmed_count += n;
                t.confirmed_amount_fen += amount;
                t.confirmed_quantity += quantity;
            } else {
                t.unconfirmed_count += n;
                t.unconfirmed_amount_fen += amount;
                t.unconfirmed_quantity += quantity;
            }
        }
        Ok(out)
    }

    pub async fn get_outcome(&self, v: &Viewer, id: i64) -> Result<Outcome> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Outcome, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Validates `input` and records it as a new entry, awaiting the office's confirmation.
    pub async fn create_outcome(&self, v: &Viewer, input: OutcomeInput) -> Result<Outcome> {
        let d = input.validate().map_err(StoreError::Invalid)?;
        self.add_outcome(v, &d).await
    }

    /// Records a validated entry (status `reported`), its parties and people, in one transaction.
    pub async fn add_outcome(&self, v: &Viewer, d: &OutcomeData) -> Result<Outcome> {
        check(v, RecordKind::Outcome, Action::Create)?;
        let mut tx = self.begin().await?;
        let d = self.checked(&mut tx, v, d).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into outcome (kind, title, occurred_on, organization_id, amount_fen, received_fen, quantity, \
             programme, grantor_level, contract_kind, registration_no, market_registered, patent_no, patent_status, \
             transfer_mode, enterprise_id, in_city, issuer, project_id, demand_id, match_id, platform_id, agreement_id, \
             result_id, report_id, status, note, archived, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, \
             $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, 'reported', $26, \
             false, $27, $27) returning id")
            .bind(d.kind.as_str()).bind(&d.title).bind(d.occurred_on).bind(d.organization_id)
            .bind(d.amount.map(|m| m.fen())).bind(d.received.map(|m| m.fen())).bind(d.quantity)
            .bind(&d.programme).bind(d.grantor_level.map(|x| x.as_str())).bind(d.contract_kind.map(|x| x.as_str()))
            .bind(&d.registration_no).bind(d.market_registered).bind(&d.patent_no)
            .bind(d.patent_status.map(|x| x.as_str())).bind(d.transfer_mode.map(|x| x.as_str()))
            .bind(d.enterprise_id).bind(d.in_city).bind(&d.issuer).bind(d.project_id).bind(d.demand_id)
            .bind(d.match_id).bind(d.platform_id).bind(d.agreement_id).bind(d.result_id).bind(d.report_id)
            .bind(&d.note).bind(t)
            .fetch_one(c).await)?;
        write_links(&mut tx, OUTCOME_PARTY, id, &d.party_ids).await?;
        write_links(&mut tx, OUTCOME_PERSON, id, &d.person_ids).await?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Outcome,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Saves `d` over an entry. A returned entry edited by its reporter goes back to `reported`;
    /// a confirmed one is edited by the office only (and stays confirmed).
    pub async fn update_outcome(&self, v: &Viewer, id: i64, d: &OutcomeData, expected: Option<i64>) -> Result<Outcome> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Outcome, id).await?;
        expect_version(&mut tx, RecordKind::Outcome, id, expected).await?;
        authorize(&mut tx, v, RecordKind::Outcome, Some(id), Action::Update).await?;
        let before = fetch(&mut tx, id).await?;
        let d = self.checked(&mut tx, v, d).await?;
        let (status, reason) = match (before.status, v.role) {
            (OutcomeStatus::Returned, r) if r != Role::Office => (OutcomeStatus::Reported, None),
            (s, _) => (s, before.reason.clone()),
        };
        on_tx!(&mut tx, c => sqlx::query(
            "update outcome set kind = $1, title = $2, occurred_on = $3, organization_id = $4, amount_fen = $5, \
             received_fen = $6, quantity = $7, programme = $8, grantor_level = $9, contract_kind = $10, \
             registration_no = $11, market_registered = $12, patent_no = $13, patent_status = $14, transfer_mode = $15, \
             enterprise_id = $16, in_city = $17, issuer = $18, project_id = $19, demand_id = $20, match_id = $21, \
             platform_id = $22, agreement_id = $23, result_id = $24, report_id = $25, note = $26, status = $27, \
             reason = $28, updated_at = $29 where id = $30")
            .bind(d.kind.as_str()).bind(&d.title).bind(d.occurred_on).bind(d.organization_id)
            .bind(d.amount.map(|m| m.fen())).bind(d.received.map(|m| m.fen())).bind(d.quantity)
            .bind(&d.programme).bind(d.grantor_level.map(|x| x.as_str())).bind(d.contract_kind.map(|x| x.as_str()))
            .bind(&d.registration_no).bind(d.market_registered).bind(&d.patent_no)
            .bind(d.patent_status.map(|x| x.as_str())).bind(d.transfer_mode.map(|x| x.as_str()))
            .bind(d.enterprise_id).bind(d.in_city).bind(&d.issuer).bind(d.project_id).bind(d.demand_id)
            .bind(d.match_id).bind(d.platform_id).bind(d.agreement_id).bind(d.result_id).bind(d.report_id)
            .bind(&d.note).bind(status.as_str()).bind(&reason).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        write_links(&mut tx, OUTCOME_PARTY, id, &d.party_ids).await?;
        write_links(&mut tx, OUTCOME_PERSON, id, &d.person_ids).await?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Outcome,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_outcome_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Outcome> {
        crate::records::set_archived(self, v, RecordKind::Outcome, id, archived, expected).await?;
        self.get_outcome(v, id).await
    }

    /// The office confirms an entry (`Confirmed`: it then counts in statistics) or returns it
    /// (`Returned`, with a reason). With `expected`, only if the entry is still at that version.
    pub async fn set_outcome_status(
        &self,
        v: &Viewer,
        id: i64,
        to: OutcomeStatus,
        reason: Option<String>,
        expected: Option<i64>,
    ) -> Result<Outcome> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Outcome, id).await?;
        if v.role != Role::Office {
            return Err(StoreError::Forbidden(Msg::new(
                "只有协调办可以确认或退回成果",
                "Only the office confirms or returns outcomes",
            )));
        }
        let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if to == OutcomeStatus::Returned && reason.is_none() {
            return Err(StoreError::invalid(
                "reason",
                Msg::new("退回须写明原因", "Say why it is returned"),
            ));
        }
        if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
            return Err(StoreError::invalid("reason", hezuo_domain::error::too_long(2000)));
        }
        expect_version(&mut tx, RecordKind::Outcome, id, expected).await?;
        let before = fetch(&mut tx, id).await?;
        if !before.status.may_become(to) {
            return Err(StoreError::conflict(
                "status",
                Msg::new(
                    format!("成果状态不能从“{}”变为“{}”", before.status.label().zh, to.label().zh),
                    format!(
                        "An outcome cannot go from {} to {}",
                        before.status.as_str(),
                        to.as_str()
                    ),
                ),
            ));
        }
        let (by, on, reason) = match to {
            OutcomeStatus::Confirmed => (Some(v.username.clone()), Some(self.today()), None),
            _ => (None, None, reason),
        };
        on_tx!(&mut tx, c => sqlx::query(
            "update outcome set status = $1, reason = $2, confirmed_by = $3, confirmed_on = $4, updated_at = $5 where id = $6")
            .bind(to.as_str()).bind(&reason).bind(&by).bind(on).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        // The unit that reported it hears the office's decision (and why, when returned).
        let why = after
            .reason
            .as_deref()
            .map(|r| format!("理由：{r}"))
            .unwrap_or_default();
        let note = Note::new(
            NotificationKind::Review,
            format!("成果“{}”{}", after.title, to.label().zh),
            format!("您单位报送的成果“{}”已由协调办{}。{why}", after.title, to.label().zh),
            format!("/outcomes/{id}"),
        );
        notify_in(&mut tx, &[To::Organization(after.organization_id)], v.user_id, &note).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Outcome,
            id,
            "status",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The entry's links checked (each exists and is visible to `v`), the reporter within `v`'s
    /// own scope, the demand filled from the match or the project, and a transfer's `in_city`
    /// derived from the enterprise's division when not given.
    async fn checked(&self, tx: &mut Tx, v: &Viewer, d: &OutcomeData) -> Result<OutcomeData> {
        let mut d = d.clone();
        if d.occurred_on > self.today() {
            return Err(StoreError::invalid(
                "occurred_on",
                Msg::new("发生日期不能晚于今天", "The date cannot be in the future"),
            ));
        }
        if !in_own_scope(tx, v, RecordKind::Organization, d.organization_id).await? {
            return Err(StoreError::invalid(
                "organization_id",
                Msg::new(
                    "登记单位须为本单位或您负责范围内的单位",
                    "The reporting organisation must be yours or within your scope",
                ),
            ));
        }
        let links = [
            (d.project_id, "project_id", RecordKind::Project, ("项目", "project")),
            (d.demand_id, "demand_id", RecordKind::Demand, ("需求", "demand")),
            (d.match_id, "match_id", RecordKind::Match, ("匹配", "match")),
            (
                d.agreement_id,
                "agreement_id",
                RecordKind::Agreement,
                ("协议", "agreement"),
            ),
            (d.result_id, "result_id", RecordKind::ResearchResult, ("成果", "result")),
            (d.platform_id, "platform_id", RecordKind::Platform, ("平台", "platform")),
            (
                d.report_id,
                "report_id",
                RecordKind::ProgressReport,
                ("进度填报", "progress report"),
            ),
        ];
        for (id, field, kind, what) in links {
            if let Some(id) = id
                && !visible(tx, v, kind, id).await?
            {
                return Err(unknown(field, what, id));
            }
        }
        if let Some(m) = d.match_id {
            let of: i64 = on_tx!(tx, c => sqlx::query_scalar("select demand_id from demand_match where id = $1")
                .bind(m).fetch_one(c).await)?;
            match d.demand_id {
                Some(dd) if dd != of => {
                    return Err(StoreError::invalid(
                        "match_id",
                        Msg::new("该匹配不属于所选需求", "This match belongs to another demand"),
                    ));
                }
                _ => d.demand_id = Some(of),
            }
        }
        if let (Some(p), None) = (d.project_id, d.demand_id) {
            d.demand_id = on_tx!(tx, c => sqlx::query_scalar(
                "select id from demand where project_id = $1 and archived = false order by id limit 1")
                .bind(p).fetch_optional(c).await)?;
        }
        if let Some(r) = d.report_id {
            let of: i64 = on_tx!(tx, c => sqlx::query_scalar("select project_id from progress_report where id = $1")
                .bind(r).fetch_one(c).await)?;
            match d.project_id {
                Some(p) if p != of => {
                    return Err(StoreError::invalid(
                        "report_id",
                        Msg::new("该进度填报不属于所选项目", "This report belongs to another project"),
                    ));
                }
                _ => d.project_id = Some(of),
            }
        }
        let orgs: Vec<i64> = d.party_ids.iter().copied().chain(d.enterprise_id).collect();
        let gone = missing(tx, "organization", &orgs).await?;
        if let Some(g) = gone.first() {
            let field = if d.enterprise_id == Some(*g) {
                "enterprise_id"
            } else {
                "party_ids"
            };
            return Err(unknown(field, ("单位", "organisation"), *g));
        }
        let gone = missing(tx, "person", &d.person_ids).await?;
        if let Some(g) = gone.first() {
            return Err(unknown("person_ids", ("人员", "person"), *g));
        }
        d.party_ids.retain(|p| *p != d.organization_id);
        if d.kind == OutcomeKind::Transfer
            && d.in_city.is_none()
            && let Some(e) = d.enterprise_id
        {
            let city: Option<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
                "select region_code from organization where kind = 'government' and parent_id is null \
                 and archived = false and region_code is not null order by id limit 1")
                .fetch_optional(c).await)?;
            let region: Option<String> = on_tx!(tx, c => sqlx::query_scalar("select region_code from organization where id = $1")
                    .bind(e).fetch_one(c).await)?;
            d.in_city = match (city.flatten(), region) {
                (Some(c), Some(r)) if c.len() == 6 && r.len() == 6 => Some(c[..4] == r[..4]),
                _ => None,
            };
        }
        Ok(d)
    }

    /// Outcomes of one project (for its page), as `v` sees them, with the totals per kind.
    pub async fn project_outcomes(&self, v: &Viewer, project_id: i64) -> Result<(Vec<Outcome>, Vec<OutcomeTotal>)> {
        let f = OutcomeFilter {
            project_id: Some(project_id.to_string()),
            ..Default::default()
        };
        let page = self.list_outcomes(v, &f, &ListParams::first(200)).await?;
        Ok((page.items, self.outcome_totals(v, &f).await?))
    }

    /// Names of the people an outcome counts for (whatever the reader may see of their profiles).
    pub async fn people_named(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Q::new("select id, name from person where id in ");
        q.bind_list(ids);
        let rows: Vec<(i64, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Outcome> {
    let sql = format!("select {COLS} from outcome where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let parties = links_in(tx, OUTCOME_PARTY, id).await?;
    let people = links_in(tx, OUTCOME_PERSON, id).await?;
    Ok(row.into_record(parties, people))
}
