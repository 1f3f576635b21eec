//! 检查事项与计划 (DOC-1): a department's 行政检查事项清单 and 抽查计划 of a
//! year with its progress, the forms that add, edit and remove their rows,
//! 复制上一年度, and the public page of a unit's lists and plans (公示, no
//! login).
//!
//! Every form calls the same store functions, with the same checks, as the
//! API in `api/plans.rs`; a refused form shows the page again with the error
//! beside its field and what was typed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::org::{Principal, Role, Sector, UnitLevel};
use yici_domain::plans::{self as rules, ItemInput, PlanRowInput};
use yici_domain::DomainError;
use yici_store::auth::Session;
use yici_store::org::{departments, units};
use yici_store::plans::{self, PlanItem, PlanRow, PlanSheet, Progress};

use super::forms::{self, given};
use super::layout::Chrome;
use super::registry::Choice;
use crate::error::{status_of, AppError, PageResult};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// 序号 typed in a form: empty is "after the last row".
fn parse_position(s: &str) -> Result<Option<i64>, DomainError> {
    forms::number(s, "position", "序号应为1至100000之间的整数")
}

/// Years offered: next year down to four years back, and the one shown.
pub(crate) fn year_choices(now: i64, year: i64) -> Vec<Choice> {
    let mut years: Vec<i64> = (now - 4..=now + 1).rev().collect();
    if !years.contains(&year) {
        years.push(year);
    }
    years
        .into_iter()
        .map(|y| Choice {
            value: y.to_string(),
            label: format!("{y}年度"),
            selected: y == year,
        })
        .collect()
}

/// Percentage of `part` in `whole`, 0–100 for the bars.
fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (part * 100 / whole).clamp(0, 100)
    }
}

/// Progress with the bars' widths.
pub struct ProgressView {
    pub p: Progress,
    pub drawn_pct: i64,
    pub inspected_pct: i64,
    pub published_pct: i64,
}

impl ProgressView {
    fn of(p: Progress) -> ProgressView {
        ProgressView {
            drawn_pct: percent(p.drawn, p.planned),
            inspected_pct: percent(p.inspected, p.planned),
            published_pct: percent(p.published, p.planned),
            p,
        }
    }
}

// ───────────────────────── the department's page ─────────────────────────

#[derive(Deserialize, Default, Clone)]
pub struct PageQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    edit_item: String,
    #[serde(default)]
    edit_row: String,
    #[serde(default)]
    done: String,
}

/// The list-row form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ItemForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    objects: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    rectify_days: String,
}

impl ItemForm {
    fn of(i: &PlanItem) -> ItemForm {
        ItemForm {
            department: i.department_id.to_string(),
            year: i.year.to_string(),
            code: i.code.clone(),
            name: i.name.clone(),
            content: i.content.clone(),
            objects: i.objects.clone(),
            basis: i.basis.clone(),
            position: i.position.to_string(),
            rectify_days: i.rectify_days.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// The API's request.
    fn to_request(&self) -> Result<ItemInput, DomainError> {
        Ok(ItemInput {
            code: given(&self.code),
            name: given(&self.name),
            content: given(&self.content),
            objects: given(&self.objects),
            basis: given(&self.basis),
            position: parse_position(&self.position)?,
            rectify_days: forms::number(&self.rectify_days, "rectify_days", "整改期限应为天数")?,
        })
    }
}

/// The plan-row form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct RowForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    objects: String,
    #[serde(default)]
    ratio: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    position: String,
}

impl RowForm {
    fn of(r: &PlanRow) -> RowForm {
        RowForm {
            department: r.department_id.to_string(),
            year: r.year.to_string(),
            item_id: r.item_id.to_string(),
            content: r.content.clone(),
            objects: r.objects.clone(),
            ratio: r.ratio.clone(),
            frequency: r.frequency.clone(),
            count: r.count.to_string(),
            period: r.period.clone(),
            position: r.position.to_string(),
        }
    }

    /// The API's request.
    fn to_request(&self) -> Result<PlanRowInput, DomainError> {
        let item_id = match self.item_id.trim() {
            "" => None,
            t => Some(
                t.parse::<i64>()
                    .map_err(|_| DomainError::field("item_id", "required", "请选择抽查事项"))?,
            ),
        };
        let count = match self.count.trim() {
            "" => None,
            t => Some(rules::parse_count(t)?),
        };
        Ok(PlanRowInput {
            item_id,
            content: given(&self.content),
            objects: given(&self.objects),
            ratio: given(&self.ratio),
            frequency: given(&self.frequency),
            count,
            period: given(&self.period),
            position: parse_position(&self.position)?,
        })
    }
}

/// The department and year a form names (hidden fields), as numbers.
fn target(department: &str, year: &str) -> Result<(i64, i64), DomainError> {
    let d = department
        .trim()
        .parse::<i64>()
        .map_err(|_| DomainError::field("department", "required", "请选择处室"))?;
    Ok((d, rules::parse_year(year)?))
}

/// A department offered in the selector, grouped by unit.
pub struct DeptGroup {
    pub unit: String,
    pub choices: Vec<Choice>,
}

/// Which form an error belongs to, and the error.
type FormError = (&'static str, DomainError);

#[derive(Template)]
#[template(path = "plans/page.html")]
struct PlansPage {
    chrome: Chrome,
    years: Vec<Choice>,
    groups: Vec<DeptGroup>,
    year: i64,
    /// The sheet shown (none when no department is chosen).
    sheet: Option<PlanSheet>,
    progress: Option<ProgressView>,
    /// The year before, with its counts (for 复制上一年度).
    prev_year: i64,
    prev_items: usize,
    prev_rows: usize,
    item: ItemForm,
    editing_item: Option<i64>,
    row: RowForm,
    editing_row: Option<i64>,
    item_choices: Vec<Choice>,
    error_form: &'static str,
    error_field: String,
    error: Option<String>,
    notice: Option<String>,
    public_link: String,
}

impl PlansPage {
    /// The error of a form's field.
    fn err_for(&self, form: &str, field: &str) -> Option<&str> {
        (self.error_form == form && self.error_field == field)
            .then_some(())
            .and(self.error.as_deref())
    }

    fn is_editing_item<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.editing_item == Some(*id.borrow())
    }

    fn is_editing_row<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.editing_row == Some(*id.borrow())
    }

    /// An error of a form not shown beside one of its fields.
    fn err_of(&self, form: &str) -> Option<&str> {
        let fields = match form {
            "item" => ITEM_FIELDS,
            "row" => ROW_FIELDS,
            _ => &[],
        };
        (self.error_form == form && !fields.contains(&self.error_field.as_str()))
            .then_some(())
            .and(self.error.as_deref())
    }
}

const ITEM_FIELDS: &[&str] = &[
    "code",
    "name",
    "content",
    "objects",
    "basis",
    "position",
    "rectify_days",
];
const ROW_FIELDS: &[&str] = &[
    "item_id",
    "content",
    "objects",
    "ratio",
    "frequency",
    "count",
    "period",
    "position",
];

/// Departments the user may pick: their unit's; every unit's for the system
/// administrator.
async fn dept_groups(state: &AppState, p: &Principal, current: i64) -> PageResult<Vec<DeptGroup>> {
    let mut conn = state.db.clone();
    let all = match p.unit_id {
        Some(u) => departments::list_by_unit(&mut conn, u).await?,
        None if p.has(Role::SystemAdmin) => departments::list_all(&mut conn).await?,
        None => Vec::new(),
    };
    let mut groups: Vec<DeptGroup> = Vec::new();
    for d in all {
        let choice = Choice {
            value: d.id.to_string(),
            label: d.name.clone(),
            selected: d.id == current,
        };
        match groups.last_mut() {
            Some(g) if g.unit == d.unit_name => g.choices.push(choice),
            _ => groups.push(DeptGroup {
                unit: d.unit_name.clone(),
                choices: vec![choice],
            }),
        }
    }
    Ok(groups)
}

/// The forms' state when the page is drawn again.
#[derive(Default)]
struct Forms {
    item: Option<(ItemForm, Option<i64>)>,
    row: Option<(RowForm, Option<i64>)>,
}

async fn render(
    state: &AppState,
    session: &Session,
    q: &PageQuery,
    forms: Forms,
    error: Option<FormError>,
) -> PageResult<Response> {
    let p = &session.principal;
    let now_year = i64::from(state.this_year());
    let mut error = error;
    let year = match q.year.trim() {
        "" => now_year,
        y => match rules::parse_year(y) {
            Ok(y) => y,
            Err(e) => {
                error.get_or_insert(("query", e));
                now_year
            }
        },
    };
    let department = q.department.trim().parse::<i64>().ok().or(p.department_id);
    let sheet = match department {
        Some(d) => Some(plans::sheet(&state.db, p, d, year).await?),
        None => None,
    };
    let groups = dept_groups(state, p, department.unwrap_or(0)).await?;
    let (prev_items, prev_rows) = match &sheet {
        Some(s) if s.items.is_empty() && s.rows.is_empty() => (
            plans::items_for(&state.db, s.department.id, year - 1)
                .await?
                .len(),
            plans::rows_for(&state.db, s.department.id, year - 1)
                .await?
                .len(),
        ),
        _ => (0, 0),
    };
    let may_edit = sheet.as_ref().is_some_and(|s| s.may_edit);
    // The forms: what was typed, else the row being edited, else empty.
    let edit_item = q.edit_item.trim().parse::<i64>().ok();
    let edit_row = q.edit_row.trim().parse::<i64>().ok();
    let (item, editing_item) = match forms.item {
        Some(f) => f,
        None => match sheet
            .as_ref()
            .and_then(|s| s.items.iter().find(|i| Some(i.id) == edit_item))
        {
            Some(i) if may_edit => (ItemForm::of(i), Some(i.id)),
            _ => (ItemForm::default(), None),
        },
    };
    let (row, editing_row) = match forms.row {
        Some(f) => f,
        None => match sheet
            .as_ref()
            .and_then(|s| s.rows.iter().find(|r| Some(r.id) == edit_row))
        {
            Some(r) if may_edit => (RowForm::of(r), Some(r.id)),
            _ => (
                RowForm {
                    frequency: "每年1次".into(),
                    period: format!("{year}年4月—11月"),
                    ..RowForm::default()
                },
                None,
            ),
        },
    };
    let item_choices = sheet
        .as_ref()
        .map(|s| {
            s.items
                .iter()
                .map(|i| Choice {
                    value: i.id.to_string(),
                    label: format!("{} {}", i.code, i.name),
                    selected: i.id.to_string() == row.item_id.trim(),
                })
                .collect()
        })
        .unwrap_or_default();
    let notice = match q.done.as_str() {
        "item_created" => Some("检查事项已添加。"),
        "item_updated" => Some("检查事项已修改，引用它的抽查计划同步显示修改后的内容。"),
        "item_removed" => Some("检查事项已删除。"),
        "row_created" => Some("抽查计划已添加。"),
        "row_updated" => Some("抽查计划已修改。"),
        "row_removed" => Some("抽查计划已删除。"),
        "copied" => {
            Some("已复制上一年度的事项清单和检查计划，实施时间已顺延一年，请按本年度工作职能调整。")
        }
        "templated" => Some(
            "已按业务条线模板建立事项清单，请按本处室工作职能补充检查内容、调整检查依据，再编制抽查计划。",
        ),
        _ => None,
    }
    .map(str::to_string);
    let status = error
        .as_ref()
        .map(|(_, e)| status_of(e))
        .unwrap_or(StatusCode::OK);
    let (error_form, error_field, error) = match error {
        Some((form, e)) => (form, e.field.unwrap_or("").to_string(), Some(e.message)),
        None => ("", String::new(), None),
    };
    let public_link = sheet
        .as_ref()
        .map(|s| format!("/public/plans?unit={}&year={year}", s.department.unit_id))
        .unwrap_or_default();
    let page = PlansPage {
        chrome: Chrome::new(session, "plans"),
        years: year_choices(now_year, year),
        groups,
        year,
        progress: sheet.as_ref().map(|s| ProgressView::of(s.progress.clone())),
        sheet,
        prev_year: year - 1,
        prev_items,
        prev_rows,
        item,
        editing_item,
        row,
        editing_row,
        item_choices,
        error_form,
        error_field,
        error,
        notice,
        public_link,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<PageQuery>,
) -> PageResult<Response> {
    render(&state, &session, &q, Forms::default(), None).await
}

/// Back to the sheet with a notice, or the page again with the error.
async fn after_form(
    state: &AppState,
    session: &Session,
    (department, year): (i64, i64),
    forms: Forms,
    form: &'static str,
    outcome: Result<(&str, &str), AppError>,
) -> PageResult<Response> {
    match outcome {
        Ok((done, anchor)) => Ok(Redirect::to(&format!(
            "/plans?year={year}&department={department}&done={done}#{anchor}"
        ))
        .into_response()),
        Err(e) => {
            let e = e.for_form()?;
            let q = PageQuery {
                year: year.to_string(),
                department: department.to_string(),
                ..PageQuery::default()
            };
            render(state, session, &q, forms, Some((form, e))).await
        }
    }
}

/// The sheet of a form whose hidden fields are broken: the user's own.
async fn bad_target(state: &AppState, session: &Session, e: DomainError) -> PageResult<Response> {
    render(
        state,
        session,
        &PageQuery::default(),
        Forms::default(),
        Some(("query", e)),
    )
    .await
}

pub async fn create_item(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> PageResult<Response> {
    let (d, y) = match target(&f.department, &f.year) {
        Ok(t) => t,
        Err(e) => return bad_target(&state, &session, e).await,
    };
    let outcome = match f.to_request() {
        Ok(input) => plans::create_item(&state.db, state.now(), &session.principal, d, y, &input)
            .await
            .map(|_| ("item_created", "items"))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    let forms = Forms {
        item: Some((f, None)),
        ..Forms::default()
    };
    after_form(&state, &session, (d, y), forms, "item", outcome).await
}

pub async fn update_item(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> PageResult<Response> {
    let (d, y) = match target(&f.department, &f.year) {
        Ok(t) => t,
        Err(e) => return bad_target(&state, &session, e).await,
    };
    let outcome = match f.to_request() {
        Ok(input) => plans::update_item(&state.db, state.now(), &session.principal, id, &input)
            .await
            .map(|_| ("item_updated", "items"))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    let forms = Forms {
        item: Some((f, Some(id))),
        ..Forms::default()
    };
    after_form(&state, &session, (d, y), forms, "item", outcome).await
}

/// The hidden fields of the small forms (delete, copy).
#[derive(Deserialize, Default)]
pub struct TargetForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    year: String,
}

pub async fn remove_item(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<TargetForm>,
) -> PageResult<Response> {
    let (d, y) = match target(&f.department, &f.year) {
        Ok(t) => t,
        Err(e) => return bad_target(&state, &session, e).await,
    };
    let outcome = plans::remove_item(&state.db, state.now(), &session.principal, id)
        .await
        .map(|_| ("item_removed", "items"))
        .map_err(AppError::from);
    after_form(&state, &session, (d, y), Forms::default(), "items", outcome).await
}

pub async fn create_row(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(f): CsrfForm<RowForm>,
) -> PageResult<Response> {
    let (d, y) = match target(&f.department, &f.year) {
        Ok(t) => t,
        Err(e) => return bad_target(&state, &session, e).await,
    };
    let outcome = match f.to_request() {
        Ok(input) => plans::create_row(&state.db, state.now(), &session.principal, d, y, &input)
            .await
            .map(|_| ("row_created", "rows"))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    let forms = Forms {
        row: Some((f, None)),
        ..Forms::default()
    };
    after_form(&state, &session, (d, y), forms, "row", outcome).await
}

pub async fn update_row(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RowForm>,
) -> PageResult<Response> {
    let (d, y) = match target(&f.department, &f.year) {
        Ok(t) => t,
        Err(e) => return bad_target(&state, &session, e).await,
    };
    let outcome = match f.to_request() {
        Ok(input) => plans::update_row(&state.db, state.now(), &session.principal, id, &input)
            .await
            .map(|_| ("row_updated", "rows"))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    let forms = Forms {
        row: Some((f, Some(id))),
        ..Forms::default()
    };
    after_form(&state, &session, (d, y), forms, "row", outcome).await
}

pub async fn remove_row(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<TargetForm>,
) -> PageResult<Response> {
    let (d, y) = match target(&f.department, &f.year) {
        Ok(t) => t,
        Err(e) => return bad_target(&state, &session, e).await,
    };
    let outcome = plans::remove_row(&state.db, state.now(), &session.principal, id)
        .await
        .map(|_| ("row_removed", "rows"))
        .map_err(AppError::from);
    after_form(&state, &session, (d, y), Forms::default(), "rows", outcome).await
}

/// 复制上一年度.
pub async fn copy_previous(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(f): CsrfForm<TargetForm>,
) -> PageResult<Response> {
    let (d, y) = match target(&f.department, &f.year) {
        Ok(t) => t,
        Err(e) => return bad_target(&state, &session, e).await,
    };
    let outcome = plans::copy_previous(&state.db, state.now(), &session.principal, d, y)
        .await
        .map(|_| ("copied", "items"))
        .map_err(AppError::from);
    after_form(&state, &session, (d, y), Forms::default(), "copy", outcome).await
}

/// 使用业务条线模板.
pub async fn from_template(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(f): CsrfForm<TargetForm>,
) -> PageResult<Response> {
    let (d, y) = match target(&f.department, &f.year) {
        Ok(t) => t,
        Err(e) => return bad_target(&state, &session, e).await,
    };
    let outcome = plans::from_template(&state.db, state.now(), &session.principal, d, y)
        .await
        .map(|_| ("templated", "items"))
        .map_err(AppError::from);
    after_form(&state, &session, (d, y), Forms::default(), "copy", outcome).await
}

// ───────────────────────── the public page ─────────────────────────

#[derive(Deserialize, Default)]
pub struct PublicQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
}

/// A department's section of the public page.
pub struct PublicSection {
    pub sheet: PlanSheet,
    pub progress: ProgressView,
}

#[derive(Template)]
#[template(path = "plans/public.html")]
struct PublicPage {
    units: Vec<Choice>,
    years: Vec<Choice>,
    year: i64,
    unit_name: Option<String>,
    unit_id: i64,
    sections: Vec<PublicSection>,
    /// Departments with neither list nor plan this year.
    without: Vec<String>,
    error: Option<String>,
}

/// Units of the ecology-environment system, each city followed by its
/// counties (indented), the province first.
pub(crate) async fn unit_choices(state: &AppState, current: i64) -> PageResult<Vec<Choice>> {
    let all: Vec<units::Unit> = units::list(&mut &state.db)
        .await?
        .into_iter()
        .filter(|u| u.sector == Sector::Ecology)
        .collect();
    let mut ordered: Vec<(&units::Unit, &str)> = Vec::new();
    for p in all.iter().filter(|u| u.level == UnitLevel::Province) {
        ordered.push((p, ""));
    }
    for c in all.iter().filter(|u| u.level == UnitLevel::City) {
        ordered.push((c, ""));
        for k in all
            .iter()
            .filter(|u| u.level == UnitLevel::County && u.parent_id == Some(c.id))
        {
            ordered.push((k, "　"));
        }
    }
    let orphans: Vec<&units::Unit> = all
        .iter()
        .filter(|u| u.level == UnitLevel::County && !ordered.iter().any(|(o, _)| o.id == u.id))
        .collect();
    ordered.extend(orphans.into_iter().map(|k| (k, "")));
    Ok(ordered
        .into_iter()
        .map(|(u, indent)| Choice {
            value: u.id.to_string(),
            label: format!("{indent}{}", u.name),
            selected: u.id == current,
        })
        .collect())
}

/// The unit a visitor without a choice most likely looks for: the first
/// county bureau (in the list's order, cities with their counties) that has
/// published a list or plan for the year — county bureaus do most of the
/// checks — else the first unit that has; none when nobody has.
async fn likely_unit(state: &AppState, year: i64) -> PageResult<Option<i64>> {
    let with_plans = plans::units_with_plans(&state.db, year).await?;
    if with_plans.is_empty() {
        return Ok(None);
    }
    let choices = unit_choices(state, 0).await?;
    let ordered: Vec<i64> = choices
        .iter()
        .filter_map(|c| c.value.parse::<i64>().ok())
        .filter(|id| with_plans.contains(id))
        .collect();
    let all = units::list(&mut &state.db).await?;
    let is_county = |id: &i64| {
        all.iter()
            .any(|u| u.id == *id && u.level == UnitLevel::County)
    };
    Ok(ordered
        .iter()
        .find(|id| is_county(id))
        .or(ordered.first())
        .copied())
}

/// 公示: a unit's item lists and plans of a year, per department, with
/// progress. No login. Without a unit in the query it opens on the likely
/// one ([`likely_unit`]), so the page is never empty when anything is public.
pub async fn public(
    State(state): State<AppState>,
    Query(q): Query<PublicQuery>,
) -> PageResult<Response> {
    let now_year = i64::from(state.this_year());
    let mut error = None;
    let year = match q.year.trim() {
        "" => now_year,
        y => rules::parse_year(y).unwrap_or_else(|e| {
            error = Some(e.message);
            now_year
        }),
    };
    let unit = match q.unit.trim() {
        "" => likely_unit(&state, year).await?,
        u => u.parse::<i64>().ok(),
    };
    let mut status = StatusCode::OK;
    let (unit_name, sections, without) = match unit {
        None => {
            if !q.unit.trim().is_empty() {
                error = Some("单位编号有误".into());
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            (None, Vec::new(), Vec::new())
        }
        Some(u) => {
            let p = plans::public(&state.db, u, year).await?;
            let mut sections = Vec::new();
            let mut without = Vec::new();
            for s in p.departments {
                if s.items.is_empty() && s.rows.is_empty() {
                    without.push(s.department.name.clone());
                } else {
                    sections.push(PublicSection {
                        progress: ProgressView::of(s.progress.clone()),
                        sheet: s,
                    });
                }
            }
            (Some(p.unit_name), sections, without)
        }
    };
    let page = PublicPage {
        units: unit_choices(&state, unit.unwrap_or(0)).await?,
        unit_id: unit.unwrap_or(0),
        years: year_choices(now_year, year),
        year,
        unit_name,
        sections,
        without,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}
