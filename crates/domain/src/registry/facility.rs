//! Outlets (排口), treatment facilities (治理设施) and production facilities
//! (生产设施) of an enterprise profile (ENT-2).

use serde::{Deserialize, Serialize};

use super::permit::{FacilityCode, OutletCode};
use crate::error::{DomainError, DomainResult};

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

    pub fn validate_named(&self, field: &'static str) -> DomainResult<()> {
        if self.code.trim().is_empty() || self.name.trim().is_empty() {
            return Err(DomainError::field(field, "required", "设施须有编码和名称"));
        }
        Ok(())
    }
}
