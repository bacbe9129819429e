//! Learning the signal weights ([`menshen_detect::signals`]) from labelled messages.
//!
//! The spam score is a logistic regression over the signals' strengths: `spam = σ(bias +
//! Σ_c a_c·T_c + Σ_s w_s·x_s)`. Its few parameters are fitted by Newton's method on
//! messages the model did not train on, with an L2 pull toward the prior weights (the shipped
//! `assets/signals.toml`): a signal the data barely shows keeps its prior, one the data shows
//! often moves to what the data says. The category risks reuse the same weights.

use menshen_detect::{
    Analyzer, Scratch,
    signals::{Evidence, SignalName, SignalWeights},
};

use crate::data::Example;

/// How strongly the weights are pulled toward the prior: the λ of a λ·(w − prior)² penalty.
/// A message adds at most ¼·x² to a weight's curvature, so 4 weighs like a few dozen
/// messages that show the signal.
pub const PRIOR_STRENGTH: f64 = 4.0;

/// Fit weights on `examples`, starting from and pulled toward `prior`. With `model_weight`,
/// the model's weight is held there instead of learnt: a model meant for other platforms than
/// the one its data came from (the shipped default) is worth less out of its domain than
/// held-back data of its own domain can show.
pub fn fit(
    analyzer: &Analyzer,
    examples: &[Example],
    prior: &SignalWeights,
    model_weight: Option<f64>,
) -> SignalWeights {
    let categories = analyzer.categories();
    let general = SignalName::GENERAL;
    // Parameters: bias, one per category, one per general signal.
    let size = 1 + categories.len() + general.len();
    let mut prior_vector = vec![prior.bias];
    prior_vector.extend(categories.iter().map(|c| prior.term(c)));
    prior_vector.extend(general.iter().map(|&s| prior.signal(s)));
    let mut scratch = Scratch::default();
    let rows: Vec<(Vec<f64>, f64)> = examples
        .iter()
        .map(|e| {
            let evidence: Evidence = analyzer.evidence(&e.text, &mut scratch);
            let mut x = vec![1.0];
            x.extend(&evidence.terms);
            x.extend(evidence.general);
            (x, if e.unwanted { 1.0 } else { 0.0 })
        })
        .collect();
    let model_index = 1 + categories.len() + SignalName::MODEL_INDEX;
    if let Some(weight) = model_weight {
        prior_vector[model_index] = weight;
    }
    let mut theta = prior_vector.clone();
    for _ in 0..25 {
        let mut gradient = vec![0.0; size];
        let mut hessian = vec![vec![0.0; size]; size];
        for (x, y) in &rows {
            let z: f64 = x.iter().zip(&theta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let slope = p * (1.0 - p);
            for (i, &xi) in x.iter().enumerate() {
                if xi == 0.0 {
                    continue;
                }
                gradient[i] += (p - y) * xi;
                for (h, &xj) in hessian[i].iter_mut().zip(x) {
                    *h += slope * xi * xj;
                }
            }
        }
        // The bias is left free; every other weight is pulled toward its prior.
        for i in 1..size {
            gradient[i] += 2.0 * PRIOR_STRENGTH * (theta[i] - prior_vector[i]);
            hessian[i][i] += 2.0 * PRIOR_STRENGTH;
        }
        hessian[0][0] += 1e-6;
        if model_weight.is_some() {
            // A fixed weight: no gradient, and a row that keeps it where it is.
            gradient[model_index] = 0.0;
            for (i, row) in hessian.iter_mut().enumerate() {
                row[model_index] = if i == model_index { 1.0 } else { 0.0 };
            }
            hessian[model_index].fill(0.0);
            hessian[model_index][model_index] = 1.0;
        }
        let Some(step) = solve(hessian, gradient) else {
            break;
        };
        let mut largest: f64 = 0.0;
        for (t, s) in theta.iter_mut().zip(&step) {
            *t -= s.clamp(-2.0, 2.0);
            largest = largest.max(s.abs());
        }
        if largest < 1e-6 {
            break;
        }
    }
    let mut weights = SignalWeights {
        provenance: String::new(),
        bias: round(theta[0]),
        signals: Default::default(),
        terms: prior.terms.clone(),
        corroborate_model: model_weight.is_some(),
        // Messages carry no phishing labels: the host signals keep the prior's weights.
        phishing: prior.phishing.clone(),
    };
    for (index, category) in categories.iter().enumerate() {
        weights
            .terms
            .insert(category.to_string(), round(theta[1 + index]));
    }
    for (index, name) in general.iter().enumerate() {
        weights
            .signals
            .insert(*name, round(theta[1 + categories.len() + index]));
    }
    weights
}

fn round(w: f64) -> f64 {
    (w * 1000.0).round() / 1000.0
}

/// Solve `a · x = b` by Gaussian elimination with partial pivoting; `None` if singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (above, below) = a.split_at_mut(col + 1);
        let pivot_row = &above[col];
        for (offset, row) in below.iter_mut().enumerate() {
            let factor = row[col] / pivot_row[col];
            if factor == 0.0 {
                continue;
            }
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= factor * p;
            }
            b[col + 1 + offset] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let sum: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - sum) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_system() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!(
            (x[0] - 0.8).abs() < 1e-9 && (x[1] - 1.4).abs() < 1e-9,
            "{x:?}"
        );
        assert!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]).is_none());
    }

    #[test]
    fn learns_what_the_data_shows_and_keeps_priors_elsewhere() {
        let analyzer = Analyzer::embedded_without_model();
        let prior = SignalWeights::embedded();
        // Prices mark every unwanted message here, and nothing else does.
        let mut examples = Vec::new();
        for i in 0..200 {
            examples.push(Example {
                text: format!("新品到了，只要{}元，欢迎选购", 100 + i),
                unwanted: true,
            });
            examples.push(Example {
                text: format!("今天第{i}次去图书馆，好累"),
                unwanted: false,
            });
        }
        let learnt = fit(&analyzer, &examples, &prior, None);
        assert!(
            learnt.signal(SignalName::Price) > prior.signal(SignalName::Price) + 1.0,
            "{learnt:?}"
        );
        // No gambling term anywhere: its weight stays the prior's.
        assert_eq!(learnt.term("gambling"), round(prior.term("gambling")));
        assert!(learnt.bias < 0.0);
    }
}
