//! Secretary account names (文秘账号, ORG-3), built from pinyin initials:
//!
//! * province: `hbs_` + department (河北省大气处 → `hbs_dq`);
//! * city: city + `_` + department (石家庄市大气处 → `sjzs_dq`);
//! * county: city + county + `_` + department (石家庄市藁城区 → `sjzsgcq_dq`).
//!
//! Department initials drop one trailing 处/科/股/室. Initials come from the
//! `pinyin` library character by character; place names whose reading is not
//! the character's usual one (重庆 is chóngqìng, 蔚县 is yùxiàn) are corrected
//! by [`OVERRIDES`], matched longest-first before the per-character lookup.
//! A name already taken gets the first free numeric suffix from 2 upward
//! (`tssytx_dq`, `tssytx_dq2`, `tssytx_dq3`…): deterministic, and stable for
//! accounts that already exist.

use pinyin::ToPinyin;

use crate::region::{self, RegionLevel};

/// Words whose initials the per-character reading gets wrong (polyphones in
/// place and office names). Keep sorted by meaning, not length: matching tries
/// the longest entry first.
pub const OVERRIDES: &[(&str, &str)] = &[
    ("重庆", "cq"),
    ("蔚县", "yx"),
    ("长安", "ca"),
    ("长治", "cz"),
    ("长沙", "cs"),
    ("长春", "cc"),
    ("长垣", "cy"),
    ("乐亭", "lt"),
    ("厦门", "xm"),
    ("六安", "la"),
    ("蚌埠", "bb"),
    ("番禺", "py"),
    ("单县", "sx"),
    ("东阿", "de"),
    ("会理", "hl"),
    ("行唐", "xt"),
    ("大城", "dc"),
    ("曲阳", "qy"),
    ("曲周", "qz"),
];

/// Lower-case pinyin initials of a Chinese name; ASCII letters and digits are
/// kept, everything else (brackets, punctuation) is dropped.
pub fn initials(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    'outer: while i < chars.len() {
        let mut by_len: Vec<&(&str, &str)> = OVERRIDES.iter().collect();
        by_len.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        for (word, abbr) in by_len {
            let n = word.chars().count();
            if i + n <= chars.len() && chars[i..i + n].iter().copied().eq(word.chars()) {
                out.push_str(abbr);
                i += n;
                continue 'outer;
            }
        }
        let c = chars[i];
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(p) = c.to_pinyin() {
            out.push_str(p.first_letter());
        }
        i += 1;
    }
    out
}

/// Initials of a department: 大气处 → `dq`, 大气环境处 → `dqhj`, 办公室 → `bg`.
/// A bracketed tail such as "(科)" is ignored.
pub fn department_initials(name: &str) -> String {
    let base = name.split(['(', '（']).next().unwrap_or(name).trim();
    let base = base
        .strip_suffix(['处', '科', '股', '室'])
        .filter(|rest| !rest.is_empty())
        .unwrap_or(base);
    initials(base)
}

/// The prefix of a unit's secretary accounts, from its region code and level.
/// `None` when the region code is unknown.
pub fn unit_prefix(region_code: &str) -> Option<String> {
    let this = region::lookup(region_code)?;
    Some(match region::level_of(region_code) {
        RegionLevel::Province | RegionLevel::City => initials(this.name),
        RegionLevel::County => {
            // County-level divisions administered by the province directly have no city.
            let upper = region::city_of(region_code)
                .or_else(|| region::province_of(region_code))
                .map(|r| initials(r.name))
                .unwrap_or_default();
            format!("{upper}{}", initials(this.name))
        }
    })
}

/// The wished-for secretary login of a department, before collision handling.
pub fn secretary_login(unit_prefix: &str, department_name: &str) -> String {
    format!("{unit_prefix}_{}", department_initials(department_name))
}

/// The first of `base`, `base2`, `base3`, … that `taken` says is free.
pub fn first_free(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|candidate| !taken(candidate))
        .expect("an unbounded range always yields a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_the_manual() {
        assert_eq!(
            secretary_login(&unit_prefix("130000").unwrap(), "大气处"),
            "hbs_dq"
        );
        assert_eq!(
            secretary_login(&unit_prefix("130100").unwrap(), "大气处"),
            "sjzs_dq"
        );
        assert_eq!(
            secretary_login(&unit_prefix("130109").unwrap(), "大气处"),
            "sjzsgcq_dq"
        );
    }

    #[test]
    fn tangshan_and_yutian() {
        assert_eq!(unit_prefix("130200").unwrap(), "tss");
        assert_eq!(unit_prefix("130229").unwrap(), "tssytx");
        assert_eq!(secretary_login("tssytx", "大气股"), "tssytx_dq");
        assert_eq!(secretary_login("tssytx", "办公室"), "tssytx_bg");
        assert_eq!(secretary_login("tssytx", "执法大队"), "tssytx_zfdd");
    }

    #[test]
    fn polyphones_use_the_override_table() {
        assert_eq!(initials("重庆市"), "cqs");
        assert_eq!(unit_prefix("130726").unwrap(), "zjksyx"); // 张家口市蔚县
        assert_eq!(unit_prefix("130225").unwrap(), "tssltx"); // 唐山市乐亭县
    }

    #[test]
    fn department_suffix_and_brackets_are_dropped() {
        assert_eq!(department_initials("大气处(科)"), "dq");
        assert_eq!(department_initials("水生态环境处"), "ssthj");
        // A one-character name keeps its character.
        assert_eq!(department_initials("室"), "s");
    }

    #[test]
    fn collisions_get_a_deterministic_suffix() {
        let taken = ["tssytx_s", "tssytx_s2"];
        assert_eq!(first_free("tssytx_s", |c| taken.contains(&c)), "tssytx_s3");
        assert_eq!(first_free("tssytx_dq", |c| taken.contains(&c)), "tssytx_dq");
    }
}
