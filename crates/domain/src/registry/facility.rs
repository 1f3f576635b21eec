//! Outlets (排口), treatment facilities (治理设施) and production facilities
//! (生产设施) of an enterprise profile (ENT-2).

use serde::{Deserialize, Serialize};

use super::permit::{FacilityCode, OutletCode};
use crate::error::{DomainError, DomainResult};

labelled_enum!(
    /// The two kinds of facility of a profile.
    FacilityKind {
        Treatment = "treatment" / "治理设施",
        Production = "production" / "生产设施",
    }
);

/// An emission limit of one pollutant at an outlet, e.g. 颗粒物 10 mg/m³.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PollutantLimit {
    pub pollutant: String,
    pub limit: f64,
    pub unit: String,
}

/// An outlet as entered: code such as DA001 (废气) or DW001 (废水).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutletInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub pollutants: Vec<PollutantLimit>,
}

/// A treatment facility (code such as TA001) or a production facility (free code such as MF0001).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FacilityInput {
    pub code: String,
    pub name: String,
    /// Process or model, e.g. 袋式除尘 / 1080m³高炉.
    #[serde(default)]
    pub process: String,
}

impl PollutantLimit {
    /// The limits as one line of a form: `颗粒物 10 mg/m³；二氧化硫 50 mg/m³`.
    pub fn format_list(limits: &[PollutantLimit]) -> String {
        limits
            .iter()
            .map(|p| {
                format!("{} {} {}", p.pollutant, p.limit, p.unit)
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("；")
    }

    /// Reads the line of [`Self::format_list`]: entries split by `；`, `;` or
    /// a line break, each a pollutant, its limit and an optional unit
    /// (mg/m³ when left out); a `≤` before the limit is allowed.
    pub fn parse_list(text: &str) -> DomainResult<Vec<PollutantLimit>> {
        text.split(['；', ';', '\n'])
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                let bad = || {
                    DomainError::field(
                        "pollutants",
                        "invalid_limit",
                        format!("“{part}”应写成“污染物 限值 单位”，如“颗粒物 10 mg/m³”"),
                    )
                };
                let mut words = part.split_whitespace().filter(|w| *w != "≤");
                let pollutant = words.next().ok_or_else(bad)?;
                let limit: f64 = words
                    .next()
                    .and_then(|l| l.trim_start_matches('≤').parse().ok())
                    .filter(|l: &f64| l.is_finite() && *l >= 0.0)
                    .ok_or_else(bad)?;
                let unit = words.collect::<Vec<_>>().join(" ");
                Ok(PollutantLimit {
                    pollutant: pollutant.to_string(),
                    limit,
                    unit: if unit.is_empty() {
                        "mg/m³".into()
                    } else {
                        unit
                    },
                })
            })
            .collect()
    }
}

impl OutletInput {
    pub fn validate(&self) -> DomainResult<OutletCode> {
        let code = self
            .code
            .parse::<OutletCode>()
            .map_err(|e| e.into_domain_error("outlets"))?;
        if self.name.trim().is_empty() {
            return Err(DomainError::field(
                "outlets",
                "required",
                format!("排口{}缺少名称", self.code),
            ));
        }
        for p in &self.pollutants {
            if p.pollutant.trim().is_empty() || !p.limit.is_finite() || p.limit < 0.0 {
                return Err(DomainError::field(
                    "outlets",
                    "invalid_limit",
                    format!("排口{}的污染物限值有误", self.code),
                ));
            }
        }
        Ok(code)
    }
}

impl FacilityInput {
    /// Treatment facilities carry HJ 608 codes (TA001, TW001 …).
    pub fn validate_treatment(&self) -> DomainResult<FacilityCode> {
        let code = self
            .code
            .parse::<FacilityCode>()
            .map_err(|e| e.into_domain_error("treatment_facilities"))?;
        self.validate_named("treatment_facilities")?;
        Ok(code)
    }

    /// Checks the input as a facility of `kind`; returns the code to store
    /// (an HJ 608 code as normalised, a free code trimmed).
    pub fn validate_as(&self, kind: FacilityKind) -> DomainResult<String> {
        match kind {
            FacilityKind::Treatment => Ok(self.validate_treatment()?.as_str().to_string()),
            FacilityKind::Production => {
                self.validate_named("production_facilities")?;
                Ok(self.code.trim().to_string())
            }
        }
    }

    pub fn validate_named(&self, field: &'static str) -> DomainResult<()> {
        if self.code.trim().is_empty() || self.name.trim().is_empty() {
            return Err(DomainError::field(field, "required", "设施须有编码和名称"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::permit::PollutantKind;

    fn outlet(code: &str, name: &str, limits: &[(&str, f64)]) -> OutletInput {
        OutletInput {
            code: code.into(),
            name: name.into(),
            pollutants: limits
                .iter()
                .map(|&(pollutant, limit)| PollutantLimit {
                    pollutant: pollutant.into(),
                    limit,
                    unit: "mg/m³".into(),
                })
                .collect(),
        }
    }

    fn facility(code: &str, name: &str) -> FacilityInput {
        FacilityInput {
            code: code.into(),
            name: name.into(),
            process: String::new(),
        }
    }

    #[test]
    fn limits_read_back_as_written() {
        let limits =
            PollutantLimit::parse_list("颗粒物 10 mg/m³；二氧化硫 ≤ 50;\n氨氮 5 mg/L").unwrap();
        assert_eq!(limits.len(), 3);
        assert_eq!(
            (limits[1].pollutant.as_str(), limits[1].limit),
            ("二氧化硫", 50.0)
        );
        assert_eq!(limits[1].unit, "mg/m³");
        assert_eq!(limits[2].unit, "mg/L");
        let line = PollutantLimit::format_list(&limits);
        assert_eq!(line, "颗粒物 10 mg/m³；二氧化硫 50 mg/m³；氨氮 5 mg/L");
        assert_eq!(PollutantLimit::parse_list(&line).unwrap(), limits);
        assert!(PollutantLimit::parse_list(" ").unwrap().is_empty());
        for bad in ["颗粒物", "颗粒物 十", "颗粒物 -1"] {
            let err = PollutantLimit::parse_list(bad).unwrap_err();
            assert_eq!(
                (err.field, err.code),
                (Some("pollutants"), "invalid_limit"),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_outlet_with_a_permit_code_a_name_and_limits_is_accepted() {
        let code = outlet(
            " da001 ",
            "1号高炉出铁场废气排放口",
            &[("颗粒物", 10.0), ("二氧化硫", 0.0)],
        )
        .validate()
        .unwrap();
        assert_eq!(code.as_str(), "DA001");
        assert_eq!(code.kind(), PollutantKind::Air);
        assert!(outlet("DW001", "总排口", &[]).validate().is_ok());
    }

    #[test]
    fn an_outlet_needs_a_permit_code_and_a_name() {
        let err = outlet("DA0001", "排口", &[]).validate().unwrap_err();
        assert_eq!(err.field, Some("outlets"));
        assert_eq!(err.code, "invalid_outlet_code");
        let err = outlet("TA001", "排口", &[]).validate().unwrap_err();
        assert_eq!(err.code, "invalid_outlet_code");
        let err = outlet("DA001", "  ", &[]).validate().unwrap_err();
        assert_eq!(err.field, Some("outlets"));
        assert_eq!(err.code, "required");
        assert_eq!(err.message, "排口DA001缺少名称");
    }

    #[test]
    fn each_limit_names_a_pollutant_and_is_a_number_not_below_zero() {
        for (pollutant, limit) in [
            ("", 10.0),
            (" ", 10.0),
            ("颗粒物", -0.1),
            ("颗粒物", f64::NAN),
            ("颗粒物", f64::INFINITY),
        ] {
            let err = outlet("DA002", "排口", &[("氮氧化物", 50.0), (pollutant, limit)])
                .validate()
                .unwrap_err();
            assert_eq!(err.field, Some("outlets"), "{pollutant:?} {limit}");
            assert_eq!(err.code, "invalid_limit", "{pollutant:?} {limit}");
            assert_eq!(err.message, "排口DA002的污染物限值有误");
        }
    }

    #[test]
    fn a_treatment_facility_needs_an_hj608_code_and_a_name() {
        let code = facility("ta001", "袋式除尘器")
            .validate_treatment()
            .unwrap();
        assert_eq!(code.as_str(), "TA001");
        let err = facility("DA001", "袋式除尘器")
            .validate_treatment()
            .unwrap_err();
        assert_eq!(err.field, Some("treatment_facilities"));
        assert_eq!(err.code, "invalid_facility_code");
        let err = facility("TA001", " ").validate_treatment().unwrap_err();
        assert_eq!(err.field, Some("treatment_facilities"));
        assert_eq!(err.code, "required");
    }

    #[test]
    fn a_production_facility_needs_a_code_and_a_name_of_any_shape() {
        assert!(facility("MF0001", "1080m³高炉")
            .validate_named("production_facilities")
            .is_ok());
        for (code, name) in [("", "高炉"), ("MF0001", ""), (" ", " ")] {
            let err = facility(code, name)
                .validate_named("production_facilities")
                .unwrap_err();
            assert_eq!(err.field, Some("production_facilities"));
            assert_eq!(err.code, "required");
        }
    }
}
