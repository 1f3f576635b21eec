//! 一企一档 pages: the searchable enterprise list and an enterprise's profile
//! with the tabs of ENT-2.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use serde::Deserialize;
use yici_domain::region;
use yici_domain::registry::enterprise::{CreditGrade, EnterpriseStatus, SupervisionCategory};
use yici_domain::registry::industry;
use yici_store::registry::enterprises::Enterprise;
use yici_store::registry::facilities::{self, Installations};
use yici_store::registry::search::{self, EnterpriseQuery, Scope};

use super::layout::Chrome;
use crate::error::{AppError, PageResult};
use crate::registry_access::{as_seen, ensure_may_edit, may_edit, scope_of, visible_enterprise};
use crate::session::WebUser;
use crate::state::AppState;

/// An option of a filter select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(
    items: impl IntoIterator<Item = (&'a str, String)>,
    current: &Option<String>,
) -> Vec<Choice> {
    choices_of(items, current.as_deref().unwrap_or(""))
}

/// Options of a select, `current` selected (shared by the filter forms).
pub(crate) fn choices_of<'a>(
    items: impl IntoIterator<Item = (&'a str, String)>,
    current: &str,
) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(v, l)| Choice {
            selected: v == current,
            value: v.to_string(),
            label: l,
        })
        .collect()
}

/// GB/T 4754 sections with their divisions, the industry filter's options.
pub(crate) fn industry_options() -> Vec<(&'static str, String)> {
    industry::sections()
        .flat_map(|s| {
            std::iter::once((s.code, format!("{} {}", s.code, s.name))).chain(
                industry::all()
                    .iter()
                    .filter(move |d| d.level.number() == 2 && d.section == s.code)
                    .map(|d| (d.code, format!("　{} {}", d.code, d.name))),
            )
        })
        .collect()
}

/// A row of the result table, labels resolved.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub uscc_check_ok: bool,
    pub industry: String,
    pub place: String,
    pub category: &'static str,
    pub key: bool,
    pub credit: String,
    pub positive_list: bool,
    pub status: &'static str,
    pub normal: bool,
}

impl Row {
    fn of(e: &Enterprise) -> Row {
        Row {
            id: e.id,
            name: e.name.clone(),
            uscc: e.uscc.clone(),
            uscc_check_ok: e.uscc_check_ok,
            industry: format!("{} {}", e.industry_code, e.industry_name),
            place: format!("{} {}", e.city_name, e.county_name),
            category: e.category.label(),
            key: e.category == SupervisionCategory::Key,
            credit: e
                .credit_grade
                .map(|g| g.as_str().to_string())
                .unwrap_or_else(|| "未评价".into()),
            positive_list: e.positive_list,
            status: e.status.label(),
            normal: e.status == EnterpriseStatus::Normal,
        }
    }
}

#[derive(Template)]
#[template(path = "registry/list.html")]
struct ListPage {
    chrome: Chrome,
    keyword: String,
    cities: Vec<Choice>,
    counties: Vec<Choice>,
    industries: Vec<Choice>,
    categories: Vec<Choice>,
    grades: Vec<Choice>,
    statuses: Vec<Choice>,
    positive: Vec<Choice>,
    rows: Vec<Row>,
    total: i64,
    /// The export is large enough to be made by a job (the buttons post).
    export_in_background: bool,
    page: i64,
    pages: i64,
    first_index: i64,
    /// The current filter as a query string (without page), for export links.
    filter_qs: String,
    /// Page number, link, whether current: a window around the current page.
    pager: Vec<(i64, String, bool)>,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
    scope_label: String,
    /// Whether the import link shows (readers only search and export).
    may_edit: bool,
}

/// Prefecture choices the scope allows.
fn city_codes(scope: &Scope) -> Vec<(String, String)> {
    let list = |code: &str| {
        region::children(code)
            .into_iter()
            .map(|r| (r.code.to_string(), r.name.to_string()))
            .collect::<Vec<_>>()
    };
    match scope {
        Scope::All => list("130000"),
        Scope::Province(p) => list(p),
        Scope::City(c) => region::lookup(c)
            .map(|r| vec![(r.code.to_string(), r.name.to_string())])
            .unwrap_or_default(),
        Scope::County(c) => region::city_of(c)
            .map(|r| vec![(r.code.to_string(), r.name.to_string())])
            .unwrap_or_default(),
    }
}

fn county_codes(scope: &Scope, city: Option<&str>) -> Vec<(String, String)> {
    match scope {
        Scope::County(c) => region::lookup(c)
            .map(|r| vec![(r.code.to_string(), r.name.to_string())])
            .unwrap_or_default(),
        Scope::City(c) => region::children(c)
            .into_iter()
            .map(|r| (r.code.to_string(), r.name.to_string()))
            .collect(),
        _ => city
            .map(|c| {
                region::children(c)
                    .into_iter()
                    .map(|r| (r.code.to_string(), r.name.to_string()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn scope_label(scope: &Scope) -> String {
    match scope {
        Scope::All => "全部".into(),
        Scope::Province(c) | Scope::City(c) | Scope::County(c) => {
            yici_store::org::units::region_path(c)
        }
    }
}

/// The filter part of a query string, shared by pagination and export links.
pub fn filter_query_string(q: &EnterpriseQuery) -> String {
    let mut q = q.clone();
    q.page = None;
    serde_urlencoded::to_string(&q).unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<EnterpriseQuery>,
) -> PageResult<Html<String>> {
    let scope = scope_of(&session.principal)?;
    let (result, error) = match search::search(&state.db, &scope, &q).await {
        Ok(r) => (Some(r), None),
        Err(e) => match AppError::from(e) {
            AppError::Domain(d) => (None, Some(d.message)),
            other => return Err(other.into()),
        },
    };
    let city_list = city_codes(&scope);
    let city_selected = q.city_code.clone().filter(|c| !c.is_empty());
    let industries = industry_options();
    let (rows, total, page, per_page) = match &result {
        Some(r) => (
            r.items.iter().map(Row::of).collect(),
            r.total,
            r.page,
            r.per_page,
        ),
        None => (Vec::new(), 0, 1, 20),
    };
    let pages = ((total + per_page - 1) / per_page).max(1);
    let filter_qs = filter_query_string(&q);
    let pager = ((page - 4).max(1)..=(page + 4).min(pages))
        .map(|p| (p, page_link(&filter_qs, p), p == page))
        .collect();
    let page_view = ListPage {
        chrome: Chrome::new(&session, "enterprises"),
        keyword: q.keyword.clone().unwrap_or_default(),
        cities: choices(
            city_list.iter().map(|(c, n)| (c.as_str(), n.clone())),
            &q.city_code,
        ),
        counties: choices(
            county_codes(&scope, city_selected.as_deref())
                .iter()
                .map(|(c, n)| (c.as_str(), n.clone()))
                .collect::<Vec<_>>(),
            &q.region_code,
        ),
        industries: choices(industries, &q.industry),
        categories: choices(
            SupervisionCategory::ALL
                .iter()
                .map(|c| (c.as_str(), c.label().to_string())),
            &q.category,
        ),
        grades: choices(
            CreditGrade::ALL
                .iter()
                .map(|g| (g.as_str(), g.label().to_string()))
                .chain(std::iter::once(("none", "未评价".to_string()))),
            &q.credit_grade,
        ),
        statuses: choices(
            EnterpriseStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label().to_string())),
            &q.status,
        ),
        positive: choices(
            [("true", "是".to_string()), ("false", "否".to_string())],
            &q.positive_list,
        ),
        rows,
        total,
        export_in_background: total > super::file_jobs::EXPORT_IN_BACKGROUND,
        page,
        pages,
        first_index: (page - 1) * per_page,
        prev: (page > 1).then(|| page_link(&filter_qs, page - 1)),
        next: (page < pages).then(|| page_link(&filter_qs, page + 1)),
        pager,
        filter_qs,
        error,
        scope_label: scope_label(&scope),
        may_edit: may_edit(&session.principal),
    };
    Ok(Html(page_view.render()?))
}

#[derive(Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
    /// The page of the 变更记录 tab.
    page: Option<i64>,
}

/// The profile's tabs (ENT-2); inspection history and rectifications are
/// filled by the capabilities that create those records.
pub const TABS: &[(&str, &str)] = &[
    ("basic", "基本信息"),
    ("outlets", "排口信息"),
    ("treatment", "治理设施"),
    ("production", "生产设施"),
    ("inspections", "检查记录"),
    ("rectifications", "整改情况"),
    ("monitoring", "自动监控"),
    ("history", "变更记录"),
    // Its own page (`/enterprises/{id}/credit`), shown as the last tab.
    ("credit", "信用记录"),
];

/// Entries per page of the 变更记录 tab.
const HISTORY_PER_PAGE: i64 = 20;

/// An entry of the 变更记录 tab, labels resolved.
struct HistoryLine {
    at: String,
    editor: String,
    via: &'static str,
    action: &'static str,
    subject: Option<String>,
    /// Field, value before, value after (empty: none).
    changes: Vec<(String, String, String)>,
}

impl HistoryLine {
    fn of(e: yici_store::registry::edits::Edit) -> HistoryLine {
        use yici_domain::registry::history::{field_label, value_label};
        let shown = |field: &str, v: &Option<String>| {
            v.as_deref()
                .map(|v| value_label(field, v))
                .unwrap_or_default()
        };
        HistoryLine {
            at: yici_domain::time::display(e.at),
            editor: e.editor_name,
            via: e.via.label(),
            action: e.action.label(),
            subject: e.subject,
            changes: e
                .changes
                .iter()
                .map(|c| {
                    (
                        field_label(&c.field).to_string(),
                        shown(&c.field, &c.before),
                        shown(&c.field, &c.after),
                    )
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "registry/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    e: Enterprise,
    row: Row,
    inst: Installations,
    tab: String,
    tabs: Vec<(&'static str, &'static str)>,
    /// The 检查记录 tab: tasks on the enterprise the user may see.
    tasks: Vec<TaskLine>,
    /// The 整改情况 tab: its rectifications the user may read (RES-1).
    rectifications: Vec<crate::pages::rectifications::RectView>,
    /// Whether 编辑 shows: registry editors of the enterprise's scope.
    may_edit: bool,
    /// The 变更记录 tab: one page, newest first.
    history: Vec<HistoryLine>,
    history_total: i64,
    history_page: i64,
    history_pages: i64,
}

/// A task on the profile's 检查记录 tab.
struct TaskLine {
    id: i64,
    year: i64,
    source: &'static str,
    method: &'static str,
    department: String,
    drawn: String,
    status: &'static str,
    cancelled: bool,
}

pub async fn profile(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(t): Query<TabQuery>,
) -> PageResult<Html<String>> {
    let scope = scope_of(&session.principal)?;
    let e = visible_enterprise(&state, &scope, id).await?;
    let full = may_edit(&session.principal);
    let e = as_seen(e, full);
    let inst = facilities::of_enterprise(&mut &state.db, id).await?;
    let tab = t
        .tab
        .filter(|t| t != "credit" && TABS.iter().any(|(k, _)| k == t))
        .unwrap_or_else(|| "basic".into());
    let tasks = if tab == "inspections" {
        yici_store::draw::tasks::of_enterprise(&state.db, id, state.now())
            .await?
            .into_iter()
            .filter(|t| yici_store::draw::tasks::may_view(&session.principal, t, false))
            .map(|t| TaskLine {
                id: t.id,
                year: t.year,
                source: t.source.label(),
                method: t.method.label(),
                department: format!("{} {}", t.unit_name, t.department_name),
                drawn: format!(
                    "{} {}",
                    t.created_by_name,
                    yici_domain::time::display(t.created_at)
                ),
                status: t.status.label(),
                cancelled: t.status == yici_domain::draw::task::TaskStatus::Cancelled,
            })
            .collect()
    } else {
        Vec::new()
    };
    let rectifications = if tab == "rectifications" {
        let today = yici_domain::time::business_date(state.now());
        let filter = yici_store::rectification::Filter {
            enterprise_id: Some(id),
            ..Default::default()
        };
        let p = &session.principal;
        yici_store::rectification::list(
            &state.db,
            yici_store::rectification::Reach::All,
            today,
            &filter,
        )
        .await?
        .iter()
        .filter(|r| yici_store::rectification::may_read(p, r.department_id, r.unit_id))
        .map(|r| crate::pages::rectifications::RectView::of(r, "/rectifications/photos/"))
        .collect()
    } else {
        Vec::new()
    };
    let (mut history, mut history_total, mut history_page) = (Vec::new(), 0, 1);
    if tab == "history" {
        history_page = t.page.unwrap_or(1).max(1);
        let edits =
            yici_store::registry::edits::page(&mut &state.db, id, history_page, HISTORY_PER_PAGE)
                .await?;
        history_total = edits.total;
        history = edits
            .items
            .into_iter()
            .map(|e| HistoryLine::of(crate::registry_access::edit_as_seen(e, full)))
            .collect();
    }
    let page = ProfilePage {
        may_edit: full,
        history,
        history_total,
        history_page,
        history_pages: ((history_total + HISTORY_PER_PAGE - 1) / HISTORY_PER_PAGE).max(1),
        rectifications,
        chrome: Chrome::new(&session, "enterprises"),
        row: Row::of(&e),
        e,
        inst,
        tab,
        tabs: TABS.to_vec(),
        tasks,
    };
    Ok(Html(page.render()?))
}

/// Used by templates: `a=1&b=2` plus a page number.
pub fn page_link(filter_qs: &str, page: i64) -> String {
    if filter_qs.is_empty() {
        format!("/enterprises?page={page}")
    } else {
        format!("/enterprises?{filter_qs}&page={page}")
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

pub async fn export(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(f): Query<ExportQuery>,
    Query(q): Query<EnterpriseQuery>,
) -> PageResult<axum::response::Response> {
    let scope = scope_of(&session.principal)?;
    let kind = crate::registry_files::kind_of(f.format.as_deref())?;
    let full = may_edit(&session.principal);
    let (bytes, mime, name) =
        crate::registry_files::export(&state, &scope, &q, kind, full, &Default::default()).await?;
    Ok(crate::registry_files::download(bytes, mime, &name))
}

pub async fn template(
    WebUser(_): WebUser,
    Query(f): Query<ExportQuery>,
) -> PageResult<axum::response::Response> {
    Ok(crate::registry_files::template(f.format.as_deref())?)
}

#[derive(Template)]
#[template(path = "registry/import.html")]
struct ImportPage {
    chrome: Chrome,
    error: Option<String>,
    /// The account's latest imports, to find a report again.
    recent: Vec<super::file_jobs::JobView>,
}

impl ImportPage {
    async fn of(
        state: &AppState,
        session: &yici_store::auth::Session,
        error: Option<String>,
    ) -> PageResult<ImportPage> {
        let recent = yici_store::file_jobs::recent(
            &state.db,
            state.now(),
            session.principal.account_id,
            yici_store::file_jobs::FileJobKind::RegistryImport,
            5,
        )
        .await?;
        Ok(ImportPage {
            chrome: Chrome::new(session, "import"),
            error,
            recent: recent.into_iter().map(super::file_jobs::view).collect(),
        })
    }
}

pub async fn import_form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Html<String>> {
    ensure_may_edit(&session.principal)?;
    Ok(Html(
        ImportPage::of(&state, &session, None).await?.render()?,
    ))
}

/// The upload: a multipart form with `_csrf` and `file`. The import runs as
/// a job (issue 26 item 8); the browser goes to its page, which shows rows
/// checked and written until the report is there. A file that can't be
/// imported at all and fails at once is said on this form, where the eye is.
pub async fn import(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    mut multipart: axum::extract::Multipart,
) -> PageResult<axum::response::Response> {
    use axum::response::IntoResponse;
    ensure_may_edit(&session.principal)?;
    let mut csrf = String::new();
    let mut file: Option<(String, axum::body::Bytes)> = None;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::from(yici_domain::DomainError::field(
            "file",
            "upload_failed",
            format!("上传失败：{}", e.body_text()),
        ))
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.map_err(unreadable)?,
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                file = Some((name, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    if csrf != session.csrf_token {
        return Err(yici_domain::DomainError::new(
            yici_domain::ErrorKind::Forbidden,
            "csrf",
            "页面已过期或来源不明，请刷新页面后重试",
        )
        .into());
    }
    let refused = |message: String| async {
        let page = ImportPage::of(&state, &session, Some(message)).await?;
        Ok::<_, crate::error::PageError>(
            (
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render()?),
            )
                .into_response(),
        )
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refused("请选择要导入的CSV或Excel（.xlsx）文件".into()).await;
    };
    let scope = scope_of(&session.principal)?;
    let name = if name.is_empty() {
        "导入文件".to_string()
    } else {
        name
    };
    let started =
        crate::file_jobs::start_import(&state, &session.principal, scope, bytes, name).await?;
    let id = started.id;
    if started.ended_within(super::file_jobs::WAIT_FOR_END).await {
        let job = crate::file_jobs::owned(&state, &session.principal, id).await?;
        if let (yici_store::file_jobs::FileJobStatus::Failed, Some(message)) =
            (job.status, job.error)
        {
            return refused(message).await;
        }
    }
    Ok(axum::response::Redirect::to(&format!("/file-jobs/{id}")).into_response())
}
