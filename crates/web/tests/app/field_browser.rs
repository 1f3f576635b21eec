//! The field app and the enterprise app in headless Chromium at 390×844
//! (APP-1, APP-2, APP-7): an inspector logs in on the phone, finds the task
//! under 未办理 and opens its 检查二维码; an enterprise signs up with the code
//! sent to the registry's contact mobile, opens the
//! code's link, sees 真实有效 with the plan and confirms; the same code half
//! an hour later reads 已过期. Screenshots go to `target/screenshots/field-*.png`.

use std::time::Duration;

use crate::common::browser::*;
use crate::common::{
    contact_phone, sign_up_code_sent_to, visit, Backend, TestApp, ENTERPRISE_PASSWORD,
};
use fantoccini::Locator;

both_databases!(inspector_shows_the_code_and_the_enterprise_confirms_on_phones);

async fn inspector_shows_the_code_and_the_enterprise_confirms_on_phones(app: TestApp) {
    let sqlite = matches!(app.backend, Backend::Sqlite);
    let v = visit(&app).await;
    let (task, enterprise) = (v.task, v.enterprise);
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(390, 844).await.unwrap();

    // The inspector logs in with the mobile number and changes the initial password.
    log_in(&c, &app, &v.inspectors[0].1).await;
    c.goto(&app.url("/m")).await.unwrap();
    assert!(text(&c, "#tab-todo").await.contains("未办理（1）"));
    assert_eq!(text(&c, "section.dept .group-title").await, "大气股");
    if sqlite {
        shot(&c, "field-tasks").await;
    }
    click(&c, &format!("a.task-item[data-task='{task}']")).await;
    wait_path(&c, &format!("/m/tasks/{task}")).await;
    let code = c
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("#check-in-code svg"))
        .await
        .expect("the QR code");
    let size = code.rectangle().await.unwrap();
    assert!(size.2 >= 200.0 && size.2 <= 390.0, "QR width {}", size.2);
    assert!(text(&c, "#plan-inspectors").await.contains("执法证号"));
    let url = c
        .find(Locator::Css("#check-in-code"))
        .await
        .unwrap()
        .attr("data-url")
        .await
        .unwrap()
        .expect("the code's URL");
    assert!(url.contains("/e/check-in?token="));
    if sqlite {
        shot(&c, "field-task").await;
    }

    // The enterprise signs up on its own phone (a fresh session). A wrong
    // name reads exactly as the right one (SEC-5), and sends nothing.
    c.delete_all_cookies().await.unwrap();
    let (uscc, name) = app.uscc_and_name(enterprise).await;
    let mobile = contact_phone(&app, enterprise).await;
    c.goto(&app.url("/e/signup")).await.unwrap();
    fill(&c, "#uscc", &uscc).await;
    fill(&c, "#enterprise_name", "名称不对有限公司").await;
    click(&c, "#send-code").await;
    wait_path(&c, "/e/signup/verify").await;
    let answer = text(&c, "#code-sent").await;
    assert!(
        answer.contains("验证码已发送至名录登记的联系人手机"),
        "{answer}"
    );
    assert_eq!(sign_up_code_sent_to(&app, &mobile).await, None);
    c.goto(&app.url("/e/signup")).await.unwrap();
    fill(&c, "#uscc", &uscc).await;
    fill(&c, "#enterprise_name", &name).await;
    if sqlite {
        shot(&c, "field-signup").await;
    }
    click(&c, "#send-code").await;
    wait_path(&c, "/e/signup/verify").await;
    assert_eq!(text(&c, "#code-sent").await, answer, "the same words");
    let code = sign_up_code_sent_to(&app, &mobile).await.expect("a code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    fill(&c, "#code", wrong).await;
    fill(&c, "#password", ENTERPRISE_PASSWORD).await;
    fill(&c, "#repeat_password", ENTERPRISE_PASSWORD).await;
    click(&c, "#signup").await;
    assert_eq!(text(&c, "#err-code").await, "验证码错误或已过期");
    if sqlite {
        shot(&c, "field-signup-verify").await;
    }
    fill(&c, "#code", &code).await;
    fill(&c, "#password", ENTERPRISE_PASSWORD).await;
    fill(&c, "#repeat_password", ENTERPRISE_PASSWORD).await;
    click(&c, "#signup").await;
    wait_path(&c, "/e").await;
    assert_eq!(text(&c, "#enterprise-name").await, name);
    assert!(text(&c, "#no-inspections").await.contains("暂无"));

    // It opens the code's link: genuine, with the plan; it confirms.
    c.goto(&url).await.unwrap();
    assert!(text(&c, "#verdict").await.contains("真实有效"));
    assert_eq!(text(&c, "#plan-enterprise").await, name);
    assert_eq!(text(&c, "#plan-initiator").await, "大气股");
    if sqlite {
        shot(&c, "field-check-in-genuine").await;
    }
    click(&c, "#confirm").await;
    assert!(text(&c, "#confirmed").await.contains("已确认"));
    if sqlite {
        shot(&c, "field-check-in-confirmed").await;
    }
    c.goto(&app.url("/e")).await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(&format!(".inspection[data-task='{task}']")))
        .await
        .expect("the visit in the history");
    if sqlite {
        shot(&c, "field-enterprise-home").await;
    }

    // Half an hour later the same code is stale.
    app.clock.advance(chrono::Duration::minutes(31));
    c.goto(&url).await.unwrap();
    assert!(text(&c, "#verdict").await.contains("已过期"));
    assert!(c.find(Locator::Css("#plan")).await.is_err());
    if sqlite {
        shot(&c, "field-check-in-expired").await;
    }
    // A tampered one is invalid.
    c.goto(&url.replacen(&format!("v1.{task}."), &format!("v1.{}.", task + 1), 1))
        .await
        .unwrap();
    assert!(text(&c, "#verdict").await.contains("无效"));
    if sqlite {
        shot(&c, "field-check-in-invalid").await;
    }
    c.close().await.unwrap();
}
