//! The joint inspection through the API (JOINT-1…JOINT-6): task settings,
//! notices and SMS on extraction, the 72-hour participation window — read
//! correctly even when no job ran at the deadline — partner agencies, and the
//! 未形成联合检查 mark.

use crate::common::{bearer, extract, id, secretary_token, TestApp, YUTIAN};
use chrono::Duration;
use serde_json::{json, Value};
use yici_domain::time::Clock;
use yici_store::Exec;

/// Ids of a department's officers, in id order.
async fn officer_ids(app: &TestApp, unit: &str, dept: &str) -> Vec<i64> {
    app.officers(unit, dept)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

fn participant<'a>(task: &'a Value, department: &str) -> &'a Value {
    task["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["department_name"] == department)
        .unwrap_or_else(|| panic!("{department} on {task}"))
}

async fn task_settings_need_a_later_date_and_two_own_officers(app: TestApp) {
    let e = app.first_enterprise().await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let task = id(&extract(&app, &air, "routine", e).await);
    let path = format!("/api/v1/tasks/{task}/settings");
    let own = officer_ids(&app, YUTIAN, "大气股").await;
    let water = officer_ids(&app, YUTIAN, "水股").await;
    let non_officer = app
        .count(&format!(
            "SELECT MIN(id) FROM people WHERE NOT is_officer AND department_id = {}",
            app.department(YUTIAN, "大气股").await
        ))
        .await;
    app.db
        .clone()
        .execute(
            "UPDATE people SET status = 'disabled' WHERE id = $1",
            yici_store::args![own[3]],
        )
        .await
        .unwrap();
    let today = app.today();
    let cases = [
        (
            json!({"planned_on": today, "inspector_ids": [own[0], own[1]]}),
            "not_after_today",
        ),
        (json!({"inspector_ids": [own[0], own[1]]}), "required"),
        (
            json!({"planned_on": app.tomorrow(), "inspector_ids": [own[0]]}),
            "too_few",
        ),
        (
            json!({"planned_on": app.tomorrow(), "inspector_ids": [own[0], own[3]]}),
            "invalid_inspector",
        ),
        (
            json!({"planned_on": app.tomorrow(), "inspector_ids": [own[0], non_officer]}),
            "invalid_inspector",
        ),
        (
            json!({"planned_on": app.tomorrow(), "inspector_ids": [own[0], own[1], water[0]]}),
            "invalid_inspector",
        ),
        (
            json!({"planned_on": app.tomorrow(), "inspector_ids": [own[0], own[0]]}),
            "duplicate_inspector",
        ),
        (
            json!({"planned_on": app.tomorrow(), "inspector_ids": [own[0], 99999999]}),
            "unknown_person",
        ),
    ];
    for (body, code) in cases {
        let (s, b) = app.send("PUT", &air, &path, body.clone()).await;
        assert_eq!((s, b["code"].as_str()), (422, Some(code)), "{body} → {b}");
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM task_inspectors WHERE task_id = {task}"
        ))
        .await,
        0,
        "nothing written"
    );
    let water_token = secretary_token(&app, YUTIAN, "水股").await;
    let (s, _) = app
        .send(
            "PUT",
            &water_token,
            &path,
            json!({"planned_on": app.tomorrow(), "inspector_ids": [water[0], water[1]]}),
        )
        .await;
    assert_eq!(s, 403, "only the initiating department sets the task");

    let (s, b) = app
        .send(
            "PUT",
            &air,
            &path,
            json!({"planned_on": app.tomorrow(), "inspector_ids": [own[0], own[1]]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "scheduled");
    assert_eq!(b["planned_on"], json!(app.tomorrow()));
    assert_eq!(b["inspectors"].as_array().unwrap().len(), 2);

    // A city department may add people of its counties' corresponding departments.
    let city = secretary_token(&app, "唐山市生态环境局", "大气环境科").await;
    let city_task = id(&extract(&app, &city, "routine", e).await);
    let city_own = officer_ids(&app, "唐山市生态环境局", "大气环境科").await;
    let path = format!("/api/v1/tasks/{city_task}/settings");
    let (s, b) = app
        .send("PUT", &city, &path, json!({"planned_on": app.tomorrow(), "inspector_ids": [city_own[0], city_own[1], own[2]]}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["inspectors"].as_array().unwrap().len(), 3);
    let (s, b) = app
        .send("PUT", &city, &path, json!({"planned_on": app.tomorrow(), "inspector_ids": [city_own[0], city_own[1], water[2]]}))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("invalid_inspector")),
        "{b}"
    );
}

async fn other_departments_are_notified_and_decide_within_72_hours(app: TestApp) {
    let e = app.first_enterprise().await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let soil = secretary_token(&app, YUTIAN, "土壤股").await;
    let task = id(&extract(&app, &air, "routine", e).await);
    let (_, t) = app.get(&air, &format!("/api/v1/tasks/{task}")).await;
    let parts = t["participants"].as_array().unwrap();
    assert_eq!(
        parts.len(),
        6,
        "the initiator and the five other departments, not the 办公室: {t}"
    );
    assert!(
        !parts.iter().any(|p| p["department_name"] == "办公室"),
        "{t}"
    );
    assert_eq!(participant(&t, "大气股")["kind"], "initiator");
    let due = participant(&t, "水股")["decide_by"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        due.starts_with("2025-06-05T01:00:00"),
        "72 hours after the notice: {due}"
    );
    assert_eq!(t["joint"], "pending");

    // One SMS per administrator of the other departments, the manual's words.
    let sms = app
        .db
        .clone()
        .fetch_all("SELECT mobile, body FROM sms_outbox ORDER BY id", vec![])
        .await
        .unwrap();
    let admins = app
        .count(&format!(
            "SELECT COUNT(*) FROM people p JOIN departments d ON d.id = p.department_id
              WHERE p.is_admin AND d.unit_id = (SELECT unit_id FROM departments WHERE id = {})
                AND d.name <> '大气股' AND d.business_line <> 'general'",
            app.department(YUTIAN, "大气股").await
        ))
        .await;
    assert_eq!(sms.len() as i64, admins);
    assert!(sms.iter().all(|r| r.get::<String>("body").unwrap()
        == "您所在单位抽取了新的双随机任务，请登录系统确认是否参与！"));
    let (_, notices) = app.get(&water, "/api/v1/notices").await;
    assert!(
        notices[0]["body"]
            .as_str()
            .unwrap()
            .contains("请在3日内确认"),
        "{notices}"
    );

    let (_, mine) = app.get(&water, "/api/v1/tasks?view=may_join").await;
    assert_eq!(mine["total"], 1);
    let join = format!("/api/v1/tasks/{task}/participation");
    let w = officer_ids(&app, YUTIAN, "水股").await;
    // Bad decisions write nothing.
    let (s, b) = app.send("POST", &water, &join, json!({"join": true})).await;
    assert_eq!(
        (s, b["field"].as_str()),
        (422, Some("inspector_ids")),
        "{b}"
    );
    let own_air = officer_ids(&app, YUTIAN, "大气股").await;
    let (s, b) = app
        .send(
            "POST",
            &water,
            &join,
            json!({"join": true, "inspector_ids": [own_air[0]]}),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("invalid_inspector")),
        "{b}"
    );
    let member = app
        .db
        .clone()
        .fetch_one(
            "SELECT mobile FROM people WHERE department_id = $1 AND NOT is_admin ORDER BY id LIMIT 1",
            yici_store::args![app.department(YUTIAN, "水股").await],
        )
        .await
        .unwrap()
        .get::<String>("mobile")
        .unwrap();
    let member = app.token(&member).await;
    let (s, _) = app
        .send("POST", &member, &join, json!({"join": false}))
        .await;
    assert_eq!(
        s, 403,
        "a member who is not the administrator may not decide"
    );

    let (s, b) = app
        .send(
            "POST",
            &water,
            &join,
            json!({"join": true, "inspector_ids": [w[0], w[1]]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(participant(&b, "水股")["decision"], "join");
    assert_eq!(b["joint"], "joint");
    let (s, b) = app.send("POST", &soil, &join, json!({"join": false})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(participant(&b, "土壤股")["decision"], "decline");
    let (_, mine) = app.get(&water, "/api/v1/tasks?view=participating").await;
    assert_eq!(mine["total"], 1);

    // With the initiator's two inspectors the task has both departments and four people.
    let (s, b) = app
        .send(
            "PUT",
            &air,
            &format!("/api/v1/tasks/{task}/settings"),
            json!({"planned_on": app.tomorrow(), "inspector_ids": [own_air[0], own_air[1]]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["inspectors"].as_array().unwrap().len(), 4, "{b}");

    // 73 hours later, with no job run: 固废股 never answered and reads 不参与.
    app.clock.advance(Duration::hours(73));
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let (_, t) = app.get(&air, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(participant(&t, "固废股")["decision"], "lapsed", "{t}");
    assert_eq!(participant(&t, "水股")["decision"], "join");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM task_participants WHERE decision = 'lapsed'")
            .await,
        0,
        "read, not yet written"
    );
    let waste = secretary_token(&app, YUTIAN, "固废股").await;
    let (s, b) = app
        .send("POST", &waste, &join, json!({"join": false}))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("deadline_passed")),
        "{b}"
    );
    let (_, mine) = app.get(&waste, "/api/v1/tasks?view=may_join").await;
    assert_eq!(mine["total"], 0);

    // The job writes the lapses down once, with an audit entry each.
    let n = yici_store::joint::participants::lapse_due(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(n, 3, "土壤股 declined, 水股 joined; the other three lapsed");
    assert_eq!(
        yici_store::joint::participants::lapse_due(&app.db, app.clock.now())
            .await
            .unwrap(),
        0
    );
    let (_, t) = app.get(&air, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(
        participant(&t, "固废股")["decided_at"],
        participant(&t, "固废股")["decide_by"]
    );
    let report = yici_store::audit::verify(&app.db, None).await.unwrap();
    assert!(report.findings.is_empty());
}

async fn a_task_nobody_joins_is_not_a_joint_inspection(app: TestApp) {
    let e = app.first_enterprise().await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let task = id(&extract(&app, &air, "routine", e).await);
    let (s, _) = app
        .send(
            "POST",
            &water,
            &format!("/api/v1/tasks/{task}/participation"),
            json!({"join": false}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, t) = app.get(&air, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(t["joint"], "pending", "others may still answer");
    app.clock.advance(Duration::hours(72));
    let login = app.secretary(app.department(YUTIAN, "大气股").await).await;
    let (_, session) = app.api_login(&login, crate::common::NEW_PASSWORD).await;
    let air = session["token"].as_str().unwrap();
    let (_, t) = app.get(air, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(t["joint"], "single", "未形成联合检查: {t}");
}

async fn partner_agencies_are_invited_and_take_part(app: TestApp) {
    let e = app.first_enterprise().await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let task = id(&extract(&app, &air, "routine", e).await);
    let (_, partners) = app.get(&air, "/api/v1/partner-departments").await;
    let market = partners
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["unit_name"] == "玉田县市场监督管理局")
        .unwrap()["department_id"]
        .as_i64()
        .unwrap();
    let invite = format!("/api/v1/tasks/{task}/partners");
    let water_dept = app.department(YUTIAN, "水股").await;
    let (s, b) = app
        .send("POST", &air, &invite, json!({"department_id": water_dept}))
        .await;
    assert_eq!((s, b["code"].as_str()), (422, Some("not_partner")), "{b}");
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let (s, _) = app
        .send("POST", &water, &invite, json!({"department_id": market}))
        .await;
    assert_eq!(s, 403);
    let (s, b) = app
        .send("POST", &air, &invite, json!({"department_id": market}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(participant(&b, "执法稽查股")["kind"], "partner");
    let (s, _) = app
        .send("POST", &air, &invite, json!({"department_id": market}))
        .await;
    assert_eq!(s, 409, "invited once");

    // The partner's secretary sees it, joins with its own people; no cap moves.
    let partner = bearer(&app, &app.secretary(market).await).await;
    let (_, mine) = app.get(&partner, "/api/v1/tasks?view=may_join").await;
    assert_eq!(mine["total"], 1, "{mine}");
    let people: Vec<i64> = app
        .db
        .clone()
        .fetch_all(
            "SELECT id FROM people WHERE department_id = $1 ORDER BY id",
            yici_store::args![market],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id").unwrap())
        .collect();
    let counters_before = app
        .count("SELECT CAST(COALESCE(SUM(used), 0) AS BIGINT) FROM cap_counters")
        .await;
    let (s, b) = app
        .send(
            "POST",
            &partner,
            &format!("/api/v1/tasks/{task}/participation"),
            json!({"join": true, "inspector_ids": [people[0], people[1]]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["joint"], "joint");
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(used), 0) AS BIGINT) FROM cap_counters")
            .await,
        counters_before
    );
    let (s, _) = app.get(&partner, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(s, 200, "an invited partner sees the task");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sms_outbox WHERE dedupe_key LIKE 'invite:%'")
            .await,
        1,
        "the partner's administrator was told"
    );
}

both_databases!(
    task_settings_need_a_later_date_and_two_own_officers,
    other_departments_are_notified_and_decide_within_72_hours,
    a_task_nobody_joins_is_not_a_joint_inspection,
    partner_agencies_are_invited_and_take_part,
    notices_lead_to_their_own_task_and_leave_once_answered,
    the_office_is_invited_only_when_the_unit_chooses,
    a_completed_task_closes_its_participation,
);

/// A random extraction of `count` of Yutian's enterprises by 大气股.
async fn random_extraction(app: &TestApp, token: &str, count: i64) -> Vec<i64> {
    let (s, b) = app
        .send(
            "POST",
            token,
            "/api/v1/tasks/random",
            json!({"source": "routine", "count": count, "conditions": {"region_code": "130229"}}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    b["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

async fn notices_lead_to_their_own_task_and_leave_once_answered(app: TestApp) {
    app.yutian_enterprises(40).await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let mut tasks = random_extraction(&app, &air, 2).await;
    tasks.sort();
    // One notice per task, each naming its enterprise and its own task.
    let (s, notices) = app.get(&water, "/api/v1/notices").await;
    assert_eq!(s, 200, "{notices}");
    let listed: Vec<i64> = notices
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["task_id"].as_i64().expect("every notice names its task"))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, tasks, "{notices}");
    for n in notices.as_array().unwrap() {
        let (_, t) = app
            .get(&air, &format!("/api/v1/tasks/{}", n["task_id"]))
            .await;
        let enterprise = t["enterprise_name"].as_str().unwrap();
        assert!(n["body"].as_str().unwrap().contains(enterprise), "{n}");
    }
    // 水股 declines the first task: its notice leaves the list.
    let (s, b) = app
        .send(
            "POST",
            &water,
            &format!("/api/v1/tasks/{}/participation", tasks[0]),
            json!({"join": false}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, notices) = app.get(&water, "/api/v1/notices").await;
    let left: Vec<i64> = notices
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["task_id"].as_i64().unwrap())
        .collect();
    assert_eq!(left.len(), 1, "{notices}");
    assert!(!left.contains(&tasks[0]));
    // Past the 72 hours nothing can be answered: the list is empty.
    app.clock.advance(Duration::hours(73));
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let (_, notices) = app.get(&water, "/api/v1/notices").await;
    assert_eq!(notices.as_array().unwrap().len(), 0, "{notices}");
}

async fn the_office_is_invited_only_when_the_unit_chooses(app: TestApp) {
    let e = app.first_enterprise().await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let unit = app
        .count(&format!(
            "SELECT id FROM units WHERE short_name = '{YUTIAN}'"
        ))
        .await;
    let path = format!("/api/v1/units/{unit}/joint-invitations");
    // Only the system administrator or the unit's head may choose.
    let (s, b) = app
        .send("PUT", &air, &path, json!({"invite_general": true}))
        .await;
    assert_eq!(s, 403, "{b}");
    let head = bearer(&app, &crate::common::office(&app).await[0].1).await;
    let (s, b) = app
        .send("PUT", &head, &path, json!({"invite_general": true}))
        .await;
    assert_eq!(
        (s, b["joint_invites_general"].as_bool()),
        (200, Some(true)),
        "{b}"
    );
    let task = id(&extract(&app, &air, "routine", e).await);
    let (_, t) = app.get(&air, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(t["participants"].as_array().unwrap().len(), 7, "{t}");
    assert_eq!(participant(&t, "办公室")["kind"], "department");
}

async fn a_completed_task_closes_its_participation(app: TestApp) {
    // 大气股 alone visits and submits; the others never answered.
    let s = crate::common::visit(&app).await;
    crate::common::check_in(&app, s.task).await;
    let inspector = bearer(&app, &s.inspectors[0].1).await;
    let (st, b) = app
        .get(&inspector, &format!("/api/v1/field/tasks/{}/items", s.task))
        .await;
    assert_eq!(st, 200, "{b}");
    let item = b["items"][0]["id"].as_i64().unwrap();
    let (st, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/field/tasks/{}/results", s.task),
            json!({"client_id": "c0ffee00-0000-4000-8000-000000000001",
                   "items": [{"item_id": item, "has_problem": false}],
                   "enterprise_situation": "企业正常生产。", "onsite_findings": "未发现问题。"}),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let (_, t) = app.get(&air, &format!("/api/v1/tasks/{}", s.task)).await;
    assert_eq!(t["status"], "completed", "{t}");
    for p in t["participants"].as_array().unwrap() {
        if p["kind"] != "initiator" {
            assert_eq!(p["decision"], "lapsed", "no 待确认 on a finished task: {t}");
        }
    }
    assert_eq!(t["joint"], "single");
}
