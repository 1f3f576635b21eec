//! 统一社会信用代码 (unified social credit code, GB 32100-2015): the one
//! identifier every registered enterprise has, and therefore the natural key of
//! the registry. It is also embedded in permit numbers (see
//! [`permit`](super::permit)), so it must be checked before anything is built on
//! it.
//!
//! Layout (positions 1-based): 1 登记管理部门, 2 机构类别, 3–8 登记管理机关
//! 行政区划码, 9–17 主体标识码 (the old 组织机构代码), 18 check character. All 18
//! characters come from a 31-character alphabet that leaves out I, O, S, V and Z
//! (too easily confused with 1, 0, 5, U and 2), and the check character is a
//! weighted sum modulo 31, which catches every single-character typo.
//!
//! Only the structure and the check character are enforced: positions 1–2 and
//! 3–8 have further meanings in the standard, but codes issued in the wild do
//! not always follow them, and rejecting a code the enterprise actually holds
//! would stop the bureau from registering it at all.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::error::DomainError;

/// Number of characters of a code.
pub const USCC_LEN: usize = 18;

/// The code alphabet, in value order: a character's value is its index here.
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17: 3^(i−1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Value of an alphabet character, `None` for anything else (including
/// lower-case letters: callers upper-case first where that is wanted).
fn value_of(c: char) -> Option<u32> {
    // `find` returns a byte index, which equals the value because the alphabet
    // is ASCII; a non-ASCII `c` is never found.
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters of a code, or `None` unless
/// `first17` is exactly 17 characters of the alphabet. No trimming or
/// upper-casing is done here: this is the arithmetic, not input handling.
///
/// Check = alphabet[(31 − Σ(valueᵢ × weightᵢ) mod 31) mod 31]; the outer `mod 31`
/// makes a sum divisible by 31 give `'0'` rather than index 31.
pub fn check_char(first17: &str) -> Option<char> {
    // 17 bytes that are all alphabet characters are 17 characters.
    if first17.len() != USCC_LEN - 1 {
        return None;
    }
    let sum = first17
        .chars()
        .zip(WEIGHTS)
        .try_fold(0u32, |acc, (c, w)| value_of(c).map(|v| acc + v * w))?;
    let index = (31 - sum % 31) % 31;
    Some(char::from(ALPHABET.as_bytes()[index as usize]))
}

/// A well-formed 统一社会信用代码: 18 upper-case alphabet characters.
///
/// A value made by [`Uscc::parse`] (or deserialised) also has a correct check
/// character; one made by [`Uscc::parse_lenient`] may not — see
/// [`Uscc::has_valid_check`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

/// The check character of a structurally valid code is not the computed one.
///
/// Kept apart from [`UsccError`] because it is not always fatal: some codes in
/// circulation (issued before the check was enforced everywhere, or copied
/// from an official document with the error) fail the check, and an authorised
/// user may record them anyway, stating a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[error("统一社会信用代码校验位错误，应为“{expected}”，实际为“{found}”")]
pub struct CheckMismatch {
    /// The check character computed from positions 1–17.
    pub expected: char,
    /// The 18th character as given.
    pub found: char,
}

/// Why a string is not a 统一社会信用代码. Positions are 1-based and count
/// characters, as the user sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum UsccError {
    #[error("统一社会信用代码应为18位，实际为{actual}位")]
    WrongLength { actual: usize },
    #[error("统一社会信用代码第{position}位含非法字符“{ch}”")]
    IllegalChar { position: usize, ch: char },
    #[error("统一社会信用代码校验位错误，应为“{expected}”")]
    BadCheck { expected: char, found: char },
}

impl From<CheckMismatch> for UsccError {
    fn from(m: CheckMismatch) -> Self {
        UsccError::BadCheck {
            expected: m.expected,
            found: m.found,
        }
    }
}

impl UsccError {
    /// Stable machine code, for clients that branch on the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            UsccError::WrongLength { .. } => "uscc_length",
            UsccError::IllegalChar { .. } => "uscc_illegal_char",
            UsccError::BadCheck { .. } => "uscc_check",
        }
    }

    /// The crate-wide error, attached to the form field `field`.
    pub fn into_domain_error(self, field: &'static str) -> DomainError {
        DomainError::field(field, self.code(), self.to_string())
    }
}

/// Trims and upper-cases the input, checks length and alphabet, and returns the
/// normalised code with its computed check character.
fn normalise(input: &str) -> Result<(String, char), UsccError> {
    // ASCII upper-casing only: Unicode upper-casing can change the character
    // count (ß → SS) and would make the reported length wrong.
    structure(
        input
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    )
}

/// Checks length and alphabet of an already normalised string, and returns it
/// with its computed check character.
fn structure(s: String) -> Result<(String, char), UsccError> {
    let actual = s.chars().count();
    if actual != USCC_LEN {
        return Err(UsccError::WrongLength { actual });
    }
    if let Some((i, ch)) = s.chars().enumerate().find(|(_, c)| value_of(*c).is_none()) {
        return Err(UsccError::IllegalChar {
            position: i + 1,
            ch,
        });
    }
    let expected = check_char(&s[..USCC_LEN - 1]).expect("17 alphabet characters");
    Ok((s, expected))
}

impl Uscc {
    /// Parses a code strictly: surrounding whitespace is ignored and letters are
    /// upper-cased, then length, alphabet and check character must all be right.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        Uscc::strict(normalise(input)?)
    }

    /// Strict parse of a string that is already trimmed and upper-cased, for
    /// codes embedded in a longer one (where whitespace inside is an error, not
    /// padding).
    pub(super) fn parse_embedded(s: &str) -> Result<Uscc, UsccError> {
        Uscc::strict(structure(s.to_string())?)
    }

    fn strict((code, expected): (String, char)) -> Result<Uscc, UsccError> {
        let uscc = Uscc(code);
        let found = uscc.found_check();
        if found != expected {
            return Err(UsccError::BadCheck { expected, found });
        }
        Ok(uscc)
    }

    /// Parses a code whose structure is right but whose check character may be
    /// wrong, reporting the mismatch instead of failing on it. Length and
    /// alphabet errors are still errors. Callers must only keep a code with a
    /// mismatch when an authorised user accepted it with a reason.
    pub fn parse_lenient(input: &str) -> Result<(Uscc, Option<CheckMismatch>), UsccError> {
        let (code, expected) = normalise(input)?;
        let uscc = Uscc(code);
        let found = uscc.found_check();
        let mismatch = (found != expected).then_some(CheckMismatch { expected, found });
        Ok((uscc, mismatch))
    }

    /// Same as the free function [`check_char`].
    pub fn check_char(first17: &str) -> Option<char> {
        check_char(first17)
    }

    /// Whether the 18th character is the computed check character (always true
    /// for a strictly parsed code).
    pub fn has_valid_check(&self) -> bool {
        check_char(&self.0[..USCC_LEN - 1]) == Some(self.found_check())
    }

    /// Positions 3–8: the 行政区划码 of the registering authority, which tells
    /// where the enterprise was registered (not necessarily where it operates).
    pub fn area_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the 主体标识码, i.e. the former 组织机构代码 without its
    /// hyphen, still used as a key by older systems.
    pub fn organization_code(&self) -> &str {
        &self.0[8..17]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn found_check(&self) -> char {
        char::from(self.0.as_bytes()[USCC_LEN - 1])
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Strict, like [`Uscc::parse`].
impl FromStr for Uscc {
    type Err = UsccError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

// Deserialisation is strict: a code accepted leniently must be stored as text
// and re-read with `parse_lenient`, never round-tripped through serde.
string_serde!(Uscc);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: [&str; 2] = ["91130200699229617X", "91350100M000100Y43"];

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn alphabet_has_31_characters_without_ioszv() {
        assert_eq!(ALPHABET.len(), 31);
        for c in ['I', 'O', 'S', 'V', 'Z'] {
            assert!(!ALPHABET.contains(c));
        }
    }

    #[test]
    fn known_codes_are_valid() {
        for code in VALID {
            let uscc = Uscc::parse(code).unwrap();
            assert_eq!(uscc.as_str(), code);
            assert!(uscc.has_valid_check());
            assert_eq!(check_char(&code[..17]), code.chars().last());
            assert_eq!(Uscc::parse_lenient(code).unwrap().1, None);
        }
    }

    #[test]
    fn input_is_trimmed_and_upper_cased() {
        let uscc = Uscc::parse("  91350100m000100y43\u{3000}").unwrap();
        assert_eq!(uscc.to_string(), "91350100M000100Y43");
        assert_eq!(
            " 91130200699229617x ".parse::<Uscc>().unwrap().as_str(),
            VALID[0]
        );
    }

    #[test]
    fn parts() {
        let uscc = Uscc::parse(VALID[0]).unwrap();
        assert_eq!(uscc.area_code(), "130200");
        assert_eq!(uscc.organization_code(), "699229617");
    }

    #[test]
    fn sum_divisible_by_31_gives_zero() {
        // All zeros: Σ = 0, so the check is '0', not index 31.
        assert_eq!(check_char("00000000000000000"), Some('0'));
        assert!(Uscc::parse("000000000000000000").is_ok());
    }

    #[test]
    fn check_char_rejects_bad_input() {
        assert_eq!(check_char(""), None);
        assert_eq!(check_char("9113020069922961"), None);
        assert_eq!(check_char("911302006992296170"), None);
        assert_eq!(check_char("91350100m000100y4"), None);
        assert_eq!(check_char("9113020069922961I"), None);
        assert_eq!(check_char("911302006992296１7"), None);
        assert_eq!(Uscc::check_char("91130200699229617"), Some('X'));
    }

    #[test]
    fn errors_and_messages() {
        let e = Uscc::parse("9113020069922961").unwrap_err();
        assert_eq!(e, UsccError::WrongLength { actual: 16 });
        assert_eq!(e.to_string(), "统一社会信用代码应为18位，实际为16位");
        assert_eq!(
            Uscc::parse("").unwrap_err(),
            UsccError::WrongLength { actual: 0 }
        );
        // Length counts characters, not bytes.
        assert_eq!(
            Uscc::parse("９１130200699229617X").unwrap_err(),
            UsccError::IllegalChar {
                position: 1,
                ch: '９'
            }
        );

        let e = Uscc::parse("9113I200699229617X").unwrap_err();
        assert_eq!(
            e,
            UsccError::IllegalChar {
                position: 5,
                ch: 'I'
            }
        );
        assert_eq!(e.to_string(), "统一社会信用代码第5位含非法字符“I”");

        let e = Uscc::parse("911302006992296170").unwrap_err();
        assert_eq!(
            e,
            UsccError::BadCheck {
                expected: 'X',
                found: '0'
            }
        );
        assert_eq!(e.to_string(), "统一社会信用代码校验位错误，应为“X”");
        assert_eq!(e.code(), "uscc_check");
        let d = e.into_domain_error("uscc");
        assert_eq!(d.field, Some("uscc"));
        assert_eq!(d.message, "统一社会信用代码校验位错误，应为“X”");
    }

    #[test]
    fn lenient_reports_mismatch_but_not_structure() {
        let (uscc, mismatch) = Uscc::parse_lenient("911302006992296170").unwrap();
        assert_eq!(uscc.as_str(), "911302006992296170");
        assert!(!uscc.has_valid_check());
        let m = mismatch.unwrap();
        assert_eq!(
            m,
            CheckMismatch {
                expected: 'X',
                found: '0'
            }
        );
        assert_eq!(
            m.to_string(),
            "统一社会信用代码校验位错误，应为“X”，实际为“0”"
        );
        assert_eq!(
            UsccError::from(m),
            UsccError::BadCheck {
                expected: 'X',
                found: '0'
            }
        );
        assert!(matches!(
            Uscc::parse_lenient("91130200699229617"),
            Err(UsccError::WrongLength { actual: 17 })
        ));
        assert!(matches!(
            Uscc::parse_lenient("9113020069922961SX"),
            Err(UsccError::IllegalChar { position: 17, .. })
        ));
    }

    #[test]
    fn serde_is_a_string_and_deserialize_is_strict() {
        let uscc = Uscc::parse(VALID[1]).unwrap();
        let json = serde_json::to_string(&uscc).unwrap();
        assert_eq!(json, "\"91350100M000100Y43\"");
        assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), uscc);
        let err = serde_json::from_str::<Uscc>("\"911302006992296170\"").unwrap_err();
        assert!(err.to_string().contains("校验位错误"), "{err}");
        assert!(serde_json::from_str::<Uscc>("17").is_err());
    }

    fn alphabet_char(i: usize) -> char {
        char::from(ALPHABET.as_bytes()[i])
    }

    fn first17() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, USCC_LEN - 1)
            .prop_map(|v| v.into_iter().map(alphabet_char).collect())
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_char_parses(body in first17()) {
            let check = check_char(&body).unwrap();
            let code = format!("{body}{check}");
            let uscc = Uscc::parse(&code).unwrap();
            prop_assert_eq!(uscc.as_str(), code.as_str());
            prop_assert!(uscc.has_valid_check());
        }

        #[test]
        fn any_single_substitution_fails_strict_parse(
            body in first17(),
            position in 0usize..USCC_LEN,
            replacement in 0usize..31,
        ) {
            let check = check_char(&body).unwrap();
            let mut chars: Vec<char> = format!("{body}{check}").chars().collect();
            let replacement = alphabet_char(replacement);
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(
                matches!(Uscc::parse(&changed), Err(UsccError::BadCheck { .. })),
                "{} parsed", changed
            );
            // Still structurally valid, so lenient parsing accepts and reports it.
            let (_, mismatch) = Uscc::parse_lenient(&changed).unwrap();
            prop_assert!(mismatch.is_some());
        }
    }

    #[test]
    fn each_error_has_its_code_and_is_reported_on_the_field() {
        for (input, code) in [
            ("9113020069922961", "uscc_length"),
            ("9113I200699229617X", "uscc_illegal_char"),
            ("911302006992296170", "uscc_check"),
        ] {
            let e = Uscc::parse(input).unwrap_err();
            assert_eq!(e.code(), code, "{input}");
            let d = e.into_domain_error("uscc");
            assert_eq!((d.field, d.code), (Some("uscc"), code));
        }
        let u = Uscc::parse(VALID[1]).unwrap();
        assert_eq!(u.as_ref(), VALID[1]);
        assert_eq!(u.organization_code(), "M000100Y4");
        assert_eq!(u.area_code(), "350100");
    }
}
