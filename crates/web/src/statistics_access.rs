//! What the dashboard's page and API share (STAT-1): the request their
//! filters ask for, checked (month, year, and the reader's right to the
//! scope), so that the page and the API answer the same figures and refuse
//! the same things.

use yici_domain::org::Principal;
use yici_domain::DomainError;
use yici_store::statistics::{self as stats, Request};

use crate::error::AppError;
use crate::state::AppState;

/// The request the filters ask for, after the reader's right is checked.
pub async fn request(
    state: &AppState,
    p: &Principal,
    unit: Option<i64>,
    rollup: bool,
    year: Option<i64>,
    month: Option<i64>,
) -> Result<Request, AppError> {
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return Err(DomainError::invalid("invalid_month", "月份应为1至12")
                .on("month")
                .into());
        }
    }
    let year = year.unwrap_or_else(|| i64::from(state.this_year()));
    if !(2000..=2100).contains(&year) {
        return Err(DomainError::invalid("invalid_year", "年度应为2000至2100")
            .on("year")
            .into());
    }
    let scope = stats::resolve(&state.db, p, unit, rollup).await?;
    let draw = &state.config.draw;
    Ok(Request {
        scope,
        year,
        month,
        caps: draw.caps,
        reasonable_per_unit: i64::from(draw.reasonable_per_unit),
        now: state.now(),
        today: state.today(),
    })
}
