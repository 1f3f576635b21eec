//! 一公开 in headless Chromium: the office releases a completed result from
//! its desk (1920×1080); anyone, without logging in, finds it on the public
//! search, opens its page and the open-data page, on the desktop and on a
//! phone (390×844). Screenshots go to `target/screenshots/`.

use crate::common::browser::*;
use crate::common::{office, submitted_visit, Backend, TestApp};

both_databases!(config = crate::common::with_evidence_folder(); publication_in_the_browser);

async fn publication_in_the_browser(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let (uscc, name) = app.uscc_and_name(s.visit.enterprise).await;

    // The office clerk's desk: the result waits, with its latest day.
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    log_in(&c, &app, &office(&app).await[2].1).await;
    // Her home page says what waits, and leads to the desk.
    let todo = text(&c, "#releases-waiting").await;
    assert!(
        todo.contains("1 项检查结果待公开") && todo.contains("2025-07-02"),
        "{todo}"
    );
    if shoot {
        shot(&c, "publication-home-todo-desktop").await;
    }
    click(&c, "#releases-waiting").await;
    wait_path(&c, "/publication").await;
    let row = text(&c, &format!("#publication-waiting tr[data-task='{task}']")).await;
    assert!(row.contains(&name) && row.contains("2025-07-02"), "{row}");
    if shoot {
        shot(&c, "publication-desk-desktop").await;
    }
    // 立即公开 asks first; the test answers yes.
    c.execute("window.confirm = function () { return true; }", vec![])
        .await
        .unwrap();
    click(
        &c,
        &format!("#publication-waiting tr[data-task='{task}'] button"),
    )
    .await;
    assert!(text(&c, "#publication-notice").await.contains("已公开"));
    assert!(text(&c, "#publication-waiting")
        .await
        .contains("没有待公开的检查结果"));

    // The public, on the desktop: search by USCC prefix, open the record.
    let public = browser(&driver).await;
    public.set_window_size(1920, 1080).await.unwrap();
    public
        .goto(&app.url("/public/results?year=2025"))
        .await
        .unwrap();
    fill(&public, "input[name=q]", &uscc[..8]).await;
    click(&public, "#public-result-search button[type=submit]").await;
    assert_eq!(text(&public, "#result-total").await, "共 1 条");
    let row = text(&public, &format!("#public-results tr[data-task='{task}']")).await;
    assert!(
        row.contains("未通过行政检查") && row.contains("整改中"),
        "{row}"
    );
    if shoot {
        shot(&public, "public-results-desktop").await;
    }
    click(
        &public,
        &format!("#public-results tr[data-task='{task}'] a"),
    )
    .await;
    wait_path(&public, &format!("/public/results/{task}")).await;
    assert_eq!(text(&public, "#record-name").await, name);
    assert!(text(&public, "#record-problems")
        .await
        .contains("停限产措施"));
    if shoot {
        shot(&public, "public-result-desktop").await;
    }
    public.goto(&app.url("/public/data")).await.unwrap();
    assert!(text(&public, "#data-fields")
        .await
        .contains("统一社会信用代码"));
    if shoot {
        shot(&public, "public-data-desktop").await;
    }

    // On a phone: the same search and record, one card per result.
    public.set_window_size(390, 844).await.unwrap();
    public
        .goto(&app.url("/public/results?year=2025"))
        .await
        .unwrap();
    assert!(text(&public, "#public-results").await.contains(&name));
    if shoot {
        shot(&public, "public-results-phone").await;
    }
    public
        .goto(&app.url(&format!("/public/results/{task}")))
        .await
        .unwrap();
    if shoot {
        shot(&public, "public-result-phone").await;
    }
    // A bad month from a hand-edited address: the Chinese reason on the page.
    public
        .goto(&app.url("/public/results?month=2025-13"))
        .await
        .unwrap();
    assert!(text(&public, "#public-error").await.contains("月份"));
}
