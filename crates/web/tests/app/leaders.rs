//! The leaders' task list (issue "Leaders' view", item 4): the unit head
//! sees every department's tasks with status, joint or not, results and
//! problems, filters them, and exports the same rows as XLSX.

use std::io::Cursor;

use calamine::{Reader, Xlsx};

use crate::common::{extract, id, office, secretary_token, submitted_visit, TestApp, YUTIAN};

both_databases!(config = crate::common::with_evidence_folder(); the_unit_head_sees_and_exports_every_departments_tasks);

async fn the_unit_head_sees_and_exports_every_departments_tasks(app: TestApp) {
    // 大气股 and 水股 visit one enterprise together (1 problem found); 土壤股
    // extracts another on its own.
    let s = submitted_visit(&app).await;
    let other = app.yutian_enterprises(5).await[3];
    let soil = secretary_token(&app, YUTIAN, "土壤股").await;
    let soil_task = id(&extract(&app, &soil, "routine", other).await);

    let (head, _) = app.web_user(&office(&app).await[0].1).await;
    let html = app.html(&head, "/tasks?year=2025").await;
    assert!(
        html.contains(&format!("href=\"/tasks/{}\"", s.visit.task)),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"/tasks/{soil_task}\"")));
    let html = app.html(&head, "/tasks?year=2025&initiator=土壤股").await;
    assert!(!html.contains(&format!("href=\"/tasks/{}\"", s.visit.task)));

    let r = head
        .get(app.url("/tasks/export.xlsx?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        String::from_utf8_lossy(r.headers()["content-disposition"].as_bytes()).contains(".xlsx")
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "任务编号");
    let row = |task: i64| {
        rows.iter()
            .find(|r| r[0] == task.to_string())
            .unwrap_or_else(|| panic!("task {task} in {rows:?}"))
            .clone()
    };
    let joint = row(s.visit.task);
    assert_eq!(joint[6], "大气股");
    assert_eq!(joint[7], "已完成");
    assert_eq!(joint[8], "联合检查");
    assert_eq!(joint[11], "2", "both departments' results");
    assert_eq!(joint[12], "1", "one problem found");
    let alone = row(soil_task);
    assert_eq!(alone[6], "土壤股");
    assert_eq!(alone[7], "待安排");
    assert_eq!(alone[11], "0");
    assert_eq!(alone[12], "");
    assert_eq!(
        rows.len() - 1,
        app.count("SELECT COUNT(*) FROM tasks WHERE year = 2025")
            .await as usize
    );
}
