//! Recovery codes of the second factor (SEC-2): ten single-use codes shown
//! once when TOTP is switched on, for the day the phone is lost. Only a hash
//! of each is stored.
//!
//! A code is ten characters of a 32-symbol alphabet without the look-alikes
//! 1, i, l and o (50 bits: far beyond what the login lock lets anyone try),
//! shown as two groups of five (`7kq2m-x9fpa`).

use sha2::{Digest, Sha256};

/// Codes made at a time.
pub const COUNT: usize = 10;
/// Characters in a code.
pub const LENGTH: usize = 10;

/// 32 symbols, so a random byte maps to one without bias (byte % 32).
const ALPHABET: &[u8; 32] = b"023456789abcdefghjkmnpqrstuvwxyz";

/// A code from random bytes (one symbol per byte).
pub fn from_random(bytes: [u8; LENGTH]) -> String {
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect()
}

/// A code as shown to people: two groups of five.
pub fn display(code: &str) -> String {
    if code.len() == LENGTH {
        format!("{}-{}", &code[..LENGTH / 2], &code[LENGTH / 2..])
    } else {
        code.to_string()
    }
}

/// A typed code in its stored form: case, spaces and hyphens ignored; `None`
/// when it cannot be a recovery code at all.
pub fn normalise(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// What is stored of a code: SHA-256 of the account id and the code, so the
/// same code of two accounts gives two hashes. The codes are random and long,
/// so a fast hash is enough (no password stretching needed).
pub fn hash(account_id: i64, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{account_id}:{code}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_unambiguous_characters_typed_any_way() {
        let code = from_random([0, 1, 31, 32, 63, 100, 200, 255, 7, 8]);
        // Byte % 32 indexes the alphabet: 1 → "2" (no "1"), 32 → "0", 255 → "z".
        assert_eq!(code, "02z0z59z89");
        assert_eq!(display(&code), "02z0z-59z89");
        assert_eq!(normalise(" 02Z0Z-59Z89 ").as_deref(), Some("02z0z59z89"));
        assert_eq!(normalise("02z0z 59z89").as_deref(), Some("02z0z59z89"));
        // Too short, too long, or with a symbol that is never in a code.
        for bad in [
            "023z2n8z9",
            "023z2n8z9aa",
            "023z2n8z9l",
            "023z2n8z91",
            "123456",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
        assert!(!ALPHABET.contains(&b'o') && !ALPHABET.contains(&b'i'));
    }

    #[test]
    fn the_hash_depends_on_the_account() {
        let h = hash(7, "023z2n8z9a");
        assert_eq!(h.len(), 64);
        assert_eq!(h, hash(7, "023z2n8z9a"));
        assert_ne!(h, hash(8, "023z2n8z9a"));
    }
}
