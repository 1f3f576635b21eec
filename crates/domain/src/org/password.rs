//! The password rule of ORG-4: at least 8 characters and at least three of the
//! four classes upper-case, lower-case, digit, special character.

use crate::error::{DomainError, DomainResult};

/// Initial password of every new account unless configured otherwise (ORG-4).
pub const DEFAULT_INITIAL_PASSWORD: &str = "Jcbm@12369";

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 64;

pub fn check_strength(password: &str, field: &'static str) -> DomainResult<()> {
    let len = password.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&len) {
        return Err(DomainError::field(
            field,
            "weak_password",
            format!("密码长度应为{MIN_LEN}至{MAX_LEN}位"),
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|&&b| b).count() < 3 {
        return Err(DomainError::field(
            field,
            "weak_password",
            "密码需包含大写字母、小写字母、数字、特殊符号其中三项",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_of_four_classes() {
        assert!(check_strength(DEFAULT_INITIAL_PASSWORD, "p").is_ok());
        assert!(check_strength("abcDEF12", "p").is_ok());
        assert!(check_strength("abc@ef12", "p").is_ok());
        assert!(check_strength("abcdefgh1", "p").is_err());
        assert!(check_strength("ABCDEFGH!", "p").is_err());
        assert!(check_strength("Ab1!", "p").is_err());
    }
}
