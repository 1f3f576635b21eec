//! GB/T 2260 administrative division codes (2019-04 edition), shipped in the
//! repository (`data/gb2260-201904.tsv`) and compiled into the binary, so that a
//! unit's region code is checked and its names (province, city, county) are known
//! without any network or database.

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("../../../data/gb2260-201904.tsv");

/// The level of a division, read off its code: `130000` province, `130200`
/// prefecture (city), `130229` county-level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLevel {
    Province,
    City,
    County,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
}

fn table() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        TABLE
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once('\t'))
            .map(|(code, name)| (code.trim(), name.trim()))
            .collect()
    })
}

pub fn level_of(code: &str) -> RegionLevel {
    if code.ends_with("0000") {
        RegionLevel::Province
    } else if code.ends_with("00") {
        RegionLevel::City
    } else {
        RegionLevel::County
    }
}

pub fn lookup(code: &str) -> Option<Region> {
    table()
        .get_key_value(code)
        .map(|(code, name)| Region { code, name })
}

pub fn name(code: &str) -> Option<&'static str> {
    table().get(code).copied()
}

/// The province a code belongs to (`130229` → 河北省).
pub fn province_of(code: &str) -> Option<Region> {
    lookup(&format!("{}0000", code.get(..2)?))
}

/// The prefecture a code belongs to (`130229` → 唐山市). Municipalities and
/// province-administered counties have none in the table.
pub fn city_of(code: &str) -> Option<Region> {
    match level_of(code) {
        RegionLevel::Province => None,
        _ => lookup(&format!("{}00", code.get(..4)?)),
    }
}

/// Every division directly below `code` (cities of a province, counties of a city).
pub fn children(code: &str) -> Vec<Region> {
    let mut out: Vec<Region> = table()
        .iter()
        .filter(|(c, _)| **c != code && is_direct_child(code, c))
        .map(|(code, name)| Region { code, name })
        .collect();
    out.sort_by_key(|r| r.code);
    out
}

fn is_direct_child(parent: &str, child: &str) -> bool {
    match level_of(parent) {
        RegionLevel::Province => {
            child.starts_with(&parent[..2]) && level_of(child) == RegionLevel::City
        }
        RegionLevel::City => {
            child.starts_with(&parent[..4]) && level_of(child) == RegionLevel::County
        }
        RegionLevel::County => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yutian_is_in_tangshan_in_hebei() {
        assert_eq!(name("130229"), Some("玉田县"));
        assert_eq!(city_of("130229").unwrap().name, "唐山市");
        assert_eq!(province_of("130229").unwrap().name, "河北省");
        assert_eq!(level_of("130200"), RegionLevel::City);
        assert!(city_of("130000").is_none());
    }

    #[test]
    fn hebei_has_eleven_cities_and_tangshan_fourteen_counties() {
        assert_eq!(children("130000").len(), 11);
        assert_eq!(children("130200").len(), 14);
    }
}
