//! SEC-1: security headers on pages, API answers and files; `no-store`
//! except on public static assets; HSTS only over TLS; and, in headless
//! Chromium (which enforces the CSP), the pages that used inline script
//! still work.

use std::time::Duration;

use crate::common::browser::*;
use crate::common::TestApp;
use fantoccini::Locator;
use reqwest::header::HeaderMap;
use serde_json::json;

both_databases!(
    pages_api_and_files_carry_the_security_headers,
    former_inline_scripts_work_under_the_policy_in_a_real_browser,
    only_the_document_preview_may_be_framed_and_only_by_our_pages,
);

/// Every page: each role's pages are found by following the links of the
/// pages it can reach (from `/` for staff, `/e` and `/m` for the phone
/// apps, `/public/…` without a session), as a user clicking around would.
mod every_page {
    use super::*;

    both_databases!(
        config = crate::security::every_page::unlimited();
        every_reachable_page_carries_the_headers_and_no_inline_script
    );

    /// A crawler makes hundreds of requests a minute: without the limits.
    fn unlimited() -> yici_web::WebConfig {
        yici_web::WebConfig {
            rate_limits: yici_web::rate_limit::RateLimits {
                anonymous_per_minute: 0,
                search_per_minute: 0,
            },
            ..crate::common::with_evidence_folder()
        }
    }

    async fn every_reachable_page_carries_the_headers_and_no_inline_script(app: TestApp) {
        app.load_enterprises(20).await;
        let mut seen = std::collections::BTreeSet::new();
        // The system administrator, a department secretary, the office's
        // secretary and the unit head (who sees warnings and statistics).
        let head = crate::common::office(&app).await[0].1.clone();
        for login in ["admin", "tssytx_dq", "tssytx_bg", head.as_str()] {
            let (client, _) = app.web_user(login).await;
            crawl(&app, &client, &["/", "/m"], &mut seen).await;
        }
        let anonymous = reqwest::Client::new();
        crawl(
            &app,
            &anonymous,
            &[
                "/public/plans",
                "/public/results",
                "/public/data",
                "/login",
                "/e/signup",
            ],
            &mut seen,
        )
        .await;
        // The crawl reached the screens of every part of the product.
        for expected in [
            "/people",
            "/enterprises",
            "/tasks",
            "/plans",
            "/documents",
            "/rectifications",
            "/statistics",
            "/warnings",
            "/audit",
            "/org",
            "/account",
            "/m",
            "/public/results",
            "/public/data",
            "/e/signup",
        ] {
            assert!(seen.contains(expected), "{expected} not reached: {seen:?}");
        }
        assert!(seen.len() > 60, "only {} pages reached", seen.len());
        eprintln!("security headers checked on {} distinct paths", seen.len());
    }

    /// Visits every same-site link (GET, no downloads of exports twice)
    /// breadth first, checking each answer's headers and, for HTML, that
    /// the page has no inline script the policy would block.
    async fn crawl(
        app: &TestApp,
        client: &reqwest::Client,
        start: &[&str],
        seen: &mut std::collections::BTreeSet<String>,
    ) {
        let mut queue: std::collections::VecDeque<String> =
            start.iter().map(|s| s.to_string()).collect();
        let mut visited = std::collections::BTreeSet::new();
        // Two of each shape (`/enterprises/N/edit`, whatever the query):
        // the same screen for the next record adds nothing.
        let mut shapes = std::collections::BTreeMap::<String, usize>::new();
        while let Some(url) = queue.pop_front() {
            let shape: String = url
                .split('?')
                .next()
                .unwrap()
                .split('/')
                .map(|part| {
                    if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
                        "N"
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let n = shapes.entry(shape).or_default();
            if *n >= 2 || visited.len() >= 300 || !visited.insert(url.clone()) {
                continue;
            }
            *n += 1;
            let r = client.get(app.url(&url)).send().await.unwrap();
            let status = r.status().as_u16();
            assert!(status < 500, "{url}: {status}");
            let path = url.split('?').next().unwrap().to_string();
            let static_asset =
                path.starts_with("/assets/") || path == "/sw.js" || path == "/manifest.webmanifest";
            assert_secured(&url, r.headers(), !static_asset);
            seen.insert(path);
            let html = r
                .headers()
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
            if !html {
                continue;
            }
            let body = r.text().await.unwrap();
            assert_no_inline_script(&url, &body);
            for link in links(&body) {
                if !visited.contains(&link) {
                    queue.push_back(link);
                }
            }
        }
    }

    /// Local links of a page: `href="/…"` and `src="/…"`, entities decoded,
    /// fragments dropped; the logout and anything under `/api/` (forms POST
    /// there, and the API is checked above) are left out.
    fn links(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        for attr in ["href=\"", "src=\""] {
            for part in html.split(attr).skip(1) {
                let Some(end) = part.find('"') else { continue };
                let link = part[..end].replace("&amp;", "&");
                let link = link.split('#').next().unwrap().to_string();
                if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/api/") {
                    out.push(link);
                }
            }
        }
        out
    }

    fn assert_no_inline_script(url: &str, html: &str) {
        let lower = html.to_lowercase();
        for (i, _) in lower.match_indices("<script") {
            let tag = &lower[i..i + lower[i..].find('>').unwrap()];
            assert!(tag.contains(" src="), "{url}: inline <script>: {tag}");
        }
        assert!(!lower.contains("javascript:"), "{url}: javascript: URL");
        for handler in [
            " onclick=",
            " onchange=",
            " onsubmit=",
            " onload=",
            " oninput=",
        ] {
            assert!(!lower.contains(handler), "{url}: inline handler{handler}");
        }
    }
}

/// HSTS from a proxy that says the request came over HTTPS.
mod behind_tls {
    use super::*;

    both_databases!(
        config = yici_web::WebConfig {
            trust_proxy: true,
            ..Default::default()
        };
        hsts_is_sent_only_for_requests_that_came_over_tls
    );

    async fn hsts_is_sent_only_for_requests_that_came_over_tls(app: TestApp) {
        let get = |proto: Option<&'static str>| {
            let mut r = app.http.get(app.url("/login"));
            if let Some(p) = proto {
                r = r.header("x-forwarded-proto", p);
            }
            r.send()
        };
        let r = get(Some("https")).await.unwrap();
        assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
        for proto in [None, Some("http")] {
            let r = get(proto).await.unwrap();
            assert!(!r.headers().contains_key("strict-transport-security"));
        }
    }
}

fn assert_secured(what: &str, h: &HeaderMap, no_store: bool) {
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("script-src 'self';"), "{what}: {csp}");
    // A document's print page is the document page's preview: framed by our pages only.
    let preview = what.contains("/documents/") && what.ends_with("/print");
    let (ancestors, framing) = if preview {
        ("frame-ancestors 'self'", "SAMEORIGIN")
    } else {
        ("frame-ancestors 'none'", "DENY")
    };
    assert!(csp.contains(ancestors), "{what}: {csp}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["referrer-policy"], "same-origin", "{what}");
    assert_eq!(h["x-frame-options"], framing, "{what}");
    // Plain HTTP without a trusted proxy: no HSTS.
    assert!(!h.contains_key("strict-transport-security"), "{what}");
    let cache = h.get("cache-control").map(|v| v.to_str().unwrap());
    if no_store {
        assert_eq!(cache, Some("no-store"), "{what}");
    } else {
        assert!(
            !cache.unwrap_or("").contains("no-store"),
            "{what}: {cache:?}"
        );
    }
}

async fn pages_api_and_files_carry_the_security_headers(app: TestApp) {
    app.load_enterprises(20).await;
    let (client, _) = app.web_user("tssytx_dq").await;
    let token = app.token("tssytx_s").await;
    // An authenticated page, an export file, the login page, an error page.
    for path in [
        "/enterprises",
        "/enterprises/export?format=csv",
        "/enterprises/export?format=xlsx",
        "/login",
        "/no-such-page",
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_secured(path, r.headers(), true);
    }
    // The error page says what happened in words, not as a status code.
    let page = app.html(&client, "/no-such-page").await;
    assert!(page.contains("<h2>页面或记录不存在</h2>"), "{page}");
    assert!(!page.contains("（404）"), "{page}");
    // API answers, a good one and a refusal, and the API's export file.
    for (path, status) in [
        ("/api/v1/me", 200),
        ("/api/v1/enterprises/export?format=csv", 200),
        ("/api/v1/enterprises/999999999", 404),
    ] {
        let r = app
            .http
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_secured(path, r.headers(), true);
    }
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "nobody", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_secured("failed login", r.headers(), true);
    // Public static assets stay cacheable.
    for path in ["/assets/yici.css", "/assets/yici.js", "/assets/field.js"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_secured(path, r.headers(), false);
        assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
    }
}

/// The document page frames its print page as the preview (文书预览): the
/// print page may be framed by the platform's pages, and only by them; the
/// document page itself, like every other, by nobody.
async fn only_the_document_preview_may_be_framed_and_only_by_our_pages(app: TestApp) {
    let v = crate::common::visit(&app).await;
    let (s, doc) = app
        .send(
            "POST",
            &v.secretary,
            &format!("/api/v1/tasks/{}/documents", v.task),
            json!({"kind": "approval_form"}),
        )
        .await;
    assert_eq!(s, 201, "{doc}");
    let d = doc["id"].as_i64().unwrap();
    let (client, _) = app.web_user("tssytx_dq").await;
    let page = client
        .get(app.url(&format!("/documents/{d}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("src=\"/documents/{d}/print\"")),
        "the page frames its print page"
    );
    let path = format!("/documents/{d}/print");
    let print = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(print.status().as_u16(), 200);
    let csp = print.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    assert_secured(&path, print.headers(), true);
}

/// The browser enforces the policy: an inline handler left over would not
/// run, and these steps would fail.
async fn former_inline_scripts_work_under_the_policy_in_a_real_browser(app: TestApp) {
    let driver = chromedriver().await;
    let c = browser(&driver).await;
    log_in(&c, &app, "tssytx_dq").await;

    // 删除 asks first (was onclick="return confirm(…)"): dismissed, nothing
    // goes; accepted, the plan row is deleted.
    c.goto(&app.url("/plans")).await.unwrap();
    let rows = "#row-table tbody tr[id^=row-]";
    let before = c.find_all(Locator::Css(rows)).await.unwrap().len();
    assert!(before > 0, "the demo has plan rows");
    click(&c, "#row-table button.op-delete").await;
    let question = alert_text(&c).await;
    assert_eq!(question, "确定删除该抽查计划吗？");
    c.dismiss_alert().await.unwrap();
    assert_eq!(c.find_all(Locator::Css(rows)).await.unwrap().len(), before);
    click(&c, "#row-table button.op-delete").await;
    alert_text(&c).await;
    c.accept_alert().await.unwrap();
    for _ in 0..100 {
        if c.find_all(Locator::Css(rows)).await.unwrap().len() == before - 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        c.find_all(Locator::Css(rows)).await.unwrap().len(),
        before - 1
    );

    // 地市 applies at once and clears 区县 (was onchange=…): from 唐山市 /
    // 玉田县 back to 全部.
    c.goto(&app.url("/enterprises?city_code=130200&region_code=130229"))
        .await
        .unwrap();
    let city = c
        .find(Locator::Css("select[name=city_code]"))
        .await
        .unwrap();
    assert_eq!(city.prop("value").await.unwrap().as_deref(), Some("130200"));
    city.select_by_value("").await.unwrap();
    let mut query = String::new();
    for _ in 0..100 {
        query = c
            .current_url()
            .await
            .unwrap()
            .query()
            .unwrap_or("")
            .to_string();
        if query.contains("city_code=&") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(query.contains("city_code=&"), "submitted: {query}");
    assert!(query.contains("region_code=&"), "区县 cleared: {query}");

    // 返回上一页 on an error page (was href="javascript:history.back()").
    c.goto(&app.url("/people")).await.unwrap();
    c.goto(&app.url("/no-such-page")).await.unwrap();
    click(&c, "a[data-back]").await;
    wait_path(&c, "/people").await;

    // The field app registers its service worker (was an inline <script>).
    c.goto(&app.url("/e/signup")).await.unwrap();
    let mut registered = false;
    for _ in 0..50 {
        let r = c
            .execute_async(
                "var done = arguments[0]; navigator.serviceWorker.getRegistration()
                   .then(function (r) { done(!!r); }, function () { done(false); });",
                vec![],
            )
            .await
            .unwrap();
        if r == json!(true) {
            registered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        registered,
        "service worker registered from /assets/field.js"
    );
}

/// The text of the dialog a click opened, once it is open.
async fn alert_text(c: &fantoccini::Client) -> String {
    for _ in 0..50 {
        if let Ok(text) = c.get_alert_text().await {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no confirmation dialog: an inline handler blocked by the CSP?");
}
