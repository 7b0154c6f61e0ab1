//! Matches: confirming a suggested expert or result for a demand, their status (suggested →
//! contacted → accepted / declined with a reason), and what the ranking's priors read: each
//! expert's place, load, availability and earlier outcomes.

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, unknown};
use crate::notifications::{Note, To, notify_in};
use crate::records::{exists, lock_exists};
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Utc};
use hezuo_domain::access::{Action, Role, forbidden};
use hezuo_domain::demand::{DemandStatus, DemandStep, step};
use hezuo_domain::matching::{ExpertFacts, Match, MatchStatus, MatchTarget};
use hezuo_domain::notification::NotificationKind;
use hezuo_domain::{Msg, RecordKind};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    demand_id: i64,
    target: String,
    person_id: Option<i64>,
    result_id: Option<i64>,
    score: f64,
    reasons: String,
    note: Option<String>,
    status: String,
    reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str =
    "id, demand_id, target, person_id, result_id, score, reasons, note, status, reason, created_at, updated_at";

impl From<Row> for Match {
    fn from(r: Row) -> Self {
        Match {
            id: r.id,
            demand_id: r.demand_id,
            target: MatchTarget::parse(&r.target).unwrap_or(MatchTarget::Expert),
            person_id: r.person_id,
            result_id: r.result_id,
            score: r.score,
            reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
            note: r.note,
            status: MatchStatus::parse(&r.status).unwrap_or(MatchStatus::Suggested),
            reason: r.reason,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// An expert's earlier outcome: the other demand's text and whether they accepted.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub person_id: i64,
    pub demand_id: i64,
    pub demand_text: String,
    pub accepted: bool,
}

impl Store {
    /// The confirmed matches of a demand (those the viewer may see), best score first.
    pub async fn demand_matches(&self, v: &Viewer, demand_id: i64) -> Result<Vec<Match>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Demand, demand_id).await?;
        tx.commit().await?;
        let mut q = Q::new(&format!("select {COLS} from demand_match m where m.demand_id = "));
        q.bind(Arg::I64(demand_id));
        restrict(&mut q, v, RecordKind::Match, "m");
        q.push(" order by m.score desc, m.id");
        let rows: Vec<Row> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get_match(&self, v: &Viewer, id: i64) -> Result<Match> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Match, id).await?;
        let m = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Confirms a suggestion (the office): the match starts as suggested; a demand still accepted
    /// moves on to matching.
    pub async fn confirm_match(
        &self,
        v: &Viewer,
        demand_id: i64,
        target: MatchTarget,
        id: i64,
        score: f64,
        reasons: &[String],
    ) -> Result<Match> {
        self.confirm_match_noted(v, demand_id, target, id, score, reasons, None)
            .await
    }

    /// [`Store::confirm_match`] with the office's note, kept beside the automatic reasons and shown
    /// to the expert and the enterprise.
    #[allow(clippy::too_many_arguments)]
    pub async fn confirm_match_noted(
        &self,
        v: &Viewer,
        demand_id: i64,
        target: MatchTarget,
        id: i64,
        score: f64,
        reasons: &[String],
        note: Option<&str>,
    ) -> Result<Match> {
        if !v.role.may_review_demands() {
            return Err(StoreError::Forbidden(forbidden()));
        }
        check(v, RecordKind::Match, Action::Create)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Demand, demand_id).await?;
        lock_exists(&mut tx, "demand", demand_id).await?;
        let (table, field, what) = match target {
            MatchTarget::Expert => ("person", "person_id", ("专家", "expert")),
            MatchTarget::Result => ("research_result", "result_id", ("成果", "result")),
        };
        if !exists(&mut tx, table, id).await? {
            return Err(unknown(field, what, id));
        }
        let dup: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select count(*) from demand_match where demand_id = $1 and {field} = $2")))
            .bind(demand_id).bind(id).fetch_one(c).await)?;
        if dup > 0 {
            return Err(StoreError::conflict(
                field,
                Msg::new("该推荐已确认过", "This suggestion is already confirmed"),
            ));
        }
        let status: String = on_tx!(&mut tx, c => sqlx::query_scalar("select status from demand where id = $1")
            .bind(demand_id).fetch_one(c).await)?;
        let status = DemandStatus::parse(&status).unwrap_or(DemandStatus::Draft);
        if !status.matchable() {
            return Err(StoreError::conflict(
                "status",
                Msg::new(
                    format!("需求处于“{}”状态，受理后才能确认匹配", status.label().zh),
                    format!("The demand is {}; accept it before confirming matches", status.as_str()),
                ),
            ));
        }
        let t = now();
        let (person, result) = match target {
            MatchTarget::Expert => (Some(id), None),
            MatchTarget::Result => (None, Some(id)),
        };
        let reasons_json = serde_json::to_string(reasons).unwrap_or_else(|_| "[]".into());
        let mid: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into demand_match (demand_id, target, person_id, result_id, score, reasons, note, status, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, 'suggested', $8, $8) returning id")
            .bind(demand_id).bind(target.as_str()).bind(person).bind(result).bind(score).bind(reasons_json).bind(note).bind(t)
            .fetch_one(c).await)?;
        if status == DemandStatus::Accepted {
            let to = step(status, DemandStep::StartMatching).map_err(|m| StoreError::conflict("status", m))?;
            on_tx!(&mut tx, c => sqlx::query("update demand set status = $1, updated_at = $2 where id = $3")
                .bind(to.as_str()).bind(t).bind(demand_id).execute(c).await.map(|r| r.rows_affected()))?;
            audit(
                &mut tx,
                v,
                RecordKind::Demand,
                demand_id,
                "status",
                Some(&serde_json::json!({"status": status.as_str()})),
                Some(&serde_json::json!({"status": to.as_str()})),
            )
            .await?;
        }
        let after = fetch(&mut tx, mid).await?;
        // The expert suggested and the enterprise hear of the new match.
        let (title, enterprise): (String, i64) = on_tx!(&mut tx, c => sqlx::query_as(
            "select title, enterprise_id from demand where id = $1").bind(demand_id).fetch_one(c).await)?;
        let mut to = vec![To::Organization(enterprise)];
        if let Some(p) = person {
            to.push(To::Person(p));
        }
        let body = match note.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => format!("协调办为技术需求“{title}”确认了一条匹配。说明：{n}"),
            None => format!("协调办为技术需求“{title}”确认了一条匹配，请查看并回复。"),
        };
        let n = Note::new(
            NotificationKind::Match,
            format!("新的匹配：{title}"),
            body,
            format!("/demands/{demand_id}"),
        );
        notify_in(&mut tx, &to, v.user_id, &n).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Match,
            mid,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a match along: the office for any step, the expert named for accepting or declining.
    /// An accepted match marks its demand matched.
    pub async fn set_match_status(
        &self,
        v: &Viewer,
        id: i64,
        to: MatchStatus,
        reason: Option<String>,
    ) -> Result<Match> {
        check(v, RecordKind::Match, Action::Update)?;
        if v.role == Role::Expert && !matches!(to, MatchStatus::Accepted | MatchStatus::Declined) {
            return Err(StoreError::Forbidden(forbidden()));
        }
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Match, id).await?;
        lock_exists(&mut tx, "demand_match", id).await?;
        let before = fetch(&mut tx, id).await?;
        if !before.status.next().contains(&to) {
            return Err(StoreError::conflict(
                "status",
                Msg::new(
                    format!("匹配状态不能从“{}”变为“{}”", before.status.label().zh, to.label().zh),
                    format!("A match cannot go from {} to {}", before.status.as_str(), to.as_str()),
                ),
            ));
        }
        let t = now();
        // The day it was accepted is the closed loop's "matched" step.
        let accepted_on = (to == MatchStatus::Accepted).then(|| self.today());
        on_tx!(&mut tx, c => sqlx::query("update demand_match set status = $1, reason = $2, updated_at = $3, accepted_on = $4 where id = $5")
            .bind(to.as_str()).bind(&reason).bind(t).bind(accepted_on).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        if to == MatchStatus::Accepted {
            demand_matched_event(&mut tx, id, before.demand_id).await?;
            let status: String = on_tx!(&mut tx, c => sqlx::query_scalar("select status from demand where id = $1")
                .bind(before.demand_id).fetch_one(c).await)?;
            let from = DemandStatus::parse(&status).unwrap_or(DemandStatus::Draft);
            if let Ok(next) = step(from, DemandStep::MarkMatched) {
                on_tx!(&mut tx, c => sqlx::query("update demand set status = $1, updated_at = $2 where id = $3")
                    .bind(next.as_str()).bind(t).bind(before.demand_id).execute(c).await.map(|r| r.rows_affected()))?;
                audit(
                    &mut tx,
                    v,
                    RecordKind::Demand,
                    before.demand_id,
                    "status",
                    Some(&serde_json::json!({"status": from.as_str()})),
                    Some(&serde_json::json!({"status": next.as_str()})),
                )
                .await?;
            }
        }
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Match,
            id,
            "status",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The demands on which the expert `v` stands for accepted a match (they read those demands'
    /// confidential details); empty for anyone who is not an expert.
    pub async fn accepted_demands(&self, v: &Viewer) -> Result<std::collections::HashSet<i64>> {
        let hezuo_domain::access::Scope::Person { person_id, .. } = v.scope else {
            return Ok(Default::default());
        };
        let ids: Vec<i64> = on_db!(&self.db, p => sqlx::query_scalar(
            "select demand_id from demand_match where person_id = $1 and status = 'accepted'")
            .bind(person_id).fetch_all(p).await)?;
        Ok(ids.into_iter().collect())
    }

    /// What the ranking's priors read about these experts (read as the system: priors are not
    /// shown as records, only their effect and reasons).
    pub async fn expert_facts(&self, people: &[i64]) -> Result<HashMap<i64, (ExpertFacts, Vec<Outcome>)>> {
        let mut out: HashMap<i64, (ExpertFacts, Vec<Outcome>)> = HashMap::new();
        if people.is_empty() {
            return Ok(out);
        }
        let mut q = Q::new(
            "select p.id, o.region_code, p.availability from person p join organization o on o.id = p.organization_id \
             where p.id in ",
        );
        q.bind_list(people);
        let rows: Vec<(i64, Option<String>, Option<String>)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        for (id, region, availability) in rows {
            out.entry(id).or_default().0 = ExpertFacts {
                region,
                unavailable: availability.as_deref() == Some("unavailable"),
                ..Default::default()
            };
        }
        let mut q = Q::new(
            "select m.person_id, m.demand_id, m.status, d.title, d.summary from demand_match m join demand d on d.id = m.demand_id \
             where m.person_id in ",
        );
        q.bind_list(people);
        let rows: Vec<(i64, i64, String, String, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        for (person_id, demand_id, status, title, summary) in rows {
            let status = MatchStatus::parse(&status).unwrap_or(MatchStatus::Suggested);
            let e = out.entry(person_id).or_default();
            if status.active() {
                e.0.load += 1;
            }
            if matches!(status, MatchStatus::Accepted | MatchStatus::Declined) {
                e.1.push(Outcome {
                    person_id,
                    demand_id,
                    demand_text: format!("{title}\n{summary}"),
                    accepted: status == MatchStatus::Accepted,
                });
            }
        }
        let mut q = Q::new(
            "select responsible_person_id, count(*) from project where archived = false and status = 'in_progress' \
             and responsible_person_id in ",
        );
        q.bind_list(people);
        q.push(" group by responsible_person_id");
        let rows: Vec<(i64, i64)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        for (id, n) in rows {
            out.entry(id).or_default().0.load += n;
        }
        Ok(out)
    }

    /// People's names, disciplines and organisations' names, by id (for suggestion lists).
    pub async fn person_labels(&self, ids: &[i64]) -> Result<HashMap<i64, (String, Option<String>, String)>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Q::new(
            "select p.id, p.name, p.discipline, o.name from person p join organization o on o.id = p.organization_id where p.id in ",
        );
        q.bind_list(ids);
        let rows: Vec<(i64, String, Option<String>, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|(id, n, d, o)| (id, (n, d, o))).collect())
    }

    /// The region of a demand's enterprise.
    pub async fn demand_region(&self, demand_id: i64) -> Result<Option<String>> {
        let r: Option<Option<String>> = on_db!(&self.db, p => sqlx::query_scalar(
            "select o.region_code from demand d join organization o on o.id = d.enterprise_id where d.id = $1")
            .bind(demand_id).fetch_optional(p).await)?;
        Ok(r.flatten())
    }
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Match> {
    let sql = format!("select {COLS} from demand_match where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

/// 需求匹配成功 (issue 18): an accepted match — the step that marks its demand matched — is told
/// to the webhooks of the demand's enterprise and those above it, once per match.
async fn demand_matched_event(tx: &mut crate::Tx, match_id: i64, demand_id: i64) -> Result<()> {
    let (title, enterprise_id, enterprise): (String, i64, String) = on_tx!(tx, c => sqlx::query_as(
        "select d.title, d.enterprise_id, o.name from demand d join organization o on o.id = d.enterprise_id where d.id = $1")
        .bind(demand_id).fetch_one(c).await)?;
    let (expert, result): (Option<String>, Option<String>) = on_tx!(tx, c => sqlx::query_as(
        "select p.name, r.title from demand_match m left join person p on p.id = m.person_id \
         left join research_result r on r.id = m.result_id where m.id = $1")
        .bind(match_id).fetch_one(c).await)?;
    let with = match (&expert, &result) {
        (Some(p), _) => format!("专家 {p}"),
        (None, Some(r)) => format!("成果“{r}”"),
        (None, None) => String::from("—"),
    };
    crate::webhooks::record_event(
        tx,
        &crate::webhooks::NewEvent {
            kind: hezuo_domain::webhook::WebhookEvent::DemandMatched,
            key: format!("demand_matched:{match_id}"),
            organization_id: Some(enterprise_id),
            record: (RecordKind::Demand, demand_id),
            title: format!("需求匹配成功：{title}"),
            body: format!("- 需求：{title}\n- 企业：{enterprise}\n- 对接：{with}"),
            path: format!("/demands/{demand_id}"),
            data: serde_json::json!({
                "demand_id": demand_id, "match_id": match_id, "title": title, "enterprise_id": enterprise_id,
                "enterprise": enterprise, "expert": expert, "result": result,
            }),
        },
    )
    .await?;
    Ok(())
}
