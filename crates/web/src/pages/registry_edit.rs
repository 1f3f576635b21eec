//! 一企一档 editing on the pages (ENT-1): the form that registers or edits one
//! enterprise, and the outlets and facilities of its edit page. The rules are
//! the API's — who may edit and where ([`editable_enterprise`]), the checks
//! ([`checked_input`]) and the store functions, which write the audit and
//! history entries in the change's transaction. Credit grade and 正面清单 are
//! set on the credit page with a reason, never here.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use yici_domain::region::{self, RegionLevel};
use yici_domain::registry::enterprise::{EnterpriseInput, EnterpriseStatus, SupervisionCategory};
use yici_domain::registry::facility::{FacilityInput, FacilityKind, OutletInput, PollutantLimit};
use yici_domain::registry::history::EditVia;
use yici_domain::registry::industry::{self, IndustryLevel};
use yici_domain::{DomainError, DomainResult, ErrorKind};
use yici_store::auth::Session;
use yici_store::registry::edits::Editor;
use yici_store::registry::enterprises::{self, Enterprise};
use yici_store::registry::facilities::{self, Installations};
use yici_store::registry::search::Scope;

use super::layout::Chrome;
use super::registry::{choices_of, Choice};
use crate::error::{AppError, PageResult};
use crate::registry_access::{
    checked_input, editable_enterprise, ensure_may_edit, may_accept_bad_uscc, scope_of,
};
use crate::session::{CsrfForm, WebUser};
use crate::state::AppState;

/// The enterprise form as typed, to show it again with its error.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EnterpriseForm {
    pub name: String,
    pub source_name: String,
    pub uscc: String,
    pub uscc_exception_reason: String,
    pub permit_code: String,
    pub address: String,
    pub industry_code: String,
    pub postal_code: String,
    pub longitude: String,
    pub latitude: String,
    pub region_code: String,
    pub industrial_park: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub status: String,
    pub category: String,
}

/// A coordinate field: empty, or a decimal number.
fn coordinate(value: &str, field: &'static str, label: &str) -> DomainResult<Option<f64>> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse::<f64>().map(Some).map_err(|_| {
            DomainError::field(field, "invalid", format!("{label}应为数字，如117.74"))
        }),
    }
}

impl EnterpriseForm {
    /// The API's input. Credit grade and 正面清单 are not on the form: they
    /// are the record's (`current`), or none for a new enterprise.
    fn to_request(&self, current: Option<&Enterprise>) -> DomainResult<EnterpriseInput> {
        let given = |s: &str| super::forms::given(s);
        Ok(EnterpriseInput {
            name: given(&self.name),
            source_name: given(&self.source_name),
            uscc: given(&self.uscc),
            uscc_exception_reason: given(&self.uscc_exception_reason),
            permit_code: given(&self.permit_code),
            address: given(&self.address),
            industry_code: given(&self.industry_code),
            postal_code: given(&self.postal_code),
            longitude: coordinate(&self.longitude, "longitude", "中心经度")?,
            latitude: coordinate(&self.latitude, "latitude", "中心纬度")?,
            region_code: given(&self.region_code),
            industrial_park: given(&self.industrial_park),
            contact_name: given(&self.contact_name),
            contact_phone: given(&self.contact_phone),
            status: given(&self.status),
            category: given(&self.category),
            credit_grade: current.and_then(|e| e.credit_grade.map(|g| g.as_str().to_string())),
            positive_list: Some(current.is_some_and(|e| e.positive_list)),
        })
    }

    fn of(e: &Enterprise) -> EnterpriseForm {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        EnterpriseForm {
            name: e.name.clone(),
            // Kept empty when it is the name, as it was entered.
            source_name: if e.source_name == e.name {
                String::new()
            } else {
                e.source_name.clone()
            },
            uscc: e.uscc.clone(),
            uscc_exception_reason: opt(&e.uscc_exception_reason),
            permit_code: opt(&e.permit_code),
            address: e.address.clone(),
            industry_code: e.industry_code.clone(),
            postal_code: opt(&e.postal_code),
            longitude: num(e.longitude),
            latitude: num(e.latitude),
            region_code: e.region_code.clone(),
            industrial_park: opt(&e.industrial_park),
            contact_name: opt(&e.contact_name),
            contact_phone: opt(&e.contact_phone),
            status: e.status.as_str().into(),
            category: e.category.as_str().into(),
        }
    }

    fn blank(scope: &Scope) -> EnterpriseForm {
        EnterpriseForm {
            status: EnterpriseStatus::Normal.as_str().into(),
            category: SupervisionCategory::General.as_str().into(),
            region_code: match scope {
                Scope::County(c) => c.clone(),
                _ => String::new(),
            },
            ..EnterpriseForm::default()
        }
    }
}

/// Which list of installations: outlets, or a kind of facility.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Outlets,
    Facilities(FacilityKind),
}

impl Part {
    const ALL: [Part; 3] = [
        Part::Outlets,
        Part::Facilities(FacilityKind::Treatment),
        Part::Facilities(FacilityKind::Production),
    ];

    /// In URLs and element ids; the profile's tab keys.
    fn key(self) -> &'static str {
        match self {
            Part::Outlets => "outlets",
            Part::Facilities(FacilityKind::Treatment) => "treatment",
            Part::Facilities(FacilityKind::Production) => "production",
        }
    }

    fn parse(key: &str) -> Result<Part, AppError> {
        Part::ALL
            .into_iter()
            .find(|p| p.key() == key)
            .ok_or_else(|| DomainError::not_found("页面不存在").into())
    }
}

/// An outlet or facility as typed into its row form.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct InstallationForm {
    pub code: String,
    pub name: String,
    /// Outlets: the limits (`颗粒物 10 mg/m³；…`); facilities: process or model.
    pub detail: String,
}

/// A listed installation.
pub struct InstallationRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Outlets: 废气 / 废水 …; facilities: empty.
    pub kind: String,
    pub detail: String,
}

/// One of the three lists of the edit page, with its add-or-edit form.
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    /// One of the list: 排口, 治理设施, 生产设施.
    pub noun: &'static str,
    pub code_placeholder: &'static str,
    pub detail_label: &'static str,
    pub detail_placeholder: &'static str,
    pub rows: Vec<InstallationRow>,
    /// The row being edited in the form, if any (else the form adds).
    pub editing: Option<i64>,
    pub form: InstallationForm,
    pub error: Option<String>,
}

impl Section {
    fn new(part: Part, inst: &Installations) -> Section {
        let facility_rows = |list: &[facilities::Facility]| {
            list.iter()
                .map(|f| InstallationRow {
                    id: f.id,
                    code: f.code.clone(),
                    name: f.name.clone(),
                    kind: String::new(),
                    detail: f.process.clone(),
                })
                .collect()
        };
        let (title, noun, code_placeholder, detail_label, detail_placeholder, rows) = match part {
            Part::Outlets => (
                "排口信息",
                "排口",
                "如 DA001、DW001",
                "污染物及排放限值",
                "如 颗粒物 10 mg/m³；二氧化硫 50 mg/m³",
                inst.outlets
                    .iter()
                    .map(|o| InstallationRow {
                        id: o.id,
                        code: o.code.clone(),
                        name: o.name.clone(),
                        kind: o.kind.clone(),
                        detail: PollutantLimit::format_list(&o.pollutants),
                    })
                    .collect(),
            ),
            Part::Facilities(FacilityKind::Treatment) => (
                "治理设施",
                "治理设施",
                "如 TA001、TW001",
                "工艺",
                "如 袋式除尘",
                facility_rows(&inst.treatment_facilities),
            ),
            Part::Facilities(FacilityKind::Production) => (
                "生产设施",
                "生产设施",
                "如 MF0001",
                "规格/工艺",
                "如 1080m³高炉",
                facility_rows(&inst.production_facilities),
            ),
        };
        Section {
            key: part.key(),
            title,
            noun,
            code_placeholder,
            detail_label,
            detail_placeholder,
            rows,
            editing: None,
            form: InstallationForm::default(),
            error: None,
        }
    }

    /// Whether the form holds row `id` (askama hands the id by value or by reference).
    pub fn is_editing<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.editing == Some(*id.borrow())
    }

    /// Loads a listed row into the form (its 编辑 link).
    fn edit(&mut self, id: i64) {
        if let Some(r) = self.rows.iter().find(|r| r.id == id) {
            self.form = InstallationForm {
                code: r.code.clone(),
                name: r.name.clone(),
                detail: r.detail.clone(),
            };
            self.editing = Some(id);
        }
    }
}

/// A county choice under its city.
pub struct RegionGroup {
    pub city: String,
    pub counties: Vec<(String, String)>,
}

/// The counties a user may register enterprises in; empty for the system
/// administrator, who types the code (the whole country is no select).
fn region_groups(scope: &Scope) -> Vec<RegionGroup> {
    let group = |city: region::Region| {
        let counties = if region::level_of(city.code) == RegionLevel::County {
            vec![(city.code.to_string(), city.name.to_string())]
        } else {
            region::children(city.code)
                .into_iter()
                .map(|r| (r.code.to_string(), r.name.to_string()))
                .collect()
        };
        RegionGroup {
            city: city.name.to_string(),
            counties,
        }
    };
    match scope {
        Scope::All => Vec::new(),
        Scope::Province(p) => region::children(p).into_iter().map(group).collect(),
        Scope::City(c) => region::lookup(c).map(group).into_iter().collect(),
        Scope::County(c) => region::lookup(c)
            .map(|county| RegionGroup {
                city: region::city_of(c).map_or_else(String::new, |r| r.name.to_string()),
                counties: vec![(county.code.to_string(), county.name.to_string())],
            })
            .into_iter()
            .collect(),
    }
}

/// GB/T 4754 classes for the industry field's suggestions.
fn industry_classes() -> Vec<(&'static str, &'static str)> {
    industry::all()
        .iter()
        .filter(|i| i.level == IndustryLevel::Class)
        .map(|i| (i.code, i.name))
        .collect()
}

/// The fields that show their own error on the form.
const FIELDS: &[&str] = &[
    "name",
    "source_name",
    "uscc",
    "permit_code",
    "address",
    "industry_code",
    "postal_code",
    "longitude",
    "latitude",
    "region_code",
    "industrial_park",
    "contact_name",
    "contact_phone",
    "status",
    "category",
];

#[derive(Template)]
#[template(path = "registry/edit.html")]
struct EditPage {
    chrome: Chrome,
    /// `None` when registering.
    id: Option<i64>,
    v: EnterpriseForm,
    error_field: String,
    error: Option<String>,
    notice: Option<String>,
    industry_name: String,
    industries: Vec<(&'static str, &'static str)>,
    regions: Vec<RegionGroup>,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    /// The record's credit grade and 正面清单, shown, not edited here.
    credit: String,
    positive_list: bool,
    /// A USCC accepted with a failing check character.
    uscc_exception: bool,
    may_accept_bad_uscc: bool,
    sections: Vec<Section>,
}

impl EditPage {
    fn new(
        session: &Session,
        scope: &Scope,
        current: Option<&Enterprise>,
        v: EnterpriseForm,
        inst: Option<&Installations>,
    ) -> EditPage {
        let industry_name = industry::lookup(v.industry_code.trim())
            .filter(|i| i.level == IndustryLevel::Class)
            .map(|i| i.name.to_string())
            .unwrap_or_default();
        EditPage {
            chrome: Chrome::new(session, "enterprises"),
            id: current.map(|e| e.id),
            statuses: choices_of(
                EnterpriseStatus::ALL
                    .iter()
                    .map(|s| (s.as_str(), s.label().to_string())),
                &v.status,
            ),
            categories: choices_of(
                SupervisionCategory::ALL
                    .iter()
                    .map(|c| (c.as_str(), c.label().to_string())),
                &v.category,
            ),
            v,
            error_field: String::new(),
            error: None,
            notice: None,
            industry_name,
            industries: industry_classes(),
            regions: region_groups(scope),
            credit: current
                .and_then(|e| e.credit_grade)
                .map_or_else(|| "未评价".to_string(), |g| g.label().to_string()),
            positive_list: current.is_some_and(|e| e.positive_list),
            uscc_exception: current.is_some_and(|e| !e.uscc_check_ok),
            may_accept_bad_uscc: may_accept_bad_uscc(&session.principal),
            sections: inst
                .map(|inst| Part::ALL.iter().map(|p| Section::new(*p, inst)).collect())
                .unwrap_or_default(),
        }
    }

    /// The alert above the form: the message itself when no field shows it.
    fn summary(&self) -> Option<String> {
        let message = self.error.as_deref()?;
        Some(if FIELDS.contains(&self.error_field.as_str()) {
            "未保存：请按标红的提示修改后重新提交。".to_string()
        } else {
            message.to_string()
        })
    }

    fn err_for(&self, field: &str) -> Option<&str> {
        (self.error_field == field)
            .then_some(())
            .and(self.error.as_deref())
    }

    /// Whether `code` is the region selected (askama compares no `&String` with `String`).
    fn region_selected(&self, code: &str) -> bool {
        self.v.region_code.trim() == code
    }

    fn with_error(mut self, err: &DomainError) -> EditPage {
        self.error_field = err.field.unwrap_or("").to_string();
        self.error = Some(err.message.clone());
        self
    }

    fn respond(self) -> PageResult<Response> {
        let failed = self.error.is_some() || self.sections.iter().any(|s| s.error.is_some());
        let status = if failed {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        Ok((status, Html(self.render()?)).into_response())
    }
}

/// A domain error the form shows next to its field; others (refused, not
/// found, internal) go to the error page.
fn shown_on_form(err: AppError) -> Result<DomainError, AppError> {
    match err {
        AppError::Domain(d) if !matches!(d.kind, ErrorKind::Forbidden | ErrorKind::NotFound) => {
            Ok(d)
        }
        other => Err(other),
    }
}

pub async fn new_form(WebUser(session): WebUser) -> PageResult<Response> {
    ensure_may_edit(&session.principal)?;
    let scope = scope_of(&session.principal)?;
    EditPage::new(&session, &scope, None, EnterpriseForm::blank(&scope), None).respond()
}

/// 新增企业: registered in one transaction with its history entry, then on
/// to its edit page for outlets and facilities.
pub async fn create(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    CsrfForm(form): CsrfForm<EnterpriseForm>,
) -> PageResult<Response> {
    let principal = &session.principal;
    ensure_may_edit(principal)?;
    let scope = scope_of(principal)?;
    let result = async {
        let input = form.to_request(None)?;
        let valid = checked_input(principal, &scope, input, None)?;
        let editor = Editor::of(principal, EditVia::Form);
        let mut tx = state.db.begin().await?;
        let created = enterprises::create(&mut tx, state.now(), &editor, &valid).await?;
        tx.commit().await?;
        Ok::<_, AppError>(created)
    }
    .await;
    match result {
        Ok(e) => {
            Ok(Redirect::to(&format!("/enterprises/{}/edit?saved=created", e.id)).into_response())
        }
        Err(err) => {
            let err = shown_on_form(err)?;
            EditPage::new(&session, &scope, None, form, None)
                .with_error(&err)
                .respond()
        }
    }
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    saved: Option<String>,
    /// A row to load into its list's form: `outlets`, `treatment` or `production` …
    part: Option<String>,
    /// … and its id.
    item: Option<i64>,
}

/// The edit page of an enterprise the user may edit, with `form` in the
/// enterprise form.
async fn edit_page(
    state: &AppState,
    session: &Session,
    scope: &Scope,
    e: &Enterprise,
    form: EnterpriseForm,
) -> Result<EditPage, AppError> {
    let inst = facilities::of_enterprise(&mut &state.db, e.id).await?;
    Ok(EditPage::new(session, scope, Some(e), form, Some(&inst)))
}

pub async fn edit_form(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> PageResult<Response> {
    let (scope, e) = editable_enterprise(&state, &session.principal, id).await?;
    let mut page = edit_page(&state, &session, &scope, &e, EnterpriseForm::of(&e)).await?;
    if let (Some(part), Some(item)) = (q.part.as_deref(), q.item) {
        if let Some(s) = page.sections.iter_mut().find(|s| s.key == part) {
            s.edit(item);
        }
    }
    page.notice = q.saved.map(|what| {
        match what.as_str() {
            "created" => "企业已登记。可继续添加排口和设施；信用等级和正面清单请在“调整信用等级/正面清单”中设置。",
            "removed" => "已删除。",
            _ => "已保存。",
        }
        .to_string()
    });
    page.respond()
}

/// 保存 of the enterprise form: the record read again inside the
/// transaction, so that the credit grade and 正面清单 set meanwhile on the
/// credit page are kept.
pub async fn update(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EnterpriseForm>,
) -> PageResult<Response> {
    let principal = &session.principal;
    let (scope, e) = editable_enterprise(&state, principal, id).await?;
    let result = async {
        let mut tx = state.db.begin().await?;
        let current = enterprises::get(&mut tx, id)
            .await?
            .ok_or_else(|| DomainError::not_found("企业不存在"))?;
        let input = form.to_request(Some(&current))?;
        let valid = checked_input(principal, &scope, input, Some(&current))?;
        let editor = Editor::of(principal, EditVia::Form);
        enterprises::update(&mut tx, state.now(), &editor, id, &valid).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/enterprises/{id}/edit?saved=basic")).into_response()),
        Err(err) => {
            let err = shown_on_form(err)?;
            edit_page(&state, &session, &scope, &e, form)
                .await?
                .with_error(&err)
                .respond()
        }
    }
}

/// Adds (`item` is `None`) or changes an installation as typed.
async fn save_installation(
    state: &AppState,
    editor: &Editor,
    id: i64,
    part: Part,
    item: Option<i64>,
    form: &InstallationForm,
) -> Result<(), AppError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    match part {
        Part::Outlets => {
            let input = OutletInput {
                code: form.code.clone(),
                name: form.name.clone(),
                pollutants: PollutantLimit::parse_list(&form.detail)?,
            };
            match item {
                None => facilities::add_outlet(&mut tx, now, editor, id, &input).await?,
                Some(o) => facilities::update_outlet(&mut tx, now, editor, id, o, &input).await?,
            };
        }
        Part::Facilities(kind) => {
            let input = FacilityInput {
                code: form.code.clone(),
                name: form.name.clone(),
                process: form.detail.clone(),
            };
            match item {
                None => facilities::add_facility(&mut tx, now, editor, id, kind, &input).await?,
                Some(f) => facilities::update_facility(&mut tx, now, editor, id, f, &input).await?,
            };
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The row forms' posts: saved, or the edit page again with the typed row
/// and its error under its list.
async fn installation_post(
    state: AppState,
    session: Session,
    id: i64,
    part: &str,
    item: Option<i64>,
    form: InstallationForm,
) -> PageResult<Response> {
    let part = Part::parse(part)?;
    let (scope, e) = editable_enterprise(&state, &session.principal, id).await?;
    let editor = Editor::of(&session.principal, EditVia::Form);
    match save_installation(&state, &editor, id, part, item, &form).await {
        Ok(()) => {
            let to = format!("/enterprises/{id}/edit?saved={}#{}", part.key(), part.key());
            Ok(Redirect::to(&to).into_response())
        }
        Err(err) => {
            let err = shown_on_form(err)?;
            let mut page = edit_page(&state, &session, &scope, &e, EnterpriseForm::of(&e)).await?;
            if let Some(s) = page.sections.iter_mut().find(|s| s.key == part.key()) {
                s.editing = item;
                s.form = form;
                s.error = Some(err.message);
            }
            page.respond()
        }
    }
}

pub async fn add_installation(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path((id, part)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<InstallationForm>,
) -> PageResult<Response> {
    installation_post(state, session, id, &part, None, form).await
}

pub async fn update_installation(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path((id, part, item)): Path<(i64, String, i64)>,
    CsrfForm(form): CsrfForm<InstallationForm>,
) -> PageResult<Response> {
    installation_post(state, session, id, &part, Some(item), form).await
}

/// The form of a 删除 button carries nothing but its token.
#[derive(Deserialize)]
pub struct NoFields {}

pub async fn remove_installation(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path((id, part, item)): Path<(i64, String, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult<Response> {
    let part = Part::parse(&part)?;
    editable_enterprise(&state, &session.principal, id).await?;
    let editor = Editor::of(&session.principal, EditVia::Form);
    let now = state.now();
    let mut tx = state.db.begin().await.map_err(AppError::from)?;
    match part {
        Part::Outlets => facilities::remove_outlet(&mut tx, now, &editor, id, item).await,
        Part::Facilities(_) => facilities::remove_facility(&mut tx, now, &editor, id, item).await,
    }
    .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    let to = format!("/enterprises/{id}/edit?saved=removed#{}", part.key());
    Ok(Redirect::to(&to).into_response())
}
