//! 两步验证 in headless Chromium: enrol with the QR page, keep the recovery
//! codes, log out, log in with password then code. Screenshots of the
//! enrolment, the recovery codes and the login's second step at 1920×1080
//! and 390×844 go to `target/screenshots/`.

use std::panic::AssertUnwindSafe;

use chrono::Duration;
use fantoccini::Client;
use futures_util::FutureExt;
use yici_domain::org::totp;
use yici_domain::time::Clock;

use crate::common::browser::*;
use crate::common::{TestApp, NEW_PASSWORD};

both_databases!(enrol_log_out_and_log_in_with_a_code_in_a_real_browser);

async fn enrol_log_out_and_log_in_with_a_code_in_a_real_browser(app: TestApp) {
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    // Chromium is closed whatever happens in the flow, then the failure goes on.
    let outcome = AssertUnwindSafe(flow(&c, &app)).catch_unwind().await;
    let _ = c.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Both sizes of the current page, when the screenshots are taken (SQLite run).
async fn shots(c: &Client, app: &TestApp, name: &str) {
    if !matches!(app.backend, crate::common::Backend::Sqlite) {
        return;
    }
    shot(c, &format!("{name}-desktop")).await;
    c.set_window_size(390, 844).await.unwrap();
    c.refresh().await.ok();
    shot(c, &format!("{name}-phone")).await;
    c.set_window_size(1920, 1080).await.unwrap();
}

async fn flow(c: &Client, app: &TestApp) {
    c.set_window_size(1920, 1080).await.unwrap();
    log_in(c, app, "tssytx_dq").await;
    click(c, "#account-link").await;
    wait_path(c, "/account").await;
    assert!(text(c, "#second-factor-status").await.contains("未启用"));
    click(c, "#start").await;
    let grouped = text(c, "#secret").await;
    let secret = totp::base32_decode(&grouped).expect("the secret is shown");
    // Shots of the QR page (a reload shows the same pending enrolment).
    if matches!(app.backend, crate::common::Backend::Sqlite) {
        c.goto(&app.url("/account")).await.unwrap();
        shots(c, app, "second-factor-enrol").await;
        assert_eq!(text(c, "#secret").await, grouped);
    }
    fill(c, "#code", "000000").await;
    click(c, "#confirm").await;
    let refused = text(c, "#confirm-form .err").await;
    let right = totp::code_at(&secret, app.clock.now().timestamp());
    if right != "000000" {
        assert!(refused.contains("动态口令不正确"), "{refused}");
    }
    fill(c, "#code", &right).await;
    click(c, "#confirm").await;
    let codes = text(c, "#recovery-codes").await;
    assert!(codes.contains("离开本页后将不再显示"));
    assert!(text(c, "#second-factor-status").await.contains("已启用"));
    // No reload here: the codes are shown once, the shot is of this page.
    shot_codes(c, app).await;

    // Log out, log in again: the password, then the next code.
    app.clock.advance(Duration::seconds(30));
    click(c, ".userbox button.link").await;
    wait_path(c, "/login").await;
    fill(c, "#login", "tssytx_dq").await;
    fill(c, "#password", NEW_PASSWORD).await;
    click(c, ".login-box button[type=submit]").await;
    wait_path(c, "/login/verify").await;
    shots(c, app, "login-second-step").await;
    let code = totp::code_at(&secret, app.clock.now().timestamp());
    fill(c, "#otp", &code).await;
    click(c, ".login-box button[type=submit]").await;
    wait_path(c, "/").await;
    click(c, "#account-link").await;
    assert!(text(c, "#recovery-left").await.contains("10 个"));
}

/// The recovery codes at both sizes without reloading (they would be gone).
async fn shot_codes(c: &Client, app: &TestApp) {
    if !matches!(app.backend, crate::common::Backend::Sqlite) {
        return;
    }
    shot(c, "second-factor-codes-desktop").await;
    c.set_window_size(390, 844).await.unwrap();
    scroll_to(c, "#recovery-codes").await;
    shot(c, "second-factor-codes-phone").await;
    scroll_to(c, "#disable-form").await;
    shot(c, "second-factor-manage-phone").await;
    c.set_window_size(1920, 1080).await.unwrap();
}
