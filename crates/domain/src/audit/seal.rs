//! Seals of the audit chain's head (AUDIT-2).
//!
//! The chain alone proves nothing against someone who can write the
//! database: they can rewrite an entry and re-hash everything after it, or
//! delete entries from the end and move the head back. A seal is an
//! HMAC-SM3, under a key kept outside the database, of the head at a moment
//! (its number and hash). Seals are chained to each other as well, so a
//! removed seal breaks the next one. Whoever lacks the key can neither forge
//! a seal for a rewritten chain nor move one: a sealed entry that is missing
//! or differs is found by [`check`].

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sm3::{Digest, Sm3};

use super::GENESIS;

/// The key that seals the chain: at least 32 bytes, kept outside the
/// database (a file of the server's, or its environment).
#[derive(Clone)]
pub struct SealKey {
    bytes: Vec<u8>,
    id: String,
}

/// Shortest key accepted: 256 bits, SM3's own output size.
pub const MIN_KEY_BYTES: usize = 32;

impl std::fmt::Debug for SealKey {
    // Never print the key itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealKey({})", self.id)
    }
}

impl SealKey {
    pub fn new(bytes: Vec<u8>) -> Result<SealKey, String> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(format!(
                "audit seal key: at least {MIN_KEY_BYTES} bytes, got {}",
                bytes.len()
            ));
        }
        // The id names the key in each seal (so a verifier with another key
        // says so instead of calling every seal forged) without revealing it.
        let mut h = Sm3::new();
        h.update(b"yici audit seal key id\x1e");
        h.update(&bytes);
        let id = hex::encode(&h.finalize()[..8]);
        Ok(SealKey { bytes, id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The seal's MAC: HMAC-SM3 (GB/T 32905 in RFC 2104's construction)
    /// over the seal's canonical text.
    pub fn mac(&self, body: &SealBody) -> String {
        let mut m =
            <Hmac<Sm3> as Mac>::new_from_slice(&self.bytes).expect("HMAC takes any key length");
        m.update(body.canonical().as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    /// Seals `body`: the stored row.
    pub fn seal(&self, body: SealBody) -> Seal {
        let mac = self.mac(&body);
        Seal { body, mac }
    }
}

/// What a seal states: the head after entry `head_seq` had hash `head_hash`
/// at `sealed_at`; `prev_mac` links it to the seal before (GENESIS for the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealBody {
    pub no: i64,
    pub sealed_at: DateTime<Utc>,
    pub head_seq: i64,
    pub head_hash: String,
    pub key_id: String,
    pub prev_mac: String,
}

impl SealBody {
    fn canonical(&self) -> String {
        format!(
            "yici-audit-seal\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.no,
            crate::time::canonical(self.sealed_at),
            self.head_seq,
            self.head_hash,
            self.key_id,
            self.prev_mac
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub body: SealBody,
    pub mac: String,
}

impl Seal {
    /// The body of the seal that follows `last` (or the first one).
    pub fn next_body(
        last: Option<&Seal>,
        key: &SealKey,
        sealed_at: DateTime<Utc>,
        head_seq: i64,
        head_hash: String,
    ) -> SealBody {
        SealBody {
            no: last.map_or(1, |s| s.body.no + 1),
            sealed_at: crate::time::truncate(sealed_at),
            head_seq,
            head_hash,
            key_id: key.id().to_string(),
            prev_mac: last.map_or_else(|| GENESIS.to_string(), |s| s.mac.clone()),
        }
    }
}

/// What checking the seals found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealFinding {
    /// The MAC does not match under our key: the seal was forged or altered.
    Forged { no: i64 },
    /// A seal is missing or out of place in the seals' own chain.
    Unlinked { no: i64 },
    /// The entry a seal covers is gone: entries were removed (at the tail,
    /// with the head moved back, or anywhere before it).
    SealedEntryMissing { no: i64, seq: i64 },
    /// The entry a seal covers has another hash now: the chain was rewritten
    /// and re-hashed.
    SealedEntryDiffers { no: i64, seq: i64 },
}

impl std::fmt::Display for SealFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SealFinding::Forged { no } => {
                write!(
                    f,
                    "seal {no}: MAC does not match the key: forged or altered"
                )
            }
            SealFinding::Unlinked { no } => write!(
                f,
                "seal {no}: does not follow the seal before it: a seal was removed or replaced"
            ),
            SealFinding::SealedEntryMissing { no, seq } => write!(
                f,
                "seal {no} covers entry {seq}, which is missing: entries removed (tail truncated)"
            ),
            SealFinding::SealedEntryDiffers { no, seq } => write!(
                f,
                "seal {no} covers entry {seq}, whose hash has changed: chain rewritten"
            ),
        }
    }
}

/// The outcome of [`check`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SealReport {
    pub findings: Vec<SealFinding>,
    /// Seals whose MAC was checked with our key.
    pub checked: usize,
    /// Seals made under another key (rotated, or another installation's):
    /// linked and compared with the log, but their MAC not checked.
    pub other_key: usize,
}

/// Checks `seals` (in order of their number) with `key`, and each against
/// the log: `entry_hash(seq)` is the stored hash of entry `seq`, if any.
/// Without a key only the links and the log are compared.
pub fn check(
    seals: &[Seal],
    key: Option<&SealKey>,
    entry_hash: impl Fn(i64) -> Option<String>,
) -> SealReport {
    let mut report = SealReport::default();
    let mut prev: Option<&Seal> = None;
    for seal in seals {
        let b = &seal.body;
        let expected_no = prev.map_or(1, |p| p.body.no + 1);
        let expected_prev = prev.map_or(GENESIS, |p| p.mac.as_str());
        let moved_back = prev.is_some_and(|p| b.head_seq < p.body.head_seq);
        if b.no != expected_no || b.prev_mac != expected_prev || moved_back {
            report.findings.push(SealFinding::Unlinked { no: b.no });
        }
        match key {
            Some(key) if key.id() == b.key_id => {
                report.checked += 1;
                if key.mac(b) != seal.mac {
                    report.findings.push(SealFinding::Forged { no: b.no });
                }
            }
            _ => report.other_key += 1,
        }
        if b.head_seq > 0 {
            match entry_hash(b.head_seq) {
                None => report.findings.push(SealFinding::SealedEntryMissing {
                    no: b.no,
                    seq: b.head_seq,
                }),
                Some(h) if h != b.head_hash => {
                    report.findings.push(SealFinding::SealedEntryDiffers {
                        no: b.no,
                        seq: b.head_seq,
                    })
                }
                Some(_) => {}
            }
        }
        prev = Some(seal);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashMap;

    fn key(b: u8) -> SealKey {
        SealKey::new(vec![b; 32]).unwrap()
    }

    /// Seals over a log whose entry `seq` has hash `h{seq}`, sealed at 3, 5 and 8.
    fn sealed(key: &SealKey) -> (Vec<Seal>, HashMap<i64, String>) {
        let log: HashMap<i64, String> = (1..=8).map(|s| (s, format!("h{s}"))).collect();
        let mut seals: Vec<Seal> = Vec::new();
        for (i, head) in [3, 5, 8].into_iter().enumerate() {
            let at = Utc
                .with_ymd_and_hms(2026, 12, 7, 8, i as u32 * 10, 0)
                .unwrap();
            let body = Seal::next_body(seals.last(), key, at, head, log[&head].clone());
            seals.push(key.seal(body));
        }
        (seals, log)
    }

    #[test]
    fn sm3_is_the_standards_hash() {
        // GB/T 32905-2016, example 1.
        assert_eq!(
            hex::encode(Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn the_mac_is_rfc_2104_hmac_over_sm3() {
        // HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), SM3's block is 64 bytes.
        let k = key(7);
        let body = Seal::next_body(None, &k, Utc::now(), 4, "abcd".into());
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&[7u8; 32]);
        let inner = Sm3::new()
            .chain_update(block.map(|b| b ^ 0x36))
            .chain_update(body.canonical().as_bytes())
            .finalize();
        let outer = Sm3::new()
            .chain_update(block.map(|b| b ^ 0x5c))
            .chain_update(inner)
            .finalize();
        assert_eq!(k.mac(&body), hex::encode(outer));
    }

    #[test]
    fn short_keys_are_refused_and_keys_never_printed() {
        assert!(SealKey::new(vec![1; 31]).is_err());
        let k = key(1);
        assert_eq!(k.id().len(), 16);
        assert!(!format!("{k:?}").contains("0101"));
        assert_ne!(key(1).id(), key(2).id());
    }

    #[test]
    fn intact_seals_check() {
        let k = key(1);
        let (seals, log) = sealed(&k);
        let r = check(&seals, Some(&k), |s| log.get(&s).cloned());
        assert_eq!(r.findings, vec![]);
        assert_eq!((r.checked, r.other_key), (3, 0));
    }

    #[test]
    fn a_truncated_tail_is_found_by_the_seal_covering_it() {
        let k = key(1);
        let (seals, mut log) = sealed(&k);
        log.remove(&8);
        log.remove(&7);
        let r = check(&seals, Some(&k), |s| log.get(&s).cloned());
        assert_eq!(
            r.findings,
            vec![SealFinding::SealedEntryMissing { no: 3, seq: 8 }]
        );
    }

    #[test]
    fn a_rehashed_chain_is_found() {
        let k = key(1);
        let (seals, mut log) = sealed(&k);
        for s in 4..=8 {
            log.insert(s, format!("rewritten{s}"));
        }
        let r = check(&seals, Some(&k), |s| log.get(&s).cloned());
        assert_eq!(
            r.findings,
            vec![
                SealFinding::SealedEntryDiffers { no: 2, seq: 5 },
                SealFinding::SealedEntryDiffers { no: 3, seq: 8 }
            ]
        );
    }

    #[test]
    fn a_seal_made_without_the_key_is_forged_and_a_removed_one_unlinks_the_next() {
        let k = key(1);
        let (mut seals, log) = sealed(&k);
        // Someone re-seals a rewritten head with a key id copied from a real seal.
        seals[2].body.head_hash = "h7".into();
        seals[2].body.head_seq = 7;
        seals[2].mac = key(9).mac(&seals[2].body);
        let r = check(&seals, Some(&k), |s| log.get(&s).cloned());
        assert_eq!(r.findings, vec![SealFinding::Forged { no: 3 }]);

        let (mut seals, log) = sealed(&k);
        seals.remove(1);
        let r = check(&seals, Some(&k), |s| log.get(&s).cloned());
        assert_eq!(r.findings, vec![SealFinding::Unlinked { no: 3 }]);
    }

    #[test]
    fn without_the_key_links_and_log_are_still_compared() {
        let k = key(1);
        let (seals, mut log) = sealed(&k);
        let r = check(&seals, Some(&key(2)), |s| log.get(&s).cloned());
        assert_eq!((r.checked, r.other_key, r.findings.len()), (0, 3, 0));
        log.remove(&8);
        let r = check(&seals, None, |s| log.get(&s).cloned());
        assert_eq!(
            r.findings,
            vec![SealFinding::SealedEntryMissing { no: 3, seq: 8 }]
        );
    }
}
