//! Results flow onward (RES-1, RESULT-3) through the API: a problem found
//! raises a rectification; the department sends it, the enterprise reports
//! back with a photo, the department returns it once and then closes it; an
//! overdue one is flagged; a referral is tracked to its outcome; a correction
//! by the same department withdraws what it no longer finds and keeps the
//! original. Every refusal writes nothing.

use chrono::Duration;
use serde_json::{json, Value};

use crate::common::{check_in, enterprise_token, secretary_token, visit, TestApp, PNG, YUTIAN};

both_databases!(
    a_problem_is_rectified_returned_once_and_closed,
    overdue_referral_and_who_may_act,
    a_correction_is_linked_and_rectifications_follow_it,
);

/// The task's department's own list (item ids in order) for an inspector.
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

/// A result with `problems` of the list's items answered 是 and the rest of
/// `checked` 否.
fn result(client: &str, checked: &[i64], problems: &[i64], evidence: &[i64]) -> Value {
    let items: Vec<Value> = checked
        .iter()
        .map(|i| {
            if problems.contains(i) {
                json!({"item_id": i, "has_problem": true,
                       "problem_description": format!("事项{i}：除尘设施布袋破损，未及时更换")})
            } else {
                json!({"item_id": i, "has_problem": false})
            }
        })
        .collect();
    json!({
        "client_id": client,
        "items": items,
        "enterprise_situation": "企业正常生产，法人代表张某。",
        "onsite_findings": "发现除尘设施运行不正常。",
        "evidence_ids": evidence,
    })
}

async fn upload(app: &TestApp, token: &str, task: i64) -> i64 {
    let part = reqwest::multipart::Part::bytes(PNG.to_vec())
        .file_name("现场.png")
        .mime_str("image/png")
        .unwrap();
    let r = app
        .http
        .post(app.url(&format!("/api/v1/field/tasks/{task}/evidence")))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn report(app: &TestApp, token: &str, id: i64, note: &str, photo: bool) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().text("note", note.to_string());
    if photo {
        let part = reqwest::multipart::Part::bytes(PNG.to_vec())
            .file_name("整改后.png")
            .mime_str("image/png")
            .unwrap();
        form = form.part("photos", part);
    }
    let r = app
        .http
        .post(app.url(&format!("/api/v1/enterprise/rectifications/{id}/report")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn code(b: &Value) -> &str {
    b["code"].as_str().unwrap_or("")
}

/// The visit of 大气股 with 水股, checked in, air reporting one problem with
/// a photo and water none. Returns (visit, air token, water token, the
/// rectification id).
pub(crate) async fn visited(app: &TestApp) -> (crate::common::Visit, String, String, i64) {
    let v = visit(app).joined_by_water(0).await;
    check_in(app, v.task).await;
    let air = app.token(&v.inspectors[0].1).await;
    let water = app.token(&v.water_inspector.clone().unwrap().1).await;
    let list = items(app, &air, v.task).await;
    // The item found wanting gives its problems 15 days by default.
    let editor = secretary_token(app, YUTIAN, "大气股").await;
    let (_, all) = app.get(&editor, "/api/v1/plans/items?year=2025").await;
    let mut item = all
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == list[1])
        .unwrap()
        .clone();
    item["rectify_days"] = json!(15);
    let (s, b) = app
        .send(
            "PUT",
            &editor,
            &format!("/api/v1/plans/items/{}", list[1]),
            item,
        )
        .await;
    assert_eq!((s, b["rectify_days"].as_i64()), (200, Some(15)), "{b}");
    let photo = upload(app, &air, v.task).await;
    let path = format!("/api/v1/field/tasks/{}/results", v.task);
    let (s, b) = app
        .send(
            "POST",
            &air,
            &path,
            result(
                "1a1a1a1a-0001-4d5e-8f90-a1b2c3d4e5f6",
                &list[..3],
                &[list[1]],
                &[photo],
            ),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let water_list = items(app, &water, v.task).await;
    let (s, b) = app
        .send(
            "POST",
            &water,
            &path,
            result(
                "2b2b2b2b-0001-4d5e-8f90-a1b2c3d4e5f6",
                &water_list[..1],
                &[],
                &[],
            ),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app.get(&air, "/api/v1/rectifications").await;
    assert_eq!(s, 200, "{b}");
    let mine: Vec<&Value> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["task_id"] == v.task)
        .collect();
    assert_eq!(mine.len(), 1, "one problem, one rectification: {b}");
    let id = mine[0]["id"].as_i64().unwrap();
    (v, air, water, id)
}

async fn rect(app: &TestApp, token: &str, id: i64) -> Value {
    let (s, b) = app
        .get(token, &format!("/api/v1/rectifications/{id}"))
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

async fn a_problem_is_rectified_returned_once_and_closed(app: TestApp) {
    let (v, air, _water, id) = visited(&app).await;
    let r = rect(&app, &air, id).await;
    assert_eq!(r["status"], "draft");
    assert!(r["problem"].as_str().unwrap().contains("布袋破损"));
    // The item's 检查依据 is the article broken; the deadline is the item's
    // default (15 days) after the result.
    assert!(
        r["legal_basis"]
            .as_str()
            .unwrap()
            .contains("大气污染防治法"),
        "{r}"
    );
    assert_eq!(
        r["deadline"],
        (app.today() + Duration::days(15)).to_string()
    );
    // The department's list counts what its results ticked and found.
    let editor = secretary_token(&app, YUTIAN, "大气股").await;
    let (_, listed) = app.get(&editor, "/api/v1/plans/items?year=2025").await;
    let found = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rectify_days"] == 15)
        .unwrap()
        .clone();
    assert_eq!(
        (found["checked"].as_i64(), found["problems"].as_i64()),
        (Some(1), Some(1)),
        "{found}"
    );
    // Not sent yet: the enterprise does not see it.
    let ent = enterprise_token(&app, v.enterprise).await;
    let (s, b) = app.get(&ent, "/api/v1/enterprise/rectifications").await;
    assert_eq!((s, b.as_array().unwrap().len()), (200, 0), "{b}");
    let (s, b) = report(&app, &ent, id, "已整改", false).await;
    assert_eq!(s, 404, "{b}");

    // A deadline in the past is refused and nothing changes.
    let draft = |deadline: String| {
        json!({"legal_basis": r["legal_basis"], "requirement": "更换破损布袋，提交更换记录和照片。",
               "deadline": deadline})
    };
    let path = format!("/api/v1/rectifications/{id}/issue");
    let (s, b) = app
        .send(
            "POST",
            &air,
            &path,
            draft((app.today() - Duration::days(1)).to_string()),
        )
        .await;
    assert_eq!(
        (s, code(&b), b["field"].as_str()),
        (422, "deadline_past", Some("deadline")),
        "{b}"
    );
    assert_eq!(rect(&app, &air, id).await["status"], "draft");
    let deadline = (app.today() + Duration::days(10)).to_string();
    let (s, b) = app.send("POST", &air, &path, draft(deadline.clone())).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("issued")), "{b}");
    assert_eq!(b["deadline"], deadline.as_str());
    // Once sent, the requirement no longer changes.
    let (s, b) = app.send("POST", &air, &path, draft(deadline.clone())).await;
    assert_eq!((s, code(&b)), (409, "rectification_state"), "{b}");

    // The enterprise sees it; another enterprise does not.
    let (s, b) = app.get(&ent, "/api/v1/enterprise/rectifications").await;
    assert_eq!((s, b.as_array().unwrap().len()), (200, 1), "{b}");
    let other = app.yutian_enterprises(3).await[2];
    let stranger = enterprise_token(&app, other).await;
    let (s, _) = app
        .get(
            &stranger,
            &format!("/api/v1/enterprise/rectifications/{id}"),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = report(&app, &stranger, id, "冒名反馈", false).await;
    assert_eq!(s, 404);
    // A report needs its text.
    let (s, b) = report(&app, &ent, id, "  ", true).await;
    assert_eq!((s, b["field"].as_str()), (422, Some("note")), "{b}");
    let files = app.count("SELECT COUNT(*) FROM rectification_files").await;
    assert_eq!(files, 0);

    let (s, b) = report(&app, &ent, id, "已更换全部破损布袋。", true).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("reported")), "{b}");
    let step = b["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(step["kind"], "reported");
    let photo = step["files"][0]["id"].as_i64().unwrap();
    // The department sees the photo; the enterprise its own; a stranger nothing.
    let r = app
        .http
        .get(app.url(&format!("/api/v1/rectifications/photos/{photo}")))
        .bearer_auth(&air)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    let (s, _) = app
        .get(
            &stranger,
            &format!("/api/v1/enterprise/rectifications/photos/{photo}"),
        )
        .await;
    assert_eq!(s, 404);
    // A second report while waiting for verification is refused.
    let (s, b) = report(&app, &ent, id, "再次反馈", false).await;
    assert_eq!((s, code(&b)), (409, "rectification_state"), "{b}");

    // Returned once: a reason is required.
    let verify = format!("/api/v1/rectifications/{id}/verification");
    let (s, b) = app
        .send("POST", &air, &verify, json!({"decision": "return"}))
        .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("note")), "{b}");
    let (s, b) = app
        .send(
            "POST",
            &air,
            &verify,
            json!({"decision": "return", "note": "照片未显示更换后的布袋，请补充。"}),
        )
        .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("returned")), "{b}");
    let (s, b) = report(&app, &ent, id, "补充更换后照片。", true).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("reported")), "{b}");

    // Closing needs the way it was verified and a note.
    let (s, b) = app
        .send(
            "POST",
            &air,
            &verify,
            json!({"decision": "close", "verification": "on_file"}),
        )
        .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("note")), "{b}");
    // On a revisit only once the revisit is done.
    let (s, b) = app
        .send(
            "POST",
            &air,
            &verify,
            json!({"decision": "close", "verification": "revisit", "note": "复查属实"}),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "no_revisit"), "{b}");
    let (s, b) = app
        .send("POST", &air, &verify, json!({"decision": "close", "verification": "on_file", "note": "照片显示布袋已更换，书面核查属实。"}))
        .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("closed")), "{b}");
    let kinds: Vec<&str> = b["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["raised", "issued", "reported", "returned", "reported", "closed"]
    );
    // A report on a closed task is refused, nothing written.
    let steps = app.count("SELECT COUNT(*) FROM rectification_steps").await;
    let (s, b) = report(&app, &ent, id, "又一次反馈", true).await;
    assert_eq!((s, code(&b)), (409, "rectification_state"), "{b}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rectification_steps").await,
        steps
    );
    // Every step is audited.
    let audited = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'rectification' AND entity_id = '{id}'"
        ))
        .await;
    assert_eq!(audited, 6, "raised, issued, two reports, returned, closed");
}

async fn overdue_referral_and_who_may_act(app: TestApp) {
    let (v, air, water, id) = visited(&app).await;
    let deadline = (app.today() + Duration::days(5)).to_string();
    let draft = json!({"legal_basis": "《中华人民共和国大气污染防治法》第四十八条",
                       "requirement": "限期整改", "deadline": deadline});
    // Another department's inspector may not send it; the unit's office may
    // read it but not act on it.
    let path = format!("/api/v1/rectifications/{id}/issue");
    let (s, _) = app.send("POST", &water, &path, draft.clone()).await;
    assert_eq!(s, 404, "水股 neither sees nor sends 大气股's rectification");
    let (s, b) = app.send("POST", &air, &path, draft).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["overdue"], false);

    // The deadline passes (moved in the database, not the clock).
    app.execute(
        "UPDATE rectifications SET deadline = $1 WHERE id = $2",
        yici_store::args![app.today() - Duration::days(1), id],
    )
    .await;
    let (_, b) = app.get(&air, "/api/v1/rectifications?overdue=true").await;
    assert_eq!(b["overdue"], 1, "{b}");
    assert_eq!(b["items"][0]["id"], id);
    assert_eq!(b["items"][0]["overdue"], true);
    // The desktop home page flags it to the department.
    let (client, _) = app.web_user(&v.inspectors[0].1).await;
    let html = app.html(&client, "/").await;
    assert!(
        html.contains("id=\"overdue-rectifications\""),
        "home page flags overdue rectifications"
    );
    // The enterprise's profile shows it on its 整改情况 tab.
    let html = app
        .html(
            &client,
            &format!("/enterprises/{}?tab=rectifications", v.enterprise),
        )
        .await;
    assert!(
        html.contains("整改情况") && html.contains("已逾期"),
        "profile tab"
    );

    // A revisit (整改复查) is an uncapped task (source 其他) of the
    // department on the enterprise, linked from the rectification.
    let (s, b) = app
        .send(
            "POST",
            &air,
            &format!("/api/v1/rectifications/{id}/revisit"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let revisit = b["revisit_task_id"].as_i64().expect("revisit task");
    let (s, t) = app.get(&air, &format!("/api/v1/tasks/{revisit}")).await;
    assert_eq!(
        (s, t["source"].as_str(), t["capped"].as_bool()),
        (200, Some("other"), Some(false)),
        "{t}"
    );
    assert_eq!(t["enterprise_id"], v.enterprise);
    let (s, b) = app
        .send(
            "POST",
            &air,
            &format!("/api/v1/rectifications/{id}/revisit"),
            json!({}),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "revisit_planned"), "{b}");

    // Referred for a case instead; the outcome is recorded once.
    let refer = format!("/api/v1/rectifications/{id}/referral");
    let (s, b) = app.send("POST", &air, &refer, json!({"note": ""})).await;
    assert_eq!((s, b["field"].as_str()), (422, Some("note")), "{b}");
    let (s, b) = app
        .send(
            "POST",
            &air,
            &refer,
            json!({"note": "逾期未整改，拒不改正，移送立案，现场照片随结果移送。"}),
        )
        .await;
    assert_eq!(
        (s, b["status"].as_str(), b["referral"].as_str()),
        (200, Some("referred"), Some("referred")),
        "{b}"
    );
    assert_eq!(b["overdue"], false, "a referred one is no longer overdue");
    let outcome = format!("/api/v1/rectifications/{id}/referral/outcome");
    let (s, b) = app
        .send("POST", &air, &outcome, json!({"outcome": "filed"}))
        .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("case_number")), "{b}");
    let (s, b) = app
        .send(
            "POST",
            &air,
            &outcome,
            json!({"outcome": "filed", "case_number": "玉环罚立〔2025〕7号"}),
        )
        .await;
    assert_eq!((s, b["referral"].as_str()), (200, Some("filed")), "{b}");
    let (s, b) = app
        .send(
            "POST",
            &air,
            &outcome,
            json!({"outcome": "declined", "note": "改主意"}),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "referral_decided"), "{b}");
}

async fn a_correction_is_linked_and_rectifications_follow_it(app: TestApp) {
    let (v, air, water, id) = visited(&app).await;
    let list = items(&app, &air, v.task).await;
    let path = format!("/api/v1/field/tasks/{}/results/corrections", v.task);
    let (_, overview) = app
        .get(&air, &format!("/api/v1/field/tasks/{}/results", v.task))
        .await;
    let original = overview["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department_id"] == v.air)
        .unwrap()["result"]
        .clone();
    let original_id = original["id"].as_i64().unwrap();
    // The corrected result: item 1 had no problem after all; item 2 has one.
    let mut body = result(
        "3c3c3c3c-0001-4d5e-8f90-a1b2c3d4e5f6",
        &list[..3],
        &[list[2]],
        &[],
    );
    body["corrects_id"] = json!(original_id);
    // Without a reason: refused.
    let (s, b) = app.send("POST", &air, &path, body.clone()).await;
    assert_eq!((s, b["field"].as_str()), (422, Some("reason")), "{b}");
    // Another department cannot correct 大气股's result: the water inspector's
    // correction is for 水股 (its own), and naming 大气股 is refused.
    let mut other = body.clone();
    other["reason"] = json!("代为更正");
    other["department_id"] = json!(v.air);
    let (s, b) = app.send("POST", &water, &path, other).await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM task_results WHERE corrects_id IS NOT NULL")
            .await,
        0
    );

    body["reason"] = json!("误将第二项记为存在问题，实为第三项存在问题。");
    let (s, b) = app.send("POST", &air, &path, body.clone()).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["corrects_id"], original_id);
    let corrected_id = b["id"].as_i64().unwrap();
    // A second correction of the original (not the one in force) is refused.
    let mut stale = body.clone();
    stale["client_id"] = json!("4d4d4d4d-0001-4d5e-8f90-a1b2c3d4e5f6");
    let (s, b) = app.send("POST", &air, &path, stale).await;
    assert_eq!((s, code(&b)), (409, "superseded"), "{b}");

    // Shown beside the original, which never changed.
    let (_, overview) = app
        .get(&air, &format!("/api/v1/field/tasks/{}/results", v.task))
        .await;
    let dept = overview["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department_id"] == v.air)
        .unwrap()
        .clone();
    assert_eq!(dept["result"]["id"], corrected_id);
    assert_eq!(dept["superseded"][0]["id"], original_id);
    assert_eq!(dept["superseded"][0]["items"], original["items"]);

    // The task page shows the correction with its reason, the original beside it.
    let (client, _) = app.web_user(&v.inspectors[0].1).await;
    let html = app.html(&client, &format!("/tasks/{}", v.task)).await;
    assert!(
        html.contains("更正原因：误将第二项记为存在问题"),
        "correction reason on the task page"
    );
    assert!(html.contains("原结果（已更正）"), "the original beside it");

    // Rectifications followed: the old problem's draft withdrawn, a new draft raised.
    assert_eq!(rect(&app, &air, id).await["status"], "withdrawn");
    let (_, b) = app
        .get(&air, &format!("/api/v1/rectifications?task_id={}", v.task))
        .await;
    let open: Vec<&Value> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "draft")
        .collect();
    assert_eq!(open.len(), 1, "{b}");
    assert_eq!(open[0]["result_id"], corrected_id);
    assert!(open[0]["problem"]
        .as_str()
        .unwrap()
        .contains(&format!("事项{}", list[2])));
}
