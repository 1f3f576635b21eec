//! The reproducible draw (DRAW-3): anyone with the record — seed, algorithm
//! version and the candidate list with weights — re-runs it and gets the same
//! enterprises. No hidden random generator is involved.
//!
//! Algorithm `sha256-es-v1` (weighted sampling without replacement,
//! Efraimidis–Spirakis, with keys from SHA-256 as in Rivest's "sampler"):
//! 1. candidates are sorted by id (duplicates refused);
//! 2. for each, `h = SHA-256(seed ‖ ":" ‖ decimal id)`; its first 8 bytes, big
//!    endian, give `x`; `u = (x + 0.5) / 2^64`, strictly inside (0, 1);
//! 3. its key is `ln(u) / w` (IEEE-754 binary64) for its weight `w > 0`;
//! 4. the `n` largest keys are drawn, in descending key order, ties to the
//!    smaller id.
//!
//! A candidate of weight `w` is drawn with probability proportional to `w` at
//! every step (DRAW-10: lower credit, higher weight).

use sha2::{Digest, Sha256};

use crate::error::{DomainError, DomainResult};

pub const ALGORITHM: &str = "sha256-es-v1";

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub id: i64,
    /// Relative chance of being drawn; must be positive and finite.
    pub weight: f64,
}

/// The uniform number of a candidate under a seed, in (0, 1).
pub fn uniform(seed: &str, id: i64) -> f64 {
    Keyer::new(seed).uniform(id)
}

/// SHA-256 with `seed ‖ ":"` already absorbed: each candidate then hashes only
/// its id (the result is the same as hashing the whole text each time).
struct Keyer {
    prefix: Sha256,
}

impl Keyer {
    fn new(seed: &str) -> Keyer {
        let mut prefix = Sha256::new();
        prefix.update(seed.as_bytes());
        prefix.update(b":");
        Keyer { prefix }
    }

    fn uniform(&self, id: i64) -> f64 {
        let mut h = self.prefix.clone();
        let mut digits = [0u8; 20];
        h.update(decimal(id, &mut digits));
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        (u64::from_be_bytes(first) as f64 + 0.5) / 18_446_744_073_709_551_616.0
    }
}

/// The decimal text of `id` (as `to_string` writes it) without allocating.
fn decimal(id: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = id.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if id < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Draws `n` of `candidates` (ids in the order drawn).
pub fn draw(seed: &str, candidates: &[Candidate], n: usize) -> DomainResult<Vec<i64>> {
    let mut sorted = candidates.to_vec();
    sorted.sort_unstable_by_key(|c| c.id);
    draw_sorted(seed, &sorted, n)
}

/// [`draw`] of candidates already sorted by id (a record's list is).
pub fn draw_sorted(seed: &str, sorted: &[Candidate], n: usize) -> DomainResult<Vec<i64>> {
    if seed.trim().is_empty() {
        return Err(DomainError::field("seed", "required", "抽取种子不能为空"));
    }
    if n == 0 {
        return Err(DomainError::field("count", "invalid", "抽取数量应大于0"));
    }
    if n > sorted.len() {
        return Err(DomainError::field(
            "count",
            "too_many",
            format!("抽取数量{n}超过符合条件的企业数{}", sorted.len()),
        ));
    }
    if sorted.windows(2).any(|w| w[0].id >= w[1].id) {
        return Err(DomainError::invalid(
            "duplicate_candidate",
            "候选名单中有重复的企业",
        ));
    }
    if sorted
        .iter()
        .any(|c| !(c.weight.is_finite() && c.weight > 0.0))
    {
        return Err(DomainError::invalid(
            "invalid_weight",
            "候选企业的抽取权重须为正数",
        ));
    }
    let keyer = Keyer::new(seed);
    let mut keyed: Vec<(f64, i64)> = sorted
        .iter()
        .map(|c| (keyer.uniform(c.id).ln() / c.weight, c.id))
        .collect();
    // Descending key, then ascending id: a total order, so the result is
    // unique. Only the first n need sorting (tens of thousands of candidates
    // in a big county, ten drawn).
    let order = |a: &(f64, i64), b: &(f64, i64)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if n < keyed.len() {
        keyed.select_nth_unstable_by(n, order);
        keyed.truncate(n);
    }
    keyed.sort_by(order);
    Ok(keyed.into_iter().map(|(_, id)| id).collect())
}

/// SHA-256 of the candidate list in its recorded text form (one `id:weight`
/// line per candidate, sorted by id), published as the draw's commitment
/// before the list itself may be shown.
pub fn candidates_hash(candidates: &[Candidate]) -> String {
    hash_text(&super::record::encode_candidates(candidates))
}

/// SHA-256 of a candidate list already in its text form.
pub fn hash_text(encoded: &str) -> String {
    hex::encode(Sha256::digest(encoded.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn equal(n: i64) -> Vec<Candidate> {
        (1..=n).map(|id| Candidate { id, weight: 1.0 }).collect()
    }

    #[test]
    fn the_same_record_gives_the_same_draw_in_any_input_order() {
        let mut c = equal(500);
        let a = draw("2025-06-02/玉田/大气股/1", &c, 10).unwrap();
        c.reverse();
        assert_eq!(draw("2025-06-02/玉田/大气股/1", &c, 10).unwrap(), a);
        assert_ne!(draw("2025-06-02/玉田/大气股/2", &c, 10).unwrap(), a);
        assert_eq!(a.len(), 10);
    }

    #[test]
    fn keys_match_hashing_the_whole_text() {
        for id in [0i64, 7, 42, 1_000_000_007, -3, i64::MAX, i64::MIN] {
            let mut h = Sha256::new();
            h.update(format!("seed:{id}").as_bytes());
            let d = h.finalize();
            let x = u64::from_be_bytes(d[..8].try_into().unwrap());
            assert_eq!(
                uniform("seed", id),
                (x as f64 + 0.5) / 18_446_744_073_709_551_616.0
            );
        }
    }

    #[test]
    fn bad_requests_are_refused() {
        assert_eq!(draw("s", &equal(3), 0).unwrap_err().field, Some("count"));
        assert_eq!(draw("s", &equal(3), 4).unwrap_err().code, "too_many");
        let mut dup = equal(3);
        dup.push(Candidate { id: 2, weight: 1.0 });
        assert_eq!(draw("s", &dup, 1).unwrap_err().code, "duplicate_candidate");
        let zero = vec![Candidate { id: 1, weight: 0.0 }];
        assert_eq!(draw("s", &zero, 1).unwrap_err().code, "invalid_weight");
        assert_eq!(draw(" ", &equal(3), 1).unwrap_err().field, Some("seed"));
    }

    #[test]
    fn weights_steer_the_draw() {
        // Ten candidates, the first with weight 4: over many seeds it is drawn
        // first about 4/13 of the time (1/10 without the weight).
        let mut c = equal(10);
        c[0].weight = 4.0;
        let first = (0..4000)
            .filter(|s| draw(&format!("seed-{s}"), &c, 1).unwrap()[0] == 1)
            .count() as f64
            / 4000.0;
        assert!((first - 4.0 / 13.0).abs() < 0.03, "{first}");
    }

    #[test]
    fn the_commitment_depends_on_every_candidate() {
        let c = equal(5);
        let mut d = c.clone();
        d[4].weight = 2.0;
        assert_ne!(candidates_hash(&c), candidates_hash(&d));
        let mut r = c.clone();
        r.reverse();
        assert_eq!(candidates_hash(&c), candidates_hash(&r));
    }

    proptest! {
        #[test]
        fn a_draw_has_n_distinct_candidates(n in 1usize..30, total in 30i64..200, seed in "[a-z0-9]{1,12}") {
            let c = equal(total);
            let d = draw(&seed, &c, n).unwrap();
            let mut unique = d.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), n);
            prop_assert!(d.iter().all(|id| (1..=total).contains(id)));
        }
    }

    #[test]
    fn drawing_every_candidate_ranks_them_all_once() {
        let mut c = equal(12);
        c[3].weight = 3.0;
        let all = draw("全部", &c, 12).unwrap();
        let mut ids = all.clone();
        ids.sort();
        assert_eq!(ids, (1..=12).collect::<Vec<_>>());
        // Asking for fewer draws the same enterprises first: the draw is one
        // ranking, cut at n.
        for n in 1..=12 {
            assert_eq!(draw("全部", &c, n).unwrap(), all[..n], "n = {n}");
        }
        // One candidate, asked for once.
        assert_eq!(draw("s", &equal(1), 1).unwrap(), vec![1]);
    }

    #[test]
    fn the_ranking_follows_the_published_keys() {
        // Anyone re-running a draw by hand computes ln(u) / w per candidate
        // and takes the largest keys first.
        let c: Vec<Candidate> = (1..=30)
            .map(|id| Candidate {
                id: id * 3 - 40,
                weight: [0.5, 0.8, 1.0, 2.0, 3.0][id as usize % 5],
            })
            .collect();
        let seed = "2025-06-02/玉田/水股/7";
        let mut by_hand: Vec<(f64, i64)> = c
            .iter()
            .map(|x| (uniform(seed, x.id).ln() / x.weight, x.id))
            .collect();
        by_hand.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
        let expected: Vec<i64> = by_hand.iter().take(8).map(|k| k.1).collect();
        assert_eq!(draw(seed, &c, 8).unwrap(), expected);
        for x in &c {
            let u = uniform(seed, x.id);
            assert!(u > 0.0 && u < 1.0);
        }
    }

    #[test]
    fn weights_that_are_not_positive_numbers_are_refused() {
        for w in [-1.0, 0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut c = equal(3);
            c[1].weight = w;
            assert_eq!(
                draw("s", &c, 1).unwrap_err().code,
                "invalid_weight",
                "weight {w}"
            );
        }
        let mut c = equal(3);
        c[1].weight = f64::MIN_POSITIVE;
        assert!(draw("s", &c, 3).is_ok());
    }

    #[test]
    fn asking_for_more_than_there_are_says_how_many_there_are() {
        let err = draw("s", &equal(3), 4).unwrap_err();
        assert_eq!(err.field, Some("count"));
        assert!(err.message.contains("符合条件的企业数3"), "{err}");
        assert!(draw("s", &[], 1).is_err());
    }

    #[test]
    fn a_small_hash_still_takes_the_half_step() {
        // Under "seed", id 6459 hashes to x = 9 955 497 901 309 (the first 8
        // bytes, below 2^53): small enough that the published u = (x + 0.5) /
        // 2^64 differs from any other rounding of x, as a re-run by hand must.
        let x = 9_955_497_901_309u64;
        let mut h = Sha256::new();
        h.update(b"seed:6459");
        assert_eq!(u64::from_be_bytes(h.finalize()[..8].try_into().unwrap()), x);
        assert_eq!(
            uniform("seed", 6459),
            9_955_497_901_309.5 / 18_446_744_073_709_551_616.0
        );
    }
}
