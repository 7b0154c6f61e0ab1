//! The year at a glance, for the leader's home page: projects counted, with their contract amounts
//! and funding won, by kind, status and the lead unit's division — narrowed to what the viewer may
//! see, for a batch year and, if chosen, one batch. (The statistics pages will grow from here.)

use crate::access::{Viewer, restrict};
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, on_db};
use hezuo_domain::RecordKind;

/// Projects of one kind, status and division: how many, and their money (in fen).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SummaryRow {
    pub kind: String,
    pub status: String,
    pub region_code: Option<String>,
    pub count: i64,
    pub contract_fen: i64,
    pub funding_fen: i64,
}

impl Store {
    /// Projects (not archived) of `year` — and of `batch`, when given — grouped by kind, status
    /// and the lead unit's division code.
    pub async fn project_summary(&self, v: &Viewer, year: Option<i32>, batch: Option<i64>) -> Result<Vec<SummaryRow>> {
        let mut q = Q::new(
            "select p.kind as kind, p.status as status, o.region_code as region_code, count(*) as count, \
             cast(coalesce(sum(p.contract_amount_fen), 0) as bigint) as contract_fen, \
             cast(coalesce(sum(p.funding_won_fen), 0) as bigint) as funding_fen \
             from project p join organization o on o.id = p.lead_unit_id where p.archived = false",
        );
        if let Some(y) = year {
            q.push(" and p.batch_year = ").bind(Arg::I32(y));
        }
        if let Some(b) = batch {
            q.push(" and p.batch_id = ").bind(Arg::I64(b));
        }
        restrict(&mut q, v, RecordKind::Project, "p");
        q.push(" group by p.kind, p.status, o.region_code order by p.kind, p.status, o.region_code");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }
}
