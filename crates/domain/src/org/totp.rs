//! The second factor's time-based one-time passwords (SEC-2): TOTP (RFC 6238)
//! over HOTP (RFC 4226) with HMAC-SHA1 — what every authenticator app
//! (微信小程序, 阿里云 App, Google Authenticator, FreeOTP …) computes from an
//! `otpauth://` QR code — and the RFC 4648 Base32 the secret is written in.
//!
//! Pure arithmetic: the random secret comes from the caller, and the step last
//! used is kept by the store, which refuses it again (replay).

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step (RFC 6238's default, and the only period the apps agree on).
pub const STEP_SECONDS: i64 = 30;
/// Digits of the codes people type.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret: 160 bits, the HMAC-SHA1 output size RFC 4226 §4 recommends.
pub const SECRET_BYTES: usize = 20;
/// Steps either side of now that are still accepted: a phone's clock a little
/// off, or a code typed as it turned over.
pub const DRIFT_STEPS: i64 = 1;
/// Issuer shown in the authenticator app.
pub const ISSUER: &str = "yici";

/// HOTP value (RFC 4226 §5.3): HMAC-SHA1 of the big-endian counter, dynamic
/// truncation, modulo 10^digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    // In u64: ten digits would overflow 10^digits in u32 (and leave the value whole).
    (u64::from(binary) % 10u64.pow(digits)) as u32
}

/// The TOTP step of a Unix time (RFC 6238 §4: T0 = 0, floor division, so
/// times before 1970 would still step down, not toward zero).
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// A code with its leading zeros, as the apps show it.
pub fn format_code(value: u32, digits: u32) -> String {
    format!("{value:0width$}", width = digits as usize)
}

/// The 6-digit code of a step.
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    format_code(hotp(secret, step as u64, DIGITS), DIGITS)
}

/// The 6-digit code at a Unix time.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    code_for_step(secret, step_at(unix_seconds))
}

/// A typed code without the spaces some apps show in the middle
/// (`123 456`), if it is then six ASCII digits.
pub fn typed_code(input: &str) -> Option<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not six digits.
    Malformed,
    /// No step within the drift window has this code.
    Wrong,
    /// The code is right, but its step (or a later one) was already used:
    /// a code overheard or replayed is good only once (RFC 6238 §5.2).
    Replayed,
}

/// Checks a typed code at `unix_seconds` and returns the step it belongs to,
/// which the caller records as used. Steps up to and including `last_used`
/// are refused, so a code is good once and an older one never after a newer.
pub fn verify(
    secret: &[u8],
    input: &str,
    unix_seconds: i64,
    last_used: Option<i64>,
) -> Result<i64, Refusal> {
    let code = typed_code(input).ok_or(Refusal::Malformed)?;
    let now = step_at(unix_seconds);
    // Every step of the window is computed, whatever matches first, so the
    // time taken does not tell which step matched.
    let mut matched = None;
    for step in (now - DRIFT_STEPS..=now + DRIFT_STEPS).rev() {
        if constant_time_eq(code_for_step(secret, step).as_bytes(), code.as_bytes())
            && matched.is_none()
        {
            matched = Some(step);
        }
    }
    let step = matched.ok_or(Refusal::Wrong)?;
    match last_used {
        Some(last) if step <= last => Err(Refusal::Replayed),
        _ => Ok(step),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` URI an authenticator app reads from the QR code
/// (Key Uri Format): label `yici:LOGIN`, the Base32 secret, the issuer.
/// SHA-1, 6 digits and 30 seconds are the format's defaults, so they are
/// left out (some apps refuse explicit values they do not support).
pub fn otpauth_uri(login: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{issuer}:{login}?secret={secret}&issuer={issuer}",
        issuer = ISSUER,
        login = percent_encode(login),
        secret = base32_encode(secret),
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The Base32 secret in groups of four, for typing it into an app by hand.
pub fn grouped_secret(secret: &[u8]) -> String {
    let text = base32_encode(secret);
    text.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("Base32 is ASCII"))
        .collect::<Vec<_>>()
        .join(" ")
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 §6 Base32 without the `=` padding (the otpauth format leaves it out).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes RFC 4648 Base32, case-insensitive, ignoring spaces, hyphens and
/// `=` padding (as people type a grouped secret); `None` on any other
/// character or an impossible length.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    let mut symbols = 0usize;
    for c in text.chars() {
        if c.is_whitespace() || c == '-' || c == '=' {
            continue;
        }
        let upper = c.to_ascii_uppercase() as u8;
        let value = BASE32.iter().position(|&x| x == upper && c.is_ascii())? as u32;
        buffer = ((buffer << 5) | value) & 0xffff;
        bits += 5;
        symbols += 1;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    // Lengths 1, 3 and 6 (mod 8) cannot come from whole bytes.
    matches!(symbols % 8, 0 | 2 | 4 | 5 | 7).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 Appendix B, the SHA-1 column (8 digits).
    #[test]
    fn rfc_6238_sha1_test_vectors() {
        for (t, expected) in [
            (59i64, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            let got = format_code(hotp(RFC_SECRET, step_at(t) as u64, 8), 8);
            assert_eq!(got, expected, "T = {t}");
        }
        // The 6-digit codes people type are the last six of the same value.
        assert_eq!(code_at(RFC_SECRET, 59), "287082");
        assert_eq!(code_at(RFC_SECRET, 1111111109), "081804");
    }

    /// RFC 4226 Appendix D: HOTP values of counters 0…9.
    #[test]
    fn rfc_4226_hotp_values() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, want) in expected.iter().enumerate() {
            assert_eq!(
                format_code(hotp(RFC_SECRET, counter as u64, 6), 6),
                *want,
                "counter {counter}"
            );
        }
        // The truncated values before the modulo (Appendix D's "Decimal"),
        // seen through nine digits and through ten (no modulo left).
        assert_eq!(hotp(RFC_SECRET, 0, 9), 284_755_224);
        assert_eq!(hotp(RFC_SECRET, 0, 10), 1_284_755_224);
        assert_eq!(hotp(RFC_SECRET, 9, 10), 645_520_489);
    }

    /// RFC 4648 §10, without padding.
    #[test]
    fn base32_rfc_4648_vectors_round_trip() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded, "{plain:?}");
            assert_eq!(
                base32_decode(encoded).as_deref(),
                Some(plain.as_bytes()),
                "{encoded}"
            );
        }
        // Padding, lower case and the groups people type are tolerated.
        assert_eq!(base32_decode("mzxw6yq=").unwrap(), b"foob");
        assert_eq!(base32_decode("MZXW 6YTB OI").unwrap(), b"foobar");
        assert_eq!(
            base32_encode(RFC_SECRET),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        // Not Base32 (0, 1, 8 are not in the alphabet), or a length no bytes give.
        assert_eq!(base32_decode("MZXW0"), None);
        assert_eq!(base32_decode("M"), None);
        assert_eq!(base32_decode("MZX"), None);
        assert_eq!(base32_decode("汉字"), None);
        for len in 0..=40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
            assert_eq!(base32_decode(&base32_encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_only_once() {
        let now = 1_750_000_000;
        let step = step_at(now);
        for drift in -1..=1 {
            let code = code_for_step(RFC_SECRET, step + drift);
            assert_eq!(verify(RFC_SECRET, &code, now, None), Ok(step + drift));
        }
        for drift in [-2, 2] {
            let code = code_for_step(RFC_SECRET, step + drift);
            assert_eq!(
                verify(RFC_SECRET, &code, now, None),
                Err(Refusal::Wrong),
                "{drift}"
            );
        }
        let code = code_at(RFC_SECRET, now);
        assert_eq!(
            verify(RFC_SECRET, &code, now, Some(step)),
            Err(Refusal::Replayed)
        );
        // After a later step was used, an earlier one is no good either.
        let earlier = code_for_step(RFC_SECRET, step - 1);
        assert_eq!(
            verify(RFC_SECRET, &earlier, now, Some(step)),
            Err(Refusal::Replayed)
        );
        assert_eq!(verify(RFC_SECRET, &code, now, Some(step - 1)), Ok(step));
        // Spaces in the middle are fine; anything but six digits is not a code.
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(RFC_SECRET, &spaced, now, None), Ok(step));
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(
                verify(RFC_SECRET, bad, now, None),
                Err(Refusal::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_uri_and_the_grouped_secret_are_what_the_apps_read() {
        assert_eq!(
            otpauth_uri("tssytx_dq", RFC_SECRET),
            "otpauth://totp/yici:tssytx_dq?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=yici"
        );
        assert_eq!(
            otpauth_uri("a b@c", b"f"),
            "otpauth://totp/yici:a%20b%40c?secret=MY&issuer=yici"
        );
        assert_eq!(
            grouped_secret(RFC_SECRET),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
    }
}
