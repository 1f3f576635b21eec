//! The state the results-flow tests start from: a joint visit of 大气股 and
//! 水股 with both results submitted — 大气股's with a problem and a photo on
//! the visit day, 水股's a day late — and the enterprise's account, the
//! office and the leaders who read what follows from it.

use chrono::Duration;
use serde_json::{json, Value};
use yici_domain::time::Clock;
use yici_store::Exec;

use super::{bearer, check_in, visit, TestApp, Visit, ENTERPRISE_PASSWORD, PNG, YUTIAN};

/// The problem 大气股 reports.
pub const PROBLEM: &str = "现场检查发现企业未落实重污染天气应急期间停限产措施。";
/// 大气股's 现场检查情况.
pub const AIR_FINDINGS: &str = "企业未落实重污染天气应急减排措施，已要求立即整改。";
/// 水股's 现场检查情况.
pub const WATER_FINDINGS: &str = "污水处理设施运行正常，未发现问题。";

/// A visit with both departments' results in.
pub struct Submitted {
    pub visit: Visit,
    /// 大气股's photo (evidence id).
    pub photo: i64,
    /// A bearer token of 大气股's inspector who submitted (its head).
    pub air_inspector: String,
    pub air_mobile: String,
}

async fn items(app: &TestApp, token: &str, task: i64) -> Vec<i64> {
    let (s, b) = app
        .get(token, &format!("/api/v1/field/tasks/{task}/items"))
        .await;
    assert_eq!(s, 200, "{b}");
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn submit(app: &TestApp, token: &str, task: i64, body: Value) {
    let (s, b) = app
        .send(
            "POST",
            token,
            &format!("/api/v1/field/tasks/{task}/results"),
            body,
        )
        .await;
    assert_eq!(s, 201, "{b}");
}

/// 大气股 (with 水股 joining) visits Yutian's first enterprise; 大气股
/// submits two items, one 存在问题 with a photo, on the visit day; 水股
/// submits one item without a problem the next day (逾期提交). The app needs
/// an evidence folder (`with_evidence_folder`).
pub async fn submitted_visit(app: &TestApp) -> Submitted {
    let v = visit(app).joined_by_water(0).await;
    check_in(app, v.task).await;
    let air_mobile = v.inspectors[0].1.clone();
    let air = bearer(app, &air_mobile).await;
    let air_items = items(app, &air, v.task).await;
    let part = reqwest::multipart::Part::bytes(PNG.to_vec())
        .file_name("现场.png")
        .mime_str("image/png")
        .unwrap();
    let r = app
        .http
        .post(app.url(&format!("/api/v1/field/tasks/{}/evidence", v.task)))
        .bearer_auth(&air)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let photo = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    submit(
        app,
        &air,
        v.task,
        json!({
            "client_id": "7d0c1f7e-0000-4000-8000-000000000001",
            "items": [
                {"item_id": air_items[0], "has_problem": false},
                {"item_id": air_items[5], "has_problem": true, "problem_description": PROBLEM}
            ],
            "enterprise_situation": "企业正常生产，法人代表张某，环保负责人李某。",
            "onsite_findings": AIR_FINDINGS,
            "evidence_ids": [photo],
        }),
    )
    .await;
    // 水股 the next day: accepted and marked late.
    app.clock.advance(Duration::days(1));
    let water_mobile = v.water_inspector.clone().unwrap().1;
    let water = bearer(app, &water_mobile).await;
    let water_items = items(app, &water, v.task).await;
    submit(
        app,
        &water,
        v.task,
        json!({
            "client_id": "7d0c1f7e-0000-4000-8000-000000000002",
            "items": [{"item_id": water_items[0], "has_problem": false}],
            "enterprise_situation": "企业有污水处理站一座。",
            "onsite_findings": WATER_FINDINGS,
        }),
    )
    .await;
    let air = bearer(app, &air_mobile).await;
    Submitted {
        visit: v,
        photo,
        air_inspector: air,
        air_mobile,
    }
}

/// The enterprise signs up (by code): its login (USCC) and a token.
pub async fn enterprise_account(app: &TestApp, enterprise: i64) -> (String, String) {
    let uscc = super::sign_up_by_code(app, enterprise).await;
    let (s, b) = app.api_login(&uscc, ENTERPRISE_PASSWORD).await;
    assert_eq!(s, 200, "{b}");
    (uscc, b["token"].as_str().unwrap().to_string())
}

/// Another normal enterprise of the demo than `than`.
pub async fn other_enterprise(app: &TestApp, than: i64) -> i64 {
    app.count(&format!(
        "SELECT MIN(id) FROM enterprises WHERE id <> {than} AND status = 'normal'"
    ))
    .await
}

/// Yutian's 办公室 in id order, (person id, mobile): the branch head and
/// deputy (行政执法主体负责人), then the clerk (办公室).
pub async fn office(app: &TestApp) -> Vec<(i64, String)> {
    app.people_of(YUTIAN, "办公室").await
}

/// The documents the enterprise is told of: a 行政检查通知书 served on it
/// (on the urgent path, so that the test needs no 审批表) and the
/// 情况记录表 issued with 结果告知 `outcome`; returns their ids.
pub async fn serve_papers(app: &TestApp, s: &Submitted, outcome: &str) -> (i64, i64) {
    let task = s.visit.task;
    app.db
        .clone()
        .execute(
            "UPDATE tasks SET oral_notice_at = $1, oral_notice_by_name = '测试',
                    oral_notice_reason = '群众举报正在偷排', oral_notice_reported_to = '局长'
              WHERE id = $2",
            yici_store::args![app.clock.now(), task],
        )
        .await
        .unwrap();
    let clerk = bearer(app, &office(app).await[2].1).await;
    let secretary = super::secretary_token(app, YUTIAN, "大气股").await;
    let draft = |kind: &'static str| {
        let secretary = secretary.clone();
        async move {
            let (st, b) = app
                .send(
                    "POST",
                    &secretary,
                    &format!("/api/v1/tasks/{task}/documents"),
                    json!({ "kind": kind }),
                )
                .await;
            assert_eq!(st, 201, "{kind}: {b}");
            b
        }
    };
    let act = |doc: i64, token: String, step: Value| async move {
        let (st, b) = app
            .send(
                "POST",
                &token,
                &format!("/api/v1/documents/{doc}/actions"),
                step,
            )
            .await;
        assert_eq!(st, 200, "{b}");
        b
    };
    let notice = draft("inspection_notice").await["id"].as_i64().unwrap();
    act(notice, secretary.clone(), json!({"action": "submit"})).await;
    act(notice, clerk.clone(), json!({"action": "number"})).await;
    act(
        notice,
        secretary.clone(),
        json!({"action": "serve", "service": {
            "recipient": "李某（环保负责人）", "served_on": app.today(),
            "method_and_address": "直接送达"}}),
    )
    .await;
    let sheet = draft("inspection_record_sheet").await;
    let sheet_id = sheet["id"].as_i64().unwrap();
    let mut form = sheet["form"].clone();
    form["outcome"] = json!(outcome);
    form["findings"] = json!("重污染天气应急减排措施未落实。");
    let (st, b) = app
        .send(
            "PUT",
            &secretary,
            &format!("/api/v1/documents/{sheet_id}"),
            form,
        )
        .await;
    assert_eq!(st, 200, "{b}");
    act(sheet_id, secretary, json!({"action": "submit"})).await;
    act(sheet_id, clerk, json!({"action": "number"})).await;
    (notice, sheet_id)
}
