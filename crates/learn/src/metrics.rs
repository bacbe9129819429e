//! Quality measures over scored, labelled examples.

/// A score and the truth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub unwanted: bool,
}

/// Counts at a threshold: a message scoring at or above it is called unwanted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    pub true_positives: u64,
    pub false_positives: u64,
    pub true_negatives: u64,
    pub false_negatives: u64,
}

impl Confusion {
    pub fn at(scored: &[Scored], threshold: f64) -> Self {
        let mut c = Confusion::default();
        for s in scored {
            match (s.score >= threshold, s.unwanted) {
                (true, true) => c.true_positives += 1,
                (true, false) => c.false_positives += 1,
                (false, false) => c.true_negatives += 1,
                (false, true) => c.false_negatives += 1,
            }
        }
        c
    }

    pub fn precision(&self) -> f64 {
        let called = self.true_positives + self.false_positives;
        if called == 0 {
            1.0
        } else {
            self.true_positives as f64 / called as f64
        }
    }

    pub fn recall(&self) -> f64 {
        let unwanted = self.true_positives + self.false_negatives;
        if unwanted == 0 {
            0.0
        } else {
            self.true_positives as f64 / unwanted as f64
        }
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Area under the ROC curve: the chance that a random unwanted message outscores a random
/// innocent one (ties count half). Rank-based, O(n log n).
pub fn roc_auc(scored: &[Scored]) -> f64 {
    let mut sorted: Vec<Scored> = scored.to_vec();
    sorted.sort_by(|a, b| a.score.total_cmp(&b.score));
    let positives = sorted.iter().filter(|s| s.unwanted).count() as f64;
    let negatives = sorted.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f64::NAN;
    }
    // Sum of the ranks of the positives, ties sharing their average rank.
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].score == sorted[i].score {
            j += 1;
        }
        let average_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += average_rank * sorted[i..j].iter().filter(|s| s.unwanted).count() as f64;
        i = j;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// The lowest threshold whose precision is at least `target` (most recall at that precision),
/// among the distinct scores; `None` if no threshold reaches it with any recall.
pub fn threshold_for_precision(scored: &[Scored], target: f64) -> Option<f64> {
    let mut sorted: Vec<Scored> = scored.to_vec();
    sorted.sort_by(|a, b| b.score.total_cmp(&a.score));
    let (mut tp, mut fp, mut best) = (0u64, 0u64, None);
    let mut i = 0;
    while i < sorted.len() {
        let score = sorted[i].score;
        while i < sorted.len() && sorted[i].score == score {
            if sorted[i].unwanted {
                tp += 1
            } else {
                fp += 1
            }
            i += 1;
        }
        if tp > 0 && tp as f64 / (tp + fp) as f64 >= target {
            best = Some(score);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(score: f64, unwanted: bool) -> Scored {
        Scored { score, unwanted }
    }

    #[test]
    fn auc_of_perfect_random_and_inverted_rankings() {
        assert_eq!(
            roc_auc(&[s(0.9, true), s(0.8, true), s(0.2, false), s(0.1, false)]),
            1.0
        );
        assert_eq!(roc_auc(&[s(0.5, true), s(0.5, false)]), 0.5);
        assert_eq!(roc_auc(&[s(0.1, true), s(0.9, false)]), 0.0);
    }

    #[test]
    fn confusion_and_threshold_choice() {
        let scored = [
            s(0.95, true),
            s(0.9, true),
            s(0.85, false),
            s(0.6, true),
            s(0.3, false),
            s(0.2, true),
        ];
        let c = Confusion::at(&scored, 0.5);
        assert_eq!(
            (
                c.true_positives,
                c.false_positives,
                c.true_negatives,
                c.false_negatives
            ),
            (3, 1, 1, 1)
        );
        assert_eq!(c.precision(), 0.75);
        assert_eq!(c.recall(), 0.75);
        assert_eq!(threshold_for_precision(&scored, 1.0), Some(0.9));
        assert_eq!(threshold_for_precision(&scored, 0.75), Some(0.6));
    }
}
