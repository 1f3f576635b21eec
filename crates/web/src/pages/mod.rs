//! Server-rendered pages in Simplified Chinese, laid out like the manual's
//! screens (menu 双随机设置 → 人员管理, …).

pub mod account;
pub mod audit;
pub mod credit;
pub mod document_editor;
pub mod documents;
pub mod enterprise;
pub mod enterprise_accounts;
pub mod field;
pub mod file_jobs;
pub mod forms;
pub mod home;
pub mod layout;
pub mod org;
pub mod people;
pub mod plan_files;
pub mod plans;
pub mod publication;
pub mod ratings;
pub mod rectifications;
pub mod registry;
pub mod registry_edit;
pub mod results;
pub mod second_factor;
pub mod sms;
pub mod statistics;
pub mod tasks;
pub mod todo;
pub mod warnings;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        // 两步验证 (SEC-2): the login's second step, and the account page
        // where the factor is enrolled, renewed and switched off.
        .route(
            "/login/verify",
            get(account::second_step_form).post(account::second_step),
        )
        .route("/account", get(second_factor::page))
        .route("/account/second-factor/start", post(second_factor::start))
        .route(
            "/account/second-factor/confirm",
            post(second_factor::confirm),
        )
        .route(
            "/account/second-factor/disable",
            post(second_factor::disable),
        )
        .route(
            "/account/second-factor/recovery-codes",
            post(second_factor::regenerate),
        )
        .route(
            "/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/people", get(people::list).post(people::create))
        .route("/people/new", get(people::new_form))
        .route("/people/{id}", get(people::view).post(people::update))
        .route("/people/{id}/edit", get(people::edit_form))
        .route("/people/{id}/roles", post(people::set_role))
        .route("/people/{id}/unlock", post(people::unlock))
        .route(
            "/org/departments/{id}/secretary/unlock",
            post(org::unlock_secretary),
        )
        .route(
            "/org/departments/{id}/secretary/password-reset",
            post(org::reset_secretary),
        )
        .route("/people/{id}/password-reset", post(people::reset_password))
        .route(
            "/enterprises",
            get(registry::list).post(registry_edit::create),
        )
        .route("/enterprises/new", get(registry_edit::new_form))
        .route(
            "/enterprises/{id}",
            get(registry::profile).post(registry_edit::update),
        )
        // 一企一档 editing (ENT-1): the form, then outlets and facilities.
        .route("/enterprises/{id}/edit", get(registry_edit::edit_form))
        .route(
            "/enterprises/{id}/installations/{part}",
            post(registry_edit::add_installation),
        )
        .route(
            "/enterprises/{id}/installations/{part}/{item}",
            post(registry_edit::update_installation),
        )
        .route(
            "/enterprises/{id}/installations/{part}/{item}/delete",
            post(registry_edit::remove_installation),
        )
        .route(
            "/enterprises/{id}/credit",
            get(credit::enterprise).post(credit::set),
        )
        .route("/credit/proposals", get(credit::proposals))
        .route("/credit/proposals/{id}/decide", post(credit::decide))
        .route("/warnings", get(warnings::list))
        .route("/warnings/{id}/close", post(warnings::close))
        .route("/enterprises/export", get(registry::export))
        .route("/enterprises/export-jobs", post(file_jobs::start_export))
        .route("/file-jobs", get(file_jobs::list))
        .route("/file-jobs/{id}", get(file_jobs::show))
        .route("/file-jobs/{id}/file", get(file_jobs::file))
        .route("/enterprises/template", get(registry::template))
        .route(
            "/enterprises/import",
            get(registry::import_form).post(registry::import).layer(
                axum::extract::DefaultBodyLimit::max(crate::registry_files::MAX_UPLOAD_BYTES),
            ),
        )
        .route("/tasks", get(tasks::list::list))
        .route("/tasks/export.xlsx", get(tasks::list::export))
        .route(
            "/tasks/directed",
            get(tasks::extract::directed_form).post(tasks::extract::directed),
        )
        .route(
            "/tasks/random",
            get(tasks::extract::random_form).post(tasks::extract::random),
        )
        .route("/tasks/random/confirm", get(tasks::extract::random_confirm))
        .route(
            "/tasks/settings",
            get(tasks::settings::dialog).post(tasks::settings::save),
        )
        .route("/tasks/{id}", get(tasks::task::task))
        .route("/tasks/{id}/inspectors", post(tasks::task::draw_inspectors))
        .route("/tasks/{id}/cancel", post(tasks::task::cancel))
        .route("/tasks/{id}/recusals", post(tasks::task::declare_recusal))
        .route(
            "/tasks/{id}/participation",
            post(tasks::joint::participation),
        )
        .route("/tasks/{id}/partners", post(tasks::joint::invite_partner))
        .route(
            "/tasks/{id}/documents",
            post(tasks::documents_panel::create),
        )
        .route(
            "/tasks/{id}/procedure",
            post(tasks::documents_panel::set_procedure),
        )
        // 检查文书 (DOC-2…DOC-7).
        .route("/documents", get(documents::work))
        .route("/documents/register", get(documents::register))
        .route(
            "/documents/patterns",
            get(documents::patterns).post(documents::set_pattern),
        )
        .route(
            "/documents/{id}",
            get(documents::view).post(documents::save),
        )
        .route("/documents/{id}/actions", post(documents::act))
        .route("/documents/{id}/{format}", get(documents::file))
        .route("/draws/{id}", get(tasks::draw_record::draw))
        // No login: the public page of a draw (its handler takes no session).
        .route("/public/draws/{id}", get(tasks::draw_record::public_draw))
        // 检查事项与计划 (DOC-1); its public page needs no login.
        .route("/plans", get(plans::page))
        .route("/plans/export", get(plan_files::export))
        .route("/plans/items", post(plans::create_item))
        .route("/plans/items/{id}", post(plans::update_item))
        .route("/plans/items/{id}/delete", post(plans::remove_item))
        .route("/plans/rows", post(plans::create_row))
        .route("/plans/rows/{id}", post(plans::update_row))
        .route("/plans/rows/{id}/delete", post(plans::remove_row))
        .route("/plans/copy", post(plans::copy_previous))
        .route("/plans/template", post(plans::from_template))
        .route("/public/plans", get(plans::public))
        .route("/public/plans/export", get(plan_files::public_export))
        // 一公开 (RES-2): public results and the open data page need no
        // login; the office releases from its desk.
        .route("/public/results", get(publication::search))
        .route("/public/results/{id}", get(publication::record))
        .route("/public/data", get(publication::data))
        .route("/publication", get(publication::desk))
        .route("/publication/{id}/release", post(publication::release))
        .route("/org", get(org::tree))
        .route("/org/units", post(org::create_unit))
        .route(
            "/org/units/{id}",
            get(org::unit_page).post(org::update_unit),
        )
        .route("/org/units/{id}/departments", post(org::create_department))
        .route("/org/departments/{id}", post(org::update_department))
        .route(
            "/org/units/{id}/joint-invitations",
            post(org::set_invitations),
        )
        .route("/audit", get(audit::page))
        .route("/audit/seal", post(audit::seal_now))
        .route("/audit/{kind}/{id}", get(audit::record))
        .route("/sms/outbox", get(sms::outbox))
        // 检查结果填报 (RESULT-1…RESULT-5); photos up to the configured size.
        .route(
            "/m/tasks/{id}/result",
            get(results::form).post(results::submit),
        )
        .route(
            "/m/tasks/{id}/result/correct",
            get(results::correction_form).post(results::correct),
        )
        .route(
            "/m/tasks/{id}/evidence",
            post(results::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/m/evidence/{id}", get(results::evidence_file))
        // 整改跟踪 (RES-1): the department's side and the enterprise's.
        .route("/rectifications", get(rectifications::desk::list))
        .route("/rectifications/{id}", get(rectifications::desk::view))
        .route(
            "/rectifications/{id}/draft",
            post(rectifications::desk::draft),
        )
        .route(
            "/rectifications/{id}/verify",
            post(rectifications::desk::verify),
        )
        .route(
            "/rectifications/{id}/revisit",
            post(rectifications::desk::revisit),
        )
        .route(
            "/rectifications/{id}/refer",
            post(rectifications::desk::refer),
        )
        .route(
            "/rectifications/{id}/referral",
            post(rectifications::desk::referral),
        )
        .route(
            "/rectifications/photos/{id}",
            get(rectifications::desk::photo),
        )
        .route("/e/rectifications", get(rectifications::enterprise::list))
        .route(
            "/e/rectifications/{id}",
            get(rectifications::enterprise::view),
        )
        .route(
            "/e/rectifications/{id}/report",
            post(rectifications::enterprise::report)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/e/rectifications/photos/{id}",
            get(rectifications::enterprise::photo),
        )
        // The field app (执法端) and the enterprise app (企业端), phone-first.
        .route("/m", get(field::tasks))
        .route("/m/tasks/{id}", get(field::task))
        .route("/m/tasks/{id}/skip", post(field::skip))
        .route("/e", get(enterprise::home))
        // The enterprise's inspections, their rating and the documents served (RES-4).
        .route("/e/inspections/{id}", get(enterprise::inspection))
        .route("/e/inspections/{id}/rating", post(enterprise::rate))
        .route("/e/documents/{id}/pdf", get(enterprise::document_pdf))
        // 检查评价 for the unit's office and leaders.
        .route("/ratings", get(ratings::list))
        // 统计分析 (STAT-1).
        .route("/statistics", get(statistics::dashboard))
        .route("/statistics/tasks", get(statistics::tasks))
        .route("/statistics/export.xlsx", get(statistics::export))
        // 企业注册 and 申请开通 (SEC-5), anonymous; the registry editors' side.
        .route("/e/signup", get(field::signup_form).post(field::signup))
        .route(
            "/e/signup/verify",
            get(field::verify_form).post(field::verify),
        )
        .route(
            "/e/activation",
            get(field::activation_form).post(field::request_activation),
        )
        .route("/enterprise-accounts", get(enterprise_accounts::list))
        .route(
            "/enterprise-accounts/{id}/activate",
            post(enterprise_accounts::activate),
        )
        .route(
            "/enterprise-accounts/{id}/reject",
            post(enterprise_accounts::reject),
        )
        .route("/e/check-in", get(field::check_in).post(field::confirm))
}
