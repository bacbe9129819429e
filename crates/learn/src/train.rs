//! Logistic regression by AdaGrad SGD over the analyzer's hashed features.
//!
//! Deterministic: examples are visited in an order shuffled by a seeded generator, and
//! features are recomputed each epoch (analysis takes microseconds), so memory does not grow
//! with the data.

use menshen_detect::{Analyzer, Scratch, score::HASH_BITS};

use crate::data::Example;

/// Training settings. The defaults suit a few thousand to a few hundred thousand messages.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Passes over the data. Default 6.
    pub epochs: u32,
    /// AdaGrad's base learning rate. Default 0.2.
    pub learning_rate: f64,
    /// L2 penalty applied to the weights a step touches. Default 1e-6.
    pub l2: f64,
    /// Seed of the visiting order. Default 7.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 6,
            learning_rate: 0.2,
            l2: 1e-6,
            seed: 7,
        }
    }
}

/// SplitMix64: a small, well-known generator; enough to shuffle deterministically.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Train weights. `progress` is called with the number of examples seen so far.
pub fn train(
    analyzer: &Analyzer,
    examples: &[Example],
    config: &TrainConfig,
    mut progress: impl FnMut(u64),
) -> Vec<f32> {
    let size = 1usize << HASH_BITS;
    let mut weights = vec![0f64; size];
    let mut squared = vec![0f64; size];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SplitMix(config.seed);
    let (mut scratch, mut features) = (Scratch::default(), Vec::new());
    let mut seen = 0u64;
    for _ in 0..config.epochs {
        // Fisher–Yates with the seeded generator.
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let example = &examples[i];
            analyzer.features(&example.text, &mut scratch, &mut features);
            let scale = menshen_detect::score::scale(features.len());
            let z: f64 = features.iter().map(|&f| weights[f as usize]).sum::<f64>() * scale;
            let p = 1.0 / (1.0 + (-z).exp());
            let gradient = (p - if example.unwanted { 1.0 } else { 0.0 }) * scale;
            for &f in &features {
                let f = f as usize;
                let g = gradient + config.l2 * weights[f];
                squared[f] += g * g;
                weights[f] -= config.learning_rate * g / (squared[f].sqrt() + 1e-8);
            }
            seen += 1;
            if seen.is_multiple_of(1024) {
                progress(seen);
            }
        }
    }
    progress(seen);
    weights.into_iter().map(|w| w as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_weights_and_it_learns() {
        let analyzer = Analyzer::embedded();
        let mut examples = Vec::new();
        for i in 0..60 {
            examples.push(Example {
                text: format!("加微信 seller{i:03} 高仿包包 便宜出"),
                unwanted: true,
            });
            examples.push(Example {
                text: format!("明天{i}点一起吃饭吧"),
                unwanted: false,
            });
        }
        let config = TrainConfig {
            epochs: 3,
            ..TrainConfig::default()
        };
        let a = train(&analyzer, &examples, &config, |_| {});
        let b = train(&analyzer, &examples, &config, |_| {});
        assert_eq!(a, b);
        let model = menshen_detect::score::Model {
            provenance: Default::default(),
            weights: a,
        };
        let (mut scratch, mut features) = (Scratch::default(), Vec::new());
        analyzer.features("加微信 zzz999 高仿手表", &mut scratch, &mut features);
        let spam = model.probability(&features);
        analyzer.features("今晚一起吃饭吗", &mut scratch, &mut features);
        let ham = model.probability(&features);
        assert!(spam > 0.6 && ham < 0.2 && spam - ham > 0.5, "{spam} {ham}");
    }
}
