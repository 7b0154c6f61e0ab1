//! The one place where access is decided for every read and write: [`Viewer`] is who is asking,
//! [`restrict`] narrows any query to what they may see, [`check`] refuses what their role may not
//! do, and [`audit`] writes the change, in the caller's transaction, to the append-only audit log.

use crate::sql::{Arg, Q};
use crate::{Result, StoreError, Tx, now, on_tx};
use hezuo_domain::access::{Action, Role, Scope, forbidden};
use hezuo_domain::demand::DemandStatus;
use hezuo_domain::outcome::OutcomeStatus;
use hezuo_domain::{Msg, RecordKind};
use serde_json::{Map, Value};

/// Who is asking, with what role and scope, from where.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// None for the system itself (demo data, command-line tools).
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    pub ip: Option<String>,
}

impl Viewer {
    /// The platform itself, acting with the office's rights (loading demo data, the CLI).
    pub fn system(name: &str) -> Viewer {
        Viewer {
            user_id: None,
            username: name.to_string(),
            role: Role::Office,
            scope: Scope::All,
            ip: None,
        }
    }
}

/// The organisations a scope reaches, as an SQL set (`(…)`) with its values bound.
pub(crate) fn org_set(q: &mut Q, scope: &Scope) {
    match scope {
        Scope::All => {
            q.push("(select id from organization)");
        }
        Scope::Subtree(root) => org_subtree(q, *root),
        Scope::Org(id) | Scope::Person { org_id: id, .. } => {
            q.push("(");
            q.bind(Arg::I64(*id));
            q.push(")");
        }
    }
}

/// Appends ` and <the projects of the subtree under root>`: led by one of its units or with one of
/// them taking part, each row tested (`lead_unit_id in … or id in …`). It records, for a list (see
/// `scopes.rs`), the same test written for a page walked in the list's order (the lead-unit index
/// kept out with `+ 0`, so the planner walks instead of gathering) and as one gathered set.
fn subtree_projects(q: &mut Q, alias: &str, root: i64) {
    let start = q.sql.len();
    let led = subtree_units(q, root);
    let part = subtree_units(q, root);
    let co = format!("select project_id from project_co_unit where organization_id in {part}");
    let walk = |lead: &str| format!(" and ({alias}.{lead} in {led} or {alias}.id in ({co}))");
    let written = walk("lead_unit_id");
    q.push(&written);
    let set = format!(
        " and {alias}.id in (select scope_p.id from project scope_p where scope_p.lead_unit_id in {led} union all {co})"
    );
    q.scopes.push(crate::sql::ScopeSpan {
        root,
        start,
        walk: written,
        page: walk("lead_unit_id + 0"),
        set,
    });
}

/// Whether the project `col` names is one `v` sees, for records that belong to a project, written
/// as `col in (<the projects v sees>)` when `by_key` is false — for kinds with many rows per project
/// (milestones, reports: their list reads the set once) — and as `exists (<that project, if v
/// sees it>)` when true — for kinds with few (problems: each row's project looked up by key, where
/// the set of a county's 8,000 projects out of a million was gathered for each list and count,
/// 27 ms each on a coordinator's board with no problem at all). A subtree is written as its
/// gathered set (`ScopeSpan::set`) and not recorded for a list to rewrite: inside this subquery a
/// page's walk (`+ 0`) reads every project (110 ms for a county's open problems among a million).
fn projects_seen(q: &mut Q, v: &Viewer, col: &str, by_key: bool) {
    q.push(&if by_key {
        format!("exists (select 1 from project p where p.id = {col}")
    } else {
        format!("{col} in (select p.id from project p where 1 = 1")
    });
    let from = q.scopes.len();
    restrict(q, v, RecordKind::Project, "p");
    q.write_as_sets(from);
    q.push(")");
}

/// The organisation `root` and every one below it, as an SQL set (`(select org_id …)`).
pub(crate) fn org_subtree(q: &mut Q, root: i64) {
    let units = subtree_units(q, root);
    q.push(&units);
}

/// The units of the subtree under `root` as an SQL set, `root` bound as the query's next value.
fn subtree_units(q: &mut Q, root: i64) -> String {
    q.args.push(Arg::I64(root));
    format!(
        "(select org_id from org_ancestor where ancestor_id = ${})",
        q.args.len()
    )
}

/// How far a viewer reaches: their scope, or their scope and the people an accepted match put them
/// in touch with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// What the viewer keeps: records of their own scope (writes, form menus, attachments).
    Scope,
    /// What the viewer reads: their scope, and — once an expert accepted a match — the other side
    /// of it: the expert reads the enterprise and its contact people, the enterprise (and whoever
    /// sees its demands) reads the expert.
    Contacts,
}

/// Appends ` and <condition>` limiting rows of `kind` (its table named `alias`) to what `v` may see.
pub(crate) fn restrict(q: &mut Q, v: &Viewer, kind: RecordKind, alias: &str) {
    restrict_to(q, v, kind, alias, Reach::Contacts);
}

/// Appends ` and <condition>` limiting rows of `kind` to those of `v`'s own scope: what they may
/// change or pick in a form. The same as [`restrict`] but for the contacts of accepted matches,
/// which are read, never changed.
pub(crate) fn restrict_own(q: &mut Q, v: &Viewer, kind: RecordKind, alias: &str) {
    restrict_to(q, v, kind, alias, Reach::Scope);
}

/// The demands on which the expert `person` accepted a match, as an SQL set.
fn accepted_demands_of(q: &mut Q, person: i64) {
    q.push("(select am.demand_id from demand_match am where am.status = 'accepted' and am.person_id = ");
    q.bind(Arg::I64(person));
    q.push(")");
}

fn restrict_to(q: &mut Q, v: &Viewer, kind: RecordKind, alias: &str, reach: Reach) {
    let restrict = |q: &mut Q, v: &Viewer, kind: RecordKind, alias: &str| restrict_to(q, v, kind, alias, reach);
    // Issued bulletins are circulated to all; drafts stay with the office, whatever the scope.
    if kind == RecordKind::Bulletin {
        if v.role != Role::Office {
            q.push(&format!(" and {alias}.status = 'issued'"));
        }
        return;
    }
    // Notices for the public portal: drafts stay with the office; published ones are read by all.
    if kind == RecordKind::Notice {
        if v.role != Role::Office {
            q.push(&format!(" and {alias}.status = 'published'"));
        }
        return;
    }
    // The annual review is the city's document: the office keeps it, leaders read drafts too,
    // coordinators read issued ones (whole-city figures), no one else reads it.
    if kind == RecordKind::AnnualReview {
        match v.role {
            Role::Office | Role::Leader => {}
            Role::Coordinator => {
                q.push(&format!(" and {alias}.status = 'issued'"));
            }
            Role::Unit | Role::Enterprise | Role::Expert => {
                q.push(" and 1 = 0");
            }
        }
        return;
    }
    if v.scope == Scope::All {
        return;
    }
    let person = match v.scope {
        Scope::Person { person_id, .. } => Some(person_id),
        _ => None,
    };
    match kind {
        RecordKind::Organization => {
            q.push(&format!(" and ({alias}.id in "));
            org_set(q, &v.scope);
            // An expert reads the enterprise of a demand whose match they accepted.
            if let (Some(p), Reach::Contacts) = (person, reach) {
                q.push(&format!(
                    " or {alias}.id in (select ad.enterprise_id from demand ad where ad.id in "
                ));
                accepted_demands_of(q, p);
                q.push(")");
            }
            q.push(")");
        }
        RecordKind::Person => match person {
            Some(p) => {
                q.push(&format!(" and ({alias}.id = ")).bind(Arg::I64(p));
                // …and its people: the contacts they will work with.
                if reach == Reach::Contacts {
                    q.push(&format!(
                        " or {alias}.organization_id in (select ad.enterprise_id from demand ad where ad.id in "
                    ));
                    accepted_demands_of(q, p);
                    q.push(")");
                }
                q.push(")");
            }
            None => {
                q.push(&format!(" and ({alias}.organization_id in "));
                org_set(q, &v.scope);
                // Whoever sees an enterprise's demands reads the experts who accepted one.
                if reach == Reach::Contacts {
                    q.push(&format!(
                        " or {alias}.id in (select am.person_id from demand_match am join demand ad on ad.id = am.demand_id \
                         where am.status = 'accepted' and ad.enterprise_id in "
                    ));
                    org_set(q, &v.scope);
                    q.push(")");
                }
                q.push(")");
            }
        },
        RecordKind::Agreement => match person {
            Some(_) => {
                q.push(" and 1 = 0");
            }
            None => {
                q.push(&format!(
                    " and {alias}.id in (select agreement_id from agreement_party where organization_id in "
                ));
                org_set(q, &v.scope);
                q.push(")");
            }
        },
        RecordKind::Project => match person {
            Some(p) => {
                q.push(&format!(" and {alias}.responsible_person_id = "))
                    .bind(Arg::I64(p));
            }
            None => match v.scope {
                Scope::Subtree(root) => subtree_projects(q, alias, root),
                _ => {
                    q.push(&format!(" and ({alias}.lead_unit_id in "));
                    org_set(q, &v.scope);
                    q.push(&format!(
                        " or {alias}.id in (select project_id from project_co_unit where organization_id in "
                    ));
                    org_set(q, &v.scope);
                    q.push("))");
                }
            },
        },
        RecordKind::Milestone => {
            q.push(" and ");
            projects_seen(q, v, &format!("{alias}.project_id"), false);
        }
        // Files on a contact's record stay with its owners: attachments follow the viewer's scope.
        RecordKind::Attachment => restrict_ref_to(
            q,
            v,
            &format!("{alias}.record_kind"),
            &format!("{alias}.record_id"),
            Reach::Scope,
        ),
        RecordKind::User => {
            q.push(" and 1 = 0");
        }
        // An enterprise's application: beyond the office and leaders, a coordinator whose subtree
        // holds the county's organisation it applied under; no one else.
        RecordKind::Registration => {
            if v.role == Role::Coordinator {
                q.push(&format!(" and {alias}.parent_id in "));
                org_set(q, &v.scope);
            } else {
                q.push(" and 1 = 0");
            }
        }
        // The year's project list itself is no secret: every signed-in user may read it.
        RecordKind::Batch => {}
        RecordKind::Bulletin | RecordKind::AnnualReview | RecordKind::Notice => {}
        RecordKind::ProgressReport => {
            q.push(" and ");
            projects_seen(q, v, &format!("{alias}.project_id"), false);
        }
        // Campaigns and the university's results are published to every signed-in user.
        RecordKind::Campaign | RecordKind::ResearchResult => {}
        // Platforms are public bodies of the cooperation: read by all, with their evaluations;
        // who keeps one is decided in `authorize` (a host in the scope).
        RecordKind::Platform | RecordKind::PlatformEvaluation => {}
        // Issue 16's records: each is narrowed by the module that owns it.
        // Coordination bodies are public bodies of the cooperation: read by every signed-in user;
        // who keeps one is decided in `authorize` (a coordinator: a partnership team of theirs).
        RecordKind::Group => {}
        // A secondment is seen by the secondee, and by whose scope holds the organisation they
        // come from or serve at (a county coordinator sees the secondees in their county); its
        // reports go with it.
        RecordKind::Secondment => match person {
            Some(p) => {
                q.push(&format!(" and {alias}.person_id = ")).bind(Arg::I64(p));
            }
            None => {
                q.push(&format!(" and ({alias}.from_organization_id in "));
                org_set(q, &v.scope);
                q.push(&format!(" or {alias}.to_organization_id in "));
                org_set(q, &v.scope);
                q.push(")");
            }
        },
        RecordKind::SecondmentReport => {
            q.push(&format!(
                " and {alias}.secondment_id in (select sm.id from secondment sm where 1 = 1"
            ));
            restrict(q, v, RecordKind::Secondment, "sm");
            q.push(")");
        }
        // Meetings are read by those who work the cooperation (every organisation-wide role); an
        // enterprise reads the meetings it attended, an expert those they attended.
        RecordKind::Event => match person {
            Some(p) => {
                q.push(&format!(
                    " and {alias}.id in (select ep.event_id from event_person ep where ep.person_id = "
                ))
                .bind(Arg::I64(p))
                .push(")");
            }
            None if v.role == Role::Enterprise => {
                q.push(&format!(
                    " and {alias}.id in (select eo.event_id from event_organization eo where eo.organization_id in "
                ));
                org_set(q, &v.scope);
                q.push(")");
            }
            None => {}
        },
        // A decision is read with its meeting, and by the one it is given to (its owner unit, the
        // person responsible).
        RecordKind::Decision => match person {
            Some(p) => {
                q.push(&format!(" and ({alias}.responsible_person_id = "))
                    .bind(Arg::I64(p))
                    .push(&format!(
                        " or {alias}.event_id in (select ee.id from event ee where 1 = 1"
                    ));
                restrict(q, v, RecordKind::Event, "ee");
                q.push("))");
            }
            None if v.role == Role::Enterprise => {
                q.push(&format!(" and ({alias}.owner_id in "));
                org_set(q, &v.scope);
                q.push(&format!(
                    " or {alias}.event_id in (select ee.id from event ee where 1 = 1"
                ));
                restrict(q, v, RecordKind::Event, "ee");
                q.push("))");
            }
            None => {}
        },
        // A training is seen within the scope that organised or co-organised it, sent people to
        // it, or (a county's coordinator) whose county it served.
        RecordKind::Training => {
            q.push(&format!(" and ({alias}.organizer_id in "));
            org_set(q, &v.scope);
            q.push(&format!(" or {alias}.co_organizer_id in "));
            org_set(q, &v.scope);
            q.push(&format!(
                " or {alias}.id in (select tp.training_id from training_participant tp where tp.organization_id in "
            ));
            org_set(q, &v.scope);
            q.push(")");
            if let Scope::Subtree(root) = v.scope {
                q.push(&format!(
                    " or {alias}.county_code in (select tg.region_code from organization tg where tg.kind = 'government' and tg.id = "
                ))
                .bind(Arg::I64(root))
                .push(")");
            }
            q.push(")");
        }
        // A chief expert's appointment is seen by the expert, by whoever reaches the place served
        // (a county's coordinator) and by whoever reaches the expert's organisation (their
        // college); a chain-only appointment by the latter. The service log goes with it.
        RecordKind::ChiefExpert => match person {
            Some(p) => {
                q.push(&format!(" and {alias}.person_id = ")).bind(Arg::I64(p));
            }
            None => {
                q.push(&format!(" and ({alias}.organization_id in "));
                org_set(q, &v.scope);
                q.push(&format!(
                    " or {alias}.person_id in (select cp.id from person cp where cp.organization_id in "
                ));
                org_set(q, &v.scope);
                q.push("))");
            }
        },
        RecordKind::ServiceLog => {
            q.push(&format!(
                " and {alias}.chief_expert_id in (select ce.id from chief_expert ce where 1 = 1"
            ));
            restrict(q, v, RecordKind::ChiefExpert, "ce");
            q.push(")");
        }
        // An enterprise's demands are seen by the enterprise and by the coordinators above it.
        // An expert sees the demands matched to them (once matching exists).
        RecordKind::Demand => match person {
            Some(p) => {
                q.push(&format!(
                    " and {alias}.id in (select dm.demand_id from demand_match dm where dm.person_id = "
                ))
                .bind(Arg::I64(p))
                .push(")");
            }
            None => {
                q.push(&format!(" and {alias}.enterprise_id in "));
                org_set(q, &v.scope);
            }
        },
        // A message is seen by whoever is in its thread: a demand's thread with the demand (the
        // enterprise, the coordinators above it, the experts matched to it), a match's thread
        // with the match (its expert, and whoever sees its demand but the other experts).
        RecordKind::Message => {
            q.push(&format!(
                " and (({alias}.demand_id is not null and {alias}.demand_id in (select md.id from demand md where 1 = 1"
            ));
            restrict(q, v, RecordKind::Demand, "md");
            q.push(&format!(
                ")) or ({alias}.match_id is not null and {alias}.match_id in (select mm.id from demand_match mm where 1 = 1"
            ));
            restrict(q, v, RecordKind::Match, "mm");
            q.push(")))");
        }
        // A match is seen with its demand, and by the expert it names.
        RecordKind::Match => match person {
            Some(p) => {
                q.push(&format!(" and {alias}.person_id = ")).bind(Arg::I64(p));
            }
            None => {
                q.push(&format!(
                    " and {alias}.demand_id in (select dd.id from demand dd where 1 = 1"
                ));
                restrict(q, v, RecordKind::Demand, "dd");
                q.push(")");
            }
        },
        // An outcome is seen by its reporting organisation, the organisations it counts for and
        // (a transfer) the enterprise that took it — each with the coordinators above them; an
        // expert sees those naming them and those of their projects.
        RecordKind::Outcome => match person {
            Some(p) => {
                q.push(&format!(
                    " and ({alias}.id in (select op.outcome_id from outcome_person op where op.person_id = "
                ))
                .bind(Arg::I64(p));
                q.push(&format!(
                    ") or {alias}.project_id in (select p.id from project p where p.responsible_person_id = "
                ))
                .bind(Arg::I64(p))
                .push("))");
            }
            None => {
                q.push(&format!(" and ({alias}.organization_id in "));
                org_set(q, &v.scope);
                q.push(&format!(" or {alias}.enterprise_id in "));
                org_set(q, &v.scope);
                q.push(&format!(
                    " or {alias}.id in (select op.outcome_id from outcome_party op where op.organization_id in "
                ));
                org_set(q, &v.scope);
                q.push("))");
            }
        },
        // Papers and patents go with the expert's profile.
        RecordKind::ExpertWork => {
            q.push(&format!(
                " and {alias}.person_id in (select pw.id from person pw where 1 = 1"
            ));
            restrict(q, v, RecordKind::Person, "pw");
            q.push(")");
        }
        // A webhook (issue 18) is kept by those whose scope holds its organisation: a unit its
        // own, a coordinator those of their subtree; enterprises and experts have none.
        RecordKind::Webhook => {
            if matches!(v.role, Role::Enterprise | Role::Expert) {
                q.push(" and 1 = 0");
            } else {
                q.push(&format!(" and {alias}.organization_id in "));
                org_set(q, &v.scope);
            }
        }
        // A problem is seen by those who see its project and by the organisation that owns it. An
        // expert acts for themself, not for their organisation: they see their projects' problems.
        RecordKind::Problem => {
            q.push(" and (");
            if person.is_none() {
                q.push(&format!("{alias}.owner_id in "));
                org_set(q, &v.scope);
                q.push(" or ");
            }
            projects_seen(q, v, &format!("{alias}.project_id"), true);
            q.push(")");
        }
    }
}

/// Appends ` and <condition>` keeping rows that point at a record (`kind_col`, `id_col`) `v` may see.
pub(crate) fn restrict_ref(q: &mut Q, v: &Viewer, kind_col: &str, id_col: &str) {
    restrict_ref_to(q, v, kind_col, id_col, Reach::Contacts);
}

fn restrict_ref_to(q: &mut Q, v: &Viewer, kind_col: &str, id_col: &str, reach: Reach) {
    if v.scope == Scope::All {
        return;
    }
    q.push(" and (1 = 0");
    for k in RecordKind::ATTACHABLE {
        q.push(&format!(
            " or ({kind_col} = '{}' and {id_col} in (select r.id from {} r where 1 = 1",
            k.as_str(),
            k.table()
        ));
        restrict_to(q, v, k, "r", reach);
        q.push("))");
    }
    q.push(")");
}

/// Whether `v` may see the record `kind`/`id` (false too when it does not exist).
pub(crate) async fn visible(tx: &mut Tx, v: &Viewer, kind: RecordKind, id: i64) -> Result<bool> {
    visible_to(tx, v, kind, id, Reach::Contacts).await
}

/// Whether the record `kind`/`id` lies in `v`'s own scope: what they may change (if their role
/// may), attach files to, or name in a record they write.
pub(crate) async fn in_own_scope(tx: &mut Tx, v: &Viewer, kind: RecordKind, id: i64) -> Result<bool> {
    visible_to(tx, v, kind, id, Reach::Scope).await
}

/// NotFound unless the record lies in `v`'s own scope (see [`in_own_scope`]); a record they only
/// read as a contact is not theirs to change.
pub(crate) async fn must_own(tx: &mut Tx, v: &Viewer, kind: RecordKind, id: i64) -> Result<()> {
    if in_own_scope(tx, v, kind, id).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

async fn visible_to(tx: &mut Tx, v: &Viewer, kind: RecordKind, id: i64, reach: Reach) -> Result<bool> {
    let mut q = Q::new(&format!("select count(*) from {} t where t.id = ", kind.table()));
    q.bind(Arg::I64(id));
    restrict_to(&mut q, v, kind, "t", reach);
    let n: i64 = on_tx!(tx, c => crate::sql::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(c).await)?;
    Ok(n > 0)
}

/// NotFound unless `v` may see the record: what is outside a scope does not exist for that user.
pub(crate) async fn must_see(tx: &mut Tx, v: &Viewer, kind: RecordKind, id: i64) -> Result<()> {
    if visible(tx, v, kind, id).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Forbidden unless the role may ever do `action` on `kind`.
pub fn check(v: &Viewer, kind: RecordKind, action: Action) -> Result<()> {
    if v.role.may(kind, action) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(forbidden()))
    }
}

/// Whether `v` may do `action` on the record `kind`/`id` — or, with no id, create one — as the
/// store's writes decide it: the role's table ([`check`]), the scope ([`must_see`]) and the rules
/// some records add. Every write of an existing record starts here, and [`crate::Store::can`] asks
/// the same question for the pages, so a page never offers what the store would refuse.
pub(crate) async fn authorize(
    tx: &mut Tx,
    v: &Viewer,
    kind: RecordKind,
    id: Option<i64>,
    action: Action,
) -> Result<()> {
    check(v, kind, action)?;
    let Some(id) = id else { return Ok(()) };
    // What a user reads only as a contact (an accepted match) is not theirs to change.
    must_own(tx, v, kind, id).await?;
    // An enterprise's demand is edited while it is a draft, returned or waiting for screening;
    // after that only by those who review demands.
    if kind == RecordKind::Demand && action == Action::Update && !v.role.may_review_demands() {
        let status: String =
            on_tx!(tx, c => sqlx::query_scalar("select status from demand where id = $1").bind(id).fetch_one(c).await)?;
        if DemandStatus::parse(&status).is_some_and(|s| !s.editable()) {
            return Err(StoreError::conflict(
                "status",
                Msg::new(
                    "需求已进入评审，不能再修改内容",
                    "The demand is under review; its text can no longer be changed",
                ),
            ));
        }
    }
    // Solicitation calls are read by all; they are kept by those whose scope holds the organiser.
    if kind == RecordKind::Campaign && v.scope != Scope::All {
        let mut q =
            Q::new("select count(*) from campaign c join organization r on r.id = c.organizer_id where c.id = ");
        q.bind(Arg::I64(id));
        restrict_own(&mut q, v, RecordKind::Organization, "r");
        let n: i64 = on_tx!(tx, c => crate::sql::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(c).await)?;
        if n == 0 {
            return Err(StoreError::Forbidden(Msg::new(
                "只能修改您负责范围内单位组织的征集",
                "You may only keep calls organised within your scope",
            )));
        }
    }
    // Platforms are read by all; they are kept by those whose scope holds one of their hosts.
    if kind == RecordKind::Platform && v.scope != Scope::All {
        let mut q = Q::new(
            "select count(*) from platform_host h join organization r on r.id = h.organization_id where h.platform_id = ",
        );
        q.bind(Arg::I64(id));
        restrict_own(&mut q, v, RecordKind::Organization, "r");
        let n: i64 = on_tx!(tx, c => crate::sql::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(c).await)?;
        if n == 0 {
            return Err(StoreError::Forbidden(Msg::new(
                "只能修改依托单位在您负责范围内的平台",
                "You may only keep platforms with a host within your scope",
            )));
        }
    }
    // The university's results are read by all; they are kept by those whose scope holds one of
    // their owners (an expert their own, a college coordinator its experts').
    if kind == RecordKind::ResearchResult && v.scope != Scope::All {
        let mut q = Q::new(
            "select count(*) from research_result_owner o join person r on r.id = o.person_id where o.result_id = ",
        );
        q.bind(Arg::I64(id));
        restrict_own(&mut q, v, RecordKind::Person, "r");
        let n: i64 = on_tx!(tx, c => crate::sql::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(c).await)?;
        if n == 0 {
            return Err(StoreError::Forbidden(Msg::new(
                "只能修改您负责范围内专家的成果",
                "You may only keep results owned by experts in your scope",
            )));
        }
    }
    if kind == RecordKind::Outcome {
        authorize_outcome(tx, v, id, action).await?;
    }
    // Meetings are read widely; one is kept by those whose scope holds its organiser. A decision is
    // kept by those whose scope holds its owner unit (a unit reports on its own) or the meeting's organiser.
    if matches!(kind, RecordKind::Event | RecordKind::Decision) && v.scope != Scope::All {
        let mut q = Q::new("select count(*) from ");
        if kind == RecordKind::Event {
            q.push("event e join organization r on r.id = e.organizer_id where e.id = ")
                .bind(Arg::I64(id));
        } else {
            q.push("decision d join event e on e.id = d.event_id join organization r on r.id = d.owner_id or r.id = e.organizer_id where d.id = ")
                .bind(Arg::I64(id));
        }
        restrict_own(&mut q, v, RecordKind::Organization, "r");
        let n: i64 = on_tx!(tx, c => crate::sql::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(c).await)?;
        if n == 0 {
            return Err(StoreError::Forbidden(if kind == RecordKind::Event {
                Msg::new(
                    "只能修改您负责范围内单位组织的会议",
                    "You may only keep meetings organised within your scope",
                )
            } else {
                Msg::new(
                    "只能办理本单位（或您负责范围内单位）承办的议定事项",
                    "You may only keep decisions given to an organisation in your scope",
                )
            }));
        }
    }
    // Coordination bodies are read by all; a scoped user (a coordinator) keeps only a partnership
    // team (合作小组) whose agreement has a party in their scope — the leading group, the
    // committee, its office and the working groups are the office's.
    if kind == RecordKind::Group && v.scope != Scope::All {
        let mut q = Q::new(
            "select count(*) from coordination_group g join agreement_party ap on ap.agreement_id = g.agreement_id \
             join organization r on r.id = ap.organization_id where g.kind = 'partnership' and g.id = ",
        );
        q.bind(Arg::I64(id));
        restrict_own(&mut q, v, RecordKind::Organization, "r");
        let n: i64 = on_tx!(tx, c => crate::sql::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(c).await)?;
        if n == 0 {
            return Err(StoreError::Forbidden(Msg::new(
                "只能维护合作协议在您负责范围内的合作小组",
                "You may only keep partnership teams whose agreement lies within your scope",
            )));
        }
    }
    // A training is kept by whose scope holds its organiser or co-organiser (seeing it for the
    // county it served or the people sent to it is not keeping it).
    if kind == RecordKind::Training && v.scope != Scope::All {
        let mut q = Q::new(
            "select count(*) from training t join organization r on r.id = t.organizer_id or r.id = t.co_organizer_id \
             where t.id = ",
        );
        q.bind(Arg::I64(id));
        restrict_own(&mut q, v, RecordKind::Organization, "r");
        let n: i64 = on_tx!(tx, c => crate::sql::bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(c).await)?;
        if n == 0 {
            return Err(StoreError::Forbidden(Msg::new(
                "只能修改主办或协办单位在您负责范围内的培训",
                "You may only keep trainings organised within your scope",
            )));
        }
    }
    Ok(())
}

/// The rules outcomes add to a write (see [`crate::access::authorize`]): a confirmed entry is
/// changed by the office only; a unit or an enterprise changes only what it reported itself.
async fn authorize_outcome(tx: &mut Tx, v: &Viewer, id: i64, action: Action) -> Result<()> {
    if v.role == Role::Office {
        return Ok(());
    }
    let row: Option<(String, i64)> = on_tx!(tx, c => sqlx::query_as("select status, organization_id from outcome where id = $1")
            .bind(id).fetch_optional(c).await)?;
    let Some((status, org)) = row else {
        return Err(StoreError::NotFound);
    };
    if let Scope::Org(own) = v.scope
        && own != org
    {
        return Err(StoreError::Forbidden(Msg::new(
            "只能修改本单位登记的成果",
            "You may only change outcomes your organisation reported",
        )));
    }
    if status == OutcomeStatus::Confirmed.as_str() && action != Action::Create {
        return Err(StoreError::conflict(
            "status",
            Msg::new(
                "成果已确认，只有协调办可以修改",
                "The outcome is confirmed; only the office may change it",
            ),
        ));
    }
    Ok(())
}

impl crate::Store {
    /// Whether `v` may do `action` on `kind`/`id` (create one, with no id): the question every
    /// page asks before it shows a button, a link or a form, answered by the rules the writes apply.
    pub async fn can(&self, v: &Viewer, kind: RecordKind, id: Option<i64>, action: Action) -> Result<bool> {
        match self.may_do(v, kind, id, action).await {
            Ok(()) => Ok(true),
            Err(StoreError::Forbidden(_) | StoreError::NotFound | StoreError::Invalid(_) | StoreError::Conflict(_)) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Why `v` may not do `action` on `kind`/`id` — the refusal the write would answer with
    /// (forbidden, not found, a conflict with the record's state) — or `Ok` when they may.
    pub async fn may_do(&self, v: &Viewer, kind: RecordKind, id: Option<i64>, action: Action) -> Result<()> {
        check(v, kind, action)?;
        let mut tx = self.read().await?;
        let r = authorize(&mut tx, v, kind, id, action).await;
        tx.commit().await?;
        r
    }
}

/// The message for a referenced record that does not exist or lies outside the user's scope:
/// the two read the same, so existence never leaks.
pub(crate) fn unknown(field: &str, what: (&str, &str), id: i64) -> StoreError {
    StoreError::invalid(
        field,
        Msg::new(
            format!("{}（编号 {id}）不存在", what.0),
            format!("There is no {} with id {id}", what.1),
        ),
    )
}

/// Writes one audit entry for a change of `kind`/`id`: each field whose value differs between
/// `before` and `after` (records as JSON), with both values. Nothing is written when nothing changed.
pub(crate) async fn audit(
    tx: &mut Tx,
    v: &Viewer,
    kind: RecordKind,
    id: i64,
    action: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<()> {
    let changes = changes(before, after);
    if changes.is_empty() && action == "update" {
        return Ok(());
    }
    let text = Value::Object(changes).to_string();
    let t = now();
    feed(tx, kind, id).await?;
    on_tx!(tx, c => sqlx::query(
        "insert into audit_entry (user_id, username, ip, record_kind, record_id, action, changes, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
        .bind(v.user_id).bind(&v.username).bind(&v.ip).bind(kind.as_str()).bind(id).bind(action).bind(text).bind(t)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Each field whose value differs between `before` and `after`, with both values: what an audit
/// entry records (bulk writers such as the project import write the same entries themselves).
pub(crate) fn changes(before: Option<&Value>, after: Option<&Value>) -> Map<String, Value> {
    let empty = Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut changes = Map::new();
    for key in b.keys().chain(a.keys()) {
        // Timestamps and computed fields (the flag) are not changes anyone made.
        if matches!(key.as_str(), "created_at" | "updated_at" | "flag" | "flag_reasons") || changes.contains_key(key) {
            continue;
        }
        let (old, new) = (b.get(key).unwrap_or(&Value::Null), a.get(key).unwrap_or(&Value::Null));
        if old != new {
            changes.insert(key.clone(), Value::Array(vec![old.clone(), new.clone()]));
        }
    }
    changes
}

/// A record as the JSON the audit log compares.
pub(crate) fn snapshot<T: serde::Serialize>(r: &T) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Appends `kind`/`id` to the change feed, in the caller's transaction: what commits is indexed,
/// what rolls back never was.
pub(crate) async fn feed(tx: &mut Tx, kind: RecordKind, id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("insert into change_feed (record_kind, record_id, created_at) values ($1, $2, $3)")
        .bind(kind.as_str()).bind(id).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether `v` may read a demand's confidential details: the office, the enterprise itself, and
/// the expert who accepted a match on it (`accepted`: whether `v` is that expert) — they need the
/// details to do the work. Leaders and coordinators read the public summary only.
pub fn sees_demand_details(v: &Viewer, enterprise_id: i64, accepted: bool) -> bool {
    match v.scope {
        Scope::All => v.role == Role::Office,
        Scope::Org(o) => o == enterprise_id && v.role == Role::Enterprise,
        Scope::Person { .. } => accepted && v.role == Role::Expert,
        Scope::Subtree(_) => false,
    }
}
