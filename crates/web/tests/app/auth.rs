//! Authentication: initial password, password rule, lockout, sessions, CSRF.

use crate::common::{element, TestApp, INITIAL, NEW_PASSWORD};
use chrono::Duration;
use serde_json::json;

both_databases!(
    initial_password_must_be_changed_before_anything_else,
    weak_reused_and_wrong_passwords_are_refused,
    five_failures_lock_the_account_for_thirty_minutes,
    unknown_and_known_logins_are_answered_alike,
    sessions_expire_when_idle_and_at_their_absolute_end,
    logout_ends_the_session_on_the_server,
    disabled_people_cannot_log_in_and_lose_their_sessions,
    page_forms_need_the_csrf_token,
    session_cookie_is_httponly_and_samesite,
    health_and_openapi_are_served,
    malformed_requests_get_structured_chinese_errors,
);

/// `[security] idle_minutes` and `absolute_hours` are what the server keeps to.
mod configured_policy {
    use super::*;

    both_databases!(
        config = yici_web::WebConfig {
            auth: yici_store::auth::AuthPolicy {
                idle_timeout: chrono::Duration::minutes(5),
                absolute_timeout: chrono::Duration::hours(1),
                ..Default::default()
            },
            ..Default::default()
        };
        sessions_follow_the_configured_lifetimes
    );

    async fn sessions_follow_the_configured_lifetimes(app: TestApp) {
        let token = app.token("tssytx_dq").await;
        app.clock.advance(Duration::minutes(4));
        assert_eq!(app.get(&token, "/api/v1/me").await.0, 200);
        app.clock.advance(Duration::minutes(6));
        assert_eq!(
            app.get(&token, "/api/v1/me").await.0,
            401,
            "idle 6 > 5 minutes"
        );
        let (_, body) = app.api_login("tssytx_dq", NEW_PASSWORD).await;
        let token = body["token"].as_str().unwrap().to_string();
        for _ in 0..14 {
            app.clock.advance(Duration::minutes(4));
            assert_eq!(app.get(&token, "/api/v1/me").await.0, 200);
        }
        app.clock.advance(Duration::minutes(4));
        assert_eq!(
            app.get(&token, "/api/v1/me").await.0,
            401,
            "past 1 hour in all"
        );
    }
}

async fn initial_password_must_be_changed_before_anything_else(app: TestApp) {
    let (status, body) = app.api_login("tssytx_dq", INITIAL).await;
    assert_eq!(status, 200);
    assert_eq!(body["must_change_password"], json!(true));
    let token = body["token"].as_str().unwrap();
    let (status, body) = app.get(token, "/api/v1/units").await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "password_change_required");
    // `me` still answers, so a client knows what to do.
    let (status, me) = app.get(token, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["principal"]["login"], "tssytx_dq");
    let (status, _) = app
        .send(
            "POST",
            token,
            "/api/v1/auth/password",
            json!({"old_password": INITIAL, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, units) = app.get(token, "/api/v1/units").await;
    assert_eq!(status, 200);
    assert!(units.as_array().unwrap().len() > 25);
    // The old password is gone, the new one works.
    assert_eq!(app.api_login("tssytx_dq", INITIAL).await.0, 401);
    let (status, body) = app.api_login("tssytx_dq", NEW_PASSWORD).await;
    assert_eq!(status, 200);
    assert_eq!(body["must_change_password"], json!(false));

    // The pages force the change too.
    let client = app.web_login("tssytx_s", INITIAL).await;
    let r = client.get(app.url("/people")).send().await.unwrap();
    assert!(
        r.url().path().ends_with("/password"),
        "redirected to {}",
        r.url()
    );
    assert!(r.text().await.unwrap().contains("须先修改密码"));
}

async fn weak_reused_and_wrong_passwords_are_refused(app: TestApp) {
    let (_, body) = app.api_login("tssytx_dq", INITIAL).await;
    let token = body["token"].as_str().unwrap();
    let cases = [
        (
            json!({"old_password": INITIAL, "new_password": "abcdefgh1"}),
            "new_password",
            "weak_password",
            "三项",
        ),
        (
            json!({"old_password": INITIAL, "new_password": "Ab1!"}),
            "new_password",
            "weak_password",
            "长度",
        ),
        (
            json!({"old_password": INITIAL, "new_password": INITIAL}),
            "new_password",
            "reused_password",
            "不能与最近",
        ),
        (
            json!({"old_password": "Wrong@123", "new_password": NEW_PASSWORD}),
            "old_password",
            "wrong_password",
            "旧密码不正确",
        ),
        (
            json!({"old_password": INITIAL, "new_password": NEW_PASSWORD, "repeat_password": "Other@2025"}),
            "repeat_password",
            "mismatch",
            "不一致",
        ),
    ];
    for (req, field, code, text) in cases {
        let (status, body) = app
            .send("POST", token, "/api/v1/auth/password", req.clone())
            .await;
        assert_eq!(status, 422, "{req}: {body}");
        assert_eq!(body["field"], field, "{req}");
        assert_eq!(body["code"], code, "{req}");
        assert!(body["message"].as_str().unwrap().contains(text), "{body}");
    }
    // Nothing was written: still the initial password.
    assert_eq!(app.api_login("tssytx_dq", INITIAL).await.0, 200);
}

async fn five_failures_lock_the_account_for_thirty_minutes(app: TestApp) {
    for i in 1..=4 {
        let (status, body) = app.api_login("tssytx_dq", "Wrong@123").await;
        assert_eq!(status, 401, "attempt {i}");
        assert_eq!(body["code"], "invalid_credentials");
    }
    let (status, body) = app.api_login("tssytx_dq", "Wrong@123").await;
    assert_eq!(status, 423, "{body}");
    assert_eq!(body["code"], "account_locked");
    // Locked: even the right password is refused.
    let (status, body) = app.api_login("tssytx_dq", INITIAL).await;
    assert_eq!(status, 423);
    assert!(body["message"].as_str().unwrap().contains("锁定"));
    // Another account is not affected.
    assert_eq!(app.api_login("tssytx_s", INITIAL).await.0, 200);
    app.clock.advance(Duration::minutes(29));
    assert_eq!(app.api_login("tssytx_dq", INITIAL).await.0, 423);
    app.clock.advance(Duration::minutes(2));
    assert_eq!(app.api_login("tssytx_dq", INITIAL).await.0, 200);
    // Failures spread over more than 15 minutes don't lock.
    for _ in 0..4 {
        assert_eq!(app.api_login("tssytx_s", "Wrong@123").await.0, 401);
        app.clock.advance(Duration::minutes(5));
    }
    assert_eq!(app.api_login("tssytx_s", "Wrong@123").await.0, 401);
}

/// SEC-2: the answers to a login name with an account and to one without
/// are the same, byte for byte, through every failure up to the lock and
/// after it (with the right password too), on the API and on the page.
async fn unknown_and_known_logins_are_answered_alike(app: TestApp) {
    let attempts = |right: &'static str| {
        let mut passwords = vec!["Wrong@123"; 6];
        passwords.push(right);
        passwords
    };
    async fn api(app: &TestApp, login: &str, passwords: &[&str]) -> Vec<(u16, String)> {
        let mut answers = Vec::new();
        for password in passwords {
            let r = app
                .http
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"login": login, "password": password}))
                .send()
                .await
                .unwrap();
            answers.push((r.status().as_u16(), r.text().await.unwrap()));
        }
        answers
    }
    async fn page(app: &TestApp, login: &str, passwords: &[&str]) -> Vec<(u16, String)> {
        let mut answers = Vec::new();
        for password in passwords {
            let r = app
                .http
                .post(app.url("/login"))
                .form(&[("login", login), ("password", password)])
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let html = r.text().await.unwrap();
            answers.push((status, element(&html, "login-error").to_string()));
        }
        answers
    }

    let known = api(&app, "tssytx_dq", &attempts(INITIAL)).await;
    let unknown = api(&app, "tssytx_zz", &attempts(INITIAL)).await;
    assert_eq!(known, unknown);
    let statuses: Vec<u16> = known.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 423, 423, 423]);
    assert!(
        known[0].1.contains("再错4次将锁定账号30分钟"),
        "{}",
        known[0].1
    );
    assert!(known[4].1.contains("account_locked"), "{}", known[4].1);

    let known = page(&app, "tssytx_s", &attempts(INITIAL)).await;
    let unknown = page(&app, "13900009999", &attempts(INITIAL)).await;
    assert_eq!(known, unknown);
    assert!(known[3].1.contains("再错1次"), "{}", known[3].1);
    assert!(known[6].1.contains("已被锁定"), "{}", known[6].1);

    // Both locks end alike after 30 minutes; the account works again.
    app.clock.advance(Duration::minutes(31));
    assert_eq!(app.api_login("tssytx_dq", INITIAL).await.0, 200);
    let (status, body) = app.api_login("tssytx_zz", "Wrong@123").await;
    assert_eq!(
        (status, body["code"].clone()),
        (401, json!("invalid_credentials"))
    );
}

async fn sessions_expire_when_idle_and_at_their_absolute_end(app: TestApp) {
    let token = app.token("tssytx_dq").await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(app.get(&token, "/api/v1/me").await.0, 200);
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.get(&token, "/api/v1/me").await.0,
        200,
        "activity keeps it alive"
    );
    app.clock.advance(Duration::minutes(31));
    let (status, body) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthenticated");

    // Active every 20 minutes, it still ends 12 hours after login.
    let (_, body) = app.api_login("tssytx_dq", NEW_PASSWORD).await;
    let token = body["token"].as_str().unwrap().to_string();
    for _ in 0..35 {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(app.get(&token, "/api/v1/me").await.0, 200);
    }
    app.clock.advance(Duration::minutes(20));
    assert_eq!(app.get(&token, "/api/v1/me").await.0, 401);
}

async fn logout_ends_the_session_on_the_server(app: TestApp) {
    let token = app.token("tssytx_dq").await;
    let r = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(app.get(&token, "/api/v1/me").await.0, 401);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn disabled_people_cannot_log_in_and_lose_their_sessions(app: TestApp) {
    let dept = app.department("玉田县分局", "大气股").await;
    let secretary = app.token("tssytx_dq").await;
    let member = app.person_of(&secretary, dept, false).await;
    let mobile = member["mobile"].as_str().unwrap();
    let member_token = app.token(mobile).await;
    assert_eq!(app.get(&member_token, "/api/v1/me").await.0, 200);

    let mut edit = member.clone();
    edit["status"] = json!("disabled");
    let (status, body) = app
        .send(
            "PUT",
            &secretary,
            &format!("/api/v1/people/{}", member["id"]),
            edit,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        app.get(&member_token, "/api/v1/me").await.0,
        401,
        "open session ended"
    );
    let (status, body) = app.api_login(mobile, NEW_PASSWORD).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "account_disabled");
}

async fn page_forms_need_the_csrf_token(app: TestApp) {
    let client = app.web_login("tssytx_dq", INITIAL).await;
    let page = client
        .get(app.url("/password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::common::csrf_of(&page);
    let form = [
        ("old_password", INITIAL),
        ("new_password", NEW_PASSWORD),
        ("repeat_password", NEW_PASSWORD),
    ];
    let r = client
        .post(app.url("/password"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("页面已过期"));
    let mut with_wrong = form.to_vec();
    with_wrong.push((
        "_csrf",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ));
    assert_eq!(
        client
            .post(app.url("/password"))
            .form(&with_wrong)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    // Nothing changed.
    assert_eq!(app.api_login("tssytx_dq", INITIAL).await.0, 200);
    let mut with_right = form.to_vec();
    with_right.push(("_csrf", &csrf));
    let r = client
        .post(app.url("/password"))
        .form(&with_right)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(app.api_login("tssytx_dq", NEW_PASSWORD).await.0, 200);
}

async fn session_cookie_is_httponly_and_samesite(app: TestApp) {
    let r = app
        .http
        .post(app.url("/login"))
        .form(&[("login", "tssytx_dq"), ("password", INITIAL)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(r.headers()["location"], "/password");
    // A wrong password shows a Chinese message on the login page.
    let r = app
        .http
        .post(app.url("/login"))
        .form(&[("login", "tssytx_dq"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.text().await.unwrap().contains("账号或密码错误"));
}

async fn health_and_openapi_are_served(app: TestApp) {
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let doc: serde_json::Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/departments/{id}/people",
        "/api/v1/people/{id}",
        "/api/v1/units",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
}

async fn malformed_requests_get_structured_chinese_errors(app: TestApp) {
    let token = app.token("tssytx_dq").await;
    let checks = [
        app.http
            .post(app.url("/api/v1/auth/login"))
            .body("{not json")
            .header("content-type", "application/json"),
        app.http.post(app.url("/api/v1/auth/login")).body("login=x"),
        app.http
            .get(app.url("/api/v1/people/abc"))
            .bearer_auth(&token),
        app.http
            .get(app.url("/api/v1/departments/1/people?status=1&name"))
            .bearer_auth(&token)
            .query(&[("x", "y")]),
        app.http
            .get(app.url("/api/v1/nothing-here"))
            .bearer_auth(&token),
    ];
    let mut codes = Vec::new();
    for req in checks {
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.expect("a JSON error body");
        assert!(status >= 400, "{body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{body}"
        );
        codes.push(body["code"].as_str().unwrap().to_string());
    }
    assert_eq!(codes[0], "invalid_body");
    assert_eq!(codes[1], "invalid_body");
    assert_eq!(codes[2], "invalid_path");
    assert_eq!(codes[4], "not_found");
    let r = app.http.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.text().await.unwrap().contains("找不到页面"));
}
