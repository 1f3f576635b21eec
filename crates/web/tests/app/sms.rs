//! The SMS outbox (JOINT-2) on both databases: messages queued in a
//! transaction exist exactly when it commits and are sent once; failures back
//! off and retry, refusals end failed; a dead instance's claim is taken over
//! after its lease; two instances draining one outbox never send a message
//! twice; a restarted worker picks up what was left; the 短信发件箱 page shows
//! each reader what is theirs. Time is the test's hand-driven clock, and the
//! gateway a fake that counts what it was given per outbox id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use crate::common::{extract, secretary_token, without_sms_worker, TestApp, YUTIAN};
use chrono::Duration;
use yici_domain::time::Clock;
use yici_sms::{ErrorKind, OutgoingSms, Receipt, SendFuture, SmsError, SmsGateway};
use yici_store::outbox::{self, Backoff, NewSms, Status};
use yici_store::Exec;
use yici_web::sms_worker::{SmsSettings, SmsWorker};
use yici_web::WebConfig;

/// A gateway that records every call per outbox id and answers as scripted
/// per mobile number (a number of failures, then success).
#[derive(Default)]
struct Fake {
    calls: Mutex<HashMap<i64, usize>>,
    sent: Mutex<HashMap<i64, usize>>,
    failures: Mutex<HashMap<String, (SmsError, usize)>>,
    delay: Option<StdDuration>,
}

impl Fake {
    fn slow(delay: StdDuration) -> Fake {
        Fake {
            delay: Some(delay),
            ..Fake::default()
        }
    }

    /// `times` failures with `kind` for this number (`usize::MAX`: always).
    fn fail(&self, mobile: &str, kind: ErrorKind, times: usize) {
        let e = SmsError::new(
            kind,
            Some("TEST".into()),
            format!("scripted failure for {mobile}"),
        );
        self.failures
            .lock()
            .unwrap()
            .insert(mobile.to_string(), (e, times));
    }

    fn calls(&self, id: i64) -> usize {
        self.calls.lock().unwrap().get(&id).copied().unwrap_or(0)
    }

    fn sent(&self, id: i64) -> usize {
        self.sent.lock().unwrap().get(&id).copied().unwrap_or(0)
    }

    fn sent_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.sent.lock().unwrap().keys().copied().collect();
        ids.sort_unstable();
        ids
    }
}

impl SmsGateway for Fake {
    fn provider(&self) -> &'static str {
        "fake"
    }
    fn label(&self) -> &'static str {
        "测试网关"
    }
    fn send<'a>(&'a self, msg: &'a OutgoingSms) -> SendFuture<'a> {
        Box::pin(async move {
            if let Some(d) = self.delay {
                tokio::time::sleep(d).await;
            }
            *self.calls.lock().unwrap().entry(msg.id).or_default() += 1;
            if let Some((e, left)) = self.failures.lock().unwrap().get_mut(&msg.mobile) {
                if *left > 0 {
                    *left = left.saturating_sub(1);
                    return Err(e.clone());
                }
            }
            *self.sent.lock().unwrap().entry(msg.id).or_default() += 1;
            Ok(Receipt {
                provider: "fake".into(),
                message_id: format!("fake-{}", msg.id),
            })
        })
    }
}

fn settings(gateway: Arc<Fake>) -> SmsSettings {
    SmsSettings {
        gateway,
        run_worker: true,
        poll_interval: StdDuration::from_millis(20),
        batch: 10,
        lease: Duration::minutes(5),
        backoff: Backoff::default(),
    }
}

fn with_worker(gateway: Arc<Fake>) -> WebConfig {
    WebConfig {
        sms: settings(gateway),
        ..WebConfig::default()
    }
}

fn sms(key: &str, mobile: &str) -> NewSms {
    NewSms {
        dedupe_key: key.to_string(),
        mobile: mobile.to_string(),
        template: "task_drawn".into(),
        params_json: "{}".into(),
        body: "您所在单位抽取了新的双随机任务，请登录系统确认是否参与！".into(),
    }
}

fn mobile(n: usize) -> String {
    format!("1390000{n:04}")
}

/// Queues messages in one committed transaction.
async fn queue(app: &TestApp, messages: &[NewSms]) {
    let mut tx = app.db.begin().await.unwrap();
    outbox::enqueue(&mut tx, app.clock.now(), messages)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn ids(app: &TestApp) -> Vec<i64> {
    app.db
        .clone()
        .fetch_all("SELECT id FROM sms_outbox ORDER BY id", vec![])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id").unwrap())
        .collect()
}

async fn id_of(app: &TestApp, mobile: &str) -> i64 {
    app.db
        .clone()
        .scalar_i64(
            "SELECT id FROM sms_outbox WHERE mobile = $1",
            yici_store::args![mobile],
        )
        .await
        .unwrap()
}

async fn entry(app: &TestApp, id: i64) -> outbox::OutboxEntry {
    outbox::get(&app.db, id).await.unwrap().expect("message")
}

/// Polls until `sql` counts `n` (a bound so a broken worker fails the test
/// instead of hanging it; not a timing assertion).
async fn wait_for_count(app: &TestApp, sql: &str, n: i64) {
    for _ in 0..2400 {
        if app.count(sql).await == n {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(25)).await;
    }
    panic!("{sql} never reached {n} (is {})", app.count(sql).await);
}

async fn messages_queued_in_a_transaction_are_sent_exactly_once(app: TestApp) {
    // Committed: two messages. Rolled back: none. A dedupe key queued again
    // (a caller's retry) is left as it is.
    queue(&app, &[sms("t:1:a", &mobile(1)), sms("t:1:b", &mobile(2))]).await;
    {
        let mut tx = app.db.begin().await.unwrap();
        outbox::enqueue(&mut tx, app.clock.now(), &[sms("t:2:a", &mobile(3))])
            .await
            .unwrap();
        drop(tx);
    }
    queue(&app, &[sms("t:1:a", &mobile(9))]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox").await, 2);

    // A second instance's worker (started by `serve`) sends them.
    let fake = Arc::new(Fake::default());
    let _instance = app.instance(with_worker(fake.clone())).await;
    wait_for_count(
        &app,
        "SELECT COUNT(*) FROM sms_outbox WHERE status = 'sent'",
        2,
    )
    .await;
    // More rounds, and a day later: nothing is sent again.
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    app.clock.advance(Duration::days(1));
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let ids = ids(&app).await;
    assert_eq!(fake.sent_ids(), ids);
    for id in &ids {
        assert_eq!((fake.calls(*id), fake.sent(*id)), (1, 1), "message {id}");
        let e = entry(&app, *id).await;
        assert_eq!(e.status, Status::Sent);
        assert_eq!(e.attempts, 1);
        assert_eq!(e.provider.as_deref(), Some("fake"));
        assert_eq!(
            e.provider_message_id.as_deref(),
            Some(format!("fake-{id}").as_str())
        );
        assert!(e.lease_owner.is_none() && e.lease_until.is_none());
    }
    assert_eq!(entry(&app, ids[0]).await.mobile, mobile(1));
}

async fn failures_back_off_and_refusals_end_failed(app: TestApp) {
    let fake = Arc::new(Fake::default());
    fake.fail(&mobile(1), ErrorKind::Throttled, 2);
    fake.fail(&mobile(2), ErrorKind::Rejected, usize::MAX);
    queue(&app, &[sms("a", &mobile(1)), sms("b", &mobile(2))]).await;
    let (throttled, rejected) = (id_of(&app, &mobile(1)).await, id_of(&app, &mobile(2)).await);
    let worker = SmsWorker::new(app.db.clone(), app.clock.clone(), settings(fake.clone()));
    let t0 = app.clock.now();

    let r = worker.run_once().await.unwrap();
    assert_eq!((r.claimed, r.sent, r.retrying, r.failed), (2, 0, 1, 1));
    let e = entry(&app, throttled).await;
    assert_eq!((e.status, e.attempts), (Status::Pending, 1));
    assert_eq!(e.next_attempt_at, t0 + Duration::seconds(30));
    assert!(e.last_error.unwrap().contains("服务商限流"));
    let e = entry(&app, rejected).await;
    assert_eq!((e.status, e.attempts), (Status::Failed, 1));
    assert!(e.last_error.unwrap().contains("服务商拒绝发送"));

    // Not before its time.
    assert_eq!(worker.run_once().await.unwrap().claimed, 0);
    app.clock.advance(Duration::seconds(29));
    assert_eq!(worker.run_once().await.unwrap().claimed, 0);
    app.clock.advance(Duration::seconds(1));
    let r = worker.run_once().await.unwrap();
    assert_eq!((r.claimed, r.retrying), (1, 1));
    let e = entry(&app, throttled).await;
    assert_eq!(e.attempts, 2);
    assert_eq!(e.next_attempt_at, app.clock.now() + Duration::seconds(60));

    app.clock.advance(Duration::seconds(60));
    let r = worker.run_once().await.unwrap();
    assert_eq!((r.claimed, r.sent), (1, 1));
    let e = entry(&app, throttled).await;
    assert_eq!((e.status, e.attempts), (Status::Sent, 3));

    // A day on, nothing moves: the refused message was tried once.
    app.clock.advance(Duration::days(1));
    assert_eq!(worker.run_once().await.unwrap().claimed, 0);
    assert_eq!((fake.calls(throttled), fake.sent(throttled)), (3, 1));
    assert_eq!((fake.calls(rejected), fake.sent(rejected)), (1, 0));
}

async fn retries_end_after_the_last_attempt(app: TestApp) {
    let fake = Arc::new(Fake::default());
    fake.fail(&mobile(1), ErrorKind::Network, usize::MAX);
    queue(&app, &[sms("a", &mobile(1))]).await;
    let id = id_of(&app, &mobile(1)).await;
    let worker = SmsWorker::new(
        app.db.clone(),
        app.clock.clone(),
        SmsSettings {
            backoff: Backoff {
                max_attempts: 3,
                ..Backoff::default()
            },
            ..settings(fake.clone())
        },
    );
    for attempt in 1..=3 {
        let r = worker.run_once().await.unwrap();
        assert_eq!(r.claimed, 1, "attempt {attempt}");
        app.clock.advance(Duration::hours(1));
    }
    let e = entry(&app, id).await;
    assert_eq!((e.status, e.attempts), (Status::Failed, 3));
    app.clock.advance(Duration::days(1));
    assert_eq!(worker.run_once().await.unwrap().claimed, 0);
    assert_eq!(fake.calls(id), 3);
}

async fn a_dead_instance_claim_is_taken_over_after_its_lease(app: TestApp) {
    queue(&app, &[sms("a", &mobile(1))]).await;
    let id = id_of(&app, &mobile(1)).await;
    let t0 = app.clock.now();
    // An instance claims the message and dies before sending or marking it.
    let dead = outbox::claim(&app.db, "dead-instance", t0, Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(dead.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(entry(&app, id).await.status, Status::Sending);

    let fake = Arc::new(Fake::default());
    let worker = SmsWorker::new(app.db.clone(), app.clock.clone(), settings(fake.clone()));
    assert_eq!(worker.run_once().await.unwrap().claimed, 0);
    app.clock
        .advance(Duration::minutes(5) - Duration::seconds(1));
    assert_eq!(worker.run_once().await.unwrap().claimed, 0);
    assert_eq!(fake.calls(id), 0, "held by the lease");
    app.clock.advance(Duration::seconds(1));
    let r = worker.run_once().await.unwrap();
    assert_eq!((r.claimed, r.sent), (1, 1));
    let e = entry(&app, id).await;
    assert_eq!((e.status, e.attempts), (Status::Sent, 2));

    // The dead instance, back, may no longer mark what it lost.
    let now = app.clock.now();
    assert!(
        !outbox::mark_sent(&app.db, id, "dead-instance", now, "x", "y")
            .await
            .unwrap()
    );
    assert!(
        !outbox::mark_failed(&app.db, id, "dead-instance", "late", None)
            .await
            .unwrap()
    );
    assert_eq!(
        entry(&app, id).await.provider_message_id.as_deref(),
        Some(format!("fake-{id}").as_str())
    );
    assert_eq!(fake.sent(id), 1);

    // The same at the store level: after a takeover only the new holder marks.
    queue(&app, &[sms("b", &mobile(2))]).await;
    let second = id_of(&app, &mobile(2)).await;
    let now = app.clock.now();
    assert_eq!(
        outbox::claim(&app.db, "a", now, Duration::minutes(1), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(outbox::claim(&app.db, "b", now, Duration::minutes(1), 10)
        .await
        .unwrap()
        .is_empty());
    app.clock.advance(Duration::minutes(2));
    let now = app.clock.now();
    assert_eq!(
        outbox::claim(&app.db, "b", now, Duration::minutes(1), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(!outbox::mark_sent(&app.db, second, "a", now, "p", "1")
        .await
        .unwrap());
    assert!(outbox::mark_sent(&app.db, second, "b", now, "p", "2")
        .await
        .unwrap());
    assert_eq!(
        entry(&app, second).await.provider_message_id.as_deref(),
        Some("2")
    );

    // A claim takes no more than asked, oldest first.
    let more: Vec<NewSms> = (10..20)
        .map(|n| sms(&format!("m:{n}"), &mobile(n)))
        .collect();
    queue(&app, &more).await;
    let now = app.clock.now();
    let got = outbox::claim(&app.db, "c", now, Duration::minutes(1), 3)
        .await
        .unwrap();
    let want = vec![
        id_of(&app, &mobile(10)).await,
        id_of(&app, &mobile(11)).await,
        id_of(&app, &mobile(12)).await,
    ];
    assert_eq!(got.iter().map(|c| c.id).collect::<Vec<_>>(), want);
    assert!(got
        .iter()
        .all(|c| c.attempts == 1 && c.lease_until == now + Duration::minutes(1)));
}

async fn two_instances_send_each_of_200_messages_once(app: TestApp) {
    let bulk = |from: usize| -> Vec<NewSms> {
        (from..from + 10)
            .map(|n| sms(&format!("bulk:{n}"), &mobile(n)))
            .collect()
    };
    // A backlog both workers start on, then more while they run.
    for chunk in 0..10 {
        queue(&app, &bulk(chunk * 10)).await;
    }
    let slow = StdDuration::from_millis(1);
    let (fake_a, fake_b) = (Arc::new(Fake::slow(slow)), Arc::new(Fake::slow(slow)));
    let small_batches = |fake: Arc<Fake>| WebConfig {
        sms: SmsSettings {
            batch: 5,
            ..settings(fake)
        },
        ..WebConfig::default()
    };
    let _a = app.instance(small_batches(fake_a.clone())).await;
    let _b = app.instance(small_batches(fake_b.clone())).await;
    for chunk in 10..20 {
        queue(&app, &bulk(chunk * 10)).await;
    }
    wait_for_count(
        &app,
        "SELECT COUNT(*) FROM sms_outbox WHERE status = 'sent'",
        200,
    )
    .await;
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let ids = ids(&app).await;
    assert_eq!(ids.len(), 200);
    for id in &ids {
        assert_eq!(
            (
                fake_a.calls(*id) + fake_b.calls(*id),
                fake_a.sent(*id) + fake_b.sent(*id)
            ),
            (1, 1),
            "message {id}"
        );
        assert_eq!(entry(&app, *id).await.attempts, 1);
    }
    let (a, b) = (fake_a.sent_ids().len(), fake_b.sent_ids().len());
    assert_eq!(a + b, 200);
    eprintln!("instance A sent {a}, instance B sent {b}");
}

/// Eight claimers on two pools, released together, drain 200 messages: no
/// message is claimed twice, none is left.
async fn concurrent_claims_never_share_a_message(app: TestApp) {
    let all: Vec<NewSms> = (0..200)
        .map(|n| sms(&format!("c:{n}"), &mobile(n)))
        .collect();
    queue(&app, &all).await;
    let other = app.instance(without_sms_worker()).await;
    let now = app.clock.now();
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for k in 0..8 {
        let db = if k % 2 == 0 {
            app.db.clone()
        } else {
            other.db.clone()
        };
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let owner = format!("claimer-{k}");
            let mut mine = Vec::new();
            loop {
                let got = outbox::claim(&db, &owner, now, Duration::minutes(5), 7)
                    .await
                    .unwrap();
                if got.is_empty() {
                    break;
                }
                assert!(got.len() <= 7);
                mine.extend(got.into_iter().map(|c| c.id));
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for t in tasks {
        claimed.extend(t.await.unwrap());
    }
    claimed.sort_unstable();
    let n = claimed.len();
    claimed.dedup();
    assert_eq!(claimed.len(), n, "a message claimed twice");
    assert_eq!(claimed, ids(&app).await);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sms_outbox WHERE status = 'sending' AND attempts = 1")
            .await,
        200
    );
}

async fn a_restarted_worker_resumes_pending_messages(app: TestApp) {
    let messages: Vec<NewSms> = (1..=10)
        .map(|n| sms(&format!("r:{n}"), &mobile(n)))
        .collect();
    queue(&app, &messages).await;

    // The first process: claims two batches of four; the first message fails
    // once (retry in 30 s). Then it stops, and its pool closes.
    let first_process = app.instance(without_sms_worker()).await;
    let before = Arc::new(Fake::default());
    before.fail(&mobile(1), ErrorKind::Provider, 1);
    let worker = SmsWorker::new(
        first_process.db.clone(),
        app.clock.clone(),
        SmsSettings {
            batch: 4,
            ..settings(before.clone())
        },
    );
    let r1 = worker.run_once().await.unwrap();
    let r2 = worker.run_once().await.unwrap();
    assert_eq!((r1.sent + r2.sent, r1.retrying), (7, 1));
    drop(worker);
    first_process.db.close().await;

    // The next process, with a new owner id and pool, sends the rest once.
    app.clock.advance(Duration::seconds(30));
    let second_process = app.instance(without_sms_worker()).await;
    let after = Arc::new(Fake::default());
    let handle = SmsWorker::new(
        second_process.db.clone(),
        app.clock.clone(),
        settings(after.clone()),
    )
    .spawn();
    wait_for_count(
        &app,
        "SELECT COUNT(*) FROM sms_outbox WHERE status = 'sent'",
        10,
    )
    .await;
    handle.stop().await;
    let ids = ids(&app).await;
    for id in &ids {
        assert_eq!(before.sent(*id) + after.sent(*id), 1, "message {id}");
    }
    let first = id_of(&app, &mobile(1)).await;
    let left: Vec<i64> = vec![
        first,
        id_of(&app, &mobile(9)).await,
        id_of(&app, &mobile(10)).await,
    ];
    assert_eq!(after.sent_ids(), left);
    assert_eq!(entry(&app, first).await.attempts, 2);
}

async fn extraction_queues_sms_whatever_the_gateway_does(app: TestApp) {
    // A gateway that is down: the extraction still succeeds, the messages
    // wait, and go out once the gateway is back.
    let enterprise = app.first_enterprise().await;
    let water = app.department(YUTIAN, "水股").await;
    let air_token = secretary_token(&app, YUTIAN, "大气股").await;
    extract(&app, &air_token, "routine", enterprise).await;
    let queued = app.count("SELECT COUNT(*) FROM sms_outbox").await;
    assert!(queued >= 2, "one SMS per other department's administrator");

    let down = Arc::new(Fake::default());
    let water_admin = app.admin_mobile(water).await;
    let all: Vec<String> = app
        .db
        .clone()
        .fetch_all("SELECT mobile FROM sms_outbox", vec![])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("mobile").unwrap())
        .collect();
    for m in &all {
        down.fail(m, ErrorKind::Network, usize::MAX);
    }
    let r = SmsWorker::new(app.db.clone(), app.clock.clone(), settings(down))
        .run_once()
        .await
        .unwrap();
    assert_eq!(r.retrying as i64, queued);
    app.clock.advance(Duration::seconds(30));
    let up = Arc::new(Fake::default());
    let r = SmsWorker::new(app.db.clone(), app.clock.clone(), settings(up))
        .run_once()
        .await
        .unwrap();
    assert_eq!(r.sent as i64, queued);

    // The outbox page: the system administrator sees every message with its
    // number; 水股's secretary only the one to 水股's administrator, masked;
    // a member without a role there is refused.
    let (admin, _) = app.web_user("admin").await;
    let page = admin
        .get(app.url("/sms/outbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("短信发件箱"));
    assert!(page.contains(&format!("共 {queued} 条")), "{page}");
    assert!(page.contains(&water_admin));
    assert!(page.contains("已发送") && page.contains("fake-"));

    let (secretary, _) = app.web_user(&app.secretary(water).await).await;
    let page = secretary
        .get(app.url("/sms/outbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("共 1 条"), "{page}");
    assert!(page.contains(&yici_domain::org::mobile::mask(&water_admin)));
    assert!(!page.contains(&water_admin), "{page}");
    assert!(page.contains("href=\"/sms/outbox\""), "menu entry");

    let member: String = app
        .db
        .clone()
        .fetch_one(
            "SELECT mobile FROM people WHERE department_id = $1 AND NOT is_admin ORDER BY id LIMIT 1",
            yici_store::args![water],
        )
        .await
        .unwrap()
        .get("mobile")
        .unwrap();
    let (member, _) = app.web_user(&member).await;
    let r = member.get(app.url("/sms/outbox")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let home = member
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!home.contains("短信发件箱"));

    // Status tabs filter.
    let failed = admin
        .get(app.url("/sms/outbox?status=failed"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(failed.contains("共 0 条") && failed.contains("没有短信记录"));
}

both_databases!(
    config = super::without_sms_worker();
    messages_queued_in_a_transaction_are_sent_exactly_once,
    failures_back_off_and_refusals_end_failed,
    retries_end_after_the_last_attempt,
    a_dead_instance_claim_is_taken_over_after_its_lease,
    two_instances_send_each_of_200_messages_once,
    concurrent_claims_never_share_a_message,
    a_restarted_worker_resumes_pending_messages,
    extraction_queues_sms_whatever_the_gateway_does,
);
