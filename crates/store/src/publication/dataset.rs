//! The open dataset (RES-2): the published records as they stand now, or as
//! they stood at the end of a past day, read in id order in batches so that
//! a province's year streams out in flat memory.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use yici_domain::DomainError;

use crate::db::{Db, Exec, Sql};
use crate::error::StoreResult;

use super::{from_row, PublicResult, COLUMNS};

/// Which state of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// The current versions.
    Now,
    /// The versions in force at the end of this business day.
    EndOf(NaiveDate),
}

impl Moment {
    /// A snapshot's date must not be after today: its content is only fixed
    /// once the day is over, and a future one would be empty.
    pub fn snapshot(day: NaiveDate, today: NaiveDate) -> StoreResult<Moment> {
        if day > today {
            return Err(DomainError::not_found("该日期的快照尚不存在").into());
        }
        Ok(Moment::EndOf(day))
    }
}

/// Narrowing of a download; all optional.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Slice {
    /// Only inspections of this year.
    pub year: Option<i64>,
    /// Only this inspecting unit.
    pub unit: Option<i64>,
}

/// The records after id `after` (0 to start), at most `limit`, in id order,
/// each with its row id (the key of the next batch).
pub async fn batch(
    mut db: &Db,
    moment: Moment,
    slice: &Slice,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, PublicResult)>> {
    let mut sql = Sql::with(
        &format!("SELECT id, {COLUMNS} FROM published_results WHERE id > $1 AND "),
        crate::args![after],
    );
    match moment {
        Moment::Now => {
            sql.push("valid_to IS NULL");
        }
        Moment::EndOf(day) => {
            let cutoff: DateTime<Utc> = yici_domain::time::start_of(day.succ_opt().unwrap_or(day));
            sql.push("valid_from < ")
                .push_bind(cutoff)
                .push(" AND (valid_to IS NULL OR valid_to >= ")
                .push_bind(cutoff)
                .push(")");
        }
    }
    if let Some(y) = slice.year {
        sql.push(" AND year = ").push_bind(y);
    }
    if let Some(u) = slice.unit {
        sql.push(" AND unit_id = ").push_bind(u);
    }
    let (text, args) = sql.push(" ORDER BY id LIMIT ").push_bind(limit).build();
    db.fetch_all(&text, args)
        .await?
        .iter()
        .map(|r| Ok((r.get("id")?, from_row(r)?)))
        .collect()
}
