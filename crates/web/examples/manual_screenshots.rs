//! The screenshots of `docs/使用说明.md`: a fresh SQLite database with the
//! demo data set (what `yici demo` loads), the server on a free port, and
//! headless Chromium walking the whole chain as its users would — the
//! system administrator, the branch's 办公室 secretary account, 大气股 (who
//! extracts and drafts), 水股 (who joins), the department head who signs,
//! the unit head who approves, the office clerk who numbers and releases,
//! the inspector on the phone, the enterprise on its phone, the public.
//!
//! ```sh
//! cargo run -p yici-web --example manual_screenshots            # into docs/使用说明/
//! cargo run -p yici-web --example manual_screenshots -- DIR     # elsewhere
//! ```
//!
//! Needs Debian's `chromium` and `chromium-driver` (`CHROMEDRIVER` and
//! `CHROMIUM` override their paths). The clock is a hand-driven one that
//! starts on Monday 2025-06-02 09:00 in Shanghai, so the pictures show the
//! same dates at every run; the random draws differ (their seeds come from
//! the OS), which is what the product promises.
//!
//! The walk stops at the first step that does not go as a user would see it
//! (an error page, a missing button): the manual's pictures must show the
//! product working, so a broken step is reported rather than photographed.

use std::collections::HashSet;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use chrono::{NaiveDate, TimeZone, Utc};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use yici_domain::time::{business_date, Clock, ManualClock};
use yici_store::{Db, Exec};
use yici_web::{AppState, WebConfig};

/// What the demo's accounts change their initial password to.
const PASSWORD: &str = "Yutian@2025a";
/// The enterprise's own password, chosen at sign-up.
const ENTERPRISE_PASSWORD: &str = "Qiye@2025x";
const DESKTOP: (u32, u32) = (1920, 1080);
const PHONE: (u32, u32) = (390, 844);
const LAPTOP: (u32, u32) = (1366, 768);
/// Full-page pictures stop here: a longer page is cut (the manual shows its top).
const MAX_HEIGHT: u32 = 2400;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/使用说明"))
        });
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let out = out.canonicalize()?;
    let work = std::env::temp_dir().join(format!("yici-manual-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let result = run(&out, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn run(out: &Path, work: &Path) -> Result<()> {
    let clock = Arc::new(ManualClock::new(
        // 2025-06-02 09:00 in Shanghai: a Monday of the plan's implementation phase.
        Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap(),
    ));
    let db = Db::connect(&format!("sqlite:{}", work.join("yici.db").display())).await?;
    yici_store::migrate::run(&db).await?;
    println!("载入演示数据……");
    let demo = load_demo(&db, clock.as_ref()).await?;
    let config = WebConfig {
        evidence_dir: work.join("evidence"),
        // As `yici demo` runs: the audit chain's head sealed with a key (AUDIT-2).
        audit_seal: Some(yici_web::state::AuditSealing {
            key: yici_domain::audit::seal::SealKey::new(yici_web::state::random_check_in_key())
                .map_err(|e| anyhow!(e))?,
            every: Duration::from_secs(600),
        }),
        ..WebConfig::default()
    };
    let state = AppState::new(db.clone(), clock.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(yici_web::serve(listener, state, std::future::pending()));
    println!("服务已启动：{base}");

    let driver = Chromedriver::start().await?;
    let client = driver.browser().await?;
    let mut w = Walk {
        c: client,
        base,
        db,
        clock,
        out: out.to_path_buf(),
        work: work.to_path_buf(),
        changed: HashSet::new(),
        shots: 0,
        window: DESKTOP,
        frame: (0, 0),
    };
    w.size(DESKTOP).await?;
    let outcome = walk(&mut w, &demo).await;
    if outcome.is_err() {
        // The page the walk stopped on, for whoever reads the error.
        let _ = w.shot_to(&w.work.join("failed.png"), false).await;
        if let Ok(url) = w.c.current_url().await {
            eprintln!("停在：{url}");
        }
        let failed = out.join("failed.png");
        let _ = std::fs::copy(w.work.join("failed.png"), &failed);
        eprintln!("出错时的页面：{}", failed.display());
    }
    let _ = w.c.clone().close().await;
    outcome?;
    println!("{} 张截图已保存到 {}", w.shots, out.display());
    Ok(())
}

/// Who the walk logs in as, read from the demo data after it is loaded.
struct Demo {
    yutian: i64,
    /// 大气股's people (mobile = login) in id order: the first heads it.
    air: Vec<Person>,
    /// 办公室: the unit head, the deputy, the clerk.
    office: Vec<Person>,
    /// A person of 土壤股 whose account the walk locks and unlocks.
    soil: Person,
    air_department: i64,
    water_department: i64,
}

#[derive(Clone)]
struct Person {
    id: i64,
    mobile: String,
}

/// Loads the demo as `yici demo` does: the organisation, the registry, the
/// demo tasks, 水股's scheduled visits and its submitted result.
async fn load_demo(db: &Db, clock: &ManualClock) -> Result<Demo> {
    let now = clock.now();
    yici_demo::load(
        db,
        now,
        yici_domain::org::password::DEFAULT_INITIAL_PASSWORD,
    )
    .await?;
    yici_demo::load_enterprises(db, now, yici_demo::DEFAULT_ENTERPRISES).await?;
    yici_demo::load_tasks(db, now).await?;
    if let Some(f) = yici_demo::field::schedule_demo_tasks(db, now).await? {
        yici_demo::field::visit_demo_task(db, now, &f).await?;
    }
    let mut conn = db.clone();
    let yutian = conn
        .scalar_i64(
            "SELECT id FROM units WHERE short_name = '玉田县分局'",
            vec![],
        )
        .await?;
    let department = |name: &'static str| {
        let mut conn = db.clone();
        async move {
            conn.scalar_i64(
                "SELECT id FROM departments WHERE unit_id = $1 AND name = $2",
                yici_store::args![yutian, name],
            )
            .await
            .with_context(|| format!("department {name}"))
        }
    };
    let air_department = department("大气股").await?;
    let water_department = department("水股").await?;
    let soil_department = department("土壤股").await?;
    let office_department = department("办公室").await?;
    let people = |d: i64| {
        let mut conn = db.clone();
        async move {
            conn.fetch_all(
                "SELECT id, mobile FROM people WHERE department_id = $1 ORDER BY id",
                yici_store::args![d],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Person {
                    id: r.get("id")?,
                    mobile: r.get("mobile")?,
                })
            })
            .collect::<Result<Vec<_>>>()
        }
    };
    Ok(Demo {
        yutian,
        air: people(air_department).await?,
        office: people(office_department).await?,
        soil: people(soil_department).await?[1].clone(),
        air_department,
        water_department,
    })
}

/// The browser and what the walk keeps between its steps.
struct Walk {
    c: Client,
    base: String,
    db: Db,
    clock: Arc<ManualClock>,
    out: PathBuf,
    work: PathBuf,
    /// Logins past the forced change of the initial password.
    changed: HashSet<String>,
    shots: usize,
    /// The window's size as last set: a full-page picture puts it back.
    window: (u32, u32),
    /// What the browser's frame adds to the viewport, across and down.
    frame: (u32, u32),
}

/// Whether a picture shows the whole page or the window only.
#[derive(Clone, Copy, PartialEq)]
enum Frame {
    Window,
    Page,
}
use Frame::{Page, Window};

impl Walk {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn goto(&self, path: &str) -> Result<()> {
        self.c.goto(&self.url(path)).await?;
        self.check_page().await
    }

    /// An error page is no picture for the manual: stop and say so.
    async fn check_page(&self) -> Result<()> {
        let title = self.c.title().await.unwrap_or_default();
        if ["系统出错", "页面或记录不存在", "无权进行此操作"]
            .iter()
            .any(|t| title.contains(t))
        {
            bail!(
                "{} 显示错误页：{title}",
                self.c.current_url().await?.as_str()
            );
        }
        Ok(())
    }

    /// Sets the page's viewport to `w`×`h`: the window is that much larger
    /// as the browser's own frame takes (headless Chromium keeps one).
    async fn size(&mut self, (w, h): (u32, u32)) -> Result<()> {
        self.c.set_window_size(w, h).await?;
        let inner = self
            .js("return [window.innerWidth, window.innerHeight]", vec![])
            .await?;
        let (iw, ih) = (
            inner[0].as_u64().unwrap_or(w as u64) as u32,
            inner[1].as_u64().unwrap_or(h as u64) as u32,
        );
        self.frame = (w.saturating_sub(iw), h.saturating_sub(ih));
        self.window = (w + self.frame.0, h + self.frame.1);
        if self.frame != (0, 0) {
            self.c.set_window_size(self.window.0, self.window.1).await?;
        }
        Ok(())
    }

    /// Moves the clock on: the pages' times read as a working day's.
    fn later(&self, minutes: i64) {
        self.clock.advance(chrono::Duration::minutes(minutes));
    }

    fn today(&self) -> NaiveDate {
        business_date(self.clock.now())
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.c.execute(script, args).await?)
    }

    /// Waits for an element to be there (a click that navigates returns early).
    async fn find(&self, css: &str) -> Result<fantoccini::elements::Element> {
        self.c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| anyhow!("{css} 不在页面上（{e}）"))
    }

    async fn click(&self, css: &str) -> Result<()> {
        self.find(css)
            .await?
            .click()
            .await
            .with_context(|| format!("点击 {css}"))?;
        Ok(())
    }

    /// Ticks a radio button or box that the page styles as a segment (the
    /// input itself is hidden behind its label).
    async fn check(&self, css: &str) -> Result<()> {
        self.find(css).await?;
        self.js(
            "document.querySelector(arguments[0]).click(); return true",
            vec![json!(css)],
        )
        .await?;
        Ok(())
    }

    /// Clicks a button that asks 确定…？ first (`data-confirm`), answering yes.
    async fn click_confirmed(&self, css: &str) -> Result<()> {
        self.js("window.confirm = function () { return true; }", vec![])
            .await?;
        self.click(css).await
    }

    async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let e = self.find(css).await?;
        e.clear().await?;
        e.send_keys(text).await?;
        Ok(())
    }

    /// Sets a field's value directly (date fields follow the browser's locale when typed into).
    async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        self.find(css).await?;
        self.js(
            "document.querySelector(arguments[0]).value = arguments[1]",
            vec![json!(css), json!(value)],
        )
        .await?;
        Ok(())
    }

    async fn select(&self, css: &str, value: &str) -> Result<()> {
        self.find(css)
            .await?
            .select_by_value(value)
            .await
            .with_context(|| format!("{css} 选择 {value}"))?;
        Ok(())
    }

    async fn text(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    async fn path(&self) -> Result<String> {
        Ok(self.c.current_url().await?.path().to_string())
    }

    /// Waits until the browser is on `expected`, then checks the page.
    async fn wait_path(&self, expected: &str) -> Result<()> {
        for _ in 0..200 {
            if self.path().await? == expected {
                return self.check_page().await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("仍在 {}，而不是 {expected}", self.path().await?)
    }

    /// Waits until the element's text contains `needle`.
    async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        let mut last = String::new();
        for _ in 0..200 {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                if let Ok(t) = e.text().await {
                    if t.contains(needle) {
                        return Ok(t);
                    }
                    last = t;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.check_page().await?;
        bail!("{css} 显示“{last}”，不含“{needle}”")
    }

    /// Waits until a script in the page answers true.
    async fn until(&self, script: &str, what: &str) -> Result<()> {
        for _ in 0..200 {
            if self.js(script, vec![]).await? == json!(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("等待超时：{what}")
    }

    async fn scroll_to(&self, css: &str) -> Result<()> {
        self.find(css).await?;
        self.js(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'start'}); return true",
            vec![json!(css)],
        )
        .await?;
        Ok(())
    }

    /// Logs in on the login page as a new session: the first time through
    /// the forced change of the initial password, later with the new one.
    async fn log_in(&mut self, login: &str) -> Result<()> {
        self.log_in_showing(login, None).await
    }

    /// [`Walk::log_in`], photographing the forced password change as `shot`.
    async fn log_in_showing(&mut self, login: &str, shot: Option<&str>) -> Result<()> {
        self.c.delete_all_cookies().await?;
        self.goto("/login").await?;
        let first = !self.changed.contains(login);
        self.fill("#login", login).await?;
        let password = if first {
            yici_domain::org::password::DEFAULT_INITIAL_PASSWORD
        } else {
            PASSWORD
        };
        self.fill("#password", password).await?;
        self.click(".login-box button[type=submit]").await?;
        if first {
            self.wait_path("/password").await?;
            self.fill("input[name=old_password]", password).await?;
            self.fill("input[name=new_password]", PASSWORD).await?;
            self.fill("input[name=repeat_password]", PASSWORD).await?;
            if let Some(name) = shot {
                self.shot(name, Window).await?;
            }
            self.click("#submit").await?;
            self.changed.insert(login.to_string());
        }
        self.wait_path("/").await
    }

    /// The enterprise logs in with its USCC (its own password from sign-up).
    async fn log_in_enterprise(&self, uscc: &str) -> Result<()> {
        self.c.delete_all_cookies().await?;
        self.goto("/login").await?;
        self.fill("#login", uscc).await?;
        self.fill("#password", ENTERPRISE_PASSWORD).await?;
        self.click(".login-box button[type=submit]").await?;
        self.wait_path("/e").await
    }

    /// Saves a picture as `docs/使用说明/<name>.png`.
    async fn shot(&mut self, name: &str, frame: Frame) -> Result<()> {
        // Fonts and the page script settle (charts, restored drafts).
        tokio::time::sleep(Duration::from_millis(250)).await;
        let file = self.out.join(format!("{name}.png"));
        self.shot_to(&file, frame == Page).await?;
        self.shots += 1;
        println!("  {name}.png");
        Ok(())
    }

    /// A full page is photographed by making the window as tall as the page
    /// (up to [`MAX_HEIGHT`]), then putting it back.
    async fn shot_to(&self, file: &Path, full: bool) -> Result<()> {
        let (w, h) = self.window;
        let mut resized = false;
        if full {
            let height = self
                .js(
                    "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)",
                    vec![],
                )
                .await?
                .as_u64()
                .unwrap_or(h as u64) as u32;
            if height + self.frame.1 > h {
                self.c
                    .set_window_size(w, height.min(MAX_HEIGHT) + self.frame.1)
                    .await?;
                tokio::time::sleep(Duration::from_millis(200)).await;
                resized = true;
            }
        }
        let png = self.c.screenshot().await?;
        if resized {
            self.c.set_window_size(w, h).await?;
        }
        std::fs::write(file, png).with_context(|| format!("writing {}", file.display()))?;
        Ok(())
    }

    async fn scalar(&self, sql: &str, args: Vec<yici_store::Arg>) -> Result<i64> {
        Ok(self.db.clone().scalar_i64(sql, args).await?)
    }
}

/// The whole chain, in the order the manual tells it.
async fn walk(w: &mut Walk, demo: &Demo) -> Result<()> {
    public_and_admin(w, demo).await?;
    unit_admin(w, demo).await?;
    let task = extraction(w, demo).await?;
    joint(w, task).await?;
    documents(w, demo, task).await?;
    // The visit day, 09:00: the day after the settings.
    w.clock
        .set(Utc.with_ymd_and_hms(2025, 6, 3, 1, 0, 0).unwrap());
    let enterprise = field_visit(w, demo, task).await?;
    follow_up(w, demo, task, &enterprise).await?;
    leaders(w, demo, task).await?;
    enterprise_accounts(w).await?;
    admin_last(w).await?;
    Ok(())
}

/// 登录, the first login's forced password change, the system administrator.
async fn public_and_admin(w: &mut Walk, demo: &Demo) -> Result<()> {
    println!("系统管理员");
    // The login page's gradient compresses badly: a laptop's screen keeps
    // the picture small.
    w.size(LAPTOP).await?;
    w.goto("/login").await?;
    w.shot("01-login", Window).await?;
    w.size(PHONE).await?;
    w.goto("/login").await?;
    w.shot("02-login-phone", Window).await?;
    w.size(DESKTOP).await?;
    w.log_in_showing("admin", Some("03-password-change"))
        .await?;
    w.shot("04-home-admin", Window).await?;
    w.goto("/org").await?;
    w.shot("05-org", Window).await?;
    w.goto(&format!("/org/units/{}", demo.yutian)).await?;
    w.shot("06-org-unit", Page).await?;
    Ok(())
}

/// The branch's 办公室 secretary account: people, roles, a locked account.
async fn unit_admin(w: &mut Walk, demo: &Demo) -> Result<()> {
    println!("单位管理员（办公室文秘账号）");
    // A person of 土壤股 mistypes the password five times: the account locks.
    w.size(PHONE).await?;
    w.c.delete_all_cookies().await?;
    for _ in 0..5 {
        w.goto("/login").await?;
        w.fill("#login", &demo.soil.mobile).await?;
        w.fill("#password", "Wrong@12345").await?;
        w.click(".login-box button[type=submit]").await?;
        w.find("#login-error").await?;
    }
    w.goto("/login").await?;
    w.fill("#login", &demo.soil.mobile).await?;
    w.fill(
        "#password",
        yici_domain::org::password::DEFAULT_INITIAL_PASSWORD,
    )
    .await?;
    w.click(".login-box button[type=submit]").await?;
    w.wait_text("#login-error", "锁定").await?;
    w.shot("07-login-locked", Window).await?;
    w.size(DESKTOP).await?;
    w.later(5);

    w.log_in("tssytx_bg").await?;
    w.shot("08-home-unit-admin", Window).await?;
    w.goto(&format!("/people?department_id={}", demo.air_department))
        .await?;
    w.shot("09-people", Page).await?;
    w.goto(&format!("/people/{}", demo.soil.id)).await?;
    w.wait_text("#lock-state", "已锁定").await?;
    w.scroll_to("#account").await?;
    w.shot("10-person-locked", Window).await?;
    w.click("#unlock").await?;
    w.wait_text("#lock-state", "正常").await?;
    w.scroll_to("#account").await?;
    w.shot("11-person-unlocked", Window).await?;
    w.later(10);
    Ok(())
}

/// 大气股's secretary account: plans, the registry, 定向抽取 and 随机抽取,
/// the settings of the directed task. Returns that task.
async fn extraction(w: &mut Walk, demo: &Demo) -> Result<i64> {
    println!("处室文秘账号：计划、企业库、抽取、设置");
    w.log_in("tssytx_dq").await?;
    w.shot("12-home-secretary", Window).await?;
    w.goto("/plans").await?;
    w.shot("13-plans", Window).await?;

    // 一企一档: the list, a key enterprise of Yutian and its tabs.
    w.goto("/enterprises").await?;
    w.shot("14-enterprises", Window).await?;
    let key = w
        .scalar(
            "SELECT id FROM enterprises WHERE region_code = '130229' AND category = 'key'
                AND status = 'normal' ORDER BY id LIMIT 1 OFFSET 3",
            vec![],
        )
        .await?;
    w.goto(&format!("/enterprises/{key}")).await?;
    w.find("#basic").await?;
    w.shot("15-enterprise-profile", Page).await?;

    // 企业导入: a file with a good and a bad row, and the report.
    w.goto("/enterprises/import").await?;
    w.shot("16-import", Window).await?;
    let good = {
        let first17 = "91130229MA0BRW0XY";
        let check = yici_domain::registry::uscc::check_char(first17)
            .ok_or_else(|| anyhow!("check character"))?;
        format!("{first17}{check}")
    };
    let csv = w.work.join("qiye-minglu.csv");
    std::fs::write(
        &csv,
        format!(
            "排污单位名称,统一社会信用代码,地址,行业代码,行政区划代码\n\
             玉田县示例机械制造有限公司,{good},玉田县无终西街1号,3110,130229\n\
             代码有误的公司,123,玉田县无终西街2号,3110,130229\n"
        ),
    )?;
    w.find("input[type=file]")
        .await?
        .send_keys(csv.to_str().unwrap_or_default())
        .await?;
    w.click("#submit").await?;
    w.wait_text("#summary", "未导入 1 行").await?;
    w.shot("17-import-report", Page).await?;
    w.later(10);

    // 定向抽取 in 玉田县. The demo's 水股 and 固废股 have both extracted one
    // enterprise: it is red (the unit's two a year are used up).
    let red: String =
        w.db.clone()
            .fetch_one(
                "SELECT e.name FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
              GROUP BY e.id, e.name HAVING COUNT(DISTINCT t.department_id) >= 2
              ORDER BY e.id LIMIT 1",
                vec![],
            )
            .await?
            .get("name")?;
    w.goto("/tasks").await?;
    w.click("#directed").await?;
    w.wait_path("/tasks/directed").await?;
    w.fill("#search input[name=keyword]", &red).await?;
    w.click("#search-submit").await?;
    w.find("#marked tbody tr[data-mark=red]").await?;
    w.shot("18-directed-capped", Window).await?;
    w.goto("/tasks/directed").await?;
    w.select("#search select[name=region_code]", "130229")
        .await?;
    w.click("#search-submit").await?;
    w.until(
        "var f = document.querySelector('#extract input[name=filter]'); return !!f && f.value.indexOf('130229') >= 0",
        "定向抽取的查询结果",
    )
    .await?;
    w.shot("19-directed", Window).await?;
    let first = w
        .find("#marked tbody tr.mark-none input[name=enterprise_id]:not([disabled])")
        .await?;
    let enterprise: i64 = first
        .attr("value")
        .await?
        .ok_or_else(|| anyhow!("enterprise id"))?
        .parse()?;
    first.click().await?;
    w.click("#source option[value='routine']").await?;
    w.click("#confirm").await?;
    w.wait_path("/tasks").await?;
    w.wait_text("#notice", "已抽取1家企业").await?;
    let task = w
        .scalar(
            "SELECT MAX(id) FROM tasks WHERE enterprise_id = $1 AND department_id = $2",
            yici_store::args![enterprise, demo.air_department],
        )
        .await?;
    w.later(5);

    // 随机抽取 of two, from the county's enterprises: the candidates first.
    w.click("#random").await?;
    w.wait_path("/tasks/random").await?;
    w.fill("#count", "2").await?;
    w.shot("20-random", Page).await?;
    w.click("#draw").await?;
    w.wait_path("/tasks/random/confirm").await?;
    w.find("#candidate-count").await?;
    w.shot("21-random-confirm", Page).await?;
    w.click("#confirm-draw").await?;
    w.wait_path("/tasks").await?;
    w.wait_text("#notice", "已抽取2家企业").await?;
    w.shot("22-random-done", Window).await?;
    // The same list on a phone: the table turns into cards.
    w.size(PHONE).await?;
    w.c.refresh().await?;
    w.find("#tasks").await?;
    w.shot("22-random-done-phone", Window).await?;
    w.size(DESKTOP).await?;
    w.click("#notice-draw").await?;
    w.until(
        "return location.pathname.indexOf('/draws/') === 0",
        "抽取记录",
    )
    .await?;
    w.wait_text("#verification", "复核一致").await?;
    w.shot("23-draw-record", Page).await?;
    w.later(5);

    // 设置: the directed task's date (tomorrow) and two of 大气股's officers.
    w.goto("/tasks?view=initiated").await?;
    w.click(&format!("#tasks tbody tr[data-id='{task}'] a.op-set"))
        .await?;
    w.wait_path("/tasks/settings").await?;
    let tomorrow = (w.today() + chrono::Duration::days(1)).to_string();
    w.set_value("#planned_on", &tomorrow).await?;
    for p in &demo.air[1..3] {
        w.click(&format!(
            "#settings-form input[name=inspector_id][value='{}']",
            p.id
        ))
        .await?;
    }
    w.shot("24-task-settings", Page).await?;
    w.click("#settings-submit").await?;
    w.wait_path("/tasks").await?;
    w.wait_text("#notice", "已设置1个任务").await?;
    w.goto(&format!("/tasks/{task}")).await?;
    w.wait_text("#joint-status", "待其他处室确认").await?;
    w.shot("25-task-detail", Page).await?;
    w.size(PHONE).await?;
    w.c.refresh().await?;
    w.find("#task").await?;
    w.shot("25-task-detail-phone", Window).await?;
    w.size(DESKTOP).await?;
    w.later(20);
    Ok(task)
}

/// 水股 is told of the task and joins it with one of its officers.
async fn joint(w: &mut Walk, task: i64) -> Result<()> {
    println!("联合检查：水股参与确认");
    w.log_in("tssytx_s").await?;
    w.find("#notices").await?;
    w.shot("26-home-invited", Window).await?;
    w.goto("/sms/outbox").await?;
    w.goto("/tasks?view=may_join").await?;
    w.click(&format!("#tasks tbody tr[data-id='{task}'] a.op-join"))
        .await?;
    w.wait_path(&format!("/tasks/{task}")).await?;
    w.click("#participate-form input[name=join][value=true]")
        .await?;
    w.click(
        "#participate-form .pick-group[data-group=own] input[name=inspector_id]:not([disabled])",
    )
    .await?;
    w.scroll_to("#participate").await?;
    w.shot("27-participate", Window).await?;
    w.click("#participate-submit").await?;
    w.wait_text("#notice", "已确认参加").await?;
    w.scroll_to("#joint-panel").await?;
    w.shot("28-joint", Window).await?;
    w.later(15);
    Ok(())
}

/// Clicks a workflow button of a document and waits for its notice.
async fn act(w: &Walk, form: &str) -> Result<String> {
    w.click(&format!("#{form} button[type=submit]")).await?;
    let done = format!("done={}", form.trim_start_matches("act-"));
    w.until(
        &format!("return location.search.indexOf('{done}') >= 0"),
        &format!("文书操作 {form}"),
    )
    .await?;
    w.check_page().await?;
    w.text("#doc-status").await
}

/// Drafts a document of `kind` from the task page; its path.
async fn draft(w: &Walk, task: i64, kind: &str) -> Result<String> {
    w.goto(&format!("/tasks/{task}")).await?;
    w.select("#draft-document select[name=kind]", kind).await?;
    w.click("#draft-document button[type=submit]").await?;
    w.until(
        "return location.pathname.indexOf('/documents/') === 0",
        "文书编辑页",
    )
    .await?;
    w.wait_text("#doc-status", "草稿").await?;
    w.path().await
}

/// 审批表: drafted, signed by the 股长, approved by the branch head,
/// numbered by the office; then the 通知书, numbered and served.
async fn documents(w: &mut Walk, demo: &Demo, task: i64) -> Result<()> {
    println!("文书：审批表、通知书、送达");
    w.log_in("tssytx_dq").await?;
    let approval = draft(w, task, "approval_form").await?;
    w.fill(
        "textarea[name=items]",
        "排污许可证执行情况；大气污染防治设施运行情况；重污染天气应急减排措施落实情况；污水处理设施运行情况",
    )
    .await?;
    w.click("#save-document").await?;
    w.wait_text("#notice", "文书已保存").await?;
    w.shot("29-approval-draft", Page).await?;
    let status = act(w, "act-submit").await?;
    if status != "待承办机构负责人审批" {
        bail!("审批表提交后：{status}");
    }
    w.later(20);

    // 大气股's head signs.
    w.log_in(&demo.air[0].mobile).await?;
    w.shot("30-home-department-head", Window).await?;
    w.size(PHONE).await?;
    w.c.refresh().await?;
    w.find("#todo-list").await?;
    w.shot("30-home-department-head-phone", Window).await?;
    w.size(DESKTOP).await?;
    w.goto("/documents").await?;
    w.wait_text("#inbox", "行政检查审批表").await?;
    w.shot("31-documents-inbox", Window).await?;
    w.goto(&approval).await?;
    w.fill("#act-sign_department_head input[name=opinion]", "同意检查")
        .await?;
    w.scroll_to("#workflow").await?;
    w.shot("32-approval-sign", Window).await?;
    act(w, "act-sign_department_head").await?;
    w.later(30);

    // The branch head approves.
    w.log_in(&demo.office[0].mobile).await?;
    w.shot("33-home-unit-head", Window).await?;
    w.goto(&approval).await?;
    w.scroll_to("#workflow").await?;
    act(w, "act-approve_unit_head").await?;
    w.later(15);

    // The office numbers and stamps it; the register shows the run.
    w.log_in(&demo.office[2].mobile).await?;
    w.shot("34-home-office", Window).await?;
    w.goto(&approval).await?;
    act(w, "act-number").await?;
    w.find("#doc-number").await?;
    w.shot("35-approval-numbered", Page).await?;
    w.goto("/documents/register?kind=approval_form&year=2025")
        .await?;
    w.shot("36-register", Window).await?;
    w.later(10);

    // The notice: drafted and submitted by 大气股, numbered by the office, served.
    w.log_in("tssytx_dq").await?;
    let notice = draft(w, task, "inspection_notice").await?;
    act(w, "act-submit").await?;
    w.later(10);
    w.log_in(&demo.office[2].mobile).await?;
    w.goto(&notice).await?;
    act(w, "act-number").await?;
    w.later(30);
    w.log_in("tssytx_dq").await?;
    w.goto(&notice).await?;
    w.fill("#act-serve input[name=recipient]", "王建国（环保负责人）")
        .await?;
    w.fill(
        "#act-serve input[name=method_and_address]",
        "直接送达：企业办公楼",
    )
    .await?;
    w.scroll_to("#workflow").await?;
    w.shot("37-notice-serve", Window).await?;
    let status = act(w, "act-serve").await?;
    if status != "已送达" {
        bail!("通知书送达后：{status}");
    }
    w.goto(&format!("/tasks/{task}")).await?;
    w.wait_text("#procedure-summary", "手续齐全").await?;
    w.scroll_to("#documents-panel").await?;
    w.shot("38-task-documents", Window).await?;
    Ok(())
}

/// The task's inspectors (person id, mobile) of a department.
async fn inspectors_of(w: &Walk, task: i64, department: i64) -> Result<Vec<Person>> {
    w.db.clone()
        .fetch_all(
            "SELECT p.id, p.mobile FROM task_inspectors ti JOIN people p ON p.id = ti.person_id
              WHERE ti.task_id = $1 AND p.department_id = $2 ORDER BY p.id",
            yici_store::args![task, department],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Person {
                id: r.get("id")?,
                mobile: r.get("mobile")?,
            })
        })
        .collect()
}

/// The enterprise of a task: (USCC, contact mobile).
async fn enterprise_of(w: &Walk, task: i64) -> Result<(String, String, String)> {
    let r =
        w.db.clone()
            .fetch_one(
                "SELECT e.uscc, e.name, e.contact_phone FROM tasks t
               JOIN enterprises e ON e.id = t.enterprise_id WHERE t.id = $1",
                yici_store::args![task],
            )
            .await?;
    Ok((r.get("uscc")?, r.get("name")?, r.get("contact_phone")?))
}

/// The visit on the phones: the inspector's task list and 检查二维码, the
/// enterprise's sign-up and check-in, the result form. Returns the
/// enterprise's USCC (its login).
async fn field_visit(w: &mut Walk, demo: &Demo, task: i64) -> Result<String> {
    println!("手机执法端与企业端");
    let air = inspectors_of(w, task, demo.air_department).await?;
    let inspector = air
        .first()
        .ok_or_else(|| anyhow!("大气股检查人员"))?
        .clone();
    w.size(PHONE).await?;
    w.log_in(&inspector.mobile).await?;
    w.goto("/m").await?;
    w.find("#tab-todo").await?;
    w.shot("39-field-tasks", Window).await?;
    w.click(&format!("a.task-item[data-task='{task}']")).await?;
    w.wait_path(&format!("/m/tasks/{task}")).await?;
    let code = w.find("#check-in-code").await?;
    w.find("#check-in-code svg").await?;
    let check_in_url = code
        .attr("data-url")
        .await?
        .ok_or_else(|| anyhow!("二维码的链接"))?;
    w.shot("40-field-task", Page).await?;
    w.later(5);

    // The enterprise signs up on its own phone with a code sent to the
    // registry's contact mobile.
    let (uscc, name, mobile) = enterprise_of(w, task).await?;
    w.c.delete_all_cookies().await?;
    w.goto("/e/signup").await?;
    w.fill("#uscc", &uscc).await?;
    w.fill("#enterprise_name", &name).await?;
    w.shot("41-enterprise-signup", Window).await?;
    w.click("#send-code").await?;
    w.wait_path("/e/signup/verify").await?;
    let code = sign_up_code(w, &mobile).await?;
    w.fill("#code", &code).await?;
    w.fill("#password", ENTERPRISE_PASSWORD).await?;
    w.fill("#repeat_password", ENTERPRISE_PASSWORD).await?;
    w.shot("42-enterprise-signup-code", Window).await?;
    w.click("#signup").await?;
    w.wait_path("/e").await?;
    w.find("#enterprise-name").await?;
    w.shot("43-enterprise-home", Window).await?;

    // It scans the inspector's code: genuine, with the plan; it confirms.
    w.c.goto(&check_in_url).await?;
    w.wait_text("#verdict", "真实有效").await?;
    w.click("#confirm").await?;
    w.wait_text("#confirmed", "已确认").await?;
    w.shot("44-enterprise-checked-in", Window).await?;
    w.later(60);

    // 大气股's inspector: three items found wanting, a photo, 提交.
    w.log_in(&inspector.mobile).await?;
    submit_result(w, task, 3, true).await?;
    w.later(20);
    // 水股's inspector submits its part: one problem.
    let water = inspectors_of(w, task, demo.water_department).await?;
    let water = water
        .first()
        .ok_or_else(|| anyhow!("水股检查人员"))?
        .clone();
    w.log_in(&water.mobile).await?;
    submit_result(w, task, 1, false).await?;
    w.wait_text("#task-status", "已完成").await?;
    w.size(DESKTOP).await?;
    Ok(uscc)
}

/// The latest sign-up code the outbox holds for `mobile` (what the
/// enterprise reads on its phone; 短信发件箱 shows it in the demo).
async fn sign_up_code(w: &Walk, mobile: &str) -> Result<String> {
    let body: String =
        w.db.clone()
            .fetch_one(
                "SELECT body FROM sms_outbox WHERE template = 'sign_up_code' AND mobile = $1
              ORDER BY id DESC LIMIT 1",
                yici_store::args![mobile],
            )
            .await?
            .get("body")?;
    let at = body
        .find("验证码")
        .ok_or_else(|| anyhow!("短信里没有验证码：{body}"))?
        + "验证码".len();
    Ok(body[at..]
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect())
}

const PROBLEMS: [&str; 3] = [
    "1号锅炉脱硝设施氨水喷枪堵塞，现场运行记录显示近一周喷氨量明显偏低。",
    "原料堆场未完全封闭，西侧防风抑尘网破损约20米。",
    "重污染天气应急减排措施公示牌未更新，应急减排清单与现场不一致。",
];

/// Fills the result form on the phone: the first `problems` items answered
/// 是 (with a description), the next one 否; a photo when `photos`; 提交.
async fn submit_result(w: &mut Walk, task: i64, problems: usize, photos: bool) -> Result<()> {
    let page = format!("/m/tasks/{task}/result");
    w.goto(&page).await?;
    w.find("#result-form").await?;
    let items: Vec<String> = {
        let mut v = Vec::new();
        for e in w.c.find_all(Locator::Css("input[name=item]")).await? {
            if let Some(id) = e.attr("value").await? {
                if id.parse::<i64>().is_ok() {
                    v.push(id);
                }
            }
        }
        v
    };
    if items.len() <= problems {
        bail!("检查事项只有 {} 项", items.len());
    }
    for (i, item) in items.iter().take(problems + 1).enumerate() {
        w.click(&format!("input[name=item][value='{item}']"))
            .await?;
        if i < problems {
            w.click(&format!("input[name=problem_{item}][value=yes]"))
                .await?;
            let desc = if photos {
                PROBLEMS[i % PROBLEMS.len()]
            } else {
                "污水总排口标志牌缺失，规范化整治未完成。"
            };
            w.fill(&format!("textarea[name=desc_{item}]"), desc).await?;
        } else {
            w.click(&format!("input[name=problem_{item}][value=no]"))
                .await?;
        }
    }
    w.fill(
        "#onsite_findings",
        if photos {
            "企业正常生产。发现脱硝设施、原料堆场和重污染天气应急减排三方面问题，已当场告知企业负责人，将下发整改通知。"
        } else {
            "污水处理站运行正常，总排口标志牌缺失，需整改。"
        },
    )
    .await?;
    w.wait_text("#draft-status", "草稿已保存").await?;
    if photos {
        w.js("window.scrollTo(0, 0); return true", vec![]).await?;
        w.shot("45-field-result", Page).await?;
        let photo = w.work.join("xianchang.png");
        std::fs::write(&photo, site_photo())?;
        w.find("#photo-input")
            .await?
            .send_keys(photo.to_str().unwrap_or_default())
            .await?;
        w.until(
            "return document.querySelectorAll('#photos .rf-photo[data-id] input[name=evidence_ids]').length === 1",
            "照片上传",
        )
        .await?;
        w.scroll_to("#photos").await?;
        w.shot("46-field-result-photo", Window).await?;
    }
    w.click("#confirm-final").await?;
    w.click("#submit-result").await?;
    w.find("#result-readonly").await?;
    w.wait_path(&page).await?;
    if photos {
        w.js("window.scrollTo(0, 0); return true", vec![]).await?;
        w.shot("47-field-result-submitted", Window).await?;
    }
    Ok(())
}

/// A small picture standing for the site photo: a PNG made here (no image
/// library needed), a grey field with a darker band.
fn site_photo() -> Vec<u8> {
    const W: u32 = 64;
    const H: u32 = 48;
    let mut raw = Vec::new();
    for y in 0..H {
        raw.push(0); // filter: none
        for x in 0..W {
            let band = (x + y) % 16 < 4;
            let v = if band { 0x70 } else { 0xa8 + (y as u8) };
            raw.extend_from_slice(&[v, v, v.saturating_add(8)]);
        }
    }
    // A stored (uncompressed) zlib stream: blocks of at most 65,535 bytes.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&W.to_be_bytes());
    ihdr.extend_from_slice(&H.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// Results on the task page, 整改 sent and reported back, the enterprise's
/// view of its inspection and its rating.
async fn follow_up(w: &mut Walk, demo: &Demo, task: i64, uscc: &str) -> Result<()> {
    println!("结果与整改");
    w.size(DESKTOP).await?;
    w.log_in("tssytx_dq").await?;
    w.goto(&format!("/tasks/{task}")).await?;
    w.scroll_to("#results").await?;
    w.shot("48-task-results", Window).await?;
    w.goto("/rectifications?status=open").await?;
    w.find("#rectifications").await?;
    w.shot("49-rectifications", Window).await?;
    let rectification = w
        .scalar(
            "SELECT MIN(id) FROM rectifications WHERE task_id = $1 AND department_id = $2",
            yici_store::args![task, demo.air_department],
        )
        .await?;
    w.goto(&format!("/rectifications/{rectification}")).await?;
    let deadline = (w.today() + chrono::Duration::days(15)).to_string();
    w.set_value("#deadline", &deadline).await?;
    w.fill(
        "#requirement",
        "疏通或更换堵塞的氨水喷枪，恢复脱硝设施正常运行；提交维修记录、维修前后照片和近一周运行记录。",
    )
    .await?;
    w.shot("50-rectification-draft", Page).await?;
    w.click("#draft-issue").await?;
    w.wait_text("#notice", "已下发").await?;
    w.later(60 * 24 * 5);

    // Five days on, the enterprise reports on its phone.
    w.size(PHONE).await?;
    w.log_in_enterprise(uscc).await?;
    w.shot("51-enterprise-home-rectification", Window).await?;
    w.goto("/e/rectifications").await?;
    w.click(&format!(".rect-item[data-id='{rectification}']"))
        .await?;
    w.wait_path(&format!("/e/rectifications/{rectification}"))
        .await?;
    w.fill(
        "#note",
        "已更换1号锅炉脱硝氨水喷枪2支，设施恢复正常运行，附维修记录和更换后照片。",
    )
    .await?;
    let photo = w.work.join("zhenggai.png");
    std::fs::write(&photo, site_photo())?;
    w.find("#photos")
        .await?
        .send_keys(photo.to_str().unwrap_or_default())
        .await?;
    w.shot("52-enterprise-rectification", Page).await?;
    w.click("#report-submit").await?;
    w.wait_text("#reported", "已提交整改反馈").await?;
    // Its inspection: the outcome, the documents served, and its rating.
    w.goto(&format!("/e/inspections/{task}")).await?;
    w.find("#rating-form").await?;
    for (name, value) in [
        ("conduct", "5"),
        ("disturbance", "5"),
        ("discipline_kept", "yes"),
    ] {
        w.check(&format!("#rating-form input[name={name}][value='{value}']"))
            .await?;
    }
    w.fill(
        "#comment",
        "检查人员出示证件，态度良好，一次检查完成多项内容。",
    )
    .await?;
    w.shot("53-enterprise-inspection", Page).await?;
    w.click("#rating-submit").await?;
    w.find("#rating-given").await?;
    w.later(60);

    // 大气股 checks the report and closes it.
    w.size(DESKTOP).await?;
    w.log_in("tssytx_dq").await?;
    w.goto(&format!("/rectifications/{rectification}")).await?;
    w.click("input[name=decision][value=close]").await?;
    w.click("input[name=verification][value=on_file]").await?;
    w.fill(
        "#verify-note",
        "现场复核喷枪已更换，运行记录正常，予以销号。",
    )
    .await?;
    w.scroll_to("#verify").await?;
    w.shot("54-rectification-verify", Window).await?;
    w.click("#verify-submit").await?;
    w.wait_text("#notice", "销号").await?;
    w.later(30);
    Ok(())
}

/// The leaders and the office after the visit: credit, release, the
/// public pages, statistics, warnings, ratings.
async fn leaders(w: &mut Walk, demo: &Demo, task: i64) -> Result<()> {
    println!("信用、公开、统计、预警、评价");
    let enterprise = w
        .scalar(
            "SELECT enterprise_id FROM tasks WHERE id = $1",
            yici_store::args![task],
        )
        .await?;
    // 大气股's head decides the credit proposal the problems opened.
    w.log_in(&demo.air[0].mobile).await?;
    w.goto("/credit/proposals").await?;
    w.shot("55-credit-proposals", Window).await?;
    w.goto(&format!("/enterprises/{enterprise}/credit")).await?;
    if w.c.find(Locator::Css("#proposal-confirm")).await.is_ok() {
        w.fill("#note", "检查发现问题属实，同意调整。").await?;
        w.shot("56-credit-enterprise", Page).await?;
        w.click("#proposal-confirm").await?;
        w.find("#notice").await?;
    } else {
        w.shot("56-credit-enterprise", Page).await?;
    }
    w.later(30);

    // The office releases the result at once (一公开).
    w.log_in(&demo.office[2].mobile).await?;
    w.goto("/publication").await?;
    w.shot("57-publication", Window).await?;
    w.click_confirmed(&format!(
        "form[action='/publication/{task}/release'] button"
    ))
    .await?;
    w.find("#publication-notice").await?;
    w.goto("/ratings").await?;
    w.shot("58-ratings", Window).await?;
    w.later(10);

    // 公众: no login.
    w.c.delete_all_cookies().await?;
    w.goto("/public/results").await?;
    w.shot("59-public-results", Window).await?;
    let record = w.find("a[href^='/public/results/']").await?;
    record.click().await?;
    w.until(
        "return /^\\/public\\/results\\/\\d+/.test(location.pathname)",
        "公开的检查结果",
    )
    .await?;
    w.check_page().await?;
    w.shot("60-public-result", Page).await?;
    w.size(PHONE).await?;
    w.c.refresh().await?;
    w.shot("61-public-result-phone", Window).await?;
    w.size(DESKTOP).await?;
    w.goto("/public/plans").await?;
    w.shot("62-public-plans", Window).await?;
    let draw = w.scalar("SELECT MAX(id) FROM draws", vec![]).await?;
    w.goto(&format!("/public/draws/{draw}")).await?;
    w.shot("63-public-draw", Page).await?;
    w.goto("/public/data").await?;
    w.shot("64-public-data", Window).await?;

    // The branch head: statistics and warnings.
    w.log_in(&demo.office[0].mobile).await?;
    w.goto("/statistics").await?;
    w.find("#kpis").await?;
    w.shot("65-statistics", Page).await?;
    // A figure of the dashboard opens the tasks behind it.
    w.click("a[href^='/statistics/tasks']").await?;
    w.until(
        "return location.pathname === '/statistics/tasks'",
        "统计数字对应的任务",
    )
    .await?;
    w.check_page().await?;
    w.shot("66-statistics-tasks", Window).await?;
    w.goto("/warnings").await?;
    w.shot("67-warnings", Page).await?;
    Ok(())
}

/// 申请开通: an enterprise without the registry's mobile asks for an
/// account; 大气股 opens it.
async fn enterprise_accounts(w: &mut Walk) -> Result<()> {
    println!("企业账号开通");
    let (uscc, name): (String, String) = {
        let r = w
            .db
            .clone()
            .fetch_one(
                "SELECT uscc, name FROM enterprises WHERE region_code = '130229'
                    AND status = 'normal' AND id NOT IN (SELECT enterprise_id FROM accounts WHERE enterprise_id IS NOT NULL)
                  ORDER BY id LIMIT 1",
                vec![],
            )
            .await?;
        (r.get("uscc")?, r.get("name")?)
    };
    w.size(PHONE).await?;
    w.c.delete_all_cookies().await?;
    w.goto("/e/activation").await?;
    w.fill("#uscc", &uscc).await?;
    w.fill("#enterprise_name", &name).await?;
    w.fill("#applicant_name", "刘海峰").await?;
    w.fill("#mobile", "13831500000").await?;
    w.fill("#note", "名录登记的联系人已离职，手机号无法接收验证码。")
        .await?;
    w.shot("68-enterprise-activation", Page).await?;
    w.click("#request-activation").await?;
    w.find("#request-received").await?;
    w.size(DESKTOP).await?;
    w.log_in("tssytx_dq").await?;
    w.goto("/enterprise-accounts").await?;
    w.find("#activation-requests").await?;
    w.shot("69-enterprise-accounts", Window).await?;
    Ok(())
}

/// The system administrator at the end: the outbox, the audit trail, 账号安全.
async fn admin_last(w: &mut Walk) -> Result<()> {
    println!("短信发件箱、审计日志、账号安全");
    w.log_in("admin").await?;
    w.goto("/sms/outbox").await?;
    w.shot("70-sms-outbox-admin", Window).await?;
    w.goto("/audit").await?;
    // 立即封存: the page comes back with one seal more.
    let seals =
        "var m = document.body.innerText.match(/共 (\\d+) 次封存/); var n = m ? Number(m[1]) : -1;";
    let before = w
        .js(&format!("{seals} return n;"), vec![])
        .await?
        .as_i64()
        .unwrap_or(-1);
    w.click("form[action='/audit/seal'] button").await?;
    w.until(&format!("{seals} return n === {};", before + 1), "链头封存")
        .await?;
    w.shot("71-audit", Window).await?;
    w.goto("/account").await?;
    w.shot("72-account", Window).await?;
    Ok(())
}

/// A running chromedriver; dropping it ends it and every Chromium it
/// started (they share its process group).
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    async fn start() -> Result<Chromedriver> {
        let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        if !Path::new(&path).exists() {
            bail!("{path} 不存在：请安装 Debian 的 chromium 和 chromium-driver");
        }
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            let mut child = Command::new(&path)
                .process_group(0)
                // Chromium's own words (the file picker's 选择文件) follow
                // the locale: Chinese, given Debian's chromium-l10n. Where
                // that locale is not installed, chromedriver reads paths as
                // ASCII: the files the walk uploads have ASCII names.
                .env("LANGUAGE", "zh_CN:zh")
                .env("LANG", "zh_CN.UTF-8")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("starting {path}"))?;
            for _ in 0..100 {
                if child.try_wait()?.is_some() {
                    break; // another process took the port: try another
                }
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
                {
                    return Ok(Chromedriver { child, port });
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        bail!("chromedriver 未能启动")
    }

    async fn browser(&self) -> Result<Client> {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--hide-scrollbars",
                         "--window-size=1920,1080", "--lang=zh-CN"]
            }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut last = None;
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => return Ok(c),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("chromedriver 无应答：{last:?}")
    }
}

impl Drop for Chromedriver {
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
