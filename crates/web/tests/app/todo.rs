//! 待办 on the home page (STAT-3): each role sees what waits for it — a task
//! to set up, participation to decide, a document to sign, approve or
//! number, a result due — and the line is gone once the work is done.

use serde_json::{json, Value};

use crate::common::{bearer, extract, id, office, TestApp, YUTIAN};

both_databases!(the_home_page_lists_what_waits_and_forgets_what_is_done);

/// The `#id` line of a user's home page, or None when it is not shown.
async fn todo_line(app: &TestApp, client: &reqwest::Client, id: &str) -> Option<String> {
    let html = app.html(client, "/").await;
    html.contains(&format!("id=\"{id}\""))
        .then(|| crate::common::element(&html, id).to_string())
}

async fn step(app: &TestApp, token: &str, doc: i64, action: &str) -> Value {
    let (s, b) = app
        .send(
            "POST",
            token,
            &format!("/api/v1/documents/{doc}/actions"),
            json!({ "action": action }),
        )
        .await;
    assert_eq!(s, 200, "{action}: {b}");
    b
}

async fn the_home_page_lists_what_waits_and_forgets_what_is_done(app: TestApp) {
    let e = app.yutian_enterprises(5).await[0];
    let air_dept = app.department(YUTIAN, "大气股").await;
    let water_dept = app.department(YUTIAN, "水股").await;
    let (air_page, _) = app.web_user(&app.secretary(air_dept).await).await;
    let (water_page, _) = app.web_user(&app.secretary(water_dept).await).await;
    let air = bearer(&app, &app.secretary(air_dept).await).await;
    assert!(todo_line(&app, &air_page, "tasks-to-set-up")
        .await
        .is_none());

    // 大气股 extracts: it has a task to set up, 水股 one to decide on.
    let task = id(&extract(&app, &air, "routine", e).await);
    let line = todo_line(&app, &air_page, "tasks-to-set-up").await.unwrap();
    assert!(
        line.contains("<b>1</b>")
            && line.contains("view=initiated")
            && line.contains("status=drawn"),
        "{line}"
    );
    let line = todo_line(&app, &water_page, "tasks-may-join")
        .await
        .unwrap();
    assert!(line.contains("<b>1</b> 个任务待确认是否参与"), "{line}");

    // Set up: the line is gone.
    let officers = app.officers(YUTIAN, "大气股").await;
    let (s, b) = app
        .send(
            "PUT",
            &air,
            &format!("/api/v1/tasks/{task}/settings"),
            json!({"planned_on": app.tomorrow(),
                   "inspector_ids": [officers[1].0, officers[2].0]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(todo_line(&app, &air_page, "tasks-to-set-up")
        .await
        .is_none());

    // The approval form: the department head signs, the unit head approves,
    // the office numbers; each sees it exactly while it waits for them.
    let (s, doc) = app
        .send(
            "POST",
            &air,
            &format!("/api/v1/tasks/{task}/documents"),
            json!({"kind": "approval_form"}),
        )
        .await;
    assert_eq!(s, 201, "{doc}");
    let doc = doc["id"].as_i64().unwrap();
    step(&app, &air, doc, "submit").await;
    let head_login = officers[0].1.clone();
    let (head_page, _) = app.web_user(&head_login).await;
    let unit = office(&app).await;
    let (boss_page, _) = app.web_user(&unit[0].1).await;
    let (clerk_page, _) = app.web_user(&unit[2].1).await;
    let line = todo_line(&app, &head_page, "documents-to-sign")
        .await
        .unwrap();
    assert!(line.contains("<b>1</b> 份文书待签批"), "{line}");
    assert!(todo_line(&app, &boss_page, "documents-to-approve")
        .await
        .is_none());

    let head = bearer(&app, &head_login).await;
    step(&app, &head, doc, "sign_department_head").await;
    assert!(todo_line(&app, &head_page, "documents-to-sign")
        .await
        .is_none());
    let line = todo_line(&app, &boss_page, "documents-to-approve")
        .await
        .unwrap();
    assert!(line.contains("<b>1</b> 份文书待批准"), "{line}");

    let boss = bearer(&app, &unit[0].1).await;
    step(&app, &boss, doc, "approve_unit_head").await;
    assert!(todo_line(&app, &boss_page, "documents-to-approve")
        .await
        .is_none());
    assert!(todo_line(&app, &boss_page, "todo-empty").await.is_some());
    let line = todo_line(&app, &clerk_page, "documents-to-number")
        .await
        .unwrap();
    assert!(line.contains("<b>1</b> 份文书待编号盖章"), "{line}");

    let clerk = bearer(&app, &unit[2].1).await;
    step(&app, &clerk, doc, "number").await;
    assert!(todo_line(&app, &clerk_page, "documents-to-number")
        .await
        .is_none());

    // The visit begins: 大气股 owes its result until it submits.
    crate::common::check_in(&app, task).await;
    let (air_page, _) = app.web_user(&app.secretary(air_dept).await).await;
    let line = todo_line(&app, &air_page, "results-due").await.unwrap();
    assert!(line.contains("<b>1</b> 个任务待填报检查结果"), "{line}");
}
