//! Location of an enterprise: coordinates and postal code.
//!
//! Coordinates are typed in by hand or copied from map applications, and the
//! usual mistakes are a swapped pair, a missing sign or digit, or `0,0` left as
//! a placeholder. Checking that the point falls inside China's bounding box
//! catches all of these while staying cheap and independent of any map data.
//! The box is deliberately rough (it contains parts of neighbouring countries
//! and sea): it is a plausibility check, not a border test. No datum is implied
//! either — WGS-84 and GCJ-02 differ by a few hundred metres, far below what
//! this check can see.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::error::DomainError;

/// Westernmost longitude accepted (Pamirs, Xinjiang), degrees east.
pub const MIN_LONGITUDE: f64 = 73.5;
/// Easternmost longitude accepted (Heilongjiang–Ussuri confluence).
pub const MAX_LONGITUDE: f64 = 135.1;
/// Southernmost latitude accepted (Zengmu Ansha), degrees north.
pub const MIN_LATITUDE: f64 = 3.8;
/// Northernmost latitude accepted (Mohe, Heilongjiang).
pub const MAX_LATITUDE: f64 = 53.6;

fn longitude_ok(v: f64) -> bool {
    (MIN_LONGITUDE..=MAX_LONGITUDE).contains(&v)
}

fn latitude_ok(v: f64) -> bool {
    (MIN_LATITUDE..=MAX_LATITUDE).contains(&v)
}

/// Why a pair of numbers is not a plausible location in China.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum GeoError {
    #[error("经度不是有效数字")]
    LongitudeNotFinite,
    #[error("纬度不是有效数字")]
    LatitudeNotFinite,
    /// Both values are out of range but would fit if exchanged: reported on its
    /// own because it is by far the most common mistake.
    #[error("经纬度可能填反了：经度应在73.5至135.1之间，纬度应在3.8至53.6之间")]
    LikelySwapped,
    #[error("经度{0}超出中国范围，应在73.5至135.1之间")]
    LongitudeOutOfRange(f64),
    #[error("纬度{0}超出中国范围，应在3.8至53.6之间")]
    LatitudeOutOfRange(f64),
}

impl GeoError {
    /// Stable machine code, for clients that branch on the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            GeoError::LongitudeNotFinite | GeoError::LatitudeNotFinite => "coordinates_not_number",
            GeoError::LikelySwapped => "coordinates_swapped",
            GeoError::LongitudeOutOfRange(_) | GeoError::LatitudeOutOfRange(_) => {
                "coordinates_out_of_range"
            }
        }
    }

    /// The crate-wide error, attached to the form field `field`.
    pub fn into_domain_error(self, field: &'static str) -> DomainError {
        DomainError::field(field, self.code(), self.to_string())
    }
}

/// A point inside China's bounding box, in decimal degrees (east, north).
/// Fields are private so that every value has been checked; deserialising
/// (`{"longitude": …, "latitude": …}`) checks too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCoordinates")]
pub struct Coordinates {
    longitude: f64,
    latitude: f64,
}

#[derive(Deserialize)]
struct RawCoordinates {
    longitude: f64,
    latitude: f64,
}

impl TryFrom<RawCoordinates> for Coordinates {
    type Error = GeoError;

    fn try_from(raw: RawCoordinates) -> Result<Self, Self::Error> {
        Coordinates::new(raw.longitude, raw.latitude)
    }
}

impl Coordinates {
    /// Checks that both values are finite numbers inside the box (NaN and
    /// infinities are rejected), longitude first.
    pub fn new(longitude: f64, latitude: f64) -> Result<Coordinates, GeoError> {
        if !longitude.is_finite() {
            return Err(GeoError::LongitudeNotFinite);
        }
        if !latitude.is_finite() {
            return Err(GeoError::LatitudeNotFinite);
        }
        match (longitude_ok(longitude), latitude_ok(latitude)) {
            (true, true) => Ok(Coordinates {
                longitude,
                latitude,
            }),
            (false, false) if longitude_ok(latitude) && latitude_ok(longitude) => {
                Err(GeoError::LikelySwapped)
            }
            (false, _) => Err(GeoError::LongitudeOutOfRange(longitude)),
            (true, false) => Err(GeoError::LatitudeOutOfRange(latitude)),
        }
    }

    /// Degrees east.
    pub fn longitude(&self) -> f64 {
        self.longitude
    }

    /// Degrees north.
    pub fn latitude(&self) -> f64 {
        self.latitude
    }
}

impl fmt::Display for Coordinates {
    /// `东经116.397128°，北纬39.916527°`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "东经{}°，北纬{}°", self.longitude, self.latitude)
    }
}

/// The postal code is not 6 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("邮政编码应为6位数字")]
pub struct PostalCodeError;

impl PostalCodeError {
    /// Stable machine code, for clients that branch on the kind of error.
    pub fn code(&self) -> &'static str {
        "invalid_postal_code"
    }

    /// The crate-wide error, attached to the form field `field`.
    pub fn into_domain_error(self, field: &'static str) -> DomainError {
        DomainError::field(field, self.code(), self.to_string())
    }
}

/// 邮政编码: six ASCII digits. Nothing more is checked: the first digits
/// encode the province, but the mapping has exceptions and postal codes are
/// only used for mail, so a stricter rule would reject real addresses for
/// little gain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode(String);

impl PostalCode {
    /// Ignores surrounding whitespace; full-width digits are not accepted.
    pub fn parse(input: &str) -> Result<PostalCode, PostalCodeError> {
        let s = input.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(PostalCode(s.to_string()))
        } else {
            Err(PostalCodeError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PostalCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for PostalCode {
    type Err = PostalCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PostalCode::parse(s)
    }
}

string_serde!(PostalCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_in_china_are_accepted() {
        // Tiananmen, Tangshan, Urumqi, Sanya, Mohe.
        for (lon, lat) in [
            (116.397128, 39.916527),
            (118.18, 39.63),
            (87.62, 43.82),
            (109.51, 18.25),
            (122.53, 52.97),
        ] {
            let c = Coordinates::new(lon, lat).unwrap();
            assert_eq!((c.longitude(), c.latitude()), (lon, lat));
        }
        // The bounds themselves are inside.
        assert!(Coordinates::new(MIN_LONGITUDE, MIN_LATITUDE).is_ok());
        assert!(Coordinates::new(MAX_LONGITUDE, MAX_LATITUDE).is_ok());
    }

    #[test]
    fn non_numbers_are_rejected() {
        assert_eq!(
            Coordinates::new(f64::NAN, 39.9),
            Err(GeoError::LongitudeNotFinite)
        );
        assert_eq!(
            Coordinates::new(116.4, f64::NAN),
            Err(GeoError::LatitudeNotFinite)
        );
        assert_eq!(
            Coordinates::new(f64::INFINITY, 39.9),
            Err(GeoError::LongitudeNotFinite)
        );
        assert_eq!(
            Coordinates::new(116.4, f64::NEG_INFINITY),
            Err(GeoError::LatitudeNotFinite)
        );
        assert_eq!(GeoError::LongitudeNotFinite.to_string(), "经度不是有效数字");
    }

    #[test]
    fn out_of_range_and_swapped() {
        let e = Coordinates::new(0.0, 0.0).unwrap_err();
        assert_eq!(e, GeoError::LongitudeOutOfRange(0.0));
        assert_eq!(e.to_string(), "经度0超出中国范围，应在73.5至135.1之间");

        let e = Coordinates::new(116.4, 60.5).unwrap_err();
        assert_eq!(e, GeoError::LatitudeOutOfRange(60.5));
        assert_eq!(e.to_string(), "纬度60.5超出中国范围，应在3.8至53.6之间");

        assert_eq!(
            Coordinates::new(-116.4, 39.9),
            Err(GeoError::LongitudeOutOfRange(-116.4))
        );
        assert_eq!(
            Coordinates::new(135.2, 39.9),
            Err(GeoError::LongitudeOutOfRange(135.2))
        );
        assert_eq!(
            Coordinates::new(116.4, 3.7),
            Err(GeoError::LatitudeOutOfRange(3.7))
        );

        let e = Coordinates::new(39.9, 116.4).unwrap_err();
        assert_eq!(e, GeoError::LikelySwapped);
        assert_eq!(e.code(), "coordinates_swapped");
        assert_eq!(e.into_domain_error("location").field, Some("location"));
    }

    #[test]
    fn coordinates_serde_checks() {
        let c = Coordinates::new(118.18, 39.63).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"longitude":118.18,"latitude":39.63}"#);
        assert_eq!(serde_json::from_str::<Coordinates>(&json).unwrap(), c);
        let err = serde_json::from_str::<Coordinates>(r#"{"longitude":39.63,"latitude":118.18}"#)
            .unwrap_err();
        assert!(err.to_string().contains("经纬度可能填反了"), "{err}");
        assert_eq!(c.to_string(), "东经118.18°，北纬39.63°");
    }

    #[test]
    fn postal_codes() {
        assert_eq!(PostalCode::parse(" 063000 ").unwrap().as_str(), "063000");
        assert_eq!(
            "100000".parse::<PostalCode>().unwrap().to_string(),
            "100000"
        );
        for bad in ["", "06300", "0630000", "06300a", "０６３０００", "063 00"] {
            assert_eq!(PostalCode::parse(bad), Err(PostalCodeError), "{bad}");
        }
        assert_eq!(PostalCodeError.to_string(), "邮政编码应为6位数字");
        assert_eq!(
            serde_json::to_string(&PostalCode::parse("063000").unwrap()).unwrap(),
            "\"063000\""
        );
        assert!(serde_json::from_str::<PostalCode>("\"06300\"").is_err());
    }

    #[test]
    fn errors_carry_a_stable_code_and_their_field() {
        assert_eq!(
            GeoError::LongitudeNotFinite.code(),
            "coordinates_not_number"
        );
        assert_eq!(GeoError::LatitudeNotFinite.code(), "coordinates_not_number");
        assert_eq!(
            GeoError::LongitudeOutOfRange(0.0).code(),
            "coordinates_out_of_range"
        );
        let d = GeoError::LatitudeOutOfRange(60.5).into_domain_error("latitude");
        assert_eq!(d.code, "coordinates_out_of_range");
        assert_eq!(d.field, Some("latitude"));
        assert_eq!(d.message, "纬度60.5超出中国范围，应在3.8至53.6之间");
        assert_eq!(PostalCodeError.code(), "invalid_postal_code");
        let d = PostalCodeError.into_domain_error("postal_code");
        assert_eq!(
            (d.field, d.code, d.message.as_str()),
            (
                Some("postal_code"),
                "invalid_postal_code",
                "邮政编码应为6位数字"
            )
        );
    }

    #[test]
    fn just_outside_each_bound_is_refused() {
        assert!(Coordinates::new(73.4, 39.9).is_err());
        assert!(Coordinates::new(116.4, 53.7).is_err());
        // One value out: the other one is not mistaken for swapped.
        assert_eq!(
            Coordinates::new(116.4, 100.0),
            Err(GeoError::LatitudeOutOfRange(100.0))
        );
    }

    #[test]
    fn a_postal_code_reads_as_its_digits() {
        let p = PostalCode::parse("064100").unwrap();
        assert_eq!(p.as_ref(), "064100");
        assert_eq!(format!("{p}"), "064100");
    }
}
