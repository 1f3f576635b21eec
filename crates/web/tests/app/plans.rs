//! 行政检查事项清单 and 行政检查计划 (DOC-1) through the API and the pages:
//! rows added, edited and removed by the department's editors only, bad input
//! refused beside its field with nothing written, 复制上一年度, progress
//! counted on the department's tasks, and the public page without login.
//!
//! The demo gives Yutian's departments a list and plan for the clock's year
//! (2025); tests that build their own use 2026 and later.

use crate::common::{secretary_token, TestApp, YUTIAN};
use serde_json::{json, Value};
use yici_domain::time::Clock;
use yici_store::Exec;

both_databases!(
    items_and_plan_rows_are_created_and_edited,
    bad_input_is_refused_beside_its_field_and_nothing_is_written,
    only_the_departments_editors_change_its_rows,
    copying_last_year_fills_an_empty_year_once,
    progress_counts_the_departments_tasks,
    the_public_page_shows_the_lists_without_login,
    the_page_edits_the_list_and_shows_errors_beside_fields,
    an_empty_year_starts_from_the_business_line_template,
    plans_export_to_xlsx_and_print,
);

fn item_body(code: &str, year: i64) -> Value {
    json!({
        "year": year,
        "code": code,
        "name": "排污许可执行情况",
        "content": "是否持证排污、按证排污",
        "objects": "排污许可重点管理单位",
        "basis": "《中华人民共和国大气污染防治法》第十九条；《排污许可管理条例》第十七条"
    })
}

fn row_body(item_id: i64, year: i64) -> Value {
    json!({
        "year": year,
        "item_id": item_id,
        "content": "持证排污情况",
        "objects": "辖区重点排污单位",
        "ratio": "不低于5%",
        "frequency": "每年1次",
        "count": 8,
        "period": format!("{year}年4月—11月")
    })
}

async fn create_item(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.send("POST", token, "/api/v1/plans/items", body).await
}

async fn create_row(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.send("POST", token, "/api/v1/plans/rows", body).await
}

/// Rows of both tables and audit entries: what "nothing written" compares.
async fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM plan_items").await,
        app.count("SELECT COUNT(*) FROM plan_rows").await,
        app.count("SELECT COUNT(*) FROM audit_log").await,
    )
}

async fn items_and_plan_rows_are_created_and_edited(app: TestApp) {
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let air_id = app.department(YUTIAN, "大气股").await;

    let (status, item) = create_item(&app, &air, item_body("air-01-01", 2026)).await;
    assert_eq!(status, 201, "{item}");
    assert_eq!(item["department_id"], air_id);
    assert_eq!(item["year"], 2026);
    assert_eq!(item["code"], "air-01-01");
    assert_eq!(item["position"], 1);
    assert_eq!(item["plan_rows"], 0);
    let item_id = item["id"].as_i64().unwrap();
    let (status, second) = create_item(&app, &air, item_body("air-01-02", 2026)).await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["position"], 2, "added after the last row");

    let (status, row) = create_row(&app, &air, row_body(item_id, 2026)).await;
    assert_eq!(status, 201, "{row}");
    assert_eq!(row["item_id"], item_id);
    assert_eq!(row["item_code"], "air-01-01");
    assert_eq!(row["item_name"], "排污许可执行情况");
    assert_eq!(row["ratio"], "不低于5%");
    assert_eq!(row["count"], 8);
    assert_eq!(row["period"], "2026年4月—11月");
    let row_id = row["id"].as_i64().unwrap();

    // items_for: the list with its 检查依据, as other features read it.
    let items = yici_store::plans::items_for(&app.db, air_id, 2026)
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0].basis.contains("第十九条"));
    assert_eq!(items[0].plan_rows, 1);

    let (status, sheet) = app.get(&air, "/api/v1/plans?year=2026").await;
    assert_eq!(status, 200, "{sheet}");
    assert_eq!(sheet["department"]["name"], "大气股");
    assert_eq!(sheet["items"].as_array().unwrap().len(), 2);
    assert_eq!(sheet["rows"].as_array().unwrap().len(), 1);
    assert_eq!(sheet["progress"]["planned"], 8);
    assert_eq!(sheet["may_edit"], true);
    let (status, rows) = app.get(&air, "/api/v1/plans/rows?year=2026").await;
    assert_eq!((status, rows.as_array().unwrap().len()), (200, 1), "{rows}");

    // Editing an item a plan row names is allowed; the row shows the new name.
    let mut edit = item_body("air-01-01", 2026);
    edit["name"] = json!("排污许可证执行情况");
    let path = format!("/api/v1/plans/items/{item_id}");
    let (status, edited) = app.send("PUT", &air, &path, edit).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["name"], "排污许可证执行情况");
    assert_eq!(edited["position"], 1, "the position stays when not given");
    let (_, rows) = app.get(&air, "/api/v1/plans/rows?year=2026").await;
    assert_eq!(rows[0]["item_name"], "排污许可证执行情况");

    // Removing it is refused while the row names it, with the reason.
    let (status, refused) = app.send("DELETE", &air, &path, json!(null)).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "item_in_use");
    assert!(
        refused["message"].as_str().unwrap().contains("抽查计划"),
        "{refused}"
    );
    // The row moves to the other item; then the first can go.
    let mut moved = row_body(second["id"].as_i64().unwrap(), 2026);
    moved["ratio"] = json!("5%—10%");
    let (status, row) = app
        .send("PUT", &air, &format!("/api/v1/plans/rows/{row_id}"), moved)
        .await;
    assert_eq!(status, 200, "{row}");
    assert_eq!(row["item_code"], "air-01-02");
    let r = app
        .http
        .delete(app.url(&path))
        .bearer_auth(&air)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (_, items) = app.get(&air, "/api/v1/plans/items?year=2026").await;
    assert_eq!(items.as_array().unwrap().len(), 1);
    // A removed item's code is free again.
    let (status, again) = create_item(&app, &air, item_body("air-01-01", 2026)).await;
    assert_eq!(status, 201, "{again}");
    assert_ne!(again["id"], item_id, "ids are never reused");
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/plans/rows/{row_id}")))
        .bearer_auth(&air)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (status, _) = app
        .send(
            "DELETE",
            &air,
            &format!("/api/v1/plans/rows/{row_id}"),
            json!(null),
        )
        .await;
    assert_eq!(status, 404, "removed once");

    // Every change is in the audit trail.
    for (action, n) in [
        ("plan_item.create", 3),
        ("plan_item.update", 1),
        ("plan_item.remove", 1),
        ("plan_row.create", 1),
        ("plan_row.update", 1),
        ("plan_row.remove", 1),
    ] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND actor <> 'system'"
            ))
            .await,
            n,
            "{action}"
        );
    }

    // The OpenAPI document carries the tag.
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "plans"));
    for path in [
        "/api/v1/plans",
        "/api/v1/plans/items",
        "/api/v1/plans/items/{id}",
        "/api/v1/plans/rows",
        "/api/v1/plans/rows/{id}",
        "/api/v1/plans/copy",
        "/api/v1/plans/progress",
        "/api/v1/public/plans",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} in the OpenAPI document"
        );
    }
}

async fn bad_input_is_refused_beside_its_field_and_nothing_is_written(app: TestApp) {
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let (status, item) = create_item(&app, &air, item_body("air-09-01", 2026)).await;
    assert_eq!(status, 201, "{item}");
    let item_id = item["id"].as_i64().unwrap();
    // An item of another department (水股) and one of another year (2027).
    let (_, water_item) = create_item(&app, &water, item_body("water-09-01", 2026)).await;
    let (_, later_item) = create_item(&app, &air, item_body("air-09-01", 2027)).await;
    let before = written(&app).await;

    let with = |base: Value, key: &str, value: Value| {
        let mut b = base;
        if value.is_null() {
            b.as_object_mut().unwrap().remove(key);
        } else {
            b[key] = value;
        }
        b
    };
    let item_cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            with(item_body("x-1", 2026), "code", json!(null)),
            422,
            "code",
            "required",
        ),
        (
            with(item_body("x-1", 2026), "code", json!("a b")),
            422,
            "code",
            "invalid",
        ),
        (
            with(item_body("x-1", 2026), "name", json!("  ")),
            422,
            "name",
            "required",
        ),
        (
            with(item_body("x-1", 2026), "content", json!(null)),
            422,
            "content",
            "required",
        ),
        (
            with(item_body("x-1", 2026), "objects", json!("")),
            422,
            "objects",
            "required",
        ),
        (
            with(item_body("x-1", 2026), "basis", json!(null)),
            422,
            "basis",
            "required",
        ),
        (item_body("air-09-01", 2026), 409, "code", "duplicate"),
        // The demo's list of this year already has DQ-01-01.
        (
            with(item_body("DQ-01-01", 2026), "year", json!(null)),
            409,
            "code",
            "duplicate",
        ),
        (item_body("x-1", 1999), 422, "year", "invalid_year"),
        (item_body("x-1", 2101), 422, "year", "invalid_year"),
    ];
    for (body, status, field, code) in item_cases {
        let (s, b) = create_item(&app, &air, body.clone()).await;
        assert_eq!(s, status, "{body} → {b}");
        assert_eq!(b["field"], field, "{body} → {b}");
        assert_eq!(b["code"], code, "{body} → {b}");
        assert!(
            b["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{4e00}'),
            "a Chinese message: {b}"
        );
    }

    let row = || row_body(item_id, 2026);
    let row_cases: Vec<(Value, &str, &str)> = vec![
        (with(row(), "item_id", json!(null)), "item_id", "required"),
        (with(row(), "content", json!(null)), "content", "required"),
        (with(row(), "objects", json!(" ")), "objects", "required"),
        (with(row(), "ratio", json!(null)), "ratio", "required"),
        (
            with(row(), "ratio", json!("五个")),
            "ratio",
            "invalid_ratio",
        ),
        (with(row(), "ratio", json!("5")), "ratio", "invalid_ratio"),
        (
            with(row(), "ratio", json!("120%")),
            "ratio",
            "invalid_ratio",
        ),
        (
            with(row(), "frequency", json!(null)),
            "frequency",
            "required",
        ),
        (with(row(), "count", json!(0)), "count", "invalid_count"),
        (with(row(), "count", json!(-3)), "count", "invalid_count"),
        (with(row(), "count", json!(null)), "count", "required"),
        (with(row(), "period", json!("")), "period", "required"),
        (with(row(), "year", json!(1999)), "year", "invalid_year"),
        (
            with(row(), "item_id", water_item["id"].clone()),
            "item_id",
            "other_department",
        ),
        (
            with(row(), "item_id", later_item["id"].clone()),
            "item_id",
            "other_year",
        ),
        (
            with(row(), "item_id", json!(999_999)),
            "item_id",
            "unknown_item",
        ),
    ];
    for (body, field, code) in row_cases {
        let (s, b) = create_row(&app, &air, body.clone()).await;
        assert_eq!(s, 422, "{body} → {b}");
        assert_eq!(
            (b["field"].as_str(), b["code"].as_str()),
            (Some(field), Some(code)),
            "{body} → {b}"
        );
    }
    let other = with(row(), "item_id", water_item["id"].clone());
    let (_, b) = create_row(&app, &air, other).await;
    assert!(b["message"].as_str().unwrap().contains("本处室"), "{b}");

    // Edits are checked alike.
    let path = format!("/api/v1/plans/items/{item_id}");
    let (s, b) = app
        .send(
            "PUT",
            &air,
            &path,
            with(item_body("x", 2026), "basis", json!(" ")),
        )
        .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("basis")), "{b}");
    let (s, b) = app
        .send("PUT", &air, &path, item_body("air-01-01", 2026))
        .await;
    assert_eq!(s, 200, "no clash: 2026 has no air-01-01 — {b}");
    let (s, b) = app
        .send("PUT", &air, &path, item_body("water-09-01", 2026))
        .await;
    assert_eq!(s, 200, "codes are per department: {b}");
    let (s, b) = app
        .send(
            "PUT",
            &air,
            "/api/v1/plans/items/999999",
            item_body("y", 2026),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (404, Some("not_found")), "{b}");
    let (s, b) = app
        .send("POST", &air, "/api/v1/plans/copy", json!({"year": 1999}))
        .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("year")), "{b}");
    let (s, b) = app.get(&air, "/api/v1/plans?year=2101").await;
    assert_eq!((s, b["field"].as_str()), (422, Some("year")), "{b}");

    // Nothing but the two successful edits was written.
    let after = written(&app).await;
    assert_eq!((after.0, after.1), (before.0, before.1));
    assert_eq!(
        after.2,
        before.2 + 2,
        "only the two accepted edits are audited"
    );
}

async fn only_the_departments_editors_change_its_rows(app: TestApp) {
    let air_id = app.department(YUTIAN, "大气股").await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let other_county = app.token("tsslnq_dq").await;
    let admin_mobile = app.admin_mobile(air_id).await;
    let air_admin = app.token(&admin_mobile).await;
    // A member of 大气股 with none of the editing roles.
    let member = app.person_of(&air, air_id, false).await;
    let member = app.token(member["mobile"].as_str().unwrap()).await;
    let system = app.token("admin").await;

    let (_, item) = create_item(&app, &air, item_body("air-09-01", 2026)).await;
    let item_id = item["id"].as_i64().unwrap();
    let (_, row) = create_row(&app, &air, row_body(item_id, 2026)).await;
    let row_id = row["id"].as_i64().unwrap();
    let before = written(&app).await;

    let mut as_air = item_body("air-09-02", 2026);
    as_air["department_id"] = json!(air_id);
    let mut row_as_air = row_body(item_id, 2026);
    row_as_air["department_id"] = json!(air_id);
    for (who, token) in [
        ("水股 secretary", &water),
        ("another county's secretary", &other_county),
        ("大气股 member without the roles", &member),
    ] {
        for (method, path, body) in [
            ("POST", "/api/v1/plans/items".to_string(), as_air.clone()),
            (
                "PUT",
                format!("/api/v1/plans/items/{item_id}"),
                item_body("z", 2026),
            ),
            (
                "DELETE",
                format!("/api/v1/plans/items/{item_id}"),
                json!(null),
            ),
            ("POST", "/api/v1/plans/rows".to_string(), row_as_air.clone()),
            (
                "PUT",
                format!("/api/v1/plans/rows/{row_id}"),
                row_body(item_id, 2026),
            ),
            (
                "DELETE",
                format!("/api/v1/plans/rows/{row_id}"),
                json!(null),
            ),
            (
                "POST",
                "/api/v1/plans/copy".to_string(),
                json!({"department_id": air_id, "year": 2027}),
            ),
        ] {
            let (s, b) = app.send(method, token, &path, body).await;
            assert_eq!(s, 403, "{who} {method} {path}: {b}");
            assert_eq!(b["code"], "forbidden");
            assert!(b["message"].as_str().unwrap().contains("只"), "{b}");
        }
    }
    assert_eq!(written(&app).await, before, "refusals write nothing");

    // Readers: the unit, not another county.
    let path = format!("/api/v1/plans?department_id={air_id}&year=2026");
    let (s, b) = app.get(&water, &path).await;
    assert_eq!((s, b["may_edit"].as_bool()), (200, Some(false)), "{b}");
    let (s, b) = app.get(&member, &path).await;
    assert_eq!((s, b["may_edit"].as_bool()), (200, Some(false)), "{b}");
    let (s, b) = app.get(&other_county, &path).await;
    assert_eq!(s, 403, "{b}");
    let (s, _) = app
        .get(
            &other_county,
            &format!("/api/v1/plans/items?department_id={air_id}"),
        )
        .await;
    assert_eq!(s, 403);

    // The administrator (also 承办机构负责人) and the system administrator edit.
    let (s, b) = create_item(&app, &air_admin, item_body("air-09-03", 2026)).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = create_item(&app, &system, as_air.clone()).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["department_id"], air_id);
    // Without a department of its own, the system administrator must name one.
    let (s, b) = create_item(&app, &system, item_body("air-09-04", 2026)).await;
    assert_eq!(
        (s, b["field"].as_str()),
        (422, Some("department_id")),
        "{b}"
    );
}

async fn copying_last_year_fills_an_empty_year_once(app: TestApp) {
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let (_, before) = app.get(&air, "/api/v1/plans?year=2025").await;
    let items_2025 = before["items"].as_array().unwrap().len();
    let rows_2025 = before["rows"].as_array().unwrap().len();
    assert!(
        items_2025 >= 4 && rows_2025 >= 4,
        "the demo's list: {before}"
    );

    let (s, copied) = app
        .send("POST", &air, "/api/v1/plans/copy", json!({"year": 2026}))
        .await;
    assert_eq!(s, 201, "{copied}");
    assert_eq!(copied["from_year"], 2025);
    assert_eq!(copied["items"], items_2025);
    assert_eq!(copied["rows"], rows_2025);

    let (_, after) = app.get(&air, "/api/v1/plans?year=2026").await;
    let items = after["items"].as_array().unwrap();
    let codes = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&after["items"]), codes(&before["items"]));
    for (new, old) in items.iter().zip(before["items"].as_array().unwrap()) {
        assert_eq!(new["basis"], old["basis"]);
        assert_eq!(new["copied_from_id"], old["id"]);
        assert_ne!(new["id"], old["id"]);
    }
    let ids: Vec<&Value> = items.iter().map(|i| &i["id"]).collect();
    for (new, old) in after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .zip(before["rows"].as_array().unwrap())
    {
        assert!(
            ids.contains(&&new["item_id"]),
            "rows name 2026's items: {new}"
        );
        assert_eq!(new["item_code"], old["item_code"]);
        assert_eq!(new["count"], old["count"]);
        assert_eq!(
            new["period"].as_str().unwrap(),
            old["period"].as_str().unwrap().replace("2025年", "2026年")
        );
    }
    assert_eq!(after["progress"]["planned"], before["progress"]["planned"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'plan_item.copy'")
            .await as usize,
        items_2025
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'plan_row.copy'")
            .await as usize,
        rows_2025
    );

    // Refused once the year has rows; and from an empty year.
    let snapshot = written(&app).await;
    let (s, b) = app
        .send("POST", &air, "/api/v1/plans/copy", json!({"year": 2026}))
        .await;
    assert_eq!(
        (s, b["code"].as_str(), b["field"].as_str()),
        (409, Some("conflict"), Some("year")),
        "{b}"
    );
    assert!(
        b["message"].as_str().unwrap().contains("2026年度已有"),
        "{b}"
    );
    let (s, b) = app
        .send("POST", &air, "/api/v1/plans/copy", json!({"year": 2028}))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("nothing_to_copy")),
        "{b}"
    );
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("2027年度没有事项清单"),
        "{b}"
    );
    assert_eq!(written(&app).await, snapshot);

    // The 2025 list is untouched by the copy's later edits.
    let first = items[0]["id"].as_i64().unwrap();
    let mut edit = item_body(items[0]["code"].as_str().unwrap(), 2026);
    edit["name"] = json!("2026年度调整后的事项");
    let (s, _) = app
        .send("PUT", &air, &format!("/api/v1/plans/items/{first}"), edit)
        .await;
    assert_eq!(s, 200);
    let (_, old) = app.get(&air, "/api/v1/plans/items?year=2025").await;
    assert_eq!(old[0]["name"], before["items"][0]["name"]);
}

async fn progress_counts_the_departments_tasks(app: TestApp) {
    app.load_enterprises(60).await;
    let ids: Vec<i64> = app
        .db
        .clone()
        .fetch_all(
            "SELECT id FROM enterprises WHERE region_code = '130229' AND status = 'normal'
                AND NOT positive_list ORDER BY id LIMIT 3",
            vec![],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64>("id").unwrap())
        .collect();
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let water = secretary_token(&app, YUTIAN, "水股").await;
    let (_, start) = app.get(&air, "/api/v1/plans/progress").await;
    let planned = start["planned"].as_i64().unwrap();
    assert!(planned > 0, "the demo's plan: {start}");
    assert_eq!(
        (
            start["drawn"].clone(),
            start["inspected"].clone(),
            start["published"].clone()
        ),
        (json!(0), json!(0), json!(0))
    );

    let (s, tasks) = app
        .send(
            "POST",
            &air,
            "/api/v1/tasks/directed",
            json!({"source": "routine", "enterprise_ids": ids}),
        )
        .await;
    assert_eq!(s, 201, "{tasks}");
    let task = |i: usize| tasks[i]["id"].as_i64().unwrap();
    // 水股's task counts for 水股, not for 大气股.
    let (s, b) = app
        .send(
            "POST",
            &water,
            "/api/v1/tasks/directed",
            json!({"source": "routine", "enterprise_ids": [ids[0]]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app
        .send(
            "POST",
            &air,
            &format!("/api/v1/tasks/{}/cancel", task(2)),
            json!({"reason": "企业已停产"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let complete = |id: i64| {
        let db = app.db.clone();
        let now = app.clock.now();
        async move {
            db.clone()
                .execute(
                    "UPDATE tasks SET status = 'completed', completed_at = $1 WHERE id = $2",
                    yici_store::args![now, id],
                )
                .await
                .unwrap();
        }
    };
    // 已公示 counts published results (一公开), not completed tasks.
    let publish = |id: i64| {
        let db = app.db.clone();
        let now = app.clock.now();
        async move {
            db.clone()
                .execute(
                    "INSERT INTO publications (task_id, unit_id, published_at)
                     SELECT id, unit_id, $1 FROM tasks WHERE id = $2",
                    yici_store::args![now, id],
                )
                .await
                .unwrap();
        }
    };
    complete(task(0)).await;

    let progress = |token: String| {
        let app = &app;
        async move {
            let (s, p) = app.get(&token, "/api/v1/plans/progress").await;
            assert_eq!(s, 200, "{p}");
            (
                p["planned"].as_i64().unwrap(),
                p["drawn"].as_i64().unwrap(),
                p["inspected"].as_i64().unwrap(),
                p["published"].as_i64().unwrap(),
            )
        }
    };
    assert_eq!(progress(air.clone()).await, (planned, 2, 1, 0));
    publish(task(0)).await;
    assert_eq!(progress(air.clone()).await, (planned, 2, 1, 1));

    // A random draw: its tasks count as drawn, then inspected, then published.
    let (s, drawn) = app
        .send(
            "POST",
            &air,
            "/api/v1/tasks/random",
            json!({"source": "routine", "count": 2, "conditions": {"region_code": "130229"}}),
        )
        .await;
    assert_eq!(s, 201, "{drawn}");
    let random: Vec<i64> = drawn["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(random.len(), 2);
    assert_eq!(progress(air.clone()).await, (planned, 4, 1, 1));
    complete(random[0]).await;
    complete(random[1]).await;
    assert_eq!(progress(air.clone()).await, (planned, 4, 3, 1));
    publish(random[0]).await;
    publish(random[1]).await;
    assert_eq!(progress(air.clone()).await, (planned, 4, 3, 3));

    // Another year counts apart; the public view shows the same figures.
    let (_, other) = app.get(&air, "/api/v1/plans/progress?year=2026").await;
    assert_eq!(
        (other["planned"].clone(), other["drawn"].clone()),
        (json!(0), json!(0))
    );
    let unit = app
        .count(&format!(
            "SELECT id FROM units WHERE short_name = '{YUTIAN}'"
        ))
        .await;
    let public: Value = app
        .http
        .get(app.url(&format!("/api/v1/public/plans?unit={unit}&year=2025")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let section = public["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"]["name"] == "大气股")
        .unwrap();
    assert_eq!(section["progress"]["drawn"], 4);
    assert_eq!(section["progress"]["published"], 3);
    let water_section = public["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"]["name"] == "水股")
        .unwrap();
    assert_eq!(water_section["progress"]["drawn"], 1);

    // The page shows the figures too.
    let (client, _) = app
        .web_user(&app.secretary(app.department(YUTIAN, "大气股").await).await)
        .await;
    let html = client
        .get(app.url("/plans"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("id=\"planned\">{planned}<")),
        "planned on the page"
    );
    assert!(html.contains("id=\"drawn\">4<"), "drawn on the page");
    assert!(html.contains("id=\"inspected\">3<"));
    assert!(html.contains("id=\"published\">3<"));
}

async fn the_public_page_shows_the_lists_without_login(app: TestApp) {
    let unit = app
        .count(&format!(
            "SELECT id FROM units WHERE short_name = '{YUTIAN}'"
        ))
        .await;
    // No cookie, no token.
    let r = app
        .http
        .get(app.url(&format!("/public/plans?unit={unit}&year=2025")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    for text in [
        "唐山市生态环境局玉田县分局 2025年度行政检查事项清单和行政检查计划",
        "行政检查事项清单",
        "抽查计划",
        "大气股",
        "水股",
        "固废股",
        "排污许可执行情况",
        "《中华人民共和国大气污染防治法》第十九条",
        "《中华人民共和国固体废物污染环境防治法》第七十八条",
        "抽查比例",
        "不低于5%",
        "2025年4月—11月",
        "抽取对象数量",
        "办公室",
    ] {
        assert!(html.contains(text), "public page shows {text}");
    }
    assert!(
        !html.contains("name=\"_csrf\""),
        "no forms of the staff pages"
    );
    assert!(!html.contains("op-delete"));

    // The same as JSON; every department, with or without rows.
    let r = app
        .http
        .get(app.url(&format!("/api/v1/public/plans?unit={unit}&year=2025")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["unit_name"], "唐山市生态环境局玉田县分局");
    let departments = body["departments"].as_array().unwrap();
    assert_eq!(departments.len(), 7);
    let office = departments
        .iter()
        .find(|d| d["department"]["name"] == "办公室")
        .unwrap();
    assert!(office["items"].as_array().unwrap().is_empty());
    assert!(departments.iter().all(|d| d["may_edit"] == false));

    // Other years and units; bad input.
    let html = app
        .http
        .get(app.url(&format!("/public/plans?unit={unit}&year=2024")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("尚未公开2024年度"), "an empty year says so");
    // Without a choice the page opens on the likely unit — the first county
    // bureau with a published list, here 玉田县分局 — and the current year.
    let r = app.http.get(app.url("/public/plans")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("唐山市生态环境局玉田县分局 2025年度行政检查事项清单和行政检查计划"),
        "{html}"
    );
    assert!(html.contains(&format!("<option value=\"{unit}\" selected>")));
    assert!(!html.contains("id=\"public-choose\""));
    // A year nobody has published: nothing to open on, the visitor chooses.
    let html = app
        .http
        .get(app.url("/public/plans?year=2031"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"public-choose\""), "{html}");
    let r = app
        .http
        .get(app.url("/api/v1/public/plans?unit=999999&year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = app
        .http
        .get(app.url(&format!("/api/v1/public/plans?unit={unit}&year=1999")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["field"], "year");
    // The internal API still needs a login.
    let r = app
        .http
        .get(app.url("/api/v1/plans/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

async fn the_page_edits_the_list_and_shows_errors_beside_fields(app: TestApp) {
    let air_id = app.department(YUTIAN, "大气股").await;
    let login = app.secretary(air_id).await;
    let (client, csrf) = app.web_user(&login).await;
    let page = |path: &str| {
        let client = client.clone();
        let url = app.url(path);
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, html) = page("/plans").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("href=\"/plans\" class=\"active\">检查事项与计划</a>"),
        "menu entry, active"
    );
    assert!(html.contains("排污许可执行情况"));
    assert!(
        html.contains("id=\"item-edit\""),
        "the editor sees the forms"
    );

    // An empty year offers 复制上一年度; the form copies.
    let (_, html) = page("/plans?year=2026").await;
    assert!(html.contains("id=\"copy-button\""), "copy offered");
    let department = air_id.to_string();
    let r = client
        .post(app.url("/plans/copy"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("department", &department),
            ("year", "2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"notice\""),
        "copied: {}",
        &html[..200.min(html.len())]
    );
    assert!(html.contains("2026年4月—11月"));

    // A bad row comes back with the error beside its field and what was typed.
    let item_id = app
        .count(&format!(
            "SELECT MIN(id) FROM plan_items WHERE department_id = {air_id} AND year = 2026"
        ))
        .await
        .to_string();
    let rows_before = app.count("SELECT COUNT(*) FROM plan_rows").await;
    let r = client
        .post(app.url("/plans/rows"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("department", &department),
            ("year", "2026"),
            ("item_id", &item_id),
            ("content", "设施运行情况"),
            ("objects", "重点排污单位"),
            ("ratio", "约五个"),
            ("frequency", "每年1次"),
            ("count", "3"),
            ("period", "2026年5月"),
            ("position", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("抽查比例应为百分比"), "the ratio's message");
    assert!(html.contains("value=\"约五个\""), "what was typed stays");
    assert!(html.contains("value=\"设施运行情况\"") || html.contains(">设施运行情况</textarea>"));
    let r = client
        .post(app.url("/plans/rows"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("department", &department),
            ("year", "2026"),
            ("item_id", &item_id),
            ("content", "设施运行情况"),
            ("objects", "重点排污单位"),
            ("ratio", "5%"),
            ("frequency", "每年1次"),
            ("count", "0"),
            ("period", "2026年5月"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("抽取对象数量应为大于0的整数"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM plan_rows").await,
        rows_before
    );

    // A good item is added; a duplicate code is refused beside 编码.
    let item = [
        ("_csrf", csrf.as_str()),
        ("department", department.as_str()),
        ("year", "2026"),
        ("code", "air-06-01"),
        ("name", "噪声污染防治情况"),
        ("content", "工业噪声污染防治设施运行情况"),
        ("objects", "排放工业噪声的企业"),
        ("basis", "《中华人民共和国噪声污染防治法》"),
        ("position", ""),
    ];
    let r = client
        .post(app.url("/plans/items"))
        .form(&item)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.url().as_str().contains("done=item_created"),
        "{}",
        r.url()
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("噪声污染防治情况"));
    let r = client
        .post(app.url("/plans/items"))
        .form(&item)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("编码“air-06-01”在本处室2026年度事项清单中已存在"));

    // Removing an item a plan row names is refused with the reason.
    let used = app
        .count(&format!(
            "SELECT MIN(item_id) FROM plan_rows WHERE department_id = {air_id} AND year = 2026"
        ))
        .await;
    let r = client
        .post(app.url(&format!("/plans/items/{used}/delete")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("department", &department),
            ("year", "2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        409,
        "an item in use is a conflict, shown on the page"
    );
    assert!(r.text().await.unwrap().contains("不能删除"));

    // An officer without the roles reads only.
    let member: String = app
        .db
        .clone()
        .fetch_one(
            "SELECT mobile FROM people WHERE department_id = $1 AND NOT is_admin AND is_officer
              ORDER BY id LIMIT 1",
            yici_store::args![air_id],
        )
        .await
        .unwrap()
        .get("mobile")
        .unwrap();
    let (member_client, member_csrf) = app.web_user(&member).await;
    let html = member_client
        .get(app.url("/plans"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"read-only\""));
    assert!(!html.contains("id=\"item-edit\""));
    let r = member_client
        .post(app.url("/plans/items"))
        .form(&[
            ("_csrf", member_csrf.as_str()),
            ("department", department.as_str()),
            ("year", "2026"),
            ("code", "air-06-02"),
            ("name", "x"),
            ("content", "x"),
            ("objects", "x"),
            ("basis", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

/// A department with no list for the year starts it from its business
/// line's template in one step: readable codes and the legal basis, once.
async fn an_empty_year_starts_from_the_business_line_template(app: TestApp) {
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let body = json!({"year": 2026});
    let (s, b) = app
        .send("POST", &air, "/api/v1/plans/template", body.clone())
        .await;
    assert_eq!((s, b["items"].as_u64()), (201, Some(6)), "{b}");
    let (_, items) = app.get(&air, "/api/v1/plans/items?year=2026").await;
    let items = items.as_array().unwrap().clone();
    assert_eq!(items.len(), 6);
    assert_eq!(items[0]["code"], "DQ-01");
    assert!(items
        .iter()
        .all(|i| i["basis"].as_str().unwrap().contains("《")));
    // Only into an empty year: a second start is refused, nothing written.
    let (s, b) = app.send("POST", &air, "/api/v1/plans/template", body).await;
    assert_eq!(s, 409, "{b}");
    let (_, again) = app.get(&air, "/api/v1/plans/items?year=2026").await;
    assert_eq!(again.as_array().unwrap().len(), 6);
}

/// The sheets of an XLSX as rows of text, by sheet name.
fn workbook(bytes: Vec<u8>) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

async fn plans_export_to_xlsx_and_print(app: TestApp) {
    let unit = app
        .count(&format!(
            "SELECT id FROM units WHERE short_name = '{YUTIAN}'"
        ))
        .await;
    let live = |table: &str| {
        format!(
            "SELECT COUNT(*) FROM {table} x JOIN departments d ON d.id = x.department_id
              WHERE d.unit_id = {unit} AND x.year = 2025 AND x.removed_at IS NULL"
        )
    };
    let (items, rows) = (
        app.count(&live("plan_items")).await,
        app.count(&live("plan_rows")).await,
    );
    assert!(items > 0 && rows > 0);

    // The public page offers both, without login; the workbook holds the
    // unit's whole list and plan, one sheet each.
    let html = app
        .http
        .get(app.url(&format!("/public/plans?unit={unit}&year=2025")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!(
        "href=\"/public/plans/export?unit={unit}&amp;year=2025\""
    )));
    assert!(html.contains("id=\"plan-print\" href=\"#\" data-print"));
    assert!(html.contains("@media print"), "a print stylesheet");
    assert!(html.contains("/assets/yici.js"), "the script that prints");
    let r = app
        .http
        .get(app.url(&format!("/public/plans/export?unit={unit}&year=2025")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let disposition =
        String::from_utf8_lossy(r.headers()["content-disposition"].as_bytes()).to_string();
    assert!(
        disposition.contains("filename*=UTF-8''")
            && disposition.ends_with(".xlsx")
            && disposition.contains("%E8%A1%8C%E6%94%BF"),
        "a Chinese file name: {disposition}"
    );
    let book = workbook(r.bytes().await.unwrap().to_vec());
    assert_eq!(book.len(), 2);
    let (name, list) = &book[0];
    assert_eq!(name, "行政检查事项清单");
    assert_eq!(
        list[0],
        [
            "处室",
            "序号",
            "编码",
            "检查事项",
            "检查内容",
            "检查对象",
            "检查依据"
        ]
    );
    assert_eq!(list.len() as i64 - 1, items);
    assert!(list
        .iter()
        .any(|r| r[0] == "大气股" && r[6].contains("《中华人民共和国大气污染防治法》第十九条")));
    assert!(list.iter().any(|r| r[0] == "固废股"));
    let (name, plan) = &book[1];
    assert_eq!(name, "抽查计划");
    assert_eq!(plan[0][0], "发起部门");
    assert_eq!(plan[0][7], "抽取对象数量");
    assert_eq!(plan.len() as i64 - 1, rows);
    assert!(plan
        .iter()
        .any(|r| r[5] == "不低于5%" && r[8] == "2025年4月—11月"));

    // The department's own page: its rows only, for the unit's people.
    let air = app.department(YUTIAN, "大气股").await;
    let (client, _) = app.web_user(&app.secretary(air).await).await;
    let html = app.html(&client, "/plans?year=2025").await;
    assert!(html.contains(&format!(
        "href=\"/plans/export?department={air}&amp;year=2025\""
    )));
    assert!(html.contains("data-print"));
    let r = client
        .get(app.url("/plans/export?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let book = workbook(r.bytes().await.unwrap().to_vec());
    let air_items = app
        .count(&format!(
            "SELECT COUNT(*) FROM plan_items WHERE department_id = {air} AND year = 2025 AND removed_at IS NULL"
        ))
        .await;
    assert_eq!(book[0].1.len() as i64 - 1, air_items);
    assert!(book[0].1.iter().skip(1).all(|r| r[0] == "大气股"));
    assert!(book[1].1.iter().skip(1).all(|r| r[0] == "大气股"));

    // Another unit's people do not export Yutian's department; bad input is
    // answered in words.
    let city_dept = app.department("唐山市生态环境局", "大气环境科").await;
    let (city_client, _) = app.web_user(&app.secretary(city_dept).await).await;
    let r = city_client
        .get(app.url(&format!("/plans/export?department={air}&year=2025")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = client
        .get(app.url("/plans/export?year=1999"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let r = app
        .http
        .get(app.url("/public/plans/export?unit=abc&year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}
