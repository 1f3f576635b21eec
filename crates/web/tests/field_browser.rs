//! The field app and the enterprise app in headless Chromium at 390×844
//! (APP-1, APP-2, APP-7): an inspector logs in on the phone, finds the task
//! under 未办理 and opens its 检查二维码; an enterprise signs up, opens the
//! code's link, sees 真实有效 with the plan and confirms; the same code half
//! an hour later reads 已过期. Screenshots go to `target/screenshots/field-*.png`.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{TestApp, INITIAL, NEW_PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use yici_domain::time::Clock;
use yici_store::Exec;

both_databases!(inspector_shows_the_code_and_the_enterprise_confirms_on_phones);

const YUTIAN: &str = "玉田县分局";
const ENTERPRISE_PASSWORD: &str = "Qiye@2025x";

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Driver {
    let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} not found: install Debian's chromium and chromium-driver (scripts/test does)"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    Driver { child, port }
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--window-size=1920,1080", "--lang=zh-CN"]
        }),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..50 {
        // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(c) = ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on {url}");
}

fn shots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots_dir().join(format!("{name}.png")), png).unwrap();
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the browser is on `expected` (navigation finishes after the click returns).
async fn wait_path(c: &Client, expected: &str) {
    for _ in 0..100 {
        if path(c).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "still on {} instead of {expected}:\n{}",
        path(c).await,
        c.source().await.unwrap_or_default()
    );
}

/// Waits for the element (a click that navigates returns before the next page is there).
async fn text(c: &Client, css: &str) -> String {
    match c
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(e) => e.text().await.unwrap(),
        Err(_) => panic!(
            "{css} not found on {}:\n{}",
            c.current_url().await.unwrap(),
            c.source().await.unwrap_or_default()
        ),
    }
}

async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

/// A scheduled 大气股 task with two of its officers: (task, enterprise, first inspector's mobile).
async fn visit(app: &TestApp) -> (i64, i64, String) {
    yici_demo::load_enterprises(&app.db, app.clock.now(), 40)
        .await
        .unwrap();
    let enterprise = app
        .count("SELECT MIN(id) FROM enterprises WHERE region_code = '130229' AND status = 'normal'")
        .await;
    let d = app.department(YUTIAN, "大气股").await;
    let air = app.token(&app.secretary(d).await).await;
    let (s, b) = app
        .send(
            "POST",
            &air,
            "/api/v1/tasks/directed",
            json!({"source": "routine", "enterprise_ids": [enterprise]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let task = b[0]["id"].as_i64().unwrap();
    let own: Vec<(i64, String)> = app
        .db
        .clone()
        .fetch_all(
            "SELECT id, mobile FROM people WHERE department_id = $1 AND is_officer
                AND status = 'enabled' ORDER BY id LIMIT 2",
            yici_store::args![d],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id").unwrap(), r.get("mobile").unwrap()))
        .collect();
    let tomorrow = yici_domain::time::business_date(app.clock.now()) + chrono::Duration::days(1);
    let (s, b) = app
        .send(
            "PUT",
            &air,
            &format!("/api/v1/tasks/{task}/settings"),
            json!({"planned_on": tomorrow, "inspector_ids": [own[0].0, own[1].0]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    (task, enterprise, own[0].1.clone())
}

async fn inspector_shows_the_code_and_the_enterprise_confirms_on_phones(app: TestApp) {
    let sqlite = matches!(app.backend, common::Backend::Sqlite);
    let (task, enterprise, mobile) = visit(&app).await;
    let driver = chromedriver();
    let c = browser(&driver).await;
    c.set_window_size(390, 844).await.unwrap();

    // The inspector logs in with the mobile number and changes the initial password.
    c.goto(&app.url("/login?next=%2Fm")).await.unwrap();
    fill(&c, "#login", &mobile).await;
    fill(&c, "#password", INITIAL).await;
    click(&c, ".login-box button[type=submit]").await;
    wait_path(&c, "/password").await;
    fill(&c, "input[name=old_password]", INITIAL).await;
    fill(&c, "input[name=new_password]", NEW_PASSWORD).await;
    fill(&c, "input[name=repeat_password]", NEW_PASSWORD).await;
    click(&c, "#submit").await;
    wait_path(&c, "/").await;
    c.goto(&app.url("/m")).await.unwrap();
    assert!(text(&c, "#tab-todo").await.contains("未办理（1）"));
    assert_eq!(text(&c, "section.dept .group-title").await, "大气股");
    if sqlite {
        shot(&c, "field-tasks").await;
    }
    click(&c, &format!("a.task-item[data-task='{task}']")).await;
    wait_path(&c, &format!("/m/tasks/{task}")).await;
    let code = c
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("#check-in-code svg"))
        .await
        .expect("the QR code");
    let size = code.rectangle().await.unwrap();
    assert!(size.2 >= 200.0 && size.2 <= 390.0, "QR width {}", size.2);
    assert!(text(&c, "#plan-inspectors").await.contains("执法证号"));
    let url = c
        .find(Locator::Css("#check-in-code"))
        .await
        .unwrap()
        .attr("data-url")
        .await
        .unwrap()
        .expect("the code's URL");
    assert!(url.contains("/e/check-in?token="));
    if sqlite {
        shot(&c, "field-task").await;
    }

    // The enterprise signs up on its own phone (a fresh session).
    c.delete_all_cookies().await.unwrap();
    let (uscc, name): (String, String) = {
        let r = app
            .db
            .clone()
            .fetch_one(
                "SELECT uscc, name FROM enterprises WHERE id = $1",
                yici_store::args![enterprise],
            )
            .await
            .unwrap();
        (r.get("uscc").unwrap(), r.get("name").unwrap())
    };
    c.goto(&app.url("/e/signup")).await.unwrap();
    fill(&c, "#uscc", &uscc).await;
    fill(&c, "#enterprise_name", "名称不对有限公司").await;
    fill(&c, "#mobile", "13912345678").await;
    fill(&c, "#password", ENTERPRISE_PASSWORD).await;
    fill(&c, "#repeat_password", ENTERPRISE_PASSWORD).await;
    click(&c, "#signup").await;
    assert!(text(&c, "#err-enterprise_name").await.contains("不一致"));
    if sqlite {
        shot(&c, "field-signup").await;
    }
    fill(&c, "#enterprise_name", &name).await;
    fill(&c, "#password", ENTERPRISE_PASSWORD).await;
    fill(&c, "#repeat_password", ENTERPRISE_PASSWORD).await;
    click(&c, "#signup").await;
    wait_path(&c, "/e").await;
    assert_eq!(text(&c, "#enterprise-name").await, name);
    assert!(text(&c, "#no-inspections").await.contains("暂无"));

    // It opens the code's link: genuine, with the plan; it confirms.
    c.goto(&url).await.unwrap();
    assert!(text(&c, "#verdict").await.contains("真实有效"));
    assert_eq!(text(&c, "#plan-enterprise").await, name);
    assert_eq!(text(&c, "#plan-initiator").await, "大气股");
    if sqlite {
        shot(&c, "field-check-in-genuine").await;
    }
    click(&c, "#confirm").await;
    assert!(text(&c, "#confirmed").await.contains("已确认"));
    if sqlite {
        shot(&c, "field-check-in-confirmed").await;
    }
    c.goto(&app.url("/e")).await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(&format!(".inspection[data-task='{task}']")))
        .await
        .expect("the visit in the history");
    if sqlite {
        shot(&c, "field-enterprise-home").await;
    }

    // Half an hour later the same code is stale.
    app.clock.advance(chrono::Duration::minutes(31));
    c.goto(&url).await.unwrap();
    assert!(text(&c, "#verdict").await.contains("已过期"));
    assert!(c.find(Locator::Css("#plan")).await.is_err());
    if sqlite {
        shot(&c, "field-check-in-expired").await;
    }
    // A tampered one is invalid.
    c.goto(&url.replacen(&format!("v1.{task}."), &format!("v1.{}.", task + 1), 1))
        .await
        .unwrap();
    assert!(text(&c, "#verdict").await.contains("无效"));
    if sqlite {
        shot(&c, "field-check-in-invalid").await;
    }
    c.close().await.unwrap();
}
