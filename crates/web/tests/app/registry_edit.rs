//! 一企一档 editing (ENT-1): the form registers and edits an enterprise and
//! its outlets and facilities; every change path writes the edit history in
//! its transaction; partner agencies and other counties are refused with a
//! Chinese error and nothing written; typed scripts stay text — on both
//! databases, and once in a real browser with screenshots.

use fantoccini::Locator;
use serde_json::{json, Value};
use yici_store::Exec;

use crate::common::browser::*;
use crate::common::*;
use crate::registry::{csv, import, uscc};

both_databases!(
    the_form_registers_an_enterprise_and_its_history_begins,
    the_form_edits_fields_and_the_history_lists_them,
    bad_input_is_shown_in_chinese_beside_its_field_and_nothing_is_written,
    agencies_and_other_counties_are_refused_and_nothing_is_written,
    imports_write_history_only_for_what_changed,
    scripts_typed_into_fields_stay_text_on_profile_and_history,
    outlets_and_facilities_are_added_edited_and_removed,
    registry_editing_in_a_real_browser,
);

/// The demo's partner agency of Yutian and its department.
const PARTNER: (&str, &str) = ("玉田县市场监督管理局", "执法稽查股");
/// The Yutian 大气股 secretary: a registry editor of Yutian.
const EDITOR: &str = "tssytx_dq";
/// The 滦南县 大气股 secretary: an editor of another county.
const OTHER_COUNTY: &str = "tsslnq_dq";

/// The fields of a complete, valid enterprise form.
fn form_fields(name: &str, code: &str) -> Vec<(&'static str, String)> {
    [
        ("name", name),
        ("uscc", code),
        ("address", "玉田县经济开发区钢城路8号"),
        ("industry_code", "3110"),
        ("postal_code", "064100"),
        ("longitude", "117.74"),
        ("latitude", "39.89"),
        ("region_code", "130229"),
        ("industrial_park", "玉田经济开发区"),
        ("contact_name", "李四"),
        ("contact_phone", "0315-5612345"),
        ("status", "normal"),
        ("category", "key"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

/// Posts a form with its CSRF token; the client follows the redirect.
async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    csrf: &str,
    path: &str,
    fields: &[(&str, String)],
) -> (u16, String, String) {
    let mut body: Vec<(&str, &str)> = vec![("_csrf", csrf)];
    body.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    let r = client.post(app.url(path)).form(&body).send().await.unwrap();
    let status = r.status().as_u16();
    let url = r.url().to_string();
    (status, url, r.text().await.unwrap())
}

/// The enterprise's history as the API gives it to `token`.
async fn history(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (s, b) = app
        .get(
            token,
            &format!("/api/v1/enterprises/{id}/history?per_page=100"),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b["items"].as_array().unwrap().clone()
}

/// The error shown beside a field of the enterprise form, after the alert
/// above the form that points to it.
fn field_error(page: &str) -> &str {
    assert!(
        element(page, "form-error").contains("请按标红的提示修改"),
        "{page}"
    );
    let start = page
        .find("<div class=\"err\">")
        .expect("an error beside a field");
    let rest = &page[start + 17..];
    &rest[..rest.find("</div>").unwrap()]
}

async fn edits(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM registry_edits").await
}

async fn the_form_registers_an_enterprise_and_its_history_begins(app: TestApp) {
    let (client, csrf) = app.web_user(EDITOR).await;
    let list = app.html(&client, "/enterprises").await;
    assert!(
        list.contains("id=\"new-link\""),
        "新增企业 offered to an editor"
    );
    let blank = app.html(&client, "/enterprises/new").await;
    assert!(element(&blank, "enterprise-form").contains("name=\"uscc\""));
    assert!(blank.contains("登记后在“调整信用等级/正面清单”中设置"));
    let code = uscc("130229", 901);
    let (s, url, page) = post(
        &client,
        &app,
        &csrf,
        "/enterprises",
        &form_fields("玉田县新登记钢铁有限公司", &code),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    let id = app
        .count(&format!("SELECT id FROM enterprises WHERE uscc = '{code}'"))
        .await;
    assert!(
        url.ends_with(&format!("/enterprises/{id}/edit?saved=created")),
        "{url}"
    );
    assert!(element(&page, "notice").contains("企业已登记"));
    // Every field as typed, names derived from the codes, no credit yet.
    let r = app
        .db
        .clone()
        .fetch_one(
            "SELECT name, industry_name, county_name, contact_phone, category, credit_grade,
                    positive_list, postal_code
               FROM enterprises WHERE id = $1",
            yici_store::args![id],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<String>("name").unwrap(), "玉田县新登记钢铁有限公司");
    assert_eq!(r.get::<String>("industry_name").unwrap(), "炼铁");
    assert_eq!(r.get::<String>("county_name").unwrap(), "玉田县");
    assert_eq!(r.get::<String>("contact_phone").unwrap(), "0315-5612345");
    assert_eq!(r.get::<String>("category").unwrap(), "key");
    assert_eq!(r.get::<Option<String>>("credit_grade").unwrap(), None);
    assert!(!r.get::<bool>("positive_list").unwrap());
    // The history begins with the registration, by whom and how.
    let token = bearer(&app, EDITOR).await;
    let h = history(&app, &token, id).await;
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0]["action"], "create");
    assert_eq!(h[0]["via"], "form");
    assert!(
        h[0]["editor_name"].as_str().unwrap().contains("大气股"),
        "{h:?}"
    );
    // A second registration of the same code is refused beside the field.
    let (s, _, page) = post(
        &client,
        &app,
        &csrf,
        "/enterprises",
        &form_fields("重复登记公司", &code),
    )
    .await;
    assert_eq!(s, 422);
    assert!(field_error(&page).contains("已登记"), "{page}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM enterprises WHERE uscc = '{code}'"
        ))
        .await,
        1
    );
}

async fn the_form_edits_fields_and_the_history_lists_them(app: TestApp) {
    let id = app.first_enterprise().await;
    // A grade set on the credit page is not the form's to change.
    app.execute(
        "UPDATE enterprises SET credit_grade = 'B', positive_list = TRUE WHERE id = $1",
        yici_store::args![id],
    )
    .await;
    let (client, csrf) = app.web_user(EDITOR).await;
    let profile = app.html(&client, &format!("/enterprises/{id}")).await;
    assert!(
        profile.contains("id=\"edit-link\""),
        "编辑 offered to an editor"
    );
    let page = app.html(&client, &format!("/enterprises/{id}/edit")).await;
    let form = element(&page, "enterprise-form");
    let (code, name) = app.uscc_and_name(id).await;
    assert!(
        form.contains(&format!("value=\"{name}\"")),
        "the record fills the form"
    );
    assert!(element(&page, "credit-link").contains("调整信用等级/正面清单"));
    assert!(page.contains(&format!("href=\"/enterprises/{id}/credit\"")));
    let edits_before = edits(&app).await;
    let mut fields = form_fields(&name, &code);
    fields.retain(|(k, _)| *k != "address" && *k != "status");
    fields.push(("address", "玉田县新址路99号".into()));
    fields.push(("status", "suspended".into()));
    let (s, url, page) = post(&client, &app, &csrf, &format!("/enterprises/{id}"), &fields).await;
    assert_eq!(s, 200, "{page}");
    assert!(
        url.ends_with(&format!("/enterprises/{id}/edit?saved=basic")),
        "{url}"
    );
    let r = app
        .db
        .clone()
        .fetch_one(
            "SELECT address, status, credit_grade, positive_list FROM enterprises WHERE id = $1",
            yici_store::args![id],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<String>("address").unwrap(), "玉田县新址路99号");
    assert_eq!(r.get::<String>("status").unwrap(), "suspended");
    assert_eq!(
        r.get::<Option<String>>("credit_grade").unwrap().as_deref(),
        Some("B")
    );
    assert!(r.get::<bool>("positive_list").unwrap());
    // One entry, with the fields that changed and their values.
    assert_eq!(edits(&app).await, edits_before + 1);
    let token = bearer(&app, EDITOR).await;
    let h = history(&app, &token, id).await;
    assert_eq!(
        (h[0]["action"].as_str(), h[0]["via"].as_str()),
        (Some("update"), Some("form"))
    );
    let changes = h[0]["changes"].as_array().unwrap();
    let address = changes
        .iter()
        .find(|c| c["field"] == "address")
        .expect("address");
    assert_eq!(address["after"], "玉田县新址路99号");
    assert!(changes
        .iter()
        .any(|c| c["field"] == "status" && c["after"] == "suspended"));
    assert!(
        !changes.iter().any(|c| c["field"] == "credit_grade"),
        "{changes:?}"
    );
    // The profile's 变更记录 tab, newest first, in Chinese.
    let tab = app
        .html(&client, &format!("/enterprises/{id}?tab=history"))
        .await;
    let table = element(&tab, "history");
    assert!(
        table.contains("修改企业信息") && table.contains("网页表单"),
        "{table}"
    );
    assert!(table.contains("地址：") && table.contains("<ins>玉田县新址路99号</ins>"));
    assert!(
        table.contains("<ins>停产</ins>"),
        "codes read as labels: {table}"
    );
    let first_row = table.find("修改企业信息").unwrap();
    let creation = table.find("新增企业").unwrap();
    assert!(first_row < creation, "newest first");
    // Saving the same values again is no change and no entry.
    let (s, _, _) = post(&client, &app, &csrf, &format!("/enterprises/{id}"), &fields).await;
    assert_eq!(s, 200);
    assert_eq!(edits(&app).await, edits_before + 1);
    // An edit through the API is told apart.
    let (_, profile) = app.get(&token, &format!("/api/v1/enterprises/{id}")).await;
    let mut input = profile["enterprise"].clone();
    input["industrial_park"] = json!("鸦鸿桥园区");
    let (s, b) = app
        .send("PUT", &token, &format!("/api/v1/enterprises/{id}"), input)
        .await;
    assert_eq!(s, 200, "{b}");
    let h = history(&app, &token, id).await;
    assert_eq!(h[0]["via"], "api");
    assert_eq!(h[0]["changes"][0]["field"], "industrial_park");
    // Paging: one entry a page.
    let (_, p2) = app
        .get(
            &token,
            &format!("/api/v1/enterprises/{id}/history?page=2&per_page=1"),
        )
        .await;
    assert_eq!(p2["total"], 3);
    assert_eq!(p2["items"][0]["action"], "update");
    assert_eq!(p2["items"][0]["via"], "form");
    let (s, b) = app
        .get(
            &token,
            &format!("/api/v1/enterprises/{id}/history?per_page=500"),
        )
        .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("per_page")));
}

async fn bad_input_is_shown_in_chinese_beside_its_field_and_nothing_is_written(app: TestApp) {
    let id = app.first_enterprise().await;
    let (client, csrf) = app.web_user(EDITOR).await;
    let enterprises = app.count("SELECT COUNT(*) FROM enterprises").await;
    let edits_before = edits(&app).await;
    // A check character that fails: the error beside the field, what was typed kept.
    let code = uscc("130229", 902);
    let bad = format!(
        "{}{}",
        &code[..17],
        if code.ends_with('0') { '1' } else { '0' }
    );
    let (s, _, page) = post(
        &client,
        &app,
        &csrf,
        "/enterprises",
        &form_fields("玉田县校验位错误有限公司", &bad),
    )
    .await;
    assert_eq!(s, 422);
    let form = element(&page, "enterprise-form");
    assert!(
        form.contains("<div class=\"err\">统一社会信用代码校验位错误"),
        "{form}"
    );
    assert!(form.contains("value=\"玉田县校验位错误有限公司\""));
    assert!(form.contains(&format!("value=\"{bad}\"")));
    // Other fields, on an edit: a coordinate that is no number, a bad postcode.
    let (code, name) = app.uscc_and_name(id).await;
    for (field, value, message) in [
        ("longitude", "东经117", "中心经度应为数字"),
        ("postal_code", "0641", "邮政编码"),
        ("industry_code", "9999", "行业代码"),
        ("region_code", "130224", "不能将企业移出本单位管辖范围"),
    ] {
        let mut fields = form_fields(&name, &code);
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value.into()));
        let (s, _, page) = post(&client, &app, &csrf, &format!("/enterprises/{id}"), &fields).await;
        assert_eq!(s, 422, "{field}");
        let err = field_error(&page);
        assert!(err.contains(message), "{field}: {err}");
        assert!(page.contains("has-err"), "{field} marked");
    }
    // The USCC of an enterprise is not edited, whatever is posted.
    let mut fields = form_fields(&name, &uscc("130229", 903));
    fields.retain(|(k, _)| *k != "address");
    fields.push(("address", "不该写入的地址".into()));
    let (s, _, page) = post(&client, &app, &csrf, &format!("/enterprises/{id}"), &fields).await;
    assert_eq!(s, 422);
    assert!(field_error(&page).contains("不可修改"));
    // Nothing written by any of them.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enterprises").await,
        enterprises
    );
    assert_eq!(edits(&app).await, edits_before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enterprises WHERE address = '不该写入的地址'")
            .await,
        0
    );
}

async fn agencies_and_other_counties_are_refused_and_nothing_is_written(app: TestApp) {
    let id = app.first_enterprise().await;
    let (code, name) = app.uscc_and_name(id).await;
    let outlet = app
        .count(&format!(
            "SELECT MIN(id) FROM outlets WHERE enterprise_id = {id}"
        ))
        .await;
    let edits_before = edits(&app).await;
    let outlets_before = app.count("SELECT COUNT(*) FROM outlets").await;
    let mut fields = form_fields(&name, &code);
    fields.retain(|(k, _)| *k != "address");
    fields.push(("address", "不该写入的地址".into()));
    let partner = {
        let d = app.department(PARTNER.0, PARTNER.1).await;
        app.secretary(d).await
    };
    // (login, status, what the refusal says)
    for (login, status, says) in [
        (partner.as_str(), 403, "只有生态环境部门"),
        (OTHER_COUNTY, 404, "企业不存在或不在本单位管辖范围内"),
    ] {
        let (client, csrf) = app.web_user(login).await;
        if status == 403 {
            // The partner reads the profile, without the edit links.
            let profile = app.html(&client, &format!("/enterprises/{id}")).await;
            assert!(profile.contains("id=\"basic\""), "{login} reads");
            assert!(!profile.contains("id=\"edit-link\""));
            let list = app.html(&client, "/enterprises").await;
            assert!(!list.contains("id=\"new-link\""));
            let r = client
                .get(app.url("/enterprises/new"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 403);
            let (s, _, page) = post(&client, &app, &csrf, "/enterprises", &fields).await;
            assert_eq!(s, 403, "{login}");
            assert!(page.contains(says), "{page}");
        }
        let r = client
            .get(app.url(&format!("/enterprises/{id}/edit")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{login}");
        assert!(r.text().await.unwrap().contains(says), "{login}");
        let (s, _, page) = post(&client, &app, &csrf, &format!("/enterprises/{id}"), &fields).await;
        assert_eq!(s, status, "{login}");
        assert!(page.contains(says));
        let row = [
            ("code", "DA099".to_string()),
            ("name", "不该写入的排口".into()),
            ("detail", String::new()),
        ];
        for path in [
            format!("/enterprises/{id}/installations/outlets"),
            format!("/enterprises/{id}/installations/outlets/{outlet}"),
            format!("/enterprises/{id}/installations/outlets/{outlet}/delete"),
        ] {
            let (s, _, _) = post(&client, &app, &csrf, &path, &row).await;
            assert_eq!(s, status, "{login} {path}");
        }
        // The API: the same refusals, structured.
        let token = bearer(&app, login).await;
        let code = if status == 403 {
            "forbidden"
        } else {
            "not_found"
        };
        let outlet_body = json!({"code": "DA099", "name": "不该写入的排口"});
        for (method, path, body) in [
            (
                "POST",
                format!("/api/v1/enterprises/{id}/outlets"),
                outlet_body.clone(),
            ),
            (
                "PUT",
                format!("/api/v1/enterprises/{id}/outlets/{outlet}"),
                outlet_body.clone(),
            ),
            (
                "DELETE",
                format!("/api/v1/enterprises/{id}/outlets/{outlet}"),
                Value::Null,
            ),
            (
                "POST",
                format!("/api/v1/enterprises/{id}/facilities"),
                json!({"kind": "production", "code": "MF9", "name": "不该写入的设施"}),
            ),
        ] {
            let (s, b) = app.send(method, &token, &path, body).await;
            assert_eq!(
                (s, b["code"].as_str()),
                (status, Some(code)),
                "{login} {method} {path}: {b}"
            );
            assert!(b["message"].as_str().unwrap().contains(says), "{b}");
        }
    }
    // The other county does not even see the history; the partner reads it,
    // with the contact masked (SEC-3).
    let other = bearer(&app, OTHER_COUNTY).await;
    let (s, _) = app
        .get(&other, &format!("/api/v1/enterprises/{id}/history"))
        .await;
    assert_eq!(s, 404);
    assert_eq!(edits(&app).await, edits_before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outlets").await,
        outlets_before
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enterprises WHERE address = '不该写入的地址'")
            .await,
        0
    );
    let editor = bearer(&app, EDITOR).await;
    let (_, profile) = app.get(&editor, &format!("/api/v1/enterprises/{id}")).await;
    let mut input = profile["enterprise"].clone();
    input["contact_phone"] = json!("13812345678");
    let (s, _) = app
        .send("PUT", &editor, &format!("/api/v1/enterprises/{id}"), input)
        .await;
    assert_eq!(s, 200);
    let partner_token = bearer(&app, &partner).await;
    let h = history(&app, &partner_token, id).await;
    let phone = h[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "contact_phone")
        .unwrap();
    assert_eq!(phone["after"], "138****5678");
    let h = history(&app, &editor, id).await;
    assert!(h[0]["changes"].to_string().contains("13812345678"));
}

async fn imports_write_history_only_for_what_changed(app: TestApp) {
    let token = bearer(&app, EDITOR).await;
    let (a, b) = (uscc("130229", 911), uscc("130229", 912));
    let rows = |address: &str| {
        vec![
            format!("玉田县导入甲有限公司,{a},{address},3110,130229,一般排污单位,,117.74,39.90"),
            format!(
                "玉田县导入乙有限公司,{b},玉田县导入路2号,2521,130229,一般排污单位,,117.75,39.91"
            ),
        ]
    };
    let first = rows("玉田县导入路1号");
    let refs: Vec<&str> = first.iter().map(String::as_str).collect();
    let (s, report) = import(&app, &token, csv(&refs), "名录.csv").await;
    assert_eq!((s, report["created"].as_i64()), (200, Some(2)), "{report}");
    assert_eq!(edits(&app).await, 2, "one creation entry each");
    // The same file again changes nothing and writes no history.
    let (_, report) = import(&app, &token, csv(&refs), "名录.csv").await;
    assert_eq!(report["unchanged"], 2, "{report}");
    assert_eq!(edits(&app).await, 2);
    // A changed address: one entry, for that enterprise, by import.
    let second = rows("玉田县导入路100号");
    let refs: Vec<&str> = second.iter().map(String::as_str).collect();
    let (_, report) = import(&app, &token, csv(&refs), "名录.csv").await;
    assert_eq!(
        (report["updated"].as_i64(), report["unchanged"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(edits(&app).await, 3);
    let id = app
        .count(&format!("SELECT id FROM enterprises WHERE uscc = '{a}'"))
        .await;
    let h = history(&app, &token, id).await;
    assert_eq!(
        (h[0]["action"].as_str(), h[0]["via"].as_str()),
        (Some("update"), Some("import"))
    );
    assert_eq!(
        h[0]["changes"],
        json!([{"field": "address", "before": "玉田县导入路1号", "after": "玉田县导入路100号"}])
    );
    assert_eq!(h[1]["action"], "create");
}

async fn scripts_typed_into_fields_stay_text_on_profile_and_history(app: TestApp) {
    let id = app.first_enterprise().await;
    let (client, csrf) = app.web_user(EDITOR).await;
    let (code, _) = app.uscc_and_name(id).await;
    let script = "<script>alert('x')</script>宏达钢铁";
    let (s, _, page) = post(
        &client,
        &app,
        &csrf,
        &format!("/enterprises/{id}"),
        &form_fields(script, &code),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    let row = [
        ("code", "DA098".to_string()),
        ("name", "<img src=x onerror=alert(1)>排口".into()),
        ("detail", "颗粒物 10 mg/m³".into()),
    ];
    let (s, _, page) = post(
        &client,
        &app,
        &csrf,
        &format!("/enterprises/{id}/installations/outlets"),
        &row,
    )
    .await;
    assert_eq!(s, 200, "{page}");
    for path in [
        format!("/enterprises/{id}"),
        format!("/enterprises/{id}?tab=history"),
        format!("/enterprises/{id}?tab=outlets"),
        format!("/enterprises/{id}/edit"),
    ] {
        let page = app.html(&client, &path).await;
        assert!(!page.contains("<script>alert"), "{path}");
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(
            page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"),
            "{path}"
        );
    }
    let history = app
        .html(&client, &format!("/enterprises/{id}?tab=history"))
        .await;
    assert!(element(&history, "history").contains("宏达钢铁"));
}

async fn outlets_and_facilities_are_added_edited_and_removed(app: TestApp) {
    let id = app.first_enterprise().await;
    let (client, csrf) = app.web_user(EDITOR).await;
    let count = |kind: &'static str| {
        let app = &app;
        async move {
            let table = if kind == "outlets" {
                "outlets"
            } else {
                "facilities"
            };
            let filter = if kind == "outlets" {
                String::new()
            } else {
                format!(" AND kind = '{kind}'")
            };
            app.count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE enterprise_id = {id}{filter}"
            ))
            .await
        }
    };
    let base = format!("/enterprises/{id}/installations");
    let row = |code: &str, name: &str, detail: &str| {
        [
            ("code", code.to_string()),
            ("name", name.to_string()),
            ("detail", detail.to_string()),
        ]
    };
    // Outlets: add, with limits in one line; code normalised.
    let outlets = count("outlets").await;
    let (s, url, page) = post(
        &client,
        &app,
        &csrf,
        &format!("{base}/outlets"),
        &row(
            " da091 ",
            "3号烧结机头废气排放口",
            "颗粒物 10 mg/m³；二氧化硫 ≤ 35",
        ),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert!(url.contains("saved=outlets"), "{url}");
    assert_eq!(count("outlets").await, outlets + 1);
    let oid = app
        .count(&format!(
            "SELECT id FROM outlets WHERE enterprise_id = {id} AND code = 'DA091'"
        ))
        .await;
    let table = element(&page, "outlets-table");
    assert!(
        table.contains("颗粒物 10 mg/m³；二氧化硫 35 mg/m³") && table.contains("废气"),
        "{table}"
    );
    // Bad input: beside the list, typed values kept, nothing written.
    for (code, detail, says) in [
        ("DX1", "", "排放口"),
        ("DA091", "", "已存在"),
        ("DA092", "颗粒物 十", "污染物 限值 单位"),
    ] {
        let (s, _, page) = post(
            &client,
            &app,
            &csrf,
            &format!("{base}/outlets"),
            &row(code, "某排口", detail),
        )
        .await;
        assert_eq!(s, 422, "{code}");
        assert!(
            element(&page, "outlets-error").contains(says),
            "{code}: {page}"
        );
        assert!(element(&page, "outlets-form").contains("value=\"某排口\""));
    }
    assert_eq!(count("outlets").await, outlets + 1);
    // Edit: the 编辑 link loads the row; saved, the history says what changed.
    let page = app
        .html(
            &client,
            &format!("/enterprises/{id}/edit?part=outlets&item={oid}"),
        )
        .await;
    assert!(element(&page, "outlets-form").contains("value=\"3号烧结机头废气排放口\""));
    let (s, _, page) = post(
        &client,
        &app,
        &csrf,
        &format!("{base}/outlets/{oid}"),
        &row(
            "DA091",
            "3号烧结机机头排放口",
            "颗粒物 10 mg/m³；二氧化硫 35 mg/m³",
        ),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    let token = bearer(&app, EDITOR).await;
    let h = history(&app, &token, id).await;
    assert_eq!(h[0]["action"], "outlet_update");
    assert_eq!(h[0]["subject"], "DA091 3号烧结机机头排放口");
    assert_eq!(
        h[0]["changes"],
        json!([{"field": "name", "before": "3号烧结机头废气排放口", "after": "3号烧结机机头排放口"}])
    );
    // Remove.
    let (s, _, _) = post(
        &client,
        &app,
        &csrf,
        &format!("{base}/outlets/{oid}/delete"),
        &[],
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(count("outlets").await, outlets);
    assert_eq!(
        history(&app, &token, id).await[0]["action"],
        "outlet_remove"
    );
    // Facilities of both kinds, on the page.
    for (kind, code, name, detail) in [
        ("treatment", "TA091", "3号袋式除尘器", "袋式除尘"),
        ("production", "MF0091", "3号烧结机", "360m²"),
    ] {
        let before = count(kind).await;
        let (s, _, page) = post(
            &client,
            &app,
            &csrf,
            &format!("{base}/{kind}"),
            &row(code, name, detail),
        )
        .await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(count(kind).await, before + 1);
        assert!(element(&page, &format!("{kind}-table")).contains(name));
        let fid = app
            .count(&format!(
                "SELECT id FROM facilities WHERE enterprise_id = {id} AND code = '{code}'"
            ))
            .await;
        let (s, _, _) = post(
            &client,
            &app,
            &csrf,
            &format!("{base}/{kind}/{fid}"),
            &row(code, name, "改后的工艺"),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(
            history(&app, &token, id).await[0]["action"],
            format!("{kind}_update")
        );
        let (s, _, _) = post(
            &client,
            &app,
            &csrf,
            &format!("{base}/{kind}/{fid}/delete"),
            &[],
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(count(kind).await, before);
        assert_eq!(
            history(&app, &token, id).await[0]["action"],
            format!("{kind}_remove")
        );
    }
    // A treatment facility needs an HJ 608 code.
    let (s, _, page) = post(
        &client,
        &app,
        &csrf,
        &format!("{base}/treatment"),
        &row("X1", "除尘器", ""),
    )
    .await;
    assert_eq!(s, 422);
    assert!(page.contains("id=\"treatment-error\""));
    // The API: the same operations.
    let api = format!("/api/v1/enterprises/{id}");
    let (s, o) = app
        .send("POST", &token, &format!("{api}/outlets"),
            json!({"code": "DW091", "name": "总排口", "pollutants": [{"pollutant": "COD", "limit": 50.0, "unit": "mg/L"}]}))
        .await;
    assert_eq!((s, o["kind"].as_str()), (201, Some("废水")), "{o}");
    let (s, dup) = app
        .send(
            "POST",
            &token,
            &format!("{api}/outlets"),
            json!({"code": "DW091", "name": "又一个"}),
        )
        .await;
    assert_eq!(
        (s, dup["code"].as_str()),
        (409, Some("duplicate_code")),
        "{dup}"
    );
    let (s, o2) = app
        .send(
            "PUT",
            &token,
            &format!("{api}/outlets/{}", o["id"]),
            json!({"code": "DW091", "name": "废水总排口"}),
        )
        .await;
    assert_eq!((s, o2["name"].as_str()), (200, Some("废水总排口")), "{o2}");
    let (s, f) = app
        .send(
            "POST",
            &token,
            &format!("{api}/facilities"),
            json!({"kind": "treatment", "code": "TW091", "name": "污水处理站", "process": "A/O"}),
        )
        .await;
    assert_eq!(s, 201, "{f}");
    let (s, f2) = app
        .send(
            "PUT",
            &token,
            &format!("{api}/facilities/{}", f["id"]),
            json!({"code": "TW091", "name": "污水处理站", "process": "A²/O"}),
        )
        .await;
    assert_eq!((s, f2["process"].as_str()), (200, Some("A²/O")), "{f2}");
    let (s, _) = app
        .send(
            "DELETE",
            &token,
            &format!("{api}/facilities/{}", f["id"]),
            Value::Null,
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = app
        .send(
            "DELETE",
            &token,
            &format!("{api}/outlets/{}", o["id"]),
            Value::Null,
        )
        .await;
    assert_eq!(s, 204);
    let (s, gone) = app
        .send(
            "DELETE",
            &token,
            &format!("{api}/outlets/{}", o["id"]),
            Value::Null,
        )
        .await;
    assert_eq!((s, gone["code"].as_str()), (404, Some("not_found")));
    let h = history(&app, &token, id).await;
    let actions: Vec<&str> = h
        .iter()
        .take(6)
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "outlet_remove",
            "treatment_remove",
            "treatment_update",
            "treatment_add",
            "outlet_update",
            "outlet_add"
        ]
    );
    assert!(h.iter().take(6).all(|e| e["via"] == "api"));
}

async fn registry_editing_in_a_real_browser(app: TestApp) {
    let sqlite = matches!(app.backend, Backend::Sqlite);
    let id = app.first_enterprise().await;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    log_in(&c, &app, EDITOR).await;
    // 新增企业 from the list; a bad code first, then the right one.
    c.goto(&app.url("/enterprises")).await.unwrap();
    click(&c, "#new-link").await;
    wait_path(&c, "/enterprises/new").await;
    let code = uscc("130229", 921);
    let bad = format!(
        "{}{}",
        &code[..17],
        if code.ends_with('0') { '1' } else { '0' }
    );
    for (name, value) in [
        ("name", "玉田县浏览器登记有限公司"),
        ("uscc", bad.as_str()),
        ("permit_code", ""),
        ("address", "玉田县无终街18号"),
        ("industry_code", "3130"),
        ("postal_code", "064100"),
        ("longitude", "117.73"),
        ("latitude", "39.88"),
        ("industrial_park", "玉田经济开发区"),
        ("contact_name", "王五"),
        ("contact_phone", "13912340000"),
    ] {
        fill(&c, &format!("#enterprise-form [name={name}]"), value).await;
    }
    let select = |css: &'static str, value: &'static str| {
        let c = &c;
        async move {
            c.find(Locator::Css(&format!("{css} option[value='{value}']")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
    };
    select("#enterprise-form [name=region_code]", "130229").await;
    select("#enterprise-form [name=category]", "key").await;
    click(&c, "#submit").await;
    assert!(text(&c, ".field.has-err .err").await.contains("校验位错误"));
    if sqlite {
        shot(&c, "registry-new-error-desktop").await;
    }
    fill(&c, "#enterprise-form [name=uscc]", &code).await;
    click(&c, "#submit").await;
    let notice = text_containing(&c, "#notice", "企业已登记").await;
    assert!(notice.contains("排口"));
    let new_id = app
        .count(&format!("SELECT id FROM enterprises WHERE uscc = '{code}'"))
        .await;
    assert_eq!(path(&c).await, format!("/enterprises/{new_id}/edit"));
    // An outlet on the new enterprise's page.
    fill(&c, "#outlets-form [name=code]", "DA001").await;
    fill(&c, "#outlets-form [name=name]", "1号轧机废气排放口").await;
    fill(
        &c,
        "#outlets-form [name=detail]",
        "颗粒物 10 mg/m³；二氧化硫 50",
    )
    .await;
    click(&c, "#outlets-form button[type=submit]").await;
    text_containing(&c, "#outlets-table", "1号轧机废气排放口").await;

    // The demo enterprise: its full edit page, then its history.
    c.goto(&app.url(&format!("/enterprises/{id}")))
        .await
        .unwrap();
    click(&c, "#edit-link").await;
    wait_path(&c, &format!("/enterprises/{id}/edit")).await;
    fill(&c, "#enterprise-form [name=address]", "玉田县钢城路88号").await;
    fill(&c, "#enterprise-form [name=contact_name]", "赵六").await;
    click(&c, "#submit").await;
    text_containing(&c, "#notice", "已保存").await;
    c.goto(&app.url(
        &format!("/enterprises/{id}/edit?part=outlets&item={}",
        app.count(&format!("SELECT MIN(id) FROM outlets WHERE enterprise_id = {id}")).await),
    ))
    .await
    .unwrap();
    if sqlite {
        shot(&c, "registry-edit-desktop").await;
        scroll_to(&c, "#outlets").await;
        shot(&c, "registry-edit-installations-desktop").await;
    }
    c.goto(&app.url(&format!("/enterprises/{id}?tab=history")))
        .await
        .unwrap();
    let table = text(&c, "#history").await;
    assert!(
        table.contains("玉田县钢城路88号") && table.contains("网页表单"),
        "{table}"
    );
    if sqlite {
        shot(&c, "registry-history-desktop").await;
        c.set_window_size(390, 844).await.unwrap();
        shot(&c, "registry-history-phone").await;
        c.goto(&app.url(&format!("/enterprises/{id}/edit")))
            .await
            .unwrap();
        text(&c, "#enterprise-form").await;
        shot(&c, "registry-edit-phone").await;
        scroll_to(&c, "#outlets").await;
        shot(&c, "registry-edit-installations-phone").await;
    }
    c.close().await.unwrap();
}
