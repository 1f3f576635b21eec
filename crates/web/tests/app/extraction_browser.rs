//! 批量设置 in headless Chromium, at 1920×1080 and 390×844 (issue 26 items
//! 3, 4): 大气股 ticks two of its new tasks on the list, opens the 设置
//! dialog, is refused beside the date (nothing written), then sets both and
//! is back on the list with the notice; a single task's dialog on a phone.
//! Screenshots go to `target/screenshots/`.

use std::time::Duration;

use crate::common::browser::*;
use crate::common::{extract, id, secretary_token, Backend, TestApp, YUTIAN};
use fantoccini::{Client, Locator};
use serde_json::json;

both_databases!(batch_settings_in_a_real_browser);

async fn tick(c: &Client, css: &str) {
    let b = c.find(Locator::Css(css)).await.unwrap();
    if !b.is_selected().await.unwrap() {
        b.click().await.unwrap();
    }
}

async fn batch_settings_in_a_real_browser(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let mut ids = Vec::new();
    for e in app.yutian_enterprises(60).await.into_iter().take(3) {
        ids.push(id(&extract(&app, &air, "routine", e).await));
    }
    let officers = app.officers(YUTIAN, "大气股").await;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    // The secretary changed its initial password when it took its token.
    log_in_again(&c, &app, "tssytx_dq").await;
    c.goto(&app.url("/tasks?view=initiated")).await.unwrap();
    text(&c, "#tasks tbody").await;
    for t in &ids[..2] {
        tick(&c, &format!("#tasks tr[data-id='{t}'] input[name=task_id]")).await;
    }
    if shoot {
        shot(&c, "tasks-batch-ticked-desktop").await;
    }
    click(&c, "#batch-settings").await;
    wait_path(&c, "/tasks/settings").await;
    assert!(text(&c, "#settings-title")
        .await
        .contains("批量设置 2 个任务"));
    assert_eq!(
        c.find_all(Locator::Css("#settings-tasks tbody tr"))
            .await
            .unwrap()
            .len(),
        2
    );

    // Today is not after today: refused beside the date, ticks kept, nothing written.
    c.execute(
        "document.querySelector('#planned_on').value = arguments[0]",
        vec![json!(app.today().to_string())],
    )
    .await
    .unwrap();
    for o in &officers[..2] {
        tick(
            &c,
            &format!("#settings-form input[name=inspector_id][value='{}']", o.0),
        )
        .await;
    }
    click(&c, "#settings-submit").await;
    let error = text(&c, ".dialog-section.has-err #settings-error").await;
    assert!(error.contains("只能选择今日之后的日期"), "{error}");
    assert_eq!(
        c.find_all(Locator::Css(
            "#settings-form input[name=inspector_id]:checked"
        ))
        .await
        .unwrap()
        .len(),
        2
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM task_inspectors").await, 0);
    if shoot {
        shot(&c, "task-settings-error-desktop").await;
    }

    // Tomorrow: both set; back on the list with the notice.
    c.execute(
        "document.querySelector('#planned_on').value = arguments[0]",
        vec![json!(app.tomorrow().to_string())],
    )
    .await
    .unwrap();
    click(&c, "#settings-submit").await;
    wait_path(&c, "/tasks").await;
    text_containing(&c, "#notice", "已设置2个任务").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tasks WHERE status = 'scheduled'")
            .await,
        2
    );
    if shoot {
        shot(&c, "tasks-batch-done-desktop").await;
    }

    // On a phone: the third task's 设置 from the list, and its dialog.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&app.url("/tasks?view=initiated")).await.unwrap();
    text(&c, "#tasks tbody").await;
    if shoot {
        shot(&c, "tasks-batch-phone").await;
    }
    let third = ids[2];
    scroll_to(&c, &format!("#tasks tr[data-id='{third}']")).await;
    click(&c, &format!("#tasks tr[data-id='{third}'] a.op-set")).await;
    wait_path(&c, "/tasks/settings").await;
    text(&c, "#settings-tasks").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    if shoot {
        shot(&c, "task-settings-dialog-phone").await;
    }
    click(&c, "#settings-cancel").await;
    wait_path(&c, "/tasks").await;
    c.close().await.unwrap();
}
