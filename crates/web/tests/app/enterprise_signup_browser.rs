//! 企业注册 and 申请开通 (SEC-5) in headless Chromium: the phone pages at
//! 390×844 (step 1, step 2 with the answer, 申请开通 with an error and its
//! answer) and the registry editor's 企业账号开通 page at 1920×1080, where 开通
//! shows the initial password once. Screenshots go to
//! `target/screenshots/signup-*.png` and `enterprise-accounts-*.png`.

use std::time::Duration;

use crate::common::browser::*;
use crate::common::{Backend, TestApp, YUTIAN};

both_databases!(sign_up_and_activation_pages_on_a_phone_and_the_desk);

/// Accepts the confirmation a `data-confirm` button opens.
async fn accept(c: &fantoccini::Client) {
    for _ in 0..50 {
        if c.accept_alert().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no confirmation dialog");
}

async fn sign_up_and_activation_pages_on_a_phone_and_the_desk(app: TestApp) {
    let sqlite = matches!(app.backend, Backend::Sqlite);
    let ids = app.yutian_enterprises(40).await;
    let (uscc, name) = app.uscc_and_name(ids[0]).await;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(390, 844).await.unwrap();

    c.goto(&app.url("/e/signup")).await.unwrap();
    assert!(text(&c, ".steps li.on").await.contains("获取验证码"));
    if sqlite {
        shot(&c, "signup-step1-phone").await;
    }
    fill(&c, "#uscc", "9113").await;
    click(&c, "#send-code").await;
    assert!(text(&c, "#err-uscc").await.contains("18位"));
    if sqlite {
        shot(&c, "signup-step1-error-phone").await;
    }
    fill(&c, "#uscc", &uscc).await;
    fill(&c, "#enterprise_name", &name).await;
    click(&c, "#send-code").await;
    wait_path(&c, "/e/signup/verify").await;
    assert!(text(&c, "#code-sent").await.contains("10分钟内有效"));
    if sqlite {
        shot(&c, "signup-step2-phone").await;
    }

    // 申请开通: an error beside its field, then the answer.
    c.goto(&app.url("/e/activation")).await.unwrap();
    fill(&c, "#uscc", &uscc).await;
    fill(&c, "#enterprise_name", &name).await;
    fill(&c, "#applicant_name", "李娜").await;
    fill(&c, "#mobile", "1370000").await;
    fill(&c, "#note", "名录中的联系人已离职，手机号已停用").await;
    click(&c, "#request-activation").await;
    assert!(text(&c, "#err-mobile").await.contains("11位"));
    if sqlite {
        shot(&c, "signup-activation-phone").await;
    }
    fill(&c, "#mobile", "13700002222").await;
    click(&c, "#request-activation").await;
    assert!(text(&c, "#request-received").await.contains("申请已提交"));
    if sqlite {
        shot(&c, "signup-activation-received-phone").await;
    }
    let unknown = {
        let first17 = "91130229MA0XY777Q";
        let check = yici_domain::registry::uscc::Uscc::check_char(first17).unwrap();
        format!("{first17}{check}")
    };
    c.goto(&app.url("/e/activation")).await.unwrap();
    fill(&c, "#uscc", &unknown).await;
    fill(&c, "#enterprise_name", "玉田县某某建材有限公司").await;
    fill(&c, "#applicant_name", "赵六").await;
    fill(&c, "#mobile", "13700003333").await;
    click(&c, "#request-activation").await;
    assert!(text(&c, "#request-received").await.contains("申请已提交"));

    // The desk: Yutian 大气股's secretary opens the known one's account.
    c.delete_all_cookies().await.unwrap();
    c.set_window_size(1920, 1080).await.unwrap();
    let secretary = app.secretary(app.department(YUTIAN, "大气股").await).await;
    log_in(&c, &app, &secretary).await;
    assert!(text(&c, "#activations-pending").await.contains('2'));
    click(&c, "#nav-enterprise-accounts").await;
    wait_path(&c, "/enterprise-accounts").await;
    let table = text(&c, "#activation-requests").await;
    assert!(table.contains("企业名录中无此代码") && table.contains("名称一致"));
    if sqlite {
        shot(&c, "enterprise-accounts-desktop").await;
    }
    let known = app
        .count(&format!(
            "SELECT id FROM activation_requests WHERE uscc = '{uscc}'"
        ))
        .await;
    click(&c, &format!("tr[data-id='{known}'] .activate-form button")).await;
    accept(&c).await;
    let password = text(&c, "#initial-password").await;
    assert_eq!(password.len(), 14, "{password}");
    if sqlite {
        shot(&c, "enterprise-accounts-activated-desktop").await;
    }
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&app.url("/enterprise-accounts")).await.unwrap();
    if sqlite {
        shot(&c, "enterprise-accounts-phone").await;
    }
    c.close().await.unwrap();
}
