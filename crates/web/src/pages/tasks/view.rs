//! View helpers shared by the task screens: region choices, the pager,
//! status and joint-inspection tags, dates as shown.

use chrono::NaiveDate;
use yici_domain::draw::task::TaskStatus;
use yici_domain::joint::{JointStatus, ParticipantKind};
use yici_domain::org::{Principal, Role};
use yici_domain::region;
use yici_store::draw::tasks::Task;
use yici_store::joint::participants;
use yici_store::registry::search::Scope;

use crate::pages::registry::Choice;

// ───────────────────────── shared helpers ─────────────────────────

/// Region choices of a scope: the county of a county unit; the city and its
/// counties of a city unit; each city and its counties above that. A city
/// code (…00) filters the whole city.
pub(super) fn region_choices(scope: &Scope, current: &str) -> Vec<Choice> {
    let mut out: Vec<(String, String)> = Vec::new();
    let city = |code: &str, out: &mut Vec<(String, String)>| {
        if let Some(c) = region::lookup(code) {
            out.push((c.code.to_string(), format!("{}（全市）", c.name)));
        }
        for r in region::children(code) {
            out.push((r.code.to_string(), format!("　{}", r.name)));
        }
    };
    match scope {
        Scope::County(c) => {
            if let Some(r) = region::lookup(c) {
                out.push((r.code.to_string(), r.name.to_string()));
            }
        }
        Scope::City(c) => city(c, &mut out),
        Scope::Province(p) => {
            for c in region::children(p) {
                city(c.code, &mut out);
            }
        }
        Scope::All => {
            for c in region::children("130000") {
                city(c.code, &mut out);
            }
        }
    }
    out.into_iter()
        .map(|(v, l)| Choice {
            selected: v == current,
            value: v,
            label: l,
        })
        .collect()
}

/// The page sizes a long list offers (每页条数); the first is the default.
pub const PAGE_SIZES: [i64; 3] = [20, 50, 100];

/// The page size asked for, when it is one of [`PAGE_SIZES`]; the default
/// otherwise (an odd value in a link is no reason to refuse the page).
pub fn per_page_of(typed: &str) -> i64 {
    typed
        .trim()
        .parse()
        .ok()
        .filter(|n| PAGE_SIZES.contains(n))
        .unwrap_or(PAGE_SIZES[0])
}

/// The page asked for: a number from 1 on; 1 otherwise. A page past the end
/// is brought back by the store's count.
pub fn page_of(typed: &str) -> i64 {
    typed.trim().parse::<i64>().unwrap_or(1).max(1)
}

/// Page numbers around the current one, with their links, the page sizes and
/// what the 跳转到第N页 form carries.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub per_page: i64,
    pub first_index: i64,
    pub links: Vec<(i64, String, bool)>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub prev_page: Option<i64>,
    pub next_page: Option<i64>,
    /// 每页 N 条: each size with its link (back to page 1) and whether current.
    pub sizes: Vec<(i64, String, bool)>,
    /// Where the 跳转 form goes, and the list's conditions it carries along.
    pub base: String,
    pub hidden: Vec<(String, String)>,
}

impl Pager {
    /// `qs` holds the list's conditions, without `page` and `per_page`.
    pub fn new(base: &str, qs: &str, total: i64, page: i64, per_page: i64) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        let with = |p: i64, size: i64| {
            let mut parts: Vec<String> = Vec::new();
            if !qs.is_empty() {
                parts.push(qs.to_string());
            }
            if size != PAGE_SIZES[0] {
                parts.push(format!("per_page={size}"));
            }
            parts.push(format!("page={p}"));
            format!("{base}?{}", parts.join("&"))
        };
        let link = |p: i64| with(p, per_page);
        let mut hidden: Vec<(String, String)> = serde_urlencoded::from_str(qs).unwrap_or_default();
        if per_page != PAGE_SIZES[0] {
            hidden.push(("per_page".into(), per_page.to_string()));
        }
        Pager {
            page,
            pages,
            per_page,
            first_index: (page - 1) * per_page,
            links: ((page - 4).max(1)..=(page + 4).min(pages))
                .map(|p| (p, link(p), p == page))
                .collect(),
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
            prev_page: (page > 1).then_some(page - 1),
            next_page: (page < pages).then_some(page + 1),
            sizes: PAGE_SIZES
                .iter()
                .map(|n| (*n, with(1, *n), *n == per_page))
                .collect(),
            base: base.to_string(),
            hidden,
        }
    }
}

/// `a=1&b=2` from the non-empty pairs.
pub(super) fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .copied()
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

pub(super) fn status_class(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Drawn => "st-drawn",
        TaskStatus::Scheduled => "st-scheduled",
        TaskStatus::InProgress => "st-progress",
        TaskStatus::Completed => "on",
        TaskStatus::Cancelled => "off",
    }
}

/// The user's department on the task as a notified department or partner,
/// when the user answers for it.
pub(super) fn answering<'a>(p: &Principal, t: &'a Task) -> Option<&'a participants::Participant> {
    let d = p.department_id?;
    if !(p.has(Role::Secretary) || p.has(Role::DepartmentAdmin)) {
        return None;
    }
    t.participants
        .iter()
        .find(|x| x.department_id == d && x.kind != ParticipantKind::Initiator)
}

pub(super) fn joint_class(j: JointStatus) -> &'static str {
    match j {
        JointStatus::Joint => "on",
        JointStatus::Single => "warn-tag",
        JointStatus::Pending => "pending",
    }
}

pub(super) fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}
