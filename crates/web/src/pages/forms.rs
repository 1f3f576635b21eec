//! What the page forms share on their way to the request structs the API
//! takes: a form is deserialized as typed (strings, so it can be shown again
//! with its error), then turned into the request by the form's
//! `to_request`, which names the field of any error.
//!
//! `serde_urlencoded` reads no `Vec`, so a form with a checkbox list (one
//! name, repeated) is read as [`Listed`]: the one place that splits the list
//! from the other fields.

use chrono::NaiveDate;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use yici_domain::DomainError;

/// A form with one repeated field, named by [`ListField::LIST`].
pub trait ListField {
    const LIST: &'static str;
}

/// A posted form: the repeated field's values in order, the other fields as `T`.
pub struct Listed<T> {
    pub form: T,
    pub list: Vec<String>,
}

impl<'de, T: DeserializeOwned + ListField> Deserialize<'de> for Listed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs = Vec::<(String, String)>::deserialize(d)?;
        let (list, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == T::LIST);
        // The other fields read exactly as a form without the list would.
        let rest = serde_urlencoded::to_string(rest).map_err(D::Error::custom)?;
        Ok(Listed {
            form: serde_urlencoded::from_str(&rest).map_err(D::Error::custom)?,
            list: list.into_iter().map(|(_, v)| v).collect(),
        })
    }
}

/// The text of a field, or `None` when left empty.
pub fn given(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The format every date field shows and asks for (docs/decisions.md,
/// "Dates typed as 2026-12-07").
pub const DATE_HINT: &str = "请按 2026-12-07 的格式填写";

/// A date field: `None` when left empty, the error of `field` with `message`
/// (and the format asked for) when it is no date. Date fields are text
/// inputs showing 2026-12-07 whatever the browser's locale, so what people
/// type is read leniently: 2026-12-07, 2026-12-7, 2026/12/7, 2026.12.7,
/// 20261207 and 2026年12月7日 are the same day.
pub fn date(
    value: &str,
    field: &'static str,
    message: &'static str,
) -> Result<Option<NaiveDate>, DomainError> {
    match value.trim() {
        "" => Ok(None),
        d => parse_date(d)
            .map(Some)
            .ok_or_else(|| DomainError::field(field, "invalid", format!("{message}，{DATE_HINT}"))),
    }
}

/// A typed date in one of the forms [`date`] accepts.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(text, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = text
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月', '－'])
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(number(y, 4..=4)?).ok()?,
        number(m, 1..=2)?,
        number(d, 1..=2)?,
    )
}

/// A date and time field (2026-12-07 09:30, also with `T` or a typed date as
/// [`date`] reads it): the `YYYY-MM-DDTHH:MM:00` the forms store, or `None`.
pub fn parse_date_time(text: &str) -> Option<String> {
    let text = text.trim();
    let (day, time) = text.split_once('T').or_else(|| text.rsplit_once(' '))?;
    Some(format!("{}T{}:00", parse_date(day)?, parse_time(time)?))
}

/// A time of day typed as 9:30 or 09:30: `HH:MM`.
pub fn parse_time(text: &str) -> Option<String> {
    let text = text.trim().replace('：', ":");
    let mut it = text.split(':');
    let (h, m) = (it.next()?, it.next()?);
    // Seconds, if typed, are dropped (the forms keep minutes).
    if it.next().is_some_and(|s| s.parse::<u32>().is_err()) || it.next().is_some() {
        return None;
    }
    let ok = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) {
        return None;
    }
    let t = chrono::NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)?;
    Some(t.format("%H:%M").to_string())
}

/// A whole-number field: `None` when left empty, the error of `field` with
/// `message` when it is no number.
pub fn number(
    value: &str,
    field: &'static str,
    message: &'static str,
) -> Result<Option<i64>, DomainError> {
    match value.trim() {
        "" => Ok(None),
        n => n
            .parse::<i64>()
            .map(Some)
            .map_err(|_| DomainError::field(field, "invalid", message)),
    }
}

/// The ids of a checkbox list, in order; the error of `field` with `message`
/// when one is no number.
pub fn ids(
    list: &[String],
    field: &'static str,
    message: &'static str,
) -> Result<Vec<i64>, DomainError> {
    list.iter()
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| DomainError::field(field, "invalid", message))
        })
        .collect()
}

/// The ids of a checkbox list that are numbers, to show the list again.
pub fn ticked(list: &[String]) -> Vec<i64> {
    list.iter().filter_map(|v| v.trim().parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct F {
        #[serde(default)]
        a: String,
    }
    impl ListField for F {
        const LIST: &'static str = "id";
    }

    #[test]
    fn the_list_is_split_from_the_fields() {
        let l: Listed<F> = serde_urlencoded::from_str("id=1&a=x%20y&id=2&_csrf=t").unwrap();
        assert_eq!(l.form.a, "x y");
        assert_eq!(l.list, ["1", "2"]);
        let l: Listed<F> = serde_urlencoded::from_str("").unwrap();
        assert_eq!(l.form.a, "");
        assert!(l.list.is_empty());
    }

    #[test]
    fn fields_name_their_errors() {
        assert_eq!(date(" ", "d", "m").unwrap(), None);
        assert_eq!(
            date("2025-03-01", "d", "m").unwrap(),
            NaiveDate::from_ymd_opt(2025, 3, 1)
        );
        assert_eq!(date("x", "d", "m").unwrap_err().field, Some("d"));
        assert_eq!(number("", "n", "m").unwrap(), None);
        assert_eq!(number(" 3 ", "n", "m").unwrap(), Some(3));
        assert!(number("3.5", "n", "m").is_err());
        assert_eq!(ids(&["1".into(), " 2".into()], "i", "m").unwrap(), [1, 2]);
        assert!(ids(&["x".into()], "i", "m").is_err());
        assert_eq!(ticked(&["1".into(), "x".into()]), [1]);
    }
}

/// A form with nothing but its CSRF token (logout, one-button actions).
#[derive(serde::Deserialize)]
pub struct Empty {}
