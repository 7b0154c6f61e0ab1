//! A coordinator's projects, read the way their number calls for (issue 19).
//!
//! `access::restrict` names a subtree's projects as "led by one of its units, or one of its units
//! takes part" — two tests on each project row, the units read from `org_ancestor` (migration
//! 0031). A list walks the projects in its order and tests each (`ScopeForm::Walk`): cheap where
//! the subtree holds many projects (a county's first page among a million: a few thousand rows
//! walked), ruinous where it holds few (a college's 600 projects: the walk reads the whole table,
//! 0.3–4 s on SQLite, and so did the count). For a narrow subtree a list instead gathers its
//! projects as a set first (`ScopeForm::Set`) — the units' projects by the lead-unit index, the
//! co-units' by theirs — and reads the page from that set (1–20 ms). `restrict` writes both forms
//! and records where (`sql::ScopeSpan`); the list picks one (`Q::read_as`).
//!
//! A list's count is another matter: it stops at its thousandth row, which a walk finds soon in a
//! city but only after 100,000 rows in a county; so a subtree below [`COUNTED_AS_SET_BELOW`] is
//! counted as a set even where its page walks ([`Width`]).
//!
//! Which a subtree is, is counted once (its led projects, stopping at [`COUNTED_AS_SET_BELOW`]) and
//! kept ten minutes per root in this server's memory: a subtree that grows past a line is read the
//! other way at most that much later, and either way is right, only slower.

use crate::sql::{Q, ScopeForm, bind_args};
use crate::{Result, Store, on_db};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A subtree leading fewer projects than this is narrow: gathering them costs less than walking
/// the list for a page of them (about √(20 × 1,000,000) at a province's million projects).
pub const NARROW_BELOW: i64 = 5_000;
/// A subtree leading fewer projects than this (and not narrow) is counted by gathering them: a
/// count walks the list until it has [`crate::counts::EXACT_UP_TO`] of them, which for a county's
/// 1 % of a million reads 100,000 rows (49 ms on PostgreSQL, and with a flag filter all 280,000 red
/// projects: 0.4–0.5 s), where gathering its 8,000 takes 10–20 ms. Past it (a city) the walk
/// finds its thousand soon.
pub const COUNTED_AS_SET_BELOW: i64 = 50_000;
/// How long a subtree's width stands.
const FRESH_FOR: Duration = Duration::from_secs(600);
/// Roots kept before all are forgotten (a province has a few hundred coordinators).
const KEEP: usize = 4_096;

/// How many projects a subtree leads, as it decides how a list reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Width {
    /// Fewer than [`NARROW_BELOW`]: page and count read the gathered set.
    Narrow,
    /// Fewer than [`COUNTED_AS_SET_BELOW`]: the page walks, the count gathers.
    Middling,
    /// The page and the count walk.
    Wide,
}

impl Width {
    /// How a list's count and its page read the subtree.
    pub(crate) fn forms(self) -> (ScopeForm, ScopeForm) {
        match self {
            Width::Narrow => (ScopeForm::Set, ScopeForm::Set),
            Width::Middling => (ScopeForm::Set, ScopeForm::Walk),
            Width::Wide => (ScopeForm::Walk, ScopeForm::Walk),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct ScopeCache {
    known: Mutex<HashMap<i64, (Instant, Width)>>,
}

impl Store {
    /// How wide the subtree under `root` is (kept a while).
    pub(crate) async fn subtree_width(&self, root: i64) -> Result<Width> {
        let known = crate::lock(&self.scopes.known).get(&root).copied();
        if let Some((at, width)) = known
            && at.elapsed() < FRESH_FOR
        {
            return Ok(width);
        }
        let mut q = Q::new("select count(*) from (select 1 from project where lead_unit_id in ");
        crate::access::org_set(&mut q, &hezuo_domain::access::Scope::Subtree(root));
        q.push(&format!(" limit {COUNTED_AS_SET_BELOW}) c"));
        let n: i64 = on_db!(&self.db, p => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone())), q.args)
            .fetch_one(p).await)?;
        let width = if n < NARROW_BELOW {
            Width::Narrow
        } else if n < COUNTED_AS_SET_BELOW {
            Width::Middling
        } else {
            Width::Wide
        };
        let mut known = crate::lock(&self.scopes.known);
        if known.len() >= KEEP {
            known.clear();
        }
        known.insert(root, (Instant::now(), width));
        Ok(width)
    }
}

#[cfg(test)]
mod tests {
    use crate::access::{Viewer, restrict};
    use crate::sql::{Arg, Q, ScopeForm};
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
    fn a_subtree_restriction_is_read_three_ways_with_its_values_in_order() {
        let mut q = Q::new("from project where 1 = 1");
        restrict(&mut q, &coordinator(), RecordKind::Project, "project");
        q.push(" and status = ").bind(Arg::Text("in_progress".into()));
        let units = |n: u32| format!("(select org_id from org_ancestor where ancestor_id = ${n})");
        let co = format!(
            "select project_id from project_co_unit where organization_id in {}",
            units(2)
        );
        assert_eq!(
            q.read_as(ScopeForm::Walk, false),
            format!(
                "from project where 1 = 1 and (project.lead_unit_id in {} or project.id in ({co})) and status = $3",
                units(1)
            )
        );
        assert_eq!(
            q.read_as(ScopeForm::Walk, true),
            format!(
                "from project where 1 = 1 and (project.lead_unit_id + 0 in {} or project.id in ({co})) and status = $3",
                units(1)
            )
        );
        assert_eq!(
            q.read_as(ScopeForm::Set, true),
            format!(
                "from project where 1 = 1 and project.id in (select scope_p.id from project scope_p where \
                 scope_p.lead_unit_id in {} union all {co}) and status = $3",
                units(1)
            )
        );
        assert_eq!(q.args.len(), 3);
        assert_eq!(q.scopes[0].root, 7);
    }

    #[test]
    fn a_nested_restriction_is_written_as_a_set_and_changed_text_is_left_as_written() {
        let mut q = Q::new("from milestone m where 1 = 1");
        restrict(&mut q, &coordinator(), RecordKind::Milestone, "m");
        assert!(
            q.sql.contains(" and p.id in (select scope_p.id from project scope_p"),
            "{}",
            q.sql
        );
        assert!(!q.sql.contains(" or p.id in"), "{}", q.sql);
        assert!(q.scopes.is_empty(), "a nested subtree is not rewritten by a list");
        assert_eq!(q.read_as(ScopeForm::Walk, true), q.sql);
        // Text changed where a subtree was recorded: it is read as it stands, walked.
        let mut q = Q::new("from project where 1 = 1");
        restrict(&mut q, &coordinator(), RecordKind::Project, "project");
        let mut cut = q.clone();
        cut.sql.truncate(40);
        assert_eq!(cut.read_as(ScopeForm::Set, true), cut.sql);
        let mut moved = q.clone();
        moved.sql.insert_str(0, "select 1 ");
        assert_eq!(moved.read_as(ScopeForm::Set, true), moved.sql);
    }
}
