//! 短信发件箱 in headless Chromium (Debian's `chromium` and `chromium-driver`):
//! two extractions queue SMS to the other departments' administrators; a
//! worker sends some, is throttled on one, refused on another; another
//! instance holds two. The system administrator opens the page from the
//! menu and filters by status; 水股's secretary sees only 水股's message,
//! masked. Screenshots at 1920×1080 and 390×844 go to `target/screenshots/`.

use std::sync::Arc;
use std::time::Duration;

use crate::common::browser::*;
use crate::common::{extract, secretary_token, without_sms_worker, Backend, TestApp, YUTIAN};
use fantoccini::{Client, Locator};
use yici_domain::time::Clock;
use yici_sms::{DevOutbox, ErrorKind, OutgoingSms, SendFuture, SmsError, SmsGateway};
use yici_web::sms_worker::{SmsSettings, SmsWorker};

both_databases!(config = super::without_sms_worker(); sms_outbox_in_a_real_browser);

/// The development outbox, except for two numbers the provider turns down.
struct Scripted {
    throttled: String,
    refused: String,
}

impl SmsGateway for Scripted {
    fn provider(&self) -> &'static str {
        "outbox"
    }
    fn label(&self) -> &'static str {
        "开发发件箱（不实际发送）"
    }
    fn send<'a>(&'a self, msg: &'a OutgoingSms) -> SendFuture<'a> {
        Box::pin(async move {
            if msg.mobile == self.throttled {
                return Err(SmsError::new(
                    ErrorKind::Throttled,
                    Some("isv.BUSINESS_LIMIT_CONTROL".into()),
                    "触发分钟级流控Permits:1",
                ));
            }
            if msg.mobile == self.refused {
                return Err(SmsError::new(
                    ErrorKind::Rejected,
                    Some("isv.MOBILE_NUMBER_ILLEGAL".into()),
                    "非法手机号",
                ));
            }
            DevOutbox.send(msg).await
        })
    }
}

async fn rows(c: &Client) -> usize {
    c.find_all(Locator::Css("#outbox tbody tr[data-id]"))
        .await
        .unwrap()
        .len()
}

async fn extract_by(app: &TestApp, department: &str, enterprise: i64) {
    let token = secretary_token(app, YUTIAN, department).await;
    extract(app, &token, "routine", enterprise).await;
}

async fn sms_outbox_in_a_real_browser(app: TestApp) {
    let desktop = matches!(app.backend, Backend::Sqlite);
    let first = app.first_enterprise().await;

    // 大气股 extracts: five administrators are told (not the 办公室's, which
    // is not invited); the worker sends three,
    // is throttled on 水股's and refused on 土壤股's.
    extract_by(&app, "大气股", first).await;
    let water = app.department(YUTIAN, "水股").await;
    let soil = app.department(YUTIAN, "土壤股").await;
    let gateway = Arc::new(Scripted {
        throttled: app.admin_mobile(water).await,
        refused: app.admin_mobile(soil).await,
    });
    let worker = SmsWorker::new(
        app.db.clone(),
        app.clock.clone(),
        SmsSettings {
            gateway,
            ..SmsSettings::default()
        },
    );
    let r = worker.run_once().await.unwrap();
    assert_eq!((r.sent, r.retrying, r.failed), (3, 1, 1));
    // Twenty seconds later 水股 extracts; another instance has claimed two
    // of its messages, the rest wait (the throttled one until 09:00:30).
    app.clock.advance(chrono::Duration::seconds(20));
    let second = app
        .count(&format!(
            "SELECT MIN(id) FROM enterprises WHERE region_code = '130229' AND status = 'normal' AND id > {first}"
        ))
        .await;
    extract_by(&app, "水股", second).await;
    let claimed = yici_store::outbox::claim(
        &app.db,
        "yici-2:4711:7f3a9c01:0",
        app.clock.now(),
        chrono::Duration::minutes(5),
        2,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 2);
    let total = app.count("SELECT COUNT(*) FROM sms_outbox").await;

    let driver = chromedriver().await;
    let c = browser(&driver).await;
    c.set_window_size(1920, 1080).await.unwrap();
    log_in(&c, &app, "admin").await;
    click(&c, "nav a[href='/sms/outbox']").await;
    wait_path(&c, "/sms/outbox").await;
    assert_eq!(text(&c, "#total").await, format!("共 {total} 条"));
    assert_eq!(rows(&c).await as i64, total);
    assert!(text(&c, "#gateway").await.contains("开发发件箱"));
    let body = text(&c, "#outbox").await;
    for word in [
        "待发送",
        "发送中",
        "已发送",
        "失败",
        "isv.BUSINESS_LIMIT_CONTROL",
        "dev-",
    ] {
        assert!(body.contains(word), "{word} in {body}");
    }
    if desktop {
        shot(&c, "sms-outbox-desktop").await;
    }
    // Filter: 失败 only.
    click(&c, "#status-tabs a[href='/sms/outbox?status=failed']").await;
    for _ in 0..100 {
        if text(&c, "#total").await == "共 1 条" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(text(&c, "#total").await, "共 1 条");
    assert!(text(&c, "#outbox").await.contains("非法手机号"));

    c.goto(&app.url("/sms/outbox")).await.unwrap();
    c.set_window_size(390, 844).await.unwrap();
    assert_eq!(rows(&c).await as i64, total);
    if desktop {
        // The cards of the sent, refused and throttled messages.
        c.execute(
            "document.querySelectorAll('#outbox tbody tr')[9].scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
        shot(&c, "sms-outbox-phone").await;
    }

    // 水股's secretary: the one message to 水股's administrator, masked.
    c.delete_all_cookies().await.unwrap();
    c.set_window_size(1920, 1080).await.unwrap();
    log_in_again(&c, &app, &app.secretary(water).await).await;
    click(&c, "nav a[href='/sms/outbox']").await;
    wait_path(&c, "/sms/outbox").await;
    assert_eq!(text(&c, "#total").await, "共 1 条");
    let admin = app.admin_mobile(water).await;
    let row = text(&c, "#outbox tbody").await;
    assert!(
        row.contains(&yici_domain::org::mobile::mask(&admin)),
        "{row}"
    );
    assert!(!row.contains(&admin), "{row}");
    c.close().await.unwrap();
}
