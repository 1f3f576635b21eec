//! The JSON API under `/api/v1`, described by the OpenAPI document served at
//! `/api/v1/openapi.json`: the contract of the field app and of integrations.
//! Authentication is a bearer token from `POST /api/v1/auth/login`.

pub mod auth;
pub mod credit;
pub mod documents;
pub mod draws;
pub mod enterprise;
pub mod enterprise_accounts;
pub mod error_docs;
pub mod extract;
pub mod field;
pub mod file_jobs;
pub mod org;
pub mod people;
pub mod plans;
pub mod publication;
pub mod ratings;
pub mod rectifications;
pub mod registry;
pub mod results;
pub mod statistics;
pub mod warnings;

#[cfg(test)]
mod document_tests;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "yici API",
        description = "综合查一次平台接口。错误统一为 {\"code\",\"message\",\"field\"}，message 为中文。"
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "登录、修改密码、退出"),
        (name = "org", description = "单位与处室"),
        (name = "people", description = "人员管理"),
        (name = "registry", description = "一企一档（企业名录）"),
        (name = "draw", description = "双随机抽查：抽取、任务、检查人员、回避、抽取记录"),
        (name = "joint", description = "联合检查：任务设置、参与确认、协作部门、站内通知"),
        (name = "plans", description = "行政检查事项清单与行政检查计划（抽查计划）：按处室、年度增删改，复制上一年度，计划完成进度，公示（无需登录）"),
        (name = "documents", description = "检查文书：六类文书起草与填写、审批（承办机构负责人签批、行政执法主体负责人批准）、办公室编号盖章（按单位、种类、年度连续编号，无断号）、送达、作废、编号登记、HTML/DOCX/PDF、非现场检查与口头通知（补办手续）"),
        (name = "rectification", description = "整改：检查发现问题生成整改任务单（违反条款、整改要求、期限），下发、企业反馈（文字与照片）、核查销号或退回、整改复查、移送立案及立案结果；逾期标记"),
        (name = "field", description = "执法端与企业端：任务管理、检查二维码（签名、限时）、跳过扫码、企业扫码核验与确认、企业注册（名录联系人手机验证码）与申请开通（属地部门核实后开通）、企业检查记录、检查结果填报（幂等提交）、影像资料、企业查看检查结果与结果告知及送达文书、检查评价"),
        (name = "publication", description = "一公开：检查结果公开查询（无需登录）、开放数据（CSV/JSON，按日快照）、办公室提前公开"),
        (name = "ratings", description = "检查评价：企业对检查的评价，仅本单位办公室和行政执法主体负责人可查看"),
        (name = "statistics", description = "统计分析：按单位（可含下级）、年度、月份统计检查次数、检查企业数、户均检查次数、每次参与部门数、联合检查率、减少入企次数及比例（目标50%）、频次上限执行、参与确认及时性、结果按时提交、整改销号与逾期、检查事项使用率，及各数字对应的任务"),
        (name = "credit", description = "环境信用：检查结果形成信用评价建议（问题、整改逾期、移送立案、整改销号计分），负责人确认或驳回；人工调整信用等级和正面清单须填写原因；等级变更记录"),
        (name = "warnings", description = "监督预警：同一企业短期内重复检查、未经审批即检查、未送达检查通知书、未扫码签到、参与确认/检查结果/整改逾期；行政执法主体负责人、办公室查看本单位，承办机构负责人查看本处室任务；填写处理说明后关闭")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The API's routes, each with its operations and the schemas they use.
/// The routes anyone may call with the right session: logging in and the
/// account, the enterprise's own routes (`/enterprise/…`, the check-in it
/// confirms) and the public ones.
fn open_routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(auth::login),
        routes!(auth::logout),
        routes!(auth::change_password),
        routes!(auth::me),
        routes!(draws::public_draw),
        routes!(field::verify),
        routes!(field::confirm),
        // 企业注册 (SEC-5): a code to the registry's mobile, or 申请开通.
        routes!(field::request_code),
        routes!(field::sign_up),
        routes!(field::request_activation),
        routes!(field::inspections),
        routes!(enterprise::inspection),
        routes!(enterprise::rate),
        routes!(enterprise::document_pdf),
        routes!(rectifications::enterprise_list),
        routes!(rectifications::enterprise_get),
        routes!(rectifications::enterprise_report)
            .layer(axum::extract::DefaultBodyLimit::disable()),
        routes!(rectifications::enterprise_photo),
        routes!(plans::public),
        routes!(publication::search),
        routes!(publication::record),
        routes!(publication::current_file),
        routes!(publication::snapshot_file),
    ]
}

/// The routes of the organisation's own work. Enterprise accounts are
/// refused here once, by [`crate::session::staff_only`], rather than in each
/// handler (SEC-3).
fn internal_routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(org::list_units, org::create_unit),
        routes!(org::set_joint_invitations),
        routes!(org::create_department),
        routes!(org::update_unit),
        routes!(org::get_department, org::update_department),
        routes!(org::record_trail),
        routes!(org::unlock_secretary),
        routes!(org::reset_secretary),
        routes!(people::list_people, people::create_person),
        routes!(people::get_person, people::update_person),
        routes!(people::get_account),
        routes!(people::grant_role, people::revoke_role),
        routes!(people::unlock),
        routes!(people::reset_password),
        routes!(registry::list, registry::create),
        routes!(registry::get, registry::update),
        routes!(registry::history),
        routes!(registry::add_outlet),
        routes!(registry::update_outlet, registry::remove_outlet),
        routes!(registry::add_facility),
        routes!(registry::update_facility, registry::remove_facility),
        routes!(registry::export),
        routes!(registry::template),
        routes!(draws::extraction_list),
        routes!(draws::directed),
        routes!(draws::random),
        routes!(draws::random_preview),
        routes!(draws::list),
        routes!(draws::get),
        routes!(draws::cancel),
        routes!(draws::draw_inspectors),
        routes!(draws::declare_recusal),
        routes!(draws::get_draw),
        routes!(draws::task_settings),
        routes!(draws::batch_settings),
        routes!(draws::participation),
        routes!(draws::invite_partner),
        routes!(draws::partner_departments),
        routes!(draws::notices),
        routes!(documents::of_task, documents::create),
        routes!(documents::inbox),
        routes!(documents::owed_tasks),
        routes!(documents::get, documents::update),
        routes!(documents::act),
        routes!(documents::file),
        routes!(documents::patterns, documents::set_pattern),
        routes!(documents::register),
        routes!(documents::set_procedure),
        routes!(field::tasks),
        routes!(field::task),
        routes!(field::check_in_code),
        routes!(field::skip_check_in),
        routes!(ratings::list),
        routes!(statistics::get),
        routes!(statistics::tasks),
        routes!(results::items),
        routes!(results::upload_evidence).layer(axum::extract::DefaultBodyLimit::disable()),
        routes!(results::submit, results::list),
        routes!(results::correct),
        routes!(results::evidence_file),
        routes!(rectifications::list),
        routes!(rectifications::get, rectifications::edit),
        routes!(rectifications::issue),
        routes!(rectifications::verify),
        routes!(rectifications::revisit),
        routes!(rectifications::refer),
        routes!(rectifications::referral_outcome),
        routes!(rectifications::photo),
        routes!(plans::sheet),
        routes!(plans::list_items, plans::create_item),
        routes!(plans::update_item, plans::remove_item),
        routes!(plans::list_rows, plans::create_row),
        routes!(plans::update_row, plans::remove_row),
        routes!(plans::copy_previous),
        routes!(plans::from_template),
        routes!(plans::progress),
        routes!(publication::waiting),
        routes!(publication::release),
        routes!(credit::get, credit::set),
        routes!(credit::proposals),
        routes!(credit::confirm),
        routes!(credit::reject),
        routes!(warnings::list),
        routes!(warnings::close),
        // 企业账号开通 (SEC-5): the registry editors' side of 申请开通.
        routes!(enterprise_accounts::activation_requests),
        routes!(enterprise_accounts::activate),
        routes!(enterprise_accounts::reject_activation),
        routes!(registry::import).layer(axum::extract::DefaultBodyLimit::max(
            crate::registry_files::MAX_UPLOAD_BYTES,
        )),
        routes!(file_jobs::start_import_job).layer(axum::extract::DefaultBodyLimit::max(
            crate::registry_files::MAX_UPLOAD_BYTES,
        )),
        routes!(file_jobs::start_export_job),
        routes!(file_jobs::list_file_jobs),
        routes!(file_jobs::get_file_job),
        routes!(file_jobs::file_job_file),
    ]
}

/// Every route of the API, each with its operations and the schemas they use.
#[cfg(test)]
fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    open_routes().into_iter().chain(internal_routes()).collect()
}

pub fn router() -> OpenApiRouter<AppState> {
    let mut internal = internal_routes()
        .into_iter()
        .fold(OpenApiRouter::new(), |api, route| api.routes(route))
        .route_layer(axum::middleware::from_fn(crate::session::staff_only));
    error_docs::refuses_enterprises(internal.get_openapi_mut());
    open_routes()
        .into_iter()
        .fold(
            OpenApiRouter::with_openapi(ApiDoc::openapi()),
            |api, route| api.routes(route),
        )
        .merge(internal)
}

/// The API's routes and its finished document (error responses described).
pub fn split() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = router().split_for_parts();
    // After the routes are in: the modifier walks their operations.
    error_docs::ErrorResponses.modify(&mut openapi);
    UniqueOperationIds.modify(&mut openapi);
    (router, openapi)
}

/// An operation's id is its handler's name, which several modules share
/// (`get`, `list`, ...); OpenAPI wants ids unique (clients name their methods
/// after them), so a shared one is prefixed with the operation's tag.
struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut uses = std::collections::HashMap::<String, usize>::new();
        for id in operations_mut(openapi).filter_map(|op| op.operation_id.clone()) {
            *uses.entry(id).or_default() += 1;
        }
        for op in operations_mut(openapi) {
            let (Some(id), Some(tag)) = (&op.operation_id, op.tags.iter().flatten().next()) else {
                continue;
            };
            if uses[id] > 1 {
                op.operation_id = Some(format!("{tag}_{id}"));
            }
        }
    }
}

/// Every operation of the document, for the modifiers.
fn operations_mut(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}
