//! The 检查结果 panel of the task page (RESULT-1…RESULT-4, read-only): one
//! section per participating department — the items it ticked with
//! 是否存在问题 and 问题描述, 企业基本情况, 现场检查情况, its photos as
//! thumbnails that open full size, who submitted and when, 逾期提交 — and
//! 未办理 for a department that has not submitted yet.
//!
//! It shows to whoever may see the task (the task's departments, their
//! heads, the unit's leaders and office: `tasks::get`); its photos are served
//! by `/m/evidence/{id}` under the same rule. Its template is
//! `tasks/results_panel.html`, included by the task page at `#results`.

use yici_domain::draw::task::TaskStatus;
use yici_domain::time::display;
use yici_store::auth::Session;
use yici_store::draw::tasks::Task;
use yici_store::field::results::{self, DepartmentResult, TaskResult};

use yici_store::rectification;

use crate::error::PageResult;
use crate::pages::rectifications::RectView;
use crate::pages::results::ItemLine;
use crate::state::AppState;

/// The panel of the task page.
pub struct ResultsPanel {
    /// `已办理 1 / 2 个处室`.
    pub summary: String,
    /// Every participating department has submitted.
    pub complete: bool,
    /// 发现问题 across the submitted results.
    pub problems: usize,
    pub sections: Vec<Section>,
    /// 整改任务 raised on the task that the reader may follow (RES-1).
    pub rectifications: Vec<crate::pages::rectifications::RectView>,
}

/// One participating department.
pub struct Section {
    pub department_id: i64,
    pub department: String,
    /// Set for a department of another unit (partner agency, upper level).
    pub unit: Option<String>,
    pub kind: &'static str,
    /// The result in force (the latest correction, or the original).
    pub result: Option<Shown>,
    /// What it replaced, newest first (RESULT-3: kept and shown beside).
    pub superseded: Vec<Shown>,
}

/// A submitted result, as shown.
pub struct Shown {
    pub items: Vec<ItemLine>,
    pub problems: usize,
    pub enterprise_situation: String,
    pub onsite_findings: String,
    /// Evidence ids with the address of the file.
    pub photos: Vec<(i64, String)>,
    pub submitted_by: String,
    pub submitted_at: String,
    pub due_on: String,
    pub late: bool,
    /// Set on a correction: why the result before it was wrong.
    pub correction_reason: Option<String>,
}

fn shown(r: TaskResult) -> Shown {
    let items: Vec<ItemLine> = r.items.iter().map(ItemLine::of).collect();
    Shown {
        problems: items.iter().filter(|i| i.has_problem).count(),
        items,
        enterprise_situation: r.enterprise_situation,
        onsite_findings: r.onsite_findings,
        photos: r
            .evidence
            .iter()
            .map(|e| (e.id, format!("/m/evidence/{}", e.id)))
            .collect(),
        submitted_by: r.submitted_by_name,
        submitted_at: display(r.submitted_at),
        due_on: r.due_on.to_string(),
        late: r.late,
        correction_reason: r.correction_reason,
    }
}

fn section(d: DepartmentResult, own_unit: &str) -> Section {
    Section {
        department_id: d.department_id,
        unit: (d.unit_name != own_unit).then_some(d.unit_name),
        department: d.department_name,
        kind: d.kind.label(),
        result: d.result.map(shown),
        superseded: d.superseded.into_iter().map(shown).collect(),
    }
}

/// The panel, or none for a cancelled task that never got a result.
pub async fn panel(
    state: &AppState,
    session: &Session,
    task: &Task,
) -> PageResult<Option<ResultsPanel>> {
    let r = results::of_task(&state.db, &session.principal, state.now(), task.id).await?;
    let sections: Vec<Section> = r
        .departments
        .into_iter()
        .map(|d| section(d, &task.unit_name))
        .collect();
    let submitted = sections.iter().filter(|s| s.result.is_some()).count();
    if task.status == TaskStatus::Cancelled && submitted == 0 {
        return Ok(None);
    }
    let today = yici_domain::time::business_date(state.now());
    let p = &session.principal;
    let rectifications = rectification::of_task(&state.db, task.id, today)
        .await?
        .iter()
        .filter(|r| rectification::may_read(p, r.department_id, r.unit_id))
        .map(|r| RectView::of(r, "/rectifications/photos/"))
        .collect();
    Ok(Some(ResultsPanel {
        rectifications,
        summary: format!("已办理 {submitted} / {} 个处室", sections.len()),
        complete: submitted == sections.len() && submitted > 0,
        problems: sections
            .iter()
            .filter_map(|s| s.result.as_ref())
            .map(|r| r.problems)
            .sum(),
        sections,
    }))
}
