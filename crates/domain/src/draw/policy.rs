//! How credit and the positive list steer a draw (DRAW-10), and when an
//! uncapped source "明显超过合理频次" (DRAW-7). All of it is configuration with
//! these defaults; the weights applied are written into each draw's candidate
//! list, so a later change of configuration never changes a past draw.
//!
//! **Probability.** A random extraction of `n` from candidates with weights
//! `w₁ … w_k` draws one at a time without replacement: at each step a
//! remaining candidate `i` is taken with probability `wᵢ / Σ remaining w`
//! (Efraimidis–Spirakis, see [`super::sampler`]). With the default weights an
//! enterprise graded E is three times as likely as one graded C to be taken
//! first, and six times as likely as one graded A. Enterprises on the positive
//! list (正面清单) are not candidates of a random on-site draw at all; closed or
//! suspended enterprises neither.
//!
//! **Minimum chance.** No grade's weight counts for less than
//! `minimum_weight_share` of the largest configured weight (RES-3: every
//! enterprise keeps a minimum chance of being drawn). The default, 0.1, leaves
//! the default weights as they are (A's 0.5 is a sixth of E's 3); it only
//! lifts a configuration that sets some grade's weight near zero.

use serde::{Deserialize, Serialize};

use super::caps::Caps;
use crate::registry::enterprise::CreditGrade;

/// Draw weight by credit grade (lower credit, higher weight).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreditWeights {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    /// Not yet rated.
    pub unrated: f64,
    /// The smallest weight as a share of the largest: a grade configured
    /// below it is drawn with this weight instead (0 ≤ share ≤ 1).
    pub minimum_weight_share: f64,
}

/// The default minimum share: below every default ratio (A/E is 1/6).
pub const DEFAULT_MINIMUM_WEIGHT_SHARE: f64 = 0.1;

impl Default for CreditWeights {
    fn default() -> Self {
        CreditWeights {
            a: 0.5,
            b: 0.8,
            c: 1.0,
            d: 2.0,
            e: 3.0,
            unrated: 1.0,
            minimum_weight_share: DEFAULT_MINIMUM_WEIGHT_SHARE,
        }
    }
}

impl CreditWeights {
    /// The weight a candidate of `grade` is drawn with: the configured one,
    /// lifted to the minimum share of the largest when below it.
    pub fn of(&self, grade: Option<CreditGrade>) -> f64 {
        self.configured(grade).max(self.floor())
    }

    /// The lowest weight any candidate is drawn with, to six decimals: the
    /// draw record prints weights, and 3 × 0.2 is 0.6000000000000001 in
    /// binary floating point.
    pub fn floor(&self) -> f64 {
        let largest = [self.a, self.b, self.c, self.d, self.e, self.unrated]
            .into_iter()
            .fold(0.0, f64::max);
        (largest * self.minimum_weight_share * 1e6).round() / 1e6
    }

    /// The weight as configured for `grade`, before the minimum.
    pub fn configured(&self, grade: Option<CreditGrade>) -> f64 {
        match grade {
            Some(CreditGrade::A) => self.a,
            Some(CreditGrade::B) => self.b,
            Some(CreditGrade::C) => self.c,
            Some(CreditGrade::D) => self.d,
            Some(CreditGrade::E) => self.e,
            None => self.unrated,
        }
    }

    /// Every weight must be a positive, finite number, and the minimum
    /// share a fraction.
    pub fn is_valid(&self) -> bool {
        [self.a, self.b, self.c, self.d, self.e, self.unrated]
            .iter()
            .all(|w| w.is_finite() && *w > 0.0)
            && (0.0..=1.0).contains(&self.minimum_weight_share)
    }
}

/// The rules a unit's draws follow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawPolicy {
    pub caps: Caps,
    pub weights: CreditWeights,
    /// Tasks of uncapped sources by one unit on one enterprise in a year from
    /// which on a new one needs an acknowledged reason (DRAW-7): by default the
    /// third such check in a year, i.e. more than the capped sources allow.
    pub reasonable_per_unit: u32,
}

impl Default for DrawPolicy {
    fn default() -> Self {
        DrawPolicy {
            caps: Caps::default(),
            weights: CreditWeights::default(),
            reasonable_per_unit: 2,
        }
    }
}

impl DrawPolicy {
    /// Whether a new uncapped task, after `already` uncapped tasks of the
    /// unit on the enterprise this year, needs an acknowledged reason. Capped
    /// (routine) tasks do not count: they have caps of their own, and
    /// counting them made the first complaint after two routine checks need
    /// a reason.
    pub fn needs_acknowledgement(&self, already: u32) -> bool {
        already >= self.reasonable_per_unit
    }

    /// The refusal's text: the count it was decided on, and what one more
    /// would be.
    pub fn frequency_warning(&self, already: u32) -> String {
        format!(
            "本单位本年度已对该企业开展{already}次上限外检查（投诉举报、专项等），再次检查将超过合理频次（{}次），须填写确认理由后方可发起",
            self.reasonable_per_unit
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_credit_weighs_more() {
        let w = CreditWeights::default();
        let order = [
            Some(CreditGrade::A),
            Some(CreditGrade::B),
            Some(CreditGrade::C),
            Some(CreditGrade::D),
            Some(CreditGrade::E),
        ];
        assert!(order.windows(2).all(|p| w.of(p[0]) < w.of(p[1])));
        assert_eq!(w.of(None), w.of(Some(CreditGrade::C)));
        assert!(w.is_valid());
        assert!(!CreditWeights { a: 0.0, ..w }.is_valid());
    }

    #[test]
    fn the_reasonable_frequency_warns_from_the_threshold() {
        let p = DrawPolicy::default();
        assert!(!p.needs_acknowledgement(1));
        assert!(p.needs_acknowledgement(2));
        assert!(p.frequency_warning(2).contains("合理频次"));
    }

    #[test]
    fn each_grade_has_its_own_configured_weight() {
        let w = CreditWeights {
            a: 0.1,
            b: 0.2,
            c: 0.3,
            d: 0.4,
            e: 0.5,
            unrated: 0.6,
            minimum_weight_share: 0.0,
        };
        assert_eq!(w.of(Some(CreditGrade::A)), 0.1);
        assert_eq!(w.of(Some(CreditGrade::B)), 0.2);
        assert_eq!(w.of(Some(CreditGrade::C)), 0.3);
        assert_eq!(w.of(Some(CreditGrade::D)), 0.4);
        assert_eq!(w.of(Some(CreditGrade::E)), 0.5);
        assert_eq!(w.of(None), 0.6);
        assert!(w.is_valid());
        // The defaults the module documents: E three times C, six times A.
        let d = CreditWeights::default();
        assert_eq!(d.of(Some(CreditGrade::E)) / d.of(Some(CreditGrade::C)), 3.0);
        assert_eq!(d.of(Some(CreditGrade::E)) / d.of(Some(CreditGrade::A)), 6.0);
    }

    #[test]
    fn the_minimum_share_lifts_only_weights_below_it() {
        // The defaults are untouched by the default minimum.
        let d = CreditWeights::default();
        for g in CreditGrade::ALL {
            assert_eq!(d.of(Some(*g)), d.configured(Some(*g)));
        }
        // A grade configured near zero is drawn with a fifth of E's weight.
        let w = CreditWeights {
            a: 0.001,
            minimum_weight_share: 0.2,
            ..d
        };
        assert_eq!(w.of(Some(CreditGrade::A)), 0.6);
        assert_eq!(w.of(Some(CreditGrade::E)), 3.0);
        assert_eq!(w.of(Some(CreditGrade::B)), 0.8);
        assert!(!CreditWeights {
            minimum_weight_share: 1.5,
            ..d
        }
        .is_valid());
        assert!(!CreditWeights {
            minimum_weight_share: f64::NAN,
            ..d
        }
        .is_valid());
    }

    /// DRAW-10: over 10,000 draws of one enterprise among five, an A-grade
    /// enterprise configured at almost no weight among four E-grade ones is
    /// still drawn at its minimum share: 0.2 × 3 against 4 × 3, i.e. with
    /// probability 0.6 / 12.6 ≈ 4.8 % (without the minimum, under 0.01 %).
    #[test]
    fn an_a_grade_among_e_grades_keeps_its_minimum_chance_over_many_draws() {
        use crate::draw::sampler::{draw, Candidate};
        let w = CreditWeights {
            a: 0.001,
            minimum_weight_share: 0.2,
            ..CreditWeights::default()
        };
        let mut candidates = vec![Candidate {
            id: 1,
            weight: w.of(Some(CreditGrade::A)),
        }];
        candidates.extend((2..=5).map(|id| Candidate {
            id,
            weight: w.of(Some(CreditGrade::E)),
        }));
        let n = 10_000;
        let mut drawn = [0u32; 6];
        for s in 0..n {
            let id = draw(&format!("s{s}"), &candidates, 1).unwrap()[0];
            drawn[id as usize] += 1;
        }
        let share_a = f64::from(drawn[1]) / f64::from(n);
        let expected = 0.6 / (0.6 + 4.0 * 3.0);
        // Four standard deviations of a binomial share (about 0.85 points).
        let tolerance = 4.0 * (expected * (1.0 - expected) / f64::from(n)).sqrt();
        assert!(
            (share_a - expected).abs() < tolerance,
            "A drawn {share_a}, expected {expected} ± {tolerance}"
        );
        // At least the minimum share of an E-grade enterprise's draws.
        let mean_e = f64::from(drawn[2..].iter().sum::<u32>()) / 4.0;
        assert!(f64::from(drawn[1]) >= 0.2 * mean_e * 0.8, "{drawn:?}");
    }

    #[test]
    fn a_weight_must_be_a_positive_finite_number() {
        let w = CreditWeights::default();
        for bad in [0.0, -0.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(!CreditWeights { e: bad, ..w }.is_valid(), "{bad}");
            assert!(!CreditWeights { unrated: bad, ..w }.is_valid(), "{bad}");
        }
        assert!(CreditWeights { d: 1e-9, ..w }.is_valid());
    }

    #[test]
    fn the_warning_names_the_count_and_the_threshold() {
        let p = DrawPolicy {
            reasonable_per_unit: 4,
            ..DrawPolicy::default()
        };
        assert!(!p.needs_acknowledgement(3));
        assert!(p.needs_acknowledgement(4));
        assert!(p.needs_acknowledgement(5));
        assert_eq!(
            p.frequency_warning(5),
            "本单位本年度已对该企业开展5次上限外检查（投诉举报、专项等），再次检查将超过合理频次（4次），须填写确认理由后方可发起"
        );
    }
}
