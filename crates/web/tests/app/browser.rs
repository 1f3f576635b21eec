//! The browser test in headless Chromium (Debian's `chromium` and
//! `chromium-driver`): a Yutian secretary logs in, is forced to change the
//! password, adds a person, makes them administrator after the warning, and
//! sees the former administrator demoted. Screenshots at 1920×1080 and
//! 390×844 go to `target/screenshots/` to be looked at.

use std::time::Duration;

use crate::common::browser::*;
use crate::common::{TestApp, INITIAL, NEW_PASSWORD};
use fantoccini::{Client, Locator};
use serde_json::json;

both_databases!(
    secretary_manages_people_in_a_real_browser,
    registry_search_profile_and_import_in_a_real_browser,
    double_random_extraction_in_a_real_browser,
    joint_inspection_in_a_real_browser,
);

async fn secretary_manages_people_in_a_real_browser(app: TestApp) {
    let db = match app.backend {
        crate::common::Backend::Sqlite => "sqlite",
        crate::common::Backend::Postgres => "postgres",
    };
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();

    // Log in with the initial password: the system insists on a new one.
    c.goto(&app.url("/login")).await.unwrap();
    if db == "sqlite" {
        shot(&c, "login-desktop").await;
    }
    fill(&c, "#login", "tssytx_dq").await;
    fill(&c, "#password", INITIAL).await;
    click(&c, ".login-box button[type=submit]").await;
    wait_path(&c, "/password").await;
    assert!(text(&c, ".alert.warn").await.contains("初始密码"));
    // Trying to go elsewhere first leads back.
    c.goto(&app.url("/people")).await.unwrap();
    wait_path(&c, "/password").await;
    // A weak password is refused beside its field.
    fill(&c, "input[name=old_password]", INITIAL).await;
    fill(&c, "input[name=new_password]", "abcdefgh").await;
    fill(&c, "input[name=repeat_password]", "abcdefgh").await;
    click(&c, "#submit").await;
    assert!(text(&c, ".err").await.contains("三项"));
    if db == "sqlite" {
        shot(&c, "password-desktop").await;
    }
    fill(&c, "input[name=old_password]", INITIAL).await;
    fill(&c, "input[name=new_password]", NEW_PASSWORD).await;
    fill(&c, "input[name=repeat_password]", NEW_PASSWORD).await;
    click(&c, "#submit").await;
    wait_path(&c, "/").await;

    // 人员管理: the department's people, its administrator first.
    click(&c, "nav a[href='/people']").await;
    let former_admin = text(&c, "#people tbody tr:first-child td[data-label='姓名']").await;
    assert_eq!(
        text(&c, "#people tbody tr:first-child td.admin-cell").await,
        "是"
    );

    // 添加: an officer without a certificate number is refused, then added as administrator.
    click(&c, "#add-person").await;
    wait_path(&c, "/people/new").await;
    fill(&c, "input[name=name]", "程立新").await;
    fill(&c, "input[name=mobile]", "13833559876").await;
    fill(&c, "input[name=office_phone]", "0315-6118888").await;
    click(&c, "input[name=is_admin][value=true]").await;
    click(&c, "#submit").await;
    assert!(text(&c, "#certificate-row .err").await.contains("执法证号"));
    fill(&c, "input[name=certificate_no]", "13022298765").await;
    click(&c, "#submit").await;
    // The page warns that the current administrator will be demoted.
    let warning = text(&c, "#admin-warning").await;
    assert!(warning.contains(&former_admin), "{warning}");
    if db == "sqlite" {
        shot(&c, "people-admin-warning-desktop").await;
    }
    click(&c, "#confirm").await;
    wait_path(&c, "/people").await;
    let notice = text(&c, "#notice").await;
    assert!(
        notice.contains("程立新") && notice.contains(&former_admin),
        "{notice}"
    );

    // The list shows the new administrator and the former one demoted.
    let rows = c.find_all(Locator::Css("#people tbody tr")).await.unwrap();
    let mut seen_new = false;
    let mut seen_former = false;
    for row in rows {
        let name = row
            .find(Locator::Css("td[data-label='姓名']"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let admin = row
            .find(Locator::Css("td.admin-cell"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if name == "程立新" {
            assert_eq!(admin, "是");
            seen_new = true;
        }
        if name == former_admin {
            assert_eq!(admin, "否");
            seen_former = true;
        }
    }
    assert!(seen_new && seen_former);
    if db == "sqlite" {
        shot(&c, "people-list-desktop").await;
        click(&c, "#people tbody tr:first-child td.ops a").await;
        shot(&c, "people-view-desktop").await;
        c.goto(&app.url("/org")).await.unwrap();
        shot(&c, "org-desktop").await;

        // The same pages at phone width.
        c.set_window_size(390, 844).await.unwrap();
        c.goto(&app.url("/people")).await.unwrap();
        shot(&c, "people-list-phone").await;
        click(&c, "#add-person").await;
        shot(&c, "people-form-phone").await;
        c.goto(&app.url("/password")).await.unwrap();
        shot(&c, "password-phone").await;
    }
    // Log out: the session ends on the server.
    click(&c, ".userbox button.link").await;
    wait_path(&c, "/login").await;
    c.goto(&app.url("/people")).await.unwrap();
    wait_path(&c, "/login").await;
    if db == "sqlite" {
        shot(&c, "login-phone").await;
    }
    c.close().await.unwrap();
}

async fn registry_search_profile_and_import_in_a_real_browser(app: TestApp) {
    let desktop = matches!(app.backend, crate::common::Backend::Sqlite);
    app.load_enterprises(150).await;
    let name: String = yici_store::Exec::fetch_one(
        &mut app.db.clone(),
        "SELECT name FROM enterprises WHERE region_code = '130229' AND category = 'key' ORDER BY id LIMIT 1",
        vec![],
    )
    .await
    .unwrap()
    .get("name")
    .unwrap();
    let part: String = name.chars().skip(3).take(4).collect();
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    log_in(&c, &app, "tssytx_dq").await;

    // A Yutian user finds an enterprise by part of its name.
    click(&c, "nav a[href='/enterprises']").await;
    wait_path(&c, "/enterprises").await;
    assert!(text(&c, "#total").await.starts_with("共"));
    fill(&c, "input[name=keyword]", &part).await;
    click(&c, "#search button[type=submit]").await;
    let link = c
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::LinkText(&name))
        .await
        .unwrap_or_else(|_| panic!("{name} not listed for keyword {part}"));
    if desktop {
        shot(&c, "enterprises-desktop").await;
    }
    link.click().await.unwrap();
    assert_eq!(text(&c, "#basic dd").await, name);
    if desktop {
        shot(&c, "enterprise-profile-desktop").await;
    }
    click(&c, ".tabs a[href$='tab=outlets']").await;
    assert!(text(&c, "#outlets tbody td code").await.starts_with("DA"));
    if desktop {
        shot(&c, "enterprise-outlets-desktop").await;
    }

    // Import a file with a good and a bad row: the report lists the bad one.
    let dir = std::env::temp_dir().join("yici-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("import-{:016x}.csv", rand::random::<u64>()));
    let good = {
        let first17 = "91130229MA0BRW0XY";
        let check = yici_domain::registry::uscc::check_char(first17).unwrap();
        format!("{first17}{check}")
    };
    std::fs::write(
        &file,
        format!(
            "排污单位名称,统一社会信用代码,地址,行业代码,行政区划代码\n\
             玉田县浏览器测试有限公司,{good},玉田县测试路1号,3110,130229\n\
             坏代码公司,123,玉田县测试路2号,3110,130229\n"
        ),
    )
    .unwrap();
    click(&c, "nav a[href='/enterprises/import']").await;
    wait_path(&c, "/enterprises/import").await;
    c.find(Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click(&c, "#submit").await;
    let summary = text(&c, "#summary").await;
    assert!(
        summary.contains("新增 1 家") && summary.contains("未导入 1 行"),
        "{summary}"
    );
    assert!(text(&c, "#issues tbody").await.contains("统一社会信用代码"));
    if desktop {
        shot(&c, "enterprise-import-desktop").await;
        c.set_window_size(390, 844).await.unwrap();
        c.goto(&app.url("/enterprises")).await.unwrap();
        shot(&c, "enterprises-phone").await;
        c.goto(&app.url(&format!("/enterprises?keyword={part}")))
            .await
            .unwrap();
        click(&c, "#enterprises tbody a").await;
        text(&c, "#basic").await;
        shot(&c, "enterprise-profile-phone").await;
    }
    let _ = std::fs::remove_file(&file);

    // The system administrator's audit page shows the chain intact, import included.
    c.set_window_size(1920, 1080).await.unwrap();
    click(&c, ".userbox button.link").await;
    wait_path(&c, "/login").await;
    log_in(&c, &app, "admin").await;
    if desktop {
        shot(&c, "home-desktop").await;
    }
    click(&c, "nav a[href='/audit']").await;
    assert!(text(&c, ".alert.ok").await.contains("哈希链完整"));
    if desktop {
        shot(&c, "audit-desktop").await;
    }
    c.close().await.unwrap();
}

/// Ticks the first allowed, unmarked enterprise of the directed list; its id.
async fn tick_first_unmarked(c: &Client) -> i64 {
    let boxes = c
        .find_all(Locator::Css(
            "#marked tbody tr.mark-none input[name=enterprise_id]:not([disabled])",
        ))
        .await
        .unwrap();
    let first = boxes.first().expect("an allowed enterprise");
    let id = first.attr("value").await.unwrap().unwrap();
    first.click().await.unwrap();
    id.parse().unwrap()
}

/// 查询 on the directed page (one POST form): the list shown carries its
/// conditions in `filter`.
async fn directed_in_county(c: &Client, app: &TestApp, county: &str) {
    c.goto(&app.url("/tasks/directed")).await.unwrap();
    click(
        c,
        &format!("#search select[name=region_code] option[value='{county}']"),
    )
    .await;
    click(c, "#search-submit").await;
    for _ in 0..100 {
        let shown = c
            .find(Locator::Css("#extract input[name=filter]"))
            .await
            .ok();
        if let Some(f) = shown {
            if f.attr("value")
                .await
                .ok()
                .flatten()
                .unwrap_or_default()
                .contains(county)
            {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    text(c, "#marked tbody").await;
}

async fn row_of(c: &Client, id: i64) -> fantoccini::elements::Element {
    c.find(Locator::Css(&format!("#marked tbody tr[data-id='{id}']")))
        .await
        .unwrap_or_else(|_| panic!("enterprise {id} not on the directed list"))
}

/// DRAW-2/3/6 in the browser: 大气股 extracts an enterprise of Yutian, 水股
/// sees it yellow and extracts it too, 土壤股 sees it red and can't tick it,
/// then draws three at random and lands on the record, verified; the public
/// page keeps the list sealed until the visits.
async fn double_random_extraction_in_a_real_browser(app: TestApp) {
    let desktop = matches!(app.backend, crate::common::Backend::Sqlite);
    app.load_enterprises(150).await;
    let soil: String = yici_store::Exec::fetch_one(
        &mut app.db.clone(),
        "SELECT a.login FROM accounts a
           JOIN departments d ON d.id = a.department_id
           JOIN units u ON u.id = d.unit_id
          WHERE a.kind = 'secretary' AND u.short_name = '玉田县分局' AND d.name = '土壤股'",
        vec![],
    )
    .await
    .unwrap()
    .get("login")
    .unwrap();
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();

    // 大气股: 双随机任务 → 定向抽取 in 玉田县, one enterprise, 日常检查.
    log_in(&c, &app, "tssytx_dq").await;
    click(&c, "nav a[href='/tasks']").await;
    wait_path(&c, "/tasks").await;
    click(&c, "#directed").await;
    wait_path(&c, "/tasks/directed").await;
    directed_in_county(&c, &app, "130229").await;
    let shared = tick_first_unmarked(&c).await;
    let shared_name = row_of(&c, shared)
        .await
        .find(Locator::Css("td.name label"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    click(&c, "#source option[value='routine']").await;
    click(&c, "#confirm").await;
    wait_path(&c, "/tasks").await;
    text_containing(&c, "#notice", "已抽取1家企业").await;
    let listed = text(&c, "#tasks tbody").await;
    assert!(
        listed.contains(&shared_name) && listed.contains("日常检查 · 定向抽取"),
        "{listed}"
    );
    click(&c, ".userbox button.link").await;
    wait_path(&c, "/login").await;

    // 水股: the enterprise is yellow and still open to this department.
    log_in(&c, &app, "tssytx_s").await;
    directed_in_county(&c, &app, "130229").await;
    // Nothing ticked: the page says so and keeps the filter.
    click(&c, "#confirm").await;
    assert!(text(&c, "#extract-error")
        .await
        .contains("请至少选择一家企业"));
    if desktop {
        shot(&c, "tasks-directed-error-desktop").await;
    }
    assert_eq!(
        c.find(Locator::Css("#search select[name=region_code]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("130229")
    );
    let row = row_of(&c, shared).await;
    assert_eq!(
        row.attr("data-mark").await.unwrap().as_deref(),
        Some("yellow")
    );
    row.find(Locator::Css("input[name=enterprise_id]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let second = tick_first_unmarked(&c).await;
    click(&c, "#confirm").await;
    wait_path(&c, "/tasks").await;
    text_containing(&c, "#notice", "已抽取2家企业").await;
    click(&c, ".userbox button.link").await;
    wait_path(&c, "/login").await;

    // 土壤股: the shared enterprise is red and can't be ticked; the other yellow.
    log_in(&c, &app, &soil).await;
    directed_in_county(&c, &app, "130229").await;
    let red = row_of(&c, shared).await;
    assert_eq!(red.attr("data-mark").await.unwrap().as_deref(), Some("red"));
    let red_box = red
        .find(Locator::Css("input[name=enterprise_id]"))
        .await
        .unwrap();
    assert!(!red_box.is_enabled().await.unwrap());
    let note = red
        .find(Locator::Css("td.note"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(note.contains("任何处室不得再次抽取"), "{note}");
    let yellow = row_of(&c, second).await;
    assert_eq!(
        yellow.attr("data-mark").await.unwrap().as_deref(),
        Some("yellow")
    );
    if desktop {
        shot(&c, "tasks-directed-desktop").await;
        scroll_to(&c, "#confirm").await;
        shot(&c, "tasks-directed-settings-desktop").await;
    }

    // 非定向抽取 of three: the record page, re-run on the spot.
    click(&c, "nav a[href='/tasks']").await;
    wait_path(&c, "/tasks").await;
    click(&c, "#random").await;
    wait_path(&c, "/tasks/random").await;
    fill(&c, "#count", "3").await;
    if desktop {
        shot(&c, "tasks-random-desktop").await;
    }
    // 随机抽取 first shows the candidates and asks to confirm; nothing drawn yet.
    let tasks_before = app.count("SELECT COUNT(*) FROM tasks").await;
    click(&c, "#draw").await;
    wait_path(&c, "/tasks/random/confirm").await;
    let candidates: i64 = text(&c, "#candidate-count").await.parse().unwrap();
    assert!(candidates > 3, "{candidates} candidates in Yutian");
    assert_eq!(text(&c, "#draw-count").await, "3");
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, tasks_before);
    assert_eq!(app.count("SELECT COUNT(*) FROM draws").await, 0);
    if desktop {
        shot(&c, "tasks-random-confirm-desktop").await;
        c.set_window_size(390, 844).await.unwrap();
        c.refresh().await.unwrap();
        text(&c, "#candidate-count").await;
        shot(&c, "tasks-random-confirm-phone").await;
        c.set_window_size(1920, 1080).await.unwrap();
    }
    // 返回修改 keeps the form as typed.
    click(&c, "#back").await;
    wait_path(&c, "/tasks/random").await;
    assert_eq!(
        c.find(Locator::Css("#count"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("3")
    );
    click(&c, "#draw").await;
    wait_path(&c, "/tasks/random/confirm").await;
    click(&c, "#confirm-draw").await;
    // The task list, with what was created and the way to the record.
    wait_path(&c, "/tasks").await;
    let notice = text_containing(&c, "#notice", "已抽取3家企业").await;
    assert!(
        notice.contains("生成3个双随机任务") && notice.contains("请设置"),
        "{notice}"
    );
    if desktop {
        shot(&c, "tasks-random-landing-desktop").await;
        c.set_window_size(390, 844).await.unwrap();
        c.refresh().await.unwrap();
        text(&c, "#notice").await;
        shot(&c, "tasks-random-landing-phone").await;
        c.set_window_size(1920, 1080).await.unwrap();
    }
    click(&c, "#notice-draw").await;
    for _ in 0..100 {
        if path(&c).await.starts_with("/draws/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let draw_path = path(&c).await;
    assert!(draw_path.starts_with("/draws/"), "{draw_path}");
    assert!(text(&c, "#verification").await.contains("复核一致"));
    assert!(text(&c, "#verify-result").await.contains("复核一致"));
    let drawn = c.find_all(Locator::Css("#drawn tbody tr")).await.unwrap();
    assert_eq!(drawn.len(), 3);
    assert!(!text(&c, "#drawn tbody").await.contains(&shared_name));
    if desktop {
        shot(&c, "draw-record-desktop").await;
        click(&c, "#candidates summary").await;
        scroll_to(&c, "#candidates").await;
        shot(&c, "draw-candidates-desktop").await;
    }

    // A drawn task: draw its inspectors.
    click(&c, "#drawn tbody td a").await;
    text(&c, "#task").await;
    assert!(text(&c, "#task").await.contains("非定向抽取"));
    let task_path = path(&c).await;
    click(&c, "#draw-inspectors button[type=submit]").await;
    text_containing(&c, "#notice", "已随机抽取检查人员").await;
    let inspectors = c
        .find_all(Locator::Css("#inspectors tbody tr"))
        .await
        .unwrap();
    assert_eq!(inspectors.len(), 2);
    assert!(text(&c, "#inspectors tbody").await.contains("随机抽取"));
    if desktop {
        shot(&c, "task-detail-desktop").await;
    }
    // 回避: an inspector with a conflict of interest leaves the task.
    let first = text(&c, "#inspectors tbody tr:first-child td[data-label='姓名']").await;
    let options = c
        .find_all(Locator::Css("#recusal select[name=person_id] option"))
        .await
        .unwrap();
    for o in options {
        if o.text().await.unwrap() == first {
            o.click().await.unwrap();
        }
    }
    fill(
        &c,
        "#recusal input[name=reason]",
        "与该企业负责人有近亲属关系",
    )
    .await;
    click(&c, "#recusal button[type=submit]").await;
    text_containing(&c, "#notice", "回避声明已登记").await;
    assert!(!text(&c, "#inspectors tbody").await.contains(&first));

    // Another drawn task is cancelled with a reason: greyed in the list.
    c.goto(&app.url(&draw_path)).await.unwrap();
    click(&c, "#drawn tbody tr:nth-child(2) td a").await;
    text(&c, "#task").await;
    fill(
        &c,
        "#cancel input[name=reason]",
        "企业已停产整顿，改由专项检查核查",
    )
    .await;
    click(&c, "#cancel button[type=submit]").await;
    text_containing(&c, "#notice", "任务已取消").await;
    assert_eq!(text(&c, "#status").await, "已取消");
    assert!(text(&c, "#cancel-info").await.contains("停产整顿"));

    // An urgent complaint checked at once is recorded afterwards (补录).
    directed_in_county(&c, &app, "130229").await;
    let date = c
        .find(Locator::Css("input[name=inspected_on]"))
        .await
        .unwrap();
    assert!(!date.is_displayed().await.unwrap());
    tick_first_unmarked(&c).await;
    click(&c, "#source option[value='complaint']").await;
    click(&c, "#emergency option[value='urgent_complaint']").await;
    assert!(date.is_displayed().await.unwrap());
    c.execute(
        "document.querySelector('input[name=inspected_on]').value = '2025-06-01'",
        vec![],
    )
    .await
    .unwrap();
    click(&c, "#confirm").await;
    wait_path(&c, "/tasks").await;
    text_containing(&c, "#notice", "已抽取1家企业").await;
    let listed = text(&c, "#tasks tbody").await;
    assert!(
        listed.contains("补录：群众紧急投诉") && listed.contains("取消原因"),
        "{listed}"
    );

    // The shared enterprise's profile lists the unit's tasks on it.
    c.goto(&app.url(&format!("/enterprises/{shared}?tab=inspections")))
        .await
        .unwrap();
    let inspections = text(&c, "#inspections").await;
    assert!(
        inspections.contains("大气股") && inspections.contains("水股"),
        "{inspections}"
    );
    if desktop {
        shot(&c, "enterprise-inspections-desktop").await;
        c.goto(&app.url("/tasks")).await.unwrap();
        text(&c, "#tasks tbody").await;
        shot(&c, "tasks-list-desktop").await;
        c.set_window_size(390, 844).await.unwrap();
        c.goto(&app.url("/tasks")).await.unwrap();
        text(&c, "#tasks tbody").await;
        shot(&c, "tasks-filter-phone").await;
        scroll_to(&c, "#tasks").await;
        shot(&c, "tasks-list-phone").await;
        c.goto(&app.url(&task_path)).await.unwrap();
        text(&c, "#task").await;
        shot(&c, "task-detail-phone").await;
        scroll_to(&c, "#inspectors").await;
        shot(&c, "task-forms-phone").await;
        c.goto(&app.url("/tasks/directed?region_code=130229"))
            .await
            .unwrap();
        text(&c, "#marked tbody").await;
        scroll_to(&c, "#marked").await;
        shot(&c, "tasks-directed-phone").await;
        c.set_window_size(1920, 1080).await.unwrap();
    }

    // Logged out, the public page shows the commitment and keeps the list sealed.
    click(&c, ".userbox button.link").await;
    wait_path(&c, "/login").await;
    let public = format!("/public{draw_path}");
    c.goto(&app.url(&public)).await.unwrap();
    wait_path(&c, &public).await;
    assert!(text(&c, "#sealed").await.contains("检查完成前保密"));
    assert_eq!(text(&c, "#commitment").await.len(), 64);
    assert!(c.find(Locator::Css("#seed")).await.is_err());
    if desktop {
        shot(&c, "public-draw-desktop").await;
        c.set_window_size(390, 844).await.unwrap();
        c.goto(&app.url(&public)).await.unwrap();
        shot(&c, "public-draw-phone").await;
    }
    c.close().await.unwrap();
}

/// The text of the participants' row of a department on the task page.
async fn participant_row(c: &Client, department: &str) -> String {
    text(c, "#participants tbody").await;
    for row in c
        .find_all(Locator::Css("#participants tbody tr"))
        .await
        .unwrap()
    {
        let first = row
            .find(Locator::Css("td[data-label='处室/部门']"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if first.starts_with(department) {
            return row.text().await.unwrap();
        }
    }
    panic!(
        "{department} not among the participants: {}",
        text(c, "#participants tbody").await
    );
}

/// Ticks the first `n` enabled boxes of a group of inspector checkboxes.
async fn tick_inspectors(c: &Client, form: &str, n: usize) -> Vec<String> {
    let boxes = c
        .find_all(Locator::Css(&format!(
            "{form} .pick-group[data-group=own] input[name=inspector_id]:not([disabled])"
        )))
        .await
        .unwrap();
    assert!(boxes.len() >= n, "{} boxes in {form}", boxes.len());
    let mut names = Vec::new();
    for b in boxes.iter().take(n) {
        if !b.is_selected().await.unwrap() {
            b.click().await.unwrap();
        }
        names.push(b.attr("value").await.unwrap().unwrap());
    }
    names
}

/// JOINT-1…JOINT-3 in the browser: 大气股 extracts an enterprise and sets the
/// task (date, two officers); 水股's administrator gets the SMS and the
/// notice, finds the task under 我可参与的 and joins with two people; 73
/// hours on, 固废股 — never answered — reads 逾期未确认，视为不参与.
async fn joint_inspection_in_a_real_browser(app: TestApp) {
    let desktop = matches!(app.backend, crate::common::Backend::Sqlite);
    app.load_enterprises(100).await;
    let water_admin = app
        .admin_mobile(app.department("玉田县分局", "水股").await)
        .await;
    let waste = app
        .secretary(app.department("玉田县分局", "固废股").await)
        .await;
    let tomorrow = app.tomorrow().to_string();
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();

    // 大气股 extracts one enterprise of Yutian (定向抽取, 日常检查).
    log_in(&c, &app, "tssytx_dq").await;
    directed_in_county(&c, &app, "130229").await;
    tick_first_unmarked(&c).await;
    click(&c, "#source option[value='routine']").await;
    click(&c, "#confirm").await;
    wait_path(&c, "/tasks").await;
    text_containing(&c, "#notice", "已抽取1家企业").await;
    let task = app.count("SELECT MAX(id) FROM tasks").await;
    let task_path = format!("/tasks/{task}");
    let enterprise = text(&c, &format!("#tasks tbody a[href='{task_path}']")).await;
    // 设置 in the list's 操作 column opens the 设置 dialog of the task.
    click(&c, &format!("#tasks tbody tr[data-id='{task}'] a.op-set")).await;
    wait_path(&c, "/tasks/settings").await;
    assert!(text(&c, "#settings-tasks").await.contains(&enterprise));
    let date = c.find(Locator::Css("#planned_on")).await.unwrap();
    // A text field in the platform's format (type=date shows the OS locale);
    // the earliest day rides along for the page script, the server checks it.
    assert_eq!(
        date.attr("data-min").await.unwrap().as_deref(),
        Some(tomorrow.as_str())
    );
    assert_eq!(
        date.attr("placeholder").await.unwrap().as_deref(),
        Some("2026-12-07")
    );

    // One officer is not enough: the error sits on the form, the ticks stay.
    c.execute(
        "document.querySelector('#planned_on').value = arguments[0]",
        vec![json!(tomorrow)],
    )
    .await
    .unwrap();
    tick_inspectors(&c, "#settings-form", 1).await;
    click(&c, "#settings-submit").await;
    assert!(text(&c, "#settings-error")
        .await
        .contains("发起处室至少选择2名本处室的执法人员"));
    assert_eq!(
        c.find_all(Locator::Css(
            "#settings-form input[name=inspector_id]:checked"
        ))
        .await
        .unwrap()
        .len(),
        1
    );
    tick_inspectors(&c, "#settings-form", 2).await;
    click(&c, "#settings-submit").await;
    // Back on the list it was opened from, with the notice.
    wait_path(&c, "/tasks").await;
    text_containing(&c, "#notice", "已设置1个任务").await;
    c.goto(&app.url(&task_path)).await.unwrap();
    assert_eq!(text(&c, "#joint-status").await, "待其他处室确认");
    assert_eq!(
        c.find_all(Locator::Css("#participants tbody tr"))
            .await
            .unwrap()
            .len(),
        6,
        "大气股 and the five other departments of the branch (not its 办公室)"
    );
    assert!(participant_row(&c, "大气股").await.contains("发起"));
    assert!(participant_row(&c, "水股").await.contains("待确认"));
    assert_eq!(text(&c, "#status").await, "已安排");
    assert!(text(&c, "#task").await.contains(&tomorrow));
    assert_eq!(
        c.find_all(Locator::Css("#inspectors tbody tr"))
            .await
            .unwrap()
            .len(),
        2
    );
    click(&c, ".userbox button.link").await;
    wait_path(&c, "/login").await;

    // 水股's administrator (a person: the mobile number is the login).
    log_in(&c, &app, &water_admin).await;
    let notices = text(&c, "#notices").await;
    assert!(notices.contains("抽取了1个双随机任务"), "{notices}");
    assert!(text(&c, "#may-join").await.contains("1 个任务待确认"));
    if desktop {
        shot(&c, "home-notices-desktop").await;
    }
    // The SMS of manual 3.2.3, in the outbox (development gateway).
    c.goto(&app.url("/sms/outbox")).await.unwrap();
    let outbox = text(&c, "#outbox tbody").await;
    assert!(
        outbox.contains("您所在单位抽取了新的双随机任务，请登录系统确认是否参与！"),
        "{outbox}"
    );

    // 双随机任务 → 任务类型 我可参与的 → 参加.
    click(&c, "nav a[href='/tasks']").await;
    wait_path(&c, "/tasks").await;
    click(&c, "#task-search select[name=view] option[value=may_join]").await;
    click(&c, "#task-search button[type=submit]").await;
    for _ in 0..100 {
        if c.current_url()
            .await
            .unwrap()
            .query()
            .unwrap_or("")
            .contains("may_join")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(text(&c, "#total").await, "共 1 个任务");
    assert!(text(&c, "#tasks tbody").await.contains(&enterprise));
    click(&c, "#tasks tbody a.op-join").await;
    wait_path(&c, &task_path).await;
    assert!(text(&c, "#participate").await.contains("是否参加本次检查"));
    // 是 with nobody ticked is refused beside the form.
    click(&c, "#participate-form input[name=join][value=true]").await;
    click(&c, "#participate-submit").await;
    assert!(text(&c, "#participation-error")
        .await
        .contains("参加检查须选择检查人员"));
    let join_yes = c
        .find(Locator::Css(
            "#participate-form input[name=join][value=true]",
        ))
        .await
        .unwrap();
    assert!(join_yes.is_selected().await.unwrap(), "the choice stays");
    c.goto(&app.url(&format!("{task_path}#participate")))
        .await
        .unwrap();
    click(&c, "#participate-form input[name=join][value=true]").await;
    tick_inspectors(&c, "#participate-form", 2).await;
    if desktop {
        scroll_to(&c, "#joint-panel").await;
        shot(&c, "task-participate-desktop").await;
    }
    click(&c, "#participate-submit").await;
    text_containing(&c, "#notice", "已确认参加").await;
    assert!(participant_row(&c, "大气股").await.contains("发起"));
    assert!(participant_row(&c, "水股").await.contains("参加"));
    assert_eq!(text(&c, "#joint-status").await, "联合检查");
    assert_eq!(
        c.find_all(Locator::Css("#inspectors tbody tr"))
            .await
            .unwrap()
            .len(),
        4,
        "two of 大气股 and two of 水股"
    );
    assert!(text(&c, "#participate-decided").await.contains("参加"));

    // 73 hours later (the session idled out long ago): 固废股 never answered.
    app.clock.advance(chrono::Duration::hours(73));
    c.goto(&app.url(&task_path)).await.unwrap();
    wait_path(&c, "/login").await;
    log_in(&c, &app, &waste).await;
    c.goto(&app.url(&task_path)).await.unwrap();
    assert!(text(&c, "#participate-lapsed").await.contains("确认期限"));
    assert!(c.find(Locator::Css("#participate-form")).await.is_err());
    click(&c, ".userbox button.link").await;
    wait_path(&c, "/login").await;

    log_in_again(&c, &app, "tssytx_dq").await;
    c.goto(&app.url(&task_path)).await.unwrap();
    assert!(participant_row(&c, "固废股")
        .await
        .contains("逾期未确认，视为不参与"));
    assert!(participant_row(&c, "水股").await.contains("参加"));
    assert_eq!(text(&c, "#joint-status").await, "联合检查");
    // JOINT-6: a partner agency is invited from the same panel.
    click(&c, "#invite select[name=department_id] option:nth-child(2)").await;
    click(&c, "#invite button[type=submit]").await;
    text_containing(&c, "#notice", "已邀请协作部门").await;
    let partner = c
        .find_all(Locator::Css("#participants tbody tr"))
        .await
        .unwrap()
        .len();
    assert_eq!(partner, 7);
    assert!(text(&c, "#participants tbody tr:last-child")
        .await
        .contains("协作部门"));
    if desktop {
        scroll_to(&c, "#joint-panel").await;
        shot(&c, "task-joint-desktop").await;
        c.goto(&app.url(&format!("/tasks/settings?task_id={task}&back={task_path}")))
            .await
            .unwrap();
        text(&c, "#settings").await;
        shot(&c, "task-settings-desktop").await;
        c.set_window_size(390, 844).await.unwrap();
        c.refresh().await.unwrap();
        text(&c, "#settings").await;
        shot(&c, "task-settings-phone").await;
        c.goto(&app.url(&task_path)).await.unwrap();
        text(&c, "#task").await;
        shot(&c, "task-detail-top-phone").await;
        scroll_to(&c, "#joint-panel").await;
        shot(&c, "task-joint-phone").await;
        c.set_window_size(1920, 1080).await.unwrap();
    }
    c.close().await.unwrap();
}
