//! Coordination bodies (协调机构, table `coordination_group`) and their members (`group_member`):
//! the record with the body above it (another body, never itself or one below it) and, for a
//! partnership team, its agreement; members one term a row, added in order, ended on a day,
//! removed; the bodies a person sits in; and the roster of a year (who served in which body, who
//! left).
//!
//! Every signed-in user reads every body: they are the cooperation's public bodies. Who changes
//! one is `access::authorize`'s: the office all of them; a coordinator only a partnership team
//! (合作小组) whose agreement has a party in their own scope — the leading group, the committee,
//! its office and the working groups are the city's and the university's, kept by the office.

use crate::access::{Viewer, audit, authorize, check, in_own_scope, must_see, restrict, snapshot, visible};
use crate::records::{archived_clause, check_parent, exists, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::group::{
    Group, GroupData, GroupFilter, GroupKind, GroupMember, MemberData, PersonGroup, Roster, RosterBody, Standing,
    check_term, standing_in,
};
use hezuo_domain::{ListParams, Msg, Page, RecordKind, input};
use std::collections::{BTreeMap, HashSet};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    kind: String,
    parent_id: Option<i64>,
    agreement_id: Option<i64>,
    remit: Option<String>,
    established_on: Option<NaiveDate>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, name, kind, parent_id, agreement_id, remit, established_on, archived, created_at, updated_at";

impl From<Row> for Group {
    fn from(r: Row) -> Self {
        Group {
            id: r.id,
            name: r.name,
            kind: GroupKind::parse(&r.kind).unwrap_or(GroupKind::Working),
            parent_id: r.parent_id,
            agreement_id: r.agreement_id,
            remit: r.remit,
            established_on: r.established_on,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    group_id: i64,
    person_id: i64,
    person_name: String,
    organization_id: Option<i64>,
    organization_name: Option<String>,
    post: String,
    from_on: Option<NaiveDate>,
    to_on: Option<NaiveDate>,
    position: i32,
}

impl From<MemberRow> for GroupMember {
    fn from(r: MemberRow) -> Self {
        GroupMember {
            id: r.id,
            group_id: r.group_id,
            person_id: r.person_id,
            person_name: r.person_name,
            organization_id: r.organization_id,
            organization_name: r.organization_name,
            post: r.post,
            from_on: r.from_on,
            to_on: r.to_on,
            position: r.position,
        }
    }
}

const MEMBER_SELECT: &str = "select m.id, m.group_id, m.person_id, p.name as person_name, m.organization_id, \
     o.name as organization_name, m.post, m.from_on, m.to_on, m.position from group_member m \
     join person p on p.id = m.person_id left join organization o on o.id = m.organization_id";

/// Appends the filter's conditions to a query over `coordination_group t`.
fn filter(q: &mut Q, f: &GroupFilter) -> Result<()> {
    archived_clause(q, "t", &f.archived);
    if let Some(s) = input::opt_text(&f.q) {
        q.push(" and lower(t.name) like ")
            .bind(Arg::Text(contains_pattern(s)))
            .push(" escape '\\'");
    }
    if let Some(k) = input::opt_text(&f.kind) {
        let Some(kind) = GroupKind::parse(k) else {
            return Err(StoreError::invalid(
                "kind",
                Msg::new(
                    format!("“{k}”不是有效的机构类型"),
                    format!("“{k}” is not a kind of body"),
                ),
            ));
        };
        q.push(" and t.kind = ").bind(Arg::Text(kind.as_str().into()));
    }
    if let Some(id) = id_filter(&f.parent_id, "parent_id")? {
        q.push(" and t.parent_id = ").bind(Arg::I64(id));
    }
    if let Some(id) = id_filter(&f.agreement_id, "agreement_id")? {
        q.push(" and t.agreement_id = ").bind(Arg::I64(id));
    }
    if let Some(id) = id_filter(&f.person_id, "person_id")? {
        q.push(" and t.id in (select group_id from group_member where person_id = ")
            .bind(Arg::I64(id))
            .push(")");
    }
    if let Some(id) = id_filter(&f.organization_id, "organization_id")? {
        q.push(" and t.id in (select group_id from group_member where organization_id = ")
            .bind(Arg::I64(id))
            .push(")");
    }
    Ok(())
}

/// The order bodies are shown in: leading group, committee, office, working groups, partnership teams.
fn kind_rank(k: GroupKind) -> usize {
    GroupKind::ALL.iter().position(|x| *x == k).unwrap_or(usize::MAX)
}

impl Store {
    /// Bodies matching `f`, a page at a time; every signed-in user reads them all.
    pub async fn list_groups(&self, v: &Viewer, f: &GroupFilter, p: &ListParams) -> Result<Page<Group>> {
        let mut q = Q::new("from coordination_group t where 1 = 1");
        restrict(&mut q, v, RecordKind::Group, "t");
        filter(&mut q, f)?;
        let (col, desc) = p.sort(&["id", "name", "kind", "established_on", "updated_at"], ("id", false))?;
        let order = format!("t.{col} {d}, t.id {d}", d = if desc { "desc" } else { "asc" });
        let cols = COLS
            .split(", ")
            .map(|c| format!("t.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let (total, rows) = fetch_page!(self, Row, cols, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_group(&self, v: &Viewer, id: i64) -> Result<Group> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Group, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn create_group(&self, v: &Viewer, d: &GroupData) -> Result<Group> {
        check(v, RecordKind::Group, Action::Create)?;
        let mut tx = self.begin().await?;
        check_group(&mut tx, v, None, d).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into coordination_group (name, kind, parent_id, agreement_id, remit, established_on, archived, \
             created_at, updated_at) values ($1, $2, $3, $4, $5, $6, false, $7, $7) returning id")
            .bind(&d.name).bind(d.kind.as_str()).bind(d.parent_id).bind(d.agreement_id).bind(&d.remit)
            .bind(d.established_on).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Group,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_group(&self, v: &Viewer, id: i64, d: &GroupData, expected: Option<i64>) -> Result<Group> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Group, id).await?;
        authorize(&mut tx, v, RecordKind::Group, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "coordination_group", id).await?;
        expect_version(&mut tx, RecordKind::Group, id, expected).await?;
        let before = fetch(&mut tx, id).await?;
        check_group(&mut tx, v, Some(id), d).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update coordination_group set name = $1, kind = $2, parent_id = $3, agreement_id = $4, remit = $5, \
             established_on = $6, updated_at = $7 where id = $8")
            .bind(&d.name).bind(d.kind.as_str()).bind(d.parent_id).bind(d.agreement_id).bind(&d.remit)
            .bind(d.established_on).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Group,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_group_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Group> {
        crate::records::set_archived(self, v, RecordKind::Group, id, archived, expected).await?;
        self.get_group(v, id).await
    }

    /// A body's members, every term (current and ended), in the order they were added.
    pub async fn group_members(&self, v: &Viewer, id: i64) -> Result<Vec<GroupMember>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Group, id).await?;
        let r = members_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Adds a member (one term) to a body, after the others; the organisation they sit for is
    /// the person's own when not given. Audited as a change of the body's `members`. The body's
    /// row is locked (PostgreSQL) or the one writer holds the store (SQLite), so members added
    /// at the same time are all kept, each in its own place.
    pub async fn add_group_member(&self, v: &Viewer, id: i64, d: &MemberData) -> Result<GroupMember> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Group, id).await?;
        authorize(&mut tx, v, RecordKind::Group, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "coordination_group", id).await?;
        // Any person may sit in a body, whoever's scope they are in: a county's partnership team
        // has the college's people in it, and a body's members are public like the body.
        if !exists(&mut tx, "person", d.person_id).await? {
            return Err(crate::access::unknown("person_id", ("人员", "person"), d.person_id));
        }
        let org = match d.organization_id {
            Some(o) => {
                if !exists(&mut tx, "organization", o).await? {
                    return Err(crate::access::unknown("organization_id", ("单位", "organisation"), o));
                }
                o
            }
            None => {
                on_tx!(&mut tx, c => sqlx::query_scalar::<_, i64>("select organization_id from person where id = $1")
                .bind(d.person_id).fetch_one(c).await)?
            }
        };
        if let Err(m) = check_term(d.from_on, d.to_on) {
            return Err(StoreError::invalid("to_on", m));
        }
        let before = members_in(&mut tx, id).await?;
        let position = before.iter().map(|m| m.position).max().map_or(0, |p| p + 1);
        let mid: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into group_member (group_id, person_id, organization_id, post, from_on, to_on, position) \
             values ($1, $2, $3, $4, $5, $6, $7) returning id")
            .bind(id).bind(d.person_id).bind(org).bind(&d.post).bind(d.from_on).bind(d.to_on).bind(position)
            .fetch_one(c).await)?;
        touch(&mut tx, id).await?;
        let after = members_in(&mut tx, id).await?;
        audit_members(&mut tx, v, id, &before, &after).await?;
        tx.commit().await?;
        after.into_iter().find(|m| m.id == mid).ok_or(StoreError::NotFound)
    }

    /// Ends a member's term on `to_on` (never before it began: 422 naming `to_on`).
    pub async fn end_group_term(&self, v: &Viewer, id: i64, member_id: i64, to_on: NaiveDate) -> Result<GroupMember> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Group, id).await?;
        authorize(&mut tx, v, RecordKind::Group, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "coordination_group", id).await?;
        let before = members_in(&mut tx, id).await?;
        let m = before.iter().find(|m| m.id == member_id).ok_or(StoreError::NotFound)?;
        if let Err(msg) = check_term(m.from_on, Some(to_on)) {
            return Err(StoreError::invalid("to_on", msg));
        }
        on_tx!(&mut tx, c => sqlx::query("update group_member set to_on = $1 where id = $2 and group_id = $3")
            .bind(to_on).bind(member_id).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        touch(&mut tx, id).await?;
        let after = members_in(&mut tx, id).await?;
        audit_members(&mut tx, v, id, &before, &after).await?;
        tx.commit().await?;
        after
            .into_iter()
            .find(|m| m.id == member_id)
            .ok_or(StoreError::NotFound)
    }

    /// Removes a member's term entered by mistake (a member who left keeps their ended term);
    /// NotFound if the term is not this body's.
    pub async fn remove_group_member(&self, v: &Viewer, id: i64, member_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Group, id).await?;
        authorize(&mut tx, v, RecordKind::Group, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "coordination_group", id).await?;
        let before = members_in(&mut tx, id).await?;
        let n = on_tx!(&mut tx, c => sqlx::query("delete from group_member where id = $1 and group_id = $2")
            .bind(member_id).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        touch(&mut tx, id).await?;
        let after = members_in(&mut tx, id).await?;
        audit_members(&mut tx, v, id, &before, &after).await?;
        tx.commit().await
    }

    /// The bodies a person sits or sat in (unarchived), each term once: current terms first
    /// (leading group first), then past ones, latest ended first.
    pub async fn groups_of_person(&self, v: &Viewer, person_id: i64) -> Result<Vec<PersonGroup>> {
        let mut tx = self.read().await?;
        let sql = format!("{MEMBER_SELECT} where m.person_id = $1 order by m.id");
        let members: Vec<MemberRow> =
            on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(person_id).fetch_all(c).await)?;
        let mut out = Vec::new();
        for m in members {
            if !visible(&mut tx, v, RecordKind::Group, m.group_id).await? {
                continue;
            }
            let g = fetch(&mut tx, m.group_id).await?;
            if !g.archived {
                out.push(PersonGroup {
                    group: g,
                    member: m.into(),
                });
            }
        }
        tx.commit().await?;
        let today = self.today();
        out.sort_by(|a, b| {
            let (ca, cb) = (a.member.current(today), b.member.current(today));
            cb.cmp(&ca)
                .then_with(|| kind_rank(a.group.kind).cmp(&kind_rank(b.group.kind)))
                .then_with(|| b.member.to_on.cmp(&a.member.to_on))
                .then_with(|| a.group.id.cmp(&b.group.id))
        });
        Ok(out)
    }

    /// Who served in which (unarchived) body in `year`, and who left in it: bodies in kind order
    /// (leading group first), members in their order within each.
    pub async fn group_roster(&self, v: &Viewer, year: i32) -> Result<Roster> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::NotFound)?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?;
        let mut q = Q::new(
            "select t.id, t.name, t.kind from coordination_group t where t.archived = false and t.id in \
             (select m.group_id from group_member m where (m.from_on is null or m.from_on <= ",
        );
        q.bind(Arg::Date(last))
            .push(") and (m.to_on is null or m.to_on >= ")
            .bind(Arg::Date(first))
            .push("))");
        restrict(&mut q, v, RecordKind::Group, "t");
        let groups: Vec<(i64, String, String)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let ids: Vec<i64> = groups.iter().map(|g| g.0).collect();
        let mut mq = Q::new(&format!("{MEMBER_SELECT} where m.group_id in "));
        mq.bind_list(&ids).push(" order by m.group_id, m.position, m.id");
        let members: Vec<MemberRow> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(mq.sql.clone())), mq.args).fetch_all(p).await)?;
        let mut by_group: BTreeMap<i64, (Vec<GroupMember>, Vec<GroupMember>)> = BTreeMap::new();
        let (mut serving, mut left) = (HashSet::new(), HashSet::new());
        for m in members {
            let m: GroupMember = m.into();
            let slot = by_group.entry(m.group_id).or_default();
            match standing_in(m.from_on, m.to_on, year) {
                Some(Standing::Serving) => {
                    serving.insert(m.person_id);
                    slot.0.push(m);
                }
                Some(Standing::Left) => {
                    left.insert(m.person_id);
                    slot.1.push(m);
                }
                None => {}
            }
        }
        let mut bodies: Vec<RosterBody> = groups
            .into_iter()
            .map(|(id, name, kind)| {
                let (s, l) = by_group.remove(&id).unwrap_or_default();
                RosterBody {
                    group_id: id,
                    group_name: name,
                    kind: GroupKind::parse(&kind).unwrap_or(GroupKind::Working),
                    serving: s,
                    left: l,
                }
            })
            .collect();
        bodies.sort_by(|a, b| {
            kind_rank(a.kind)
                .cmp(&kind_rank(b.kind))
                .then_with(|| a.group_id.cmp(&b.group_id))
        });
        Ok(Roster {
            year,
            bodies,
            serving_people: serving.len() as i64,
            left_people: left.len() as i64,
        })
    }

    /// People one may add to a body, for whoever may keep one: every unarchived person with their
    /// organisation — (id, "name（organisation）") — since members of a public body are public.
    pub async fn group_member_options(&self, v: &Viewer) -> Result<Vec<(i64, String)>> {
        check(v, RecordKind::Group, Action::Update)?;
        let rows: Vec<(i64, String, String)> = on_db!(&self.db, p => sqlx::query_as(
            "select p.id, p.name, o.name from person p join organization o on o.id = p.organization_id \
             where p.archived = false order by o.name, p.id limit 5000")
            .fetch_all(p).await)?;
        Ok(rows.into_iter().map(|(id, n, o)| (id, format!("{n}（{o}）"))).collect())
    }

    /// Bodies one may sit another under: (id, name), every unarchived body.
    pub async fn group_options(&self, v: &Viewer) -> Result<Vec<(i64, String)>> {
        let mut q = Q::new("select t.id, t.name from coordination_group t where t.archived = false");
        restrict(&mut q, v, RecordKind::Group, "t");
        q.push(" order by t.id limit 1000");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }
}

/// What only the database can check of a body: its parent is another body (no cycle), its
/// agreement exists and is visible — and for a scoped writer (a coordinator), that it is a
/// partnership team whose agreement has a party in their scope.
async fn check_group(tx: &mut Tx, v: &Viewer, id: Option<i64>, d: &GroupData) -> Result<()> {
    check_parent(tx, "coordination_group", id, d.parent_id, ("机构", "body")).await?;
    if let Some(a) = d.agreement_id
        && !visible(tx, v, RecordKind::Agreement, a).await?
    {
        return Err(crate::access::unknown("agreement_id", ("合作协议", "agreement"), a));
    }
    if v.scope != Scope::All {
        if d.kind != GroupKind::Partnership {
            return Err(StoreError::invalid(
                "kind",
                Msg::new(
                    "区县/学院联络员只能登记和维护合作小组（县院合作）；领导小组、协调委员会、办公室和专门工作小组由协调办维护",
                    "A coordinator keeps partnership teams only; the leading group, the committee, its office and the \
                     working groups are the office's",
                ),
            ));
        }
        let ours = match d.agreement_id {
            Some(a) => in_own_scope(tx, v, RecordKind::Agreement, a).await?,
            None => false,
        };
        if !ours {
            return Err(StoreError::invalid(
                "agreement_id",
                Msg::new(
                    "请选择您负责范围内的县院合作协议",
                    "Name a county–college agreement within your scope",
                ),
            ));
        }
    }
    Ok(())
}

async fn touch(tx: &mut Tx, id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("update coordination_group set updated_at = $1 where id = $2").bind(now()).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

async fn audit_members(tx: &mut Tx, v: &Viewer, id: i64, before: &[GroupMember], after: &[GroupMember]) -> Result<()> {
    let list = |l: &[GroupMember]| {
        serde_json::json!({ "members": l.iter().map(|m| {
            let to = m.to_on.map(|d| format!("，至 {d}")).unwrap_or_default();
            format!("{}（{}{to}）", m.person_name, m.post)
        }).collect::<Vec<_>>() })
    };
    audit(
        tx,
        v,
        RecordKind::Group,
        id,
        "update",
        Some(&list(before)),
        Some(&list(after)),
    )
    .await
}

async fn members_in(tx: &mut Tx, id: i64) -> Result<Vec<GroupMember>> {
    let sql = format!("{MEMBER_SELECT} where m.group_id = $1 order by m.position, m.id");
    let rows: Vec<MemberRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Group> {
    let sql = format!("select {COLS} from coordination_group where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
