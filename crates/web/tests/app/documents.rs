//! Official documents through the API (DOC-2…DOC-7): the 审批表 filled in
//! from the platform (enterprise, USCC, inspectors with 执法证号, the
//! frequency line), its approval by the department head and then the unit
//! head — never the department head alone, never the same person twice —
//! numbering and stamping by the office after the unit's pattern, notices
//! numbered only after the 审批表 and served before the visit, voiding that
//! keeps the number, the register's proof of no gap, remote inspections and
//! the urgent path with what it still owes; the files (PDF, DOCX, HTML); and
//! 200 concurrent number allocations on one instance and on two.

use std::collections::BTreeSet;
use std::io::Read;
use std::sync::Arc;

use crate::common::{bearer, check_in, extract, id, secretary_token, TestApp, HEAVY, YUTIAN};
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};
use yici_domain::documents::DocumentKind;
use yici_domain::org::Role;
use yici_domain::time::Clock;
use yici_store::Exec;
use yici_web::WebConfig;

/// A person of Yutian: id, login (mobile), name and 执法证号.
#[derive(Debug, Clone)]
struct Person {
    id: i64,
    login: String,
    name: String,
    certificate_no: Option<String>,
}

/// The people of a Yutian department in id order: the demo makes the first
/// of each 股室 its head (承办机构负责人); in the 办公室 the first two are
/// the branch head and deputy (行政执法主体负责人), the third the clerk who
/// numbers documents.
async fn people(app: &TestApp, dept: &str) -> Vec<Person> {
    let d = app.department(YUTIAN, dept).await;
    app.db
        .clone()
        .fetch_all(
            "SELECT id, mobile, name, certificate_no FROM people WHERE department_id = $1 ORDER BY id",
            yici_store::args![d],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| Person {
            id: r.get("id").unwrap(),
            login: r.get("mobile").unwrap(),
            name: r.get("name").unwrap(),
            certificate_no: r.get("certificate_no").unwrap(),
        })
        .collect()
}

async fn grant(app: &TestApp, person: i64, role: Role) {
    let mut tx = app.db.begin().await.unwrap();
    let account = tx
        .scalar_i64(
            "SELECT id FROM accounts WHERE person_id = $1",
            yici_store::args![person],
        )
        .await
        .unwrap();
    yici_store::auth::grant_role(
        &mut tx,
        app.clock.now(),
        &yici_store::Actor::system(),
        account,
        role,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Who takes part, with their tokens (renewed after the clock moves on).
struct Cast {
    unit: i64,
    air_secretary: String,
    water_secretary: String,
    /// 大气股's head (承办机构负责人).
    head: Person,
    /// The branch head (行政执法主体负责人).
    boss: Person,
    /// The office's clerk (办公室).
    clerk: Person,
    /// Two officers of 大气股 (not its head), put on the tasks.
    officers: Vec<Person>,
    air: String,
    water: String,
    head_token: String,
    boss_token: String,
    clerk_token: String,
    inspector: String,
}

impl Cast {
    async fn new(app: &TestApp) -> Cast {
        let air_dept = app.department(YUTIAN, "大气股").await;
        let water_dept = app.department(YUTIAN, "水股").await;
        let air = people(app, "大气股").await;
        let office = people(app, "办公室").await;
        let unit = app
            .count(&format!(
                "SELECT unit_id FROM departments WHERE id = {air_dept}"
            ))
            .await;
        let mut cast = Cast {
            unit,
            air_secretary: app.secretary(air_dept).await,
            water_secretary: app.secretary(water_dept).await,
            head: air[0].clone(),
            boss: office[0].clone(),
            clerk: office[2].clone(),
            officers: vec![air[1].clone(), air[2].clone()],
            air: String::new(),
            water: String::new(),
            head_token: String::new(),
            boss_token: String::new(),
            clerk_token: String::new(),
            inspector: String::new(),
        };
        cast.login(app).await;
        // The demo's grants are what this test relies on.
        for (token, role) in [
            (&cast.head_token, "department_head"),
            (&cast.boss_token, "unit_head"),
            (&cast.clerk_token, "office_clerk"),
        ] {
            let (s, me) = app.get(token, "/api/v1/me").await;
            assert_eq!(s, 200, "{me}");
            assert!(
                me["principal"]["roles"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(role)),
                "{role}: {me}"
            );
        }
        cast
    }

    /// Fresh tokens (sessions idle out after 30 minutes of the test clock).
    async fn login(&mut self, app: &TestApp) {
        self.air = bearer(app, &self.air_secretary).await;
        self.water = bearer(app, &self.water_secretary).await;
        self.head_token = bearer(app, &self.head.login).await;
        self.boss_token = bearer(app, &self.boss.login).await;
        self.clerk_token = bearer(app, &self.clerk.login).await;
        self.inspector = bearer(app, &self.officers[0].login).await;
    }
}

/// The business year of the test clock (2025).
fn year(app: &TestApp) -> i32 {
    app.today().year()
}

/// 大气股 sets the task: tomorrow, with its two officers.
async fn set_task(app: &TestApp, cast: &Cast, task: i64) -> Value {
    let (s, b) = app
        .send(
            "PUT",
            &cast.air,
            &format!("/api/v1/tasks/{task}/settings"),
            json!({
                "planned_on": app.tomorrow(),
                "inspector_ids": [cast.officers[0].id, cast.officers[1].id],
            }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

async fn draft(app: &TestApp, token: &str, task: i64, kind: &str) -> (u16, Value) {
    app.send(
        "POST",
        token,
        &format!("/api/v1/tasks/{task}/documents"),
        json!({ "kind": kind }),
    )
    .await
}

async fn drafted(app: &TestApp, token: &str, task: i64, kind: &str) -> Value {
    let (s, b) = draft(app, token, task, kind).await;
    assert_eq!(s, 201, "{kind}: {b}");
    assert_eq!(b["status"], "draft");
    b
}

/// A draft handed to the office by its department (提交): the office numbers
/// only what was submitted.
async fn submitted(app: &TestApp, token: &str, task: i64, kind: &str) -> Value {
    let d = drafted(app, token, task, kind).await;
    step(app, token, id(&d), "submit", "submitted").await
}

async fn act(app: &TestApp, token: &str, doc: i64, step: Value) -> (u16, Value) {
    app.send(
        "POST",
        token,
        &format!("/api/v1/documents/{doc}/actions"),
        step,
    )
    .await
}

/// A step that must succeed; returns the document after it.
async fn step(app: &TestApp, token: &str, doc: i64, action: &str, status: &str) -> Value {
    let (s, b) = act(app, token, doc, json!({ "action": action })).await;
    assert_eq!(s, 200, "{action}: {b}");
    assert_eq!(b["status"], status, "{action}: {b}");
    b
}

/// The refusal's status and code.
fn refused(r: &(u16, Value)) -> (u16, &str) {
    (r.0, r.1["code"].as_str().unwrap_or(""))
}

async fn register(app: &TestApp, cast: &Cast, kind: &str) -> Value {
    let (s, b) = app
        .get(
            &cast.clerk_token,
            &format!(
                "/api/v1/units/{}/document-register?kind={kind}&year={}",
                cast.unit,
                year(app)
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

/// A task of 大气股 on `enterprise` with an approved, numbered 审批表 and a
/// numbered 通知书: (task, approval form, notice).
async fn issued(app: &TestApp, cast: &Cast, enterprise: i64) -> (Value, Value, Value) {
    let task = extract(app, &cast.air, "routine", enterprise).await;
    let t = id(&task);
    set_task(app, cast, t).await;
    let approval = id(&drafted(app, &cast.air, t, "approval_form").await);
    step(
        app,
        &cast.air,
        approval,
        "submit",
        "pending_department_head",
    )
    .await;
    step(
        app,
        &cast.head_token,
        approval,
        "sign_department_head",
        "pending_unit_head",
    )
    .await;
    step(
        app,
        &cast.boss_token,
        approval,
        "approve_unit_head",
        "approved",
    )
    .await;
    let approval = step(app, &cast.clerk_token, approval, "number", "issued").await;
    let notice = id(&submitted(app, &cast.air, t, "inspection_notice").await);
    let notice = step(app, &cast.clerk_token, notice, "number", "issued").await;
    (task, approval, notice)
}

// ---------------------------------------------------------------------------
// 1. The workflow.
// ---------------------------------------------------------------------------

async fn the_approval_form_is_signed_approved_numbered_and_the_notice_served(app: TestApp) {
    let ids = app.yutian_enterprises(40).await;
    let e = ids[0];
    let mut cast = Cast::new(&app).await;
    let y = year(&app);
    let patterns = format!("/api/v1/units/{}/document-patterns", cast.unit);

    // The office sets the unit's pattern (Yutian's: 唐环行检批〔2025〕11-1号).
    let (s, b) = app
        .send(
            "PUT",
            &cast.clerk_token,
            &patterns,
            json!({"kind": "approval_form", "pattern": "唐环行检批〔{year}〕11-{n}号"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["example"], format!("唐环行检批〔{y}〕11-1号"));
    assert_eq!(b["own"], true);
    // A pattern without {n} is refused with the field; an officer may not set one.
    let r = app
        .send(
            "PUT",
            &cast.clerk_token,
            &patterns,
            json!({"kind": "approval_form", "pattern": "唐环行检批〔{year}〕11-号"}),
        )
        .await;
    assert_eq!(refused(&r), (422, "invalid_pattern"), "{}", r.1);
    assert_eq!(r.1["field"], "pattern");
    assert!(r.1["message"].as_str().unwrap().contains("{n}"), "{}", r.1);
    let r = app
        .send(
            "PUT",
            &cast.inspector,
            &patterns,
            json!({"kind": "approval_form", "pattern": "X〔{year}〕{n}号"}),
        )
        .await;
    assert_eq!(r.0, 403, "{}", r.1);
    let r = app
        .send(
            "PUT",
            &cast.clerk_token,
            &patterns,
            json!({"kind": "onsite_record", "pattern": "X〔{year}〕{n}号"}),
        )
        .await;
    // (`not_numbered` answers 409 wherever it comes from, with the field here.)
    assert_eq!((r.0, r.1["field"].as_str()), (409, Some("kind")), "{}", r.1);
    let (s, list) = app.get(&cast.clerk_token, &patterns).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 4, "{list}");
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["kind"] == "approval_form" && p["pattern"] == "唐环行检批〔{year}〕11-{n}号"));

    // 大气股 extracts a routine task and sets it.
    let task = extract(&app, &cast.air, "routine", e).await;
    let t = id(&task);
    assert_eq!(task["capped"], true);
    set_task(&app, &cast, t).await;

    // The 审批表 comes filled in from the platform.
    let approval = drafted(&app, &cast.air, t, "approval_form").await;
    let a = id(&approval);
    let form = &approval["form"];
    assert_eq!(form["kind"], "approval_form");
    assert_eq!(form["enterprise_name"], task["enterprise_name"]);
    assert_eq!(form["uscc"], task["enterprise_uscc"]);
    assert!(!form["uscc"].as_str().unwrap().is_empty());
    assert_eq!(form["place"], task["enterprise_address"]);
    assert_eq!(form["sources"], json!(["routine"]));
    let tomorrow = app.tomorrow();
    assert_eq!(
        form["time"],
        format!(
            "{}年{}月{}日",
            tomorrow.year(),
            tomorrow.month(),
            tomorrow.day()
        )
    );
    assert_eq!(form["frequency"], json!({"cap": 2, "ordinal": 1}));
    let inspectors: BTreeSet<(String, String)> = form["inspectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().to_string(),
                o["certificate_no"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = cast
        .officers
        .iter()
        .map(|p| (p.name.clone(), p.certificate_no.clone().unwrap()))
        .collect();
    assert_eq!(inspectors, expected, "{form}");
    assert!(expected.iter().all(|(_, c)| !c.is_empty()));
    assert_eq!(approval["number"], Value::Null);
    assert_eq!(approval["unit_id"], cast.unit);

    // One live 审批表 per task.
    let r = draft(&app, &cast.air, t, "approval_form").await;
    assert_eq!(refused(&r), (409, "conflict"), "{}", r.1);

    // 水股's capped task on the same enterprise is the unit's second this year.
    let water_task = extract(&app, &cast.water, "routine", e).await;
    let water_form = drafted(&app, &cast.water, id(&water_task), "approval_form").await;
    assert_eq!(
        water_form["form"]["frequency"],
        json!({"cap": 2, "ordinal": 2})
    );
    assert_eq!(water_form["department_name"], "水股");
    // A complaint is outside the caps: no frequency line.
    let complaint = extract(&app, &cast.air, "complaint", ids[7]).await;
    assert_eq!(complaint["capped"], false);
    let complaint_form = drafted(&app, &cast.air, id(&complaint), "approval_form").await;
    assert_eq!(complaint_form["form"]["frequency"], Value::Null);
    assert_eq!(complaint_form["form"]["sources"], json!(["complaint"]));
    // Only the initiating department drafts the 审批表.
    let r = draft(&app, &cast.water, t, "approval_form").await;
    assert_eq!(r.0, 403, "{}", r.1);

    // The draft is completed by hand.
    let mut edited = form.clone();
    edited["items"] = json!("大气污染防治设施运行情况、自动监测设备运行情况");
    edited["assistants"] = json!("2人（监测站）");
    let (s, b) = app
        .send("PUT", &cast.air, &format!("/api/v1/documents/{a}"), edited)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["form"]["assistants"], "2人（监测站）");
    let mut blank = b["form"].clone();
    blank["uscc"] = json!(" ");
    let (s, b) = app
        .send("PUT", &cast.air, &format!("/api/v1/documents/{a}"), blank)
        .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("uscc")), "{b}");

    // Submitted: no more edits; not yet for the unit head or the office.
    step(&app, &cast.air, a, "submit", "pending_department_head").await;
    let r = app
        .send(
            "PUT",
            &cast.air,
            &format!("/api/v1/documents/{a}"),
            form.clone(),
        )
        .await;
    assert_eq!(refused(&r), (409, "wrong_state"), "{}", r.1);
    let r = act(&app, &cast.air, a, json!({"action": "submit"})).await;
    assert_eq!(refused(&r), (409, "wrong_state"), "{}", r.1);
    let r = act(
        &app,
        &cast.boss_token,
        a,
        json!({"action": "approve_unit_head"}),
    )
    .await;
    assert_eq!(refused(&r), (409, "wrong_state"), "{}", r.1);
    let r = act(&app, &cast.clerk_token, a, json!({"action": "number"})).await;
    assert_eq!(refused(&r), (409, "not_approved"), "{}", r.1);
    // Only the handling department's head signs.
    let water_head = bearer(&app, &people(&app, "水股").await[0].login).await;
    let r = act(
        &app,
        &water_head,
        a,
        json!({"action": "sign_department_head"}),
    )
    .await;
    assert_eq!(r.0, 403, "{}", r.1);
    let (_, inbox) = app.get(&cast.head_token, "/api/v1/documents/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().any(|d| id(d) == a),
        "{inbox}"
    );

    // 承办机构负责人 signs.
    let (s, b) = act(
        &app,
        &cast.head_token,
        a,
        json!({"action": "sign_department_head", "opinion": "同意开展检查"}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "pending_unit_head");
    assert_eq!(b["form"]["department_head"]["name"], cast.head.name);
    assert_eq!(b["form"]["department_head"]["opinion"], "同意开展检查");
    assert_eq!(
        b["form"]["department_head"]["signed_on"],
        json!(app.today())
    );

    // 不得仅由内设机构负责人批准.
    let r = act(
        &app,
        &cast.head_token,
        a,
        json!({"action": "approve_unit_head"}),
    )
    .await;
    assert_eq!(r.0, 403, "{}", r.1);
    assert!(
        r.1["message"]
            .as_str()
            .unwrap()
            .contains("不得仅由内设机构负责人批准"),
        "{}",
        r.1
    );
    // Holding the unit head's role too does not let the signer approve.
    grant(&app, cast.head.id, Role::UnitHead).await;
    let r = act(
        &app,
        &cast.head_token,
        a,
        json!({"action": "approve_unit_head"}),
    )
    .await;
    assert_eq!(refused(&r), (403, "forbidden"), "{}", r.1);
    assert!(r.1["message"].as_str().unwrap().contains("签批"), "{}", r.1);
    let (_, inbox) = app.get(&cast.boss_token, "/api/v1/documents/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().any(|d| id(d) == a),
        "{inbox}"
    );

    // 行政执法主体负责人 approves.
    let (s, b) = act(
        &app,
        &cast.boss_token,
        a,
        json!({"action": "approve_unit_head", "opinion": "同意"}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "approved");
    assert_eq!(b["form"]["unit_head"]["name"], cast.boss.name);
    assert_eq!(b["number"], Value::Null);

    // Only the office numbers.
    let r = act(&app, &cast.inspector, a, json!({"action": "number"})).await;
    assert_eq!(refused(&r), (403, "forbidden"), "{}", r.1);
    let r = act(&app, &cast.boss_token, a, json!({"action": "number"})).await;
    assert_eq!(r.0, 403, "{}", r.1);

    // 凡检查必审批: the notice waits for the numbered 审批表.
    let notice = drafted(&app, &cast.air, t, "inspection_notice").await;
    let n = id(&notice);
    assert_eq!(notice["form"]["enterprise_name"], task["enterprise_name"]);
    assert_eq!(notice["form"]["frequency"], json!({"cap": 2, "ordinal": 1}));
    assert_eq!(notice["form"]["inspection_date"], json!(tomorrow));
    // A draft is the department's until it submits it: the office neither
    // sees nor numbers it.
    let r = act(&app, &cast.clerk_token, n, json!({"action": "number"})).await;
    assert_eq!(refused(&r), (409, "not_submitted"), "{}", r.1);
    let (_, inbox) = app.get(&cast.clerk_token, "/api/v1/documents/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().all(|d| id(d) != n),
        "a draft in the office's inbox: {inbox}"
    );
    let r = act(&app, &cast.clerk_token, n, json!({"action": "submit"})).await;
    assert_eq!(
        refused(&r),
        (403, "forbidden"),
        "the office submits: {}",
        r.1
    );
    let sent = step(&app, &cast.air, n, "submit", "submitted").await;
    assert_eq!(sent["status_label"], "已提交，待编号");
    assert!(sent["submitted_at"].is_string(), "{sent}");
    let r = app
        .send(
            "PUT",
            &cast.air,
            &format!("/api/v1/documents/{n}"),
            sent["form"].clone(),
        )
        .await;
    assert_eq!(
        refused(&r),
        (409, "wrong_state"),
        "edited once submitted: {}",
        r.1
    );
    let (_, inbox) = app.get(&cast.clerk_token, "/api/v1/documents/inbox").await;
    let line = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|d| id(d) == n)
        .unwrap_or_else(|| panic!("the submitted notice waits for the office: {inbox}"));
    assert_eq!(line["enterprise_name"], task["enterprise_name"]);
    assert_eq!(line["task_id"], t);
    assert_eq!(line["created_by_name"], sent["created_by_name"]);
    assert_eq!(line["submitted_at"], sent["submitted_at"]);
    let r = act(&app, &cast.clerk_token, n, json!({"action": "number"})).await;
    assert_eq!(refused(&r), (409, "approval_required"), "{}", r.1);
    let r = draft(&app, &cast.air, t, "inspection_notice").await;
    assert_eq!(refused(&r), (409, "conflict"), "one live notice: {}", r.1);
    let (_, inbox) = app.get(&cast.clerk_token, "/api/v1/documents/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().any(|d| id(d) == a),
        "{inbox}"
    );

    // The office numbers and stamps the 审批表 after the unit's pattern.
    let approved = step(&app, &cast.clerk_token, a, "number", "issued").await;
    assert_eq!(approved["number"], 1);
    assert_eq!(approved["year"], y);
    assert_eq!(approved["number_text"], format!("唐环行检批〔{y}〕11-1号"));
    assert_eq!(approved["numbered_by_name"], cast.clerk.name);
    let r = act(&app, &cast.clerk_token, a, json!({"action": "number"})).await;
    assert_eq!(refused(&r), (409, "wrong_state"), "{}", r.1);
    let r = app
        .send(
            "PUT",
            &cast.air,
            &format!("/api/v1/documents/{a}"),
            form.clone(),
        )
        .await;
    assert_eq!(refused(&r), (409, "wrong_state"), "{}", r.1);

    // Then the notice: number 1 of its kind.
    let numbered = step(&app, &cast.clerk_token, n, "number", "issued").await;
    assert_eq!(numbered["number"], 1);
    assert_eq!(
        numbered["number_text"],
        format!("唐环行检通知〔{y}〕11-1号")
    );
    assert_eq!(numbered["form"]["issued_on"], json!(app.today()));
    // Records are not numbered, and only notices are served.
    let record = drafted(&app, &cast.air, t, "onsite_record").await;
    let r = act(
        &app,
        &cast.clerk_token,
        id(&record),
        json!({"action": "number"}),
    )
    .await;
    assert_eq!(refused(&r), (409, "not_numbered"), "{}", r.1);
    let r = act(
        &app,
        &cast.air,
        a,
        json!({"action": "serve", "service": {"recipient": "张三", "served_on": app.today(), "method_and_address": "直接送达"}}),
    )
    .await;
    assert_eq!(refused(&r), (409, "not_served"), "{}", r.1);
    step(&app, &cast.air, id(&record), "complete", "completed").await;

    // The visit: checked in on the planned day (set directly, as the check-in
    // endpoints would); the service is registered the day after.
    let notice_day = app.today();
    check_in(&app, t).await;
    app.clock.advance(Duration::days(1));
    cast.login(&app).await;
    let r = act(&app, &cast.air, n, json!({"action": "serve"})).await;
    assert_eq!(
        (r.0, r.1["field"].as_str()),
        (422, Some("service")),
        "{}",
        r.1
    );
    let service = |on: NaiveDate| {
        json!({"action": "serve", "service": {
            "recipient": "张三（环保负责人）",
            "served_on": on,
            "method_and_address": "直接送达：河北省唐山市玉田县企业厂区办公室",
        }})
    };
    // Served after the visit without an oral notice: 凡检查必通知.
    let r = act(&app, &cast.air, n, service(app.today())).await;
    assert_eq!(refused(&r), (409, "served_after_visit"), "{}", r.1);
    assert_eq!(r.1["field"], "served_on");
    let r = act(&app, &cast.air, n, service(app.tomorrow())).await;
    assert_eq!(
        (r.0, r.1["field"].as_str()),
        (422, Some("served_on")),
        "{}",
        r.1
    );
    let r = act(&app, &cast.clerk_token, n, service(notice_day)).await;
    assert_eq!(r.0, 403, "the office does not serve: {}", r.1);
    let (s, served) = act(&app, &cast.air, n, service(notice_day)).await;
    assert_eq!(s, 200, "{served}");
    assert_eq!(served["status"], "served");
    assert_eq!(
        served["form"]["service"],
        json!({
            "recipient": "张三（环保负责人）",
            "served_on": notice_day,
            "method_and_address": "直接送达：河北省唐山市玉田县企业厂区办公室",
        })
    );
    assert_eq!(served["number_text"], format!("唐环行检通知〔{y}〕11-1号"));
    let (_, docs) = app
        .get(&cast.air, &format!("/api/v1/tasks/{t}/documents"))
        .await;
    assert_eq!(docs["procedure"]["summary"], "手续齐全", "{docs}");
    assert_eq!(docs["documents"].as_array().unwrap().len(), 3);

    // Voided with a reason, the 审批表 keeps its number, marked in the register.
    let r = act(
        &app,
        &cast.air,
        a,
        json!({"action": "void", "opinion": " "}),
    )
    .await;
    assert_eq!(
        (r.0, r.1["field"].as_str()),
        (422, Some("opinion")),
        "{}",
        r.1
    );
    let (s, voided) = act(
        &app,
        &cast.air,
        a,
        json!({"action": "void", "opinion": "检查事项填写有误，重新审批"}),
    )
    .await;
    assert_eq!(s, 200, "{voided}");
    assert_eq!(voided["status"], "void");
    assert_eq!(voided["number"], 1);
    assert_eq!(voided["number_text"], format!("唐环行检批〔{y}〕11-1号"));
    assert_eq!(voided["void_reason"], "检查事项填写有误，重新审批");
    let r = act(
        &app,
        &cast.air,
        a,
        json!({"action": "void", "opinion": "再次"}),
    )
    .await;
    assert_eq!(refused(&r), (409, "wrong_state"), "{}", r.1);
    let actions: Vec<&str> = voided["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "draft",
            "edit",
            "submit",
            "sign_department_head",
            "approve_unit_head",
            "number",
            "void"
        ]
    );
    let reg = register(&app, &cast, "approval_form").await;
    assert_eq!(reg["gapless"], true, "{reg}");
    assert_eq!(reg["last_number"], 1);
    let lines = reg["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{reg}");
    assert_eq!(lines[0]["document_id"], a);
    assert_eq!(lines[0]["voided"], true);
    assert_eq!(lines[0]["void_reason"], "检查事项填写有误，重新审批");
    assert_eq!(lines[0]["number_text"], format!("唐环行检批〔{y}〕11-1号"));
    let reg = register(&app, &cast, "inspection_notice").await;
    assert_eq!(
        (reg["gapless"].clone(), reg["last_number"].clone()),
        (json!(true), json!(1)),
        "{reg}"
    );
    // A voided 审批表 may be replaced; the replacement takes the next number.
    let again = drafted(&app, &cast.air, t, "approval_form").await;
    let b = id(&again);
    step(&app, &cast.air, b, "submit", "pending_department_head").await;
    step(
        &app,
        &cast.head_token,
        b,
        "sign_department_head",
        "pending_unit_head",
    )
    .await;
    let deputy = bearer(&app, &people(&app, "办公室").await[1].login).await;
    step(&app, &deputy, b, "approve_unit_head", "approved").await;
    let renumbered = step(&app, &cast.clerk_token, b, "number", "issued").await;
    assert_eq!(
        renumbered["number_text"],
        format!("唐环行检批〔{y}〕11-2号")
    );
    let reg = register(&app, &cast, "approval_form").await;
    assert_eq!(reg["gapless"], true, "{reg}");
    assert_eq!(reg["lines"].as_array().unwrap().len(), 2);
    // Another unit cannot read Yutian's register.
    let city = secretary_token(&app, "唐山市生态环境局", "大气环境科").await;
    let (s, _) = app
        .get(
            &city,
            &format!(
                "/api/v1/units/{}/document-register?kind=approval_form",
                cast.unit
            ),
        )
        .await;
    assert_eq!(s, 403);
}

async fn remote_inspections_need_no_approval_and_urgent_ones_owe_papers(app: TestApp) {
    let ids = app.yutian_enterprises(40).await;
    let cast = Cast::new(&app).await;
    let y = year(&app);

    // 非现场检查: no 审批表.
    let remote = id(&extract(&app, &cast.air, "routine", ids[1]).await);
    let (s, p) = app
        .send(
            "POST",
            &cast.air,
            &format!("/api/v1/tasks/{remote}/procedure"),
            json!({"remote": true}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["remote"], true);
    assert_eq!(p["owed"], json!([]));
    assert_eq!(p["summary"], "手续齐全");
    let r = draft(&app, &cast.air, remote, "approval_form").await;
    assert_eq!(refused(&r), (409, "remote_inspection"), "{}", r.1);

    // An ordinary task owes its papers before the visit.
    let urgent = extract(&app, &cast.air, "complaint", ids[2]).await;
    let u = id(&urgent);
    let (s, owed) = app.get(&cast.clerk_token, "/api/v1/documents/owed").await;
    assert_eq!(s, 200, "{owed}");
    let line = owed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["task_id"] == u)
        .unwrap_or_else(|| panic!("{u} owes: {owed}"))
        .clone();
    assert_eq!(line["urgent"], false);
    assert!(
        line["procedure"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("检查前应完成："),
        "{line}"
    );
    assert!(
        owed.as_array()
            .unwrap()
            .iter()
            .all(|o| o["task_id"] != remote),
        "a remote task owes nothing: {owed}"
    );
    let notice = id(&submitted(&app, &cast.air, u, "inspection_notice").await);
    let r = act(&app, &cast.clerk_token, notice, json!({"action": "number"})).await;
    assert_eq!(refused(&r), (409, "approval_required"), "{}", r.1);

    // The urgent path: oral notice, reported to the unit head.
    let procedure = format!("/api/v1/tasks/{u}/procedure");
    let r = app
        .send(
            "POST",
            &cast.air,
            &procedure,
            json!({"oral_notice_reason": "群众举报夜间偷排废气，需立即检查"}),
        )
        .await;
    assert_eq!(
        (r.0, r.1["field"].as_str()),
        (422, Some("oral_notice_reported_to")),
        "{}",
        r.1
    );
    let r = app
        .send(
            "POST",
            &cast.water,
            &procedure,
            json!({"oral_notice_reason": "紧急", "oral_notice_reported_to": cast.boss.name}),
        )
        .await;
    assert_eq!(r.0, 403, "only the initiating department: {}", r.1);
    let (s, p) = app
        .send(
            "POST",
            &cast.air,
            &procedure,
            json!({
                "oral_notice_reason": "群众举报夜间偷排废气，需立即检查",
                "oral_notice_reported_to": cast.boss.name,
            }),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["oral_notice_reported_to"], cast.boss.name);
    assert_eq!(p["owed"], json!(["approval_form", "inspection_notice"]));
    assert_eq!(p["summary"], "待补办：行政检查审批表、行政检查通知书");
    let r = app
        .send(
            "POST",
            &cast.air,
            &procedure,
            json!({"oral_notice_reason": "再次", "oral_notice_reported_to": cast.boss.name}),
        )
        .await;
    assert_eq!(refused(&r), (409, "conflict"), "{}", r.1);

    // Now the notice is numbered without the 审批表 (补办手续).
    let numbered = step(&app, &cast.clerk_token, notice, "number", "issued").await;
    assert_eq!(
        numbered["number_text"],
        format!("唐环行检通知〔{y}〕11-1号")
    );
    let (s, owed) = app.get(&cast.clerk_token, "/api/v1/documents/owed").await;
    assert_eq!(s, 200, "{owed}");
    let first = &owed[0];
    assert_eq!(first["task_id"], u, "urgent ones first: {owed}");
    assert_eq!(first["urgent"], true);
    assert_eq!(first["enterprise_name"], urgent["enterprise_name"]);
    assert!(
        first["procedure"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("待补办："),
        "{first}"
    );
    assert_eq!(
        first["procedure"]["summary"],
        "待补办：行政检查审批表、行政检查通知书"
    );
    // The notice served (the visit has not been checked in), only the 审批表 is owed.
    step_serve(&app, &cast, notice).await;
    let (_, owed) = app.get(&cast.clerk_token, "/api/v1/documents/owed").await;
    let line = owed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["task_id"] == u)
        .unwrap()
        .clone();
    assert_eq!(line["procedure"]["summary"], "待补办：行政检查审批表");
    // The papers follow: once it has a 审批表 the task cannot turn remote.
    drafted(&app, &cast.air, u, "approval_form").await;
    let r = app
        .send("POST", &cast.air, &procedure, json!({"remote": true}))
        .await;
    assert_eq!(refused(&r), (409, "has_approval"), "{}", r.1);
    assert_eq!(r.1["field"], "remote");
}

async fn step_serve(app: &TestApp, cast: &Cast, notice: i64) {
    let (s, b) = act(
        app,
        &cast.air,
        notice,
        json!({"action": "serve", "service": {
            "recipient": "李四",
            "served_on": app.today(),
            "method_and_address": "直接送达",
        }}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "served");
}

// ---------------------------------------------------------------------------
// 2. Files.
// ---------------------------------------------------------------------------

async fn file(app: &TestApp, token: &str, doc: i64, format: &str) -> (u16, String, Vec<u8>) {
    let r = app
        .http
        .get(app.url(&format!("/api/v1/documents/{doc}/file?format={format}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, r.bytes().await.unwrap().to_vec())
}

/// The text of a PDF as `pdftotext` (poppler-utils) extracts it, without
/// white space (lines break anywhere in CJK text).
fn pdf_text(pdf: &[u8]) -> String {
    let tag: u64 = rand::random();
    let path = std::env::temp_dir().join(format!("yici-document-{tag:016x}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    squeeze(&String::from_utf8(out.stdout).unwrap())
}

/// The text of a DOCX's body (`word/document.xml` without its markup),
/// without white space: a run of text may be split over several `<w:t>`.
fn docx_text(docx: &[u8]) -> String {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a DOCX is a zip archive");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("the DOCX has word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    let mut text = String::new();
    let mut in_markup = false;
    for c in xml.chars() {
        match c {
            '<' => in_markup = true,
            '>' => in_markup = false,
            c if !in_markup => text.push(c),
            _ => {}
        }
    }
    squeeze(&text)
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

async fn documents_render_as_pdf_docx_and_html(app: TestApp) {
    let ids = app.yutian_enterprises(40).await;
    let cast = Cast::new(&app).await;
    let (task, approval, notice) = issued(&app, &cast, ids[3]).await;
    let enterprise = task["enterprise_name"].as_str().unwrap();
    for doc in [&approval, &notice] {
        let d = id(doc);
        let number = doc["number_text"].as_str().unwrap();
        let kind = doc["kind"].as_str().unwrap();

        let (s, content_type, pdf) = file(&app, &cast.air, d, "pdf").await;
        assert_eq!(s, 200, "{kind}: {}", String::from_utf8_lossy(&pdf));
        assert!(
            content_type.starts_with("application/pdf"),
            "{content_type}"
        );
        assert!(pdf.starts_with(b"%PDF"), "{kind}: not a PDF");
        let text = pdf_text(&pdf);
        for want in [enterprise, number, doc["form"]["uscc"].as_str().unwrap()] {
            assert!(
                text.contains(&squeeze(want)),
                "{kind}: {want} not in {text}"
            );
        }
        for officer in &cast.officers {
            let cert = officer.certificate_no.as_deref().unwrap();
            assert!(text.contains(cert), "{kind}: 执法证号 {cert} not in {text}");
            assert!(text.contains(&officer.name), "{kind}: {}", officer.name);
        }

        let (s, _, docx) = file(&app, &cast.air, d, "docx").await;
        assert_eq!(s, 200, "{kind}: {}", String::from_utf8_lossy(&docx));
        let text = docx_text(&docx);
        let title = DocumentKind::parse(kind).unwrap().label();
        for want in [title, enterprise, number] {
            assert!(
                text.contains(&squeeze(want)),
                "{kind}: {want} not in the DOCX: {text}"
            );
        }

        let (s, content_type, html) = file(&app, &cast.air, d, "html").await;
        assert_eq!(s, 200);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains(enterprise), "{kind}: {html}");
        assert!(html.contains(number), "{kind}: number in the HTML");
    }
    // A draft renders too (the number line blank); other units see nothing.
    let record = drafted(&app, &cast.air, id(&task), "inspection_record_sheet").await;
    let (s, _, pdf) = file(&app, &cast.air, id(&record), "pdf").await;
    assert_eq!(s, 200);
    assert!(pdf.starts_with(b"%PDF"));
    let city = secretary_token(&app, "唐山市生态环境局", "大气环境科").await;
    assert_eq!(file(&app, &city, id(&approval), "pdf").await.0, 404);
    assert_eq!(file(&app, &cast.air, id(&approval), "odt").await.0, 422);
}

// ---------------------------------------------------------------------------
// 3. Numbers under concurrency.
// ---------------------------------------------------------------------------

/// What a request of the concurrent batch expects.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Numbered by the office.
    Number,
    /// Refused before any number is taken: (status, code).
    Refused(u16, &'static str),
}

/// 200 sampling notices of one task numbered by the office in 200 concurrent
/// requests spread over `apps`, with refused numberings mixed in: the numbers
/// are exactly 1…200 and the register is gapless.
async fn two_hundred_numbers(apps: Vec<TestApp>) {
    const N: usize = 200;
    let app = &apps[0];
    let ids = app.yutian_enterprises(40).await;
    let cast = Cast::new(app).await;
    let y = year(app);
    let (s, b) = app
        .send(
            "PUT",
            &cast.clerk_token,
            &format!("/api/v1/units/{}/document-patterns", cast.unit),
            json!({"kind": "sampling_notice", "pattern": "唐环抽（采）〔{year}〕11-{n}号"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (task, _, _) = issued(app, &cast, ids[4]).await;
    let t = id(&task);

    // Several sampling notices may exist per task: draft 200, eight at a time.
    let mut good = Vec::with_capacity(N);
    for chunk in 0..N / 8 {
        let mut handles = Vec::new();
        for i in 0..8 {
            let (base, http, token) = (
                apps[(chunk * 8 + i) % apps.len()].base.clone(),
                app.http.clone(),
                cast.air.clone(),
            );
            handles.push(tokio::spawn(async move {
                let r = http
                    .post(format!("{base}/api/v1/tasks/{t}/documents"))
                    .bearer_auth(&token)
                    .json(&json!({"kind": "sampling_notice"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 201);
                let d = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
                let r = http
                    .post(format!("{base}/api/v1/documents/{d}/actions"))
                    .bearer_auth(token)
                    .json(&json!({"action": "submit"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200);
                d
            }));
        }
        for h in handles {
            good.push(h.await.unwrap());
        }
    }
    assert_eq!(good.len(), N);

    // Numberings that must fail without taking a number: sampling notices of a
    // task whose 审批表 is not issued, 笔录 (never numbered), and an officer
    // numbering drafts of the good task.
    let other = id(&extract(app, &cast.air, "routine", ids[5]).await);
    let mut batch: Vec<(i64, Expect, bool)> =
        good.iter().map(|&d| (d, Expect::Number, true)).collect();
    let mut bad = Vec::new();
    for _ in 0..5 {
        let d = id(&submitted(app, &cast.air, other, "sampling_notice").await);
        bad.push((d, Expect::Refused(409, "approval_required"), true));
    }
    for _ in 0..3 {
        let d = id(&drafted(app, &cast.air, t, "onsite_record").await);
        bad.push((d, Expect::Refused(409, "not_numbered"), true));
    }
    let mut spare = Vec::new();
    for _ in 0..5 {
        let d = id(&submitted(app, &cast.air, t, "sampling_notice").await);
        spare.push(d);
        bad.push((d, Expect::Refused(403, "forbidden"), false));
    }
    // Spread the refusals through the batch.
    for (i, b) in bad.into_iter().enumerate() {
        batch.insert(7 + i * 15, b);
    }

    let total = batch.len();
    let barrier = Arc::new(tokio::sync::Barrier::new(total));
    let mut handles = Vec::with_capacity(total);
    for (i, (doc, expect, by_office)) in batch.into_iter().enumerate() {
        let base = apps[i % apps.len()].base.clone();
        let http = app.http.clone();
        let token = if by_office {
            cast.clerk_token.clone()
        } else {
            cast.inspector.clone()
        };
        let barrier = barrier.clone();
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = http
                .post(format!("{base}/api/v1/documents/{doc}/actions"))
                .bearer_auth(token)
                .json(&json!({"action": "number"}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (doc, expect, status, r.json::<Value>().await.unwrap())
        }));
    }
    let mut numbers = Vec::with_capacity(N);
    for h in handles {
        let (doc, expect, status, body) = h.await.unwrap();
        match expect {
            Expect::Number => {
                assert_eq!(status, 200, "document {doc}: {body}");
                assert_eq!(body["status"], "issued");
                let n = body["number"].as_i64().unwrap();
                assert_eq!(body["number_text"], format!("唐环抽（采）〔{y}〕11-{n}号"));
                numbers.push(n);
            }
            Expect::Refused(s, code) => {
                assert_eq!(
                    (status, body["code"].as_str()),
                    (s, Some(code)),
                    "{doc}: {body}"
                );
            }
        }
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=N as i64).collect::<Vec<_>>());

    let reg = register(app, &cast, "sampling_notice").await;
    assert_eq!(reg["gapless"], true, "{reg}");
    assert_eq!(reg["last_number"], N as i64);
    assert_eq!(reg["missing"], json!([]));
    assert_eq!(reg["duplicates"], json!([]));
    let lines = reg["lines"].as_array().unwrap();
    assert_eq!(lines.len(), N);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["number"], i as i64 + 1);
        assert_eq!(line["voided"], false);
    }
    assert_eq!(
        app.count(&format!(
            "SELECT last_number FROM document_counters
              WHERE unit_id = {} AND kind = 'sampling_notice' AND year = {y}",
            cast.unit
        ))
        .await,
        N as i64
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM documents WHERE kind = 'sampling_notice' AND number IS NOT NULL"
        )
        .await,
        N as i64
    );
    for d in &spare {
        let (_, doc) = app.get(&cast.air, &format!("/api/v1/documents/{d}")).await;
        assert_eq!(doc["status"], "submitted", "{doc}");
        assert_eq!(doc["number"], Value::Null);
    }

    // A refusal after the batch takes nothing either; the next number is 201.
    let r = act(app, &cast.clerk_token, good[0], json!({"action": "number"})).await;
    assert_eq!(refused(&r), (409, "wrong_state"), "{}", r.1);
    let last = apps.last().unwrap();
    let next = step(last, &cast.clerk_token, spare[0], "number", "issued").await;
    assert_eq!(next["number"], N as i64 + 1);
    let reg = register(app, &cast, "sampling_notice").await;
    assert_eq!(reg["gapless"], true, "{reg}");
    assert_eq!(reg["last_number"], N as i64 + 1);
}

async fn two_hundred_concurrent_numbers_are_exactly_1_to_200(app: TestApp) {
    let _heavy = HEAVY.lock().await;
    two_hundred_numbers(vec![app]).await;
}

async fn two_hundred_concurrent_numbers_on_two_instances(app: TestApp) {
    let _heavy = HEAVY.lock().await;
    let second = app.instance(WebConfig::default()).await;
    two_hundred_numbers(vec![app, second]).await;
}

/// The office's double click, on two instances: one document numbered by
/// two concurrent requests gets one number, and none is lost.
async fn a_document_numbered_twice_at_once_takes_one_number(app: TestApp) {
    let _heavy = HEAVY.lock().await;
    const ROUNDS: usize = 12;
    let second = app.instance(WebConfig::default()).await;
    let ids = app.yutian_enterprises(40).await;
    let cast = Cast::new(&app).await;
    let (task, _, _) = issued(&app, &cast, ids[6]).await;
    let t = id(&task);
    let mut docs = Vec::new();
    for _ in 0..ROUNDS {
        docs.push(id(&submitted(&app, &cast.air, t, "sampling_notice").await));
    }
    let apps = Arc::new(vec![app, second]);
    let barrier = Arc::new(tokio::sync::Barrier::new(ROUNDS * 2));
    let mut handles = Vec::new();
    for (i, &doc) in docs.iter().enumerate() {
        for which in 0..2 {
            let (apps, barrier, token) = (apps.clone(), barrier.clone(), cast.clerk_token.clone());
            handles.push(tokio::spawn(async move {
                barrier.wait().await;
                let r = act(&apps[which], &token, doc, json!({"action": "number"})).await;
                (i, r)
            }));
        }
    }
    let mut outcomes = vec![Vec::new(); ROUNDS];
    for h in handles {
        let (i, (status, body)) = h.await.unwrap();
        outcomes[i].push((status, body));
    }
    let mut numbers = Vec::new();
    for (i, pair) in outcomes.iter().enumerate() {
        let ok: Vec<&Value> = pair
            .iter()
            .filter(|(s, _)| *s == 200)
            .map(|(_, b)| b)
            .collect();
        assert_eq!(ok.len(), 1, "document {}: {pair:?}", docs[i]);
        let other = pair.iter().find(|(s, _)| *s != 200).unwrap();
        assert_eq!(
            (other.0, other.1["code"].as_str()),
            (409, Some("wrong_state")),
            "{pair:?}"
        );
        numbers.push(ok[0]["number"].as_i64().unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=ROUNDS as i64).collect::<Vec<_>>());
    let app = &apps[0];
    for &d in &docs {
        let (_, doc) = app.get(&cast.air, &format!("/api/v1/documents/{d}")).await;
        let numbered = doc["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "number")
            .count();
        assert_eq!(numbered, 1, "one numbering in the history: {doc}");
    }
    let reg = register(app, &cast, "sampling_notice").await;
    assert_eq!(reg["gapless"], true, "{reg}");
    assert_eq!(reg["last_number"], ROUNDS as i64);
}

both_databases!(
    the_approval_form_is_signed_approved_numbered_and_the_notice_served,
    remote_inspections_need_no_approval_and_urgent_ones_owe_papers,
    documents_render_as_pdf_docx_and_html,
    two_hundred_concurrent_numbers_are_exactly_1_to_200,
    two_hundred_concurrent_numbers_on_two_instances,
    a_document_numbered_twice_at_once_takes_one_number,
);
