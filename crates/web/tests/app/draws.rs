//! Double-random extraction through the API (DRAW-1…DRAW-10): caps and their
//! marks, cancellation, reproducible draws and their public record, inspector
//! draws with 回避, bad input — and the caps under 64 concurrent requests, on
//! one instance and on two sharing the database.

use std::sync::Arc;

use crate::common::{bearer, extraction, secretary_token, TestApp, HEAVY, YUTIAN};
use chrono::Duration;
use serde_json::{json, Value};
use yici_store::Exec;
use yici_web::WebConfig;

async fn directed(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.send("POST", token, "/api/v1/tasks/directed", body)
        .await
}

/// The extraction list's row for an enterprise, as `token`'s holder sees it.
async fn marked(app: &TestApp, token: &str, enterprise: i64) -> Value {
    let (status, page) = app
        .get(
            token,
            "/api/v1/extraction/enterprises?region_code=130229&per_page=200",
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["enterprise"]["id"] == json!(enterprise))
        .expect("enterprise listed")
        .clone()
}

/// Every counter of the cap ledger equals the capped, not cancelled tasks it counts.
async fn assert_counters_equal_rows(app: &TestApp) {
    let rows = app
        .db
        .clone()
        .fetch_all(
            "SELECT c.scope, c.year, c.enterprise_id, c.used, c.cap,
                    (SELECT COUNT(*) FROM tasks t
                      WHERE t.enterprise_id = c.enterprise_id AND t.year = c.year AND t.capped
                        AND t.status <> 'cancelled'
                        AND (c.scope = 'all'
                             OR c.scope = 'unit:' || CAST(t.unit_id AS TEXT)
                             OR c.scope = 'department:' || CAST(t.department_id AS TEXT))) AS n
               FROM cap_counters c",
            vec![],
        )
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        let (scope, used, cap, n): (String, i64, i64, i64) = (
            r.get("scope").unwrap(),
            r.get("used").unwrap(),
            r.get("cap").unwrap(),
            r.get("n").unwrap(),
        );
        assert_eq!(used, n, "counter {scope} says {used}, tasks say {n}");
        assert!(used <= cap, "{scope}: {used} > {cap}");
    }
}

async fn two_departments_draw_and_the_third_is_refused(app: TestApp) {
    let ids = app.yutian_enterprises(60).await;
    let e = ids[0];
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let soil = secretary_token(&app, YUTIAN, "土壤股").await;

    assert_eq!(marked(&app, &air, e).await["mark"], "none");
    let (status, tasks) = extraction(&app, &air, "routine", e).await;
    assert_eq!(status, 201, "{tasks}");
    let task = &tasks[0];
    assert_eq!(task["status"], "drawn");
    assert_eq!(task["capped"], true);
    assert_eq!(task["method"], "directed");
    assert_eq!(task["department_name"], "大气股");
    assert!(task["created_by_name"].as_str().unwrap().contains("大气股"));

    // Yellow for the unit; open to 水股, closed to 大气股 itself.
    let row = marked(&app, &water, e).await;
    assert_eq!(
        (row["mark"].clone(), row["allowed"].clone()),
        (json!("yellow"), json!(true))
    );
    let row = marked(&app, &air, e).await;
    assert_eq!(row["allowed"], false);
    assert!(row["note"].as_str().unwrap().contains("本处室"), "{row}");
    let (status, body) = extraction(&app, &air, "routine", e).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("cap_department")),
        "{body}"
    );

    let (status, water_tasks) = extraction(&app, &water, "routine", e).await;
    assert_eq!(status, 201, "{water_tasks}");

    // Red: the third department of the unit is refused, with the reason.
    let row = marked(&app, &soil, e).await;
    assert_eq!(
        (row["mark"].clone(), row["allowed"].clone()),
        (json!("red"), json!(false))
    );
    let (status, body) = extraction(&app, &soil, "routine", e).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "cap_unit");
    assert!(body["message"].as_str().unwrap().contains("红色"), "{body}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM tasks WHERE enterprise_id = {e}"
        ))
        .await,
        2
    );

    // Cancelling needs a reason and the initiating department; it frees the slot.
    let water_task = water_tasks[0]["id"].as_i64().unwrap();
    let cancel = format!("/api/v1/tasks/{water_task}/cancel");
    let (status, body) = app
        .send("POST", &water, &cancel, json!({"reason": " "}))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("reason")),
        "{body}"
    );
    let (status, body) = app
        .send("POST", &soil, &cancel, json!({"reason": "误抽"}))
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = app
        .send(
            "POST",
            &water,
            &cancel,
            json!({"reason": "企业停产整改，改由专项检查"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["cancel_reason"], "企业停产整改，改由专项检查");
    let (status, _) = app
        .send("POST", &water, &cancel, json!({"reason": "再取消"}))
        .await;
    assert_eq!(status, 409, "a cancelled task is not cancelled twice");
    assert_eq!(marked(&app, &soil, e).await["mark"], "yellow");
    let (status, body) = extraction(&app, &soil, "routine", e).await;
    assert_eq!(status, 201, "{body}");

    // The cancelled task stays in the history.
    let (_, list) = app
        .get(&water, "/api/v1/tasks?view=initiated&status=cancelled")
        .await;
    assert_eq!(list["total"], 1, "{list}");
    assert_counters_equal_rows(&app).await;

    // The enterprise's profile lists the unit's tasks on it (检查记录).
    let login = app.secretary(app.department(YUTIAN, "大气股").await).await;
    let (client, _) = app.web_user(&login).await;
    let html = client
        .get(app.url(&format!("/enterprises/{e}?tab=inspections")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("href=\"/tasks/").count(), 3, "{html}");
    assert!(html.contains("已取消") && html.contains("水股"));
}

async fn bad_extraction_requests_write_nothing(app: TestApp) {
    let ids = app.yutian_enterprises(60).await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water_dept = app.department(YUTIAN, "水股").await;
    let elsewhere: i64 = app
        .count("SELECT MIN(id) FROM enterprises WHERE region_code <> '130229'")
        .await;
    let closed = app
        .count("SELECT MIN(id) FROM enterprises WHERE region_code = '130229'")
        .await;
    app.execute(
        "UPDATE enterprises SET status = 'closed' WHERE id = $1",
        yici_store::args![closed],
    )
    .await;
    let cases = [
        (
            json!({"source": "routine", "enterprise_ids": []}),
            422,
            "required",
        ),
        (
            json!({"source": "routine", "enterprise_ids": [99999999]}),
            422,
            "unknown_enterprise",
        ),
        (
            json!({"source": "routine", "enterprise_ids": [elsewhere]}),
            422,
            "unknown_enterprise",
        ),
        (
            json!({"source": "routine", "enterprise_ids": [closed]}),
            422,
            "enterprise_closed",
        ),
        (
            json!({"source": "routine", "enterprise_ids": [ids[1], ids[1]]}),
            422,
            "duplicate_enterprise",
        ),
        (json!({"enterprise_ids": [ids[1]]}), 422, "required"),
        (
            json!({"source": "抽查", "enterprise_ids": [ids[1]]}),
            422,
            "invalid",
        ),
        (
            json!({"source": "routine", "year": 2024, "enterprise_ids": [ids[1]]}),
            422,
            "past_year",
        ),
        (
            json!({"source": "routine", "department_id": water_dept, "enterprise_ids": [ids[1]]}),
            403,
            "forbidden",
        ),
        (
            json!({"source": "complaint", "emergency": "urgent_complaint", "enterprise_ids": [ids[1]]}),
            422,
            "required",
        ),
        (
            json!({"source": "routine", "enterprise_ids": "all"}),
            422,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let (s, b) = directed(&app, &air, body.clone()).await;
        assert_eq!(s, status, "{body} → {b}");
        assert_eq!(b["code"].as_str(), Some(code), "{body} → {b}");
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
    // Random extraction: counts, sources, and more than there are candidates.
    for (body, code) in [
        (json!({"source": "routine", "count": 0}), "invalid"),
        (json!({"source": "routine", "count": -3}), "invalid"),
        (json!({"source": "routine", "count": 5000}), "too_many"),
        (
            json!({"source": "routine", "count": 150, "conditions": {"region_code": "130229"}}),
            "too_many",
        ),
        (json!({"source": "complaint", "count": 1}), "invalid"),
        (json!({"count": 1}), "required"),
        // A county outside the unit's scope: nothing there may be drawn.
        (
            json!({"source": "routine", "count": 1, "conditions": {"region_code": "130102"}}),
            "no_candidates",
        ),
    ] {
        let (s, b) = app
            .send("POST", &air, "/api/v1/tasks/random", body.clone())
            .await;
        assert_eq!((s, b["code"].as_str()), (422, Some(code)), "{body} → {b}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM draws").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM cap_counters WHERE used > 0")
            .await,
        0
    );
}

async fn random_draws_are_recorded_verified_and_published_after_the_visits(app: TestApp) {
    let ids = app.yutian_enterprises(80).await;
    // Positive-list, suspended and closed enterprises are never candidates.
    let excluded = [ids[0], ids[1], ids[2]];
    for (sql, id) in [
        (
            "UPDATE enterprises SET positive_list = TRUE WHERE id = $1",
            excluded[0],
        ),
        (
            "UPDATE enterprises SET status = 'suspended' WHERE id = $1",
            excluded[1],
        ),
        (
            "UPDATE enterprises SET status = 'closed' WHERE id = $1",
            excluded[2],
        ),
    ] {
        app.execute(sql, yici_store::args![id]).await;
    }
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    // 大气股 already holds one of them: it is left out too.
    let (status, _) = extraction(&app, &air, "routine", ids[3]).await;
    assert_eq!(status, 201);

    let (status, drawn) = app
        .send(
            "POST",
            &air,
            "/api/v1/tasks/random",
            json!({"source": "routine", "count": 5, "conditions": {"region_code": "130229"}}),
        )
        .await;
    assert_eq!(status, 201, "{drawn}");
    let draw = &drawn["draw"];
    let draw_id = draw["id"].as_i64().unwrap();
    assert_eq!(drawn["tasks"].as_array().unwrap().len(), 5);
    assert!(drawn["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["method"] == "random" && t["draw_id"] == json!(draw_id)));
    assert_eq!(draw["algorithm"], "sha256-es-v1");
    // The answer leaves out the candidate list; the record has it.
    assert!(draw["candidates"].is_null());
    let (_, internal) = app.get(&air, &format!("/api/v1/draws/{draw_id}")).await;
    assert_eq!(
        internal["verification"]["result_matches"], true,
        "{internal}"
    );
    let candidates = internal["draw"]["candidates"].as_str().unwrap();
    let listed: Vec<i64> = candidates
        .lines()
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        listed.len() as i64,
        draw["candidate_count"].as_i64().unwrap()
    );
    for e in excluded.iter().chain([&ids[3]]) {
        assert!(!listed.contains(e), "{e} must not be a candidate");
    }
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "sorted by id");

    // Anyone with the record re-runs it: the domain sampler gives the same result.
    let record = yici_domain::draw::record::DrawRecord {
        algorithm: draw["algorithm"].as_str().unwrap().into(),
        seed: draw["seed"].as_str().unwrap().into(),
        candidates: candidates.into(),
        candidates_hash: draw["candidates_hash"].as_str().unwrap().into(),
        commitment: draw["commitment"].as_str().unwrap().into(),
        result: serde_json::from_value(draw["result"].clone()).unwrap(),
    };
    assert!(yici_domain::draw::record::verify(&record).unwrap().holds());
    let (_, internal) = app.get(&air, &format!("/api/v1/draws/{draw_id}")).await;
    assert_eq!(
        internal["verification"]["result_matches"], true,
        "{internal}"
    );

    // The public sees the commitment only while the visits are pending.
    let public = format!("/api/v1/public/draws/{draw_id}");
    let r = app.http.get(app.url(&public)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let sealed: Value = r.json().await.unwrap();
    assert_eq!(sealed["draw"]["revealed"], false);
    assert_eq!(sealed["draw"]["commitment"], draw["commitment"]);
    assert!(sealed["draw"]["seed"].is_null() && sealed["draw"]["candidates"].is_null());
    assert!(sealed["drawn"].as_array().unwrap().is_empty());
    // Another unit's user can't read the full record before then either.
    let city = secretary_token(&app, "唐山市生态环境局", "大气环境科").await;
    assert_eq!(
        app.get(&city, &format!("/api/v1/draws/{draw_id}")).await.0,
        404
    );

    // A re-draw is a new record; the first stays as it was.
    let (status, second) = app
        .send(
            "POST",
            &air,
            "/api/v1/tasks/random",
            json!({"source": "special_campaign", "count": 2, "conditions": {"region_code": "130229"}}),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["draw"]["id"], draw["id"]);
    assert_ne!(second["draw"]["seed"], draw["seed"]);

    for t in drawn["tasks"].as_array().unwrap() {
        let (s, b) = app
            .send(
                "POST",
                &air,
                &format!("/api/v1/tasks/{}/cancel", t["id"]),
                json!({"reason": "计划调整"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let open: Value = app
        .http
        .get(app.url(&public))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(open["draw"]["revealed"], true, "{open}");
    assert_eq!(open["draw"]["seed"], draw["seed"]);
    assert_eq!(open["verification"]["commitment_matches"], true);
    assert_eq!(open["drawn"].as_array().unwrap().len(), 5);
    assert_counters_equal_rows(&app).await;
}

/// DRAW-7: the warning counts the unit's uncapped tasks only, and says so.
async fn routine_checks_do_not_count_toward_the_reasonable_frequency(app: TestApp) {
    let e = app.yutian_enterprises(60).await[1];
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    // Two capped (routine) tasks of the unit: the unit's cap, one per department.
    for token in [&air, &water] {
        let (s, b) = directed(
            &app,
            token,
            json!({"source": "routine", "enterprise_ids": [e]}),
        )
        .await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(b[0]["capped"], true);
    }
    // Uncapped ones up to the threshold (2) need no reason…
    let complaint = json!({"source": "complaint", "enterprise_ids": [e]});
    for _ in 0..2 {
        let (s, b) = directed(&app, &air, complaint.clone()).await;
        assert_eq!(s, 201, "{b}");
        assert!(b[0]["frequency_note"].is_null(), "{b}");
    }
    // …one more does, and the message states the uncapped count truthfully.
    let (s, b) = directed(&app, &air, complaint.clone()).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("frequency_warning")),
        "{b}"
    );
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .ends_with("本单位本年度已对该企业开展2次上限外检查（投诉举报、专项等），再次检查将超过合理频次（2次），须填写确认理由后方可发起"),
        "{b}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM tasks WHERE enterprise_id = {e}"
        ))
        .await,
        4,
        "the refused one wrote nothing"
    );
}

async fn uncapped_sources_and_emergencies(app: TestApp) {
    let ids = app.yutian_enterprises(60).await;
    let e = ids[0];
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let complaint = json!({"source": "complaint", "enterprise_ids": [e]});
    for _ in 0..2 {
        let (s, b) = directed(&app, &air, complaint.clone()).await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(b[0]["capped"], false);
    }
    // The third uncapped check by the unit this year needs an acknowledged reason.
    let (s, b) = directed(&app, &air, complaint.clone()).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("frequency_warning")),
        "{b}"
    );
    assert!(b["message"].as_str().unwrap().contains("合理频次"));
    let (s, b) = directed(
        &app,
        &air,
        json!({"source": "complaint", "enterprise_ids": [e], "acknowledge_reason": "群众反映夜间异味，需第三次核查"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b[0]["frequency_note"], "群众反映夜间异味，需第三次核查");
    // Uncapped tasks take no cap slot: a routine check is still open.
    assert_eq!(marked(&app, &air, e).await["mark"], "none");
    assert_eq!(app.count("SELECT COUNT(*) FROM cap_counters").await, 0);

    // An emergency is recorded afterwards with the date it happened.
    let yesterday = (app.today() - Duration::days(1)).to_string();
    let (s, b) = directed(
        &app,
        &air,
        json!({"source": "media_report", "emergency": "public_opinion", "inspected_on": yesterday, "enterprise_ids": [ids[1]]}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b[0]["emergency"], "public_opinion");
    assert_eq!(b[0]["inspected_on"], json!(yesterday));
    let tomorrow = app.tomorrow().to_string();
    let (s, b) = directed(
        &app,
        &air,
        json!({"source": "media_report", "emergency": "public_opinion", "inspected_on": tomorrow, "enterprise_ids": [ids[2]]}),
    )
    .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("inspected_on")), "{b}");
}

async fn inspectors_are_drawn_from_enabled_officers_without_conflicts(app: TestApp) {
    let ids = app.yutian_enterprises(60).await;
    let e = ids[0];
    let air_dept = app.department(YUTIAN, "大气股").await;
    let air = bearer(&app, &app.secretary(air_dept).await).await;
    let (_, tasks) = extraction(&app, &air, "routine", e).await;
    let task = tasks[0]["id"].as_i64().unwrap();
    let officers: Vec<i64> = app
        .db
        .clone()
        .fetch_all(
            "SELECT id FROM people WHERE department_id = $1 AND is_officer ORDER BY id",
            yici_store::args![air_dept],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id").unwrap())
        .collect();
    assert!(officers.len() >= 4, "demo 大气股 has officers");
    let non_officer = app
        .count(&format!(
            "SELECT COUNT(*) FROM people WHERE department_id = {air_dept} AND NOT is_officer"
        ))
        .await;
    assert!(non_officer >= 1);
    // One disabled, one with a lapsed certificate, one recused.
    app.execute(
        "UPDATE people SET status = 'disabled' WHERE id = $1",
        yici_store::args![officers[0]],
    )
    .await;
    app.execute(
        "UPDATE people SET certificate_valid_until = $1 WHERE id = $2",
        yici_store::args![
            chrono::NaiveDate::from_ymd_opt(2025, 5, 31).unwrap(),
            officers[1]
        ],
    )
    .await;
    let (s, b) = app
        .send(
            "POST",
            &air,
            "/api/v1/recusals",
            json!({"person_id": officers[2], "enterprise_id": e, "reason": "配偶在该企业任职"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, _) = app
        .send(
            "POST",
            &air,
            "/api/v1/recusals",
            json!({"person_id": officers[2], "enterprise_id": e, "reason": "重复"}),
        )
        .await;
    assert_eq!(s, 409);
    let eligible: Vec<i64> = officers[3..].to_vec();

    let draw = format!("/api/v1/tasks/{task}/inspectors/draw");
    if eligible.len() < 3 {
        let (s, b) = app.send("POST", &air, &draw, json!({"count": 3})).await;
        assert_eq!((s, b["code"].as_str()), (422, Some("too_many")), "{b}");
        assert!(b["message"].as_str().unwrap().contains("回避"));
    }
    let (s, b) = app.send("POST", &air, &draw, json!({"count": 1})).await;
    assert_eq!(
        (s, b["field"].as_str()),
        (422, Some("count")),
        "at least two: {b}"
    );
    for _ in 0..5 {
        let (s, b) = app.send("POST", &air, &draw, json!({})).await;
        if eligible.len() < 2 {
            assert_eq!(s, 422, "{b}");
            continue;
        }
        assert_eq!(s, 201, "{b}");
        let drawn: Vec<i64> = b["task"]["inspectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["person_id"].as_i64().unwrap())
            .collect();
        assert_eq!(drawn.len(), 2, "a re-draw replaces the drawn inspectors");
        assert!(
            drawn.iter().all(|p| eligible.contains(p)),
            "{drawn:?} ⊄ {eligible:?}"
        );
        assert!(b["task"]["inspectors"][0]["drawn"].as_bool().unwrap());
        assert_eq!(b["draw"]["kind"], "inspectors");
    }
    // Another department may not draw this task's inspectors.
    let water = secretary_token(&app, YUTIAN, "水股").await;
    assert_eq!(app.send("POST", &water, &draw, json!({})).await.0, 403);

    // A city department draws from its own officers and, when asked, from the
    // corresponding departments of its counties.
    let city = secretary_token(&app, "唐山市生态环境局", "大气环境科").await;
    let (s, b) = extraction(&app, &city, "routine", ids[5]).await;
    assert_eq!(s, 201, "{b}");
    let city_draw = format!("/api/v1/tasks/{}/inspectors/draw", b[0]["id"]);
    let (s, b) = app
        .send("POST", &city, &city_draw, json!({"count": 3}))
        .await;
    assert_eq!(s, 422, "the city department alone has two officers: {b}");
    let (s, b) = app
        .send(
            "POST",
            &city,
            &city_draw,
            json!({"count": 3, "include_subordinate": true}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert!(b["task"]["inspectors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["department_name"].as_str().unwrap().starts_with("大气")));
}

async fn the_task_list_filters_by_view_region_status_and_initiator(app: TestApp) {
    let ids = app.yutian_enterprises(60).await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let city = secretary_token(&app, "唐山市生态环境局", "大气环境科").await;
    for id in &ids[..3] {
        assert_eq!(extraction(&app, &air, "routine", *id).await.0, 201);
    }
    assert_eq!(extraction(&app, &water, "routine", ids[3]).await.0, 201);
    assert_eq!(extraction(&app, &city, "routine", ids[0]).await.0, 201);

    let total = |v: Value| v["total"].as_i64().unwrap();
    assert_eq!(
        total(app.get(&air, "/api/v1/tasks?view=initiated").await.1),
        3
    );
    assert_eq!(
        total(app.get(&air, "/api/v1/tasks").await.1),
        4,
        "the unit's tasks"
    );
    assert_eq!(
        total(app.get(&water, "/api/v1/tasks?view=may_join").await.1),
        3
    );
    assert_eq!(
        total(app.get(&air, "/api/v1/tasks?initiator=水股").await.1),
        1
    );
    assert_eq!(
        total(app.get(&air, "/api/v1/tasks?region_code=130229").await.1),
        4
    );
    assert_eq!(
        total(app.get(&air, "/api/v1/tasks?region_code=130200").await.1),
        4
    );
    assert_eq!(
        total(app.get(&air, "/api/v1/tasks?status=cancelled").await.1),
        0
    );
    assert_eq!(total(app.get(&air, "/api/v1/tasks?year=2024").await.1), 0);
    assert_eq!(
        total(app.get(&city, "/api/v1/tasks").await.1),
        1,
        "the city sees its own"
    );
    // LIKE wildcards typed by a user are plain characters.
    assert_eq!(
        total(app.get(&air, "/api/v1/tasks?initiator=%25").await.1),
        0
    );
    assert_eq!(total(app.get(&air, "/api/v1/tasks?keyword=_").await.1), 0);
    let (s, b) = app.get(&air, "/api/v1/tasks?view=mine").await;
    assert_eq!((s, b["field"].as_str()), (422, Some("view")));
    // A task of another unit is not found for Yutian.
    let city_task = app
        .count("SELECT id FROM tasks WHERE unit_id = (SELECT id FROM units WHERE short_name = '唐山市生态环境局')")
        .await;
    assert_eq!(
        app.get(&air, &format!("/api/v1/tasks/{city_task}")).await.0,
        404
    );
    // Who drew it and when is on the task.
    let (_, t) = app.get(&city, &format!("/api/v1/tasks/{city_task}")).await;
    assert!(
        t["created_at"].as_str().unwrap().starts_with("2025-06-02"),
        "{t}"
    );
    assert!(
        t["created_by_name"]
            .as_str()
            .unwrap()
            .contains("大气环境科"),
        "{t}"
    );
    // 我可参与的 closes after three days (manual 3.2.3); sessions idle out
    // meanwhile, so 水股 logs in again.
    app.clock.advance(Duration::hours(73));
    let login = app.secretary(app.department(YUTIAN, "水股").await).await;
    let (_, session) = app.api_login(&login, crate::common::NEW_PASSWORD).await;
    let water = session["token"].as_str().unwrap();
    assert_eq!(
        total(app.get(water, "/api/v1/tasks?view=may_join").await.1),
        0
    );
}

/// Tokens of every ecology department of Yutian, Tangshan and the province.
async fn many_departments(app: &TestApp) -> Vec<String> {
    let logins: Vec<String> = app
        .db
        .clone()
        .fetch_all(
            "SELECT a.login FROM accounts a
               JOIN departments d ON d.id = a.department_id
               JOIN units u ON u.id = d.unit_id
              WHERE a.kind = 'secretary' AND u.short_name IN ('玉田县分局', '唐山市生态环境局', '省厅')
              ORDER BY a.login",
            vec![],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("login").unwrap())
        .collect();
    assert!(logins.len() >= 20, "{logins:?}");
    let mut tokens = Vec::new();
    for l in logins {
        tokens.push(app.token(&l).await);
    }
    tokens
}

/// 64 extraction requests on one enterprise behind a barrier, spread over
/// `apps` (instances on one database): the caps hold, each refusal says why,
/// the ledger equals the rows.
async fn hammer(first: TestApp, second: Option<TestApp>) {
    let e = first.yutian_enterprises(40).await[0];
    let tokens = many_departments(&first).await;
    let db = first.db.clone();
    let apps: Vec<TestApp> = std::iter::once(first).chain(second).collect();
    let barrier = Arc::new(tokio::sync::Barrier::new(64));
    let apps = Arc::new(apps);
    let mut handles = Vec::new();
    for i in 0..64 {
        let (apps, barrier) = (apps.clone(), barrier.clone());
        let token = tokens[i % tokens.len()].clone();
        handles.push(tokio::spawn(async move {
            let app = &apps[i % apps.len()];
            barrier.wait().await;
            extraction(app, &token, "routine", e).await
        }));
    }
    let mut created = 0;
    for h in handles {
        let (status, body) = h.await.unwrap();
        match status {
            201 => created += 1,
            409 => {
                let code = body["code"].as_str().unwrap();
                assert!(code.starts_with("cap_"), "{body}");
                assert!(body["message"].as_str().unwrap().contains("次"), "{body}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    // All-levels cap 5 (configured below) binds before the three units' 2 + 2 + 2.
    assert_eq!(created, 5);
    let app = &apps[0];
    let per = |sql: &str| {
        let db = db.clone();
        let sql = sql.to_string();
        async move {
            db.clone()
                .fetch_all(&sql, yici_store::args![e])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<i64>("n").unwrap())
                .collect::<Vec<i64>>()
        }
    };
    let units =
        per("SELECT COUNT(*) AS n FROM tasks WHERE enterprise_id = $1 GROUP BY unit_id").await;
    assert!(units.iter().all(|n| *n <= 2), "{units:?}");
    let depts =
        per("SELECT COUNT(*) AS n FROM tasks WHERE enterprise_id = $1 GROUP BY department_id")
            .await;
    assert!(depts.iter().all(|n| *n <= 1), "{depts:?}");
    assert_counters_equal_rows(app).await;
}

fn capped_at_five() -> WebConfig {
    let mut config = WebConfig::default();
    config.draw.caps.all_levels = 5;
    config
}

async fn caps_hold_under_64_concurrent_requests(app: TestApp) {
    let _heavy = HEAVY.lock().await;
    let one = app.instance(capped_at_five()).await;
    hammer(one, None).await;
}

async fn caps_hold_across_two_instances(app: TestApp) {
    let _heavy = HEAVY.lock().await;
    let a = app.instance(capped_at_five()).await;
    let b = app.instance(capped_at_five()).await;
    hammer(a, Some(b)).await;
}

both_databases!(
    two_departments_draw_and_the_third_is_refused,
    bad_extraction_requests_write_nothing,
    random_draws_are_recorded_verified_and_published_after_the_visits,
    uncapped_sources_and_emergencies,
    routine_checks_do_not_count_toward_the_reasonable_frequency,
    inspectors_are_drawn_from_enabled_officers_without_conflicts,
    the_task_list_filters_by_view_region_status_and_initiator,
    caps_hold_under_64_concurrent_requests,
    caps_hold_across_two_instances,
);
