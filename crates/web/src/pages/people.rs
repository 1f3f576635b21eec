//! 人员管理 (manual 3.1.1–3.1.4): list, add, edit and view a department's people.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::org::mobile::mask;
use yici_domain::org::{
    Administration, PersonInput, PersonStatus, Principal, Role, MISSING_DEPARTMENT, MISSING_PERSON,
};
use yici_domain::{time, DomainError, ErrorKind};
use yici_store::org::departments::{self, Department};
use yici_store::org::people::{self, PeopleFilter, Person};
use yici_store::org::{accounts, admin, roles};

use super::layout::Chrome;
use crate::error::{AppError, PageResult};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// A person as a row or detail on a page: labels resolved, the mobile number
/// masked for anyone who does not manage the person.
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub gender: &'static str,
    pub is_officer: bool,
    pub certificate_no: String,
    /// 执法证有效期至, or empty.
    pub certificate_valid_until: String,
    pub mobile: String,
    pub office_phone: String,
    pub enabled: bool,
    pub status: &'static str,
    pub is_admin: bool,
    pub unit_name: String,
    pub department_name: String,
}

impl PersonView {
    fn new(p: &Person, can_manage: bool) -> PersonView {
        PersonView {
            id: p.id,
            name: p.name.clone(),
            gender: p.gender.label(),
            is_officer: p.is_officer,
            certificate_no: p.certificate_no.clone().unwrap_or_default(),
            certificate_valid_until: p
                .certificate_valid_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
            mobile: if can_manage {
                p.mobile.clone()
            } else {
                mask(&p.mobile)
            },
            office_phone: p.office_phone.clone().unwrap_or_default(),
            enabled: p.status == PersonStatus::Enabled,
            status: p.status.label(),
            is_admin: p.is_admin,
            unit_name: p.unit_name.clone(),
            department_name: p.department_name.clone(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    department_id: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    saved: Option<i64>,
    demoted: Option<i64>,
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    chrome: Chrome,
    department: Option<Department>,
    /// Department chooser for the system administrator.
    choices: Vec<Department>,
    people: Vec<PersonView>,
    can_manage: bool,
    /// The department's 操作记录 link (its administrators and managers).
    may_audit: bool,
    name: String,
    status: String,
    notice: Option<String>,
}

/// The department a page is about: the one asked for (system administrator),
/// else the user's own.
/// Whether the user may see it is checked by the caller.
fn department_in_question(principal: &Principal, asked: Option<i64>) -> Option<i64> {
    asked.or(principal.department_id)
}

async fn load_department(state: &AppState, id: i64) -> Result<Department, AppError> {
    departments::get(&mut &state.db, id)
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_DEPARTMENT).into())
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let principal = &session.principal;
    let mut db = state.db.clone();
    let administration = admin::administration(&mut db, principal).await?;
    let choices = match administration {
        Administration::All => departments::list_all(&mut db).await?,
        Administration::Unit(u) => departments::list_by_unit(&mut db, u).await?,
        Administration::Nothing => Vec::new(),
    };
    let mut page = ListPage {
        chrome: Chrome::new(&session, "people"),
        department: None,
        choices,
        people: Vec::new(),
        can_manage: false,
        may_audit: false,
        name: q.name.clone(),
        status: q.status.clone(),
        notice: None,
    };
    if let Some(dept_id) = department_in_question(principal, q.department_id) {
        let department = load_department(&state, dept_id).await?;
        if !administration.covers(department.unit_id) {
            principal.ensure_view_people_of(dept_id, MISSING_DEPARTMENT)?;
        }
        page.may_audit =
            administration.covers(department.unit_id) || principal.can_manage_people_of(dept_id);
        let filter = PeopleFilter {
            name: Some(q.name.clone()),
            status: PersonStatus::parse(&q.status),
        };
        page.can_manage = principal.can_manage_people_of(dept_id);
        page.people = people::list(&mut db, dept_id, &filter)
            .await?
            .iter()
            .map(|p| PersonView::new(p, page.can_manage))
            .collect();
        page.notice = notice(&state, q.saved, q.demoted).await?;
        page.department = Some(department);
    }
    Ok(Html(page.render()?))
}

/// "已保存 X" and, when an administrator was replaced, who lost the role.
async fn notice(
    state: &AppState,
    saved: Option<i64>,
    demoted: Option<i64>,
) -> Result<Option<String>, AppError> {
    let mut db = state.db.clone();
    let Some(saved) = saved else { return Ok(None) };
    let Some(person) = people::get(&mut db, saved).await? else {
        return Ok(None);
    };
    let mut text = format!("已保存人员“{}”。", person.name);
    if let Some(d) = demoted {
        if let Some(former) = people::get(&mut db, d).await? {
            text.push_str(&format!(
                "“{}”已设为本处室管理员，原管理员“{}”的管理员权限已自动取消。",
                person.name, former.name
            ));
        }
    }
    Ok(Some(text))
}

/// Form values as typed, to show them again after an error.
#[derive(Deserialize, Default, Clone)]
pub struct PersonForm {
    #[serde(default)]
    pub department_id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub is_officer: String,
    #[serde(default)]
    pub certificate_no: String,
    /// `YYYY-MM-DD` or empty.
    #[serde(default)]
    pub certificate_valid_until: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub office_phone: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub is_admin: String,
    /// Set by the second step after the page warned that the current
    /// administrator will be demoted (ORG-6).
    #[serde(default)]
    pub confirm_admin: String,
}

fn yes_no(v: &str) -> Option<bool> {
    match v {
        "true" | "是" | "1" => Some(true),
        "false" | "否" | "0" => Some(false),
        _ => None,
    }
}

impl PersonForm {
    /// The API's request.
    fn to_request(&self) -> yici_domain::DomainResult<PersonInput> {
        let certificate_valid_until = super::forms::date(
            &self.certificate_valid_until,
            "certificate_valid_until",
            "执法证有效期格式有误，应为年-月-日",
        )?;
        Ok(PersonInput {
            name: Some(self.name.clone()),
            gender: Some(self.gender.clone()),
            is_officer: yes_no(&self.is_officer),
            certificate_no: Some(self.certificate_no.clone()),
            certificate_valid_until,
            mobile: Some(self.mobile.clone()),
            office_phone: Some(self.office_phone.clone()),
            status: Some(self.status.clone()),
            is_admin: yes_no(&self.is_admin),
        })
    }

    fn of(p: &Person) -> PersonForm {
        PersonForm {
            department_id: Some(p.department_id),
            name: p.name.clone(),
            gender: p.gender.as_str().into(),
            is_officer: p.is_officer.to_string(),
            certificate_no: p.certificate_no.clone().unwrap_or_default(),
            certificate_valid_until: p
                .certificate_valid_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
            mobile: p.mobile.clone(),
            office_phone: p.office_phone.clone().unwrap_or_default(),
            status: p.status.as_str().into(),
            is_admin: p.is_admin.to_string(),
            confirm_admin: String::new(),
        }
    }

    fn blank(department_id: i64) -> PersonForm {
        PersonForm {
            department_id: Some(department_id),
            gender: "male".into(),
            is_officer: "true".into(),
            status: "enabled".into(),
            is_admin: "false".into(),
            ..PersonForm::default()
        }
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` when adding.
    person_id: Option<i64>,
    department: Department,
    v: PersonForm,
    error_field: String,
    error: Option<String>,
    /// Name of the administrator who would be demoted, when the page asks to confirm.
    confirm_demote: Option<String>,
    /// Told to the secretary, as the manual's dialog does.
    initial_password: String,
}

impl FormPage {
    fn new(
        state: &AppState,
        session: &yici_store::auth::Session,
        person_id: Option<i64>,
        department: Department,
        v: PersonForm,
    ) -> FormPage {
        FormPage {
            chrome: Chrome::new(session, "people"),
            person_id,
            department,
            v,
            error_field: String::new(),
            error: None,
            confirm_demote: None,
            initial_password: state.config.initial_password.clone(),
        }
    }

    fn err_for(&self, field: &str) -> Option<&str> {
        (self.error_field == field)
            .then_some(())
            .and(self.error.as_deref())
    }

    fn with_error(mut self, err: &DomainError) -> FormPage {
        self.error_field = err.field.unwrap_or("").to_string();
        self.error = Some(err.message.clone());
        self
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    department_id: Option<i64>,
}

pub async fn new_form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<NewQuery>,
) -> PageResult<Html<String>> {
    let dept_id = department_in_question(&session.principal, q.department_id)
        .ok_or_else(|| DomainError::invalid("invalid", "请先选择处室"))?;
    session
        .principal
        .ensure_manage_people_of(dept_id, MISSING_DEPARTMENT)?;
    let department = load_department(&state, dept_id).await?;
    let page = FormPage::new(
        &state,
        &session,
        None,
        department,
        PersonForm::blank(dept_id),
    );
    Ok(Html(page.render()?))
}

/// Shared by add and edit: validate, warn before replacing the administrator,
/// save in one transaction, go back to the list with a notice.
async fn save(
    state: &AppState,
    session: &yici_store::auth::Session,
    mut page: FormPage,
) -> PageResult<Response> {
    let principal = &session.principal;
    let editing = page.person_id;
    let valid = match page
        .v
        .to_request()
        .and_then(|i| i.validate(editing.is_none()))
    {
        Ok(v) => v,
        Err(e) => return render_form(page.with_error(&e)),
    };
    if valid.is_admin && page.v.confirm_admin != "1" {
        let current = people::current_admin(&mut &state.db, page.department.id).await?;
        if let Some(current) = current.filter(|c| Some(c.id) != editing) {
            page.confirm_demote = Some(current.name);
            return render_form(page);
        }
    }
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let saved = match editing {
            None => {
                let hash = state.initial_password_hash().await?;
                people::create(&mut tx, now, principal, page.department.id, valid, &hash).await?
            }
            Some(id) => people::update(&mut tx, now, principal, id, valid).await?,
        };
        tx.commit().await?;
        Ok::<_, yici_store::StoreError>(saved)
    }
    .await;
    match result {
        Ok(saved) => {
            let mut to = format!(
                "/people?department_id={}&saved={}",
                saved.person.department_id, saved.person.id
            );
            if let Some(d) = saved.demoted {
                to.push_str(&format!("&demoted={}", d.id));
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let err = AppError::from(e);
            match err.domain() {
                Some(d) if !matches!(d.kind, ErrorKind::Forbidden | ErrorKind::NotFound) => {
                    let d = d.clone();
                    render_form(page.with_error(&d))
                }
                _ => Err(err.into()),
            }
        }
    }
}

fn render_form(page: FormPage) -> PageResult<Response> {
    let status = match &page.error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> PageResult<Response> {
    let dept_id = department_in_question(&session.principal, form.department_id)
        .ok_or_else(|| DomainError::invalid("invalid", "请先选择处室"))?;
    session
        .principal
        .ensure_manage_people_of(dept_id, MISSING_DEPARTMENT)?;
    let department = load_department(&state, dept_id).await?;
    let page = FormPage::new(&state, &session, None, department, form);
    save(&state, &session, page).await
}

async fn load_person(state: &AppState, id: i64) -> Result<Person, AppError> {
    people::get(&mut &state.db, id)
        .await?
        .ok_or_else(|| DomainError::not_found(MISSING_PERSON).into())
}

pub async fn edit_form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let person = load_person(&state, id).await?;
    session
        .principal
        .ensure_manage_people_of(person.department_id, MISSING_PERSON)?;
    let department = load_department(&state, person.department_id).await?;
    let page = FormPage::new(
        &state,
        &session,
        Some(id),
        department,
        PersonForm::of(&person),
    );
    Ok(Html(page.render()?))
}

pub async fn update(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(mut form): CsrfForm<PersonForm>,
) -> PageResult<Response> {
    let person = load_person(&state, id).await?;
    session
        .principal
        .ensure_manage_people_of(person.department_id, MISSING_PERSON)?;
    let department = load_department(&state, person.department_id).await?;
    // The mobile number is the login and can't change, whatever was posted.
    form.mobile = person.mobile.clone();
    let page = FormPage::new(&state, &session, Some(id), department, form);
    save(&state, &session, page).await
}

/// A role on the person page: granted or not, and whether the reader may change it.
pub struct RoleRow {
    pub code: &'static str,
    pub label: &'static str,
    pub held: bool,
}

/// The account panel, for those who administer the person's account.
pub struct AccountView {
    pub login: String,
    /// 锁定至 2026-12-07 10:30, or empty when not locked.
    pub locked_until: String,
    pub must_change_password: bool,
}

#[derive(Template)]
#[template(path = "people/view.html")]
struct ViewPage {
    chrome: Chrome,
    p: PersonView,
    can_manage: bool,
    department_id: i64,
    /// Roles the person holds, in words (granted and derived).
    roles: Vec<&'static str>,
    /// The roles the reader may grant or revoke here.
    grantable: Vec<RoleRow>,
    account: Option<AccountView>,
    /// The 操作记录 link.
    may_audit: bool,
    notice: Option<String>,
    error: Option<String>,
    /// A one-time password just set, shown this once.
    one_time_password: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    /// What was just done: `granted`, `revoked` (with `role`) or `unlocked`.
    #[serde(default)]
    done: String,
    #[serde(default)]
    role: String,
}

impl ViewQuery {
    fn notice(&self) -> Option<String> {
        let role = Role::parse(&self.role).map(Role::label).unwrap_or("");
        match self.done.as_str() {
            "granted" => Some(format!("已授予“{role}”角色，下次操作即生效。")),
            "revoked" => Some(format!("已撤销“{role}”角色。")),
            "unlocked" => Some("已解除账号锁定，该人员可以重新登录。".into()),
            _ => None,
        }
    }
}

/// Extras of a view rendered after an action.
#[derive(Default)]
struct ViewExtras {
    notice: Option<String>,
    error: Option<String>,
    one_time_password: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<ViewQuery>,
) -> PageResult<Response> {
    let extras = ViewExtras {
        notice: q.notice(),
        ..ViewExtras::default()
    };
    render_view(&state, &session, id, extras, StatusCode::OK).await
}

async fn render_view(
    state: &AppState,
    session: &yici_store::auth::Session,
    id: i64,
    extras: ViewExtras,
    status: StatusCode,
) -> PageResult<Response> {
    let principal = &session.principal;
    let person = load_person(state, id).await?;
    let mut db = state.db.clone();
    let administration = admin::administration(&mut db, principal).await?;
    if !administration.covers(person.unit_id) {
        principal.ensure_view_people_of(person.department_id, MISSING_PERSON)?;
    }
    let can_manage = principal.can_manage_people_of(person.department_id);
    let may_account = accounts::may_administer(principal, administration, &person);
    let account = accounts::of_person(&mut db, state.now(), id).await?;
    let granted = account
        .as_ref()
        .map(|a| a.granted_roles.clone())
        .unwrap_or_default();
    let mut roles: Vec<&'static str> = granted.iter().map(|r| r.label()).collect();
    if person.is_admin {
        roles.push(Role::DepartmentAdmin.label());
    }
    if person.is_officer && person.status == PersonStatus::Enabled {
        roles.push(Role::Inspector.label());
    }
    let grantable = roles::grantable(administration, person.unit_id)
        .into_iter()
        .map(|r| RoleRow {
            code: r.as_str(),
            label: r.label(),
            held: granted.contains(&r),
        })
        .collect();
    let page = ViewPage {
        chrome: Chrome::new(session, "people"),
        p: PersonView::new(&person, can_manage || may_account),
        can_manage,
        department_id: person.department_id,
        roles,
        grantable,
        account: account.filter(|_| may_account).map(|a| AccountView {
            login: a.login,
            locked_until: a.locked_until.map(time::display).unwrap_or_default(),
            must_change_password: a.must_change_password,
        }),
        may_audit: may_account,
        notice: extras.notice,
        error: extras.error,
        one_time_password: extras.one_time_password,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// A refusal the page shows in place (a conflict or bad input), as opposed
/// to one that replaces the page (forbidden, not found).
fn in_place(e: yici_store::StoreError) -> Result<String, AppError> {
    let err = AppError::from(e);
    match err.domain() {
        Some(d) if !matches!(d.kind, ErrorKind::Forbidden | ErrorKind::NotFound) => {
            Ok(d.message.clone())
        }
        _ => Err(err),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
    /// `grant` or `revoke`.
    op: String,
}

/// 授予 / 撤销 a role from the person page.
pub async fn set_role(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> PageResult<Response> {
    let role =
        Role::parse(&f.role).ok_or_else(|| DomainError::field("role", "invalid", "请选择角色"))?;
    let grant = f.op == "grant";
    let result = async {
        let mut tx = state.db.begin().await?;
        roles::set(&mut tx, state.now(), &session.principal, id, role, grant).await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => {
            let done = if grant { "granted" } else { "revoked" };
            Ok(Redirect::to(&format!(
                "/people/{id}?done={done}&role={}#roles",
                role.as_str()
            ))
            .into_response())
        }
        Err(e) => {
            let error = Some(in_place(e)?);
            let extras = ViewExtras {
                error,
                ..ViewExtras::default()
            };
            render_view(&state, &session, id, extras, StatusCode::CONFLICT).await
        }
    }
}

/// 解除锁定.
pub async fn unlock(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<super::forms::Empty>,
) -> PageResult<Response> {
    let result = async {
        let mut tx = state.db.begin().await?;
        accounts::unlock(&mut tx, state.now(), &session.principal, id).await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?done=unlocked#account")).into_response()),
        Err(e) => {
            let error = Some(in_place(e)?);
            let extras = ViewExtras {
                error,
                ..ViewExtras::default()
            };
            render_view(&state, &session, id, extras, StatusCode::CONFLICT).await
        }
    }
}

/// 重置密码: the one-time password is shown on this response only (never
/// in a URL), so it is rendered rather than redirected to.
pub async fn reset_password(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<super::forms::Empty>,
) -> PageResult<Response> {
    let reset = accounts::reset_to_one_time(&state.db, state.now(), &session.principal, id).await?;
    let extras = ViewExtras {
        one_time_password: Some(reset.initial_password),
        ..ViewExtras::default()
    };
    render_view(&state, &session, id, extras, StatusCode::OK).await
}
