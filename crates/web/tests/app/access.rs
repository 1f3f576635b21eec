//! Who reaches what (SEC-3): partner agencies and inspectors read the
//! registry but never write it, and see the enterprise's contact masked; a
//! page cookie is no bearer token and a bearer token no cookie; another
//! unit's records answer like missing ones; enterprise accounts stay out of
//! the organisation's internal API.

use reqwest::header;
use serde_json::{json, Value};
use yici_store::Exec;

use crate::common::*;

both_databases!(
    partners_and_inspectors_read_the_registry_but_never_write_it,
    contacts_are_whole_for_editors_and_masked_for_readers,
    a_cookie_is_no_bearer_token_and_a_bearer_token_no_cookie,
    another_units_records_answer_like_missing_ones,
    enterprise_accounts_are_refused_internal_routes,
);

/// The demo's partner agency of Yutian (玉田县市场监督管理局) and its department.
const PARTNER: (&str, &str) = ("玉田县市场监督管理局", "执法稽查股");

/// A plain 大气股 inspector of Yutian: neither secretary nor administrator.
async fn inspector_login(app: &TestApp) -> String {
    let air = app.department(YUTIAN, "大气股").await;
    let admin = app.admin_mobile(air).await;
    app.officers(YUTIAN, "大气股")
        .await
        .into_iter()
        .map(|(_, mobile)| mobile)
        .find(|m| *m != admin)
        .expect("an officer who is not the administrator")
}

async fn contact(app: &TestApp, id: i64) -> (String, String) {
    let r = app
        .db
        .clone()
        .fetch_one(
            "SELECT contact_name, contact_phone FROM enterprises WHERE id = $1",
            yici_store::args![id],
        )
        .await
        .unwrap();
    (
        r.get("contact_name").unwrap(),
        r.get("contact_phone").unwrap(),
    )
}

fn masked_phone(full: &str) -> String {
    format!("{}****{}", &full[..3], &full[7..])
}

async fn partners_and_inspectors_read_the_registry_but_never_write_it(app: TestApp) {
    let id = app.first_enterprise().await;
    let before = app.count("SELECT COUNT(*) FROM enterprises").await;
    let (name, phone) = contact(&app, id).await;
    let (_, profile) = app
        .get(
            &bearer(&app, "tssytx_dq").await,
            &format!("/api/v1/enterprises/{id}"),
        )
        .await;
    let mut edited = profile["enterprise"].clone();
    edited["address"] = json!("玉田县改过的地址1号");
    let mut created = edited.clone();
    created["uscc"] = json!("91130229MA0000001X");

    let partner = secretary_token(&app, PARTNER.0, PARTNER.1).await;
    let inspector = bearer(&app, &inspector_login(&app).await).await;
    for (who, token) in [("partner", &partner), ("inspector", &inspector)] {
        // Reading is allowed: the same region's registry.
        let (s, b) = app.get(token, &format!("/api/v1/enterprises/{id}")).await;
        assert_eq!(s, 200, "{who}: {b}");
        let (s, b) = app.get(token, "/api/v1/enterprises").await;
        assert_eq!(s, 200, "{who}: {b}");
        // Writing is not, in any of its three ways.
        let (s, b) = app
            .send(
                "PUT",
                token,
                &format!("/api/v1/enterprises/{id}"),
                edited.clone(),
            )
            .await;
        assert_eq!(
            (s, b["code"].as_str()),
            (403, Some("forbidden")),
            "{who}: {b}"
        );
        assert!(b["message"].as_str().unwrap().contains("企业名录"), "{b}");
        let (s, b) = app
            .send("POST", token, "/api/v1/enterprises", created.clone())
            .await;
        assert_eq!(s, 403, "{who}: {b}");
        let r = app
            .http
            .post(app.url("/api/v1/enterprises/import?filename=e.csv"))
            .bearer_auth(token)
            .body("排污单位名称\n".as_bytes().to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "{who}");
    }
    // Nothing was written.
    assert_eq!(app.count("SELECT COUNT(*) FROM enterprises").await, before);
    assert_eq!(contact(&app, id).await, (name, phone));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM enterprises WHERE id = {id} AND address = '玉田县改过的地址1号'"
        ))
        .await,
        0
    );

    // On the pages: no import link, the import page and upload refused.
    let login = {
        let d = app.department(PARTNER.0, PARTNER.1).await;
        app.secretary(d).await
    };
    let (client, csrf) = app.web_user(&login).await;
    let list = client
        .get(app.url("/enterprises"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("id=\"enterprises\""), "the list shows");
    assert!(!list.contains("id=\"import-link\""));
    // Nor does the menu offer what the pages would refuse.
    assert!(
        !list.contains("href=\"/enterprises/import\""),
        "menu: 企业导入"
    );
    assert!(
        !list.contains("href=\"/enterprise-accounts\""),
        "menu: 企业账号开通"
    );
    let (ecology, _) = app.web_user("tssytx_dq").await;
    let theirs = app.html(&ecology, "/enterprises").await;
    assert!(theirs.contains("href=\"/enterprises/import\""));
    assert!(theirs.contains("href=\"/enterprise-accounts\""));
    // 执法端（手机） is offered to people, not to secretary accounts.
    assert!(!theirs.contains("id=\"field-app-link\""));
    let head = crate::common::office(&app).await[0].1.clone();
    let (person, _) = app.web_user(&head).await;
    assert!(app
        .html(&person, "/")
        .await
        .contains("id=\"field-app-link\""));
    let r = client
        .get(app.url("/enterprises/import"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("企业名录"));
    let form = reqwest::multipart::Form::new().text("_csrf", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(profile_csv(&app).await).file_name("e.csv"),
    );
    let r = client
        .post(app.url("/enterprises/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM enterprises").await, before);

    // The county's secretary still edits — but not the credit grade, which
    // changes only with a reason on the credit endpoint (RES-3).
    let editor = bearer(&app, "tssytx_dq").await;
    let mut regraded = edited.clone();
    regraded["credit_grade"] = json!(if edited["credit_grade"] == "E" {
        "A"
    } else {
        "E"
    });
    let (s, b) = app
        .send(
            "PUT",
            &editor,
            &format!("/api/v1/enterprises/{id}"),
            regraded,
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str(), b["field"].as_str()),
        (422, Some("credit_needs_reason"), Some("credit_grade")),
        "{b}"
    );
    let (s, b) = app
        .send("PUT", &editor, &format!("/api/v1/enterprises/{id}"), edited)
        .await;
    assert_eq!(s, 200, "{b}");
}

/// A whole export of the registry as its editor sees it: an import that
/// would be accepted were it allowed.
async fn profile_csv(app: &TestApp) -> Vec<u8> {
    let token = bearer(app, "tssytx_dq").await;
    app.http
        .get(app.url("/api/v1/enterprises/export?format=csv"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

async fn contacts_are_whole_for_editors_and_masked_for_readers(app: TestApp) {
    let id = app.first_enterprise().await;
    let (name, phone) = contact(&app, id).await;
    let masked = masked_phone(&phone);
    let masked_name: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 0 { c } else { '*' })
        .collect();
    let editor = bearer(&app, "tssytx_dq").await;
    let partner = secretary_token(&app, PARTNER.0, PARTNER.1).await;
    let inspector = bearer(&app, &inspector_login(&app).await).await;

    let seen = |b: &Value| {
        (
            b["contact_name"].as_str().unwrap().to_string(),
            b["contact_phone"].as_str().unwrap().to_string(),
        )
    };
    // API: the profile and the search.
    let (_, b) = app.get(&editor, &format!("/api/v1/enterprises/{id}")).await;
    assert_eq!(seen(&b["enterprise"]), (name.clone(), phone.clone()));
    for reader in [&partner, &inspector] {
        let (_, b) = app.get(reader, &format!("/api/v1/enterprises/{id}")).await;
        assert_eq!(
            seen(&b["enterprise"]),
            (masked_name.clone(), masked.clone())
        );
        let (_, page) = app.get(reader, "/api/v1/enterprises?per_page=100").await;
        let row = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == json!(id))
            .expect("the enterprise is listed");
        assert_eq!(seen(row), (masked_name.clone(), masked.clone()));
        assert!(!page.to_string().contains(&phone));
    }
    // Exports, CSV and XLSX.
    let export = |token: String, format: &'static str| {
        let app = &app;
        async move {
            app.http
                .get(app.url(&format!("/api/v1/enterprises/export?format={format}")))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec()
        }
    };
    let full = String::from_utf8(export(editor.clone(), "csv").await).unwrap();
    assert!(full.contains(&phone) && full.contains(&name));
    let read = String::from_utf8(export(partner.clone(), "csv").await).unwrap();
    assert!(read.contains(&masked), "{read}");
    assert!(!read.contains(&phone));
    let sheet = export(inspector.clone(), "xlsx").await;
    let sheet = yici_interchange::read(&sheet, Some("e.xlsx"), &Default::default()).unwrap();
    let rows = format!("{:?}", sheet.rows);
    assert!(rows.contains(&masked), "the XLSX export is masked too");
    assert!(!rows.contains(&phone));
    // Pages: the profile and the export.
    let profile = |login: String| {
        let app = &app;
        async move {
            let (client, _) = app.web_user(&login).await;
            let page = client
                .get(app.url(&format!("/enterprises/{id}")))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csv = client
                .get(app.url("/enterprises/export?format=csv"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            (page, csv)
        }
    };
    let (page, csv) = profile("tssytx_dq".into()).await;
    assert!(page.contains(&phone) && csv.contains(&phone));
    let (page, csv) = profile(inspector_login(&app).await).await;
    assert!(
        page.contains(&masked),
        "the profile shows the masked number"
    );
    assert!(!page.contains(&phone) && !csv.contains(&phone));
    assert!(!page.contains(&name));
    // Nor does the menu offer the import to an inspector.
    assert!(!page.contains("href=\"/enterprises/import\""));
}

/// Logs in on the login page and returns the session cookie's value.
async fn cookie_token(app: &TestApp, login: &str) -> String {
    let r = app
        .http
        .post(app.url("/login"))
        .form(&[("login", login), ("password", NEW_PASSWORD)])
        .send()
        .await
        .unwrap();
    let set = r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("yici_session="))
        .expect("a session cookie")
        .to_string();
    set.split(';').next().unwrap().to_string()
}

async fn a_cookie_is_no_bearer_token_and_a_bearer_token_no_cookie(app: TestApp) {
    let api_token = bearer(&app, "tssytx_dq").await;
    let web_token = cookie_token(&app, "tssytx_dq").await;
    let page = |token: String| {
        let app = &app;
        async move {
            app.http
                .get(app.url("/enterprises"))
                .header(header::COOKIE, format!("yici_session={token}"))
                .send()
                .await
                .unwrap()
        }
    };
    // Each in its own place works.
    assert_eq!(app.get(&api_token, "/api/v1/me").await.0, 200);
    assert_eq!(page(web_token.clone()).await.status().as_u16(), 200);
    // Swapped, neither does.
    let (s, b) = app.get(&web_token, "/api/v1/me").await;
    assert_eq!(
        (s, b["code"].as_str()),
        (401, Some("unauthenticated")),
        "{b}"
    );
    assert_eq!(app.get(&web_token, "/api/v1/units").await.0, 401);
    let r = page(api_token.clone()).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let to = r.headers()[header::LOCATION].to_str().unwrap();
    assert!(to.starts_with("/login"), "{to}");
    // And both still work afterwards: refusing did not end them.
    assert_eq!(app.get(&api_token, "/api/v1/me").await.0, 200);
    assert_eq!(page(web_token).await.status().as_u16(), 200);
}

/// Status and body of a GET and of a PUT with `body`.
async fn answers(app: &TestApp, token: &str, path: &str, body: Value) -> [(u16, Value); 2] {
    [
        app.get(token, path).await,
        app.send("PUT", token, path, body).await,
    ]
}

async fn another_units_records_answer_like_missing_ones(app: TestApp) {
    let county = bearer(&app, "tssytx_dq").await;
    let city = bearer(&app, "tss_dqhj").await;
    let city_dept = app.department("唐山市生态环境局", "大气环境科").await;
    let city_person = app.people_of("唐山市生态环境局", "大气环境科").await[0].0;
    let missing = 999_999;

    // A person of another unit: as if it did not exist, reading or writing.
    let edit = json!({"name": "改名", "gender": "male", "is_officer": false});
    let hidden = answers(
        &app,
        &county,
        &format!("/api/v1/people/{city_person}"),
        edit.clone(),
    )
    .await;
    let absent = answers(
        &app,
        &county,
        &format!("/api/v1/people/{missing}"),
        edit.clone(),
    )
    .await;
    assert_eq!(hidden, absent);
    assert_eq!(hidden[0].0, 404, "{:?}", hidden[0]);
    assert_eq!(hidden[1].0, 404, "{:?}", hidden[1]);
    // Its department, and the department's people.
    for path in ["", "/people"] {
        let (s, hidden) = app
            .get(&county, &format!("/api/v1/departments/{city_dept}{path}"))
            .await;
        let (s2, absent) = app
            .get(&county, &format!("/api/v1/departments/{missing}{path}"))
            .await;
        assert_eq!((s, &hidden), (404, &absent), "{path}");
        assert_eq!(s2, 404);
    }
    let new_person =
        json!({"name": "新人", "gender": "male", "is_officer": false, "mobile": "13700001111"});
    let (s, b) = app
        .send(
            "POST",
            &county,
            &format!("/api/v1/departments/{city_dept}/people"),
            new_person,
        )
        .await;
    assert_eq!(s, 404, "{b}");

    // Someone who may see a person but not change them still hears 403.
    let air = app.department(YUTIAN, "大气股").await;
    let inspector = bearer(&app, &inspector_login(&app).await).await;
    let colleague = app.person_of(&county, air, true).await;
    let path = format!("/api/v1/people/{}", colleague["id"]);
    assert_eq!(app.get(&inspector, &path).await.0, 200);
    let (s, b) = app.send("PUT", &inspector, &path, edit).await;
    assert_eq!(s, 403, "{b}");

    // A task and a document of the county, seen from the city.
    let v = visit(&app).await;
    let (s, doc) = app
        .send(
            "POST",
            &v.secretary,
            &format!("/api/v1/tasks/{}/documents", v.task),
            json!({"kind": "approval_form"}),
        )
        .await;
    assert_eq!(s, 201, "{doc}");
    let form = doc["form"].clone();
    let doc = id(&doc);
    let hidden = answers(
        &app,
        &city,
        &format!("/api/v1/documents/{doc}"),
        form.clone(),
    )
    .await;
    let absent = answers(&app, &city, &format!("/api/v1/documents/{missing}"), form).await;
    assert_eq!(hidden, absent);
    assert_eq!((hidden[0].0, hidden[1].0), (404, 404), "{hidden:?}");
    let hidden = app.get(&city, &format!("/api/v1/tasks/{}", v.task)).await;
    let absent = app.get(&city, &format!("/api/v1/tasks/{missing}")).await;
    assert_eq!(hidden, absent);
    assert_eq!(hidden.0, 404);
    // The county's own document is still there for its people.
    assert_eq!(
        app.get(&v.secretary, &format!("/api/v1/documents/{doc}"))
            .await
            .0,
        200
    );
}

async fn enterprise_accounts_are_refused_internal_routes(app: TestApp) {
    let id = app.first_enterprise().await;
    let enterprise = enterprise_token(&app, id).await;
    let air = app.department(YUTIAN, "大气股").await;
    let unit = app
        .count("SELECT id FROM units WHERE short_name = '玉田县分局'")
        .await;
    let tasks = app.count("SELECT COUNT(*) FROM tasks").await;
    for path in [
        "/api/v1/units".to_string(),
        format!("/api/v1/departments/{air}"),
        format!("/api/v1/departments/{air}/people"),
        format!("/api/v1/units/{unit}/document-patterns"),
        "/api/v1/enterprises".to_string(),
        format!("/api/v1/enterprises/{id}"),
        "/api/v1/tasks".to_string(),
        format!("/api/v1/plans/items?department_id={air}"),
        "/api/v1/partner-departments".to_string(),
    ] {
        let (s, b) = app.get(&enterprise, &path).await;
        assert_eq!(
            (s, b["code"].as_str()),
            (403, Some("staff_only")),
            "{path}: {b}"
        );
    }
    let (s, b) = app
        .send(
            "POST",
            &enterprise,
            "/api/v1/tasks/directed",
            json!({"source": "routine", "enterprise_ids": [id]}),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, tasks);
    // Its own routes still answer; without a token the internal ones say 401.
    let (s, b) = app.get(&enterprise, "/api/v1/enterprise/inspections").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(app.get(&enterprise, "/api/v1/me").await.0, 200);
    let r = app.http.get(app.url("/api/v1/units")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
}
