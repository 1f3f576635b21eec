//! 检查文书 in headless Chromium (Debian's `chromium` and `chromium-driver`):
//! for a joint task of 玉田县分局, an officer of 大气股 drafts the 审批表 from
//! the task page, completes it in the editor and submits it; the 股长 signs;
//! a department head finds no approval button; the branch head approves; the
//! office numbers and stamps it — 唐环行检批〔2025〕11-1号 — and the register
//! shows 1 号连续. Then the notice is drafted, submitted (the office sees it
//! only then, with 被检查人, 任务编号, 起草人 and 提交时间), numbered and
//! served, and the task reads 手续齐全. Screenshots at 1920×1080 and 390×844 go to
//! `target/screenshots/`.

use crate::common::browser::*;
use crate::common::{visit, Backend, TestApp, YUTIAN};
use fantoccini::{Client, Locator};
use yici_store::Exec;

both_databases!(documents_in_a_real_browser);

/// A browser logged in as `login` (a new session, past the forced password change).
async fn as_user(driver: &Driver, app: &TestApp, login: &str) -> Client {
    let c = browser(driver).await;
    log_in(&c, app, login).await;
    c
}

/// Clicks a workflow button and waits for the document page to come back
/// with that step's notice (`?done=<action>`: the page before the click may
/// show a notice of its own).
async fn step(c: &Client, form: &str) {
    click(c, &format!("#{form} button[type=submit]")).await;
    let done = format!("done={}", form.trim_start_matches("act-"));
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        if url.query().is_some_and(|q| q.contains(&done)) {
            let notice = text(c, "#notice").await;
            assert!(notice.starts_with('已'), "{notice}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "no {done} after {form}:\n{}",
        c.source().await.unwrap_or_default()
    );
}

async fn documents_in_a_real_browser(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    // A joint task: 大气股's officers 1 and 2 and 水股's officer 1 inspect.
    let v = visit(&app).inspectors(1, 2).joined_by_water(1).await;
    let task = v.task;
    let office = app.people_of(YUTIAN, "办公室").await;

    let driver = chromedriver().await;
    // An officer of 大气股 drafts the approval form from the task page.
    let officer = as_user(&driver, &app, &v.inspectors[0].1).await;
    officer
        .goto(&app.url(&format!("/tasks/{task}")))
        .await
        .unwrap();
    assert!(text(&officer, "#procedure-summary")
        .await
        .contains("检查前应完成"));
    officer
        .find(Locator::Css(
            "#draft-document select[name=kind] option[value=approval_form]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&officer, "#draft-document button[type=submit]").await;
    let status = text(&officer, "#doc-status").await;
    assert_eq!(status, "草稿");
    let doc_path = path(&officer).await;
    // Filled in by the platform: enterprise, USCC, the three inspectors with 执法证号, frequency.
    let source = officer.source().await.unwrap();
    assert!(
        source.contains("name=\"inspectors.2.certificate_no\""),
        "three inspectors of the joint group"
    );
    fill(
        &officer,
        "textarea[name=items]",
        "排污许可执行情况、大气污染防治设施运行情况、污水处理设施运行情况",
    )
    .await;
    click(&officer, "#save-document").await;
    assert_eq!(text(&officer, "#notice").await, "文书已保存。");
    // The preview frames the print page: the browser shows it (a frame
    // refused by the security headers has no document of ours to read).
    let mut preview = String::new();
    for _ in 0..100 {
        preview = officer
            .execute(
                "try { return document.querySelector('iframe.doc-preview').contentDocument.body.innerText; }
                 catch (e) { return ''; }",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string();
        if preview.contains("行政检查审批表") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        preview.contains("行政检查审批表"),
        "the preview: {preview:?}"
    );
    if shoot {
        shot(&officer, "documents-editor-desktop").await;
    }
    step(&officer, "act-submit").await;
    assert_eq!(text(&officer, "#doc-status").await, "待承办机构负责人审批");

    // The 股长 signs; the branch head approves; a department head alone cannot.
    let head = as_user(&driver, &app, &v.air_officers[0].1).await;
    head.goto(&app.url("/documents")).await.unwrap();
    assert!(text(&head, "#inbox").await.contains("行政检查审批表"));
    head.goto(&app.url(&doc_path)).await.unwrap();
    fill(
        &head,
        "#act-sign_department_head input[name=opinion]",
        "同意检查",
    )
    .await;
    step(&head, "act-sign_department_head").await;
    assert_eq!(text(&head, "#doc-status").await, "待行政执法主体负责人审批");
    head.refresh().await.unwrap();
    assert!(
        head.find(Locator::Css("#act-approve_unit_head"))
            .await
            .is_err(),
        "a department head is offered no approval"
    );
    let boss = as_user(&driver, &app, &office[0].1).await;
    boss.goto(&app.url(&doc_path)).await.unwrap();
    step(&boss, "act-approve_unit_head").await;
    assert_eq!(text(&boss, "#doc-status").await, "已批准，待编号");
    assert_eq!(text(&boss, "#notice").await, "已批准，等待办公室编号盖章。");

    // The office numbers and stamps it, and the register shows the run.
    let clerk = as_user(&driver, &app, &office[2].1).await;
    clerk.goto(&app.url("/documents")).await.unwrap();
    assert!(text(&clerk, "#inbox").await.contains("已批准，待编号"));
    clerk.goto(&app.url(&doc_path)).await.unwrap();
    step(&clerk, "act-number").await;
    assert_eq!(
        text(&clerk, "#doc-number").await,
        "唐环行检批〔2025〕11-1号"
    );
    assert_eq!(text(&clerk, "#doc-status").await, "已编号盖章");
    if shoot {
        shot(&clerk, "documents-approved-desktop").await;
    }
    clerk
        .goto(&app.url("/documents/register?kind=approval_form&year=2025"))
        .await
        .unwrap();
    assert!(text(&clerk, "#gapless").await.contains("1—1 号连续"));
    assert!(text(&clerk, "#register")
        .await
        .contains("唐环行检批〔2025〕11-1号"));
    if shoot {
        shot(&clerk, "documents-register-desktop").await;
    }

    // The notice: drafted, numbered by the office, served before the visit.
    officer
        .goto(&app.url(&format!("/tasks/{task}")))
        .await
        .unwrap();
    officer
        .find(Locator::Css(
            "#draft-document select[name=kind] option[value=inspection_notice]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&officer, "#draft-document button[type=submit]").await;
    assert_eq!(text(&officer, "#doc-status").await, "草稿");
    let notice_path = path(&officer).await;
    if shoot {
        // The notice's editor: its dates are typed as 2026-12-07.
        assert_eq!(
            officer
                .find(Locator::Css("input[name=inspection_date]"))
                .await
                .unwrap()
                .attr("placeholder")
                .await
                .unwrap()
                .as_deref(),
            Some("2026-12-07")
        );
        shot(&officer, "documents-notice-editor-desktop").await;
        officer.set_window_size(390, 844).await.unwrap();
        officer.refresh().await.unwrap();
        shot(&officer, "documents-notice-editor-phone").await;
        // The plans page with its export and print buttons, both widths.
        officer.goto(&app.url("/plans")).await.unwrap();
        shot(&officer, "plans-phone").await;
        officer.set_window_size(1920, 1080).await.unwrap();
        officer.refresh().await.unwrap();
        assert!(text(&officer, "#progress").await.contains("导出Excel"));
        shot(&officer, "plans-desktop").await;
    }
    // A draft is not the office's yet.
    clerk.goto(&app.url("/documents")).await.unwrap();
    assert!(!text(&clerk, "#inbox").await.contains("行政检查通知书"));
    officer.goto(&app.url(&notice_path)).await.unwrap();
    assert_eq!(text(&officer, "#act-submit button").await, "提交办公室编号");
    step(&officer, "act-submit").await;
    assert_eq!(
        text(&officer, "#notice").await,
        "已提交，等待办公室编号盖章。"
    );
    assert_eq!(text(&officer, "#doc-status").await, "已提交，待编号");
    clerk.goto(&app.url("/documents")).await.unwrap();
    let inbox = text(&clerk, "#inbox").await;
    let (_, enterprise) = app.uscc_and_name(v.enterprise).await;
    let drafter = app
        .db
        .clone()
        .fetch_one(
            "SELECT name FROM people WHERE id = $1",
            yici_store::args![v.inspectors[0].0],
        )
        .await
        .unwrap()
        .get::<String>("name")
        .unwrap();
    for expected in [
        "行政检查通知书",
        enterprise.as_str(),
        &task.to_string(),
        drafter.as_str(),
        "已提交，待编号",
        "被检查人",
        "提交时间",
    ] {
        assert!(inbox.contains(expected), "{expected} in {inbox}");
    }
    if shoot {
        shot(&clerk, "documents-inbox-desktop").await;
        clerk.set_window_size(390, 844).await.unwrap();
        clerk.refresh().await.unwrap();
        shot(&clerk, "documents-inbox-phone").await;
        clerk.set_window_size(1920, 1080).await.unwrap();
    }
    clerk.goto(&app.url(&notice_path)).await.unwrap();
    step(&clerk, "act-number").await;
    assert_eq!(
        text(&clerk, "#doc-number").await,
        "唐环行检通知〔2025〕11-1号"
    );
    officer.goto(&app.url(&notice_path)).await.unwrap();
    fill(&officer, "#act-serve input[name=recipient]", "王建国").await;
    fill(
        &officer,
        "#act-serve input[name=method_and_address]",
        "直接送达：企业办公楼",
    )
    .await;
    step(&officer, "act-serve").await;
    assert_eq!(text(&officer, "#doc-status").await, "已送达");
    officer
        .goto(&app.url(&format!("/tasks/{task}")))
        .await
        .unwrap();
    assert_eq!(text(&officer, "#procedure-summary").await, "手续齐全");
    let panel = text(&officer, "#documents").await;
    assert!(
        panel.contains("唐环行检批〔2025〕11-1号") && panel.contains("唐环行检通知〔2025〕11-1号"),
        "{panel}"
    );

    if shoot {
        officer.set_window_size(390, 844).await.unwrap();
        officer.goto(&app.url(&notice_path)).await.unwrap();
        shot(&officer, "documents-notice-phone").await;
        officer
            .goto(&app.url(&format!("/tasks/{task}")))
            .await
            .unwrap();
        scroll_to(&officer, "#documents-panel").await;
        shot(&officer, "documents-task-panel-phone").await;
    }
    for c in [officer, head, boss, clerk] {
        c.close().await.unwrap();
    }
}
