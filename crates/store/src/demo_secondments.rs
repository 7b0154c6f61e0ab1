//! Demo data for secondments (挂职): placeholder.

use crate::{Result, Store};
use chrono::NaiveDate;

pub(crate) async fn load(_store: &Store, _today: NaiveDate) -> Result<()> {
    Ok(())
}
