//! The JSON API under `/api/v1`, described by the OpenAPI document served at
//! `/api/v1/openapi.json`: the contract of the field app and of integrations.
//! Authentication is a bearer token from `POST /api/v1/auth/login`.

pub mod auth;
pub mod documents;
pub mod draws;
pub mod enterprise;
pub mod error_docs;
pub mod extract;
pub mod field;
pub mod org;
pub mod people;
pub mod plans;
pub mod ratings;
pub mod rectifications;
pub mod registry;
pub mod results;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
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
        (name = "field", description = "执法端与企业端：任务管理、检查二维码（签名、限时）、跳过扫码、企业扫码核验与确认、企业注册与检查记录、检查结果填报（幂等提交）、影像资料、企业查看检查结果与结果告知及送达文书、检查评价"),
        (name = "ratings", description = "检查评价：企业对检查的评价，仅本单位办公室和行政执法主体负责人可查看")
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

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::me))
        .routes(routes!(draws::public_draw))
        .routes(routes!(field::verify))
        .routes(routes!(field::confirm))
        .routes(routes!(field::sign_up))
        .routes(routes!(field::inspections))
        .routes(routes!(enterprise::inspection))
        .routes(routes!(enterprise::rate))
        .routes(routes!(enterprise::document_pdf))
        .routes(routes!(rectifications::enterprise_list))
        .routes(routes!(rectifications::enterprise_get))
        .routes(
            routes!(rectifications::enterprise_report)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .routes(routes!(rectifications::enterprise_photo))
        .routes(routes!(plans::public))
        .merge(internal())
}

/// The routes of the organisation's own work: everything but logging in, the
/// enterprise's routes (`/enterprise/…`, the check-in it confirms) and the
/// public pages. Enterprise accounts are refused here once, by
/// [`crate::session::staff_only`], rather than in each handler (SEC-3).
fn internal() -> OpenApiRouter<AppState> {
    let mut internal = OpenApiRouter::new()
        .routes(routes!(org::list_units, org::create_unit))
        .routes(routes!(org::get_department))
        .routes(routes!(org::create_department))
        .routes(routes!(people::list_people, people::create_person))
        .routes(routes!(people::get_person, people::update_person))
        .routes(routes!(registry::list, registry::create))
        .routes(routes!(registry::get, registry::update))
        .routes(routes!(registry::export))
        .routes(routes!(registry::template))
        .routes(routes!(draws::extraction_list))
        .routes(routes!(draws::directed))
        .routes(routes!(draws::random))
        .routes(routes!(draws::list))
        .routes(routes!(draws::get))
        .routes(routes!(draws::cancel))
        .routes(routes!(draws::draw_inspectors))
        .routes(routes!(draws::declare_recusal))
        .routes(routes!(draws::get_draw))
        .routes(routes!(draws::task_settings))
        .routes(routes!(draws::participation))
        .routes(routes!(draws::invite_partner))
        .routes(routes!(draws::partner_departments))
        .routes(routes!(draws::notices))
        .routes(routes!(documents::of_task, documents::create))
        .routes(routes!(documents::inbox))
        .routes(routes!(documents::owed_tasks))
        .routes(routes!(documents::get, documents::update))
        .routes(routes!(documents::act))
        .routes(routes!(documents::file))
        .routes(routes!(documents::patterns, documents::set_pattern))
        .routes(routes!(documents::register))
        .routes(routes!(documents::set_procedure))
        .routes(routes!(field::tasks))
        .routes(routes!(field::task))
        .routes(routes!(field::check_in_code))
        .routes(routes!(field::skip_check_in))
        .routes(routes!(ratings::list))
        .routes(routes!(results::items))
        .routes(routes!(results::upload_evidence).layer(axum::extract::DefaultBodyLimit::disable()))
        .routes(routes!(results::submit, results::list))
        .routes(routes!(results::correct))
        .routes(routes!(results::evidence_file))
        .routes(routes!(rectifications::list))
        .routes(routes!(rectifications::get, rectifications::edit))
        .routes(routes!(rectifications::issue))
        .routes(routes!(rectifications::verify))
        .routes(routes!(rectifications::revisit))
        .routes(routes!(rectifications::refer))
        .routes(routes!(rectifications::referral_outcome))
        .routes(routes!(rectifications::photo))
        .routes(routes!(plans::sheet))
        .routes(routes!(plans::list_items, plans::create_item))
        .routes(routes!(plans::update_item, plans::remove_item))
        .routes(routes!(plans::list_rows, plans::create_row))
        .routes(routes!(plans::update_row, plans::remove_row))
        .routes(routes!(plans::copy_previous))
        .routes(routes!(plans::from_template))
        .routes(routes!(plans::progress))
        .routes(
            routes!(registry::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::registry_files::MAX_UPLOAD_BYTES,
            )),
        )
        .route_layer(axum::middleware::from_fn(crate::session::staff_only));
    error_docs::refuses_enterprises(internal.get_openapi_mut());
    internal
}
