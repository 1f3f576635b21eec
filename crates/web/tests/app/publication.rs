//! 一公开 (RES-2): a completed inspection becomes public when the office
//! releases it, and by itself on the 20th working day after completion
//! (holidays skipped, 调休 workdays counted); the public page, the API, the
//! CSV and the JSON never carry a person or a telephone number; a past
//! day's snapshot stays the same whatever is published or changed later;
//! bad input and unfinished tasks are refused with nothing written.

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};
use yici_domain::publication::Calendar;
use yici_domain::time::Clock;
use yici_web::WebConfig;

use crate::common::{
    bearer, check_in, element, office, secretary_token, submitted_visit, visit,
    with_evidence_folder, Submitted, TestApp, PROBLEM, YUTIAN,
};

both_databases!(config = crate::publication::with_holidays();
    a_released_result_is_public_and_masked,
    unpublished_results_publish_themselves_on_the_twentieth_working_day,
    a_past_snapshot_never_changes,
    unfinished_tasks_and_bad_filters_are_refused,
    hostile_names_are_escaped,
);

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Two weekday holidays and one 调休 Saturday inside the test visit's 20
/// working days (the visit completes on Wednesday 2025-06-04).
fn with_holidays() -> WebConfig {
    WebConfig {
        publication: Calendar {
            working_days: 20,
            holidays: vec![day("2025-06-09"), day("2025-06-10")],
            workdays: vec![day("2025-06-14")],
        },
        ..with_evidence_folder()
    }
}

/// The contact person, telephone and inspectors that must never be public.
struct Private {
    words: Vec<String>,
}

async fn private_data(app: &TestApp, s: &Submitted) -> Private {
    app.execute(
        "UPDATE enterprises SET contact_name = '王联络', contact_phone = '13700001111' WHERE id = $1",
        yici_store::args![s.visit.enterprise],
    )
    .await;
    let mut words = vec!["王联络".to_string(), "13700001111".to_string()];
    for (id, mobile) in s.visit.inspectors.iter().chain(&s.visit.water_inspector) {
        words.push(mobile.clone());
        let name: String = {
            use yici_store::Exec;
            app.db
                .clone()
                .fetch_one(
                    "SELECT name FROM people WHERE id = $1",
                    yici_store::args![*id],
                )
                .await
                .unwrap()
                .get("name")
                .unwrap()
        };
        words.push(name);
    }
    Private { words }
}

fn assert_private_absent(p: &Private, what: &str, text: &str) {
    for w in &p.words {
        assert!(!text.contains(w.as_str()), "{what} carries {w}: {text}");
    }
}

async fn clerk(app: &TestApp) -> String {
    bearer(app, &office(app).await[2].1).await
}

async fn public_get(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.http.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn public_json(app: &TestApp, path: &str) -> (u16, Value) {
    let (s, text) = public_get(app, path).await;
    (s, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn code(b: &Value) -> &str {
    b["code"].as_str().unwrap_or("")
}

/// The 已公示 count of 大气股's plan on the unit's public page.
async fn published_count(app: &TestApp, air: i64) -> i64 {
    let unit = app
        .count(&format!("SELECT unit_id FROM departments WHERE id = {air}"))
        .await;
    let (s, b) = public_json(app, &format!("/api/v1/public/plans?unit={unit}&year=2025")).await;
    assert_eq!(s, 200, "{b}");
    b["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"]["id"] == json!(air))
        .map(|d| d["progress"]["published"].as_i64().unwrap())
        .unwrap_or(0)
}

async fn a_released_result_is_public_and_masked(app: TestApp) {
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let private = private_data(&app, &s).await;
    let (uscc, name) = app.uscc_and_name(s.visit.enterprise).await;

    // Completed but not released: nowhere public, not counted.
    let (st, b) = public_json(&app, &format!("/api/v1/public/results/{task}")).await;
    assert_eq!((st, code(&b)), (404, "not_found"), "{b}");
    let (st, b) = public_json(&app, "/api/v1/public/results?year=2025").await;
    assert_eq!((st, b["total"].as_i64()), (200, Some(0)), "{b}");
    assert_eq!(published_count(&app, s.visit.air).await, 0);

    // Only the office or the unit head releases: an inspector is refused.
    let path = format!("/api/v1/publications/{task}/release");
    let (st, b) = app.send("POST", &s.air_inspector, &path, json!({})).await;
    assert_eq!(st, 403, "{b}");
    let office = clerk(&app).await;
    let (st, b) = app.get(&office, "/api/v1/publications").await;
    assert_eq!(st, 200, "{b}");
    let waiting = b.as_array().unwrap();
    assert!(waiting.iter().any(|w| w["task_id"] == json!(task)), "{b}");
    let (st, b) = app.send("POST", &office, &path, json!({})).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["outcome"], "not_passed");
    assert_eq!(b["rectification"], "in_progress", "{b}");
    let (st, b) = app.send("POST", &office, &path, json!({})).await;
    assert_eq!((st, code(&b)), (409, "already_published"), "{b}");
    assert_eq!(published_count(&app, s.visit.air).await, 1);

    // The public search finds it by name, by USCC prefix; filters compose.
    for q in [
        format!("q={}", urlencode(&name[..name.len().min(9)])),
        format!("q={}", &uscc[..8]),
        "outcome=not_passed&month=2025-06".to_string(),
    ] {
        let (st, b) = public_json(&app, &format!("/api/v1/public/results?year=2025&{q}")).await;
        assert_eq!((st, b["total"].as_i64()), (200, Some(1)), "{q}: {b}");
        assert_eq!(b["rows"][0]["task_id"], json!(task));
    }
    let (_, b) = public_json(&app, "/api/v1/public/results?year=2025&outcome=passed").await;
    assert_eq!(b["total"], 0, "{b}");
    let dept = s.visit.water;
    let (_, b) = public_json(
        &app,
        &format!("/api/v1/public/results?year=2025&department={dept}"),
    )
    .await;
    assert_eq!(b["total"], 1, "{b}");

    // The grade changes for what was found: the public sees why, not who.
    let editor = secretary_token(&app, YUTIAN, "大气股").await;
    let (st, b) = app
        .send(
            "POST",
            &editor,
            &format!("/api/v1/enterprises/{}/credit", s.visit.enterprise),
            json!({"credit_grade": "D", "reason": "检查发现未落实应急减排措施，联系人电话13700001111"}),
        )
        .await;
    assert_eq!(st, 200, "{b}");

    // The record: who inspected, what was found, never who or a phone.
    let (st, b) = public_json(&app, &format!("/api/v1/public/results/{task}")).await;
    assert_eq!(st, 200, "{b}");
    let r = &b["current"];
    assert_eq!(r["enterprise_name"], json!(name));
    assert_eq!(r["uscc"], json!(uscc));
    assert_eq!(r["departments"], "大气股、水股", "{r}");
    assert_eq!(r["problem_count"], 1);
    assert!(r["problems"].as_str().unwrap().contains(PROBLEM), "{r}");
    assert!(r["unit_name"].as_str().unwrap().ends_with(YUTIAN), "{r}");
    assert_eq!(b["credit"]["grade"], "D", "{b}");
    let reason = b["credit"]["changes"][0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("检查发现未落实应急减排措施"), "{reason}");
    assert_private_absent(&private, "API record", &b.to_string());
    let (st, html) = public_get(&app, &format!("/public/results/{task}")).await;
    assert_eq!(st, 200);
    assert!(html.contains(&name) && html.contains("未通过") && html.contains(PROBLEM));
    assert!(element(&html, "credit-changes").contains("检查发现未落实应急减排措施"));
    assert_private_absent(&private, "record page", &html);
    let (st, html) = public_get(&app, "/public/results?year=2025").await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("/public/results/{task}")), "{html}");
    assert_private_absent(&private, "search page", &html);

    // The open data: CSV with BOM and the documented header, JSON alike.
    let r = app
        .http
        .get(app.url("/public/data/results.csv?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("任务编号,记录版本,公开时间"), "{csv}");
    assert!(
        lines[1].contains(&uscc) && lines[1].contains("未通过"),
        "{csv}"
    );
    assert_private_absent(&private, "CSV", &csv);
    let (st, b) = public_json(&app, "/public/data/results.json").await;
    assert_eq!(st, 200);
    assert_eq!(b.as_array().unwrap().len(), 1, "{b}");
    assert_private_absent(&private, "JSON", &b.to_string());
    // The field page documents every column of the CSV header.
    let (_, page) = public_get(&app, "/public/data").await;
    for header in lines[0].split(',') {
        assert!(page.contains(header), "{header} undocumented");
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

async fn unpublished_results_publish_themselves_on_the_twentieth_working_day(app: TestApp) {
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    assert_eq!(
        app.today(),
        day("2025-06-04"),
        "the visit completes on a Wednesday"
    );
    let calendar = with_holidays().publication;
    // Hand-counted: 20 working days after Wed 06-04, less Mon 06-09 and
    // Tue 06-10 (holidays), plus Sat 06-14 (调休): Thursday 07-03.
    let office = clerk(&app).await;
    let (_, b) = app.get(&office, "/api/v1/publications").await;
    let row = b
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["task_id"] == json!(task))
        .cloned()
        .unwrap_or_else(|| panic!("{task} not waiting: {b}"));
    assert_eq!(row["due_on"], "2025-07-03", "{row}");

    let at = |d: &str| yici_domain::time::start_of(day(d)) + Duration::hours(8);
    app.clock.set(at("2025-07-02"));
    let n = yici_store::publication::job::publish_due(&app.db, app.clock.now(), &calendar)
        .await
        .unwrap();
    assert_eq!(n, 0, "a day early");
    let (st, _) = public_json(&app, &format!("/api/v1/public/results/{task}")).await;
    assert_eq!(st, 404);

    app.clock.set(at("2025-07-03"));
    let n = yici_store::publication::job::publish_due(&app.db, app.clock.now(), &calendar)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let (st, b) = public_json(&app, &format!("/api/v1/public/results/{task}")).await;
    assert_eq!(st, 200, "{b}");
    // Again: nothing published twice; the office has nothing waiting.
    let n = yici_store::publication::job::publish_due(&app.db, app.clock.now(), &calendar)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // (A month later: the session has lapsed, the clerk logs in again.)
    let office = clerk(&app).await;
    let (_, b) = app.get(&office, "/api/v1/publications").await;
    assert!(
        !b.as_array()
            .unwrap()
            .iter()
            .any(|w| w["task_id"] == json!(task)),
        "{b}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM published_results WHERE task_id = {task}"
        ))
        .await,
        1
    );
}

async fn csv_of(app: &TestApp, path: &str) -> Vec<u8> {
    let r = app.http.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r.bytes().await.unwrap().to_vec()
}

async fn a_past_snapshot_never_changes(app: TestApp) {
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let office = clerk(&app).await;
    let (st, b) = app
        .send(
            "POST",
            &office,
            &format!("/api/v1/publications/{task}/release"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let release_day = app.today();

    // The department sends the rectification with a deadline in 3 days.
    let (_, list) = app.get(&s.air_inspector, "/api/v1/rectifications").await;
    let rect = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["task_id"] == json!(task))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let deadline = release_day + Duration::days(3);
    let (st, b) = app
        .send(
            "POST",
            &s.air_inspector,
            &format!("/api/v1/rectifications/{rect}/issue"),
            json!({"legal_basis": "《中华人民共和国大气污染防治法》第九十六条",
                   "requirement": "落实应急减排措施。", "deadline": deadline}),
        )
        .await;
    assert_eq!(st, 200, "{b}");

    // The next day, the snapshot of the release day is fixed.
    app.clock.advance(Duration::days(1));
    let path = format!("/public/data/results/{release_day}.csv");
    let before = csv_of(&app, &path).await;
    assert!(String::from_utf8_lossy(&before).contains("整改中"));

    // Past the deadline the record changes to 逾期未整改 (a new version) ...
    app.clock.advance(Duration::days(4));
    let changed = yici_store::publication::job::refresh(&app.db, app.clock.now(), None)
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let (_, b) = public_json(&app, &format!("/api/v1/public/results/{task}")).await;
    assert_eq!(b["current"]["rectification"], "overdue", "{b}");
    assert_eq!(b["current"]["version"], 2);
    assert_eq!(b["earlier"][0]["rectification"], "in_progress");
    // ... and refreshing again changes nothing more, whether from scratch or
    // from the watermark the job keeps (written on first use, then moved).
    let again = yici_store::publication::job::refresh(&app.db, app.clock.now(), None)
        .await
        .unwrap();
    assert_eq!(again, 0);
    for _ in 0..2 {
        let n = yici_store::publication::job::refresh_since_last(&app.db, app.clock.now())
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM publication_progress").await,
        1
    );
    let now_csv = String::from_utf8(csv_of(&app, "/public/data/results.csv").await).unwrap();
    assert!(now_csv.contains("逾期未整改"), "{now_csv}");

    // The release day's snapshot is byte for byte what it was.
    assert_eq!(csv_of(&app, &path).await, before);
    let json_path = format!("/public/data/results/{release_day}.json");
    let (_, snap) = public_json(&app, &json_path).await;
    assert_eq!(snap[0]["rectification"], "in_progress", "{snap}");
    // The day before the release had nothing; a future day is no snapshot.
    let empty = csv_of(
        &app,
        &format!(
            "/public/data/results/{}.csv",
            release_day - Duration::days(1)
        ),
    )
    .await;
    assert_eq!(String::from_utf8(empty).unwrap().lines().count(), 1);
    let future = app.today() + Duration::days(1);
    let (st, b) = public_json(&app, &format!("/public/data/results/{future}.csv")).await;
    assert_eq!((st, code(&b)), (404, "not_found"), "{b}");
}

async fn unfinished_tasks_and_bad_filters_are_refused(app: TestApp) {
    // 大气股 alone, checked in, no result yet: not completed.
    let v = visit(&app).await;
    check_in(&app, v.task).await;
    let office = clerk(&app).await;
    let (st, b) = app
        .send(
            "POST",
            &office,
            &format!("/api/v1/publications/{}/release", v.task),
            json!({}),
        )
        .await;
    assert_eq!((st, code(&b)), (409, "not_completed"), "{b}");
    assert_eq!(app.count("SELECT COUNT(*) FROM published_results").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM publications WHERE released_at IS NOT NULL")
            .await,
        0
    );
    // A task that does not exist answers as missing.
    let (st, _) = app
        .send(
            "POST",
            &office,
            "/api/v1/publications/999999/release",
            json!({}),
        )
        .await;
    assert_eq!(st, 404);

    // Bad filters: a structured error in the API, a Chinese one on the page.
    for (q, field) in [
        ("outcome=maybe", "outcome"),
        ("month=2025-13", "month"),
        ("county=abc", "county"),
    ] {
        let (st, b) = public_json(&app, &format!("/api/v1/public/results?{q}")).await;
        assert_eq!((st, b["field"].as_str()), (422, Some(field)), "{q}: {b}");
        let (st, html) = public_get(&app, &format!("/public/results?{q}")).await;
        assert_eq!(st, 422, "{q}");
        assert!(html.contains("id=\"public-error\""), "{html}");
    }
    let (st, html) = public_get(&app, "/public/results?unit=x").await;
    assert_eq!(st, 422);
    assert!(html.contains("单位有误"));
    let (st, _) = public_get(&app, "/public/data/results/yesterday.csv").await;
    assert_eq!(st, 404);
    let (st, _) = public_get(&app, "/public/data/results.xlsx").await;
    assert_eq!(st, 404);
}

/// Formula-looking and script text in published fields: escaped in HTML,
/// neutralised in CSV.
async fn hostile_names_are_escaped(app: TestApp) {
    let s = submitted_visit(&app).await;
    app.execute(
        "UPDATE enterprises SET name = $2 WHERE id = $1",
        yici_store::args![
            s.visit.enterprise,
            "=HYPERLINK(\"http://x\")<script>alert(1)</script>"
        ],
    )
    .await;
    let office = clerk(&app).await;
    let task = s.visit.task;
    let (st, _) = app
        .send(
            "POST",
            &office,
            &format!("/api/v1/publications/{task}/release"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, html) = public_get(&app, &format!("/public/results/{task}")).await;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
    let csv = String::from_utf8(csv_of(&app, "/public/data/results.csv").await).unwrap();
    assert!(csv.contains(",\"'=HYPERLINK("), "{csv}");
}
