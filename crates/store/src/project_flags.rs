//! Stored flags (`project_flag`, migration 0022): today's red/yellow/green of every project being
//! carried out, kept so that the statistics, the dashboard and the project list's flag filter count
//! a million projects' flags with one indexed query instead of computing each flag per view.
//!
//! The flag itself is still computed one way only, by [`Store::apply_flags`]
//! (`supervision::flag`). A stored one is good on the day it was computed and until a write that
//! could change it: the migration's triggers bump `gen` and empty the row in that write's own
//! transaction. A refresh reads (id, gen), computes, and writes back only where `gen` is still the
//! one it read, so a write landing in between leaves the row stale (computed again next time), never
//! wrong. The server refreshes every stale flag at start and then every hour (a new day makes every
//! flag stale); a reader that needs them fresh calls [`Store::refresh_flags`] first, which costs one
//! query when nothing is stale.

use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, StoreError, on_db};
use hezuo_domain::Msg;
use hezuo_domain::flag::Flag;
use hezuo_domain::project::ProjectFilter;
use std::collections::HashMap;
use std::fmt::Write;

/// Projects computed and written back per round: a bounded memory whatever the store's size.
const CHUNK: usize = 5000;

impl Store {
    /// Computes and stores today's flag of every project being carried out (approved or in
    /// progress, not archived) whose stored flag is stale, in the batch years given (all when None).
    /// Returns how many flags it computed.
    pub async fn refresh_flags(&self, years: Option<&[i32]>) -> Result<usize> {
        let today = self.today();
        let mut q = Q::new(
            "select p.id, f.gen from project p join project_flag f on f.project_id = p.id \
             where p.archived = false and p.status in ('approved', 'in_progress') \
             and (f.computed_on is null or f.computed_on <> ",
        );
        q.bind(Arg::Date(today)).push(")");
        if let Some(ys) = years {
            q.push(" and p.batch_year in (");
            for (i, y) in ys.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(Arg::I32(*y));
            }
            q.push(")");
        }
        q.push(" order by p.id");
        let stale: Vec<(i64, i64)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        for chunk in stale.chunks(CHUNK) {
            let mut cq = Q::new("from project p where p.id in ");
            cq.bind_list(&chunk.iter().map(|(id, _)| *id).collect::<Vec<_>>());
            let mut projects = crate::projects::projects_by_query(self, &cq).await?;
            self.apply_flags(&mut projects).await?;
            let gens: HashMap<i64, i64> = chunk.iter().copied().collect();
            // One statement per flag, naming each (id, gen) pair it may overwrite. The pairs are
            // integers read from the store, written as literals: no text of anyone's reaches SQL.
            let mut by_flag: HashMap<&'static str, String> = HashMap::new();
            for p in &projects {
                let flag = p.flag.unwrap_or(Flag::Green).as_str();
                let list = by_flag.entry(flag).or_default();
                if !list.is_empty() {
                    list.push_str(", ");
                }
                let _ = write!(list, "({}, {})", p.id, gens.get(&p.id).copied().unwrap_or(-1));
            }
            for (flag, pairs) in by_flag {
                let sql = format!(
                    "update project_flag set flag = $1, computed_on = $2 where (project_id, gen) in (values {pairs})"
                );
                on_db!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(flag).bind(today).execute(p).await.map(|_| ()))?;
            }
        }
        Ok(stale.len())
    }

    /// The project list's `flag` filter (on `project`): projects being carried out whose stored flag
    /// of today is one of those named, refreshed first where stale.
    pub(crate) async fn flag_filter(&self, q: &mut Q, f: &ProjectFilter) -> Result<()> {
        let Some(words) = hezuo_domain::input::opt_text(&f.flag) else {
            return Ok(());
        };
        let mut flags = Vec::new();
        for w in words.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let flag = Flag::parse(w).ok_or_else(|| {
                StoreError::invalid(
                    "flag",
                    Msg::new(
                        format!("亮灯“{w}”无效：应为 red（红灯）、yellow（黄灯）或 green（绿灯）"),
                        format!("“{w}” is not a flag: red, yellow or green"),
                    ),
                )
            })?;
            flags.push(flag);
        }
        self.refresh_flags(None).await?;
        q.push(
            " and status in ('approved', 'in_progress') and id in (select project_id from project_flag where flag in (",
        );
        for (i, flag) in flags.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(Arg::Text(flag.as_str().to_string()));
        }
        q.push("))");
        Ok(())
    }
}
