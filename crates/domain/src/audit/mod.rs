//! The audit trail (全程留痕、可追溯, AUDIT-1): every change is an entry whose
//! hash is SM3 (GB/T 32905) over the previous entry's hash and the entry's
//! canonical text. Altering, deleting or reordering any stored entry breaks the
//! chain at that point, which `verify` reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};

pub mod diff;
pub mod seal;

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Account id of the actor; `None` for the system itself (migrations, jobs, demo).
    pub actor_id: Option<i64>,
    /// Login of the actor at the time, kept verbatim so that later renames don't rewrite history.
    pub actor: String,
    /// What happened, e.g. `person.create`.
    pub action: String,
    /// Kind of record changed, e.g. `person`.
    pub entity: String,
    pub entity_id: String,
    /// JSON text of the record before the change (`null` when created). Kept
    /// and hashed as text: a database that normalises JSON (PostgreSQL's jsonb)
    /// must not be able to change what was hashed.
    pub before: String,
    /// JSON text of the record after the change (`null` when deleted).
    pub after: String,
}

/// Canonical JSON text of a value: serde_json orders map keys, so the same
/// record always gives the same text.
pub fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .and_then(|v| serde_json::to_string(&v))
        .unwrap_or_else(|_| "null".to_string())
}

impl AuditEntry {
    /// The exact text that is hashed. Fields are separated by a character that JSON escapes and names never hold.
    pub fn canonical(&self) -> String {
        format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.seq,
            crate::time::canonical(self.at),
            self.actor_id.map(|v| v.to_string()).unwrap_or_default(),
            self.actor,
            self.action,
            self.entity,
            self.entity_id,
            self.before,
            self.after,
        )
    }

    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sm3::new();
        h.update(prev_hash.as_bytes());
        h.update([0x1e]);
        h.update(self.canonical().as_bytes());
        hex::encode(h.finalize())
    }
}

/// One stored entry with the hashes that were stored beside it.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A sequence number is missing: an entry was deleted (or entries reordered).
    Gap { expected: i64, found: i64 },
    /// An entry's `prev_hash` is not the hash of the entry before it.
    BrokenLink { seq: i64 },
    /// An entry's content no longer hashes to its stored hash: it was altered.
    Altered { seq: i64 },
    /// The chain head (last seq and hash, kept separately) does not match the
    /// last entry: entries were deleted from the end.
    HeadMismatch { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Gap { expected, found } => write!(
                f,
                "entry {expected} is missing (next entry is {found}): deleted or reordered"
            ),
            Finding::BrokenLink { seq } => write!(
                f,
                "entry {seq}: prev_hash does not match the previous entry: chain broken"
            ),
            Finding::Altered { seq } => {
                write!(f, "entry {seq}: content does not match its hash: altered")
            }
            Finding::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "chain head says {head_seq} entries but the log ends at {last_seq}: entries deleted at the end"
            ),
        }
    }
}

/// Incremental verifier, so that a long log is streamed rather than loaded whole.
#[derive(Debug)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    pub findings: Vec<Finding>,
    pub checked: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            findings: Vec::new(),
            checked: 0,
        }
    }
}

impl Verifier {
    pub fn push(&mut self, stored: &StoredEntry) {
        let seq = stored.entry.seq;
        if seq != self.expected_seq {
            self.findings.push(Finding::Gap {
                expected: self.expected_seq,
                found: seq,
            });
        }
        if stored.prev_hash != self.prev_hash {
            self.findings.push(Finding::BrokenLink { seq });
        }
        if stored.entry.hash(&stored.prev_hash) != stored.hash {
            self.findings.push(Finding::Altered { seq });
        }
        self.prev_hash = stored.hash.clone();
        self.expected_seq = seq + 1;
        self.checked += 1;
    }

    /// Compare with the separately stored head after the last entry.
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> Vec<Finding> {
        let last_seq = self.expected_seq - 1;
        if head_seq != last_seq || (head_seq > 0 && head_hash != self.prev_hash) {
            self.findings
                .push(Finding::HeadMismatch { head_seq, last_seq });
        }
        self.findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let entry = AuditEntry {
                    seq,
                    at: Utc.with_ymd_and_hms(2025, 5, 1, 8, 0, seq as u32).unwrap(),
                    actor_id: Some(7),
                    actor: "tssytx_dq".into(),
                    action: "person.update".into(),
                    entity: "person".into(),
                    entity_id: seq.to_string(),
                    before: json_text(&json!({"name": "张三", "status": "enabled"})),
                    after: json_text(&json!({"status": "disabled", "name": "张三"})),
                };
                let hash = entry.hash(&prev);
                let stored = StoredEntry {
                    entry,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                stored
            })
            .collect()
    }

    fn verify(entries: &[StoredEntry], head_seq: i64, head_hash: &str) -> Vec<Finding> {
        let mut v = Verifier::default();
        entries.iter().for_each(|e| v.push(e));
        v.finish(head_seq, head_hash)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert!(verify(&c, 5, &c[4].hash).is_empty());
    }

    #[test]
    fn altered_entry_is_found() {
        let mut c = chain(5);
        c[2].entry.after = json_text(&json!({"status": "enabled"}));
        let f = verify(&c, 5, &c[4].hash.clone());
        assert_eq!(f, vec![Finding::Altered { seq: 3 }]);
    }

    #[test]
    fn deleted_entry_is_found() {
        let mut c = chain(5);
        c.remove(1);
        let f = verify(&c, 5, &c[3].hash.clone());
        assert!(f.contains(&Finding::Gap {
            expected: 2,
            found: 3
        }));
        assert!(f.contains(&Finding::BrokenLink { seq: 3 }));
    }

    #[test]
    fn reordered_entries_are_found() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert!(!verify(&c, 5, &c[4].hash.clone()).is_empty());
    }

    #[test]
    fn truncated_tail_is_found() {
        let mut c = chain(5);
        c.pop();
        let f = verify(&c, 5, "whatever");
        assert_eq!(
            f,
            vec![Finding::HeadMismatch {
                head_seq: 5,
                last_seq: 4
            }]
        );
    }

    #[test]
    fn key_order_does_not_change_the_hash() {
        let c = chain(1);
        let mut e = c[0].entry.clone();
        let reordered: serde_json::Value =
            serde_json::from_str(r#"{"status":"disabled","name":"张三"}"#).unwrap();
        e.after = json_text(&reordered);
        assert_eq!(e.hash(GENESIS), c[0].hash);
    }

    /// Rewrites entry `i` and re-hashes it (and every later one) so that the
    /// chain itself stays consistent, as someone with write access would.
    fn rewrite(c: &mut [StoredEntry], i: usize, after: serde_json::Value) {
        c[i].entry.after = json_text(&after);
        let mut prev = c[i].prev_hash.clone();
        for s in c[i..].iter_mut() {
            s.prev_hash = prev.clone();
            s.hash = s.entry.hash(&prev);
            prev = s.hash.clone();
        }
    }

    #[test]
    fn a_rewritten_and_rehashed_tail_is_caught_by_the_head() {
        let c = chain(5);
        let head_hash = c[4].hash.clone();
        // The last entry alone.
        let mut last = c.clone();
        rewrite(&mut last, 4, json!({"status": "enabled"}));
        assert_eq!(
            verify(&last, 5, &head_hash),
            vec![Finding::HeadMismatch {
                head_seq: 5,
                last_seq: 5
            }]
        );
        // An earlier entry and all after it.
        let mut tail = c.clone();
        rewrite(&mut tail, 1, json!({"status": "enabled"}));
        assert_eq!(
            verify(&tail, 5, &head_hash),
            vec![Finding::HeadMismatch {
                head_seq: 5,
                last_seq: 5
            }]
        );
        // The head must name the last entry's hash, not merely its number.
        assert!(verify(&c, 5, &head_hash).is_empty());
        assert!(!verify(&c, 5, &c[3].hash).is_empty());
    }

    #[test]
    fn an_empty_log_with_a_fresh_head_is_intact() {
        assert!(verify(&[], 0, GENESIS).is_empty());
        // Entries deleted from the end, down to none at all.
        let c = chain(2);
        assert_eq!(
            verify(&[], 2, &c[1].hash),
            vec![Finding::HeadMismatch {
                head_seq: 2,
                last_seq: 0
            }]
        );
    }

    #[test]
    fn the_verifier_counts_every_entry_it_checked() {
        let c = chain(4);
        let mut v = Verifier::default();
        c.iter().for_each(|e| v.push(e));
        assert_eq!(v.checked, 4);
        // Damaged entries are checked (and counted) too.
        let mut d = chain(3);
        d.remove(0);
        let mut v = Verifier::default();
        d.iter().for_each(|e| v.push(e));
        assert_eq!(v.checked, 2);
    }

    #[test]
    fn findings_read_as_what_happened() {
        assert_eq!(
            Finding::Gap {
                expected: 2,
                found: 3
            }
            .to_string(),
            "entry 2 is missing (next entry is 3): deleted or reordered"
        );
        assert_eq!(
            Finding::BrokenLink { seq: 3 }.to_string(),
            "entry 3: prev_hash does not match the previous entry: chain broken"
        );
        assert_eq!(
            Finding::Altered { seq: 4 }.to_string(),
            "entry 4: content does not match its hash: altered"
        );
        assert_eq!(
            Finding::HeadMismatch {
                head_seq: 5,
                last_seq: 4
            }
            .to_string(),
            "chain head says 5 entries but the log ends at 4: entries deleted at the end"
        );
    }
}
