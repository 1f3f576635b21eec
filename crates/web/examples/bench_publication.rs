//! Benchmark of 一公开 (issue 21, RES-2): "Public search over 200,000
//! published results p99 ≤ 60 ms; the full CSV of a year's results for a
//! province streams at ≥ 50,000 rows/s with flat memory."
//!
//! ```text
//! cargo run --release -p yici-web --example bench_publication -- sqlite|postgres [rows]
//! ```
//!
//! 1. A fresh database (a SQLite file in the temp directory, or a fresh
//!    schema of `YICI_BENCH_DATABASE_URL`, default
//!    `postgres://postgres@127.0.0.1:5432/postgres`), migrated, with the demo
//!    organisation and `YICI_BENCH_ENTERPRISES` (default 200,000) generated
//!    enterprises, as `yici demo --enterprises 200000 --load-only` loads them.
//! 2. `rows` (default 200,000) completed tasks with their published results,
//!    written in bulk (multi-row inserts; `COPY` on PostgreSQL): spread over
//!    the units (45 % 玉田县分局, 20 % 唐山市生态环境局, 20 % the other
//!    Tangshan county branches, 10 % the other cities, 5 % the province), 85 %
//!    inspected in 2026 and 15 % in 2025, the enterprise taken from the unit's
//!    area of the registry; outcomes, sources, departments and rectification
//!    mixed; 10 % have a second version (the first closed by `valid_to`).
//!    Then `VACUUM ANALYZE` on PostgreSQL, `ANALYZE` on SQLite.
//! 3. The server in-process (`yici_web::router` with the system clock, without
//!    the background jobs: see `main`) on a free port;
//!    one client sends the searches back to back (`YICI_BENCH_SEARCHES`,
//!    default 560, cycling through 14 kinds) and the latency is reported as
//!    the server measured it (`Server-Timing: app;dur=…`) and as the client
//!    saw it.
//! 4. The open data of 2026 for the whole province streamed as CSV, JSON
//!    and today's CSV snapshot: rows/s, MB, and the process's RSS sampled
//!    every 50 ms during each download (server and client share the process;
//!    the client counts lines chunk by chunk and keeps nothing).
//!
//! `YICI_BENCH_DATABASE=<sqlite file | postgres schema>` keeps the database
//! (and reuses it when it already holds published results, so a change can
//! be measured again without loading anew); without it the database is
//! removed at the end.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Datelike, Duration as Days, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use yici_domain::time::{Clock, SystemClock};
use yici_store::db::{copy_text, insert_rows};
use yici_store::{args, Arg, Db, Exec};
use yici_web::{AppState, WebConfig};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Where the database lives and whether it is removed at the end.
enum Place {
    Sqlite(String),
    Postgres { url: String, schema: String },
}

async fn open(backend: &str) -> Result<(Db, Place, bool)> {
    let keep = std::env::var("YICI_BENCH_DATABASE").ok();
    let tag: String = rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(8)
        .map(|c| (c as char).to_ascii_lowercase())
        .collect();
    match backend {
        "sqlite" => {
            let path = keep.clone().unwrap_or_else(|| {
                format!(
                    "{}/yici_bench_publication_{tag}.db",
                    std::env::temp_dir().display()
                )
            });
            let db = Db::connect(&format!("sqlite:{path}")).await?;
            Ok((db, Place::Sqlite(path), keep.is_some()))
        }
        "postgres" => {
            let url = env_or("YICI_BENCH_DATABASE_URL", DEFAULT_URL.to_string());
            let schema = keep
                .clone()
                .unwrap_or_else(|| format!("yici_bench_pub_{tag}"));
            let mut admin = Db::connect(&url).await?;
            admin
                .execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"), vec![])
                .await?;
            admin.close().await;
            let db = Db::connect_postgres_schema(&url, &schema).await?;
            Ok((db, Place::Postgres { url, schema }, keep.is_some()))
        }
        other => bail!("backend is sqlite or postgres, not {other}"),
    }
}

async fn remove(place: Place) {
    match place {
        Place::Sqlite(path) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
        Place::Postgres { url, schema } => {
            if let Ok(mut admin) = Db::connect(&url).await {
                let _ = admin
                    .execute(&format!("DROP SCHEMA {schema} CASCADE"), vec![])
                    .await;
                admin.close().await;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The data set
// ---------------------------------------------------------------------------

struct Unit {
    id: i64,
    name: String,
    region: String,
    level: String,
    /// Departments that inspect (not 办公室): id, name.
    departments: Vec<(i64, String)>,
}

struct Enterprise {
    id: i64,
    name: String,
    uscc: String,
    region: String,
    county_name: String,
}

/// One published version, in `published_results` column order (see
/// [`RESULT_COLUMNS`]).
fn version_row(
    r: &Planned,
    task_id: i64,
    version: i64,
    valid_from: DateTime<Utc>,
    valid_to: Option<DateTime<Utc>>,
    rectification: &str,
) -> Vec<Arg> {
    args![
        task_id,
        version,
        r.published_at,
        valid_from,
        valid_to,
        r.inspected_on.year() as i64,
        r.unit_id,
        r.unit_name.as_str(),
        r.county_code.as_str(),
        r.county_name.as_str(),
        r.enterprise_id,
        r.enterprise_name.as_str(),
        r.uscc.as_str(),
        r.department_ids.as_str(),
        r.departments.as_str(),
        r.items.as_str(),
        r.inspected_on,
        r.inspected_on.format("%Y-%m").to_string(),
        r.source,
        r.outcome,
        r.problem_count,
        r.problems.as_str(),
        rectification,
        None::<i64>
    ]
}

const RESULT_COLUMNS: &[&str] = &[
    "task_id",
    "version",
    "published_at",
    "valid_from",
    "valid_to",
    "year",
    "unit_id",
    "unit_name",
    "county_code",
    "county_name",
    "enterprise_id",
    "enterprise_name",
    "uscc",
    "department_ids",
    "departments",
    "items",
    "inspected_on",
    "month",
    "source",
    "outcome",
    "problem_count",
    "problems",
    "rectification",
    "draw_id",
];

const TASK_COLUMNS: &[&str] = &[
    "year",
    "enterprise_id",
    "unit_id",
    "department_id",
    "source",
    "capped",
    "method",
    "status",
    "inspected_on",
    "created_by_name",
    "created_at",
    "checked_in_at",
    "check_in_method",
    "checked_in_by_name",
    "completed_at",
];

/// A result before it is written.
struct Planned {
    unit_id: i64,
    unit_name: String,
    first_department: i64,
    department_ids: String,
    departments: String,
    county_code: String,
    county_name: String,
    enterprise_id: i64,
    enterprise_name: String,
    uscc: String,
    items: String,
    inspected_on: NaiveDate,
    source: &'static str,
    outcome: &'static str,
    problem_count: i64,
    problems: String,
    rectification: &'static str,
    created_at: DateTime<Utc>,
    completed_at: DateTime<Utc>,
    published_at: DateTime<Utc>,
    /// When a second version replaced the first (its rectification closed).
    changed_at: Option<DateTime<Utc>>,
}

const ITEMS: &[&str] = &[
    "环境影响评价制度执行情况",
    "排污许可证执行情况",
    "大气污染防治设施运行情况",
    "水污染防治设施运行情况",
    "自动监测设备运行情况",
    "危险废物规范化管理情况",
    "一般工业固体废物管理情况",
    "突发环境事件应急预案备案情况",
    "无组织排放控制情况",
    "噪声污染防治情况",
];

const PROBLEMS: &[&str] = &[
    "除尘设施未正常运行，排放口颗粒物浓度超过排放标准",
    "危险废物贮存场所未设置识别标志，台账记录不完整",
    "自动监测设备数据传输异常，未及时报告",
    "物料堆场未完全密闭，存在无组织排放",
    "未按排污许可证规定频次开展自行监测",
    "雨污分流不彻底，初期雨水收集池未正常使用",
    "应急预案未按规定修订备案",
];

fn pick_weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total);
    for (item, w) in items {
        if r < *w {
            return item;
        }
        r -= w;
    }
    &items[items.len() - 1].0
}

/// 09:00–17:00 Beijing time of `day`.
fn office_hours(rng: &mut StdRng, day: NaiveDate) -> DateTime<Utc> {
    yici_domain::time::start_of(day) + Days::seconds(rng.gen_range(9 * 3600..17 * 3600))
}

fn plan(
    n: usize,
    units: &[Unit],
    enterprises: &[Enterprise],
    today: NaiveDate,
) -> Result<Vec<Planned>> {
    let mut rng = StdRng::seed_from_u64(21);
    let mut by_region: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_city: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in enterprises.iter().enumerate() {
        by_region.entry(&e.region).or_default().push(i);
        by_city.entry(&e.region[..4]).or_default().push(i);
    }
    let yutian = units
        .iter()
        .position(|u| u.region == "130229")
        .context("玉田县分局")?;
    let tangshan = units
        .iter()
        .position(|u| u.region == "130200")
        .context("唐山市生态环境局")?;
    let province = units
        .iter()
        .position(|u| u.level == "province")
        .context("省厅")?;
    let ts_counties: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].level == "county" && units[i].region.starts_with("1302"))
        .filter(|&i| i != yutian && by_region.contains_key(units[i].region.as_str()))
        .collect();
    let cities: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].level == "city" && i != tangshan)
        .filter(|&i| by_city.contains_key(&units[i].region[..4]))
        .collect();
    let all: Vec<usize> = (0..enterprises.len()).collect();
    let last_day = today.pred_opt().context("date")?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let u = rng.gen::<f64>();
        let unit = if u < 0.45 {
            &units[yutian]
        } else if u < 0.65 {
            &units[tangshan]
        } else if u < 0.85 {
            &units[ts_counties[rng.gen_range(0..ts_counties.len())]]
        } else if u < 0.95 {
            &units[cities[rng.gen_range(0..cities.len())]]
        } else {
            &units[province]
        };
        let pool = match unit.level.as_str() {
            "county" => &by_region[unit.region.as_str()],
            "city" => &by_city[&unit.region[..4]],
            _ => &all,
        };
        let e = &enterprises[pool[rng.gen_range(0..pool.len())]];
        let year = if rng.gen::<f64>() < 0.85 { 2026 } else { 2025 };
        // Visits on working days from January up to a few days before the
        // run (2026) or over the whole year (2025).
        let first = NaiveDate::from_ymd_opt(year, 1, 5).context("date")?;
        let end = if year == 2026 {
            today - Days::days(10)
        } else {
            NaiveDate::from_ymd_opt(2025, 12, 30).context("date")?
        };
        let mut inspected_on = first + Days::days(rng.gen_range(0..(end - first).num_days()));
        while inspected_on.weekday().num_days_from_monday() >= 5 {
            inspected_on = inspected_on.pred_opt().context("date")?;
        }
        let completed_on = inspected_on + Days::days(rng.gen_range(0..4));
        // Released by the office early (a third) or on the 20th working day.
        let published_on = (completed_on
            + Days::days(if rng.gen_bool(0.33) {
                rng.gen_range(1..10)
            } else {
                rng.gen_range(26..30)
            }))
        .min(last_day);
        let published_at = office_hours(&mut rng, published_on);
        let completed_at = office_hours(&mut rng, completed_on).min(published_at);
        let planned_on = inspected_on - Days::days(rng.gen_range(3..30));
        let created_at = office_hours(&mut rng, planned_on);

        let inspecting = &unit.departments;
        let count = *pick_weighted(&mut rng, &[(1usize, 70), (2, 25), (3, 5)]);
        let start = rng.gen_range(0..inspecting.len());
        let chosen: Vec<&(i64, String)> = (0..count.min(inspecting.len()))
            .map(|k| &inspecting[(start + k) % inspecting.len()])
            .collect();
        let mut department_ids = String::from(",");
        for (id, _) in &chosen {
            department_ids.push_str(&format!("{id},"));
        }
        let departments = chosen
            .iter()
            .map(|(_, name)| name.as_str())
            .collect::<Vec<_>>()
            .join("、");
        let n_items = rng.gen_range(2..5);
        let first_item = rng.gen_range(0..ITEMS.len());
        let item_list: Vec<&str> = (0..n_items)
            .map(|k| ITEMS[(first_item + k) % ITEMS.len()])
            .collect();
        let source = *pick_weighted(
            &mut rng,
            &[
                ("routine", 70),
                ("special_campaign", 15),
                ("complaint", 8),
                ("data_monitoring", 3),
                ("referral", 2),
                ("other", 2),
            ],
        );
        let outcome = *pick_weighted(
            &mut rng,
            &[("passed", 70), ("not_passed", 25), ("other", 5)],
        );
        let (problem_count, problems, rectification) = if outcome == "not_passed" {
            let k = rng.gen_range(1..=item_list.len().min(3));
            let problems = (0..k)
                .map(|j| {
                    format!(
                        "{}：{}",
                        item_list[j],
                        PROBLEMS[rng.gen_range(0..PROBLEMS.len())]
                    )
                })
                .collect::<Vec<_>>()
                .join("；");
            let r = *pick_weighted(
                &mut rng,
                &[
                    ("closed", 70),
                    ("in_progress", 20),
                    ("overdue", 5),
                    ("referred", 5),
                ],
            );
            (k as i64, problems, r)
        } else {
            (0, String::new(), "not_needed")
        };
        // 10 % of all results were updated once after publication: a closed
        // rectification (most) or a corrected result.
        let changed_at = if rng.gen::<f64>() < 0.10 {
            let on = (published_on + Days::days(rng.gen_range(5..60))).min(last_day);
            Some(office_hours(&mut rng, on)).filter(|at| *at > published_at)
        } else {
            None
        };
        out.push(Planned {
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            first_department: chosen[0].0,
            department_ids,
            departments,
            county_code: e.region.clone(),
            county_name: e.county_name.clone(),
            enterprise_id: e.id,
            enterprise_name: e.name.clone(),
            uscc: e.uscc.clone(),
            items: item_list.join("；"),
            inspected_on,
            source,
            outcome,
            problem_count,
            problems,
            rectification,
            created_at,
            completed_at,
            published_at,
            changed_at,
        });
    }
    Ok(out)
}

async fn load_units(db: &Db) -> Result<Vec<Unit>> {
    let mut conn = db.clone();
    let mut units = Vec::new();
    for r in conn
        .fetch_all(
            "SELECT id, name, region_code, level FROM units WHERE sector = 'ecology' ORDER BY id",
            vec![],
        )
        .await?
    {
        units.push(Unit {
            id: r.get("id")?,
            name: r.get("name")?,
            region: r.get("region_code")?,
            level: r.get("level")?,
            departments: Vec::new(),
        });
    }
    for r in conn
        .fetch_all(
            "SELECT id, unit_id, name FROM departments WHERE name <> '办公室' ORDER BY id",
            vec![],
        )
        .await?
    {
        let unit_id: i64 = r.get("unit_id")?;
        if let Some(u) = units.iter_mut().find(|u| u.id == unit_id) {
            u.departments.push((r.get("id")?, r.get("name")?));
        }
    }
    units.retain(|u| !u.departments.is_empty());
    Ok(units)
}

async fn load_enterprises(db: &Db) -> Result<Vec<Enterprise>> {
    db.clone()
        .fetch_all(
            "SELECT id, name, uscc, region_code, county_name FROM enterprises ORDER BY id",
            vec![],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Enterprise {
                id: r.get("id")?,
                name: r.get("name")?,
                uscc: r.get("uscc")?,
                region: r.get("region_code")?,
                county_name: r.get("county_name")?,
            })
        })
        .collect()
}

/// Writes the tasks, their `publications` rows and the published versions
/// (version 1 of every task first, then the second versions: ids in the
/// order a live system gives them).
async fn write(db: &Db, planned: &[Planned]) -> Result<()> {
    const CHUNK: usize = 10_000;
    let bulk = db.bulk().await?;
    let mut task_ids = Vec::with_capacity(planned.len());
    for chunk in planned.chunks(CHUNK) {
        let mut tx = bulk.db.begin().await?;
        let rows: Vec<Vec<Arg>> = chunk
            .iter()
            .map(|p| {
                args![
                    p.inspected_on.year() as i64,
                    p.enterprise_id,
                    p.unit_id,
                    p.first_department,
                    p.source,
                    matches!(p.source, "routine" | "special_campaign"),
                    "directed",
                    "completed",
                    p.inspected_on,
                    "系统",
                    p.created_at,
                    yici_domain::time::start_of(p.inspected_on) + Days::hours(9),
                    "qr",
                    "检查人员",
                    p.completed_at
                ]
            })
            .collect();
        for r in insert_rows(&mut tx, "tasks", TASK_COLUMNS, rows, "id").await? {
            task_ids.push(r.get::<i64>("id")?);
        }
        let rows: Vec<Vec<Arg>> = chunk
            .iter()
            .zip(&task_ids[task_ids.len() - chunk.len()..])
            .map(|(p, id)| {
                args![
                    *id,
                    p.unit_id,
                    p.completed_at.date_naive() + Days::days(28),
                    p.published_at
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            "publications",
            &["task_id", "unit_id", "due_on", "published_at"],
            rows,
            "",
        )
        .await?;
        tx.commit().await?;
    }
    let firsts = planned.iter().zip(&task_ids).map(|(p, id)| {
        let (valid_to, rect) = match p.changed_at {
            // Before the change the rectification was still under way (or
            // the result was corrected: the same words, a later version).
            Some(at) if p.outcome == "not_passed" => (Some(at), "in_progress"),
            Some(at) => (Some(at), p.rectification),
            None => (None, p.rectification),
        };
        version_row(p, *id, 1, p.published_at, valid_to, rect)
    });
    let seconds = planned.iter().zip(&task_ids).filter_map(|(p, id)| {
        p.changed_at
            .map(|at| version_row(p, *id, 2, at, None, p.rectification))
    });
    let all: Vec<Vec<Arg>> = firsts.chain(seconds).collect();
    for chunk in all.chunks(CHUNK) {
        let mut tx = bulk.db.begin().await?;
        if matches!(bulk.db, Db::Postgres(_)) {
            tx.copy_in(
                "published_results",
                RESULT_COLUMNS,
                &copy_text(chunk.to_vec()),
            )
            .await?;
        } else {
            insert_rows(
                &mut tx,
                "published_results",
                RESULT_COLUMNS,
                chunk.to_vec(),
                "",
            )
            .await?;
        }
        tx.commit().await?;
    }
    bulk.finish().await;
    Ok(())
}

// ---------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// RSS sampled every 50 ms on a thread of its own until stopped.
struct Sampler {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Vec<u64>>,
}

impl Sampler {
    fn start() -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                samples.push(rss_kib());
                std::thread::sleep(Duration::from_millis(50));
            }
            samples
        });
        Sampler { stop, handle }
    }

    fn finish(self) -> Vec<u64> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn summary(label: &str, values: &mut [f64]) -> String {
    values.sort_by(|a, b| a.total_cmp(b));
    format!(
        "{label:<28} n={:<4} p50 {:>6.2}  p90 {:>6.2}  p99 {:>6.2}  max {:>6.2} ms",
        values.len(),
        percentile(values, 50.0),
        percentile(values, 90.0),
        percentile(values, 99.0),
        values.last().copied().unwrap_or(f64::NAN)
    )
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The searches a visitor makes, by kind.
async fn queries(db: &Db, units: &[Unit]) -> Result<Vec<(&'static str, String)>> {
    let mut conn = db.clone();
    let mut rng = StdRng::seed_from_u64(2026);
    let yutian = units
        .iter()
        .find(|u| u.region == "130229")
        .context("玉田")?;
    let tangshan = units
        .iter()
        .find(|u| u.region == "130200")
        .context("唐山")?;
    let names: Vec<(String, String)> = conn
        .fetch_all(
            "SELECT enterprise_name, uscc FROM published_results
              WHERE valid_to IS NULL AND year = 2026 ORDER BY id LIMIT 2000",
            vec![],
        )
        .await?
        .iter()
        .map(|r| Ok((r.get("enterprise_name")?, r.get("uscc")?)))
        .collect::<Result<_>>()?;
    // Keywords as people type them: part of a name seen on a notice (2–4
    // characters from somewhere in it), or a trade word.
    let mut keywords: Vec<String> = ["钢铁", "焦化", "玉田", "水泥", "化工"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for _ in 0..35 {
        let (name, _) = &names[rng.gen_range(0..names.len())];
        let chars: Vec<char> = name.chars().collect();
        let len = rng.gen_range(2..=4).min(chars.len());
        let start = rng.gen_range(0..=chars.len() - len);
        keywords.push(chars[start..start + len].iter().collect());
    }
    let prefixes: Vec<String> = (0..20)
        .map(|_| names[rng.gen_range(0..names.len())].1[..8].to_string())
        .collect();
    let full: Vec<String> = (0..20)
        .map(|_| names[rng.gen_range(0..names.len())].1[..12].to_string())
        .collect();
    let (y, t) = (yutian.id, tangshan.id);
    let mut out = Vec::new();
    for i in 0..40 {
        let kw = encode(&keywords[i % keywords.len()]);
        let dept = yutian.departments[i % yutian.departments.len()].0;
        let tdept = tangshan.departments[i % tangshan.departments.len()].0;
        let month = format!("2026-{:02}", 1 + i % 11);
        let api = "/api/v1/public/results?year=2026";
        out.extend([
            ("plain year", api.to_string()),
            ("unit (玉田)", format!("{api}&unit={y}")),
            ("unit (唐山市)", format!("{api}&unit={t}")),
            ("name keyword", format!("{api}&q={kw}")),
            ("name keyword + unit", format!("{api}&unit={y}&q={kw}")),
            ("USCC prefix 8", format!("{api}&q={}", prefixes[i % 20])),
            ("USCC prefix 12", format!("{api}&q={}", full[i % 20])),
            (
                "not passed + month",
                format!("{api}&outcome=not_passed&month={month}"),
            ),
            (
                "unit + department",
                format!("{api}&unit={y}&department={dept}"),
            ),
            (
                "unit + department (唐山)",
                format!("{api}&unit={t}&department={tdept}"),
            ),
            ("unit page 5", format!("{api}&unit={y}&page=5")),
            ("page 50", format!("{api}&page=50")),
            ("HTML plain", "/public/results?year=2026".to_string()),
            (
                "HTML unit + keyword",
                format!("/public/results?year=2026&unit={y}&q={kw}"),
            ),
        ]);
    }
    Ok(out)
}

struct Download {
    rows: u64,
    bytes: u64,
    secs: f64,
    baseline_kib: u64,
    peak_kib: u64,
    samples: usize,
}

async fn download(http: &reqwest::Client, url: &str, json: bool) -> Result<Download> {
    // Settle, then a baseline over a few samples.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let baseline_kib = rss_kib();
    let sampler = Sampler::start();
    let started = Instant::now();
    let mut resp = http.get(url).send().await?.error_for_status()?;
    let (mut bytes, mut lines, mut crlf, mut last_cr) = (0u64, 0u64, 0u64, false);
    while let Some(chunk) = resp.chunk().await? {
        bytes += chunk.len() as u64;
        for &b in chunk.iter() {
            if b == b'\n' {
                lines += 1;
                if last_cr {
                    crlf += 1;
                }
            }
            last_cr = b == b'\r';
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let samples = sampler.finish();
    // CSV: one CRLF line per row and the header. JSON: one line per record
    // and the closing `]`.
    let rows = if json {
        lines.saturating_sub(1)
    } else {
        crlf.saturating_sub(1)
    };
    Ok(Download {
        rows,
        bytes,
        secs,
        baseline_kib,
        peak_kib: samples.iter().copied().max().unwrap_or(0),
        samples: samples.len(),
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let mut argv = std::env::args().skip(1);
    let backend = argv.next().unwrap_or_else(|| "sqlite".into());
    let n: usize = argv
        .next()
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(200_000);
    let n_enterprises = env_or("YICI_BENCH_ENTERPRISES", 200_000usize);
    let n_searches = env_or("YICI_BENCH_SEARCHES", 560usize);

    let (db, place, keep) = open(&backend).await?;
    yici_store::migrate::run(&db).await?;
    let now = SystemClock.now();
    let today = yici_domain::time::business_date(now);
    let have = db
        .clone()
        .scalar_i64("SELECT COUNT(*) FROM published_results", vec![])
        .await?;
    if have == 0 {
        let t = Instant::now();
        yici_demo::load(&db, now, "Jcbm@12369").await?;
        yici_demo::load_enterprises(&db, now, n_enterprises).await?;
        println!(
            "demo organisation and {n_enterprises} enterprises: {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let units = load_units(&db).await?;
        let enterprises = load_enterprises(&db).await?;
        let t = Instant::now();
        let planned = plan(n, &units, &enterprises, today)?;
        drop(enterprises);
        let gen = t.elapsed().as_secs_f64();
        let t = Instant::now();
        write(&db, &planned).await?;
        let written = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut conn = db.clone();
        match db {
            Db::Postgres(_) => {
                conn.execute("VACUUM ANALYZE tasks", vec![]).await?;
                conn.execute("VACUUM ANALYZE publications", vec![]).await?;
                conn.execute("VACUUM ANALYZE published_results", vec![])
                    .await?;
            }
            Db::Sqlite(_) => {
                conn.execute("ANALYZE", vec![]).await?;
            }
        }
        println!(
            "{n} results planned in {gen:.1} s, written in {written:.1} s, analysed in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    } else {
        println!("reusing the database: {have} published versions");
    }
    let mut conn = db.clone();
    let versions = conn
        .scalar_i64("SELECT COUNT(*) FROM published_results", vec![])
        .await?;
    let year_rows = conn
        .scalar_i64(
            "SELECT COUNT(*) FROM published_results WHERE valid_to IS NULL AND year = 2026",
            vec![],
        )
        .await?;
    let snapshot_rows = {
        let cutoff = yici_domain::time::start_of(today.succ_opt().context("date")?);
        conn.scalar_i64(
            "SELECT COUNT(*) FROM published_results WHERE year = 2026 AND valid_from < $1
                AND (valid_to IS NULL OR valid_to >= $1)",
            args![cutoff],
        )
        .await?
    };
    println!(
        "{backend}: {versions} published versions, {year_rows} current of 2026 ({snapshot_rows} in today's snapshot)"
    );

    let units = load_units(&db).await?;
    // One client making thousands of searches: measured without the limits.
    let config = WebConfig {
        rate_limits: yici_web::rate_limit::RateLimits {
            anonymous_per_minute: 0,
            search_per_minute: 0,
        },
        ..WebConfig::default()
    };
    let state = AppState::new(db.clone(), Arc::new(SystemClock), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    // The router without `yici_web::serve`'s jobs: the publication job's
    // first pass composes every published record again from the live
    // tables (`job::refresh` with no `since`), and this data set has no
    // results behind its records, so it would write a new version of each
    // while the searches run.
    let app = yici_web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().build()?;

    // Searches, one client, back to back.
    let list = queries(&db, &units).await?;
    // Warm-up: one pass over every kind (connections, caches).
    for (_, path) in list.iter().take(14) {
        http.get(format!("{base}{path}"))
            .send()
            .await?
            .bytes()
            .await?;
    }
    let mut server_ms = Vec::new();
    let mut client_ms = Vec::new();
    let mut by_kind: Vec<(&str, Vec<f64>)> = Vec::new();
    for (kind, path) in list.iter().cycle().take(n_searches) {
        let started = Instant::now();
        let resp = http.get(format!("{base}{path}")).send().await?;
        let status = resp.status();
        let timing = resp
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("app;dur="))
            .and_then(|v| v.parse::<f64>().ok());
        let body = resp.bytes().await?;
        let client = started.elapsed().as_secs_f64() * 1000.0;
        if !status.is_success() {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&body));
        }
        let server = timing.context("Server-Timing header")?;
        server_ms.push(server);
        client_ms.push(client);
        match by_kind.iter_mut().find(|(k, _)| k == kind) {
            Some((_, v)) => v.push(server),
            None => by_kind.push((kind, vec![server])),
        }
    }
    println!("\nsearch, 1 client, {} requests:", server_ms.len());
    println!("{}", summary("all, at the server", &mut server_ms));
    println!("{}", summary("all, at the client", &mut client_ms));
    for (kind, v) in &mut by_kind {
        println!("  {}", summary(kind, v));
    }

    // Open data: the province's year, streamed.
    println!("\nopen data of 2026, whole province:");
    for (label, path, json) in [
        (
            "results.csv?year=2026",
            "/public/data/results.csv?year=2026".to_string(),
            false,
        ),
        (
            "results.json?year=2026",
            "/public/data/results.json?year=2026".to_string(),
            true,
        ),
        (
            "snapshot <today>.csv?year=2026",
            format!("/public/data/results/{today}.csv?year=2026"),
            false,
        ),
    ] {
        let d = download(&http, &format!("{base}{path}"), json).await?;
        println!(
            "  {label:<32} {} rows, {:.1} MB in {:.2} s: {:.0} rows/s, {:.1} MB/s; RSS baseline {:.1} MB, peak {:.1} MB ({} samples)",
            d.rows,
            d.bytes as f64 / 1e6,
            d.secs,
            d.rows as f64 / d.secs,
            d.bytes as f64 / 1e6 / d.secs,
            d.baseline_kib as f64 / 1024.0,
            d.peak_kib as f64 / 1024.0,
            d.samples
        );
    }
    println!("RSS at the end: {:.1} MB", rss_kib() as f64 / 1024.0);

    server.abort();
    db.close().await;
    if keep {
        match &place {
            Place::Sqlite(p) => println!("kept: {p}"),
            Place::Postgres { schema, .. } => println!("kept: schema {schema}"),
        }
    } else {
        remove(place).await;
    }
    Ok(())
}
