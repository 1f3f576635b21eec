//! Enterprise search (ENT-3): keyword, region, industry, category, credit
//! grade, positive list, status — composable, paged, sortable, counted — and
//! always inside the user's scope: province users see their province, city
//! users their city, county users their county.

use serde::{Deserialize, Serialize};
use yici_domain::org::UnitLevel;
use yici_domain::registry::enterprise::{
    county_region, CreditGrade, EnterpriseStatus, SupervisionCategory,
};
use yici_domain::registry::industry;
use yici_domain::{DomainError, DomainResult};

use super::enterprises::{from_row, Enterprise, COLUMNS};
use super::{name_chars, tallies};
use crate::db::{planned_per_call, Arg, Db, Exec, Sql};
use crate::error::StoreResult;

/// Where a user may look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Province(String),
    City(String),
    County(String),
}

impl Scope {
    /// The scope of a unit of this level and region.
    pub fn of_unit(level: UnitLevel, region_code: &str) -> Scope {
        let code = region_code.to_string();
        match level {
            UnitLevel::Province => Scope::Province(code),
            UnitLevel::City => Scope::City(code),
            UnitLevel::County => Scope::County(code),
        }
    }

    /// Whether an enterprise lies inside the scope.
    pub fn contains(&self, e: &Enterprise) -> bool {
        self.contains_region(&e.province_code, &e.city_code, &e.region_code)
    }

    /// Whether a region (province, city and county codes) lies inside the scope.
    pub fn contains_region(&self, province: &str, city: &str, county: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Province(c) => province == c,
            Scope::City(c) => city == c,
            Scope::County(c) => county == c,
        }
    }

    /// Narrows a query to the scope: ` AND alias.province_code = …` (or the
    /// city or county code) on a table carrying the three codes as the
    /// registry does; nothing for [`Scope::All`].
    pub fn push_condition(&self, sql: &mut Sql, alias: &str) {
        let (column, code) = match self {
            Scope::All => return,
            Scope::Province(c) => ("province_code", c),
            Scope::City(c) => ("city_code", c),
            Scope::County(c) => ("region_code", c),
        };
        sql.push(&format!(" AND {alias}.{column} = "))
            .push_bind(code.as_str());
    }
}

/// Filters as they arrive from a form or a query string: empty means "any".
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseQuery {
    /// Part of the name, or the beginning of a USCC or permit code.
    pub keyword: Option<String>,
    /// Prefecture code, e.g. 130200.
    pub city_code: Option<String>,
    /// County code, e.g. 130229.
    pub region_code: Option<String>,
    /// GB/T 4754-2017 section letter (C), division (31), group (311) or class (3110).
    pub industry: Option<String>,
    /// key / general / special
    pub category: Option<String>,
    /// A–E, or `none` for not rated.
    pub credit_grade: Option<String>,
    /// `true` / `false`
    pub positive_list: Option<String>,
    /// normal / suspended / closed
    pub status: Option<String>,
    /// region (default: by county, then name), name, uscc, updated
    pub sort: Option<String>,
    /// From 1.
    pub page: Option<i64>,
    /// 1–200, default 20.
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnterprisePage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<Enterprise>,
}

pub(crate) fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `LIKE` pattern text with its wildcards escaped (escape character `\`).
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The WHERE clause and its arguments, shared by the page, the count and export.
pub struct Filter {
    pub sql: Sql,
}

impl Filter {
    /// Adds `AND clause`, its `?1…?n` standing for `values` (see [`Sql::push_with`]).
    pub(crate) fn push(&mut self, clause: &str, values: Vec<Arg>) {
        self.sql.push(" AND ").push_with(clause, values);
    }
}

/// The most specific region known from the scope and the region filters, as
/// (province, city, county) codes: every level is emitted, so the condition is
/// a prefix of the search index whatever the level. `None` when a filter
/// contradicts the scope (nothing can match).
fn region_prefix(scope: &Scope, q: &EnterpriseQuery) -> DomainResult<Option<[Option<String>; 3]>> {
    let province_of = |c: &str| format!("{}0000", &c[..2.min(c.len())]);
    let mut levels: [Option<String>; 3] = match scope {
        Scope::All => [None, None, None],
        Scope::Province(p) => [Some(p.clone()), None, None],
        Scope::City(c) => [Some(province_of(c)), Some(c.clone()), None],
        Scope::County(c) => {
            let (_, p, ci, _, _) = county_region(c)?;
            [Some(p), Some(ci), Some(c.clone())]
        }
    };
    let mut narrow = |wanted: [Option<String>; 3]| -> bool {
        for (have, want) in levels.iter_mut().zip(wanted) {
            match (have.as_ref(), want) {
                (Some(h), Some(w)) if *h != w => return false,
                (None, Some(w)) => *have = Some(w),
                _ => {}
            }
        }
        true
    };
    if let Some(c) = given(&q.city_code) {
        if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::field(
                "city_code",
                "invalid",
                "地市代码应为6位数字",
            ));
        }
        if !narrow([Some(province_of(c)), Some(c.to_string()), None]) {
            return Ok(None);
        }
    }
    if let Some(c) = given(&q.region_code) {
        let (code, p, ci, _, _) = county_region(c).map_err(|_| {
            DomainError::field(
                "region_code",
                "unknown_region",
                format!("区县代码“{c}”不在GB/T 2260中"),
            )
        })?;
        if !narrow([Some(p), Some(ci), Some(code)]) {
            return Ok(None);
        }
    }
    Ok(Some(levels))
}

/// The region as conditions on `region_code` alone, the first column of the
/// search index (migration 0011): a county is its code, a prefecture the
/// codes under its 4-digit prefix, a province those under its 2 digits. One
/// range instead of equal province, city and county codes: an index-only
/// scan of a county then checked one key per entry instead of three, and
/// counted in half the time on PostgreSQL.
fn push_region(f: &mut Filter, [province, city, county]: [Option<String>; 3]) {
    let prefix = |code: &str, n: usize| code.get(..n).unwrap_or(code).to_string();
    // Codes are digits: every code under a prefix sorts before prefix + 0x7F.
    let under = |f: &mut Filter, prefix: String| {
        let end = format!("{prefix}\u{7f}");
        f.push(
            "region_code >= ?1 AND region_code < ?2",
            vec![prefix.into(), end.into()],
        )
    };
    match (province, city, county) {
        (_, _, Some(county)) => f.push("region_code = ?1", vec![county.into()]),
        // A province-administered county has its province for a city
        // (`county_region`): that "city" is not a prefix of its counties' codes.
        (_, Some(city), None) if city.ends_with("0000") => {
            under(f, prefix(&city, 2));
            f.push("city_code = ?1", vec![city.into()]);
        }
        (_, Some(city), None) => under(f, prefix(&city, 4)),
        (Some(province), None, None) => under(f, prefix(&province, 2)),
        (None, None, None) => {}
    }
}

/// What a search keyword is taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    /// Letters and digits only: the beginning of a USCC or permit code.
    Code,
    /// Part of a name with Latin letters in it (ABB, TCL): either case.
    Latin,
    /// Part of a name in Chinese characters (and digits, punctuation).
    Chinese,
}

impl Keyword {
    pub(crate) fn of(k: &str) -> Keyword {
        if k.len() >= 4 && k.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Keyword::Code
        } else if k.bytes().any(|b| b.is_ascii_alphabetic()) {
            Keyword::Latin
        } else {
            Keyword::Chinese
        }
    }
}

pub fn build(scope: &Scope, q: &EnterpriseQuery) -> DomainResult<Filter> {
    let mut f = Filter {
        sql: Sql::new("1 = 1"),
    };
    match region_prefix(scope, q)? {
        None => f.push("1 = 0", vec![]),
        Some(levels) => push_region(&mut f, levels),
    }
    if let Some(k) = given(&q.keyword) {
        if k.chars().count() > 50 {
            return Err(DomainError::field(
                "keyword",
                "too_long",
                "关键字不能超过50个字",
            ));
        }
        match Keyword::of(k) {
            Keyword::Code => {
                // Codes are stored upper-case and compare byte by byte: a prefix is
                // the range [prefix, prefix + 0x7F). Up to 18 characters it is a
                // USCC prefix, which also finds the permit codes (they begin with
                // the USCC); longer, it is a permit code. A long USCC prefix is
                // selective and read from the unique index; a short one (an area
                // code such as 911302) matches much of the registry, and `|| ''`
                // keeps the planner off that index so the covering search index is
                // scanned instead of fetching every match from the table.
                let k = k.to_ascii_uppercase();
                let (column, lo, hi) = if k.len() <= 18 {
                    ("uscc", k.clone(), format!("{k}\u{7f}"))
                } else {
                    ("permit_code", k.clone(), format!("{k}\u{7f}"))
                };
                let column = if k.len() >= 10 {
                    column.to_string()
                } else {
                    format!("({column} || '')")
                };
                f.push(
                    &format!("{column} >= ?1 AND {column} < ?2"),
                    vec![lo.into(), hi.into()],
                );
            }
            Keyword::Latin => {
                // Latin letters (ABB, TCL) match in either case on both databases:
                // SQLite's LIKE ignores ASCII case, PostgreSQL's doesn't, and
                // lower() folds ASCII only on both (byte order on PostgreSQL).
                let name = format!("%{}%", like_escape(&k.to_ascii_lowercase()));
                f.push("lower(name) LIKE ?1 ESCAPE '\\'", vec![name.into()]);
            }
            Keyword::Chinese => {
                // Part of a Chinese name: a plain substring test. PostgreSQL's
                // LIKE '%…%' cost 250 ns a name, strpos (what `instr` is there, see
                // migration 0011) 70: a keyword anywhere in a city of 160,000
                // enterprises is a count over every one of their names,
                // unless `name_chars` narrows it to the names holding a rare
                // character of the keyword.
                f.push("instr(name, ?1) > 0", vec![k.into()]);
            }
        }
    }
    if let Some(i) = given(&q.industry) {
        let i = i.to_ascii_uppercase();
        let known = industry::lookup(&i).is_some() || !industry::classes_under(&i).is_empty();
        if !known {
            return Err(DomainError::field(
                "industry",
                "unknown_industry",
                format!("行业“{i}”不在GB/T 4754-2017中"),
            ));
        }
        match i.len() {
            // A section is a run of consecutive divisions (C is 13–43): one
            // range, not a list. A list was rebuilt for every index entry
            // once PostgreSQL kept a generic plan for the statement (its
            // values are parameters), which tripled the time of the count.
            1 => {
                let divisions = industry::all()
                    .iter()
                    .filter(|d| d.level.number() == 2 && d.section == i)
                    .map(|d| d.code);
                let (first, last) = (divisions.clone().min(), divisions.max());
                let (Some(first), Some(last)) = (first, last) else {
                    return Err(DomainError::field(
                        "industry",
                        "unknown_industry",
                        format!("行业门类“{i}”下没有行业大类"),
                    ));
                };
                f.push(
                    "industry_division >= ?1 AND industry_division <= ?2",
                    vec![first.into(), last.into()],
                );
            }
            2 => f.push("industry_division = ?1", vec![i.into()]),
            3 => f.push("industry_code LIKE ?1", vec![format!("{i}%").into()]),
            _ => f.push("industry_code = ?1", vec![i.into()]),
        }
    }
    if let Some(c) = given(&q.category) {
        let c = SupervisionCategory::parse(c)
            .ok_or_else(|| DomainError::field("category", "invalid", "监管类别有误"))?;
        f.push("category = ?1", vec![c.as_str().into()]);
    }
    if let Some(g) = given(&q.credit_grade) {
        if g == "none" {
            f.push("credit_grade IS NULL", vec![]);
        } else {
            let g = CreditGrade::parse(&g.to_ascii_uppercase())
                .ok_or_else(|| DomainError::field("credit_grade", "invalid", "信用等级有误"))?;
            f.push("credit_grade = ?1", vec![g.as_str().into()]);
        }
    }
    if let Some(p) = given(&q.positive_list) {
        let p = match p {
            "true" | "是" | "1" => true,
            "false" | "否" | "0" => false,
            _ => {
                return Err(DomainError::field(
                    "positive_list",
                    "invalid",
                    "正面清单只能是是或否",
                ))
            }
        };
        f.push("positive_list = ?1", vec![p.into()]);
    }
    if let Some(s) = given(&q.status) {
        let s = EnterpriseStatus::parse(s)
            .ok_or_else(|| DomainError::field("status", "invalid", "状态有误"))?;
        f.push("status = ?1", vec![s.as_str().into()]);
    }
    Ok(f)
}

fn order_by(q: &EnterpriseQuery) -> DomainResult<&'static str> {
    Ok(match given(&q.sort).unwrap_or("region") {
        // The search index's order: by county code (so by province and
        // prefecture too), then name within it.
        "region" => "region_code, name, id",
        "name" => "name, id",
        "uscc" => "uscc",
        "updated" => "updated_at DESC, id DESC",
        _ => {
            return Err(DomainError::field(
                "sort",
                "invalid",
                "排序方式只能是name、uscc、region或updated",
            ))
        }
    })
}

/// One page and the total. The count and the page run at the same time on two
/// connections (both databases serve concurrent readers), so a request costs
/// the longer of the two rather than their sum.
pub async fn search(
    mut db: &Db,
    scope: &Scope,
    q: &EnterpriseQuery,
) -> StoreResult<EnterprisePage> {
    let mut filter = build(scope, q)?;
    name_chars::narrow(&mut db, given(&q.keyword), &mut filter).await?;
    let order = order_by(q)?;
    let per_page = q.per_page.unwrap_or(20);
    if !(1..=200).contains(&per_page) {
        return Err(DomainError::field("per_page", "invalid", "每页条数应为1至200").into());
    }
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(DomainError::field("page", "invalid", "页码应从1开始").into());
    }
    // Without a keyword, the kept counts answer (a thousand rows for a
    // county, not its 90,000 index entries); a keyword is counted over the
    // names of the region.
    let (count_sql, count_args) = if tallies::can_count(q) {
        tallies::count_sql(&filter.sql)
    } else {
        Sql::new("SELECT COUNT(*) FROM enterprises WHERE ")
            .push_sql(&filter.sql)
            .build()
    };
    let count_sql = planned_per_call(&count_sql);
    // The page's ids first, then their rows: the ids come from an index-only
    // scan that tests the filter on each index entry, where a scan fetching
    // whole rows fetched every row it skipped before it could test it. Page
    // 10 of 玉田县's normal enterprises named 玉田县…: 33,000 rows fetched,
    // 45 ms; the ids alone, 24 ms.
    let (page_sql, args) = Sql::new(&format!(
        "SELECT {COLUMNS} FROM enterprises WHERE id IN (
             SELECT id FROM enterprises WHERE "
    ))
    .push_sql(&filter.sql)
    .push(&format!(" ORDER BY {order} LIMIT "))
    .push_bind(per_page)
    .push(" OFFSET ")
    .push_bind((page - 1) * per_page)
    .push(&format!("\n         ) ORDER BY {order}"))
    .build();
    let page_sql = planned_per_call(&page_sql);
    let (mut counter, mut pager) = (db, db);
    let (total, rows) = tokio::try_join!(
        counter.scalar_i64(&count_sql, count_args),
        pager.fetch_all(&page_sql, args)
    )?;
    Ok(EnterprisePage {
        total,
        page,
        per_page,
        items: rows.iter().map(from_row).collect::<StoreResult<_>>()?,
    })
}

/// Every enterprise matching the filter, in pages of `batch` by id, for export
/// (memory stays flat however many there are). `visit` gets each batch.
pub async fn for_each_batch(
    e: &mut impl Exec,
    scope: &Scope,
    q: &EnterpriseQuery,
    batch: i64,
    mut visit: impl FnMut(Vec<Enterprise>),
) -> StoreResult<i64> {
    let mut filter = build(scope, q)?;
    name_chars::narrow(e, given(&q.keyword), &mut filter).await?;
    let mut after = 0i64;
    let mut total = 0i64;
    loop {
        let (sql, args) = Sql::new(&format!("SELECT {COLUMNS} FROM enterprises WHERE "))
            .push_sql(&filter.sql)
            .push(" AND id > ")
            .push_bind(after)
            .push(" ORDER BY id LIMIT ")
            .push_bind(batch)
            .build();
        let rows = e.fetch_all(&sql, args).await?;
        if rows.is_empty() {
            break;
        }
        let items: Vec<Enterprise> = rows.iter().map(from_row).collect::<StoreResult<_>>()?;
        after = items.last().map(|e| e.id).unwrap_or(after);
        total += items.len() as i64;
        visit(items);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let q = EnterpriseQuery {
            keyword: Some("钢铁".into()),
            industry: Some("31".into()),
            credit_grade: Some("none".into()),
            ..Default::default()
        };
        let f = build(&Scope::County("130229".into()), &q).unwrap();
        assert_eq!(
            f.sql.text(),
            "1 = 1 AND region_code = $1 AND instr(name, $2) > 0 AND industry_division = $3 AND credit_grade IS NULL"
        );
        assert_eq!(f.sql.args().len(), 3);
        let code = EnterpriseQuery {
            keyword: Some("91130229ab".into()),
            industry: Some("C".into()),
            ..Default::default()
        };
        let f = build(&Scope::All, &code).unwrap();
        assert!(
            f.sql.text().starts_with(
                "1 = 1 AND uscc >= $1 AND uscc < $2 AND industry_division >= $3 AND industry_division <= $4"
            ),
            "{}",
            f.sql.text()
        );
        assert_eq!(f.sql.args()[2..], [Arg::from("13"), Arg::from("43")]);
    }

    #[test]
    fn region_filters_narrow_the_scope_or_empty_it() {
        let q = EnterpriseQuery {
            region_code: Some("130229".into()),
            ..Default::default()
        };
        let f = build(&Scope::Province("130000".into()), &q).unwrap();
        assert_eq!(f.sql.text(), "1 = 1 AND region_code = $1");
        let city = EnterpriseQuery {
            city_code: Some("130200".into()),
            ..Default::default()
        };
        let f = build(&Scope::Province("130000".into()), &city).unwrap();
        assert_eq!(
            f.sql.text(),
            "1 = 1 AND region_code >= $1 AND region_code < $2"
        );
        let range: Vec<Arg> = vec!["1302".into(), "1302\u{7f}".into()];
        assert_eq!(f.sql.args(), range);
        // A province-administered county's "city" is its province.
        let direct = EnterpriseQuery {
            city_code: Some("420000".into()),
            ..Default::default()
        };
        let f = build(&Scope::All, &direct).unwrap();
        assert_eq!(
            f.sql.text(),
            "1 = 1 AND region_code >= $1 AND region_code < $2 AND city_code = $3"
        );
        let outside = EnterpriseQuery {
            city_code: Some("130100".into()),
            ..Default::default()
        };
        let f = build(&Scope::County("130229".into()), &outside).unwrap();
        assert!(f.sql.text().contains("1 = 0"));
    }

    #[test]
    fn latin_letters_in_a_name_keyword_match_either_case() {
        let q = EnterpriseQuery {
            keyword: Some("ABB电气".into()),
            ..Default::default()
        };
        let f = build(&Scope::All, &q).unwrap();
        assert_eq!(f.sql.text(), "1 = 1 AND lower(name) LIKE $1 ESCAPE '\\'");
        assert_eq!(f.sql.args(), vec![Arg::from("%abb电气%")]);
    }

    #[test]
    fn each_section_is_one_range_of_divisions() {
        let divisions: Vec<_> = industry::all()
            .iter()
            .filter(|d| d.level.number() == 2)
            .collect();
        let sections: std::collections::BTreeSet<_> =
            divisions.iter().map(|d| &d.section).collect();
        assert_eq!(sections.len(), 20, "sections A–T");
        for section in sections {
            let q = EnterpriseQuery {
                industry: Some(section.to_string()),
                ..Default::default()
            };
            let f = build(&Scope::All, &q).unwrap();
            let [Arg::Text(Some(first)), Arg::Text(Some(last))] = f.sql.args() else {
                panic!("{section}: {:?}", f.sql.args());
            };
            // Exactly the section's divisions lie in the range.
            for d in &divisions {
                let inside = d.code >= first.as_str() && d.code <= last.as_str();
                assert_eq!(inside, &d.section == section, "{section}: {}", d.code);
            }
        }
    }

    #[test]
    fn keywords_are_codes_or_parts_of_names() {
        assert_eq!(Keyword::of("911302"), Keyword::Code);
        assert_eq!(Keyword::of("91130229ab"), Keyword::Code);
        assert_eq!(Keyword::of("ABB电气"), Keyword::Latin);
        // Too short for a code: part of a name.
        assert_eq!(Keyword::of("TCL"), Keyword::Latin);
        assert_eq!(Keyword::of("钢铁"), Keyword::Chinese);
        assert_eq!(Keyword::of("第1化工"), Keyword::Chinese);
        assert_eq!(Keyword::of("123"), Keyword::Chinese);
    }

    #[test]
    fn wildcards_in_keywords_are_literal() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }

    #[test]
    fn unknown_filters_are_refused_with_their_field() {
        let bad = EnterpriseQuery {
            industry: Some("99".into()),
            ..Default::default()
        };
        assert_eq!(
            build(&Scope::All, &bad).err().unwrap().field,
            Some("industry")
        );
        let bad = EnterpriseQuery {
            category: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            build(&Scope::All, &bad).err().unwrap().field,
            Some("category")
        );
    }
}
