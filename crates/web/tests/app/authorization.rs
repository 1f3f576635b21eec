//! ORG-7, table-driven: every people and department endpoint, page and API,
//! refuses users of other departments and other units, and serves the owner.
//! Outsiders may not even see the department's people, so they are told the
//! department or person does not exist (404, SEC-3), in the words a missing
//! id gets; creating units and departments stays a 403.

use crate::common::TestApp;
use serde_json::json;

both_databases!(every_people_and_department_endpoint_refuses_outsiders);

/// Who asks: (login, description, is the owner of the target department).
const USERS: &[(&str, &str, bool)] = &[
    ("tssytx_dq", "own secretary", true),
    (
        "tssytx_s",
        "secretary of another department, same unit",
        false,
    ),
    (
        "tsslnq_dq",
        "secretary of the same department kind in another county",
        false,
    ),
    ("tss_dqhj", "secretary of the superior city bureau", false),
    ("hbs_dq", "secretary of the province", false),
];

/// The refusals, by what was asked: status, code, message.
type Refusal = (u16, &'static str, &'static str);
const DEPARTMENT: Refusal = (404, "not_found", "处室不存在或无权查看");
const PERSON: Refusal = (404, "not_found", "人员不存在或无权查看");
const ADMIN: Refusal = (403, "forbidden", "需要“系统管理员”权限");
/// Departments are created by the system administrator or the unit's 办公室.
const UNIT_ADMIN: Refusal = (
    403,
    "forbidden",
    "只有系统管理员或本单位办公室的文秘账号、管理员可以管理本单位的处室",
);

async fn every_people_and_department_endpoint_refuses_outsiders(app: TestApp) {
    let dept = app.department("玉田县分局", "大气股").await;
    let water = app.department("玉田县分局", "水股").await;
    let water_admin = app.admin_mobile(water).await;
    let unit = app
        .count(&format!(
            "SELECT unit_id FROM departments WHERE id = {dept}"
        ))
        .await;
    let person = app
        .count(&format!(
            "SELECT MIN(id) FROM people WHERE department_id = {dept} AND NOT is_admin"
        ))
        .await;
    let person_body = json!({
        "name": "测试", "gender": "male", "is_officer": false, "status": "enabled", "is_admin": false,
        "mobile": "13599998888"
    });

    let mut users: Vec<(String, String, bool)> = USERS
        .iter()
        .map(|(l, d, o)| (l.to_string(), d.to_string(), *o))
        .collect();
    users.push((
        water_admin,
        "administrator of another department".into(),
        false,
    ));

    let mut checked = 0;
    for (n, (login, who, owner)) in users.iter().enumerate() {
        let token = app.token(login).await;
        let mut body = person_body.clone();
        body["mobile"] = json!(format!("1359999{:04}", n * 10));
        // What the owner gets; what everyone else is told.
        let api: Vec<(&str, String, serde_json::Value, Option<u16>, Refusal)> = vec![
            (
                "GET",
                format!("/api/v1/departments/{dept}"),
                json!(null),
                Some(200),
                DEPARTMENT,
            ),
            (
                "GET",
                format!("/api/v1/departments/{dept}/people"),
                json!(null),
                Some(200),
                DEPARTMENT,
            ),
            (
                "POST",
                format!("/api/v1/departments/{dept}/people"),
                body.clone(),
                Some(201),
                DEPARTMENT,
            ),
            (
                "GET",
                format!("/api/v1/people/{person}"),
                json!(null),
                Some(200),
                PERSON,
            ),
            (
                "PUT",
                format!("/api/v1/people/{person}"),
                json!({"name": "改", "gender": "male", "is_officer": false, "status": "enabled", "is_admin": false}),
                Some(200),
                PERSON,
            ),
            (
                "POST",
                "/api/v1/units".into(),
                json!({"name": "越权单位", "level": "county", "region_code": "130229", "parent_id": 1}),
                None,
                ADMIN,
            ),
            (
                "POST",
                format!("/api/v1/units/{unit}/departments"),
                json!({"name": "越权股", "kind": "office", "business_line": "air"}),
                None,
                UNIT_ADMIN,
            ),
        ];
        for (method, path, body, for_owner, refusal) in api {
            let (status, resp) = if method == "GET" {
                app.get(&token, &path).await
            } else {
                app.send(method, &token, &path, body).await
            };
            match for_owner.filter(|_| *owner) {
                Some(expected) => {
                    assert_eq!(status, expected, "{who} {method} {path}: {resp}");
                }
                None => {
                    let (refused, code, message) = refusal;
                    assert_eq!(status, refused, "{who} {method} {path}: {resp}");
                    assert_eq!(resp["code"], code, "{who} {method} {path}");
                    assert_eq!(resp["message"], message, "{who} {method} {path}");
                }
            }
            checked += 1;
        }

        let (client, csrf) = app.web_user(login).await;
        let mobile = format!("1369999{:04}", n * 10);
        let dept_s = dept.to_string();
        let form = [
            ("_csrf", csrf.as_str()),
            ("department_id", dept_s.as_str()),
            ("name", "页面测试"),
            ("gender", "male"),
            ("is_officer", "false"),
            ("mobile", mobile.as_str()),
            ("status", "enabled"),
            ("is_admin", "false"),
        ];
        let pages: Vec<(&str, String, Refusal)> = vec![
            ("GET", format!("/people?department_id={dept}"), DEPARTMENT),
            (
                "GET",
                format!("/people/new?department_id={dept}"),
                DEPARTMENT,
            ),
            ("POST", "/people".into(), DEPARTMENT),
            ("GET", format!("/people/{person}"), PERSON),
            ("GET", format!("/people/{person}/edit"), PERSON),
            ("POST", format!("/people/{person}"), PERSON),
        ];
        for (method, path, refusal) in pages {
            let r = if method == "GET" {
                client.get(app.url(&path)).send().await.unwrap()
            } else {
                client
                    .post(app.url(&path))
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            };
            let status = r.status().as_u16();
            let html = r.text().await.unwrap();
            if *owner {
                assert_eq!(status, 200, "{who} {method} {path}: {html}");
            } else {
                let (refused, _, message) = refusal;
                assert_eq!(status, refused, "{who} {method} {path}");
                assert!(
                    html.contains(message),
                    "{who} {method} {path}: “{message}” shown"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6 * 13);
    // Outsiders wrote nothing: only the owner's two additions exist.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM people WHERE mobile LIKE '1359999%' OR mobile LIKE '1369999%'"
        )
        .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM units WHERE name = '越权单位'")
            .await,
        0
    );
}
