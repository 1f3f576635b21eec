//! Results flowing onward, in headless Chromium: the task page's 检查结果
//! panel at 1920×1080 (two departments, a problem, a photo, a late
//! submission) and the task list's 发现问题; the enterprise's inspection page
//! at 390×844 with 结果告知, served papers and the rating form — refused
//! beside its field, then given once — and the office reading it on
//! `/ratings`. Screenshots go to `target/screenshots/`.

use crate::common::browser::*;
use crate::common::{
    enterprise_account, office, serve_papers, submitted_visit, Backend, TestApp,
    ENTERPRISE_PASSWORD, PROBLEM,
};
use fantoccini::Client;

both_databases!(config = crate::common::with_evidence_folder();
    the_results_panel_on_a_desktop,
    the_enterprise_rates_on_a_phone,
);

/// Logs in whether or not the account has changed its initial password.
async fn sign_in(c: &Client, app: &TestApp, login: &str) {
    if app.must_change_password(login).await {
        log_in(c, app, login).await;
    } else {
        log_in_again(c, app, login).await;
    }
}

async fn the_results_panel_on_a_desktop(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    sign_in(&c, &app, &app.secretary(s.visit.air).await).await;

    c.goto(&app.url("/tasks")).await.unwrap();
    let row = text_containing(&c, "#tasks tbody", "查看结果").await;
    assert!(row.contains("查看结果"), "{row}");
    if shoot {
        shot(&c, "results-task-list-desktop").await;
    }
    click(&c, &format!("a[href='/tasks/{task}#results']")).await;
    let panel = text_containing(&c, "#results", PROBLEM).await;
    assert!(
        panel.contains("逾期提交") && panel.contains("未发现问题"),
        "{panel}"
    );
    // The thumbnail loads (lazily, once in view) and decodes.
    scroll_to(&c, "#results").await;
    let mut loaded = false;
    for _ in 0..100 {
        let v = c
            .execute(
                "const i = document.querySelector('#results .thumbs img'); return i.complete && i.naturalWidth > 0;",
                vec![],
            )
            .await
            .unwrap();
        if v == serde_json::json!(true) {
            loaded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(loaded, "the thumbnail's image loads");
    if shoot {
        shot(&c, "results-task-desktop").await;
    }
    c.close().await.unwrap();
}

async fn the_enterprise_rates_on_a_phone(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    serve_papers(&app, &s, "passed").await;
    let (uscc, _) = enterprise_account(&app, s.visit.enterprise).await;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    fill(&c, "#login", &uscc).await;
    fill(&c, "#password", ENTERPRISE_PASSWORD).await;
    click(&c, ".login-box button[type=submit]").await;
    wait_path(&c, "/e").await;
    if shoot {
        shot(&c, "enterprise-home-phone").await;
    }
    click(&c, &format!("a[href='/e/inspections/{task}']")).await;
    wait_path(&c, &format!("/e/inspections/{task}")).await;
    assert!(text(&c, "#outcome").await.contains("通过行政检查"));
    assert!(text(&c, "#documents").await.contains("行政检查通知书"));
    if shoot {
        shot(&c, "enterprise-inspection-phone").await;
    }
    // 否 without a description: refused beside the field.
    click(&c, "input[name=conduct][value='5'] + span").await;
    click(&c, "input[name=disturbance][value='4'] + span").await;
    click(&c, "input[name=discipline_kept][value='no'] + span").await;
    fill(&c, "#comment", "检查规范，时间安排合理。").await;
    click(&c, "#rating-submit").await;
    let error = text(&c, "#discipline_breach-error").await;
    assert!(error.contains("请说明"), "{error}");
    scroll_to(&c, "#rating").await;
    if shoot {
        shot(&c, "enterprise-rating-error-phone").await;
    }
    // The choices survived the refusal; 是 and submit.
    click(&c, "input[name=discipline_kept][value='yes'] + span").await;
    click(&c, "#rating-submit").await;
    let given = text(&c, "#rating-given").await;
    assert!(
        given.contains("5分（很好）") && given.contains("4分（轻微）"),
        "{given}"
    );
    assert!(text(&c, "#rated").await.contains("评价已提交"));
    if shoot {
        shot(&c, "enterprise-rated-phone").await;
    }

    // The office reads it on the desktop.
    c.delete_all_cookies().await.unwrap();
    c.set_window_size(1920, 1080).await.unwrap();
    sign_in(&c, &app, &office(&app).await[2].1).await;
    click(&c, "#ratings-link").await;
    let table = text_containing(&c, "#ratings", "检查规范，时间安排合理。").await;
    assert!(table.contains(&format!("任务 No.{task}")), "{table}");
    if shoot {
        shot(&c, "ratings-desktop").await;
    }
    c.close().await.unwrap();
}
