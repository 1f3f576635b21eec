//! Headless Chromium for the browser tests: chromedriver on a free port, a
//! Chromium session at 1920×1080 (tests switch to 390×844 for phones), and
//! the small steps every test takes — fill, click, wait for a page, log in,
//! screenshots into `target/screenshots/` to be looked at.
//!
//! The browser tests share one process with every other test: each starts a
//! chromedriver of its own, on a port chosen while no other test of the
//! process is choosing one, and at most [`AT_ONCE`] of them drive a browser
//! at the same time (the rest of the suite runs beside them).

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::{TestApp, INITIAL, NEW_PASSWORD};

/// Browser tests that drive Chromium at the same time. Chromium is heavy: on
/// a small machine more at once made the tests' five-second waits run out.
pub const AT_ONCE: usize = 2;

static BROWSERS: Semaphore = Semaphore::const_new(AT_ONCE);

/// Held from choosing a free port until chromedriver listens on it, so that
/// two tests of this process never pick the same one.
static STARTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running chromedriver, and this test's turn among the browser tests.
pub struct Driver {
    child: Child,
    port: u16,
    _turn: SemaphorePermit<'static>,
}

impl Drop for Driver {
    /// Ends chromedriver and every Chromium it started: they share its
    /// process group (see [`chromedriver`]). Killing chromedriver alone left
    /// its browsers running — hundreds after a few suite runs, filling memory.
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for a turn, then starts chromedriver on a free port and returns
/// once it accepts connections there.
pub async fn chromedriver() -> Driver {
    let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} not found: install Debian's chromium and chromium-driver (scripts/test does)"
    );
    let turn = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let _starting = STARTING.lock().await;
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // A process group of its own, inherited by the browsers it starts,
        // so that Drop can end them all at once.
        let mut child = Command::new(&path)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        for _ in 0..100 {
            let listening = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok();
            // Exited: another process took the port meanwhile; try another.
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if listening {
                return Driver {
                    child,
                    port,
                    _turn: turn,
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("chromedriver did not start");
}

pub async fn browser(driver: &Driver) -> Client {
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

pub async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots_dir().join(format!("{name}.png")), png).unwrap();
}

pub async fn fill(c: &Client, css: &str, text: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

pub async fn click(c: &Client, css: &str) {
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
pub async fn wait_path(c: &Client, expected: &str) {
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
/// An element found on the page being left goes stale before its text is
/// read: it is then looked up again on the new page.
pub async fn text(c: &Client, css: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if let Ok(text) = e.text().await {
                return text;
            }
        }
        if std::time::Instant::now() > deadline {
            panic!(
                "{css} not found on {}:\n{}",
                c.current_url().await.unwrap(),
                c.source().await.unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the element's text contains `needle` (the page before a
/// click may still show an element of the same name) and returns the text.
pub async fn text_containing(c: &Client, css: &str, needle: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let found = text(c, css).await;
        if found.contains(needle) {
            return found;
        }
        if std::time::Instant::now() > deadline {
            panic!("{css} reads “{found}”, not “{needle}”");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

/// Logs in on the login page and gets past the forced password change.
pub async fn log_in(c: &Client, app: &TestApp, login: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    fill(c, "#login", login).await;
    fill(c, "#password", INITIAL).await;
    click(c, ".login-box button[type=submit]").await;
    wait_path(c, "/password").await;
    fill(c, "input[name=old_password]", INITIAL).await;
    fill(c, "input[name=new_password]", NEW_PASSWORD).await;
    fill(c, "input[name=repeat_password]", NEW_PASSWORD).await;
    click(c, "#submit").await;
    wait_path(c, "/").await;
}

/// Logs in again with the changed password (no forced change this time).
pub async fn log_in_again(c: &Client, app: &TestApp, login: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    fill(c, "#login", login).await;
    fill(c, "#password", NEW_PASSWORD).await;
    click(c, ".login-box button[type=submit]").await;
    wait_path(c, "/").await;
}

pub async fn scroll_to(c: &Client, css: &str) {
    c.execute(
        "document.querySelector(arguments[0]).scrollIntoView()",
        vec![json!(css)],
    )
    .await
    .unwrap();
}
