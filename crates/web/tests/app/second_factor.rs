//! 两步验证 (SEC-2): enrolment with a QR code and a first code, recovery
//! codes shown once, the login's second step on the pages and the `otp`
//! field of the API, wrong codes counted toward the login lock, replays
//! refused, switching off, and administrators made to enrol when configured.

use chrono::Duration;
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use yici_domain::org::totp;
use yici_domain::time::Clock;
use yici_store::Exec;

use crate::common::{element, TestApp, INITIAL, NEW_PASSWORD};

both_databases!(
    enrolment_needs_a_right_first_code_and_shows_the_recovery_codes_once,
    page_login_asks_for_the_code_in_a_second_step,
    api_login_takes_the_code_with_the_password,
    wrong_codes_count_toward_the_lock_and_a_code_is_good_once,
    a_recovery_code_works_once,
    switching_off_and_new_recovery_codes_need_a_code_or_the_password,
    the_second_step_expires_after_five_minutes,
    administrators_are_not_made_to_enrol_unless_configured,
);

/// The secretary account every test enrols (past its initial password).
const LOGIN: &str = "tssytx_dq";

/// A page client that keeps cookies and does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The code the app shows now, by the test clock.
fn code_now(app: &TestApp, secret: &[u8]) -> String {
    totp::code_at(secret, app.clock.now().timestamp())
}

/// A 6-digit code that no step of the window accepts now.
fn wrong_code(app: &TestApp, secret: &[u8], nth: u32) -> String {
    let step = totp::step_at(app.clock.now().timestamp());
    let window: Vec<String> = (step - 1..=step + 1)
        .map(|s| totp::code_for_step(secret, s))
        .collect();
    (nth..)
        .map(|n| totp::format_code(n, 6))
        .find(|c| !window.contains(c))
        .unwrap()
}

async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let r = client.post(app.url(path)).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The secret shown for manual entry on the account page.
fn secret_on(page: &str) -> Vec<u8> {
    let shown = element(page, "secret");
    let text = &shown[shown.find('>').unwrap() + 1..shown.rfind("</").unwrap()];
    totp::base32_decode(text).expect("a Base32 secret")
}

/// The recovery codes listed on the page (shown once).
fn recovery_codes_on(page: &str) -> Vec<String> {
    let list = element(page, "recovery-codes");
    list.split("<code>")
        .skip(1)
        .map(|c| c[..c.find("</code>").unwrap()].to_string())
        .collect()
}

/// Starts and confirms enrolment on the account page of a logged-in page
/// client; the secret and the ten recovery codes.
async fn enrol(app: &TestApp, client: &reqwest::Client, csrf: &str) -> (Vec<u8>, Vec<String>) {
    let (status, page) = post_form(
        app,
        client,
        "/account/second-factor/start",
        &[("_csrf", csrf)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let secret = secret_on(&page);
    assert!(page.contains("<svg"), "the QR code is drawn");
    let code = code_now(app, &secret);
    let (status, page) = post_form(
        app,
        client,
        "/account/second-factor/confirm",
        &[("_csrf", csrf), ("code", &code)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let codes = recovery_codes_on(&page);
    assert_eq!(codes.len(), 10);
    // The code just used is spent: the next login needs the next step's.
    app.clock.advance(Duration::seconds(30));
    (secret, codes)
}

/// A secretary account past its initial password, enrolled.
async fn enrolled(app: &TestApp) -> (Vec<u8>, Vec<String>) {
    let (client, csrf) = app.web_user(LOGIN).await;
    enrol(app, &client, &csrf).await
}

async fn api_login(app: &TestApp, login: &str, password: &str, otp: Option<&str>) -> (u16, Value) {
    let mut body = json!({"login": login, "password": password});
    if let Some(otp) = otp {
        body["otp"] = json!(otp);
    }
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn confirmed(app: &TestApp, login: &str) -> i64 {
    app.db
        .clone()
        .scalar_i64(
            "SELECT COUNT(*) FROM second_factors f JOIN accounts a ON a.id = f.account_id
              WHERE a.login = $1 AND f.confirmed_at IS NOT NULL",
            yici_store::args![login],
        )
        .await
        .unwrap()
}

async fn enrolment_needs_a_right_first_code_and_shows_the_recovery_codes_once(app: TestApp) {
    let (client, csrf) = app.web_user(LOGIN).await;
    let page = app.html(&client, "/account").await;
    assert!(element(&page, "second-factor-status").contains("未启用"));
    // Confirming before starting says what to do.
    let (status, page) = post_form(
        &app,
        &client,
        "/account/second-factor/confirm",
        &[("_csrf", &csrf), ("code", "123456")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(page.contains("请先点击“启用”获取二维码"), "{page}");

    let (status, page) = post_form(
        &app,
        &client,
        "/account/second-factor/start",
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 200);
    let secret = secret_on(&page);
    assert_eq!(secret.len(), totp::SECRET_BYTES);
    assert!(element(&page, "second-factor-status").contains("待确认"));
    // The account page shows the same QR code until it is confirmed.
    assert_eq!(secret_on(&app.html(&client, "/account").await), secret);

    // A wrong code, or one two steps old, confirms nothing.
    let now = app.clock.now().timestamp();
    let stale = totp::code_for_step(&secret, totp::step_at(now) - 2);
    for wrong in [stale.as_str(), "12345", "abcdef"] {
        let (status, page) = post_form(
            &app,
            &client,
            "/account/second-factor/confirm",
            &[("_csrf", &csrf), ("code", wrong)],
        )
        .await;
        assert_eq!(status, 422, "{wrong}");
        let form = element(&page, "confirm-form");
        assert!(
            form.contains("动态口令不正确")
                || form.contains("请输入验证器App上显示的6位数字动态口令"),
            "{form}"
        );
    }
    assert_eq!(confirmed(&app, LOGIN).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 0);

    let code = code_now(&app, &secret);
    let (status, page) = post_form(
        &app,
        &client,
        "/account/second-factor/confirm",
        &[("_csrf", &csrf), ("code", &code)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(element(&page, "done").contains("两步验证已启用"));
    assert!(element(&page, "second-factor-status").contains("已启用"));
    let codes = recovery_codes_on(&page);
    assert_eq!(codes.len(), 10);
    for c in &codes {
        assert!(
            c.len() == 11 && c.as_bytes()[5] == b'-',
            "shown as two groups of five: {c}"
        );
    }
    assert_eq!(confirmed(&app, LOGIN).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL")
            .await,
        10
    );
    // Only hashes are stored, and the codes are never shown again.
    let stored = app
        .db
        .clone()
        .fetch_all("SELECT code_hash FROM recovery_codes", vec![])
        .await
        .unwrap();
    for row in &stored {
        let hash: String = row.get("code_hash").unwrap();
        assert_eq!(hash.len(), 64);
        assert!(codes.iter().all(|c| !hash.contains(&c.replace('-', ""))));
    }
    let again = app.html(&client, "/account").await;
    assert!(!again.contains("id=\"recovery-codes\""));
    assert!(!again.contains(&codes[0]));
    assert!(element(&again, "recovery-left").contains("10 个"));
    // Starting again once confirmed is refused.
    let (status, page) = post_form(
        &app,
        &client,
        "/account/second-factor/start",
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 409);
    assert!(page.contains("两步验证已启用；如需更换手机"));

    // The audit trail has each step, never the secret or a code.
    let audit = app
        .db
        .clone()
        .fetch_all(
            "SELECT action, before_json, after_json FROM audit_log
              WHERE action LIKE 'second_factor.%' ORDER BY seq",
            vec![],
        )
        .await
        .unwrap();
    let actions: Vec<String> = audit.iter().map(|r| r.get("action").unwrap()).collect();
    assert_eq!(actions, ["second_factor.start", "second_factor.confirm"]);
    let b32 = totp::base32_encode(&secret);
    for row in &audit {
        let text = format!(
            "{}{}",
            row.get::<String>("before_json").unwrap(),
            row.get::<String>("after_json").unwrap()
        );
        assert!(!text.contains(&b32) && !text.contains(&b32[..8]), "{text}");
        for c in &codes {
            assert!(!text.contains(c) && !text.contains(&c.replace('-', "")));
        }
    }
}

async fn page_login_asks_for_the_code_in_a_second_step(app: TestApp) {
    let (secret, _) = enrolled(&app).await;
    let client = browser();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("login", LOGIN),
            ("password", NEW_PASSWORD),
            ("next", "/tasks?year=2025"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"],
        "/login/verify?next=%2Ftasks%3Fyear%3D2025"
    );
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert_eq!(cookies.len(), 1, "no session yet: {cookies:?}");
    let step = &cookies[0];
    assert!(step.starts_with("yici_login_step="), "{step}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/login", "Max-Age=300"] {
        assert!(step.contains(attribute), "{attribute} in {step}");
    }
    // No session: the pages still ask for a login.
    let r = client.get(app.url("/people")).send().await.unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    assert_eq!(app.count("SELECT COUNT(*) FROM pending_logins").await, 1);
    let token = &step["yici_login_step=".len()..step.find(';').unwrap()];
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM pending_logins WHERE token_hash = '{}'",
            yici_store::auth::token_hash(token)
        ))
        .await,
        1,
        "only the token's hash is stored"
    );

    let r = client
        .get(app.url("/login/verify?next=%2Ftasks%3Fyear%3D2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    assert!(element(&page, "second-step").contains("动态口令"));
    assert!(page.contains("value=\"/tasks?year=2025\""));

    // A wrong code stays on the step and says how many tries are left.
    let wrong = wrong_code(&app, &secret, 0);
    let (status, page) = post_form(
        &app,
        &client,
        "/login/verify",
        &[("otp", &wrong), ("next", "/tasks?year=2025")],
    )
    .await;
    assert_eq!(status, 401);
    assert!(
        element(&page, "login-error").contains("动态口令或恢复码不正确（再错4次将锁定账号30分钟）"),
        "{page}"
    );
    assert!(page.contains("id=\"second-step\""));

    let code = code_now(&app, &secret);
    let r = client
        .post(app.url("/login/verify"))
        .form(&[("otp", code.as_str()), ("next", "/tasks?year=2025")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/tasks?year=2025");
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("yici_session=")));
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("yici_login_step=;") && c.contains("Max-Age=0")));
    assert_eq!(app.count("SELECT COUNT(*) FROM pending_logins").await, 0);
    let r = client.get(app.url("/people")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);

    // Off-site `next` values are dropped here as on the login form.
    app.clock.advance(Duration::seconds(30));
    let other = browser();
    let (status, _) = post_form(
        &app,
        &other,
        "/login",
        &[
            ("login", LOGIN),
            ("password", NEW_PASSWORD),
            ("next", "//evil.example"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let code = code_now(&app, &secret);
    let r = other
        .post(app.url("/login/verify"))
        .form(&[("otp", code.as_str()), ("next", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    // Without a pending step the form is not shown.
    let r = browser()
        .get(app.url("/login/verify"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login");
}

async fn api_login_takes_the_code_with_the_password(app: TestApp) {
    let (secret, _) = enrolled(&app).await;
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, None).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "second_factor_required");
    assert_eq!(body["field"], "otp");
    // A wrong password is answered as ever, code or not (the password first).
    let code = code_now(&app, &secret);
    let (status, body) = api_login(&app, LOGIN, "Wrong@2025x", Some(&code)).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "invalid_credentials");
    let wrong = wrong_code(&app, &secret, 999_999);
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, Some(&wrong)).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "invalid_second_factor");
    assert_eq!(body["field"], "otp");
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, Some(&code)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["must_enrol_second_factor"], json!(false));
    let token = body["token"].as_str().unwrap();
    assert_eq!(app.get(token, "/api/v1/units").await.0, 200);
    // A code from the step before (a phone a little behind) is still taken.
    app.clock.advance(Duration::seconds(60));
    let behind = totp::code_for_step(&secret, totp::step_at(app.clock.now().timestamp()) - 1);
    assert_eq!(
        api_login(&app, LOGIN, NEW_PASSWORD, Some(&behind)).await.0,
        200
    );
    // Accounts without a second factor need no code.
    app.token("tssytx_s").await;
    assert_eq!(api_login(&app, "tssytx_s", NEW_PASSWORD, None).await.0, 200);
}

async fn wrong_codes_count_toward_the_lock_and_a_code_is_good_once(app: TestApp) {
    let (secret, _) = enrolled(&app).await;
    let code = code_now(&app, &secret);
    assert_eq!(
        api_login(&app, LOGIN, NEW_PASSWORD, Some(&code)).await.0,
        200
    );
    // The same code again — on the API or on the page — is refused.
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, Some(&code)).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "invalid_second_factor");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("该动态口令已使用过"),
        "{body}"
    );
    let client = browser();
    post_form(
        &app,
        &client,
        "/login",
        &[("login", LOGIN), ("password", NEW_PASSWORD)],
    )
    .await;
    let (status, page) = post_form(&app, &client, "/login/verify", &[("otp", &code)]).await;
    assert_eq!(status, 401);
    assert!(page.contains("该动态口令已使用过"), "{page}");
    // Two failures so far (the replays); a wrong password counts with them.
    let (status, body) = api_login(&app, LOGIN, "Wrong@2025x", None).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("再错2次"),
        "{body}"
    );
    let wrong = wrong_code(&app, &secret, 0);
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, Some(&wrong)).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("再错1次"),
        "{body}"
    );
    let wrong = wrong_code(&app, &secret, 1);
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, Some(&wrong)).await;
    assert_eq!(status, 423, "{body}");
    assert_eq!(body["code"], "account_locked");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_locks WHERE login = 'tssytx_dq' AND failures = 5")
            .await,
        1
    );
    // Locked: the right password and a fresh code are refused too, and the
    // page's pending step ended with the lock.
    app.clock.advance(Duration::seconds(30));
    let fresh = code_now(&app, &secret);
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, Some(&fresh)).await;
    assert_eq!(status, 423, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM pending_logins").await, 0);
    let (status, page) = post_form(&app, &client, "/login/verify", &[("otp", &fresh)]).await;
    assert_eq!(status, 401);
    assert!(page.contains("登录验证已超时"), "{page}");
    assert!(page.contains("name=\"password\""), "back on the login form");
    // After the lock the fresh code works.
    app.clock.advance(Duration::minutes(31));
    let code = code_now(&app, &secret);
    assert_eq!(
        api_login(&app, LOGIN, NEW_PASSWORD, Some(&code)).await.0,
        200
    );
}

async fn a_recovery_code_works_once(app: TestApp) {
    let (_, codes) = enrolled(&app).await;
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, Some(&codes[0])).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, Some(&codes[0])).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "invalid_second_factor");
    // On the page, typed in capitals without the hyphen.
    let client = browser();
    post_form(
        &app,
        &client,
        "/login",
        &[("login", LOGIN), ("password", NEW_PASSWORD)],
    )
    .await;
    let typed = codes[1].replace('-', "").to_uppercase();
    let r = client
        .post(app.url("/login/verify"))
        .form(&[("otp", typed.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL")
            .await,
        8
    );
    let page = app.html(&client, "/account").await;
    assert!(element(&page, "recovery-left").contains("8 个"));
    let used = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'second_factor.use_recovery_code'")
        .await;
    assert_eq!(used, 2);
}

async fn switching_off_and_new_recovery_codes_need_a_code_or_the_password(app: TestApp) {
    let (client, csrf) = app.web_user(LOGIN).await;
    let (secret, old_codes) = enrol(&app, &client, &csrf).await;
    // New recovery codes: a wrong credential changes nothing.
    let wrong_totp = wrong_code(&app, &secret, 0);
    for wrong in ["", "Wrong@2025x", wrong_totp.as_str()] {
        let (status, page) = post_form(
            &app,
            &client,
            "/account/second-factor/recovery-codes",
            &[("_csrf", &csrf), ("credential", wrong)],
        )
        .await;
        assert_eq!(status, 422, "{wrong}");
        assert!(element(&page, "regenerate-form").contains("class=\"err\""));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL")
            .await,
        10
    );
    let (status, page) = post_form(
        &app,
        &client,
        "/account/second-factor/recovery-codes",
        &[("_csrf", &csrf), ("credential", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(status, 200);
    let new_codes = recovery_codes_on(&page);
    assert_eq!(new_codes.len(), 10);
    assert!(new_codes.iter().all(|c| !old_codes.contains(c)));
    assert_eq!(
        api_login(&app, LOGIN, NEW_PASSWORD, Some(&old_codes[0]))
            .await
            .0,
        401
    );
    assert_eq!(
        api_login(&app, LOGIN, NEW_PASSWORD, Some(&new_codes[0]))
            .await
            .0,
        200
    );

    // Off with a current code (the step is spent like at login).
    let (status, page) = post_form(
        &app,
        &client,
        "/account/second-factor/disable",
        &[("_csrf", &csrf), ("credential", "Wrong@2025x")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(element(&page, "disable-form").contains("动态口令或登录密码不正确"));
    assert_eq!(confirmed(&app, LOGIN).await, 1);
    let code = code_now(&app, &secret);
    let (status, page) = post_form(
        &app,
        &client,
        "/account/second-factor/disable",
        &[("_csrf", &csrf), ("credential", &code)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(element(&page, "done").contains("两步验证已停用"));
    assert!(element(&page, "second-factor-status").contains("未启用"));
    assert_eq!(app.count("SELECT COUNT(*) FROM second_factors").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('second_factor.disable', 'second_factor.regenerate_recovery_codes')")
            .await,
        2
    );
    // The password alone logs in again.
    let (status, body) = api_login(&app, LOGIN, NEW_PASSWORD, None).await;
    assert_eq!(status, 200, "{body}");
    // Switching off what is off says so.
    let (status, _) = post_form(
        &app,
        &client,
        "/account/second-factor/disable",
        &[("_csrf", &csrf), ("credential", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(status, 409);
    // Re-enrolling gives a new secret; the password works to switch off too.
    let (_, _) = enrol(&app, &client, &csrf).await;
    let (status, _) = post_form(
        &app,
        &client,
        "/account/second-factor/disable",
        &[("_csrf", &csrf), ("credential", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(confirmed(&app, LOGIN).await, 0);
}

async fn the_second_step_expires_after_five_minutes(app: TestApp) {
    let (secret, _) = enrolled(&app).await;
    let client = browser();
    post_form(
        &app,
        &client,
        "/login",
        &[("login", LOGIN), ("password", NEW_PASSWORD)],
    )
    .await;
    app.clock
        .advance(Duration::minutes(5) + Duration::seconds(1));
    let code = code_now(&app, &secret);
    let (status, page) = post_form(&app, &client, "/login/verify", &[("otp", &code)]).await;
    assert_eq!(status, 401);
    assert!(
        element(&page, "login-error").contains("登录验证已超时，请重新输入账号和密码"),
        "{page}"
    );
    // The code was not spent by the expired step: a fresh login takes it.
    assert_eq!(
        api_login(&app, LOGIN, NEW_PASSWORD, Some(&code)).await.0,
        200
    );
}

async fn administrators_are_not_made_to_enrol_unless_configured(app: TestApp) {
    let token = app.token("admin").await;
    let (status, me) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["must_enrol_second_factor"], json!(false));
    assert_eq!(app.get(&token, "/api/v1/units").await.0, 200);
    let (client, _) = app.web_user("admin").await;
    let r = client.get(app.url("/people")).send().await.unwrap();
    assert_eq!(r.url().path(), "/people");
}

/// With `[security] require_second_factor_for_admins`.
mod required {
    use super::*;

    both_databases!(
        config = yici_web::WebConfig {
            auth: yici_store::auth::AuthPolicy { require_second_factor_for_admins: true, ..Default::default() },
            ..Default::default()
        };
        administrators_must_enrol_before_anything_else,
    );

    async fn administrators_must_enrol_before_anything_else(app: TestApp) {
        // The API: the password change first, then enrolment is required.
        let (status, body) = app.api_login("admin", INITIAL).await;
        assert_eq!(status, 200);
        assert_eq!(body["must_change_password"], json!(true));
        let token = app.token("admin").await;
        let (status, body) = app.get(&token, "/api/v1/units").await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["code"], "second_factor_enrolment_required");
        let (status, me) = app.get(&token, "/api/v1/me").await;
        assert_eq!(status, 200);
        assert_eq!(me["must_enrol_second_factor"], json!(true));
        // Other accounts are not concerned.
        let other = app.token("tssytx_dq").await;
        assert_eq!(app.get(&other, "/api/v1/units").await.0, 200);

        // The pages: every page leads to the account page until enrolled.
        let client = browser();
        let r = client
            .post(app.url("/login"))
            .form(&[("login", "admin"), ("password", NEW_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/account");
        let r = client.get(app.url("/people")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/account");
        let page = app.html(&client, "/account").await;
        assert!(element(&page, "enrolment-required").contains("系统要求系统管理员启用两步验证"));
        let csrf = crate::common::csrf_of(&page);
        let (secret, _) = enrol(&app, &client, &csrf).await;
        let r = client.get(app.url("/people")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(!app
            .html(&client, "/account")
            .await
            .contains("enrolment-required"));
        // The bearer token is free now; a new API login needs the code.
        assert_eq!(app.get(&token, "/api/v1/units").await.0, 200);
        assert_eq!(
            api_login(&app, "admin", NEW_PASSWORD, None).await.1["code"],
            "second_factor_required"
        );
        let code = code_now(&app, &secret);
        let (status, body) = api_login(&app, "admin", NEW_PASSWORD, Some(&code)).await;
        assert_eq!(status, 200);
        assert_eq!(body["must_enrol_second_factor"], json!(false));
    }
}
