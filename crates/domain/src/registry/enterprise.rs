//! An enterprise of the registry (ENT-1): the fields of the 一企一档 screen plus
//! supervision category, credit grade and the positive list, validated in one
//! place for forms, the API and spreadsheet import alike.

use serde::{Deserialize, Serialize};

use super::geo::{Coordinates, PostalCode};
use super::industry::{self, Industry};
use super::permit::PermitCode;
use super::uscc::{CheckMismatch, Uscc};
use crate::error::{DomainError, DomainResult};
use crate::region::{self, RegionLevel};

labelled_enum!(
    /// 监管类别.
    SupervisionCategory {
        Key = "key" / "重点排污单位",
        General = "general" / "一般排污单位",
        Special = "special" / "特殊监管对象",
    }
);

labelled_enum!(
    /// 环境信用等级 (Hebei 2024: A ≥ 85, B 70–84, C 50–69, D 30–49, E ≤ 29).
    CreditGrade {
        A = "A" / "A级",
        B = "B" / "B级",
        C = "C" / "C级",
        D = "D" / "D级",
        E = "E" / "E级",
    }
);

labelled_enum!(
    /// 状态 of the 一企一档 screen.
    EnterpriseStatus {
        Normal = "normal" / "正常",
        Suspended = "suspended" / "停产",
        Closed = "closed" / "关闭",
    }
);

/// Raw input from a form, the API or one spreadsheet row. Everything is
/// optional so that a missing value becomes a Chinese message naming the field.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EnterpriseInput {
    /// 排污单位名称
    pub name: Option<String>,
    /// 固定源名称 (defaults to the name)
    pub source_name: Option<String>,
    /// 统一社会信用代码
    pub uscc: Option<String>,
    /// Reason for accepting a USCC whose check character fails (authorised users only).
    pub uscc_exception_reason: Option<String>,
    /// 排污许可证代码 (HJ 608-2017)
    pub permit_code: Option<String>,
    /// 地址
    pub address: Option<String>,
    /// 行业代码: a GB/T 4754-2017 class, e.g. `2710`
    pub industry_code: Option<String>,
    /// 邮政编码
    pub postal_code: Option<String>,
    /// 中心经度
    pub longitude: Option<f64>,
    /// 中心纬度
    pub latitude: Option<f64>,
    /// 行政区划代码: county-level GB/T 2260 code (longer township codes are cut to it)
    pub region_code: Option<String>,
    /// 工业园区
    pub industrial_park: Option<String>,
    /// 环保联系人
    pub contact_name: Option<String>,
    /// 联系方式
    pub contact_phone: Option<String>,
    /// 状态: normal / suspended / closed (or 正常 / 停产 / 关闭)
    pub status: Option<String>,
    /// key / general / special (or the Chinese labels)
    pub category: Option<String>,
    /// A–E; empty for not rated
    pub credit_grade: Option<String>,
    /// 正面清单
    pub positive_list: Option<bool>,
}

/// An enterprise after every rule has passed.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEnterprise {
    pub name: String,
    pub source_name: String,
    pub uscc: Uscc,
    /// Set when the USCC fails its check character and was accepted with a reason.
    pub uscc_exception: Option<(CheckMismatch, String)>,
    pub permit_code: Option<PermitCode>,
    pub address: String,
    pub industry: &'static Industry,
    pub postal_code: Option<PostalCode>,
    pub coordinates: Option<Coordinates>,
    /// County-level region and its names.
    pub region_code: String,
    pub province_code: String,
    pub city_code: String,
    pub city_name: String,
    pub county_name: String,
    pub industrial_park: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub status: EnterpriseStatus,
    pub category: SupervisionCategory,
    pub credit_grade: Option<CreditGrade>,
    pub positive_list: bool,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn bounded(
    field: &'static str,
    label: &str,
    v: Option<String>,
    max: usize,
) -> DomainResult<Option<String>> {
    match v {
        Some(s) if s.chars().count() > max => Err(DomainError::field(
            field,
            "too_long",
            format!("{label}不能超过{max}个字"),
        )),
        other => Ok(other),
    }
}

/// The county-level region of a code: six digits, or a longer township code
/// (the 一企一档 screen shows 130102000) whose first six digits are the county.
pub fn county_region(code: &str) -> DomainResult<(String, String, String, String, String)> {
    let code = code.trim();
    let six = code
        .get(..6)
        .filter(|_| code.len() >= 6 && code.bytes().all(|b| b.is_ascii_digit()));
    let bad = || {
        DomainError::field(
            "region_code",
            "unknown_region",
            format!("行政区划代码“{code}”不是GB/T 2260中的区县代码"),
        )
    };
    let six = six.ok_or_else(bad)?;
    if region::level_of(six) != RegionLevel::County {
        return Err(bad());
    }
    let county = region::lookup(six).ok_or_else(bad)?;
    let province = region::province_of(six).ok_or_else(bad)?;
    // Province-administered counties have no prefecture: the province stands in.
    let city = region::city_of(six).unwrap_or_else(|| province.clone());
    Ok((
        six.to_string(),
        province.code.to_string(),
        city.code.to_string(),
        city.name.to_string(),
        county.name.to_string(),
    ))
}

impl EnterpriseInput {
    /// Checks every field. `may_accept_bad_uscc` is whether the user has the
    /// right to accept a USCC that fails its check character (with a reason).
    pub fn validate(&self, may_accept_bad_uscc: bool) -> DomainResult<ValidEnterprise> {
        let name = text(&self.name).ok_or_else(|| DomainError::required("name", "排污单位名称"))?;
        let name = bounded("name", "排污单位名称", Some(name), 100)?.unwrap_or_default();
        let source_name = bounded("source_name", "固定源名称", text(&self.source_name), 100)?
            .unwrap_or_else(|| name.clone());

        let raw_uscc =
            text(&self.uscc).ok_or_else(|| DomainError::required("uscc", "统一社会信用代码"))?;
        let (uscc, mismatch) =
            Uscc::parse_lenient(&raw_uscc).map_err(|e| e.into_domain_error("uscc"))?;
        let uscc_exception = match (mismatch, text(&self.uscc_exception_reason)) {
            (None, _) => None,
            (Some(m), Some(reason)) if may_accept_bad_uscc => Some((m, reason)),
            (Some(m), Some(_)) => {
                return Err(DomainError::field(
                    "uscc",
                    "uscc_exception_forbidden",
                    format!("统一社会信用代码校验位错误，应为“{}”；您无权接受校验不通过的代码", m.expected),
                ))
            }
            (Some(m), None) => {
                return Err(DomainError::field(
                    "uscc",
                    "uscc_check_failed",
                    format!(
                        "统一社会信用代码校验位错误，应为“{}”；如确为营业执照上的代码，请由有权限的用户填写原因后接受",
                        m.expected
                    ),
                ))
            }
        };

        let permit_code = match text(&self.permit_code) {
            None => None,
            Some(p) => {
                let permit =
                    PermitCode::parse(&p).map_err(|e| e.into_domain_error("permit_code"))?;
                if permit.uscc() != &uscc {
                    return Err(DomainError::field(
                        "permit_code",
                        "permit_uscc_mismatch",
                        "排污许可证代码的前18位应与统一社会信用代码一致",
                    ));
                }
                Some(permit)
            }
        };
        let address =
            text(&self.address).ok_or_else(|| DomainError::required("address", "地址"))?;
        let address = bounded("address", "地址", Some(address), 200)?.unwrap_or_default();
        let industry_code = text(&self.industry_code)
            .ok_or_else(|| DomainError::required("industry_code", "行业代码"))?;
        let industry = industry::validate_class(&industry_code)
            .map_err(|e| e.into_domain_error("industry_code"))?;
        let postal_code = text(&self.postal_code)
            .map(|p| PostalCode::parse(&p).map_err(|e| e.into_domain_error("postal_code")))
            .transpose()?;
        let coordinates = match (self.longitude, self.latitude) {
            (None, None) => None,
            (Some(lon), Some(lat)) => {
                Some(Coordinates::new(lon, lat).map_err(|e| e.into_domain_error("longitude"))?)
            }
            (None, Some(_)) => {
                return Err(DomainError::field(
                    "longitude",
                    "required",
                    "请同时填写中心经度和中心纬度",
                ))
            }
            (Some(_), None) => {
                return Err(DomainError::field(
                    "latitude",
                    "required",
                    "请同时填写中心经度和中心纬度",
                ))
            }
        };
        let region_code = text(&self.region_code)
            .ok_or_else(|| DomainError::required("region_code", "行政区划代码"))?;
        let (region_code, province_code, city_code, city_name, county_name) =
            county_region(&region_code)?;
        let contact_phone = text(&self.contact_phone);
        if let Some(p) = &contact_phone {
            let ok = p.len() <= 20
                && p.chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
            if !ok {
                return Err(DomainError::field(
                    "contact_phone",
                    "invalid_phone",
                    "联系方式只能包含数字和“-”",
                ));
            }
        }
        let status = match text(&self.status) {
            None => EnterpriseStatus::Normal,
            Some(s) => EnterpriseStatus::parse(&s).ok_or_else(|| {
                DomainError::field("status", "invalid", "状态只能是正常、停产或关闭")
            })?,
        };
        let category = match text(&self.category) {
            None => SupervisionCategory::General,
            Some(s) => SupervisionCategory::parse(&s).ok_or_else(|| {
                DomainError::field(
                    "category",
                    "invalid",
                    "监管类别只能是重点排污单位、一般排污单位或特殊监管对象",
                )
            })?,
        };
        let credit_grade = match text(&self.credit_grade) {
            None => None,
            Some(s) => Some(
                CreditGrade::parse(&s.to_ascii_uppercase())
                    .or_else(|| CreditGrade::parse(&s))
                    .ok_or_else(|| {
                        DomainError::field(
                            "credit_grade",
                            "invalid",
                            "信用等级只能是A、B、C、D、E或留空",
                        )
                    })?,
            ),
        };
        Ok(ValidEnterprise {
            name,
            source_name,
            uscc,
            uscc_exception,
            permit_code,
            address,
            industry,
            postal_code,
            coordinates,
            region_code,
            province_code,
            city_code,
            city_name,
            county_name,
            industrial_park: bounded(
                "industrial_park",
                "工业园区",
                text(&self.industrial_park),
                100,
            )?,
            contact_name: bounded("contact_name", "环保联系人", text(&self.contact_name), 30)?,
            contact_phone,
            status,
            category,
            credit_grade,
            positive_list: self.positive_list.unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> EnterpriseInput {
        EnterpriseInput {
            name: Some("唐山市玉田县宏达钢铁有限公司".into()),
            uscc: Some("91130200699229617X".into()),
            permit_code: Some("91130200699229617X001P".into()),
            address: Some("玉田县经济开发区钢城路8号".into()),
            industry_code: Some("3110".into()),
            postal_code: Some("064100".into()),
            longitude: Some(117.74),
            latitude: Some(39.89),
            region_code: Some("130229".into()),
            category: Some("重点排污单位".into()),
            credit_grade: Some("b".into()),
            ..EnterpriseInput::default()
        }
    }

    #[test]
    fn a_complete_enterprise_validates() {
        let e = sample().validate(false).unwrap();
        assert_eq!(e.industry.name, "炼铁");
        assert_eq!(e.city_name, "唐山市");
        assert_eq!(e.county_name, "玉田县");
        assert_eq!(e.city_code, "130200");
        assert_eq!(e.province_code, "130000");
        assert_eq!(e.category, SupervisionCategory::Key);
        assert_eq!(e.credit_grade, Some(CreditGrade::B));
        assert_eq!(e.source_name, e.name);
        assert_eq!(e.status, EnterpriseStatus::Normal);
    }

    #[test]
    fn township_codes_are_cut_to_the_county() {
        let mut i = sample();
        i.region_code = Some("130229100".into());
        assert_eq!(i.validate(false).unwrap().region_code, "130229");
        i.region_code = Some("130200".into());
        assert_eq!(i.validate(false).unwrap_err().field, Some("region_code"));
    }

    #[test]
    fn a_bad_check_character_needs_a_reason_and_the_right() {
        let mut i = sample();
        i.uscc = Some("91130200699229617Y".into());
        i.permit_code = None;
        assert_eq!(i.validate(true).unwrap_err().code, "uscc_check_failed");
        i.uscc_exception_reason = Some("营业执照原件核对无误".into());
        assert_eq!(
            i.validate(false).unwrap_err().code,
            "uscc_exception_forbidden"
        );
        assert!(i.validate(true).unwrap().uscc_exception.is_some());
    }

    #[test]
    fn errors_name_their_field() {
        let cases: Vec<(EnterpriseInput, &str)> = vec![
            (
                EnterpriseInput {
                    name: None,
                    ..sample()
                },
                "name",
            ),
            (
                EnterpriseInput {
                    uscc: Some("123".into()),
                    ..sample()
                },
                "uscc",
            ),
            (
                EnterpriseInput {
                    permit_code: Some("91350100M000100Y43001P".into()),
                    ..sample()
                },
                "permit_code",
            ),
            (
                EnterpriseInput {
                    industry_code: Some("311".into()),
                    ..sample()
                },
                "industry_code",
            ),
            (
                EnterpriseInput {
                    longitude: Some(10.0),
                    ..sample()
                },
                "longitude",
            ),
            (
                EnterpriseInput {
                    latitude: None,
                    ..sample()
                },
                "latitude",
            ),
            (
                EnterpriseInput {
                    postal_code: Some("0641".into()),
                    ..sample()
                },
                "postal_code",
            ),
            (
                EnterpriseInput {
                    credit_grade: Some("F".into()),
                    ..sample()
                },
                "credit_grade",
            ),
            (
                EnterpriseInput {
                    address: Some(" ".into()),
                    ..sample()
                },
                "address",
            ),
        ];
        for (input, field) in cases {
            assert_eq!(
                input.validate(true).unwrap_err().field,
                Some(field),
                "{input:?}"
            );
        }
    }

    fn field_error(input: EnterpriseInput) -> (Option<&'static str>, &'static str) {
        let e = input.validate(true).unwrap_err();
        (e.field, e.code)
    }

    /// Sets one text field of the input.
    type Setter = fn(&mut EnterpriseInput, String);

    #[test]
    fn texts_run_to_their_limits_and_no_further() {
        let cases: [(&str, usize, Setter); 5] = [
            ("name", 100, |i, s| i.name = Some(s)),
            ("source_name", 100, |i, s| i.source_name = Some(s)),
            ("address", 200, |i, s| i.address = Some(s)),
            ("industrial_park", 100, |i, s| i.industrial_park = Some(s)),
            ("contact_name", 30, |i, s| i.contact_name = Some(s)),
        ];
        for (field, max, set) in cases {
            let mut at = sample();
            set(&mut at, "厂".repeat(max));
            assert!(at.validate(false).is_ok(), "{field} of {max}");
            let mut over = sample();
            set(&mut over, "厂".repeat(max + 1));
            assert_eq!(field_error(over), (Some(field), "too_long"), "{field}");
        }
        let mut i = sample();
        i.industrial_park = Some(" 玉田经济开发区 ".into());
        i.contact_name = Some("李四".into());
        i.source_name = Some("宏达钢铁1号高炉".into());
        let e = i.validate(false).unwrap();
        assert_eq!(e.industrial_park.as_deref(), Some("玉田经济开发区"));
        assert_eq!(e.contact_name.as_deref(), Some("李四"));
        assert_eq!(e.source_name, "宏达钢铁1号高炉");
        assert_eq!(e.name, "唐山市玉田县宏达钢铁有限公司");
        assert_eq!(e.address, "玉田县经济开发区钢城路8号");
        // Blank optional texts are absent, not empty.
        let mut i = sample();
        i.industrial_park = Some("  ".into());
        assert_eq!(i.validate(false).unwrap().industrial_park, None);
    }

    #[test]
    fn a_region_code_is_six_digits_of_a_county_or_a_longer_township_code() {
        for bad in ["130229abc", "13022x", "13022", "1302", "130000", "999999"] {
            let mut i = sample();
            i.region_code = Some(bad.into());
            assert_eq!(
                field_error(i),
                (Some("region_code"), "unknown_region"),
                "{bad}"
            );
        }
        // A province-administered county has the province for its city.
        let (code, province, city, city_name, county) = county_region(" 429004 ").unwrap();
        assert_eq!(
            (code.as_str(), province.as_str(), city.as_str()),
            ("429004", "420000", "420000")
        );
        assert_eq!((city_name.as_str(), county.as_str()), ("湖北省", "仙桃市"));
        let err = county_region("130229abc").unwrap_err();
        assert!(err.message.contains("130229abc"), "{err}");
    }

    #[test]
    fn a_contact_phone_is_digits_dashes_and_spaces_up_to_twenty() {
        for ok in [
            "0315-5612345",
            "138 1234 5678",
            "13812345678",
            "01234567890123456789",
        ] {
            let mut i = sample();
            i.contact_phone = Some(ok.into());
            assert_eq!(
                i.validate(false).unwrap().contact_phone.as_deref(),
                Some(ok)
            );
        }
        for bad in [
            "0315-561234５",
            "电话0315",
            "+8613812345678",
            "0123456789012345678901",
        ] {
            let mut i = sample();
            i.contact_phone = Some(bad.into());
            assert_eq!(
                field_error(i),
                (Some("contact_phone"), "invalid_phone"),
                "{bad}"
            );
        }
    }

    #[test]
    fn status_category_grade_and_positive_list_are_read_by_code_or_label() {
        let mut i = sample();
        i.status = Some("停产".into());
        i.category = Some("special".into());
        i.credit_grade = Some("E级".into());
        i.positive_list = Some(true);
        let e = i.validate(false).unwrap();
        assert_eq!(e.status, EnterpriseStatus::Suspended);
        assert_eq!(e.category, SupervisionCategory::Special);
        assert_eq!(e.credit_grade, Some(CreditGrade::E));
        assert!(e.positive_list);
        let mut i = sample();
        i.category = None;
        i.credit_grade = Some(" ".into());
        let e = i.validate(false).unwrap();
        assert_eq!(e.category, SupervisionCategory::General);
        assert_eq!(e.credit_grade, None);
        assert!(!e.positive_list);
        let mut i = sample();
        i.status = Some("营业".into());
        assert_eq!(field_error(i), (Some("status"), "invalid"));
        let mut i = sample();
        i.category = Some("重点".into());
        assert_eq!(field_error(i), (Some("category"), "invalid"));
    }

    #[test]
    fn an_accepted_bad_check_character_keeps_the_reason_and_the_expected_character() {
        let mut i = sample();
        i.uscc = Some("91130200699229617Y".into());
        i.permit_code = None;
        i.uscc_exception_reason = Some(" 营业执照原件核对无误 ".into());
        let e = i.validate(true).unwrap();
        let (mismatch, reason) = e.uscc_exception.unwrap();
        assert_eq!((mismatch.expected, mismatch.found), ('X', 'Y'));
        assert_eq!(reason, "营业执照原件核对无误");
        assert_eq!(e.uscc.as_str(), "91130200699229617Y");
        // A correct code needs no reason, and a reason given anyway is not kept.
        let mut i = sample();
        i.uscc_exception_reason = Some("无".into());
        assert_eq!(i.validate(false).unwrap().uscc_exception, None);
        // The permit's embedded code must be the enterprise's own.
        let e = sample().validate(false).unwrap();
        assert_eq!(e.permit_code.unwrap().as_str(), "91130200699229617X001P");
        let mut i = sample();
        i.uscc = Some("91350100M000100Y43".into());
        assert_eq!(
            field_error(i),
            (Some("permit_code"), "permit_uscc_mismatch")
        );
    }
}
