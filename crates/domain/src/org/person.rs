//! People (人员, ORG-5): the fields of the manual's 添加/编辑 dialogs and their rules.

use serde::{Deserialize, Serialize};

use super::mobile::Mobile;
use crate::error::{DomainError, DomainResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    pub fn parse(s: &str) -> Option<Gender> {
        match s {
            "male" | "男" => Some(Gender::Male),
            "female" | "女" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// 启用 / 停用. A disabled person can neither log in nor take part in inspections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    Enabled,
    Disabled,
}

impl PersonStatus {
    pub fn label(self) -> &'static str {
        match self {
            PersonStatus::Enabled => "启用",
            PersonStatus::Disabled => "停用",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PersonStatus::Enabled => "enabled",
            PersonStatus::Disabled => "disabled",
        }
    }
    pub fn parse(s: &str) -> Option<PersonStatus> {
        match s {
            "enabled" | "启用" => Some(PersonStatus::Enabled),
            "disabled" | "停用" => Some(PersonStatus::Disabled),
            _ => None,
        }
    }
}

/// Raw input of the add/edit form or API body, everything optional so that a
/// missing field becomes a Chinese message rather than a deserialisation error.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PersonInput {
    pub name: Option<String>,
    pub gender: Option<String>,
    pub is_officer: Option<bool>,
    pub certificate_no: Option<String>,
    /// 执法证有效期至 (optional): a lapsed certificate is never drawn or chosen.
    pub certificate_valid_until: Option<chrono::NaiveDate>,
    pub mobile: Option<String>,
    pub office_phone: Option<String>,
    pub status: Option<String>,
    pub is_admin: Option<bool>,
}

/// A person's fields after every rule has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPerson {
    pub name: String,
    pub gender: Gender,
    pub is_officer: bool,
    pub certificate_no: Option<String>,
    pub certificate_valid_until: Option<chrono::NaiveDate>,
    /// `None` on edit: the mobile number is the login and never changes.
    pub mobile: Option<Mobile>,
    pub office_phone: Option<String>,
    pub status: PersonStatus,
    pub is_admin: bool,
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl PersonInput {
    /// Checks a new person (`with_mobile`) or an edit (the mobile is ignored,
    /// since it can't change). Returns the first error, field by field in the
    /// order of the form, so the message appears beside the right field.
    pub fn validate(&self, with_mobile: bool) -> DomainResult<ValidPerson> {
        let name = trimmed(&self.name).ok_or_else(|| DomainError::required("name", "姓名"))?;
        if name.chars().count() > 30 {
            return Err(DomainError::field("name", "too_long", "姓名不能超过30个字"));
        }
        let gender = match trimmed(&self.gender) {
            None => return Err(DomainError::field("gender", "required", "请选择性别")),
            Some(g) => Gender::parse(&g)
                .ok_or_else(|| DomainError::field("gender", "invalid", "性别只能是男或女"))?,
        };
        let is_officer = self
            .is_officer
            .ok_or_else(|| DomainError::field("is_officer", "required", "请选择是否执法人员"))?;
        let certificate_no = trimmed(&self.certificate_no);
        let certificate_no = if is_officer {
            let c = certificate_no.ok_or_else(|| {
                DomainError::field("certificate_no", "required", "执法人员须填写执法证号")
            })?;
            let ok = (4..=24).contains(&c.chars().count())
                && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
            if !ok {
                return Err(DomainError::field(
                    "certificate_no",
                    "invalid_certificate",
                    "执法证号应为4至24位字母、数字或“-”",
                ));
            }
            Some(c)
        } else {
            // A non-officer has no certificate: drop whatever was typed.
            None
        };
        let mobile = if with_mobile {
            Some(Mobile::parse(
                self.mobile.as_deref().unwrap_or_default(),
                "mobile",
            )?)
        } else {
            None
        };
        let office_phone = trimmed(&self.office_phone);
        if let Some(p) = &office_phone {
            let ok = p.len() <= 20
                && p.chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
            if !ok {
                return Err(DomainError::field(
                    "office_phone",
                    "invalid_phone",
                    "办公电话只能包含数字和“-”，如 0315-6112345",
                ));
            }
        }
        let status = match trimmed(&self.status) {
            None => return Err(DomainError::field("status", "required", "请选择状态")),
            Some(s) => PersonStatus::parse(&s)
                .ok_or_else(|| DomainError::field("status", "invalid", "状态只能是启用或停用"))?,
        };
        let is_admin = self
            .is_admin
            .ok_or_else(|| DomainError::field("is_admin", "required", "请选择是否管理员"))?;
        if is_admin && status == PersonStatus::Disabled {
            return Err(DomainError::field(
                "is_admin",
                "disabled_admin",
                "停用人员不能设为管理员",
            ));
        }
        // A certificate's validity means nothing without the certificate.
        let certificate_valid_until = self.certificate_valid_until.filter(|_| is_officer);
        Ok(ValidPerson {
            name,
            gender,
            is_officer,
            certificate_no,
            certificate_valid_until,
            mobile,
            office_phone,
            status,
            is_admin,
        })
    }
}

/// A person's name for those who may not see it whole (SEC-3): the first
/// character (usually the surname) and one `*` for each of the others, so
/// `张三丰` reads `张**`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name(" 李四 "), "李*");
        assert_eq!(mask_name("王"), "王");
        assert_eq!(mask_name(""), "");
    }

    fn input() -> PersonInput {
        PersonInput {
            name: Some(" 丁云飞 ".into()),
            gender: Some("male".into()),
            is_officer: Some(true),
            certificate_no: Some("03010115043".into()),
            certificate_valid_until: None,
            mobile: Some("18633555555".into()),
            office_phone: Some("0311-85265566".into()),
            status: Some("enabled".into()),
            is_admin: Some(false),
        }
    }

    #[test]
    fn valid_officer() {
        let p = input().validate(true).unwrap();
        assert_eq!(p.name, "丁云飞");
        assert_eq!(p.certificate_no.as_deref(), Some("03010115043"));
    }

    #[test]
    fn officer_needs_certificate() {
        let mut i = input();
        i.certificate_no = Some("  ".into());
        let e = i.validate(true).unwrap_err();
        assert_eq!(e.field, Some("certificate_no"));
        assert_eq!(e.message, "执法人员须填写执法证号");
    }

    #[test]
    fn a_certificate_validity_needs_an_officer() {
        let until = chrono::NaiveDate::from_ymd_opt(2027, 12, 31);
        let mut i = input();
        i.certificate_valid_until = until;
        assert_eq!(i.validate(true).unwrap().certificate_valid_until, until);
        i.is_officer = Some(false);
        assert_eq!(i.validate(true).unwrap().certificate_valid_until, None);
    }

    #[test]
    fn non_officer_drops_certificate() {
        let mut i = input();
        i.is_officer = Some(false);
        assert_eq!(i.validate(true).unwrap().certificate_no, None);
    }

    #[test]
    fn required_fields_name_their_field() {
        for (f, field) in [
            (
                PersonInput {
                    name: None,
                    ..input()
                },
                "name",
            ),
            (
                PersonInput {
                    gender: None,
                    ..input()
                },
                "gender",
            ),
            (
                PersonInput {
                    mobile: None,
                    ..input()
                },
                "mobile",
            ),
            (
                PersonInput {
                    status: None,
                    ..input()
                },
                "status",
            ),
            (
                PersonInput {
                    is_admin: None,
                    ..input()
                },
                "is_admin",
            ),
            (
                PersonInput {
                    is_officer: None,
                    ..input()
                },
                "is_officer",
            ),
        ] {
            assert_eq!(f.validate(true).unwrap_err().field, Some(field));
        }
    }

    #[test]
    fn edit_ignores_mobile() {
        let i = PersonInput {
            mobile: Some("bad".into()),
            ..input()
        };
        assert!(i.validate(false).unwrap().mobile.is_none());
    }
}
