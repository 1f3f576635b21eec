//! The pages around an extraction, without a browser (issue 26 items 3, 4,
//! 6): the 确认 step of a random draw and the task list it lands on; the
//! directed ticks kept across pages; page size and 跳转 on the task list;
//! 批量设置, all or nothing, on the pages and the API; 提交 of a result
//! only once 「提交后不可修改」 is ticked, 企业基本情况 prefilled.

use serde_json::json;

use crate::common::{check_in, element, extract, id, secretary_token, visit, TestApp, YUTIAN};

both_databases!(
    a_random_draw_is_confirmed_with_its_candidate_count,
    directed_ticks_are_kept_across_pages,
    the_task_list_has_page_sizes_and_a_page_jump,
    batch_settings_are_all_or_nothing,
    a_result_is_submitted_only_once_confirmed,
);

async fn tasks_and_draws(app: &TestApp) -> (i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM tasks").await,
        app.count("SELECT COUNT(*) FROM draws").await,
    )
}

/// 随机抽取 shows the candidates and asks to confirm; the count equals the
/// API's preview and nothing is written until 确认抽取, which lands on the
/// task list with what was created and the record one click away.
async fn a_random_draw_is_confirmed_with_its_candidate_count(app: TestApp) {
    app.load_enterprises(60).await;
    let (web, _) = app.web_user("tssytx_dq").await;
    let form = "region_code=130229&count=3&source=routine";
    let r = web
        .get(app.url(&format!("/tasks/random/confirm?{form}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    let shown: i64 = strip_tags(element(&page, "candidate-count"))
        .parse()
        .unwrap();
    assert_eq!(strip_tags(element(&page, "draw-count")), "3");
    assert!(
        element(&page, "draw-conditions").contains("玉田县"),
        "the conditions in words"
    );
    assert_eq!(tasks_and_draws(&app).await, (0, 0), "nothing drawn yet");

    // The API's preview of the same request counts the same candidates.
    let token = secretary_token(&app, YUTIAN, "大气股").await;
    let request = json!({"source": "routine", "count": 3,
                         "conditions": {"region_code": "130229"}});
    let (s, b) = app
        .send("POST", &token, "/api/v1/tasks/random/preview", request)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["candidate_count"], json!(shown));
    assert_eq!(b["count"], json!(3));

    // More than the candidates, or a bad count: back on the form, beside the field.
    for (count, says) in [
        (format!("{}", shown + 1), "超过符合条件且可抽取的企业数"),
        ("0".to_string(), "抽取数量应大于0"),
        ("三".to_string(), "抽取数量应为正整数"),
    ] {
        let r = web
            .get(app.url(&format!(
                "/tasks/random/confirm?region_code=130229&count={count}&source=routine"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422, "count {count}");
        let page = r.text().await.unwrap();
        assert!(element(&page, "extract-error").contains(says), "{count}");
        assert!(page.contains("id=\"random-form\""));
    }
    assert_eq!(tasks_and_draws(&app).await, (0, 0));

    // 确认抽取 posts the same fields: the task list says what was created.
    let confirm = app
        .html(&web, &format!("/tasks/random/confirm?{form}"))
        .await;
    let fields = hidden_fields(element(&confirm, "confirm-form"));
    assert!(fields.contains(&("count".to_string(), "3".to_string())));
    let r = web
        .post(app.url("/tasks/random"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let landed = r.url().clone();
    assert_eq!(landed.path(), "/tasks");
    let draw = app.count("SELECT MAX(id) FROM draws").await;
    assert_eq!(tasks_and_draws(&app).await, (3, 1));
    let page = r.text().await.unwrap();
    let notice = element(&page, "notice");
    assert!(
        notice.contains("已抽取3家企业，生成3个双随机任务，请设置检查日期和检查人员"),
        "{notice}"
    );
    assert!(
        notice.contains(&format!("href=\"/draws/{draw}\"")),
        "{notice}"
    );
}

/// The directed list is one form: a tick on page 1 goes along to page 2
/// (and to another page size), one more there, and 确定 extracts both; a
/// tick taken off the 已选 strip is gone.
async fn directed_ticks_are_kept_across_pages(app: TestApp) {
    app.load_enterprises(60).await;
    let (web, csrf) = app.web_user("tssytx_dq").await;
    let first = app.html(&web, "/tasks/directed?region_code=130229").await;
    let filter = attr_of(&first, "name=\"filter\"");
    let a = first_box(&first);
    let post = |pairs: Vec<(&'static str, String)>| {
        let mut all: Vec<(&'static str, String)> = vec![
            ("_csrf", csrf.clone()),
            ("filter", filter.clone()),
            ("page", "1".to_string()),
            ("per_page", "20".to_string()),
            ("source", "routine".to_string()),
        ];
        for (k, v) in pairs {
            all.retain(|(n, _)| *n != k || k == "enterprise_id");
            all.push((k, v));
        }
        let web = web.clone();
        let url = app.url("/tasks/directed");
        async move {
            let r = web.post(url).form(&all).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // Page 2 with A ticked on page 1.
    let (s, second) = post(vec![
        ("enterprise_id", a.to_string()),
        ("go_page", "2".to_string()),
    ])
    .await;
    assert_eq!(s, 200);
    assert!(element(&second, "pager").contains("<span class=\"btn sm primary\">2</span>"));
    assert_eq!(attr_of(&second, "name=\"picked\""), a.to_string());
    assert!(element(&second, "picked").contains(&format!("data-id=\"{a}\"")));
    assert!(element(&second, "picked-count").contains("已选择 1 家企业"));
    let b = first_box(&second);
    assert_ne!(a, b);
    // 每页 50: A (page 1) and B are both ticked on the one page now.
    let (_, bigger) = post(vec![
        ("page", "2".to_string()),
        ("picked", a.to_string()),
        ("enterprise_id", b.to_string()),
        ("go_size", "50".to_string()),
    ])
    .await;
    assert!(element(&bigger, "pager").contains("<b class=\"size on\">50</b>"));
    for id in [a, b] {
        assert!(
            bigger.contains(&format!("value=\"{id}\" id=\"e{id}\" checked")),
            "{id} ticked"
        );
    }
    // 取消选择 B on the strip; then 确定 with A and a third, C.
    let (_, without_b) = post(vec![
        ("picked", format!("{a},{b}")),
        ("unpick", b.to_string()),
    ])
    .await;
    assert!(!element(&without_b, "picked").contains(&format!("data-id=\"{b}\"")));
    let c = first_box(&without_b);
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, 0);
    let (s, _) = post(vec![
        ("picked", a.to_string()),
        ("enterprise_id", c.to_string()),
    ])
    .await;
    assert_eq!(s, 200);
    let extracted = app
        .count(&format!(
            "SELECT COUNT(*) FROM tasks WHERE enterprise_id IN ({a}, {c})"
        ))
        .await;
    assert_eq!(extracted, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, 2);
}

/// 每页 N 条 links and a 跳转 form that keeps the filters; a page past the
/// end shows the last one.
async fn the_task_list_has_page_sizes_and_a_page_jump(app: TestApp) {
    let enterprises: Vec<i64> = app
        .yutian_enterprises(200)
        .await
        .into_iter()
        .take(23)
        .collect();
    let token = secretary_token(&app, YUTIAN, "大气股").await;
    let (s, b) = app
        .send(
            "POST",
            &token,
            "/api/v1/tasks/directed",
            json!({"source": "routine", "enterprise_ids": enterprises}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (web, _) = app.web_user("tssytx_dq").await;
    let page = app.html(&web, "/tasks?view=initiated").await;
    assert_eq!(rows(&page), 20);
    let pager = element(&page, "pager");
    assert!(pager.contains("第 1 / 2 页"), "{pager}");
    let jump = element(&page, "page-jump");
    assert!(jump.contains("name=\"view\" value=\"initiated\""), "{jump}");
    assert!(pager.contains("per_page=50&#38;page=1"), "{pager}");
    let last = app.html(&web, "/tasks?view=initiated&page=99").await;
    assert_eq!(rows(&last), 3);
    assert!(element(&last, "pager").contains("第 2 / 2 页"));
    let all = app.html(&web, "/tasks?view=initiated&per_page=50").await;
    assert_eq!(rows(&all), 23);
    assert!(
        !all.contains("id=\"page-jump\""),
        "one page: nothing to jump to"
    );
    // An odd size is no error: the default.
    assert_eq!(
        rows(&app.html(&web, "/tasks?view=initiated&per_page=7").await),
        20
    );
    // Every row of one's own open tasks may be ticked for 批量设置.
    assert_eq!(page.matches("name=\"task_id\"").count(), 20);
    assert!(page.contains("id=\"batch-settings\""));
}

/// 批量设置 of three tasks: a cancelled one or a recused inspector refuses
/// the whole batch, naming the task, and nothing changes; a good batch sets
/// all three. The dialog page does the same and goes back to its list.
async fn batch_settings_are_all_or_nothing(app: TestApp) {
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let enterprises: Vec<i64> = app
        .yutian_enterprises(60)
        .await
        .into_iter()
        .take(3)
        .collect();
    let mut ids = Vec::new();
    for e in &enterprises {
        ids.push(id(&extract(&app, &air, "routine", *e).await));
    }
    let officers = app.officers(YUTIAN, "大气股").await;
    let (one, two, three) = (officers[0].0, officers[1].0, officers[2].0);
    let tomorrow = app.tomorrow().to_string();
    let untouched = async |app: &TestApp| {
        assert_eq!(
            app.count("SELECT COUNT(*) FROM tasks WHERE planned_on IS NOT NULL")
                .await,
            0
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM task_inspectors").await, 0);
    };

    // A recusal for the second enterprise: the batch names that task.
    let (s, b) = app
        .send(
            "POST",
            &air,
            "/api/v1/recusals",
            json!({"person_id": two, "enterprise_id": enterprises[1], "reason": "配偶在该企业任职"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let batch = |people: Vec<i64>| json!({"task_ids": ids, "planned_on": tomorrow, "inspector_ids": people});
    let (s, b) = app
        .send("PUT", &air, "/api/v1/tasks/settings", batch(vec![one, two]))
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (422, Some("inspector_ids")),
        "{b}"
    );
    let message = b["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("任务编号{}（", ids[1])),
        "{message}"
    );
    untouched(&app).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );

    // A cancelled task among them: refused (409) and nothing written.
    let (s, b) = app
        .send(
            "POST",
            &air,
            &format!("/api/v1/tasks/{}/cancel", ids[2]),
            json!({"reason": "企业停产"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app
        .send(
            "PUT",
            &air,
            "/api/v1/tasks/settings",
            batch(vec![one, three]),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("task_closed")), "{b}");
    assert!(b["message"]
        .as_str()
        .unwrap()
        .starts_with(&format!("任务编号{}", ids[2])));
    untouched(&app).await;

    // The dialog: a date not after today is refused beside the date field,
    // with the ticks kept; nothing written.
    let open = &ids[..2];
    let (web, csrf) = app.web_user("tssytx_dq").await;
    let query: String = open.iter().map(|i| format!("task_id={i}&")).collect();
    let dialog = app
        .html(
            &web,
            &format!("/tasks/settings?{query}back=/tasks%3Fview%3Dinitiated"),
        )
        .await;
    assert!(element(&dialog, "settings-tasks").contains(&ids[1].to_string()));
    assert!(
        !element(&dialog, "settings-form")
            .contains(&format!("name=\"inspector_id\" value=\"{two}\"")),
        "the person recused for one of the enterprises is not offered"
    );
    let mut form: Vec<(&str, String)> = vec![
        ("_csrf", csrf.clone()),
        ("back", "/tasks?view=initiated".into()),
        ("planned_on", app.today().to_string()),
        ("inspector_id", one.to_string()),
        ("inspector_id", three.to_string()),
    ];
    for i in open {
        form.push(("task_id", i.to_string()));
    }
    let r = web
        .post(app.url("/tasks/settings"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap();
    let error = element(&page, "settings-error");
    assert!(
        error.contains("field-error") && error.contains("今日之后"),
        "{error}"
    );
    assert!(page.contains(&format!("name=\"inspector_id\" value=\"{three}\" checked")));
    untouched(&app).await;

    // Tomorrow: both set, back on the list with the notice.
    form[2].1 = tomorrow.clone();
    let r = web
        .post(app.url("/tasks/settings"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.url().path(), "/tasks");
    assert!(element(&r.text().await.unwrap(), "notice").contains("已设置2个任务"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM tasks WHERE status = 'scheduled' AND id IN ({}, {})",
            ids[0], ids[1]
        ))
        .await,
        2
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM task_inspectors").await, 4);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'task.settings'")
            .await,
        2,
        "each task's change is audited"
    );
}

/// Without a browser's script, 提交 without the box ticked is refused
/// beside it (422) and nothing is written; with it, the result is stored.
async fn a_result_is_submitted_only_once_confirmed(app: TestApp) {
    let v = visit(&app).await;
    check_in(&app, v.task).await;
    let (web, csrf) = app.web_user(&v.inspectors[0].1).await;
    let path = format!("/m/tasks/{}/result", v.task);
    let page = app.html(&web, &path).await;
    let (uscc, _) = app.uscc_and_name(v.enterprise).await;
    let situation = element(&page, "enterprise_situation");
    assert!(
        situation.contains(&format!("统一社会信用代码：{uscc}")),
        "prefilled from the registry: {situation}"
    );
    let item = app
        .count(&format!(
            "SELECT MIN(p.id) FROM plan_items p JOIN tasks t ON t.department_id = p.department_id
               AND t.year = p.year WHERE t.id = {} AND p.removed_at IS NULL",
            v.task
        ))
        .await;
    let mut form: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf.clone()),
        (
            "client_id".into(),
            "1a1a1a1a-1111-4d5e-8f90-a1b2c3d4e5f6".into(),
        ),
        ("department_id".into(), v.air.to_string()),
        ("item".into(), item.to_string()),
        (format!("problem_{item}"), "no".into()),
        ("enterprise_situation".into(), "企业正常生产。".into()),
        ("onsite_findings".into(), "".into()),
    ];
    // What is wrong with the entries is said first …
    let r = web.post(app.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(element(&r.text().await.unwrap(), "form-error").contains("现场检查情况"));
    // … then the confirmation, beside the box.
    form[6].1 = "未发现问题。".into();
    let r = web.post(app.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap();
    let confirm = element(&page, "confirm-box");
    assert!(
        confirm.contains("rf-err") && confirm.contains("提交后不可修改：请核对后勾选"),
        "{confirm}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM task_results").await, 0);
    form.push(("confirm_final".into(), "1".into()));
    let r = web.post(app.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("id=\"result-readonly\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM task_results").await, 1);
}

// ───────────────────────── page reading ─────────────────────────

/// The text of an element without its tags.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ch in html.chars() {
        match ch {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The `value` of the first tag holding `marker`.
fn attr_of(html: &str, marker: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let start = html[..at].rfind('<').unwrap();
    let end = start + html[start..].find('>').unwrap();
    let tag = &html[start..end];
    let v = tag.find("value=\"").expect("a value") + 7;
    let len = tag[v..].find('"').unwrap();
    tag[v..v + len].replace("&#38;", "&")
}

/// The name/value pairs of a form's hidden inputs.
fn hidden_fields(form: &str) -> Vec<(String, String)> {
    form.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|rest| {
            let n = rest.find("name=\"").unwrap() + 6;
            let name = &rest[n..n + rest[n..].find('"').unwrap()];
            let v = rest.find("value=\"").unwrap() + 7;
            let value = &rest[v..v + rest[v..].find('"').unwrap()];
            (name.to_string(), value.replace("&#38;", "&"))
        })
        .collect()
}

/// The first allowed, unticked enterprise box of the directed list.
fn first_box(page: &str) -> i64 {
    let table = element(page, "marked");
    table
        .split("name=\"enterprise_id\" value=\"")
        .skip(1)
        .find(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            !tag.contains("disabled") && !tag.contains("checked")
        })
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .expect("an enterprise to tick")
}

/// Task rows on a list page.
fn rows(page: &str) -> usize {
    element(page, "tasks").matches("<tr").count() - 1
}
