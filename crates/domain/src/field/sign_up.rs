//! Opening an enterprise account (APP-7) only with proof of control (SEC-5):
//! a code sent to the contact mobile the registry holds, or activation by the
//! department after a request (申请开通). The rules here are pure; storage,
//! the SMS and the rate limits are in `yici_store::field::enterprise_sign_up`.
//!
//! An anonymous caller must not learn from any answer whether an enterprise
//! is in the registry, whether its name was right, whether the registry has
//! a mobile for it or whether it already has an account: step 1 and the
//! activation request answer [`CODE_SENT`] / [`REQUEST_RECEIVED`] in every
//! case, and step 2 refuses every failure with [`wrong_code`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{DomainError, DomainResult, ErrorKind};
use crate::org::Mobile;
use crate::region;
use crate::registry::uscc::Uscc;

/// Minutes a sign-up code stays valid.
pub const CODE_VALID_MINUTES: i64 = 10;
/// Tries of one code (right or wrong) before it is void.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// Digits of a code.
pub const CODE_DIGITS: usize = 6;

labelled_enum!(
    /// Where an activation request (申请开通) stands.
    ActivationStatus {
        Pending = "pending" / "待处理",
        Activated = "activated" / "已开通",
        Rejected = "rejected" / "已驳回",
    }
);

/// Step 1's answer, whatever the registry holds.
pub const CODE_SENT: &str = "如企业信息与企业名录一致，验证码已发送至名录登记的联系人手机，10分钟内有效。未收到验证码的，请向属地生态环境部门申请开通。";

/// The activation request's answer, whatever the registry holds.
pub const REQUEST_RECEIVED: &str = "开通申请已提交。属地生态环境部门将核实企业信息和申请人身份，核实后电话告知申请人初始密码，首次登录须修改密码。";

/// Longest texts of an activation request and of a refusal's reason.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_APPLICANT_CHARS: usize = 30;
pub const MAX_NOTE_CHARS: usize = 500;

/// Step 2's one refusal: no code, a wrong one, an expired, used or void one
/// (after [`MAX_CODE_ATTEMPTS`] tries) all read alike.
pub fn wrong_code() -> DomainError {
    DomainError::field("code", "wrong_code", "验证码错误或已过期")
}

/// Too many anonymous requests from one address, or for one enterprise.
pub fn rate_limited() -> DomainError {
    DomainError::new(
        ErrorKind::RateLimited,
        "rate_limited",
        "请求过于频繁，请稍后再试",
    )
}

/// `[sign_up]` in the configuration: anonymous requests allowed per hour —
/// code requests and activation requests together per client address, and
/// code requests (and, apart, activation requests) per USCC, so that nobody
/// can flood an enterprise's phone or the department's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignUpLimits {
    pub per_address_per_hour: u32,
    pub per_uscc_per_hour: u32,
}

impl Default for SignUpLimits {
    fn default() -> Self {
        SignUpLimits {
            per_address_per_hour: 10,
            per_uscc_per_hour: 3,
        }
    }
}

impl SignUpLimits {
    pub fn check(&self) -> Result<(), String> {
        if self.per_address_per_hour == 0 || self.per_uscc_per_hour == 0 {
            return Err(
                "sign_up: per_address_per_hour and per_uscc_per_hour must be at least 1".into(),
            );
        }
        Ok(())
    }
}

/// Names compare without spaces and with full-width brackets as half-width:
/// （有限公司） and (有限公司) are the same name.
pub fn same_name(a: &str, b: &str) -> bool {
    fn normalise(name: &str) -> impl Iterator<Item = char> + '_ {
        name.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                c => c,
            })
    }
    normalise(a).eq(normalise(b))
}

/// The USCC as typed, trimmed and upper-cased. Lenient: the registry may
/// hold a code whose check character was accepted by hand.
pub fn uscc(input: &str) -> DomainResult<Uscc> {
    if input.trim().is_empty() {
        return Err(DomainError::required("uscc", "统一社会信用代码"));
    }
    Uscc::parse_lenient(input.trim())
        .map(|(u, _)| u)
        .map_err(|e| e.into_domain_error("uscc"))
}

/// A required text of at most `max` characters, trimmed.
fn text(
    value: &str,
    field: &'static str,
    label: &str,
    max: usize,
    required: bool,
) -> DomainResult<String> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(DomainError::required(field, label));
    }
    if value.chars().count() > max {
        return Err(DomainError::field(
            field,
            "too_long",
            format!("{label}不能超过{max}个字符"),
        ));
    }
    Ok(value.to_string())
}

/// Step 1, checked: the USCC and the name as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    pub uscc: Uscc,
    pub enterprise_name: String,
}

impl CodeRequest {
    pub fn parse(uscc_input: &str, name: &str) -> DomainResult<CodeRequest> {
        Ok(CodeRequest {
            uscc: uscc(uscc_input)?,
            enterprise_name: text(name, "enterprise_name", "企业名称", MAX_NAME_CHARS, true)?,
        })
    }
}

/// 申请开通, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationInput {
    pub uscc: Uscc,
    pub enterprise_name: String,
    pub applicant_name: String,
    pub mobile: Mobile,
    pub note: String,
}

impl ActivationInput {
    pub fn parse(
        uscc_input: &str,
        enterprise_name: &str,
        applicant_name: &str,
        mobile: &str,
        note: &str,
    ) -> DomainResult<ActivationInput> {
        Ok(ActivationInput {
            uscc: uscc(uscc_input)?,
            enterprise_name: text(
                enterprise_name,
                "enterprise_name",
                "企业名称",
                MAX_NAME_CHARS,
                true,
            )?,
            applicant_name: text(
                applicant_name,
                "applicant_name",
                "申请人姓名",
                MAX_APPLICANT_CHARS,
                true,
            )?,
            mobile: Mobile::parse(mobile, "mobile")?,
            note: text(note, "note", "申请说明", MAX_NOTE_CHARS, false)?,
        })
    }
}

/// The reason of a refused request: required, at most [`MAX_NOTE_CHARS`].
pub fn reject_reason(reason: &str) -> DomainResult<String> {
    text(reason, "reason", "驳回原因", MAX_NOTE_CHARS, true)
}

/// Where a request for a USCC the registry does not hold is routed: the
/// registering authority's division (positions 3–8) as (province, city,
/// county) codes. A city- or province-level authority gives its own code
/// at the lower levels, so that only units of that level and above see it;
/// a province-administered county stands under its province, as in the
/// registry.
pub fn uscc_region(uscc: &Uscc) -> (String, String, String) {
    let code = uscc.area_code().to_string();
    let province = format!("{}0000", &code[..2]);
    let city = match region::level_of(&code) {
        region::RegionLevel::Province => province.clone(),
        region::RegionLevel::City => code.clone(),
        region::RegionLevel::County => region::city_of(&code)
            .map(|c| c.code.to_string())
            .unwrap_or_else(|| province.clone()),
    };
    (province, city, code)
}

/// What is stored of a code: SHA-256 over a random salt and the code. A
/// code has only a million values, so the hash keeps it out of sight of a
/// casual reader of the table, not of a determined one; what protects it is
/// its 10 minutes and 5 tries.
pub fn code_hash(salt: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{code}").as_bytes()))
}

/// Whether `code` is the one stored as `hash`, compared in constant time.
pub fn code_matches(hash: &str, salt: &str, code: &str) -> bool {
    let given = code_hash(salt, code.trim());
    given.len() == hash.len()
        && given
            .bytes()
            .zip(hash.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_spaces_and_bracket_width() {
        assert!(same_name(
            "唐山（玉田）钢铁有限公司",
            " 唐山(玉田)钢铁 有限公司"
        ));
        assert!(!same_name("唐山钢铁有限公司", "唐山钢铁公司"));
        assert!(!same_name("唐山钢铁有限公司", "唐山钢铁有限公司二厂"));
    }

    #[test]
    fn a_code_matches_only_itself_under_its_salt() {
        let h = code_hash("s1", "123456");
        assert!(code_matches(&h, "s1", "123456"));
        assert!(code_matches(&h, "s1", " 123456 "));
        assert!(!code_matches(&h, "s1", "123457"));
        assert!(!code_matches(&h, "s2", "123456"));
        assert!(!code_matches(&h, "s1", ""));
    }

    #[test]
    fn unknown_usccs_go_to_their_registering_authority() {
        let u = |first17: &str| {
            let c = Uscc::check_char(first17).unwrap();
            Uscc::parse(&format!("{first17}{c}")).unwrap()
        };
        assert_eq!(
            uscc_region(&u("91130229MA0XY12Q3")),
            ("130000".into(), "130200".into(), "130229".into())
        );
        assert_eq!(
            uscc_region(&u("91130200MA0XY12Q3")),
            ("130000".into(), "130200".into(), "130200".into())
        );
        assert_eq!(
            uscc_region(&u("91130000MA0XY12Q3")),
            ("130000".into(), "130000".into(), "130000".into())
        );
    }

    #[test]
    fn activation_requests_are_checked_field_by_field() {
        let ok = ActivationInput::parse("91130229mA0XY12Q3X", "甲公司", "张三", "13912345678", "");
        // A bad check character is accepted leniently; the structure is not.
        assert!(ok.is_ok(), "{ok:?}");
        let e = ActivationInput::parse("123", "甲公司", "张三", "13912345678", "").unwrap_err();
        assert_eq!((e.field, e.code), (Some("uscc"), "uscc_length"));
        let e = ActivationInput::parse("91130229MA0XY12Q3X", "甲公司", " ", "13912345678", "")
            .unwrap_err();
        assert_eq!(e.field, Some("applicant_name"));
        let e =
            ActivationInput::parse("91130229MA0XY12Q3X", "甲公司", "张三", "139", "").unwrap_err();
        assert_eq!((e.field, e.code), (Some("mobile"), "invalid_mobile"));
        let long = "长".repeat(MAX_NOTE_CHARS + 1);
        let e =
            ActivationInput::parse("91130229MA0XY12Q3X", "甲公司", "张三", "13912345678", &long)
                .unwrap_err();
        assert_eq!((e.field, e.code), (Some("note"), "too_long"));
        assert_eq!(reject_reason("  ").unwrap_err().field, Some("reason"));
    }

    #[test]
    fn limits_must_allow_something() {
        assert!(SignUpLimits::default().check().is_ok());
        let none = SignUpLimits {
            per_uscc_per_hour: 0,
            ..SignUpLimits::default()
        };
        assert!(none.check().is_err());
    }
}
