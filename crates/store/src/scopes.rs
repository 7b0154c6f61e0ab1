//! A coordinator's projects, read the way their number calls for (issue 19).
//!
//! `access::restrict` names a subtree's projects as "led by one of its units, or one of its units
//! takes part" — two tests on each project row. A list walks the projects in its order and tests
//! each (`sql::for_a_page`): cheap where the subtree holds many projects (a county's first page
//! among a million: a few thousand rows walked), ruinous where it holds few (a college's 600
//! projects: the walk reads the whole table, 0.3–4 s on SQLite, and so did the count). For a narrow
//! subtree a list instead gathers its projects as a set first (`sql::as_a_set`) — the units' projects by the
//! lead-unit index, the co-units' by theirs — and reads the page from that set (1–20 ms).
//!
//! Which a subtree is, is counted once (its led projects, stopping at [`NARROW_BELOW`]) and kept
//! ten minutes per root in this server's memory: a subtree that grows past the line is read the
//! other way at most that much later, and either way is right, only slower.

use crate::sql::{Q, bind_args};
use crate::{Result, Store, on_db};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A subtree leading fewer projects than this is narrow: gathering them costs less than walking
/// the list for a page of them (about √(20 × 1,000,000) at a province's million projects).
pub const NARROW_BELOW: i64 = 5_000;
/// How long a subtree's width stands.
const FRESH_FOR: Duration = Duration::from_secs(600);
/// Roots kept before all are forgotten (a province has a few hundred coordinators).
const KEEP: usize = 4_096;

#[derive(Debug, Default)]
pub(crate) struct ScopeCache {
    known: Mutex<HashMap<i64, (Instant, bool)>>,
}

impl Store {
    /// Whether the subtree under `root` leads fewer than [`NARROW_BELOW`] projects (kept a while).
    pub(crate) async fn narrow_subtree(&self, root: i64) -> Result<bool> {
        let known = self
            .scopes
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&root)
            .copied();
        if let Some((at, narrow)) = known
            && at.elapsed() < FRESH_FOR
        {
            return Ok(narrow);
        }
        let mut q = Q::new("select count(*) from (select 1 from project where lead_unit_id in ");
        crate::access::org_set(&mut q, &hezuo_domain::access::Scope::Subtree(root));
        q.push(&format!(" limit {NARROW_BELOW}) c"));
        let n: i64 = on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args)
            .fetch_one(p).await)?;
        let narrow = n < NARROW_BELOW;
        let mut known = self.scopes.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= KEEP {
            known.clear();
        }
        known.insert(root, (Instant::now(), narrow));
        Ok(narrow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Viewer, restrict};
    use crate::sql::{Arg, as_a_set};
    use hezuo_domain::RecordKind;
    use hezuo_domain::access::{Role, Scope};

    fn coordinator() -> Viewer {
        Viewer {
            user_id: Some(1),
            username: "c".into(),
            role: Role::Coordinator,
            scope: Scope::Subtree(7),
            ip: None,
        }
    }

    #[test]
    fn a_subtree_restriction_becomes_one_set_with_its_values_in_order() {
        let mut q = Q::new("from project where 1 = 1");
        restrict(&mut q, &coordinator(), RecordKind::Project, "project");
        q.push(" and status = ").bind(Arg::Text("in_progress".into()));
        assert_eq!(q.subtree, Some(7));
        let set = as_a_set(&q);
        assert_eq!(
            set.sql,
            "from project where 1 = 1 and (project.id in (select scope_p.id from project scope_p where \
             scope_p.lead_unit_id in (with recursive sub(id) as (select $1 union all select o.id from organization o \
             join sub on o.parent_id = sub.id) select id from sub) union all select project_id from project_co_unit \
             where organization_id in (with recursive sub(id) as (select $2 union all select o.id from organization o \
             join sub on o.parent_id = sub.id) select id from sub))) and status = $3"
        );
        assert_eq!(set.args.len(), 3);
    }

    #[test]
    fn a_nested_restriction_is_rewritten_too_and_other_text_is_left_alone() {
        let mut q = Q::new("from milestone m where 1 = 1");
        restrict(&mut q, &coordinator(), RecordKind::Milestone, "m");
        let set = as_a_set(&q);
        assert!(
            set.sql.contains("(p.id in (select scope_p.id from project scope_p"),
            "{}",
            set.sql
        );
        assert!(!set.sql.contains(" or p.id in"), "{}", set.sql);
        let plain = Q::new("from project where lead_unit_id = 3");
        assert_eq!(as_a_set(&plain).sql, plain.sql);
    }
}
