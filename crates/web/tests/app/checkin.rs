//! The check-in of a visit (APP-2) and the enterprise app (APP-7) through
//! the API and the pages: signed, expiring codes told apart from stale and
//! tampered ones; confirmation by the inspected enterprise only, once;
//! 跳过 only with a reason; enterprise sign-up (by a code to the registry's mobile).

use crate::common::{
    bearer, enterprise_token, sign_up_by_code, visit, TestApp, ENTERPRISE_PASSWORD, NEW_PASSWORD,
};
use chrono::Duration;
use serde_json::{json, Value};
use yici_store::Exec;

both_databases!(
    codes_are_genuine_then_expired_and_tampered_ones_invalid,
    only_the_inspected_enterprise_confirms_and_only_once,
    skipping_needs_a_reason_and_only_inspectors_get_codes,
    enterprises_sign_up_by_code_and_see_their_own_history,
    the_phone_pages_show_tasks_codes_and_verdicts,
);

async fn code(app: &TestApp, token: &str, task: i64) -> (u16, Value) {
    app.send(
        "POST",
        token,
        &format!("/api/v1/field/tasks/{task}/check-in-code"),
        json!({}),
    )
    .await
}

async fn verify(app: &TestApp, token: &str) -> Value {
    let r = app
        .http
        .get(app.url("/api/v1/check-in/verify"))
        .query(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.unwrap()
}

async fn codes_are_genuine_then_expired_and_tampered_ones_invalid(app: TestApp) {
    let v = visit(&app).await;
    let inspector = bearer(&app, &v.inspectors[0].1).await;
    let (s, c) = code(&app, &inspector, v.task).await;
    assert_eq!(s, 201, "{c}");
    let token = c["token"].as_str().unwrap();
    assert!(c["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/e/check-in?token={token}")));
    assert!(c["svg"].as_str().unwrap().starts_with("<svg"));
    assert!(c["signup_url"].as_str().unwrap().ends_with("/e/signup"));

    // Genuine: the plan, with each inspector's 执法证号.
    let genuine = verify(&app, token).await;
    assert_eq!(genuine["verdict"], "genuine", "{genuine}");
    assert_eq!(genuine["message"], "真实有效");
    let plan = &genuine["plan"];
    let (_, name) = app.uscc_and_name(v.enterprise).await;
    assert_eq!(plan["enterprise_name"], json!(name));
    assert_eq!(plan["unit_name"], "唐山市生态环境局玉田县分局");
    assert_eq!(plan["initiator_department"], "大气股");
    let inspectors = plan["inspectors"].as_array().unwrap();
    assert_eq!(inspectors.len(), 2);
    assert!(inspectors
        .iter()
        .all(|i| !i["certificate_no"].as_str().unwrap_or("").is_empty()));
    assert!(plan["drawn_at"].is_string());

    // A tampered token (another task, or a forged signature) is invalid.
    let other_task = token.replacen(
        &format!("v1.{}.", v.task),
        &format!("v1.{}.", v.task + 1),
        1,
    );
    assert_ne!(other_task, token);
    let (payload, _) = token.rsplit_once('.').unwrap();
    for bad in [
        other_task,
        format!("{payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        "garbage".to_string(),
        String::new(),
    ] {
        let b = verify(&app, &bad).await;
        assert_eq!(b["verdict"], "invalid", "{bad}: {b}");
        assert_eq!(b["message"], "无效（伪造或被篡改）");
        assert!(b["plan"].is_null());
    }

    // 30 minutes later the same code is stale.
    app.clock.advance(Duration::minutes(31));
    let stale = verify(&app, token).await;
    assert_eq!(stale["verdict"], "expired", "{stale}");
    assert_eq!(stale["message"], "已过期");
    assert!(stale["plan"].is_null());
    // And the page says so in large type.
    let page = app
        .http
        .get(app.url(&format!("/e/check-in?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("verdict expired") && page.contains("已过期"));
}

async fn only_the_inspected_enterprise_confirms_and_only_once(app: TestApp) {
    let v = visit(&app).await;
    let inspector = bearer(&app, &v.inspectors[1].1).await;
    let (_, c) = code(&app, &inspector, v.task).await;
    let token = c["token"].as_str().unwrap().to_string();
    let other = app
        .count(&format!(
            "SELECT MIN(id) FROM enterprises WHERE id <> {} AND status = 'normal'",
            v.enterprise
        ))
        .await;
    let stranger = enterprise_token(&app, other).await;
    let (s, b) = app
        .send(
            "POST",
            &stranger,
            "/api/v1/check-in/confirm",
            json!({ "token": token }),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (403, Some("forbidden")), "{b}");
    // An inspector is not an enterprise.
    let (s, _) = app
        .send(
            "POST",
            &inspector,
            "/api/v1/check-in/confirm",
            json!({ "token": token }),
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM tasks WHERE id = {} AND checked_in_at IS NOT NULL",
            v.task
        ))
        .await,
        0
    );

    let mine = enterprise_token(&app, v.enterprise).await;
    // A tampered token is refused.
    let (s, b) = app
        .send(
            "POST",
            &mine,
            "/api/v1/check-in/confirm",
            json!({ "token": format!("{token}x") }),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (422, Some("invalid_token")), "{b}");
    let (s, first) = app
        .send(
            "POST",
            &mine,
            "/api/v1/check-in/confirm",
            json!({ "token": token }),
        )
        .await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["status"], "in_progress");
    assert_eq!(first["check_in"]["method"], "qr");
    app.clock.advance(Duration::minutes(2));
    let (s, second) = app
        .send(
            "POST",
            &mine,
            "/api/v1/check-in/confirm",
            json!({ "token": token }),
        )
        .await;
    assert_eq!(s, 200, "{second}");
    assert_eq!(second["check_in"]["at"], first["check_in"]["at"]);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'task.check_in' AND entity_id = '{}'",
            v.task
        ))
        .await,
        1
    );
    let r = app
        .db
        .clone()
        .fetch_one(
            "SELECT check_in_method, check_in_code_person_id, status FROM tasks WHERE id = $1",
            yici_store::args![v.task],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<String>("check_in_method").unwrap(), "qr");
    assert_eq!(
        r.get::<Option<i64>>("check_in_code_person_id").unwrap(),
        Some(v.inspectors[1].0)
    );
    assert_eq!(r.get::<String>("status").unwrap(), "in_progress");
    // Once checked in, no new code is issued on the page, and skipping keeps the scan.
    let (s, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/field/tasks/{}/skip-check-in", v.task),
            json!({"reason": "测试"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["check_in"]["method"], "qr");
    // An expired code is refused with its own code.
    app.clock.advance(Duration::minutes(40));
    let (s, b) = app
        .send(
            "POST",
            &mine,
            "/api/v1/check-in/confirm",
            json!({ "token": token }),
        )
        .await;
    // The enterprise's session idled out after 40 minutes: log in again.
    let mine = if s == 401 {
        let (uscc, _) = app.uscc_and_name(v.enterprise).await;
        let (_, b) = app.api_login(&uscc, ENTERPRISE_PASSWORD).await;
        b["token"].as_str().unwrap().to_string()
    } else {
        panic!("expected the session to idle out: {s} {b}")
    };
    let (s, b) = app
        .send(
            "POST",
            &mine,
            "/api/v1/check-in/confirm",
            json!({ "token": token }),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (422, Some("token_expired")), "{b}");
}

async fn skipping_needs_a_reason_and_only_inspectors_get_codes(app: TestApp) {
    let v = visit(&app).await;
    // A person of the department who is not on the task.
    let outsider = v
        .air_officers
        .iter()
        .find(|p| !v.inspectors.contains(p))
        .unwrap();
    let outsider = bearer(&app, &outsider.1).await;
    let (s, b) = code(&app, &outsider, v.task).await;
    assert_eq!((s, b["code"].as_str()), (403, Some("forbidden")), "{b}");
    let (s, _) = app
        .get(&outsider, &format!("/api/v1/field/tasks/{}", v.task))
        .await;
    assert_eq!(s, 403);
    let (s, list) = app.get(&outsider, "/api/v1/field/tasks").await;
    assert_eq!((s, list.as_array().unwrap().len()), (200, 0), "{list}");
    let (s, _) = app
        .send(
            "POST",
            &outsider,
            &format!("/api/v1/field/tasks/{}/skip-check-in", v.task),
            json!({"reason": "企业负责人不在场"}),
        )
        .await;
    assert_eq!(s, 403);
    // A secretary account is no person: no field tasks at all.
    let (s, _) = code(&app, &v.secretary, v.task).await;
    assert_eq!(s, 403);
    let (s, _) = code(&app, &outsider, 99_999_999).await;
    assert_eq!(s, 404);

    let inspector = bearer(&app, &v.inspectors[0].1).await;
    let (s, list) = app.get(&inspector, "/api/v1/field/tasks").await;
    assert_eq!(s, 200);
    let mine = &list.as_array().unwrap()[0];
    assert_eq!(mine["id"], json!(v.task));
    assert_eq!(mine["for_department_name"], "大气股");
    assert_eq!(mine["done"], json!(false));
    let path = format!("/api/v1/field/tasks/{}/skip-check-in", v.task);
    for body in [json!({}), json!({"reason": "  "})] {
        let (s, b) = app.send("POST", &inspector, &path, body).await;
        assert_eq!(
            (s, b["code"].as_str(), b["field"].as_str()),
            (422, Some("required"), Some("reason")),
            "{b}"
        );
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM tasks WHERE id = {} AND checked_in_at IS NOT NULL",
            v.task
        ))
        .await,
        0,
        "nothing written"
    );
    let (s, b) = app
        .send(
            "POST",
            &inspector,
            &path,
            json!({"reason": " 企业未安装企业端 "}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["check_in"]["method"], "skipped");
    assert_eq!(b["check_in"]["skip_reason"], "企业未安装企业端");
    assert_eq!(b["status"], "in_progress");
    let r = app
        .db
        .clone()
        .fetch_one(
            "SELECT check_in_method, check_in_skip_reason, checked_in_by_name FROM tasks WHERE id = $1",
            yici_store::args![v.task],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<String>("check_in_method").unwrap(), "skipped");
    assert_eq!(
        r.get::<String>("check_in_skip_reason").unwrap(),
        "企业未安装企业端"
    );
    assert!(!r.get::<String>("checked_in_by_name").unwrap().is_empty());
}

async fn enterprises_sign_up_by_code_and_see_their_own_history(app: TestApp) {
    let v = visit(&app).await;
    let (uscc, name) = app.uscc_and_name(v.enterprise).await;
    // Opened the only way an anonymous caller has: a code to the registry's
    // contact mobile (SEC-5; the refusals are in `enterprise_signup`).
    assert_eq!(sign_up_by_code(&app, v.enterprise).await, uscc);

    // Login by USCC, typed in lower case too.
    let (s, b) = app
        .api_login(&uscc.to_lowercase(), ENTERPRISE_PASSWORD)
        .await;
    assert_eq!(s, 200, "{b}");
    let mine = b["token"].as_str().unwrap().to_string();
    let (_, me) = app.get(&mine, "/api/v1/me").await;
    assert!(
        me.to_string().contains("enterprise_user"),
        "role of the account: {me}"
    );
    // Not visited yet: the planned task stays confidential.
    let (s, home) = app.get(&mine, "/api/v1/enterprise/inspections").await;
    assert_eq!(s, 200, "{home}");
    assert_eq!(home["enterprise"]["uscc"], json!(uscc));
    assert_eq!(home["inspections"].as_array().unwrap().len(), 0);

    // After the check-in the visit is in its history, and not in another's.
    let inspector = bearer(&app, &v.inspectors[0].1).await;
    let (_, c) = code(&app, &inspector, v.task).await;
    let (s, _) = app
        .send(
            "POST",
            &mine,
            "/api/v1/check-in/confirm",
            json!({"token": c["token"]}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, home) = app.get(&mine, "/api/v1/enterprise/inspections").await;
    let list = home["inspections"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{home}");
    assert_eq!(list[0]["id"], json!(v.task));
    assert_eq!(list[0]["initiator_department"], "大气股");
    let other = app
        .count(&format!(
            "SELECT MIN(id) FROM enterprises WHERE id <> {} AND status = 'normal'",
            v.enterprise
        ))
        .await;
    let stranger = enterprise_token(&app, other).await;
    let (_, theirs) = app.get(&stranger, "/api/v1/enterprise/inspections").await;
    assert_eq!(theirs["inspections"].as_array().unwrap().len(), 0);
    // An inspector has no enterprise home.
    let (s, _) = app.get(&inspector, "/api/v1/enterprise/inspections").await;
    assert_eq!(s, 403);

    // The page login by USCC lands on the enterprise home, which lists the visit.
    let web = app.web_login(&uscc, ENTERPRISE_PASSWORD).await;
    let r = web.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.url().path(), "/e");
    let page = r.text().await.unwrap();
    assert!(page.contains(&name) && page.contains(&format!("data-task=\"{}\"", v.task)));
    assert!(page.contains("扫一扫"));
}

async fn the_phone_pages_show_tasks_codes_and_verdicts(app: TestApp) {
    let v = visit(&app).await;
    let mobile = v.inspectors[0].1.clone();
    let (web, csrf) = app.web_user(&mobile).await;
    let list = web
        .get(app.url("/m"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("未办理（1）"), "{list}");
    assert!(list.contains(&format!("href=\"/m/tasks/{}\"", v.task)));
    assert!(list.contains("data-department=\"大气股\""));
    let page = web
        .get(app.url(&format!("/m/tasks/{}", v.task)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"check-in-code\"") && page.contains("<svg"));
    assert!(page.contains("企业端下载") && page.contains(&format!("/m/tasks/{}/result", v.task)));
    // The page's code is an image only: the enterprise page is checked with one from the API.
    let inspector = bearer(&app, &v.inspectors[1].1).await;
    let (_, c) = code(&app, &inspector, v.task).await;
    let token = c["token"].as_str().unwrap();
    let verdict = app
        .http
        .get(app.url(&format!("/e/check-in?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(verdict.contains("verdict genuine") && verdict.contains("真实有效"));
    assert!(verdict.contains("登录企业账号后确认"));
    // 跳过 without a reason on the page: 422 beside the field.
    let r = web
        .post(app.url(&format!("/m/tasks/{}/skip", v.task)))
        .form(&[("_csrf", csrf.as_str()), ("reason", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("id=\"skip-error\""));
    let r = web
        .post(app.url(&format!("/m/tasks/{}/skip", v.task)))
        .form(&[("_csrf", csrf.as_str()), ("reason", "现场无网络")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let page = r.text().await.unwrap();
    assert!(page.contains("跳过扫码") && page.contains("现场无网络"));
    assert!(!page.contains("id=\"check-in-code\""));
    // An inspector logging in on a phone lands on 任务管理.
    let phone = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148")
        .build()
        .unwrap();
    let r = phone
        .post(app.url("/login"))
        .form(&[("login", mobile.as_str()), ("password", NEW_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/m");
    // The sign-up page refuses a malformed USCC beside the field.
    let r = app
        .http
        .post(app.url("/e/signup"))
        .form(&[("uscc", "1301"), ("enterprise_name", "不对的名称")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("id=\"err-uscc\""));
}
