//! The university's research results (科技成果) and their owners. Published to every signed-in
//! user; kept by the office, and by coordinators and experts for results one of whose owners they reach.

use crate::access::{Viewer, audit, authorize, check, must_see, restrict, snapshot, unknown};
use crate::records::{archived_clause, exists, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page, join_list, split_list};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::research_result::{
    Maturity, ResearchResult, ResultData, ResultFilter, ResultKind, ResultStatus, TransferMode,
};
use hezuo_domain::{ListParams, Money, Msg, Page, RecordKind, input};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    kind: String,
    summary: Option<String>,
    keywords: String,
    discipline: Option<String>,
    maturity: String,
    ip_number: Option<String>,
    transfer_mode: String,
    price: Option<i64>,
    price_public: bool,
    status: String,
    transferee_id: Option<i64>,
    transferred_on: Option<NaiveDate>,
    transfer_amount: Option<i64>,
    transferred_locally: Option<bool>,
    year: Option<i32>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, title, kind, summary, keywords, discipline, maturity, ip_number, transfer_mode, price, price_public, status, \
                    transferee_id, transferred_on, transfer_amount, transferred_locally, year, archived, created_at, updated_at";

impl Row {
    fn into_result(self, owner_ids: Vec<i64>) -> ResearchResult {
        ResearchResult {
            id: self.id,
            title: self.title,
            kind: ResultKind::parse(&self.kind).unwrap_or(ResultKind::Other),
            summary: self.summary,
            keywords: split_list(&self.keywords),
            discipline: self.discipline,
            owner_ids,
            maturity: Maturity::parse(&self.maturity).unwrap_or(Maturity::Lab),
            ip_number: self.ip_number,
            transfer_mode: TransferMode::parse(&self.transfer_mode).unwrap_or(TransferMode::License),
            price_wan: self.price.map(Money),
            price_public: self.price_public,
            status: ResultStatus::parse(&self.status).unwrap_or(ResultStatus::Available),
            transferee_id: self.transferee_id,
            transferred_on: self.transferred_on,
            transfer_amount_wan: self.transfer_amount.map(Money),
            transferred_locally: self.transferred_locally,
            year: self.year,
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl Store {
    pub async fn list_results(&self, v: &Viewer, f: &ResultFilter, p: &ListParams) -> Result<Page<ResearchResult>> {
        let mut q = Q::new("from research_result where 1 = 1");
        restrict(&mut q, v, RecordKind::ResearchResult, "research_result");
        archived_clause(&mut q, "research_result", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            let pat = contains_pattern(s);
            q.push(" and (lower(title) like ").bind(Arg::Text(pat.clone()));
            q.push(" escape '\\' or lower(keywords) like ").bind(Arg::Text(pat));
            q.push(" escape '\\')");
        }
        if let Some(s) = input::opt_text(&f.kind) {
            q.push(" and kind = ").bind(Arg::Text(s.to_string()));
        }
        if let Some(s) = input::opt_text(&f.status) {
            q.push(" and status = ").bind(Arg::Text(s.to_string()));
        }
        if let Some(id) = id_filter(&f.owner_id, "owner_id")? {
            q.push(" and id in (select result_id from research_result_owner where person_id = ")
                .bind(Arg::I64(id))
                .push(")");
        }
        let (col, desc) = p.sort(&["id", "title", "year", "status", "updated_at"], ("id", true))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let owners = self.owners_of(&ids).await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(|r| {
                    let o = owners.iter().filter(|(rid, _)| *rid == r.id).map(|(_, p)| *p).collect();
                    r.into_result(o)
                })
                .collect(),
            ..Page::counted(total, p)
        })
    }

    async fn owners_of(&self, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new("select result_id, person_id from research_result_owner where result_id in ");
        q.bind_list(ids);
        q.push(" order by result_id, position");
        let rows: Vec<(i64, i64)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows)
    }

    pub async fn get_result(&self, v: &Viewer, id: i64) -> Result<ResearchResult> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::ResearchResult, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn create_result(&self, v: &Viewer, d: &ResultData) -> Result<ResearchResult> {
        check(v, RecordKind::ResearchResult, Action::Create)?;
        let mut tx = self.begin().await?;
        references(&mut tx, v, d).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into research_result (title, kind, summary, keywords, discipline, maturity, ip_number, transfer_mode, price, \
             status, transferee_id, transferred_on, transfer_amount, transferred_locally, year, price_public, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $17, false, $16, $16) returning id")
            .bind(&d.title).bind(d.kind.as_str()).bind(&d.summary).bind(join_list(&d.keywords)).bind(&d.discipline)
            .bind(d.maturity.as_str()).bind(&d.ip_number).bind(d.transfer_mode.as_str()).bind(d.price.map(Money::fen))
            .bind(d.status.as_str()).bind(d.transferee_id).bind(d.transferred_on).bind(d.transfer_amount.map(Money::fen))
            .bind(d.transferred_locally).bind(d.year).bind(t).bind(d.price_public)
            .fetch_one(c).await)?;
        set_owners(&mut tx, id, &d.owner_ids).await?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ResearchResult,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_result(
        &self,
        v: &Viewer,
        id: i64,
        d: &ResultData,
        expected: Option<i64>,
    ) -> Result<ResearchResult> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::ResearchResult, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::ResearchResult, id, expected).await?;
        lock_exists(&mut tx, "research_result", id).await?;
        let before = fetch(&mut tx, id).await?;
        references(&mut tx, v, d).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update research_result set title = $1, kind = $2, summary = $3, keywords = $4, discipline = $5, maturity = $6, \
             ip_number = $7, transfer_mode = $8, price = $9, status = $10, transferee_id = $11, transferred_on = $12, \
             transfer_amount = $13, transferred_locally = $14, year = $15, updated_at = $16, price_public = $18 where id = $17")
            .bind(&d.title).bind(d.kind.as_str()).bind(&d.summary).bind(join_list(&d.keywords)).bind(&d.discipline)
            .bind(d.maturity.as_str()).bind(&d.ip_number).bind(d.transfer_mode.as_str()).bind(d.price.map(Money::fen))
            .bind(d.status.as_str()).bind(d.transferee_id).bind(d.transferred_on).bind(d.transfer_amount.map(Money::fen))
            .bind(d.transferred_locally).bind(d.year).bind(now()).bind(id).bind(d.price_public)
            .execute(c).await.map(|r| r.rows_affected()))?;
        set_owners(&mut tx, id, &d.owner_ids).await?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::ResearchResult,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_result_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<ResearchResult> {
        // Everyone reads results; only those who reach an owner archive one (`access::authorize`).
        crate::records::set_archived(self, v, RecordKind::ResearchResult, id, archived, expected).await?;
        self.get_result(v, id).await
    }
}

/// Owners must be people; a scoped user must reach at least one of them (their own result).
async fn references(tx: &mut Tx, v: &Viewer, d: &ResultData) -> Result<()> {
    for p in &d.owner_ids {
        if !exists(tx, "person", *p).await? {
            return Err(unknown("owner_ids", ("专家", "person"), *p));
        }
    }
    owners_in_scope(tx, v, &d.owner_ids).await?;
    if let Some(o) = d.transferee_id
        && !exists(tx, "organization", o).await?
    {
        return Err(unknown("transferee_id", ("受让单位", "organisation"), o));
    }
    Ok(())
}

async fn owners_in_scope(tx: &mut Tx, v: &Viewer, owners: &[i64]) -> Result<()> {
    if v.scope == Scope::All {
        return Ok(());
    }
    for p in owners {
        if crate::access::in_own_scope(tx, v, RecordKind::Person, *p).await? {
            return Ok(());
        }
    }
    Err(StoreError::invalid(
        "owner_ids",
        Msg::new(
            "只能登记您负责范围内专家的成果：请至少选择一位范围内的成果完成人",
            "You may only keep results owned by experts in your scope",
        ),
    ))
}

async fn set_owners(tx: &mut Tx, id: i64, owners: &[i64]) -> Result<()> {
    on_tx!(tx, c => sqlx::query("delete from research_result_owner where result_id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    for (i, p) in owners.iter().enumerate() {
        on_tx!(tx, c => sqlx::query("insert into research_result_owner (result_id, person_id, position) values ($1, $2, $3)")
            .bind(id).bind(*p).bind(i as i32)
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<ResearchResult> {
    let sql = format!("select {COLS} from research_result where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let owners: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar("select person_id from research_result_owner where result_id = $1 order by position")
        .bind(id).fetch_all(c).await)?;
    Ok(row.into_result(owners))
}
