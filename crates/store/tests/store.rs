//! Store-level invariants on both databases, below HTTP: the cap ledger
//! refuses at the cap and never passes it under concurrent takers
//! (`draw::ledger::take`); document numbers are 1…N without a gap however
//! many allocate at once, on one pool or two (`documents::numbering::allocate`);
//! the registry's WHERE clause (`registry::search::build`) selects exactly
//! what a plain filter over every enterprise selects.
//!
//! Each test gets a fresh SQLite file and, when `YICI_TEST_DATABASE_URL` is
//! set, a fresh PostgreSQL schema; without it the PostgreSQL variants are
//! reported as ignored (`cfg(yici_postgres)`, set by `build.rs`).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use rand::Rng;
use yici_store::{Db, Exec};

/// Generates `sqlite` and `postgres` variants of each `async fn name(db: Fresh)`.
macro_rules! both_databases {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::harness::Fresh::new($crate::harness::Backend::Sqlite).await;
                    let cleanup = db.cleanup();
                    super::$name(db).await;
                    cleanup.run().await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(
                    not(yici_postgres),
                    ignore = "YICI_TEST_DATABASE_URL not set: PostgreSQL variant skipped"
                )]
                async fn $name() {
                    let db = $crate::harness::Fresh::new($crate::harness::Backend::Postgres).await;
                    let cleanup = db.cleanup();
                    super::$name(db).await;
                    cleanup.run().await;
                }
            )*
        }
    };
}

mod harness {
    use super::*;

    #[derive(Debug, Clone, Copy)]
    pub enum Backend {
        Sqlite,
        Postgres,
    }

    /// A migrated database holding the demo organisation, and how to reach
    /// it again (a second pool, as a second instance would have).
    pub struct Fresh {
        pub db: Db,
        place: Place,
    }

    /// Where a test's database lives: a file, or a schema of a PostgreSQL database.
    #[derive(Clone)]
    enum Place {
        File(String),
        Schema { url: String, schema: String },
    }

    /// Removes a passed test's database (a failed one keeps it for a look).
    pub struct Cleanup(Place);

    impl Cleanup {
        pub async fn run(self) {
            match self.0 {
                Place::File(path) => {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{path}{suffix}"));
                    }
                }
                Place::Schema { url, schema } => {
                    if let Ok(mut admin) = Db::connect(&url).await {
                        let _ = admin
                            .execute(&format!("DROP SCHEMA {schema} CASCADE"), vec![])
                            .await;
                        admin.close().await;
                    }
                }
            }
        }
    }

    /// 2025-06-02 09:00 in Shanghai, as in the web tests.
    pub fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap()
    }

    impl Fresh {
        pub async fn new(backend: Backend) -> Fresh {
            let tag: String = rand::thread_rng()
                .sample_iter(rand::distributions::Alphanumeric)
                .take(10)
                .map(|c| (c as char).to_ascii_lowercase())
                .collect();
            let place = match backend {
                Backend::Sqlite => {
                    let dir = std::env::temp_dir().join("yici-store-tests");
                    std::fs::create_dir_all(&dir).unwrap();
                    Place::File(format!("{}/s_{tag}.db", dir.display()))
                }
                Backend::Postgres => {
                    let url = std::env::var("YICI_TEST_DATABASE_URL")
                        .expect("YICI_TEST_DATABASE_URL for the PostgreSQL variant");
                    let schema = format!("yici_t_s{tag}");
                    let mut admin = Db::connect(&url).await.expect("PostgreSQL reachable");
                    admin
                        .execute(&format!("CREATE SCHEMA {schema}"), vec![])
                        .await
                        .expect("create schema");
                    admin.close().await;
                    Place::Schema { url, schema }
                }
            };
            let db = Self::open(&place).await;
            yici_store::migrate::run(&db).await.expect("migrations");
            yici_demo::load(&db, now(), "Jcbm@12369")
                .await
                .expect("demo organisation");
            Fresh { db, place }
        }

        async fn open(place: &Place) -> Db {
            match place {
                Place::File(path) => Db::connect(&format!("sqlite:{path}")).await.unwrap(),
                Place::Schema { url, schema } => {
                    Db::connect_postgres_schema(url, schema).await.unwrap()
                }
            }
        }

        /// Another pool on the same database.
        pub async fn second_pool(&self) -> Db {
            Self::open(&self.place).await
        }

        pub fn cleanup(&self) -> Cleanup {
            Cleanup(self.place.clone())
        }

        pub async fn count(&self, sql: &str) -> i64 {
            self.db.clone().scalar_i64(sql, vec![]).await.unwrap()
        }

        /// Loads `n` demo enterprises; their ids.
        pub async fn enterprises(&self, n: usize) -> Vec<i64> {
            yici_demo::load_enterprises(&self.db, now(), n)
                .await
                .unwrap();
            self.db
                .clone()
                .fetch_all("SELECT id FROM enterprises ORDER BY id", vec![])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<i64>("id").unwrap())
                .collect()
        }
    }
}

use harness::Fresh;

/// Starts `n` tasks that wait for each other before they run `work(i)`, and
/// collects their answers in order.
async fn at_once<T, F, Fut>(n: usize, work: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let (barrier, job) = (barrier.clone(), work(i));
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            job.await
        }));
    }
    let mut out = Vec::with_capacity(n);
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

mod ledger {
    use super::*;
    use yici_domain::draw::caps::{Caps, Refusal};
    use yici_store::draw::ledger;

    const YEAR: i64 = 2025;

    both_databases!(
        take_refuses_at_the_narrowest_cap_and_release_gives_back,
        thirty_two_concurrent_takers_never_pass_the_cap,
    );

    /// One take in its own transaction, committed only when nothing was
    /// refused (what the extraction does); the refusals.
    async fn take(
        db: &Db,
        caps: &Caps,
        unit: i64,
        department: i64,
        enterprises: &[i64],
    ) -> Vec<(i64, Refusal)> {
        let mut tx = db.begin().await.unwrap();
        let refused = ledger::take(&mut tx, caps, YEAR, unit, department, enterprises)
            .await
            .unwrap();
        if refused.is_empty() {
            tx.commit().await.unwrap();
        }
        refused
    }

    async fn used(db: &Fresh, scope: &str, enterprise: i64) -> i64 {
        db.count(&format!(
            "SELECT COALESCE(MAX(used), 0) FROM cap_counters
              WHERE scope = '{scope}' AND year = {YEAR} AND enterprise_id = {enterprise}"
        ))
        .await
    }

    async fn take_refuses_at_the_narrowest_cap_and_release_gives_back(db: Fresh) {
        let ids = db.enterprises(10).await;
        let (e, f) = (ids[0], ids[1]);
        let caps = Caps {
            per_department: 1,
            per_unit: 2,
            all_levels: 3,
        };
        // Unit 1: departments 11, 12, 13; unit 2: department 21; unit 3: 31.
        assert_eq!(take(&db.db, &caps, 1, 11, &[e]).await, vec![]);
        assert_eq!(
            take(&db.db, &caps, 1, 11, &[e]).await,
            vec![(e, Refusal::Department)]
        );
        assert_eq!(take(&db.db, &caps, 1, 12, &[e]).await, vec![]);
        assert_eq!(
            take(&db.db, &caps, 1, 13, &[e]).await,
            vec![(e, Refusal::Unit)]
        );
        assert_eq!(take(&db.db, &caps, 2, 21, &[e]).await, vec![]);
        // All levels full: the refusal names it although unit 3 and its
        // department have room; the other enterprise of the same request is
        // not refused (the caller drops the whole transaction).
        assert_eq!(
            take(&db.db, &caps, 3, 31, &[f, e]).await,
            vec![(e, Refusal::AllLevels)]
        );
        assert_eq!(used(&db, "all", e).await, 3);
        assert_eq!(used(&db, "unit:1", e).await, 2);
        assert_eq!(used(&db, "department:11", e).await, 1);
        assert_eq!(
            used(&db, "all", f).await,
            0,
            "the refused request kept nothing"
        );

        // A cancellation gives the slots back, and the next taker gets one.
        let mut tx = db.db.begin().await.unwrap();
        ledger::release(&mut tx, YEAR, 1, 12, e).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(used(&db, "all", e).await, 2);
        assert_eq!(used(&db, "unit:1", e).await, 1);
        assert_eq!(take(&db.db, &caps, 3, 31, &[e]).await, vec![]);
        assert_eq!(used(&db, "all", e).await, 3);
        // Another year has counters of its own.
        let mut tx = db.db.begin().await.unwrap();
        let refused = ledger::take(&mut tx, &caps, YEAR + 1, 1, 11, &[e])
            .await
            .unwrap();
        assert_eq!(refused, vec![]);
    }

    async fn thirty_two_concurrent_takers_never_pass_the_cap(db: Fresh) {
        const TAKERS: usize = 32;
        let ids = db.enterprises(10).await;
        let (e, spare) = (ids[0], ids[1]);
        let caps = Caps {
            per_department: 1,
            per_unit: 2,
            all_levels: 5,
        };
        // 32 departments of 8 units, half on a second pool (a second
        // instance), all taking the same enterprise at once, half of them
        // a second one as well.
        let pools = Arc::new([db.db.clone(), db.second_pool().await]);
        let answers = at_once(TAKERS, |i| {
            let pools = pools.clone();
            async move {
                let unit = (i % 8) as i64 + 1;
                let department = i as i64 + 100;
                let wanted = if i % 2 == 0 { vec![e] } else { vec![e, spare] };
                take(&pools[i % 2], &caps, unit, department, &wanted).await
            }
        })
        .await;
        let granted = answers.iter().filter(|r| r.is_empty()).count();
        assert_eq!(granted, 5, "all levels cap 5 binds first: {answers:?}");
        // Each department asked once: no refusal names its own cap. The
        // spare enterprise is refused only where its unit is full, and then
        // the full one is refused too.
        for refused in answers.iter().filter(|r| !r.is_empty()) {
            assert!(
                refused.iter().all(|(_, why)| *why != Refusal::Department)
                    && refused.iter().any(|(id, _)| *id == e),
                "{refused:?}"
            );
        }
        assert_eq!(used(&db, "all", e).await, 5);
        assert_eq!(
            db.count(&format!(
                "SELECT COUNT(*) FROM cap_counters
                  WHERE enterprise_id = {e} AND used > cap"
            ))
            .await,
            0
        );
        assert!(
            db.count(&format!(
                "SELECT COALESCE(MAX(used), 0) FROM cap_counters
                  WHERE enterprise_id = {e} AND scope LIKE 'unit:%'"
            ))
            .await
                <= 2
        );
        // The ledger's units add up to what all levels counted.
        assert_eq!(
            db.count(&format!(
                "SELECT CAST(SUM(used) AS BIGINT) FROM cap_counters
                  WHERE enterprise_id = {e} AND scope LIKE 'unit:%'"
            ))
            .await,
            5
        );
        // Refused requests kept nothing of the enterprise with room.
        let granted_with_spare = answers
            .iter()
            .enumerate()
            .filter(|(i, r)| i % 2 == 1 && r.is_empty())
            .count() as i64;
        assert_eq!(used(&db, "all", spare).await, granted_with_spare);
        // At the cap a lone taker is refused too.
        assert_eq!(
            take(&db.db, &caps, 99, 999, &[e]).await,
            vec![(e, Refusal::AllLevels)]
        );
    }
}

mod numbering {
    use super::*;
    use yici_domain::documents::DocumentKind;
    use yici_store::documents::numbering;

    both_databases!(
        concurrent_allocations_are_one_to_n_without_a_gap,
        a_rolled_back_allocation_gives_its_number_back,
    );

    async fn yutian(db: &Fresh) -> i64 {
        db.count("SELECT id FROM units WHERE short_name = '玉田县分局'")
            .await
    }

    /// 32 clients on two pools make 96 allocations together — of one or two
    /// numbers, every eleventh rolled back — and the numbers kept are
    /// exactly 1…N, each once, with the counter at N.
    async fn concurrent_allocations_are_one_to_n_without_a_gap(db: Fresh) {
        const CLIENTS: usize = 32;
        const ROUNDS: usize = 3;
        let unit = yutian(&db).await;
        let pools = Arc::new([db.db.clone(), db.second_pool().await]);
        let answers = at_once(CLIENTS, |i| {
            let pools = pools.clone();
            async move {
                let mut kept = Vec::new();
                for round in 0..ROUNDS {
                    let count = if (i + round) % 3 == 0 { 2 } else { 1 };
                    let mut tx = pools[i % 2].begin().await.unwrap();
                    let last = numbering::allocate(
                        &mut tx,
                        unit,
                        DocumentKind::SamplingNotice,
                        2025,
                        count,
                    )
                    .await
                    .unwrap();
                    // Every eleventh allocation is given up.
                    if (i * ROUNDS + round) % 11 == 5 {
                        drop(tx);
                    } else {
                        tx.commit().await.unwrap();
                        kept.extend(last - count + 1..=last);
                    }
                }
                kept
            }
        })
        .await;
        let mut numbers: Vec<i64> = answers.into_iter().flatten().collect();
        numbers.sort_unstable();
        let n = numbers.len() as i64;
        let expected: i64 = (0..CLIENTS)
            .flat_map(|i| (0..ROUNDS).map(move |round| (i, round)))
            .filter(|(i, round)| (i * ROUNDS + round) % 11 != 5)
            .map(|(i, round)| if (i + round) % 3 == 0 { 2 } else { 1 })
            .sum();
        assert_eq!(n, expected, "every committed allocation kept its numbers");
        assert_eq!(numbers, (1..=n).collect::<Vec<_>>());
        assert_eq!(
            db.count(&format!(
                "SELECT last_number FROM document_counters
                  WHERE unit_id = {unit} AND kind = 'sampling_notice' AND year = 2025"
            ))
            .await,
            n
        );
        // Other kinds, years and units count on their own.
        let mut tx = db.db.begin().await.unwrap();
        for (kind, year) in [
            (DocumentKind::ApprovalForm, 2025),
            (DocumentKind::SamplingNotice, 2026),
        ] {
            assert_eq!(
                numbering::allocate(&mut tx, unit, kind, year, 1)
                    .await
                    .unwrap(),
                1
            );
        }
        tx.commit().await.unwrap();
    }

    async fn a_rolled_back_allocation_gives_its_number_back(db: Fresh) {
        let unit = yutian(&db).await;
        let kind = DocumentKind::InspectionNotice;
        let mut tx = db.db.begin().await.unwrap();
        assert_eq!(
            numbering::allocate(&mut tx, unit, kind, 2025, 3)
                .await
                .unwrap(),
            3
        );
        tx.commit().await.unwrap();
        let mut tx = db.db.begin().await.unwrap();
        assert_eq!(
            numbering::allocate(&mut tx, unit, kind, 2025, 1)
                .await
                .unwrap(),
            4
        );
        drop(tx);
        let mut tx = db.db.begin().await.unwrap();
        assert_eq!(
            numbering::allocate(&mut tx, unit, kind, 2025, 1)
                .await
                .unwrap(),
            4,
            "the rolled-back number is taken again"
        );
        tx.commit().await.unwrap();
    }
}

mod search {
    use super::*;
    use yici_store::db::Sql;
    use yici_store::registry::enterprises::Enterprise;
    use yici_store::registry::search::{self, EnterpriseQuery, Scope};

    both_databases!(the_where_clause_selects_what_a_plain_filter_selects);

    /// Every enterprise, read without any filter.
    async fn all(db: &Fresh) -> Vec<Enterprise> {
        let mut out = Vec::new();
        search::for_each_batch(
            &mut db.db.clone(),
            &Scope::All,
            &EnterpriseQuery::default(),
            500,
            |batch| out.extend(batch),
        )
        .await
        .unwrap();
        out
    }

    /// The ids `search::build` selects, in id order.
    async fn selected(db: &Fresh, scope: &Scope, q: &EnterpriseQuery) -> Vec<i64> {
        let filter = search::build(scope, q).unwrap();
        let (text, args) = Sql::new("SELECT id FROM enterprises WHERE ")
            .push_sql(&filter.sql)
            .push(" ORDER BY id")
            .build();
        db.db
            .clone()
            .fetch_all(&text, args)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64>("id").unwrap())
            .collect()
    }

    fn q() -> EnterpriseQuery {
        EnterpriseQuery::default()
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    async fn the_where_clause_selects_what_a_plain_filter_selects(db: Fresh) {
        db.enterprises(400).await;
        // Latin letters in a name, in either case.
        let renamed = db
            .count("SELECT MIN(id) FROM enterprises WHERE region_code = '130229'")
            .await;
        db.db
            .clone()
            .execute(
                "UPDATE enterprises SET name = 'ABB电气（玉田）有限公司' WHERE id = $1",
                yici_store::args![renamed],
            )
            .await
            .unwrap();
        let every = all(&db).await;
        assert_eq!(
            every.len() as i64,
            db.count("SELECT COUNT(*) FROM enterprises").await
        );
        let yutian: Vec<&Enterprise> = every.iter().filter(|e| e.region_code == "130229").collect();
        let name = yutian[3].name.clone();
        let part: String = name.chars().skip(3).take(3).collect();
        let code: String = yutian[5].uscc.chars().take(12).collect();
        let short_code: String = yutian[5].uscc.chars().take(6).collect();

        type Plain = Box<dyn Fn(&Enterprise) -> bool>;
        let (part_, code_, short_) = (part.clone(), code.clone(), short_code.clone());
        let cases: Vec<(&str, Scope, EnterpriseQuery, Plain)> = vec![
            (
                "a county",
                Scope::County("130229".into()),
                q(),
                Box::new(|e| e.region_code == "130229"),
            ),
            (
                "a city's key enterprises",
                Scope::City("130200".into()),
                EnterpriseQuery {
                    category: some("key"),
                    ..q()
                },
                Box::new(|e| e.city_code == "130200" && e.category.as_str() == "key"),
            ),
            (
                "a province's unrated steel makers",
                Scope::Province("130000".into()),
                EnterpriseQuery {
                    industry: some("31"),
                    credit_grade: some("none"),
                    ..q()
                },
                Box::new(|e| {
                    e.province_code == "130000"
                        && e.industry_division == "31"
                        && e.credit_grade.is_none()
                }),
            ),
            (
                "an industry section",
                Scope::All,
                EnterpriseQuery {
                    industry: some("C"),
                    ..q()
                },
                Box::new(|e| e.industry_section == "C"),
            ),
            (
                "an industry group and a grade",
                Scope::All,
                EnterpriseQuery {
                    industry: some("311"),
                    credit_grade: some("b"),
                    ..q()
                },
                Box::new(|e| {
                    e.industry_code.starts_with("311")
                        && e.credit_grade.map(|g| g.as_str()) == Some("B")
                }),
            ),
            (
                "part of a Chinese name in a county",
                Scope::County("130229".into()),
                EnterpriseQuery {
                    keyword: Some(part.clone()),
                    ..q()
                },
                Box::new(move |e| e.region_code == "130229" && e.name.contains(&part_)),
            ),
            (
                "Latin letters in either case",
                Scope::All,
                EnterpriseQuery {
                    keyword: some("abb电"),
                    ..q()
                },
                Box::new(|e| e.name.to_lowercase().contains("abb电")),
            ),
            (
                "the beginning of a USCC, lower case",
                Scope::City("130200".into()),
                EnterpriseQuery {
                    keyword: Some(code.to_lowercase()),
                    ..q()
                },
                Box::new(move |e| e.city_code == "130200" && e.uscc.starts_with(&code_)),
            ),
            (
                "a short code prefix",
                Scope::All,
                EnterpriseQuery {
                    keyword: Some(short_code.clone()),
                    ..q()
                },
                Box::new(move |e| e.uscc.starts_with(&short_)),
            ),
            (
                "a county of the province, normal, off the positive list",
                Scope::Province("130000".into()),
                EnterpriseQuery {
                    region_code: some("130229"),
                    status: some("normal"),
                    positive_list: some("false"),
                    ..q()
                },
                Box::new(|e| {
                    e.region_code == "130229" && e.status.as_str() == "normal" && !e.positive_list
                }),
            ),
            (
                "a city inside the scope",
                Scope::Province("130000".into()),
                EnterpriseQuery {
                    city_code: some("130100"),
                    ..q()
                },
                Box::new(|e| e.city_code == "130100"),
            ),
            (
                "a county outside the scope: nothing",
                Scope::City("130200".into()),
                EnterpriseQuery {
                    region_code: some("130102"),
                    ..q()
                },
                Box::new(|_| false),
            ),
        ];
        for (what, scope, query, plain) in cases {
            let expected: Vec<i64> = every.iter().filter(|e| plain(e)).map(|e| e.id).collect();
            let got = selected(&db, &scope, &query).await;
            assert_eq!(got, expected, "{what}: {scope:?} {query:?}");
            if !what.ends_with("nothing") {
                assert!(!expected.is_empty(), "{what}: the case selects something");
            }
            assert!(
                expected.len() < every.len(),
                "{what}: the case leaves something out"
            );
        }
    }
}

mod statistics_facts {
    //! The dashboard's facts (`statistics::facts`, migration 0030) are kept
    //! by marks and drains; after any history of writes — drained now and
    //! then, by two pools at once — they equal the facts built from nothing.
    use super::*;
    use chrono::Duration;
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    use yici_store::statistics::facts;

    both_databases!(statistics_facts_equal_a_recount);

    /// The kept facts, each table as sorted text rows (tallies summing to
    /// nothing left out): the visits and the tallies first, then those of
    /// migration 0035.
    type Snapshot = Vec<Vec<String>>;

    const KEPT: [(&str, &str); 7] = [
        (
            "statistics_visits",
            "task_id, unit_id, department_id, year, month, enterprise_id, group_size",
        ),
        (
            "statistics_tallies WHERE notices <> 0 OR results <> 0 OR joined <> 0 \
             OR declined <> 0 OR lapsed <> 0 OR results_late <> 0",
            "year, unit_id, department_id, month, notices, joined, declined, lapsed, results, \
             results_late",
        ),
        (
            "statistics_task_caps",
            "task_id, year, enterprise_id, unit_id, department_id, capped",
        ),
        (
            "statistics_cap_counts",
            "year, kind, unit_id, department_id, enterprise_id, tasks",
        ),
        (
            "statistics_node_enterprises",
            "year, fact, kind, unit_id, department_id, month, enterprise_id, n",
        ),
        (
            "statistics_node_counts",
            "year, fact, kind, unit_id, department_id, month, n, group_sum, joint, enterprises",
        ),
        (
            "statistics_rectifications",
            "rectification_id, task_id, year, unit_id, department_id, month, status, deadline",
        ),
    ];

    async fn snapshot(db: &Fresh) -> Snapshot {
        let mut conn = db.db.clone();
        let mut out = Vec::new();
        for (table, columns) in KEPT {
            let cols: Vec<&str> = columns.split(", ").collect();
            let rows = conn
                .fetch_all(
                    &format!("SELECT {columns} FROM {table} ORDER BY {columns}"),
                    vec![],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    cols.iter()
                        .map(|c| match r.get::<i64>(c) {
                            Ok(v) => v.to_string(),
                            Err(_) => match r.get::<String>(c) {
                                Ok(v) => v,
                                Err(_) => r.get::<chrono::NaiveDate>(c).unwrap().to_string(),
                            },
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect();
            out.push(rows);
        }
        out
    }

    async fn statistics_facts_equal_a_recount(db: Fresh) {
        let enterprises = db.enterprises(40).await;
        let mut conn = db.db.clone();
        // Three departments of each unit on two chains province → city →
        // county, so that subtrees nest and differ.
        let departments: Vec<(i64, i64)> = conn
            .fetch_all(
                "SELECT id, unit_id FROM (
                   SELECT d.id, d.unit_id,
                          ROW_NUMBER() OVER (PARTITION BY d.unit_id ORDER BY d.id) AS r
                     FROM departments d JOIN units u ON u.id = d.unit_id
                    WHERE u.short_name IN ('玉田县分局', '藁城区分局')
                       OR u.id IN (SELECT parent_id FROM units
                                    WHERE short_name IN ('玉田县分局', '藁城区分局'))
                       OR u.level = 'province') AS x
                  WHERE r <= 3 ORDER BY id",
                vec![],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("id").unwrap(), r.get("unit_id").unwrap()))
            .collect();
        let person = db.count("SELECT MIN(id) FROM people").await;
        let tangshan = db
            .count("SELECT parent_id FROM units WHERE short_name = '玉田县分局'")
            .await;
        let shijiazhuang = db
            .count("SELECT parent_id FROM units WHERE short_name = '藁城区分局'")
            .await;
        let second = db.second_pool().await;
        let mut rng = StdRng::seed_from_u64(20261207);
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 2, 0, 0).unwrap();
        let mut tasks: Vec<(i64, i64)> = Vec::new(); // (task, initiating department)
        let mut results = 0;
        for step in 0..600 {
            let at = start + Duration::hours(rng.gen_range(0..24 * 700));
            let day = (at + Duration::hours(8)).date_naive();
            match rng.gen_range(0..10) {
                // A task (of 2025 or 2026) by some department.
                0 | 1 => {
                    let (department, unit) = *departments.choose(&mut rng).unwrap();
                    let e = *enterprises.choose(&mut rng).unwrap();
                    let year: i64 = if rng.gen_bool(0.7) { 2025 } else { 2026 };
                    // Capped (日常) mostly; an exempt source (信访) now and then.
                    let capped = rng.gen_bool(0.8);
                    let source = if capped { "routine" } else { "complaint" };
                    let sql =
                        "INSERT INTO tasks (year, enterprise_id, unit_id, department_id, source,
                                 capped, method, status, created_by_name, created_at)
                               VALUES ($1, $2, $3, $4, $5, $6, 'directed', 'scheduled',
                                 'test', $7) RETURNING id";
                    let id: i64 = conn
                        .fetch_one(
                            sql,
                            yici_store::args![year, e, unit, department, source, capped, at],
                        )
                        .await
                        .unwrap()
                        .get("id")
                        .unwrap();
                    conn.execute(
                        "INSERT INTO task_participants (task_id, department_id, kind, notified_at)
                         VALUES ($1, $2, 'initiator', $3)",
                        yici_store::args![id, department, at],
                    )
                    .await
                    .unwrap();
                    tasks.push((id, department));
                }
                // Another department notified (answered or not).
                2 | 3 if !tasks.is_empty() => {
                    let (task, _) = *tasks.choose(&mut rng).unwrap();
                    let (department, _) = *departments.choose(&mut rng).unwrap();
                    let decision = [None, Some("join"), Some("decline"), Some("lapsed")]
                        .choose(&mut rng)
                        .unwrap()
                        .map(str::to_string);
                    let kind = if rng.gen_bool(0.8) {
                        "department"
                    } else {
                        "partner"
                    };
                    // Already a participant: the insert is refused and
                    // nothing is marked.
                    let _ = conn
                        .execute(
                            "INSERT INTO task_participants
                               (task_id, department_id, kind, notified_at, decide_by, decision)
                             VALUES ($1, $2, $3, $4, $5, $6)",
                            yici_store::args![
                                task,
                                department,
                                kind,
                                at,
                                at + Duration::hours(72),
                                decision
                            ],
                        )
                        .await;
                }
                // An answer given or changed.
                4 => {
                    let decision = ["join", "decline", "lapsed"].choose(&mut rng).unwrap();
                    conn.execute(
                        &format!(
                            "UPDATE task_participants SET decision = $1
                              WHERE kind <> 'initiator' AND task_id = (
                                SELECT task_id FROM task_participants WHERE kind <> 'initiator'
                                 ORDER BY task_id LIMIT 1 OFFSET {})",
                            rng.gen_range(0..20)
                        ),
                        yici_store::args![decision.to_string()],
                    )
                    .await
                    .unwrap();
                }
                // A department's original result (late or not).
                5 | 6 if !tasks.is_empty() => {
                    let (task, initiator) = *tasks.choose(&mut rng).unwrap();
                    let department = if rng.gen_bool(0.8) {
                        initiator
                    } else {
                        departments.choose(&mut rng).unwrap().0
                    };
                    results += 1;
                    let _ = conn
                        .execute(
                            "INSERT INTO task_results (task_id, department_id, client_id, body_hash,
                               enterprise_situation, onsite_findings, submitted_by,
                               submitted_by_name, submitted_at, due_on, late)
                             VALUES ($1, $2, $3, 'h', '', '', $4, 'test', $5, $6, $7)",
                            yici_store::args![
                                task,
                                department,
                                format!("c{results}"),
                                person,
                                at,
                                day,
                                rng.gen_bool(0.2)
                            ],
                        )
                        .await;
                }
                // A task completed, reopened or cancelled.
                7 if !tasks.is_empty() => {
                    let (task, _) = *tasks.choose(&mut rng).unwrap();
                    let sql = match rng.gen_range(0..6) {
                        0 => "UPDATE tasks SET status = 'cancelled', cancelled_at = $2 WHERE id = $1",
                        1 => "UPDATE tasks SET status = 'in_progress', cancelled_at = NULL WHERE id = $1 AND $2 IS NOT NULL",
                        // The store never does; a script might.
                        2 => "UPDATE tasks SET capped = NOT capped WHERE id = $1 AND $2 IS NOT NULL",
                        _ => "UPDATE tasks SET status = 'completed', cancelled_at = NULL WHERE id = $1 AND $2 IS NOT NULL",
                    };
                    conn.execute(sql, yici_store::args![task, at])
                        .await
                        .unwrap();
                }
                // A rectification raised from a result, or one's status or
                // deadline changed, or one deleted (a script's doing).
                9 if rng.gen_bool(0.6) => {
                    let written = db.count("SELECT COUNT(*) FROM task_results").await;
                    let found = conn
                        .fetch_optional(
                            &format!(
                                "SELECT r.id, r.task_id, r.department_id, t.unit_id,
                                        t.enterprise_id
                                   FROM task_results r JOIN tasks t ON t.id = r.task_id
                                  ORDER BY r.id LIMIT 1 OFFSET {}",
                                rng.gen_range(0..written.max(1))
                            ),
                            vec![],
                        )
                        .await
                        .unwrap();
                    let status = [
                        "draft",
                        "issued",
                        "reported",
                        "returned",
                        "closed",
                        "withdrawn",
                    ]
                    .choose(&mut rng)
                    .unwrap()
                    .to_string();
                    let deadline = day + Duration::days(rng.gen_range(-30..60));
                    match (rng.gen_range(0..5), found) {
                        (0..=2, Some(r)) => {
                            conn.execute(
                                "INSERT INTO rectifications (task_id, result_id, item_position,
                                   department_id, unit_id, enterprise_id, item_name, problem,
                                   legal_basis, requirement, deadline, status, created_at,
                                   updated_at)
                                 VALUES ($1, $2, 1, $3, $4, $5, '事项', '问题', '依据', '要求',
                                   $6, $7, $8, $8)",
                                yici_store::args![
                                    r.get::<i64>("task_id").unwrap(),
                                    r.get::<i64>("id").unwrap(),
                                    r.get::<i64>("department_id").unwrap(),
                                    r.get::<i64>("unit_id").unwrap(),
                                    r.get::<i64>("enterprise_id").unwrap(),
                                    deadline,
                                    status,
                                    at
                                ],
                            )
                            .await
                            .unwrap();
                        }
                        (3, _) => {
                            conn.execute(
                                "UPDATE rectifications SET status = $1, deadline = $2
                                  WHERE id = (SELECT MIN(id) + $3 FROM rectifications)",
                                yici_store::args![status, deadline, rng.gen_range(0..5i64)],
                            )
                            .await
                            .unwrap();
                        }
                        _ => {
                            conn.execute(
                                "DELETE FROM rectifications
                                  WHERE id = (SELECT MAX(id) FROM rectifications)",
                                vec![],
                            )
                            .await
                            .unwrap();
                        }
                    }
                }
                // Yutian moved to the other city and back (the store
                // never does; a script might): every subtree above changes.
                8 if rng.gen_bool(0.05) => {
                    conn.execute(
                        "UPDATE units SET parent_id = CASE WHEN parent_id = $1 THEN $2 ELSE $1 END
                          WHERE short_name = '玉田县分局'",
                        yici_store::args![tangshan, shijiazhuang],
                    )
                    .await
                    .unwrap();
                }
                // A result withdrawn (the store never does; a script might).
                8 if rng.gen_bool(0.3) => {
                    conn.execute(
                        "DELETE FROM task_results WHERE id = (
                           SELECT MAX(id) FROM task_results r WHERE NOT EXISTS (
                             SELECT 1 FROM rectifications c WHERE c.result_id = r.id))",
                        vec![],
                    )
                    .await
                    .unwrap();
                }
                // Drains: one, or two pools at once.
                _ => {
                    if rng.gen_bool(0.5) {
                        facts::drain(&db.db).await.unwrap();
                    } else {
                        let (a, b) = (db.db.clone(), second.clone());
                        let (x, y) = tokio::join!(facts::drain(&a), facts::drain(&b));
                        x.unwrap();
                        y.unwrap();
                    }
                }
            }
            if step % 100 == 99 {
                facts::drain(&db.db).await.unwrap();
                let kept = snapshot(&db).await;
                facts::rebuild(&db.db).await.unwrap();
                assert_eq!(kept, snapshot(&db).await, "after {} steps", step + 1);
            }
        }
        facts::drain(&db.db).await.unwrap();
        let kept = snapshot(&db).await;
        let (visits, tallies) = (&kept[0], &kept[1]);
        // Plain recounts of two sums, not through the facts' statements.
        assert_eq!(
            visits.len() as i64,
            db.count(
                "SELECT COUNT(*) FROM tasks t WHERE t.status = 'completed' AND EXISTS (
                   SELECT 1 FROM task_results r WHERE r.task_id = t.id
                      AND r.department_id = t.department_id AND r.corrects_id IS NULL)"
            )
            .await
        );
        let notices: i64 = tallies
            .iter()
            .map(|t| t.split(',').nth(4).unwrap().parse::<i64>().unwrap())
            .sum();
        assert_eq!(
            notices,
            db.count("SELECT COUNT(*) FROM task_participants WHERE kind <> 'initiator'")
                .await
        );
        assert!(
            visits.len() >= 10 && tallies.len() >= 10,
            "a history worth checking: {} visits, {} tallies",
            visits.len(),
            tallies.len()
        );
        // The distinct enterprises kept per node, against counts over the
        // tasks of the units found walking down from the node's unit.
        let province = db
            .count("SELECT MIN(id) FROM units WHERE level = 'province'")
            .await;
        let yutian = db
            .count("SELECT id FROM units WHERE short_name = '玉田县分局'")
            .await;
        let mut checked = 0;
        for (kind, unit) in [
            ("subtree", province),
            ("subtree", tangshan),
            ("subtree", shijiazhuang),
            ("unit", yutian),
        ] {
            let under = if kind == "subtree" {
                format!(
                    "WITH RECURSIVE sub (id) AS (SELECT id FROM units WHERE id = {unit}
                       UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
                     SELECT id FROM sub"
                )
            } else {
                unit.to_string()
            };
            for year in [2025, 2026] {
                let kept = |fact: &str| {
                    format!(
                        "SELECT COALESCE(MAX(enterprises), 0) FROM statistics_node_counts
                          WHERE year = {year} AND fact = '{fact}' AND kind = '{kind}'
                            AND unit_id = {unit} AND department_id = 0 AND month = 0"
                    )
                };
                let visited = db
                    .count(&format!(
                        "SELECT COUNT(DISTINCT t.enterprise_id) FROM tasks t
                          WHERE t.year = {year} AND t.unit_id IN ({under})
                            AND t.status = 'completed' AND EXISTS (
                              SELECT 1 FROM task_results r WHERE r.task_id = t.id
                                 AND r.department_id = t.department_id
                                 AND r.corrects_id IS NULL)"
                    ))
                    .await;
                assert_eq!(
                    db.count(&kept("visit")).await,
                    visited,
                    "{kind} {unit} {year}"
                );
                let capped = db
                    .count(&format!(
                        "SELECT COUNT(DISTINCT enterprise_id) FROM tasks
                          WHERE year = {year} AND unit_id IN ({under}) AND capped
                            AND status <> 'cancelled'"
                    ))
                    .await;
                assert_eq!(
                    db.count(&kept("capped")).await,
                    capped,
                    "{kind} {unit} {year}"
                );
                checked += visited.min(capped);
            }
        }
        assert!(checked >= 10, "enterprises worth counting: {checked}");
        // Capped tasks per enterprise and year at all levels.
        let plain: Vec<String> = db
            .db
            .clone()
            .fetch_all(
                "SELECT year, enterprise_id, COUNT(*) AS n FROM tasks
                  WHERE capped AND status <> 'cancelled'
                  GROUP BY year, enterprise_id ORDER BY year, enterprise_id",
                vec![],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| {
                ["year", "enterprise_id", "n"]
                    .map(|c| r.get::<i64>(c).unwrap().to_string())
                    .join(",")
            })
            .collect();
        let all: Vec<String> = kept[3]
            .iter()
            .filter_map(|row| {
                let f: Vec<&str> = row.split(',').collect();
                (f[1] == "all").then(|| format!("{},{},{}", f[0], f[4], f[5]))
            })
            .collect();
        assert_eq!(all, plain);
        let rectifications = kept[6].len() as i64;
        assert_eq!(
            rectifications,
            db.count("SELECT COUNT(*) FROM rectifications WHERE status <> 'withdrawn'")
                .await
        );
        assert!(rectifications >= 5, "rectifications: {rectifications}");
    }
}

mod public_search {
    //! The public search (RES-2) counts up to 1,000 matches and pages them in
    //! one walk of an index: the count, `more`, the pages' order and the
    //! superseded versions left out, with and without a name keyword.
    use super::*;
    use chrono::{Duration, NaiveDate};
    use yici_store::db::{insert_rows, Arg};
    use yici_store::publication::{self, Filter};

    both_databases!(pages_and_counts_come_from_one_walk);

    async fn pages_and_counts_come_from_one_walk(db: Fresh) {
        let enterprise = db.enterprises(1).await[0];
        let (unit, department) = {
            let r = db
                .db
                .clone()
                .fetch_one(
                    "SELECT id, unit_id FROM departments ORDER BY id LIMIT 1",
                    vec![],
                )
                .await
                .unwrap();
            (
                r.get::<i64>("unit_id").unwrap(),
                r.get::<i64>("id").unwrap(),
            )
        };
        let at = harness::now();
        let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let n = 1_005usize;
        let mut tx = db.db.begin().await.unwrap();
        let rows: Vec<Vec<Arg>> = (0..n)
            .map(|_| {
                vec![
                    2025i64.into(),
                    enterprise.into(),
                    unit.into(),
                    department.into(),
                    "routine".to_string().into(),
                    true.into(),
                    "directed".to_string().into(),
                    "completed".to_string().into(),
                    "test".to_string().into(),
                    at.into(),
                ]
            })
            .collect();
        let ids: Vec<i64> = insert_rows(
            &mut tx,
            "tasks",
            &[
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
            ],
            rows,
            "id",
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id").unwrap())
        .collect();
        // Every 40th enterprise name holds 钢铁 (26 of them); two visits a
        // day, so that the order's second key (the task) matters too.
        let record = |i: usize, version: i64, valid_to: Option<chrono::DateTime<Utc>>| {
            let day = first + Duration::days((i / 2) as i64);
            let name = if i.is_multiple_of(40) {
                format!("唐山钢铁第{i}有限公司")
            } else {
                format!("玉田县第{i}化工有限公司")
            };
            vec![
                ids[i].into(),
                version.into(),
                at.into(),
                at.into(),
                valid_to.into(),
                2025i64.into(),
                unit.into(),
                "玉田县分局".to_string().into(),
                "130229".to_string().into(),
                "玉田县".to_string().into(),
                enterprise.into(),
                name.into(),
                format!("91130229MA0{i:07}").into(),
                format!(",{department},").into(),
                "大气股".to_string().into(),
                "".to_string().into(),
                day.into(),
                day.format("%Y-%m").to_string().into(),
                "routine".to_string().into(),
                "passed".to_string().into(),
                0i64.into(),
                "".to_string().into(),
                "not_needed".to_string().into(),
            ]
        };
        let mut rows: Vec<Vec<Arg>> = (0..n).map(|i| record(i, 2, None)).collect();
        // Earlier versions of the first 30: never shown.
        rows.extend((0..30).map(|i| record(i, 1, Some(at))));
        insert_rows(
            &mut tx,
            "published_results",
            &[
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
            ],
            rows,
            "id",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let search = |q: Option<&str>, page: i64| Filter {
            year: Some(2025),
            q: q.map(str::to_string),
            page: Some(page),
            ..Filter::default()
        };
        // Newest first: the last task of the last day leads.
        let expected: Vec<i64> = {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&i| std::cmp::Reverse((i / 2, ids[i])));
            order.iter().map(|&i| ids[i]).collect()
        };
        let p1 = publication::search(&db.db, &search(None, 1), 2025)
            .await
            .unwrap();
        assert_eq!((p1.total, p1.more, p1.rows.len()), (1_000, true, 20));
        let shown = |p: &publication::Page| p.rows.iter().map(|r| r.task_id).collect::<Vec<_>>();
        assert_eq!(shown(&p1), expected[..20]);
        let p2 = publication::search(&db.db, &search(None, 2), 2025)
            .await
            .unwrap();
        assert_eq!(shown(&p2), expected[20..40]);
        let last = publication::search(&db.db, &search(None, 50), 2025)
            .await
            .unwrap();
        assert_eq!(shown(&last), expected[980..1000]);
        assert!(p1.rows.iter().all(|r| r.version == 2));

        let steel: Vec<i64> = expected
            .iter()
            .copied()
            .filter(|id| ids.iter().position(|x| x == id).unwrap().is_multiple_of(40))
            .collect();
        assert_eq!(steel.len(), 26);
        let k1 = publication::search(&db.db, &search(Some("钢铁"), 1), 2025)
            .await
            .unwrap();
        assert_eq!((k1.total, k1.more), (26, false));
        assert_eq!(shown(&k1), steel[..20]);
        let k2 = publication::search(&db.db, &search(Some("钢铁"), 2), 2025)
            .await
            .unwrap();
        assert_eq!(shown(&k2), steel[20..]);
        assert!(k2
            .rows
            .iter()
            .all(|r| r.content.enterprise_name.contains("钢铁")));
        let none = publication::search(&db.db, &search(Some("不存在"), 1), 2025)
            .await
            .unwrap();
        assert_eq!((none.total, none.more, none.rows.len()), (0, false, 0));
        // Past the matches: an empty page, the count kept.
        let k9 = publication::search(&db.db, &search(Some("钢铁"), 9), 2025)
            .await
            .unwrap();
        assert_eq!((k9.total, k9.rows.len()), (26, 0));
    }
}
