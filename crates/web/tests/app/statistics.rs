//! 统计分析 (STAT-1): a crafted year of Yutian's tasks, written straight
//! into the database, and every figure of the dashboard checked against the
//! numbers worked out by hand below; the drill-down lists exactly the tasks
//! behind a figure; the XLSX export read back with calamine has the same
//! numbers; readers outside the leaders are refused. And the page in the
//! browser at 1920×1080 and 390×844 (screenshots in target/screenshots/).
//!
//! The data set (year 2025, "now" 2025-06-02 09:00 Shanghai). A = 大气股,
//! W = 水股, S = 土壤股; e1…e3 Yutian enterprises.
//!
//! | task | dept | ent | source | status | group (answers) | visit | results |
//! | T1 | A | e1 | routine | completed | A + W join, S decline | 03-10 | A, W late |
//! | T2 | A | e2 | routine | completed | A; W lapsed, S decline | 03-20 | A |
//! | T3 | W | e1 | routine | completed | W + A, S join | 04-05 | W, A (+ a correction), S |
//! | T4 | S | e3 | complaint | completed | S alone | 05-15 | S |
//! | T5 | A | e3 | routine | scheduled | W open, S past deadline (notice 06-01 01:00 Shanghai) | | |
//! | T6 | A | e4 | routine | cancelled | | | |
//! | T7 | A | e1 | special | drawn | (A's second capped task on e1: over the caps) | | |
//! | T8, T9 | S, W | e3 | complaint, referral | drawn | (3 uncapped on e3: beyond reasonable) | | |
//!
//! Rectifications: T1/A closed; T1/W issued, deadline 05-01 (overdue);
//! T3/S returned, deadline 07-01; T3/A withdrawn; T4/S reported, deadline
//! 05-20. Item lists: A 4 items (results tick a1, a2, a3), W 2 (w1), S none.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::Value;
use yici_store::Arg;

use crate::common::browser::*;
use crate::common::{bearer, office, Backend, TestApp, YUTIAN};

both_databases!(
    figures_equal_the_hand_counted_ones,
    drill_down_export_and_access,
    statistics_in_the_browser
);

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

struct Data {
    a: i64,
    w: i64,
    s: i64,
    t: Vec<i64>,
    other_county_task: i64,
    tangshan: i64,
}

async fn task(app: &TestApp, dept: i64, enterprise: i64, source: &str, status: &str) -> i64 {
    let unit = app
        .count(&format!(
            "SELECT unit_id FROM departments WHERE id = {dept}"
        ))
        .await;
    let capped = matches!(source, "routine" | "special_campaign");
    let created = at(2025, 2, 10, 2);
    let cancelled: Option<DateTime<Utc>> = (status == "cancelled").then_some(created);
    let completed: Option<DateTime<Utc>> = (status == "completed").then_some(created);
    app.execute(
        "INSERT INTO tasks (year, enterprise_id, unit_id, department_id, source, capped, method,
                            status, created_by_name, created_at, cancelled_at, completed_at,
                            checked_in_at)
         VALUES (2025, $1, $2, $3, $4, $5, 'directed', $6, '测试', $7, $8, $9, $9)",
        vec![
            Arg::from(enterprise),
            Arg::from(unit),
            Arg::from(dept),
            Arg::from(source),
            Arg::from(capped),
            Arg::from(status),
            Arg::from(created),
            Arg::from(cancelled),
            Arg::from(completed),
        ],
    )
    .await;
    let id = app.count("SELECT MAX(id) FROM tasks").await;
    app.execute(
        "INSERT INTO task_participants (task_id, department_id, kind, notified_at)
         VALUES ($1, $2, 'initiator', $3)",
        vec![Arg::from(id), Arg::from(dept), Arg::from(created)],
    )
    .await;
    id
}

/// A notice to another department: its decision (or none) and times.
async fn notice(
    app: &TestApp,
    task: i64,
    dept: i64,
    decision: Option<&str>,
    notified: DateTime<Utc>,
    decide_by: DateTime<Utc>,
) {
    app.execute(
        "INSERT INTO task_participants (task_id, department_id, kind, notified_at, decide_by,
                                        decision, decided_at)
         VALUES ($1, $2, 'department', $3, $4, $5, $6)",
        vec![
            Arg::from(task),
            Arg::from(dept),
            Arg::from(notified),
            Arg::from(decide_by),
            Arg::from(decision),
            Arg::from(decision.map(|_| notified)),
        ],
    )
    .await;
}

async fn result(
    app: &TestApp,
    task: i64,
    dept: i64,
    due: NaiveDate,
    late: bool,
    corrects: Option<i64>,
) -> i64 {
    let person = app
        .count("SELECT MIN(id) FROM people WHERE is_officer")
        .await;
    let n = app.count("SELECT COUNT(*) FROM task_results").await;
    app.execute(
        "INSERT INTO task_results (task_id, department_id, client_id, body_hash,
             enterprise_situation, onsite_findings, submitted_by, submitted_by_name, submitted_at,
             due_on, late, corrects_id)
         VALUES ($1, $2, $3, 'h', '正常', '正常', $4, '测试', $5, $6, $7, $8)",
        vec![
            Arg::from(task),
            Arg::from(dept),
            Arg::from(format!("client-{n}")),
            Arg::from(person),
            Arg::from(at(2025, 3, 10, 3)),
            Arg::from(due),
            Arg::from(late),
            Arg::from(corrects),
        ],
    )
    .await;
    app.count("SELECT MAX(id) FROM task_results").await
}

async fn item(app: &TestApp, dept: i64, code: &str) -> i64 {
    app.execute(
        "INSERT INTO plan_items (department_id, year, code, name, content, objects, basis,
                                 position, created_at, updated_at)
         VALUES ($1, 2025, $2, $2, '内容', '对象', '依据', 1, $3, $3)",
        vec![
            Arg::from(dept),
            Arg::from(code),
            Arg::from(at(2025, 1, 5, 2)),
        ],
    )
    .await;
    app.count("SELECT MAX(id) FROM plan_items").await
}

async fn tick(app: &TestApp, result: i64, position: i64, item: i64) {
    app.execute(
        "INSERT INTO result_items (result_id, position, item_id, item_code, item_name, has_problem)
         VALUES ($1, $2, $3, 'c', 'n', FALSE)",
        vec![Arg::from(result), Arg::from(position), Arg::from(item)],
    )
    .await;
}

async fn rectification(
    app: &TestApp,
    task: i64,
    result: i64,
    dept: i64,
    status: &str,
    deadline: NaiveDate,
) {
    app.execute(
        "INSERT INTO rectifications (task_id, result_id, item_position, department_id, unit_id,
             enterprise_id, item_name, problem, legal_basis, requirement, deadline, status,
             created_at, updated_at)
         SELECT t.id, $2, 1, $3, t.unit_id, t.enterprise_id, '事项', '问题', '依据', '要求', $4, $5,
                $6, $6
           FROM tasks t WHERE t.id = $1",
        vec![
            Arg::from(task),
            Arg::from(result),
            Arg::from(dept),
            Arg::from(deadline),
            Arg::from(status),
            Arg::from(at(2025, 3, 11, 2)),
        ],
    )
    .await;
}

async fn crafted(app: &TestApp) -> Data {
    let e = app.yutian_enterprises(80).await;
    assert!(e.len() >= 5, "{e:?}");
    let (a, w, s) = (
        app.department(YUTIAN, "大气股").await,
        app.department(YUTIAN, "水股").await,
        app.department(YUTIAN, "土壤股").await,
    );
    let feb = at(2025, 2, 10, 2);
    let feb_deadline = at(2025, 2, 13, 2);
    let t1 = task(app, a, e[0], "routine", "completed").await;
    notice(app, t1, w, Some("join"), feb, feb_deadline).await;
    notice(app, t1, s, Some("decline"), feb, feb_deadline).await;
    let t2 = task(app, a, e[1], "routine", "completed").await;
    notice(app, t2, w, Some("lapsed"), feb, feb_deadline).await;
    notice(app, t2, s, Some("decline"), feb, feb_deadline).await;
    let t3 = task(app, w, e[0], "routine", "completed").await;
    notice(app, t3, a, Some("join"), feb, feb_deadline).await;
    notice(app, t3, s, Some("join"), feb, feb_deadline).await;
    let t4 = task(app, s, e[2], "complaint", "completed").await;
    let t5 = task(app, a, e[2], "routine", "scheduled").await;
    // 2025-05-31 17:00 UTC is 06-01 01:00 in Shanghai: a June notice.
    let june = at(2025, 5, 31, 17);
    notice(app, t5, w, None, june, at(2025, 6, 3, 17)).await;
    notice(app, t5, s, None, june, at(2025, 6, 1, 0)).await;
    let t6 = task(app, a, e[3], "routine", "cancelled").await;
    let t7 = task(app, a, e[0], "special_campaign", "drawn").await;
    let t8 = task(app, s, e[2], "complaint", "drawn").await;
    let t9 = task(app, w, e[2], "referral", "drawn").await;

    let r1a = result(app, t1, a, day(3, 10), false, None).await;
    let r1w = result(app, t1, w, day(3, 10), true, None).await;
    let r2a = result(app, t2, a, day(3, 20), false, None).await;
    let r3w = result(app, t3, w, day(4, 5), false, None).await;
    let r3a = result(app, t3, a, day(4, 5), false, None).await;
    let r3a2 = result(app, t3, a, day(4, 5), false, Some(r3a)).await;
    let r3s = result(app, t3, s, day(4, 5), false, None).await;
    let r4s = result(app, t4, s, day(5, 15), false, None).await;
    let _ = r3w;

    // Item lists: the demo's are set aside, ours are A: 4, W: 2.
    app.execute(
        "UPDATE plan_items SET removed_at = created_at
          WHERE year = 2025 AND department_id IN (SELECT id FROM departments WHERE unit_id =
                (SELECT unit_id FROM departments WHERE id = $1))",
        vec![Arg::from(a)],
    )
    .await;
    let a1 = item(app, a, "a1").await;
    let a2 = item(app, a, "a2").await;
    let a3 = item(app, a, "a3").await;
    item(app, a, "a4").await;
    let w1 = item(app, w, "w1").await;
    item(app, w, "w2").await;
    tick(app, r1a, 1, a1).await;
    tick(app, r1a, 2, a2).await;
    tick(app, r2a, 1, a1).await;
    tick(app, r3a, 1, a3).await;
    tick(app, r3a2, 1, a3).await;
    tick(app, r1w, 1, w1).await;

    rectification(app, t1, r1a, a, "closed", day(4, 10)).await;
    rectification(app, t1, r1w, w, "issued", day(5, 1)).await;
    rectification(app, t3, r3s, s, "returned", day(7, 1)).await;
    rectification(app, t3, r3a, a, "withdrawn", day(7, 1)).await;
    rectification(app, t4, r4s, s, "reported", day(5, 20)).await;

    // Another county of Tangshan: one visit alone (for the roll-up).
    let fengrun = app
        .count(
            "SELECT MIN(d.id) FROM departments d JOIN units u ON u.id = d.unit_id
              WHERE u.short_name = '丰润区分局'",
        )
        .await;
    let t10 = task(app, fengrun, e[4], "routine", "completed").await;
    result(app, t10, fengrun, day(3, 5), false, None).await;
    let tangshan = app
        .count("SELECT id FROM units WHERE name = '唐山市生态环境局'")
        .await;
    Data {
        a,
        w,
        s,
        t: vec![0, t1, t2, t3, t4, t5, t6, t7, t8, t9],
        other_county_task: t10,
        tangshan,
    }
}

fn group(stats: &Value, key: i64) -> &Value {
    stats["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == key)
        .map(|g| &g["figures"])
        .unwrap_or_else(|| panic!("group {key} in {stats}"))
}

/// Checks named figures: integers and rates (null for "nothing to divide").
fn check(f: &Value, expected: &[(&str, Value)], what: &str) {
    for (name, v) in expected {
        assert_eq!(&f[*name], v, "{what}: {name} in {f}");
    }
}

async fn head(app: &TestApp) -> String {
    bearer(app, &office(app).await[0].1).await
}

async fn figures_equal_the_hand_counted_ones(app: TestApp) {
    let d = crafted(&app).await;
    let token = head(&app).await;
    let (st, s) = app.get(&token, "/api/v1/statistics?year=2025").await;
    assert_eq!(st, 200, "{s}");
    use serde_json::json;
    check(
        &s["total"],
        &[
            ("visits", json!(4)),
            ("enterprises", json!(3)),
            ("visits_per_enterprise", json!(1.33)),
            ("department_visits", json!(7)),
            ("departments_per_visit", json!(1.75)),
            ("joint_visits", json!(2)),
            ("single_visits", json!(2)),
            ("joint_percent", json!(50.0)),
            ("visits_saved", json!(3)),
            ("saved_percent", json!(42.9)),
            ("notices", json!(8)),
            ("joined", json!(3)),
            ("declined", json!(2)),
            ("lapsed", json!(2)),
            ("pending", json!(1)),
            ("answered_percent", json!(71.4)),
            ("results", json!(7)),
            ("results_on_time", json!(6)),
            ("results_late", json!(1)),
            ("results_on_time_percent", json!(85.7)),
            ("rectifications", json!(4)),
            ("rectifications_closed", json!(1)),
            ("rectifications_overdue", json!(1)),
            ("closure_percent", json!(25.0)),
            ("items_listed", json!(6)),
            ("items_used", json!(4)),
            ("items_percent", json!(66.7)),
        ],
        "total",
    );
    assert_eq!(s["saved_aim_percent"], json!(50.0));
    assert_eq!(s["grouping"], "department");
    check(
        group(&s, d.a),
        &[
            ("visits", json!(2)),
            ("enterprises", json!(2)),
            ("department_visits", json!(3)),
            ("joint_visits", json!(1)),
            ("single_visits", json!(1)),
            ("visits_saved", json!(1)),
            ("saved_percent", json!(33.3)),
            ("notices", json!(1)),
            ("joined", json!(1)),
            ("answered_percent", json!(100.0)),
            ("results", json!(3)),
            ("results_late", json!(0)),
            ("rectifications", json!(1)),
            ("closure_percent", json!(100.0)),
            ("items_listed", json!(4)),
            ("items_used", json!(3)),
            ("items_percent", json!(75.0)),
        ],
        "大气股",
    );
    check(
        group(&s, d.w),
        &[
            ("visits", json!(1)),
            ("department_visits", json!(3)),
            ("departments_per_visit", json!(3.0)),
            ("visits_saved", json!(2)),
            ("saved_percent", json!(66.7)),
            ("notices", json!(3)),
            ("joined", json!(1)),
            ("lapsed", json!(1)),
            ("pending", json!(1)),
            ("answered_percent", json!(50.0)),
            ("results", json!(2)),
            ("results_late", json!(1)),
            ("results_on_time_percent", json!(50.0)),
            ("rectifications", json!(1)),
            ("rectifications_overdue", json!(1)),
            ("closure_percent", json!(0.0)),
            ("items_percent", json!(50.0)),
        ],
        "水股",
    );
    check(
        group(&s, d.s),
        &[
            ("visits", json!(1)),
            ("joint_visits", json!(0)),
            ("joint_percent", json!(0.0)),
            ("saved_percent", json!(0.0)),
            ("notices", json!(4)),
            ("joined", json!(1)),
            ("declined", json!(2)),
            ("lapsed", json!(1)),
            ("answered_percent", json!(75.0)),
            ("results", json!(2)),
            ("rectifications", json!(2)),
            ("rectifications_closed", json!(0)),
            ("items_listed", json!(0)),
            ("items_percent", Value::Null),
        ],
        "土壤股",
    );
    // Months: visits by visit day, notices by the Shanghai day of the notice.
    let month = |m: usize| &s["months"][m - 1]["figures"];
    check(
        month(3),
        &[
            ("visits", json!(2)),
            ("joint_visits", json!(1)),
            ("saved_percent", json!(33.3)),
            ("results", json!(3)),
            ("results_on_time_percent", json!(66.7)),
            ("rectifications", json!(2)),
            ("closure_percent", json!(50.0)),
        ],
        "March",
    );
    check(
        month(4),
        &[("visits", json!(1)), ("saved_percent", json!(66.7))],
        "April",
    );
    check(
        month(2),
        &[
            ("visits", json!(0)),
            ("notices", json!(6)),
            ("answered_percent", json!(83.3)),
        ],
        "February",
    );
    check(
        month(6),
        &[
            ("notices", json!(2)),
            ("pending", json!(1)),
            ("lapsed", json!(1)),
            ("answered_percent", json!(0.0)),
        ],
        "June (Shanghai time)",
    );
    check(
        month(5),
        &[("notices", json!(0)), ("visits", json!(1))],
        "May",
    );
    // Caps: e1 is over the department cap (A: 2 > 1) and the unit cap (3 > 2).
    assert_eq!(s["caps"]["enterprises"], 3);
    assert_eq!(s["caps"]["within"], 2);
    assert_eq!(s["caps"]["percent"], json!(66.7));
    let over: Vec<(String, i64, i64)> = s["caps"]["over"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["scope"].as_str().unwrap().to_string(),
                o["tasks"].as_i64().unwrap(),
                o["cap"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut over = over;
    over.sort();
    assert_eq!(
        over,
        vec![("department".into(), 2, 1), ("unit".into(), 3, 2)]
    );
    let exempt = s["caps"]["exempt_excess"].as_array().unwrap();
    assert_eq!(exempt.len(), 1, "{exempt:?}");
    assert_eq!(exempt[0]["tasks"], 3);

    // March only: the keys and the total follow the month; the series not.
    let (_, m) = app
        .get(&token, "/api/v1/statistics?year=2025&month=3")
        .await;
    check(
        &m["total"],
        &[
            ("visits", json!(2)),
            ("enterprises", json!(2)),
            ("joint_visits", json!(1)),
            ("visits_saved", json!(1)),
            ("saved_percent", json!(33.3)),
            ("notices", json!(0)),
            ("results", json!(3)),
            ("results_late", json!(1)),
            ("rectifications", json!(2)),
            ("rectifications_closed", json!(1)),
            // The item share is a figure of the year.
            ("items_percent", json!(66.7)),
        ],
        "March total",
    );
    check(group(&m, d.w), &[("visits", json!(0))], "水股 in March");
    assert_eq!(m["months"][3]["figures"]["visits"], 1);

    // Roll-up of Tangshan by the system administrator: the city itself,
    // Yutian and Fengrun each a row; the total adds them.
    let admin = bearer(&app, "admin").await;
    let (st, r) = app
        .get(
            &admin,
            &format!(
                "/api/v1/statistics?year=2025&unit={}&rollup=true",
                d.tangshan
            ),
        )
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["grouping"], "unit");
    check(
        &r["total"],
        &[
            ("visits", json!(5)),
            ("enterprises", json!(4)),
            ("department_visits", json!(8)),
            ("joint_visits", json!(2)),
            ("saved_percent", json!(37.5)),
            ("results", json!(8)),
        ],
        "Tangshan",
    );
    assert_eq!(r["groups"][0]["key"], d.tangshan);
    assert!(r["groups"][0]["name"].as_str().unwrap().contains("本级"));
    let yutian = app
        .count("SELECT id FROM units WHERE short_name = '玉田县分局'")
        .await;
    check(
        group(&r, yutian),
        &[("visits", json!(4))],
        "Yutian in Tangshan",
    );
    let _ = d.other_county_task;
}

async fn drill(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let (st, b) = app
        .get(
            token,
            &format!("/api/v1/statistics/tasks?year=2025&{query}"),
        )
        .await;
    assert_eq!(st, 200, "{query}: {b}");
    b.as_array()
        .unwrap()
        .iter()
        .map(|r| r["task_id"].as_i64().unwrap())
        .collect()
}

async fn drill_down_export_and_access(app: TestApp) {
    let d = crafted(&app).await;
    let t = &d.t;
    let token = head(&app).await;
    assert_eq!(
        drill(&app, &token, "figure=visits").await,
        vec![t[1], t[2], t[3], t[4]]
    );
    assert_eq!(
        drill(&app, &token, "figure=visits&month=3").await,
        vec![t[1], t[2]]
    );
    assert_eq!(drill(&app, &token, "figure=joint").await, vec![t[1], t[3]]);
    assert_eq!(
        drill(&app, &token, &format!("figure=single&group={}", d.a)).await,
        vec![t[2]]
    );
    assert_eq!(drill(&app, &token, "figure=lapsed").await, vec![t[2], t[5]]);
    assert_eq!(
        drill(&app, &token, &format!("figure=lapsed&group={}", d.s)).await,
        vec![t[5]]
    );
    assert_eq!(drill(&app, &token, "figure=late").await, vec![t[1]]);
    assert_eq!(drill(&app, &token, "figure=overdue").await, vec![t[1]]);
    assert_eq!(
        drill(&app, &token, "figure=unclosed").await,
        vec![t[1], t[3], t[4]]
    );
    let (st, b) = app
        .get(&token, "/api/v1/statistics/tasks?year=2025&figure=nonsense")
        .await;
    assert!(st == 400 || st == 422, "{st} {b}");
    let (st, b) = app
        .get(&token, "/api/v1/statistics?year=2025&month=13")
        .await;
    assert_eq!(st, 422, "{b}");
    assert!(b["message"].as_str().unwrap().contains("月份"));

    // The page: KPI cards and the tables' numbers link to the drill-down.
    let (client, _) = app.web_user(&office(&app).await[0].1).await;
    let html = app.html(&client, "/statistics?year=2025").await;
    assert!(html.contains("统计分析"), "menu entry");
    let kpi = crate::common::element(&html, "kpi-saved");
    assert!(
        kpi.contains("42.9%") && kpi.contains("目标 ≥50%") && kpi.contains("未达标"),
        "{kpi}"
    );
    assert!(html.contains("<svg class=\"chart\""));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 4);
    let visits = crate::common::element(&html, "table-visits");
    assert!(
        visits.contains(&format!(
            "href=\"/statistics/tasks?year=2025&#38;unit={}&#38;figure=joint&#38;group={}\"",
            app.count(&format!(
                "SELECT unit_id FROM departments WHERE id = {}",
                d.a
            ))
            .await,
            d.a
        )),
        "{visits}"
    );
    let page = app
        .html(&client, "/statistics/tasks?year=2025&figure=joint")
        .await;
    let list = crate::common::element(&page, "drill");
    assert!(list.contains(&format!("data-task=\"{}\"", t[1])));
    assert!(list.contains(&format!("data-task=\"{}\"", t[3])));
    assert_eq!(list.matches("data-task=").count(), 2);
    // Without a figure (typed or bookmarked): the dashboard, not an error.
    let r = client
        .get(app.url("/statistics/tasks"))
        .send()
        .await
        .unwrap();
    assert_eq!((r.status().as_u16(), r.url().path()), (200, "/statistics"));

    // The export: the same figures, one sheet per table.
    let r = client
        .get(app.url("/statistics/export.xlsx?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::{Data as Cell, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names().to_vec();
    assert_eq!(
        names,
        vec![
            "检查与联合检查",
            "各月情况",
            "参与确认",
            "结果与整改",
            "事项使用",
            "频次上限"
        ]
    );
    let sheet = book.worksheet_range("检查与联合检查").unwrap();
    let rows: Vec<Vec<Cell>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows[1][1], Cell::String("检查次数".into()));
    let row_of = |name: &str| {
        rows.iter()
            .find(|r| r[0] == Cell::String(name.into()))
            .unwrap_or_else(|| panic!("{name} in {rows:?}"))
            .clone()
    };
    let air = row_of("大气股");
    assert_eq!(air[1], Cell::Float(2.0));
    assert_eq!(air[10], Cell::Float(33.3));
    let total = row_of("合计");
    // 检查次数, 检查企业数, 户均, 部门次数, 每次部门数, 联合, 单部门, 联合率, 减少, 减少比例
    assert_eq!(
        total[1..].to_vec(),
        vec![
            Cell::Float(4.0),
            Cell::Float(3.0),
            Cell::Float(1.33),
            Cell::Float(7.0),
            Cell::Float(1.75),
            Cell::Float(2.0),
            Cell::Float(2.0),
            Cell::Float(50.0),
            Cell::Float(3.0),
            Cell::Float(42.9),
        ]
    );
    let months = book.worksheet_range("各月情况").unwrap();
    let march: Vec<Cell> = months
        .rows()
        .find(|r| r[0] == Cell::String("3月".into()))
        .unwrap()
        .to_vec();
    assert_eq!(march[1], Cell::Float(2.0));
    let follow = book.worksheet_range("结果与整改").unwrap();
    let total: Vec<Cell> = follow
        .rows()
        .find(|r| r[0] == Cell::String("合计".into()))
        .unwrap()
        .to_vec();
    assert_eq!(
        total[1..5].to_vec(),
        vec![
            Cell::Float(7.0),
            Cell::Float(6.0),
            Cell::Float(1.0),
            Cell::Float(85.7),
        ]
    );

    // Refused: an inspector, a partner agency, a head asking for another unit.
    let inspector = bearer(&app, &app.people_of(YUTIAN, "大气股").await[1].1).await;
    let (st, b) = app.get(&inspector, "/api/v1/statistics?year=2025").await;
    assert_eq!(st, 403, "{b}");
    assert!(
        b["message"].as_str().unwrap().contains("统计分析仅供"),
        "{b}"
    );
    let market = app
        .count(
            "SELECT MIN(d.id) FROM departments d JOIN units u ON u.id = d.unit_id
              WHERE u.name = '玉田县市场监督管理局'",
        )
        .await;
    let partner = bearer(&app, &app.secretary(market).await).await;
    let (st, _) = app.get(&partner, "/api/v1/statistics?year=2025").await;
    assert_eq!(st, 403);
    let (st, b) = app
        .get(&token, &format!("/api/v1/statistics?unit={}", d.tangshan))
        .await;
    assert_eq!(st, 403, "{b}");
    let (st, _) = app
        .get(&inspector, "/api/v1/statistics/tasks?figure=visits")
        .await;
    assert_eq!(st, 403);
    let (inspector_web, _) = app
        .web_user(&app.people_of(YUTIAN, "大气股").await[1].1)
        .await;
    let r = inspector_web
        .get(app.url("/statistics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("统计分析仅供"));
    let home = app.html(&inspector_web, "/").await;
    assert!(
        !home.contains("nav-statistics"),
        "no menu entry for an inspector"
    );
}

async fn statistics_in_the_browser(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    let d = crafted(&app).await;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    log_in(&c, &app, &office(&app).await[0].1).await;
    click(&c, "#nav-statistics").await;
    wait_path(&c, "/statistics").await;
    c.goto(&app.url("/statistics?year=2025")).await.unwrap();
    assert!(text(&c, "#kpi-visits").await.contains('4'));
    assert!(text(&c, "#kpi-joint").await.contains("50.0%"));
    if shoot {
        shot(&c, "statistics-desktop").await;
        scroll_to(&c, "#table-follow").await;
        shot(&c, "statistics-desktop-tables").await;
    }
    // A number leads to its tasks.
    click(
        &c,
        &format!(
            "#table-visits a[href*='figure=joint'][href*='group={}']",
            d.a
        ),
    )
    .await;
    wait_path(&c, "/statistics/tasks").await;
    let rows = text(&c, "#drill").await;
    assert!(rows.contains(&format!("No.{}", d.t[1])), "{rows}");
    if shoot {
        shot(&c, "statistics-drill-desktop").await;
    }
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&app.url("/statistics?year=2025")).await.unwrap();
    assert!(text(&c, "#kpi-saved").await.contains("42.9%"));
    if shoot {
        shot(&c, "statistics-phone").await;
        scroll_to(&c, "#table-visits").await;
        shot(&c, "statistics-phone-table").await;
    }
}
