//! Setting up a new unit and granting a role in headless Chromium (issue 26
//! item 1): the system administrator creates 正定县分局 on 单位与处室, adds
//! its 办公室, and grants its head 行政执法主体负责人 on the person page;
//! the person's 操作记录 shows the grant field by field. Screenshots at
//! 1920×1080 and 390×844 go to `target/screenshots/`.

use crate::common::browser::*;
use crate::common::{Backend, TestApp};
use fantoccini::Locator;
use serde_json::json;

both_databases!(granting_a_role_in_a_new_unit_in_a_real_browser);

async fn granting_a_role_in_a_new_unit_in_a_real_browser(app: TestApp) {
    let parent = app
        .count("SELECT id FROM units WHERE name = '石家庄市生态环境局'")
        .await;
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    log_in(&c, &app, "admin").await;

    // 新增单位 on 单位与处室.
    c.goto(&app.url("/org")).await.unwrap();
    c.find(Locator::Css("#new-unit select[name=parent_id]"))
        .await
        .unwrap()
        .select_by_value(&parent.to_string())
        .await
        .unwrap();
    fill(
        &c,
        "#new-unit input[name=name]",
        "石家庄市生态环境局正定县分局",
    )
    .await;
    fill(&c, "#new-unit input[name=short_name]", "正定县分局").await;
    // A code outside GB/T 2260 is refused beside the form, in words.
    fill(&c, "#new-unit input[name=region_code]", "139999").await;
    click(&c, "#create-unit").await;
    let err = text(&c, "#unit-field-error").await;
    assert!(err.contains("不在GB/T 2260中"), "{err}");
    fill(&c, "#new-unit input[name=region_code]", "130123").await;
    click(&c, "#create-unit").await;
    let notice = text_containing(&c, "#notice", "已新增单位").await;
    assert!(notice.contains("新增处室"), "{notice}");
    let unit = app
        .count("SELECT id FROM units WHERE name = '石家庄市生态环境局正定县分局'")
        .await;
    assert_eq!(path(&c).await, format!("/org/units/{unit}"));

    // Its 办公室 (业务条线 综合).
    fill(&c, "#new-department input[name=name]", "办公室").await;
    c.find(Locator::Css("#new-department select[name=business_line]"))
        .await
        .unwrap()
        .select_by_value("general")
        .await
        .unwrap();
    click(&c, "#create-department").await;
    text_containing(&c, "#notice", "已新增处室").await;
    let office = app
        .count(&format!(
            "SELECT id FROM departments WHERE unit_id = {unit} AND name = '办公室'"
        ))
        .await;
    let row = text(&c, &format!("#department-{office}")).await;
    assert!(row.contains("sjzszdx_bg"), "{row}");
    if app.backend == Backend::Sqlite {
        shot(&c, "org-unit-desktop").await;
    }

    // Its head, added through the API; the role granted on the person page.
    let admin = crate::common::bearer(&app, "admin").await;
    let (s, p) = app
        .send(
            "POST",
            &admin,
            &format!("/api/v1/departments/{office}/people"),
            json!({"name": "李正定", "gender": "male", "is_officer": false, "mobile": "13930000004",
                   "status": "enabled", "is_admin": true}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let person = p["person"]["id"].as_i64().unwrap();
    c.goto(&app.url(&format!("/people/{person}")))
        .await
        .unwrap();
    let held = text(&c, "#roles-held").await;
    assert!(!held.contains("行政执法主体负责人"), "{held}");
    click(&c, "#role-grants tr[data-role=unit_head] button").await;
    let notice = text_containing(&c, "#notice", "已授予").await;
    assert!(notice.contains("行政执法主体负责人"), "{notice}");
    let held = text(&c, "#roles-held").await;
    assert!(
        held.contains("行政执法主体负责人") && held.contains("处室管理员"),
        "{held}"
    );
    let state = text(&c, "#role-grants tr[data-role=unit_head]").await;
    assert!(
        state.contains("已授予") && state.contains("撤销"),
        "{state}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM role_grants g JOIN accounts a ON a.id = g.account_id
              WHERE a.person_id = {person} AND g.role = 'unit_head'"
        ))
        .await,
        1
    );
    if app.backend == Backend::Sqlite {
        shot(&c, "person-roles-desktop").await;
    }

    // 操作记录: the grant, before and after, in words.
    click(&c, "#audit-link").await;
    wait_path(&c, &format!("/audit/person/{person}")).await;
    let trail = text(&c, "#trail").await;
    assert!(
        trail.contains("授予角色")
            && trail.contains("授予的角色")
            && trail.contains("行政执法主体负责人"),
        "{trail}"
    );
    if app.backend == Backend::Sqlite {
        shot(&c, "person-audit-desktop").await;
        c.set_window_size(390, 844).await.unwrap();
        shot(&c, "person-audit-phone").await;
        c.goto(&app.url(&format!("/people/{person}")))
            .await
            .unwrap();
        scroll_to(&c, "#roles").await;
        shot(&c, "person-roles-phone").await;
        c.goto(&app.url(&format!("/org/units/{unit}")))
            .await
            .unwrap();
        shot(&c, "org-unit-phone").await;
        c.set_window_size(1920, 1080).await.unwrap();
        c.goto(&app.url("/org")).await.unwrap();
        shot(&c, "org-tree-desktop").await;
    }
    c.close().await.unwrap();
}
