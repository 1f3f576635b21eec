//! 检查事项与计划 as a workbook (DOC-1, issue 26 item 9): the item lists and
//! the plans of a department (logged in) or of a unit (the public page), one
//! sheet each for 事项清单 and 抽查计划, through the generic `tables_xlsx`
//! the task list and the registry use.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use yici_domain::plans as rules;
use yici_domain::DomainError;
use yici_interchange::Table;
use yici_store::plans::{self, PlanSheet};

use crate::error::{AppError, PageResult};
use crate::session::WebUser;
use crate::state::AppState;

const ITEM_COLUMNS: &[(&str, f64)] = &[
    ("处室", 14.0),
    ("序号", 6.0),
    ("编码", 12.0),
    ("检查事项", 26.0),
    ("检查内容", 40.0),
    ("检查对象", 26.0),
    ("检查依据", 48.0),
];

const ROW_COLUMNS: &[(&str, f64)] = &[
    ("发起部门", 14.0),
    ("序号", 6.0),
    ("抽查事项", 26.0),
    ("检查内容", 40.0),
    ("检查对象", 26.0),
    ("抽查比例", 12.0),
    ("抽查频次", 12.0),
    ("抽取对象数量", 12.0),
    ("实施时间", 18.0),
];

/// The workbook of `sheets` (departments in order): 事项清单, then 抽查计划.
pub fn workbook(sheets: &[&PlanSheet]) -> Result<Vec<u8>, AppError> {
    let items = sheets
        .iter()
        .flat_map(|s| {
            s.items.iter().map(|i| {
                vec![
                    s.department.name.clone(),
                    i.position.to_string(),
                    i.code.clone(),
                    i.name.clone(),
                    i.content.clone(),
                    i.objects.clone(),
                    i.basis.clone(),
                ]
            })
        })
        .collect();
    let rows = sheets
        .iter()
        .flat_map(|s| {
            s.rows.iter().map(|r| {
                vec![
                    s.department.name.clone(),
                    r.position.to_string(),
                    r.item_name.clone(),
                    r.content.clone(),
                    r.objects.clone(),
                    r.ratio.clone(),
                    r.frequency.clone(),
                    r.count.to_string(),
                    r.period.clone(),
                ]
            })
        })
        .collect();
    yici_interchange::tables_xlsx(vec![
        Table {
            sheet_name: "行政检查事项清单",
            columns: ITEM_COLUMNS,
            rows: items,
        },
        Table {
            sheet_name: "抽查计划",
            columns: ROW_COLUMNS,
            rows,
        },
    ])
    // Writing to memory fails only on a bug: an internal error, not the user's.
    .map_err(|e| AppError::Internal(format!("plan export: {e}")))
}

fn download(bytes: Vec<u8>, owner: &str, year: i64) -> Response {
    crate::registry_files::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{owner}{year}年度行政检查事项清单和检查计划.xlsx"),
    )
}

fn year_of(text: &str, now: i64) -> Result<i64, DomainError> {
    match text.trim() {
        "" => Ok(now),
        y => rules::parse_year(y),
    }
}

#[derive(Deserialize, Default)]
pub struct DepartmentQuery {
    #[serde(default)]
    department: String,
    #[serde(default)]
    year: String,
}

/// `/plans/export`: a department's list and plan of a year, for a reader of
/// its unit (the page's own check).
pub async fn export(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<DepartmentQuery>,
) -> PageResult<Response> {
    let p = &session.principal;
    let year = year_of(&q.year, i64::from(state.this_year())).map_err(AppError::from)?;
    let department = match q.department.trim() {
        "" => p.department_id,
        d => Some(
            d.parse::<i64>()
                .map_err(|_| AppError::from(DomainError::not_found("处室不存在")))?,
        ),
    }
    .ok_or_else(|| AppError::from(DomainError::required("department", "处室")))?;
    let sheet = plans::sheet(&state.db, p, department, year).await?;
    let owner = format!("{}{}", sheet.department.unit_name, sheet.department.name);
    Ok(download(workbook(&[&sheet])?, &owner, year))
}

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
}

/// `/public/plans/export`: a unit's lists and plans of a year, as the public
/// page shows them (公示, no login).
pub async fn public_export(
    State(state): State<AppState>,
    Query(q): Query<UnitQuery>,
) -> PageResult<Response> {
    let year = year_of(&q.year, i64::from(state.this_year())).map_err(AppError::from)?;
    let unit = q
        .unit
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::from(DomainError::not_found("单位不存在")))?;
    let p = plans::public(&state.db, unit, year).await?;
    let sheets: Vec<&PlanSheet> = p.departments.iter().collect();
    Ok(download(workbook(&sheets)?, &p.unit_name, year))
}
