//! A draw's record (DRAW-3) and its re-verification. The record keeps the seed,
//! the algorithm version, the filter and the candidate list with the weights
//! applied; from it anyone recomputes the commitment published at the time of
//! the draw and the enterprises drawn.
//!
//! Text forms, fixed because people re-run them by hand:
//! - candidate list: one `id:weight` line per candidate, sorted by id, each
//!   line ending in `\n` (weights in Rust's shortest round-trip decimal form);
//!   its SHA-256 is the candidates hash ([`super::sampler::candidates_hash`]);
//! - commitment: SHA-256 of `algorithm \n candidates_hash \n seed \n count`,
//!   shown publicly at once; the seed and the list follow after the visits.

use sha2::{Digest, Sha256};

use super::sampler::{self, Candidate, ALGORITHM};
use crate::error::{DomainError, DomainResult};

/// The candidate list in its recorded text form.
pub fn encode_candidates(candidates: &[Candidate]) -> String {
    let mut sorted = candidates.to_vec();
    sorted.sort_unstable_by_key(|c| c.id);
    encode_sorted(&sorted)
}

/// [`encode_candidates`] of a list already sorted by id. A county's list runs
/// to tens of thousands of lines with a handful of distinct weights, so each
/// weight's text is made once.
fn encode_sorted(sorted: &[Candidate]) -> String {
    use std::fmt::Write;
    let mut weights: Vec<(u64, String)> = Vec::new();
    let mut out = String::with_capacity(sorted.len() * 12);
    for c in sorted {
        let bits = c.weight.to_bits();
        let w = match weights.iter().position(|(b, _)| *b == bits) {
            Some(i) => i,
            None => {
                weights.push((bits, c.weight.to_string()));
                weights.len() - 1
            }
        };
        let _ = write!(out, "{}:", c.id);
        out.push_str(&weights[w].1);
        out.push('\n');
    }
    out
}

pub fn decode_candidates(text: &str) -> DomainResult<Vec<Candidate>> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (id, weight) = line.split_once(':').ok_or_else(|| bad_line(line))?;
            Ok(Candidate {
                id: id.parse().map_err(|_| bad_line(line))?,
                weight: weight.parse().map_err(|_| bad_line(line))?,
            })
        })
        .collect()
}

fn bad_line(line: &str) -> DomainError {
    DomainError::invalid("invalid_candidates", format!("候选名单格式有误：“{line}”"))
}

pub fn commitment(algorithm: &str, candidates_hash: &str, seed: &str, count: usize) -> String {
    let mut h = Sha256::new();
    h.update(format!("{algorithm}\n{candidates_hash}\n{seed}\n{count}").as_bytes());
    hex::encode(h.finalize())
}

/// A draw as recorded.
#[derive(Debug, Clone)]
pub struct DrawRecord {
    pub algorithm: String,
    pub seed: String,
    pub candidates: String,
    pub candidates_hash: String,
    pub commitment: String,
    /// Ids in the order drawn.
    pub result: Vec<i64>,
}

/// The outcome of re-running a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = DrawVerification)] // a schema name of its own (several `Verification`s)
pub struct Verification {
    pub candidates_hash_matches: bool,
    pub commitment_matches: bool,
    pub result_matches: bool,
    /// What the re-run draws, in order.
    pub recomputed: Vec<i64>,
}

impl Verification {
    pub fn holds(&self) -> bool {
        self.candidates_hash_matches && self.commitment_matches && self.result_matches
    }
}

/// Seeds a draw: fresh, unpredictable to whoever asks for the draw, printable.
/// The caller supplies the random bytes (the domain does no I/O).
pub fn seed_from(random: [u8; 16]) -> String {
    hex::encode(random)
}

/// Makes a new record: draws `count` of `candidates` under `seed`.
pub fn make(seed: &str, candidates: &[Candidate], count: usize) -> DomainResult<DrawRecord> {
    let mut sorted = candidates.to_vec();
    sorted.sort_unstable_by_key(|c| c.id);
    let result = sampler::draw_sorted(seed, &sorted, count)?;
    let encoded = encode_sorted(&sorted);
    let candidates_hash = sampler::hash_text(&encoded);
    Ok(DrawRecord {
        algorithm: ALGORITHM.to_string(),
        seed: seed.to_string(),
        candidates: encoded,
        commitment: commitment(ALGORITHM, &candidates_hash, seed, count),
        candidates_hash,
        result,
    })
}

/// Re-runs a record from its text. An unknown algorithm version is an error,
/// not a mismatch: the version names the procedure to re-run.
pub fn verify(record: &DrawRecord) -> DomainResult<Verification> {
    if record.algorithm != ALGORITHM {
        return Err(DomainError::invalid(
            "unknown_algorithm",
            format!("不支持的抽取算法版本“{}”", record.algorithm),
        ));
    }
    let candidates = decode_candidates(&record.candidates)?;
    let hash = sampler::hash_text(&record.candidates);
    let count = record.result.len();
    // The text is sorted by id when it is right; if someone reordered it the
    // hash no longer matches, and the re-run still uses the sorted list.
    let recomputed = sampler::draw(&record.seed, &candidates, count)?;
    Ok(Verification {
        candidates_hash_matches: hash == record.candidates_hash,
        commitment_matches: commitment(&record.algorithm, &hash, &record.seed, count)
            == record.commitment,
        result_matches: recomputed == record.result,
        recomputed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates() -> Vec<Candidate> {
        (1..=40)
            .map(|id| Candidate {
                id: id * 7,
                weight: if id % 5 == 0 { 3.0 } else { 0.8 },
            })
            .collect()
    }

    #[test]
    fn a_record_verifies_and_its_text_round_trips() {
        let r = make("00ff", &candidates(), 5).unwrap();
        assert_eq!(decode_candidates(&r.candidates).unwrap().len(), 40);
        assert!(r.candidates.starts_with("7:0.8\n14:0.8\n"));
        let v = verify(&r).unwrap();
        assert!(v.holds(), "{v:?}");
        assert_eq!(v.recomputed, r.result);
    }

    #[test]
    fn any_change_to_the_record_is_found() {
        let r = make("00ff", &candidates(), 5).unwrap();
        let mut seed = r.clone();
        seed.seed = "00fe".into();
        let v = verify(&seed).unwrap();
        assert!(!v.commitment_matches);
        let mut list = r.clone();
        list.candidates = list.candidates.replacen("7:0.8", "7:5", 1);
        assert!(!verify(&list).unwrap().candidates_hash_matches);
        let mut result = r.clone();
        result.result.reverse();
        assert!(!verify(&result).unwrap().result_matches);
        let mut algo = r;
        algo.algorithm = "v0".into();
        assert_eq!(verify(&algo).unwrap_err().code, "unknown_algorithm");
        assert_eq!(
            decode_candidates("1:x\n").unwrap_err().code,
            "invalid_candidates"
        );
    }

    #[test]
    fn the_recorded_list_reads_back_as_the_candidates_with_their_weights() {
        let mut c = candidates();
        c.reverse();
        let text = encode_candidates(&c);
        // Sorted by id, one `id:weight` line each, every line ending in \n.
        assert!(text.starts_with("7:0.8\n14:0.8\n21:0.8\n28:0.8\n35:3\n42:0.8\n"));
        assert!(text.ends_with("280:3\n"));
        assert_eq!(text.lines().count(), 40);
        let back = decode_candidates(&text).unwrap();
        c.reverse();
        assert_eq!(back, c);
        // Blank lines are tolerated (a trailing newline, a hand-edited copy).
        assert_eq!(decode_candidates("1:1\n\n2:0.5\n").unwrap().len(), 2);
        assert_eq!(decode_candidates("").unwrap(), vec![]);
        for bad in ["1\n", "x:1\n", "1:\n", "1:1\n2;3\n"] {
            let err = decode_candidates(bad).unwrap_err();
            assert_eq!(err.code, "invalid_candidates", "{bad:?}");
        }
        let err = decode_candidates("5:1\nabc\n").unwrap_err();
        assert!(err.message.contains("“abc”"), "{err}");
    }

    #[test]
    fn a_record_holds_only_when_everything_matches() {
        let r = make("00ff", &candidates(), 5).unwrap();
        let v = verify(&r).unwrap();
        assert!(v.candidates_hash_matches && v.commitment_matches && v.result_matches);
        assert!(v.holds());
        for broken in [
            Verification {
                candidates_hash_matches: false,
                ..v.clone()
            },
            Verification {
                commitment_matches: false,
                ..v.clone()
            },
            Verification {
                result_matches: false,
                ..v.clone()
            },
        ] {
            assert!(!broken.holds(), "{broken:?}");
        }
        // A record whose count was changed after the draw no longer matches
        // its commitment, and the re-run draws another number.
        let mut more = r.clone();
        more.result.push(7);
        let v = verify(&more).unwrap();
        assert!(!v.commitment_matches);
        assert!(!v.result_matches);
        assert_eq!(v.recomputed.len(), 6);
        // An unchanged list still matches its hash.
        assert!(v.candidates_hash_matches);
    }

    #[test]
    fn the_commitment_is_sha256_of_the_four_lines() {
        let r = make("00ff", &candidates(), 5).unwrap();
        assert_eq!(r.algorithm, ALGORITHM);
        assert_eq!(r.seed, "00ff");
        assert_eq!(r.candidates_hash, sampler::hash_text(&r.candidates));
        assert_eq!(r.candidates_hash, sampler::candidates_hash(&candidates()));
        let text = format!("{ALGORITHM}\n{}\n00ff\n5", r.candidates_hash);
        assert_eq!(r.commitment, hex::encode(Sha256::digest(text.as_bytes())));
        assert_eq!(r.commitment.len(), 64);
        assert_eq!(r.result, sampler::draw("00ff", &candidates(), 5).unwrap());
        // A bad request is refused when the record is made.
        assert_eq!(
            make("00ff", &candidates(), 41).unwrap_err().code,
            "too_many"
        );
    }

    #[test]
    fn a_seed_is_the_random_bytes_in_hex() {
        let seed = seed_from([0xab; 16]);
        assert_eq!(seed, "ab".repeat(16));
        assert_eq!(seed_from([0; 16]), "0".repeat(32));
    }

    #[test]
    fn a_rewritten_candidate_text_no_longer_matches_its_published_hash() {
        // Whoever checks by hand hashes the text as stored: lines reordered
        // or a weight written another way give another hash, and so another
        // commitment, even though the same enterprises are drawn.
        let r = make("00ff", &candidates(), 5).unwrap();
        let mut reordered = r.clone();
        let mut lines: Vec<&str> = r.candidates.lines().collect();
        lines.reverse();
        reordered.candidates = lines.iter().map(|l| format!("{l}\n")).collect();
        let mut reformatted = r.clone();
        reformatted.candidates = r.candidates.replacen("7:0.8\n", "7:0.80\n", 1);
        for changed in [reordered, reformatted] {
            assert_ne!(sampler::hash_text(&changed.candidates), r.candidates_hash);
            let v = verify(&changed).unwrap();
            assert!(!v.candidates_hash_matches);
            assert!(!v.commitment_matches);
            assert!(v.result_matches);
            assert!(!v.holds());
        }
    }
}
