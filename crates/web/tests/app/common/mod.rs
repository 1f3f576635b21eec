//! Black-box test harness: a fresh database per test (SQLite always,
//! PostgreSQL when `YICI_TEST_DATABASE_URL` is set), the demo organisation,
//! the app on port 0 with a hand-driven clock.

pub mod browser;
mod results_flow;
mod scenario;

pub use results_flow::*;
pub use scenario::*;

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use rand::Rng;
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use yici_domain::time::{Clock, ManualClock};
use yici_store::{Db, Exec};
use yici_web::{AppState, WebConfig};

pub const INITIAL: &str = "Jcbm@12369";
pub const NEW_PASSWORD: &str = "Yutian@2025a";

/// What the tests' enterprise accounts sign up with.
pub const ENTERPRISE_PASSWORD: &str = "Qiye@2025x";

/// The demo's county branch, where most scenarios take place.
pub const YUTIAN: &str = "玉田县分局";

/// A 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The heavy tests (hundreds of concurrent requests, two or three pools
/// each) run one at a time, so that they do not exhaust PostgreSQL's
/// connections together: they share this process with every other test.
pub static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per database from an `async fn name(app: TestApp)`.
/// Without `YICI_TEST_DATABASE_URL` the PostgreSQL variant is ignored
/// (`cfg(yici_postgres)` comes from `build.rs`), so the run counts it as
/// skipped; `.ci/run` always sets it (and fails when PostgreSQL is unreachable).
///
/// `both_databases!(config = EXPR; a, b)` starts the app with that
/// `WebConfig` instead of the default (e.g. without the SMS worker).
macro_rules! both_databases {
    (config = $config:expr; $($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::run($crate::common::Backend::Sqlite, $config, super::$name).await;
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
                    $crate::common::run($crate::common::Backend::Postgres, $config, super::$name).await;
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        both_databases!(config = ::yici_web::WebConfig::default(); $($name),*);
    };
}

/// One test on a fresh app: its database is removed when the test passes.
pub async fn run<F, T>(backend: Backend, config: WebConfig, test: F)
where
    F: FnOnce(TestApp) -> T,
    T: std::future::Future<Output = ()>,
{
    let app = TestApp::spawn_with(backend, config).await;
    let cleanup = app.cleanup();
    test(app).await;
    cleanup.run().await;
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
    /// The evidence folder of this server's configuration.
    pub evidence_dir: std::path::PathBuf,
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
    /// A fresh app whose first server runs with `config`.
    pub async fn spawn_with(backend: Backend, config: WebConfig) -> TestApp {
        let (db, cleanup) = fresh_database(backend).await;
        yici_store::migrate::run(&db).await.expect("migrations");
        let clock = Arc::new(ManualClock::new(start_time()));
        yici_demo::load(&db, clock.now(), INITIAL)
            .await
            .expect("demo data");
        let evidence_dir = config.evidence_dir.clone();
        let base = serve(db.clone(), clock.clone(), config).await;
        TestApp {
            base,
            db,
            clock,
            backend,
            evidence_dir,
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
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
        let evidence_dir = config.evidence_dir.clone();
        let base = serve(db.clone(), self.clock.clone(), config).await;
        TestApp {
            base,
            db,
            clock: self.clock.clone(),
            backend: self.backend,
            evidence_dir,
            http: self.http.clone(),
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

    /// Officers of a department (enabled, with certificate) in id order, as
    /// (person id, mobile = login): the first is its head (承办机构负责人).
    pub async fn officers(&self, unit_short: &str, name: &str) -> Vec<(i64, String)> {
        let d = self.department(unit_short, name).await;
        self.db
            .clone()
            .fetch_all(
                "SELECT id, mobile FROM people WHERE department_id = $1 AND is_officer
                    AND status = 'enabled' ORDER BY id",
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

    /// Loads `n` generated demo enterprises (the same ones every time).
    pub async fn load_enterprises(&self, n: usize) {
        yici_demo::load_enterprises(&self.db, self.clock.now(), n)
            .await
            .unwrap();
    }

    /// Loads 40 demo enterprises; the first normal one of Yutian.
    pub async fn first_enterprise(&self) -> i64 {
        self.load_enterprises(40).await;
        self.count(
            "SELECT MIN(id) FROM enterprises WHERE region_code = '130229' AND status = 'normal'",
        )
        .await
    }

    /// Loads `n` demo enterprises; Yutian's normal ones off the positive
    /// list (any department may extract them), in id order.
    pub async fn yutian_enterprises(&self, n: usize) -> Vec<i64> {
        self.load_enterprises(n).await;
        self.db
            .clone()
            .fetch_all(
                "SELECT id FROM enterprises WHERE region_code = '130229' AND status = 'normal'
                    AND NOT positive_list ORDER BY id",
                vec![],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64>("id").unwrap())
            .collect()
    }

    /// An enterprise's USCC and name.
    pub async fn uscc_and_name(&self, id: i64) -> (String, String) {
        let r = self
            .db
            .clone()
            .fetch_one(
                "SELECT uscc, name FROM enterprises WHERE id = $1",
                yici_store::args![id],
            )
            .await
            .unwrap();
        (r.get("uscc").unwrap(), r.get("name").unwrap())
    }

    /// The business date (Shanghai) of the test clock.
    pub fn today(&self) -> NaiveDate {
        yici_domain::time::business_date(self.clock.now())
    }

    pub fn tomorrow(&self) -> NaiveDate {
        self.today() + chrono::Duration::days(1)
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

    /// Whether an account still has its initial password (to be changed first).
    pub async fn must_change_password(&self, login: &str) -> bool {
        self.db
            .clone()
            .fetch_one(
                "SELECT must_change_password FROM accounts WHERE login = $1",
                yici_store::args![login],
            )
            .await
            .unwrap()
            .get::<bool>("must_change_password")
            .unwrap()
    }

    /// The HTML of a page as `client` (a logged-in page user) gets it.
    pub async fn html(&self, client: &reqwest::Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A page client past the forced password change, with its CSRF token.
    pub async fn web_user(&self, login: &str) -> (reqwest::Client, String) {
        let fresh = self.must_change_password(login).await;
        let password = if fresh { INITIAL } else { NEW_PASSWORD };
        let client = self.web_login(login, password).await;
        let page = self.html(&client, "/password").await;
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

/// The page a job's redirect lands on, once the job has ended (the page
/// shows progress until then, and fetches itself).
pub async fn settled(
    client: &reqwest::Client,
    response: reqwest::Response,
) -> (u16, String, String) {
    let mut url = response.url().clone();
    let mut status = response.status().as_u16();
    let mut html = response.text().await.unwrap();
    for _ in 0..600 {
        if !html.contains("data-refresh-while") {
            return (status, url.path().to_string(), html);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let r = client.get(url.clone()).send().await.unwrap();
        url = r.url().clone();
        status = r.status().as_u16();
        html = r.text().await.unwrap();
    }
    panic!("the job's page still shows it running: {html}");
}

/// The element of a page with this `id`, from its start tag to its end tag
/// (elements of the same name inside it are skipped over).
pub fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no element #{id} in:\n{html}"));
    let start = html[..at].rfind('<').unwrap();
    let name: String = html[start + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let mut depth = 0;
    let mut i = start;
    loop {
        let next_open = html[i + 1..].find(&open).map(|j| i + 1 + j);
        let next_close = html[i + 1..]
            .find(&close)
            .map(|j| i + 1 + j)
            .unwrap_or_else(|| panic!("#{id} is not closed"));
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o;
            }
            _ if depth == 0 => return &html[start..next_close + close.len()],
            _ => {
                depth -= 1;
                i = next_close;
            }
        }
    }
}

/// The `_csrf` value of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..start + 64].to_string()
}

/// A new database, and what to remove afterwards (file, or URL and schema).
async fn fresh_database(backend: Backend) -> (Db, (String, Option<String>)) {
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
            let db = Db::connect(&format!("sqlite:{path}"))
                .await
                .expect("sqlite");
            (db, (path, None))
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
            (db, (url, Some(schema)))
        }
    }
}
