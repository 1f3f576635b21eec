//! Alibaba Cloud SMS (阿里云短信服务): `SendSms` of Dysmsapi, version
//! 2017-05-25, as an RPC-style request with signature version 1.0.
//!
//! What this follows, from Alibaba Cloud's documentation:
//!
//! * 签名机制 / Request signature (RPC, signature version 1.0),
//!   <https://help.aliyun.com/document_detail/28839.html> (English:
//!   <https://www.alibabacloud.com/help/doc-detail/127287.htm>):
//!   sort every parameter except `Signature` by name; percent-encode names
//!   and values in UTF-8 leaving only `A–Z a–z 0–9 - _ . ~` as they are
//!   (space → `%20`, not `+`; i.e. form encoding with `+`→`%20`, `*`→`%2A`,
//!   `%7E`→`~`); join `name=value` with `&`; `StringToSign = METHOD + "&" +
//!   percentEncode("/") + "&" + percentEncode(canonicalized)`;
//!   `Signature = Base64(HMAC-SHA1(secret + "&", StringToSign))`. The
//!   worked example there (DescribeRegions, `testid`/`testsecret`) is a
//!   unit test below.
//! * SendSms, <https://help.aliyun.com/en/sms/developer-reference/api-dysmsapi-2017-05-25-sendsms>:
//!   `PhoneNumbers`, `SignName`, `TemplateCode`, `TemplateParam` (JSON),
//!   `OutId`; the answer's `Code` is `OK` on success with a `BizId`. The
//!   API is not idempotent ("you must implement your own idempotence
//!   controls"): `OutId` only lets a message be traced; not sending twice is
//!   the outbox's job (leases, see `yici_store::outbox`).
//! * 国内消息API错误码, <https://help.aliyun.com/zh/sms/developer-reference/api-error-codes>:
//!   `isv.BUSINESS_LIMIT_CONTROL` (frequency control), `isv.DAY_LIMIT_CONTROL`
//!   and `isv.MONTH_LIMIT_CONTROL` (limits set in the console) are throttling
//!   and retried; `isv.OUT_OF_SERVICE`/`isv.AMOUNT_NOT_ENOUGH` (no credit)
//!   and system errors are retried too; number, template and signature
//!   errors are not.
//!
//! The request is a `POST` of the signed parameters as an
//! `application/x-www-form-urlencoded` body (so the method in the string to
//! sign is `POST`), as Alibaba's own lightweight SMS samples do.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha1::Sha1;

use crate::{ErrorKind, OutgoingSms, Receipt, SendFuture, SmsError, SmsGateway};

pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";
pub const DEFAULT_REGION: &str = "cn-hangzhou";
pub const API_VERSION: &str = "2017-05-25";
/// How long one request may take before it counts as a network error.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings of the Alibaba Cloud adapter (`[sms]` in yici.toml).
#[derive(Clone)]
pub struct AliyunConfig {
    /// `https://dysmsapi.aliyuncs.com/` unless a test or a proxy says otherwise.
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    /// The approved signature (短信签名), e.g. `玉田县生态环境分局`.
    pub sign_name: String,
    pub region: String,
    /// Our template keys (`task_drawn`, `task_invited`, `sign_up_code`) → approved template
    /// codes (`SMS_123456789`).
    pub templates: BTreeMap<String, String>,
    pub timeout: Duration,
}

impl Default for AliyunConfig {
    fn default() -> Self {
        AliyunConfig {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            access_key_id: String::new(),
            access_key_secret: String::new(),
            sign_name: String::new(),
            region: DEFAULT_REGION.to_string(),
            templates: BTreeMap::new(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// The secret stays out of logs.
impl fmt::Debug for AliyunConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliyunConfig")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("sign_name", &self.sign_name)
            .field("region", &self.region)
            .field("templates", &self.templates)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl AliyunConfig {
    /// What is missing for the adapter to work, in Chinese.
    pub fn validate(&self) -> Result<(), String> {
        let mut missing = Vec::new();
        for (name, value) in [
            ("endpoint", &self.endpoint),
            ("access_key_id", &self.access_key_id),
            ("access_key_secret", &self.access_key_secret),
            ("sign_name", &self.sign_name),
            ("region", &self.region),
        ] {
            if value.trim().is_empty() {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            return Err(format!("阿里云短信配置缺少：{}", missing.join("、")));
        }
        if !(self.endpoint.starts_with("https://") || self.endpoint.starts_with("http://")) {
            return Err(format!(
                "阿里云短信 endpoint 应以 https:// 开头：{}",
                self.endpoint
            ));
        }
        if self.templates.is_empty() {
            return Err(
                "阿里云短信配置缺少模板表 [sms.templates]（如 task_drawn = \"SMS_…\"）".into(),
            );
        }
        Ok(())
    }
}

/// The Alibaba Cloud SMS gateway.
pub struct AliyunSms {
    config: AliyunConfig,
    http: reqwest::Client,
}

impl fmt::Debug for AliyunSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliyunSms")
            .field("config", &self.config)
            .finish()
    }
}

impl AliyunSms {
    pub fn new(config: AliyunConfig) -> Result<AliyunSms, SmsError> {
        config.validate().map_err(SmsError::config)?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("yici/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SmsError::config(format!("HTTP 客户端：{e}")))?;
        Ok(AliyunSms { config, http })
    }

    pub fn config(&self) -> &AliyunConfig {
        &self.config
    }

    /// The parameters of a `SendSms` request for `msg`, `Signature` last.
    pub fn signed_params(
        &self,
        msg: &OutgoingSms,
        timestamp: DateTime<Utc>,
        nonce: &str,
    ) -> Result<Vec<(String, String)>, SmsError> {
        let code = self.config.templates.get(&msg.template).ok_or_else(|| {
            SmsError::config(format!(
                "模板 {} 未配置阿里云模板编号（[sms.templates]）",
                msg.template
            ))
        })?;
        let params_json = if msg.params_json.trim().is_empty() {
            "{}"
        } else {
            msg.params_json.as_str()
        };
        let mut params: Vec<(String, String)> = [
            ("AccessKeyId", self.config.access_key_id.as_str()),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("OutId", &msg.id.to_string()),
            ("PhoneNumbers", msg.mobile.as_str()),
            ("RegionId", self.config.region.as_str()),
            ("SignName", self.config.sign_name.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", code.as_str()),
            ("TemplateParam", params_json),
            ("Timestamp", &timestamp_text(timestamp)),
            ("Version", API_VERSION),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let signature = sign("POST", &params, &self.config.access_key_secret);
        params.push(("Signature".to_string(), signature));
        Ok(params)
    }
}

impl SmsGateway for AliyunSms {
    fn provider(&self) -> &'static str {
        "aliyun"
    }

    fn label(&self) -> &'static str {
        "阿里云短信服务"
    }

    fn send<'a>(&'a self, msg: &'a OutgoingSms) -> SendFuture<'a> {
        Box::pin(async move {
            let params = self.signed_params(msg, Utc::now(), &nonce())?;
            let body = params
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let response = self
                .http
                .post(&self.config.endpoint)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded; charset=utf-8",
                )
                .header(reqwest::header::ACCEPT, "application/json")
                .body(body)
                .send()
                .await
                .map_err(|e| SmsError::network(error_chain(&e)))?;
            let status = response.status().as_u16();
            let text = response
                .text()
                .await
                .map_err(|e| SmsError::network(error_chain(&e)))?;
            let receipt = parse_answer(status, &text);
            match &receipt {
                Ok(r) => {
                    tracing::info!(id = msg.id, biz_id = %r.message_id, "SMS accepted by Alibaba Cloud")
                }
                Err(e) => {
                    tracing::warn!(id = msg.id, error = %e, "SMS not accepted by Alibaba Cloud")
                }
            }
            receipt
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `2017-07-12T02:42:19Z`: UTC, ISO 8601, whole seconds.
pub fn timestamp_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A fresh random UUID (version 4) for `SignatureNonce`.
fn nonce() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Alibaba Cloud's percent-encoding: UTF-8 bytes, everything but
/// `A–Z a–z 0–9 - _ . ~` as `%XY` in upper-case hex (so a space is `%20`).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encoded `name=value` pairs sorted by name, joined with `&`.
pub fn canonicalized_query(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> =
        params.iter().filter(|(k, _)| k != "Signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `METHOD&%2F&percentEncode(canonicalized query)`.
pub fn string_to_sign(method: &str, params: &[(String, String)]) -> String {
    format!(
        "{method}&{}&{}",
        percent_encode("/"),
        percent_encode(&canonicalized_query(params))
    )
}

/// `Base64(HMAC-SHA1(secret + "&", StringToSign))`.
pub fn sign(method: &str, params: &[(String, String)], secret: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(string_to_sign(method, params).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "BizId")]
    biz_id: Option<String>,
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
}

/// Reads the provider's answer: `{"Code":"OK","BizId":…}` is success; any
/// other code is classified by [`classify`]; an answer without a code by
/// its HTTP status (5xx and 429 are retried).
pub fn parse_answer(status: u16, body: &str) -> Result<Receipt, SmsError> {
    let answer: Option<Answer> = serde_json::from_str(body).ok();
    match answer {
        Some(Answer {
            code: Some(code),
            message,
            biz_id,
            request_id,
        }) => {
            if code == "OK" && (200..300).contains(&status) {
                let id = biz_id.or(request_id).unwrap_or_default();
                return Ok(Receipt {
                    provider: "aliyun".to_string(),
                    message_id: id,
                });
            }
            Err(SmsError::new(
                classify(&code, status),
                Some(code),
                message.unwrap_or_default(),
            ))
        }
        _ => {
            let kind = if status >= 500 || status == 429 {
                ErrorKind::Provider
            } else {
                ErrorKind::Rejected
            };
            let snippet: String = body.chars().take(200).collect();
            Err(SmsError::new(
                kind,
                Some(format!("HTTP {status}")),
                format!("无法识别的应答：{snippet}"),
            ))
        }
    }
}

/// Whether a provider error code is worth retrying.
pub fn classify(code: &str, status: u16) -> ErrorKind {
    match code {
        "isv.BUSINESS_LIMIT_CONTROL" | "isv.DAY_LIMIT_CONTROL" | "isv.MONTH_LIMIT_CONTROL" => {
            ErrorKind::Throttled
        }
        c if c.starts_with("Throttling") => ErrorKind::Throttled,
        "isp.SYSTEM_ERROR"
        | "isp.GATEWAY_ERROR"
        | "ServiceUnavailable"
        | "InternalError"
        | "SignatureNonceUsed"
        | "isv.OUT_OF_SERVICE"
        | "isv.AMOUNT_NOT_ENOUGH" => ErrorKind::Provider,
        "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "InvalidTimeStamp.Expired"
        | "isp.RAM_PERMISSION_DENY"
        | "isv.PRODUCT_UN_SUBSCRIPT"
        | "isv.PRODUCT_UNSUBSCRIBE"
        | "isv.ACCOUNT_NOT_EXISTS"
        | "isv.ACCOUNT_ABNORMAL"
        | "isv.SMS_SIGNATURE_ILLEGAL"
        | "isv.SMS_SIGN_ILLEGAL"
        | "isv.SIGN_STATE_ILLEGAL"
        | "isv.SMS_TEMPLATE_ILLEGAL"
        | "isv.TEMPLATE_MISSING_PARAMETERS"
        | "isv.SMS_SIGNATURE_SCENE_ILLEGAL" => ErrorKind::Config,
        c if c.starts_with("InvalidAccessKeyId") => ErrorKind::Config,
        _ if status >= 500 => ErrorKind::Provider,
        _ => ErrorKind::Rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The worked example of Alibaba Cloud's "Request signature" page.
    #[test]
    fn documented_example_signs_as_published() {
        let params = pairs(&[
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ]);
        assert_eq!(
            string_to_sign("GET", &params),
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML\
             %26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
             %26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(
            sign("GET", &params, "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    /// The older edition of that page spelled the parameter `TimeStamp`
    /// (capital S), which sorts before `Version` all the same; its published
    /// signature differs accordingly.
    #[test]
    fn older_documented_example_signs_as_published() {
        let params = pairs(&[
            ("TimeStamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ]);
        assert_eq!(
            sign("GET", &params, "testsecret"),
            "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        );
    }

    #[test]
    fn percent_encoding_follows_the_documented_rules() {
        assert_eq!(percent_encode("a b*c~d+e"), "a%20b%2Ac~d%2Be");
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode("/"), "%2F");
        assert_eq!(percent_encode("{\"a\":1}"), "%7B%22a%22%3A1%7D");
        assert_eq!(percent_encode("环保"), "%E7%8E%AF%E4%BF%9D");
    }

    #[test]
    fn send_sms_parameters() {
        let sms = AliyunSms::new(AliyunConfig {
            access_key_id: "testid".into(),
            access_key_secret: "testsecret".into(),
            sign_name: "玉田县生态环境分局".into(),
            templates: [("task_drawn".to_string(), "SMS_71390007".to_string())].into(),
            ..Default::default()
        })
        .unwrap();
        let msg = OutgoingSms {
            id: 42,
            mobile: "13800000001".into(),
            template: "task_drawn".into(),
            params_json: "{}".into(),
            body: "您所在单位抽取了新的双随机任务".into(),
        };
        let at = Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap();
        let params = sms.signed_params(&msg, at, "nonce-1").unwrap();
        let get = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap()
        };
        assert_eq!(get("Action"), "SendSms");
        assert_eq!(get("Version"), "2017-05-25");
        assert_eq!(get("TemplateCode"), "SMS_71390007");
        assert_eq!(get("OutId"), "42");
        assert_eq!(get("Timestamp"), "2025-06-02T01:00:00Z");
        assert_eq!(get("RegionId"), "cn-hangzhou");
        assert_eq!(params.last().unwrap().0, "Signature");
        assert_eq!(get("Signature"), sign("POST", &params, "testsecret"));

        let unknown = OutgoingSms {
            template: "nope".into(),
            ..msg
        };
        let err = sms.signed_params(&unknown, at, "n").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Config);
    }

    #[test]
    fn answers_are_classified() {
        let ok = parse_answer(
            200,
            r#"{"Message":"OK","RequestId":"R","BizId":"900619746936498440^0","Code":"OK"}"#,
        )
        .unwrap();
        assert_eq!(ok.message_id, "900619746936498440^0");
        let throttled = parse_answer(
            200,
            r#"{"Message":"触发天级流控Permits:10","RequestId":"R","Code":"isv.BUSINESS_LIMIT_CONTROL"}"#,
        )
        .unwrap_err();
        assert_eq!(throttled.kind, ErrorKind::Throttled);
        assert!(throttled.is_retryable());
        let bad = parse_answer(
            200,
            r#"{"Message":"手机号码格式错误","Code":"isv.MOBILE_NUMBER_ILLEGAL"}"#,
        )
        .unwrap_err();
        assert!(!bad.is_retryable());
        let sig =
            parse_answer(400, r#"{"Code":"SignatureDoesNotMatch","Message":"x"}"#).unwrap_err();
        assert_eq!(sig.kind, ErrorKind::Config);
        assert!(parse_answer(503, "<html>busy</html>")
            .unwrap_err()
            .is_retryable());
        assert!(!parse_answer(404, "not found").unwrap_err().is_retryable());
    }

    #[test]
    fn nonces_are_uuids_and_differ() {
        let a = nonce();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, nonce());
    }

    #[test]
    fn configuration_is_checked_and_the_secret_not_printed() {
        let c = AliyunConfig {
            access_key_secret: "s3cret".into(),
            ..Default::default()
        };
        let e = c.validate().unwrap_err();
        assert!(
            e.contains("access_key_id") && e.contains("sign_name"),
            "{e}"
        );
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
