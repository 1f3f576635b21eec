//! 单位与处室: the unit tree with departments and their secretary accounts;
//! the system administrator creates units and partner agencies here, and a
//! unit's page (`/org/units/{id}`) renames and disables it and creates,
//! renames and disables its departments (issue 26 item 1).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::org::{Administration, BusinessLine, DepartmentKind, Role, Sector, UnitLevel};
use yici_domain::{time, DomainError, ErrorKind};
use yici_store::org::admin;
use yici_store::org::departments::{self, Department};
use yici_store::org::secretary_accounts;
use yici_store::org::units::{self, Unit};
use yici_store::Actor;

use super::layout::Chrome;
use crate::error::{AppError, PageResult};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// One unit of the tree, flattened with its depth for rendering.
pub struct UnitNode {
    pub unit: Unit,
    /// Whether the reader may switch the 办公室 invitation of this unit.
    pub may_set: bool,
    /// Whether the reader administers it (its page is a link).
    pub administers: bool,
    pub depth: usize,
    pub region: String,
    pub departments: Vec<Department>,
}

/// The create forms' values as typed and the error to show beside them.
#[derive(Default, Deserialize, Clone)]
pub struct UnitForm {
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    region_code: String,
    /// `unit` (生态环境系统单位) or `partner` (协作部门): which form was sent.
    #[serde(default)]
    form: String,
}

#[derive(Template)]
#[template(path = "org/tree.html")]
struct TreePage {
    chrome: Chrome,
    nodes: Vec<UnitNode>,
    show_logins: bool,
    partners: Vec<UnitNode>,
    /// The create forms (system administrator).
    may_create: bool,
    v: UnitForm,
    error: Option<String>,
    error_field: String,
    levels: &'static [UnitLevel],
    sectors: Vec<Sector>,
}

impl TreePage {
    fn err_for(&self, form: &str, field: &str) -> Option<&str> {
        (self.v.form == form && self.error_field == field)
            .then_some(())
            .and(self.error.as_deref())
    }
    fn form_error(&self, form: &str) -> Option<&str> {
        (self.v.form == form && !self.error_field_shown())
            .then_some(())
            .and(self.error.as_deref())
    }
    fn error_field_shown(&self) -> bool {
        [
            "parent_id",
            "name",
            "short_name",
            "level",
            "sector",
            "region_code",
        ]
        .contains(&self.error_field.as_str())
    }
}

/// Depth-first order: each unit followed by its subordinates.
fn flatten(
    all: &[Unit],
    parent: Option<i64>,
    depth: usize,
    deps: &mut HashMap<i64, Vec<Department>>,
    out: &mut Vec<UnitNode>,
) {
    for u in all.iter().filter(|u| u.parent_id == parent) {
        out.push(UnitNode {
            may_set: false,
            administers: false,
            unit: u.clone(),
            depth,
            region: units::region_path(&u.region_code),
            departments: deps.remove(&u.id).unwrap_or_default(),
        });
        flatten(all, Some(u.id), depth + 1, deps, out);
    }
}

pub async fn tree(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Html<String>> {
    render_tree(&state, &session, UnitForm::default(), None).await
}

async fn render_tree(
    state: &AppState,
    session: &yici_store::auth::Session,
    v: UnitForm,
    error: Option<DomainError>,
) -> PageResult<Html<String>> {
    let mut db = state.db.clone();
    let administration = admin::administration(&mut db, &session.principal).await?;
    let all = units::list(&mut db).await?;
    let mut deps: HashMap<i64, Vec<Department>> = HashMap::new();
    for d in departments::list_all(&mut db).await? {
        deps.entry(d.unit_id).or_default().push(d);
    }
    let (ecology, partner): (Vec<Unit>, Vec<Unit>) =
        all.into_iter().partition(|u| u.sector == Sector::Ecology);
    let mut nodes = Vec::new();
    flatten(&ecology, None, 0, &mut deps, &mut nodes);
    let mut partners = Vec::new();
    for u in partner {
        partners.push(UnitNode {
            may_set: false,
            administers: administration.covers(u.id),
            region: units::region_path(&u.region_code),
            departments: deps.remove(&u.id).unwrap_or_default(),
            depth: 0,
            unit: u,
        });
    }
    for n in &mut nodes {
        n.may_set = units::may_set_invitations(&session.principal, n.unit.id)
            && n.unit.disabled_at.is_none();
        n.administers = administration.covers(n.unit.id);
    }
    let page = TreePage {
        chrome: Chrome::new(session, "org"),
        nodes,
        partners,
        show_logins: session.principal.has(Role::SystemAdmin),
        may_create: administration == Administration::All,
        error_field: error
            .as_ref()
            .and_then(|e| e.field)
            .unwrap_or("")
            .to_string(),
        error: error.map(|e| e.message),
        v,
        levels: UnitLevel::ALL,
        sectors: Sector::ALL
            .iter()
            .copied()
            .filter(|s| *s != Sector::Ecology)
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// A refusal shown on the form (bad input, a conflict) rather than as an
/// error page (forbidden, not found).
fn in_place(e: impl Into<AppError>) -> Result<DomainError, AppError> {
    let err = e.into();
    match err.domain() {
        Some(d) if !matches!(d.kind, ErrorKind::Forbidden | ErrorKind::NotFound) => Ok(d.clone()),
        _ => Err(err),
    }
}

fn parse_form(f: &UnitForm) -> Result<units::NewUnit, DomainError> {
    let partner = f.form == "partner";
    let (parent_id, level, sector) = if partner {
        let sector = Sector::parse(&f.sector)
            .filter(|s| *s != Sector::Ecology)
            .ok_or_else(|| DomainError::field("sector", "required", "请选择所属系统"))?;
        (None, UnitLevel::County, sector)
    } else {
        let parent_id = match f.parent_id.trim() {
            "" => None,
            p => Some(
                p.parse::<i64>()
                    .map_err(|_| DomainError::field("parent_id", "invalid", "请选择上级单位"))?,
            ),
        };
        let level = UnitLevel::parse(&f.level)
            .ok_or_else(|| DomainError::field("level", "required", "请选择层级"))?;
        (parent_id, level, Sector::Ecology)
    };
    let region_code = f.region_code.trim().to_string();
    if region_code.is_empty() {
        return Err(DomainError::required("region_code", "行政区划代码"));
    }
    Ok(units::NewUnit {
        parent_id,
        name: f.name.trim().to_string(),
        short_name: Some(f.short_name.trim())
            .filter(|s| !s.is_empty())
            .unwrap_or(f.name.trim())
            .to_string(),
        level,
        sector,
        region_code,
    })
}

/// 新增单位 / 新增协作部门 (system administrator).
pub async fn create_unit(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(f): CsrfForm<UnitForm>,
) -> PageResult<Response> {
    session.principal.ensure(Role::SystemAdmin)?;
    let result = async {
        let new = parse_form(&f)?;
        let mut tx = state.db.begin().await?;
        let unit =
            units::create(&mut tx, state.now(), &Actor::from(&session.principal), new).await?;
        tx.commit().await?;
        Ok::<_, AppError>(unit)
    }
    .await;
    match result {
        Ok(unit) => {
            Ok(Redirect::to(&format!("/org/units/{}?done=created", unit.id)).into_response())
        }
        Err(e) => {
            let e = in_place(e)?;
            let page = render_tree(&state, &session, f, Some(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A department row of the unit page.
pub struct DepartmentRow {
    pub d: Department,
    pub disabled_at: String,
    /// Its 文秘账号 is locked until then (empty: not locked).
    pub secretary_locked_until: String,
    /// Its 文秘账号 still has an initial password.
    pub secretary_initial: bool,
}

#[derive(Template)]
#[template(path = "org/unit.html")]
struct UnitPage {
    chrome: Chrome,
    unit: Unit,
    parent_name: String,
    region: String,
    disabled_at: String,
    /// Rename and disable the unit itself (system administrator).
    may_edit_unit: bool,
    departments: Vec<DepartmentRow>,
    kinds: &'static [DepartmentKind],
    lines: &'static [BusinessLine],
    notice: Option<String>,
    error: Option<String>,
    /// Which form the error belongs to: `unit`, `new-department` or a department id.
    error_form: String,
    /// The new department's values as typed.
    new_name: String,
    new_kind: String,
    new_line: String,
    show_logins: bool,
    /// A secretary account's one-time password, on the reset's response only:
    /// (department, login, password).
    one_time: Option<(String, String, String)>,
}

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    #[serde(default)]
    done: String,
}

fn done_notice(done: &str) -> Option<String> {
    match done {
        "created" => Some("已新增单位。可在下方新增处室（每个处室自动开通文秘账号）。".into()),
        "saved" => Some("已保存单位。".into()),
        "department-created" => Some("已新增处室并开通文秘账号，初始密码同新人员。".into()),
        "department-saved" => Some("已保存处室。".into()),
        "secretary-unlocked" => Some("已解除文秘账号的锁定，可以重新登录。".into()),
        _ => None,
    }
}

pub async fn unit_page(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<UnitQuery>,
) -> PageResult<Response> {
    let extras = UnitExtras {
        notice: done_notice(&q.done),
        ..UnitExtras::default()
    };
    render_unit(&state, &session, id, extras, StatusCode::OK).await
}

#[derive(Default)]
struct UnitExtras {
    notice: Option<String>,
    error: Option<String>,
    error_form: String,
    new_name: String,
    new_kind: String,
    new_line: String,
    one_time: Option<(String, String, String)>,
}

async fn render_unit(
    state: &AppState,
    session: &yici_store::auth::Session,
    id: i64,
    x: UnitExtras,
    status: StatusCode,
) -> PageResult<Response> {
    let mut db = state.db.clone();
    let administration = admin::administration(&mut db, &session.principal).await?;
    // Only those who administer a unit open its page (others see the tree).
    let unit = units::get(&mut db, id)
        .await?
        .filter(|u| administration.covers(u.id))
        .ok_or_else(|| DomainError::not_found("单位不存在或无权查看"))?;
    let parent_name = match unit.parent_id {
        Some(p) => units::get(&mut db, p)
            .await?
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let secretaries: HashMap<i64, secretary_accounts::SecretaryAccount> =
        secretary_accounts::of_unit(&mut db, state.now(), id)
            .await?
            .into_iter()
            .map(|a| (a.department_id, a))
            .collect();
    let mut departments = Vec::new();
    for d in departments::list_by_unit(&mut db, id).await? {
        let secretary = secretaries.get(&d.id);
        departments.push(DepartmentRow {
            disabled_at: d.disabled_at.map(time::display).unwrap_or_default(),
            secretary_locked_until: secretary
                .as_ref()
                .and_then(|a| a.locked_until)
                .map(time::display)
                .unwrap_or_default(),
            secretary_initial: secretary.is_some_and(|a| a.must_change_password),
            d,
        });
    }
    let page = UnitPage {
        chrome: Chrome::new(session, "org"),
        region: units::region_path(&unit.region_code),
        disabled_at: unit.disabled_at.map(time::display).unwrap_or_default(),
        parent_name,
        may_edit_unit: administration == Administration::All,
        unit,
        departments,
        kinds: DepartmentKind::ALL,
        lines: BusinessLine::ALL,
        notice: x.notice,
        error: x.error,
        error_form: x.error_form,
        new_name: x.new_name,
        new_kind: x.new_kind,
        new_line: x.new_line,
        show_logins: true,
        one_time: x.one_time,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct UnitEditForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    /// Present (`on`) when 停用 is ticked.
    #[serde(default)]
    disabled: Option<String>,
}

/// 保存 on the unit page: rename, disable or enable (system administrator).
pub async fn update_unit(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<UnitEditForm>,
) -> PageResult<Response> {
    let result = async {
        let mut tx = state.db.begin().await?;
        units::update(
            &mut tx,
            state.now(),
            &session.principal,
            id,
            units::UnitChange {
                name: f.name.clone(),
                short_name: f.short_name.clone(),
                disabled: f.disabled.is_some(),
            },
        )
        .await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/org/units/{id}?done=saved")).into_response()),
        Err(e) => {
            let e = in_place(e)?;
            let x = UnitExtras {
                error: Some(e.message),
                error_form: "unit".into(),
                ..UnitExtras::default()
            };
            render_unit(&state, &session, id, x, StatusCode::CONFLICT).await
        }
    }
}

#[derive(Deserialize)]
pub struct NewDepartmentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    business_line: String,
}

/// 新增处室 on the unit page (the system administrator, the unit's administrators).
pub async fn create_department(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<NewDepartmentForm>,
) -> PageResult<Response> {
    let result = async {
        let kind = DepartmentKind::parse(&f.kind)
            .ok_or_else(|| DomainError::field("kind", "required", "请选择处室类型"))?;
        let line = BusinessLine::parse(&f.business_line)
            .ok_or_else(|| DomainError::field("business_line", "required", "请选择业务条线"))?;
        let hash = state.initial_password_hash().await?;
        let mut tx = state.db.begin().await?;
        admin::ensure_administers(
            &mut tx,
            &session.principal,
            unit_id,
            yici_store::org::admin::NOT_ADMINISTRATOR,
        )
        .await?;
        departments::create(
            &mut tx,
            state.now(),
            &Actor::from(&session.principal),
            departments::NewDepartment {
                unit_id,
                name: f.name.clone(),
                kind,
                business_line: line,
            },
            &hash,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/org/units/{unit_id}?done=department-created#departments"
        ))
        .into_response()),
        Err(e) => {
            let e = in_place(e)?;
            let x = UnitExtras {
                error: Some(e.message),
                error_form: "new-department".into(),
                new_name: f.name,
                new_kind: f.kind,
                new_line: f.business_line,
                ..UnitExtras::default()
            };
            render_unit(
                &state,
                &session,
                unit_id,
                x,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct DepartmentEditForm {
    #[serde(default)]
    name: String,
    /// Present (`on`) when 停用 is ticked.
    #[serde(default)]
    disabled: Option<String>,
}

/// 保存 of a department row: rename, disable or enable.
pub async fn update_department(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<DepartmentEditForm>,
) -> PageResult<Response> {
    let before = departments::get(&mut &state.db, id)
        .await?
        .ok_or_else(|| DomainError::not_found(yici_domain::org::MISSING_DEPARTMENT))?;
    let result = async {
        let mut tx = state.db.begin().await?;
        departments::update(
            &mut tx,
            state.now(),
            &session.principal,
            id,
            departments::DepartmentChange {
                name: f.name.clone(),
                disabled: f.disabled.is_some(),
            },
        )
        .await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/org/units/{}?done=department-saved#department-{id}",
            before.unit_id
        ))
        .into_response()),
        Err(e) => {
            let e = in_place(e)?;
            let x = UnitExtras {
                error: Some(e.message),
                error_form: id.to_string(),
                ..UnitExtras::default()
            };
            render_unit(&state, &session, before.unit_id, x, StatusCode::CONFLICT).await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct InvitationsForm {
    /// Present (`on`) when the box is ticked.
    #[serde(default)]
    invite_general: Option<String>,
}

/// 联合检查邀请办公室: the unit's choice, from the tree.
pub async fn set_invitations(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<InvitationsForm>,
) -> PageResult<Redirect> {
    let mut tx = state.db.begin().await?;
    units::set_joint_invites_general(
        &mut tx,
        state.now(),
        &session.principal,
        id,
        f.invite_general.is_some(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/org#unit-{id}")))
}

/// 解除锁定 of a department's 文秘账号 (the unit's administrators).
pub async fn unlock_secretary(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<super::forms::Empty>,
) -> PageResult<Response> {
    let unit = secretary_department(&state, id).await?.unit_id;
    let result = async {
        let mut tx = state.db.begin().await?;
        secretary_accounts::unlock(&mut tx, state.now(), &session.principal, id).await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/org/units/{unit}?done=secretary-unlocked#department-{id}"
        ))
        .into_response()),
        Err(e) => {
            let extras = UnitExtras {
                error: Some(in_place(e)?.message),
                error_form: id.to_string(),
                ..UnitExtras::default()
            };
            render_unit(&state, &session, unit, extras, StatusCode::CONFLICT).await
        }
    }
}

/// 重置密码 of a department's 文秘账号: the one-time password is shown on
/// this response only (never in a URL).
pub async fn reset_secretary(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<super::forms::Empty>,
) -> PageResult<Response> {
    let department = secretary_department(&state, id).await?;
    let reset =
        secretary_accounts::reset_to_one_time(&state.db, state.now(), &session.principal, id)
            .await?;
    let extras = UnitExtras {
        one_time: Some((department.name, reset.account.login, reset.initial_password)),
        ..UnitExtras::default()
    };
    render_unit(&state, &session, department.unit_id, extras, StatusCode::OK).await
}

/// The department whose secretary account is acted on, to render its
/// unit's page afterwards (the operation itself checks who may).
async fn secretary_department(state: &AppState, department: i64) -> PageResult<Department> {
    Ok(departments::get(&mut &state.db, department)
        .await?
        .ok_or_else(|| DomainError::not_found(yici_domain::org::MISSING_DEPARTMENT))?)
}
