//! The binary as an operator uses it: `migrate`, `audit verify` on an intact
//! and on a tampered database, on SQLite and (when configured) PostgreSQL.

use std::process::Command;

use yici_store::{Db, Exec};

/// The seal key file of this test process, outside the source tree.
fn seal_key_file() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("yici-tests/audit-seal-{}.key", std::process::id()))
}

fn yici(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yici"))
        .args(args)
        .env("YICI_LOG", "warn")
        .env("YICI_AUDIT__SEAL_KEY_FILE", seal_key_file())
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
    assert!(out.contains("seals: none yet"), "{out}");

    // AUDIT-2: the log refuses changes, even from the role that owns it.
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5",
        "DELETE FROM audit_log WHERE seq = 5",
    ] {
        let err = db.clone().execute(sql, vec![]).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // Lifts the guard, as the owner can: what follows is found all the same.
    sealed_chain(url, &db).await;
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

    // An entry deleted in the middle.
    db.clone()
        .execute("DELETE FROM audit_log WHERE seq = 12", vec![])
        .await
        .unwrap();
    let (ok, out) = yici(&["audit", "verify", "--database-url", url]);
    assert!(!ok);
    assert!(
        out.contains("entry 12 is missing (next entry is 13)"),
        "{out}"
    );
}

/// Appends `n` entries as the application would.
async fn append(db: &Db, n: usize) {
    let mut tx = db.begin().await.unwrap();
    for i in 0..n {
        yici_store::audit::record(
            &mut tx,
            chrono::Utc::now(),
            &yici_store::Actor::system(),
            yici_store::audit::Change::<(), _> {
                action: "test.append",
                entity: "test",
                entity_id: i.to_string(),
                before: None,
                after: Some(&serde_json::json!({"i": i})),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn head(db: &Db) -> i64 {
    db.clone()
        .scalar_i64("SELECT seq FROM audit_head WHERE id = 1", vec![])
        .await
        .unwrap()
}

/// Re-hashes every entry from `from` on and moves the head: the chain
/// itself is consistent again, as a careful forger would leave it.
async fn rehash_from(db: &Db, from: i64) {
    use yici_domain::audit::AuditEntry;
    let mut db = db.clone();
    let rows = db
        .fetch_all(
            "SELECT seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash
               FROM audit_log WHERE seq >= $1 ORDER BY seq",
            yici_store::args![from],
        )
        .await
        .unwrap();
    let mut prev: String = rows[0].get("prev_hash").unwrap();
    for r in &rows {
        let entry = AuditEntry {
            seq: r.get("seq").unwrap(),
            at: r.get("at").unwrap(),
            actor_id: r.get("actor_id").unwrap(),
            actor: r.get("actor").unwrap(),
            action: r.get("action").unwrap(),
            entity: r.get("entity").unwrap(),
            entity_id: r.get("entity_id").unwrap(),
            before: r.get("before_json").unwrap(),
            after: r.get("after_json").unwrap(),
        };
        let hash = entry.hash(&prev);
        db.execute(
            "UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3",
            yici_store::args![prev.as_str(), hash.as_str(), entry.seq],
        )
        .await
        .unwrap();
        prev = hash;
    }
    let last: i64 = rows.last().unwrap().get("seq").unwrap();
    db.execute(
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        yici_store::args![last, prev.as_str()],
    )
    .await
    .unwrap();
}

/// AUDIT-2: seals made by `yici audit seal` catch a truncated tail with the
/// head moved back, a wholly re-hashed chain and a forged seal — each of
/// which leaves the chain itself consistent.
async fn sealed_chain(url: &str, db: &Db) {
    let (ok, out) = yici(&["audit", "seal", "--database-url", url]);
    assert!(ok && out.contains("sealed: seal 1"), "{out}");
    let first = head(db).await;
    let (ok, out) = yici(&["audit", "seal", "--database-url", url]);
    assert!(ok && out.contains("nothing to seal"), "{out}");
    append(db, 5).await;
    let (ok, out) = yici(&["audit", "seal", "--database-url", url]);
    assert!(ok && out.contains("sealed: seal 2"), "{out}");
    let second = head(db).await;
    assert_eq!(second, first + 5);
    let (ok, out) = yici(&["audit", "verify", "--database-url", url]);
    assert!(ok, "{out}");
    assert!(
        out.contains("seals: 2 in all") && out.contains("2 MAC(s) checked"),
        "{out}"
    );
    // Seals can't be removed either.
    let err = db
        .clone()
        .execute("DELETE FROM audit_seals", vec![])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");

    yici_store::audit::lift_guard_as_attacker(db).await.unwrap();
    // The tail truncated and the head moved back to the new last entry.
    db.clone()
        .execute(
            "DELETE FROM audit_log WHERE seq > $1",
            yici_store::args![first + 2],
        )
        .await
        .unwrap();
    rehash_from(db, first + 2).await;
    let (ok, out) = yici(&["audit", "verify", "--database-url", url]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("audit chain intact"),
        "the chain alone looks whole: {out}"
    );
    assert!(
        out.contains(&format!(
            "seal 2 covers entry {second}, which is missing: entries removed (tail truncated)"
        )),
        "{out}"
    );

    // The whole chain re-hashed from an altered early entry.
    db.clone()
        .execute(
            "UPDATE audit_log SET actor = 'forger' WHERE seq = 3",
            vec![],
        )
        .await
        .unwrap();
    rehash_from(db, 1).await;
    let (ok, out) = yici(&["audit", "verify", "--database-url", url]);
    assert!(!ok);
    assert!(out.contains("audit chain intact"), "{out}");
    assert!(
        out.contains(&format!(
            "seal 1 covers entry {first}, whose hash has changed: chain rewritten"
        )),
        "{out}"
    );

    // A seal made without the key.
    let hash: String = db
        .clone()
        .fetch_one("SELECT hash FROM audit_head WHERE id = 1", vec![])
        .await
        .unwrap()
        .get("hash")
        .unwrap();
    let forger = yici_domain::audit::seal::SealKey::new(vec![9; 32]).unwrap();
    let real_id: String = db
        .clone()
        .fetch_one("SELECT key_id, mac FROM audit_seals WHERE no = 2", vec![])
        .await
        .unwrap()
        .get("key_id")
        .unwrap();
    let prev: String = db
        .clone()
        .fetch_one("SELECT mac FROM audit_seals WHERE no = 2", vec![])
        .await
        .unwrap()
        .get("mac")
        .unwrap();
    let body = yici_domain::audit::seal::SealBody {
        no: 3,
        sealed_at: chrono::Utc::now(),
        head_seq: head(db).await,
        head_hash: hash,
        key_id: real_id,
        prev_mac: prev,
    };
    let mac = forger.mac(&body);
    db.clone()
        .execute(
            "INSERT INTO audit_seals (no, sealed_at, head_seq, head_hash, key_id, prev_mac, mac)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            yici_store::args![
                body.no,
                body.sealed_at,
                body.head_seq,
                body.head_hash.as_str(),
                body.key_id.as_str(),
                body.prev_mac.as_str(),
                mac.as_str()
            ],
        )
        .await
        .unwrap();
    let (ok, out) = yici(&["audit", "verify", "--database-url", url]);
    assert!(!ok);
    assert!(
        out.contains("seal 3: MAC does not match the key: forged or altered"),
        "{out}"
    );
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
