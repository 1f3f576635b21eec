//! Recording the inspection through the API (RESULT-1…RESULT-5): each
//! participating department's result from its own item list, evidence photos
//! checked by content and stored by SHA-256 outside the database, results
//! written once (a retry with the same client id is the same submission), the
//! task completed by the last department, and late submissions marked.

use crate::common::{
    bearer, check_in, evidence_root, secretary_token, visit, with_evidence_folder, TestApp, PNG,
    YUTIAN,
};
use chrono::Duration;
use serde_json::{json, Value};
use yici_domain::time::Clock;
use yici_store::Exec;
use yici_web::WebConfig;

/// Uploads above this are refused in these tests (the default is 10 MB).
const MAX_BYTES: usize = 64 * 1024;

/// The start of a JPEG (SOI and a JFIF APP0 segment): sniffed as JPEG.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
];

fn config() -> WebConfig {
    WebConfig {
        evidence_max_bytes: MAX_BYTES,
        ..with_evidence_folder()
    }
}

/// A task of 大气股 that 水股 joined, 土壤股 declined; inspectors set; not
/// yet checked in; with a token of one inspector of each department.
struct Field {
    task: i64,
    air: i64,
    water: i64,
    air_inspector: String,
    water_inspector: String,
    air_mobile: String,
    water_mobile: String,
    /// 大气股's officers, (person id, mobile).
    air_officers: Vec<(i64, String)>,
}

impl Field {
    /// New tokens after the clock moved past the sessions' idle timeout.
    async fn relogin(&mut self, app: &TestApp) {
        self.air_inspector = bearer(app, &self.air_mobile).await;
        self.water_inspector = bearer(app, &self.water_mobile).await;
    }
}

async fn field(app: &TestApp) -> Field {
    let v = visit(app).joined_by_water(0).declined_by_soil().await;
    let air_mobile = v.inspectors[1].1.clone();
    let water_mobile = v.water_inspector.unwrap().1;
    Field {
        task: v.task,
        air: v.air,
        water: v.water,
        air_inspector: bearer(app, &air_mobile).await,
        water_inspector: bearer(app, &water_mobile).await,
        air_mobile,
        water_mobile,
        air_officers: v.air_officers,
    }
}

/// The visit starts (see `check_in`); the inspectors log in again.
async fn start(app: &TestApp, v: &mut Field) {
    check_in(app, v.task).await;
    v.relogin(app).await;
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

async fn upload(
    app: &TestApp,
    token: &str,
    task: i64,
    bytes: &[u8],
    name: &str,
    client_id: Option<&str>,
) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_string())
        .mime_str("image/jpeg")
        .unwrap();
    let mut form = reqwest::multipart::Form::new().part("file", part);
    if let Some(c) = client_id {
        form = form.text("client_id", c.to_string());
    }
    let r = app
        .http
        .post(app.url(&format!("/api/v1/field/tasks/{task}/evidence")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn result_body(client_id: &str, items: &[i64], evidence: &[i64]) -> Value {
    json!({
        "client_id": client_id,
        "items": [
            {"item_id": items[0], "has_problem": false},
            {"item_id": items[5], "has_problem": true,
             "problem_description": "现场检查发现企业未落实重污染天气应急期间停限产措施。"}
        ],
        "enterprise_situation": "唐山某钢铁有限公司，法人代表张某，联系人李某。",
        "onsite_findings": "企业未落实重污染天气应急减排措施。",
        "evidence_ids": evidence,
    })
}

async fn results_of(app: &TestApp, token: &str, task: i64) -> Value {
    let (s, b) = app
        .get(token, &format!("/api/v1/field/tasks/{task}/results"))
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

fn state_of(results: &Value, department: i64) -> &str {
    results["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department_id"] == department)
        .unwrap_or_else(|| panic!("{department} in {results}"))["state_label"]
        .as_str()
        .unwrap()
}

async fn two_departments_submit_and_the_task_completes(app: TestApp) {
    let mut v = field(&app).await;
    start(&app, &mut v).await;

    // Each department sees its own list: the manual's six 大气 items.
    let air_items = items(&app, &v.air_inspector, v.task).await;
    assert_eq!(air_items.len(), 6);
    let (_, b) = app
        .get(
            &v.air_inspector,
            &format!("/api/v1/field/tasks/{}/items", v.task),
        )
        .await;
    assert_eq!(b["items"][5]["code"], "DQ-05-01", "{b}");
    assert_eq!(
        b["items"][5]["name"], "重污染天气应急减排措施落实情况",
        "{b}"
    );
    let water_items = items(&app, &v.water_inspector, v.task).await;
    assert!(water_items.iter().all(|i| !air_items.contains(i)));

    // A photo, stored by its SHA-256 outside the database.
    let (s, photo) = upload(&app, &v.air_inspector, v.task, PNG, "现场.png", None).await;
    assert_eq!(s, 201, "{photo}");
    assert_eq!(photo["content_type"], "image/png");
    let sha = photo["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);
    let stored: String = app
        .db
        .clone()
        .fetch_one(
            "SELECT stored_path FROM evidence WHERE id = $1",
            yici_store::args![photo["id"].as_i64().unwrap()],
        )
        .await
        .unwrap()
        .get("stored_path")
        .unwrap();
    assert_eq!(stored, format!("{}/{sha}.png", &sha[..2]));
    let on_disk = std::fs::read_dir(evidence_root())
        .unwrap()
        .filter_map(Result::ok)
        .any(|d| d.path().join(&stored).exists());
    assert!(on_disk, "the file is in the evidence folder");
    let r = app
        .http
        .get(app.url(&format!("/api/v1/field/evidence/{}", photo["id"])))
        .bearer_auth(&v.air_inspector)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    let air_client = "6f1c2a3b-0001-4d5e-8f90-a1b2c3d4e5f6";
    let (s, r) = app
        .send(
            "POST",
            &v.air_inspector,
            &format!("/api/v1/field/tasks/{}/results", v.task),
            result_body(air_client, &air_items, &[photo["id"].as_i64().unwrap()]),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["department_id"], v.air);
    assert_eq!(r["late"], false);
    assert_eq!(r["items"][1]["has_problem"], true);
    assert_eq!(r["items"][1]["name"], "重污染天气应急减排措施落实情况");
    assert_eq!(r["evidence"][0]["sha256"], sha.as_str());

    let overview = results_of(&app, &v.air_inspector, v.task).await;
    assert_eq!(state_of(&overview, v.air), "已办理");
    assert_eq!(state_of(&overview, v.water), "未办理");
    assert_eq!(overview["status"], "in_progress");
    assert_eq!(
        overview["departments"].as_array().unwrap().len(),
        2,
        "declined departments are not in the group: {overview}"
    );

    // The second department: a JPEG and 其他.
    let (s, jpeg) = upload(&app, &v.water_inspector, v.task, JPEG, "a.jpg", None).await;
    assert_eq!(s, 201, "{jpeg}");
    assert_eq!(jpeg["content_type"], "image/jpeg");
    let (s, r) = app
        .send(
            "POST",
            &v.water_inspector,
            &format!("/api/v1/field/tasks/{}/results", v.task),
            json!({
                "client_id": "7a7a7a7a-0002-4d5e-8f90-a1b2c3d4e5f6",
                "items": [
                    {"item_id": water_items[0], "has_problem": true, "problem_description": "废水排放口标识不清"},
                    {"other": "雨水排口巡查", "has_problem": false}
                ],
                "enterprise_situation": "同上",
                "onsite_findings": "责令完善排放口标识。",
                "evidence_ids": [jpeg["id"]],
            }),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["items"][1]["name"], "其他");
    assert_eq!(r["items"][1]["other"], "雨水排口巡查");
    let overview = results_of(&app, &v.water_inspector, v.task).await;
    assert_eq!(state_of(&overview, v.water), "已办理");
    assert_eq!(overview["status"], "completed", "{overview}");
    assert_eq!(overview["completed_at"], json!(app.clock.now()));
    let (_, task) = app
        .get(&v.air_inspector, &format!("/api/v1/tasks/{}", v.task))
        .await;
    assert_eq!(task["status"], "completed");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'task.completed'")
            .await,
        1
    );
}

async fn bad_input_is_refused_and_nothing_is_written(app: TestApp) {
    let mut v = field(&app).await;
    let path = format!("/api/v1/field/tasks/{}/results", v.task);
    let air_items = items(&app, &v.air_inspector, v.task).await;
    let water_items = items(&app, &v.water_inspector, v.task).await;

    // Before the check-in nothing can be entered.
    let (s, b) = app
        .send(
            "POST",
            &v.air_inspector,
            &path,
            result_body("c0000000-0000-4000-8000-000000000000", &air_items, &[]),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("not_checked_in")),
        "{b}"
    );
    let (s, b) = upload(&app, &v.air_inspector, v.task, PNG, "x.png", None).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("not_checked_in")),
        "{b}"
    );
    start(&app, &mut v).await;

    let soil = app.department(YUTIAN, "土壤股").await;
    let good = result_body("c0000000-0000-4000-8000-000000000001", &air_items, &[]);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = good.clone();
        f(&mut b);
        b
    };
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (
            with(&|b| b["enterprise_situation"] = json!("  ")),
            422,
            "required",
            Some("enterprise_situation"),
        ),
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("onsite_findings");
            }),
            422,
            "required",
            Some("onsite_findings"),
        ),
        (
            with(&|b| b["items"] = json!([])),
            422,
            "required",
            Some("items"),
        ),
        (
            with(&|b| b["items"][1]["problem_description"] = json!("")),
            422,
            "required",
            Some("problem_description"),
        ),
        (
            with(&|b| {
                b["items"][0].as_object_mut().unwrap().remove("has_problem");
            }),
            422,
            "required",
            Some("has_problem"),
        ),
        (
            with(&|b| b["items"][0]["item_id"] = json!(water_items[0])),
            422,
            "unknown_item",
            Some("items"),
        ),
        (
            with(&|b| b["items"][1]["item_id"] = json!(air_items[0])),
            422,
            "duplicate_item",
            Some("items"),
        ),
        (
            with(&|b| b["client_id"] = json!("x")),
            422,
            "invalid_client_id",
            Some("client_id"),
        ),
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("client_id");
            }),
            422,
            "required",
            Some("client_id"),
        ),
        (
            with(&|b| b["evidence_ids"] = json!([987654])),
            422,
            "unknown_evidence",
            Some("evidence_ids"),
        ),
        (
            // 土壤股 declined: not in the group.
            with(&|b| b["department_id"] = json!(soil)),
            403,
            "not_participating",
            Some("department_id"),
        ),
        (
            // The water inspector does not inspect for 大气股.
            with(&|b| b["department_id"] = json!(v.air)),
            403,
            "not_on_task",
            None,
        ),
    ];
    for (body, status, code, field) in cases {
        let token = if body["department_id"] == json!(v.air) {
            &v.water_inspector
        } else {
            &v.air_inspector
        };
        let (s, b) = app.send("POST", token, &path, body.clone()).await;
        assert_eq!(
            (s, b["code"].as_str(), b["field"].as_str()),
            (status, Some(code), field),
            "{body} → {b}"
        );
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
    // A person not on the task, and a secretary account.
    let other_air = v.air_officers[2].1.clone();
    let other_air = app.token(&other_air).await;
    let (s, b) = app.send("POST", &other_air, &path, good.clone()).await;
    assert_eq!((s, b["code"].as_str()), (403, Some("not_on_task")), "{b}");
    let secretary = secretary_token(&app, YUTIAN, "大气股").await;
    let (s, b) = app.send("POST", &secretary, &path, good.clone()).await;
    assert_eq!((s, b["code"].as_str()), (403, Some("not_on_task")), "{b}");
    // Someone of another unit does not learn that the task exists.
    let city = secretary_token(&app, "唐山市生态环境局", "大气环境科").await;
    let (s, _) = app.send("POST", &city, &path, good.clone()).await;
    assert_eq!(s, 404);

    // Uploads: by content, not by name; within the size limit.
    let (s, b) = upload(
        &app,
        &v.air_inspector,
        v.task,
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
        "photo.jpg",
        None,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (422, Some("not_image")), "{b}");
    let (s, b) = upload(
        &app,
        &v.air_inspector,
        v.task,
        "现场照片".as_bytes(),
        "photo.png",
        None,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (422, Some("not_image")), "{b}");
    let mut big = PNG.to_vec();
    big.resize(MAX_BYTES + 1, 0);
    let (s, b) = upload(&app, &v.air_inspector, v.task, &big, "big.png", None).await;
    assert_eq!((s, b["code"].as_str()), (413, Some("too_large")), "{b}");
    // Raw bytes too.
    let r = app
        .http
        .post(app.url(&format!("/api/v1/field/tasks/{}/evidence", v.task)))
        .bearer_auth(&v.air_inspector)
        .header("content-type", "image/png")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let (s, _) = upload(&app, &other_air, v.task, PNG, "x.png", None).await;
    assert_eq!(s, 403, "a person not on the task uploads nothing");

    assert_eq!(app.count("SELECT COUNT(*) FROM task_results").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM result_items").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM evidence").await, 0);
    let overview = results_of(&app, &v.air_inspector, v.task).await;
    assert_eq!(state_of(&overview, v.air), "未办理");
}

async fn a_result_is_written_once_whatever_the_network_does(app: TestApp) {
    let mut v = field(&app).await;
    start(&app, &mut v).await;
    let path = format!("/api/v1/field/tasks/{}/results", v.task);
    let air_items = items(&app, &v.air_inspector, v.task).await;

    // A photo upload retried with its id: one row.
    let (s, first) = upload(
        &app,
        &v.air_inspector,
        v.task,
        PNG,
        "a.png",
        Some("upload-0001-aaaa"),
    )
    .await;
    assert_eq!(s, 201, "{first}");
    let (s, again) = upload(
        &app,
        &v.air_inspector,
        v.task,
        PNG,
        "a.png",
        Some("upload-0001-aaaa"),
    )
    .await;
    assert_eq!((s, &again["id"]), (200, &first["id"]), "{again}");
    let (s, b) = upload(
        &app,
        &v.air_inspector,
        v.task,
        JPEG,
        "b.jpg",
        Some("upload-0001-aaaa"),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("client_id_conflict")));
    assert_eq!(app.count("SELECT COUNT(*) FROM evidence").await, 1);

    let client = "d1d1d1d1-0003-4d5e-8f90-a1b2c3d4e5f6";
    let body = result_body(client, &air_items, &[first["id"].as_i64().unwrap()]);
    // A double tap: the same submission four times at once — one is stored
    // (201), the others get that same result (200).
    let mut handles = Vec::new();
    for _ in 0..4 {
        let http = app.http.clone();
        let url = app.url(&path);
        let token = v.air_inspector.clone();
        let body = body.clone();
        handles.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut answers = Vec::new();
    for h in handles {
        answers.push(h.await.unwrap());
    }
    answers.sort_by_key(|(s, _)| *s);
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, vec![200, 200, 200, 201], "{answers:?}");
    assert!(answers.iter().all(|(_, r)| r == &answers[3].1));
    // The same submission again later (the answer was lost on the way).
    let (s, again) = app
        .send("POST", &v.air_inspector, &path, body.clone())
        .await;
    assert_eq!((s, &again), (200, &answers[3].1));
    assert_eq!(app.count("SELECT COUNT(*) FROM task_results").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM result_items").await, 2);

    // A different body under the same id is refused.
    let mut changed = body.clone();
    changed["onsite_findings"] = json!("改过的结论");
    let (s, b) = app.send("POST", &v.air_inspector, &path, changed).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("client_id_conflict")),
        "{b}"
    );
    // A second submission (a new id) is refused: results never change.
    let (s, b) = app
        .send(
            "POST",
            &v.air_inspector,
            &path,
            result_body("e2e2e2e2-0004-4d5e-8f90-a1b2c3d4e5f6", &air_items, &[]),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("already_submitted")),
        "{b}"
    );
    // Nor can the other air inspector add one, or upload more photos.
    let colleague = app.token(&v.air_officers[0].1).await;
    let (s, b) = app
        .send(
            "POST",
            &colleague,
            &path,
            result_body("f3f3f3f3-0005-4d5e-8f90-a1b2c3d4e5f6", &air_items, &[]),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("already_submitted")),
        "{b}"
    );
    let (s, b) = upload(&app, &colleague, v.task, PNG, "late.png", None).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("already_submitted")),
        "{b}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM task_results").await, 1);
    let stored = results_of(&app, &v.air_inspector, v.task).await;
    assert_eq!(
        stored["departments"][0]["result"]["onsite_findings"],
        "企业未落实重污染天气应急减排措施。"
    );
}

async fn a_submission_on_a_later_day_is_marked_late(app: TestApp) {
    let mut v = field(&app).await;
    start(&app, &mut v).await;
    let air_items = items(&app, &v.air_inspector, v.task).await;
    let water_items = items(&app, &v.water_inspector, v.task).await;
    // 23:50 the same day in Shanghai: on time.
    app.clock
        .advance(Duration::hours(14) + Duration::minutes(20));
    v.relogin(&app).await;
    let (s, r) = app
        .send(
            "POST",
            &v.air_inspector,
            &format!("/api/v1/field/tasks/{}/results", v.task),
            result_body("a1a1a1a1-0006-4d5e-8f90-a1b2c3d4e5f6", &air_items, &[]),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["late"], false);
    // 00:10 the next day: accepted, and marked late.
    app.clock.advance(Duration::minutes(20));
    v.relogin(&app).await;
    let (s, r) = app
        .send(
            "POST",
            &v.water_inspector,
            &format!("/api/v1/field/tasks/{}/results", v.task),
            json!({
                "client_id": "b2b2b2b2-0007-4d5e-8f90-a1b2c3d4e5f6",
                "items": [{"item_id": water_items[1], "has_problem": false}],
                "enterprise_situation": "正常生产",
                "onsite_findings": "未发现问题",
            }),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["late"], true);
    assert_eq!(r["due_on"], "2025-06-03");
    let overview = results_of(&app, &v.air_inspector, v.task).await;
    assert_eq!(overview["status"], "completed");
}

async fn two_departments_at_once_complete_the_task_once(app: TestApp) {
    let mut v = field(&app).await;
    start(&app, &mut v).await;
    let air_items = items(&app, &v.air_inspector, v.task).await;
    let water_items = items(&app, &v.water_inspector, v.task).await;
    let path = app.url(&format!("/api/v1/field/tasks/{}/results", v.task));
    let submissions = [
        (
            v.air_inspector.clone(),
            result_body("a9a9a9a9-0008-4d5e-8f90-a1b2c3d4e5f6", &air_items, &[]),
        ),
        (
            v.water_inspector.clone(),
            json!({
                "client_id": "b9b9b9b9-0009-4d5e-8f90-a1b2c3d4e5f6",
                "items": [{"item_id": water_items[0], "has_problem": false}],
                "enterprise_situation": "正常生产",
                "onsite_findings": "未发现问题",
            }),
        ),
    ];
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let mut handles = Vec::new();
    for (token, body) in submissions {
        let (http, path, barrier) = (app.http.clone(), path.clone(), barrier.clone());
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            http.post(path)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), 201);
    }
    let overview = results_of(&app, &v.air_inspector, v.task).await;
    assert_eq!(overview["status"], "completed", "{overview}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'task.completed'")
            .await,
        1
    );
}

both_databases!(config = super::config();
    two_departments_submit_and_the_task_completes,
    two_departments_at_once_complete_the_task_once,
    bad_input_is_refused_and_nothing_is_written,
    a_result_is_written_once_whatever_the_network_does,
    a_submission_on_a_later_day_is_marked_late,
);
