//! Codes of the pollutant-discharge permit system (排污许可, HJ 608-2017): the
//! permit number itself, and the codes the permit gives to discharge outlets
//! (排放口) and pollution-control facilities (污染防治设施).
//!
//! Inspection records refer to outlets and facilities by these codes exactly as
//! they are printed on the permit (DA001, TW002 …), so that an inspector's
//! finding can be matched to the permit's own list; checking their shape at
//! entry keeps typos such as `DAOO1` (letter O) out of the records.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::uscc::{Uscc, UsccError, USCC_LEN};
use crate::error::DomainError;

/// Number of characters of a permit number.
pub const PERMIT_CODE_LEN: usize = 22;

/// 排污许可证编号: the enterprise's 统一社会信用代码 (18), a 3-digit sequence
/// number (an enterprise with several sites holds several permits), and one
/// upper-case letter for the kind of document (e.g. `P`), as in
/// `91130200699229617X001P`.
///
/// Unlike a bare USCC, the embedded code must pass its check character
/// strictly: a permit number is issued by the national permit system, which
/// only accepts checked codes, so a failing one is a typo, not a legacy code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermitCode {
    code: String,
    uscc: Uscc,
}

/// Why a string is not a 排污许可证编号. Positions are 1-based characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PermitCodeError {
    #[error("排污许可证编号应为22位，实际为{actual}位")]
    WrongLength { actual: usize },
    /// The first 18 characters are not a (strictly) valid USCC; positions in
    /// the inner error coincide with those of the permit number.
    #[error("排污许可证编号前18位不是有效的统一社会信用代码：{0}")]
    Uscc(UsccError),
    #[error("排污许可证编号第{position}位应为数字，实际为“{ch}”")]
    SequenceNotDigit { position: usize, ch: char },
    #[error("排污许可证编号第22位应为大写英文字母，实际为“{ch}”")]
    BadSuffix { ch: char },
}

impl PermitCodeError {
    /// Stable machine code, for clients that branch on the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            PermitCodeError::WrongLength { .. } => "permit_code_length",
            PermitCodeError::Uscc(_) => "permit_code_uscc",
            PermitCodeError::SequenceNotDigit { .. } => "permit_code_sequence",
            PermitCodeError::BadSuffix { .. } => "permit_code_suffix",
        }
    }

    /// The crate-wide error, attached to the form field `field`.
    pub fn into_domain_error(self, field: &'static str) -> DomainError {
        DomainError::field(field, self.code(), self.to_string())
    }
}

impl PermitCode {
    /// Trims and upper-cases, then checks length, the embedded USCC (strictly),
    /// the 3-digit sequence and the final letter, in that order.
    pub fn parse(input: &str) -> Result<PermitCode, PermitCodeError> {
        let s: String = input
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != PERMIT_CODE_LEN {
            return Err(PermitCodeError::WrongLength {
                actual: chars.len(),
            });
        }
        let head: String = chars[..USCC_LEN].iter().collect();
        let uscc = Uscc::parse_embedded(&head).map_err(PermitCodeError::Uscc)?;
        for (i, &ch) in chars.iter().enumerate().take(USCC_LEN + 3).skip(USCC_LEN) {
            if !ch.is_ascii_digit() {
                return Err(PermitCodeError::SequenceNotDigit {
                    position: i + 1,
                    ch,
                });
            }
        }
        let suffix = chars[PERMIT_CODE_LEN - 1];
        if !suffix.is_ascii_uppercase() {
            return Err(PermitCodeError::BadSuffix { ch: suffix });
        }
        // All 22 characters are ASCII from here on, so byte slicing is safe.
        Ok(PermitCode { code: s, uscc })
    }

    /// The enterprise's 统一社会信用代码 (positions 1–18).
    pub fn uscc(&self) -> &Uscc {
        &self.uscc
    }

    /// The sequence number (positions 19–21), `1` for `…001P`.
    pub fn sequence(&self) -> u16 {
        self.code[USCC_LEN..USCC_LEN + 3]
            .parse()
            .expect("three checked digits")
    }

    /// The final letter (position 22).
    pub fn suffix(&self) -> char {
        char::from(self.code.as_bytes()[PERMIT_CODE_LEN - 1])
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }
}

impl fmt::Display for PermitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl AsRef<str> for PermitCode {
    fn as_ref(&self) -> &str {
        &self.code
    }
}

impl FromStr for PermitCode {
    type Err = PermitCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PermitCode::parse(s)
    }
}

string_serde!(PermitCode);

/// 污染物类别: the second letter of an outlet or facility code, saying which
/// environmental medium it concerns. Outlets on permits are only ever air or
/// water, but solid waste and noise facilities exist and registry spreadsheets
/// use the same scheme for them, so all four are accepted for both kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollutantKind {
    /// A — 废气
    Air,
    /// W — 废水
    Water,
    /// S — 固体废物
    SolidWaste,
    /// N — 噪声
    Noise,
}

impl PollutantKind {
    pub const ALL: [PollutantKind; 4] = [
        PollutantKind::Air,
        PollutantKind::Water,
        PollutantKind::SolidWaste,
        PollutantKind::Noise,
    ];

    /// The letter used in codes.
    pub fn letter(self) -> char {
        match self {
            PollutantKind::Air => 'A',
            PollutantKind::Water => 'W',
            PollutantKind::SolidWaste => 'S',
            PollutantKind::Noise => 'N',
        }
    }

    /// The kind for a code letter (upper-case only).
    pub fn from_letter(letter: char) -> Option<PollutantKind> {
        PollutantKind::ALL
            .into_iter()
            .find(|k| k.letter() == letter)
    }

    /// Chinese name, as shown to users: 废气, 废水, 固体废物, 噪声.
    pub fn label(self) -> &'static str {
        match self {
            PollutantKind::Air => "废气",
            PollutantKind::Water => "废水",
            PollutantKind::SolidWaste => "固体废物",
            PollutantKind::Noise => "噪声",
        }
    }
}

impl fmt::Display for PollutantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which of the two sub-codes an error is about; its `Display` is the Chinese
/// name used at the start of error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubCodeSubject {
    /// 排放口编码, starting with `D`.
    Outlet,
    /// 污染防治设施编码, starting with `T`.
    Facility,
}

impl SubCodeSubject {
    /// The first letter of codes of this subject.
    pub fn prefix(self) -> char {
        match self {
            SubCodeSubject::Outlet => 'D',
            SubCodeSubject::Facility => 'T',
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SubCodeSubject::Outlet => "排放口编码",
            SubCodeSubject::Facility => "污染防治设施编码",
        }
    }

    /// An example code, quoted in error messages.
    pub fn example(self) -> &'static str {
        match self {
            SubCodeSubject::Outlet => "DA001",
            SubCodeSubject::Facility => "TA001",
        }
    }
}

impl fmt::Display for SubCodeSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a string is not an outlet or facility code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SubCodeError {
    #[error("{subject}应为5位（如{}），实际为{actual}位", .subject.example())]
    WrongLength {
        subject: SubCodeSubject,
        actual: usize,
    },
    #[error("{subject}应以“{}”开头，实际为“{found}”", .subject.prefix())]
    WrongPrefix {
        subject: SubCodeSubject,
        found: char,
    },
    #[error("{subject}第2位应为A（废气）、W（废水）、S（固体废物）或N（噪声），实际为“{found}”")]
    UnknownKind {
        subject: SubCodeSubject,
        found: char,
    },
    #[error("{subject}第{position}位应为数字，实际为“{ch}”")]
    SerialNotDigit {
        subject: SubCodeSubject,
        position: usize,
        ch: char,
    },
}

impl SubCodeError {
    /// Stable machine code, for clients that branch on the kind of error.
    pub fn code(&self) -> &'static str {
        let subject = match self {
            SubCodeError::WrongLength { subject, .. }
            | SubCodeError::WrongPrefix { subject, .. }
            | SubCodeError::UnknownKind { subject, .. }
            | SubCodeError::SerialNotDigit { subject, .. } => *subject,
        };
        match subject {
            SubCodeSubject::Outlet => "invalid_outlet_code",
            SubCodeSubject::Facility => "invalid_facility_code",
        }
    }

    /// The crate-wide error, attached to the form field `field`.
    pub fn into_domain_error(self, field: &'static str) -> DomainError {
        DomainError::field(field, self.code(), self.to_string())
    }
}

/// Shared parser: prefix letter, kind letter, three digits.
fn parse_sub_code(
    input: &str,
    subject: SubCodeSubject,
) -> Result<(String, PollutantKind, u16), SubCodeError> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let chars: Vec<char> = s.chars().collect();
    if chars.len() != 5 {
        return Err(SubCodeError::WrongLength {
            subject,
            actual: chars.len(),
        });
    }
    if chars[0] != subject.prefix() {
        return Err(SubCodeError::WrongPrefix {
            subject,
            found: chars[0],
        });
    }
    let kind = PollutantKind::from_letter(chars[1]).ok_or(SubCodeError::UnknownKind {
        subject,
        found: chars[1],
    })?;
    for (i, &ch) in chars.iter().enumerate().skip(2) {
        if !ch.is_ascii_digit() {
            return Err(SubCodeError::SerialNotDigit {
                subject,
                position: i + 1,
                ch,
            });
        }
    }
    let serial = s[2..].parse().expect("three checked digits");
    Ok((s, kind, serial))
}

/// 排放口编码: `D` + [`PollutantKind`] letter + 3-digit serial, e.g. `DA001`
/// (废气排放口) or `DW001` (废水排放口).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutletCode {
    code: String,
    kind: PollutantKind,
    serial: u16,
}

impl OutletCode {
    /// Trims and upper-cases, then checks the shape.
    pub fn parse(input: &str) -> Result<OutletCode, SubCodeError> {
        let (code, kind, serial) = parse_sub_code(input, SubCodeSubject::Outlet)?;
        Ok(OutletCode { code, kind, serial })
    }

    pub fn kind(&self) -> PollutantKind {
        self.kind
    }

    /// The serial number, `1` for `DA001`.
    pub fn serial(&self) -> u16 {
        self.serial
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }
}

/// 污染防治设施编码: `T` + [`PollutantKind`] letter + 3-digit serial, e.g.
/// `TA001` (废气治理设施) or `TW001` (废水治理设施).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FacilityCode {
    code: String,
    kind: PollutantKind,
    serial: u16,
}

impl FacilityCode {
    /// Trims and upper-cases, then checks the shape.
    pub fn parse(input: &str) -> Result<FacilityCode, SubCodeError> {
        let (code, kind, serial) = parse_sub_code(input, SubCodeSubject::Facility)?;
        Ok(FacilityCode { code, kind, serial })
    }

    pub fn kind(&self) -> PollutantKind {
        self.kind
    }

    /// The serial number, `1` for `TA001`.
    pub fn serial(&self) -> u16 {
        self.serial
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }
}

macro_rules! sub_code_impls {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.code)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.code
            }
        }

        impl FromStr for $ty {
            type Err = SubCodeError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        string_serde!($ty);
    };
}

sub_code_impls!(OutletCode);
sub_code_impls!(FacilityCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_permit_code() {
        let p = PermitCode::parse(" 91130200699229617x001p ").unwrap();
        assert_eq!(p.as_str(), "91130200699229617X001P");
        assert_eq!(p.uscc().as_str(), "91130200699229617X");
        assert_eq!(p.uscc().area_code(), "130200");
        assert_eq!(p.sequence(), 1);
        assert_eq!(p.suffix(), 'P');
        assert_eq!(p.to_string(), p.as_str());
        let p2 = PermitCode::parse("91350100M000100Y43012W").unwrap();
        assert_eq!(p2.sequence(), 12);
        assert_eq!(p2.suffix(), 'W');
    }

    #[test]
    fn permit_code_errors() {
        let e = PermitCode::parse("91130200699229617X001").unwrap_err();
        assert_eq!(e, PermitCodeError::WrongLength { actual: 21 });
        assert_eq!(e.to_string(), "排污许可证编号应为22位，实际为21位");

        // A wrong check character is not tolerated inside a permit number.
        let e = PermitCode::parse("911302006992296170001P").unwrap_err();
        assert_eq!(
            e,
            PermitCodeError::Uscc(UsccError::BadCheck {
                expected: 'X',
                found: '0'
            })
        );
        assert_eq!(
            e.to_string(),
            "排污许可证编号前18位不是有效的统一社会信用代码：统一社会信用代码校验位错误，应为“X”"
        );
        assert!(matches!(
            PermitCode::parse("9113O200699229617X001P"),
            Err(PermitCodeError::Uscc(UsccError::IllegalChar {
                position: 5,
                ch: 'O'
            }))
        ));

        // Whitespace inside is not trimmed away from the embedded code.
        assert_eq!(
            PermitCode::parse("9113020069922961 X001P").unwrap_err(),
            PermitCodeError::Uscc(UsccError::IllegalChar {
                position: 17,
                ch: ' '
            })
        );

        let e = PermitCode::parse("91130200699229617X0O1P").unwrap_err();
        assert_eq!(
            e,
            PermitCodeError::SequenceNotDigit {
                position: 20,
                ch: 'O'
            }
        );
        assert_eq!(e.to_string(), "排污许可证编号第20位应为数字，实际为“O”");

        let e = PermitCode::parse("91130200699229617X0011").unwrap_err();
        assert_eq!(e, PermitCodeError::BadSuffix { ch: '1' });
        assert_eq!(
            e.to_string(),
            "排污许可证编号第22位应为大写英文字母，实际为“1”"
        );
        assert_eq!(e.code(), "permit_code_suffix");
        assert_eq!(
            PermitCode::parse("91130200699229617X001中").unwrap_err(),
            PermitCodeError::BadSuffix { ch: '中' }
        );
    }

    #[test]
    fn permit_code_serde() {
        let p = PermitCode::parse("91130200699229617X001P").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"91130200699229617X001P\"");
        assert_eq!(serde_json::from_str::<PermitCode>(&json).unwrap(), p);
        assert!(serde_json::from_str::<PermitCode>("\"911302006992296170001P\"").is_err());
    }

    #[test]
    fn outlet_codes() {
        let o = OutletCode::parse("DA001").unwrap();
        assert_eq!(o.kind(), PollutantKind::Air);
        assert_eq!(o.kind().label(), "废气");
        assert_eq!(o.serial(), 1);
        let o = OutletCode::parse(" dw012 ").unwrap();
        assert_eq!(o.as_str(), "DW012");
        assert_eq!(o.kind(), PollutantKind::Water);
        assert_eq!(o.serial(), 12);
        assert_eq!(
            OutletCode::parse("DS003").unwrap().kind(),
            PollutantKind::SolidWaste
        );
        assert_eq!(
            OutletCode::parse("DN100").unwrap().kind(),
            PollutantKind::Noise
        );
    }

    #[test]
    fn facility_codes() {
        let t = FacilityCode::parse("TA001").unwrap();
        assert_eq!(t.kind(), PollutantKind::Air);
        assert_eq!(FacilityCode::parse("tw002").unwrap().to_string(), "TW002");
        assert_eq!(FacilityCode::parse("TW002").unwrap().serial(), 2);
    }

    #[test]
    fn sub_code_errors() {
        let e = OutletCode::parse("DA01").unwrap_err();
        assert_eq!(e.to_string(), "排放口编码应为5位（如DA001），实际为4位");
        assert_eq!(e.code(), "invalid_outlet_code");

        let e = OutletCode::parse("TA001").unwrap_err();
        assert_eq!(e.to_string(), "排放口编码应以“D”开头，实际为“T”");
        let e = FacilityCode::parse("DA001").unwrap_err();
        assert_eq!(e.to_string(), "污染防治设施编码应以“T”开头，实际为“D”");
        assert_eq!(e.code(), "invalid_facility_code");

        let e = FacilityCode::parse("TX001").unwrap_err();
        assert_eq!(
            e.to_string(),
            "污染防治设施编码第2位应为A（废气）、W（废水）、S（固体废物）或N（噪声），实际为“X”"
        );

        let e = OutletCode::parse("DAOO1").unwrap_err();
        assert_eq!(
            e,
            SubCodeError::SerialNotDigit {
                subject: SubCodeSubject::Outlet,
                position: 3,
                ch: 'O'
            }
        );
        assert_eq!(e.to_string(), "排放口编码第3位应为数字，实际为“O”");
        let d = e.into_domain_error("outlet_code");
        assert_eq!(d.code, "invalid_outlet_code");
        assert_eq!(d.field, Some("outlet_code"));
    }

    #[test]
    fn sub_code_serde() {
        let o = OutletCode::parse("DW001").unwrap();
        assert_eq!(serde_json::to_string(&o).unwrap(), "\"DW001\"");
        assert_eq!(serde_json::from_str::<OutletCode>("\"dw001\"").unwrap(), o);
        assert!(serde_json::from_str::<FacilityCode>("\"DW001\"").is_err());
        assert_eq!(
            serde_json::to_string(&PollutantKind::SolidWaste).unwrap(),
            "\"solid_waste\""
        );
    }

    #[test]
    fn pollutant_kind_letters_round_trip() {
        for k in PollutantKind::ALL {
            assert_eq!(PollutantKind::from_letter(k.letter()), Some(k));
        }
        assert_eq!(PollutantKind::from_letter('a'), None);
        assert_eq!(PollutantKind::Noise.to_string(), "噪声");
    }

    #[test]
    fn each_permit_error_has_its_code_and_is_reported_on_the_field() {
        let cases = [
            ("91130200699229617X001", "permit_code_length"),
            ("911302006992296170001P", "permit_code_uscc"),
            ("91130200699229617X0O1P", "permit_code_sequence"),
            ("91130200699229617X00AP", "permit_code_sequence"),
            ("91130200699229617X0011", "permit_code_suffix"),
        ];
        for (input, code) in cases {
            let e = PermitCode::parse(input).unwrap_err();
            assert_eq!(e.code(), code, "{input}");
            let d = e.into_domain_error("permit_code");
            assert_eq!((d.field, d.code), (Some("permit_code"), code));
            assert_eq!(d.message, e.to_string());
        }
        assert_eq!(
            PermitCode::parse("91130200699229617X00AP").unwrap_err(),
            PermitCodeError::SequenceNotDigit {
                position: 21,
                ch: 'A'
            }
        );
    }

    #[test]
    fn codes_read_as_they_are_printed_on_the_permit() {
        let p: PermitCode = "91130200699229617X999P".parse().unwrap();
        assert_eq!(p.as_ref(), "91130200699229617X999P");
        assert_eq!(p.sequence(), 999);
        let t = FacilityCode::parse("tn100").unwrap();
        assert_eq!(t.as_str(), "TN100");
        assert_eq!(t.as_ref(), "TN100");
        assert_eq!(t.kind(), PollutantKind::Noise);
        assert_eq!(t.serial(), 100);
        let o: OutletCode = "DS010".parse().unwrap();
        assert_eq!(o.as_ref(), "DS010");
        assert_eq!(o.to_string(), "DS010");
        assert_eq!(o.serial(), 10);
        let labels: Vec<_> = PollutantKind::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(labels, ["废气", "废水", "固体废物", "噪声"]);
        assert_eq!(SubCodeSubject::Facility.to_string(), "污染防治设施编码");
        assert_eq!(SubCodeSubject::Outlet.example(), "DA001");
        assert_eq!(SubCodeSubject::Facility.example(), "TA001");
        let e = FacilityCode::parse("TA01").unwrap_err();
        assert_eq!(
            e.to_string(),
            "污染防治设施编码应为5位（如TA001），实际为4位"
        );
    }
}
