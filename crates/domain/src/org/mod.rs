//! The organisation (ORG-1…ORG-8): units, departments, people, accounts and roles.

pub mod account_name;
pub mod mobile;
pub mod password;
pub mod person;
pub mod principal;
pub mod recovery_code;
pub mod role;
pub mod totp;
pub mod unit;

pub use mobile::Mobile;
pub use person::{Gender, PersonInput, PersonStatus, ValidPerson};
pub use principal::{
    Administration, Principal, SmsOutboxReach, MISSING_DEPARTMENT, MISSING_PERSON,
};
pub use role::Role;
pub use unit::{BusinessLine, DepartmentKind, Sector, UnitLevel};
