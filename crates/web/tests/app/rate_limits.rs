//! Rate limits (SEC-4): anonymous requests per address, searches per
//! account and per address; 429 with a Chinese message and Retry-After.

use crate::common::TestApp;
use serde_json::Value;

both_databases!(
    config = yici_web::WebConfig {
        // Distinct client addresses come from X-Forwarded-For, as behind nginx.
        trust_proxy: true,
        rate_limits: yici_web::rate_limit::RateLimits {
            anonymous_per_minute: 5,
            search_per_minute: 3,
        },
        ..Default::default()
    };
    anonymous_clients_and_searches_are_limited
);

async fn anonymous_clients_and_searches_are_limited(app: TestApp) {
    // Tokens first (each login is an anonymous request of 127.0.0.1).
    let a = app.token("tssytx_dq").await;
    let b = app.token("tssytx_s").await;
    let get = |path: &'static str, from: &'static str, token: Option<&str>| {
        let mut r = app.http.get(app.url(path)).header("x-forwarded-for", from);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };

    // Anonymous: five pass, the sixth is refused, on pages and in the API.
    for _ in 0..5 {
        assert_eq!(
            get("/public/plans", "203.0.113.1", None)
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let r = get("/public/plans", "203.0.113.1", None).await.unwrap();
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=12).contains(&wait), "{wait}");
    assert!(r.text().await.unwrap().contains("请求过于频繁，请"));
    let r = get("/api/v1/public/plans", "203.0.113.1", None)
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited", "{body}");
    // Static files are never limited; another address is not affected.
    assert_eq!(
        get("/assets/yici.css", "203.0.113.1", None)
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        get("/public/plans", "203.0.113.2", None)
            .await
            .unwrap()
            .status(),
        200
    );
    // Logged-in pages other than searches are not limited.
    for _ in 0..8 {
        assert_eq!(
            get("/api/v1/me", "203.0.113.3", Some(&a))
                .await
                .unwrap()
                .status(),
            200
        );
    }

    // Searches, per account: three pass for account a, the fourth does not,
    // and from a fresh address neither (the account is spent)…
    for _ in 0..3 {
        assert_eq!(
            get("/api/v1/enterprises", "198.51.100.1", Some(&a))
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let r = get("/api/v1/enterprises", "198.51.100.1", Some(&a))
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("请求过于频繁"),
        "{body}"
    );
    assert_eq!(
        get("/api/v1/enterprises", "198.51.100.2", Some(&a))
            .await
            .unwrap()
            .status(),
        429
    );
    // …while account b searches from there (that address has spent one).
    for _ in 0..2 {
        assert_eq!(
            get("/api/v1/enterprises", "198.51.100.2", Some(&b))
                .await
                .unwrap()
                .status(),
            200
        );
    }
    // Per address: the address is now spent for every account.
    assert_eq!(
        get("/api/v1/enterprises", "198.51.100.2", Some(&b))
            .await
            .unwrap()
            .status(),
        429
    );

    // The public search is a search too, for anonymous clients by address.
    for _ in 0..3 {
        assert_eq!(
            get("/public/results", "192.0.2.9", None)
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(
        get("/public/results", "192.0.2.9", None)
            .await
            .unwrap()
            .status(),
        429
    );
}
