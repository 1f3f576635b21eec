//! Long imports and exports as jobs (issue 26 item 8): progress while they
//! run, the report or the file when done, found again after leaving the
//! page, only by their owner — on both databases.

use std::time::Duration;

use serde_json::Value;
use yici_store::Exec;

use crate::common::{settled, TestApp};
use crate::registry::{csv, uscc};
use yici_domain::time::Clock;

both_databases!(config = crate::common::with_evidence_folder();
    an_import_job_counts_its_rows_and_ends_with_the_report,
    an_import_job_that_cannot_read_its_file_fails_and_writes_nothing,
    a_job_whose_instance_stopped_reads_as_interrupted,
    an_export_job_makes_a_file_kept_for_a_day,
    the_pages_follow_jobs_and_list_them,
);

/// Polls a job until it is no longer running; returns every state seen.
async fn until_ended(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..600 {
        let (status, job) = app.get(token, &format!("/api/v1/file-jobs/{id}")).await;
        assert_eq!(status, 200, "{job}");
        let running = job["status"] == "running";
        seen.push(job);
        if !running {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} still running after a minute: {seen:?}");
}

async fn start_import(app: &TestApp, token: &str, bytes: Vec<u8>, name: &str) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(&format!("/api/v1/enterprises/import-jobs?filename={name}")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let body: Value = r.json().await.unwrap();
    if status == 202 {
        assert_eq!(
            location.as_deref(),
            Some(format!("/api/v1/file-jobs/{}", body["id"]).as_str())
        );
    }
    (status, body)
}

async fn an_import_job_counts_its_rows_and_ends_with_the_report(app: TestApp) {
    let token = app.token("tssytx_dq").await;
    // 2,500 good rows and two bad ones: the rows are checked in blocks of
    // 8,192 and written in batches of 10,000, so the counters move once each;
    // what is checked here is where they end and that they never go back.
    let mut rows: Vec<String> = (0..2500)
        .map(|i| {
            format!(
                "玉田县作业{i}有限公司,{},玉田县作业路{i}号,3110,130229,,,,",
                uscc("130229", 50_000 + i)
            )
        })
        .collect();
    rows.push("坏代码公司,123,玉田县作业路,3110,130229,,,,".into());
    rows.push(format!(
        "乐亭县作业公司,{},乐亭县路1号,3110,130225,,,,",
        uscc("130225", 9)
    ));
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (status, job) = start_import(&app, &token, csv(&refs), "作业.csv").await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["kind"], "registry_import");
    assert_eq!(job["file_name"], "作业.csv");
    let id = job["id"].as_i64().unwrap();
    let seen = until_ended(&app, &token, id).await;
    for pair in seen.windows(2) {
        for counter in ["rows_checked", "rows_written"] {
            assert!(
                pair[0][counter].as_i64() <= pair[1][counter].as_i64(),
                "{counter} went back: {pair:?}"
            );
        }
    }
    let last = seen.last().unwrap();
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["phase"], "done");
    assert_eq!(last["rows_total"], 2502);
    assert_eq!(last["rows_checked"], 2502);
    assert_eq!(last["rows_written"], 2500);
    assert_eq!(last["has_file"], false);
    let report = &last["report"];
    assert_eq!(report["rows"], 2502);
    assert_eq!(report["created"], 2500);
    assert_eq!(report["rejected"], 2);
    let issues = report["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 2);
    assert!(issues[1]["reason"]
        .as_str()
        .unwrap()
        .contains("不在本单位管辖范围内"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enterprises WHERE name LIKE '玉田县作业%'")
            .await,
        2500
    );
    // The same file again: nothing new, every row unchanged.
    let (_, again) = start_import(&app, &token, csv(&refs), "作业.csv").await;
    let again = until_ended(&app, &token, again["id"].as_i64().unwrap()).await;
    let report = &again.last().unwrap()["report"];
    assert_eq!(
        (report["created"].as_i64(), report["unchanged"].as_i64()),
        (Some(0), Some(2500))
    );

    // Only its owner finds it, also in the list.
    let (_, mine) = app.get(&token, "/api/v1/file-jobs").await;
    let ids: Vec<i64> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&(id + 1)), "newest first: {ids:?}");
    assert!(ids.contains(&id));
    let water = app.token("tssytx_s").await;
    let (status, body) = app.get(&water, &format!("/api/v1/file-jobs/{id}")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["message"], "导入导出任务不存在或无权查看");
    let (_, theirs) = app.get(&water, "/api/v1/file-jobs").await;
    assert_eq!(theirs, serde_json::json!([]));

    // No file, and a reader who may not write the registry: refused at once.
    let (status, body) = start_import(&app, &token, Vec::new(), "空.csv").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "file");
    let member = app
        .person_of(&token, app.department("玉田县分局", "大气股").await, false)
        .await;
    let inspector = app.token(member["mobile"].as_str().unwrap()).await;
    let (status, _) = start_import(&app, &inspector, csv(&refs[..1]), "x.csv").await;
    assert_eq!(status, 403);
}

async fn an_import_job_that_cannot_read_its_file_fails_and_writes_nothing(app: TestApp) {
    let token = app.token("tssytx_dq").await;
    let before = app.count("SELECT COUNT(*) FROM enterprises").await;
    let (status, job) = start_import(&app, &token, b"PK not a zip".to_vec(), "坏.xlsx").await;
    assert_eq!(status, 202, "{job}");
    let seen = until_ended(&app, &token, job["id"].as_i64().unwrap()).await;
    let last = seen.last().unwrap();
    assert_eq!(last["status"], "failed", "{last}");
    assert_eq!(last["phase"], "reading");
    let error = last["error"].as_str().unwrap();
    assert!(
        !error.is_empty() && !error.is_ascii() && !error.contains("服务器内部错误"),
        "a reason in Chinese: {error}"
    );
    assert_eq!(last["report"], Value::Null);
    assert_eq!(app.count("SELECT COUNT(*) FROM enterprises").await, before);
}

async fn a_job_whose_instance_stopped_reads_as_interrupted(app: TestApp) {
    let token = app.token("tssytx_dq").await;
    let (_, job) = start_import(&app, &token, csv(&[]), "空表.csv").await;
    let id = job["id"].as_i64().unwrap();
    until_ended(&app, &token, id).await;
    // A job left running by an instance that stopped: its heartbeat ages.
    let account = app
        .count("SELECT id FROM accounts WHERE login = 'tssytx_dq'")
        .await;
    let now = app.clock.now();
    let stopped = app
        .db
        .clone()
        .scalar_i64(
            "INSERT INTO file_jobs (kind, account_id, status, phase, file_name, rows_total,
                rows_checked, rows_written, created_at, heartbeat_at)
             VALUES ('registry_import', $1, 'running', 'writing', '大表.csv', 200000, 200000,
                     40000, $2, $3) RETURNING id",
            yici_store::args![account, now, now],
        )
        .await
        .unwrap();
    let (_, fresh) = app
        .get(&token, &format!("/api/v1/file-jobs/{stopped}"))
        .await;
    assert_eq!(
        fresh["status"], "running",
        "a recent heartbeat: still running"
    );
    app.clock.advance(chrono::Duration::seconds(31));
    let (_, old) = app
        .get(&token, &format!("/api/v1/file-jobs/{stopped}"))
        .await;
    assert_eq!(old["status"], "interrupted", "{old}");
    assert_eq!(old["rows_written"], 40000);
    // A finished job does not age into an interrupted one.
    let (_, done) = app.get(&token, &format!("/api/v1/file-jobs/{id}")).await;
    assert_eq!(done["status"], "done");
}

async fn an_export_job_makes_a_file_kept_for_a_day(app: TestApp) {
    app.load_enterprises(300).await;
    let token = app.token("tssytx_dq").await;
    let (_, found) = app.get(&token, "/api/v1/enterprises?per_page=1").await;
    let total = found["total"].as_i64().unwrap();
    assert!(total > 50, "{total}");
    let start = |q: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            let r = app
                .http
                .post(app.url(&format!("/api/v1/enterprises/export-jobs?{q}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, job) = start("format=csv").await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["kind"], "registry_export");
    assert!(job["file_name"].as_str().unwrap().starts_with("企业名录-"));
    let id = job["id"].as_i64().unwrap();
    let seen = until_ended(&app, &token, id).await;
    let last = seen.last().unwrap();
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["rows_total"], total);
    assert_eq!(last["rows_written"], total);
    assert_eq!(last["has_file"], true);
    let download = |who: String| {
        let app = &app;
        async move {
            app.http
                .get(app.url(&format!("/api/v1/file-jobs/{id}/file")))
                .bearer_auth(who)
                .send()
                .await
                .unwrap()
        }
    };
    let r = download(token.clone()).await;
    assert_eq!(r.status().as_u16(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let text = r.text().await.unwrap();
    assert!(text
        .trim_start_matches('\u{feff}')
        .starts_with("排污单位名称"));
    assert_eq!(
        text.lines().count() as i64,
        total + 1,
        "a header and a line each"
    );
    // Another account may not download it.
    let water = app.token("tssytx_s").await;
    assert_eq!(download(water).await.status().as_u16(), 404);
    // A bad format or filter is refused before any job starts.
    let jobs_before = app.count("SELECT COUNT(*) FROM file_jobs").await;
    assert_eq!(start("format=pdf").await.0, 422);
    let (status, body) = start("format=csv&industry=99").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM file_jobs").await,
        jobs_before
    );

    // A day later the file is removed; the job stays listed without it.
    let folder = yici_web::file_jobs::folder_in(&app.evidence_dir);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
    let now = app.clock.now();
    let removed = yici_web::file_jobs::remove_outputs_before(
        &app.db,
        &folder,
        now - yici_web::file_jobs::KEEP_OUTPUT,
        now,
    )
    .await
    .unwrap();
    assert_eq!(removed, 0, "not a day old yet");
    app.clock.advance(chrono::Duration::hours(25));
    let now = app.clock.now();
    let removed = yici_web::file_jobs::remove_outputs_before(
        &app.db,
        &folder,
        now - yici_web::file_jobs::KEEP_OUTPUT,
        now,
    )
    .await
    .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
    // The session ran out meanwhile: signed in again.
    let (_, login) = app
        .api_login("tssytx_dq", crate::common::NEW_PASSWORD)
        .await;
    let token = login["token"].as_str().unwrap().to_string();
    let (_, job) = app.get(&token, &format!("/api/v1/file-jobs/{id}")).await;
    assert_eq!(
        (job["status"].as_str(), job["has_file"].as_bool()),
        (Some("done"), Some(false))
    );
    let r = download(token.clone()).await;
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "file_gone");
}

async fn the_pages_follow_jobs_and_list_them(app: TestApp) {
    let api = app.token("tssytx_dq").await;
    let (client, csrf) = app.web_user("tssytx_dq").await;
    let good = uscc("130229", 777);
    let file = csv(&[
        &format!("玉田县页面作业有限公司,{good},玉田县页面路1号,3110,130229,,,,"),
        "坏代码公司,123,玉田县页面路2号,3110,130229,,,,",
    ]);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("页面.csv"),
        );
    let r = client
        .post(app.url("/enterprises/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, path, html) = settled(&client, r).await;
    assert_eq!(status, 200);
    assert!(path.starts_with("/file-jobs/"), "{path}");
    let summary = crate::common::element(&html, "summary");
    assert!(
        summary.contains("新增 1 家") && summary.contains("未导入 1 行"),
        "{summary}"
    );
    assert!(crate::common::element(&html, "issues").contains("统一社会信用代码应为18位"));
    assert!(html.contains("已完成"));
    // Left and opened again: the import page lists it, with its outcome.
    let page = app.html(&client, "/enterprises/import").await;
    let recent = crate::common::element(&page, "recent");
    assert!(
        recent.contains("页面.csv") && recent.contains("新增1家") && recent.contains(&path),
        "{recent}"
    );
    // Another account's job page is not found.
    let (other, _) = app.web_user("tssytx_s").await;
    let r = other.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // An export from the list page: the job's page offers the file.
    app.load_enterprises(40).await;
    let r = client
        .post(app.url("/enterprises/export-jobs?format=xlsx&region_code=130229"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let (status, export_path, html) = settled(&client, r).await;
    assert_eq!(status, 200);
    let download = crate::common::element(&html, "download");
    assert!(download.contains("下载 企业名录-"), "{download}");
    let r = client
        .get(app.url(&format!("{export_path}/file")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .expect("an XLSX that opens");
    use calamine::Reader;
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let (_, found) = app
        .get(&api, "/api/v1/enterprises?per_page=1&region_code=130229")
        .await;
    assert_eq!(sheet.height() as i64, found["total"].as_i64().unwrap() + 1);
    // Without its token the export is refused and no job starts.
    let jobs = app.count("SELECT COUNT(*) FROM file_jobs").await;
    let r = client
        .post(app.url("/enterprises/export-jobs?format=csv"))
        .form(&[("_csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM file_jobs").await, jobs);
    // 我的导入导出 lists both, newest first.
    let list = app.html(&client, "/file-jobs").await;
    let table = crate::common::element(&list, "file-jobs");
    let export_at = table.find("企业名录导出").expect("the export listed");
    let import_at = table.find("企业名录导入").expect("the import listed");
    assert!(export_at < import_at, "newest first");
}
