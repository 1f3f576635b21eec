//! Results on the desktop (RESULT-1…RESULT-4 read back): the task page's
//! 检查结果 panel with every participating department's result — items with
//! 存在问题 / 未发现问题, 问题描述, 企业基本情况, 现场检查情况, photo
//! thumbnails that open the image, who submitted and when, 逾期提交 — and
//! 未办理 before a department submits; the task list's 发现问题 column and
//! 查看结果 link; who may see the panel and its photos.

use crate::common::{
    check_in, element, office, secretary_token, submitted_visit, visit, TestApp, AIR_FINDINGS, PNG,
    PROBLEM, WATER_FINDINGS, YUTIAN,
};

both_databases!(config = crate::common::with_evidence_folder();
    the_task_page_shows_each_departments_result_and_the_list_counts_problems,
    before_any_result_every_department_reads_pending,
    the_results_show_to_the_tasks_people_and_the_units_leaders_only,
);

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn the_task_page_shows_each_departments_result_and_the_list_counts_problems(app: TestApp) {
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let (web, _) = app.web_user(&app.secretary(s.visit.air).await).await;
    let (status, html) = page(&web, &app, &format!("/tasks/{task}")).await;
    assert_eq!(status, 200);
    let panel = element(&html, "results");
    assert!(panel.contains("已办理 2 / 2 个处室"), "{panel}");
    let air = element(panel, &format!("result-{}", s.visit.air));
    assert!(air.contains("大气股") && air.contains("已办理"), "{air}");
    assert!(
        air.contains("DQ-05-01") && air.contains("重污染天气应急减排措施落实情况"),
        "{air}"
    );
    assert!(
        air.contains("存在问题") && air.contains("未发现问题"),
        "{air}"
    );
    assert!(air.contains(PROBLEM) && air.contains(AIR_FINDINGS), "{air}");
    assert!(air.contains("企业正常生产，法人代表张某"), "{air}");
    assert!(
        !air.contains("逾期提交"),
        "submitted on the visit day: {air}"
    );
    let water = element(panel, &format!("result-{}", s.visit.water));
    assert!(water.contains(WATER_FINDINGS), "{water}");
    assert!(water.contains("逾期提交"), "submitted a day late: {water}");
    assert!(!water.contains("存在问题</span>"), "{water}");

    // The thumbnail opens the photo itself.
    let link = format!("/m/evidence/{}", s.photo);
    assert!(
        air.contains(&format!("href=\"{link}\"")) && air.contains(&format!("src=\"{link}\"")),
        "{air}"
    );
    let r = web.get(app.url(&link)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    // The list: 发现问题 1 and a link to the panel.
    let (status, list) = page(&web, &app, "/tasks").await;
    assert_eq!(status, 200);
    let table = element(&list, "tasks");
    assert!(table.contains("<th class=\"num\">发现问题</th>"), "{table}");
    assert!(
        table.contains("<span class=\"problems has\">1</span>"),
        "{table}"
    );
    assert!(
        table.contains(&format!("href=\"/tasks/{task}#results\"")),
        "{table}"
    );
    // The API's list row carries the tallies too.
    let secretary = secretary_token(&app, YUTIAN, "大气股").await;
    let (st, b) = app.get(&secretary, "/api/v1/tasks").await;
    assert_eq!(st, 200, "{b}");
    let row = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == task)
        .unwrap();
    assert_eq!(
        (row["results"].as_i64(), row["problems_found"].as_i64()),
        (Some(2), Some(1))
    );
}

async fn before_any_result_every_department_reads_pending(app: TestApp) {
    let v = visit(&app).joined_by_water(0).await;
    check_in(&app, v.task).await;
    let (web, _) = app.web_user(&app.secretary(v.air).await).await;
    let (_, html) = page(&web, &app, &format!("/tasks/{}", v.task)).await;
    let panel = element(&html, "results");
    assert!(panel.contains("已办理 0 / 2 个处室"), "{panel}");
    for d in [v.air, v.water] {
        let section = element(panel, &format!("result-{d}"));
        assert!(section.contains("未办理"), "{section}");
        assert!(!section.contains("<table"), "{section}");
    }
    let (_, list) = page(&web, &app, "/tasks").await;
    let table = element(&list, "tasks");
    assert!(
        !table.contains("#results"),
        "no link before any result: {table}"
    );
    assert!(!table.contains("class=\"problems"), "{table}");
}

async fn the_results_show_to_the_tasks_people_and_the_units_leaders_only(app: TestApp) {
    let s = submitted_visit(&app).await;
    let task = s.visit.task;
    let office = office(&app).await;
    let water_mobile = s.visit.water_inspector.clone().unwrap().1;
    // Who may see: the departments' people (secretary, inspectors, the
    // head — 大气股's first officer is its head and on the task), the branch
    // head (行政执法主体负责人) and the office (办公室).
    let may_see = [
        app.secretary(s.visit.air).await,
        app.secretary(s.visit.water).await,
        s.visit.inspectors[1].1.clone(),
        s.air_mobile.clone(),
        water_mobile,
        office[0].1.clone(),
        office[2].1.clone(),
    ];
    for login in &may_see {
        let (web, _) = app.web_user(login).await;
        let (status, html) = page(&web, &app, &format!("/tasks/{task}")).await;
        assert_eq!(status, 200, "{login}");
        assert!(element(&html, "results").contains(PROBLEM), "{login}");
        let r = web
            .get(app.url(&format!("/m/evidence/{}", s.photo)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{login}: the photo");
    }
    // Who may not: another unit (the city bureau's 大气环境科): 404 for the
    // task and for its photo, as for things that do not exist.
    let city = secretary_token(&app, "唐山市生态环境局", "大气环境科").await;
    let (st, _) = app
        .get(&city, &format!("/api/v1/field/tasks/{task}/results"))
        .await;
    assert_eq!(st, 404);
    let city_login = app
        .secretary(app.department("唐山市生态环境局", "大气环境科").await)
        .await;
    let (web, _) = app.web_user(&city_login).await;
    let (status, html) = page(&web, &app, &format!("/tasks/{task}")).await;
    assert_eq!(status, 404);
    assert!(!html.contains(PROBLEM));
    let r = web
        .get(app.url(&format!("/m/evidence/{}", s.photo)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}
