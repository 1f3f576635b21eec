//! 待办 (STAT-3): what waits for the user, on the home page — documents to
//! sign, approve or number, tasks to set up, participation to decide,
//! results due, rectifications, results to release, credit proposals and
//! supervision warnings, enterprise account activation requests —
//! each a count with a link to the list that clears it. A line with nothing
//! waiting is not shown, so a done job leaves the page by itself.

use yici_domain::documents::workflow::DocumentStatus;
use yici_domain::draw::task::TaskView;
use yici_domain::org::{Principal, Role};
use yici_store::draw::tasks::{self, TaskQuery};

use crate::error::PageResult;
use crate::state::AppState;

/// One waiting thing: `count` and what it is, leading to `href`.
pub struct TodoItem {
    pub id: &'static str,
    pub count: i64,
    pub what: String,
    pub href: String,
    /// Past a deadline: shown in red.
    pub urgent: bool,
}

/// The lines of one kind of work.
pub struct TodoGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub items: Vec<TodoItem>,
}

fn item(id: &'static str, count: i64, what: impl Into<String>, href: &str) -> TodoItem {
    TodoItem {
        id,
        count,
        what: what.into(),
        href: href.to_string(),
        urgent: false,
    }
}

fn group(id: &'static str, title: &'static str, items: Vec<TodoItem>) -> Option<TodoGroup> {
    let items: Vec<TodoItem> = items.into_iter().filter(|i| i.count > 0).collect();
    (!items.is_empty()).then_some(TodoGroup { id, title, items })
}

/// The user's 待办, group by group; empty when nothing waits.
pub async fn of(state: &AppState, p: &Principal) -> PageResult<Vec<TodoGroup>> {
    let groups = [
        documents(state, p).await?,
        tasks(state, p).await?,
        rectifications(state, p).await?,
        followups(state, p).await?,
        warnings(state, p).await?,
        activations(state, p).await?,
    ];
    Ok(groups.into_iter().flatten().collect())
}

/// 文书: the documents the user's roles act on next.
async fn documents(state: &AppState, p: &Principal) -> PageResult<Option<TodoGroup>> {
    let inbox = yici_store::documents::inbox(&state.db, p).await?;
    let count = |pred: &dyn Fn(DocumentStatus) -> bool| {
        inbox.iter().filter(|d| pred(d.status)).count() as i64
    };
    Ok(group(
        "document-todo",
        "文书办理",
        vec![
            item(
                "documents-to-sign",
                count(&|s| s == DocumentStatus::PendingDepartmentHead),
                "份文书待签批",
                "/documents",
            ),
            item(
                "documents-to-approve",
                count(&|s| s == DocumentStatus::PendingUnitHead),
                "份文书待批准",
                "/documents",
            ),
            item(
                "documents-to-number",
                count(&|s| matches!(s, DocumentStatus::Approved | DocumentStatus::Submitted)),
                "份文书待编号盖章",
                "/documents",
            ),
        ],
    ))
}

/// 双随机任务: for the department's secretary and administrator, tasks to
/// set up and participation to decide; for everyone of a department,
/// results its visits still owe.
async fn tasks(state: &AppState, p: &Principal) -> PageResult<Option<TodoGroup>> {
    let Some(department) = p.department_id else {
        return Ok(None);
    };
    let answers = p.has(Role::Secretary) || p.has(Role::DepartmentAdmin);
    let count = |view: TaskView, status: Option<&str>| {
        let q = TaskQuery {
            view: Some(view.as_str().to_string()),
            status: status.map(str::to_string),
            per_page: Some(1),
            ..TaskQuery::default()
        };
        async move { PageResult::Ok(tasks::list(&state.db, p, state.now(), &q).await?.total) }
    };
    let (to_set_up, may_join) = if answers {
        (
            count(TaskView::Initiated, Some("drawn")).await?,
            count(TaskView::MayJoin, None).await?,
        )
    } else {
        (0, 0)
    };
    let results_due = yici_store::field::results::due_of_department(&state.db, department).await?;
    Ok(group(
        "task-todo",
        "双随机任务",
        vec![
            item(
                "tasks-to-set-up",
                to_set_up,
                "个任务待设置检查日期和检查人员",
                "/tasks?view=initiated&status=drawn",
            ),
            item(
                "tasks-may-join",
                may_join,
                "个任务待确认是否参与",
                "/tasks?view=may_join",
            ),
            item(
                "results-due",
                results_due,
                "个任务待填报检查结果",
                "/tasks?view=participating&status=in_progress",
            ),
        ],
    ))
}

/// 整改跟踪: what waits for the department (or the unit's leaders and office).
async fn rectifications(state: &AppState, p: &Principal) -> PageResult<Option<TodoGroup>> {
    let Some(reach) = yici_store::rectification::reach_of(p) else {
        return Ok(None);
    };
    let w = yici_store::rectification::waiting(&state.db, reach, state.today()).await?;
    Ok(group(
        "rectification-todo",
        "整改跟踪",
        vec![
            TodoItem {
                urgent: true,
                ..item(
                    "overdue-rectifications",
                    w.overdue,
                    "项整改已逾期",
                    "/rectifications?overdue=1",
                )
            },
            item(
                "reported-rectifications",
                w.reported,
                "项企业已反馈待核查",
                "/rectifications?status=reported",
            ),
            item(
                "draft-rectifications",
                w.drafts,
                "项待下发",
                "/rectifications?status=draft",
            ),
        ],
    ))
}

/// 一公开 and credit: results the office may release, proposals a leader
/// may decide.
async fn followups(state: &AppState, p: &Principal) -> PageResult<Option<TodoGroup>> {
    let (releases, soonest) = if yici_store::publication::may_release(p) {
        yici_store::publication::waiting_summary(&state.db, p, &state.config.publication).await?
    } else {
        (0, None)
    };
    let releases_what = match soonest {
        Some(d) => format!("项检查结果待公开（最早 {d} 自动公开）"),
        None => "项检查结果待公开".to_string(),
    };
    let proposals = if crate::credit_access::may_decide(p) {
        let scope = crate::registry_access::scope_of(p)?;
        yici_store::credit::open_proposal_count(&state.db, &scope).await?
    } else {
        0
    };
    Ok(group(
        "followup-todo",
        "结果公开与信用评价",
        vec![
            item("releases-waiting", releases, releases_what, "/publication"),
            item(
                "proposals-waiting",
                proposals,
                "条信用评价建议待确认",
                "/credit/proposals",
            ),
        ],
    ))
}

/// 监督预警: the open warnings within the reader's reach (STAT-2).
async fn warnings(state: &AppState, p: &Principal) -> PageResult<Option<TodoGroup>> {
    if yici_domain::warnings::reach_of(p).is_none() {
        return Ok(None);
    }
    let open = yici_store::warnings::open_count(&state.db, p).await?;
    Ok(group(
        "warning-todo",
        "监督预警",
        vec![TodoItem {
            urgent: true,
            ..item(
                "warnings-open",
                open,
                "项监督预警待处理",
                "/warnings?state=open",
            )
        }],
    ))
}

/// 企业账号开通: activation requests waiting for a registry editor of the
/// scope (SEC-5).
async fn activations(state: &AppState, p: &Principal) -> PageResult<Option<TodoGroup>> {
    if !crate::registry_access::may_edit(p) {
        return Ok(None);
    }
    let scope = crate::registry_access::scope_of(p)?;
    let pending = yici_store::field::activation::pending_count(&state.db, &scope).await?;
    Ok(group(
        "activation-todo",
        "企业账号",
        vec![item(
            "activations-pending",
            pending,
            "项企业账号开通申请待处理",
            "/enterprise-accounts?status=pending",
        )],
    ))
}
