//! Time rules. Timestamps are stored in UTC; every business date ("today",
//! "this year", "after today") is decided in Asia/Shanghai, whatever the
//! server's own time zone is.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use chrono_tz::Asia::Shanghai;

/// The source of "now". Injected into the application state so that deadlines
/// and "after today" rules are tested without sleeping.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        truncate(Utc::now())
    }
}

/// A clock that tests set and advance by hand.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(std::sync::Mutex::new(truncate(at)))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = truncate(at);
    }
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().expect("clock lock");
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// The business date of an instant, in Asia/Shanghai.
pub fn business_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Shanghai).date_naive()
}

/// Timestamps are kept to the microsecond: PostgreSQL stores no finer, and the
/// audit chain hashes the stored text, so both databases must agree on it.
pub fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// Canonical text of a timestamp, as hashed by the audit chain.
pub fn canonical(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The instant a business day begins (00:00 in Asia/Shanghai, which has no
/// daylight saving, so the day always begins exactly once).
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    Shanghai
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("Shanghai has no daylight saving")
        .with_timezone(&Utc)
}

/// Local wall-clock text for pages: `2025-04-24 10:03`.
pub fn display(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The wall-clock time of an instant in Asia/Shanghai, as documents print it.
pub fn local(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.with_timezone(&Shanghai).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shanghai_decides_the_date() {
        // 2025-04-23 17:30 UTC is already 04-24 01:30 in Shanghai.
        let at = Utc.with_ymd_and_hms(2025, 4, 23, 17, 30, 0).unwrap();
        assert_eq!(
            business_date(at),
            NaiveDate::from_ymd_opt(2025, 4, 24).unwrap()
        );
        assert_eq!(display(at), "2025-04-24 01:30");
    }

    #[test]
    fn a_day_starts_at_shanghai_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(
            start_of(day),
            Utc.with_ymd_and_hms(2026, 12, 6, 16, 0, 0).unwrap()
        );
        assert_eq!(business_date(start_of(day)), day);
    }

    #[test]
    fn canonical_has_fixed_precision() {
        let at = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(canonical(at), "2025-01-02T03:04:05.000000Z");
    }
}
