//! Training and evaluating the spam score ([`menshen_detect::score`]).
//!
//! - [`data`]: labelled examples from TSV (`label<TAB>text`, labels 0/1 or ham/spam) and JSONL
//!   (`{"text": …, "label": …}`), with provenance (rows, SHA-256) and a deterministic split;
//! - [`train`]: logistic regression by AdaGrad SGD over the analyzer's features, deterministic
//!   for a seed;
//! - [`metrics`]: precision, recall, F1, ROC AUC, confusion matrix and a threshold table.

pub mod data;
pub mod metrics;
pub mod train;
