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
    draw_verify(url, &db).await;
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

/// `yici draw verify` re-runs a recorded draw, and finds a tampered one.
async fn draw_verify(url: &str, db: &Db) {
    let now = chrono::Utc::now();
    yici_demo::load_enterprises(db, now, 60).await.unwrap();
    let dept = db
        .clone()
        .fetch_one(
            "SELECT d.id, d.unit_id FROM departments d JOIN units u ON u.id = d.unit_id
              WHERE u.short_name = '玉田县分局' AND d.name = '大气股'",
            vec![],
        )
        .await
        .unwrap();
    let who = yici_store::draw::Initiator {
        unit_id: dept.get("unit_id").unwrap(),
        department_id: dept.get("id").unwrap(),
        actor: yici_store::Actor::system(),
        name: "大气股".into(),
        scope: yici_store::registry::search::Scope::County("130229".into()),
        principal: yici_domain::org::Principal::system(),
    };
    let request = yici_store::draw::draws::RandomRequest {
        options: yici_store::draw::tasks::TaskOptions {
            source: Some("routine".into()),
            ..Default::default()
        },
        count: Some(3),
        ..Default::default()
    };
    let drawn =
        yici_store::draw::draws::draw_enterprises(db, &Default::default(), now, &who, &request)
            .await
            .unwrap();
    let id = drawn.draw.id.to_string();
    let (ok, out) = yici(&["draw", "verify", &id, "--database-url", url]);
    assert!(ok, "{out}");
    assert!(out.contains("复核一致"), "{out}");

    // A result changed after the fact no longer matches its seed and list.
    let mut result = drawn.draw.result.unwrap();
    result.reverse();
    let tampered: Vec<String> = result.iter().map(i64::to_string).collect();
    db.clone()
        .execute(
            "UPDATE draws SET result = $1 WHERE id = $2",
            yici_store::args![tampered.join(","), drawn.draw.id],
        )
        .await
        .unwrap();
    let (ok, out) = yici(&["draw", "verify", &id, "--database-url", url]);
    assert!(!ok, "a tampered draw exits non-zero: {out}");
    assert!(
        out.contains("重新抽取结果：不一致") && out.contains("复核不一致"),
        "{out}"
    );
    let (ok, out) = yici(&["draw", "verify", "999999", "--database-url", url]);
    assert!(!ok && out.contains("不存在"), "{out}");
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

/// SIGTERM (systemd's and container runtimes' stop) takes the graceful path
/// like Ctrl-C: the server stops accepting, finishes, stops the SMS worker and
/// exits 0 — instead of dying by the signal with SMS claims left to expire.
#[test]
fn sigterm_stops_the_server_gracefully() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let dir = std::env::temp_dir().join(format!("yici-sigterm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite:{}", dir.join("yici.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_yici"))
        .args(["serve", "--database-url", &url, "--bind", "127.0.0.1:0"])
        .env("YICI_LOG", "warn")
        .env("YICI_FIELD__EVIDENCE_DIR", dir.join("evidence"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start yici serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("yici 已启动"));
    assert!(started.is_some(), "the server did not start");

    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on our own child's pid, with a valid signal number.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 30 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        status.success(),
        "exit after SIGTERM: {status:?} (killed by the signal means no graceful path)"
    );
    assert!(rest.iter().any(|l| l.contains("yici 已停止")), "{rest:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
