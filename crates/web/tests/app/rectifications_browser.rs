//! 整改 in headless Chromium: the department sends a rectification from the
//! desktop (1920×1080), the enterprise reports back with a photo from its
//! phone (390×844), the department returns it with a reason. Screenshots go
//! to `target/screenshots/`.

use std::time::Duration;

use crate::common::browser::*;
use crate::common::{Backend, TestApp, ENTERPRISE_PASSWORD, PNG};
use fantoccini::{Client, Locator};
use serde_json::json;

both_databases!(config = crate::common::with_evidence_folder(); rectification_in_the_browser);

/// Sets a date input (typing into one depends on the browser's locale).
async fn set_date(c: &Client, css: &str, date: &str) {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1]",
        vec![json!(css), json!(date)],
    )
    .await
    .unwrap();
}

async fn rectification_in_the_browser(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    let (v, _air, _water, id) = crate::rectifications::visited(&app).await;

    // 大气股's inspector on the desktop: the list, then the draft.
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    log_in_again(&c, &app, &v.inspectors[0].1).await;
    assert!(text(&c, "#rectification-todo").await.contains("1 项待下发"));
    c.goto(&app.url("/rectifications?status=open"))
        .await
        .unwrap();
    let row = text(&c, &format!("#rectifications tr[data-id='{id}']")).await;
    assert!(row.contains("待下发") && row.contains("布袋破损"), "{row}");
    if shoot {
        shot(&c, "rectification-list-desktop").await;
    }
    c.goto(&app.url(&format!("/rectifications/{id}")))
        .await
        .unwrap();
    // A deadline in the past: refused beside the form, nothing sent.
    set_date(
        &c,
        "#deadline",
        &(app.today() - chrono::Duration::days(1)).to_string(),
    )
    .await;
    click(&c, "#draft-issue").await;
    assert!(text(&c, "#draft-error").await.contains("不能早于今天"));
    assert_eq!(text(&c, "#rect-status").await, "待下发");
    let deadline = (app.today() + chrono::Duration::days(10)).to_string();
    set_date(&c, "#deadline", &deadline).await;
    fill(
        &c,
        "#requirement",
        "更换破损布袋，提交更换记录和更换前后照片。",
    )
    .await;
    if shoot {
        shot(&c, "rectification-draft-desktop").await;
    }
    click(&c, "#draft-issue").await;
    let notice = text(&c, "#notice").await;
    assert!(notice.contains("已下发"), "{notice}");
    assert_eq!(text(&c, "#rect-status").await, "整改中");
    assert_eq!(text(&c, "#rect-deadline").await, deadline);

    // The enterprise on its phone: its task, the report with a photo.
    let phone = browser(&driver).await;
    phone.set_window_size(390, 844).await.unwrap();
    let (uscc, _) = app.uscc_and_name(v.enterprise).await;
    crate::common::enterprise_token(&app, v.enterprise).await;
    phone.goto(&app.url("/login")).await.unwrap();
    fill(&phone, "#login", &uscc).await;
    fill(&phone, "#password", ENTERPRISE_PASSWORD).await;
    click(&phone, ".login-box button[type=submit]").await;
    wait_path(&phone, "/e").await;
    phone.goto(&app.url("/e/rectifications")).await.unwrap();
    click(&phone, &format!(".rect-item[data-id='{id}']")).await;
    wait_path(&phone, &format!("/e/rectifications/{id}")).await;
    assert!(text(&phone, "#rect-problem").await.contains("布袋破损"));
    if shoot {
        shot(&phone, "rectification-enterprise-phone").await;
    }
    // Without the text: refused with the reason, nothing written.
    click(&phone, "#report-submit").await;
    assert!(text(&phone, "#report-error").await.contains("整改情况说明"));
    let file = std::env::temp_dir().join(format!(
        "yici-rect-{id}-{}-{:?}.png",
        std::process::id(),
        app.backend
    ));
    std::fs::write(&file, PNG).unwrap();
    fill(&phone, "#note", "已更换全部破损布袋，附更换后照片。").await;
    phone
        .find(Locator::Css("#photos"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click(&phone, "#report-submit").await;
    assert!(text(&phone, "#reported").await.contains("已提交整改反馈"));
    assert_eq!(text(&phone, "#rect-status").await, "待核查");
    phone
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("#rect-steps img"))
        .await
        .expect("the report's photo in the history");
    if shoot {
        shot(&phone, "rectification-reported-phone").await;
    }
    let _ = std::fs::remove_file(&file);

    // The department returns it once, with a reason.
    c.refresh().await.unwrap();
    assert_eq!(text(&c, "#rect-status").await, "待核查");
    click(&c, "input[name=decision][value=return]").await;
    click(&c, "#verify-submit").await;
    assert!(text(&c, "#verify-error").await.contains("退回原因"));
    click(&c, "input[name=decision][value=return]").await;
    fill(&c, "#verify-note", "照片未显示更换后的布袋整体，请补充。").await;
    click(&c, "#verify-submit").await;
    assert!(text(&c, "#notice").await.contains("已退回整改"));
    assert_eq!(text(&c, "#rect-status").await, "退回整改");
    if shoot {
        shot(&c, "rectification-returned-desktop").await;
    }
    phone.refresh().await.unwrap();
    assert_eq!(text(&phone, "#rect-status").await, "退回整改");
    assert!(text(&phone, "#rect-steps").await.contains("照片未显示"));
}
