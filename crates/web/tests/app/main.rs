//! The web app's integration and browser tests, in one binary (one link of
//! the whole app instead of one per file). Each module is a capability; each
//! test runs on SQLite and, when `YICI_TEST_DATABASE_URL` is set, on
//! PostgreSQL (`both_databases!` in `common`). The browser tests drive
//! headless Chromium through chromedriver; `common::browser` starts one
//! chromedriver per test and lets only a few run at once.

#[macro_use]
mod common;

mod access;
mod auth;
mod authorization;
mod browser;
mod checkin;
mod credit;
mod documents;
mod documents_browser;
mod draws;
mod enterprise_signup;
mod enterprise_signup_browser;
mod enterprise_view;
mod extraction;
mod extraction_browser;
mod field_browser;
mod file_jobs;
mod joint;
mod leaders;
mod openapi;
mod org_admin;
mod org_admin_browser;
mod org_and_audit;
mod people;
mod plans;
mod publication;
mod publication_browser;
mod rate_limits;
mod rectifications;
mod rectifications_browser;
mod registry;
mod registry_edit;
mod results;
mod results_browser;
mod results_view;
mod results_view_browser;
mod second_factor;
mod second_factor_browser;
mod security;
mod sms;
mod sms_browser;
mod statistics;
mod todo;
mod warnings;
