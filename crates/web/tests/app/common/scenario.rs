//! The steps many tests begin with, written once: tokens for any account,
//! a directed extraction, the scheduled visit of 大气股 (with 水股 joining
//! and 土壤股 declining when a test needs them), its check-in, and the
//! configurations of the tests that store evidence or drive their own SMS
//! worker.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use chrono::Duration;
use serde_json::{json, Value};
use yici_domain::time::Clock;
use yici_store::Exec;
use yici_web::sms_worker::SmsSettings;
use yici_web::WebConfig;

use super::{TestApp, ENTERPRISE_PASSWORD, NEW_PASSWORD, YUTIAN};

/// A bearer token for a login, whether or not it has changed its initial
/// password (a fresh account changes it first).
pub async fn bearer(app: &TestApp, login: &str) -> String {
    if app.must_change_password(login).await {
        return app.token(login).await;
    }
    let (s, b) = app.api_login(login, NEW_PASSWORD).await;
    assert_eq!(s, 200, "login {login}: {b}");
    b["token"].as_str().unwrap().to_string()
}

/// A bearer token of a department's secretary account (文秘账号).
pub async fn secretary_token(app: &TestApp, unit_short: &str, department: &str) -> String {
    let d = app.department(unit_short, department).await;
    bearer(app, &app.secretary(d).await).await
}

/// A directed extraction of one enterprise (`source`: routine, complaint, …):
/// the status and the answer.
pub async fn extraction(app: &TestApp, token: &str, source: &str, enterprise: i64) -> (u16, Value) {
    app.send(
        "POST",
        token,
        "/api/v1/tasks/directed",
        json!({"source": source, "enterprise_ids": [enterprise]}),
    )
    .await
}

/// A directed extraction that must succeed: the new task.
pub async fn extract(app: &TestApp, token: &str, source: &str, enterprise: i64) -> Value {
    let (s, b) = extraction(app, token, source, enterprise).await;
    assert_eq!(s, 201, "{b}");
    b[0].clone()
}

/// The `id` of an answer.
pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// The latest sign-up code queued for `mobile`, read from the SMS body as
/// the development outbox keeps it (SEC-5).
pub async fn sign_up_code_sent_to(app: &TestApp, mobile: &str) -> Option<String> {
    let body: Option<String> = app
        .db
        .clone()
        .fetch_optional(
            "SELECT body FROM sms_outbox WHERE template = 'sign_up_code' AND mobile = $1
              ORDER BY id DESC LIMIT 1",
            yici_store::args![mobile],
        )
        .await
        .unwrap()
        .map(|r| r.get("body").unwrap());
    body.map(|b| {
        let at = b.find("验证码").expect("a code in the SMS") + "验证码".len();
        b[at..].chars().take(6).collect()
    })
}

/// The registry's contact mobile of an enterprise.
pub async fn contact_phone(app: &TestApp, enterprise: i64) -> String {
    app.db
        .clone()
        .fetch_one(
            "SELECT contact_phone FROM enterprises WHERE id = $1",
            yici_store::args![enterprise],
        )
        .await
        .unwrap()
        .get("contact_phone")
        .unwrap()
}

/// An enterprise opens its account through the API the only way an
/// anonymous caller can (SEC-5): a code to the registry's contact mobile,
/// read from the outbox, then the code and a password. Returns its USCC.
pub async fn sign_up_by_code(app: &TestApp, enterprise: i64) -> String {
    let (uscc, name) = app.uscc_and_name(enterprise).await;
    let r = app
        .http
        .post(app.url("/api/v1/enterprise/sign-up/code"))
        .json(&json!({"uscc": uscc, "enterprise_name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202, "{}", r.text().await.unwrap());
    let mobile = contact_phone(app, enterprise).await;
    let code = sign_up_code_sent_to(app, &mobile)
        .await
        .expect("a code sent to the registry's mobile");
    let r = app
        .http
        .post(app.url("/api/v1/enterprise/sign-up"))
        .json(&json!({"uscc": uscc, "code": code, "password": ENTERPRISE_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    uscc
}

/// Signs an enterprise up (by code) and returns its bearer token.
pub async fn enterprise_token(app: &TestApp, id: i64) -> String {
    let uscc = sign_up_by_code(app, id).await;
    let (s, b) = app.api_login(&uscc, ENTERPRISE_PASSWORD).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["must_change_password"], json!(false));
    b["token"].as_str().unwrap().to_string()
}

/// The visit starts: the day after the settings, 09:30 Shanghai, checked in
/// by 跳过扫码 (what the check-in endpoints write, set directly so that a
/// test stands alone). Sessions idle out meanwhile: log in again after it.
pub async fn check_in(app: &TestApp, task: i64) {
    app.clock.advance(Duration::days(1) + Duration::minutes(30));
    app.db
        .clone()
        .execute(
            "UPDATE tasks SET checked_in_at = $1, check_in_method = 'skipped',
                    check_in_skip_reason = '企业无智能手机', status = 'in_progress'
              WHERE id = $2",
            yici_store::args![app.clock.now(), task],
        )
        .await
        .unwrap();
}

/// A visit as [`visit`] builds it.
pub struct Visit {
    pub task: i64,
    /// Yutian's first normal enterprise (40 demo enterprises are loaded).
    pub enterprise: i64,
    /// Department ids of 大气股 and 水股.
    pub air: i64,
    pub water: i64,
    /// The 大气股 secretary's bearer token: it extracted and set the task.
    pub secretary: String,
    /// 大气股's officers in id order, (person id, mobile); the first is its head.
    pub air_officers: Vec<(i64, String)>,
    /// The two of them on the task.
    pub inspectors: Vec<(i64, String)>,
    /// 水股's inspector, when 水股 joined.
    pub water_inspector: Option<(i64, String)>,
}

/// What [`visit`] is to build; `.await` builds it.
pub struct VisitPlan<'a> {
    app: &'a TestApp,
    inspectors: [usize; 2],
    water_joins_with: Option<usize>,
    soil_declines: bool,
}

/// A directed 日常检查 of Yutian's 大气股 on the county's first normal
/// enterprise, set for tomorrow with its first two officers, not yet checked
/// in. `visit(&app).await`, or with the options of [`VisitPlan`].
pub fn visit(app: &TestApp) -> VisitPlan<'_> {
    VisitPlan {
        app,
        inspectors: [0, 1],
        water_joins_with: None,
        soil_declines: false,
    }
}

impl<'a> VisitPlan<'a> {
    /// Other officers of 大气股 on the task (indexes of its officers).
    pub fn inspectors(mut self, first: usize, second: usize) -> Self {
        self.inspectors = [first, second];
        self
    }

    /// 水股 joins with its officer of this index.
    pub fn joined_by_water(mut self, officer: usize) -> Self {
        self.water_joins_with = Some(officer);
        self
    }

    /// 土壤股 declines to take part.
    pub fn declined_by_soil(mut self) -> Self {
        self.soil_declines = true;
        self
    }

    async fn build(self) -> Visit {
        let app = self.app;
        let enterprise = app.first_enterprise().await;
        let secretary = secretary_token(app, YUTIAN, "大气股").await;
        let task = id(&extract(app, &secretary, "routine", enterprise).await);
        let air_officers = app.officers(YUTIAN, "大气股").await;
        let inspectors: Vec<(i64, String)> = self
            .inspectors
            .iter()
            .map(|&i| air_officers[i].clone())
            .collect();
        let (s, b) = app
            .send(
                "PUT",
                &secretary,
                &format!("/api/v1/tasks/{task}/settings"),
                json!({"planned_on": app.tomorrow(), "inspector_ids": [inspectors[0].0, inspectors[1].0]}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        let mut water_inspector = None;
        if let Some(i) = self.water_joins_with {
            let officer = app.officers(YUTIAN, "水股").await[i].clone();
            participate(
                app,
                "水股",
                task,
                json!({"join": true, "inspector_ids": [officer.0]}),
            )
            .await;
            water_inspector = Some(officer);
        }
        if self.soil_declines {
            participate(app, "土壤股", task, json!({"join": false})).await;
        }
        Visit {
            task,
            enterprise,
            air: app.department(YUTIAN, "大气股").await,
            water: app.department(YUTIAN, "水股").await,
            secretary,
            air_officers,
            inspectors,
            water_inspector,
        }
    }
}

impl<'a> IntoFuture for VisitPlan<'a> {
    type Output = Visit;
    type IntoFuture = Pin<Box<dyn Future<Output = Visit> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.build())
    }
}

/// A Yutian department's secretary answers a task's invitation.
async fn participate(app: &TestApp, department: &str, task: i64, answer: Value) {
    let token = secretary_token(app, YUTIAN, department).await;
    let (s, b) = app
        .send(
            "POST",
            &token,
            &format!("/api/v1/tasks/{task}/participation"),
            answer,
        )
        .await;
    assert_eq!(s, 200, "{department}: {b}");
}

/// Where the tests' evidence folders are, one per test below it.
pub fn evidence_root() -> std::path::PathBuf {
    std::env::temp_dir().join("yici-evidence-tests")
}

/// The default configuration with an evidence folder of the test's own.
pub fn with_evidence_folder() -> WebConfig {
    let tag: u64 = rand::random();
    WebConfig {
        evidence_dir: evidence_root().join(format!("{tag:016x}")),
        ..WebConfig::default()
    }
}

/// The default configuration without the SMS worker: the tests drive their own.
pub fn without_sms_worker() -> WebConfig {
    WebConfig {
        sms: SmsSettings {
            run_worker: false,
            ..SmsSettings::default()
        },
        ..WebConfig::default()
    }
}
