//! Credit fed by results (RES-3, DRAW-10) through the API and the pages:
//! problems found propose a grade change with its reasons; a leader confirms
//! it (the grade, its history and the next draw's recorded weight change) or
//! rejects it (the grade stays); registry editors set grade and 正面清单 with a
//! reason; bad input, partner agencies and other counties are refused with a
//! Chinese message and nothing written.

use serde_json::{json, Value};

use crate::common::browser::*;
use crate::common::{
    bearer, check_in, office, secretary_token, visit, Backend, TestApp, Visit, YUTIAN,
};

both_databases!(
    problems_propose_a_grade_a_leader_confirms_and_the_next_draw_weighs_it,
    a_rejection_keeps_the_grade_and_bad_input_writes_nothing,
    agencies_other_counties_and_inspectors_are_refused,
    referrals_and_overdue_rectifications_feed_the_proposal,
    a_correction_that_removes_the_problems_withdraws_the_proposal,
    credit_in_the_browser,
);

/// The demo's partner agency of Yutian and its department.
const PARTNER: (&str, &str) = ("玉田县市场监督管理局", "执法稽查股");

/// A result of five items of the task's list, the first `problems` of them
/// answered 是.
async fn result_of(app: &TestApp, token: &str, task: i64, problems: usize, client: &str) -> Value {
    let (s, b) = app
        .get(token, &format!("/api/v1/field/tasks/{task}/items"))
        .await;
    assert_eq!(s, 200, "{b}");
    let items: Vec<Value> = b["items"].as_array().unwrap()[..5]
        .iter()
        .enumerate()
        .map(|(n, i)| {
            if n < problems {
                json!({"item_id": i["id"], "has_problem": true,
                       "problem_description": format!("问题{}：台账记录不全。", n + 1)})
            } else {
                json!({"item_id": i["id"], "has_problem": false})
            }
        })
        .collect();
    json!({
        "client_id": format!("7d0c1f7e-0000-4000-8000-0000000000{client}"),
        "items": items,
        "enterprise_situation": "企业正常生产。",
        "onsite_findings": "现场检查情况已记录。",
    })
}

/// 大气股 visits Yutian's first enterprise, graded B beforehand and off the
/// positive list, and submits `problems` items answered 是 (of five checked).
/// With the default rule: 84 − 5 × problems.
async fn problems_found(app: &TestApp, problems: usize) -> Visit {
    let v = visit(app).await;
    app.execute(
        "UPDATE enterprises SET credit_grade = 'B', positive_list = FALSE WHERE id = $1",
        yici_store::args![v.enterprise],
    )
    .await;
    check_in(app, v.task).await;
    let inspector = bearer(app, &v.inspectors[0].1).await;
    let body = result_of(app, &inspector, v.task, problems, "c1").await;
    let (s, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/field/tasks/{}/results", v.task),
            body,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    v
}

/// Yutian's branch head (行政执法主体负责人).
async fn leader(app: &TestApp) -> String {
    bearer(app, &office(app).await[0].1).await
}

async fn credit(app: &TestApp, token: &str, id: i64) -> Value {
    let (s, b) = app
        .get(token, &format!("/api/v1/enterprises/{id}/credit"))
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

async fn grade_and_history(app: &TestApp, id: i64) -> (String, i64) {
    let grade = app
        .db
        .clone()
        .fetch_one(
            "SELECT COALESCE(credit_grade, '-') AS g FROM enterprises WHERE id = $1",
            yici_store::args![id],
        )
        .await
        .unwrap()
        .get::<String>("g")
        .unwrap();
    let history = app
        .count(&format!(
            "SELECT COUNT(*) FROM credit_grade_history WHERE enterprise_id = {id}"
        ))
        .await;
    (grade, history)
}

use yici_domain::time::Clock;
use yici_store::Exec;

async fn problems_propose_a_grade_a_leader_confirms_and_the_next_draw_weighs_it(app: TestApp) {
    let v = problems_found(&app, 4).await;
    let id = v.enterprise;
    let secretary = secretary_token(&app, YUTIAN, "大气股").await;
    let c = credit(&app, &secretary, id).await;
    assert_eq!(c["credit_grade"], "B");
    let p = &c["open_proposal"];
    assert_eq!(p["grade_from"], "B", "{c}");
    assert_eq!(p["grade_to"], "C");
    assert_eq!(p["score"], 64);
    let reasons: Vec<&str> = p["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(reasons[0], "原信用等级B级，起评84分");
    assert!(reasons[1].ends_with("检查发现问题4项 −20分"), "{reasons:?}");
    let proposal = p["id"].as_i64().unwrap();

    // The leaders' list has it; an editor may not decide it.
    let head = leader(&app).await;
    let (s, list) = app.get(&head, "/api/v1/credit/proposals").await;
    assert_eq!(s, 200, "{list}");
    assert!(list.as_array().unwrap().iter().any(|x| x["id"] == proposal));
    let confirm = format!("/api/v1/credit/proposals/{proposal}/confirm");
    let (s, b) = app.send("POST", &secretary, &confirm, json!({})).await;
    assert_eq!(s, 403, "{b}");
    assert!(b["message"].as_str().unwrap().contains("负责人"), "{b}");
    assert_eq!(grade_and_history(&app, id).await, ("B".into(), 0));

    let (s, b) = app
        .send("POST", &head, &confirm, json!({"note": "同意"}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "confirmed");
    let c = credit(&app, &head, id).await;
    assert_eq!(c["credit_grade"], "C");
    assert!(c["open_proposal"].is_null());
    let h = &c["history"][0];
    assert_eq!(
        (h["grade_from"].clone(), h["grade_to"].clone()),
        (json!("B"), json!("C"))
    );
    assert_eq!(h["source"], "proposal");
    assert!(h["reason"].as_str().unwrap().contains("−20分"), "{h}");
    assert!(
        h["reason"].as_str().unwrap().contains("确认意见：同意"),
        "{h}"
    );
    // Decided once only.
    let (s, b) = app.send("POST", &head, &confirm, json!({})).await;
    assert_eq!((s, b["code"].as_str()), (409, Some("proposal_decided")));
    let (_, list) = app.get(&head, "/api/v1/credit/proposals").await;
    assert!(list.as_array().unwrap().is_empty(), "{list}");
    // Reassessed now, the problems are behind the confirmed grade: nothing
    // new to propose.
    let mut tx = app.db.begin().await.unwrap();
    let open = yici_store::credit::reassess(&mut tx, id, app.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(open, None);

    // DRAW-10: 土壤股's next random draw records the enterprise with C's
    // weight (1; B's was 0.8).
    let soil = secretary_token(&app, YUTIAN, "土壤股").await;
    let (s, drawn) = app
        .send(
            "POST",
            &soil,
            "/api/v1/tasks/random",
            json!({"source": "routine", "count": 1, "conditions": {"region_code": "130229"}}),
        )
        .await;
    assert_eq!(s, 201, "{drawn}");
    let draw_id = drawn["draw"]["id"].as_i64().unwrap();
    let (_, record) = app.get(&soil, &format!("/api/v1/draws/{draw_id}")).await;
    let candidates = record["draw"]["candidates"].as_str().unwrap();
    assert!(
        candidates.lines().any(|l| l == format!("{id}:1")),
        "{id} with weight 1 in {candidates}"
    );
}

async fn a_rejection_keeps_the_grade_and_bad_input_writes_nothing(app: TestApp) {
    let v = problems_found(&app, 4).await;
    let id = v.enterprise;
    let head = leader(&app).await;
    let proposal = credit(&app, &head, id).await["open_proposal"]["id"]
        .as_i64()
        .unwrap();
    let reject = format!("/api/v1/credit/proposals/{proposal}/reject");
    let (s, b) = app.send("POST", &head, &reject, json!({"note": " "})).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["message"], "请填写驳回理由");
    let (s, b) = app
        .send(
            "POST",
            &head,
            &reject,
            json!({"note": "问题已当场整改，维持原等级"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "rejected");
    assert_eq!(b["decision_note"], "问题已当场整改，维持原等级");
    assert_eq!(grade_and_history(&app, id).await, ("B".into(), 0));
    assert!(credit(&app, &head, id).await["open_proposal"].is_null());
    // The same facts reassessed do not bring the rejected proposal back.
    let mut tx = app.db.begin().await.unwrap();
    let open = yici_store::credit::reassess(&mut tx, id, app.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(open, None);

    // Setting by hand: a grade outside A–E, or no reason, writes nothing.
    let secretary = secretary_token(&app, YUTIAN, "大气股").await;
    let path = format!("/api/v1/enterprises/{id}/credit");
    let (s, b) = app
        .send(
            "POST",
            &secretary,
            &path,
            json!({"credit_grade": "F", "reason": "复核"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["code"], "invalid_grade");
    assert_eq!(b["field"], "credit_grade");
    assert!(b["message"]
        .as_str()
        .unwrap()
        .contains("只能是A、B、C、D、E"));
    let (s, b) = app
        .send(
            "POST",
            &secretary,
            &path,
            json!({"credit_grade": "D", "reason": ""}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(
        (b["code"].as_str(), b["message"].as_str()),
        (Some("reason_required"), Some("请填写调整原因"))
    );
    let (s, b) = app
        .send(
            "POST",
            &secretary,
            &path,
            json!({"credit_grade": "B", "reason": "复核"}),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (422, Some("no_change")), "{b}");
    assert_eq!(grade_and_history(&app, id).await, ("B".into(), 0));

    // With a reason (markup in it is text): the grade, the list and a history row.
    let reason = "<script>alert(1)</script>依据年度信用评价结果";
    let (s, b) = app
        .send(
            "POST",
            &secretary,
            &path,
            json!({"credit_grade": "a", "positive_list": true, "reason": reason}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["credit_grade"].as_str(), b["positive_list"].as_bool()),
        (Some("A"), Some(true))
    );
    assert_eq!(b["history"][0]["source"], "manual");
    assert_eq!(b["history"][0]["reason"], reason);
    assert_eq!(grade_and_history(&app, id).await, ("A".into(), 1));
    let (client, _) = app.web_user(&app_login_of_secretary(&app).await).await;
    let page = app
        .html(&client, &format!("/enterprises/{id}/credit"))
        .await;
    assert!(page.contains("&#60;script&#62;alert(1)"), "{page}");
    assert!(!page.contains("<script>alert(1)"));
}

/// The login of Yutian 大气股's secretary account.
async fn app_login_of_secretary(app: &TestApp) -> String {
    app.secretary(app.department(YUTIAN, "大气股").await).await
}

async fn agencies_other_counties_and_inspectors_are_refused(app: TestApp) {
    let id = app.first_enterprise().await;
    let before = grade_and_history(&app, id).await;
    let path = format!("/api/v1/enterprises/{id}/credit");
    let body = json!({"credit_grade": "E", "reason": "测试"});
    let partner = secretary_token(&app, PARTNER.0, PARTNER.1).await;
    let (s, b) = app.send("POST", &partner, &path, body.clone()).await;
    assert_eq!(s, 403, "{b}");
    assert!(
        b["message"].as_str().unwrap().contains("生态环境部门"),
        "{b}"
    );
    // The partner reads the registry of its county, credit included.
    assert_eq!(app.get(&partner, &path).await.0, 200);
    // Another county's editor: the enterprise does not exist for it.
    let gaocheng = bearer(&app, "sjzsgcq_dq").await;
    let (s, b) = app.send("POST", &gaocheng, &path, body.clone()).await;
    assert_eq!(s, 404, "{b}");
    assert!(b["message"]
        .as_str()
        .unwrap()
        .contains("不在本单位管辖范围内"));
    // A plain inspector neither sets nor decides.
    let air = app.department(YUTIAN, "大气股").await;
    let admin = app.admin_mobile(air).await;
    let officer = app
        .officers(YUTIAN, "大气股")
        .await
        .into_iter()
        .map(|(_, m)| m)
        .find(|m| *m != admin)
        .unwrap();
    let inspector = bearer(&app, &officer).await;
    assert_eq!(app.send("POST", &inspector, &path, body).await.0, 403);
    assert_eq!(grade_and_history(&app, id).await, before);
    // A proposal the other county cannot see answers like a missing one.
    let (s, _) = app
        .send(
            "POST",
            &gaocheng,
            "/api/v1/credit/proposals/999999/confirm",
            json!({}),
        )
        .await;
    assert_eq!(s, 404);
}

async fn referrals_and_overdue_rectifications_feed_the_proposal(app: TestApp) {
    // Two problems: 84 − 10 = 74, still B — no proposal.
    let v = problems_found(&app, 2).await;
    let id = v.enterprise;
    let inspector = bearer(&app, &v.inspectors[0].1).await;
    assert!(credit(&app, &inspector, id).await["open_proposal"].is_null());
    let (s, list) = app
        .get(
            &inspector,
            &format!("/api/v1/rectifications?enterprise_id={id}"),
        )
        .await;
    assert_eq!(s, 200, "{list}");
    let ids: Vec<i64> = list["items"]
        .as_array()
        .or(list.as_array())
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{list}");
    let (s, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/rectifications/{}/issue", ids[0]),
            json!({"legal_basis": "《中华人民共和国大气污染防治法》第二十条", "requirement": "补全台账",
                   "deadline": app.tomorrow()}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    // A referral for a penalty case: 74 − 10 = 64, C proposed.
    let (s, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/rectifications/{}/referral", ids[1]),
            json!({"note": "涉嫌超标排放，移送立案"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let p = credit(&app, &inspector, id).await["open_proposal"].clone();
    assert_eq!(
        (p["grade_to"].as_str(), p["score"].as_i64()),
        (Some("C"), Some(64)),
        "{p}"
    );
    assert!(
        p["reasons"].to_string().contains("移送立案1项 −10分"),
        "{p}"
    );
    // Past the deadline without a report: the overdue pass deducts 5 more,
    // in the same open proposal.
    app.clock.advance(chrono::Duration::days(3));
    let n = yici_store::credit::record_overdue(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(n, 1);
    let inspector = bearer(&app, &v.inspectors[0].1).await; // a new day's session
    let again = credit(&app, &inspector, id).await["open_proposal"].clone();
    assert_eq!(again["id"], p["id"]);
    assert_eq!(again["score"], 59);
    assert!(
        again["reasons"].to_string().contains("整改逾期1项 −5分"),
        "{again}"
    );
    // Seen once: a second pass finds nothing new.
    let n = yici_store::credit::record_overdue(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

async fn a_correction_that_removes_the_problems_withdraws_the_proposal(app: TestApp) {
    let v = problems_found(&app, 4).await;
    let id = v.enterprise;
    let inspector = bearer(&app, &v.inspectors[0].1).await;
    let before = credit(&app, &inspector, id).await["open_proposal"].clone();
    assert_eq!(before["grade_to"], "C", "{before}");
    let mut body = result_of(&app, &inspector, v.task, 0, "c2").await;
    body["reason"] = json!("复核现场记录，所列问题均不成立");
    let (s, b) = app
        .send(
            "POST",
            &inspector,
            &format!("/api/v1/field/tasks/{}/results/corrections", v.task),
            body,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert!(credit(&app, &inspector, id).await["open_proposal"].is_null());
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM credit_proposals WHERE id = {} AND status = 'withdrawn'",
            before["id"]
        ))
        .await,
        1
    );
    assert_eq!(grade_and_history(&app, id).await, ("B".into(), 0));
}

/// The leader confirms on the desktop (1920×1080) from the list of
/// proposals; the editor sets the positive list on a phone (390×844), first
/// without a reason. Screenshots go to `target/screenshots/`.
async fn credit_in_the_browser(app: TestApp) {
    let shoot = matches!(app.backend, Backend::Sqlite);
    let v = problems_found(&app, 4).await;
    let id = v.enterprise;
    let head_login = office(&app).await[0].1.clone();
    leader(&app).await; // past the forced password change
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    log_in_again(&c, &app, &head_login).await;
    click(&c, "#nav-credit").await;
    wait_path(&c, "/credit/proposals").await;
    let row = text(&c, "#proposals tbody tr").await;
    assert!(
        row.contains("B级") && row.contains("C级") && row.contains("64"),
        "{row}"
    );
    if shoot {
        shot(&c, "credit-proposals-desktop").await;
    }
    click(&c, "#proposals tbody tr td.ops a").await;
    wait_path(&c, &format!("/enterprises/{id}/credit")).await;
    assert!(text(&c, "#proposal-reasons")
        .await
        .contains("检查发现问题4项 −20分"));
    if shoot {
        shot(&c, "credit-enterprise-desktop").await;
    }
    // A rejection needs its reason: refused beside the form.
    click(&c, "#proposal-reject").await;
    assert!(text(&c, "#decide-error").await.contains("请填写驳回理由"));
    click(&c, "#proposal-confirm").await;
    assert!(text(&c, "#notice").await.contains("已确认"));
    assert_eq!(text(&c, "#current-grade").await, "C级");
    assert!(text(&c, "#history").await.contains("B级 → C级"));
    if shoot {
        shot(&c, "credit-confirmed-desktop").await;
    }

    // The editor on a phone: the positive list, first without a reason.
    let phone = browser(&driver).await;
    phone.set_window_size(390, 844).await.unwrap();
    let secretary = app_login_of_secretary(&app).await;
    secretary_token(&app, YUTIAN, "大气股").await;
    log_in_again(&phone, &app, &secretary).await;
    phone
        .goto(&app.url(&format!("/enterprises/{id}/credit")))
        .await
        .unwrap();
    phone
        .execute(
            "document.querySelector('#positive_list').value = 'yes'",
            vec![],
        )
        .await
        .unwrap();
    click(&phone, "#set-submit").await;
    assert!(text(&phone, "#set-error").await.contains("请填写调整原因"));
    fill(&phone, "#reason", "列入2026年度监督执法正面清单").await;
    click(&phone, "#set-submit").await;
    assert!(text(&phone, "#notice").await.contains("已调整"));
    assert!(text(&phone, "#current-positive").await.starts_with("是"));
    if shoot {
        scroll_to(&phone, "#history").await;
        shot(&phone, "credit-history-phone").await;
    }
    // The profile's tab leads here.
    phone
        .goto(&app.url(&format!("/enterprises/{id}")))
        .await
        .unwrap();
    click(&phone, &format!("a[href='/enterprises/{id}/credit']")).await;
    wait_path(&phone, &format!("/enterprises/{id}/credit")).await;
}
