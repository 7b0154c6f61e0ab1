//! Solicitation campaigns and their coverage: demands collected per county and per industry
//! against the quota.

use crate::access::{Viewer, audit, authorize, check, must_see, restrict, snapshot, unknown, visible};
use crate::records::{archived_clause, expect_version, lock_exists};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page, join_list, split_list};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::Action;
use hezuo_domain::campaign::{Campaign, CampaignData, CampaignFilter, Coverage};
use hezuo_domain::{ListParams, Page, RecordKind, codes, input};
use std::collections::BTreeMap;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    organizer_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    target_regions: String,
    target_industries: String,
    quota_per_county: Option<i64>,
    description: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, title, organizer_id, starts_on, ends_on, target_regions, target_industries, quota_per_county, \
                    description, archived, created_at, updated_at";

impl From<Row> for Campaign {
    fn from(r: Row) -> Self {
        Campaign {
            id: r.id,
            title: r.title,
            organizer_id: r.organizer_id,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            target_regions: split_list(&r.target_regions),
            target_industries: split_list(&r.target_industries),
            quota_per_county: r.quota_per_county,
            description: r.description,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The county-level division of a region code (`330881` 江山市); None for a city or province.
pub fn county_of(region: &str) -> Option<String> {
    (region.len() == 6 && !region.ends_with("00")).then(|| region.to_string())
}

impl Store {
    pub async fn list_campaigns(&self, v: &Viewer, f: &CampaignFilter, p: &ListParams) -> Result<Page<Campaign>> {
        let mut q = Q::new("from campaign where 1 = 1");
        restrict(&mut q, v, RecordKind::Campaign, "campaign");
        archived_clause(&mut q, "campaign", &f.archived);
        if let Some(s) = input::opt_text(&f.q) {
            q.push(" and lower(title) like ")
                .bind(Arg::Text(contains_pattern(s)))
                .push(" escape '\\'");
        }
        let (col, desc) = p.sort(&["id", "starts_on", "ends_on", "title"], ("starts_on", true))?;
        let order = format!("{col} {d}, id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    /// Choices for a form's campaign menu: (id, title), active ones `v` may see, latest first.
    pub async fn campaign_options(&self, v: &Viewer) -> Result<Vec<(i64, String)>> {
        let mut q = Q::new("select id, title from campaign where archived = false");
        restrict(&mut q, v, RecordKind::Campaign, "campaign");
        q.push(" order by starts_on desc, id desc limit 3000");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }

    pub async fn get_campaign(&self, v: &Viewer, id: i64) -> Result<Campaign> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Campaign, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn create_campaign(&self, v: &Viewer, d: &CampaignData) -> Result<Campaign> {
        check(v, RecordKind::Campaign, Action::Create)?;
        let mut tx = self.begin().await?;
        organizer_in_scope(&mut tx, v, d.organizer_id).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into campaign (title, organizer_id, starts_on, ends_on, target_regions, target_industries, \
             quota_per_county, description, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9) returning id")
            .bind(&d.title).bind(d.organizer_id).bind(d.starts_on).bind(d.ends_on)
            .bind(join_list(&d.target_regions)).bind(join_list(&d.target_industries))
            .bind(d.quota_per_county).bind(&d.description).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Campaign,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_campaign(
        &self,
        v: &Viewer,
        id: i64,
        d: &CampaignData,
        expected: Option<i64>,
    ) -> Result<Campaign> {
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::Campaign, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::Campaign, id, expected).await?;
        lock_exists(&mut tx, "campaign", id).await?;
        let before = fetch(&mut tx, id).await?;
        organizer_in_scope(&mut tx, v, before.organizer_id).await?;
        organizer_in_scope(&mut tx, v, d.organizer_id).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update campaign set title = $1, organizer_id = $2, starts_on = $3, ends_on = $4, target_regions = $5, \
             target_industries = $6, quota_per_county = $7, description = $8, updated_at = $9 where id = $10")
            .bind(&d.title).bind(d.organizer_id).bind(d.starts_on).bind(d.ends_on)
            .bind(join_list(&d.target_regions)).bind(join_list(&d.target_industries))
            .bind(d.quota_per_county).bind(&d.description).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Campaign,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_campaign_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Campaign> {
        // Everyone reads campaigns; only those who reach the organiser archive one.
        let mut tx = self.begin().await?;
        authorize(&mut tx, v, RecordKind::Campaign, Some(id), Action::Archive).await?;
        let c = fetch(&mut tx, id).await?;
        organizer_in_scope(&mut tx, v, c.organizer_id).await?;
        tx.commit().await?;
        crate::records::set_archived(self, v, RecordKind::Campaign, id, archived, expected).await?;
        self.get_campaign(v, id).await
    }

    /// Demands collected in the campaign (those the viewer may see), per county and per industry,
    /// against the quota: every target county is listed, reached or not.
    pub async fn campaign_coverage(&self, v: &Viewer, id: i64) -> Result<(Vec<Coverage>, Vec<Coverage>)> {
        let c = self.get_campaign(v, id).await?;
        let mut q = Q::new(
            "select o.region_code, d.industry from demand d join organization o on o.id = d.enterprise_id \
             where d.archived = false and d.status <> 'draft' and d.campaign_id = ",
        );
        q.bind(Arg::I64(id));
        restrict(&mut q, v, RecordKind::Demand, "d");
        let rows: Vec<(Option<String>, Option<String>)> = crate::on_db!(&self.db, p => crate::sql::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let mut by_county: BTreeMap<String, i64> = c.target_regions.iter().map(|r| (r.clone(), 0)).collect();
        let mut by_industry: BTreeMap<String, i64> = c.target_industries.iter().map(|r| (r.clone(), 0)).collect();
        for (region, industry) in rows {
            let county = region.as_deref().and_then(county_of).unwrap_or_default();
            *by_county.entry(county).or_default() += 1;
            let ind = industry.unwrap_or_default();
            // A division (C26) counts for a targeted section (C) too.
            let key = c
                .target_industries
                .iter()
                .find(|t| !ind.is_empty() && ind.starts_with(t.as_str()))
                .cloned()
                .unwrap_or(ind);
            *by_industry.entry(key).or_default() += 1;
        }
        let county = by_county
            .into_iter()
            .map(|(code, n)| Coverage {
                name: if code.is_empty() {
                    "未填地区".into()
                } else {
                    codes::division_name(&code).unwrap_or_else(|| code.clone())
                },
                quota: c.quota_per_county.filter(|_| c.target_regions.contains(&code)),
                code,
                demands: n,
            })
            .collect();
        let industry = by_industry
            .into_iter()
            .map(|(code, n)| Coverage {
                name: if code.is_empty() {
                    "未填行业".into()
                } else {
                    codes::industry_name(&code).unwrap_or(&code).to_string()
                },
                quota: None,
                code,
                demands: n,
            })
            .collect();
        Ok((county, industry))
    }
}

/// A scoped user runs campaigns of organisations in their scope.
async fn organizer_in_scope(tx: &mut Tx, v: &Viewer, id: i64) -> Result<()> {
    if visible(tx, v, RecordKind::Organization, id).await? {
        Ok(())
    } else {
        Err(unknown("organizer_id", ("组织单位", "organisation"), id))
    }
}

pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<Campaign> {
    let sql = format!("select {COLS} from campaign where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
