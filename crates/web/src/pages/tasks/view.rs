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

/// Page numbers around the current one, with their links.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub first_index: i64,
    pub links: Vec<(i64, String, bool)>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(base: &str, qs: &str, total: i64, page: i64, per_page: i64) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        let link = |p: i64| {
            if qs.is_empty() {
                format!("{base}?page={p}")
            } else {
                format!("{base}?{qs}&page={p}")
            }
        };
        Pager {
            page,
            pages,
            first_index: (page - 1) * per_page,
            links: ((page - 4).max(1)..=(page + 4).min(pages))
                .map(|p| (p, link(p), p == page))
                .collect(),
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
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
