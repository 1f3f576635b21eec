//! Benchmark of document number allocation (DOC-3; the issue asks for ≥ 500
//! numbers a second on PostgreSQL with 16 concurrent clients).
//!
//! Store level, no HTTP: a fresh PostgreSQL schema (and, for comparison, a
//! fresh SQLite file) with the least the workflow needs — one unit, one
//! department, one enterprise, one remote (非现场) task, so that sampling
//! notices may be numbered without an approval form — then N drafted 抽样
//! （采样）通知书 numbered by 16 concurrent workers through
//! the server's numbering queue (`documents::office::NumberingQueue`), exactly
//! as the API does it: numberings arriving together share a transaction. Prints
//! numbers per second and p50/p99 latency, and checks the register: 1…N, no
//! gap, no duplicate, counter = N.
//!
//! ```text
//! cargo run --release -p yici-store --example bench_numbering
//! YICI_BENCH_DATABASE_URL=postgres://… YICI_BENCH_DOCS=4000 YICI_BENCH_CLIENTS=16 \
//! YICI_BENCH_BACKENDS=postgres,sqlite cargo run --release -p yici-store --example bench_numbering
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Utc};
use rand::Rng;
use yici_domain::documents::DocumentKind;
use yici_domain::org::{Principal, Role, UnitLevel};
use yici_store::documents::office::{NumberRequest, NumberingQueue};
use yici_store::documents::{draft, numbering};
use yici_store::{args, Db, Exec};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The fixtures: who drafts, who numbers, and the task.
struct Fixture {
    unit_id: i64,
    task_id: i64,
    drafter: Principal,
    office: Principal,
}

fn principal(
    unit_id: i64,
    department_id: i64,
    department: &str,
    roles: Vec<Role>,
    name: &str,
) -> Principal {
    Principal {
        account_id: 0,
        login: name.to_string(),
        display_name: name.to_string(),
        person_id: None,
        unit_id: Some(unit_id),
        department_id: Some(department_id),
        unit_name: Some("唐山市生态环境局玉田县分局".into()),
        unit_level: Some(UnitLevel::County),
        unit_region_code: Some("130229".into()),
        unit_sector: Some(yici_domain::org::Sector::Ecology),
        department_name: Some(department.into()),
        roles,
    }
}

async fn department(db: &Db, unit_id: i64, name: &str, now: DateTime<Utc>) -> i64 {
    db.clone()
        .scalar_i64(
            "INSERT INTO departments (unit_id, name, kind, business_line, created_at)
             VALUES ($1, $2, 'office', 'air', $3) RETURNING id",
            args![unit_id, name, now],
        )
        .await
        .expect("department")
}

async fn fixtures(db: &Db, now: DateTime<Utc>) -> Fixture {
    let mut c = db.clone();
    let unit_id = c
        .scalar_i64(
            "INSERT INTO units (parent_id, name, short_name, level, sector, region_code, account_prefix, created_at)
             VALUES (NULL, '唐山市生态环境局玉田县分局', '玉田县分局', 'county', 'ecology', '130229', 'yt', $1)
             RETURNING id",
            args![now],
        )
        .await
        .expect("unit");
    let air = department(db, unit_id, "大气股", now).await;
    let office = department(db, unit_id, "办公室", now).await;
    let enterprise = c
        .scalar_i64(
            "INSERT INTO enterprises (name, source_name, uscc, uscc_check_ok, address, industry_code,
                    industry_name, industry_section, industry_division, region_code, province_code,
                    city_code, city_name, county_name, contact_name, contact_phone, status, category,
                    created_at, updated_at)
             VALUES ('玉田县鸿达铸造有限公司', '玉田县鸿达铸造有限公司', '91130229MA0BENCH01', TRUE,
                    '河北省唐山市玉田县鸦鸿桥镇工业园区', '3391', '黑色金属铸造', 'C', '33',
                    '130229', '130000', '130200', '唐山市', '玉田县', '张伟', '13800000000',
                    'normal', 'key', $1, $1)
             RETURNING id",
            args![now],
        )
        .await
        .expect("enterprise");
    let year = i64::from(yici_domain::time::business_date(now).year());
    // Remote (非现场): sampling notices are numbered without an approval form.
    let task_id = c
        .scalar_i64(
            "INSERT INTO tasks (year, enterprise_id, unit_id, department_id, source, capped, method,
                    status, created_by_name, created_at, remote)
             VALUES ($1, $2, $3, $4, 'data_monitoring', FALSE, 'directed', 'scheduled', '大气股文秘',
                    $5, TRUE)
             RETURNING id",
            args![year, enterprise, unit_id, air, now],
        )
        .await
        .expect("task");
    Fixture {
        unit_id,
        task_id,
        drafter: principal(unit_id, air, "大气股", vec![Role::Secretary], "大气股文秘"),
        office: principal(
            unit_id,
            office,
            "办公室",
            vec![Role::OfficeClerk],
            "办公室文书",
        ),
    }
}

/// `n` drafted sampling notices, written by `clients` concurrent drafters.
async fn drafts(db: &Db, f: &Fixture, n: usize, clients: usize) -> Vec<i64> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..clients {
        let (db, next, who, task) = (db.clone(), next.clone(), f.drafter.clone(), f.task_id);
        handles.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let doc =
                    draft::draft(&db, Utc::now(), &who, task, DocumentKind::SamplingNotice, 2)
                        .await
                        .expect("draft");
                ids.push(doc.id);
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for h in handles {
        ids.extend(h.await.unwrap());
    }
    ids.sort_unstable();
    ids
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Figures {
    rate: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

/// Numbers every draft with `clients` concurrent workers; checks the register.
async fn run(label: &str, db: &Db, n: usize, clients: usize) -> Figures {
    yici_store::migrate::run(db).await.expect("migrations");
    let f = fixtures(db, Utc::now()).await;
    let t = Instant::now();
    let ids = drafts(db, &f, n, clients).await;
    assert_eq!(ids.len(), n);
    println!(
        "[{label}] drafted {n} sampling notices in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let ids = Arc::new(ids);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut handles = Vec::new();
    let queue = NumberingQueue::new();
    for _ in 0..clients {
        let (db, ids, next, office) = (db.clone(), ids.clone(), next.clone(), f.office.clone());
        let queue = queue.clone();
        handles.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&id) = ids.get(i) else { break };
                let t = Instant::now();
                let request = NumberRequest {
                    now: Utc::now(),
                    principal: office.clone(),
                    id,
                };
                let doc = queue
                    .number(&db, request)
                    .await
                    .unwrap_or_else(|e| panic!("number document {id}: {e}"));
                out.push((t.elapsed(), doc.number.expect("numbered")));
            }
            out
        }));
    }
    let mut latencies = Vec::with_capacity(n);
    let mut numbers = Vec::with_capacity(n);
    for h in handles {
        for (lat, number) in h.await.unwrap() {
            latencies.push(lat);
            numbers.push(number);
        }
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=n as i64).collect::<Vec<_>>(),
        "[{label}] the numbers given are exactly 1…{n}"
    );

    let year = yici_domain::time::business_date(Utc::now()).year();
    let register =
        numbering::register(db, &f.office, f.unit_id, DocumentKind::SamplingNotice, year)
            .await
            .expect("register");
    assert!(
        register.gapless,
        "[{label}] register not gapless: missing {:?}, duplicates {:?}",
        register.missing, register.duplicates
    );
    assert_eq!(register.lines.len(), n);
    assert_eq!(register.last_number, n as i64);
    assert!(register.lines[0]
        .number_text
        .contains(&format!("〔{year}〕1号")));

    let figures = Figures {
        rate: n as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: *latencies.last().unwrap(),
    };
    println!(
        "[{label}] numbered {n} with {clients} clients in {:.2} s: {:.0} numbers/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; register 1…{} gapless, counter {}",
        elapsed.as_secs_f64(),
        figures.rate,
        ms(figures.p50),
        ms(figures.p99),
        ms(figures.max),
        register.last_number,
        register.last_number,
    );
    figures
}

/// Runs a future as a task of its own, so that a failed check comes back as
/// an error and the database is still removed afterwards.
async fn local<F>(f: F) -> Result<F::Output, tokio::task::JoinError>
where
    F: std::future::Future + 'static,
    F::Output: 'static,
{
    let set = tokio::task::LocalSet::new();
    let handle = set.spawn_local(f);
    set.run_until(handle).await
}

async fn postgres(n: usize, clients: usize) -> Figures {
    let url = std::env::var("YICI_BENCH_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.into());
    let tag: String = rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(10)
        .map(|c| (c as char).to_ascii_lowercase())
        .collect();
    let schema = format!("yici_bench_{tag}");
    let mut admin = Db::connect(&url).await.expect("PostgreSQL reachable");
    admin
        .execute(&format!("CREATE SCHEMA {schema}"), vec![])
        .await
        .expect("create schema");
    let db = Db::connect_postgres_schema(&url, &schema)
        .await
        .expect("connect to the schema");
    // Run in a task so that the schema is dropped even when a check fails.
    let result = {
        let db = db.clone();
        local(async move { run("PostgreSQL", &db, n, clients).await }).await
    };
    db.close().await;
    admin
        .execute(&format!("DROP SCHEMA {schema} CASCADE"), vec![])
        .await
        .expect("drop schema");
    admin.close().await;
    result.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

async fn sqlite(n: usize, clients: usize) -> Figures {
    let tag: u64 = rand::random();
    let path = std::env::temp_dir().join(format!("yici-bench-numbering-{tag:016x}.db"));
    let db = Db::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("sqlite");
    let result = {
        let db = db.clone();
        local(async move { run("SQLite", &db, n, clients).await }).await
    };
    db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    result.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

#[tokio::main]
async fn main() {
    let n: usize = env_or("YICI_BENCH_DOCS", 4000);
    let clients: usize = env_or("YICI_BENCH_CLIENTS", 16);
    let backends =
        std::env::var("YICI_BENCH_BACKENDS").unwrap_or_else(|_| "postgres,sqlite".into());
    let mut summary = Vec::new();
    for backend in backends.split(',').map(str::trim) {
        let figures = match backend {
            "postgres" => postgres(n, clients).await,
            "sqlite" => sqlite(n, clients).await,
            other => panic!("unknown backend {other} (postgres, sqlite)"),
        };
        summary.push((backend, figures));
    }
    println!("\nnumber allocation, {n} documents, {clients} concurrent clients:");
    for (backend, f) in &summary {
        let verdict = if *backend == "postgres" {
            if f.rate >= 500.0 {
                " (target ≥ 500/s: met)"
            } else {
                " (target ≥ 500/s: NOT met)"
            }
        } else {
            ""
        };
        println!(
            "  {backend:<8} {:>7.0} numbers/s  p50 {:>6.2} ms  p99 {:>6.2} ms{verdict}",
            f.rate,
            ms(f.p50),
            ms(f.p99)
        );
    }
}
