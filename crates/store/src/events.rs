//! Meetings (会议活动): events with the people and organisations present, the body whose meeting it
//! is and the year's list a conference approved. A meeting is kept by whose scope holds its
//! organiser. Their decisions (议定事项) are in `decisions.rs`.

use crate::access::{Viewer, audit, authorize, check, must_see, restrict, snapshot, unknown};
use crate::records::{
    Link, archived_clause, exists, expect_version, id_filter, links_in, lock_exists, missing, write_links,
};
use crate::sql::{Arg, Q, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::Action;
use hezuo_domain::event::{Event, EventData, EventFilter, EventKind};
use hezuo_domain::{ListParams, Msg, Page, RecordKind, input};

const EVENT_PERSON: Link = ("event_person", "event_id", "person_id");
const EVENT_ORGANIZATION: Link = ("event_organization", "event_id", "organization_id");

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    title: String,
    kind: String,
    held_on: NaiveDate,
    place: Option<String>,
    group_id: Option<i64>,
    organizer_id: Option<i64>,
    batch_id: Option<i64>,
    agenda: Option<String>,
    minutes: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const EVENT_COLS: &str = "event.id, event.title, event.kind, event.held_on, event.place, event.group_id, \
    event.organizer_id, event.batch_id, event.agenda, event.minutes, event.archived, event.created_at, event.updated_at";

impl EventRow {
    fn into_record(self, person_ids: Vec<i64>, organization_ids: Vec<i64>) -> Event {
        Event {
            id: self.id,
            title: self.title,
            kind: EventKind::parse(&self.kind).unwrap_or(EventKind::Other),
            held_on: self.held_on,
            place: self.place,
            group_id: self.group_id,
            organizer_id: self.organizer_id,
            batch_id: self.batch_id,
            agenda: self.agenda,
            minutes: self.minutes,
            person_ids,
            organization_ids,
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

pub(crate) fn year_range(v: &Option<String>) -> Result<(NaiveDate, NaiveDate)> {
    let y = input::year(v).map_err(|m| StoreError::invalid("year", m))?;
    Ok((
        NaiveDate::from_ymd_opt(y, 1, 1).expect("a valid year"),
        NaiveDate::from_ymd_opt(y, 12, 31).expect("a valid year"),
    ))
}

fn events_filtered(v: &Viewer, f: &EventFilter) -> Result<Q> {
    let mut q = Q::new("from event where 1 = 1");
    restrict(&mut q, v, RecordKind::Event, "event");
    archived_clause(&mut q, "event", &f.archived);
    if let Some(s) = input::opt_text(&f.q) {
        q.push(" and lower(event.title || ' ' || coalesce(event.place, '') || ' ' || coalesce(event.agenda, '') || ' ' || coalesce(event.minutes, '')) like ")
            .bind(Arg::Text(contains_pattern(s)))
            .push(" escape '\\'");
    }
    if let Some(k) = input::opt_text(&f.kind) {
        let k = EventKind::parse(k).ok_or_else(|| {
            StoreError::invalid(
                "kind",
                Msg::new(format!("会议类型“{k}”无效"), format!("“{k}” is not an event kind")),
            )
        })?;
        q.push(" and event.kind = ").bind(Arg::Text(k.as_str().into()));
    }
    if input::opt_text(&f.year).is_some() {
        let (from, to) = year_range(&f.year)?;
        q.push(" and event.held_on >= ")
            .bind(Arg::Date(from))
            .push(" and event.held_on <= ")
            .bind(Arg::Date(to));
    }
    for (val, col) in [(&f.group_id, "group_id"), (&f.batch_id, "batch_id")] {
        if let Some(id) = id_filter(val, col)? {
            q.push(&format!(" and event.{col} = ")).bind(Arg::I64(id));
        }
    }
    if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
        q.push(" and (event.organizer_id in ");
        crate::access::org_subtree(&mut q, id);
        q.push(" or event.id in (select eo.event_id from event_organization eo where eo.organization_id in ");
        crate::access::org_subtree(&mut q, id);
        q.push("))");
    }
    if let Some(id) = id_filter(&f.person_id, "person_id")? {
        q.push(" and event.id in (select ep.event_id from event_person ep where ep.person_id = ")
            .bind(Arg::I64(id))
            .push(")");
    }
    Ok(q)
}

/// Checks what an event names: its group, organiser, batch, people and organisations exist.
async fn check_event(tx: &mut Tx, d: &EventData) -> Result<()> {
    if let Some(g) = d.group_id
        && !exists(tx, "coordination_group", g).await?
    {
        return Err(unknown("group_id", ("协调机构", "coordination body"), g));
    }
    if let Some(o) = d.organizer_id
        && !exists(tx, "organization", o).await?
    {
        return Err(unknown("organizer_id", ("单位", "organisation"), o));
    }
    if let Some(b) = d.batch_id
        && !exists(tx, "batch", b).await?
    {
        return Err(unknown("batch_id", ("年度项目清单", "batch"), b));
    }
    if let Some(p) = missing(tx, "person", &d.person_ids).await?.first() {
        return Err(unknown("person_ids", ("人员", "person"), *p));
    }
    if let Some(o) = missing(tx, "organization", &d.organization_ids).await?.first() {
        return Err(unknown("organization_ids", ("单位", "organisation"), *o));
    }
    Ok(())
}

pub(crate) async fn fetch_event(tx: &mut Tx, id: i64) -> Result<Event> {
    let sql = format!("select {EVENT_COLS} from event where id = $1");
    let row: Option<EventRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let people = links_in(tx, EVENT_PERSON, id).await?;
    let orgs = links_in(tx, EVENT_ORGANIZATION, id).await?;
    Ok(row.into_record(people, orgs))
}

impl Store {
    pub async fn list_events(&self, v: &Viewer, f: &EventFilter, p: &ListParams) -> Result<Page<Event>> {
        let q = events_filtered(v, f)?;
        let (col, desc) = p.sort(&["id", "title", "held_on", "kind", "updated_at"], ("held_on", true))?;
        let order = format!("event.{col} {d}, event.id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, EventRow, EVENT_COLS, q, order, p);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let (mut people, mut orgs) = if ids.is_empty() {
            Default::default()
        } else {
            (
                self.links(EVENT_PERSON, &ids).await?,
                self.links(EVENT_ORGANIZATION, &ids).await?,
            )
        };
        Ok(Page {
            items: rows
                .into_iter()
                .map(|r| {
                    let (a, b) = (
                        people.remove(&r.id).unwrap_or_default(),
                        orgs.remove(&r.id).unwrap_or_default(),
                    );
                    r.into_record(a, b)
                })
                .collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_event(&self, v: &Viewer, id: i64) -> Result<Event> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Event, id).await?;
        let e = fetch_event(&mut tx, id).await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Records a meeting, its people and organisations, in one transaction. A coordinator records
    /// the meetings their scope organises.
    pub async fn create_event(&self, v: &Viewer, d: &EventData) -> Result<Event> {
        check(v, RecordKind::Event, Action::Create)?;
        let mut tx = self.begin().await?;
        check_event(&mut tx, d).await?;
        self.organiser_in_scope(&mut tx, v, d.organizer_id).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into event (title, kind, held_on, place, group_id, organizer_id, batch_id, agenda, minutes, archived, \
             created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $10, $10) returning id")
            .bind(&d.title).bind(d.kind.as_str()).bind(d.held_on).bind(&d.place).bind(d.group_id)
            .bind(d.organizer_id).bind(d.batch_id).bind(&d.agenda).bind(&d.minutes).bind(t)
            .fetch_one(c).await)?;
        write_links(&mut tx, EVENT_PERSON, id, &d.person_ids).await?;
        write_links(&mut tx, EVENT_ORGANIZATION, id, &d.organization_ids).await?;
        let after = fetch_event(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Event,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_event(&self, v: &Viewer, id: i64, d: &EventData, expected: Option<i64>) -> Result<Event> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Event, id).await?;
        expect_version(&mut tx, RecordKind::Event, id, expected).await?;
        authorize(&mut tx, v, RecordKind::Event, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "event", id).await?;
        let before = fetch_event(&mut tx, id).await?;
        check_event(&mut tx, d).await?;
        if d.organizer_id != before.organizer_id {
            self.organiser_in_scope(&mut tx, v, d.organizer_id).await?;
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update event set title = $1, kind = $2, held_on = $3, place = $4, group_id = $5, organizer_id = $6, \
             batch_id = $7, agenda = $8, minutes = $9, updated_at = $10 where id = $11")
            .bind(&d.title).bind(d.kind.as_str()).bind(d.held_on).bind(&d.place).bind(d.group_id)
            .bind(d.organizer_id).bind(d.batch_id).bind(&d.agenda).bind(&d.minutes).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        write_links(&mut tx, EVENT_PERSON, id, &d.person_ids).await?;
        write_links(&mut tx, EVENT_ORGANIZATION, id, &d.organization_ids).await?;
        let after = fetch_event(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Event,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_event_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Event> {
        crate::records::set_archived(self, v, RecordKind::Event, id, archived, expected).await?;
        self.get_event(v, id).await
    }

    /// Outside the office, a meeting's organiser must be an organisation of the writer's scope.
    async fn organiser_in_scope(&self, tx: &mut Tx, v: &Viewer, organizer: Option<i64>) -> Result<()> {
        if v.scope == hezuo_domain::access::Scope::All {
            return Ok(());
        }
        let ok = match organizer {
            Some(o) => crate::access::in_own_scope(tx, v, RecordKind::Organization, o).await?,
            None => false,
        };
        if ok {
            Ok(())
        } else {
            Err(StoreError::invalid(
                "organizer_id",
                Msg::new("请选择您负责范围内的组织单位", "Choose an organiser within your scope"),
            ))
        }
    }
}
