//! The enterprise registry (污染源企业名录): the identifiers and reference codes
//! that describe a regulated enterprise, checked without any I/O.
//!
//! Registry data is typed in by bureau staff or imported from spreadsheets of
//! uneven quality, so every identifier here is a "parse, don't validate" type:
//! once a value of the type exists it is well-formed, and the storage and HTTP
//! layers never re-check it. Errors are `thiserror` types with Chinese messages
//! (shown to the user verbatim); `into_domain_error` bridges each of them to the
//! crate-wide [`DomainError`](crate::error::DomainError) with a stable code.
//!
//! - [`uscc`]: 统一社会信用代码 (GB 32100-2015) with its check character;
//! - [`permit`]: 排污许可证编号, 排放口编码 and 污染防治设施编码 (HJ 608-2017);
//! - [`industry`]: 国民经济行业分类 (GB/T 4754-2017), compiled into the binary;
//! - [`geo`]: coordinates inside China and postal codes;
//! - [`history`]: an enterprise's edit history, field by field.

/// Implements `Serialize` as the plain string and `Deserialize` through
/// `FromStr`, so a value read from JSON (or any serde format) is checked exactly
/// like one typed into a form — a deserialised identifier is never unchecked.
macro_rules! string_serde {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <String as serde::Deserialize>::deserialize(deserializer)?;
                raw.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod enterprise;
pub mod facility;
pub mod geo;
pub mod history;
pub mod industry;
pub mod permit;
pub mod uscc;

pub use geo::{Coordinates, GeoError, PostalCode, PostalCodeError};
pub use industry::{Industry, IndustryError, IndustryLevel};
pub use permit::{
    FacilityCode, OutletCode, PermitCode, PermitCodeError, PollutantKind, SubCodeError,
    SubCodeSubject,
};
pub use uscc::{check_char, CheckMismatch, Uscc, UsccError};
