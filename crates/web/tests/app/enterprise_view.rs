//! The enterprise's view (企业端, RES-4): its inspection with each
//! department's findings, the 结果告知 of the issued 情况记录表 (待告知
//! before), the documents served with their PDFs; another enterprise gets
//! 404 for all of it. The rating: once, on a completed inspection, bad input
//! refused beside its field, a second rating 409 with nothing written; read
//! by the unit's office and leaders on `/ratings`, never by the inspectors,
//! their secretary or their head.

use crate::common::{
    bearer, check_in, csrf_of, element, enterprise_account, office, other_enterprise,
    secretary_token, serve_papers, submitted_visit, visit, TestApp, ENTERPRISE_PASSWORD, PROBLEM,
    WATER_FINDINGS, YUTIAN,
};
use serde_json::{json, Value};

both_databases!(config = crate::common::with_evidence_folder();
    the_enterprise_sees_its_findings_outcome_and_papers_and_no_one_elses,
    an_inspection_is_rated_only_once_complete,
    ratings_reach_the_office_and_leaders_and_never_the_inspectors,
    the_api_document_describes_the_enterprise_view_and_ratings,
);

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn rating(comment: &str) -> Value {
    json!({"conduct": 5, "disturbance": 4, "discipline_kept": true, "comment": comment})
}

async fn the_enterprise_sees_its_findings_outcome_and_papers_and_no_one_elses(app: TestApp) {
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let (uscc, token) = enterprise_account(&app, s.visit.enterprise).await;
    let path = format!("/api/v1/enterprise/inspections/{task}");
    let (st, b) = app.get(&token, &path).await;
    assert_eq!(st, 200, "{b}");
    let findings = b["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{b}");
    assert_eq!(findings[0]["department_name"], "大气股");
    assert_eq!(findings[0]["state_label"], "已办理");
    let problem = findings[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["has_problem"] == true)
        .unwrap();
    assert_eq!(problem["problem_description"], PROBLEM);
    assert_eq!(findings[1]["onsite_findings"], WATER_FINDINGS);
    assert_eq!(b["outcomes"], json!([]), "待告知 before the 情况记录表");
    assert_eq!(b["documents"], json!([]));
    assert_eq!(b["may_rate"], true);
    // Not the inspectors' mobile numbers, nor who typed the result.
    let text = b.to_string();
    for (_, mobile) in &s.visit.inspectors {
        assert!(!text.contains(mobile.as_str()), "{mobile} in {text}");
    }
    assert!(
        !text.contains("client_id") && !text.contains("evidence"),
        "{text}"
    );

    let web = app.web_login(&uscc, ENTERPRISE_PASSWORD).await;
    let (st, home) = page(&web, &app, "/e").await;
    assert_eq!(st, 200);
    assert!(
        home.contains(&format!("href=\"/e/inspections/{task}\"")),
        "{home}"
    );
    assert!(home.contains("待告知") && home.contains("待评价"), "{home}");
    let (st, html) = page(&web, &app, &format!("/e/inspections/{task}")).await;
    assert_eq!(st, 200);
    assert!(element(&html, "outcome").contains("待告知"));
    assert!(html.contains(PROBLEM) && html.contains(WATER_FINDINGS));
    assert!(element(&html, "documents").contains("暂无送达的文书"));
    assert!(html.contains("id=\"rating-form\""));

    // The notice is served and the 情况记录表 issued: 结果告知 and both papers.
    let (notice, sheet) = serve_papers(&app, &s, "not_passed").await;
    let (_, b) = app.get(&token, &path).await;
    assert_eq!(b["outcomes"][0]["label"], "未通过行政检查", "{b}");
    assert_eq!(b["outcomes"][0]["outcome"], "not_passed");
    let docs: Vec<i64> = b["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(docs, vec![notice, sheet], "{b}");
    let (_, html) = page(&web, &app, &format!("/e/inspections/{task}")).await;
    assert!(
        element(&html, "outcome").contains("未通过行政检查"),
        "{html}"
    );
    let (_, home) = page(&web, &app, "/e").await;
    assert!(
        home.contains("<dd class=\"outcome\">未通过行政检查</dd>"),
        "{home}"
    );
    for d in [notice, sheet] {
        let r = web
            .get(app.url(&format!("/e/documents/{d}/pdf")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    }
    // An internal document of the task (a draft 现场检查笔录) is not theirs.
    let (st, record) = app
        .send(
            "POST",
            &secretary_token(&app, YUTIAN, "大气股").await,
            &format!("/api/v1/tasks/{task}/documents"),
            json!({"kind": "onsite_record"}),
        )
        .await;
    assert_eq!(st, 201, "{record}");
    let r = web
        .get(app.url(&format!("/e/documents/{}/pdf", record["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // Another enterprise: 404 for the inspection, its papers and its rating.
    let (other_uscc, other) =
        enterprise_account(&app, other_enterprise(&app, s.visit.enterprise).await).await;
    let (st, b) = app.get(&other, &path).await;
    assert_eq!((st, b["code"].as_str()), (404, Some("not_found")), "{b}");
    let (st, _) = app
        .get(
            &other,
            &format!("/api/v1/enterprise/documents/{notice}/pdf"),
        )
        .await;
    assert_eq!(st, 404);
    let (st, _) = app
        .send("POST", &other, &format!("{path}/rating"), rating("好"))
        .await;
    assert_eq!(st, 404);
    let stranger = app.web_login(&other_uscc, ENTERPRISE_PASSWORD).await;
    assert_eq!(
        page(&stranger, &app, &format!("/e/inspections/{task}"))
            .await
            .0,
        404
    );
    assert_eq!(
        page(&stranger, &app, &format!("/e/documents/{sheet}/pdf"))
            .await
            .0,
        404
    );
    // An inspector has no enterprise view.
    let (st, _) = app.get(&s.air_inspector, &path).await;
    assert_eq!(st, 403);
}

async fn an_inspection_is_rated_only_once_complete(app: TestApp) {
    // Not complete yet (visited, no results): refused, nothing written.
    let v = visit(&app).await;
    check_in(&app, v.task).await;
    let (_, token) = enterprise_account(&app, v.enterprise).await;
    let (st, b) = app
        .send(
            "POST",
            &token,
            &format!("/api/v1/enterprise/inspections/{}/rating", v.task),
            rating("好"),
        )
        .await;
    assert_eq!(
        (st, b["code"].as_str()),
        (409, Some("not_completed")),
        "{b}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM inspection_ratings").await,
        0
    );
}

async fn ratings_reach_the_office_and_leaders_and_never_the_inspectors(app: TestApp) {
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let (uscc, token) = enterprise_account(&app, s.visit.enterprise).await;
    let path = format!("/api/v1/enterprise/inspections/{task}/rating");

    // Bad input, through the API and the page: refused beside its field.
    let (st, b) = app
        .send(
            "POST",
            &token,
            &path,
            json!({"conduct": 6, "disturbance": 3, "discipline_kept": true}),
        )
        .await;
    assert_eq!((st, b["field"].as_str()), (422, Some("conduct")), "{b}");
    let web = app.web_login(&uscc, ENTERPRISE_PASSWORD).await;
    let (_, html) = page(&web, &app, &format!("/e/inspections/{task}")).await;
    let r = web
        .post(app.url(&format!("/e/inspections/{task}/rating")))
        .form(&[
            ("_csrf", csrf_of(&html).as_str()),
            ("conduct", "4"),
            ("disturbance", "5"),
            ("discipline_kept", "no"),
            ("discipline_breach", ""),
            ("comment", "检查人员态度较好"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        element(&html, "discipline_breach-error").contains("请说明"),
        "{html}"
    );
    assert!(
        html.contains("检查人员态度较好"),
        "the form keeps what was typed"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM inspection_ratings").await,
        0
    );

    // Rated once on the page; a second time is 409 and writes nothing.
    let r = web
        .post(app.url(&format!("/e/inspections/{task}/rating")))
        .form(&[
            ("_csrf", csrf_of(&html).as_str()),
            ("conduct", "4"),
            ("disturbance", "5"),
            ("discipline_kept", "no"),
            ("discipline_breach", "检查人员接受企业安排的工作餐"),
            ("comment", "检查人员态度较好"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.url().path(), format!("/e/inspections/{task}"));
    let html = r.text().await.unwrap();
    assert!(element(&html, "rating-given").contains("检查人员接受企业安排的工作餐"));
    assert!(!html.contains("id=\"rating-form\""));
    let (st, b) = app.send("POST", &token, &path, rating("再评一次")).await;
    assert_eq!(
        (st, b["code"].as_str()),
        (409, Some("already_rated")),
        "{b}"
    );
    assert!(
        b["message"].as_str().unwrap().contains("只能评价一次"),
        "{b}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM inspection_ratings").await,
        1
    );
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'inspection.rated'")
        .await;
    assert_eq!(audited, 1);

    // The office and both leaders of the unit read it, on the page and the API.
    let office = office(&app).await;
    for (_, login) in [&office[0], &office[1], &office[2]] {
        let token = bearer(&app, login).await;
        let (st, b) = app.get(&token, "/api/v1/ratings").await;
        assert_eq!(st, 200, "{login}: {b}");
        let list = b.as_array().unwrap();
        assert_eq!(list.len(), 1, "{b}");
        assert_eq!(list[0]["task_id"], task);
        assert_eq!(list[0]["discipline_kept"], false);
        let (web, _) = app.web_user(login).await;
        let (st, html) = page(&web, &app, "/ratings").await;
        assert_eq!(st, 200, "{login}");
        let table = element(&html, "ratings");
        assert!(table.contains("检查人员接受企业安排的工作餐"), "{table}");
        assert!(
            table.contains(&format!("href=\"/tasks/{task}\"")),
            "{table}"
        );
        assert!(html.contains("id=\"ratings-link\""), "menu entry");
    }

    // Never the inspectors (the head of 大气股 among them), their secretary or
    // the other department: 403, no menu entry, nothing on the task.
    let water_mobile = s.visit.water_inspector.clone().unwrap().1;
    let blind = [
        s.air_mobile.clone(),
        s.visit.inspectors[1].1.clone(),
        water_mobile,
        app.secretary(s.visit.air).await,
    ];
    for login in &blind {
        let token = bearer(&app, login).await;
        let (st, _) = app.get(&token, "/api/v1/ratings").await;
        assert_eq!(st, 403, "{login}");
        let (_, t) = app.get(&token, &format!("/api/v1/tasks/{task}")).await;
        assert!(!t.to_string().contains("检查人员接受企业安排的工作餐"));
        let (web, _) = app.web_user(login).await;
        let (st, _) = page(&web, &app, "/ratings").await;
        assert_eq!(st, 403, "{login}");
        let (st, html) = page(&web, &app, &format!("/tasks/{task}")).await;
        assert_eq!(st, 200);
        assert!(!html.contains("检查人员接受企业安排的工作餐"), "{login}");
        assert!(
            !html.contains("检查评价"),
            "{login}: no rating, no menu entry"
        );
    }
}

/// Every `$ref` of a JSON value, recursively.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

async fn the_api_document_describes_the_enterprise_view_and_ratings(app: TestApp) {
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, method, statuses) in [
        ("/api/v1/enterprise/inspections", "get", &["200", "403"][..]),
        (
            "/api/v1/enterprise/inspections/{task_id}",
            "get",
            &["200", "403", "404"],
        ),
        (
            "/api/v1/enterprise/inspections/{task_id}/rating",
            "post",
            &["201", "404", "409", "422"],
        ),
        (
            "/api/v1/enterprise/documents/{id}/pdf",
            "get",
            &["200", "404"],
        ),
        ("/api/v1/ratings", "get", &["200", "403"]),
    ] {
        let op = &doc["paths"][path][method];
        for s in statuses {
            assert!(op["responses"].get(*s).is_some(), "{path} {s}: {op}");
        }
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "EnterpriseInspection",
        "Rating",
        "RatingInput",
        "ListedTask",
    ] {
        assert!(schemas.get(name).is_some(), "{name} missing");
    }
    // Every schema these operations name, and every schema those name, is
    // defined in the document.
    let mut pending = Vec::new();
    for path in [
        "/api/v1/enterprise/inspections/{task_id}",
        "/api/v1/enterprise/inspections/{task_id}/rating",
        "/api/v1/ratings",
        "/api/v1/tasks",
    ] {
        refs(&doc["paths"][path], &mut pending);
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(r) = pending.pop() {
        let name = r.trim_start_matches("#/components/schemas/").to_string();
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = schemas
            .get(&name)
            .unwrap_or_else(|| panic!("{r} is not defined"));
        refs(schema, &mut pending);
    }
    assert!(
        seen.contains("ResultItem") && seen.contains("OutcomeNotice"),
        "{seen:?}"
    );
}
