//! The organisation's accounts (ORG-3) and the audit trail (AUDIT-1).

use crate::common::TestApp;
use serde_json::json;
use yici_domain::audit::Finding;
use yici_store::Exec;

both_databases!(
    secretary_accounts_follow_the_naming_rule,
    a_new_department_gets_its_secretary_account,
    every_change_is_in_the_chain_and_tampering_is_detected,
);

async fn secretary_accounts_follow_the_naming_rule(app: TestApp) {
    let logins = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            db.clone()
                .fetch_all(sql, vec![])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String>("login").unwrap())
                .collect::<Vec<_>>()
        }
    };
    let all = logins("SELECT login FROM accounts WHERE kind = 'secretary'").await;
    for expected in [
        "hbs_dqhj",
        "sjzs_dqhj",
        "sjzsgcq_dq",
        "tss_dqhj",
        "tssytx_dq",
        "tssytx_s",
        "tssytx_bg",
        "tssytx_zfdd",
        "tssytx_jcz",
        "tsslnq_dq",
        "tsscfdq_dq",
        "tssltx_dq",
        "tssytx_zfjc",
        // 玉田县应急管理局's 执法大队 collides with the branch's: deterministic suffix.
        "tssytx_zfdd2",
    ] {
        assert!(all.contains(&expected.to_string()), "{expected} missing");
    }
    // The secretary account logs in and is its department's secretary.
    let token = app.token("tssytx_dq").await;
    let (_, me) = app.get(&token, "/api/v1/me").await;
    assert_eq!(me["principal"]["roles"], json!(["secretary"]));
    assert_eq!(me["principal"]["department_name"], "大气股");
    assert_eq!(me["principal"]["unit_name"], "唐山市生态环境局玉田县分局");
}

async fn a_new_department_gets_its_secretary_account(app: TestApp) {
    let admin = app.token("admin").await;
    let unit = app
        .count("SELECT id FROM units WHERE short_name = '玉田县分局'")
        .await;
    let (status, d) = app
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{unit}/departments"),
            json!({"name": "自然生态股", "kind": "office", "business_line": "ecology"}),
        )
        .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["secretary_login"], "tssytx_zrst");
    // Same initials again → suffix 2.
    let (_, d2) = app
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{unit}/departments"),
            json!({"name": "自然生态室", "kind": "office", "business_line": "ecology"}),
        )
        .await;
    assert_eq!(d2["secretary_login"], "tssytx_zrst2");
    let (status, err) = app
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{unit}/departments"),
            json!({"name": "自然生态股", "kind": "office", "business_line": "ecology"}),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["field"], "name");
    let (status, err) = app
        .send("POST", &admin, "/api/v1/units",
              json!({"name": "不存在区分局", "level": "county", "region_code": "999999", "parent_id": 1}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(err["field"], "region_code");
}

async fn every_change_is_in_the_chain_and_tampering_is_detected(app: TestApp) {
    let dept = app.department("玉田县分局", "大气股").await;
    let token = app.token("tssytx_dq").await;
    let (status, _) = app
        .send(
            "POST",
            &token,
            &format!("/api/v1/departments/{dept}/people"),
            json!({
            "name": "审计员", "gender": "male", "is_officer": false, "mobile": "13544443333",
            "status": "enabled", "is_admin": false}),
        )
        .await;
    assert_eq!(status, 201);
    let report = yici_store::audit::verify(&app.db).await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(
        report.checked > 300,
        "demo and the change are recorded: {}",
        report.checked
    );
    let mut db = app.db.clone();
    let entry = db
        .fetch_one(
            "SELECT seq, actor, after_json FROM audit_log WHERE action = 'person.create' AND after_json LIKE '%13544443333%'",
            vec![],
        )
        .await
        .unwrap();
    let seq: i64 = entry.get("seq").unwrap();
    assert_eq!(entry.get::<String>("actor").unwrap(), "tssytx_dq");

    // Alter an entry's content.
    db.execute(
        "UPDATE audit_log SET after_json = REPLACE(after_json, '审计员', '别人') WHERE seq = $1",
        yici_store::args![seq],
    )
    .await
    .unwrap();
    let report = yici_store::audit::verify(&app.db).await.unwrap();
    assert_eq!(report.findings, vec![Finding::Altered { seq }]);

    // Delete an entry in the middle.
    db.execute("DELETE FROM audit_log WHERE seq = 10", vec![])
        .await
        .unwrap();
    let report = yici_store::audit::verify(&app.db).await.unwrap();
    assert!(
        report.findings.contains(&Finding::Gap {
            expected: 10,
            found: 11
        }),
        "{:?}",
        report.findings
    );

    // Delete the tail.
    let last = app.count("SELECT MAX(seq) FROM audit_log").await;
    db.execute(
        "DELETE FROM audit_log WHERE seq = $1",
        yici_store::args![last],
    )
    .await
    .unwrap();
    let report = yici_store::audit::verify(&app.db).await.unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::HeadMismatch { .. })),
        "{:?}",
        report.findings
    );
}
