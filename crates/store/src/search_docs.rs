//! What the search index is built from: each searchable record as a [`SearchDoc`] (read by the
//! system, whoever will search later), the change feed the index follows, and the access filter
//! applied to hits — the same `restrict` every list uses, so search shows and counts nothing more.

use crate::access::{Viewer, restrict};
use crate::backend::Backend;
use crate::campaigns::county_of;
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, on_db};
use hezuo_domain::search::{SEARCHABLE, SearchChange, SearchDoc};
use hezuo_domain::{RecordKind, codes};
use std::collections::HashSet;

#[derive(sqlx::FromRow)]
struct DocRow {
    id: i64,
    title: String,
    body: Option<String>,
    restricted: Option<String>,
    names: Option<String>,
    region: Option<String>,
    industry: Option<String>,
    year: Option<i32>,
    status: Option<String>,
    /// Person ids, one per line.
    owners: Option<String>,
    discipline: Option<String>,
}

/// One entry of the change feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedEntry {
    pub seq: i64,
    pub kind: RecordKind,
    pub id: i64,
}

fn status_label(kind: RecordKind, code: &str) -> String {
    use hezuo_domain::*;
    let label = match kind {
        RecordKind::Agreement => agreement::AgreementStatus::parse(code).map(|s| s.label()),
        RecordKind::Project => project::ProjectStatus::parse(code).map(|s| s.label()),
        RecordKind::Problem => problem::ProblemStatus::parse(code).map(|s| s.label()),
        RecordKind::Bulletin => bulletin::BulletinStatus::parse(code).map(|s| s.label()),
        RecordKind::Demand => demand::DemandStatus::parse(code).map(|s| s.label()),
        RecordKind::ResearchResult => research_result::ResultStatus::parse(code).map(|s| s.label()),
        RecordKind::Platform => platform::PlatformStatus::parse(code).map(|s| s.label()),
        RecordKind::Outcome => outcome::OutcomeStatus::parse(code).map(|s| s.label()),
        RecordKind::Decision => event::DecisionStatus::parse(code).map(|s| s.label()),
        _ => None,
    };
    label.map(|l| l.zh).unwrap_or_else(|| code.to_string())
}

/// The SQL that reads every searchable record of `kind` as the columns of [`DocRow`].
fn doc_sql(kind: RecordKind, backend: Backend) -> Option<String> {
    let agg = |expr: &str| match backend {
        Backend::Sqlite => format!("group_concat({expr}, char(10))"),
        Backend::Postgres => format!("string_agg({expr}, chr(10))"),
    };
    let year = |col: &str| format!("cast(substr(cast({col} as text), 1, 4) as integer)");
    let sql = match kind {
        RecordKind::Organization => String::from(
            "select t.id, t.name as title, coalesce(t.short_name, '') || ' ' || coalesce(t.credit_code, '') || ' ' || \
             coalesce(t.address, '') || ' ' || coalesce(t.description, '') as body, null as restricted, \
             t.name || char_nl || coalesce(t.short_name, '') as names, t.region_code as region, t.industry_code as industry, \
             null as year, null as status from organization t where t.archived = false"
        ),
        RecordKind::Person => String::from(
            "select t.id, t.name as title, coalesce(t.title, '') || ' ' || coalesce(t.discipline, '') || ' ' || \
             coalesce(t.research_fields, '') || ' ' || coalesce(t.keywords, '') || ' ' || coalesce(t.bio, '') as body, \
             null as restricted, t.name || char_nl || o.name as names, o.region_code as region, o.industry_code as industry, \
             null as year, null as status from person t join organization o on o.id = t.organization_id where t.archived = false"
        ),
        RecordKind::Agreement => format!(
            "select t.id, t.title, coalesce(t.summary, '') as body, null as restricted, \
             (select {} from agreement_party ap join organization o on o.id = ap.organization_id where ap.agreement_id = t.id) as names, \
             (select min(o.region_code) from agreement_party ap join organization o on o.id = ap.organization_id \
              where ap.agreement_id = t.id and o.region_code not like '%00') as region, null as industry, \
             {} as year, t.status from agreement t where t.archived = false",
            agg("o.name"),
            year("t.signed_on")
        ),
        RecordKind::Project => String::from(
            "select t.id, t.title, coalesce(t.summary, '') || ' ' || coalesce(t.origin_note, '') as body, null as restricted, \
             o.name || char_nl || coalesce((select name from person p where p.id = t.responsible_person_id), '') as names, \
             o.region_code as region, o.industry_code as industry, t.batch_year as year, t.status \
             from project t join organization o on o.id = t.lead_unit_id where t.archived = false"
        ),
        RecordKind::Problem => format!(
            "select t.id, t.title, coalesce(t.description, '') || ' ' || coalesce(t.decision, '') as body, null as restricted, \
             o.name as names, o.region_code as region, null as industry, {} as year, t.status \
             from problem t join organization o on o.id = t.owner_id where t.archived = false",
            year("t.created_at")
        ),
        RecordKind::Bulletin => "select t.id, t.title, coalesce(t.intro, '') || ' ' || coalesce(t.closing, '') || ' ' || \
             t.period as body, null as restricted, null as names, null as region, null as industry, t.year, t.status \
             from bulletin t where t.archived = false"
            .to_string(),
        RecordKind::Campaign => format!(
            "select t.id, t.title, coalesce(t.description, '') as body, null as restricted, o.name as names, \
             o.region_code as region, null as industry, {} as year, null as status \
             from campaign t join organization o on o.id = t.organizer_id where t.archived = false",
            year("t.starts_on")
        ),
        RecordKind::Demand => format!(
            "select t.id, t.title, t.summary || ' ' || coalesce(t.field, '') as body, t.details as restricted, \
             o.name || char_nl || coalesce(t.collected_by, '') as names, o.region_code as region, \
             coalesce(t.industry, o.industry_code) as industry, {} as year, t.status \
             from demand t join organization o on o.id = t.enterprise_id where t.archived = false",
            year("t.created_at")
        ),
        RecordKind::ResearchResult => format!(
            "select t.id, t.title, coalesce(t.summary, '') || ' ' || t.keywords || ' ' || coalesce(t.discipline, '') || ' ' || \
             coalesce(t.ip_number, '') as body, null as restricted, \
             (select {} from research_result_owner ro join person p on p.id = ro.person_id where ro.result_id = t.id) as names, \
             null as region, null as industry, t.year, t.status from research_result t where t.archived = false",
            agg("p.name")
        ),
        RecordKind::ExpertWork => "select t.id, t.title, coalesce(t.summary, '') || ' ' || t.keywords || ' ' || \
             coalesce(t.venue, '') as body, null as restricted, p.name as names, o.region_code as region, null as industry, \
             t.year, null as status from expert_work t join person p on p.id = t.person_id \
             join organization o on o.id = p.organization_id where t.archived = false and p.archived = false"
            .to_string(),
        // A platform is found by its name, its kind and level (in words), its hosts and its summary.
        RecordKind::Platform => format!(
            "select t.id, t.name as title, (case t.kind {} end) || ' ' || (case t.level {} end) || ' ' || \
             coalesce(t.approved_by, '') || ' ' || coalesce(t.approval_doc, '') || ' ' || coalesce(t.summary, '') as body, \
             null as restricted, \
             (select {} from platform_host ph join organization o on o.id = ph.organization_id where ph.platform_id = t.id) as names, \
             (select min(o.region_code) from platform_host ph join organization o on o.id = ph.organization_id \
              where ph.platform_id = t.id and o.region_code not like '%00') as region, null as industry, \
             {} as year, t.status from platform t where t.archived = false",
            hezuo_domain::platform::PlatformKind::ALL
                .iter()
                .map(|k| format!("when '{}' then '{}'", k.as_str(), k.label().zh))
                .collect::<Vec<_>>()
                .join(" "),
            hezuo_domain::platform::PlatformLevel::ALL
                .iter()
                .map(|k| format!("when '{}' then '{}'", k.as_str(), k.label().zh))
                .collect::<Vec<_>>()
                .join(" "),
            agg("o.name"),
            year("t.established_on")
        ),
        RecordKind::Outcome => format!(
            "select t.id, t.title, coalesce(t.programme, '') || ' ' || coalesce(t.issuer, '') || ' ' || \
             coalesce(t.registration_no, '') || ' ' || coalesce(t.patent_no, '') || ' ' || coalesce(t.note, '') as body, \
             null as restricted, o.name as names, o.region_code as region, null as industry, {} as year, t.status \
             from outcome t join organization o on o.id = t.organization_id where t.archived = false",
            year("t.occurred_on")
        ),
        // A meeting is found by its title, place, agenda and minutes; its organiser names it.
        RecordKind::Event => format!(
            "select t.id, t.title, coalesce(t.place, '') || ' ' || coalesce(t.agenda, '') || ' ' || coalesce(t.minutes, '') as body, \
             null as restricted, o.name as names, o.region_code as region, null as industry, {} as year, null as status \
             from event t left join organization o on o.id = t.organizer_id where t.archived = false",
            year("t.held_on")
        ),
        // A decision by what it says, how it stands and its meeting; its owner names it.
        RecordKind::Decision => format!(
            "select t.id, t.title, coalesce(t.progress, '') || ' ' || e.title as body, null as restricted, o.name as names, \
             o.region_code as region, null as industry, {} as year, t.status from decision t \
             join event e on e.id = t.event_id join organization o on o.id = t.owner_id where t.archived = false",
            year("t.due_on")
        ),
        // A message by its text, under its demand's title; its author names it.
        RecordKind::Message => format!(
            "select t.id, '消息：' || d.title as title, t.body as body, null as restricted, t.author as names, \
             o.region_code as region, null as industry, {} as year, null as status from message t \
             join demand d on d.id = coalesce(t.demand_id, (select dm.demand_id from demand_match dm where dm.id = t.match_id)) \
             join organization o on o.id = d.enterprise_id where t.archived = false",
            year("t.created_at")
        ),
        _ => return None,
    };
    // Owners (for matching) and discipline: people own themselves, works their author, results their owners.
    let cast = |e: &str| format!("cast({e} as text)");
    let (owners, discipline) = match kind {
        RecordKind::Person => (cast("t.id"), "t.discipline".to_string()),
        RecordKind::ExpertWork => (cast("t.person_id"), "p.discipline".to_string()),
        RecordKind::ResearchResult => (
            format!(
                "(select {} from research_result_owner ro2 where ro2.result_id = t.id)",
                agg(&cast("ro2.person_id"))
            ),
            "t.discipline".to_string(),
        ),
        _ => ("null".to_string(), "null".to_string()),
    };
    let main = format!(" from {} t", kind.table());
    let sql = sql.replacen(
        &main,
        &format!(", {owners} as owners, {discipline} as discipline{main}"),
        1,
    );
    let nl = match backend {
        Backend::Sqlite => "|| char(10) ||",
        Backend::Postgres => "|| chr(10) ||",
    };
    Some(sql.replace("|| char_nl ||", nl))
}

fn to_doc(kind: RecordKind, r: DocRow) -> SearchDoc {
    let mut d = SearchDoc::new(kind, r.id, r.title);
    d.body = r
        .body
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    d.restricted = r.restricted.unwrap_or_default();
    d.names = r
        .names
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    let county = r.region.as_deref().and_then(county_of);
    if let Some(c) = &county
        && let Some(name) = codes::division_name(c)
    {
        d.names.push(name.clone());
        d.county = Some(name);
    }
    d.industry = r
        .industry
        .as_deref()
        .map(|c| c.chars().take(1).collect::<String>())
        .and_then(|section| codes::industry_name(&section).map(String::from));
    d.year = r.year;
    d.status = r.status.map(|s| status_label(kind, &s));
    d.owners = r
        .owners
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    d.discipline = r.discipline.filter(|x| !x.trim().is_empty());
    d
}

impl Store {
    async fn docs(&self, kind: RecordKind, id: Option<i64>) -> Result<Vec<SearchDoc>> {
        let Some(sql) = doc_sql(kind, self.backend()) else {
            return Ok(Vec::new());
        };
        let mut q = Q::new(&format!("select * from ({sql}) d where 1 = 1"));
        if let Some(id) = id {
            q.push(" and d.id = ").bind(Arg::I64(id));
        }
        let rows: Vec<DocRow> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|r| to_doc(kind, r)).collect())
    }

    /// Every searchable record, for a full rebuild.
    pub async fn all_search_docs(&self) -> Result<Vec<SearchDoc>> {
        let mut out = Vec::new();
        for k in SEARCHABLE {
            out.extend(self.docs(k, None).await?);
        }
        Ok(out)
    }

    /// The last sequence number of the change feed (0 when empty).
    pub async fn feed_head(&self) -> Result<i64> {
        let n: Option<i64> =
            on_db!(&self.db, p => sqlx::query_scalar("select max(seq) from change_feed").fetch_one(p).await)?;
        Ok(n.unwrap_or(0))
    }

    /// Feed entries after `seq`, oldest first, at most `limit`.
    pub async fn feed_since(&self, seq: i64, limit: i64) -> Result<Vec<FeedEntry>> {
        let rows: Vec<(i64, String, i64)> = on_db!(&self.db, p => sqlx::query_as(
            "select seq, record_kind, record_id from change_feed where seq > $1 order by seq limit $2")
            .bind(seq).bind(limit).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(seq, k, id)| RecordKind::parse(&k).map(|kind| FeedEntry { seq, kind, id }))
            .collect())
    }

    /// The feed entries with these sequence numbers (holes being looked for again).
    pub async fn feed_entries(&self, seqs: &[i64]) -> Result<Vec<FeedEntry>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new("select seq, record_kind, record_id from change_feed where seq in ");
        q.bind_list(seqs);
        let rows: Vec<(i64, String, i64)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(seq, k, id)| RecordKind::parse(&k).map(|kind| FeedEntry { seq, kind, id }))
            .collect())
    }

    /// What the index must do about the records behind some feed entries: a change to one record
    /// can change how others read (an organisation's name appears on its people and projects), so
    /// records that show a changed organisation's or person's name are refreshed too.
    pub async fn search_changes(&self, entries: &[FeedEntry]) -> Result<Vec<SearchChange>> {
        let mut seen: HashSet<(RecordKind, i64)> = HashSet::new();
        let mut out = Vec::new();
        let mut todo: Vec<(RecordKind, i64)> = entries.iter().map(|e| (e.kind, e.id)).collect();
        let mut dependents = Vec::new();
        for &(kind, id) in &todo {
            match kind {
                RecordKind::Organization => {
                    for (k, sql) in [
                        (RecordKind::Person, "select id from person where organization_id = $1"),
                        (RecordKind::Project, "select id from project where lead_unit_id = $1"),
                        (RecordKind::Demand, "select id from demand where enterprise_id = $1"),
                        (
                            RecordKind::Platform,
                            "select platform_id from platform_host where organization_id = $1",
                        ),
                    ] {
                        let ids: Vec<i64> = on_db!(&self.db, p => sqlx::query_scalar(sql).bind(id).fetch_all(p).await)?;
                        dependents.extend(ids.into_iter().map(|i| (k, i)));
                    }
                }
                RecordKind::Person => {
                    for (k, sql) in [
                        (
                            RecordKind::ExpertWork,
                            "select id from expert_work where person_id = $1",
                        ),
                        (
                            RecordKind::ResearchResult,
                            "select result_id from research_result_owner where person_id = $1",
                        ),
                    ] {
                        let ids: Vec<i64> = on_db!(&self.db, p => sqlx::query_scalar(sql).bind(id).fetch_all(p).await)?;
                        dependents.extend(ids.into_iter().map(|i| (k, i)));
                    }
                }
                _ => {}
            }
        }
        todo.extend(dependents);
        for (kind, id) in todo {
            if !SEARCHABLE.contains(&kind) || !seen.insert((kind, id)) {
                continue;
            }
            match self.docs(kind, Some(id)).await?.pop() {
                Some(d) => out.push(SearchChange::Upsert(d)),
                None => out.push(SearchChange::Remove { kind, id }),
            }
        }
        Ok(out)
    }

    /// The hits among `hits` that `v` may see, by the same rule as every list.
    pub async fn visible_among(&self, v: &Viewer, hits: &[(RecordKind, i64)]) -> Result<HashSet<(RecordKind, i64)>> {
        let mut out = HashSet::new();
        for kind in SEARCHABLE {
            let ids: Vec<i64> = hits.iter().filter(|(k, _)| *k == kind).map(|(_, i)| *i).collect();
            for chunk in ids.chunks(VISIBLE_CHUNK) {
                let mut q = Q::new(&format!("select t.id from {} t where t.id in ", kind.table()));
                q.bind_list(chunk);
                restrict(&mut q, v, kind, "t");
                let found: Vec<i64> = on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
                out.extend(found.into_iter().map(|i| (kind, i)));
            }
        }
        Ok(out)
    }
}

/// Hits checked per query by `Store::visible_among`. 5,000 (fewer gatherings of a coordinator's
/// scope) was slower at a million projects: a search 69 → 88 ms on SQLite, 51 → 160 ms on
/// PostgreSQL (its plan of a 5,000-value `in` list).
const VISIBLE_CHUNK: usize = 500;
