//! Agreements, their parties and their nesting (no cycles).

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot, visible};

use crate::records::{
    AGREEMENT_PARTY, archived_clause, check_parent, expect_version, id_filter, links_in, lock_exists, missing,
    write_links,
};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::RecordKind;
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::agreement::{Agreement, AgreementData, AgreementFilter, AgreementKind, AgreementStatus};
use hezuo_domain::{ListParams, Msg, Page, input};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    parent_id: Option<i64>,
    title: String,
    kind: String,
    signed_on: NaiveDate,
    term_end: Option<NaiveDate>,
    status: String,
    summary: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, parent_id, title, kind, signed_on, term_end, status, summary, archived, created_at, updated_at";

impl Row {
    fn into_record(self, parties: Vec<i64>) -> Agreement {
        Agreement {
            id: self.id,
            parent_id: self.parent_id,
            title: self.title,
            kind: AgreementKind::parse(&self.kind).unwrap_or(AgreementKind::Technology),
            signed_on: self.signed_on,
            term_end: self.term_end,
            status: AgreementStatus::parse(&self.status).unwrap_or(AgreementStatus::InForce),
            summary: self.summary,
            party_ids: parties,
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl Store {
    async fn with_parties(&self, rows: Vec<Row>) -> Result<Vec<Agreement>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut parties = self.links(AGREEMENT_PARTY, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let p = parties.remove(&r.id).unwrap_or_default();
                r.into_record(p)
            })
            .collect())
    }

    pub async fn list_agreements(&self, v: &Viewer, f: &AgreementFilter, p: &ListParams) -> Result<Page<Agreement>> {
        let mut q = Q::new("from agreement where 1 = 1");
        restrict(&mut q, v, RecordKind::Agreement, "agreement");
        archived_clause(&mut q, "agreement", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            q.push(" and lower(title) like ")
                .bind(Arg::Text(contains_pattern(s)))
                .push(" escape '\\'");
        }
        if let Some(k) = input::opt_text(&f.kind) {
            q.push(" and kind = ").bind(Arg::Text(k.to_string()));
        }
        if let Some(s) = input::opt_text(&f.status) {
            q.push(" and status = ").bind(Arg::Text(s.to_string()));
        }
        if let Some(id) = id_filter(&f.parent_id, "parent_id")? {
            q.push(" and parent_id = ").bind(Arg::I64(id));
        }
        if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
            q.push(" and id in (select agreement_id from agreement_party where organization_id = ")
                .bind(Arg::I64(id))
                .push(")");
        }
        let (col, desc) = p.sort(
            &["id", "title", "signed_on", "kind", "updated_at"],
            ("signed_on", false),
        )?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: self.with_parties(rows).await?,
            ..Page::counted(total, p)
        })
    }

    pub async fn get_agreement(&self, v: &Viewer, id: i64) -> Result<Agreement> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Agreement, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Choices for a form's agreement menus: (id, title), among those `v` may see.
    pub async fn agreement_options(&self, v: &Viewer) -> Result<Vec<(i64, String)>> {
        let mut q = Q::new("select id, title from agreement where archived = false");
        restrict(&mut q, v, RecordKind::Agreement, "agreement");
        q.push(" order by signed_on, id limit 3000");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }

    pub async fn create_agreement(&self, v: &Viewer, d: &AgreementData) -> Result<Agreement> {
        check(v, RecordKind::Agreement, Action::Create)?;
        let mut tx = self.begin().await?;
        parties_in_scope(&mut tx, v, &d.party_ids).await?;
        check_agreement(&mut tx, None, d).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into agreement (parent_id, title, kind, signed_on, term_end, status, summary, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, false, $8, $8) returning id")
            .bind(d.parent_id).bind(&d.title).bind(d.kind.as_str()).bind(d.signed_on).bind(d.term_end)
            .bind(d.status.as_str()).bind(&d.summary).bind(t)
            .fetch_one(c).await)?;
        write_links(&mut tx, AGREEMENT_PARTY, id, &d.party_ids).await?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Agreement,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_agreement(
        &self,
        v: &Viewer,
        id: i64,
        d: &AgreementData,
        expected: Option<i64>,
    ) -> Result<Agreement> {
        check(v, RecordKind::Agreement, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Agreement, id).await?;
        expect_version(&mut tx, RecordKind::Agreement, id, expected).await?;
        lock_exists(&mut tx, "agreement", id).await?;
        let before = fetch(&mut tx, id).await?;
        parties_in_scope(&mut tx, v, &d.party_ids).await?;
        check_agreement(&mut tx, Some(id), d).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update agreement set parent_id = $1, title = $2, kind = $3, signed_on = $4, term_end = $5, status = $6, \
             summary = $7, updated_at = $8 where id = $9")
            .bind(d.parent_id).bind(&d.title).bind(d.kind.as_str()).bind(d.signed_on).bind(d.term_end)
            .bind(d.status.as_str()).bind(&d.summary).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        write_links(&mut tx, AGREEMENT_PARTY, id, &d.party_ids).await?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Agreement,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_agreement_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Agreement> {
        crate::records::set_archived(self, v, RecordKind::Agreement, id, archived, expected).await?;
        self.get_agreement(v, id).await
    }
}

async fn check_agreement(tx: &mut Tx, id: Option<i64>, d: &AgreementData) -> Result<()> {
    check_parent(tx, "agreement", id, d.parent_id, ("协议", "agreement")).await?;
    let gone = missing(tx, "organization", &d.party_ids).await?;
    if !gone.is_empty() {
        let list = gone.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        return Err(StoreError::invalid(
            "party_ids",
            Msg::new(
                format!("签约方单位不存在（编号 {list}）"),
                format!("No organisation with id {list}"),
            ),
        ));
    }
    Ok(())
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Agreement> {
    let sql = format!("select {COLS} from agreement where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let parties = links_in(tx, AGREEMENT_PARTY, id).await?;
    Ok(row.into_record(parties))
}

/// A scoped user's agreement must have one of its parties within their scope.
async fn parties_in_scope(tx: &mut Tx, v: &Viewer, parties: &[i64]) -> Result<()> {
    if v.scope == Scope::All {
        return Ok(());
    }
    for p in parties {
        if visible(tx, v, RecordKind::Organization, *p).await? {
            return Ok(());
        }
    }
    Err(StoreError::invalid(
        "party_ids",
        Msg::new(
            "签约方中至少要有一个您负责范围内的单位",
            "At least one party must be within your scope",
        ),
    ))
}
