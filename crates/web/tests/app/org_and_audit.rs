//! The organisation's accounts (ORG-3) and the audit trail (AUDIT-1).

use crate::common::TestApp;
use serde_json::json;
use yici_domain::audit::Finding;
use yici_store::Exec;

both_databases!(
    secretary_accounts_follow_the_naming_rule,
    a_new_department_gets_its_secretary_account,
    every_change_is_in_the_chain_and_tampering_is_detected,
    logins_failures_and_locks_are_in_the_chain,
);

mod sealed {
    use super::*;

    both_databases!(config = crate::org_and_audit::sealed::with_seal_key();
        the_audit_page_seals_and_shows_the_seals,
        the_audit_page_in_a_real_browser,
    );

    /// The seals panel as the administrator sees it, at desk and phone width.
    async fn the_audit_page_in_a_real_browser(app: TestApp) {
        use crate::common::browser::*;
        let driver = chromedriver().await;
        let c = browser(&driver).await;
        log_in(&c, &app, "admin").await;
        c.goto(&app.url("/audit")).await.unwrap();
        let before = app
            .count("SELECT COALESCE(MAX(no), 0) FROM audit_seals")
            .await;
        click(&c, "form[action='/audit/seal'] button").await;
        // The click returns before the next page: wait for the new seal.
        let mut n = before;
        for _ in 0..100 {
            n = app
                .count("SELECT COALESCE(MAX(no), 0) FROM audit_seals")
                .await;
            if n > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(n, before + 1);
        let head = app.count("SELECT seq FROM audit_head WHERE id = 1").await;
        let status = text_containing(&c, "#seal-status", &format!("共 {n} 次封存")).await;
        assert!(
            status.contains(&format!("共 {n} 次封存，{n} 次经密钥校验一致"))
                && status.contains(&format!("覆盖至第 {head} 条")),
            "{status}"
        );
        if app.backend == crate::common::Backend::Sqlite {
            shot(&c, "audit-seals-desktop").await;
            c.set_window_size(390, 844).await.unwrap();
            shot(&c, "audit-seals-phone").await;
        }
        c.close().await.unwrap();
    }

    fn with_seal_key() -> yici_web::WebConfig {
        yici_web::WebConfig {
            audit_seal: Some(yici_web::state::AuditSealing {
                key: yici_domain::audit::seal::SealKey::new(vec![42; 32]).unwrap(),
                every: std::time::Duration::from_secs(600),
            }),
            ..Default::default()
        }
    }

    /// The administrator seals the head from the page and sees each seal
    /// checked; a forged one is named there.
    async fn the_audit_page_seals_and_shows_the_seals(app: TestApp) {
        let (admin, csrf) = app.web_user("admin").await;
        let r = admin
            .post(app.url("/audit/seal"))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        // The job seals at start as well (a first seal may predate the click).
        let head = app.count("SELECT seq FROM audit_head WHERE id = 1").await;
        let n = app.count("SELECT MAX(no) FROM audit_seals").await;
        assert!(n >= 1);
        assert_eq!(
            app.count(
                "SELECT head_seq FROM audit_seals WHERE no = (SELECT MAX(no) FROM audit_seals)"
            )
            .await,
            head
        );
        let page = app.html(&admin, "/audit").await;
        assert!(
            page.contains(&format!("共 {n} 次封存，{n} 次经密钥校验一致")),
            "{page}"
        );
        assert!(page.contains(&format!("覆盖至第 {head} 条")), "{page}");
        // Entries read in words; their codes only on hover.
        let entries = crate::common::element(&page, "audit-entries");
        assert!(entries.contains(">登录<"), "{entries}");
        assert!(!entries.contains(">account.login<"), "{entries}");
        assert!(!entries.contains("{&quot;"), "no raw JSON: {entries}");
        // Without the CSRF token nothing is sealed.
        let r = admin
            .post(app.url("/audit/seal"))
            .form(&[("x", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        // Not for anyone but the system administrator.
        let (secretary, csrf) = app.web_user("tssytx_dq").await;
        let r = secretary
            .post(app.url("/audit/seal"))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        // A seal forged without the key is named on the page.
        app.execute(
            "INSERT INTO audit_seals (no, sealed_at, head_seq, head_hash, key_id, prev_mac, mac)
             SELECT no + 1, sealed_at, head_seq, head_hash, key_id, mac, 'f00d' FROM audit_seals
              WHERE no = (SELECT MAX(no) FROM audit_seals)",
            vec![],
        )
        .await;
        let page = app.html(&admin, "/audit").await;
        assert!(
            page.contains(&format!(
                "第{}次封存的校验码与密钥不符：封存被伪造或改动",
                n + 1
            )),
            "{page}"
        );
    }
}

/// AUDIT-2: logins, failed logins (of known and unknown names alike) and
/// lockouts are entries of the chain.
async fn logins_failures_and_locks_are_in_the_chain(app: TestApp) {
    let before = app.count("SELECT seq FROM audit_head WHERE id = 1").await;
    let (status, _) = app.api_login("tssytx_dq", "wrong-Password1").await;
    assert_eq!(status, 401);
    let (status, _) = app.api_login("nobody_here", "wrong-Password1").await;
    assert_eq!(status, 401);
    app.token("tssytx_dq").await;
    let account = app
        .count("SELECT id FROM accounts WHERE login = 'tssytx_dq'")
        .await;
    let rows = app
        .db
        .clone()
        .fetch_all(
            "SELECT actor, action, entity, entity_id, after_json FROM audit_log
              WHERE seq > $1 AND action LIKE 'account.login%' ORDER BY seq",
            yici_store::args![before],
        )
        .await
        .unwrap();
    let seen: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.get("actor").unwrap(),
                r.get("action").unwrap(),
                r.get("entity").unwrap(),
                r.get("entity_id").unwrap(),
            )
        })
        .collect();
    let s = |v: &str| v.to_string();
    assert_eq!(
        seen,
        vec![
            (
                s("system"),
                s("account.login_failed"),
                s("account"),
                account.to_string()
            ),
            (
                s("system"),
                s("account.login_failed"),
                s("login"),
                s("nobody_here")
            ),
            (
                s("tssytx_dq"),
                s("account.login"),
                s("account"),
                account.to_string()
            ),
        ]
    );
    let after: serde_json::Value =
        serde_json::from_str(&rows[0].get::<String>("after_json").unwrap()).unwrap();
    assert_eq!(after, json!({"login": "tssytx_dq", "ip": "127.0.0.1"}));
    // A lockout follows the fifth failure, after the failures themselves.
    for _ in 0..5 {
        app.api_login("nobody_here", "wrong-Password1").await;
    }
    let actions = app
        .db
        .clone()
        .fetch_all(
            "SELECT action FROM audit_log WHERE entity = 'login' AND entity_id = 'nobody_here' ORDER BY seq",
            vec![],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String>("action").unwrap())
        .collect::<Vec<_>>();
    assert_eq!(
        actions,
        [
            "account.login_failed",
            "account.login_failed",
            "account.login_failed",
            "account.login_failed",
            "account.login_failed",
            "account.lock"
        ]
    );
    let report = yici_store::audit::verify(&app.db, None).await.unwrap();
    assert!(report.intact(), "{report:?}");
}

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
        "hbs_dq",
        "sjzs_dq",
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
    let report = yici_store::audit::verify(&app.db, None).await.unwrap();
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

    // AUDIT-2: the log itself refuses to be changed, by any role.
    for sql in [
        "UPDATE audit_log SET actor = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
    ] {
        let err = db.execute(sql, vec![]).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // Someone who lifts that guard (the owner can) is still found out.
    yici_store::audit::lift_guard_as_attacker(&app.db)
        .await
        .unwrap();

    // Alter an entry's content.
    db.execute(
        "UPDATE audit_log SET after_json = REPLACE(after_json, '审计员', '别人') WHERE seq = $1",
        yici_store::args![seq],
    )
    .await
    .unwrap();
    let report = yici_store::audit::verify(&app.db, None).await.unwrap();
    assert_eq!(report.findings, vec![Finding::Altered { seq }]);

    // Delete an entry in the middle.
    db.execute("DELETE FROM audit_log WHERE seq = 10", vec![])
        .await
        .unwrap();
    let report = yici_store::audit::verify(&app.db, None).await.unwrap();
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
    let report = yici_store::audit::verify(&app.db, None).await.unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::HeadMismatch { .. })),
        "{:?}",
        report.findings
    );
}
