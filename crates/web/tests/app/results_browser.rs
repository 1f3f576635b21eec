//! 检查结果填报 in headless Chromium at 390×844 (RESULT-1…RESULT-5): an
//! inspector of 大气股 fills the form; the draft survives a reload and
//! leaving the page; a photo goes up as it is chosen; a double tap on 提交
//! stores one result — once 「提交后不可修改」 is ticked, 提交 without it
//! sends nothing; 企业基本情况 comes prefilled from the registry; the page
//! turns read-only with 已办理; a second submission is refused. 水股 then submits and the task reads 已完成.
//! Screenshots go to `target/screenshots/`.

use std::time::Duration;

use crate::common::browser::*;
use crate::common::{check_in, visit, with_evidence_folder, Backend, TestApp, PNG, YUTIAN};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use yici_store::Exec;

both_databases!(config = super::with_evidence_folder(); result_entry_on_a_phone);

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Polls a condition in the page until it holds.
async fn until(c: &Client, script: &str, what: &str) {
    for _ in 0..100 {
        if js(c, script).await == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}:\n{}", c.source().await.unwrap_or_default());
}

async fn result_entry_on_a_phone(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    // 大气股 extracts and sets the task; 水股 joins. The visit day, 09:30: checked in.
    let v = visit(&app).joined_by_water(0).await;
    let (task, air, water) = (v.task, v.inspectors, v.water_inspector.unwrap());
    check_in(&app, task).await;

    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(390, 844).await.unwrap();
    log_in(&c, &app, &air[0].1).await;
    let page = format!("/m/tasks/{task}/result");
    c.goto(&app.url(&page)).await.unwrap();
    let items: Vec<i64> = app
        .db
        .clone()
        .fetch_all(
            // The air department's own list of the year (the demo's six items).
            "SELECT p.id FROM plan_items p JOIN tasks t ON t.department_id = p.department_id
               AND t.year = p.year WHERE t.id = $1 AND p.removed_at IS NULL ORDER BY p.position",
            yici_store::args![task],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id").unwrap())
        .collect();
    assert_eq!(items.len(), 6);
    assert!(text(&c, "#result-form")
        .await
        .contains("重污染天气应急减排措施落实情况"));
    let client_id = js(
        &c,
        "return document.querySelector('input[name=client_id]').value",
    )
    .await;
    let client_id = client_id.as_str().unwrap().to_string();
    assert_eq!(client_id.len(), 36, "a UUID made by the browser");
    // 企业基本情况 starts from the registry (一企一档).
    let (uscc, name) = app
        .uscc_and_name(
            app.count(&format!(
                "SELECT enterprise_id FROM tasks WHERE id = {task}"
            ))
            .await,
        )
        .await;
    let situation = js(
        &c,
        "return document.getElementById('enterprise_situation').value",
    )
    .await;
    let situation = situation.as_str().unwrap();
    assert!(
        situation.contains(&format!("企业名称：{name}"))
            && situation.contains(&format!("统一社会信用代码：{uscc}")),
        "{situation}"
    );
    if shoot {
        js(
            &c,
            "document.getElementById('enterprise_situation').scrollIntoView({block: 'center'}); return true",
        )
        .await;
        shot(&c, "result-prefill-phone").await;
        js(&c, "window.scrollTo(0, 0); return true").await;
    }

    // 对排放大气污染物… 否; 重污染天气应急减排措施落实情况 是 with a description.
    click(&c, &format!("input[name=item][value='{}']", items[0])).await;
    click(&c, &format!("input[name=problem_{}][value=no]", items[0])).await;
    click(&c, &format!("input[name=item][value='{}']", items[5])).await;
    click(&c, &format!("input[name=problem_{}][value=yes]", items[5])).await;
    fill(
        &c,
        &format!("textarea[name=desc_{}]", items[5]),
        "现场检查发现企业未落实重污染天气应急期间停限产措施。",
    )
    .await;
    fill(
        &c,
        "#enterprise_situation",
        "唐山某钢铁有限公司，法人代表张某，联系人李某，主要产品为热轧板卷。",
    )
    .await;
    fill(&c, "#onsite_findings", "企业未落实重污染天气应急减排措施。").await;
    assert!(text(&c, "#draft-status").await.contains("草稿已保存"));

    // Reload, and leave and come back: the draft is still there, same id.
    c.refresh().await.unwrap();
    until(
        &c,
        &format!(
            "return document.querySelector('textarea[name=desc_{}]').value.indexOf('停限产') >= 0",
            items[5]
        ),
        "the draft is restored after a reload",
    )
    .await;
    c.goto("about:blank").await.unwrap();
    c.goto(&app.url(&page)).await.unwrap();
    until(
        &c,
        &format!(
            "return document.querySelector('input[name=item][value=\"{}\"]').checked
                && document.querySelector('input[name=problem_{}][value=yes]').checked
                && document.getElementById('onsite_findings').value.length > 0",
            items[5], items[5]
        ),
        "the draft is restored after leaving the page",
    )
    .await;
    assert!(text(&c, "#draft-status").await.contains("已恢复"));
    if shoot {
        js(&c, "window.scrollTo(0, 0); return true").await;
        shot(&c, "result-form-phone").await;
    }
    assert_eq!(
        js(
            &c,
            "return document.querySelector('input[name=client_id]').value"
        )
        .await,
        json!(client_id)
    );

    // A photo: uploaded at once.
    let dir = std::env::temp_dir().join(format!("yici-photo-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("现场照片.png");
    std::fs::write(&file, PNG).unwrap();
    c.find(Locator::Css("#photo-input"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    until(
        &c,
        "return document.querySelectorAll('#photos .rf-photo[data-id] input[name=evidence_ids]').length === 1",
        "the photo is uploaded",
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM evidence").await, 1);
    if shoot {
        js(
            &c,
            "document.getElementById('photos').scrollIntoView(); return true",
        )
        .await;
        shot(&c, "result-photo-phone").await;
    }

    // 提交 without 「提交后不可修改」 ticked: nothing is sent; the request to
    // tick it stands beside the box, and goes once it is ticked.
    click(&c, "#submit-result").await;
    until(
        &c,
        "return !document.getElementById('confirm-error').hidden",
        "the confirmation is asked for",
    )
    .await;
    assert!(text(&c, "#confirm-error").await.contains("提交后不可修改"));
    assert_eq!(app.count("SELECT COUNT(*) FROM task_results").await, 0);
    if shoot {
        shot(&c, "result-confirm-phone").await;
    }
    click(&c, "#confirm-final").await;
    until(
        &c,
        "return document.getElementById('confirm-error').hidden
            && !document.querySelector('#confirm-box.rf-err')",
        "the stale request is cleared once the box is ticked",
    )
    .await;

    // A double tap on 提交: one result.
    js(
        &c,
        "var b = document.getElementById('submit-result'); b.click(); b.click(); return true",
    )
    .await;
    until(
        &c,
        "return !!document.getElementById('result-readonly')",
        "the read-only result",
    )
    .await;
    wait_path(&c, &page).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM task_results").await, 1);
    let done = text(&c, "#result-readonly").await;
    assert!(done.contains("已办理"), "{done}");
    assert!(done.contains("提交后不允许修改结果"), "{done}");
    assert!(done.contains("现场检查发现企业未落实重污染天气应急期间停限产措施。"));
    let states = text(&c, "#department-states").await;
    assert!(
        states.contains("大气股已办理") && states.contains("水股未办理"),
        "{states}"
    );
    assert!(c.find(Locator::Css("#result-form")).await.is_err());
    assert_eq!(
        js(
            &c,
            &format!(
                "return localStorage.getItem('yici-result-{task}-{}')",
                app.department(YUTIAN, "大气股").await
            )
        )
        .await,
        Value::Null,
        "the draft is cleared after the confirmed submission"
    );
    assert_eq!(
        js(
            &c,
            "return document.querySelectorAll('#result-readonly .rf-photos img').length"
        )
        .await,
        json!(1)
    );
    if shoot {
        shot(&c, "result-submitted-phone").await;
    }

    // A second submission is refused: from the page's form post (a stale
    // copy of the page) and through the API.
    let (client, csrf) = app.web_user(&air[0].1).await;
    let r = client
        .post(app.url(&page))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("client_id", "0c0c0c0c-1111-4d5e-8f90-a1b2c3d4e5f6"),
            ("item", &items[1].to_string()),
            (&format!("problem_{}", items[1]), "no"),
            ("enterprise_situation", "改"),
            ("onsite_findings", "改"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("已提交检查结果，提交后不能修改"));
    let inspector = app.token(&air[1].1).await;
    let (s, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/field/tasks/{task}/results"),
            json!({"client_id": "0d0d0d0d-1111-4d5e-8f90-a1b2c3d4e5f6",
                   "items": [{"item_id": items[1], "has_problem": false}],
                   "enterprise_situation": "改", "onsite_findings": "改"}),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("already_submitted")),
        "{b}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM task_results").await, 1);

    // 水股 submits: the task is complete.
    let water_inspector = app.token(&water.1).await;
    let water_item = app
        .count(&format!(
            "SELECT MIN(p.id) FROM plan_items p
               JOIN task_participants tp ON tp.department_id = p.department_id
              WHERE tp.task_id = {task} AND tp.decision = 'join' AND p.year = 2025"
        ))
        .await;
    let (s, b) = app
        .send(
            "POST",
            &water_inspector,
            &format!("/api/v1/field/tasks/{task}/results"),
            json!({"client_id": "0e0e0e0e-1111-4d5e-8f90-a1b2c3d4e5f6",
                   "items": [{"item_id": water_item, "has_problem": false}],
                   "enterprise_situation": "正常生产", "onsite_findings": "未发现问题"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    c.refresh().await.unwrap();
    assert_eq!(text(&c, "#task-status").await, "已完成");
    let states = text(&c, "#department-states").await;
    assert!(states.contains("水股已办理"), "{states}");

    // Installable: a manifest and a service worker.
    let r = app
        .http
        .get(app.url("/manifest.webmanifest"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let manifest: Value = r.json().await.unwrap();
    assert_eq!(manifest["display"], "standalone");
    until(
        &c,
        "return !!(navigator.serviceWorker && navigator.serviceWorker.controller)",
        "the service worker controls the page",
    )
    .await;
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
