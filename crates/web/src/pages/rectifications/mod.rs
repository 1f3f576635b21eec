//! 整改跟踪 (RES-1) in the browser.
//!
//! | URL | module |
//! |---|---|
//! | `/rectifications` (list), `/rectifications/{id}` (detail and its forms) | [`desk`] |
//! | `/e/rectifications`, `/e/rectifications/{id}` (the enterprise's list and report-back) | [`enterprise`] |

pub mod desk;
pub mod enterprise;

use yici_domain::rectification::Status;
use yici_domain::time::display;
use yici_store::rectification::{Rectification, Step};

/// The tag class of a status (the desktop's and the phone's stylesheets
/// both know these names).
pub fn tone(s: Status) -> &'static str {
    match s {
        Status::Closed => "on ok",
        Status::Reported => "st-scheduled",
        Status::Issued | Status::Returned => "st-drawn warn",
        Status::Referred => "st-progress",
        Status::Withdrawn => "off",
        Status::Draft => "pending",
    }
}

/// A rectification as its rows and detail show it.
pub struct RectView {
    pub id: i64,
    pub task_id: i64,
    pub enterprise_name: String,
    pub enterprise_uscc: String,
    pub department_name: String,
    pub unit_name: String,
    pub item_name: String,
    pub problem: String,
    pub legal_basis: String,
    pub requirement: String,
    pub deadline: String,
    pub status: String,
    pub status_class: &'static str,
    pub overdue: bool,
    pub issued_at: String,
    pub closed_at: String,
    pub revisit_task_id: Option<i64>,
    pub referral: Option<String>,
    pub case_number: String,
    pub steps: Vec<StepView>,
}

pub struct StepView {
    pub kind: String,
    pub note: String,
    pub by_name: String,
    pub at: String,
    /// Photo URLs.
    pub photos: Vec<String>,
}

impl RectView {
    /// `photo_base`: where its report photos are served (`/rectifications/photos/`
    /// for the department side, `/e/rectifications/photos/` for the enterprise).
    pub fn of(r: &Rectification, photo_base: &str) -> RectView {
        let when = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(display).unwrap_or_default();
        RectView {
            id: r.id,
            task_id: r.task_id,
            enterprise_name: r.enterprise_name.clone(),
            enterprise_uscc: r.enterprise_uscc.clone(),
            department_name: r.department_name.clone(),
            unit_name: r.unit_name.clone(),
            item_name: r.item_name.clone(),
            problem: r.problem.clone(),
            legal_basis: r.legal_basis.clone(),
            requirement: r.requirement.clone(),
            deadline: r.deadline.to_string(),
            status: r.status_label.clone(),
            status_class: tone(r.status),
            overdue: r.overdue,
            issued_at: when(r.issued_at),
            closed_at: when(r.closed_at),
            revisit_task_id: r.revisit_task_id,
            referral: r.referral_label.clone(),
            case_number: r.case_number.clone().unwrap_or_default(),
            steps: r.steps.iter().map(|s| step(s, photo_base)).collect(),
        }
    }
}

fn step(s: &Step, photo_base: &str) -> StepView {
    StepView {
        kind: s.kind_label.clone(),
        note: s.note.clone(),
        by_name: s.by_name.clone(),
        at: display(s.at),
        photos: s
            .files
            .iter()
            .map(|f| format!("{photo_base}{}", f.id))
            .collect(),
    }
}
