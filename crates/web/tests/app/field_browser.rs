//! The field app and the enterprise app in headless Chromium at 390×844
//! (APP-1, APP-2, APP-7): an inspector logs in on the phone, finds the task
//! under 未办理 and opens its 检查二维码; an enterprise signs up, opens the
//! code's link, sees 真实有效 with the plan and confirms; the same code half
//! an hour later reads 已过期. Screenshots go to `target/screenshots/field-*.png`.

use std::time::Duration;

use crate::common::browser::*;
use crate::common::{TestApp, INITIAL, NEW_PASSWORD};
use fantoccini::Locator;
use serde_json::json;
use yici_domain::time::Clock;
use yici_store::Exec;

both_databases!(inspector_shows_the_code_and_the_enterprise_confirms_on_phones);

const YUTIAN: &str = "玉田县分局";
const ENTERPRISE_PASSWORD: &str = "Qiye@2025x";

/// A scheduled 大气股 task with two of its officers: (task, enterprise, first inspector's mobile).
async fn visit(app: &TestApp) -> (i64, i64, String) {
    yici_demo::load_enterprises(&app.db, app.clock.now(), 40)
        .await
        .unwrap();
    let enterprise = app
        .count("SELECT MIN(id) FROM enterprises WHERE region_code = '130229' AND status = 'normal'")
        .await;
    let d = app.department(YUTIAN, "大气股").await;
    let air = app.token(&app.secretary(d).await).await;
    let (s, b) = app
        .send(
            "POST",
            &air,
            "/api/v1/tasks/directed",
            json!({"source": "routine", "enterprise_ids": [enterprise]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let task = b[0]["id"].as_i64().unwrap();
    let own: Vec<(i64, String)> = app
        .db
        .clone()
        .fetch_all(
            "SELECT id, mobile FROM people WHERE department_id = $1 AND is_officer
                AND status = 'enabled' ORDER BY id LIMIT 2",
            yici_store::args![d],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id").unwrap(), r.get("mobile").unwrap()))
        .collect();
    let tomorrow = yici_domain::time::business_date(app.clock.now()) + chrono::Duration::days(1);
    let (s, b) = app
        .send(
            "PUT",
            &air,
            &format!("/api/v1/tasks/{task}/settings"),
            json!({"planned_on": tomorrow, "inspector_ids": [own[0].0, own[1].0]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    (task, enterprise, own[0].1.clone())
}

async fn inspector_shows_the_code_and_the_enterprise_confirms_on_phones(app: TestApp) {
    let sqlite = matches!(app.backend, crate::common::Backend::Sqlite);
    let (task, enterprise, mobile) = visit(&app).await;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(390, 844).await.unwrap();

    // The inspector logs in with the mobile number and changes the initial password.
    c.goto(&app.url("/login?next=%2Fm")).await.unwrap();
    fill(&c, "#login", &mobile).await;
    fill(&c, "#password", INITIAL).await;
    click(&c, ".login-box button[type=submit]").await;
    wait_path(&c, "/password").await;
    fill(&c, "input[name=old_password]", INITIAL).await;
    fill(&c, "input[name=new_password]", NEW_PASSWORD).await;
    fill(&c, "input[name=repeat_password]", NEW_PASSWORD).await;
    click(&c, "#submit").await;
    wait_path(&c, "/").await;
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

    // The enterprise signs up on its own phone (a fresh session).
    c.delete_all_cookies().await.unwrap();
    let (uscc, name): (String, String) = {
        let r = app
            .db
            .clone()
            .fetch_one(
                "SELECT uscc, name FROM enterprises WHERE id = $1",
                yici_store::args![enterprise],
            )
            .await
            .unwrap();
        (r.get("uscc").unwrap(), r.get("name").unwrap())
    };
    c.goto(&app.url("/e/signup")).await.unwrap();
    fill(&c, "#uscc", &uscc).await;
    fill(&c, "#enterprise_name", "名称不对有限公司").await;
    fill(&c, "#mobile", "13912345678").await;
    fill(&c, "#password", ENTERPRISE_PASSWORD).await;
    fill(&c, "#repeat_password", ENTERPRISE_PASSWORD).await;
    click(&c, "#signup").await;
    assert!(text(&c, "#err-enterprise_name").await.contains("不一致"));
    if sqlite {
        shot(&c, "field-signup").await;
    }
    fill(&c, "#enterprise_name", &name).await;
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
