//! Mainland mobile numbers: the login of every person (ORG-5).

use std::fmt;

use serde::Serialize;

use crate::error::{DomainError, DomainResult};

/// An 11-digit mainland mobile number starting with 13–19. Parse, don't validate:
/// a `Mobile` is always well-formed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(input: &str, field: &'static str) -> DomainResult<Mobile> {
        let s = input.trim();
        if s.is_empty() {
            return Err(DomainError::required(field, "移动电话"));
        }
        let ok = s.len() == 11
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.as_bytes()[0] == b'1'
            && (b'3'..=b'9').contains(&s.as_bytes()[1]);
        if !ok {
            return Err(DomainError::field(
                field,
                "invalid_mobile",
                "移动电话应为11位手机号码，以13至19开头",
            ));
        }
        Ok(Mobile(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****1234`, shown to anyone who does not manage the person.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks the middle four digits of a stored number.
pub fn mask(number: &str) -> String {
    if number.len() == 11 && number.is_ascii() {
        format!("{}****{}", &number[..3], &number[7..])
    } else {
        "****".to_string()
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        assert!(Mobile::parse("13833551234", "m").is_ok());
        assert!(Mobile::parse(" 19912345678 ", "m").is_ok());
        for bad in [
            "",
            "1383355123",
            "12833551234",
            "2383355123a",
            "138335512345",
        ] {
            assert!(Mobile::parse(bad, "m").is_err(), "{bad}");
        }
        assert_eq!(
            Mobile::parse("13833551234", "m").unwrap().masked(),
            "138****1234"
        );
    }
}
