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

/// A date field (`YYYY-MM-DD`): `None` when left empty, the error of `field`
/// with `message` when it is no date.
pub fn date(
    value: &str,
    field: &'static str,
    message: &'static str,
) -> Result<Option<NaiveDate>, DomainError> {
    match value.trim() {
        "" => Ok(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| DomainError::field(field, "invalid", message)),
    }
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
