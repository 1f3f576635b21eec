//! 检查二维码 (APP-2): a signed, expiring check-in token.
//!
//! The inspector's phone shows a QR code of `…/e/check-in?token=T`; the
//! enterprise scans it and the server tells a genuine code from a stale
//! (已过期) or a forged or altered one (无效). The token is URL-safe text:
//!
//! ```text
//! v1.<task id>.<inspector person id>.<expires, unix seconds>.<signature>
//! ```
//!
//! where the signature is HMAC-SHA256 under the server's key over the text
//! before it, in unpadded base64url. Nothing in it is secret (the plan is shown
//! to whoever holds the code); the signature makes it unforgeable.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a shown code stays valid.
pub const TOKEN_LIFETIME_MINUTES: i64 = 30;

/// Longest 跳过 reason kept.
pub const MAX_SKIP_REASON_CHARS: usize = 500;

const VERSION: &str = "v1";

/// What a token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInClaim {
    pub task_id: i64,
    /// The inspector who showed the code.
    pub person_id: i64,
    pub expires_at: DateTime<Utc>,
}

impl CheckInClaim {
    /// A claim valid for [`TOKEN_LIFETIME_MINUTES`] from `now`.
    pub fn new(task_id: i64, person_id: i64, now: DateTime<Utc>) -> CheckInClaim {
        CheckInClaim {
            task_id,
            person_id,
            // Whole seconds: the token carries no finer.
            expires_at: Utc
                .timestamp_opt(
                    (now + Duration::minutes(TOKEN_LIFETIME_MINUTES)).timestamp(),
                    0,
                )
                .single()
                .unwrap_or(now),
        }
    }

    fn payload(&self) -> String {
        format!(
            "{VERSION}.{}.{}.{}",
            self.task_id,
            self.person_id,
            self.expires_at.timestamp()
        )
    }
}

/// The verdict on a scanned token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 真实有效.
    Genuine(CheckInClaim),
    /// 已过期: signed by us, but past its time.
    Expired(CheckInClaim),
    /// 无效（伪造或被篡改）: not a token, or not signed by this key.
    Invalid,
}

impl Verdict {
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Genuine(_) => "genuine",
            Verdict::Expired(_) => "expired",
            Verdict::Invalid => "invalid",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Genuine(_) => "真实有效",
            Verdict::Expired(_) => "已过期",
            Verdict::Invalid => "无效（伪造或被篡改）",
        }
    }
}

fn mac(key: &[u8], payload: &str) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(payload.as_bytes());
    m
}

/// The token of a claim under `key`.
pub fn sign(key: &[u8], claim: &CheckInClaim) -> String {
    let payload = claim.payload();
    let sig = mac(key, &payload).finalize().into_bytes();
    format!("{payload}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Checks a token: its signature first (in constant time), then its expiry.
pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Verdict {
    let token = token.trim();
    let Some((payload, sig)) = token.rsplit_once('.') else {
        return Verdict::Invalid;
    };
    let Ok(sig) = URL_SAFE_NO_PAD.decode(sig) else {
        return Verdict::Invalid;
    };
    if mac(key, payload).verify_slice(&sig).is_err() {
        return Verdict::Invalid;
    }
    let parts: Vec<&str> = payload.split('.').collect();
    let [VERSION, task, person, expires] = parts[..] else {
        return Verdict::Invalid;
    };
    let (Ok(task_id), Ok(person_id), Ok(expires)) =
        (task.parse(), person.parse(), expires.parse::<i64>())
    else {
        return Verdict::Invalid;
    };
    let Some(expires_at) = Utc.timestamp_opt(expires, 0).single() else {
        return Verdict::Invalid;
    };
    let claim = CheckInClaim {
        task_id,
        person_id,
        expires_at,
    };
    if now >= expires_at {
        Verdict::Expired(claim)
    } else {
        Verdict::Genuine(claim)
    }
}

/// A 跳过 reason: required, trimmed, at most [`MAX_SKIP_REASON_CHARS`].
pub fn skip_reason(input: &str) -> crate::DomainResult<String> {
    let reason = input.trim();
    if reason.is_empty() {
        return Err(crate::DomainError::field(
            "reason",
            "required",
            "跳过扫码须填写原因",
        ));
    }
    if reason.chars().count() > MAX_SKIP_REASON_CHARS {
        return Err(crate::DomainError::field(
            "reason",
            "too_long",
            format!("跳过原因不能超过{MAX_SKIP_REASON_CHARS}字"),
        ));
    }
    Ok(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap()
    }

    #[test]
    fn a_fresh_token_is_genuine_and_url_safe() {
        let claim = CheckInClaim::new(42, 7, now());
        let token = sign(KEY, &claim);
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
        assert_eq!(verify(KEY, &token, now()), Verdict::Genuine(claim));
        assert_eq!(claim.expires_at, now() + Duration::minutes(30));
    }

    #[test]
    fn a_token_expires_after_its_lifetime() {
        let claim = CheckInClaim::new(42, 7, now());
        let token = sign(KEY, &claim);
        let almost = now() + Duration::minutes(TOKEN_LIFETIME_MINUTES) - Duration::seconds(1);
        assert_eq!(verify(KEY, &token, almost), Verdict::Genuine(claim));
        let after = now() + Duration::minutes(TOKEN_LIFETIME_MINUTES);
        assert_eq!(verify(KEY, &token, after), Verdict::Expired(claim));
        assert_eq!(verify(KEY, &token, after).label(), "已过期");
    }

    #[test]
    fn a_forged_signature_is_invalid() {
        let token = sign(KEY, &CheckInClaim::new(42, 7, now()));
        let (payload, _) = token.rsplit_once('.').unwrap();
        let forged = format!("{payload}.{}", URL_SAFE_NO_PAD.encode([0u8; 32]));
        assert_eq!(verify(KEY, &forged, now()), Verdict::Invalid);
        assert_eq!(verify(KEY, payload, now()), Verdict::Invalid);
        assert_eq!(verify(KEY, "", now()), Verdict::Invalid);
        assert_eq!(verify(KEY, "v1.1.2.3.%%%", now()), Verdict::Invalid);
    }

    #[test]
    fn an_altered_payload_is_invalid() {
        let token = sign(KEY, &CheckInClaim::new(42, 7, now()));
        // Another task, another inspector, a later expiry: each breaks the signature.
        for altered in [
            token.replacen("v1.42.", "v1.43.", 1),
            token.replacen(".7.", ".8.", 1),
            {
                let exp = (now() + Duration::minutes(30)).timestamp();
                token.replacen(&exp.to_string(), &(exp + 3600).to_string(), 1)
            },
        ] {
            assert_ne!(altered, token);
            assert_eq!(verify(KEY, &altered, now()), Verdict::Invalid, "{altered}");
        }
    }

    #[test]
    fn another_key_does_not_verify() {
        let token = sign(KEY, &CheckInClaim::new(42, 7, now()));
        assert_eq!(
            verify(b"another key entirely", &token, now()),
            Verdict::Invalid
        );
    }

    #[test]
    fn skipping_needs_a_reason() {
        assert_eq!(skip_reason("  ").unwrap_err().code, "required");
        assert_eq!(
            skip_reason(" 企业负责人不在场 ").unwrap(),
            "企业负责人不在场"
        );
        assert_eq!(
            skip_reason(&"长".repeat(MAX_SKIP_REASON_CHARS + 1))
                .unwrap_err()
                .code,
            "too_long"
        );
    }
}
