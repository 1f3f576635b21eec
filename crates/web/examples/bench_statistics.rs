//! Benchmark of the 统计分析 dashboard (STAT-1; the issue asks for p99 ≤
//! 200 ms for a province over a year with 100,000 tasks).
//!
//! A fresh database with the demo organisation (the province, its 11 cities,
//! Tangshan's 14 counties and more) and 10,000 enterprises, then 100,000
//! tasks of 2025 spread over every ecology unit's departments, written
//! straight in bulk: 80 % completed (each with its group's results, 10 %
//! of them late, and a rectification on one in ten), the rest scheduled,
//! drawn or cancelled; every task notifies two to four other departments
//! (join, decline or lapse). Then the server is started and the dashboard
//! page of the province rolled up over the year is fetched over HTTP
//! (200 requests after a warm-up), then the same through the API, then the
//! page of one county; p50/p99 are printed. The figures are checked against
//! a plain recount of completed tasks. `YICI_BENCH_KEEP=1` keeps the
//! database (file or schema) for a look afterwards.
//!
//! ```text
//! cargo run --release -p yici-web --example bench_statistics -- sqlite
//! YICI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo run --release -p yici-web --example bench_statistics -- postgres
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use yici_domain::time::ManualClock;
use yici_store::db::insert_rows;
use yici_store::{Arg, Db, Exec};
use yici_web::state::AppState;
use yici_web::WebConfig;

const TASKS: usize = 100_000;
const INITIAL: &str = "Jcbm@12369";
const NEW_PASSWORD: &str = "Bench@2025x";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ts(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
}

async fn open(backend: &str) -> (Db, String) {
    let tag = std::process::id();
    match backend {
        "postgres" => {
            let url = std::env::var("YICI_BENCH_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let schema = format!("yici_bench_stats_{tag}");
            let mut admin = Db::connect(&url).await.expect("PostgreSQL");
            admin
                .execute(&format!("CREATE SCHEMA {schema}"), vec![])
                .await
                .unwrap();
            admin.close().await;
            (
                Db::connect_postgres_schema(&url, &schema).await.unwrap(),
                format!("schema {schema}"),
            )
        }
        _ => {
            let path = std::env::temp_dir().join(format!("yici-bench-stats-{tag}.db"));
            (
                Db::connect(&format!("sqlite:{}", path.display()))
                    .await
                    .unwrap(),
                path.display().to_string(),
            )
        }
    }
}

async fn ids(db: &Db, sql: &str) -> Vec<(i64, i64)> {
    db.clone()
        .fetch_all(sql, vec![])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("a").unwrap(), r.get("b").unwrap()))
        .collect()
}

/// Writes the tasks, their participants, results and rectifications.
async fn generate(db: &Db, now: DateTime<Utc>) -> usize {
    let departments = ids(
        db,
        "SELECT d.unit_id AS a, d.id AS b FROM departments d JOIN units u ON u.id = d.unit_id
          WHERE u.sector = 'ecology' ORDER BY d.id",
    )
    .await;
    let mut by_unit: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for (u, d) in departments {
        by_unit.entry(u).or_default().push(d);
    }
    let units: Vec<(i64, Vec<i64>)> = by_unit.into_iter().filter(|(_, d)| d.len() >= 3).collect();
    let enterprises: Vec<i64> = ids(db, "SELECT id AS a, id AS b FROM enterprises ORDER BY id")
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let person = db
        .clone()
        .scalar_i64("SELECT MIN(id) FROM people WHERE is_officer", vec![])
        .await
        .unwrap();
    println!(
        "  {} units with departments, {} enterprises",
        units.len(),
        enterprises.len()
    );
    let mut rng = StdRng::seed_from_u64(22);
    let (mut tasks, mut parts, mut results, mut rects) = (vec![], vec![], vec![], vec![]);
    let mut result_id = 0i64;
    let mut completed = 0usize;
    let jan1 = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    for i in 0..TASKS {
        let id = i as i64 + 1;
        let (unit, depts) = &units[rng.gen_range(0..units.len())];
        let dept = depts[rng.gen_range(0..depts.len())];
        let ent = enterprises[rng.gen_range(0..enterprises.len())];
        let created_day = jan1 + chrono::Duration::days(rng.gen_range(0..330));
        let created = ts(created_day, 2);
        let roll: f64 = rng.gen();
        let status = if roll < 0.8 {
            "completed"
        } else if roll < 0.9 {
            "scheduled"
        } else if roll < 0.95 {
            "drawn"
        } else {
            "cancelled"
        };
        let source = if rng.gen_bool(0.85) {
            "routine"
        } else {
            "complaint"
        };
        let visit = created_day + chrono::Duration::days(rng.gen_range(4..30));
        tasks.push(vec![
            Arg::from(id),
            Arg::from(2025i64),
            Arg::from(ent),
            Arg::from(*unit),
            Arg::from(dept),
            Arg::from(source),
            Arg::from(source == "routine"),
            Arg::from("directed"),
            Arg::from(status),
            Arg::from("bench"),
            Arg::from(created),
            Arg::from((status == "cancelled").then_some(created)),
            Arg::from((status == "completed").then(|| ts(visit, 3))),
            Arg::from((status == "completed").then(|| ts(visit, 1))),
        ]);
        parts.push(vec![
            Arg::from(id),
            Arg::from(dept),
            Arg::from("initiator"),
            Arg::from(created),
            Arg::from(None::<DateTime<Utc>>),
            Arg::from(None::<&str>),
            Arg::from(None::<DateTime<Utc>>),
        ]);
        let mut group = vec![dept];
        let mut others: Vec<i64> = depts.iter().copied().filter(|d| *d != dept).collect();
        others.shuffle(&mut rng);
        let notified = rng.gen_range(2..=4).min(others.len());
        for other in &others[..notified] {
            let r: f64 = rng.gen();
            let decision = if r < 0.4 {
                "join"
            } else if r < 0.8 {
                "decline"
            } else {
                "lapsed"
            };
            if decision == "join" {
                group.push(*other);
            }
            parts.push(vec![
                Arg::from(id),
                Arg::from(*other),
                Arg::from("department"),
                Arg::from(created),
                Arg::from(created + chrono::Duration::hours(72)),
                Arg::from(decision),
                Arg::from(created + chrono::Duration::hours(10)),
            ]);
        }
        if status != "completed" {
            continue;
        }
        completed += 1;
        for d in &group {
            result_id += 1;
            let late = rng.gen_bool(0.1);
            results.push(vec![
                Arg::from(result_id),
                Arg::from(id),
                Arg::from(*d),
                Arg::from(format!("bench-{result_id}")),
                Arg::from("h"),
                Arg::from("正常"),
                Arg::from("正常"),
                Arg::from(person),
                Arg::from("bench"),
                Arg::from(ts(visit, 4)),
                Arg::from(visit),
                Arg::from(late),
            ]);
        }
        if rng.gen_bool(0.1) {
            let statuses = [
                "issued",
                "reported",
                "returned",
                "closed",
                "closed",
                "withdrawn",
            ];
            rects.push(vec![
                Arg::from(id),
                Arg::from(result_id),
                Arg::from(1i64),
                Arg::from(dept),
                Arg::from(*unit),
                Arg::from(ent),
                Arg::from("事项"),
                Arg::from("问题"),
                Arg::from("依据"),
                Arg::from("要求"),
                Arg::from(visit + chrono::Duration::days(30)),
                Arg::from(statuses[rng.gen_range(0..statuses.len())]),
                Arg::from(ts(visit, 5)),
                Arg::from(ts(visit, 5)),
            ]);
        }
    }
    let _ = now;
    let mut tx = db.begin().await.unwrap();
    insert_rows(
        &mut tx,
        "tasks",
        &[
            "id",
            "year",
            "enterprise_id",
            "unit_id",
            "department_id",
            "source",
            "capped",
            "method",
            "status",
            "created_by_name",
            "created_at",
            "cancelled_at",
            "completed_at",
            "checked_in_at",
        ],
        tasks,
        "",
    )
    .await
    .unwrap();
    let n_parts = parts.len();
    insert_rows(
        &mut tx,
        "task_participants",
        &[
            "task_id",
            "department_id",
            "kind",
            "notified_at",
            "decide_by",
            "decision",
            "decided_at",
        ],
        parts,
        "",
    )
    .await
    .unwrap();
    let n_results = results.len();
    insert_rows(
        &mut tx,
        "task_results",
        &[
            "id",
            "task_id",
            "department_id",
            "client_id",
            "body_hash",
            "enterprise_situation",
            "onsite_findings",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
            "due_on",
            "late",
        ],
        results,
        "",
    )
    .await
    .unwrap();
    let n_rects = rects.len();
    insert_rows(
        &mut tx,
        "rectifications",
        &[
            "task_id",
            "result_id",
            "item_position",
            "department_id",
            "unit_id",
            "enterprise_id",
            "item_name",
            "problem",
            "legal_basis",
            "requirement",
            "deadline",
            "status",
            "created_at",
            "updated_at",
        ],
        rects,
        "",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    println!(
        "  {TASKS} tasks ({completed} completed), {n_parts} participants, {n_results} results, {n_rects} rectifications"
    );
    // The statistics' facts of what was just written, folded at once (as the
    // server's job would within seconds) and timed; then the statistics the
    // planners would have from autovacuum or `ANALYZE`.
    let t = Instant::now();
    let folded = yici_store::statistics::facts::drain(db).await.unwrap();
    println!(
        "  statistics facts of {folded} tasks folded in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    if db.backend() == yici_store::db::Backend::Postgres {
        db.clone().execute("VACUUM ANALYZE", vec![]).await.unwrap();
    } else {
        db.clone().execute("ANALYZE", vec![]).await.unwrap();
    }
    completed
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("csrf") + 20;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

async fn measure(
    client: &reqwest::Client,
    url: &str,
    n: usize,
    bearer: Option<&str>,
) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 5 {
        let mut r = client.get(url);
        if let Some(t) = bearer {
            r = r.bearer_auth(t);
        }
        let start = Instant::now();
        let resp = r.send().await.unwrap();
        assert!(resp.status().is_success(), "{url}: {}", resp.status());
        let _ = resp.bytes().await.unwrap();
        if i >= 5 {
            times.push(start.elapsed());
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p = |q: f64| ms(times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)]);
    (p(0.5), p(0.99), ms(*times.last().unwrap()))
}

#[tokio::main]
async fn main() {
    let backend = std::env::args().nth(1).unwrap_or_else(|| "sqlite".into());
    let n: usize = env_or("YICI_BENCH_REQUESTS", 200);
    let (db, place) = open(&backend).await;
    println!("statistics benchmark on {backend} ({place})");
    // Late 2025: the year is nearly over, every deadline of the data past.
    let now = Utc.with_ymd_and_hms(2025, 12, 20, 2, 0, 0).unwrap();
    yici_store::migrate::run(&db).await.unwrap();
    yici_demo::load(&db, now, INITIAL).await.unwrap();
    let t = Instant::now();
    yici_demo::load_enterprises(&db, now, env_or("YICI_BENCH_ENTERPRISES", 10_000))
        .await
        .unwrap();
    println!("  enterprises loaded in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let completed = generate(&db, now).await;
    println!("  generated in {:.1} s", t.elapsed().as_secs_f64());

    let clock = Arc::new(ManualClock::new(now));
    let state = AppState::new(db.clone(), clock, WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(yici_web::serve(listener, state, std::future::pending()));

    // The system administrator, past the forced password change.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(format!("{base}/login"))
        .form(&[("login", "admin"), ("password", INITIAL)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let page = client
        .get(format!("{base}/password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = client
        .post(format!("{base}/password"))
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("old_password", INITIAL),
            ("new_password", NEW_PASSWORD),
            ("repeat_password", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let api = reqwest::Client::new();
    let login: serde_json::Value = api
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"login": "admin", "password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();

    let province = db
        .clone()
        .scalar_i64("SELECT MIN(id) FROM units WHERE level = 'province'", vec![])
        .await
        .unwrap();
    let yutian = db
        .clone()
        .scalar_i64(
            "SELECT id FROM units WHERE short_name = '玉田县分局'",
            vec![],
        )
        .await
        .unwrap();
    // The figures agree with a plain recount.
    let stats: serde_json::Value = api
        .get(format!(
            "{base}/api/v1/statistics?year=2025&unit={province}&rollup=true"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["total"]["visits"], completed as i64, "recount");
    println!(
        "  province 2025: visits {}, joint {}%, saved {}%, results on time {}%",
        stats["total"]["visits"],
        stats["total"]["joint_percent"],
        stats["total"]["saved_percent"],
        stats["total"]["results_on_time_percent"]
    );

    for (label, url, bearer) in [
        (
            "page, province rolled up, year",
            format!("{base}/statistics?year=2025&unit={province}&rollup=1"),
            None,
        ),
        (
            "API, province rolled up, year",
            format!("{base}/api/v1/statistics?year=2025&unit={province}&rollup=true"),
            Some(token.as_str()),
        ),
        (
            "page, province rolled up, one month",
            format!("{base}/statistics?year=2025&month=6&unit={province}&rollup=1"),
            None,
        ),
        (
            "page, one county (Yutian), year",
            format!("{base}/statistics?year=2025&unit={yutian}"),
            None,
        ),
        (
            "drill-down, province, joint visits in June",
            format!(
                "{base}/statistics/tasks?year=2025&month=6&unit={province}&rollup=1&figure=joint"
            ),
            None,
        ),
    ] {
        let c = if bearer.is_some() { &api } else { &client };
        // The province's year page is the one the target is for: the full
        // count of requests; the others a quarter of it.
        let n = if label.starts_with("page, province rolled up, year") {
            n
        } else {
            (n / 4).max(20)
        };
        let (p50, p99, max) = measure(c, &url, n, bearer).await;
        println!("  {label}: {n} requests, p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms");
    }
    db.close().await;
    if std::env::var_os("YICI_BENCH_KEEP").is_some() {
        println!("  kept: {place}");
    } else if backend != "postgres" {
        let _ = std::fs::remove_file(&place);
        let _ = std::fs::remove_file(format!("{place}-wal"));
        let _ = std::fs::remove_file(format!("{place}-shm"));
    } else if let Some(schema) = place.strip_prefix("schema ") {
        let url = std::env::var("YICI_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut admin = Db::connect(&url).await.unwrap();
        let _ = admin
            .execute(&format!("DROP SCHEMA {schema} CASCADE"), vec![])
            .await;
        admin.close().await;
    }
}
