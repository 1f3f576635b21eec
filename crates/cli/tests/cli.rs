//! The binary as an operator uses it: `migrate`, `audit verify` on an intact
//! and on a tampered database, on SQLite and (when configured) PostgreSQL.

use std::process::Command;

use yici_store::{Db, Exec};

fn yici(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yici"))
        .args(args)
        .env("YICI_LOG", "warn")
        .output()
        .expect("run yici");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn check(url: &str, db: Db) {
    let (ok, out) = yici(&["migrate", "--database-url", url]);
    assert!(ok, "{out}");
    yici_demo::load(&db, chrono::Utc::now(), "Jcbm@12369")
        .await
        .unwrap();
    let (ok, out) = yici(&["audit", "verify", "--database-url", url]);
    assert!(ok, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");

    db.clone()
        .execute(
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5",
            vec![],
        )
        .await
        .unwrap();
    let (ok, out) = yici(&["audit", "verify", "--database-url", url]);
    assert!(!ok, "a tampered chain exits non-zero");
    assert!(
        out.contains("entry 5: content does not match its hash: altered"),
        "{out}"
    );

    // Swapping two entries' contents (a reorder) is found as well.
    db.clone()
        .execute("UPDATE audit_log SET seq = -7 WHERE seq = 7", vec![])
        .await
        .unwrap();
    db.clone()
        .execute("UPDATE audit_log SET seq = 7 WHERE seq = 8", vec![])
        .await
        .unwrap();
    db.clone()
        .execute("UPDATE audit_log SET seq = 8 WHERE seq = -7", vec![])
        .await
        .unwrap();
    let (ok, out) = yici(&["audit", "verify", "--database-url", url]);
    assert!(!ok);
    assert!(out.contains("entry 7") && out.contains("entry 8"), "{out}");
}

#[tokio::test]
async fn audit_verify_on_sqlite() {
    let dir = std::env::temp_dir().join("yici-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("cli-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite:{}", path.display());
    let (ok, out) = yici(&["migrate", "--database-url", &url]);
    assert!(ok, "{out}");
    let db = Db::connect(&url).await.unwrap();
    check(&url, db).await;
}

#[tokio::test]
async fn audit_verify_on_postgres() {
    let Ok(base) = std::env::var("YICI_TEST_DATABASE_URL") else {
        eprintln!("YICI_TEST_DATABASE_URL not set: PostgreSQL variant not run");
        return;
    };
    let schema = format!("yici_cli_{}", std::process::id());
    let mut admin = Db::connect(&base).await.unwrap();
    admin
        .execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"), vec![])
        .await
        .unwrap();
    admin
        .execute(&format!("CREATE SCHEMA {schema}"), vec![])
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let (ok, out) = yici(&["migrate", "--database-url", &url]);
    assert!(ok, "{out}");
    let db = Db::connect_postgres_schema(&base, &schema).await.unwrap();
    check(&url, db).await;
}
