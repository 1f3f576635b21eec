//! Black-box test harness: a fresh database per test (SQLite always,
//! PostgreSQL when `YICI_TEST_DATABASE_URL` is set), the demo organisation,
//! the app on port 0 with a hand-driven clock.
#![allow(dead_code)]

pub mod browser;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use rand::Rng;
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use yici_domain::time::{Clock, ManualClock};
use yici_store::{Db, Exec};
use yici_web::{AppState, WebConfig};

pub const INITIAL: &str = "Jcbm@12369";
pub const NEW_PASSWORD: &str = "Yutian@2025a";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per database from an `async fn name(app: TestApp)`.
/// Without `YICI_TEST_DATABASE_URL` the PostgreSQL variant says so and passes;
/// `.ci/run` always sets it (and fails when PostgreSQL is unreachable).
///
/// `both_databases!(config = EXPR; a, b)` starts the app with that
/// `WebConfig` instead of the default (e.g. without the SMS worker).
macro_rules! both_databases {
    (config = $config:expr; $($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::common::TestApp::spawn_with($crate::common::Backend::Sqlite, $config).await;
                    let cleanup = app.cleanup();
                    super::$name(app).await;
                    cleanup.run().await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if std::env::var("YICI_TEST_DATABASE_URL").is_err() {
                        eprintln!("YICI_TEST_DATABASE_URL not set: PostgreSQL variant not run");
                        return;
                    }
                    let app = $crate::common::TestApp::spawn_with($crate::common::Backend::Postgres, $config).await;
                    let cleanup = app.cleanup();
                    super::$name(app).await;
                    cleanup.run().await;
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await;
                    let cleanup = app.cleanup();
                    super::$name(app).await;
                    cleanup.run().await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if std::env::var("YICI_TEST_DATABASE_URL").is_err() {
                        eprintln!("YICI_TEST_DATABASE_URL not set: PostgreSQL variant not run");
                        return;
                    }
                    let app = $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await;
                    let cleanup = app.cleanup();
                    super::$name(app).await;
                    cleanup.run().await;
                }
            )*
        }
    };
}

/// Removes a passed test's database (a failed one keeps it for a look).
pub enum Cleanup {
    File(std::path::PathBuf),
    Schema { url: String, schema: String },
}

impl Cleanup {
    pub async fn run(self) {
        match self {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Schema { url, schema } => {
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

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub clock: Arc<ManualClock>,
    pub backend: Backend,
    /// Client that does not follow redirects and keeps no cookies.
    pub http: reqwest::Client,
    pub database_url: String,
    cleanup: (String, Option<String>),
}

/// Starts the app on a free port; returns its base URL.
async fn serve(db: Db, clock: Arc<ManualClock>, config: WebConfig) -> String {
    let state = AppState::new(db, clock, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(yici_web::serve(listener, state, std::future::pending()));
    base
}

/// 2025-06-02 09:00 in Shanghai: a Monday in the plan's implementation phase.
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, WebConfig::default()).await
    }

    /// A fresh app whose first server runs with `config`.
    pub async fn spawn_with(backend: Backend, config: WebConfig) -> TestApp {
        let (db, database_url, cleanup) = fresh_database(backend).await;
        yici_store::migrate::run(&db).await.expect("migrations");
        let clock = Arc::new(ManualClock::new(start_time()));
        yici_demo::load(&db, clock.now(), INITIAL)
            .await
            .expect("demo data");
        let base = serve(db.clone(), clock.clone(), config).await;
        TestApp {
            base,
            db,
            clock,
            backend,
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            database_url,
            cleanup,
        }
    }

    /// Another server on the same database, with a pool of its own and the
    /// given configuration: a second instance, as in a deployment behind a
    /// load balancer. The returned app shares this one's clock; only the
    /// original removes the database.
    pub async fn instance(&self, config: WebConfig) -> TestApp {
        let db = match self.cleanup.clone() {
            (path, None) => Db::connect(&format!("sqlite:{path}")).await.unwrap(),
            (url, Some(schema)) => Db::connect_postgres_schema(&url, &schema).await.unwrap(),
        };
        let base = serve(db.clone(), self.clock.clone(), config).await;
        TestApp {
            base,
            db,
            clock: self.clock.clone(),
            backend: self.backend,
            http: self.http.clone(),
            database_url: self.database_url.clone(),
            cleanup: self.cleanup.clone(),
        }
    }

    pub fn cleanup(&self) -> Cleanup {
        match &self.cleanup {
            (path, None) => Cleanup::File(path.into()),
            (url, Some(schema)) => Cleanup::Schema {
                url: url.clone(),
                schema: schema.clone(),
            },
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /api/v1/auth/login`; returns the status and body.
    pub async fn api_login(&self, login: &str, password: &str) -> (u16, Value) {
        let r = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"login": login, "password": password}))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// A bearer token for a demo account, past the forced password change.
    pub async fn token(&self, login: &str) -> String {
        let (status, body) = self.api_login(login, INITIAL).await;
        assert_eq!(status, 200, "login {login}: {body}");
        let token = body["token"].as_str().unwrap().to_string();
        if body["must_change_password"] == json!(true) {
            let r = self
                .http
                .post(self.url("/api/v1/auth/password"))
                .bearer_auth(&token)
                .json(&json!({"old_password": INITIAL, "new_password": NEW_PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 204, "{}", r.text().await.unwrap());
        }
        token
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: &str, token: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .request(method.parse().unwrap(), self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.db.clone().scalar_i64(sql, vec![]).await.unwrap()
    }

    /// Runs a statement straight on the database (a test's setup); rows affected.
    pub async fn execute(&self, sql: &str, args: Vec<yici_store::Arg>) -> u64 {
        self.db.clone().execute(sql, args).await.unwrap()
    }

    /// Id of a department by unit short name and department name.
    pub async fn department(&self, unit_short: &str, name: &str) -> i64 {
        self.db
            .clone()
            .scalar_i64(
                "SELECT d.id FROM departments d JOIN units u ON u.id = d.unit_id
                  WHERE u.short_name = $1 AND d.name = $2",
                yici_store::args![unit_short, name],
            )
            .await
            .unwrap_or_else(|e| panic!("department {unit_short}/{name}: {e}"))
    }

    /// Every person of a department as (person id, mobile = login), in the
    /// demo's order: the first heads the department (承办机构负责人); in the
    /// 办公室 the first two are 行政执法主体负责人 and the third the clerk.
    pub async fn people_of(&self, unit_short: &str, name: &str) -> Vec<(i64, String)> {
        let d = self.department(unit_short, name).await;
        self.db
            .clone()
            .fetch_all(
                "SELECT id, mobile FROM people WHERE department_id = $1 AND status = 'enabled' ORDER BY id",
                yici_store::args![d],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("id").unwrap(), r.get("mobile").unwrap()))
            .collect()
    }

    /// Login of a department's secretary account (文秘账号).
    pub async fn secretary(&self, department_id: i64) -> String {
        self.db
            .clone()
            .fetch_one(
                "SELECT login FROM accounts WHERE kind = 'secretary' AND department_id = $1",
                yici_store::args![department_id],
            )
            .await
            .unwrap()
            .get("login")
            .unwrap()
    }

    /// Mobile number (login) of the administrator of a department.
    pub async fn admin_mobile(&self, department_id: i64) -> String {
        self.db
            .clone()
            .fetch_one(
                "SELECT mobile FROM people WHERE department_id = $1 AND is_admin",
                yici_store::args![department_id],
            )
            .await
            .unwrap()
            .get("mobile")
            .unwrap()
    }

    /// A browser-like client (cookies, redirects followed) logged in on the pages.
    pub async fn web_login(&self, login: &str, password: &str) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = client
            .post(self.url("/login"))
            .form(&[("login", login), ("password", password)])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "web login {login}: {}", r.status());
        client
    }
}

impl TestApp {
    /// The first person of a department listed as administrator (or not), as
    /// the API shows them to `token`'s holder.
    pub async fn person_of(&self, token: &str, department_id: i64, admin: bool) -> Value {
        let (status, list) = self
            .get(
                token,
                &format!("/api/v1/departments/{department_id}/people"),
            )
            .await;
        assert_eq!(status, 200, "{list}");
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["is_admin"] == json!(admin))
            .expect("such a person")
            .clone()
    }

    /// A page client past the forced password change, with its CSRF token.
    pub async fn web_user(&self, login: &str) -> (reqwest::Client, String) {
        let fresh = self
            .db
            .clone()
            .fetch_one(
                "SELECT must_change_password FROM accounts WHERE login = $1",
                yici_store::args![login],
            )
            .await
            .unwrap()
            .get::<bool>("must_change_password")
            .unwrap();
        let password = if fresh { INITIAL } else { NEW_PASSWORD };
        let client = self.web_login(login, password).await;
        let page = client
            .get(self.url("/password"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        if !fresh {
            return (client, csrf);
        }
        let r = client
            .post(self.url("/password"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("old_password", INITIAL),
                ("new_password", NEW_PASSWORD),
                ("repeat_password", NEW_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "password change for {login}");
        (client, csrf)
    }
}

/// The `_csrf` value of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..start + 64].to_string()
}

/// A new database, its URL, and what to remove afterwards (file, or URL and schema).
async fn fresh_database(backend: Backend) -> (Db, String, (String, Option<String>)) {
    let tag: String = rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(10)
        .map(|c| (c as char).to_ascii_lowercase())
        .collect();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("yici-tests");
            std::fs::create_dir_all(&dir).unwrap();
            let path = format!("{}/t_{tag}.db", dir.display());
            let url = format!("sqlite:{path}");
            (Db::connect(&url).await.expect("sqlite"), url, (path, None))
        }
        Backend::Postgres => {
            let url = std::env::var("YICI_TEST_DATABASE_URL").unwrap();
            let schema = format!("yici_t_{tag}");
            let mut admin = Db::connect(&url).await.expect("PostgreSQL reachable");
            admin
                .execute(&format!("CREATE SCHEMA {schema}"), vec![])
                .await
                .expect("create schema");
            admin.close().await;
            let db = Db::connect_postgres_schema(&url, &schema)
                .await
                .expect("pg");
            (
                db,
                format!("{url}?options=-c%20search_path%3D{schema}"),
                (url, Some(schema)),
            )
        }
    }
}
