//! Training and evaluating the spam score ([`menshen_detect::score`]).
//!
//! - [`data`]: labelled examples from TSV (`label<TAB>text`, labels 0/1 or ham/spam) and JSONL
//!   (`{"text": …, "label": …}`), with provenance (rows, SHA-256) and a deterministic split;
//! - [`train`]: logistic regression by AdaGrad SGD over the analyzer's features, deterministic
//!   for a seed;
//! - [`weights`]: the signal weights, fitted on held-out messages with the model's evidence
//!   among them, pulled toward the shipped priors;
//! - [`metrics`]: precision, recall, F1, ROC AUC, confusion matrix and a threshold table.

pub mod data;
pub mod metrics;
pub mod train;
pub mod weights;
