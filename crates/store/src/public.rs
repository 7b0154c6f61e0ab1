//! What the public portal reads, with no viewer: only public records (published notices, open
//! calls, results on offer, accepted demands, open platforms, experts who opted in) and only their
//! public fields — each query selects nothing else, so nothing else can reach a public page, the
//! public search index or a count. `public_search_docs` builds the public index from these same
//! queries.

use crate::notices::{COLS as NOTICE_COLS, Row as NoticeRow};
use crate::sql::bind_args;
use crate::sql::{Arg, Q};
use crate::{Result, Store, on_db};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::RecordKind;
use hezuo_domain::attachment::Attachment;
use hezuo_domain::demand::CooperationMode;
use hezuo_domain::money::Money;
use hezuo_domain::notice::Notice;
use hezuo_domain::platform::{PlatformKind, PlatformLevel};
use hezuo_domain::public::{PublicCampaign, PublicDemand, PublicExpert, PublicPlatform, PublicResult};
use hezuo_domain::research_result::{Maturity, TransferMode};
use hezuo_domain::search::SearchDoc;

/// A page of a public list: `(total, items)`; `limit` and `offset` as the page asks.
pub type Slice<T> = (i64, Vec<T>);

/// The demand statuses from acceptance on: what the portal may show (never a draft, one waiting
/// for review, a returned or a closed one).
const ACCEPTED: &str = "('accepted', 'matching', 'matched', 'project')";

const NOTICE_WHERE: &str = "from notice where archived = false and status = 'published'";
const RESULT_WHERE: &str = "from research_result where archived = false and status <> 'transferred'";
const DEMAND_WHERE: &str = "from demand d join organization o on o.id = d.enterprise_id \
     where d.archived = false and d.merged_into_id is null and d.status in ";
const PLATFORM_WHERE: &str = "from platform where archived = false and status <> 'closed'";
const EXPERT_WHERE: &str = "from person p join organization o on o.id = p.organization_id \
     where p.archived = false and p.is_expert = true and p.public_profile = true";

#[derive(sqlx::FromRow)]
struct ResultRow {
    id: i64,
    title: String,
    summary: Option<String>,
    discipline: Option<String>,
    maturity: String,
    transfer_mode: String,
    price: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct DemandRow {
    id: i64,
    title: String,
    summary: String,
    field: Option<String>,
    mode: String,
    enterprise: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PlatformRow {
    id: i64,
    name: String,
    kind: String,
    level: String,
    summary: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ExpertRow {
    id: i64,
    name: String,
    organization: String,
    title: Option<String>,
    discipline: Option<String>,
    research_fields: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: i64,
    title: String,
    description: Option<String>,
    organizer: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

/// `from` narrowed to the one record `col = id` when `only` names one (its first placeholder).
fn with_id(from: &str, col: &str, only: Option<i64>) -> (String, Vec<Arg>) {
    match only {
        Some(id) => (format!("{from} and {col} = $1"), vec![Arg::I64(id)]),
        None => (from.to_string(), vec![]),
    }
}

/// An attachment's row: id, record, name, type, size, SHA-256, when.
type FileRow = (i64, i64, String, String, i64, String, DateTime<Utc>);

impl Store {
    async fn public_count(&self, from: &str, args: Vec<Arg>) -> Result<i64> {
        let q = Q {
            args,
            ..Q::new(&format!("select count(*) {from}"))
        };
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(p).await)?,
        )
    }

    async fn public_rows<R>(
        &self,
        select: &str,
        from: &str,
        order: &str,
        args: Vec<Arg>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let q = Q {
            args,
            ..Q::new(&format!(
                "select {select} {from} order by {order} limit {} offset {}",
                limit.clamp(0, 100_000),
                offset.max(0)
            ))
        };
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }

    /// Published notices, newest first.
    pub async fn public_notices(&self, limit: i64, offset: i64) -> Result<Slice<Notice>> {
        let total = self.public_count(NOTICE_WHERE, vec![]).await?;
        let rows: Vec<NoticeRow> = self
            .public_rows(
                NOTICE_COLS,
                NOTICE_WHERE,
                "published_at desc, id desc",
                vec![],
                limit,
                offset,
            )
            .await?;
        Ok((total, rows.into_iter().map(Into::into).collect()))
    }

    /// A published notice; None when it is a draft, archived or does not exist.
    pub async fn public_notice(&self, id: i64) -> Result<Option<Notice>> {
        let from = format!("{NOTICE_WHERE} and id = $1");
        let rows: Vec<NoticeRow> = self
            .public_rows(NOTICE_COLS, &from, "id", vec![Arg::I64(id)], 1, 0)
            .await?;
        Ok(rows.into_iter().next().map(Into::into))
    }

    /// The files of a published notice (none for any other).
    pub async fn public_notice_files(&self, notice_id: i64) -> Result<Vec<Attachment>> {
        if self.public_notice(notice_id).await?.is_none() {
            return Ok(Vec::new());
        }
        let rows: Vec<FileRow> = on_db!(&self.db, p => sqlx::query_as(
            "select id, record_id, filename, content_type, size_bytes, sha256, created_at from attachment \
             where archived = false and record_kind = 'notice' and record_id = $1 order by id")
            .bind(notice_id).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, record_id, filename, content_type, size_bytes, sha256, created_at)| Attachment {
                    id,
                    record_kind: RecordKind::Notice,
                    record_id,
                    filename,
                    content_type,
                    size_bytes,
                    sha256,
                    created_at,
                },
            )
            .collect())
    }

    /// A file of a published notice and its bytes; None for any other file.
    pub async fn public_notice_file(&self, notice_id: i64, file_id: i64) -> Result<Option<(Attachment, Vec<u8>)>> {
        let Some(a) = self
            .public_notice_files(notice_id)
            .await?
            .into_iter()
            .find(|a| a.id == file_id)
        else {
            return Ok(None);
        };
        let bytes = self.attachment_content(&a).await?;
        Ok(Some((a, bytes)))
    }

    /// The calls open today, those ending soonest first.
    pub async fn public_campaigns(&self, only: Option<i64>, limit: i64, offset: i64) -> Result<Slice<PublicCampaign>> {
        let today = self.today();
        let mut from = String::from(
            "from campaign c join organization o on o.id = c.organizer_id \
             where c.archived = false and c.starts_on <= $1 and c.ends_on >= $1",
        );
        if only.is_some() {
            from.push_str(" and c.id = $2");
        }
        let from = from.as_str();
        let args = || {
            std::iter::once(Arg::Date(today))
                .chain(only.map(Arg::I64))
                .collect::<Vec<_>>()
        };
        let total = self.public_count(from, args()).await?;
        let rows: Vec<CampaignRow> = self
            .public_rows(
                "c.id, c.title, c.description, o.name as organizer, c.starts_on, c.ends_on",
                from,
                "c.ends_on, c.id",
                args(),
                limit,
                offset,
            )
            .await?;
        Ok((
            total,
            rows.into_iter()
                .map(|r| PublicCampaign {
                    id: r.id,
                    title: r.title,
                    description: r.description,
                    organizer: r.organizer,
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                })
                .collect(),
        ))
    }

    /// Results on offer (not archived, not yet transferred), newest first; the price only where its
    /// owners allow it.
    pub async fn public_results(&self, only: Option<i64>, limit: i64, offset: i64) -> Result<Slice<PublicResult>> {
        let (from, args) = with_id(RESULT_WHERE, "id", only);
        let total = self.public_count(&from, args.clone()).await?;
        let rows: Vec<ResultRow> = self
            .public_rows(
                "id, title, summary, discipline, maturity, transfer_mode, \
                 case when price_public then price else null end as price",
                &from,
                "id desc",
                args,
                limit,
                offset,
            )
            .await?;
        Ok((
            total,
            rows.into_iter()
                .map(|r| PublicResult {
                    id: r.id,
                    title: r.title,
                    summary: r.summary,
                    field: r.discipline,
                    maturity: Maturity::parse(&r.maturity).unwrap_or(Maturity::Lab),
                    transfer_mode: TransferMode::parse(&r.transfer_mode).unwrap_or(TransferMode::License),
                    price: r.price.map(Money),
                })
                .collect(),
        ))
    }

    /// Accepted demands' public summaries, newest first; the enterprise's name only where it agreed.
    pub async fn public_demands(&self, only: Option<i64>, limit: i64, offset: i64) -> Result<Slice<PublicDemand>> {
        let (from, args) = with_id(&format!("{DEMAND_WHERE}{ACCEPTED}"), "d.id", only);
        let total = self.public_count(&from, args.clone()).await?;
        let rows: Vec<DemandRow> = self
            .public_rows(
                "d.id, d.title, d.summary, d.field, d.mode, case when d.public_name then o.name else null end as enterprise",
                &from,
                "d.id desc",
                args,
                limit,
                offset,
            )
            .await?;
        Ok((
            total,
            rows.into_iter()
                .map(|r| PublicDemand {
                    id: r.id,
                    title: r.title,
                    summary: r.summary,
                    field: r.field,
                    mode: CooperationMode::parse(&r.mode).unwrap_or(CooperationMode::Development),
                    enterprise: r.enterprise,
                })
                .collect(),
        ))
    }

    /// Platforms not closed, by name, with their hosts in order.
    pub async fn public_platforms(&self, only: Option<i64>, limit: i64, offset: i64) -> Result<Slice<PublicPlatform>> {
        let (from, args) = with_id(PLATFORM_WHERE, "id", only);
        let total = self.public_count(&from, args.clone()).await?;
        let rows: Vec<PlatformRow> = self
            .public_rows("id, name, kind, level, summary", &from, "name, id", args, limit, offset)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut hosts: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let mut q = Q::new(
                "select h.platform_id, o.name from platform_host h join organization o on o.id = h.organization_id \
                 where h.platform_id in ",
            );
            q.bind_list(chunk);
            q.push(" order by h.platform_id, h.position");
            let found: Vec<(i64, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
            for (pid, name) in found {
                hosts.entry(pid).or_default().push(name);
            }
        }
        for r in rows {
            out.push(PublicPlatform {
                id: r.id,
                hosts: hosts.remove(&r.id).unwrap_or_default(),
                name: r.name,
                kind: PlatformKind::parse(&r.kind).unwrap_or(PlatformKind::RdCentre),
                level: PlatformLevel::parse(&r.level).unwrap_or(PlatformLevel::County),
                summary: r.summary,
            });
        }
        Ok((total, out))
    }

    /// Experts who opted in, by name: public profile fields only.
    pub async fn public_experts(&self, only: Option<i64>, limit: i64, offset: i64) -> Result<Slice<PublicExpert>> {
        let (from, args) = with_id(EXPERT_WHERE, "p.id", only);
        let total = self.public_count(&from, args.clone()).await?;
        let rows: Vec<ExpertRow> = self
            .public_rows(
                "p.id, p.name, o.name as organization, p.title, p.discipline, p.research_fields",
                &from,
                "p.name, p.id",
                args,
                limit,
                offset,
            )
            .await?;
        Ok((
            total,
            rows.into_iter()
                .map(|r| PublicExpert {
                    id: r.id,
                    name: r.name,
                    organization: r.organization,
                    title: r.title,
                    discipline: r.discipline,
                    research_fields: r.research_fields,
                })
                .collect(),
        ))
    }

    /// Where the records stand: the change feed's last entry (sequence and time), which every write
    /// appends to in its transaction — what the public pages' freshness and the public index follow.
    pub async fn public_stamp(&self) -> Result<(i64, Option<DateTime<Utc>>)> {
        let row: Option<(i64, DateTime<Utc>)> = on_db!(&self.db, p => sqlx::query_as(
            "select seq, created_at from change_feed order by seq desc limit 1").fetch_optional(p).await)?;
        Ok(match row {
            Some((seq, at)) => (seq, Some(at)),
            None => (0, None),
        })
    }

    /// Every public record as a search document holding its public text only (no restricted text,
    /// no names but those the portal shows): what the public search index is built from.
    pub async fn public_search_docs(&self) -> Result<Vec<SearchDoc>> {
        const ALL: i64 = 100_000;
        let mut out = Vec::new();
        let join = |parts: &[Option<&str>]| parts.iter().flatten().copied().collect::<Vec<_>>().join(" ");
        for n in self.public_notices(ALL, 0).await?.1 {
            let mut d = SearchDoc::new(RecordKind::Notice, n.id, &n.title);
            d.body = join(&[Some(n.kind.label().zh.as_ref()), Some(&n.body)]);
            out.push(d);
        }
        for c in self.public_campaigns(None, ALL, 0).await?.1 {
            let mut d = SearchDoc::new(RecordKind::Campaign, c.id, &c.title);
            d.body = join(&[c.description.as_deref()]);
            d.names = vec![c.organizer];
            out.push(d);
        }
        for r in self.public_results(None, ALL, 0).await?.1 {
            let mut d = SearchDoc::new(RecordKind::ResearchResult, r.id, &r.title);
            d.body = join(&[
                r.summary.as_deref(),
                r.field.as_deref(),
                Some(r.maturity.label().zh.as_ref()),
                Some(r.transfer_mode.label().zh.as_ref()),
            ]);
            out.push(d);
        }
        for r in self.public_demands(None, ALL, 0).await?.1 {
            let mut d = SearchDoc::new(RecordKind::Demand, r.id, &r.title);
            d.body = join(&[Some(&r.summary), r.field.as_deref(), Some(r.mode.label().zh.as_ref())]);
            d.names = r.enterprise.into_iter().collect();
            out.push(d);
        }
        for r in self.public_platforms(None, ALL, 0).await?.1 {
            let mut d = SearchDoc::new(RecordKind::Platform, r.id, &r.name);
            d.body = join(&[
                Some(r.kind.label().zh.as_ref()),
                Some(r.level.label().zh.as_ref()),
                r.summary.as_deref(),
            ]);
            d.names = r.hosts;
            out.push(d);
        }
        for r in self.public_experts(None, ALL, 0).await?.1 {
            let mut d = SearchDoc::new(RecordKind::Person, r.id, &r.name);
            d.body = join(&[
                r.title.as_deref(),
                r.discipline.as_deref(),
                r.research_fields.as_deref(),
            ]);
            d.names = vec![r.name, r.organization];
            out.push(d);
        }
        Ok(out)
    }
}
