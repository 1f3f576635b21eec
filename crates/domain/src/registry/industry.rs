//! 国民经济行业分类 (GB/T 4754-2017), shipped in the repository
//! (`data/gbt4754-2017.tsv`) and compiled into the binary, so that an
//! enterprise's industry is checked and named without network or database, and
//! lists can be filtered by a whole section, division or group at once.
//!
//! The classification has four levels: 门类 (section, a letter A–T), 大类
//! (division, 2 digits), 中类 (group, 3 digits) and 小类 (class, 4 digits).
//! Enterprises are registered at the class level, the only one precise enough
//! to decide which discharge standards and permit rules apply.
//!
//! A group holding a single class is not listed separately in the standard:
//! only the class appears (`0190 其他农业`, no `019`). A class's group may thus
//! be missing, and everything about a class is derived from its own code (the
//! division is its first two digits) and the file's `section` column rather
//! than by walking up the tree.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};
use thiserror::Error;

use crate::error::DomainError;

static DATA: &str = include_str!("../../../../data/gbt4754-2017.tsv");

/// Level of an entry, numbered 1–4 as in the data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndustryLevel {
    /// 门类, a letter A–T.
    Section = 1,
    /// 大类, two digits.
    Division = 2,
    /// 中类, three digits.
    Group = 3,
    /// 小类, four digits.
    Class = 4,
}

impl IndustryLevel {
    /// 1 (section) to 4 (class).
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<IndustryLevel> {
        match n {
            1 => Some(IndustryLevel::Section),
            2 => Some(IndustryLevel::Division),
            3 => Some(IndustryLevel::Group),
            4 => Some(IndustryLevel::Class),
            _ => None,
        }
    }

    /// Chinese name: 门类, 大类, 中类, 小类.
    pub fn label(self) -> &'static str {
        match self {
            IndustryLevel::Section => "门类",
            IndustryLevel::Division => "大类",
            IndustryLevel::Group => "中类",
            IndustryLevel::Class => "小类",
        }
    }
}

impl fmt::Display for IndustryLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Serialised as its number (1–4), as in the data file.
impl Serialize for IndustryLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.number())
    }
}

/// One entry of the classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Industry {
    pub level: IndustryLevel,
    /// `C`, `13`, `131`, `1311`.
    pub code: &'static str,
    pub name: &'static str,
    /// The section letter the entry belongs to (its own code for a section).
    pub section: &'static str,
}

impl Industry {
    /// The section (门类) this entry belongs to.
    pub fn section_entry(&self) -> &'static Industry {
        lookup(self.section).expect("every section letter in the file has its entry")
    }

    /// The division (大类) this entry belongs to; `None` for a section.
    pub fn division_entry(&self) -> Option<&'static Industry> {
        match self.level {
            IndustryLevel::Section => None,
            _ => lookup(&self.code[..2]),
        }
    }

    /// The group (中类) of a class; `None` for higher levels and for classes
    /// that are the only member of their group (see the module docs).
    pub fn group_entry(&self) -> Option<&'static Industry> {
        match self.level {
            IndustryLevel::Class => lookup(&self.code[..3]),
            _ => None,
        }
    }
}

impl fmt::Display for Industry {
    /// `1311 稻谷加工`, as shown in selects and lists.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// Why a code is not an acceptable industry code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IndustryError {
    #[error("行业代码“{0}”不是GB/T 4754-2017中的小类")]
    NotAClass(String),
}

impl IndustryError {
    /// Stable machine code, for clients that branch on the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            IndustryError::NotAClass(_) => "invalid_industry_class",
        }
    }

    /// The crate-wide error, attached to the form field `field`.
    pub fn into_domain_error(self, field: &'static str) -> DomainError {
        DomainError::field(field, self.code(), self.to_string())
    }
}

struct Table {
    /// In file order, which is the standard's order (each entry after its
    /// parents).
    rows: Vec<Industry>,
    by_code: HashMap<&'static str, usize>,
}

/// Parses the embedded file. It is part of the source tree and covered by the
/// tests below, so a malformed line is a build defect and panics.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows = Vec::with_capacity(1800);
        for (i, line) in DATA.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&'static str> = line.split('\t').map(str::trim).collect();
            let [level, code, name, section] = fields[..] else {
                panic!("gbt4754-2017.tsv line {}: expected 4 fields", i + 1);
            };
            let level = level
                .parse()
                .ok()
                .and_then(IndustryLevel::from_number)
                .unwrap_or_else(|| panic!("gbt4754-2017.tsv line {}: bad level", i + 1));
            rows.push(Industry {
                level,
                code,
                name,
                section,
            });
        }
        // A repeated code keeps its first row, so that a stray duplicate cannot
        // shadow the real entry; the tests reject duplicates outright.
        let mut by_code = HashMap::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            by_code.entry(r.code).or_insert(i);
        }
        Table { rows, by_code }
    })
}

/// Every entry, in the standard's order.
pub fn all() -> &'static [Industry] {
    &table().rows
}

/// The entry with exactly this code (surrounding whitespace ignored), at any
/// level. Groups that are not listed (see the module docs) are not found.
pub fn lookup(code: &str) -> Option<&'static Industry> {
    let t = table();
    t.by_code.get(code.trim()).map(|&i| &t.rows[i])
}

/// The 20 sections, A–T.
pub fn sections() -> impl Iterator<Item = &'static Industry> {
    all().iter().filter(|r| r.level == IndustryLevel::Section)
}

/// Every class (小类) under `prefix`, in the standard's order, to filter
/// enterprises by "industry" chosen at any level:
///
/// - a section letter (`C`, case-insensitive): all classes of the section;
/// - a 2- or 3-digit division or group: the classes whose code starts with it
///   (this also works for unlisted groups such as `019`);
/// - a 4-digit class: that class alone.
///
/// Anything else, including an empty prefix, gives an empty list: "no filter"
/// is the caller's decision, not something a typo should produce.
pub fn classes_under(prefix: &str) -> Vec<&'static Industry> {
    let prefix = prefix.trim();
    let classes = all().iter().filter(|r| r.level == IndustryLevel::Class);
    if prefix.len() == 1 && prefix.as_bytes()[0].is_ascii_alphabetic() {
        let letter = prefix.to_ascii_uppercase();
        classes.filter(|r| r.section == letter).collect()
    } else if (2..=4).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit()) {
        classes.filter(|r| r.code.starts_with(prefix)).collect()
    } else {
        Vec::new()
    }
}

/// Accepts only an existing 4-digit class (小类): the level at which an
/// enterprise's industry is recorded.
pub fn validate_class(code: &str) -> Result<&'static Industry, IndustryError> {
    match lookup(code) {
        Some(industry) if industry.level == IndustryLevel::Class => Ok(industry),
        _ => Err(IndustryError::NotAClass(code.trim().to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(level: IndustryLevel) -> usize {
        all().iter().filter(|r| r.level == level).count()
    }

    #[test]
    fn table_has_the_standard_structure() {
        assert_eq!(count(IndustryLevel::Section), 20);
        assert_eq!(count(IndustryLevel::Division), 97);
        let letters: String = sections().map(|s| s.code).collect();
        assert_eq!(letters, "ABCDEFGHIJKLMNOPQRST");
        // The standard has 473 groups; those listed plus those only implied
        // by a single class must give them all.
        let mut groups: Vec<&str> = all()
            .iter()
            .filter(|r| r.level >= IndustryLevel::Group)
            .map(|r| &r.code[..3])
            .collect();
        groups.sort_unstable();
        groups.dedup();
        assert_eq!(groups.len(), 473);
    }

    #[test]
    fn every_code_appears_once() {
        let mut seen = HashMap::new();
        let duplicates: Vec<String> = all()
            .iter()
            .filter_map(|r| {
                seen.insert(r.code, r.name)
                    .map(|first| format!("{} {} / {}", r.code, first, r.name))
            })
            .collect();
        assert!(duplicates.is_empty(), "duplicate codes: {duplicates:?}");
        assert_eq!(count(IndustryLevel::Group), 274);
        assert_eq!(count(IndustryLevel::Class), 1381);
    }

    #[test]
    fn aircraft_manufacturing_is_a_class() {
        // 374 航空、航天器及设备制造 holds 3741 飞机制造 … 3749.
        assert_eq!(lookup("374").unwrap().name, "航空、航天器及设备制造");
        let aircraft = validate_class("3741").expect("3741 is a class");
        assert_eq!(aircraft.name, "飞机制造");
        assert_eq!(classes_under("374").len(), 5);
    }

    #[test]
    fn codes_have_the_shape_of_their_level_and_consistent_sections() {
        for r in all() {
            match r.level {
                IndustryLevel::Section => {
                    assert!(r.code.len() == 1 && r.code.as_bytes()[0].is_ascii_uppercase());
                    assert_eq!(r.section, r.code);
                }
                level => {
                    assert_eq!(r.code.len(), level.number() as usize, "{r:?}");
                    assert!(r.code.bytes().all(|b| b.is_ascii_digit()), "{r:?}");
                    let division = r.division_entry().expect("division listed");
                    assert_eq!(division.level, IndustryLevel::Division);
                    assert_eq!(division.section, r.section, "{r:?}");
                }
            }
            assert_eq!(r.section_entry().level, IndustryLevel::Section);
            assert!(!r.name.is_empty());
        }
    }

    #[test]
    fn single_class_group_is_only_listed_as_its_class() {
        assert!(lookup("019").is_none());
        let other = lookup("0190").unwrap();
        assert_eq!(other.name, "其他农业");
        assert_eq!(other.level, IndustryLevel::Class);
        assert_eq!(other.section, "A");
        assert!(other.group_entry().is_none());
        assert_eq!(other.division_entry().unwrap().name, "农业");
        assert_eq!(other.section_entry().name, "农、林、牧、渔业");

        let rice = lookup(" 0111 ").unwrap();
        assert_eq!(rice.name, "稻谷种植");
        assert_eq!(rice.group_entry().unwrap().name, "谷物种植");
        assert_eq!(rice.to_string(), "0111 稻谷种植");
    }

    #[test]
    fn classes_under_any_level() {
        let a = classes_under("a");
        assert!(!a.is_empty());
        assert!(a
            .iter()
            .all(|r| r.section == "A" && r.level == IndustryLevel::Class));
        assert_eq!(classes_under("A"), a);

        assert_eq!(a.len(), 72);
        let agriculture = classes_under("01");
        assert_eq!(agriculture.len(), 30);
        assert!(agriculture.iter().any(|r| r.code == "0190"));
        assert!(agriculture.iter().all(|r| r.code.starts_with("01")));
        assert!(agriculture.len() < a.len());

        let cereals: Vec<&str> = classes_under("011").iter().map(|r| r.code).collect();
        assert_eq!(cereals, ["0111", "0112", "0113", "0119"]);
        assert_eq!(classes_under("019").len(), 1);
        assert_eq!(classes_under("0111").len(), 1);

        let total: usize = sections().map(|s| classes_under(s.code).len()).sum();
        assert_eq!(
            total,
            count(IndustryLevel::Class),
            "sections partition the classes"
        );

        for bad in ["", "1", "AB", "01a", "01111", "9999", "Z"] {
            assert!(classes_under(bad).is_empty(), "{bad}");
        }
    }

    #[test]
    fn validate_class_accepts_classes_only() {
        assert_eq!(validate_class("0111").unwrap().name, "稻谷种植");
        assert_eq!(validate_class("9700").unwrap().section, "T");
        for bad in ["C", "01", "011", "9999", "", "01110"] {
            assert!(validate_class(bad).is_err(), "{bad}");
        }
        let e = validate_class("011").unwrap_err();
        assert_eq!(e.to_string(), "行业代码“011”不是GB/T 4754-2017中的小类");
        let d = e.into_domain_error("industry_code");
        assert_eq!(d.code, "invalid_industry_class");
    }

    #[test]
    fn serialises_level_as_number() {
        let json = serde_json::to_value(lookup("0111").unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"level": 4, "code": "0111", "name": "稻谷种植", "section": "A"})
        );
    }

    #[test]
    fn levels_are_named_as_in_the_standard() {
        let names: Vec<String> = [
            IndustryLevel::Section,
            IndustryLevel::Division,
            IndustryLevel::Group,
            IndustryLevel::Class,
        ]
        .iter()
        .map(|l| l.to_string())
        .collect();
        assert_eq!(names, ["门类", "大类", "中类", "小类"]);
        assert_eq!(IndustryLevel::from_number(0), None);
        assert_eq!(IndustryLevel::from_number(5), None);
        for n in 1..=4 {
            assert_eq!(IndustryLevel::from_number(n).unwrap().number(), n);
        }
    }

    #[test]
    fn parents_are_found_at_each_level() {
        let section = lookup("C").unwrap();
        assert!(section.division_entry().is_none());
        assert!(section.group_entry().is_none());
        assert_eq!(section.section_entry().code, "C");
        let division = lookup("37").unwrap();
        assert_eq!(division.division_entry().unwrap().code, "37");
        assert!(division.group_entry().is_none());
        let group = lookup("374").unwrap();
        assert_eq!(group.division_entry().unwrap().code, "37");
        assert!(group.group_entry().is_none());
        let class = lookup(" 3741 ").unwrap();
        assert_eq!(class.group_entry().unwrap().code, "374");
        assert_eq!(class.division_entry().unwrap().code, "37");
        assert_eq!(class.section_entry().name, "制造业");
        // 炼铁 is the only class of its group, which is not listed.
        assert!(lookup("3110").unwrap().group_entry().is_none());
        let sections: Vec<&str> = sections().map(|s| s.code).collect();
        assert_eq!(sections.len(), 20);
        assert_eq!(sections[0], "A");
        assert_eq!(all().len(), 20 + 97 + 274 + 1381);
        assert_eq!(all()[0].code, "A");
    }
}
