//! The Alibaba Cloud adapter against a local stand-in for
//! `dysmsapi.aliyuncs.com`: the server re-computes the signature with its own
//! code (Alibaba's documented recipe: form encoding, then `+`→`%20`,
//! `*`→`%2A`, `%7E`→`~`), checks every parameter, and answers like the
//! provider — `OK`, throttled, rejected, a 503 page — by phone number.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use yici_sms::{AliyunConfig, AliyunSms, ErrorKind, OutgoingSms, SmsGateway};

const KEY_ID: &str = "LTAI-test-key";
const SECRET: &str = "test/secret+with*odd~chars";
const SIGN_NAME: &str = "玉田县生态环境分局";

#[derive(Default)]
struct Seen {
    requests: Vec<BTreeMap<String, String>>,
    nonces: HashSet<String>,
}

type Shared = Arc<Mutex<Seen>>;

/// Alibaba's documented percent-encoding, written the way their page says
/// to derive it from form encoding (not the adapter's code).
fn documented_encode(s: &str) -> String {
    let form = serde_urlencoded::to_string([("k", s)].as_slice()).unwrap();
    form["k=".len()..]
        .replace('+', "%20")
        .replace('*', "%2A")
        .replace("%7E", "~")
}

fn expected_signature(params: &BTreeMap<String, String>) -> String {
    let canonical = params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| format!("{}={}", documented_encode(k), documented_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("POST&%2F&{}", documented_encode(&canonical));
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{SECRET}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn answer(
    status: StatusCode,
    body: String,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    (status, [("content-type", "application/json")], body)
}

async fn provider(
    State(seen): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let refuse = |code: &str, message: String| {
        answer(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"RequestId": "T", "Code": code, "Message": message}).to_string(),
        )
    };
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return refuse("MissingParameter", format!("content type {content_type}"));
    }
    // The body must use %20, never '+', for spaces: '+' would decode as space.
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_str(&body) {
        Ok(p) => p,
        Err(e) => return refuse("InvalidParameter", e.to_string()),
    };
    let params: BTreeMap<String, String> = pairs.into_iter().collect();
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();

    for (k, want) in [
        ("Action", "SendSms"),
        ("Version", "2017-05-25"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", KEY_ID),
        ("RegionId", "cn-hangzhou"),
        ("SignName", SIGN_NAME),
        ("TemplateCode", "SMS_71390007"),
    ] {
        if get(k) != want {
            return refuse("InvalidParameter", format!("{k}={:?}", get(k)));
        }
    }
    if chrono::NaiveDateTime::parse_from_str(&get("Timestamp"), "%Y-%m-%dT%H:%M:%SZ").is_err() {
        return refuse("InvalidTimeStamp.Format", get("Timestamp"));
    }
    if get("OutId").parse::<i64>().is_err() {
        return refuse("InvalidParameter", format!("OutId={}", get("OutId")));
    }
    match serde_json::from_str::<serde_json::Value>(&get("TemplateParam")) {
        Ok(v) if v.is_object() => {}
        _ => return refuse("InvalidParameter", "TemplateParam".into()),
    }
    if get("Signature") != expected_signature(&params) {
        return refuse(
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.".into(),
        );
    }
    {
        let mut seen = seen.lock().unwrap();
        if !seen.nonces.insert(get("SignatureNonce")) {
            return refuse("SignatureNonceUsed", "nonce used".into());
        }
        seen.requests.push(params.clone());
    }
    let body = match get("PhoneNumbers").as_str() {
        "13800000002" => serde_json::json!({"RequestId": "T", "Code": "isv.BUSINESS_LIMIT_CONTROL",
                                            "Message": "触发分钟级流控Permits:1"}),
        "13800000003" => serde_json::json!({"RequestId": "T", "Code": "isv.MOBILE_NUMBER_ILLEGAL",
                                            "Message": "非法手机号"}),
        "13800000004" => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [("content-type", "text/html")],
                "<html>503 Service Temporarily Unavailable</html>".into(),
            )
        }
        _ => serde_json::json!({"RequestId": "T", "Code": "OK", "Message": "OK",
                                "BizId": format!("900619746936498440^{}", get("OutId"))}),
    };
    answer(StatusCode::OK, body.to_string())
}

async fn start() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route("/", post(provider))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn gateway(endpoint: &str, secret: &str) -> AliyunSms {
    AliyunSms::new(AliyunConfig {
        endpoint: endpoint.to_string(),
        access_key_id: KEY_ID.into(),
        access_key_secret: secret.into(),
        sign_name: SIGN_NAME.into(),
        templates: [
            ("task_drawn".to_string(), "SMS_71390007".to_string()),
            ("task_invited".to_string(), "SMS_71390008".to_string()),
        ]
        .into(),
        timeout: Duration::from_secs(5),
        ..Default::default()
    })
    .unwrap()
}

fn message(id: i64, mobile: &str) -> OutgoingSms {
    OutgoingSms {
        id,
        mobile: mobile.into(),
        template: "task_drawn".into(),
        // A space, an asterisk, a tilde and Chinese: every encoding rule.
        params_json: r#"{"unit":"玉田县 分局*","note":"a~b"}"#.into(),
        body: "您所在单位抽取了新的双随机任务，请登录系统确认是否参与！".into(),
    }
}

#[tokio::test]
async fn accepted_message_is_signed_and_carries_every_parameter() {
    let (url, seen) = start().await;
    let sms = gateway(&url, SECRET);
    let receipt = sms.send(&message(7, "13800000001")).await.unwrap();
    assert_eq!(receipt.provider, "aliyun");
    assert_eq!(receipt.message_id, "900619746936498440^7");

    // A second message: another nonce, accepted as well.
    sms.send(&message(8, "13800000001")).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.requests.len(), 2);
    let first = &seen.requests[0];
    assert_eq!(first["PhoneNumbers"], "13800000001");
    assert_eq!(first["OutId"], "7");
    assert_eq!(
        first["TemplateParam"],
        r#"{"unit":"玉田县 分局*","note":"a~b"}"#
    );
    assert_ne!(
        seen.requests[0]["SignatureNonce"],
        seen.requests[1]["SignatureNonce"]
    );
}

#[tokio::test]
async fn throttling_is_retryable_and_a_bad_number_is_not() {
    let (url, _) = start().await;
    let sms = gateway(&url, SECRET);

    let throttled = sms.send(&message(1, "13800000002")).await.unwrap_err();
    assert_eq!(throttled.kind, ErrorKind::Throttled);
    assert_eq!(
        throttled.code.as_deref(),
        Some("isv.BUSINESS_LIMIT_CONTROL")
    );
    assert!(throttled.is_retryable());
    assert!(
        throttled.to_string().contains("触发分钟级流控"),
        "{throttled}"
    );

    let rejected = sms.send(&message(2, "13800000003")).await.unwrap_err();
    assert_eq!(rejected.kind, ErrorKind::Rejected);
    assert!(!rejected.is_retryable());

    let unavailable = sms.send(&message(3, "13800000004")).await.unwrap_err();
    assert_eq!(unavailable.kind, ErrorKind::Provider);
    assert!(unavailable.is_retryable());
}

#[tokio::test]
async fn a_wrong_secret_is_a_configuration_error() {
    let (url, seen) = start().await;
    let sms = gateway(&url, "not-the-secret");
    let err = sms.send(&message(1, "13800000001")).await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("SignatureDoesNotMatch"));
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(!err.is_retryable());
    assert!(seen.lock().unwrap().requests.is_empty());
}

#[tokio::test]
async fn an_unknown_template_sends_nothing() {
    let (url, seen) = start().await;
    let sms = gateway(&url, SECRET);
    let msg = OutgoingSms {
        template: "no_such_template".into(),
        ..message(1, "13800000001")
    };
    let err = sms.send(&msg).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(err.to_string().contains("no_such_template"), "{err}");
    assert!(seen.lock().unwrap().requests.is_empty());
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_retryable_network_error() {
    // Port 1 (tcpmux) on loopback: nothing listens there, so the connection
    // is refused. A port freed a moment before could be taken again by the
    // fake gateway of a test running beside this one (it was, once, in CI).
    let sms = gateway("http://127.0.0.1:1/", SECRET);
    let err = sms.send(&message(1, "13800000001")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network);
    assert!(err.is_retryable());
}
