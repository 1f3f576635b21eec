//! 监督预警 (STAT-2): each rule fires exactly when it should and not
//! otherwise — raised in the transaction that changed the facts (results,
//! check-in, documents, rectifications) or by the job's pass for deadlines —
//! once per task and kind; closing needs a note and the unit head or the
//! office; department heads read their department's tasks only. Then the
//! page in headless Chromium at 1920×1080 and 390×844.

use chrono::Duration;
use serde_json::json;
use yici_domain::time::Clock;
use yici_domain::warnings::Rules;
use yici_store::Exec;

use crate::common::browser::*;
use crate::common::{
    bearer, id, office, secretary_token, submitted_visit, visit, Backend, TestApp, Visit, YUTIAN,
};

both_databases!(config = crate::common::with_evidence_folder();
    hooks_raise_warnings_once_and_the_job_raises_deadlines,
    repeat_visit_fires_within_the_days_and_not_after,
    papers_fire_on_completion_and_the_urgent_path_waits_for_its_grace,
    check_in_and_results_fire_only_when_they_should,
    closing_needs_a_note_and_the_unit_head_or_office,
    warnings_in_the_browser,
);

/// The kinds of the task's warnings (open or closed), sorted.
async fn kinds(app: &TestApp, task: i64) -> Vec<String> {
    let mut db = app.db.clone();
    db.fetch_all(
        "SELECT kind FROM warnings WHERE task_id = $1 ORDER BY kind, id",
        yici_store::args![task],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String>("kind").unwrap())
    .collect()
}

/// Evaluates one task now, as a hook does.
async fn evaluate(app: &TestApp, task: i64) -> usize {
    let mut tx = app.db.begin().await.unwrap();
    let n = yici_store::warnings::evaluate_task(&mut tx, task, app.clock.now(), &Rules::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    n
}

/// The job's pass now.
async fn due(app: &TestApp) -> usize {
    yici_store::warnings::evaluate_due(&app.db, app.clock.now(), &Rules::default())
        .await
        .unwrap()
}

async fn set(app: &TestApp, sql: &str, args: Vec<yici_store::Arg>) {
    app.execute(sql, args).await;
}

/// Another task of 大气股 on the same enterprise (complaint: uncapped, the
/// reasonable frequency acknowledged), set for tomorrow with the visit's
/// inspectors.
async fn another_task(app: &TestApp, v: &Visit) -> i64 {
    let secretary = secretary_token(app, YUTIAN, "大气股").await;
    let (st, b) = app
        .send(
            "POST",
            &secretary,
            "/api/v1/tasks/directed",
            json!({"source": "complaint", "enterprise_ids": [v.enterprise],
                   "acknowledge_reason": "群众多次反映夜间异味"}),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let task = id(&b[0]);
    let (st, b) = app
        .send(
            "PUT",
            &secretary,
            &format!("/api/v1/tasks/{task}/settings"),
            json!({"planned_on": app.tomorrow(),
                   "inspector_ids": [v.inspectors[0].0, v.inspectors[1].0]}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    task
}

async fn hooks_raise_warnings_once_and_the_job_raises_deadlines(app: TestApp) {
    // 大气股 and 水股 visit (check-in skipped), 水股's result a day late; the
    // last result completes the task with neither 审批表 nor 通知书.
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    assert_eq!(
        kinds(&app, task).await,
        [
            "missing_approval",
            "no_check_in_code",
            "notice_not_served",
            "result_overdue"
        ],
        "raised by the completing submission"
    );
    // Evaluating again, or the job, raises nothing more: the other
    // departments' 72 hours are not over yet, the rectification is a draft.
    assert_eq!(evaluate(&app, task).await, 0);
    assert_eq!(due(&app).await, 0);
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'warning.raise'")
        .await;
    assert_eq!(audited, 4);

    // The completion closed the visit's participation before its 72 hours
    // were up: nobody was late there. Another task, still open, lets its
    // 72 hours pass: the job raises participation_overdue for it, once.
    let open = another_task(&app, &s.visit).await;
    app.clock.advance(Duration::hours(73));
    assert_eq!(due(&app).await, 1);
    assert_eq!(due(&app).await, 0);
    assert!(!kinds(&app, task)
        .await
        .contains(&"participation_overdue".to_string()));
    let mut db = app.db.clone();
    let detail: String = db
        .fetch_one(
            "SELECT detail FROM warnings WHERE task_id = $1 AND kind = 'participation_overdue'",
            yici_store::args![open],
        )
        .await
        .unwrap()
        .get("detail")
        .unwrap();
    assert!(
        detail.contains("土壤股") && detail.contains("水股"),
        "{detail}"
    );

    // The rectification is sent with a deadline ahead (the hook finds nothing).
    let rect = app
        .count(&format!(
            "SELECT MIN(id) FROM rectifications WHERE task_id = {task}"
        ))
        .await;
    let air = bearer(&app, &s.air_mobile).await;
    let deadline = app.today() + Duration::days(2);
    let (st, b) = app
        .send(
            "POST",
            &air,
            &format!("/api/v1/rectifications/{rect}/issue"),
            json!({"legal_basis": "《中华人民共和国大气污染防治法》第四十八条",
                   "requirement": "限期整改", "deadline": deadline}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    assert!(!kinds(&app, task)
        .await
        .contains(&"rectification_overdue".to_string()));
    // The deadline day itself is in time; the day after, the job raises it.
    app.clock.advance(Duration::days(2));
    assert_eq!(due(&app).await, 0);
    app.clock.advance(Duration::days(1));
    assert_eq!(due(&app).await, 1);
    assert!(kinds(&app, task)
        .await
        .contains(&"rectification_overdue".to_string()));
    // Every kind that applies once (participation closed on completion).
    assert_eq!(kinds(&app, task).await.len(), 5);

    // The statistics' counts for the unit and year.
    let unit = app
        .count(&format!("SELECT unit_id FROM tasks WHERE id = {task}"))
        .await;
    let year = app
        .count(&format!("SELECT year FROM tasks WHERE id = {task}"))
        .await;
    let counts = yici_store::warnings::counts(&app.db, &[unit], year)
        .await
        .unwrap();
    assert_eq!(counts.len(), 7);
    // The visit's five and the open task's participation_overdue.
    assert_eq!(counts.iter().map(|c| c.open).sum::<i64>(), 6);
    assert_eq!(counts.iter().map(|c| c.closed).sum::<i64>(), 0);
    let repeat = counts
        .iter()
        .find(|c| c.kind.as_str() == "repeat_visit")
        .unwrap();
    assert_eq!((repeat.open, repeat.closed), (0, 0));
    // The statistics count them too (STAT-2 in STAT-1), for the unit head.
    let head = bearer(&app, &crate::common::office(&app).await[0].1).await;
    let (st, stats) = app
        .get(&head, &format!("/api/v1/statistics?year={year}"))
        .await;
    assert_eq!(st, 200, "{stats}");
    let open: i64 = stats["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["open"].as_i64().unwrap())
        .sum();
    assert_eq!(open, 6, "{}", stats["warnings"]);
}

async fn repeat_visit_fires_within_the_days_and_not_after(app: TestApp) {
    let v = visit(&app).await;
    let first = v.task;
    let second = another_task(&app, &v).await;
    let now = app.clock.now();
    let visited = |task: i64, days_ago: i64| {
        let at = now - Duration::days(days_ago);
        let app = &app;
        async move {
            set(
                app,
                // Remote and completed: only the repeat rule can hold.
                "UPDATE tasks SET checked_in_at = $1, check_in_method = 'qr', status = 'completed',
                        completed_at = $1, remote = TRUE
                  WHERE id = $2",
                yici_store::args![at, task],
            )
            .await
        }
    };
    // 61 days apart: not a repeat.
    visited(first, 61).await;
    visited(second, 0).await;
    assert_eq!(evaluate(&app, second).await, 0);
    assert_eq!(
        evaluate(&app, first).await,
        0,
        "the earlier visit never fires"
    );
    // 60 days apart: a repeat, on the later task only.
    visited(first, 60).await;
    assert_eq!(evaluate(&app, second).await, 1);
    assert_eq!(kinds(&app, second).await, ["repeat_visit"]);
    assert!(kinds(&app, first).await.is_empty());
    assert_eq!(evaluate(&app, second).await, 0, "raised once");

    // A cancelled earlier task does not count; a revisit never fires.
    let third = another_task(&app, &v).await;
    visited(third, 0).await;
    set(
        &app,
        "UPDATE tasks SET status = 'cancelled', cancelled_at = $1 WHERE id IN ($2, $3)",
        yici_store::args![now, first, second],
    )
    .await;
    assert_eq!(evaluate(&app, third).await, 0);
    set(
        &app,
        "UPDATE tasks SET status = 'completed', cancelled_at = NULL WHERE id = $1",
        yici_store::args![first],
    )
    .await;
    assert_eq!(evaluate(&app, third).await, 1, "first again counts");
    assert_eq!(kinds(&app, third).await, ["repeat_visit"]);
    // The check-in itself raises it (the hook): a fourth visit by scanning.
    let fourth = another_task(&app, &v).await;
    let inspector = bearer(&app, &v.inspectors[0].1).await;
    let (st, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/field/tasks/{fourth}/skip-check-in"),
            json!({"reason": "企业无智能手机"}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        kinds(&app, fourth).await,
        ["no_check_in_code", "repeat_visit"]
    );
}

async fn papers_fire_on_completion_and_the_urgent_path_waits_for_its_grace(app: TestApp) {
    let v = visit(&app).await;
    let task = v.task;
    let now = app.clock.now();
    set(
        &app,
        "UPDATE tasks SET checked_in_at = $1, check_in_method = 'qr', status = 'in_progress'
          WHERE id = $2",
        yici_store::args![now, task],
    )
    .await;
    // Not completed: no papers owed yet.
    assert_eq!(evaluate(&app, task).await, 0);
    // Papers in order: an approved 审批表 and a served 通知书.
    let draft = |kind: &'static str| {
        let (app, secretary) = (&app, v.secretary.clone());
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
            id(&b)
        }
    };
    let approval = draft("approval_form").await;
    let notice = draft("inspection_notice").await;
    set(
        &app,
        "UPDATE documents SET status = 'approved' WHERE id = $1",
        yici_store::args![approval],
    )
    .await;
    set(
        &app,
        "UPDATE documents SET status = 'served' WHERE id = $1",
        yici_store::args![notice],
    )
    .await;
    set(
        &app,
        "UPDATE tasks SET status = 'completed', completed_at = $1 WHERE id = $2",
        yici_store::args![now, task],
    )
    .await;
    assert_eq!(evaluate(&app, task).await, 0, "papers in order");
    // Voiding the 审批表 afterwards: the document step's hook raises it.
    let (st, b) = app
        .send(
            "POST",
            &v.secretary,
            &format!("/api/v1/documents/{approval}/actions"),
            json!({"action": "void", "opinion": "审批表填写有误"}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(kinds(&app, task).await, ["missing_approval"]);

    // A remote inspection owes no papers.
    let remote = another_task(&app, &v).await;
    set(
        &app,
        "UPDATE tasks SET remote = TRUE, status = 'completed', completed_at = $1 WHERE id = $2",
        yici_store::args![now, remote],
    )
    .await;
    assert_eq!(evaluate(&app, remote).await, 0);

    // The urgent path: papers may follow for 3 days after the oral notice.
    let urgent = another_task(&app, &v).await;
    set(
        &app,
        "UPDATE tasks SET oral_notice_at = $1, oral_notice_by_name = '测试',
                oral_notice_reason = '群众举报正在偷排', oral_notice_reported_to = '局长',
                status = 'completed', completed_at = $1
          WHERE id = $2",
        yici_store::args![now, urgent],
    )
    .await;
    assert_eq!(evaluate(&app, urgent).await, 0, "within the grace");
    // (By then the other departments' 72 hours are over: participation.)
    let papers = |k: Vec<String>| {
        k.into_iter()
            .filter(|k| k != "participation_overdue")
            .collect::<Vec<_>>()
    };
    app.clock.advance(Duration::days(3));
    due(&app).await;
    assert!(
        papers(kinds(&app, urgent).await).is_empty(),
        "the third day is still in time"
    );
    app.clock.advance(Duration::days(1));
    assert_eq!(due(&app).await, 2);
    assert_eq!(
        papers(kinds(&app, urgent).await),
        ["missing_approval", "notice_not_served"]
    );
    assert_eq!(papers(kinds(&app, remote).await), Vec::<String>::new());
    assert_eq!(due(&app).await, 0);
}

async fn check_in_and_results_fire_only_when_they_should(app: TestApp) {
    let v = visit(&app).await;
    let task = v.task;
    // Not visited yet: nothing.
    assert_eq!(evaluate(&app, task).await, 0);
    // Scanned: no warning; the visit day passes without a result: the job.
    app.clock.advance(Duration::days(1));
    set(
        &app,
        "UPDATE tasks SET checked_in_at = $1, check_in_method = 'qr', status = 'in_progress'
          WHERE id = $2",
        yici_store::args![app.clock.now(), task],
    )
    .await;
    assert_eq!(evaluate(&app, task).await, 0);
    assert_eq!(due(&app).await, 0, "the visit day is not over");
    app.clock.advance(Duration::days(1));
    // (The other departments' 72 hours are over too by now.)
    assert!(due(&app).await >= 1);
    let k = kinds(&app, task).await;
    assert!(k.contains(&"result_overdue".to_string()), "{k:?}");
    assert!(!k.contains(&"no_check_in_code".to_string()), "{k:?}");

    // Skipping the scan raises no_check_in_code at once (the check-in's hook).
    let other = another_task(&app, &v).await;
    let inspector = bearer(&app, &v.inspectors[0].1).await;
    let (st, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/field/tasks/{other}/skip-check-in"),
            json!({"reason": "企业无智能手机"}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let k = kinds(&app, other).await;
    assert!(k.contains(&"no_check_in_code".to_string()), "{k:?}");
}

async fn closing_needs_a_note_and_the_unit_head_or_office(app: TestApp) {
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let people = office(&app).await;
    let (head, clerk) = (
        bearer(&app, &people[0].1).await,
        bearer(&app, &people[2].1).await,
    );
    let (st, list) = app.get(&clerk, "/api/v1/warnings").await;
    assert_eq!(st, 200, "{list}");
    let all = list.as_array().unwrap();
    assert_eq!(all.len(), 4, "{list}");
    let w = all
        .iter()
        .find(|w| w["kind"] == "no_check_in_code")
        .unwrap()
        .clone();
    let wid = id(&w);
    assert_eq!(w["task_id"], task);
    assert_eq!(w["state"], "open");
    assert_eq!(w["kind_label"], "未扫码签到");
    // Filters.
    let (_, b) = app
        .get(&clerk, "/api/v1/warnings?kind=no_check_in_code&state=open")
        .await;
    assert_eq!(b.as_array().unwrap().len(), 1);
    let (st, b) = app.get(&clerk, "/api/v1/warnings?kind=nonsense").await;
    assert_eq!((st, b["field"].as_str()), (422, Some("kind")), "{b}");

    // 大气股's head (DepartmentHead) reads his department's task but may not
    // close; 水股's head sees none of it; an inspector reads nothing.
    let air_head = bearer(&app, &s.visit.air_officers[0].1).await;
    let (st, b) = app.get(&air_head, "/api/v1/warnings").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b.as_array().unwrap().len(), 4);
    let close = format!("/api/v1/warnings/{wid}/close");
    let (st, _) = app
        .send("POST", &air_head, &close, json!({"note": "已核实"}))
        .await;
    assert_eq!(st, 403);
    let water_people = app.officers(YUTIAN, "水股").await;
    let water_head = bearer(&app, &water_people[0].1).await;
    let (st, b) = app.get(&water_head, "/api/v1/warnings").await;
    assert_eq!(st, 200, "{b}");
    assert!(b.as_array().unwrap().is_empty(), "{b}");
    let (st, _) = app
        .send("POST", &water_head, &close, json!({"note": "已核实"}))
        .await;
    assert_eq!(st, 404, "out of reach");
    let inspector = bearer(&app, &s.visit.inspectors[1].1).await;
    let (st, _) = app.get(&inspector, "/api/v1/warnings").await;
    assert_eq!(st, 403);

    // A note is required: nothing is written without one.
    let (st, b) = app
        .send("POST", &clerk, &close, json!({"note": "  "}))
        .await;
    assert_eq!(st, 422, "{b}");
    assert_eq!(b["code"], "note_required");
    assert!(b["message"].as_str().unwrap().contains("处理说明"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM warnings WHERE id = {wid} AND closed_at IS NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'warning.close'")
            .await,
        0
    );
    // The unit head closes it; closing again is a conflict.
    let (st, b) = app
        .send(
            "POST",
            &head,
            &close,
            json!({"note": "企业确无智能手机，已现场核实签到记录。"}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["state"], "closed");
    assert_eq!(b["close_note"], "企业确无智能手机，已现场核实签到记录。");
    assert!(b["closed_by_name"].as_str().is_some_and(|n| !n.is_empty()));
    let (st, b) = app
        .send("POST", &clerk, &close, json!({"note": "再次关闭"}))
        .await;
    assert_eq!((st, b["code"].as_str()), (409, Some("warning_closed")));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'warning.close'")
            .await,
        1
    );
    // Closed settles it: re-evaluating does not raise it again.
    assert_eq!(evaluate(&app, task).await, 0);
    let (_, b) = app.get(&clerk, "/api/v1/warnings").await;
    let states: Vec<&str> = b
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["open", "open", "open", "closed"], "open first");
}

async fn warnings_in_the_browser(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let (_, name) = app.uscc_and_name(s.visit.enterprise).await;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    log_in(&c, &app, &office(&app).await[2].1).await;
    click(&c, "#nav-warnings").await;
    wait_path(&c, "/warnings").await;
    assert!(text(&c, "#open-alert").await.contains("4 条"));
    let table = text(&c, "#warnings").await;
    assert!(
        table.contains(&name) && table.contains("未扫码签到"),
        "{table}"
    );
    if shoot {
        shot(&c, "warnings-desktop").await;
    }
    // Closing without a note is refused beside the row.
    let row = "#warnings tr.open:first-child";
    click(&c, &format!("{row} .close-form button")).await;
    assert!(text(&c, ".close-error").await.contains("处理说明"));
    if shoot {
        shot(&c, "warnings-note-required-desktop").await;
    }
    fill(
        &c,
        "#warnings tr.open:first-child textarea",
        "已约谈承办处室，补办手续。",
    )
    .await;
    click(&c, "#warnings tr.open:first-child .close-form button").await;
    assert!(text(&c, "#closed-alert").await.contains("已关闭"));
    assert!(text(&c, "#open-alert").await.contains("3 条"));
    assert!(text(&c, "#warnings").await.contains("已约谈承办处室"));
    // Filter by kind, then open its task.
    click(&c, "#warning-kinds a[href*=no_check_in_code]").await;
    let filtered = text(&c, "#warnings").await;
    assert!(filtered.contains("未扫码签到"), "{filtered}");
    if shoot {
        shot(&c, "warnings-filtered-desktop").await;
    }
    click(&c, "#warnings td.name a").await;
    wait_path(&c, &format!("/tasks/{task}")).await;
    assert!(text(&c, "#task-warnings").await.contains("3 条监督预警"));
    click(&c, "#task-warnings-link").await;
    assert!(text(&c, "#task-filter")
        .await
        .contains(&format!("任务 {task}")));
    assert!(text(&c, "#open-alert").await.contains("该任务有 3 条"));

    // A phone.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&app.url("/warnings")).await.unwrap();
    assert!(text(&c, "#warnings").await.contains(&name));
    if shoot {
        shot(&c, "warnings-phone").await;
    }
}
