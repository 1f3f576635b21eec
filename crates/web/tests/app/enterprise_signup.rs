//! Enterprise accounts only with proof of control (SEC-5): a code sent to
//! the registry's contact mobile, or activation by the department after a
//! request (申请开通). Anonymous answers never tell what the registry holds;
//! codes expire, die after five tries and are kept hashed; anonymous
//! requests are limited per address and per USCC in the database.

use serde_json::{json, Value};
use yici_domain::field::sign_up::{CODE_SENT, REQUEST_RECEIVED};
use yici_store::Exec;
use yici_web::WebConfig;

use crate::common::{
    bearer, contact_phone, csrf_of, element, secretary_token, sign_up_by_code,
    sign_up_code_sent_to, TestApp, ENTERPRISE_PASSWORD, NEW_PASSWORD, YUTIAN,
};

// The tests ask many times from one address: their server allows plenty;
// the rate-limit test starts instances with the default limits.
both_databases!(config = crate::enterprise_signup::generous_limits();
    every_anonymous_answer_is_the_same_and_only_a_match_sends_a_code,
    a_code_to_the_registrys_mobile_opens_the_account,
    wrong_codes_are_refused_alike_and_the_fifth_try_voids_the_code,
    expired_and_superseded_codes_are_refused,
    anonymous_requests_are_limited_per_address_and_per_uscc,
    the_department_activates_a_request_and_the_enterprise_changes_the_password,
    requests_are_rejected_with_a_reason_and_kept_within_the_unit,
);

/// Limits high enough for a test that asks many times from one address.
pub fn generous_limits() -> WebConfig {
    WebConfig {
        sign_up: yici_domain::field::sign_up::SignUpLimits {
            per_address_per_hour: 100,
            per_uscc_per_hour: 100,
        },
        ..WebConfig::default()
    }
}

/// A well-formed USCC registered in 玉田县 that the registry does not hold.
fn unknown_uscc(n: u32) -> String {
    let first17 = format!("91130229MA0XY{n:03}Q");
    let check = yici_domain::registry::uscc::Uscc::check_char(&first17).unwrap();
    format!("{first17}{check}")
}

/// POST a JSON body anonymously: status and the raw body.
async fn post(app: &TestApp, path: &str, body: Value) -> (u16, String) {
    let r = app
        .http
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn request_code(app: &TestApp, uscc: &str, name: &str) -> (u16, String) {
    post(
        app,
        "/api/v1/enterprise/sign-up/code",
        json!({"uscc": uscc, "enterprise_name": name}),
    )
    .await
}

async fn sign_up(app: &TestApp, uscc: &str, code: &str) -> (u16, Value) {
    let (s, b) = post(
        app,
        "/api/v1/enterprise/sign-up",
        json!({"uscc": uscc, "code": code, "password": ENTERPRISE_PASSWORD}),
    )
    .await;
    (s, serde_json::from_str(&b).unwrap_or(Value::Null))
}

async fn codes_sent(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM sms_outbox WHERE template = 'sign_up_code'")
        .await
}

async fn enterprise_accounts(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM accounts WHERE kind = 'enterprise'")
        .await
}

/// A code that is not `code`.
fn other_than(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

fn accepted(message: &str) -> String {
    json!({ "message": message }).to_string()
}

async fn a_code_to_the_registrys_mobile_opens_the_account(app: TestApp) {
    let id = app.first_enterprise().await;
    let (uscc, name) = app.uscc_and_name(id).await;
    let mobile = contact_phone(&app, id).await;
    let (s, body) = request_code(&app, &uscc.to_lowercase(), &format!(" {name} ")).await;
    assert_eq!((s, body), (202, accepted(CODE_SENT)));
    let sms = app
        .db
        .clone()
        .fetch_one(
            "SELECT mobile, params_json, body FROM sms_outbox WHERE template = 'sign_up_code'",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(sms.get::<String>("mobile").unwrap(), mobile);
    let code = sign_up_code_sent_to(&app, &mobile).await.unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        sms.get::<String>("params_json").unwrap(),
        json!({ "code": code }).to_string()
    );
    assert!(sms.get::<String>("body").unwrap().contains("10分钟内有效"));
    // Only a salted hash of the code is stored.
    let stored = app
        .db
        .clone()
        .fetch_one("SELECT code_hash, salt, mobile FROM sign_up_codes", vec![])
        .await
        .unwrap();
    let hash: String = stored.get("code_hash").unwrap();
    assert!(!hash.contains(&code) && hash.len() == 64);
    assert_eq!(stored.get::<String>("mobile").unwrap(), mobile);

    // A weak password is refused before the code is tried.
    let (s, b) = post(
        &app,
        "/api/v1/enterprise/sign-up",
        json!({"uscc": uscc, "code": code, "password": "abcdefgh"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(b.contains("weak_password"), "{b}");
    assert_eq!(
        app.count("SELECT attempts FROM sign_up_codes").await,
        0,
        "no try used"
    );

    let (s, b) = sign_up(&app, &uscc.to_lowercase(), &code).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["login"], json!(uscc));
    let account = app
        .db
        .clone()
        .fetch_one(
            "SELECT enterprise_id, contact_mobile, must_change_password FROM accounts WHERE login = $1",
            yici_store::args![&uscc],
        )
        .await
        .unwrap();
    assert_eq!(account.get::<i64>("enterprise_id").unwrap(), id);
    assert_eq!(
        account.get::<String>("contact_mobile").unwrap(),
        mobile,
        "the mobile the code proved"
    );
    assert!(!account.get::<bool>("must_change_password").unwrap());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_up_codes WHERE used_at IS NOT NULL AND attempts = 1")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'account.enterprise_sign_up'
                AND after_json LIKE '%sms_code%'"
        )
        .await,
        1
    );
    let (s, b) = app.api_login(&uscc, ENTERPRISE_PASSWORD).await;
    assert_eq!(s, 200, "{b}");
    // The code is spent; asking again for a registered enterprise sends nothing.
    let (s, b) = sign_up(&app, &uscc, &code).await;
    assert_eq!((s, b["code"].as_str()), (422, Some("wrong_code")), "{b}");
    let (s, body) = request_code(&app, &uscc, &name).await;
    assert_eq!((s, body), (202, accepted(CODE_SENT)));
    assert_eq!(codes_sent(&app).await, 1);
    assert_eq!(enterprise_accounts(&app).await, 1);
}

async fn every_anonymous_answer_is_the_same_and_only_a_match_sends_a_code(app: TestApp) {
    let ids = app.yutian_enterprises(40).await;
    let (matching, no_mobile, landline, registered) = (ids[0], ids[1], ids[2], ids[3]);
    app.execute(
        "UPDATE enterprises SET contact_phone = NULL WHERE id = $1",
        yici_store::args![no_mobile],
    )
    .await;
    app.execute(
        "UPDATE enterprises SET contact_phone = '0315-6112345' WHERE id = $1",
        yici_store::args![landline],
    )
    .await;
    sign_up_by_code(&app, registered).await;
    let sent_before = codes_sent(&app).await;
    let (uscc, name) = app.uscc_and_name(matching).await;
    let cases = [
        ("unknown USCC", unknown_uscc(1), name.clone()),
        ("wrong name", uscc.clone(), "唐山某某有限公司".to_string()),
        (
            "no mobile",
            app.uscc_and_name(no_mobile).await.0,
            app.uscc_and_name(no_mobile).await.1,
        ),
        (
            "landline",
            app.uscc_and_name(landline).await.0,
            app.uscc_and_name(landline).await.1,
        ),
        (
            "registered",
            app.uscc_and_name(registered).await.0,
            app.uscc_and_name(registered).await.1,
        ),
    ];
    let (s, expected) = request_code(&app, &uscc, &name).await;
    assert_eq!((s, expected.as_str()), (202, accepted(CODE_SENT).as_str()));
    assert_eq!(codes_sent(&app).await, sent_before + 1, "the match sends");
    for (what, u, n) in &cases {
        let (s, body) = request_code(&app, u, n).await;
        assert_eq!((s, &body), (202, &expected), "{what}: byte for byte");
        // The page answers alike too: on to step 2 with the same words.
        let r = app
            .http
            .post(app.url("/e/signup"))
            .form(&[("uscc", u.as_str()), ("enterprise_name", n.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{what}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(
            location,
            format!("/e/signup/verify?sent=1&uscc={u}"),
            "{what}"
        );
        let page = app.http.get(app.url(&location)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        assert!(element(&page.text().await.unwrap(), "code-sent").contains(CODE_SENT));
    }
    assert_eq!(
        codes_sent(&app).await,
        sent_before + 1,
        "no other code sent"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_up_codes").await,
        sent_before + 1
    );
    // Step 2 without any code reads as a wrong code.
    let (s, b) = sign_up(&app, &unknown_uscc(1), "123456").await;
    assert_eq!((s, b["code"].as_str()), (422, Some("wrong_code")));
    assert_eq!(b["message"], "验证码错误或已过期");

    // The activation request is answered alike, known or not, and kept.
    let mut answers = Vec::new();
    for (u, n) in [
        (uscc.clone(), name.clone()),
        (unknown_uscc(2), "某公司".into()),
    ] {
        let (s, b) = post(
            &app,
            "/api/v1/enterprise/activation-requests",
            json!({"uscc": u, "enterprise_name": n, "applicant_name": "王某",
                   "mobile": "13700001111", "note": ""}),
        )
        .await;
        assert_eq!(s, 202);
        answers.push(b);
        let r = app
            .http
            .post(app.url("/e/activation"))
            .form(&[
                ("uscc", u.as_str()),
                ("enterprise_name", n.as_str()),
                ("applicant_name", "王某"),
                ("mobile", "13700001111"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(element(&r.text().await.unwrap(), "request-received").contains(REQUEST_RECEIVED));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], accepted(REQUEST_RECEIVED));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM activation_requests WHERE status = 'pending'")
            .await,
        4
    );
    // Malformed input is refused (it tells nothing about the registry) and writes nothing.
    let (s, b) = post(
        &app,
        "/api/v1/enterprise/activation-requests",
        json!({"uscc": uscc, "enterprise_name": name, "applicant_name": "王某", "mobile": "139"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(b.contains("invalid_mobile"), "{b}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM activation_requests").await,
        4
    );
}

async fn wrong_codes_are_refused_alike_and_the_fifth_try_voids_the_code(app: TestApp) {
    let id = app.first_enterprise().await;
    let (uscc, name) = app.uscc_and_name(id).await;
    request_code(&app, &uscc, &name).await;
    let code = sign_up_code_sent_to(&app, &contact_phone(&app, id).await)
        .await
        .unwrap();
    let (_, never_asked) = sign_up(&app, &unknown_uscc(3), "123456").await;
    for attempt in 1..=5 {
        let (s, b) = sign_up(&app, &uscc, other_than(&code)).await;
        assert_eq!(s, 422, "try {attempt}");
        assert_eq!(b, never_asked, "try {attempt}: the same refusal");
    }
    let row = app
        .db
        .clone()
        .fetch_one("SELECT attempts, voided_at FROM sign_up_codes", vec![])
        .await
        .unwrap();
    assert_eq!(row.get::<i64>("attempts").unwrap(), 5);
    assert!(row
        .get::<Option<chrono::DateTime<chrono::Utc>>>("voided_at")
        .unwrap()
        .is_some());
    // The right code is too late now.
    let (s, b) = sign_up(&app, &uscc, &code).await;
    assert_eq!((s, &b), (422, &never_asked));
    assert_eq!(enterprise_accounts(&app).await, 0, "nothing half-written");
    // A new code works.
    request_code(&app, &uscc, &name).await;
    let code = sign_up_code_sent_to(&app, &contact_phone(&app, id).await)
        .await
        .unwrap();
    let (s, b) = sign_up(&app, &uscc, &code).await;
    assert_eq!(s, 201, "{b}");

    // The page shows the refusal beside the code field.
    let other = app.yutian_enterprises(40).await[1];
    let (uscc, _) = app.uscc_and_name(other).await;
    let r = app
        .http
        .post(app.url("/e/signup/verify"))
        .form(&[
            ("uscc", uscc.as_str()),
            ("code", "123456"),
            ("password", ENTERPRISE_PASSWORD),
            ("repeat_password", ENTERPRISE_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap();
    assert!(element(&page, "err-code").contains("验证码错误或已过期"));
    assert_eq!(enterprise_accounts(&app).await, 1);
}

async fn expired_and_superseded_codes_are_refused(app: TestApp) {
    let id = app.first_enterprise().await;
    let (uscc, name) = app.uscc_and_name(id).await;
    let mobile = contact_phone(&app, id).await;
    request_code(&app, &uscc, &name).await;
    let first = sign_up_code_sent_to(&app, &mobile).await.unwrap();
    app.clock
        .advance(chrono::Duration::minutes(10) + chrono::Duration::seconds(1));
    let (s, b) = sign_up(&app, &uscc, &first).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("wrong_code")),
        "expired"
    );
    assert_eq!(
        app.count("SELECT attempts FROM sign_up_codes").await,
        0,
        "an expired code takes no tries"
    );
    // Asking again voids the previous code; the newest one opens the account.
    request_code(&app, &uscc, &name).await;
    let second = sign_up_code_sent_to(&app, &mobile).await.unwrap();
    request_code(&app, &uscc, &name).await;
    let third = sign_up_code_sent_to(&app, &mobile).await.unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_up_codes WHERE voided_at IS NULL")
            .await,
        1
    );
    if second != third {
        let (s, _) = sign_up(&app, &uscc, &second).await;
        assert_eq!(s, 422, "superseded");
    }
    assert_eq!(enterprise_accounts(&app).await, 0);
    let (s, b) = sign_up(&app, &uscc, &third).await;
    assert_eq!(s, 201, "{b}");
}

async fn anonymous_requests_are_limited_per_address_and_per_uscc(app: TestApp) {
    let id = app.first_enterprise().await;
    let (uscc, name) = app.uscc_and_name(id).await;
    // An instance with the default limits, on the same database.
    let strict = app.instance(WebConfig::default()).await;
    // Per USCC: 3 an hour, so nobody floods the enterprise's phone.
    for _ in 0..3 {
        assert_eq!(request_code(&strict, &uscc, &name).await.0, 202);
    }
    let (s, b) = request_code(&strict, &uscc, &name).await;
    assert_eq!(s, 429);
    let b: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(b["code"], "rate_limited");
    assert_eq!(b["message"], "请求过于频繁，请稍后再试");
    assert_eq!(codes_sent(&app).await, 3, "no fourth SMS");
    // Per address: 10 an hour, code and activation requests together (the
    // refused one above counted too).
    for n in 0..6 {
        assert_eq!(
            request_code(&strict, &unknown_uscc(n), "某公司").await.0,
            202
        );
    }
    let (s, _) = request_code(&strict, &unknown_uscc(7), "某公司").await;
    assert_eq!(s, 429);
    let (s, b) = post(
        &strict,
        "/api/v1/enterprise/activation-requests",
        json!({"uscc": unknown_uscc(8), "enterprise_name": "某公司", "applicant_name": "王某",
               "mobile": "13700001111"}),
    )
    .await;
    assert_eq!(s, 429, "{b}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM activation_requests").await,
        0
    );
    // The page says it in Chinese, with 429.
    let r = strict
        .http
        .post(strict.url("/e/signup"))
        .form(&[
            ("uscc", unknown_uscc(9).as_str()),
            ("enterprise_name", "某公司"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(element(&r.text().await.unwrap(), "signup-error").contains("请求过于频繁"));
    // The count is in the database: another instance refuses the address too.
    let other = app.instance(WebConfig::default()).await;
    assert_eq!(
        request_code(&other, &unknown_uscc(10), "某公司").await.0,
        429
    );
    // An hour later the windows start afresh.
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(request_code(&strict, &uscc, &name).await.0, 202);
    assert_eq!(codes_sent(&app).await, 4);
}

/// Yutian's enterprise without a mobile in the registry asks for activation.
async fn activation_request(app: &TestApp, enterprise: i64, mobile: &str) -> i64 {
    let (uscc, name) = app.uscc_and_name(enterprise).await;
    let (s, b) = post(
        app,
        "/api/v1/enterprise/activation-requests",
        json!({"uscc": uscc, "enterprise_name": name, "applicant_name": "李娜",
               "mobile": mobile, "note": "名录中的联系人已离职"}),
    )
    .await;
    assert_eq!(s, 202, "{b}");
    app.count(&format!(
        "SELECT MAX(id) FROM activation_requests WHERE uscc = '{uscc}'"
    ))
    .await
}

async fn the_department_activates_a_request_and_the_enterprise_changes_the_password(app: TestApp) {
    let id = app.first_enterprise().await;
    app.execute(
        "UPDATE enterprises SET contact_phone = NULL WHERE id = $1",
        yici_store::args![id],
    )
    .await;
    let (uscc, name) = app.uscc_and_name(id).await;
    let request = activation_request(&app, id, "13700002222").await;
    let (s, _) = post(
        &app,
        "/api/v1/enterprise/activation-requests",
        json!({"uscc": unknown_uscc(4), "enterprise_name": "未登记有限公司",
               "applicant_name": "赵六", "mobile": "13700003333"}),
    )
    .await;
    assert_eq!(s, 202);
    let unknown = app.count("SELECT MAX(id) FROM activation_requests").await;

    // A plain inspector may not; Yutian's registry editor sees both.
    let air = app.department(YUTIAN, "大气股").await;
    let admin = app.admin_mobile(air).await;
    let officer = app
        .officers(YUTIAN, "大气股")
        .await
        .into_iter()
        .map(|(_, m)| m)
        .find(|m| *m != admin)
        .unwrap();
    let inspector = bearer(&app, &officer).await;
    assert_eq!(
        app.get(&inspector, "/api/v1/activation-requests").await.0,
        403
    );
    let editor = secretary_token(&app, YUTIAN, "大气股").await;
    let (s, list) = app.get(&editor, "/api/v1/activation-requests").await;
    assert_eq!(s, 200, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let known = list.iter().find(|r| r["id"] == json!(request)).unwrap();
    assert_eq!(known["registry"]["name"], json!(name));
    assert_eq!(known["registry"]["name_matches"], json!(true));
    assert_eq!(known["status"], "pending");
    let stranger = list.iter().find(|r| r["id"] == json!(unknown)).unwrap();
    assert_eq!(
        stranger["registry"],
        Value::Null,
        "shown as not in the registry"
    );

    // Not in the registry: refused, nothing written.
    let (s, b) = app
        .send(
            "POST",
            &editor,
            &format!("/api/v1/activation-requests/{unknown}/activate"),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("not_in_registry")),
        "{b}"
    );
    assert_eq!(enterprise_accounts(&app).await, 0);

    let (s, done) = app
        .send(
            "POST",
            &editor,
            &format!("/api/v1/activation-requests/{request}/activate"),
            json!({}),
        )
        .await;
    assert_eq!(s, 201, "{done}");
    assert_eq!(done["login"], json!(uscc));
    assert_eq!(done["request"]["status"], "activated");
    let initial = done["initial_password"].as_str().unwrap().to_string();
    assert!(yici_domain::org::password::check_strength(&initial, "p").is_ok());
    let account = app
        .db
        .clone()
        .fetch_one(
            "SELECT contact_mobile, must_change_password, password_hash FROM accounts WHERE login = $1",
            yici_store::args![&uscc],
        )
        .await
        .unwrap();
    assert_eq!(
        account.get::<String>("contact_mobile").unwrap(),
        "13700002222"
    );
    assert!(account.get::<bool>("must_change_password").unwrap());
    assert!(!account
        .get::<String>("password_hash")
        .unwrap()
        .contains(&initial));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM activation_requests WHERE id = {request}
                AND account_id IS NOT NULL AND decided_by_name IS NOT NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN
                ('enterprise.activation_decision', 'account.enterprise_sign_up')"
        )
        .await,
        2
    );
    // Twice is refused.
    let (s, b) = app
        .send(
            "POST",
            &editor,
            &format!("/api/v1/activation-requests/{request}/activate"),
            json!({}),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("already_decided")));

    // The enterprise logs in with the initial password and must change it.
    let (s, b) = app.api_login(&uscc, &initial).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["must_change_password"], json!(true));
    let token = b["token"].as_str().unwrap().to_string();
    let (s, b) = app.get(&token, "/api/v1/enterprise/inspections").await;
    assert_eq!(
        (s, b["code"].as_str()),
        (403, Some("password_change_required"))
    );
    let (s, _) = app
        .send(
            "POST",
            &token,
            "/api/v1/auth/password",
            json!({"old_password": initial, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(s, 204);
    let (s, home) = app.get(&token, "/api/v1/enterprise/inspections").await;
    assert_eq!(s, 200, "{home}");
    assert_eq!(home["enterprise"]["uscc"], json!(uscc));
    // An enterprise account never reaches the officers' routes.
    let (s, b) = app.get(&token, "/api/v1/activation-requests").await;
    assert_eq!((s, b["code"].as_str()), (403, Some("staff_only")));

    // On the page: the list, the 待办 line, and 开通 showing the password once.
    let second = app.yutian_enterprises(40).await[1];
    let pending = activation_request(&app, second, "13700004444").await;
    let login = app.secretary(air).await;
    let (web, _) = app.web_user(&login).await;
    let home = app.html(&web, "/").await;
    assert!(
        element(&home, "activations-pending").contains("2"),
        "{home}"
    );
    let page = app.html(&web, "/enterprise-accounts").await;
    let table = element(&page, "activation-requests");
    assert!(table.contains("企业名录中无此代码") && table.contains("名称一致"));
    assert!(table.contains("已开通"));
    let r = web
        .post(app.url(&format!("/enterprise-accounts/{pending}/activate")))
        .form(&[("_csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let shown = r.text().await.unwrap();
    let password = element(&shown, "initial-password");
    let (second_uscc, _) = app.uscc_and_name(second).await;
    let initial = password
        .split('>')
        .nth(1)
        .and_then(|t| t.split('<').next())
        .unwrap()
        .to_string();
    let (s, b) = app.api_login(&second_uscc, &initial).await;
    assert_eq!(
        (s, b["must_change_password"].clone()),
        (200, json!(true)),
        "{b}"
    );
    let again = app.html(&web, "/enterprise-accounts").await;
    assert!(!again.contains(&initial), "shown once");
}

async fn requests_are_rejected_with_a_reason_and_kept_within_the_unit(app: TestApp) {
    let id = app.first_enterprise().await;
    let request = activation_request(&app, id, "13700005555").await;
    let path = format!("/api/v1/activation-requests/{request}/reject");
    let editor = secretary_token(&app, YUTIAN, "大气股").await;
    // Another county's editor: the request does not exist for it.
    let gaocheng = bearer(&app, "sjzsgcq_dq").await;
    for action in ["reject", "activate"] {
        let (s, b) = app
            .send(
                "POST",
                &gaocheng,
                &format!("/api/v1/activation-requests/{request}/{action}"),
                json!({"reason": "不是本辖区"}),
            )
            .await;
        assert_eq!(s, 404, "{action}: {b}");
    }
    let (s, list) = app.get(&gaocheng, "/api/v1/activation-requests").await;
    assert_eq!((s, list), (200, json!([])));
    // A missing id answers alike.
    let (s, _) = app
        .send(
            "POST",
            &editor,
            "/api/v1/activation-requests/999999/reject",
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, 404);
    // A reason is required; nothing changes without one.
    let (s, b) = app
        .send("POST", &editor, &path, json!({"reason": "  "}))
        .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("reason")), "{b}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM activation_requests WHERE status = 'pending'")
            .await,
        1
    );
    let (s, b) = app
        .send(
            "POST",
            &editor,
            &path,
            json!({"reason": "电话核实，申请人非企业工作人员"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "rejected");
    assert_eq!(b["reject_reason"], "电话核实，申请人非企业工作人员");
    assert_eq!(enterprise_accounts(&app).await, 0);
    let (s, b) = app
        .send("POST", &editor, &path, json!({"reason": "再次"}))
        .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("already_decided")));
    let (_, rejected) = app
        .get(&editor, "/api/v1/activation-requests?status=rejected")
        .await;
    assert_eq!(rejected.as_array().unwrap().len(), 1);
    let (_, pending) = app
        .get(&editor, "/api/v1/activation-requests?status=pending")
        .await;
    assert_eq!(pending, json!([]));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'enterprise.activation_decision'")
            .await,
        1
    );

    // On the page a missing reason is said beside the row.
    let second = app.yutian_enterprises(40).await[1];
    let pending = activation_request(&app, second, "13700006666").await;
    let (web, csrf) = app
        .web_user(&app.secretary(app.department(YUTIAN, "大气股").await).await)
        .await;
    let r = web
        .post(app.url(&format!("/enterprise-accounts/{pending}/reject")))
        .form(&[("_csrf", csrf.as_str()), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("请填写驳回原因"));
    let r = web
        .post(app.url(&format!("/enterprise-accounts/{pending}/reject")))
        .form(&[("_csrf", csrf.as_str()), ("reason", "企业名称与证照不符")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.url().query(),
        Some(format!("rejected={pending}").as_str())
    );
    let page = r.text().await.unwrap();
    assert!(element(&page, "rejected-alert").contains("已驳回"));
    assert!(element(&page, "activation-requests").contains("企业名称与证照不符"));
}
