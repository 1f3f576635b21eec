//! Administration of the organisation in the browser and the API (issue 26
//! item 1): a bureau that is not the demo's Yutian sets up its unit, its
//! departments, people and roles, and gets a 审批表 signed, approved and
//! numbered; a unit's administrators keep to their own unit; unlocking and
//! resetting an account are audited and force a new password.

use crate::common::{bearer, extract, id, TestApp, INITIAL, NEW_PASSWORD};
use serde_json::{json, Value};
use yici_store::Exec;

both_databases!(
    a_new_unit_sets_up_its_roles_and_approves_an_approval_form,
    a_unit_administrator_keeps_to_the_own_unit,
    units_and_departments_are_renamed_and_disabled_with_their_history,
    unlocking_and_resetting_are_audited_and_force_a_new_password,
    a_locked_secretary_account_is_unlocked_and_reset_by_the_unit,
);

async fn person(
    app: &TestApp,
    token: &str,
    department: i64,
    name: &str,
    mobile: &str,
    officer: bool,
) -> i64 {
    let (s, b) = app
        .send(
            "POST",
            token,
            &format!("/api/v1/departments/{department}/people"),
            json!({"name": name, "gender": "male", "is_officer": officer,
                   "certificate_no": if officer { json!(format!("1301{}", &mobile[7..])) } else { Value::Null },
                   "mobile": mobile, "status": "enabled", "is_admin": false}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    b["person"]["id"].as_i64().unwrap()
}

async fn grant(app: &TestApp, token: &str, person: i64, role: &str) -> (u16, Value) {
    app.send(
        "PUT",
        token,
        &format!("/api/v1/people/{person}/roles/{role}"),
        json!(null),
    )
    .await
}

/// 石家庄市生态环境局正定县分局 (GB/T 2260 130123), created with its 大气股
/// and 办公室 by the system administrator; its 办公室's secretary account
/// administers it from then on.
struct NewUnit {
    unit: i64,
    air: i64,
    office: i64,
    air_secretary: String,
    office_secretary: String,
}

async fn new_unit(app: &TestApp) -> NewUnit {
    let admin = bearer(app, "admin").await;
    let parent = app
        .count("SELECT id FROM units WHERE name = '石家庄市生态环境局'")
        .await;
    let (s, unit) = app
        .send(
            "POST",
            &admin,
            "/api/v1/units",
            json!({"parent_id": parent, "name": "石家庄市生态环境局正定县分局", "short_name": "正定县分局",
                   "level": "county", "region_code": "130123"}),
        )
        .await;
    assert_eq!(s, 201, "{unit}");
    let u = id(&unit);
    let dept = |name: &'static str, line: &'static str| {
        let admin = admin.clone();
        async move {
            let (s, d) = app
                .send(
                    "POST",
                    &admin,
                    &format!("/api/v1/units/{u}/departments"),
                    json!({"name": name, "kind": "office", "business_line": line}),
                )
                .await;
            assert_eq!(s, 201, "{d}");
            d
        }
    };
    let air = dept("大气股", "air").await;
    let office = dept("办公室", "general").await;
    // The manual's rule for a county: city + county initials + department.
    assert_eq!(air["secretary_login"], "sjzszdx_dq");
    NewUnit {
        unit: u,
        air: id(&air),
        office: id(&office),
        air_secretary: air["secretary_login"].as_str().unwrap().into(),
        office_secretary: office["secretary_login"].as_str().unwrap().into(),
    }
}

async fn a_new_unit_sets_up_its_roles_and_approves_an_approval_form(app: TestApp) {
    let n = new_unit(&app).await;
    let air = bearer(&app, &n.air_secretary).await;
    let office = bearer(&app, &n.office_secretary).await;
    // Each department's secretary adds its people (ORG-7).
    let head = person(&app, &air, n.air, "赵承办", "13930000001", true).await;
    let officer1 = person(&app, &air, n.air, "钱检查", "13930000002", true).await;
    let officer2 = person(&app, &air, n.air, "孙检查", "13930000003", true).await;
    let boss = person(&app, &office, n.office, "李局长", "13930000004", false).await;
    let clerk = person(&app, &office, n.office, "周文书", "13930000005", false).await;

    // The office's secretary account administers the unit: it grants the three roles.
    for (p, role) in [
        (head, "department_head"),
        (boss, "unit_head"),
        (clerk, "office_clerk"),
    ] {
        let (s, b) = grant(&app, &office, p, role).await;
        assert_eq!(s, 200, "{role}: {b}");
        assert!(
            b["granted_roles"]
                .as_array()
                .unwrap()
                .contains(&json!(role)),
            "{b}"
        );
    }
    // Granting again changes nothing and writes nothing.
    let before = app.count("SELECT seq FROM audit_head WHERE id = 1").await;
    let (s, _) = grant(&app, &office, boss, "unit_head").await;
    assert_eq!(s, 200);
    assert_eq!(
        app.count("SELECT seq FROM audit_head WHERE id = 1").await,
        before
    );
    // Each grant is in the chain, before and after.
    let granted = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'account.grant_role' AND actor = '{}'",
            n.office_secretary
        ))
        .await;
    assert_eq!(granted, 3);

    // An enterprise of 正定县, a routine task, its two officers.
    let uscc = crate::registry::uscc("130123", 7);
    let (s, e) = app
        .send(
            "POST",
            &air,
            "/api/v1/enterprises",
            json!({"name": "正定县测试建材有限公司", "uscc": uscc, "address": "正定县新城铺镇工业街8号",
                   "industry_code": "3011", "region_code": "130123", "longitude": 114.57, "latitude": 38.15}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let task = id(&extract(&app, &air, "routine", id(&e["enterprise"])).await);
    let (s, b) = app
        .send(
            "PUT",
            &air,
            &format!("/api/v1/tasks/{task}/settings"),
            json!({"planned_on": app.tomorrow(), "inspector_ids": [officer1, officer2]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    // The 审批表: drafted, submitted, signed, approved, numbered.
    let (s, doc) = app
        .send(
            "POST",
            &air,
            &format!("/api/v1/tasks/{task}/documents"),
            json!({"kind": "approval_form"}),
        )
        .await;
    assert_eq!(s, 201, "{doc}");
    let doc = id(&doc);
    let head_token = bearer(&app, "13930000001").await;
    let boss_token = bearer(&app, "13930000004").await;
    let clerk_token = bearer(&app, "13930000005").await;
    for (token, action, status) in [
        (&air, "submit", "pending_department_head"),
        (&head_token, "sign_department_head", "pending_unit_head"),
        (&boss_token, "approve_unit_head", "approved"),
        (&clerk_token, "number", "issued"),
    ] {
        let (s, b) = app
            .send(
                "POST",
                token,
                &format!("/api/v1/documents/{doc}/actions"),
                json!({"action": action}),
            )
            .await;
        assert_eq!(s, 200, "{action}: {b}");
        assert_eq!(b["status"], status, "{action}: {b}");
        if action == "number" {
            assert_eq!(b["unit_id"], n.unit);
            assert_eq!(b["number_text"], "正定县分局行检批〔2025〕1号", "{b}");
        }
    }

    // Revoked, the role is gone at the person's next request.
    let (s, b) = app
        .send(
            "DELETE",
            &office,
            &format!("/api/v1/people/{boss}/roles/unit_head"),
            json!(null),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["granted_roles"], json!([]));
    let (_, me) = app.get(&boss_token, "/api/v1/me").await;
    assert!(
        !me["principal"]["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("unit_head")),
        "{me}"
    );
    let revoked = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.revoke_role'")
        .await;
    assert_eq!(revoked, 1);

    // The person's trail reads field by field.
    let (s, trail) = app
        .get(&office, &format!("/api/v1/audit/person/{boss}"))
        .await;
    assert_eq!(s, 200, "{trail}");
    let entry = &trail["entries"][0];
    assert_eq!(entry["action_label"], "撤销角色");
    let change = entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "granted_roles")
        .unwrap_or_else(|| panic!("{entry}"));
    assert_eq!(change["before"], "行政执法主体负责人");
    assert_eq!(change["after"], "（无）");
}

async fn a_unit_administrator_keeps_to_the_own_unit(app: TestApp) {
    let n = new_unit(&app).await;
    let office = bearer(&app, &n.office_secretary).await;
    let own = person(&app, &office, n.office, "李局长", "13930000004", false).await;
    // A person of Yutian: 403 with words, not a grant.
    let yutian = app.people_of(crate::common::YUTIAN, "大气股").await[1].0;
    let (s, b) = grant(&app, &office, yutian, "unit_head").await;
    assert_eq!((s, b["code"].as_str()), (403, Some("forbidden")), "{b}");
    assert_eq!(b["message"], "只能为本单位的人员授予或撤销角色");
    // 系统管理员 is the system administrator's to grant, even in the own unit.
    let (s, b) = grant(&app, &office, own, "system_admin").await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(b["message"], "系统管理员角色只能由系统管理员授予或撤销");
    // Derived roles are never granted.
    let (s, b) = grant(&app, &office, own, "inspector").await;
    assert_eq!((s, b["code"].as_str()), (422, Some("not_grantable")), "{b}");
    // A department's secretary who is not the office's administers nothing:
    // the office's people are not even there for it (SEC-3).
    let air = bearer(&app, &n.air_secretary).await;
    let (s, b) = grant(&app, &air, own, "office_clerk").await;
    assert_eq!(
        (s, b["message"].as_str()),
        (404, Some("人员不存在或无权查看")),
        "{b}"
    );
    // Yutian's office secretary may not create a department in the new unit.
    let yutian_office = bearer(&app, "tssytx_bg").await;
    let (s, b) = app
        .send(
            "POST",
            &yutian_office,
            &format!("/api/v1/units/{}/departments", n.unit),
            json!({"name": "水股", "kind": "office", "business_line": "water"}),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    // Nothing was granted by the refusals.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.grant_role' AND actor <> 'system'")
            .await,
        0
    );
    // The page says it in words too.
    let (web, csrf) = app.web_user(&n.office_secretary).await;
    let r = web
        .post(app.url(&format!("/people/{yutian}/roles")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("role", "unit_head"),
            ("op", "grant"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("只能为本单位的人员授予或撤销角色"));
}

async fn units_and_departments_are_renamed_and_disabled_with_their_history(app: TestApp) {
    let n = new_unit(&app).await;
    let admin = bearer(&app, "admin").await;
    let office = bearer(&app, &n.office_secretary).await;
    let someone = person(&app, &office, n.office, "李局长", "13930000004", false).await;
    // A unit with enabled departments is not disabled.
    let (s, b) = app
        .send(
            "PUT",
            &admin,
            &format!("/api/v1/units/{}", n.unit),
            json!({"name": "石家庄市生态环境局正定县分局", "disabled": true}),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("in_use")), "{b}");
    // Nor a department with an enabled person.
    let (s, b) = app
        .send(
            "PUT",
            &office,
            &format!("/api/v1/departments/{}", n.office),
            json!({"name": "办公室", "disabled": true}),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("in_use")), "{b}");
    assert!(
        b["message"].as_str().unwrap().contains("1名启用的人员"),
        "{b}"
    );
    // Renamed by the unit's administrator; the secretary login stays.
    let (s, b) = app
        .send(
            "PUT",
            &office,
            &format!("/api/v1/departments/{}", n.air),
            json!({"name": "大气环境股"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["name"], "大气环境股");
    assert_eq!(b["secretary_login"], n.air_secretary);
    // Disabled once empty: its secretary account logs in no more, and the
    // unit's extractions invite it no more.
    let (s, b) = app
        .send(
            "PUT",
            &office,
            &format!("/api/v1/departments/{}", n.air),
            json!({"name": "大气环境股", "disabled": true}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(b["disabled_at"].is_string());
    let (s, b) = app.api_login(&n.air_secretary, INITIAL).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (403, Some("account_disabled")),
        "{b}"
    );
    // People are not added to it, nor enabled in it.
    let (s, b) = app
        .send(
            "POST",
            &admin,
            &format!("/api/v1/departments/{}/people", n.air),
            json!({"name": "新人", "gender": "male", "is_officer": false, "mobile": "13930000009", "status": "enabled", "is_admin": false}),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("department_disabled")),
        "{b}"
    );
    // The unit's trail and the department's read field by field.
    let (s, trail) = app
        .get(&office, &format!("/api/v1/audit/department/{}", n.air))
        .await;
    assert_eq!(s, 200, "{trail}");
    let labels: Vec<&str> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action_label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["修改处室", "修改处室", "新增处室"]);
    let rename = &trail["entries"][1]["changes"][0];
    assert_eq!(
        (
            rename["label"].as_str(),
            rename["before"].as_str(),
            rename["after"].as_str()
        ),
        (Some("名称"), Some("大气股"), Some("大气环境股"))
    );
    // The unit, once its office's person is disabled and the office too.
    let (s, _) = app
        .send(
            "PUT",
            &office,
            &format!("/api/v1/people/{someone}"),
            json!({"name": "李局长", "gender": "male", "is_officer": false, "status": "disabled", "is_admin": false}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, b) = app
        .send(
            "PUT",
            &admin,
            &format!("/api/v1/departments/{}", n.office),
            json!({"name": "办公室", "disabled": true}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app
        .send("PUT", &admin, &format!("/api/v1/units/{}", n.unit), json!({"name": "石家庄市生态环境局正定县分局（撤并）", "short_name": "正定县分局", "disabled": true}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(b["disabled_at"].is_string());
    // A disabled unit takes no new department; its history stays readable.
    let (s, b) = app
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{}/departments", n.unit),
            json!({"name": "水股", "kind": "office", "business_line": "water"}),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("unit_disabled")), "{b}");
    let (s, trail) = app
        .get(&admin, &format!("/api/v1/audit/unit/{}", n.unit))
        .await;
    assert_eq!(s, 200);
    let changes = &trail["entries"][0]["changes"];
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["label"] == "停用时间" && c["before"] == ""),
        "{changes}"
    );
    // The disabled office's secretary is logged out; another unit's office
    // may not rename the unit either: units are the system administrator's.
    let (s, _) = app.get(&office, "/api/v1/me").await;
    assert_eq!(s, 401);
    let (s, _) = app
        .send(
            "PUT",
            &bearer(&app, "tssytx_bg").await,
            &format!("/api/v1/units/{}", n.unit),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(s, 403);
    // The page lists it as disabled.
    let (web, _) = app.web_user("admin").await;
    let html = app.html(&web, "/org").await;
    assert!(
        html.contains(
            "石家庄市生态环境局正定县分局（撤并）</a> <span class=\"tag off\">已停用</span>"
        ),
        "{html}"
    );
}

async fn unlocking_and_resetting_are_audited_and_force_a_new_password(app: TestApp) {
    let water = app.people_of(crate::common::YUTIAN, "水股").await;
    let (person, login) = water[1].clone();
    for _ in 0..5 {
        app.api_login(&login, "Wrong@pass1").await;
    }
    let (s, b) = app.api_login(&login, INITIAL).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (423, Some("account_locked")),
        "{b}"
    );

    // Yutian's office secretary (the unit's administrator) sees the lock and lifts it.
    let office = bearer(&app, "tssytx_bg").await;
    let (s, account) = app
        .get(&office, &format!("/api/v1/people/{person}/account"))
        .await;
    assert_eq!(s, 200, "{account}");
    assert!(account["locked_until"].is_string(), "{account}");
    let (s, account) = app
        .send(
            "POST",
            &office,
            &format!("/api/v1/people/{person}/unlock"),
            json!(null),
        )
        .await;
    assert_eq!(s, 200, "{account}");
    assert!(account["locked_until"].is_null());
    app.clock.advance(chrono::Duration::minutes(1));
    let (s, b) = app
        .send(
            "POST",
            &office,
            &format!("/api/v1/people/{person}/unlock"),
            json!(null),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("not_locked")), "{b}");
    // One more failure does not lock it again at once: the count starts afresh.
    let (s, b) = app.api_login(&login, "Wrong@pass1").await;
    assert_eq!(s, 401, "{b}");
    let token = app.token(&login).await;
    app.clock.advance(chrono::Duration::minutes(1));

    // A reset: a one-time password, the old one and the open session gone.
    let (s, reset) = app
        .send(
            "POST",
            &office,
            &format!("/api/v1/people/{person}/password-reset"),
            json!(null),
        )
        .await;
    assert_eq!(s, 200, "{reset}");
    let one_time = reset["initial_password"].as_str().unwrap().to_string();
    assert_ne!(one_time, INITIAL);
    assert_eq!(reset["account"]["must_change_password"], true);
    let (s, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(s, 401, "sessions end with the reset");
    let (s, b) = app.api_login(&login, NEW_PASSWORD).await;
    assert_eq!(s, 401, "the old password is gone: {b}");
    let (s, b) = app.api_login(&login, &one_time).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["must_change_password"], true, "the change is forced");
    let fresh = b["token"].as_str().unwrap();
    let (s, b) = app.get(fresh, "/api/v1/tasks").await;
    assert_eq!(
        (s, b["code"].as_str()),
        (403, Some("password_change_required")),
        "{b}"
    );

    // Both are in the chain, by the office's secretary.
    let actions: Vec<String> = app
        .db
        .clone()
        .fetch_all(
            "SELECT action FROM audit_log WHERE actor = 'tssytx_bg' AND action IN ('account.unlock', 'account.reset_password') ORDER BY seq",
            vec![],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("action").unwrap())
        .collect();
    assert_eq!(actions, ["account.unlock", "account.reset_password"]);
    // An inspector of the department may do neither: 403, words.
    let colleague = bearer(&app, &water[2].1).await;
    let (s, b) = app
        .send(
            "POST",
            &colleague,
            &format!("/api/v1/people/{person}/password-reset"),
            json!(null),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    // Another unit's administrator (藁城区分局's office): 403.
    let (s, _) = app
        .send(
            "POST",
            &bearer(&app, "sjzsgcq_bg").await,
            &format!("/api/v1/people/{person}/unlock"),
            json!(null),
        )
        .await;
    assert_eq!(s, 403);
}

/// A department's 文秘账号 belongs to no person: its unit's administrators
/// unlock and reset it from the 单位与处室 page (and the API).
async fn a_locked_secretary_account_is_unlocked_and_reset_by_the_unit(app: TestApp) {
    let water = app.department(crate::common::YUTIAN, "水股").await;
    // Used once, then locked by five wrong passwords.
    let token = bearer(&app, "tssytx_s").await;
    for _ in 0..5 {
        app.api_login("tssytx_s", "Wrong@pass1").await;
    }
    let (s, b) = app.api_login("tssytx_s", NEW_PASSWORD).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (423, Some("account_locked")),
        "{b}"
    );

    // The unit page shows the lock; 解除锁定 lifts it.
    let (office, csrf) = app.web_user("tssytx_bg").await;
    let unit = app
        .count("SELECT unit_id FROM departments WHERE id = (SELECT department_id FROM accounts WHERE login = 'tssytx_s')")
        .await;
    let page = app.html(&office, &format!("/org/units/{unit}")).await;
    let row = crate::common::element(&page, &format!("department-{water}"));
    assert!(row.contains("锁定至") && row.contains("解除锁定"), "{row}");
    let r = office
        .post(app.url(&format!("/org/departments/{water}/secretary/unlock")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("已解除文秘账号的锁定"), "{page}");
    assert!(!crate::common::element(&page, &format!("department-{water}")).contains("锁定至"));
    let (s, _) = app.api_login("tssytx_s", NEW_PASSWORD).await;
    assert_eq!(s, 200, "unlocked");

    // 重置密码: the one-time password once, on the page; the old one and
    // the open session gone; the change forced.
    let r = office
        .post(app.url(&format!(
            "/org/departments/{water}/secretary/password-reset"
        )))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    let notice = crate::common::element(&page, "one-time-password");
    let one_time = notice
        .split("<b class=\"mono\">")
        .nth(1)
        .and_then(|s| s.split("</b>").next())
        .expect("the password shown")
        // The page escapes the & the password may hold.
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(notice.contains("tssytx_s"), "{notice}");
    assert_eq!(app.get(&token, "/api/v1/me").await.0, 401, "sessions end");
    assert_eq!(app.api_login("tssytx_s", NEW_PASSWORD).await.0, 401);
    let (s, b) = app.api_login("tssytx_s", &one_time).await;
    assert_eq!(
        (s, b["must_change_password"].as_bool()),
        (200, Some(true)),
        "{b}"
    );

    // The API: not locked any more → 409; a reset answers the password.
    let admin = bearer(&app, "tssytx_bg").await;
    let path = |what: &str| format!("/api/v1/departments/{water}/secretary/{what}");
    let (s, b) = app.send("POST", &admin, &path("unlock"), json!(null)).await;
    assert_eq!((s, b["code"].as_str()), (409, Some("not_locked")), "{b}");
    let (s, b) = app
        .send("POST", &admin, &path("password-reset"), json!(null))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["account"]["login"], "tssytx_s");
    assert_eq!(b["initial_password"].as_str().unwrap().len(), 12);
    // Both audited, by the office's secretary.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'tssytx_bg'
                AND action IN ('account.unlock', 'account.reset_password') AND entity = 'account'"
        )
        .await,
        3
    );
    // Not the department's own secretary, nor another unit's administrator.
    let (s, _) = app
        .send(
            "POST",
            &bearer(&app, "tssytx_dq").await,
            &path("password-reset"),
            json!(null),
        )
        .await;
    assert_eq!(s, 404, "no administration at all: as if missing");
    let (s, b) = app
        .send(
            "POST",
            &bearer(&app, "sjzsgcq_bg").await,
            &path("password-reset"),
            json!(null),
        )
        .await;
    assert_eq!(s, 403, "{b}");
}
