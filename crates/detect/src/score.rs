//! The spam score: the probability that a message is unwanted commercial or fraudulent
//! content, `scores.spam` in the facts.
//!
//! With a [`Model`] loaded, the score is a logistic regression over hashed features: character
//! 1–3-grams of the normalized key channel (so disguises fold before they are counted) and
//! features of the facts (share codes, contacts by kind, terms by category, link categories,
//! digit and symbol ratios, hidden characters). Its probability enters the scores as the
//! `model` signal ([`crate::signals`]); without a model the scores come from the other
//! signals alone.
//!
//! Scoring is linear in the text and touches one weight per feature in a table of
//! 2^[`HASH_BITS`] floats (1 MiB), which stays in cache.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::Facts;

/// Feature hashing width: 2^18 weights.
pub const HASH_BITS: u32 = 18;
const MASK: u64 = (1 << HASH_BITS) - 1;
const MAGIC: &[u8] = b"MENSHEN-MODEL 1\n";

/// FNV-1a, 64 bit: a stable hash, so a model means the same on every machine and release.
fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325 ^ seed;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The features of a message, as indices into the weight table (with repeats). Allocates
/// nothing beyond `out`: n-grams are hashed in place, named features from their parts.
pub fn features(key: &str, facts: &Facts, original_len: usize, out: &mut Vec<u32>) {
    out.clear();
    for_each_feature(key, facts, original_len, |i| out.push(i));
}

/// [`features`] one at a time, in the same order, without holding them (three for every
/// character of a huge message would be twelve bytes for each of its bytes).
pub fn for_each_feature(key: &str, facts: &Facts, original_len: usize, mut emit: impl FnMut(u32)) {
    let index = |h: u64| (h & MASK) as u32;
    // Character n-grams of the key channel, n = 1..=3, each n hashed with its own seed. The
    // last three character starts are kept to find each n-gram's bytes.
    let bytes = key.as_bytes();
    let mut starts = [usize::MAX; 3];
    for (seen, (start, c)) in key.char_indices().enumerate() {
        starts = [starts[1], starts[2], start];
        let end = start + c.len_utf8();
        for n in 1..=3usize.min(seen + 1) {
            emit(index(fnv(&bytes[starts[3 - n]..end], n as u64)));
        }
    }
    // Named features: a name and an optional value, hashed in sequence.
    let mut named =
        |name: &str, value: &str| emit(index(fnv(value.as_bytes(), fnv(name.as_bytes(), 0x5eed))));
    named("bias", "");
    for link in &facts.links {
        named("link", link.category.as_str());
        if link.obfuscated {
            named("link", "obfuscated");
        }
    }
    for code in &facts.share_codes {
        named("share", code.kind.as_str());
    }
    for contact in &facts.contacts {
        named("contact", contact.kind.as_str());
        if contact.disguised {
            named("contact", "disguised");
        }
    }
    for term in &facts.terms {
        named("term", &term.category);
        if term.disguised {
            named("term", "disguised");
        }
    }
    if facts.hidden_chars > 0 {
        named("hidden_chars", "");
    }
    // Shape: length, and the share of digits and of folded-away bytes, in coarse buckets.
    const BUCKETS: [&str; 16] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
    ];
    let bucket = |n: usize| BUCKETS[n.min(15)];
    let total = key.chars().count().max(1);
    let digits = key.bytes().filter(u8::is_ascii_digit).count();
    named("len", bucket((original_len.max(1) as f64).log2() as usize));
    named("digits", bucket(digits * 10 / total));
    named(
        "folded",
        bucket((original_len.saturating_sub(key.len()) * 10 / original_len.max(1)).min(9)),
    );
}

fn logistic(z: f32, features: usize) -> f64 {
    1.0 / (1.0 + (-f64::from(z) * scale(features)).exp())
}

/// Each feature's weight counts 1/√n in a message with n features, as in an L2-normalized
/// vector: a long message does not outvote a short one by length alone.
pub fn scale(features: usize) -> f64 {
    1.0 / (features.max(1) as f64).sqrt()
}

/// How a model was made: enough to reproduce it and to know what it may be used for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Input files with their row counts and SHA-256.
    pub inputs: Vec<InputFile>,
    pub rows: usize,
    pub positives: usize,
    pub epochs: u32,
    pub learning_rate: f64,
    pub l2: f64,
    pub seed: u64,
    /// The score above which a message counts as unwanted, chosen on held-out data.
    pub threshold: f64,
    /// The signal weights learnt with the model (on the held-out messages, with the model's
    /// evidence among them); they replace the shipped ones when the model is loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal_weights: Option<crate::signals::SignalWeights>,
    pub menshen_version: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: String,
    pub rows: usize,
    pub sha256: String,
}

/// A trained model: weights over hashed features, and where they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub provenance: Provenance,
    pub weights: Vec<f32>,
}

/// Problems reading a model file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(
        "not a menshen model (the file does not start with `MENSHEN-MODEL 1`); train one with `menshen train`"
    )]
    NotAModel,
    #[error("the model header is not valid JSON: {0}")]
    Header(String),
    #[error(
        "the model has {found} weights, expected {expected}: the file is truncated or from another version"
    )]
    Size { found: usize, expected: usize },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The shipped default model (`assets/models/default.model`), trained only on data whose
/// licence allows it; its provenance names the data. `scripts/train_default_model.sh`
/// rebuilds it.
pub const EMBEDDED: &[u8] = include_bytes!("../../../assets/models/default.model");

impl Model {
    /// The shipped default model, read once per process.
    pub fn embedded() -> std::sync::Arc<Model> {
        static MODEL: std::sync::OnceLock<std::sync::Arc<Model>> = std::sync::OnceLock::new();
        MODEL
            .get_or_init(|| {
                std::sync::Arc::new(Model::read(EMBEDDED).expect("the shipped model is valid"))
            })
            .clone()
    }

    pub fn new(provenance: Provenance) -> Self {
        Model {
            provenance,
            weights: vec![0.0; 1 << HASH_BITS],
        }
    }

    /// The probability that a message with these features is unwanted.
    pub fn probability(&self, features: &[u32]) -> f64 {
        let z: f32 = features.iter().map(|&i| self.weights[i as usize]).sum();
        logistic(z, features.len())
    }

    /// [`Model::probability`] of a message's [`features`], summed as they are made.
    pub fn probability_of(&self, key: &str, facts: &Facts, original_len: usize) -> f64 {
        let (mut z, mut n) = (0.0f32, 0usize);
        for_each_feature(key, facts, original_len, |i| {
            z += self.weights[i as usize];
            n += 1;
        });
        logistic(z, n)
    }

    /// Write: magic line, provenance as one JSON line, then the weights as little-endian f32.
    pub fn write(&self, mut out: impl Write) -> std::io::Result<()> {
        out.write_all(MAGIC)?;
        serde_json::to_writer(&mut out, &self.provenance)?;
        out.write_all(b"\n")?;
        for w in &self.weights {
            out.write_all(&w.to_le_bytes())?;
        }
        Ok(())
    }

    pub fn read(mut input: impl Read) -> Result<Self, ModelError> {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes)?;
        let rest = bytes.strip_prefix(MAGIC).ok_or(ModelError::NotAModel)?;
        let newline = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or(ModelError::NotAModel)?;
        let provenance: Provenance = serde_json::from_slice(&rest[..newline])
            .map_err(|e| ModelError::Header(e.to_string()))?;
        let body = &rest[newline + 1..];
        let expected = 1 << HASH_BITS;
        if body.len() != expected * 4 {
            return Err(ModelError::Size {
                found: body.len() / 4,
                expected,
            });
        }
        let weights = body
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Model {
            provenance,
            weights,
        })
    }
}
